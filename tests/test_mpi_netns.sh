#!/usr/bin/env bash
# The mpi executor across two hosts that are really apart: two network
# namespaces (and UTS namespaces, so the host names differ) joined by a veth
# pair, Open MPI over TCP between them on that pair only, orted started on
# the second "host" through tests/mpi_ns_agent.sh (plm_rsh_agent: nsenter
# in place of ssh). Rank 0 and 1 on host a, rank 2 on host b.
#
# Everything lives in namespaces this test creates: each is held by one
# `sleep` process; the veth pair is created inside the first namespace with
# its peer moved into the second, so the machine's own network never sees
# it; the addresses (10.213.47.1/.2, a /30) exist only on that pair. On exit,
# also on failure, every process inside the two namespaces is killed (they
# can only be this test's), which destroys the namespaces and the pair.
#
# Skipped (exit 77, with the reason) where namespaces or veth are refused
# (no CAP_SYS_ADMIN / CAP_NET_ADMIN, e.g. an unprivileged CI container) or
# iproute2 is missing; the one-host tests (test_mpi) still run there.
#   test_mpi_netns.sh COREBENCH SRC     (CB_NETNS_KEEP=FILE: keep the JSON)
CB=$1; SRC=$2
PY=${PYTHON:-python3}
MPIEXEC=${MPIEXEC:-mpiexec}
. "$SRC/tests/lib.sh"

skip() { echo "SKIP: $*"; exit 77; }
"$MPIEXEC" --version 2>/dev/null | grep -qE "Open MPI|OpenRTE" ||
  skip "$MPIEXEC is not Open MPI's"
command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
command -v nsenter >/dev/null && command -v unshare >/dev/null ||
  skip "util-linux unshare/nsenter missing"
why=$(unshare -n -u true 2>&1) || skip "network/UTS namespaces refused here: $why"

T=$(mktemp -d)
holders=()
cleanup() {
  local h ns p
  for h in "${holders[@]}"; do
    ns=$(readlink "/proc/$h/ns/net" 2>/dev/null) || continue
    # every process in our namespace: ranks, orted, the holder itself
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$ns" ] && kill -9 "${p#/proc/}" 2>/dev/null
    done
  done
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hold() { # hold NAME: a process in new net + UTS namespaces named NAME
  unshare -n -u -- sh -c "hostname $1 && exec sleep 600" &
  holders+=($!)
}
hold cbhost-a; A=${holders[0]}
hold cbhost-b; B=${holders[1]}
for _ in $(seq 50); do # until both have named their host
  [ "$(nsenter -t "$A" -u hostname 2>/dev/null)" = cbhost-a ] &&
    [ "$(nsenter -t "$B" -u hostname 2>/dev/null)" = cbhost-b ] && break
  sleep 0.1
done
why=$(nsenter -t "$A" -n ip link add cbveth-a type veth peer name cbveth-b netns "$B" 2>&1) ||
  skip "cannot create a veth pair between the namespaces: $why"
nsenter -t "$A" -n sh -c 'ip addr add 10.213.47.1/30 dev cbveth-a && ip link set cbveth-a up && ip link set lo up' &&
  nsenter -t "$B" -n sh -c 'ip addr add 10.213.47.2/30 dev cbveth-b && ip link set cbveth-b up && ip link set lo up' ||
  { bad "addresses on the veth pair"; finish; exit 1; }

rx_b() { # bytes host b received on its end of the pair
  nsenter -t "$B" -n cat /proc/net/dev | awk '$1 == "cbveth-b:" {print $2}'
}
rx0=$(rx_b)

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export CB_NS_HOSTS="10.213.47.1=$A 10.213.47.2=$B"
cd "$T"
# TCP only, and only on the pair: ranks, daemons and mpirun alike.
timeout 300 nsenter -t "$A" -n -u -- "$MPIEXEC" \
  --host 10.213.47.1:2,10.213.47.2:1 -np 3 --bind-to none \
  --mca plm_rsh_agent "$SRC/tests/mpi_ns_agent.sh" --mca plm_rsh_no_tree_spawn 1 \
  --mca btl tcp,self --mca btl_tcp_if_include 10.213.47.0/30 \
  --mca oob_tcp_if_include 10.213.47.0/30 --mca orte_tmpdir_base "$T" \
  "$CB" run -e mpi -k gcd,empty --size tiny -w 1,2,3 --schedule static,dynamic \
  -r 2 --warmup 1 --no-probe --no-counters --no-lock -o two.json \
  >two.out 2>two.err
rc=$?
check "the two-host sweep exits 0 (rc=$rc: $(tail -5 two.err))" test "$rc" -eq 0
check "schema validates" "$PY" "$SRC/tests/validate_result.py" two.json
check "two host names, ranks on both, every map verified" "$PY" - <<'EOF'
import json, sys
d = json.load(open("two.json"))
bad = []
def need(c, what):
    if not c:
        bad.append(what)
need(d["context"]["host"]["hostname"] == "cbhost-a", "rank 0 ran on cbhost-a")
m = d["context"]["executors"]["mpi"]
need(m["ranks"] == 3 and m["host_count"] == 2, f"3 ranks on 2 hosts: {m}")
hosts = {h["name"]: h for h in m["hosts"]}
need(set(hosts) == {"cbhost-a", "cbhost-b"}, f"hosts {sorted(hosts)}")
need(hosts.get("cbhost-a", {}).get("ranks") == [0, 1], "ranks 0, 1 on cbhost-a")
need(hosts.get("cbhost-b", {}).get("ranks") == [2], "rank 2 on cbhost-b")
need(all(h.get("topology", {}).get("pus", 0) >= 1 for h in hosts.values()),
     "a topology summary per host")
spans = 0
for r in d["runs"]:
    need(r["verified"], f"run {r['id']} verified")
    if r["executor"] != "mpi":
        continue
    wd = r["workers_detail"]
    names = [w["host"] for w in wd]
    need(names == ["cbhost-a", "cbhost-a", "cbhost-b"][:r["workers"]],
         f"run {r['id']}: hosts {names}")
    need(sum(w["tasks"] for w in wd) == r["tasks"], f"run {r['id']}: tasks")
    if r["workers"] == 3:
        spans += 1
        need(wd[2]["tasks"] > 0 or r["schedule"] == "dynamic",
             f"run {r['id']}: rank 2 (cbhost-b) computed its block")
        need(r["ipc"]["bytes_to_workers"] > 0, f"run {r['id']}: bytes shipped")
        # ranks sharing a host take distinct plan entries; the other host
        # starts its own ranks from the first entry again
        p = [w["pu_planned"] for w in wd]
        need(p[0] != p[1] and p[2] == p[0], f"run {r['id']}: planned PUs {p}")
need(spans == 4, f"4 runs span both hosts, got {spans}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
rx1=$(rx_b)
check "the traffic crossed the veth pair (cbhost-b received $((rx1 - rx0)) bytes)" \
  test "$((rx1 - rx0))" -gt 10000
# CB_NETNS_KEEP=FILE keeps the result (the README's multi-host sample)
[ -n "$CB_NETNS_KEEP" ] && cp two.json "$CB_NETNS_KEEP"
finish
