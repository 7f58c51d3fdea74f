/* Figures of the performance experiments: boot time (box plot + CDF),
 * syscall latency, HTTP throughput/latency/energy, the power timeline. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_figdata.h"
#include "stats.h"

/* ---- boot: box plot of the repetitions and their CDF ---- */
int fig_extract_boot(struct fig_job *job)
{
	const char *metric = "first_200_ms";
	struct fig_series ser[FIG_MAX_SERIES];
	int n = fig_list_series(job->set, "boot", metric, ser, FIG_MAX_SERIES);
	if (!n) {
		metric = "ready_ms";
		n = fig_list_series(job->set, "boot", metric, ser, FIG_MAX_SERIES);
	}
	if (!n) {
		snprintf(job->fig->note, sizeof(job->fig->note), "no boot results in these runs");
		return 0;
	}
	char path[1200];
	FILE *f = fig_open_data(job, ".dat", path, sizeof(path));
	if (!f)
		return -errno;
	double lo = INFINITY, hi = 0;
	int est[FIG_MAX_SERIES];
	for (int i = 0; i < n; i++) {
		struct rd_series s;
		est[i] = 0;
		if (rd_collect(job->set, ser[i].host, "boot", ser[i].target, metric, &s) < 0)
			continue;
		est[i] = rd_series_estimated(&s);
		double *sorted = malloc(s.n * sizeof(double));
		if (sorted) {
			memcpy(sorted, s.v, s.n * sizeof(double));
			for (size_t a = 1; a < s.n; a++)
				for (size_t b = a; b > 0 && sorted[b - 1] > sorted[b]; b--) {
					double t = sorted[b];
					sorted[b] = sorted[b - 1];
					sorted[b - 1] = t;
				}
		}
		fprintf(f, "%s# %s: value, sorted value, empirical CDF\n", i ? "\n\n" : "", ser[i].label);
		/* The CDF starts at 0 at the smallest value; that row has no value of its own. */
		if (sorted && s.n)
			fprintf(f, "NaN %.10g 0\n", sorted[0]);
		for (size_t k = 0; sorted && k < s.n; k++) {
			fprintf(f, "%.10g %.10g %.6f\n", s.v[k], sorted[k], (double)(k + 1) / (double)s.n);
			if (s.v[k] > 0 && s.v[k] < lo)
				lo = s.v[k];
			if (s.v[k] > hi)
				hi = s.v[k];
		}
		free(sorted);
		rd_series_free(&s);
	}
	fclose(f);
	fig_labels(job->vars, ser, n);
	fig_gp_array_int(job->vars, "est", est, n);
	fig_gp_set(job->vars, "metric", metric);
	fprintf(job->vars, "logy = %d\n", lo > 0 && hi / lo > 30);
	snprintf(job->fig->caption, sizeof(job->fig->caption),
		 "Launch → %s per target (%s): left, the repetitions (box: quartiles, whiskers: 1.5 IQR, "
		 "dots: each repetition); right, their empirical CDF.",
		 !strcmp(metric, "first_200_ms") ? "first HTTP 200" : "READY line", metric);
	return 1;
}

/* Operations of the syscall experiment: its *_ns metrics in order. */
static int syscall_ops(const struct rd_set *set, const char **ops, char (*names)[RD_NAME], int max)
{
	struct rd_names m;
	rd_metrics(set, "syscall", &m);
	int n = 0;
	for (int i = 0; i < m.n && n < max; i++) {
		size_t l = strlen(m.v[i]);
		if (l > 3 && !strcmp(m.v[i] + l - 3, "_ns")) {
			snprintf(names[n], RD_NAME, "%.*s", (int)(l - 3), m.v[i]);
			ops[n] = names[n];
			n++;
		}
	}
	return n;
}

/* ---- syscall: median per operation and target, log scale, CIs ---- */
int fig_extract_syscall(struct fig_job *job)
{
	const char *ops[16];
	char names[16][RD_NAME];
	int nops = syscall_ops(job->set, ops, names, 16);
	if (!nops) {
		snprintf(job->fig->note, sizeof(job->fig->note), "no syscall results in these runs");
		return 0;
	}
	char metric[RD_NAME + 4];
	struct fig_series ser[FIG_MAX_SERIES];
	int n = 0;
	/* Series: every target that has any operation. */
	for (int o = 0; o < nops; o++) {
		struct fig_series s[FIG_MAX_SERIES];
		snprintf(metric, sizeof(metric), "%s_ns", ops[o]);
		int k = fig_list_series(job->set, "syscall", metric, s, FIG_MAX_SERIES);
		for (int i = 0; i < k; i++) {
			int dup = 0;
			for (int j = 0; j < n; j++)
				dup |= !strcmp(ser[j].host, s[i].host) && !strcmp(ser[j].target, s[i].target);
			if (!dup && n < FIG_MAX_SERIES)
				ser[n++] = s[i];
		}
	}
	char path[1200];
	FILE *f = fig_open_data(job, ".dat", path, sizeof(path));
	if (!f)
		return -errno;
	int no_ci = 0, est[FIG_MAX_SERIES];
	for (int i = 0; i < n; i++) {
		est[i] = 0;
		fprintf(f, "%s# %s: operation, median, low, high (ns)\n", i ? "\n\n" : "", ser[i].label);
		for (int o = 0; o < nops; o++) {
			struct rd_series s;
			snprintf(metric, sizeof(metric), "%s_ns", ops[o]);
			if (rd_collect(job->set, ser[i].host, "syscall", ser[i].target, metric, &s) < 0)
				continue;
			if (s.n) {
				struct summary sm;
				stats_summarize(s.v, s.n, &sm);
				double lo = sm.ci_lo, hi = sm.ci_hi;
				if (isnan(lo)) {
					lo = sm.p5;
					hi = sm.p95;
					no_ci = 1;
				}
				fprintf(f, "%d %.10g %.10g %.10g\n", o + 1, sm.median, lo, hi);
				est[i] |= rd_series_estimated(&s);
			} else {
				fprintf(f, "%d NaN NaN NaN\n", o + 1);
			}
			rd_series_free(&s);
		}
	}
	fclose(f);
	fig_labels(job->vars, ser, n);
	fig_gp_array_int(job->vars, "est", est, n);
	fprintf(job->vars, "ncat = %d\n", nops);
	fig_gp_array_str(job->vars, "cat", ops, nops);
	fig_gp_set(job->vars, "ylabel", "nanoseconds per call (log scale)");
	fprintf(job->vars, "logy = 1\n");
	char note[200];
	fig_whisker_note(note, sizeof(note), no_ci);
	fig_gp_set(job->vars, "whiskers", note);
	snprintf(job->fig->caption, sizeof(job->fig->caption),
		 "Median nanoseconds per call inside each target, lmbench-style loop (log scale); %s.", note);
	return 1;
}

/* ---- http: throughput, latency percentiles, energy per request ---- */
int fig_extract_http(struct fig_job *job)
{
	struct fig_series ser[FIG_MAX_SERIES];
	int n = fig_list_series(job->set, "load", "requests_per_s", ser, FIG_MAX_SERIES);
	if (!n) {
		snprintf(job->fig->note, sizeof(job->fig->note), "no HTTP load results in these runs");
		return 0;
	}
	fig_labels(job->vars, ser, n);
	int any_est = 0, no_ci = 0;
	char unit[16] = "";
	int r = fig_write_bars(job, "rps", "load", "requests_per_s", ser, n, unit, sizeof(unit), &any_est, &no_ci);
	if (r < 0)
		return r;
	unit[0] = '\0';
	int est_e = 0;
	r = fig_write_bars(job, "epr", "load", "energy_per_request_j", ser, n, unit, sizeof(unit), &est_e, &no_ci);
	if (r < 0)
		return r;
	fprintf(job->vars, "have_epr = %d\n", r > 0);

	static const char *const pct[] = { "p50_us", "p90_us", "p99_us", "p999_us" };
	static const char *const pname[] = { "p50", "p90", "p99", "p99.9" };
	char path[1200];
	FILE *f = fig_open_named(job, "lat", path, sizeof(path));
	if (!f)
		return -errno;
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s# %s: percentile, median over repetitions, low, high (us)\n", i ? "\n\n" : "",
			ser[i].label);
		for (int p = 0; p < 4; p++) {
			struct rd_series s;
			if (rd_collect(job->set, ser[i].host, "load", ser[i].target, pct[p], &s) < 0)
				continue;
			struct summary sm;
			if (s.n && stats_summarize(s.v, s.n, &sm) == 0) {
				double lo = isnan(sm.ci_lo) ? sm.p5 : sm.ci_lo, hi = isnan(sm.ci_lo) ? sm.p95 : sm.ci_hi;
				no_ci |= isnan(sm.ci_lo);
				fprintf(f, "%d %.10g %.10g %.10g\n", p + 1, sm.median, lo, hi);
			} else {
				fprintf(f, "%d NaN NaN NaN\n", p + 1);
			}
			rd_series_free(&s);
		}
	}
	fclose(f);
	fig_gp_array_str(job->vars, "pct", (const char *const *)pname, 4);
	char note[200];
	fig_whisker_note(note, sizeof(note), no_ci);
	fig_gp_set(job->vars, "whiskers", note);
	snprintf(job->fig->caption, sizeof(job->fig->caption),
		 "HTTP load on the 612-byte page: requests/s, latency percentiles (log scale) and energy per "
		 "request, medians over repetitions; %s. Hollow dashed bars are a model's estimate.", note);
	return 1;
}

static const char *phase_color(const char *kind, int *cycle)
{
	static const char *const known[][2] = {
		{ "baseline", "#b0b0b0" }, { "between", "#dcdcdc" }, { "none", "#f0f0f0" },
		{ "load", "#f5a623" },     { "idle", "#4a90d9" },    { "booting", "#d0021b" },
		{ "serving", "#7ed321" },  { "idle-warm", "#f8e71c" }, { "off", "#4a4a4a" },
		{ "boot", "#d0021b" },     { "serve", "#7ed321" },   { "stop", "#9013fe" },
		{ "stopping", "#9013fe" },
		{ NULL, NULL } };
	static const char *const extra[] = { "#50e3c2", "#bd10e0", "#8b572a", "#417505" };
	for (int i = 0; known[i][0]; i++)
		if (!strcmp(known[i][0], kind))
			return known[i][1];
	return extra[(*cycle)++ % 4];
}

/* ---- timeline: host power over the run, phases shaded ---- */
int fig_extract_timeline(struct fig_job *job)
{
	const struct rd_run *run = &job->set->runs[job->run];
	struct rd_point *p;
	size_t n;
	int r = rd_timeseries(run, "host", "power_w", &p, &n);
	if (r < 0)
		return r;
	if (!n) {
		snprintf(job->fig->note, sizeof(job->fig->note), "no power time series in run %s", run->id);
		return 0;
	}
	char path[1200];
	FILE *f = fig_open_data(job, ".dat", path, sizeof(path));
	if (!f) {
		free(p);
		return -errno;
	}
	fprintf(f, "# t_s power_w (host, %s, %s)\n", p[0].method, p[0].source);
	int est = 0;
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%.6f %.6g\n", p[i].t, p[i].v);
		est |= !strcmp(p[i].method, METHOD_ESTIMATED);
	}
	fclose(f);

	struct rd_point *cpu;
	size_t ncpu;
	if (rd_timeseries(run, "host", "cpu_pct", &cpu, &ncpu) == 0 && ncpu) {
		FILE *c = fig_open_named(job, "cpu", path, sizeof(path));
		if (c) {
			for (size_t i = 0; i < ncpu; i++)
				fprintf(c, "%.6f %.6g\n", cpu[i].t, cpu[i].v);
			fclose(c);
		}
	}
	free(cpu);
	fprintf(job->vars, "have_cpu = %d\n", ncpu > 0);

	struct rd_interval *iv;
	size_t niv;
	if (rd_phase_intervals(p, n, &iv, &niv) < 0) {
		free(p);
		return -ENOMEM;
	}
	double span = p[n - 1].t - p[0].t;
	struct rd_names kinds = { .n = 0 };
	const char *kcol[RD_MAX_NAMES] = { 0 };
	int cycle = 0;
	/* Shading as gnuplot objects; one key entry per kind of phase, and the
	 * target's name inside stretches wide enough to hold it. */
	for (size_t i = 0; i < niv; i++) {
		char kind[32], tgt[32];
		rd_phase_kind(iv[i].phase, kind, sizeof(kind), tgt, sizeof(tgt));
		int k;
		for (k = 0; k < kinds.n && strcmp(kinds.v[k], kind); k++)
			;
		if (k == kinds.n && kinds.n < RD_MAX_NAMES) {
			snprintf(kinds.v[kinds.n], RD_NAME, "%s", kind);
			kcol[kinds.n++] = phase_color(kind, &cycle);
		}
		if (k >= RD_MAX_NAMES)
			continue;
		fprintf(job->vars,
			"set object %zu rect from %.6f, graph 0 to %.6f, graph 1 behind fc rgb \"%s\" "
			"fs solid 0.35 noborder\n",
			i + 1, iv[i].t0, iv[i].t1, kcol[k]);
		if (tgt[0] && span > 0 && (iv[i].t1 - iv[i].t0) / span > 0.04) {
			fprintf(job->vars, "set label %zu ", i + 1);
			fig_gp_string(job->vars, tgt);
			fprintf(job->vars, " at %.6f, graph 0.03 rotate by 90 left front font \",9\"\n",
				(iv[i].t0 + iv[i].t1) / 2);
		}
	}
	const char *kn[RD_MAX_NAMES] = { 0 };
	for (int k = 0; k < kinds.n; k++)
		kn[k] = kinds.v[k];
	fprintf(job->vars, "nkinds = %d\n", kinds.n);
	fig_gp_array_str(job->vars, "kind", kn, kinds.n);
	fig_gp_array_str(job->vars, "kcol", kcol, kinds.n);
	char ptitle[200];
	if (est)
		snprintf(ptitle, sizeof(ptitle), "host power (estimated: %s)", p[0].source);
	else
		snprintf(ptitle, sizeof(ptitle), "host power (measured: %s)", p[0].source);
	fig_gp_set(job->vars, "ptitle", ptitle);
	fprintf(job->vars, "est = %d\n", est);
	snprintf(job->fig->caption, sizeof(job->fig->caption),
		 "Host power sampled during run %s (%s), phases shaded (baseline: no target; load, idle, "
		 "booting, serving, idle-warm, off: the target named inside the band).%s%s",
		 run->id, p[0].source, est ? " The power is a model's estimate from CPU utilisation." : "",
		 ncpu ? "" : " No host CPU time series was recorded, so only power is drawn.");
	snprintf(job->fig->title, sizeof(job->fig->title), "Power timeline (%s)", run->id);
	free(iv);
	free(p);
	return 1;
}
