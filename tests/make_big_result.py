#!/usr/bin/env python3
"""Blows a small result file up into the largest kind `report` must read:
many configurations (each run copied with its own workload parameter, so
every copy is a workload of its own) or many samples per configuration
(every per-sample array cycled to the new length).

usage: make_big_result.py SEED.json OUT.json --configs N | --samples N
                          [--runs K]   (the seed's first K runs only)

Used by tests/test_report_bounds.sh; also how the closing notes' report
timings on big files are reproduced."""
import argparse
import copy
import json
import sys


def grow(run, n):
    """Every list of run's per-sample length, at any depth, cycled to n."""
    k = len(run["samples"])

    def walk(v):
        if isinstance(v, dict):
            return {key: walk(x) for key, x in v.items()}
        if isinstance(v, list):
            v = [walk(x) for x in v]
            if len(v) == k and k:
                v = [copy.deepcopy(v[i % k]) for i in range(n)]
            return v
        return v

    out = walk(run)
    # the copies differ a little, so no statistic sees ties only
    out["samples"] = [s * (1 + 1e-6 * (i % 997)) for i, s in
                      enumerate(out["samples"])]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("seed")
    ap.add_argument("out")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--configs", type=int)
    g.add_argument("--samples", type=int)
    ap.add_argument("--runs", type=int)
    a = ap.parse_args()
    d = json.load(open(a.seed))
    runs = [r for r in d["runs"] if r["samples"]][:a.runs]
    if not runs:
        sys.exit("make_big_result: the seed has no run with samples")
    if a.configs:
        out = []
        for i in range(a.configs):
            r = copy.deepcopy(runs[i % len(runs)])
            r["id"] = i
            r["params"] = dict(r["params"], copy=str(i // len(runs)))
            out.append(r)
        d["runs"] = out
    else:
        d["runs"] = [dict(grow(r, a.samples), id=i)
                     for i, r in enumerate(runs)]
    d.pop("order", None)
    with open(a.out, "w") as f:
        json.dump(d, f)


main()
