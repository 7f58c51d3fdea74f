/* zerowatt doctor: one line per capability the lab depends on, with ok /
 * missing / unusable, the reason, and the fix. Everything is detected by
 * trying, never assumed from the host's name. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "doctor.h"
#include "kvmcheck.h"
#include "log.h"
#include "meter.h"
#include "oci.h"
#include "proc.h"
#include "qemu.h"
#include "verb.h"

void doctor_add(struct doctor_report *rep, const char *name, const char *status,
		const char *detail, const char *fix)
{
	if (rep->n >= DOCTOR_MAX_LINES)
		return;
	struct doctor_line *l = &rep->lines[rep->n++];
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->status, sizeof(l->status), "%s", status);
	snprintf(l->detail, sizeof(l->detail), "%s", detail ? detail : "");
	snprintf(l->fix, sizeof(l->fix), "%s", fix ? fix : "");
}

static void check_kvm(struct doctor_report *rep)
{
	const struct kvm_check *c = kvm_timing_check();
	switch (c->verdict) {
	case KVM_ABSENT:
		doctor_add(rep, "kvm", "missing", c->why, "enable VT-x/AMD-V and load kvm_intel/kvm_amd; guests will run under TCG");
		break;
	case KVM_BROKEN:
		doctor_add(rep, "kvm", "unusable", c->why, "check permissions on /dev/kvm; guests will run under TCG");
		break;
	case KVM_SLOW:
		doctor_add(rep, "kvm", "unusable", c->why,
			   "unusable for timing: run on bare metal for KVM figures; guests run under TCG here");
		break;
	case KVM_OK:
		doctor_add(rep, "kvm", "ok", c->why, NULL);
		break;
	}
}

static void check_qemu(struct doctor_report *rep)
{
	char version[256], out[4096];
	if (qemu_version(version, sizeof(version)) < 0) {
		doctor_add(rep, "qemu", "missing", "qemu-system-x86_64 not found", "apt-get install qemu-system-x86");
		doctor_add(rep, "tcg", "missing", "needs QEMU", "apt-get install qemu-system-x86");
		return;
	}
	char *machines[] = { (char *)qemu_binary(), "-M", "help", NULL };
	int has_microvm = proc_run(machines, out, sizeof(out), 10) == 0 && strstr(out, "microvm");
	doctor_add(rep, "qemu", has_microvm ? "ok" : "unusable", version,
		   has_microvm ? NULL : "this QEMU lacks the microvm machine; install Debian's qemu-system-x86");
	char *accels[] = { (char *)qemu_binary(), "-accel", "help", NULL };
	int has_tcg = proc_run(accels, out, sizeof(out), 10) == 0 && strstr(out, "tcg");
	doctor_add(rep, "tcg", has_tcg ? "ok" : "unusable",
		   has_tcg ? "software emulation available (timings are emulated, not native)" : "QEMU lists no tcg accelerator",
		   has_tcg ? NULL : "install Debian's qemu-system-x86");
	char why[256];
	const char *accel = qemu_choose_accel(why, sizeof(why));
	char detail[400];
	snprintf(detail, sizeof(detail), "vm and unikernel targets will use %s", accel);
	doctor_add(rep, "accelerator", "ok", detail, NULL);
}

static void check_oci(struct doctor_report *rep)
{
	char why[1024];
	const char *rt = oci_runtime(why, sizeof(why));
	/* why holds "crun: …; runc: …": one line per runtime. */
	char *save = NULL;
	for (char *part = strtok_r(why, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
		while (*part == ' ')
			part++;
		char name[16];
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(part, ":"), part);
		int ok = strstr(part, "starts containers") != NULL;
		int missing = strstr(part, "not installed") != NULL;
		char detail[400];
		snprintf(detail, sizeof(detail), "%.300s%s", part,
			 rt && strcmp(rt, name) == 0 ? " (chosen for the container target)" : "");
		doctor_add(rep, name, ok ? "ok" : missing ? "missing" : "unusable", detail,
			   ok ? NULL : missing ? "apt-get install runc crun"
					       : "the runtime cannot start containers on this host; the other runtime is used");
	}
	if (!rt)
		doctor_add(rep, "container", "unusable", "no OCI runtime starts containers", "apt-get install runc");
}

static void check_hw_counters(struct doctor_report *rep)
{
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_HARDWARE;
	attr.config = PERF_COUNT_HW_INSTRUCTIONS;
	attr.disabled = 1;
	attr.exclude_kernel = 0;
	int fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd >= 0) {
		close(fd);
		doctor_add(rep, "hw-counters", "ok", "perf_event_open(instructions) works", NULL);
		return;
	}
	char detail[256];
	snprintf(detail, sizeof(detail), "perf_event_open(instructions): %s", strerror(errno));
	doctor_add(rep, "hw-counters", errno == ENOENT || errno == EOPNOTSUPP ? "missing" : "unusable", detail,
		   "no PMU exposed (typical in VMs); counts are unavailable, timings still work");
}

static void check_tool(struct doctor_report *rep, const char *name, const char *pkg, char *const argv[])
{
	char out[512], fix[128];
	int r = proc_run(argv, out, sizeof(out), 10);
	out[strcspn(out, "\n")] = '\0';
	snprintf(fix, sizeof(fix), "apt-get install %s", pkg);
	/* wrk exits 1 after printing its version. */
	if (r < 0 || r == 127)
		doctor_add(rep, name, "missing", "not installed", fix);
	else
		doctor_add(rep, name, "ok", out, NULL);
}

static void check_cgroups(struct doctor_report *rep)
{
	struct statfs st;
	char detail[128];
	if (statfs("/sys/fs/cgroup", &st) < 0) {
		doctor_add(rep, "cgroups", "missing", "/sys/fs/cgroup not mounted", "mount cgroup2 on /sys/fs/cgroup");
		return;
	}
	if (st.f_type == CGROUP2_SUPER_MAGIC) {
		doctor_add(rep, "cgroups", "ok", "v2 (unified)", NULL);
		return;
	}
	struct statfs u;
	int hybrid = statfs("/sys/fs/cgroup/unified", &u) == 0 && u.f_type == CGROUP2_SUPER_MAGIC;
	snprintf(detail, sizeof(detail), "v1%s: accounting uses the v1 cpuacct/memory controllers",
		 hybrid ? " (hybrid, empty v2 at /sys/fs/cgroup/unified)" : "");
	doctor_add(rep, "cgroups", "ok", detail, NULL);
}

static void check_cpu_state(struct doctor_report *rep)
{
	char v[128], detail[256];
	if (meter_read_text("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", v, sizeof(v)) >= 0) {
		int perf = strcmp(v, "performance") == 0;
		snprintf(detail, sizeof(detail), "scaling_governor=%s", v);
		doctor_add(rep, "governor", perf ? "ok" : "warn", detail,
			   perf ? NULL : "for stable timings: cpupower frequency-set -g performance");
	} else {
		doctor_add(rep, "governor", "missing", "no cpufreq (a VM, or frequency fixed by firmware)",
			   "nothing to do; frequency is not under the OS's control here");
	}
	if (meter_read_text("/sys/devices/system/cpu/intel_pstate/no_turbo", v, sizeof(v)) >= 0 ||
	    meter_read_text("/sys/devices/system/cpu/cpufreq/boost", v, sizeof(v)) >= 0)
		doctor_add(rep, "turbo", "ok", v, NULL);
	else
		doctor_add(rep, "turbo", "missing", "no turbo/boost control exposed", "nothing to do");
	if (meter_read_text("/sys/devices/system/cpu/smt/active", v, sizeof(v)) >= 0) {
		snprintf(detail, sizeof(detail), "smt/active=%s", v);
		doctor_add(rep, "smt", "ok", detail, NULL);
	} else {
		doctor_add(rep, "smt", "missing", "no SMT control exposed", "nothing to do");
	}
}

static void check_lab_network(struct doctor_report *rep)
{
	char ns[32], out[1024];
	snprintf(ns, sizeof(ns), "zw-doctor-%d", getpid());
	if (proc_runf(out, sizeof(out), "ip netns add %s", ns) != 0) {
		doctor_add(rep, "netns", "unusable", out, "run as root with iproute2 installed");
		return;
	}
	int tap = proc_runf(out, sizeof(out), "ip -n %s tuntap add dev zwtdoc mode tap", ns);
	proc_runf(NULL, 0, "ip netns del %s", ns);
	doctor_add(rep, "netns", "ok", "network namespaces can be created", NULL);
	doctor_add(rep, "tap", tap == 0 ? "ok" : "unusable", tap == 0 ? "tap devices can be created" : out,
		   tap == 0 ? NULL : "load the tun module (modprobe tun) and run as root");
}

/* Energy lines come from the meters, which know their own sources. */
void doctor_energy(struct doctor_report *rep) __attribute__((weak));
void doctor_energy(struct doctor_report *rep)
{
	doctor_add(rep, "energy", "unusable", "no energy meter compiled in", NULL);
}

void doctor_collect(struct doctor_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	check_kvm(rep);
	check_qemu(rep);
	check_oci(rep);
	check_lab_network(rep);
	doctor_energy(rep);
	check_hw_counters(rep);
	char *wrk[] = { "wrk", "--version", NULL };
	char *gnuplot[] = { "gnuplot", "--version", NULL };
	check_tool(rep, "wrk", "wrk", wrk);
	check_tool(rep, "gnuplot", "gnuplot-nox", gnuplot);
	check_cgroups(rep);
	check_cpu_state(rep);
}

cJSON *doctor_json(const struct doctor_report *rep)
{
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; i < rep->n; i++) {
		const struct doctor_line *l = &rep->lines[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", l->name);
		cJSON_AddStringToObject(o, "status", l->status);
		cJSON_AddStringToObject(o, "detail", l->detail);
		if (l->fix[0])
			cJSON_AddStringToObject(o, "fix", l->fix);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static int doctor_run(int argc, char **argv)
{
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			die_usage("doctor: unknown option '%s' (zerowatt doctor --help)", argv[i]);
	}
	if (geteuid() != 0)
		pr_warn("not root: KVM, namespaces, taps and RAPL checks may fail for that reason alone");
	struct doctor_report rep;
	doctor_collect(&rep);
	if (json) {
		cJSON *a = doctor_json(&rep);
		char *s = cJSON_Print(a);
		printf("%s\n", s);
		free(s);
		cJSON_Delete(a);
		return 0;
	}
	for (int i = 0; i < rep.n; i++) {
		const struct doctor_line *l = &rep.lines[i];
		printf("%-14s %-9s %s\n", l->name, l->status, l->detail);
		if (l->fix[0])
			printf("%-14s %-9s fix: %s\n", "", "", l->fix);
	}
	return 0;
}

static const struct verb doctor_verb = {
	.name = "doctor",
	.summary = "what this host can measure: KVM, QEMU/TCG, OCI runtimes, energy, counters, tools",
	.usage = "doctor [--json]\n  one line per capability: ok / missing / unusable, the reason and the fix",
	.run = doctor_run,
};
VERB_REGISTER(doctor_verb);
