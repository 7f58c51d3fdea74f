/* Clocks and sleeping. MONOTONIC and BOOTTIME count from the kernel's first
 * instruction; REALTIME adds the epoch taken at boot (core/time.c); the
 * CPU-time clocks report time not spent halted, which in a single-app
 * single-CPU guest is the app's CPU time plus the kernel's. */
#include "kernel.h"
#include "uk_errno.h"
#include "file.h"
#include "linux.h"
#include "stats.h"
#include "syscall_table.h"

static int clock_read(long clk, uint64_t *ns)
{
	switch (clk) {
	case LX_CLOCK_REALTIME:
	case LX_CLOCK_REALTIME_COARSE:
		*ns = time_realtime_ns();
		return 0;
	case LX_CLOCK_MONOTONIC:
	case LX_CLOCK_MONOTONIC_RAW:
	case LX_CLOCK_MONOTONIC_COARSE:
	case LX_CLOCK_BOOTTIME:
		*ns = time_ns();
		return 0;
	case LX_CLOCK_PROCESS_CPUTIME_ID:
	case LX_CLOCK_THREAD_CPUTIME_ID: {
		uint64_t now = time_ns();
		*ns = now > kstats_halted_ns ? now - kstats_halted_ns : 0;
		return 0;
	}
	default:
		return -EINVAL;
	}
}

long sys_clock_gettime(long clk, long tsp, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	uint64_t ns;
	int r = clock_read(clk, &ns);
	if (r < 0)
		return r;
	if (!user_range_ok((void *)tsp, sizeof(struct lx_timespec)))
		return -EFAULT;
	struct lx_timespec *ts = (void *)tsp;
	ts->tv_sec = (int64_t)(ns / 1000000000ULL);
	ts->tv_nsec = (int64_t)(ns % 1000000000ULL);
	return 0;
}

long sys_clock_getres(long clk, long tsp, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	uint64_t ns;
	int r = clock_read(clk, &ns);
	if (r < 0)
		return r;
	if (!tsp)
		return 0;
	if (!user_range_ok((void *)tsp, sizeof(struct lx_timespec)))
		return -EFAULT;
	struct lx_timespec *ts = (void *)tsp;
	ts->tv_sec = 0;
	ts->tv_nsec = 1;
	return 0;
}

long sys_gettimeofday(long tvp, long tzp, long a2, long a3, long a4, long a5)
{
	(void)tzp, (void)a2, (void)a3, (void)a4, (void)a5;
	if (!tvp)
		return 0;
	if (!user_range_ok((void *)tvp, sizeof(struct lx_timeval)))
		return -EFAULT;
	uint64_t ns = time_realtime_ns();
	struct lx_timeval *tv = (void *)tvp;
	tv->tv_sec = (int64_t)(ns / 1000000000ULL);
	tv->tv_usec = (int64_t)(ns % 1000000000ULL / 1000);
	return 0;
}

long sys_time(long tp, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	long s = (long)(time_realtime_ns() / 1000000000ULL);
	if (tp) {
		if (!user_range_ok((void *)tp, sizeof(long)))
			return -EFAULT;
		*(long *)tp = s;
	}
	return s;
}

/* Sleeps until the monotonic deadline; nothing can interrupt (no signals). */
static void sleep_until(uint64_t deadline)
{
	if (deadline == 0)
		deadline = 1;
	wait_wakeup(NULL, NULL, deadline);
}

long read_timespec(long tsp, uint64_t *ns)
{
	if (!user_range_ok((void *)tsp, sizeof(struct lx_timespec)))
		return -EFAULT;
	const struct lx_timespec *ts = (const void *)tsp;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)
		return -EINVAL;
	/* Saturate absurd requests rather than overflow. */
	if ((uint64_t)ts->tv_sec > 18000000000ULL)
		*ns = ~0ULL / 2;
	else
		*ns = (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec;
	return 0;
}

long sys_nanosleep(long req, long rem, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	uint64_t ns;
	long r = read_timespec(req, &ns);
	if (r < 0)
		return r;
	sleep_until(time_ns() + ns);
	if (rem && user_range_ok((void *)rem, sizeof(struct lx_timespec)))
		memset((void *)rem, 0, sizeof(struct lx_timespec));
	return 0;
}

long sys_clock_nanosleep(long clk, long flags, long req, long rem, long a4, long a5)
{
	(void)a4, (void)a5;
	uint64_t ns, now;
	if (clock_read(clk, &now) < 0 || clk == LX_CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	long r = read_timespec(req, &ns);
	if (r < 0)
		return r;
	uint64_t mono = time_ns();
	if (flags & LX_TIMER_ABSTIME)
		/* Translate the absolute time on clk to a monotonic deadline. */
		sleep_until(ns > now ? mono + (ns - now) : mono);
	else
		sleep_until(mono + ns);
	if (rem && !(flags & LX_TIMER_ABSTIME) && user_range_ok((void *)rem, sizeof(struct lx_timespec)))
		memset((void *)rem, 0, sizeof(struct lx_timespec));
	return 0;
}
