/* Per-target accounting from procfs and cgroupfs, with both roots
 * configurable so tests run on fake trees. */
#include "account.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "results.h"

void account_env_default(struct account_env *env)
{
	const char *proc = getenv("ZW_PROC_ROOT"), *sys = getenv("ZW_SYSFS_ROOT");

	memset(env, 0, sizeof(*env));
	snprintf(env->proc_root, sizeof(env->proc_root), "%s", proc && *proc ? proc : "/proc");
	snprintf(env->cgroup_root, sizeof(env->cgroup_root), "%s/fs/cgroup",
		 sys && *sys ? sys : "/sys");
	env->clk_tck = sysconf(_SC_CLK_TCK);
	if (env->clk_tck <= 0)
		env->clk_tck = 100;
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (int)n;
}

/* /proc/<pid>/stat: the command may contain spaces and parentheses, so
 * fields are counted from the last ')'. */
static int read_pid_stat(const struct account_env *env, pid_t pid, pid_t *ppid,
			 unsigned long long *ticks, unsigned long long *start)
{
	char path[320], buf[1024], *p;
	unsigned long long f[20];
	int k;

	snprintf(path, sizeof(path), "%s/%d/stat", env->proc_root, (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return -ESRCH;
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
	 * utime stime cutime cstime priority nice threads itrealvalue starttime */
	k = sscanf(p + 1, " %*c %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
		   "%llu %llu %llu %llu %llu %llu %llu",
		   &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9], &f[10],
		   &f[11], &f[12], &f[13], &f[14], &f[15], &f[16], &f[17], &f[18]);
	if (k < 19)
		return -EINVAL;
	if (ppid)
		*ppid = (pid_t)f[0];
	if (ticks)
		*ticks = f[10] + f[11] + f[12] + f[13];
	if (start)
		*start = f[18];
	return 0;
}

static unsigned long long status_field(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);
	if (!p)
		return 0;
	p += strlen(key);
	while (*p == ' ' || *p == '\t' || *p == ':')
		p++;
	return strtoull(p, NULL, 10);
}

/* Context switches summed over the process's threads. */
static void read_switches(const struct account_env *env, pid_t pid, unsigned long long *vol,
			  unsigned long long *invol)
{
	char path[320], buf[4096];
	struct dirent *de;
	DIR *d;

	*vol = *invol = 0;
	snprintf(path, sizeof(path), "%s/%d/task", env->proc_root, (int)pid);
	d = opendir(path);
	if (d) {
		int threads = 0;
		while ((de = readdir(d))) {
			char tpath[600];
			if (!isdigit((unsigned char)de->d_name[0]))
				continue;
			snprintf(tpath, sizeof(tpath), "%s/%s/status", path, de->d_name);
			if (read_small(tpath, buf, sizeof(buf)) <= 0)
				continue;
			*vol += status_field(buf, "\nvoluntary_ctxt_switches");
			*invol += status_field(buf, "\nnonvoluntary_ctxt_switches");
			threads++;
		}
		closedir(d);
		if (threads)
			return;
	}
	snprintf(path, sizeof(path), "%s/%d/status", env->proc_root, (int)pid);
	if (read_small(path, buf, sizeof(buf)) > 0) {
		*vol = status_field(buf, "\nvoluntary_ctxt_switches");
		*invol = status_field(buf, "\nnonvoluntary_ctxt_switches");
	}
}

static void read_memory(const struct account_env *env, pid_t pid, unsigned long long *rss,
			unsigned long long *hwm)
{
	char path[320], buf[4096];

	*rss = *hwm = 0;
	snprintf(path, sizeof(path), "%s/%d/status", env->proc_root, (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return;
	*rss = status_field(buf, "\nVmRSS");
	*hwm = status_field(buf, "\nVmHWM");
}

static int host_cpu(const struct account_env *env, double *busy_s, double *total_s)
{
	char path[320], buf[512];
	unsigned long long v[8] = { 0 };

	snprintf(path, sizeof(path), "%s/stat", env->proc_root);
	if (read_small(path, buf, sizeof(buf)) <= 0 || strncmp(buf, "cpu ", 4))
		return -EINVAL;
	if (sscanf(buf + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) < 4)
		return -EINVAL;
	/* user (guest included) nice system irq softirq; idle iowait steal */
	*busy_s = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / env->clk_tck;
	*total_s = *busy_s + (double)(v[3] + v[4] + v[7]) / env->clk_tck;
	return 0;
}

static int contains(const pid_t *set, int n, pid_t pid)
{
	for (int i = 0; i < n; i++)
		if (set[i] == pid)
			return 1;
	return 0;
}

/* Children of pid from /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN).
 * Returns -ENOENT when the kernel has no such files. */
static int children_files(const struct account_env *env, pid_t pid, pid_t *out, int *n, int max)
{
	char path[320], buf[4096];
	struct dirent *de;
	DIR *d;
	int seen = 0;

	snprintf(path, sizeof(path), "%s/%d/task", env->proc_root, (int)pid);
	d = opendir(path);
	if (!d)
		return -ESRCH;
	while ((de = readdir(d))) {
		char cpath[600], *p, *end;
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(cpath, sizeof(cpath), "%s/%s/children", path, de->d_name);
		if (read_small(cpath, buf, sizeof(buf)) < 0)
			continue;
		seen = 1;
		for (p = buf;; p = end) {
			long c = strtol(p, &end, 10);
			if (end == p)
				break;
			if (c > 0 && *n < max && !contains(out, *n, (pid_t)c))
				out[(*n)++] = (pid_t)c;
		}
	}
	closedir(d);
	return seen ? 0 : -ENOENT;
}

/* Fallback: one pass over /proc collecting (pid, ppid), then a BFS. */
static int tree_by_scan(const struct account_env *env, pid_t *out, int n, int max)
{
	struct { pid_t pid, ppid; } *all = NULL;
	size_t nall = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(env->proc_root);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		pid_t pid, ppid;
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (read_pid_stat(env, pid, &ppid, NULL, NULL))
			continue;
		if (nall == cap) {
			void *p;
			cap = cap ? cap * 2 : 512;
			p = realloc(all, cap * sizeof(*all));
			if (!p) {
				free(all);
				closedir(d);
				return -ENOMEM;
			}
			all = p;
		}
		all[nall].pid = pid;
		all[nall].ppid = ppid;
		nall++;
	}
	closedir(d);
	for (int i = 0; i < n; i++)   /* n grows as children are appended */
		for (size_t j = 0; j < nall && n < max; j++)
			if (all[j].ppid == out[i] && !contains(out, n, all[j].pid))
				out[n++] = all[j].pid;
	free(all);
	return n;
}

int account_tree(const struct account_env *env, const pid_t *roots, int nroots, pid_t *out,
		 int max)
{
	int n = 0, use_scan = 0;

	for (int i = 0; i < nroots && n < max; i++)
		if (roots[i] > 0 && !contains(out, n, roots[i]))
			out[n++] = roots[i];
	for (int i = 0; i < n; i++) {
		int rc = children_files(env, out[i], out, &n, max);
		if (rc == -ENOENT) {
			use_scan = 1;
			break;
		}
	}
	if (use_scan) {
		n = 0;
		for (int i = 0; i < nroots && n < max; i++)
			if (roots[i] > 0 && !contains(out, n, roots[i]))
				out[n++] = roots[i];
		return tree_by_scan(env, out, n, max);
	}
	return n;
}

static void snap_init(struct account_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->t_s = mono_now();
	s->cg_mem_bytes = -1;
	s->cg_mem_peak_bytes = -1;
}

/* Switches and memory of each process; CPU too unless a cgroup gives it. */
static void snap_procs(const struct account_env *env, const pid_t *pids, int n,
		       struct account_snap *s, int want_cpu)
{
	unsigned long long ticks_sum = 0;

	for (int i = 0; i < n; i++) {
		unsigned long long ticks, start, rss, hwm;
		struct account_proc *p;

		if (read_pid_stat(env, pids[i], NULL, &ticks, &start))
			continue;   /* ended while we looked */
		if (s->nprocs == ACCOUNT_MAX_PROCS) {
			s->truncated = 1;
			break;
		}
		p = &s->procs[s->nprocs++];
		p->pid = pids[i];
		p->start = start;
		read_switches(env, pids[i], &p->vol_cs, &p->invol_cs);
		read_memory(env, pids[i], &rss, &hwm);
		s->vol_cs += p->vol_cs;
		s->invol_cs += p->invol_cs;
		s->rss_kb += rss;
		s->hwm_kb += hwm;
		ticks_sum += ticks;
	}
	if (want_cpu)
		s->cpu_s += (double)ticks_sum / env->clk_tck;
}

int account_snapshot_tree(const struct account_env *env, const pid_t *pids, int n,
			  struct account_snap *out)
{
	pid_t tree[ACCOUNT_MAX_PROCS];
	int rc, nt;

	snap_init(out);
	snprintf(out->source, sizeof(out->source), "proc-tree");
	nt = account_tree(env, pids, n, tree, ACCOUNT_MAX_PROCS);
	if (nt < 0)
		return nt;
	if (nt == ACCOUNT_MAX_PROCS)
		out->truncated = 1;
	rc = host_cpu(env, &out->host_busy_s, &out->host_total_s);
	if (rc)
		return rc;
	snap_procs(env, tree, nt, out, 1);
	if (!out->nprocs)
		return -ESRCH;
	return 0;
}

static int dir_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int read_ll(const char *path, long long *v)
{
	char buf[64], *end;
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return -ENOENT;
	*v = strtoll(buf, &end, 10);
	return end == buf ? -EINVAL : 0;
}

static int read_procs_file(const char *path, pid_t *out, int max)
{
	FILE *f = fopen(path, "re");
	int n = 0;
	long v;

	if (!f)
		return -errno;
	while (n < max && fscanf(f, "%ld", &v) == 1)
		out[n++] = (pid_t)v;
	fclose(f);
	return n;
}

/* The v1 CPU accounting hierarchy: "cpuacct", or co-mounted with cpu. */
static int v1_cpu_dir(const struct account_env *env, const char *path, char *dir, size_t len)
{
	static const char *const names[] = { "cpuacct", "cpu,cpuacct", "cpuacct,cpu" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(dir, len, "%s/%s%s", env->cgroup_root, names[i], path);
		if (dir_exists(dir))
			return 0;
	}
	return -ENOENT;
}

static int v2_dir(const struct account_env *env, const char *path, char *dir, size_t len)
{
	char probe[700];

	/* Pure v2 mounts at the root; hybrid hosts at unified/. */
	snprintf(dir, len, "%s%s", env->cgroup_root, path);
	snprintf(probe, sizeof(probe), "%s/cpu.stat", dir);
	if (access(probe, R_OK) == 0)
		return 0;
	snprintf(dir, len, "%s/unified%s", env->cgroup_root, path);
	snprintf(probe, sizeof(probe), "%s/cpu.stat", dir);
	return access(probe, R_OK) == 0 ? 0 : -ENOENT;
}

int account_snapshot_cgroup(const struct account_env *env, const char *path, int version,
			    struct account_snap *out)
{
	char dir[600], file[700];
	pid_t procs[ACCOUNT_MAX_PROCS];
	long long v;
	int np, rc;

	snap_init(out);
	if (!path || path[0] != '/')
		return -EINVAL;
	if (version == 0)
		version = v1_cpu_dir(env, path, dir, sizeof(dir)) == 0 ? 1 : 2;

	if (version == 1) {
		if (v1_cpu_dir(env, path, dir, sizeof(dir)))
			return -ENOENT;
		snprintf(file, sizeof(file), "%s/cpuacct.usage", dir);
		if (read_ll(file, &v))
			return -ENOENT;
		out->cpu_s = (double)v * 1e-9;
		snprintf(file, sizeof(file), "%s/memory%s/memory.usage_in_bytes", env->cgroup_root,
			 path);
		if (read_ll(file, &v) == 0)
			out->cg_mem_bytes = v;
		snprintf(file, sizeof(file), "%s/memory%s/memory.max_usage_in_bytes",
			 env->cgroup_root, path);
		if (read_ll(file, &v) == 0)
			out->cg_mem_peak_bytes = v;
	} else {
		char buf[1024];
		const char *p;

		if (v2_dir(env, path, dir, sizeof(dir)))
			return -ENOENT;
		snprintf(file, sizeof(file), "%s/cpu.stat", dir);
		if (read_small(file, buf, sizeof(buf)) <= 0 || !(p = strstr(buf, "usage_usec")))
			return -EINVAL;
		out->cpu_s = (double)strtoull(p + 10, NULL, 10) * 1e-6;
		snprintf(file, sizeof(file), "%s/memory.current", dir);
		if (read_ll(file, &v) == 0)
			out->cg_mem_bytes = v;
		snprintf(file, sizeof(file), "%s/memory.peak", dir);
		if (read_ll(file, &v) == 0)
			out->cg_mem_peak_bytes = v;
	}
	snprintf(out->source, sizeof(out->source), "cgroup-v%d:%.50s", version, path);
	rc = host_cpu(env, &out->host_busy_s, &out->host_total_s);
	if (rc)
		return rc;
	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	np = read_procs_file(file, procs, ACCOUNT_MAX_PROCS);
	if (np == ACCOUNT_MAX_PROCS)
		out->truncated = 1;
	if (np > 0)
		snap_procs(env, procs, np, out, 0);
	return 0;
}

/* From /proc/<pid>/cgroup: the v1 line whose controllers include cpuacct,
 * else the v2 line "0::/path". */
int account_cgroup_of(const struct account_env *env, pid_t pid, char *path, size_t len,
		      int *version)
{
	char file[320], line[512], v2[512] = "";
	int found_v1 = 0;
	FILE *f;

	if (pid > 0)
		snprintf(file, sizeof(file), "%s/%d/cgroup", env->proc_root, (int)pid);
	else
		snprintf(file, sizeof(file), "%s/self/cgroup", env->proc_root);
	f = fopen(file, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		char ctrls[256];
		size_t cl;

		if (!c2)
			continue;
		line[strcspn(line, "\n")] = '\0';
		cl = (size_t)(c2 - c1 - 1);
		if (cl >= sizeof(ctrls))
			continue;
		memcpy(ctrls, c1 + 1, cl);
		ctrls[cl] = '\0';
		if (cl == 0 && !strncmp(line, "0:", 2)) {
			snprintf(v2, sizeof(v2), "%s", c2 + 1);
			continue;
		}
		for (char *save = NULL, *t = strtok_r(ctrls, ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			if (!strcmp(t, "cpuacct")) {
				snprintf(path, len, "%s", c2 + 1);
				found_v1 = 1;
			}
		}
	}
	fclose(f);
	if (found_v1) {
		*version = 1;
		return 0;
	}
	if (v2[0]) {
		snprintf(path, len, "%s", v2);
		*version = 2;
		return 0;
	}
	return -ENOENT;
}

static int in_procs(const struct account_snap *s, pid_t pid)
{
	for (int i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid)
			return 1;
	return 0;
}

/* The instance's processes that sit in a cgroup other than the harness's
 * own are charged through that cgroup (exact, and it keeps the time of
 * processes that ended); the rest of the tree - a runtime such as `runc run`
 * waiting in the foreground - through /proc. */
int account_snapshot(const struct account_env *env, const pid_t *pids, int n,
		     struct account_snap *out)
{
	pid_t tree[ACCOUNT_MAX_PROCS], outside[ACCOUNT_MAX_PROCS];
	char cg[512] = "", own[512] = "/", path[512];
	int nt, ver = 0, own_ver = 0, found = 0, nout = 0;

	if (n <= 0)
		return -EINVAL;
	nt = account_tree(env, pids, n, tree, ACCOUNT_MAX_PROCS);
	if (nt <= 0)
		return account_snapshot_tree(env, pids, n, out);
	if (account_cgroup_of(env, 0, own, sizeof(own), &own_ver))
		own_ver = 0;
	for (int i = 0; i < nt && !found; i++) {
		int v;
		if (account_cgroup_of(env, tree[i], path, sizeof(path), &v) || !strcmp(path, "/"))
			continue;
		if (own_ver == v && !strcmp(path, own))
			continue;
		snprintf(cg, sizeof(cg), "%s", path);
		ver = v;
		found = 1;
	}
	if (!found || account_snapshot_cgroup(env, cg, ver, out))
		return account_snapshot_tree(env, pids, n, out);
	for (int i = 0; i < nt; i++) {
		int v;
		if (in_procs(out, tree[i]))
			continue;
		/* Not listed in the cgroup: outside it, unless it moved in
		 * since cgroup.procs was read. */
		if (account_cgroup_of(env, tree[i], path, sizeof(path), &v) == 0 && v == ver &&
		    !strcmp(path, cg))
			continue;
		outside[nout++] = tree[i];
	}
	if (nout) {
		size_t len = strlen(out->source);
		snap_procs(env, outside, nout, out, 1);
		snprintf(out->source + len, sizeof(out->source) - len, "+tree");
	}
	return 0;
}

static const struct account_proc *find_proc(const struct account_snap *s, pid_t pid,
					    unsigned long long start)
{
	for (int i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid && s->procs[i].start == start)
			return &s->procs[i];
	return NULL;
}

int account_delta(const struct account_snap *a, const struct account_snap *b,
		  struct account_delta *d)
{
	int rc = 0;

	memset(d, 0, sizeof(*d));
	if (strcmp(a->source, b->source))
		return -EINVAL;
	snprintf(d->source, sizeof(d->source), "%s", b->source);
	d->interval_s = b->t_s - a->t_s;
	d->host_busy_s = b->host_busy_s - a->host_busy_s;
	d->host_total_s = b->host_total_s - a->host_total_s;
	d->cpu_s = b->cpu_s - a->cpu_s;
	if (d->cpu_s < 0) {
		/* A process left the set without a reaper in it: its time is gone. */
		d->cpu_s = NAN;
		rc = -ERANGE;
	}
	d->host_util = d->host_total_s > 0 ? d->host_busy_s / d->host_total_s : NAN;
	if (d->host_busy_s > 0 && !isnan(d->cpu_s)) {
		/* Ticks of the target and of the host are sampled apart, so the
		 * ratio can poke above 1 by a tick. */
		d->cpu_share = d->cpu_s / d->host_busy_s;
		if (d->cpu_share > 1)
			d->cpu_share = 1;
	} else {
		d->cpu_share = d->cpu_s == 0 ? 0 : NAN;
	}
	/* Switches per process, so a thread or process that ended does not
	 * make the sum go backwards. */
	for (int i = 0; i < b->nprocs; i++) {
		const struct account_proc *pb = &b->procs[i];
		const struct account_proc *pa = find_proc(a, pb->pid, pb->start);
		unsigned long long va = pa ? pa->vol_cs : 0, ia = pa ? pa->invol_cs : 0;
		d->vol_cs += pb->vol_cs > va ? pb->vol_cs - va : 0;
		d->invol_cs += pb->invol_cs > ia ? pb->invol_cs - ia : 0;
	}
	for (int i = 0; i < a->nprocs; i++)
		if (!find_proc(b, a->procs[i].pid, a->procs[i].start))
			d->gone++;
	d->wakeups = d->vol_cs + d->invol_cs;
	d->wakeups_per_s = d->interval_s > 0 ? d->wakeups / d->interval_s : NAN;
	d->rss_kb = b->rss_kb;
	d->hwm_kb = b->hwm_kb > a->hwm_kb ? b->hwm_kb : a->hwm_kb;
	return rc;
}

static int method_rank(const char *m)
{
	if (!m || !strcmp(m, METHOD_UNAVAILABLE))
		return 0;
	return strcmp(m, METHOD_MEASURED) ? 1 : 2;
}

int energy_attribute(double host_j, const char *host_method, double idle_w,
		     const char *idle_method, double interval_s, double cpu_share,
		     struct energy_share *out)
{
	int r = method_rank(host_method), ri = method_rank(idle_method);

	memset(out, 0, sizeof(*out));
	if (ri < r)
		r = ri;
	if (!(interval_s > 0) || isnan(cpu_share) || cpu_share < 0) {
		r = 0;
	} else if (isnan(host_j) || isnan(idle_w) || idle_w < 0) {
		r = 0;
	}
	if (r == 0) {
		out->host_j = out->idle_j = out->active_j = NAN;
		out->target_active_j = out->target_idle_j = NAN;
		out->cpu_share = cpu_share;
		snprintf(out->method, sizeof(out->method), "%s", METHOD_UNAVAILABLE);
		return (!(interval_s > 0) || cpu_share < 0) ? -EINVAL : -ENODATA;
	}
	if (cpu_share > 1)
		cpu_share = 1;
	out->cpu_share = cpu_share;
	out->host_j = host_j;
	out->idle_j = idle_w * interval_s;
	out->active_j = host_j - out->idle_j;
	if (out->active_j < 0) {
		out->below_baseline = 1;
		out->active_j = 0;
	}
	out->target_active_j = out->active_j * cpu_share;
	out->target_idle_j = out->idle_j * cpu_share;
	snprintf(out->method, sizeof(out->method), "%s",
		 r == 2 ? METHOD_MEASURED : METHOD_ESTIMATED);
	return 0;
}
