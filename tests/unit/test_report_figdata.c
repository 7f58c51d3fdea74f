/* Figure data extraction: tidy samples into gnuplot data and vars files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report_fig.h"
#include "test_report_fixture.h"

static struct rd_set both, beta;
static struct rf_figure figs[RF_MAX_FIGS];
static int nfigs;
static char datadir[160];

static char *read_all(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", datadir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 16);
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int setup(void **state)
{
	(void)state;
	char why[512];
	if (fixture_make() != 0)
		return -1;
	memset(&both, 0, sizeof(both));
	memset(&beta, 0, sizeof(beta));
	if (rd_set_add(&both, fixture_path("run-alpha", 0), why, sizeof(why)) ||
	    rd_set_add(&both, fixture_path("run-beta", 1), why, sizeof(why)) ||
	    rd_set_add(&beta, fixture_path("run-beta", 2), why, sizeof(why)))
		return -1;
	snprintf(datadir, sizeof(datadir), "%s/data", fixture_root);
	mkdir(datadir, 0755);
	nfigs = fig_extract_all(&both, datadir, figs, RF_MAX_FIGS);
	return nfigs > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rd_set_free(&both);
	rd_set_free(&beta);
	fixture_remove();
	return 0;
}

static const struct rf_figure *fig(const char *name)
{
	for (int i = 0; i < nfigs; i++)
		if (!strcmp(figs[i].name, name))
			return &figs[i];
	fail_msg("no figure %s", name);
	return NULL;
}

static void every_figure_is_listed_ready(void **state)
{
	(void)state;
	const char *names[] = { "boot", "syscall", "http", "timeline", "energy_rate", "breakeven", "coldstart",
				"density", NULL };
	for (int i = 0; names[i]; i++) {
		const struct rf_figure *f = fig(names[i]);
		if (f->note[0])
			fail_msg("%s not ready: %s", names[i], f->note);
		assert_false(f->drawn);
		assert_true(f->caption[0] != '\0');
	}
	assert_int_equal(nfigs, 8); /* beta has no time series: one timeline */
}

static void boot_blocks_per_host_and_target_with_cdf(void **state)
{
	(void)state;
	char *d = read_all("boot.dat"), *v = read_all("boot.vars.gp");
	assert_non_null(d);
	assert_non_null(v);
	/* alpha native, alpha container, beta native, beta vm: 4 blocks. */
	assert_non_null(strstr(v, "n = 4\n"));
	assert_non_null(strstr(v, "lbl[1] = \"native @alpha\""));
	assert_non_null(strstr(v, "lbl[4] = \"vm @beta\""));
	assert_non_null(strstr(v, "metric = \"first_200_ms\""));
	assert_non_null(strstr(v, "logy = 1")); /* 1 ms to 3.2 s */
	assert_non_null(strstr(v, "script = \"boot\""));
	assert_non_null(strstr(v, "host alpha (Test CPU 9000) · accelerator tcg · energy estimated (model:ccf)"));
	int blocks = 0;
	for (const char *p = d; (p = strstr(p, "\n\n\n")); p++)
		blocks++;
	assert_int_equal(blocks, 3);
	/* The CDF starts at 0 at the smallest value, then rises by 1/n. */
	assert_non_null(strstr(d, "NaN 1 0\n1 1 0.166667\n2 2 0.333333\n"));
	assert_non_null(strstr(d, "NaN 3000 0\n3000 3000 0.500000\n3200 3200 1.000000\n"));
	free(d);
	free(v);
}

static void estimated_series_are_flagged_and_labelled(void **state)
{
	(void)state;
	char *v = read_all("http.vars.gp"), *rps = read_all("http-rps.dat"), *epr = read_all("http-epr.dat");
	assert_non_null(strstr(v, "rps_e[1] = 0"));
	assert_non_null(strstr(v, "rps_t[1] = \"native @alpha\""));
	assert_non_null(strstr(v, "epr_e[1] = 1"));
	assert_non_null(strstr(v, "epr_t[1] = \"native @alpha (estimated: model:ccf)\""));
	assert_non_null(strstr(v, "have_epr = 1"));
	/* Two repetitions: no CI, whiskers from p5/p95. */
	assert_non_null(strstr(rps, "1 1100 1010 1190 0\n"));
	assert_non_null(strstr(epr, "1 0.002 0.002 0.002 1\n"));
	assert_non_null(strstr(v, "whiskers: p5–p95"));
	free(v);
	free(rps);
	free(epr);
}

static void timeline_shades_phases(void **state)
{
	(void)state;
	char *v = read_all("timeline.vars.gp"), *d = read_all("timeline.dat");
	assert_non_null(strstr(d, "0.000000 2\n0.500000 3\n1.000000 6\n"));
	assert_non_null(strstr(v, "set object 1 rect from 0.000000, graph 0 to 1.000000, graph 1"));
	assert_non_null(strstr(v, "set object 2 rect from 1.000000, graph 0 to 2.000000, graph 1"));
	assert_non_null(strstr(v, "set label 2 \"native\""));
	assert_non_null(strstr(v, "nkinds = 4"));
	assert_non_null(strstr(v, "kind[2] = \"load\""));
	assert_non_null(strstr(v, "ptitle = \"host power (estimated: model:ccf)\""));
	assert_non_null(strstr(v, "est = 1"));
	assert_non_null(strstr(v, "have_cpu = 0"));
	assert_non_null(strstr(fig("timeline")->caption, "No host CPU time series"));
	free(v);
	free(d);
}

static void scale_series_by_policy(void **state)
{
	(void)state;
	char *v = read_all("energy_rate.vars.gp"), *d = read_all("energy_rate.dat");
	assert_non_null(strstr(v, "lbl[1] = \"native, keep-alive:30 @alpha\""));
	assert_non_null(strstr(v, "lbl[2] = \"native, immediate @alpha\""));
	assert_non_null(strstr(v, "pol[1] = 1\npol[2] = 2"));
	assert_non_null(strstr(v, "est[1] = 1"));
	assert_non_null(strstr(v, "ttl[1] = \"native, keep-alive:30 @alpha (estimated: model:ccf)\""));
	assert_non_null(strstr(d, "1 0.5\n10 0.1\n"));
	free(v);
	free(d);
	v = read_all("breakeven.vars.gp");
	assert_non_null(strstr(v, "have_ecold = 1"));
	assert_non_null(strstr(v, "have_pwarm = 1"));
	assert_non_null(strstr(v, "tstar_e[2] = 1"));
	free(v);
	char *t = read_all("breakeven-tstar.dat");
	assert_non_null(strstr(t, "2 50 50 50 1\n"));
	assert_non_null(strstr(t, "3 NaN NaN NaN 0\n")); /* unikernel: t* unavailable, no bar */
	free(t);
	t = read_all("breakeven-tmin.dat");
	assert_non_null(strstr(t, "3 100 100 100 1\n"));
	free(t);
	v = read_all("breakeven.vars.gp");
	assert_non_null(strstr(v, "have_tmin = 1"));
	assert_non_null(strstr(v, "lbl[3] = \"unikernel @alpha\""));
	free(v);
}

static void cold_and_warm_latency_per_target(void **state)
{
	(void)state;
	char *v = read_all("coldstart.vars.gp"), *d = read_all("coldstart.dat");
	assert_non_null(strstr(v, "ncat = 2"));
	assert_non_null(strstr(v, "cat[2] = \"container @alpha\""));
	assert_non_null(strstr(v, "logy = 1")); /* 1 ms to 300 ms */
	assert_non_null(strstr(d, "1 31 30.1 31.9\n2 300 300 300\n"));
	assert_non_null(strstr(d, "1 1 1 1\n2 1.5 1.5 1.5\n"));
	free(v);
	free(d);
}

/* A trace run records no rate metric: the rate comes from the run's meta
 * (requests scheduled over the duration), the policy too, and the energy
 * per request from the trace's energy above baseline over its requests. */
static void trace_runs_take_rate_and_policy_from_meta(void **state)
{
	(void)state;
	fixture_write("run-trace/meta.json", "{\"host\": \"alpha\", \"scale\": {\"policy\": \"keep-alive:30\", "
					     "\"requests_scheduled\": 100, \"duration_s\": 10}}");
	fixture_write("run-trace/samples.csv",
		      "experiment,target,metric,value,unit,repetition,method,source,boundary,phase,t_s\n"
		      "scale,native,requests,100,count,0,measured,loadgen,,,\n"
		      "scale,native,trace_energy_above_baseline_j,5,J,0,estimated,model:ccf,model,,\n"
		      "scale,native,trace_energy_j,50,J,0,estimated,model:ccf,model,,\n");
	struct rd_set one = { .nruns = 0 };
	char why[256], dir[160];
	assert_int_equal(rd_set_add(&one, fixture_path("run-trace", 0), why, sizeof(why)), 0);
	snprintf(dir, sizeof(dir), "%s/data-trace", fixture_root);
	mkdir(dir, 0755);
	struct rf_figure f[RF_MAX_FIGS];
	assert_int_equal(fig_extract_all(&one, dir, f, RF_MAX_FIGS), 8);
	assert_string_equal(f[4].name, "energy_rate");
	assert_string_equal(f[4].note, "");
	char saved[160];
	snprintf(saved, sizeof(saved), "%s", datadir);
	snprintf(datadir, sizeof(datadir), "%s", dir);
	char *v = read_all("energy_rate.vars.gp"), *d = read_all("energy_rate.dat");
	snprintf(datadir, sizeof(datadir), "%s", saved);
	assert_non_null(strstr(d, "\n10 0.05\n"));
	assert_non_null(strstr(v, "lbl[1] = \"native, keep-alive:30\""));
	assert_non_null(strstr(v, "energy above the idle baseline per request"));
	assert_non_null(strstr(v, "est[1] = 1"));
	free(v);
	free(d);
	rd_set_free(&one);
}

static void absent_data_is_never_drawn_empty(void **state)
{
	(void)state;
	struct rf_figure only[RF_MAX_FIGS];
	char dir[160];
	snprintf(dir, sizeof(dir), "%s/data-beta", fixture_root);
	mkdir(dir, 0755);
	int n = fig_extract_all(&beta, dir, only, RF_MAX_FIGS);
	assert_int_equal(n, 8);
	int ready = 0;
	for (int i = 0; i < n; i++) {
		if (!only[i].note[0]) {
			ready++;
			assert_string_equal(only[i].name, "boot");
		}
	}
	assert_int_equal(ready, 1);
	assert_non_null(strstr(only[1].note, "no syscall results"));
	assert_non_null(strstr(only[3].note, "no power time series"));
	/* One host: labels without "@host". */
	char path[200];
	snprintf(path, sizeof(path), "%s/boot.vars.gp", dir);
	FILE *f = fopen(path, "r");
	char buf[4096];
	size_t len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[len] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "lbl[1] = \"native\"\n"));
}

static void gnuplot_strings_are_escaped(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fig_gp_string(f, "a \"b\" \\c\nd");
	fclose(f);
	assert_string_equal(buf, "\"a \\\"b\\\" \\\\c\\nd\"");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_figure_is_listed_ready),
		cmocka_unit_test(boot_blocks_per_host_and_target_with_cdf),
		cmocka_unit_test(estimated_series_are_flagged_and_labelled),
		cmocka_unit_test(timeline_shades_phases),
		cmocka_unit_test(scale_series_by_policy),
		cmocka_unit_test(cold_and_warm_latency_per_target),
		cmocka_unit_test(trace_runs_take_rate_and_policy_from_meta),
		cmocka_unit_test(absent_data_is_never_drawn_empty),
		cmocka_unit_test(gnuplot_strings_are_escaped),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
