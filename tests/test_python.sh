#!/usr/bin/env bash
# The CPython executors end to end: every kernel through every py-*
# executor with the C kernel's verify() judging CPython's outputs; a
# corrupted CPython output rejected; py-* reported unavailable (exit 3)
# while the rest of the sweep runs when there is no interpreter; speedups
# divided by py-serial; the convoy's metrics beside the baseline's.
CB=$1; SRC=$2
PY=${PYTHON:-python3}
. "$SRC/tests/lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T"
R="$CB run -s tiny -r 2 --warmup 0 --no-probe --no-counters -q"
PYX=py-serial,py-threads,py-processes,py-processes-chunked

# every kernel x every py executor, verified by C
kernels=$("$CB" list | awk '/^kernels/{k=1;next} /^$/{k=0} k && /^  [a-z]/{print $1}' | paste -sd,)
$R -k "$kernels" -e "$PYX" -w 2 --chunksize 1,auto -o all.json 2>err.txt; rc=$?
check "every kernel through every py-* executor exits 0 (rc=$rc: $(tail -2 err.txt))" test "$rc" -eq 0
check "the result follows the schema" "$PY" "$SRC/tests/validate_result.py" all.json
check "py runs: verified, cpython, speedups over py-serial, interpreter recorded" "$PY" - all.json <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
runs = d["runs"]
kernels = {r["kernel"] for r in runs}
assert len(kernels) >= 7, kernels
for r in runs:
    assert r["verified"], r
    assert r["runtime"] == "cpython", r["executor"]
    assert r["baseline"] == (r["executor"] == "py-serial"), r
    if r["executor"] == "py-processes":
        assert r["chunksize"] in (1, "auto") and r["chunksize_used"] >= 1, r
        assert r["ipc"]["bytes_to_workers"] > 0, r
    if r["executor"] == "py-threads":
        # one process: every worker reports the same pid
        assert len({w["pid"] for w in r["workers_detail"]}) == 1, r
    if r["executor"].startswith("py-processes"):
        assert len({w["pid"] for w in r["workers_detail"]}) == 2, r
    assert sum(w["tasks"] for w in r["workers_detail"]) == r["tasks"], r
for k in kernels - {"convoy"}:
    base = next(r for r in runs if r["kernel"] == k and r["baseline"])
    for r in runs:
        if r["kernel"] == k and not r["baseline"]:
            want = base["stats"]["estimate"] / r["stats"]["estimate"]
            got = r["speedup"]["value"]
            assert abs(got - want) <= 1e-6 * want, (k, r["executor"], got, want)
about = d["context"]["executors"]["py-threads"]
for key in ("python", "executable", "version", "implementation",
            "gil_enabled", "start_method"):
    assert about.get(key), key
assert about["gil_enabled"] in ("true", "false")
EOF

# C and CPython in one sweep: each language divides by its own serial run
$R -k gcd -e threads,py-threads -w 2 -o mixed.json; rc=$?
check "C and CPython in one sweep exits 0" test "$rc" -eq 0
check "serial and py-serial were both added as baselines" "$PY" -c "
import json
d = json.load(open('mixed.json'))
b = {r['executor'] for r in d['runs'] if r['baseline']}
assert b == {'serial', 'py-serial'}, b
for r in d['runs']:
    base = next(x for x in d['runs'] if x['baseline'] and x['runtime'] == r['runtime'])
    assert abs(r['speedup']['value'] - base['stats']['estimate'] / r['stats']['estimate']) < 1e-6 * r['speedup']['value']
"

# a wrong CPython output fails the C verify(), naming the task
for x in py-serial py-processes; do
  CB_PY_CORRUPT=3 $R -k gcd -e $x -w 2 --keep-going -o bad-$x.json 2>bad.txt; rc=$?
  check "$x: a corrupted output fails the sweep (rc=$rc)" test "$rc" -eq 1
  check "$x: the failure names the task and is in the file" "$PY" -c "
import json
d = json.load(open('bad-$x.json'))
r = next(r for r in d['runs'] if r['executor'] == '$x')
assert not r['verified'] and 'gcd task 3' in r['error'], r.get('error')
"
done

# no interpreter: py-* skipped with one line each, the rest runs, exit 3
nopy=$(mktemp -d)
PATH=$nopy $R -k gcd -e threads,py-threads -w 2 -o nopy.json 2>nopy.txt; rc=$?
check "no python3 on PATH: exit 3 (rc=$rc)" test "$rc" -eq 3
check "no python3: one line names py-threads and why" bash -c \
  "grep -c 'py-threads unavailable' nopy.txt | grep -qx 1 && grep -q \"no 'python3' interpreter\" nopy.txt"
check "no python3: threads ran and verified, the warning is in the file" "$PY" -c "
import json
d = json.load(open('nopy.json'))
assert {r['executor'] for r in d['runs']} == {'serial', 'threads'}
assert all(r['verified'] for r in d['runs'])
assert any(w['code'] == 'unavailable' and 'py-threads' in w['message'] for w in d['warnings'])
"
$R -k gcd -e threads,py-serial --python "$T/no/python9" -o nopy2.json 2>/dev/null; rc=$?
check "--python to a missing interpreter: exit 3 (rc=$rc)" test "$rc" -eq 3
PATH=$nopy $R -k gcd -e threads,$PYX -o nopy3.json 2>nopy3.txt
check "no python3: said once for all four py-* executors" bash -c \
  "[ \$(grep -c unavailable nopy3.txt) -eq 1 ] && grep -q 'py-serial, py-threads, py-processes, py-processes-chunked unavailable' nopy3.txt"
PATH=$nopy $R -k gcd -e py-threads -o none.json 2>none.txt; rc=$?
check "only py-* and no python3: exit 3 (rc=$rc), nothing written" \
  bash -c "[ $rc -eq 3 ] && [ ! -e none.json ] && grep -q 'no executor' none.txt"
rmdir "$nopy"

# the convoy: per-sample metrics, the baseline's beside them
$R -k convoy -e gil,py-threads -w 2 --switch-interval 1000 -o convoy.json; rc=$?
check "convoy sweep exits 0" test "$rc" -eq 0
check "convoy: io_op_s per sample, with the same runtime's alone time" "$PY" -c "
import json
d = json.load(open('convoy.json'))
runs = {(r['executor']): r for r in d['runs']}
for x, base in (('gil', 'serial'), ('py-threads', 'py-serial')):
    m = runs[x]['metrics']['io_op_s']
    assert len(m['samples']) == runs[x]['stats']['n'] and all(v >= 50e-6 for v in m['samples'])
    assert m['baseline'] == runs[base]['metrics']['io_op_s']['median']
    assert runs[x]['speedup'] is None   # a timed kernel has no speedup
"
finish
