/* A power time series: a thread reads the meter at a fixed rate (10 Hz by
 * default) and keeps one point per interval, labelled with the experiment
 * phase current at the time. A phase change closes the running interval at
 * once, so no point straddles two phases.
 *
 *   struct sampler *s;
 *   sampler_start(&s, &meter, 10, run->t0);
 *   sampler_set_phase(s, "boot"); ... sampler_set_phase(s, "load"); ...
 *   sampler_stop(s);
 *   n = sampler_fill_samples(s, buf, max, "load", "native", rep);  -> run_add each
 *   sampler_free(s);
 *
 * The meter must outlive the sampler: sampler_stop before meter_close.
 * The sampler measures its own CPU time (getrusage RUSAGE_THREAD) and reports
 * it as a sample (metric sampler_cpu_pct), so its cost is on the record. */
#ifndef ZW_SAMPLER_H
#define ZW_SAMPLER_H
#include <stddef.h>

struct meter;
struct sample;
struct sampler;

#define SAMPLER_DEFAULT_HZ 10.0
/* Intervals shorter than this (a phase change right after a tick) say
 * nothing about power at a counter's resolution and are dropped. */
#define SAMPLER_MIN_INTERVAL_S 0.005

struct sampler_point {
	double t_s;          /* middle of the interval, seconds since t0 */
	double dt_s;         /* interval length */
	double power_w;      /* average over the interval; NaN if the read failed */
	char phase[16];
};

/* hz <= 0 means SAMPLER_DEFAULT_HZ; t0 is on CLOCK_MONOTONIC (now_s()).
 * Returns 0 or -errno. */
int sampler_start(struct sampler **out, struct meter *m, double hz, double t0);
void sampler_set_phase(struct sampler *s, const char *phase);
/* Stops and joins the thread; the points stay until sampler_free. */
int sampler_stop(struct sampler *s);
void sampler_free(struct sampler *s);

size_t sampler_count(const struct sampler *s);
const struct sampler_point *sampler_points(const struct sampler *s);
/* CPU seconds the thread used / wall seconds it ran (after stop), and the
 * number of meter reads it made. */
double sampler_cpu_fraction(const struct sampler *s);
unsigned long sampler_reads(const struct sampler *s);

/* Fills out with one power_w sample per point (labelled by the meter's
 * method/source/boundary, with phase and t_s) followed by one
 * sampler_cpu_pct sample. Returns the number filled (at most max). */
size_t sampler_fill_samples(const struct sampler *s, struct sample *out, size_t max,
			    const char *experiment, const char *target, int repetition);

#endif
