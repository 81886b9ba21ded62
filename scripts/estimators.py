#!/usr/bin/env python3
"""Which estimator of a configuration's time? The candidates measured on
corebench result files (results/SCHEMA.md keeps every raw sample):

  scripts/estimators.py A.json B.json [C.json ...] [--target 2] [--kernels gcd,factorize]

Candidates, each over a configuration's clean samples (those its
statistics use: interfered ones set aside as `interference.set_aside`
says): median, minimum, 10th and 25th percentile (numpy/R type 7), a 20%
trimmed mean (the mean of the middle 60%).

Per candidate it prints
  - agreement between runs: for every configuration with a speedup (the
    baseline's estimate / this one's) in the first file and another, the
    relative difference of the two speedups; the median and the largest,
    and how many are within 3% (issue 15's target). Likewise the times
    themselves (what `compare` sees on an A/A pair).
  - samples needed: for each configuration, the smallest k such that the
    first k samples give a 95% percentile-bootstrap interval of the
    candidate with a half-width <= --target % of it (k counts clean
    samples; "never" when all of them do not); the median k over
    configurations and how many never got there. The minimum's bootstrap
    interval is degenerate (its lower end is always the sample minimum),
    so its k is optimistic; it is printed for completeness.
  - the half-width with all clean samples: median and largest.

Pure Python, no numpy; deterministic (seeded bootstrap).
"""
import argparse
import json
import math
import random
import sys
import zlib

ROUNDS = 400
SEED = 0x636F726562656E63


def quantile(s, q):
    """Type 7 quantile of a sorted list."""
    h = q * (len(s) - 1)
    i = int(math.floor(h))
    if i >= len(s) - 1:
        return s[-1]
    return s[i] + (h - i) * (s[i + 1] - s[i])


def trimmed_mean(s, frac=0.2):
    k = int(math.floor(frac * len(s)))
    mid = s[k:len(s) - k] or s
    return sum(mid) / len(mid)


CANDIDATES = [
    ("median", lambda s: quantile(s, 0.5)),
    ("min", lambda s: s[0]),
    ("p10", lambda s: quantile(s, 0.10)),
    ("p25", lambda s: quantile(s, 0.25)),
    ("trim20", trimmed_mean),
]


def clean_samples(run):
    x = run.get("samples") or []
    itf = (run.get("interference") or {})
    flags = itf.get("interfered") or []
    if itf.get("set_aside") and len(flags) == len(x):
        return [v for v, f in zip(x, flags) if not f]
    return list(x)


def key(run):
    xp = {k: run.get(k) for k in ("chunksize", "schedule",
                                   "switch_interval_us", "start_method")}
    return json.dumps([run.get("kernel"), run.get("size"),
                       run.get("executor"), run.get("workers"), xp,
                       run.get("pin")], sort_keys=True)


def label(run):
    extra = "".join(" %s=%s" % (k[0], run[k]) for k in
                    ("chunksize", "schedule") if run.get(k) is not None)
    return "%s %s%s w=%s" % (run.get("kernel"), run.get("executor"), extra,
                             run.get("workers"))


def is_baseline(run):
    if "baseline" in run:
        return bool(run["baseline"])
    return run.get("executor") == "serial"


def load(path, kernels):
    with open(path) as f:
        d = json.load(f)
    runs = {}
    base = {}
    for r in d.get("runs", []):
        if kernels and r.get("kernel") not in kernels:
            continue
        s = sorted(clean_samples(r))
        if not s:
            continue
        runs[key(r)] = (r, s)
        if is_baseline(r):
            base[(r.get("kernel"), r.get("size"),
                  json.dumps(r.get("params"), sort_keys=True))] = s
    out = {}
    for k, (r, s) in runs.items():
        b = base.get((r.get("kernel"), r.get("size"),
                      json.dumps(r.get("params"), sort_keys=True)))
        out[k] = (r, s, b)
    return out


def boot_halfwidth(x, est, rng):
    """95% percentile-bootstrap half-width of est over x, relative."""
    n = len(x)
    if n < 2:
        return math.inf
    v = est(sorted(x))
    if v <= 0:
        return math.inf
    vals = []
    for _ in range(ROUNDS):
        vals.append(est(sorted(x[rng.randrange(n)] for _ in range(n))))
    vals.sort()
    lo, hi = quantile(vals, 0.025), quantile(vals, 0.975)
    return (hi - lo) / 2 / v


def pct(v):
    return "%.2f%%" % (100 * v) if math.isfinite(v) else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--target", type=float, default=2.0,
                    help="CI half-width in %% for 'samples needed' (2)")
    ap.add_argument("--kernels", default="gcd,factorize",
                    help="kernels to count (comma list; '' for all)")
    a = ap.parse_args()
    if len(a.files) < 2:
        ap.error("give two or more result files")
    kernels = set(k for k in a.kernels.split(",") if k)
    files = [load(p, kernels) for p in a.files]
    target = a.target / 100
    print("files: %s; kernels: %s; clean samples per configuration: %s" %
          (", ".join(a.files), ",".join(sorted(kernels)) or "all",
           "/".join("%d-%d" % (min(len(s) for _, s, _ in f.values()),
                               max(len(s) for _, s, _ in f.values()))
                    for f in files if f)))
    print("%-7s %10s %10s %8s %10s %10s %8s %9s %7s %10s %10s" %
          ("est", "sp.diff50", "sp.diffmax", "sp<=3%", "t.diff50",
           "t.diffmax", "t<=3%", "k.median", "never", "hw.median",
           "hw.max"))
    for name, est in CANDIDATES:
        spd, td = [], []
        for other in files[1:]:
            for k, (r, s, b) in files[0].items():
                if k not in other:
                    continue
                r2, s2, b2 = other[k]
                t1, t2 = est(s), est(s2)
                td.append(abs(t2 / t1 - 1))
                if b and b2 and not is_baseline(r):
                    sp1, sp2 = est(b) / t1, est(b2) / t2
                    spd.append(abs(sp2 / sp1 - 1))
        ks, never, hws = [], 0, []
        for f in files:
            for k, (r, s, b) in f.items():
                rng = random.Random(SEED ^ zlib.crc32(k.encode()))
                x = [v for v in clean_samples(r)]
                got = None
                for m in range(3, len(x) + 1):
                    if boot_halfwidth(x[:m], est, rng) <= target:
                        got = m
                        break
                if got is None:
                    never += 1
                else:
                    ks.append(got)
                hws.append(boot_halfwidth(x, est, rng))
        spd.sort()
        td.sort()
        ks.sort()
        hws.sort()
        med = lambda v: quantile(v, 0.5) if v else math.nan
        print("%-7s %10s %10s %5d/%-3d %9s %10s %5d/%-3d %9s %4d/%-3d %9s %10s"
              % (name, pct(med(spd)), pct(spd[-1] if spd else math.nan),
                 sum(v <= 0.03 for v in spd), len(spd), pct(med(td)),
                 pct(td[-1] if td else math.nan),
                 sum(v <= 0.03 for v in td), len(td),
                 "%.0f" % med(ks) if ks else "-", never, len(hws),
                 pct(med(hws)), pct(hws[-1] if hws else math.nan)))
    print("sp.diff: |speedup B / speedup A - 1| over configurations (first "
          "file against each other); t.diff: the same for the estimate "
          "itself; k: clean samples to a %g%% bootstrap CI half-width; "
          "hw: the half-width with all clean samples" % a.target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
