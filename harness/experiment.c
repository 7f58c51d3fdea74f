#include "experiment.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "doctor.h"
#include "httpclient.h"
#include "log.h"
#include "proc.h"
#include "qemu.h"
#include "sampler.h"
#include "stats.h"
#include "verb.h"

const struct experiment *experiment_find(const char *name)
{
	ZW_FOREACH(zw_experiments, struct experiment, it)
		if (strcmp((*it)->name, name) == 0)
			return *it;
	return NULL;
}

static void print_help(const struct experiment *e, FILE *out)
{
	fprintf(out,
		"usage: zerowatt %s TARGET... [options]\n"
		"  %s\n"
		"  TARGET: native, container, vm, unikernel, or all (those available here)\n"
		"  -n N              repetitions per target (default %u)\n"
		"  --warmup W        warm-up repetitions, not recorded (default %u)\n"
		"  --mem MIB         guest RAM for vm/unikernel (default 64)\n"
		"  --accel kvm|tcg   override the accelerator choice (default: kvm if usable for timing)\n"
		"  --timeout S       readiness timeout in seconds (default 60)\n"
		"  --results DIR     where run directories go (default results/)\n"
		"  --baseline S      idle-power baseline window before the targets run (default 2; 0 = none)\n"
		"  --workload W      server experiments: another server binary, e.g. gohttpd\n"
		"%s",
		e->name, e->summary, e->default_reps, e->default_warmup,
		e->options_help ? e->options_help : "");
}

static int is_value_option(const char *name)
{
	static const char *const with_value[] = { "-n", "--warmup", "--mem", "--accel", "--timeout",
						 "--results", "--seconds", "--baseline", "--connections",
						 "--rate", "--workload", NULL };
	for (int i = 0; with_value[i]; i++)
		if (strcmp(name, with_value[i]) == 0)
			return 1;
	return 0;
}

struct parsed {
	char *names[EXP_MAX_TARGETS * 2];
	int nnames;
	const char *results;
};

static void parse_args(struct exp_ctx *ctx, int argc, char **argv, struct parsed *p)
{
	const struct experiment *e = ctx->exp;
	for (int i = 1; i < argc; i++) {
		char *arg = argv[i];
		if (arg[0] != '-') {
			if (p->nnames >= EXP_MAX_TARGETS * 2)
				die_usage("%s: too many targets", e->name);
			p->names[p->nnames++] = arg;
			continue;
		}
		char name[64];
		const char *value = NULL;
		const char *eq = strchr(arg, '=');
		if (eq && arg[1] == '-') {
			snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
			value = eq + 1;
		} else {
			snprintf(name, sizeof(name), "%s", arg);
		}
		int kind = e->option_kind ? e->option_kind(name) : 0;
		if (kind == 1) {
			if (value)
				die_usage("%s: option %s takes no value", e->name, name);
			e->option_apply(ctx, name, NULL);
			continue;
		}
		int needs = is_value_option(name) || kind == 2;
		if (needs && !value) {
			if (i + 1 >= argc)
				die_usage("%s: option %s needs a value", e->name, name);
			value = argv[++i];
		}
		if (strcmp(name, "-n") == 0)
			ctx->reps = cli_uint("-n", value, 1, 100000);
		else if (strcmp(name, "--warmup") == 0)
			ctx->warmup = cli_uint("--warmup", value, 0, 100000);
		else if (strcmp(name, "--mem") == 0)
			ctx->opt.mem_mib = cli_uint("--mem", value, 8, 1 << 20);
		else if (strcmp(name, "--timeout") == 0)
			ctx->opt.ready_timeout_s = cli_double("--timeout", value, 0.1, 3600);
		else if (strcmp(name, "--seconds") == 0)
			ctx->seconds = cli_double("--seconds", value, 0.1, 86400);
		else if (strcmp(name, "--results") == 0)
			p->results = value;
		else if (strcmp(name, "--baseline") == 0)
			ctx->baseline_s = cli_double("--baseline", value, 0, 3600);
		else if (strcmp(name, "--connections") == 0)
			ctx->connections = cli_uint("--connections", value, 1, 100000);
		else if (strcmp(name, "--rate") == 0)
			ctx->rate = cli_double("--rate", value, 0.01, 1e7);
		else if (strcmp(name, "--workload") == 0) {
			if (strcmp(e->workload, "httpd") != 0)
				die_usage("%s: --workload is for server experiments (its workload is %s)", e->name,
					  e->workload);
			if (!strstr(value, "httpd") || strchr(value, '/'))
				die_usage("--workload: '%s' is not a server workload (httpd, gohttpd)", value);
			ctx->workload = value;
		}
		else if (strcmp(name, "--accel") == 0) {
			if (strcmp(value, "kvm") != 0 && strcmp(value, "tcg") != 0)
				die_usage("--accel: '%s' is not kvm or tcg", value);
			ctx->opt.accel = value;
		} else if (kind == 2)
			e->option_apply(ctx, name, value);
		else
			die_usage("%s: unknown option '%s' (zerowatt %s --help)", e->name, name, e->name);
	}
	if (p->nnames == 0)
		die_usage("%s: no TARGET given (native, container, vm, unikernel or all)", e->name);
}

static void record_skip(struct exp_ctx *ctx, const char *target, const char *why);

int experiment_select_targets(struct exp_ctx *ctx, char **names, int n)
{
	const struct target_ops *all[EXP_MAX_TARGETS];
	int nall = target_list(all, EXP_MAX_TARGETS);
	ctx->ntargets = 0;
	ctx->nunavailable = 0;
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i], "all") == 0) {
			for (int j = 0; j < nall; j++) {
				char why[1024];
				if (all[j]->explicit_only)
					continue;
				if (all[j]->available(why, sizeof(why)) != 0) {
					pr_warn("skipping %s: %s", all[j]->name, why);
					if (ctx->nunavailable < EXP_MAX_TARGETS) {
						snprintf(ctx->unavailable[ctx->nunavailable], 24, "%s", all[j]->name);
						snprintf(ctx->unavailable_why[ctx->nunavailable], 256, "%.250s", why);
						ctx->nunavailable++;
					}
					continue;
				}
				ctx->targets[ctx->ntargets++] = all[j];
			}
			continue;
		}
		const struct target_ops *t = target_find(names[i]);
		if (!t) {
			char known[256] = "";
			for (int j = 0; j < nall; j++) {
				strcat(known, j ? ", " : "");
				strcat(known, all[j]->name);
			}
			die_usage("unknown target '%s' (known: %s, all)", names[i], known);
		}
		for (int j = 0; j < ctx->ntargets; j++)
			if (ctx->targets[j] == t)
				die_usage("target '%s' given twice", names[i]);
		if (ctx->ntargets >= EXP_MAX_TARGETS)
			die_usage("too many targets");
		ctx->targets[ctx->ntargets++] = t;
	}
	return ctx->ntargets;
}

/* skipped_targets.<target> = "<experiment>: why; <experiment>: why…": one
 * line per experiment that could not run the target, so each verdict can
 * name the experiment it concerns. */
static void record_skip(struct exp_ctx *ctx, const char *target, const char *why)
{
	cJSON *skipped = cJSON_GetObjectItem(ctx->run.meta, "skipped_targets");
	if (!skipped)
		skipped = cJSON_AddObjectToObject(ctx->run.meta, "skipped_targets");
	char entry[512];
	snprintf(entry, sizeof(entry), "%s: %.400s", ctx->exp ? exp_label(ctx) : "run", why);
	cJSON *old = cJSON_GetObjectItem(skipped, target);
	if (!old) {
		cJSON_AddStringToObject(skipped, target, entry);
		return;
	}
	if (!cJSON_IsString(old) || strstr(old->valuestring, entry))
		return;
	size_t len = strlen(old->valuestring) + strlen(entry) + 3;
	char *joined = malloc(len);
	if (!joined)
		return;
	snprintf(joined, len, "%s; %s", old->valuestring, entry);
	cJSON_ReplaceItemInObject(skipped, target, cJSON_CreateString(joined));
	free(joined);
}

int experiment_begin(struct exp_ctx *ctx, int argc, char **argv)
{
	const char *results = NULL;
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--results") == 0)
			results = argv[i + 1];
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--results=", 10) == 0)
			results = argv[i] + 10;
	int r = lab_open(&ctx->lab);
	if (r < 0)
		return r;
	ctx->lab_opened = 1;
	r = run_open(&ctx->run, results, argc, argv);
	if (r < 0)
		return r;
	ctx->run_opened = 1;
	cJSON_AddStringToObject(ctx->run.meta, "lab_netns", ctx->lab.netns);
	for (int i = 0; i < ctx->nunavailable; i++)
		record_skip(ctx, ctx->unavailable[i], ctx->unavailable_why[i]);
	/* The accelerator decision is recorded with every run, whichever targets
	 * it has: it is the first thing a reader of a VM number needs. */
	char why[512];
	const char *accel = ctx->opt.accel ? ctx->opt.accel : qemu_choose_accel(why, sizeof(why));
	if (ctx->opt.accel)
		snprintf(why, sizeof(why), "set with --accel");
	ctx->opt.accel = accel;
	ctx->run_accel = accel;
	cJSON_AddStringToObject(ctx->run.meta, "accelerator", accel);
	cJSON_AddStringToObject(ctx->run.meta, "accelerator_reason", why);
	/* What this host could and could not measure, as doctor says it. */
	struct doctor_report *doc = calloc(1, sizeof(*doc));
	if (doc) {
		doctor_collect(doc);
		cJSON_AddItemToObject(ctx->run.meta, "doctor", doctor_json(doc));
		free(doc);
	}

	struct meter_env env;
	meter_env_default(&env);
	cJSON *energy = cJSON_AddObjectToObject(ctx->run.meta, "energy");
	if (meter_open_best(&env, &ctx->meter, energy) == 0) {
		ctx->meter_opened = 1;
		if (sampler_start(&ctx->sampler, &ctx->meter, SAMPLER_DEFAULT_HZ, ctx->run.t0) < 0)
			ctx->sampler = NULL;
		if (strcmp(ctx->meter.method, METHOD_MEASURED) != 0)
			pr_info("energy is %s (%s): %s", ctx->meter.method, ctx->meter.source,
				"a model rescales CPU time; it is not a measurement");
	} else {
		pr_warn("no energy source at all: energy figures will be reported unavailable");
	}
	int ncpu = proc_cpu_count();
	ctx->server_cpu = ncpu > 1 ? 0 : -1;
	ctx->client_cpu = ncpu > 1 ? ncpu - 1 : -1;
	cJSON *pin = cJSON_AddObjectToObject(ctx->run.meta, "pinning");
	cJSON_AddNumberToObject(pin, "target_cpu", ctx->server_cpu);
	cJSON_AddNumberToObject(pin, "load_generator_cpu", ctx->client_cpu);
	ctx->baseline_w = NAN;
	return run_flush(&ctx->run);
}

static void collect_power_series(struct exp_ctx *ctx)
{
	if (!ctx->sampler)
		return;
	sampler_stop(ctx->sampler);
	size_t n = sampler_count(ctx->sampler) + 1;
	struct sample *v = calloc(n, sizeof(*v));
	if (v) {
		/* The series spans the whole run: a suite's is "suite", one
		 * experiment's carries its name; phases say what ran when. */
		size_t k = sampler_fill_samples(ctx->sampler, v, n, ctx->series_label ? ctx->series_label : exp_label(ctx),
						"host", 0);
		for (size_t i = 0; i < k; i++)
			run_add(&ctx->run, &v[i]);
		free(v);
	}
	sampler_free(ctx->sampler);
	ctx->sampler = NULL;
}

void experiment_end(struct exp_ctx *ctx)
{
	if (ctx->lab_opened)
		lab_close(&ctx->lab);
	ctx->lab_opened = 0;
	collect_power_series(ctx);
	if (ctx->meter_opened)
		meter_close(&ctx->meter);
	ctx->meter_opened = 0;
	if (ctx->run_opened) {
		if (zw_interrupted)
			cJSON_AddBoolToObject(ctx->run.meta, "interrupted", 1);
		run_close(&ctx->run);
	}
	ctx->run_opened = 0;
}

const char *exp_workload(const struct exp_ctx *ctx)
{
	return ctx->workload ? ctx->workload : ctx->exp->workload;
}

const char *exp_label(const struct exp_ctx *ctx)
{
	return ctx->label[0] ? ctx->label : ctx->exp->name;
}

int exp_sample(struct exp_ctx *ctx, const char *target, const char *metric, double value,
	       const char *unit, int rep, const char *source)
{
	if (rep < 0)
		return 0; /* warm-up */
	return run_addv(&ctx->run, exp_label(ctx), target, metric, value, unit, rep,
			METHOD_MEASURED, source);
}

static void describe_target(struct exp_ctx *ctx, struct target_instance *ti)
{
	cJSON *targets = cJSON_GetObjectItem(ctx->run.meta, "targets");
	if (!targets)
		targets = cJSON_AddObjectToObject(ctx->run.meta, "targets");
	if (cJSON_GetObjectItem(targets, ti->ops->name) || !ti->ops->describe)
		return;
	cJSON *obj = cJSON_AddObjectToObject(targets, ti->ops->name);
	ti->ops->describe(ti, obj);
}

/* The console line that says why an instance died: a fatal error, panic,
 * exhausted memory (the unikernel's or Linux's OOM killer) or unimplemented
 * syscall, else the last line. */
static void console_telling_line(const struct console *c, char *out, size_t cap)
{
	static const char *const telling[] = { "fatal error", "Kernel panic", "panic", "out of memory",
					       "Out of memory", "unimplemented syscall", "error", NULL };
	for (int k = 0; telling[k]; k++)
		if (console_last_line_with(c, 0, telling[k], out, cap))
			return;
	console_tail(c, 1, out, cap);
}

int exp_launch(struct exp_ctx *ctx, const struct target_ops *t, struct target_instance *ti,
	       const char *workload, const char *const *extra_args)
{
	int r = target_init(ti, t, &ctx->lab, workload, extra_args, &ctx->opt);
	if (r < 0)
		return r;
	r = target_prepare(ti);
	if (r < 0) {
		pr_err("%s: prepare failed: %s", t->name, strerror(-r));
		target_cleanup(ti);
		return r;
	}
	describe_target(ctx, ti);
	r = target_start(ti);
	if (r < 0) {
		pr_err("%s: start failed: %s", t->name, strerror(-r));
		target_cleanup(ti);
		return r;
	}
	if (!ti->wl.is_server)
		return 0;
	r = target_wait_ready(ti, ti->opt.ready_timeout_s);
	if (r < 0) {
		/* The reason recorded with the run: what happened and the
		 * instance's own last word (a guest's fatal error, a panic). */
		char last[200];
		console_telling_line(&ti->console, last, sizeof(last));
		if (r == -ETIMEDOUT)
			snprintf(ctx->failure, sizeof(ctx->failure), "%s: no READY within %.0f s; last console line: %s",
				 workload, ti->opt.ready_timeout_s, last[0] ? last : "(none)");
		else if (r == -ECHILD)
			snprintf(ctx->failure, sizeof(ctx->failure), "%s exited before READY (status %d): %s", workload,
				 ti->exit_status, last[0] ? last : "(no console output)");
		else if (r == -EINTR)
			snprintf(ctx->failure, sizeof(ctx->failure), "interrupted while waiting for READY");
		pr_err("%s: %s", t->name, ctx->failure);
		target_report_console(ti, 15);
		target_cleanup(ti);
	}
	return r;
}

int exp_fail_exited(struct exp_ctx *ctx, struct target_instance *ti, const char *during)
{
	char last[200];
	console_telling_line(&ti->console, last, sizeof(last));
	snprintf(ctx->failure, sizeof(ctx->failure), "%s exited during the %s (status %d): %s", ti->wl.name,
		 during, ti->exit_status, last[0] ? last : "(no console output)");
	pr_err("%s: %s; the repetition's figures are not recorded", ti->ops->name, ctx->failure);
	return -ECHILD;
}

int exp_launch_serving(struct exp_ctx *ctx, const struct target_ops *t, struct target_instance *ti)
{
	int r = exp_launch(ctx, t, ti, exp_workload(ctx), NULL);
	if (r < 0)
		return r;
	exp_pin_target(ctx, ti);
	struct http_result res;
	r = http_wait_200(ti->addr, ti->port, now_s() + ti->opt.ready_timeout_s, &res);
	if (r < 0) {
		pr_err("%s: READY but no HTTP 200 from %s:%d: %s", t->name, ti->addr, ti->port, strerror(-r));
		target_report_console(ti, 15);
		target_cleanup(ti);
	}
	return r;
}

int experiment_run(struct exp_ctx *ctx)
{
	const struct experiment *e = ctx->exp;
	int failed[EXP_MAX_TARGETS] = { 0 };
	cJSON *wl = cJSON_GetObjectItem(ctx->run.meta, "workloads");
	if (!wl)
		wl = cJSON_AddObjectToObject(ctx->run.meta, "workloads");
	if (!cJSON_GetObjectItem(wl, exp_label(ctx)))
		cJSON_AddStringToObject(wl, exp_label(ctx), exp_workload(ctx));
	if (e->needs_energy)
		exp_measure_baseline(ctx);
	for (int i = 0; i < ctx->ntargets; i++) {
		if (!e->setup)
			break;
		int r = e->setup(ctx, ctx->targets[i]);
		if (r < 0)
			failed[i] = 1;
	}
	int total = (int)(ctx->warmup + ctx->reps);
	for (int k = 0; k < total && !zw_interrupted; k++) {
		int rep = k - (int)ctx->warmup; /* negative: warm-up */
		for (int i = 0; i < ctx->ntargets && !zw_interrupted; i++) {
			if (failed[i])
				continue;
			ctx->failure[0] = '\0';
			int r = e->run_once(ctx, ctx->targets[i], rep);
			if (ctx->progress)
				ctx->progress(ctx, (double)(k * ctx->ntargets + i + 1) / (double)(total * ctx->ntargets));
			if (r < 0 && r != -EINTR) {
				pr_err("%s on %s failed (repetition %d): %s; dropping %s from this run",
				       e->name, ctx->targets[i]->name, rep, strerror(-r), ctx->targets[i]->name);
				char why[400];
				snprintf(why, sizeof(why), "failed in repetition %d: %s", rep,
					 ctx->failure[0] ? ctx->failure : strerror(-r));
				record_skip(ctx, ctx->targets[i]->name, why);
				failed[i] = 1;
				ctx->failures++;
			}
		}
		/* Completed repetitions survive a later crash or Ctrl-C. */
		run_flush(&ctx->run);
	}
	return zw_interrupted ? -EINTR : 0;
}

void experiment_configure(struct exp_ctx *ctx, const struct experiment *e, int argc, char **argv)
{
	ctx->exp = e;
	ctx->label[0] = '\0';
	ctx->reps = e->default_reps;
	ctx->warmup = e->default_warmup;
	ctx->seconds = e->default_seconds;
	ctx->connections = 0;
	ctx->rate = 0;
	ctx->workload = NULL;
	/* A profile section's guest options must not leak into the next
	 * section: every experiment starts from the run's defaults. */
	ctx->opt.mem_mib = 0;
	ctx->opt.ready_timeout_s = 0;
	ctx->opt.accel = ctx->run_opened ? ctx->run_accel : NULL;
	ctx->priv = NULL;
	if (!ctx->run_opened)
		ctx->baseline_s = 2;
	if (e->reset)
		e->reset();
	struct parsed p = { 0 };
	parse_args(ctx, argc, argv, &p);
	experiment_select_targets(ctx, p.names, p.nnames);
	for (int i = 0; ctx->run_opened && i < ctx->nunavailable; i++)
		record_skip(ctx, ctx->unavailable[i], ctx->unavailable_why[i]);
}

int experiment_main(const struct experiment *e, int argc, char **argv)
{
	if (verb_wants_help(argc, argv)) {
		print_help(e, stdout);
		return 0;
	}
	struct exp_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	experiment_configure(&ctx, e, argc, argv);
	if (ctx.ntargets == 0) {
		pr_err("%s: no target can run on this host (see zerowatt doctor)", e->name);
		return 1;
	}
	int r = experiment_begin(&ctx, argc, argv);
	if (r == 0)
		r = experiment_run(&ctx);
	int interrupted = zw_interrupted;
	if (ctx.lab_opened)
		lab_close(&ctx.lab);
	ctx.lab_opened = 0;
	if (ctx.run_opened)
		summary_print(&ctx.run, e->name, e->metrics, e->ratio_base);
	experiment_end(&ctx);
	if (ctx.run.dir[0])
		printf("run directory: %s\n", ctx.run.dir);
	if (interrupted) {
		pr_err("interrupted: completed repetitions kept in %s", ctx.run.dir);
		return 130;
	}
	return r < 0 || ctx.failures ? 1 : 0;
}
