/* The fleet simulator against closed forms: Poisson arrivals at rate L with
 * keep-alive T give a cold-start fraction of exp(-L T) and idle-warm time
 * (1 - exp(-L T)) / L per arrival; log-normal arrivals give P(gap > T) from
 * the normal CDF. Fixed seeds and ~1.4 million arrivals: the tolerances are
 * more than ten standard errors wide, and a wrong policy misses them by far
 * more. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "simulate.h"

static struct sim_population poisson_population(double rate)
{
	struct sim_population pop = {
		.functions = 1000, .horizon_s = 86400, .fixed = 1, .fixed_rate = rate, .max_rate = 1e9,
		.iat = IAT_EXP, .seed = 11, .threads = 2,
	};
	return pop;
}

static void poisson_keep_alive_matches_exp_minus_lambda_t(void **state)
{
	(void)state;
	const double lambda = 1.0 / 60;
	struct sim_population pop = poisson_population(lambda);
	struct sim_policy pol[] = {
		{ WK_KEEP_ALIVE, 30 }, { WK_KEEP_ALIVE, 60 }, { WK_KEEP_ALIVE, 180 }, { WK_KEEP_ALIVE, 600 },
	};
	struct sim_counts c[4];
	unsigned long long events;
	assert_int_equal(sim_run(&pop, pol, 4, c, &events), 0);
	/* 1000 functions x 1440 expected arrivals each */
	assert_true(fabs((double)events - 1.44e6) < 1.44e6 * 0.01);
	for (int p = 0; p < 4; p++) {
		double T = pol[p].keep_alive_s;
		double expect = exp(-lambda * T);
		/* Each function's first arrival is cold whatever the gap. */
		double with_first = (pop.functions + (double)(events - pop.functions) * expect) / (double)events;
		double got = (double)c[p].cold / (double)c[p].requests;
		print_message("keep-alive %4.0f s: cold fraction %.5f, exp(-LT) %.5f (%.5f with first arrivals)\n",
			      T, got, expect, with_first);
		assert_int_equal(c[p].requests, events);
		assert_true(fabs(got - with_first) < 0.003);
		/* Every function has the same rate: the per-function median is
		 * the same fraction, within one function's sampling noise. */
		assert_true(fabs(c[p].fn_cold_p50 - with_first) < 0.03);
		double idle_per_arrival = c[p].idle_warm_s / (double)c[p].requests;
		double idle_expect = (1 - expect) / lambda;
		assert_true(fabs(idle_per_arrival - idle_expect) < 0.01 * idle_expect);
	}
}

static void lognormal_keep_alive_matches_its_tail(void **state)
{
	(void)state;
	const double lambda = 1.0 / 60, cv = 2.0;
	struct sim_population pop = poisson_population(lambda);
	pop.iat = IAT_LOGNORMAL;
	pop.shape = cv;
	struct sim_policy pol[] = { { WK_KEEP_ALIVE, 10 }, { WK_KEEP_ALIVE, 120 } };
	struct sim_counts c[2];
	unsigned long long events;
	assert_int_equal(sim_run(&pop, pol, 2, c, &events), 0);
	struct iat_dist d;
	assert_int_equal(iat_init(&d, IAT_LOGNORMAL, 1 / lambda, cv), 0);
	for (int p = 0; p < 2; p++) {
		double T = pol[p].keep_alive_s;
		double expect = 0.5 * erfc((log(T) - d.mu) / (d.sigma * M_SQRT2));
		double got = (double)c[p].cold / (double)c[p].requests;
		print_message("log-normal CV 2, keep-alive %3.0f s: cold %.5f, P(gap > T) %.5f\n", T, got, expect);
		assert_true(fabs(got - expect) < 0.005);
	}
	/* Burstier than Poisson at the same mean rate: more short gaps, so a
	 * short keep-alive catches more of them. */
	assert_true((double)c[0].cold / (double)c[0].requests < exp(-lambda * 10) - 0.05);
}

static void immediate_and_always_on_are_the_extremes(void **state)
{
	(void)state;
	struct sim_population pop = poisson_population(0.01);
	pop.functions = 100;
	struct sim_policy pol[] = { { WK_IMMEDIATE, 0 }, { WK_ALWAYS_ON, 0 }, { WK_KEEP_ALIVE, 1e9 } };
	struct sim_counts c[3];
	unsigned long long events;
	assert_int_equal(sim_run(&pop, pol, 3, c, &events), 0);
	assert_true(events > 0);
	assert_int_equal(c[0].cold, c[0].requests);
	assert_true(c[0].idle_warm_s == 0);
	assert_true(c[0].fn_cold_p50 == 1 && c[0].fn_cold_p90 == 1);
	assert_true(c[1].fn_cold_p90 == 0);
	assert_int_equal(c[0].active_functions, 100);
	assert_int_equal(c[1].cold, 0);
	assert_true(fabs(c[1].idle_warm_s - 100 * 86400.0) < 1e-3);
	/* A window longer than the horizon: one cold start per function. */
	assert_int_equal(c[2].cold, 100);
}

static void results_do_not_depend_on_threads(void **state)
{
	(void)state;
	struct sim_population pop = poisson_population(0.05);
	pop.functions = 200;
	pop.fixed = 0; /* the Azure population: per-function rates from each stream */
	pop.max_rate = 1;
	struct sim_policy pol[] = { { WK_KEEP_ALIVE, 60 } };
	struct sim_counts a, b;
	unsigned long long ea, eb;
	pop.threads = 1;
	assert_int_equal(sim_run(&pop, pol, 1, &a, &ea), 0);
	pop.threads = 3;
	assert_int_equal(sim_run(&pop, pol, 1, &b, &eb), 0);
	assert_true(ea == eb && a.cold == b.cold && a.requests == b.requests);
	assert_true(fabs(a.idle_warm_s - b.idle_warm_s) < 1e-6 * a.idle_warm_s);
	pop.seed++;
	assert_int_equal(sim_run(&pop, pol, 1, &b, &eb), 0);
	assert_true(eb != ea);
}

static void rates_are_capped(void **state)
{
	(void)state;
	struct sim_population pop = poisson_population(10);
	pop.functions = 10;
	pop.horizon_s = 1000;
	pop.max_rate = 1;
	struct sim_policy pol[] = { { WK_IMMEDIATE, 0 } };
	struct sim_counts c;
	unsigned long long events;
	assert_int_equal(sim_run(&pop, pol, 1, &c, &events), 0);
	assert_true(fabs((double)events - 10000) < 500);
}

static void pricing_adds_cold_idle_and_requests(void **state)
{
	(void)state;
	struct sim_counts c = { .requests = 100, .cold = 10, .idle_warm_s = 50 };
	struct sim_params p = { .e_cold_j = 2, .p_warm_w = 0.5, .e_req_j = 0.1, .cold_s = 0.1, .warm_s = 0.001 };
	struct sim_priced o;
	sim_price(&c, &p, &o);
	assert_true(fabs(o.energy_cold_j - 20) < 1e-12);
	assert_true(fabs(o.energy_idle_j - 25) < 1e-12);
	assert_true(fabs(o.energy_req_j - 9) < 1e-12);
	assert_true(fabs(o.energy_j - 54) < 1e-12);
	assert_true(fabs(o.cold_fraction - 0.1) < 1e-12);
	assert_true(fabs(o.mean_s - (0.001 + 0.1 * 0.099)) < 1e-12);
	assert_true(o.p50_s == 0.001);
	assert_true(o.p99_s == 0.1);
	c.cold = 0;
	sim_price(&c, &p, &o);
	assert_true(o.p99_s == 0.001);
	c.requests = 0;
	sim_price(&c, &p, &o);
	assert_true(isnan(o.cold_fraction) && isnan(o.p99_s));
}

static void bad_populations_are_refused(void **state)
{
	(void)state;
	struct sim_population pop = poisson_population(1);
	struct sim_policy pol[] = { { WK_KEEP_ALIVE, 1 } };
	struct sim_counts c;
	unsigned long long events;
	assert_int_equal(sim_run(&pop, pol, 0, &c, &events), -EINVAL);
	pop.functions = 0;
	assert_int_equal(sim_run(&pop, pol, 1, &c, &events), -EINVAL);
	pop = poisson_population(1);
	pop.iat = IAT_PARETO;
	pop.shape = 1;
	assert_int_equal(sim_run(&pop, pol, 1, &c, &events), -EINVAL);
	pop = poisson_population(1);
	pol[0].keep_alive_s = -1;
	assert_int_equal(sim_run(&pop, pol, 1, &c, &events), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(poisson_keep_alive_matches_exp_minus_lambda_t),
		cmocka_unit_test(lognormal_keep_alive_matches_its_tail),
		cmocka_unit_test(immediate_and_always_on_are_the_extremes),
		cmocka_unit_test(results_do_not_depend_on_threads),
		cmocka_unit_test(rates_are_capped),
		cmocka_unit_test(pricing_adds_cold_idle_and_requests),
		cmocka_unit_test(bad_populations_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
