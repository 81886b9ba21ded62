/* convoy: one I/O-bound task beside CPU-bound ones, the case that the
 * advice "threads are fine for I/O" misses (CPython bpo-7946, gh-90204).
 *
 * Task 0 blocks `us` microseconds at a time (nanosleep inside a blocking
 * section, as the sleep kernel does: Py_BEGIN/END_ALLOW_THREADS) again and
 * again until `ms` milliseconds have passed, and counts its operations.
 * Tasks 1..n-1 run CPU-bound batches for the same `ms` (each batch counts
 * the primes below CONVOY_BOUND by trial division, a checkpoint on every
 * back edge). Under a GIL every return from a blocking call must take the
 * lock back, and a CPU-bound holder gives it up only when asked, after a
 * switch interval: the I/O task's time per operation grows from ~us to
 * ~the switch interval. C threads and processes leave it alone.
 *
 * Tasks run for a fixed time, so a map's time is no figure of merit (serial
 * runs them one after the other); metrics() is: io_op_s, the I/O task's
 * mean time per operation. Divided by the same runtime's serial baseline
 * (where the I/O task runs alone) it is the convoy slowdown.
 *
 * Input record:  { uint64 task index, 0-based }
 * Output record: { uint64 role (0 I/O, 1 CPU), uint64 count (operations or
 *                  batches), uint64 elapsed_ns, uint64 lo, uint64 hi,
 *                  uint64 index }
 *                I/O: lo/hi = shortest/longest operation in ns;
 *                CPU: lo = primes the last batch counted, hi = 0.
 *                python/kernels.py returns the same six numbers.
 *
 * Sizes (n, us, ms): tiny 2, 50, 20; small 2, 50, 100; default 2, 50, 200;
 * large 4, 50, 500; seed = default (seeds 000/001 only say "threads are
 * still useful for I/O"). n = 2 is one I/O task and one CPU task: run it
 * at 2 workers; with more workers than tasks the extra workers idle, with
 * fewer the CPU tasks queue behind each other.
 * Params: n, us, ms, seed (accepted and recorded; nothing random). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel.h"

/* Primes below this bound per CPU batch: ~40 us in C, ~2 ms in CPython on
 * the development machine, short beside `ms` so the deadline is kept to
 * within a batch. */
#define CONVOY_BOUND 2000
#define CONVOY_MAX_US UINT64_C(1000000)
#define CONVOY_MAX_MS UINT64_C(60000)
#define CONVOY_MAX_N UINT64_C(4096)

const struct cb_kernel cb_kernel_convoy;

static const char convoy_params[] = "seed,n,us,ms";

struct convoy_out {
    uint64_t role, count, elapsed_ns, lo, hi, index;
};

struct convoy_state {
    uint64_t us, ms;
};

static const uint64_t convoy_n[] = {
    [CB_SIZE_TINY] = 2,    [CB_SIZE_SMALL] = 2, [CB_SIZE_DEFAULT] = 2,
    [CB_SIZE_LARGE] = 4,   [CB_SIZE_SEED] = 2,
};
static const uint64_t convoy_ms[] = {
    [CB_SIZE_TINY] = 20,   [CB_SIZE_SMALL] = 100, [CB_SIZE_DEFAULT] = 200,
    [CB_SIZE_LARGE] = 500, [CB_SIZE_SEED] = 200,
};

static uint64_t convoy_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int convoy_prepare(struct cb_workload *w, const struct cb_params *p,
                          struct cb_error *e)
{
    uint64_t seed, n, us, ms, *in;
    struct convoy_state *st;
    int preset, rc;

    if ((preset = cb_prepare_begin(w, &cb_kernel_convoy, p, &seed, e)) < 0)
        return preset;
    if ((rc = cb_params_u64(p, "n", convoy_n[preset], 1, CONVOY_MAX_N, &n,
                            e)) < 0 ||
        (rc = cb_params_u64(p, "us", 50, 1, CONVOY_MAX_US, &us, e)) < 0 ||
        (rc = cb_params_u64(p, "ms", convoy_ms[preset], 1, CONVOY_MAX_MS,
                            &ms, e)) < 0)
        return rc;
    /* n is capped at CONVOY_MAX_N, but every kernel asks the same way */
    if ((rc = cb_workload_fits("convoy", "n", n,
                               sizeof *in + sizeof(struct convoy_out), e)))
        return rc;
    in = malloc((size_t)n * sizeof *in);
    st = malloc(sizeof *st);
    if (!in || !st) {
        free(in);
        free(st);
        return CB_FAIL(e, CB_ENOMEM, "convoy: no memory for %" PRIu64
                       " tasks", n);
    }
    for (uint64_t i = 0; i < n; i++)
        in[i] = i;
    st->us = us;
    st->ms = ms;
    w->n = (size_t)n;
    w->in_size = sizeof(uint64_t);
    w->out_size = sizeof(struct convoy_out);
    w->in = in;
    w->state = st;
    cb_workload_param(w, "n", "%" PRIu64, n);
    cb_workload_param(w, "us", "%" PRIu64, us);
    cb_workload_param(w, "ms", "%" PRIu64, ms);
    cb_workload_param(w, "seed", "%" PRIu64, seed);
    w->work = (double)n; /* the figure of merit is metrics(), not a rate */
    w->work_unit = "tasks";
    return 0;
}

/* Primes below `bound` by trial division; the checkpoint is the loop's
 * back edge, where CPython's eval loop would look at its eval breaker. */
static uint64_t convoy_primes(uint64_t bound, struct cb_ctx *ctx)
{
    uint64_t count = 0;
    for (uint64_t n = 2; n < bound; n++) {
        uint64_t d = 2;
        for (; d * d <= n; d++) {
            cb_checkpoint(ctx);
            if (n % d == 0)
                break;
        }
        count += d * d > n;
    }
    return count;
}

static void convoy_run(const struct cb_workload *w, const void *in, void *out,
                       struct cb_ctx *ctx)
{
    const struct convoy_state *st = w->state;
    struct convoy_out o = {0};
    uint64_t start = convoy_ns(), now = start;
    uint64_t deadline = start + st->ms * 1000000u;
    memcpy(&o.index, in, sizeof o.index);
    o.role = o.index != 0;
    if (o.role == 0) {
        struct timespec ts = {(time_t)(st->us / 1000000),
                              (long)(st->us % 1000000) * 1000};
        o.lo = UINT64_MAX;
        while (now < deadline) {
            uint64_t t = now, dt;
            struct timespec left = ts;
            cb_blocking_begin(ctx);
            while (nanosleep(&left, &left) != 0 && errno == EINTR)
                ;
            cb_blocking_end(ctx);
            now = convoy_ns();
            dt = now - t;
            o.count++;
            o.lo = dt < o.lo ? dt : o.lo;
            o.hi = dt > o.hi ? dt : o.hi;
        }
    } else {
        while (now < deadline) {
            o.lo = convoy_primes(CONVOY_BOUND, ctx);
            o.count++;
            now = convoy_ns();
        }
    }
    o.elapsed_ns = now - start;
    memcpy(out, &o, sizeof o);
}

/* The independent count: a sieve, not trial division. */
static uint64_t convoy_sieve(uint64_t bound)
{
    unsigned char comp[CONVOY_BOUND] = {0};
    uint64_t count = 0;
    for (uint64_t i = 2; i < bound; i++) {
        if (comp[i])
            continue;
        count++;
        for (uint64_t j = i * i; j < bound; j += i)
            comp[j] = 1;
    }
    return count;
}

static int convoy_verify(const struct cb_workload *w, const void *outs,
                         struct cb_error *e)
{
    const struct convoy_state *st = w->state;
    uint64_t window = st->ms * 1000000u, primes = convoy_sieve(CONVOY_BOUND);
    for (size_t i = 0; i < w->n; i++) {
        struct convoy_out o;
        memcpy(&o, (const char *)outs + i * w->out_size, sizeof o);
        if (o.index != i || o.role != (i != 0))
            return CB_FAIL(e, CB_EVERIFY, "convoy task %zu: output of task "
                           "%" PRIu64 " (role %" PRIu64 ")", i, o.index,
                           o.role);
        if (o.count == 0 || o.elapsed_ns < window)
            return CB_FAIL(e, CB_EVERIFY, "convoy task %zu: %" PRIu64
                           " %s in %" PRIu64 " ns, window %" PRIu64 " ns", i,
                           o.count, i ? "batches" : "operations",
                           o.elapsed_ns, window);
        if (i == 0 &&
            (o.lo < st->us * 1000u || o.hi < o.lo ||
             o.elapsed_ns / o.count < o.lo || o.hi > o.elapsed_ns))
            return CB_FAIL(e, CB_EVERIFY, "convoy I/O task: %" PRIu64
                           " operations of %" PRIu64 "..%" PRIu64 " ns in %"
                           PRIu64 " ns do not add up (each blocks at least %"
                           PRIu64 " us)", o.count, o.lo, o.hi, o.elapsed_ns,
                           st->us);
        if (i != 0 && (o.lo != primes || o.hi != 0))
            return CB_FAIL(e, CB_EVERIFY, "convoy CPU task %zu counted %"
                           PRIu64 " primes below %d, the sieve says %" PRIu64,
                           i, o.lo, CONVOY_BOUND, primes);
    }
    return 0;
}

static int convoy_metrics(const struct cb_workload *w, const void *outs,
                          struct cb_metric *m, int max)
{
    struct convoy_out o;
    uint64_t batches = 0;
    if (max < 2 || w->n == 0)
        return 0;
    for (size_t i = 1; i < w->n; i++) {
        memcpy(&o, (const char *)outs + i * w->out_size, sizeof o);
        batches += o.count;
    }
    memcpy(&o, outs, sizeof o);
    m[0] = (struct cb_metric){"io_op_s", "s", "the I/O task's mean time per "
                              "blocking operation",
                              o.count ? 1e-9 * (double)o.elapsed_ns /
                                            (double)o.count : 0};
    m[1] = (struct cb_metric){"cpu_batches", "batches", "CPU batches done by "
                              "the other tasks in their window",
                              (double)batches};
    return 2;
}

const struct cb_kernel cb_kernel_convoy = {
    .name = "convoy",
    .summary = "one task blocking `us` at a time beside CPU tasks, `ms` each",
    .flags = CB_KERNEL_TIMED, /* only task 0 blocks: not CB_KERNEL_BLOCKS */
    .param_help = convoy_params,
    .prepare = convoy_prepare,
    .run = convoy_run,
    .verify = convoy_verify,
    .metrics = convoy_metrics,
    .release = cb_workload_release,
};
