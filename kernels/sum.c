/* sum and sum-shipped: seed 004's compute_sum(start, stop), which builds
 * the list range(start, stop) and sums it; the range 0..elements is split
 * into `chunks` tasks.
 *
 * sum: a task carries only {start, stop}. run() materializes the chunk as
 *   an array of uint64 (malloc, fill, sum, free) because the memory traffic
 *   is the point: the kernel is bound by memory bandwidth and page faults,
 *   not by arithmetic, and bytes_touched lets the report compare with the
 *   machine's bandwidth. Every executor ships 16 bytes per task.
 *
 * sum-shipped: prepare() materializes the data in the parent and every
 *   input record carries its chunk, so executors that copy inputs (process
 *   pools) pay for every byte, while shared-memory ones do not: seed 003's
 *   "high-leverage vs low-leverage" point. run() only sums what it was
 *   given.
 *
 * Chunk i covers [floor(i*E/C), floor((i+1)*E/C)) for E elements and C
 * chunks, so chunk lengths differ by at most one; with the seed's 1e9 and
 * 100 this is exactly its steps of 1e7. Outputs are checked against the
 * closed form (a + b - 1)(b - a)/2 per chunk, computed in 128 bits and
 * reduced mod 2^64 like the sums themselves, and the total is checked too.
 *
 * Sizes, sum (elements, chunks):
 *   tiny 1e5, 100; small 2.4e7, 100; default 2.4e8, 100 (~0.4 s serial);
 *   large 9.6e8, 400 (default's chunk size, 4x the tasks); seed 1e9, 100
 *   (seed 004: 0..1e9 in 100 steps of 1e7).
 *   tiny..large are capped so that 64 workers each holding one chunk stay
 *   under half of physical memory; seed is not capped (80 MB per chunk).
 *   Allocation is glibc's business, as the seed's is CPython's: chunks under
 *   32 MB (glibc's largest dynamic mmap threshold) are served from heap
 *   memory reused task after task, so default and large measure fill + sum
 *   traffic; the seed's 80 MB chunks are mapped fresh per task and pay a
 *   page fault per 4 KB, ~5x the time per element on the development VM
 *   (~7 s serial).
 * Sizes, sum-shipped (elements, chunks):
 *   tiny 1e4, 100; small 4e5, 100; default 4e6, 100 (32 MB shipped,
 *   ~4 ms serial); large 1.6e7, 100 (128 MB); seed 4e6, 100: the seed's
 *   1e9 elements would be 8 GB of input records, so seed keeps its 100
 *   chunks at the default volume (ask for --param elements=1e9 explicitly
 *   if you mean it).
 * Params: elements, chunks, seed (accepted and recorded; nothing random). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel.h"

/* Calibrated on the development machine (2-core AMD EPYC Zen 3 VM, 32 MB
 * L3, 23 GB, gcc 12 -O2): 2.4e8 elements in 100 chunks of 19.2 MB take
 * ~0.4 s serial, ~1.6 ns per element for the fill and the sum. */
#define SUM_DEFAULT_ELEMENTS UINT64_C(240000000)
#define SUM_SEED_ELEMENTS UINT64_C(1000000000)
#define SUM_CHUNKS 100
#define SHIP_DEFAULT_ELEMENTS UINT64_C(4000000)
/* The "generous worker count" of the memory cap on presets. */
#define SUM_CAP_WORKERS 64
/* Elements between two checkpoints: keeps the fill and sum loops
 * vectorized while still giving an emulated GIL a back edge every few
 * microseconds. */
#define SUM_BLOCK 4096

const struct cb_kernel cb_kernel_sum, cb_kernel_sum_shipped;

struct sum_in {
    uint64_t start, stop;
};
/* failed: run() could not allocate its chunk; verify reports it rather
 * than the harness trusting a sum computed some other way. */
struct sum_out {
    uint64_t sum;
    uint64_t failed;
};
/* Header of a sum-shipped input record; len values follow. */
struct ship_hdr {
    uint64_t start, len;
};
struct sum_state {
    uint64_t elements, chunks;
};

static const char sum_params[] = "seed,elements,chunks";

static uint64_t sum_chunk_lo(const struct sum_state *s, uint64_t i)
{
    return (uint64_t)((unsigned __int128)i * s->elements / s->chunks);
}

/* sum of start..stop-1, mod 2^64 */
static uint64_t sum_closed(uint64_t start, uint64_t stop)
{
    unsigned __int128 n = stop - start;
    if (n == 0)
        return 0;
    return (uint64_t)(((unsigned __int128)start + stop - 1) * n / 2);
}

/* Starts prepare() for both kernels: resolves the size preset and the
 * params. `ship` selects the sum-shipped presets. Fills *st and *seed, or
 * fails with CB_EUSAGE. */
static int sum_resolve(struct cb_workload *w, const struct cb_kernel *k,
                       const struct cb_params *p, int ship,
                       struct sum_state *st, uint64_t *seed, struct cb_error *e)
{
    uint64_t base = ship ? SHIP_DEFAULT_ELEMENTS : SUM_DEFAULT_ELEMENTS;
    uint64_t def, defchunks = SUM_CHUNKS, maxchunk;
    int capped = 1, preset, rc;

    if ((preset = cb_prepare_begin(w, k, p, seed, e)) < 0)
        return preset;
    switch (preset) {
    case CB_SIZE_TINY:
        def = ship ? 10000 : 100000;
        break;
    case CB_SIZE_SMALL:
        def = base / 10;
        break;
    case CB_SIZE_DEFAULT:
    default:
        def = base;
        break;
    case CB_SIZE_LARGE:
        /* sum: 4x the tasks at the default chunk size, so the time scales
         * and the chunks stay under glibc's mmap threshold */
        def = 4 * base;
        defchunks = ship ? SUM_CHUNKS : 4 * SUM_CHUNKS;
        break;
    case CB_SIZE_SEED:
        def = ship ? base : SUM_SEED_ELEMENTS;
        capped = 0;
        break;
    }
    /* Cap the presets so that SUM_CAP_WORKERS chunks in flight fit in the
     * memory budget (half of physical memory, or less under ulimit). */
    maxchunk = cb_memory_budget(NULL) / SUM_CAP_WORKERS / sizeof(uint64_t);
    if (capped && def / defchunks > maxchunk)
        def = maxchunk * defchunks;
    if ((rc = cb_params_u64(p, "elements", def, 1, UINT64_MAX, &st->elements,
                            e)) < 0 ||
        (rc = cb_params_u64(p, "chunks", defchunks, 1, UINT64_MAX, &st->chunks,
                            e)) < 0)
        return rc;
    if (st->chunks > st->elements)
        return CB_FAIL(e, CB_EUSAGE,
                       "--param chunks=%" PRIu64 " exceeds elements=%" PRIu64
                       " (accepted: 1 <= chunks <= elements)",
                       st->chunks, st->elements);
    if (st->elements > UINT64_MAX / sizeof(uint64_t) ||
        st->elements * sizeof(uint64_t) > SIZE_MAX)
        return CB_FAIL(e, CB_EUSAGE,
                       "--param elements=%" PRIu64
                       ": elements x 8 bytes overflows 64 bits",
                       st->elements);
    return 0;
}

static void sum_set_params(struct cb_workload *w, const struct sum_state *st,
                           uint64_t seed)
{
    cb_workload_param(w, "elements", "%" PRIu64, st->elements);
    cb_workload_param(w, "chunks", "%" PRIu64, st->chunks);
    cb_workload_param(w, "seed", "%" PRIu64, seed);
    w->work = (double)st->elements;
    w->work_unit = "elements";
}

/* ---- sum ---------------------------------------------------------------- */

static int sum_prepare(struct cb_workload *w, const struct cb_params *p,
                       struct cb_error *e)
{
    struct sum_state st, *sp;
    struct sum_in *in;
    uint64_t seed, cap, budget;
    const char *why;
    int rc;

    if ((rc = sum_resolve(w, &cb_kernel_sum, p, 0, &st, &seed, e)) < 0)
        return rc;
    cap = (st.elements + st.chunks - 1) / st.chunks;
    budget = cb_memory_budget(&why);
    if (cap > budget / sizeof(uint64_t))
        return CB_FAIL(e, CB_EUSAGE,
                       "--param elements=%" PRIu64 " chunks=%" PRIu64
                       ": one chunk of %" PRIu64
                       " bytes exceeds the limit of %" PRIu64 " bytes, "
                       "half of %s (accepted: elements / chunks <= %" PRIu64
                       ")",
                       st.elements, st.chunks, cap * 8, budget, why,
                       budget / sizeof(uint64_t));
    /* 16 bytes in and 16 out per chunk, checked before allocating */
    if ((rc = cb_workload_fits("sum", "chunks", st.chunks,
                               sizeof *in + sizeof(struct sum_out), e)))
        return rc;
    in = malloc((size_t)st.chunks * sizeof *in);
    sp = malloc(sizeof *sp);
    if (!in || !sp) {
        free(in);
        free(sp);
        return CB_FAIL(e, CB_ENOMEM, "sum: no memory for %" PRIu64 " tasks",
                       st.chunks);
    }
    *sp = st;
    for (uint64_t i = 0; i < st.chunks; i++) {
        in[i].start = sum_chunk_lo(&st, i);
        in[i].stop = sum_chunk_lo(&st, i + 1);
    }
    w->n = (size_t)st.chunks;
    w->in_size = sizeof(struct sum_in);
    w->out_size = sizeof(struct sum_out);
    w->in = in;
    w->state = sp;
    sum_set_params(w, &st, seed);
    /* each element written once (fill) and read once (sum) */
    w->bytes_touched = 2.0 * sizeof(uint64_t) * (double)st.elements;
    /* one chunk array per task, reused task after task from the heap: the
     * default 19.2 MB chunk fits a 32 MB L3 */
    w->working_set_bytes = (double)cap * sizeof(uint64_t);
    return 0;
}

/* compute_sum(start, stop): arr = list(range(start, stop)); sum(arr). */
static void sum_run(const struct cb_workload *w, const void *in, void *out,
                    struct cb_ctx *ctx)
{
    struct sum_in x;
    struct sum_out o = {0, 0};
    uint64_t len, *a;
    (void)w;
    memcpy(&x, in, sizeof x);
    len = x.stop - x.start;
    if (len) {
        a = malloc((size_t)len * sizeof *a);
        if (!a) {
            o.failed = 1;
            memcpy(out, &o, sizeof o);
            return;
        }
        for (uint64_t k = 0; k < len; k += SUM_BLOCK) {
            uint64_t end = len - k < SUM_BLOCK ? len : k + SUM_BLOCK;
            cb_checkpoint(ctx);
            for (uint64_t j = k; j < end; j++)
                a[j] = x.start + j;
        }
        /* The array must really exist: without this barrier the compiler
         * may fuse the two loops or drop the stores, leaving no memory
         * traffic to measure. */
        __asm__ volatile("" : : "r"(a) : "memory");
        for (uint64_t k = 0; k < len; k += SUM_BLOCK) {
            uint64_t end = len - k < SUM_BLOCK ? len : k + SUM_BLOCK;
            cb_checkpoint(ctx);
            for (uint64_t j = k; j < end; j++)
                o.sum += a[j];
        }
        free(a);
    }
    memcpy(out, &o, sizeof o);
}

static int sum_verify(const struct cb_workload *w, const void *outs,
                      struct cb_error *e)
{
    const struct sum_state *st = w->state;
    const char *out = outs;
    uint64_t total = 0;
    for (size_t i = 0; i < w->n; i++) {
        struct sum_out o;
        uint64_t lo = sum_chunk_lo(st, i), hi = sum_chunk_lo(st, i + 1);
        uint64_t want = sum_closed(lo, hi);
        memcpy(&o, out + i * w->out_size, sizeof o);
        if (o.failed)
            return CB_FAIL(e, CB_EVERIFY,
                           "sum task %zu: run() could not allocate %" PRIu64
                           " bytes for its chunk",
                           i, (hi - lo) * 8);
        if (o.sum != want)
            return CB_FAIL(e, CB_EVERIFY,
                           "sum task %zu: sum(%" PRIu64 "..%" PRIu64
                           ") returned %" PRIu64 ", closed form %" PRIu64,
                           i, lo, hi - 1, o.sum, want);
        total += o.sum;
    }
    if (total != sum_closed(0, st->elements))
        return CB_FAIL(e, CB_EVERIFY,
                       "sum: total %" PRIu64 " != closed form %" PRIu64, total,
                       sum_closed(0, st->elements));
    return 0;
}

/* ---- sum-shipped ------------------------------------------------------ */

static int ship_prepare(struct cb_workload *w, const struct cb_params *p,
                        struct cb_error *e)
{
    struct sum_state st, *sp;
    uint64_t seed, cap, budget;
    const char *why;
    char *in;
    size_t in_size;
    int rc;

    if ((rc = sum_resolve(w, &cb_kernel_sum_shipped, p, 1, &st, &seed, e)) < 0)
        return rc;
    /* Records are padded to the longest chunk; the real length rides in
     * the header. */
    cap = (st.elements + st.chunks - 1) / st.chunks;
    if (cap > (SIZE_MAX - sizeof(struct ship_hdr)) / sizeof(uint64_t) ||
        st.chunks > SIZE_MAX / (sizeof(struct ship_hdr) + cap * 8))
        return CB_FAIL(e, CB_EUSAGE,
                       "--param elements=%" PRIu64 " chunks=%" PRIu64
                       ": tasks x record size overflows the address space",
                       st.elements, st.chunks);
    in_size = sizeof(struct ship_hdr) + (size_t)cap * sizeof(uint64_t);
    /* the records and the harness's outputs, checked before allocating */
    budget = cb_memory_budget(&why);
    if ((unsigned __int128)(in_size + sizeof(struct sum_out)) * st.chunks >
        budget)
        return CB_FAIL(e, CB_EUSAGE,
                       "--param elements=%" PRIu64 " chunks=%" PRIu64
                       ": %.0f bytes of input records and outputs exceed "
                       "the limit of %" PRIu64 " bytes, half of %s "
                       "(accepted: about elements <= %" PRIu64 ")",
                       st.elements, st.chunks,
                       (double)(in_size + sizeof(struct sum_out)) *
                           (double)st.chunks,
                       budget, why, budget / sizeof(uint64_t));
    in = calloc((size_t)st.chunks, in_size);
    sp = malloc(sizeof *sp);
    if (!in || !sp) {
        free(in);
        free(sp);
        return CB_FAIL(e, CB_ENOMEM,
                       "sum-shipped: no memory for %" PRIu64
                       " records of %zu bytes",
                       st.chunks, in_size);
    }
    *sp = st;
    for (uint64_t i = 0; i < st.chunks; i++) {
        char *rec = in + (size_t)i * in_size;
        struct ship_hdr h;
        h.start = sum_chunk_lo(&st, i);
        h.len = sum_chunk_lo(&st, i + 1) - h.start;
        memcpy(rec, &h, sizeof h);
        for (uint64_t j = 0; j < h.len; j++) {
            uint64_t v = h.start + j;
            memcpy(rec + sizeof h + j * sizeof v, &v, sizeof v);
        }
    }
    w->n = (size_t)st.chunks;
    w->in_size = in_size;
    w->out_size = sizeof(uint64_t);
    w->in = in;
    w->state = sp;
    sum_set_params(w, &st, seed);
    w->bytes_touched = (double)sizeof(uint64_t) * (double)st.elements;
    /* the record a task reads: its chunk (the longest one, padded) */
    w->working_set_bytes = (double)in_size;
    return 0;
}

/* sum(chunk) over the carried values; records may sit at any alignment in
 * an executor's receive buffer, hence memcpy loads. */
static void ship_run(const struct cb_workload *w, const void *in, void *out,
                     struct cb_ctx *ctx)
{
    const char *v = (const char *)in + sizeof(struct ship_hdr);
    struct ship_hdr h;
    uint64_t s = 0, cap;
    memcpy(&h, in, sizeof h);
    /* never read past the record, whatever the header says */
    cap = (w->in_size - sizeof h) / sizeof(uint64_t);
    if (h.len > cap)
        h.len = cap;
    for (uint64_t k = 0; k < h.len; k += SUM_BLOCK) {
        uint64_t end = h.len - k < SUM_BLOCK ? h.len : k + SUM_BLOCK;
        cb_checkpoint(ctx);
        for (uint64_t j = k; j < end; j++) {
            uint64_t x;
            memcpy(&x, v + j * sizeof x, sizeof x);
            s += x;
        }
    }
    memcpy(out, &s, sizeof s);
}

static int ship_verify(const struct cb_workload *w, const void *outs,
                       struct cb_error *e)
{
    const struct sum_state *st = w->state;
    const char *out = outs;
    uint64_t total = 0;
    for (size_t i = 0; i < w->n; i++) {
        uint64_t lo = sum_chunk_lo(st, i), hi = sum_chunk_lo(st, i + 1);
        uint64_t s, want = sum_closed(lo, hi);
        memcpy(&s, out + i * w->out_size, sizeof s);
        if (s != want)
            return CB_FAIL(e, CB_EVERIFY,
                           "sum-shipped task %zu: sum(%" PRIu64 "..%" PRIu64
                           ") returned %" PRIu64 ", closed form %" PRIu64,
                           i, lo, hi - 1, s, want);
        total += s;
    }
    if (total != sum_closed(0, st->elements))
        return CB_FAIL(e, CB_EVERIFY,
                       "sum-shipped: total %" PRIu64 " != closed form %" PRIu64,
                       total, sum_closed(0, st->elements));
    return 0;
}

/* resize(): `tasks` chunks of the length w's have (elements / chunks,
 * rounded down), so each task costs what one of w's did. */
static int sum_resize(const struct cb_workload *w, uint64_t tasks,
                      struct cb_params *p, struct cb_error *e)
{
    const struct sum_state *st = w->state;
    uint64_t per = st && st->chunks ? st->elements / st->chunks : 1;
    char kv[64];
    int rc;
    if (per && tasks > UINT64_MAX / per)
        return CB_FAIL(e, CB_EUSAGE, "%s: %" PRIu64 " chunks of %" PRIu64
                       " elements overflow 64 bits", w->kernel->name, tasks,
                       per);
    snprintf(kv, sizeof kv, "elements=%" PRIu64, per * tasks);
    if ((rc = cb_params_add(p, kv, e)))
        return rc;
    snprintf(kv, sizeof kv, "chunks=%" PRIu64, tasks);
    return cb_params_add(p, kv, e);
}

const struct cb_kernel cb_kernel_sum = {
    .name = "sum",
    .summary = "sum of range chunks, each materialized as an array (seed 004)",
    .flags = CB_KERNEL_MEMORY,
    .param_help = sum_params,
    .prepare = sum_prepare,
    .run = sum_run,
    .verify = sum_verify,
    .release = cb_workload_release,
    .tasks_param = "chunks",
    .task_s = 0.4 / SUM_CHUNKS,
    .resize = sum_resize,
};

const struct cb_kernel cb_kernel_sum_shipped = {
    .name = "sum-shipped",
    .summary = "sum of chunks the parent built and ships in every input",
    .flags = CB_KERNEL_MEMORY,
    .param_help = sum_params,
    .prepare = ship_prepare,
    .run = ship_run,
    .verify = ship_verify,
    .release = cb_workload_release,
    .tasks_param = "chunks",
    .task_s = 0.004 / SUM_CHUNKS,
    .resize = sum_resize,
};
