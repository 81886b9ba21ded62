#!/usr/bin/env bash
# A deliberate disturbance (a busy loop on CPU 1) beside a sweep pinned to
# CPUs 0 and 1 is flagged as interference on the worker pinned to CPU 1.
# Checks flags and counts, never timings. ctest runs it alone (RUN_SERIAL):
# another test beside it would load CPU 0, the one CPU the hog leaves free,
# and the verdict would name that worker instead (seen under make sanitize).
CB=$1; SRC=$2
PY=${PYTHON:-python3}
. "$SRC/tests/lib.sh"
T=$(mktemp -d); hog=
trap '[ -n "$hog" ] && kill "$hog" 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"
R="$CB run --no-probe --no-counters -q"

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
  echo "SKIP: the disturbance needs 2 CPUs and taskset (nproc $(nproc))"
  exit 77
fi
finish
