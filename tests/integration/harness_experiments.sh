#!/usr/bin/env bash
# syscall, load (closed and open loop) and idle on native and container, in
# one short run each: the CSV has the metrics, energy is labelled with its
# method and source, nothing is left behind.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.bash
need_root
targets="native"
$ZW doctor | grep -qE '^(runc|crun) +ok' && targets="native container"

csv() { ls "$TMP"/$1/*/samples.csv; }

$ZW syscall $targets -n 1 --results "$TMP/sys" >"$TMP/sys.txt" 2>&1 || { cat "$TMP/sys.txt"; fail "syscall"; }
for t in $targets; do
	for op in getppid write read clock_gettime; do
		grep -qE "^syscall,$t,${op}_ns,[0-9.]+,ns," "$(csv sys)" || fail "syscall: no ${op}_ns for $t"
	done
done

$ZW load $targets -n 1 --warmup 0 --seconds 2 --baseline 1 --results "$TMP/load" >"$TMP/load.txt" 2>&1 || { cat "$TMP/load.txt"; fail "load"; }
f=$(csv load)
for t in $targets; do
	rps=$(awk -F, -v t=$t '$1=="load" && $2==t && $3=="requests_per_s" {print $4}' "$f")
	awk -v r="$rps" 'BEGIN { exit !(r > 0) }' || fail "load: $t requests_per_s '$rps'"
	errs=$(awk -F, -v t=$t '$1=="load" && $2==t && $3=="errors" {print $4}' "$f")
	[ "$errs" = 0 ] || fail "load: $t had $errs errors"
	line=$(grep "^load,$t,energy_per_request_j," "$f") || fail "load: no energy_per_request_j for $t"
	method=$(echo "$line" | cut -d, -f7)
	source=$(echo "$line" | cut -d, -f8)
	case "$method" in
	measured) [ "${source%%:*}" != model ] || fail "measured energy from a model source";;
	estimated) [ -n "$source" ] || fail "estimated energy without its model";;
	unavailable) echo "$line" | cut -d, -f4 | grep -qx '' || fail "unavailable energy with a value";;
	*) fail "energy method '$method'";;
	esac
done
grep -q '^load,host,baseline_power_w,' "$f" || fail "load: no idle baseline recorded"
grep -qE '^load,host,power_w,[0-9.e+-]+,W,.*,load:native,' "$f" || fail "load: power series not labelled by phase"
grep -q '"energy"' "$TMP"/load/*/meta.json || fail "meta.json lacks the energy report"

$ZW load native -n 1 --warmup 0 --seconds 2 --rate 500 --baseline 0 --results "$TMP/open" >"$TMP/open.txt" 2>&1 || { cat "$TMP/open.txt"; fail "open-loop load"; }
ok=$(awk -F, '$3=="requests_per_s" {print $4}' "$(csv open)")
awk -v r="$ok" 'BEGIN { exit !(r > 400 && r < 600) }' || fail "open loop at 500/s served $ok/s"
grep -q '^load,native,offered_rate,500,' "$(csv open)" || fail "open loop: offered rate not recorded"

$ZW idle $targets -n 1 --seconds 2 --baseline 0 --results "$TMP/idle" >"$TMP/idle.txt" 2>&1 || { cat "$TMP/idle.txt"; fail "idle"; }
for t in $targets; do
	grep -q "^idle,$t,wakeups_per_s," "$(csv idle)" || fail "idle: no wakeups for $t"
	grep -q "^idle,$t,rss_kib," "$(csv idle)" || fail "idle: no rss for $t"
done

# Bad input: one line, exit 2.
$ZW load native --seconds nope >/dev/null 2>"$TMP/err"; rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] || fail "bad --seconds: rc=$rc, $(cat "$TMP/err")"
$ZW boot nosuchtarget >/dev/null 2>&1; [ $? = 2 ] || fail "unknown target must exit 2"
$ZW nosuchverb >/dev/null 2>&1; [ $? = 2 ] || fail "unknown verb must exit 2"
assert_clean
echo ok
