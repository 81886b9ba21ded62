#!/usr/bin/env bash
# Measures the mpi executor's targets (issue 12) on this machine, with
# corebench itself (never as test assertions: a shared machine is noisy):
#  1. gcd on 2 ranks against serial on rank 0 (efficiency);
#  2. the per-task cost on `empty`, dynamic chunksize 1, beside process-pool;
#  3. one host (shared memory, then TCP on loopback) beside two hosts (two
#     network namespaces joined by a veth pair, TCP: tests/netns_hosts.sh,
#     skipped with the reason where namespaces are refused): per-task cost
#     and bytes shipped.
# Usage: scripts/mpi-targets.sh [build/corebench] [OUTDIR]   (Open MPI)
# Each sweep's JSON and table stay in OUTDIR for inspection.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
cb=$(realpath "${1:-build/corebench}")
out=${2:-results/mpi-targets-$(date -u +%Y%m%dT%H%M%SZ)}
py=${PYTHON:-python3}
mkdir -p "$out"
out=$(realpath "$out")
cd "$out"
if [ "$(id -u)" -eq 0 ]; then # Open MPI refuses root without these
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_orte_tmpdir_base=$out
M="${MPIEXEC:-mpiexec} -n 2 --bind-to none"
R="run --no-probe --no-lock"
run() { # name, launcher..., -- corebench run args...
  local name=$1 l=()
  shift
  while [ "$1" != -- ]; do l+=("$1"); shift; done
  shift
  echo "== $name: ${l[*]} corebench run $*"
  "${l[@]}" "$cb" $R -o "$name.json" "$@" 2>"$name.err" | tee "$name.txt" |
    grep -v '^corebench run:' || true
}

run gcd $M -- -e mpi -k gcd -w 1,2 --schedule static,dynamic -r 10
run empty $M -- -e mpi,process-pool -k empty --schedule dynamic --chunksize 1 -w 2 -r 5
# --pin none: the two namespace "hosts" are one machine, and the plan binds
# each host's first rank to the same PU (right for real hosts, which are
# alike); both ranks would then share one CPU.
T="-e mpi -k gcd,empty -s small -w 2 --schedule static,dynamic --chunksize 1 -r 5 --pin none"
run host-shm $M -- $T
run host-tcp $M --mca btl tcp,self --mca btl_tcp_if_include lo -- $T
. "$src/tests/netns_hosts.sh"
trap ns_down EXIT
if ns_up; then
  run two-hosts ns_mpirun 1 1 --bind-to none -- $T
else
  echo "== two-hosts: skipped: $NS_WHY"
fi

echo
echo "== targets"
"$py" - <<'PY'
import json, os
def runs(f):
    return json.load(open(f))["runs"] if os.path.exists(f) else []
def line(tag, r):
    s = r.get("speedup") or {}
    ipc = r["ipc"]
    wd = r["workers_detail"]
    print(f"{tag:10} {r['kernel']:6} {r['executor']:12} w={r['workers']} "
          f"{(r['schedule'] or '-'):7} cs={r['chunksize'] or '-'!s:4} "
          f"median {r['stats']['median']*1e3:9.3f} ms  "
          f"per-task {r['per_task_s']*1e6:8.3f} us  "
          f"eff {s.get('value', float('nan'))/r['workers']:.2f} "
          f"[{s.get('ci_lo', float('nan'))/r['workers']:.2f}-"
          f"{s.get('ci_hi', float('nan'))/r['workers']:.2f}]  "
          f"shipped {ipc['bytes_to_workers']}+{ipc['bytes_from_workers']} B  "
          f"tasks/rank {[w['tasks'] for w in wd]} hosts {sorted({w['host'] or '-' for w in wd})}")
    print(f"{'':10} samples ms {[round(x*1e3, 3) for x in r['samples']]}")
for tag in ("gcd", "empty", "host-shm", "host-tcp", "two-hosts"):
    for r in runs(f"{tag}.json"):
        if r["executor"] != "serial" or tag == "gcd":
            line(tag, r)
PY
