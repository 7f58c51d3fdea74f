#include "waker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "target.h"

#define PIPE_CHUNK      (64 * 1024)
#define COPY_BUF        (16 * 1024)
#define ANSWER_LINGER_S 2.0     /* a rejected client has this long to read its answer */
#define LOOP_MAX_WAIT_S 0.2     /* interruption and exit polling granularity */
#define PROBE_RETRY_S   0.01    /* between connection probes after READY */

enum tag_kind { TAG_LISTEN, TAG_EVENT, TAG_CONSOLE, TAG_PIDFD, TAG_CLIENT, TAG_BACKEND, TAG_PROBE };

/* What an epoll event is about: the kind in the low bits, a connection id
 * above them. An id, not a pointer: an earlier event of the same batch may
 * have freed the relay. */
static uint64_t tag(enum tag_kind kind, unsigned long id)
{
	return ((uint64_t)id << 3) | (uint64_t)kind;
}

/* One direction of a relay: src's bytes go to dst through a pipe (splice)
 * or, without one, through buf. */
struct dir {
	int pipe[2];
	char *buf;
	size_t pending, off;
	int eof;               /* src said EOF */
	int shut;              /* dst was shut down for writing after the EOF */
	unsigned long long bytes;
};

enum relay_state { R_WAITING, R_CONNECTING, R_RELAYING, R_ANSWERING };

struct relay {
	unsigned long id;
	enum relay_state st;
	int cfd, bfd;
	struct dir up, down;       /* up: client -> instance */
	unsigned cmask, bmask;     /* registered interest; ~0u = not registered */
	int counted;               /* the core counts it as relayed */
	char answer[256];
	size_t answer_len, answer_off;
	double linger_until;
};

struct waker {
	struct wk_core core;
	struct waker_options o;
	struct target_instance *ti;
	int lfd, ep, evfd, pidfd, spare_fd;
	int port;
	int console_registered;
	int probe_fd;              /* READY seen: is the port reachable yet? */
	double probe_at;           /* next probe; INFINITY when none is due */
	int instance_up;           /* started and not yet stopped or reaped */
	struct relay **live;       /* by connection id; NULL once closed */
	struct waker_conn *conns;
	size_t nconns, cap_conns;
	struct waker_transition *tr;
	size_t ntr, cap_tr;
	unsigned answering;        /* relays lingering after an answer */
	double t0;                 /* waker_open, for relative times in messages */
	_Atomic int state;
	_Atomic unsigned long changes;
	pthread_t thread;
	int thread_started;
	int thread_rc;
	int stop;
};

void waker_options_default(struct waker_options *o)
{
	memset(o, 0, sizeof(*o));
	o->cfg.policy = WK_KEEP_ALIVE;
	o->cfg.keep_alive_s = 30;
	o->cfg.queue_max = 64;
	o->cfg.conn_max = 256;
	o->cfg.ready_timeout_s = 0;      /* 0: the instance's own */
	o->cfg.restart_backoff_s = 1;
	snprintf(o->listen_addr, sizeof(o->listen_addr), "127.0.0.1");
	o->listen_port = WAKER_DEFAULT_PORT;
}

/* ---- epoll bookkeeping ---- */

static int ep_set(struct waker *w, int fd, uint64_t tagv, unsigned *cur, unsigned want)
{
	if (*cur == want)
		return 0;
	struct epoll_event ev = { .events = want, .data.u64 = tagv };
	int op = *cur == ~0u ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	if (epoll_ctl(w->ep, op, fd, &ev) < 0)
		return -errno;
	*cur = want;
	return 0;
}

static void ep_del(struct waker *w, int fd, unsigned *cur)
{
	if (fd >= 0 && *cur != ~0u)
		epoll_ctl(w->ep, EPOLL_CTL_DEL, fd, NULL);
	*cur = ~0u;
}

/* ---- records ---- */

static void record_transition(struct waker *w, enum wk_state from, enum wk_state to, double t)
{
	if (w->ntr == w->cap_tr) {
		size_t cap = w->cap_tr ? w->cap_tr * 2 : 64;
		struct waker_transition *v = realloc(w->tr, cap * sizeof(*v));
		if (!v)
			return;
		w->tr = v;
		w->cap_tr = cap;
	}
	w->tr[w->ntr++] = (struct waker_transition){ .t = t, .from = from, .to = to };
	atomic_store(&w->state, (int)to);
	atomic_fetch_add(&w->changes, 1);
	if (w->o.verbose)
		fprintf(stderr, "waker: +%.3f s %s -> %s\n", t - w->t0, wk_state_name(from), wk_state_name(to));
	if (w->o.on_state)
		w->o.on_state(w->o.user, w->ti, from, to, t);
}

static long new_conn_record(struct waker *w, double now, int peer_port)
{
	if (w->nconns == w->cap_conns) {
		size_t cap = w->cap_conns ? w->cap_conns * 2 : 256;
		struct waker_conn *v = realloc(w->conns, cap * sizeof(*v));
		struct relay **l = realloc(w->live, cap * sizeof(*l));
		if (v)
			w->conns = v;
		if (l)
			w->live = l;
		if (!v || !l)
			return -ENOMEM;
		w->cap_conns = cap;
	}
	struct waker_conn *c = &w->conns[w->nconns];
	memset(c, 0, sizeof(*c));
	c->t_accept = now;
	c->t_relay = c->t_first_byte = c->t_close = NAN;
	c->peer_port = peer_port;
	w->live[w->nconns] = NULL;
	return (long)w->nconns++;
}

/* ---- relays ---- */

static void dir_init(struct dir *d)
{
	memset(d, 0, sizeof(*d));
	d->pipe[0] = d->pipe[1] = -1;
}

static int dir_open(struct dir *d, int copy)
{
	if (!copy && pipe2(d->pipe, O_NONBLOCK | O_CLOEXEC) == 0)
		return 0;
	d->pipe[0] = d->pipe[1] = -1;
	d->buf = malloc(COPY_BUF);
	return d->buf ? 0 : -ENOMEM;
}

static void dir_close(struct dir *d)
{
	for (int i = 0; i < 2; i++)
		if (d->pipe[i] >= 0)
			close(d->pipe[i]);
	d->pipe[0] = d->pipe[1] = -1;
	free(d->buf);
	d->buf = NULL;
	d->pending = 0;
}

/* Moves what src has into the pipe or buffer: >0 bytes, 0 EOF, -EAGAIN, -errno. */
static ssize_t dir_fill(struct dir *d, int src)
{
	ssize_t n;
	if (d->pipe[1] >= 0)
		n = splice(src, NULL, d->pipe[1], NULL, PIPE_CHUNK, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	else
		n = read(src, d->buf, COPY_BUF);
	if (n < 0)
		return -errno;
	if (n == 0)
		d->eof = 1;
	d->pending += (size_t)n;
	d->off = 0;
	d->bytes += (unsigned long long)n;
	return n;
}

/* Writes pending bytes to dst: 0 when all went, -EAGAIN, -errno. */
static int dir_drain(struct dir *d, int dst)
{
	while (d->pending > 0) {
		ssize_t n;
		if (d->pipe[0] >= 0)
			n = splice(d->pipe[0], NULL, dst, NULL, d->pending, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		else
			n = write(dst, d->buf + d->off, d->pending);
		if (n < 0)
			return -errno;
		d->pending -= (size_t)n;
		d->off += (size_t)n;
	}
	return 0;
}

static void relay_free(struct waker *w, struct relay *r, double now)
{
	ep_del(w, r->cfd, &r->cmask);
	ep_del(w, r->bfd, &r->bmask);
	if (r->cfd >= 0)
		close(r->cfd);
	if (r->bfd >= 0)
		close(r->bfd);
	dir_close(&r->up);
	dir_close(&r->down);
	if (r->st == R_ANSWERING && w->answering > 0)
		w->answering--;
	struct waker_conn *c = &w->conns[r->id];
	c->t_close = now;
	c->bytes_up = r->up.bytes;
	c->bytes_down = r->down.bytes;
	w->live[r->id] = NULL;
	int counted = r->counted;
	unsigned long id = r->id;
	free(r);
	if (counted)
		wk_conn_closed(&w->core, now, id);
}

static const char *reason_phrase(int status)
{
	switch (status) {
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	default:
		return "Gateway Timeout";
	}
}

/* Answers the client with status and lingers until it closes, so the
 * answer is read rather than lost to a reset. */
static void relay_answer(struct waker *w, struct relay *r, int status, double now)
{
	static const char *const why[] = {
		[0] = "the instance crashed or refused the connection\n",
		[1] = "too many waiting or relayed connections\n",
		[2] = "the instance did not become ready in time\n",
	};
	const char *body = why[status == 502 ? 0 : status == 503 ? 1 : 2];
	r->answer_len = (size_t)snprintf(r->answer, sizeof(r->answer),
					 "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
					 "Connection: close\r\n\r\n%s",
					 status, reason_phrase(status), strlen(body), body);
	r->answer_off = 0;
	w->conns[r->id].status = status;
	ep_del(w, r->bfd, &r->bmask);
	if (r->bfd >= 0)
		close(r->bfd);
	r->bfd = -1;
	dir_close(&r->up);
	dir_close(&r->down);
	if (r->st != R_ANSWERING)
		w->answering++;
	r->st = R_ANSWERING;
	r->linger_until = now + ANSWER_LINGER_S;
	if (w->o.verbose)
		fprintf(stderr, "waker: +%.3f s connection %lu answered %d\n", now - w->t0, r->id, status);
	ssize_t n = write(r->cfd, r->answer, r->answer_len);
	if (n > 0)
		r->answer_off = (size_t)n;
	if (r->answer_off == r->answer_len)
		shutdown(r->cfd, SHUT_WR);
	unsigned want = EPOLLIN | (r->answer_off < r->answer_len ? EPOLLOUT : 0);
	if (ep_set(w, r->cfd, tag(TAG_CLIENT, r->id), &r->cmask, want) < 0)
		relay_free(w, r, now);
}

static void answering_event(struct waker *w, struct relay *r, uint32_t ev, double now)
{
	if (r->answer_off < r->answer_len && (ev & EPOLLOUT)) {
		ssize_t n = write(r->cfd, r->answer + r->answer_off, r->answer_len - r->answer_off);
		if (n < 0 && errno != EAGAIN) {
			relay_free(w, r, now);
			return;
		}
		if (n > 0)
			r->answer_off += (size_t)n;
		if (r->answer_off == r->answer_len) {
			shutdown(r->cfd, SHUT_WR);
			ep_set(w, r->cfd, tag(TAG_CLIENT, r->id), &r->cmask, EPOLLIN);
		}
	}
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		char sink[4096];
		for (;;) {
			ssize_t n = read(r->cfd, sink, sizeof(sink));
			if (n == 0 || (n < 0 && errno != EAGAIN)) {
				relay_free(w, r, now);
				return;
			}
			if (n < 0)
				break;
		}
	}
}

/* Interest follows the pipes: read a side only when its pipe is empty,
 * ask for writability only while bytes wait. */
static void relay_update(struct waker *w, struct relay *r, double now)
{
	if (r->st != R_RELAYING)
		return;
	unsigned cw = 0, bw = 0;
	if (!r->up.eof && r->up.pending == 0)
		cw |= EPOLLIN;
	if (r->down.pending > 0)
		cw |= EPOLLOUT;
	if (!r->down.eof && r->down.pending == 0)
		bw |= EPOLLIN;
	if (r->up.pending > 0)
		bw |= EPOLLOUT;
	if (ep_set(w, r->cfd, tag(TAG_CLIENT, r->id), &r->cmask, cw) < 0 || ep_set(w, r->bfd, tag(TAG_BACKEND, r->id), &r->bmask, bw) < 0)
		relay_free(w, r, now);
}

/* The instance side failed: a client that has had no byte of a response
 * gets a 502; one that has is simply closed (its response is cut). */
static void backend_failed(struct waker *w, struct relay *r, double now)
{
	if (r->down.bytes == 0)
		relay_answer(w, r, 502, now);
	else
		relay_free(w, r, now);
}

/* Pumps one direction; returns -1 when the relay was freed. */
static int pump(struct waker *w, struct relay *r, struct dir *d, int src, int dst, int from_backend,
		double now)
{
	if (d->pending > 0) {
		int e = dir_drain(d, dst);
		if (e < 0 && e != -EAGAIN) {
			if (from_backend)
				relay_free(w, r, now);   /* the client went away */
			else
				backend_failed(w, r, now);
			return -1;
		}
		if (e == -EAGAIN)
			return 0;
	}
	while (!d->eof && d->pending == 0) {
		ssize_t n = dir_fill(d, src);
		if (n == -EAGAIN)
			break;
		if (n < 0) {
			if (from_backend)
				backend_failed(w, r, now);
			else
				relay_free(w, r, now);
			return -1;
		}
		if (n > 0 && from_backend && isnan(w->conns[r->id].t_first_byte))
			w->conns[r->id].t_first_byte = now;
		if (n == 0)
			break;
		int e = dir_drain(d, dst);
		if (e == -EAGAIN)
			break;
		if (e < 0) {
			if (from_backend)
				relay_free(w, r, now);
			else
				backend_failed(w, r, now);
			return -1;
		}
	}
	if (d->eof && d->pending == 0 && !d->shut) {
		/* The instance closing before answering anything is a failure
		 * (crash, refused): the client gets 502 rather than silence. */
		if (from_backend && d->bytes == 0) {
			/* ...unless the client left without asking anything
			 * (it gave up while waiting for the boot). */
			if (r->up.eof && r->up.bytes == 0)
				relay_free(w, r, now);
			else
				relay_answer(w, r, 502, now);
			return -1;
		}
		shutdown(dst, SHUT_WR);
		d->shut = 1;
	}
	return 0;
}

static void relay_event(struct waker *w, struct relay *r, int backend_side, uint32_t ev, double now)
{
	if (r->st == R_ANSWERING) {
		if (!backend_side)
			answering_event(w, r, ev, now);
		return;
	}
	if (r->st == R_CONNECTING) {
		if (!backend_side) {
			/* Registered with no interest: only a dead client gets here. */
			if (ev & (EPOLLERR | EPOLLHUP))
				relay_free(w, r, now);
			return;
		}
		int err = 0;
		socklen_t len = sizeof(err);
		getsockopt(r->bfd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err || (ev & (EPOLLERR | EPOLLHUP))) {
			relay_answer(w, r, 502, now);
			return;
		}
		r->st = R_RELAYING;
	}
	if (pump(w, r, &r->up, r->cfd, r->bfd, 0, now) < 0)
		return;
	if (pump(w, r, &r->down, r->bfd, r->cfd, 1, now) < 0)
		return;
	if (r->up.shut && r->down.shut) {
		relay_free(w, r, now);
		return;
	}
	relay_update(w, r, now);
}

static void relay_connect(struct waker *w, struct relay *r, double now)
{
	struct waker_conn *c = &w->conns[r->id];
	c->t_relay = now;
	r->counted = 1;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)w->ti->port) };
	if (inet_pton(AF_INET, w->ti->addr, &sa.sin_addr) != 1 || dir_open(&r->up, w->o.copy_relay) < 0 ||
	    dir_open(&r->down, w->o.copy_relay) < 0) {
		relay_answer(w, r, 502, now);
		return;
	}
	r->bfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->bfd < 0) {
		relay_answer(w, r, 502, now);
		return;
	}
	int one = 1;
	setsockopt(r->bfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(r->bfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		relay_answer(w, r, 502, now);
		return;
	}
	r->st = R_CONNECTING;
	if (ep_set(w, r->bfd, tag(TAG_BACKEND, r->id), &r->bmask, EPOLLOUT) < 0 ||
	    ep_set(w, r->cfd, tag(TAG_CLIENT, r->id), &r->cmask, 0) < 0)
		relay_answer(w, r, 502, now);
}

/* ---- the instance ---- */

static void console_watch(struct waker *w)
{
	struct target_instance *ti = w->ti;
	if (ti->out_fd >= 0 && !w->console_registered) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag(TAG_CONSOLE, 0) };
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, ti->out_fd, &ev) == 0)
			w->console_registered = 1;
	}
	if (ti->pid > 0 && w->pidfd < 0) {
		w->pidfd = (int)syscall(SYS_pidfd_open, ti->pid, 0);
		if (w->pidfd >= 0) {
			struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag(TAG_PIDFD, 0) };
			if (epoll_ctl(w->ep, EPOLL_CTL_ADD, w->pidfd, &ev) < 0) {
				close(w->pidfd);
				w->pidfd = -1;
			}
		}
	}
}

static void console_unwatch(struct waker *w)
{
	struct target_instance *ti = w->ti;
	if (w->console_registered && ti->out_fd >= 0)
		epoll_ctl(w->ep, EPOLL_CTL_DEL, ti->out_fd, NULL);
	w->console_registered = 0;
	if (w->pidfd >= 0) {
		epoll_ctl(w->ep, EPOLL_CTL_DEL, w->pidfd, NULL);
		close(w->pidfd);
		w->pidfd = -1;
	}
}

static void drain_actions(struct waker *w);
static void probe_close(struct waker *w);

static void instance_start(struct waker *w, double now)
{
	(void)now;
	int r = target_start(w->ti);
	if (r < 0) {
		pr_err("waker: %s: start failed: %s", w->ti->ops->name, strerror(-r));
		wk_crashed(&w->core, now_s());
		return;
	}
	w->instance_up = 1;
	w->probe_at = INFINITY;
	if (w->o.verbose)
		fprintf(stderr, "waker: +%.3f s %s started, pid %d\n", now_s() - w->t0, w->ti->ops->name,
			(int)w->ti->pid);
	console_watch(w);
}

static void instance_stop(struct waker *w)
{
	probe_close(w);
	w->probe_at = INFINITY;
	console_unwatch(w);
	if (w->instance_up) {
		target_stop(w->ti);
		if (w->ti->out_fd >= 0) {
			close(w->ti->out_fd);
			w->ti->out_fd = -1;
		}
	}
	w->instance_up = 0;
}

/* READY on the console says the workload listens; a VM's or a container's
 * network path may still be coming up. The instance counts as ready once a
 * TCP connection to its port succeeds, probed every PROBE_RETRY_S until the
 * boot deadline (the core's 504) or an exit (502). */
static void probe_close(struct waker *w)
{
	if (w->probe_fd >= 0) {
		epoll_ctl(w->ep, EPOLL_CTL_DEL, w->probe_fd, NULL);
		close(w->probe_fd);
	}
	w->probe_fd = -1;
}

static void probe_start(struct waker *w)
{
	w->probe_at = INFINITY;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)w->ti->port) };
	if (inet_pton(AF_INET, w->ti->addr, &sa.sin_addr) != 1)
		return;
	w->probe_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (w->probe_fd < 0) {
		w->probe_at = now_s() + PROBE_RETRY_S;
		return;
	}
	struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = tag(TAG_PROBE, 0) };
	if ((connect(w->probe_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) ||
	    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->probe_fd, &ev) < 0) {
		probe_close(w);
		w->probe_at = now_s() + PROBE_RETRY_S;
	}
}

static void probe_event(struct waker *w, uint32_t ev)
{
	if (w->probe_fd < 0)
		return;
	int err = 0;
	socklen_t len = sizeof(err);
	getsockopt(w->probe_fd, SOL_SOCKET, SO_ERROR, &err, &len);
	probe_close(w);
	if (err || (ev & (EPOLLERR | EPOLLHUP))) {
		w->probe_at = now_s() + PROBE_RETRY_S;
		return;
	}
	if (w->core.state == WK_BOOTING)
		wk_ready(&w->core, now_s());
}

/* The console or the process has news: READY, or an exit nobody asked for. */
static void instance_poll(struct waker *w)
{
	if (!w->instance_up)
		return;
	int r = target_poll_ready(w->ti);
	if (r == -ECHILD) {
		if (w->o.verbose || w->core.state != WK_STOPPING) {
			pr_warn("waker: %s exited (status %d) while %s", w->ti->ops->name, w->ti->exit_status,
				wk_state_name(w->core.state));
			target_report_console(w->ti, 5);
		}
		instance_stop(w);
		wk_crashed(&w->core, now_s());
		return;
	}
	/* EOF on the console closes it in target_pump_console; the epoll set
	 * forgets a closed descriptor by itself. */
	if (w->ti->out_fd < 0)
		w->console_registered = 0;
	if (r == 1 && w->core.state == WK_BOOTING && w->probe_fd < 0 && isinf(w->probe_at))
		probe_start(w);
}

/* ---- actions ---- */

static void drain_actions(struct waker *w)
{
	const struct wk_action *pending;
	size_t n = wk_take(&w->core, &pending);
	if (n == 0)
		return;
	/* Carrying out an action can raise new events (a start that fails, a
	 * stop that completes): copy first, the core reuses its buffer. */
	struct wk_action *a = malloc(n * sizeof(*a));
	if (!a)
		return;
	memcpy(a, pending, n * sizeof(*a));
	for (size_t i = 0; i < n; i++) {
		double now = now_s();
		struct relay *r = a[i].conn < w->nconns ? w->live[a[i].conn] : NULL;
		switch (a[i].kind) {
		case WK_A_STATE:
			record_transition(w, a[i].from, a[i].to, a[i].t);
			break;
		case WK_A_START:
			instance_start(w, now);
			break;
		case WK_A_STOP:
			instance_stop(w);
			wk_stopped(&w->core, now_s());
			break;
		case WK_A_RELAY:
			if (!r)
				break;
			w->conns[a[i].conn].cold = a[i].cold;
			relay_connect(w, r, now);
			break;
		case WK_A_REJECT:
			if (r)
				relay_answer(w, r, a[i].status, now);
			break;
		}
		drain_actions(w);
	}
	free(a);
}

/* ---- accepting ---- */

static void accept_all(struct waker *w)
{
	for (int k = 0; k < 64; k++) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		int fd = accept4(w->lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE) && w->spare_fd >= 0) {
			/* Out of descriptors: free the spare to take the connection
			 * off the backlog and refuse it, rather than spin on it. */
			close(w->spare_fd);
			fd = accept4(w->lfd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				close(fd);
			w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			continue;
		}
		if (fd < 0)
			return;
		double now = now_s();
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		long id = new_conn_record(w, now, ntohs(peer.sin_port));
		struct relay *r = id >= 0 ? calloc(1, sizeof(*r)) : NULL;
		if (!r) {
			close(fd);
			continue;
		}
		r->id = (unsigned long)id;
		r->st = R_WAITING;
		r->cfd = fd;
		r->bfd = -1;
		r->cmask = r->bmask = ~0u;
		dir_init(&r->up);
		dir_init(&r->down);
		w->live[id] = r;
		wk_connect(&w->core, now, (unsigned long)id);
		drain_actions(w);
	}
}

/* ---- the loop ---- */

static void expire_answers(struct waker *w, double now)
{
	if (!w->answering)
		return;
	for (size_t i = 0; i < w->nconns; i++) {
		struct relay *r = w->live[i];
		if (r && r->st == R_ANSWERING && now >= r->linger_until)
			relay_free(w, r, now);
	}
}

int waker_run(struct waker *w)
{
	struct epoll_event evs[128];
	wk_begin(&w->core, now_s());
	drain_actions(w);
	while (!w->stop && !zw_interrupted) {
		double now = now_s();
		double wait = fmin(wk_next_deadline(&w->core), w->probe_at) - now;
		if (!(wait < LOOP_MAX_WAIT_S))
			wait = LOOP_MAX_WAIT_S;
		if (w->answering && wait > 0.05)
			wait = 0.05;
		int timeout_ms = wait > 0 ? (int)ceil(wait * 1000) : 0;
		int n = epoll_wait(w->ep, evs, 128, timeout_ms);
		if (n < 0 && errno != EINTR)
			return -errno;
		/* Deadlines first: a READY that comes in with the same batch as
		 * its deadline is late, whatever the order the kernel listed
		 * them in. */
		wk_tick(&w->core, now_s());
		drain_actions(w);
		for (int i = 0; i < n; i++) {
			enum tag_kind kind = (enum tag_kind)(evs[i].data.u64 & 7);
			unsigned long id = (unsigned long)(evs[i].data.u64 >> 3);
			now = now_s();
			switch (kind) {
			case TAG_LISTEN:
				accept_all(w);
				break;
			case TAG_EVENT: {
				uint64_t v;
				ssize_t ignored = read(w->evfd, &v, sizeof(v));
				(void)ignored;
				w->stop = 1;
				break;
			}
			case TAG_CONSOLE:
			case TAG_PIDFD:
				instance_poll(w);
				break;
			case TAG_PROBE:
				probe_event(w, evs[i].events);
				break;
			case TAG_CLIENT:
			case TAG_BACKEND:
				/* An earlier event in this batch may have closed it. */
				if (id < w->nconns && w->live[id])
					relay_event(w, w->live[id], kind == TAG_BACKEND, evs[i].events, now);
				break;
			}
			drain_actions(w);
		}
		/* Without pidfd (old kernels) an exit is only seen by polling. */
		if (w->instance_up && w->pidfd < 0)
			instance_poll(w);
		if (w->instance_up && w->core.state == WK_BOOTING && w->probe_fd < 0 && now_s() >= w->probe_at)
			probe_start(w);
		now = now_s();
		wk_tick(&w->core, now);
		drain_actions(w);
		expire_answers(w, now);
		drain_actions(w);
	}
	return zw_interrupted ? -EINTR : 0;
}

static void *thread_main(void *arg)
{
	struct waker *w = arg;
	w->thread_rc = waker_run(w);
	return NULL;
}

int waker_start_thread(struct waker *w)
{
	int r = pthread_create(&w->thread, NULL, thread_main, w);
	if (r)
		return -r;
	w->thread_started = 1;
	return 0;
}

void waker_request_stop(struct waker *w)
{
	uint64_t one = 1;
	if (write(w->evfd, &one, sizeof(one)) < 0)
		w->stop = 1;
}

int waker_join(struct waker *w)
{
	if (!w->thread_started)
		return 0;
	pthread_join(w->thread, NULL);
	w->thread_started = 0;
	return w->thread_rc;
}

enum wk_state waker_state(const struct waker *w)
{
	return (enum wk_state)atomic_load(&w->state);
}

unsigned long waker_state_changes(const struct waker *w)
{
	return atomic_load(&w->changes);
}

const struct wk_counters *waker_counters(const struct waker *w)
{
	return &w->core.n;
}

size_t waker_conns(const struct waker *w, const struct waker_conn **out)
{
	*out = w->conns;
	return w->nconns;
}

size_t waker_transitions(const struct waker *w, const struct waker_transition **out)
{
	*out = w->tr;
	return w->ntr;
}

int waker_port(const struct waker *w)
{
	return w->port;
}

int waker_open_fds(const struct waker *w)
{
	int n = 0;
	for (size_t i = 0; i < w->nconns; i++) {
		struct relay *r = w->live[i];
		if (!r)
			continue;
		n += (r->cfd >= 0) + (r->bfd >= 0);
		n += (r->up.pipe[0] >= 0) * 2 + (r->down.pipe[0] >= 0) * 2;
	}
	return n;
}

static int listen_on(struct waker *w)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	if (inet_pton(AF_INET, w->o.listen_addr, &sa.sin_addr) != 1)
		return -EINVAL;
	sa.sin_port = htons((uint16_t)(w->o.listen_port < 0 ? 0 : w->o.listen_port));
	w->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (w->lfd < 0)
		return -errno;
	int one = 1;
	setsockopt(w->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(w->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(w->lfd, 1024) < 0)
		return -errno;
	socklen_t len = sizeof(sa);
	if (getsockname(w->lfd, (struct sockaddr *)&sa, &len) < 0)
		return -errno;
	w->port = ntohs(sa.sin_port);
	return 0;
}

int waker_open(struct waker **out, struct target_instance *ti, const struct waker_options *o)
{
	struct waker *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->o = *o;
	if (!w->o.listen_addr[0])
		snprintf(w->o.listen_addr, sizeof(w->o.listen_addr), "127.0.0.1");
	if (w->o.cfg.ready_timeout_s <= 0)
		w->o.cfg.ready_timeout_s = ti->opt.ready_timeout_s;
	w->ti = ti;
	w->lfd = w->ep = w->evfd = w->pidfd = w->spare_fd = w->probe_fd = -1;
	w->probe_at = INFINITY;
	double now = now_s();
	w->t0 = now;
	int r = wk_init(&w->core, &w->o.cfg, now);
	if (r < 0) {
		free(w);
		return r;
	}
	atomic_store(&w->state, WK_OFF);
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (w->ep < 0 || w->evfd < 0) {
		r = -errno;
		goto fail;
	}
	r = listen_on(w);
	if (r < 0) {
		pr_err("waker: cannot listen on %s:%d: %s", w->o.listen_addr, w->o.listen_port, strerror(-r));
		goto fail;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag(TAG_LISTEN, 0) };
	struct epoll_event ev2 = { .events = EPOLLIN, .data.u64 = tag(TAG_EVENT, 0) };
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, w->lfd, &ev) < 0 || epoll_ctl(w->ep, EPOLL_CTL_ADD, w->evfd, &ev2) < 0) {
		r = -errno;
		goto fail;
	}
	*out = w;
	return 0;
fail:
	waker_close(w);
	return r;
}

void waker_close(struct waker *w)
{
	if (!w)
		return;
	if (w->thread_started) {
		waker_request_stop(w);
		waker_join(w);
	}
	double now = now_s();
	for (size_t i = 0; i < w->nconns; i++)
		if (w->live[i]) {
			w->live[i]->counted = 0;
			relay_free(w, w->live[i], now);
		}
	if (w->instance_up) {
		enum wk_state from = w->core.state;
		instance_stop(w);
		w->core.state = WK_OFF;
		record_transition(w, from, WK_OFF, now_s());
	}
	int fds[] = { w->lfd, w->ep, w->evfd, w->spare_fd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	wk_free(&w->core);
	free(w->live);
	free(w->conns);
	free(w->tr);
	free(w);
}
