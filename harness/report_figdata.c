/* Figure data: shared helpers and the table of figures, one row per figure
 * (in the manner of perf bench's collections): its name, script, title and
 * extractor (report_fig_perf.c, report_fig_scale.c). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_figdata.h"
#include "stats.h"

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

void fig_gp_set(FILE *f, const char *var, const char *value)
{
	fprintf(f, "%s = ", var);
	fig_gp_string(f, value);
	fputc('\n', f);
}

void fig_gp_array_str(FILE *f, const char *name, const char *const *v, int n)
{
	fprintf(f, "array %s[%d]\n", name, n > 0 ? n : 1);
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s[%d] = ", name, i + 1);
		fig_gp_string(f, v[i]);
		fputc('\n', f);
	}
}

void fig_gp_array_int(FILE *f, const char *name, const int *v, int n)
{
	fprintf(f, "array %s[%d]\n", name, n > 0 ? n : 1);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s[%d] = %d\n", name, i + 1, v[i]);
}

FILE *fig_open_data(const struct fig_job *job, const char *suffix, char *path, size_t cap)
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

/* Renames the variable written by fig_open_data for files like "-lat.dat". */
FILE *fig_open_named(const struct fig_job *job, const char *var, char *path, size_t cap)
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
static int list_series(const struct rd_set *set, const char *exp, const char *metric, int by_host,
		       struct fig_series *out, int max)
{
	struct rd_names hosts, groups;
	rd_hosts(set, &hosts);
	if (by_host) {
		groups = hosts;
		for (int h = 0; h < groups.n; h++) {
			size_t l = strlen(groups.v[h]);
			snprintf(groups.v[h] + l, RD_NAME - l, "|any");
		}
	} else {
		rd_groups(set, exp, &groups);
	}
	int n = 0;
	for (int h = 0; h < groups.n; h++) {
		struct rd_names targets;
		rd_targets(set, groups.v[h], exp, &targets);
		for (int t = 0; t < targets.n && n < max; t++) {
			if (!strcmp(targets.v[t], "host"))
				continue;
			struct rd_series s;
			if (rd_collect(set, groups.v[h], exp, targets.v[t], metric, &s) < 0)
				continue;
			size_t cnt = s.n;
			rd_series_free(&s);
			if (!cnt)
				continue;
			snprintf(out[n].host, sizeof(out[n].host), "%s", groups.v[h]);
			snprintf(out[n].target, sizeof(out[n].target), "%s", targets.v[t]);
			char tg[RD_NAME], pol[RD_NAME];
			rd_split_label(targets.v[t], tg, sizeof(tg), pol, sizeof(pol));
			/* Named after the label: the host when the runs come from
			 * several, the scale configuration when the groups differ in it. */
			const char *g = groups.v[h];
			const char *slash = strchr(g, '/');
			int hostlen = (int)strcspn(g, "/|");
			int name_host = hosts.n > 1, name_cfg = slash && groups.n > 1 && !by_host;
			char suffix[RD_NAME + 4] = "";
			if (name_host || name_cfg)
				snprintf(suffix, sizeof(suffix), " @%.*s%s%.60s", name_host ? hostlen : 0, g,
					 name_host && name_cfg ? "/" : "", name_cfg ? slash + 1 : "");
			snprintf(out[n].label, sizeof(out[n].label), "%.60s%s%.60s%s", tg, pol[0] ? ", " : "", pol,
				 suffix);
			n++;
		}
	}
	return n;
}

int fig_list_series(const struct rd_set *set, const char *exp, const char *metric, struct fig_series *out,
		    int max)
{
	return list_series(set, exp, metric, 0, out, max);
}

int fig_list_series_by_host(const struct rd_set *set, const char *exp, const char *metric,
			    struct fig_series *out, int max)
{
	return list_series(set, exp, metric, 1, out, max);
}

/* Legend text: the label, and for a model's numbers what model. */
void fig_legend(char *out, size_t cap, const char *label, const struct rd_series *s)
{
	if (rd_series_estimated(s))
		snprintf(out, cap, "%s (estimated: %s)", label, s->source[0] ? s->source : "model");
	else
		snprintf(out, cap, "%s", label);
}

/* One bar per series: "x median lo hi est" with lo/hi the 95% CI of the
 * median, or p5/p95 when fewer than 6 repetitions allow no CI. Legends and
 * estimated flags go to the vars as arrays <prefix>_t and <prefix>_e. */
int fig_write_bars(struct fig_job *job, const char *var, const char *exp, const char *metric,
		      const struct fig_series *ser, int n, char *unit, size_t ucap, int *any_est, int *no_ci)
{
	char path[1200];
	FILE *f = fig_open_named(job, var, path, sizeof(path));
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
			fig_legend(tbuf[i], sizeof(tbuf[i]), ser[i].label, &s);
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
	fig_gp_array_str(job->vars, name, titles, n);
	snprintf(name, sizeof(name), "%s_k", var);
	fig_gp_array_str(job->vars, name, keys, n);
	snprintf(name, sizeof(name), "%s_e", var);
	fig_gp_array_int(job->vars, name, est, n);
	return written;
}

void fig_labels(FILE *vars, const struct fig_series *ser, int n)
{
	const char *lbl[FIG_MAX_SERIES] = { 0 };
	for (int i = 0; i < n; i++)
		lbl[i] = ser[i].label;
	fprintf(vars, "n = %d\n", n);
	fig_gp_array_str(vars, "lbl", lbl, n);
}

void fig_whisker_note(char *out, size_t cap, int no_ci)
{
	snprintf(out, cap, "%s", no_ci ? "whiskers: p5–p95 where fewer than 6 repetitions allow no 95% CI of the "
					 "median, else that CI"
				       : "whiskers: 95% CI of the median");
}

/* First metric among names that the experiment has. */
const char *fig_pick_metric(const struct rd_set *set, const char *exp, const char *const *names)
{
	struct rd_names m;
	rd_metrics(set, exp, &m);
	for (int i = 0; names[i]; i++)
		if (rd_names_has(&m, names[i]))
			return names[i];
	return NULL;
}

static const struct fig_def figures[] = {
	{ "boot", "boot", "Boot time per target", 0, fig_extract_boot },
	{ "syscall", "syscall", "System call latency", 0, fig_extract_syscall },
	{ "http", "http", "HTTP throughput, latency and energy per request", 0, fig_extract_http },
	{ "timeline", "timeline", "Power timeline", 1, fig_extract_timeline },
	{ "energy_rate", "energy_rate", "Energy per request against request rate, per policy", 0,
	  fig_extract_energy_rate },
	{ "breakeven", "breakeven", "Cold-start energy, warm power and break-even idle gap t*", 0,
	  fig_extract_breakeven },
	{ "coldstart", "coldstart", "Cold-start against warm latency", 0, fig_extract_coldstart },
	{ "density", "density", "Density: idle instances per GiB and idle power", 0, fig_extract_density },
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
			fig_gp_set(job.vars, "script", def->script);
			fig_gp_set(job.vars, "subtitle", sub);
			int rc = def->extract(&job);
			fig_gp_set(job.vars, "title", fig->title);
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
