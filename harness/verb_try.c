/* zerowatt try TARGET: start one instance in the lab and check it works —
 * for httpd, GET / must return 200 with the 612-byte page; for sysbench,
 * its output and exit status are shown. The quickest way to see whether a
 * target runs on this host, and what integration tests drive. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "httpclient.h"
#include "lab.h"
#include "log.h"
#include "proc.h"
#include "qemu.h"
#include "target.h"
#include "verb.h"

#define HTTPD_BODY_BYTES 612

static int try_httpd(struct target_instance *ti, unsigned requests, double hold_s)
{
	struct http_result res;
	int r = http_wait_200(ti->addr, ti->port, now_s() + ti->opt.ready_timeout_s, &res);
	if (r < 0) {
		pr_err("%s: no HTTP 200 from %s:%d: %s", ti->ops->name, ti->addr, ti->port, strerror(-r));
		return 1;
	}
	printf("%s: READY after %.1f ms; GET / → %d, %ld body bytes\n", ti->ops->name,
	       (ti->t_ready - ti->t_launch) * 1e3, res.status, res.body_len);
	if (res.body_len != HTTPD_BODY_BYTES) {
		pr_err("%s: expected a %d-byte body", ti->ops->name, HTTPD_BODY_BYTES);
		return 1;
	}
	for (unsigned i = 1; i < requests; i++) {
		r = http_get(ti->addr, ti->port, "/", 10.0, &res);
		if (r < 0 || res.status != 200 || res.body_len != HTTPD_BODY_BYTES) {
			pr_err("%s: request %u failed: %s (status %d)", ti->ops->name, i + 1,
			       r < 0 ? strerror(-r) : "bad response", res.status);
			return 1;
		}
	}
	if (requests > 1)
		printf("%s: %u requests served\n", ti->ops->name, requests);
	if (hold_s > 0) {
		printf("%s: serving on %s:%d inside network namespace %s for %.0f s\n", ti->ops->name,
		       ti->addr, ti->port, ti->lab->netns, hold_s);
		fflush(stdout);
		double until = now_s() + hold_s;
		while (now_s() < until && !zw_interrupted && ti->running) {
			target_pump_console(ti);
			sleep_s(0.1);
		}
	}
	return 0;
}

static int try_batch(struct target_instance *ti)
{
	int r = target_wait_exit(ti, ti->opt.ready_timeout_s);
	fwrite(ti->console.buf ? ti->console.buf : "", 1, ti->console.len, stdout);
	if (r < 0) {
		pr_err("%s: %s did not finish: %s", ti->ops->name, ti->wl.name, strerror(-r));
		return 1;
	}
	printf("%s: %s exited with status %d\n", ti->ops->name, ti->wl.name, ti->exit_status);
	return ti->exit_status == 0 ? 0 : 1;
}

static int try_run(int argc, char **argv)
{
	const char *workload = "httpd";
	unsigned requests = 1;
	double hold_s = 0;
	struct target_options opt = { 0 };
	const char *name = NULL;
	const char *extra[12] = { NULL };
	int nextra = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (++i < argc && nextra < 11)
				extra[nextra++] = argv[i];
			break;
		}
		if (strcmp(argv[i], "--workload") == 0 && i + 1 < argc) {
			workload = argv[++i];
			if (strcmp(workload, "httpd") && strcmp(workload, "sysbench") && strcmp(workload, "gohttpd"))
				die_usage("try: unknown workload '%s' (httpd, sysbench, gohttpd)", workload);
		} else if (strcmp(argv[i], "--requests") == 0 && i + 1 < argc) {
			requests = cli_uint("--requests", argv[++i], 1, 1000000);
		} else if (strcmp(argv[i], "--hold") == 0 && i + 1 < argc) {
			hold_s = cli_double("--hold", argv[++i], 0, 86400);
		} else if (strcmp(argv[i], "--mem") == 0 && i + 1 < argc) {
			opt.mem_mib = cli_uint("--mem", argv[++i], 8, 1 << 20);
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			opt.ready_timeout_s = cli_double("--timeout", argv[++i], 0.1, 3600);
		} else if (strcmp(argv[i], "--accel") == 0 && i + 1 < argc) {
			opt.accel = argv[++i];
			if (strcmp(opt.accel, "kvm") && strcmp(opt.accel, "tcg"))
				die_usage("--accel: '%s' is not kvm or tcg", opt.accel);
		} else if (strcmp(argv[i], "--ring3") == 0) {
			opt.ring3 = 1;
		} else if (argv[i][0] == '-') {
			die_usage("try: unknown option '%s' (zerowatt try --help)", argv[i]);
		} else if (!name) {
			name = argv[i];
		} else {
			die_usage("try: one TARGET only");
		}
	}
	if (!name)
		die_usage("try: no TARGET given");
	const struct target_ops *ops = target_find(name);
	if (!ops)
		die_usage("try: unknown target '%s'", name);
	char why[1024];
	if (ops->available(why, sizeof(why)) != 0) {
		pr_err("%s is not available here: %s", name, why);
		return 1;
	}
	if (!opt.accel)
		opt.accel = qemu_choose_accel(NULL, 0);

	struct lab lab;
	if (lab_open(&lab) < 0)
		return 1;
	struct target_instance ti;
	int rc = 1;
	int r = target_init(&ti, ops, &lab, workload, extra, &opt);
	if (r == 0 && (r = target_prepare(&ti)) == 0 && (r = target_start(&ti)) == 0) {
		if (ti.wl.is_server) {
			r = target_wait_ready(&ti, ti.opt.ready_timeout_s);
			if (r == 0)
				rc = try_httpd(&ti, requests, hold_s);
			else
				pr_err("%s: %s before READY", name,
				       r == -ETIMEDOUT ? "timed out" : r == -ECHILD ? "exited" : "interrupted");
		} else {
			rc = try_batch(&ti);
		}
	} else if (r < 0) {
		pr_err("%s: cannot start: %s", name, strerror(-r));
	}
	if (rc != 0)
		target_report_console(&ti, 20);
	target_cleanup(&ti);
	lab_close(&lab);
	return zw_interrupted ? 130 : rc;
}

static const struct verb try_verb = {
	.name = "try",
	.summary = "start one instance of a target and check that it works",
	.usage = "try TARGET [--workload httpd|sysbench|gohttpd] [--requests N] [--hold S] [--mem MIB]\n"
		 "           [--timeout S] [--accel kvm|tcg] [--ring3] [-- WORKLOAD-ARGS...]\n"
		 "  httpd: GET / must return 200 with the 612-byte page (N times on fresh connections);\n"
		 "  --hold keeps it serving for S seconds; sysbench: prints its output and exit status",
	.run = try_run,
};
VERB_REGISTER(try_verb);
