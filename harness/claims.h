/* The targets the issues set (boot ratio, syscall ratio, image size, idle
 * interrupts, httpd vs nginx, …), as data, evaluated against a run's
 * medians. Benchmarks, not tests: a target not met is a finding to report,
 * and one the run did not measure says so. */
#ifndef ZW_CLAIMS_H
#define ZW_CLAIMS_H
#include <stddef.h>
#include <stdio.h>

struct sample;
struct cJSON;

/* REPORTED: measured and shown, with no limit to judge against. */
enum claim_verdict { CLAIM_MET, CLAIM_NOT_MET, CLAIM_REPORTED, CLAIM_NOT_MEASURED };

struct claim_result {
	const char *id;
	const char *text;
	enum claim_verdict verdict;
	char evidence[256];     /* the numbers, with units and methods */
};

/* Evaluates every claim over the samples (and meta for facts such as image
 * sizes). Returns the number of results written. */
int claims_evaluate(const struct sample *s, size_t n, const struct cJSON *meta,
		    struct claim_result *out, int max);
/* A markdown table of the results. */
void claims_markdown(const struct claim_result *r, int n, FILE *out);
const char *claim_verdict_name(enum claim_verdict v);

#endif
