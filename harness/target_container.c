/* container: the workload in an OCI bundle run by a real runtime (crun when
 * it starts containers here, else runc), in its own network namespace joined
 * to the lab's by a veth pair, the way Docker's bridge networking does it.
 * The veth is made by a createRuntime hook (`zerowatt oci-hook`), as Docker's
 * libnetwork does, so it exists before the workload runs. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"
#include "log.h"
#include "oci.h"
#include "proc.h"
#include "target.h"

struct container_state {
	const char *runtime;
	char root[256];     /* runtime state root, under the lab's state dir */
	char bundle[512];
	char veth[16];
};

static int container_available(char *why, size_t len)
{
	char verdict[1024];
	if (oci_runtime(verdict, sizeof(verdict)))
		return 0;
	snprintf(why, len, "no OCI runtime starts containers here (%s); install runc (apt-get install runc)", verdict);
	return -1;
}

/* As many descriptors as the harness may have, so ≥1000 connections fit
 * wherever the host allows them natively too. */
static unsigned nofile_hard_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 1048576)
		return 1048576;
	return (unsigned)rl.rlim_max;
}

static int container_prepare(struct target_instance *ti)
{
	struct container_state *cs = calloc(1, sizeof(*cs));
	if (!cs)
		return -ENOMEM;
	ti->priv = cs;
	char why[1024];
	cs->runtime = oci_runtime(why, sizeof(why));
	if (!cs->runtime) {
		pr_err("container: %s", why);
		return -ENOENT;
	}
	snprintf(cs->root, sizeof(cs->root), "%s/%s", ti->lab->state_dir, cs->runtime);
	snprintf(cs->bundle, sizeof(cs->bundle), "%s/bundle-%s", ti->lab->state_dir, ti->id);
	snprintf(cs->veth, sizeof(cs->veth), "zwv%d", ti->slot);
	snprintf(ti->accel, sizeof(ti->accel), "none");

	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -errno;
	exe[n] = '\0';
	/* Rebuilt while running: the path now names the new binary, which is
	 * the hook we want. */
	char *deleted = strstr(exe, " (deleted)");
	if (deleted && deleted[10] == '\0')
		*deleted = '\0';
	char slot[16], args_copy[16][64];
	snprintf(slot, sizeof(slot), "%d", ti->slot);
	const char *hook_args[] = { "zerowatt", "oci-hook", slot, NULL };
	/* Inside the rootfs the binary is /<name>. */
	const char *args[17];
	int i;
	snprintf(args_copy[0], sizeof(args_copy[0]), "/%s", ti->wl.name);
	args[0] = args_copy[0];
	for (i = 1; i < 16 && ti->wl.argv[i]; i++)
		args[i] = ti->wl.argv[i];
	args[i] = NULL;
	char cgroups_path[80];
	snprintf(cgroups_path, sizeof(cgroups_path), "/%s", ti->id);
	struct oci_spec spec = {
		.args = args,
		.hostname = ti->id,
		.cgroups_path = cgroups_path,
		.hook_path = exe,
		.hook_args = hook_args,
		.own_netns = 1,
		.nofile = nofile_hard_limit(),
	};
	int r = oci_bundle_create(cs->bundle, ti->wl.path, ti->wl.name, &spec);
	if (r < 0)
		pr_err("container: cannot create bundle %s: %s", cs->bundle, strerror(-r));
	return r;
}

static int container_start(struct target_instance *ti)
{
	struct container_state *cs = ti->priv;
	char *argv[] = { (char *)cs->runtime, "--root", cs->root, "run", "--bundle", cs->bundle, ti->id, NULL };
	return proc_spawn(argv, PROC_MERGE_STDERR, &ti->pid, &ti->out_fd);
}

static int runtime_cmd(struct container_state *cs, const char *verb, const char *id, const char *arg)
{
	char *argv[] = { (char *)cs->runtime, "--root", cs->root, (char *)verb, (char *)id, (char *)arg, NULL };
	if (!arg && strcmp(verb, "delete") == 0) {
		argv[4] = "-f";
		argv[5] = (char *)id;
	}
	return proc_run(argv, NULL, 0, 10.0);
}

static int container_stop(struct target_instance *ti)
{
	struct container_state *cs = ti->priv;
	int st = 0;
	/* The workload is PID 1 of its namespace: without a handler it ignores
	 * SIGTERM, so follow `docker stop`: TERM, a grace period, then KILL. */
	runtime_cmd(cs, "kill", ti->id, "TERM");
	int r = proc_wait(ti->pid, 2.0, &st);
	if (r < 0) {
		runtime_cmd(cs, "kill", ti->id, "KILL");
		r = proc_wait(ti->pid, 5.0, &st);
	}
	if (r < 0)
		r = proc_stop_group(ti->pid, 1.0, &st);
	ti->pid = 0;
	ti->exited = 1;
	ti->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	runtime_cmd(cs, "delete", ti->id, NULL);
	return r;
}

static void container_cleanup(struct target_instance *ti)
{
	struct container_state *cs = ti->priv;
	if (!cs)
		return;
	if (cs->runtime) {
		runtime_cmd(cs, "kill", ti->id, "KILL");
		runtime_cmd(cs, "delete", ti->id, NULL);
	}
	if (cs->bundle[0])
		oci_bundle_remove(cs->bundle);
	/* The veth dies with the container's namespace; this catches a hook that
	 * created it but the container never started. */
	if (cs->veth[0])
		lab_link_delete(cs->veth);
	free(cs);
	ti->priv = NULL;
}

static void container_describe(struct target_instance *ti, cJSON *obj)
{
	struct container_state *cs = ti->priv;
	char version[256];
	if (!cs || !cs->runtime)
		return;
	cJSON_AddStringToObject(obj, "runtime", cs->runtime);
	if (oci_runtime_version(cs->runtime, version, sizeof(version)) == 0)
		cJSON_AddStringToObject(obj, "runtime_version", version);
	cJSON_AddStringToObject(obj, "network", "own netns + veth to the lab netns");
	cJSON_AddStringToObject(obj, "accelerator", "none");
}

static const struct target_ops container_ops = {
	.name = "container",
	.summary = "the workload in an OCI container (crun or runc) with veth networking",
	.available = container_available,
	.prepare = container_prepare,
	.start = container_start,
	.stop = container_stop,
	.cleanup = container_cleanup,
	.describe = container_describe,
};
TARGET_REGISTER(container_ops);
