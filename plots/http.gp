# HTTP under load: requests/s (bars), latency percentiles p50-p99.9 (log
# scale, one line per target) and energy per request (bars, hollow and
# dashed when a model estimated it).
np = 2 + have_epr
set multiplot layout 1, np title title font ",14"
@sub_on
set tmargin top_margin
set bmargin 6
set label 1001 whiskers at screen 0.01, screen 0.02 left font ",9" textcolor rgb "#444444"
call plotdir."/bars.gp" "rps" "requests per second" "0" "Throughput (closed loop)"
@sub_off
unset label 1001
set title "Latency percentiles" font ",12"
set offsets 0, 0, 0, 0
set format y "%g"
set logscale y
set yrange [*:*]
set ylabel "latency (µs, log scale)"
set xrange [0.6 : 4.4]
set xtics () norotate
do for [p=1:4] { set xtics add (pct[p] p) }
set key top left
plot for [i=1:n] lat index (i-1) using 1:2:3:4 with yerrorlines lc i pt 7 title lbl[i]
if (have_epr) {
	call plotdir."/bars.gp" "epr" "joules per request" "0" "Energy per request"
}
unset multiplot
