/* zerowatt claims RUN_DIR: the issues' targets judged on one run. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "claims.h"
#include "log.h"
#include "results.h"
#include "verb.h"

static cJSON *read_meta(const char *dir)
{
	char path[1100];
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	char *text = read_text_file(path);
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	free(text);
	return j;
}

static int claims_run(int argc, char **argv)
{
	if (argc != 2)
		die_usage("claims: expected one RUN_DIR");
	char path[1100];
	snprintf(path, sizeof(path), "%s/samples.csv", argv[1]);
	struct sample *s;
	size_t n;
	if (results_read_csv(path, &s, &n) < 0)
		die_usage("claims: %s is not a run directory (no readable samples.csv)", argv[1]);
	cJSON *meta = read_meta(argv[1]);
	struct claim_result r[32];
	int k = claims_evaluate(s, n, meta, r, 32);
	claims_markdown(r, k, stdout);
	cJSON_Delete(meta);
	free(s);
	return 0;
}

static const struct verb claims_verb = {
	.name = "claims",
	.summary = "evaluate the targets the issues set against a run (benchmarks, not tests)",
	.usage = "claims RUN_DIR\n  prints a markdown table: each target, met / not met / not measured, and the medians",
	.run = claims_run,
};
VERB_REGISTER(claims_verb);
