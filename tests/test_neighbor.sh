#!/usr/bin/env bash
# scripts/noisy-neighbor.sh: ends by itself within its duration (plus
# slack for process start-up, never a speed), writes a well-formed log, ends
# its burst on SIGTERM, refuses bad input with one line and exit 2; and
# scripts/neighbor-check.py counts hits and false alarms right on a made-up
# result file and log.
CB=$1; SRC=$2
PY=${PYTHON:-python3}
. "$SRC/tests/lib.sh"
T=$(mktemp -d); nb=
trap '[ -n "$nb" ] && kill "$nb" 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"
NB="$SRC/scripts/noisy-neighbor.sh"
CHK="$SRC/scripts/neighbor-check.py"
now() { date +%s.%N; }

# a log is well formed: the comment line, then "CPU START END" lines with
# START <= END, every CPU one of $2, every time within [$3, $4]
well_formed() {
  "$PY" - "$1" "$2" "$3" "$4" <<'EOF'
import sys
path, cpus, lo, hi = sys.argv[1], {int(c) for c in sys.argv[2].split(',')}, float(sys.argv[3]), float(sys.argv[4])
lines = open(path).read().splitlines()
assert lines and lines[0].startswith('# noisy-neighbor duty='), lines[:1]
prev = lo
for l in lines[1:]:
    c, a, b = l.split()
    c, a, b = int(c), float(a), float(b)
    assert c in cpus, l
    assert lo <= a <= b <= hi, (l, lo, hi)
    assert a >= prev - 1e-6, ('bursts overlap or go back', l)
    prev = b
print(len(lines) - 1)
EOF
}

cpus=0
[ "$(nproc)" -ge 2 ] && cpus=0,1
# 1. ends by itself: a 2 s neighbour at 50% duty, bursts of 20-100 ms
t0=$(now)
"$NB" --duration 2 --duty 50 --burst-ms 20-100 --cpus "$cpus" --seed 7 \
  --log n.log; rc=$?
t1=$(now)
check "ends with 0 (rc=$rc)" test "$rc" -eq 0
check "ends by itself within its duration + 10 s slack ($t0 .. $t1)" \
  "$PY" -c "import sys; sys.exit(not (2 <= $t1 - $t0 < 12))"
n=$(well_formed n.log "$cpus" "$t0" "$t1")
check "the log is well formed, bursts within the run (log: $(head -c 300 n.log))" \
  test -n "$n"
check "it burst at 50% duty over 2 s: several bursts ($n)" test "${n:-0}" -ge 3

# 2. SIGTERM: ends at once, its burst with it, the cut burst logged
"$NB" --duration 60 --duty 100 --burst-ms 5000-5000 --cpus 0 --log t.log &
nb=$!
sleep 1
kids=$(pgrep -P "$nb" | tr '\n' ' ')
t0=$(now)
kill -TERM "$nb"; wait "$nb"; rc=$?; nb=
t1=$(now)
check "SIGTERM: exit 0 (rc=$rc)" test "$rc" -eq 0
check "SIGTERM: it ended before its 5 s burst would have" \
  "$PY" -c "import sys; sys.exit(not ($t1 - $t0 < 4))"
sleep 0.2
left=
for k in $kids; do kill -0 "$k" 2>/dev/null && left+="$k "; done
check "SIGTERM: no burst process left (children were: $kids; left: $left)" \
  test -z "$left"
check "SIGTERM: the cut burst is logged" test "$(grep -vc '^#' t.log)" -eq 1

# 3. bad input: one line, exit 2
expect_fail 2 "--duty '0': accepted is a whole percentage 1..100" "duty 0" -- \
  "$NB" --duty 0
expect_fail 2 "--duration 'x': accepted is whole seconds" "duration x" -- \
  "$NB" --duration x
expect_fail 2 "--burst-ms '9-3': accepted is MIN-MAX" "burst 9-3" -- \
  "$NB" --burst-ms 9-3
expect_fail 2 "unknown argument '--bogus'" "unknown option" -- "$NB" --bogus
expect_fail 2 "--log '$T/no/x.log': cannot write it" "unwritable log" -- \
  "$NB" --log "$T/no/x.log" --duration 1
expect_fail 2 "CPU 4095 is not one this script may run on" "absent CPU" -- \
  "$NB" --cpus 4095 --duration 1 --log x.log

# 4. neighbor-check on a made-up file: one configuration, 8 samples of
# 1.00 s; samples 5..7 overlap bursts, 5 and 6 were slowed (1.10 s) and
# 7 was not (1.005 s); 5 and 7 are flagged, and quiet sample 2 too
"$PY" - <<'EOF'
import json
t = [1000.0 + 2 * k for k in range(8)]
samples = [1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.1, 1.005]
flags = [False, False, True, False, False, True, False, True]
run = {"kernel": "gcd", "executor": "threads", "workers": 2, "samples": samples,
       "interference": {"interfered": flags, "by": [None] * 8, "set_aside": 3,
                        "t_start_us": [int(x * 1e6) for x in t],
                        "t_end_us": [int((x + s) * 1e6) for x, s in zip(t, samples)]}}
json.dump({"runs": [run]}, open("r.json", "w"))
open("b.log", "w").write("# noisy-neighbor duty=20\n1 1010.5 1010.9\n0 1012.2 1012.3\n1 1014.9 1015.2\n")
EOF
out=$("$PY" "$CHK" r.json b.log 2>&1); rc=$?
check "neighbor-check exits 0 (rc=$rc: $out)" test "$rc" -eq 0
check "overlapping 3, slowed 2, flagged 1: hit rate 50% ($out)" \
  grep -q "overlapping a burst: 3; slowed > 2%: 2; of those flagged: 1 (hit rate 50.0%)" <<<"$out"
check "quiet 5, flagged 1: false alarms 20% ($out)" \
  grep -q "overlapping no burst: 5; flagged: 1 (false-alarm rate 20.0%)" <<<"$out"
check "against the best: 6 within 2% (2 flagged), 2 slower (1 flagged) ($out)" \
  grep -q "within 2%: 6, flagged 2 (33.3%); slower: 2, flagged 1 (50.0%)" <<<"$out"
out=$("$PY" "$CHK" r.json 2>&1)
check "no log: every sample quiet ($out)" \
  grep -q "overlapping no burst: 8; flagged: 3 (false-alarm rate 37.5%)" <<<"$out"
expect_fail 2 "b2.log:2: .* is not 'CPU START END'" "bad log line" -- \
  sh -c "printf '#\nx y\n' > b2.log; '$PY' '$CHK' r.json b2.log"
expect_fail 2 "--slow 'x': accepted is a percentage" "bad --slow" -- \
  "$PY" "$CHK" r.json --slow x
finish
