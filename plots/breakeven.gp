# Scale to zero per target: energy of one cold start above baseline (E_cold),
# power of an idle warm instance above baseline (P_warm) and the break-even
# idle gap t* = E_cold / P_warm (log scale).
np = have_ecold + have_pwarm + (have_tstar || have_tmin)
set multiplot layout 1, np title title font ",14"
@sub_on
set tmargin top_margin
set bmargin 6
set label 1001 whiskers at screen 0.01, screen 0.02 left font ",9" textcolor rgb "#444444"
if (have_ecold) {
	call plotdir."/bars.gp" "ecold" "joules above baseline" "0" "E_cold: one cold start"
	@sub_off
	unset label 1001
}
if (have_pwarm) {
	call plotdir."/bars.gp" "pwarm" "watts above baseline" "0" "P_warm: idle warm instance"
	@sub_off
	unset label 1001
}
if (have_tstar || have_tmin) {
	if (have_tmin) {
		# Where the warm instance used no measurable CPU, t* is unavailable and
		# only a lower bound exists: a triangle, no bar.
		call plotdir."/bars.gp" "tstar" "seconds (log scale)" "1" "t* = E_cold / P_warm" "tmin" "t* ≥ this (no measurable warm CPU)"
	} else {
		call plotdir."/bars.gp" "tstar" "seconds (log scale)" "1" "t* = E_cold / P_warm"
	}
}
unset multiplot
