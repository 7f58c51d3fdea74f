/* perf power PMU meter with a stubbed perf_event_open: what it opens (type,
 * config, one CPU per package) and how it scales the counts. */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
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
#include <perfmon/pfmlib.h>

#include "../fixtures/fake_tree.h"
#include "meter.h"
#include "results.h"

#define TWO32 4294967296.0
#define PMU "bus/event_source/devices/power"

/* The stub's record of every open, and the counts each fd will return. */
static struct {
	int fd;
	uint32_t type;
	uint64_t config;
	int cpu;
	pid_t pid;
	uint64_t count;
} opened[32];
static int nopened;
static int open_errno;   /* non-zero: the stub fails with it */
static int read_errno;

static long stub_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
		      unsigned long flags)
{
	(void)group_fd;
	(void)flags;
	if (open_errno) {
		errno = open_errno;
		return -1;
	}
	if (nopened == 32)
		return -1;
	opened[nopened].fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	opened[nopened].type = attr->type;
	opened[nopened].config = attr->config;
	opened[nopened].cpu = cpu;
	opened[nopened].pid = pid;
	opened[nopened].count = 0;
	return opened[nopened++].fd;
}

static int stub_read(int fd, uint64_t *count)
{
	if (read_errno)
		return -read_errno;
	for (int i = 0; i < nopened; i++)
		if (opened[i].fd == fd) {
			*count = opened[i].count;
			return 0;
		}
	return -EBADF;
}

static void set_count(uint64_t config, int cpu, uint64_t count)
{
	for (int i = 0; i < nopened; i++)
		if (opened[i].config == config && opened[i].cpu == cpu)
			opened[i].count = count;
}

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

static void add_event(const char *root, const char *name, const char *spec, const char *unit)
{
	char rel[256];
	snprintf(rel, sizeof(rel), PMU "/events/%s", name);
	fx_write(root, rel, "%s\n", spec);
	snprintf(rel, sizeof(rel), PMU "/events/%s.scale", name);
	fx_write(root, rel, "2.3283064365386962890625e-10\n");
	snprintf(rel, sizeof(rel), PMU "/events/%s.unit", name);
	fx_write(root, rel, "%s\n", unit);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->root = fx_mkroot();
	meter_env_default(&f->env);
	f->env.sysfs_root = f->root;
	f->env.proc_root = f->root;
	f->env.now = fake_now;
	f->env.perf_event_open = stub_open;
	f->env.perf_read = stub_read;
	fake_t = 10;
	nopened = 0;
	open_errno = read_errno = 0;
	/* An Intel server as the kernel describes it: two packages. */
	fx_write(f->root, PMU "/type", "23\n");
	fx_write(f->root, PMU "/cpumask", "0,2\n");
	fx_write(f->root, PMU "/format/event", "config:0-7\n");
	add_event(f->root, "energy-pkg", "event=0x02", "Joules");
	add_event(f->root, "energy-ram", "event=0x03", "Joules");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (f->open)
		meter_close(&f->m);
	for (int i = 0; i < nopened; i++)
		if (opened[i].fd >= 0 && fcntl(opened[i].fd, F_GETFD) >= 0)
			close(opened[i].fd);
	fx_rmrf(f->root);
	free(f);
	return 0;
}

static int open_perf(struct fx *f, struct meter_verdict *v)
{
	int rc = meter_open_ops(meter_find("perf-power"), &f->env, &f->m, v);
	f->open = rc == 0;
	return rc;
}

static void test_values_and_scale(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b;
	int pkg = -1, ram = -1;

	assert_int_equal(open_perf(f, &v), 0);
	/* Two events on the two package CPUs, system-wide (pid -1). */
	assert_int_equal(nopened, 4);
	for (int i = 0; i < nopened; i++) {
		assert_int_equal(opened[i].type, 23);
		assert_int_equal(opened[i].pid, -1);
		assert_true(opened[i].cpu == 0 || opened[i].cpu == 2);
		assert_true(opened[i].config == 2 || opened[i].config == 3);
	}
	for (int i = 0; i < f->m.ndomains; i++) {
		if (!strcmp(f->m.dom[i].source, "perf:energy-pkg"))
			pkg = i;
		if (!strcmp(f->m.dom[i].source, "perf:energy-ram"))
			ram = i;
	}
	assert_true(pkg >= 0 && ram >= 0);
	assert_string_equal(f->m.source, "perf:energy-pkg");
	assert_string_equal(f->m.boundary, "package");
	assert_string_equal(f->m.method, METHOD_MEASURED);
	assert_string_equal(f->m.dom[ram].boundary, "dram");
	/* libpfm4 was consulted, whatever it knows about this CPU. */
	assert_non_null(strstr(f->m.note, "libpfm4"));
	print_message("note: %s\n", f->m.note);

	assert_int_equal(meter_read(&f->m, &a), 0);
	set_count(2, 0, (uint64_t)(10 * TWO32));
	set_count(2, 2, (uint64_t)(5 * TWO32));
	set_count(3, 0, (uint64_t)(1 * TWO32));
	set_count(3, 2, (uint64_t)(2 * TWO32));
	fake_t += 1;
	assert_int_equal(meter_read(&f->m, &b), 0);
	/* Summed over packages, scaled by 2^-32 J; DRAM stays apart. */
	assert_float_equal(meter_joules_between(&f->m, &a, &b), 15.0, 1e-9);
	assert_float_equal(b.joules[ram], 3.0, 1e-9);
}

static void test_psys_is_primary(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;

	add_event(f->root, "energy-psys", "event=0x05", "Joules");
	assert_int_equal(open_perf(f, &v), 0);
	assert_string_equal(f->m.source, "perf:energy-psys");
	assert_string_equal(f->m.boundary, "platform");
}

static void test_format_bits(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	int pkg = 0;

	/* A split field: low nibble in bits 0-3, high nibble in bits 8-11. */
	fx_write(f->root, PMU "/format/event", "config:0-3,8-11\n");
	fx_write(f->root, PMU "/cpumask", "0-1\n");
	add_event(f->root, "energy-pkg", "event=0x12", "Joules");
	add_event(f->root, "energy-ram", "event=0x03", "Joules");
	assert_int_equal(open_perf(f, &v), 0);
	assert_int_equal(nopened, 4);
	for (int i = 0; i < nopened; i++) {
		assert_true(opened[i].cpu == 0 || opened[i].cpu == 1);
		if (opened[i].config != 0x102)
			assert_int_equal(opened[i].config, 0x3);
		else
			pkg++;
	}
	assert_int_equal(pkg, 2);
}

static void test_not_joules_rejected(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;

	add_event(f->root, "energy-pkg", "event=0x02", "Watts");
	assert_true(open_perf(f, &v) < 0);
	assert_non_null(strstr(v.reason, "energy-pkg"));
	assert_non_null(strstr(v.reason, "Joules"));
}

static void test_no_pmu(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	char *empty = fx_mkroot();

	f->env.sysfs_root = empty;
	assert_int_equal(open_perf(f, &v), -ENOENT);
	assert_non_null(strstr(v.reason, "power PMU"));
	assert_int_equal(nopened, 0);
	fx_rmrf(empty);
}

static void test_paranoid(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;

	fx_write(f->root, "sys/kernel/perf_event_paranoid", "2\n");
	open_errno = EACCES;
	assert_int_equal(open_perf(f, &v), -EACCES);
	assert_non_null(strstr(v.reason, "perf_event_paranoid=2"));
	assert_non_null(strstr(v.fix, "perf_event_paranoid"));
}

static void test_reset_and_read_error(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	struct meter_reading a, b, c;

	set_count(2, 0, 0);
	assert_int_equal(open_perf(f, &v), 0);
	set_count(2, 0, (uint64_t)(100 * TWO32));
	fake_t += 1;
	assert_int_equal(meter_read(&f->m, &a), 0);
	/* 64-bit counters do not wrap: going backwards is a reset. */
	set_count(2, 0, (uint64_t)(1 * TWO32));
	fake_t += 1;
	assert_int_equal(meter_read(&f->m, &b), 0);
	assert_true(b.flags & METER_F_RESET);
	assert_float_equal(meter_joules_between(&f->m, &a, &b), 1.0, 1e-9);

	read_errno = EIO;
	fake_t += 1;
	assert_int_equal(meter_read(&f->m, &c), -EIO);
	assert_true(isnan(meter_joules_between(&f->m, &b, &c)));
}

/* Does libpfm4 detect a RAPL PMU on this CPU? (Decides what to expect.) */
static int pfm_knows_rapl(void)
{
	static const char *const names[] = { "rapl::RAPL_ENERGY_PKG",
					     "amd64_rapl::RAPL_ENERGY_PKG" };
	if (pfm_initialize() != PFM_SUCCESS)
		return 0;
	for (int i = 0; i < 2; i++) {
		pfm_event_info_t info;
		pfm_pmu_info_t pinfo;
		int idx = pfm_find_event(names[i]);
		if (idx < 0)
			continue;
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		memset(&pinfo, 0, sizeof(pinfo));
		pinfo.size = sizeof(pinfo);
		if (pfm_get_event_info(idx, PFM_OS_NONE, &info) == PFM_SUCCESS &&
		    pfm_get_pmu_info(info.pmu, &pinfo) == PFM_SUCCESS && pinfo.is_present)
			return 1;
	}
	return 0;
}

/* The PMU exists but sysfs lists no events: libpfm4's encodings serve where
 * it knows the CPU; where it does not, the meter says so and gives up. */
static void test_events_from_libpfm4(void **state)
{
	struct fx *f = *state;
	struct meter_verdict v;
	char *bare = fx_mkroot();

	fx_write(bare, PMU "/type", "23\n");
	fx_write(bare, PMU "/cpumask", "0\n");
	f->env.sysfs_root = bare;
	if (pfm_knows_rapl()) {
		assert_int_equal(open_perf(f, &v), 0);
		assert_non_null(strstr(f->m.note, "events from libpfm4"));
		assert_string_equal(f->m.source, "perf:energy-pkg");
		int pkg = 0;
		for (int i = 0; i < nopened; i++)
			pkg += opened[i].config == 2;   /* RAPL_ENERGY_PKG's code */
		assert_int_equal(pkg, 1);
		print_message("libpfm4 supplied the encodings (%s)\n", f->m.note);
	} else {
		assert_true(open_perf(f, &v) < 0);
		assert_non_null(strstr(v.reason, "energy-pkg"));
		print_message("libpfm4 knows no RAPL PMU on this CPU: %s\n", v.reason);
	}
	fx_rmrf(bare);
}

int main(void)
{
	/* The tests choose their meters and roots themselves. */
	unsetenv("ZW_METER");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_values_and_scale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_psys_is_primary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_joules_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_pmu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paranoid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_and_read_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_from_libpfm4, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
