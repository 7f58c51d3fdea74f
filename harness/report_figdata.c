/* Data files for the figures: one extractor per figure, as rows of a table
 * (in the manner of perf bench's collections), each writing <name>.dat and
 * <name>.vars.gp for plots/<script>.gp. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_fig.h"
#include "stats.h"

#define FIG_MAX_SERIES 32

struct fig_series {
	char host[RD_NAME];
	char target[RD_NAME];   /* the sample's target label (may carry a policy) */
	char label[160];        /* legend text */
};

struct fig_job {
	const struct rd_set *set;
	const char *datadir;
	struct rf_figure *fig;
	FILE *vars;
	int run;                /* per-run figures: index into set->runs */
};

struct fig_def {
	const char *name;
	const char *script;      /* plots/<script>.gp */
	const char *title;
	int per_run;             /* one figure per run directory (timeline) */
	/* >0: data written; 0: absent (fig->note says why); <0: -errno. */
	int (*extract)(struct fig_job *job);
};

void fig_gp_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void gp_set(FILE *f, const char *var, const char *value)
{
	fprintf(f, "%s = ", var);
	fig_gp_string(f, value);
	fputc('\n', f);
}

static void gp_array_str(FILE *f, const char *name, const char *const *v, int n)
{
	fprintf(f, "array %s[%d]\n", name, n > 0 ? n : 1);
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s[%d] = ", name, i + 1);
		fig_gp_string(f, v[i]);
		fputc('\n', f);
	}
}

static void gp_array_int(FILE *f, const char *name, const int *v, int n)
{
	fprintf(f, "array %s[%d]\n", name, n > 0 ? n : 1);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s[%d] = %d\n", name, i + 1, v[i]);
}

static FILE *open_data(const struct fig_job *job, const char *suffix, char *path, size_t cap)
{
	snprintf(path, cap, "%s/%s%s", job->datadir, job->fig->name, suffix);
	FILE *f = fopen(path, "w");
	if (f) {
		fprintf(job->vars, "%s = ", suffix[0] == '.' ? "dat" : suffix + 1);
		/* dat_<x>.dat is named dat_<x> in the vars; the main file is "dat". */
		fig_gp_string(job->vars, path);
		fputc('\n', job->vars);
	}
	return f;
}

/* Renames the variable written by open_data for files like "-lat.dat". */
static FILE *open_named(const struct fig_job *job, const char *var, char *path, size_t cap)
{
	snprintf(path, cap, "%s/%s-%s.dat", job->datadir, job->fig->name, var);
	FILE *f = fopen(path, "w");
	if (f) {
		fprintf(job->vars, "%s = ", var);
		fig_gp_string(job->vars, path);
		fputc('\n', job->vars);
	}
	return f;
}

/* Series of an experiment with values for metric: every (host, target) pair,
 * the machine itself ("host") excluded. Labels name the host only when the
 * runs come from several. */
static int list_series(const struct rd_set *set, const char *exp, const char *metric,
		       struct fig_series *out, int max)
{
	struct rd_names hosts;
	rd_hosts(set, &hosts);
	int n = 0;
	for (int h = 0; h < hosts.n; h++) {
		struct rd_names targets;
		rd_targets(set, hosts.v[h], exp, &targets);
		for (int t = 0; t < targets.n && n < max; t++) {
			if (!strcmp(targets.v[t], "host"))
				continue;
			struct rd_series s;
			if (rd_collect(set, hosts.v[h], exp, targets.v[t], metric, &s) < 0)
				continue;
			size_t cnt = s.n;
			rd_series_free(&s);
			if (!cnt)
				continue;
			snprintf(out[n].host, sizeof(out[n].host), "%s", hosts.v[h]);
			snprintf(out[n].target, sizeof(out[n].target), "%s", targets.v[t]);
			char tg[RD_NAME], pol[RD_NAME];
			rd_split_label(targets.v[t], tg, sizeof(tg), pol, sizeof(pol));
			snprintf(out[n].label, sizeof(out[n].label), "%s%s%s%s%s", tg, pol[0] ? ", " : "", pol,
				 hosts.n > 1 ? " @" : "", hosts.n > 1 ? hosts.v[h] : "");
			n++;
		}
	}
	return n;
}

/* Legend text: the label, and for a model's numbers what model. */
static void legend(char *out, size_t cap, const char *label, const struct rd_series *s)
{
	if (rd_series_estimated(s))
		snprintf(out, cap, "%s (estimated: %s)", label, s->source[0] ? s->source : "model");
	else
		snprintf(out, cap, "%s", label);
}

/* One bar per series: "x median lo hi est" with lo/hi the 95% CI of the
 * median, or p5/p95 when fewer than 6 repetitions allow no CI. Legends and
 * estimated flags go to the vars as arrays <prefix>_t and <prefix>_e. */
static int write_bars(struct fig_job *job, const char *var, const char *exp, const char *metric,
		      const struct fig_series *ser, int n, char *unit, size_t ucap, int *any_est, int *no_ci)
{
	char path[1200];
	FILE *f = open_named(job, var, path, sizeof(path));
	if (!f)
		return -errno;
	const char *titles[FIG_MAX_SERIES] = { 0 }, *keys[FIG_MAX_SERIES] = { 0 };
	char tbuf[FIG_MAX_SERIES][200], kbuf[FIG_MAX_SERIES][120];
	int est[FIG_MAX_SERIES], written = 0, panel_est = 0;
	for (int i = 0; i < n; i++) {
		struct rd_series s;
		titles[i] = tbuf[i];
		keys[i] = kbuf[i];
		tbuf[i][0] = kbuf[i][0] = '\0';
		est[i] = 0;
		if (rd_collect(job->set, ser[i].host, exp, ser[i].target, metric, &s) < 0)
			continue;
		fprintf(f, "%s# %s\n", i ? "\n\n" : "", ser[i].label);
		if (s.n) {
			struct summary sm;
			stats_summarize(s.v, s.n, &sm);
			double lo = sm.ci_lo, hi = sm.ci_hi;
			if (isnan(lo)) {
				lo = sm.p5;
				hi = sm.p95;
				*no_ci = 1;
			}
			est[i] = rd_series_estimated(&s);
			*any_est |= est[i];
			fprintf(f, "%d %.10g %.10g %.10g %d\n", i + 1, sm.median, lo, hi, est[i]);
			legend(tbuf[i], sizeof(tbuf[i]), ser[i].label, &s);
			if (est[i])
				snprintf(kbuf[i], sizeof(kbuf[i]), "hollow, dashed (estimated: %.80s)",
					 s.source[0] ? s.source : "model");
			panel_est |= est[i];
			if (unit && !unit[0])
				snprintf(unit, ucap, "%s", s.unit);
			written++;
		} else {
			/* gnuplot needs a row in every block to keep the indices aligned. */
			fprintf(f, "%d NaN NaN NaN 0\n", i + 1);
		}
		rd_series_free(&s);
	}
	fclose(f);
	/* The bars are named on the x axis; the key only says how a model's
	 * estimate is drawn, once per source, and, beside one, how a measurement is. */
	int measured_keyed = 0;
	for (int i = 0; i < n; i++) {
		if (est[i]) {
			for (int j = 0; j < i; j++)
				if (est[j] && !strcmp(kbuf[j], kbuf[i]))
					kbuf[i][0] = '\0';
		} else if (tbuf[i][0] && panel_est && !measured_keyed++) {
			snprintf(kbuf[i], sizeof(kbuf[i]), "filled (measured)");
		}
	}
	char name[64];
	snprintf(name, sizeof(name), "%s_t", var);
	gp_array_str(job->vars, name, titles, n);
	snprintf(name, sizeof(name), "%s_k", var);
	gp_array_str(job->vars, name, keys, n);
	snprintf(name, sizeof(name), "%s_e", var);
	gp_array_int(job->vars, name, est, n);
	return written;
}

static void labels_array(FILE *vars, const struct fig_series *ser, int n)
{
	const char *lbl[FIG_MAX_SERIES] = { 0 };
	for (int i = 0; i < n; i++)
		lbl[i] = ser[i].label;
	fprintf(vars, "n = %d\n", n);
	gp_array_str(vars, "lbl", lbl, n);
}

static void whisker_note(char *out, size_t cap, int no_ci)
{
	snprintf(out, cap, "%s", no_ci ? "whiskers: p5–p95 where fewer than 6 repetitions allow no 95% CI of the "
					 "median, else that CI"
				       : "whiskers: 95% CI of the median");
}

/* ---- boot: box plot of the repetitions and their CDF ---- */
static int extract_boot(struct fig_job *job)
{
	const char *metric = "first_200_ms";
	struct fig_series ser[FIG_MAX_SERIES];
	int n = list_series(job->set, "boot", metric, ser, FIG_MAX_SERIES);
	if (!n) {
		metric = "ready_ms";
		n = list_series(job->set, "boot", metric, ser, FIG_MAX_SERIES);
	}
	if (!n) {
		snprintf(job->fig->note, sizeof(job->fig->note), "no boot results in these runs");
		return 0;
	}
	char path[1200];
	FILE *f = open_data(job, ".dat", path, sizeof(path));
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
	labels_array(job->vars, ser, n);
	gp_array_int(job->vars, "est", est, n);
	gp_set(job->vars, "metric", metric);
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
static int extract_syscall(struct fig_job *job)
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
		int k = list_series(job->set, "syscall", metric, s, FIG_MAX_SERIES);
		for (int i = 0; i < k; i++) {
			int dup = 0;
			for (int j = 0; j < n; j++)
				dup |= !strcmp(ser[j].host, s[i].host) && !strcmp(ser[j].target, s[i].target);
			if (!dup && n < FIG_MAX_SERIES)
				ser[n++] = s[i];
		}
	}
	char path[1200];
	FILE *f = open_data(job, ".dat", path, sizeof(path));
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
	labels_array(job->vars, ser, n);
	gp_array_int(job->vars, "est", est, n);
	fprintf(job->vars, "ncat = %d\n", nops);
	gp_array_str(job->vars, "cat", ops, nops);
	gp_set(job->vars, "ylabel", "nanoseconds per call (log scale)");
	fprintf(job->vars, "logy = 1\n");
	char note[200];
	whisker_note(note, sizeof(note), no_ci);
	gp_set(job->vars, "whiskers", note);
	snprintf(job->fig->caption, sizeof(job->fig->caption),
		 "Median nanoseconds per call inside each target, lmbench-style loop (log scale); %s.", note);
	return 1;
}

/* ---- http: throughput, latency percentiles, energy per request ---- */
static int extract_http(struct fig_job *job)
{
	struct fig_series ser[FIG_MAX_SERIES];
	int n = list_series(job->set, "load", "requests_per_s", ser, FIG_MAX_SERIES);
	if (!n) {
		snprintf(job->fig->note, sizeof(job->fig->note), "no HTTP load results in these runs");
		return 0;
	}
	labels_array(job->vars, ser, n);
	int any_est = 0, no_ci = 0;
	char unit[16] = "";
	int r = write_bars(job, "rps", "load", "requests_per_s", ser, n, unit, sizeof(unit), &any_est, &no_ci);
	if (r < 0)
		return r;
	unit[0] = '\0';
	int est_e = 0;
	r = write_bars(job, "epr", "load", "energy_per_request_j", ser, n, unit, sizeof(unit), &est_e, &no_ci);
	if (r < 0)
		return r;
	fprintf(job->vars, "have_epr = %d\n", r > 0);

	static const char *const pct[] = { "p50_us", "p90_us", "p99_us", "p999_us" };
	static const char *const pname[] = { "p50", "p90", "p99", "p99.9" };
	char path[1200];
	FILE *f = open_named(job, "lat", path, sizeof(path));
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
	gp_array_str(job->vars, "pct", (const char *const *)pname, 4);
	char note[200];
	whisker_note(note, sizeof(note), no_ci);
	gp_set(job->vars, "whiskers", note);
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
static int extract_timeline(struct fig_job *job)
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
	FILE *f = open_data(job, ".dat", path, sizeof(path));
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
		FILE *c = open_named(job, "cpu", path, sizeof(path));
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
	gp_array_str(job->vars, "kind", kn, kinds.n);
	gp_array_str(job->vars, "kcol", kcol, kinds.n);
	char ptitle[200];
	if (est)
		snprintf(ptitle, sizeof(ptitle), "host power (estimated: %s)", p[0].source);
	else
		snprintf(ptitle, sizeof(ptitle), "host power (measured: %s)", p[0].source);
	gp_set(job->vars, "ptitle", ptitle);
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

/* Rate metric names the scale experiment may use for the offered rate. */
static const char *const rate_metrics[] = { "offered_rate", "rate_per_s", "request_rate_per_s",
					    "arrival_rate_per_s", "lambda_per_s", NULL };

/* The value of one metric of one repetition in one run, or NaN. */
static double run_value(const struct rd_run *run, const char *exp, const char *target, const char *metric,
			int rep, const struct sample **row)
{
	for (size_t i = 0; i < run->n; i++) {
		const struct sample *s = &run->s[i];
		if (!rd_is_series_row(s) && s->repetition == rep && !strcmp(s->experiment, exp) &&
		    !strcmp(s->target, target) && !strcmp(s->metric, metric)) {
			if (row)
				*row = s;
			return s->value;
		}
	}
	return NAN;
}

static double meta_scale_number(const struct rd_run *run, const char *key)
{
	cJSON *sc = rd_meta_obj(run, "scale");
	cJSON *it = sc ? cJSON_GetObjectItemCaseSensitive(sc, key) : NULL;
	return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

/* How energy per request is obtained, best first: the experiment's own
 * figure, else the trace's energy above the idle baseline (what a policy
 * adds to an idle host) per request, else the trace's host energy per request. */
enum epr_kind { EPR_DIRECT, EPR_ABOVE, EPR_HOST, EPR_NONE };

static double request_energy(const struct rd_run *run, const char *target, int rep, enum epr_kind k,
			     const struct sample **row)
{
	if (k == EPR_DIRECT)
		return run_value(run, "scale", target, "energy_per_request_j", rep, row);
	double req = run_value(run, "scale", target, "requests", rep, NULL);
	double j = run_value(run, "scale", target,
			     k == EPR_ABOVE ? "trace_energy_above_baseline_j" : "trace_energy_j", rep, row);
	return req > 0 ? j / req : NAN;
}

struct er_series {
	char host[RD_NAME], target[RD_NAME], policy[RD_NAME];
	char label[160], title[200];
	int est, pol;
	double x[256], y[256];
	int n;
};

/* Offered rate of a repetition: a rate metric, else the trace's scheduled
 * requests over its duration as the run's meta records them. */
static double offered_rate(const struct rd_run *run, const char *target, int rep)
{
	for (int k = 0; rate_metrics[k]; k++) {
		double v = run_value(run, "scale", target, rate_metrics[k], rep, NULL);
		if (!isnan(v))
			return v;
	}
	double n = meta_scale_number(run, "requests_scheduled"), d = meta_scale_number(run, "duration_s");
	return d > 0 ? n / d : NAN;
}

/* ---- energy per request against request rate, per scale-to-zero policy ---- */
static int extract_energy_rate(struct fig_job *job)
{
	const struct rd_set *set = job->set;
	static const char *const ymetric[] = { "energy_per_request_j", "trace_energy_above_baseline_j",
					       "trace_energy_j" };
	static const char *const ylabel[] = { "energy per request (J, log scale)",
					      "energy above the idle baseline per request (J, log scale)",
					      "host energy per request (J, log scale)" };
	enum epr_kind kind = EPR_NONE;
	struct rd_names m;
	rd_metrics(set, "scale", &m);
	for (int k = 0; k < 3 && kind == EPR_NONE; k++)
		if (rd_names_has(&m, ymetric[k]) && (k == 0 || rd_names_has(&m, "requests")))
			kind = (enum epr_kind)k;
	if (kind == EPR_NONE) {
		snprintf(job->fig->note, sizeof(job->fig->note),
			 "no scale-to-zero trace results (experiment scale: energy_per_request_j, or "
			 "trace_energy_j and requests) in these runs");
		return 0;
	}
	struct rd_names hosts;
	rd_hosts(set, &hosts);
	static struct er_series ser[FIG_MAX_SERIES];
	int n = 0;
	struct rd_names policies = { .n = 0 };
	for (int r = 0; r < set->nruns; r++) {
		const struct rd_run *run = &set->runs[r];
		cJSON *sc = rd_meta_obj(run, "scale");
		cJSON *mp = sc ? cJSON_GetObjectItemCaseSensitive(sc, "policy") : NULL;
		for (size_t i = 0; i < run->n; i++) {
			const struct sample *s = &run->s[i];
			if (rd_is_series_row(s) || strcmp(s->experiment, "scale") || strcmp(s->metric, ymetric[kind]))
				continue;
			char tg[RD_NAME], pol[RD_NAME];
			rd_split_label(s->target, tg, sizeof(tg), pol, sizeof(pol));
			if (!pol[0])
				snprintf(pol, sizeof(pol), "%s", cJSON_IsString(mp) ? mp->valuestring : "policy not recorded");
			const struct sample *row = NULL;
			double y = request_energy(run, s->target, s->repetition, kind, &row);
			double x = offered_rate(run, s->target, s->repetition);
			if (isnan(x) || isnan(y) || x <= 0 || y <= 0)
				continue;
			int k;
			for (k = 0; k < n; k++)
				if (!strcmp(ser[k].host, run->host) && !strcmp(ser[k].target, tg) &&
				    !strcmp(ser[k].policy, pol))
					break;
			if (k == n) {
				if (n == FIG_MAX_SERIES)
					continue;
				memset(&ser[n], 0, sizeof(ser[n]));
				snprintf(ser[n].host, RD_NAME, "%s", run->host);
				snprintf(ser[n].target, RD_NAME, "%s", tg);
				snprintf(ser[n].policy, RD_NAME, "%s", pol);
				snprintf(ser[n].label, sizeof(ser[n].label), "%s, %s%s%s", tg, pol,
					 hosts.n > 1 ? " @" : "", hosts.n > 1 ? run->host : "");
				int p;
				for (p = 0; p < policies.n && strcmp(policies.v[p], pol); p++)
					;
				if (p == policies.n && policies.n < RD_MAX_NAMES)
					snprintf(policies.v[policies.n++], RD_NAME, "%s", pol);
				ser[n].pol = p + 1;
				n++;
			}
			if (ser[k].n < 256) {
				ser[k].x[ser[k].n] = x;
				ser[k].y[ser[k].n] = y;
				ser[k].n++;
			}
			if (row && strcmp(row->method, METHOD_MEASURED) && !ser[k].est) {
				ser[k].est = 1;
				char t[sizeof(ser[k].title)];
				snprintf(t, sizeof(t), "%s (estimated: %s)", ser[k].label,
					 row->source[0] ? row->source : "model");
				memcpy(ser[k].title, t, sizeof(t));
			}
		}
	}
	if (!n) {
		snprintf(job->fig->note, sizeof(job->fig->note),
			 "scale results lack an offered rate or a positive energy per request to draw");
		return 0;
	}
	char path[1200];
	FILE *f = open_data(job, ".dat", path, sizeof(path));
	if (!f)
		return -errno;
	const char *titles[FIG_MAX_SERIES] = { 0 }, *labels[FIG_MAX_SERIES] = { 0 };
	int est[FIG_MAX_SERIES], pol[FIG_MAX_SERIES];
	for (int i = 0; i < n; i++) {
		struct er_series *e = &ser[i];
		/* Sorted by rate so lines join neighbours. */
		for (int a = 1; a < e->n; a++)
			for (int b = a; b > 0 && e->x[b - 1] > e->x[b]; b--) {
				double tx = e->x[b], ty = e->y[b];
				e->x[b] = e->x[b - 1];
				e->y[b] = e->y[b - 1];
				e->x[b - 1] = tx;
				e->y[b - 1] = ty;
			}
		fprintf(f, "%s# %s: offered rate (1/s), %s\n", i ? "\n\n" : "", e->label, ymetric[kind]);
		for (int k = 0; k < e->n; k++)
			fprintf(f, "%.10g %.10g\n", e->x[k], e->y[k]);
		if (!e->title[0])
			memcpy(e->title, e->label, sizeof(e->label));
		titles[i] = e->title;
		labels[i] = e->label;
		est[i] = e->est;
		pol[i] = e->pol;
	}
	fclose(f);
	fprintf(job->vars, "n = %d\n", n);
	gp_array_str(job->vars, "lbl", labels, n);
	gp_array_str(job->vars, "ttl", titles, n);
	gp_array_int(job->vars, "est", est, n);
	gp_array_int(job->vars, "pol", pol, n);
	gp_set(job->vars, "ylabel", ylabel[kind]);
	snprintf(job->fig->caption, sizeof(job->fig->caption),
		 "%s against the offered request rate of the trace, one line per target and scale-to-zero "
		 "policy (log–log; each point one trace run); point shape marks the policy, dashed lines and "
		 "hollow points a model's estimate.",
		 kind == EPR_DIRECT ? "Energy per request" : kind == EPR_ABOVE ? "Energy above the idle baseline per request" : "Host energy per request");
	return 1;
}

/* First metric among names that the experiment has. */
static const char *pick_metric(const struct rd_set *set, const char *exp, const char *const *names)
{
	struct rd_names m;
	rd_metrics(set, exp, &m);
	for (int i = 0; names[i]; i++)
		if (rd_names_has(&m, names[i]))
			return names[i];
	return NULL;
}

/* ---- break-even idle gap t* = E_cold / P_warm per target ---- */
static int extract_breakeven(struct fig_job *job)
{
	static const char *const tstar[] = { "t_star_s", "break_even_s", "tstar_s", NULL };
	static const char *const ecold[] = { "e_cold_j", "cold_energy_j", NULL };
	static const char *const pwarm[] = { "p_warm_w", "warm_power_w", NULL };
	static const char *const tmin[] = { "t_star_min_s", NULL };
	const char *mt = pick_metric(job->set, "scale", tstar), *mm = pick_metric(job->set, "scale", tmin);
	/* Targets with t*, then those with only its lower bound. */
	struct fig_series ser[FIG_MAX_SERIES];
	int n = mt ? list_series(job->set, "scale", mt, ser, FIG_MAX_SERIES) : 0;
	if (mm) {
		struct fig_series more[FIG_MAX_SERIES];
		int k = list_series(job->set, "scale", mm, more, FIG_MAX_SERIES);
		for (int i = 0; i < k && n < FIG_MAX_SERIES; i++) {
			int dup = 0;
			for (int j = 0; j < n; j++)
				dup |= !strcmp(ser[j].host, more[i].host) && !strcmp(ser[j].target, more[i].target);
			if (!dup)
				ser[n++] = more[i];
		}
	}
	if (!n) {
		snprintf(job->fig->note, sizeof(job->fig->note),
			 "no break-even idle gap (experiment scale, metric t_star_s) in these runs");
		return 0;
	}
	if (!mt)
		mt = "t_star_s";
	labels_array(job->vars, ser, n);
	int any = 0, no_ci = 0;
	char unit[16];
	const char *me = pick_metric(job->set, "scale", ecold), *mp = pick_metric(job->set, "scale", pwarm);
	unit[0] = '\0';
	int r = write_bars(job, "tstar", "scale", mt, ser, n, unit, sizeof(unit), &any, &no_ci);
	if (r < 0)
		return r;
	r = me ? write_bars(job, "ecold", "scale", me, ser, n, unit, sizeof(unit), &any, &no_ci) : 0;
	if (r < 0)
		return r;
	fprintf(job->vars, "have_ecold = %d\n", r > 0);
	r = mp ? write_bars(job, "pwarm", "scale", mp, ser, n, unit, sizeof(unit), &any, &no_ci) : 0;
	if (r < 0)
		return r;
	fprintf(job->vars, "have_pwarm = %d\n", r > 0);
	/* Where the warm instance used no measurable CPU, t* is unavailable and
	 * only its lower bound exists: drawn as a marker, never as a bar. */
	r = mm ? write_bars(job, "tmin", "scale", mm, ser, n, unit, sizeof(unit), &any, &no_ci) : 0;
	if (r < 0)
		return r;
	fprintf(job->vars, "have_tmin = %d\n", r > 0);
	char note[200];
	whisker_note(note, sizeof(note), no_ci);
	gp_set(job->vars, "whiskers", note);
	snprintf(job->fig->caption, sizeof(job->fig->caption),
		 "Energy of one cold start above baseline (E_cold), power of an idle warm instance above "
		 "baseline (P_warm) and the break-even idle gap t* = E_cold / P_warm per target: below t* "
		 "keeping the instance warm costs less, above it scaling to zero does; %s.%s",
		 note, any ? " Hollow dashed bars are a model's estimate." : "");
	return 1;
}

/* ---- cold against warm first-byte latency per target ---- */
static int extract_coldstart(struct fig_job *job)
{
	static const char *const metric[] = { "cold_ms", "warm_ms" };
	static const char *const name[] = { "cold start (through the waker)", "warm instance" };
	struct fig_series tg[FIG_MAX_SERIES];
	int nt = list_series(job->set, "scale", "cold_ms", tg, FIG_MAX_SERIES);
	if (!nt) {
		snprintf(job->fig->note, sizeof(job->fig->note),
			 "no cold-start latency (experiment scale, metric cold_ms) in these runs");
		return 0;
	}
	char path[1200];
	FILE *f = open_data(job, ".dat", path, sizeof(path));
	if (!f)
		return -errno;
	int no_ci = 0, est[2] = { 0, 0 };
	double lo_all = INFINITY, hi_all = 0;
	for (int m = 0; m < 2; m++) {
		fprintf(f, "%s# %s: target, median, low, high (ms)\n", m ? "\n\n" : "", name[m]);
		for (int t = 0; t < nt; t++) {
			struct rd_series s;
			if (rd_collect(job->set, tg[t].host, "scale", tg[t].target, metric[m], &s) < 0)
				continue;
			struct summary sm;
			if (s.n && stats_summarize(s.v, s.n, &sm) == 0) {
				double lo = isnan(sm.ci_lo) ? sm.p5 : sm.ci_lo, hi = isnan(sm.ci_lo) ? sm.p95 : sm.ci_hi;
				no_ci |= isnan(sm.ci_lo);
				fprintf(f, "%d %.10g %.10g %.10g\n", t + 1, sm.median, lo, hi);
				if (sm.min > 0 && sm.min < lo_all)
					lo_all = sm.min;
				if (sm.max > hi_all)
					hi_all = sm.max;
			} else {
				fprintf(f, "%d NaN NaN NaN\n", t + 1);
			}
			rd_series_free(&s);
		}
	}
	fclose(f);
	const char *cats[FIG_MAX_SERIES] = { 0 };
	for (int t = 0; t < nt; t++)
		cats[t] = tg[t].label;
	fprintf(job->vars, "n = 2\n");
	gp_array_str(job->vars, "lbl", name, 2);
	gp_array_int(job->vars, "est", est, 2);
	fprintf(job->vars, "ncat = %d\n", nt);
	gp_array_str(job->vars, "cat", cats, nt);
	gp_set(job->vars, "ylabel", "first request's latency (ms)");
	fprintf(job->vars, "logy = %d\n", lo_all > 0 && hi_all / lo_all > 30);
	char note[200];
	whisker_note(note, sizeof(note), no_ci);
	gp_set(job->vars, "whiskers", note);
	snprintf(job->fig->caption, sizeof(job->fig->caption),
		 "Latency of a request that wakes a scaled-to-zero instance (the waker boots it first) "
		 "against a request to a warm instance, medians per target; %s.", note);
	return 1;
}

/* ---- density: instances per GiB and idle power per 100 instances ---- */
static int extract_density(struct fig_job *job)
{
	static const char *const mem[] = { "instances_per_gib", NULL };
	static const char *const idle[] = { "idle_w_per_100", "idle_w_per_100_instances", NULL };
	static const char *const cpu[] = { "idle_cpu_pct_per_instance", "cpu_pct_per_instance", NULL };
	const char *mm = pick_metric(job->set, "density", mem);
	if (!mm) {
		snprintf(job->fig->note, sizeof(job->fig->note),
			 "no density results (experiment density, metric instances_per_gib) in these runs");
		return 0;
	}
	struct fig_series ser[FIG_MAX_SERIES];
	int n = list_series(job->set, "density", mm, ser, FIG_MAX_SERIES);
	labels_array(job->vars, ser, n);
	int any = 0, no_ci = 0;
	char unit[16] = "";
	int r = write_bars(job, "mem", "density", mm, ser, n, unit, sizeof(unit), &any, &no_ci);
	if (r < 0)
		return r;
	const char *mi = pick_metric(job->set, "density", idle);
	r = mi ? write_bars(job, "idle", "density", mi, ser, n, unit, sizeof(unit), &any, &no_ci) : 0;
	if (r < 0)
		return r;
	fprintf(job->vars, "have_idle = %d\n", r > 0);
	const char *mc = pick_metric(job->set, "density", cpu);
	r = mc ? write_bars(job, "cpu", "density", mc, ser, n, unit, sizeof(unit), &any, &no_ci) : 0;
	if (r < 0)
		return r;
	fprintf(job->vars, "have_cpu = %d\n", r > 0);
	char note[200];
	whisker_note(note, sizeof(note), no_ci);
	gp_set(job->vars, "whiskers", note);
	snprintf(job->fig->caption, sizeof(job->fig->caption),
		 "Idle instances per GiB of host memory, idle CPU and idle power per 100 instances, per "
		 "target; %s.%s", note, any ? " Hollow dashed bars are a model's estimate." : "");
	return 1;
}

static const struct fig_def figures[] = {
	{ "boot", "boot", "Boot time per target", 0, extract_boot },
	{ "syscall", "syscall", "System call latency", 0, extract_syscall },
	{ "http", "http", "HTTP throughput, latency and energy per request", 0, extract_http },
	{ "timeline", "timeline", "Power timeline", 1, extract_timeline },
	{ "energy_rate", "energy_rate", "Energy per request against request rate, per policy", 0,
	  extract_energy_rate },
	{ "breakeven", "breakeven", "Cold-start energy, warm power and break-even idle gap t*", 0,
	  extract_breakeven },
	{ "coldstart", "coldstart", "Cold-start against warm latency", 0, extract_coldstart },
	{ "density", "density", "Density: idle instances per GiB and idle power", 0, extract_density },
};

/* Subtitle: what every figure should say about where it comes from. */
static void subtitle(const struct rd_set *set, char *out, size_t cap)
{
	struct rd_names hosts;
	rd_hosts(set, &hosts);
	size_t k = 0;
	out[0] = '\0';
	for (int h = 0; h < hosts.n; h++) {
		const struct rd_run *run = NULL;
		for (int i = 0; i < set->nruns && !run; i++)
			if (!strcmp(set->runs[i].host, hosts.v[h]))
				run = &set->runs[i];
		cJSON *energy = rd_meta_obj(run, "energy");
		cJSON *src = energy ? cJSON_GetObjectItemCaseSensitive(energy, "source") : NULL;
		cJSON *method = energy ? cJSON_GetObjectItemCaseSensitive(energy, "method") : NULL;
		const char *accel = rd_meta_str(run, "accelerator"), *cpu = rd_meta_str(run, "cpu_model");
		if (k + 1 < cap)
			k += (size_t)snprintf(out + k, cap - k,
					      "%shost %s (%s) · accelerator %s · energy %s (%s)", h ? "\n" : "",
					      hosts.v[h], *cpu ? cpu : "cpu not recorded",
					      *accel ? accel : "not recorded",
					      cJSON_IsString(method) ? method->valuestring : "not recorded",
					      cJSON_IsString(src) ? src->valuestring : "no source");
	}
}

static int run_has_series(const struct rd_run *run)
{
	for (size_t i = 0; i < run->n; i++)
		if (rd_is_series_row(&run->s[i]) && !strcmp(run->s[i].metric, "power_w"))
			return 1;
	return 0;
}

int fig_extract_all(const struct rd_set *set, const char *datadir, struct rf_figure *figs, int max)
{
	char sub[1024];
	subtitle(set, sub, sizeof(sub));
	int nf = 0;
	for (size_t d = 0; d < sizeof(figures) / sizeof(figures[0]); d++) {
		const struct fig_def *def = &figures[d];
		int instances = def->per_run ? set->nruns : 1, made = 0;
		for (int r = 0; r < instances && nf < max; r++) {
			if (def->per_run && !run_has_series(&set->runs[r]))
				continue;
			struct rf_figure *fig = &figs[nf];
			memset(fig, 0, sizeof(*fig));
			if (made)
				snprintf(fig->name, sizeof(fig->name), "%s-%d", def->name, made + 1);
			else
				snprintf(fig->name, sizeof(fig->name), "%s", def->name);
			snprintf(fig->title, sizeof(fig->title), "%s", def->title);
			char path[1200];
			snprintf(path, sizeof(path), "%s/%s.vars.gp", datadir, fig->name);
			struct fig_job job = { .set = set, .datadir = datadir, .fig = fig, .run = r };
			job.vars = fopen(path, "w");
			if (!job.vars)
				return -errno;
			fprintf(job.vars, "# written by zerowatt report: data and labels for plots/%s.gp\n",
				def->script);
			gp_set(job.vars, "script", def->script);
			gp_set(job.vars, "subtitle", sub);
			int rc = def->extract(&job);
			gp_set(job.vars, "title", fig->title);
			fclose(job.vars);
			if (rc < 0)
				return rc;
			made++;
			nf++;
		}
		if (!made && nf < max) {
			struct rf_figure *fig = &figs[nf++];
			memset(fig, 0, sizeof(*fig));
			snprintf(fig->name, sizeof(fig->name), "%s", def->name);
			snprintf(fig->title, sizeof(fig->title), "%s", def->title);
			snprintf(fig->note, sizeof(fig->note), "no power time series in these runs");
		}
	}
	return nf;
}
