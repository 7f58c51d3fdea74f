/* hwmon meter against fake sensor trees: which sensors count, power
 * integration, energy counters. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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
	f->env.now = fake_now;
	fake_t = 0;
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

static int open_hwmon(struct fx *f, struct meter_verdict *v)
{
	int rc = meter_open_ops(meter_find("hwmon"), &f->env, &f->m, v);
	f->open = rc == 0;
	return rc;
}

static void test_power_meter_integrated(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b, c;

	fx_write(f->root, "class/hwmon/hwmon0/name", "power_meter\n");
	fx_write(f->root, "class/hwmon/hwmon0/power1_average", "100000000\n");   /* 100 W */
	fx_write(f->root, "class/hwmon/hwmon1/name", "amdgpu\n");
	fx_write(f->root, "class/hwmon/hwmon1/power1_average", "50000000\n");
	assert_int_equal(open_hwmon(f, &v), 0);
	assert_string_equal(f->m.source, "hwmon:power_meter/power1");
	assert_string_equal(f->m.boundary, "platform");
	assert_string_equal(f->m.method, METHOD_MEASURED);
	/* The GPU is not part of the host figure. */
	assert_int_equal(f->m.ndomains, 1);
	assert_non_null(strstr(f->m.note, "not counted"));
	assert_non_null(strstr(f->m.note, "integrated"));

	fake_t = 1;
	assert_int_equal(meter_read(&f->m, &a), 0);
	fx_write(f->root, "class/hwmon/hwmon0/power1_average", "200000000\n");
	fake_t = 2;
	assert_int_equal(meter_read(&f->m, &b), 0);
	/* Trapezoid between 100 W and 200 W over 1 s. */
	assert_float_equal(meter_joules_between(&f->m, &a, &b), 150.0, 1e-9);
	fake_t = 4;
	meter_read(&f->m, &c);
	assert_float_equal(meter_joules_between(&f->m, &b, &c), 400.0, 1e-9);
}

static void test_energy_counters(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b;

	fx_write(f->root, "class/hwmon/hwmon3/name", "amd_energy\n");
	fx_write(f->root, "class/hwmon/hwmon3/energy1_input", "1000000\n");
	fx_write(f->root, "class/hwmon/hwmon3/energy1_label", "Ecore000\n");
	fx_write(f->root, "class/hwmon/hwmon3/energy2_input", "5000000\n");
	fx_write(f->root, "class/hwmon/hwmon3/energy2_label", "Esocket0\n");
	assert_int_equal(open_hwmon(f, &v), 0);
	assert_string_equal(f->m.source, "hwmon:amd_energy/energy2");
	assert_string_equal(f->m.boundary, "package");
	assert_non_null(strstr(f->m.note, "Esocket0"));
	meter_read(&f->m, &a);
	fx_write(f->root, "class/hwmon/hwmon3/energy2_input", "12000000\n");
	fx_write(f->root, "class/hwmon/hwmon3/energy1_input", "9000000\n");
	fake_t = 1;
	meter_read(&f->m, &b);
	assert_float_equal(meter_joules_between(&f->m, &a, &b), 7.0, 1e-9);
}

static void test_input_preferred_and_legacy_device_dir(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;

	/* Attributes on the device, as older drivers put them. */
	fx_write(f->root, "class/hwmon/hwmon0/name", "fam15h_power\n");
	fx_write(f->root, "class/hwmon/hwmon0/device/power1_average", "1\n");
	fx_write(f->root, "class/hwmon/hwmon0/device/power1_input", "30000000\n");
	assert_int_equal(open_hwmon(f, &v), 0);
	assert_int_equal(f->m.ndomains, 1);
	assert_string_equal(f->m.boundary, "package");
	assert_string_equal(f->m.source, "hwmon:fam15h_power/power1");
}

static void test_only_gpu(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;

	fx_write(f->root, "class/hwmon/hwmon0/name", "amdgpu\n");
	fx_write(f->root, "class/hwmon/hwmon0/power1_average", "50000000\n");
	fx_write(f->root, "class/hwmon/hwmon1/name", "k10temp\n");
	fx_write(f->root, "class/hwmon/hwmon1/temp1_input", "40000\n");
	assert_int_equal(open_hwmon(f, &v), -ENOENT);
	assert_non_null(strstr(v.reason, "amdgpu/power1 (gpu)"));
}

static void test_no_hwmon(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;

	assert_int_equal(open_hwmon(f, &v), -ENOENT);
	assert_non_null(strstr(v.reason, "class/hwmon"));
	fx_write(f->root, "class/hwmon/hwmon0/name", "k10temp\n");
	assert_int_equal(open_hwmon(f, &v), -ENOENT);
	assert_non_null(strstr(v.reason, "no hwmon power or energy sensor"));
}

static void test_unreadable_sensor(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;

	fx_write(f->root, "class/hwmon/hwmon0/name", "power_meter\n");
	fx_write(f->root, "class/hwmon/hwmon0/power1_average", "n/a\n");
	assert_true(open_hwmon(f, &v) < 0);
	assert_non_null(strstr(v.reason, "power1_average"));
}

int main(void)
{
	/* The tests choose their meters and roots themselves. */
	unsetenv("ZW_METER");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_power_meter_integrated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_energy_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_preferred_and_legacy_device_dir, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_only_gpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_hwmon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_sensor, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
