/* zerowatt report RUN_DIR...: report.md with the tables, figures, host
 * facts and doctor's verdicts of one or more run directories (several hosts
 * are grouped by host), written into the first run directory or --out. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "doctor.h"
#include "log.h"
#include "report_data.h"
#include "report_fig.h"
#include "report_frag.h"
#include "results.h"
#include "verb.h"


/* Extracts and draws every figure; returns how many failed to render. */
static int make_figures(struct rf_ctx *ctx, const char *datadir, const char *outdir, int draw)
{
	int n = fig_extract_all(ctx->set, datadir, ctx->figs, RF_MAX_FIGS);
	if (n < 0) {
		pr_err("report: cannot write figure data under %s: %s", datadir, strerror(-n));
		return 1;
	}
	ctx->nfigs = n;
	int failed = 0;
	const char *plotdir = fig_plot_dir();
	for (int i = 0; i < n; i++) {
		struct rf_figure *fig = &ctx->figs[i];
		if (fig->note[0])
			continue;
		if (!draw) {
			snprintf(fig->note, sizeof(fig->note), "figures not drawn (--no-figures)");
			continue;
		}
		if (fig_render(plotdir, datadir, outdir, fig) < 0)
			failed++;
	}
	return failed;
}

/* The runs' own doctor record wins; without one, the doctor is asked now,
 * but only on the host the runs came from (its verdicts say nothing about
 * another machine). */
static void doctor_now(struct rf_ctx *ctx)
{
	struct utsname u;
	if (uname(&u) < 0)
		return;
	int same = 0, recorded = 0;
	for (int i = 0; i < ctx->set->nruns; i++) {
		same |= !strcmp(ctx->set->runs[i].host, u.nodename);
		recorded |= cJSON_IsArray(rd_meta_obj(&ctx->set->runs[i], "doctor"));
	}
	if (!same || recorded)
		return;
	static struct doctor_report rep;
	memset(&rep, 0, sizeof(rep));
	doctor_collect(&rep);
	ctx->doctor_now = doctor_json(&rep);
	snprintf(ctx->doctor_now_host, sizeof(ctx->doctor_now_host), "%.63s", u.nodename);
}

static int report_run(int argc, char **argv)
{
	const char *out = NULL;
	const char *dirs[RD_MAX_RUNS];
	int ndirs = 0, draw = 1, doctor = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out")) {
			if (i + 1 >= argc)
				die_usage("report: --out needs a directory");
			out = argv[++i];
		} else if (!strcmp(argv[i], "--no-figures")) {
			draw = 0;
		} else if (!strcmp(argv[i], "--no-doctor")) {
			doctor = 0;
		} else if (argv[i][0] == '-') {
			die_usage("report: unknown option '%s' (zerowatt report --help)", argv[i]);
		} else if (ndirs >= RD_MAX_RUNS) {
			die_usage("report: at most %d run directories", RD_MAX_RUNS);
		} else {
			dirs[ndirs++] = argv[i];
		}
	}
	if (!ndirs)
		die_usage("report: no RUN_DIR given (a results/<UTC>-<host>/ directory)");

	static struct rd_set set;
	char why[1400];
	for (int i = 0; i < ndirs; i++)
		if (rd_set_add(&set, dirs[i], why, sizeof(why)) < 0)
			die_usage("report: %s", why);

	if (!out)
		out = set.runs[0].dir;
	char figdir[1200], datadir[1300];
	snprintf(figdir, sizeof(figdir), "%s/figures", out);
	snprintf(datadir, sizeof(datadir), "%s/data", figdir);
	int r = mkdir_p(datadir);
	if (r < 0) {
		pr_err("report: cannot create %s: %s", datadir, strerror(-r));
		rd_set_free(&set);
		return 1;
	}
	static struct rf_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.set = &set;
	ctx.fig_dir = "figures";
	int failed = make_figures(&ctx, datadir, figdir, draw);
	if (doctor)
		doctor_now(&ctx);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		rd_set_free(&set);
		return 1;
	}
	rf_report(f, &ctx, dirs, ndirs);
	fclose(f);
	char path[1300];
	snprintf(path, sizeof(path), "%s/report.md", out);
	r = write_file_atomic(path, buf, len);
	free(buf);
	cJSON_Delete(ctx.doctor_now);
	rd_set_free(&set);
	if (r < 0) {
		pr_err("report: cannot write %s: %s", path, strerror(-r));
		return 1;
	}
	int drawn = 0;
	for (int i = 0; i < ctx.nfigs; i++) {
		drawn += ctx.figs[i].drawn;
		if (!ctx.figs[i].drawn)
			pr_debug("figure %s not drawn: %s", ctx.figs[i].name, ctx.figs[i].note);
	}
	printf("report: %s (%d figures drawn, %d not: see the report)\n", path, drawn, ctx.nfigs - drawn);
	return failed ? 1 : 0;
}

static const struct verb report_verb = {
	.name = "report",
	.summary = "write report.md (tables, figures, host facts) from run directories",
	.usage = "report RUN_DIR... [--out DIR] [--no-figures] [--no-doctor]\n"
		 "  tables per experiment (median, p5/p95, 95% CI, outliers, method and source), ratios\n"
		 "  with absolute base values, figures (PNG + SVG, gnuplot), host facts and doctor's\n"
		 "  verdicts; several run directories (e.g. several hosts) are merged, grouped by host.\n"
		 "  Written to <first RUN_DIR>/report.md and figures/, or under --out DIR.\n"
		 "  --no-figures: tables only; --no-doctor: do not run the doctor when the runs lack its record",
	.run = report_run,
};
VERB_REGISTER(report_verb);
