#!/usr/bin/env bash
# zerowatt report on a real (short) run of the native target: the boot
# table, the boot figure and the power timeline drawn by gnuplot, the
# doctor asked on this same host, and nothing of the lab left behind.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.bash
need_root
command -v gnuplot >/dev/null || skip "gnuplot not installed (apt-get install gnuplot-nox)"

# Other runs on a shared machine may leave state of their own: only what
# appears during this test counts against it.
before=$(lab_leftovers | sort)
$ZW boot native -n 3 --warmup 0 --baseline 1 --results "$TMP/res" >"$TMP/boot.txt" 2>&1 || { cat "$TMP/boot.txt"; fail "boot native"; }
run=$(ls -d "$TMP"/res/*/ | head -1)
run=${run%/}
$ZW report "$run" >"$TMP/report.txt" 2>&1 || { cat "$TMP/report.txt"; fail "report exited non-zero (gnuplot failed?)"; }
R="$run/report.md"
[ -s "$R" ] || fail "no report.md in $run"
grep -qE '^\| first_200_ms \| native \| 3 \| [0-9.]+ \|' "$R" || fail "no first_200_ms row for native"
grep -qF "$(hostname)" "$R" || fail "host not named"
grep -q "zerowatt doctor\` run on the same host" "$R" || grep -q "as recorded by run" "$R" || fail "no doctor's verdicts"
for f in boot timeline; do
	[ -s "$run/figures/$f.png" ] && [ -s "$run/figures/$f.svg" ] || fail "figure $f not drawn"
done
grep -qF "](figures/boot.png)" "$R" || fail "report.md does not show the boot figure"
new=$(comm -13 <(echo "$before") <(lab_leftovers | sort) | grep -v '^$' || true)
[ -z "$new" ] || fail "lab state left behind: $new"
echo "ok"
