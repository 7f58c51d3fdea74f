/* The bytes httpd sends: the fixed 612-byte page, a small body for every
 * other status, and the header lines around them. Pure, no I/O. */
#ifndef ZW_HTTP_RESPONSE_H
#define ZW_HTTP_RESPONSE_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "http_parse.h"

#define HTTP_PAGE_BYTES   612    /* nginx's default welcome page size */
#define HTTP_RESPONSE_MAX 1024   /* the largest response built here */
#define HTTP_DATE_LEN     29     /* "Sun, 06 Nov 1994 08:49:37 GMT" */

/* 200 for GET or HEAD of "/" (a query string is ignored), 405 for other
 * methods, 404 for other paths. */
int http_route(const struct http_request *req);

/* Writes the whole response into out (at least HTTP_RESPONSE_MAX bytes) and
 * returns its length. head: headers only. date: HTTP_DATE_LEN chars. */
size_t http_response_build(char *out, int status, bool head, bool keep_alive,
			   const char *date);

/* The page GET / returns (HTTP_PAGE_BYTES bytes, not NUL-terminated in
 * use), so other servers can be given the very same bytes. */
const char *http_page(void);

/* IMF-fixdate of t, NUL-terminated: out holds HTTP_DATE_LEN + 1 bytes. */
void http_date_format(char *out, time_t t);

#endif
