#!/usr/bin/env bash
# native and container: boot, GET / inside the lab namespace, results format,
# and nothing left behind.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.bash
need_root

$ZW try native --requests 5 || fail "native try"
$ZW try native --workload sysbench >"$TMP/sb.txt" || fail "native sysbench"
for op in getppid write read clock_gettime; do
	grep -q "^SYSBENCH op=$op ns=" "$TMP/sb.txt" || fail "sysbench line for $op missing"
done

if ! $ZW doctor | grep -qE '^(runc|crun) +ok'; then
	skip "no OCI runtime starts containers here (zerowatt doctor)"
fi
$ZW try container --requests 5 || fail "container try"

$ZW boot native container -n 3 --warmup 1 --results "$TMP/res" >"$TMP/out.txt" 2>&1 || { cat "$TMP/out.txt"; fail "boot"; }
cat "$TMP/out.txt"
run=$(ls -d "$TMP"/res/*/ | head -1)
[ -f "$run/meta.json" ] && [ -f "$run/samples.csv" ] || fail "run directory incomplete"
head -1 "$run/samples.csv" | grep -q '^experiment,target,metric,value,unit,repetition,method,source' || fail "CSV header"
for t in native container; do
	n=$(grep -c "^boot,$t,first_200_ms," "$run/samples.csv")
	[ "$n" = 3 ] || fail "$t: expected 3 first_200_ms samples, got $n"
done
grep -q '"accelerator"' "$run/meta.json" || fail "meta.json lacks the accelerator"
grep -q 'container .*x$' "$TMP/out.txt" || grep -qE 'container .*[0-9.]+x' "$TMP/out.txt" || fail "no ratio printed"
assert_clean
echo "ok"
