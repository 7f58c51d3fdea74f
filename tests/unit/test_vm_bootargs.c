/* zwinit's command line parser (baselines/init/bootargs.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../baselines/init/bootargs.h"

static struct bootargs ba;

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void ipv4_valid_and_invalid(void **state)
{
	uint32_t v;

	(void)state;
	assert_int_equal(bootargs_parse_ipv4("10.201.3.2", &v), 0);
	assert_int_equal(v, ip("10.201.3.2"));
	assert_int_equal(bootargs_parse_ipv4("0.0.0.0", &v), 0);
	assert_int_equal(bootargs_parse_ipv4("255.255.255.255", &v), 0);
	assert_int_equal(v, 0xffffffffu);
	const char *bad[] = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", "a.b.c.d",
			      "1..2.3", "-1.2.3.4", "1.2.3.4/24", "1000.1.1.1", "1.2.3.", NULL };
	for (int i = 0; bad[i]; i++) {
		v = 12345;
		assert_int_equal(bootargs_parse_ipv4(bad[i], &v), -EINVAL);
		assert_int_equal(v, 12345);
	}
}

static void address_gateway_and_argv(void **state)
{
	(void)state;
	assert_int_equal(bootargs_parse("console=ttyS0 quiet zw.ip=10.201.3.2/24 zw.gw=10.201.3.1 "
					"-- httpd --port 8080\n", &ba), 0);
	assert_true(ba.has_ip);
	assert_int_equal(ba.ip, ip("10.201.3.2"));
	assert_int_equal(ba.netmask, ip("255.255.255.0"));
	assert_true(ba.has_gw);
	assert_int_equal(ba.gw, ip("10.201.3.1"));
	assert_false(ba.trace);
	assert_int_equal(ba.argc, 3);
	assert_string_equal(ba.argv[0], "httpd");
	assert_string_equal(ba.argv[1], "--port");
	assert_string_equal(ba.argv[2], "8080");
	assert_null(ba.argv[3]);
}

static void prefix_lengths(void **state)
{
	(void)state;
	assert_int_equal(bootargs_parse("zw.ip=10.0.0.1/32 -- x", &ba), 0);
	assert_int_equal(ba.netmask, 0xffffffffu);
	assert_int_equal(bootargs_parse("zw.ip=10.0.0.1/1 -- x", &ba), 0);
	assert_int_equal(ba.netmask, ip("128.0.0.0"));
	assert_int_equal(bootargs_parse("zw.ip=10.0.0.1/20 -- x", &ba), 0);
	assert_int_equal(ba.netmask, ip("255.255.240.0"));
	/* No prefix: the lab's /24. */
	assert_int_equal(bootargs_parse("zw.ip=10.0.0.1 -- x", &ba), 0);
	assert_int_equal(ba.netmask, ip("255.255.255.0"));
	assert_false(ba.has_gw);
	const char *bad[] = { "zw.ip=10.0.0.1/0", "zw.ip=10.0.0.1/33", "zw.ip=10.0.0.1/",
			      "zw.ip=10.0.0.1/24x", "zw.ip=/24", "zw.ip=", "zw.ip=10.0.0/24",
			      "zw.gw=10.0.0", "zw.gw=", NULL };
	for (int i = 0; bad[i]; i++)
		assert_int_equal(bootargs_parse(bad[i], &ba), -EINVAL);
}

static void no_dashes_means_no_workload(void **state)
{
	(void)state;
	assert_int_equal(bootargs_parse("console=ttyS0 zw.ip=10.0.0.2/24", &ba), 0);
	assert_int_equal(ba.argc, 0);
	assert_null(ba.argv[0]);
	assert_int_equal(bootargs_parse("", &ba), 0);
	assert_int_equal(ba.argc, 0);
	assert_false(ba.has_ip);
}

static void keys_after_dashes_belong_to_the_workload(void **state)
{
	(void)state;
	assert_int_equal(bootargs_parse("-- prog zw.ip=1.2.3.4/8 -- zw.trace=1", &ba), 0);
	assert_false(ba.has_ip);
	assert_false(ba.trace);
	assert_int_equal(ba.argc, 4);
	assert_string_equal(ba.argv[1], "zw.ip=1.2.3.4/8");
	assert_string_equal(ba.argv[2], "--");
	assert_string_equal(ba.argv[3], "zw.trace=1");
}

static void qemu_appended_words_are_dropped(void **state)
{
	(void)state;
	/* QEMU microvm appends these to a Linux command line, after our "--". */
	assert_int_equal(bootargs_parse("zw.trace=1 -- httpd --port 8080 "
					"virtio_mmio.device=512@0xfeb00e00:12 "
					"virtio_mmio.device=512@0xfeb00c00:11", &ba), 0);
	assert_true(ba.trace);
	assert_int_equal(ba.argc, 3);
	assert_string_equal(ba.argv[2], "8080");
	assert_true(bootargs_is_vmm_word("virtio_mmio.device=512@0xfeb00e00:12"));
	assert_false(bootargs_is_vmm_word("virtio_mmio"));
	assert_false(bootargs_is_vmm_word("--port"));
}

static void quotes_and_blanks(void **state)
{
	(void)state;
	assert_int_equal(bootargs_parse("  a=\"b c\"\t--   prog \"two words\" \"\" x\"y z\"w  ", &ba), 0);
	assert_int_equal(ba.argc, 4);
	assert_string_equal(ba.argv[0], "prog");
	assert_string_equal(ba.argv[1], "two words");
	assert_string_equal(ba.argv[2], "");
	assert_string_equal(ba.argv[3], "xy zw");
}

static void too_many_or_too_long(void **state)
{
	char line[BOOTARGS_BUF * 2];
	int n = snprintf(line, sizeof(line), "--");

	(void)state;
	for (int i = 0; i < BOOTARGS_MAX_ARGV; i++)
		n += snprintf(line + n, sizeof(line) - n, " a%d", i);
	assert_int_equal(bootargs_parse(line, &ba), 0);
	assert_int_equal(ba.argc, BOOTARGS_MAX_ARGV);
	assert_null(ba.argv[BOOTARGS_MAX_ARGV]);
	snprintf(line + n, sizeof(line) - n, " one-more");
	assert_int_equal(bootargs_parse(line, &ba), -E2BIG);

	memset(line, 'x', sizeof(line) - 1);
	line[0] = '-';
	line[1] = '-';
	line[2] = ' ';
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(bootargs_parse(line, &ba), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4_valid_and_invalid),
		cmocka_unit_test(address_gateway_and_argv),
		cmocka_unit_test(prefix_lengths),
		cmocka_unit_test(no_dashes_means_no_workload),
		cmocka_unit_test(keys_after_dashes_belong_to_the_workload),
		cmocka_unit_test(qemu_appended_words_are_dropped),
		cmocka_unit_test(quotes_and_blanks),
		cmocka_unit_test(too_many_or_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
