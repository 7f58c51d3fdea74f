/* lmbench-style latency measurement: grow the iteration count by doubling
 * until one timed interval lasts at least min_ns, time 11 intervals of that
 * many iterations, take the median per iteration, and subtract the timer's
 * cost and the cost of the same loop with an empty body. */
#ifndef ZW_LATENCY_H
#define ZW_LATENCY_H
#include <stdint.h>

#define LATENCY_REPS 11

/* Runs the operation n times in a plain counted loop. */
typedef void (*latency_loop)(void *ctx, uint64_t n);

struct latency_overhead {
	double timer_ns;     /* one clock_gettime pair, median */
	double loop_ns;      /* one iteration of the empty loop, median */
};

struct latency_result {
	double ns;           /* median per iteration, overheads subtracted */
	double min_ns, max_ns;
	double overhead_ns;  /* what was subtracted per iteration */
	uint64_t iters;      /* per timed interval */
	int reps;
};

/* Timestamp in ns from CLOCK_MONOTONIC. */
uint64_t latency_now_ns(void);

/* Measures the timer and the empty loop. Returns 0 or a negative errno. */
int latency_overhead_measure(struct latency_overhead *ovh, uint64_t min_ns);

int latency_measure(latency_loop loop, void *ctx, uint64_t min_ns,
		    const struct latency_overhead *ovh,
		    struct latency_result *res);

#endif
