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
#include "thread.h"
#include "vmem.h"
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

/* Physical pages (pipe buffers): page-aligned, zeroed, leak-checked. */
void *page_alloc(size_t npages)
{
	void *p = test_calloc(npages, 4096);
	return p;
}

void page_free(void *p, size_t npages)
{
	(void)npages;
	test_free(p);
}

int wait_wakeup(int (*cond)(void *arg), void *arg, uint64_t deadline_ns)
{
	return wait_event(cond, arg, deadline_ns);
}

/* The demand-paged window: records the last call, grants every request. */
struct mock_vmem_call mock_vmem_last;

int vmem_in_window(uint64_t addr)
{
	return addr >= VMEM_BASE && addr < VMEM_END;
}

long vmem_map(uint64_t hint, size_t len, int prot_none, int fixed, int noreplace)
{
	mock_vmem_last = (struct mock_vmem_call){ "map", hint, len, prot_none, fixed, noreplace };
	return (long)(hint && vmem_in_window(hint) ? hint : VMEM_END - len);
}

long vmem_unmap(uint64_t addr, size_t len)
{
	mock_vmem_last = (struct mock_vmem_call){ "unmap", addr, len, 0, 0, 0 };
	return 0;
}

long vmem_protect(uint64_t addr, size_t len, int prot_none)
{
	mock_vmem_last = (struct mock_vmem_call){ "protect", addr, len, prot_none, 0, 0 };
	return 0;
}

long vmem_discard(uint64_t addr, size_t len)
{
	mock_vmem_last = (struct mock_vmem_call){ "discard", addr, len, 0, 0, 0 };
	return 0;
}

long vmem_remap(uint64_t old, size_t oldlen, size_t newlen, int may_move)
{
	(void)oldlen, (void)may_move;
	mock_vmem_last = (struct mock_vmem_call){ "remap", old, newlen, 0, 0, 0 };
	return (long)old;
}

/* One thread, tid 1: clone has no room for another (thread_new fails). */
static struct thread mock_first_thread = { .tid = 1, .state = THREAD_RUNNING };
struct thread *thread_current = &mock_first_thread;
uint64_t thread_switches;

int thread_count(void)
{
	return 1;
}

struct thread *thread_next(struct thread *t)
{
	return t ? NULL : &mock_first_thread;
}

struct thread *thread_by_tid(int tid)
{
	return tid == 1 ? &mock_first_thread : NULL;
}

struct thread *thread_new(void)
{
	return NULL;
}

void thread_start(struct thread *t)
{
	(void)t;
}

void thread_wake(struct thread *t)
{
	if (t->state == THREAD_WAITING)
		t->state = THREAD_READY;
}

void thread_yield(void)
{
}

void thread_exit(void)
{
	fail_msg("thread_exit with one thread");
	abort();
}

void thread_first_entry(void)
{
}

int mock_notifications;

void file_notify(struct file *f)
{
	(void)f;
	mock_notifications++;
}
