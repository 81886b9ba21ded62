#!/usr/bin/env bash
# The fault matrix (issue 20): every fault kind (crash, hang, wrong, exit;
# CB_INJECT, executors/inject.c) injected in a warm-up map and in a map of
# a later round (CB_INJECT's ,map=M), with and without --keep-going, for
# every executor of this build (mpi needs a launcher: test_mpi.sh); then
# workers and CPython engines killed or stopped from outside, in the
# warm-up and in a later round; a stopped engine, then one SIGINT or
# SIGTERM. Each scenario runs under a bounded time in
# a session of its own and must end with the status and the file the docs
# state (README.md "Exit status", results/SCHEMA.md `complete`, `stop`,
# `error`): no hang, no lost sample, nothing left behind.
#
# The sweep of a scenario: -k gcd[,sum] -s tiny -w 1,2 -r 2 --warmup 1
# --no-interleave, so its maps are numbered: 0 warm-up w=1, 1 warm-up w=2,
# 2 w=1 and 3 w=2 (round 1), 4 w=1 and 5 w=2 (round 2), then sum's. The
# fault goes into map 1 (w=2's warm-up) or map 5 (w=2's second round).
# serial, py-serial (w=1) and the other CPython executors (w=2 alone) have
# one configuration: their maps are 0 warm-up, 1, 2 (rounds).
CB=$1; SRC=$2
PY=${PYTHON:-python3}
. "$SRC/tests/lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T"
R="--no-baseline --no-probe --no-counters --no-lock -q --no-interleave"
JOBS=${CB_TEST_JOBS:-4}
START=$(date +%s)

available=$("$CB" list | awk '/^executors/{x=1;next} /^$/{x=0} x && /^  [a-z]/{print $1}')
has() { printf '%s\n' "$available" | grep -qx "$1" &&
        ! "$CB" list | grep -A0 "^  $1 " | grep -q unavailable; }
command -v python3 >/dev/null || echo "SKIP py-*: no python3"

# assert NAME DESCRIPTION COMMAND...: one line of NAME.res
assert() {
  local n=$1 d=$2; shift 2
  if "$@" >>"$n.log" 2>&1; then echo ok >>"$n.res"
  else echo "FAIL: $n: $d" >>"$n.res"; fi
}
# sweep NAME ENV... -- ARGS...: corebench run in a session of its own under
# a 90 s limit; NAME.rc its status, NAME.json its file, NAME.err stderr
sweep() {
  local n=$1; shift
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
  env "${envs[@]}" timeout -s KILL 90 setsid -w sh -c \
    'echo $$ > "$0.sid"; exec "$@"' "$n" "$CB" run $R -o "$n.json" "$@" \
    2>"$n.err"
  echo $? >"$n.rc"
}
left_nothing() {
  local sid; sid=$(cat "$1.sid" 2>/dev/null) || return 1
  sleep 0.2
  ! pgrep -s "$sid" >/dev/null
}
# file NAME RC COMPLETE FAILED_SAMPLES OTHER_SAMPLES KERNEL2 ERROR_RE:
# the file of a sweep that ended by itself. COMPLETE true/false; the
# failed configuration (gcd w=2, or serial's one) holds FAILED_SAMPLES
# samples and an error matching ERROR_RE; every other gcd configuration
# holds OTHER_SAMPLES with stop "exact" (or "-": not checked); KERNEL2:
# "done" (sum's every configuration has its 2 samples), "not-reached" or
# "none" (no second kernel)
file_says() {
  "$PY" "$SRC/tests/validate_result.py" "$1.json" >/dev/null &&
  "$PY" - "$@" <<'EOF'
import json, re, sys
name, rc, complete, nfail, nother, k2, err = sys.argv[1:8]
d = json.load(open(name + ".json"))
assert str(d["complete"]).lower() == complete, ("complete", d["complete"])
gcd = [r for r in d["runs"] if r["kernel"] == "gcd"]
bad = [r for r in gcd if not r["verified"]]
assert len(bad) == 1, ("failed runs", [(r["workers"], r.get("error")) for r in gcd])
b = bad[0]
assert len(b["samples"]) == int(nfail), ("failed run's samples", len(b["samples"]))
assert re.search(err, b.get("error") or ""), ("error", b.get("error"))
for r in gcd:
    if r is not b and nother != "-":
        assert len(r["samples"]) == int(nother) and r["stop"] == "exact", \
            ("other run", r["workers"], len(r["samples"]), r["stop"])
sums = [r for r in d["runs"] if r["kernel"] == "sum"]
if k2 == "done":
    assert sums and all(len(r["samples"]) == 2 and r["verified"] for r in sums), sums
elif k2 == "not-reached":
    assert sums and all(r["stop"] == "not-reached" and not r["samples"] for r in sums), sums
else:
    assert not sums, sums
EOF
}

# one injected scenario: X KIND PHASE KG
inject_one() {
  local x=$1 kind=$2 phase=$3 kg=$4 n map k2 kernels to err
  n="i-$x-$kind-$phase-$kg"
  : >"$n.res"
  local t0=$SECONDS
  # serial, py-serial: one configuration (w=1); CPython's others run w=2
  # alone (every sample starts an interpreter: the matrix must stay short,
  # and what the other configurations keep is the C sweep's, checked with
  # the C executors); then the maps are 0 (warm-up), 1, 2
  local single=0 fw=2 ws=1,2
  case $x in serial|py-serial) single=1 fw=1 ;; py-*) single=1 ws=2 ;; esac
  if [ $single = 1 ]; then map=$([ "$phase" = warm ] && echo 0 || echo 2)
  else map=$([ "$phase" = warm ] && echo 1 || echo 5); fi
  # a second kernel shows what --keep-going adds (CPython: one kernel,
  # each sample starts an interpreter and the matrix must stay short)
  case $x in py-*) kernels=gcd ;; *) kernels=gcd,sum ;; esac
  to="--task-timeout 1"
  sweep "$n" CB_INJECT="$kind@task=0,map=$map" -- -k $kernels -s tiny \
    -e "$x" -w $ws -r 2 $to $([ "$kg" = kg ] && echo --keep-going)
  local rc; rc=$(cat "$n.rc")
  local nfail=$([ "$phase" = warm ] && echo 0 || echo 1)
  local other=2; [ $single = 1 ] && other=-
  if [ "$kernels" = gcd ]; then k2=none
  elif [ "$kg" = kg ]; then k2=done; else k2=not-reached; fi
  case $x in
  serial|threads|thread-pool|gil|openmp)
    # workers are threads of corebench: a wrong output is an ordinary
    # failure; a crash or an exit ends corebench (its signal, status 3)
    # with the rounds finished before in the file; a hang is ended by the
    # watchdog, which writes what finished (README "Faults")
    case $kind in
    wrong)
      err="gcd task [0-9]+:"
      assert "$n" "exit 1 (rc=$rc)" test "$rc" -eq 1
      assert "$n" "the file" file_says "$n" 1 \
        $([ "$k2" = not-reached ] && echo false || echo true) \
        "$nfail" "$other" "$k2" "$err" ;;
    crash|exit)
      local want=139; [ "$kind" = exit ] && want=3
      assert "$n" "exit $want (rc=$rc)" test "$rc" -eq "$want"
      if [ "$phase" = warm ]; then
        assert "$n" "no round finished: no file" test ! -e "$n.json"
      else
        # round 1 finished and was written; round 2 was lost with the
        # process (a crash or an exit in a thread ends corebench)
        assert "$n" "round 1 kept" "$PY" -c "
import json, sys
d = json.load(open('$n.json'))
assert d['complete'] is False
assert all(len(r['samples']) == 1 for r in d['runs'] if r['kernel'] == 'gcd'), d['runs']
bad = [r for r in d['runs'] if r.get('error')]
if '$kind' == 'crash':  # recorded by the crash handler's second half
    assert len(bad) == 1 and 'SIGSEGV' in bad[0]['error'] and bad[0]['verified'] is False, bad
else:  # exit(3) in a thread: no handler runs, nothing is recorded
    assert not bad, bad"
      fi
      [ "$kind" = crash ] && assert "$n" "stderr names the signal" \
        grep -q "signal 11 (SIGSEGV.*during a map of gcd" "$n.err" ;;
    hang)
      assert "$n" "exit 1 (rc=$rc)" test "$rc" -eq 1
      # the watchdog wrote every sample taken, round 2's w=1 one included
      local ot=$([ "$phase" = warm ] && echo - || echo 2)
      [ $single = 1 ] && ot=-
      assert "$n" "the file" file_says "$n" 1 false "$nfail" "$ot" \
        "$([ "$k2" = none ] && echo none || echo not-reached)" \
        "timed out.*cannot be stopped safely" ;;
    esac ;;
  *)
    case $kind in
    crash) err="signal 11|terminated abruptly|killed by signal|died" ;;
    exit) err="status 3|terminated abruptly|died" ;;
    hang) err="timed out after 1 s" ;;
    wrong) err="gcd task [0-9]+:" ;;
    esac
    assert "$n" "exit 1 (rc=$rc)" test "$rc" -eq 1
    assert "$n" "the file" file_says "$n" 1 \
      $([ "$k2" = not-reached ] && echo false || echo true) \
      "$nfail" "$other" "$k2" "$err"
    assert "$n" "stderr names the failed configuration" \
      grep -q "1 configuration failed (gcd $x w=$fw)" "$n.err" ;;
  esac
  assert "$n" "nothing left behind" left_nothing "$n"
  echo "# $((SECONDS - t0)) s" >>"$n.res"
}

# one fault from outside: X SIGNAL TARGET PHASE KG. TARGET: worker (a
# child of corebench, or of CPython's engine), engine (pyexec.py). The
# sleep kernel's maps last 0.5-1 s; warm: the first target found (the
# warm-up of w=1); later: once round 1 is in the file (round 2).
outside_one() {
  local x=$1 sig=$2 target=$3 phase=$4 kg=$5 n pid sid victim t0
  n="o-$x-$sig-$target-$phase-$kg"
  : >"$n.res"
  env timeout -s KILL 90 setsid -w sh -c 'echo $$ > "$0.sid"; exec "$@"' \
    "$n" "$CB" run $R -k sleep -p n=4 -p us=250000 -e "$x" -w 1,2 -r 2 \
    --task-timeout 2 $([ "$kg" = kg ] && echo --keep-going) -o "$n.json" \
    2>"$n.err" &
  pid=$!
  t0=$(date +%s)
  while [ ! -s "$n.sid" ]; do sleep 0.05; done
  sid=$(cat "$n.sid")
  if [ "$phase" = later ]; then
    while [ ! -e "$n.json" ] && [ $(( $(date +%s) - t0 )) -lt 60 ]; do
      sleep 0.05; done
  fi
  victim=
  while [ -z "$victim" ] && [ $(( $(date +%s) - t0 )) -lt 60 ]; do
    case $target in
    # the engine of a sample (not the --about of the availability check)
    engine) victim=$(pgrep -s "$sid" -f "pyexec.py [a-z]+ [0-9]" | head -1) ;;
    worker)
      case $x in
      # CPython's pool workers (not its resource tracker)
      py-*) local e; e=$(pgrep -s "$sid" -f "pyexec.py [a-z]+ [0-9]" | head -1)
            [ -n "$e" ] && victim=$(pgrep -P "$e" -f pyexec.py | head -1) ;;
      *) victim=$(pgrep -s "$sid" -P "$sid" | head -1) ;;
      esac ;;
    esac
    [ -z "$victim" ] && sleep 0.02
  done
  [ -n "$victim" ] && kill -"$sig" "$victim"
  wait $pid; local rc=$?
  echo $rc >"$n.rc"
  assert "$n" "found a $target to signal" test -n "$victim"
  # a stopped CPython pool worker may be an idle one: the others take its
  # tasks and the map succeeds (ProcessPoolExecutor), and stop() ends it
  local nbad=1
  if [ "$x/$sig/$target" = py-processes/STOP/worker ] && [ "$rc" -eq 0 ]; then
    nbad=0
  fi
  assert "$n" "exit 1 (rc=$rc)" test "$rc" -eq $((nbad ? 1 : 0))
  # one configuration failed; the other kept every sample (-r 2)
  assert "$n" "the file" "$PY" - "$n.json" "$nbad" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["complete"] is True, d["complete"]
bad = [r for r in d["runs"] if not r["verified"]]
assert len(bad) == int(sys.argv[2]) and all(r["error"] for r in bad), \
    [(r["workers"], r.get("error")) for r in d["runs"]]
assert all(len(r["samples"]) == 2 and r["stop"] == "exact"
           for r in d["runs"] if r["verified"]), d["runs"]
EOF
  assert "$n" "nothing left behind" left_nothing "$n"
  echo "# $(( $(date +%s) - t0 )) s" >>"$n.res"
}

# a stopped CPython engine, then SIGINT or SIGTERM: the first signal ends
# the sweep (the watchdog kills the engine, in its start or its map), the
# file is written, exit 130 / 143 (issue 20: it took a second signal)
sig_one() {
  local x=$1 sig=$2 n pid sid e t0
  n="g-$x-$sig"
  : >"$n.res"
  env timeout -s KILL 90 setsid -w sh -c 'echo $$ > "$0.sid"; exec "$@"' \
    "$n" "$CB" run $R -k gcd -s tiny -e "$x" -w 2 -r 30 -o "$n.json" \
    2>"$n.err" &
  pid=$!
  t0=$(date +%s)
  while [ ! -s "$n.sid" ]; do sleep 0.05; done
  sid=$(cat "$n.sid")
  e=
  while [ -z "$e" ] && [ $(( $(date +%s) - t0 )) -lt 60 ]; do
    e=$(pgrep -s "$sid" -f "pyexec.py [a-z]+ [0-9]" | head -1); done
  [ -n "$e" ] && kill -STOP "$e"
  sleep 1
  kill -"$sig" "$(cat "$n.sid")"
  wait $pid; local rc=$?
  echo $rc >"$n.rc"
  local want=130; [ "$sig" = TERM ] && want=143
  assert "$n" "found the engine" test -n "$e"
  assert "$n" "the first SIG$sig ends it: exit $want (rc=$rc)" test "$rc" -eq $want
  assert "$n" "the file is written, incomplete" "$PY" -c "
import json; d = json.load(open('$n.json')); assert d['complete'] is False"
  assert "$n" "nothing left behind" left_nothing "$n"
}

# run the scenarios JOBS at a time
running=0
spawn() {
  "$@" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
}

execs=
for x in serial threads thread-pool gil openmp processes process-pool \
         py-serial py-threads py-processes py-processes-chunked; do
  # CB_TEST_ONLY=REGEX: only the executors it matches (a developer's run)
  if [ -n "$CB_TEST_ONLY" ] && ! [[ $x =~ $CB_TEST_ONLY ]]; then continue; fi
  if has "$x"; then execs="$execs $x"; else echo "SKIP $x: not available"; fi
done
for x in $execs; do
  for kind in crash hang wrong exit; do
    for phase in warm later; do
      for kg in kg stop; do spawn inject_one "$x" "$kind" "$phase" "$kg"; done
    done
  done
done
for x in processes process-pool py-processes py-threads; do
  case " $execs " in *" $x "*) ;; *) continue ;; esac
  targets=worker; case $x in py-processes) targets="worker engine" ;;
                             py-threads) targets=engine ;; esac
  for target in $targets; do
    for sig in KILL STOP; do
      # --keep-going in the warm-up, without it in the later round (one
      # kernel: both end alike; test_stuck and the matrix above cover it)
      spawn outside_one "$x" "$sig" "$target" warm kg
      spawn outside_one "$x" "$sig" "$target" later stop
    done
  done
done
for x in py-processes py-threads; do
  case " $execs " in *" $x "*) ;; *) continue ;; esac
  for sig in INT TERM; do spawn sig_one "$x" "$sig"; done
done
wait

scenarios=0; bad_scen=0
for f in *.res; do
  [ -n "$CB_TEST_VERBOSE" ] && echo "${f%.res} $(grep '^#' "$f")"
  scenarios=$((scenarios + 1))
  if grep -q FAIL "$f"; then
    bad_scen=$((bad_scen + 1)); grep FAIL "$f"
    n=${f%.res}; echo "  rc=$(cat "$n.rc" 2>/dev/null)"; sed 's/^/  log: /' "$n.log" | tail -5
    sed 's/^/  err: /' "$n.err" | tail -3
  fi
  passed=$((passed + $(grep -c '^ok' "$f")))
  failed=$((failed + $(grep -c '^FAIL' "$f")))
done
hangs=$(grep -l '^137$' ./*.rc 2>/dev/null | wc -l)
echo "fault scenarios: $scenarios run, $((scenarios - bad_scen)) passed, $hangs ended by the 90 s limit (hangs), in $(( $(date +%s) - START )) s"
finish
