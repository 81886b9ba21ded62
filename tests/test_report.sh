#!/usr/bin/env bash
# corebench report: tables, figures, refusals and hostile input.
# usage: test_report.sh COREBENCH_BINARY SOURCE_DIR
#
# Figures are checked when gnuplot is installed; without it the report must
# still write the tables and exit 1 with one line saying gnuplot is missing.
set -u

BIN=${1:?usage: test_report.sh COREBENCH SOURCE_DIR}
SRC=${2:?usage: test_report.sh COREBENCH SOURCE_DIR}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
case $SRC in /*) ;; *) SRC=$PWD/$SRC ;; esac
FIX=$SRC/tests/fixtures
export CB_PLOTS_DIR=$SRC/plots

T=$(mktemp -d "${TMPDIR:-/tmp}/cb-report-test.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1"; }
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}

HAVE_GNUPLOT=0
command -v gnuplot >/dev/null 2>&1 && HAVE_GNUPLOT=1
# exit status of a normal report: 1 when gnuplot is missing (tables only)
WANT=$((HAVE_GNUPLOT ? 0 : 1))

is_png() { # the 8-byte PNG signature
    [ -s "$1" ] &&
        [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
}
same_fields() { # every line of a TSV has as many fields as its header
    [ "$(awk -F'\t' '{print NF}' "$1" | sort -u | wc -l)" -eq 1 ]
}
tree_sum() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

# ---- a normal report ---------------------------------------------------------
R=$T/r1
"$BIN" report "$FIX/sample.json" --out "$R" >"$T/out1" 2>"$T/err1"
rc=$?
check "sample: exit $WANT (got $rc)" [ $rc -eq $WANT ]
if [ $HAVE_GNUPLOT -eq 1 ]; then
    check "sample: nothing on stderr" [ ! -s "$T/err1" ]
else
    check "sample without gnuplot: one line naming gnuplot" \
        bash -c "[ \$(wc -l <'$T/err1') -eq 1 ] && grep -q gnuplot '$T/err1'"
fi
for t in speedup breakdown overhead gil; do
    check "$t.tsv written, one header line, even columns" \
        bash -c "[ -s '$R/$t.tsv' ] && head -1 '$R/$t.tsv' | grep -q '^kernel	executor	workers' &&
                 [ \$(grep -c '^kernel	' '$R/$t.tsv') -eq 1 ]"
    check "$t.tsv: every row has the header's field count" same_fields "$R/$t.tsv"
done
check "no machines.tsv for one file" [ ! -e "$R/machines.tsv" ]
check "speedup.tsv header starts with the documented columns" \
    bash -c "head -1 '$R/speedup.tsv' | grep -q '^kernel	executor	workers	speedup	ci_lo	ci_hi	efficiency	eff_lo	eff_hi	median_s	karp_flatt	'"
check "speedup.tsv: gcd threads 2 workers, speedup 1.9503 [1.9348, 1.9659], KF 0.0255" \
    grep -q '^gcd	threads	2	1\.9503	1\.9348	1\.9659	0\.9751	0\.9674	0\.983	0\.341999	0\.0255	' "$R/speedup.tsv"
check "speedup.tsv: the serial run has no Karp-Flatt (NaN)" \
    grep -q '^sum	serial	1	1	0\.992	1\.008	1	0\.992	1\.008	0\.412	NaN	' "$R/speedup.tsv"
check "speedup.tsv: 28 runs" [ "$(($(wc -l <"$R/speedup.tsv") - 1))" -eq 28 ]
check "speedup.tsv: the Amdahl fit of gcd threads is attached (0.0255)" \
    bash -c "awk -F'\t' '\$1==\"gcd\" && \$2==\"threads\" && \$18==\"0.0255\"' '$R/speedup.tsv' | grep -q ."
check "breakdown.tsv: process-pool gcd at 2 workers shipped 320000 + 160000 bytes" \
    bash -c "awk -F'\t' '\$1==\"gcd\" && \$2==\"process-pool\" && \$3==2 && \$8==320000 && \$9==160000' '$R/breakdown.tsv' | grep -q ."
check "breakdown.tsv: gil lock wait is the per-worker mean (0.3335 at 1000 us)" \
    bash -c "awk -F'\t' '\$1==\"gcd\" && \$2==\"gil\" && \$3==2 && \$6==0.3335' '$R/breakdown.tsv' | grep -q ."
check "overhead.tsv: sum process-pool at chunksizes 1, 64, 1024" \
    bash -c "[ \"\$(awk -F'\t' '\$1==\"sum\" && \$2==\"process-pool\" && \$3==2 && \$12>=0 {print \$4}' '$R/overhead.tsv' | tr '\n' ' ')\" = '1 64 1024 ' ]"
check "gil.tsv: gcd at 2 workers, intervals 100, 1000, 5000 in order" \
    bash -c "[ \"\$(awk -F'\t' '\$1==\"gcd\" && \$3==2 {print \$4}' '$R/gil.tsv' | tr '\n' ' ')\" = '100 1000 5000 ' ]"
check "index.md written and lists the tables" \
    bash -c "grep -q 'speedup.tsv' '$R/index.md' && grep -q 'gil.tsv' '$R/index.md'"
check "stdout lists the files it wrote, each of them exists" \
    bash -c "grep '^/' '$T/out1' | while read -r f; do [ -f \"\$f\" ] || exit 1; done &&
             grep -q '^$R/speedup.tsv\$' '$T/out1' && grep -q '^$R/index.md\$' '$T/out1'"
check "summary: gcd's best at 2 workers is threads, 1.95 [1.93, 1.97], efficiency 0.98" \
    grep -Eq '^gcd +2 +threads +1\.95 \[1\.93, 1\.97\] +0\.98' "$T/out1"
check "no temporary files left behind" \
    bash -c "[ -z \"\$(find '$R' -name '.*' -type f)\" ]"

if [ $HAVE_GNUPLOT -eq 1 ]; then
    for p in speedup-gcd speedup-sum efficiency-gcd efficiency-sum \
        breakdown-gcd breakdown-sum overhead-sum gil-gcd gil-sum; do
        check "$p.png is a real PNG" is_png "$R/$p.png"
        check "$p.png is listed on stdout and in index.md" \
            bash -c "grep -q '/$p.png\$' '$T/out1' && grep -q '($p.png)' '$R/index.md'"
    done
    check "no overhead figure for gcd (one chunksize only)" [ ! -e "$R/overhead-gcd.png" ]
    check "no machines figure for one file" \
        bash -c "! ls '$R'/machines-* >/dev/null 2>&1"
fi

# ---- refusing to clobber -----------------------------------------------------
before=$(tree_sum "$R")
sp_before=$(sha256sum <"$R/speedup.tsv")
"$BIN" report "$FIX/sample.json" --out "$R" >"$T/out2" 2>"$T/err2"
rc=$?
check "same dir again without --force: exit 2 (got $rc)" [ $rc -eq 2 ]
check "... one line on stderr that mentions --force" \
    bash -c "[ \$(wc -l <'$T/err2') -eq 1 ] && grep -q -- --force '$T/err2'"
check "... and the files are untouched" [ "$(tree_sum "$R")" = "$before" ]
"$BIN" report "$FIX/sample.json" --out "$R" --force >/dev/null 2>&1
rc=$?
check "with --force: exit $WANT (got $rc)" [ $rc -eq $WANT ]
check "... speedup.tsv rewritten, same content" \
    [ "$(sha256sum <"$R/speedup.tsv")" = "$sp_before" ]

# ---- default output directory -------------------------------------------------
mkdir -p "$T/d"
cp "$FIX/sample.json" "$T/d/run.json"
(cd "$T" && "$BIN" report d/run.json >/dev/null 2>&1)
rc=$?
check "default --out: exit $WANT (got $rc)" [ $rc -eq $WANT ]
check "default --out is <dir>/<stem>-report" [ -s "$T/d/run-report/speedup.tsv" ]

# ---- bad input: one line, exit 2, nothing written ----------------------------
for f in truncated wrong-schema; do
    "$BIN" report "$FIX/$f.json" --out "$T/bad-$f" >"$T/out-$f" 2>"$T/err-$f"
    rc=$?
    check "$f.json: exit 2 (got $rc)" [ $rc -eq 2 ]
    check "$f.json: one line on stderr naming the file" \
        bash -c "[ \$(wc -l <'$T/err-$f') -eq 1 ] && grep -q '^corebench report: .*$f\.json' '$T/err-$f'"
    check "$f.json: nothing written" [ ! -e "$T/bad-$f" ]
done
check "truncated.json: the error has FILE:LINE:COL" \
    grep -Eq 'truncated\.json:[0-9]+:[0-9]+: ' "$T/err-truncated"
check "wrong-schema.json: the error names the schema" \
    grep -q "corebench/0" "$T/err-wrong-schema"
"$BIN" report "$FIX/sample.json" "$FIX/truncated.json" --out "$T/bad-mix" \
    >/dev/null 2>"$T/err-mix"
rc=$?
check "a good file then a bad one: exit 2, nothing written" \
    bash -c "[ $rc -eq 2 ] && [ ! -e '$T/bad-mix' ]"
"$BIN" report "$T/does-not-exist.json" >/dev/null 2>"$T/err-missing"
check "a missing file: exit 2" [ $? -eq 2 ]
"$BIN" report --bogus "$FIX/sample.json" >/dev/null 2>"$T/err-opt"
check "an unknown option: exit 2" [ $? -eq 2 ]
"$BIN" report >/dev/null 2>&1
check "no file: exit 2" [ $? -eq 2 ]
"$BIN" report --help >"$T/help" 2>&1
check "--help: exit 0, prints usage" \
    bash -c "[ $? -eq 0 ] && grep -q 'usage: corebench report' '$T/help'"

# ---- hostile strings ------------------------------------------------------------
# The fixture's strings try gnuplot injection (system(), backquotes, "|cmd"
# and "<cmd" file names, @macros), path traversal, tabs, newlines, escape
# and bidi characters. The placeholder becomes a path that must not appear.
PWN=$T/pwned
sed "s,@PWNED@,$PWN,g" "$FIX/hostile.json" >"$T/hostile.json"
mkdir -p "$T/h/sub"
touch "$T/marker"
(cd "$T/h/sub" && "$BIN" report "$T/hostile.json" --out "$T/h/sub/out" \
    >"$T/out-h" 2>"$T/err-h")
rc=$?
check "hostile: exit $WANT (got $rc)" [ $rc -eq $WANT ]
check "hostile: no injected command ran ($PWN does not exist)" [ ! -e "$PWN" ]
check "hostile: no file created outside the output directory" \
    bash -c "[ -z \"\$(find '$T' -newer '$T/marker' -type f ! -path '$T/h/sub/out/*' ! -name 'out-h' ! -name 'err-h')\" ]"
check "hostile: output file names are [A-Za-z0-9_.-] only" \
    bash -c "[ -z \"\$(ls -A '$T/h/sub/out' | LC_ALL=C grep -v '^[A-Za-z0-9_.-]*\$')\" ]"
for t in speedup breakdown overhead gil; do
    check "hostile: $t.tsv rows keep the header's field count" same_fields "$T/h/sub/out/$t.tsv"
done
check "hostile: one row per run in speedup.tsv (no injected lines)" \
    [ "$(($(wc -l <"$T/h/sub/out/speedup.tsv") - 1))" -eq 34 ]
# control characters other than the tables' own tabs and newlines
CTL=$(printf '[\001-\010\013-\037\177"]')
check "hostile: no control characters or double quotes in the tables or on stdout" \
    bash -c "! cat '$T/h/sub/out'/*.tsv '$T/out-h' '$T/err-h' | LC_ALL=C grep -q '$CTL'"
check "hostile: kernels whose names sanitize alike get distinct files" \
    bash -c "[ \$(ls '$T/h/sub/out' | grep -c '^speedup-touch_') -eq 3 ] || [ $HAVE_GNUPLOT -eq 0 ]"
if [ $HAVE_GNUPLOT -eq 1 ]; then
    check "hostile: figures drawn, all real PNGs" \
        bash -c "n=0; for f in '$T/h/sub/out'/*.png; do
                     [ \"\$(head -c 8 \"\$f\" | od -An -tx1 | tr -d ' \n')\" = 89504e470d0a1a0a ] || exit 1
                     n=\$((n + 1)); done; [ \$n -ge 10 ]"
fi

# ---- several machines ---------------------------------------------------------
sed -e 's/"lab-laptop"/"lab-desktop"/' -e 's/"7c1e2f90a4b3d658"/"0a1b2c3d4e5f6071"/' \
    "$FIX/sample.json" >"$T/desktop.json"
"$BIN" report "$FIX/sample.json" "$T/desktop.json" --out "$T/m" >"$T/out-m" 2>"$T/err-m"
rc=$?
check "two files: exit $WANT (got $rc)" [ $rc -eq $WANT ]
check "two files: machines.tsv has both machines" \
    bash -c "grep -q 'lab-laptop 7c1e2f90' '$T/m/machines.tsv' && grep -q 'lab-desktop 0a1b2c3d' '$T/m/machines.tsv'"
check "two files: machines.tsv, one bar per machine and series (2 x (7 + 9))" \
    [ "$(($(wc -l <"$T/m/machines.tsv") - 1))" -eq 32 ]
check "two files: speedup.tsv has both files' runs (56)" \
    [ "$(($(wc -l <"$T/m/speedup.tsv") - 1))" -eq 56 ]
if [ $HAVE_GNUPLOT -eq 1 ]; then
    check "two files: machines-gcd.png and machines-sum.png are PNGs" \
        bash -c "for k in gcd sum; do f='$T/m'/machines-\$k.png
                 [ \"\$(head -c 8 \"\$f\" | od -An -tx1 | tr -d ' \n')\" = 89504e470d0a1a0a ] || exit 1; done"
fi

# ---- without gnuplot ------------------------------------------------------------
env PATH="$T/empty-path" "$BIN" report "$FIX/sample.json" --out "$T/ng" \
    >"$T/out-ng" 2>"$T/err-ng"
rc=$?
check "no gnuplot on PATH: exit 1 (got $rc)" [ $rc -eq 1 ]
check "no gnuplot on PATH: one line saying so" \
    bash -c "[ \$(wc -l <'$T/err-ng') -eq 1 ] && grep -q 'gnuplot not found' '$T/err-ng'"
check "no gnuplot on PATH: the tables are written, no figure" \
    bash -c "[ -s '$T/ng/speedup.tsv' ] && [ -s '$T/ng/index.md' ] && ! ls '$T/ng'/*.png >/dev/null 2>&1"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
