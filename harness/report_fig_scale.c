/* Figures of scale to zero and density: energy per request against rate
 * per policy, E_cold / P_warm / t*, cold against warm latency, density. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_figdata.h"
#include "stats.h"

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

/* "scale" and a profile's variants of it ("scale-immediate"). */
static int is_scale_experiment(const char *exp)
{
	return !strncmp(exp, "scale", 5) && (exp[5] == '\0' || exp[5] == '-');
}

static double meta_scale_number(const struct rd_run *run, const char *exp, const char *key)
{
	cJSON *sc = rd_meta_obj(run, exp);
	cJSON *it = sc ? cJSON_GetObjectItemCaseSensitive(sc, key) : NULL;
	return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

/* How energy per request is obtained, best first: the experiment's own
 * figure, else the trace's energy above the idle baseline (what a policy
 * adds to an idle host) per request, else the trace's host energy per request. */
enum epr_kind { EPR_DIRECT, EPR_ABOVE, EPR_HOST, EPR_NONE };

static double request_energy(const struct rd_run *run, const char *exp, const char *target, int rep,
			     enum epr_kind k, const struct sample **row)
{
	if (k == EPR_DIRECT)
		return run_value(run, exp, target, "energy_per_request_j", rep, row);
	double req = run_value(run, exp, target, "requests", rep, NULL);
	double j = run_value(run, exp, target,
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
static double offered_rate(const struct rd_run *run, const char *exp, const char *target, int rep)
{
	for (int k = 0; rate_metrics[k]; k++) {
		double v = run_value(run, exp, target, rate_metrics[k], rep, NULL);
		if (!isnan(v))
			return v;
	}
	double n = meta_scale_number(run, exp, "requests_scheduled"), d = meta_scale_number(run, exp, "duration_s");
	return d > 0 ? n / d : NAN;
}

/* ---- energy per request against request rate, per scale-to-zero policy ---- */
int fig_extract_energy_rate(struct fig_job *job)
{
	const struct rd_set *set = job->set;
	static const char *const ymetric[] = { "energy_per_request_j", "trace_energy_above_baseline_j",
					       "trace_energy_j" };
	static const char *const ylabel[] = { "energy per request (J)", "energy above the idle baseline per request (J)",
					      "host energy per request (J)" };
	enum epr_kind kind = EPR_NONE;
	int nonpositive = 0;
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
		for (size_t i = 0; i < run->n; i++) {
			const struct sample *s = &run->s[i];
			if (rd_is_series_row(s) || !is_scale_experiment(s->experiment) || strcmp(s->metric, ymetric[kind]))
				continue;
			/* Each scale variant records its configuration under its own name. */
			cJSON *sc = rd_meta_obj(run, s->experiment);
			cJSON *mp = sc ? cJSON_GetObjectItemCaseSensitive(sc, "policy") : NULL;
			char tg[RD_NAME], pol[RD_NAME];
			rd_split_label(s->target, tg, sizeof(tg), pol, sizeof(pol));
			if (!pol[0])
				snprintf(pol, sizeof(pol), "%s", cJSON_IsString(mp) ? mp->valuestring : "policy not recorded");
			/* A variant serving another workload (scale-go) is drawn as
			 * another policy, its workload named: its own marker. */
			cJSON *wl = rd_meta_obj(run, "workloads");
			cJSON *w = wl ? cJSON_GetObjectItemCaseSensitive(wl, s->experiment) : NULL;
			if (cJSON_IsString(w) && strcmp(w->valuestring, "httpd")) {
				size_t len = strlen(pol);
				snprintf(pol + len, sizeof(pol) - len, " (%.40s)", w->valuestring);
			}
			const struct sample *row = NULL;
			double y = request_energy(run, s->experiment, s->target, s->repetition, kind, &row);
			double x = offered_rate(run, s->experiment, s->target, s->repetition);
			if (isnan(x) || isnan(y) || x <= 0)
				continue;
			/* Energy above baseline can come out below zero (the host used
			 * less than its idle baseline: noise): drawn, on a linear axis. */
			nonpositive += y <= 0;
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
				snprintf(ser[n].label, sizeof(ser[n].label), "%.60s, %.60s%s%.30s", tg, pol,
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
	FILE *f = fig_open_data(job, ".dat", path, sizeof(path));
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
	fig_gp_array_str(job->vars, "lbl", labels, n);
	fig_gp_array_str(job->vars, "ttl", titles, n);
	fig_gp_array_int(job->vars, "est", est, n);
	fig_gp_array_int(job->vars, "pol", pol, n);
	char yl[128];
	snprintf(yl, sizeof(yl), "%s%s", ylabel[kind], nonpositive ? "" : ", log scale");
	fig_gp_set(job->vars, "ylabel", yl);
	fprintf(job->vars, "logy = %d\n", !nonpositive);
	snprintf(job->fig->caption, sizeof(job->fig->caption),
		 "%s against the offered request rate of the trace, one line per target and scale-to-zero "
		 "policy (each point one trace run); point shape marks the policy, dashed lines and hollow "
		 "points a model's estimate.%s",
		 kind == EPR_DIRECT ? "Energy per request"
		 : kind == EPR_ABOVE ? "Energy above the idle baseline per request"
				     : "Host energy per request",
		 nonpositive ? " Some values are at or below zero (the host used less than its idle baseline: "
			       "noise of the estimate), so the energy axis is linear."
			     : "");
	return 1;
}

/* ---- break-even idle gap t* = E_cold / P_warm per target ---- */
int fig_extract_breakeven(struct fig_job *job)
{
	static const char *const tstar[] = { "t_star_s", "break_even_s", "tstar_s", NULL };
	static const char *const ecold[] = { "e_cold_j", "cold_energy_j", NULL };
	static const char *const pwarm[] = { "p_warm_w", "warm_power_w", NULL };
	static const char *const tmin[] = { "t_star_min_s", NULL };
	const char *mt = fig_pick_metric(job->set, "scale", tstar), *mm = fig_pick_metric(job->set, "scale", tmin);
	const char *me = fig_pick_metric(job->set, "scale", ecold), *mp = fig_pick_metric(job->set, "scale", pwarm);
	/* Every target with any of the three quantities (or t*'s lower bound). */
	const char *const metrics[] = { mt, mm, me, mp };
	struct fig_series ser[FIG_MAX_SERIES];
	int n = 0;
	for (int m = 0; m < 4; m++) {
		if (!metrics[m])
			continue;
		struct fig_series more[FIG_MAX_SERIES];
		int k = fig_list_series_by_host(job->set, "scale", metrics[m], more, FIG_MAX_SERIES);
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
			 "no cold-start energy, warm power or break-even gap (experiment scale: e_cold_j, p_warm_w, "
			 "t_star_s) in these runs");
		return 0;
	}
	fig_labels(job->vars, ser, n);
	int any = 0, no_ci = 0;
	char unit[16] = "";
	struct {
		const char *var, *metric, *flag;
	} panels[] = { { "ecold", me, "have_ecold" }, { "pwarm", mp, "have_pwarm" },
		       { "tstar", mt, "have_tstar" }, { "tmin", mm, "have_tmin" } };
	int have[4];
	for (int p = 0; p < 4; p++) {
		int r = panels[p].metric ? fig_write_bars(job, panels[p].var, "scale", panels[p].metric, ser, n, unit,
							  sizeof(unit), &any, &no_ci)
					 : 0;
		if (r < 0)
			return r;
		have[p] = r > 0;
		fprintf(job->vars, "%s = %d\n", panels[p].flag, have[p]);
	}
	char note[200];
	fig_whisker_note(note, sizeof(note), no_ci);
	fig_gp_set(job->vars, "whiskers", note);
	snprintf(job->fig->caption, sizeof(job->fig->caption),
		 "Energy of one cold start above baseline (E_cold), power of an idle warm instance above "
		 "baseline (P_warm) and the break-even idle gap t* = E_cold / P_warm per target: below t* "
		 "keeping the instance warm costs less, above it scaling to zero does; pooled over the scale "
		 "runs of each host (cold-start cycles and the warm instance do not depend on the trace's "
		 "policy); %s.%s%s",
		 note, any ? " Hollow dashed bars are a model's estimate." : "",
		 have[2] || have[3] ? ""
				    : " No t* could be computed (P_warm was not above zero: the warm instance "
				      "used no measurable CPU time), so its panel is absent.");
	return 1;
}

/* ---- cold against warm first-byte latency per target ---- */
int fig_extract_coldstart(struct fig_job *job)
{
	static const char *const metric[] = { "cold_ms", "warm_ms" };
	static const char *const name[] = { "cold start (through the waker)", "warm instance" };
	struct fig_series tg[FIG_MAX_SERIES];
	int nt = fig_list_series_by_host(job->set, "scale", "cold_ms", tg, FIG_MAX_SERIES);
	if (!nt) {
		snprintf(job->fig->note, sizeof(job->fig->note),
			 "no cold-start latency (experiment scale, metric cold_ms) in these runs");
		return 0;
	}
	char path[1200];
	FILE *f = fig_open_data(job, ".dat", path, sizeof(path));
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
	fig_gp_array_str(job->vars, "lbl", name, 2);
	fig_gp_array_int(job->vars, "est", est, 2);
	fprintf(job->vars, "ncat = %d\n", nt);
	fig_gp_array_str(job->vars, "cat", cats, nt);
	fig_gp_set(job->vars, "ylabel", "first request's latency (ms)");
	fprintf(job->vars, "logy = %d\n", lo_all > 0 && hi_all / lo_all > 30);
	char note[200];
	fig_whisker_note(note, sizeof(note), no_ci);
	fig_gp_set(job->vars, "whiskers", note);
	snprintf(job->fig->caption, sizeof(job->fig->caption),
		 "Latency of a request that wakes a scaled-to-zero instance (the waker boots it first) "
		 "against a request to a warm instance, medians per target, pooled over the scale runs of each "
		 "host; %s.", note);
	return 1;
}

/* ---- density: instances per GiB and idle power per 100 instances ---- */
int fig_extract_density(struct fig_job *job)
{
	static const char *const mem[] = { "instances_per_gib", NULL };
	static const char *const idle[] = { "idle_w_per_100", "idle_w_per_100_instances", NULL };
	static const char *const cpu[] = { "idle_cpu_pct_per_instance", "cpu_pct_per_instance", NULL };
	const char *mm = fig_pick_metric(job->set, "density", mem);
	if (!mm) {
		snprintf(job->fig->note, sizeof(job->fig->note),
			 "no density results (experiment density, metric instances_per_gib) in these runs");
		return 0;
	}
	struct fig_series ser[FIG_MAX_SERIES];
	int n = fig_list_series(job->set, "density", mm, ser, FIG_MAX_SERIES);
	fig_labels(job->vars, ser, n);
	int any = 0, no_ci = 0;
	char unit[16] = "";
	int r = fig_write_bars(job, "mem", "density", mm, ser, n, unit, sizeof(unit), &any, &no_ci);
	if (r < 0)
		return r;
	const char *mi = fig_pick_metric(job->set, "density", idle);
	r = mi ? fig_write_bars(job, "idle", "density", mi, ser, n, unit, sizeof(unit), &any, &no_ci) : 0;
	if (r < 0)
		return r;
	fprintf(job->vars, "have_idle = %d\n", r > 0);
	const char *mc = fig_pick_metric(job->set, "density", cpu);
	r = mc ? fig_write_bars(job, "cpu", "density", mc, ser, n, unit, sizeof(unit), &any, &no_ci) : 0;
	if (r < 0)
		return r;
	fprintf(job->vars, "have_cpu = %d\n", r > 0);
	char note[200];
	fig_whisker_note(note, sizeof(note), no_ci);
	fig_gp_set(job->vars, "whiskers", note);
	snprintf(job->fig->caption, sizeof(job->fig->caption),
		 "Idle instances per GiB of host memory, idle CPU and idle power per 100 instances, per "
		 "target; %s.%s", note, any ? " Hollow dashed bars are a model's estimate." : "");
	return 1;
}
