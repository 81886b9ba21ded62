#!/usr/bin/env python3
"""Checks corebench's exports with the standard library only (no pandas).

  check_export.py csv RESULT.json EXPORT.csv
      the CSV of `run --export-csv` against the result file it came from:
      one row per measured sample, every value equal to the JSON's.
  check_export.py labels RESULT.json EXPORT.csv TABLE.txt RUN.md \
                         CMP.json CMP.txt CMP.md
      one label per configuration: the run table (stdout), the CSV, the
      Markdown export, and `compare` of the file against itself (its JSON,
      its table, its Markdown) name every configuration alike.

Exit 0 when every check holds, 1 with one line per failure otherwise.
"""
import csv
import json
import re
import sys

FIXED = ["host", "run", "kernel", "size", "executor", "runtime", "label",
         "workers", "pin", "baseline"]
SAMPLE = ["sample", "seconds", "startup_seconds", "shutdown_seconds",
          "interfered", "used", "outlier", "efficiency"]
# the configuration's efficiency budget, repeated on each of its rows
LOSSES = ["computation_scaling", "interference", "serialisation",
          "transfer", "load_balance", "unexplained"]
BUDGET = ["factor_" + k for k in LOSSES] + ["largest_loss"]
errors = []


def need(cond, msg):
    if not cond:
        errors.append(msg)
    return cond


def num(cell):
    return None if cell == "" else float(cell)


def close(a, b):
    """The CSV's 10 significant digits against the JSON's double."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def check_csv(result, export):
    doc = json.load(open(result))
    rows = list(csv.reader(open(export, newline="")))
    head, body = rows[0], rows[1:]
    need(len(set(head)) == len(head), f"duplicate column names: {head}")
    need(head[:len(FIXED)] == FIXED, f"identity columns: {head[:10]}")
    i = head.index("sample")
    need(head[i:i + len(SAMPLE)] == SAMPLE, f"sample columns: {head[i:]}")
    i += len(SAMPLE)
    need(head[i:i + len(BUDGET)] == BUDGET, f"budget columns: {head[i:]}")
    for r in body:
        need(len(r) == len(head), f"row of {len(r)} cells: {r}")
    rec = [dict(zip(head, r)) for r in body]
    runs = doc["runs"]
    need(len(rec) == sum(len(r["samples"]) for r in runs),
         f"{len(rec)} rows for "
         f"{sum(len(r['samples']) for r in runs)} samples")
    host = doc["context"]["host"]["hostname"]
    params = [c[6:] for c in head if c.startswith("param_")]
    xparams = [c[5:] for c in head if c.startswith("exec_")]
    metrics = [c[7:] for c in head if c.startswith("metric_")]
    counters = [c[8:] for c in head if c.startswith("counter_")]
    k = 0
    labels = {}
    for run in runs:
        for s, t in enumerate(run["samples"]):
            if not need(k < len(rec), "rows missing"):
                return labels
            c, k = rec[k], k + 1
            w = f"run {run['id']} sample {s}"
            need(c["host"] == host, f"{w}: host {c['host']}")
            need(int(c["run"]) == run["id"] and int(c["sample"]) == s,
                 f"{w}: row says run {c['run']} sample {c['sample']}")
            for key in ("kernel", "size", "executor", "pin"):
                need(c[key] == run[key], f"{w}: {key} {c[key]}")
            need(c["runtime"] == run.get("runtime", "c"), f"{w}: runtime")
            need(int(c["workers"]) == run["workers"], f"{w}: workers")
            need(c["baseline"] == str(run["baseline"]).lower(),
                 f"{w}: baseline {c['baseline']}")
            for p in params:
                need(c["param_" + p] == run["params"].get(p, ""),
                     f"{w}: param {p} {c['param_' + p]}")
            for x in xparams:
                need(c["exec_" + x] == run["exec_params"].get(x, ""),
                     f"{w}: exec param {x} {c['exec_' + x]}")
            # the JSON's own precision: the same number, not a close one
            need(num(c["seconds"]) == t, f"{w}: seconds {c['seconds']} {t}")
            need(num(c["startup_seconds"]) == run["startup"][s],
                 f"{w}: startup {c['startup_seconds']}")
            need(num(c["shutdown_seconds"]) == run["shutdown"][s],
                 f"{w}: shutdown {c['shutdown_seconds']}")
            need(c["outlier"] == str(run["outlier_flags"][s]).lower(),
                 f"{w}: outlier {c['outlier']}")
            inter = run.get("interference") or {}
            flag = (inter.get("interfered") or [False] * (s + 1))[s]
            need(c["interfered"] == str(flag).lower(),
                 f"{w}: interfered {c['interfered']}")
            # set aside: the interfered ones, when the file set any aside
            use = not (flag and inter.get("set_aside", 0) > 0)
            need(c["used"] == str(use).lower(), f"{w}: used {c['used']}")
            eff = (run.get("efficiency") or {}).get("value")
            need(close(num(c["efficiency"]), eff),
                 f"{w}: efficiency {c['efficiency']} {eff}")
            bud = run.get("budget") or {}
            for loss in LOSSES:
                want = (bud.get("factors") or {}).get(loss)
                need(close(num(c["factor_" + loss]), want),
                     f"{w}: factor_{loss} {c['factor_' + loss]} {want}")
            need(c["largest_loss"] == bud.get("largest", ""),
                 f"{w}: largest_loss {c['largest_loss']}")
            for m in metrics:
                want = run["metrics"].get(m, {}).get("samples", [None] * (s + 1))
                need(num(c["metric_" + m]) == want[s],
                     f"{w}: metric {m} {c['metric_' + m]} {want[s]}")
            for n in counters:
                want = (run["counters"] or [{}] * (s + 1))[s].get(n)
                need(num(c["counter_" + n]) == want,
                     f"{w}: counter {n} {c['counter_' + n]} {want}")
            need(labels.setdefault(run["id"], c["label"]) == c["label"],
                 f"{w}: label {c['label']} != {labels[run['id']]}")
    need(k == len(rec), f"{len(rec) - k} rows left over")
    return labels


def md_cells(line):
    """The cells of a Markdown table row, backslash escapes undone."""
    cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [re.sub(r"\\(.)", r"\1", c.strip()) for c in cells]


def md_table(path, column):
    """Column `column` (by its head) of every table that has one."""
    out, head = [], None
    for line in open(path):
        if not line.startswith("|"):
            head = None
            continue
        cells = md_cells(line)
        if head is None:
            head = cells
        elif column in head and not set(line.strip()) <= set("|-: "):
            out.append(cells[head.index(column)])
    return out


def check_labels(result, export, table, run_md, cmp_json, cmp_txt, cmp_md):
    doc = json.load(open(result))
    kernels = {r["kernel"] for r in doc["runs"]}
    csv_labels = check_csv(result, export)
    want = [csv_labels[r["id"]] for r in doc["runs"]]
    # run's table: "kernel  label  w  median ..." (label may hold blanks)
    got = []
    row = re.compile(r"^(\S+) +(.+?) +(\d+) +([0-9.]+ (?:s|ms|us|ns)|-) ")
    for line in open(table):
        m = row.match(line)
        if m and m.group(1) in kernels:
            got.append(m.group(2))
    need(got == want, f"run table labels {got} != CSV {want}")
    got = md_table(run_md, "executor")
    need(got == want, f"run Markdown labels {got} != CSV {want}")
    got = [r["label"] for r in json.load(open(cmp_json))["comparisons"][0]["rows"]]
    need(got == want, f"compare --json labels {got} != CSV {want}")
    got, seen = [], False
    for line in open(cmp_txt):
        if line.startswith("kernel "):
            seen = True
            continue
        if seen and not line.strip():
            break
        if seen:
            got.append(re.split(r"  +", line.strip())[2])
    need(got == want, f"compare table labels {got} != CSV {want}")
    got = md_table(cmp_md, "configuration")
    need(got == want, f"compare Markdown labels {got} != CSV {want}")
    need(len(set(want)) > 1, f"a sweep of one label only: {want}")
    print("labels:", ", ".join(want))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "csv":
        check_csv(*sys.argv[2:])
    elif len(sys.argv) == 9 and sys.argv[1] == "labels":
        check_labels(*sys.argv[2:])
    else:
        sys.exit(__doc__)
    for e in errors[:20]:
        print("FAIL", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
