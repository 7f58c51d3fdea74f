/* The ZWSTATS counter line (kernel.h's struct kstats plus clock facts). */
#ifndef UK_CORE_STATS_H
#define UK_CORE_STATS_H
#include <stdint.h>

void kstats_print_line(const char *why);
/* Nonzero when a console write is in progress; the report then follows it. */
int console_defer_report(void);
/* Time spent halted, for CLOCK_PROCESS_CPUTIME_ID and the report. */
extern uint64_t kstats_halted_ns;
/* Set when a debug request (NMI, COM1 byte) was served. */
extern volatile int kstats_debug_request;

#endif
