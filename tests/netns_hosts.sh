# Two "hosts" on this machine for Open MPI, sourced by tests/test_mpi_netns.sh
# and scripts/mpi-targets.sh: two network namespaces (and UTS namespaces,
# so the host names differ: cbhost-a, cbhost-b) joined by a veth pair,
# 10.213.47.1/30 on a and .2 on b. Open MPI reaches b through
# tests/mpi_ns_agent.sh (its plm_rsh_agent: nsenter where ssh would be)
# and talks TCP on the pair only.
#
# Everything lives in namespaces created here: each is held by one `sleep`
# process; the veth pair is created inside a with its peer moved into b, so
# the machine's own network never sees it, and its addresses exist only on
# the pair. ns_down kills every process inside the two namespaces (they can
# only be ours), which destroys them and the pair: call it from an EXIT
# trap.
#
#   ns_up            0, or 77 with NS_WHY saying what is refused here
#   ns_mpirun NA NB MPIEXEC-ARGS...   mpiexec in a with NA slots on a, NB on b
#                    (killed after NS_TIMEOUT seconds, default 600)
#   ns_rx_b          bytes b has received on its end of the pair
#   ns_down

NS_HOLDERS=()
NS_WHY=

ns_up() {
  local why
  "${MPIEXEC:-mpiexec}" --version 2>/dev/null | grep -qE "Open MPI|OpenRTE" ||
    { NS_WHY="${MPIEXEC:-mpiexec} is not Open MPI's"; return 77; }
  command -v ip >/dev/null || { NS_WHY="iproute2 (ip) is not installed"; return 77; }
  command -v nsenter >/dev/null && command -v unshare >/dev/null ||
    { NS_WHY="util-linux unshare/nsenter missing"; return 77; }
  why=$(unshare -n -u true 2>&1) ||
    { NS_WHY="network/UTS namespaces refused here: $why"; return 77; }
  # (not jobs of this shell: started from a command substitution)
  NS_A=$(unshare -n -u -- sh -c "hostname cbhost-a && exec sleep 3600" \
         </dev/null >/dev/null 2>&1 & echo $!)
  NS_HOLDERS+=("$NS_A")
  NS_B=$(unshare -n -u -- sh -c "hostname cbhost-b && exec sleep 3600" \
         </dev/null >/dev/null 2>&1 & echo $!)
  NS_HOLDERS+=("$NS_B")
  for _ in $(seq 50); do # until both have named their host
    [ "$(nsenter -t "$NS_A" -u hostname 2>/dev/null)" = cbhost-a ] &&
      [ "$(nsenter -t "$NS_B" -u hostname 2>/dev/null)" = cbhost-b ] && break
    sleep 0.1
  done
  why=$(nsenter -t "$NS_A" -n ip link add cbveth-a type veth peer name cbveth-b netns "$NS_B" 2>&1) ||
    { NS_WHY="cannot create a veth pair between the namespaces: $why"; return 77; }
  why=$(nsenter -t "$NS_A" -n sh -c 'ip addr add 10.213.47.1/30 dev cbveth-a && ip link set cbveth-a up && ip link set lo up' 2>&1 &&
        nsenter -t "$NS_B" -n sh -c 'ip addr add 10.213.47.2/30 dev cbveth-b && ip link set cbveth-b up && ip link set lo up' 2>&1) ||
    { NS_WHY="cannot address the veth pair: $why"; return 1; }
  export CB_NS_HOSTS="10.213.47.1=$NS_A 10.213.47.2=$NS_B"
  return 0
}

ns_mpirun() {
  local na=$1 nb=$2
  shift 2
  local src
  src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    timeout "${NS_TIMEOUT:-600}" nsenter -t "$NS_A" -n -u -- "${MPIEXEC:-mpiexec}" \
    --host "10.213.47.1:$na,10.213.47.2:$nb" -np $((na + nb)) \
    --mca plm_rsh_agent "$src/tests/mpi_ns_agent.sh" --mca plm_rsh_no_tree_spawn 1 \
    --mca btl tcp,self --mca btl_tcp_if_include 10.213.47.0/30 \
    --mca oob_tcp_if_include 10.213.47.0/30 "$@"
}

ns_rx_b() {
  nsenter -t "$NS_B" -n cat /proc/net/dev | awk '$1 == "cbveth-b:" {print $2}'
}

ns_down() {
  local h ns p
  for h in "${NS_HOLDERS[@]}"; do
    ns=$(readlink "/proc/$h/ns/net" 2>/dev/null) || continue
    # every process in that namespace: ranks, orted, the holder itself
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$ns" ] && kill -9 "${p#/proc/}" 2>/dev/null
    done
  done
  NS_HOLDERS=()
}
