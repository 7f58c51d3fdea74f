#include "results.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
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

char *read_text_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[8192];
	size_t r;
	while (mem && (r = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, r, mem);
	int err = ferror(f);
	fclose(f);
	if (mem)
		fclose(mem);
	if (err) {
		free(buf);
		return NULL;
	}
	return buf;
}

int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}
