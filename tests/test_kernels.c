/* Unit tests for every kernel: prepare/run/verify on tiny sizes, verify
 * catching corrupted outputs, parameter validation, determinism, the
 * resolved-params round trip a spawned worker relies on, and known answers
 * (seed 003's gcd pairs, known factorizations, seed 004's sum layout).
 *
 * A plain program: prints each failure, then "N passed, M failed", and
 * exits nonzero when anything failed. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernel.h"

#include "check.h"

static const char *const sizes[] = {"tiny", "small", "default", "large",
                                    "seed"};

static void add_kv(struct cb_params *p, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_kv(struct cb_params *p, const char *key, const char *fmt, ...)
{
    va_list ap;
    if (p->nkv >= CB_MAX_PARAMS)
        return;
    snprintf(p->kv[p->nkv].key, sizeof p->kv[p->nkv].key, "%s", key);
    va_start(ap, fmt);
    vsnprintf(p->kv[p->nkv].val, sizeof p->kv[p->nkv].val, fmt, ap);
    va_end(ap);
    p->nkv++;
}

static struct cb_params mkparams(const char *size, uint64_t seed)
{
    struct cb_params p;
    memset(&p, 0, sizeof p);
    p.size = size;
    p.seed = seed;
    return p;
}

static const struct cb_kernel *kernel(const char *name)
{
    const struct cb_kernel *k = cb_kernel_find(name);
    if (!k) {
        printf("FATAL: kernel %s not registered\n", name);
        exit(1);
    }
    return k;
}

static uint64_t euclid(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static uint64_t closed_sum(uint64_t a, uint64_t b) /* a..b-1, mod 2^64 */
{
    unsigned __int128 n = b - a;
    return n ? (uint64_t)(((unsigned __int128)a + b - 1) * n / 2) : 0;
}

static uint64_t load64(const void *base, size_t off)
{
    uint64_t v;
    memcpy(&v, (const char *)base + off, sizeof v);
    return v;
}

static const char *param_of(const struct cb_workload *w, const char *key)
{
    for (int i = 0; i < w->nparams; i++)
        if (strcmp(w->params[i].key, key) == 0)
            return w->params[i].val;
    return NULL;
}

/* ---- every kernel, tiny: run, verify, corrupt ----------------------- */

static void test_tiny_all(void)
{
    for (int i = 0; cb_kernels[i]; i++) {
        const struct cb_kernel *k = cb_kernels[i];
        struct cb_params p = mkparams("tiny", 42);
        struct cb_workload w;
        struct cb_error e = {0};
        unsigned char *outs;
        int rc = k->prepare(&w, &p, &e);
        CHECK(rc == 0, "%s: prepare tiny: %s", k->name, e.msg);
        if (rc)
            continue;
        CHECK(w.kernel == k, "%s: w->kernel not set", k->name);
        CHECK(w.n > 0 && w.in_size > 0 && w.out_size > 0 && w.in,
              "%s: empty workload", k->name);
        CHECK(strcmp(w.size, "tiny") == 0, "%s: size '%s'", k->name, w.size);
        CHECK(param_of(&w, "seed") && strcmp(param_of(&w, "seed"), "42") == 0,
              "%s: resolved params lack seed=42", k->name);
        CHECK(k->param_help && strstr(k->param_help, "seed"),
              "%s: param_help lacks seed", k->name);
        CHECK(k->summary && strlen(k->summary) > 10 && strlen(k->summary) < 80,
              "%s: summary missing or not short", k->name);
        CHECK(w.work > 0, "%s: work %g", k->name, w.work);
        outs = calloc(w.n, w.out_size);
        /* zeroed outputs (no task ran) must never pass */
        CHECK(k->verify(&w, outs, &e) == CB_EVERIFY,
              "%s: verify passed outputs of tasks that never ran", k->name);
        cb_workload_run_all(&w, outs);
        memset(&e, 0, sizeof e);
        rc = k->verify(&w, outs, &e);
        CHECK(rc == 0, "%s: verify after run: %s", k->name, e.msg);
        /* corrupt one output record */
        outs[(w.n / 2) * w.out_size] ^= 1;
        memset(&e, 0, sizeof e);
        rc = k->verify(&w, outs, &e);
        CHECK(rc == CB_EVERIFY && e.code == CB_EVERIFY && e.msg[0],
              "%s: corrupted output not caught (rc %d)", k->name, rc);
        free(outs);
        k->release(&w);
        CHECK(w.in == NULL && w.state == NULL, "%s: release left pointers",
              k->name);
        k->release(&w); /* twice is harmless */
    }
}

/* ---- parameter validation ------------------------------------------ */

static void expect_usage(const struct cb_kernel *k, struct cb_params *p,
                         const char *needle, const char *what)
{
    struct cb_workload w;
    struct cb_error e = {0};
    int rc;
    memset(&w, 0xa5, sizeof w); /* prepare must not rely on a zeroed w */
    rc = k->prepare(&w, p, &e);
    CHECK(rc == CB_EUSAGE && e.code == CB_EUSAGE,
          "%s: %s: expected CB_EUSAGE, got %d (%s)", k->name, what, rc, e.msg);
    CHECK(!needle || strstr(e.msg, needle), "%s: %s: message '%s' lacks '%s'",
          k->name, what, e.msg, needle ? needle : "");
    CHECK(w.in == NULL && w.state == NULL,
          "%s: %s: failed prepare left allocations", k->name, what);
    if (rc == 0)
        k->release(&w);
}

static void test_bad_params(void)
{
    static const struct {
        const char *kernel, *key, *val;
    } overflow[] = {
        {"gcd", "n", "4611686018427387904"},
        {"factorize", "n", "4611686018427387904"},
        {"sum", "elements", "4611686018427387904"},
        {"sum-shipped", "elements", "4611686018427387904"},
        {"sleep", "n", "4611686018427387904"},
        {"empty", "n", "4611686018427387904"},
    };
    for (int i = 0; cb_kernels[i]; i++) {
        const struct cb_kernel *k = cb_kernels[i];
        struct cb_params p = mkparams("tiny", 1);
        struct cb_workload z;

        add_kv(&p, "bogus", "1");
        expect_usage(k, &p, "bogus", "unknown key");

        p = mkparams("huge", 1);
        expect_usage(k, &p, "huge", "bad size");
        expect_usage(k, &p, "accepted: tiny, small, default, large, seed",
                     "bad size list");

        p = mkparams("tiny", 1);
        add_kv(&p, "seed", "minus-one");
        expect_usage(k, &p, "seed", "bad seed value");

        memset(&z, 0, sizeof z);
        k->release(&z); /* a zeroed workload is fine (ASan: no bad free) */
        CHECK(!z.in && !z.state, "release(zeroed) leaves it empty");
        {
            struct cb_error e = {0};
            p = mkparams("tiny", 1);
            CHECK(k->prepare(&z, &p, &e) == 0 && z.in, "prepare(tiny)");
            k->release(&z);
            CHECK(!z.in && !z.state, "release clears what it freed");
            k->release(&z); /* so a second release frees nothing twice */
        }
    }
    for (size_t i = 0; i < sizeof overflow / sizeof *overflow; i++) {
        struct cb_params p = mkparams("tiny", 1);
        add_kv(&p, overflow[i].key, "%s", overflow[i].val);
        expect_usage(kernel(overflow[i].kernel), &p, NULL, "overflow");
    }
    {
        struct cb_params p = mkparams("tiny", 1);
        add_kv(&p, "n", "0");
        expect_usage(kernel("gcd"), &p, "n", "n=0");
        p = mkparams("tiny", 1);
        add_kv(&p, "n", "12abc");
        expect_usage(kernel("empty"), &p, "12abc", "n=12abc");
        p = mkparams("default", 1);
        add_kv(&p, "lo", "5000");
        add_kv(&p, "hi", "4000");
        expect_usage(kernel("gcd"), &p, "lo", "lo > hi");
        p = mkparams("seed", 1);
        add_kv(&p, "n", "8");
        expect_usage(kernel("gcd"), &p, "seed 003", "seed preset with n=8");
        p = mkparams("tiny", 1);
        add_kv(&p, "chunks", "11");
        add_kv(&p, "elements", "10");
        expect_usage(kernel("sum"), &p, "chunks", "chunks > elements");
        p = mkparams("tiny", 1);
        add_kv(&p, "start", "4611686018427387900");
        add_kv(&p, "n", "10");
        expect_usage(kernel("factorize"), &p, "2^62", "range past 2^62");
        p = mkparams("tiny", 1);
        add_kv(&p, "elements", "1000000000000000");
        add_kv(&p, "chunks", "1");
        expect_usage(kernel("sum"), &p, "physical memory", "huge chunk");
        p = mkparams("tiny", 1);
        add_kv(&p, "elements", "100000000000");
        expect_usage(kernel("sum-shipped"), &p, "physical memory",
                     "huge shipped input");
        p = mkparams("tiny", 1);
        add_kv(&p, "us", "100000000");
        expect_usage(kernel("sleep"), &p, "us", "us too large");
    }
}

/* ---- gcd: seed pairs, determinism, generator constants --------------- */

static void test_gcd(void)
{
    static const uint64_t seed_pairs[4][2] = {{1963309, 2265973},
                                              {2030677, 3814172},
                                              {1551645, 2229620},
                                              {2039045, 2020802}};
    const struct cb_kernel *k = kernel("gcd");
    struct cb_params p = mkparams("seed", 7);
    struct cb_workload w, w2;
    struct cb_error e = {0};
    uint64_t outs[4];
    int rc = k->prepare(&w, &p, &e);
    CHECK(rc == 0 && w.n == 4, "gcd seed: %s (n %zu)", e.msg, w.n);
    if (rc == 0) {
        for (int i = 0; i < 4; i++)
            CHECK(load64(w.in, (size_t)i * w.in_size) == seed_pairs[i][0] &&
                      load64(w.in, (size_t)i * w.in_size + 8) ==
                          seed_pairs[i][1],
                  "gcd seed pair %d differs from seed 003", i);
        cb_workload_run_all(&w, outs);
        for (int i = 0; i < 4; i++)
            CHECK(outs[i] == euclid(seed_pairs[i][0], seed_pairs[i][1]),
                  "gcd seed pair %d: got %" PRIu64, i, outs[i]);
        /* the known answers: only the third pair shares a factor (5) */
        CHECK(outs[0] == 1 && outs[1] == 1 && outs[2] == 5 && outs[3] == 1,
              "gcd seed answers %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64,
              outs[0], outs[1], outs[2], outs[3]);
        CHECK(k->verify(&w, outs, &e) == 0, "gcd seed verify: %s", e.msg);
        k->release(&w);
    }

    /* determinism: same seed, same bytes; the seed param overrides p->seed */
    p = mkparams("tiny", 1);
    rc = k->prepare(&w, &p, &e);
    p = mkparams("tiny", 99);
    add_kv(&p, "seed", "1");
    rc |= k->prepare(&w2, &p, &e);
    CHECK(rc == 0 && w.n == w2.n && memcmp(w.in, w2.in, w.n * w.in_size) == 0,
          "gcd: same seed gave different inputs");
    k->release(&w2);
    p = mkparams("tiny", 2);
    rc = k->prepare(&w2, &p, &e);
    CHECK(rc == 0 && memcmp(w.in, w2.in, w.n * w.in_size) != 0,
          "gcd: different seeds gave the same inputs");
    for (size_t i = 0; rc == 0 && i < w2.n; i++) {
        uint64_t a = load64(w2.in, i * w2.in_size);
        uint64_t b = load64(w2.in, i * w2.in_size + 8);
        CHECK(a >= 1000 && a <= 4000 && b >= 1000 && b <= 4000,
              "gcd tiny pair %zu out of [1e3,4e3]", i);
    }
    k->release(&w);
    k->release(&w2);

    /* generator constants shared with python/kernels.py --check */
    p = mkparams("default", 0);
    add_kv(&p, "n", "4");
    add_kv(&p, "seed", "12345");
    rc = k->prepare(&w, &p, &e);
    CHECK(rc == 0 && load64(w.in, 0) == 1157972 && load64(w.in, 8) == 1741510 &&
              load64(w.in, 48) == 2049438 && load64(w.in, 56) == 1287792,
          "gcd generator differs from the python mirror");
    CHECK(rc == 0 && param_of(&w, "lo") &&
              strcmp(param_of(&w, "lo"), "1000000") == 0 &&
              strcmp(param_of(&w, "hi"), "4000000") == 0,
          "gcd default range is not [1e6, 4e6]");
    k->release(&w);

    /* default: a multiple of 4 pairs, all in [1e6, 4e6] */
    p = mkparams("default", 3);
    rc = k->prepare(&w, &p, &e);
    CHECK(rc == 0 && w.n % 4 == 0 && w.n >= 64, "gcd default n %zu", w.n);
    for (size_t i = 0; rc == 0 && i < w.n; i++) {
        uint64_t a = load64(w.in, i * w.in_size);
        uint64_t b = load64(w.in, i * w.in_size + 8);
        if (a < 1000000 || a > 4000000 || b < 1000000 || b > 4000000) {
            CHECK(0, "gcd default pair %zu out of range", i);
            break;
        }
    }
    k->release(&w);
}

/* ---- resolved params round trip -------------------------------------- */

static void test_round_trip(void)
{
    for (int i = 0; cb_kernels[i]; i++) {
        const struct cb_kernel *k = cb_kernels[i];
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
            struct cb_params p = mkparams(sizes[s], 31337), q;
            struct cb_workload w, w2;
            struct cb_error e = {0};
            int rc;
            /* the big shipped inputs take time to build: not needed here */
            if (strcmp(k->name, "sum-shipped") == 0 &&
                strcmp(sizes[s], "large") == 0)
                continue;
            rc = k->prepare(&w, &p, &e);
            CHECK(rc == 0, "%s %s: prepare: %s", k->name, sizes[s], e.msg);
            if (rc)
                continue;
            CHECK(strcmp(w.size, sizes[s]) == 0, "%s: size %s resolved as %s",
                  k->name, sizes[s], w.size);
            /* a kernel compared with a bandwidth ceiling says how much it
             * keeps live per task, which picks the ceiling (a cache's or
             * DRAM's); at most what it touches per map */
            if (w.bytes_touched > 0)
                CHECK(w.working_set_bytes > 0 &&
                          w.working_set_bytes <= w.bytes_touched,
                      "%s %s: working set %g of %g bytes touched", k->name,
                      sizes[s], w.working_set_bytes, w.bytes_touched);
            /* what a spawned worker does: size + params, another --seed */
            q = mkparams(w.size, 1);
            for (int j = 0; j < w.nparams; j++)
                add_kv(&q, w.params[j].key, "%s", w.params[j].val);
            rc = k->prepare(&w2, &q, &e);
            CHECK(rc == 0, "%s %s: rebuild: %s", k->name, sizes[s], e.msg);
            if (rc == 0) {
                CHECK(w.n == w2.n && w.in_size == w2.in_size &&
                          w.out_size == w2.out_size &&
                          memcmp(w.in, w2.in, w.n * w.in_size) == 0,
                      "%s %s: rebuilt inputs differ", k->name, sizes[s]);
                CHECK(w.nparams == w2.nparams &&
                          memcmp(w.params, w2.params,
                                 sizeof(struct cb_kv) * (size_t)w.nparams) == 0,
                      "%s %s: rebuilt params differ", k->name, sizes[s]);
                CHECK(w.work == w2.work && w.bytes_touched == w2.bytes_touched &&
                          w.working_set_bytes == w2.working_set_bytes,
                      "%s %s: rebuilt work differs", k->name, sizes[s]);
                k->release(&w2);
            }
            k->release(&w);
        }
    }
    /* NULL size means default */
    {
        struct cb_params p = mkparams(NULL, 0);
        struct cb_workload w;
        struct cb_error e = {0};
        int rc = kernel("empty")->prepare(&w, &p, &e);
        CHECK(rc == 0 && strcmp(w.size, "default") == 0 && w.n == 100000,
              "empty: NULL size -> '%s', n %zu", w.size, w.n);
        kernel("empty")->release(&w);
    }
}

/* ---- factorize: known factorizations ---------------------------------- */

struct fz_known {
    uint64_t n;
    int count;
    uint64_t f[24];
};

static void test_factorize(void)
{
    static const struct fz_known known[] = {
        {0, 0, {0}},
        {1, 0, {0}},
        {2, 1, {2}},
        {1024, 10, {2, 2, 2, 2, 2, 2, 2, 2, 2, 2}},
        {600851475143ULL, 4, {71, 839, 1471, 6857}},
        {999999000001ULL, 1, {999999000001ULL}}, /* 10^18+1 = 101*9901*this */
        {1000000007ULL, 1, {1000000007ULL}},
        {999999999989ULL, 1, {999999999989ULL}},
        {1000000068700ULL, 6, {2, 2, 5, 5, 1471, 6798097}},
        {1000000000000ULL, 24, {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
                                5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5}},
    };
    const struct cb_kernel *k = kernel("factorize");
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        struct cb_params p = mkparams("tiny", 0);
        struct cb_workload w;
        struct cb_error e = {0};
        uint64_t out[65];
        int rc;
        add_kv(&p, "start", "%" PRIu64, known[i].n);
        add_kv(&p, "n", "1");
        rc = k->prepare(&w, &p, &e);
        CHECK(rc == 0 && w.out_size == sizeof out, "factorize %" PRIu64 ": %s",
              known[i].n, e.msg);
        if (rc)
            continue;
        cb_workload_run_all(&w, out);
        CHECK(out[0] == (uint64_t)known[i].count &&
                  memcmp(&out[1], known[i].f,
                         sizeof(uint64_t) * (size_t)known[i].count) == 0,
              "factorize %" PRIu64 ": wrong factors (count %" PRIu64 ")",
              known[i].n, out[0]);
        CHECK(k->verify(&w, out, &e) == 0, "factorize %" PRIu64 " verify: %s",
              known[i].n, e.msg);
        k->release(&w);
    }

    /* 2^62: 62 factors, the most the kernel accepts */
    {
        struct cb_params p = mkparams("tiny", 0);
        struct cb_workload w;
        struct cb_error e = {0};
        uint64_t out[65];
        add_kv(&p, "start", "4611686018427387904");
        add_kv(&p, "n", "1");
        CHECK(k->prepare(&w, &p, &e) == 0, "factorize 2^62: %s", e.msg);
        cb_workload_run_all(&w, out);
        CHECK(out[0] == 62 && out[1] == 2 && out[62] == 2 && out[63] == 0,
              "factorize 2^62: count %" PRIu64, out[0]);
        CHECK(k->verify(&w, out, &e) == 0, "factorize 2^62 verify: %s", e.msg);

        /* verify checks primality, order and the product independently */
        memset(out, 0, sizeof out);
        out[0] = 31;
        for (int j = 1; j <= 31; j++)
            out[j] = 4; /* product right, factors not prime */
        CHECK(k->verify(&w, out, &e) == CB_EVERIFY && strstr(e.msg, "prime"),
              "factorize: composite factors accepted: %s", e.msg);
        k->release(&w);
    }
    {
        struct cb_params p = mkparams("tiny", 0);
        struct cb_workload w;
        struct cb_error e = {0};
        uint64_t out[65] = {3, 3, 2, 2};
        add_kv(&p, "start", "12");
        add_kv(&p, "n", "1");
        CHECK(k->prepare(&w, &p, &e) == 0, "factorize 12: %s", e.msg);
        CHECK(k->verify(&w, out, &e) == CB_EVERIFY,
              "factorize: unsorted factors accepted");
        out[1] = 2, out[3] = 3;
        CHECK(k->verify(&w, out, &e) == 0, "factorize 12 [2,2,3]: %s", e.msg);
        out[0] = 65;
        CHECK(k->verify(&w, out, &e) == CB_EVERIFY,
              "factorize: count 65 accepted");
        k->release(&w);
    }
    /* the default range sits in the 1e12 region */
    {
        struct cb_params p = mkparams("default", 0);
        struct cb_workload w;
        struct cb_error e = {0};
        CHECK(k->prepare(&w, &p, &e) == 0 &&
                  load64(w.in, 0) > 999999999999ULL &&
                  load64(w.in, (w.n - 1) * 8) == load64(w.in, 0) + w.n - 1,
              "factorize default range");
        k->release(&w);
    }
}

/* ---- sum: seed layout without running, uneven chunks ------------------- */

static void test_sum(void)
{
    const struct cb_kernel *k = kernel("sum"), *ks = kernel("sum-shipped");
    struct cb_params p = mkparams("seed", 0);
    struct cb_workload w;
    struct cb_error e = {0};
    uint64_t outs[200], total = 0;
    unsigned __int128 t128 = 0;
    int rc;

    CHECK(k->flags & CB_KERNEL_MEMORY, "sum lacks CB_KERNEL_MEMORY");
    CHECK(kernel("sleep")->flags & CB_KERNEL_BLOCKS,
          "sleep lacks CB_KERNEL_BLOCKS");

    rc = k->prepare(&w, &p, &e);
    CHECK(rc == 0 && w.n == 100 && w.in_size == 16 && w.out_size == 16,
          "sum seed: %s n %zu", e.msg, w.n);
    if (rc == 0) {
        int layout = 1;
        for (size_t i = 0; i < 100; i++) {
            uint64_t a = load64(w.in, i * 16), b = load64(w.in, i * 16 + 8);
            layout &= a == i * 10000000 && b == (i + 1) * 10000000;
            outs[2 * i] = closed_sum(a, b);
            outs[2 * i + 1] = 0;
            total += outs[2 * i];
            t128 += (unsigned __int128)outs[2 * i];
        }
        CHECK(layout, "sum seed: chunks are not seed 004's steps of 1e7");
        CHECK(total == 499999999500000000ULL && t128 == total,
              "sum seed: closed-form total %" PRIu64, total);
        CHECK(w.work == 1e9 && strcmp(w.work_unit, "elements") == 0 &&
                  w.bytes_touched == 1.6e10,
              "sum seed: work %g %s bytes %g", w.work, w.work_unit,
              w.bytes_touched);
        /* one task's chunk array, 1e7 x 8 bytes: the working set that
         * picks its bandwidth ceiling */
        CHECK(w.working_set_bytes == 8e7, "sum seed: working set %g",
              w.working_set_bytes);
        CHECK(strcmp(param_of(&w, "elements"), "1000000000") == 0 &&
                  strcmp(param_of(&w, "chunks"), "100") == 0,
              "sum seed params");
        /* verify accepts closed-form outputs without anything running */
        CHECK(k->verify(&w, outs, &e) == 0, "sum seed verify: %s", e.msg);
        outs[2 * 99] += 1;
        CHECK(k->verify(&w, outs, &e) == CB_EVERIFY,
              "sum seed: bad sum passed");
        outs[2 * 99] -= 1;
        outs[2 * 5 + 1] = 1; /* run() reported a failed allocation */
        CHECK(k->verify(&w, outs, &e) == CB_EVERIFY &&
                  strstr(e.msg, "allocate"),
              "sum: failed allocation not reported: %s", e.msg);
        k->release(&w);
    }

    /* uneven chunks: 10 elements in 3 chunks -> 3, 3, 4 */
    p = mkparams("tiny", 0);
    add_kv(&p, "elements", "10");
    add_kv(&p, "chunks", "3");
    rc = k->prepare(&w, &p, &e);
    CHECK(rc == 0 && w.n == 3 && load64(w.in, 16) == 3 &&
              load64(w.in, 40) == 10,
          "sum 10/3 layout");
    if (rc == 0) {
        cb_workload_run_all(&w, outs);
        CHECK(outs[0] == 3 && outs[2] == 12 && outs[4] == 30 &&
                  k->verify(&w, outs, &e) == 0,
              "sum 10/3: %" PRIu64 " %" PRIu64 " %" PRIu64, outs[0], outs[2],
              outs[4]);
        /* the longest chunk, 4 elements */
        CHECK(w.working_set_bytes == 32, "sum 10/3: working set %g",
              w.working_set_bytes);
        k->release(&w);
    }
    rc = ks->prepare(&w, &p, &e);
    CHECK(rc == 0 && w.n == 3 && w.in_size == 16 + 4 * 8 &&
              load64(w.in, 8) == 3 && load64(w.in, 2 * w.in_size + 8) == 4 &&
              load64(w.in, 2 * w.in_size + 16 + 24) == 9 &&
              load64(w.in, 16 + 24) == 0 /* padding */,
          "sum-shipped 10/3 layout: %s", e.msg);
    if (rc == 0) {
        cb_workload_run_all(&w, outs);
        CHECK(outs[0] == 3 && outs[1] == 12 && outs[2] == 30 &&
                  ks->verify(&w, outs, &e) == 0,
              "sum-shipped 10/3: %" PRIu64 " %" PRIu64 " %" PRIu64, outs[0],
              outs[1], outs[2]);
        CHECK(w.working_set_bytes == (double)w.in_size,
              "sum-shipped 10/3: working set %g, record %zu",
              w.working_set_bytes, w.in_size);
        k->release(&w);
    }

    /* sum-shipped default ships tens of MB; seed keeps 100 chunks */
    p = mkparams("default", 0);
    rc = ks->prepare(&w, &p, &e);
    CHECK(rc == 0 && w.n * w.in_size >= 10u << 20 &&
              w.n * w.in_size <= 100u << 20,
          "sum-shipped default ships %zu bytes", w.n * w.in_size);
    ks->release(&w);
    p = mkparams("seed", 0);
    rc = ks->prepare(&w, &p, &e);
    CHECK(rc == 0 && w.n == 100, "sum-shipped seed: %s", e.msg);
    ks->release(&w);
}

/* ---- sleep really blocks ------------------------------------------------ */

static void test_sleep(void)
{
    const struct cb_kernel *k = kernel("sleep");
    struct cb_params p = mkparams("tiny", 0);
    struct cb_workload w;
    struct cb_error e = {0};
    uint64_t outs[20];
    double t0;
    add_kv(&p, "n", "20");
    add_kv(&p, "us", "500");
    CHECK(k->prepare(&w, &p, &e) == 0, "sleep: %s", e.msg);
    t0 = cb_now();
    cb_workload_run_all(&w, outs);
    CHECK(cb_now() - t0 >= 20 * 500e-6, "sleep: 20 x 500 us took %.6f s",
          cb_now() - t0);
    CHECK(k->verify(&w, outs, &e) == 0, "sleep verify: %s", e.msg);
    /* swapped slots are caught */
    outs[3] = 5, outs[4] = 4;
    CHECK(k->verify(&w, outs, &e) == CB_EVERIFY, "sleep: swapped outputs");
    k->release(&w);
}

/* ---- convoy: the accounting of the I/O and CPU tasks ------------------ */

struct convoy_rec {
    uint64_t role, count, elapsed_ns, lo, hi, index;
};

static void test_convoy(void)
{
    const struct cb_kernel *k = kernel("convoy");
    struct cb_params p = mkparams("tiny", 0);
    struct cb_workload w;
    struct cb_error e = {0};
    struct convoy_rec outs[3], bad[3];
    struct cb_metric m[CB_MAX_METRICS];
    int nm;
    add_kv(&p, "n", "3");
    add_kv(&p, "us", "200");
    add_kv(&p, "ms", "10");
    CHECK(k->prepare(&w, &p, &e) == 0, "convoy: %s", e.msg);
    CHECK(w.out_size == sizeof(struct convoy_rec), "convoy: record of %zu "
          "bytes", w.out_size);
    CHECK(k->flags & CB_KERNEL_TIMED, "convoy is not flagged timed");
    cb_workload_run_all(&w, outs);
    CHECK(k->verify(&w, outs, &e) == 0, "convoy verify: %s", e.msg);
    /* the I/O task: at least one operation, each at least `us` long, the
     * operations fill the window */
    CHECK(outs[0].role == 0 && outs[0].count >= 1 &&
              outs[0].lo >= 200000 && outs[0].hi >= outs[0].lo &&
              outs[0].elapsed_ns >= 10000000 &&
              outs[0].elapsed_ns >= outs[0].count * outs[0].lo &&
              outs[0].count <= 10000000 / 200000 + 1,
          "convoy I/O task: %llu ops of %llu..%llu ns in %llu ns",
          (unsigned long long)outs[0].count, (unsigned long long)outs[0].lo,
          (unsigned long long)outs[0].hi,
          (unsigned long long)outs[0].elapsed_ns);
    /* the CPU tasks: 303 primes below 2000 in every batch */
    for (int i = 1; i < 3; i++)
        CHECK(outs[i].role == 1 && outs[i].count >= 1 && outs[i].lo == 303 &&
                  outs[i].index == (uint64_t)i,
              "convoy CPU task %d: role %llu, %llu batches, %llu primes", i,
              (unsigned long long)outs[i].role,
              (unsigned long long)outs[i].count,
              (unsigned long long)outs[i].lo);
    nm = k->metrics(&w, outs, m, CB_MAX_METRICS);
    CHECK(nm == 2 && strcmp(m[0].name, "io_op_s") == 0 &&
              m[0].value == 1e-9 * (double)outs[0].elapsed_ns /
                                (double)outs[0].count &&
              strcmp(m[1].name, "cpu_batches") == 0 &&
              m[1].value == (double)(outs[1].count + outs[2].count),
          "convoy metrics: %d, %s=%g", nm, nm ? m[0].name : "-",
          nm ? m[0].value : 0);
    /* each broken piece of accounting is caught */
    memcpy(bad, outs, sizeof bad);
    bad[0].count = 0;
    CHECK(k->verify(&w, bad, &e) == CB_EVERIFY, "convoy: 0 operations");
    memcpy(bad, outs, sizeof bad);
    bad[0].lo = 199999;
    CHECK(k->verify(&w, bad, &e) == CB_EVERIFY, "convoy: an op under us");
    memcpy(bad, outs, sizeof bad);
    bad[0].count = bad[0].elapsed_ns / bad[0].lo + 1;
    CHECK(k->verify(&w, bad, &e) == CB_EVERIFY, "convoy: more ops than fit");
    memcpy(bad, outs, sizeof bad);
    bad[0].elapsed_ns = 9999999;
    CHECK(k->verify(&w, bad, &e) == CB_EVERIFY, "convoy: short window");
    memcpy(bad, outs, sizeof bad);
    bad[2].lo = 302;
    CHECK(k->verify(&w, bad, &e) == CB_EVERIFY && strstr(e.msg, "302"),
          "convoy: a wrong prime count: %s", e.msg);
    memcpy(bad, outs, sizeof bad);
    bad[1] = outs[2];
    CHECK(k->verify(&w, bad, &e) == CB_EVERIFY, "convoy: a misplaced task");
    k->release(&w);
}

int main(void)
{
    test_tiny_all();
    test_bad_params();
    test_gcd();
    test_round_trip();
    test_factorize();
    test_sum();
    test_sleep();
    test_convoy();
    return check_finish();
}
