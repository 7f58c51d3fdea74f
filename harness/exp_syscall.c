/* syscall: the sysbench workload inside each target; ns per operation as
 * sysbench measured it (lmbench method: median of 11, overheads removed). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment.h"
#include "log.h"

static const char *const syscall_metrics[] = { "getppid_ns", "write_ns", "read_ns", "clock_gettime_ns", NULL };

/* "SYSBENCH op=getppid ns=52.31 ... via=syscall" → op, ns, via. */
int sysbench_parse_line(const char *line, char *op, size_t oplen, double *ns, char *via, size_t vialen)
{
	const char *p = strstr(line, "SYSBENCH op=");
	if (!p)
		return -1;
	p += 12;
	size_t n = strcspn(p, " ");
	if (n == 0 || n >= oplen)
		return -1;
	memcpy(op, p, n);
	op[n] = '\0';
	const char *q = strstr(p, " ns=");
	if (!q)
		return -1;
	char *end;
	*ns = strtod(q + 4, &end);
	if (end == q + 4)
		return -1;
	via[0] = '\0';
	const char *v = strstr(p, " via=");
	if (v)
		snprintf(via, vialen, "%.*s", (int)strcspn(v + 5, " \r\n"), v + 5);
	return 0;
}

static int syscall_once(struct exp_ctx *ctx, const struct target_ops *t, int rep)
{
	struct target_instance ti;
	exp_set_phase(ctx, "syscall", t->name);
	int r = exp_launch(ctx, t, &ti, "sysbench", NULL);
	if (r < 0)
		return r;
	r = target_wait_exit(&ti, ti.opt.ready_timeout_s);
	if (r < 0 || ti.exit_status != 0) {
		pr_err("%s: sysbench %s (exit status %d)", t->name,
		       r == -ETIMEDOUT ? "did not finish in time" : r == -EINTR ? "interrupted" : "failed",
		       ti.exit_status);
		target_report_console(&ti, 15);
		target_cleanup(&ti);
		return r < 0 ? r : -EIO;
	}
	char line[1024];
	int found = 0;
	ti.console.scanned = 0;
	while (console_next_line(&ti.console, line, sizeof(line))) {
		char op[32], via[32], metric[48], source[48];
		double ns;
		if (sysbench_parse_line(line, op, sizeof(op), &ns, via, sizeof(via)) < 0)
			continue;
		snprintf(metric, sizeof(metric), "%s_ns", op);
		snprintf(source, sizeof(source), "sysbench:%s", via[0] ? via : "syscall");
		exp_sample(ctx, t->name, metric, ns, "ns", rep, source);
		found++;
	}
	target_cleanup(&ti);
	exp_set_phase(ctx, "between", NULL);
	if (!found) {
		pr_err("%s: sysbench printed no SYSBENCH lines", t->name);
		return -EPROTO;
	}
	return 0;
}

static const struct experiment syscall_experiment = {
	.name = "syscall",
	.summary = "syscall latency inside each target (sysbench: getppid, write, read, clock_gettime)",
	.workload = "sysbench",
	.default_reps = 3,
	.default_warmup = 0,
	.run_once = syscall_once,
	.metrics = syscall_metrics,
	.ratio_base = "native",
};
EXPERIMENT_REGISTER(syscall_experiment);
