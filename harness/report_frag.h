/* Pieces of a report, each written as markdown: the per-experiment tables,
 * ratios, host metadata, doctor's verdicts, figures, single values. The same
 * pieces make report.md and are spliced into PAPER.md (report_splice.h), so
 * every number in either comes from the run directories loaded. */
#ifndef ZW_REPORT_FRAG_H
#define ZW_REPORT_FRAG_H
#include <stdio.h>

#include "report_data.h"

struct cJSON;

#define RF_MAX_FIGS 24

/* A figure as the report refers to it: drawn (PNG + SVG beside each other)
 * or skipped with the reason. */
struct rf_figure {
	char name[48];         /* file stem, e.g. "boot" */
	char title[128];
	char caption[1024];
	int drawn;
	char note[256];        /* why it was not drawn */
	int shown;             /* already placed in the markdown being written */
};

struct rf_ctx {
	const struct rd_set *set;
	const char *fig_dir;   /* figures relative to the markdown file */
	struct rf_figure figs[RF_MAX_FIGS];
	int nfigs;
	struct cJSON *doctor_now;  /* doctor run at report time, or NULL */
	char doctor_now_host[64];
	int missing;           /* references to data the runs lack */
	/* A marker's metric list (zw:table EXP METRIC…): only these rows. */
	char *const *only;
	int nonly;
};

/* True when metric passes the marker's metric list (or there is none). */
int rf_metric_wanted(const struct rf_ctx *ctx, const char *metric);

/* Summary table of one experiment: per metric and target n, median, p5,
 * p95, 95% CI of the median, MAD outliers (flagged, kept), unit, method
 * (with the energy boundary) and source. One block per host. */
void rf_table(FILE *f, struct rf_ctx *ctx, const char *exp);
/* Ratios to a base target with both absolute values beside them. */
void rf_ratios(FILE *f, struct rf_ctx *ctx, const char *exp);
/* Host power per phase of the time series of every run. */
void rf_power_phases(FILE *f, struct rf_ctx *ctx);
/* Host facts, accelerator, energy source, tools, commit, state warnings. */
void rf_hosts(FILE *f, struct rf_ctx *ctx);
/* Energy meters probed per run (meta "energy"). */
void rf_energy(FILE *f, struct rf_ctx *ctx);
/* Doctor's verdicts: the run's own record (meta "doctor"), else the doctor
 * run now when on the same host, else said to be unrecorded. */
void rf_doctor(FILE *f, struct rf_ctx *ctx);
void rf_skipped(FILE *f, struct rf_ctx *ctx);
/* The issues' targets evaluated per run (claims.h): met, not met, reported,
 * not measured, with the medians. */
void rf_claims(FILE *f, struct rf_ctx *ctx);
/* Image link and caption, or the reason it is absent. */
void rf_figure(FILE *f, struct rf_ctx *ctx, const char *name);
/* One number: STAT of (exp, target, metric) with its unit, e.g. "0.78 ms".
 * stat: median (default), mean, p5, p95, min, max, ci, n, ratio. host NULL: the
 * first host. Returns 0, or -ENOENT (and writes "n/a") when there is no data. */
int rf_value(FILE *f, struct rf_ctx *ctx, const char *exp, const char *target, const char *metric,
	     const char *stat, const char *host);
/* Run ids and commit, inline. */
void rf_run_ids(FILE *f, struct rf_ctx *ctx);

/* Dispatch by marker kind (table, ratios, power, hosts, energy, doctor,
 * skipped, figure, value, run, figures): writes the piece for a splice.
 * Returns 0; -EINVAL with a reason in err for an unknown kind or bad args. */
int rf_emit(FILE *f, struct rf_ctx *ctx, const char *kind, int argc, char **argv, char *err,
	    size_t cap);
/* True for kinds written inline (no line breaks): value, run. */
int rf_kind_inline(const char *kind);

/* Whole report.md. */
void rf_report(FILE *f, struct rf_ctx *ctx, const char *const *argv_dirs, int ndirs);

#endif
