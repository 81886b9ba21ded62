#!/usr/bin/env bash
# Bounded fuzzing of every libFuzzer target (tests/fuzz/README.md).
#
#   scripts/fuzz.sh BUILD_DIR [SECONDS_PER_TARGET]     (make fuzz)
#
# BUILD_DIR holds targets built with clang -DCB_FUZZ=ON. Each target runs
# SECONDS (default 60) from a scratch corpus under BUILD_DIR seeded with
# tests/fuzz/corpus/T and tests/fuzz/regressions/T (never written to).
# Prints the executions per target; exits 1 on the first crash, leak,
# sanitizer report, timeout or out-of-memory, naming the input it saved:
# copy that file to tests/fuzz/regressions/T/ so the normal suite replays
# it from then on, and fix the bug.
set -u
BUILD=${1:?usage: scripts/fuzz.sh BUILD_DIR [SECONDS]}
SECS=${2:-60}
SRC=$(cd "$(dirname "$0")/.." && pwd)
status=0
for t in results run_cli params; do
  bin=$BUILD/fuzz_$t
  [ -x "$bin" ] || { echo "fuzz: $bin not built (make fuzz)" >&2; exit 2; }
  work=$BUILD/fuzz-work/$t
  rm -rf "$work"; mkdir -p "$work/corpus" "$work/artifacts"
  dict=()
  [ -f "$SRC/tests/fuzz/$t.dict" ] && dict=(-dict="$SRC/tests/fuzz/$t.dict")
  # -close_fd_mask=3: the targets print tables; libFuzzer keeps its own
  # copy of stderr for its reports and the sanitizers'.
  "$bin" -max_total_time="$SECS" -timeout=20 -rss_limit_mb=2048 \
    -max_len=16384 -close_fd_mask=3 -print_final_stats=1 "${dict[@]}" \
    -artifact_prefix="$work/artifacts/" \
    "$work/corpus" "$SRC/tests/fuzz/corpus/$t" "$SRC/tests/fuzz/regressions/$t" \
    >"$work/log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
  found=$(ls -A "$work/artifacts")
  if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    echo "fuzz: $t FAILED (exit $rc) after ${runs:-?} executions; log: $work/log"
    grep -E 'ERROR|SUMMARY|FUZZ_ASSERT|Test unit written' "$work/log" | head -20
    for a in $found; do
      echo "fuzz: input saved as $work/artifacts/$a: copy it to tests/fuzz/regressions/$t/"
    done
    status=1
  else
    echo "fuzz: $t: ${runs:-?} executions in ${SECS} s, no crash"
  fi
done
exit $status
