/* sleep: every task blocks for `us` microseconds in nanosleep(), inside
 * cb_blocking_begin/end, the analogue of Py_BEGIN_ALLOW_THREADS around a
 * blocking system call. The I/O-bound counterpart of the CPU kernels: under
 * the emulated GIL, threads overlap these waits and speed up, as Python
 * threads do for blocking I/O.
 *
 * Input record:  { uint64 task number, 1-based }
 * Output record: { uint64 the same number }, so verify proves every task
 *                ran and landed in its own slot (a zeroed slot never passes).
 *
 * Sizes (n, us): tiny 8, 100; small 50, 1000; default 200, 1000 (~0.2 s
 * serial plus timer slack); large 800, 1000; seed = default (no seed
 * defines this kernel). Params: n, us, seed (accepted and recorded). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel.h"

#define SLEEP_DEFAULT_N 200
#define SLEEP_DEFAULT_US 1000
#define SLEEP_MAX_US UINT64_C(10000000) /* 10 s per task */

const struct cb_kernel cb_kernel_sleep;

static const char sleep_params[] = "seed,n,us";

/* n per preset, indexed by enum cb_size (us: tiny 100, else the default) */
static const uint64_t sleep_n[] = {
    [CB_SIZE_TINY] = 8,
    [CB_SIZE_SMALL] = 50,
    [CB_SIZE_DEFAULT] = SLEEP_DEFAULT_N,
    [CB_SIZE_LARGE] = 4 * SLEEP_DEFAULT_N,
    [CB_SIZE_SEED] = SLEEP_DEFAULT_N,
};

struct sleep_state {
    uint64_t us;
};

static int sleep_prepare(struct cb_workload *w, const struct cb_params *p,
                         struct cb_error *e)
{
    uint64_t seed, n, us, def_us = SLEEP_DEFAULT_US;
    struct sleep_state *st;
    int preset, rc;

    if ((preset = cb_prepare_begin(w, &cb_kernel_sleep, p, &seed, e)) < 0)
        return preset;
    if (preset == CB_SIZE_TINY)
        def_us = 100;
    if ((rc = cb_params_u64(p, "n", sleep_n[preset], 1, UINT64_MAX, &n,
                            e)) < 0 ||
        (rc = cb_params_u64(p, "us", def_us, 0, SLEEP_MAX_US, &us, e)) < 0 ||
        (rc = cb_workload_echo(w, n, e)) < 0)
        return rc;
    st = malloc(sizeof *st);
    if (!st) {
        cb_workload_release(w);
        return CB_FAIL(e, CB_ENOMEM, "sleep: no memory for %" PRIu64 " tasks",
                       n);
    }
    st->us = us;
    w->state = st;
    cb_workload_param(w, "n", "%" PRIu64, n);
    cb_workload_param(w, "us", "%" PRIu64, us);
    cb_workload_param(w, "seed", "%" PRIu64, seed);
    return 0;
}

static void sleep_run(const struct cb_workload *w, const void *in, void *out,
                      struct cb_ctx *ctx)
{
    const struct sleep_state *st = w->state;
    struct timespec ts;
    ts.tv_sec = (time_t)(st->us / 1000000);
    ts.tv_nsec = (long)(st->us % 1000000) * 1000;
    cb_blocking_begin(ctx);
    /* a signal (an executor's timer, a debugger) must not cut it short */
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    cb_blocking_end(ctx);
    memcpy(out, in, sizeof(uint64_t));
}

const struct cb_kernel cb_kernel_sleep = {
    .name = "sleep",
    .summary = "each task sleeps `us` microseconds in a blocking section",
    .flags = CB_KERNEL_BLOCKS,
    .param_help = sleep_params,
    .prepare = sleep_prepare,
    .run = sleep_run,
    .verify = cb_verify_echo,
    .release = cb_workload_release,
    .tasks_param = "n",
    .resize = cb_resize_n,
};
