/* Figures of a report: the C side turns tidy samples into gnuplot-friendly
 * data files (<name>.dat, and <name>.vars.gp with labels, styles and the
 * subtitle), then runs plots/driver.gp, which draws plots/<name>.gp into a PNG
 * and an SVG. A figure whose data is absent is skipped with the reason,
 * never drawn empty. */
#ifndef ZW_REPORT_FIG_H
#define ZW_REPORT_FIG_H
#include <stdio.h>

#include "report_data.h"
#include "report_frag.h"

/* Writes the data files of every figure the runs can support into datadir
 * and lists all figures in figs (drawn = 0; note set for the absent ones,
 * empty for those ready to render). Returns the count, or -errno. */
int fig_extract_all(const struct rd_set *set, const char *datadir, struct rf_figure *figs, int max);

/* Renders one extracted figure with gnuplot: <outdir>/<name>.png and .svg.
 * Sets fig->drawn, or fig->note with gnuplot's complaint. Returns 0, or
 * -errno (gnuplot missing or failing). */
int fig_render(const char *plotdir, const char *datadir, const char *outdir, struct rf_figure *fig);

/* The plots/ directory: $ZW_PLOTS, else next to the build directory. */
const char *fig_plot_dir(void);

/* Exposed for tests: a gnuplot string literal (double quotes, escaped). */
void fig_gp_string(FILE *f, const char *s);

#endif
