/* gil: the thread-pool (same engine, same dynamic queue and chunksize) with
 * every worker running kernel code under one emulated CPython GIL
 * (gil_lock.h). It shows why Python threads do not speed up CPU-bound work
 * (only the holder runs; the others wait a switch interval, ask for a drop,
 * and take turns) and why they do for blocking work (a blocking section
 * releases the lock, as Py_BEGIN_ALLOW_THREADS does).
 *
 * Per map, each worker thread:
 *   takes the GIL before its first task (a Python thread runs bytecode
 *   only while holding it), gets tasks from the queue with the GIL held,
 *   honours drop requests at the kernel's checkpoints and between chunks
 *   (ctx->breaker points at the drop request; on_break drops and re-takes),
 *   releases it around blocking sections (on_block), and drops it when the
 *   queue is empty (a ThreadPoolExecutor worker blocks in queue.get()).
 *
 * Stats: st->w[i].lock_wait_s (seconds blocked by the GIL, in take and in
 * the forced-switch wait), gil_acquires; st->switches (holder changes),
 * st->drop_requests (times the request went from clear to set),
 * st->lock_wait_s (sum).
 * busy_s includes time blocked at checkpoints inside run(): it is wall time
 * in run(); cpu_s shows how little of it was computing. */
#include <stdlib.h>
#include <string.h>

#include "gil_lock.h"
#include "thread_pool.h"

struct gil_state;

struct gil_worker {
    _Alignas(64) struct cb_gil_tstate ts; /* touched by worker i only */
    struct gil_state *s;
};

struct gil_state {
    struct cb_gil gil;
    int nworkers;
    struct gil_worker *w;
    uint64_t switches0, requests0; /* snapshots at map start */
};

/* Worker thread: the eval breaker fired at a checkpoint. */
static void gil_on_break(struct cb_ctx *ctx)
{
    struct gil_worker *gw = ctx->owner;
    cb_gil_yield(&gw->s->gil, &gw->ts);
}

/* Worker thread: Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS. */
static void gil_on_block(struct cb_ctx *ctx, int begin)
{
    struct gil_worker *gw = ctx->owner;
    if (begin)
        cb_gil_drop(&gw->s->gil, &gw->ts);
    else
        cb_gil_take(&gw->s->gil, &gw->ts);
}

static void gil_enter(void *arg, struct cb_ctx *ctx)
{
    struct gil_state *s = arg;
    struct gil_worker *gw = &s->w[ctx->worker];

    gw->ts.wait_s = 0;
    gw->ts.acquires = 0;
    gw->ts.requests = 0;
    ctx->breaker = &s->gil.drop_request;
    ctx->on_break = gil_on_break;
    ctx->on_block = gil_on_block;
    ctx->owner = gw;
    cb_gil_take(&s->gil, &gw->ts);
}

static void gil_leave(void *arg, struct cb_ctx *ctx, struct cb_worker_stats *ws)
{
    struct gil_state *s = arg;
    struct gil_worker *gw = &s->w[ctx->worker];

    cb_gil_drop(&s->gil, &gw->ts);
    ws->lock_wait_s = gw->ts.wait_s;
    ws->gil_acquires = gw->ts.acquires;
}

static void gil_map_begin(void *arg)
{
    struct gil_state *s = arg;
    s->switches0 = cb_gil_switches(&s->gil);
    s->requests0 = cb_gil_drop_requests(&s->gil);
}

static void gil_map_end(void *arg, struct cb_map_stats *st)
{
    struct gil_state *s = arg;
    st->switches = cb_gil_switches(&s->gil) - s->switches0;
    st->drop_requests = cb_gil_drop_requests(&s->gil) - s->requests0;
    st->lock_wait_s = 0;
    for (int i = 0; i < s->nworkers; i++)
        st->lock_wait_s += st->w[i].lock_wait_s;
}

static void gil_destroy(void *arg)
{
    struct gil_state *s = arg;
    if (!s)
        return;
    cb_gil_destroy(&s->gil);
    free(s->w);
    free(s);
}

static void *alloc_lines(size_t size)
{
    void *q = aligned_alloc(64, (size + 63) & ~(size_t)63);
    if (q)
        memset(q, 0, size);
    return q;
}

static int gil_start(struct cb_pool **p, const struct cb_exec_config *c,
                     struct cb_error *e)
{
    struct gil_state *s = NULL;
    struct cb__tpool_hooks hooks = {
        .enter = gil_enter,
        .leave = gil_leave,
        .map_begin = gil_map_begin,
        .map_end = gil_map_end,
        .destroy = gil_destroy,
    };
    int rc;

    *p = NULL;
    if (c->workers < 1 || c->workers > CB_MAX_WORKERS) {
        rc = CB_FAIL(e, CB_EUSAGE, "gil: workers must be in 1..%d, not %d",
                     CB_MAX_WORKERS, c->workers);
        goto fail;
    }
    s = alloc_lines(sizeof *s);
    if (!s || !(s->w = alloc_lines(sizeof *s->w * (size_t)c->workers))) {
        rc = CB_FAIL(e, CB_ENOMEM, "gil: out of memory");
        goto fail;
    }
    s->nworkers = c->workers;
    for (int i = 0; i < c->workers; i++)
        s->w[i].s = s;
    /* 0 -> 5000 us, below 1 -> 1 us: cb_gil_resolve_interval(). Forced
     * switching on, as in every CPython build. */
    if ((rc = cb_gil_init(&s->gil, cb_xparam_long(c, "switch_interval", 0), 1,
                           e)) != 0)
        goto fail;
    hooks.arg = s;
    /* From here the engine owns s and calls gil_destroy on failure too. */
    return cb__tpool_start(p, c, CB__TPOOL_DYNAMIC, 1, "gil", &hooks, e);

fail:
    if (s)
        free(s->w);
    free(s);
    return rc;
}

const struct cb_executor cb_exec_gil = {
    .name = "gil",
    .summary = "thread-pool under an emulated CPython GIL (ceval_gil.c)",
    .caps = CB_EXEC_GIL,
    .params = (const struct cb_xparam[]){CB_XP_CHUNKSIZE("1"),
                                         CB_XP_SWITCH_INTERVAL, {0}},
    .start = gil_start,
    .map = cb__tpool_map,
    .stop = cb__tpool_stop,
};
