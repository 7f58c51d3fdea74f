#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "httpclient.h"

static void complete_head_with_length(void **state)
{
	(void)state;
	const char *r = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\ncontent-length: 612\r\n\r\nbody";
	int status;
	long len;
	int head = http_parse_response_head(r, strlen(r), &status, &len);
	assert_int_equal(head, (int)(strstr(r, "body") - r));
	assert_int_equal(status, 200);
	assert_int_equal(len, 612);
}

static void incomplete_and_malformed(void **state)
{
	(void)state;
	int status;
	long len;
	const char *partial = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n";
	assert_int_equal(http_parse_response_head(partial, strlen(partial), &status, &len), 0);
	const char *garbage = "SSH-2.0-OpenSSH\r\n\r\n";
	assert_int_equal(http_parse_response_head(garbage, strlen(garbage), &status, &len), -EPROTO);
	const char *badcode = "HTTP/1.1 2x0 OK\r\n\r\n";
	assert_int_equal(http_parse_response_head(badcode, strlen(badcode), &status, &len), -EPROTO);
}

static void no_length_header(void **state)
{
	(void)state;
	int status;
	long len;
	const char *r = "HTTP/1.0 404 Not Found\r\n\r\n";
	assert_true(http_parse_response_head(r, strlen(r), &status, &len) > 0);
	assert_int_equal(status, 404);
	assert_int_equal(len, -1);
}

static void refused_connection_is_reported(void **state)
{
	(void)state;
	struct http_result res;
	/* Port 1 on loopback: nothing listens there in a test environment. */
	int r = http_get("127.0.0.1", 1, "/", 1.0, &res);
	assert_int_equal(r, -ECONNREFUSED);
	assert_int_equal(http_get("not-an-ip", 80, "/", 1.0, &res), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(complete_head_with_length),
		cmocka_unit_test(incomplete_and_malformed),
		cmocka_unit_test(no_length_header),
		cmocka_unit_test(refused_connection_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
