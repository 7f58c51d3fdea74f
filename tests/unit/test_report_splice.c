/* Splicing generated content between zw markers: idempotent, strict about
 * malformed markers, blind to fenced code. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_splice.h"

static int calls;

/* A fake generator: "table X" -> two table lines, "value A B" -> "A=B". */
static int fake_fill(void *arg, FILE *out, const char *kind, int argc, char **argv, char *err, size_t cap)
{
	(void)arg;
	calls++;
	if (!strcmp(kind, "table") && argc == 1) {
		fprintf(out, "| %s | 1 |\n|---|---|", argv[0]);
		return 0;
	}
	if (!strcmp(kind, "value") && argc == 2) {
		fprintf(out, "%s=%s\n", argv[0], argv[1]);
		return 0;
	}
	snprintf(err, cap, "bad marker %s", kind);
	return -EINVAL;
}

static int is_inline(const char *kind)
{
	return !strcmp(kind, "value");
}

static int splice(const char *in, char **out, char *err, size_t cap)
{
	size_t len;
	*out = NULL;
	FILE *f = open_memstream(out, &len);
	int r = splice_text(in, f, fake_fill, is_inline, NULL, err, cap);
	fclose(f);
	return r;
}

static void fills_blocks_and_inline_values(void **state)
{
	(void)state;
	const char *doc = "# Paper\n"
			  "Native boots in <!-- zw:value boot native -->old text<!-- /zw:value --> flat.\n"
			  "<!-- zw:table boot -->\n"
			  "stale table\n"
			  "<!-- /zw:table -->\n"
			  "end\n";
	char *out, err[256];
	calls = 0;
	assert_int_equal(splice(doc, &out, err, sizeof(err)), 2);
	assert_int_equal(calls, 2);
	assert_string_equal(out, "# Paper\n"
				 "Native boots in <!-- zw:value boot native -->boot=native<!-- /zw:value --> flat.\n"
				 "<!-- zw:table boot -->\n"
				 "| boot | 1 |\n|---|---|\n"
				 "<!-- /zw:table -->\n"
				 "end\n");
	free(out);
}

static void splicing_twice_changes_nothing(void **state)
{
	(void)state;
	const char *doc = "<!-- zw:table a --><!-- /zw:table -->\n"
			  "x <!-- zw:value p q --> <!-- /zw:value --> y\n"
			  "<!-- zw:table b -->\n\n\nold\n\n<!-- /zw:table -->\n";
	char *once, *twice, err[256];
	assert_int_equal(splice(doc, &once, err, sizeof(err)), 3);
	assert_int_equal(splice(once, &twice, err, sizeof(err)), 3);
	assert_string_equal(once, twice);
	assert_string_not_equal(doc, once);
	free(once);
	free(twice);
}

static void text_without_markers_is_copied(void **state)
{
	(void)state;
	char *out, err[64];
	const char *doc = "plain <!-- an html comment --> text\n";
	assert_int_equal(splice(doc, &out, err, sizeof(err)), 0);
	assert_string_equal(out, doc);
	free(out);
}

static void fenced_code_is_left_alone(void **state)
{
	(void)state;
	const char *doc = "```\n<!-- zw:table shown -->\n<!-- /zw:bogus -->\n```\n"
			  "<!-- zw:table real --><!-- /zw:table -->\n";
	char *out, err[256];
	calls = 0;
	assert_int_equal(splice(doc, &out, err, sizeof(err)), 1);
	assert_int_equal(calls, 1);
	assert_non_null(strstr(out, "```\n<!-- zw:table shown -->\n<!-- /zw:bogus -->\n```\n"));
	assert_non_null(strstr(out, "| real | 1 |"));
	free(out);
}

static void expect_error(const char *doc, const char *what)
{
	char *out, err[256] = "";
	assert_int_equal(splice(doc, &out, err, sizeof(err)), -EINVAL);
	free(out);
	if (!strstr(err, what))
		fail_msg("error '%s' lacks '%s'", err, what);
}

static void malformed_markers_are_errors_with_line(void **state)
{
	(void)state;
	expect_error("a\nb\n<!-- zw:table boot -->\nno end\n", "line 3: marker zw:table is not closed");
	expect_error("<!-- /zw:table -->\n", "line 1: closing marker without an opening one");
	expect_error("<!-- zw:table a -->\n<!-- zw:table b --><!-- /zw:table -->\n<!-- /zw:table -->",
		     "line 1: marker zw:table is not closed");
	expect_error("<!-- zw:table a --><!-- /zw:value -->", "not closed by '<!-- /zw:table -->'");
	expect_error("<!-- zw: -->x<!-- /zw: -->", "line 1: malformed marker");
	expect_error("<!-- zw:table a\n-->", "malformed marker");
	expect_error("\n\n<!-- zw:nope --><!-- /zw:nope -->", "line 3: bad marker nope");
}

static void relative_paths(void **state)
{
	(void)state;
	char out[256];
	splice_relative("/a/b", "/a/b/plots/paper", out, sizeof(out));
	assert_string_equal(out, "plots/paper");
	splice_relative("/a/b", "/a/c/d", out, sizeof(out));
	assert_string_equal(out, "../c/d");
	splice_relative("/a/b", "/a/b", out, sizeof(out));
	assert_string_equal(out, ".");
	splice_relative("/a/b/c", "/a/b", out, sizeof(out));
	assert_string_equal(out, "..");
	splice_relative("/a/bc", "/a/b", out, sizeof(out));
	assert_string_equal(out, "../b");
	splice_relative("/", "/x/y", out, sizeof(out));
	assert_string_equal(out, "x/y");
	splice_relative("/tmp/pp", "/work/main/plots/paper", out, sizeof(out));
	assert_string_equal(out, "../../work/main/plots/paper");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fills_blocks_and_inline_values),
		cmocka_unit_test(splicing_twice_changes_nothing),
		cmocka_unit_test(text_without_markers_is_copied),
		cmocka_unit_test(fenced_code_is_left_alone),
		cmocka_unit_test(malformed_markers_are_errors_with_line),
		cmocka_unit_test(relative_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
