#!/usr/bin/env bash
# make bench: the default sweep, then its report.
#
# usage: scripts/bench.sh COREBENCH [RUN OPTIONS...]
#
# The options go to `corebench run` as they are. The result file is the one
# they name with -o/--out; without one it is run's default name,
# results/<UTC date>-<host>.json, chosen here the same way and passed as
# --out so the report step knows it. The report (figures, report.html,
# report.md) goes next to it, in <name>-report/. An interrupted or partly
# failed sweep still gets its report; a refused one (bad options: exit 2,
# nothing written) does not, and says so. With --dry-run (make bench
# ARGS=--dry-run, ARGS='--dry-run --synthetic "pack:2 core:24 pu:2"') it
# prints the plan of this sweep, its budget included, and its estimated
# time, and runs nothing.
set -u
cb=${1:?usage: scripts/bench.sh COREBENCH [RUN OPTIONS...]}
shift
out=
prev=
for a in "$@"; do
    case $prev in -o | --out) out=$a ;; esac
    case $a in
    --out=*) out=${a#--out=} ;;
    -o?*) out=${a#-o} ;;
    esac
    prev=$a
done
args=("$@")
# make bench's time budget (issue 15: the default sweep in at most 3
# minutes on a 2-vCPU VM, report included): past BENCH_MAX_TIME seconds of
# sweep, a configuration stops as soon as it has --min-samples clean
# samples (its `stop` says max-time). Not added when the options set a
# budget of their own or ask for exactly N samples (-r).
budget=yes
for a in "$@"; do
    case $a in
    --max-time | --max-time=* | -r | -r?* | --repetitions | --repetitions=*) budget= ;;
    esac
done
[ -z "$budget" ] || args+=(--max-time "${BENCH_MAX_TIME:-140}")
# make bench ARGS=--dry-run: the plan of this very sweep and its time
for a in "$@"; do
    [ "$a" != --dry-run ] || exec "$cb" run "${args[@]}"
done
if [ -z "$out" ]; then
    mkdir -p results
    host=$(hostname | sed -E 's/[^A-Za-z0-9_-]+/_/g; s/^_+//; s/_+$//')
    out="results/$(date -u +%Y%m%dT%H%M%SZ)-${host:-host}.json"
    args+=(--out "$out")
fi
status=0
"$cb" run "${args[@]}" || status=$?
if [ $status -eq 2 ] || [ ! -s "$out" ]; then
    echo "bench: no result file written ($out), so no report" >&2
    exit $((status ? status : 1))
fi
"$cb" report "$out" || { [ $status -ne 0 ] || status=$?; }
echo "bench: $out, report in ${out%.json}-report/report.html"
exit $status
