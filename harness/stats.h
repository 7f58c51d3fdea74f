/* Summary statistics for repeated measurements. Distribution-free where it
 * matters: the 95% CI is for the median (binomial order statistics), and
 * outliers are flagged by MAD, never removed (as hyperfine does). */
#ifndef ZW_STATS_H
#define ZW_STATS_H
#include <stddef.h>

struct summary {
	size_t n;
	double min, max, mean, sd;
	double median, p5, p95;
	double ci_lo, ci_hi;    /* 95% CI of the median; NaN when n < 6 */
	double mad;             /* median absolute deviation (raw, unscaled) */
	size_t outliers;        /* |x - median| > 3 * 1.4826 * MAD */
};

/* v is not modified. */
int stats_summarize(const double *v, size_t n, struct summary *out);
/* Linear-interpolated percentile of sorted data, p in [0,100]. */
double stats_percentile_sorted(const double *sorted, size_t n, double p);
double stats_median(const double *v, size_t n);
int stats_is_outlier(double x, double median, double mad);
/* Two-sided Student t critical value for 95% with df degrees of freedom. */
double stats_t95(size_t df);

#endif
