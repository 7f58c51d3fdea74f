# One bar panel, shared by the figures that compare a median per target:
#   call plotdir."/bars.gp" "PREFIX" "y label" "LOGY(0|1)" "panel title" ["MARKS" "mark key"]
# PREFIX names the data file variable and its arrays: PREFIX (file, one block
# per series: x median low high estimated), PREFIX_k (key text, "" for none:
# the bars are named on the x axis, the key says how an estimate is drawn),
# PREFIX_e (1 = a model's estimate: drawn hollow and dashed).
P = ARG1
F = value(P)
K = P."_k"
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
# SI prefixes keep small energies readable (2.0m = 0.002, 15.0u = 0.000015).
set format y "%.1s%c"
# No key at all when nothing needs explaining.
set key top right
haskey = (ARGC >= 6)
do for [i=1:n] { if (strlen(@K[i]) > 0) { haskey = 1 } }
if (!haskey) { unset key }
# Optional markers from a second file of the same shape (e.g. lower bounds
# where no bar can be drawn): triangles, never bars.
EXTRA = ""
if (ARGC >= 6) {
	MF = value(ARG5)
	EXTRA = ", for [i=1:n] MF index (i-1) using 1:2 with points lc i pt 9 ps 2 title (i == 1 ? ARG6 : '')"
}
plot for [i=1:n] F index (i-1) using 1:(@E[i] ? NaN : $2) with boxes lc i fs solid 0.55 border \
         title (@E[i] ? "" : @K[i]), \
     for [i=1:n] F index (i-1) using 1:(@E[i] ? $2 : NaN) with boxes lc i dt 2 lw 2 fs empty border \
         title (@E[i] ? @K[i] : ""), \
     for [i=1:n] F index (i-1) using 1:3:(0):($4 - $3) with vectors heads size screen 0.006, 90 lc rgb "#333333" lw 1.5 notitle @EXTRA
