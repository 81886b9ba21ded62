"""The lesson, 3/4: seed 004, the chunked sum: what materializing each
range costs, threads vs processes, against the machine's bandwidth (the
ceiling corebench picks for the run)."""

from lesson_base import fmt_ci, fmt_time, fmt_x, median, speedup


class Seed004:
    """A mixin of lesson.Lesson (lesson_base.Lesson's run, figures and
    sections)."""

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
                    rows.append([k, res.label(run), run["workers"],
                                 "%.3g" % e, fmt_time(median(run)),
                                 fmt_time(median(run) / e),
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
        # the triad on the run's own working set, when corebench compares
        # the run with that one (its "ws" level; the rule is corebench's)
        ceil = c.ceiling(cs)
        own = ceil["bytes_per_s"] if ceil and ceil["level"] == "ws" else None
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
            "%s and CPython %s (%.0fx: a Python list holds a "
            "pointer per element to an int object). Summing a chunk the "
            "parent built beforehand (sum-shipped) costs C %s and "
            "CPython %s per element: materializing is %s of the "
            "work in C and %s in CPython.%s" % (
                fmt_time(per[("serial", "sum")]),
                fmt_time(per[("py-serial", "sum")]),
                per[("py-serial", "sum")] / per[("serial", "sum")],
                fmt_time(per[("serial", "sum-shipped")]),
                fmt_time(per[("py-serial", "sum-shipped")]), share("serial"),
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
