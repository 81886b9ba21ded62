#!/usr/bin/env bash
# corebench compare on the hand-written fixtures in tests/fixtures/compare-*.
# usage: test_compare.sh COREBENCH SOURCE_DIR
#
# compare-base.json vs compare-new.json holds one configuration of each
# kind: gcd/threads clearly faster (ratio 0.502), gcd/serial the same with
# overlapping samples (1.002), sum/process-pool slower (1.299),
# factorize/thread-pool with 2 new samples (too few), and one configuration
# only in each file. compare-machine.json is compare-new.json measured on
# another machine (host, CPU, topology, fingerprint), compare-cflags.json
# another build; compare-workload.json runs every configuration on other
# kernel parameters, compare-sumsize.json only sum's (as `sum` sized to a
# machine would); compare-interfered.json adds an interfered sample.
set -u

CB=${1:?usage: test_compare.sh COREBENCH SOURCE_DIR}
SRC=${2:?usage: test_compare.sh COREBENCH SOURCE_DIR}
# The comparisons run from the fixture directory: make a relative path to
# the binary absolute first.
case $CB in
    /*) ;;
    */*) CB=$(cd "$(dirname "$CB")" && pwd)/$(basename "$CB") ;;
esac
FX=$SRC/tests/fixtures
PY=${PYTHON:-python3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/test_compare.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

pass=0
fail=0
ok() {
    pass=$((pass + 1))
    echo "ok   $1"
}
bad() {
    fail=$((fail + 1))
    echo "FAIL $1"
    shift
    for line in "$@"; do echo "     $line"; done
    echo "     --- stdout:"; sed 's/^/     /' "$TMP/out" | head -40
    echo "     --- stderr:"; sed 's/^/     /' "$TMP/err" | head -20
}

# cmp ARGS...: runs corebench compare from the fixture directory (so file
# names print as given); stdout, stderr and status land in $TMP.
cmp() {
    (cd "$FX" && "$CB" compare "$@") >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

# expect_rc NAME RC: checks the status of the last cmp.
expect_rc() {
    if [ "$rc" -eq "$2" ]; then ok "$1: exit $2"; else bad "$1: exit $rc, expected $2"; fi
}

# expect_in NAME FILE FIXED-STRING
expect_in() {
    if grep -qF -- "$3" "$TMP/$2"; then ok "$1"; else bad "$1" "missing in $2: $3"; fi
}

# expect_row NAME KERNEL LABEL WORKERS RATIO VERDICT: the table row of
# that configuration (kernel, size, the model's label, workers) carries
# that ratio and ends with that verdict.
expect_row() {
    local row
    row=$(grep -E "^$2 +[a-z]+ +$3 +$4 " "$TMP/out")
    if [ "$(printf '%s\n' "$row" | grep -c .)" -ne 1 ]; then
        bad "$1" "expected one row for $2 $3 w=$4, got: ${row:-none}"
    elif ! printf '%s\n' "$row" | grep -qE " $5( \[[0-9.]+, [0-9.]+\])? "; then
        bad "$1" "ratio $5 not in: $row"
    elif ! printf '%s\n' "$row" | grep -qE "  $6\$"; then
        bad "$1" "verdict '$6' not at the end of: $row"
    else
        ok "$1"
    fi
}

# expect_re NAME FILE EXTENDED-REGEX
expect_re() {
    if grep -qE -- "$3" "$TMP/$2"; then ok "$1"; else bad "$1" "no line in $2 matches: $3"; fi
}

# expect_not_in NAME FILE FIXED-STRING
expect_not_in() {
    if grep -qF -- "$3" "$TMP/$2"; then bad "$1" "found in $2: $3"; else ok "$1"; fi
}

# ---- the main comparison ---------------------------------------------------
cmp compare-base.json compare-new.json
expect_rc "base vs new" 0
expect_row "threads row: faster" gcd threads 4 0.500 faster
expect_row "serial row: same (overlapping samples)" gcd serial 1 1.005 same
expect_row "process-pool row: slower" sum "process-pool c=8" 4 1.300 slower
expect_row "thread-pool row: too few samples" factorize "thread-pool c=1" 2 0.813 "too few samples"
expect_in "faster/slower rows carry the exact p (5 + 5 samples: 2/252), BH-adjusted over 3 tests (x3/2)" out "0.0119  faster"
expect_in "header states the test, the adjustment, alpha and the threshold" out "two-sided Mann-Whitney U on the raw samples, p Benjamini-Hochberg-adjusted over the 3 tests, alpha 0.05, threshold 3%; ratio = p25 new / p25 base"
expect_in "legend explains too few samples" out "too few samples: fewer than 3 on a side"
expect_in "the model's label names the configuration" out "  process-pool c=8  "
expect_in "only in base listed" out "only in compare-base.json (1): gcd/small gil c=1 w=2"
# (openmp's label says its schedule only where the build has openmp)
expect_re "only in new listed" out "^only in compare-new\.json \(1\): sum/small openmp( static)? w=4\$"
expect_in "times in the unit convention (three significant digits)" out " 99.0 ms  99.5 ms  1.005 "
expect_not_in "same machine and build: no differences shown" out "differs:"
expect_in "per-executor geomean" out "threads        0.500  1 configuration: 1 faster, 0 slower, 0 same"
expect_in "overall geomean" out "all            0.854  4 configurations: 1 faster, 1 slower, 1 same, 1 too few samples"
last=$(tail -n 1 "$TMP/out")
want="4 configurations: 1 faster, 1 slower, 1 no significant difference, 1 too few samples (alpha 0.05 BH-adjusted, threshold 3%, two-sided Mann-Whitney U)"
if [ "$last" = "$want" ]; then ok "summary is the last line"; else bad "summary is the last line" "got: $last"; fi
[ -s "$TMP/err" ] && bad "no stderr for compatible files" || ok "no stderr for compatible files"

# The verdict column starts at the same place on the header and every row.
cols=$(awk '/^kernel /{h=1} h&&/^$/{exit}
    h { match($0, /(verdict|faster|slower|same|too few samples)$/); print RSTART }' "$TMP/out" | sort -u | wc -l)
rows=$(awk '/^kernel /{h=1} h&&/^$/{exit} h' "$TMP/out" | wc -l)
if [ "$rows" -eq 5 ] && [ "$cols" -eq 1 ]; then ok "table aligned (verdict column)"; else bad "table aligned" "rows=$rows distinct verdict columns=$cols"; fi

# Same data at a stricter level: 5 + 5 samples cannot reach p < 0.001.
cmp compare-base.json compare-new.json --alpha 0.001
expect_rc "--alpha 0.001" 0
expect_row "alpha 0.001: threads row cannot be significant" gcd threads 4 0.500 "same\*"
expect_in "alpha 0.001: legend says why" out "take 7 or more per side"
expect_in "alpha 0.001: summary states alpha" out "(alpha 0.001 BH-adjusted, threshold 3%, two-sided Mann-Whitney U)"
cmp compare-base.json compare-new.json --alpha=0.5
expect_rc "--alpha=0.5 (upper bound) accepted" 0

# ---- a file against itself -------------------------------------------------
cmp compare-base.json compare-base.json
expect_rc "self-compare" 0
n=$(awk '/^kernel /{h=1; next} h&&/^$/{exit} h' "$TMP/out" | wc -l)
n_same=$(awk '/^kernel /{h=1; next} h&&/^$/{exit} h' "$TMP/out" | grep -cE ' 1\.000 \[[0-9.]+, [0-9.]+\] +1\.0000  same$')
if [ "$n" -eq 5 ] && [ "$n_same" -eq 5 ]; then ok "self-compare: every row same, ratio 1.000, p 1"; else bad "self-compare rows" "rows=$n same=$n_same"; fi
expect_in "self-compare summary" out "5 configurations: 0 faster, 0 slower, 5 no significant difference"

# ---- other machines and builds: shown, never refused -----------------------
cmp compare-base.json compare-machine.json
expect_rc "two machines without --force" 0
expect_in "two machines: the base host shown" out "base compare-base.json: host alpha, Example CPU @ 3.0GHz, 1 pkg, 4 cores, 8 PUs"
expect_in "two machines: the other host shown" out "new  compare-machine.json: host gamma, Other CPU @ 2.0GHz, 2 pkg, 16 cores, 32 PUs"
expect_in "two machines: the host difference" out "differs: host: alpha -> gamma"
expect_in "two machines: the fingerprint difference" out "differs: fingerprint: 3f2a9c1d0b7e6a55 -> 77aa05c3e9d1b264"
expect_in "two machines: what the ratios mean" out "different machines: each ratio compares the two machines"
expect_not_in "two machines: not called a build difference" out "different builds"
expect_row "two machines: still compared" gcd threads 4 0.500 faster
[ -s "$TMP/err" ] && bad "two machines: nothing on stderr" || ok "two machines: nothing on stderr"

cmp compare-base.json compare-fingerprint.json
expect_rc "different fingerprint only" 0
expect_in "fingerprint difference shown" out "differs: fingerprint: 3f2a9c1d0b7e6a55 -> 9e04b1c2d3a4f507"

cmp compare-base.json compare-cflags.json
expect_rc "different cflags without --force" 0
expect_in "cflags difference shown with both values" out "differs: cflags: -O2 -g -> -O3 -march=native"
expect_in "builds differ: what the ratios mean" out "different builds: each ratio includes the build"
expect_not_in "one build difference is no machine difference" out "different machines"
expect_row "different build: compared" sum "process-pool c=8" 4 1.300 slower

# Strings from a crafted file: escape sequences and a bidi override must not
# reach the terminal or the Markdown.
cmp compare-base.json compare-hostile.json
expect_rc "hostile file compared" 0
expect_in "hostile: compiler difference shown cleaned" out "differs: compiler: GNU 12.2.0 -> GNU 12.2.0?[2J?gnp.exe"
if grep -q $'\x1b\|\x07' "$TMP/out" "$TMP/err" || grep -q $'\xe2\x80\xae' "$TMP/out" "$TMP/err"; then
    bad "no control characters or bidi overrides printed"
else
    ok "no control characters or bidi overrides printed"
fi
expect_in "hostile host name shown cleaned" out "host evil?]0;pwned?host"
expect_re "hostile kernel name cleaned in a left-out list" out "^only in compare-hostile\.json \(2\): sum/small openmp( static)? w=4, gcd\?\[31m/small serial w=1\$"
cmp compare-base.json compare-hostile.json --export-markdown "$TMP/hostile.md"
expect_rc "hostile file as Markdown" 0
if grep -q $'\x1b\|\x07' "$TMP/hostile.md" || grep -q $'\xe2\x80\xae' "$TMP/hostile.md"; then
    bad "hostile Markdown: no control characters or bidi overrides"
else
    ok "hostile Markdown: no control characters or bidi overrides"
fi

# ---- unreadable files ------------------------------------------------------
cmp compare-base.json compare-schema0.json
expect_rc "other schema" 2
expect_in "other schema: file and schema named" err "compare-schema0.json: schema 'corebench/0' is not supported"
cmp compare-base.json compare-empty.json
expect_rc "empty file" 2
expect_in "empty file named" err "corebench compare: compare-empty.json: empty file"
cmp compare-truncated.json compare-base.json
expect_rc "truncated file" 2
if grep -qE '^corebench compare: compare-truncated\.json:[0-9]+:[0-9]+: ' "$TMP/err"; then
    ok "truncated: FILE:LINE:COL"
else
    bad "truncated: FILE:LINE:COL"
fi
cmp compare-base.json no-such-file.json
expect_rc "missing file" 2
expect_in "missing file named" err "no-such-file.json"
cmp compare-base.json
expect_rc "one file only" 2

# ---- options ---------------------------------------------------------------
for a in 0 0.7 -0.1 abc nan 0.05x; do
    cmp compare-base.json compare-new.json --alpha "$a"
    expect_rc "--alpha $a" 2
    expect_in "--alpha $a named" err "--alpha: '$a'"
done
cmp compare-base.json compare-new.json --alpha
expect_rc "--alpha without a value" 2
cmp compare-base.json compare-new.json --frobnicate
expect_rc "unknown option" 2
expect_in "unknown option named" err "'--frobnicate'"
cmp --help
expect_rc "--help" 0
expect_in "--help shows usage" out "usage: corebench compare BASE.json NEW.json"

# ---- interfered samples: compare takes the samples the statistics use ------
# compare-interfered.json is compare-new.json with a sixth process-pool
# sample of 1 s, flagged interfered: the model sets it aside, so the row is
# the same as without it.
cmp compare-base.json compare-interfered.json
expect_rc "interfered sample set aside" 0
expect_row "interfered sample set aside: same ratio as without it" sum "process-pool c=8" 4 1.300 slower
expect_in "interfered sample set aside: samples column counts the used ones" out "  process-pool c=8  4      5/5  "
expect_in "interfered sample set aside: the legend says so" out "the files set 0 (base) and 1 (new) interfered samples aside"
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
d["context"]["settings"]["keep_interfered"] = True
json.dump(d, open(sys.argv[2], "w"))
' "$FX/compare-interfered.json" "$TMP/kept.json"
cmp compare-base.json "$TMP/kept.json"
expect_rc "interfered sample kept (--keep-interfered run)" 0
expect_in "kept: six samples count" out "  process-pool c=8  4      5/6  "
expect_not_in "kept: nothing set aside" out "interfered samples aside"

# ---- workloads: what --force is for ----------------------------------------
cmp compare-base.json compare-sumsize.json
expect_rc "one workload differs: the rest compared" 0
expect_in "one workload differs: listed with both params" out "not compared, the workload (kernel parameters) differs; --force pairs them (1): sum/small process-pool c=8 w=4 (n=4000 len=10000 / n=8000 len=10000)"
if grep -qE '^sum +small +process-pool' "$TMP/out"; then bad "one workload differs: no row for it"; else ok "one workload differs: no row for it"; fi
expect_in "one workload differs: three compared" out "3 configurations: 1 faster, 0 slower, 1 no significant difference, 1 too few samples"

cmp compare-base.json compare-workload.json
expect_rc "every workload differs: refused" 2
expect_in "every workload differs: says why and what --force does" err "compare-workload.json: nothing to compare: the configurations in common run other workloads (kernel parameters differ, e.g. gcd/small serial w=1); --force pairs them anyway"
[ -s "$TMP/out" ] && bad "refusal prints no table" || ok "refusal prints no table"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok "refusal: one line" || bad "refusal: one line"

cmp compare-base.json compare-workload.json --force
expect_rc "every workload differs with --force" 0
expect_row "--force pairs them, marked" sum "process-pool c=8" 4 1.300 "slower \(workload differs\)"
expect_in "--force: the legend says what the mark means" out "workload differs: paired by --force although the kernel parameters differ"

# ---- --fail-if-slower: the CI gate -----------------------------------------
# process-pool c=8 is significantly slower by 30% (its 25th percentiles:
# 26.0 / 20.0 ms).
cmp compare-base.json compare-new.json --fail-if-slower 5
expect_rc "gate 5%: a configuration 29.9% slower fails it" 1
expect_in "gate 5%: names it on stderr" err "corebench compare: slower by more than 5%: compare-new.json: sum/small process-pool c=8 w=4: ratio 1.300 [1.284, 1.317], p 0.0119 (BH)"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok "gate 5%: one line per configuration" || bad "gate 5%: one line per configuration"
expect_in "gate 5%: the table is still printed" out "  process-pool c=8  "
expect_in "gate 5%: verdict on stdout" out "gate --fail-if-slower 5%: FAILED, 1 configuration significantly slower by more than 5%:"
cmp compare-base.json compare-new.json --fail-if-slower 29.8
expect_rc "gate 29.8%: still fails" 1
cmp compare-base.json compare-new.json --fail-if-slower=30.1%
expect_rc "gate 30.1% (PCT% form): passes" 0
expect_in "gate 30.1%: says it passed" out "gate --fail-if-slower 30.1%: passed, no configuration significantly slower by more than 30.1% (4 compared, 1 too few samples to test)"
[ -s "$TMP/err" ] && bad "gate passed: nothing on stderr" || ok "gate passed: nothing on stderr"
cmp compare-base.json compare-base.json --fail-if-slower 0
expect_rc "gate 0% on a file against itself" 0
# 5 + 5 samples cannot reach p < 0.001: not significant, so not gated
cmp compare-base.json compare-new.json --fail-if-slower 5 --alpha 0.001
expect_rc "gate: a slower median without significance passes" 0
# the other way round gcd/threads is 2x slower
cmp compare-new.json compare-base.json --fail-if-slower 5
expect_rc "gate: the other way round, threads 2x slower" 1
expect_in "gate: names threads" err "gcd/small threads w=4: ratio 2.000"
cmp compare-base.json compare-new.json compare-machine.json --fail-if-slower 5
expect_rc "gate over several files" 1
[ "$(grep -c 'slower by more than 5%' "$TMP/err")" -eq 2 ] && ok "gate over several files: each file's row named" || bad "gate over several files: each file's row named"
cmp compare-base.json compare-workload.json --force --fail-if-slower 5
expect_rc "gate over --force pairs" 1
for v in -1 abc 5x "" nan 1e7; do
    cmp compare-base.json compare-new.json --fail-if-slower "$v"
    expect_rc "--fail-if-slower '$v'" 2
    expect_in "--fail-if-slower '$v' named" err "--fail-if-slower: '"
done
cmp compare-base.json compare-new.json --fail-if-slower
expect_rc "--fail-if-slower without a value" 2
expect_in "--fail-if-slower without a value: says so" err "--fail-if-slower needs a value"
"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["runs"]:
    r["workers"] += 100
json.dump(d, open(sys.argv[2], "w"))
' "$FX/compare-base.json" "$TMP/disjoint.json"
cmp compare-base.json "$TMP/disjoint.json"
expect_rc "nothing in common, no gate" 0
expect_in "nothing in common: says so" out "no configurations in common: nothing to compare"
cmp compare-base.json "$TMP/disjoint.json" --fail-if-slower 5
expect_rc "nothing in common under the gate: refused" 2
expect_in "nothing in common under the gate: says why" err "no configuration in common with the base: nothing for --fail-if-slower to test"

# ---- --export-markdown -----------------------------------------------------
cmp compare-base.json compare-machine.json --fail-if-slower 5 --export-markdown "$TMP/cmp.md"
expect_rc "--export-markdown with a failing gate" 1
if "$PY" -c '
import sys
md = open(sys.argv[1]).read()
assert md.startswith("# corebench compare\n"), md[:40]
assert "- base compare-base.json: host alpha" in md
assert "- new compare-machine.json: host gamma" in md
assert "- differs: host: alpha -\\> gamma" in md, md
rows = [l for l in md.splitlines() if l.startswith("| sum ")]
want = "| sum | small | process-pool c=8 | 4 | 5/5 | 20.0 ms | 26.0 ms | 1.300 \\[1.284, 1.317\\] | 0.0119 | slower |"
assert rows == [want], rows
assert "| threads | 0.500 | 1 | 1 | 0 | 0 | 0 |" in md
assert "## Gate" in md and "FAILED, 1 configuration" in md
' "$TMP/cmp.md"
then ok "--export-markdown content"; else bad "--export-markdown content"; fi
cmp compare-base.json compare-new.json --export-markdown compare-new.json
expect_rc "--export-markdown onto an input refused" 2
expect_in "--export-markdown onto an input: says why" err "--export-markdown compare-new.json: is one of the input files"
cmp compare-base.json compare-new.json --json "$TMP/same" --export-markdown "$TMP/same"
expect_rc "--json and --export-markdown one file: refused" 2
expect_in "one file for both: says why" err "is the file --json writes too"
ln -s "$TMP/cmp.md" "$TMP/link.md"
cmp compare-base.json compare-new.json --export-markdown "$TMP/link.md"
expect_rc "--export-markdown onto a symbolic link refused" 2

# ---- --json and several files ----------------------------------------------
cmp compare-base.json compare-new.json compare-fingerprint.json --json "$TMP/cmp.json"
expect_rc "three files with --json" 0
expect_in "three files: each summary names its file" out "compare-fingerprint.json: 4 configurations: 1 faster"
if [ -s "$TMP/cmp.json" ] && "$PY" - "$TMP/cmp.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "corebench-compare/3" and d["alpha"] == 0.05
assert d["p_adjust"] == "benjamini-hochberg" and d["threshold_pct"] == 3 and d["estimator"] == "p25"
assert d["fail_if_slower_pct"] is None and d["force"] is False
c = d["comparisons"]
assert [x["file"] for x in c] == ["compare-new.json", "compare-fingerprint.json"]
assert c[0]["context_differences"] == [] and not c[0]["machines_differ"]
assert {x["field"] for x in c[1]["context_differences"]} == {"host", "fingerprint"}
assert c[1]["machines_differ"] and not c[1]["builds_differ"]
rows = {(r["kernel"], r["label"]): r for r in c[0]["rows"]}
assert rows[("gcd", "threads")]["verdict"] == "faster"
th = rows[("gcd", "threads")]
assert abs(th["ratio"] - th["new"]["estimate"] / th["base"]["estimate"]) < 1e-9
assert abs(th["p_adj"] - 1.5 * th["p"]) < 1e-9 and not th["within_threshold"]
pp = rows[("sum", "process-pool c=8")]
assert pp["verdict"] == "slower" and pp["exec_params"]["chunksize"] == "8"
assert pp["exec_params"]["start_method"] == "fork" and pp["workers"] == 4
assert pp["base"]["n"] == 5 and abs(pp["new"]["median"] - 0.0261) < 1e-12
assert rows[("gcd", "serial")]["verdict"] == "same"
assert rows[("factorize", "thread-pool c=1")]["verdict"] == "too few samples"
assert c[0]["summary"]["faster"] == 1 and c[0]["summary"]["configurations"] == 4
assert c[0]["only_in_base"][0]["label"] == "gil c=1"
assert c[0]["only_in_new"][0]["label"] in ("openmp static", "openmp")
assert [x["executor"] for x in c[0]["executors"]] == ["serial", "threads", "process-pool", "thread-pool"]
EOF
then ok "--json content"; else bad "--json content"; fi
ls -A "$TMP" | grep -q '^\.corebench-' && bad "--json left a temporary file" || ok "--json left no temporary file"
cmp compare-base.json compare-new.json --json compare-base.json
expect_rc "--json onto an input refused" 2
expect_in "--json onto an input: says why" err "is one of the input files"

# ---- A/A and a 5% shift: the verdicts of issue 15 ------------------------
# make bench's 39 configurations, 10 samples each, as on a shared VM: 0.5%
# spread, one sample in ten slowed by 5-55% (interference only slows), and
# each file's configurations off by their own exp(N(0, 0.5%)) (the drift
# between two runs that the samples of one run do not show). aa2 is
# another run of the same code, shift aa2 with every time 5% longer.
GEN="$PY $SRC/scripts/gen-results.py --layout bench --samples 10 --noise 0.5 --slow-frac 0.1 --drift 0.5"
$GEN --seed 1 --drift-seed 1 "$TMP/aa1.json" &&
    $GEN --seed 2 --drift-seed 2 "$TMP/aa2.json" &&
    $GEN --seed 2 --drift-seed 2 --scale 1.05 "$TMP/shift.json" ||
    bad "gen-results.py wrote the A/A and shifted files"
cmp "$TMP/aa1.json" "$TMP/aa2.json"
expect_rc "A/A" 0
same=$(tail -n 1 "$TMP/out" | sed -nE 's/^39 configurations: .* ([0-9]+) no significant difference.*/\1/p')
if [ -n "$same" ] && [ "$same" -ge 38 ]; then ok "A/A: at least 95% same ($same of 39)"; else bad "A/A: at least 95% same" "got ${same:-?} of 39"; fi
# the same pair without the threshold: the drift reads as significant,
# which is what the threshold is for (the test can tell the rules apart)
cmp "$TMP/aa1.json" "$TMP/aa2.json" --threshold 0
n0=$(tail -n 1 "$TMP/out" | sed -nE 's/^39 configurations: .* ([0-9]+) no significant difference.*/\1/p')
if [ -n "$n0" ] && [ "$n0" -lt 37 ]; then ok "A/A, --threshold 0: the drift alone raises alarms ($((39 - n0)))"; else bad "A/A, --threshold 0: alarms expected" "same: ${n0:-?}"; fi
cmp "$TMP/aa1.json" "$TMP/shift.json"
expect_rc "5% shift" 0
slower=$(tail -n 1 "$TMP/out" | sed -nE 's/^39 configurations: 0 faster, ([0-9]+) slower.*/\1/p')
if [ -n "$slower" ] && [ "$slower" -ge 33 ]; then ok "5% shift: found slower on most configurations ($slower of 39), none faster"; else bad "5% shift found" "slower: ${slower:-?} of 39"; fi
cmp "$TMP/aa1.json" "$TMP/shift.json" --fail-if-slower 2
expect_rc "5% shift fails --fail-if-slower 2 (the same rule)" 1
cmp "$TMP/aa1.json" "$TMP/aa2.json" --fail-if-slower 2
expect_rc "A/A passes --fail-if-slower 2" 0
cmp "$TMP/aa1.json" "$TMP/shift.json" --threshold 8
slower=$(tail -n 1 "$TMP/out" | sed -nE 's/^39 configurations: 0 faster, ([0-9]+) slower.*/\1/p')
if [ "${slower:-x}" = 0 ]; then ok "--threshold 8: a 5% shift is within it"; else bad "--threshold 8" "slower: ${slower:-?}"; fi
expect_in "--threshold 8: the legend says same~" out "same~: significant, but within the 8% threshold"
for v in -1 abc nan 5x; do
    cmp compare-base.json compare-new.json --threshold "$v"
    expect_rc "--threshold '$v'" 2
    expect_in "--threshold '$v' named" err "--threshold: '$v' is not a percentage"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
