/* Open-loop HTTP load: every request is sent at its scheduled time whatever
 * the server is doing, and its latency is counted from that scheduled time,
 * so a stalled server cannot hide its queueing (no coordinated omission, as
 * wrk2 does it). Drives `load --rate` and the scale-to-zero trace player. */
#ifndef ZW_LOADGEN_H
#define ZW_LOADGEN_H
#include <stddef.h>

struct lg_request {
	double sched_s;        /* input: when to send, seconds after the run starts */
	/* outputs, seconds after the run starts (NaN if the step never happened) */
	double send_s, first_byte_s, end_s;
	int status;            /* HTTP status, 0 if none */
	int error;             /* 0, or errno-style code (ECONNREFUSED, ETIMEDOUT, EPROTO) */
	int new_connection;    /* the request opened a connection of its own */
	int local_port;        /* that connection's source port, so a server-side
	                          record (the scale-to-zero waker's) can be matched */
};

struct lg_options {
	const char *addr;
	int port;
	unsigned max_conns;    /* concurrent connections, default 1000 */
	int keepalive;         /* reuse idle connections (default: a new connection per request) */
	double timeout_s;      /* per request, from its scheduled time; default 30 */
	int cpu;               /* pin the generator to this CPU, -1 none */
	double *t0_out;        /* if set, gets the now_s() that request times count from */
};

/* Runs until every request finished or timed out. Returns 0 or -errno for a
 * setup failure; per-request failures are in reqs[i].error. */
int loadgen_run(const struct lg_options *o, struct lg_request *reqs, size_t n);

/* Latency of request r from its scheduled time, seconds (NaN if failed). */
double lg_latency(const struct lg_request *r);

/* Constant-rate schedule: n requests at rate per second from t=start. */
void lg_schedule_constant(struct lg_request *reqs, size_t n, double rate, double start);

#endif
