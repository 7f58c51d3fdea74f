#include "report_data.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* The configuration a run records for its experiment (meta "scale":
 * {"policy", "trace"}): the first such object found. */
static void variant_of(struct rd_run *run)
{
	static const char *const exps[] = { "scale", NULL };
	for (int i = 0; exps[i]; i++) {
		cJSON *o = rd_meta_obj(run, exps[i]);
		if (!cJSON_IsObject(o))
			continue;
		cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "policy");
		cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "trace");
		if (!cJSON_IsString(p) && !cJSON_IsString(t))
			continue;
		snprintf(run->variant_exp, sizeof(run->variant_exp), "%s", exps[i]);
		snprintf(run->variant, sizeof(run->variant), "%s/%s", cJSON_IsString(p) ? p->valuestring : "-",
			 cJSON_IsString(t) ? t->valuestring : "-");
		return;
	}
}

void rd_run_group(const struct rd_run *run, const char *exp, char *out, size_t cap)
{
	if (run->variant[0] && exp && !strcmp(exp, run->variant_exp))
		snprintf(out, cap, "%s/%s", run->host, run->variant);
	else
		snprintf(out, cap, "%s", run->host);
}

static int in_group(const struct rd_run *run, const char *exp, const char *group)
{
	if (!group)
		return 1;
	/* "vm|any": every configuration of host vm, for quantities that do not
	 * depend on it. */
	size_t gl = strlen(group);
	if (gl >= 4 && !strcmp(group + gl - 4, "|any"))
		return strlen(run->host) == gl - 4 && !strncmp(run->host, group, gl - 4);
	char g[2 * RD_NAME + 2];
	rd_run_group(run, exp, g, sizeof(g));
	return strcmp(g, group) == 0;
}

void rd_group_title(const char *group, char *out, size_t cap)
{
	const char *a = strchr(group, '/');
	const char *b = a ? strchr(a + 1, '/') : NULL;
	if (!a || !b) {
		snprintf(out, cap, "%s", group);
		return;
	}
	int np = (int)(b - a - 1);
	int has_p = !(np == 1 && a[1] == '-'), has_t = strcmp(b + 1, "-") != 0;
	snprintf(out, cap, "%.*s%s%.*s%s%s", (int)(a - group), group, has_p ? ", policy " : "", has_p ? np : 0,
		 a + 1, has_t ? ", trace " : "", has_t ? b + 1 : "");
}

int rd_run_load(const char *dir, struct rd_run *run, char *why, size_t cap)
{
	memset(run, 0, sizeof(*run));
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, cap, "%s is not a run directory (not a directory)", dir);
		return -ENOENT;
	}
	char path[1200];
	snprintf(run->dir, sizeof(run->dir), "%s", dir);
	size_t dl = strlen(run->dir);
	while (dl > 1 && run->dir[dl - 1] == '/')
		run->dir[--dl] = '\0';
	const char *base = strrchr(run->dir, '/');
	snprintf(run->id, sizeof(run->id), "%s", base ? base + 1 : run->dir);

	snprintf(path, sizeof(path), "%s/samples.csv", run->dir);
	if (access(path, R_OK) != 0) {
		snprintf(why, cap, "%s is not a run directory (no samples.csv)", dir);
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/meta.json", run->dir);
	char *json = read_text_file(path);
	if (!json) {
		snprintf(why, cap, "%s is not a run directory (no readable meta.json)", dir);
		return -ENOENT;
	}
	run->meta = cJSON_Parse(json);
	free(json);
	if (!cJSON_IsObject(run->meta)) {
		snprintf(why, cap, "%s: meta.json is not a JSON object", dir);
		cJSON_Delete(run->meta);
		run->meta = NULL;
		return -EINVAL;
	}
	const char *host = rd_meta_str(run, "host");
	snprintf(run->host, sizeof(run->host), "%s", *host ? host : "unknown");
	variant_of(run);

	snprintf(path, sizeof(path), "%s/samples.csv", run->dir);
	int r = results_read_csv(path, &run->s, &run->n);
	if (r < 0) {
		snprintf(why, cap, "%s: samples.csv is not a zerowatt samples file (%s)", dir, strerror(-r));
		rd_run_free(run);
		return -EINVAL;
	}
	return 0;
}

void rd_run_free(struct rd_run *run)
{
	cJSON_Delete(run->meta);
	free(run->s);
	run->meta = NULL;
	run->s = NULL;
	run->n = 0;
}

int rd_set_add(struct rd_set *set, const char *dir, char *why, size_t cap)
{
	if (set->nruns >= RD_MAX_RUNS) {
		snprintf(why, cap, "too many run directories (at most %d)", RD_MAX_RUNS);
		return -E2BIG;
	}
	int r = rd_run_load(dir, &set->runs[set->nruns], why, cap);
	if (r == 0)
		set->nruns++;
	return r;
}

void rd_set_free(struct rd_set *set)
{
	for (int i = 0; i < set->nruns; i++)
		rd_run_free(&set->runs[i]);
	set->nruns = 0;
}

int rd_is_series_row(const struct sample *s)
{
	return s->phase[0] && strcmp(s->phase, "summary") != 0;
}

int rd_names_has(const struct rd_names *names, const char *name)
{
	for (int i = 0; i < names->n; i++)
		if (strcmp(names->v[i], name) == 0)
			return 1;
	return 0;
}

static void names_add(struct rd_names *names, const char *name)
{
	if (names->n < RD_MAX_NAMES && !rd_names_has(names, name))
		snprintf(names->v[names->n++], RD_NAME, "%s", name);
}

void rd_hosts(const struct rd_set *set, struct rd_names *out)
{
	out->n = 0;
	for (int i = 0; i < set->nruns; i++)
		names_add(out, set->runs[i].host);
}

void rd_experiments(const struct rd_set *set, struct rd_names *out)
{
	out->n = 0;
	for (int i = 0; i < set->nruns; i++)
		for (size_t j = 0; j < set->runs[i].n; j++)
			names_add(out, set->runs[i].s[j].experiment);
}

void rd_groups(const struct rd_set *set, const char *exp, struct rd_names *out)
{
	out->n = 0;
	for (int i = 0; i < set->nruns; i++) {
		const struct rd_run *r = &set->runs[i];
		for (size_t j = 0; j < r->n; j++)
			if (!rd_is_series_row(&r->s[j]) && strcmp(r->s[j].experiment, exp) == 0) {
				char g[2 * RD_NAME + 2];
				rd_run_group(r, exp, g, sizeof(g));
				names_add(out, g);
				break;
			}
	}
}

void rd_targets(const struct rd_set *set, const char *group, const char *exp, struct rd_names *out)
{
	out->n = 0;
	for (int i = 0; i < set->nruns; i++) {
		const struct rd_run *r = &set->runs[i];
		if (!in_group(r, exp, group))
			continue;
		for (size_t j = 0; j < r->n; j++)
			if (!rd_is_series_row(&r->s[j]) && strcmp(r->s[j].experiment, exp) == 0)
				names_add(out, r->s[j].target);
	}
}

void rd_metrics(const struct rd_set *set, const char *exp, struct rd_names *out)
{
	out->n = 0;
	for (int i = 0; i < set->nruns; i++)
		for (size_t j = 0; j < set->runs[i].n; j++) {
			const struct sample *s = &set->runs[i].s[j];
			if (!rd_is_series_row(s) && strcmp(s->experiment, exp) == 0)
				names_add(out, s->metric);
		}
}

static void add_source(struct rd_series *out, const char *src)
{
	if (!src[0])
		return;
	/* Count distinct sources without growing the string past its buffer:
	 * per-repetition names (cgroup paths) would otherwise flood it. */
	const char *p = out->source;
	size_t sl = strlen(src);
	while ((p = strstr(p, src))) {
		if ((p == out->source || p[-1] == ' ') && (p[sl] == '\0' || p[sl] == ','))
			return;
		p += sl;
	}
	size_t len = strlen(out->source);
	if (len + sl + 3 < sizeof(out->source))
		snprintf(out->source + len, sizeof(out->source) - len, "%s%s", len ? ", " : "", src);
	else if (!strstr(out->source, " …"))
		snprintf(out->source + len, sizeof(out->source) - len, " …");
}

static int push(struct rd_series *out, size_t *cap, double v, int rep, int run)
{
	if (out->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		double *nv = realloc(out->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		out->v = nv;
		int *nr = realloc(out->rep, nc * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		out->rep = nr;
		int *nu = realloc(out->run, nc * sizeof(*nu));
		if (!nu)
			return -ENOMEM;
		out->run = nu;
		*cap = nc;
	}
	out->v[out->n] = v;
	out->rep[out->n] = rep;
	out->run[out->n] = run;
	out->n++;
	return 0;
}

int rd_collect(const struct rd_set *set, const char *group, const char *exp, const char *target,
	       const char *metric, struct rd_series *out)
{
	memset(out, 0, sizeof(*out));
	size_t cap = 0;
	int seen_measured = 0, seen_estimated = 0, seen_other = 0;
	for (int i = 0; i < set->nruns; i++) {
		const struct rd_run *r = &set->runs[i];
		if (!in_group(r, exp, group))
			continue;
		int contributed = 0;
		for (size_t j = 0; j < r->n; j++) {
			const struct sample *s = &r->s[j];
			if (rd_is_series_row(s) || strcmp(s->experiment, exp) || strcmp(s->target, target) ||
			    strcmp(s->metric, metric))
				continue;
			contributed = 1;
			if (!out->unit[0])
				snprintf(out->unit, sizeof(out->unit), "%s", s->unit);
			if (!out->boundary[0] && s->boundary[0])
				snprintf(out->boundary, sizeof(out->boundary), "%s", s->boundary);
			add_source(out, s->source);
			if (isnan(s->value)) {
				out->unavailable++;
				continue;
			}
			if (strcmp(s->method, METHOD_MEASURED) == 0)
				seen_measured = 1;
			else if (strcmp(s->method, METHOD_ESTIMATED) == 0)
				seen_estimated = 1;
			else
				seen_other = 1;
			if (push(out, &cap, s->value, s->repetition, i) < 0) {
				rd_series_free(out);
				return -ENOMEM;
			}
		}
		out->nruns += contributed;
	}
	/* The weakest claim among the values wins: a pooled figure is only as
	 * measured as its least measured part. */
	const char *m = (seen_measured + seen_estimated + seen_other > 1) ? "mixed"
			: seen_estimated ? METHOD_ESTIMATED
			: seen_measured ? METHOD_MEASURED
			: seen_other ? "other" : METHOD_UNAVAILABLE;
	snprintf(out->method, sizeof(out->method), "%s", m);
	return 0;
}

void rd_series_free(struct rd_series *s)
{
	free(s->v);
	free(s->rep);
	free(s->run);
	s->v = NULL;
	s->rep = s->run = NULL;
	s->n = 0;
}

int rd_series_estimated(const struct rd_series *s)
{
	return strcmp(s->method, METHOD_ESTIMATED) == 0 || strcmp(s->method, "mixed") == 0;
}

const char *rd_pick_base(const struct rd_set *set, const char *group, const char *exp,
			 const char *metric, const struct rd_names *targets)
{
	const char *first = NULL;
	for (int t = 0; t < targets->n; t++) {
		const char *name = targets->v[t];
		if (strcmp(name, "host") == 0)
			continue;
		struct rd_series s;
		if (rd_collect(set, group, exp, name, metric, &s) < 0)
			continue;
		size_t n = s.n;
		rd_series_free(&s);
		if (!n)
			continue;
		if (strcmp(name, "native") == 0)
			return name;
		if (!first)
			first = name;
	}
	return first;
}

double rd_ratio(double median, double base)
{
	if (isnan(median) || isnan(base) || base == 0)
		return NAN;
	return median / base;
}

void rd_split_label(const char *label, char *target, size_t tcap, char *policy, size_t pcap)
{
	size_t cut = strcspn(label, "/@:");
	snprintf(target, tcap, "%.*s", (int)cut, label);
	snprintf(policy, pcap, "%s", label[cut] ? label + cut + 1 : "");
}

static int cmp_point(const void *a, const void *b)
{
	double x = ((const struct rd_point *)a)->t, y = ((const struct rd_point *)b)->t;
	return (x > y) - (x < y);
}

int rd_timeseries(const struct rd_run *run, const char *target, const char *metric,
		  struct rd_point **out, size_t *n)
{
	size_t cnt = 0;
	for (size_t j = 0; j < run->n; j++) {
		const struct sample *s = &run->s[j];
		cnt += rd_is_series_row(s) && !isnan(s->t_s) && !isnan(s->value) &&
		       !strcmp(s->target, target) && !strcmp(s->metric, metric);
	}
	*out = NULL;
	*n = 0;
	if (!cnt)
		return 0;
	struct rd_point *p = calloc(cnt, sizeof(*p));
	if (!p)
		return -ENOMEM;
	size_t k = 0;
	for (size_t j = 0; j < run->n; j++) {
		const struct sample *s = &run->s[j];
		if (!(rd_is_series_row(s) && !isnan(s->t_s) && !isnan(s->value) &&
		      !strcmp(s->target, target) && !strcmp(s->metric, metric)))
			continue;
		p[k].t = s->t_s;
		p[k].v = s->value;
		snprintf(p[k].phase, sizeof(p[k].phase), "%s", s->phase);
		snprintf(p[k].experiment, sizeof(p[k].experiment), "%s", s->experiment);
		snprintf(p[k].method, sizeof(p[k].method), "%s", s->method);
		snprintf(p[k].source, sizeof(p[k].source), "%s", s->source);
		k++;
	}
	qsort(p, cnt, sizeof(*p), cmp_point);
	*out = p;
	*n = cnt;
	return 0;
}

int rd_phase_intervals(const struct rd_point *p, size_t n, struct rd_interval **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (!n)
		return 0;
	struct rd_interval *iv = calloc(n, sizeof(*iv));
	if (!iv)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k && strcmp(iv[k - 1].phase, p[i].phase) == 0) {
			iv[k - 1].t1 = p[i].t;
			continue;
		}
		if (k)
			iv[k - 1].t1 = p[i].t;
		iv[k].t0 = iv[k].t1 = p[i].t;
		snprintf(iv[k].phase, sizeof(iv[k].phase), "%s", p[i].phase);
		k++;
	}
	*out = iv;
	*nout = k;
	return 0;
}

void rd_phase_kind(const char *phase, char *kind, size_t kcap, char *target, size_t tcap)
{
	size_t cut = strcspn(phase, ":");
	snprintf(kind, kcap, "%.*s", (int)cut, phase);
	if (target)
		snprintf(target, tcap, "%s", phase[cut] ? phase + cut + 1 : "");
}

int rd_pairs(const struct rd_set *set, const char *group, const char *exp, const char *target,
	     const char *xmetric, const char *ymetric, double **x, double **y, size_t *n,
	     struct rd_series *yinfo)
{
	struct rd_series xs, ys;
	*x = *y = NULL;
	*n = 0;
	if (rd_collect(set, group, exp, target, xmetric, &xs) < 0)
		return -ENOMEM;
	if (rd_collect(set, group, exp, target, ymetric, &ys) < 0) {
		rd_series_free(&xs);
		return -ENOMEM;
	}
	size_t cap = xs.n < ys.n ? xs.n : ys.n;
	int r = 0;
	if (cap) {
		*x = malloc(cap * sizeof(double));
		*y = malloc(cap * sizeof(double));
		if (!*x || !*y) {
			free(*x);
			free(*y);
			*x = *y = NULL;
			r = -ENOMEM;
		}
	}
	for (size_t i = 0; r == 0 && i < ys.n && *n < cap; i++)
		for (size_t j = 0; j < xs.n; j++)
			if (xs.run[j] == ys.run[i] && xs.rep[j] == ys.rep[i]) {
				(*x)[*n] = xs.v[j];
				(*y)[*n] = ys.v[i];
				(*n)++;
				break;
			}
	rd_series_free(&xs);
	if (yinfo)
		*yinfo = ys;
	else
		rd_series_free(&ys);
	return r;
}

const char *rd_meta_str(const struct rd_run *run, const char *key)
{
	cJSON *it = run->meta ? cJSON_GetObjectItemCaseSensitive(run->meta, key) : NULL;
	return cJSON_IsString(it) ? it->valuestring : "";
}

struct cJSON *rd_meta_obj(const struct rd_run *run, const char *key)
{
	return run->meta ? cJSON_GetObjectItemCaseSensitive(run->meta, key) : NULL;
}
