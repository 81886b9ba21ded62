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

Stdlib only, plus gnuplot for the figures (as `corebench report`). The
experiments are one module each (lesson_seed003.py, lesson_seed002.py,
lesson_seed004.py, lesson_io.py); lesson_base.py runs corebench, reads its
files and writes the pages. Times, ratios, run labels and ceilings are
corebench's own (`corebench fmt`): the lesson keeps no copy of those rules.
"""

import argparse
import datetime
import os
import re
import shutil
import socket
import sys
import time

import lesson_base
from lesson_base import HERE, say
from lesson_io import Io
from lesson_seed002 import Seed002
from lesson_seed003 import Seed003
from lesson_seed004 import Seed004


class Lesson(lesson_base.Lesson, Seed003, Seed002, Seed004, Io):
    """lesson_base.Lesson with the four experiments, one module each."""


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
