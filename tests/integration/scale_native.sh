#!/usr/bin/env bash
# Scale to zero against the native target: the waker verb (cold start then
# warm requests, keep-alive expiry stops the instance, a crash answers 502
# and the next request restarts it, immediate policy, overload 503, a
# never-ready target 504 with the waker staying up, no descriptor leak),
# then the scale experiment end to end, bad trace input, and simulate.
# Nothing may be left running.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.bash
need_root
command -v python3 >/dev/null || skip "python3 missing (scripts/deps.sh installs it)"

# The machine may be shared: what other runs left before we started is
# theirs; anything new is ours.
BEFORE=$(lab_leftovers | sort)
assert_clean() {
	local left
	left=$(comm -13 <(echo "$BEFORE") <(lab_leftovers | sort))
	[ -z "$left" ] || fail "lab state left behind: $left"
}

# A tiny HTTP client run inside the lab namespace.
cat >"$TMP/client.py" <<'EOF'
import socket, sys, time
REQ = b"GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n"
def conn(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    return s
def read_all(s):
    d = b""
    while True:
        b = s.recv(65536)
        if not b:
            return d
        d += b
def status(d):
    return d.split(b"\r\n", 1)[0].decode(errors="replace")
def body_len(d):
    return len(d.split(b"\r\n\r\n", 1)[1]) if b"\r\n\r\n" in d else -1
port = int(sys.argv[2])
cmd = sys.argv[1]
if cmd == "get":                      # get PORT N: N requests, one line each
    for _ in range(int(sys.argv[3])):
        s = conn(port); s.sendall(REQ); d = read_all(s); s.close()
        print(status(d), body_len(d))
elif cmd == "partial":                # partial PORT SECONDS: half a request; an answer
    s = conn(port); s.sendall(b"GET / HTTP/1.1\r\n")   # within SECONDS, else finish it
    s.settimeout(float(sys.argv[3]))
    try:
        d = read_all(s)
    except socket.timeout:
        s.settimeout(20)
        s.sendall(b"Host: lab\r\nConnection: close\r\n\r\n")
        d = read_all(s)
    print(status(d))
elif cmd == "overload":               # two held connections, then a third
    a = conn(port); a.sendall(b"GET / HTTP/1.1\r\n")
    time.sleep(0.5)
    b = conn(port); b.sendall(b"GET / HTTP/1.1\r\n")
    time.sleep(0.5)
    c = conn(port); c.sendall(REQ)
    print("third", status(read_all(c)))
    for x in (a, b):
        x.sendall(b"Host: lab\r\nConnection: close\r\n\r\n")
        print("held", status(read_all(x)))
EOF

WAKER_PID=
start_waker() { # LOG ARGS...: starts the waker, sets NS
	local log=$1; shift
	$ZW waker native --seconds 120 "$@" >"$log" 2>&1 &
	WAKER_PID=$!
	for _ in $(seq 100); do
		grep -q "listening on" "$log" && break
		kill -0 "$WAKER_PID" 2>/dev/null || { cat "$log"; fail "waker did not start"; }
		sleep 0.1
	done
	NS=$(grep -o 'network namespace zw-[0-9]*' "$log" | awk '{print $3}')
	[ -n "$NS" ] || { cat "$log"; fail "no lab namespace in the waker's output"; }
}
stop_waker() { # LOG
	kill -TERM "$WAKER_PID"
	wait "$WAKER_PID" || { cat "$1"; fail "waker exited with $?"; }
	WAKER_PID=
}
trap '[ -n "$WAKER_PID" ] && kill -TERM $WAKER_PID 2>/dev/null; wait; rm -rf "$TMP"' EXIT
client() { ip netns exec "$NS" python3 "$TMP/client.py" "$@"; }
count() { grep -c -- "$1" "$2" || true; }
wait_for() { # PATTERN LOG COUNT: waits up to 10 s for COUNT lines
	for _ in $(seq 100); do
		[ "$(count "$1" "$2")" -ge "$3" ] && return 0
		sleep 0.1
	done
	cat "$2"; fail "waited in vain for $3 x '$1'"
}

# --- A: keep-alive, cold then warm, expiry, crash -> 502, restart ---
A=$TMP/a.log
start_waker "$A" --policy keep-alive:3
[ "$(count 'off -> booting' "$A")" = 0 ] || fail "an instance started before any request (scale to zero)"
out=$(client get 9000 4) || fail "client"
[ "$(echo "$out" | grep -c '^HTTP/1.1 200 OK 612$')" = 4 ] || { echo "$out"; fail "4 x 200 with 612 bytes expected"; }
[ "$(count 'off -> booting' "$A")" = 1 ] || { cat "$A"; fail "one cold start expected for 4 sequential requests"; }
pid1=$(grep -o 'native started, pid [0-9]*' "$A" | tail -1 | awk '{print $4}')
wait_for 'stopping -> off' "$A" 1
kill -0 "$pid1" 2>/dev/null && fail "keep-alive expired but the instance (pid $pid1) still runs"
# Crash: a request half sent wakes a fresh instance; we kill it meanwhile.
client partial 9000 10 >"$TMP/partial.txt" &
cpid=$!
wait_for 'native started' "$A" 2
pid2=$(grep -o 'native started, pid [0-9]*' "$A" | tail -1 | awk '{print $4}')
kill -KILL "$pid2"
wait $cpid
grep -q '^HTTP/1.1 502' "$TMP/partial.txt" || { cat "$TMP/partial.txt" "$A"; fail "a crash must answer 502"; }
out=$(client get 9000 1)
echo "$out" | grep -q '^HTTP/1.1 200 OK 612$' || { echo "$out"; cat "$A"; fail "no restart after the crash"; }
stop_waker "$A"
grep -q 'crashes 1,' "$A" || { cat "$A"; fail "the crash was not counted"; }
grep -q 'descriptors held by open connections at exit: 0' "$A" || { cat "$A"; fail "descriptors leaked"; }
assert_clean

# --- B: immediate policy and overload (2 relayed at most -> 503), read/write relay ---
B=$TMP/b.log
start_waker "$B" --policy immediate --max-conns 2 --queue 2 --copy   # read/write relay, the fallback
out=$(client get 9000 2)
[ "$(echo "$out" | grep -c '^HTTP/1.1 200 OK 612$')" = 2 ] || { echo "$out"; fail "immediate: 200 expected"; }
wait_for 'stopping -> off' "$B" 2
[ "$(count 'off -> booting' "$B")" = 2 ] || { cat "$B"; fail "immediate: every sequential request is a cold start"; }
fds_idle=$(ls /proc/"$WAKER_PID"/fd | wc -l)
out=$(client overload 9000)
echo "$out" | grep -q '^third HTTP/1.1 503' || { echo "$out"; cat "$B"; fail "overload must answer 503"; }
[ "$(echo "$out" | grep -c '^held HTTP/1.1 200')" = 2 ] || { echo "$out"; fail "held connections must still be served"; }
wait_for 'stopping -> off' "$B" 3
for _ in $(seq 50); do
	[ "$(ls /proc/"$WAKER_PID"/fd | wc -l)" = "$fds_idle" ] && break
	sleep 0.1
done
[ "$(ls /proc/"$WAKER_PID"/fd | wc -l)" = "$fds_idle" ] || fail "descriptors leaked after overload"
stop_waker "$B"
grep -q '503 1,' "$B" || { cat "$B"; fail "the 503 was not counted"; }
assert_clean

# --- C: a target that never becomes ready in time -> 504, waker stays up ---
C=$TMP/c.log
start_waker "$C" --policy keep-alive:5 --ready-timeout 0.000001
out=$(client get 9000 2)
[ "$(echo "$out" | grep -c '^HTTP/1.1 504')" = 2 ] || { echo "$out"; cat "$C"; fail "504 expected twice"; }
kill -0 "$WAKER_PID" || fail "the waker died after a readiness timeout"
stop_waker "$C"
grep -q 'timeouts 2,' "$C" || { cat "$C"; fail "timeouts not counted"; }
assert_clean

# --- the scale experiment, end to end (short) ---
$ZW scale native --duration 4 --cycles 2 --warm-seconds 1 --warm-requests 10 --baseline 0.5 \
	--results "$TMP/res" >"$TMP/scale.txt" 2>&1 || { cat "$TMP/scale.txt"; fail "scale native"; }
cat "$TMP/scale.txt"
run=$(ls -d "$TMP"/res/*/ | head -1)
csv=$run/samples.csv
for m in e_cold_j e_cold_host_j p_warm_w cold_ms boot_ms warm_ms e_req_j p50_ms p99_ms cold_fraction \
	trace_cold_ms energy_booting_j energy_idle_warm_j time_off_s; do
	grep -q "^scale,native,$m," "$csv" || fail "no $m in samples.csv"
done
grep -q '^scale,native,t_star_s,' "$csv" || fail "no t_star_s (value or unavailable)"
# Energy is labelled by method; on a host without sensors it must say estimated.
meth=$(grep "^scale,native,e_cold_j," "$csv" | head -1 | cut -d, -f7)
[ "$meth" = estimated ] || [ "$meth" = measured ] || fail "e_cold_j method '$meth'"
grep -q '"seed"' "$run/meta.json" && grep -q '"trace"' "$run/meta.json" || fail "trace and seed not in meta.json"
# The default trace has two bursts: its first request of each is cold, the rest warm.
cold=$(grep "^scale,native,cold_starts," "$csv" | cut -d, -f4)
awk -v c="$cold" 'BEGIN { exit !(c >= 1) }' || fail "no cold start in the trace"
grep -q "^scale,native,trace_warm_ms," "$csv" || fail "no warm request in the trace"
grep -q "^scale,native,errors,0," "$csv" || fail "trace requests failed"
# Every request, one row: scheduled, send, first byte, end, status, cold or warm.
req=$run/requests-scale-native-0.csv
head -1 "$req" | grep -q '^request,sched_s,send_s,first_byte_s,end_s,latency_ms,status,error,cold,' ||
	fail "no per-request CSV"
n_sched=$(grep -oE '"requests_scheduled":[[:space:]]*[0-9]+' "$run/meta.json" | grep -oE '[0-9]+$')
[ "$(($(wc -l <"$req") - 1))" = "$n_sched" ] || fail "per-request CSV rows != scheduled requests ($n_sched)"
grep -q '^[0-9.-]*,off,booting$' "$run/states-scale-native-0.csv" || fail "no timestamped state changes"
# Each boot was woken by a request; more may have waited for the same boot.
[ "$(grep -c ',cold,' "$req")" -ge "$cold" ] || fail "fewer cold requests than cold starts"
assert_clean

# --- bad input: a trace file with a bad line, a bad policy ---
printf '0.1\n0.2\nnonsense\n' >"$TMP/bad.csv"
$ZW scale native --trace "csv:$TMP/bad.csv" >"$TMP/bad.txt" 2>&1
rc=$?
[ $rc = 2 ] || fail "bad trace file: exit $rc, expected 2"
grep -q "bad.csv:3:" "$TMP/bad.txt" || { cat "$TMP/bad.txt"; fail "error must name file and line"; }
$ZW scale native --policy sometimes >/dev/null 2>&1
[ $? = 2 ] || fail "bad policy must exit 2"
assert_clean

# --- simulate from the run just made (small population) ---
$ZW simulate --from "$run" --functions 300 --hours 2 --policy always-on,knative,immediate \
	--results "$TMP/sim" >"$TMP/sim.txt" 2>&1 || { cat "$TMP/sim.txt"; fail "simulate"; }
cat "$TMP/sim.txt"
grep -q "^native .*immediate .*100.000" "$TMP/sim.txt" || fail "immediate must be 100% cold"
grep -q "arrivals simulated event by event in" "$TMP/sim.txt" || fail "no simulation time printed"
$ZW simulate --functions 10 >/dev/null 2>&1
[ $? = 2 ] || fail "simulate without parameters must exit 2"
echo "ok"
