/* idle: what a booted instance costs while nothing happens — host CPU,
 * wakeups per second, memory and power over --seconds. For the unikernel
 * its own counters (timer interrupts, HLTs) are read before and after, so
 * "0 timer interrupts/s when idle" is measured, not assumed. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "experiment.h"
#include "httpclient.h"
#include "log.h"
#include "proc.h"

/* The first request leaves deadlines behind: httpd gives a closing peer 2 s
 * to drain (DRAIN_TIMEOUT_MS), TCP timers run down. Idle is measured after
 * them, so the window sees the instance's steady idle, not its aftermath. */
#define SETTLE_S 3.0

static const char *const idle_metrics[] = { "cpu_pct", "wakeups_per_s", "rss_kib", "power_w",
					     "guest_timer_irqs_per_s", "guest_wakeups_per_s", NULL };

static void record_guest_rates(struct exp_ctx *ctx, const char *t, int rep, cJSON *a, cJSON *b,
			       double seconds)
{
	cJSON *item;
	cJSON_ArrayForEach(item, b) {
		cJSON *before = cJSON_GetObjectItem(a, item->string);
		if (!cJSON_IsNumber(item) || !cJSON_IsNumber(before) || strstr(item->string, "ns"))
			continue;
		char metric[64];
		snprintf(metric, sizeof(metric), "guest_%s_per_s", item->string);
		exp_sample(ctx, t, metric, (item->valuedouble - before->valuedouble) / seconds, "1/s", rep,
			   "guest:counters");
	}
}

static int idle_once(struct exp_ctx *ctx, const struct target_ops *t, int rep)
{
	struct target_instance ti;
	int r = exp_launch_serving(ctx, t, &ti);
	if (r < 0)
		return r;
	sleep_s(SETTLE_S);
	cJSON *before = cJSON_CreateObject(), *after = cJSON_CreateObject();
	int counters = t->counters && t->counters(&ti, before) == 0;
	struct exp_window w;
	double t0 = now_s();
	exp_window_begin(ctx, &ti, &w, "idle");
	sleep_s(ctx->seconds);
	r = exp_window_end(ctx, &ti, &w, rep, 0, NULL);
	double elapsed = now_s() - t0;
	if (r == 0 && counters && t->counters(&ti, after) == 0)
		record_guest_rates(ctx, t->name, rep, before, after, elapsed);
	if (r < 0)
		target_report_console(&ti, 15);
	cJSON_Delete(before);
	cJSON_Delete(after);
	target_cleanup(&ti);
	return zw_interrupted ? -EINTR : r;
}

static const struct experiment idle_experiment = {
	.name = "idle",
	.summary = "cost of a booted, idle instance: host CPU, wakeups/s, memory, power",
	.workload = "httpd",
	.default_reps = 3,
	.default_warmup = 0,
	.default_seconds = 10,
	.needs_energy = 1,
	.options_help = "  --seconds S       idle window per repetition (default 10)\n",
	.run_once = idle_once,
	.metrics = idle_metrics,
	.ratio_base = "native",
};
EXPERIMENT_REGISTER(idle_experiment);
