#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/zw-test-results-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static struct sample mk(const char *target, const char *metric, double v, const char *source)
{
	struct sample s;
	memset(&s, 0, sizeof(s));
	snprintf(s.experiment, sizeof(s.experiment), "boot");
	snprintf(s.target, sizeof(s.target), "%s", target);
	snprintf(s.metric, sizeof(s.metric), "%s", metric);
	s.value = v;
	snprintf(s.unit, sizeof(s.unit), "ms");
	s.repetition = 3;
	snprintf(s.method, sizeof(s.method), METHOD_MEASURED);
	snprintf(s.source, sizeof(s.source), "%s", source);
	s.t_s = NAN;
	return s;
}

static void csv_round_trip_with_quoting(void **state)
{
	(void)state;
	struct sample in[3];
	in[0] = mk("native", "ready_ms", 1.25, "clock:monotonic");
	in[1] = mk("container", "ready_ms", 70.5, "has,comma \"and quote\"");
	in[2] = mk("vm", "power_w", NAN, "");
	snprintf(in[2].method, sizeof(in[2].method), METHOD_UNAVAILABLE);
	snprintf(in[2].phase, sizeof(in[2].phase), "idle");
	in[2].t_s = 0.1;
	char path[128];
	snprintf(path, sizeof(path), "%s/samples.csv", dir);
	assert_int_equal(results_write_csv(path, in, 3), 0);
	struct sample *out;
	size_t n;
	assert_int_equal(results_read_csv(path, &out, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(out[1].source, "has,comma \"and quote\"");
	assert_float_equal(out[1].value, 70.5, 1e-12);
	assert_int_equal(out[0].repetition, 3);
	assert_true(isnan(out[2].value));
	assert_string_equal(out[2].method, "unavailable");
	assert_string_equal(out[2].phase, "idle");
	assert_float_equal(out[2].t_s, 0.1, 1e-12);
	free(out);
}

static void atomic_write_leaves_no_temp_file(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/x.json", dir);
	assert_int_equal(write_file_atomic(path, "{}", 2), 0);
	assert_int_equal(write_file_atomic(path, "{\"a\":1}", 7), 0);
	FILE *f = fopen(path, "r");
	char buf[32] = { 0 };
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "{\"a\":1}");
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "test $(ls %s | wc -l) -eq 1", dir);
	assert_int_equal(system(cmd), 0);
}

static void bad_header_is_rejected(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/bad.csv", dir);
	FILE *f = fopen(path, "w");
	fputs("a,b,c\n1,2,3\n", f);
	fclose(f);
	struct sample *out;
	size_t n;
	assert_int_not_equal(results_read_csv(path, &out, &n), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(csv_round_trip_with_quoting, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(atomic_write_leaves_no_temp_file, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(bad_header_is_rejected, make_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
