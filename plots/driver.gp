# Draws one figure of a zerowatt report as PNG and SVG. `zerowatt report`
# runs it once per figure:
#   gnuplot -e "vars='DATADIR/NAME.vars.gp'; plotdir='plots'; out='OUTDIR/NAME'" plots/driver.gp
# vars (written by the harness) names the figure's script and holds its data
# file paths, legend labels, estimated-or-measured flags and the subtitle.
load vars
# Multi-panel figures are wider.
fig_w = (script eq "boot" || script eq "http" || script eq "breakeven" || script eq "density") ? 1500 : 1100
fig_h = 620
do for [term in "png svg"] {
	reset
	load vars
	load plotdir."/style.gp"
	if (term eq "png") {
		set terminal pngcairo size fig_w, fig_h noenhanced font "DejaVu Sans,11" background rgb "white"
	} else {
		set terminal svg size fig_w, fig_h noenhanced font "DejaVu Sans,11" background rgb "white"
	}
	set output out.".".term
	load plotdir."/".script.".gp"
	unset output
}
