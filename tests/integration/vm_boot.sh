#!/usr/bin/env bash
# The vm target under QEMU (TCG here): httpd answers GET / with the 612-byte
# page inside the lab namespace, sysbench runs and its exit status reaches
# the harness, the VM powers off when the workload exits, and each kind of
# failure (workload exits early, missing module, kernel panic, no READY in
# time) gives a clear error with the console and leaves nothing running.
# About ten guest boots: 30-60 s under TCG.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.bash
need_root
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 missing (make deps installs it)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun for the guest's tap"
why=$($ZW try vm --timeout 0.1 2>&1 | grep 'is not available here')
[ -z "$why" ] || fail "vm target unavailable after make build: $why"

MEM=(--mem 96)
vm_qemus() { pgrep -f 'qemu-system-x86_64 .*vm/vmlinux' || true; }
# Other engineers' runs share this machine: only what appears while this
# test runs counts against it.
before=$(lab_leftovers | sort)
no_vm_left() {
	local left new
	left=$(vm_qemus)
	[ -z "$left" ] || fail "QEMU left running after $1: $left"
	new=$(comm -13 <(echo "$before") <(lab_leftovers | sort))
	[ -z "$new" ] || fail "lab state left behind after $1: $new"
}

# 1. httpd: READY, then GET / (200, 612 bytes) three times, from the lab netns.
$ZW try vm "${MEM[@]}" --requests 3 >"$TMP/httpd.txt" 2>&1 || { cat "$TMP/httpd.txt"; fail "try vm"; }
grep -q 'GET / → 200, 612 body bytes' "$TMP/httpd.txt" || { cat "$TMP/httpd.txt"; fail "no 200 with 612 bytes"; }
grep -q '3 requests served' "$TMP/httpd.txt" || fail "keep serving"
no_vm_left "httpd"

# 2. sysbench: one line per operation, the VM powers off by itself and the
# exit status arrives through isa-debug-exit.
$ZW try vm "${MEM[@]}" --workload sysbench -- --min-ms 5 >"$TMP/sb.txt" 2>&1 || { cat "$TMP/sb.txt"; fail "sysbench in the vm"; }
for op in getppid write read clock_gettime; do
	grep -qE "^SYSBENCH op=$op ns=[0-9.]+ " "$TMP/sb.txt" || { cat "$TMP/sb.txt"; fail "no $op line"; }
done
grep -q 'vm: sysbench exited with status 0' "$TMP/sb.txt" || fail "exit status 0 not reported"
grep -q 'zwinit: sysbench exited with status 0' "$TMP/sb.txt" || fail "zwinit did not see the exit"
getppid=$(sed -n 's/^SYSBENCH op=getppid ns=\([0-9.]*\) .*/\1/p' "$TMP/sb.txt")
echo "getppid in the vm: $getppid ns"
no_vm_left "sysbench"

# 3. A non-zero status reaches the harness unchanged.
$ZW try vm "${MEM[@]}" --workload sysbench -- --bogus >"$TMP/sb2.txt" 2>&1 && fail "bad sysbench args passed"
grep -q 'vm: sysbench exited with status 2' "$TMP/sb2.txt" || { cat "$TMP/sb2.txt"; fail "status 2 not reported"; }
no_vm_left "sysbench --bogus"

# 4. httpd exits before READY: the error names it and shows the console.
$ZW try vm "${MEM[@]}" -- --bogus >"$TMP/early.txt" 2>&1 && fail "httpd --bogus passed"
grep -q 'exited before READY' "$TMP/early.txt" || { cat "$TMP/early.txt"; fail "early exit not reported"; }
grep -q "\[vm\] | httpd: unknown argument '--bogus'" "$TMP/early.txt" || fail "console lines not shown"
grep -q 'zwinit: httpd exited with status 2' "$TMP/early.txt" || fail "status not on the console"
no_vm_left "early exit"

# 5. A kernel module missing from the initramfs: zwinit says which, the
# harness gives the fix. A private build dir keeps the real one untouched.
B=$TMP/build
mkdir -p "$B/vm/lib/modules" "$B/workloads"
for f in vmlinux vmlinuz zwinit kernel.version; do ln -s "$PWD/build/vm/$f" "$B/vm/$f"; done
ln -s "$PWD/build/workloads/httpd" "$B/workloads/httpd"
printf '/lib/modules/virtio_ring.ko\n/lib/modules/virtio_gone.ko\n' >"$B/vm/load.order"
cat >"$B/vm/spec" <<SPEC
dir /dev 0755
nod /dev/console 0600 c 5 1
dir /proc 0555
dir /sys 0555
dir /bin 0755
dir /lib 0755
dir /lib/modules 0755
file /init $PWD/build/vm/zwinit 0755
file /lib/modules/virtio_ring.ko $(find build/vm/modules -name virtio_ring.ko) 0644
file /lib/modules/load.order $B/vm/load.order 0644
file /bin/httpd $PWD/build/workloads/httpd 0755
SPEC
build/vm/zwcpio "$B/vm/spec" "$B/vm/initramfs-httpd.cpio" || fail "zwcpio"
ZW_BUILD=$B $ZW try vm "${MEM[@]}" >"$TMP/mod.txt" 2>&1 && fail "boot without virtio_net passed"
grep -q 'guest init failed .*status 125.*virtio_gone.ko.*make baselines' "$TMP/mod.txt" ||
	{ cat "$TMP/mod.txt"; fail "missing module not reported with the fix"; }
no_vm_left "missing module"

# 6. A kernel panic (no init to run): QEMU exits at once, the panic is named.
ZW_VM_APPEND=rdinit=/nonexistent $ZW try vm "${MEM[@]}" >"$TMP/panic.txt" 2>&1 && fail "panic passed"
grep -q 'vm: the guest kernel panicked: .*Kernel panic' "$TMP/panic.txt" || { cat "$TMP/panic.txt"; fail "panic not reported"; }
no_vm_left "panic"

# 7. No READY within the timeout: reported, QEMU stopped, tap gone.
$ZW try vm "${MEM[@]}" --timeout 0.3 >"$TMP/slow.txt" 2>&1 && fail "0.3 s timeout passed"
grep -q 'timed out before READY' "$TMP/slow.txt" || { cat "$TMP/slow.txt"; fail "timeout not reported"; }
no_vm_left "timeout"

# 8. The boot experiment, and what meta.json records about the vm.
$ZW boot vm "${MEM[@]}" -n 2 --warmup 0 --results "$TMP/res" >"$TMP/boot.txt" 2>&1 || { cat "$TMP/boot.txt"; fail "boot vm"; }
run=$(ls -d "$TMP"/res/*/ | head -1)
n=$(grep -c '^boot,vm,first_200_ms,' "$run/samples.csv")
[ "$n" = 2 ] || fail "expected 2 first_200_ms samples for vm, got $n"
python3 - "$run/meta.json" <<'PY' || fail "meta.json lacks vm facts"
import json, sys
vm = json.load(open(sys.argv[1]))["targets"]["vm"]
assert vm["kernel"].endswith("-cloud-amd64"), vm
assert vm["accelerator"] in ("kvm", "tcg"), vm
assert vm["image_bytes"] == vm["kernel_bytes"] + vm["initramfs_bytes"], vm
assert vm["mem_mib"] == 96, vm
assert " -- httpd --port " in vm["kernel_cmdline"], vm
PY
grep -E '^(ready_ms|first_200_ms|rss_kib) +vm ' "$TMP/boot.txt"
no_vm_left "boot"
echo ok
