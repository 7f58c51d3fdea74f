/* kprintf and friends on COM1. A debug report requested by an NMI in the
 * middle of a console write waits for the write to end, so lines never
 * interleave. */
#include "kernel.h"
#include "exitcodes.h"
#include "stats.h"
#include "../arch/x86_64/arch.h"

static volatile int console_busy;
static volatile int report_deferred;

void console_write(const char *s, size_t n)
{
	console_busy = 1;
	serial_write(s, n);
	console_busy = 0;
	if (report_deferred) {
		report_deferred = 0;
		kstats_print_line("debug");
	}
}

int console_defer_report(void)
{
	if (!console_busy)
		return 0;
	report_deferred = 1;
	return 1;
}

void kvprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	console_write(buf, (size_t)n);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

__attribute__((noreturn)) void panic(const char *fmt, ...)
{
	irq_disable();
	va_list ap;
	va_start(ap, fmt);
	kprintf("\nZW: PANIC: ");
	kvprintf(fmt, ap);
	kprintf("\n");
	va_end(ap);
	machine_exit(ZW_EXIT_PANIC);
}
