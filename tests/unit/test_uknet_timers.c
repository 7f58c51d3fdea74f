/* lwIP's timers as unikernel/net/timers.c arms them: regular TCP ticks
 * only while a connection has short-term work, one deadline for a TIME_WAIT
 * or keepalive expiry, nothing for an idle connection; lwIP's timeouts
 * still count wall (here: virtual) time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
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
	assert_null(tcp_active_pcbs);
	assert_null(tcp_tw_pcbs);
	assert_int_equal(net_timers_next(), 0);
	assert_int_equal(usock_live, 0);
	return 0;
}

/* Runs the stack from deadline to deadline, as the idle loop would, until
 * nothing is armed or limit_ns of virtual time has passed; returns how many
 * times it woke. */
static int run_deadlines(uint64_t limit_ns)
{
	uint64_t end = fake_now_ns + limit_ns;
	int wakes = 0;
	fake_run_until_idle();
	for (uint64_t next; (next = net_timers_next()) != 0 && next <= end; wakes++) {
		if (next > fake_now_ns)
			fake_now_ns = next;
		fake_run_until_idle();
	}
	return wakes;
}

static void exchange(int a, int b)
{
	char buf[8];
	assert_int_equal(sys_sendto(a, (long)"ping", 4, 0, 0, 0), 4);
	assert_int_equal(sys_recvfrom(b, (long)buf, sizeof(buf), 0, 0, 0), 4);
	assert_int_equal(sys_sendto(b, (long)"pong", 4, 0, 0, 0), 4);
	assert_int_equal(sys_recvfrom(a, (long)buf, sizeof(buf), 0, 0, 0), 4);
}

/* An idle established connection arms nothing. */
static void test_idle_connection_arms_nothing(void **state)
{
	(void)state;
	int l = tu_listen(6001, 8);
	int c = tu_connect(6001, 0);
	int s = tu_accept(l, 0);
	exchange(c, s);
	int wakes = run_deadlines(10 * SEC);
	assert_true(wakes <= 4);
	assert_int_equal(net_timers_next(), 0);
	/* Traffic afterwards still flows and is acknowledged. */
	exchange(s, c);
	run_deadlines(10 * SEC);
	assert_int_equal(net_timers_next(), 0);
	struct tcp_pcb *pcb = ((struct usock *)fd_get(c)->priv)->pcb;
	assert_null(pcb->unacked);
}

/* The side that closes first waits in TIME_WAIT for 2 MSL (60 s) with a
 * single deadline instead of four ticks a second. */
static void test_time_wait_is_one_deadline(void **state)
{
	(void)state;
	int l = tu_listen(6002, 8);
	int c = tu_connect(6002, 0);
	int s = tu_accept(l, 0);
	exchange(c, s);
	fd_close(s); /* the server closes first, as httpd does on Connection: close */
	char b[4];
	assert_int_equal(sys_recvfrom(c, (long)b, sizeof(b), 0, 0, 0), 0);
	fd_close(c);
	fake_run_until_idle();
	assert_non_null(tcp_tw_pcbs);
	uint64_t closed = fake_now_ns;
	int wakes = run_deadlines(100 * SEC);
	uint64_t gone = fake_now_ns - closed;
	assert_null(tcp_tw_pcbs);
	assert_int_equal(net_timers_next(), 0);
	/* 2 * TCP_MSL, within a slow tick or two. */
	assert_true(gone >= 2 * TCP_MSL * MS);
	assert_true(gone <= 2 * TCP_MSL * MS + 2 * SEC);
	assert_true(wakes <= 8);
}

/* Keepalive: the idle connection wakes once per TCP_KEEPIDLE to probe. */
static void test_keepalive_deadline(void **state)
{
	(void)state;
	int l = tu_listen(6003, 8);
	int c = tu_connect(6003, 0);
	int s = tu_accept(l, 0);
	int one = 1, idle = 10;
	assert_int_equal(sys_setsockopt(c, LX_SOL_SOCKET, LX_SO_KEEPALIVE, (long)&one, sizeof(one), 0), 0);
	assert_int_equal(sys_setsockopt(c, LX_IPPROTO_TCP, LX_TCP_KEEPIDLE, (long)&idle, sizeof(idle), 0), 0);
	exchange(c, s);
	run_deadlines(2 * SEC);
	uint64_t next = net_timers_next();
	assert_true(next > fake_now_ns + 5 * SEC);
	assert_true(next <= fake_now_ns + 11 * SEC);
	/* 35 s: probes at about 10, 20 and 30 s, answered, the connection
	 * lives; a few wakeups each, not 140 ticks. */
	uint32_t ticks0 = tcp_ticks;
	int wakes = run_deadlines(35 * SEC);
	assert_true(wakes >= 3 && wakes <= 20);
	/* lwIP's slow clock kept up with the virtual one. */
	uint32_t slow = tcp_ticks - ticks0;
	assert_true(slow >= 60 && slow <= 72);
	struct usock *us = fd_get(c)->priv;
	assert_non_null(us->pcb);
	assert_int_equal(us->state, US_CONNECTED);
}

/* FIN_WAIT_2 after the peer half-closed nothing: lwIP's 20 s timeout for a
 * closed socket still fires, from one deadline. */
static void test_fin_wait_2_timeout(void **state)
{
	(void)state;
	int l = tu_listen(6004, 8);
	int c = tu_connect(6004, 0);
	int s = tu_accept(l, 0);
	exchange(c, s);
	fd_close(c); /* c: FIN_WAIT_2 once s acknowledges; s never closes */
	fake_run_until_idle();
	uint64_t t0 = fake_now_ns;
	int wakes = run_deadlines(60 * SEC);
	/* Only s (CLOSE_WAIT) is left. */
	assert_non_null(tcp_active_pcbs);
	assert_null(tcp_active_pcbs->next);
	assert_int_equal(tcp_active_pcbs->state, CLOSE_WAIT);
	assert_true(fake_now_ns - t0 >= TCP_FIN_WAIT_TIMEOUT * MS);
	assert_true(wakes <= 8);
	(void)s;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_idle_connection_arms_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_wait_is_one_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fin_wait_2_timeout, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
