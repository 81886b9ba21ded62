#!/usr/bin/env bash
# The sweep's sampling end to end: adaptive stopping and its reasons, -r N
# exact, list values given twice run once, -p KEY=V1,V2 sweeps a kernel
# parameter. Checks stop reasons and counts, never timings. The deliberate
# disturbance is test_disturbance.sh.
CB=$1; SRC=$2
PY=${PYTHON:-python3}
. "$SRC/tests/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
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
# (--keep-interfered for the same reason: the budget stops a configuration
# once it has --min-samples clean ones, and under load some are set aside)
$R -k gcd -s tiny -e threads -w 2 --min-samples 2 --max-samples 50 \
  --max-time 0.000001 --keep-interfered -o time.json
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

# stdout is line-buffered: through a pipe, the table's header arrives while
# the sweep still runs (3 maps of 1 s each), not when it exits
mkfifo lb.fifo
"$CB" run --no-probe --no-counters -k sleep -p n=2 -p us=500000 -e serial \
  -r 3 --warmup 0 -o lb.json >lb.fifo 2>/dev/null &
lbpid=$!
exec 3<lb.fifo
IFS= read -r -t 60 first <&3
alive=no; kill -0 "$lbpid" 2>/dev/null && alive=yes
cat <&3 >/dev/null; exec 3<&-
wait "$lbpid"; rc=$?
check "stdout through a pipe: the first line arrives while the sweep runs ($alive, rc=$rc: $first)" \
  bash -c "[ '$alive' = yes ] && [ $rc -eq 0 ] && printf '%s' \"\$1\" | grep -q '^corebench run: 1 configurations x 3 samples'" _ "$first"

finish
