# Shared look of every zerowatt figure: one colour per series (the same
# series keeps its colour across panels), measured data drawn solid and
# filled, a model's estimate dashed and hollow.
array pal[8] = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
do for [i=1:8] {
	set linetype i lc rgb pal[i] lw 2 pt 7 ps 1.1
}
set linetype cycle 8
set border 3 lc rgb "#444444"
set tics nomirror out
set grid ytics lc rgb "#e4e4e4" lw 1
set key top left Left reverse noautotitle samplen 2.5 spacing 1.15 box lc rgb "#cccccc" opaque
set style fill solid 0.55 border
# Point types: filled for measured, hollow for estimated.
pt_of(e) = e ? 6 : 7
# Dash types: solid for measured, dashed for estimated.
dt_of(e) = e ? 2 : 1
# The subtitle (host, accelerator, energy method) sits under the title once
# per figure: scripts expand @sub_on before their first plot and @sub_off after.
sub_on = "set label 1000 subtitle at screen 0.5, screen 0.915 center font ',9' textcolor rgb '#444444' front"
sub_off = "unset label 1000"
top_margin = 6
