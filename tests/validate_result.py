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


def opt(obj, key, types, where, nullable=False):
    """A key added after corebench/1's first files: may be absent."""
    return typ(obj, key, types, where, nullable) if key in obj else None


LOSSES = ("computation_scaling", "interference", "serialisation",
          "transfer", "load_balance", "unexplained")


def check_budget(r, w):
    """`budget` (docs/EFFICIENCY.md): factors whose product is the
    efficiency, losses that add up to its gap."""
    b = opt(r, "budget", dict, w, nullable=True)
    if not b:
        return
    w += ".budget"
    e = typ(b, "efficiency", NUM, w)
    f = typ(b, "factors", dict, w) or {}
    lost = typ(b, "lost", dict, w) or {}
    for k in LOSSES:
        x = typ(f, k, NUM, w + ".factors")
        want(x is None or x > 0, w, f"factor {k} {x} <= 0")
        typ(lost, k, NUM, w + ".lost")
    want(set(f) == set(LOSSES) and set(lost) == set(LOSSES), w,
         f"factors/lost keys {sorted(f)} {sorted(lost)}")
    want(typ(b, "largest", str, w) in LOSSES, w, "largest is no loss")
    typ(b, "explained", bool, w)
    for k in ("startup_shutdown", "efficiency_whole"):
        typ(b, k, NUM, w, nullable=True)
    if e and all(isinstance(f.get(k), NUM) and isinstance(lost.get(k), NUM)
                 for k in LOSSES):
        prod = math.prod(f[k] for k in LOSSES)
        want(abs(prod - e) <= 1e-6 * e, w, f"factors multiply to {prod}, "
             f"not the efficiency {e}")
        gap = sum(lost[k] for k in LOSSES)
        want(abs(gap - (1 - e)) <= 1e-6, w, f"losses add up to {gap}, "
             f"not 1 - efficiency {1 - e}")
        want(b["largest"] == max(LOSSES, key=lambda k: lost[k]), w,
             "largest is not the largest loss")
        eff = (r.get("efficiency") or {}).get("value")
        want(eff is not None and abs(eff - e) <= 1e-9 * e, w,
             f"budget efficiency {e} != efficiency {eff}")


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
    probe = d.get("probe")
    if isinstance(probe, dict) and "triad_levels" in probe:
        # files from before levels have only "triad": readers fall back
        for i, lv in enumerate(typ(probe, "triad_levels", list, "probe") or []):
            w = f"probe.triad_levels[{i}]"
            name = typ(lv, "level", str, w)
            want(isinstance(name, str) and re.fullmatch(r"[a-z0-9]{1,7}", name or ""),
                 w, f"level {name!r} is not a short lowercase name")
            cb = typ(lv, "cache_bytes", int, w, nullable=True)
            want(cb is None or cb > 0, w, "cache_bytes must be positive")
            typ(lv, "shared", bool, w)
            typ(lv, "working_set_bytes", NUM, w, nullable=True)
            typ(lv, "passes", int, w)
            for j, pt in enumerate(typ(lv, "points", list, w) or []):
                typ(pt, "threads", int, f"{w}.points[{j}]")
                best = typ(pt, "bytes_per_s", NUM, f"{w}.points[{j}]",
                           nullable=True)
                if "median_bytes_per_s" in pt:  # older files have none
                    med = typ(pt, "median_bytes_per_s", NUM,
                              f"{w}.points[{j}]", nullable=True)
                    want(med is None or best is None or med <= best,
                         f"{w}.points[{j}]",
                         "median_bytes_per_s above bytes_per_s (the best)")
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
    ci = opt(c, "interference", dict, "context")
    if ci is not None:
        for k in ("steal_share", "outside_share", "span_s"):
            typ(ci, k, NUM, "context.interference", nullable=True)
        for k in ("samples", "flagged", "set_aside"):
            typ(ci, k, int, "context.interference")
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
    # since issue 19: the worker counts and the topology boundary of each
    for i, wc in enumerate(opt(c, "worker_counts", list, "context") or []):
        typ(wc, "workers", int, f"context.worker_counts[{i}]")
        typ(wc, "boundary", str, f"context.worker_counts[{i}]", nullable=True)
    typ(c, "cgroup_cpu_limit", NUM, "context", nullable=True)
    la = typ(c, "load_avg", list, "context", nullable=True)
    want(la is None or len(la) == 3, "context", "load_avg needs 3 numbers")
    tr = typ(c, "timer_resolution_s", NUM, "context")
    want(tr is None or 0 < tr < 1e-3, "context", f"timer resolution {tr}")
    ctr = typ(c, "counters", dict, "context") or {}
    typ(ctr, "available", bool, "context.counters")
    s = typ(c, "settings", dict, "context") or {}
    # repetitions: -r N, or null under adaptive sampling (the default)
    typ(s, "repetitions", int, "context.settings", nullable=True)
    for k in ("warmup", "seed", "order_seed"):
        typ(s, k, int, "context.settings")
    # since adaptive sampling (absent from older files)
    for k in ("min_samples", "max_samples"):
        opt(s, k, int, "context.settings")
    for k in ("target_ci", "max_time_s"):
        opt(s, k, NUM, "context.settings", nullable=True)
    opt(s, "keep_interfered", bool, "context.settings")
    # since the estimator was chosen (issue 15): which figure stats.estimate,
    # the speedups and their intervals use
    opt(s, "estimator", str, "context.settings")
    typ(s, "interleave", bool, "context.settings")
    typ(s, "pin", str, "context.settings")
    ex = opt(c, "executors", dict, "context") or {}
    for name, about in ex.items():
        want(isinstance(about, dict), "context.executors",
             f"{name}: not an object")
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
        if r.get("baseline"):
            want(not any(x.get("baseline") and x is not r and
                         x.get("kernel") == r.get("kernel") and
                         x.get("params") == r.get("params") and
                         x.get("runtime") == r.get("runtime") for x in runs),
                 f"runs[{i}]", "two baselines for one kernel and runtime")
    for i, r in enumerate(runs):
        w = f"runs[{i}]"
        want(r.get("id") == i, w, "id is not its index")
        for k in ("kernel", "size", "executor", "pin"):
            typ(r, k, str, w)
        # since 0.2 (absent from older files, which readers still take)
        opt(r, "runtime", str, w)
        opt(r, "baseline", bool, w)
        typ(r, "params", dict, w)
        # since issue 19: weak scaling names the size its baseline ran
        sc = opt(r, "scaling", str, w)
        want(sc in (None, "strong", "weak"), w,
             f"scaling {sc!r} is not 'strong' or 'weak'")
        if sc == "weak":
            bp = typ(r, "base_params", dict, w) or {}
            want(any(x.get("baseline") and x.get("kernel") == r.get("kernel")
                     and x.get("params") == bp for x in runs) or
                 r.get("speedup") is None, w,
                 "weak: no baseline ran base_params")
        for k in ("tasks", "workers"):
            typ(r, k, int, w)
        cs = r.get("chunksize")
        want(cs is None or cs == "auto" or (isinstance(cs, int) and cs > 0),
             w, f"chunksize {cs!r} is not a count, 'auto' or null")
        typ(r, "chunksize_used", int, w, nullable=True)
        # since executor parameters (older files: rebuilt by readers)
        xp = opt(r, "exec_params", dict, w) or {}
        want(all(isinstance(v, str) for v in xp.values()), w,
             "exec_params values must be strings")
        asked = opt(r, "exec_params_asked", list, w) or []
        want(all(a in xp for a in asked), w,
             "exec_params_asked names a parameter not in exec_params")
        opt(r, "error", str, w)
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
        inter = opt(r, "interference", dict, w) or {}
        aside = inter.get("set_aside", 0)
        if inter:
            fl = typ(inter, "interfered", list, w + ".interference") or []
            want(len(fl) == len(samples) and all(isinstance(x, bool)
                 for x in fl), w, "interference.interfered: one bool per "
                 "sample")
            by = typ(inter, "by", list, w + ".interference") or []
            want(len(by) == len(samples), w, "interference.by: one per sample")
            want(isinstance(aside, int) and 0 <= aside <= sum(fl), w,
                 f"set_aside {aside} is not within the interfered count")
            # per-sample figures of the rule and the machine (newer files):
            # one number or null per sample; times integer microseconds
            for k in ("t_start_us", "t_end_us", "stretch_s", "limit_s",
                      "lost_s", "steal_s", "cpu_s", "cpu_excess_s",
                      "steal_all_s", "outside_cpu_s", "window_s", "cpus",
                      "run_delay_s", "delay_excess_s"):
                a = opt(inter, k, list, w + ".interference")
                if a is None:
                    continue
                kind = int if k in ("t_start_us", "t_end_us", "cpus") else NUM
                want(len(a) == len(samples) and all(
                    x is None or (isinstance(x, kind) and not isinstance(x, bool)
                                  and math.isfinite(x)) for x in a), w,
                     f"interference.{k}: one {kind.__name__ if kind is int else 'number'}"
                     " or null per sample")
            ts, te = inter.get("t_start_us"), inter.get("t_end_us")
            if isinstance(ts, list) and isinstance(te, list):
                want(all(a is None or b is None or
                         (isinstance(a, int) and isinstance(b, int) and a <= b)
                         for a, b in zip(ts, te)), w,
                     "interference: a sample ends before it starts")
        opt(r, "stop", str, w, nullable=True)
        want(st.get("n") == len(samples) - aside, w,
             "stats.n != samples minus those set aside")
        for k in ("median", "mean", "min", "max", "ci_lo", "ci_hi", "mad"):
            typ(st, k, NUM, w + ".stats", nullable=not samples)
        for k in ("stddev", "cv"):
            typ(st, k, NUM, w + ".stats", nullable=True)
        typ(st, "outliers", int, w + ".stats")
        # the estimator's value and interval (absent before issue 15)
        for k in ("estimate", "estimate_ci_lo", "estimate_ci_hi"):
            opt(st, k, NUM, w + ".stats", nullable=not samples)
        if samples:
            want(st["min"] <= st["median"] <= st["max"], w, "min<=median<=max")
            want(st["ci_lo"] <= st["median"] <= st["ci_hi"], w, "ci brackets median")
            if "estimate" in st:
                want(st["min"] <= st["estimate"] <= st["max"], w,
                     "min<=estimate<=max")
                want(st["estimate_ci_lo"] <= st["estimate"] <=
                     st["estimate_ci_hi"], w, "estimate's ci brackets it")
        for k in ("speedup", "efficiency"):
            o = typ(r, k, dict, w, nullable=True)
            if o:
                for kk in ("value", "ci_lo", "ci_hi"):
                    typ(o, kk, NUM, f"{w}.{k}")
        kf = typ(r, "karp_flatt", NUM, w, nullable=True)
        kr = typ(r, "karp_flatt_reason", str, w, nullable=True)
        want(kf is None or 0 <= kf <= 1, w, f"karp_flatt {kf} outside [0, 1]")
        want((kf is None) != (kr is None), w,
             "karp_flatt_reason must be given exactly when karp_flatt is null")
        typ(r, "per_task_s", NUM, w, nullable=True)
        wk = typ(r, "work", dict, w) or {}
        for k in ("per_map", "bytes_touched", "working_set_bytes"):
            typ(wk, k, NUM, w + ".work", nullable=True)
        want(wk.get("bytes_touched") is None or
             wk.get("working_set_bytes") is not None, w,
             "a memory kernel (work.bytes_touched) must declare work.working_set_bytes")
        wd = typ(r, "workers_detail", list, w) or []
        want(not samples or len(wd) == r.get("workers"), w, "workers_detail count")
        if samples and wd:
            want(sum(x["tasks"] for x in wd) == r["tasks"], w,
                 "workers_detail tasks do not add up to tasks")
        for j, x in enumerate(wd):
            rd = typ(x, "run_delay_s", NUM, f"{w}.workers_detail[{j}]",
                     nullable=True)
            want(rd is None or rd >= 0, w, f"run_delay_s {rd} < 0")
            for k in ("csw_voluntary", "csw_involuntary"):
                v = typ(x, k, int, f"{w}.workers_detail[{j}]", nullable=True)
                want(v is None or v >= 0, w, f"{k} {v} < 0")
            sp = opt(x, "span_s", NUM, f"{w}.workers_detail[{j}]",
                     nullable=True)
            want(sp is None or sp >= 0, w, f"span_s {sp} < 0")
            if "host" in x:  # files before the key existed have none
                typ(x, "host", str, f"{w}.workers_detail[{j}]", nullable=True)
        typ(r, "imbalance", NUM, w, nullable=True)
        ds = opt(r, "workers_detail_sample", int, w, nullable=True)
        want(ds is None or 0 <= ds < len(samples), w,
             f"workers_detail_sample {ds} is no sample")
        check_budget(r, w)
        ipc = typ(r, "ipc", dict, w) or {}
        typ(ipc, "bytes_to_workers", int, w + ".ipc")
        typ(ipc, "bytes_from_workers", int, w + ".ipc")
        typ(r, "gil", dict, w, nullable=True)
        typ(r, "counters", list, w, nullable=True)
        typ(r, "verified", bool, w)
        mets = opt(r, "metrics", dict, w) or {}
        for name, m in mets.items():
            for k in ("unit", "what"):
                typ(m, k, str, f"{w}.metrics.{name}")
            ms = typ(m, "samples", list, f"{w}.metrics.{name}") or []
            want(len(ms) == len(samples), w, f"metric {name}: sample count")
            for k in ("median", "baseline"):
                typ(m, k, NUM, f"{w}.metrics.{name}", nullable=True)
        warning_list(r.get("warnings"), w + ".warnings")
    for i, f in enumerate(typ(d, "fits", list, "top") or []):
        for k in ("kernel", "executor"):
            typ(f, k, str, f"fits[{i}]")
        sf = typ(f, "serial_fraction", NUM, f"fits[{i}]", nullable=True)
        typ(f, "stderr", NUM, f"fits[{i}]", nullable=True)
        fr = typ(f, "reason", str, f"fits[{i}]", nullable=True)
        want(sf is None or 0 <= sf <= 1, f"fits[{i}]",
             f"serial_fraction {sf} outside [0, 1]")
        want((sf is None) != (fr is None), f"fits[{i}]",
             "reason must be given exactly when serial_fraction is null")

    for p in problems:
        print(f"{path}: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
