"""The lesson, 2/4: seed 002, factorize: one submit per worker vs map at
chunksize 1 and auto; the per-task price of a process pool in C and in
CPython (empty)."""

from lesson_base import biggest_loss, fmt_ci, fmt_time, fmt_x, median, speedup


class Seed002:
    """A mixin of lesson.Lesson (lesson_base.Lesson's run, figures and
    sections)."""

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
            rows.append([r.label(run), run["workers"], used or "-",
                         fmt_time(median(run)), fmt_ci(v, lo, hi)])
            bars.append((run["executor"], r.label(run), median(run),
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
        # why not ideal, from each run's efficiency budget
        words = [w for w in (
            biggest_loss(c1, "ProcessPoolExecutor.map at chunksize=1"),
            biggest_loss(pp, "corebench's C process pool at chunksize 1"))
            if w]
        if words:
            text[1] += (" The efficiency budget of each run (docs/"
                        "EFFICIENCY.md) says where the rest went: %s; each "
                        "of its %d tasks paid %s for its trip." % (
                            "; ".join(words), pp["tasks"], fmt_time(tpp)))
        self.section("Seed 002: map at chunksize 1 pays per task; chunks "
                     "do not", [("p", text[0]), ("table", [
                         "configuration", "workers", "tasks per call",
                         "median", "speedup [95% CI]"], rows),
                         ("img", fig, "factorize map times"),
                         ("p", text[1]),
                         ("img", fig2, "per-task cost of the two pools")])
