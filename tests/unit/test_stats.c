#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "stats.h"

static void median_of_odd_and_even(void **state)
{
	(void)state;
	double odd[] = { 5, 1, 3 };
	double even[] = { 4, 1, 3, 2 };
	assert_float_equal(stats_median(odd, 3), 3.0, 1e-12);
	assert_float_equal(stats_median(even, 4), 2.5, 1e-12);
}

static void percentiles_interpolate(void **state)
{
	(void)state;
	double s[] = { 10, 20, 30, 40, 50 };
	assert_float_equal(stats_percentile_sorted(s, 5, 0), 10, 1e-12);
	assert_float_equal(stats_percentile_sorted(s, 5, 100), 50, 1e-12);
	assert_float_equal(stats_percentile_sorted(s, 5, 25), 20, 1e-12);
	assert_float_equal(stats_percentile_sorted(s, 5, 5), 12, 1e-12);
}

static void summary_of_known_data(void **state)
{
	(void)state;
	double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct summary s;
	assert_int_equal(stats_summarize(v, 8, &s), 0);
	assert_int_equal(s.n, 8);
	assert_float_equal(s.mean, 5.0, 1e-12);
	assert_float_equal(s.sd, sqrt(32.0 / 7.0), 1e-12);
	assert_float_equal(s.median, 4.5, 1e-12);
	assert_float_equal(s.min, 2, 1e-12);
	assert_float_equal(s.max, 9, 1e-12);
	/* |x - 4.5| = 2.5 .5 .5 .5 .5 .5 2.5 4.5 → MAD 0.5 */
	assert_float_equal(s.mad, 0.5, 1e-12);
	/* 3 * 1.4826 * 0.5 = 2.22: 2, 7 and 9 are flagged. */
	assert_int_equal(s.outliers, 3);
}

static void outliers_flagged_not_removed(void **state)
{
	(void)state;
	double v[] = { 10, 10.1, 9.9, 10.05, 9.95, 10, 100 };
	struct summary s;
	stats_summarize(v, 7, &s);
	assert_int_equal(s.n, 7);
	assert_int_equal(s.outliers, 1);
	assert_float_equal(s.max, 100, 1e-12);
}

static void median_ci_order_statistics(void **state)
{
	(void)state;
	/* n = 10: the 95% distribution-free CI is [x(2), x(9)] (coverage 97.9%). */
	double v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct summary s;
	stats_summarize(v, 10, &s);
	assert_float_equal(s.ci_lo, 2, 1e-12);
	assert_float_equal(s.ci_hi, 9, 1e-12);
	/* n = 5 is too few for a 95% median CI. */
	stats_summarize(v, 5, &s);
	assert_true(isnan(s.ci_lo));
}

static void empty_input_is_an_error(void **state)
{
	(void)state;
	struct summary s;
	assert_int_not_equal(stats_summarize(NULL, 0, &s), 0);
	assert_true(isnan(s.median));
}

static void t_quantiles(void **state)
{
	(void)state;
	assert_float_equal(stats_t95(1), 12.706, 1e-9);
	assert_float_equal(stats_t95(10), 2.228, 1e-9);
	assert_float_equal(stats_t95(1000), 1.96, 1e-9);
	assert_true(isnan(stats_t95(0)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(median_of_odd_and_even),
		cmocka_unit_test(percentiles_interpolate),
		cmocka_unit_test(summary_of_known_data),
		cmocka_unit_test(outliers_flagged_not_removed),
		cmocka_unit_test(median_ci_order_statistics),
		cmocka_unit_test(empty_input_is_an_error),
		cmocka_unit_test(t_quantiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
