#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "console.h"

static void lines_across_chunks_and_crlf(void **state)
{
	(void)state;
	struct console c;
	console_init(&c);
	char line[64];
	console_append(&c, "boot", 4);
	assert_null(console_next_line(&c, line, sizeof(line)));
	console_append(&c, "ing\r\nREADY 80", 13);
	assert_string_equal(console_next_line(&c, line, sizeof(line)), "booting");
	assert_null(console_next_line(&c, line, sizeof(line)));
	console_append(&c, "80\n", 3);
	assert_string_equal(console_next_line(&c, line, sizeof(line)), "READY 8080");
	console_free(&c);
}

static void tail_returns_last_lines(void **state)
{
	(void)state;
	struct console c;
	console_init(&c);
	const char *text = "one\ntwo\nthree\nfour\n";
	console_append(&c, text, strlen(text));
	char out[64];
	console_tail(&c, 2, out, sizeof(out));
	assert_string_equal(out, "three\nfour");
	console_tail(&c, 10, out, sizeof(out));
	assert_string_equal(out, "one\ntwo\nthree\nfour");
	console_free(&c);
	console_tail(&c, 2, out, sizeof(out));
	assert_string_equal(out, "");
}

static void long_line_is_truncated_not_overflowed(void **state)
{
	(void)state;
	struct console c;
	console_init(&c);
	char big[300];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\n';
	console_append(&c, big, sizeof(big));
	char line[16];
	assert_int_equal(strlen(console_next_line(&c, line, sizeof(line))), 15);
	console_free(&c);
}

static void last_complete_line_with_needle(void **state)
{
	(void)state;
	struct console c;
	console_init(&c);
	const char *text = "boot\nZWSTATS why=nmi a=1\nserve\nZWSTATS why=nmi a=2\nZWSTATS why=exit a=3";
	console_append(&c, text, strlen(text));
	char line[64];
	/* The unterminated last line is not complete yet. */
	assert_string_equal(console_last_line_with(&c, 0, "ZWSTATS", line, sizeof(line)), "ZWSTATS why=nmi a=2");
	assert_null(console_last_line_with(&c, 0, "fatal", line, sizeof(line)));
	/* From an offset past the first hit only later lines count. */
	size_t second = (size_t)(strstr(text, "serve") - text);
	assert_string_equal(console_last_line_with(&c, second, "a=", line, sizeof(line)), "ZWSTATS why=nmi a=2");
	assert_null(console_last_line_with(&c, c.len, "a=", line, sizeof(line)));
	console_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines_across_chunks_and_crlf),
		cmocka_unit_test(tail_returns_last_lines),
		cmocka_unit_test(long_line_is_truncated_not_overflowed),
		cmocka_unit_test(last_complete_line_with_needle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
