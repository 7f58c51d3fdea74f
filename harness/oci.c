#include "oci.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab.h"
#include "log.h"
#include "proc.h"
#include "results.h"

static cJSON *string_array(const char *const *v)
{
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; v && v[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

static void add_mount(cJSON *mounts, const char *dest, const char *type, const char *source,
		      const char *const *options)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "destination", dest);
	cJSON_AddStringToObject(m, "type", type);
	cJSON_AddStringToObject(m, "source", source);
	cJSON_AddItemToObject(m, "options", string_array(options));
	cJSON_AddItemToArray(mounts, m);
}

/* Docker's default capability set, so the container is as constrained as
 * the containers people deploy. */
static const char *const default_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL,
};

static cJSON *process_object(const struct oci_spec *spec)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddBoolToObject(p, "terminal", 0);
	cJSON *user = cJSON_AddObjectToObject(p, "user");
	cJSON_AddNumberToObject(user, "uid", 0);
	cJSON_AddNumberToObject(user, "gid", 0);
	cJSON_AddItemToObject(p, "args", string_array(spec->args));
	static const char *const env[] = { "PATH=/", NULL };
	cJSON_AddItemToObject(p, "env", string_array(env));
	cJSON_AddStringToObject(p, "cwd", "/");
	cJSON_AddBoolToObject(p, "noNewPrivileges", 1);
	cJSON *caps = cJSON_AddObjectToObject(p, "capabilities");
	const char *sets[] = { "bounding", "effective", "permitted" };
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		cJSON_AddItemToObject(caps, sets[i], string_array(default_caps));
	if (spec->nofile) {
		/* Never above the runtime's own hard limit: raising it needs
		 * CAP_SYS_RESOURCE, which some hosts withhold. */
		cJSON *rl = cJSON_AddArrayToObject(p, "rlimits");
		cJSON *nofile = cJSON_CreateObject();
		cJSON_AddStringToObject(nofile, "type", "RLIMIT_NOFILE");
		cJSON_AddNumberToObject(nofile, "hard", spec->nofile);
		cJSON_AddNumberToObject(nofile, "soft", spec->nofile);
		cJSON_AddItemToArray(rl, nofile);
	}
	return p;
}

static cJSON *linux_object(const struct oci_spec *spec)
{
	cJSON *l = cJSON_CreateObject();
	cJSON *ns = cJSON_AddArrayToObject(l, "namespaces");
	const char *types[] = { "pid", "ipc", "uts", "mount", "network" };
	size_t ntypes = sizeof(types) / sizeof(types[0]) - (spec->own_netns ? 0 : 1);
	for (size_t i = 0; i < ntypes; i++) {
		cJSON *n = cJSON_CreateObject();
		cJSON_AddStringToObject(n, "type", types[i]);
		cJSON_AddItemToArray(ns, n);
	}
	if (spec->cgroups_path)
		cJSON_AddStringToObject(l, "cgroupsPath", spec->cgroups_path);
	static const char *const masked[] = {
		"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
		"/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", NULL,
	};
	static const char *const readonly[] = {
		"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
	};
	cJSON_AddItemToObject(l, "maskedPaths", string_array(masked));
	cJSON_AddItemToObject(l, "readonlyPaths", string_array(readonly));
	return l;
}

cJSON *oci_config(const struct oci_spec *spec)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "ociVersion", "1.0.2");
	cJSON_AddItemToObject(c, "process", process_object(spec));
	cJSON *root = cJSON_AddObjectToObject(c, "root");
	cJSON_AddStringToObject(root, "path", "rootfs");
	cJSON_AddBoolToObject(root, "readonly", 1);
	cJSON_AddStringToObject(c, "hostname", spec->hostname ? spec->hostname : "zerowatt");
	cJSON *mounts = cJSON_AddArrayToObject(c, "mounts");
	static const char *const proc_opts[] = { "nosuid", "noexec", "nodev", NULL };
	static const char *const dev_opts[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
	static const char *const pts_opts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL };
	static const char *const shm_opts[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
	static const char *const sys_opts[] = { "nosuid", "noexec", "nodev", "ro", NULL };
	add_mount(mounts, "/proc", "proc", "proc", proc_opts);
	add_mount(mounts, "/dev", "tmpfs", "tmpfs", dev_opts);
	add_mount(mounts, "/dev/pts", "devpts", "devpts", pts_opts);
	add_mount(mounts, "/dev/shm", "tmpfs", "shm", shm_opts);
	add_mount(mounts, "/sys", "sysfs", "sysfs", sys_opts);
	if (spec->hook_path) {
		cJSON *hooks = cJSON_AddObjectToObject(c, "hooks");
		cJSON *create = cJSON_AddArrayToObject(hooks, "createRuntime");
		cJSON *h = cJSON_CreateObject();
		cJSON_AddStringToObject(h, "path", spec->hook_path);
		cJSON_AddItemToObject(h, "args", string_array(spec->hook_args));
		cJSON_AddNumberToObject(h, "timeout", 10);
		cJSON_AddItemToArray(create, h);
	}
	cJSON_AddItemToObject(c, "linux", linux_object(spec));
	return c;
}

int oci_copy_file(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		int err = -errno;
		close(in);
		return err;
	}
	char buf[65536];
	ssize_t n;
	int r = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			r = -EIO;
			break;
		}
	if (n < 0)
		r = -errno;
	close(in);
	if (close(out) < 0 && !r)
		r = -errno;
	return r;
}

int oci_bundle_create(const char *bundle, const char *binary, const char *name,
		      const struct oci_spec *spec)
{
	char path[1024];
	if (mkdir(bundle, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/rootfs", bundle);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	const char *dirs[] = { "proc", "dev", "sys", "tmp" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/rootfs/%s", bundle, dirs[i]);
		mkdir(path, 0755);
	}
	snprintf(path, sizeof(path), "%s/rootfs/%s", bundle, name);
	int r = oci_copy_file(binary, path, 0755);
	if (r < 0) {
		pr_err("cannot copy %s into the bundle: %s", binary, strerror(-r));
		return r;
	}
	cJSON *config = oci_config(spec);
	char *json = cJSON_Print(config);
	cJSON_Delete(config);
	if (!json)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	r = write_file_atomic(path, json, strlen(json));
	free(json);
	return r;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void oci_bundle_remove(const char *bundle)
{
	nftw(bundle, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Starts /bin/true-equivalent (busybox true) under the runtime. */
static int try_runtime(const char *runtime, const char *dir, char *why, size_t len)
{
	char bundle[512], root[512], out[2048];
	snprintf(bundle, sizeof(bundle), "%s/bundle-%s", dir, runtime);
	snprintf(root, sizeof(root), "%s/root-%s", dir, runtime);
	static const char *const args[] = { "/busybox", "true", NULL };
	struct oci_spec spec = { .args = args, .own_netns = 1 };
	int r = oci_bundle_create(bundle, "/bin/busybox", "busybox", &spec);
	if (r < 0) {
		snprintf(why, len, "%s: cannot build a probe bundle (is busybox-static installed?)", runtime);
		return -1;
	}
	char id[64];
	snprintf(id, sizeof(id), "zw-probe-%d", getpid());
	char *argv[] = { (char *)runtime, "--root", root, "run", "--bundle", bundle, id, NULL };
	r = proc_run(argv, out, sizeof(out), 20.0);
	char *del[] = { (char *)runtime, "--root", root, "delete", "-f", id, NULL };
	proc_run(del, NULL, 0, 10.0);
	oci_bundle_remove(bundle);
	oci_bundle_remove(root);
	if (r == 0) {
		snprintf(why, len, "%s: starts containers", runtime);
		return 0;
	}
	/* Keep the runtime's own words: they name the missing privilege. */
	char *nl;
	while ((nl = strrchr(out, '\n')) && nl[1] == '\0')
		*nl = '\0';
	char *last = strrchr(out, '\n');
	snprintf(why, len, "%s: %.300s", runtime, r == 127 || r == -ENOENT ? "not installed" : (last ? last + 1 : out));
	return -1;
}

const char *oci_runtime(char *why, size_t len)
{
	static const char *chosen;
	static char verdict[1024];
	static int done;
	if (!done) {
		char dir[128], w1[512], w2[512];
		snprintf(dir, sizeof(dir), LAB_STATE_ROOT "/probe-%d", getpid());
		mkdir(LAB_STATE_ROOT, 0755);
		mkdir(dir, 0755);
		if (try_runtime("crun", dir, w1, sizeof(w1)) == 0)
			chosen = "crun";
		w2[0] = '\0';
		if (!chosen && try_runtime("runc", dir, w2, sizeof(w2)) == 0)
			chosen = "runc";
		oci_bundle_remove(dir);
		snprintf(verdict, sizeof(verdict), "%s%s%s", w1, w2[0] ? "; " : "", w2);
		done = 1;
	}
	if (why)
		snprintf(why, len, "%s", verdict);
	return chosen;
}

int oci_runtime_version(const char *runtime, char *out, size_t len)
{
	char buf[512];
	char *argv[] = { (char *)runtime, "--version", NULL };
	if (proc_run(argv, buf, sizeof(buf), 10.0) != 0)
		return -EIO;
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(out, len, "%s", buf);
	return 0;
}
