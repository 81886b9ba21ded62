/* factorize: seed 002's factorize_naive(), trial division by 2 then by odd
 * numbers, one integer per task over the contiguous range [start, start+n).
 *
 * Input record:  { uint64 value }
 * Output record: { uint64 count, uint64 factors[64] } prime factors in
 *                ascending order, exactly the list the seed returns
 *                (count 0 for values below 2); unused slots are zero.
 *
 * Cost of one value ~ the number of odd trial divisors up to the square
 * root of what is left once its small factors are divided out: a prime near
 * 1e12 costs ~5e5 divisions, most values far less. Around a high start the
 * cost has no trend across a short range (range/start is tiny), so the two
 * halves of the default range cost the same up to sampling noise. A low
 * start (e.g. --param start=2) gives a skewed range where later values cost
 * more (the cost grows like sqrt(value)): a static split into chunks is then
 * imbalanced, which the thread-pool vs threads comparison relies on.
 *
 * Sizes (start, n):
 *   tiny    1e6, 200            (well under a millisecond)
 *   small   1e12 + 68700, 380   (~1/10 of default)
 *   default 1e12 + 68700, 3800  (~0.5 s serial)
 *   large   1e12 + 68700, 15200 (~4x default)
 *   seed    = default: the text copy of seed 002 does not say which numbers
 *           it factorized, so the default range stands in for it.
 * Skewed variant: --param start=2 --param n=1500000 (~0.5 s serial; the
 * second half of the range costs ~1.6x the first, the last quarter ~2.3x
 * the first). Note the 520-byte output records: 1.5e6 tasks need ~780 MB
 * of outputs.
 * Params: start, n, seed (accepted and recorded; the range is not random). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

#define FZ_MAX_FACTORS 64 /* a value below 2^64 has at most 63 */
/* Calibrated on the development machine (2-core AMD EPYC Zen 3 VM, gcc 12
 * -O2): 3800 values near 1e12 average ~55,000 divisions each, ~0.5 s in
 * all. The start was picked near 1e12 so that the two halves of the default
 * range cost the same within 0.1% and the four quarters within 0.5%,
 * counted in trial divisions (an arbitrary start gives ~2% between halves:
 * the ~140 primes dominate the cost). */
#define FZ_START (UINT64_C(1000000000000) + 68700)
#define FZ_DEFAULT_N 3800
/* Values stay at or below 2^62 so p * p in run() cannot overflow (p never
 * passes sqrt(value) + 2). A 2^62 prime would take ~2^30 divisions. */
#define FZ_MAX_VALUE (UINT64_C(1) << 62)

const struct cb_kernel cb_kernel_factorize;

struct fz_out {
    uint64_t count;
    uint64_t f[FZ_MAX_FACTORS];
};

static const char fz_params[] = "seed,start,n";

/* n per preset, indexed by enum cb_size (start: tiny 1e6, else FZ_START) */
static const uint64_t fz_n[] = {
    [CB_SIZE_TINY] = 200,
    [CB_SIZE_SMALL] = FZ_DEFAULT_N / 10,
    [CB_SIZE_DEFAULT] = FZ_DEFAULT_N,
    [CB_SIZE_LARGE] = 4 * FZ_DEFAULT_N,
    [CB_SIZE_SEED] = FZ_DEFAULT_N,
};

static int fz_prepare(struct cb_workload *w, const struct cb_params *p,
                      struct cb_error *e)
{
    uint64_t seed, start, n, def_start = FZ_START;
    uint64_t *in;
    int preset, rc;

    if ((preset = cb_prepare_begin(w, &cb_kernel_factorize, p, &seed, e)) < 0)
        return preset;
    if (preset == CB_SIZE_TINY)
        def_start = 1000000;
    if ((rc = cb_params_u64(p, "start", def_start, 0, FZ_MAX_VALUE, &start,
                            e)) < 0 ||
        (rc = cb_params_u64(p, "n", fz_n[preset], 1, UINT64_MAX, &n, e)) < 0)
        return rc;
    if (n - 1 > FZ_MAX_VALUE - start)
        return CB_FAIL(e, CB_EUSAGE,
                       "--param start=%" PRIu64 " n=%" PRIu64
                       ": the range passes 2^62 (accepted: start + n - 1 <= "
                       "%" PRIu64 ")",
                       start, n, FZ_MAX_VALUE);
    /* 8 bytes in and 520 out per value, checked before allocating */
    if ((rc = cb_workload_fits("factorize", "n", n,
                               sizeof *in + sizeof(struct fz_out), e)))
        return rc;
    in = malloc((size_t)n * sizeof *in);
    if (!in)
        return CB_FAIL(e, CB_ENOMEM,
                       "factorize: no memory for %" PRIu64 " values", n);
    for (size_t i = 0; i < (size_t)n; i++)
        in[i] = start + i;

    w->n = (size_t)n;
    w->in_size = sizeof(uint64_t);
    w->out_size = sizeof(struct fz_out);
    w->in = in;
    cb_workload_param(w, "start", "%" PRIu64, start);
    cb_workload_param(w, "n", "%" PRIu64, n);
    cb_workload_param(w, "seed", "%" PRIu64, seed);
    w->work = (double)n;
    w->work_unit = "integers";
    return 0;
}

/* factorize_naive() of seed 002, line for line; the checkpoint sits on the
 * loop's back edge as CPython's would. */
static void fz_run(const struct cb_workload *w, const void *in, void *out,
                   struct cb_ctx *ctx)
{
    struct fz_out o;
    uint64_t n, p = 2;
    (void)w;
    memcpy(&n, in, sizeof n);
    memset(&o, 0, sizeof o);
    if (n >= 2) {
        for (;;) {
            cb_checkpoint(ctx);
            if (n == 1)
                break;
            if (n % p == 0) {
                o.f[o.count++] = p;
                n /= p;
            } else if (p * p >= n) {
                o.f[o.count++] = n;
                break;
            } else if (p > 2) {
                p += 2;
            } else {
                p += 1;
            }
        }
    }
    memcpy(out, &o, sizeof o);
}

/* ---- independent check: product + deterministic Miller-Rabin ---------- */

static uint64_t fz_mulmod(uint64_t a, uint64_t b, uint64_t m)
{
    return (uint64_t)((unsigned __int128)a * b % m);
}

static uint64_t fz_powmod(uint64_t b, uint64_t x, uint64_t m)
{
    uint64_t r = 1;
    b %= m;
    while (x) {
        if (x & 1)
            r = fz_mulmod(r, b, m);
        b = fz_mulmod(b, b, m);
        x >>= 1;
    }
    return r;
}

/* Deterministic for every 64-bit n: the first 12 primes as bases suffice
 * (Sorenson and Webster 2015: below 3.3e24). */
static int fz_is_prime(uint64_t n)
{
    static const uint64_t bases[] = {2,  3,  5,  7,  11, 13,
                                     17, 19, 23, 29, 31, 37};
    uint64_t d;
    int s = 0;
    if (n < 2)
        return 0;
    for (size_t i = 0; i < sizeof bases / sizeof *bases; i++) {
        if (n == bases[i])
            return 1;
        if (n % bases[i] == 0)
            return 0;
    }
    for (d = n - 1; (d & 1) == 0; d >>= 1)
        s++;
    for (size_t i = 0; i < sizeof bases / sizeof *bases; i++) {
        uint64_t x = fz_powmod(bases[i], d, n);
        int r;
        if (x == 1 || x == n - 1)
            continue;
        for (r = 1; r < s; r++) {
            x = fz_mulmod(x, x, n);
            if (x == n - 1)
                break;
        }
        if (r == s)
            return 0;
    }
    return 1;
}

static int fz_verify(const struct cb_workload *w, const void *outs,
                     struct cb_error *e)
{
    const char *in = w->in;
    const char *out = outs;
    for (size_t i = 0; i < w->n; i++) {
        struct fz_out o;
        uint64_t v, prod = 1;
        memcpy(&v, in + i * w->in_size, sizeof v);
        memcpy(&o, out + i * w->out_size, sizeof o);
        if (o.count > FZ_MAX_FACTORS || (v < 2 && o.count != 0) ||
            (v >= 2 && o.count == 0))
            return CB_FAIL(e, CB_EVERIFY,
                           "factorize task %zu: %" PRIu64
                           " came back with %" PRIu64 " factors",
                           i, v, o.count);
        for (uint64_t k = 0; k < o.count; k++) {
            if (k > 0 && o.f[k] < o.f[k - 1])
                return CB_FAIL(e, CB_EVERIFY,
                               "factorize task %zu: factors of %" PRIu64
                               " not ascending at #%" PRIu64,
                               i, v, k);
            if (!fz_is_prime(o.f[k]))
                return CB_FAIL(e, CB_EVERIFY,
                               "factorize task %zu: factor %" PRIu64
                               " of %" PRIu64 " is not prime",
                               i, o.f[k], v);
            if (__builtin_mul_overflow(prod, o.f[k], &prod))
                return CB_FAIL(e, CB_EVERIFY,
                               "factorize task %zu: factors of %" PRIu64
                               " multiply past 2^64",
                               i, v);
        }
        if (v >= 2 && prod != v)
            return CB_FAIL(e, CB_EVERIFY,
                           "factorize task %zu: factors of %" PRIu64
                           " multiply to %" PRIu64,
                           i, v, prod);
    }
    return 0;
}

const struct cb_kernel cb_kernel_factorize = {
    .name = "factorize",
    .summary = "naive trial-division factorization of a range (seed 002)",
    .flags = 0,
    .param_help = fz_params,
    .prepare = fz_prepare,
    .run = fz_run,
    .verify = fz_verify,
    .release = cb_workload_release,
    .tasks_param = "n",
    .task_s = 0.5 / FZ_DEFAULT_N,
    .resize = cb_resize_n,
};
