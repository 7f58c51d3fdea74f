/* Internals of the figure extractors: the C side of each figure writes
 * <name>.dat and <name>.vars.gp for plots/<name>.gp. Shared by
 * report_figdata.c (helpers and the table of figures), report_fig_perf.c
 * (boot, syscall, http, timeline) and report_fig_scale.c (scale to zero,
 * density). Not for use outside the report. */
#ifndef ZW_REPORT_FIGDATA_H
#define ZW_REPORT_FIGDATA_H
#include <stdio.h>

#include "report_data.h"
#include "report_fig.h"
#include "report_frag.h"

#define FIG_MAX_SERIES 32

struct fig_series {
	char host[RD_NAME];     /* the group: host, and a scale run's configuration */
	char target[RD_NAME];   /* the sample's target label (may carry a policy) */
	char label[256];        /* legend text */
};

struct fig_job {
	const struct rd_set *set;
	const char *datadir;
	struct rf_figure *fig;
	FILE *vars;
	int run;                /* per-run figures: index into set->runs */
};

/* vars: name = "value" (a gnuplot string). */
void fig_gp_set(FILE *f, const char *var, const char *value);
void fig_gp_array_str(FILE *f, const char *name, const char *const *v, int n);
void fig_gp_array_int(FILE *f, const char *name, const int *v, int n);
/* <datadir>/<figure><suffix>, named "dat" in the vars. */
FILE *fig_open_data(const struct fig_job *job, const char *suffix, char *path, size_t cap);
/* <datadir>/<figure>-<var>.dat, named var in the vars. */
FILE *fig_open_named(const struct fig_job *job, const char *var, char *path, size_t cap);
/* Every (group, target) of exp with values for metric, "host" excluded. */
int fig_list_series(const struct rd_set *set, const char *exp, const char *metric, struct fig_series *out,
		    int max);
/* The same per host, pooling every configuration of a host ("vm|any"): for
 * quantities a scale run's policy and trace do not change. */
int fig_list_series_by_host(const struct rd_set *set, const char *exp, const char *metric,
			    struct fig_series *out, int max);
/* Legend text: the label, and for a model's numbers what model. */
void fig_legend(char *out, size_t cap, const char *label, const struct rd_series *s);
/* One bar per series into <figure>-<var>.dat with arrays <var>_t, <var>_k,
 * <var>_e in the vars; returns the number of series with values. */
int fig_write_bars(struct fig_job *job, const char *var, const char *exp, const char *metric,
		   const struct fig_series *ser, int n, char *unit, size_t ucap, int *any_est, int *no_ci);
/* n and lbl[] in the vars. */
void fig_labels(FILE *vars, const struct fig_series *ser, int n);
void fig_whisker_note(char *out, size_t cap, int no_ci);
/* First of names that exp has as a metric, or NULL. */
const char *fig_pick_metric(const struct rd_set *set, const char *exp, const char *const *names);

/* Extractors: >0 data written; 0 absent (job->fig->note says why); <0 -errno. */
int fig_extract_boot(struct fig_job *job);
int fig_extract_syscall(struct fig_job *job);
int fig_extract_http(struct fig_job *job);
int fig_extract_timeline(struct fig_job *job);
int fig_extract_energy_rate(struct fig_job *job);
int fig_extract_breakeven(struct fig_job *job);
int fig_extract_coldstart(struct fig_job *job);
int fig_extract_density(struct fig_job *job);

#endif
