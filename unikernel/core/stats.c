/* Counters, and the one machine-readable line that reports them:
 *   ZWSTATS why=<exit|nmi|serial|debug> uptime_ns=.. timer_irqs=.. ...
 * printed at exit and on a debug request (an NMI, e.g. QMP inject-nmi, or a
 * byte on COM1). The harness parses key=value pairs; new keys may appear.
 * A debug request wakes a halted CPU; that wakeup is not counted, so the
 * harness can measure "0 wakeups/s" by asking twice. */
#include "kernel.h"
#include "stats.h"
#include "thread.h"
#include "vmem.h"
#include "time.h"
#include "pmm.h"
#include "../arch/x86_64/arch.h"

struct kstats kstats;
uint64_t kstats_halted_ns;
volatile int kstats_debug_request;
static uint64_t debug_requests;

void kstats_print_line(const char *why)
{
	const struct clock_info *ci = time_clock_info();
	kprintf("ZWSTATS why=%s uptime_ns=%lu timer_irqs=%lu other_irqs=%lu wakeups=%lu hlts=%lu "
		"halted_ns=%lu syscalls=%lu rx_frames=%lu tx_frames=%lu rx_dropped=%lu "
		"debug_requests=%lu mem_free_kib=%lu tsc_hz=%lu clock=%s clock_refinements=%u "
		"threads=%d thread_switches=%lu demand_kib=%lu\n",
		why, time_ns(), kstats.timer_irqs, kstats.other_irqs, kstats.wakeups, kstats.hlts,
		kstats_halted_ns, kstats.syscalls, kstats.rx_frames, kstats.tx_frames,
		kstats.rx_dropped, debug_requests, pmm_free_pages() * (PAGE_SIZE / 1024), ci->hz,
		ci->method ? ci->method : "none", ci->refinements, thread_count(), thread_switches,
		vmem_resident_pages() * (PAGE_SIZE / 1024));
}

void kstats_report(const char *why)
{
	/* The request's own wake from HLT is not the guest's doing: the
	 * idle loop leaves it out of "wakeups" (see idle.c). */
	kstats_debug_request = 1;
	debug_requests++;
	if (console_defer_report())
		return;
	kstats_print_line(why);
}

__attribute__((noreturn)) void machine_exit(int status)
{
	irq_disable();
	kstats_print_line("exit");
	kprintf("ZW: exit status %d\n", status);
	arch_exit(status);
}
