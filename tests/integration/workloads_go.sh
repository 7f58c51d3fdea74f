#!/usr/bin/env bash
# gohttpd, the httpd contract in Go: a static x86-64 executable; in a network
# namespace of our own (zwtest-go-<pid>, deleted on exit) it prints READY,
# serves the same 612 bytes as the C httpd (compared byte for byte with
# build/workloads/index.html and with a live httpd), HEAD/404/405, keeps
# connections alive (sequential and pipelined), closes when asked, survives
# a short wrk run, and exits 0 on SIGTERM and SIGINT, also with a client
# connected. Then the harness runs it through `zerowatt try` on native,
# container, vm and the unikernel in both rings (each where this host can run
# it). The Go build itself is part of `make build`; this test only runs the
# result. About 20 s.
set -u
cd "$(dirname "$0")/../.."

BIN=build/workloads
ZW=build/zerowatt
NS=zwtest-go-$$
PIDS=()

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

command -v go >/dev/null || skip "no go command: golang-go is not installed (scripts/deps.sh installs it)"
[ "$(id -u)" = 0 ] || skip "needs root to create a network namespace"
missing=()
for tool in ip python3 wrk file readelf; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] || skip "missing tools: ${missing[*]} (scripts/deps.sh installs them)"
for f in "$BIN/gohttpd" "$BIN/httpd" "$BIN/index.html" "$ZW"; do
	[ -e "$f" ] || fail "$f is not built (make build)"
done

TMP=$(mktemp -d /tmp/zwtest-go.XXXXXX)
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

# --- the binary: static x86-64 executable, no interpreter ------------------
f=$BIN/gohttpd
file -b "$f" | grep -q 'ELF 64-bit LSB executable, x86-64.*statically linked' ||
	fail "gohttpd: not a static x86-64 executable: $(file -b "$f")"
readelf -h "$f" | grep -q 'Type:.*EXEC' || fail "gohttpd: not ET_EXEC"
readelf -lW "$f" | grep -q INTERP && fail "gohttpd: has a program interpreter"
readelf -lW "$f" | grep -q DYNAMIC && fail "gohttpd: has a dynamic section"
echo "ok gohttpd is a static x86-64 ET_EXEC, no interpreter ($(stat -c %s "$f") bytes)"

# --- bad arguments: one line, usage, exit 2 ----------------------------------
expect_usage_error() {
	local out rc
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 2 ] || fail "'$*' exited $rc, want 2"
	head -1 <<<"$out" | grep -q "^gohttpd: " || fail "'$*' first line: $(head -1 <<<"$out")"
	grep -q '^usage:' <<<"$out" || fail "'$*' printed no usage"
}
expect_usage_error "$f" --port 70000
expect_usage_error "$f" --port
expect_usage_error "$f" --port x
expect_usage_error "$f" --bogus
echo "ok bad arguments: one-line error and usage, exit 2"

# --- in our namespace --------------------------------------------------------
ip netns add "$NS" || fail "ip netns add $NS"
ip -n "$NS" link set lo up || fail "bringing lo up in $NS"
nsexec() { ip netns exec "$NS" "$@"; }

HPID=
# start_server NAME COMMAND...: runs COMMAND in the namespace, waits for READY.
start_server() {
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

# stop_server NAME SIGNAL: the signal must make it exit 0 within 5 s.
stop_server() {
	local name=$1 sig=$2 pid=$HPID i rc
	kill -"$sig" "$pid"
	for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && fail "$name ignored SIG$sig for 5 s"
	wait "$pid"
	rc=$?
	[ "$rc" = 0 ] || fail "$name exited $rc on SIG$sig, want 0: $(cat "$TMP/$name.err")"
}

cat >"$TMP/check.py" <<'EOF'
# check.py PORT PAGE_FILE C_PORT: HTTP checks over raw sockets, so that what
# is checked is what went over the wire (one connection, pipelining, close).
import socket, sys

port, page_file, c_port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
page = open(page_file, "rb").read()

def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)

class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""
    def send(self, data):
        self.s.sendall(data)
    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError
        self.buf += d
    def response(self, head=False):
        try:
            while b"\r\n\r\n" not in self.buf:
                self.fill()
        except EOFError:
            fail("connection closed before a complete response")
        raw, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for l in lines[1:]:
            k, v = l.split(":", 1)
            headers[k.strip().lower()] = v.strip()
        n = 0 if head else int(headers.get("content-length", "0"))
        while len(self.buf) < n:
            self.fill()
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, headers, body
    def closed_by_peer(self):
        try:
            self.s.settimeout(5)
            return self.s.recv(1) == b""
        except (socket.timeout, ConnectionResetError):
            return False

GET = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"

c = Conn(c_port)
c.send(GET)
_, _, c_body = c.response()
if len(page) != 612 or c_body != page:
    fail("httpd's page and build/workloads/index.html differ (stale build?)")

c = Conn(port)
c.send(GET)
st, h, body = c.response()
if st != 200: fail("GET / status %d" % st)
if body != page: fail("GET / body (%d bytes) is not httpd's 612-byte page" % len(body))
if h.get("content-type") != "text/html": fail("Content-Type %r" % h.get("content-type"))
if h.get("content-length") != "612": fail("Content-Length %r" % h.get("content-length"))
if "date" not in h: fail("no Date header")
print("ok GET / : 200, text/html, the same 612 bytes as httpd")

# Keep-alive: everything below on the same connection.
c.send(b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n")
st, h, body = c.response(head=True)
if st != 200 or h.get("content-length") != "612": fail("HEAD /: %d %r" % (st, h))
c.send(b"GET /?x=1 HTTP/1.1\r\nHost: t\r\n\r\n")
st, _, body = c.response()   # a body after HEAD would show up here instead
if st != 200 or body != page: fail("GET /?x=1 after HEAD: %d, %d bytes" % (st, len(body)))
c.send(b"GET /nope HTTP/1.1\r\nHost: t\r\n\r\n")
st, _, _ = c.response()
if st != 404: fail("GET /nope: %d, want 404" % st)
c.send(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc")
st, h, _ = c.response()
if st != 405 or h.get("allow") != "GET, HEAD": fail("POST /: %d Allow %r" % (st, h.get("allow")))
c.send(GET + GET + b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n")
for i, head in enumerate((False, False, True)):
    st, _, body = c.response(head)
    if st != 200 or (not head and body != page): fail("pipelined request %d: %d" % (i + 1, st))
print("ok keep-alive: HEAD, query, 404, 405 (Allow: GET, HEAD), 3 pipelined, one connection")

c.send(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
st, _, body = c.response()
if st != 200 or body != page: fail("GET with Connection: close: %d" % st)
if not c.closed_by_peer(): fail("Connection: close did not close the connection")
c = Conn(port)
c.send(b"GET / HTTP/1.0\r\n\r\n")
st, _, body = c.response()
if st != 200 or body != page: fail("HTTP/1.0 GET: %d" % st)
if not c.closed_by_peer(): fail("HTTP/1.0 without keep-alive did not close")
print("ok Connection: close and HTTP/1.0 close the connection")
EOF

start_server httpd "$BIN/httpd" --port 8081
cpid=$HPID
start_server gohttpd "$BIN/gohttpd"
grep -qx 'READY 8080' "$TMP/gohttpd.out" || fail "default port: $(cat "$TMP/gohttpd.out")"
gpid=$HPID
nsexec python3 "$TMP/check.py" 8080 "$BIN/index.html" 8081 || fail "HTTP checks"

# Go as deployed: the runtime starts OS threads of its own (sysmon, GC
# workers, netpoller): the unikernel must schedule threads to run it.
threads=$(awk '/^Threads:/ { print $2 }' "/proc/$gpid/status")
[ "${threads:-0}" -gt 1 ] || fail "gohttpd runs $threads thread(s); Go's runtime should start several"
echo "ok the Go runtime runs $threads OS threads"

nsexec wrk -t1 -c50 -d1s http://127.0.0.1:8080/ >"$TMP/wrk.out" 2>&1 || fail "wrk: $(cat "$TMP/wrk.out")"
grep -q '^Requests/sec:' "$TMP/wrk.out" || fail "wrk printed no rate: $(cat "$TMP/wrk.out")"
grep -Eq 'Socket errors|Non-2xx' "$TMP/wrk.out" && fail "wrk saw errors: $(cat "$TMP/wrk.out")"
echo "ok wrk -t1 -c50 -d1s: no errors, $(grep '^Requests/sec:' "$TMP/wrk.out")"

# SIGTERM with an idle keep-alive client still connected: exit 0.
ip netns exec "$NS" python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", 8080), timeout=5)
s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
s.recv(65536)
print("held", flush=True)
time.sleep(20)' >"$TMP/hold.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q held "$TMP/hold.out" && break; sleep 0.1; done
grep -q held "$TMP/hold.out" || fail "the holding client got no answer: $(cat "$TMP/hold.out")"
HPID=$gpid
stop_server gohttpd TERM
echo "ok SIGTERM with a keep-alive client connected: exit 0"
HPID=$cpid
stop_server httpd TERM

start_server gohttpd-int "$BIN/gohttpd" --port 0
grep -Eq '^READY [1-9][0-9]*$' "$TMP/gohttpd-int.out" || fail "--port 0: $(cat "$TMP/gohttpd-int.out")"
stop_server gohttpd-int INT
echo "ok --port 0 picks a port ($(cat "$TMP/gohttpd-int.out")); SIGINT: exit 0"

# --- through the harness: the same binary on every target -------------------
for target in native container vm unikernel unikernel-ring3; do
	out=$("$ZW" try "$target" --workload gohttpd --requests 3 2>&1)
	rc=$?
	if [ "$rc" != 0 ] && grep -q "is not available here" <<<"$out"; then
		echo "note: $target not run here: $(grep -m1 'is not available here' <<<"$out")"
		continue
	fi
	[ "$rc" = 0 ] || fail "zerowatt try $target --workload gohttpd exited $rc: $out"
	grep -q "GET / → 200, 612 body bytes" <<<"$out" || fail "try $target: $out"
	echo "ok try $target --workload gohttpd: $(head -1 <<<"$out")"
done
exit 0
