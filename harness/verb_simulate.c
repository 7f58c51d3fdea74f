/* zerowatt simulate: the fleet projection (simulate.h) priced with each
 * target's figures from a `zerowatt scale` run directory (or given as
 * options), for several policies side by side, with the simulation's own
 * run time printed (it is a benchmark too: 10 000 functions x 24 h should
 * take well under a minute). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "proc.h"
#include "results.h"
#include "simulate.h"
#include "stats.h"
#include "verb.h"

#define SIM_MAX_TARGETS 8
#define DEFAULT_POLICIES "always-on,lambda,azure,knative,immediate"
#define DEFAULT_MAX_RATE (1e8 / 86400)  /* 8 orders of magnitude above one a day */

struct target_params {
	char name[24];
	struct sim_params p;
	char method[12];           /* weakest of the energy inputs */
	char source[48];
};

static int method_rank(const char *m)
{
	return !strcmp(m, METHOD_MEASURED) ? 2 : !strcmp(m, METHOD_ESTIMATED) ? 1 : 0;
}

/* Median of a scale metric for one target; *method gets the weakest method
 * seen. NaN when absent. */
static double median_of(const struct sample *s, size_t n, const char *target, const char *metric,
			char *method)
{
	double *v = malloc((n + 1) * sizeof(double));
	size_t k = 0;
	for (size_t i = 0; v && i < n; i++) {
		if (strcmp(s[i].experiment, "scale") || strcmp(s[i].target, target) || strcmp(s[i].metric, metric) ||
		    isnan(s[i].value))
			continue;
		v[k++] = s[i].value;
		if (method && method_rank(s[i].method) < method_rank(method))
			snprintf(method, 12, "%s", s[i].method);
	}
	double m = k ? stats_median(v, k) : NAN;
	free(v);
	return m;
}

static int load_run(const char *dir, struct target_params *tp, int max)
{
	char path[1100];
	snprintf(path, sizeof(path), "%s/samples.csv", dir);
	struct sample *s;
	size_t n;
	int r = results_read_csv(path, &s, &n);
	if (r < 0)
		die_usage("simulate: --from %s: cannot read %s: %s", dir, path, strerror(-r));
	int nt = 0;
	for (size_t i = 0; i < n && nt < max; i++) {
		if (strcmp(s[i].experiment, "scale") || strcmp(s[i].metric, "e_cold_j"))
			continue;
		int seen = 0;
		for (int k = 0; k < nt; k++)
			seen |= !strcmp(tp[k].name, s[i].target);
		if (seen)
			continue;
		struct target_params *t = &tp[nt];
		memset(t, 0, sizeof(*t));
		snprintf(t->name, sizeof(t->name), "%s", s[i].target);
		snprintf(t->method, sizeof(t->method), "%s", METHOD_MEASURED);
		snprintf(t->source, sizeof(t->source), "%s", s[i].source[0] ? s[i].source : "scale");
		t->p.e_cold_j = median_of(s, n, t->name, "e_cold_j", t->method);
		t->p.p_warm_w = median_of(s, n, t->name, "p_warm_w", t->method);
		t->p.e_req_j = median_of(s, n, t->name, "e_req_j", t->method);
		t->p.cold_s = median_of(s, n, t->name, "cold_ms", NULL) / 1e3;
		t->p.warm_s = median_of(s, n, t->name, "warm_ms", NULL) / 1e3;
		if (isnan(t->p.e_cold_j) || isnan(t->p.p_warm_w) || isnan(t->p.e_req_j) || isnan(t->p.cold_s) ||
		    isnan(t->p.warm_s)) {
			pr_warn("simulate: %s: the run lacks e_cold_j, p_warm_w, e_req_j, cold_ms or warm_ms; skipped",
				t->name);
			continue;
		}
		nt++;
	}
	free(s);
	if (nt == 0)
		die_usage("simulate: --from %s: no complete `zerowatt scale` results in it", dir);
	return nt;
}

static int parse_policies(const char *list, struct sim_policy *pol, char names[][32])
{
	char copy[512];
	snprintf(copy, sizeof(copy), "%s", list);
	int n = 0;
	for (char *save, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == SIM_MAX_POLICIES)
			die_usage("simulate: at most %d policies", SIM_MAX_POLICIES);
		if (wk_policy_parse(tok, &pol[n].kind, &pol[n].keep_alive_s) < 0)
			die_usage("simulate: --policy: '%s' is not always-on, immediate, keep-alive:T, lambda, "
				  "azure or knative", tok);
		wk_policy_format(pol[n].kind, pol[n].keep_alive_s, names[n], 32);
		n++;
	}
	if (!n)
		die_usage("simulate: --policy: empty list");
	return n;
}

static void parse_arrivals(const char *v, struct sim_population *pop, char *desc, size_t len)
{
	char *end;
	if (!strcmp(v, "poisson")) {
		pop->iat = IAT_EXP;
		snprintf(desc, len, "Poisson");
		return;
	}
	if (!strncmp(v, "lognormal:cv=", 13)) {
		pop->iat = IAT_LOGNORMAL;
		pop->shape = strtod(v + 13, &end);
		if (*end || !(pop->shape > 0) || !isfinite(pop->shape))
			die_usage("simulate: --arrivals: cv in '%s' must be a number > 0", v);
		snprintf(desc, len, "log-normal inter-arrivals, CV %g", pop->shape);
		return;
	}
	if (!strncmp(v, "pareto:alpha=", 13)) {
		pop->iat = IAT_PARETO;
		pop->shape = strtod(v + 13, &end);
		if (*end || !(pop->shape > 1) || !isfinite(pop->shape))
			die_usage("simulate: --arrivals: alpha in '%s' must be a number > 1", v);
		snprintf(desc, len, "Pareto inter-arrivals, alpha %g", pop->shape);
		return;
	}
	die_usage("simulate: --arrivals '%s' is not poisson, lognormal:cv=C or pareto:alpha=A", v);
}

static void add(struct run *run, const char *target, const char *metric, const char *policy, double v,
		const char *unit, const char *method)
{
	char m[48];
	snprintf(m, sizeof(m), "%.24s:%.22s", metric, policy);
	run_addv(run, "simulate", target, m, v, unit, 0, isnan(v) ? METHOD_UNAVAILABLE : method, "simulate");
}

static int simulate_verb(int argc, char **argv)
{
	struct sim_population pop = {
		.functions = 10000, .horizon_s = 86400, .max_rate = DEFAULT_MAX_RATE,
		.iat = IAT_LOGNORMAL, .shape = AZURE_DEFAULT_CV, .seed = 1,
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pop.threads = ncpu > 0 ? (unsigned)ncpu : 1;
	const char *from = NULL, *results = NULL, *into = NULL, *policies = DEFAULT_POLICIES;
	char arrivals[128];
	snprintf(arrivals, sizeof(arrivals), "log-normal inter-arrivals, CV %g", AZURE_DEFAULT_CV);
	struct target_params tp[SIM_MAX_TARGETS];
	int nt = 0, given = 0;
	struct target_params one = { .name = "given", .method = METHOD_ESTIMATED, .source = "options" };
	one.p.e_cold_j = one.p.p_warm_w = one.p.e_req_j = one.p.cold_s = one.p.warm_s = NAN;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (i + 1 >= argc)
			die_usage("simulate: option %s needs a value (zerowatt simulate --help)", a);
		const char *v = argv[++i];
		if (!strcmp(a, "--from"))
			from = v;
		else if (!strcmp(a, "--results"))
			results = v;
		else if (!strcmp(a, "--into"))
			into = v;
		else if (!strcmp(a, "--functions"))
			pop.functions = cli_uint("--functions", v, 1, 100000000);
		else if (!strcmp(a, "--hours"))
			pop.horizon_s = cli_double("--hours", v, 1e-3, 24 * 366) * 3600;
		else if (!strcmp(a, "--policy"))
			policies = v;
		else if (!strcmp(a, "--arrivals"))
			parse_arrivals(v, &pop, arrivals, sizeof(arrivals));
		else if (!strcmp(a, "--rate")) {
			pop.fixed = 1;
			pop.fixed_rate = cli_double("--rate", v, 1e-9, 1e6);
		} else if (!strcmp(a, "--max-rate"))
			pop.max_rate = cli_double("--max-rate", v, 1e-9, 1e6);
		else if (!strcmp(a, "--seed"))
			pop.seed = cli_uint("--seed", v, 0, 4294967295u);
		else if (!strcmp(a, "--threads"))
			pop.threads = cli_uint("--threads", v, 1, 256);
		else if (!strcmp(a, "--target"))
			snprintf(one.name, sizeof(one.name), "%s", v), given = 1;
		else if (!strcmp(a, "--e-cold"))
			one.p.e_cold_j = cli_double("--e-cold", v, 0, 1e9), given = 1;
		else if (!strcmp(a, "--p-warm"))
			one.p.p_warm_w = cli_double("--p-warm", v, 0, 1e9), given = 1;
		else if (!strcmp(a, "--e-req"))
			one.p.e_req_j = cli_double("--e-req", v, 0, 1e9), given = 1;
		else if (!strcmp(a, "--cold-ms"))
			one.p.cold_s = cli_double("--cold-ms", v, 0, 1e9) / 1e3, given = 1;
		else if (!strcmp(a, "--warm-ms"))
			one.p.warm_s = cli_double("--warm-ms", v, 0, 1e9) / 1e3, given = 1;
		else
			die_usage("simulate: unknown option '%s' (zerowatt simulate --help)", a);
	}
	if (from && given)
		die_usage("simulate: give either --from RUNDIR or the figures (--e-cold ...), not both");
	if (given) {
		if (isnan(one.p.e_cold_j) || isnan(one.p.p_warm_w) || isnan(one.p.e_req_j) || isnan(one.p.cold_s) ||
		    isnan(one.p.warm_s))
			die_usage("simulate: given figures need all of --e-cold J --p-warm W --e-req J --cold-ms MS "
				  "--warm-ms MS");
		tp[nt++] = one;
	} else if (from) {
		nt = load_run(from, tp, SIM_MAX_TARGETS);
	} else {
		die_usage("simulate: give --from RUNDIR (a `zerowatt scale` run) or the figures "
			  "(--e-cold J --p-warm W --e-req J --cold-ms MS --warm-ms MS)");
	}
	struct sim_policy pol[SIM_MAX_POLICIES];
	char names[SIM_MAX_POLICIES][32];
	int np = parse_policies(policies, pol, names);

	double t0 = now_s();
	struct sim_counts counts[SIM_MAX_POLICIES];
	unsigned long long events;
	int r = sim_run(&pop, pol, np, counts, &events);
	double elapsed = now_s() - t0;
	if (r < 0) {
		pr_err("simulate: %s", strerror(-r));
		return 1;
	}

	char rates[160];
	if (pop.fixed)
		snprintf(rates, sizeof(rates), "every function at %g/s", pop.fixed_rate);
	else
		snprintf(rates, sizeof(rates),
			 "Azure Functions 2019 population (log10 per day ~ N(%.3f, %.3f)), capped at %.4g/s",
			 AZURE_LOG10_DAILY_MU, AZURE_LOG10_DAILY_SIGMA, pop.max_rate);
	printf("simulate: %u functions over %.1f h; rates: %s; %s; seed %llu\n", pop.functions,
	       pop.horizon_s / 3600, rates, pop.iat == IAT_EXP ? "Poisson arrivals" : arrivals,
	       (unsigned long long)pop.seed);
	printf("simulate: %llu arrivals simulated event by event in %.2f s (%u threads, %.3g events/s)\n", events,
	       elapsed, pop.threads, elapsed > 0 ? (double)events / elapsed : NAN);

	struct run run;
	if (into && results)
		die_usage("simulate: --into and --results exclude each other");
	/* --into adds the projection to an existing run (the suite's), so one
	 * run directory holds the measurements and what they project to. */
	int have_run = (into ? run_reopen(&run, into) : run_open(&run, results, argc, argv)) == 0;
	if (into && !have_run)
		pr_err("simulate: --into %s: not a run directory", into);
	if (have_run) {
		cJSON *s = cJSON_AddObjectToObject(run.meta, "simulate");
		cJSON_AddNumberToObject(s, "functions", pop.functions);
		cJSON_AddNumberToObject(s, "horizon_s", pop.horizon_s);
		cJSON_AddStringToObject(s, "rates", rates);
		cJSON_AddStringToObject(s, "arrivals", pop.iat == IAT_EXP ? "Poisson" : arrivals);
		cJSON_AddNumberToObject(s, "seed", (double)pop.seed);
		cJSON_AddNumberToObject(s, "threads", pop.threads);
		cJSON_AddNumberToObject(s, "events", (double)events);
		cJSON_AddNumberToObject(s, "elapsed_s", elapsed);
		if (from)
			cJSON_AddStringToObject(s, "parameters_from", from);
		cJSON *pt = cJSON_AddObjectToObject(s, "targets");
		for (int k = 0; k < nt; k++) {
			cJSON *o = cJSON_AddObjectToObject(pt, tp[k].name);
			cJSON_AddNumberToObject(o, "e_cold_j", tp[k].p.e_cold_j);
			cJSON_AddNumberToObject(o, "p_warm_w", tp[k].p.p_warm_w);
			cJSON_AddNumberToObject(o, "e_req_j", tp[k].p.e_req_j);
			cJSON_AddNumberToObject(o, "cold_s", tp[k].p.cold_s);
			cJSON_AddNumberToObject(o, "warm_s", tp[k].p.warm_s);
			cJSON_AddStringToObject(o, "energy_method", tp[k].method);
		}
		run_addv(&run, "simulate", "all", "elapsed_s", elapsed, "s", 0, METHOD_MEASURED, "clock:monotonic");
		run_addv(&run, "simulate", "all", "events", (double)events, "count", 0, METHOD_MEASURED, "simulate");
	}

	printf("\n%-10s %-16s %9s %13s %13s %12s %30s %9s %9s %s\n", "target", "policy", "cold %", "cold starts",
	       "idle-warm h", "energy kWh", "(cold / idle-warm / requests)", "mean ms", "p99 ms", "energy");
	printf("%-10s %-16s %9s\n", "", "", "of requests");
	int estimated = 0;
	for (int k = 0; k < nt; k++) {
		for (int p = 0; p < np; p++) {
			struct sim_priced o;
			sim_price(&counts[p], &tp[k].p, &o);
			char split[64];
			snprintf(split, sizeof(split), "%.0f%% / %.0f%% / %.0f%%", 100 * o.energy_cold_j / o.energy_j,
				 100 * o.energy_idle_j / o.energy_j, 100 * o.energy_req_j / o.energy_j);
			printf("%-10s %-16s %9.3f %13llu %13.1f %12.4g %30s %9.3g %9.3g %s\n", tp[k].name, names[p],
			       100 * o.cold_fraction, counts[p].cold, counts[p].idle_warm_s / 3600, o.energy_j / 3.6e6,
			       o.energy_j > 0 ? split : "-", o.mean_s * 1e3, o.p99_s * 1e3, tp[k].method);
			estimated |= strcmp(tp[k].method, METHOD_MEASURED) != 0;
			if (!have_run)
				continue;
			const char *m = METHOD_ESTIMATED; /* a projection, whatever its inputs */
			add(&run, tp[k].name, "energy_j", names[p], o.energy_j, "J", m);
			add(&run, tp[k].name, "energy_cold_j", names[p], o.energy_cold_j, "J", m);
			add(&run, tp[k].name, "energy_idle_warm_j", names[p], o.energy_idle_j, "J", m);
			add(&run, tp[k].name, "energy_requests_j", names[p], o.energy_req_j, "J", m);
			add(&run, tp[k].name, "cold_fraction", names[p], o.cold_fraction, "1", m);
			add(&run, tp[k].name, "cold_starts", names[p], (double)counts[p].cold, "count", m);
			add(&run, tp[k].name, "fn_cold_p50", names[p], counts[p].fn_cold_p50, "1", m);
			add(&run, tp[k].name, "fn_cold_p90", names[p], counts[p].fn_cold_p90, "1", m);
			add(&run, tp[k].name, "idle_warm_h", names[p], counts[p].idle_warm_s / 3600, "h", m);
			add(&run, tp[k].name, "mean_latency_ms", names[p], o.mean_s * 1e3, "ms", m);
			add(&run, tp[k].name, "p99_latency_ms", names[p], o.p99_s * 1e3, "ms", m);
		}
	}
	if (pop.fixed && pop.iat == IAT_EXP)
		for (int p = 0; p < np; p++)
			if (pol[p].kind == WK_KEEP_ALIVE)
				printf("check: Poisson at %g/s with %s: closed form exp(-RT) = %.3f%% cold, simulated "
				       "%.3f%% (each function's first arrival is cold too: +%.3f%%)\n",
				       pop.fixed_rate, names[p], 100 * exp(-pop.fixed_rate * pol[p].keep_alive_s),
				       100.0 * (double)counts[p].cold / (double)counts[p].requests,
				       100.0 * pop.functions / (double)counts[p].requests *
					       (1 - exp(-pop.fixed_rate * pol[p].keep_alive_s)));
	printf("\nper function (most are rare, most requests go to a few busy ones): %lu of %u functions saw a request\n",
	       counts[0].active_functions, pop.functions);
	for (int p = 0; p < np; p++)
		printf("  %-16s cold starts per function's requests: median %.1f%%, 90th percentile %.1f%%\n", names[p],
		       100 * counts[p].fn_cold_p50, 100 * counts[p].fn_cold_p90);
	printf("\nA projection, not a measurement: counts are simulated, energy = cold starts x E_cold + idle-warm "
	       "time x P_warm + warm requests x E_req.\n");
	if (estimated)
		printf("The energy inputs are estimated (no sensor): under a CPU-time model E_cold and P_warm are CPU "
		       "time rescaled, and the host's idle floor is in none of them.\n");
	if (have_run) {
		run_close(&run);
		printf("run directory: %s\n", run.dir);
	}
	return 0;
}

static const struct verb simulate_verb_row = {
	.name = "simulate",
	.summary = "fleet projection: thousands of functions over a day through the scale-to-zero policies",
	.usage = "simulate (--from RUNDIR | --e-cold J --p-warm W --e-req J --cold-ms MS --warm-ms MS [--target NAME])\n"
		 "                [--functions N] [--hours H] [--policy LIST] [--arrivals poisson|lognormal:cv=C|pareto:alpha=A]\n"
		 "                [--rate R] [--max-rate R] [--seed N] [--threads N] [--results DIR | --into RUNDIR]\n"
		 "  --from: a `zerowatt scale` run directory; each target's medians of e_cold_j, p_warm_w,\n"
		 "  e_req_j, cold_ms and warm_ms price the simulated counts. Defaults: 10000 functions, 24 h,\n"
		 "  rates from the Azure Functions 2019 population (trace.h) capped at 1e8/day, log-normal\n"
		 "  inter-arrivals with CV 2, policies " DEFAULT_POLICIES ",\n"
		 "  one thread per CPU. --rate R gives every function the same rate (checks against e^(-RT)).",
	.run = simulate_verb,
};
VERB_REGISTER(simulate_verb_row);
