#!/usr/bin/env bash
# The unikernel's network stack under QEMU TCG: build/workloads/httpd in the
# unikernel with 16 MiB of RAM, a virtio-net-device on a tap inside a
# network namespace this test creates (and deletes on exit). Checks:
#   GET / is 200 with the 612-byte page; two requests on one kept-alive
#   connection; 1000 connections open at once, each answered; idle after a
#   server-side close (TIME_WAIT): no timer interrupts over 5 s;
#   3000 garbage Ethernet frames (random bytes, runts, oversized frames,
#   frames to our MAC and IP with broken headers, random TCP segments to the
#   server's port): the
#   server still answers; a 3-second wrk run completes without errors.
# Then two short boots: a 4-entry transmit ring (the full-ring path: the
# transmit interrupt and the retry of refused segments) under wrk, and the
# modern virtio-mmio transport (version 2). Last, `zerowatt boot unikernel`
# (the harness's own QEMU command line and lab namespace) must succeed.
# Prints (does not assert) wrk's requests/s and the frame counters.
set -u
cd "$(dirname "$0")/../.."

KERNEL=build/unikernel/zwkernel
HTTPD=build/workloads/httpd
NS=zw-$$
TAP=zwt0
GUEST=10.201.3.2
HOSTIP=10.201.3.1
PORT=8080
TMP=$(mktemp -d /tmp/zwtest-uknet.XXXXXX)
QPID=

cleanup() {
	if [ -n "$QPID" ]; then
		kill "$QPID" 2>/dev/null
		wait "$QPID" 2>/dev/null
	fi
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
skip() { echo "SKIP: $*"; exit 77; }
fail() {
	echo "FAIL: $*"
	sed 's/^/  | /' "$TMP/console" 2>/dev/null | tail -25
	exit 1
}

[ "$(id -u)" = 0 ] || skip "needs root (network namespace and tap)"
for tool in qemu-system-x86_64 python3 wrk ip; do
	command -v "$tool" >/dev/null || skip "$tool missing (scripts/deps.sh installs it)"
done
for f in "$KERNEL" "$HTTPD"; do
	[ -e "$f" ] || fail "$f is not built (make build)"
done
ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"
nsexec() { ip netns exec "$NS" "$@"; }
nsexec ip link set lo up
nsexec ip tuntap add dev "$TAP" mode tap || skip "cannot create a tap device"
# No IPv6 chatter (router solicitations, MLD) on the lab link: the idle
# check counts every wakeup.
nsexec sysctl -qw "net.ipv6.conf.$TAP.disable_ipv6=1" 2>/dev/null
# Jumbo frames from the host side, so oversized frames reach the device.
nsexec ip link set "$TAP" mtu 9000
nsexec ip addr add "$HOSTIP/24" dev "$TAP"
nsexec ip link set "$TAP" up

cat >"$TMP/check.py" <<'PY'
import json, os, random, resource, socket, struct, sys, time

GUEST, PORT = sys.argv[2], int(sys.argv[3])
TIMEOUT = 20.0

def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)

def read_response(s):
    """One HTTP response: (status, headers dict, body)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            fail("connection closed before the response headers")
        buf += chunk
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    n = int(hdrs.get("content-length", "0"))
    while len(body) < n:
        chunk = s.recv(4096)
        if not chunk:
            fail("connection closed in the body")
        body += chunk
    return status, hdrs, body

def connect():
    s = socket.create_connection((GUEST, PORT), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def get(s, path="/"):
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, GUEST)).encode())
    return read_response(s)

def cmd_get():
    s = connect()
    status, hdrs, body = get(s)
    s.close()
    if status != 200 or len(body) != 612:
        fail("GET / gave %d with %d bytes, want 200 with 612" % (status, len(body)))
    print("GET / -> 200, 612 bytes")

def cmd_close():
    """Connection: close: the server closes first and keeps TIME_WAIT."""
    s = connect()
    s.sendall(("GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % GUEST).encode())
    status, hdrs, body = read_response(s)
    if status != 200 or len(body) != 612:
        fail("GET / with Connection: close gave %d with %d bytes" % (status, len(body)))
    if s.recv(1) != b"":
        fail("the server did not close after Connection: close")
    s.close()
    print("Connection: close -> 200, closed by the server")

def cmd_keepalive():
    s = connect()
    port = s.getsockname()[1]
    for i in range(2):
        status, hdrs, body = get(s)
        if status != 200 or len(body) != 612:
            fail("request %d on the kept-alive connection: %d, %d bytes" % (i + 1, status, len(body)))
        if hdrs.get("connection", "").lower() == "close":
            fail("the server closed a kept-alive connection")
    if s.getsockname()[1] != port:
        fail("the connection changed")
    s.close()
    print("keep-alive: two requests on one connection")

def cmd_conns(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, n + 64)), hard))
    socks = []
    for i in range(n):
        socks.append(connect())
    for s in socks:
        s.sendall(("GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % GUEST).encode())
    for i, s in enumerate(socks):
        status, _, body = read_response(s)
        if status != 200 or len(body) != 612:
            fail("connection %d of %d: %d, %d bytes" % (i, n, status, len(body)))
    for s in socks:
        s.close()
    print("%d concurrent connections: all answered 200" % n)

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff

def cmd_frames(tap, guest_mac, count):
    rnd = random.Random(20261203)
    mac = bytes.fromhex(guest_mac.replace(":", ""))
    me = bytes.fromhex(open("/sys/class/net/%s/address" % tap).read().strip().replace(":", ""))
    src_ip = socket.inet_aton(sys.argv[2].rsplit(".", 1)[0] + ".1")
    dst_ip = socket.inet_aton(GUEST)
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    raw.bind((tap, 0))
    sent = 0
    kinds = {}
    for i in range(count):
        kind = i % 7
        if kind == 6:    # oversized: the tap's MTU is raised for these
            f = mac + me + b"\x08\x00" + bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1501, 8000)))
        elif kind == 0:  # random bytes, random length
            f = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(14, 1514)))
        elif kind == 1:  # runts
            f = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 20)))
        elif kind == 2:  # to our MAC, IPv4, garbage header
            f = mac + me + b"\x08\x00" + bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 200)))
        elif kind == 3:  # valid IPv4 header, random protocol and payload
            payload = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 400)))
            ihl = 5
            tot = rnd.choice([20 + len(payload), rnd.randint(0, 65535)])
            hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot & 0xffff, i, 0, 64,
                              rnd.choice([1, 6, 17, rnd.randint(0, 255)]), 0, src_ip, dst_ip)
            hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
            f = mac + me + b"\x08\x00" + hdr + payload
        elif kind == 4:  # TCP segments to the server port with random flags
            sport = rnd.randint(1024, 65535)
            tcp = struct.pack("!HHIIBBHHH", sport, int(sys.argv[3]), rnd.getrandbits(32),
                              rnd.getrandbits(32), rnd.choice([0x50, rnd.getrandbits(8)]),
                              rnd.getrandbits(8), rnd.getrandbits(16), 0, 0)
            tcp += bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 100)))
            pseudo = src_ip + dst_ip + struct.pack("!BBH", 0, 6, len(tcp))
            if rnd.random() < 0.5:
                tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
            hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i, 0, 64, 6, 0, src_ip, dst_ip)
            hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
            f = mac + me + b"\x08\x00" + hdr + tcp
        else:            # ARP with random contents, broadcast
            f = b"\xff" * 6 + me + b"\x08\x06" + bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 60)))
        try:
            raw.send(f)
            sent += 1
            kinds[kind] = kinds.get(kind, 0) + 1
        except OSError:
            pass  # the kernel refuses some runts: fine
        if i % 200 == 199:
            time.sleep(0.01)
    print("garbage frames sent: %d of %d" % (sent, count))

cmd = sys.argv[1]
if cmd == "get":
    cmd_get()
elif cmd == "keepalive":
    cmd_keepalive()
elif cmd == "close":
    cmd_close()
elif cmd == "conns":
    cmd_conns(int(sys.argv[4]))
elif cmd == "frames":
    cmd_frames(sys.argv[4], sys.argv[5], int(sys.argv[6]))
else:
    fail("unknown command " + cmd)
PY

check() { nsexec python3 "$TMP/check.py" "$1" "$GUEST" "$PORT" "${@:2}"; }

qmp_nmi() {
	python3 - "$TMP/qmp" <<'PY'
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX)
for _ in range(100):
    try:
        s.connect(sys.argv[1]); break
    except OSError:
        time.sleep(0.05)
f = s.makefile("rw")
f.readline()
for cmd in ("qmp_capabilities", "inject-nmi"):
    f.write(json.dumps({"execute": cmd}) + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            break
    if "error" in r:
        sys.exit("QMP %s: %s" % (cmd, r["error"]))
PY
}

# stats N: the Nth ZWSTATS line after asking for one more.
stats() {
	local want=$1 line=
	qmp_nmi || fail "could not send an NMI through QMP"
	for _ in $(seq 1 100); do
		line=$(grep '^ZWSTATS why=nmi' "$TMP/console" | sed -n "${want}p")
		[ -n "$line" ] && break
		sleep 0.1
	done
	[ -n "$line" ] || fail "no ZWSTATS line answered NMI $want"
	echo "$line"
}
field() { sed -E "s/.* $1=([0-9]+).*/\1/" <<<"$2"; }

# boot EXTRA_APPEND [EXTRA_QEMU_ARGS...]: httpd in the unikernel, 16 MiB.
boot() {
	local extra=$1
	shift
	: >"$TMP/console"
	rm -f "$TMP/qmp"
	# Not through nsexec(): a function would run in a subshell and $!
	# would not be QEMU (ip netns exec execs it in place).
	ip netns exec "$NS" qemu-system-x86_64 -M microvm,x-option-roms=off,isa-serial=on,rtc=off,ioapic2=off \
		-accel tcg -m 16 -smp 1 -nodefaults -no-user-config -nographic -no-reboot \
		-serial stdio -kernel "$KERNEL" -initrd "$HTTPD" "$@" \
		-append "zw.epoch_ns=$(date +%s%N) zw.ip=$GUEST/24 zw.gw=$HOSTIP $extra -- httpd --port $PORT" \
		-netdev "tap,id=n0,ifname=$TAP,script=no,downscript=no" -device virtio-net-device,netdev=n0 \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -qmp "unix:$TMP/qmp,server=on,wait=off" \
		</dev/null >"$TMP/console" 2>&1 &
	QPID=$!
	for _ in $(seq 1 600); do
		grep -q "^READY $PORT" "$TMP/console" && break
		kill -0 "$QPID" 2>/dev/null || fail "QEMU exited before httpd was ready"
		sleep 0.1
	done
	grep -q "^READY $PORT" "$TMP/console" || fail "httpd not ready within 60 s"
}

stop() {
	kill "$QPID" 2>/dev/null
	wait "$QPID" 2>/dev/null
	QPID=
	grep -q 'ZW: FAULT\|lwIP assertion' "$TMP/console" && fail "the kernel reported a fault"
}

# wrk_ok SECONDS: a wrk run without socket errors or non-2xx answers.
wrk_ok() {
	nsexec wrk -t1 -c50 -d"$1"s "http://$GUEST:$PORT/" >"$TMP/wrk" 2>&1 || fail "wrk failed: $(cat "$TMP/wrk")"
	grep -qE 'Socket errors|Non-2xx' "$TMP/wrk" && fail "wrk saw errors: $(grep -E 'Socket errors|Non-2xx' "$TMP/wrk")"
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$TMP/wrk")
	[ -n "$rps" ] || fail "no wrk result: $(cat "$TMP/wrk")"
}

boot ""
grep -E '^net: ' "$TMP/console" | sed 's/^/  /'
MAC=$(sed -nE 's/^net: virtio-net .* mac ([0-9a-f:]{17}) .*/\1/p' "$TMP/console")
[ -n "$MAC" ] || fail "no virtio-net line with the guest's MAC on the console"

check get || fail "GET /"
check keepalive || fail "keep-alive"
check conns 1000 || fail "1000 concurrent connections"

# Idle: the last connection closed by the server, which therefore holds it
# in TIME_WAIT for 60 s: one deadline, not a 4 Hz tick. ARP ageing pauses
# a second after the last frame. Then nothing may fire.
check close || fail "Connection: close"
sleep 3
s1=$(stats 1)
sleep 5
s2=$(stats 2)
timer=$(( $(field timer_irqs "$s2") - $(field timer_irqs "$s1") ))
wakeups=$(( $(field wakeups "$s2") - $(field wakeups "$s1") ))
echo "idle 5 s: $timer timer interrupts, $wakeups wakeups"
[ "$timer" -le 1 ] || fail "idle network stack: $timer timer interrupts in 5 s (want none)"

dropped0=$(field rx_dropped "$s2")
check frames "$TAP" "$MAC" 3000 || fail "could not inject frames"
check get || fail "GET / after the garbage frames"
kill -0 "$QPID" 2>/dev/null || fail "QEMU died after the garbage frames"

wrk_ok 3
check get || fail "GET / after wrk"

s3=$(stats 3)
echo "wrk -t1 -c50 -d3s: $rps requests/s (TCG, 16 MiB)"
dropped=$(( $(field rx_dropped "$s3") - dropped0 ))
echo "frames: rx $(field rx_frames "$s3"), tx $(field tx_frames "$s3"), rx_dropped $(field rx_dropped "$s3") ($dropped during the garbage)"
# Most garbage cannot be for us: seen and discarded, not silently lost.
[ "$dropped" -ge 1000 ] || fail "only $dropped of the garbage frames were counted as dropped"
stop

# A 4-entry transmit ring (two frames) is full most of the time: sends are
# refused, the stack waits for the transmit interrupt and retries.
boot "zw.net_txq=4"
grep -q 'tx ring 4 ' "$TMP/console" || fail "zw.net_txq=4 was not applied"
wrk_ok 2
check get || fail "GET / with a 4-entry transmit ring"
echo "4-entry transmit ring: wrk without errors ($rps requests/s)"
stop

# The modern (version 2) virtio-mmio transport.
boot "" -global virtio-mmio.force-legacy=false
grep -q 'mmio slot [0-9]*/[0-9]* v2 ' "$TMP/console" || fail "the device did not come up as virtio-mmio version 2"
check keepalive || fail "keep-alive over the modern transport"
stop

# The same kernel through the lab's own path: launch to first HTTP 200.
"${ZW_BIN:-build/zerowatt}" boot unikernel -n 2 --warmup 0 --baseline 0 \
	--results "$TMP/results" >"$TMP/boot" 2>&1 || fail "zerowatt boot unikernel: $(tail -5 "$TMP/boot")"
line=$(grep -E '^first_200_ms +unikernel' "$TMP/boot") || fail "zerowatt boot printed no first_200_ms: $(tail -5 "$TMP/boot")"
echo "zerowatt boot unikernel: first HTTP 200 after $(awk '{ print $4 }' <<<"$line") ms (median of 2)"
exit 0
