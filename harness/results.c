#include "results.h"

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

#define CSV_HEADER "experiment,target,metric,value,unit,repetition,method,source,boundary,phase,t_s"

int write_file_atomic(const char *path, const char *data, size_t len)
{
	char tmp[1100];
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, getpid());
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -errno;
	size_t w = fwrite(data, 1, len, f);
	int err = (w != len || fflush(f) != 0 || fsync(fileno(f)) != 0) ? -EIO : 0;
	if (fclose(f) != 0 && !err)
		err = -EIO;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_number(FILE *f, double v)
{
	if (!isnan(v))
		fprintf(f, "%.10g", v);
}

int results_write_csv(const char *path, const struct sample *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fputs(CSV_HEADER "\n", f);
	for (size_t i = 0; i < n; i++) {
		csv_field(f, s[i].experiment);
		fputc(',', f);
		csv_field(f, s[i].target);
		fputc(',', f);
		csv_field(f, s[i].metric);
		fputc(',', f);
		csv_number(f, s[i].value);
		fputc(',', f);
		csv_field(f, s[i].unit);
		fprintf(f, ",%d,", s[i].repetition);
		csv_field(f, s[i].method);
		fputc(',', f);
		csv_field(f, s[i].source);
		fputc(',', f);
		csv_field(f, s[i].boundary);
		fputc(',', f);
		csv_field(f, s[i].phase);
		fputc(',', f);
		csv_number(f, s[i].t_s);
		fputc('\n', f);
	}
	fclose(f);
	int r = write_file_atomic(path, buf, len);
	free(buf);
	return r;
}

/* Splits one CSV line in place; handles quoted fields. Returns field count. */
static int csv_split(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;
	while (n < max) {
		if (*p == '"') {
			char *out = ++p;
			fields[n++] = out;
			while (*p) {
				if (*p == '"' && p[1] == '"') {
					*out++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*out++ = *p++;
				}
			}
			*out = '\0';
			if (*p == ',')
				p++;
			else
				break;
		} else {
			fields[n++] = p;
			char *comma = strchr(p, ',');
			if (!comma)
				break;
			*comma = '\0';
			p = comma + 1;
		}
	}
	return n;
}

static double parse_number(const char *s)
{
	if (!*s)
		return NAN;
	char *end;
	double v = strtod(s, &end);
	return *end ? NAN : v;
}

#define COPY_FIELD(dst, src) snprintf(dst, sizeof(dst), "%s", src)

int results_read_csv(const char *path, struct sample **out, size_t *count)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	char line[4096];
	size_t n = 0, cap = 0;
	struct sample *v = NULL;
	int lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (lineno == 1) {
			if (strncmp(line, "experiment,target,metric,value", 30) != 0) {
				pr_err("%s: not a zerowatt samples file (bad header)", path);
				fclose(f);
				return -EINVAL;
			}
			continue;
		}
		char *fl[11];
		int nf = csv_split(line, fl, 11);
		if (nf < 8) {
			pr_err("%s:%d: expected at least 8 fields, got %d", path, lineno, nf);
			fclose(f);
			free(v);
			return -EINVAL;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			struct sample *nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				fclose(f);
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		struct sample *s = &v[n++];
		memset(s, 0, sizeof(*s));
		COPY_FIELD(s->experiment, fl[0]);
		COPY_FIELD(s->target, fl[1]);
		COPY_FIELD(s->metric, fl[2]);
		s->value = parse_number(fl[3]);
		COPY_FIELD(s->unit, fl[4]);
		s->repetition = atoi(fl[5]);
		COPY_FIELD(s->method, fl[6]);
		COPY_FIELD(s->source, fl[7]);
		if (nf > 8)
			COPY_FIELD(s->boundary, fl[8]);
		if (nf > 9)
			COPY_FIELD(s->phase, fl[9]);
		s->t_s = nf > 10 ? parse_number(fl[10]) : NAN;
	}
	fclose(f);
	*out = v;
	*count = n;
	return 0;
}

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

void run_close(struct run *run)
{
	if (run->meta) {
		cJSON *state = cJSON_AddObjectToObject(run->meta, "host_state_after");
		host_state_snapshot(state);
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
