#!/usr/bin/env bash
# The unikernel under QEMU TCG with small static test apps and sysbench:
# exit status through isa-debug-exit, argv/env, an unknown syscall, a NULL
# dereference ending in a register dump, threads and demand paging (and
# running out of it), a
# missing or non-ELF app, ring 3, 16 MiB of RAM, sysbench's lines in both rings, and the boot time from
# launch to the app's first output line (printed, not asserted).
set -u
cd "$(dirname "$0")/../.."

KERNEL=build/unikernel/zwkernel
APPS=build/unikernel/apps
TMP=$(mktemp -d /tmp/zwtest-uk.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -n "${LAST:-}" ] && sed 's/^/  | /' "$LAST" | tail -25; exit 1; }

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 missing (scripts/deps.sh installs it)"
for f in "$KERNEL" "$APPS/hello" "$APPS/fault" "$APPS/abi" "$APPS/threads" "$APPS/hog"; do
	[ -e "$f" ] || fail "$f is not built (make unikernel)"
done

# run_uk NAME MEM_MIB APP|- APPEND: boots, leaves the console in $TMP/NAME.out
# and the guest's status in $STATUS (QEMU exits (status << 1) | 1).
run_uk() {
	local name=$1 mem=$2 app=$3 append=$4
	local initrd=()
	[ "$app" != - ] && initrd=(-initrd "$app")
	LAST=$TMP/$name.out
	local start=$EPOCHREALTIME
	timeout 120 qemu-system-x86_64 -M microvm,x-option-roms=off,isa-serial=on,rtc=off,ioapic2=off \
		-accel tcg -m "$mem" -smp 1 -nodefaults -no-user-config -nographic -no-reboot \
		-serial stdio -kernel "$KERNEL" "${initrd[@]}" -append "$append" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null |
		while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done >"$LAST"
	local rc=${PIPESTATUS[0]}
	[ "$rc" = 124 ] && fail "$name: QEMU did not exit within 120 s"
	STATUS=-1
	(( rc & 1 )) && STATUS=$(( rc >> 1 ))
	FIRST_MS=$(awk -v s="$start" '$2 !~ /^(ZW|net):/ { printf "%.1f", ($1 - s) * 1000; exit }' "$LAST")
	sed -i 's/^[0-9.]* //' "$LAST"
}

expect_line() {
	grep -qE "$2" "$LAST" || fail "$1: no line matching /$2/"
}

# both_rings APP MEM_MIB PATTERN...: APP in ring 0, then ring 3; each run
# must exit 0 and print a line matching every pattern.
both_rings() {
	local app=$1 mem=$2 ring pat
	shift 2
	for ring in 0 1; do
		run_uk "$app$ring" "$mem" "$APPS/$app" "zw.ring3=$ring -- $app"
		[ "$STATUS" = 0 ] || fail "$app (ring3=$ring): guest status $STATUS: $(grep "^$app:" "$LAST" | tr '\n' ' ')"
		for pat in "$@"; do
			expect_line "$app" "$pat"
		done
	done
}

# 1. hello: arguments, environment, device files, malloc/mmap, sleep, ENOSYS.
run_uk hello 64 "$APPS/hello" "zw.epoch_ns=$(date +%s%N) zw.verbose GREETING=hi -- hello one two"
[ "$STATUS" = 7 ] || fail "hello: guest status $STATUS, want 7"
expect_line hello '^hello from the app: argc=3 argv\[0\]=hello argv\[1\]=one argv\[2\]=two$'
expect_line hello '^env GREETING=hi$'
expect_line hello '^ZW: unimplemented syscall 1000$'
expect_line hello '^uname Linux .* pid 1 ppid 0; slept [0-9]+ us'
expect_line hello '^hello done$'
expect_line hello '^ZWSTATS why=exit uptime_ns=[0-9]+ timer_irqs=[0-9]+ .*syscalls=[0-9]+'
expect_line hello 'ZW: exit status 7'
echo "hello: status 7; launch to first app line ${FIRST_MS} ms (TCG, 64 MiB)"
grep -E '^ZW: zerowatt up' "$LAST" | sed 's/^/  /'

# 2. The same in ring 3 with 16 MiB of RAM.
run_uk hello3 16 "$APPS/hello" "zw.ring3=1 zw.verbose -- hello"
[ "$STATUS" = 7 ] || fail "hello in ring 3 / 16 MiB: guest status $STATUS, want 7"
expect_line hello3 'starting hello in ring 3'
expect_line hello3 '^hello done$'
echo "hello: ring 3 with 16 MiB ok; launch to first app line ${FIRST_MS} ms"

# 3. The syscall ABI: preserved registers, the red zone, flags, SSE; ring 0
# returns without SYSRET, ring 3 with it.
both_rings abi 32 '^abi: registers, red zone, flags: ok$' '^abi: SSE registers: ok$'
echo "abi: registers, red zone, RFLAGS and SSE survive syscalls (ring 0 and 3)"

# 4. A static-pie build loads at an address of the kernel's choosing.
if [ -e "$APPS/pie" ]; then
	run_uk pie 32 "$APPS/pie" "-- pie"
	[ "$STATUS" = 7 ] || fail "static-pie hello: guest status $STATUS, want 7"
	expect_line pie '^hello done$'
	echo "static-pie: relocated and ran"
else
	echo "static-pie: not built (musl's rcrt1.o not found); skipped that part"
fi

# 5. Threads and demand paging (what Go's runtime needs): pthreads over
# clone/futex, detached threads that unmap their own stack, a blocked pipe reader, concurrent sleeps, a 256 MiB
# reservation in a 32 MiB guest, MADV_DONTNEED; both rings.
both_rings threads 32 '^threads: 4 threads x 10000 locked increments = 40000, tids 2 3 4 5, pid 1$' \
	'^threads: 3 detached threads ran and exited on their own$' '^threads: all ok$'
grep '^threads:' "$LAST" | sed 's/^/  /'
echo "threads: pthreads, futexes, pipes, sleeps and demand-paged memory (ring 0 and 3)"

# Touching more demand-paged memory than the guest has ends the VM with the
# out-of-memory status and a line saying so.
run_uk hog 16 "$APPS/hog" "-- hog"
[ "$STATUS" = 123 ] || fail "hog: guest status $STATUS, want 123 (out of memory)"
expect_line hog '^ZW: out of memory: no free page'
echo "out of memory: status 123 after $(grep -c '^hog:' "$LAST") progress lines in 16 MiB"

# 6. A NULL write: register dump, status 125, in both rings.
for ring in 0 1; do
	run_uk fault$ring 32 "$APPS/fault" "zw.ring3=$ring -- fault"
	[ "$STATUS" = 125 ] || fail "fault (ring3=$ring): guest status $STATUS, want 125"
	expect_line fault '^about to fault$'
	expect_line fault '^ZW: FAULT #PF page fault \(vector 14\) error=0x[0-9a-f]+ in app'
	expect_line fault 'cr2=0000000000000000'
	expect_line fault '^ZW:  rax=[0-9a-f]{16} rbx='
	grep -q '^still running' "$LAST" && fail "fault: the app continued after the fault"
done
echo "fault: NULL write dumped registers, status 125 (ring 0 and 3)"

# 7. No app, and an app that is not an ELF: a clear message and status 124.
run_uk noapp 32 - ""
[ "$STATUS" = 124 ] || fail "no initrd: guest status $STATUS, want 124"
expect_line noapp 'ZW: no app: pass its static ELF with -initrd'
printf 'echo not an elf\n' >"$TMP/notelf"
run_uk notelf 32 "$TMP/notelf" ""
[ "$STATUS" = 124 ] || fail "non-ELF initrd: guest status $STATUS, want 124"
expect_line notelf 'ZW: cannot run the app: not an ELF file'
echo "bad input: missing and non-ELF apps refused with status 124"

# 8. sysbench, the lab's own binary, in both rings.
if [ -x build/workloads/sysbench ]; then
	for ring in 0 3; do
		r3=0; [ "$ring" = 3 ] && r3=1
		run_uk sysbench$ring 64 build/workloads/sysbench "zw.ring3=$r3 -- sysbench --min-ms 5"
		[ "$STATUS" = 0 ] || fail "sysbench ring $ring: guest status $STATUS, want 0"
		for op in getppid write read clock_gettime; do
			expect_line sysbench "^SYSBENCH op=$op ns=[0-9.]+ "
		done
		expect_line sysbench '^SYSBENCH done$'
		echo "sysbench ring $ring: $(grep -oE 'op=getppid ns=[0-9.]+' "$LAST") (TCG)"
	done
else
	echo "sysbench: not built (make workloads); skipped that part"
fi
echo "PASS: unikernel boot"
