/* Arrival processes for the scale-to-zero experiments: when requests come.
 * The trace player (exp_scale.c) turns a spec into scheduled send times for
 * the open-loop generator (loadgen.h); the fleet simulator (simulate.c)
 * draws the same inter-arrival distributions for thousands of functions.
 *
 * Trace specs (--trace), all times in seconds:
 *   poisson:rate=R               Poisson arrivals at R per second
 *   onoff:rate=R,on=A,off=B      bursts: Poisson at R for A s, silence for B s, repeated
 *   lognormal:mean=M,cv=C        heavy-tailed inter-arrival times, mean M, CV C
 *   pareto:mean=M,alpha=A        Pareto inter-arrival times, mean M, shape A > 1
 *   azure:q=Q[,cv=C]             one function at quantile Q of the Azure
 *                                Functions 2019 rate population (see below),
 *                                log-normal inter-arrivals with CV C (default 2)
 *   csv:PATH (or a PATH that exists)  one timestamp per line (first column),
 *                                '#' comments and blank lines skipped, an
 *                                optional header line, non-decreasing
 * Any generated spec also takes seed=N (default: the caller's seed).
 *
 * The Azure population (Shahrad et al., "Serverless in the Wild", USENIX
 * ATC'20, section 3, Fig. 5(a)): 45% of applications are invoked once per
 * hour or less on average, 81% once per minute or less, and invocation
 * rates span 8 orders of magnitude. We model log10(invocations per day) as
 * normal with the two quantiles pinned: 24/day at p=0.45 and 1440/day at
 * p=0.81, which gives mu = 1.603, sigma = 1.772 (a fit through two
 * published points, not a distribution the paper publishes; the two
 * percentages are quoted from memory of the paper and were not re-checked
 * against its text when this was written — verify before citing). Per-function
 * burstiness: the paper (Fig. 6) shows inter-arrival CVs spread widely, many
 * above 1 (burstier than Poisson); CV = 2 is our default choice in that
 * range, not a fitted value. */
#ifndef ZW_TRACE_H
#define ZW_TRACE_H
#include <stddef.h>
#include <stdint.h>

/* xoshiro256** (Blackman & Vigna), seeded through splitmix64: fast,
 * deterministic for a given seed on every host. */
struct zw_rng {
	uint64_t s[4];
	double spare;          /* second Box-Muller normal, NaN when none */
};
void rng_seed(struct zw_rng *r, uint64_t seed);
uint64_t rng_next(struct zw_rng *r);
double rng_uniform(struct zw_rng *r);          /* in (0, 1), never 0 or 1 */
double rng_exp(struct zw_rng *r, double rate); /* mean 1/rate */
double rng_normal(struct zw_rng *r);           /* standard normal */
/* Independent stream number i of a seed (per function, per thread). */
uint64_t rng_derive(uint64_t seed, uint64_t i);

enum iat_kind { IAT_EXP, IAT_LOGNORMAL, IAT_PARETO };

struct iat_dist {
	enum iat_kind kind;
	double mean_s;
	double cv;             /* lognormal */
	double alpha;          /* pareto shape, > 1 for a finite mean */
	double mu, sigma, xm;  /* derived parameters */
};
/* shape is the CV (lognormal) or alpha (pareto); ignored for IAT_EXP.
 * Returns 0 or -EINVAL. */
int iat_init(struct iat_dist *d, enum iat_kind kind, double mean_s, double shape);
double iat_draw(const struct iat_dist *d, struct zw_rng *r);

/* The Azure 2019 rate population: log10(per-day rate) ~ N(mu, sigma). */
#define AZURE_LOG10_DAILY_MU    1.603
#define AZURE_LOG10_DAILY_SIGMA 1.772
#define AZURE_DEFAULT_CV        2.0
/* Per-second rate at quantile q in (0,1) of the population. */
double azure_rate_at_quantile(double q);
/* A per-second rate drawn from the population. */
double azure_rate_draw(struct zw_rng *r);
/* Inverse standard normal CDF, by bisection on erfc (to 1e-12; rarely called). */
double normal_quantile(double p);

enum trace_kind { TRACE_POISSON, TRACE_ONOFF, TRACE_LOGNORMAL, TRACE_PARETO, TRACE_AZURE, TRACE_CSV };

struct trace_spec {
	enum trace_kind kind;
	double rate;           /* poisson, onoff (during on), azure (derived) */
	double on_s, off_s;
	double mean_s, cv, alpha, q;
	char path[512];
	uint64_t seed;
	int seed_given;
	char text[640];        /* canonical form, for meta.json */
};

/* Parses a spec; on error returns -EINVAL with a one-line reason in err. */
int trace_parse(const char *spec, struct trace_spec *out, char *err, size_t errlen);
/* Arrival times in [0, duration_s), sorted; a CSV trace keeps its own times
 * (cut at duration_s when > 0). *times is malloc'd (NULL when n is 0).
 * Returns 0, or -EINVAL / -errno with "file:line: reason" in err. */
int trace_generate(const struct trace_spec *t, double duration_s, double **times, size_t *n,
		   char *err, size_t errlen);
/* Parses CSV text; name is used in error messages. */
int trace_parse_csv(const char *name, const char *text, double **times, size_t *n, char *err,
		    size_t errlen);

#endif
