#include "http_response.h"

#include <string.h>

static const char page[] =
	"<!DOCTYPE html>\n"
	"<html>\n"
	"<head>\n"
	"<title>Welcome to zerowatt httpd</title>\n"
	"<style>\n"
	"body { width: 36em; margin: 0 auto; font-family: sans-serif; }\n"
	"</style>\n"
	"</head>\n"
	"<body>\n"
	"<h1>zerowatt httpd is serving!</h1>\n"
	"<p>This page is the fixed response of the zerowatt lab's workload server.\n"
	"It has the same size as a stock web server's welcome page, so that\n"
	"request rates measured here can be set beside published ones.</p>\n"
	"<p>The same static binary answers natively, in a container, in a Linux\n"
	"virtual machine and in the lab's own unikernel.</p>\n"
	"<p><em>Measured, not assumed; estimated when labelled.</em></p>\n"
	"</body>\n"
	"</html>\n";

_Static_assert(sizeof(page) - 1 == HTTP_PAGE_BYTES, "the page must be 612 bytes");

struct status_text {
	int status;
	const char *line;   /* status line, CRLF included */
	const char *body;   /* for statuses other than 200 */
};

static const struct status_text statuses[] = {
	{ 200, "HTTP/1.1 200 OK\r\n", NULL },
	{ 400, "HTTP/1.1 400 Bad Request\r\n", "400 Bad Request\n" },
	{ 404, "HTTP/1.1 404 Not Found\r\n", "404 Not Found\n" },
	{ 405, "HTTP/1.1 405 Method Not Allowed\r\n", "405 Method Not Allowed\n" },
	{ 413, "HTTP/1.1 413 Content Too Large\r\n", "413 Content Too Large\n" },
	{ 414, "HTTP/1.1 414 URI Too Long\r\n", "414 URI Too Long\n" },
	{ 431, "HTTP/1.1 431 Request Header Fields Too Large\r\n",
	  "431 Request Header Fields Too Large\n" },
	{ 501, "HTTP/1.1 501 Not Implemented\r\n", "501 Not Implemented\n" },
	{ 505, "HTTP/1.1 505 HTTP Version Not Supported\r\n",
	  "505 HTTP Version Not Supported\n" },
};

int http_route(const struct http_request *req)
{
	bool index = req->path_len == 1 ||
		     (req->path_len > 1 && req->path[1] == '?');

	if (req->method != HTTP_GET && req->method != HTTP_HEAD)
		return 405;
	if (req->path[0] != '/' || !index)
		return 404;
	return 200;
}

static const struct status_text *status_find(int status)
{
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].status == status)
			return &statuses[i];
	return &statuses[1];   /* an unknown status is our bug: say 400, never crash */
}

static char *put(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static char *put_uint(char *p, unsigned v)
{
	char digits[10];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = digits[--n];
	return p;
}

size_t http_response_build(char *out, int status, bool head, bool keep_alive,
			   const char *date)
{
	const struct status_text *st = status_find(status);
	const char *body = st->status == 200 ? page : st->body;
	size_t body_len = strlen(body);
	char *p = out;

	p = put(p, st->line);
	p = put(p, "Server: zerowatt-httpd\r\nDate: ");
	memcpy(p, date, HTTP_DATE_LEN);
	p += HTTP_DATE_LEN;
	p = put(p, st->status == 200 ? "\r\nContent-Type: text/html\r\n"
				     : "\r\nContent-Type: text/plain\r\n");
	if (st->status == 405)
		p = put(p, "Allow: GET, HEAD\r\n");
	p = put(p, "Content-Length: ");
	p = put_uint(p, (unsigned)body_len);
	p = put(p, keep_alive ? "\r\nConnection: keep-alive\r\n\r\n"
			      : "\r\nConnection: close\r\n\r\n");
	if (!head)
		p = put(p, body);
	return (size_t)(p - out);
}

void http_date_format(char *out, time_t t)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;
	char *p = out;

	/* gmtime_r is pure arithmetic in musl: no time zone file is read. */
	gmtime_r(&t, &tm);
	memcpy(p, days + 3 * tm.tm_wday, 3);
	p += 3;
	*p++ = ',';
	*p++ = ' ';
	*p++ = (char)('0' + tm.tm_mday / 10);
	*p++ = (char)('0' + tm.tm_mday % 10);
	*p++ = ' ';
	memcpy(p, months + 3 * tm.tm_mon, 3);
	p += 3;
	*p++ = ' ';
	int year = tm.tm_year + 1900;
	for (int d = 1000; d; d /= 10)
		*p++ = (char)('0' + (year / d) % 10);
	*p++ = ' ';
	*p++ = (char)('0' + tm.tm_hour / 10);
	*p++ = (char)('0' + tm.tm_hour % 10);
	*p++ = ':';
	*p++ = (char)('0' + tm.tm_min / 10);
	*p++ = (char)('0' + tm.tm_min % 10);
	*p++ = ':';
	*p++ = (char)('0' + tm.tm_sec / 10);
	*p++ = (char)('0' + tm.tm_sec % 10);
	memcpy(p, " GMT", 5);
}

const char *http_page(void)
{
	return page;
}
