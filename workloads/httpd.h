/* httpd's server state, shared by the event loop (httpd.c) and the
 * per-connection logic (httpd_conn.c). Single-threaded: one epoll loop. */
#ifndef ZW_HTTPD_H
#define ZW_HTTPD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conn_list.h"
#include "http_parse.h"
#include "http_response.h"

#define IDLE_TIMEOUT_MS   60000   /* an open connection that makes no progress */
#define DRAIN_TIMEOUT_MS  2000    /* reading a closing peer's leftovers */
#define ACCEPT_RETRY_MS   100     /* after running out of descriptors or memory */
#define READ_CHUNK        16384
#define OUT_CHUNK         65536   /* responses batched per write(2) */

enum conn_phase {
	CONN_OPEN,       /* reading requests */
	CONN_CLOSING,    /* last response queued; close once it is sent */
	CONN_DRAINING,   /* write side shut; discard input until EOF or timeout */
};

struct conn {
	struct conn_link link;    /* first: a link is a conn */
	int fd;
	uint32_t events;          /* epoll interest registered now */
	enum conn_phase phase;
	bool peer_closed;
	int64_t deadline_ms;
	struct http_parser parser;
	/* Only a client that does not read its responses leaves these set:
	 * unsent output, and input not parsed until that output is gone. */
	char *pend_out;
	size_t pend_out_len, pend_out_off;
	char *pend_in;
	size_t pend_in_len;
};

struct server {
	int epfd;
	int listen_fd;
	unsigned max_conns;
	unsigned nconns;
	bool accept_paused;
	bool closed_since_pause;  /* a descriptor came free: try accepting again */
	int64_t accept_retry_ms;  /* INT64_MAX: only when a connection closes */
	bool rlimit_tried;
	struct conn_list open;    /* open and closing connections, by deadline */
	struct conn_list draining;
	struct conn *free_conns;  /* closed ones, reused: see httpd_conn.c */
	int64_t now_ms;
	time_t date_sec;
	char date[HTTP_DATE_LEN + 1];
	size_t out_len;
	char in[READ_CHUNK];
	char out[OUT_CHUNK];
};

static inline struct conn *conn_of(struct conn_link *l)
{
	return (struct conn *)l;
}

/* httpd_conn.c */
struct conn *conn_open(struct server *s, int fd);
void conn_event(struct server *s, struct conn *c, uint32_t events);
void conn_close(struct server *s, struct conn *c);
/* Closes connections whose deadline has passed; returns the milliseconds
 * until the next deadline, or -1 when there is none. */
int conn_expire(struct server *s);

#endif
