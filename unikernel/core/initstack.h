/* The initial process stack the SysV x86-64 ABI specifies: argc, argv,
 * envp, auxv, then the strings and AT_RANDOM's bytes above them. */
#ifndef UK_CORE_INITSTACK_H
#define UK_CORE_INITSTACK_H
#include <stddef.h>
#include <stdint.h>

struct auxv_entry {
	uint64_t type, value;
};

struct initstack_args {
	int argc;
	const char *const *argv;
	int envc;
	const char *const *envp;
	const struct auxv_entry *aux;   /* without AT_RANDOM/AT_EXECFN/AT_PLATFORM/AT_NULL */
	int naux;
	uint8_t random[16];
	const char *platform;           /* "x86_64" */
};

/* Builds into buf, which the app sees at [top - len, top). Returns 0 and
 * the initial %rsp (16-byte aligned, pointing at argc), or -E2BIG. */
int initstack_build(uint8_t *buf, size_t len, uint64_t top, const struct initstack_args *a, uint64_t *sp_out);

#endif
