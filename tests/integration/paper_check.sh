#!/usr/bin/env bash
# PAPER.md is what `make paper` makes of the committed reference run: every
# marked number, table and figure comes from results/reference.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.bash
[ -f results/reference/samples.csv ] || skip "no committed reference run"
$ZW paper results/reference --doc PAPER.md --figures plots/paper --data "$TMP/paper" --check >"$TMP/out" 2>&1 ||
	{ cat "$TMP/out"; fail "PAPER.md does not match results/reference (run make paper)"; }
cat "$TMP/out"
echo ok
