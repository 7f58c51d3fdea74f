/* CPU time of process trees in nanoseconds, from each thread's
 * /proc/<pid>/task/<tid>/schedstat. An idle instance uses microseconds a
 * second, which /proc/<pid>/stat's 10 ms ticks cannot show; the scale and
 * density experiments need that resolution to tell "idle" from "asleep". */
#ifndef ZW_SCHEDSTAT_H
#define ZW_SCHEDSTAT_H
#include <sys/types.h>

/* Seconds of CPU used so far by the trees under roots (roots included),
 * or -1 when nothing could be read. Threads that ended are not counted:
 * take differences over windows in which the instance keeps its threads. */
double schedstat_tree_cpu_s(const pid_t *roots, int n);

/* Busy seconds of all CPUs so far, from /proc/stat (user, nice, system,
 * irq, softirq, steal; in ticks), or NaN: the denominator of a CPU share. */
double host_cpu_busy_s(void);

#endif
