#!/usr/bin/env bash
# Measures issue 9's targets with corebench itself (never as test
# assertions: a shared machine is noisy). Usage:
#   scripts/trust-targets.sh [build/corebench] [OUTDIR]
# 1. two consecutive default sweeps (what `make bench` runs), each timed;
#    per gcd/factorize configuration the median's 95% CI half-width;
# 2. `corebench compare` of the two: the share "no significant difference";
# 3. a disturbance: a busy loop pinned to CPU 1 for part of a pinned sweep,
#    against the same sweep undisturbed: samples flagged, speedups apart.
# Every JSON, table and comparison stays in OUTDIR for inspection.
set -eu
cb=$(realpath "${1:-build/corebench}")
out=${2:-results/targets-trust-$(date -u +%Y%m%dT%H%M%SZ)}
py=${PYTHON:-python3}
mkdir -p "$out"
cd "$out"

for i in 1 2; do
  echo "== sweep $i: corebench run -o bench$i.json (the make bench default)"
  t0=$(date +%s.%N)
  "$cb" run -o "bench$i.json" > "bench$i.txt"
  t1=$(date +%s.%N)
  echo "took $("$py" -c "print(f'{$t1 - $t0:.0f} s')")"
done

echo "== CI half-width of the median, gcd and factorize configurations"
"$py" - bench1.json bench2.json <<'PY'
import json, sys
for f in sys.argv[1:]:
    worst = []
    for r in json.load(open(f))["runs"]:
        if r["kernel"] not in ("gcd", "factorize"):
            continue
        s = r["stats"]
        hw = (s["ci_hi"] - s["ci_lo"]) / 2 / s["median"] * 100
        worst.append((hw, r["kernel"], r["executor"], r["workers"],
                      r.get("exec_params", {}), r["stop"],
                      len(r["samples"]), r["interference"]["set_aside"]))
    worst.sort(reverse=True)
    over = [w for w in worst if w[0] > 2]
    print(f"{f}: {len(worst)} configurations, largest half-width "
          f"{worst[0][0]:.2f}%, {len(over)} over 2%")
    for w in worst[:3]:
        print(f"  {w[0]:5.2f}%  {w[1]} {w[2]} w={w[3]} {w[4]} stop={w[5]} "
              f"samples={w[6]} aside={w[7]}")
PY

echo "== corebench compare bench1.json bench2.json"
"$cb" compare bench1.json bench2.json --json compare.json > compare.txt
"$py" - compare.json <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["comparisons"][0]["rows"]
same = sum(r["verdict"] == "same" for r in rows)
print(f"{same}/{len(rows)} configurations no significant difference "
      f"({100 * same / len(rows):.1f}%)")
for r in rows:
    if r["verdict"] != "same":
        print(f"  {r['verdict']:6} {r['kernel']} {r['label']} ratio "
              f"{r['ratio']:.3f} p={r['p']:.3g}")
PY

if [ "$(nproc)" -lt 2 ]; then
  echo "== disturbance: skipped, needs 2 CPUs"
  exit 0
fi
args=(-k gcd,factorize -e threads,processes -w 1,2 --pin cores -r 12
      --no-probe)
echo "== disturbance: corebench run ${args[*]}, quiet then disturbed"
"$cb" run "${args[@]}" -o quiet.json > quiet.txt
"$cb" run "${args[@]}" -o disturbed.json > disturbed.txt &
sweep=$!
# the busy loop arrives after the warm-ups and leaves before the end
sleep 4
taskset -c 1 sh -c 'while :; do :; done' &
hog=$!
sleep 8
kill "$hog"
wait "$sweep"
"$py" - quiet.json disturbed.json <<'PY'
import json, sys
def runs(f):
    return {(r["kernel"], r["executor"], r["workers"]): r
            for r in json.load(open(f))["runs"]}
q, d = runs(sys.argv[1]), runs(sys.argv[2])
flagged = sum(sum(r["interference"]["interfered"]) for r in d.values())
aside = sum(r["interference"]["set_aside"] for r in d.values())
total = sum(len(r["samples"]) for r in d.values())
print(f"disturbed sweep: {flagged}/{total} samples flagged interfered, "
      f"{aside} set aside")
worst = 0
for k, r in sorted(d.items()):
    if not r.get("speedup"):
        continue
    a, b = q[k]["speedup"]["value"], r["speedup"]["value"]
    worst = max(worst, abs(b / a - 1) * 100)
    print(f"  {k[0]:10} {k[1]:10} w={k[2]} speedup quiet {a:.3f} "
          f"disturbed {b:.3f} ({(b / a - 1) * 100:+.1f}%), "
          f"{sum(r['interference']['interfered'])} flagged")
print(f"largest speedup difference {worst:.1f}%")
PY
