#!/usr/bin/env bash
# corebench built without MPI (CB_MPI=OFF or no MPI found; the TSan build
# of `make sanitize`): mpi is listed as unavailable with the reason, and a
# sweep naming it runs the rest and says why mpi was skipped.
CB=$1; SRC=$2
PY=${PYTHON:-python3}
. "$SRC/tests/lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T"
R="run --size tiny -r 1 --warmup 0 --no-probe --no-counters --no-lock -q"

check "list shows mpi as unavailable, with the reason" bash -c \
  "'$CB' list | grep -E '^  mpi ' | grep -q 'unavailable: corebench was built without MPI'"
"$CB" $R -e mpi -k gcd -o mpi.json 2>alone.err; rc=$?
check "-e mpi alone: exit 3 (rc=$rc)" test "$rc" -eq 3
check "... naming the reason" grep -q "mpi unavailable, skipped: mpi: corebench was built without MPI" alone.err
check "... and writing nothing" test ! -e mpi.json
"$CB" $R -e mpi,threads -k gcd -w 1 -o mixed.json 2>mixed.err; rc=$?
check "-e mpi,threads runs threads, exit 3 (rc=$rc)" test "$rc" -eq 3
check "... one line saying why mpi was skipped" \
  test "$(grep -c 'mpi unavailable, skipped: .*built without MPI' mixed.err)" -eq 1
check "... and an 'unavailable' warning in the file" "$PY" -c "
import json,sys
d=json.load(open('mixed.json'))
ok = any(w['code'] == 'unavailable' and 'without MPI' in w['message'] for w in d['warnings'])
ok = ok and {r['executor'] for r in d['runs']} == {'serial', 'threads'}
sys.exit(0 if ok and all(r['verified'] for r in d['runs']) else 1)"
finish
