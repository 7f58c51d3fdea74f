/* Arrival processes and trace files: deterministic seeds, the moments of
 * each inter-arrival distribution, the Azure population quantiles, spec
 * parsing and CSV errors with file and line. Statistical checks use fixed
 * seeds and tolerances many standard errors wide. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "trace.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void rng_is_deterministic_and_in_range(void **state)
{
	(void)state;
	struct zw_rng a, b, c;
	rng_seed(&a, 42);
	rng_seed(&b, 42);
	rng_seed(&c, 43);
	int differ = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = rng_next(&a), y = rng_next(&b), z = rng_next(&c);
		assert_true(x == y);
		differ += x != z;
	}
	assert_true(differ > 990);
	double sum = 0;
	for (int i = 0; i < 100000; i++) {
		double u = rng_uniform(&a);
		assert_true(u > 0 && u < 1);
		sum += u;
	}
	assert_true(fabs(sum / 100000 - 0.5) < 0.01);
	assert_true(rng_derive(7, 1) != rng_derive(7, 2));
	assert_true(rng_derive(7, 1) == rng_derive(7, 1));
}

static void normal_moments(void **state)
{
	(void)state;
	struct zw_rng r;
	rng_seed(&r, 3);
	double s = 0, s2 = 0;
	int n = 200000;
	for (int i = 0; i < n; i++) {
		double z = rng_normal(&r);
		s += z;
		s2 += z * z;
	}
	assert_true(fabs(s / n) < 0.02);
	assert_true(fabs(s2 / n - 1) < 0.02);
	assert_true(fabs(normal_quantile(0.975) - 1.959964) < 1e-5);
	assert_true(fabs(normal_quantile(0.5)) < 1e-9);
	assert_true(isnan(normal_quantile(1.0)));
}

static double sample_mean(const struct iat_dist *d, int n, uint64_t seed, double *cv, double *median)
{
	struct zw_rng r;
	rng_seed(&r, seed);
	double *v = malloc(n * sizeof(*v));
	double s = 0, s2 = 0;
	for (int i = 0; i < n; i++) {
		v[i] = iat_draw(d, &r);
		assert_true(v[i] > 0);
		s += v[i];
		s2 += v[i] * v[i];
	}
	double mean = s / n;
	if (cv)
		*cv = sqrt(s2 / n - mean * mean) / mean;
	if (median) {
		qsort(v, n, sizeof(*v), cmp_double);
		*median = v[n / 2];
	}
	free(v);
	return mean;
}

static void interarrival_distributions_have_their_moments(void **state)
{
	(void)state;
	struct iat_dist d;
	double cv, median;
	assert_int_equal(iat_init(&d, IAT_EXP, 2.0, 0), 0);
	assert_true(fabs(sample_mean(&d, 200000, 1, &cv, &median) - 2.0) < 0.03);
	assert_true(fabs(cv - 1) < 0.02);
	assert_true(fabs(median - 2.0 * log(2)) < 0.03);

	assert_int_equal(iat_init(&d, IAT_LOGNORMAL, 0.5, 0.5), 0);
	assert_true(fabs(sample_mean(&d, 200000, 2, &cv, NULL) - 0.5) < 0.005);
	assert_true(fabs(cv - 0.5) < 0.02);
	/* CV 2: the mean still converges (finite variance). */
	assert_int_equal(iat_init(&d, IAT_LOGNORMAL, 1.0, 2.0), 0);
	assert_true(fabs(sample_mean(&d, 400000, 3, NULL, &median) - 1.0) < 0.03);
	assert_true(fabs(median - exp(d.mu)) < 0.01);

	/* Pareto with alpha 1.5: infinite variance, so check the median
	 * xm * 2^(1/alpha) and the minimum xm. */
	assert_int_equal(iat_init(&d, IAT_PARETO, 3.0, 1.5), 0);
	assert_true(fabs(d.xm - 1.0) < 1e-12);
	sample_mean(&d, 200000, 4, NULL, &median);
	assert_true(fabs(median - pow(2, 1 / 1.5)) < 0.02);

	assert_int_equal(iat_init(&d, IAT_PARETO, 3.0, 1.0), -EINVAL);
	assert_int_equal(iat_init(&d, IAT_LOGNORMAL, 3.0, 0), -EINVAL);
	assert_int_equal(iat_init(&d, IAT_EXP, 0, 0), -EINVAL);
}

static void azure_population_matches_the_published_quantiles(void **state)
{
	(void)state;
	/* 45% of apps at most once per hour, 81% at most once per minute. */
	assert_true(fabs(azure_rate_at_quantile(0.45) * 3600 - 1) < 0.01);
	assert_true(fabs(azure_rate_at_quantile(0.81) * 60 - 1) < 0.01);
	struct zw_rng r;
	rng_seed(&r, 5);
	int n = 100000, hourly = 0, minutely = 0;
	for (int i = 0; i < n; i++) {
		double rate = azure_rate_draw(&r);
		hourly += rate <= 1.0 / 3600;
		minutely += rate <= 1.0 / 60;
	}
	assert_true(fabs((double)hourly / n - 0.45) < 0.01);
	assert_true(fabs((double)minutely / n - 0.81) < 0.01);
}

static void poisson_trace_counts_and_gaps(void **state)
{
	(void)state;
	struct trace_spec t;
	char err[256];
	assert_int_equal(trace_parse("poisson:rate=4,seed=9", &t, err, sizeof(err)), 0);
	assert_int_equal((int)t.seed, 9);
	assert_non_null(strstr(t.text, "seed=9"));
	double *v, *w;
	size_t n, m;
	assert_int_equal(trace_generate(&t, 10000, &v, &n, err, sizeof(err)), 0);
	assert_true(fabs((double)n - 40000) < 1000); /* sd 200 */
	size_t long_gaps = 0;
	for (size_t i = 1; i < n; i++) {
		assert_true(v[i] >= v[i - 1]);
		long_gaps += v[i] - v[i - 1] > 0.5;
	}
	assert_true(fabs((double)long_gaps / (n - 1) - exp(-2)) < 0.01);
	assert_true(v[n - 1] < 10000);
	/* Same seed, same trace. */
	assert_int_equal(trace_generate(&t, 10000, &w, &m, err, sizeof(err)), 0);
	assert_int_equal(n, m);
	assert_memory_equal(v, w, n * sizeof(*v));
	free(v);
	free(w);
}

static void onoff_is_silent_when_off(void **state)
{
	(void)state;
	struct trace_spec t;
	char err[256];
	assert_int_equal(trace_parse("onoff:rate=10,on=2,off=3", &t, err, sizeof(err)), 0);
	double *v;
	size_t n;
	assert_int_equal(trace_generate(&t, 1000, &v, &n, err, sizeof(err)), 0);
	for (size_t i = 0; i < n; i++)
		assert_true(fmod(v[i], 5.0) < 2.0);
	assert_true(fabs((double)n - 4000) < 300); /* 200 bursts x 20, sd 63 */
	free(v);
}

static void heavy_tailed_specs_generate(void **state)
{
	(void)state;
	struct trace_spec t;
	char err[256];
	double *v;
	size_t n;
	assert_int_equal(trace_parse("lognormal:mean=0.1,cv=0.5", &t, err, sizeof(err)), 0);
	assert_int_equal(trace_generate(&t, 1000, &v, &n, err, sizeof(err)), 0);
	assert_true(fabs((double)n - 10000) < 500);
	free(v);
	assert_int_equal(trace_parse("pareto:mean=0.1,alpha=2.5", &t, err, sizeof(err)), 0);
	assert_int_equal(trace_generate(&t, 1000, &v, &n, err, sizeof(err)), 0);
	assert_true(n > 8000 && n < 12000);
	free(v);
	assert_int_equal(trace_parse("azure:q=0.99", &t, err, sizeof(err)), 0);
	assert_true(fabs(t.rate - azure_rate_at_quantile(0.99)) < 1e-12);
	assert_true(t.cv == AZURE_DEFAULT_CV);
	assert_int_equal(trace_generate(&t, 3600, &v, &n, err, sizeof(err)), 0);
	assert_true(n > 0);
	free(v);
}

static void bad_specs_say_why(void **state)
{
	(void)state;
	struct trace_spec t;
	char err[256];
	static const char *const bad[] = {
		"", "poisson", "poisson:rate=0", "poisson:rate=-1", "poisson:rate=x", "poisson:rat=3",
		"poisson:rate", "onoff:rate=1,on=2", "lognormal:mean=1", "pareto:mean=1,alpha=1",
		"azure:q=1.5", "zipf:s=1", "poisson:rate=1,seed=-4", "csv:",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(trace_parse(bad[i], &t, err, sizeof(err)), -EINVAL);
		assert_true(strlen(err) > 5);
	}
}

static void csv_accepts_headers_comments_and_columns(void **state)
{
	(void)state;
	double *v;
	size_t n;
	char err[256];
	const char *text = "# recorded trace\ntimestamp,function\n0.5,a\n\n 1.25 ,b\r\n1.25\n7\n";
	assert_int_equal(trace_parse_csv("t.csv", text, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4);
	assert_true(v[0] == 0.5 && v[1] == 1.25 && v[2] == 1.25 && v[3] == 7);
	free(v);
}

static void csv_errors_name_file_and_line(void **state)
{
	(void)state;
	double *v;
	size_t n;
	char err[256];
	assert_int_equal(trace_parse_csv("t.csv", "1\n2\nabc\n", &v, &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.csv:3:"));
	assert_int_equal(trace_parse_csv("t.csv", "1\n2\n1.5\n", &v, &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.csv:3:"));
	assert_int_equal(trace_parse_csv("t.csv", "# c\n-1\n", &v, &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.csv:2:"));
	assert_int_equal(trace_parse_csv("t.csv", "1\ntime\n", &v, &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.csv:2:"));
	assert_int_equal(trace_parse_csv("t.csv", "2x\n", &v, &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.csv:1:"));
	assert_int_equal(trace_parse_csv("t.csv", "1e999\n", &v, &n, err, sizeof(err)), -EINVAL);
	assert_int_equal(trace_parse_csv("t.csv", "# nothing\n", &v, &n, err, sizeof(err)), -EINVAL);
}

static void csv_file_is_read_and_cut(void **state)
{
	(void)state;
	char path[] = "/tmp/zw-test-trace-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "0\n1\n2\n3\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct trace_spec t;
	char err[256];
	assert_int_equal(trace_parse(path, &t, err, sizeof(err)), 0);
	assert_int_equal(t.kind, TRACE_CSV);
	double *v;
	size_t n;
	assert_int_equal(trace_generate(&t, 2.5, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	free(v);
	unlink(path);
	assert_int_equal(trace_parse(path, &t, err, sizeof(err)), -EINVAL); /* gone: not a file */
	char spec[600];
	snprintf(spec, sizeof(spec), "csv:%s", path);
	assert_int_equal(trace_parse(spec, &t, err, sizeof(err)), 0);
	assert_true(trace_generate(&t, 0, &v, &n, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, path));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rng_is_deterministic_and_in_range),
		cmocka_unit_test(normal_moments),
		cmocka_unit_test(interarrival_distributions_have_their_moments),
		cmocka_unit_test(azure_population_matches_the_published_quantiles),
		cmocka_unit_test(poisson_trace_counts_and_gaps),
		cmocka_unit_test(onoff_is_silent_when_off),
		cmocka_unit_test(heavy_tailed_specs_generate),
		cmocka_unit_test(bad_specs_say_why),
		cmocka_unit_test(csv_accepts_headers_comments_and_columns),
		cmocka_unit_test(csv_errors_name_file_and_line),
		cmocka_unit_test(csv_file_is_read_and_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
