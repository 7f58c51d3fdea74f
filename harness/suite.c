/* zerowatt suite PROFILE: every experiment of a profile, one after the
 * other, in one lab and one run directory, with a progress bar and ETA on
 * stderr, then the report. `make run` is `zerowatt suite quick`. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "experiment.h"
#include "log.h"
#include "meter.h"
#include "proc.h"
#include "profile.h"
#include "verb.h"

#define SUITE_MAX_ARGS 64

struct suite_step {
	const struct experiment *exp;
	char label[24];         /* the section's name when it reuses an experiment */
	char *argv[SUITE_MAX_ARGS];
	int argc;
	char storage[SUITE_MAX_ARGS][160];
	double weight;          /* expected share of the suite's time */
};

struct suite_progress {
	double t0;
	double done_weight;     /* weight of finished steps */
	double step_weight;
	double total_weight;
	const char *step_name;
	int tty;
	double last_print;
};

static void add_arg(struct suite_step *st, const char *fmt, const char *a, const char *b)
{
	if (st->argc >= SUITE_MAX_ARGS - 1)
		die_usage("suite: too many options for %s", st->exp->name);
	snprintf(st->storage[st->argc], sizeof(st->storage[0]), fmt, a, b);
	st->argv[st->argc] = st->storage[st->argc];
	st->argc++;
	st->argv[st->argc] = NULL;
}

/* A profile section becomes the command line the experiment's verb takes. */
static void build_step(struct suite_step *st, const struct profile_section *sec, const char *targets)
{
	memset(st, 0, sizeof(*st));
	/* [boot-16mib] with experiment = boot runs boot again, recorded as
	 * boot-16mib: experiments are data, a profile can vary them. */
	const char *base = profile_get(sec, "experiment");
	st->exp = experiment_find(base ? base : sec->name);
	if (!st->exp)
		die_usage("profile section [%s] is not an experiment (add experiment = NAME)", sec->name);
	if (base) {
		if (strlen(sec->name) >= sizeof(st->label))
			die_usage("profile section name [%s] is too long", sec->name);
		snprintf(st->label, sizeof(st->label), "%s", sec->name);
	}
	add_arg(st, "%s%s", st->exp->name, "");
	char copy[256];
	snprintf(copy, sizeof(copy), "%s", targets);
	for (char *t = strtok(copy, " ,"); t; t = strtok(NULL, " ,"))
		add_arg(st, "%s%s", t, "");
	double reps = st->exp->default_reps, warmup = st->exp->default_warmup;
	double seconds = st->exp->default_seconds;
	for (int i = 0; i < sec->nkeys; i++) {
		const char *k = sec->key[i], *v = sec->value[i];
		if (strcmp(k, "targets") == 0 || strcmp(k, "experiment") == 0)
			continue;
		if (strcmp(k, "n") == 0) {
			add_arg(st, "-n%s%s", "", "");
			reps = atof(v);
		} else {
			add_arg(st, "--%s%s", k, "");
		}
		add_arg(st, "%s%s", v, "");
		if (strcmp(k, "warmup") == 0)
			warmup = atof(v);
		if (strcmp(k, "seconds") == 0)
			seconds = atof(v);
	}
	/* Rough cost: repetitions × (seconds of work + a couple of seconds of
	 * start-up); only the ETA depends on it. */
	st->weight = (reps + warmup) * (seconds + 2.0);
}

static void fmt_duration(char *out, size_t cap, double s)
{
	if (!isfinite(s) || s < 0)
		snprintf(out, cap, "?");
	else if (s >= 60)
		snprintf(out, cap, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(out, cap, "%ds", (int)s);
}

static struct suite_progress progress;

static void draw_progress(struct exp_ctx *ctx, double fraction_of_step)
{
	struct suite_progress *p = &progress;
	double done = (p->done_weight + fraction_of_step * p->step_weight) / p->total_weight;
	double elapsed = now_s() - p->t0;
	double eta = done > 0 ? elapsed * (1 - done) / done : NAN;
	char el[16], et[16], bar[31];
	int filled = (int)(done * 30);
	for (int i = 0; i < 30; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[30] = '\0';
	fmt_duration(el, sizeof(el), elapsed);
	fmt_duration(et, sizeof(et), eta);
	if (!p->tty && now_s() - p->last_print < 2.0 && fraction_of_step < 1.0)
		return; /* logs get a line every few seconds, terminals every step */
	p->last_print = now_s();
	fprintf(stderr, "%s[%s] %3.0f%% %-8s elapsed %s ETA %s%s", p->tty ? "\r" : "", bar, done * 100,
		exp_label(ctx), el, et, p->tty ? "   " : "\n");
	fflush(stderr);
}

/* Runs a registered verb; -ENOENT when this build has none by that name. */
static int run_verb(const char *name, int argc, char **argv)
{
	ZW_FOREACH(zw_verbs, struct verb, it)
		if (strcmp((*it)->name, name) == 0)
			return (*it)->run(argc, argv);
	return -ENOENT;
}

static int run_report(const char *dir)
{
	char *argv[] = { "report", (char *)dir, NULL };
	return run_verb("report", 2, argv);
}

/* [simulate]: the fleet projection priced with this run's own scale
 * figures, written into the same run directory. */
static int run_simulate(const struct profile_section *sec, const char *dir)
{
	static char storage[PROFILE_MAX_KEYS * 2][160];
	char *argv[PROFILE_MAX_KEYS * 2 + 8];
	int argc = 0;
	argv[argc++] = "simulate";
	argv[argc++] = "--from";
	argv[argc++] = (char *)dir;
	argv[argc++] = "--into";
	argv[argc++] = (char *)dir;
	for (int i = 0; i < sec->nkeys; i++) {
		snprintf(storage[2 * i], sizeof(storage[0]), "--%s", sec->key[i]);
		snprintf(storage[2 * i + 1], sizeof(storage[0]), "%s", sec->value[i]);
		argv[argc++] = storage[2 * i];
		argv[argc++] = storage[2 * i + 1];
	}
	argv[argc] = NULL;
	fflush(stdout);
	return run_verb("simulate", argc, argv);
}

static int suite_run(int argc, char **argv)
{
	const char *profile_name = NULL, *results = NULL, *targets_override = NULL;
	int no_report = 0, dry_run = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--results") == 0 && i + 1 < argc)
			results = argv[++i];
		else if (strcmp(argv[i], "--targets") == 0 && i + 1 < argc)
			targets_override = argv[++i];
		else if (strcmp(argv[i], "--no-report") == 0)
			no_report = 1;
		else if (strcmp(argv[i], "--dry-run") == 0)
			dry_run = 1;
		else if (argv[i][0] == '-')
			die_usage("suite: unknown option '%s' (zerowatt suite --help)", argv[i]);
		else if (!profile_name)
			profile_name = argv[i];
		else
			die_usage("suite: one PROFILE only");
	}
	if (!profile_name)
		die_usage("suite: no PROFILE given (e.g. quick, full, or a path to an .ini file)");
	struct profile prof;
	if (profile_load(profile_name, &prof) < 0)
		return 2;
	const struct profile_section *suite_sec = profile_section(&prof, "suite");
	const char *targets = targets_override ? targets_override : profile_get(suite_sec, "targets");
	if (!targets)
		targets = "all";
	const struct profile_section *energy = profile_section(&prof, "energy");
	if (energy) {
		const char *wmin = profile_get(energy, "model_wmin"), *wmax = profile_get(energy, "model_wmax");
		double lo = wmin ? cli_double("model_wmin", wmin, 0, 1000) : METER_MODEL_WMIN_DEFAULT;
		double hi = wmax ? cli_double("model_wmax", wmax, 0, 1000) : METER_MODEL_WMAX_DEFAULT;
		if (meter_model_set(lo, hi) < 0)
			die_usage("%s: [energy] needs 0 <= model_wmin <= model_wmax", prof.path);
	}

	static struct suite_step steps[PROFILE_MAX_SECTIONS];
	int nsteps = 0;
	double total = 0;
	for (int i = 0; i < prof.nsections; i++) {
		const struct profile_section *sec = &prof.sec[i];
		if (!strcmp(sec->name, "suite") || !strcmp(sec->name, "energy") || !strcmp(sec->name, "simulate"))
			continue;
		const char *t = profile_get(sec, "targets");
		build_step(&steps[nsteps], sec, t ? t : targets);
		total += steps[nsteps].weight;
		nsteps++;
	}
	if (!nsteps)
		die_usage("%s: no experiment sections", prof.path);

	struct exp_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return 1;
	/* Validate every step's options before anything runs: a typo in the
	 * last section must not cost the first nine minutes. */
	for (int i = 0; i < nsteps; i++) {
		experiment_configure(ctx, steps[i].exp, steps[i].argc, steps[i].argv);
		if (!dry_run)
			continue;
		printf("%-16s zerowatt", steps[i].label[0] ? steps[i].label : steps[i].exp->name);
		for (int a = 0; a < steps[i].argc; a++)
			printf(" %s", steps[i].argv[a]);
		printf("\n");
	}
	if (dry_run) {
		free(ctx);
		return 0;
	}
	ctx->opt = (struct target_options){ 0 }; /* validation left the last section's options */
	char *begin_argv[] = { "suite", (char *)profile_name, "--results", (char *)results, NULL };
	int rc = experiment_begin(ctx, results ? 4 : 2, begin_argv);
	if (rc == 0) {
		cJSON *p = cJSON_AddObjectToObject(ctx->run.meta, "profile");
		cJSON_AddStringToObject(p, "name", profile_name);
		cJSON_AddStringToObject(p, "path", prof.path);
		cJSON_AddStringToObject(p, "targets", targets);
	}
	progress = (struct suite_progress){ .t0 = now_s(), .total_weight = total, .tty = isatty(2) };
	ctx->progress = draw_progress;
	ctx->series_label = "suite";
	int failures = 0;
	for (int i = 0; rc == 0 && i < nsteps && !zw_interrupted; i++) {
		experiment_configure(ctx, steps[i].exp, steps[i].argc, steps[i].argv);
		snprintf(ctx->label, sizeof(ctx->label), "%s", steps[i].label);
		progress.step_weight = steps[i].weight;
		if (ctx->ntargets == 0) {
			pr_warn("%s: no target available here, skipped", steps[i].exp->name);
		} else {
			ctx->failures = 0;
			experiment_run(ctx);
			failures += ctx->failures;
			if (progress.tty)
				fputc('\n', stderr);
			summary_print(&ctx->run, exp_label(ctx), steps[i].exp->metrics, steps[i].exp->ratio_base);
			fflush(stdout);
			run_flush(&ctx->run);
		}
		progress.done_weight += steps[i].weight;
	}
	int interrupted = zw_interrupted;
	cJSON *pmeta = ctx->run.meta ? cJSON_GetObjectItem(ctx->run.meta, "profile") : NULL;
	if (pmeta)
		cJSON_AddNumberToObject(pmeta, "experiments_elapsed_s", now_s() - progress.t0);
	char dir[sizeof(ctx->run.dir)];
	snprintf(dir, sizeof(dir), "%s", ctx->run.dir);
	experiment_end(ctx);
	free(ctx);
	if (rc < 0)
		return 1;
	const struct profile_section *sim = profile_section(&prof, "simulate");
	if (sim && !interrupted && run_simulate(sim, dir) != 0)
		pr_warn("the fleet projection (simulate) did not run; the measurements are kept");
	char el[16];
	fmt_duration(el, sizeof(el), now_s() - progress.t0);
	printf("suite %s finished in %s%s; run directory: %s\n", profile_name, el,
	       interrupted ? " (interrupted)" : "", dir);
	if (interrupted)
		return 130;
	if (!no_report) {
		int r = run_report(dir);
		if (r == -ENOENT)
			pr_warn("this build has no report verb; the results are in %s", dir);
		else if (r != 0)
			return 1;
	}
	/* A target that cannot run a workload is a finding (recorded with its
	 * reason), not a failure of the run. */
	if (failures)
		printf("%d target runs failed; the reasons are under skipped_targets in meta.json and in the report\n",
		       failures);
	return 0;
}

static const struct verb suite_verb = {
	.name = "suite",
	.summary = "run a profile's experiments on every available target, then the report",
	.usage = "suite PROFILE [--targets \"native container …\"] [--results DIR] [--no-report] [--dry-run]\n"
		 "  --dry-run: check the profile and print the experiments it would run\n"
		 "  PROFILE: quick (minutes), full (hours, for real hardware) or a path to an .ini file",
	.run = suite_run,
};
VERB_REGISTER(suite_verb);
