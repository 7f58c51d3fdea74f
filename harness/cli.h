/* Argument parsing helpers: bad input is a one-line error and exit 2. */
#ifndef ZW_CLI_H
#define ZW_CLI_H

unsigned cli_uint(const char *opt, const char *value, unsigned min, unsigned max);
double cli_double(const char *opt, const char *value, double min, double max);

#endif
