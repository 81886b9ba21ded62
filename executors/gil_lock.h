/* An emulated CPython GIL, after Python/ceval_gil.c (CPython 3.2 .. 3.12).
 *
 * The lock is a `locked` flag guarded by a mutex, with a condition variable
 * signalled on every release. A thread that wants the lock waits on that
 * condvar for at most one switch interval at a time; if a wait times out
 * and no switch happened meanwhile (switch_number unchanged), it sets the
 * drop request, which the holder polls at its checkpoints (the "eval
 * breaker") and answers by dropping and re-taking the lock. With forced
 * switching (CPython's FORCE_SWITCHING, always on in CPython) a thread that
 * drops the lock because it was asked to waits until another thread has
 * taken it, so it cannot immediately win it back. There is no FIFO: any
 * waiter may win, as in CPython.
 *
 * Thread contract: one struct cb_gil_tstate per thread (CPython's
 * PyThreadState); a thread only passes its own tstate. take() must not be
 * called by the holder, drop() only by the holder. The counters in a tstate
 * are written only by its thread; the counters in struct cb_gil are atomics
 * and may be read by anyone (e.g. the harness thread after a map). */
#ifndef CB_GIL_LOCK_H
#define CB_GIL_LOCK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "executor.h" /* CB_SWITCH_INTERVAL_DEFAULT_US */

/* sys.getswitchinterval() default, in microseconds */
#define CB_GIL_DEFAULT_INTERVAL_US ((long)CB_SWITCH_INTERVAL_DEFAULT_US)

struct cb_gil {
    /* Polled by the holder at every checkpoint: kept apart from the fields
     * that change on every take/drop so polling stays a cache hit. This is
     * the eval breaker: cb_ctx.breaker points here. */
    _Alignas(64) atomic_int drop_request;

    _Alignas(64) atomic_int locked; /* written under mutex */
    atomic_uintptr_t last_holder;   /* tstate of the last taker */
    atomic_ulong switch_number;     /* holder changes, under mutex */
    atomic_long interval_us;        /* resolved: >= 1 */
    atomic_ulong drop_requests;     /* times drop_request went 0 -> 1 */
    int force_switching;            /* fixed at init */
    pthread_mutex_t mutex;
    pthread_cond_t cond;          /* signalled on each release */
    pthread_mutex_t switch_mutex; /* forced switching */
    pthread_cond_t switch_cond;   /* signalled on each take */
};

/* Per-thread state. Only its own thread reads or writes the fields. */
struct cb_gil_tstate {
    double wait_s;     /* seconds blocked by the GIL: in take(), and in
                          drop()'s forced-switch wait */
    uint64_t acquires; /* successful take() calls */
    uint64_t requests; /* timed-out waits after which it asked for a drop */
    int held;          /* 1 between take() and drop(): for assertions */
};

/* Resolves a requested switch interval: 0 -> the default (5000 us);
 * anything else below 1 -> 1 (CPython's floor: `interval >= 1 ? interval
 * : 1`); otherwise unchanged. */
long cb_gil_resolve_interval(long us);

/* Creates the lock (CPython's create_gil): unlocked, no holder, counters
 * zero. interval_us goes through cb_gil_resolve_interval(). force_switching
 * nonzero enables FORCE_SWITCHING (what CPython does). On failure nothing
 * needs destroying. */
int cb_gil_init(struct cb_gil *g, long interval_us, int force_switching,
                struct cb_error *e);
/* Destroys an initialized, unlocked lock with no thread inside it. */
void cb_gil_destroy(struct cb_gil *g);

/* sys.setswitchinterval(): takes effect at waiters' next timed wait. */
void cb_gil_set_interval(struct cb_gil *g, long interval_us);
long cb_gil_interval(const struct cb_gil *g);

/* take_gil(): blocks until the calling thread holds the lock. */
void cb_gil_take(struct cb_gil *g, struct cb_gil_tstate *t);
/* drop_gil(): releases the lock and wakes one waiter; with forced switching
 * and a pending drop request, returns only once another thread has taken
 * the lock. */
void cb_gil_drop(struct cb_gil *g, struct cb_gil_tstate *t);
/* The eval-breaker handler: if a drop was requested, drop and re-take
 * (giving the requester its turn); otherwise nothing. Holder only. */
void cb_gil_yield(struct cb_gil *g, struct cb_gil_tstate *t);

/* Counters since init (monotonic; subtract snapshots for one map). */
uint64_t cb_gil_switches(const struct cb_gil *g);
uint64_t cb_gil_drop_requests(const struct cb_gil *g);

#endif
