/* Unit tests of the emulated GIL (executors/gil_lock.c) and of the thread
 * executors that run on the shared pool engine (threads, thread-pool, gil,
 * and openmp when built).
 *
 * The lock: interval resolution (0 -> 5000 us default, below 1 -> 1 us),
 * mutual exclusion under forced switching, that contention produces
 * switches and drop requests, that a blocking section lets another thread
 * take the lock (fails on a timeout instead of hanging), and the forced
 * switch (a dropper asked to drop does not win the lock straight back).
 *
 * The executors: every output matches a serial reference, tasks add up to
 * n, pools survive several maps, chunksizes resolve as documented, workers
 * pin themselves and the caller's thread is never left bound, GIL stats
 * are filled, a kernel blocked in a blocking section does not stall the
 * others. Kernels are defined here (the cb_kernel seam is public), so the
 * test does not depend on kernels/.
 *
 * No timing is asserted: CI machines are noisy. Prints "N passed, M failed"
 * last; exits nonzero on any failure. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "executors/executor.h"
#include "executors/gil_lock.h"

#include "check.h"

extern const struct cb_executor cb_exec_threads, cb_exec_thread_pool,
    cb_exec_gil;
#ifdef CB_HAVE_OPENMP
extern const struct cb_executor cb_exec_openmp;
#endif

/* Joins t, or gives up after `seconds`: a broken lock must fail the test,
 * not hang it. On a timeout the thread is left behind and main exits. */
static int join_within(pthread_t t, double seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)seconds;
    return pthread_timedjoin_np(t, NULL, &ts);
}

static void spin_ns(long ns)
{
    double end = cb_now() + (double)ns * 1e-9;
    while (cb_now() < end)
        ;
}

/* ---- the lock -------------------------------------------------------- */

static void test_interval(void)
{
    struct cb_gil g;

    CHECK(cb_gil_resolve_interval(0) == 5000, "0 -> default 5000, got %ld",
          cb_gil_resolve_interval(0));
    CHECK(cb_gil_resolve_interval(-1) == 1, "-1 -> floor 1");
    CHECK(cb_gil_resolve_interval(-100000) == 1, "negative -> floor 1");
    CHECK(cb_gil_resolve_interval(1) == 1, "1 stays 1");
    CHECK(cb_gil_resolve_interval(250) == 250, "250 stays 250");

    CHECK(cb_gil_init(&g, 0, 1, NULL) == 0, "init");
    CHECK(cb_gil_interval(&g) == 5000, "init 0 -> 5000, got %ld",
          cb_gil_interval(&g));
    cb_gil_set_interval(&g, -7);
    CHECK(cb_gil_interval(&g) == 1, "set -7 -> 1, got %ld",
          cb_gil_interval(&g));
    cb_gil_set_interval(&g, 42);
    CHECK(cb_gil_interval(&g) == 42, "set 42");
    CHECK(cb_gil_switches(&g) == 0 && cb_gil_drop_requests(&g) == 0,
          "fresh counters are zero");
    cb_gil_destroy(&g);
}

/* NT threads increment plain counters under the GIL, checkpointing after
 * every step at a 100 us interval. Each runs at least `iters` steps and
 * all keep going until NT drop requests have been answered in all (or a
 * deadline passes), so the test sees real contention however the threads
 * happen to be scheduled on a loaded machine. No thread stops before that
 * total is reached, so there is always another thread to contend with. */
struct mx_shared {
    struct cb_gil gil;
    /* Plain ints on purpose: only the GIL protects them (ThreadSanitizer
     * reports a race if it does not). */
    int inside;
    long counter;
    long violations;
    long yields;
    int iters;
    int nthreads;
    double deadline;
};

struct mx_thread {
    pthread_t tid;
    struct mx_shared *s;
    struct cb_gil_tstate ts;
    long done;
};

static void *mx_main(void *arg)
{
    struct mx_thread *t = arg;
    struct mx_shared *s = t->s;

    cb_gil_take(&s->gil, &t->ts);
    while (t->done < s->iters ||
           (s->yields < s->nthreads && cb_now() < s->deadline)) {
        s->inside++;
        if (s->inside != 1)
            s->violations++;
        s->counter++;
        spin_ns(200);
        s->inside--;
        /* the eval-breaker check at a back edge */
        if (atomic_load_explicit(&s->gil.drop_request, memory_order_relaxed)) {
            cb_gil_yield(&s->gil, &t->ts);
            s->yields++;
        }
        t->done++;
    }
    cb_gil_drop(&s->gil, &t->ts);
    return NULL;
}

static void test_mutual_exclusion(void)
{
    enum { NT = 4 };
    struct mx_shared *s = calloc(1, sizeof *s);
    struct mx_thread th[NT];
    int started = 0, hung = 0;
    uint64_t acquires = 0;
    long done = 0;

    s->iters = 10000; /* ~2 ms held per thread: many 100 us intervals */
    s->nthreads = NT;
    s->deadline = cb_now() + 30;
    CHECK(cb_gil_init(&s->gil, 100, 1, NULL) == 0, "init");
    memset(th, 0, sizeof th);
    for (int i = 0; i < NT; i++) {
        th[i].s = s;
        if (pthread_create(&th[i].tid, NULL, mx_main, &th[i]) == 0)
            started++;
    }
    CHECK(started == NT, "threads started");
    for (int i = 0; i < started; i++)
        if (join_within(th[i].tid, 60) != 0)
            hung = 1;
    CHECK(!hung, "threads finished within 60 s");
    if (hung)
        exit(check_finish());
    for (int i = 0; i < NT; i++) {
        acquires += th[i].ts.acquires;
        done += th[i].done;
        CHECK(!th[i].ts.held, "thread %d released the lock", i);
    }
    CHECK(s->violations == 0, "%ld times two threads were inside",
          s->violations);
    CHECK(s->counter == done, "counter %ld, expected %ld", s->counter, done);
    CHECK(s->yields >= NT, "drop requests answered: %ld", s->yields);
    CHECK(cb_gil_switches(&s->gil) > NT,
          "contention causes switches (got %llu)",
          (unsigned long long)cb_gil_switches(&s->gil));
    CHECK(cb_gil_drop_requests(&s->gil) > 0,
          "contention causes drop requests (got %llu)",
          (unsigned long long)cb_gil_drop_requests(&s->gil));
    CHECK(acquires > (uint64_t)NT, "threads re-acquired (%llu acquires)",
          (unsigned long long)acquires);
    CHECK(atomic_load(&s->gil.locked) == 0, "unlocked at the end");
    cb_gil_destroy(&s->gil);
    free(s);
}

/* A holds the lock and blocks (Py_BEGIN_ALLOW_THREADS) on a flag that only
 * B, which needs the lock, can set. */
struct blk_shared {
    struct cb_gil gil;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int a_blocking; /* under mu */
    int posted;     /* under mu */
    int a_timed_out;
    int b_ran_with_a_blocking;
};

static void *blk_a(void *arg)
{
    struct blk_shared *s = arg;
    struct cb_gil_tstate ts = {0};
    struct timespec dl;
    int rc = 0;

    cb_gil_take(&s->gil, &ts);
    cb_gil_drop(&s->gil, &ts); /* cb_blocking_begin */
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 20;
    pthread_mutex_lock(&s->mu);
    s->a_blocking = 1;
    pthread_cond_broadcast(&s->cv);
    while (!s->posted && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&s->cv, &s->mu, &dl);
    s->a_timed_out = !s->posted;
    pthread_mutex_unlock(&s->mu);
    cb_gil_take(&s->gil, &ts); /* cb_blocking_end */
    cb_gil_drop(&s->gil, &ts);
    return NULL;
}

static void *blk_b(void *arg)
{
    struct blk_shared *s = arg;
    struct cb_gil_tstate ts = {0};

    cb_gil_take(&s->gil, &ts);
    pthread_mutex_lock(&s->mu);
    s->b_ran_with_a_blocking = s->a_blocking;
    s->posted = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    cb_gil_drop(&s->gil, &ts);
    return NULL;
}

static void test_blocking_section(void)
{
    struct blk_shared *s = calloc(1, sizeof *s);
    pthread_t a, b;
    int ok;

    CHECK(cb_gil_init(&s->gil, 0, 1, NULL) == 0, "init");
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    ok = pthread_create(&a, NULL, blk_a, s) == 0;
    /* B starts once A is inside its blocking section, so B can only get
     * the lock because A released it there. */
    pthread_mutex_lock(&s->mu);
    while (ok && !s->a_blocking)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    ok = ok && pthread_create(&b, NULL, blk_b, s) == 0;
    CHECK(ok, "threads started");
    if (!ok)
        exit(1);
    if (join_within(b, 30) != 0 || join_within(a, 30) != 0) {
        CHECK(0, "blocking section deadlocked");
        exit(check_finish());
    }
    CHECK(!s->a_timed_out, "B posted while A was in its blocking section");
    CHECK(s->b_ran_with_a_blocking, "B ran while A was blocked");
    cb_gil_destroy(&s->gil);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* Forced switching: two CPU-bound threads with a short interval, each
 * running until both have answered at least FS_TURNS drop requests (or a
 * generous deadline, so a broken lock fails instead of hanging). A dropper
 * asked to drop must hand the lock over, so every answered request is a
 * holder change. Counting turns rather than running for a fixed time keeps
 * the test independent of how loaded the machine is. */
#define FS_TURNS 5

struct fs_shared {
    struct cb_gil gil;
    long turns[2]; /* under the GIL: requests each thread answered */
    double deadline;
};

struct fs_thread {
    pthread_t tid;
    struct fs_shared *s;
    int id;
    struct cb_gil_tstate ts;
};

static void *fs_main(void *arg)
{
    struct fs_thread *t = arg;
    struct fs_shared *s = t->s;

    cb_gil_take(&s->gil, &t->ts);
    while ((s->turns[0] < FS_TURNS || s->turns[1] < FS_TURNS) &&
           cb_now() < s->deadline) {
        if (atomic_load_explicit(&s->gil.drop_request, memory_order_relaxed)) {
            cb_gil_yield(&s->gil, &t->ts);
            s->turns[t->id]++;
        }
    }
    cb_gil_drop(&s->gil, &t->ts);
    return NULL;
}

static void test_forced_switch(void)
{
    struct fs_shared *s = calloc(1, sizeof *s);
    struct fs_thread th[2];
    uint64_t sw0;

    CHECK(cb_gil_init(&s->gil, 200, 1, NULL) == 0, "init");
    s->deadline = cb_now() + 30;
    sw0 = cb_gil_switches(&s->gil);
    memset(th, 0, sizeof th);
    for (int i = 0; i < 2; i++) {
        th[i].s = s;
        th[i].id = i;
        pthread_create(&th[i].tid, NULL, fs_main, &th[i]);
    }
    for (int i = 0; i < 2; i++)
        if (join_within(th[i].tid, 60) != 0) {
            CHECK(0, "forced switching hung");
            exit(check_finish());
        }
    CHECK(s->turns[0] >= FS_TURNS && s->turns[1] >= FS_TURNS,
          "both threads answered drop requests (%ld, %ld) within 30 s",
          s->turns[0], s->turns[1]);
    /* Every answered request hands over: a dropper never re-wins at once,
     * so each one is followed by a holder change. */
    CHECK(cb_gil_switches(&s->gil) - sw0 >=
              (uint64_t)(s->turns[0] + s->turns[1]),
          "each yield switched the holder (%llu switches, %ld yields)",
          (unsigned long long)(cb_gil_switches(&s->gil) - sw0),
          s->turns[0] + s->turns[1]);
    CHECK(th[0].ts.wait_s > 0 && th[1].ts.wait_s > 0, "wait time recorded");
    CHECK(th[0].ts.requests + th[1].ts.requests > 0, "waiters asked for drops");
    cb_gil_destroy(&s->gil);
    free(s);
}

/* ---- the executors ------------------------------------------------------ */

/* spin: a CPU-bound task with a checkpoint per iteration (a bytecode back
 * edge). in = {iters, seed}, out = {lcg result}. */
struct spin_in {
    uint64_t iters, seed;
};

static uint64_t spin_ref(uint64_t iters, uint64_t x)
{
    for (uint64_t k = 0; k < iters; k++)
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x;
}

static void spin_run(const struct cb_workload *w, const void *in, void *out,
                     struct cb_ctx *ctx)
{
    const struct spin_in *r = in;
    uint64_t x = r->seed;
    (void)w;
    for (uint64_t k = 0; k < r->iters; k++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        cb_checkpoint(ctx);
    }
    memcpy(out, &x, sizeof x);
}

static int spin_verify(const struct cb_workload *w, const void *outs,
                       struct cb_error *e)
{
    const struct spin_in *in = w->in;
    const uint64_t *o = outs;
    for (size_t i = 0; i < w->n; i++)
        if (o[i] != spin_ref(in[i].iters, in[i].seed))
            return CB_FAIL(e, CB_EVERIFY, "task %zu: wrong output", i);
    return 0;
}

static const struct cb_kernel spin_kernel = {
    .name = "test-spin",
    .summary = "lcg loop with a checkpoint per step",
    .run = spin_run,
    .verify = spin_verify,
};

/* rendezvous: task 0 blocks (in a blocking section) until task 1 has run.
 * Under the gil executor this completes only if blocking sections release
 * the GIL; otherwise task 0 gives up after a timeout and fails verify. */
struct rv_state {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int posted;
};

static void rv_run(const struct cb_workload *w, const void *in, void *out,
                   struct cb_ctx *ctx)
{
    struct rv_state *s = w->state;
    uint64_t idx, ok = 1;
    memcpy(&idx, in, sizeof idx);
    if (idx == 0) {
        struct timespec dl;
        int rc = 0;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += 20;
        cb_blocking_begin(ctx);
        pthread_mutex_lock(&s->mu);
        while (!s->posted && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&s->cv, &s->mu, &dl);
        ok = (uint64_t)s->posted;
        pthread_mutex_unlock(&s->mu);
        cb_blocking_end(ctx);
    } else if (idx == 1) {
        pthread_mutex_lock(&s->mu);
        s->posted = 1;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
    }
    memcpy(out, &ok, sizeof ok);
}

static const struct cb_kernel rv_kernel = {
    .name = "test-rendezvous",
    .summary = "task 0 waits in a blocking section for task 1",
    .flags = CB_KERNEL_BLOCKS,
    .run = rv_run,
};

/* Under ThreadSanitizer the openmp executor is left out: libgomp is not
 * instrumented, so TSan cannot see its barriers and reports every access
 * they order as a race. */
#if defined(CB_HAVE_OPENMP) && !defined(__SANITIZE_THREAD__)
#define TEST_OPENMP 1
#endif

static const struct cb_executor *const execs[] = {
    &cb_exec_threads,
    &cb_exec_thread_pool,
    &cb_exec_gil,
#ifdef TEST_OPENMP
    &cb_exec_openmp,
#endif
};
#define NEXECS (sizeof execs / sizeof execs[0])

static void make_spin(struct cb_workload *w, size_t n, uint64_t iters)
{
    struct spin_in *in = calloc(n ? n : 1, sizeof *in);
    uint64_t st = 42;
    memset(w, 0, sizeof *w);
    for (size_t i = 0; i < n; i++) {
        /* skewed, as factorize is: some tasks 4x longer */
        in[i].iters = iters * (1 + (i % 4 == 3 ? 3 : 0));
        in[i].seed = cb_splitmix64(&st);
    }
    w->kernel = &spin_kernel;
    w->n = n;
    w->in_size = sizeof *in;
    w->out_size = sizeof(uint64_t);
    w->in = in;
}

static int do_map(const struct cb_executor *x, struct cb_pool *p,
                  const struct cb_workload *w, uint64_t *outs,
                  struct cb_map_stats *st)
{
    struct cb_error e = {0};
    int rc;
    cb_map_stats_reset(st);
    memset(outs, 0xa5, w->n * w->out_size);
    rc = x->map(p, w, outs, st, &e);
    if (rc != 0)
        printf("  %s map: %s\n", x->name, e.msg);
    return rc;
}

static uint64_t sum_tasks(const struct cb_map_stats *st)
{
    uint64_t t = 0;
    for (int i = 0; i < st->nworkers; i++)
        t += st->w[i].tasks;
    return t;
}

static void test_executors_correct(void)
{
    static const char *const chunks[] = {"default", "auto", "3"};
    static const char *const scheds[] = {"static", "dynamic", "guided"};
    static const size_t sizes[] = {0, 1, 5, 37};
    struct cb_worker_stats ws[8];
    struct cb_map_stats st = {.nworkers = 8, .w = ws};
    uint64_t outs[64];

    for (size_t xi = 0; xi < NEXECS; xi++) {
        const struct cb_executor *x = execs[xi];
        for (int nw = 1; nw <= 4; nw++) {
            for (size_t ci = 0; ci < sizeof chunks / sizeof chunks[0]; ci++) {
                struct cb_exec_config c = {.workers = nw};
                struct cb_pool *p = NULL;
                struct cb_error e = {0};
                int rc;
                cb_exec_config_set(&c, "chunksize", chunks[ci]);
                cb_exec_config_set(&c, "schedule", scheds[ci]);
                cb_exec_config_set(&c, "switch_interval", "50");
                rc = x->start(&p, &c, &e);
                CHECK(rc == 0 && p, "%s start workers=%d: %s", x->name, nw,
                      e.msg);
                if (rc != 0)
                    continue;
                st.nworkers = nw;
                /* several maps per pool, of several sizes */
                for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
                    struct cb_workload w;
                    make_spin(&w, sizes[si], 2000);
                    rc = do_map(x, p, &w, outs, &st);
                    CHECK(rc == 0, "%s map", x->name);
                    CHECK(spin_verify(&w, outs, &e) == 0,
                          "%s w=%d cs=%s n=%zu: %s", x->name, nw, chunks[ci],
                          sizes[si], e.msg);
                    CHECK(sum_tasks(&st) == sizes[si],
                          "%s w=%d n=%zu: tasks add up to %llu", x->name, nw,
                          sizes[si], (unsigned long long)sum_tasks(&st));
                    for (int i = 0; i < nw; i++)
                        CHECK(st.w[i].pu_planned == -1 && st.w[i].cpu_s >= 0,
                              "%s worker %d stats", x->name, i);
                    free(w.in);
                }
                x->stop(p);
            }
        }
    }
}

static void test_chunksize(void)
{
    struct cb_worker_stats ws[4];
    struct cb_map_stats st = {.nworkers = 4, .w = ws};
    uint64_t outs[64];
    struct cb_workload w;
    struct {
        const struct cb_executor *x;
        const char *asked;
        long expect; /* for n = 37, 4 workers */
    } cases[] = {
        {&cb_exec_thread_pool, "default", 1},
        {&cb_exec_thread_pool, "auto", 3}, /* ceil(37/16) */
        {&cb_exec_thread_pool, "5", 5},
        {&cb_exec_gil, "default", 1},
        {&cb_exec_gil, "auto", 3},
        {&cb_exec_threads, "default", 10}, /* ceil(37/4) */
    };

    make_spin(&w, 37, 100);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct cb_exec_config c = {.workers = 4};
        struct cb_pool *p = NULL;
        cb_exec_config_set(&c, "chunksize", cases[k].asked);
        if (cases[k].x->start(&p, &c, NULL) != 0) {
            CHECK(0, "%s start", cases[k].x->name);
            continue;
        }
        CHECK(do_map(cases[k].x, p, &w, outs, &st) == 0, "map");
        CHECK(st.chunksize == cases[k].expect,
              "%s asked %s: used %ld, not %ld", cases[k].x->name,
              cases[k].asked, st.chunksize, cases[k].expect);
        if (cases[k].x == &cb_exec_threads) {
            /* one contiguous block per worker: 10, 10, 10, 7 */
            CHECK(st.w[0].tasks == 10 && st.w[3].tasks == 7 &&
                      st.w[0].chunks == 1,
                  "threads static split (%llu, %llu)",
                  (unsigned long long)st.w[0].tasks,
                  (unsigned long long)st.w[3].tasks);
        } else {
            uint64_t ch = 0;
            for (int i = 0; i < 4; i++)
                ch += st.w[i].chunks;
            CHECK(ch == (37 + (uint64_t)cases[k].expect - 1) /
                            (uint64_t)cases[k].expect,
                  "%s: %llu chunks dispatched", cases[k].x->name,
                  (unsigned long long)ch);
        }
        cases[k].x->stop(p);
    }
    free(w.in);
}

static void test_gil_stats(void)
{
    struct cb_worker_stats ws[4];
    struct cb_map_stats st = {.nworkers = 4, .w = ws};
    struct cb_exec_config c = {.workers = 4};
    uint64_t outs[64];
    struct cb_workload w;
    struct cb_pool *p = NULL;
    double sum = 0;
    uint64_t acq = 0;

    cb_exec_config_set(&c, "switch_interval", "100");

    /* 64 tasks of ~60k lcg steps with a checkpoint each: several ms of
     * held time in all, so 100 us waits time out and ask for drops. */
    make_spin(&w, 64, 60000);
    if (cb_exec_gil.start(&p, &c, NULL) != 0) {
        CHECK(0, "gil start");
        return;
    }
    /* Contention is near certain in one map, but on a loaded machine a
     * waiter may not get a CPU before the holder is done: retry a few
     * times rather than assert on scheduling luck. */
    for (int rep = 0; rep < 20; rep++) {
        acq = 0;
        CHECK(do_map(&cb_exec_gil, p, &w, outs, &st) == 0, "map");
        for (int i = 0; i < 4; i++)
            acq += st.w[i].gil_acquires;
        if (st.switches > 0 && st.drop_requests > 0 && acq > 4 &&
            st.lock_wait_s > 0)
            break;
    }
    acq = 0;
    CHECK(spin_verify(&w, outs, NULL) == 0, "outputs");
    CHECK(st.switches > 0, "switches recorded (%llu)",
          (unsigned long long)st.switches);
    CHECK(st.drop_requests > 0, "drop requests recorded (%llu)",
          (unsigned long long)st.drop_requests);
    for (int i = 0; i < 4; i++) {
        sum += st.w[i].lock_wait_s;
        acq += st.w[i].gil_acquires;
        CHECK(st.w[i].gil_acquires >= 1, "worker %d took the GIL", i);
    }
    CHECK(st.lock_wait_s > 0 && st.lock_wait_s == sum,
          "lock_wait_s is the sum over workers (%g vs %g)", st.lock_wait_s,
          sum);
    CHECK(acq > 4, "workers re-acquired after drops (%llu)",
          (unsigned long long)acq);
    /* counters are per map: a second map starts from zero again */
    CHECK(do_map(&cb_exec_gil, p, &w, outs, &st) == 0, "second map");
    CHECK(st.switches > 0 && st.switches < 1000000, "per-map switches");
    cb_exec_gil.stop(p);

    /* one worker: never contended */
    c.workers = 1;
    st.nworkers = 1;
    if (cb_exec_gil.start(&p, &c, NULL) == 0) {
        CHECK(do_map(&cb_exec_gil, p, &w, outs, &st) == 0, "map");
        CHECK(st.drop_requests == 0 && st.w[0].lock_wait_s == 0,
              "single worker: no drop requests, no waiting");
        CHECK(st.w[0].gil_acquires == 1, "single worker: one acquire (%llu)",
              (unsigned long long)st.w[0].gil_acquires);
        cb_exec_gil.stop(p);
    }
    free(w.in);
}

static void test_blocking_in_executor(void)
{
    struct cb_worker_stats ws[2];
    struct cb_map_stats st = {.nworkers = 2, .w = ws};
    struct rv_state s;
    uint64_t in[2] = {0, 1}, outs[2];
    struct cb_workload w = {
        .kernel = &rv_kernel,
        .n = 2,
        .in_size = sizeof in[0],
        .out_size = sizeof outs[0],
        .in = in,
        .state = &s,
    };

    for (size_t xi = 0; xi < NEXECS; xi++) {
        const struct cb_executor *x = execs[xi];
        struct cb_exec_config c = {.workers = 2};
        struct cb_pool *p = NULL;
        memset(&s, 0, sizeof s);
        pthread_mutex_init(&s.mu, NULL);
        pthread_cond_init(&s.cv, NULL);
        cb_exec_config_set(&c, "schedule", "dynamic");
        if (x->start(&p, &c, NULL) == 0) {
            CHECK(do_map(x, p, &w, outs, &st) == 0, "%s map", x->name);
            CHECK(outs[0] == 1, "%s: task 0 saw task 1 while blocked", x->name);
            x->stop(p);
        }
        pthread_cond_destroy(&s.cv);
        pthread_mutex_destroy(&s.mu);
    }
}

static void test_pinning(void)
{
    struct cb_worker_stats ws[3];
    struct cb_map_stats st = {.nworkers = 3, .w = ws};
    cpu_set_t before, after;
    int pus[3], cpu = -1;
    uint64_t outs[64];
    struct cb_workload w;

    if (sched_getaffinity(0, sizeof before, &before) != 0) {
        CHECK(0, "sched_getaffinity");
        return;
    }
    for (int k = 0; k < CPU_SETSIZE && cpu < 0; k++)
        if (CPU_ISSET(k, &before))
            cpu = k;
    pus[0] = cpu;
    pus[1] = -1; /* a worker without a plan */
    pus[2] = cpu;
    make_spin(&w, 12, 100);
    for (size_t xi = 0; xi < NEXECS; xi++) {
        const struct cb_executor *x = execs[xi];
        struct cb_exec_config c = {.workers = 3, .pus = pus};
        struct cb_pool *p = NULL;
        if (x->start(&p, &c, NULL) != 0) {
            CHECK(0, "%s start", x->name);
            continue;
        }
        for (int rep = 0; rep < 2; rep++) {
            CHECK(do_map(x, p, &w, outs, &st) == 0, "%s map", x->name);
            CHECK(st.w[0].pinned && st.w[0].pu_planned == cpu && st.w[2].pinned,
                  "%s: workers 0 and 2 pinned", x->name);
            CHECK(!st.w[1].pinned && st.w[1].pu_planned == -1,
                  "%s: worker 1 unpinned", x->name);
            for (int i = 0; i < 3; i += 2)
                CHECK(st.w[i].tasks == 0 || st.w[i].cpu_last == cpu,
                      "%s: worker %d ran on cpu %d, planned %d", x->name, i,
                      st.w[i].cpu_last, cpu);
            sched_getaffinity(0, sizeof after, &after);
            CHECK(CPU_EQUAL(&before, &after), "%s: caller's affinity unchanged",
                  x->name);
        }
        x->stop(p);
    }
    free(w.in);
}

/* Back-to-back maps of a few tasks: every hand-over (wake at map start,
 * completion back to the caller) takes either the spin or the condvar
 * path, so a lost wake-up shows up here as a hang (ctest's timeout). */
static void test_many_maps(void)
{
    struct cb_worker_stats ws[4];
    struct cb_map_stats st = {.nworkers = 4, .w = ws};
    uint64_t outs[8];
    struct cb_workload w;

    make_spin(&w, 7, 50);
    for (size_t xi = 0; xi < NEXECS; xi++) {
        const struct cb_executor *x = execs[xi];
        struct cb_exec_config c = {.workers = 4};
        struct cb_pool *p = NULL;
        int bad = 0;
        if (x->start(&p, &c, NULL) != 0) {
            CHECK(0, "%s start", x->name);
            continue;
        }
        for (int rep = 0; rep < 400; rep++) {
            struct cb_workload wr = w;
            wr.n = (size_t)rep % 8;
            if (do_map(x, p, &wr, outs, &st) != 0 ||
                spin_verify(&wr, outs, NULL) != 0 || sum_tasks(&st) != wr.n)
                bad++;
            if (rep % 50 == 0)
                usleep(200); /* let workers park on the condvar */
        }
        CHECK(bad == 0, "%s: %d of 400 quick maps went wrong", x->name, bad);
        x->stop(p);
    }
    free(w.in);
}

static void test_bad_config(void)
{
    for (size_t xi = 0; xi < NEXECS; xi++) {
        struct cb_exec_config c = {.workers = 0};
        struct cb_pool *p = (struct cb_pool *)&c; /* must be reset */
        struct cb_error e = {0};
        int rc = execs[xi]->start(&p, &c, &e);
        CHECK(rc == CB_EUSAGE && p == NULL && e.msg[0],
              "%s: 0 workers rejected", execs[xi]->name);
        execs[xi]->stop(NULL); /* accepts NULL */
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_interval();
    test_mutual_exclusion();
    test_blocking_section();
    test_forced_switch();
    test_bad_config();
    test_executors_correct();
    test_chunksize();
    test_gil_stats();
    test_blocking_in_executor();
    test_pinning();
    test_many_maps();
    return check_finish();
}
