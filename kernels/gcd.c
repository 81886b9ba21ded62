/* gcd: the greatest common divisor by trial division counting down from
 * min(a, b), exactly as seed 003 ("Effective Python" item 41) does it, as a
 * stand-in for an expensive, isolated, high-leverage computation: 16 bytes
 * in, 8 bytes out, millions of divisions in between.
 *
 * Input record:  { uint64 a, uint64 b }   (a, b >= 1)
 * Output record: { uint64 gcd }
 *
 * Sizes (pairs are drawn uniformly from [lo, hi] with splitmix64, see
 * gcd_generate; python/kernels.py draws the identical pairs):
 *   tiny     8 pairs in [1e3, 4e3]   (milliseconds; smaller values on purpose)
 *   small   12 pairs in [1e6, 4e6]   (~1/10 of default)
 *   default 112 pairs in [1e6, 4e6]  (~0.5 s serial, see GCD_DEFAULT_N)
 *   large  448 pairs in [1e6, 4e6]   (~4x default)
 *   seed     the 4 pairs of seed 003 (no generator; n, lo, hi not accepted
 *            except n=4, which is what the resolved params carry)
 * Params: n (pairs), lo, hi (value range), seed (generator seed, default
 * the run's --seed). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

/* Calibrated on the development machine (2-core AMD EPYC Zen 3 VM, gcc 12
 * -O2): a pair costs min(a, b) - gcd + 1 divisions, ~2e6 on average at
 * ~2.3 ns each, so 112 pairs take ~0.5 s. A multiple of 4 (2 and 4 static
 * chunks get equal counts). Each pair's cost has a relative spread of ~35%,
 * so two static halves of 56 pairs differ by ~3% typically (0.1% to 6%
 * over seeds 0..5; 5% for corebench's default --seed 42): the price of
 * keeping seed 003's value range at ~0.5 s. */
#define GCD_DEFAULT_N 112
#define GCD_SMALL_N 12
#define GCD_LO 1000000u
#define GCD_HI 4000000u
/* Beyond this a single pair would run for days; also keeps lo + r safe. */
#define GCD_MAX_VALUE (UINT64_C(1) << 48)

const struct cb_kernel cb_kernel_gcd;

struct gcd_in {
    uint64_t a, b;
};

static const struct gcd_in gcd_seed_pairs[4] = {
    {1963309, 2265973},
    {2030677, 3814172},
    {1551645, 2229620},
    {2039045, 2020802},
};

static const char gcd_params[] = "seed,n,lo,hi";

/* Euclid: the independent check, never run(). */
static uint64_t gcd_euclid(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* The pair generator shared with python/kernels.py: state = seed, then for
 * each pair a = lo + next() % (hi - lo + 1), b likewise. The modulo bias is
 * irrelevant here and keeps the Python mirror a one-liner. */
static void gcd_generate(struct gcd_in *v, size_t n, uint64_t seed, uint64_t lo,
                         uint64_t hi)
{
    uint64_t state = seed, span = hi - lo + 1;
    for (size_t i = 0; i < n; i++) {
        v[i].a = lo + cb_splitmix64(&state) % span;
        v[i].b = lo + cb_splitmix64(&state) % span;
    }
}

/* n per preset, indexed by enum cb_size (lo, hi: tiny 1e3..4e3, else
 * GCD_LO..GCD_HI; seed: the 4 pairs of seed 003) */
static const uint64_t gcd_n[] = {
    [CB_SIZE_TINY] = 8,
    [CB_SIZE_SMALL] = GCD_SMALL_N,
    [CB_SIZE_DEFAULT] = GCD_DEFAULT_N,
    [CB_SIZE_LARGE] = 4 * GCD_DEFAULT_N,
    [CB_SIZE_SEED] = 4,
};

static int gcd_prepare(struct cb_workload *w, const struct cb_params *p,
                       struct cb_error *e)
{
    uint64_t seed, n, lo = GCD_LO, hi = GCD_HI;
    int is_seed, preset, rc;
    struct gcd_in *in;
    double divisions = 0;

    if ((preset = cb_prepare_begin(w, &cb_kernel_gcd, p, &seed, e)) < 0)
        return preset;
    is_seed = preset == CB_SIZE_SEED;
    if (preset == CB_SIZE_TINY) {
        lo = 1000;
        hi = 4000;
    }
    if ((rc = cb_params_u64(p, "n", gcd_n[preset], 1, UINT64_MAX, &n, e)) < 0)
        return rc;
    if (is_seed) {
        /* The seed preset is a fixed list: only its own resolved params
         * (n=4, seed) may come back, as they do in a spawned worker. */
        if (n != 4 || cb_params_get(p, "lo") || cb_params_get(p, "hi"))
            return CB_FAIL(e, CB_EUSAGE,
                           "--size seed: gcd uses the 4 pairs of seed 003; "
                           "n must be 4 and lo/hi are not accepted");
    } else {
        if ((rc = cb_params_u64(p, "lo", lo, 1, GCD_MAX_VALUE, &lo, e)) < 0 ||
            (rc = cb_params_u64(p, "hi", hi, 1, GCD_MAX_VALUE, &hi, e)) < 0)
            return rc;
        if (lo > hi)
            return CB_FAIL(e, CB_EUSAGE,
                           "--param lo=%" PRIu64 " is above hi=%" PRIu64
                           " (accepted: 1 <= lo <= hi <= %" PRIu64 ")",
                           lo, hi, GCD_MAX_VALUE);
    }
    /* 16 bytes in and 8 out per pair, checked before allocating */
    if ((rc = cb_workload_fits("gcd", "n", n, sizeof *in + sizeof(uint64_t),
                               e)))
        return rc;
    in = malloc((size_t)n * sizeof *in);
    if (!in)
        return CB_FAIL(e, CB_ENOMEM, "gcd: no memory for %" PRIu64 " pairs", n);
    if (is_seed)
        memcpy(in, gcd_seed_pairs, sizeof gcd_seed_pairs);
    else
        gcd_generate(in, (size_t)n, seed, lo, hi);
    /* Useful work: the divisions run() will make, min(a,b) - gcd + 1. */
    for (size_t i = 0; i < (size_t)n; i++) {
        uint64_t m = in[i].a < in[i].b ? in[i].a : in[i].b;
        divisions += (double)(m - gcd_euclid(in[i].a, in[i].b) + 1);
    }

    w->n = (size_t)n;
    w->in_size = sizeof(struct gcd_in);
    w->out_size = sizeof(uint64_t);
    w->in = in;
    cb_workload_param(w, "n", "%" PRIu64, n);
    if (!is_seed) {
        cb_workload_param(w, "lo", "%" PRIu64, lo);
        cb_workload_param(w, "hi", "%" PRIu64, hi);
    }
    cb_workload_param(w, "seed", "%" PRIu64, seed);
    w->work = divisions;
    w->work_unit = "divisions";
    return 0;
}

/* Seed 003's gcd(): for i in range(low, 0, -1): if a % i == 0 and b % i == 0:
 * return i. One checkpoint per iteration, the loop's back edge. */
static void gcd_run(const struct cb_workload *w, const void *in, void *out,
                    struct cb_ctx *ctx)
{
    struct gcd_in x;
    uint64_t g = 0;
    (void)w;
    memcpy(&x, in, sizeof x);
    for (uint64_t i = x.a < x.b ? x.a : x.b; i > 0; i--) {
        cb_checkpoint(ctx);
        if (x.a % i == 0 && x.b % i == 0) {
            g = i;
            break;
        }
    }
    memcpy(out, &g, sizeof g);
}

static int gcd_verify(const struct cb_workload *w, const void *outs,
                      struct cb_error *e)
{
    const char *in = w->in;
    const char *out = outs;
    for (size_t i = 0; i < w->n; i++) {
        struct gcd_in x;
        uint64_t g, want;
        memcpy(&x, in + i * w->in_size, sizeof x);
        memcpy(&g, out + i * w->out_size, sizeof g);
        want = gcd_euclid(x.a, x.b);
        if (g != want)
            return CB_FAIL(e, CB_EVERIFY,
                           "gcd task %zu: gcd(%" PRIu64 ", %" PRIu64
                           ") returned %" PRIu64 ", Euclid says %" PRIu64,
                           i, x.a, x.b, g, want);
    }
    return 0;
}

const struct cb_kernel cb_kernel_gcd = {
    .name = "gcd",
    .summary = "gcd by trial division down from min(a,b) (seed 003)",
    .flags = 0,
    .param_help = gcd_params,
    .prepare = gcd_prepare,
    .run = gcd_run,
    .verify = gcd_verify,
    .release = cb_workload_release,
    .tasks_param = "n",
    .task_s = 0.5 / GCD_DEFAULT_N,
    .resize = cb_resize_n,
};
