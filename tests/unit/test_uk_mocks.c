/* See test_uk_mocks.h. Allocation goes through cmocka's test_malloc so
 * leaks of struct file and friends fail the test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel.h"
#include "file.h"
#include "test_uk_mocks.h"

char mock_console[65536];
size_t mock_console_len;
jmp_buf mock_exit_jmp;
int mock_exit_armed;
uint64_t mock_time_ns = 5000000000ULL, mock_realtime_ns = 1700000000000000000ULL;
uint64_t mock_last_wait_deadline;
uint64_t mock_fs_base;
uint64_t mock_brk = 0x500000;
struct kstats kstats;
uint64_t kstats_halted_ns;

void mock_console_reset(void)
{
	mock_console_len = 0;
	mock_console[0] = '\0';
}

void console_write(const char *s, size_t n)
{
	if (mock_console_len + n >= sizeof(mock_console))
		n = sizeof(mock_console) - 1 - mock_console_len;
	memcpy(mock_console + mock_console_len, s, n);
	mock_console_len += n;
	mock_console[mock_console_len] = '\0';
}

void kvprintf(const char *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fail_msg("kernel panic");
	abort();
}

void machine_exit(int status)
{
	if (mock_exit_armed)
		longjmp(mock_exit_jmp, status + 1);
	fail_msg("machine_exit(%d) not expected", status);
	abort();
}

void *kmalloc(size_t size)
{
	return test_calloc(1, size ? size : 1);
}

void *kcalloc(size_t n, size_t size)
{
	return test_calloc(n ? n : 1, size ? size : 1);
}

void kfree(void *p)
{
	if (p)
		test_free(p);
}

uint64_t time_ns(void)
{
	return mock_time_ns;
}

uint64_t time_realtime_ns(void)
{
	return mock_realtime_ns;
}

int wait_event(int (*cond)(void *arg), void *arg, uint64_t deadline_ns)
{
	mock_last_wait_deadline = deadline_ns;
	if (cond && cond(arg))
		return 0;
	return -110; /* ETIMEDOUT */
}

int pollers_run(void)
{
	return 0;
}

int user_range_ok(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;
	return n == 0 || (a >= 4096 && a + n >= a);
}

uint64_t arch_random64(void)
{
	static uint64_t x = 0x0123456789abcdefULL;
	x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return x;
}

uint32_t arch_hwcap(void)
{
	return 0x178bfbff;
}

void arch_set_fs_base(uint64_t base)
{
	mock_fs_base = base;
}

uint64_t arch_get_fs_base(void)
{
	return mock_fs_base;
}

/* appmem: a brk that always moves, maps that always fail. */
uint64_t appmem_brk(uint64_t addr)
{
	if (addr >= 0x500000)
		mock_brk = addr;
	return mock_brk;
}

long appmem_map(size_t len)
{
	(void)len;
	return -12;
}

long appmem_map_fixed(uint64_t addr, size_t len, int replace)
{
	(void)len, (void)replace;
	return (long)addr;
}

long appmem_unmap(uint64_t addr, size_t len)
{
	(void)addr, (void)len;
	return 0;
}

long appmem_remap(uint64_t old, size_t oldlen, size_t newlen, int may_move)
{
	(void)oldlen, (void)newlen, (void)may_move;
	return (long)old;
}

uint64_t appmem_stack_size(void)
{
	return 512 * 1024;
}
