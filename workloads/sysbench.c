/* sysbench: syscall latency in the manner of lmbench's lat_syscall, one
 * machine-readable line per operation:
 *   SYSBENCH op=getppid ns=.. iters=.. reps=11 min_ns=.. max_ns=.. overhead_ns=.. via=syscall
 * then "SYSBENCH done". Same static binary on every target, so it uses only
 * the unikernel's syscall subset (workloads/README.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "latency.h"
#include "raw_syscall.h"

static const char usage[] =
	"usage: sysbench [--min-ms N] [--op NAME]...\n"
	"  --min-ms N  shortest timed interval in ms (default 20)\n"
	"  --op NAME   getppid, write, read or clock_gettime (default: all);\n"
	"              may be repeated\n";

struct op_ctx {
	int fd;
	char byte;
};

static void loop_getppid(void *ctx, uint64_t n)
{
	(void)ctx;
	for (uint64_t i = 0; i < n; i++)
		raw_syscall0(SYS_getppid);
}

static void loop_write(void *ctx, uint64_t n)
{
	struct op_ctx *c = ctx;

	for (uint64_t i = 0; i < n; i++)
		raw_syscall3(SYS_write, c->fd, (long)&c->byte, 1);
}

static void loop_read(void *ctx, uint64_t n)
{
	struct op_ctx *c = ctx;

	for (uint64_t i = 0; i < n; i++)
		raw_syscall3(SYS_read, c->fd, (long)&c->byte, 1);
}

static void loop_clock_gettime(void *ctx, uint64_t n)
{
	struct timespec ts;

	(void)ctx;
	for (uint64_t i = 0; i < n; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
}

struct op {
	const char *name;
	latency_loop loop;
	const char *file;     /* opened for the op, or NULL */
	int flags;
	long check_nr;        /* one call made before timing must return ... */
	long check_ret;       /* ... this, else the op is reported failed */
};

/* lmbench's lat_syscall also writes to /dev/null and reads /dev/zero. */
static const struct op ops[] = {
	{ "getppid", loop_getppid, NULL, 0, SYS_getppid, -1 },
	{ "write", loop_write, "/dev/null", O_WRONLY, SYS_write, 1 },
	{ "read", loop_read, "/dev/zero", O_RDONLY, SYS_read, 1 },
	{ "clock_gettime", loop_clock_gettime, NULL, 0, -1, 0 },
};
#define NOPS (int)(sizeof(ops) / sizeof(ops[0]))

static void emit(const char *line)
{
	cli_write_str(1, line);
}

/* Makes one call outside the timed loop, so a failing syscall (ENOSYS on a
 * target lacking it) is reported instead of timed. */
static int op_check(const struct op *op, struct op_ctx *ctx)
{
	struct timespec ts;
	long ret;

	if (op->check_nr < 0)
		return clock_gettime(CLOCK_MONOTONIC, &ts) < 0 ? -errno : 0;
	if (op->check_nr == SYS_getppid)
		ret = raw_syscall0(SYS_getppid);
	else
		ret = raw_syscall3(op->check_nr, ctx->fd, (long)&ctx->byte, 1);
	if (ret < 0)
		return (int)ret;
	if (op->check_ret >= 0 && ret != op->check_ret)
		return -EIO;
	return 0;
}

static int op_run(const struct op *op, uint64_t min_ns,
		  const struct latency_overhead *ovh)
{
	struct op_ctx ctx = { .fd = -1 };
	struct latency_result res;
	char line[320];
	int err, n;

	if (op->file) {
		/* No O_CLOEXEC: musl would add an fcntl call, outside the
		 * unikernel's subset, and nothing here ever execs. */
		ctx.fd = open(op->file, op->flags);
		if (ctx.fd < 0) {
			err = -errno;
			goto fail;
		}
	}
	err = op_check(op, &ctx);
	if (err == 0)
		err = latency_measure(op->loop, &ctx, min_ns, ovh, &res);
	if (ctx.fd >= 0)
		close(ctx.fd);
	if (err < 0)
		goto fail;

	n = snprintf(line, sizeof(line),
		     "SYSBENCH op=%s ns=%.2f iters=%llu reps=%d min_ns=%.2f "
		     "max_ns=%.2f overhead_ns=%.3f",
		     op->name, res.ns, (unsigned long long)res.iters, res.reps,
		     res.min_ns, res.max_ns, res.overhead_ns);
	if (op->check_nr >= 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " via=syscall");
	else
		/* Natively this is the vDSO; without one (no AT_SYSINFO_EHDR)
		 * musl falls back to the syscall. */
		n += snprintf(line + n, sizeof(line) - (size_t)n,
			      " via=libc vdso=%s",
			      getauxval(AT_SYSINFO_EHDR) ? "present" : "absent");
	if (op->file)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " file=%s",
			      op->file);
	snprintf(line + n, sizeof(line) - (size_t)n, "\n");
	emit(line);
	return 0;
fail:
	snprintf(line, sizeof(line), "SYSBENCH op=%s error=%s\n", op->name,
		 strerror(-err));
	emit(line);
	return err;
}

int main(int argc, char **argv)
{
	struct cli cli;
	struct latency_overhead ovh;
	unsigned long min_ms = 20;
	unsigned selected = 0;
	int failed = 0, err;

	cli_init(&cli, "sysbench", usage, argc, argv);
	while (cli.i < argc) {
		if (cli_option(&cli, "--min-ms")) {
			min_ms = cli_number(&cli, "--min-ms", 1, 10000);
		} else if (cli_option(&cli, "--op")) {
			int k = 0;

			while (k < NOPS && strcmp(ops[k].name, cli.value) != 0)
				k++;
			if (k == NOPS)
				cli_usage_error(&cli, "unknown --op '%s' (want getppid, write, read or clock_gettime)",
						cli.value);
			selected |= 1u << k;
		} else {
			cli_help_or_unknown(&cli);
		}
	}
	if (!selected)
		selected = (1u << NOPS) - 1;

	if ((err = latency_overhead_measure(&ovh, min_ms * 1000000ULL)) < 0) {
		char line[96];

		snprintf(line, sizeof(line), "SYSBENCH error=overhead: %s\n",
			 strerror(-err));
		emit(line);
		return 1;
	}
	for (int k = 0; k < NOPS; k++)
		if ((selected & (1u << k)) && op_run(&ops[k], min_ms * 1000000ULL, &ovh) < 0)
			failed = 1;
	emit(failed ? "SYSBENCH done failed=1\n" : "SYSBENCH done\n");
	return failed;
}
