#include "log.h"

#include <stdio.h>
#include <stdlib.h>

int zw_verbose;

static void emit(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#define DEFINE_LOGGER(fn, prefix, cond)                                      \
	void fn(const char *fmt, ...)                                         \
	{                                                                     \
		if (!(cond))                                                  \
			return;                                               \
		va_list ap;                                                   \
		va_start(ap, fmt);                                            \
		emit(prefix, fmt, ap);                                        \
		va_end(ap);                                                   \
	}

DEFINE_LOGGER(pr_err, "zerowatt: error: ", 1)
DEFINE_LOGGER(pr_warn, "zerowatt: warning: ", 1)
DEFINE_LOGGER(pr_info, "zerowatt: ", 1)
DEFINE_LOGGER(pr_debug, "zerowatt: debug: ", zw_verbose)

void die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("zerowatt: ", fmt, ap);
	va_end(ap);
	exit(2);
}
