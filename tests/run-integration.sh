#!/usr/bin/env bash
# Runs tests/integration/*.sh (or the ones named). Exit 0 passes, 77 skips
# (the script must have printed why), anything else fails.
set -u
cd "$(dirname "$0")/.."
scripts=("$@")
[ ${#scripts[@]} -gt 0 ] || scripts=(tests/integration/*.sh)
pass=0 skip=0 fail=0 failed=()
for s in "${scripts[@]}"; do
	name=${s##*/}
	echo "== integration: $name"
	start=$(date +%s)
	bash "$s"
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "PASS: $name (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "SKIP: $name (${secs}s)" ;;
	*) fail=$((fail + 1)); failed+=("$name"); echo "FAIL: $name rc=$rc (${secs}s)" ;;
	esac
done
echo "integration: $pass passed, $skip skipped, $fail failed ${failed[*]:-}"
[ "$fail" = 0 ]
