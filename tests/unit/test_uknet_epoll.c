/* epoll and poll (unikernel/net/epoll.c, poll.c) over real lwIP sockets on
 * the loopback interface, with the core faked (test_uknet_fakes.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "syscall.h"
#include "net_abi.h"
#include "net_internal.h"
#include "socket.h"
#include "test_uknet_fakes.h"

#define SEC 1000000000ULL
#define MS 1000000ULL

static int setup(void **state)
{
	(void)state;
	fake_net_setup();
	fake_stuck_waits = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_close_all();
	for (int i = 0; i < 400 && (tcp_active_pcbs || tcp_tw_pcbs); i++)
		fake_advance_ns(SEC);
	fake_advance_ns(SEC);
	fake_run_until_idle();
	assert_int_equal(usock_live, 0);
	assert_null(tcp_active_pcbs);
	assert_int_equal(net_timers_next(), 0);
	assert_int_equal(fake_stuck_waits, 0);
	return 0;
}

static long ep_add(long ep, int fd, uint32_t events, uint64_t data)
{
	struct lx_epoll_event ev = { events, data };
	return sys_epoll_ctl(ep, LX_EPOLL_CTL_ADD, fd, (long)&ev, 0, 0);
}

static long ep_mod(long ep, int fd, uint32_t events, uint64_t data)
{
	struct lx_epoll_event ev = { events, data };
	return sys_epoll_ctl(ep, LX_EPOLL_CTL_MOD, fd, (long)&ev, 0, 0);
}

static int ep_wait(long ep, struct lx_epoll_event *evs, int max, int timeout)
{
	return (int)sys_epoll_wait(ep, (long)evs, max, timeout, 0, 0);
}

static long wr(int fd, const void *buf, size_t n)
{
	return sys_sendto(fd, (long)buf, (long)n, 0, 0, 0);
}

static long rd(int fd, void *buf, size_t n)
{
	return sys_recvfrom(fd, (long)buf, (long)n, 0, 0, 0);
}

static void test_ctl_errors(void **state)
{
	(void)state;
	long ep = sys_epoll_create1(0, 0, 0, 0, 0, 0);
	assert_true(ep >= 0);
	assert_int_equal(sys_epoll_create1(0x1, 0, 0, 0, 0, 0), -EINVAL);
	assert_int_equal(sys_epoll_create(0, 0, 0, 0, 0, 0), -EINVAL);
	int l = tu_listen(7000, 8);
	struct lx_epoll_event ev = { LX_EPOLLIN, 1 };
	assert_int_equal(sys_epoll_ctl(ep, LX_EPOLL_CTL_ADD, 999, (long)&ev, 0, 0), -EBADF);
	assert_int_equal(sys_epoll_ctl(999, LX_EPOLL_CTL_ADD, l, (long)&ev, 0, 0), -EBADF);
	assert_int_equal(sys_epoll_ctl(l, LX_EPOLL_CTL_ADD, l, (long)&ev, 0, 0), -EINVAL);
	assert_int_equal(sys_epoll_ctl(ep, LX_EPOLL_CTL_ADD, ep, (long)&ev, 0, 0), -EINVAL);
	assert_int_equal(sys_epoll_ctl(ep, LX_EPOLL_CTL_ADD, l, 0, 0, 0), -EFAULT);
	assert_int_equal(sys_epoll_ctl(ep, 42, l, (long)&ev, 0, 0), -EINVAL);
	assert_int_equal(sys_epoll_ctl(ep, LX_EPOLL_CTL_MOD, l, (long)&ev, 0, 0), -ENOENT);
	assert_int_equal(sys_epoll_ctl(ep, LX_EPOLL_CTL_DEL, l, 0, 0, 0), -ENOENT);
	assert_int_equal(ep_add(ep, l, LX_EPOLLIN, 1), 0);
	assert_int_equal(ep_add(ep, l, LX_EPOLLIN, 1), -EEXIST);
	assert_int_equal(sys_epoll_ctl(ep, LX_EPOLL_CTL_DEL, l, 0, 0, 0), 0);
	assert_int_equal(sys_epoll_ctl(ep, LX_EPOLL_CTL_DEL, l, 0, 0, 0), -ENOENT);

	struct lx_epoll_event out[4];
	assert_int_equal(ep_wait(ep, out, 0, 0), -EINVAL);
	assert_int_equal(ep_wait(ep, NULL, 4, 0), -EFAULT);
	assert_int_equal(ep_wait(l, out, 4, 0), -EINVAL);
	assert_int_equal(ep_wait(ep, out, 4, 0), 0);

	/* Epolls inside epolls, but not in a loop. */
	long ep2 = sys_epoll_create1(LX_EPOLL_CLOEXEC, 0, 0, 0, 0, 0);
	assert_int_equal(ep_add(ep, (int)ep2, LX_EPOLLIN, 2), 0);
	assert_int_equal(ep_add(ep2, (int)ep, LX_EPOLLIN, 3), -ELOOP);
}

static void test_timeout_waits_virtual_time(void **state)
{
	(void)state;
	long ep = sys_epoll_create1(0, 0, 0, 0, 0, 0);
	int l = tu_listen(7001, 8);
	assert_int_equal(ep_add(ep, l, LX_EPOLLIN, 1), 0);
	struct lx_epoll_event out[4];
	uint64_t t0 = fake_now_ns;
	assert_int_equal(ep_wait(ep, out, 4, 1500), 0);
	assert_true(fake_now_ns - t0 >= 1500 * MS);
	/* A wait with nothing armed and no timeout would sleep forever. */
	assert_int_equal(fake_stuck_waits, 0);
}

/* Level-triggered: reported on every wait until the condition goes. */
static void test_level_triggered_listener(void **state)
{
	(void)state;
	long ep = sys_epoll_create1(0, 0, 0, 0, 0, 0);
	int l = tu_listen(7002, 8);
	assert_int_equal(ep_add(ep, l, LX_EPOLLIN, 0xabc), 0);
	struct lx_epoll_event out[4];
	assert_int_equal(ep_wait(ep, out, 4, 0), 0);
	int c = tu_connect(7002, 0);
	assert_int_equal(ep_wait(ep, out, 4, -1), 1);
	assert_int_equal(out[0].events, LX_EPOLLIN);
	assert_int_equal(out[0].data, 0xabc);
	assert_int_equal(ep_wait(ep, out, 4, 0), 1);
	int s = tu_accept(l, 0);
	assert_int_equal(ep_wait(ep, out, 4, 0), 0);
	(void)c;
	(void)s;
}

/* Edge-triggered: once per arrival, even if left unread. */
static void test_edge_triggered_data(void **state)
{
	(void)state;
	long ep = sys_epoll_create1(0, 0, 0, 0, 0, 0);
	int l = tu_listen(7003, 8);
	int c = tu_connect(7003, 0);
	int s = tu_accept(l, LX_SOCK_NONBLOCK);
	assert_int_equal(ep_add(ep, s, LX_EPOLLIN | LX_EPOLLET, 5), 0);
	struct lx_epoll_event out[4];
	assert_int_equal(ep_wait(ep, out, 4, 0), 0);
	assert_int_equal(wr(c, "one", 3), 3);
	assert_int_equal(ep_wait(ep, out, 4, 1000), 1);
	assert_int_equal(out[0].events & LX_EPOLLIN, LX_EPOLLIN);
	assert_int_equal(ep_wait(ep, out, 4, 0), 0);
	assert_int_equal(wr(c, "two", 3), 3);
	assert_int_equal(ep_wait(ep, out, 4, 1000), 1);
	char b[16];
	assert_int_equal(rd(s, b, sizeof(b)), 6);
	assert_int_equal(ep_wait(ep, out, 4, 0), 0);
	/* MOD re-arms an edge-triggered item that is ready. */
	assert_int_equal(wr(c, "x", 1), 1);
	assert_int_equal(ep_wait(ep, out, 4, 1000), 1);
	assert_int_equal(ep_wait(ep, out, 4, 0), 0);
	assert_int_equal(ep_mod(ep, s, LX_EPOLLIN | LX_EPOLLET, 6), 0);
	assert_int_equal(ep_wait(ep, out, 4, 0), 1);
	assert_int_equal(out[0].data, 6);
}

static void test_oneshot(void **state)
{
	(void)state;
	long ep = sys_epoll_create1(0, 0, 0, 0, 0, 0);
	int l = tu_listen(7004, 8);
	int c = tu_connect(7004, 0);
	int s = tu_accept(l, LX_SOCK_NONBLOCK);
	assert_int_equal(ep_add(ep, s, LX_EPOLLIN | LX_EPOLLONESHOT, 9), 0);
	assert_int_equal(wr(c, "a", 1), 1);
	struct lx_epoll_event out[4];
	assert_int_equal(ep_wait(ep, out, 4, 1000), 1);
	assert_int_equal(wr(c, "b", 1), 1);
	fake_run_until_idle();
	/* Disabled until MOD, even with more data. */
	assert_int_equal(ep_wait(ep, out, 4, 0), 0);
	assert_int_equal(ep_mod(ep, s, LX_EPOLLIN | LX_EPOLLONESHOT, 10), 0);
	assert_int_equal(ep_wait(ep, out, 4, 0), 1);
	assert_int_equal(out[0].data, 10);
	assert_int_equal(ep_wait(ep, out, 4, 0), 0);
}

static void test_out_rdhup_hup_err(void **state)
{
	(void)state;
	long ep = sys_epoll_create1(0, 0, 0, 0, 0, 0);
	int l = tu_listen(7005, 8);
	int c = tu_connect(7005, 0);
	int s = tu_accept(l, LX_SOCK_NONBLOCK);
	assert_int_equal(ep_add(ep, s, LX_EPOLLIN | LX_EPOLLOUT | LX_EPOLLRDHUP, 1), 0);
	struct lx_epoll_event out[4];
	assert_int_equal(ep_wait(ep, out, 4, 0), 1);
	assert_int_equal(out[0].events, LX_EPOLLOUT);
	/* Peer half-closes: readable (EOF) and RDHUP, still writable. */
	assert_int_equal(sys_shutdown(c, LX_SHUT_WR, 0, 0, 0, 0), 0);
	assert_int_equal(ep_wait(ep, out, 4, 1000), 1);
	assert_int_equal(out[0].events, LX_EPOLLIN | LX_EPOLLOUT | LX_EPOLLRDHUP);
	/* Peer resets: ERR and HUP. */
	struct lx_linger lg = { 1, 0 };
	assert_int_equal(sys_setsockopt(c, LX_SOL_SOCKET, LX_SO_LINGER, (long)&lg, sizeof(lg), 0), 0);
	fd_close(c);
	assert_int_equal(ep_wait(ep, out, 4, 1000), 1);
	assert_true(out[0].events & LX_EPOLLERR);
	assert_true(out[0].events & LX_EPOLLHUP);
	char b[4];
	assert_int_equal(rd(s, b, sizeof(b)), -ECONNRESET);
}

/* A full send buffer clears EPOLLOUT; the reader draining it restores it. */
static void test_epollout_follows_send_buffer(void **state)
{
	(void)state;
	long ep = sys_epoll_create1(0, 0, 0, 0, 0, 0);
	int l = tu_listen(7006, 8);
	int c = tu_connect(7006, 1);
	int s = tu_accept(l, LX_SOCK_NONBLOCK);
	assert_int_equal(ep_add(ep, c, LX_EPOLLOUT, 1), 0);
	static char junk[64 * 1024];
	/* Fill the peer's window, then our own buffer behind it. */
	for (int i = 0; i < 3; i++) {
		while (wr(c, junk, sizeof(junk)) > 0)
			;
		fake_run_until_idle();
	}
	struct lx_epoll_event out[4];
	assert_int_equal(ep_wait(ep, out, 4, 0), 0);
	char b[4096];
	for (int i = 0; i < 1000 && ep_wait(ep, out, 4, 0) == 0; i++) {
		while (rd(s, b, sizeof(b)) > 0)
			;
		fake_run_until_idle();
	}
	assert_int_equal(ep_wait(ep, out, 4, 0), 1);
	assert_int_equal(out[0].events, LX_EPOLLOUT);
}

/* Closing a descriptor takes it out of every epoll set (nothing dangles:
 * AddressSanitizer watches), and closing the epoll frees its items. */
static void test_close_removes_items(void **state)
{
	(void)state;
	long ep = sys_epoll_create1(0, 0, 0, 0, 0, 0);
	long ep2 = sys_epoll_create1(0, 0, 0, 0, 0, 0);
	int l = tu_listen(7007, 8);
	int c = tu_connect(7007, 0);
	int s = tu_accept(l, 0);
	assert_int_equal(ep_add(ep, s, LX_EPOLLIN, 1), 0);
	assert_int_equal(ep_add(ep2, s, LX_EPOLLIN, 2), 0);
	assert_int_equal(ep_add(ep, c, LX_EPOLLIN, 3), 0);
	assert_int_equal(wr(c, "zz", 2), 2);
	struct lx_epoll_event out[4];
	assert_int_equal(ep_wait(ep, out, 4, 1000), 1);
	fd_close(s);
	assert_int_equal(ep_wait(ep2, out, 4, 0), 0);
	/* Only c is left in ep: s went with unread data, so c was reset. */
	fake_run_until_idle();
	assert_int_equal(ep_wait(ep, out, 4, 0), 1);
	assert_int_equal(out[0].data, 3);
	assert_true(out[0].events & LX_EPOLLERR);
	fd_close((int)ep);
	long w = wr(c, "zz", 2);
	assert_true(w == -ECONNRESET || w == -EPIPE);
}

/* Items beyond maxevents wait their turn: no descriptor starves. */
static void test_maxevents_round_robin(void **state)
{
	(void)state;
	enum { N = 6 };
	long ep = sys_epoll_create1(0, 0, 0, 0, 0, 0);
	int l = tu_listen(7008, 16);
	int cl[N], sv[N];
	for (int i = 0; i < N; i++) {
		cl[i] = tu_connect(7008, 0);
		sv[i] = tu_accept(l, LX_SOCK_NONBLOCK);
		assert_int_equal(ep_add(ep, sv[i], LX_EPOLLIN, (uint64_t)i), 0);
		assert_int_equal(wr(cl[i], "r", 1), 1);
	}
	fake_run_until_idle();
	int seen[N] = { 0 };
	struct lx_epoll_event out[2];
	for (int round = 0; round < 3; round++) {
		assert_int_equal(ep_wait(ep, out, 2, 0), 2);
		seen[out[0].data]++;
		seen[out[1].data]++;
	}
	for (int i = 0; i < N; i++)
		assert_int_equal(seen[i], 1);
}

static void test_nested_epoll(void **state)
{
	(void)state;
	long outer = sys_epoll_create1(0, 0, 0, 0, 0, 0);
	long inner = sys_epoll_create1(0, 0, 0, 0, 0, 0);
	int l = tu_listen(7009, 8);
	assert_int_equal(ep_add(inner, l, LX_EPOLLIN, 1), 0);
	assert_int_equal(ep_add(outer, (int)inner, LX_EPOLLIN, 2), 0);
	struct lx_epoll_event out[2];
	assert_int_equal(ep_wait(outer, out, 2, 0), 0);
	int c = tu_connect(7009, 1);
	assert_int_equal(ep_wait(outer, out, 2, 1000), 1);
	assert_int_equal(out[0].data, 2);
	(void)c;
}

/* Files that do not announce events (the core's console here) are polled
 * on every wait, and dropped once their descriptor is closed. */
static uint32_t console_poll(struct file *f)
{
	(void)f;
	return LX_EPOLLOUT;
}

static const struct file_ops console_ops = { .poll = console_poll };

static void test_foreign_file(void **state)
{
	(void)state;
	long ep = sys_epoll_create1(0, 0, 0, 0, 0, 0);
	struct file *f = file_new(&console_ops, FILE_CONSOLE, NULL);
	int fd = fd_install(f);
	assert_int_equal(ep_add(ep, fd, LX_EPOLLOUT | LX_EPOLLIN, 4), 0);
	struct lx_epoll_event out[2];
	assert_int_equal(ep_wait(ep, out, 2, 0), 1);
	assert_int_equal(out[0].events, LX_EPOLLOUT);
	assert_int_equal(ep_wait(ep, out, 2, 0), 1);
	fd_close(fd);
	assert_int_equal(ep_wait(ep, out, 2, 0), 0);
	static const struct file_ops nopoll_ops = { 0 };
	struct file *g = file_new(&nopoll_ops, FILE_DEVNULL, NULL);
	int gfd = fd_install(g);
	assert_int_equal(ep_add(ep, gfd, LX_EPOLLIN, 5), -EPERM);
}

static void test_poll(void **state)
{
	(void)state;
	int l = tu_listen(7010, 8);
	struct lx_pollfd p[3] = {
		{ l, LX_EPOLLIN, 0 }, { 999, LX_EPOLLIN, 0 }, { -1, LX_EPOLLIN, 0 },
	};
	assert_int_equal(sys_poll((long)p, 3, 0, 0, 0, 0), 1);
	assert_int_equal(p[0].revents, 0);
	assert_int_equal(p[1].revents, LX_POLLNVAL);
	assert_int_equal(p[2].revents, 0);
	p[1].fd = -1;
	uint64_t t0 = fake_now_ns;
	assert_int_equal(sys_poll((long)p, 3, 250, 0, 0, 0), 0);
	assert_true(fake_now_ns - t0 >= 250 * MS);
	int c = tu_connect(7010, 1);
	assert_int_equal(sys_poll((long)p, 3, -1, 0, 0, 0), 1);
	assert_int_equal(p[0].revents, LX_EPOLLIN);
	int s = tu_accept(l, 0);
	struct lx_pollfd q[2] = { { s, LX_EPOLLIN | LX_EPOLLOUT, 0 }, { c, LX_EPOLLIN, 0 } };
	assert_int_equal(sys_poll((long)q, 2, 0, 0, 0, 0), 1);
	assert_int_equal(q[0].revents, LX_EPOLLOUT);
	assert_int_equal(q[1].revents, 0);
	assert_int_equal(wr(s, "hello", 5), 5);
	assert_int_equal(sys_poll((long)&q[1], 1, 1000, 0, 0, 0), 1);
	assert_int_equal(q[1].revents, LX_EPOLLIN);
	assert_int_equal(sys_poll(0, 1, 0, 0, 0, 0), -EFAULT);
	assert_int_equal(sys_poll((long)q, FD_MAX + 1, 0, 0, 0, 0), -EINVAL);
	/* poll(NULL, 0, t) sleeps t. */
	t0 = fake_now_ns;
	assert_int_equal(sys_poll(0, 0, 100, 0, 0, 0), 0);
	assert_true(fake_now_ns - t0 >= 100 * MS);
}

/* An event loop in the style of the workloads' httpd: one epoll, a
 * non-blocking listener, many clients sending requests on kept-alive
 * connections; every request gets its answer, in order, on its connection. */
static void test_event_loop_server(void **state)
{
	(void)state;
	enum { CLIENTS = 40, REQUESTS = 5 };
	long ep = sys_epoll_create1(0, 0, 0, 0, 0, 0);
	int l = tu_listen(7011, 128);
	struct file *lf = fd_get(l);
	int one = 1;
	lf->ops->ioctl(lf, LX_FIONBIO, (unsigned long)&one);
	assert_int_equal(ep_add(ep, l, LX_EPOLLIN, (uint64_t)l), 0);
	int cl[CLIENTS], sent[CLIENTS] = { 0 }, answered[CLIENTS] = { 0 };
	for (int i = 0; i < CLIENTS; i++)
		cl[i] = tu_connect(7011, 1);
	int served = 0;
	for (int iter = 0; iter < 10000 && served < CLIENTS * REQUESTS; iter++) {
		/* Clients: one request in flight each. */
		for (int i = 0; i < CLIENTS; i++) {
			char b[64];
			long n = rd(cl[i], b, sizeof(b));
			if (n > 0) {
				char want[32];
				int wn = snprintf(want, sizeof(want), "resp %d.%d\n", i, answered[i]);
				assert_int_equal(n, wn);
				assert_memory_equal(b, want, (size_t)wn);
				answered[i]++;
			}
			if (sent[i] == answered[i] && sent[i] < REQUESTS) {
				char req[32];
				int rn = snprintf(req, sizeof(req), "req %d.%d\n", i, sent[i]);
				if (wr(cl[i], req, (size_t)rn) == rn)
					sent[i]++;
			}
		}
		/* Server. */
		struct lx_epoll_event evs[16];
		int n = ep_wait(ep, evs, 16, 10);
		for (int k = 0; k < n; k++) {
			int fd = (int)evs[k].data;
			if (fd == l) {
				long a;
				while ((a = sys_accept4(l, 0, 0, LX_SOCK_NONBLOCK, 0, 0)) >= 0)
					assert_int_equal(ep_add(ep, (int)a, LX_EPOLLIN | LX_EPOLLRDHUP, (uint64_t)a), 0);
				assert_int_equal(a, -EAGAIN);
				continue;
			}
			char req[64];
			long r = rd(fd, req, sizeof(req) - 1);
			if (r <= 0) {
				fd_close(fd);
				continue;
			}
			req[r] = 0;
			int ci, ri;
			assert_int_equal(sscanf(req, "req %d.%d", &ci, &ri), 2);
			char resp[32];
			int rn = snprintf(resp, sizeof(resp), "resp %d.%d\n", ci, ri);
			assert_int_equal(wr(fd, resp, (size_t)rn), rn);
			served++;
		}
	}
	assert_int_equal(served, CLIENTS * REQUESTS);
	for (int i = 0; i < CLIENTS; i++) {
		char b[64];
		long n;
		for (int t = 0; t < 100 && (n = rd(cl[i], b, sizeof(b))) == -EAGAIN; t++)
			fake_advance_ns(MS);
		if (answered[i] < REQUESTS) {
			assert_true(n > 0);
			answered[i]++;
		}
		assert_int_equal(answered[i], REQUESTS);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ctl_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_waits_virtual_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_triggered_listener, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edge_triggered_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oneshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_rdhup_hup_err, setup, teardown),
		cmocka_unit_test_setup_teardown(test_epollout_follows_send_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_removes_items, setup, teardown),
		cmocka_unit_test_setup_teardown(test_maxevents_round_robin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_epoll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_loop_server, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
