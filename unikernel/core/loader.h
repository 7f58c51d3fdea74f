/* Loads the app ELF (the PVH module) and builds its initial stack. */
#ifndef UK_CORE_LOADER_H
#define UK_CORE_LOADER_H
#include <stdint.h>

struct app_start {
	uint64_t entry, sp;
	uint64_t load_lo, load_hi;   /* where the image landed */
	const char *name;            /* argv[0] */
};

/* img/len: the module in memory (identity-mapped). Returns 0 or -errno
 * after printing why. */
int app_load(const void *img, uint64_t len, struct app_start *out);

#endif
