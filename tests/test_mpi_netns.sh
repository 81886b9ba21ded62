#!/usr/bin/env bash
# The mpi executor across two hosts that are really apart: two network
# namespaces (and UTS namespaces, so the host names differ) joined by a veth
# pair, Open MPI over TCP on that pair only, orted started on the second
# "host" through tests/mpi_ns_agent.sh (plm_rsh_agent: nsenter in place of
# ssh). Ranks 0 and 1 on cbhost-a, rank 2 on cbhost-b. The setup and its
# guarantees (nothing outside the namespaces, everything removed on any
# exit) are in tests/netns_hosts.sh.
#
# Skipped (exit 77, with the reason) where namespaces or veth are refused
# (no CAP_SYS_ADMIN / CAP_NET_ADMIN, e.g. an unprivileged CI container) or
# iproute2 is missing; the one-host tests (test_mpi) still run there.
#   test_mpi_netns.sh COREBENCH SRC     (CB_NETNS_KEEP=FILE: keep the JSON)
CB=$1; SRC=$2
PY=${PYTHON:-python3}
. "$SRC/tests/lib.sh"
. "$SRC/tests/netns_hosts.sh"

T=$(mktemp -d)
trap 'ns_down; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
ns_up; rc=$?
if [ "$rc" -eq 77 ]; then echo "SKIP: $NS_WHY"; exit 77; fi
if [ "$rc" -ne 0 ]; then bad "two namespace hosts: $NS_WHY"; finish; exit 1; fi

rx0=$(ns_rx_b)
cd "$T"
NS_TIMEOUT=300 ns_mpirun 2 1 --bind-to none --mca orte_tmpdir_base "$T" \
  "$CB" run -e mpi -k gcd,empty --size tiny -w 1,2,3 --schedule static,dynamic \
  --pin cores -r 2 --warmup 1 --no-probe --no-counters --no-lock -o two.json \
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
need(d["complete"], "complete")
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
rx1=$(ns_rx_b)
check "the traffic crossed the veth pair (cbhost-b received $((rx1 - rx0)) bytes)" \
  test "$((rx1 - rx0))" -gt 10000
# CB_NETNS_KEEP=FILE keeps the result (the README's multi-host sample)
[ -n "$CB_NETNS_KEEP" ] && cp two.json "$CB_NETNS_KEEP"
finish
