/* The STREAM triad the probe measures ceilings with: see probe.c for the
 * method notes, probe.h for the contract. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "executors/executor.h"
#include "kernels/kernel.h"
#include "probe.h"
#include "results.h"
#include "run.h" /* cb_sample_take */
#include "stats.h"

#define TRIAD_SCALAR 3.0
#define TRIAD_MAX_REPS 64

/* ---- triad --------------------------------------------------------------- */

struct triad_shared {
    double *a, *b, *c;
    size_t n;
    int threads, reps; /* reps includes the untimed first one */
    int passes;        /* sweeps over the arrays per repetition */
    const int *pus;
    pthread_barrier_t bar;
    /* The gate opens once every thread exists (go = 1) or creating one
     * failed (go = -1: the started ones return at once), so a barrier
     * sized for all threads never waits for one that will not come. */
    pthread_mutex_t gate_mu;
    pthread_cond_t gate_cv;
    int go;
    double *t_start, *t_end; /* [thread * reps + rep] */
    double *sums;            /* per thread checksum of its slice of a[] */
};

struct triad_thread {
    struct triad_shared *s;
    int idx;
    pthread_t tid;
};

/* The kernel itself. A Debug build compiles corebench at -O0, where this
 * loop would be bound by instruction count instead of memory: when the
 * translation unit is not optimized, GCC is asked to optimize just this
 * function, so the probe measures memory in every build type. */
#if defined(__GNUC__) && !defined(__clang__) && !defined(__OPTIMIZE__)
__attribute__((optimize("O3")))
#endif
static void
triad_slice(double *restrict a, const double *restrict b,
            const double *restrict c, size_t lo, size_t hi, double s)
{
    for (size_t i = lo; i < hi; i++)
        a[i] = b[i] + s * c[i];
}

static void triad_range(const struct triad_shared *s, int idx, size_t *lo,
                        size_t *hi)
{
    /* slice boundaries on 8-element (64-byte) lines: no line shared by
     * two threads' stores */
    size_t lines = (s->n + 7) / 8;
    size_t l0 = lines * (size_t)idx / (size_t)s->threads;
    size_t l1 = lines * (size_t)(idx + 1) / (size_t)s->threads;
    *lo = l0 * 8 < s->n ? l0 * 8 : s->n;
    *hi = l1 * 8 < s->n ? l1 * 8 : s->n;
}

static void bind_self(int pu)
{
    cpu_set_t set;
    if (pu < 0 || pu >= CPU_SETSIZE)
        return;
    CPU_ZERO(&set);
    CPU_SET(pu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

static void *triad_worker(void *arg)
{
    struct triad_thread *t = arg;
    struct triad_shared *s = t->s;
    size_t lo, hi;
    double sum = 0;

    pthread_mutex_lock(&s->gate_mu);
    while (s->go == 0)
        pthread_cond_wait(&s->gate_cv, &s->gate_mu);
    pthread_mutex_unlock(&s->gate_mu);
    if (s->go < 0)
        return NULL;
    if (s->pus)
        bind_self(s->pus[t->idx]);
    triad_range(s, t->idx, &lo, &hi);
    /* First touch: this thread's pages, on this thread's node. b[i] varies
     * so a thread that computed the wrong slice shows in the checksum. */
    for (size_t i = lo; i < hi; i++) {
        s->a[i] = 0.0;
        s->b[i] = (double)(i % 8);
        s->c[i] = 2.0;
    }
    for (int r = 0; r < s->reps; r++) {
        pthread_barrier_wait(&s->bar);
        s->t_start[t->idx * s->reps + r] = cb_now();
        for (int k = 0; k < s->passes; k++) {
            triad_slice(s->a, s->b, s->c, lo, hi, TRIAD_SCALAR);
            /* every pass really sweeps: the compiler may not fold
             * repeated identical passes into one */
            __asm__ volatile("" : : : "memory");
        }
        s->t_end[t->idx * s->reps + r] = cb_now();
    }
    for (size_t i = lo; i < hi; i++)
        sum += s->a[i];
    s->sums[t->idx] = sum;
    return NULL;
}

static double *map_array(size_t n)
{
    void *p = mmap(NULL, n * sizeof(double), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

int cb_probe_triad(size_t n, int threads, const int *pus, int reps,
                   struct cb_triad_result *r, struct cb_error *e)
{
    return cb_probe_triad_passes(n, 1, threads, pus, reps, r, e);
}

int cb_probe_triad_passes(size_t n, int passes, int threads, const int *pus,
                          int reps, struct cb_triad_result *r,
                          struct cb_error *e)
{
    struct triad_shared s;
    struct triad_thread *th = NULL;
    int started = 0, rc = 0, have_bar = 0;
    double best = INFINITY, sum = 0, expected, median;
    double times[TRIAD_MAX_REPS];
    int ntimes = 0;

    memset(r, 0, sizeof *r);
    if (n < 8 || threads < 1 || threads > CB_MAX_WORKERS || reps < 1 ||
        reps > TRIAD_MAX_REPS || passes < 1 || passes > 1 << 20)
        return CB_FAIL(e, CB_EUSAGE,
                       "triad: bad size %zu, threads %d, "
                       "repetitions %d or passes %d",
                       n, threads, reps, passes);
    memset(&s, 0, sizeof s);
    s.n = n;
    s.threads = threads;
    s.passes = passes;
    s.reps = reps + 1; /* the first repetition is not timed */
    s.pus = pus;
    s.a = map_array(n);
    s.b = map_array(n);
    s.c = map_array(n);
    s.t_start = calloc((size_t)threads * (size_t)s.reps, sizeof(double));
    s.t_end = calloc((size_t)threads * (size_t)s.reps, sizeof(double));
    s.sums = calloc((size_t)threads, sizeof(double));
    th = calloc((size_t)threads, sizeof *th);
    if (!s.a || !s.b || !s.c || !s.t_start || !s.t_end || !s.sums || !th) {
        rc = CB_FAIL(e, CB_ENOMEM, "triad: cannot allocate 3 x %zu MiB",
                     n * sizeof(double) >> 20);
        goto out;
    }
    if (pthread_barrier_init(&s.bar, NULL, (unsigned)threads) != 0) {
        rc = CB_FAIL(e, CB_ESYS, "triad: pthread_barrier_init failed");
        goto out;
    }
    have_bar = 1;
    pthread_mutex_init(&s.gate_mu, NULL);
    pthread_cond_init(&s.gate_cv, NULL);
    for (started = 0; started < threads; started++) {
        int err;
        th[started].s = &s;
        th[started].idx = started;
        err =
            pthread_create(&th[started].tid, NULL, triad_worker, &th[started]);
        if (err) {
            rc =
                CB_FAIL(e, CB_ESYS, "triad: pthread_create: %s", strerror(err));
            break;
        }
    }
    pthread_mutex_lock(&s.gate_mu);
    s.go = rc ? -1 : 1;
    pthread_cond_broadcast(&s.gate_cv);
    pthread_mutex_unlock(&s.gate_mu);
    for (int i = 0; i < started; i++)
        pthread_join(th[i].tid, NULL);
    if (rc)
        goto out;

    for (int rep = 1; rep < s.reps; rep++) {
        double t0 = INFINITY, t1 = -INFINITY;
        for (int i = 0; i < threads; i++) {
            t0 = fmin(t0, s.t_start[i * s.reps + rep]);
            t1 = fmax(t1, s.t_end[i * s.reps + rep]);
        }
        if (t1 - t0 > 0) {
            times[ntimes++] = t1 - t0;
            if (t1 - t0 < best)
                best = t1 - t0;
        }
    }
    /* the median repetition: with the best, the spread of the ceiling (a
     * probe disturbed in part has a median well below its best) */
    median = ntimes ? cb_quantile(times, (size_t)ntimes, 0.5) : NAN;
    for (int i = 0; i < threads; i++)
        sum += s.sums[i];
    /* sum over i of (i % 8) + s * 2, exact in doubles for any array that
     * fits in memory */
    expected = (double)(n / 8) * 28.0;
    for (size_t i = n - n % 8; i < n; i++)
        expected += (double)(i % 8);
    expected += (double)n * TRIAD_SCALAR * 2.0;
    r->checksum = sum;
    r->expected = expected;
    r->best_s = best;
    r->bytes_per_s = isfinite(best) ? 3.0 * sizeof(double) * (double)n *
                                          (double)passes / best
                                    : NAN;
    r->median_bytes_per_s = isfinite(median) && median > 0
                                ? 3.0 * sizeof(double) * (double)n *
                                      (double)passes / median
                                : NAN;
    r->reps = ntimes;
    if (sum != expected)
        rc = CB_FAIL(e, CB_EVERIFY, "triad: checksum %.17g, expected %.17g",
                     sum, expected);
    else if (!isfinite(best))
        rc = CB_FAIL(e, CB_ESYS, "triad: no repetition could be timed");
out:
    if (have_bar) {
        pthread_barrier_destroy(&s.bar);
        pthread_mutex_destroy(&s.gate_mu);
        pthread_cond_destroy(&s.gate_cv);
    }
    if (s.a)
        munmap(s.a, n * sizeof(double));
    if (s.b)
        munmap(s.b, n * sizeof(double));
    if (s.c)
        munmap(s.c, n * sizeof(double));
    free(s.t_start);
    free(s.t_end);
    free(s.sums);
    free(th);
    return rc;
}

/* Reads a small sysfs file as one unsigned number with an optional K/M/G
 * suffix ("32768K"); 0 if unreadable. */
static unsigned long long read_size(const char *path)
{
    char buf[64], *end;
    unsigned long long v;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    if (!fgets(buf, sizeof buf, f)) {
        fclose(f);
        return 0;
    }
    fclose(f);
    v = strtoull(buf, &end, 10);
    if (*end == 'K')
        v <<= 10;
    else if (*end == 'M')
        v <<= 20;
    else if (*end == 'G')
        v <<= 30;
    return v;
}

unsigned long long cb_probe_llc_bytes(const struct cb_topo_info *ti)
{
    /* STREAM's rule is about all caches the arrays can hide in: sum the
     * distinct highest-level caches of the CPUs we may run on (one EPYC
     * package has up to 12 L3s). Distinct = different shared_cpu_list. */
    enum { MAXC = 256 };
    char seen[MAXC][64];
    int nseen = 0, best_level = 0;
    unsigned long long total = 0;
    cpu_set_t set;
    int have_set = sched_getaffinity(0, sizeof set, &set) == 0;

    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        char path[128], shared[64];
        struct stat st;
        if (have_set && !CPU_ISSET(cpu, &set))
            continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cache", cpu);
        if (stat(path, &st) != 0) {
            if (!have_set)
                break;
            continue;
        }
        for (int idx = 0; idx < 16; idx++) {
            unsigned long long size;
            int level, dup = 0;
            char lv[16];
            FILE *f;
            snprintf(path, sizeof path,
                     "/sys/devices/system/cpu/cpu%d/cache/index%d/level", cpu,
                     idx);
            f = fopen(path, "r");
            if (!f)
                break;
            level = fgets(lv, sizeof lv, f) ? atoi(lv) : 0;
            fclose(f);
            if (level < 2 || level < best_level)
                continue;
            snprintf(path, sizeof path,
                     "/sys/devices/system/cpu/cpu%d/cache/index%d/"
                     "shared_cpu_list",
                     cpu, idx);
            f = fopen(path, "r");
            if (!f || !fgets(shared, sizeof shared, f)) {
                if (f)
                    fclose(f);
                continue;
            }
            fclose(f);
            snprintf(path, sizeof path,
                     "/sys/devices/system/cpu/cpu%d/cache/index%d/size", cpu,
                     idx);
            size = read_size(path);
            if (!size)
                continue;
            if (level > best_level) { /* a higher level: start over */
                best_level = level;
                total = 0;
                nseen = 0;
            }
            for (int k = 0; k < nseen; k++)
                if (strcmp(seen[k], shared) == 0)
                    dup = 1;
            if (dup)
                continue;
            if (nseen < MAXC)
                snprintf(seen[nseen++], sizeof seen[0], "%s", shared);
            total += size;
        }
    }
    if (total)
        return total;
    if (ti && ti->l3)
        return ti->l3 *
               (unsigned long long)(ti->packages > 0 ? ti->packages : 1);
    if (ti && ti->l2)
        return ti->l2 * (unsigned long long)(ti->cores > 0 ? ti->cores : 1);
    return 0;
}

