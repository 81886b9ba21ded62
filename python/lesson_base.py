"""The lesson's common parts (python/lesson.py runs the experiments, one
module each: lesson_seed003.py, lesson_seed002.py, lesson_seed004.py,
lesson_io.py): running corebench, reading its result files, the figures
and the pages.

One place per rule: times and ratios are printed as corebench prints them
(`corebench fmt`, harness/base/units.c), runs are labelled as corebench's table
labels them and compared with the ceiling corebench picks for them
(`corebench fmt runs`: cb_config_label, cb_ceiling_pick); the lesson keeps
no copy of those rules.
"""

import base64
import html
import json
import math
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PLOTS = os.environ.get("CB_PLOTS_DIR") or os.path.join(HERE, "..", "plots")


def say(msg):
    print("lesson: " + msg, file=sys.stderr, flush=True)


def corebench_out(corebench, args):
    """stdout of `corebench ARGS` (an argument vector, no shell)."""
    p = subprocess.run([corebench] + args, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("lesson: `corebench %s` failed (exit %d): %s" % (
            " ".join(args[:2]), p.returncode, p.stderr.strip()[-300:]))
    return p.stdout


class Units:
    """Numbers as corebench prints them: `corebench fmt KIND VALUE`,
    remembered per value."""

    def __init__(self, corebench):
        self.corebench = corebench
        self.seen = {}

    def fmt(self, kind, v):
        if v is None or not math.isfinite(v):
            return "-"
        key = (kind, repr(float(v)))
        if key not in self.seen:
            self.seen[key] = corebench_out(self.corebench, [
                "fmt", kind, key[1]]).strip()
        return self.seen[key]


_units = None


def use_corebench(corebench):
    """fmt_time and fmt_x ask this corebench from now on."""
    global _units
    _units = Units(corebench)


# ---- numbers, words ----------------------------------------------------------

def fmt_time(t):
    """Seconds, as corebench's tables print them."""
    return _units.fmt("time", t)


def fmt_x(v):
    """A ratio (speedup, slowdown), as corebench's tables print it."""
    return _units.fmt("ratio", v)


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
                "(%.2fx), inside the %.0f%% it is built to stay within." %
                (what, emulated, 100 * d, real, 100 * tol))
    return ("%s: the emulation (%.2fx) misses CPython (%.2fx) by %.0f%%, "
            "more than the %.0f%% it is built to stay within." %
            (what, emulated, real, 100 * d, 100 * tol))


# A configuration whose interval half-width passes this share of its time
# is named in the lesson's caveat: its speedups can be off by as much,
# more than the differences several lessons rest on (C threads' 1.9x
# against processes' 1.9x, the emulated GIL within 15% of CPython's).
NOISY = 0.05


# ---- result files ---------------------------------------------------------------

class Result:
    """One corebench result file (results/SCHEMA.md)."""

    def __init__(self, path, corebench):
        with open(path) as f:
            self.d = json.load(f)
        self.path = path
        self.runs = self.d["runs"]
        self.corebench = corebench
        self._fmt = None

    def _runs_fmt(self):
        """corebench's word on each run: label, ceiling (by run id)."""
        if self._fmt is None:
            self._fmt = {x["id"]: x for x in json.loads(corebench_out(
                self.corebench, ["fmt", "runs", self.path]))}
        return self._fmt

    def label(self, r):
        """The run's label, as corebench's table shows it."""
        return self._runs_fmt()[r["id"]]["label"]

    def ceiling(self, r):
        """The triad corebench compares the run with ({"level", "threads",
        "bytes_per_s"}), or None."""
        return self._runs_fmt()[r["id"]]["ceiling"]

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


# the words corebench's report uses for each factor of the efficiency
# budget (harness/model/budget.c cb_loss_words, docs/EFFICIENCY.md)
LOSS_WORDS = {"computation_scaling": "computation scaling",
              "interference": "interference",
              "serialisation": "serialisation (lock wait)",
              "transfer": "dispatch and transfer",
              "load_balance": "load imbalance",
              "unexplained": "unexplained time"}


def biggest_loss(r, label):
    """'LABEL at N workers: 52% of the ideal lost to dispatch and
    transfer (efficiency 0.45)': the largest loss of r's efficiency
    budget, in words; '' without one."""
    b = r and r.get("budget")
    if not b:
        return ""
    k = b["largest"]
    return ("%s at %d workers: %.0f%% of the ideal lost to %s (efficiency "
            "%.2f)" % (label, r["workers"], 100 * b["lost"][k],
                       LOSS_WORDS.get(k, k), b["efficiency"]))


def metric(r, name):
    m = r and r.get("metrics", {}).get(name)
    return (m["median"], m["baseline"]) if m else (None, None)


# ---- the lesson --------------------------------------------------------------

class Lesson:
    """The runs, figures and sections of one lesson; the experiments are
    mixins (lesson.py puts them together)."""

    def __init__(self, args):
        self.a = args
        self.out = args.out
        self.data = os.path.join(self.out, "data")
        os.makedirs(self.data, exist_ok=True)
        self.sections = []  # (title, [blocks])
        self.commands = []
        self.context = None
        self.results = []  # (name, Result): what the caveat reads
        self.t0 = time.monotonic()
        use_corebench(args.corebench)

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
        r = Result(out, self.a.corebench)
        if self.context is None:
            self.context = r.d["context"]
        self.results.append((name, r))
        return r

    def reps(self, scale=1):
        """-r for a run: the lesson's repetitions, times scale for a run
        whose samples spread most (CPython's gcd on a shared VM: 0.35 s to
        0.62 s for the same map, so the p25 of 5 samples made one CPython
        thread read 1.2x faster than the serial loop)."""
        return ["-r", str(self.a.repetitions * scale)]

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
              ideal=0, pus=0):
        """series: [(name, [(x, y, lo, hi)])]; ideal with pus: linear up
        to the machine's PUs, flat beyond, the PU count marked."""
        rows = [(i + 1, s, x, y, lo, hi)
                for i, (s, pts) in enumerate(series) for x, y, lo, hi in pts
                if y is not None]
        return self.figure(name, "lesson_lines.gp", rows,
                           ["sid", "series", "x", "y", "lo", "hi"],
                           [title, xlabel, ylabel, logx, logy, ideal, pus])

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

    # -- pages --

    def caveat(self):
        """The blocks of "How much to trust these numbers": the runs whose
        own samples were noisy (a 95% interval wider than +-NOISY of the
        time), what the machine did meanwhile, how to rerun; [] when every
        number is tight (a quiet machine needs no warning)."""
        noisy, steal, outside, aside, n = [], [], [], 0, 0
        for name, res in self.results:
            it = res.d["context"].get("interference") or {}
            if it.get("steal_share") is not None:
                steal.append(it["steal_share"])
                outside.append(it.get("outside_share") or 0)
            for r in res.runs:
                s = r.get("stats") or {}
                n += len(r.get("samples") or [])
                aside += (r.get("interference") or {}).get("set_aside") or 0
                e = s.get("estimate", s.get("median"))
                lo = s.get("estimate_ci_lo", s.get("ci_lo"))
                hi = s.get("estimate_ci_hi", s.get("ci_hi"))
                if not e or lo is None or hi is None:
                    continue
                hw = (hi - lo) / 2 / e
                if hw > NOISY:
                    noisy.append((hw, "%s: %s w=%d (+-%.0f%%)" % (
                        name, res.label(r), r["workers"], 100 * hw)))
        if not noisy:
            return []
        noisy.sort(reverse=True)
        text = ("%d of the configurations measured here have a 95%% "
                "interval wider than +-%.0f%% of their time, so their "
                "speedups can be off by as much: %s%s." % (
                    len(noisy), 100 * NOISY,
                    "; ".join(t for _, t in noisy[:8]),
                    "; and %d more" % (len(noisy) - 8) if len(noisy) > 8
                    else ""))
        machine = ("%d of %d samples were set aside as disturbed by "
                   "something else on the machine" % (aside, n))
        if steal:
            machine += (", and during the samples the hypervisor took up "
                        "to %.1f%% of the CPU time and other processes up "
                        "to %.1f%%" % (100 * max(steal), 100 * max(outside)))
        return [("p", text),
                ("p", "The machine was not quiet: %s. Read the wide "
                      "intervals as \"not measured well\", not as a "
                      "lesson: a speedup whose interval spans 1 says "
                      "nothing either way. To measure again: close other "
                      "programs and run `make lesson LESSON_ARGS=\"-r 15\"` "
                      "(more samples per configuration), or run it on a "
                      "machine you have to yourself." % machine)]

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
        caveat = self.caveat()
        sections = ([("How much to trust these numbers", caveat)]
                    if caveat else []) + self.sections
        for t, blocks in sections:
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


