/* The power sampler thread. It sleeps on a condition variable with an
 * absolute CLOCK_MONOTONIC deadline, so it costs one meter read per tick and
 * nothing in between, and wakes early only for a phase change or stop. */
#include "sampler.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "meter.h"
#include "results.h"

struct sampler {
	struct meter *m;
	double period_s;
	double t0;
	pthread_t thread;
	int started;

	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;
	int phase_pending;
	char phase[16];
	char next_phase[16];

	/* Written by the thread only; read after join. */
	struct sampler_point *pts;
	size_t n, cap;
	unsigned long reads;
	double cpu_s, wall_s;
};

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double thread_cpu_s(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_THREAD, &ru))
		return NAN;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec * 1e-6;
}

static void push_point(struct sampler *s, const struct meter_reading *a,
		       const struct meter_reading *b, int ok, const char *phase)
{
	double dt = b->t_s - a->t_s;
	struct sampler_point *p;

	if (dt < SAMPLER_MIN_INTERVAL_S)
		return;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct sampler_point *np = realloc(s->pts, cap * sizeof(*np));
		if (!np)
			return;
		s->pts = np;
		s->cap = cap;
	}
	p = &s->pts[s->n++];
	p->t_s = 0.5 * (a->t_s + b->t_s) - s->t0;
	p->dt_s = dt;
	p->power_w = ok ? meter_joules_between(s->m, a, b) / dt : NAN;
	snprintf(p->phase, sizeof(p->phase), "%s", phase);
}

static void *sampler_main(void *arg)
{
	struct sampler *s = arg;
	struct meter_reading prev, cur;
	double cpu0 = thread_cpu_s(), wall0 = mono_now(), next;
	int prev_ok;

	prev_ok = meter_read(s->m, &prev) == 0;
	s->reads++;
	next = wall0 + s->period_s;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		char phase[16];
		int stopping, ok, changed;

		while (!s->stop && !s->phase_pending && mono_now() < next) {
			struct timespec dl;
			dl.tv_sec = (time_t)next;
			dl.tv_nsec = (long)((next - (double)dl.tv_sec) * 1e9);
			pthread_cond_timedwait(&s->wake, &s->lock, &dl);
		}
		/* The interval that ends now belongs to the phase it ran in. */
		snprintf(phase, sizeof(phase), "%s", s->phase);
		changed = s->phase_pending;
		if (s->phase_pending) {
			snprintf(s->phase, sizeof(s->phase), "%s", s->next_phase);
			s->phase_pending = 0;
		}
		stopping = s->stop;
		pthread_mutex_unlock(&s->lock);

		ok = meter_read(s->m, &cur) == 0;
		s->reads++;
		push_point(s, &prev, &cur, ok && prev_ok, phase);
		/* A too-short interval is carried into the next one, except
		 * across a phase change: there it is dropped, so that no
		 * point mixes two phases. */
		if (cur.t_s - prev.t_s >= SAMPLER_MIN_INTERVAL_S || changed || !ok || !prev_ok) {
			prev = cur;
			prev_ok = ok;
		}
		if (stopping)
			break;
		next += s->period_s;
		if (next < mono_now())   /* fell behind: skip, do not burst */
			next = mono_now() + s->period_s;
		pthread_mutex_lock(&s->lock);
	}
	s->cpu_s = thread_cpu_s() - cpu0;
	s->wall_s = mono_now() - wall0;
	return NULL;
}

int sampler_start(struct sampler **out, struct meter *m, double hz, double t0)
{
	struct sampler *s;
	pthread_condattr_t ca;
	int rc;

	*out = NULL;
	if (hz <= 0)
		hz = SAMPLER_DEFAULT_HZ;
	if (!isfinite(hz) || hz > 1000)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->m = m;
	s->period_s = 1.0 / hz;
	s->t0 = t0;
	snprintf(s->phase, sizeof(s->phase), "none");
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);
	rc = pthread_create(&s->thread, NULL, sampler_main, s);
	if (rc) {
		sampler_free(s);
		return -rc;
	}
	s->started = 1;
	*out = s;
	return 0;
}

void sampler_set_phase(struct sampler *s, const char *phase)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	snprintf(s->next_phase, sizeof(s->next_phase), "%s", phase);
	s->phase_pending = 1;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

int sampler_stop(struct sampler *s)
{
	int rc;

	if (!s || !s->started)
		return 0;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	rc = pthread_join(s->thread, NULL);
	s->started = 0;
	return -rc;
}

void sampler_free(struct sampler *s)
{
	if (!s)
		return;
	sampler_stop(s);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s->pts);
	free(s);
}

size_t sampler_count(const struct sampler *s)
{
	return s->n;
}

const struct sampler_point *sampler_points(const struct sampler *s)
{
	return s->pts;
}

double sampler_cpu_fraction(const struct sampler *s)
{
	return s->wall_s > 0 ? s->cpu_s / s->wall_s : NAN;
}

unsigned long sampler_reads(const struct sampler *s)
{
	return s->reads;
}

static void base_sample(struct sample *o, const char *experiment, const char *target, int rep)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->experiment, sizeof(o->experiment), "%s", experiment);
	snprintf(o->target, sizeof(o->target), "%s", target);
	o->repetition = rep;
}

size_t sampler_fill_samples(const struct sampler *s, struct sample *out, size_t max,
			    const char *experiment, const char *target, int repetition)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n && k < max; i++, k++) {
		struct sample *o = &out[k];
		base_sample(o, experiment, target, repetition);
		snprintf(o->metric, sizeof(o->metric), "power_w");
		snprintf(o->unit, sizeof(o->unit), "W");
		o->value = s->pts[i].power_w;
		meter_label_sample(s->m, o);
		if (isnan(o->value))
			snprintf(o->method, sizeof(o->method), "%s", METHOD_UNAVAILABLE);
		snprintf(o->phase, sizeof(o->phase), "%s", s->pts[i].phase);
		o->t_s = s->pts[i].t_s;
	}
	if (k < max) {
		struct sample *o = &out[k++];
		double f = sampler_cpu_fraction(s);
		base_sample(o, experiment, target, repetition);
		snprintf(o->metric, sizeof(o->metric), "sampler_cpu_pct");
		snprintf(o->unit, sizeof(o->unit), "%%");
		o->value = 100.0 * f;
		snprintf(o->method, sizeof(o->method), "%s",
			 isnan(f) ? METHOD_UNAVAILABLE : METHOD_MEASURED);
		snprintf(o->source, sizeof(o->source), "getrusage:thread");
		o->t_s = NAN;
	}
	return k;
}
