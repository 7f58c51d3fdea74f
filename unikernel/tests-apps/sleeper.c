/* Clock and idle test: prints CLOCK lines with the guest's MONOTONIC and
 * REALTIME readings, sleeps the given seconds in one nanosleep, prints
 * again and exits 0. The host compares the readings with its own clocks;
 * while it sleeps the kernel should take no timer interrupts at all. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long ns(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void report(const char *tag)
{
	printf("CLOCK %s mono_ns=%lld real_ns=%lld cpu_ns=%lld\n", tag, ns(CLOCK_MONOTONIC),
	       ns(CLOCK_REALTIME), ns(CLOCK_PROCESS_CPUTIME_ID));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	/* Under TCG the first printf also translates musl's stdio code, which
	 * delays that line by a millisecond or two after its clock reading;
	 * the "start" line comes second so the host's timing of it is fair. */
	report("boot");
	report("start");
	struct timespec nap = { (time_t)secs, (long)((secs - (time_t)secs) * 1e9) };
	if (nanosleep(&nap, NULL) != 0) {
		printf("nanosleep failed\n");
		return 1;
	}
	report("end");
	return 0;
}
