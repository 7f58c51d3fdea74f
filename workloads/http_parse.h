/* Incremental HTTP/1.x request parser.
 *
 * Pure: no I/O, no allocation. It is fed bytes as they arrive, in pieces of
 * any size, and keeps only what the server needs (method, path, version,
 * keep-alive, Content-Length), so a connection costs a few hundred bytes
 * however slowly its client sends. A request's body is skipped, not stored.
 *
 * Choices (see workloads/README.md):
 *  - a bare LF ends a line, as RFC 9112 section 2.2 allows and nginx does;
 *    a CR not followed by LF is a 400;
 *  - empty lines before a request line are skipped but count towards the
 *    header limit;
 *  - obs-fold (a header line starting with SP or HT) is a 400;
 *  - Transfer-Encoding is not implemented: 501;
 *  - the Host header is not required. */
#ifndef ZW_HTTP_PARSE_H
#define ZW_HTTP_PARSE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_HEADER_MAX  8192        /* request line + headers, else 431 */
#define HTTP_PATH_MAX    256         /* request target, else 414 */
#define HTTP_METHOD_MAX  16          /* longer is not a method we know: 400 */
#define HTTP_BODY_MAX    (1u << 20)  /* Content-Length above this: 413 */

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_OTHER };

enum http_parse_status {
	HTTP_PARSE_MORE,   /* everything given was consumed; feed more */
	HTTP_PARSE_DONE,   /* one request (and its body) is complete */
	HTTP_PARSE_ERROR,  /* malformed; see parser.error for the status */
};

/* Valid until the next http_parse call on the same parser. */
struct http_request {
	enum http_method method;
	const char *method_name;
	const char *path;
	size_t path_len;
	int version_minor;          /* HTTP/1.<minor> */
	bool keep_alive;
	uint64_t content_length;
	size_t header_bytes;        /* request line and headers, terminator included */
};

struct http_parser {
	int state;
	int error;                  /* HTTP status (400, 413, 414, 431, 501, 505) */
	size_t header_bytes;
	uint64_t body_left;

	char method[HTTP_METHOD_MAX + 1];
	size_t method_len;
	char path[HTTP_PATH_MAX + 1];
	size_t path_len;
	size_t version_pos;         /* chars of "HTTP/x.y" matched */
	int version_major;
	int version_minor;

	char name[24];              /* header name, lower-cased; longer names are */
	size_t name_len;            /* of no interest and only validated */
	int header;                 /* which header's value is being read */

	/* Content-Length value */
	bool cl_seen;
	uint64_t content_length;
	bool cl_digits;
	bool cl_trailing_ws;
	bool cl_bad;
	bool cl_too_big;
	uint64_t cl_value;

	/* Connection value: comma-separated tokens */
	char token[16];
	size_t token_len;
	bool conn_close;
	bool conn_keep_alive;

	bool transfer_encoding;
};

void http_parser_init(struct http_parser *p);

/* Consumes bytes from data up to the end of one request, or all of them.
 * *consumed says how many; on HTTP_PARSE_DONE the rest belongs to the next
 * (pipelined) request and is fed in the next call. After HTTP_PARSE_ERROR
 * every further call returns HTTP_PARSE_ERROR. */
enum http_parse_status http_parse(struct http_parser *p, const char *data,
				  size_t len, size_t *consumed,
				  struct http_request *req);

#endif
