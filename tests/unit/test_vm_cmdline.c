/* The vm target's kernel command line (harness/vm_cmdline.c), read back with
 * the parser the guest's init uses (baselines/init/bootargs.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../baselines/init/bootargs.h"
#include "vm_cmdline.h"

static char line[VM_CMDLINE_MAX];
static struct bootargs ba;

static const char *const httpd_argv[] = { "httpd", "--port", "8080", NULL };

static struct vm_cmdline_params lab_params(void)
{
	return (struct vm_cmdline_params){
		.guest_ip = "10.201.3.2", .prefix_len = 24, .gateway = "10.201.3.1",
		.tsc_khz = 2445424, .argv = httpd_argv,
	};
}

static int has_word(const char *s, const char *w)
{
	char padded[VM_CMDLINE_MAX + 2], needle[256];

	snprintf(padded, sizeof(padded), " %s ", s);
	snprintf(needle, sizeof(needle), " %s ", w);
	return strstr(padded, needle) != NULL;
}

static void lab_line_has_tuning_network_and_argv(void **state)
{
	struct vm_cmdline_params p = lab_params();
	int n = vm_cmdline_build(&p, line, sizeof(line));

	(void)state;
	assert_int_equal(n, (int)strlen(line));
	for (const struct vm_cmdline_tuning *t = vm_cmdline_tuning; t->option; t++)
		assert_true(has_word(line, t->option));
	assert_true(has_word(line, "tsc_early_khz=2445424"));
	assert_true(has_word(line, "zw.ip=10.201.3.2/24"));
	assert_true(has_word(line, "zw.gw=10.201.3.1"));
	assert_false(has_word(line, "zw.trace=1"));
	/* The workload's argv is last, after the kernel's "--". */
	const char *tail = " -- httpd --port 8080";
	assert_string_equal(line + strlen(line) - strlen(tail), tail);
	assert_int_equal(line[0] == ' ', 0);
}

static void tuning_table_is_documented(void **state)
{
	int n = 0;

	(void)state;
	for (const struct vm_cmdline_tuning *t = vm_cmdline_tuning; t->option; t++, n++) {
		assert_non_null(t->why);
		assert_true(strlen(t->why) > 10);
		assert_null(strpbrk(t->option, " \t\""));
		/* Nothing that reaches zwinit or the workload. */
		assert_true(strncmp(t->option, "zw.", 3) != 0);
		assert_true(strcmp(t->option, "--") != 0);
		for (const struct vm_cmdline_tuning *u = vm_cmdline_tuning; u < t; u++)
			assert_string_not_equal(u->option, t->option);
	}
	assert_true(n >= 5);
	/* The console is the harness's only channel to the guest. */
	struct vm_cmdline_params p = lab_params();
	vm_cmdline_build(&p, line, sizeof(line));
	assert_true(has_word(line, "console=ttyS0"));
}

static void round_trip_through_the_guest_parser(void **state)
{
	const char *const argv[] = { "prog", "two words", "", "tab\there", "x=y", "--", "last", NULL };
	struct vm_cmdline_params p = lab_params();
	struct in_addr a;

	(void)state;
	p.argv = argv;
	p.trace = 1;
	p.prefix_len = 20;
	assert_true(vm_cmdline_build(&p, line, sizeof(line)) > 0);
	/* QEMU microvm appends its own words to a Linux command line. */
	strcat(line, " virtio_mmio.device=512@0xfeb00e00:12");
	assert_int_equal(bootargs_parse(line, &ba), 0);
	assert_int_equal(ba.argc, 7);
	for (int i = 0; i < 7; i++)
		assert_string_equal(ba.argv[i], argv[i]);
	assert_true(ba.trace);
	assert_true(ba.has_ip && ba.has_gw);
	inet_pton(AF_INET, "10.201.3.2", &a);
	assert_int_equal(ba.ip, a.s_addr);
	inet_pton(AF_INET, "255.255.240.0", &a);
	assert_int_equal(ba.netmask, a.s_addr);
	inet_pton(AF_INET, "10.201.3.1", &a);
	assert_int_equal(ba.gw, a.s_addr);
}

static void optional_parts_are_left_out(void **state)
{
	struct vm_cmdline_params p = { .argv = httpd_argv };

	(void)state;
	assert_true(vm_cmdline_build(&p, line, sizeof(line)) > 0);
	assert_null(strstr(line, "zw.ip="));
	assert_null(strstr(line, "zw.gw="));
	assert_null(strstr(line, "tsc_early_khz="));
	assert_int_equal(bootargs_parse(line, &ba), 0);
	assert_false(ba.has_ip);
	assert_int_equal(ba.argc, 3);
}

static void extra_options_go_before_the_dashes(void **state)
{
	struct vm_cmdline_params p = lab_params();

	(void)state;
	p.extra = "loglevel=7 rdinit=/x";
	assert_true(vm_cmdline_build(&p, line, sizeof(line)) > 0);
	assert_true(strstr(line, "rdinit=/x") < strstr(line, " -- "));
	assert_int_equal(bootargs_parse(line, &ba), 0);
	assert_int_equal(ba.argc, 3);
	const char *bad[] = { "--", "a -- b", "a --", "-- a", "a\nb", "a=\"b c\"", NULL };
	for (int i = 0; bad[i]; i++) {
		p.extra = bad[i];
		assert_int_equal(vm_cmdline_build(&p, line, sizeof(line)), -EINVAL);
	}
	p.extra = "a --b";   /* a word that only starts with dashes is fine */
	assert_true(vm_cmdline_build(&p, line, sizeof(line)) > 0);
}

static void arguments_linux_cannot_carry(void **state)
{
	const char *const quote[] = { "prog", "say \"hi\"", NULL };
	const char *const newline[] = { "prog", "a\nb", NULL };
	const char *const empty_name[] = { "", NULL };
	const char *const none[] = { NULL };
	struct vm_cmdline_params p = lab_params();

	(void)state;
	p.argv = quote;
	assert_int_equal(vm_cmdline_build(&p, line, sizeof(line)), -EINVAL);
	assert_string_equal(line, "");
	p.argv = newline;
	assert_int_equal(vm_cmdline_build(&p, line, sizeof(line)), -EINVAL);
	p.argv = empty_name;
	assert_int_equal(vm_cmdline_build(&p, line, sizeof(line)), -EINVAL);
	p.argv = none;
	assert_int_equal(vm_cmdline_build(&p, line, sizeof(line)), -EINVAL);
	p.argv = NULL;
	assert_int_equal(vm_cmdline_build(&p, line, sizeof(line)), -EINVAL);
	p = lab_params();
	p.prefix_len = 33;
	assert_int_equal(vm_cmdline_build(&p, line, sizeof(line)), -EINVAL);
	p = lab_params();
	p.guest_ip = "10.0.0.1 evil=1";
	assert_int_equal(vm_cmdline_build(&p, line, sizeof(line)), -EINVAL);
}

static void limits(void **state)
{
	const char *many[VM_CMDLINE_MAX_ARGS + 2];
	static char big[VM_CMDLINE_MAX];
	const char *const one_big[] = { "prog", big, NULL };
	struct vm_cmdline_params p = lab_params();
	char small[16];

	(void)state;
	for (int i = 0; i <= VM_CMDLINE_MAX_ARGS; i++)
		many[i] = "a";
	many[VM_CMDLINE_MAX_ARGS] = NULL;
	p.argv = many;
	assert_true(vm_cmdline_build(&p, line, sizeof(line)) > 0);
	many[VM_CMDLINE_MAX_ARGS] = "a";
	many[VM_CMDLINE_MAX_ARGS + 1] = NULL;
	assert_int_equal(vm_cmdline_build(&p, line, sizeof(line)), -E2BIG);

	/* Linux keeps 2048 bytes of command line, whatever the buffer. */
	memset(big, 'x', sizeof(big) - 1);
	p.argv = one_big;
	static char huge[4 * VM_CMDLINE_MAX];
	assert_int_equal(vm_cmdline_build(&p, huge, sizeof(huge)), -E2BIG);
	assert_string_equal(huge, "");

	p = lab_params();
	assert_int_equal(vm_cmdline_build(&p, small, sizeof(small)), -E2BIG);
	assert_int_equal(vm_cmdline_build(&p, small, 0), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lab_line_has_tuning_network_and_argv),
		cmocka_unit_test(tuning_table_is_documented),
		cmocka_unit_test(round_trip_through_the_guest_parser),
		cmocka_unit_test(optional_parts_are_left_out),
		cmocka_unit_test(extra_options_go_before_the_dashes),
		cmocka_unit_test(arguments_linux_cannot_carry),
		cmocka_unit_test(limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
