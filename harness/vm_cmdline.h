/* The Linux VM baseline's kernel command line: the boot tuning, in one table
 * with the reason for each option, plus what zwinit reads (zw.ip=, zw.gw=,
 * the workload's argv after "--", the keys the unikernel reads too). Pure
 * string building, unit-tested against zwinit's parser. */
#ifndef ZW_VM_CMDLINE_H
#define ZW_VM_CMDLINE_H
#include <stddef.h>

/* Linux's x86 COMMAND_LINE_SIZE, terminating NUL included. */
#define VM_CMDLINE_MAX 2048
/* Linux panics when init gets more than 32 arguments (MAX_INIT_ARGS). */
#define VM_CMDLINE_MAX_ARGS 30

struct vm_cmdline_tuning {
	const char *option;
	const char *why;
};

/* NULL-terminated. */
extern const struct vm_cmdline_tuning vm_cmdline_tuning[];

struct vm_cmdline_params {
	const char *guest_ip;      /* "10.201.3.2", NULL for no network set-up */
	int prefix_len;            /* 24 */
	const char *gateway;       /* "10.201.3.1" or NULL */
	unsigned long tsc_khz;     /* host TSC rate for tsc_early_khz=; 0 to let Linux calibrate */
	int trace;                 /* zw.trace=1: zwinit times its steps on the console */
	const char *extra;         /* more kernel options (experiments, tests), or NULL */
	const char *const *argv;   /* workload argv, NULL-terminated; argv[0] is its name */
};

/* Writes the whole command line into out. Returns its length, -EINVAL for an
 * argument Linux cannot carry (a double quote or newline in it, an empty
 * argv) and -E2BIG when it does not fit in cap or in VM_CMDLINE_MAX. */
int vm_cmdline_build(const struct vm_cmdline_params *p, char *out, size_t cap);

#endif
