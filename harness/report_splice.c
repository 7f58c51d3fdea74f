#include "report_splice.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPEN_TAG  "<!-- zw:"
#define CLOSE_TAG "<!-- /zw:"
#define END_TAG   "-->"

static int line_of(const char *start, const char *p)
{
	int n = 1;
	for (; start < p; start++)
		n += *start == '\n';
	return n;
}

/* Start of the next fenced-code line (```), or NULL. */
static const char *next_fence(const char *p)
{
	for (const char *q = p; (q = strstr(q, "```")); q += 3)
		if (q == p || q[-1] == '\n')
			return q;
	return NULL;
}

/* The next marker (open or close) outside fenced code, or NULL. */
static const char *next_marker(const char *p, const char *text)
{
	(void)text;
	for (;;) {
		const char *m = strstr(p, "<!-- ");
		while (m && strncmp(m, OPEN_TAG, strlen(OPEN_TAG)) && strncmp(m, CLOSE_TAG, strlen(CLOSE_TAG)))
			m = strstr(m + 1, "<!-- ");
		const char *fence = next_fence(p);
		if (!m || !fence || m < fence)
			return m;
		const char *close = strstr(fence + 3, "\n```");
		if (!close)
			return NULL;
		p = close + 4;
	}
}

/* Parses "<!-- zw:KIND ARGS -->" at m into buf (kind and args split in
 * place); returns the end of the marker, or NULL when malformed. */
static const char *parse_open(const char *m, char *buf, size_t cap, char **kind, char **argv, int *argc)
{
	const char *body = m + strlen(OPEN_TAG);
	const char *end = strstr(body, END_TAG);
	const char *nl = strchr(body, '\n');
	if (!end || (nl && nl < end) || (size_t)(end - body) >= cap)
		return NULL;
	memcpy(buf, body, (size_t)(end - body));
	buf[end - body] = '\0';
	*argc = 0;
	*kind = strtok(buf, " \t");
	if (!*kind)
		return NULL;
	for (char *a; (a = strtok(NULL, " \t"));) {
		if (*argc >= SPLICE_MAX_ARGS)
			return NULL;
		argv[(*argc)++] = a;
	}
	return end + strlen(END_TAG);
}

int splice_text(const char *in, FILE *out, splice_fill_fn fill, int (*is_inline)(const char *kind),
		void *arg, char *err, size_t cap)
{
	const char *p = in;
	int filled = 0;
	for (;;) {
		const char *m = next_marker(p, in);
		if (!m) {
			fputs(p, out);
			return filled;
		}
		if (!strncmp(m, CLOSE_TAG, strlen(CLOSE_TAG))) {
			snprintf(err, cap, "line %d: closing marker without an opening one", line_of(in, m));
			return -EINVAL;
		}
		char buf[512], *kind, *argv[SPLICE_MAX_ARGS];
		int argc;
		const char *after = parse_open(m, buf, sizeof(buf), &kind, argv, &argc);
		if (!after) {
			snprintf(err, cap, "line %d: malformed marker (expected <!-- zw:KIND ARGS... -->)",
				 line_of(in, m));
			return -EINVAL;
		}
		char close[96];
		snprintf(close, sizeof(close), CLOSE_TAG "%s " END_TAG, kind);
		const char *next = next_marker(after, in);
		if (!next || strncmp(next, close, strlen(close)) != 0) {
			snprintf(err, cap, "line %d: marker zw:%s is not closed by '%s' before the next marker",
				 line_of(in, m), kind, close);
			return -EINVAL;
		}
		fwrite(p, 1, (size_t)(after - p), out);
		int inl = is_inline && is_inline(kind);
		char *content = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&content, &len);
		if (!mem)
			return -ENOMEM;
		char ferr[256] = "";
		int r = fill(arg, mem, kind, argc, argv, ferr, sizeof(ferr));
		fclose(mem);
		if (r < 0) {
			snprintf(err, cap, "line %d: %s", line_of(in, m), ferr);
			free(content);
			return r;
		}
		if (inl) {
			/* Inline content never spans lines: a number in a sentence. */
			for (char *c = content; *c; c++)
				if (*c == '\n')
					*c = ' ';
			while (len && content[len - 1] == ' ')
				content[--len] = '\0';
			fputs(content, out);
		} else {
			fputc('\n', out);
			fputs(content, out);
			if (!len || content[len - 1] != '\n')
				fputc('\n', out);
		}
		free(content);
		fputs(close, out);
		p = next + strlen(close);
		filled++;
	}
}

void splice_relative(const char *from, const char *to, char *out, size_t cap)
{
	/* Common leading components, compared whole (so /a/bc is not under /a/b). */
	size_t i = 0, last = 0;
	while (from[i] && from[i] == to[i]) {
		if (from[i] == '/')
			last = i;
		i++;
	}
	if (!from[i] && (to[i] == '/' || !to[i]))
		last = i;
	else if (!to[i] && from[i] == '/')
		last = i;
	size_t k = 0;
	out[0] = '\0';
	for (const char *f = from + last; *f; f++)
		if (*f == '/' && f[1] && k + 4 < cap)
			k += (size_t)snprintf(out + k, cap - k, "../");
	const char *rest = to + last;
	while (*rest == '/')
		rest++;
	if (*rest)
		snprintf(out + k, cap - k, "%s", rest);
	else if (k)
		out[k - 1] = '\0';
	else
		snprintf(out, cap, ".");
}
