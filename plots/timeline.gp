# Host power over a run, phases shaded (objects and labels come from vars:
# one band per phase, the target's name inside). The power line is dashed
# and says "estimated" when a model produced it.
set multiplot layout 1, 1 title title font ",14"
@sub_on
set tmargin top_margin
set xlabel "time since the run started (s)"
set ylabel "host power (W)"
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0
set key outside right top vertical Left reverse
if (have_cpu) {
	set y2label "host CPU (%)"
	set y2tics
	set y2range [0:*]
}
bands = "for [k=1:nkinds] NaN with boxes fs solid 0.35 noborder lc rgb kcol[k] title 'phase: '.kind[k]"
power = "dat using 1:2 with lines lc rgb '#202020' lw 1.5 dt dt_of(est) title ptitle"
if (have_cpu) {
	plot @bands, @power, cpu using 1:2 axes x1y2 with lines lc rgb "#1f77b4" lw 1 title "host CPU (%)"
} else {
	plot @bands, @power
}
unset multiplot
