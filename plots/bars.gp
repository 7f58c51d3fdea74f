# One bar panel, shared by the figures that compare a median per target:
#   call plotdir."/bars.gp" "PREFIX" "y label" "LOGY(0|1)" "panel title"
# PREFIX names the data file variable and its arrays: PREFIX (file, one block
# per series: x median low high estimated), PREFIX_t (legend), PREFIX_e
# (1 = a model's estimate: drawn hollow and dashed).
P = ARG1
F = value(P)
T = P."_t"
E = P."_e"
set title ARG4 font ",12"
set ylabel ARG2
unset logscale y
set yrange [*:*]
set offsets 0, 0, graph 0.2, 0
if (ARG3 eq "1") { set logscale y } else { set yrange [0:*] }
set xrange [0.4 : n + 0.6]
set xtics () rotate by -20
do for [i=1:n] { set xtics add (lbl[i] i) }
set boxwidth 0.6
set key top right
plot for [i=1:n] F index (i-1) using 1:(@E[i] ? NaN : $2) with boxes lc i fs solid 0.55 border \
         title (@E[i] ? "" : @T[i]), \
     for [i=1:n] F index (i-1) using 1:(@E[i] ? $2 : NaN) with boxes lc i dt 2 lw 2 fs empty border \
         title (@E[i] ? @T[i] : ""), \
     for [i=1:n] F index (i-1) using 1:3:(0):($4 - $3) with vectors heads size screen 0.006, 90 lc rgb "#333333" lw 1.5 notitle
