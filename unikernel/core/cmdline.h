/* The kernel command line: zw.* options, then "--", then the app's argv.
 * Words before "--" that are KEY=VALUE with a KEY not starting with "zw."
 * become the app's environment (as Linux hands unknown options to init).
 * Words split on spaces; no quoting. */
#ifndef UK_CORE_CMDLINE_H
#define UK_CORE_CMDLINE_H
#include <stddef.h>

#define CMDLINE_MAX 4096
#define CMDLINE_MAX_ARGS 64

/* Keeps a copy (truncated to CMDLINE_MAX - 1 bytes). */
void cmdline_set(const char *s);

/* Splits the app's part into argv/envp pointing into an internal copy;
 * returns argc (>= 1: argv[0] defaults to "app"), and *envc. */
int cmdline_app_args(const char **argv, int max_argv, const char **envp, int max_envp, int *envc);

#endif
