#!/usr/bin/env python3
"""corebench's kernels in pure Python, for CPython's concurrent.futures.

The same tasks as kernels/*.c, written the way the seeds wrote them, so that
CPython can run the identical workload (the py-threads / py-processes
executors): gcd counting down from min(a, b) (seed 003), factorize_naive
(seed 002) and compute_sum materializing range(start, stop) as a list
(seed 004), plus sum-shipped, sleep, empty and convoy.

Workloads are rebuilt from the *resolved* parameters a C prepare() records
(w->size plus w->params, e.g. {"n": "112", "lo": "1000000", "hi": "4000000",
"seed": "1"}), never from size presets, so the two languages cannot drift:
the C kernel is the one place where presets live. The gcd pairs come from the
same splitmix64 generator as kernels/plugin.h.

Stdlib only. `python3 python/kernels.py --check` runs a self-test against
known values (some shared with tests/test_kernels.c).
"""

import math
import struct
import sys
import time

MASK64 = (1 << 64) - 1

# seed 003's pairs: `--size seed` of the gcd kernel
SEED_PAIRS = [(1963309, 2265973), (2030677, 3814172),
              (1551645, 2229620), (2039045, 2020802)]


class SplitMix64:
    """splitmix64, bit for bit as cb_splitmix64() in kernels/plugin.h."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)


# ---- the tasks, as the seeds wrote them ---------------------------------

def gcd(pair):
    """Seed 003: trial division counting down from min(a, b)."""
    a, b = pair
    low = min(a, b)
    for i in range(low, 0, -1):
        if a % i == 0 and b % i == 0:
            return i


def factorize_naive(n):
    """Seed 002: a naive factorization method. Take integer 'n', return
    list of factors."""
    if n < 2:
        return []
    factors = []
    p = 2

    while True:
        if n == 1:
            return factors

        r = n % p
        if r == 0:
            factors.append(p)
            n = n // p
        elif p * p >= n:
            factors.append(n)
            return factors
        elif p > 2:
            # Advance in steps of 2 over odd numbers
            p += 2
        else:
            # If p == 2, get to 3
            p += 1
    assert False, "unreachable"


def compute_sum(start, stop):
    """Seed 004: materialize the chunk as a list, then sum it."""
    arr = [i for i in range(start, stop)]
    return sum(arr)


def sum_shipped(chunk):
    """sum-shipped: the parent built the chunk; the task only sums it, so a
    process pool pickles every element on the way in."""
    return sum(chunk)


def sleep_task(index, us):
    """sleep: block (releasing the GIL) and echo the 1-based task number."""
    time.sleep(us / 1e6)
    return index


def empty_task(index):
    """empty: pure dispatch cost; echo the 1-based task number."""
    return index


CONVOY_BOUND = 2000  # as kernels/convoy.c


def count_primes(bound):
    """Primes below bound by trial division: one CPU batch of convoy."""
    count = 0
    for n in range(2, bound):
        d = 2
        while d * d <= n:
            if n % d == 0:
                break
            d += 1
        else:
            count += 1
    return count


def convoy_task(index, us, ms):
    """convoy: task 0 blocks `us` microseconds at a time (time.sleep drops
    the GIL) until `ms` milliseconds have passed; the others count primes
    for as long. Returns the six numbers of kernels/convoy.c's output
    record: role, count, elapsed ns, lo, hi, index."""
    start = time.perf_counter_ns()
    now, deadline = start, start + ms * 1000000
    if index == 0:
        ops, lo, hi = 0, None, 0
        while now < deadline:
            t = now
            time.sleep(us / 1e6)
            now = time.perf_counter_ns()
            dt = now - t
            ops += 1
            lo = dt if lo is None or dt < lo else lo
            hi = dt if dt > hi else hi
        return (0, ops, now - start, lo or 0, hi, index)
    batches = primes = 0
    while now < deadline:
        primes = count_primes(CONVOY_BOUND)
        batches += 1
        now = time.perf_counter_ns()
    return (1, batches, now - start, primes, 0, index)


# ---- inputs, from resolved parameters ----------------------------------

def gcd_pairs(n, seed, lo, hi):
    """The gcd kernel's generator: a = lo + next() % (hi - lo + 1), then b."""
    rng = SplitMix64(seed)
    span = hi - lo + 1
    pairs = []
    for _ in range(n):
        a = lo + rng.next() % span
        b = lo + rng.next() % span
        pairs.append((a, b))
    return pairs


def chunk_bounds(elements, chunks):
    """Chunk i is [i*E//C, (i+1)*E//C): seed 004's steps when C divides E."""
    return [(i * elements // chunks, (i + 1) * elements // chunks)
            for i in range(chunks)]


def closed_sum(start, stop):
    """sum(range(start, stop)) without building it."""
    return (start + stop - 1) * (stop - start) // 2 if stop > start else 0


def _u64(v):
    return v & MASK64


def _sieve_count(bound):
    comp = bytearray(bound)
    count = 0
    for i in range(2, bound):
        if not comp[i]:
            count += 1
            comp[i * i::i] = b"\1" * len(range(i * i, bound, i))
    return count


def _is_prime(n):
    """Deterministic Miller-Rabin for n < 3.3e24 (first 12 prime bases)."""
    bases = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
    if n < 2:
        return False
    for b in bases:
        if n % b == 0:
            return n == b
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for b in bases:
        x = pow(b, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


# ---- the kernels: one entry each ------------------------------------------

FZ_MAX_FACTORS = 64


class Kernel:
    """One kernel of kernels/*.c in Python, everything about it together:

    tasks(p, size): (function, list of argument tuples) for one map, from
        the C kernel's resolved params `p` (ints); `size` matters only for
        gcd's `seed` preset, whose pairs are not generated.
    out_size, fields(result): the C kernel's output record, out_size bytes
        of little-endian uint64 fields (as on every machine corebench runs
        on: x86-64, arm64), and the tuple of those fields for one result.
    check(i, args, result): task i's result is right, computed
        independently of the task function, as the C verify() does.
    example: (size, resolved params) of a small map for the self-test.

    A new kernel is its C file, its line in kernels/registry.c and one
    entry in KERNELS (docs/ARCHITECTURE.md)."""

    def __init__(self, name, tasks, out_size, fields, check, example):
        self.name, self.tasks, self.out_size = name, tasks, out_size
        self.fields, self.check, self.example = fields, check, example


def _echo_check(i, a, r):
    """sleep, empty: the 1-based task number comes back."""
    return r == i + 1


def _convoy_check(i, a, r):
    role, count, elapsed, lo, hi, index = r
    return index == i and role == (i != 0) and count >= 1 and \
        elapsed >= a[2] * 1000000 and \
        (lo >= a[1] * 1000 and hi >= lo if i == 0 else
         lo == _sieve_count(CONVOY_BOUND))


KERNELS = {k.name: k for k in (
    Kernel("gcd",
           tasks=lambda p, size: (gcd, [(pair,) for pair in (
               SEED_PAIRS if size == "seed" else
               gcd_pairs(p["n"], p["seed"], p["lo"], p["hi"]))]),
           out_size=8, fields=lambda r: (r,),
           check=lambda i, a, r: r == math.gcd(*a[0]),
           example=("tiny", {"n": "8", "lo": "1000", "hi": "4000",
                             "seed": "42"})),
    Kernel("factorize",
           tasks=lambda p, size: (factorize_naive, [
               (v,) for v in range(p["start"], p["start"] + p["n"])]),
           out_size=8 * (1 + FZ_MAX_FACTORS),
           fields=lambda r: ((len(r),) + tuple(r) +
                             (0,) * (FZ_MAX_FACTORS - len(r))),
           check=lambda i, a, r: (
               (math.prod(r) == a[0] if a[0] >= 2 else r == []) and
               all(map(_is_prime, r)) and r == sorted(r)),
           example=("tiny", {"start": "1000000", "n": "200", "seed": "0"})),
    Kernel("sum",
           tasks=lambda p, size: (compute_sum, chunk_bounds(p["elements"],
                                                            p["chunks"])),
           out_size=16, fields=lambda r: (_u64(r), 0),
           check=lambda i, a, r: r == closed_sum(*a),
           example=("tiny", {"elements": "100000", "chunks": "100",
                             "seed": "0"})),
    Kernel("sum-shipped",
           tasks=lambda p, size: (sum_shipped, [
               (list(range(a, b)),) for a, b in
               chunk_bounds(p["elements"], p["chunks"])]),
           out_size=8, fields=lambda r: (_u64(r),),
           check=lambda i, a, r: (r == closed_sum(a[0][0], a[0][-1] + 1)
                                  if a[0] else r == 0),
           example=("tiny", {"elements": "10000", "chunks": "100",
                             "seed": "0"})),
    Kernel("sleep",
           tasks=lambda p, size: (sleep_task, [(i + 1, p["us"])
                                               for i in range(p["n"])]),
           out_size=8, fields=lambda r: (r,), check=_echo_check,
           example=("tiny", {"n": "8", "us": "100", "seed": "0"})),
    Kernel("empty",
           tasks=lambda p, size: (empty_task, [(i + 1,)
                                               for i in range(p["n"])]),
           out_size=8, fields=lambda r: (r,), check=_echo_check,
           example=("tiny", {"n": "1000", "seed": "0"})),
    Kernel("convoy",
           tasks=lambda p, size: (convoy_task, [(i, p["us"], p["ms"])
                                                for i in range(p["n"])]),
           out_size=48, fields=lambda r: r, check=_convoy_check,
           example=("tiny", {"n": "2", "us": "50", "ms": "5", "seed": "0"})),
)}


def _kernel(name):
    try:
        return KERNELS[name]
    except KeyError:
        raise ValueError("unknown kernel %r (accepted: %s)" %
                         (name, ", ".join(sorted(KERNELS)))) from None


def tasks(kernel, params, size="default"):
    """(function, list of argument tuples) for one map of `kernel`, from the
    resolved params of the C kernel (string or int values)."""
    return _kernel(kernel).tasks({k: int(v) for k, v in params.items()},
                                 size)


def encode(kernel, results):
    """The C kernel's output records for `results`, as bytes: what its
    verify() checks."""
    k = _kernel(kernel)
    rec = struct.Struct("<%dQ" % (k.out_size // 8))
    return b"".join(rec.pack(*k.fields(r)) for r in results)


def verify(kernel, args, results):
    """Checks results independently of the task functions, as the C
    verify() does; raises AssertionError naming the first bad task."""
    check = _kernel(kernel).check
    assert len(args) == len(results), "%d results for %d tasks" % (
        len(results), len(args))
    for i, (a, r) in enumerate(zip(args, results)):
        assert check(i, a, r), "%s task %d: %r -> %r" % (kernel, i, a, r)


# ---- self-test --------------------------------------------------------------

def check():
    fails = []

    def expect(cond, what):
        if not cond:
            fails.append(what)

    # the reference splitmix64 stream for seed 0
    rng = SplitMix64(0)
    expect(rng.next() == 0xE220A8397B1DCDAF, "splitmix64(0) first output")
    expect(rng.next() == 0x6E789E6AA1B965F4, "splitmix64(0) second output")
    # the same constants tests/test_kernels.c checks on the C generator
    expect(gcd_pairs(4, 12345, 10**6, 4 * 10**6) ==
           [(1157972, 1741510), (1433531, 1698071),
            (1619453, 3165458), (2049438, 1287792)], "gcd generator")
    expect([gcd(p) for p in SEED_PAIRS] == [1, 1, 5, 1], "seed 003 gcds")
    expect(all(gcd(p) == math.gcd(*p) for p in gcd_pairs(8, 1, 1000, 4000)),
           "gcd vs math.gcd")
    known = {0: [], 1: [], 2: [2], 1024: [2] * 10,
             600851475143: [71, 839, 1471, 6857],
             999999000001: [999999000001],
             1000000068700: [2, 2, 5, 5, 1471, 6798097],
             10**12: [2] * 12 + [5] * 12}
    for n, f in known.items():
        expect(factorize_naive(n) == f, "factorize_naive(%d)" % n)
    expect(compute_sum(0, 10**5) == closed_sum(0, 10**5), "compute_sum")
    expect(chunk_bounds(10, 3) == [(0, 3), (3, 6), (6, 10)], "chunk_bounds")
    seed_chunks = chunk_bounds(10**9, 100)
    expect(seed_chunks[0] == (0, 10**7) and
           seed_chunks[-1] == (99 * 10**7, 10**9), "seed 004 chunks")
    expect(sum(closed_sum(a, b) for a, b in seed_chunks) ==
           499999999500000000, "seed 004 total")
    # every kernel end to end on its example's resolved params
    for kernel, k in KERNELS.items():
        size, params = k.example
        fn, args = tasks(kernel, params, size)
        results = [fn(*a) for a in args]
        try:
            verify(kernel, args, results)
        except AssertionError as e:
            fails.append(str(e))
        expect(len(encode(kernel, results)) == len(args) * k.out_size,
               "%s encoding" % kernel)
    expect(count_primes(CONVOY_BOUND) == _sieve_count(CONVOY_BOUND) == 303,
           "primes below 2000")
    expect(encode("factorize", [[2, 3]])[:24] ==
           struct.pack("<3Q", 2, 2, 3), "factorize record layout")
    expect(encode("sum", [2 ** 64 + 5]) == struct.pack("<2Q", 5, 0),
           "sum reduced mod 2^64")
    fn, args = tasks("gcd", {"n": "4", "seed": "0"}, "seed")
    expect([fn(*a) for a in args] == [1, 1, 5, 1], "gcd seed preset")
    try:
        verify("empty", [(1,), (2,)], [2, 1])
        fails.append("verify accepted swapped outputs")
    except AssertionError:
        pass

    for f in fails:
        print("FAIL", f)
    print("%d failed" % len(fails) if fails else "python kernels: all checks "
          "passed")
    return 1 if fails else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(check())
    print("usage: %s --check" % sys.argv[0], file=sys.stderr)
    sys.exit(2)
