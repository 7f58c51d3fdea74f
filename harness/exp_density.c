/* density: how many idle instances of a target one host holds, and what
 * they cost while idle. N instances are started one after the other (each
 * in its own lab slot, up to --max, stopping early when the host's
 * MemAvailable falls below --floor-mib), left idle, then measured together:
 *   mem_per_instance_mib   drop in MemAvailable per instance (everything:
 *                          processes, page tables, runtimes, netns, taps)
 *                          (unavailable when within the host's own jitter)
 *   pss_per_instance_kib   the instances' processes' proportional set size
 *                          (shared text counted once), and RSS beside it
 *   instances_per_gib      1024 / mem_per_instance_mib, and _pss from PSS
 *                          (processes only: an upper bound)
 *   idle_cpu_pct_per_instance   CPU time while idle (schedstat, ns)
 *   idle_w_per_100         power charged to that CPU time, per 100 instances
 *   idle_host_w_per_100    host power above its idle baseline, per 100
 * Energy carries the meter's method; under the CPU-time model an instance
 * that sleeps costs 0 W, whatever memory it holds. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "experiment.h"
#include "log.h"
#include "proc.h"
#include "schedstat.h"

#define DEFAULT_MAX      10
#define SETTLE_S         1.0

static const char *const density_metrics[] = {
	"instances", "mem_per_instance_mib", "pss_per_instance_kib", "rss_per_instance_kib", "instances_per_gib",
	"instances_per_gib_pss",
	"idle_cpu_pct_per_instance", "idle_w_per_100", "idle_host_w_per_100", "start_s", NULL,
};

static unsigned opt_max = DEFAULT_MAX;
static double opt_floor_mib = -1;    /* -1: max(1 GiB, 10% of MemTotal) */

static int density_option_kind(const char *name)
{
	return !strcmp(name, "--max") || !strcmp(name, "--floor-mib") ? 2 : 0;
}

static void density_option_apply(struct exp_ctx *ctx, const char *name, const char *value)
{
	(void)ctx;
	if (!strcmp(name, "--max"))
		opt_max = cli_uint("--max", value, 1, LAB_MAX_SLOTS - 1);
	else if (!strcmp(name, "--floor-mib"))
		opt_floor_mib = cli_double("--floor-mib", value, 0, 1 << 30);
}

/* A /proc/meminfo field in KiB, or -1. */
static long meminfo_kib(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	char line[256];
	long v = -1;
	size_t klen = strlen(key);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static long floor_kib(void)
{
	if (opt_floor_mib >= 0)
		return (long)(opt_floor_mib * 1024);
	long total = meminfo_kib("MemTotal");
	long tenth = total > 0 ? total / 10 : 0;
	return tenth > 1024 * 1024 ? tenth : 1024 * 1024;
}

/* Median of k MemAvailable reads 0.1 s apart; *spread gets max - min, the
 * host's own jitter (other processes allocate and free all the time). */
static long mem_available_settled(long *spread)
{
	long v[5], lo = -1, hi = -1;
	for (int i = 0; i < 5; i++) {
		if (i)
			sleep_s(0.1);
		v[i] = meminfo_kib("MemAvailable");
		if (v[i] < 0)
			return -1;
		lo = lo < 0 || v[i] < lo ? v[i] : lo;
		hi = v[i] > hi ? v[i] : hi;
	}
	for (int i = 1; i < 5; i++)
		for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
			long x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	*spread = hi - lo;
	return v[2];
}

/* Proportional set size: shared pages (the same static binary's text in
 * every instance) divided among the processes that map them. */
static long pss_kib(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long v = -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Pss:", 4)) {
			v = strtol(line + 4, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static long tree_pss_kib(struct target_instance *ti)
{
	pid_t pids[64], tree[ACCOUNT_MAX_PROCS];
	int np = target_pids(ti, pids, 64);
	struct account_env env;
	account_env_default(&env);
	int nt = np > 0 ? account_tree(&env, pids, np, tree, ACCOUNT_MAX_PROCS) : 0;
	long sum = 0;
	for (int i = 0; i < nt; i++) {
		long v = pss_kib(tree[i]);
		if (v > 0)
			sum += v;
	}
	return sum;
}

static long tree_rss_kib(struct target_instance *ti)
{
	pid_t pids[64], tree[ACCOUNT_MAX_PROCS];
	int np = target_pids(ti, pids, 64);
	struct account_env env;
	account_env_default(&env);
	int nt = np > 0 ? account_tree(&env, pids, np, tree, ACCOUNT_MAX_PROCS) : 0;
	long sum = 0;
	for (int i = 0; i < nt; i++) {
		long v = proc_status_kib(tree[i], "VmRSS:");
		if (v > 0)
			sum += v;
	}
	return sum;
}

static int all_pids(struct target_instance *ti, int n, pid_t *out, int max)
{
	int k = 0;
	for (int i = 0; i < n && k < max; i++)
		k += target_pids(&ti[i], out + k, max - k);
	return k;
}

static int density_once(struct exp_ctx *ctx, const struct target_ops *t, int rep)
{
	struct target_instance *ti = calloc(opt_max, sizeof(*ti));
	pid_t *pids = calloc(opt_max * 64, sizeof(*pids));
	if (!ti || !pids) {
		free(ti);
		free(pids);
		return -ENOMEM;
	}
	long spread0 = 0, spread1 = 0;
	long floor = floor_kib(), avail0 = mem_available_settled(&spread0);
	unsigned n = 0;
	const char *why = "reached --max";
	double t0 = now_s();
	while (n < opt_max && !zw_interrupted) {
		long avail = meminfo_kib("MemAvailable");
		if (avail >= 0 && avail < floor) {
			why = "MemAvailable reached the floor (--floor-mib)";
			break;
		}
		if (exp_launch(ctx, t, &ti[n], exp_workload(ctx), NULL) < 0) {
			why = "an instance failed to start (see above)";
			break;
		}
		exp_pin_target(ctx, &ti[n]);
		n++;
	}
	double start_s = now_s() - t0;
	int r = 0;
	if (n == 0) {
		r = zw_interrupted ? -EINTR : -EIO;
		goto out;
	}
	printf("density %s: %u idle instances (%s)\n", t->name, n, why);
	fflush(stdout);
	exp_set_phase(ctx, "idle", t->name);
	sleep_s(SETTLE_S);
	long avail1 = mem_available_settled(&spread1);
	long rss = 0, pss = 0;
	for (unsigned i = 0; i < n; i++) {
		rss += tree_rss_kib(&ti[i]);
		pss += tree_pss_kib(&ti[i]);
	}
	int np = all_pids(ti, (int)n, pids, (int)opt_max * 64);
	struct meter_reading m0, m1;
	int m_ok = ctx->meter_opened && meter_read(&ctx->meter, &m0) == 0;
	double c0 = schedstat_tree_cpu_s(pids, np), w0 = now_s(), b0 = host_cpu_busy_s();
	sleep_s(ctx->seconds);
	double c1 = schedstat_tree_cpu_s(pids, np), w1 = now_s(), b1 = host_cpu_busy_s();
	m_ok = m_ok && meter_read(&ctx->meter, &m1) == 0;
	exp_set_phase(ctx, "between", NULL);
	double dt = w1 - w0, cpu = c0 >= 0 && c1 >= 0 ? fmax(c1 - c0, 0) : NAN;
	const char *src = "proc:meminfo";
	exp_sample(ctx, t->name, "instances", n, "count", rep, "lab");
	exp_sample(ctx, t->name, "start_s", start_s, "s", rep, "clock:monotonic");
	/* Other processes move MemAvailable too: a drop within the jitter seen
	 * around it says nothing, and is reported unavailable, not as a
	 * density of thousands per GiB. */
	long drop = avail0 >= 0 && avail1 >= 0 ? avail0 - avail1 : -1;
	double mem_mib = drop > 2 * (spread0 + spread1) ? (double)drop / n / 1024 : NAN;
	if (isnan(mem_mib))
		pr_warn("density %s: MemAvailable moved by %ld KiB for %u instances, within the host's jitter "
			"(%ld KiB): host memory per instance unavailable (see pss_per_instance_kib)", t->name, drop,
			n, spread0 + spread1);
	exp_sample(ctx, t->name, "mem_per_instance_mib", mem_mib, "MiB", rep, src);
	exp_sample(ctx, t->name, "rss_per_instance_kib", (double)rss / n, "KiB", rep, "proc:VmRSS");
	exp_sample(ctx, t->name, "pss_per_instance_kib", (double)pss / n, "KiB", rep, "proc:smaps_rollup");
	exp_sample(ctx, t->name, "instances_per_gib", mem_mib > 0 ? 1024 / mem_mib : NAN, "1/GiB", rep, src);
	/* From the processes alone (no kernel memory): an upper bound. */
	exp_sample(ctx, t->name, "instances_per_gib_pss", pss > 0 ? 1024.0 * 1024 * n / pss : NAN, "1/GiB", rep,
		   "proc:smaps_rollup");
	exp_sample(ctx, t->name, "idle_cpu_pct_per_instance", 100 * cpu / dt / n, "%", rep, "proc:schedstat");
	const char *method = ctx->meter_opened ? ctx->meter.method : METHOD_UNAVAILABLE;
	double host_j = m_ok ? meter_joules_between(&ctx->meter, &m0, &m1) : NAN;
	double above_w = host_j / dt - ctx->baseline_w;
	exp_sample_m(ctx, t->name, "idle_host_w_per_100", above_w / n * 100, "W", rep,
		     isnan(above_w) ? METHOD_UNAVAILABLE : method, ctx->meter.source, ctx->meter.boundary);
	double attributed = NAN;
	if (ctx->meter_opened && ctx->meter.ops && !strcmp(ctx->meter.ops->name, "model")) {
		double wmin, wmax;
		meter_model_get(&wmin, &wmax);
		attributed = (wmax - wmin) * cpu / dt;
	} else if (!isnan(above_w) && ctx->meter_opened) {
		struct energy_share es;
		double busy = b1 - b0;
		double share = busy > 0 ? cpu / busy : cpu == 0 ? 0 : NAN;
		energy_attribute(host_j, method, ctx->baseline_w, method, dt, share, &es);
		attributed = es.target_active_j / dt;
	}
	exp_sample_m(ctx, t->name, "idle_w_per_100", attributed / n * 100, "W", rep,
		     isnan(attributed) ? METHOD_UNAVAILABLE : method, ctx->meter.source, ctx->meter.boundary);
	if (rep >= 0) {
		char host[64];
		if (isnan(mem_mib))
			snprintf(host, sizeof(host), "host memory per instance unavailable");
		else
			snprintf(host, sizeof(host), "%.3g MiB of host memory per instance (%.0f per GiB)", mem_mib,
				 1024 / mem_mib);
		printf("density %s: %s, PSS %.0f KiB each (%.0f per GiB), %.3g%% CPU each while idle, "
		       "%.3g W per 100 (%s)\n", t->name, host, (double)pss / n,
		       pss > 0 ? 1024.0 * 1024 * n / pss : NAN, 100 * cpu / dt / n, attributed / n * 100, method);
		fflush(stdout);
	}
out:
	for (unsigned i = 0; i < n; i++)
		target_cleanup(&ti[i]);
	free(ti);
	free(pids);
	return zw_interrupted ? -EINTR : r;
}

static const struct experiment density_experiment = {
	.name = "density",
	.summary = "how many idle instances fit: host memory and idle CPU/power per instance",
	.workload = "httpd",
	.default_reps = 1,
	.default_warmup = 0,
	.default_seconds = 3,
	.needs_energy = 1,
	.option_kind = density_option_kind,
	.option_apply = density_option_apply,
	.options_help = "  --max N           instances to start (default 10, at most 249: one lab slot each)\n"
			"  --floor-mib M     stop starting when MemAvailable falls below M MiB\n"
			"                    (default: the larger of 1 GiB and 10% of MemTotal)\n"
			"  --seconds S       idle window over all instances (default 3)\n",
	.run_once = density_once,
	.metrics = density_metrics,
	.ratio_base = "native",
};
EXPERIMENT_REGISTER(density_experiment);
