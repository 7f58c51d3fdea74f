/* A minimal HTTP/1.1 client for probes (is the instance serving?), not for
 * load: load comes from wrk. */
#ifndef ZW_HTTPCLIENT_H
#define ZW_HTTPCLIENT_H
#include <stddef.h>

struct http_result {
	int status;           /* HTTP status, 0 if none was parsed */
	long body_len;        /* bytes of body received */
	long content_length;  /* header value, -1 if absent */
	double connect_s, first_byte_s, total_s;
};

/* GET path from addr:port with an overall timeout. Returns 0 when a complete
 * response arrived, -errno otherwise (-ECONNREFUSED, -ETIMEDOUT, -EPROTO). */
int http_get(const char *addr, int port, const char *path, double timeout_s,
	     struct http_result *res);

/* Retries http_get until a 200 arrives or the deadline (absolute now_s())
 * passes. Returns 0 with res filled, or the last error. */
int http_wait_200(const char *addr, int port, double deadline, struct http_result *res);

/* Parses a response head; exposed for tests. Returns header length or 0 if
 * incomplete, -EPROTO if malformed. */
int http_parse_response_head(const char *buf, size_t len, int *status, long *content_length);

#endif
