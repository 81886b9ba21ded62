#!/usr/bin/env python3
"""How well corebench's interference rule did against a known neighbour.

usage: scripts/neighbor-check.py RESULT.json [NEIGHBOR.log] [--slow PCT]
                                 [--verbose]

Reads a result file (results/SCHEMA.md: each run's
interference.t_start_us / t_end_us and interference.interfered) and the
log of scripts/noisy-neighbor.sh ("CPU START END" lines, epoch seconds),
and prints, over every sample:

  - samples overlapping a burst, and how many of those were slowed by more
    than PCT% [2] against their configuration's clean estimate (the median
    of its samples that overlap no burst; the minimum of all its samples
    when fewer than 3 overlap none);
  - the hit rate: of the samples a burst overlapped and slowed, the share
    flagged as interfered (issue 15's target: at least 90%);
  - the false-alarm rate: of the samples no burst overlapped, the share
    flagged (target: at most 10%). Without a log every sample counts as
    quiet: the false-alarm rate of a quiet run.

Samples slowed without a burst (something else on the machine) are counted
apart. A last line judges every sample against its configuration's best
one instead: on a machine whose host is not quiet (samples slower with no
burst, no run delay) the median is no clean estimate, and this line shows
how many samples within PCT% of the best were flagged (false alarms) and
how many slower ones were (hits). Exit 0; a bad file or argument: one line naming it, exit 2.
"""
import json
import statistics
import sys


def die(msg):
    sys.stderr.write("neighbor-check: %s\n" % msg.encode("ascii", "backslashreplace").decode())
    sys.exit(2)


def load_log(path):
    bursts = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for no, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                parts = line.split()
                try:
                    if len(parts) != 3:
                        raise ValueError
                    cpu, t0, t1 = int(parts[0]), float(parts[1]), float(parts[2])
                    if not t0 <= t1:
                        raise ValueError
                except ValueError:
                    die("%s:%d: %r is not 'CPU START END' (epoch seconds, START <= END)"
                        % (path, no, line[:80]))
                bursts.append((t0, t1, cpu))
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    bursts.sort()
    return bursts


def overlaps(bursts, t0, t1):
    return any(b0 < t1 and b1 > t0 for b0, b1, _ in bursts)


def main(argv):
    slow, verbose, files = 2.0, False, []
    it = iter(argv)
    for a in it:
        if a == "--slow" or a.startswith("--slow="):
            v = a.split("=", 1)[1] if "=" in a else next(it, None)
            try:
                slow = float(v)
                if not 0 < slow < 1000:
                    raise ValueError
            except (TypeError, ValueError):
                die("--slow %r: accepted is a percentage between 0 and 1000" % (v,))
        elif a in ("-v", "--verbose"):
            verbose = True
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        elif a.startswith("-"):
            die("unknown option %r (accepted: --slow PCT, --verbose, --help)" % a)
        else:
            files.append(a)
    if not 1 <= len(files) <= 2:
        die("give a result file and, optionally, a noisy-neighbor log")
    try:
        with open(files[0], encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        die("%s: %s" % (files[0], e))
    bursts = load_log(files[1]) if len(files) == 2 else []

    tot = dict(n=0, timed=0, over=0, over_slow=0, over_slow_flag=0,
               quiet=0, quiet_flag=0, quiet_slow=0, flagged=0, over_flag=0,
               flag_fast=0, b_near=0, b_near_flag=0, b_slow=0, b_slow_flag=0)
    runs = doc.get("runs") if isinstance(doc, dict) else None
    if not isinstance(runs, list):
        die("%s: no \"runs\" array (not a corebench result file)" % files[0])
    for r in runs:
        samples = r.get("samples") or []
        inter = r.get("interference") or {}
        ts, te = inter.get("t_start_us"), inter.get("t_end_us")
        flags = inter.get("interfered") or [False] * len(samples)
        if not (isinstance(ts, list) and isinstance(te, list)
                and len(ts) == len(te) == len(samples) == len(flags)):
            continue  # a file from before per-sample times
        idx = [i for i in range(len(samples))
               if isinstance(ts[i], (int, float)) and isinstance(te[i], (int, float))
               and isinstance(samples[i], (int, float))]
        over = {i: overlaps(bursts, ts[i] / 1e6, te[i] / 1e6) for i in idx}
        clean = [samples[i] for i in idx if not over[i]]
        if not idx:
            continue
        ref = statistics.median(clean) if len(clean) >= 3 else min(samples[i] for i in idx)
        lim = ref * (1 + slow / 100)
        c = dict(over=0, over_slow=0, over_slow_flag=0, quiet_flag=0)
        best = min(samples[i] for i in idx)
        for i in idx:
            s, f = samples[i] > lim, bool(flags[i])
            if samples[i] > best * (1 + slow / 100):
                tot["b_slow"] += 1
                tot["b_slow_flag"] += f
            else:
                tot["b_near"] += 1
                tot["b_near_flag"] += f
            tot["timed"] += 1
            tot["flagged"] += f
            tot["flag_fast"] += f and not s
            if over[i]:
                tot["over"] += 1
                c["over"] += 1
                tot["over_flag"] += f
                if s:
                    tot["over_slow"] += 1
                    c["over_slow"] += 1
                    tot["over_slow_flag"] += f
                    c["over_slow_flag"] += f
            else:
                tot["quiet"] += 1
                tot["quiet_flag"] += f
                c["quiet_flag"] += f
                tot["quiet_slow"] += s
        tot["n"] += len(samples)
        if verbose:
            print("  %-10s %-14s w=%-3s ref %.4g s: %d overlapped, %d slowed, %d of them flagged; "
                  "%d of %d quiet flagged"
                  % (ascii(r.get("kernel", "?"))[1:-1][:10], ascii(r.get("executor", "?"))[1:-1][:14],
                     r.get("workers", "?"), ref, c["over"], c["over_slow"], c["over_slow_flag"],
                     c["quiet_flag"], len(idx) - c["over"]))

    def pct(a, b):
        return "%.1f%%" % (100.0 * a / b) if b else "n/a"

    print("samples with times: %d of %d; bursts in the log: %d" % (tot["timed"], tot["n"], len(bursts)))
    print("overlapping a burst: %d; slowed > %g%%: %d; of those flagged: %d (hit rate %s)"
          % (tot["over"], slow, tot["over_slow"], tot["over_slow_flag"],
             pct(tot["over_slow_flag"], tot["over_slow"])))
    print("overlapping a burst, flagged: %d of %d (%s)"
          % (tot["over_flag"], tot["over"], pct(tot["over_flag"], tot["over"])))
    print("overlapping no burst: %d; flagged: %d (false-alarm rate %s); slowed > %g%% anyway: %d"
          % (tot["quiet"], tot["quiet_flag"], pct(tot["quiet_flag"], tot["quiet"]), slow,
             tot["quiet_slow"]))
    print("flagged in all: %d of %d (%s); flagged but not slowed > %g%%: %d (%s of the samples)"
          % (tot["flagged"], tot["timed"], pct(tot["flagged"], tot["timed"]), slow,
             tot["flag_fast"], pct(tot["flag_fast"], tot["timed"])))
    print("against each configuration's best sample: within %g%%: %d, flagged %d (%s); "
          "slower: %d, flagged %d (%s)"
          % (slow, tot["b_near"], tot["b_near_flag"], pct(tot["b_near_flag"], tot["b_near"]),
             tot["b_slow"], tot["b_slow_flag"], pct(tot["b_slow_flag"], tot["b_slow"])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
