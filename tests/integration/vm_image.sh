#!/usr/bin/env bash
# The Linux VM baseline's build products, without booting: the kernel came
# from Debian's package, the initramfs holds our init, the package's own
# modules in load order and the workload byte for byte; the build scripts
# fail clearly on bad input.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.bash

VM=build/vm
for f in "$VM/kernel.version" "$VM/vmlinux" "$VM/vmlinuz" "$VM/zwinit" "$VM/zwcpio"; do
	[ -f "$f" ] || fail "$f missing: make baselines should have built it"
done
command -v cpio >/dev/null || skip "cpio missing (make deps installs it)"

read -r release version <"$VM/kernel.version"
[[ "$release" == 6.*-cloud-amd64 ]] || fail "kernel.version names '$release', not a cloud kernel"
[ -n "$version" ] || fail "kernel.version lacks the package version"
# The ELF image is the one inside the bzImage: PVH entry note present.
[ "$(head -c4 "$VM/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || fail "vmlinux is not ELF"
if command -v readelf >/dev/null; then
	readelf -n "$VM/vmlinux" | grep -q 'Xen .*0x00000012' || fail "vmlinux has no PVH entry note"
fi
file "$VM/zwinit" 2>/dev/null | grep -q 'statically linked' ||
	[ -z "$(command -v file)" ] || fail "zwinit is not static"

for wl in httpd sysbench; do
	img=$VM/initramfs-$wl.cpio
	[ -f "$img" ] || fail "$img missing"
	mkdir -p "$TMP/$wl"
	(cd "$TMP/$wl" && cpio -id --quiet <"$OLDPWD/$img") || fail "$img does not unpack with cpio"
	cmp -s "$TMP/$wl/bin/$wl" "build/workloads/$wl" || fail "$img: /bin/$wl differs from build/workloads/$wl"
	cmp -s "$TMP/$wl/init" "$VM/zwinit" || fail "$img: /init is not zwinit"
	[ -x "$TMP/$wl/init" ] || fail "$img: /init not executable"
	listing=$(cpio -itv --quiet <"$img")
	grep -qE '^c.* 5, +1 .*dev/console$' <<<"$listing" || fail "$img: no /dev/console node"
	order=$(tr '\n' ' ' <"$TMP/$wl/lib/modules/load.order")
	want="/lib/modules/virtio_ring.ko /lib/modules/virtio.ko /lib/modules/virtio_mmio.ko /lib/modules/failover.ko /lib/modules/net_failover.ko /lib/modules/virtio_net.ko "
	[ "$order" = "$want" ] || fail "$img: load order '$order'"
	for m in $order; do
		src=$(find "$VM/modules" -name "${m##*/}" | head -1)
		cmp -s "$TMP/$wl$m" "$src" || fail "$img: $m is not the package's module"
	done
done

# Bad input: a kernel tree without virtio_net, a file that is no bzImage.
mkdir -p "$TMP/bad"
cp -a "$VM/modules" "$TMP/bad/modules"
rm "$TMP/bad/modules/kernel/drivers/net/virtio_net.ko"
out=$(baselines/mkinitramfs.sh "$TMP/bad" "$VM/zwinit" "$VM/zwcpio" build/workloads/httpd "$TMP/bad.cpio" 2>&1)
rc=$?
[ $rc = 1 ] || fail "mkinitramfs without virtio_net: rc=$rc"
grep -q 'virtio_net.ko missing' <<<"$out" || fail "mkinitramfs does not name the missing module: $out"
grep -q 'make baselines' <<<"$out" || fail "mkinitramfs gives no fix: $out"
[ ! -e "$TMP/bad.cpio" ] || fail "mkinitramfs left a partial image"
out=$(baselines/mkinitramfs.sh 2>&1)
[ $? = 2 ] || fail "mkinitramfs without arguments should exit 2"
out=$(baselines/extract-vmlinux.sh "$VM/zwinit" "$TMP/x" 2>&1)
[ $? = 1 ] && grep -q 'not a bzImage' <<<"$out" || fail "extract-vmlinux accepted a non-bzImage: $out"
[ ! -e "$TMP/x" ] || fail "extract-vmlinux left output behind"
head -c 4000000 "$VM/vmlinuz" >"$TMP/short"
out=$(baselines/extract-vmlinux.sh "$TMP/short" "$TMP/x" 2>&1)
[ $? = 1 ] || fail "extract-vmlinux accepted a truncated bzImage: $out"
[ ! -e "$TMP/x" ] && [ ! -e "$TMP/x.tmp" ] || fail "extract-vmlinux left output behind"
printf 'dir /x 0755\nbogus line\n' >"$TMP/spec"
out=$("$VM/zwcpio" "$TMP/spec" "$TMP/y.cpio" 2>&1)
[ $? = 2 ] && grep -q ':2: bogus line' <<<"$out" || fail "zwcpio on a bad spec: $out"
[ ! -e "$TMP/y.cpio" ] && [ ! -e "$TMP/y.cpio.tmp" ] || fail "zwcpio left a partial archive"
echo ok
