/* Runs gnuplot on an extracted figure: plots/driver.gp loads the figure's
 * vars and draws plots/<script>.gp once per terminal (PNG, SVG). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "report_fig.h"
#include "target.h"

const char *fig_plot_dir(void)
{
	static char dir[PATH_MAX];
	if (dir[0])
		return dir;
	const char *env = getenv("ZW_PLOTS");
	if (env && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else
		snprintf(dir, sizeof(dir), "%s/../plots", zw_build_dir());
	return dir;
}

/* A gnuplot single-quoted string: a quote is written twice. */
static size_t gp_single(char *out, size_t cap, const char *s)
{
	size_t k = 0;
	if (k + 1 < cap)
		out[k++] = '\'';
	for (; *s && k + 3 < cap; s++) {
		if (*s == '\'')
			out[k++] = '\'';
		out[k++] = *s;
	}
	if (k + 1 < cap)
		out[k++] = '\'';
	out[k] = '\0';
	return k;
}

/* gnuplot's complaint is its last non-empty line; keep just that. */
static void last_line(char *log)
{
	size_t n = strlen(log);
	while (n && (log[n - 1] == '\n' || log[n - 1] == ' '))
		log[--n] = '\0';
	char *nl = strrchr(log, '\n');
	if (nl)
		memmove(log, nl + 1, strlen(nl + 1) + 1);
}

static int nonempty(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && st.st_size > 0;
}

int fig_render(const char *plotdir, const char *datadir, const char *outdir, struct rf_figure *fig)
{
	if (fig->note[0])
		return 0;
	char vars[1200], out[1200], driver[1200];
	snprintf(vars, sizeof(vars), "%s/%s.vars.gp", datadir, fig->name);
	snprintf(out, sizeof(out), "%s/%s", outdir, fig->name);
	snprintf(driver, sizeof(driver), "%s/driver.gp", plotdir);
	if (access(driver, R_OK) != 0) {
		snprintf(fig->note, sizeof(fig->note), "gnuplot scripts not found (%.200s)", driver);
		return -ENOENT;
	}
	char expr[4096], q[1300];
	size_t k = 0;
	gp_single(q, sizeof(q), vars);
	k += (size_t)snprintf(expr + k, sizeof(expr) - k, "vars=%s; ", q);
	gp_single(q, sizeof(q), plotdir);
	k += (size_t)snprintf(expr + k, sizeof(expr) - k, "plotdir=%s; ", q);
	gp_single(q, sizeof(q), out);
	snprintf(expr + k, sizeof(expr) - k, "out=%s", q);
	char *argv[] = { "gnuplot", "-e", expr, driver, NULL };
	char log[4096];
	int r = proc_run(argv, log, sizeof(log), 120.0);
	char png[1300], svg[1300];
	snprintf(png, sizeof(png), "%s.png", out);
	snprintf(svg, sizeof(svg), "%s.svg", out);
	if (r == 127 || r == -ENOENT) {
		unlink(png);
		unlink(svg);
		snprintf(fig->note, sizeof(fig->note), "gnuplot is not installed (apt-get install gnuplot-nox)");
		return -ENOENT;
	}
	if (r != 0 || !nonempty(png) || !nonempty(svg)) {
		/* No half-drawn figure is left for a report to link. */
		unlink(png);
		unlink(svg);
		last_line(log);
		snprintf(fig->note, sizeof(fig->note), "gnuplot failed (%s %d): %.180s",
			 r < 0 ? "error" : "exit status", r < 0 ? -r : r, log);
		pr_err("figure %s: %s", fig->name, fig->note);
		return r < 0 ? r : -EIO;
	}
	if (log[0])
		pr_debug("figure %s: gnuplot said: %s", fig->name, log);
	fig->drawn = 1;
	return 0;
}
