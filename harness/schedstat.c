#include "schedstat.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "account.h"

static int thread_ns(pid_t pid, const char *tid, unsigned long long *ns)
{
	char path[320];
	snprintf(path, sizeof(path), "/proc/%d/task/%s/schedstat", (int)pid, tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	unsigned long long v;
	int ok = fscanf(f, "%llu", &v) == 1;
	fclose(f);
	if (ok)
		*ns += v;
	return ok ? 0 : -1;
}

double schedstat_tree_cpu_s(const pid_t *roots, int n)
{
	struct account_env env;
	account_env_default(&env);
	pid_t tree[ACCOUNT_MAX_PROCS];
	int nt = n > 0 ? account_tree(&env, roots, n, tree, ACCOUNT_MAX_PROCS) : 0;
	unsigned long long ns = 0;
	int read_any = 0;
	for (int i = 0; i < nt; i++) {
		char dir[64];
		snprintf(dir, sizeof(dir), "/proc/%d/task", (int)tree[i]);
		DIR *d = opendir(dir);
		if (!d)
			continue;
		for (struct dirent *e; (e = readdir(d));)
			if (e->d_name[0] != '.' && thread_ns(tree[i], e->d_name, &ns) == 0)
				read_any = 1;
		closedir(d);
	}
	return read_any ? (double)ns * 1e-9 : -1;
}

double host_cpu_busy_s(void)
{
	char buf[512];
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return NAN;
	unsigned long long v[8] = { 0 };
	int ok = fgets(buf, sizeof(buf), f) && sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
						       &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) >= 4;
	fclose(f);
	return ok ? (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)sysconf(_SC_CLK_TCK) : NAN;
}
