#!/usr/bin/env bash
# Runs every bad input docs/INPUTS.md lists and prints the table rows with
# the exit status and the message corebench gives today:
#
#   scripts/inputs-table.sh [build/corebench] > /tmp/rows.md
#
# Each case runs in a scratch directory with fixtures made here (a FIFO,
# links, a held lock, hostile files); nothing outside it is touched (the
# device case uses a private node, never /dev/null). The last line counts
# the cases and how many exited 2 with exactly one line on stderr.
set -u
CB=${1:-build/corebench}
case $CB in /*) ;; *) CB=$PWD/$CB ;; esac
SRC=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/cb-inputs.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
export CB_LOCK_FILE=$T/lock
R="run -s tiny -r 1 --warmup 0 --no-probe --no-counters -q"

# fixtures
mkfifo fifo.json; mkdir dir.json; echo precious > keep.json
ln -s "$T/missing/x.json" dangling.json; ln -s "$T/keep.json" link.json
mknod null c 1 3 2>/dev/null || true
mkfifo lockfifo; mkdir lockdir; echo x > hl1; ln hl1 hl2; ln -s "$T/keep.json" locklink
cp "$SRC/tests/fixtures/compare-base.json" base.json
cp "$SRC/tests/fixtures/compare-cflags.json" cflags.json
cp "$SRC/tests/fixtures/compare-workload.json" workload.json
: > empty.json
printf '{"schema": "corebench/1", "runs": [1, 2' > truncated.json
printf '{"schema": "corebench/0", "runs": []}' > schema0.json
printf '{"schema": "x\\u001b]0;pwned\\u0007", "runs": []}' > esc.json
printf '{"schema": "corebench/1"}' > noruns.json
printf '[1]' > array.json
printf '{"schema": "corebench/1", "runs": [7]}' > runobj.json
printf '{"schema": "corebench/1", "runs": [{"kernel": "gcd", "executor": "serial", "workers": 0, "samples": [1], "stats": {}}]}' > workers0.json
printf '{"schema": "corebench/1", "runs": [{"kernel": "gcd", "executor": "serial", "workers": 1, "samples": [-1], "stats": {}}]}' > negative.json
python3 "$SRC/scripts/gen-results.py" --samples 100001 --configs 1 many.json
python3 "$SRC/scripts/gen-results.py" --samples 100000 --configs 17 big.json
mkdir rep; echo x > rep/old.tsv

cases=(
"run options|$R -k nope -o a.json"
"run options|$R -k gcd, -o a.json"
"run options|$R -k '' -o a.json"
"run options|$R -e forks -o a.json"
"run options|$R -e ,serial -o a.json"
"run options|$R -w 0 -o a.json"
"run options|$R -w -3 -o a.json"
"run options|$R -w 5000 -o a.json"
"run options|$R -w abc -o a.json"
"run options|$R -w 1,,2 -o a.json"
"run options|$R -w 4-2 -o a.json"
"run options|$R -w 1-100 -o a.json"
"run options|$R -s huge -o a.json"
"run options|$R --chunksize 0 -o a.json"
"run options|$R --chunksize 1,,auto -o a.json"
"run options|$R --schedule fair -o a.json"
"run options|$R --scaling wide -o a.json"
"run options|$R --budget 10x -o a.json"
"run options|$R --synthetic 'pack:2 core:2' -o a.json"
"run options|$R --dry-run --synthetic 'pack:2 core:2' --xml t.xml"
"run options|$R --dry-run --scaling weak -s seed -k gcd"
"run options|$R --dry-run -k gcd -s default --synthetic 'pack:2 core:24 pu:2' --budget 1s"
"run options|$R --switch-interval 0 -o a.json"
"run options|$R --start-method thread -o a.json"
"run options|$R --pin diagonal -o a.json"
"run options|$R -k gcd --pin pus:99 -o a.json"
"run options|$R -r 0 -o a.json"
"run options|$R -r 10001 -o a.json"
"run options|$R --warmup 1001 -o a.json"
"run options|$R --seed -1 -o a.json"
"run options|$R --order-seed 1.5 -o a.json"
"run options|$R --frobnicate"
"run options|$R -w"
"run options|$R extra"
"run options|$R -k gcd -e thread-pool -w 1-64 --chunksize \$(seq -s, 1 64) -o a.json"
"run options|$R -x chunk=4 -o a.json"
"run options|$R -x chunksize -o a.json"
"run options|$R -k gcd -e py-serial --python $T/no/python9 -o a.json"
"run options|$R --task-timeout 0 -o a.json"
"run options|$R --task-timeout soon -o a.json"
"run options|$R --keep-going=yes -o a.json"
"run options|$R --target-ci 101 -o a.json"
"run options|run -s tiny --no-probe -q --min-samples 0 -o a.json"
"run options|run -s tiny --no-probe -q --min-samples 8 --max-samples 4 -o a.json"
"run options|$R --max-time -1 -o a.json"
"run options|$R -r 5 --target-ci 2 -o a.json"
"run options|env CB_INJECT=crash@task=x $CB $R -k gcd -e processes -o a.json"
"run options|env CB_INJECT=boom@worker=1 $CB $R -k gcd -e processes -o a.json"
"kernel parameters|$R -k gcd -p bogus=1 -o a.json"
"kernel parameters|$R -k gcd -p n -o a.json"
"kernel parameters|$R -k gcd -p =4 -o a.json"
"kernel parameters|$R -k gcd -p n= -o a.json"
"kernel parameters|$R -k gcd \$(for i in \$(seq 17); do printf -- '-p n=%d ' \$i; done) -o a.json"
"kernel parameters|$R -k gcd -p n=0 -o a.json"
"kernel parameters|$R -k gcd -p n=abc -o a.json"
"kernel parameters|$R -k gcd -p lo=5000 -p hi=1000 -o a.json"
"kernel parameters|$R -k gcd -p hi=1e15 -o a.json"
"kernel parameters|$R -k gcd --size seed -p n=5 -o a.json"
"kernel parameters|$R -k gcd -p n=1000000000000 -o a.json"
"kernel parameters|$R -k factorize -p n=1000000000000 -o a.json"
"kernel parameters|$R -k factorize -p start=4611686018427387904 -p n=2 -o a.json"
"kernel parameters|$R -k empty -p n=1000000000 -o a.json"
"kernel parameters|$R -k empty -p n=1000000000000 -o a.json"
"kernel parameters|$R -k sleep -p n=1000000000000 -o a.json"
"kernel parameters|$R -k sleep -p us=20000000 -o a.json"
"kernel parameters|$R -k sum -p chunks=10 -p elements=5 -o a.json"
"kernel parameters|$R -k sum -p elements=99999999999999999999 -o a.json"
"kernel parameters|$R -k sum -p elements=1000000000000 -p chunks=1000000000000 -o a.json"
"kernel parameters|$R -k sum -p elements=100000000000000 -o a.json"
"kernel parameters|$R -k sum-shipped -p elements=1000000000000 -o a.json"
"kernel parameters|bash -c 'ulimit -v 1000000; exec $CB $R -k empty -p n=100000000 -o a.json'"
"run --out|$R -k gcd -o $T/no/such/dir/a.json"
"run --out|$R -k gcd -o keep.json"
"run --out|$R -k gcd -o fifo.json --force"
"run --out|$R -k gcd -o null --force"
"run --out|$R -k gcd -o dir.json --force"
"run --out|$R -k gcd -o dangling.json"
"run --out|$R -k gcd -o link.json --force"
"run --out|$R -k gcd -o x.json/"
"run --out|$R -k gcd -o keep.json/x.json"
"run --out|$R -k gcd -o ''"
"run --out|$R -k gcd -o a.json --export-csv keep.json"
"run --out|$R -k gcd -o a.json --export-markdown fifo.json --force"
"run --out|$R -k gcd -o a.json --export-csv a.json"
"run --out|$R -k gcd -o a.json --export-csv x.csv --export-markdown ./x.csv"
"the lock|env CB_LOCK_FILE=$T/locklink $CB $R -k gcd -o a.json"
"the lock|env CB_LOCK_FILE=$T/lockfifo $CB $R -k gcd -o a.json"
"the lock|env CB_LOCK_FILE=$T/lockdir $CB $R -k gcd -o a.json"
"the lock|env CB_LOCK_FILE=$T/hl2 $CB $R -k gcd -o a.json"
"the lock|bash -c '(exec 9<keep.json; flock 9; sleep 2) & sleep 0.3; CB_LOCK_FILE=$T/keep.json $CB $R -k gcd -o a.json; rc=\$?; wait; exit \$rc'"
"report|report"
"report|report --frobnicate base.json"
"report|report base.json --out"
"report|report missing.json"
"report|report dir.json"
"report|report empty.json"
"report|report truncated.json"
"report|report schema0.json"
"report|report esc.json"
"report|report array.json"
"report|report noruns.json"
"report|report runobj.json"
"report|report workers0.json"
"report|report many.json"
"report|report big.json"
"report|env CB_MAX_INPUT_BYTES=lots $CB report base.json"
"report|report base.json --out rep"
"report|report base.json --out keep.json"
"compare|compare base.json"
"compare|compare base.json base.json --alpha 0.9"
"compare|compare base.json base.json --alpha x"
"compare|compare base.json base.json --json"
"compare|compare base.json workload.json"
"compare|compare base.json base.json --fail-if-slower x"
"compare|compare base.json base.json --export-markdown base.json"
"compare|compare base.json base.json --json base.json"
"compare|compare base.json base.json --json fifo.json"
"compare|compare base.json base.json --frobnicate"
"compare|compare base.json negative.json"
"compare|compare base.json truncated.json"
"compare|compare base.json esc.json"
"compare|compare base.json many.json"
"other commands|bench"
"other commands|list extra"
"other commands|topo --synthetic 'pack:zz'"
"other commands|topo --synthetic 'pack:1000 core:1000 pu:1000'"
"other commands|topo --xml $T/nope.xml"
"other commands|probe --json fifo.json --force"
)

n=0; two=0; section=
for c in "${cases[@]}"; do
  sec=${c%%|*}; cmd=${c#*|}
  if [ "$sec" != "$section" ]; then
    section=$sec
    printf '\n### %s\n\n| input | exit | message |\n|---|---|---|\n' "$sec"
  fi
  case $cmd in
    bash\ *|env\ *) full=$cmd ;;
    *) full="$CB $cmd" ;;
  esac
  err=$(eval "timeout 60 $full" 2>&1 >/dev/null); rc=$?
  lines=$(printf '%s\n' "$err" | grep -c .)
  n=$((n + 1))
  [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && two=$((two + 1))
  shown=${cmd//$T\//}; shown=${shown//$CB/corebench}; shown=${shown//$R/run …}
  case $shown in bash\ *|env\ *) ;; *) shown="corebench $shown" ;; esac
  msg=$(printf '%s' "$err" | head -1 | sed "s#$T/##g; s/|/\\\\|/g")
  printf '| `%s` | %s | %s |\n' "${shown//|/\\|}" "$rc" "$msg"
done
printf '\n%d bad inputs; %d exited 2 with one line on stderr\n' "$n" "$two" >&2
