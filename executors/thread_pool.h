/* Private to the thread executors (threads.c, thread_pool.c, gil.c): the
 * one pthread pool engine they share, so that the three differ only in
 * what the lesson is about (static chunks, a dynamic queue, the same
 * queue under a GIL) and not in how threads are parked and woken.
 *
 * The engine owns struct cb_pool. Workers are created in start() and park
 * on a generation counter (a short bounded spin, then a condvar); map()
 * publishes the job, bumps the generation and waits until the last worker
 * reports done. Each worker records into a private copy of its
 * cb_worker_stats and writes st->w[i] once at the end of the map, so per-
 * chunk bookkeeping never shares a cache line with another worker. */
#ifndef CB_THREAD_POOL_H
#define CB_THREAD_POOL_H

#include "executor.h"

enum cb__tpool_mode {
    CB__TPOOL_STATIC,  /* worker i runs one contiguous block of ceil(n/N) */
    CB__TPOOL_DYNAMIC, /* shared queue: an atomic next index, chunks of cs */
};

/* Optional hooks, all NULL for plain threads. `arg` is owned by the hook
 * provider and released by destroy() (called once from stop(), after every
 * worker has been joined, or from a failing start()). */
struct cb__tpool_hooks {
    void *arg;
    /* Worker thread, at the start of each map, after binding, before it
     * takes its first task. May fill ctx (breaker, on_break, on_block,
     * owner); ctx->worker is already set. (gil: take the lock.) */
    void (*enter)(void *arg, struct cb_ctx *ctx);
    /* Worker thread, when it finds no task left. (gil: drop the lock and
     * record lock_wait_s, gil_acquires into ws.) */
    void (*leave)(void *arg, struct cb_ctx *ctx, struct cb_worker_stats *ws);
    /* Caller's thread, before workers are woken / after all are done. */
    void (*map_begin)(void *arg);
    void (*map_end)(void *arg, struct cb_map_stats *st);
    void (*destroy)(void *arg);
};

/* Caller's thread. Starts c->workers threads with all signals blocked, so
 * signals go to the harness thread. `hooks` may be NULL; it is copied. On
 * failure joins whatever started, calls hooks->destroy and sets *p = NULL.
 * `name` is used for thread names ("cb-NAME-i") and messages. */
int cb__tpool_start(struct cb_pool **p, const struct cb_exec_config *c,
                    enum cb__tpool_mode mode, long default_chunksize,
                    const char *name, const struct cb__tpool_hooks *hooks,
                    struct cb_error *e);
/* Caller's thread; one map at a time per pool. */
int cb__tpool_map(struct cb_pool *p, const struct cb_workload *w, void *outs,
                  struct cb_map_stats *st, struct cb_error *e);
/* Caller's thread; accepts NULL. */
void cb__tpool_stop(struct cb_pool *p);

#endif
