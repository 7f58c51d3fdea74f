# Energy per request against the offered request rate, one line per target
# and scale-to-zero policy (log x; log y unless a value is <= 0). Colour:
# series; point shape: policy;
# dashed with hollow points: a model's estimate.
set multiplot layout 1, 1 title title font ",14"
@sub_on
set tmargin top_margin
set logscale x
if (logy) { set logscale y } else { set xzeroaxis lt -1 lc rgb "#888888" }
set xlabel "offered request rate (requests/s, log scale)"
set ylabel ylabel
set key outside right top vertical Left reverse
pt_pol(p, e) = int(word("7 5 9 13 11 15", (p - 1) % 6 + 1)) - e
plot for [i=1:n] dat index (i-1) using 1:2 with linespoints lc i dt dt_of(est[i]) \
         pt pt_pol(pol[i], est[i]) ps 1.3 title ttl[i]
unset multiplot
