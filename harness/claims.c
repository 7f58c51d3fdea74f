#include "claims.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "results.h"
#include "stats.h"

/* value(a) OP factor × value(b), or value(a) OP factor when b is absent. */
struct metric_ref {
	const char *experiment, *target, *metric;
};

struct claim {
	const char *id;
	const char *text;
	struct metric_ref a, b;
	const char *meta_path;  /* instead of a: a number in meta.json ("targets.unikernel.kernel_stripped_bytes") */
	int at_most;            /* 1: a <= factor·b; 0: a >= factor·b */
	double factor;
	int runs;               /* judged by whether a was measured at all; a failure
	                           recorded in meta skipped_targets is "not met" */
};

static const struct claim claims[] = {
	{ "2-nginx", "httpd serves >= 0.8x the requests/s of Debian's nginx (same page, same wrk load)",
	  { "nginx-compare", "native", "requests_per_s" }, { "nginx-compare", "nginx", "requests_per_s" },
	  NULL, 0, 0.8, 0 },
	{ "3-image", "unikernel image (stripped kernel + lwIP) <= 512 KiB",
	  { NULL, NULL, NULL }, { NULL, NULL, NULL }, "targets.unikernel.kernel_stripped_bytes", 1, 512 * 1024, 0 },
	{ "3-16mib", "unikernel boots and serves with 16 MiB of guest RAM",
	  { "boot-16mib", "unikernel", "first_200_ms" }, { NULL, NULL, NULL }, NULL, 0, 0, 0 },
	{ "3-boot", "unikernel launch -> first HTTP 200 <= 1/20 of the Linux VM's (same VMM and accelerator)",
	  { "boot", "unikernel", "first_200_ms" }, { "boot", "vm", "first_200_ms" }, NULL, 1, 1.0 / 20, 0 },
	{ "3-syscall", "ring-0 no-op syscall (getppid) <= 1/5 of the Linux VM guest's",
	  { "syscall", "unikernel", "getppid_ns" }, { "syscall", "vm", "getppid_ns" }, NULL, 1, 1.0 / 5, 0 },
	{ "3-ring3", "ring 3 reported beside ring 0 (getppid, ring 3 vs ring 0)",
	  { "syscall", "unikernel-ring3", "getppid_ns" }, { "syscall", "unikernel", "getppid_ns" }, NULL, 0, 0, 0 },
	{ "3-rps", "unikernel HTTP requests/s >= the Linux VM's (same wrk settings)",
	  { "load", "unikernel", "requests_per_s" }, { "load", "vm", "requests_per_s" }, NULL, 0, 1.0, 0 },
	{ "3-idle-irq", "idle unikernel: 0 timer interrupts/s",
	  { "idle", "unikernel", "guest_timer_irqs_per_s" }, { NULL, NULL, NULL }, NULL, 1, 0, 0 },
	{ "3-idle-cpu", "idle unikernel: QEMU uses <= 1% of one CPU",
	  { "idle", "unikernel", "cpu_pct" }, { NULL, NULL, NULL }, NULL, 1, 1.0, 0 },
	{ "4-go", "the Go server (gohttpd, standard library, static) runs on the unikernel",
	  { "boot-go", "unikernel", "first_200_ms" }, { NULL, NULL, NULL }, NULL, 0, 0, 1 },
	{ "5-sampler", "power sampler overhead < 0.5% of a CPU at 10 Hz",
	  { NULL, "host", "sampler_cpu_pct" }, { NULL, NULL, NULL }, NULL, 1, 0.5, 0 },
	{ "6-simulate", "fleet projection: 10 000 functions x 24 h simulated in under a minute",
	  { "simulate", "all", "elapsed_s" }, { NULL, NULL, NULL }, NULL, 1, 60, 0 },
	{ "7-suite", "the quick suite's experiments finish within 10 minutes (s)",
	  { NULL, NULL, NULL }, { NULL, NULL, NULL }, "profile.experiments_elapsed_s", 1, 600, 0 },
};

const char *claim_verdict_name(enum claim_verdict v)
{
	return v == CLAIM_MET ? "met" : v == CLAIM_NOT_MET ? "not met" : v == CLAIM_REPORTED ? "reported" : "not measured";
}

/* Median of the matching samples (experiment NULL matches any); method and
 * unit of the last one. */
static int median_of(const struct sample *s, size_t n, const struct metric_ref *r, double *median,
		     const char **unit, const char **method)
{
	double *v = malloc((n + 1) * sizeof(double));
	size_t k = 0;
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((r->experiment && strcmp(s[i].experiment, r->experiment)) || strcmp(s[i].target, r->target) ||
		    strcmp(s[i].metric, r->metric) || isnan(s[i].value))
			continue;
		if (s[i].phase[0] && strcmp(r->metric, "sampler_cpu_pct"))
			continue;
		v[k++] = s[i].value;
		*unit = s[i].unit;
		*method = s[i].method;
	}
	if (k)
		*median = stats_median(v, k);
	free(v);
	return k ? 0 : -1;
}

static const cJSON *meta_lookup(const cJSON *meta, const char *path)
{
	char copy[128];
	snprintf(copy, sizeof(copy), "%s", path);
	const cJSON *o = meta;
	for (char *k = strtok(copy, "."); k && o; k = strtok(NULL, "."))
		o = cJSON_GetObjectItemCaseSensitive(o, k);
	return o;
}

static void evaluate(const struct claim *c, const struct sample *s, size_t n, const cJSON *meta,
		     struct claim_result *r)
{
	r->id = c->id;
	r->text = c->text;
	r->verdict = CLAIM_NOT_MEASURED;
	double a, b = NAN;
	const char *ua = "", *ma = "measured", *ub = "", *mb = "";
	if (c->meta_path) {
		const cJSON *v = meta ? meta_lookup(meta, c->meta_path) : NULL;
		if (!cJSON_IsNumber(v)) {
			snprintf(r->evidence, sizeof(r->evidence), "%s not in meta.json", c->meta_path);
			return;
		}
		a = v->valuedouble;
		ua = strstr(c->meta_path, "bytes") ? "bytes" : strstr(c->meta_path, "_s") ? "s" : "";
	} else if (median_of(s, n, &c->a, &a, &ua, &ma) < 0) {
		const cJSON *sk = c->runs && meta ? meta_lookup(meta, "skipped_targets") : NULL;
		const cJSON *why = sk ? cJSON_GetObjectItemCaseSensitive(sk, c->a.target) : NULL;
		char tag[64];
		snprintf(tag, sizeof(tag), "%s:", c->a.experiment);
		const char *at = cJSON_IsString(why) ? strstr(why->valuestring, tag) : NULL;
		if (at) {
			snprintf(r->evidence, sizeof(r->evidence), "%s%.220s", c->a.experiment, at + strlen(tag) - 1);
			char *end = strchr(r->evidence, ';');
			if (end)
				*end = '\0';
			r->verdict = CLAIM_NOT_MET;
			return;
		}
		snprintf(r->evidence, sizeof(r->evidence), "no %s/%s/%s in the run",
			 c->a.experiment ? c->a.experiment : "*", c->a.target, c->a.metric);
		return;
	}
	if (c->b.metric && median_of(s, n, &c->b, &b, &ub, &mb) < 0) {
		snprintf(r->evidence, sizeof(r->evidence), "no %s/%s/%s in the run", c->b.experiment,
			 c->b.target, c->b.metric);
		return;
	}
	if (c->b.metric && c->factor == 0) {
		/* Reported beside, not judged. */
		snprintf(r->evidence, sizeof(r->evidence), "%s %.4g %s vs %s %.4g %s (ratio %.2f)", c->a.target, a,
			 ua, c->b.target, b, ub, a / b);
		r->verdict = CLAIM_REPORTED;
		return;
	}
	if (!c->b.metric && c->factor == 0 && !c->at_most) {
		snprintf(r->evidence, sizeof(r->evidence), "median %.4g %s (%s)", a, ua, ma);
		r->verdict = c->runs ? CLAIM_MET : CLAIM_REPORTED;
		return;
	}
	double limit = c->b.metric ? c->factor * b : c->factor;
	int ok = c->at_most ? a <= limit : a >= limit;
	if (c->b.metric)
		snprintf(r->evidence, sizeof(r->evidence), "%s %.4g %s / %s %.4g %s = %.3f (limit %s %.3f; %s)",
			 c->a.target, a, ua, c->b.target, b, ub, a / b, c->at_most ? "<=" : ">=", c->factor,
			 ma);
	else
		snprintf(r->evidence, sizeof(r->evidence), "%.4g %s (limit %s %.4g; %s)", a, ua,
			 c->at_most ? "<=" : ">=", limit, ma);
	r->verdict = ok ? CLAIM_MET : CLAIM_NOT_MET;
}

int claims_evaluate(const struct sample *s, size_t n, const cJSON *meta, struct claim_result *out, int max)
{
	int k = 0;
	for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]) && k < max; i++)
		evaluate(&claims[i], s, n, meta, &out[k++]);
	return k;
}

void claims_markdown(const struct claim_result *r, int n, FILE *out)
{
	fprintf(out, "| id | target from the issues | verdict | evidence (medians) |\n|---|---|---|---|\n");
	for (int i = 0; i < n; i++)
		fprintf(out, "| %s | %s | %s | %s |\n", r[i].id, r[i].text, claim_verdict_name(r[i].verdict),
			r[i].evidence);
}

