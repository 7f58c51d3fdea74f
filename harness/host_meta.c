/* Facts about the host recorded with every run, so a number can always be
 * traced to the machine and software state that produced it. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "meter.h"
#include "proc.h"
#include "results.h"
#include "target.h"

static void add_file(cJSON *obj, const char *key, const char *path)
{
	char buf[4096];
	if (meter_read_text(path, buf, sizeof(buf)) >= 0)
		cJSON_AddStringToObject(obj, key, buf);
	else
		cJSON_AddStringToObject(obj, key, "unavailable");
}

static void cpuinfo_field(const char *field, char *out, size_t cap)
{
	out[0] = '\0';
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[1024];
	size_t flen = strlen(field);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, flen) != 0)
			continue;
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		snprintf(out, cap, "%s", colon + 2);
		out[strcspn(out, "\n")] = '\0';
		break;
	}
	fclose(f);
}

static void command_version(cJSON *obj, const char *key, const char *cmd)
{
	char out[512];
	char copy[128];
	snprintf(copy, sizeof(copy), "%s", cmd);
	char *argv[8];
	int argc = 0;
	for (char *t = strtok(copy, " "); t && argc < 7; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	int r = proc_run(argv, out, sizeof(out), 10.0);
	if (r < 0 || r == 127) {
		cJSON_AddStringToObject(obj, key, "not installed");
		return;
	}
	/* wrk prints its version on stderr with a non-zero status; take line 1. */
	out[strcspn(out, "\n")] = '\0';
	cJSON_AddStringToObject(obj, key, out);
}

static void add_mitigations(cJSON *meta)
{
	cJSON *m = cJSON_AddObjectToObject(meta, "mitigations");
	glob_t g;
	if (glob("/sys/devices/system/cpu/vulnerabilities/*", 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		add_file(m, strrchr(g.gl_pathv[i], '/') + 1, g.gl_pathv[i]);
	globfree(&g);
}

static void add_git(cJSON *meta)
{
	char repo[1100], out[256];
	snprintf(repo, sizeof(repo), "%s/..", zw_build_dir());
	char *rev[] = { "git", "-C", repo, "rev-parse", "HEAD", NULL };
	if (proc_run(rev, out, sizeof(out), 10.0) == 0) {
		out[strcspn(out, "\n")] = '\0';
		cJSON_AddStringToObject(meta, "git_commit", out);
		char *st[] = { "git", "-C", repo, "status", "--porcelain", "--untracked-files=no", NULL };
		char status[4096];
		if (proc_run(st, status, sizeof(status), 10.0) == 0)
			cJSON_AddBoolToObject(meta, "git_dirty", status[0] != '\0');
	} else {
		cJSON_AddStringToObject(meta, "git_commit", "unavailable");
	}
}

void host_meta_fill(cJSON *meta)
{
	struct utsname u;
	uname(&u);
	char buf[1024];
	cJSON_AddStringToObject(meta, "host", u.nodename);
	cJSON_AddStringToObject(meta, "kernel", u.release);
	cJSON_AddStringToObject(meta, "kernel_version", u.version);
	cJSON_AddStringToObject(meta, "arch", u.machine);
	add_file(meta, "kernel_cmdline", "/proc/cmdline");
	cpuinfo_field("model name", buf, sizeof(buf));
	cJSON_AddStringToObject(meta, "cpu_model", buf[0] ? buf : "unavailable");
	cpuinfo_field("microcode", buf, sizeof(buf));
	cJSON_AddStringToObject(meta, "microcode", buf[0] ? buf : "unavailable");
	cpuinfo_field("flags", buf, sizeof(buf));
	cJSON_AddBoolToObject(meta, "cpu_hypervisor_flag", strstr(buf, " hypervisor") != NULL);
	cJSON_AddNumberToObject(meta, "cpus_online", (double)sysconf(_SC_NPROCESSORS_ONLN));
	cJSON_AddNumberToObject(meta, "mem_total_bytes",
				(double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE));
	add_file(meta, "smt_active", "/sys/devices/system/cpu/smt/active");
	add_mitigations(meta);
	cJSON *tools = cJSON_AddObjectToObject(meta, "tools");
	command_version(tools, "qemu", "qemu-system-x86_64 --version");
	command_version(tools, "runc", "runc --version");
	command_version(tools, "crun", "crun --version");
	command_version(tools, "wrk", "wrk --version");
	command_version(tools, "gnuplot", "gnuplot --version");
	command_version(tools, "gcc", "gcc --version");
	add_git(meta);
}

void host_state_snapshot(cJSON *obj)
{
	char buf[256];
	add_file(obj, "governor", "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
	/* intel_pstate says no_turbo; acpi-cpufreq and amd-pstate say boost. */
	if (meter_read_text("/sys/devices/system/cpu/intel_pstate/no_turbo", buf, sizeof(buf)) >= 0)
		cJSON_AddStringToObject(obj, "turbo", strcmp(buf, "0") == 0 ? "on" : "off");
	else if (meter_read_text("/sys/devices/system/cpu/cpufreq/boost", buf, sizeof(buf)) >= 0)
		cJSON_AddStringToObject(obj, "turbo", strcmp(buf, "1") == 0 ? "on" : "off");
	else
		cJSON_AddStringToObject(obj, "turbo", "unavailable");
	glob_t g;
	long throttles = -1;
	if (glob("/sys/devices/system/cpu/cpu*/thermal_throttle/*_throttle_count", 0, NULL, &g) == 0) {
		throttles = 0;
		for (size_t i = 0; i < g.gl_pathc; i++)
			if (meter_read_text(g.gl_pathv[i], buf, sizeof(buf)) >= 0)
				throttles += atol(buf);
		globfree(&g);
	}
	if (throttles >= 0)
		cJSON_AddNumberToObject(obj, "thermal_throttle_count", (double)throttles);
	else
		cJSON_AddStringToObject(obj, "thermal_throttle_count", "unavailable");
	FILE *f = fopen("/proc/meminfo", "r");
	long swap_total = -1, swap_free = -1, mem_avail = -1;
	if (f) {
		char line[256];
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "SwapTotal: %ld kB", &swap_total);
			sscanf(line, "SwapFree: %ld kB", &swap_free);
			sscanf(line, "MemAvailable: %ld kB", &mem_avail);
		}
		fclose(f);
	}
	if (swap_total >= 0 && swap_free >= 0)
		cJSON_AddNumberToObject(obj, "swap_used_bytes", (double)(swap_total - swap_free) * 1024);
	if (mem_avail >= 0)
		cJSON_AddNumberToObject(obj, "mem_available_bytes", (double)mem_avail * 1024);
	double load[3];
	if (getloadavg(load, 3) == 3)
		cJSON_AddNumberToObject(obj, "loadavg_1m", load[0]);
}
