/* load: HTTP throughput and latency under load, with the CPU and energy the
 * target spent. Closed loop with wrk by default; --rate R switches to our
 * open-loop generator (constant rate, latency from the scheduled send time,
 * so a stalling server's queueing shows). Target and generator are pinned
 * to different CPUs where there are two. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "httpclient.h"
#include "loadgen.h"
#include "log.h"
#include "proc.h"
#include "stats.h"
#include "wrk.h"

static const char *const load_metrics[] = {
	"requests_per_s", "p50_us", "p90_us", "p99_us", "p999_us", "errors",
	"cpu_pct", "energy_per_request_j", "power_w", NULL,
};

static void record_latencies(struct exp_ctx *ctx, const char *t, int rep, const double *p, const char *src)
{
	exp_sample(ctx, t, "p50_us", p[0], "us", rep, src);
	exp_sample(ctx, t, "p90_us", p[1], "us", rep, src);
	exp_sample(ctx, t, "p99_us", p[2], "us", rep, src);
	exp_sample(ctx, t, "p999_us", p[3], "us", rep, src);
}

static int closed_loop(struct exp_ctx *ctx, struct target_instance *ti, int rep, double *requests)
{
	struct wrk_options o = {
		.addr = ti->addr, .port = ti->port, .threads = 1,
		.connections = ctx->connections ? ctx->connections : 50,
		.duration_s = ctx->seconds, .cpu = ctx->client_cpu,
	};
	struct wrk_result w;
	int r = wrk_run(&o, &w);
	if (r < 0)
		return r;
	if (target_exited(ti))
		return exp_fail_exited(ctx, ti, "load");  /* no throughput to speak of */
	const char *t = ti->ops->name;
	exp_sample(ctx, t, "requests_per_s", w.rps, "req/s", rep, "wrk");
	double p[4] = { w.p50_us, w.p90_us, w.p99_us, w.p999_us };
	record_latencies(ctx, t, rep, p, "wrk");
	exp_sample(ctx, t, "errors", wrk_errors(&w), "count", rep, "wrk");
	*requests = w.requests;
	return 0;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int open_loop(struct exp_ctx *ctx, struct target_instance *ti, int rep, double *requests)
{
	size_t n = (size_t)ceil(ctx->rate * ctx->seconds);
	struct lg_request *reqs = calloc(n ? n : 1, sizeof(*reqs));
	double *lat = calloc(n ? n : 1, sizeof(*lat));
	if (!reqs || !lat) {
		free(reqs);
		free(lat);
		return -ENOMEM;
	}
	lg_schedule_constant(reqs, n, ctx->rate, 0);
	struct lg_options o = { .addr = ti->addr, .port = ti->port, .keepalive = 1,
				.max_conns = ctx->connections ? ctx->connections : 1000, .timeout_s = 10,
				.cpu = ctx->client_cpu };
	double t0 = now_s();
	int r = loadgen_run(&o, reqs, n);
	double elapsed = now_s() - t0;
	size_t ok = 0, errors = 0;
	for (size_t i = 0; i < n; i++) {
		if (reqs[i].error || reqs[i].status != 200)
			errors++;
		else
			lat[ok++] = lg_latency(&reqs[i]) * 1e6;
	}
	const char *t = ti->ops->name;
	if (r == 0 && target_exited(ti))
		r = exp_fail_exited(ctx, ti, "load");
	if (r == 0) {
		exp_sample(ctx, t, "requests_per_s", (double)ok / elapsed, "req/s", rep, "loadgen:open-loop");
		exp_sample(ctx, t, "offered_rate", ctx->rate, "req/s", rep, "loadgen:open-loop");
		double p[4] = { NAN, NAN, NAN, NAN };
		qsort(lat, ok, sizeof(double), compare_double);
		if (ok) {
			p[0] = stats_percentile_sorted(lat, ok, 50);
			p[1] = stats_percentile_sorted(lat, ok, 90);
			p[2] = stats_percentile_sorted(lat, ok, 99);
			p[3] = stats_percentile_sorted(lat, ok, 99.9);
		}
		record_latencies(ctx, t, rep, p, "loadgen:open-loop");
		exp_sample(ctx, t, "errors", (double)errors, "count", rep, "loadgen:open-loop");
	}
	*requests = (double)ok;
	free(reqs);
	free(lat);
	return r;
}

static int load_once(struct exp_ctx *ctx, const struct target_ops *t, int rep)
{
	struct target_instance ti;
	int r = exp_launch_serving(ctx, t, &ti);
	if (r < 0)
		return r;
	struct exp_window w;
	exp_window_begin(ctx, &ti, &w, "load");
	double requests = 0;
	r = ctx->rate > 0 ? open_loop(ctx, &ti, rep, &requests) : closed_loop(ctx, &ti, rep, &requests);
	if (target_exited(&ti)) {
		/* The loop already reported the server's death: void window. */
		exp_window_discard(ctx, &w);
	} else {
		int rw = exp_window_end(ctx, &ti, &w, rep, requests, "request");
		if (r == 0)
			r = rw;
	}
	if (r < 0)
		target_report_console(&ti, 15);
	target_cleanup(&ti);
	return r;
}

static const struct experiment load_experiment = {
	.name = "load",
	.summary = "HTTP throughput, latency percentiles, CPU and joules per request under load",
	.workload = "httpd",
	.default_reps = 3,
	.default_warmup = 1,
	.default_seconds = 5,
	.needs_energy = 1,
	.options_help = "  --seconds S       load duration per repetition (default 5)\n"
			"  --connections C   wrk connections (default 50); open-loop connection cap\n"
			"  --rate R          open loop at R requests/s (latency from scheduled send time)\n",
	.run_once = load_once,
	.metrics = load_metrics,
	.ratio_base = "native",
};
EXPERIMENT_REGISTER(load_experiment);
