#!/usr/bin/env bash
# Issue 15's targets for `make bench`, measured: two consecutive runs of
# the default sweep (what `make bench` runs, report included), then
#   - each run's wall time (target: at most 180 s),
#   - `corebench compare` of the two (target: at least 95% "same"),
#   - every gcd/factorize configuration's interval half-width for the
#     estimator (target: at most 2%), in both runs,
#   - every speedup of the second run within 3% of the first's,
#   - a real 5% slowdown: gcd with 5% more pairs (-p n=118, the default is
#     112), compared with --force against the first run (target: found
#     slower on its configurations),
#   - scripts/estimators.py over the two runs (the candidates' figures),
#   - scripts/neighbor-check.py over each run: the interference rule's
#     false alarms (flagged samples no burst overlapped; quiet: every
#     sample) and, with a neighbour, its hit rate.
#
# usage: [NEIGHBOR_DUTY=PCT] scripts/cloud-targets.sh OUTDIR [COREBENCH]
#
# Run it on the machine the figures are for, with nothing else running;
# NEIGHBOR_DUTY=20 runs scripts/noisy-neighbor.sh at that duty cycle beside
# both runs (its log: OUTDIR/neighbor.log), the issue's second condition.
# COREBENCH defaults to build/corebench (make build first). Everything goes
# to OUTDIR: run1.json, run2.json, shift.json, their reports, compare.txt,
# shift.txt, estimators.txt, targets.txt (the summary, also printed).
# Exit status 0 when every target is met, 1 otherwise, 2 on bad usage.
set -u
out=${1:?usage: scripts/cloud-targets.sh OUTDIR [COREBENCH]}
cb=${2:-build/corebench}
src=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$cb" ] || { echo "cloud-targets: $cb is not an executable corebench (make build)" >&2; exit 2; }
mkdir -p "$out" || exit 2
py=${PYTHON:-python3}

bench() { # bench NAME [RUN OPTIONS]: make bench's steps, timed
    local name=$1 t0 t1
    shift
    t0=$(date +%s.%N)
    bash "$src/scripts/bench.sh" "$cb" -o "$out/$name.json" "$@" >"$out/$name.log" 2>&1
    t1=$(date +%s.%N)
    echo "$t0 $t1" | awk '{printf "%.1f\n", $2 - $1}' >"$out/$name.wall"
}

nb=
if [ -n "${NEIGHBOR_DUTY:-}" ]; then
    bash "$src/scripts/noisy-neighbor.sh" --duty "$NEIGHBOR_DUTY" \
        --duration 900 --log "$out/neighbor.log" >"$out/neighbor.out" 2>&1 &
    nb=$!
fi
bench run1
bench run2
"$cb" compare "$out/run1.json" "$out/run2.json" --json "$out/compare.json" >"$out/compare.txt" 2>&1
"$cb" run -k gcd -p n=118 -o "$out/shift.json" >"$out/shift.log" 2>&1
# the neighbour stays for the shifted run: a slowdown is found under the
# same conditions as the run it is compared with
[ -z "$nb" ] || { kill -TERM "$nb" 2>/dev/null; wait "$nb" 2>/dev/null; }
for i in 1 2; do
    "$py" "$src/scripts/neighbor-check.py" "$out/run$i.json" \
        ${nb:+"$out/neighbor.log"} >"$out/rule$i.txt" 2>&1
done
"$cb" compare "$out/run1.json" "$out/shift.json" --force --json "$out/shift-compare.json" >"$out/shift.txt" 2>&1
"$py" "$src/scripts/estimators.py" "$out/run1.json" "$out/run2.json" >"$out/estimators.txt" 2>&1

"$py" - "$out" <<'EOF' | tee "$out/targets.txt"
import json, os, sys
out = sys.argv[1]
ok = True
def line(met, text):
    global ok
    ok &= met
    print(("met    " if met else "MISSED ") + text)
runs = [json.load(open(os.path.join(out, f"run{i}.json"))) for i in (1, 2)]
for i in (1, 2):
    wall = float(open(os.path.join(out, f"run{i}.wall")).read())
    line(wall <= 180, f"run{i}: make bench took {wall:.0f} s (target <= 180 s)")
cmp = json.load(open(os.path.join(out, "compare.json")))["comparisons"][0]
n = cmp["summary"]["configurations"]
same = cmp["summary"]["same"]
line(n and same >= 0.95 * n, f"compare run1 run2: {same} of {n} same "
     f"({100 * same / max(n, 1):.0f}%, target >= 95%)")
est = runs[0]["context"]["settings"].get("estimator", "median")
for i, d in enumerate(runs, 1):
    wide = []
    for r in d["runs"]:
        if r["kernel"] not in ("gcd", "factorize") or not r["samples"]:
            continue
        s = r["stats"]
        e, lo, hi = (s.get("estimate", s["median"]),
                     s.get("estimate_ci_lo", s["ci_lo"]),
                     s.get("estimate_ci_hi", s["ci_hi"]))
        hw = (hi - lo) / 2 / e if e and lo is not None else float("inf")
        if hw > 0.02:
            wide.append(f"{r['kernel']} {r['executor']} w={r['workers']} "
                        f"{100 * hw:.1f}%")
    line(not wide, f"run{i}: gcd/factorize {est} CI half-widths <= 2%"
         + (f"; above: {', '.join(wide)}" if wide else ""))
def speedups(d):
    return {(r["kernel"], r["executor"], r["workers"], r.get("chunksize")):
            r["speedup"]["value"] for r in d["runs"]
            if r.get("speedup") and r["speedup"].get("value")}
a, b = speedups(runs[0]), speedups(runs[1])
off = [(k, b[k] / a[k] - 1) for k in a if k in b and abs(b[k] / a[k] - 1) > 0.03]
line(not off, f"speedups within 3% between the runs ({len(a)} compared)"
     + ("; off: " + ", ".join(f"{k[0]} {k[1]} w={k[2]} {100 * v:+.1f}%"
                              for k, v in off) if off else ""))
sh = json.load(open(os.path.join(out, "shift-compare.json")))["comparisons"][0]
rows = [r for r in sh["rows"] if r["kernel"] == "gcd"]
slow = sum(r["verdict"] == "slower" for r in rows)
line(rows and slow == len(rows), f"gcd 5% larger (-p n=118): {slow} of "
     f"{len(rows)} configurations found slower")
import re
for i in (1, 2):
    t = open(os.path.join(out, f"rule{i}.txt")).read()
    m = re.search(r"overlapping no burst: (\d+); flagged: (\d+)", t)
    if m and int(m.group(1)):
        q, f = int(m.group(1)), int(m.group(2))
        line(f <= 0.10 * q, f"run{i}: {f} of {q} samples no burst overlapped "
             f"flagged ({100 * f / q:.1f}%, target <= 10%)")
    m = re.search(r"slowed > [0-9.]+%: (\d+); of those flagged: (\d+)", t)
    if m and int(m.group(1)):
        s, f = int(m.group(1)), int(m.group(2))
        line(f >= 0.90 * s, f"run{i}: {f} of {s} samples the neighbour "
             f"slowed by > 2% flagged ({100 * f / s:.0f}%, target >= 90%)")
print("(figures: compare.txt, shift.txt, estimators.txt, rule1.txt, "
      "rule2.txt; reports next to run1.json and run2.json)")
sys.exit(0 if ok else 1)
EOF
