/* The CCF model's arithmetic, its labelling, and the ladder falling through
 * to it when no sensor exists (fake trees, then this host as it is). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "../fixtures/fake_tree.h"
#include "meter.h"
#include "results.h"

static double fake_t;
static double fake_now(void)
{
	return fake_t;
}

struct fx {
	char *root;
	struct meter_env env;
	struct meter m;
	int open;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->root = fx_mkroot();
	meter_env_default(&f->env);
	f->env.sysfs_root = f->root;
	f->env.proc_root = f->root;
	f->env.now = fake_now;
	fake_t = 50;
	fx_proc_stat(f->root, 2, 100, 0, 0, 100, 0, 0, 0, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (f->open)
		meter_close(&f->m);
	fx_rmrf(f->root);
	free(f);
	return 0;
}

static void test_arithmetic(void **state)
{
	struct fx *f = *state;

	/* u = 0.5 on 2 vCPUs: 2 x (0.74 + 0.5 x 2.76) = 4.24 W. */
	assert_float_equal(meter_model_watts(&f->env, 2, 0.5), 4.24, 1e-12);
	assert_float_equal(meter_model_watts(&f->env, 1, 0.0), 0.74, 1e-12);
	assert_float_equal(meter_model_watts(&f->env, 4, 1.0), 14.0, 1e-12);
	/* 10 s, 5 CPU-seconds on 2 vCPUs: 2 x 0.74 x 10 + 2.76 x 5 = 28.6 J,
	 * the same as 4.24 W x 10 s since u = 5 / (2 x 10) = 0.25... */
	assert_float_equal(meter_model_joules(&f->env, 2, 10, 5), 28.6, 1e-9);
	assert_float_equal(meter_model_joules(&f->env, 2, 10, 5),
			   meter_model_watts(&f->env, 2, 0.25) * 10, 1e-9);
	assert_true(isnan(meter_model_watts(&f->env, 0, 0.5)));
	assert_true(isnan(meter_model_joules(&f->env, 2, -1, 0)));
}

static void test_parameters(void **state)
{
	struct fx *f = *state;
	struct meter_env env;
	double wmin, wmax;

	(void)f;
	meter_model_get(&wmin, &wmax);
	assert_float_equal(wmin, METER_MODEL_WMIN_DEFAULT, 0);
	assert_float_equal(wmax, METER_MODEL_WMAX_DEFAULT, 0);
	assert_int_equal(meter_model_set(1.0, 4.0), 0);
	meter_env_default(&env);
	assert_float_equal(meter_model_watts(&env, 2, 0.5), 5.0, 1e-12);
	assert_int_equal(meter_model_set(-1, 3), -EINVAL);
	assert_int_equal(meter_model_set(3, 2), -EINVAL);
	assert_int_equal(meter_model_set(NAN, 2), -EINVAL);
	assert_int_equal(meter_model_set(1, INFINITY), -EINVAL);
	meter_model_get(&wmin, &wmax);
	assert_float_equal(wmax, 4.0, 0);   /* rejected values change nothing */
	assert_int_equal(meter_model_set(METER_MODEL_WMIN_DEFAULT, METER_MODEL_WMAX_DEFAULT), 0);
}

static void test_meter_reads_proc_stat(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b, c;

	assert_int_equal(meter_open_ops(meter_find("model"), &f->env, &f->m, &v), 0);
	f->open = 1;
	assert_string_equal(f->m.method, METHOD_ESTIMATED);
	assert_string_equal(f->m.source, "model:ccf");
	assert_string_equal(f->m.boundary, "model");
	/* The assumptions travel with the meter. */
	assert_non_null(strstr(f->m.note, "Wmin=0.74"));
	assert_non_null(strstr(f->m.note, "Wmax=3.5"));
	assert_non_null(strstr(f->m.note, "2 vCPUs"));
	assert_non_null(strstr(f->m.note, "rescales CPU time"));

	/* 100 busy of 200 ticks: u = 0.5 for 10 s = 42.4 J. */
	fx_proc_stat(f->root, 2, 150, 0, 0, 150, 0, 0, 0, 0);
	fake_t += 10;
	assert_int_equal(meter_read(&f->m, &a), 0);
	assert_float_equal(a.total_j, 42.4, 1e-9);
	/* Steal counts as time but not as work; irq and softirq as work. */
	fx_proc_stat(f->root, 2, 150, 0, 20, 190, 10, 5, 5, 10);
	fake_t += 1;
	assert_int_equal(meter_read(&f->m, &b), 0);
	assert_float_equal(meter_joules_between(&f->m, &a, &b),
			   meter_model_watts(&f->env, 2, 30.0 / 90.0), 1e-9);
	/* No tick in between: the last utilisation carries on. */
	fake_t += 0.5;
	assert_int_equal(meter_read(&f->m, &c), 0);
	assert_float_equal(meter_joules_between(&f->m, &b, &c),
			   0.5 * meter_model_watts(&f->env, 2, 30.0 / 90.0), 1e-9);
}

static void test_first_interval_without_ticks(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b;

	assert_int_equal(meter_open_ops(meter_find("model"), &f->env, &f->m, &v), 0);
	f->open = 1;
	fake_t += 0.001;
	assert_int_equal(meter_read(&f->m, &a), 0);
	/* Nothing known yet: no energy is invented. */
	assert_float_equal(a.total_j, 0.0, 0);
	fx_proc_stat(f->root, 2, 110, 0, 0, 110, 0, 0, 0, 0);
	fake_t += 1;
	assert_int_equal(meter_read(&f->m, &b), 0);
	/* The carried-over interval is integrated once u is known. */
	assert_float_equal(b.total_j, 1.001 * meter_model_watts(&f->env, 2, 0.5), 1e-9);
}

static void test_ladder_falls_to_model(void **state)
{
	struct fx *f = *state;
	cJSON *report = cJSON_CreateObject(), *probed;
	struct sample s;

	assert_int_equal(meter_open_best(&f->env, &f->m, report), 0);
	f->open = 1;
	assert_string_equal(f->m.ops->name, "model");
	meter_label_sample(&f->m, &s);
	assert_string_equal(s.method, METHOD_ESTIMATED);
	assert_string_equal(s.source, "model:ccf");
	assert_string_equal(s.boundary, "model");
	probed = cJSON_GetObjectItem(report, "probed");
	assert_int_equal(cJSON_GetArraySize(probed), 4);
	for (int i = 0; i < 3; i++) {
		cJSON *o = cJSON_GetArrayItem(probed, i);
		assert_string_equal(cJSON_GetObjectItem(o, "verdict")->valuestring, "missing");
		assert_true(strlen(cJSON_GetObjectItem(o, "reason")->valuestring) > 0);
	}
	assert_string_equal(cJSON_GetObjectItem(report, "method")->valuestring, METHOD_ESTIMATED);
	cJSON_Delete(report);
}

static void test_nothing_usable(void **state)
{
	struct fx *f = *state;
	struct meter_reading a, b;
	struct sample s;

	f->env.only = "no-such-meter";
	assert_int_equal(meter_open_best(&f->env, &f->m, NULL), -ENODEV);
	assert_null(f->m.ops);
	meter_label_sample(&f->m, &s);
	assert_string_equal(s.method, METHOD_UNAVAILABLE);
	assert_int_equal(meter_read(&f->m, &a), -ENODEV);
	assert_int_equal(meter_read(&f->m, &b), -ENODEV);
	assert_true(isnan(meter_joules_between(&f->m, &a, &b)));

	/* Even the model needs /proc/stat. */
	f->env.only = NULL;
	f->env.proc_root = "/nonexistent-zw";
	assert_int_equal(meter_open_best(&f->env, &f->m, NULL), -ENODEV);
}

static void test_forced_meter(void **state)
{
	struct fx *f = *state;
	cJSON *report = cJSON_CreateObject();

	fx_rapl_zone(f->root, "intel-rapl:0", "package-0", 0, 1000000000);
	f->env.only = "model";
	assert_int_equal(meter_open_best(&f->env, &f->m, report), 0);
	f->open = 1;
	assert_string_equal(f->m.ops->name, "model");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(report,
				"probed"), 0), "verdict")->valuestring, "skipped");
	cJSON_Delete(report);
}

static void test_capabilities_lines(void **state)
{
	struct fx *f = *state;
	struct meter_capability caps[8];
	int n = meter_capabilities(&f->env, caps, 8);

	assert_int_equal(n, 4);
	for (int i = 0; i < 3; i++) {
		assert_string_equal(caps[i].status, "missing");
		assert_true(caps[i].reason[0] && caps[i].fix[0]);
	}
	assert_string_equal(caps[3].status, "ok");
	assert_non_null(strstr(caps[3].reason, "estimated"));
}

static void test_counter_helper(void **state)
{
	struct meter_counter c = { .max_raw = 999, .unit_j = 1.0 };

	(void)state;
	assert_int_equal(meter_counter_update(&c, 990, 0), 0);
	assert_int_equal(meter_counter_update(&c, 5, 1.0), 0);      /* wrap: 9 + 5 + 1 */
	assert_float_equal(c.acc_j, 15.0, 1e-12);
	assert_int_equal(meter_counter_update(&c, 100, 1.0), 0);
	assert_float_equal(c.acc_j, 110.0, 1e-12);
	/* Backwards by 50 in 10 ms: a wrap would mean 950 J, i.e. 95 kW. */
	assert_int_equal(meter_counter_update(&c, 50, 0.01), 1);
	assert_float_equal(c.acc_j, 160.0, 1e-12);
	/* Without a known range every decrease is a reset. */
	struct meter_counter d = { .unit_j = 2.0 };
	meter_counter_update(&d, 10, 0);
	assert_int_equal(meter_counter_update(&d, 4, 100.0), 1);
	assert_float_equal(d.acc_j, 8.0, 1e-12);
}

/* This host as it is. Where nothing measures energy (no powercap, no power
 * PMU, no hwmon - this lab's VMs), the ladder must land on the model and say
 * estimated; elsewhere whatever it picks must be labelled measured. */
static void test_this_host(void **state)
{
	struct meter_env env;
	struct meter m;
	struct stat st;
	int rc;

	(void)state;
	meter_env_default(&env);
	env.sysfs_root = "/sys";
	env.proc_root = "/proc";
	rc = meter_open_best(&env, &m, NULL);
	assert_int_equal(rc, 0);
	print_message("this host: meter %s, %s, %s (%s)\n", m.ops->name, m.method, m.source,
		      m.boundary);
	if (!strcmp(m.ops->name, "model"))
		assert_string_equal(m.method, METHOD_ESTIMATED);
	else
		assert_string_equal(m.method, METHOD_MEASURED);
	if (stat("/sys/class/powercap", &st) && stat("/sys/bus/event_source/devices/power", &st) &&
	    stat("/sys/class/hwmon", &st))
		assert_string_equal(m.ops->name, "model");
	meter_close(&m);
}

int main(void)
{
	/* The tests choose their meters and roots themselves. */
	unsetenv("ZW_METER");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_arithmetic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parameters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meter_reads_proc_stat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_interval_without_ticks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ladder_falls_to_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_usable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forced_meter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capabilities_lines, setup, teardown),
		cmocka_unit_test(test_counter_helper),
		cmocka_unit_test(test_this_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
