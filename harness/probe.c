/* The probe (see probe.h): bandwidth ceiling, process and thread costs,
 * executor floors, and `corebench probe`.
 *
 * Method notes, so the numbers can be compared with published ones:
 *  - triad follows STREAM (McCalpin): each array at least 4x the total
 *    last-level cache, bytes = 3 arrays x 8 bytes x n per repetition (the
 *    write-allocate read of a[] is not counted, so real traffic is 4/3 of
 *    it), best repetition after an untimed first one. Each thread
 *    first-touches exactly the slice it later computes, so pages land on
 *    its NUMA node; arrays are mmap'ed afresh for every thread count.
 *    A repetition's time spans the first thread's start to the last
 *    thread's end (clock read per thread), not the barrier wake-ups.
 *  - the cache levels (triad_levels) use the same kernel and placement on
 *    arrays filling half of the level (llc: all threads together; l2:
 *    each thread's own), swept enough times per repetition to move at
 *    least 128 MB (quick) or 256 MB, so a repetition lasts milliseconds;
 *    the dram level is the triad above. A kernel is compared with the
 *    fastest level that holds its working set (cb_ceiling_pick).
 *  - fork / pthread / pipe follow lmbench's lat_proc fork and lat_pipe:
 *    medians of many, after warm-up. fork cost grows with the parent's
 *    mapped memory (page tables are copied), so the triad arrays are
 *    unmapped before it runs; inside `corebench run` it measures fork from
 *    corebench as it is at that moment.
 *  - floors run through the executor interface exactly as the harness
 *    does (start, map, verify, stop), with a size calibrated so one map
 *    takes ~20 ms and a pathological executor cannot stall the probe. */
#ifndef _GNU_SOURCE
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#endif
#include "probe.h"
#include "run.h" /* cb_sample_take */

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "env.h"
#include "executors/executor.h"
#include "kernels/kernel.h"
#include "results.h"
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
    double best = INFINITY, sum = 0, expected;

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
        if (t1 - t0 > 0 && t1 - t0 < best)
            best = t1 - t0;
    }
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

/* ---- process and thread costs -------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of x[0..n) (sorts x). cb_median does not sort in place; this
 * avoids a copy of large sample arrays. */
static double median_of(double *x, int n)
{
    if (n <= 0)
        return NAN;
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

#define WARMUP 5

int cb_probe_fork(int count, double *median_s, struct cb_error *e)
{
    double *t;
    *median_s = NAN;
    if (count < 1)
        return CB_FAIL(e, CB_EUSAGE, "fork: count %d", count);
    t = malloc(sizeof *t * (size_t)count);
    if (!t)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    for (int i = -WARMUP; i < count; i++) {
        int status;
        pid_t pid, w;
        double t0 = cb_now();
        pid = fork();
        if (pid == 0)
            _exit(0);
        if (pid < 0) {
            int err = errno;
            free(t);
            return CB_FAIL(e, CB_ESYS, "fork: %s", strerror(err));
        }
        do
            w = waitpid(pid, &status, 0);
        while (w < 0 && errno == EINTR);
        if (i >= 0)
            t[i] = cb_now() - t0;
    }
    *median_s = median_of(t, count);
    free(t);
    return 0;
}

static void *empty_thread(void *arg)
{
    return arg;
}

int cb_probe_pthread(int count, double *median_s, struct cb_error *e)
{
    double *t;
    *median_s = NAN;
    if (count < 1)
        return CB_FAIL(e, CB_EUSAGE, "pthread: count %d", count);
    t = malloc(sizeof *t * (size_t)count);
    if (!t)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    for (int i = -WARMUP; i < count; i++) {
        pthread_t tid;
        double t0 = cb_now();
        int err = pthread_create(&tid, NULL, empty_thread, NULL);
        if (err) {
            free(t);
            return CB_FAIL(e, CB_ESYS, "pthread_create: %s", strerror(err));
        }
        pthread_join(tid, NULL);
        if (i >= 0)
            t[i] = cb_now() - t0;
    }
    *median_s = median_of(t, count);
    free(t);
    return 0;
}

/* read/write of exactly one byte, retrying EINTR; 0 when done. */
static int xfer1(int fd, int do_write)
{
    char ch = 'x';
    for (;;) {
        ssize_t r = do_write ? write(fd, &ch, 1) : read(fd, &ch, 1);
        if (r == 1)
            return 0;
        if (r < 0 && errno == EINTR)
            continue;
        return -1;
    }
}

int cb_probe_pipe(int count, double *median_s, struct cb_error *e)
{
    int to[2] = {-1, -1}, from[2] = {-1, -1}, rc = 0, status, err;
    double *t;
    pid_t pid;
    sigset_t pipe_set, old_set;

    *median_s = NAN;
    if (count < 1)
        return CB_FAIL(e, CB_EUSAGE, "pipe: count %d", count);
    t = malloc(sizeof *t * (size_t)count);
    if (!t)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    if (pipe(to) != 0 || pipe(from) != 0) {
        err = errno;
        rc = CB_FAIL(e, CB_ESYS, "pipe: %s", strerror(err));
        goto out;
    }
    /* A child that dies would turn our write into SIGPIPE, which kills
     * corebench by default: block it here and swallow it below, leaving
     * the process's disposition alone. */
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    pid = fork();
    if (pid == 0) {
        close(to[1]);
        close(from[0]);
        /* echo until EOF */
        while (xfer1(to[0], 0) == 0)
            if (xfer1(from[1], 1) != 0)
                break;
        _exit(0);
    }
    if (pid < 0) {
        err = errno;
        rc = CB_FAIL(e, CB_ESYS, "fork: %s", strerror(err));
    } else {
        close(to[0]);
        close(from[1]);
        to[0] = from[1] = -1;
        for (int i = -WARMUP * 4; i < count; i++) {
            double t0 = cb_now();
            if (xfer1(to[1], 1) != 0 || xfer1(from[0], 0) != 0) {
                rc = CB_FAIL(e, CB_ESYS,
                             "pipe round trip: the echo child "
                             "stopped answering");
                break;
            }
            if (i >= 0)
                t[i] = cb_now() - t0;
        }
        close(to[1]);
        to[1] = -1;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old_set, NULL);
    if (rc == 0)
        *median_s = median_of(t, count);
out:
    for (int i = 0; i < 2; i++) {
        if (to[i] >= 0)
            close(to[i]);
        if (from[i] >= 0)
            close(from[i]);
    }
    free(t);
    return rc;
}

/* ---- executor floors ----------------------------------------------------- */

struct floor_result {
    size_t tasks;
    int maps;
    double start_s, per_task_s;
};

/* `maps` samples (+1 untimed warm-up when maps > 1) of x on `empty` with n
 * tasks at chunksize 1 (openmp: dynamic,1, its counterpart of a pool
 * handing out one task at a time), through the sweep's own sampling loop
 * (cb_sample_take: a fresh pool per sample, outputs verified). Each map's
 * time lands in times[], the last start-up in *start_s. */
static int floor_pass(const struct cb_executor *x, const struct cb_kernel *k,
                      int workers, size_t n, int maps, double *times,
                      double *start_s, struct cb_error *e)
{
    static const struct cb_xvalue asked[] = {
        {"chunksize", "1", 1}, {"schedule", "dynamic", 1}};
    struct cb_params p;
    struct cb_workload w;
    struct cb_exec_config c;
    struct cb_map_stats st;
    void *outs = NULL;
    int rc;

    memset(&p, 0, sizeof p);
    memset(&c, 0, sizeof c);
    memset(&st, 0, sizeof st);
    p.size = "tiny";
    p.seed = 1;
    p.nkv = 1;
    snprintf(p.kv[0].key, sizeof p.kv[0].key, "n");
    snprintf(p.kv[0].val, sizeof p.kv[0].val, "%zu", n);
    rc = k->prepare(&w, &p, e);
    if (rc)
        return rc;
    if (!w.kernel) /* executors reach run() through w->kernel */
        w.kernel = k;
    outs = calloc(w.n ? w.n : 1, w.out_size ? w.out_size : 1);
    st.nworkers = workers;
    st.w = calloc((size_t)workers, sizeof *st.w);
    if (!outs || !st.w) {
        rc = CB_FAIL(e, CB_ENOMEM, "out of memory");
        goto out;
    }
    c.workers = workers;
    c.self_exe = "/proc/self/exe";
    c.workload = &w;
    if ((rc = cb_exec_config_params(&c, x, asked, 2, e)))
        goto out;
    for (int i = maps > 1 ? -1 : 0; i < maps; i++) {
        struct cb_sample smp;
        if ((rc = cb_sample_take(x, &c, &w, outs, &st, NULL, &smp, e)))
            goto out;
        *start_s = smp.startup_s;
        if (i >= 0)
            times[i] = smp.map_s;
    }
out:
    free(st.w);
    free(outs);
    k->release(&w);
    return rc;
}

static int floor_measure(const struct cb_executor *x, const struct cb_kernel *k,
                         int workers, int quick, struct floor_result *fr,
                         struct cb_error *e)
{
    /* A fixed task count, so floors from different machines divide the
     * same fixed map overhead: 20000 tasks for shared memory, 2000 where a
     * task costs a pipe round trip or more (half with quick). Calibration
     * maps of 32, 256, 2048 tasks shrink n only for an executor so slow
     * that one map would exceed `budget`: a pathological executor (a task
     * per GIL switch interval, say) must not stall the probe. A small map's
     * time includes the fixed wake-up cost, so calibration grows until the
     * estimate is either good or the map itself is long. */
    const double budget = quick ? 0.05 : 0.1;
    int procs = (x->caps & (CB_EXEC_PROCESSES | CB_EXEC_COPIES)) != 0;
    size_t n = procs ? (quick ? 1000 : 2000) : (quick ? 10000 : 20000);
    size_t nc = 32;
    int maps = quick ? 3 : 5;
    double times[8], cal = 0, start_s = 0;
    int rc;

    memset(fr, 0, sizeof *fr);
    for (;;) {
        double per;
        rc = floor_pass(x, k, workers, nc, 1, &cal, &start_s, e);
        if (rc)
            return rc;
        if (cal > 5 * budget) {
            /* one calibration map already took long: it is the result */
            fr->tasks = nc;
            fr->maps = 1;
            fr->start_s = start_s;
            fr->per_task_s = cal / (double)nc;
            return 0;
        }
        per = cal / (double)nc; /* an upper bound of the per-task cost */
        if (per * (double)n <= budget)
            break;
        if (nc * 8 >= n || cal > budget / 4) {
            size_t fit = per > 0 ? (size_t)(budget / per) : n;
            n = fit < nc ? nc : (fit < n ? fit : n);
            break;
        }
        nc *= 8;
    }
    rc = floor_pass(x, k, workers, n, maps, times, &start_s, e);
    if (rc)
        return rc;
    fr->tasks = n;
    fr->maps = maps;
    fr->start_s = start_s;
    fr->per_task_s = median_of(times, maps) / (double)n;
    return 0;
}

/* ---- the probe ----------------------------------------------------------- */

static void progress(const struct cb_probe_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void progress(const struct cb_probe_opts *o, const char *fmt, ...)
{
    va_list ap;
    if (!o->progress)
        return;
    va_start(ap, fmt);
    fprintf(o->progress, "probe: ");
    vfprintf(o->progress, fmt, ap);
    fputc('\n', o->progress);
    fflush(o->progress);
    va_end(ap);
}

static void add_error(json_t *errors, const char *part,
                      const struct cb_error *e)
{
    char line[600];
    snprintf(line, sizeof line, "%s: %s", part, e->msg);
    json_array_append_new(errors, cb_json_text(line));
}

/* Thread counts for the triad: every count up to 8 (quick: 1, 2, 4),
 * then doubling, and always the maximum. Returns how many were written. */
static int triad_counts(int max, int quick, int *counts, int cap)
{
    int n = 0, every = quick ? 2 : 8;
    for (int t = 1; t <= max && n < cap; t = t < every ? t + 1 : t * 2)
        counts[n++] = t;
    if (n > 0 && counts[n - 1] != max && n < cap)
        counts[n++] = max;
    return n;
}

/* Bytes a cache-level triad repetition moves at least (passes over arrays
 * that fit a cache take microseconds each): a few milliseconds per
 * repetition at cache bandwidths. */
#define TRIAD_LEVEL_REP_BYTES(quick) ((quick) ? 128e6 : 256e6)

/* Measures one working-set class at every thread count: at t threads the
 * arrays hold fixed + per_thread * t elements each, swept `passes` times
 * (enough for min_rep_bytes per repetition). Appends one {"threads",
 * "bytes_per_s"} per count to points; stops at the first failure (added
 * to errors as PART). *passes_used: the passes of the last count. */
static void triad_points(const struct cb_probe_opts *o, struct cb_topo *topo,
                         const int *counts, int ncounts, int reps,
                         const char *part, size_t fixed, size_t per_thread,
                         double min_rep_bytes, json_t *points,
                         int *passes_used, int *pinned, json_t *errors)
{
    struct cb_pin_spec spec;
    struct cb_error e;
    int pus[CB_MAX_WORKERS];

    memset(&spec, 0, sizeof spec);
    spec.policy = CB_PIN_SCATTER;
    for (int i = 0; i < ncounts; i++) {
        struct cb_triad_result r;
        int t = counts[i], use_pus = 0, passes = 1;
        size_t n = fixed + per_thread * (size_t)t;
        double bytes = 3.0 * sizeof(double) * (double)n;
        json_t *entry;
        if (n < 8 * (size_t)t)
            n = 8 * (size_t)t;
        if (min_rep_bytes > bytes)
            passes = (int)ceil(min_rep_bytes / bytes);
        /* scatter: at t threads, the placement with the most memory
         * controllers and caches behind it, as STREAM runs are made with
         * OMP_PROC_BIND=spread */
        if (topo && cb_topo_is_this_machine(topo) &&
            cb_topo_plan(topo, &spec, t, pus, &e) == 0)
            use_pus = *pinned = 1;
        progress(o, "triad %s, %d thread%s, 3 x %.3g MiB x %d pass%s", part,
                 t, t > 1 ? "s" : "", (double)n * 8 / 1048576.0, passes,
                 passes > 1 ? "es" : "");
        if (cb_probe_triad_passes(n, passes, t, use_pus ? pus : NULL, reps, &r,
                                  &e) != 0) {
            char what[32];
            snprintf(what, sizeof what, "triad %s", part);
            add_error(errors, what, &e);
            break;
        }
        *passes_used = passes;
        entry = json_pack("{s:i,s:o}", "threads", t, "bytes_per_s",
                          cb_json_num(r.bytes_per_s));
        if (entry)
            json_array_append_new(points, entry);
    }
}

/* One entry of probe.triad_levels. cache_bytes 0: no limit (dram). ws:
 * the triad's own working set in the same sense as cache_bytes (per
 * thread for a private cache). */
static json_t *level_json(const char *name, unsigned long long cache_bytes,
                          int shared, double ws, int passes, json_t *points)
{
    return json_pack("{s:s,s:o,s:b,s:o,s:i,s:o}", "level", name, "cache_bytes",
                     cache_bytes ? json_integer((json_int_t)cache_bytes)
                                 : json_null(),
                     "shared", shared, "working_set_bytes", cb_json_num(ws),
                     "passes", passes, "points", points);
}

static int run_triad(const struct cb_probe_opts *o, struct cb_topo *topo,
                     const struct cb_topo_info *ti, int npus, json_t *probe,
                     json_t *errors)
{
    json_t *arr = json_array(), *levels = json_array();
    unsigned long long llc = cb_probe_llc_bytes(ti);
    /* a private level below the LLC: L2, when there is an L3 above it */
    unsigned long long l2 = ti && ti->l3 && ti->l2 && ti->l2 < llc ? ti->l2 : 0;
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    unsigned long long ram =
        pages > 0 && psize > 0 ? (unsigned long long)pages * psize : 0;
    unsigned long long bytes = o->triad_bytes;
    int counts[64], ncounts, maxt, reps = o->quick ? 3 : 6;
    int pinned = 0, passes;
    json_t *pl2 = NULL, *pllc = NULL;
    size_t l2_elems = 0, llc_elems = 0;

    if (!arr || !levels) {
        json_decref(arr);
        json_decref(levels);
        return CB_ENOMEM;
    }
    if (!bytes) {
        bytes = llc ? 4 * llc : 64ULL << 20;
        if (bytes < (16ULL << 20))
            bytes = 16ULL << 20;
        if (ram && 3 * bytes > ram / 8)
            bytes = ram / 24;
    }
    maxt = o->max_threads > 0 && o->max_threads < npus ? o->max_threads : npus;
    if (maxt > CB_MAX_WORKERS)
        maxt = CB_MAX_WORKERS;
    ncounts = triad_counts(maxt, o->quick, counts, 64);
    json_object_set_new(probe, "triad_array_bytes",
                        json_integer((json_int_t)(bytes / 8 * 8)));
    json_object_set_new(probe, "triad_llc_bytes",
                        llc ? json_integer((json_int_t)llc) : json_null());
    json_object_set_new(probe, "triad_repetitions", json_integer(reps));

    /* dram: arrays of 4x the LLC, one sweep per repetition (STREAM) */
    triad_points(o, topo, counts, ncounts, reps, "dram",
                 (size_t)(bytes / sizeof(double)), 0, 0, arr, &passes,
                 &pinned, errors);
    /* Cache levels: the three arrays fill half the cache, so they stay in
     * it with room for everything else. llc is shared: half of it for all
     * threads together; l2 is private: half of each thread's own. */
    if (llc) {
        llc_elems = (size_t)(llc / 2 / (3 * sizeof(double)));
        pllc = json_array();
        passes = 1;
        if (pllc)
            triad_points(o, topo, counts, ncounts, reps, "llc", llc_elems, 0,
                         TRIAD_LEVEL_REP_BYTES(o->quick), pllc, &passes,
                         &pinned, errors);
        if (pllc)
            json_array_append_new(levels,
                level_json("llc", llc, 1, 3.0 * sizeof(double) *
                           (double)llc_elems, passes, pllc));
    }
    if (l2) {
        l2_elems = (size_t)(l2 / 2 / (3 * sizeof(double)));
        pl2 = json_array();
        passes = 1;
        if (pl2)
            triad_points(o, topo, counts, ncounts, reps, "l2", 0, l2_elems,
                         TRIAD_LEVEL_REP_BYTES(o->quick), pl2, &passes,
                         &pinned, errors);
        if (pl2)
            json_array_insert_new(levels, 0,
                level_json("l2", l2, 0, 3.0 * sizeof(double) *
                           (double)l2_elems, passes, pl2));
    }
    json_array_append_new(levels,
        level_json("dram", 0, 1, 3.0 * (double)(bytes / 8 * 8), 1,
                   json_deep_copy(arr)));
    json_object_set_new(probe, "triad_pin",
                        json_string(pinned ? "scatter" : "none"));
    json_object_set_new(probe, "triad", arr);
    json_object_set_new(probe, "triad_levels", levels);
    return 0;
}

static void run_costs(const struct cb_probe_opts *o, json_t *probe,
                      json_t *errors)
{
    struct cb_error e;
    double v;
    int nfork = o->quick ? 50 : 200, nthr = o->quick ? 200 : 1000,
        npipe = o->quick ? 500 : 2000;

    progress(o, "fork + exit + waitpid, median of %d", nfork);
    if (cb_probe_fork(nfork, &v, &e) != 0)
        add_error(errors, "fork", &e);
    json_object_set_new(probe, "fork_s", cb_json_num(v));

    progress(o, "pthread_create + join, median of %d", nthr);
    if (cb_probe_pthread(nthr, &v, &e) != 0)
        add_error(errors, "pthread_create", &e);
    json_object_set_new(probe, "pthread_create_s", cb_json_num(v));

    progress(o, "pipe round trip, median of %d", npipe);
    if (cb_probe_pipe(npipe, &v, &e) != 0)
        add_error(errors, "pipe", &e);
    json_object_set_new(probe, "pipe_roundtrip_s", cb_json_num(v));
}

static void run_floors(const struct cb_probe_opts *o, int npus, json_t *probe,
                       json_t *errors)
{
    json_t *arr = json_array();
    const struct cb_kernel *k = cb_kernel_find("empty");
    struct cb_error e;

    if (!arr)
        return;
    json_object_set_new(probe, "floors", arr);
    if (!k) {
        CB_FAIL(&e, CB_EUNSUPPORTED, "no kernel named 'empty' is registered");
        add_error(errors, "floors", &e);
        return;
    }
    for (int i = 0; cb_executors[i]; i++) {
        const struct cb_executor *x = cb_executors[i];
        int workers = (x->caps & CB_EXEC_SINGLE) ? 1 : (npus < 2 ? npus : 2);
        struct floor_result fr;
        struct cb_exec_config ac = {.workers = workers};
        struct cb_exec_about ab = {0};
        json_t *entry;
        int avail;
        /* floors are the C executors' (other runtimes time themselves and
         * take seconds to start: a run sets them beside these); an executor
         * that cannot run here (not built in; mpi outside mpirun) has none:
         * left out, not an error */
        memset(&e, 0, sizeof e);
        avail = !x->runtime &&
                (!x->available || x->available(&ac, &ab, &e) == 0);
        free(ab.json);
        if (!avail)
            continue;
        progress(o, "floor of %s, %d worker%s", x->name, workers,
                 workers > 1 ? "s" : "");
        memset(&e, 0, sizeof e);
        if (floor_measure(x, k, workers, o->quick, &fr, &e) != 0) {
            entry = json_pack("{s:s,s:i,s:n,s:s}", "executor", x->name,
                              "workers", workers, "per_task_s", "error", e.msg);
            add_error(errors, x->name, &e);
        } else {
            entry = json_pack("{s:s,s:i,s:o,s:I,s:i,s:o}", "executor", x->name,
                              "workers", workers, "per_task_s",
                              cb_json_num(fr.per_task_s), "tasks",
                              (json_int_t)fr.tasks, "maps", fr.maps, "start_s",
                              cb_json_num(fr.start_s));
        }
        if (entry)
            json_array_append_new(arr, entry);
    }
}

json_t *cb_probe_run(const struct cb_probe_opts *o, struct cb_error *e)
{
    struct cb_probe_opts dflt;
    struct cb_topo *own = NULL, *topo;
    struct cb_topo_info ti, *tip = NULL;
    json_t *probe = json_object(), *errors = json_array();
    int npus;
    double t0 = cb_now();

    if (!probe || !errors) {
        json_decref(probe);
        json_decref(errors);
        return CB_FAIL(e, CB_ENOMEM, "out of memory"), NULL;
    }
    if (!o) {
        memset(&dflt, 0, sizeof dflt);
        o = &dflt;
    }
    topo = (struct cb_topo *)o->topo;
    if (!topo) {
        struct cb_error te;
        if (cb_topo_load(&own, NULL, NULL, &te) == 0)
            topo = own;
        else
            add_error(errors, "topology", &te);
    }
    memset(&ti, 0, sizeof ti);
    if (topo && cb_topo_info(topo, &ti) == 0)
        tip = &ti;
    npus = cb_env_allowed_pus(NULL, 0);

    json_object_set_new(probe, "quick", json_boolean(o->quick));
    run_triad(o, topo, tip, npus, probe, errors);
    run_costs(o, probe, errors);
    if (o->no_floors)
        json_object_set_new(probe, "floors", json_array());
    else
        run_floors(o, npus, probe, errors);
    json_object_set_new(probe, "duration_s", json_real(cb_now() - t0));
    if (json_array_size(errors))
        json_object_set_new(probe, "errors", errors);
    else
        json_decref(errors);
    cb_topo_destroy(own);
    return probe;
}

json_t *cb_probe_run_quick(const struct cb_topo *t, struct cb_error *e)
{
    struct cb_probe_opts o;
    memset(&o, 0, sizeof o);
    o.quick = 1;
    o.topo = t;
    return cb_probe_run(&o, e);
}

/* ---- the ceiling that applies to a working set ---------------------------- */

static int point_cmp(const void *pa, const void *pb)
{
    const struct cb_triad_point *a = pa, *b = pb;
    return (a->threads > b->threads) - (a->threads < b->threads);
}

/* Valid points of a JSON array into lv, sorted, one per thread count (the
 * best, as the probe keeps the best repetition). */
static void read_points(const json_t *arr, struct cb_triad_level *lv)
{
    const json_t *v;
    size_t i;
    int k = 0;
    lv->npoints = 0;
    json_array_foreach(arr, i, v)
    {
        const json_t *t = json_object_get(v, "threads");
        double bw = cb_json_get(v, "bytes_per_s");
        if (lv->npoints >= CB_TRIAD_MAX_POINTS)
            break;
        if (!json_is_integer(t) || json_integer_value(t) < 1 ||
            json_integer_value(t) > 1 << 20 || !(bw > 0) || !isfinite(bw))
            continue;
        lv->pt[lv->npoints].threads = (long)json_integer_value(t);
        lv->pt[lv->npoints++].bytes_per_s = bw;
    }
    qsort(lv->pt, (size_t)lv->npoints, sizeof lv->pt[0], point_cmp);
    for (int j = 0; j < lv->npoints; j++) {
        if (k > 0 && lv->pt[k - 1].threads == lv->pt[j].threads) {
            if (lv->pt[j].bytes_per_s > lv->pt[k - 1].bytes_per_s)
                lv->pt[k - 1].bytes_per_s = lv->pt[j].bytes_per_s;
        } else {
            lv->pt[k++] = lv->pt[j];
        }
    }
    lv->npoints = k;
}

int cb_triad_levels_read(const json_t *probe, struct cb_triad_level *lv,
                         int max)
{
    const json_t *levels = json_object_get(probe, "triad_levels"), *v;
    size_t i;
    int n = 0;

    if (!json_is_object(probe) || max < 1)
        return 0;
    if (!json_is_array(levels)) {
        /* a file from before levels: its triad is the dram level */
        memset(&lv[0], 0, sizeof lv[0]);
        snprintf(lv[0].name, sizeof lv[0].name, "dram");
        lv[0].cache_bytes = INFINITY;
        lv[0].shared = 1;
        read_points(json_object_get(probe, "triad"), &lv[0]);
        return 1;
    }
    json_array_foreach(levels, i, v)
    {
        const char *name = json_string_value(json_object_get(v, "level"));
        const json_t *cb = json_object_get(v, "cache_bytes");
        const json_t *sh = json_object_get(v, "shared");
        struct cb_triad_level *l = &lv[n];
        size_t len;
        int ok = 1;
        if (n >= max)
            break;
        /* a short lowercase name: it is printed in tables */
        if (!name || (len = strlen(name)) == 0 || len >= sizeof l->name)
            continue;
        for (size_t j = 0; j < len; j++)
            ok &= (name[j] >= 'a' && name[j] <= 'z') ||
                  (name[j] >= '0' && name[j] <= '9');
        if (!ok)
            continue;
        memset(l, 0, sizeof *l);
        snprintf(l->name, sizeof l->name, "%s", name);
        if (json_is_null(cb) || !cb) {
            l->cache_bytes = INFINITY; /* no limit: memory */
        } else if (json_is_number(cb) && json_number_value(cb) > 0 &&
                   isfinite(json_number_value(cb))) {
            l->cache_bytes = json_number_value(cb);
        } else {
            continue;
        }
        l->shared = json_is_boolean(sh) ? json_is_true(sh) : 1;
        read_points(json_object_get(v, "points"), l);
        n++;
    }
    return n;
}

/* The working set as level l's cache sees it; NaN when unknown. */
static double ws_at(const struct cb_triad_level *l, double ws_per_worker,
                    long workers)
{
    if (!(ws_per_worker > 0) || !isfinite(ws_per_worker))
        return NAN;
    return l->shared ? ws_per_worker * (double)(workers > 0 ? workers : 1)
                     : ws_per_worker;
}

static int fits(const struct cb_triad_level *l, double ws)
{
    return isinf(l->cache_bytes) || ws <= l->cache_bytes; /* NaN: no */
}

/* The largest point at <= workers threads, or NULL. */
static const struct cb_triad_point *point_at(const struct cb_triad_level *l,
                                             long workers)
{
    const struct cb_triad_point *best = NULL;
    for (int i = 0; i < l->npoints && l->pt[i].threads <= workers; i++)
        best = &l->pt[i];
    return best;
}

int cb_ceiling_pick(const struct cb_triad_level *lv, int n,
                    double ws_per_worker, long workers, struct cb_ceiling *c)
{
    memset(c, 0, sizeof *c);
    c->level = -1;
    c->threads = -1;
    c->bytes_per_s = c->ws_bytes = NAN;
    c->ws_per_worker =
        ws_per_worker > 0 && isfinite(ws_per_worker) ? ws_per_worker : NAN;
    c->workers = workers;
    for (int i = 0; i < n; i++) {
        double ws = ws_at(&lv[i], ws_per_worker, workers);
        const struct cb_triad_point *p;
        if (!fits(&lv[i], ws) || !(p = point_at(&lv[i], workers)))
            continue;
        c->level = i;
        c->threads = p->threads;
        c->bytes_per_s = p->bytes_per_s;
        c->ws_bytes = ws;
        return 0;
    }
    return -1;
}

/* bytes as "18.3 MiB" (binary, as cache sizes are given; 3 digits) */
static void fmt_mb(double b, char *buf, size_t len)
{
    if (b >= 1073741824.0)
        snprintf(buf, len, "%.3g GiB", b / 1073741824.0);
    else if (b >= 1048576.0)
        snprintf(buf, len, "%.3g MiB", b / 1048576.0);
    else
        snprintf(buf, len, "%.3g KiB", b / 1024.0);
}

void cb_ceiling_explain(const struct cb_triad_level *lv, int n,
                        const struct cb_ceiling *c, double fraction,
                        char *buf, size_t len)
{
    const struct cb_triad_level *l;
    char ws[24], cap[24];
    size_t k;

    if (len)
        buf[0] = '\0';
    if (!(fraction > 1) || !c || c->level < 0 || c->level >= n || len == 0)
        return;
    l = &lv[c->level];
    k = (size_t)snprintf(buf, len, "above the %s triad: ", l->name);
    if (k >= len)
        return;
    if (isnan(c->ws_bytes)) {
        snprintf(buf + k, len - k,
                 "the kernel declares no working set, so it may run from a "
                 "cache");
        return;
    }
    /* the nearest faster level: one the working set fits but that had no
     * point at this thread count, or one it spills from only partly */
    for (int j = c->level - 1; j >= 0; j--) {
        const struct cb_triad_level *f = &lv[j];
        double w = ws_at(f, c->ws_per_worker, c->workers);
        if (isinf(f->cache_bytes))
            continue;
        fmt_mb(f->cache_bytes, cap, sizeof cap);
        fmt_mb(w, ws, sizeof ws);
        if (fits(f, w)) {
            snprintf(buf + k, len - k,
                     "the working set (%s) fits the %s (%s), whose triad has "
                     "no point at %ld thread%s or fewer",
                     ws, f->name, cap, c->workers, c->workers == 1 ? "" : "s");
            return;
        }
        if (fits(f, w / 4)) {
            snprintf(buf + k, len - k,
                     "partly cached, the working set (%s) is within 4x of the "
                     "%s (%s)",
                     ws, f->name, cap);
            return;
        }
    }
    snprintf(buf + k, len - k,
             "faster than the probe's best triad (a disturbed probe, or an "
             "access pattern the triad does not reach)");
}

/* ---- printing and the command -------------------------------------------- */

static void print_us(FILE *f, const char *label, const json_t *v)
{
    if (json_is_number(v))
        fprintf(f, "  %-24s %10.2f us\n", label, json_number_value(v) * 1e6);
    else
        fprintf(f, "  %-24s %10s\n", label, "n/a");
}

void cb_probe_print(const json_t *probe, FILE *f)
{
    const json_t *triad = json_object_get(probe, "triad");
    const json_t *floors = json_object_get(probe, "floors");
    const json_t *errors = json_object_get(probe, "errors");
    const json_t *v;
    size_t i;
    double one = NAN;

    fprintf(
        f, "memory bandwidth: STREAM triad a = b + s*c, best of %d",
        (int)json_integer_value(json_object_get(probe, "triad_repetitions")));
    v = json_object_get(probe, "triad_array_bytes");
    if (json_is_integer(v))
        fprintf(f, ", 3 arrays x %.0f MiB",
                (double)json_integer_value(v) / 1048576.0);
    v = json_object_get(probe, "triad_pin");
    if (json_is_string(v))
        fprintf(f, ", pin %s", json_string_value(v));
    fprintf(f, "\n  %7s %10s %9s\n", "threads", "GB/s", "vs 1");
    json_array_foreach(triad, i, v)
    {
        double b = cb_json_get(v, "bytes_per_s");
        if (i == 0)
            one = b;
        fprintf(f, "  %7d %10.2f %8.2fx\n",
                (int)json_integer_value(json_object_get(v, "threads")), b / 1e9,
                b / one);
    }
    if (json_array_size(triad) == 0)
        fprintf(f, "  (not measured)\n");
    {
        /* the cache levels: what a kernel whose working set fits them is
         * compared with */
        struct cb_triad_level lv[CB_TRIAD_MAX_LEVELS];
        int nl = json_is_array(json_object_get(probe, "triad_levels"))
                     ? cb_triad_levels_read(probe, lv, CB_TRIAD_MAX_LEVELS)
                     : 0;
        const struct cb_triad_level *dram = NULL;
        for (int l = 0; l < nl; l++)
            if (isinf(lv[l].cache_bytes))
                dram = &lv[l];
        for (int l = 0; l < nl; l++) {
            if (isinf(lv[l].cache_bytes))
                continue;
            fprintf(f, "  in %s (working sets up to %.3g MiB%s):\n",
                    lv[l].name, lv[l].cache_bytes / 1048576.0,
                    lv[l].shared ? " in all" : " per thread");
            for (int i = 0; i < lv[l].npoints; i++) {
                const struct cb_triad_point *d =
                    dram ? point_at(dram, lv[l].pt[i].threads) : NULL;
                fprintf(f, "  %7ld %10.2f", lv[l].pt[i].threads,
                        lv[l].pt[i].bytes_per_s / 1e9);
                if (d && d->threads == lv[l].pt[i].threads)
                    fprintf(f, " %8.2fx dram",
                            lv[l].pt[i].bytes_per_s / d->bytes_per_s);
                fputc('\n', f);
            }
            if (lv[l].npoints == 0)
                fprintf(f, "  (not measured)\n");
        }
    }

    fprintf(f, "\nprocess and thread costs (median)\n");
    print_us(f, "fork + exit + waitpid", json_object_get(probe, "fork_s"));
    print_us(f, "pthread_create + join",
             json_object_get(probe, "pthread_create_s"));
    print_us(f, "pipe round trip (1 byte)",
             json_object_get(probe, "pipe_roundtrip_s"));

    if (json_array_size(floors)) {
        fprintf(f, "\nexecutor floors: empty kernel, chunksize 1\n");
        fprintf(f, "  %-14s %7s %7s %14s %11s\n", "executor", "workers",
                "tasks", "per task (us)", "start (ms)");
        json_array_foreach(floors, i, v)
        {
            const json_t *err = json_object_get(v, "error");
            fprintf(f, "  %-14s %7d ",
                    json_string_value(json_object_get(v, "executor")),
                    (int)json_integer_value(json_object_get(v, "workers")));
            if (json_is_string(err))
                fprintf(f, "failed: %s\n", json_string_value(err));
            else
                fprintf(
                    f, "%7lld %14.3f %11.3f\n",
                    (long long)json_integer_value(json_object_get(v, "tasks")),
                    cb_json_get(v, "per_task_s") * 1e6,
                    cb_json_get(v, "start_s") * 1e3);
        }
    }
    if (json_array_size(errors)) {
        fprintf(f, "\nnot measured:\n");
        json_array_foreach(errors, i, v)
            fprintf(f, "  %s\n", json_string_value(v));
    }
}

static void probe_usage(FILE *f)
{
    fprintf(f,
            "usage: corebench probe [--quick] [--no-floors] [--json FILE "
            "[--force]]\n\n"
            "Measures this machine's ceilings and floors, as embedded in "
            "every result\nfile by `corebench run` (unless --no-probe):\n"
            "  - memory bandwidth: STREAM triad at 1..N threads (N = allowed "
            "PUs),\n"
            "    in DRAM and with working sets that fit the L2 and the "
            "last-level cache\n"
            "  - fork + exit + waitpid, pthread_create + join, pipe round "
            "trip\n"
            "  - per-task floor of every executor on the empty kernel\n\n"
            "options:\n"
            "  --quick        fewer repetitions (about a second)\n"
            "  --no-floors    skip the executor floors\n"
            "  --json FILE    also write {context, probe} as JSON to FILE\n"
            "  --force        replace FILE if it exists\n"
            "  --help         this text\n");
}

static int probe_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int probe_fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "corebench probe: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

int cb_cmd_probe(int argc, char **argv)
{
    struct cb_probe_opts o;
    const char *json_path = NULL;
    int force = 0, rc = 0;
    struct cb_topo *topo = NULL;
    struct cb_error e;
    json_t *probe, *root, *ctx;

    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            probe_usage(stdout);
            return 0;
        } else if (strcmp(a, "--quick") == 0) {
            o.quick = 1;
        } else if (strcmp(a, "--no-floors") == 0) {
            o.no_floors = 1;
        } else if (strcmp(a, "--force") == 0) {
            force = 1;
        } else if (strcmp(a, "--json") == 0) {
            if (i + 1 >= argc || !argv[i + 1][0])
                return probe_fail("--json needs a file name");
            json_path = argv[++i];
        } else if (strncmp(a, "--json=", 7) == 0) {
            json_path = a + 7;
            if (!*json_path)
                return probe_fail("--json needs a file name");
        } else {
            return probe_fail("unknown %s '%s' (accepted: --quick, "
                              "--no-floors, --json FILE, --force, --help)",
                              a[0] == '-' ? "option" : "argument", a);
        }
    }
    if (force && !json_path)
        return probe_fail("--force only applies to --json FILE");
    /* Refuse a path that cannot be written before spending seconds. */
    if (json_path && cb_results_check_target("--json", json_path, force,
                                             &e) != 0)
        return probe_fail("%s", e.msg);

    if (cb_topo_load(&topo, NULL, NULL, &e) != 0) {
        fprintf(stderr,
                "corebench probe: topology unavailable (%s): "
                "triad threads run unpinned\n",
                e.msg);
        topo = NULL;
    }
    ctx = cb_env_capture(topo, argc, argv);
    o.topo = topo;
    o.progress = stderr;
    probe = cb_probe_run(&o, &e);
    if (!probe) {
        fprintf(stderr, "corebench probe: %s\n", e.msg);
        json_decref(ctx);
        cb_topo_destroy(topo);
        return 1;
    }
    printf("\n");
    cb_probe_print(probe, stdout);
    {
        /* The figures are ceilings only on a quiet machine: say so when
         * other work was running (load measured before the probe). */
        const json_t *la = json_object_get(ctx, "load_avg");
        double l1 = json_number_value(json_array_get(la, 0));
        int npus = cb_env_allowed_pus(NULL, 0);
        if (l1 > 0.25 * npus)
            printf("\nwarning: 1-minute load average was %.2f on %d PU%s: "
                   "other work shared the machine, so bandwidth is low and "
                   "costs are high\n",
                   l1, npus, npus > 1 ? "s" : "");
    }
    fflush(stdout);
    if (json_path) {
        root = json_pack("{s:s,s:o,s:O}", "schema", "corebench-probe/1",
                         "context", ctx ? ctx : json_null(), "probe", probe);
        ctx = NULL;
        if (!root || cb_results_write(root, json_path, force, &e) != 0) {
            fprintf(stderr, "corebench probe: %s\n",
                    root ? e.msg : "out of memory");
            rc = 1;
        }
        json_decref(root);
    }
    json_decref(ctx);
    json_decref(probe);
    cb_topo_destroy(topo);
    return rc;
}
