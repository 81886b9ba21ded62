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

# ---- issue 7: the emulated GIL against CPython's -----------------------
run cpython-gcd -k gcd -s seed -e gil,py-threads -w 1,2,4 -r 10
run cpython-sleep -k sleep -p n=64 -p us=2000 -e gil,py-threads -w 2,4 -r 10
run cpython-convoy -k convoy -e gil,py-threads,processes,py-processes -w 2 \
  --switch-interval 5000,1000,100 -r 10
run cpython-empty -k empty -p n=2000 -e process-pool,py-processes --chunksize 1 -w 2 -r 10
run cpython-serial -k gcd,factorize,sum,sum-shipped,sleep,empty -s small -e serial,py-serial -r 3
echo
echo "== issue 7 targets"
"$py" - <<'PY'
import json
def runs(f):
    return json.load(open(f + ".json"))["runs"]
def find(rs, k, x, w, si=None):
    for r in rs:
        if r["kernel"] == k and r["executor"] == x and r["workers"] == w and \
           (si is None or r["switch_interval_us"] == si):
            return r
for f, k in (("cpython-gcd", "gcd"), ("cpython-sleep", "sleep")):
    rs = runs(f)
    for w in (2, 4):
        g = find(rs, k, "gil", w)["speedup"]["value"]
        p = find(rs, k, "py-threads", w)["speedup"]["value"]
        print(f"{k:6} w={w}: gil {g:.2f}x, py-threads {p:.2f}x: "
              f"{100 * abs(g - p) / p:.1f}% apart (target <= 15%)")
rs = runs("cpython-convoy")
for si in (5000, 1000, 100):
    sl = {}
    for x in ("gil", "py-threads"):
        m = find(rs, "convoy", x, 2, si)["metrics"]["io_op_s"]
        sl[x] = m["median"] / m["baseline"]
        print(f"convoy si={si:5}: {x:10} {m['median']*1e6:8.1f} us per op, "
              f"alone {m['baseline']*1e6:6.1f} us: x{sl[x]:.2f}")
    f = max(sl.values()) / min(sl.values())
    print(f"convoy si={si:5}: slowdowns within a factor of {f:.2f} (target <= 2)")
for x in ("processes", "py-processes"):
    m = find(rs, "convoy", x, 2)["metrics"]["io_op_s"]
    print(f"convoy {x:12}: x{m['median'] / m['baseline']:.2f} alone")
rs = runs("cpython-empty")
c = find(rs, "empty", "process-pool", 2)["per_task_s"]
p = find(rs, "empty", "py-processes", 2)["per_task_s"]
print(f"empty chunksize 1, 2 workers: process-pool {c*1e6:.1f} us/task, "
      f"py-processes {p*1e6:.1f} us/task: C {p / c:.1f}x cheaper (target >= 5)")
rs = runs("cpython-serial")
for k in ("gcd", "factorize", "sum", "sum-shipped", "sleep", "empty"):
    c, p = find(rs, k, "serial", 1), find(rs, k, "py-serial", 1)
    print(f"serial {k:11}: C {c['stats']['median']*1e3:9.3f} ms, CPython "
          f"{p['stats']['median']*1e3:9.3f} ms: {p['stats']['median'] / c['stats']['median']:6.1f}x")
PY
