#!/usr/bin/env bash
# CLI behaviour: help for every command, and bad input rejected with one
# line naming the value and what is accepted, exit 2, nothing written.
CB=$1; SRC=$2
. "$SRC/tests/lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T"

for c in run list topo report compare probe; do
  check "$c --help exits 0 with usage" bash -c "'$CB' $c --help | grep -q 'usage: corebench $c'"
done
check "--help lists commands" bash -c "'$CB' --help | grep -q compare"
check "list shows kernels and executors" bash -c "'$CB' list | grep -q process-pool && '$CB' list | grep -q factorize"

R="$CB run --size tiny -r 1 --warmup 0 --no-probe --no-counters -q"
expect_fail 2 "unknown kernel 'nope'.*accepted: gcd" "unknown kernel" -- $R -k nope -o a.json
expect_fail 2 "unknown executor 'forks'.*accepted:" "unknown executor" -- $R -e forks -o a.json
expect_fail 2 "unknown policy|pin" "unknown pin" -- $R --pin diagonal -o a.json
expect_fail 2 "--workers.*'0'|--workers: 0" "zero workers" -- $R -w 0 -o a.json
expect_fail 2 "--workers.*-3" "negative workers" -- $R -w -3 -o a.json
expect_fail 2 "--workers.*5000.*1024" "too many workers" -- $R -w 5000 -o a.json
expect_fail 2 "--workers.*abc" "garbage workers" -- $R -w abc -o a.json
expect_fail 2 "--size.*huge.*accepted" "unknown size" -- $R -k gcd --size huge -o a.json
expect_fail 2 "elements|overflow|range" "size that overflows" -- $R -k sum -p elements=99999999999999999999 -o a.json
expect_fail 2 "--param.*bogus.*accepted" "unknown param" -- $R -k gcd -p bogus=1 -o a.json
expect_fail 2 "--chunksize.*zero|--chunksize.*'0'|--chunksize" "bad chunksize" -- $R -k gcd --chunksize 0 -o a.json
expect_fail 2 "--schedule.*accepted" "bad schedule" -- $R -k gcd --schedule fair -o a.json
expect_fail 2 "--start-method.*accepted: fork, spawn" "bad start method" -- $R -k gcd --start-method thread -o a.json
expect_fail 2 "does not exist" "missing output dir" -- $R -k gcd -o "$T/no/such/dir/a.json"
expect_fail 2 "unknown option '--frobnicate'" "unknown option" -- $R --frobnicate
expect_fail 2 "unknown command 'bench'" "unknown command" -- "$CB" bench
expect_fail 2 "more than 4096 configurations" "sweep too large" -- $R -k gcd -e thread-pool -w 1-64 --chunksize "$(seq -s, 1 64)" -o a.json
check "nothing was written by bad input" bash -c "[ -z \"\$(ls -A '$T')\" ]"

mkdir ro; chmod 500 ro
if [ "$(id -u)" -ne 0 ]; then
  expect_fail 2 "not writable" "unwritable output dir" -- $R -k gcd -o "$T/ro/a.json"
fi

echo precious > keep.json
expect_fail 2 "exists.*--force" "existing result file" -- $R -k gcd -w 1 -e serial -o keep.json
check "existing file untouched" grep -qx precious keep.json
check "--force replaces it" $R -k gcd -w 1 -e serial -o keep.json --force
check "replaced by a result file" grep -q '"schema": "corebench/1"' keep.json

# topology planning for a machine we don't have
check "topo synthetic" bash -c "'$CB' topo --synthetic 'pack:2 core:4 pu:2' --workers 4 | grep -qi scatter"
expect_fail 2 "synthetic" "bad synthetic" -- "$CB" topo --synthetic 'pack:zz'
expect_fail 2 "nope.xml" "missing xml" -- "$CB" topo --xml "$T/nope.xml"
expect_fail 2 "pus:99|99" "pin list outside the machine" -- $R -k gcd --pin pus:99 -o b.json

# overlapping sweeps refuse each other
( exec 9>"$T/held.lock"; flock 9; sleep 5 ) &
sleep 0.5
expect_fail 2 "another corebench sweep" "lock held" -- env CB_LOCK_FILE="$T/held.lock" $R -k gcd -e serial -o c.json
wait
check "no file from refused sweep" test ! -e c.json

# a spawned process pool re-executes corebench as its workers
check "process-pool spawn verifies" $R -k gcd -e process-pool -w 2 --start-method spawn -o spawn.json
check "spawn result verified" grep -q '"verified": true' spawn.json

# Ctrl-C (SIGINT to the whole process group, workers included) keeps the
# finished rounds, marks the file incomplete and blames no executor (spawned
# workers, unlike forked ones, do not inherit our handler and die of it).
setsid $R -k gcd --size small -e process-pool --start-method spawn --no-baseline -w 2 -r 1000 -o int.json &
pid=$!
for _ in $(seq 200); do [ -s int.json ] && break; sleep 0.1; done
check "first round written before the interrupt" test -s int.json
kill -INT -- -"$pid" 2>/dev/null
wait "$pid"; rc=$?
check "interrupted sweep exits 130 (got $rc)" test "$rc" -eq 130
check "interrupted file is valid, incomplete and blames nobody" "${PYTHON:-python3}" -c "
import json, sys
d = json.load(open('int.json'))
sys.exit(0 if d['complete'] is False and d['runs'] and
         all(r['verified'] and 'error' not in r for r in d['runs']) else 1)"

finish
