#!/bin/sh
# Open MPI's remote shell (plm_rsh_agent) for tests/test_mpi_netns.sh: what
# ssh would do, into a network + UTS namespace of this machine instead of
# another machine. Open MPI calls it as `AGENT [-options] HOST COMMAND...`
# and, as with ssh, COMMAND is one shell command line it built itself (the
# orted launch); only the host name comes from the test's --host list.
# CB_NS_HOSTS maps host addresses to the pid holding that host's
# namespaces: "10.213.47.1=1234 10.213.47.2=1240".
while [ $# -gt 0 ]; do
  case $1 in
    -*) shift ;;
    *) break ;;
  esac
done
host=$1
shift
pid=
for m in $CB_NS_HOSTS; do
  [ "${m%%=*}" = "$host" ] && pid=${m#*=}
done
if [ -z "$pid" ]; then
  echo "mpi_ns_agent: no namespace for host '$host' (CB_NS_HOSTS: $CB_NS_HOSTS)" >&2
  exit 255
fi
exec nsenter -t "$pid" -n -u -- /bin/sh -c "$*"
