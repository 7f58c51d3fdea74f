# Density per target: idle instances that fit in a GiB of host memory, idle
# CPU per instance and idle power per 100 instances.
np = 1 + have_cpu + have_idle
set multiplot layout 1, np title title font ",14"
@sub_on
set tmargin top_margin
set bmargin 6
set label 1001 whiskers at screen 0.01, screen 0.02 left font ",9" textcolor rgb "#444444"
call plotdir."/bars.gp" "mem" "instances per GiB" "0" "Instances per GiB of host memory"
@sub_off
unset label 1001
if (have_cpu) {
	call plotdir."/bars.gp" "cpu" "% of one CPU" "0" "Idle CPU per instance"
}
if (have_idle) {
	call plotdir."/bars.gp" "idle" "watts" "0" "Idle power per 100 instances"
}
unset multiplot
