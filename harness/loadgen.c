#include "loadgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "httpclient.h"
#include "proc.h"

enum conn_state { CONN_FREE, CONN_CONNECTING, CONN_SENDING, CONN_READING, CONN_IDLE };

struct conn {
	int fd;
	enum conn_state state;
	long req;              /* index of the request in flight, -1 none */
	char buf[4096];
	size_t have;
	int head;              /* response head length once parsed */
	int status;
	long content_length;
	long body_bytes;
	size_t sent;
};

struct lg {
	const struct lg_options *o;
	struct lg_request *reqs;
	size_t n;
	struct conn *conns;
	unsigned nconns;
	int ep;
	double t0;
	struct sockaddr_in sa;
	size_t next;           /* next request to schedule */
	size_t done;
	long *waiting;         /* requests due but without a connection (FIFO) */
	size_t wait_head, wait_tail;
};

static const char request_fmt[] = "GET / HTTP/1.1\r\nHost: %s\r\n%s\r\n";

static double rel_now(const struct lg *g)
{
	return now_s() - g->t0;
}

double lg_latency(const struct lg_request *r)
{
	return r->error || isnan(r->end_s) ? NAN : r->end_s - r->sched_s;
}

void lg_schedule_constant(struct lg_request *reqs, size_t n, double rate, double start)
{
	for (size_t i = 0; i < n; i++) {
		memset(&reqs[i], 0, sizeof(reqs[i]));
		reqs[i].sched_s = start + (double)i / rate;
	}
}

static void finish(struct lg *g, struct conn *c, int error)
{
	if (c->req >= 0) {
		struct lg_request *r = &g->reqs[c->req];
		r->error = error;
		r->status = c->status;
		r->end_s = rel_now(g);
		g->done++;
	}
	c->req = -1;
	int reuse = !error && g->o->keepalive && c->state == CONN_READING;
	if (reuse) {
		c->state = CONN_IDLE;
		c->have = 0;
		c->head = 0;
		return;
	}
	if (c->fd >= 0) {
		epoll_ctl(g->ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	c->state = CONN_FREE;
}

static int send_request(struct lg *g, struct conn *c)
{
	char req[256];
	int len = snprintf(req, sizeof(req), request_fmt, g->o->addr,
			   g->o->keepalive ? "" : "Connection: close\r\n");
	while (c->sent < (size_t)len) {
		ssize_t w = write(c->fd, req + c->sent, (size_t)len - c->sent);
		if (w < 0)
			return errno == EAGAIN ? 0 : -errno;
		c->sent += (size_t)w;
	}
	c->state = CONN_READING;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	epoll_ctl(g->ep, EPOLL_CTL_MOD, c->fd, &ev);
	return 0;
}

static void assign(struct lg *g, struct conn *c, long req)
{
	struct lg_request *r = &g->reqs[req];
	c->req = req;
	c->have = 0;
	c->head = 0;
	c->status = 0;
	c->body_bytes = 0;
	c->sent = 0;
	r->send_s = rel_now(g);
	if (c->state == CONN_IDLE) {
		c->state = CONN_SENDING;
		int e = send_request(g, c);
		if (e < 0)
			finish(g, c, -e);
		return;
	}
	r->new_connection = 1;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		finish(g, c, errno);
		return;
	}
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	int rc = connect(c->fd, (struct sockaddr *)&g->sa, sizeof(g->sa));
	if (rc < 0 && errno != EINPROGRESS) {
		finish(g, c, errno);
		return;
	}
	struct sockaddr_in local;
	socklen_t llen = sizeof(local);
	if (getsockname(c->fd, (struct sockaddr *)&local, &llen) == 0)
		r->local_port = ntohs(local.sin_port);
	c->state = CONN_CONNECTING;
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
	epoll_ctl(g->ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static struct conn *idle_or_free(struct lg *g)
{
	struct conn *free_one = NULL;
	for (unsigned i = 0; i < g->nconns; i++) {
		if (g->conns[i].state == CONN_IDLE && g->conns[i].req < 0)
			return &g->conns[i];
		if (!free_one && g->conns[i].state == CONN_FREE)
			free_one = &g->conns[i];
	}
	return free_one;
}

/* The head is parsed from buf; after that only the body's length matters,
 * so buf is reused and body_bytes counts what went through it. */
static void on_readable(struct lg *g, struct conn *c)
{
	for (;;) {
		ssize_t n = read(c->fd, c->buf + c->have, sizeof(c->buf) - c->have);
		if (n < 0) {
			if (errno != EAGAIN)
				finish(g, c, errno);
			return;
		}
		struct lg_request *r = &g->reqs[c->req];
		if (n > 0 && isnan(r->first_byte_s))
			r->first_byte_s = rel_now(g);
		if (n == 0) {
			int whole = c->head > 0 && (c->content_length < 0 || c->body_bytes >= c->content_length);
			c->state = CONN_CONNECTING; /* closed: not reusable */
			finish(g, c, whole ? 0 : EPROTO);
			return;
		}
		if (c->head > 0) {
			c->body_bytes += n;
		} else {
			c->have += (size_t)n;
			c->head = http_parse_response_head(c->buf, c->have, &c->status, &c->content_length);
			if (c->head < 0 || (c->head == 0 && c->have == sizeof(c->buf))) {
				c->state = CONN_CONNECTING;
				finish(g, c, EPROTO);
				return;
			}
			if (c->head > 0)
				c->body_bytes = (long)c->have - c->head;
		}
		c->have = c->head > 0 ? 0 : c->have;
		if (c->head > 0 && c->content_length >= 0 && c->body_bytes >= c->content_length) {
			finish(g, c, 0);
			return;
		}
	}
}

static void on_event(struct lg *g, struct conn *c, uint32_t events)
{
	if (c->state == CONN_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err || (events & (EPOLLERR | EPOLLHUP))) {
			finish(g, c, err ? err : ECONNREFUSED);
			return;
		}
		c->state = CONN_SENDING;
	}
	if (c->state == CONN_SENDING) {
		int e = send_request(g, c);
		if (e < 0)
			finish(g, c, -e);
		return;
	}
	if (c->state == CONN_READING)
		on_readable(g, c);
}

static void expire(struct lg *g, double now)
{
	for (unsigned i = 0; i < g->nconns; i++) {
		struct conn *c = &g->conns[i];
		if (c->req >= 0 && now - g->reqs[c->req].sched_s > g->o->timeout_s) {
			c->state = CONN_CONNECTING; /* force close */
			finish(g, c, ETIMEDOUT);
		}
	}
	while (g->wait_head < g->wait_tail &&
	       now - g->reqs[g->waiting[g->wait_head]].sched_s > g->o->timeout_s) {
		struct lg_request *r = &g->reqs[g->waiting[g->wait_head++]];
		r->error = ETIMEDOUT;
		r->end_s = now;
		g->done++;
	}
}

int loadgen_run(const struct lg_options *opt, struct lg_request *reqs, size_t n)
{
	struct lg_options o = *opt;
	if (!o.max_conns)
		o.max_conns = 1000;
	if (o.timeout_s <= 0)
		o.timeout_s = 30;
	struct lg g = { .o = &o, .reqs = reqs, .n = n };
	g.sa.sin_family = AF_INET;
	g.sa.sin_port = htons((uint16_t)o.port);
	if (inet_pton(AF_INET, o.addr, &g.sa.sin_addr) != 1)
		return -EINVAL;
	if (o.cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	for (size_t i = 0; i < n; i++) {
		reqs[i].send_s = reqs[i].first_byte_s = reqs[i].end_s = NAN;
		reqs[i].status = reqs[i].error = reqs[i].new_connection = reqs[i].local_port = 0;
	}
	g.conns = calloc(o.max_conns, sizeof(*g.conns));
	g.waiting = calloc(n ? n : 1, sizeof(*g.waiting));
	g.ep = epoll_create1(EPOLL_CLOEXEC);
	if (!g.conns || !g.waiting || g.ep < 0) {
		free(g.conns);
		free(g.waiting);
		if (g.ep >= 0)
			close(g.ep);
		return -ENOMEM;
	}
	g.nconns = o.max_conns;
	for (unsigned i = 0; i < g.nconns; i++) {
		g.conns[i].fd = -1;
		g.conns[i].req = -1;
	}
	g.t0 = now_s();
	if (o.t0_out)
		*o.t0_out = g.t0;
	struct epoll_event evs[256];
	while (g.done < n && !zw_interrupted) {
		double now = rel_now(&g);
		while (g.next < n && reqs[g.next].sched_s <= now)
			g.waiting[g.wait_tail++] = (long)g.next++;
		while (g.wait_head < g.wait_tail) {
			struct conn *c = idle_or_free(&g);
			if (!c)
				break;
			assign(&g, c, g.waiting[g.wait_head++]);
		}
		double wake = g.next < n ? reqs[g.next].sched_s - rel_now(&g) : 0.05;
		if (wake > 0.05)
			wake = 0.05;
		int timeout_ms = wake > 0 ? (int)ceil(wake * 1000) : 0;
		int k = epoll_wait(g.ep, evs, 256, timeout_ms);
		for (int i = 0; i < k; i++)
			on_event(&g, evs[i].data.ptr, evs[i].events);
		expire(&g, rel_now(&g));
	}
	for (unsigned i = 0; i < g.nconns; i++)
		if (g.conns[i].fd >= 0)
			close(g.conns[i].fd);
	close(g.ep);
	free(g.conns);
	free(g.waiting);
	return zw_interrupted ? -EINTR : 0;
}
