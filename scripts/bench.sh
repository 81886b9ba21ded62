#!/usr/bin/env bash
# make bench: the default sweep, then the plots. The result file name is
# chosen here so the report step can find it; `corebench run` itself
# refuses to overwrite it.
set -eu
cb=$1; shift
mkdir -p results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
host=$(hostname | sed 's/[^A-Za-z0-9_-]/_/g')
out="results/bench-$stamp-$host.json"
status=0
"$cb" run --out "$out" "$@" || status=$?
# An interrupted or partly failed sweep still gets its plots.
if [ -s "$out" ]; then
  "$cb" report "$out"
fi
exit $status
