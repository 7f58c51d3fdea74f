/* Output captured from an instance: a growing buffer with line access. */
#ifndef ZW_CONSOLE_H
#define ZW_CONSOLE_H
#include <stddef.h>

struct console {
	char *buf;
	size_t len, cap;
	size_t scanned;   /* bytes already searched for lines by console_next_line */
};

void console_init(struct console *c);
void console_free(struct console *c);
void console_append(struct console *c, const char *data, size_t n);
/* Reads whatever fd has now; returns bytes read, 0 at EOF, -EAGAIN if none. */
long console_read_fd(struct console *c, int fd);
/* Returns the next complete line not yet returned (without '\n'), or NULL. */
const char *console_next_line(struct console *c, char *line, size_t cap);
/* The last complete line at or after byte from that contains needle, copied
 * into line (truncated to cap); NULL if none. */
const char *console_last_line_with(const struct console *c, size_t from, const char *needle, char *line,
				   size_t cap);
/* The last n lines joined with '\n' into out. */
void console_tail(const struct console *c, int n, char *out, size_t cap);

#endif
