#!/usr/bin/env python3
"""make lesson: the seeds' experiments, measured on this machine.

Runs corebench sweeps that reproduce each seed's experiment (CPython's
concurrent.futures beside the same kernels in C and under corebench's
emulated GIL), then writes lesson.md and lesson.html (figures inline,
viewable offline, no JavaScript) whose every number comes from these runs:

  1. seed 003, gcd: serial vs threads vs processes in CPython, in C, and
     under the emulated GIL; and timing the seed's way (one cold run each,
     serial first) beside corebench's way (warmed up, interleaved,
     repeated).
  2. seed 002, factorize: one submit per worker vs map at chunksize 1 and
     auto; the per-task price of a process pool in C and in CPython (empty).
  3. seed 004, chunked sum: what materializing each range costs, threads
     vs processes, against the machine's bandwidth.
  4. seeds 000/001, I/O: threads help blocking tasks (sleep)... until a
     CPU-bound thread shares the GIL (convoy).

usage: python3 python/lesson.py [--corebench PATH] [--python PATH]
                                [--out DIR] [--quick] [-r N]

Every sweep is an ordinary `corebench run` (argument vectors, no shell);
its JSON and its printed table are kept under DIR/data/, so any number can
be traced to its samples. --quick runs tiny sizes (tests).

Stdlib only, plus gnuplot for the figures (as `corebench report`).
"""

import argparse
import base64
import datetime
import html
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PLOTS = os.environ.get("CB_PLOTS_DIR") or os.path.join(HERE, "..", "plots")


def say(msg):
    print("lesson: " + msg, file=sys.stderr, flush=True)


# ---- numbers, words ----------------------------------------------------------

def fmt_time(t):
    if t is None or not math.isfinite(t):
        return "-"
    if t >= 1:
        return "%.2f s" % t
    if t >= 1e-3:
        return "%.1f ms" % (t * 1e3)
    return "%.1f us" % (t * 1e6)


def fmt_x(v):
    return "-" if v is None or not math.isfinite(v) else "%.2fx" % v


def fmt_ci(v, lo, hi):
    if v is None or not math.isfinite(v):
        return "-"
    return "%.2fx [%.2f-%.2f]" % (v, lo, hi)


def rel_diff(a, b):
    """|a - b| / b, or None."""
    if a is None or b is None or not b:
        return None
    return abs(a - b) / abs(b)


def agree(emulated, real, tol, what):
    """A sentence on how close the emulation came, honest when it misses."""
    d = rel_diff(emulated, real)
    if d is None:
        return "%s: no comparison (a value is missing)." % what
    if d <= tol:
        return ("%s: the emulation (%.2fx) is within %.1f%% of CPython "
                "(%.2fx); the target is %.0f%%." %
                (what, emulated, 100 * d, real, 100 * tol))
    return ("%s: the emulation (%.2fx) misses CPython (%.2fx) by %.0f%%, "
            "more than the %.0f%% target." %
            (what, emulated, real, 100 * d, 100 * tol))


# ---- result files ---------------------------------------------------------------

class Result:
    """One corebench result file (results/SCHEMA.md)."""

    def __init__(self, path):
        with open(path) as f:
            self.d = json.load(f)
        self.path = path
        self.runs = self.d["runs"]

    def find(self, executor, workers=None, chunksize="any", switch="any",
             kernel=None):
        for r in self.runs:
            if r["executor"] != executor:
                continue
            if kernel is not None and r["kernel"] != kernel:
                continue
            if workers is not None and r["workers"] != workers:
                continue
            if chunksize != "any" and r["chunksize"] != chunksize:
                continue
            if switch != "any" and r["switch_interval_us"] != switch:
                continue
            if r["stats"]["n"]:
                return r
        return None

    @property
    def pus(self):
        return self.d["context"]["topology"]["pus"]


def median(r):
    return r["stats"]["median"] if r else None


def speedup(r):
    s = r and r.get("speedup")
    return (s["value"], s["ci_lo"], s["ci_hi"]) if s else (None, None, None)


def metric(r, name):
    m = r and r.get("metrics", {}).get(name)
    return (m["median"], m["baseline"]) if m else (None, None)


def label(r):
    s = r["executor"]
    if r.get("chunksize") is not None:
        s += " c=%s" % r["chunksize"]
    if r.get("switch_interval_us") not in (None, 5000):
        s += " si=%dus" % r["switch_interval_us"]
    return s


# ---- the lesson --------------------------------------------------------------

class Lesson:
    def __init__(self, args):
        self.a = args
        self.out = args.out
        self.data = os.path.join(self.out, "data")
        os.makedirs(self.data, exist_ok=True)
        self.sections = []  # (title, [blocks])
        self.commands = []
        self.context = None
        self.t0 = time.monotonic()

    # -- running corebench --

    def run(self, name, argv, what):
        """corebench run ARGV -o data/NAME.json; returns the Result."""
        out = os.path.join(self.data, name + ".json")
        cmd = [self.a.corebench, "run"] + argv + [
            "-o", out, "--force", "--no-progress"]
        if self.a.python:
            cmd += ["--python", self.a.python]
        self.commands.append(["corebench", "run"] + argv)
        say("%s (%.0f s so far)" % (what, time.monotonic() - self.t0))
        with open(os.path.join(self.data, name + ".txt"), "w") as log:
            p = subprocess.run(cmd, stdout=log, stderr=subprocess.PIPE,
                               text=True)
        if p.returncode != 0:
            err = p.stderr.strip().splitlines()
            tail = err[-1] if err else "no message"
            if p.returncode == 3:
                raise SystemExit("lesson: the lesson needs CPython: %s" %
                                 tail)
            raise SystemExit("lesson: `%s` failed (exit %d): %s; its table "
                             "is in %s" % (" ".join(cmd), p.returncode, tail,
                                           log.name))
        r = Result(out)
        if self.context is None:
            self.context = r.d["context"]
        return r

    def reps(self):
        return ["-r", str(self.a.repetitions)]

    # -- figures --

    def figure(self, name, script, rows, columns, args):
        """Writes rows to NAME.tsv and draws NAME.png with plots/SCRIPT."""
        tsv = os.path.join(self.data, name + ".tsv")
        png = os.path.join(self.out, name + ".png")
        with open(tsv, "w") as f:
            f.write("\t".join(columns) + "\n")
            for row in rows:
                f.write("\t".join(_cell(v) for v in row) + "\n")
        cmd = ["gnuplot", "-d", os.path.join(PLOTS, "common.gp"), "-c",
               os.path.join(PLOTS, script), tsv, png] + [str(a) for a in args]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0 or not os.path.exists(png):
            raise SystemExit("lesson: gnuplot failed on %s: %s" %
                             (name, p.stderr.strip()[-300:]))
        return name + ".png"

    def lines(self, name, series, title, xlabel, ylabel, logx=0, logy=0,
              ideal=0):
        """series: [(name, [(x, y, lo, hi)])]"""
        rows = [(i + 1, s, x, y, lo, hi)
                for i, (s, pts) in enumerate(series) for x, y, lo, hi in pts
                if y is not None]
        return self.figure(name, "lesson_lines.gp", rows,
                           ["sid", "series", "x", "y", "lo", "hi"],
                           [title, xlabel, ylabel, logx, logy, ideal])

    def bars(self, name, bars, title, ylabel, logy=0):
        """bars: [(series, label, y, lo, hi, text)], in x order; a None
        entry leaves a gap between groups."""
        rows, x, sids = [], 0, {}
        for b in bars:
            x += 1
            if b is None or b[2] is None:
                continue
            s, lab, y, lo, hi, text = b
            sid = sids.setdefault(s, len(sids) + 1)
            rows.append((sid, s, x, lab, y, lo if lo is not None else y,
                         hi if hi is not None else y, text))
        return self.figure(name, "lesson_bars.gp", rows,
                           ["sid", "series", "x", "label", "y", "lo", "hi",
                            "text"], [title, ylabel, logy])

    def section(self, title, blocks):
        self.sections.append((title, blocks))

    # -- the four experiments --

    def seed003(self):
        size = "tiny" if self.a.quick else "seed"
        ws = [1, 2, 4]
        r = self.run("gcd", ["-k", "gcd", "-s", size, "-e",
                             "serial,threads,gil,processes,py-serial,"
                             "py-threads,py-processes",
                             "-w", ",".join(map(str, ws)), "--no-probe"] +
                     self.reps(),
                     "1/4 seed 003: gcd in CPython, in C, under the "
                     "emulated GIL")
        rows, series = [], []
        for ex in ("serial", "threads", "gil", "processes", "py-serial",
                   "py-threads", "py-processes"):
            pts = []
            for w in ([1] if ex.endswith("serial") else ws):
                run = r.find(ex, w)
                v, lo, hi = speedup(run)
                rows.append([ex, w, fmt_time(median(run)), fmt_ci(v, lo, hi)])
                pts.append((w, v, lo, hi))
            if not ex.endswith("serial"):
                series.append((ex, pts))
        fig = self.lines("gcd_speedup", series,
                         "seed 003, gcd: speedup over the same language's "
                         "serial loop", "workers", "speedup", logx=1, ideal=1)
        two = 2 if r.pus >= 2 else 1
        cser, pser = median(r.find("serial", 1)), median(r.find("py-serial",
                                                                1))
        s = {ex: speedup(r.find(ex, two))[0] for ex in
             ("threads", "gil", "processes", "py-threads", "py-processes")}
        s4 = {ex: speedup(r.find(ex, 4))[0] for ex in ("gil", "py-threads")}
        text = [
            "Seed 003 times four gcd computations by trial division. Here "
            "CPython's loop took %s and the same loop in C %s: C is %.0fx "
            "faster on identical inputs (the C kernel's own verify() "
            "checked every CPython result)." % (
                fmt_time(pser), fmt_time(cser), pser / cser),
            "With %d workers on this %d-PU machine, CPython threads ran at "
            "%s the speed of the loop: the GIL lets one thread run Python "
            "bytecode at a time. CPython processes reached %s: each has its "
            "own interpreter and its own GIL. In C, where there is no GIL, "
            "threads reached %s and processes %s." % (
                two, r.pus, fmt_x(s["py-threads"]), fmt_x(s["py-processes"]),
                fmt_x(s["threads"]), fmt_x(s["processes"])),
            agree(s["gil"], s["py-threads"], 0.15,
                  "C threads under corebench's emulated GIL at %d workers" %
                  two) + " " +
            agree(s4["gil"], s4["py-threads"], 0.15, "At 4 workers"),
        ]
        blocks = [("p", t) for t in text]
        blocks += [("table", ["executor", "workers", "median", "speedup "
                              "[95% CI]"], rows), ("img", fig,
                   "speedup of each executor against workers")]
        blocks += self.naive(size, r.find("py-threads", 2))
        self.section("Seed 003: threads do not speed up CPU-bound Python; "
                     "processes do", blocks)

    def naive(self, size, careful_run):
        """The seed's way of timing: one cold run each, serial first."""
        k = 3 if self.a.quick else 5
        ratios = []
        for i in range(k):
            r = self.run("gcd_naive_%d" % (i + 1),
                         ["-k", "gcd", "-s", size, "-e", "py-threads", "-w",
                          "2", "-r", "1", "--warmup", "0", "--no-interleave",
                          "--no-probe"],
                         "1/4 seed 003 timed the seed's way, %d of %d" %
                         (i + 1, k))
            a, b = r.find("py-serial", 1), r.find("py-threads", 2)
            ratios.append(a["samples"][0] / b["samples"][0])
        v, lo, hi = speedup(careful_run)
        bars = [("py-serial", "cold run %d" % (i + 1), x, x, x, "%.2fx" % x)
                for i, x in enumerate(ratios)]
        bars += [None, ("py-threads", "corebench (%d samples)" %
                        self.a.repetitions, v, lo, hi, "%.2fx" % v)]
        fig = self.bars("gcd_naive", bars, "CPython threads vs serial on seed "
                        "003, timed two ways", "speedup of 2 threads")
        return [
            ("p", "How it is measured matters. Timed the seed's way, one "
             "cold run of each (serial first, then threads, once, in a "
             "fresh interpreter), %d runs gave CPython threads %s the speed "
             "of serial: %s. corebench's way, warmed up, interleaved and "
             "repeated, gives %s with a 95%% confidence interval. A single "
             "cold run mostly measures the machine's mood." % (
                 k, "between %.2fx and %.2fx" % (min(ratios), max(ratios)),
                 ", ".join("%.2fx" % x for x in ratios), fmt_ci(v, lo, hi))),
            ("img", fig, "naive cold-run ratios beside the careful estimate"),
        ]

    def seed002(self):
        q = self.a.quick
        n = "400" if q else "10000"
        r = self.run("factorize", ["-k", "factorize", "-p", "start=1000000",
                                   "-p", "n=" + n, "-e",
                                   "py-serial,py-processes,"
                                   "py-processes-chunked", "--chunksize",
                                   "1,auto", "-w", "2", "--no-probe"] +
                     self.reps(),
                     "2/4 seed 002: factorize, map vs manual chunks")
        m = self.run("empty", ["-k", "empty", "-p", "n=" + ("200" if q else
                                                           "2000"),
                               "-e", "process-pool,py-processes",
                               "--chunksize", "1", "-w", "2", "--no-probe"] +
                     self.reps(),
                     "2/4 the per-task price of a process pool, C and "
                     "CPython")
        c1, ca = r.find("py-processes", 2, 1), r.find("py-processes", 2,
                                                      "auto")
        ch, ser = r.find("py-processes-chunked", 2), r.find("py-serial", 1)
        rows, bars = [], []
        for run in (ser, c1, ca, ch):
            v, lo, hi = speedup(run)
            used = run.get("chunksize_used")
            rows.append([label(run), run["workers"], used or "-",
                         fmt_time(median(run)), fmt_ci(v, lo, hi)])
            bars.append((run["executor"], label(run), median(run),
                         run["stats"]["ci_lo"], run["stats"]["ci_hi"],
                         fmt_time(median(run))))
        fig = self.bars("factorize_map", bars, "seed 002, factorize in "
                        "CPython: map time, 2 workers", "seconds", logy=1)
        pp, py = m.find("process-pool", 2, 1), m.find("py-processes", 2, 1)
        tpp, tpy = pp["per_task_s"], py["per_task_s"]
        fig2 = self.bars("empty_per_task", [
            ("process-pool", "process-pool (C) c=1", tpp, None, None,
             fmt_time(tpp)),
            ("py-processes", "py-processes (CPython) c=1", tpy, None, None,
             fmt_time(tpy))], "cost of one empty task through a process "
            "pool, 2 workers", "seconds per task", logy=1)
        text = [
            "Seed 002 factorizes numbers in a process pool two ways. Here "
            "%s integers from 1,000,000: one call per worker (the seed's "
            "manual chunks) took %s, %s the speed of the loop; "
            "ProcessPoolExecutor.map with chunksize=1, one pickled call "
            "and result per integer, took %s (%s); chunksize=auto (%s "
            "integers per call) %s (%s)." % (
                n, fmt_time(median(ch)), fmt_x(speedup(ch)[0]),
                fmt_time(median(c1)), fmt_x(speedup(c1)[0]),
                ca.get("chunksize_used"), fmt_time(median(ca)),
                fmt_x(speedup(ca)[0])),
            "The reason is the price of one task: an empty task through "
            "CPython's process pool cost %s, through corebench's C model "
            "of the same pool (bounded call queue, every record copied) "
            "%s: %.0fx less (the C pool copies bytes; CPython pickles "
            "objects, feeds queues from threads and wakes a manager "
            "thread). When a task costs about as much as its trip, "
            "chunksize decides the speedup." % (
                fmt_time(tpy), fmt_time(tpp), tpy / tpp),
        ]
        self.section("Seed 002: map at chunksize 1 pays per task; chunks "
                     "do not", [("p", text[0]), ("table", [
                         "configuration", "workers", "tasks per call",
                         "median", "speedup [95% CI]"], rows),
                         ("img", fig, "factorize map times"),
                         ("p", text[1]),
                         ("img", fig2, "per-task cost of the two pools")])

    def seed004(self):
        q = self.a.quick
        # C at its default size (chunks of ~19 MB, a sizeable map), CPython
        # at 1e7 elements: the same 100 chunks, a map of about half a
        # second. Per element the two compare directly.
        c = self.run("sum_c", ["-k", "sum,sum-shipped"] +
                     (["-s", "tiny"] if q else []) +
                     ["-e", "serial,threads,processes", "-w", "2"] +
                     self.reps(), "3/4 seed 004: the chunked sum in C")
        py = self.run("sum_py", ["-k", "sum,sum-shipped", "-p", "elements=" +
                                 ("100000" if q else "10000000"), "-e",
                                 "py-serial,py-threads,py-processes", "-w",
                                 "2", "--no-probe"] + self.reps(),
                      "3/4 seed 004: the chunked sum in CPython")
        rows, bars, per = [], [], {}
        for res, execs in ((c, ("serial", "threads", "processes")),
                           (py, ("py-serial", "py-threads", "py-processes"))):
            for k in ("sum", "sum-shipped"):
                for ex in execs:
                    run = res.find(ex, 1 if ex.endswith("serial") else 2,
                                   kernel=k)
                    e = float(run["params"]["elements"])
                    v, lo, hi = speedup(run)
                    rate = e / median(run)
                    per[(ex, k)] = median(run) / e
                    rows.append([k, label(run), run["workers"], "%.3g" % e,
                                 fmt_time(median(run)),
                                 "%.2f ns" % (1e9 * median(run) / e),
                                 fmt_ci(v, lo, hi)])
                    if k == "sum":
                        bars.append((ex, "%s, %d worker%s" % (
                            ex, run["workers"], "s" * (run["workers"] > 1)),
                            rate, e / run["stats"]["ci_hi"],
                            e / run["stats"]["ci_lo"], "%.3g/s" % rate))
        fig = self.bars("sum_rate", bars, "seed 004: elements summed per "
                        "second, each chunk materialized first",
                        "elements per second", logy=1)
        cs = c.find("serial", 1, kernel="sum")
        probe = c.d.get("probe") or {}

        def one_thread(points):
            return next((p["bytes_per_s"] for p in points or []
                         if p["threads"] == 1 and p["bytes_per_s"]), None)
        dram = one_thread(probe.get("triad"))
        ws = cs["work"].get("working_set_bytes")
        own = next((one_thread(lv["points"])
                    for lv in probe.get("triad_levels") or []
                    if lv.get("exact") and ws and
                    abs(lv["cache_bytes"] - ws) <= 0.01 * lv["cache_bytes"]),
                   None)
        bw = cs["work"]["bytes_touched"] / median(cs) \
            if cs["work"]["bytes_touched"] else None
        ceiling = ""
        if bw and own:
            ceiling = (" C's serial sum moved %.1f GB/s, %.0f%% of a "
                       "one-thread STREAM triad on the same working set "
                       "(%.1f MB) measured in the same run (%.1f GB/s)"
                       % (bw / 1e9, 100 * bw / own, ws / 1e6, own / 1e9))
            if dram:
                ceiling += ("; on arrays far larger than the caches the "
                            "triad ran at %.1f GB/s: a chunk is written and "
                            "read back while it still sits in the caches"
                            % (dram / 1e9))
            ceiling += "."
        elif bw and dram:
            chunk = float(cs["params"]["elements"]) / \
                float(cs["params"]["chunks"]) * 8
            ceiling = (" C's serial sum moved %.1f GB/s, %.0f%% of the "
                       "one-thread triad bandwidth measured in the same run "
                       "(%.1f GB/s)" % (bw / 1e9, 100 * bw / dram,
                                        dram / 1e9))
            if bw > dram:
                ceiling += (": above it, because each chunk (%.1f MB) is "
                            "written and read back while it still sits in "
                            "the caches, and the triad's arrays do not fit "
                            "there" % (chunk / 1e6))
            ceiling += "."

        def share(ex):
            full, summed = per[(ex, "sum")], per[(ex, "sum-shipped")]
            if summed >= full:  # noise at small sizes
                return "no measurable share"
            return "%.0f%%" % (100 * (full - summed) / full)
        text = [
            "Seed 004 sums 0..N in 100 chunks, building each chunk as a list "
            "before summing it. Per element, building and summing cost C "
            "%.2f ns and CPython %.1f ns (%.0fx: a Python list holds a "
            "pointer per element to an int object). Summing a chunk the "
            "parent built beforehand (sum-shipped) costs C %.2f ns and "
            "CPython %.1f ns per element: materializing is %s of the "
            "work in C and %s in CPython.%s" % (
                per[("serial", "sum")] * 1e9, per[("py-serial", "sum")] * 1e9,
                per[("py-serial", "sum")] / per[("serial", "sum")],
                per[("serial", "sum-shipped")] * 1e9,
                per[("py-serial", "sum-shipped")] * 1e9, share("serial"),
                share("py-serial"), ceiling),
            "At 2 workers, CPython threads reached %s and processes %s on "
            "the seed's sum (a task ships two numbers in and one out: the "
            "cheap case for processes). Shipping the built chunks instead "
            "(sum-shipped) turns it around: processes %s, every element "
            "pickled and copied. In C, threads %s and processes %s." % (
                fmt_x(speedup(py.find("py-threads", 2, kernel="sum"))[0]),
                fmt_x(speedup(py.find("py-processes", 2, kernel="sum"))[0]),
                fmt_x(speedup(py.find("py-processes", 2,
                                      kernel="sum-shipped"))[0]),
                fmt_x(speedup(c.find("threads", 2, kernel="sum"))[0]),
                fmt_x(speedup(c.find("processes", 2, kernel="sum"))[0])),
        ]
        self.section("Seed 004: materializing each chunk is the work",
                     [("p", text[0]), ("table", [
                         "kernel", "executor", "workers", "elements",
                         "median", "per element", "speedup [95% CI]"], rows),
                      ("img", fig, "elements per second per executor"),
                      ("p", text[1])])

    def io(self):
        q = self.a.quick
        ws = [1, 2, 4, 8]
        r = self.run("sleep", ["-k", "sleep", "-p", "n=" + ("16" if q else
                                                           "64"),
                               "-p", "us=" + ("200" if q else "2000"),
                               "-e", "threads,gil,py-threads", "-w",
                               ",".join(map(str, ws)), "--no-probe"] +
                     self.reps(), "4/4 seeds 000/001: blocking tasks")
        series, rows = [], []
        for ex in ("threads", "gil", "py-threads"):
            pts = []
            for w in ws:
                run = r.find(ex, w)
                v, lo, hi = speedup(run)
                pts.append((w, v, lo, hi))
                rows.append([ex, w, fmt_time(median(run)), fmt_ci(v, lo, hi)])
            series.append((ex, pts))
        fig = self.lines("sleep_speedup", series, "blocking tasks: speedup "
                         "over one thread", "workers", "speedup", logx=1,
                         ideal=1)
        sv = {(ex, w): speedup(r.find(ex, w))[0] for ex in
              ("threads", "gil", "py-threads") for w in ws}
        intervals = [5000, 1000, 100]
        c = self.run("convoy", ["-k", "convoy", "-s", "tiny" if q else
                                "default", "-e",
                                "threads,gil,processes,py-threads,"
                                "py-processes", "-w", "2",
                                "--switch-interval",
                                ",".join(map(str, intervals)),
                                "--no-probe"] + self.reps(),
                     "4/4 the convoy: one I/O thread beside a CPU-bound one")
        alone_c = metric(c.find("serial", 1), "io_op_s")[0]
        alone_py = metric(c.find("py-serial", 1), "io_op_s")[0]
        cser, cpy, crow = [], [], []
        for ex, cs in (("gil", cser), ("py-threads", cpy)):
            for si in intervals:
                run = c.find(ex, 2, switch=si)
                m, base = metric(run, "io_op_s")
                vals = run["metrics"]["io_op_s"]["samples"]
                cs.append((si, m, min(vals), max(vals)))
                crow.append([label(run), si, fmt_time(m), fmt_x(m / base)])
        for ex in ("threads", "processes", "py-processes"):
            run = c.find(ex, 2)
            m, base = metric(run, "io_op_s")
            crow.append([label(run), "-", fmt_time(m), fmt_x(m / base)])
        series2 = [("gil", cser), ("py-threads", cpy)]
        for ex, alone in (("serial", alone_c), ("py-serial", alone_py)):
            series2.append((ex + " (alone)", [(si, alone, alone, alone)
                                              for si in intervals]))
        fig2 = self.lines("convoy_io_op", series2, "convoy: the I/O "
                          "thread's time per blocking operation, beside one "
                          "CPU-bound thread", "switch interval (us)",
                          "time per operation (s)", logx=1, logy=1)
        slow = {(ex, si): metric(c.find(ex, 2, switch=si), "io_op_s")
                for ex in ("gil", "py-threads") for si in intervals}
        lines = []
        for si in intervals:
            (g, gb), (p, pb) = slow[("gil", si)], slow[("py-threads", si)]
            f = max(g / gb, p / pb) / min(g / gb, p / pb)
            lines.append("%d us: CPython %s per operation (%s alone), the "
                         "emulation %s (%s): %s" % (
                             si, fmt_time(p), fmt_x(p / pb), fmt_time(g),
                             fmt_x(g / gb),
                             "within a factor of %.2f" % f if f <= 2 else
                             "off by a factor of %.2f, more than the target "
                             "of 2" % f))
        procs = metric(c.find("py-processes", 2), "io_op_s")
        thr = metric(c.find("threads", 2), "io_op_s")
        text = [
            "The seeds' advice is that threads are still fine for I/O. For "
            "blocking tasks alone it holds: %s tasks that each block %s us "
            "ran %s faster on 8 CPython threads than on one (the GIL is "
            "released while a thread blocks), as on plain C threads (%s) "
            "and under the emulated GIL (%s)." % (
                "16" if q else "64", "200" if q else "2000",
                fmt_x(sv[("py-threads", 8)]), fmt_x(sv[("threads", 8)]),
                fmt_x(sv[("gil", 8)])),
            "The advice misses the convoy (CPython bpo-7946, gh-90204). One "
            "thread does short blocking operations (sleeps of 50 us) while "
            "another computes. Alone, the I/O thread's operation took %s in "
            "CPython. Beside the CPU-bound thread, every return from the "
            "blocking call has to take the GIL back from a holder that "
            "gives it up only when asked, after the switch interval "
            "(sys.setswitchinterval, 5 ms by default): %s." % (
                fmt_time(alone_py), "; ".join(lines)),
            "Processes do not share a GIL: the I/O worker of a CPython "
            "process pool took %s per operation (%s alone), C threads %s "
            "(%s)." % (fmt_time(procs[0]), fmt_x(procs[0] / procs[1]),
                       fmt_time(thr[0]), fmt_x(thr[0] / thr[1])),
        ]
        self.section("Seeds 000/001: threads help blocking I/O, until a "
                     "CPU-bound thread holds the GIL",
                     [("p", text[0]), ("table", ["executor", "workers",
                                                 "median", "speedup "
                                                 "[95% CI]"], rows),
                      ("img", fig, "speedup of blocking tasks"),
                      ("p", text[1]), ("p", text[2]),
                      ("table", ["configuration", "switch interval (us)",
                                 "time per I/O operation", "vs alone"],
                       crow),
                      ("img", fig2, "convoy time per operation")])

    # -- pages --

    def method(self):
        ctx = self.context or {}
        host = ctx.get("host", {})
        py = next(iter(ctx.get("executors", {}).values()), {})
        items = [
            "Machine: %s, %s, %s PUs (%s cores), %s %s." % (
                host.get("hostname", "?"), ctx.get("cpu", {}).get("model"),
                ctx.get("topology", {}).get("pus"),
                ctx.get("topology", {}).get("cores"), host.get("os"),
                host.get("kernel")),
            "CPython: %s %s (%s), GIL %s, start method %s." % (
                py.get("implementation"), py.get("version"),
                py.get("executable"), "enabled" if py.get("gil_enabled") ==
                "true" else "disabled", py.get("start_method")),
            "Each configuration: %d warm-up map, then %d measured maps in a "
            "seeded interleaved order; medians with bootstrap 95%% "
            "confidence intervals; every map's outputs verified by the C "
            "kernel's verify(), CPython's included. Speedups divide by the "
            "serial loop of the same language. Pool start-up and shutdown "
            "are timed apart from the map (CPython times its own parts)." %
            (1, self.a.repetitions),
            "Date: %s. Raw results: data/*.json (results/SCHEMA.md), the "
            "printed tables: data/*.txt." % ctx.get("date", "?"),
        ]
        cmds = "\n".join(" ".join(_shell_quote(a) for a in c)
                         for c in self.commands)
        self.section("How this was measured", [("p", t) for t in items] +
                     [("p", "The runs (corebench is build/corebench), to "
                            "reproduce any of them:"),
                      ("code", cmds)])

    def write(self):
        title = "Why Python threads do not speed up CPU-bound work, measured"
        md = ["# " + title, ""]
        body = []
        for t, blocks in self.sections:
            md += ["## " + t, ""]
            body.append("<h2>%s</h2>" % html.escape(t))
            for b in blocks:
                if b[0] == "p":
                    md += [b[1], ""]
                    body.append("<p>%s</p>" % html.escape(b[1]))
                elif b[0] == "table":
                    head, rows = b[1], b[2]
                    md.append("| " + " | ".join(head) + " |")
                    md.append("|" + "---|" * len(head))
                    for row in rows:
                        md.append("| " + " | ".join(str(c) for c in row) +
                                  " |")
                    md.append("")
                    body.append("<table><tr>%s</tr>%s</table>" % (
                        "".join("<th>%s</th>" % html.escape(str(h))
                                for h in head),
                        "".join("<tr>%s</tr>" % "".join(
                            "<td>%s</td>" % html.escape(str(c)) for c in row)
                            for row in rows)))
                elif b[0] == "img":
                    md += ["![%s](%s)" % (b[2], b[1]), ""]
                    with open(os.path.join(self.out, b[1]), "rb") as f:
                        data = base64.b64encode(f.read()).decode()
                    body.append('<figure><img alt="%s" src="data:image/png;'
                                'base64,%s"></figure>' % (
                                    html.escape(b[2]), data))
                elif b[0] == "code":
                    md += ["```", b[1], "```", ""]
                    body.append("<pre>%s</pre>" % html.escape(b[1]))
        with open(os.path.join(self.out, "lesson.md"), "w") as f:
            f.write("\n".join(md))
        with open(os.path.join(self.out, "lesson.html"), "w") as f:
            f.write(HTML % (html.escape(title), html.escape(title),
                            "\n".join(body)))


HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>%s</title>
<style>
body { font-family: sans-serif; max-width: 60em; margin: 2em auto;
       padding: 0 1em; line-height: 1.45; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em;
       border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f2f2f2; } td:first-child { text-align: left; }
figure { margin: 1em 0; } img { max-width: 100%%; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto;
      font-size: 0.85em; }
</style></head><body>
<h1>%s</h1>
%s
</body></html>
"""


def _cell(v):
    if isinstance(v, float):
        return "NaN" if not math.isfinite(v) else "%.6g" % v
    if v is None:
        return "NaN"
    return re.sub(r"[\t\n\r]", " ", str(v))


def _shell_quote(a):
    return a if re.fullmatch(r"[\w@%+=:,./-]+", a) else \
        "'" + a.replace("'", "'\"'\"'") + "'"


def main():
    ap = argparse.ArgumentParser(description="the seeds' experiments, "
                                 "measured here: lesson.md + lesson.html")
    ap.add_argument("--corebench", default=os.path.join(HERE, "..", "build",
                                                        "corebench"))
    ap.add_argument("--python", help="interpreter of the py-* executors")
    ap.add_argument("--out", help="output directory [results/lesson-DATE-"
                    "HOST]")
    ap.add_argument("--quick", action="store_true",
                    help="tiny sizes (tests): numbers mean little")
    ap.add_argument("-r", "--repetitions", type=int, default=5)
    a = ap.parse_args()
    if a.repetitions < 1:
        ap.error("-r %d: at least 1" % a.repetitions)
    if not shutil.which("gnuplot"):
        raise SystemExit("lesson: gnuplot is needed for the figures "
                         "(apt-get install gnuplot-nox)")
    if not a.out:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y%m%dT%H%M%SZ")
        host = re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname())
        a.out = os.path.join("results", "lesson-%s-%s" % (stamp, host))
    lesson = Lesson(a)
    lesson.seed003()
    lesson.seed002()
    lesson.seed004()
    lesson.io()
    lesson.method()
    lesson.write()
    say("wrote %s/lesson.md and lesson.html in %.0f s" %
        (a.out, time.monotonic() - lesson.t0))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        say("interrupted; the runs finished so far are in their data/ "
            "directory")
        sys.exit(130)
