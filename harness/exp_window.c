/* Measurement windows shared by the experiments: what a running instance
 * costs in CPU, wakeups, memory and energy over an interval, recorded the
 * same way for every target. Energy is the host's (meter) minus nothing: the
 * idle baseline is reported apart and the target is charged the active part
 * in proportion to its CPU share (Kepler's split). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "log.h"
#include "proc.h"
#include "sampler.h"

int exp_sample_m(struct exp_ctx *ctx, const char *target, const char *metric, double value,
		 const char *unit, int rep, const char *method, const char *source,
		 const char *boundary)
{
	if (rep < 0)
		return 0;
	struct sample s;
	memset(&s, 0, sizeof(s));
	snprintf(s.experiment, sizeof(s.experiment), "%s", exp_label(ctx));
	snprintf(s.target, sizeof(s.target), "%s", target);
	snprintf(s.metric, sizeof(s.metric), "%s", metric);
	s.value = isnan(value) ? NAN : value;
	snprintf(s.unit, sizeof(s.unit), "%s", unit);
	s.repetition = rep;
	snprintf(s.method, sizeof(s.method), "%s", isnan(value) ? METHOD_UNAVAILABLE : method);
	snprintf(s.source, sizeof(s.source), "%s", source ? source : "");
	snprintf(s.boundary, sizeof(s.boundary), "%s", boundary ? boundary : "");
	s.t_s = NAN;
	return run_add(&ctx->run, &s);
}

void exp_set_phase(struct exp_ctx *ctx, const char *phase, const char *target)
{
	if (!ctx->sampler)
		return;
	char label[32];
	snprintf(label, sizeof(label), "%s%s%s", phase, target ? ":" : "", target ? target : "");
	sampler_set_phase(ctx->sampler, label);
}

void exp_pin_target(struct exp_ctx *ctx, struct target_instance *ti)
{
	if (ctx->server_cpu < 0)
		return;
	pid_t pids[64];
	int n = target_pids(ti, pids, 64);
	proc_pin(pids, n, ctx->server_cpu);
}

int exp_measure_baseline(struct exp_ctx *ctx)
{
	if (!ctx->meter_opened || ctx->baseline_s <= 0) {
		ctx->baseline_w = NAN;
		return 0;
	}
	exp_set_phase(ctx, "baseline", NULL);
	int r = meter_measure_watts(&ctx->meter, ctx->baseline_s, &ctx->baseline_w);
	exp_sample_m(ctx, "host", "baseline_power_w", ctx->baseline_w, "W", 0, ctx->meter.method,
		     ctx->meter.source, ctx->meter.boundary);
	exp_set_phase(ctx, "between", NULL);
	if (r < 0)
		pr_warn("idle baseline unavailable: %s", strerror(-r));
	return r;
}

int exp_window_begin(struct exp_ctx *ctx, struct target_instance *ti, struct exp_window *w,
		     const char *phase)
{
	memset(w, 0, sizeof(*w));
	w->acct = calloc(2, sizeof(*w->acct));
	if (!w->acct)
		return -ENOMEM;
	w->npids = target_pids(ti, w->pids, 64);
	struct account_env env;
	account_env_default(&env);
	exp_set_phase(ctx, phase, ti->ops->name);
	int r = account_snapshot(&env, w->pids, w->npids, &w->acct[0]);
	if (r < 0) {
		pr_warn("%s: accounting unavailable: %s", ti->ops->name, strerror(-r));
		return 0;
	}
	if (ctx->meter_opened && meter_read(&ctx->meter, &w->energy) < 0)
		w->energy.flags |= METER_F_PARTIAL;
	w->ok = 1;
	return 0;
}

void exp_window_discard(struct exp_ctx *ctx, struct exp_window *w)
{
	exp_set_phase(ctx, "between", NULL);
	free(w->acct);
	w->acct = NULL;
}

int exp_window_end(struct exp_ctx *ctx, struct target_instance *ti, struct exp_window *w, int rep,
		   double units, const char *unit_name)
{
	const char *t = ti->ops->name;
	if (target_exited(ti)) {
		exp_window_discard(ctx, w);
		return exp_fail_exited(ctx, ti, "measured window");
	}
	struct account_env env;
	account_env_default(&env);
	struct meter_reading e2;
	int have_energy = 0;
	if (w->ok && ctx->meter_opened && meter_read(&ctx->meter, &e2) == 0)
		have_energy = 1;
	int r = w->ok ? account_snapshot(&env, w->pids, w->npids, &w->acct[1]) : -EINVAL;
	exp_set_phase(ctx, "between", NULL);
	if (r < 0) {
		free(w->acct);
		return 0;
	}
	struct account_delta d;
	account_delta(&w->acct[0], &w->acct[1], &d);
	const char *src = d.source;
	exp_sample(ctx, t, "cpu_s", d.cpu_s, "s", rep, src);
	exp_sample(ctx, t, "cpu_pct", d.interval_s > 0 ? 100.0 * d.cpu_s / d.interval_s : NAN, "%", rep, src);
	exp_sample(ctx, t, "wakeups_per_s", d.wakeups_per_s, "1/s", rep, src);
	exp_sample(ctx, t, "rss_kib", (double)d.rss_kb, "KiB", rep, src);

	double host_j = have_energy ? meter_joules_between(&ctx->meter, &w->energy, &e2) : NAN;
	struct energy_share share;
	const char *method = ctx->meter_opened ? ctx->meter.method : METHOD_UNAVAILABLE;
	energy_attribute(host_j, method, ctx->baseline_w, method, d.interval_s, d.cpu_share, &share);
	const char *esrc = ctx->meter.source, *eb = ctx->meter.boundary;
	exp_sample_m(ctx, t, "host_energy_j", host_j, "J", rep, method, esrc, eb);
	exp_sample_m(ctx, t, "energy_j", share.target_active_j, "J", rep, share.method, esrc, eb);
	exp_sample_m(ctx, t, "power_w", d.interval_s > 0 ? share.target_active_j / d.interval_s : NAN, "W",
		     rep, share.method, esrc, eb);
	if (units > 0 && unit_name) {
		char metric[48];
		snprintf(metric, sizeof(metric), "energy_per_%s_j", unit_name);
		exp_sample_m(ctx, t, metric, share.target_active_j / units, "J", rep, share.method, esrc, eb);
	}
	free(w->acct);
	w->acct = NULL;
	return 0;
}
