/* The data side of `zerowatt report`: one or more run directories loaded,
 * samples grouped by host, experiment, target and metric, series collected
 * for tables and figures. No output here; see report_frag.h and report_fig.h. */
#ifndef ZW_REPORT_DATA_H
#define ZW_REPORT_DATA_H
#include <stddef.h>

#include "results.h"

struct cJSON;

#define RD_MAX_RUNS  32
#define RD_MAX_NAMES 64
#define RD_NAME      128

struct rd_run {
	char dir[1024];
	char id[256];          /* the directory's base name */
	char host[RD_NAME];    /* meta.json "host", else "unknown" */
	/* A configuration recorded in meta under the experiment's name (scale:
	 * policy and trace): runs that differ in it are never pooled. */
	char variant_exp[24];
	char variant[RD_NAME];
	struct cJSON *meta;
	struct sample *s;
	size_t n;
};

struct rd_set {
	struct rd_run runs[RD_MAX_RUNS];
	int nruns;
};

/* Names in first-seen order. */
struct rd_names {
	char v[RD_MAX_NAMES][RD_NAME];
	int n;
};

/* Loads dir (meta.json and samples.csv must both be there). Returns 0;
 * -ENOENT when dir is not a run directory, -EINVAL when a file in it is
 * malformed, with a one-line reason in why. */
int rd_run_load(const char *dir, struct rd_run *run, char *why, size_t cap);
void rd_run_free(struct rd_run *run);
int rd_set_add(struct rd_set *set, const char *dir, char *why, size_t cap);
void rd_set_free(struct rd_set *set);

/* True for the rows of a time series (phase set, other than "summary"):
 * those are drawn, not tabulated. */
int rd_is_series_row(const struct sample *s);

/* Rows are pooled per group: the run's host, and for an experiment whose
 * configuration the run's meta records (scale: policy and trace) also that
 * configuration, "vm/keep-alive:1/poisson:rate=2". Functions below taking a
 * group take NULL for every group; a bare host name matches the rows of
 * experiments without a recorded configuration. */
void rd_run_group(const struct rd_run *run, const char *exp, char *out, size_t cap);
/* (A group "vm|any" matches every configuration of host vm.) */
void rd_groups(const struct rd_set *set, const char *exp, struct rd_names *out);
/* "vm/keep-alive:1/poisson:rate=2" -> "vm, policy keep-alive:1, trace
 * poisson:rate=2"; a bare host stays as it is. */
void rd_group_title(const char *group, char *out, size_t cap);

/* Only tabulated rows count for targets and metrics. */
void rd_hosts(const struct rd_set *set, struct rd_names *out);
void rd_experiments(const struct rd_set *set, struct rd_names *out);
void rd_targets(const struct rd_set *set, const char *group, const char *exp, struct rd_names *out);
void rd_metrics(const struct rd_set *set, const char *exp, struct rd_names *out);
int rd_names_has(const struct rd_names *names, const char *name);

/* The values of one (group, experiment, target, metric), pooled over the runs
 * of that group, in file order. method is the weakest seen (unavailable <
 * estimated < measured; "mixed" when measured and estimated rows meet);
 * source lists the distinct sources seen, boundary the first non-empty. */
struct rd_series {
	double *v;
	int *rep;              /* repetition of each value */
	int *run;              /* index into set->runs of each value */
	size_t n;
	size_t unavailable;    /* rows without a value */
	char unit[16];
	char method[16];
	char source[160];
	char boundary[16];
	int nruns;             /* run directories that contributed */
};

int rd_collect(const struct rd_set *set, const char *group, const char *exp, const char *target,
	       const char *metric, struct rd_series *out);
void rd_series_free(struct rd_series *s);
/* True when the series is (partly) a model's estimate: drawn differently. */
int rd_series_estimated(const struct rd_series *s);

/* The base of a ratio: "native" when it has data among targets (group NULL =
 * every group), else the first target with data; NULL when none. Target
 * "host" (the machine itself) is never a base. */
const char *rd_pick_base(const struct rd_set *set, const char *group, const char *exp,
			 const char *metric, const struct rd_names *targets);
/* median / base; NaN when either is NaN or base is 0. */
double rd_ratio(double median, double base);

/* A target label may carry a scale-to-zero policy after '/', '@' or ':':
 * "native/keep-alive:30", "native@immediate" -> target "native", policy
 * "keep-alive:30" (the waker's own policy names). */
void rd_split_label(const char *label, char *target, size_t tcap, char *policy, size_t pcap);

/* Time series of one run: points of metric for target, sorted by t. */
struct rd_point {
	double t, v;
	char phase[24];
	char experiment[24];
	char method[16];
	char source[48];
};
int rd_timeseries(const struct rd_run *run, const char *target, const char *metric,
		  struct rd_point **out, size_t *n);

/* Contiguous stretches of one phase; each ends where the next begins (the
 * last at its last point). */
struct rd_interval {
	double t0, t1;
	char phase[24];
};
int rd_phase_intervals(const struct rd_point *p, size_t n, struct rd_interval **out, size_t *nout);
/* "load:native" -> kind "load" (and target "native" when asked). */
void rd_phase_kind(const char *phase, char *kind, size_t kcap, char *target, size_t tcap);

/* Pairs (x, y) of two metrics of one series, matched by run and repetition. */
int rd_pairs(const struct rd_set *set, const char *group, const char *exp, const char *target,
	     const char *xmetric, const char *ymetric, double **x, double **y, size_t *n,
	     struct rd_series *yinfo);

/* meta.json accessors tolerant of absent keys: "" or NULL. */
const char *rd_meta_str(const struct rd_run *run, const char *key);
struct cJSON *rd_meta_obj(const struct rd_run *run, const char *key);

#endif
