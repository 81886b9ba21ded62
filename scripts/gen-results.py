#!/usr/bin/env python3
"""Writes a synthetic corebench result file (results/SCHEMA.md) with many
samples per configuration, to measure what `report` and `compare` cost on
big inputs and to test the input-size limits.

  scripts/gen-results.py --samples 10000 --configs 4 OUT.json
  scripts/gen-results.py --samples 10000 --configs 4 --scale 1.05 NEW.json
  build/corebench compare OUT.json NEW.json

A/A and shifted pairs like two `make bench` runs on a shared VM (the
fixtures of tests/test_compare.sh): --layout bench gives its 39
configurations (gcd, factorize, sum x serial and six executors at 1 and
2 workers); --slow-frac F slows that fraction of the samples by 5-55%
(interference only slows a map); --drift PCT multiplies each
configuration by its own factor exp(N(0, PCT%)), drawn from --drift-seed:
the run-to-run drift of the machine that the samples of one run do not
show.

  scripts/gen-results.py --layout bench --samples 10 --noise 0.5 \
      --slow-frac 0.1 --drift 1 --seed 1 --drift-seed 1 A.json
  scripts/gen-results.py ... --seed 2 --drift-seed 2 B.json     (A/A)
  scripts/gen-results.py ... --seed 2 --drift-seed 2 --scale 1.05 C.json

Samples are log-normal around 0.1 s x the configuration's 1/workers x
--scale, drawn from --seed, so two files with the same seed and scale hold
the same numbers. Everything but the samples is a fixed, valid skeleton
(summary statistics are computed from the samples; speedups are left null).
"""
import argparse
import json
import math
import random
import statistics
import sys


def run(i, kernel, executor, workers, samples):
    s = sorted(samples)
    n = len(s)
    med = statistics.median(s)
    mean = sum(s) / n
    sd = statistics.stdev(s) if n > 1 else None
    mad = statistics.median(abs(x - med) for x in s)
    return {
        "id": i, "kernel": kernel, "size": "small",
        "params": {"n": "12", "seed": "42"}, "tasks": 12,
        "executor": executor, "workers": workers,
        "chunksize": None, "schedule": None, "switch_interval_us": None,
        "start_method": None, "pin": "none",
        "placement": {"planned": [None] * workers,
                      "observed": [[0, 0]] * workers},
        "samples": samples, "warmup": [samples[0]],
        "startup": [1e-5] * n, "shutdown": [1e-5] * n,
        "stats": {"n": n, "median": med, "mean": mean, "min": s[0],
                  "max": s[-1], "stddev": sd, "mad": mad,
                  "cv": sd / mean if sd is not None else None,
                  "ci_lo": med, "ci_hi": med, "outliers": 0},
        "outlier_flags": [False] * n,
        "speedup": None, "efficiency": None, "karp_flatt": None,
        "per_task_s": med / 12,
        "workers_detail": [{"tasks": 12 // workers, "chunks": 1,
                            "busy_s": med, "cpu_s": med, "pu_planned": None,
                            "cpu_first": 0, "cpu_last": 0, "pinned": False,
                            "lock_wait_s": 0, "pid": 4242}] * workers,
        "imbalance": 1.0,
        "ipc": {"bytes_to_workers": 0, "bytes_from_workers": 0},
        "gil": None, "counters": None, "verified": True, "warnings": [],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--samples", type=int, default=10000,
                    help="samples per configuration [10000]")
    ap.add_argument("--configs", type=int, default=4,
                    help="configurations: serial, then threads x2, x4... [4]")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiplies every sample (1.05: 5%% slower) [1]")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--layout", choices=("threads", "bench"),
                    default="threads",
                    help="threads: serial, threads x2, x4...; bench: make "
                    "bench's 39 (--configs ignored) [threads]")
    ap.add_argument("--noise", type=float, default=2.0,
                    help="log-normal spread of every sample, %% [2]")
    ap.add_argument("--slow-frac", type=float, default=0.0,
                    help="fraction of samples slowed by 5-55%% [0]")
    ap.add_argument("--drift", type=float, default=0.0,
                    help="per-configuration factor exp(N(0, PCT%%)) [0]")
    ap.add_argument("--drift-seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    drift = random.Random(a.drift_seed)
    if a.layout == "bench":
        xs = ["threads", "thread-pool", "gil", "processes", "process-pool",
              "openmp"]
        layout = [c for k in ("gcd", "factorize", "sum")
                  for c in [(k, "serial", 1)] +
                  [(k, x, w) for x in xs for w in (1, 2)]]
    else:
        layout = [("gcd",) + (("serial", 1) if i == 0 else
                              ("threads", 2 ** i)) for i in range(a.configs)]
    runs = []
    for i, (kernel, ex, w) in enumerate(layout):
        base = 0.1 / w * a.scale * math.exp(drift.gauss(0, a.drift / 100))
        x = []
        for _ in range(a.samples):
            v = base * math.exp(rng.gauss(0, a.noise / 100))
            if rng.random() < a.slow_frac:
                v *= 1.05 + 0.5 * rng.random()
            x.append(v)
        runs.append(run(i, kernel, ex, w, x))
    doc = {
        "schema": "corebench/1", "complete": True,
        "context": {
            "corebench": {"version": "0.1.0", "git_commit": "synthetic",
                          "build_type": "Release", "compiler": "GNU 12.2.0",
                          "cflags": "-O3"},
            "date": "2025-01-01T00:00:00Z",
            "command_line": ["scripts/gen-results.py"],
            "host": {"hostname": "synthetic", "os": "Linux"},
            "topology": {"packages": 1, "cores": 2, "pus": 2,
                         "fingerprint": "0000000000000000"},
            "settings": {"repetitions": a.samples, "warmup": 1, "seed": 42,
                         "order_seed": 1, "interleave": True, "pin": "none"},
        },
        "warnings": [], "probe": None, "order": [], "runs": runs, "fits": [],
    }
    with open(a.out, "w") as f:
        json.dump(doc, f)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
