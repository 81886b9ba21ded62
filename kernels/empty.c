/* empty: tasks that do nothing but copy their 8-byte input to the output,
 * so a map's time is pure dispatch cost: the per-task overhead of each
 * executor (queue, lock, pipe, pickling stand-in) with no work to hide it.
 *
 * Input record:  { uint64 task number, 1-based }
 * Output record: { uint64 the same number }, so verify proves every task
 *                ran and landed in its own slot (a zeroed slot never passes).
 *
 * Sizes (n): tiny 1000; small 10000; default 100000; large 400000;
 * seed = default (no seed defines this kernel). Params: n, seed (accepted
 * and recorded). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

#define EMPTY_DEFAULT_N 100000

const struct cb_kernel cb_kernel_empty;

static const char empty_params[] = "seed,n";
static const char empty_sizes[] = "tiny, small, default, large, seed";

static void empty_release(struct cb_workload *w)
{
    free(w->in);
    w->in = NULL;
    w->state = NULL;
}

static int empty_prepare(struct cb_workload *w, const struct cb_params *p,
                         struct cb_error *e)
{
    const char *size = p && p->size ? p->size : "default";
    uint64_t seed, n, def_n;
    uint64_t *in;
    int rc;

    memset(w, 0, sizeof *w);
    w->kernel = &cb_kernel_empty;
    if ((rc = cb_params_check(p, "empty", empty_params, e)) < 0)
        return rc;
    if (strcmp(size, "tiny") == 0)
        def_n = 1000;
    else if (strcmp(size, "small") == 0)
        def_n = EMPTY_DEFAULT_N / 10;
    else if (strcmp(size, "default") == 0 || strcmp(size, "seed") == 0)
        def_n = EMPTY_DEFAULT_N;
    else if (strcmp(size, "large") == 0)
        def_n = 4 * EMPTY_DEFAULT_N;
    else
        return CB_FAIL(e, CB_EUSAGE,
                       "--size %s: not a size of kernel empty (accepted: %s)",
                       size, empty_sizes);
    if ((rc = cb_params_u64(p, "seed", p ? p->seed : 0, 0, UINT64_MAX, &seed,
                            e)) < 0 ||
        (rc = cb_params_u64(p, "n", def_n, 1, UINT64_MAX, &n, e)) < 0)
        return rc;
    if (n > SIZE_MAX / sizeof *in)
        return CB_FAIL(e, CB_EUSAGE,
                       "--param n=%" PRIu64
                       ": n x 8 bytes overflows the address space",
                       n);
    in = malloc((size_t)n * sizeof *in);
    if (!in)
        return CB_FAIL(e, CB_ENOMEM, "empty: no memory for %" PRIu64 " tasks",
                       n);
    for (size_t i = 0; i < (size_t)n; i++)
        in[i] = (uint64_t)i + 1;
    w->n = (size_t)n;
    w->in_size = sizeof(uint64_t);
    w->out_size = sizeof(uint64_t);
    w->in = in;
    snprintf(w->size, sizeof w->size, "%s", size);
    cb_workload_param(w, "n", "%" PRIu64, n);
    cb_workload_param(w, "seed", "%" PRIu64, seed);
    w->work = (double)n;
    w->work_unit = "tasks";
    return 0;
}

static void empty_run(const struct cb_workload *w, const void *in, void *out,
                      struct cb_ctx *ctx)
{
    (void)w;
    (void)ctx;
    memcpy(out, in, sizeof(uint64_t));
}

static int empty_verify(const struct cb_workload *w, const void *outs,
                        struct cb_error *e)
{
    const char *out = outs;
    for (size_t i = 0; i < w->n; i++) {
        uint64_t v;
        memcpy(&v, out + i * w->out_size, sizeof v);
        if (v != (uint64_t)i + 1)
            return CB_FAIL(e, CB_EVERIFY,
                           "empty task %zu: output %" PRIu64
                           ", expected %zu (task did not run or landed "
                           "in the wrong slot)",
                           i, v, i + 1);
    }
    return 0;
}

const struct cb_kernel cb_kernel_empty = {
    .name = "empty",
    .summary = "tasks that only echo their index: pure dispatch cost",
    .flags = 0,
    .param_help = empty_params,
    .prepare = empty_prepare,
    .run = empty_run,
    .verify = empty_verify,
    .release = empty_release,
};
