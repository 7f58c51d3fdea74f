# Boot time per target: the repetitions as a box plot with every point
# (left) and their empirical CDF (right). Data: dat, one block per series,
# columns value, sorted value, cumulative fraction.
set multiplot layout 1, 2 title title font ",14"
@sub_on
set tmargin top_margin
set xrange [0.3 : n + 0.7]
set xtics () rotate by -20
do for [i=1:n] { set xtics add (lbl[i] i) }
set ylabel "launch → ".(metric eq "first_200_ms" ? "first HTTP 200" : "READY")." (ms)"
if (logy) { set logscale y }
set style boxplot nooutliers
set boxwidth 0.5
set key off
set style fill solid 0.25 border
plot for [i=1:n] dat index (i-1) using (i):1 with boxplot lc i, \
     for [i=1:n] dat index (i-1) using (i + ((int($0) % 7) - 3) * 0.04):1 with points lc i pt pt_of(est[i]) ps 0.8
@sub_off
unset logscale
set xtics auto norotate
set xrange [*:*]
set key bottom right
if (logy) { set logscale x }
set xlabel "launch → ".(metric eq "first_200_ms" ? "first HTTP 200" : "READY")." (ms)"
set ylabel "fraction of launches"
set yrange [0:1.05]
plot for [i=1:n] dat index (i-1) using 2:3 with steps lc i dt dt_of(est[i]) title lbl[i]
unset multiplot
