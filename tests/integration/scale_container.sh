#!/usr/bin/env bash
# Scale to zero beside native on the container target (the waker drives
# runc through the target interface only), and density on both: the CSV
# has every figure with its method, containers cost more to wake than
# processes, and nothing is left behind.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.bash
need_root
$ZW doctor | grep -qE '^(runc|crun) +ok' || skip "no OCI runtime starts containers here (zerowatt doctor)"

BEFORE=$(lab_leftovers | sort)
assert_clean() {
	local left
	left=$(comm -13 <(echo "$BEFORE") <(lab_leftovers | sort))
	[ -z "$left" ] || fail "lab state left behind: $left"
}

$ZW scale native container --duration 6 --cycles 2 --warm-seconds 1 --warm-requests 10 --baseline 0.5 \
	--results "$TMP/res" >"$TMP/scale.txt" 2>&1 || { cat "$TMP/scale.txt"; fail "scale native container"; }
cat "$TMP/scale.txt"
csv=$(ls "$TMP"/res/*/samples.csv)
for t in native container; do
	for m in e_cold_j p_warm_w cold_ms boot_ms warm_ms cold_fraction trace_cold_ms; do
		grep -q "^scale,$t,$m," "$csv" || fail "$t: no $m"
	done
	grep -q "^scale,$t,errors,0," "$csv" || fail "$t: trace requests failed"
done
# A container's wake-up does strictly more (runtime, namespaces, veth) than
# a process's: its CPU per cold start must be larger. CPU time, not wall
# time, so a slow machine does not decide this.
med() { grep "^scale,$1,cold_cpu_s," "$csv" | cut -d, -f4 | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
awk -v n="$(med native)" -v c="$(med container)" 'BEGIN { exit !(c > n) }' ||
	fail "container cold start CPU $(med container) s not above native $(med native) s"
grep -q '"scale"' "$(dirname "$csv")/meta.json" || fail "no scale section in meta.json"
assert_clean

$ZW density native container --max 3 --seconds 1 --baseline 0.5 --results "$TMP/den" >"$TMP/den.txt" 2>&1 ||
	{ cat "$TMP/den.txt"; fail "density"; }
cat "$TMP/den.txt"
csv=$(ls "$TMP"/den/*/samples.csv)
for t in native container; do
	grep -q "^density,$t,instances,3," "$csv" || fail "$t: 3 instances expected"
	for m in pss_per_instance_kib instances_per_gib_pss idle_cpu_pct_per_instance idle_w_per_100 \
		mem_per_instance_mib; do
		grep -q "^density,$t,$m," "$csv" || fail "$t: no $m"
	done
done
assert_clean
echo "ok"
