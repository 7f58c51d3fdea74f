/* Command-line helpers shared by the workloads: "--name value" and
 * "--name=value" options, numbers with ranges, and the one-line error plus
 * usage that bad input earns (exit 2). Output goes through write(2), not
 * stdio, so no syscall outside the unikernel's subset is needed. */
#ifndef ZW_WORKLOADS_CLI_H
#define ZW_WORKLOADS_CLI_H
#include <stdbool.h>

struct cli {
	const char *prog;
	const char *usage;   /* full usage text, newline-terminated */
	int argc;
	char **argv;
	int i;               /* the argument being looked at */
	const char *value;   /* the matched option's value */
};

void cli_init(struct cli *cli, const char *prog, const char *usage,
	      int argc, char **argv);
/* Whether argv[i] is --name (taking the value from "=..." or argv[i+1]).
 * Advances past what it matched. A --name without a value is a usage error. */
bool cli_option(struct cli *cli, const char *name);
/* argv[i] is --help or -h: prints usage to stdout and exits 0. */
void cli_help_or_unknown(struct cli *cli);
unsigned long cli_number(struct cli *cli, const char *name,
			 unsigned long min, unsigned long max);
_Noreturn void cli_usage_error(struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes all of s to fd; returns 0 or a negative errno. */
int cli_write_all(int fd, const char *s, unsigned long len);
void cli_write_str(int fd, const char *s);

#endif
