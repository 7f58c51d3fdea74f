#!/usr/bin/env bash
# Runs each cmocka program; any failure fails the whole step.
set -u
fail=0
for t in "$@"; do
	echo "== unit: ${t##*/}"
	if ! "$t"; then
		echo "FAIL: ${t##*/}"
		fail=1
	fi
done
[ "$fail" = 0 ] && echo "unit tests: all passed ($# programs)"
exit "$fail"
