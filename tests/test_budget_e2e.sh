#!/usr/bin/env bash
# The efficiency budget end to end (docs/EFFICIENCY.md): for configurations
# whose loss is known by construction, WHICH factor is the largest, never
# how large it is in seconds:
#   - an imbalanced plan (3 equal tasks on 2 workers, static chunks):
#     load balance;
#   - the GIL on gcd: serialisation;
#   - process-pool at chunksize 1 on `empty`: dispatch and transfer;
#   - sum on 2 pool threads: computation scaling (the same work costs the
#     workers other time than the serial loop: memory shared, allocation
#     in threads' arenas; on this 2-vCPU VM it has been a loss and a gain,
#     so the check is that it moves furthest from 1 of the structural
#     factors: balance and dispatch stay near 1 by construction).
# Interference and the unexplained rest depend on what else runs on the
# machine: where a case is not built to be immune to them, the check is on
# the largest of the four structural factors, and the largest overall is
# printed for the log.
# usage: test_budget_e2e.sh COREBENCH SOURCE_DIR
set -u
CB=${1:?usage: test_budget_e2e.sh COREBENCH SOURCE_DIR}
SRC=${2:?usage: test_budget_e2e.sh COREBENCH SOURCE_DIR}
case $CB in
    /*) ;;
    */*) CB=$(cd "$(dirname "$CB")" && pwd)/$(basename "$CB") ;;
esac
SRC=$(cd "$SRC" && pwd)
. "$SRC/tests/lib.sh"
PY=${PYTHON:-python3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/test_budget_e2e.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
export CB_LOCK_FILE=${CB_LOCK_FILE:-$TMP/lock}
R=("$CB" run --no-probe -w 2 -r 3 --warmup 1 -q)

# largest FILE EXECUTOR LOSS [structural|furthest|parallel]: the budget of
# EXECUTOR's 2-worker run names LOSS its largest (of every factor, or of
# the four structural ones; furthest: the structural factor furthest from
# 1, a loss or a gain; parallel: of serialisation, transfer and load
# balance), its factors multiply to its efficiency and its losses add up
# to the gap.
largest() {
  "$PY" - "$@" <<'EOF'
import json, math, sys
path, executor, loss = sys.argv[1:4]
structural = len(sys.argv) > 4
furthest = sys.argv[4:] == ["furthest"]
parallel = sys.argv[4:] == ["parallel"]
LOSSES = ["computation_scaling", "interference", "serialisation",
          "transfer", "load_balance", "unexplained"]
SHAPE = ["computation_scaling", "serialisation", "transfer", "load_balance"]
runs = [r for r in json.load(open(path))["runs"]
        if r["executor"] == executor and r["workers"] == 2]
if len(runs) != 1 or not runs[0].get("budget"):
    sys.exit(f"{path}: no budget for {executor} at 2 workers")
b = runs[0]["budget"]
lost = b["lost"]
print(f"  {executor}: efficiency {b['efficiency']:.3f}, largest {b['largest']}"
      f"; lost " + ", ".join(f"{k} {lost[k]:+.3f}" for k in LOSSES))
prod = math.prod(b["factors"][k] for k in LOSSES)
if abs(prod - b["efficiency"]) > 1e-6 * b["efficiency"]:
    sys.exit(f"factors multiply to {prod}, not {b['efficiency']}")
if abs(sum(lost.values()) - (1 - b["efficiency"])) > 1e-6:
    sys.exit(f"losses add up to {sum(lost.values())}")
# parallel: POP's parallel efficiency, the factors of the workers'
# coordination (a sanitizer's instrumentation inflates compute instead)
among = (["serialisation", "transfer", "load_balance"] if parallel else
         SHAPE if structural else LOSSES)
got = max(among, key=lambda k: abs(lost[k]) if furthest else lost[k])
if got != loss:
    sys.exit(f"largest{' structural' if structural else ''} loss is {got}, "
             f"not {loss}")
EOF
}

# an imbalanced plan: 3 tasks of 20 ms each on 2 workers, static chunks of
# 2 and 1: the second worker idles a third of the map (load balance 0.75)
"${R[@]}" -k sleep -p n=3 -p us=20000 -e threads,processes -o imb.json >imb.txt 2>&1
check "imbalanced plan: sweep exits 0 ($(tail -1 imb.txt))" test -s imb.json
check "imbalanced plan, threads: load balance is the largest loss" \
  largest imb.json threads load_balance
check "imbalanced plan, processes: load balance is the largest loss" \
  largest imb.json processes load_balance

# the GIL: two workers, one runs while the other waits for the lock
"${R[@]}" -k gcd -s small -e gil -o gil.json >gil.txt 2>&1
check "gil: sweep exits 0 ($(tail -1 gil.txt))" test -s gil.json
# Of the workers' coordination the GIL's loss is serialisation (under
# TSan, whose instrumentation slows the lock's hand-over and every memory
# access, computation scaling can pass it: 0.30 against 0.28 in CI)
check "gil on gcd: serialisation is the largest parallel loss" \
  largest gil.json gil serialisation parallel

# chunksize 1 on empty: every task a round trip to a worker process
"${R[@]}" -k empty -s small -e process-pool --chunksize 1 -o pp.json \
  >pp.txt 2>&1
check "process-pool: sweep exits 0 ($(tail -1 pp.txt))" test -s pp.json
check "process-pool c=1 on empty: transfer is the largest loss" \
  largest pp.json process-pool transfer
"$CB" run --no-probe -w 2 -r 3 --warmup 0 -k empty -s small \
  -e process-pool --chunksize 1 -o pp2.json --export-markdown pp.md \
  >pp.table 2>&1
check "the console table's lost column names transfer" \
  grep -Eq '^empty +process-pool c=1 +2 .* transfer [0-9]+% ' pp.table
check "the Markdown table has the lost column" \
  bash -c "grep -q '| lost |' pp.md && grep -Eq '\| transfer [0-9]+% \|' pp.md"

# sum on two threads taking chunks from one queue (balanced by
# construction, nothing shipped): the same chunks cost other time per task
# at two workers than in the serial loop
"${R[@]}" -k sum -e thread-pool -o sum.json >sum.txt 2>&1
check "sum: sweep exits 0 ($(tail -1 sum.txt))" test -s sum.json
check "sum on 2 threads: computation scaling moves furthest of the structural factors" \
  largest sum.json thread-pool computation_scaling furthest

# the report: one budget figure per kernel, the biggest loss in words
"$CB" report pp.json gil.json --out rep >rep.txt 2>&1
check "report of the budgets ($(tail -1 rep.txt))" test -s rep/report.md
check "report: a budget figure and table per kernel" \
  test -s rep/budget-empty.png -a -s rep/budget-empty.tsv -a -s rep/budget-gcd.png
check "report names the biggest loss in words" \
  grep -Eq 'The biggest loss: process-pool c=1 w=2[^.]* loses [0-9]+% of the ideal to dispatch and transfer' rep/report.md
check "report tables recompute from the JSON" \
  "$PY" "$SRC/tests/report_check.py" rep pp.json gil.json
finish
