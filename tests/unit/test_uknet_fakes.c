/* Host stand-ins for the core's services; see test_uknet_fakes.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "test_uknet_fakes.h"
#include "net_abi.h"
#include "net_internal.h"

uint64_t fake_now_ns = 1000000000ULL;
int fake_stuck_waits;
int fake_notifies;
int fake_fd_limit = FD_MAX;
struct kstats kstats;

static struct file *fds[FD_MAX];
static struct poller *pollers;

void kvprintf(const char *fmt, va_list ap)
{
	if (getenv("UKNET_VERBOSE"))
		vfprintf(stderr, fmt, ap);
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
	fputc('\n', stderr);
	abort();
}

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

uint32_t uk_net_rand(void)
{
	/* Deterministic: tests must not depend on luck. */
	static uint32_t s = 12345;
	s = s * 1103515245u + 12345u;
	return s >> 8;
}

uint32_t sys_now(void)
{
	return (uint32_t)(fake_now_ns / 1000000ULL);
}

void *kmalloc(size_t size) { return malloc(size); }
void *kcalloc(size_t n, size_t size) { return calloc(n, size); }
void kfree(void *p) { free(p); }
uint64_t time_ns(void) { return fake_now_ns; }
uint64_t time_realtime_ns(void) { return fake_now_ns; }

int cmdline_get(const char *key, char *out, size_t cap)
{
	(void)key; (void)out; (void)cap;
	return -1;
}

struct file *file_new(const struct file_ops *ops, int kind, void *priv)
{
	struct file *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->ops = ops;
	f->kind = kind;
	f->priv = priv;
	f->refs = 1;
	return f;
}

int fd_install(struct file *f)
{
	/* 0-2 are the console on the real machine. */
	for (int fd = 3; fd < fake_fd_limit && fd < FD_MAX; fd++) {
		if (!fds[fd]) {
			fds[fd] = f;
			return fd;
		}
	}
	return -EMFILE;
}

struct file *fd_get(int fd)
{
	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	return fds[fd];
}

int fd_close(int fd)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	fds[fd] = NULL;
	if (--f->refs == 0) {
		if (f->ops->release)
			f->ops->release(f);
		free(f);
	}
	return 0;
}

int fake_close_all(void)
{
	int n = 0;
	for (int fd = 0; fd < FD_MAX; fd++) {
		if (fds[fd]) {
			fd_close(fd);
			n++;
		}
	}
	return n;
}

void file_notify(struct file *f)
{
	fake_notifies++;
	if (f && f->watchers && epoll_file_notify)
		epoll_file_notify(f);
}

void file_discard(struct file *f)
{
	free(f);
}

int user_range_ok(const void *p, size_t n)
{
	/* As the core's: page 0 and wrap-around are refused. */
	uintptr_t a = (uintptr_t)p;
	return n == 0 || (a >= 4096 && a + n >= a);
}

void poller_register(struct poller *p)
{
	for (struct poller *q = pollers; q; q = q->next)
		if (q == p)
			return;
	p->next = pollers;
	pollers = p;
}

int pollers_run(void)
{
	int progress = 0;
	for (struct poller *p = pollers; p; p = p->next)
		if (p->poll())
			progress = 1;
	return progress;
}

static uint64_t pollers_deadline(void)
{
	uint64_t best = 0;
	for (struct poller *p = pollers; p; p = p->next) {
		uint64_t d = p->next_deadline_ns();
		if (d && (!best || d < best))
			best = d;
	}
	return best;
}

void idle_wait_until(uint64_t deadline_ns)
{
	if (deadline_ns > fake_now_ns)
		fake_now_ns = deadline_ns;
}

/* Longer than any test waits on purpose: a wait without deadline that
 * sees only timers tick for this long would sleep forever for real. */
#define FAKE_FOREVER_NS (3600ULL * 1000000000ULL)

/* A breakpoint target for debugging stuck waits. */
__attribute__((noinline)) static void fake_stuck_here(void)
{
	fake_stuck_waits++;
}

int wait_event(int (*cond)(void *arg), void *arg, uint64_t deadline_ns)
{
	uint64_t start = fake_now_ns;

	for (long spins = 0; spins < 10000000; spins++) {
		if (!deadline_ns && fake_now_ns - start > FAKE_FOREVER_NS) {
			fake_stuck_here();
			return -ETIMEDOUT;
		}
		if (cond(arg))
			return 0;
		if (pollers_run())
			continue;
		if (cond(arg))
			return 0;
		if (deadline_ns && fake_now_ns >= deadline_ns)
			return -ETIMEDOUT;
		uint64_t next = pollers_deadline();
		if (deadline_ns && (!next || deadline_ns < next))
			next = deadline_ns;
		if (!next) {
			fake_stuck_here();
			return -ETIMEDOUT;
		}
		idle_wait_until(next);
	}
	panic("wait_event: no progress after 10M rounds");
}

void fake_advance_ns(uint64_t ns)
{
	fake_now_ns += ns;
	pollers_run();
}

void fake_run_until_idle(void)
{
	for (int i = 0; i < 100000 && pollers_run(); i++)
		;
}

void fake_net_setup(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	lwip_init();
	net_timers_init();
	net_poller_start();
}

/* --- helpers for the tests ---------------------------------------------- */
#include <setjmp.h>
#include <cmocka.h>
#include "syscall.h"

void tu_addr(struct lx_sockaddr_in *sa, uint32_t ip, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	sa->family = LX_AF_INET;
	sa->port = __builtin_bswap16(port);
	sa->addr = __builtin_bswap32(ip);
}

int tu_listen(uint16_t port, int backlog)
{
	struct lx_sockaddr_in sa;
	long fd = sys_socket(LX_AF_INET, LX_SOCK_STREAM, 0, 0, 0, 0);
	assert_true(fd >= 0);
	int one = 1;
	assert_int_equal(sys_setsockopt(fd, LX_SOL_SOCKET, LX_SO_REUSEADDR, (long)&one, sizeof(one), 0), 0);
	tu_addr(&sa, 0x7f000001, port);
	assert_int_equal(sys_bind(fd, (long)&sa, sizeof(sa), 0, 0, 0), 0);
	assert_int_equal(sys_listen(fd, backlog, 0, 0, 0, 0), 0);
	return (int)fd;
}

int tu_connect(uint16_t port, int nonblock)
{
	struct lx_sockaddr_in sa;
	long fd = sys_socket(LX_AF_INET, LX_SOCK_STREAM | (nonblock ? LX_SOCK_NONBLOCK : 0), 0, 0, 0, 0);
	assert_true(fd >= 0);
	tu_addr(&sa, 0x7f000001, port);
	long rc = sys_connect(fd, (long)&sa, sizeof(sa), 0, 0, 0);
	if (nonblock)
		assert_int_equal(rc, -EINPROGRESS);
	else
		assert_int_equal(rc, 0);
	return (int)fd;
}

int tu_accept(int lfd, int flags)
{
	long fd = sys_accept4(lfd, 0, 0, flags, 0, 0);
	assert_true(fd >= 0);
	return (int)fd;
}
