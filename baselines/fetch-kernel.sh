#!/usr/bin/env bash
# Fetches Debian's cloud kernel for the Linux VM baseline into OUT (default
# build/vm): the package linux-image-cloud-amd64 depends on, downloaded with
# apt-get download and unpacked with dpkg -x. Nothing is installed on the
# host. Leaves OUT/vmlinuz, OUT/modules/ (the package's module tree),
# OUT/kernel.version ("6.1.0-57-cloud-amd64 6.1.192-3") and OUT/kernel.package.
# Idempotent: does nothing when OUT/kernel.version exists.
set -euo pipefail

out=${1:-build/vm}
meta=linux-image-cloud-amd64

[ -s "$out/kernel.version" ] && [ -f "$out/vmlinuz" ] && exit 0
mkdir -p "$out"

# The versioned package, e.g. linux-image-6.1.0-57-cloud-amd64.
versioned() {
	{ apt-cache depends "$meta" 2>/dev/null || true; } |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' | head -n1
}

pkg=$(versioned)
if [ -z "$pkg" ]; then
	# Fresh machine: package lists missing or stale.
	if [ "$(id -u)" != 0 ]; then
		echo "fetch-kernel: apt knows no $meta; as root run: apt-get update" >&2
		exit 1
	fi
	echo "fetch-kernel: apt knows no $meta; running apt-get update" >&2
	apt-get update -qq
	pkg=$(versioned)
fi
if [ -z "$pkg" ]; then
	echo "fetch-kernel: $meta has no linux-image-*-cloud-amd64 dependency in apt's lists;" \
		"check /etc/apt/sources.list.d for Debian bookworm main" >&2
	exit 1
fi

work=$(mktemp -d "$out/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
# apt-get download writes into the current directory; as root it warns that
# the _apt user cannot write there, which is harmless. Stale lists name a
# version the archive no longer has: update, look the package up again, retry.
if ! (cd "$work" && apt-get download -qq "$pkg" 2>/dev/null); then
	echo "fetch-kernel: apt-get download $pkg failed; retrying after apt-get update" >&2
	apt-get update -qq
	pkg=$(versioned)
	[ -n "$pkg" ] || { echo "fetch-kernel: $meta vanished from apt's lists" >&2; exit 1; }
	(cd "$work" && apt-get download -qq "$pkg")
fi
deb=$(ls "$work"/*.deb)
dpkg -x "$deb" "$work/root"

release=${pkg#linux-image-}
version=$(dpkg-deb -f "$deb" Version)
[ -f "$work/root/boot/vmlinuz-$release" ] || {
	echo "fetch-kernel: $deb has no boot/vmlinuz-$release" >&2
	exit 1
}
rm -rf "$out/modules"
mv "$work/root/lib/modules/$release" "$out/modules"
mv "$work/root/boot/vmlinuz-$release" "$out/vmlinuz"
mv "$work/root/boot/config-$release" "$out/kernel.config"
echo "$pkg" >"$out/kernel.package"
# Written last: its presence means the fetch completed.
echo "$release $version" >"$out/kernel.version"
echo "fetch-kernel: $pkg $version in $out" >&2
