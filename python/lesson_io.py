"""The lesson, 4/4: seeds 000/001, I/O: threads help blocking tasks
(sleep)... until a CPU-bound thread shares the GIL (convoy)."""

from lesson_base import fmt_ci, fmt_time, fmt_x, median, metric, speedup


def op_range(run):
    """The I/O task's time per operation over the run's samples, as a
    range ("0.84 ms-5.75 ms"): how far one sample can be from the median."""
    v = run["metrics"]["io_op_s"]["samples"]
    return "%s-%s" % (fmt_time(min(v)), fmt_time(max(v)))


def cpu_share(run):
    """The CPU-bound task's batches against its runtime's serial baseline
    (where it runs alone): "x0.92"."""
    m, base = metric(run, "cpu_batches")
    return fmt_x(m / base) if m is not None and base else "-"


class Io:
    """A mixin of lesson.Lesson (lesson_base.Lesson's run, figures and
    sections)."""

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
                crow.append([c.label(run), si, fmt_time(m), fmt_x(m / base),
                             cpu_share(run)])
        for ex in ("threads", "processes", "py-processes"):
            run = c.find(ex, 2)
            m, base = metric(run, "io_op_s")
            crow.append([c.label(run), "-", fmt_time(m), fmt_x(m / base),
                         cpu_share(run)])
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
            gr = op_range(c.find("gil", 2, switch=si))
            pr = op_range(c.find("py-threads", 2, switch=si))
            lines.append("%d us: CPython %s per operation (%s alone; its "
                         "samples %s), the emulation %s (%s; %s): medians %s"
                         % (si, fmt_time(p), fmt_x(p / pb), pr, fmt_time(g),
                            fmt_x(g / gb), gr,
                            "within a factor of %.2f" % f if f <= 2 else
                            "off by a factor of %.2f, more than the factor "
                            "of 2 the emulation is built to stay within" % f))
        # the other side of the convoy: the CPU-bound thread gives up the
        # GIL at every request, and loses work as the interval shrinks
        lo_si = min(intervals)
        cpu_py = metric(c.find("py-threads", 2, switch=lo_si), "cpu_batches")
        cpu_gil = metric(c.find("gil", 2, switch=lo_si), "cpu_batches")
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
            "(sys.setswitchinterval, 5 ms by default): %s. The CPU-bound "
            "thread pays too: at %d us it did %s of the work it does alone "
            "in CPython (%s under the emulation), as it hands the GIL over "
            "at every request." % (
                fmt_time(alone_py), "; ".join(lines), lo_si,
                fmt_x(cpu_py[0] / cpu_py[1]) if cpu_py[0] else "-",
                fmt_x(cpu_gil[0] / cpu_gil[1]) if cpu_gil[0] else "-"),
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
                                 "time per I/O operation", "vs alone",
                                 "CPU thread's work vs alone"], crow),
                      ("img", fig2, "convoy time per operation")])
