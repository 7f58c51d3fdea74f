#include "simulate.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct worker {
	const struct sim_population *pop;
	const struct sim_policy *pol;
	int npol;
	unsigned first, last;      /* functions [first, last) */
	float *fn_cold;            /* [function * npol + policy]: its cold fraction, NaN if idle */
	struct sim_counts counts[SIM_MAX_POLICIES];
	unsigned long long events;
	int rc;
};

/* One function over the horizon. Its own random stream (derived from the
 * seed and its index) makes the result independent of the thread count. */
static void one_function(struct worker *wk, unsigned i)
{
	const struct sim_population *pop = wk->pop;
	struct zw_rng rng;
	rng_seed(&rng, rng_derive(pop->seed, i));
	double rate = pop->fixed ? pop->fixed_rate : azure_rate_draw(&rng);
	if (rate > pop->max_rate)
		rate = pop->max_rate;
	struct iat_dist d;
	if (!(rate > 0) || iat_init(&d, pop->iat, 1 / rate, pop->shape) < 0)
		return;
	double keep[SIM_MAX_POLICIES];
	int npol = wk->npol;
	for (int p = 0; p < npol; p++) {
		keep[p] = wk->pol[p].kind == WK_KEEP_ALIVE ? wk->pol[p].keep_alive_s : 0;
		if (wk->pol[p].kind == WK_ALWAYS_ON)
			wk->counts[p].idle_warm_s += pop->horizon_s;
	}
	/* Poisson's first arrival is one exponential gap in; other renewal
	 * processes start a uniform fraction of one gap in (as trace.c). */
	double t = pop->iat == IAT_EXP ? iat_draw(&d, &rng) : rng_uniform(&rng) * iat_draw(&d, &rng);
	double prev = -INFINITY;
	unsigned long long n = 0, cold[SIM_MAX_POLICIES] = { 0 };
	while (t < pop->horizon_s) {
		double gap = t - prev;
		for (int p = 0; p < npol; p++) {
			struct sim_counts *c = &wk->counts[p];
			switch (wk->pol[p].kind) {
			case WK_ALWAYS_ON:
				break;
			case WK_IMMEDIATE:
				cold[p]++;
				break;
			case WK_KEEP_ALIVE:
				if (gap > keep[p]) {
					cold[p]++;
					if (prev > -INFINITY)
						c->idle_warm_s += keep[p];
				} else {
					c->idle_warm_s += gap;
				}
				break;
			}
		}
		n++;
		prev = t;
		t += iat_draw(&d, &rng);
	}
	/* The last window runs to its expiry or the horizon. */
	if (n)
		for (int p = 0; p < npol; p++)
			if (wk->pol[p].kind == WK_KEEP_ALIVE)
				wk->counts[p].idle_warm_s += fmin(keep[p], pop->horizon_s - prev);
	for (int p = 0; p < npol; p++) {
		wk->counts[p].requests += n;
		wk->counts[p].cold += cold[p];
		wk->counts[p].active_functions += n > 0;
		wk->fn_cold[(size_t)i * npol + p] = n ? (float)((double)cold[p] / (double)n) : NAN;
	}
	wk->events += n;
}

static void *work(void *arg)
{
	struct worker *wk = arg;
	for (unsigned i = wk->first; i < wk->last; i++)
		one_function(wk, i);
	return NULL;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

/* Median and 90th percentile of policy p's per-function cold fractions. */
static void per_function(const float *fn, unsigned functions, int npol, int p, struct sim_counts *c)
{
	float *v = malloc(((size_t)functions + 1) * sizeof(*v));
	size_t k = 0;
	for (unsigned i = 0; v && i < functions; i++)
		if (!isnan(fn[(size_t)i * npol + p]))
			v[k++] = fn[(size_t)i * npol + p];
	c->fn_cold_p50 = c->fn_cold_p90 = NAN;
	if (k) {
		qsort(v, k, sizeof(*v), cmp_float);
		c->fn_cold_p50 = v[(k - 1) / 2];
		c->fn_cold_p90 = v[(size_t)((double)(k - 1) * 0.9)];
	}
	free(v);
}

int sim_run(const struct sim_population *pop, const struct sim_policy *pol, int npol,
	    struct sim_counts *out, unsigned long long *events)
{
	if (npol < 1 || npol > SIM_MAX_POLICIES || !pop->functions || !(pop->horizon_s > 0) ||
	    !(pop->max_rate > 0) || (pop->fixed && !(pop->fixed_rate > 0)))
		return -EINVAL;
	struct iat_dist probe;
	if (iat_init(&probe, pop->iat, 1.0, pop->shape) < 0)
		return -EINVAL;
	for (int p = 0; p < npol; p++)
		if (pol[p].kind == WK_KEEP_ALIVE && !(pol[p].keep_alive_s >= 0))
			return -EINVAL;
	unsigned nt = pop->threads ? pop->threads : 1;
	if (nt > pop->functions)
		nt = pop->functions;
	struct worker *wk = calloc(nt, sizeof(*wk));
	pthread_t *th = calloc(nt, sizeof(*th));
	float *fn = calloc((size_t)pop->functions * npol, sizeof(float));
	if (!wk || !th || !fn) {
		free(wk);
		free(th);
		free(fn);
		return -ENOMEM;
	}
	for (unsigned k = 0; k < nt; k++) {
		wk[k].pop = pop;
		wk[k].pol = pol;
		wk[k].npol = npol;
		wk[k].fn_cold = fn;
		wk[k].first = (unsigned)((unsigned long long)pop->functions * k / nt);
		wk[k].last = (unsigned)((unsigned long long)pop->functions * (k + 1) / nt);
	}
	unsigned started = 0;
	for (unsigned k = 1; k < nt; k++) {
		if (pthread_create(&th[k], NULL, work, &wk[k]) != 0)
			break;
		started = k;
	}
	work(&wk[0]);
	/* Workers that could not be started run here, in order. */
	for (unsigned k = started + 1; k < nt; k++)
		work(&wk[k]);
	for (unsigned k = 1; k <= started; k++)
		pthread_join(th[k], NULL);
	memset(out, 0, (size_t)npol * sizeof(*out));
	*events = 0;
	for (unsigned k = 0; k < nt; k++) {
		for (int p = 0; p < npol; p++) {
			out[p].requests += wk[k].counts[p].requests;
			out[p].cold += wk[k].counts[p].cold;
			out[p].idle_warm_s += wk[k].counts[p].idle_warm_s;
			out[p].active_functions += wk[k].counts[p].active_functions;
		}
		*events += wk[k].events;
	}
	for (int p = 0; p < npol; p++)
		per_function(fn, pop->functions, npol, p, &out[p]);
	free(fn);
	free(wk);
	free(th);
	return 0;
}

void sim_price(const struct sim_counts *c, const struct sim_params *p, struct sim_priced *o)
{
	memset(o, 0, sizeof(*o));
	double warm_req = (double)(c->requests - c->cold);
	o->energy_cold_j = (double)c->cold * p->e_cold_j;
	o->energy_idle_j = c->idle_warm_s * p->p_warm_w;
	o->energy_req_j = warm_req * p->e_req_j;
	o->energy_j = o->energy_cold_j + o->energy_idle_j + o->energy_req_j;
	o->cold_fraction = c->requests ? (double)c->cold / (double)c->requests : NAN;
	double f = o->cold_fraction;
	if (isnan(f)) {
		o->mean_s = o->p50_s = o->p99_s = NAN;
		return;
	}
	o->mean_s = p->warm_s + f * (p->cold_s - p->warm_s);
	/* Two latencies only: the q-quantile is the cold one once more than
	 * 1 - q of the requests are cold (cold starts are the slower kind). */
	double slow = fmax(p->cold_s, p->warm_s), fast = fmin(p->cold_s, p->warm_s);
	double f_slow = p->cold_s >= p->warm_s ? f : 1 - f;
	o->p50_s = f_slow > 0.5 ? slow : fast;
	o->p99_s = f_slow > 0.01 ? slow : fast;
}
