/* Figures in markdown, the dispatch of splice markers, and the layout of a
 * whole report.md (tables in report_tables.c, setup in report_setup.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "claims.h"
#include "report_frag.h"

static struct rf_figure *find_fig(struct rf_ctx *ctx, const char *name)
{
	for (int i = 0; i < ctx->nfigs; i++)
		if (!strcmp(ctx->figs[i].name, name))
			return &ctx->figs[i];
	return NULL;
}

void rf_figure(FILE *f, struct rf_ctx *ctx, const char *name)
{
	struct rf_figure *fig = find_fig(ctx, name);
	if (!fig) {
		fprintf(f, "*Figure %s: not made for this report.*\n", name);
		ctx->missing++;
		return;
	}
	if (!fig->drawn) {
		fprintf(f, "*%s: not drawn — %s.*\n", fig->title, fig->note);
		ctx->missing++;
		return;
	}
	fig->shown = 1;
	fprintf(f, "![%s](%s/%s.png)\n\n*%s* %s ([SVG](%s/%s.svg))\n", fig->title, ctx->fig_dir, fig->name,
		fig->title, fig->caption, ctx->fig_dir, fig->name);
}

int rf_kind_inline(const char *kind)
{
	return !strcmp(kind, "value") || !strcmp(kind, "run");
}

/* Every figure not shown yet, then the list of those not drawn and why. */
static void all_figures(FILE *f, struct rf_ctx *ctx, const char *heading)
{
	int others = 0, skipped = 0;
	for (int i = 0; i < ctx->nfigs; i++)
		if (ctx->figs[i].drawn && !ctx->figs[i].shown) {
			if (!others++ && heading)
				fprintf(f, "\n## %s\n", heading);
			fprintf(f, "\n### %s\n\n", ctx->figs[i].title);
			rf_figure(f, ctx, ctx->figs[i].name);
		}
	for (int i = 0; i < ctx->nfigs; i++)
		if (!ctx->figs[i].drawn) {
			if (!skipped++)
				fprintf(f, heading ? "\n## Figures not drawn\n\n" : "\nFigures not drawn:\n\n");
			fprintf(f, "- %s: %s\n", ctx->figs[i].title, ctx->figs[i].note);
		}
}

int rf_metric_wanted(const struct rf_ctx *ctx, const char *metric)
{
	for (int i = 0; i < ctx->nonly; i++)
		if (!strcmp(ctx->only[i], metric))
			return 1;
	return ctx->nonly == 0;
}

int rf_emit(FILE *f, struct rf_ctx *ctx, const char *kind, int argc, char **argv, char *err, size_t cap)
{
	int need = !strcmp(kind, "table") || !strcmp(kind, "ratios") || !strcmp(kind, "figure") ? 1
		 : !strcmp(kind, "value") ? 3 : 0;
	int with_metrics = !strcmp(kind, "table") || !strcmp(kind, "ratios");
	int known = need || !strcmp(kind, "power") || !strcmp(kind, "hosts") || !strcmp(kind, "energy") ||
		    !strcmp(kind, "doctor") || !strcmp(kind, "skipped") || !strcmp(kind, "run") ||
		    !strcmp(kind, "figures") || !strcmp(kind, "claims");
	if (!known) {
		snprintf(err, cap, "unknown marker kind '%s' (table, ratios, figure, figures, value, run, "
				   "power, hosts, energy, doctor, skipped, claims)", kind);
		return -EINVAL;
	}
	int max = !strcmp(kind, "value") ? 5 : with_metrics ? 32 : need;
	if (argc < need || argc > max) {
		snprintf(err, cap, "marker '%s' takes %d%s argument%s, got %d", kind, need,
			 max > need ? (with_metrics ? " or more" : " to 5") : "", max == 1 ? "" : "s", argc);
		return -EINVAL;
	}
	if (!strcmp(kind, "value")) {
		static const char *const stats[] = { "median", "mean", "p5", "p95", "min", "max", "ci", "n",
						     "ratio", NULL };
		int ok = argc < 4 || !strncmp(argv[3], "ratio:", 6);
		for (int i = 0; !ok && stats[i]; i++)
			ok = !strcmp(argv[3], stats[i]);
		if (!ok) {
			snprintf(err, cap, "value: unknown statistic '%s' (median, mean, p5, p95, min, max, ci, "
					   "n, ratio, ratio:TARGET)", argv[3]);
			return -EINVAL;
		}
		rf_value(f, ctx, argv[0], argv[1], argv[2], argc > 3 ? argv[3] : NULL, argc > 4 ? argv[4] : NULL);
	} else if (!strcmp(kind, "run")) {
		rf_run_ids(f, ctx);
	} else if (with_metrics) {
		ctx->only = argv + 1;
		ctx->nonly = argc - 1;
		if (!strcmp(kind, "table"))
			rf_table(f, ctx, argv[0]);
		else
			rf_ratios(f, ctx, argv[0]);
		ctx->only = NULL;
		ctx->nonly = 0;
	} else if (!strcmp(kind, "figure")) {
		rf_figure(f, ctx, argv[0]);
	} else if (!strcmp(kind, "figures")) {
		all_figures(f, ctx, NULL);
	} else if (!strcmp(kind, "power")) {
		rf_power_phases(f, ctx);
	} else if (!strcmp(kind, "hosts")) {
		rf_hosts(f, ctx);
	} else if (!strcmp(kind, "energy")) {
		rf_energy(f, ctx);
	} else if (!strcmp(kind, "doctor")) {
		rf_doctor(f, ctx);
	} else if (!strcmp(kind, "claims")) {
		rf_claims(f, ctx);
	} else {
		rf_skipped(f, ctx);
	}
	return 0;
}

void rf_claims(FILE *f, struct rf_ctx *ctx)
{
	for (int i = 0; i < ctx->set->nruns; i++) {
		const struct rd_run *run = &ctx->set->runs[i];
		struct claim_result r[32];
		int n = claims_evaluate(run->s, run->n, run->meta, r, 32);
		if (ctx->set->nruns > 1)
			fprintf(f, "\nRun `%s` (host %s):\n\n", run->id, run->host);
		claims_markdown(r, n, f);
	}
}

static void figures_of(FILE *f, struct rf_ctx *ctx, const char *prefix)
{
	size_t pl = strlen(prefix);
	for (int i = 0; i < ctx->nfigs; i++)
		if (ctx->figs[i].drawn && !strncmp(ctx->figs[i].name, prefix, pl) &&
		    (ctx->figs[i].name[pl] == '\0' || ctx->figs[i].name[pl] == '-')) {
			fputc('\n', f);
			rf_figure(f, ctx, ctx->figs[i].name);
		}
}

/* Which figure shows which experiment's results. */
static const char *figure_of(const char *exp)
{
	static const char *const map[][2] = { { "boot", "boot" },         { "syscall", "syscall" },
					      { "load", "http" },         { "scale", "energy_rate" },
					      { "density", "density" },   { NULL, NULL } };
	for (int i = 0; map[i][0]; i++)
		if (!strcmp(map[i][0], exp))
			return map[i][1];
	return NULL;
}

void rf_report(FILE *f, struct rf_ctx *ctx, const char *const *dirs, int ndirs)
{
	struct rd_names hosts, exps;
	rd_hosts(ctx->set, &hosts);
	rd_experiments(ctx->set, &exps);
	fprintf(f, "# zerowatt report\n\n");
	fprintf(f, "Runs: ");
	rf_run_ids(f, ctx);
	fprintf(f, " — %d run director%s from %d host%s", ndirs, ndirs == 1 ? "y" : "ies", hosts.n,
		hosts.n == 1 ? "" : "s");
	(void)dirs;
	fprintf(f, ".\n\n"
		   "Tables give the median, p5/p95 and the distribution-free 95%% confidence interval of the "
		   "median (order statistics; none below 6 repetitions) over repetitions; outliers are "
		   "counted by MAD (|x − median| > 3 × 1.4826 MAD), flagged and kept. Every value carries its "
		   "method (measured, estimated by a model, unavailable) and its source; energy figures also "
		   "carry their boundary. Ratios are medians divided by the base target's median, with both "
		   "absolute values beside them.\n");

	fprintf(f, "\n## Setup\n\n");
	rf_hosts(f, ctx);
	fprintf(f, "\n### Energy\n\n");
	rf_energy(f, ctx);
	fprintf(f, "\n### Doctor's verdicts\n\n");
	rf_doctor(f, ctx);
	fprintf(f, "\n### Skipped targets\n\n");
	rf_skipped(f, ctx);

	fprintf(f, "\n## Results\n");
	for (int e = 0; e < exps.n; e++) {
		struct rd_names metrics;
		rd_metrics(ctx->set, exps.v[e], &metrics);
		if (!metrics.n)
			continue;
		fprintf(f, "\n### %s\n\n", exps.v[e]);
		rf_table(f, ctx, exps.v[e]);
		fprintf(f, "\nRatios:\n\n");
		rf_ratios(f, ctx, exps.v[e]);
		const char *fig = figure_of(exps.v[e]);
		if (fig)
			figures_of(f, ctx, fig);
		if (!strcmp(exps.v[e], "scale")) {
			figures_of(f, ctx, "breakeven");
			figures_of(f, ctx, "coldstart");
		}
	}
	fprintf(f, "\n### Power over time\n\n");
	rf_power_phases(f, ctx);
	figures_of(f, ctx, "timeline");

	fprintf(f, "\n## Targets from the issues\n\n"
		   "Benchmarks, not tests: each target the issues set, judged on this run's medians "
		   "(`zerowatt claims RUN_DIR`).\n\n");
	rf_claims(f, ctx);

	all_figures(f, ctx, "Other figures");
}
