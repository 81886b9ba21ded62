/* serial: one loop on the calling thread. The baseline every speedup
 * divides, so it goes through the same task loop as every other executor. */
#include <sched.h>
#include <stdlib.h>

#include "executor.h"

struct cb_pool {
    struct cb_exec_config cfg;
};

static int serial_start(struct cb_pool **p, const struct cb_exec_config *c,
                        struct cb_error *e)
{
    *p = calloc(1, sizeof **p);
    if (!*p)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    (*p)->cfg = *c;
    return 0;
}

static int serial_map(struct cb_pool *p, const struct cb_workload *w,
                      void *outs, struct cb_map_stats *st, struct cb_error *e)
{
    struct cb_ctx ctx = {0};
    struct cb_worker_stats *ws = &st->w[0];
    struct cb_sched_mark mark;
    cpu_set_t old;
    int restore;
    double c0;
    (void)e;
    /* Binding the caller must not outlive the map: save and restore. */
    restore = sched_getaffinity(0, sizeof old, &old) == 0;
    cb_worker_bind(&p->cfg, 0, ws);
    cb_worker_sched_begin(&mark);
    c0 = cb_thread_cpu();
    cb_worker_run_range(w, 0, w->n, outs, &ctx, ws);
    ws->cpu_s = cb_thread_cpu() - c0;
    cb_worker_sched_end(&mark, ws);
    if (restore && ws->pinned)
        sched_setaffinity(0, sizeof old, &old);
    return 0;
}

static void serial_stop(struct cb_pool *p)
{
    free(p);
}

const struct cb_executor cb_exec_serial = {
    .name = "serial",
    .summary = "one loop on the calling thread: the baseline",
    .caps = CB_EXEC_SINGLE,
    .start = serial_start,
    .map = serial_map,
    .stop = serial_stop,
};
