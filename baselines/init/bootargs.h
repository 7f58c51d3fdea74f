/* What zwinit takes from the kernel command line. The keys are the ones the
 * unikernel reads (zw.ip=, zw.gw=, workload argv after "--"), so the harness
 * builds one kind of command line for both. Pure parsing, no system calls:
 * the same file is compiled for the host and unit-tested. */
#ifndef ZW_BOOTARGS_H
#define ZW_BOOTARGS_H
#include <stdint.h>

#define BOOTARGS_MAX_ARGV 32
#define BOOTARGS_BUF      4096

struct bootargs {
	int has_ip;
	uint32_t ip;         /* network byte order */
	uint32_t netmask;    /* network byte order, from the /len prefix */
	int has_gw;
	uint32_t gw;         /* network byte order */
	int trace;           /* zw.trace=1: zwinit prints the time of each step */
	int argc;
	char *argv[BOOTARGS_MAX_ARGV + 1];   /* NULL-terminated; point into buf */
	char buf[BOOTARGS_BUF];
};

/* Parses a whole command line (as in /proc/cmdline). Words are split on
 * blanks; a word may be double-quoted, as the kernel allows. Returns 0, or
 * -EINVAL for a malformed zw.ip= / zw.gw=, -E2BIG when it does not fit. */
int bootargs_parse(const char *cmdline, struct bootargs *ba);

/* "a.b.c.d" into network byte order; 0 or -EINVAL. */
int bootargs_parse_ipv4(const char *s, uint32_t *out);

/* Is word something QEMU appended by itself that must not reach the workload? */
int bootargs_is_vmm_word(const char *word);

#endif
