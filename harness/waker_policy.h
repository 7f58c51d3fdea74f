/* The waker's decisions, with no I/O: events go in (a connection arrived,
 * the instance printed READY, it crashed, it stopped, time passed), actions
 * come out (start, stop, relay connection c, reject c with 502/503/504, the
 * state changed). The I/O shell (waker.c) carries the actions out; unit
 * tests drive the same core with a fake clock and no target at all.
 *
 * States and the policies that move between them:
 *
 *   off --arrival--> booting --READY--> serving <--> idle-warm --policy--> stopping --> off
 *
 *   always-on   started at once, never stopped (restarted after a crash)
 *   keep-alive  stopped T seconds after the last connection closed
 *   immediate   stopped as soon as the last connection closed
 *
 * Connections that arrive while the instance is off, booting or stopping
 * wait in one bounded FIFO for the one boot in progress (no thundering
 * herd: one boot serves them all) and are "cold"; the rest are "warm".
 * Idleness is counted per connection: a client that keeps an idle
 * connection open keeps the instance warm.
 *
 * Failures: queue full or too many relayed connections -> 503 to the
 * newcomer; the instance exits before READY -> 502 to every waiting client;
 * no READY within the ready timeout -> 504 to every waiting client and the
 * instance is stopped; the core stays usable in every case (the next
 * arrival boots again). A crash while serving is seen by the relays (the
 * shell answers 502 where no response byte was relayed yet); the core goes
 * off and restarts on the next arrival, or after a back-off for always-on. */
#ifndef ZW_WAKER_POLICY_H
#define ZW_WAKER_POLICY_H
#include <stddef.h>

enum wk_state { WK_OFF, WK_BOOTING, WK_SERVING, WK_IDLE, WK_STOPPING, WK_NSTATES };
enum wk_policy { WK_ALWAYS_ON, WK_KEEP_ALIVE, WK_IMMEDIATE };

struct wk_config {
	enum wk_policy policy;
	double keep_alive_s;       /* WK_KEEP_ALIVE */
	unsigned queue_max;        /* connections that may wait for a boot (>= 1) */
	unsigned conn_max;         /* connections relayed at once (>= 1) */
	double ready_timeout_s;    /* start -> READY */
	double restart_backoff_s;  /* always-on: pause before restarting after a crash */
};

enum wk_action_kind {
	WK_A_STATE,    /* from -> to at t */
	WK_A_START,    /* start the instance */
	WK_A_STOP,     /* stop it; answer with wk_stopped() */
	WK_A_RELAY,    /* connect conn to the instance; cold, wait_s */
	WK_A_REJECT,   /* answer conn with status and close it */
};

struct wk_action {
	enum wk_action_kind kind;
	unsigned long conn;
	int status;                /* WK_A_REJECT: 502, 503 or 504 */
	int cold;                  /* WK_A_RELAY: the connection waited for a boot */
	double wait_s;             /* WK_A_RELAY: time spent waiting */
	enum wk_state from, to;    /* WK_A_STATE */
	double t;                  /* when the core decided */
};

struct wk_counters {
	unsigned long boots, ready, crashes, timeouts, stops;
	unsigned long cold, warm;          /* relayed connections */
	unsigned long rejected_502, rejected_503, rejected_504;
};

struct wk_core {
	struct wk_config cfg;
	enum wk_state state;
	double state_since;
	double idle_since;         /* when the last connection closed (or READY) */
	double boot_deadline;
	double restart_at;         /* always-on after a crash; INFINITY when none */
	unsigned active;           /* connections being relayed */
	/* waiting connections, a ring of cfg.queue_max */
	unsigned long *q_conn;
	double *q_since;
	unsigned q_head, q_len;
	struct wk_counters n;
	/* actions since the last wk_take */
	struct wk_action *out;
	size_t nout, out_cap;
};

/* Checks cfg (-EINVAL with nothing allocated when it makes no sense). */
int wk_init(struct wk_core *c, const struct wk_config *cfg, double now);
void wk_free(struct wk_core *c);

/* Events. Each appends actions; the caller takes them with wk_take. */
void wk_begin(struct wk_core *c, double now);               /* always-on starts here */
void wk_connect(struct wk_core *c, double now, unsigned long conn);
void wk_conn_gone(struct wk_core *c, double now, unsigned long conn); /* left while waiting */
void wk_conn_closed(struct wk_core *c, double now, unsigned long conn); /* a relayed one ended */
void wk_ready(struct wk_core *c, double now);
void wk_crashed(struct wk_core *c, double now);  /* the instance exited unasked (or failed to start) */
void wk_stopped(struct wk_core *c, double now);  /* a WK_A_STOP has completed */
void wk_tick(struct wk_core *c, double now);     /* deadlines */

/* The next time wk_tick has something to do; INFINITY when nothing. */
double wk_next_deadline(const struct wk_core *c);

/* Moves the pending actions into *out (valid until the next event); returns
 * their number. */
size_t wk_take(struct wk_core *c, const struct wk_action **out);

const char *wk_state_name(enum wk_state s);
const char *wk_policy_name(enum wk_policy p);
/* "always-on", "immediate", "keep-alive:T" / "keep-alive=T" (seconds), and
 * the presets "lambda" (600 s), "azure" (1200 s), "knative" (30 s).
 * Returns 0 or -EINVAL. */
int wk_policy_parse(const char *s, enum wk_policy *p, double *keep_alive_s);
/* "keep-alive:30", "immediate", "always-on". */
void wk_policy_format(enum wk_policy p, double keep_alive_s, char *out, size_t len);

#endif
