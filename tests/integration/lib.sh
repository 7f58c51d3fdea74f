# Shared helpers for integration tests (sourced, not run).
ZW=${ZW_BIN:-build/zerowatt}
TMP=$(mktemp -d /tmp/zw-it-XXXXXX)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"; }

# Lab state that must not outlive a run: namespaces, state dirs, runc
# containers, lab links, processes of our workloads.
lab_leftovers() {
	ip netns list 2>/dev/null | grep -E '^zw-[0-9]+' || true
	ls /run/zerowatt 2>/dev/null | grep -E '^[0-9]+$' || true
	for root in /run/zerowatt/*/runc /run/zerowatt/*/crun; do
		[ -d "$root" ] && runc --root "$root" list -q 2>/dev/null
	done
	ip -o link 2>/dev/null | grep -oE 'zw[tv][0-9]+' || true
	# Leaked workloads are orphans: reparented to init.
	pgrep -P 1 -f "workloads/(httpd|sysbench)" || true
	pgrep -P 1 -f "runc init" || true
	ls /sys/fs/cgroup/cpu 2>/dev/null | grep -E '^zw-[0-9]+-' || true
}

assert_clean() {
	local left
	left=$(lab_leftovers)
	[ -z "$left" ] || fail "lab state left behind: $left"
}
