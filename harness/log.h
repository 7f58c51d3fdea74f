#ifndef ZW_LOG_H
#define ZW_LOG_H
#include <stdarg.h>

/* All diagnostics go to stderr so stdout stays machine-readable. */
extern int zw_verbose;

void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Bad input: one-line error, exit status 2. */
void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
