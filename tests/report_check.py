#!/usr/bin/env python3
"""Checks a `corebench report` directory against the result files it came
from, computing every figure again here from the JSON (stdlib only: medians
with statistics.median, speedup = baseline estimate / estimate, ...), not from
corebench's code.

usage: report_check.py REPORT_DIR RESULT.json [MORE.json ...]

Checks:
- every TSV: a header of data columns only (no plotting ids), every row as
  many fields as the header, numbers at the column's precision (seconds 6
  significant digits, ratios 4, counts integers), and each row's numbers
  against the run it describes in the JSON;
- the tables have one row per run (speedup, efficiency: every run but the
  baselines; samples: one per sample);
- report.html is self-contained: images are data: URIs holding PNGs (or,
  past the page's 16 MiB of embedded figures, PNG files of the report),
  links are files of the report, no remote reference, and no script but
  the one inline script of our own that sorts the table of every
  configuration (no src, no attributes, no event handler attributes
  anywhere); report.md links only files that exist;
- the speedup sentence quotes the table's best speedup.

Prints one line per problem and exits 1, or the number of checks and 0.
"""
import base64
import glob
import html.parser
import json
import math
import os
import re
import statistics
import sys

problems = []
checks = 0

PLOTTING = {"kid", "sid", "color", "pt", "bar", "fid", "cid", "mid", "osid",
            "gsid", "lid", "at_max"}
RATIO = {"speedup", "speedup_lo", "speedup_hi", "efficiency", "efficiency_lo",
         "efficiency_hi", "karp_flatt", "amdahl_f", "fraction", "cv"}
PNG = b"\x89PNG\r\n\x1a\n"


def want(cond, what):
    global checks
    checks += 1
    if not cond:
        problems.append(what)


def close(a, b, rel):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def sig_digits(text):
    m = re.fullmatch(r"-?(\d+)(?:\.(\d+))?(?:e[-+]\d+)?", text)
    if not m:
        return None
    digits = (m.group(1) + (m.group(2) or "")).lstrip("0")
    return len(digits)


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    head = lines[0].split("\t")
    rows = []
    for i, line in enumerate(lines[1:], 2):
        cells = line.split("\t")
        want(len(cells) == len(head),
             f"{path}:{i}: {len(cells)} fields, the header has {len(head)}")
        rows.append(dict(zip(head, cells)))
    return head, rows


def num(cell):
    return float("nan") if cell == "NaN" else float(cell)


# ---- the JSON, read here ----------------------------------------------------

class Run:
    def __init__(self, f, j):
        self.file = f
        self.j = j
        self.kernel = j["kernel"]
        self.executor = j["executor"]
        self.workers = j["workers"]
        self.samples = j.get("samples") or []
        self.median = statistics.median(self.samples) if self.samples else None
        # the estimator (harness/model/stats.h): the 25th percentile, type 7
        self.estimate = quantile(self.samples, 0.25) if self.samples else None
        self.tasks = j.get("tasks")
        self.runtime = j.get("runtime", "c")
        self.baseline = j.get("baseline", j["executor"] == "serial")

    def med(self, key):
        v = self.j.get(key) or []
        return statistics.median(v) if v else None


def quantile(x, q):
    """Type 7 (R's default, numpy's linear), as harness/model/stats.c."""
    v = sorted(x)
    h = q * (len(v) - 1)
    i = int(h)
    if i >= len(v) - 1:
        return v[-1]
    return v[i] + (h - i) * (v[i + 1] - v[i])


class File:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.d = json.load(f)
        self.path = path
        self.host = self.d["context"]["host"]["hostname"]
        self.runs = [Run(self, r) for r in self.d["runs"]]

    def base(self, r):
        for b in self.runs:
            if (b.baseline and b.samples and b.kernel == r.kernel and
                    b.j.get("size") == r.j.get("size") and
                    b.runtime == r.runtime and
                    b.j.get("params") == r.j.get("params")):
                return b
        return None

    def speedup(self, r):
        b = self.base(r)
        return b.estimate / r.estimate if b and r.estimate else None


def executor_of(series):
    return series.split(" ")[0]


def workers_of(series):
    m = re.search(r" w=(\d+)", series)
    return int(m.group(1)) if m else None


def file_of(files, machine):
    """The file a machine column names: "host", "host #N" (hosts that
    repeat), either followed by " (topology)"."""
    m = re.match(r"(.*?) #(\d+)(?: \(|$)", machine)
    if m:
        return files[int(m.group(2)) - 1]
    for f in files:
        if machine == f.host or machine.startswith(f.host + " ("):
            return f
    return None


def match(files, row, kernel, extra=None):
    """The run a row describes: same machine, kernel, executor, workers, and
    what `extra` says (a median, a value)."""
    found = []
    for f in files:
        if f is not file_of(files, row["machine"]):
            continue
        for r in f.runs:
            if (r.kernel == kernel and r.executor == executor_of(row["series"])
                    and r.workers == int(row["workers"]) and
                    (extra is None or extra(r, row))):
                found.append(r)
    return found


# ---- the tables ---------------------------------------------------------------

def check_columns(path, head, rows):
    for c in head:
        want(c not in PLOTTING, f"{path}: plotting column {c!r}")
    for c in head:
        digits = [sig_digits(r[c]) for r in rows if r[c] not in ("NaN", "-")]
        if not digits or any(d is None for d in digits):
            continue  # text
        if c.endswith("_s") or c in RATIO:
            limit = 4 if c in RATIO else 6
            want(max(digits) <= limit,
                 f"{path}: column {c} has {max(digits)} significant digits, "
                 f"more than {limit}")
        elif c in ("workers", "tasks", "chunksize", "switch_interval_us",
                   "bytes_to_workers", "bytes_from_workers", "sample",
                   "outlier", "baseline", "switches", "triad_threads"):
            want(all(re.fullmatch(r"\d+", r[c]) for r in rows
                     if r[c] != "NaN"), f"{path}: column {c} is not integers")


def check_speedup(files, path, kernel, rows, eff):
    y = "efficiency" if eff else "speedup"
    want_rows = [r for f in files for r in f.runs
                 if r.kernel == kernel and not r.baseline and r.samples and
                 f.speedup(r) is not None]
    want(len(rows) == len(want_rows),
         f"{path}: {len(rows)} rows, the files have {len(want_rows)} "
         f"configurations with a speedup")
    for row in rows:
        cands = [r for r in match(files, row, kernel)
                 if close(f_sp(r) / (r.workers if eff else 1), num(row[y]),
                          6e-4)]
        want(cands, f"{path}: no run of {row['series']} at {row['workers']} "
             f"workers has {y} {row[y]}")
        want(num(row[y + "_lo"]) <= num(row[y]) <= num(row[y + "_hi"]),
             f"{path}: {row['series']}: the interval does not hold {y}")


def f_sp(r):
    return r.file.speedup(r)


def check_breakdown(files, path, kernel, rows):
    for row in rows:
        want(workers_of(row["series"]) == int(row["workers"]),
             f"{path}: series {row['series']!r} names other workers")
        cands = match(files, row, kernel, lambda r, row: close(
            r.median, num(row["map_s"]), 1e-5))
        want(len(cands) >= 1, f"{path}: no run for {row['series']}")
        if not cands:
            continue
        r = cands[0]
        want(close(r.med("startup"), num(row["startup_s"]), 1e-5) and
             close(r.med("shutdown"), num(row["shutdown_s"]), 1e-5),
             f"{path}: {row['series']}: start-up or shutdown")
        ipc = r.j.get("ipc") or {}
        want(int(row["bytes_to_workers"]) == ipc.get("bytes_to_workers", 0) and
             int(row["bytes_from_workers"]) == ipc.get("bytes_from_workers", 0),
             f"{path}: {row['series']}: bytes shipped")
        more = [x for x in r.file.runs if x.kernel == kernel and
                x.executor == r.executor and x.workers > r.workers and
                x.j.get("chunksize") == r.j.get("chunksize") and
                x.j.get("switch_interval_us") == r.j.get("switch_interval_us")]
        want(not more, f"{path}: {row['series']} is not the series' largest "
             f"worker count")


LOSSES = ["computation_scaling", "interference", "serialisation",
          "transfer", "load_balance", "unexplained"]


def used_samples(r):
    """Indices of the samples r's statistics use (harness/model/model.c):
    the interfered ones are set aside when the file set any aside."""
    inter = r.j.get("interference") or {}
    flags = inter.get("interfered") or [False] * len(r.samples)
    aside = (inter.get("set_aside") or 0) > 0
    return [i for i in range(len(r.samples)) if not (aside and flags[i])]


def detail_time(r):
    """The map time of the sample workers_detail describes: the one the file
    names, else, of the samples used, the one nearest their estimator."""
    k = r.j.get("workers_detail_sample")
    if isinstance(k, int) and 0 <= k < len(r.samples):
        return r.samples[k]
    u = used_samples(r)
    est = quantile([r.samples[i] for i in u], 0.25)
    return r.samples[min(u, key=lambda i: (abs(r.samples[i] - est), i))]


def budget_sums(r):
    """busy, lock wait, run delay inside computing, active; the longest
    active time (docs/EFFICIENCY.md)."""
    B = G = D = A = amax = 0.0
    for x in r.j.get("workers_detail") or []:
        b = max(x.get("busy_s") or 0.0, 0.0)
        g = min(max(x.get("lock_wait_s") or 0.0, 0.0), b)
        a = max(x.get("span_s") or 0.0, b)
        d = 0.0
        if x.get("run_delay_s") is not None and a > 0:
            d = min(max(x["run_delay_s"], 0.0) * (b - g) / a, b - g)
        B, G, D, A, amax = B + b, G + g, D + d, A + a, max(amax, a)
    return B, G, D, A, amax


def budget_of(r):
    """The budget recomputed here, in Python, from the file's samples and
    per-worker figures: {loss: lost points}, efficiency; None if none."""
    b = r.file.base(r)
    if b is None or b is r or not r.j.get("workers_detail"):
        return None
    used = [r.samples[i] for i in used_samples(r)]
    bused = [b.samples[i] for i in used_samples(b)]
    t, ts = quantile(used, 0.25), quantile(bused, 0.25)
    e = ts / t / r.workers
    B, G, D, A, amax = budget_sums(r)
    Bs, Gs, Ds, _, _ = budget_sums(b)
    C, Cs = B - G - D, Bs - Gs - Ds
    if not (e > 0 and C > 0 and Cs > 0 and amax > 0 and Bs > 0):
        return None  # as budget.c: no budget
    f = {"computation_scaling": Cs / C,
         "interference": (C / (C + D)) / (Cs / (Cs + Ds)) *
         (ts / detail_time(b)) / (t / detail_time(r)),
         "serialisation": ((B - G) / B) / ((Bs - Gs) / Bs),
         "transfer": (B / A) / (Bs / detail_time(b)),
         "load_balance": A / (r.workers * amax)}
    f["unexplained"] = e / math.prod(f.values())
    if not all(v > 0 and math.isfinite(v) for v in f.values()):
        return None
    k = 1.0 if abs(math.log(e)) < 1e-9 else (1 - e) / -math.log(e)
    return {n: -math.log(v) * k for n, v in f.items()}, e


def check_budget(files, path, kernel, rows):
    """Every row against the budget recomputed from the JSON; every run
    with per-worker figures and a baseline has a row."""
    seen = set()
    for row in rows:
        series = row["series"].rsplit(" w=", 1)[0]
        cands = [r for r in match(files, dict(row, series=series), kernel)
                 if budget_of(r) and
                 close(budget_of(r)[1], num(row["efficiency"]), 6e-4)]
        want(cands, f"{path}: no run of {row['series']} has efficiency "
             f"{row['efficiency']}")
        if not cands:
            continue
        lost, _ = budget_of(cands[0])
        seen.add(id(cands[0]))
        for n in LOSSES:
            got = num(row["lost_" + n])
            want(abs(got - lost[n]) <= 6e-4 * max(abs(lost[n]), 1e-3),
                 f"{path}: {row['series']}: lost_{n} {got}, recomputed "
                 f"{lost[n]:.6g}")
        want(row["largest"] == max(LOSSES, key=lambda n: lost[n]),
             f"{path}: {row['series']}: largest {row['largest']}")
        # what `run` wrote (files since issue 18): the same budget, derived
        # again on loading
        wrote = (cands[0].j.get("budget") or {}).get("lost") or {}
        for n in wrote and LOSSES:
            want(abs(wrote[n] - lost[n]) <= 1e-6 * max(abs(lost[n]), 1e-3),
                 f"{path}: {row['series']}: lost_{n} {lost[n]:.6g} here, "
                 f"{wrote[n]:.6g} in the file")
    for f in files:
        for r in f.runs:
            if r.kernel == kernel and budget_of(r):
                want(id(r) in seen, f"{path}: {r.executor} w={r.workers} "
                     f"has a budget but no row")


def check_samples(files, path, kernel, rows):
    got = sorted((files.index(file_of(files, row["machine"])),
                  executor_of(row["series"]), int(row["workers"]),
                  num(row["time_s"])) for row in rows)
    exp = sorted((i, r.executor, r.workers, float("%.6g" % s))
                 for i, f in enumerate(files) for r in f.runs
                 if r.kernel == kernel for s in r.samples)
    want(got == exp, f"{path}: the samples are not the files' samples")
    for row in rows:
        want(row["outlier"] in ("0", "1"), f"{path}: outlier flag")
        cands = match(files, row, kernel, lambda r, row: close(
            r.median, num(row["median_s"]), 1e-5))
        want(cands, f"{path}: median of {row['series']}")
        # set aside: flagged interfered in a run that sets those aside
        def aside(r, k):
            it = r.j.get("interference") or {}
            flags = it.get("interfered") or []
            return int(bool(it.get("set_aside")) and k < len(flags) and flags[k])
        want(row.get("set_aside") in ("0", "1") and any(
            aside(r, int(row["sample"]) - 1) == int(row["set_aside"])
            for r in cands), f"{path}: set-aside mark of {row['series']} "
             f"sample {row['sample']}")


def check_overhead(files, path, kernel, rows):
    for row in rows:
        cands = match(files, row, kernel, lambda r, row: close(
            r.median / r.tasks, num(row["per_task_s"]), 1e-5) and
            r.j.get("chunksize_used", r.j.get("chunksize")) ==
            int(row["chunksize"]))
        want(cands, f"{path}: {row['series']} at chunksize {row['chunksize']}")
        for r in cands[:1]:
            b = r.file.base(r)
            want(close(b.median / b.tasks, num(row["baseline_per_task_s"]),
                       1e-5), f"{path}: baseline per task")


def check_gil(files, path, kernel, rows):
    for row in rows:
        cands = match(files, row, kernel, lambda r, row: close(
            r.median, num(row["median_s"]), 1e-5) and
            r.j.get("switch_interval_us") == int(row["switch_interval_us"]))
        want(cands, f"{path}: {row['series']} at {row['switch_interval_us']} us")
        want(num(row["median_lo_s"]) <= num(row["median_s"]) <=
             num(row["median_hi_s"]), f"{path}: interval of the median")


def check_machines(files, path, kernel, rows):
    used = {files.index(file_of(files, row["machine"])) for row in rows}
    want(used == {i for i, f in enumerate(files)
                  if any(r.kernel == kernel for r in f.runs)},
         f"{path}: not every file that ran {kernel} is in it")
    for row in rows:
        want(re.search(r"\(\d+ pkg, \d+ cores, \d+ PUs\)$", row["machine"]),
             f"{path}: machine {row['machine']!r} has no topology summary")
        cands = match(files, row, kernel, lambda r, row: close(
            r.median, num(row["median_s"]), 1e-5))
        want(cands, f"{path}: {row['series']} on {row['machine']}")
        for r in cands[:1]:
            want(int(row["baseline"]) == int(r.baseline), f"{path}: baseline")
            sp = 1.0 if r.baseline else f_sp(r)
            want(close(sp, num(row["speedup"]), 6e-4), f"{path}: speedup")


def triad(f, workers):
    pts = [p for p in (f.d.get("probe") or {}).get("triad", [])
           if isinstance(p.get("threads"), int) and
           isinstance(p.get("bytes_per_s"), (int, float)) and
           p["threads"] >= 1 and p["bytes_per_s"] > 0 and
           p["threads"] <= workers]
    return max(pts, key=lambda p: p["threads"]) if pts else None


def check_ceilings(files, path, rows, figure):
    for row in rows:
        if row.get("kind") == "triad":
            f = file_of(files, row["machine"])
            pts = [(p["threads"], p["bytes_per_s"])
                   for p in (f.d.get("probe") or {}).get("triad", [])
                   for lv in [None] if p.get("bytes_per_s") is not None]
            pts += [(p["threads"], p["bytes_per_s"])
                    for lv in (f.d.get("probe") or {}).get("triad_levels", [])
                    for p in lv["points"] if p.get("bytes_per_s") is not None]
            want((int(row["workers"]), num(row["bytes_per_s"])) in
                 [(t, float("%.6g" % b)) for t, b in pts],
                 f"{path}: triad point {row['workers']} threads")
            continue
        kernel = row["kernel"]
        cands = match(files, row, kernel, lambda r, row: close(
            r.j["work"]["bytes_touched"] / r.median, num(row["bytes_per_s"]),
            1e-5) if figure else close(r.median, num(row["median_s"]), 1e-5))
        want(cands, f"{path}: {row['series']} at {row['workers']}")
        if not cands:
            continue
        r = cands[0]
        bw = figure or row["kind"] == "bandwidth"
        achieved = num(row["bytes_per_s" if figure else "achieved"])
        ceiling = num(row["ceiling_bytes_per_s" if figure else "ceiling"])
        if bw:
            exact = r.j["work"]["bytes_touched"] / r.median / ceiling
            want(close(r.j["work"]["bytes_touched"] / r.median, achieved,
                       1e-5), f"{path}: {row['series']}: bytes/s")
            t = triad(r.file, r.workers)
            levels = (r.file.d.get("probe") or {}).get("triad_levels")
            if t and not levels:
                want(close(t["bytes_per_s"], ceiling, 1e-5),
                     f"{path}: {row['series']}: the dram triad at "
                     f"{t['threads']} threads")
        else:
            want(close(f_sp(r), achieved, 1e-5), f"{path}: speedup")
            pus = r.file.d["context"]["topology"]["pus"]
            lim = r.file.d["context"].get("cgroup_cpu_limit") or math.inf
            cpus = min(pus, lim)
            want(close(min(r.workers, cpus) / min(1, cpus), ceiling, 1e-5),
                 f"{path}: {row['series']}: linear ceiling")
            exact = f_sp(r) / (min(r.workers, cpus) / min(1, cpus))
        want(close(achieved / ceiling, num(row["fraction"]), 6e-4),
             f"{path}: fraction")
        # above 1 before rounding (1.00004 prints as 1 at 4 digits)
        want((exact > 1) == (row["note"] != "-"),
             f"{path}: {row['series']}: a fraction above 1 comes with its "
             f"reason, only then")


# ---- the pages ---------------------------------------------------------------

class Refs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.links, self.bad = [], [], []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and not attrs:
            self.scripts += 1  # inline, ours: at most one (check_pages)
        elif tag in ("script", "iframe", "object", "embed", "link", "base",
                     "frame"):
            self.bad.append(tag)
        for k, v in attrs:
            if k.startswith("on") or (v and "javascript:" in v.lower()):
                self.bad.append(f"{tag} {k}")
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        elif tag == "a":
            self.links.append(a.get("href", ""))
        elif any(k in ("src", "href", "srcset") for k in a):
            self.bad.append(tag)


def local(name, outdir):
    return (re.fullmatch(r"[A-Za-z0-9_.-]+", name) and not name.startswith(".")
            and os.path.isfile(os.path.join(outdir, name)))


def check_pages(outdir):
    with open(os.path.join(outdir, "report.html"), encoding="utf-8") as f:
        page = f.read()
    p = Refs()
    p.feed(page)
    want(not p.bad, f"report.html: {p.bad}")
    want(p.scripts <= 1 and (p.scripts == 0 or re.search(
        r'<table class="sortable">.*</table>\n<script>\n\(function\(\)\{',
        page, re.S)), f"report.html: {p.scripts} scripts, or one that is "
         "not the table sorter")
    want(not re.search(r"(https?:|ftp:|file:)//|url\(", page),
         "report.html: a remote reference")
    pngs = glob.glob(os.path.join(outdir, "*.png"))
    want(len(p.imgs) == len(pngs),
         f"report.html: {len(p.imgs)} images for {len(pngs)} PNG files")
    for src in p.imgs:
        want((src.startswith("data:image/png;base64,") and
              base64.b64decode(src[22:], validate=True).startswith(PNG)) or
             (src.endswith(".png") and local(src, outdir)),
             "report.html: an image that is not a PNG of the report")
    for href in p.links:
        want(local(href, outdir), f"report.html: link {href!r}")
    with open(os.path.join(outdir, "report.md"), encoding="utf-8") as f:
        md = f.read()
    for target in re.findall(r"\]\(([^)]*)\)", md):
        want(local(target, outdir), f"report.md: link {target!r}")
    return md


def main():
    outdir, paths = sys.argv[1], sys.argv[2:]
    files = [File(p) for p in paths]
    md = check_pages(outdir)
    tables = sorted(glob.glob(os.path.join(outdir, "*.tsv")))
    want(tables, "no TSV at all")
    for path in tables:
        head, rows = read_tsv(path)
        check_columns(path, head, rows)
        name = os.path.basename(path)[:-4]
        fig, _, kernel = name.partition("-")
        if fig in ("speedup", "efficiency"):
            check_speedup(files, name, kernel, rows, fig == "efficiency")
        elif fig == "breakdown":
            check_breakdown(files, name, kernel, rows)
        elif fig == "budget":
            check_budget(files, name, kernel, rows)
        elif fig == "samples":
            check_samples(files, name, kernel, rows)
        elif fig == "overhead":
            check_overhead(files, name, kernel, rows)
        elif fig == "gil":
            check_gil(files, name, kernel, rows)
        elif fig == "machines":
            check_machines(files, name, kernel, rows)
        elif fig == "ceilings":
            check_ceilings(files, name, rows, figure=bool(kernel))
        else:
            want(False, f"{name}: a table this check does not know")
        if fig == "speedup" and rows:
            wmax = max(int(r["workers"]) for r in rows)
            best = max((num(r["speedup"]) for r in rows
                        if int(r["workers"]) == wmax))
            # the TSV holds 4 significant digits, the page rounds the full
            # value to 3: 0.2750 in the table may be 0.27496 (0.27x) or
            # 0.27504 (0.28x); either rounding of the table's value is right
            texts = {("%.2fx" % v if v < 9.995 else "%.1fx" % v)
                     for v in (best * (1 - 5e-4), best, best * (1 + 5e-4))}
            want(any(f"reaches {t}" in md for t in texts),
                 f"report.md: the {kernel} speedup sentence quotes none of "
                 f"{sorted(texts)}")
    for p in problems:
        print(p)
    if not problems:
        print(f"{checks} checks, {len(tables)} tables")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
