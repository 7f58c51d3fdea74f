/* What lwIP needs from its platform (arch/cc.h): diagnostics to the
 * console, assertions that stop the machine loudly, a clock, randomness. */
#include <stdarg.h>
#include "lwip/opt.h"
#include "lwip/sys.h"
#include "kernel.h"

void uk_lwip_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

void uk_lwip_assert(const char *msg, const char *file, int line)
{
	panic("lwIP assertion \"%s\" failed at %s:%d", msg, file, line);
}

u32_t sys_now(void)
{
	return (u32_t)(time_ns() / 1000000ULL);
}

/* Initial sequence numbers and ephemeral ports: an xorshift generator
 * stirred with the TSC-based clock on every call, so values differ between
 * boots and are not a plain counter. Not cryptographic. */
uint32_t uk_net_rand(void)
{
	static uint64_t s = 0x9e3779b97f4a7c15ULL;

	s ^= time_ns();
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (uint32_t)(s >> 16);
}
