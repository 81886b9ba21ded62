#!/usr/bin/env bash
# make lesson on tiny sizes: both pages, every figure they reference, the
# HTML self-contained (figures embedded, no script, nothing fetched), and
# every number in it traceable to a result file that validates.
CB=$1; SRC=$2
PY=${PYTHON:-python3}
. "$SRC/tests/lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T"

"$PY" "$SRC/python/lesson.py" --corebench "$CB" --quick -r 2 --out les \
  >out.txt 2>err.txt; rc=$?
check "lesson --quick exits 0 (rc=$rc: $(tail -2 err.txt))" test "$rc" -eq 0
check "lesson.md and lesson.html written" test -s les/lesson.md -a -s les/lesson.html
check "the four seeds' sections and the method are there" bash -c \
  "for s in 'Seed 003' 'Seed 002' 'Seed 004' 'Seeds 000/001' 'How this was measured'; do grep -q \"## \$s\" les/lesson.md || exit 1; done"
check "every figure lesson.md references exists and is a PNG" "$PY" - les <<'PYEOF'
import os, re, sys
d = sys.argv[1]
refs = re.findall(r"!\[[^]]*\]\(([^)]+)\)", open(os.path.join(d, "lesson.md")).read())
assert len(refs) >= 7, refs
for r in refs:
    assert "/" not in r, r
    with open(os.path.join(d, r), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n", r
PYEOF
check "lesson.html embeds every figure and references nothing outside" "$PY" - les <<'PYEOF'
import base64, os, re, sys
h = open(os.path.join(sys.argv[1], "lesson.html")).read()
srcs = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', h)
assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs), srcs
assert "<script" not in h.lower() and "@import" not in h and "url(" not in h
for s in srcs:
    assert base64.b64decode(s.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
md = open(os.path.join(sys.argv[1], "lesson.md")).read()
assert len(srcs) == len(re.findall(r"!\[", md)), (len(srcs), md.count("!["))
PYEOF
for f in les/data/*.json; do
  check "$f follows the schema" "$PY" "$SRC/tests/validate_result.py" "$f"
done
check "the numbers in the text come from the runs (gcd medians, as corebench prints times)" "$PY" - les "$CB" <<'PYEOF'
import json, os, subprocess, sys
d, cb = sys.argv[1], sys.argv[2]
g = json.load(open(os.path.join(d, "data", "gcd.json")))
md = open(os.path.join(d, "lesson.md")).read()
ps = next(r for r in g["runs"] if r["executor"] == "py-serial")
t = ps["stats"]["median"]
shown = subprocess.run([cb, "fmt", "time", repr(t)], capture_output=True,
                       text=True, check=True).stdout.strip()
assert shown.endswith("s") and shown[0].isdigit(), shown
assert ("CPython's loop took " + shown) in md, shown
PYEOF
check "the caveat: absent when every interval is tight, present and naming the noisy ones when not" "$PY" - "$SRC" "$CB" <<'PYEOF'
import json, os, sys
src, cb = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(src, "python"))
import lesson_base
quiet = os.path.join(src, "tests", "fixtures", "sample.json")
l = lesson_base.Lesson.__new__(lesson_base.Lesson)
l.results = [("gcd", lesson_base.Result(quiet, cb))]
assert l.caveat() == [], l.caveat()
d = json.load(open(quiet))
r = next(r for r in d["runs"] if r["executor"] == "threads" and r["workers"] == 2)
s = r["stats"]
e = s.get("estimate", s["median"])
s["estimate"], s["estimate_ci_lo"], s["estimate_ci_hi"] = e, 0.88 * e, 1.12 * e
r["interference"] = {"interfered": [True] + [False] * (len(r["samples"]) - 1),
                     "set_aside": 1}
json.dump(d, open("noisy.json", "w"))
l.results = [("gcd", lesson_base.Result("noisy.json", cb))]
c = l.caveat()
assert len(c) == 2, c
assert c[0][1].startswith("1 of the configurations measured here have a 95% interval wider than +-5%"), c[0][1]
assert "gcd: threads w=2 (+-12%)" in c[0][1], c[0][1]
assert "1 of 140 samples were set aside" in c[1][1] and "-r 15" in c[1][1], c[1][1]
PYEOF
check "corebench fmt time: three significant digits and a prefix" bash -c \
  "test \"\$('$CB' fmt time 0.0123 2e-7 1.5 nan | paste -sd,)\" = '12.3 ms,200 ns,1.50 s,-'"
check "corebench fmt: a bad value is one line and exit 2" bash -c \
  "'$CB' fmt time 12x 2>err; test \$? -eq 2 && grep -q \"'12x' is not a number\" err"
check "the lesson's tables label runs as corebench does" "$PY" - les "$CB" <<'PYEOF'
import json, os, subprocess, sys
d, cb = sys.argv[1], sys.argv[2]
f = os.path.join(d, "data", "factorize.json")
runs = json.loads(subprocess.run([cb, "fmt", "runs", f], capture_output=True,
                                 text=True, check=True).stdout)
labels = {x["label"] for x in runs}
assert {"py-processes c=1", "py-processes c=auto"} <= labels, labels
md = open(os.path.join(d, "lesson.md")).read()
for lab in labels:
    assert "| %s |" % lab in md, lab
PYEOF
check "the sum's bandwidth against the triad on its own working set, from the run" "$PY" - les "$CB" <<'PYEOF'
import json, os, subprocess, sys
d, cb = sys.argv[1], sys.argv[2]
f = os.path.join(d, "data", "sum_c.json")
c = json.load(open(f))
md = open(os.path.join(d, "lesson.md")).read()
s = next(r for r in c["runs"] if r["kernel"] == "sum" and r["executor"] == "serial")
ws = s["work"]["working_set_bytes"]
# the ceiling corebench picks (its own working set's level: "ws")
ceil = {x["id"]: x["ceiling"] for x in json.loads(subprocess.run(
    [cb, "fmt", "runs", f], capture_output=True, text=True,
    check=True).stdout)}[s["id"]]
assert ceil and ceil["level"] == "ws" and ceil["threads"] == 1, ceil
bw = ceil["bytes_per_s"]
exact = [p["bytes_per_s"] for l in c["probe"]["triad_levels"] if l.get("exact")
         for p in l["points"] if p["threads"] == 1]
assert bw in exact, (bw, exact)
got = "%.0f%% of a one-thread STREAM triad on the same working set (%.1f MB)" % (
    100 * s["work"]["bytes_touched"] / s["stats"]["median"] / bw, ws / 1e6)
assert got in md, got
PYEOF
finish
