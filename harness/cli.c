#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "log.h"

unsigned cli_uint(const char *opt, const char *value, unsigned min, unsigned max)
{
	char *end;
	errno = 0;
	if (!value || !*value)
		die_usage("%s needs a value", opt);
	unsigned long v = strtoul(value, &end, 10);
	if (errno || *end || value[0] == '-' || v < min || v > max)
		die_usage("%s: '%s' is not an integer in [%u, %u]", opt, value, min, max);
	return (unsigned)v;
}

double cli_double(const char *opt, const char *value, double min, double max)
{
	char *end;
	errno = 0;
	if (!value || !*value)
		die_usage("%s needs a value", opt);
	double v = strtod(value, &end);
	if (errno || *end || isnan(v) || v < min || v > max)
		die_usage("%s: '%s' is not a number in [%g, %g]", opt, value, min, max);
	return v;
}
