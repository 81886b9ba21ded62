/* The emulated GIL: see gil_lock.h. The structure follows CPython's
 * Python/ceval_gil.c (create_gil, take_gil, drop_gil) step by step; the
 * comments name the CPython step each part mirrors. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "gil_lock.h"

long cb_gil_resolve_interval(long us)
{
    if (us == 0)
        return CB_GIL_DEFAULT_INTERVAL_US;
    return us >= 1 ? us : 1;
}

int cb_gil_init(struct cb_gil *g, long interval_us, int force_switching,
                struct cb_error *e)
{
    pthread_condattr_t ca;
    int stage = 0, rc;

    memset(g, 0, sizeof *g);
    /* Timed waits measure the interval on CLOCK_MONOTONIC, so a clock
     * step does not stretch or cut a switch interval. */
    if ((rc = pthread_condattr_init(&ca)) != 0)
        goto fail;
    if ((rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC)) != 0 ||
        (rc = pthread_mutex_init(&g->mutex, NULL)) != 0)
        goto fail_attr;
    stage = 1;
    if ((rc = pthread_cond_init(&g->cond, &ca)) != 0)
        goto fail_attr;
    stage = 2;
    if ((rc = pthread_mutex_init(&g->switch_mutex, NULL)) != 0)
        goto fail_attr;
    stage = 3;
    if ((rc = pthread_cond_init(&g->switch_cond, NULL)) != 0)
        goto fail_attr;
    pthread_condattr_destroy(&ca);

    atomic_init(&g->drop_request, 0);
    atomic_init(&g->locked, 0);
    atomic_init(&g->last_holder, 0);
    atomic_init(&g->switch_number, 0);
    atomic_init(&g->interval_us, cb_gil_resolve_interval(interval_us));
    atomic_init(&g->drop_requests, 0);
    g->force_switching = force_switching != 0;
    return 0;

fail_attr:
    pthread_condattr_destroy(&ca);
fail:
    if (stage >= 3)
        pthread_mutex_destroy(&g->switch_mutex);
    if (stage >= 2)
        pthread_cond_destroy(&g->cond);
    if (stage >= 1)
        pthread_mutex_destroy(&g->mutex);
    return CB_FAIL(e, CB_ESYS, "cannot create the GIL: %s", strerror(rc));
}

void cb_gil_destroy(struct cb_gil *g)
{
    /* destroy_gil(): condvars before their mutexes */
    pthread_cond_destroy(&g->cond);
    pthread_mutex_destroy(&g->mutex);
    pthread_cond_destroy(&g->switch_cond);
    pthread_mutex_destroy(&g->switch_mutex);
}

void cb_gil_set_interval(struct cb_gil *g, long interval_us)
{
    atomic_store_explicit(&g->interval_us, cb_gil_resolve_interval(interval_us),
                          memory_order_relaxed);
}

long cb_gil_interval(const struct cb_gil *g)
{
    return atomic_load_explicit(&g->interval_us, memory_order_relaxed);
}

uint64_t cb_gil_switches(const struct cb_gil *g)
{
    return atomic_load_explicit(&g->switch_number, memory_order_relaxed);
}

uint64_t cb_gil_drop_requests(const struct cb_gil *g)
{
    return atomic_load_explicit(&g->drop_requests, memory_order_relaxed);
}

/* COND_TIMED_WAIT: 1 if the wait timed out, 0 if signalled (or spurious,
 * which CPython cannot tell apart either and treats as "not timed out"). */
static int timed_wait(pthread_cond_t *cv, pthread_mutex_t *mu, long us)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += us / 1000000;
    ts.tv_nsec += (us % 1000000) * 1000;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return pthread_cond_timedwait(cv, mu, &ts) == ETIMEDOUT;
}

void cb_gil_take(struct cb_gil *g, struct cb_gil_tstate *t)
{
    const uintptr_t me = (uintptr_t)t;
    double t0 = 0;
    int waited = 0;

    pthread_mutex_lock(&g->mutex);
    if (atomic_load_explicit(&g->locked, memory_order_relaxed)) {
        /* Contended: only now read the clock, so the uncontended path
         * (one worker, or the holder re-taking at once) stays cheap. */
        t0 = cb_now();
        waited = 1;
    }
    while (atomic_load_explicit(&g->locked, memory_order_relaxed)) {
        unsigned long saved =
            atomic_load_explicit(&g->switch_number, memory_order_relaxed);
        long interval = cb_gil_interval(g);
        int timed_out = timed_wait(&g->cond, &g->mutex, interval);
        /* A full interval passed and nobody else got the lock in between:
         * ask the holder to drop it at its next checkpoint. Only 0 -> 1
         * transitions are counted, so several waiters asking the same
         * holder count once. */
        if (timed_out &&
            atomic_load_explicit(&g->locked, memory_order_relaxed) &&
            atomic_load_explicit(&g->switch_number, memory_order_relaxed) ==
                saved) {
            if (!atomic_exchange_explicit(&g->drop_request, 1,
                                          memory_order_relaxed))
                atomic_fetch_add_explicit(&g->drop_requests, 1,
                                          memory_order_relaxed);
            t->requests++;
        }
    }

    /* _ready: the switch mutex must be held while last_holder changes, so
     * a forced-switch waiter in drop() cannot miss the change. */
    if (g->force_switching)
        pthread_mutex_lock(&g->switch_mutex);
    atomic_store_explicit(&g->locked, 1, memory_order_relaxed);
    if (atomic_load_explicit(&g->last_holder, memory_order_relaxed) != me) {
        atomic_store_explicit(&g->last_holder, me, memory_order_relaxed);
        atomic_fetch_add_explicit(&g->switch_number, 1, memory_order_relaxed);
    }
    if (g->force_switching) {
        pthread_cond_signal(&g->switch_cond);
        pthread_mutex_unlock(&g->switch_mutex);
    }
    /* Whoever asked, the lock has now changed hands (or been re-taken):
     * the request is answered. */
    atomic_store_explicit(&g->drop_request, 0, memory_order_relaxed);
    pthread_mutex_unlock(&g->mutex);

    t->held = 1;
    t->acquires++;
    if (waited)
        t->wait_s += cb_now() - t0;
}

void cb_gil_drop(struct cb_gil *g, struct cb_gil_tstate *t)
{
    const uintptr_t me = (uintptr_t)t;

    t->held = 0;
    atomic_store_explicit(&g->last_holder, me, memory_order_relaxed);
    pthread_mutex_lock(&g->mutex);
    atomic_store_explicit(&g->locked, 0, memory_order_relaxed);
    pthread_cond_signal(&g->cond);
    pthread_mutex_unlock(&g->mutex);

    /* FORCE_SWITCHING: we were asked to drop, so make sure the asker (or
     * any other waiter) gets the lock before we can compete again; else on
     * a multi-core machine the dropper usually wins the lock straight back.
     *
     * The wait cannot hang: drop_request is only set by a thread inside
     * take() and is cleared by every acquisition, so if it is still set
     * and nobody has taken the lock since our release, its setter is still
     * in take() and will take the now free lock. CPython waits once; we
     * loop on the same condition to be immune to spurious wake-ups. */
    if (g->force_switching &&
        atomic_load_explicit(&g->drop_request, memory_order_relaxed)) {
        double t0 = 0;
        int waited = 0;
        pthread_mutex_lock(&g->switch_mutex);
        if (atomic_load_explicit(&g->last_holder, memory_order_relaxed) == me) {
            atomic_store_explicit(&g->drop_request, 0, memory_order_relaxed);
            t0 = cb_now();
            waited = 1;
            while (atomic_load_explicit(&g->last_holder,
                                        memory_order_relaxed) == me)
                pthread_cond_wait(&g->switch_cond, &g->switch_mutex);
        }
        pthread_mutex_unlock(&g->switch_mutex);
        if (waited)
            t->wait_s += cb_now() - t0;
    }
}

void cb_gil_yield(struct cb_gil *g, struct cb_gil_tstate *t)
{
    /* _Py_HandlePending(): "Give another thread a chance" */
    if (atomic_load_explicit(&g->drop_request, memory_order_relaxed)) {
        cb_gil_drop(g, t);
        /* other threads may run now */
        cb_gil_take(g, t);
    }
}
