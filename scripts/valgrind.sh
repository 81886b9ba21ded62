#!/usr/bin/env bash
# valgrind memcheck on a tiny sweep of every executor (make valgrind).
#
#   scripts/valgrind.sh [COREBENCH_BINARY]     default build/corebench
#
# One `corebench run -s tiny` per executor but mpi (every kernel, 1 and 2
# workers, one sample), plus process-pool with --start-method spawn. Forked
# children stay under valgrind; re-executed workers are followed
# (--trace-children=yes) except interpreters and MPI launchers, which are
# not ours. Every process writes its own log; the check fails if any
# log reports an error or a definite, indirect or possible leak, or if a
# sweep fails. Suppressions: scripts/valgrind.supp, each one justified.
set -u
CB=${1:-build/corebench}
SRC=$(cd "$(dirname "$0")/.." && pwd)
case $CB in /*) ;; *) CB=$PWD/$CB ;; esac
command -v valgrind >/dev/null || { echo "valgrind: not installed (scripts/deps.sh ci)" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cb-valgrind.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
kernels=$("$CB" list | awk '/^kernels/{k=1;next} /^$/{k=0} k && /^  [a-z]/{print $1}' | paste -sd,)
execs=$("$CB" list | awk '/^executors/{k=1;next} /^$/{k=0} k && /^  [a-z]/{print $1}')
VG=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full
    --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible
    --trace-children=yes --trace-children-skip='*python*,*mpiexec*,*mpirun*,*orted*'
    --child-silent-after-fork=no --track-fds=no
    --suppressions="$SRC/scripts/valgrind.supp")
status=0
runs=()
for x in $execs; do
  # mpi runs only under a launcher, and Open MPI's own libraries are not
  # memcheck-clean: its code is checked under ASan+LSan instead (test_mpi
  # in make sanitize, with tests/lsan-mpi.supp)
  if [ "$x" = mpi ]; then
    echo "valgrind: mpi: skipped (under mpirun only; ASan+LSan run it in test_mpi)"
    continue
  fi
  runs+=("$x|")
done
runs+=("process-pool|--start-method spawn")
for r in "${runs[@]}"; do
  x=${r%%|*}; extra=${r#*|}
  name=$x${extra:+-spawn}
  mkdir -p "$T/$name"
  # shellcheck disable=SC2086 # extra is a word list on purpose
  "${VG[@]}" --log-file="$T/$name/vg.%p.log" \
    "$CB" run -s tiny -k "$kernels" -e "$x" -w 1,2 -r 1 --warmup 0 \
    --no-probe --no-counters --no-lock --no-progress -q $extra \
    -o "$T/$name/result.json" >"$T/$name/out" 2>"$T/$name/err"
  rc=$?
  bad=$(grep -lE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]|indirectly lost: [1-9]|possibly lost: [1-9]' "$T/$name"/vg.*.log 2>/dev/null)
  nlogs=$(ls "$T/$name"/vg.*.log 2>/dev/null | wc -l)
  if [ "$rc" -ne 0 ] || [ -n "$bad" ]; then
    echo "valgrind: $name FAILED (exit $rc, $nlogs processes)"
    tail -3 "$T/$name/err"
    for f in $bad; do echo "--- $f"; sed -n '/== [A-Z][a-z]/,$p' "$f" | head -60; done
    status=1
  else
    echo "valgrind: $name: clean ($nlogs processes)"
  fi
done
exit $status
