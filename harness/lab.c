#include "lab.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "target.h"

#define NETNS_DIR "/run/netns"
#define NETNS_PREFIX "zw-"

static struct lab *current_lab;

static int run_ip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run_ip(const char *fmt, ...)
{
	char args[512], out[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	int r = proc_runf(out, sizeof(out), "ip %s", args);
	if (r != 0) {
		char *nl = strchr(out, '\n');
		if (nl)
			*nl = '\0';
		pr_debug("ip %s: %s", args, out);
		return r < 0 ? r : -EIO;
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static void remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A pid's start time, so a recycled pid is not mistaken for the owner. */
static unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	unsigned long long start = 0;
	/* field 22 is starttime; after ") " come fields 3.. */
	int field = 2;
	for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " "))
		if (++field == 22) {
			start = strtoull(tok, NULL, 10);
			break;
		}
	return start;
}

static int owner_alive(pid_t pid)
{
	if (!proc_alive(pid))
		return 0;
	char path[128];
	snprintf(path, sizeof(path), LAB_STATE_ROOT "/%d/owner", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 1; /* no record: a run still starting up; leave it alone */
	unsigned long long recorded = 0;
	int ok = fscanf(f, "%llu", &recorded) == 1;
	fclose(f);
	return ok && recorded == proc_start_time(pid);
}

static void kill_netns_processes(const char *netns)
{
	char out[8192];
	if (proc_runf(out, sizeof(out), "ip netns pids %s", netns) != 0)
		return;
	for (char *tok = strtok(out, "\n"); tok; tok = strtok(NULL, "\n")) {
		pid_t pid = atoi(tok);
		if (pid > 1 && pid != getpid())
			kill(pid, SIGKILL);
	}
}

static void delete_containers(const char *runtime, const char *runc_root)
{
	char out[8192];
	struct stat st;
	if (stat(runc_root, &st) < 0)
		return;
	if (proc_runf(out, sizeof(out), "%s --root %s list -q", runtime, runc_root) != 0)
		return;
	for (char *tok = strtok(out, "\n"); tok; tok = strtok(NULL, "\n")) {
		char ignored[512];
		proc_runf(ignored, sizeof(ignored), "%s --root %s kill %s KILL", runtime, runc_root, tok);
		proc_runf(ignored, sizeof(ignored), "%s --root %s delete -f %s", runtime, runc_root, tok);
	}
}

/* cgroups the runtime made for containers named zw-<pid>-…: a runtime
 * killed mid-create leaves them; their processes are killed first. */
static void remove_cgroups(pid_t pid)
{
	char pattern[128];
	snprintf(pattern, sizeof(pattern), "/sys/fs/cgroup/*/zw-%d-*", pid);
	const char *patterns[] = { pattern, NULL };
	char v2[128];
	snprintf(v2, sizeof(v2), "/sys/fs/cgroup/zw-%d-*", pid);
	patterns[1] = v2;
	for (int p = 0; p < 2; p++) {
		glob_t g;
		if (glob(patterns[p], GLOB_ONLYDIR, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++) {
			char procs[512];
			snprintf(procs, sizeof(procs), "%s/cgroup.procs", g.gl_pathv[i]);
			FILE *f = fopen(procs, "r");
			int victim;
			while (f && fscanf(f, "%d", &victim) == 1)
				kill(victim, SIGKILL);
			if (f)
				fclose(f);
			for (int tries = 0; tries < 50 && rmdir(g.gl_pathv[i]) < 0 && errno == EBUSY; tries++)
				usleep(10000);
		}
		globfree(&g);
	}
}

static void remove_run_state(pid_t pid)
{
	char netns[32], dir[128], runc_root[160];
	snprintf(netns, sizeof(netns), NETNS_PREFIX "%d", pid);
	snprintf(dir, sizeof(dir), LAB_STATE_ROOT "/%d", pid);
	snprintf(runc_root, sizeof(runc_root), "%s/runc", dir);
	delete_containers("runc", runc_root);
	snprintf(runc_root, sizeof(runc_root), "%s/crun", dir);
	delete_containers("crun", runc_root);
	remove_cgroups(pid);
	char path[64];
	snprintf(path, sizeof(path), NETNS_DIR "/%s", netns);
	if (access(path, F_OK) == 0) {
		kill_netns_processes(netns);
		run_ip("netns del %s", netns);
	}
	remove_tree(dir);
}

static int collect_pids(const char *dir, const char *prefix, pid_t *out, int n, int max)
{
	DIR *d = opendir(dir);
	if (!d)
		return n;
	struct dirent *e;
	size_t plen = strlen(prefix);
	while ((e = readdir(d)) && n < max) {
		if (strncmp(e->d_name, prefix, plen) != 0)
			continue;
		char *end;
		long pid = strtol(e->d_name + plen, &end, 10);
		if (*end || pid <= 0)
			continue;
		out[n++] = (pid_t)pid;
	}
	closedir(d);
	return n;
}

int lab_cleanup_stale(void)
{
	pid_t pids[512];
	int n = collect_pids(NETNS_DIR, NETNS_PREFIX, pids, 0, 256);
	n = collect_pids(LAB_STATE_ROOT, "", pids, n, 512);
	int stale = 0;
	for (int i = 0; i < n; i++) {
		int seen = 0;
		for (int j = 0; j < i; j++)
			seen |= pids[j] == pids[i];
		if (seen || pids[i] == getpid() || owner_alive(pids[i]))
			continue;
		pr_warn("removing state left by an interrupted run (pid %d)", pids[i]);
		remove_run_state(pids[i]);
		stale++;
	}
	return stale;
}

const char *lab_runc_root(void)
{
	static char root[192];
	if (!current_lab)
		return NULL;
	snprintf(root, sizeof(root), "%s/runc", current_lab->state_dir);
	return root;
}

static int write_owner_record(struct lab *lab)
{
	char path[192];
	snprintf(path, sizeof(path), "%s/owner", lab->state_dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "%llu\n", proc_start_time(lab->owner));
	return fclose(f) == 0 ? 0 : -errno;
}

int lab_open(struct lab *lab)
{
	memset(lab, 0, sizeof(*lab));
	lab->root_netns_fd = -1;
	lab->owner = getpid();
	if (geteuid() != 0) {
		pr_err("the lab needs root to create its network namespace; run as root");
		return -EPERM;
	}
	lab_cleanup_stale();
	mkdir(LAB_STATE_ROOT, 0755);
	snprintf(lab->state_dir, sizeof(lab->state_dir), LAB_STATE_ROOT "/%d", lab->owner);
	if (mkdir(lab->state_dir, 0755) < 0 && errno != EEXIST) {
		int err = -errno;
		pr_err("cannot create %s: %s", lab->state_dir, strerror(errno));
		return err;
	}
	int r = write_owner_record(lab);
	if (r < 0)
		return r;
	snprintf(lab->netns, sizeof(lab->netns), NETNS_PREFIX "%d", lab->owner);
	if (run_ip("netns add %s", lab->netns) != 0) {
		pr_err("cannot create network namespace %s (is iproute2 installed?)", lab->netns);
		remove_tree(lab->state_dir);
		return -EIO;
	}
	current_lab = lab;
	lab->root_netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	char path[64];
	snprintf(path, sizeof(path), NETNS_DIR "/%s", lab->netns);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		pr_err("cannot enter network namespace %s: %s", lab->netns, strerror(errno));
		if (fd >= 0)
			close(fd);
		lab_close(lab);
		return -EIO;
	}
	close(fd);
	lab->entered = 1;
	/* No IPv6 in the lab: the lab addresses are IPv4, and router/multicast
	 * chatter on the taps would wake idle guests and skew idle figures.
	 * These files are the current (lab) namespace's. */
	static const char *const v6[] = { "/proc/sys/net/ipv6/conf/default/disable_ipv6",
					  "/proc/sys/net/ipv6/conf/all/disable_ipv6" };
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		FILE *f = fopen(v6[i], "w");
		if (f) {
			fputs("1\n", f);
			fclose(f);
		}
	}
	if (run_ip("link set lo up") != 0) {
		pr_err("cannot bring up loopback in %s", lab->netns);
		lab_close(lab);
		return -EIO;
	}
	pr_debug("lab namespace %s ready", lab->netns);
	return 0;
}

void lab_close(struct lab *lab)
{
	for (int i = 0; i < LAB_MAX_SLOTS; i++) {
		struct target_instance *ti = lab->live[i];
		if (!ti)
			continue;
		target_stop(ti);
		target_cleanup(ti);
	}
	if (lab->entered && lab->root_netns_fd >= 0)
		setns(lab->root_netns_fd, CLONE_NEWNET);
	lab->entered = 0;
	if (lab->root_netns_fd >= 0)
		close(lab->root_netns_fd);
	lab->root_netns_fd = -1;
	if (lab->owner)
		remove_run_state(lab->owner);
	if (current_lab == lab)
		current_lab = NULL;
}

int lab_slot_alloc(struct lab *lab)
{
	/* Slot 0 is avoided so addresses never end in .0.x. */
	for (int s = 1; s < LAB_MAX_SLOTS; s++)
		if (!lab->slot_used[s]) {
			lab->slot_used[s] = 1;
			return s;
		}
	return -ENOSPC;
}

void lab_slot_free(struct lab *lab, int slot)
{
	if (slot > 0 && slot < LAB_MAX_SLOTS)
		lab->slot_used[slot] = 0;
}

void lab_slot_host_addr(int slot, char out[16])
{
	snprintf(out, 16, "10.201.%d.1", slot);
}

void lab_slot_guest_addr(int slot, char out[16])
{
	snprintf(out, 16, "10.201.%d.2", slot);
}

int lab_tap_create(struct lab *lab, int slot, char name[16])
{
	char host[16];
	if (!lab->entered)
		return -ENOTCONN;
	snprintf(name, 16, "zwt%d", slot);
	lab_slot_host_addr(slot, host);
	run_ip("link del %s", name); /* a leftover of an earlier instance in this slot */
	if (run_ip("tuntap add dev %s mode tap", name) != 0 ||
	    run_ip("addr add %s/24 dev %s", host, name) != 0 ||
	    run_ip("link set %s up", name) != 0) {
		pr_err("cannot create tap %s in %s (is /dev/net/tun available?)", name, lab->netns);
		run_ip("link del %s", name);
		return -EIO;
	}
	return 0;
}

int lab_link_delete(const char *name)
{
	return run_ip("link del %s", name);
}

void lab_register_live(struct lab *lab, struct target_instance *ti)
{
	if (ti->slot > 0 && ti->slot < LAB_MAX_SLOTS)
		lab->live[ti->slot] = ti;
}

void lab_unregister_live(struct lab *lab, struct target_instance *ti)
{
	if (ti->slot > 0 && ti->slot < LAB_MAX_SLOTS && lab->live[ti->slot] == ti)
		lab->live[ti->slot] = NULL;
}
