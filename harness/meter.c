/* The meter ladder: probe every registered meter, keep the best usable one,
 * and record why each of the others was passed over. */
#include "meter.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "results.h"

static long sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
				unsigned long flags)
{
	return syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);
}

static int sys_perf_read(int fd, uint64_t *count)
{
	ssize_t n = read(fd, count, sizeof(*count));
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof(*count) ? 0 : -EIO;
}

static double monotonic_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void meter_env_default(struct meter_env *env)
{
	const char *s;

	memset(env, 0, sizeof(*env));
	s = getenv("ZW_SYSFS_ROOT");
	env->sysfs_root = s && *s ? s : "/sys";
	s = getenv("ZW_PROC_ROOT");
	env->proc_root = s && *s ? s : "/proc";
	s = getenv("ZW_METER");
	env->only = s && *s ? s : NULL;
	env->perf_event_open = sys_perf_event_open;
	env->perf_read = sys_perf_read;
	env->now = monotonic_s;
	meter_model_get(&env->model_wmin, &env->model_wmax);
}

static int by_rank(const void *a, const void *b)
{
	const struct meter_ops *x = *(const struct meter_ops *const *)a;
	const struct meter_ops *y = *(const struct meter_ops *const *)b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->name, y->name);
}

int meter_list(const struct meter_ops **out, int max)
{
	int n = 0;
	ZW_FOREACH(zw_meters, struct meter_ops, it)
	{
		if (n < max)
			out[n++] = *it;
	}
	qsort(out, n, sizeof(*out), by_rank);
	return n;
}

const struct meter_ops *meter_find(const char *name)
{
	ZW_FOREACH(zw_meters, struct meter_ops, it)
	{
		if (!strcmp((*it)->name, name))
			return *it;
	}
	return NULL;
}

static void meter_reset(struct meter *m, const struct meter_env *env)
{
	memset(m, 0, sizeof(*m));
	m->env = *env;
	if (!m->env.now)
		m->env.now = monotonic_s;
	if (!m->env.perf_event_open)
		m->env.perf_event_open = sys_perf_event_open;
	if (!m->env.perf_read)
		m->env.perf_read = sys_perf_read;
	if (!m->env.sysfs_root)
		m->env.sysfs_root = "/sys";
	if (!m->env.proc_root)
		m->env.proc_root = "/proc";
	m->method = METHOD_UNAVAILABLE;
	meter_fmt(m->source, sizeof(m->source), "none");
	pthread_mutex_init(&m->lock, NULL);
}

int meter_open_ops(const struct meter_ops *ops, const struct meter_env *env, struct meter *m,
		   struct meter_verdict *v)
{
	int rc;

	meter_reset(m, env);
	memset(v, 0, sizeof(*v));
	rc = ops->probe(m, v);
	if (rc) {
		if (ops->close)
			ops->close(m);
		pthread_mutex_destroy(&m->lock);
		meter_reset(m, env);
		return rc < 0 ? rc : -EINVAL;
	}
	m->ops = ops;
	return 0;
}

static const char *verdict_word(int rc)
{
	if (!rc)
		return "ok";
	return rc == -ENOENT ? "missing" : "unusable";
}

static void add_domains_json(const struct meter *m, cJSON *obj)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, "domains");
	for (int i = 0; arr && i < m->ndomains; i++) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "source", m->dom[i].source);
		cJSON_AddStringToObject(d, "boundary", m->dom[i].boundary);
		cJSON_AddBoolToObject(d, "primary", m->dom[i].primary);
		cJSON_AddItemToArray(arr, d);
	}
}

void meter_describe(const struct meter *m, cJSON *obj)
{
	if (!obj)
		return;
	cJSON_AddStringToObject(obj, "meter", m->ops ? m->ops->name : "none");
	cJSON_AddStringToObject(obj, "method", m->method);
	cJSON_AddStringToObject(obj, "source", m->source);
	cJSON_AddStringToObject(obj, "boundary", m->boundary);
	cJSON_AddStringToObject(obj, "note", m->note);
	add_domains_json(m, obj);
	cJSON_AddNumberToObject(obj, "counter_resets", m->resets);
	cJSON_AddNumberToObject(obj, "read_errors", m->read_errors);
}

int meter_open_best(const struct meter_env *env, struct meter *m, cJSON *report)
{
	const struct meter_ops *list[16];
	int n = meter_list(list, 16), chosen = -1;
	cJSON *probed = report ? cJSON_AddArrayToObject(report, "probed") : NULL;
	struct meter_verdict v;

	meter_reset(m, env);
	for (int i = 0; i < n; i++) {
		struct meter trial;
		int rc;

		if (env->only && strcmp(env->only, list[i]->name)) {
			rc = -ECANCELED;
			memset(&v, 0, sizeof(v));
			meter_fmt(v.reason, sizeof(v.reason), "not probed: meter \"%s\" was requested",
				 env->only);
		} else {
			rc = meter_open_ops(list[i], env, &trial, &v);
		}
		if (rc == 0 && chosen < 0) {
			pthread_mutex_destroy(&m->lock);
			*m = trial;
			/* The mutex was initialised in trial; re-init in place. */
			pthread_mutex_init(&m->lock, NULL);
			chosen = i;
		} else if (rc == 0) {
			meter_close(&trial);
		}
		if (probed) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "meter", list[i]->name);
			cJSON_AddNumberToObject(o, "rank", list[i]->rank);
			cJSON_AddStringToObject(o, "verdict",
						rc == -ECANCELED ? "skipped" : verdict_word(rc));
			cJSON_AddBoolToObject(o, "chosen", chosen == i);
			cJSON_AddStringToObject(o, "reason", v.reason);
			cJSON_AddStringToObject(o, "fix", v.fix);
			cJSON_AddItemToArray(probed, o);
		}
		if (rc && rc != -ECANCELED)
			pr_debug("meter %s: %s: %s", list[i]->name, verdict_word(rc), v.reason);
	}
	if (report) {
		cJSON_AddStringToObject(report, "chosen", chosen >= 0 ? list[chosen]->name : "none");
		cJSON_AddStringToObject(report, "method", m->method);
		cJSON_AddStringToObject(report, "source", m->source);
		cJSON_AddStringToObject(report, "boundary", m->boundary);
		cJSON_AddStringToObject(report, "note", m->note);
		add_domains_json(m, report);
	}
	if (chosen < 0) {
		pr_warn("no energy meter is usable (not even the model): energy is unavailable");
		return -ENODEV;
	}
	return 0;
}

int meter_read(struct meter *m, struct meter_reading *r)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if (!m->ops) {
		r->t_s = m->env.now ? m->env.now() : monotonic_s();
		r->total_j = NAN;
		r->flags = METER_F_PARTIAL;
		return -ENODEV;
	}
	pthread_mutex_lock(&m->lock);
	r->t_s = m->env.now();
	rc = m->ops->read(m, r);
	if (r->flags & METER_F_RESET)
		m->resets++;
	if (rc) {
		m->read_errors++;
		r->flags |= METER_F_PARTIAL;
	}
	r->total_j = 0;
	for (int i = 0; i < m->ndomains; i++)
		if (m->dom[i].primary)
			r->total_j += r->joules[i];
	if (r->flags & METER_F_PARTIAL)
		r->total_j = NAN;
	pthread_mutex_unlock(&m->lock);
	if (r->flags & METER_F_RESET)
		pr_warn("energy counter reset detected on %s; energy since then counted from zero "
			"(a lower bound)", m->source);
	return rc;
}

double meter_joules_between(const struct meter *m, const struct meter_reading *a,
			    const struct meter_reading *b)
{
	if (!m->ops || (a->flags | b->flags) & METER_F_PARTIAL)
		return NAN;
	return b->total_j - a->total_j;
}

/* Set by the harness's SIGINT/SIGTERM handler (proc.c); weak so the meters'
 * unit tests link without it. */
extern volatile int zw_interrupted __attribute__((weak));

int meter_measure_watts(struct meter *m, double seconds, double *watts)
{
	struct meter_reading a, b;
	struct timespec ts;
	int rc;

	*watts = NAN;
	if (!(seconds > 0))
		return -EINVAL;
	rc = meter_read(m, &a);
	if (rc)
		return rc;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		if (&zw_interrupted && zw_interrupted)
			return -EINTR;
	rc = meter_read(m, &b);
	if (rc)
		return rc;
	if (!(b.t_s > a.t_s))
		return -EINVAL;
	*watts = meter_joules_between(m, &a, &b) / (b.t_s - a.t_s);
	return isnan(*watts) ? -EIO : 0;
}

void meter_label_sample(const struct meter *m, struct sample *s)
{
	meter_fmt(s->method, sizeof(s->method), "%s", m->method);
	meter_fmt(s->source, sizeof(s->source), "%s", m->source);
	meter_fmt(s->boundary, sizeof(s->boundary), "%s", m->boundary);
}

void meter_close(struct meter *m)
{
	if (m->ops && m->ops->close)
		m->ops->close(m);
	m->ops = NULL;
	m->priv = NULL;
	m->method = METHOD_UNAVAILABLE;
	pthread_mutex_destroy(&m->lock);
	pthread_mutex_init(&m->lock, NULL);
}

int meter_capabilities(const struct meter_env *env, struct meter_capability *out, int max)
{
	const struct meter_ops *list[16];
	int n = meter_list(list, 16), k = 0;

	for (int i = 0; i < n && k < max; i++) {
		struct meter m;
		struct meter_verdict v;
		int rc = meter_open_ops(list[i], env, &m, &v);
		struct meter_capability *c = &out[k++];

		memset(c, 0, sizeof(*c));
		meter_fmt(c->name, sizeof(c->name), "%s", list[i]->capability);
		c->status = verdict_word(rc);
		if (rc == 0) {
			size_t used = (size_t)meter_fmt(c->reason, sizeof(c->reason),
							"%s, total %s (%s); readable:", m.method,
							m.source, m.boundary);
			for (int d = 0; d < m.ndomains && used < sizeof(c->reason); d++)
				used += (size_t)meter_fmt(c->reason + used, sizeof(c->reason) - used,
							  " %s", m.dom[d].source);
			if (m.note[0] && used < sizeof(c->reason))
				meter_fmt(c->reason + used, sizeof(c->reason) - used, "; %s", m.note);
		} else
			meter_fmt(c->reason, sizeof(c->reason), "%s", v.reason);
		meter_fmt(c->fix, sizeof(c->fix), "%s", v.fix);
		if (rc == 0)
			meter_close(&m);
		pthread_mutex_destroy(&m.lock);
	}
	return k;
}

/* --- helpers for implementations --- */

int meter_counter_update(struct meter_counter *c, uint64_t raw, double dt_s)
{
	double delta;
	int reset = 0;

	if (!c->primed) {
		c->primed = 1;
		c->last = raw;
		return 0;
	}
	if (raw >= c->last) {
		delta = (double)(raw - c->last);
	} else {
		/* Backwards: a wrap if the energy that implies is physically
		 * possible in dt, else the counter restarted (module reload,
		 * resume, hotplug) and we only know the energy since zero. */
		double wrapped = c->max_raw ? (double)(c->max_raw - c->last) + (double)raw + 1.0 : -1;
		double limit = METER_PLAUSIBLE_MAX_W * (dt_s > 0 ? dt_s : 0);
		if (c->max_raw && c->last <= c->max_raw && wrapped * c->unit_j <= limit) {
			delta = wrapped;
		} else {
			delta = (double)raw;
			reset = 1;
		}
	}
	c->acc_j += delta * c->unit_j;
	c->last = raw;
	return reset;
}

int meter_read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return (int)n;
}

int meter_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == '\n')
		return -ENODATA;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	while (*end == '\n' || *end == ' ')
		end++;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int meter_pread_u64(int fd, uint64_t *out)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return meter_parse_u64(buf, out);
}

int meter_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

void meter_note(struct meter *m, const char *fmt, ...)
{
	size_t used = strlen(m->note);
	va_list ap;

	if (used && used + 2 < sizeof(m->note)) {
		memcpy(m->note + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= sizeof(m->note))
		return;
	va_start(ap, fmt);
	vsnprintf(m->note + used, sizeof(m->note) - used, fmt, ap);
	va_end(ap);
}

int meter_add_domain(struct meter *m, const char *source, const char *boundary, int primary)
{
	struct meter_domain *d;

	if (m->ndomains >= METER_MAX_DOMAINS)
		return -ENOSPC;
	d = &m->dom[m->ndomains];
	meter_fmt(d->source, sizeof(d->source), "%s", source);
	meter_fmt(d->boundary, sizeof(d->boundary), "%s", boundary);
	d->primary = primary;
	return m->ndomains++;
}

void meter_set_primary_source(struct meter *m, const char *prefix)
{
	size_t plen = strlen(prefix), used = 0;
	int count = 0, fits = 1;
	char buf[sizeof(m->source)];

	used = (size_t)meter_fmt(buf, sizeof(buf), "%s", prefix);
	for (int i = 0; i < m->ndomains; i++) {
		const char *name = m->dom[i].source;
		if (!m->dom[i].primary)
			continue;
		if (!strncmp(name, prefix, plen))
			name += plen;
		if (used + strlen(name) + 2 > sizeof(buf))
			fits = 0;
		else
			used += (size_t)meter_fmt(buf + used, sizeof(buf) - used, "%s%s",
						 count ? "+" : "", name);
		count++;
		meter_fmt(m->boundary, sizeof(m->boundary), "%s", m->dom[i].boundary);
	}
	if (fits)
		meter_fmt(m->source, sizeof(m->source), "%s", buf);
	else
		meter_fmt(m->source, sizeof(m->source), "%s%s(sum of %d)", prefix, m->boundary,
			 count);
}
