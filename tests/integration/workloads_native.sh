#!/usr/bin/env bash
# The workloads as plain processes: static ELF checks, sysbench's output,
# and httpd inside a network namespace of our own (zwtest-<pid>, deleted on
# exit): GET /, keep-alive, pipelining, malformed input, 1000 concurrent
# connections, descriptor leaks, limits without spinning, a short wrk run,
# SIGTERM, and that only the unikernel's syscall subset is used.
set -u
cd "$(dirname "$0")/../.."

BIN=build/workloads
CHECK=tests/integration/workloads_http_check.py
NS=zwtest-$$
TMP=$(mktemp -d /tmp/zwtest-workloads.XXXXXX)
PIDS=()

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root to create a network namespace"
missing=()
for tool in ip python3 wrk file readelf strace ps; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] || skip "missing tools: ${missing[*]} (scripts/deps.sh installs them)"
for b in httpd sysbench; do
	[ -x "$BIN/$b" ] || fail "$BIN/$b is not built (make workloads)"
done

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the binaries: static x86-64 executables, no interpreter -------------
for b in httpd sysbench; do
	f=$BIN/$b
	file -b "$f" | grep -q 'ELF 64-bit LSB executable, x86-64.*statically linked' ||
		fail "$b: not a static x86-64 executable: $(file -b "$f")"
	readelf -h "$f" | grep -q 'Type:.*EXEC' || fail "$b: not ET_EXEC"
	readelf -h "$f" | grep -q 'Machine:.*X86-64' || fail "$b: not x86-64"
	readelf -lW "$f" | grep -q INTERP && fail "$b: has a program interpreter"
	readelf -lW "$f" | grep -q DYNAMIC && fail "$b: has a dynamic section"
done
echo "ok httpd and sysbench are static x86-64 ET_EXEC, no interpreter"

# --- bad arguments: one line, usage, exit 2 --------------------------------
expect_usage_error() {
	local out rc
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 2 ] || fail "'$*' exited $rc, want 2"
	head -1 <<<"$out" | grep -q "^${1##*/}: " || fail "'$*' first line: $(head -1 <<<"$out")"
	grep -q '^usage:' <<<"$out" || fail "'$*' printed no usage"
}
expect_usage_error "$BIN/httpd" --port 70000
expect_usage_error "$BIN/httpd" --port
expect_usage_error "$BIN/httpd" --max-conns 0
expect_usage_error "$BIN/httpd" --bogus
expect_usage_error "$BIN/sysbench" --op nope
expect_usage_error "$BIN/sysbench" --min-ms x
echo "ok bad arguments: one-line error and usage, exit 2"

# --- sysbench ----------------------------------------------------------------
"$BIN/sysbench" --min-ms 5 >"$TMP/sysbench.out" 2>"$TMP/sysbench.err" ||
	fail "sysbench exited $?: $(cat "$TMP/sysbench.out" "$TMP/sysbench.err")"
for op in getppid write read clock_gettime; do
	line=$(grep "^SYSBENCH op=$op " "$TMP/sysbench.out") || fail "sysbench printed no $op line"
	grep -Eq "^SYSBENCH op=$op ns=[0-9]+\.[0-9]+ iters=[1-9][0-9]* reps=11 min_ns=[-0-9.]+ max_ns=[0-9.]+ overhead_ns=[0-9.]+ " <<<"$line" ||
		fail "sysbench $op line malformed: $line"
	ns=${line#*ns=}
	ns=${ns%% *}
	awk -v v="$ns" 'BEGIN { exit !(v > 0) }' || fail "sysbench $op: ns=$ns is not positive"
done
grep -q 'op=clock_gettime .*vdso=\(present\|absent\)' "$TMP/sysbench.out" || fail "clock_gettime line lacks vdso="
[ "$(tail -1 "$TMP/sysbench.out")" = "SYSBENCH done" ] || fail "sysbench did not end with 'SYSBENCH done'"
[ "$(wc -l <"$TMP/sysbench.out")" = 5 ] || fail "sysbench printed other lines: $(cat "$TMP/sysbench.out")"
echo "ok sysbench: four ops and done"
sed 's/^/   /' "$TMP/sysbench.out"

# --- httpd in our namespace --------------------------------------------------
ip netns add "$NS" || fail "ip netns add $NS"
ip -n "$NS" link set lo up || fail "bringing lo up in $NS"

HPID=
# start_httpd NAME COMMAND...: runs COMMAND in the namespace, waits for READY.
start_httpd() {
	local name=$1 i
	shift
	ip netns exec "$NS" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	HPID=$!
	PIDS+=("$HPID")
	for i in $(seq 100); do
		grep -Eq '^READY [0-9]+$' "$TMP/$name.out" && return 0
		kill -0 "$HPID" 2>/dev/null || fail "$name exited before READY: $(cat "$TMP/$name.err")"
		sleep 0.1
	done
	fail "$name printed no READY line in 10 s"
}

# stop_httpd NAME PID [CHILD]: SIGTERM (to CHILD when the server runs
# under strace, which then exits with its status) must make it exit 0.
stop_httpd() {
	local name=$1 pid=$2 target=${3:-$2} i rc
	kill -TERM "$target"
	for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && fail "$name ignored SIGTERM for 5 s"
	wait "$pid"
	rc=$?
	[ "$rc" = 0 ] || fail "$name exited $rc on SIGTERM, want 0"
}

nsexec() { ip netns exec "$NS" "$@"; }
fd_count() { ls "/proc/$1/fd" | wc -l; }

start_httpd httpd "$BIN/httpd"
grep -qx 'READY 8080' "$TMP/httpd.out" || fail "default port: $(cat "$TMP/httpd.out")"
pid=$HPID
base=$(fd_count "$pid")
nsexec python3 "$CHECK" basic 8080 || fail "HTTP checks"
nsexec python3 "$CHECK" concurrent 8080 "$pid" 1000 "$base"
rc=$?
[ "$rc" = 77 ] && skip "the 1000-connection check could not run (see above)"
[ "$rc" = 0 ] || fail "1000 concurrent connections"

nsexec wrk -t1 -c50 -d2s http://127.0.0.1:8080/ >"$TMP/wrk.out" 2>&1 || fail "wrk: $(cat "$TMP/wrk.out")"
grep -q '^Requests/sec:' "$TMP/wrk.out" || fail "wrk printed no rate: $(cat "$TMP/wrk.out")"
grep -Eq 'Socket errors|Non-2xx' "$TMP/wrk.out" && fail "wrk saw errors: $(cat "$TMP/wrk.out")"
echo "ok wrk -t1 -c50 -d2s: no errors, $(grep '^Requests/sec:' "$TMP/wrk.out")"
for i in $(seq 100); do [ "$(fd_count "$pid")" = "$base" ] && break; sleep 0.1; done
[ "$(fd_count "$pid")" = "$base" ] || fail "after wrk httpd holds $(fd_count "$pid") descriptors, $base before"
echo "ok no descriptor leaked ($base before and after)"
stop_httpd httpd "$pid"
echo "ok SIGTERM: exit 0"

# Limits: --max-conns, then a descriptor table too small (EMFILE). Neither
# may spin, and the waiting connections are served once others close.
start_httpd httpd-max "$BIN/httpd" --port 8081 --max-conns 50
nsexec python3 "$CHECK" limited 8081 "$HPID" 80 conns:50 || fail "--max-conns 50"
stop_httpd httpd-max "$HPID"
start_httpd httpd-emfile bash -c "ulimit -n 64 && exec $BIN/httpd --port 8082"
nsexec python3 "$CHECK" limited 8082 "$HPID" 100 fd:64 || fail "descriptor limit 64"
stop_httpd httpd-emfile "$HPID"

# --- syscalls: only the unikernel's subset ---------------------------------
# execve is strace starting the program; rt_sigreturn follows a delivered
# signal, which the unikernel never delivers.
allowed=" read write writev open close socket bind listen accept4 setsockopt
 getsockname shutdown epoll_create1 epoll_ctl epoll_wait epoll_pwait poll
 clock_gettime nanosleep getpid getppid exit exit_group rt_sigaction
 rt_sigprocmask uname getrandom brk mmap munmap mprotect arch_prctl
 set_tid_address ioctl execve rt_sigreturn "
allowed=$(tr '\n' ' ' <<<"$allowed")
syscalls_of() {
	awk '{ sub(/\(.*/, "", $2); if ($2 ~ /^[a-z_0-9]+$/) print $2 }' "$1" | sort -u
}
check_subset() {
	local who=$1 file=$2 s bad=()
	for s in $(syscalls_of "$file"); do
		[[ "$allowed" == *" $s "* ]] || bad+=("$s")
	done
	[ ${#bad[@]} -eq 0 ] || fail "$who called syscalls outside the unikernel's subset: ${bad[*]}"
	echo "ok $who syscalls: $(syscalls_of "$file" | tr '\n' ' ')"
}
start_httpd httpd-strace strace -f -qq -o "$TMP/httpd.strace" "$BIN/httpd" --port 8083
spid=$HPID
hpid=$(ps -o pid= --ppid "$spid" | tr -d ' ')
[ -n "$hpid" ] || fail "no httpd under strace"
nsexec python3 "$CHECK" basic 8083 >/dev/null || fail "HTTP checks under strace"
nsexec python3 "$CHECK" concurrent 8083 "$hpid" 300 "$(fd_count "$hpid")" >/dev/null ||
	fail "300 connections under strace"
nsexec wrk -t1 -c20 -d1s http://127.0.0.1:8083/ >/dev/null 2>&1 || fail "wrk under strace"
stop_httpd httpd-strace "$spid" "$hpid"
check_subset httpd "$TMP/httpd.strace"
strace -f -qq -o "$TMP/sysbench.strace" "$BIN/sysbench" --min-ms 1 >/dev/null || fail "sysbench under strace"
check_subset sysbench "$TMP/sysbench.strace"
exit 0
