# Shared helpers for integration tests (sourced, not run).
ZW=${ZW_BIN:-build/zerowatt}
TMP=$(mktemp -d /tmp/zw-it-XXXXXX)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"; }

# A zw-<pid> object is stale only when its owner is gone: other zerowatt
# runs may be alive on a shared machine.
dead_owner() { ! kill -0 "$1" 2>/dev/null; }

# Lab state that must not outlive a run: namespaces, state dirs, runc
# containers, lab links, processes of our workloads.
lab_leftovers() {
	local ns pid root
	for ns in $(ip netns list 2>/dev/null | grep -oE '^zw-[0-9]+'); do
		pid=${ns#zw-}
		dead_owner "$pid" && echo "$ns"
	done
	for pid in $(ls /run/zerowatt 2>/dev/null | grep -E '^[0-9]+$'); do
		dead_owner "$pid" || continue
		echo "/run/zerowatt/$pid"
		for root in /run/zerowatt/$pid/runc /run/zerowatt/$pid/crun; do
			[ -d "$root" ] && runc --root "$root" list -q 2>/dev/null
		done
	done
	ip -o link 2>/dev/null | grep -oE 'zw[tv][0-9]+' || true
	# Leaked workloads are orphans: reparented to init.
	pgrep -P 1 -f "workloads/(gohttpd|httpd|sysbench)" || true
	pgrep -P 1 -f "runc init" || true
	for cg in $(ls /sys/fs/cgroup/cpu 2>/dev/null | grep -E '^zw-[0-9]+-'); do
		pid=${cg#zw-}
		pid=${pid%%-*}
		dead_owner "$pid" && echo "cgroup $cg"
	done
}

assert_clean() {
	local left
	left=$(lab_leftovers)
	[ -z "$left" ] || fail "lab state left behind: $left"
}
