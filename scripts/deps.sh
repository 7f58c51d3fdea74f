#!/usr/bin/env bash
# Installs what the lab needs from Debian's archive, and nothing else.
# Idempotent and quick when everything is present: one dpkg-query call.
set -euo pipefail

PACKAGES=(
	gcc make pkg-config git iproute2 procps kmod
	qemu-system-x86 runc crun
	busybox-static cpio musl-tools
	libpfm4-dev libcmocka-dev libcjson-dev libinih-dev
	gnuplot-nox wrk nginx-light
	linux-perf hyperfine stress-ng strace python3 golang-go
	dpkg-dev xz-utils ca-certificates lz4
)

# dpkg-query is silent about packages it has never heard of, so compare
# against the list of those it reports installed.
installed=" $(dpkg-query -W -f='${Package}=${db:Status-Status} ' "${PACKAGES[@]}" 2>/dev/null || true) "
missing=()
for pkg in "${PACKAGES[@]}"; do
	[[ "$installed" == *" $pkg=installed "* ]] || missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	echo "zerowatt: missing Debian packages; as root run:" >&2
	echo "  apt-get update && $cmd" >&2
	exit 1
fi

echo "zerowatt: installing from Debian: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Package services (nginx) must not start on the host: the lab runs its own
# copies inside its namespace. policy-rc.d is honoured by invoke-rc.d.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod +x "$policy"
	made_policy=1
fi
trap '[ "$made_policy" = 1 ] && rm -f "$policy"' EXIT
if ! $cmd >/dev/null 2>&1; then
	apt-get update -qq
	$cmd -qq
fi
