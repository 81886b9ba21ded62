"""The lesson, 1/4: seed 003, gcd: serial vs threads vs processes in
CPython, in C and under the emulated GIL; and timing the seed's way (one
cold run each, serial first) beside corebench's way (warmed up,
interleaved, repeated)."""

from lesson_base import (agree, biggest_loss, fmt_ci, fmt_time, fmt_x,
                         median, speedup)


class Seed003:
    """A mixin of lesson.Lesson (lesson_base.Lesson's run, figures and
    sections)."""

    # C's own workload: the seed's four pairs take C about 20 ms, too
    # short to share among 4 workers (a process start costs about a
    # millisecond, and 4 pairs split 1 per worker with nothing to balance),
    # so C's speedups are measured on pairs of the same kind, 48 of them
    # (about 0.2 s serial, 12 per worker at 4); the seed's four pairs
    # still give the C-against-CPython ratio on identical inputs.
    C_PAIRS = 48

    def seed003(self):
        size = "tiny" if self.a.quick else "seed"
        ws = [1, 2, 4]
        r = self.run("gcd", ["-k", "gcd", "-s", size, "-e",
                             "serial,py-serial,py-threads,py-processes",
                             "-w", ",".join(map(str, ws)), "--no-probe"] +
                     self.reps(2),
                     "1/4 seed 003: gcd in CPython (and C's serial loop on "
                     "the same pairs)")
        csize = ["-s", "tiny"] if self.a.quick else ["-p", "n=%d" %
                                                    self.C_PAIRS]
        c = self.run("gcd_c", ["-k", "gcd"] + csize + [
                         "-e", "serial,threads,gil,processes",
                         "-w", ",".join(map(str, ws)), "--no-probe"] +
                     self.reps(),
                     "1/4 seed 003: gcd in C and under the emulated GIL, on "
                     "a workload C can share")
        rows, series = [], []
        for ex in ("py-serial", "py-threads", "py-processes", "serial",
                   "threads", "gil", "processes"):
            src = r if ex.startswith("py-") else c
            pts = []
            for w in ([1] if ex.endswith("serial") else ws):
                run = src.find(ex, w)
                v, lo, hi = speedup(run)
                rows.append([ex, w, run["tasks"], fmt_time(median(run)),
                             fmt_ci(v, lo, hi)])
                pts.append((w, v, lo, hi))
            if not ex.endswith("serial"):
                series.append((ex, pts))
        fig = self.lines("gcd_speedup", series,
                         "seed 003, gcd: speedup over the same language's "
                         "serial loop", "workers", "speedup", logx=1, ideal=1,
                         pus=r.pus)
        two = 2 if r.pus >= 2 else 1
        cser, pser = median(r.find("serial", 1)), median(r.find("py-serial",
                                                                1))
        s = {ex: speedup(c.find(ex, two))[0] for ex in
             ("threads", "gil", "processes")}
        s.update({ex: speedup(r.find(ex, two))[0] for ex in
                  ("py-threads", "py-processes")})
        s4 = {"gil": speedup(c.find("gil", 4))[0],
              "py-threads": speedup(r.find("py-threads", 4))[0]}
        ctasks = c.find("serial", 1)["tasks"]
        text = [
            "Seed 003 is a Python tutorial's first experiment: it times four "
            "greatest-common-divisor computations by trial division (each "
            "pair of numbers in the millions), serially, on threads and on "
            "processes. Here CPython's loop took %s and the same loop in C "
            "%s: C is %.0fx faster on identical inputs (the C kernel's own "
            "verify() checked every CPython result)." % (
                fmt_time(pser), fmt_time(cser), pser / cser),
            "With %d workers on this %d-PU machine, CPython threads ran at "
            "%s the speed of the loop: the GIL lets one thread run Python "
            "bytecode at a time. CPython processes reached %s: each has its "
            "own interpreter and its own GIL." % (
                two, r.pus, fmt_x(s["py-threads"]), fmt_x(s["py-processes"])),
            "%d pairs are %s of work for C: too little to share among "
            "workers (starting a process costs about a millisecond, and "
            "so few pairs leave nothing to balance), so C's speedups are "
            "measured on %d pairs of the same kind (%s serially). There, "
            "without a GIL, C threads reached %s and processes %s." % (
                r.find("serial", 1)["tasks"], fmt_time(cser), ctasks,
                fmt_time(median(c.find("serial", 1))),
                fmt_x(s["threads"]), fmt_x(s["processes"])),
            agree(s["gil"], s["py-threads"], 0.15,
                  "C threads under corebench's emulated GIL at %d workers" %
                  two) + " " +
            agree(s4["gil"], s4["py-threads"], 0.15, "At 4 workers"),
        ]
        # why not ideal, from each run's efficiency budget
        words = [w for w in (biggest_loss(r.find("py-threads", two),
                                          "CPython threads"),
                             biggest_loss(c.find("gil", two),
                                          "C threads under the emulated GIL"))
                 if w]
        if words and two > 1:
            text[3] += (" Their efficiency budgets (docs/EFFICIENCY.md) "
                        "name the loss: %s." % "; ".join(words))
        blocks = [("p", t) for t in text]
        blocks += [("table", ["executor", "workers", "pairs", "median",
                              "speedup [95% CI]"], rows),
                   ("img", fig, "speedup of each executor against workers")]
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
                        len(careful_run["samples"]), v, lo, hi,
                        "%.2fx" % v)]
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
