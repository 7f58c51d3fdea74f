/* zerowatt waker TARGET: the scale-to-zero front end on its own, for a
 * person (or a test) to poke at: it listens inside the lab namespace, boots
 * the target on the first connection and stops it by policy, printing every
 * state change. Clients reach it with `ip netns exec <lab netns> ...`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lab.h"
#include "log.h"
#include "proc.h"
#include "qemu.h"
#include "target.h"
#include "verb.h"
#include "waker.h"

static void parse_listen(const char *v, struct waker_options *o)
{
	const char *colon = strrchr(v, ':');
	if (!colon || colon == v || (size_t)(colon - v) >= sizeof(o->listen_addr))
		die_usage("waker: --listen '%s' is not ADDR:PORT", v);
	snprintf(o->listen_addr, sizeof(o->listen_addr), "%.*s", (int)(colon - v), v);
	o->listen_port = (int)cli_uint("--listen port", colon + 1, 1, 65535);
}

static int waker_verb(int argc, char **argv)
{
	struct waker_options o;
	waker_options_default(&o);
	o.verbose = 1;
	struct target_options opt = { 0 };
	double seconds = 0;
	const char *name = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (a[0] != '-') {
			if (name)
				die_usage("waker: one TARGET only");
			name = a;
			continue;
		}
		if (!strcmp(a, "--copy")) {
			o.copy_relay = 1;
			continue;
		}
		if (!v)
			die_usage("waker: option %s needs a value", a);
		i++;
		if (!strcmp(a, "--policy")) {
			if (wk_policy_parse(v, &o.cfg.policy, &o.cfg.keep_alive_s) < 0)
				die_usage("waker: --policy '%s' is not always-on, immediate, keep-alive:T, "
					  "lambda, azure or knative", v);
		} else if (!strcmp(a, "--listen")) {
			parse_listen(v, &o);
		} else if (!strcmp(a, "--seconds")) {
			seconds = cli_double("--seconds", v, 0.1, 7 * 86400);
		} else if (!strcmp(a, "--queue")) {
			o.cfg.queue_max = cli_uint("--queue", v, 1, 100000);
		} else if (!strcmp(a, "--max-conns")) {
			o.cfg.conn_max = cli_uint("--max-conns", v, 1, 100000);
		} else if (!strcmp(a, "--ready-timeout")) {
			o.cfg.ready_timeout_s = cli_double("--ready-timeout", v, 1e-6, 3600);
		} else if (!strcmp(a, "--mem")) {
			opt.mem_mib = cli_uint("--mem", v, 8, 1 << 20);
		} else {
			die_usage("waker: unknown option '%s' (zerowatt waker --help)", a);
		}
	}
	if (!name)
		die_usage("waker: no TARGET given");
	const struct target_ops *ops = target_find(name);
	if (!ops)
		die_usage("waker: unknown target '%s'", name);
	char why[1024];
	if (ops->available(why, sizeof(why)) != 0) {
		pr_err("%s is not available here: %s", name, why);
		return 1;
	}
	opt.accel = qemu_choose_accel(NULL, 0);
	if (o.cfg.ready_timeout_s > 0)
		opt.ready_timeout_s = o.cfg.ready_timeout_s;

	struct lab lab;
	if (lab_open(&lab) < 0)
		return 1;
	struct target_instance ti;
	struct waker *w = NULL;
	int rc = 1;
	int r = target_init(&ti, ops, &lab, "httpd", NULL, &opt);
	if (r == 0)
		r = target_prepare(&ti);
	if (r == 0)
		r = waker_open(&w, &ti, &o);
	if (r == 0)
		r = waker_start_thread(w);
	if (r < 0) {
		pr_err("waker: %s: %s", name, strerror(-r));
	} else {
		char policy[32];
		wk_policy_format(o.cfg.policy, o.cfg.keep_alive_s, policy, sizeof(policy));
		printf("waker: %s, policy %s, listening on %s:%d inside network namespace %s\n", name, policy,
		       o.listen_addr, waker_port(w), lab.netns);
		printf("waker: try: ip netns exec %s curl -s http://%s:%d/\n", lab.netns, o.listen_addr,
		       waker_port(w));
		fflush(stdout);
		double until = seconds > 0 ? now_s() + seconds : 0;
		while (!zw_interrupted && (!until || now_s() < until))
			sleep_s(0.05);
		waker_request_stop(w);
		r = waker_join(w);
		const struct wk_counters *n = waker_counters(w);
		printf("waker: boots %lu, ready %lu, crashes %lu, timeouts %lu, stops %lu, "
		       "cold %lu, warm %lu, answered 502 %lu, 503 %lu, 504 %lu, state %s\n",
		       n->boots, n->ready, n->crashes, n->timeouts, n->stops, n->cold, n->warm,
		       n->rejected_502, n->rejected_503, n->rejected_504, wk_state_name(waker_state(w)));
		printf("waker: descriptors held by open connections at exit: %d\n", waker_open_fds(w));
		rc = r < 0 && r != -EINTR ? 1 : 0;
	}
	waker_close(w);
	target_cleanup(&ti);
	lab_close(&lab);
	/* Serving until told to stop is this verb's job: SIGINT or SIGTERM
	 * ends it normally. */
	return rc;
}

static const struct verb waker_verb_row = {
	.name = "waker",
	.summary = "scale-to-zero front end: boot the target on the first connection, stop it by policy",
	.usage = "waker TARGET [--policy always-on|immediate|keep-alive:T|lambda|azure|knative]\n"
		 "             [--listen ADDR:PORT] [--seconds S] [--queue N] [--max-conns N]\n"
		 "             [--ready-timeout S] [--mem MIB] [--copy]\n"
		 "  Listens inside the lab namespace (default 127.0.0.1:9000, keep-alive:30) until --seconds\n"
		 "  pass or SIGINT/SIGTERM (a normal end, exit 0), prints every\n"
		 "  state change (off, booting, serving, idle-warm, stopping) and, at the end, what it did.\n"
		 "  Overload: at most --queue connections wait for a boot and --max-conns are relayed;\n"
		 "  the rest get 503. A crash gets 502, no READY within the timeout 504. Bytes are relayed\n"
		 "  with splice(2) through pipes; --copy uses read/write (the fallback) instead.",
	.run = waker_verb,
};
VERB_REGISTER(waker_verb_row);
