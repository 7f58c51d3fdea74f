/* httpd: the lab's HTTP/1.1 workload. One epoll loop, keep-alive and
 * pipelining, a fixed 612-byte page at "/". It uses only syscalls the lab's
 * unikernel implements (workloads/README.md lists them), so the same static
 * binary runs natively, in a container, in a Linux VM and in the unikernel. */
#include "httpd.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"

#define EVENTS_PER_WAIT 256

static const char usage[] =
	"usage: httpd [--port N] [--max-conns N]\n"
	"  --port N       TCP port on 0.0.0.0 (default 8080; 0 picks a free one)\n"
	"  --max-conns N  connections served at once (default 4096); more wait\n"
	"                 in the listen backlog\n"
	"Prints \"READY <port>\" once listening; SIGTERM or SIGINT stops it.\n";

/* The listening socket's epoll tag; connections carry their struct conn. */
static char listen_tag;
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static _Noreturn void die_errno(const char *what, int err)
{
	char line[160];

	snprintf(line, sizeof(line), "httpd: %s: %s\n", what, strerror(err));
	cli_write_str(2, line);
	exit(1);
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		die_errno("clock_gettime CLOCK_MONOTONIC", errno);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void update_clock(struct server *s)
{
	struct timespec ts;

	s->now_ms = monotonic_ms();
	/* A target without a wall clock still gets a well-formed Date (1970). */
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		ts.tv_sec = 0;
	if (ts.tv_sec != s->date_sec) {
		s->date_sec = ts.tv_sec;
		http_date_format(s->date, ts.tv_sec);
	}
}

/* SIGTERM and SIGINT stay blocked except inside epoll_pwait, so a stop
 * request cannot slip in between the flag test and the wait. Writes to a
 * reset peer must fail with EPIPE, not kill us. Fills *wait_mask with the
 * mask to wait under. */
static int install_signals(sigset_t *wait_mask)
{
	struct sigaction stop = { .sa_handler = on_stop_signal };
	struct sigaction ignore = { .sa_handler = SIG_IGN };
	sigset_t stops;

	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	if (sigprocmask(SIG_BLOCK, &stops, wait_mask) < 0)
		return -errno;
	sigdelset(wait_mask, SIGTERM);
	sigdelset(wait_mask, SIGINT);
	if (sigaction(SIGTERM, &stop, NULL) < 0 ||
	    sigaction(SIGINT, &stop, NULL) < 0 ||
	    sigaction(SIGPIPE, &ignore, NULL) < 0)
		return -errno;
	return 0;
}

static int listen_on(int port)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		die_errno("socket", errno);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		die_errno("setsockopt SO_REUSEADDR", errno);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die_errno("bind 0.0.0.0", errno);
	if (listen(fd, 4096) < 0)
		die_errno("listen", errno);
	return fd;
}

static int bound_port(int fd)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);

	if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
		die_errno("getsockname", errno);
	return ntohs(addr.sin_port);
}

static void announce_ready(int port)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "READY %d\n", port);

	if (cli_write_all(1, line, (unsigned long)n) < 0)
		die_errno("write READY", errno);
}

static int set_accepting(struct server *s, bool on)
{
	struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.ptr = &listen_tag };

	if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->listen_fd, &ev) < 0)
		return -errno;
	s->accept_paused = !on;
	return 0;
}

/* Stops watching the listening socket (a level-triggered socket with a
 * pending connection we cannot take would wake us forever) until a
 * connection closes, or also after retry_ms when the cause is not ours. */
static void pause_accepting(struct server *s, int64_t retry_ms)
{
	s->closed_since_pause = false;
	s->accept_retry_ms = retry_ms;
	if (set_accepting(s, false) < 0)
		die_errno("epoll_ctl listen", errno);
}

/* The soft descriptor limit is often 1024. Raising it (to the hard limit) is
 * tried only once the table is full, so a run that stays below it calls
 * nothing outside the unikernel's subset (prlimit64 is not in it). */
static bool raise_fd_limit(struct server *s)
{
	struct rlimit rl;

	if (s->rlimit_tried)
		return false;
	s->rlimit_tried = true;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return false;
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

static void accept_all(struct server *s)
{
	while (s->nconns < s->max_conns) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK);

		if (fd < 0) {
			switch (errno) {
			case EAGAIN:
#if EWOULDBLOCK != EAGAIN
			case EWOULDBLOCK:
#endif
				return;
			case EINTR:
			case ECONNABORTED:
			case EPROTO:
				continue;
			case EMFILE:
				if (raise_fd_limit(s))
					continue;
				pause_accepting(s, s->now_ms + ACCEPT_RETRY_MS);
				return;
			default:
				/* ENFILE, ENOBUFS, ENOMEM: the host's, wait. */
				pause_accepting(s, s->now_ms + ACCEPT_RETRY_MS);
				return;
			}
		}
		if (!conn_open(s, fd)) {
			close(fd);
			pause_accepting(s, s->now_ms + ACCEPT_RETRY_MS);
			return;
		}
	}
	pause_accepting(s, INT64_MAX);
}

static void maybe_resume_accepting(struct server *s)
{
	if (!s->accept_paused || s->nconns >= s->max_conns)
		return;
	if (!s->closed_since_pause && s->now_ms < s->accept_retry_ms)
		return;
	if (set_accepting(s, true) < 0)
		die_errno("epoll_ctl listen", errno);
}

/* Closes expired connections, then says how long to wait: until the next
 * deadline or accept retry, -1 for ever. */
static int next_timeout(struct server *s)
{
	int t = conn_expire(s);

	maybe_resume_accepting(s);
	if (s->accept_paused && s->accept_retry_ms != INT64_MAX) {
		int64_t r = s->accept_retry_ms - s->now_ms;

		if (r < 0)
			r = 0;
		if (t < 0 || r < t)
			t = (int)r;
	}
	return t;
}

static void serve(struct server *s, const sigset_t *wait_mask)
{
	struct epoll_event evs[EVENTS_PER_WAIT];

	while (!stop_requested) {
		int timeout = next_timeout(s);
		int n = epoll_pwait(s->epfd, evs, EVENTS_PER_WAIT, timeout,
				    wait_mask);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die_errno("epoll_wait", errno);
		}
		update_clock(s);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == &listen_tag)
				accept_all(s);
			else
				conn_event(s, evs[i].data.ptr, evs[i].events);
		}
	}
}

static void close_all(struct server *s)
{
	while (!conn_list_empty(&s->open))
		conn_close(s, conn_of(s->open.head.next));
	while (!conn_list_empty(&s->draining))
		conn_close(s, conn_of(s->draining.head.next));
	close(s->listen_fd);
	close(s->epfd);
}

int main(int argc, char **argv)
{
	static struct server s;   /* ~80 KiB of buffers: not on the stack */
	struct cli cli;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &listen_tag };
	unsigned long port = 8080, max_conns = 4096;
	sigset_t wait_mask;
	int err;

	cli_init(&cli, "httpd", usage, argc, argv);
	while (cli.i < argc) {
		if (cli_option(&cli, "--port"))
			port = cli_number(&cli, "--port", 0, 65535);
		else if (cli_option(&cli, "--max-conns"))
			max_conns = cli_number(&cli, "--max-conns", 1, 1000000);
		else
			cli_help_or_unknown(&cli);
	}

	if ((err = install_signals(&wait_mask)) < 0)
		die_errno("sigaction", -err);
	s.max_conns = (unsigned)max_conns;
	conn_list_init(&s.open);
	conn_list_init(&s.draining);
	s.date_sec = -1;
	update_clock(&s);
	s.listen_fd = listen_on((int)port);
	s.epfd = epoll_create1(0);
	if (s.epfd < 0)
		die_errno("epoll_create1", errno);
	if (epoll_ctl(s.epfd, EPOLL_CTL_ADD, s.listen_fd, &ev) < 0)
		die_errno("epoll_ctl listen", errno);
	announce_ready(bound_port(s.listen_fd));
	serve(&s, &wait_mask);
	close_all(&s);
	return 0;
}
