#!/usr/bin/env bash
# mkinitramfs.sh VMDIR ZWINIT ZWCPIO WORKLOAD OUT
# Builds the Linux VM baseline's initramfs for one workload: our static init
# (zwinit), the virtio-mmio and virtio-net modules from the kernel package
# fetch-kernel.sh unpacked into VMDIR/modules, and the workload binary copied
# byte for byte to /bin/<name>. Uncompressed: the cloud kernel's decompressor
# is slow under TCG and the image is small (see baselines/README.md).
set -euo pipefail

if [ $# -ne 5 ]; then
	echo "usage: mkinitramfs.sh VMDIR ZWINIT ZWCPIO WORKLOAD OUT" >&2
	exit 2
fi
vmdir=$1 zwinit=$2 zwcpio=$3 workload=$4 out=$5

# Load order: each module after the ones it depends on (modinfo -F depends):
# virtio needs virtio_ring; virtio_mmio both; net_failover needs failover;
# virtio_net needs virtio, virtio_ring and net_failover.
MODULES=(
	kernel/drivers/virtio/virtio_ring.ko
	kernel/drivers/virtio/virtio.ko
	kernel/drivers/virtio/virtio_mmio.ko
	kernel/net/core/failover.ko
	kernel/drivers/net/net_failover.ko
	kernel/drivers/net/virtio_net.ko
)

for f in "$zwinit" "$zwcpio" "$workload"; do
	[ -f "$f" ] || { echo "mkinitramfs: $f missing; run make baselines" >&2; exit 1; }
done
for m in "${MODULES[@]}"; do
	[ -f "$vmdir/modules/$m" ] || {
		echo "mkinitramfs: module $vmdir/modules/$m missing from the kernel package;" \
			"remove $vmdir/kernel.version and run make baselines" >&2
		exit 1
	}
done

work=$(mktemp -d "${out}.XXXXXX")
trap 'rm -rf "$work"' EXIT
name=${workload##*/}
: >"$work/load.order"
{
	echo "dir /dev 0755"
	echo "nod /dev/console 0600 c 5 1"
	echo "dir /proc 0555"
	echo "dir /sys 0555"
	echo "dir /bin 0755"
	echo "dir /lib 0755"
	echo "dir /lib/modules 0755"
	echo "file /init $zwinit 0755"
	for m in "${MODULES[@]}"; do
		echo "file /lib/modules/${m##*/} $vmdir/modules/$m 0644"
		echo "/lib/modules/${m##*/}" >>"$work/load.order"
	done
	echo "file /lib/modules/load.order $work/load.order 0644"
	echo "file /bin/$name $workload 0755"
} >"$work/spec"
"$zwcpio" "$work/spec" "$out"
