/* Markdown cells and number formatting for report tables. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_md.h"

static void escape_keeps_rows_intact(void **state)
{
	(void)state;
	char out[64];
	md_escape("a|b\nc\td", out, sizeof(out));
	assert_string_equal(out, "a\\|b c d");
	md_escape("abcdef", out, 4);
	assert_string_equal(out, "ab"); /* truncated, terminated, room kept for an escape */
	md_escape(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

static void numbers_keep_about_four_digits(void **state)
{
	(void)state;
	char b[32];
	md_num(b, sizeof(b), NAN);
	assert_string_equal(b, "n/a");
	md_num(b, sizeof(b), 0);
	assert_string_equal(b, "0");
	md_num(b, sizeof(b), 34422.046);
	assert_string_equal(b, "34422");
	md_num(b, sizeof(b), 705.54);
	assert_string_equal(b, "705.5");
	md_num(b, sizeof(b), 72.951);
	assert_string_equal(b, "72.95");
	md_num(b, sizeof(b), 1.13149);
	assert_string_equal(b, "1.131");
	md_num(b, sizeof(b), 0.77684);
	assert_string_equal(b, "0.7768");
	md_num(b, sizeof(b), 1.4915e-05);
	assert_string_equal(b, "1.492e-05");
	md_num(b, sizeof(b), -2.5);
	assert_string_equal(b, "-2.500");
	md_num(b, sizeof(b), INFINITY);
	assert_string_equal(b, "inf");
}

static void ratios(void **state)
{
	(void)state;
	char b[32];
	md_ratio(b, sizeof(b), 93.91);
	assert_string_equal(b, "93.9x");
	md_ratio(b, sizeof(b), 0.5234);
	assert_string_equal(b, "0.52x");
	md_ratio(b, sizeof(b), 114.6);
	assert_string_equal(b, "115x");
	md_ratio(b, sizeof(b), NAN);
	assert_string_equal(b, "n/a");
}

static void table_head_and_rows(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *head[] = { "metric", "median", "note" };
	md_table_head(f, head, 3, "lrc");
	const char *row[] = { "ready_ms", "1.2", "a|b" };
	md_table_row(f, row, 3);
	const char *empty[] = { "x", NULL, "" };
	md_table_row(f, empty, 3);
	fclose(f);
	assert_string_equal(buf, "| metric | median | note |\n"
				 "|---|---:|:---:|\n"
				 "| ready_ms | 1.2 | a\\|b |\n"
				 "| x |  |  |\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escape_keeps_rows_intact),
		cmocka_unit_test(numbers_keep_about_four_digits),
		cmocka_unit_test(ratios),
		cmocka_unit_test(table_head_and_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
