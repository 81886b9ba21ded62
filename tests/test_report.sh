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
for t in speedup breakdown overhead gil ceilings; do
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
# Ceilings, by hand from the fixture: every sum run touches 3.2e9 bytes per
# map; the probe's triad is 14.1 GB/s at 1 thread and 18.3 GB/s at 2; the
# machine has 2 allowed PUs and no cgroup limit.
#   sum serial:      3.2e9 / 0.412 s    = 7.76699e9 B/s, / 1.41e10 = 0.55085
#   sum threads 2:   3.2e9 / 0.20999 s  = 1.52388e10,    / 1.83e10 = 0.832722
#   sum pp cs=1024:  3.2e9 / 0.2131 s   = 1.50164e10,    / 1.83e10 = 0.82057
#   gcd threads 2:   speedup 1.9503, ideal min(2, 2) = 2 -> 0.97515
#   gcd gil 2 si=100: speedup 0.9191 / 2 = 0.45955
C=$R/ceilings.tsv
check "ceilings.tsv: header" \
    bash -c "head -1 '$C' | grep -q '^kernel	executor	workers	median_s	achieved	ceiling	fraction	kind	triad_threads	bytes_touched	series	machine	'"
check "ceilings.tsv: sum serial 7.77 GB/s = 0.55085 of the 1-thread triad" \
    grep -q '^sum	serial	1	0\.412	7\.76699e+09	1\.41e+10	0\.55085	bandwidth	1	3\.2e+09	serial	lab-laptop 7c1e2f90	' "$C"
check "ceilings.tsv: sum threads 2 15.24 GB/s = 0.832722 of the 2-thread triad" \
    grep -q '^sum	threads	2	0\.20999	1\.52388e+10	1\.83e+10	0\.832722	bandwidth	2	3\.2e+09	threads	' "$C"
check "ceilings.tsv: sum process-pool cs=1024 at 2 workers, 0.82057" \
    grep -q '^sum	process-pool	2	0\.2131	1\.50164e+10	1\.83e+10	0\.82057	bandwidth	2	3\.2e+09	process-pool cs=1024	' "$C"
check "ceilings.tsv: gcd threads 2, speedup 1.9503 of linear 2 = 0.97515" \
    grep -q '^gcd	threads	2	0\.341999	1\.9503	2	0\.97515	linear	NaN	NaN	threads	' "$C"
check "ceilings.tsv: gcd gil 2 workers si=100us, 0.45955" \
    grep -q '^gcd	gil	2	0\.725696	0\.9191	2	0\.45955	linear	NaN	NaN	gil si=100us	' "$C"
check "ceilings.tsv: every sum run against bandwidth (15), every parallel gcd run against linear (12, no serial)" \
    bash -c "[ \"\$(awk -F'\t' 'NR>1 {print \$1, \$8}' '$C' | sort | uniq -c | awk '{print \$1, \$2, \$3}' | tr '\n' ' ')\" = '12 gcd linear 15 sum bandwidth ' ]"
check "triad.tsv: the probe's two points" \
    bash -c "[ \"\$(awk -F'\t' 'NR>1 {print \$2, \$3}' '$R/triad.tsv' | tr '\n' ' ')\" = '1 1.41e+10 2 1.83e+10 ' ]"
check "summary: sum against the triad at 2 workers" \
    grep -qx '  sum: threads 2 workers: 15.2 GB/s = 83% of dram triad (18.3 GB/s at 2 threads)' "$T/out1"
check "summary: gcd against linear at 2 workers" \
    grep -qx '  gcd: threads 2 workers: speedup 1.95 = 98% of linear' "$T/out1"
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
        breakdown-gcd breakdown-sum overhead-sum gil-gcd gil-sum ceilings-sum; do
        check "$p.png is a real PNG" is_png "$R/$p.png"
        check "$p.png is listed on stdout and in index.md" \
            bash -c "grep -q '/$p.png\$' '$T/out1' && grep -q '($p.png)' '$R/index.md'"
    done
    check "no overhead figure for gcd (one chunksize only)" [ ! -e "$R/overhead-gcd.png" ]
    check "no ceilings figure for gcd (a compute kernel)" [ ! -e "$R/ceilings-gcd.png" ]
    check "no machines figure for one file" \
        bash -c "! ls '$R'/machines-* >/dev/null 2>&1"
fi

# ---- ceilings: no probe, a partial probe, a CPU limit, no work objects -----------
# probe null: no bandwidth rows, no triad table or figure, no error
sed '/^ "probe": {/,/^ },$/c\ "probe": null,' "$FIX/sample.json" >"$T/noprobe.json"
"$BIN" report "$T/noprobe.json" --out "$T/np" >"$T/out-np" 2>"$T/err-np"
rc=$?
check "no probe: exit $WANT (got $rc)" [ $rc -eq $WANT ]
if [ $HAVE_GNUPLOT -eq 1 ]; then
    check "no probe: nothing on stderr" [ ! -s "$T/err-np" ]
fi
check "no probe: ceilings.tsv has no bandwidth rows, the 12 linear ones" \
    bash -c "! grep -q '	bandwidth	' '$T/np/ceilings.tsv' &&
             [ \$(grep -c '	linear	' '$T/np/ceilings.tsv') -eq 12 ]"
check "no probe: no triad.tsv, no ceilings figure" \
    bash -c "[ ! -e '$T/np/triad.tsv' ] && ! ls '$T/np'/ceilings-*.png >/dev/null 2>&1"
check "no probe: the summary has gcd against linear and nothing for sum" \
    bash -c "grep -qx '  gcd: threads 2 workers: speedup 1.95 = 98% of linear' '$T/out-np' &&
             ! grep -q '^  sum: ' '$T/out-np'"

# The 2-thread triad point failed (null): 2 workers fall back to the largest
# measured count, 1 thread: 1.52388e10 / 1.41e10 = 1.08077 (not clamped).
# A cgroup limit of 1.5 CPUs caps linear: 1.9503 / 1.5 = 1.3002.
sed -e 's/"bytes_per_s": 18300000000.0/"bytes_per_s": null/' \
    -e 's/"cgroup_cpu_limit": null/"cgroup_cpu_limit": 1.5/' \
    "$FIX/sample.json" >"$T/partial.json"
"$BIN" report "$T/partial.json" --out "$T/pp" >"$T/out-pp" 2>"$T/err-pp"
rc=$?
check "partial probe: exit $WANT (got $rc)" [ $rc -eq $WANT ]
check "partial probe: sum threads 2 against the 1-thread triad, 1.08077" \
    grep -q '^sum	threads	2	0\.20999	1\.52388e+10	1\.41e+10	1\.08077	bandwidth	1	' "$T/pp/ceilings.tsv"
check "cgroup limit: gcd threads 2 against an ideal 1.5, 1.3002" \
    grep -q '^gcd	threads	2	0\.341999	1\.9503	1\.5	1\.3002	linear	' "$T/pp/ceilings.tsv"
check "partial probe: triad.tsv keeps the 1-thread point only" \
    [ "$(($(wc -l <"$T/pp/triad.tsv") - 1))" -eq 1 ]
check "partial probe: the summary names the thread count, the limit, and why each is above its ceiling" \
    bash -c "grep -qx '  sum: threads 2 workers: 15.2 GB/s = 108% of dram triad (14.1 GB/s at 1 thread): above the dram triad: faster than the probe'\''s best triad (a disturbed probe, or an access pattern the triad does not reach)' '$T/out-pp' &&
             grep -qx '  gcd: threads 2 workers: speedup 1.95 = 130% of linear (ideal 1.5: cgroup limit 1.5 CPUs): above linear: beyond the cgroup limit of 1.5 CPUs (a quota is an average over its period)' '$T/out-pp'"
check "partial probe: ceilings.tsv gives the reason of every fraction above 1, and only those" \
    bash -c "awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) col[\$i] = i; next }
                          (\$col[\"fraction\"] > 1) != (\$col[\"note\"] != \"-\") { bad = 1 }
                          \$col[\"fraction\"] > 1 { n++ }
                          END { exit bad || n < 2 }' '$T/pp/ceilings.tsv'"

# Ceilings by working set (probe.triad_levels, work.working_set_bytes).
# The laptop's caches: l2 256 KiB per thread, llc 3 MiB (3145728) shared.
# A 1 MB chunk per task: serial 1 MB and 2 workers 2 MB both fit the llc,
#   sum serial   7.76699e9 / llc@1 4e10 = 0.194175
#   sum threads  1.52388e10 / llc@2 7e10 = 0.217697
# A 2 MB chunk: 2 workers hold 4 MB, more than the llc: dram, 0.832722 as
# before; with the dram 2-thread point gone, dram@1 gives 1.08077, above
# it, and 4 MB is within 4x of the 3 MiB llc: "partly cached".
PY=${PYTHON:-python3}
levels() { # levels WS_BYTES DROP_DRAM_2 OUT
    "$PY" - "$FIX/sample.json" "$@" <<'PYEOF'
import json, sys
src, ws, drop, out = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
d = json.load(open(src))
dram = [p for p in d["probe"]["triad"] if not (drop and p["threads"] == 2)]
d["probe"]["triad"] = dram
d["probe"]["triad_levels"] = [
    {"level": "l2", "cache_bytes": 262144, "shared": False, "working_set_bytes": 131064.0,
     "passes": 1000, "points": [{"threads": 1, "bytes_per_s": 6e10}, {"threads": 2, "bytes_per_s": 1.1e11}]},
    {"level": "llc", "cache_bytes": 3145728, "shared": True, "working_set_bytes": 1572864.0,
     "passes": 100, "points": [{"threads": 1, "bytes_per_s": 4e10}, {"threads": 2, "bytes_per_s": 7e10}]},
    {"level": "dram", "cache_bytes": None, "shared": True, "working_set_bytes": 301989888.0,
     "passes": 1, "points": dram}]
for r in d["runs"]:
    if r["kernel"] == "sum":
        r["work"]["working_set_bytes"] = ws
json.dump(d, open(out, "w"), indent=1)
PYEOF
}
levels 1e6 0 "$T/lv1.json"
"$BIN" report "$T/lv1.json" --out "$T/lv1" >"$T/out-lv1" 2>"$T/err-lv1"
rc=$?
check "levels, 1 MB working set: exit $WANT (got $rc)" [ $rc -eq $WANT ]
check "levels, 1 MB: sum serial against the llc triad at 1 thread, 0.194175" \
    grep -q '^sum	serial	1	0\.412	7\.76699e+09	4e+10	0\.194175	bandwidth	1	3\.2e+09	.*	llc	-$' "$T/lv1/ceilings.tsv"
check "levels, 1 MB: sum threads 2 (2 MB in all) against the llc at 2 threads, 0.217697" \
    grep -q '^sum	threads	2	0\.20999	1\.52388e+10	7e+10	0\.217697	bandwidth	2	.*	llc	-$' "$T/lv1/ceilings.tsv"
check "levels: triad.tsv has every level's points, fastest first" \
    bash -c "[ \"\$(awk -F'\t' 'NR>1 {print \$6 \$7 \":\" \$2}' '$T/lv1/triad.tsv' | tr '\n' ' ')\" = 'l20:1 l20:2 llc1:1 llc1:2 dram2:1 dram2:2 ' ]"
if [ $HAVE_GNUPLOT -eq 1 ]; then
    check "levels: the ceilings figure is drawn" is_png "$T/lv1/ceilings-sum.png"
fi
levels 2e6 0 "$T/lv2.json"
"$BIN" report "$T/lv2.json" --out "$T/lv2" >/dev/null 2>&1
check "levels, 2 MB: 2 workers hold 4 MB, beyond the llc: dram at 2 threads, 0.832722" \
    grep -q '^sum	threads	2	0\.20999	1\.52388e+10	1\.83e+10	0\.832722	bandwidth	2	.*	dram	-$' "$T/lv2/ceilings.tsv"
check "levels, 2 MB: serial still fits the llc" \
    grep -q '^sum	serial	1	.*	4e+10	0\.194175	.*	llc	-$' "$T/lv2/ceilings.tsv"
levels 2e6 1 "$T/lv3.json"
"$BIN" report "$T/lv3.json" --out "$T/lv3" >"$T/out-lv3" 2>&1
check "levels, 2 MB, no dram point at 2: above dram@1 with the reason" \
    grep -q '^sum	threads	2	0\.20999	1\.52388e+10	1\.41e+10	1\.08077	bandwidth	1	.*	dram	above the dram triad: partly cached, the working set (3.81 MiB) is within 4x of the llc (3 MiB)$' "$T/lv3/ceilings.tsv"
check "levels: the summary says it too" \
    grep -qx '  sum: threads 2 workers: 15.2 GB/s = 108% of dram triad (14.1 GB/s at 1 thread): above the dram triad: partly cached, the working set (3.81 MiB) is within 4x of the llc (3 MiB)' "$T/out-lv3"

# No working set declared (null, as a file from before it has none): dram,
# and the reason says the working set is unknown
sed -e 's/"working_set_bytes": 16000000.0/"working_set_bytes": null/' \
    -e 's/"bytes_per_s": 18300000000.0/"bytes_per_s": null/' \
    "$FIX/sample.json" >"$T/nows.json"
"$BIN" report "$T/nows.json" --out "$T/nows" >"$T/out-nows" 2>&1
check "no working set declared: the fixture edit nulled them all" \
    bash -c "grep -q '\"working_set_bytes\": null' '$T/nows.json' &&
             ! grep -q '\"working_set_bytes\": [0-9]' '$T/nows.json'"
check "no working set declared: dram@1, above it because the working set is unknown" \
    grep -q '^sum	threads	2	0\.20999	1\.52388e+10	1\.41e+10	1\.08077	bandwidth	1	.*	dram	above the dram triad: the kernel declares no working set, so it may run from a cache$' "$T/nows/ceilings.tsv"

# A file from before work objects: whether a kernel is memory-bound is
# unknown, so no ceiling at all (not linear for sum), and no error.
sed '/^   "work": {/,/^   },$/d' "$FIX/sample.json" >"$T/nowork.json"
"$BIN" report "$T/nowork.json" --out "$T/nw" >"$T/out-nw" 2>"$T/err-nw"
rc=$?
check "no work objects: exit $WANT (got $rc)" [ $rc -eq $WANT ]
check "no work objects: the fixture edit removed them all" \
    bash -c "! grep -q '\"work\"' '$T/nowork.json' && ! grep -q bytes_touched '$T/nowork.json'"
check "no work objects: no ceilings.tsv, no ceilings section" \
    bash -c "[ ! -e '$T/nw/ceilings.tsv' ] && ! grep -q 'against the ceilings' '$T/out-nw'"

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
# Work objects make every run memory-bound, so the ceilings table and
# figures carry the hostile names too; the extra triad points are invalid
# (a string, a fraction, a negative count, a negative bandwidth) and must
# be ignored.
sed -e 's/^   "verified": /   "work": {"unit": "@PWNED@", "per_map": null, "bytes_touched": 1e9}, "verified": /' \
    -e 's/^  "triad": \[/  "triad": [{"threads": "2\\"; system(\\"touch @PWNED@\\")", "bytes_per_s": 1e300}, {"threads": 1.5, "bytes_per_s": 1e10}, {"threads": -3, "bytes_per_s": 5e9}, {"threads": 8, "bytes_per_s": -1},/' \
    -e "s,@PWNED@,$PWN,g" "$FIX/hostile.json" >"$T/hostile.json"
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
for t in speedup breakdown overhead gil ceilings triad; do
    check "hostile: $t.tsv rows keep the header's field count" same_fields "$T/h/sub/out/$t.tsv"
done
check "hostile: one ceilings row per run (34), the two valid triad points" \
    bash -c "[ \$(grep -c '	bandwidth	' '$T/h/sub/out/ceilings.tsv') -eq 34 ] &&
             [ \"\$(awk -F'\t' 'NR>1 {print \$2}' '$T/h/sub/out/triad.tsv' | tr '\n' ' ')\" = '1 2 ' ]"
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

# ---- control characters in refusals (issue 11) ----------------------------------
# A file's schema string and jansson's parse errors (which quote the bad
# token) reach the error line: ESC, BEL, C1 and bidi controls must not.
printf '{"schema": "x\\u001b]0;pwned\\u0007\\u009b31m\\u202e", "runs": []}' >"$T/esc-schema.json"
printf '{"schema": "corebench/1", "runs": [\x1b]0;pwned\x07]}' >"$T/esc-token.json"
printf '{"schema": "corebench/1", "runs": [], "\x1b[31m": 1, "\x1b[31m": 2}' >"$T/esc-dup.json"
for f in esc-schema esc-token esc-dup; do
    "$BIN" report "$T/$f.json" --out "$T/$f-out" >"$T/$f.out" 2>"$T/$f.err"
    rc=$?
    check "$f: exit 2 (got $rc)" [ $rc -eq 2 ]
    check "$f: one line on stderr naming the file" \
        bash -c "[ \$(wc -l <'$T/$f.err') -eq 1 ] && grep -q '$f.json' '$T/$f.err'"
    check "$f: no ESC, BEL, C1 or bidi control reaches the terminal" \
        bash -c "! LC_ALL=C grep -q \$'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]\|\xe2\x80\xae' '$T/$f.err' '$T/$f.out'"
    check "$f: nothing written" [ ! -e "$T/$f-out" ]
done
check "esc-schema: the schema is shown, cleaned" grep -q "schema 'x?]0;pwned??31m?' is not supported" "$T/esc-schema.err"

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
