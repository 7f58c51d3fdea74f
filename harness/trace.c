#include "trace.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- random numbers ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct zw_rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	r->spare = NAN;
}

uint64_t rng_derive(uint64_t seed, uint64_t i)
{
	uint64_t x = seed ^ (i * 0xd1b54a32d192ed03ULL);
	splitmix64(&x);
	return splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct zw_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double rng_uniform(struct zw_rng *r)
{
	/* 53 random bits, shifted by half a step so neither 0 nor 1 occurs:
	 * log() of it is always finite. */
	return ((double)(rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

double rng_exp(struct zw_rng *r, double rate)
{
	return -log(rng_uniform(r)) / rate;
}

double rng_normal(struct zw_rng *r)
{
	if (!isnan(r->spare)) {
		double z = r->spare;
		r->spare = NAN;
		return z;
	}
	double u = rng_uniform(r), v = rng_uniform(r);
	double radius = sqrt(-2.0 * log(u));
	r->spare = radius * sin(2 * M_PI * v);
	return radius * cos(2 * M_PI * v);
}

/* ---- inter-arrival distributions ---- */

int iat_init(struct iat_dist *d, enum iat_kind kind, double mean_s, double shape)
{
	memset(d, 0, sizeof(*d));
	if (!(mean_s > 0) || !isfinite(mean_s))
		return -EINVAL;
	d->kind = kind;
	d->mean_s = mean_s;
	switch (kind) {
	case IAT_EXP:
		d->cv = 1;
		return 0;
	case IAT_LOGNORMAL:
		/* mean = exp(mu + s^2/2), CV^2 = exp(s^2) - 1 */
		if (!(shape > 0) || !isfinite(shape))
			return -EINVAL;
		d->cv = shape;
		d->sigma = sqrt(log1p(shape * shape));
		d->mu = log(mean_s) - d->sigma * d->sigma / 2;
		return 0;
	case IAT_PARETO:
		/* mean = alpha xm / (alpha - 1); the variance is infinite for
		 * alpha <= 2, which is the point of a heavy tail. */
		if (!(shape > 1) || !isfinite(shape))
			return -EINVAL;
		d->alpha = shape;
		d->xm = mean_s * (shape - 1) / shape;
		d->cv = shape > 2 ? 1 / sqrt(shape * (shape - 2)) : INFINITY;
		return 0;
	}
	return -EINVAL;
}

double iat_draw(const struct iat_dist *d, struct zw_rng *r)
{
	switch (d->kind) {
	case IAT_EXP:
		return -log(rng_uniform(r)) * d->mean_s;
	case IAT_LOGNORMAL:
		return exp(d->mu + d->sigma * rng_normal(r));
	case IAT_PARETO:
		return d->xm * pow(rng_uniform(r), -1.0 / d->alpha);
	}
	return NAN;
}

/* ---- the Azure 2019 rate population ---- */

double normal_quantile(double p)
{
	if (!(p > 0 && p < 1))
		return NAN;
	double lo = -40, hi = 40;
	for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
		double mid = (lo + hi) / 2;
		if (0.5 * erfc(-mid / M_SQRT2) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

double azure_rate_at_quantile(double q)
{
	double z = normal_quantile(q);
	return isnan(z) ? NAN : pow(10, AZURE_LOG10_DAILY_MU + AZURE_LOG10_DAILY_SIGMA * z) / 86400.0;
}

double azure_rate_draw(struct zw_rng *r)
{
	return pow(10, AZURE_LOG10_DAILY_MU + AZURE_LOG10_DAILY_SIGMA * rng_normal(r)) / 86400.0;
}

/* ---- trace specs ---- */

static void seterr(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static int parse_number(const char *s, size_t n, double *out)
{
	char buf[64], *end;
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	double v = strtod(buf, &end);
	if (errno || *end || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

struct key {
	const char *name;
	double *dst;
	double min, max;   /* exclusive min, inclusive max */
	int given;
};

static int parse_keys(const char *kind, const char *args, struct key *keys, int nkeys,
		      struct trace_spec *t, char *err, size_t errlen)
{
	const char *p = args;
	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (!eq) {
			seterr(err, errlen, "trace %s: '%.*s' is not key=value", kind, (int)len, p);
			return -EINVAL;
		}
		size_t klen = (size_t)(eq - p);
		const char *val = eq + 1;
		size_t vlen = len - klen - 1;
		if (klen == 4 && !strncmp(p, "seed", 4)) {
			char buf[32], *end;
			if (vlen == 0 || vlen >= sizeof(buf) || val[0] == '-') {
				seterr(err, errlen, "trace %s: seed '%.*s' is not an unsigned integer", kind,
				       (int)vlen, val);
				return -EINVAL;
			}
			memcpy(buf, val, vlen);
			buf[vlen] = '\0';
			errno = 0;
			t->seed = strtoull(buf, &end, 10);
			if (errno || *end) {
				seterr(err, errlen, "trace %s: seed '%s' is not an unsigned integer", kind, buf);
				return -EINVAL;
			}
			t->seed_given = 1;
		} else {
			int found = 0;
			for (int i = 0; i < nkeys; i++) {
				if (strlen(keys[i].name) != klen || strncmp(keys[i].name, p, klen))
					continue;
				double v;
				if (parse_number(val, vlen, &v) < 0 || !(v > keys[i].min) || v > keys[i].max) {
					seterr(err, errlen, "trace %s: %s='%.*s' must be a number in (%g, %g]", kind,
					       keys[i].name, (int)vlen, val, keys[i].min, keys[i].max);
					return -EINVAL;
				}
				*keys[i].dst = v;
				keys[i].given = 1;
				found = 1;
			}
			if (!found) {
				seterr(err, errlen, "trace %s: unknown key '%.*s'", kind, (int)klen, p);
				return -EINVAL;
			}
		}
		p = comma ? comma + 1 : NULL;
	}
	for (int i = 0; i < nkeys; i++)
		if (!keys[i].given && !isnan(*keys[i].dst) && *keys[i].dst == -1) {
			seterr(err, errlen, "trace %s: %s= is required", kind, keys[i].name);
			return -EINVAL;
		}
	return 0;
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int trace_parse(const char *spec, struct trace_spec *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->seed = 1;
	if (!spec || !*spec) {
		seterr(err, errlen, "empty trace spec");
		return -EINVAL;
	}
	const char *colon = strchr(spec, ':');
	size_t klen = colon ? (size_t)(colon - spec) : strlen(spec);
	const char *args = colon ? colon + 1 : "";
	/* -1 marks a required key; a real default otherwise. */
	t->rate = t->on_s = t->off_s = t->mean_s = t->alpha = t->q = -1;
	t->cv = AZURE_DEFAULT_CV;
	int r;
	if (klen == 3 && !strncmp(spec, "csv", 3)) {
		if (!*args) {
			seterr(err, errlen, "trace csv: give a file, csv:PATH");
			return -EINVAL;
		}
		t->kind = TRACE_CSV;
		snprintf(t->path, sizeof(t->path), "%s", args);
		snprintf(t->text, sizeof(t->text), "csv:%s", t->path);
		return 0;
	}
	if (is_file(spec)) {
		t->kind = TRACE_CSV;
		snprintf(t->path, sizeof(t->path), "%s", spec);
		snprintf(t->text, sizeof(t->text), "csv:%s", t->path);
		return 0;
	}
	if (klen == 7 && !strncmp(spec, "poisson", 7)) {
		struct key k[] = { { "rate", &t->rate, 0, 1e6, 0 } };
		t->kind = TRACE_POISSON;
		r = parse_keys("poisson", args, k, 1, t, err, errlen);
	} else if (klen == 5 && !strncmp(spec, "onoff", 5)) {
		struct key k[] = { { "rate", &t->rate, 0, 1e6, 0 }, { "on", &t->on_s, 0, 1e7, 0 },
				   { "off", &t->off_s, 0, 1e7, 0 } };
		t->kind = TRACE_ONOFF;
		r = parse_keys("onoff", args, k, 3, t, err, errlen);
	} else if (klen == 9 && !strncmp(spec, "lognormal", 9)) {
		t->cv = -1;
		struct key k[] = { { "mean", &t->mean_s, 0, 1e7, 0 }, { "cv", &t->cv, 0, 1e3, 0 } };
		t->kind = TRACE_LOGNORMAL;
		r = parse_keys("lognormal", args, k, 2, t, err, errlen);
	} else if (klen == 6 && !strncmp(spec, "pareto", 6)) {
		struct key k[] = { { "mean", &t->mean_s, 0, 1e7, 0 }, { "alpha", &t->alpha, 1, 1e3, 0 } };
		t->kind = TRACE_PARETO;
		r = parse_keys("pareto", args, k, 2, t, err, errlen);
	} else if (klen == 5 && !strncmp(spec, "azure", 5)) {
		struct key k[] = { { "q", &t->q, 0, 0.999999, 0 }, { "cv", &t->cv, 0, 1e3, 0 } };
		t->kind = TRACE_AZURE;
		r = parse_keys("azure", args, k, 2, t, err, errlen);
		if (r == 0) {
			t->rate = azure_rate_at_quantile(t->q);
			t->mean_s = 1 / t->rate;
		}
	} else {
		seterr(err, errlen,
		       "unknown trace '%.*s' (poisson:rate=R, onoff:rate=R,on=A,off=B, lognormal:mean=M,cv=C, "
		       "pareto:mean=M,alpha=A, azure:q=Q, csv:PATH)", (int)klen, spec);
		return -EINVAL;
	}
	if (r < 0)
		return r;
	switch (t->kind) {
	case TRACE_POISSON:
		snprintf(t->text, sizeof(t->text), "poisson:rate=%g,seed=%llu", t->rate,
			 (unsigned long long)t->seed);
		break;
	case TRACE_ONOFF:
		snprintf(t->text, sizeof(t->text), "onoff:rate=%g,on=%g,off=%g,seed=%llu", t->rate, t->on_s,
			 t->off_s, (unsigned long long)t->seed);
		break;
	case TRACE_LOGNORMAL:
		snprintf(t->text, sizeof(t->text), "lognormal:mean=%g,cv=%g,seed=%llu", t->mean_s, t->cv,
			 (unsigned long long)t->seed);
		break;
	case TRACE_PARETO:
		snprintf(t->text, sizeof(t->text), "pareto:mean=%g,alpha=%g,seed=%llu", t->mean_s, t->alpha,
			 (unsigned long long)t->seed);
		break;
	case TRACE_AZURE:
		snprintf(t->text, sizeof(t->text), "azure:q=%g,cv=%g,seed=%llu (rate %.6g/s)", t->q, t->cv,
			 (unsigned long long)t->seed, t->rate);
		break;
	case TRACE_CSV:
		break;
	}
	return 0;
}

/* ---- arrival times ---- */

struct times {
	double *v;
	size_t n, cap;
};

static int push(struct times *t, double x)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		double *v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = x;
	return 0;
}

/* A renewal process started at a random phase, so a trace does not always
 * open with a request at t = 0: Poisson's first arrival is simply one
 * exponential gap in (memoryless); other processes start a uniform
 * fraction of one inter-arrival time in (an approximation of the
 * stationary forward recurrence time). */
static int renewal(const struct iat_dist *d, struct zw_rng *rng, double duration, struct times *out)
{
	double t = d->kind == IAT_EXP ? iat_draw(d, rng) : rng_uniform(rng) * iat_draw(d, rng);
	while (t < duration) {
		if (push(out, t) < 0)
			return -ENOMEM;
		t += iat_draw(d, rng);
	}
	return 0;
}

static int onoff(const struct trace_spec *s, struct zw_rng *rng, double duration, struct times *out)
{
	double period = s->on_s + s->off_s;
	for (double start = 0; start < duration; start += period) {
		double end = fmin(start + s->on_s, duration);
		for (double t = start + rng_exp(rng, s->rate); t < end; t += rng_exp(rng, s->rate))
			if (push(out, t) < 0)
				return -ENOMEM;
	}
	return 0;
}

static int read_whole(const char *path, char **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = errno;
		seterr(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (n < cap)
			break;
		cap *= 2;
		char *b = realloc(buf, cap + 1);
		if (!b)
			free(buf);
		buf = b;
	}
	int bad = ferror(f);
	fclose(f);
	if (!buf || bad) {
		free(buf);
		seterr(err, errlen, "%s: cannot read", path);
		return buf ? -EIO : -ENOMEM;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

int trace_parse_csv(const char *name, const char *text, double **times, size_t *n, char *err,
		    size_t errlen)
{
	struct times t = { 0 };
	int lineno = 0, data_lines = 0;
	double last = -INFINITY;
	const char *p = text;
	*times = NULL;
	*n = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		char line[256];
		if (len >= sizeof(line)) {
			seterr(err, errlen, "%s:%d: line too long", name, lineno);
			free(t.v);
			return -EINVAL;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : p + len;
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		char *e = s + strlen(s);
		while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (!*s || *s == '#')
			continue;
		char *comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		char *end;
		errno = 0;
		double v = strtod(s, &end);
		while (end && (*end == ' ' || *end == '\t'))
			end++;
		int numeric = end != s && !*end && !errno;
		if (!numeric && data_lines == 0 && t.n == 0) {
			/* A header: only as the first non-comment line, and not
			 * something that merely looks like a broken number. */
			data_lines++;
			if (strchr("0123456789+-.", *s)) {
				seterr(err, errlen, "%s:%d: '%s' is not a number of seconds", name, lineno, s);
				free(t.v);
				return -EINVAL;
			}
			continue;
		}
		data_lines++;
		if (!numeric || !isfinite(v)) {
			seterr(err, errlen, "%s:%d: '%s' is not a number of seconds", name, lineno, s);
			free(t.v);
			return -EINVAL;
		}
		if (v < 0) {
			seterr(err, errlen, "%s:%d: negative time %g", name, lineno, v);
			free(t.v);
			return -EINVAL;
		}
		if (v < last) {
			seterr(err, errlen, "%s:%d: time %g is before the previous one (%g): timestamps must not decrease",
			       name, lineno, v, last);
			free(t.v);
			return -EINVAL;
		}
		last = v;
		if (push(&t, v) < 0) {
			free(t.v);
			seterr(err, errlen, "%s: out of memory", name);
			return -ENOMEM;
		}
	}
	if (t.n == 0) {
		seterr(err, errlen, "%s: no timestamps", name);
		return -EINVAL;
	}
	*times = t.v;
	*n = t.n;
	return 0;
}

int trace_generate(const struct trace_spec *s, double duration_s, double **times, size_t *n,
		   char *err, size_t errlen)
{
	*times = NULL;
	*n = 0;
	if (s->kind == TRACE_CSV) {
		char *text = NULL;
		int r = read_whole(s->path, &text, err, errlen);
		if (r < 0)
			return r;
		r = trace_parse_csv(s->path, text, times, n, err, errlen);
		free(text);
		if (r == 0 && duration_s > 0)
			while (*n > 0 && (*times)[*n - 1] >= duration_s)
				(*n)--;
		return r;
	}
	if (!(duration_s > 0)) {
		seterr(err, errlen, "a generated trace needs a duration > 0");
		return -EINVAL;
	}
	struct zw_rng rng;
	rng_seed(&rng, s->seed);
	struct times t = { 0 };
	struct iat_dist d;
	int r = 0;
	switch (s->kind) {
	case TRACE_POISSON:
		iat_init(&d, IAT_EXP, 1 / s->rate, 0);
		r = renewal(&d, &rng, duration_s, &t);
		break;
	case TRACE_ONOFF:
		r = onoff(s, &rng, duration_s, &t);
		break;
	case TRACE_LOGNORMAL:
	case TRACE_AZURE:
		r = iat_init(&d, IAT_LOGNORMAL, s->mean_s, s->cv);
		if (r == 0)
			r = renewal(&d, &rng, duration_s, &t);
		break;
	case TRACE_PARETO:
		r = iat_init(&d, IAT_PARETO, s->mean_s, s->alpha);
		if (r == 0)
			r = renewal(&d, &rng, duration_s, &t);
		break;
	case TRACE_CSV:
		break;
	}
	if (r < 0) {
		free(t.v);
		seterr(err, errlen, "trace %s: %s", s->text, strerror(-r));
		return r;
	}
	*times = t.v;
	*n = t.n;
	return 0;
}
