/* Closed-loop HTTP load with wrk. A Lua done() hook prints one JSON line
 * (requests/s, latency percentiles, errors), so nothing is scraped from
 * wrk's human-readable output. */
#ifndef ZW_WRK_H
#define ZW_WRK_H
#include <sys/types.h>

struct wrk_options {
	const char *addr;
	int port;
	unsigned threads;      /* default 1 */
	unsigned connections;  /* default 50 */
	double duration_s;     /* default 5 */
	double timeout_s;      /* per-request timeout, default 2 */
	int cpu;               /* pin wrk to this CPU, -1 for none */
};

struct wrk_result {
	double requests;
	double duration_s;
	double rps;
	double bytes;
	double errors_connect, errors_read, errors_write, errors_status, errors_timeout;
	double lat_mean_us, lat_max_us;
	double p50_us, p90_us, p99_us, p999_us;
};

/* Runs wrk against http://addr:port/ and parses its JSON line. Returns 0 or
 * -errno (wrk missing, wrk failed, no JSON). */
int wrk_run(const struct wrk_options *o, struct wrk_result *r);

/* Parses the WRKJSON line out of wrk's output; exposed for tests. */
int wrk_parse(const char *output, struct wrk_result *r);

/* Total errors of all kinds. */
double wrk_errors(const struct wrk_result *r);

#endif
