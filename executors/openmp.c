/* openmp: `#pragma omp parallel for schedule(runtime)`, the native C
 * reference the other executors are measured against. Compiled only when
 * CMake finds OpenMP (CB_HAVE_OPENMP, registry.c).
 *
 * Schedule and chunk (omp_set_schedule before each map):
 *   static  chunksize default -> 0, OpenMP's own static split (one
 *           near-equal contiguous block per thread); a positive or AUTO
 *           chunksize -> round-robin blocks of that size.
 *   dynamic, guided  chunksize default -> 1 (OpenMP's default for both);
 *           AUTO -> ceil(n / (4 * workers)); for guided it is the minimum
 *           block size.
 * st->chunksize reports the chunk asked for, or ceil(n/N) for the default
 * static split.
 *
 * Per-thread stats (st->w[omp_get_thread_num()]):
 *   tasks   iterations the thread ran;
 *   chunks  contiguous runs of iterations it ran: exact for static, a lower
 *           bound for dynamic/guided (two chunks handed out back to back to
 *           the same thread merge into one run);
 *   busy_s  wall time from entering the worksharing loop to leaving it
 *           (nowait, so the closing barrier is not included). It includes
 *           OpenMP's own dispatch, because timing each run() call would put
 *           two clock reads per task into the reference loop;
 *   cpu_s   CLOCK_THREAD_CPUTIME_ID delta over the same span plus binding.
 *
 * Pinning: each thread of the team calls cb_worker_bind() with its thread
 * number inside the parallel region at each map. Thread 0 of the team is
 * the caller's own thread, so map() saves the caller's affinity before the
 * region and restores it after: the caller never stays bound. */
#include <limits.h>
#include <omp.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "executor.h"

struct cb_pool {
    struct cb_exec_config cfg;
};

static int openmp_start(struct cb_pool **pp, const struct cb_exec_config *c,
                        struct cb_error *e)
{
    struct cb_pool *p = NULL;
    int got = 0, rc;

    *pp = NULL;
    if (c->workers < 1 || c->workers > CB_MAX_WORKERS) {
        rc = CB_FAIL(e, CB_EUSAGE, "openmp: workers must be in 1..%d, not %d",
                     CB_MAX_WORKERS, c->workers);
        goto fail;
    }
    p = calloc(1, sizeof *p);
    if (!p) {
        rc = CB_FAIL(e, CB_ENOMEM, "openmp: out of memory");
        goto fail;
    }
    p->cfg = *c;

    /* Exactly the requested team, never fewer threads chosen by the
     * runtime; then build the team now so thread creation is timed as
     * start-up, not as the first map (libgomp keeps the threads in its
     * pool between regions). */
    omp_set_dynamic(0);
#pragma omp parallel num_threads(c->workers)
    {
#pragma omp single
        got = omp_get_num_threads();
    }
    if (got != c->workers) {
        rc = CB_FAIL(e, CB_EUNSUPPORTED,
                     "openmp: asked for %d threads, the runtime gave %d "
                     "(OMP_THREAD_LIMIT?)",
                     c->workers, got);
        goto fail;
    }
    *pp = p;
    return 0;

fail:
    free(p);
    return rc;
}

static int openmp_map(struct cb_pool *p, const struct cb_workload *w,
                      void *outs, struct cb_map_stats *st, struct cb_error *e)
{
    const struct cb_exec_config *c = &p->cfg;
    const int nw = c->workers;
    const size_t n = w->n;
    omp_sched_t kind;
    long cs;
    int got = 0, restore = 0;
    double t_map;
    cpu_set_t old;

    if (!st || !st->w || st->nworkers < nw)
        return CB_FAIL(e, CB_EUSAGE, "openmp: map needs stats for %d workers",
                       nw);
    switch (cb_exec_schedule(c)) {
    case CB_SCHED_DYNAMIC:
        kind = omp_sched_dynamic;
        cs = cb_exec_chunksize(c, n, 1);
        break;
    case CB_SCHED_GUIDED:
        kind = omp_sched_guided;
        cs = cb_exec_chunksize(c, n, 1);
        break;
    default:
        kind = omp_sched_static;
        cs = cb_exec_chunk(c).kind == CB_CHUNK_DEFAULT
                 ? 0 : cb_exec_chunksize(c, n, 1);
        break;
    }
    if (cs > INT_MAX)
        cs = INT_MAX;
    omp_set_schedule(kind, (int)cs);
    st->chunksize = cs > 0 ? cs : (long)((n + (size_t)nw - 1) / (size_t)nw);

    if (c->pus)
        restore = sched_getaffinity(0, sizeof old, &old) == 0;
    t_map = cb_now(); /* span_s: each thread's end since the map began */

#pragma omp parallel num_threads(nw)
    {
        const int i = omp_get_thread_num();
        const char *in = w->in;
        char *out = outs;
        struct cb_worker_stats ws;
        struct cb_sched_mark mark;
        struct cb_ctx ctx;
        size_t expect = SIZE_MAX;
        double c0, t0;

        memset(&ws, 0, sizeof ws);
        memset(&ctx, 0, sizeof ctx);
        ctx.worker = i;
        if (i == 0)
            got = omp_get_num_threads();
        cb_worker_bind(c, i, &ws);
        cb_worker_sched_begin(&mark);
        c0 = cb_thread_cpu();
        ws.cpu_first = sched_getcpu();
        t0 = cb_now();
#pragma omp for schedule(runtime) nowait
        for (size_t k = 0; k < n; k++) {
            if (k != expect)
                ws.chunks++;
            expect = k + 1;
            w->kernel->run(w, in + k * w->in_size, out + k * w->out_size, &ctx);
            ws.tasks++;
        }
        ws.busy_s = cb_now() - t0;
        ws.cpu_last = sched_getcpu();
        if (ws.tasks == 0)
            ws.cpu_first = ws.cpu_last = -1;
        ws.cpu_s = cb_thread_cpu() - c0;
        cb_worker_sched_end(&mark, &ws);
        ws.span_s = cb_now() - t_map;
        st->w[i] = ws;
    }

    if (restore)
        sched_setaffinity(0, sizeof old, &old);
    if (got != nw)
        return CB_FAIL(e, CB_ESYS, "openmp: team of %d threads, %d expected",
                       got, nw);
    return 0;
}

static void openmp_stop(struct cb_pool *p)
{
    /* libgomp owns its thread pool and reuses it; nothing to join. */
    free(p);
}

const struct cb_executor cb_exec_openmp = {
    .name = "openmp",
    .summary = "#pragma omp parallel for, schedule static|dynamic|guided",
    .params = (const struct cb_xparam[]){CB_XP_SCHEDULE("static"),
                                         CB_XP_CHUNKSIZE("default"), {0}},
    .start = openmp_start,
    .map = openmp_map,
    .stop = openmp_stop,
};
