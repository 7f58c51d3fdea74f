#!/usr/bin/env bash
# The shipped profiles are valid (every section an experiment, every key an
# option), and a broken profile is bad input: one line, exit 2, nothing run.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.bash
for p in profiles/*.ini; do
	$ZW suite "$p" --dry-run >"$TMP/plan" 2>&1 || { cat "$TMP/plan"; fail "$p does not validate"; }
	grep -q '^boot ' "$TMP/plan" || fail "$p: no boot step"
done
printf '[load]\nsecnds = 3\n' >"$TMP/typo.ini"
$ZW suite "$TMP/typo.ini" --dry-run >/dev/null 2>"$TMP/err"; rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] || fail "typo in a profile: rc=$rc: $(cat "$TMP/err")"
printf '[nosuch]\nn = 1\n' >"$TMP/bad.ini"
$ZW suite "$TMP/bad.ini" --dry-run >/dev/null 2>&1; [ $? = 2 ] || fail "unknown experiment section must exit 2"
printf 'not ini at all\n' >"$TMP/junk.ini"
$ZW suite "$TMP/junk.ini" --dry-run >/dev/null 2>"$TMP/err"; rc=$?
[ "$rc" = 2 ] && grep -q 'junk.ini:1' "$TMP/err" || fail "junk profile: rc=$rc: $(cat "$TMP/err")"
echo ok
