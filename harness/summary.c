/* The table printed after every experiment: median, p5/p95, 95% CI of the
 * median, MAD-flagged outliers (flagged, never removed), and each target's
 * median as a ratio to a base target, with the base's absolute value. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "stats.h"

static size_t collect(const struct run *run, const char *exp, const char *target, const char *metric,
		      double *out, size_t max, const char **unit, const char **method)
{
	size_t n = 0;
	for (size_t i = 0; i < run->n && n < max; i++) {
		const struct sample *s = &run->samples[i];
		if (strcmp(s->experiment, exp) || strcmp(s->target, target) || strcmp(s->metric, metric))
			continue;
		if (s->phase[0] && strcmp(s->phase, "summary") != 0)
			continue; /* time series are plotted, not tabulated */
		*unit = s->unit;
		*method = s->method;
		if (!isnan(s->value))
			out[n++] = s->value;
	}
	return n;
}

static int seen_before(const struct run *run, size_t upto, const char *exp, const char *target)
{
	for (size_t i = 0; i < upto; i++)
		if (!strcmp(run->samples[i].experiment, exp) && !strcmp(run->samples[i].target, target))
			return 1;
	return 0;
}

static int list_targets(const struct run *run, const char *exp, const char **out, int max)
{
	int n = 0;
	for (size_t i = 0; i < run->n && n < max; i++)
		if (!strcmp(run->samples[i].experiment, exp) && !seen_before(run, i, exp, run->samples[i].target))
			out[n++] = run->samples[i].target;
	return n;
}

static void fmt_value(char *out, size_t cap, double v)
{
	if (isnan(v))
		snprintf(out, cap, "-");
	else if (fabs(v) >= 1e5 || (fabs(v) < 1e-2 && v != 0))
		snprintf(out, cap, "%.3g", v);
	else
		snprintf(out, cap, "%.2f", v);
}

void summary_print(const struct run *run, const char *exp, const char *const *metrics,
		   const char *ratio_base)
{
	const char *targets[16];
	int nt = list_targets(run, exp, targets, 16);
	if (nt == 0) {
		printf("%s: no results\n", exp);
		return;
	}
	const char *preferred = ratio_base ? ratio_base : "native";
	double *v = malloc(run->n * sizeof(double) + sizeof(double));
	if (!v)
		return;
	printf("\n%s — median, p5/p95, 95%% CI of the median; ratio = median / median of %s"
	       " (else of the first target measured)\n", exp, preferred);
	printf("%-22s %-15s %4s %10s %10s %10s %21s %4s %-10s %s\n", "metric", "target", "n", "median",
	       "p5", "p95", "95% CI", "out", "unit", "ratio (base value)");
	for (int m = 0; metrics && metrics[m]; m++) {
		const char *unit = "", *method = "";
		double base_median = NAN;
		const char *base = NULL;
		for (int t = 0; t < nt; t++) {
			size_t bn = collect(run, exp, targets[t], metrics[m], v, run->n, &unit, &method);
			if (bn && (!base || !strcmp(targets[t], preferred))) {
				base = targets[t];
				base_median = stats_median(v, bn);
			}
		}
		if (!base)
			continue;
		for (int t = 0; t < nt; t++) {
			size_t n = collect(run, exp, targets[t], metrics[m], v, run->n, &unit, &method);
			if (!n)
				continue;
			struct summary s;
			stats_summarize(v, n, &s);
			char med[24], p5[24], p95[24], lo[24], hi[24], ci[64], ratio[96];
			fmt_value(med, sizeof(med), s.median);
			fmt_value(p5, sizeof(p5), s.p5);
			fmt_value(p95, sizeof(p95), s.p95);
			fmt_value(lo, sizeof(lo), s.ci_lo);
			fmt_value(hi, sizeof(hi), s.ci_hi);
			if (isnan(s.ci_lo))
				snprintf(ci, sizeof(ci), "(n<6)");
			else
				snprintf(ci, sizeof(ci), "[%s, %s]", lo, hi);
			char bv[24];
			fmt_value(bv, sizeof(bv), base_median);
			if (!strcmp(targets[t], base))
				snprintf(ratio, sizeof(ratio), "1.00 (base %s %s)", bv, unit);
			else if (isnan(base_median) || base_median == 0)
				snprintf(ratio, sizeof(ratio), "n/a (base %s)", bv);
			else
				snprintf(ratio, sizeof(ratio), "%.2fx", s.median / base_median);
			char unit_m[40];
			snprintf(unit_m, sizeof(unit_m), "%s%s", unit, strcmp(method, "measured") ? "*" : "");
			printf("%-22s %-15s %4zu %10s %10s %10s %21s %4zu %-10s %s\n", metrics[m], targets[t], s.n,
			       med, p5, p95, ci, s.outliers, unit_m, ratio);
		}
	}
	printf("(* = estimated or unavailable, see method in samples.csv; 'out' = MAD outliers, flagged, kept)\n");
	free(v);
}
