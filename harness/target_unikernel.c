/* unikernel: our own kernel (unikernel/) under QEMU microvm with the same
 * device model, RAM and vCPUs as the vm target (qemu.h). The static workload
 * is the PVH module (-initrd); its argv, the lab address and the wall clock
 * travel on the kernel command line. Its counters (timer interrupts,
 * wakeups, HLTs) are read by an NMI sent over QMP, which makes the kernel
 * print a ZWSTATS line on the console. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"
#include "log.h"
#include "proc.h"
#include "qemu.h"
#include "target.h"

#define UK_FIX "run make unikernel"
#define UK_CMDLINE_MAX 4000          /* the kernel keeps 4095 bytes */
#define UK_COUNTERS_TIMEOUT_S 5.0

/* Exit statuses the kernel itself reports (unikernel/core/exitcodes.h). */
#define UK_EXIT_OOM 123
#define UK_EXIT_NOAPP 124
#define UK_EXIT_FAULT 125
#define UK_EXIT_PANIC 126

struct uk_priv {
	char kernel[512];
	char tap[16];
	char qmp[192];
	char cmdline[UK_CMDLINE_MAX + 64];
	char accel_why[256];
	char *argv[64];
	char argbuf[8192];
};

static void uk_path(char *out, size_t len, const char *suffix)
{
	snprintf(out, len, "%s/unikernel/zwkernel%s", zw_build_dir(), suffix);
}

static int uk_available(char *why, size_t len)
{
	char path[512], qv[128];

	uk_path(path, sizeof(path), "");
	if (access(path, R_OK) != 0) {
		snprintf(why, len, "the unikernel is not built (%s missing): " UK_FIX, path);
		return -1;
	}
	if (qemu_version(qv, sizeof(qv)) != 0) {
		snprintf(why, len, "%s does not run: apt-get install qemu-system-x86 (make deps)",
			 qemu_binary());
		return -1;
	}
	return 0;
}

/* The kernel splits its command line on spaces and has no quoting, so an
 * argument with white space (or a lone "--") cannot be passed faithfully. */
static int append_arg(char *buf, size_t cap, size_t *len, const char *arg)
{
	if (!*arg || strpbrk(arg, " \t\n\r\"") || strcmp(arg, "--") == 0)
		return -EINVAL;
	int n = snprintf(buf + *len, cap - *len, " %s", arg);
	if (n < 0 || (size_t)n >= cap - *len)
		return -E2BIG;
	*len += (size_t)n;
	return 0;
}

/* zw.epoch_ns is taken when QEMU starts, so CLOCK_REALTIME in the guest
 * trails the host only by QEMU's own start-up. */
static int build_cmdline(struct target_instance *ti, struct uk_priv *uk)
{
	char host[16];
	struct timespec now;
	size_t len;

	clock_gettime(CLOCK_REALTIME, &now);
	lab_slot_host_addr(ti->slot, host);
	int n = snprintf(uk->cmdline, sizeof(uk->cmdline),
			 "zw.epoch_ns=%lld zw.ip=%s/24 zw.gw=%s%s --",
			 (long long)now.tv_sec * 1000000000LL + now.tv_nsec, ti->addr, host,
			 ti->opt.ring3 ? " zw.ring3=1" : "");
	if (n < 0 || (size_t)n >= sizeof(uk->cmdline))
		return -E2BIG;
	len = (size_t)n;
	for (int i = 0; ti->wl.argv[i]; i++) {
		int r = append_arg(uk->cmdline, UK_CMDLINE_MAX, &len, ti->wl.argv[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int uk_prepare(struct target_instance *ti)
{
	struct uk_priv *uk = calloc(1, sizeof(*uk));
	if (!uk)
		return -ENOMEM;
	ti->priv = uk;
	uk_path(uk->kernel, sizeof(uk->kernel), "");
	if (access(uk->kernel, R_OK) != 0) {
		pr_err("unikernel: %s missing: " UK_FIX, uk->kernel);
		return -ENOENT;
	}
	const char *accel = ti->opt.accel ? ti->opt.accel
					  : qemu_choose_accel(uk->accel_why, sizeof(uk->accel_why));
	snprintf(ti->accel, sizeof(ti->accel), "%s", accel);
	/* Checked now so bad arguments fail before anything is timed. */
	int r = build_cmdline(ti, uk);
	if (r < 0) {
		pr_err("unikernel: cannot pass %s's arguments on the kernel command line: %s",
		       ti->wl.name, r == -EINVAL ? "no empty arguments, white space, quotes or '--'"
						 : "too long");
		return r;
	}
	/* A unix socket path must fit sun_path (108 bytes). */
	int n = snprintf(uk->qmp, sizeof(uk->qmp), "%s/%s.qmp", ti->lab->state_dir, ti->id);
	if (n < 0 || n >= 108) {
		pr_err("unikernel: QMP socket path too long: %s", uk->qmp);
		uk->qmp[0] = '\0';
		return -ENAMETOOLONG;
	}
	r = lab_tap_create(ti->lab, ti->slot, uk->tap);
	if (r < 0) {
		uk->tap[0] = '\0';
		return r;
	}
	return 0;
}

static int uk_start(struct target_instance *ti)
{
	struct uk_priv *uk = ti->priv;
	int r = build_cmdline(ti, uk);
	if (r < 0)
		return r;
	unlink(uk->qmp);
	struct qemu_vm q = {
		.kernel = uk->kernel,
		.initrd = ti->wl.path,
		.append = uk->cmdline,
		.mem_mib = ti->opt.mem_mib,
		.vcpus = ti->opt.vcpus,
		.accel = ti->accel,
		.tap = uk->tap,
		.debug_exit = 1,
		.qmp_path = uk->qmp,
	};
	r = qemu_build_argv(&q, uk->argv, sizeof(uk->argv) / sizeof(uk->argv[0]), uk->argbuf,
			    sizeof(uk->argbuf));
	if (r < 0)
		return r;
	/* QEMU's own complaints land in the console beside the kernel's. */
	return proc_spawn(uk->argv, PROC_MERGE_STDERR, &ti->pid, &ti->out_fd);
}

static int uk_exit_status(struct target_instance *ti, int wait_status)
{
	char line[512];

	target_pump_console(ti);
	if (WIFSIGNALED(wait_status))
		return -1;   /* stopped by the harness, or QEMU crashed */
	if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) {
		/* The kernel always leaves through isa-debug-exit; a plain exit
		 * is QEMU stopping on SIGTERM, or a triple fault (-no-reboot). */
		if (!console_last_line_with(&ti->console, 0, "qemu-system-x86_64: terminating on signal", line,
				       sizeof(line)))
			pr_err("unikernel: the guest reset without reporting a status (triple fault?)");
		return -1;
	}
	int status = qemu_guest_status(wait_status);
	if (status < 0) {
		pr_err("unikernel: QEMU failed (exit %d) before the guest reported a status",
		       WEXITSTATUS(wait_status));
	} else if (status == UK_EXIT_FAULT) {
		pr_err("unikernel: %s took a CPU exception%s%s", ti->wl.name,
		       console_last_line_with(&ti->console, 0, "ZW: FAULT", line, sizeof(line)) ? ": " : "",
		       console_last_line_with(&ti->console, 0, "ZW: FAULT", line, sizeof(line)) ? line + 4 : "");
	} else if (status == UK_EXIT_OOM) {
		pr_err("unikernel: %s ran out of guest memory (give the guest more with --mem)", ti->wl.name);
	} else if (status == UK_EXIT_PANIC) {
		pr_err("unikernel: kernel panic or kernel fault (see the console)");
	} else if (status == UK_EXIT_NOAPP) {
		pr_err("unikernel: the kernel could not start %s%s%s", ti->wl.name,
		       console_last_line_with(&ti->console, 0, "ZW: cannot run", line, sizeof(line)) ? ": " : "",
		       console_last_line_with(&ti->console, 0, "ZW: cannot run", line, sizeof(line)) ? line + 4 : "");
	}
	return status;
}

static void uk_cleanup(struct target_instance *ti)
{
	struct uk_priv *uk = ti->priv;

	if (!uk)
		return;
	if (uk->tap[0])
		lab_link_delete(uk->tap);
	if (uk->qmp[0])
		unlink(uk->qmp);
	free(uk);
	ti->priv = NULL;
}

static void add_file_size(cJSON *obj, const char *key, const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0)
		cJSON_AddNumberToObject(obj, key, (double)st.st_size);
}

static void uk_describe(struct target_instance *ti, cJSON *obj)
{
	struct uk_priv *uk = ti->priv;
	char path[512], qv[128];

	cJSON_AddStringToObject(obj, "kernel", "zerowatt unikernel (unikernel/)");
	uk_path(path, sizeof(path), "");
	add_file_size(obj, "kernel_bytes", path);
	uk_path(path, sizeof(path), ".stripped");
	add_file_size(obj, "kernel_stripped_bytes", path);
	add_file_size(obj, "workload_bytes", ti->wl.path);
	cJSON_AddStringToObject(obj, "kernel_boot", "PVH entry, app ELF as the initrd module");
	cJSON_AddStringToObject(obj, "accelerator", ti->accel);
	if (uk && uk->accel_why[0])
		cJSON_AddStringToObject(obj, "accelerator_reason", uk->accel_why);
	cJSON_AddNumberToObject(obj, "ring", ti->opt.ring3 ? 3 : 0);
	cJSON_AddNumberToObject(obj, "mem_mib", ti->opt.mem_mib);
	cJSON_AddNumberToObject(obj, "vcpus", ti->opt.vcpus);
	if (uk)
		cJSON_AddStringToObject(obj, "kernel_cmdline", uk->cmdline);
	if (qemu_version(qv, sizeof(qv)) == 0)
		cJSON_AddStringToObject(obj, "qemu", qv);
}

/* "ZWSTATS why=nmi uptime_ns=1 timer_irqs=2 ... clock=pit": counters become
 * numbers in obj (rates are taken over them); the rest go in obj.guest. */
static int parse_zwstats(const char *line, cJSON *obj)
{
	static const char *const counters[] = { "timer_irqs", "other_irqs", "wakeups", "hlts",
						"syscalls", "rx_frames", "tx_frames", "rx_dropped",
						"uptime_ns", "halted_ns", NULL };
	cJSON *info = cJSON_CreateObject();
	char buf[1024];
	int found = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *save, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		const char *key = tok, *val = eq + 1;
		char *end;
		double v = strtod(val, &end);
		int is_counter = 0;
		for (int i = 0; counters[i]; i++)
			is_counter |= strcmp(key, counters[i]) == 0;
		if (is_counter && *end == '\0' && end != val) {
			cJSON_AddNumberToObject(obj, key, v);
			found++;
		} else if (*end == '\0' && end != val) {
			cJSON_AddNumberToObject(info, key, v);
		} else {
			cJSON_AddStringToObject(info, key, val);
		}
	}
	cJSON_AddItemToObject(obj, "guest", info);
	return found ? 0 : -EPROTO;
}

static int uk_counters(struct target_instance *ti, cJSON *obj)
{
	struct uk_priv *uk = ti->priv;
	char line[1024];

	if (!uk || !ti->running)
		return -ESRCH;
	target_pump_console(ti);
	size_t mark = ti->console.len;
	int r = qemu_qmp_command(uk->qmp, "inject-nmi", UK_COUNTERS_TIMEOUT_S);
	if (r < 0) {
		pr_err("unikernel: debug request (QMP inject-nmi on %s) failed: %s", uk->qmp,
		       strerror(-r));
		return r;
	}
	double deadline = now_s() + UK_COUNTERS_TIMEOUT_S;
	while (now_s() < deadline && !zw_interrupted) {
		target_pump_console(ti);
		if (console_last_line_with(&ti->console, mark, "ZWSTATS why=", line, sizeof(line)))
			return parse_zwstats(line, obj);
		struct pollfd p = { ti->out_fd, POLLIN, 0 };
		if (ti->out_fd < 0 || poll(&p, 1, 10) < 0)
			sleep_s(0.01);
	}
	pr_err("unikernel: no ZWSTATS line within %.0f s of the debug request", UK_COUNTERS_TIMEOUT_S);
	return zw_interrupted ? -EINTR : -ETIMEDOUT;
}

static const struct target_ops unikernel_ops = {
	.name = "unikernel",
	.summary = "the zerowatt unikernel (unikernel/) under QEMU microvm, app in ring 0",
	.available = uk_available,
	.prepare = uk_prepare,
	.start = uk_start,
	.exit_status = uk_exit_status,
	.cleanup = uk_cleanup,
	.describe = uk_describe,
	.counters = uk_counters,
};
TARGET_REGISTER(unikernel_ops);

/* The same unikernel with the app in ring 3 (SYSRET return, a real privilege
 * boundary), so the lab can measure what removing the boundary buys. Not in
 * "all": name it where it matters (the syscall experiment). */
static int uk_prepare_ring3(struct target_instance *ti)
{
	ti->opt.ring3 = 1;
	return uk_prepare(ti);
}

static const struct target_ops unikernel_ring3_ops = {
	.name = "unikernel-ring3",
	.summary = "the zerowatt unikernel with the app in ring 3 (for boundary-cost comparisons)",
	.explicit_only = 1,
	.available = uk_available,
	.prepare = uk_prepare_ring3,
	.start = uk_start,
	.exit_status = uk_exit_status,
	.cleanup = uk_cleanup,
	.describe = uk_describe,
	.counters = uk_counters,
};
TARGET_REGISTER(unikernel_ring3_ops);
