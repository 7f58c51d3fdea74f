/* The report's tables: per experiment (median, p5/p95, CI, outliers, method,
 * source), ratios with absolute base values, power per phase, single values. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_frag.h"
#include "report_md.h"
#include "stats.h"

/* A heading before each group's block when there are several, or when a
 * group carries a configuration (a scale policy and trace) worth naming. */
static void group_heading(FILE *f, const struct rd_names *groups, int g)
{
	if (groups->n < 2 && !strchr(groups->v[g], '/'))
		return;
	char title[2 * RD_NAME + 40];
	rd_group_title(groups->v[g], title, sizeof(title));
	fprintf(f, "\n**Host %s**:\n\n", title);
}

static void method_cell(char *out, size_t cap, const struct rd_series *s)
{
	if (s->boundary[0])
		snprintf(out, cap, "%s (%s)", s->method, s->boundary);
	else
		snprintf(out, cap, "%s", s->method);
}

static void count_cell(char *out, size_t cap, const struct rd_series *s)
{
	if (s->unavailable)
		snprintf(out, cap, "%zu (+%zu n/a)", s->n, s->unavailable);
	else
		snprintf(out, cap, "%zu", s->n);
}

static void ci_cell(char *out, size_t cap, const struct summary *sm)
{
	if (isnan(sm->ci_lo)) {
		snprintf(out, cap, "n<6");
		return;
	}
	char lo[32], hi[32];
	md_num(lo, sizeof(lo), sm->ci_lo);
	md_num(hi, sizeof(hi), sm->ci_hi);
	snprintf(out, cap, "[%s, %s]", lo, hi);
}

static void table_block(FILE *f, struct rf_ctx *ctx, const char *host, const char *exp)
{
	struct rd_names targets, metrics;
	rd_targets(ctx->set, host, exp, &targets);
	rd_metrics(ctx->set, exp, &metrics);
	static const char *const head[] = { "metric", "target", "n", "median", "p5", "p95",
					    "95% CI (median)", "outliers", "unit", "method", "source" };
	md_table_head(f, head, 11, "llrrrrrrlll");
	int pooled = 0;
	for (int m = 0; m < metrics.n; m++)
		for (int t = 0; t < targets.n && rf_metric_wanted(ctx, metrics.v[m]); t++) {
			struct rd_series s;
			if (rd_collect(ctx->set, host, exp, targets.v[t], metrics.v[m], &s) < 0)
				continue;
			if (s.n == 0 && s.unavailable == 0) {
				rd_series_free(&s);
				continue;
			}
			struct summary sm;
			stats_summarize(s.v, s.n, &sm);
			char n[48], med[32], p5[32], p95[32], ci[80], out[32], method[48];
			count_cell(n, sizeof(n), &s);
			md_num(med, sizeof(med), sm.median);
			md_num(p5, sizeof(p5), sm.p5);
			md_num(p95, sizeof(p95), sm.p95);
			ci_cell(ci, sizeof(ci), &sm);
			if (s.n)
				snprintf(out, sizeof(out), "%zu", sm.outliers);
			else
				snprintf(out, sizeof(out), "n/a");
			method_cell(method, sizeof(method), &s);
			const char *row[] = { metrics.v[m], targets.v[t], n, med, p5, p95, ci, out,
					      s.unit, method, s.source };
			md_table_row(f, row, 11);
			pooled |= s.nruns > 1;
			rd_series_free(&s);
		}
	if (pooled)
		fprintf(f, "\nSome rows pool the repetitions of several run directories (%s).\n", host);
}

void rf_table(FILE *f, struct rf_ctx *ctx, const char *exp)
{
	struct rd_names groups, exps;
	rd_experiments(ctx->set, &exps);
	struct rd_names metrics;
	rd_metrics(ctx->set, exp, &metrics);
	if (!rd_names_has(&exps, exp) || metrics.n == 0) {
		fprintf(f, "*No %s results in these runs.*\n", exp);
		ctx->missing++;
		return;
	}
	rd_groups(ctx->set, exp, &groups);
	for (int g = 0; g < groups.n; g++) {
		struct rd_names targets;
		rd_targets(ctx->set, groups.v[g], exp, &targets);
		if (!targets.n)
			continue;
		group_heading(f, &groups, g);
		table_block(f, ctx, groups.v[g], exp);
	}
}

static void ratio_block(FILE *f, struct rf_ctx *ctx, const char *host, const char *exp)
{
	struct rd_names targets, metrics;
	rd_targets(ctx->set, host, exp, &targets);
	rd_metrics(ctx->set, exp, &metrics);
	int rows = 0;
	for (int m = 0; m < metrics.n; m++) {
		const char *base = rd_pick_base(ctx->set, host, exp, metrics.v[m], &targets);
		if (!base || !rf_metric_wanted(ctx, metrics.v[m]))
			continue;
		struct rd_series bs;
		if (rd_collect(ctx->set, host, exp, base, metrics.v[m], &bs) < 0)
			continue;
		double bmed = stats_median(bs.v, bs.n);
		for (int t = 0; t < targets.n; t++) {
			if (!strcmp(targets.v[t], base) || !strcmp(targets.v[t], "host"))
				continue;
			struct rd_series s;
			if (rd_collect(ctx->set, host, exp, targets.v[t], metrics.v[m], &s) < 0)
				continue;
			if (!s.n) {
				rd_series_free(&s);
				continue;
			}
			if (!rows++) {
				static const char *const head[] = { "metric", "target", "median", "base",
								    "base median", "ratio" };
				md_table_head(f, head, 6, "llrlrr");
			}
			double med = stats_median(s.v, s.n);
			char a[48], b[48], r[32];
			md_num(a, sizeof(a), med);
			md_num(b, sizeof(b), bmed);
			size_t la = strlen(a), lb = strlen(b);
			snprintf(a + la, sizeof(a) - la, " %s%s", s.unit, rd_series_estimated(&s) ? " (est.)" : "");
			snprintf(b + lb, sizeof(b) - lb, " %s%s", bs.unit,
				 rd_series_estimated(&bs) ? " (est.)" : "");
			if (bmed == 0)
				snprintf(r, sizeof(r), "n/a (base is 0)");
			else
				md_ratio(r, sizeof(r), rd_ratio(med, bmed));
			const char *row[] = { metrics.v[m], targets.v[t], a, base, b, r };
			md_table_row(f, row, 6);
			rd_series_free(&s);
		}
		rd_series_free(&bs);
	}
	if (!rows)
		fprintf(f, "*One target only: no ratios.*\n");
}

void rf_ratios(FILE *f, struct rf_ctx *ctx, const char *exp)
{
	struct rd_names groups, metrics;
	rd_metrics(ctx->set, exp, &metrics);
	if (metrics.n == 0) {
		fprintf(f, "*No %s results in these runs.*\n", exp);
		ctx->missing++;
		return;
	}
	rd_groups(ctx->set, exp, &groups);
	for (int g = 0; g < groups.n; g++) {
		struct rd_names targets;
		rd_targets(ctx->set, groups.v[g], exp, &targets);
		if (!targets.n)
			continue;
		group_heading(f, &groups, g);
		ratio_block(f, ctx, groups.v[g], exp);
	}
}

void rf_power_phases(FILE *f, struct rf_ctx *ctx)
{
	int any = 0;
	for (int i = 0; i < ctx->set->nruns; i++) {
		const struct rd_run *run = &ctx->set->runs[i];
		struct rd_point *p;
		size_t n;
		if (rd_timeseries(run, "host", "power_w", &p, &n) < 0 || !n)
			continue;
		/* Phases in order of first appearance, each summarised over all its points. */
		struct rd_names phases = { .n = 0 };
		for (size_t k = 0; k < n; k++)
			if (phases.n < RD_MAX_NAMES && !rd_names_has(&phases, p[k].phase))
				snprintf(phases.v[phases.n++], RD_NAME, "%s", p[k].phase);
		fprintf(f, "%sRun `%s` (host %s), host power sampled over time:\n\n", any ? "\n" : "", run->id,
			run->host);
		static const char *const head[] = { "phase", "samples", "median W", "p5 W", "p95 W",
						    "method", "source" };
		md_table_head(f, head, 7, "lrrrrll");
		double *v = malloc(n * sizeof(*v));
		for (int ph = 0; v && ph < phases.n; ph++) {
			size_t m = 0;
			const char *method = "", *source = "";
			for (size_t k = 0; k < n; k++)
				if (!strcmp(p[k].phase, phases.v[ph])) {
					v[m++] = p[k].v;
					method = p[k].method;
					source = p[k].source;
				}
			struct summary sm;
			stats_summarize(v, m, &sm);
			char cnt[24], med[32], p5[32], p95[32];
			snprintf(cnt, sizeof(cnt), "%zu", m);
			md_num(med, sizeof(med), sm.median);
			md_num(p5, sizeof(p5), sm.p5);
			md_num(p95, sizeof(p95), sm.p95);
			const char *row[] = { phases.v[ph], cnt, med, p5, p95, method, source };
			md_table_row(f, row, 7);
		}
		free(v);
		free(p);
		any = 1;
	}
	if (!any)
		fprintf(f, "*No power time series in these runs.*\n");
}

int rf_value(FILE *f, struct rf_ctx *ctx, const char *exp, const char *target, const char *metric,
	     const char *stat, const char *host)
{
	struct rd_names groups;
	rd_groups(ctx->set, exp, &groups);
	if (!host && groups.n)
		host = groups.v[0];
	if (!stat)
		stat = "median";
	struct rd_series s;
	if (!host || rd_collect(ctx->set, host, exp, target, metric, &s) < 0 || !s.n) {
		if (host)
			rd_series_free(&s);
		fprintf(f, "n/a");
		ctx->missing++;
		return -ENOENT;
	}
	struct summary sm;
	stats_summarize(s.v, s.n, &sm);
	char num[48], num2[48];
	int r = 0;
	if (!strcmp(stat, "n")) {
		fprintf(f, "%zu", s.n);
	} else if (!strcmp(stat, "ci")) {
		md_num(num, sizeof(num), sm.ci_lo);
		md_num(num2, sizeof(num2), sm.ci_hi);
		if (isnan(sm.ci_lo))
			fprintf(f, "n/a (n<6)");
		else
			fprintf(f, "[%s, %s] %s", num, num2, s.unit);
	} else if (!strncmp(stat, "ratio", 5)) {
		/* "ratio" is to the table's base target; "ratio:vm" to a named one. */
		struct rd_names targets;
		rd_targets(ctx->set, host, exp, &targets);
		const char *base = stat[5] == ':' ? stat + 6 : rd_pick_base(ctx->set, host, exp, metric, &targets);
		struct rd_series bs;
		double ratio = NAN;
		if (base && rd_collect(ctx->set, host, exp, base, metric, &bs) == 0) {
			ratio = rd_ratio(sm.median, stats_median(bs.v, bs.n));
			rd_series_free(&bs);
		}
		md_ratio(num, sizeof(num), ratio);
		fputs(num, f);
		if (isnan(ratio)) {
			ctx->missing++;
			r = -ENOENT;
		}
	} else {
		double v = !strcmp(stat, "mean") ? sm.mean : !strcmp(stat, "p5") ? sm.p5
			 : !strcmp(stat, "p95") ? sm.p95 : !strcmp(stat, "min") ? sm.min
			 : !strcmp(stat, "max") ? sm.max : sm.median;
		md_num(num, sizeof(num), v);
		fprintf(f, "%s %s", num, s.unit);
	}
	if (rd_series_estimated(&s) && strcmp(stat, "n") != 0)
		fprintf(f, " (estimated)");
	rd_series_free(&s);
	return r;
}

void rf_run_ids(FILE *f, struct rf_ctx *ctx)
{
	for (int i = 0; i < ctx->set->nruns; i++) {
		const struct rd_run *run = &ctx->set->runs[i];
		const char *commit = rd_meta_str(run, "git_commit");
		fprintf(f, "%s`%s` (commit %.12s)", i ? ", " : "", run->id, *commit ? commit : "unrecorded");
	}
}
