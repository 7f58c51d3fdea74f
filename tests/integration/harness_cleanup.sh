#!/usr/bin/env bash
# A failure loses nothing and leaves nothing: 100 container boot/stop
# cycles, SIGINT in the middle of a run, SIGKILL followed by the next run.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.bash
need_root
$ZW doctor | grep -qE '^(runc|crun) +ok' || skip "no OCI runtime starts containers here (zerowatt doctor)"

# 100 cycles.
$ZW boot container -n 100 --warmup 0 --results "$TMP/cycles" >"$TMP/cycles.txt" 2>&1 || { tail -20 "$TMP/cycles.txt"; fail "100 cycles"; }
n=$(grep -c '^boot,container,ready_ms,' "$TMP"/cycles/*/samples.csv)
[ "$n" = 100 ] || fail "expected 100 samples, got $n"
assert_clean

# SIGINT in the middle: completed repetitions are kept, exit 130, clean.
$ZW boot native container -n 200 --warmup 0 --results "$TMP/int" >"$TMP/int.txt" 2>&1 &
pid=$!
for _ in $(seq 100); do
	sleep 0.1
	f=$(ls "$TMP"/int/*/samples.csv 2>/dev/null | head -1)
	[ -n "$f" ] && [ "$(grep -c '^boot,container' "$f")" -ge 8 ] && break
done
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" = 130 ] || { cat "$TMP/int.txt"; fail "SIGINT: exit $rc, expected 130"; }
kept=$(grep -c '^boot,' "$TMP"/int/*/samples.csv)
[ "$kept" -ge 8 ] || fail "SIGINT: only $kept samples kept"
grep -q '"interrupted"' "$TMP"/int/*/meta.json || fail "SIGINT: meta.json does not say interrupted"
assert_clean

# SIGKILL: state is left, the next run removes it.
$ZW boot container -n 200 --warmup 0 --results "$TMP/kill" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do
	sleep 0.1
	f=$(ls "$TMP"/kill/*/samples.csv 2>/dev/null | head -1)
	[ -n "$f" ] && [ "$(grep -c '^boot,container' "$f")" -ge 3 ] && break
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null
sleep 0.5
[ -n "$(lab_leftovers)" ] || echo "note: SIGKILL left nothing to clean this time"
$ZW cleanup || fail "cleanup verb"
assert_clean
echo "ok"
