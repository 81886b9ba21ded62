#!/usr/bin/env bash
# Faults in every executor (CB_INJECT, executors/inject.c): a crash, an
# exit, a stopped or a hung worker, a wrong output, a worker killed from
# outside, SIGINT, SIGTERM and a double SIGINT. Each must end with the
# expected status and a clear error in the result file, never a hang, and
# leave no process behind (every sweep runs in a session of its own, which
# must be empty once it exits).
CB=$1; SRC=$2
PY=${PYTHON:-python3}
. "$SRC/tests/lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T"
R="--no-baseline --no-probe --no-counters --no-lock -q"
scenarios=0

# run NAME ENV... -- ARGS...: corebench run ARGS in a session of its own,
# with a watchdog of 60 s; $rc is its status, NAME.json its file
run() {
  local name=$1; shift
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
  env "${envs[@]}" timeout 60 setsid -w sh -c 'echo $$ > "$0.sid"; exec "$@"' \
    "$name" "$CB" run $R -o "$name.json" "$@" 2>"$name.err"
  rc=$?
  scenarios=$((scenarios + 1))
}
# nothing of session NAME is left (zombies or orphans)
left_nothing() {
  local sid; sid=$(cat "$1.sid" 2>/dev/null) || return 1
  sleep 0.2
  ! pgrep -s "$sid" >/dev/null
}
# NAME's failed run says PATTERN in "error", and the file validates
error_says() {
  "$PY" "$SRC/tests/validate_result.py" "$1.json" >/dev/null &&
  "$PY" - "$1.json" "$2" <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
errs = [r.get("error", "") for r in d["runs"] if not r["verified"]]
sys.exit(0 if errs and any(re.search(sys.argv[2], e) for e in errs) else 1)
EOF
}

available=$("$CB" list | awk '/^executors/{x=1;next} /^$/{x=0} x && /^  [a-z]/{print $1}')
has() { printf '%s\n' "$available" | grep -qx "$1" &&
        ! "$CB" list | grep -A0 "^  $1 " | grep -q unavailable; }
command -v python3 >/dev/null || echo "SKIP py-*: no python3"

# executors whose workers are processes (CPython's included: the
# interpreter is a process of its own, whatever its pool)
for x in processes process-pool py-processes py-processes-chunked py-threads; do
  has "$x" || { echo "SKIP $x: not in this build"; continue; }
  for fault in "crash@task=3:signal 11|terminated abruptly|killed by signal" \
               "exit@worker=1:status 3|terminated abruptly" \
               "stop@worker=0:timed out after 1 s" \
               "hang@task=2:timed out after 1 s" \
               "wrong@task=3:gcd task [0-9]+:"; do
    spec=${fault%%:*}; want=${fault#*:}
    # exit@worker=1 needs worker 1 to run a task: small tasks that block
    if [ "$x" = py-threads ] && [ "${spec%@*}" = exit ]; then continue; fi
    to=; case $spec in hang*|stop*) to="--task-timeout 1" ;; esac
    run "f-$x-${spec%@*}" CB_INJECT="$spec" -- -k gcd -s tiny -e "$x" -w 2 \
      -r 2 $to
    check "$x $spec: exit 1 (rc=$rc)" test "$rc" -eq 1
    check "$x $spec: the error says '$want'" error_says "f-$x-${spec%@*}" "$want"
    check "$x $spec: nothing left behind" left_nothing "f-$x-${spec%@*}"
  done
done
# a worker killed from outside in the middle of a map
for x in processes process-pool; do
  env timeout 60 setsid -w sh -c 'echo $$ > "$0.sid"; exec "$@"' k-$x "$CB" \
    run $R -k sleep -p n=8 -p us=500000 -e $x -w 2 -r 2 -o k-$x.json \
    2>k-$x.err &
  sleep 1
  pkill -KILL -P "$(cat k-$x.sid)" -n 2>/dev/null
  wait $!; rc=$?; scenarios=$((scenarios + 1))
  check "$x worker killed from outside: exit 1 (rc=$rc)" test "$rc" -eq 1
  check "$x worker killed from outside: the error names signal 9" \
    error_says k-$x "signal 9"
  check "$x worker killed from outside: nothing left behind" left_nothing k-$x
done

# executors whose workers are threads of corebench (or corebench itself):
# a hung map cannot be ended safely, so corebench writes what finished and
# ends; a wrong output fails verification. A crash in a thread takes the
# whole process down: corebench says which configuration, keeps the rounds
# that finished and dies of the signal. (An exit or a stop in a thread ends
# or stops corebench itself: not a fault a benchmark can report.)
for x in serial threads thread-pool gil openmp; do
  has "$x" || { echo "SKIP $x: not in this build"; continue; }
  run "t-$x-hang" CB_INJECT=hang@task=2 -- -k gcd -s tiny -e "$x" -w 2 -r 2 \
    --task-timeout 1
  check "$x hang: exit 1 (rc=$rc)" test "$rc" -eq 1
  check "$x hang: the error says why corebench ended" \
    error_says "t-$x-hang" "timed out.*cannot be stopped safely"
  check "$x hang: one line on stderr says the same" \
    grep -q "cannot be stopped safely" "t-$x-hang.err"
  run "t-$x-wrong" CB_INJECT=wrong@task=3 -- -k gcd -s tiny -e "$x" -w 2 -r 2
  check "$x wrong: exit 1 (rc=$rc)" test "$rc" -eq 1
  check "$x wrong: verify names the task" error_says "t-$x-wrong" "gcd task [0-9]+:"
done
# tiny gcd is 8 tasks a map; with -r 3 the crash lands in the last round
# (serial: one configuration, 32 tasks; the others: w=1 and w=2, 64)
for x in serial threads thread-pool gil openmp; do
  has "$x" || continue
  task=60; [ "$x" = serial ] && task=28
  run "c-$x" CB_INJECT=crash@task=$task -- -k gcd -s tiny -e "$x" -w 1,2 -r 3
  check "$x crash: dies of SIGSEGV (rc=$rc)" test "$rc" -eq 139
  check "$x crash: stderr names the signal and the configuration" \
    grep -q "signal 11 (SIGSEGV.*during a map of gcd $x" "c-$x.err"
  check "$x crash: stderr says the finished rounds are kept" \
    grep -q "the finished rounds are kept in c-$x.json" "c-$x.err"
  check "$x crash: the file holds them, marked incomplete" "$PY" -c "
import json, sys
d = json.load(open('c-$x.json'))
assert d['complete'] is False, d['complete']
assert all(len(r['samples']) == 2 for r in d['runs']), [len(r['samples']) for r in d['runs']]
"
  # the crashing configuration (the last map: w=2, or serial's only one)
  # carries the crash, recorded by the handler's re-executed second half
  check "$x crash: the file names the crashed configuration" "$PY" -c "
import json, sys
d = json.load(open('c-$x.json'))
bad = [r for r in d['runs'] if r.get('error')]
assert len(bad) == 1 and bad[0]['workers'] == (1 if '$x' == 'serial' else 2), bad
assert bad[0]['verified'] is False and 'signal 11 (SIGSEGV' in bad[0]['error'], bad[0]
assert all(r['verified'] is True for r in d['runs'] if r is not bad[0])
"
  check "$x crash: nothing left behind" left_nothing "c-$x"
done
# the handler's second half, called by hand with a bad id: one line, exit 2,
# the file untouched
cp c-threads.json hand.json 2>/dev/null
"$CB" __crash-note hand.json 1x 11 2>hand.err; rc=$?
check "__crash-note by hand, bad id: exit 2 (rc=$rc), one line, file untouched" \
  bash -c "[ $rc -eq 2 ] && [ \$(wc -l <hand.err) -eq 1 ] && grep -q \"got id '1x'\" hand.err && cmp -s hand.json c-threads.json"
run c-early CB_INJECT=crash@task=2 -- -k gcd -s tiny -e threads -w 2 -r 2
check "crash before any round: stderr says nothing was written" \
  grep -q "no round had finished, nothing was written to c-early.json" c-early.err
check "crash before any round: no file" test ! -e c-early.json

# signals: the current map ends at once, the finished rounds stay
for x in processes process-pool threads gil py-processes py-threads; do
  has "$x" || continue
  for sig in INT:130 TERM:143; do
    env timeout 60 setsid -w sh -c 'echo $$ > "$0.sid"; exec "$@"' s-$x-${sig%:*} "$CB" \
      run $R -k sleep -p n=8 -p us=300000 -e "$x" -w 2 -r 3 -o s-$x-${sig%:*}.json \
      2>s-$x-${sig%:*}.err &
    pid=$!
    sleep 1.5
    # CPython: a loaded machine may still be asking the interpreter --about;
    # the scenario is a signal during the sweep's maps, so wait for an engine
    case $x in py-*)
      for _ in $(seq 200); do
        pgrep -s "$(cat s-$x-${sig%:*}.sid)" -f "pyexec.py [a-z]+ [0-9]" \
          >/dev/null && break
        sleep 0.05
      done ;;
    esac
    start=$(date +%s%N)
    kill -"${sig%:*}" "$(cat s-$x-${sig%:*}.sid)"
    wait $pid; rc=$?; scenarios=$((scenarios + 1))
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "$x SIG${sig%:*}: exit ${sig#*:} (rc=$rc)" test "$rc" -eq "${sig#*:}"
    check "$x SIG${sig%:*}: ended within 3 s (${ms} ms)" test "$ms" -lt 3000
    check "$x SIG${sig%:*}: the file is kept, marked incomplete" "$PY" -c "
import json; d = json.load(open('s-$x-${sig%:*}.json')); assert d['complete'] is False"
    check "$x SIG${sig%:*}: nothing left behind" left_nothing s-$x-${sig%:*}
  done
done
# a second SIGINT ends corebench at once, even inside a long thread map
for x in threads process-pool; do
  env timeout 60 setsid -w sh -c 'echo $$ > "$0.sid"; exec "$@"' d-$x "$CB" \
    run $R -k sleep -p n=4 -p us=5000000 -e "$x" -w 2 -r 2 -o d-$x.json \
    2>d-$x.err &
  pid=$!
  sleep 1
  start=$(date +%s%N)
  kill -INT "$(cat d-$x.sid)"; sleep 0.1; kill -INT "$(cat d-$x.sid)" 2>/dev/null
  wait $pid; rc=$?; scenarios=$((scenarios + 1))
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  check "$x double SIGINT: exit 130 (rc=$rc)" test "$rc" -eq 130
  # behaviour, not speed: each task blocks 5 s, so ending before 4 s means
  # the second signal did not wait for the map
  check "$x double SIGINT: did not wait for the 5 s task (${ms} ms)" test "$ms" -lt 4000
  check "$x double SIGINT: nothing left behind" left_nothing d-$x
  check "$x double SIGINT: no temporary file left" \
    sh -c '! ls -A | grep -q "^[.]corebench-"'
done
# a failed map (issue 20): the failed configuration keeps what it had, the
# rest of its kernel finishes; without --keep-going the later kernels are
# never reached (no samples, stop "not-reached", complete false), with it
# they run (complete true). The fault: serial's warm-up (the sweep's map 0)
for kg in "" --keep-going; do
  run "nr$kg" CB_INJECT=wrong@task=2,map=0 -- -k gcd,sum -s tiny \
    -e serial,threads,processes -w 2 -r 2 $kg
  check "failed map$kg: exit 1 (rc=$rc)" test "$rc" -eq 1
  check "failed map$kg: one line names the failed configuration" \
    grep -q "1 configuration failed (gcd serial w=1)" "nr$kg.err"
  check "failed map$kg: the file" "$PY" - "nr$kg.json" "$kg" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
kg = sys.argv[2] == "--keep-going"
assert d['complete'] is kg, d['complete']
bad = [r for r in d['runs'] if not r['verified']]
assert len(bad) == 1 and bad[0]['executor'] == 'serial' and bad[0]['kernel'] == 'gcd', bad
assert bad[0]['stop'] is None and bad[0]['error'] and not bad[0]['samples'], bad
gcd = [r for r in d['runs'] if r['verified'] and r['kernel'] == 'gcd']
assert len(gcd) == 2 and all(r['stop'] == 'exact' and len(r['samples']) == 2 for r in gcd), gcd
sums = [r for r in d['runs'] if r['kernel'] == 'sum']
if kg:
    assert sums and all(r['stop'] == 'exact' and len(r['samples']) == 2 for r in sums), sums
else:
    assert sums and all(r['stop'] == 'not-reached' and not r['samples'] for r in sums), sums
EOF
done
# out of memory for a configuration's samples (CB_TEST_NOMEM=N fails the
# N-th growth of the sample arrays: here threads', the second
# configuration's): its error says so, the others are whole
run nomem CB_TEST_NOMEM=2 -- -k gcd -s tiny -e serial,threads,processes -w 2 -r 2
check "out of memory: exit 1 (rc=$rc)" test "$rc" -eq 1
check "out of memory: the run's error says so, the others are whole" "$PY" - nomem.json <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [r for r in d['runs'] if not r['verified']]
assert len(bad) == 1 and bad[0]['executor'] == 'threads', bad
assert 'out of memory for the samples' in bad[0]['error'], bad[0]['error']
assert all(len(r['samples']) == 2 for r in d['runs'] if r['verified']), d['runs']
assert d['complete'] is True
EOF
# CB_INJECT is checked like any input: exit 2, one line naming it, no file
for v in "crash@task=x" "boom@task=1" "crash" "hang@worker=-1"; do
  run bad-inject "CB_INJECT=$v" -- -k gcd -s tiny -e processes -w 2 -r 1
  check "CB_INJECT='$v': exit 2 (rc=$rc)" test "$rc" -eq 2
  check "CB_INJECT='$v': one line naming it" \
    sh -c "[ \$(wc -l < bad-inject.err) -eq 1 ] && grep -qF \"CB_INJECT='$v'\" bad-inject.err"
  check "CB_INJECT='$v': nothing written" test ! -e bad-inject.json
done
echo "fault scenarios run: $scenarios"
finish
