/* boot: cold start of each target, launch → READY line, launch → first
 * HTTP 200 (probed from inside the lab namespace once READY is seen), and
 * stop → gone. The probe starts at READY, so first_200 = READY + the first
 * request's round trip on a fresh instance (ARP, TCP handshake, first
 * response), which is what a waking client waits for. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "experiment.h"
#include "httpclient.h"
#include "log.h"
#include "proc.h"

static const char *const boot_metrics[] = { "ready_ms", "first_200_ms", "stop_ms", "rss_kib", NULL };

static int boot_once(struct exp_ctx *ctx, const struct target_ops *t, int rep)
{
	struct target_instance ti;
	exp_set_phase(ctx, "boot", t->name);
	int r = exp_launch(ctx, t, &ti, exp_workload(ctx), NULL);
	if (r < 0) {
		exp_set_phase(ctx, "between", NULL);
		return r;
	}
	struct http_result res;
	r = http_wait_200(ti.addr, ti.port, ti.t_launch + ti.opt.ready_timeout_s, &res);
	double t_http = now_s();
	if (r < 0) {
		pr_err("%s: READY but no HTTP 200 from %s:%d: %s", t->name, ti.addr, ti.port, strerror(-r));
		target_report_console(&ti, 15);
		target_cleanup(&ti);
		return r;
	}
	if (res.content_length != 612 || res.body_len != 612)
		pr_warn("%s: GET / returned %ld bytes, expected 612", t->name, res.body_len);
	pid_t pids[64];
	int np = target_pids(&ti, pids, 64);
	long rss = 0;
	for (int i = 0; i < np; i++) {
		long v = proc_status_kib(pids[i], "VmRSS:");
		if (v > 0)
			rss += v;
	}
	double t_stop0 = now_s();
	r = target_stop(&ti);
	double t_stopped = now_s();
	exp_sample(ctx, t->name, "ready_ms", (ti.t_ready - ti.t_launch) * 1e3, "ms", rep, "clock:monotonic");
	exp_sample(ctx, t->name, "first_200_ms", (t_http - ti.t_launch) * 1e3, "ms", rep, "clock:monotonic");
	exp_sample(ctx, t->name, "stop_ms", (t_stopped - t_stop0) * 1e3, "ms", rep, "clock:monotonic");
	if (np > 0)
		exp_sample(ctx, t->name, "rss_kib", (double)rss, "KiB", rep, "proc:VmRSS");
	target_cleanup(&ti);
	exp_set_phase(ctx, "between", NULL);
	return r == -EINTR ? r : 0;
}

static const struct experiment boot_experiment = {
	.name = "boot",
	.summary = "cold start: launch → READY → first HTTP 200, and stop time",
	.workload = "httpd",
	.default_reps = 10,
	.default_warmup = 1,
	.run_once = boot_once,
	.metrics = boot_metrics,
	.ratio_base = "native",
};
EXPERIMENT_REGISTER(boot_experiment);
