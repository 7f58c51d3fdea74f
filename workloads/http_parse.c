/* Byte-at-a-time state machine: nothing is buffered beyond the few fields
 * the server uses, so any split of the input gives the same result. */
#include "http_parse.h"

#include <string.h>

enum state {
	S_START,        /* before the request line; empty lines skipped */
	S_START_LF,
	S_METHOD,
	S_TARGET,
	S_VERSION,
	S_LINE_LF,      /* request line's CR seen */
	S_HDR_START,
	S_HDR_NAME,
	S_HDR_OWS,      /* whitespace before a header value */
	S_HDR_VALUE,
	S_HDR_LF,
	S_END_LF,       /* the empty line's CR seen */
	S_BODY,
	S_DONE,
	S_ERROR,
};

enum header { H_OTHER, H_CONTENT_LENGTH, H_CONNECTION, H_TRANSFER_ENCODING };

static const char version_prefix[] = "HTTP/";

void http_parser_init(struct http_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->state = S_START;
}

static bool is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Field values may hold visible ASCII, SP, HT and obs-text. */
static bool is_field_char(unsigned char c)
{
	return is_ows(c) || (c >= 0x21 && c != 0x7f);
}

static unsigned char to_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static enum http_parse_status fail(struct http_parser *p, int status)
{
	p->state = S_ERROR;
	p->error = status;
	return HTTP_PARSE_ERROR;
}

static void identify_header(struct http_parser *p)
{
	p->header = H_OTHER;
	if (p->name_len >= sizeof(p->name))
		return;
	p->name[p->name_len] = '\0';
	if (strcmp(p->name, "content-length") == 0) {
		p->header = H_CONTENT_LENGTH;
		p->cl_digits = p->cl_trailing_ws = p->cl_bad = p->cl_too_big = false;
		p->cl_value = 0;
	} else if (strcmp(p->name, "connection") == 0) {
		p->header = H_CONNECTION;
		p->token_len = 0;
	} else if (strcmp(p->name, "transfer-encoding") == 0) {
		p->header = H_TRANSFER_ENCODING;
		p->transfer_encoding = true;
	}
}

static void connection_token_end(struct http_parser *p)
{
	if (p->token_len == 5 && memcmp(p->token, "close", 5) == 0)
		p->conn_close = true;
	else if (p->token_len == 10 && memcmp(p->token, "keep-alive", 10) == 0)
		p->conn_keep_alive = true;
	p->token_len = 0;
}

static void value_byte(struct http_parser *p, unsigned char c)
{
	switch (p->header) {
	case H_CONTENT_LENGTH:
		if (c >= '0' && c <= '9') {
			if (p->cl_trailing_ws)
				p->cl_bad = true;
			p->cl_digits = true;
			/* Saturate: anything above the limit is a 413 anyway. */
			if (!p->cl_too_big) {
				p->cl_value = p->cl_value * 10 + (c - '0');
				if (p->cl_value > HTTP_BODY_MAX)
					p->cl_too_big = true;
			}
		} else if (is_ows(c) && p->cl_digits) {
			p->cl_trailing_ws = true;
		} else {
			p->cl_bad = true;
		}
		break;
	case H_CONNECTION:
		if (is_tchar(c)) {
			/* An over-long token can match nothing: park it past the end. */
			if (p->token_len < sizeof(p->token))
				p->token[p->token_len] = to_lower(c);
			if (p->token_len <= sizeof(p->token))
				p->token_len++;
		} else {
			connection_token_end(p);
		}
		break;
	default:
		break;
	}
}

/* Returns 0, or the HTTP status that the header's value earns. */
static int value_end(struct http_parser *p)
{
	switch (p->header) {
	case H_CONTENT_LENGTH:
		if (p->cl_bad || !p->cl_digits)
			return 400;
		if (p->cl_too_big)
			return 413;
		/* Differing repeats make the body length ambiguous (smuggling). */
		if (p->cl_seen && p->cl_value != p->content_length)
			return 400;
		p->cl_seen = true;
		p->content_length = p->cl_value;
		return 0;
	case H_CONNECTION:
		connection_token_end(p);
		return 0;
	default:
		return 0;
	}
}

static enum http_method method_of(const char *name)
{
	if (strcmp(name, "GET") == 0)
		return HTTP_GET;
	if (strcmp(name, "HEAD") == 0)
		return HTTP_HEAD;
	return HTTP_OTHER;
}

static void fill_request(struct http_parser *p, struct http_request *req)
{
	p->method[p->method_len] = '\0';
	p->path[p->path_len] = '\0';
	req->method = method_of(p->method);
	req->method_name = p->method;
	req->path = p->path;
	req->path_len = p->path_len;
	req->version_minor = p->version_minor;
	if (p->version_minor >= 1)
		req->keep_alive = !p->conn_close;
	else
		req->keep_alive = p->conn_keep_alive && !p->conn_close;
	req->content_length = p->content_length;
	req->header_bytes = p->header_bytes;
}

/* The empty line ending the header section was read. Returns 0 when a body
 * follows or the request is complete, else an HTTP status. */
static int headers_end(struct http_parser *p)
{
	if (p->transfer_encoding)
		return 501;
	p->body_left = p->content_length;
	p->state = p->body_left ? S_BODY : S_DONE;
	return 0;
}

enum http_parse_status http_parse(struct http_parser *p, const char *data,
				  size_t len, size_t *consumed,
				  struct http_request *req)
{
	size_t i = 0;
	int status;

	*consumed = 0;
	if (p->state == S_ERROR)
		return HTTP_PARSE_ERROR;
	if (p->state == S_DONE)
		http_parser_init(p);

	while (i < len) {
		unsigned char c = (unsigned char)data[i];

		if (p->state == S_BODY) {
			size_t n = len - i;

			if (n > p->body_left)
				n = (size_t)p->body_left;
			p->body_left -= n;
			i += n;
			if (p->body_left == 0)
				p->state = S_DONE;
			break;
		}
		i++;
		*consumed = i;
		if (++p->header_bytes > HTTP_HEADER_MAX)
			return fail(p, 431);

		switch (p->state) {
		case S_START:
			if (c == '\r') {
				p->state = S_START_LF;
			} else if (c == '\n') {
				/* skipped, RFC 9112 section 2.2 */
			} else if (is_tchar(c)) {
				p->method[p->method_len++] = (char)c;
				p->state = S_METHOD;
			} else {
				return fail(p, 400);
			}
			break;
		case S_START_LF:
			if (c != '\n')
				return fail(p, 400);
			p->state = S_START;
			break;
		case S_METHOD:
			if (c == ' ') {
				p->state = S_TARGET;
			} else if (is_tchar(c) && p->method_len < HTTP_METHOD_MAX) {
				p->method[p->method_len++] = (char)c;
			} else {
				return fail(p, 400);
			}
			break;
		case S_TARGET:
			if (c == ' ' && p->path_len > 0) {
				p->state = S_VERSION;
			} else if (c > 0x20 && c < 0x7f) {
				if (p->path_len == HTTP_PATH_MAX)
					return fail(p, 414);
				p->path[p->path_len++] = (char)c;
			} else {
				return fail(p, 400);
			}
			break;
		case S_VERSION:
			if (p->version_pos < sizeof(version_prefix) - 1) {
				if (c != (unsigned char)version_prefix[p->version_pos])
					return fail(p, 400);
			} else if (p->version_pos == 5) {
				if (c < '0' || c > '9')
					return fail(p, 400);
				if (c != '1')
					return fail(p, 505);
				p->version_major = 1;
			} else if (p->version_pos == 6) {
				if (c != '.')
					return fail(p, 400);
			} else if (p->version_pos == 7) {
				if (c < '0' || c > '9')
					return fail(p, 400);
				p->version_minor = c - '0';
			} else if (c == '\r') {
				p->state = S_LINE_LF;
			} else if (c == '\n') {
				p->state = S_HDR_START;
			} else {
				return fail(p, 400);
			}
			p->version_pos++;
			break;
		case S_LINE_LF:
		case S_HDR_LF:
			if (c != '\n')
				return fail(p, 400);
			p->state = S_HDR_START;
			break;
		case S_HDR_START:
			if (c == '\r') {
				p->state = S_END_LF;
			} else if (c == '\n') {
				if ((status = headers_end(p)) != 0)
					return fail(p, status);
			} else if (is_tchar(c)) {
				/* obs-fold (leading SP/HT) lands in the else: 400 */
				p->name[0] = (char)to_lower(c);
				p->name_len = 1;
				p->state = S_HDR_NAME;
			} else {
				return fail(p, 400);
			}
			break;
		case S_HDR_NAME:
			if (c == ':') {
				identify_header(p);
				p->state = S_HDR_OWS;
			} else if (is_tchar(c)) {
				if (p->name_len < sizeof(p->name))
					p->name[p->name_len] = (char)to_lower(c);
				if (p->name_len < sizeof(p->name))
					p->name_len++;
			} else {
				return fail(p, 400);
			}
			break;
		case S_HDR_OWS:
		case S_HDR_VALUE:
			if (c == '\r' || c == '\n') {
				if ((status = value_end(p)) != 0)
					return fail(p, status);
				p->state = c == '\r' ? S_HDR_LF : S_HDR_START;
			} else if (p->state == S_HDR_OWS && is_ows(c)) {
				/* leading whitespace is not part of the value */
			} else if (is_field_char(c)) {
				p->state = S_HDR_VALUE;
				value_byte(p, c);
			} else {
				return fail(p, 400);
			}
			break;
		case S_END_LF:
			if (c != '\n')
				return fail(p, 400);
			if ((status = headers_end(p)) != 0)
				return fail(p, status);
			break;
		}
		if (p->state == S_DONE)
			break;
	}
	*consumed = i;
	if (p->state != S_DONE)
		return HTTP_PARSE_MORE;
	fill_request(p, req);
	return HTTP_PARSE_DONE;
}
