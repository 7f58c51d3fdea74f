/* scale: what scaling to zero costs and saves, per target, through the
 * waker (waker.h). Three parts per target and repetition:
 *
 *  1. Cold-start cycles (policy immediate): one request wakes the instance,
 *     is served, and the instance is stopped again. Per cycle:
 *       cold_cpu_s    everything the harness started and reaped for it
 *                     (getrusage(RUSAGE_CHILDREN): the instance's whole tree,
 *                     runc and its hooks, QEMU, stop helpers), precise
 *       e_cold_j      the energy charged to that CPU time (Kepler's split;
 *                     under the CPU-time model exactly (Wmax-Wmin) x cold_cpu_s)
 *       cold_ms       the client's latency through the waker
 *       boot_ms       the waker's booting phase (start -> READY)
 *     and over all cycles e_cold_host_j, the host's energy above its idle
 *     baseline per cycle (noisy on a shared host: everything else counts).
 *  2. A warm idle instance (policy always-on), over --warm-seconds:
 *       p_warm_w      power charged to the instance's own CPU time
 *                     (schedstat, nanoseconds), warm_idle_cpu_pct
 *       p_warm_host_w host power above baseline
 *     then --warm-requests warm requests: warm_ms and e_req_j.
 *     t_star_s = e_cold_j / p_warm_w, the break-even idle gap: a gap shorter
 *     than t* is cheaper kept warm, a longer one cheaper scaled to zero.
 *     An instance that used no CPU at all while idle has P_warm = 0 by CPU
 *     time: t* is then unbounded and reported unavailable, with the reason.
 *  3. The trace (--trace, --duration) through the waker with --policy:
 *     per request cold or warm (from the waker's own records, matched by
 *     the client's source port: the workload's bytes are never touched),
 *     latency from the scheduled send time (open loop), p50/p99, the cold
 *     fraction, answers 502/503/504, and time and host energy above
 *     baseline per phase (booting, serving, idle-warm, off, stopping),
 *     integrated at the waker's own state changes.
 *
 * Energy carries the meter's method. With no sensor (this kind of host) it
 * is estimated by the CPU-time model: E_cold and P_warm are then CPU time
 * rescaled, and the model's idle floor never disappears at scale to zero. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "experiment.h"
#include "httpclient.h"
#include "loadgen.h"
#include "log.h"
#include "proc.h"
#include "schedstat.h"
#include "stats.h"
#include "trace.h"
#include "waker.h"

#define SETTLE_S 0.5

static const char *const scale_metrics[] = {
	"e_cold_j", "e_cold_host_j", "p_warm_w", "p_warm_host_w", "t_star_s", "warm_idle_cpu_pct",
	"cold_ms", "boot_ms", "warm_ms", "e_req_j",
	"trace_cold_ms", "trace_warm_ms", "p50_ms", "p99_ms", "cold_fraction", "cold_starts",
	"errors", "trace_energy_j",
	"time_booting_s", "time_serving_s", "time_idle_warm_s", "time_off_s",
	"energy_booting_j", "energy_serving_j", "energy_idle_warm_j", "energy_off_j", NULL,
};

struct scale_options {
	enum wk_policy policy;
	double keep_alive_s;
	char trace_arg[600];
	struct trace_spec spec;
	double duration_s;
	int duration_given;
	uint64_t seed;
	int seed_given;
	unsigned queue, max_conns;
	unsigned cycles;
	double warm_s;
	unsigned warm_requests;
	int port;
	/* the schedule, generated once so every target replays the same one */
	double *times;
	size_t ntimes;
	int noted;
};

static const struct scale_options scale_defaults = {
	.policy = WK_KEEP_ALIVE,
	.keep_alive_s = 1,
	.trace_arg = "onoff:rate=5,on=2,off=3",
	.duration_s = 10,
	.seed = 1,
	.queue = 64,
	.max_conns = 256,
	.cycles = 3,
	.warm_s = 3,
	.warm_requests = 50,
	.port = WAKER_DEFAULT_PORT,
};

static struct scale_options so;

/* Every configuration starts from the defaults: a suite's scale sections
 * must not inherit each other's options. */
static void scale_reset(void)
{
	free(so.times);
	so = scale_defaults;
}

/* ---- options ---- */

static int scale_option_kind(const char *name)
{
	static const char *const valued[] = { "--policy", "--trace", "--duration", "--seed", "--queue",
					      "--max-conns", "--cycles", "--warm-seconds",
					      "--warm-requests", "--port", NULL };
	for (int i = 0; valued[i]; i++)
		if (!strcmp(name, valued[i]))
			return 2;
	return 0;
}

static void parse_trace_or_die(void)
{
	char err[700];
	if (trace_parse(so.trace_arg, &so.spec, err, sizeof(err)) < 0)
		die_usage("scale: --trace: %s", err);
	if (so.spec.kind == TRACE_CSV) {
		/* Read it now: a bad line is bad input, reported before any lab
		 * exists. */
		double *t;
		size_t n;
		if (trace_generate(&so.spec, 0, &t, &n, err, sizeof(err)) < 0)
			die_usage("scale: --trace: %s", err);
		free(t);
	}
}

static void scale_option_apply(struct exp_ctx *ctx, const char *name, const char *value)
{
	(void)ctx;
	if (!strcmp(name, "--policy")) {
		if (wk_policy_parse(value, &so.policy, &so.keep_alive_s) < 0)
			die_usage("scale: --policy '%s' is not always-on, immediate, keep-alive:T "
				  "(seconds), lambda, azure or knative", value);
	} else if (!strcmp(name, "--trace")) {
		snprintf(so.trace_arg, sizeof(so.trace_arg), "%s", value);
		parse_trace_or_die();
	} else if (!strcmp(name, "--duration")) {
		so.duration_s = cli_double("--duration", value, 0.1, 7 * 86400);
		so.duration_given = 1;
	} else if (!strcmp(name, "--seed")) {
		so.seed = cli_uint("--seed", value, 0, 4294967295u);
		so.seed_given = 1;
	} else if (!strcmp(name, "--queue")) {
		so.queue = cli_uint("--queue", value, 1, 100000);
	} else if (!strcmp(name, "--max-conns")) {
		so.max_conns = cli_uint("--max-conns", value, 1, 100000);
	} else if (!strcmp(name, "--cycles")) {
		so.cycles = cli_uint("--cycles", value, 1, 10000);
	} else if (!strcmp(name, "--warm-seconds")) {
		so.warm_s = cli_double("--warm-seconds", value, 0.1, 86400);
	} else if (!strcmp(name, "--warm-requests")) {
		so.warm_requests = cli_uint("--warm-requests", value, 1, 1000000);
	} else if (!strcmp(name, "--port")) {
		so.port = (int)cli_uint("--port", value, 1, 65535);
	}
}

/* ---- energy helpers ---- */

static double children_cpu_s(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_CHILDREN, &ru) < 0)
		return NAN;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec * 1e-6;
}

struct snap {
	double t, busy, children;
	struct meter_reading m;
	int m_ok;
};

static void take_snap(struct exp_ctx *ctx, struct snap *s)
{
	s->busy = host_cpu_busy_s();
	s->children = children_cpu_s();
	s->m_ok = ctx->meter_opened && meter_read(&ctx->meter, &s->m) == 0;
	s->t = now_s();
}

static double host_joules(struct exp_ctx *ctx, const struct snap *a, const struct snap *b)
{
	return a->m_ok && b->m_ok ? meter_joules_between(&ctx->meter, &a->m, &b->m) : NAN;
}

static const char *meter_method(struct exp_ctx *ctx)
{
	return ctx->meter_opened ? ctx->meter.method : METHOD_UNAVAILABLE;
}

static void sample_e(struct exp_ctx *ctx, const char *t, const char *metric, double v, const char *unit,
		     int rep, const char *method)
{
	exp_sample_m(ctx, t, metric, v, unit, rep, method, ctx->meter.source, ctx->meter.boundary);
}

/* The model meter's joules are linear in host CPU time: its floor plus
 * (Wmax - Wmin) per CPU-second. Kepler's split of such a meter reduces to
 * (Wmax - Wmin) x the work's own CPU-seconds, which is computed directly:
 * a host-wide utilisation read cannot resolve a millisecond cold start,
 * and other processes' noise would swamp it. Returns 0 with *j_per_cpu_s
 * set under the model, -ENOENT for any other meter. */
static int model_rate(struct exp_ctx *ctx, double *j_per_cpu_s)
{
	if (!ctx->meter_opened || !ctx->meter.ops || strcmp(ctx->meter.ops->name, "model"))
		return -ENOENT;
	double wmin, wmax;
	meter_model_get(&wmin, &wmax);
	*j_per_cpu_s = wmax - wmin;
	return 0;
}

/* Energy charged to work that used cpu_s of CPU time between a and b. */
static double charged_j(struct exp_ctx *ctx, const struct snap *a, const struct snap *b, double cpu_s,
			const char **method, int *below_baseline)
{
	double rate;
	*below_baseline = 0;
	if (model_rate(ctx, &rate) == 0) {
		*method = isnan(cpu_s) ? METHOD_UNAVAILABLE : METHOD_ESTIMATED;
		return rate * cpu_s;
	}
	double busy = b->busy - a->busy;
	/* /proc/stat counts whole ticks, rusage does not: the attribution
	 * caps the share at 1. */
	double share = busy > 0 ? cpu_s / busy : cpu_s > 0 ? 1 : cpu_s == 0 ? 0 : NAN;
	struct energy_share es;
	energy_attribute(host_joules(ctx, a, b), meter_method(ctx), ctx->baseline_w, meter_method(ctx),
			 b->t - a->t, share, &es);
	*method = !strcmp(es.method, METHOD_MEASURED)	 ? METHOD_MEASURED
		  : !strcmp(es.method, METHOD_ESTIMATED) ? METHOD_ESTIMATED
							 : METHOD_UNAVAILABLE;
	*below_baseline = es.below_baseline;
	return es.target_active_j;
}

/* ---- the waker's phases: labels for the power series, energy per phase ---- */

struct phase_acc {
	struct exp_ctx *ctx;
	pthread_mutex_t lock;
	int on;                    /* integrating (during the trace) */
	enum wk_state cur;
	double t_last;
	struct meter_reading m_last;
	int m_ok;
	double time_s[WK_NSTATES], joules[WK_NSTATES];
	int energy_ok;
};

/* The sampler's labels hold 15 characters: "idle:container" fits,
 * "idle-warm:container" would not. */
static const char *phase_label(enum wk_state s)
{
	static const char *const labels[WK_NSTATES] = {
		[WK_OFF] = "off", [WK_BOOTING] = "boot", [WK_SERVING] = "serve",
		[WK_IDLE] = "idle", [WK_STOPPING] = "stop",
	};
	return s < WK_NSTATES ? labels[s] : "between";
}

static void phase_close(struct phase_acc *p, double t)
{
	struct meter_reading m;
	int ok = p->ctx->meter_opened && meter_read(&p->ctx->meter, &m) == 0;
	p->time_s[p->cur] += t - p->t_last;
	double j = ok && p->m_ok ? meter_joules_between(&p->ctx->meter, &p->m_last, &m) : NAN;
	if (isnan(j))
		p->energy_ok = 0;
	else
		p->joules[p->cur] += j - (isnan(p->ctx->baseline_w) ? NAN : p->ctx->baseline_w * (t - p->t_last));
	p->t_last = t;
	p->m_last = m;
	p->m_ok = ok;
}

static void on_state(void *user, struct target_instance *ti, enum wk_state from, enum wk_state to, double t)
{
	struct phase_acc *p = user;
	(void)from;
	exp_set_phase(p->ctx, phase_label(to), ti->ops->name);
	/* A fresh instance runs where the other experiments run theirs. */
	if (from == WK_BOOTING && (to == WK_SERVING || to == WK_IDLE))
		exp_pin_target(p->ctx, ti);
	pthread_mutex_lock(&p->lock);
	if (p->on) {
		phase_close(p, t);
		p->cur = to;
	}
	pthread_mutex_unlock(&p->lock);
}

static void phase_begin(struct phase_acc *p, struct exp_ctx *ctx)
{
	memset(p->time_s, 0, sizeof(p->time_s));
	memset(p->joules, 0, sizeof(p->joules));
	p->ctx = ctx;
	p->cur = WK_OFF;
	p->energy_ok = 1;
	p->t_last = now_s();
	p->m_ok = ctx->meter_opened && meter_read(&ctx->meter, &p->m_last) == 0;
	p->on = 1;
}

static void phase_end(struct phase_acc *p)
{
	pthread_mutex_lock(&p->lock);
	if (p->on)
		phase_close(p, now_s());
	p->on = 0;
	pthread_mutex_unlock(&p->lock);
}

static int open_waker(struct exp_ctx *ctx, struct target_instance *ti, enum wk_policy policy,
		      double keep_alive_s, struct phase_acc *acc, struct waker **w)
{
	struct waker_options o;
	waker_options_default(&o);
	o.cfg.policy = policy;
	o.cfg.keep_alive_s = keep_alive_s;
	o.cfg.queue_max = so.queue;
	o.cfg.conn_max = so.max_conns;
	o.listen_port = so.port;
	o.on_state = on_state;
	o.user = acc;
	o.verbose = zw_verbose;
	acc->ctx = ctx;
	int r = waker_open(w, ti, &o);
	if (r == 0)
		r = waker_start_thread(*w);
	if (r < 0) {
		pr_err("%s: waker: %s", ti->ops->name, strerror(-r));
		waker_close(*w);
		*w = NULL;
	}
	return r;
}

/* Waits until the waker reached state (after at least one change since
 * changes0), or gives up. */
static int wait_state(struct waker *w, enum wk_state state, unsigned long changes0, double timeout_s)
{
	double deadline = now_s() + timeout_s;
	while (waker_state(w) != state || waker_state_changes(w) == changes0) {
		if (zw_interrupted)
			return -EINTR;
		if (now_s() > deadline)
			return -ETIMEDOUT;
		sleep_s(0.001);
	}
	return 0;
}

/* ---- 1. cold-start cycles ---- */

struct cold_result {
	double e_cold_med;         /* attributed E_cold per cycle, for t* */
	const char *method;
	double cold_ms_med;        /* through the waker */
	double p_warm_w, t_star_s; /* filled by warm_instance */
};

static int cold_cycles(struct exp_ctx *ctx, struct target_instance *ti, int rep, struct cold_result *cr)
{
	const char *t = ti->ops->name;
	struct phase_acc acc = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct waker *w;
	int r = open_waker(ctx, ti, WK_IMMEDIATE, 0, &acc, &w);
	if (r < 0)
		return r;
	double *cpu = calloc(so.cycles, sizeof(double)), *ej = calloc(so.cycles, sizeof(double));
	double *lat = calloc(so.cycles, sizeof(double));
	if (!cpu || !ej || !lat) {
		free(cpu);
		free(ej);
		free(lat);
		waker_close(w);
		return -ENOMEM;
	}
	unsigned done = 0;
	double cpu_total = 0;
	cr->method = METHOD_UNAVAILABLE;
	cr->e_cold_med = cr->cold_ms_med = cr->p_warm_w = cr->t_star_s = NAN;
	/* The host-level figure takes one window over all cycles: a single
	 * cycle lasts milliseconds, below what a meter (or /proc/stat's ticks)
	 * resolves; the idle gaps between cycles cancel against the baseline. */
	struct snap a, b;
	sleep_s(SETTLE_S);
	take_snap(ctx, &a);
	for (unsigned k = 0; k < so.cycles && !zw_interrupted; k++) {
		if (k)
			sleep_s(SETTLE_S);
		unsigned long changes0 = waker_state_changes(w);
		double cpu0 = children_cpu_s(), t0 = now_s();
		struct http_result res;
		r = http_get("127.0.0.1", waker_port(w), "/", ti->opt.ready_timeout_s + 10, &res);
		if (r == 0 && res.status != 200)
			r = -EPROTO;
		if (r < 0) {
			pr_err("%s: cold request through the waker failed: %s (status %d)", t, strerror(-r),
			       res.status);
			break;
		}
		r = wait_state(w, WK_OFF, changes0, ti->opt.ready_timeout_s + 30);
		if (r < 0) {
			pr_err("%s: the instance did not stop after the cold request: %s", t, strerror(-r));
			break;
		}
		/* Everything started and reaped for this cycle: the instance's
		 * whole tree, runtimes and their hooks, stop helpers. */
		cpu[done] = children_cpu_s() - cpu0;
		cpu_total += cpu[done];
		exp_sample(ctx, t, "cold_cpu_s", cpu[done], "s", rep, "rusage:children");
		exp_sample(ctx, t, "cold_ms", res.total_s * 1e3, "ms", rep, "waker:client");
		lat[done] = res.total_s * 1e3;
		exp_sample(ctx, t, "cycle_s", now_s() - t0, "s", rep, "clock:monotonic");
		done++;
	}
	take_snap(ctx, &b);
	double rate;
	if (done && model_rate(ctx, &rate) == 0) {
		for (unsigned k = 0; k < done; k++) {
			ej[k] = rate * cpu[k];
			sample_e(ctx, t, "e_cold_j", ej[k], "J", rep, METHOD_ESTIMATED);
		}
		cr->e_cold_med = stats_median(ej, done);
		cr->method = METHOD_ESTIMATED;
	} else if (done) {
		int below;
		cr->e_cold_med = charged_j(ctx, &a, &b, cpu_total, &cr->method, &below) / done;
		sample_e(ctx, t, "e_cold_j", cr->e_cold_med, "J", rep, cr->method);
		if (below)
			pr_warn("%s: the host drew less than its idle baseline during the cold-start cycles: "
				"E_cold is 0 by attribution (more --cycles help)", t);
	}
	if (done) {
		double dt = b.t - a.t, above = (host_joules(ctx, &a, &b) - ctx->baseline_w * dt) / done;
		sample_e(ctx, t, "e_cold_host_j", above, "J", rep, isnan(above) ? METHOD_UNAVAILABLE : meter_method(ctx));
	}
	if (done)
		cr->cold_ms_med = stats_median(lat, done);
	free(cpu);
	free(ej);
	free(lat);
	waker_request_stop(w);
	waker_join(w);
	const struct waker_transition *tr;
	size_t ntr = waker_transitions(w, &tr);
	for (size_t i = 1; i < ntr; i++)
		if (tr[i].from == WK_BOOTING && (tr[i].to == WK_SERVING || tr[i].to == WK_IDLE))
			exp_sample(ctx, t, "boot_ms", (tr[i].t - tr[i - 1].t) * 1e3, "ms", rep, "waker:states");
	waker_close(w);
	return zw_interrupted ? -EINTR : r;
}

/* ---- 2. the warm idle instance ---- */

static int warm_instance(struct exp_ctx *ctx, struct target_instance *ti, int rep, struct cold_result *cr)
{
	const char *t = ti->ops->name;
	struct phase_acc acc = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct waker *w;
	int r = open_waker(ctx, ti, WK_ALWAYS_ON, 0, &acc, &w);
	if (r < 0)
		return r;
	r = wait_state(w, WK_IDLE, 0, ti->opt.ready_timeout_s + 10);
	struct http_result res;
	if (r == 0)
		r = http_get("127.0.0.1", waker_port(w), "/", 10, &res);
	if (r < 0) {
		pr_err("%s: always-on instance not serving through the waker: %s", t, strerror(-r));
		waker_close(w);
		return r;
	}
	sleep_s(SETTLE_S);

	/* Idle: the instance's own CPU time (schedstat, nanoseconds) and
	 * memory (account.h), host energy around it. */
	pid_t pids[64];
	int np = target_pids(ti, pids, 64);
	struct account_env env;
	account_env_default(&env);
	struct account_snap *as = calloc(1, sizeof(*as));
	if (!as) {
		waker_close(w);
		return -ENOMEM;
	}
	struct snap a, b;
	take_snap(ctx, &a);
	double c0 = schedstat_tree_cpu_s(pids, np);
	sleep_s(so.warm_s);
	double c1 = schedstat_tree_cpu_s(pids, np);
	take_snap(ctx, &b);
	double cpu = c0 >= 0 && c1 >= 0 ? fmax(c1 - c0, 0) : NAN;
	if (np > 0 && account_snapshot(&env, pids, np, as) == 0)
		exp_sample(ctx, t, "warm_rss_kib", (double)as->rss_kb, "KiB", rep, as->source);
	double dt = b.t - a.t, host_j = host_joules(ctx, &a, &b);
	const char *pm;
	int below;
	double p_warm = charged_j(ctx, &a, &b, cpu, &pm, &below) / dt;
	sample_e(ctx, t, "p_warm_w", p_warm, "W", rep, isnan(p_warm) ? METHOD_UNAVAILABLE : pm);
	double p_host = host_j / dt - ctx->baseline_w;
	sample_e(ctx, t, "p_warm_host_w", p_host, "W", rep, isnan(p_host) ? METHOD_UNAVAILABLE : meter_method(ctx));
	exp_sample(ctx, t, "warm_idle_cpu_pct", 100 * cpu / dt, "%", rep, "proc:schedstat");
	/* Break-even idle gap, from this repetition's figures. */
	double e_cold = cr->e_cold_med;
	const char *m = !strcmp(cr->method, METHOD_MEASURED) && !strcmp(pm, METHOD_MEASURED)
				? METHOD_MEASURED : METHOD_ESTIMATED;
	cr->p_warm_w = p_warm;
	cr->t_star_s = p_warm > 0 ? e_cold / p_warm : NAN;
	if (p_warm > 0 && !isnan(e_cold)) {
		sample_e(ctx, t, "t_star_s", e_cold / p_warm, "s", rep, m);
	} else {
		sample_e(ctx, t, "t_star_s", NAN, "s", rep, METHOD_UNAVAILABLE);
		if (cpu == 0)
			pr_info("%s: the warm idle instance used no CPU at all in %.1f s: P_warm = 0 by CPU "
				"time, so t* is unbounded (keeping it warm costs no CPU; its memory is a cost "
				"a CPU-time model cannot price)", t, dt);
	}

	/* Warm requests: latency through the waker and energy per request. */
	np = target_pids(ti, pids, 64);
	take_snap(ctx, &a);
	c0 = schedstat_tree_cpu_s(pids, np);
	unsigned ok = 0;
	for (unsigned k = 0; k < so.warm_requests && !zw_interrupted; k++) {
		if (http_get("127.0.0.1", waker_port(w), "/", 10, &res) == 0 && res.status == 200) {
			ok++;
			exp_sample(ctx, t, "warm_ms", res.total_s * 1e3, "ms", rep, "waker:client");
		}
	}
	c1 = schedstat_tree_cpu_s(pids, np);
	take_snap(ctx, &b);
	if (ok && c0 >= 0 && c1 >= 0) {
		double j = charged_j(ctx, &a, &b, c1 - c0, &pm, &below) / ok;
		sample_e(ctx, t, "e_req_j", j, "J", rep, isnan(j) ? METHOD_UNAVAILABLE : pm);
	}
	free(as);
	waker_close(w);
	if (ok < so.warm_requests && !zw_interrupted) {
		pr_err("%s: %u of %u warm requests failed", t, so.warm_requests - ok, so.warm_requests);
		return -EPROTO;
	}
	return zw_interrupted ? -EINTR : 0;
}

/* ---- 3. the trace ---- */

static int generate_schedule(void)
{
	if (so.times)
		return 0;
	char err[700];
	/* The seed goes into the spec, so its canonical text (meta.json)
	 * names the seed actually used; seed= inside the spec wins. */
	if (so.spec.kind != TRACE_CSV && !so.spec.seed_given) {
		char spec[sizeof(so.trace_arg) + 32];
		snprintf(spec, sizeof(spec), "%s%sseed=%llu", so.trace_arg, strchr(so.trace_arg, ':') ? "," : ":",
			 (unsigned long long)so.seed);
		if (trace_parse(spec, &so.spec, err, sizeof(err)) < 0) {
			pr_err("scale: %s", err);
			return -EINVAL;
		}
	}
	/* A CSV trace plays whole unless --duration cuts it. */
	double cut = so.spec.kind == TRACE_CSV && !so.duration_given ? 0 : so.duration_s;
	int r = trace_generate(&so.spec, cut, &so.times, &so.ntimes, err, sizeof(err));
	if (r < 0) {
		pr_err("scale: %s", err);
		return r;
	}
	if (so.spec.kind == TRACE_CSV && !so.duration_given)
		so.duration_s = so.ntimes ? so.times[so.ntimes - 1] : 0;
	return 0;
}

/* The waker's record of the request's connection: same client port,
 * accepted no earlier than the request was sent. */
static long match_conn(const struct lg_request *q, double t0, const struct waker_conn *c, size_t nc,
		       unsigned char *used)
{
	if (!q->local_port || isnan(q->send_s))
		return -1;
	for (size_t i = 0; i < nc; i++)
		if (!used[i] && c[i].peer_port == q->local_port && c[i].t_accept >= t0 + q->send_s - 0.05) {
			used[i] = 1;
			return (long)i;
		}
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void record_phases(struct exp_ctx *ctx, const char *t, int rep, const struct phase_acc *p)
{
	static const struct {
		enum wk_state s;
		const char *name;
	} phases[] = { { WK_BOOTING, "booting" }, { WK_SERVING, "serving" }, { WK_IDLE, "idle_warm" },
		       { WK_OFF, "off" }, { WK_STOPPING, "stopping" } };
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		char metric[48];
		snprintf(metric, sizeof(metric), "time_%s_s", phases[i].name);
		exp_sample(ctx, t, metric, p->time_s[phases[i].s], "s", rep, "waker:states");
		snprintf(metric, sizeof(metric), "energy_%s_j", phases[i].name);
		double j = p->energy_ok ? p->joules[phases[i].s] : NAN;
		sample_e(ctx, t, metric, j, "J", rep, isnan(j) ? METHOD_UNAVAILABLE : meter_method(ctx));
	}
}

/* Every request of the trace, one row each, beside samples.csv:
 * requests-scale-<target>-<rep>.csv. Times in seconds from the trace's
 * start; the waker's columns are empty when no record matched. */
static void write_requests(struct exp_ctx *ctx, const char *t, int rep, const struct lg_request *q, size_t n,
			   const long *match, const struct waker_conn *c, double t0)
{
	size_t cap = 256 + n * 200, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		return;
	len += (size_t)snprintf(buf + len, cap - len,
				"request,sched_s,send_s,first_byte_s,end_s,latency_ms,status,error,cold,"
				"waker_accept_s,waker_relay_s,waker_status,client_port\n");
	for (size_t i = 0; i < n && len < cap; i++) {
		const struct waker_conn *k = match[i] >= 0 ? &c[match[i]] : NULL;
		char wk[96] = ",,";
		if (k)
			snprintf(wk, sizeof(wk), "%.6f,%.6f,%d", k->t_accept - t0,
				 isnan(k->t_relay) ? NAN : k->t_relay - t0, k->status);
		len += (size_t)snprintf(buf + len, cap - len, "%zu,%.6f,%.6f,%.6f,%.6f,%.3f,%d,%d,%s,%s,%d\n", i,
					q[i].sched_s, q[i].send_s, q[i].first_byte_s, q[i].end_s,
					lg_latency(&q[i]) * 1e3, q[i].status, q[i].error,
					k ? (k->cold ? "cold" : "warm") : "", wk, q[i].local_port);
	}
	char path[1200];
	snprintf(path, sizeof(path), "%s/requests-scale-%s-%d.csv", ctx->run.dir, t, rep);
	if (len < cap && write_file_atomic(path, buf, len) < 0)
		pr_warn("scale: cannot write %s", path);
	free(buf);
}

/* The waker's state changes during the trace, timestamped:
 * states-scale-<target>-<rep>.csv (seconds from the trace's start). */
static void write_states(struct exp_ctx *ctx, const char *t, int rep, struct waker *w, double t0)
{
	const struct waker_transition *tr;
	size_t n = waker_transitions(w, &tr), cap = 64 + n * 48, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		return;
	len += (size_t)snprintf(buf, cap, "t_s,from,to\n");
	for (size_t i = 0; i < n && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%.6f,%s,%s\n", tr[i].t - t0, wk_state_name(tr[i].from),
					wk_state_name(tr[i].to));
	char path[1200];
	snprintf(path, sizeof(path), "%s/states-scale-%s-%d.csv", ctx->run.dir, t, rep);
	if (len < cap && write_file_atomic(path, buf, len) < 0)
		pr_warn("scale: cannot write %s", path);
	free(buf);
}

struct trace_tally {
	size_t n, ok, cold, matched, errors;
	double p50, p99, cold_med;
};

static int run_trace(struct exp_ctx *ctx, struct target_instance *ti, int rep, struct trace_tally *tt)
{
	const char *t = ti->ops->name;
	memset(tt, 0, sizeof(*tt));
	tt->p50 = tt->p99 = tt->cold_med = NAN;
	size_t n = so.ntimes;
	struct lg_request *reqs = calloc(n ? n : 1, sizeof(*reqs));
	double *lat = calloc(n ? n : 1, sizeof(double)), *cold_lat = calloc(n ? n : 1, sizeof(double));
	if (!reqs || !lat || !cold_lat) {
		free(reqs);
		free(lat);
		free(cold_lat);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		reqs[i].sched_s = so.times[i];
	struct phase_acc acc = { .lock = PTHREAD_MUTEX_INITIALIZER };
	phase_begin(&acc, ctx);
	struct waker *w;
	int r = open_waker(ctx, ti, so.policy, so.keep_alive_s, &acc, &w);
	if (r < 0) {
		free(reqs);
		free(lat);
		free(cold_lat);
		return r;
	}
	struct lg_options o = {
		.addr = "127.0.0.1", .port = waker_port(w), .max_conns = so.max_conns + so.queue,
		.keepalive = 0, .timeout_s = ti->opt.ready_timeout_s + 10, .cpu = ctx->client_cpu,
	};
	struct snap a, b;
	take_snap(ctx, &a);
	double t0 = now_s();
	o.t0_out = &t0;
	r = loadgen_run(&o, reqs, n);
	take_snap(ctx, &b);
	phase_end(&acc);
	waker_request_stop(w);
	waker_join(w);

	const struct waker_conn *c;
	size_t nc = waker_conns(w, &c);
	unsigned char *used = calloc(nc ? nc : 1, 1);
	long *match = calloc(n ? n : 1, sizeof(long));
	for (size_t i = 0; used && match && i < n; i++) {
		struct lg_request *q = &reqs[i];
		long k = match[i] = match_conn(q, t0, c, nc, used);
		int ok = !q->error && q->status == 200;
		tt->n++;
		if (!ok)
			tt->errors++;
		if (k >= 0)
			tt->matched++;
		if (!ok)
			continue;
		double ms = lg_latency(q) * 1e3;
		lat[tt->ok++] = ms;
		int cold = k >= 0 && c[k].cold;
		if (cold) {
			cold_lat[tt->cold++] = ms;
			exp_sample(ctx, t, "trace_cold_ms", ms, "ms", rep, "loadgen:open-loop");
			/* The waker's side: from accept to relaying (the boot it waited for). */
			exp_sample(ctx, t, "trace_cold_wait_ms", (c[k].t_relay - c[k].t_accept) * 1e3, "ms", rep,
				   "waker:records");
		} else if (k >= 0) {
			exp_sample(ctx, t, "trace_warm_ms", ms, "ms", rep, "loadgen:open-loop");
		}
	}
	free(used);
	if (match && rep >= 0)
		write_requests(ctx, t, rep, reqs, n, match, c, t0);
	if (rep >= 0)
		write_states(ctx, t, rep, w, t0);
	free(match);
	const struct wk_counters *wc = waker_counters(w);
	qsort(lat, tt->ok, sizeof(double), cmp_double);
	if (tt->ok) {
		tt->p50 = stats_percentile_sorted(lat, tt->ok, 50);
		tt->p99 = stats_percentile_sorted(lat, tt->ok, 99);
	}
	if (tt->cold)
		tt->cold_med = stats_median(cold_lat, tt->cold);
	const char *src = "loadgen:open-loop";
	exp_sample(ctx, t, "p50_ms", tt->p50, "ms", rep, src);
	exp_sample(ctx, t, "p99_ms", tt->p99, "ms", rep, src);
	exp_sample(ctx, t, "requests", (double)tt->n, "count", rep, src);
	exp_sample(ctx, t, "offered_rate", so.duration_s > 0 ? (double)n / so.duration_s : NAN, "req/s", rep,
		   "trace");
	exp_sample(ctx, t, "errors", (double)tt->errors, "count", rep, src);
	exp_sample(ctx, t, "cold_fraction", tt->matched ? (double)tt->cold / (double)tt->matched : NAN, "1",
		   rep, "waker:records");
	exp_sample(ctx, t, "cold_starts", (double)wc->boots, "count", rep, "waker:states");
	exp_sample(ctx, t, "answered_502", (double)wc->rejected_502, "count", rep, "waker:records");
	exp_sample(ctx, t, "answered_503", (double)wc->rejected_503, "count", rep, "waker:records");
	exp_sample(ctx, t, "answered_504", (double)wc->rejected_504, "count", rep, "waker:records");
	if (tt->matched < tt->n)
		exp_sample(ctx, t, "unmatched_requests", (double)(tt->n - tt->matched), "count", rep, src);
	double host_j = host_joules(ctx, &a, &b);
	sample_e(ctx, t, "trace_energy_j", host_j, "J", rep, isnan(host_j) ? METHOD_UNAVAILABLE : meter_method(ctx));
	double above = host_j - ctx->baseline_w * (b.t - a.t);
	sample_e(ctx, t, "trace_energy_above_baseline_j", above, "J", rep,
		 isnan(above) ? METHOD_UNAVAILABLE : meter_method(ctx));
	record_phases(ctx, t, rep, &acc);
	waker_close(w);
	free(reqs);
	free(lat);
	free(cold_lat);
	if (tt->n && tt->errors == tt->n && !zw_interrupted) {
		pr_err("%s: every request of the trace failed", t);
		return -EPROTO;
	}
	return zw_interrupted ? -EINTR : r;
}

/* ---- the experiment ---- */

static void note_run(struct exp_ctx *ctx)
{
	if (so.noted)
		return;
	so.noted = 1;
	char policy[32];
	wk_policy_format(so.policy, so.keep_alive_s, policy, sizeof(policy));
	/* Under the profile section's name, so scale variants keep their own
	 * configuration (scale-immediate beside scale). */
	cJSON *s = cJSON_AddObjectToObject(ctx->run.meta, exp_label(ctx));
	cJSON_AddStringToObject(s, "policy", policy);
	cJSON_AddStringToObject(s, "trace", so.spec.text);
	cJSON_AddNumberToObject(s, "seed", (double)so.spec.seed);
	cJSON_AddNumberToObject(s, "duration_s", so.duration_s);
	cJSON_AddNumberToObject(s, "requests_scheduled", (double)so.ntimes);
	cJSON_AddNumberToObject(s, "queue_max", so.queue);
	cJSON_AddNumberToObject(s, "conn_max", so.max_conns);
	cJSON_AddNumberToObject(s, "cold_cycles", so.cycles);
	cJSON_AddNumberToObject(s, "warm_seconds", so.warm_s);
	cJSON_AddStringToObject(s, "energy_method", meter_method(ctx));
	cJSON_AddStringToObject(s, "phase_labels",
				"power series phases: boot, serve, idle (idle-warm), off, stop, each :<target>");
	if (strcmp(meter_method(ctx), METHOD_MEASURED))
		cJSON_AddStringToObject(s, "note",
					"energy estimated by a CPU-time model: E_cold and P_warm are CPU time "
					"rescaled; the model's idle floor never vanishes at scale to zero");
	printf("scale: policy %s, trace %s, %zu requests over %.1f s; energy %s (%s)\n", policy, so.spec.text,
	       so.ntimes, so.duration_s, meter_method(ctx), ctx->meter_opened ? ctx->meter.source : "none");
	if (strcmp(meter_method(ctx), METHOD_MEASURED))
		printf("scale: no energy sensor: E_cold and P_warm below are CPU time rescaled by a model, "
		       "not measurements\n");
	fflush(stdout);
}

static int scale_setup(struct exp_ctx *ctx, const struct target_ops *t)
{
	(void)t;
	if (!so.spec.text[0])
		parse_trace_or_die();
	int r = generate_schedule();
	if (r == 0)
		note_run(ctx);
	return r;
}

static void describe(struct exp_ctx *ctx, struct target_instance *ti)
{
	cJSON *targets = cJSON_GetObjectItem(ctx->run.meta, "targets");
	if (!targets)
		targets = cJSON_AddObjectToObject(ctx->run.meta, "targets");
	if (cJSON_GetObjectItem(targets, ti->ops->name) || !ti->ops->describe)
		return;
	ti->ops->describe(ti, cJSON_AddObjectToObject(targets, ti->ops->name));
}

static void fmt(char *buf, size_t len, double v, const char *unit)
{
	if (isnan(v))
		snprintf(buf, len, "unavailable");
	else
		snprintf(buf, len, "%.3g %s", v, unit);
}

static int scale_once(struct exp_ctx *ctx, const struct target_ops *t, int rep)
{
	struct target_instance ti;
	int r = target_init(&ti, t, &ctx->lab, exp_workload(ctx), NULL, &ctx->opt);
	if (r < 0)
		return r;
	r = target_prepare(&ti);
	if (r < 0) {
		pr_err("%s: prepare failed: %s", t->name, strerror(-r));
		target_cleanup(&ti);
		return r;
	}
	describe(ctx, &ti);
	struct cold_result cr;
	struct trace_tally tt = { .p50 = NAN, .p99 = NAN, .cold_med = NAN };
	r = cold_cycles(ctx, &ti, rep, &cr);
	if (r == 0)
		r = warm_instance(ctx, &ti, rep, &cr);
	if (r == 0)
		r = run_trace(ctx, &ti, rep, &tt);
	if (r < 0 && r != -EINTR)
		target_report_console(&ti, 10);
	target_cleanup(&ti);
	exp_set_phase(ctx, "between", NULL);
	if (r == 0 && rep >= 0) {
		char ec[32], pw[32], ts[48], cm[32], p50[32], p99[32];
		fmt(ec, sizeof(ec), cr.e_cold_med, "J");
		fmt(pw, sizeof(pw), cr.p_warm_w, "W");
		if (cr.p_warm_w == 0)
			snprintf(ts, sizeof(ts), "unbounded (P_warm 0)");
		else
			fmt(ts, sizeof(ts), cr.t_star_s, "s");
		fmt(cm, sizeof(cm), cr.cold_ms_med, "ms");
		fmt(p50, sizeof(p50), tt.p50, "ms");
		fmt(p99, sizeof(p99), tt.p99, "ms");
		printf("scale %s: E_cold %s, P_warm %s, t* %s (energy %s); cold start %s through the waker; "
		       "trace: %zu requests, %zu cold, %zu failed, p50 %s, p99 %s\n",
		       t->name, ec, pw, ts, cr.method, cm, tt.n, tt.cold, tt.errors, p50, p99);
		fflush(stdout);
	}
	return r;
}

static const struct experiment scale_experiment = {
	.name = "scale",
	.summary = "scale to zero through the waker: E_cold, P_warm, t* = E_cold/P_warm, cold/warm latency, a trace",
	.workload = "httpd",
	.default_reps = 1,
	.default_warmup = 0,
	.needs_energy = 1,
	.option_kind = scale_option_kind,
	.option_apply = scale_option_apply,
	.options_help =
		"  --policy P        always-on, immediate, keep-alive:T (s), lambda (600), azure (1200),\n"
		"                    knative (30); default keep-alive:1 (so the short trace sees both)\n"
		"  --trace SPEC      poisson:rate=R | onoff:rate=R,on=A,off=B | lognormal:mean=M,cv=C |\n"
		"                    pareto:mean=M,alpha=A | azure:q=Q[,cv=C] | csv:FILE (see trace.h);\n"
		"                    default onoff:rate=5,on=2,off=3\n"
		"  --duration S      trace length (default 10; a CSV trace plays whole unless given)\n"
		"  --seed N          trace seed (default 1; seed= inside SPEC wins), recorded in meta.json\n"
		"  --cycles K        cold-start cycles for E_cold (default 3)\n"
		"  --warm-seconds S  idle window for P_warm (default 3)\n"
		"  --warm-requests K warm requests for warm latency and energy per request (default 50)\n"
		"  --queue N         connections that may wait for a boot (default 64; more get 503)\n"
		"  --max-conns N     connections relayed at once (default 256)\n"
		"  --port P          the waker's port inside the lab (default 9000)\n",
	.setup = scale_setup,
	.reset = scale_reset,
	.run_once = scale_once,
	.metrics = scale_metrics,
	.ratio_base = "native",
};
EXPERIMENT_REGISTER(scale_experiment);
