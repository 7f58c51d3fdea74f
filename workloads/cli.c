#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_init(struct cli *cli, const char *prog, const char *usage,
	      int argc, char **argv)
{
	cli->prog = prog;
	cli->usage = usage;
	cli->argc = argc;
	cli->argv = argv;
	cli->i = 1;
	cli->value = NULL;
}

int cli_write_all(int fd, const char *s, unsigned long len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += n;
		len -= (unsigned long)n;
	}
	return 0;
}

void cli_write_str(int fd, const char *s)
{
	(void)cli_write_all(fd, s, strlen(s));
}

_Noreturn void cli_usage_error(struct cli *cli, const char *fmt, ...)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "%s: ", cli->prog);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	cli_write_str(2, line);
	cli_write_str(2, cli->usage);
	exit(2);
}

bool cli_option(struct cli *cli, const char *name)
{
	const char *arg = cli->argv[cli->i];
	size_t n = strlen(name);

	if (strncmp(arg, name, n) != 0)
		return false;
	if (arg[n] == '=') {
		cli->value = arg + n + 1;
		cli->i++;
		return true;
	}
	if (arg[n] != '\0')
		return false;
	if (cli->i + 1 >= cli->argc)
		cli_usage_error(cli, "%s needs a value", name);
	cli->value = cli->argv[cli->i + 1];
	cli->i += 2;
	return true;
}

void cli_help_or_unknown(struct cli *cli)
{
	const char *arg = cli->argv[cli->i];

	if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
		cli_write_str(1, cli->usage);
		exit(0);
	}
	cli_usage_error(cli, "unknown argument '%s'", arg);
}

unsigned long cli_number(struct cli *cli, const char *name,
			 unsigned long min, unsigned long max)
{
	const char *s = cli->value;
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno || v < min || v > max)
		cli_usage_error(cli, "invalid %s '%s' (want an integer %lu-%lu)",
				name, s, min, max);
	return v;
}
