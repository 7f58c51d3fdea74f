#include "latency.h"

#include <errno.h>
#include <time.h>

/* Stop doubling here: an operation this cheap is not a syscall. */
#define MAX_ITERS (1ULL << 40)

uint64_t latency_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t interval_ns(latency_loop loop, void *ctx, uint64_t n)
{
	uint64_t t0 = latency_now_ns();

	loop(ctx, n);
	return latency_now_ns() - t0;
}

static void sort_doubles(double *v, int n)
{
	for (int i = 1; i < n; i++) {
		double x = v[i];
		int j = i - 1;

		for (; j >= 0 && v[j] > x; j--)
			v[j + 1] = v[j];
		v[j + 1] = x;
	}
}

static void empty_loop(void *ctx, uint64_t n)
{
	(void)ctx;
	for (uint64_t i = 0; i < n; i++)
		__asm__ volatile("" ::: "memory");   /* keeps the loop */
}

/* The iteration count whose interval is about min_ns: doubling until one
 * interval reaches min_ns, as lmbench does, then scaled back to ~1.1 x
 * min_ns so that the 11 repetitions do not last up to twice as long as
 * they must. */
static int calibrate(latency_loop loop, void *ctx, uint64_t min_ns,
		     uint64_t *iters)
{
	uint64_t n = 1, t;

	while ((t = interval_ns(loop, ctx, n)) < min_ns) {
		if (n >= MAX_ITERS)
			return -ERANGE;
		n *= 2;
	}
	n = (uint64_t)((double)n * 1.1 * (double)min_ns / (double)t) + 1;
	*iters = n;
	return 0;
}

/* Median, min and max of the per-iteration time of LATENCY_REPS intervals,
 * the timer's cost taken out of each. */
static void repeat(latency_loop loop, void *ctx, uint64_t n, double timer_ns,
		   double *median, double *min, double *max)
{
	double per[LATENCY_REPS];

	for (int r = 0; r < LATENCY_REPS; r++)
		per[r] = ((double)interval_ns(loop, ctx, n) - timer_ns) / (double)n;
	sort_doubles(per, LATENCY_REPS);
	*median = per[LATENCY_REPS / 2];
	*min = per[0];
	*max = per[LATENCY_REPS - 1];
}

int latency_overhead_measure(struct latency_overhead *ovh, uint64_t min_ns)
{
	double pairs[LATENCY_REPS], min, max;
	uint64_t n;
	int err;

	for (int r = 0; r < LATENCY_REPS; r++) {
		uint64_t t0 = latency_now_ns();

		pairs[r] = (double)(latency_now_ns() - t0);
	}
	sort_doubles(pairs, LATENCY_REPS);
	ovh->timer_ns = pairs[LATENCY_REPS / 2];

	if ((err = calibrate(empty_loop, NULL, min_ns, &n)) < 0)
		return err;
	repeat(empty_loop, NULL, n, ovh->timer_ns, &ovh->loop_ns, &min, &max);
	return 0;
}

int latency_measure(latency_loop loop, void *ctx, uint64_t min_ns,
		    const struct latency_overhead *ovh,
		    struct latency_result *res)
{
	double median, min, max;
	uint64_t n;
	int err;

	if ((err = calibrate(loop, ctx, min_ns, &n)) < 0)
		return err;
	repeat(loop, ctx, n, ovh->timer_ns, &median, &min, &max);
	res->ns = median - ovh->loop_ns;
	res->min_ns = min - ovh->loop_ns;
	res->max_ns = max - ovh->loop_ns;
	res->overhead_ns = ovh->loop_ns + ovh->timer_ns / (double)n;
	res->iters = n;
	res->reps = LATENCY_REPS;
	return 0;
}
