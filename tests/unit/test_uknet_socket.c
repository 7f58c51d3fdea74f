/* The socket layer (unikernel/net/socket.c, socket_sys.c) over a host build
 * of lwIP: real TCP between sockets on the loopback interface, with the
 * core's services faked (test_uknet_fakes.c) and time virtual. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
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

static int setup(void **state)
{
	(void)state;
	fake_net_setup();
	fake_stuck_waits = 0;
	fake_fd_limit = FD_MAX;
	return 0;
}

/* Every test must leave nothing behind: no descriptors, no sockets, and,
 * once TIME_WAIT and FIN timeouts have run out, no lwIP PCBs and no armed
 * timer (an idle stack must not wake the CPU). */
static int teardown(void **state)
{
	(void)state;
	fake_close_all();
	for (int i = 0; i < 400 && (tcp_active_pcbs || tcp_tw_pcbs); i++)
		fake_advance_ns(SEC);
	/* The TCP timer's last tick finds nothing to do and disarms. */
	fake_advance_ns(SEC);
	fake_run_until_idle();
	assert_int_equal(usock_live, 0);
	assert_null(tcp_active_pcbs);
	assert_null(tcp_tw_pcbs);
	assert_null(tcp_listen_pcbs.listen_pcbs);
	assert_int_equal(net_timers_next(), 0);
	assert_int_equal(fake_stuck_waits, 0);
	return 0;
}

static long rd(int fd, void *buf, size_t n)
{
	return sys_recvfrom(fd, (long)buf, (long)n, 0, 0, 0);
}

static long wr(int fd, const void *buf, size_t n)
{
	return sys_sendto(fd, (long)buf, (long)n, 0, 0, 0);
}

static void test_connect_accept_exchange(void **state)
{
	(void)state;
	int l = tu_listen(8080, 16);
	int c = tu_connect(8080, 0);
	struct lx_sockaddr_in peer;
	int plen = sizeof(peer);
	long s = sys_accept4(l, (long)&peer, (long)&plen, 0, 0, 0);
	assert_true(s >= 0);
	assert_int_equal(plen, sizeof(peer));
	assert_int_equal(peer.family, LX_AF_INET);
	assert_int_equal(peer.addr, __builtin_bswap32(0x7f000001));

	/* The addresses agree from both ends. */
	struct lx_sockaddr_in a, b;
	int alen = sizeof(a), blen = sizeof(b);
	assert_int_equal(sys_getsockname(c, (long)&a, (long)&alen, 0, 0, 0), 0);
	assert_int_equal(sys_getpeername(s, (long)&b, (long)&blen, 0, 0, 0), 0);
	assert_int_equal(a.port, b.port);
	assert_int_equal(a.port, peer.port);
	assert_int_equal(sys_getsockname(s, (long)&a, (long)&alen, 0, 0, 0), 0);
	assert_int_equal(__builtin_bswap16(a.port), 8080);
	assert_int_equal(sys_getpeername(l, (long)&b, (long)&blen, 0, 0, 0), -ENOTCONN);

	const char req[] = "GET / HTTP/1.1\r\n\r\n";
	assert_int_equal(wr(c, req, sizeof(req) - 1), sizeof(req) - 1);
	char buf[256];
	assert_int_equal(rd(s, buf, sizeof(buf)), sizeof(req) - 1);
	assert_memory_equal(buf, req, sizeof(req) - 1);
	assert_int_equal(wr(s, "pong", 4), 4);
	assert_int_equal(rd(c, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "pong", 4);

	/* Orderly close: the peer reads EOF, then may still answer. */
	assert_int_equal(fd_close(c), 0);
	assert_int_equal(rd(s, buf, sizeof(buf)), 0);
	assert_int_equal(rd(s, buf, sizeof(buf)), 0);
	assert_int_equal(fd_close(s), 0);
	assert_int_equal(fd_close(l), 0);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	struct lx_sockaddr_in sa;
	assert_int_equal(sys_socket(LX_AF_INET6, LX_SOCK_STREAM, 0, 0, 0, 0), -EAFNOSUPPORT);
	assert_int_equal(sys_socket(LX_AF_UNIX, LX_SOCK_STREAM, 0, 0, 0, 0), -EAFNOSUPPORT);
	assert_int_equal(sys_socket(LX_AF_INET, LX_SOCK_DGRAM, 0, 0, 0, 0), -ESOCKTNOSUPPORT);
	assert_int_equal(sys_socket(LX_AF_INET, LX_SOCK_STREAM, 17, 0, 0, 0), -EPROTONOSUPPORT);
	assert_int_equal(sys_socket(LX_AF_INET, LX_SOCK_STREAM | 0x100, 0, 0, 0, 0), -EINVAL);

	long fd = sys_socket(LX_AF_INET, LX_SOCK_STREAM | LX_SOCK_CLOEXEC, 0, 0, 0, 0);
	assert_true(fd >= 0);
	tu_addr(&sa, 0x7f000001, 9000);
	assert_int_equal(sys_bind(fd, 0, sizeof(sa), 0, 0, 0), -EFAULT);
	assert_int_equal(sys_bind(fd, (long)&sa, 8, 0, 0, 0), -EINVAL);
	sa.family = LX_AF_INET6;
	assert_int_equal(sys_bind(fd, (long)&sa, sizeof(sa), 0, 0, 0), -EAFNOSUPPORT);
	tu_addr(&sa, 0x0a000001, 9000); /* not one of ours */
	assert_int_equal(sys_bind(fd, (long)&sa, sizeof(sa), 0, 0, 0), -EADDRNOTAVAIL);
	tu_addr(&sa, 0x7f000001, 9000);
	assert_int_equal(sys_bind(fd, (long)&sa, sizeof(sa), 0, 0, 0), 0);
	assert_int_equal(sys_bind(fd, (long)&sa, sizeof(sa), 0, 0, 0), -EINVAL);

	/* Calls that need a connection or a listener. */
	char b[4];
	assert_int_equal(rd((int)fd, b, 4), -ENOTCONN);
	assert_int_equal(wr((int)fd, b, 4), -EPIPE);
	assert_int_equal(sys_accept4(fd, 0, 0, 0, 0, 0), -EINVAL);
	assert_int_equal(sys_shutdown(fd, LX_SHUT_WR, 0, 0, 0, 0), -ENOTCONN);
	assert_int_equal(sys_accept4(fd, 0, 0, 0x1234, 0, 0), -EINVAL);
	/* An address buffer without a length, or with a negative one. */
	int neg = -1;
	assert_int_equal(sys_accept4(fd, (long)&sa, 0, 0, 0, 0), -EFAULT);
	assert_int_equal(sys_accept4(fd, (long)&sa, (long)&neg, 0, 0, 0), -EINVAL);
	assert_int_equal(sys_getsockname(fd, (long)&sa, 0, 0, 0, 0), -EFAULT);
	assert_int_equal(sys_getsockname(fd, (long)&sa, (long)&neg, 0, 0, 0), -EINVAL);
	assert_int_equal(sys_recvfrom(fd, 16, 4, 0, 0, 0), -EFAULT); /* page 0 */
	assert_int_equal(sys_sendto(fd, (long)b, -1, 0, 0, 0), -EINVAL);

	/* Descriptors that are not sockets. */
	assert_int_equal(sys_listen(999, 1, 0, 0, 0, 0), -EBADF);
	assert_int_equal(sys_listen(-1, 1, 0, 0, 0, 0), -EBADF);
	long ep = sys_epoll_create1(0, 0, 0, 0, 0, 0);
	assert_true(ep >= 0);
	assert_int_equal(sys_listen(ep, 1, 0, 0, 0, 0), -ENOTSOCK);
	assert_int_equal(sys_sendto(ep, (long)b, 1, 0, 0, 0), -ENOTSOCK);

	/* Port taken by a listener: a second listener cannot bind it. */
	assert_int_equal(sys_listen(fd, 4, 0, 0, 0, 0), 0);
	long fd2 = sys_socket(LX_AF_INET, LX_SOCK_STREAM, 0, 0, 0, 0);
	assert_int_equal(sys_bind(fd2, (long)&sa, sizeof(sa), 0, 0, 0), -EADDRINUSE);
	/* listen on an unbound socket binds an ephemeral port. */
	assert_int_equal(sys_listen(fd2, 4, 0, 0, 0, 0), 0);
	int len = sizeof(sa);
	assert_int_equal(sys_getsockname(fd2, (long)&sa, (long)&len, 0, 0, 0), 0);
	assert_true(__builtin_bswap16(sa.port) != 0);
	assert_int_equal(rd((int)fd2, b, 4), -ENOTCONN);
}

static void test_connect_refused(void **state)
{
	(void)state;
	struct lx_sockaddr_in sa;
	long fd = sys_socket(LX_AF_INET, LX_SOCK_STREAM, 0, 0, 0, 0);
	tu_addr(&sa, 0x7f000001, 9);
	assert_int_equal(sys_connect(fd, (long)&sa, sizeof(sa), 0, 0, 0), -ECONNREFUSED);
	/* Non-blocking: EINPROGRESS, then the error through SO_ERROR. */
	long nb = sys_socket(LX_AF_INET, LX_SOCK_STREAM | LX_SOCK_NONBLOCK, 0, 0, 0, 0);
	assert_int_equal(sys_connect(nb, (long)&sa, sizeof(sa), 0, 0, 0), -EINPROGRESS);
	assert_int_equal(sys_connect(nb, (long)&sa, sizeof(sa), 0, 0, 0), -EALREADY);
	fake_run_until_idle();
	int err = 0, len = sizeof(err);
	assert_int_equal(sys_getsockopt(nb, LX_SOL_SOCKET, LX_SO_ERROR, (long)&err, (long)&len, 0), 0);
	assert_int_equal(err, ECONNREFUSED);
	assert_int_equal(sys_getsockopt(nb, LX_SOL_SOCKET, LX_SO_ERROR, (long)&err, (long)&len, 0), 0);
	assert_int_equal(err, 0);
}

static void test_nonblocking_calls(void **state)
{
	(void)state;
	int l = tu_listen(8081, 8);
	int one = 1;
	assert_int_equal(sys_accept4(l, 0, 0, 0, 0, 0) >= 0 ? 0 : 1, 1); /* stuck: no client */
	assert_int_equal(fake_stuck_waits, 1);
	fake_stuck_waits = 0;
	struct file *lf = fd_get(l);
	assert_int_equal(lf->ops->ioctl(lf, LX_FIONBIO, (unsigned long)&one), 0);
	assert_int_equal(sys_accept4(l, 0, 0, 0, 0, 0), -EAGAIN);

	int c = tu_connect(8081, 1);
	int s = tu_accept(l, LX_SOCK_NONBLOCK);
	char buf[64];
	assert_int_equal(rd(s, buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(sys_recvfrom(c, (long)buf, sizeof(buf), LX_MSG_DONTWAIT, 0, 0), -EAGAIN);
	assert_int_equal(wr(c, "abcdef", 6), 6);
	fake_run_until_idle();

	int avail = 0;
	struct file *sf = fd_get(s);
	assert_int_equal(sf->ops->ioctl(sf, LX_FIONREAD, (unsigned long)&avail), 0);
	assert_int_equal(avail, 6);
	assert_int_equal(sf->ops->ioctl(sf, 0x1234, 0), -ENOTTY);
	/* PEEK leaves the data; a short read takes part of it. */
	assert_int_equal(sys_recvfrom(s, (long)buf, sizeof(buf), LX_MSG_PEEK, 0, 0), 6);
	assert_int_equal(rd(s, buf, 2), 2);
	assert_memory_equal(buf, "ab", 2);
	assert_int_equal(rd(s, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "cdef", 4);
	assert_int_equal(rd(s, buf, 0), 0);
	assert_int_equal(sys_recvfrom(s, (long)buf, sizeof(buf), LX_MSG_OOB, 0, 0), -EOPNOTSUPP);
}

/* 1 MiB each way through non-blocking sockets: backpressure (EAGAIN when
 * the send buffer is full), window updates as the reader consumes, and the
 * bytes arrive intact and in order. */
static void test_bulk_transfer_backpressure(void **state)
{
	(void)state;
	enum { TOTAL = 1 << 20 };
	int l = tu_listen(8082, 8);
	int c = tu_connect(8082, 1);
	int s = tu_accept(l, LX_SOCK_NONBLOCK);
	uint8_t *src = malloc(TOTAL), *dst = malloc(TOTAL);
	for (size_t i = 0; i < TOTAL; i++)
		src[i] = (uint8_t)(i * 131 + (i >> 9));
	size_t sent = 0, got = 0;
	int saw_eagain = 0, rounds = 0;
	while (got < TOTAL) {
		assert_true(++rounds < 100000);
		while (sent < TOTAL) {
			long n = wr(c, src + sent, TOTAL - sent > 7000 ? 7000 : TOTAL - sent);
			if (n == -EAGAIN) {
				saw_eagain = 1;
				break;
			}
			assert_true(n > 0);
			sent += (size_t)n;
		}
		fake_run_until_idle();
		long n;
		while ((n = rd(s, dst + got, TOTAL - got)) > 0)
			got += (size_t)n;
		assert_true(n == -EAGAIN || got == TOTAL);
		fake_run_until_idle();
	}
	assert_true(saw_eagain);
	assert_memory_equal(src, dst, TOTAL);
	free(src);
	free(dst);
}

/* A blocking write larger than the send buffer completes once the reader
 * drains; here the reader is the other end of the same (single) thread, so
 * it cannot: the write must return what fit when SO_SNDTIMEO expires. */
static void test_send_timeout_returns_partial(void **state)
{
	(void)state;
	int l = tu_listen(8083, 8);
	int c = tu_connect(8083, 0);
	int s = tu_accept(l, 0);
	struct lx_timeval tv = { 2, 0 };
	assert_int_equal(sys_setsockopt(c, LX_SOL_SOCKET, LX_SO_SNDTIMEO, (long)&tv, sizeof(tv), 0), 0);
	assert_int_equal(sys_setsockopt(s, LX_SOL_SOCKET, LX_SO_RCVTIMEO, (long)&tv, sizeof(tv), 0), 0);
	static uint8_t big[256 * 1024];
	uint64_t t0 = fake_now_ns;
	long n = wr(c, big, sizeof(big));
	assert_true(n > 0 && n < (long)sizeof(big));
	assert_true(fake_now_ns - t0 >= 2 * SEC);
	/* And a read with nothing to read times out with EAGAIN. */
	char b[8];
	int c2 = tu_connect(8083, 0);
	int s2 = tu_accept(l, 0);
	assert_int_equal(sys_setsockopt(s2, LX_SOL_SOCKET, LX_SO_RCVTIMEO, (long)&tv, sizeof(tv), 0), 0);
	t0 = fake_now_ns;
	assert_int_equal(rd(s2, b, sizeof(b)), -EAGAIN);
	assert_true(fake_now_ns - t0 >= 2 * SEC);
	(void)c2;
	assert_int_equal(fake_stuck_waits, 0);
}

static void test_reset_on_close_with_unread_data(void **state)
{
	(void)state;
	int l = tu_listen(8084, 8);
	int c = tu_connect(8084, 0);
	int s = tu_accept(l, 0);
	assert_int_equal(wr(c, "unread", 6), 6);
	fake_run_until_idle();
	/* Closing with data unread resets the connection (as Linux does). */
	assert_int_equal(fd_close(s), 0);
	fake_run_until_idle();
	char b[8];
	assert_int_equal(rd(c, b, sizeof(b)), -ECONNRESET);
	assert_int_equal(wr(c, "x", 1), -EPIPE);
	uint32_t ev = fd_get(c)->ops->poll(fd_get(c));
	assert_true(ev & LX_EPOLLHUP);
	assert_true(ev & LX_EPOLLIN);
}

static void test_shutdown_write_half(void **state)
{
	(void)state;
	int l = tu_listen(8085, 8);
	int c = tu_connect(8085, 0);
	int s = tu_accept(l, 0);
	assert_int_equal(wr(c, "last words", 10), 10);
	assert_int_equal(sys_shutdown(c, LX_SHUT_WR, 0, 0, 0, 0), 0);
	assert_int_equal(sys_shutdown(c, 7, 0, 0, 0, 0), -EINVAL);
	assert_int_equal(wr(c, "x", 1), -EPIPE);
	char b[32];
	assert_int_equal(rd(s, b, sizeof(b)), 10);
	assert_int_equal(rd(s, b, sizeof(b)), 0);
	uint32_t ev = fd_get(s)->ops->poll(fd_get(s));
	assert_true(ev & LX_EPOLLRDHUP);
	assert_false(ev & LX_EPOLLHUP);
	/* The other direction still works. */
	assert_int_equal(wr(s, "reply", 5), 5);
	assert_int_equal(rd(c, b, sizeof(b)), 5);
	assert_int_equal(sys_shutdown(s, LX_SHUT_WR, 0, 0, 0, 0), 0);
	assert_int_equal(rd(c, b, sizeof(b)), 0);
	fake_run_until_idle();
	ev = fd_get(c)->ops->poll(fd_get(c));
	assert_true(ev & LX_EPOLLHUP);
}

static void test_waitall_and_shutdown_read(void **state)
{
	(void)state;
	int l = tu_listen(8086, 8);
	int c = tu_connect(8086, 0);
	int s = tu_accept(l, 0);
	assert_int_equal(wr(c, "abc", 3), 3);
	fake_run_until_idle();
	assert_int_equal(wr(c, "def", 3), 3);
	char b[8];
	assert_int_equal(sys_recvfrom(s, (long)b, 6, LX_MSG_WAITALL, 0, 0), 6);
	assert_memory_equal(b, "abcdef", 6);
	assert_int_equal(sys_shutdown(s, LX_SHUT_RD, 0, 0, 0, 0), 0);
	assert_int_equal(rd(s, b, sizeof(b)), 0);
}

static void test_socket_options(void **state)
{
	(void)state;
	int l = tu_listen(8087, 8);
	int v = 1, len = sizeof(v);
	assert_int_equal(sys_setsockopt(l, LX_IPPROTO_TCP, LX_TCP_NODELAY, (long)&v, sizeof(v), 0), 0);
	assert_int_equal(sys_setsockopt(l, LX_SOL_SOCKET, LX_SO_KEEPALIVE, (long)&v, sizeof(v), 0), 0);
	v = 30;
	assert_int_equal(sys_setsockopt(l, LX_IPPROTO_TCP, LX_TCP_KEEPIDLE, (long)&v, sizeof(v), 0), 0);
	v = 0;
	assert_int_equal(sys_setsockopt(l, LX_IPPROTO_TCP, LX_TCP_KEEPIDLE, (long)&v, sizeof(v), 0), -EINVAL);
	assert_int_equal(sys_setsockopt(l, LX_SOL_SOCKET, 12345, (long)&v, sizeof(v), 0), -ENOPROTOOPT);
	assert_int_equal(sys_setsockopt(l, 99, 1, (long)&v, sizeof(v), 0), -ENOPROTOOPT);
	assert_int_equal(sys_setsockopt(l, LX_IPPROTO_TCP, LX_TCP_NODELAY, (long)&v, 2, 0), -EINVAL);
	assert_int_equal(sys_setsockopt(l, LX_IPPROTO_TCP, LX_TCP_NODELAY, 0, sizeof(v), 0), -EFAULT);

	int c = tu_connect(8087, 0);
	int s = tu_accept(l, 0);
	/* Accepted sockets inherit the listener's options. */
	assert_int_equal(sys_getsockopt(s, LX_IPPROTO_TCP, LX_TCP_NODELAY, (long)&v, (long)&len, 0), 0);
	assert_int_equal(v, 1);
	struct tcp_pcb *pcb = ((struct usock *)fd_get(s)->priv)->pcb;
	assert_true(tcp_nagle_disabled(pcb));
	assert_true(pcb->so_options & SOF_KEEPALIVE);
	assert_int_equal(pcb->keep_idle, 30000);
	assert_int_equal(sys_getsockopt(s, LX_IPPROTO_TCP, LX_TCP_KEEPIDLE, (long)&v, (long)&len, 0), 0);
	assert_int_equal(v, 30);
	assert_int_equal(sys_getsockopt(c, LX_SOL_SOCKET, LX_SO_TYPE, (long)&v, (long)&len, 0), 0);
	assert_int_equal(v, LX_SOCK_STREAM);
	assert_int_equal(sys_getsockopt(l, LX_SOL_SOCKET, LX_SO_ACCEPTCONN, (long)&v, (long)&len, 0), 0);
	assert_int_equal(v, 1);
	assert_int_equal(sys_getsockopt(c, LX_SOL_SOCKET, LX_SO_SNDBUF, (long)&v, (long)&len, 0), 0);
	assert_true(v > 0);
	short small;
	int slen = sizeof(small);
	assert_int_equal(sys_getsockopt(c, LX_SOL_SOCKET, LX_SO_TYPE, (long)&small, (long)&slen, 0), 0);
	assert_int_equal(slen, sizeof(small));
	struct lx_timeval tv = { 1, 500000 };
	int tlen = sizeof(tv);
	assert_int_equal(sys_setsockopt(c, LX_SOL_SOCKET, LX_SO_RCVTIMEO, (long)&tv, sizeof(tv), 0), 0);
	memset(&tv, 0, sizeof(tv));
	assert_int_equal(sys_getsockopt(c, LX_SOL_SOCKET, LX_SO_RCVTIMEO, (long)&tv, (long)&tlen, 0), 0);
	assert_int_equal(tv.sec, 1);
	assert_int_equal(tv.usec, 500000);
	tv.usec = 2000000;
	assert_int_equal(sys_setsockopt(c, LX_SOL_SOCKET, LX_SO_RCVTIMEO, (long)&tv, sizeof(tv), 0), -EINVAL);
	/* SO_LINGER 0: close resets instead of FIN. */
	struct lx_linger lg = { 1, 0 };
	assert_int_equal(sys_setsockopt(s, LX_SOL_SOCKET, LX_SO_LINGER, (long)&lg, sizeof(lg), 0), 0);
	fd_close(s);
	fake_run_until_idle();
	char b[4];
	assert_int_equal(rd(c, b, sizeof(b)), -ECONNRESET);
}

/* backlog 0 queues one connection; the next is refused (reset), and the
 * listener keeps working once the queue drains. */
static void test_accept_queue_limit(void **state)
{
	(void)state;
	int l = tu_listen(8088, 0);
	int c1 = tu_connect(8088, 0);
	int c2 = tu_connect(8088, 1);
	fake_run_until_idle();
	char b[4];
	int s1 = tu_accept(l, LX_SOCK_NONBLOCK);
	int one = 1;
	struct file *lf = fd_get(l);
	assert_int_equal(lf->ops->ioctl(lf, LX_FIONBIO, (unsigned long)&one), 0);
	long r = sys_accept4(l, 0, 0, LX_SOCK_NONBLOCK, 0, 0);
	assert_int_equal(r, -EAGAIN);
	long e = rd(c2, b, sizeof(b));
	assert_true(e == -ECONNRESET || e == -ECONNREFUSED);
	int c3 = tu_connect(8088, 0);
	fake_run_until_idle();
	int s3 = tu_accept(l, 0);
	assert_int_equal(wr(c3, "ok", 2), 2);
	assert_int_equal(rd(s3, b, sizeof(b)), 2);
	(void)c1;
	(void)s1;
}

/* No free descriptor: accept fails with EMFILE and the connection waits in
 * the queue until one is free. */
static void test_accept_emfile_keeps_connection(void **state)
{
	(void)state;
	int l = tu_listen(8089, 8);
	int c = tu_connect(8089, 0);
	fake_fd_limit = c + 1;
	assert_int_equal(sys_accept4(l, 0, 0, 0, 0, 0), -EMFILE);
	fake_fd_limit = FD_MAX;
	int s = tu_accept(l, 0);
	assert_int_equal(wr(c, "hi", 2), 2);
	char b[4];
	assert_int_equal(rd(s, b, sizeof(b)), 2);
}

/* Closing a listener resets the connections nobody accepted. */
static void test_listener_close_resets_queue(void **state)
{
	(void)state;
	int l = tu_listen(8090, 8);
	int c1 = tu_connect(8090, 0);
	int c2 = tu_connect(8090, 0);
	fake_run_until_idle();
	assert_int_equal(usock_live, 5);
	fd_close(l);
	assert_int_equal(usock_live, 2);
	fake_run_until_idle();
	char b[4];
	assert_int_equal(rd(c1, b, sizeof(b)), -ECONNRESET);
	assert_int_equal(rd(c2, b, sizeof(b)), -ECONNRESET);
}

/* Hundreds of concurrent connections (each loopback connection costs two
 * PCBs, so 500 use 1000 of the 1100), all served, all released. */
static void test_many_connections(void **state)
{
	(void)state;
	enum { N = 500 };
	static int cl[N], sv[N];
	int l = tu_listen(8091, 1024);
	for (int i = 0; i < N; i++) {
		cl[i] = tu_connect(8091, 1);
		if ((i & 31) == 31)
			fake_run_until_idle();
	}
	fake_run_until_idle();
	for (int i = 0; i < N; i++)
		sv[i] = tu_accept(l, LX_SOCK_NONBLOCK);
	for (int i = 0; i < N; i++) {
		char msg[16];
		int n = snprintf(msg, sizeof(msg), "req %d", i);
		assert_int_equal(wr(cl[i], msg, (size_t)n), n);
	}
	/* Each server socket got exactly its own client's bytes (the
	 * loopback queue overflows under this burst: TCP retransmits). */
	struct lx_sockaddr_in pa, ca;
	for (int i = 0; i < N; i++) {
		char buf[32] = { 0 };
		long n;
		for (int tries = 0; (n = rd(sv[i], buf, sizeof(buf) - 1)) == -EAGAIN && tries < 100; tries++)
			fake_advance_ns(SEC / 4);
		assert_true(n > 0);
		int idx = atoi(buf + 4);
		assert_true(idx >= 0 && idx < N);
		int plen = sizeof(pa), clen = sizeof(ca);
		sys_getpeername(sv[i], (long)&pa, (long)&plen, 0, 0, 0);
		sys_getsockname(cl[idx], (long)&ca, (long)&clen, 0, 0, 0);
		assert_int_equal(pa.port, ca.port);
	}
	for (int i = 0; i < N; i++) {
		fd_close(cl[i]);
		fd_close(sv[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_connect_accept_exchange, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connect_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nonblocking_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_transfer_backpressure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_timeout_returns_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_on_close_with_unread_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_write_half, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waitall_and_shutdown_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accept_queue_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accept_emfile_keeps_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_close_resets_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_connections, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
