#!/usr/bin/env bash
# End to end: a tiny sweep over every kernel and executor, the JSON checked
# against results/SCHEMA.md, then report produces PNG plots.
CB=$1; SRC=$2
PY=${PYTHON:-python3}
. "$SRC/tests/lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T"

kernels=$("$CB" list | awk '/^kernels/{k=1;next} /^$/{k=0} k && /^  [a-z]/{print $1}' | paste -sd,)
check "kernels listed" test -n "$kernels"
out=$("$CB" run -k "$kernels" --size tiny -w 1,2 -r 3 --warmup 1 \
        --chunksize 1,auto -o run.json 2>err.txt); rc=$?
check "tiny sweep exits 0 (rc=$rc: $(tail -3 err.txt))" test "$rc" -eq 0
check "table printed" bash -c "printf '%s' \"\$1\" | grep -q speedup" _ "$out"
check "schema validates" "$PY" "$SRC/tests/validate_result.py" run.json
check "the report fixture follows the schema too" "$PY" "$SRC/tests/validate_result.py" "$SRC/tests/fixtures/sample.json"
check "the probe measured the triad per working-set level, dram last" "$PY" -c "
import json,sys
lv=json.load(open('run.json'))['probe']['triad_levels']
sys.exit(0 if lv and lv[-1]['level'] == 'dram' and lv[-1]['points'] else 1)"
check "the probe measured a ws level at each memory kernel's working set" "$PY" -c "
import json
d = json.load(open('run.json'))
ws = {r['work']['working_set_bytes'] for r in d['runs']
      if r['work']['bytes_touched'] and r['work']['working_set_bytes']}
ex = [l for l in d['probe']['triad_levels'] if l.get('exact')]
assert ws and all(any(l['cache_bytes'] == round(w) and l['points'] and
                      w - 24 < l['working_set_bytes'] <= w
                      for l in ex) for w in ws), (ws, ex)
assert all(l['level'] == 'ws' and not l['shared'] for l in ex), ex
"
check "every worker of every run reports its run delay and context switches" "$PY" -c "
import json,sys
d=json.load(open('run.json'))
sys.exit(0 if all(w['run_delay_s'] is not None and w['run_delay_s'] >= 0 and
                  w['csw_voluntary'] is not None and w['csw_involuntary'] is not None
                  for r in d['runs'] for w in r['workers_detail']) else 1)"
check "every run verified" "$PY" -c "
import json,sys
d=json.load(open('run.json'))
sys.exit(0 if d['complete'] and all(r['verified'] for r in d['runs']) else 1)"
check "report runs" "$CB" report run.json --out rep
check "every report table and page checks out against the JSON" "$PY" "$SRC/tests/report_check.py" rep run.json
check "a speedup PNG was produced" bash -c "ls rep/*.png | grep -q speedup"
for f in rep/*.png; do
  check "$f is a PNG" bash -c "head -c 8 '$f' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"
done
finish
