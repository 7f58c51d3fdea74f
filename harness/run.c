/* The run directory: created at open, samples.csv and meta.json rewritten
 * atomically at every flush so an interrupted run keeps what it completed. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "results.h"

#define COPY_FIELD(dst, src) snprintf(dst, sizeof(dst), "%s", src)

static int make_run_dir(struct run *run, const char *root)
{
	struct utsname u;
	uname(&u);
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	if (mkdir(root, 0755) < 0 && errno != EEXIST) {
		pr_err("cannot create results directory %s: %s", root, strerror(errno));
		return -errno;
	}
	for (int i = 1; i < 100; i++) {
		if (i == 1)
			snprintf(run->dir, sizeof(run->dir), "%s/%s-%s", root, stamp, u.nodename);
		else
			snprintf(run->dir, sizeof(run->dir), "%s/%s-%s-%d", root, stamp, u.nodename, i);
		if (mkdir(run->dir, 0755) == 0)
			return 0;
		if (errno != EEXIST) {
			pr_err("cannot create %s: %s", run->dir, strerror(errno));
			return -errno;
		}
	}
	return -EEXIST;
}

int run_open(struct run *run, const char *root, int argc, char **argv)
{
	memset(run, 0, sizeof(*run));
	if (!root)
		root = getenv("ZW_RESULTS");
	if (!root || !*root)
		root = "results";
	int r = make_run_dir(run, root);
	if (r < 0)
		return r;
	run->t0 = now_s();
	run->meta = cJSON_CreateObject();
	cJSON *cmd = cJSON_AddArrayToObject(run->meta, "command");
	for (int i = 0; i < argc; i++)
		cJSON_AddItemToArray(cmd, cJSON_CreateString(argv[i]));
	time_t t = time(NULL);
	char stamp[32];
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(run->meta, "started_utc", stamp);
	host_meta_fill(run->meta);
	cJSON *state = cJSON_AddObjectToObject(run->meta, "host_state_before");
	host_state_snapshot(state);
	return run_flush(run);
}

int run_add(struct run *run, const struct sample *s)
{
	if (run->n == run->cap) {
		size_t cap = run->cap ? run->cap * 2 : 256;
		struct sample *v = realloc(run->samples, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		run->samples = v;
		run->cap = cap;
	}
	run->samples[run->n++] = *s;
	return 0;
}

int run_addv(struct run *run, const char *experiment, const char *target, const char *metric,
	     double value, const char *unit, int repetition, const char *method, const char *source)
{
	struct sample s;
	memset(&s, 0, sizeof(s));
	COPY_FIELD(s.experiment, experiment);
	COPY_FIELD(s.target, target);
	COPY_FIELD(s.metric, metric);
	s.value = value;
	COPY_FIELD(s.unit, unit ? unit : "");
	s.repetition = repetition;
	COPY_FIELD(s.method, method ? method : METHOD_MEASURED);
	COPY_FIELD(s.source, source ? source : "");
	s.t_s = NAN;
	return run_add(run, &s);
}

int run_flush(struct run *run)
{
	char path[1100];
	snprintf(path, sizeof(path), "%s/samples.csv", run->dir);
	int r = results_write_csv(path, run->samples, run->n);
	if (r < 0) {
		pr_err("cannot write %s: %s", path, strerror(-r));
		return r;
	}
	char *json = cJSON_Print(run->meta);
	if (!json)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/meta.json", run->dir);
	r = write_file_atomic(path, json, strlen(json));
	free(json);
	if (r < 0)
		pr_err("cannot write %s: %s", path, strerror(-r));
	return r;
}

/* BenchExec's rule: a run during which the governor, turbo, throttling or
 * swap changed is suspect, and says so. */
static void warn_host_state_changes(cJSON *meta)
{
	cJSON *before = cJSON_GetObjectItem(meta, "host_state_before");
	cJSON *after = cJSON_GetObjectItem(meta, "host_state_after");
	static const char *const keys[] = { "governor", "turbo", "thermal_throttle_count", "swap_used_bytes" };
	cJSON *warnings = cJSON_AddArrayToObject(meta, "host_state_warnings");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		cJSON *a = cJSON_GetObjectItem(before, keys[i]), *b = cJSON_GetObjectItem(after, keys[i]);
		if (!a || !b)
			continue;
		char *sa = cJSON_PrintUnformatted(a), *sb = cJSON_PrintUnformatted(b);
		if (sa && sb && strcmp(sa, sb) != 0) {
			char msg[256];
			snprintf(msg, sizeof(msg), "%s changed during the run: %s -> %s", keys[i], sa, sb);
			pr_warn("%s", msg);
			cJSON_AddItemToArray(warnings, cJSON_CreateString(msg));
		}
		free(sa);
		free(sb);
	}
}

void run_close(struct run *run)
{
	if (run->meta) {
		cJSON *state = cJSON_AddObjectToObject(run->meta, "host_state_after");
		host_state_snapshot(state);
		warn_host_state_changes(run->meta);
		time_t t = time(NULL);
		char stamp[32];
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		cJSON_AddStringToObject(run->meta, "finished_utc", stamp);
		run_flush(run);
		cJSON_Delete(run->meta);
	}
	free(run->samples);
	run->samples = NULL;
	run->meta = NULL;
}

int run_reopen(struct run *run, const char *dir)
{
	memset(run, 0, sizeof(*run));
	snprintf(run->dir, sizeof(run->dir), "%s", dir);
	char path[1100];
	snprintf(path, sizeof(path), "%s/samples.csv", dir);
	int r = results_read_csv(path, &run->samples, &run->n);
	if (r < 0)
		return r;
	run->cap = run->n;
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	char *text = read_text_file(path);
	run->meta = text ? cJSON_Parse(text) : NULL;
	free(text);
	if (!run->meta) {
		free(run->samples);
		return -EINVAL;
	}
	run->t0 = now_s();
	return 0;
}
