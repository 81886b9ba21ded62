#!/usr/bin/env bash
# The mpi executor on one host: the launch hint outside mpirun, every
# kernel through `mpiexec -n 2 --oversubscribe` with outputs verified and
# the JSON checked (ranks, hosts, shipping), a sweep that mixes mpi with the
# forking executors, a --workers count above the job's ranks, helpers that
# stay silent, and the conformance suite run as rank 0 of a 3-rank job.
#   test_mpi.sh COREBENCH SRC TEST_CONFORMANCE
CB=$1; SRC=$2; CONF=$3
PY=${PYTHON:-python3}
MPIEXEC=${MPIEXEC:-mpiexec}
. "$SRC/tests/lib.sh"
if ! "$MPIEXEC" --version 2>/dev/null | grep -qE "Open MPI|OpenRTE"; then
  echo "SKIP: $MPIEXEC is not Open MPI's (the tests use its --oversubscribe)"
  exit 77
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T"

# Open MPI refuses to run as root without these; set for this test only.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One host: shared memory between ranks, loopback for the rest; the
# session directory stays in this test's temp dir.
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
export OMPI_MCA_orte_tmpdir_base=$T
M="$MPIEXEC -n 2 --oversubscribe --bind-to none"
R="run --size tiny -r 2 --warmup 1 --no-probe --no-counters --no-lock"

# ---- outside mpirun -------------------------------------------------------
expect_fail 2 "^corebench run: mpi: .*mpirun -np" "outside mpirun, -e mpi says how to launch" -- \
  "$CB" $R -e mpi -k gcd -o out.json
expect_fail 2 "mpirun -np" "the launch hint stops a mixed list too" -- \
  "$CB" $R -e threads,mpi -k gcd -o out.json
check "nothing written by the refused sweeps" test ! -e out.json
check "list shows mpi, available" bash -c "'$CB' list | grep -E '^  mpi ' | grep -qv unavailable"
"$CB" $R -k empty -w 1 -o default.json -q; rc=$?
check "the default executor list leaves mpi out (rc=$rc)" "$PY" -c "
import json,sys
d=json.load(open('default.json'))
sys.exit(0 if $rc == 0 and d['runs'] and all(r['executor'] != 'mpi' for r in d['runs']) else 1)"

# ---- every kernel under mpiexec -n 2 ---------------------------------------
kernels=$("$CB" list | awk '/^kernels/{k=1;next} /^$/{k=0} k && /^  [a-z]/{print $1}' | paste -sd,)
$M "$CB" $R -e mpi -k "$kernels" -w 1,2 --schedule static,dynamic \
   -o all.json >all.out 2>all.err; rc=$?
check "every kernel through mpiexec -n 2 exits 0 (rc=$rc: $(tail -3 all.err))" test "$rc" -eq 0
check "schema validates" "$PY" "$SRC/tests/validate_result.py" all.json
check "one table: helpers print nothing" test "$(grep -c '^wrote ' all.out)" -eq 1
check "every map verified, ranks and hosts recorded" "$PY" - "$kernels" <<'EOF'
import json, socket, sys
d = json.load(open("all.json"))
kernels = sys.argv[1].split(",")
bad = []
def need(c, what):
    if not c:
        bad.append(what)
need(d["complete"], "complete")
host = d["context"]["host"]["hostname"]
m = d["context"].get("executors", {}).get("mpi", {})
need("Open MPI" in m.get("library", ""), "library names Open MPI")
need(m.get("ranks") == 2, "ranks == 2")
hosts = m.get("hosts", [])
need(len(hosts) == 1 and hosts[0]["name"] == host and hosts[0]["ranks"] == [0, 1],
     f"one host {host} with ranks 0 and 1: {hosts}")
need(hosts and hosts[0].get("topology", {}).get("pus", 0) >= 1, "host topology")
need([r["rank"] for r in m.get("rank_detail", [])] == [0, 1], "rank_detail")
seen = set()
for r in d["runs"]:
    need(r["verified"], f"run {r['id']} verified")
    if r["executor"] != "mpi":
        continue
    seen.add((r["kernel"], r["workers"], r["schedule"]))
    wd = r["workers_detail"]
    need(all(w["host"] == host for w in wd), f"run {r['id']}: host per rank")
    need(len({w["pid"] for w in wd}) == r["workers"], f"run {r['id']}: a pid per rank")
    need(sum(w["tasks"] for w in wd) == r["tasks"], f"run {r['id']}: tasks add up")
    away = sum(w["tasks"] for w in wd[1:])
    ipc = r["ipc"]
    need((ipc["bytes_to_workers"] > 0) == (away > 0) and
         (ipc["bytes_from_workers"] > 0) == (away > 0),
         f"run {r['id']}: bytes shipped iff rank 1 ran tasks ({ipc}, {away})")
for k in kernels:
    for w in (1, 2):
        for s in ("static", "dynamic"):
            need((k, w, s) in seen, f"mpi run of {k} w={w} {s}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF

# ---- mpi beside the executors that fork and spawn ---------------------------
$M "$CB" $R -e mpi,processes,process-pool,threads -k gcd,sum-shipped -w 1,2 \
   --start-method spawn -o mix.json >mix.out 2>mix.err; rc=$?
check "mpi mixed with processes, spawned process-pool exits 0 (rc=$rc: $(tail -3 mix.err))" test "$rc" -eq 0
check "the mixed sweep verified every map" "$PY" -c "
import json,sys
d=json.load(open('mix.json'))
ex={r['executor'] for r in d['runs']}
sys.exit(0 if d['complete'] and all(r['verified'] for r in d['runs']) and
         {'mpi','processes','process-pool','threads'} <= ex else 1)"
check "no fork warning from Open MPI" bash -c "! grep -qi 'fork' mix.err"

# ---- bad input under mpiexec -------------------------------------------------
$M "$CB" $R -e mpi -k gcd -w 3 -o three.json >three.out 2>three.err; rc=$?
check "more workers than ranks: exit 2 (rc=$rc)" test "$rc" -eq 2
check "... naming the count and the ranks" grep -q "asks for 3 ranks but the job has 2" three.err
check "... before anything is written" test ! -e three.json
check "helpers serve list and quit: one listing" \
  test "$($M "$CB" list 2>/dev/null | grep -c '^executors')" -eq 1

# ---- the conformance suite as rank 0 of 3 ------------------------------------
if [ -n "$CONF" ]; then
  CB_CONFORMANCE_REQUIRE=mpi CB_COREBENCH="$CB" \
    $MPIEXEC -n 3 --oversubscribe --bind-to none "$CONF" >conf.out 2>&1; rc=$?
  check "conformance under mpiexec -n 3 (rc=$rc: $(grep -E 'FAIL|passed' conf.out | tail -3))" test "$rc" -eq 0
fi
finish
