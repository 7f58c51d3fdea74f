/* Per-target accounting against fake /proc and cgroup trees, and the
 * Kepler-style energy split. */
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

#include "../fixtures/fake_tree.h"
#include "account.h"
#include "results.h"

struct fx {
	char *proc, *sys;
	struct account_env env;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->proc = fx_mkroot();
	f->sys = fx_mkroot();
	account_env_default(&f->env);
	snprintf(f->env.proc_root, sizeof(f->env.proc_root), "%s", f->proc);
	snprintf(f->env.cgroup_root, sizeof(f->env.cgroup_root), "%s/fs/cgroup", f->sys);
	f->env.clk_tck = 100;
	fx_proc_stat(f->proc, 2, 1000, 0, 0, 1000, 0, 0, 0, 0);
	fx_write(f->proc, "self/cgroup", "2:cpuacct:/\n1:memory:/\n0::/\n");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	fx_rmrf(f->proc);
	fx_rmrf(f->sys);
	free(f);
	return 0;
}

/* A target: 100 -> 101 -> 103, and an unrelated 102. */
static void tree(const char *proc, int with_children_files, unsigned long long extra)
{
	struct fx_proc p100 = { .pid = 100, .ppid = 1, .utime = 100 + extra, .stime = 50,
				.start = 5000, .vol = 10 + extra, .invol = 2, .rss_kb = 1000,
				.hwm_kb = 1500, .children = with_children_files ? "101 " : NULL };
	struct fx_proc p101 = { .pid = 101, .ppid = 100, .utime = 30, .stime = 20 + extra,
				.start = 5001, .vol = 5, .invol = 1 + extra, .rss_kb = 200,
				.hwm_kb = 300, .children = with_children_files ? "103" : NULL };
	struct fx_proc p103 = { .pid = 103, .ppid = 101, .utime = 1, .stime = 1, .start = 5002,
				.rss_kb = 10, .hwm_kb = 10,
				.children = with_children_files ? "" : NULL };
	struct fx_proc p102 = { .pid = 102, .ppid = 1, .utime = 9999, .stime = 9999,
				.start = 10, .vol = 999, .rss_kb = 99999, .hwm_kb = 99999,
				.children = with_children_files ? "" : NULL };
	fx_proc(proc, &p100);
	fx_proc(proc, &p101);
	fx_proc(proc, &p103);
	fx_proc(proc, &p102);
}

static void check_tree_delta(struct fx *f, int with_children_files)
{
	pid_t root = 100, out[16];
	struct account_snap a, b;
	struct account_delta d;
	int n;

	tree(f->proc, with_children_files, 0);
	/* A second thread of 100 with switches of its own. */
	fx_thread(f->proc, 100, 110, 7, 3);
	n = account_tree(&f->env, &root, 1, out, 16);
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++)
		assert_int_not_equal(out[i], 102);

	assert_int_equal(account_snapshot_tree(&f->env, &root, 1, &a), 0);
	assert_string_equal(a.source, "proc-tree");
	assert_int_equal(a.nprocs, 3);
	assert_float_equal(a.cpu_s, (150 + 50 + 2) / 100.0, 1e-12);
	assert_int_equal(a.vol_cs, 10 + 7 + 5);
	assert_int_equal(a.invol_cs, 2 + 3 + 1);
	assert_int_equal(a.rss_kb, 1210);
	assert_int_equal(a.hwm_kb, 1810);

	tree(f->proc, with_children_files, 40);        /* +80 ticks, +40 vol, +40 invol */
	fx_proc_stat(f->proc, 2, 1300, 0, 20, 1180, 0, 0, 0, 0);  /* host: +320 busy ticks */
	assert_int_equal(account_snapshot_tree(&f->env, &root, 1, &b), 0);
	assert_int_equal(account_delta(&a, &b, &d), 0);
	assert_float_equal(d.cpu_s, 0.8, 1e-12);
	assert_float_equal(d.host_busy_s, 3.2, 1e-12);
	assert_float_equal(d.host_total_s, 5.0, 1e-12);
	assert_float_equal(d.cpu_share, 0.25, 1e-12);
	assert_int_equal(d.vol_cs, 40);
	assert_int_equal(d.invol_cs, 40);
	assert_int_equal(d.wakeups, 80);
	assert_int_equal(d.gone, 0);
	assert_int_equal(d.hwm_kb, 1810);
	assert_true(d.interval_s >= 0);
}

static void test_tree_children_files(void **state)
{
	check_tree_delta(*state, 1);
}

static void test_tree_by_ppid_scan(void **state)
{
	check_tree_delta(*state, 0);
}

static void test_reaped_child_stays_counted(void **state)
{
	struct fx *f = *state;
	pid_t root = 100;
	struct account_snap a, b;
	struct account_delta d;
	struct fx_proc p100 = { .pid = 100, .ppid = 1, .utime = 100, .start = 1 };
	struct fx_proc p101 = { .pid = 101, .ppid = 100, .utime = 50, .start = 2, .vol = 9 };

	fx_proc(f->proc, &p100);
	fx_proc(f->proc, &p101);
	assert_int_equal(account_snapshot_tree(&f->env, &root, 1, &a), 0);
	/* 101 ran 10 more ticks, exited, and 100 reaped it (cutime += 60). */
	fx_remove(f->proc, "101");
	p100.utime = 120;
	p100.cutime = 60;
	fx_proc(f->proc, &p100);
	assert_int_equal(account_snapshot_tree(&f->env, &root, 1, &b), 0);
	assert_int_equal(account_delta(&a, &b, &d), 0);
	assert_float_equal(d.cpu_s, 0.30, 1e-12);   /* 20 own + 10 of the child */
	assert_int_equal(d.gone, 1);
}

static void test_lost_process_is_not_a_negative(void **state)
{
	struct fx *f = *state;
	pid_t pids[2] = { 100, 200 };
	struct account_snap a, b;
	struct account_delta d;
	struct fx_proc p100 = { .pid = 100, .ppid = 1, .utime = 100, .start = 1 };
	struct fx_proc p200 = { .pid = 200, .ppid = 1, .utime = 500, .start = 2 };

	fx_proc(f->proc, &p100);
	fx_proc(f->proc, &p200);
	assert_int_equal(account_snapshot_tree(&f->env, pids, 2, &a), 0);
	fx_remove(f->proc, "200");
	assert_int_equal(account_snapshot_tree(&f->env, pids, 2, &b), 0);
	assert_int_equal(account_delta(&a, &b, &d), -ERANGE);
	assert_true(isnan(d.cpu_s));
	assert_true(isnan(d.cpu_share));
	assert_int_equal(d.gone, 1);
}

static void test_reused_pid_is_a_new_process(void **state)
{
	struct fx *f = *state;
	pid_t root = 100;
	struct account_snap a, b;
	struct account_delta d;
	struct fx_proc p = { .pid = 100, .ppid = 1, .utime = 10, .start = 1, .vol = 50 };

	fx_proc(f->proc, &p);
	assert_int_equal(account_snapshot_tree(&f->env, &root, 1, &a), 0);
	p.start = 999;
	p.vol = 3;
	p.utime = 20;
	fx_proc(f->proc, &p);
	assert_int_equal(account_snapshot_tree(&f->env, &root, 1, &b), 0);
	account_delta(&a, &b, &d);
	/* Its 3 switches all happened in the interval; the old 50 are gone. */
	assert_int_equal(d.vol_cs, 3);
	assert_int_equal(d.gone, 1);
}

static void test_cgroup_v1(void **state)
{
	struct fx *f = *state;
	pid_t pid = 200;
	struct account_snap a, b;
	struct account_delta d;
	char path[64];
	int ver;
	struct fx_proc p = { .pid = 200, .ppid = 1, .utime = 1, .start = 3, .vol = 4, .invol = 1,
			     .rss_kb = 800, .hwm_kb = 900,
			     .cgroup = "9:memory:/zw-1\n3:cpu,cpuacct:/zw-1\n0::/\n" };

	fx_proc(f->proc, &p);
	fx_write(f->sys, "fs/cgroup/cpu,cpuacct/zw-1/cpuacct.usage", "2000000000\n");
	fx_write(f->sys, "fs/cgroup/cpu,cpuacct/zw-1/cgroup.procs", "200\n");
	fx_write(f->sys, "fs/cgroup/memory/zw-1/memory.usage_in_bytes", "4096000\n");
	fx_write(f->sys, "fs/cgroup/memory/zw-1/memory.max_usage_in_bytes", "8192000\n");
	assert_int_equal(account_cgroup_of(&f->env, pid, path, sizeof(path), &ver), 0);
	assert_int_equal(ver, 1);
	assert_string_equal(path, "/zw-1");

	/* pid 200 is in a cgroup of its own: the cgroup is used. */
	assert_int_equal(account_snapshot(&f->env, &pid, 1, &a), 0);
	assert_string_equal(a.source, "cgroup-v1:/zw-1");
	assert_float_equal(a.cpu_s, 2.0, 1e-12);
	assert_int_equal(a.cg_mem_peak_bytes, 8192000);
	assert_int_equal(a.nprocs, 1);
	assert_int_equal(a.rss_kb, 800);

	fx_write(f->sys, "fs/cgroup/cpu,cpuacct/zw-1/cpuacct.usage", "3500000000\n");
	p.vol = 14;
	fx_proc(f->proc, &p);
	fx_proc_stat(f->proc, 2, 1300, 0, 0, 1100, 0, 0, 0, 0);
	assert_int_equal(account_snapshot(&f->env, &pid, 1, &b), 0);
	assert_int_equal(account_delta(&a, &b, &d), 0);
	assert_float_equal(d.cpu_s, 1.5, 1e-9);
	assert_float_equal(d.cpu_share, 0.5, 1e-9);
	assert_int_equal(d.vol_cs, 10);
}

/* runc in the foreground (harness's cgroup) with the container under it:
 * the container through its cgroup, runc through /proc, both counted. */
static void test_runtime_outside_container_cgroup(void **state)
{
	struct fx *f = *state;
	pid_t runc = 150;
	struct account_snap a, b;
	struct account_delta d;
	struct fx_proc r = { .pid = 150, .ppid = 1, .utime = 30, .stime = 10, .start = 2,
			     .vol = 100, .children = "200", .cgroup = "2:cpuacct:/\n0::/\n" };
	struct fx_proc c = { .pid = 200, .ppid = 150, .utime = 7777, .start = 3, .vol = 4,
			     .rss_kb = 800, .hwm_kb = 900, .children = "",
			     .cgroup = "2:cpuacct:/zw-9\n0::/\n" };

	fx_proc(f->proc, &r);
	fx_proc(f->proc, &c);
	fx_write(f->sys, "fs/cgroup/cpuacct/zw-9/cpuacct.usage", "1000000000\n");
	fx_write(f->sys, "fs/cgroup/cpuacct/zw-9/cgroup.procs", "200\n");
	assert_int_equal(account_snapshot(&f->env, &runc, 1, &a), 0);
	assert_string_equal(a.source, "cgroup-v1:/zw-9+tree");
	assert_int_equal(a.nprocs, 2);
	/* 1 s from the cgroup (not the container's 77.77 s of /proc ticks,
	 * which the cgroup replaces) + 0.4 s of runc. */
	assert_float_equal(a.cpu_s, 1.4, 1e-9);
	assert_int_equal(a.vol_cs, 104);

	fx_write(f->sys, "fs/cgroup/cpuacct/zw-9/cpuacct.usage", "1500000000\n");
	r.utime = 40;
	fx_proc(f->proc, &r);
	assert_int_equal(account_snapshot(&f->env, &runc, 1, &b), 0);
	assert_int_equal(account_delta(&a, &b, &d), 0);
	assert_float_equal(d.cpu_s, 0.6, 1e-9);
}

static void test_cgroup_v2_and_hybrid(void **state)
{
	struct fx *f = *state;
	pid_t pid = 300;
	struct account_snap a;
	struct fx_proc p = { .pid = 300, .ppid = 1, .utime = 1, .start = 3, .cgroup = "0::/zw-2\n" };

	fx_proc(f->proc, &p);
	fx_write(f->proc, "self/cgroup", "0::/user.slice\n");
	fx_write(f->sys, "fs/cgroup/zw-2/cpu.stat", "usage_usec 1250000\nuser_usec 1000000\n");
	fx_write(f->sys, "fs/cgroup/zw-2/memory.current", "1000\n");
	fx_write(f->sys, "fs/cgroup/zw-2/memory.peak", "2000\n");
	fx_write(f->sys, "fs/cgroup/zw-2/cgroup.procs", "300\n");
	assert_int_equal(account_snapshot(&f->env, &pid, 1, &a), 0);
	assert_string_equal(a.source, "cgroup-v2:/zw-2");
	assert_float_equal(a.cpu_s, 1.25, 1e-12);
	assert_int_equal(a.cg_mem_bytes, 1000);
	assert_int_equal(a.cg_mem_peak_bytes, 2000);

	/* Hybrid host: the v2 tree is mounted at unified/. */
	fx_write(f->sys, "fs/cgroup/unified/zw-3/cpu.stat", "usage_usec 500000\n");
	assert_int_equal(account_snapshot_cgroup(&f->env, "/zw-3", 2, &a), 0);
	assert_float_equal(a.cpu_s, 0.5, 1e-12);
	assert_int_equal(a.cg_mem_bytes, -1);   /* not there: said so, not zero */
	assert_int_equal(account_snapshot_cgroup(&f->env, "/nope", 0, &a), -ENOENT);
}

static void test_same_cgroup_as_harness_uses_tree(void **state)
{
	struct fx *f = *state;
	pid_t pid = 400;
	struct account_snap a;
	struct fx_proc p = { .pid = 400, .ppid = 1, .utime = 7, .start = 3,
			     .cgroup = "2:cpuacct:/\n0::/\n" };

	fx_proc(f->proc, &p);
	assert_int_equal(account_snapshot(&f->env, &pid, 1, &a), 0);
	assert_string_equal(a.source, "proc-tree");
	assert_float_equal(a.cpu_s, 0.07, 1e-12);
}

static void test_kepler_split(void **state)
{
	struct energy_share e;

	(void)state;
	/* 100 J over 10 s on a 5 W idle host; the target used 25% of the CPU. */
	assert_int_equal(energy_attribute(100, METHOD_MEASURED, 5, METHOD_MEASURED, 10, 0.25, &e),
			 0);
	assert_float_equal(e.idle_j, 50, 1e-12);
	assert_float_equal(e.active_j, 50, 1e-12);
	assert_float_equal(e.target_active_j, 12.5, 1e-12);
	assert_float_equal(e.target_idle_j, 12.5, 1e-12);
	assert_string_equal(e.method, METHOD_MEASURED);
	assert_false(e.below_baseline);

	/* Estimated in, estimated out - from either input. */
	energy_attribute(100, METHOD_ESTIMATED, 5, METHOD_MEASURED, 10, 0.25, &e);
	assert_string_equal(e.method, METHOD_ESTIMATED);
	energy_attribute(100, METHOD_MEASURED, 5, METHOD_ESTIMATED, 10, 0.25, &e);
	assert_string_equal(e.method, METHOD_ESTIMATED);

	/* Below the baseline: active is 0 and flagged, idle still reported. */
	assert_int_equal(energy_attribute(40, METHOD_MEASURED, 5, METHOD_MEASURED, 10, 0.5, &e),
			 0);
	assert_true(e.below_baseline);
	assert_float_equal(e.active_j, 0, 0);
	assert_float_equal(e.idle_j, 50, 1e-12);

	/* Unavailable host energy: NaN everywhere, never 0. */
	assert_int_equal(energy_attribute(NAN, METHOD_UNAVAILABLE, 5, METHOD_MEASURED, 10, 0.5, &e),
			 -ENODATA);
	assert_string_equal(e.method, METHOD_UNAVAILABLE);
	assert_true(isnan(e.target_active_j) && isnan(e.idle_j));
	assert_int_equal(energy_attribute(10, METHOD_MEASURED, 5, METHOD_MEASURED, 0, 0.5, &e),
			 -EINVAL);
	assert_int_equal(energy_attribute(10, METHOD_MEASURED, 5, METHOD_MEASURED, 1, -0.1, &e),
			 -EINVAL);
	assert_int_equal(energy_attribute(10, METHOD_MEASURED, 5, METHOD_MEASURED, 1, NAN, &e),
			 -ENODATA);
}

/* The real /proc: this test process accounts for itself. */
static void test_self_on_real_proc(void **state)
{
	struct account_env env;
	struct account_snap a, b;
	struct account_delta d;
	pid_t me = getpid();
	volatile double x = 0;

	(void)state;
	account_env_default(&env);
	snprintf(env.proc_root, sizeof(env.proc_root), "/proc");
	assert_int_equal(account_snapshot_tree(&env, &me, 1, &a), 0);
	for (long i = 0; i < 60000000; i++)
		x += (double)i * 0.5;
	assert_int_equal(account_snapshot_tree(&env, &me, 1, &b), 0);
	assert_int_equal(account_delta(&a, &b, &d), 0);
	print_message("self: %.3f s CPU in %.3f s, share %.2f of host busy\n", d.cpu_s,
		      d.interval_s, d.cpu_share);
	assert_true(d.cpu_s >= 0);
	assert_true(b.rss_kb > 0 && b.hwm_kb >= b.rss_kb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tree_children_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_by_ppid_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reaped_child_stays_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_process_is_not_a_negative, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reused_pid_is_a_new_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runtime_outside_container_cgroup, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_v2_and_hybrid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_cgroup_as_harness_uses_tree, setup,
						teardown),
		cmocka_unit_test(test_kepler_split),
		cmocka_unit_test(test_self_on_real_proc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
