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
# ends; a wrong output fails verification. A crash, exit or stop in a
# thread crashes, ends or stops the whole process by design: not a case.
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
echo "SKIP crash/exit/stop in serial, threads, thread-pool, gil, openmp:" \
     "a thread takes its whole process down (or stops it) by design"

# signals: the current map ends at once, the finished rounds stay
for x in processes process-pool threads gil py-processes py-threads; do
  has "$x" || continue
  for sig in INT:130 TERM:143; do
    env timeout 60 setsid -w sh -c 'echo $$ > "$0.sid"; exec "$@"' s-$x-${sig%:*} "$CB" \
      run $R -k sleep -p n=8 -p us=300000 -e "$x" -w 2 -r 3 -o s-$x-${sig%:*}.json \
      2>s-$x-${sig%:*}.err &
    pid=$!
    sleep 1.5
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
  check "$x double SIGINT: ended within 1 s (${ms} ms)" test "$ms" -lt 1000
  check "$x double SIGINT: nothing left behind" left_nothing d-$x
done
echo "fault scenarios run: $scenarios"
finish
