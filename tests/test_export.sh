#!/usr/bin/env bash
# corebench run --export-csv / --export-markdown, and one label per
# configuration: run's table, the CSV, the Markdown and compare name every
# configuration of a chunksize sweep and of a switch-interval sweep alike.
# Each CSV is checked against the JSON it came from (tests/check_export.py,
# the python csv module only).
# usage: test_export.sh COREBENCH SOURCE_DIR
set -u
CB=${1:?usage: test_export.sh COREBENCH SOURCE_DIR}
SRC=${2:?usage: test_export.sh COREBENCH SOURCE_DIR}
# the checks run in a scratch directory: make relative paths absolute
case $CB in
    /*) ;;
    */*) CB=$(cd "$(dirname "$CB")" && pwd)/$(basename "$CB") ;;
esac
SRC=$(cd "$SRC" && pwd)
. "$SRC/tests/lib.sh"
PY=${PYTHON:-python3}
CHECK="$SRC/tests/check_export.py"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/test_export.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
export CB_LOCK_FILE=${CB_LOCK_FILE:-$TMP/lock}
R=("$CB" run --no-probe -s tiny -w 2 -r 3 --warmup 0)

# sweep NAME ARGS...: a sweep with both exports, its table in NAME.txt,
# then compare of the file against itself with its own two outputs.
sweep() {
  local n=$1; shift
  "${R[@]}" "$@" -o "$n.json" --export-csv "$n.csv" --export-markdown "$n.md" \
    >"$n.txt" 2>"$n.err"
  check "$n: sweep with both exports exits 0 ($(tail -1 "$n.err"))" test $? -eq 0
  check "$n: the table says where each export went" \
    grep -qx "wrote $n.csv" "$n.txt"
  check "$n: CSV matches its JSON" "$PY" "$CHECK" csv "$n.json" "$n.csv"
  "$CB" compare "$n.json" "$n.json" --json "$n-cmp.json" \
    --export-markdown "$n-cmp.md" >"$n-cmp.txt" 2>&1
  check "$n: compare against itself" test $? -eq 0
  check "$n: one label per configuration everywhere" "$PY" "$CHECK" labels \
    "$n.json" "$n.csv" "$n.txt" "$n.md" "$n-cmp.json" "$n-cmp.txt" "$n-cmp.md"
}

sweep chunk -k empty -e thread-pool,process-pool --chunksize 1,16,auto
for l in "thread-pool c=16" "process-pool c=auto"; do
  check "chunk: label '$l' in the CSV" grep -q ",$l,2," chunk.csv
done
check "chunk: CSV has the chunksize column" \
  bash -c "head -1 chunk.csv | grep -q ',exec_chunksize,'"
check "chunk: Markdown is a table under a title" \
  bash -c "head -1 chunk.md | grep -qx '# corebench run' && grep -q '^| empty | process-pool c=16 | 2 | ' chunk.md"

check "chunk: Markdown says how it sampled (-r 3)" \
  grep -q '^- .* configurations x 3 samples (+0 warm-up), pin ' chunk.md
"$CB" run --no-probe -s tiny -w 2 --warmup 0 -k empty -e threads \
  --min-samples 6 --max-samples 8 --target-ci 5 -o ad.json \
  --export-markdown ad.md -q >/dev/null 2>&1
check "adaptive: Markdown says the rule, not its maximum alone" \
  grep -q '^- 2 configurations x 6-8 samples to a 5% CI (+0 warm-up), pin ' ad.md

sweep switch -k gcd -e threads,gil --switch-interval 100,5000
for l in "gil si=100us" "gil si=5000us"; do
  check "switch: label '$l' in the CSV" grep -q ",$l,2," switch.csv
  check "switch: label '$l' in compare" grep -q "  $l  " switch-cmp.txt
done

# a kernel with metrics: one column per metric, per sample
"${R[@]}" -k convoy -e threads -o convoy.json --export-csv convoy.csv -q \
  >convoy.out
check "convoy: sweep exits 0" test $? -eq 0
check "-q: nothing on stdout, no 'wrote' line either" test ! -s convoy.out
check "convoy: CSV with metric columns matches its JSON" \
  "$PY" "$CHECK" csv convoy.json convoy.csv
check "convoy: metric_io_op_s column" \
  bash -c "head -1 convoy.csv | grep -q ',metric_io_op_s,'"

# the checker must fail on a CSV that does not match
sed '2s/,[0-9.e-]*,\([0-9.e-]*\),\([0-9.e-]*\),\(true\|false\)/,9.99,\1,\2,\3/' \
  chunk.csv >tampered.csv
check "tampered seconds really changed" bash -c "! cmp -s chunk.csv tampered.csv"
check "checker: a changed value fails" bash -c "! '$PY' '$CHECK' csv chunk.json tampered.csv >/dev/null"
sed '3d' chunk.csv >short.csv
check "checker: a missing row fails" bash -c "! '$PY' '$CHECK' csv chunk.json short.csv >/dev/null"
sed 's/,thread-pool c=1,/,thread-pool c=2,/' chunk.csv >relabel.csv
check "relabelled CSV still matches its JSON" "$PY" "$CHECK" csv chunk.json relabel.csv
check "checker: a label that differs fails" bash -c "! '$PY' '$CHECK' labels chunk.json relabel.csv chunk.txt chunk.md chunk-cmp.json chunk-cmp.txt chunk-cmp.md >/dev/null"

# ---- the export paths: checked with --out, before the sweep -----------------
E=("${R[@]}" -k empty -e thread-pool)
: >exists.csv
expect_fail 2 "^corebench run: --export-csv exists.csv: file exists \(use --force" \
  "an existing --export-csv is refused" -- "${E[@]}" -o p1.json --export-csv exists.csv
check "refused before the sweep: no result file" test ! -e p1.json
check "refused: the existing export untouched" test ! -s exists.csv
"${E[@]}" -o p2.json --export-csv exists.csv --force -q
check "--force replaces an existing export" "$PY" "$CHECK" csv p2.json exists.csv
expect_fail 2 "--export-markdown p3.json: is the file --out writes too" \
  "--export-markdown onto --out refused" -- "${E[@]}" -o p3.json --export-markdown p3.json
expect_fail 2 "--export-markdown ./x.csv: is the file --export-csv writes too" \
  "both exports one file refused" -- "${E[@]}" -o p4.json --export-csv x.csv --export-markdown ./x.csv
ln -s exists.csv link.csv
expect_fail 2 "--export-csv link.csv: is a symbolic link" \
  "an export onto a symbolic link refused, even with --force" -- "${E[@]}" -o p5.json --force --export-csv link.csv
mkfifo fifo.md
expect_fail 2 "--export-markdown fifo.md: is a FIFO" \
  "an export onto a FIFO refused, even with --force" -- "${E[@]}" -o p6.json --force --export-markdown fifo.md
expect_fail 2 "--export-csv nodir/x.csv: directory nodir does not exist" \
  "an export into a missing directory refused" -- "${E[@]}" -o p7.json --export-csv nodir/x.csv
expect_fail 2 "--export-csv needs a value" \
  "--export-csv without a value" -- "${E[@]}" -o p8.json --export-csv
check "no refused sweep wrote a file" bash -c "! ls p1.json p3.json p4.json p5.json p6.json p7.json p8.json x.csv 2>/dev/null | grep -q ."
check "no temporary file left" bash -c "! ls -A | grep -q '^\.corebench-'"

finish
