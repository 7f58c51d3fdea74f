#include "report_frag.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_md.h"
#include "stats.h"

static int multi_host(const struct rf_ctx *ctx, struct rd_names *hosts)
{
	rd_hosts(ctx->set, hosts);
	return hosts->n > 1;
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
		for (int t = 0; t < targets.n; t++) {
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
		fprintf(f, "\nSome rows pool the repetitions of several run directories of host %s.\n", host);
}

void rf_table(FILE *f, struct rf_ctx *ctx, const char *exp)
{
	struct rd_names hosts, exps;
	rd_experiments(ctx->set, &exps);
	struct rd_names metrics;
	rd_metrics(ctx->set, exp, &metrics);
	if (!rd_names_has(&exps, exp) || metrics.n == 0) {
		fprintf(f, "*No %s results in these runs.*\n", exp);
		ctx->missing++;
		return;
	}
	int multi = multi_host(ctx, &hosts);
	for (int h = 0; h < hosts.n; h++) {
		struct rd_names targets;
		rd_targets(ctx->set, hosts.v[h], exp, &targets);
		if (!targets.n)
			continue;
		if (multi)
			fprintf(f, "\nHost **%s**:\n\n", hosts.v[h]);
		table_block(f, ctx, hosts.v[h], exp);
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
		if (!base)
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
	struct rd_names hosts, metrics;
	rd_metrics(ctx->set, exp, &metrics);
	if (metrics.n == 0) {
		fprintf(f, "*No %s results in these runs.*\n", exp);
		ctx->missing++;
		return;
	}
	int multi = multi_host(ctx, &hosts);
	for (int h = 0; h < hosts.n; h++) {
		struct rd_names targets;
		rd_targets(ctx->set, hosts.v[h], exp, &targets);
		if (!targets.n)
			continue;
		if (multi)
			fprintf(f, "\nHost **%s**:\n\n", hosts.v[h]);
		ratio_block(f, ctx, hosts.v[h], exp);
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

static const char *json_str(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* A meta value as text: strings as they are, numbers and booleans printed,
 * objects and arrays compact. */
static void json_text(const cJSON *it, char *out, size_t cap)
{
	if (!it) {
		snprintf(out, cap, "not recorded");
	} else if (cJSON_IsString(it)) {
		snprintf(out, cap, "%s", it->valuestring);
	} else if (cJSON_IsBool(it)) {
		snprintf(out, cap, "%s", cJSON_IsTrue(it) ? "yes" : "no");
	} else if (cJSON_IsNumber(it) && it->valuedouble == (double)(long long)it->valuedouble) {
		snprintf(out, cap, "%lld", (long long)it->valuedouble);
	} else if (cJSON_IsNumber(it)) {
		md_num(out, cap, it->valuedouble);
	} else {
		char *s = cJSON_PrintUnformatted(it);
		snprintf(out, cap, "%s", s ? s : "?");
		free(s);
	}
}

static void kv_row(FILE *f, const char *key, const char *value)
{
	const char *row[] = { key, value };
	md_table_row(f, row, 2);
}

static void kv_meta(FILE *f, const struct rd_run *run, const char *label, const char *key)
{
	char buf[2048];
	json_text(rd_meta_obj(run, key), buf, sizeof(buf));
	kv_row(f, label, buf);
}

static void kv_state(FILE *f, const struct rd_run *run, const char *label, const char *key)
{
	char a[128], b[128], buf[300];
	cJSON *before = rd_meta_obj(run, "host_state_before"), *after = rd_meta_obj(run, "host_state_after");
	json_text(before ? cJSON_GetObjectItemCaseSensitive(before, key) : NULL, a, sizeof(a));
	json_text(after ? cJSON_GetObjectItemCaseSensitive(after, key) : NULL, b, sizeof(b));
	snprintf(buf, sizeof(buf), "%s (before) / %s (after)", a, b);
	kv_row(f, label, buf);
}

static void mitigations_text(const struct rd_run *run, char *out, size_t cap)
{
	cJSON *m = rd_meta_obj(run, "mitigations");
	size_t k = 0;
	int affected = 0, total = 0;
	out[0] = '\0';
	cJSON *it;
	cJSON_ArrayForEach(it, m) {
		total++;
		if (!cJSON_IsString(it) || strncmp(it->valuestring, "Not affected", 12) == 0)
			continue;
		affected++;
		if (k + 1 < cap)
			k += (size_t)snprintf(out + k, cap - k, "%s%s: %s", affected > 1 ? "; " : "", it->string,
					      it->valuestring);
	}
	if (!total)
		snprintf(out, cap, "not recorded");
	else if (!affected)
		snprintf(out, cap, "not affected by any of %d listed", total);
}

static void host_block(FILE *f, const struct rd_set *set, const char *host)
{
	const struct rd_run *first = NULL;
	char runs[2048] = "";
	size_t k = 0;
	for (int i = 0; i < set->nruns; i++)
		if (!strcmp(set->runs[i].host, host)) {
			if (!first)
				first = &set->runs[i];
			if (k + 1 < sizeof(runs))
				k += (size_t)snprintf(runs + k, sizeof(runs) - k, "%s`%s`", k ? ", " : "",
						      set->runs[i].id);
		}
	if (!first)
		return;
	static const char *const head[] = { "fact", "value" };
	md_table_head(f, head, 2, "ll");
	kv_row(f, "run directories", runs);
	kv_meta(f, first, "host", "host");
	kv_meta(f, first, "CPU", "cpu_model");
	kv_meta(f, first, "CPUs online", "cpus_online");
	char buf[2048];
	cJSON *mem = rd_meta_obj(first, "mem_total_bytes");
	if (cJSON_IsNumber(mem)) {
		char num[32];
		md_num(num, sizeof(num), mem->valuedouble / (1024.0 * 1024 * 1024));
		snprintf(buf, sizeof(buf), "%s GiB", num);
		kv_row(f, "memory", buf);
	}
	kv_meta(f, first, "microcode", "microcode");
	kv_meta(f, first, "hypervisor flag (host is a VM)", "cpu_hypervisor_flag");
	kv_meta(f, first, "SMT active", "smt_active");
	kv_meta(f, first, "kernel", "kernel");
	kv_meta(f, first, "kernel command line", "kernel_cmdline");
	mitigations_text(first, buf, sizeof(buf));
	kv_row(f, "CPU vulnerabilities not 'Not affected'", buf);
	kv_state(f, first, "governor", "governor");
	kv_state(f, first, "turbo", "turbo");
	const char *accel = rd_meta_str(first, "accelerator"), *why = rd_meta_str(first, "accelerator_reason");
	snprintf(buf, sizeof(buf), "%s%s%s", *accel ? accel : "not recorded", *why ? " — " : "", why);
	kv_row(f, "accelerator (vm, unikernel)", buf);
	cJSON *energy = rd_meta_obj(first, "energy");
	if (energy) {
		const char *src = json_str(energy, "source"), *method = json_str(energy, "method");
		const char *boundary = json_str(energy, "boundary"), *note = json_str(energy, "note");
		snprintf(buf, sizeof(buf), "%s, %s, boundary %s", src ? src : "?", method ? method : "?",
			 boundary ? boundary : "?");
		kv_row(f, "energy source", buf);
		if (note)
			kv_row(f, "energy note", note);
	} else {
		kv_row(f, "energy source", "not recorded");
	}
	cJSON *tools = rd_meta_obj(first, "tools"), *it;
	cJSON_ArrayForEach(it, tools) {
		char label[80], val[512];
		snprintf(label, sizeof(label), "tool: %s", it->string);
		json_text(it, val, sizeof(val));
		kv_row(f, label, val);
	}
	const char *commit = rd_meta_str(first, "git_commit");
	cJSON *dirty = rd_meta_obj(first, "git_dirty");
	snprintf(buf, sizeof(buf), "%s%s", *commit ? commit : "not recorded",
		 cJSON_IsTrue(dirty) ? " (with uncommitted changes)" : "");
	kv_row(f, "git commit", buf);
	cJSON *pin = rd_meta_obj(first, "pinning");
	if (pin) {
		json_text(pin, buf, sizeof(buf));
		kv_row(f, "CPU pinning", buf);
	}
	/* Every run of the host: its own warnings and its targets. */
	for (int i = 0; i < set->nruns; i++) {
		const struct rd_run *run = &set->runs[i];
		if (strcmp(run->host, host) != 0)
			continue;
		char label[400];
		cJSON *warns = rd_meta_obj(run, "host_state_warnings");
		size_t wk = 0;
		buf[0] = '\0';
		cJSON_ArrayForEach(it, warns)
			if (cJSON_IsString(it) && wk + 1 < sizeof(buf))
				wk += (size_t)snprintf(buf + wk, sizeof(buf) - wk, "%s%s", wk ? "; " : "",
						       it->valuestring);
		snprintf(label, sizeof(label), "host-state warnings (%s)", run->id);
		kv_row(f, label, warns ? (wk ? buf : "none") : "not recorded");
		cJSON *cmd = rd_meta_obj(run, "command");
		if (cmd) {
			size_t ck = 0;
			buf[0] = '\0';
			cJSON_ArrayForEach(it, cmd)
				if (cJSON_IsString(it) && ck + 1 < sizeof(buf))
					ck += (size_t)snprintf(buf + ck, sizeof(buf) - ck, "%s%s", ck ? " " : "",
							       it->valuestring);
			snprintf(label, sizeof(label), "command (%s)", run->id);
			kv_row(f, label, buf);
		}
		cJSON *targets = rd_meta_obj(run, "targets");
		cJSON_ArrayForEach(it, targets) {
			snprintf(label, sizeof(label), "target %s (%s)", it->string, run->id);
			json_text(it, buf, sizeof(buf));
			kv_row(f, label, buf);
		}
	}
}

void rf_hosts(FILE *f, struct rf_ctx *ctx)
{
	struct rd_names hosts;
	rd_hosts(ctx->set, &hosts);
	for (int h = 0; h < hosts.n; h++) {
		if (hosts.n > 1)
			fprintf(f, "%sHost **%s**:\n\n", h ? "\n" : "", hosts.v[h]);
		host_block(f, ctx->set, hosts.v[h]);
	}
}

void rf_energy(FILE *f, struct rf_ctx *ctx)
{
	int any = 0;
	for (int i = 0; i < ctx->set->nruns; i++) {
		const struct rd_run *run = &ctx->set->runs[i];
		cJSON *energy = rd_meta_obj(run, "energy");
		cJSON *probed = energy ? cJSON_GetObjectItemCaseSensitive(energy, "probed") : NULL;
		if (!cJSON_IsArray(probed))
			continue;
		/* Runs of one host usually probe alike: show a host's first run only. */
		int dup = 0;
		for (int j = 0; j < i; j++)
			dup |= !strcmp(ctx->set->runs[j].host, run->host) &&
			       cJSON_GetObjectItemCaseSensitive(rd_meta_obj(&ctx->set->runs[j], "energy"), "probed");
		if (dup)
			continue;
		fprintf(f, "%sEnergy meters probed on %s (run `%s`):\n\n", any ? "\n" : "", run->host, run->id);
		static const char *const head[] = { "meter", "verdict", "chosen", "reason", "fix" };
		md_table_head(f, head, 5, "lllll");
		cJSON *it;
		cJSON_ArrayForEach(it, probed) {
			const char *row[] = { json_str(it, "meter"), json_str(it, "verdict"),
					      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "chosen")) ? "yes" : "",
					      json_str(it, "reason"), json_str(it, "fix") };
			md_table_row(f, row, 5);
		}
		any = 1;
	}
	if (!any)
		fprintf(f, "*No energy meter record in these runs.*\n");
}

static void doctor_table(FILE *f, const cJSON *lines)
{
	static const char *const head[] = { "capability", "status", "detail", "fix" };
	md_table_head(f, head, 4, "llll");
	const cJSON *it;
	cJSON_ArrayForEach(it, lines) {
		const char *row[] = { json_str(it, "name"), json_str(it, "status"), json_str(it, "detail"),
				      json_str(it, "fix") };
		md_table_row(f, row, 4);
	}
}

void rf_doctor(FILE *f, struct rf_ctx *ctx)
{
	struct rd_names hosts;
	rd_hosts(ctx->set, &hosts);
	for (int h = 0; h < hosts.n; h++) {
		const cJSON *rec = NULL;
		const char *id = NULL;
		for (int i = 0; i < ctx->set->nruns && !rec; i++)
			if (!strcmp(ctx->set->runs[i].host, hosts.v[h]) &&
			    cJSON_IsArray(rd_meta_obj(&ctx->set->runs[i], "doctor"))) {
				rec = rd_meta_obj(&ctx->set->runs[i], "doctor");
				id = ctx->set->runs[i].id;
			}
		if (h)
			fputc('\n', f);
		if (rec) {
			fprintf(f, "Host %s, as recorded by run `%s`:\n\n", hosts.v[h], id);
			doctor_table(f, rec);
		} else if (ctx->doctor_now && !strcmp(ctx->doctor_now_host, hosts.v[h])) {
			fprintf(f, "Host %s: the runs recorded no verdicts; `zerowatt doctor` run on the same host "
				   "when this report was written:\n\n", hosts.v[h]);
			doctor_table(f, ctx->doctor_now);
		} else {
			fprintf(f, "Host %s: no doctor's verdicts recorded in its runs.\n", hosts.v[h]);
		}
	}
}

void rf_skipped(FILE *f, struct rf_ctx *ctx)
{
	int any = 0;
	for (int i = 0; i < ctx->set->nruns; i++) {
		const struct rd_run *run = &ctx->set->runs[i];
		cJSON *sk = rd_meta_obj(run, "skipped_targets"), *it;
		cJSON_ArrayForEach(it, sk) {
			if (!any++) {
				static const char *const head[] = { "host", "run", "target", "reason" };
				md_table_head(f, head, 4, "llll");
			}
			char why[1024];
			json_text(it, why, sizeof(why));
			const char *row[] = { run->host, run->id, it->string, why };
			md_table_row(f, row, 4);
		}
	}
	if (!any)
		fprintf(f, "No target was skipped.\n");
}

static struct rf_figure *find_fig(struct rf_ctx *ctx, const char *name)
{
	for (int i = 0; i < ctx->nfigs; i++)
		if (!strcmp(ctx->figs[i].name, name))
			return &ctx->figs[i];
	return NULL;
}

void rf_figure(FILE *f, struct rf_ctx *ctx, const char *name)
{
	struct rf_figure *fig = find_fig(ctx, name);
	if (!fig) {
		fprintf(f, "*Figure %s: not made for this report.*\n", name);
		ctx->missing++;
		return;
	}
	if (!fig->drawn) {
		fprintf(f, "*%s: not drawn — %s.*\n", fig->title, fig->note);
		ctx->missing++;
		return;
	}
	fig->shown = 1;
	fprintf(f, "![%s](%s/%s.png)\n\n*%s* %s ([SVG](%s/%s.svg))\n", fig->title, ctx->fig_dir, fig->name,
		fig->title, fig->caption, ctx->fig_dir, fig->name);
}

int rf_value(FILE *f, struct rf_ctx *ctx, const char *exp, const char *target, const char *metric,
	     const char *stat, const char *host)
{
	struct rd_names hosts;
	rd_hosts(ctx->set, &hosts);
	if (!host && hosts.n)
		host = hosts.v[0];
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
	} else if (!strcmp(stat, "ratio")) {
		struct rd_names targets;
		rd_targets(ctx->set, host, exp, &targets);
		const char *base = rd_pick_base(ctx->set, host, exp, metric, &targets);
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

int rf_kind_inline(const char *kind)
{
	return !strcmp(kind, "value") || !strcmp(kind, "run");
}

/* Every figure not shown yet, then the list of those not drawn and why. */
static void all_figures(FILE *f, struct rf_ctx *ctx, const char *heading)
{
	int others = 0, skipped = 0;
	for (int i = 0; i < ctx->nfigs; i++)
		if (ctx->figs[i].drawn && !ctx->figs[i].shown) {
			if (!others++ && heading)
				fprintf(f, "\n## %s\n", heading);
			fprintf(f, "\n### %s\n\n", ctx->figs[i].title);
			rf_figure(f, ctx, ctx->figs[i].name);
		}
	for (int i = 0; i < ctx->nfigs; i++)
		if (!ctx->figs[i].drawn) {
			if (!skipped++)
				fprintf(f, heading ? "\n## Figures not drawn\n\n" : "\nFigures not drawn:\n\n");
			fprintf(f, "- %s: %s\n", ctx->figs[i].title, ctx->figs[i].note);
		}
}

int rf_emit(FILE *f, struct rf_ctx *ctx, const char *kind, int argc, char **argv, char *err, size_t cap)
{
	int need = !strcmp(kind, "table") || !strcmp(kind, "ratios") || !strcmp(kind, "figure") ? 1
		 : !strcmp(kind, "value") ? 3 : 0;
	int known = need || !strcmp(kind, "power") || !strcmp(kind, "hosts") || !strcmp(kind, "energy") ||
		    !strcmp(kind, "doctor") || !strcmp(kind, "skipped") || !strcmp(kind, "run") ||
		    !strcmp(kind, "figures");
	if (!known) {
		snprintf(err, cap, "unknown marker kind '%s' (table, ratios, figure, figures, value, run, "
				   "power, hosts, energy, doctor, skipped)", kind);
		return -EINVAL;
	}
	int max = !strcmp(kind, "value") ? 5 : need;
	if (argc < need || argc > max) {
		snprintf(err, cap, "marker '%s' takes %d%s argument%s, got %d", kind, need,
			 max > need ? " to 5" : "", max == 1 ? "" : "s", argc);
		return -EINVAL;
	}
	if (!strcmp(kind, "value")) {
		static const char *const stats[] = { "median", "mean", "p5", "p95", "min", "max", "ci", "n",
						     "ratio", NULL };
		int ok = argc < 4;
		for (int i = 0; !ok && stats[i]; i++)
			ok = !strcmp(argv[3], stats[i]);
		if (!ok) {
			snprintf(err, cap, "value: unknown statistic '%s' (median, mean, p5, p95, min, max, ci, "
					   "n, ratio)", argv[3]);
			return -EINVAL;
		}
		rf_value(f, ctx, argv[0], argv[1], argv[2], argc > 3 ? argv[3] : NULL, argc > 4 ? argv[4] : NULL);
	} else if (!strcmp(kind, "run")) {
		rf_run_ids(f, ctx);
	} else if (!strcmp(kind, "table")) {
		rf_table(f, ctx, argv[0]);
	} else if (!strcmp(kind, "ratios")) {
		rf_ratios(f, ctx, argv[0]);
	} else if (!strcmp(kind, "figure")) {
		rf_figure(f, ctx, argv[0]);
	} else if (!strcmp(kind, "figures")) {
		all_figures(f, ctx, NULL);
	} else if (!strcmp(kind, "power")) {
		rf_power_phases(f, ctx);
	} else if (!strcmp(kind, "hosts")) {
		rf_hosts(f, ctx);
	} else if (!strcmp(kind, "energy")) {
		rf_energy(f, ctx);
	} else if (!strcmp(kind, "doctor")) {
		rf_doctor(f, ctx);
	} else {
		rf_skipped(f, ctx);
	}
	return 0;
}

static void figures_of(FILE *f, struct rf_ctx *ctx, const char *prefix)
{
	size_t pl = strlen(prefix);
	for (int i = 0; i < ctx->nfigs; i++)
		if (ctx->figs[i].drawn && !strncmp(ctx->figs[i].name, prefix, pl) &&
		    (ctx->figs[i].name[pl] == '\0' || ctx->figs[i].name[pl] == '-')) {
			fputc('\n', f);
			rf_figure(f, ctx, ctx->figs[i].name);
		}
}

/* Which figure shows which experiment's results. */
static const char *figure_of(const char *exp)
{
	static const char *const map[][2] = { { "boot", "boot" },         { "syscall", "syscall" },
					      { "load", "http" },         { "scale", "energy_rate" },
					      { "density", "density" },   { NULL, NULL } };
	for (int i = 0; map[i][0]; i++)
		if (!strcmp(map[i][0], exp))
			return map[i][1];
	return NULL;
}

void rf_report(FILE *f, struct rf_ctx *ctx, const char *const *dirs, int ndirs)
{
	struct rd_names hosts, exps;
	rd_hosts(ctx->set, &hosts);
	rd_experiments(ctx->set, &exps);
	fprintf(f, "# zerowatt report\n\n");
	fprintf(f, "Runs: ");
	rf_run_ids(f, ctx);
	fprintf(f, " — %d run director%s from %d host%s", ndirs, ndirs == 1 ? "y" : "ies", hosts.n,
		hosts.n == 1 ? "" : "s");
	(void)dirs;
	fprintf(f, ".\n\n"
		   "Tables give the median, p5/p95 and the distribution-free 95%% confidence interval of the "
		   "median (order statistics; none below 6 repetitions) over repetitions; outliers are "
		   "counted by MAD (|x − median| > 3 × 1.4826 MAD), flagged and kept. Every value carries its "
		   "method (measured, estimated by a model, unavailable) and its source; energy figures also "
		   "carry their boundary. Ratios are medians divided by the base target's median, with both "
		   "absolute values beside them.\n");

	fprintf(f, "\n## Setup\n\n");
	rf_hosts(f, ctx);
	fprintf(f, "\n### Energy\n\n");
	rf_energy(f, ctx);
	fprintf(f, "\n### Doctor's verdicts\n\n");
	rf_doctor(f, ctx);
	fprintf(f, "\n### Skipped targets\n\n");
	rf_skipped(f, ctx);

	fprintf(f, "\n## Results\n");
	for (int e = 0; e < exps.n; e++) {
		struct rd_names metrics;
		rd_metrics(ctx->set, exps.v[e], &metrics);
		if (!metrics.n)
			continue;
		fprintf(f, "\n### %s\n\n", exps.v[e]);
		rf_table(f, ctx, exps.v[e]);
		fprintf(f, "\nRatios:\n\n");
		rf_ratios(f, ctx, exps.v[e]);
		const char *fig = figure_of(exps.v[e]);
		if (fig)
			figures_of(f, ctx, fig);
		if (!strcmp(exps.v[e], "scale")) {
			figures_of(f, ctx, "breakeven");
			figures_of(f, ctx, "coldstart");
		}
	}
	fprintf(f, "\n### Power over time\n\n");
	rf_power_phases(f, ctx);
	figures_of(f, ctx, "timeline");

	all_figures(f, ctx, "Other figures");
}
