#include "waker_policy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[WK_NSTATES] = {
	[WK_OFF] = "off", [WK_BOOTING] = "booting", [WK_SERVING] = "serving",
	[WK_IDLE] = "idle-warm", [WK_STOPPING] = "stopping",
};

const char *wk_state_name(enum wk_state s)
{
	return s < WK_NSTATES ? state_names[s] : "?";
}

const char *wk_policy_name(enum wk_policy p)
{
	switch (p) {
	case WK_ALWAYS_ON:
		return "always-on";
	case WK_KEEP_ALIVE:
		return "keep-alive";
	case WK_IMMEDIATE:
		return "immediate";
	}
	return "?";
}

int wk_policy_parse(const char *s, enum wk_policy *p, double *keep_alive_s)
{
	static const struct {
		const char *name;
		double t;
	} presets[] = { { "lambda", 600 }, { "azure", 1200 }, { "knative", 30 } };
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "always-on")) {
		*p = WK_ALWAYS_ON;
		*keep_alive_s = INFINITY;
		return 0;
	}
	if (!strcmp(s, "immediate")) {
		*p = WK_IMMEDIATE;
		*keep_alive_s = 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (!strcmp(s, presets[i].name)) {
			*p = WK_KEEP_ALIVE;
			*keep_alive_s = presets[i].t;
			return 0;
		}
	if (strncmp(s, "keep-alive", 10) || (s[10] != ':' && s[10] != '='))
		return -EINVAL;
	char *end;
	errno = 0;
	double t = strtod(s + 11, &end);
	if (errno || end == s + 11 || *end || !isfinite(t) || t < 0 || t > 1e7)
		return -EINVAL;
	*p = WK_KEEP_ALIVE;
	*keep_alive_s = t;
	return 0;
}

void wk_policy_format(enum wk_policy p, double keep_alive_s, char *out, size_t len)
{
	if (p == WK_KEEP_ALIVE)
		snprintf(out, len, "keep-alive:%g", keep_alive_s);
	else
		snprintf(out, len, "%s", wk_policy_name(p));
}

int wk_init(struct wk_core *c, const struct wk_config *cfg, double now)
{
	memset(c, 0, sizeof(*c));
	if (cfg->queue_max < 1 || cfg->conn_max < 1 || !(cfg->ready_timeout_s > 0) ||
	    (cfg->policy == WK_KEEP_ALIVE && !(cfg->keep_alive_s >= 0)) || cfg->restart_backoff_s < 0)
		return -EINVAL;
	c->cfg = *cfg;
	c->state = WK_OFF;
	c->state_since = now;
	c->idle_since = now;
	c->boot_deadline = INFINITY;
	c->restart_at = INFINITY;
	c->q_conn = calloc(cfg->queue_max, sizeof(*c->q_conn));
	c->q_since = calloc(cfg->queue_max, sizeof(*c->q_since));
	/* A READY can release the whole queue at once, plus a few state
	 * changes and a stop or start. */
	c->out_cap = (size_t)cfg->queue_max + 16;
	c->out = calloc(c->out_cap, sizeof(*c->out));
	if (!c->q_conn || !c->q_since || !c->out) {
		wk_free(c);
		return -ENOMEM;
	}
	return 0;
}

void wk_free(struct wk_core *c)
{
	free(c->q_conn);
	free(c->q_since);
	free(c->out);
	c->q_conn = NULL;
	c->q_since = NULL;
	c->out = NULL;
}

static struct wk_action *emit(struct wk_core *c, enum wk_action_kind kind, double now)
{
	/* Cannot overflow: out_cap bounds what one event can produce. */
	struct wk_action *a = &c->out[c->nout < c->out_cap ? c->nout++ : c->out_cap - 1];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->t = now;
	return a;
}

size_t wk_take(struct wk_core *c, const struct wk_action **out)
{
	size_t n = c->nout;
	*out = c->out;
	c->nout = 0;
	return n;
}

static void set_state(struct wk_core *c, enum wk_state to, double now)
{
	if (c->state == to)
		return;
	struct wk_action *a = emit(c, WK_A_STATE, now);
	a->from = c->state;
	a->to = to;
	c->state = to;
	c->state_since = now;
}

static void start(struct wk_core *c, double now)
{
	c->n.boots++;
	c->boot_deadline = now + c->cfg.ready_timeout_s;
	c->restart_at = INFINITY;
	/* The state change first: carrying out the start may already raise
	 * the next event (a start that fails is a crash). */
	set_state(c, WK_BOOTING, now);
	emit(c, WK_A_START, now);
}

static void stop(struct wk_core *c, double now)
{
	c->n.stops++;
	c->boot_deadline = INFINITY;
	set_state(c, WK_STOPPING, now);
	emit(c, WK_A_STOP, now);
}

static void reject(struct wk_core *c, double now, unsigned long conn, int status)
{
	struct wk_action *a = emit(c, WK_A_REJECT, now);
	a->conn = conn;
	a->status = status;
	if (status == 502)
		c->n.rejected_502++;
	else if (status == 503)
		c->n.rejected_503++;
	else
		c->n.rejected_504++;
}

static void relay(struct wk_core *c, double now, unsigned long conn, int cold, double since)
{
	struct wk_action *a = emit(c, WK_A_RELAY, now);
	a->conn = conn;
	a->cold = cold;
	a->wait_s = now - since;
	c->active++;
	if (cold)
		c->n.cold++;
	else
		c->n.warm++;
}

static void reject_queue(struct wk_core *c, double now, int status)
{
	while (c->q_len) {
		reject(c, now, c->q_conn[c->q_head], status);
		c->q_head = (c->q_head + 1) % c->cfg.queue_max;
		c->q_len--;
	}
}

static int enqueue(struct wk_core *c, double now, unsigned long conn)
{
	if (c->q_len == c->cfg.queue_max)
		return -ENOSPC;
	unsigned i = (c->q_head + c->q_len) % c->cfg.queue_max;
	c->q_conn[i] = conn;
	c->q_since[i] = now;
	c->q_len++;
	return 0;
}

/* Serving or idle, whichever the connection count says; the immediate
 * policy stops as soon as nothing is left to serve. */
static void settle(struct wk_core *c, double now)
{
	if (c->active > 0) {
		set_state(c, WK_SERVING, now);
		return;
	}
	c->idle_since = now;
	set_state(c, WK_IDLE, now);
	if (c->cfg.policy == WK_IMMEDIATE)
		stop(c, now);
}

void wk_begin(struct wk_core *c, double now)
{
	if (c->cfg.policy == WK_ALWAYS_ON && c->state == WK_OFF)
		start(c, now);
}

void wk_connect(struct wk_core *c, double now, unsigned long conn)
{
	switch (c->state) {
	case WK_SERVING:
	case WK_IDLE:
		if (c->active >= c->cfg.conn_max) {
			reject(c, now, conn, 503);
			return;
		}
		relay(c, now, conn, 0, now);
		set_state(c, WK_SERVING, now);
		return;
	case WK_OFF:
		if (enqueue(c, now, conn) < 0) {
			reject(c, now, conn, 503);
			return;
		}
		start(c, now);
		return;
	case WK_BOOTING:
	case WK_STOPPING:
		if (enqueue(c, now, conn) < 0)
			reject(c, now, conn, 503);
		return;
	case WK_NSTATES:
		break;
	}
}

void wk_conn_gone(struct wk_core *c, double now, unsigned long conn)
{
	(void)now;
	for (unsigned k = 0; k < c->q_len; k++) {
		unsigned i = (c->q_head + k) % c->cfg.queue_max;
		if (c->q_conn[i] != conn)
			continue;
		for (; k + 1 < c->q_len; k++) {
			unsigned a = (c->q_head + k) % c->cfg.queue_max, b = (a + 1) % c->cfg.queue_max;
			c->q_conn[a] = c->q_conn[b];
			c->q_since[a] = c->q_since[b];
		}
		c->q_len--;
		return;
	}
}

void wk_conn_closed(struct wk_core *c, double now, unsigned long conn)
{
	(void)conn;
	if (c->active > 0)
		c->active--;
	/* Relays that outlive a crash close while the core is already off or
	 * booting again: they change nothing there. */
	if (c->state == WK_SERVING && c->active == 0)
		settle(c, now);
}

void wk_ready(struct wk_core *c, double now)
{
	if (c->state != WK_BOOTING)
		return;
	c->n.ready++;
	c->boot_deadline = INFINITY;
	while (c->q_len) {
		unsigned long conn = c->q_conn[c->q_head];
		double since = c->q_since[c->q_head];
		c->q_head = (c->q_head + 1) % c->cfg.queue_max;
		c->q_len--;
		if (c->active >= c->cfg.conn_max)
			reject(c, now, conn, 503);
		else
			relay(c, now, conn, 1, since);
	}
	settle(c, now);
}

void wk_crashed(struct wk_core *c, double now)
{
	if (c->state == WK_OFF || c->state == WK_STOPPING) {
		/* Exiting while being stopped is the stop completing. */
		if (c->state == WK_STOPPING)
			wk_stopped(c, now);
		return;
	}
	c->n.crashes++;
	c->boot_deadline = INFINITY;
	if (c->state == WK_BOOTING)
		reject_queue(c, now, 502);
	set_state(c, WK_OFF, now);
	if (c->cfg.policy == WK_ALWAYS_ON)
		c->restart_at = now + c->cfg.restart_backoff_s;
}

void wk_stopped(struct wk_core *c, double now)
{
	if (c->state != WK_STOPPING)
		return;
	set_state(c, WK_OFF, now);
	/* Arrivals during the stop waited for it; they get a fresh boot. */
	if (c->q_len > 0 || c->cfg.policy == WK_ALWAYS_ON)
		start(c, now);
}

void wk_tick(struct wk_core *c, double now)
{
	switch (c->state) {
	case WK_BOOTING:
		if (now >= c->boot_deadline) {
			c->n.timeouts++;
			reject_queue(c, now, 504);
			stop(c, now);
		}
		return;
	case WK_IDLE:
		if (c->cfg.policy == WK_KEEP_ALIVE && now >= c->idle_since + c->cfg.keep_alive_s)
			stop(c, now);
		return;
	case WK_OFF:
		if (now >= c->restart_at)
			start(c, now);
		return;
	case WK_SERVING:
	case WK_STOPPING:
	case WK_NSTATES:
		return;
	}
}

double wk_next_deadline(const struct wk_core *c)
{
	switch (c->state) {
	case WK_BOOTING:
		return c->boot_deadline;
	case WK_IDLE:
		return c->cfg.policy == WK_KEEP_ALIVE ? c->idle_since + c->cfg.keep_alive_s : INFINITY;
	case WK_OFF:
		return c->restart_at;
	default:
		return INFINITY;
	}
}
