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
static const char sleep_sizes[] = "tiny, small, default, large, seed";

struct sleep_state {
    uint64_t us;
};

static void sleep_release(struct cb_workload *w)
{
    free(w->in);
    free(w->state);
    w->in = NULL;
    w->state = NULL;
}

static int sleep_prepare(struct cb_workload *w, const struct cb_params *p,
                         struct cb_error *e)
{
    const char *size = p && p->size ? p->size : "default";
    uint64_t seed, n, us, def_n, def_us = SLEEP_DEFAULT_US;
    struct sleep_state *st;
    uint64_t *in;
    int rc;

    memset(w, 0, sizeof *w);
    w->kernel = &cb_kernel_sleep;
    if ((rc = cb_params_check(p, "sleep", sleep_params, e)) < 0)
        return rc;
    if (strcmp(size, "tiny") == 0) {
        def_n = 8;
        def_us = 100;
    } else if (strcmp(size, "small") == 0) {
        def_n = 50;
    } else if (strcmp(size, "default") == 0 || strcmp(size, "seed") == 0) {
        def_n = SLEEP_DEFAULT_N;
    } else if (strcmp(size, "large") == 0) {
        def_n = 4 * SLEEP_DEFAULT_N;
    } else {
        return CB_FAIL(e, CB_EUSAGE,
                       "--size %s: not a size of kernel sleep (accepted: %s)",
                       size, sleep_sizes);
    }
    if ((rc = cb_params_u64(p, "seed", p ? p->seed : 0, 0, UINT64_MAX, &seed,
                            e)) < 0 ||
        (rc = cb_params_u64(p, "n", def_n, 1, UINT64_MAX, &n, e)) < 0 ||
        (rc = cb_params_u64(p, "us", def_us, 0, SLEEP_MAX_US, &us, e)) < 0)
        return rc;
    if (n > SIZE_MAX / sizeof *in)
        return CB_FAIL(e, CB_EUSAGE,
                       "--param n=%" PRIu64
                       ": n x 8 bytes overflows the address space",
                       n);
    in = malloc((size_t)n * sizeof *in);
    st = malloc(sizeof *st);
    if (!in || !st) {
        free(in);
        free(st);
        return CB_FAIL(e, CB_ENOMEM, "sleep: no memory for %" PRIu64 " tasks",
                       n);
    }
    for (size_t i = 0; i < (size_t)n; i++)
        in[i] = (uint64_t)i + 1;
    st->us = us;
    w->n = (size_t)n;
    w->in_size = sizeof(uint64_t);
    w->out_size = sizeof(uint64_t);
    w->in = in;
    w->state = st;
    snprintf(w->size, sizeof w->size, "%s", size);
    cb_workload_param(w, "n", "%" PRIu64, n);
    cb_workload_param(w, "us", "%" PRIu64, us);
    cb_workload_param(w, "seed", "%" PRIu64, seed);
    w->work = (double)n;
    w->work_unit = "tasks";
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

static int sleep_verify(const struct cb_workload *w, const void *outs,
                        struct cb_error *e)
{
    const char *out = outs;
    for (size_t i = 0; i < w->n; i++) {
        uint64_t v;
        memcpy(&v, out + i * w->out_size, sizeof v);
        if (v != (uint64_t)i + 1)
            return CB_FAIL(e, CB_EVERIFY,
                           "sleep task %zu: output %" PRIu64
                           ", expected %zu (task did not run or landed "
                           "in the wrong slot)",
                           i, v, i + 1);
    }
    return 0;
}

const struct cb_kernel cb_kernel_sleep = {
    .name = "sleep",
    .summary = "each task sleeps `us` microseconds in a blocking section",
    .flags = CB_KERNEL_BLOCKS,
    .param_help = sleep_params,
    .prepare = sleep_prepare,
    .run = sleep_run,
    .verify = sleep_verify,
    .release = sleep_release,
};
