#!/usr/bin/env bash
# corebench compare on the hand-written fixtures in tests/fixtures/compare-*.
# usage: test_compare.sh COREBENCH SOURCE_DIR
#
# compare-base.json vs compare-new.json holds one configuration of each
# kind: gcd/threads clearly faster (ratio 0.502), gcd/serial the same with
# overlapping samples (1.002), sum/process-pool slower (1.299),
# factorize/thread-pool with 2 new samples (too few), and one configuration
# only in each file.
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

# expect_row NAME KERNEL EXECUTOR WORKERS RATIO VERDICT: the table row of
# that configuration carries that ratio and ends with that verdict.
expect_row() {
    local row
    row=$(grep -E "^$2 +[a-z]+ +$3 +$4 " "$TMP/out")
    if [ "$(printf '%s\n' "$row" | grep -c .)" -ne 1 ]; then
        bad "$1" "expected one row for $2 $3 x$4, got: ${row:-none}"
    elif ! printf '%s\n' "$row" | grep -qE " $5( \[[0-9.]+, [0-9.]+\])? "; then
        bad "$1" "ratio $5 not in: $row"
    elif ! printf '%s\n' "$row" | grep -qE "  $6\$"; then
        bad "$1" "verdict '$6' not at the end of: $row"
    else
        ok "$1"
    fi
}

# ---- the main comparison ---------------------------------------------------
cmp compare-base.json compare-new.json
expect_rc "base vs new" 0
expect_row "threads row: faster" gcd threads 4 0.502 faster
expect_row "serial row: same (overlapping samples)" gcd serial 1 1.002 same
expect_row "process-pool row: slower" sum process-pool 4 1.299 slower
expect_row "thread-pool row: too few samples" factorize thread-pool 2 0.810 "too few samples"
expect_in "faster/slower rows carry the exact p (5 + 5 samples: 2/252)" out "0.0079  faster"
expect_in "header states the test and alpha" out "two-sided Mann-Whitney U on the raw samples, alpha 0.05"
expect_in "legend explains too few samples" out "too few samples: fewer than 3 on a side"
expect_in "options distinguish configurations" out "chunksize=8 start=fork"
expect_in "only in base listed" out "only in compare-base.json (1): gcd/small gil x2 chunksize=1 switch=5000us"
expect_in "only in new listed" out "only in compare-new.json (1): sum/small openmp x4 schedule=static"
expect_in "per-executor geomean" out "threads        0.502  1 configuration: 1 faster, 0 slower, 0 same"
expect_in "overall geomean" out "all            0.853  4 configurations: 1 faster, 1 slower, 1 same, 1 too few samples"
last=$(tail -n 1 "$TMP/out")
want="4 configurations: 1 faster, 1 slower, 1 no significant difference, 1 too few samples (alpha 0.05, two-sided Mann-Whitney U)"
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
expect_row "alpha 0.001: threads row cannot be significant" gcd threads 4 0.502 "same\*"
expect_in "alpha 0.001: legend says why" out "take 7 or more per side"
expect_in "alpha 0.001: summary states alpha" out "(alpha 0.001, two-sided Mann-Whitney U)"
cmp compare-base.json compare-new.json --alpha=0.5
expect_rc "--alpha=0.5 (upper bound) accepted" 0

# ---- a file against itself -------------------------------------------------
cmp compare-base.json compare-base.json
expect_rc "self-compare" 0
n=$(awk '/^kernel /{h=1; next} h&&/^$/{exit} h' "$TMP/out" | wc -l)
n_same=$(awk '/^kernel /{h=1; next} h&&/^$/{exit} h' "$TMP/out" | grep -cE ' 1\.000 \[[0-9.]+, [0-9.]+\] +1\.0000  same$')
if [ "$n" -eq 5 ] && [ "$n_same" -eq 5 ]; then ok "self-compare: every row same, ratio 1.000, p 1"; else bad "self-compare rows" "rows=$n same=$n_same"; fi
expect_in "self-compare summary" out "5 configurations: 0 faster, 0 slower, 5 no significant difference"

# ---- context refusals ------------------------------------------------------
cmp compare-base.json compare-cflags.json
expect_rc "different cflags refused" 2
expect_in "cflags refusal names the field and both values" err "context.corebench.cflags differs: compare-base.json has '-O2 -g', compare-cflags.json has '-O3 -march=native'"
[ -s "$TMP/out" ] && bad "refusal prints no table" || ok "refusal prints no table"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok "one line per difference (cflags)" || bad "one line per difference (cflags)"

cmp compare-base.json compare-fingerprint.json
expect_rc "different fingerprint refused" 2
expect_in "fingerprint refusal names the field and both values" err "context.topology.fingerprint differs: compare-base.json has '3f2a9c1d0b7e6a55', compare-fingerprint.json has '9e04b1c2d3a4f507'"

cmp compare-base.json compare-fingerprint.json --force
expect_rc "different fingerprint with --force" 0
expect_in "--force warns on stderr" err "WARNING: context.topology.fingerprint differs"
expect_in "--force warns in the report too" out "WARNING: build or topology differs"
expect_row "--force still compares" gcd threads 4 0.502 faster

cmp --force compare-base.json compare-cflags.json
expect_rc "different cflags with --force" 0
expect_in "--force warns about cflags" err "WARNING: context.corebench.cflags differs"

# Strings from a crafted file: escape sequences and a bidi override must not
# reach the terminal, refused or forced.
cmp compare-base.json compare-hostile.json
expect_rc "hostile compiler string refused" 2
expect_in "hostile: names compiler" err "context.corebench.compiler differs"
cmp compare-base.json compare-hostile.json --force
expect_rc "hostile with --force" 0
if grep -q $'\x1b\|\x07' "$TMP/out" "$TMP/err" || grep -q $'\xe2\x80\xae' "$TMP/out" "$TMP/err"; then
    bad "no control characters or bidi overrides printed"
else
    ok "no control characters or bidi overrides printed"
fi
expect_in "hostile host name shown cleaned" out "host evil?]0;pwned?host"

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

# ---- --json and several files ----------------------------------------------
cmp compare-base.json compare-new.json compare-fingerprint.json --force --json "$TMP/cmp.json"
expect_rc "three files with --json" 0
expect_in "three files: each summary names its file" out "compare-fingerprint.json: 4 configurations: 1 faster"
if [ -s "$TMP/cmp.json" ] && "$PY" - "$TMP/cmp.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "corebench-compare/1" and d["alpha"] == 0.05
c = d["comparisons"]
assert [x["file"] for x in c] == ["compare-new.json", "compare-fingerprint.json"]
assert c[0]["context_differences"] == []
assert c[1]["context_differences"][0]["field"] == "context.topology.fingerprint"
rows = {(r["kernel"], r["executor"]): r for r in c[0]["rows"]}
assert rows[("gcd", "threads")]["verdict"] == "faster"
assert abs(rows[("gcd", "threads")]["ratio"] - 0.0151 / 0.0301) < 1e-9
assert rows[("sum", "process-pool")]["verdict"] == "slower"
assert rows[("gcd", "serial")]["verdict"] == "same"
assert rows[("factorize", "thread-pool")]["verdict"] == "too few samples"
assert c[0]["summary"]["faster"] == 1 and c[0]["summary"]["configurations"] == 4
assert c[0]["only_in_base"][0]["executor"] == "gil"
assert c[0]["only_in_new"][0]["executor"] == "openmp"
EOF
then ok "--json content"; else bad "--json content"; fi
ls -A "$TMP" | grep -q '^\.corebench-' && bad "--json left a temporary file" || ok "--json left no temporary file"
cmp compare-base.json compare-new.json --json compare-base.json
expect_rc "--json onto an input refused" 2
expect_in "--json onto an input: says why" err "is one of the input files"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
