#!/usr/bin/env bash
# Measures the figures the issues set as targets, on this machine, with
# corebench itself (never as test assertions: a shared machine is noisy).
# Usage: scripts/targets.sh [build/corebench] [OUTDIR]
# Each sweep's JSON and table stay in OUTDIR for inspection.
set -eu
cb=$(realpath "${1:-build/corebench}")
out=${2:-results/targets-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
cd "$out"
py=${PYTHON:-python3}
run() { # name, corebench run args...
  local name=$1; shift
  echo "== $name: corebench run $*"
  "$cb" run --no-probe -o "$name.json" "$@" | tee "$name.txt" | grep -v '^corebench run:' || true
}
# speedup of one configuration: file kernel executor workers [chunksize]
sp() {
  "$py" - "$@" <<'PY'
import json, sys
f, k, x, w = sys.argv[1:5]
cs = sys.argv[5] if len(sys.argv) > 5 else None
for r in json.load(open(f))["runs"]:
    if r["kernel"] == k and r["executor"] == x and r["workers"] == int(w) and \
       (cs is None or str(r["chunksize"]) == cs):
        s = r["speedup"] or {}
        print(f"{k:10} {x:13} w={w} cs={cs or '-':5} speedup {s.get('value', float('nan')):.2f} "
              f"[{s.get('ci_lo', float('nan')):.2f}, {s.get('ci_hi', float('nan')):.2f}] "
              f"eff {s.get('value', float('nan')) / int(w):.2f} median {r['stats']['median']*1e3:.1f} ms "
              f"per-task {r['per_task_s']*1e6:.3f} us imbalance {r['imbalance'] or float('nan'):.2f}")
PY
}

run scaling -k gcd,factorize -e threads,processes,gil -w 1,2,4 -r 10
run sleep -k sleep -e threads,thread-pool,gil -w 8 -r 5
run empty -k empty -e thread-pool,process-pool,openmp --schedule dynamic --chunksize 1 -w 2 -r 5
run chunks -k gcd -e processes,process-pool --chunksize auto -w 2 -r 10
run skew -k factorize -p start=2 -p n=1500000 -e threads,thread-pool --chunksize 64 -w 2 -r 5

echo
echo "== targets"
for k in gcd factorize; do
  for x in threads processes; do sp scaling.json $k $x 2; done
  for w in 2 4; do sp scaling.json $k gil $w; done
done
for x in threads thread-pool gil; do sp sleep.json sleep $x 8; done
for x in thread-pool process-pool openmp; do sp empty.json empty $x 2; done
sp chunks.json gcd processes 2
sp chunks.json gcd process-pool 2 auto
sp skew.json factorize threads 2
sp skew.json factorize thread-pool 2 64
