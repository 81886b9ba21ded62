/* One sample: start | map | stop, each timed, the outputs poisoned before
 * and verified after, counters read around the three. The one sampling
 * loop of corebench: `run` takes every sample with it, the probe's
 * executor floors too. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "run.h"

static double epoch_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The machine's CPU time over the sample: after - before (run.h). */
static void machine_delta(const struct cb_cpustat *a, const struct cb_cpustat *b,
                          double self0, double self1, double span,
                          struct cb_sample *out)
{
    if (!a->ok || !b->ok)
        return;
    out->have_cpustat = 1;
    out->ncpus = b->n < a->n ? b->n : a->n;
    for (int i = 0; i < out->ncpus; i++)
        out->steal_cpu[i] = fmax(0, b->steal[i] - a->steal[i]);
    out->busy_all_s = fmax(0, b->busy_all - a->busy_all);
    out->steal_all_s = fmax(0, b->steal_all - a->steal_all);
    out->window_s = span;
    out->self_cpu_s = self1 - self0;
}

/* executor.h started(): the pool a start() is building, for the
 * watchdog (NULL: gone again) */
void cb_inflight_pool(void *arg, struct cb_pool *p)
{
    struct cb_inflight *fl = arg;
    pthread_mutex_lock(&fl->mu);
    fl->pool = p;
    pthread_mutex_unlock(&fl->mu);
}

int cb_sample_take(const struct cb_executor *x, const struct cb_exec_config *c,
                   const struct cb_workload *w, void *outs,
                   struct cb_map_stats *st, struct cb_counters *counters,
                   struct cb_inflight *fl, struct cb_sample *out,
                   struct cb_error *e)
{
    struct cb_pool *pool = NULL;
    struct cb_cpustat ps0, ps1;
    struct cb_exec_config cs = *c;
    double t0, t1, t2, t3, self0, self1;
    int rc, started;

    memset(out, 0, sizeof *out);
    out->self_cpu_s = NAN;
    cb_env_cpustat(&ps0);
    self0 = cb_env_self_cpu();
    cb_map_stats_reset(st);
    memset(outs, 0xa5, w->n * w->out_size); /* a skipped task cannot pass */
    if (counters)
        cb_counters_start(counters);
    if (fl) { /* the watchdog covers the start too (executor.h started) */
        pthread_mutex_lock(&fl->mu);
        fl->x = x;
        fl->pool = NULL;
        fl->since = 0;
        fl->timed_out = 0;
        fl->deadline = fl->timeout > 0
            ? cb_now() + (fl->timeout > CB_START_MIN_TIMEOUT_S
                              ? fl->timeout : CB_START_MIN_TIMEOUT_S) : 0;
        pthread_mutex_unlock(&fl->mu);
        cs.started = cb_inflight_pool;
        cs.started_arg = fl;
    }
    t0 = cb_now();
    rc = x->start(&pool, &cs, e);
    t1 = cb_now();
    started = rc == 0;
    if (fl && !started && fl->timed_out)
        rc = CB_FAIL(e, CB_EBROKEN, "start-up timed out after %.3g s "
                     "(--task-timeout, at least %.0f s for a start); its "
                     "processes were killed", fl->timeout > CB_START_MIN_TIMEOUT_S
                     ? fl->timeout : CB_START_MIN_TIMEOUT_S,
                     CB_START_MIN_TIMEOUT_S);
    if (started && fl) { /* the watchdog may now end the map */
        pthread_mutex_lock(&fl->mu);
        fl->pool = pool;
        fl->deadline = fl->timeout > 0 ? cb_now() + fl->timeout : 0;
        pthread_mutex_unlock(&fl->mu);
    }
    out->epoch_start = epoch_now();
    if (rc == 0)
        rc = x->map(pool, w, outs, st, e);
    t2 = cb_now();
    out->epoch_end = epoch_now();
    if (fl) {
        /* the in-flight mark ends with the map, whether or not the
         * watchdog saw it: a stale one would end the next map */
        pthread_mutex_lock(&fl->mu);
        fl->pool = NULL;
        fl->since = 0;
        pthread_mutex_unlock(&fl->mu);
        if (started && fl->timed_out)
            rc = CB_FAIL(e, CB_EBROKEN, "map timed out after %.3g s "
                         "(--task-timeout); its worker processes were "
                         "killed", fl->timeout);
    }
    x->stop(pool);
    t3 = cb_now();
    if (counters) {
        cb_counters_stop(counters, &out->ctr);
        out->have_ctr = 1;
    }
    self1 = cb_env_self_cpu();
    cb_env_cpustat(&ps1);
    machine_delta(&ps0, &ps1, self0, self1, t3 - t0, out);
    if (rc == 0)
        rc = w->kernel->verify(w, outs, e);
    if (x->caps & CB_EXEC_SELF_TIMED) {
        /* timed inside the other runtime: our clock would also count
         * starting it and talking to it */
        out->startup_s = st->self_start_s;
        out->map_s = st->self_map_s;
        out->shutdown_s = st->self_stop_s;
    } else {
        out->startup_s = t1 - t0;
        out->map_s = t2 - t1;
        out->shutdown_s = t3 - t2;
    }
    return rc;
}
