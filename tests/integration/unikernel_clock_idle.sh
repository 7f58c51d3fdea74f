#!/usr/bin/env bash
# Time and idleness of the unikernel under TCG: an app sleeps 10 s in one
# nanosleep while the host watches. Checks that MONOTONIC advances at the
# host's rate (reported in ppm; fails beyond 0.5%, far above the 0.1% the
# lab claims, so a loaded host's pipe latency cannot fail it), that the
# tickless kernel takes at most 2 timer interrupts for the whole sleep (a
# periodic tick would take hundreds), and that an NMI sent through QMP
# (the harness's debug request) prints a ZWSTATS line mid-sleep.
set -u
cd "$(dirname "$0")/../.."

KERNEL=build/unikernel/zwkernel
APP=build/unikernel/apps/sleeper
TMP=$(mktemp -d /tmp/zwtest-ukclock.XXXXXX)
QPID=
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; sed 's/^/  | /' "$TMP/out" 2>/dev/null | tail -20; exit 1; }

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 missing"
command -v python3 >/dev/null || skip "python3 missing (scripts/deps.sh installs it)"
[ -e "$KERNEL" ] && [ -e "$APP" ] || fail "kernel or sleeper app not built (make unikernel)"

qmp_nmi() {
	python3 - "$1" <<'PY'
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

# Every console line is timestamped on arrival ($EPOCHREALTIME: no fork).
exec 3< <(exec timeout 60 qemu-system-x86_64 -M microvm,x-option-roms=off,isa-serial=on,rtc=off,ioapic2=off \
	-accel tcg -m 32 -smp 1 -nodefaults -no-user-config -nographic -no-reboot \
	-serial stdio -kernel "$KERNEL" -initrd "$APP" \
	-append "zw.epoch_ns=$(date +%s%N) -- sleeper 10" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -qmp "unix:$TMP/qmp,server=on,wait=off" \
	</dev/null 2>&1)
QPID=$!
NMIPID=
: >"$TMP/out"
while IFS= read -r -u 3 line; do
	printf '%s %s\n' "$EPOCHREALTIME" "$line" >>"$TMP/out"
	if [ -z "$NMIPID" ] && [[ "$line" == "CLOCK start"* ]]; then
		(sleep 2 && qmp_nmi "$TMP/qmp") &
		NMIPID=$!
	fi
done
wait "$QPID"
rc=$?
QPID=
[ -n "$NMIPID" ] || fail "the app never printed CLOCK start"
wait "$NMIPID" || fail "could not send an NMI through QMP"
[ "$rc" = 124 ] && fail "sleeper did not finish within 60 s"
[ "$rc" = 1 ] || fail "QEMU exit status $rc, want 1 (guest status 0)"

start=$(grep ' CLOCK start ' "$TMP/out") || fail "no CLOCK start line"
end=$(grep ' CLOCK end ' "$TMP/out") || fail "no CLOCK end line"
nmi=$(grep ' ZWSTATS why=nmi ' "$TMP/out") || fail "no ZWSTATS line answered the NMI"
final=$(grep ' ZWSTATS why=exit ' "$TMP/out") || fail "no final ZWSTATS line"
field() { sed -E "s/.* $1=([0-9.]+).*/\1/" <<<"$2"; }

read -r ppm real_off_ms < <(awk -v he="${end%% *}" -v hs0="${start%% *}" -v gs="$(field mono_ns "$start")" \
	-v ge="$(field mono_ns "$end")" -v gr="$(field real_ns "$end")" 'BEGIN {
		host = he - hs0; guest = (ge - gs) / 1e9
		printf "%.0f %.1f\n", (guest - host) / host * 1e6, (he - gr / 1e9) * 1000 }')
echo "clock: MONOTONIC over the 10 s sleep differs from the host by ${ppm} ppm" \
	"(line-arrival jitter included); REALTIME trails the host by ${real_off_ms} ms (VMM start-up)"
abs=${ppm#-}
[ "$abs" -le 5000 ] || fail "guest clock rate off by ${ppm} ppm"

irqs=$(field timer_irqs "$final")
nmi_irqs=$(field timer_irqs "$nmi")
wakeups=$(field wakeups "$final")
echo "idle: timer_irqs=$irqs wakeups=$wakeups over a 10 s nanosleep (NMI mid-sleep: timer_irqs=$nmi_irqs)"
[ "$nmi_irqs" = 0 ] || fail "timer interrupts taken mid-sleep: $nmi_irqs (not tickless)"
[ "$irqs" -le 2 ] || fail "$irqs timer interrupts for one 10 s sleep (not tickless)"
echo "PASS: unikernel clock and idle"
