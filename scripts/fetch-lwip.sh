#!/usr/bin/env bash
# Fetches lwIP's source from Debian's archive into build/lwip (nothing of lwIP
# is committed). Uses a private deb-src configuration under build/ so the
# host's apt sources are never touched. Idempotent: does nothing once
# build/lwip/src/core/tcp.c exists.
#   usage: scripts/fetch-lwip.sh [BUILD_DIR]
set -euo pipefail

build=${1:-build}
dest="$build/lwip"
want_version=2.1.3
[ -f "$dest/src/core/tcp.c" ] && exit 0

for tool in apt-get dpkg-source; do
	if ! command -v "$tool" >/dev/null; then
		echo "fetch-lwip: $tool is missing (apt-get install dpkg-dev)" >&2
		exit 1
	fi
done

apt_root=$(realpath -m "$build/apt")
mkdir -p "$apt_root/sources" "$apt_root/lists/partial" \
	"$apt_root/cache/archives/partial" "$apt_root/src"

# The archive's address and key come from the host's own configuration so a
# mirror set there is honoured; Debian's defaults otherwise.
uris=http://deb.debian.org/debian
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
host_sources=/etc/apt/sources.list.d/debian.sources
if [ -r "$host_sources" ]; then
	u=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' "$host_sources")
	k=$(awk '/^Signed-By:/ { print $2; exit }' "$host_sources")
	[ -n "$u" ] && uris=$u
	[ -n "$k" ] && keyring=$k
fi
cat >"$apt_root/sources/lwip-src.sources" <<SRC
Types: deb-src
URIs: $uris
Suites: bookworm
Components: main
Signed-By: $keyring
SRC

apt_opts=(
	-o Dir::Etc::SourceList=/dev/null
	-o Dir::Etc::SourceParts="$apt_root/sources"
	-o Dir::State::Lists="$apt_root/lists"
	-o Dir::Cache="$apt_root/cache"
	-o Dir::Cache::pkgcache=""
	-o Dir::Cache::srcpkgcache=""
	-o Debug::NoLocking=1
	-o APT::Sandbox::User=root
)

if ! ls "$apt_root"/src/lwip_*.dsc >/dev/null 2>&1; then
	echo "fetch-lwip: fetching Debian's lwip source package" >&2
	if ! apt-get -qq "${apt_opts[@]}" update >&2 ||
	   ! (cd "$apt_root/src" && apt-get -qq "${apt_opts[@]}" source --download-only lwip >&2); then
		echo "fetch-lwip: could not download Debian's lwip source package from $uris (the build needs Debian's archive once)" >&2
		exit 1
	fi
fi

dsc=$(ls "$apt_root"/src/lwip_*.dsc | head -n1)
rm -rf "$apt_root/unpacked"
dpkg-source --no-check -x "$dsc" "$apt_root/unpacked" >/dev/null
version=$(awk '/^Version:/ { print $2; exit }' "$dsc")
case $version in
"$want_version"*) ;;
*) echo "fetch-lwip: Debian ships lwip $version, the unikernel expects $want_version" >&2 ;;
esac
rm -rf "$dest"
mv "$apt_root/unpacked" "$dest"
echo "fetch-lwip: lwip $version in $dest" >&2
