/* thread-pool: workers started once, a shared dynamic queue (an atomic
 * next-task index handing out chunks), outputs in submission order because
 * every task writes its own output slot. The model of
 * concurrent.futures.ThreadPoolExecutor.map (chunksize 1 by default) and,
 * with CB_CHUNK_AUTO, of multiprocessing.pool.ThreadPool's automatic
 * chunksize ceil(n / (4 * workers)).
 *
 * This file also holds the pool engine that threads.c and gil.c reuse
 * (thread_pool.h): parking, waking, completion and per-worker stats. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thread_pool.h"

/* Bounded spin before blocking, in pause instructions (tens of
 * microseconds on current x86): long enough that back-to-back maps of tiny
 * workloads hand over without a futex round trip, short enough that idle
 * or waiting threads do not steal a core from workers for long. */
#define TP_SPIN 2000

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

struct tp_worker {
    _Alignas(64) struct cb_pool *pool;
    int index;
    pthread_t tid;
};

struct cb_pool {
    struct cb_exec_config cfg;
    enum cb__tpool_mode mode;
    long default_cs;
    const char *name;
    struct cb__tpool_hooks hooks;
    int nworkers;
    struct tp_worker *wk;
    int sync_ready; /* mutex and condvars initialized */

    /* The current job. Written by map() before it bumps gen, read by
     * workers only after they observe the bump (release/acquire on gen, or
     * the mutex), never written while a map is in flight. */
    const struct cb_workload *w;
    void *outs;
    struct cb_worker_stats *ws_out;
    size_t n;
    size_t cs;
    double t_map; /* cb_now() as map() woke the workers (span_s) */
    int quit;

    pthread_mutex_t mu;
    pthread_cond_t start_cv; /* gen changed */
    pthread_cond_t done_cv;  /* pending reached 0 */

    /* Each on its own cache line: gen is read by parked workers, pending
     * written once per worker per map, next hammered once per chunk. */
    _Alignas(64) atomic_uint gen;
    _Alignas(64) atomic_int pending;
    _Alignas(64) atomic_size_t next;
};

/* Worker thread: parks until the generation differs from `seen`. */
static unsigned wait_gen(struct cb_pool *p, unsigned seen)
{
    unsigned g;
    for (int i = 0; i < TP_SPIN; i++) {
        g = atomic_load_explicit(&p->gen, memory_order_acquire);
        if (g != seen)
            return g;
        cpu_relax();
    }
    pthread_mutex_lock(&p->mu);
    while ((g = atomic_load_explicit(&p->gen, memory_order_acquire)) == seen)
        pthread_cond_wait(&p->start_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return g;
}

/* Caller's thread: waits until every worker has finished the map. The
 * acquire pairs with each worker's release decrement, so outputs and
 * st->w[] written by workers are visible afterwards. */
static void wait_done(struct cb_pool *p)
{
    for (int i = 0; i < TP_SPIN; i++) {
        if (atomic_load_explicit(&p->pending, memory_order_acquire) == 0)
            return;
        cpu_relax();
    }
    pthread_mutex_lock(&p->mu);
    while (atomic_load_explicit(&p->pending, memory_order_acquire) != 0)
        pthread_cond_wait(&p->done_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

/* Worker thread: one map's worth of work for worker i. */
static void run_map(struct cb_pool *p, int i)
{
    const struct cb_workload *w = p->w;
    const size_t n = p->n, cs = p->cs;
    struct cb_worker_stats ws;
    struct cb_sched_mark mark;
    struct cb_ctx ctx;
    double c0;

    memset(&ws, 0, sizeof ws);
    memset(&ctx, 0, sizeof ctx);
    ctx.worker = i;
    cb_worker_bind(&p->cfg, i, &ws);
    cb_worker_sched_begin(&mark);
    c0 = cb_thread_cpu();
    if (p->hooks.enter)
        p->hooks.enter(p->hooks.arg, &ctx);

    if (p->mode == CB__TPOOL_STATIC) {
        size_t lo = (size_t)i * cs;
        if (lo < n)
            cb_worker_run_range(w, lo, lo + cs < n ? lo + cs : n, p->outs, &ctx,
                                &ws);
    } else {
        /* Timed once around the whole loop, not per chunk: at chunksize 1
         * two clock reads per chunk cost more than the dispatch itself.
         * The loop never waits for work, so its wall time is busy time
         * (under the gil it includes waits at checkpoints, as before). */
        double t0 = cb_now();
        ws.cpu_first = sched_getcpu();
        for (;;) {
            /* Relaxed is enough: the counter only partitions indices;
             * outputs are published by the pending decrement. */
            size_t lo =
                atomic_fetch_add_explicit(&p->next, cs, memory_order_relaxed);
            if (lo >= n)
                break;
            cb_worker_run_chunk(w, lo, lo + cs < n ? lo + cs : n, p->outs, &ctx,
                                &ws);
            /* The worker loop between tasks is interpreter code too: a
             * pending GIL drop request is honoured here even when the
             * kernel never checkpoints (the empty kernel). A no-op branch
             * for executors without a breaker. */
            cb_checkpoint(&ctx);
        }
        if (ws.tasks) {
            ws.busy_s = cb_now() - t0;
            ws.cpu_last = sched_getcpu();
        } else {
            ws.cpu_first = -1; /* took no chunk: nothing ran anywhere */
        }
    }

    if (p->hooks.leave)
        p->hooks.leave(p->hooks.arg, &ctx, &ws);
    ws.cpu_s = cb_thread_cpu() - c0;
    cb_worker_sched_end(&mark, &ws);
    /* from the map's wake-up to this worker's end: waking it, binding it
     * and what it did between tasks are the pool's dispatch */
    ws.span_s = cb_now() - p->t_map;
    p->ws_out[i] = ws;
}

static void *tp_main(void *arg)
{
    struct tp_worker *wk = arg;
    struct cb_pool *p = wk->pool;
    unsigned seen = 0;

    for (;;) {
        seen = wait_gen(p, seen);
        if (p->quit)
            break;
        run_map(p, wk->index);
        if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) ==
            1) {
            /* Last one out: wake the caller if it is already blocked. The
             * mutex orders this with its check of pending. */
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done_cv);
            pthread_mutex_unlock(&p->mu);
        }
    }
    return NULL;
}

/* Caller's thread: tells the first `count` workers to quit and joins them. */
static void quit_and_join(struct cb_pool *p, int count)
{
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
    pthread_cond_broadcast(&p->start_cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < count; i++)
        pthread_join(p->wk[i].tid, NULL);
}

static void pool_free(struct cb_pool *p)
{
    if (p->sync_ready) {
        pthread_cond_destroy(&p->done_cv);
        pthread_cond_destroy(&p->start_cv);
        pthread_mutex_destroy(&p->mu);
    }
    free(p->wk);
    free(p);
}

static void *alloc_lines(size_t size)
{
    /* Rounded up to whole cache lines, as aligned_alloc requires a
     * multiple of the alignment. */
    void *q = aligned_alloc(64, (size + 63) & ~(size_t)63);
    if (q)
        memset(q, 0, size);
    return q;
}

int cb__tpool_start(struct cb_pool **pp, const struct cb_exec_config *c,
                    enum cb__tpool_mode mode, long default_chunksize,
                    const char *name, const struct cb__tpool_hooks *hooks,
                    struct cb_error *e)
{
    struct cb_pool *p = NULL;
    sigset_t all, old;
    int started = 0, rc, err = 0;

    *pp = NULL;
    if (c->workers < 1 || c->workers > CB_MAX_WORKERS) {
        rc = CB_FAIL(e, CB_EUSAGE, "%s: workers must be in 1..%d, not %d", name,
                     CB_MAX_WORKERS, c->workers);
        goto fail;
    }
    p = alloc_lines(sizeof *p);
    if (!p || !(p->wk = alloc_lines(sizeof *p->wk * (size_t)c->workers))) {
        rc = CB_FAIL(e, CB_ENOMEM, "%s: out of memory", name);
        goto fail;
    }
    p->cfg = *c;
    p->mode = mode;
    p->default_cs = default_chunksize;
    p->name = name;
    if (hooks)
        p->hooks = *hooks;
    p->nworkers = c->workers;
    atomic_init(&p->gen, 0);
    atomic_init(&p->pending, 0);
    atomic_init(&p->next, 0);
    if ((err = pthread_mutex_init(&p->mu, NULL)) != 0)
        goto fail_sync;
    if ((err = pthread_cond_init(&p->start_cv, NULL)) != 0) {
        pthread_mutex_destroy(&p->mu);
        goto fail_sync;
    }
    if ((err = pthread_cond_init(&p->done_cv, NULL)) != 0) {
        pthread_cond_destroy(&p->start_cv);
        pthread_mutex_destroy(&p->mu);
        goto fail_sync;
    }
    p->sync_ready = 1;

    /* Workers inherit the mask: asynchronous signals (SIGINT, SIGCHLD)
     * are left to the harness thread. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (; started < p->nworkers; started++) {
        char tname[16];
        p->wk[started].pool = p;
        p->wk[started].index = started;
        err =
            pthread_create(&p->wk[started].tid, NULL, tp_main, &p->wk[started]);
        if (err != 0)
            break;
        snprintf(tname, sizeof tname, "cb-%.6s-%d", name, started % 10000);
        pthread_setname_np(p->wk[started].tid, tname);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (started < p->nworkers) {
        rc = CB_FAIL(e, CB_ESYS, "%s: cannot start worker thread %d of %d: %s",
                     name, started + 1, p->nworkers, strerror(err));
        goto fail;
    }
    *pp = p;
    return 0;

fail_sync:
    rc = CB_FAIL(e, CB_ESYS, "%s: cannot create pool locks: %s", name,
                 strerror(err));
fail:
    if (p) {
        if (started > 0)
            quit_and_join(p, started);
        pool_free(p);
    }
    if (hooks && hooks->destroy)
        hooks->destroy(hooks->arg);
    return rc;
}

int cb__tpool_map(struct cb_pool *p, const struct cb_workload *w, void *outs,
                  struct cb_map_stats *st, struct cb_error *e)
{
    size_t n = w->n;

    if (!st || !st->w || st->nworkers < p->nworkers)
        return CB_FAIL(e, CB_EUSAGE, "%s: map needs stats for %d workers",
                       p->name, p->nworkers);
    if (p->mode == CB__TPOOL_STATIC) {
        /* the seeds' manual chunking: one block of ceil(n/N) per worker */
        p->cs = (n + (size_t)p->nworkers - 1) / (size_t)p->nworkers;
        if (p->cs == 0)
            p->cs = 1;
    } else {
        p->cs = (size_t)cb_exec_chunksize(&p->cfg, n, p->default_cs);
    }
    st->chunksize = (long)p->cs;
    p->w = w;
    p->outs = outs;
    p->ws_out = st->w;
    p->n = n;
    atomic_store_explicit(&p->next, 0, memory_order_relaxed);
    atomic_store_explicit(&p->pending, p->nworkers, memory_order_relaxed);
    if (p->hooks.map_begin)
        p->hooks.map_begin(p->hooks.arg);

    p->t_map = cb_now();
    pthread_mutex_lock(&p->mu);
    atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
    pthread_cond_broadcast(&p->start_cv);
    pthread_mutex_unlock(&p->mu);

    wait_done(p);
    if (p->hooks.map_end)
        p->hooks.map_end(p->hooks.arg, st);
    return 0;
}

void cb__tpool_stop(struct cb_pool *p)
{
    if (!p)
        return;
    quit_and_join(p, p->nworkers);
    if (p->hooks.destroy)
        p->hooks.destroy(p->hooks.arg);
    pool_free(p);
}

static int thread_pool_start(struct cb_pool **p, const struct cb_exec_config *c,
                             struct cb_error *e)
{
    /* default chunksize 1, as Executor.map */
    return cb__tpool_start(p, c, CB__TPOOL_DYNAMIC, 1, "pool", NULL, e);
}

const struct cb_executor cb_exec_thread_pool = {
    .name = "thread-pool",
    .summary = "pre-started threads, shared dynamic queue with chunksize "
               "(ThreadPoolExecutor.map)",
    .params = (const struct cb_xparam[]){CB_XP_CHUNKSIZE("1"), {0}},
    .start = thread_pool_start,
    .map = cb__tpool_map,
    .stop = cb__tpool_stop,
};
