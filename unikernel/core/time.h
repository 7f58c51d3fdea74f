/* The TSC clock behind time_ns() (kernel.h), and its conversions. */
#ifndef UK_CORE_TIME_H
#define UK_CORE_TIME_H
#include <stdint.h>

struct clock_info {
	uint64_t hz;            /* current TSC frequency estimate */
	const char *method;     /* where it came from */
	unsigned refinements;   /* PIT refinements applied since boot */
	uint64_t calib_err_ppm; /* the boot measurement's error bound */
};

/* Records the boot TSC: time_ns() counts from here. */
void time_early_init(void);
/* Calibrates; until then time_ns() is 0. Returns 0 or -ENODEV. */
int time_init(void);
uint64_t time_ns_to_tsc(uint64_t ns);
const struct clock_info *time_clock_info(void);

#endif
