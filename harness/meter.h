/* Energy meters: where the lab's joules come from and how sure we are of them.
 *
 * Every figure a meter produces is labelled with a method (measured,
 * estimated, unavailable), a source ("rapl:package-0", "perf:energy-pkg",
 * "hwmon:power_meter/power1", "model:ccf") and a boundary (platform, package,
 * dram, core, model): a model figure is never passed off as a measurement,
 * and a missing one is NaN + "unavailable", never 0 W.
 *
 * The ladder, best first (one file and one meter_ops each, self-registered):
 *   powercap   (rank 10)  RAPL via /sys/class/powercap, intel-rapl + intel-rapl-mmio
 *   perf-power (rank 20)  the perf "power" PMU via perf_event_open
 *   hwmon      (rank 30)  hwmon power/energy sensors with a host-level boundary
 *   model      (rank 90)  Cloud Carbon Footprint's linear per-vCPU model (estimated)
 *
 * How experiments use it:
 *   struct meter_env env;  meter_env_default(&env);   // ZW_SYSFS_ROOT, ZW_PROC_ROOT,
 *                                                     // ZW_METER, model parameters
 *                                                     // (meter_model_set, from the profile)
 *   env.sysfs_root = opt_sysfs_root;                  // --sysfs-root, when given
 *   struct meter m;
 *   meter_open_best(&env, &m, meta_energy);           // cJSON object (may be NULL): what
 *                                                     // was probed, each verdict, the choice
 *   struct meter_reading a, b;
 *   meter_read(&m, &a);  ... work ...  meter_read(&m, &b);
 *   double j = meter_joules_between(&m, &a, &b);      // primary boundary; NaN if unusable
 *   meter_label_sample(&m, &sample);                  // method/source/boundary of a struct sample
 *   meter_measure_watts(&m, 5.0, &idle_w);            // an idle baseline window
 *   meter_close(&m);
 * and for `zerowatt doctor`: meter_capabilities() gives one line per energy
 * capability with ok / missing / unusable, the reason and the fix.
 *
 * Readings are cumulative joules per domain since the meter was opened, with
 * counter wrap-around already folded in; read at least once per wrap period
 * (minutes on big machines) - the sampler's 10 Hz does. A counter that goes
 * backwards in a way no wrap explains is a reset: it is counted (m->resets),
 * flagged on the reading (METER_F_RESET), warned about, and the energy since
 * the reset is taken from zero (a lower bound).
 *
 * meter_read may be called from the sampler thread and the experiment at the
 * same time; the meter serialises them. */
#ifndef ZW_METER_H
#define ZW_METER_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "registry.h"

struct cJSON;
struct sample;
struct perf_event_attr;

#define METER_MAX_DOMAINS 32

/* Cloud Carbon Footprint's AWS averages, per vCPU (see meter_model.c). */
#define METER_MODEL_WMIN_DEFAULT 0.74
#define METER_MODEL_WMAX_DEFAULT 3.5

struct meter_env {
	const char *sysfs_root;        /* "/sys" unless ZW_SYSFS_ROOT or --sysfs-root */
	const char *proc_root;         /* "/proc" unless ZW_PROC_ROOT */
	/* Seams for tests; meter_env_default points them at the real thing. */
	long (*perf_event_open)(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd,
				unsigned long flags);
	int (*perf_read)(int fd, uint64_t *count);
	double (*now)(void);           /* monotonic seconds */
	double model_wmin, model_wmax; /* W per vCPU at 0% and 100% utilisation */
	const char *only;              /* open this meter or none (e.g. "model"); NULL: best.
	                                  ZW_METER sets it. */
};

/* A probe's verdict, for meta.json and doctor. */
struct meter_verdict {
	char reason[320];
	char fix[256];
};

struct meter_domain {
	char source[48];               /* "rapl:package-0:dram" */
	char boundary[16];             /* platform, package, dram, core, uncore, gpu, model, ... */
	int primary;                   /* counted in the meter's total */
};

struct meter_reading {
	double t_s;                    /* env.now() when read */
	double joules[METER_MAX_DOMAINS]; /* per domain, cumulative since open */
	double total_j;                /* sum of the primary domains */
	unsigned flags;
};
#define METER_F_RESET   1u  /* a counter reset was detected in this read */
#define METER_F_PARTIAL 2u  /* a primary domain could not be read: total_j is not usable */

struct meter {
	const struct meter_ops *ops;   /* NULL when nothing usable was found */
	struct meter_env env;
	const char *method;            /* METHOD_MEASURED / _ESTIMATED / _UNAVAILABLE */
	char source[48];               /* primary source, e.g. "rapl:package-0+package-1" */
	char boundary[16];             /* primary boundary */
	char note[512];                /* assumptions and cross-checks, for meta.json */
	int ndomains;
	struct meter_domain dom[METER_MAX_DOMAINS];
	unsigned resets;               /* counter resets seen */
	unsigned read_errors;
	pthread_mutex_t lock;
	void *priv;
};

struct meter_ops {
	const char *name;              /* "powercap", "perf-power", "hwmon", "model" */
	const char *capability;        /* doctor's label, e.g. "rapl-powercap" */
	int rank;                      /* ladder order, lower first */
	/* m->env is set. 0 when usable, with m->dom/ndomains/method/source/boundary
	 * filled; -ENOENT when the facility is absent; another -errno when present
	 * but unusable. v explains either way. */
	int (*probe)(struct meter *m, struct meter_verdict *v);
	/* Fills r->joules for every domain (r->t_s is set by the caller); may set
	 * r->flags. Returns 0 or -errno. */
	int (*read)(struct meter *m, struct meter_reading *r);
	void (*close)(struct meter *m);
};

#define METER_REGISTER(ops) ZW_REGISTER(zw_meters, struct meter_ops, ops)

/* Defaults: roots from ZW_SYSFS_ROOT / ZW_PROC_ROOT (else /sys, /proc), the
 * real perf_event_open, CLOCK_MONOTONIC, the model parameters in force. */
void meter_env_default(struct meter_env *env);

/* Probes every registered meter in rank order (all of them, so the report is
 * complete) and keeps the first usable one. report, when not NULL, gets
 * "chosen", "method", "source", "boundary", "note", "domains" and "probed"
 * (one {meter, rank, verdict, reason, fix} per meter). Returns 0, or -ENODEV
 * with m labelled unavailable when nothing at all is usable. */
int meter_open_best(const struct meter_env *env, struct meter *m, struct cJSON *report);
/* Opens one given kind. Returns what its probe returns. */
int meter_open_ops(const struct meter_ops *ops, const struct meter_env *env, struct meter *m,
		   struct meter_verdict *v);
const struct meter_ops *meter_find(const char *name);
/* Registered kinds in rank order. */
int meter_list(const struct meter_ops **out, int max);

int meter_read(struct meter *m, struct meter_reading *r);
/* Joules of the primary boundary between two readings; NaN when either is
 * partial or the meter is unavailable. */
double meter_joules_between(const struct meter *m, const struct meter_reading *a,
			    const struct meter_reading *b);
/* Average power over a window of the given length (sleeps). 0 or -errno;
 * *watts is NaN on failure. */
int meter_measure_watts(struct meter *m, double seconds, double *watts);
/* Copies method, source and boundary into s. */
void meter_label_sample(const struct meter *m, struct sample *s);
/* The meter as JSON (for meta.json): name, method, source, boundary, note,
 * domains, resets. */
void meter_describe(const struct meter *m, struct cJSON *obj);
void meter_close(struct meter *m);

/* One line per energy capability for `zerowatt doctor`. */
struct meter_capability {
	char name[40];                 /* "rapl-powercap" */
	const char *status;            /* "ok", "missing", "unusable" */
	char reason[320];
	char fix[256];
};
int meter_capabilities(const struct meter_env *env, struct meter_capability *out, int max);

/* The linear model, shared with attribution code and tests. */
int meter_model_set(double wmin, double wmax);   /* -EINVAL unless 0 <= wmin <= wmax, finite */
void meter_model_get(double *wmin, double *wmax);
double meter_model_watts(const struct meter_env *env, int vcpus, double utilisation);
/* Joules over interval_s for vcpus that used cpu_s of CPU time in total. */
double meter_model_joules(const struct meter_env *env, int vcpus, double interval_s, double cpu_s);

/* --- for meter implementations --- */

/* A hardware energy counter in raw units: handles wrap-around (max_raw > 0)
 * and detects resets. */
struct meter_counter {
	uint64_t last;
	uint64_t max_raw;              /* largest value before wrapping; 0: unknown/none */
	double unit_j;                 /* joules per raw unit */
	double acc_j;                  /* joules since the first update */
	int primed;
};
/* Folds a new raw value in; dt_s is the time since the previous update (used
 * to tell a wrap from a reset). Returns 1 when a reset was detected, else 0. */
int meter_counter_update(struct meter_counter *c, uint64_t raw, double dt_s);
/* Above this a decrease cannot be a wrap: no single domain draws 20 kW. */
#define METER_PLAUSIBLE_MAX_W 20000.0

/* Reads a whole small file (sysfs attribute) into buf, trimming the trailing
 * newline. Returns the length or -errno. */
int meter_read_text(const char *path, char *buf, size_t len);
/* Strict unsigned parse of a sysfs number: -ENODATA empty, -EINVAL garbage. */
int meter_parse_u64(const char *s, uint64_t *out);
/* Same as read_text + parse_u64 on an open fd, from offset 0. */
int meter_pread_u64(int fd, uint64_t *out);
/* snprintf that leaves truncation to the caller's checks (a truncated path
 * simply fails to open); returns what vsnprintf returns. */
int meter_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Appends to m->note with "; " between parts. */
void meter_note(struct meter *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int meter_add_domain(struct meter *m, const char *source, const char *boundary, int primary);
/* Sets m->source from the primary domains: "rapl:package-0+package-1". */
void meter_set_primary_source(struct meter *m, const char *prefix);

#endif
