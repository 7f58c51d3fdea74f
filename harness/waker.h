/* The scale-to-zero waker: a socket-activation front end inside the lab
 * network namespace. It listens on its own address, starts the target
 * (through the target interface only, so native, container, vm and
 * unikernel work unchanged) when a connection arrives and nothing runs,
 * relays bytes both ways once the instance printed READY (splice(2)
 * through a pipe, read/write where a pipe cannot be had), and stops the
 * instance by policy. The decisions are waker_policy.c's; this file is the
 * I/O around them: one epoll loop that keeps accepting while a boot is in
 * progress (the console is polled for READY from the loop, never waited
 * for).
 *
 *   struct waker *w;
 *   waker_open(&w, &ti, &opt);        // ti: target_init + target_prepare done
 *   waker_start_thread(w);            // or waker_run(w) in this thread
 *   ... clients connect to 127.0.0.1:waker_port(w) inside the lab ...
 *   waker_request_stop(w); waker_join(w);
 *   waker_conns(w, &c) / waker_transitions(w, &t)   // what happened, timestamped
 *   waker_close(w);                   // stops the instance; target_cleanup is the caller's
 *
 * Every connection is recorded (accept, relay, first byte back, close, the
 * client's source port, cold or warm, the status the waker answered with)
 * so a load generator in the same process can tell its cold requests from
 * its warm ones without a byte of the workload's response being changed.
 *
 * Stopping is synchronous (target_stop): arrivals during a stop wait in the
 * listen backlog and are then served by a fresh boot. */
#ifndef ZW_WAKER_H
#define ZW_WAKER_H
#include <stddef.h>

#include "waker_policy.h"

struct target_instance;
struct waker;

#define WAKER_DEFAULT_PORT 9000

struct waker_options {
	struct wk_config cfg;
	char listen_addr[16];      /* default 127.0.0.1 */
	int listen_port;           /* default WAKER_DEFAULT_PORT; -1 = any free port */
	/* Called in the waker's thread after every state change is recorded
	 * (labelling the power series, pinning a fresh instance). */
	void (*on_state)(void *user, struct target_instance *ti, enum wk_state from,
			 enum wk_state to, double t);
	void *user;
	int verbose;               /* state changes and answers on stderr */
	int copy_relay;            /* read/write instead of splice (the fallback path, for tests) */
};

/* Defaults: keep-alive 30 s, queue 64, 256 relayed connections, the
 * instance's ready timeout, a 1 s restart back-off. */
void waker_options_default(struct waker_options *o);

struct waker_conn {
	double t_accept, t_relay, t_first_byte, t_close;  /* now_s(); NaN if it never happened */
	int peer_port;             /* the client's source port */
	int cold;                  /* waited for a boot */
	int status;                /* 0 relayed; 502, 503, 504 answered by the waker */
	unsigned long long bytes_up, bytes_down;
};

struct waker_transition {
	double t;                  /* now_s() */
	enum wk_state from, to;
};

int waker_open(struct waker **out, struct target_instance *ti, const struct waker_options *o);
int waker_port(const struct waker *w);
/* The event loop; returns when stopped or interrupted (0, or -errno). */
int waker_run(struct waker *w);
int waker_start_thread(struct waker *w);
void waker_request_stop(struct waker *w);  /* any thread */
int waker_join(struct waker *w);
/* The current state, readable from any thread. */
enum wk_state waker_state(const struct waker *w);
/* Number of state changes so far, readable from any thread. */
unsigned long waker_state_changes(const struct waker *w);

/* After the loop ended (or from its own thread). */
const struct wk_counters *waker_counters(const struct waker *w);
size_t waker_conns(const struct waker *w, const struct waker_conn **out);
size_t waker_transitions(const struct waker *w, const struct waker_transition **out);
/* Descriptors the waker holds now (tests: nothing leaks). */
int waker_open_fds(const struct waker *w);

/* Stops the instance if it runs, closes every descriptor, frees w. */
void waker_close(struct waker *w);

#endif
