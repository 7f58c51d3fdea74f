/* Per-target accounting: what an instance costs the host in CPU time,
 * wakeups and memory, and its share of the host's energy.
 *
 *   struct account_env env;  account_env_default(&env);  // ZW_PROC_ROOT, ZW_SYSFS_ROOT
 *   pid_t pids[64]; int n = target_pids(ti, pids, 64);
 *   struct account_snap a, b;  struct account_delta d;
 *   account_snapshot(&env, pids, n, &a); ... account_snapshot(&env, pids, n, &b);
 *   account_delta(&a, &b, &d);          // CPU s, wakeups, RSS, share of host CPU
 *   energy_attribute(host_j, meter.method, idle_w, METHOD_MEASURED, d.interval_s,
 *                    d.cpu_share, &e);  // Kepler-style split
 *
 * CPU time comes from the instance's own cgroup when it has one (runc puts a
 * container in one; cgroup v1 cpuacct or v2 cpu.stat, detected), else from
 * the process tree under the given pids (/proc/<pid>/stat utime+stime, plus
 * cutime+cstime so children reaped inside the tree stay counted). For QEMU
 * the user time includes the guest's time. Wakeups are voluntary plus
 * involuntary context switches of every thread (/proc/<pid>/task/<tid>/status);
 * memory is VmRSS and VmHWM summed over the processes (the sum of per-process
 * peaks bounds the tree's true peak from above). /proc CPU times are whole
 * ticks (1/USER_HZ, 10 ms) per process; cgroup counters are nanoseconds. */
#ifndef ZW_ACCOUNT_H
#define ZW_ACCOUNT_H
#include <stddef.h>
#include <sys/types.h>

#define ACCOUNT_MAX_PROCS 512

struct account_env {
	char proc_root[256];        /* "/proc" unless ZW_PROC_ROOT */
	char cgroup_root[256];      /* "<sysfs>/fs/cgroup" */
	long clk_tck;               /* USER_HZ for /proc tick counts */
};

struct account_proc {
	pid_t pid;
	unsigned long long start;   /* starttime: tells a reused pid apart */
	unsigned long long vol_cs, invol_cs;  /* summed over its threads */
};

struct account_snap {
	double t_s;                 /* CLOCK_MONOTONIC */
	char source[64];            /* "proc-tree", "cgroup-v1:/zw-1-2[+tree]", "cgroup-v2:/x" */
	int nprocs;
	struct account_proc procs[ACCOUNT_MAX_PROCS];
	int truncated;              /* more processes than ACCOUNT_MAX_PROCS */
	double cpu_s;               /* cumulative CPU seconds of the instance */
	unsigned long long vol_cs, invol_cs;
	unsigned long long rss_kb, hwm_kb;
	long long cg_mem_bytes;     /* cgroup memory usage incl. page cache; -1 n/a */
	long long cg_mem_peak_bytes;
	double host_busy_s, host_total_s; /* all CPUs, from /proc/stat */
};

struct account_delta {
	double interval_s;
	double cpu_s;
	double host_busy_s, host_total_s;
	double cpu_share;           /* cpu_s / host_busy_s, NaN if the host did nothing */
	double host_util;           /* host_busy_s / host_total_s */
	unsigned long long vol_cs, invol_cs, wakeups;
	double wakeups_per_s;
	unsigned long long rss_kb, hwm_kb;   /* at the second snapshot */
	int gone;                   /* processes that ended between the snapshots: their
	                               CPU time stays counted only if a process of the
	                               set reaped them (always, with a cgroup) */
	char source[64];
};

void account_env_default(struct account_env *env);

/* The process tree under pids; when some of it sits in a cgroup other than
 * the harness's own (a container), that cgroup's counters are used for it
 * and /proc for the rest of the tree (source "cgroup-v1:/x+tree"); else
 * the tree alone ("proc-tree"). 0 or -errno. */
int account_snapshot(const struct account_env *env, const pid_t *pids, int n,
		     struct account_snap *out);
int account_snapshot_tree(const struct account_env *env, const pid_t *pids, int n,
			  struct account_snap *out);
/* path is the cgroup path as in /proc/<pid>/cgroup ("/zw-123-1"); version 1
 * (cpuacct and memory hierarchies), 2 (unified), or 0 to detect. */
int account_snapshot_cgroup(const struct account_env *env, const char *path, int version,
			    struct account_snap *out);
/* The cgroup of pid for CPU accounting: *version 1 (cpuacct) or 2. */
int account_cgroup_of(const struct account_env *env, pid_t pid, char *path, size_t len,
		      int *version);
/* Descendants of the roots (roots included), deduplicated. Returns the count. */
int account_tree(const struct account_env *env, const pid_t *roots, int n, pid_t *out, int max);

int account_delta(const struct account_snap *a, const struct account_snap *b,
		  struct account_delta *d);

/* Kepler-style attribution over one interval:
 *   idle_j          = idle_w * interval         (the host's floor, reported apart)
 *   active_j        = host_j - idle_j           (clamped at 0, flagged)
 *   target_active_j = active_j * cpu_share
 *   target_idle_j   = idle_j * cpu_share        (for those who charge idle too)
 * method is the weakest of the inputs' methods: estimated if either the host
 * energy or the baseline was estimated; NaN and unavailable if either is
 * unavailable. */
struct energy_share {
	double host_j, idle_j, active_j;
	double target_active_j, target_idle_j;
	double cpu_share;
	int below_baseline;         /* host used less than its idle baseline */
	char method[12];
};
int energy_attribute(double host_j, const char *host_method, double idle_w,
		     const char *idle_method, double interval_s, double cpu_share,
		     struct energy_share *out);

#endif
