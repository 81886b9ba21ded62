#!/usr/bin/env bash
# Installs what corebench needs to build, test and plot on Debian.
# As root it runs apt-get; otherwise it prints the exact command and fails,
# so `make bench` / `make test` never half-work on a machine missing a part.
#
#   scripts/deps.sh        build, test, plot
#   scripts/deps.sh ci     and what CI's extra checks need (make ci-extra):
#                          clang + its libFuzzer runtime, valgrind
set -eu

# package -> a file or command that proves it is installed (empty: ask dpkg).
# Open MPI builds and tests the mpi executor; iproute2 (ip) makes the
# veth pair of its two-namespace test.
pkgs=(
  "build-essential:/usr/bin/gcc"
  "cmake:/usr/bin/cmake"
  "pkg-config:/usr/bin/pkg-config"
  "libhwloc-dev:/usr/include/hwloc.h"
  "libjansson-dev:/usr/include/jansson.h"
  "gnuplot-nox:/usr/bin/gnuplot"
  "libomp-dev:"
  "python3:/usr/bin/python3"
  "libopenmpi-dev:"
  "openmpi-bin:/usr/bin/mpiexec.openmpi"
  "iproute2:/usr/sbin/ip"
)

if [ "${1:-}" = ci ]; then
  pkgs+=(
    "clang:/usr/bin/clang"
    # -fsanitize=fuzzer's runtime (libclang_rt.fuzzer), not pulled in by
    # clang without recommends; the version follows Debian 12's clang 14
    "libclang-rt-14-dev:"
    "valgrind:/usr/bin/valgrind"
  )
fi

missing=()
for entry in "${pkgs[@]}"; do
  pkg=${entry%%:*}
  probe=${entry#*:}
  if [ -n "$probe" ] && [ -e "$probe" ]; then continue; fi
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    continue
  fi
  # libomp-dev is optional: gcc's own libgomp is enough for OpenMP.
  [ "$pkg" = libomp-dev ] && continue
  missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "corebench: missing packages: ${missing[*]}" >&2
  echo "corebench: run as root:  sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "corebench: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
