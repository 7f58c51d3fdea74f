/* One connection's life: parse what arrives, queue the responses, write
 * them in one write(2) per read, close politely. Every path that gives up
 * on a connection goes through conn_close, so no descriptor is leaked. */
#include "httpd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

/* httpd never calls free(): musl's malloc (mallocng) hands freed pages back
 * with madvise(MADV_FREE), a syscall outside the unikernel's subset.
 * Connection structs are recycled through a free list instead, and the
 * rare buffers of slow readers are mapped and unmapped directly. */
static size_t page_round(size_t len)
{
	return (len + 4095) & ~(size_t)4095;
}

static char *buf_map(size_t len)
{
	void *p = mmap(NULL, page_round(len), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void buf_unmap(char *p, size_t len)
{
	if (p)
		munmap(p, page_round(len));
}

static void conn_refresh(struct server *s, struct conn *c)
{
	if (c->phase == CONN_DRAINING)
		return;   /* draining has a fixed budget however chatty the peer */
	c->deadline_ms = s->now_ms + IDLE_TIMEOUT_MS;
	conn_list_move_tail(&s->open, &c->link);
}

static int conn_want(struct server *s, struct conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (c->events == events)
		return 0;
	if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		return -errno;
	c->events = events;
	return 0;
}

static void conn_recycle(struct server *s, struct conn *c)
{
	c->link.next = s->free_conns ? &s->free_conns->link : NULL;
	s->free_conns = c;
}

struct conn *conn_open(struct server *s, int fd)
{
	struct conn *c = s->free_conns;
	struct epoll_event ev = { .events = EPOLLIN };

	if (c)
		s->free_conns = c->link.next ? conn_of(c->link.next) : NULL;
	else if (!(c = malloc(sizeof(*c))))
		return NULL;
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->events = EPOLLIN;
	c->phase = CONN_OPEN;
	http_parser_init(&c->parser);
	ev.data.ptr = c;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		conn_recycle(s, c);
		return NULL;
	}
	c->link.prev = c->link.next = &c->link;
	s->nconns++;
	conn_refresh(s, c);
	return c;
}

void conn_close(struct server *s, struct conn *c)
{
	/* close() also drops the descriptor from the epoll set. */
	close(c->fd);
	conn_link_remove(&c->link);
	buf_unmap(c->pend_out, c->pend_out_len);
	buf_unmap(c->pend_in, c->pend_in_len);
	conn_recycle(s, c);
	s->nconns--;
	s->closed_since_pause = true;
}

/* Half-close, then read until the peer closes too: closing with unread
 * input would make the kernel send RST, which can destroy the response
 * (an error reply) before the client reads it. */
static void conn_drain(struct server *s, struct conn *c)
{
	if (c->peer_closed || shutdown(c->fd, SHUT_WR) < 0 ||
	    conn_want(s, c, EPOLLIN) < 0) {
		conn_close(s, c);
		return;
	}
	c->phase = CONN_DRAINING;
	c->deadline_ms = s->now_ms + DRAIN_TIMEOUT_MS;
	conn_list_move_tail(&s->draining, &c->link);
}

/* Writes buf; returns bytes written (possibly fewer: the socket is full),
 * or a negative errno when the connection is broken. */
static ssize_t conn_write(struct conn *c, const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(c->fd, buf + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Keeps a copy of what could not be sent now (and of input that must wait
 * behind it) and asks for EPOLLOUT. Returns 0, or -ENOMEM. */
static int conn_defer(struct server *s, struct conn *c, const char *out,
		      size_t out_len, const char *in, size_t in_len)
{
	c->pend_out = buf_map(out_len);
	if (!c->pend_out)
		return -ENOMEM;
	memcpy(c->pend_out, out, out_len);
	c->pend_out_len = out_len;
	c->pend_out_off = 0;
	if (in_len) {
		c->pend_in = buf_map(in_len);
		if (!c->pend_in)
			return -ENOMEM;
		memcpy(c->pend_in, in, in_len);
		c->pend_in_len = in_len;
	}
	return conn_want(s, c, EPOLLOUT);
}

/* Sends the batched responses in s->out. Returns 1 when all went, 0 when
 * the rest was deferred (input from in on waits for it), -1 when c was
 * closed. */
static int conn_send_batch(struct server *s, struct conn *c, const char *in,
			   size_t in_len)
{
	ssize_t n = conn_write(c, s->out, s->out_len);
	size_t sent;

	if (n < 0) {
		conn_close(s, c);
		return -1;
	}
	sent = (size_t)n;
	if (sent == s->out_len) {
		s->out_len = 0;
		return 1;
	}
	if (conn_defer(s, c, s->out + sent, s->out_len - sent, in, in_len) < 0) {
		conn_close(s, c);
		return -1;
	}
	s->out_len = 0;
	return 0;
}

static void append_response(struct server *s, int status, bool head,
			    bool keep_alive)
{
	s->out_len += http_response_build(s->out + s->out_len, status, head,
					  keep_alive, s->date);
}

/* Parses in[0..len) and answers every complete request, in order.
 * Returns -1 when c was closed. */
static int conn_feed(struct server *s, struct conn *c, const char *in,
		     size_t len)
{
	size_t off = 0;
	int r;

	s->out_len = 0;
	while (off < len && c->phase == CONN_OPEN) {
		struct http_request req;
		size_t used;
		enum http_parse_status st;

		if (s->out_len + HTTP_RESPONSE_MAX > sizeof(s->out)) {
			r = conn_send_batch(s, c, in + off, len - off);
			if (r <= 0)
				return r;
		}
		st = http_parse(&c->parser, in + off, len - off, &used, &req);
		off += used;
		if (st == HTTP_PARSE_MORE)
			break;
		if (st == HTTP_PARSE_DONE) {
			append_response(s, http_route(&req),
					req.method == HTTP_HEAD, req.keep_alive);
			if (!req.keep_alive)
				c->phase = CONN_CLOSING;
		} else {
			/* After a malformed request the stream cannot be
			 * resynchronised: answer and close. */
			append_response(s, c->parser.error, false, false);
			c->phase = CONN_CLOSING;
		}
	}
	/* Anything after a closing request is ignored, as it would be by a
	 * server that closed right after answering. */
	if (s->out_len) {
		r = conn_send_batch(s, c, NULL, 0);
		if (r <= 0)
			return r;
	}
	if (c->phase == CONN_CLOSING) {
		conn_drain(s, c);
		return -1;
	}
	return 0;
}

static void conn_read(struct server *s, struct conn *c)
{
	ssize_t n = read(c->fd, s->in, sizeof(s->in));

	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			conn_close(s, c);
		return;
	}
	if (n == 0) {
		c->peer_closed = true;
		/* Nothing is pending here: pending output would have removed
		 * EPOLLIN from the interest set. */
		conn_close(s, c);
		return;
	}
	if (c->phase == CONN_DRAINING)
		return;
	if (conn_feed(s, c, s->in, (size_t)n) == 0)
		conn_refresh(s, c);
}

static void conn_write_pending(struct server *s, struct conn *c)
{
	ssize_t n = conn_write(c, c->pend_out + c->pend_out_off,
			       c->pend_out_len - c->pend_out_off);
	char *in;
	size_t in_len;

	if (n < 0) {
		conn_close(s, c);
		return;
	}
	c->pend_out_off += (size_t)n;
	conn_refresh(s, c);
	if (c->pend_out_off < c->pend_out_len)
		return;
	buf_unmap(c->pend_out, c->pend_out_len);
	c->pend_out = NULL;
	if (c->phase == CONN_CLOSING || c->peer_closed) {
		conn_drain(s, c);
		return;
	}
	/* Input that waited behind the output is parsed now; conn_feed may
	 * defer again, copying what it still cannot handle. */
	in = c->pend_in;
	in_len = c->pend_in_len;
	c->pend_in = NULL;
	c->pend_in_len = 0;
	if (in) {
		int r = conn_feed(s, c, in, in_len);

		buf_unmap(in, in_len);
		if (r < 0 || c->pend_out)
			return;
	}
	if (conn_want(s, c, EPOLLIN) < 0)
		conn_close(s, c);
}

void conn_event(struct server *s, struct conn *c, uint32_t events)
{
	if (events & EPOLLERR) {
		conn_close(s, c);
		return;
	}
	if (c->pend_out) {
		if (events & (EPOLLOUT | EPOLLHUP))
			conn_write_pending(s, c);
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP))
		conn_read(s, c);
}

static int expire_list(struct server *s, struct conn_list *l)
{
	while (!conn_list_empty(l)) {
		struct conn *c = conn_of(l->head.next);

		if (c->deadline_ms > s->now_ms) {
			int64_t wait = c->deadline_ms - s->now_ms;

			return wait > 0x7fffffff ? 0x7fffffff : (int)wait;
		}
		conn_close(s, c);
	}
	return -1;
}

int conn_expire(struct server *s)
{
	int a = expire_list(s, &s->open);
	int b = expire_list(s, &s->draining);

	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}
