#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double stats_percentile_sorted(const double *s, size_t n, double p)
{
	if (n == 0)
		return NAN;
	if (n == 1)
		return s[0];
	double pos = p / 100.0 * (double)(n - 1);
	size_t lo = (size_t)floor(pos);
	size_t hi = lo + 1 < n ? lo + 1 : lo;
	double frac = pos - (double)lo;
	return s[lo] + (s[hi] - s[lo]) * frac;
}

static double *sorted_copy(const double *v, size_t n)
{
	double *s = malloc(n * sizeof(*s));
	if (!s)
		return NULL;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

double stats_median(const double *v, size_t n)
{
	double *s = sorted_copy(v, n);
	if (!s)
		return NAN;
	double m = stats_percentile_sorted(s, n, 50);
	free(s);
	return m;
}

/* Two-sided 95% Student t quantiles; df > 30 uses the normal 1.96. */
double stats_t95(size_t df)
{
	static const double t[] = { NAN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
				    2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
				    2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
				    2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042 };
	if (df == 0)
		return NAN;
	return df < sizeof(t) / sizeof(t[0]) ? t[df] : 1.96;
}

int stats_is_outlier(double x, double median, double mad)
{
	/* 1.4826 * MAD estimates sigma for normal data; 3 sigma, as hyperfine's
	 * modified z-score warning does. With MAD 0 nothing is an outlier. */
	return mad > 0 && fabs(x - median) > 3.0 * 1.4826 * mad;
}

/* Binomial(n, 1/2) cumulative probability P(X <= k), computed in logs. */
static double binom_half_cdf(size_t n, size_t k)
{
	double sum = 0;
	for (size_t i = 0; i <= k; i++)
		sum += exp(lgamma((double)n + 1) - lgamma((double)i + 1) -
			   lgamma((double)(n - i) + 1) - (double)n * log(2.0));
	return sum;
}

/* Distribution-free CI for the median: order statistics x(j), x(n-j+1)
 * with the largest j such that P(j <= X <= n-j) >= 0.95 (Hoefler & Belli
 * recommend nonparametric CIs for non-normal data). Needs n >= 6. */
static void median_ci(const double *s, size_t n, double *lo, double *hi)
{
	*lo = *hi = NAN;
	if (n < 6)
		return;
	size_t best = 0;
	for (size_t j = 1; j <= n / 2; j++) {
		double coverage = 1.0 - 2.0 * binom_half_cdf(n, j - 1);
		if (coverage >= 0.95)
			best = j;
		else
			break;
	}
	if (!best)
		return;
	*lo = s[best - 1];
	*hi = s[n - best];
}

int stats_summarize(const double *v, size_t n, struct summary *out)
{
	memset(out, 0, sizeof(*out));
	out->n = n;
	if (n == 0) {
		out->min = out->max = out->mean = out->sd = out->median = NAN;
		out->p5 = out->p95 = out->ci_lo = out->ci_hi = out->mad = NAN;
		return -EINVAL;
	}
	double *s = sorted_copy(v, n);
	if (!s)
		return -ENOMEM;
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += s[i];
	out->mean = sum / (double)n;
	double ss = 0;
	for (size_t i = 0; i < n; i++)
		ss += (s[i] - out->mean) * (s[i] - out->mean);
	out->sd = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
	out->min = s[0];
	out->max = s[n - 1];
	out->median = stats_percentile_sorted(s, n, 50);
	out->p5 = stats_percentile_sorted(s, n, 5);
	out->p95 = stats_percentile_sorted(s, n, 95);
	median_ci(s, n, &out->ci_lo, &out->ci_hi);

	double *dev = malloc(n * sizeof(*dev));
	if (!dev) {
		free(s);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(s[i] - out->median);
	qsort(dev, n, sizeof(*dev), cmp_double);
	out->mad = stats_percentile_sorted(dev, n, 50);
	free(dev);
	for (size_t i = 0; i < n; i++)
		out->outliers += (size_t)stats_is_outlier(s[i], out->median, out->mad);
	free(s);
	return 0;
}
