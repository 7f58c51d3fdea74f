#include "console.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A console that grows without bound would let a chatty guest eat the
 * harness's memory; keep the last 1 MiB. */
#define CONSOLE_KEEP (1u << 20)

void console_init(struct console *c)
{
	memset(c, 0, sizeof(*c));
}

void console_free(struct console *c)
{
	free(c->buf);
	console_init(c);
}

static void console_trim(struct console *c)
{
	if (c->len <= CONSOLE_KEEP)
		return;
	size_t drop = c->len - CONSOLE_KEEP / 2;
	memmove(c->buf, c->buf + drop, c->len - drop);
	c->len -= drop;
	c->scanned = c->scanned > drop ? c->scanned - drop : 0;
}

void console_append(struct console *c, const char *data, size_t n)
{
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		while (cap < c->len + n + 1)
			cap *= 2;
		char *p = realloc(c->buf, cap);
		if (!p)
			return; /* losing console text is better than aborting a run */
		c->buf = p;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, data, n);
	c->len += n;
	c->buf[c->len] = '\0';
	console_trim(c);
}

long console_read_fd(struct console *c, int fd)
{
	char tmp[8192];
	long total = 0;
	for (;;) {
		ssize_t r = read(fd, tmp, sizeof(tmp));
		if (r > 0) {
			console_append(c, tmp, (size_t)r);
			total += r;
			continue;
		}
		if (r == 0)
			return total;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return total ? total : -EAGAIN;
		return total ? total : -errno;
	}
}

const char *console_next_line(struct console *c, char *line, size_t cap)
{
	if (!c->buf || c->scanned >= c->len)
		return NULL;
	char *start = c->buf + c->scanned;
	char *nl = memchr(start, '\n', c->len - c->scanned);
	if (!nl)
		return NULL;
	size_t n = (size_t)(nl - start);
	c->scanned += n + 1;
	if (n && start[n - 1] == '\r')
		n--; /* serial consoles end lines with CRLF */
	if (n >= cap)
		n = cap - 1;
	memcpy(line, start, n);
	line[n] = '\0';
	return line;
}

void console_tail(const struct console *c, int n, char *out, size_t cap)
{
	out[0] = '\0';
	if (!c->buf || !c->len || cap == 0)
		return;
	size_t end = c->len;
	while (end > 0 && (c->buf[end - 1] == '\n' || c->buf[end - 1] == '\r'))
		end--;
	size_t start = end;
	int lines = 0;
	while (start > 0) {
		if (c->buf[start - 1] == '\n' && ++lines >= n)
			break;
		start--;
	}
	size_t len = end - start;
	if (len >= cap) {
		start = end - (cap - 1);
		len = cap - 1;
	}
	size_t o = 0;
	for (size_t i = 0; i < len; i++)
		if (c->buf[start + i] != '\r')
			out[o++] = c->buf[start + i];
	out[o] = '\0';
}

const char *console_last_line_with(const struct console *c, size_t from, const char *needle, char *line,
				   size_t cap)
{
	const char *hit = NULL;
	if (!c->buf || from >= c->len)
		return NULL;
	for (const char *p = c->buf + from; p < c->buf + c->len;) {
		const char *nl = memchr(p, '\n', (size_t)(c->buf + c->len - p));
		if (!nl)
			break; /* only complete lines */
		if (memmem(p, (size_t)(nl - p), needle, strlen(needle)))
			hit = p;
		p = nl + 1;
	}
	if (!hit)
		return NULL;
	size_t n = strcspn(hit, "\r\n");
	if (n >= cap)
		n = cap - 1;
	memcpy(line, hit, n);
	line[n] = '\0';
	return line;
}
