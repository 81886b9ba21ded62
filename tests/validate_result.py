#!/usr/bin/env python3
"""Validates a corebench result file against results/SCHEMA.md.

Stdlib only. Exits 1 with one line per problem; 0 when the file conforms.
"""
import json
import math
import re
import sys

NUM = (int, float)
problems = []


def want(cond, where, what):
    if not cond:
        problems.append(f"{where}: {what}")


def typ(obj, key, types, where, nullable=False):
    want(key in obj, where, f"missing key {key!r}")
    if key not in obj:
        return None
    v = obj[key]
    if v is None:
        want(nullable, where, f"{key!r} is null")
        return None
    if isinstance(v, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        problems.append(f"{where}: {key!r} is a bool")
        return v
    want(isinstance(v, types), where, f"{key!r} has type {type(v).__name__}")
    if isinstance(v, float):
        want(math.isfinite(v), where, f"{key!r} is not finite")
    return v


def warning_list(a, where):
    want(isinstance(a, list), where, "warnings is not a list")
    for i, w in enumerate(a or []):
        for k in ("code", "message", "advice"):
            typ(w, k, str, f"{where}[{i}]")


def main(path):
    def no_nan(s):
        raise ValueError(f"non-standard number {s}")
    with open(path) as f:
        d = json.load(f, parse_constant=no_nan)
    want(d.get("schema") == "corebench/1", "top", "schema is not corebench/1")
    typ(d, "complete", bool, "top")
    warning_list(d.get("warnings"), "warnings")
    want("probe" in d, "top", "missing probe")
    typ(d, "order", list, "top")

    c = typ(d, "context", dict, "top") or {}
    cb = typ(c, "corebench", dict, "context") or {}
    for k in ("version", "build_type", "compiler", "cflags"):
        typ(cb, k, str, "context.corebench")
    typ(cb, "git_commit", str, "context.corebench", nullable=True)
    date = typ(c, "date", str, "context")
    want(date is None or re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", date),
         "context", f"date {date!r} is not ISO 8601 UTC")
    typ(c, "command_line", list, "context")
    h = typ(c, "host", dict, "context") or {}
    for k in ("hostname", "os", "kernel", "arch"):
        typ(h, k, str, "context.host", nullable=True)
    cpu = typ(c, "cpu", dict, "context") or {}
    typ(cpu, "model", str, "context.cpu", nullable=True)
    typ(cpu, "governor", str, "context.cpu", nullable=True)
    t = typ(c, "topology", dict, "context") or {}
    for k in ("packages", "numa_nodes", "cores", "pus", "pus_per_core"):
        typ(t, k, int, "context.topology")
    typ(t, "smt", bool, "context.topology")
    typ(t, "fingerprint", str, "context.topology")
    typ(t, "synthetic", str, "context.topology", nullable=True)
    typ(t, "caches", dict, "context.topology")
    typ(c, "allowed_pus", str, "context")
    typ(c, "cgroup_cpu_limit", NUM, "context", nullable=True)
    la = typ(c, "load_avg", list, "context", nullable=True)
    want(la is None or len(la) == 3, "context", "load_avg needs 3 numbers")
    tr = typ(c, "timer_resolution_s", NUM, "context")
    want(tr is None or 0 < tr < 1e-3, "context", f"timer resolution {tr}")
    ctr = typ(c, "counters", dict, "context") or {}
    typ(ctr, "available", bool, "context.counters")
    s = typ(c, "settings", dict, "context") or {}
    for k in ("repetitions", "warmup", "seed", "order_seed"):
        typ(s, k, int, "context.settings")
    typ(s, "interleave", bool, "context.settings")
    typ(s, "pin", str, "context.settings")
    ex = c.get("executors", {})
    want(isinstance(ex, dict), "context", "executors is not an object")
    m = ex.get("mpi") if isinstance(ex, dict) else None
    if m is not None:
        w = "context.executors.mpi"
        for k in ("library", "standard", "binding"):
            typ(m, k, str, w)
        for k in ("ranks", "host_count"):
            typ(m, k, int, w)
        hosts = typ(m, "hosts", list, w) or []
        want(len(hosts) == m.get("host_count"), w, "host_count != len(hosts)")
        ranks = []
        for i, h in enumerate(hosts):
            typ(h, "name", str, f"{w}.hosts[{i}]")
            ranks += typ(h, "ranks", list, f"{w}.hosts[{i}]") or []
            if "error" not in h:
                t = typ(h, "topology", dict, f"{w}.hosts[{i}]") or {}
                for k in ("packages", "numa_nodes", "cores", "pus", "pus_per_core"):
                    typ(t, k, int, f"{w}.hosts[{i}].topology")
                typ(t, "smt", bool, f"{w}.hosts[{i}].topology")
        want(sorted(ranks) == list(range(m.get("ranks") or 0)), w,
             "hosts do not list every rank once")
        rd = typ(m, "rank_detail", list, w) or []
        want([x.get("rank") for x in rd] == list(range(m.get("ranks") or 0)),
             w, "rank_detail is not one entry per rank in order")
        for x in rd:
            typ(x, "host", str, w + ".rank_detail")
            typ(x, "pid", int, w + ".rank_detail")
            typ(x, "bound_at_launch", str, w + ".rank_detail")

    runs = typ(d, "runs", list, "top") or []
    want(runs, "runs", "no runs")
    for i, r in enumerate(runs):
        w = f"runs[{i}]"
        want(r.get("id") == i, w, "id is not its index")
        for k in ("kernel", "size", "executor", "pin"):
            typ(r, k, str, w)
        typ(r, "params", dict, w)
        for k in ("tasks", "workers"):
            typ(r, k, int, w)
        cs = r.get("chunksize")
        want(cs is None or cs == "auto" or (isinstance(cs, int) and cs > 0),
             w, f"chunksize {cs!r} is not a count, 'auto' or null")
        typ(r, "chunksize_used", int, w, nullable=True)
        for k in ("schedule", "start_method"):
            typ(r, k, str, w, nullable=True)
        typ(r, "switch_interval_us", int, w, nullable=True)
        pl = typ(r, "placement", dict, w) or {}
        planned = typ(pl, "planned", list, w + ".placement") or []
        want(len(planned) == r.get("workers"), w, "planned entries != workers")
        typ(pl, "observed", list, w + ".placement")
        samples = typ(r, "samples", list, w) or []
        for k in ("warmup", "startup", "shutdown", "outlier_flags"):
            typ(r, k, list, w)
        want(len(r.get("startup", [])) == len(samples), w, "startup count")
        want(len(r.get("outlier_flags", [])) == len(samples), w, "flags count")
        want(all(isinstance(x, NUM) and x >= 0 for x in samples), w,
             "samples must be non-negative numbers")
        st = typ(r, "stats", dict, w) or {}
        typ(st, "n", int, w + ".stats")
        want(st.get("n") == len(samples), w, "stats.n != len(samples)")
        for k in ("median", "mean", "min", "max", "ci_lo", "ci_hi", "mad"):
            typ(st, k, NUM, w + ".stats", nullable=not samples)
        for k in ("stddev", "cv"):
            typ(st, k, NUM, w + ".stats", nullable=True)
        typ(st, "outliers", int, w + ".stats")
        if samples:
            want(st["min"] <= st["median"] <= st["max"], w, "min<=median<=max")
            want(st["ci_lo"] <= st["median"] <= st["ci_hi"], w, "ci brackets median")
        for k in ("speedup", "efficiency"):
            o = typ(r, k, dict, w, nullable=True)
            if o:
                for kk in ("value", "ci_lo", "ci_hi"):
                    typ(o, kk, NUM, f"{w}.{k}")
        typ(r, "karp_flatt", NUM, w, nullable=True)
        typ(r, "per_task_s", NUM, w, nullable=True)
        wd = typ(r, "workers_detail", list, w) or []
        want(not samples or len(wd) == r.get("workers"), w, "workers_detail count")
        if samples and wd:
            want(sum(x["tasks"] for x in wd) == r["tasks"], w,
                 "workers_detail tasks do not add up to tasks")
        for j, x in enumerate(wd):
            if "host" in x:  # files before the key existed have none
                typ(x, "host", str, f"{w}.workers_detail[{j}]", nullable=True)
        typ(r, "imbalance", NUM, w, nullable=True)
        ipc = typ(r, "ipc", dict, w) or {}
        typ(ipc, "bytes_to_workers", int, w + ".ipc")
        typ(ipc, "bytes_from_workers", int, w + ".ipc")
        typ(r, "gil", dict, w, nullable=True)
        typ(r, "counters", list, w, nullable=True)
        typ(r, "verified", bool, w)
        warning_list(r.get("warnings"), w + ".warnings")
    for i, f in enumerate(typ(d, "fits", list, "top") or []):
        for k in ("kernel", "executor"):
            typ(f, k, str, f"fits[{i}]")
        typ(f, "serial_fraction", NUM, f"fits[{i}]", nullable=True)
        typ(f, "stderr", NUM, f"fits[{i}]", nullable=True)

    for p in problems:
        print(f"{path}: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
