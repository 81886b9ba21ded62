#!/usr/bin/env python3
"""The CPython side of corebench's py-* executors (executors/python.c).

    PYTHON pyexec.py --about
        One JSON line on fd 3 about this interpreter (path, version, implementation,
        whether the GIL is enabled, multiprocessing's start method).

    PYTHON pyexec.py MODE WORKERS CHUNKSIZE SWITCH_US PUS KERNEL SIZE [K=V...]
        Serves one pool configuration to corebench on fd 3, a stream socket.
        MODE is serial, threads, processes or processes-chunked; CHUNKSIZE
        the tasks per call for `processes` (resolved by corebench, auto
        included); SWITCH_US goes to sys.setswitchinterval(); PUS the
        planned CPU per worker ("0,1", -1 for none, "-" for no pinning);
        KERNEL, SIZE and the K=V pairs the C kernel's resolved parameters,
        from which kernels.tasks() rebuilds the identical workload.

Protocol, one JSON object per line, from this side first:
    -> {"ok": true, "pid": P, "tasks": N}  (or {"ok": false, "error": ...})
    <- "map"
    -> {"ok": true, "start_s", "map_s", "stop_s", "workers": [...],
        "bytes_to", "bytes_from", "chunksize", "len": L} then L bytes: the
       C kernel's output records (kernels.encode), which the C verify()
       checks, so a wrong Python result fails the sample as a C one would.
    EOF -> exit 0.

Each map is one sample the way the seeds timed theirs, split as corebench
splits every executor: the pool's start (construct it, then wait until
every worker has run its initializer: a barrier), the map (executor.map,
or one submit per worker + as_completed for processes-chunked), and the
shutdown (shutdown(wait=True)), each timed here with perf_counter, so the
talk with corebench is not counted. Per-worker figures (tasks, busy and CPU
time, observed CPU) come from a thin wrapper around the task function and
are collected after the map, outside the timed parts; the wrapper costs
two perf_counter() calls per task and rides along in every pickled call.

Stdlib only. Ctrl-C kills this process and its workers quietly: corebench
reports the interrupt.
"""

import concurrent.futures as cf
import functools
import json
import math
import multiprocessing
import os
import pickle
import platform
import resource
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernels  # noqa: E402

CHANNEL_FD = 3
BARRIER_TIMEOUT_S = 120.0  # a worker that never arrives breaks the sample

# ---- the worker side ------------------------------------------------------

_TL = threading.local()  # per worker thread (one per worker process)
_BARRIER = None          # the pool's barrier, set by _init_worker


def _cpu():
    """The CPU this thread runs on: field 39 of /proc/thread-self/stat."""
    try:
        with open("/proc/thread-self/stat", "rb") as f:
            s = f.read()
        return int(s[s.rindex(b")") + 2:].split()[36])
    except (OSError, ValueError, IndexError):
        return -1


def _sched():
    """(run delay ns, voluntary, involuntary switches) of this thread, as
    executors/worker.c reads them; None where unreadable."""
    try:
        with open("/proc/thread-self/schedstat", "rb") as f:
            delay = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        delay = None
    try:
        ru = resource.getrusage(resource.RUSAGE_THREAD)
        return delay, ru.ru_nvcsw, ru.ru_nivcsw
    except (AttributeError, OSError, ValueError):
        return delay, None, None


def _delta(a, b):
    return None if a is None or b is None else a - b


def _pin(pu):
    if pu < 0:
        return False
    try:
        os.sched_setaffinity(0, {pu})  # pid 0: the calling thread on Linux
        return True
    except (OSError, AttributeError, ValueError):
        return False


class _Stats:
    __slots__ = ("index", "pu", "pinned", "tasks", "busy", "cpu0",
                 "cpu_first", "sched0", "last", "task_cpu")

    def reset(self):
        self.tasks = 0
        self.busy = 0.0
        self.last = None  # the last task's end
        self.task_cpu = None  # thread CPU inside tasks (threads: _TimedGil)
        self.cpu0 = time.thread_time()
        self.cpu_first = -1
        self.sched0 = _sched()

    def report(self):
        now = _sched()
        delay = _delta(now[0], self.sched0[0])
        d = {"index": self.index, "pid": os.getpid(), "tasks": self.tasks,
             "busy_s": self.busy, "cpu_s": time.thread_time() - self.cpu0,
             # the last task's end (perf_counter: CLOCK_MONOTONIC, one
             # clock for every process here); sample() makes it span_s
             "last_t": self.last,
             # threads: time in tasks off the CPU and not runnable-waiting
             # is time waiting for the GIL (docs/EFFICIENCY.md)
             "lock_wait_s": (None if self.task_cpu is None else
                             max(0.0, self.busy - self.task_cpu -
                                 (delay or 0) / 1e9)),
             "cpu_first": self.cpu_first, "cpu_last": _cpu(),
             "pu": self.pu, "pinned": self.pinned,
             "run_delay_s": None if delay is None else delay / 1e9,
             "csw_voluntary": _delta(now[1], self.sched0[1]),
             "csw_involuntary": _delta(now[2], self.sched0[2])}
        self.reset()
        return d


class _Counter:
    """Hands out worker indices to threads (processes use a shared Value)."""

    def __init__(self):
        self.lock, self.value = threading.Lock(), 0

    def take(self):
        with self.lock:
            self.value += 1
            return self.value - 1


def _take_index(counter):
    if isinstance(counter, _Counter):
        return counter.take()
    with counter.get_lock():
        counter.value += 1
        return counter.value - 1


def _init_worker(barrier, counter, pus, is_process):
    """Pool initializer: index, pin, zero the counters."""
    global _BARRIER
    _BARRIER = barrier
    if is_process:
        try:  # a forked worker must not hold corebench's channel open
            os.close(CHANNEL_FD)
        except OSError:
            pass
    st = _Stats()
    st.index = _take_index(counter)
    st.pu = pus[st.index] if st.index < len(pus) else -1
    st.pinned = _pin(st.pu)
    st.reset()
    _TL.st = st


def _hello():
    _BARRIER.wait(BARRIER_TIMEOUT_S)


def _report():
    _BARRIER.wait(BARRIER_TIMEOUT_S)  # one report per worker
    return _TL.st.report()


class _Timed:
    """The task function, counting per worker: what a worker did."""
    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, *args):
        st = _TL.st
        if st.cpu_first < 0:
            st.cpu_first = _cpu()
        t = time.perf_counter()
        r = self.fn(*args)
        st.last = time.perf_counter()
        st.busy += st.last - t
        st.tasks += 1
        return r


class _TimedGil(_Timed):
    """The task function under threads: also the task's thread CPU time,
    so that the wall time a task spent off the CPU (waiting for the GIL,
    or for a CPU: run delay) is known."""
    __slots__ = ()

    def __call__(self, *args):
        st = _TL.st
        c = time.thread_time()
        r = _Timed.__call__(self, *args)
        st.task_cpu = (st.task_cpu or 0.0) + time.thread_time() - c
        return r


# ---- fault injection (tests only: CB_INJECT, as executors/inject.c) ------

_INJ = [0, 0]  # tasks run in this process, fired
_INJ_LOCK = threading.Lock()


def _inject_spec():
    v = os.environ.get("CB_INJECT", "")
    kind, _, where = v.partition("@")
    key, _, n = where.partition("=")
    if kind not in ("crash", "hang", "wrong", "exit", "stop") or \
            key not in ("task", "worker") or not n.isdigit():
        return None
    return kind, key == "worker", int(n)


class _Inject:
    """The task function, with CB_INJECT's fault after the chosen task."""
    __slots__ = ("fn", "spec")

    def __init__(self, fn, spec):
        self.fn, self.spec = fn, spec

    def __call__(self, *args):
        r = self.fn(*args)
        kind, by_worker, n = self.spec
        st = getattr(_TL, "st", None)
        with _INJ_LOCK:
            k, _INJ[0] = _INJ[0], _INJ[0] + 1
            hit = (not _INJ[1] and (st.index if st else 0) == n) \
                if by_worker else k == n
            _INJ[1] |= hit
        if not hit:
            return r
        if kind == "crash":  # SIGSEGV's default action: CPython sets none
            os.kill(os.getpid(), signal.SIGSEGV)
        elif kind == "hang":
            while True:
                time.sleep(3600)
        elif kind == "exit":
            os._exit(3)
        elif kind == "stop":
            os.kill(os.getpid(), signal.SIGSTOP)
        return _corrupted(r)


def _run_chunk(fn, chunk):
    """The seeds' manual chunking: one call runs a whole slice."""
    return [fn(*a) for a in chunk]


# ---- the parent side -------------------------------------------------------

class Config:
    def __init__(self, argv):
        if len(argv) < 7:
            raise ValueError("usage: pyexec.py MODE WORKERS CHUNKSIZE "
                             "SWITCH_US PUS KERNEL SIZE [KEY=VALUE...]")
        self.mode = argv[0]
        if self.mode not in ("serial", "threads", "processes",
                             "processes-chunked"):
            raise ValueError("unknown mode %r" % self.mode)
        self.workers = int(argv[1])
        self.chunksize = int(argv[2])
        self.switch_us = int(argv[3])
        self.pus = [] if argv[4] == "-" else [int(x) for x in
                                              argv[4].split(",")]
        self.kernel, self.size = argv[5], argv[6]
        self.params = dict(kv.split("=", 1) for kv in argv[7:])
        if self.workers < 1 or self.chunksize < 1 or self.switch_us < 1:
            raise ValueError("workers, chunksize and switch interval must "
                             "be positive")


def _pool(cfg):
    """A fresh pool and what its workers share."""
    n = cfg.workers
    if cfg.mode == "threads":
        barrier, counter = threading.Barrier(n), _Counter()
        return cf.ThreadPoolExecutor(
            max_workers=n, initializer=_init_worker,
            initargs=(barrier, counter, cfg.pus, False))
    ctx = multiprocessing.get_context()  # the interpreter's default
    barrier, counter = ctx.Barrier(n), ctx.Value("i", 0)
    return cf.ProcessPoolExecutor(
        max_workers=n, mp_context=ctx, initializer=_init_worker,
        initargs=(barrier, counter, cfg.pus, True))


def _map(cfg, ex, fn, args, done=None):
    if cfg.mode == "threads":
        # ThreadPoolExecutor.map takes a chunksize and ignores it
        return list(ex.map(fn, *zip(*args)))
    if cfg.mode == "processes":
        return list(ex.map(fn, *zip(*args), chunksize=cfg.chunksize))
    # processes-chunked: one contiguous slice per worker, as_completed
    q = math.ceil(len(args) / cfg.workers)
    futures = {ex.submit(_run_chunk, fn, args[i:i + q]): i
               for i in range(0, len(args), q)}
    out = [None] * len(args)
    for f in cf.as_completed(futures):
        i = futures[f]
        out[i:i + q] = f.result()
        # when the parent holds this slice's results, unpickled: its part
        # of the map ends here, not at the worker's last task
        if done is not None:
            done.append(time.perf_counter())
    return out


def _shipped(cfg, fn, args, results):
    """Bytes pickled into and out of the workers for one map: the payload
    of every call and result item (their small wrappers left out)."""
    if cfg.mode == "processes":
        q = cfg.chunksize
        call = functools.partial(cf.process._process_chunk, fn)
        calls = ((call, (tuple(args[i:i + q]),), {})
                 for i in range(0, len(args), q))
    else:
        q = math.ceil(len(args) / cfg.workers)
        calls = ((_run_chunk, (fn, args[i:i + q]), {})
                 for i in range(0, len(args), q))
    to = sum(len(pickle.dumps(c)) for c in calls)
    back = sum(len(pickle.dumps(results[i:i + q]))
               for i in range(0, len(results), q))
    return to, back


def sample(cfg, fn, args, cache):
    """One start/map/stop, timed in parts. Returns (results, header)."""
    clock = time.perf_counter
    if cfg.mode == "serial":
        st = _Stats()
        st.index, st.pu = 0, cfg.pus[0] if cfg.pus else -1
        st.pinned = cache.setdefault("pinned", _pin(st.pu))
        st.reset()
        st.cpu_first = _cpu()
        t0 = clock()
        results = list(map(fn, *zip(*args)))  # seed 003's serial run
        t1 = clock()
        st.tasks, st.busy = len(args), t1 - t0
        return results, {"start_s": 0.0, "map_s": t1 - t0, "stop_s": 0.0,
                         "workers": [st.report()], "bytes_to": 0,
                         "bytes_from": 0, "chunksize": None}
    timed = _TimedGil(fn) if cfg.mode == "threads" else _Timed(fn)
    t0 = clock()
    ex = _pool(cfg)
    try:
        for f in [ex.submit(_hello) for _ in range(cfg.workers)]:
            f.result()
        t1 = clock()
        done = []
        results = _map(cfg, ex, timed, args, done)
        t2 = clock()
        workers = [f.result() for f in
                   [ex.submit(_report) for _ in range(cfg.workers)]]
    except BaseException:
        ex.shutdown(wait=False, cancel_futures=True)
        raise
    t3 = clock()
    ex.shutdown(wait=True)
    t4 = clock()
    # processes-chunked ships each worker's slice back whole, and the
    # parent unpickles it after the worker's last task: the k-th slice to
    # arrive ends the part of the k-th worker to finish (docs/EFFICIENCY.md)
    ends = sorted((w for w in workers if w.get("last_t") is not None),
                  key=lambda w: w["last_t"])
    for w, t in zip(ends, sorted(done)):
        w["last_t"] = max(w["last_t"], t)
    workers.sort(key=lambda w: w["index"])
    for w in workers:
        # the worker's part of the map: from the map's start (the pool
        # handing out work) to its last task's end (docs/EFFICIENCY.md)
        last = w.pop("last_t", None)
        w["span_s"] = 0.0 if last is None else max(0.0, last - t1)
    if cfg.mode == "threads":
        to = back = 0
    else:
        if "shipped" not in cache:
            cache["shipped"] = _shipped(cfg, timed, args, results)
        to, back = cache["shipped"]
    cs = (cfg.chunksize if cfg.mode == "processes" else
          math.ceil(len(args) / cfg.workers) if cfg.mode != "threads"
          else 1)
    return results, {"start_s": t1 - t0, "map_s": t2 - t1,
                     "stop_s": t4 - t3, "workers": workers, "bytes_to": to,
                     "bytes_from": back, "chunksize": cs}


def _send(sock, obj, payload=b""):
    sock.sendall(json.dumps(obj).encode() + b"\n" + payload)


def serve(argv):
    sock = socket.socket(fileno=CHANNEL_FD)
    reader = sock.makefile("rb")
    try:
        cfg = Config(argv)
        fn, args = kernels.tasks(cfg.kernel, cfg.params, cfg.size)
        sys.setswitchinterval(cfg.switch_us / 1e6)
    except Exception as e:  # bad arguments: say so instead of a traceback
        _send(sock, {"ok": False, "error": "%s: %s" % (type(e).__name__, e)})
        return 1
    corrupt = int(os.environ.get("CB_PY_CORRUPT", "-1"))  # tests only
    spec = _inject_spec()
    if spec:
        fn = _Inject(fn, spec)
    _send(sock, {"ok": True, "pid": os.getpid(), "tasks": len(args)})
    cache = {}
    for line in reader:
        if line.strip() != b"map":
            _send(sock, {"ok": False, "error": "unknown request %r" % line})
            return 1
        try:
            results, head = sample(cfg, fn, args, cache)
            if 0 <= corrupt < len(results):
                results[corrupt] = _corrupted(results[corrupt])
            payload = kernels.encode(cfg.kernel, results)
        except Exception as e:
            _send(sock, {"ok": False, "error": "%s: %s" %
                         (type(e).__name__, e)})
            continue
        head.update(ok=True, len=len(payload))
        _send(sock, head, payload)
    return 0


def _corrupted(r):
    """A wrong result of the same shape (tests: C's verify must say no)."""
    if isinstance(r, int):
        return r + 1
    if isinstance(r, list):
        return r + [2]
    return tuple(r[:-1]) + (r[-1] + 1,)


def about():
    """Says what this interpreter is, on the channel."""
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    _send(socket.socket(fileno=CHANNEL_FD), {
        "executable": sys.executable,
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "gil_enabled": "true" if gil else "false",
        "start_method": multiprocessing.get_start_method(),
    })
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if sys.argv[1:] == ["--about"]:
        sys.exit(about())
    sys.exit(serve(sys.argv[1:]))
