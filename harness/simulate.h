/* Fleet projection: a large synthetic population of functions (default
 * 10 000 over 24 h, rates from the Azure Functions 2019 population, see
 * trace.h) replayed through the waker's policies, event by event, and
 * priced with the figures `zerowatt scale` measured for each target.
 *
 * The arrival stream does not depend on the policy (open loop), so one pass
 * over each function's arrivals updates every policy at once. Per policy:
 *   keep-alive T  an arrival more than T after the previous one is a cold
 *                 start; the instance then idles warm for min(gap, T)
 *   immediate     every arrival is a cold start; no idle-warm time
 *   always-on     no cold start (pre-warmed); warm for the whole horizon
 * Keep-alive windows are counted from arrivals: service times are
 * milliseconds against windows of seconds to minutes, and that makes the
 * counts the same for every target (latency does not feed back).
 *
 * Priced per target:
 *   energy = cold starts x E_cold + idle-warm seconds x P_warm
 *            + warm requests x E_req
 * (E_cold is a whole boot + first request + stop cycle, so a cold request's
 * service is inside it), and latency is cold_s for cold requests, warm_s
 * for the others: mean, p50 and p99 follow from the cold fraction.
 *
 * Check: Poisson arrivals at rate L with keep-alive T give a cold-start
 * fraction of exp(-L T) and a mean idle-warm time per gap of
 * (1 - exp(-L T)) / L (tests/unit/test_simulate.c). */
#ifndef ZW_SIMULATE_H
#define ZW_SIMULATE_H
#include <stdint.h>

#include "trace.h"
#include "waker_policy.h"

#define SIM_MAX_POLICIES 16

struct sim_policy {
	enum wk_policy kind;
	double keep_alive_s;
};

struct sim_population {
	unsigned functions;
	double horizon_s;
	int fixed;                 /* every function at fixed_rate, else the Azure population */
	double fixed_rate;         /* per second */
	double max_rate;           /* per second: population draws are capped here */
	enum iat_kind iat;
	double shape;              /* log-normal CV or Pareto alpha */
	uint64_t seed;
	unsigned threads;          /* 0: one */
};

/* Counts per policy, for the whole population. */
struct sim_counts {
	unsigned long long requests, cold;
	double idle_warm_s;        /* instance-seconds warm and idle */
	/* Per function rather than per request (most functions are rare, most
	 * requests go to a few busy ones): functions that saw a request, and
	 * the median and 90th percentile of their own cold-start fractions. */
	unsigned long active_functions;
	double fn_cold_p50, fn_cold_p90;
};

struct sim_params {
	double e_cold_j, p_warm_w, e_req_j;
	double cold_s, warm_s;
};

struct sim_priced {
	double energy_j, energy_cold_j, energy_idle_j, energy_req_j;
	double cold_fraction;
	double mean_s, p50_s, p99_s;
};

/* Runs the population through npol policies. Returns 0 or -EINVAL / -ENOMEM;
 * *events gets the number of arrivals simulated. */
int sim_run(const struct sim_population *pop, const struct sim_policy *pol, int npol,
	    struct sim_counts *out, unsigned long long *events);
/* Prices one policy's counts for one target. */
void sim_price(const struct sim_counts *c, const struct sim_params *p, struct sim_priced *out);

#endif
