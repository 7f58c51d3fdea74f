/* zw.ip= / zw.gw= parsing (unikernel/net/net_config.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "net_internal.h"
#include "net_abi.h"

static uint32_t be(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t bytes[4] = { a, b, c, d };
	uint32_t v;
	__builtin_memcpy(&v, bytes, 4);
	return v;
}

static void test_ipv4_valid(void **state)
{
	(void)state;
	uint32_t a;
	assert_int_equal(net_parse_ipv4("10.201.3.2", &a), 0);
	assert_int_equal(a, be(10, 201, 3, 2));
	assert_int_equal(net_parse_ipv4("0.0.0.0", &a), 0);
	assert_int_equal(a, 0);
	assert_int_equal(net_parse_ipv4("255.255.255.255", &a), 0);
	assert_int_equal(a, 0xffffffffu);
}

static void test_ipv4_invalid(void **state)
{
	(void)state;
	const char *bad[] = { "", "10.201.3", "10.201.3.2.1", "256.1.1.1", "1..1.1",
			      "a.b.c.d", "10.201.3.2 ", "1.2.3.4/24", "0010.1.1.1", "-1.2.3.4" };
	uint32_t a = 77;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(net_parse_ipv4(bad[i], &a), -EINVAL);
	}
	assert_int_equal(a, 77);
}

static void test_cidr(void **state)
{
	(void)state;
	uint32_t a;
	unsigned p;
	assert_int_equal(net_parse_cidr("10.201.3.2/24", &a, &p), 0);
	assert_int_equal(a, be(10, 201, 3, 2));
	assert_int_equal(p, 24);
	assert_int_equal(net_parse_cidr("192.168.0.9/32", &a, &p), 0);
	assert_int_equal(p, 32);
	assert_int_equal(net_parse_cidr("192.168.0.9/0", &a, &p), 0);
	assert_int_equal(p, 0);
	/* No prefix: /24. */
	assert_int_equal(net_parse_cidr("192.168.0.9", &a, &p), 0);
	assert_int_equal(p, 24);
	assert_int_equal(net_parse_cidr("10.0.0.1/33", &a, &p), -EINVAL);
	assert_int_equal(net_parse_cidr("10.0.0.1/", &a, &p), -EINVAL);
	assert_int_equal(net_parse_cidr("10.0.0.1/2x", &a, &p), -EINVAL);
	assert_int_equal(net_parse_cidr("10.0.0.1/024", &a, &p), -EINVAL);
	assert_int_equal(net_parse_cidr("10.0.0.1000/24", &a, &p), -EINVAL);
	assert_int_equal(net_parse_cidr("1234567890123456789/8", &a, &p), -EINVAL);
}

static void test_prefix_mask(void **state)
{
	(void)state;
	assert_int_equal(net_prefix_mask(24), be(255, 255, 255, 0));
	assert_int_equal(net_prefix_mask(0), 0);
	assert_int_equal(net_prefix_mask(32), 0xffffffffu);
	assert_int_equal(net_prefix_mask(17), be(255, 255, 128, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_valid),
		cmocka_unit_test(test_ipv4_invalid),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_prefix_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
