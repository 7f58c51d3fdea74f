/* Experiments as data: each is a row (name, workload, one-repetition
 * function) run by one driver that handles targets, warm-up, interleaving
 * (ABAB…, never blocks), the lab, the run directory and the summary table. */
#ifndef ZW_EXPERIMENT_H
#define ZW_EXPERIMENT_H
#include "account.h"
#include "lab.h"
#include "meter.h"
#include "registry.h"
#include "results.h"
#include "target.h"

#define EXP_MAX_TARGETS 8

struct exp_ctx;

struct experiment {
	const char *name;
	const char *summary;
	const char *workload;        /* "httpd" or "sysbench" */
	unsigned default_reps, default_warmup;
	double default_seconds;      /* --seconds default for time-based experiments */
	int needs_energy;            /* measure the idle baseline first */
	/* Extra options: option_kind says 0 unknown, 1 a flag, 2 takes a value;
	 * option_apply applies one (value NULL for flags; exits 2 on bad input). */
	int (*option_kind)(const char *name);
	void (*option_apply)(struct exp_ctx *ctx, const char *name, const char *value);
	const char *options_help;    /* lines appended to --help */
	/* Back to the experiment's defaults before its options are applied
	 * (for experiments that keep option state of their own). */
	void (*reset)(void);
	/* Once per target before its first repetition (e.g. baselines). */
	int (*setup)(struct exp_ctx *ctx, const struct target_ops *t);
	/* One repetition on one target; rep < 0 is a warm-up whose samples are
	 * not recorded. Returns 0, or -errno (the driver reports and goes on with
	 * the other targets unless interrupted). */
	int (*run_once)(struct exp_ctx *ctx, const struct target_ops *t, int rep);
	/* Metrics to summarise, in order, NULL-terminated. */
	const char *const *metrics;
	/* Base target name for ratios ("native" if absent from the run: the first target). */
	const char *ratio_base;
};

#define EXPERIMENT_REGISTER(e) ZW_REGISTER(zw_experiments, struct experiment, e)

struct exp_ctx {
	const struct experiment *exp;
	/* The experiment's name in samples.csv: its own name, or a profile
	 * section's (e.g. "boot-16mib") when a suite runs it twice. */
	char label[24];
	const char *series_label;
	const char *workload;        /* --workload: another server binary (gohttpd); NULL = the experiment's */    /* experiment name of the power time series (suite: "suite") */
	struct lab lab;
	struct run run;
	int lab_opened, run_opened;
	const struct target_ops *targets[EXP_MAX_TARGETS];
	int ntargets;
	struct target_options opt;
	const char *run_accel;       /* the accelerator chosen when the run began */
	unsigned reps, warmup;
	double seconds;              /* --seconds for time-based experiments */
	void *priv;                  /* experiment's own state */
	int failures;
	char failure[300];           /* why the last repetition failed, when known */
	/* Targets "all" left out because this host cannot run them, and why. */
	int nunavailable;
	char unavailable[EXP_MAX_TARGETS][24];
	char unavailable_why[EXP_MAX_TARGETS][256];

	/* Energy: the best meter this host has, a power time series labelled
	 * "<phase>:<target>", and the host's idle power with no target running. */
	struct meter meter;
	int meter_opened;
	struct sampler *sampler;
	double baseline_w;           /* NaN until measured */
	double baseline_s;           /* --baseline window, default 2 s */
	int server_cpu, client_cpu;  /* pinning; -1 when the host has one CPU */
	unsigned connections;        /* --connections for load */
	double rate;                 /* --rate for open-loop load, 0 = closed loop (wrk) */

	/* Called after every repetition on every target (suites draw progress). */
	void (*progress)(struct exp_ctx *ctx, double fraction_done);
	void *progress_arg;
};

/* A measurement window over one running instance: CPU time, wakeups and
 * memory of its processes, host energy, and the Kepler-style share. */
struct exp_window {
	struct account_snap *acct;
	struct meter_reading energy;
	pid_t pids[64];
	int npids;
	int ok;
};

/* Opens a window and labels the power series "<phase>:<target>". */
int exp_window_begin(struct exp_ctx *ctx, struct target_instance *ti, struct exp_window *w,
		     const char *phase);
/* Closes it and records cpu_s, cpu_pct, wakeups_per_s, rss_kib, host_energy_j,
 * energy_j (the target's attributed active energy) and power_w; with units >
 * 0 also energy_per_<unit_name>_j. */
/* If the instance exited during the window, records nothing and returns
 * exp_fail_exited()'s -ECHILD. */
int exp_window_end(struct exp_ctx *ctx, struct target_instance *ti, struct exp_window *w, int rep,
		   double units, const char *unit_name);
/* Closes a window without recording it (its repetition already failed). */
void exp_window_discard(struct exp_ctx *ctx, struct exp_window *w);
void exp_set_phase(struct exp_ctx *ctx, const char *phase, const char *target);

/* Measures the idle baseline (no target running) into ctx->baseline_w and
 * records it as samples of target "host". */
int exp_measure_baseline(struct exp_ctx *ctx);

/* Pins the instance's processes to the server CPU. */
void exp_pin_target(struct exp_ctx *ctx, struct target_instance *ti);

/* Adds a sample with an explicit method (energy figures). */
int exp_sample_m(struct exp_ctx *ctx, const char *target, const char *metric, double value,
		 const char *unit, int rep, const char *method, const char *source,
		 const char *boundary);

const struct experiment *experiment_find(const char *name);

/* The verb entry for an experiment: parses options, runs, prints. */
int experiment_main(const struct experiment *e, int argc, char **argv);

/* Resets ctx's per-experiment settings to e's defaults and applies argv
 * (targets and options; bad input exits 2). The lab, run directory and meter
 * of an open ctx are kept, so a suite runs many experiments in one run. */
void experiment_configure(struct exp_ctx *ctx, const struct experiment *e, int argc, char **argv);

/* For suites: run e inside an already open lab and run directory. */
int experiment_run(struct exp_ctx *ctx);

/* Opens the lab and a run directory for ctx (used by experiment_main and
 * suites). */
int experiment_begin(struct exp_ctx *ctx, int argc, char **argv);
void experiment_end(struct exp_ctx *ctx);

/* Resolves target names ("all" = every kind available here; unavailable
 * ones skipped with the reason recorded). Returns count or exits 2. */
int experiment_select_targets(struct exp_ctx *ctx, char **names, int n);

/* The workload this experiment runs: --workload, else its own. */
const char *exp_workload(const struct exp_ctx *ctx);

/* The experiment name samples are recorded under. */
const char *exp_label(const struct exp_ctx *ctx);

/* Adds a measured sample for the current experiment. */
int exp_sample(struct exp_ctx *ctx, const char *target, const char *metric, double value,
	       const char *unit, int rep, const char *source);

/* Starts an instance of t for the experiment's workload and waits for
 * READY (servers); on failure reports the console and cleans up. */
int exp_launch(struct exp_ctx *ctx, const struct target_ops *t, struct target_instance *ti,
	       const char *workload, const char *const *extra_args);

/* exp_launch for httpd, pinned to the target CPU, and serving: GET / has
 * returned 200. On failure the console is reported and ti cleaned up. */
int exp_launch_serving(struct exp_ctx *ctx, const struct target_ops *t, struct target_instance *ti);
/* For a repetition whose instance exited while being measured: records why
 * (status and the console's telling line) and returns -ECHILD. */
int exp_fail_exited(struct exp_ctx *ctx, struct target_instance *ti, const char *during);

/* Prints the summary table of metrics for experiment name from run. */
void summary_print(const struct run *run, const char *experiment, const char *const *metrics,
		   const char *ratio_base);

#endif
