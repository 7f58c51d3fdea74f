/* RAPL powercap meter against fake sysfs trees: layouts, nesting, wrap,
 * reset, permissions and bad counter files. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "../fixtures/fake_tree.h"
#include "meter.h"
#include "results.h"

#define MAXR 262143328850ull   /* a real max_energy_range_uj */
#define J 1000000ull           /* microjoules per joule */

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
	fake_t = 100.0;
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

static int open_powercap(struct fx *f, struct meter_verdict *v)
{
	int rc = meter_open_ops(meter_find("powercap"), &f->env, &f->m, v);
	f->open = rc == 0;
	return rc;
}

static int dom_index(const struct meter *m, const char *source)
{
	for (int i = 0; i < m->ndomains; i++)
		if (!strcmp(m->dom[i].source, source))
			return i;
	return -1;
}

static void test_no_powercap(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;

	assert_int_equal(open_powercap(f, &v), -ENOENT);
	assert_non_null(strstr(v.reason, "class/powercap"));
	assert_true(v.fix[0] != '\0');

	/* The class exists but holds no RAPL zone (another control type). */
	fx_write(f->root, "class/powercap/dtpm/name", "dtpm\n");
	assert_int_equal(open_powercap(f, &v), -ENOENT);
	assert_non_null(strstr(v.reason, "no intel-rapl"));
}

static void test_nested_not_summed(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b;

	fx_rapl_zone(f->root, "intel-rapl:0", "package-0", 1000 * J, MAXR);
	fx_rapl_zone(f->root, "intel-rapl:0:0", "core", 500 * J, MAXR);
	fx_rapl_zone(f->root, "intel-rapl:0:1", "uncore", 100 * J, MAXR);
	fx_rapl_zone(f->root, "intel-rapl:0:2", "dram", 300 * J, MAXR);
	assert_int_equal(open_powercap(f, &v), 0);
	assert_string_equal(f->m.method, METHOD_MEASURED);
	assert_string_equal(f->m.source, "rapl:package-0");
	assert_string_equal(f->m.boundary, "package");
	assert_int_equal(f->m.ndomains, 4);

	assert_int_equal(meter_read(&f->m, &a), 0);
	fx_rapl_energy(f->root, "intel-rapl:0", 1005 * J);
	fx_rapl_energy(f->root, "intel-rapl:0:0", 503 * J);
	fx_rapl_energy(f->root, "intel-rapl:0:2", 302 * J);
	fake_t += 1;
	assert_int_equal(meter_read(&f->m, &b), 0);
	/* Core is inside the package and DRAM is reported apart: 5 J, not 10. */
	assert_float_equal(meter_joules_between(&f->m, &a, &b), 5.0, 1e-9);
	assert_float_equal(b.joules[dom_index(&f->m, "rapl:package-0:core")], 3.0, 1e-9);
	assert_float_equal(b.joules[dom_index(&f->m, "rapl:package-0:dram")], 2.0, 1e-9);
	assert_string_equal(f->m.dom[dom_index(&f->m, "rapl:package-0:dram")].boundary, "dram");
	assert_false(f->m.dom[dom_index(&f->m, "rapl:package-0:dram")].primary);
}

static void test_wraparound(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b, c;

	fx_rapl_zone(f->root, "intel-rapl:0", "package-0", MAXR - 1 * J, MAXR);
	assert_int_equal(open_powercap(f, &v), 0);
	assert_int_equal(meter_read(&f->m, &a), 0);
	fx_rapl_energy(f->root, "intel-rapl:0", 2 * J);
	fake_t += 0.1;
	assert_int_equal(meter_read(&f->m, &b), 0);
	assert_false(b.flags & METER_F_RESET);
	assert_float_equal(meter_joules_between(&f->m, &a, &b), 3.0, 1e-5);
	fx_rapl_energy(f->root, "intel-rapl:0", 4 * J);
	fake_t += 0.1;
	assert_int_equal(meter_read(&f->m, &c), 0);
	assert_float_equal(meter_joules_between(&f->m, &a, &c), 5.0, 1e-5);
	assert_int_equal(f->m.resets, 0);
}

static void test_counter_reset(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b;

	fx_rapl_zone(f->root, "intel-rapl:0", "package-0", 100000 * J, MAXR);
	assert_int_equal(open_powercap(f, &v), 0);
	assert_int_equal(meter_read(&f->m, &a), 0);
	/* Backwards by 100 kJ in one second: a wrap would mean 162 kW. */
	fx_rapl_energy(f->root, "intel-rapl:0", 5 * J);
	fake_t += 1;
	assert_int_equal(meter_read(&f->m, &b), 0);
	assert_true(b.flags & METER_F_RESET);
	assert_int_equal(f->m.resets, 1);
	assert_float_equal(meter_joules_between(&f->m, &a, &b), 5.0, 1e-9);
}

static void test_reset_without_range(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b;

	fx_write(f->root, "class/powercap/intel-rapl:0/name", "package-0\n");
	fx_rapl_energy(f->root, "intel-rapl:0", 50 * J);
	assert_int_equal(open_powercap(f, &v), 0);
	assert_non_null(strstr(f->m.note, "max_energy_range_uj"));
	assert_int_equal(meter_read(&f->m, &a), 0);
	fx_rapl_energy(f->root, "intel-rapl:0", 1 * J);
	fake_t += 1;
	meter_read(&f->m, &b);
	assert_true(b.flags & METER_F_RESET);
}

/* Run the probe as an unprivileged uid: energy_uj is 0400 root, as the
 * kernel makes it since 5.10. */
static void test_eacces(void **state)
{
	struct fx *f = *state;
	pid_t pid;
	int st;

	fx_rapl_zone(f->root, "intel-rapl:0", "package-0", 1000 * J, MAXR);
	fx_rapl_zone(f->root, "intel-rapl:0:0", "core", 10 * J, MAXR);
	fx_chmod(f->root, "class/powercap/intel-rapl:0/energy_uj", 0400);
	fx_chmod(f->root, "class/powercap/intel-rapl:0:0/energy_uj", 0400);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct meter m;
		struct meter_verdict v;
		int rc;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)) {
			fprintf(stderr, "cannot drop to uid 65534: %s\n", strerror(errno));
			_exit(77);
		}
		rc = meter_open_ops(meter_find("powercap"), &f->env, &m, &v);
		if (rc != -EACCES) {
			fprintf(stderr, "probe as uid 65534 returned %d (%s)\n", rc, v.reason);
			_exit(1);
		}
		if (!strstr(v.reason, "CVE-2020-8694") || !strstr(v.reason, "root") ||
		    !strstr(v.fix, "root")) {
			fprintf(stderr, "reason/fix not explained: %s / %s\n", v.reason, v.fix);
			_exit(1);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77) {
		printf("SKIP eacces: this environment cannot drop root (setresuid failed)\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_amd_layout(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b;

	fx_rapl_zone(f->root, "intel-rapl:0", "package-0", 0, 65532610987ull);
	fx_rapl_zone(f->root, "intel-rapl:0:0", "core", 0, 65532610987ull);
	assert_int_equal(open_powercap(f, &v), 0);
	assert_int_equal(f->m.ndomains, 2);
	assert_string_equal(f->m.source, "rapl:package-0");
	for (int i = 0; i < f->m.ndomains; i++)
		assert_string_not_equal(f->m.dom[i].boundary, "dram");
	meter_read(&f->m, &a);
	fx_rapl_energy(f->root, "intel-rapl:0", 40 * J);
	fx_rapl_energy(f->root, "intel-rapl:0:0", 30 * J);
	fake_t += 1;
	meter_read(&f->m, &b);
	assert_float_equal(meter_joules_between(&f->m, &a, &b), 40.0, 1e-9);
}

static void test_index_is_not_name(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b;
	int p0, p1;

	fx_rapl_zone(f->root, "intel-rapl:0", "package-1", 0, MAXR);
	fx_rapl_zone(f->root, "intel-rapl:0:0", "core", 0, MAXR);
	fx_rapl_zone(f->root, "intel-rapl:1", "package-0", 0, MAXR);
	assert_int_equal(open_powercap(f, &v), 0);
	p0 = dom_index(&f->m, "rapl:package-0");
	p1 = dom_index(&f->m, "rapl:package-1");
	assert_true(p0 >= 0 && p1 >= 0);
	/* The child takes its parent's name, not its index. */
	assert_true(dom_index(&f->m, "rapl:package-1:core") >= 0);
	meter_read(&f->m, &a);
	fx_rapl_energy(f->root, "intel-rapl:0", 7 * J);
	fx_rapl_energy(f->root, "intel-rapl:1", 3 * J);
	fake_t += 1;
	meter_read(&f->m, &b);
	assert_float_equal(b.joules[p1], 7.0, 1e-9);
	assert_float_equal(b.joules[p0], 3.0, 1e-9);
	assert_float_equal(meter_joules_between(&f->m, &a, &b), 10.0, 1e-9);
}

static void test_duplicate_mmio(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b;

	fx_rapl_zone(f->root, "intel-rapl:0", "package-0", 10 * J, MAXR);
	fx_rapl_zone(f->root, "intel-rapl-mmio:0", "package-0", 10 * J, MAXR);
	assert_int_equal(open_powercap(f, &v), 0);
	assert_int_equal(f->m.ndomains, 1);
	assert_string_equal(f->m.source, "rapl:package-0");
	assert_non_null(strstr(f->m.note, "intel-rapl-mmio:0 duplicates package-0"));
	meter_read(&f->m, &a);
	fx_rapl_energy(f->root, "intel-rapl:0", 14 * J);
	fx_rapl_energy(f->root, "intel-rapl-mmio:0", 14 * J);
	fake_t += 1;
	meter_read(&f->m, &b);
	assert_float_equal(meter_joules_between(&f->m, &a, &b), 4.0, 1e-9);
}

static void test_mmio_only(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;

	fx_rapl_zone(f->root, "intel-rapl-mmio:0", "package-0", 10 * J, MAXR);
	assert_int_equal(open_powercap(f, &v), 0);
	assert_string_equal(f->m.source, "rapl:package-0");
	assert_string_equal(f->m.method, METHOD_MEASURED);
}

static void test_psys(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b;

	fx_rapl_zone(f->root, "intel-rapl:0", "package-0", 0, MAXR);
	fx_rapl_zone(f->root, "intel-rapl:0:0", "core", 0, MAXR);
	fx_rapl_zone(f->root, "intel-rapl:1", "psys", 0, MAXR);
	assert_int_equal(open_powercap(f, &v), 0);
	assert_string_equal(f->m.boundary, "platform");
	assert_string_equal(f->m.source, "rapl:psys");
	meter_read(&f->m, &a);
	fx_rapl_energy(f->root, "intel-rapl:0", 5 * J);
	fx_rapl_energy(f->root, "intel-rapl:0:0", 4 * J);
	fx_rapl_energy(f->root, "intel-rapl:1", 12 * J);
	fake_t += 1;
	meter_read(&f->m, &b);
	/* psys contains the package: 12 J, not 17 or 21. */
	assert_float_equal(meter_joules_between(&f->m, &a, &b), 12.0, 1e-9);
}

static void test_bad_energy_files(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;

	fx_write(f->root, "class/powercap/intel-rapl:0/name", "package-0\n");
	fx_write(f->root, "class/powercap/intel-rapl:0/energy_uj", "%s", "");
	assert_int_equal(open_powercap(f, &v), -EIO);
	assert_non_null(strstr(v.reason, "empty"));

	fx_write(f->root, "class/powercap/intel-rapl:0/energy_uj", "12ab\n");
	assert_int_equal(open_powercap(f, &v), -EIO);
	assert_non_null(strstr(v.reason, "not a number"));

	/* A bad child is left out with a note; the package still serves. */
	fx_rapl_energy(f->root, "intel-rapl:0", 7 * J);
	fx_write(f->root, "class/powercap/intel-rapl:0:0/name", "core\n");
	fx_write(f->root, "class/powercap/intel-rapl:0:0/energy_uj", "garbage\n");
	assert_int_equal(open_powercap(f, &v), 0);
	assert_int_equal(f->m.ndomains, 1);
	assert_non_null(strstr(f->m.note, "left out"));
}

static void test_garbage_after_open(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b;

	fx_rapl_zone(f->root, "intel-rapl:0", "package-0", 10 * J, MAXR);
	assert_int_equal(open_powercap(f, &v), 0);
	assert_int_equal(meter_read(&f->m, &a), 0);
	fx_write(f->root, "class/powercap/intel-rapl:0/energy_uj", "\n");
	fake_t += 1;
	assert_true(meter_read(&f->m, &b) < 0);
	assert_true(b.flags & METER_F_PARTIAL);
	/* Never a silent zero. */
	assert_true(isnan(meter_joules_between(&f->m, &a, &b)));
	assert_int_equal(f->m.read_errors, 1);
}

static void test_two_sockets(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b;

	fx_rapl_zone(f->root, "intel-rapl:0", "package-0", 0, MAXR);
	fx_rapl_zone(f->root, "intel-rapl:0:0", "dram", 0, MAXR);
	fx_rapl_zone(f->root, "intel-rapl:1", "package-1", 0, MAXR);
	fx_rapl_zone(f->root, "intel-rapl:1:0", "dram", 0, MAXR);
	assert_int_equal(open_powercap(f, &v), 0);
	assert_string_equal(f->m.source, "rapl:package-0+package-1");
	assert_int_equal(f->m.ndomains, 4);
	assert_true(dom_index(&f->m, "rapl:package-1:dram") >= 0);
	meter_read(&f->m, &a);
	fx_rapl_energy(f->root, "intel-rapl:0", 60 * J);
	fx_rapl_energy(f->root, "intel-rapl:1", 40 * J);
	fx_rapl_energy(f->root, "intel-rapl:0:0", 9 * J);
	fake_t += 1;
	meter_read(&f->m, &b);
	assert_float_equal(meter_joules_between(&f->m, &a, &b), 100.0, 1e-9);
}

/* A single unreadable package makes the package total incomplete: the
 * meter must not report the other one as the whole. */
static void test_incomplete_package_set(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;

	fx_rapl_zone(f->root, "intel-rapl:0", "package-0", 0, MAXR);
	fx_write(f->root, "class/powercap/intel-rapl:1/name", "package-1\n");
	fx_write(f->root, "class/powercap/intel-rapl:1/energy_uj", "x\n");
	assert_true(open_powercap(f, &v) < 0);
	assert_non_null(strstr(v.reason, "intel-rapl:1"));
}

static void test_ladder_prefers_powercap(void **state)
{
	struct fx *f = *state;
	cJSON *report = cJSON_CreateObject(), *probed, *first;
	struct meter_capability caps[8];
	int n;

	fx_rapl_zone(f->root, "intel-rapl:0", "package-0", 0, MAXR);
	fx_proc_stat(f->root, 2, 100, 0, 0, 100, 0, 0, 0, 0);
	f->env.proc_root = f->root;
	assert_int_equal(meter_open_best(&f->env, &f->m, report), 0);
	f->open = 1;
	assert_string_equal(f->m.ops->name, "powercap");
	assert_string_equal(f->m.method, METHOD_MEASURED);
	assert_string_equal(cJSON_GetObjectItem(report, "chosen")->valuestring, "powercap");
	probed = cJSON_GetObjectItem(report, "probed");
	assert_int_equal(cJSON_GetArraySize(probed), 4);
	first = cJSON_GetArrayItem(probed, 0);
	assert_string_equal(cJSON_GetObjectItem(first, "meter")->valuestring, "powercap");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(first, "chosen")));
	cJSON_Delete(report);

	n = meter_capabilities(&f->env, caps, 8);
	assert_int_equal(n, 4);
	assert_string_equal(caps[0].name, "rapl-powercap");
	assert_string_equal(caps[0].status, "ok");
	assert_string_equal(caps[1].status, "missing");
}

int main(void)
{
	/* The tests choose their meters and roots themselves. */
	unsetenv("ZW_METER");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_powercap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_not_summed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wraparound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counter_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_without_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eacces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_amd_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_is_not_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_mmio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_psys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_energy_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_after_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_sockets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incomplete_package_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ladder_prefers_powercap, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
