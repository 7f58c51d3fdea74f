/* The incremental HTTP request parser (workloads/http_parse.c), fed whole,
 * byte by byte and split at every point, with good and malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http_parse.h"

struct outcome {
	enum http_parse_status status;
	int error;
	size_t consumed;            /* bytes consumed for this request */
	struct http_request req;
	char path[HTTP_PATH_MAX + 1];
	char method[HTTP_METHOD_MAX + 1];
	int calls_with_done;        /* DONE must come exactly once */
};

/* Feeds data[0..len) in pieces of `chunk` bytes (0: all at once) until the
 * parser finishes one request or fails, or the input runs out. */
static struct outcome feed(struct http_parser *p, const char *data, size_t len,
			   size_t chunk)
{
	struct outcome o = { .status = HTTP_PARSE_MORE };
	size_t off = 0;

	if (chunk == 0)
		chunk = len ? len : 1;
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;
		size_t used = 0;

		o.status = http_parse(p, data + off, n, &used, &o.req);
		assert_true(used <= n);
		off += used;
		if (o.status == HTTP_PARSE_MORE) {
			assert_int_equal(used, n);   /* MORE eats everything */
			continue;
		}
		break;
	}
	o.consumed = off;
	if (o.status == HTTP_PARSE_DONE) {
		memcpy(o.path, o.req.path, o.req.path_len);
		o.path[o.req.path_len] = '\0';
		snprintf(o.method, sizeof(o.method), "%s", o.req.method_name);
	}
	if (o.status == HTTP_PARSE_ERROR)
		o.error = p->error;
	return o;
}

static struct outcome parse_str(const char *s, size_t chunk)
{
	struct http_parser p;

	http_parser_init(&p);
	return feed(&p, s, strlen(s), chunk);
}

/* Same outcome whatever the chunking: whole, 1 byte, 2, 3, 7 bytes. */
static struct outcome parse_all_ways(const char *s)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 7 };
	struct outcome first = parse_str(s, 0);

	for (size_t i = 1; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		struct outcome o = parse_str(s, chunks[i]);

		assert_int_equal(o.status, first.status);
		assert_int_equal(o.error, first.error);
		if (o.status == HTTP_PARSE_DONE) {
			assert_int_equal(o.consumed, first.consumed);
			assert_string_equal(o.path, first.path);
			assert_int_equal(o.req.keep_alive, first.req.keep_alive);
			assert_int_equal(o.req.content_length, first.req.content_length);
			assert_int_equal(o.req.header_bytes, first.req.header_bytes);
		}
	}
	return first;
}

static int error_of(const char *s)
{
	struct outcome o = parse_all_ways(s);

	assert_int_equal(o.status, HTTP_PARSE_ERROR);
	return o.error;
}

static void test_simple_get(void **state)
{
	const char *s = "GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\n";
	struct outcome o = parse_all_ways(s);

	(void)state;
	assert_int_equal(o.status, HTTP_PARSE_DONE);
	assert_int_equal(o.req.method, HTTP_GET);
	assert_string_equal(o.method, "GET");
	assert_string_equal(o.path, "/");
	assert_int_equal(o.req.version_minor, 1);
	assert_true(o.req.keep_alive);
	assert_int_equal(o.req.content_length, 0);
	assert_int_equal(o.consumed, strlen(s));
	assert_int_equal(o.req.header_bytes, strlen(s));
}

static void test_every_split_point(void **state)
{
	const char *s = "HEAD /index.html?x=1 HTTP/1.0\r\nConnection: keep-alive\r\n"
			"Content-Length: 3\r\n\r\nabc";
	size_t len = strlen(s);

	(void)state;
	for (size_t cut = 0; cut <= len; cut++) {
		struct http_parser p;
		struct http_request req;
		size_t used;
		enum http_parse_status st;

		http_parser_init(&p);
		st = http_parse(&p, s, cut, &used, &req);
		assert_int_equal(used, cut);
		if (cut < len) {
			assert_int_equal(st, HTTP_PARSE_MORE);
			st = http_parse(&p, s + cut, len - cut, &used, &req);
			assert_int_equal(used, len - cut);
		}
		assert_int_equal(st, HTTP_PARSE_DONE);
		assert_int_equal(req.method, HTTP_HEAD);
		assert_int_equal(req.path_len, strlen("/index.html?x=1"));
		assert_memory_equal(req.path, "/index.html?x=1", req.path_len);
		assert_int_equal(req.version_minor, 0);
		assert_true(req.keep_alive);
		assert_int_equal(req.content_length, 3);
		assert_int_equal(req.header_bytes, len - 3);
	}
}

static void test_incomplete_needs_more(void **state)
{
	(void)state;
	/* Missing the final empty line: never complete, never an error. */
	assert_int_equal(parse_all_ways("GET / HTTP/1.1\r\nHost: a\r\n").status,
			 HTTP_PARSE_MORE);
	assert_int_equal(parse_all_ways("GET / HTTP/1.1").status, HTTP_PARSE_MORE);
	assert_int_equal(parse_all_ways("GET / HTTP/1.1\r\nHost: a").status,
			 HTTP_PARSE_MORE);
	/* The body has not all arrived. */
	assert_int_equal(parse_all_ways("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345").status,
			 HTTP_PARSE_MORE);
}

static void test_pipelined_in_order(void **state)
{
	const char *s = "GET / HTTP/1.1\r\n\r\n"
			"POST /form HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
			"HEAD /x HTTP/1.1\r\nConnection: close\r\n\r\n"
			"GET /tail";
	const char *want_path[] = { "/", "/form", "/x" };
	enum http_method want_method[] = { HTTP_GET, HTTP_OTHER, HTTP_HEAD };
	bool want_keep[] = { true, true, false };
	size_t chunks[] = { 0, 1, 5 };

	(void)state;
	for (size_t k = 0; k < 3; k++) {
		struct http_parser p;
		size_t off = 0, len = strlen(s);

		http_parser_init(&p);
		for (int r = 0; r < 3; r++) {
			struct outcome o = feed(&p, s + off, len - off, chunks[k]);

			assert_int_equal(o.status, HTTP_PARSE_DONE);
			assert_string_equal(o.path, want_path[r]);
			assert_int_equal(o.req.method, want_method[r]);
			assert_int_equal(o.req.keep_alive, want_keep[r]);
			off += o.consumed;
		}
		/* The rest is the start of a fourth request. */
		assert_int_equal(feed(&p, s + off, len - off, chunks[k]).status,
				 HTTP_PARSE_MORE);
	}
}

static void test_keep_alive_rules(void **state)
{
	(void)state;
	assert_true(parse_all_ways("GET / HTTP/1.1\r\n\r\n").req.keep_alive);
	assert_false(parse_all_ways("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").req.keep_alive);
	assert_false(parse_all_ways("GET / HTTP/1.1\r\nconnection: CLOSE\r\n\r\n").req.keep_alive);
	assert_false(parse_all_ways("GET / HTTP/1.1\r\nConnection: upgrade, close\r\n\r\n").req.keep_alive);
	assert_false(parse_all_ways("GET / HTTP/1.0\r\n\r\n").req.keep_alive);
	assert_true(parse_all_ways("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").req.keep_alive);
	assert_true(parse_all_ways("GET / HTTP/1.0\r\nConnection: keep-alive , foo\r\n\r\n").req.keep_alive);
	/* close wins over keep-alive */
	assert_false(parse_all_ways("GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n").req.keep_alive);
	/* Tokens that merely contain the words mean nothing. */
	assert_true(parse_all_ways("GET / HTTP/1.1\r\nConnection: closed\r\n\r\n").req.keep_alive);
	assert_true(parse_all_ways("GET / HTTP/1.1\r\nX-Connection: close\r\n\r\n").req.keep_alive);
	assert_false(parse_all_ways("GET / HTTP/1.0\r\nConnection: keep-alive-ish\r\n\r\n").req.keep_alive);
	/* A later minor version is treated as 1.1. */
	struct outcome o = parse_all_ways("GET / HTTP/1.2\r\n\r\n");
	assert_int_equal(o.status, HTTP_PARSE_DONE);
	assert_true(o.req.keep_alive);
}

static void test_bare_lf_accepted(void **state)
{
	struct outcome o = parse_all_ways("GET /a HTTP/1.1\nHost: x\nConnection: close\n\n");

	(void)state;
	assert_int_equal(o.status, HTTP_PARSE_DONE);
	assert_string_equal(o.path, "/a");
	assert_false(o.req.keep_alive);
	/* Leading empty lines are skipped, CRLF or LF. */
	o = parse_all_ways("\r\n\nGET / HTTP/1.1\r\n\r\n");
	assert_int_equal(o.status, HTTP_PARSE_DONE);
	assert_string_equal(o.path, "/");
}

static void test_malformed_request_line(void **state)
{
	(void)state;
	assert_int_equal(error_of("\x01\x02\x03garbage"), 400);
	assert_int_equal(error_of("\x16\x03\x01\x02\x00\x01\x00"), 400);   /* a TLS hello */
	assert_int_equal(error_of("GET\r\n\r\n"), 400);
	assert_int_equal(error_of("GET /\r\n\r\n"), 400);                    /* HTTP/0.9 */
	assert_int_equal(error_of("GET  / HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(error_of("GET / HTTP/1.1 \r\n\r\n"), 400);
	assert_int_equal(error_of("GET / http/1.1\r\n\r\n"), 400);
	assert_int_equal(error_of("GET / HTTP/1.x\r\n\r\n"), 400);
	assert_int_equal(error_of("GET / HTTP/11\r\n\r\n"), 400);
	assert_int_equal(error_of("GET / HTTP/1.10\r\n\r\n"), 400);
	assert_int_equal(error_of("G(T / HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(error_of("GET /a\tb HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(error_of("GET /\x7f HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(error_of(" GET / HTTP/1.1\r\n\r\n"), 400);
	/* A CR must be followed by LF. */
	assert_int_equal(error_of("GET / HTTP/1.1\rHost: a\r\n\r\n"), 400);
	assert_int_equal(error_of("\rGET / HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(error_of("GET / HTTP/1.1\r\n\rX"), 400);
	assert_int_equal(error_of("GET / HTTP/2.0\r\n\r\n"), 505);
	assert_int_equal(error_of("GET / HTTP/0.9\r\n\r\n"), 505);
}

static void test_methods(void **state)
{
	char line[64];
	struct outcome o = parse_all_ways("DELETE /x HTTP/1.1\r\n\r\n");

	(void)state;
	assert_int_equal(o.status, HTTP_PARSE_DONE);
	assert_int_equal(o.req.method, HTTP_OTHER);
	assert_string_equal(o.method, "DELETE");
	/* Methods are case-sensitive. */
	assert_int_equal(parse_all_ways("get / HTTP/1.1\r\n\r\n").req.method, HTTP_OTHER);
	snprintf(line, sizeof(line), "%.*s / HTTP/1.1\r\n\r\n", HTTP_METHOD_MAX, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	assert_int_equal(parse_all_ways(line).status, HTTP_PARSE_DONE);
	snprintf(line, sizeof(line), "%.*s / HTTP/1.1\r\n\r\n", HTTP_METHOD_MAX + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	assert_int_equal(error_of(line), 400);
}

static void test_malformed_headers(void **state)
{
	(void)state;
	assert_int_equal(error_of("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), 400);
	assert_int_equal(error_of("GET / HTTP/1.1\r\n: a\r\n\r\n"), 400);
	assert_int_equal(error_of("GET / HTTP/1.1\r\nNoColon\r\n\r\n"), 400);
	assert_int_equal(error_of("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n"), 400);
	assert_int_equal(error_of("GET / HTTP/1.1\r\nA: b\x01\r\n\r\n"), 400);
	assert_int_equal(error_of("GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n"), 400);
	assert_int_equal(error_of("GET / HTTP/1.1\r\nA: b\rc\r\n\r\n"), 400);
	assert_int_equal(error_of("GET / HTTP/1.1\r\nA(b: c\r\n\r\n"), 400);
	/* obs-text and tabs in values are allowed; empty values too. */
	assert_int_equal(parse_all_ways("GET / HTTP/1.1\r\nA: \xc3\xa9\tb\r\nB:\r\n\r\n").status,
			 HTTP_PARSE_DONE);
	/* Long names we do not look at are fine. */
	assert_int_equal(parse_all_ways("GET / HTTP/1.1\r\nX-A-Very-Long-Header-Name-Indeed-Yes: 1\r\n\r\n").status,
			 HTTP_PARSE_DONE);
	assert_int_equal(error_of("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), 501);
}

static void test_content_length(void **state)
{
	char line[128];
	struct outcome o;

	(void)state;
	o = parse_all_ways("POST / HTTP/1.1\r\nContent-Length:  4 \r\n\r\nabcd");
	assert_int_equal(o.status, HTTP_PARSE_DONE);
	assert_int_equal(o.req.content_length, 4);
	assert_int_equal(o.consumed, strlen("POST / HTTP/1.1\r\nContent-Length:  4 \r\n\r\nabcd"));
	o = parse_all_ways("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(o.status, HTTP_PARSE_DONE);
	/* A repeat with the same value is harmless. */
	o = parse_all_ways("POST / HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nab");
	assert_int_equal(o.status, HTTP_PARSE_DONE);

	assert_int_equal(error_of("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), 400);
	assert_int_equal(error_of("POST / HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n"), 400);
	assert_int_equal(error_of("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n"), 400);
	assert_int_equal(error_of("POST / HTTP/1.1\r\nContent-Length: \r\n\r\n"), 400);
	assert_int_equal(error_of("POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n"), 400);
	assert_int_equal(error_of("POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n"), 400);
	assert_int_equal(error_of("POST / HTTP/1.1\r\nContent-Length: 1,1\r\n\r\n"), 400);
	assert_int_equal(error_of("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n"), 400);
	/* Too big: 413, even when it would overflow 64 bits. */
	assert_int_equal(error_of("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n"), 413);
	snprintf(line, sizeof(line), "POST / HTTP/1.1\r\nContent-Length: %u\r\n\r\n", HTTP_BODY_MAX + 1);
	assert_int_equal(error_of(line), 413);
	snprintf(line, sizeof(line), "POST / HTTP/1.1\r\nContent-Length: %u\r\n\r\n", HTTP_BODY_MAX);
	o = parse_all_ways(line);
	assert_int_equal(o.status, HTTP_PARSE_MORE);   /* waiting for the body */
}

/* A request of exactly `total` bytes: one padding header fills it up. */
static char *request_of_size(size_t total)
{
	const char *head = "GET / HTTP/1.1\r\nX-Pad: ";
	const char *tail = "\r\n\r\n";
	char *s = malloc(total + 1);
	size_t pad = total - strlen(head) - strlen(tail);

	assert_non_null(s);
	strcpy(s, head);
	memset(s + strlen(head), 'a', pad);
	strcpy(s + strlen(head) + pad, tail);
	assert_int_equal(strlen(s), total);
	return s;
}

static void test_header_limit(void **state)
{
	char *ok = request_of_size(HTTP_HEADER_MAX);
	char *big = request_of_size(HTTP_HEADER_MAX + 1);
	struct outcome o;

	(void)state;
	o = parse_all_ways(ok);
	assert_int_equal(o.status, HTTP_PARSE_DONE);
	assert_int_equal(o.req.header_bytes, HTTP_HEADER_MAX);
	assert_int_equal(error_of(big), 431);
	/* A header that never ends is cut off at the limit, without waiting
	 * for a line end. */
	memset(big + 30, 'b', HTTP_HEADER_MAX + 1 - 30);
	assert_int_equal(error_of(big), 431);
	big[HTTP_HEADER_MAX] = '\0';
	assert_int_equal(parse_all_ways(big).status, HTTP_PARSE_MORE);
	/* Empty lines before the request count too: no endless CRLF feed. */
	memset(big, '\n', HTTP_HEADER_MAX + 1);
	assert_int_equal(error_of(big), 431);
	free(ok);
	free(big);
}

static void test_path_limit(void **state)
{
	char line[HTTP_PATH_MAX + 64];
	struct outcome o;

	(void)state;
	line[0] = '/';
	memset(line + 1, 'p', HTTP_PATH_MAX - 1);
	strcpy(line + HTTP_PATH_MAX, " HTTP/1.1\r\n\r\n");
	char req[sizeof(line) + 8];
	snprintf(req, sizeof(req), "GET %s", line);
	o = parse_all_ways(req);
	assert_int_equal(o.status, HTTP_PARSE_DONE);
	assert_int_equal(o.req.path_len, HTTP_PATH_MAX);

	line[0] = '/';
	memset(line + 1, 'p', HTTP_PATH_MAX);
	strcpy(line + HTTP_PATH_MAX + 1, " HTTP/1.1\r\n\r\n");
	snprintf(req, sizeof(req), "GET %s", line);
	assert_int_equal(error_of(req), 414);
}

static void test_error_is_sticky(void **state)
{
	struct http_parser p;
	struct http_request req;
	size_t used;

	(void)state;
	http_parser_init(&p);
	assert_int_equal(http_parse(&p, "BAD\x01", 4, &used, &req), HTTP_PARSE_ERROR);
	assert_int_equal(p.error, 400);
	assert_int_equal(http_parse(&p, "GET / HTTP/1.1\r\n\r\n", 18, &used, &req),
			 HTTP_PARSE_ERROR);
	assert_int_equal(used, 0);
}

static void test_random_bytes_never_crash(void **state)
{
	unsigned seed = 12345;

	(void)state;
	/* Deterministic noise: whatever comes, the parser ends in one of its
	 * three answers with a sane error status, never out of bounds. */
	for (int round = 0; round < 2000; round++) {
		char buf[512];
		size_t len = 1 + (size_t)(seed % sizeof(buf));
		struct http_parser p;

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (char)(seed >> 16);
		}
		http_parser_init(&p);
		struct outcome o = feed(&p, buf, len, 1 + round % 5);
		if (o.status == HTTP_PARSE_ERROR)
			assert_true(o.error == 400 || o.error == 413 || o.error == 414 ||
				    o.error == 431 || o.error == 501 || o.error == 505);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_get),
		cmocka_unit_test(test_every_split_point),
		cmocka_unit_test(test_incomplete_needs_more),
		cmocka_unit_test(test_pipelined_in_order),
		cmocka_unit_test(test_keep_alive_rules),
		cmocka_unit_test(test_bare_lf_accepted),
		cmocka_unit_test(test_malformed_request_line),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_malformed_headers),
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_header_limit),
		cmocka_unit_test(test_path_limit),
		cmocka_unit_test(test_error_is_sticky),
		cmocka_unit_test(test_random_bytes_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
