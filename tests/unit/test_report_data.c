/* Loading run directories and grouping their samples for the report. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_data.h"
#include "test_report_fixture.h"

static struct rd_set set;

static int setup(void **state)
{
	(void)state;
	char why[512];
	memset(&set, 0, sizeof(set));
	if (fixture_make() != 0)
		return -1;
	if (rd_set_add(&set, fixture_path("run-alpha", 0), why, sizeof(why)) != 0 ||
	    rd_set_add(&set, fixture_path("run-beta/", 1), why, sizeof(why)) != 0) {
		fprintf(stderr, "%s\n", why);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rd_set_free(&set);
	fixture_remove();
	return 0;
}

static void loads_runs_with_host_and_id(void **state)
{
	(void)state;
	assert_int_equal(set.nruns, 2);
	assert_string_equal(set.runs[0].host, "alpha");
	assert_string_equal(set.runs[1].host, "beta");
	assert_string_equal(set.runs[1].id, "run-beta"); /* trailing slash dropped */
	assert_string_equal(rd_meta_str(&set.runs[0], "accelerator"), "tcg");
	assert_string_equal(rd_meta_str(&set.runs[1], "no-such-key"), "");
}

static void rejects_what_is_not_a_run_directory(void **state)
{
	(void)state;
	struct rd_run run;
	char why[512];
	assert_int_equal(rd_run_load(fixture_path("nowhere", 0), &run, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "not a run directory"));
	fixture_write("no-csv/meta.json", "{}");
	assert_int_equal(rd_run_load(fixture_path("no-csv", 0), &run, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "samples.csv"));
	fixture_write("no-meta/samples.csv", "experiment,target,metric,value\n");
	assert_int_equal(rd_run_load(fixture_path("no-meta", 0), &run, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "meta.json"));
	fixture_write("bad-meta/meta.json", "[1, 2");
	fixture_write("bad-meta/samples.csv", "experiment,target,metric,value\n");
	assert_int_equal(rd_run_load(fixture_path("bad-meta", 0), &run, why, sizeof(why)), -EINVAL);
	fixture_write("bad-csv/meta.json", "{}");
	fixture_write("bad-csv/samples.csv", "a,b,c\n1,2,3\n");
	assert_int_equal(rd_run_load(fixture_path("bad-csv", 0), &run, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "samples.csv"));
}

static void names_in_first_seen_order_without_time_series(void **state)
{
	(void)state;
	struct rd_names n;
	rd_hosts(&set, &n);
	assert_int_equal(n.n, 2);
	assert_string_equal(n.v[0], "alpha");
	rd_experiments(&set, &n);
	assert_string_equal(n.v[0], "boot");
	assert_string_equal(n.v[1], "load");
	assert_true(rd_names_has(&n, "scale"));
	rd_targets(&set, "alpha", "boot", &n);
	/* "host" has only time-series rows in boot: not a table row. */
	assert_int_equal(n.n, 2);
	assert_string_equal(n.v[0], "native");
	assert_string_equal(n.v[1], "container");
	rd_targets(&set, NULL, "boot", &n);
	assert_int_equal(n.n, 3);
	assert_string_equal(n.v[2], "vm");
	rd_metrics(&set, "boot", &n);
	assert_int_equal(n.n, 3);
	assert_false(rd_names_has(&n, "power_w"));
	assert_true(rd_names_has(&n, "energy_j"));
}

static void collect_pools_one_host_and_counts_unavailable(void **state)
{
	(void)state;
	struct rd_series s;
	assert_int_equal(rd_collect(&set, "alpha", "boot", "native", "first_200_ms", &s), 0);
	assert_int_equal(s.n, 6);
	assert_true(s.v[0] == 1 && s.v[5] == 6);
	assert_int_equal(s.rep[5], 5);
	assert_string_equal(s.method, "measured");
	assert_string_equal(s.unit, "ms");
	assert_int_equal(s.nruns, 1);
	rd_series_free(&s);

	/* Every host: alpha's six and beta's two. */
	assert_int_equal(rd_collect(&set, NULL, "boot", "native", "first_200_ms", &s), 0);
	assert_int_equal(s.n, 8);
	assert_int_equal(s.nruns, 2);
	rd_series_free(&s);

	assert_int_equal(rd_collect(&set, "alpha", "boot", "native", "energy_j", &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.unavailable, 1);
	assert_string_equal(s.method, "unavailable");
	rd_series_free(&s);

	assert_int_equal(rd_collect(&set, "alpha", "load", "native", "energy_per_request_j", &s), 0);
	assert_string_equal(s.method, "estimated");
	assert_string_equal(s.source, "model:ccf");
	assert_string_equal(s.boundary, "model");
	assert_true(rd_series_estimated(&s));
	rd_series_free(&s);
}

static void mixed_methods_and_distinct_sources(void **state)
{
	(void)state;
	fixture_write("mixed/meta.json", "{\"host\": \"gamma\"}");
	fixture_write("mixed/samples.csv",
		      "experiment,target,metric,value,unit,repetition,method,source,boundary,phase,t_s\n"
		      "idle,native,power_w,1,W,0,measured,rapl:package-0,package,,\n"
		      "idle,native,power_w,2,W,1,estimated,model:ccf,model,,\n"
		      "idle,native,power_w,3,W,2,measured,rapl:package-0,package,,\n");
	struct rd_set one = { .nruns = 0 };
	char why[256];
	assert_int_equal(rd_set_add(&one, fixture_path("mixed", 0), why, sizeof(why)), 0);
	struct rd_series s;
	assert_int_equal(rd_collect(&one, NULL, "idle", "native", "power_w", &s), 0);
	assert_string_equal(s.method, "mixed");
	assert_true(rd_series_estimated(&s));
	assert_string_equal(s.source, "rapl:package-0, model:ccf");
	rd_series_free(&s);
	rd_set_free(&one);
}

static void base_prefers_native_and_never_the_host(void **state)
{
	(void)state;
	struct rd_names t;
	rd_targets(&set, "alpha", "boot", &t);
	assert_string_equal(rd_pick_base(&set, "alpha", "boot", "first_200_ms", &t), "native");
	rd_targets(&set, "alpha", "load", &t);
	/* load's targets: native, container, host; p50 only native. */
	assert_string_equal(rd_pick_base(&set, "alpha", "load", "p50_us", &t), "native");
	struct rd_names only = { .n = 2 };
	snprintf(only.v[0], RD_NAME, "host");
	snprintf(only.v[1], RD_NAME, "container");
	assert_string_equal(rd_pick_base(&set, "alpha", "load", "energy_per_request_j", &only), "container");
	snprintf(only.v[1], RD_NAME, "unikernel");
	assert_null(rd_pick_base(&set, "alpha", "load", "energy_per_request_j", &only));
}

static void ratio_is_nan_without_a_base(void **state)
{
	(void)state;
	assert_true(fabs(rd_ratio(35, 3.5) - 10) < 1e-12);
	assert_true(isnan(rd_ratio(1, 0)));
	assert_true(isnan(rd_ratio(NAN, 1)));
	assert_true(isnan(rd_ratio(1, NAN)));
}

static void labels_split_into_target_and_policy(void **state)
{
	(void)state;
	char t[32], p[32];
	rd_split_label("native/keep-alive:30", t, sizeof(t), p, sizeof(p));
	assert_string_equal(t, "native");
	assert_string_equal(p, "keep-alive:30");
	rd_split_label("unikernel@immediate", t, sizeof(t), p, sizeof(p));
	assert_string_equal(t, "unikernel");
	assert_string_equal(p, "immediate");
	rd_split_label("vm", t, sizeof(t), p, sizeof(p));
	assert_string_equal(t, "vm");
	assert_string_equal(p, "");
	rd_phase_kind("load:native", t, sizeof(t), p, sizeof(p));
	assert_string_equal(t, "load");
	assert_string_equal(p, "native");
	rd_phase_kind("baseline", t, sizeof(t), p, sizeof(p));
	assert_string_equal(t, "baseline");
	assert_string_equal(p, "");
}

static void time_series_sorted_and_split_into_phases(void **state)
{
	(void)state;
	struct rd_point *p;
	size_t n;
	assert_int_equal(rd_timeseries(&set.runs[0], "host", "power_w", &p, &n), 0);
	assert_int_equal(n, 6);
	assert_true(p[0].t == 0.0 && p[0].v == 2);
	assert_true(p[1].t == 0.5 && p[1].v == 3);
	assert_string_equal(p[0].method, "estimated");
	struct rd_interval *iv;
	size_t niv;
	assert_int_equal(rd_phase_intervals(p, n, &iv, &niv), 0);
	assert_int_equal(niv, 4);
	assert_string_equal(iv[0].phase, "baseline");
	assert_true(iv[0].t0 == 0.0 && iv[0].t1 == 1.0); /* ends where load begins */
	assert_string_equal(iv[1].phase, "load:native");
	assert_true(iv[1].t0 == 1.0 && iv[1].t1 == 2.0);
	assert_string_equal(iv[3].phase, "idle:container");
	assert_true(iv[3].t0 == 2.5 && iv[3].t1 == 2.5);
	free(iv);
	free(p);
	assert_int_equal(rd_timeseries(&set.runs[1], "host", "power_w", &p, &n), 0);
	assert_int_equal(n, 0);
	assert_null(p);
}

static void pairs_match_run_and_repetition(void **state)
{
	(void)state;
	double *x, *y;
	size_t n;
	struct rd_series info;
	assert_int_equal(rd_pairs(&set, "alpha", "scale", "native/keep-alive:30", "offered_rate",
				  "energy_per_request_j", &x, &y, &n, &info),
			 0);
	assert_int_equal(n, 2);
	assert_true(x[0] == 1 && y[0] == 0.5);
	assert_true(x[1] == 10 && y[1] == 0.1);
	assert_string_equal(info.method, "estimated");
	rd_series_free(&info);
	free(x);
	free(y);
	assert_int_equal(rd_pairs(&set, "alpha", "scale", "native", "offered_rate", "t_star_s", &x, &y, &n, NULL), 0);
	assert_int_equal(n, 0);
	free(x);
	free(y);
}

static void scale_runs_of_other_configurations_are_not_pooled(void **state)
{
	(void)state;
	static const char csv[] = "experiment,target,metric,value,unit,repetition,method,source,boundary,phase,t_s\n"
				  "boot,native,ready_ms,%d,ms,0,measured,clock,,,\n"
				  "scale,native,cold_ms,%d,ms,0,measured,waker,,,\n";
	char text[512];
	fixture_write("g1/meta.json", "{\"host\": \"gamma\", \"scale\": {\"policy\": \"immediate\", "
				      "\"trace\": \"poisson:rate=1\"}}");
	snprintf(text, sizeof(text), csv, 1, 10);
	fixture_write("g1/samples.csv", text);
	fixture_write("g2/meta.json", "{\"host\": \"gamma\", \"scale\": {\"policy\": \"keep-alive:30\"}}");
	snprintf(text, sizeof(text), csv, 2, 20);
	fixture_write("g2/samples.csv", text);
	struct rd_set g = { .nruns = 0 };
	char why[256];
	assert_int_equal(rd_set_add(&g, fixture_path("g1", 0), why, sizeof(why)), 0);
	assert_int_equal(rd_set_add(&g, fixture_path("g2", 1), why, sizeof(why)), 0);
	struct rd_names n;
	rd_groups(&g, "scale", &n);
	assert_int_equal(n.n, 2);
	assert_string_equal(n.v[0], "gamma/immediate/poisson:rate=1");
	assert_string_equal(n.v[1], "gamma/keep-alive:30/-");
	rd_groups(&g, "boot", &n);
	assert_int_equal(n.n, 1);
	assert_string_equal(n.v[0], "gamma");
	struct rd_series s;
	assert_int_equal(rd_collect(&g, "gamma/keep-alive:30/-", "scale", "native", "cold_ms", &s), 0);
	assert_int_equal(s.n, 1);
	assert_true(s.v[0] == 20);
	rd_series_free(&s);
	assert_int_equal(rd_collect(&g, "gamma", "scale", "native", "cold_ms", &s), 0);
	assert_int_equal(s.n, 0); /* a bare host is not a scale configuration */
	rd_series_free(&s);
	assert_int_equal(rd_collect(&g, "gamma", "boot", "native", "ready_ms", &s), 0);
	assert_int_equal(s.n, 2); /* boot does not depend on the scale configuration */
	assert_int_equal(s.nruns, 2);
	rd_series_free(&s);
	char title[256];
	rd_group_title("gamma/immediate/poisson:rate=1", title, sizeof(title));
	assert_string_equal(title, "gamma, policy immediate, trace poisson:rate=1");
	rd_group_title("gamma/keep-alive:30/-", title, sizeof(title));
	assert_string_equal(title, "gamma, policy keep-alive:30");
	rd_group_title("gamma", title, sizeof(title));
	assert_string_equal(title, "gamma");
	rd_set_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_runs_with_host_and_id),
		cmocka_unit_test(rejects_what_is_not_a_run_directory),
		cmocka_unit_test(names_in_first_seen_order_without_time_series),
		cmocka_unit_test(collect_pools_one_host_and_counts_unavailable),
		cmocka_unit_test(mixed_methods_and_distinct_sources),
		cmocka_unit_test(base_prefers_native_and_never_the_host),
		cmocka_unit_test(ratio_is_nan_without_a_base),
		cmocka_unit_test(labels_split_into_target_and_policy),
		cmocka_unit_test(time_series_sorted_and_split_into_phases),
		cmocka_unit_test(pairs_match_run_and_repetition),
		cmocka_unit_test(scale_runs_of_other_configurations_are_not_pooled),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
