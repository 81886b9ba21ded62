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

/* n per preset, indexed by enum cb_size */
static const uint64_t empty_n[] = {
    [CB_SIZE_TINY] = 1000,
    [CB_SIZE_SMALL] = EMPTY_DEFAULT_N / 10,
    [CB_SIZE_DEFAULT] = EMPTY_DEFAULT_N,
    [CB_SIZE_LARGE] = 4 * EMPTY_DEFAULT_N,
    [CB_SIZE_SEED] = EMPTY_DEFAULT_N,
};

static int empty_prepare(struct cb_workload *w, const struct cb_params *p,
                         struct cb_error *e)
{
    uint64_t seed, n;
    int preset, rc;

    if ((preset = cb_prepare_begin(w, &cb_kernel_empty, p, &seed, e)) < 0)
        return preset;
    if ((rc = cb_params_u64(p, "n", empty_n[preset], 1, UINT64_MAX, &n,
                            e)) < 0 ||
        (rc = cb_workload_echo(w, n, e)) < 0)
        return rc;
    cb_workload_param(w, "n", "%" PRIu64, n);
    cb_workload_param(w, "seed", "%" PRIu64, seed);
    return 0;
}

static void empty_run(const struct cb_workload *w, const void *in, void *out,
                      struct cb_ctx *ctx)
{
    (void)w;
    (void)ctx;
    memcpy(out, in, sizeof(uint64_t));
}

const struct cb_kernel cb_kernel_empty = {
    .name = "empty",
    .summary = "tasks that only echo their index: pure dispatch cost",
    .flags = CB_KERNEL_NO_WORK,
    .param_help = empty_params,
    .prepare = empty_prepare,
    .run = empty_run,
    .verify = cb_verify_echo,
    .release = cb_workload_release,
    .tasks_param = "n",
    .resize = cb_resize_n,
};
