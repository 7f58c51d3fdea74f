#!/usr/bin/env bash
# zerowatt report and zerowatt paper on synthetic run directories (two
# hosts, every experiment the figures know, measured and estimated energy, a
# power time series with phases): report.md's sections, every figure as a
# real PNG and SVG (gnuplot exit 0), estimated series labelled in the
# figures, absent figures explained, bad input rejected with exit 2, and the
# paper splice idempotent. No lab, no root: a few seconds.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/lib.bash
command -v gnuplot >/dev/null || skip "gnuplot not installed (apt-get install gnuplot-nox)"
[ -x "$ZW" ] || fail "$ZW not built"

A="$TMP/results/20260101T000000Z-alpha"
B="$TMP/results/20260101T000100Z-beta"
mkdir -p "$A" "$B"

cat >"$A/meta.json" <<'JSON'
{"host": "alpha", "cpu_model": "Synthetic CPU", "cpus_online": 2, "kernel": "6.1.0-test",
 "accelerator": "tcg", "accelerator_reason": "KVM unusable for timing (synthetic)",
 "git_commit": "feedfacecafebeef", "git_dirty": false,
 "tools": {"gnuplot": "gnuplot 5.4", "qemu": "QEMU 7.2"},
 "energy": {"source": "model:ccf", "method": "estimated", "boundary": "model", "note": "CCF model",
            "probed": [{"meter": "model", "verdict": "ok", "chosen": true, "reason": "no sensor"}]},
 "scale": {"policy": "keep-alive:30", "requests_scheduled": 60, "duration_s": 6},
 "skipped_targets": {"vm": "no kernel package (synthetic)"},
 "host_state_warnings": []}
JSON
cat >"$B/meta.json" <<'JSON'
{"host": "beta", "cpu_model": "Other CPU", "accelerator": "kvm",
 "energy": {"source": "rapl:package-0", "method": "measured", "boundary": "package"}}
JSON

# Deterministic pseudo-random samples (awk's srand with a fixed seed).
awk -v seed=7 'BEGIN {
	srand(seed); OFS = ","
	print "experiment,target,metric,value,unit,repetition,method,source,boundary,phase,t_s"
	n = split("native container unikernel", T, " ")
	split("1.2 75 9", boot, " ")
	for (r = 0; r < 8; r++) for (i = 1; i <= n; i++) {
		b = boot[i] * (0.9 + 0.3 * rand())
		print "boot", T[i], "ready_ms", b * 0.8, "ms", r, "measured", "clock:monotonic", "", "", ""
		print "boot", T[i], "first_200_ms", b, "ms", r, "measured", "clock:monotonic", "", "", ""
	}
	split("getppid write read clock_gettime", OP, " "); split("160 170 190 27", base, " ")
	for (r = 0; r < 6; r++) for (i = 1; i <= n; i++) for (o = 1; o <= 4; o++)
		print "syscall", T[i], OP[o] "_ns", base[o] * (i == 3 ? 0.3 : 1) * (0.95 + 0.1 * rand()), "ns", r, "measured", "sysbench:syscall", "", "", ""
	for (r = 0; r < 3; r++) for (i = 1; i <= n; i++) {
		rps = (i == 2 ? 25000 : 34000) * (0.9 + 0.2 * rand())
		print "load", T[i], "requests_per_s", rps, "req/s", r, "measured", "wrk", "", "", ""
		split("700 4000 25000 40000", L, " "); split("p50_us p90_us p99_us p999_us", P, " ")
		for (p = 1; p <= 4; p++) print "load", T[i], P[p], L[p] * (0.9 + 0.2 * rand()), "us", r, "measured", "wrk", "", "", ""
		print "load", T[i], "energy_per_request_j", 1.5e-5 * (0.9 + 0.2 * rand()), "J", r, "estimated", "model:ccf", "model", "", ""
	}
	for (i = 1; i <= n; i++) {
		print "scale", T[i], "e_cold_j", 0.05 * i, "J", 0, "estimated", "model:ccf", "model", "", ""
		print "scale", T[i], "p_warm_w", 0.002, "W", 0, "estimated", "model:ccf", "model", "", ""
		if (i < 3) print "scale", T[i], "t_star_s", 25 * i, "s", 0, "estimated", "model:ccf", "model", "", ""
		# The unikernel idled without a measurable tick: t* unavailable, a lower bound instead.
		if (i == 3) print "scale", T[i], "t_star_s", "", "s", 0, "unavailable", "model:ccf", "model", "", ""
		if (i == 3) print "scale", T[i], "t_star_min_s", 120, "s", 0, "estimated", "model:ccf", "model", "", ""
		for (r = 0; r < 6; r++) {
			print "scale", T[i], "cold_ms", boot[i] * 1.5 + 2 * rand(), "ms", r, "measured", "waker:client", "", "", ""
			print "scale", T[i], "warm_ms", 0.8 + 0.2 * rand(), "ms", r, "measured", "waker:client", "", "", ""
		}
		print "scale", T[i], "requests", 60, "count", 0, "measured", "loadgen:open-loop", "", "", ""
		print "scale", T[i], "trace_energy_above_baseline_j", 0.4 * i, "J", 0, "estimated", "model:ccf", "model", "", ""
		print "density", T[i], "instances_per_gib", 1000 / boot[i], "1/GiB", 0, "measured", "meminfo", "", "", ""
		print "density", T[i], "idle_w_per_100", 0.2 * i, "W", 0, "estimated", "model:ccf", "model", "", ""
	}
	t = 0; split("baseline load:native between load:container idle:unikernel boot:native serve:native off:native", PH, " ")
	for (p = 1; p <= 8; p++) for (k = 0; k < 20; k++) {
		w = (PH[p] ~ /^load/ ? 6 : PH[p] ~ /^(baseline|off)/ ? 2 : 3.5) + 0.4 * rand()
		print "boot", "host", "power_w", w, "W", 0, "estimated", "model:ccf", "model", PH[p], t; t += 0.1
	}
	print "boot", "host", "baseline_power_w", 2.1, "W", 0, "estimated", "model:ccf", "model", "", ""
}' >"$A/samples.csv"
cat >"$B/samples.csv" <<'CSV'
experiment,target,metric,value,unit,repetition,method,source,boundary,phase,t_s
boot,native,first_200_ms,0.9,ms,0,measured,clock:monotonic,,,
boot,native,first_200_ms,1.0,ms,1,measured,clock:monotonic,,,
boot,vm,first_200_ms,180,ms,0,measured,clock:monotonic,,,
boot,vm,first_200_ms,190,ms,1,measured,clock:monotonic,,,
idle,native,power_w,0.5,W,0,measured,rapl:package-0,package,,
CSV

# Trace runs of the scale experiment, one policy and rate each (as
# `zerowatt scale --policy P --trace poisson:R` writes them: the policy and
# the schedule in meta.json, the trace's energy and requests as samples).
TRACES=()
k=0
for pr in immediate:1 immediate:5 keep-alive:30:2 keep-alive:30:8; do
	k=$((k + 1))
	pol=${pr%:*} rate=${pr##*:}
	D="$TMP/results/20260101T0002${k}0Z-alpha"
	mkdir -p "$D"
	TRACES+=("$D")
	printf '{"host": "alpha", "scale": {"policy": "%s", "requests_scheduled": %d, "duration_s": 10}}\n' \
		"$pol" $((rate * 10)) >"$D/meta.json"
	awk -v rate="$rate" -v pol="$pol" 'BEGIN {
		OFS = ","; print "experiment,target,metric,value,unit,repetition,method,source,boundary,phase,t_s"
		n = split("native container unikernel", T, " "); split("0.05 1.2 0.3", cold, " ")
		for (i = 1; i <= n; i++) {
			# immediate pays a cold start per request; keep-alive pays idle time.
			e = (pol == "immediate") ? cold[i] * rate * 10 : 0.002 * 10 + cold[i] * 2
			print "scale", T[i], "requests", rate * 10, "count", 0, "measured", "loadgen:open-loop", "", "", ""
			print "scale", T[i], "trace_energy_above_baseline_j", e, "J", 0, "estimated", "model:ccf", "model", "", ""
		}
	}' >"$D/samples.csv"
done

# --- the report, two hosts merged ---
OUT="$TMP/out"
$ZW report "$A" "$B" "${TRACES[@]}" --out "$OUT" --no-doctor >"$TMP/report.txt" 2>&1 || { cat "$TMP/report.txt"; fail "report exited non-zero"; }
grep -q "^report: $OUT/report.md" "$TMP/report.txt" || fail "report path not printed"
R="$OUT/report.md"
for s in "# zerowatt report" "## Setup" "### Energy" "### Doctor's verdicts" "### Skipped targets" \
	"## Results" "### boot" "### syscall" "### load" "### scale" "### density" "### Power over time" \
	"**Host alpha**" "**Host beta**" "| vm | no kernel package (synthetic) |" \
	"| energy source | model:ccf, estimated, boundary model |" "| energy source | rapl:package-0, measured, boundary package |" \
	"| first_200_ms | container |" "| estimated (model) | model:ccf |"; do
	grep -qF -- "$s" "$R" || fail "report.md lacks: $s"
done
# Ratios carry the base's absolute value; 8 repetitions give a CI.
grep -qE '^\| first_200_ms \| container \| [0-9.]+ ms \| native \| [0-9.]+ ms \| [0-9.]+x \|$' "$R" || fail "no ratio row with base values"
grep -qE '^\| first_200_ms \| native \| 8 \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| \[[0-9.]+, [0-9.]+\] \|' "$R" || fail "no CI for n=8"
for f in boot syscall http timeline energy_rate breakeven coldstart density; do
	png="$OUT/figures/$f.png" svg="$OUT/figures/$f.svg"
	[ -s "$png" ] && [ -s "$svg" ] || fail "figure $f not drawn"
	head -c 8 "$png" | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a" || fail "$png is not a PNG"
	grep -q "<svg" "$svg" || fail "$svg is not an SVG"
	grep -qF "](figures/$f.png)" "$R" || fail "report.md does not show $f"
done
# Estimated series say so inside the figure itself.
for f in http energy_rate breakeven density timeline; do
	grep -qF "(estimated: model:ccf)" "$OUT/figures/$f.svg" || fail "$f.svg does not label its estimate"
done
grep -qF "(estimated" "$OUT/figures/syscall.svg" && fail "syscall.svg calls measured data estimated"

# --- one host without most experiments: figures skipped with the reason ---
$ZW report "$B" --no-doctor >"$TMP/b.txt" 2>&1 || { cat "$TMP/b.txt"; fail "report on beta"; }
[ -s "$B/report.md" ] && [ -s "$B/figures/boot.png" ] || fail "report into the run directory itself"
[ -e "$B/figures/syscall.png" ] && fail "syscall drawn without data"
grep -q "System call latency: no syscall results in these runs" "$B/report.md" || fail "skipped figure not explained"

# --- bad input: one line, exit 2 ---
for bad in "$TMP/nowhere" "$TMP" ""; do
	$ZW report $bad >"$TMP/bad.txt" 2>&1
	rc=$?
	[ "$rc" = 2 ] || fail "report '$bad' exited $rc, not 2"
	[ "$(wc -l <"$TMP/bad.txt")" = 1 ] || fail "report '$bad' said more than one line: $(cat "$TMP/bad.txt")"
done
$ZW report "$A" --bogus >/dev/null 2>&1; [ $? = 2 ] || fail "unknown option not exit 2"

# --- the paper: splice, twice, check ---
P="$TMP/paper"
mkdir -p "$P"
cat >"$P/PAPER.md" <<'MD'
# Paper
Native first 200 in <!-- zw:value boot native first_200_ms -->?<!-- /zw:value -->, container
<!-- zw:value boot container first_200_ms ratio -->?<!-- /zw:value --> of it (run <!-- zw:run --><!-- /zw:run -->).

<!-- zw:table boot -->
<!-- /zw:table -->

<!-- zw:figure boot -->
<!-- /zw:figure -->

<!-- zw:doctor -->
<!-- /zw:doctor -->
MD
$ZW paper "$A" --doc "$P/PAPER.md" --figures "$P/plots/paper" --data "$TMP/pdata" >"$TMP/p1.txt" 2>&1 || { cat "$TMP/p1.txt"; fail "paper"; }
grep -qE 'Native first 200 in <!-- zw:value boot native first_200_ms -->[0-9.]+ ms<!-- /zw:value -->' "$P/PAPER.md" || fail "inline value not filled"
grep -qF '![Boot time per target](plots/paper/boot.png)' "$P/PAPER.md" || fail "figure link not relative to the paper"
grep -qF '| first_200_ms | native | 8 |' "$P/PAPER.md" || fail "table not filled"
grep -qF 'no doctor' "$P/PAPER.md" || fail "doctor region not filled"
[ -s "$P/plots/paper/boot.svg" ] && [ -s "$P/plots/paper/tables.md" ] || fail "paper figures or tables.md missing"
grep -qF '`<!-- zw:table syscall -->`' "$P/plots/paper/tables.md" || fail "tables.md lacks the catalogue"
# Figures left from another run are removed, other files are not.
touch "$P/plots/paper/timeline-9.svg" "$P/plots/paper/notes.png"
printf 'x' >"$P/plots/paper/density.png"
$ZW paper "$B" --doc "$TMP/none.md" --figures "$P/plots/paper" --data "$TMP/pdata-b" >/dev/null 2>&1 || fail "paper on beta"
[ -e "$P/plots/paper/timeline-9.svg" ] && fail "stale timeline-9.svg kept"
[ -e "$P/plots/paper/density.png" ] && fail "stale density.png kept"
[ -e "$P/plots/paper/syscall.png" ] && fail "syscall.png kept although beta has no syscall results"
[ -e "$P/plots/paper/notes.png" ] || fail "a file that is no figure was removed"
$ZW paper "$A" --doc "$P/PAPER.md" --figures "$P/plots/paper" --data "$TMP/pdata" >/dev/null 2>&1 || fail "paper on alpha again"
cp "$P/PAPER.md" "$TMP/first.md"
$ZW paper "$A" --doc "$P/PAPER.md" --figures "$P/plots/paper" --data "$TMP/pdata" >/dev/null 2>&1 || fail "paper again"
cmp -s "$TMP/first.md" "$P/PAPER.md" || fail "splicing twice changed the paper"
$ZW paper "$A" --doc "$P/PAPER.md" --figures "$P/plots/paper" --data "$TMP/pdata" --check >/dev/null 2>&1 || fail "--check on a fresh paper"
sed -i 's/| first_200_ms | native | 8 |/| first_200_ms | native | 9 |/' "$P/PAPER.md"
$ZW paper "$A" --doc "$P/PAPER.md" --figures "$P/plots/paper" --data "$TMP/pdata" --check >/dev/null 2>&1 && fail "--check missed an edited table"
printf '<!-- zw:table boot -->\nno end\n' >"$P/BAD.md"
$ZW paper "$A" --doc "$P/BAD.md" --figures "$P/plots/paper" --data "$TMP/pdata" >"$TMP/bad.txt" 2>&1
[ $? = 2 ] || fail "an unclosed marker is not exit 2"
grep -q "BAD.md line 1: marker zw:table is not closed" "$TMP/bad.txt" || fail "unclosed marker message: $(cat "$TMP/bad.txt")"
# A number the run cannot give is written n/a and fails the paper.
printf 'VM boots in <!-- zw:value boot vm first_200_ms -->?<!-- /zw:value -->.\n' >"$P/MISSING.md"
$ZW paper "$A" --doc "$P/MISSING.md" --figures "$P/plots/paper" --data "$TMP/pdata" >/dev/null 2>&1 && fail "a reference to absent data passed"
grep -qF -- '-->n/a<!--' "$P/MISSING.md" || fail "absent value not written n/a"
make --no-print-directory -n paper RUN="$A" | grep -qF "zerowatt paper $A --doc PAPER.md --figures plots/paper" || fail "make paper does not run zerowatt paper"
echo "ok"
