#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

/* die_usage exits; run the parse in a child and check its exit status. */
static int exit_status_of_uint(const char *value)
{
	pid_t pid = fork();
	if (pid == 0) {
		close(2); /* keep the expected error lines out of the test log */
		cli_uint("-n", value, 1, 100);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	return WEXITSTATUS(st);
}

static void accepts_integers_in_range(void **state)
{
	(void)state;
	assert_int_equal(cli_uint("-n", "1", 1, 100), 1);
	assert_int_equal(cli_uint("-n", "100", 1, 100), 100);
	assert_int_equal(exit_status_of_uint("50"), 0);
}

static void rejects_bad_integers_with_exit_2(void **state)
{
	(void)state;
	assert_int_equal(exit_status_of_uint("0"), 2);
	assert_int_equal(exit_status_of_uint("101"), 2);
	assert_int_equal(exit_status_of_uint("-5"), 2);
	assert_int_equal(exit_status_of_uint("5x"), 2);
	assert_int_equal(exit_status_of_uint(""), 2);
	assert_int_equal(exit_status_of_uint("99999999999999999999"), 2);
}

static void doubles(void **state)
{
	(void)state;
	assert_float_equal(cli_double("--seconds", "2.5", 0.1, 10), 2.5, 1e-12);
	pid_t pid = fork();
	if (pid == 0) {
		close(2);
		cli_double("--seconds", "nan", 0.1, 10);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	assert_int_equal(WEXITSTATUS(st), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_integers_in_range),
		cmocka_unit_test(rejects_bad_integers_with_exit_2),
		cmocka_unit_test(doubles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
