# Clustered bars, shared by the figures that compare a few series over
# categories: medians with whiskers (95% CI of the median, or p5-p95 below
# 6 repetitions). vars: dat (one block per series, rows: category index,
# median, low, high), n and lbl/est (series), ncat and cat (categories),
# ylabel, logy, whiskers.
set multiplot layout 1, 1 title title font ",14"
@sub_on
set tmargin top_margin
set bmargin 5
set offsets 0, 0, graph 0.25, 0
if (logy) { set logscale y } else { set yrange [0:*] }
set ylabel ylabel
set xrange [0.4 : ncat + 0.6]
set xtics ()
do for [c=1:ncat] { set xtics add (cat[c] c) }
bw = 0.8 / n
set boxwidth bw absolute
off(i) = (i - (n + 1) / 2.0) * bw
set key top right
set label 1001 whiskers at screen 0.01, screen 0.02 left font ",9" textcolor rgb "#444444"
plot for [i=1:n] dat index (i-1) using ($1 + off(i)):(est[i] ? NaN : $2) with boxes lc i fs solid 0.55 \
         title (est[i] ? "" : lbl[i]), \
     for [i=1:n] dat index (i-1) using ($1 + off(i)):(est[i] ? $2 : NaN) with boxes lc i dt 2 fs empty \
         title (est[i] ? lbl[i]." (estimated)" : ""), \
     for [i=1:n] dat index (i-1) using ($1 + off(i)):3:(0):($4 - $3) with vectors heads size screen 0.006, 90 \
         lc rgb "#333333" lw 1.5 notitle
unset multiplot
