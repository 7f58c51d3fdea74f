/* The report's markdown pieces, written from synthetic runs. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_frag.h"
#include "test_report_fixture.h"

static struct rd_set both, alpha;
static struct rf_ctx ctx;
static char *out;
static size_t outlen;

static int setup(void **state)
{
	(void)state;
	char why[512];
	if (fixture_make() != 0)
		return -1;
	memset(&both, 0, sizeof(both));
	memset(&alpha, 0, sizeof(alpha));
	if (rd_set_add(&both, fixture_path("run-alpha", 0), why, sizeof(why)) ||
	    rd_set_add(&both, fixture_path("run-beta", 1), why, sizeof(why)) ||
	    rd_set_add(&alpha, fixture_path("run-alpha", 2), why, sizeof(why)))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rd_set_free(&both);
	rd_set_free(&alpha);
	fixture_remove();
	return 0;
}

static FILE *begin(const struct rd_set *set)
{
	memset(&ctx, 0, sizeof(ctx));
	ctx.set = set;
	ctx.fig_dir = "figures";
	free(out);
	out = NULL;
	return open_memstream(&out, &outlen);
}

/* The table row whose first cells are a and b. */
static const char *row(const char *a, const char *b)
{
	char key[128];
	snprintf(key, sizeof(key), "| %s | %s |", a, b);
	const char *r = strstr(out, key);
	if (!r)
		fail_msg("no row %s in:\n%s", key, out);
	return r;
}

static int row_has(const char *a, const char *b, const char *text)
{
	const char *r = row(a, b);
	const char *end = strchr(r, '\n');
	const char *hit = strstr(r, text);
	return hit && (!end || hit < end);
}

static void table_has_statistics_method_and_source(void **state)
{
	(void)state;
	FILE *f = begin(&alpha);
	rf_table(f, &ctx, "boot");
	fclose(f);
	/* 1..6: median 3.5, p5 1.25, p95 5.75; n = 6 gives a CI: [x(1), x(6)]. */
	assert_true(row_has("first_200_ms", "native", "| 6 | 3.500 | 1.250 | 5.750 | [1.000, 6.000] | 0 | ms | measured | clock:monotonic |"));
	assert_true(row_has("ready_ms", "native", "| n<6 |"));
	assert_true(row_has("energy_j", "native", "| 0 (+1 n/a) | n/a |"));
	assert_true(row_has("energy_j", "native", "| unavailable |"));
	assert_null(strstr(out, "power_w")); /* time series are drawn, not tabulated */
	assert_null(strstr(out, "**Host"));
	assert_int_equal(ctx.missing, 0);
}

static void energy_rows_name_their_model(void **state)
{
	(void)state;
	FILE *f = begin(&alpha);
	rf_table(f, &ctx, "load");
	fclose(f);
	assert_true(row_has("energy_per_request_j", "native", "| estimated (model) | model:ccf |"));
	assert_true(row_has("requests_per_s", "native", "| measured | wrk |"));
}

static void ratios_carry_both_absolute_values(void **state)
{
	(void)state;
	FILE *f = begin(&alpha);
	rf_ratios(f, &ctx, "boot");
	fclose(f);
	assert_true(row_has("first_200_ms", "container", "| 35.00 ms | native | 3.500 ms | 10.0x |"));
	f = begin(&alpha);
	rf_ratios(f, &ctx, "load");
	fclose(f);
	assert_true(row_has("energy_per_request_j", "container", "(est.) | native |"));
	assert_true(row_has("energy_per_request_j", "container", "| 1.50x |"));
	assert_null(strstr(out, "| host |")); /* the machine itself is no target */
}

static void several_hosts_are_grouped(void **state)
{
	(void)state;
	FILE *f = begin(&both);
	rf_table(f, &ctx, "boot");
	fclose(f);
	const char *a = strstr(out, "**Host alpha**"), *b = strstr(out, "**Host beta**");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	/* beta's native rows are its own two values, not pooled with alpha's. */
	assert_non_null(strstr(b, "| first_200_ms | native | 2 | 2.000 |"));
	f = begin(&both);
	rf_ratios(f, &ctx, "boot");
	fclose(f);
	b = strstr(out, "**Host beta**");
	assert_non_null(strstr(b, "| first_200_ms | vm | 3100 ms | native | 2.000 ms | 1550x |"));
}

static void absent_experiment_is_said_and_counted(void **state)
{
	(void)state;
	FILE *f = begin(&alpha);
	rf_table(f, &ctx, "nosuch");
	fclose(f);
	assert_non_null(strstr(out, "No nosuch results"));
	assert_int_equal(ctx.missing, 1);
}

static void single_values_with_unit_and_label(void **state)
{
	(void)state;
	FILE *f = begin(&both);
	assert_int_equal(rf_value(f, &ctx, "boot", "native", "first_200_ms", NULL, NULL), 0);
	fputc(';', f);
	rf_value(f, &ctx, "boot", "container", "first_200_ms", "ratio", NULL);
	fputc(';', f);
	rf_value(f, &ctx, "boot", "native", "first_200_ms", "n", "beta");
	fputc(';', f);
	rf_value(f, &ctx, "load", "native", "energy_per_request_j", "median", NULL);
	fputc(';', f);
	rf_value(f, &ctx, "boot", "native", "first_200_ms", "ci", NULL);
	fputc(';', f);
	assert_int_equal(rf_value(f, &ctx, "boot", "unikernel", "first_200_ms", NULL, NULL), -ENOENT);
	fclose(f);
	assert_string_equal(out, "3.500 ms;10.0x;2;0.0020 J (estimated);[1.000, 6.000] ms;n/a");
	assert_int_equal(ctx.missing, 1);
}

static void host_facts_doctor_energy_and_skips(void **state)
{
	(void)state;
	FILE *f = begin(&alpha);
	rf_hosts(f, &ctx);
	rf_energy(f, &ctx);
	rf_doctor(f, &ctx);
	rf_skipped(f, &ctx);
	fclose(f);
	assert_true(row_has("CPU", "Test CPU 9000", "|"));
	assert_true(row_has("CPUs online", "2", "|"));
	assert_true(row_has("memory", "2.000 GiB", "|"));
	assert_true(row_has("accelerator (vm, unikernel)", "tcg — guest 4000x slower", "|"));
	assert_true(row_has("energy source", "model:ccf, estimated, boundary model", "|"));
	assert_true(row_has("tool: gnuplot", "gnuplot 5.4", "|"));
	assert_true(row_has("git commit", "0123456789abcdef", "|"));
	assert_non_null(strstr(out, "turbo changed during the run"));
	assert_true(row_has("model", "ok", "| yes |"));
	assert_non_null(strstr(out, "as recorded by run `run-alpha`"));
	assert_true(row_has("kvm", "unusable", "nested \\| slow"));
	assert_true(row_has("alpha", "run-alpha", "| vm | kernel package missing |"));
}

static void doctor_now_only_for_its_own_host(void **state)
{
	(void)state;
	FILE *f = begin(&both);
	ctx.doctor_now = cJSON_Parse("[{\"name\": \"wrk\", \"status\": \"ok\", \"detail\": \"4.1\"}]");
	snprintf(ctx.doctor_now_host, sizeof(ctx.doctor_now_host), "beta");
	rf_doctor(f, &ctx);
	fclose(f);
	cJSON_Delete(ctx.doctor_now);
	assert_non_null(strstr(out, "Host alpha, as recorded"));
	assert_non_null(strstr(out, "Host beta: the runs recorded no verdicts"));
	assert_true(row_has("wrk", "ok", "4.1"));
	f = begin(&both);
	rf_doctor(f, &ctx);
	fclose(f);
	assert_non_null(strstr(out, "Host beta: no doctor's verdicts recorded"));
}

static void figures_linked_or_explained(void **state)
{
	(void)state;
	FILE *f = begin(&alpha);
	ctx.nfigs = 2;
	snprintf(ctx.figs[0].name, sizeof(ctx.figs[0].name), "boot");
	snprintf(ctx.figs[0].title, sizeof(ctx.figs[0].title), "Boot time");
	snprintf(ctx.figs[0].caption, sizeof(ctx.figs[0].caption), "Caption.");
	ctx.figs[0].drawn = 1;
	snprintf(ctx.figs[1].name, sizeof(ctx.figs[1].name), "density");
	snprintf(ctx.figs[1].title, sizeof(ctx.figs[1].title), "Density");
	snprintf(ctx.figs[1].note, sizeof(ctx.figs[1].note), "no density results");
	rf_figure(f, &ctx, "boot");
	rf_figure(f, &ctx, "density");
	rf_figure(f, &ctx, "nosuch");
	fclose(f);
	assert_non_null(strstr(out, "![Boot time](figures/boot.png)"));
	assert_non_null(strstr(out, "([SVG](figures/boot.svg))"));
	assert_non_null(strstr(out, "*Density: not drawn — no density results.*"));
	assert_int_equal(ctx.missing, 2);
	assert_true(ctx.figs[0].shown);
}

static void emit_dispatches_and_rejects(void **state)
{
	(void)state;
	char err[256];
	FILE *f = begin(&alpha);
	assert_int_equal(rf_emit(f, &ctx, "table", 1, (char *[]){ "syscall" }, err, sizeof(err)), 0);
	assert_int_equal(rf_emit(f, &ctx, "bogus", 0, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown marker kind 'bogus'"));
	assert_int_equal(rf_emit(f, &ctx, "table", 0, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "takes 1 or more arguments"));
	assert_int_equal(rf_emit(f, &ctx, "value", 3, (char *[]){ "boot", "native", "first_200_ms" }, err, sizeof(err)), 0);
	assert_int_equal(rf_emit(f, &ctx, "value", 4, (char *[]){ "boot", "native", "first_200_ms", "p42" }, err,
				 sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "unknown statistic 'p42'"));
	fclose(f);
	assert_non_null(strstr(out, "| getppid_ns | native |"));
	assert_true(rf_kind_inline("value") && rf_kind_inline("run") && !rf_kind_inline("table"));
}

static void table_marker_keeps_only_named_metrics(void **state)
{
	(void)state;
	char err[256];
	FILE *f = begin(&alpha);
	assert_int_equal(rf_emit(f, &ctx, "table", 2, (char *[]){ "boot", "ready_ms" }, err, sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(out, "| ready_ms |"));
	assert_null(strstr(out, "| first_200_ms |"));
	assert_int_equal(ctx.nonly, 0); /* the filter does not outlive its marker */
}

static void whole_report_has_every_section(void **state)
{
	(void)state;
	FILE *f = begin(&both);
	const char *dirs[] = { "a", "b" };
	rf_report(f, &ctx, dirs, 2);
	fclose(f);
	const char *sections[] = { "# zerowatt report", "## Setup", "### Energy", "### Doctor's verdicts",
				   "### Skipped targets", "## Results", "### boot", "### load", "### syscall",
				   "### scale", "### density", "### Power over time", NULL };
	const char *prev = out;
	for (int i = 0; sections[i]; i++) {
		const char *s = strstr(prev, sections[i]);
		if (!s)
			fail_msg("section '%s' missing or out of order", sections[i]);
		prev = s;
	}
	assert_non_null(strstr(out, "2 run directories from 2 hosts"));
	assert_non_null(strstr(out, "| load:native | 2 | 6.500 |"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_has_statistics_method_and_source),
		cmocka_unit_test(energy_rows_name_their_model),
		cmocka_unit_test(ratios_carry_both_absolute_values),
		cmocka_unit_test(several_hosts_are_grouped),
		cmocka_unit_test(absent_experiment_is_said_and_counted),
		cmocka_unit_test(single_values_with_unit_and_label),
		cmocka_unit_test(host_facts_doctor_energy_and_skips),
		cmocka_unit_test(doctor_now_only_for_its_own_host),
		cmocka_unit_test(figures_linked_or_explained),
		cmocka_unit_test(emit_dispatches_and_rejects),
		cmocka_unit_test(table_marker_keeps_only_named_metrics),
		cmocka_unit_test(whole_report_has_every_section),
	};
	int r = cmocka_run_group_tests(tests, setup, teardown);
	free(out);
	return r;
}
