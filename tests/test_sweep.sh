#!/usr/bin/env bash
# The sweep's sampling end to end: adaptive stopping and its reasons, -r N
# exact, list values given twice run once, -p KEY=V1,V2 sweeps a kernel
# parameter, and a deliberate disturbance (a busy loop on CPU 1) is flagged
# as interference on the worker pinned there. Checks flags and counts,
# never timings.
CB=$1; SRC=$2
PY=${PYTHON:-python3}
. "$SRC/tests/lib.sh"
T=$(mktemp -d); hog=
trap '[ -n "$hog" ] && kill "$hog" 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"
R="$CB run --no-probe --no-counters -q"

# adaptive: a target no sample set can meet stops at --max-samples
$R -k gcd -s tiny -e threads -w 2 --min-samples 3 --max-samples 4 \
  --target-ci 0 -o max.json; rc=$?
check "adaptive sweep exits 0 (rc=$rc)" test "$rc" -eq 0
check "no target: every configuration stops at max-samples (4 samples)" "$PY" -c "
import json
d = json.load(open('max.json'))
assert all(r['stop'] == 'max-samples' and len(r['samples']) == 4 for r in d['runs']), [(r['stop'], len(r['samples'])) for r in d['runs']]
s = d['context']['settings']
assert s['min_samples'] == 3 and s['max_samples'] == 4 and s['repetitions'] is None
"
# a loose target on blocking tasks (each 2 ms, nothing to vary) stops at
# the minimum that can have a CI: 6 samples. --keep-interfered: this is
# the stop rule alone; on a loaded machine (the sanitizer suites run two
# tests at once) most samples would be set aside as disturbed, and which
# ones is the interference tests' business (test_interference, test_e2e).
$R -k sleep -p n=4 -p us=2000 -e threads -w 2 --target-ci 50 --keep-interfered -o ci.json; rc=$?
check "target-ci sweep exits 0 (rc=$rc)" test "$rc" -eq 0
check "a 50% target is met at 6 clean samples" "$PY" -c "
import json
d = json.load(open('ci.json'))
for r in d['runs']:
    assert r['interference']['set_aside'] == 0, r['interference']
    assert r['stop'] == 'target-ci' and len(r['samples']) == 6, (r['stop'], len(r['samples']))
"
$R -k gcd -s tiny -e threads -w 2 --min-samples 2 --max-samples 50 \
  --max-time 0.000001 -o time.json
check "a spent time budget stops every configuration after --min-samples" "$PY" -c "
import json
d = json.load(open('time.json'))
assert all(r['stop'] == 'max-time' and len(r['samples']) == 2 for r in d['runs']), [(r['stop'], len(r['samples'])) for r in d['runs']]
"
$R -k gcd -s tiny -e threads -w 2 -r 3 -o exact.json
check "-r 3: exactly 3 samples, stop 'exact'" "$PY" -c "
import json
d = json.load(open('exact.json'))
assert all(r['stop'] == 'exact' and len(r['samples']) == 3 for r in d['runs'])
assert d['context']['settings']['repetitions'] == 3
"
expect_fail 2 "-r 3 asks for exactly 3 samples.*one or the other" "-r with adaptive options" -- \
  $R -k gcd -s tiny -r 3 --target-ci 2 -o x.json
expect_fail 2 "--target-ci needs --max-samples of at least 6" "target with too few samples" -- \
  $R -k gcd -s tiny --min-samples 2 --max-samples 4 --target-ci 2 -o x.json
expect_fail 2 "--max-samples 3 is below --min-samples 5" "max below min" -- \
  $R -k gcd -s tiny --min-samples 5 --max-samples 3 -o x.json
expect_fail 2 "--target-ci.*accepted" "target out of range" -- \
  $R -k gcd -s tiny --target-ci 150 -o x.json

# duplicates run once, with a note
$R -k gcd,gcd -s tiny -e threads,threads -w 2,1,2 -r 2 -o dup.json 2>dup.txt
check "duplicate list values: a note each" bash -c \
  "grep -q -- '--kernel lists gcd more than once' dup.txt && grep -q -- '--workers lists 2 more than once' dup.txt && grep -q -- '--executor lists threads more than once' dup.txt"
check "duplicate list values: each configuration once" "$PY" -c "
import json
d = json.load(open('dup.json'))
keys = [(r['kernel'], r['executor'], r['workers']) for r in d['runs']]
assert sorted(keys) == sorted(set(keys)) and len(keys) == 3, keys
"

# -p KEY=V1,V2: one workload per value, each with its own baseline
$R -k gcd -s tiny -p n=4,8,4 -e threads -w 2 -r 2 -o plist.json 2>plist.txt
check "-p n=4,8: two workloads, serial and threads each" "$PY" -c "
import json
d = json.load(open('plist.json'))
ns = sorted((r['params']['n'], r['executor']) for r in d['runs'])
assert ns == [('4', 'serial'), ('4', 'threads'), ('8', 'serial'), ('8', 'threads')], ns
assert sum(r['baseline'] for r in d['runs']) == 2
"
check "-p with a repeated value: a note" grep -q -- '--param n lists 4 more than once' plist.txt
expect_fail 2 "n.*'x'|'x'.*n" "-p list with a bad value" -- \
  $R -k gcd -s tiny -p n=4,x -o x.json

# a deliberate disturbance: a busy loop on CPU 1 beside a worker pinned to
# it is flagged; the worker on CPU 0 is not the one named
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  taskset -c 1 sh -c 'while :; do :; done' &
  hog=$!
  $R -k gcd -s small -e threads -w 2 --pin pus:0,1 -r 6 -o hog.json; rc=$?
  kill "$hog"; wait "$hog" 2>/dev/null; hog=
  check "disturbed sweep exits 0 (rc=$rc)" test "$rc" -eq 0
  check "the disturbance is flagged on the worker pinned to CPU 1" "$PY" -c "
import json
d = json.load(open('hog.json'))
r = next(r for r in d['runs'] if r['executor'] == 'threads')
i = r['interference']
flagged = [b for f, b in zip(i['interfered'], i['by']) if f]
# the hog runs all along on CPU 1: nearly every sample is flagged, and the
# verdict (the worker with the largest excess) names the worker pinned
# there (on a shared machine CPU 0 may be the worse one now and then)
assert len(flagged) >= 4, i['interfered']
assert any(b['cpu'] == 1 and b['worker'] == 1 for b in flagged), flagged
assert all(b['pinned'] and b['run_delay_s'] > 0 and
           b['cpu'] == b['worker'] for b in flagged), flagged
# kept in the file, set aside from the statistics only while 3 clean remain
clean = len(r['samples']) - sum(i['interfered'])
assert i['set_aside'] == (sum(i['interfered']) if clean >= 3 else 0), (clean, i['set_aside'])
"
else
  echo "SKIP disturbance: needs 2 CPUs and taskset"
fi
finish
