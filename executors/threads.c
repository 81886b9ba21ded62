/* threads: N pthreads started once and parked; each map hands worker i one
 * static contiguous block of ceil(n/N) tasks (the seeds' manual chunking:
 * one submit per chunk) and returns when all blocks are done.
 *
 * In C there is no GIL, so CPU-bound kernels scale nearly linearly here;
 * on skewed work (factorize) the static split shows load imbalance, which
 * thread-pool's dynamic queue removes. The pool mechanics (parking, wake-up,
 * per-worker stats with CLOCK_THREAD_CPUTIME_ID deltas) are the engine in
 * thread_pool.c. */
#include "thread_pool.h"

static int threads_start(struct cb_pool **p, const struct cb_exec_config *c,
                         struct cb_error *e)
{
    return cb__tpool_start(p, c, CB__TPOOL_STATIC, 0, "thr", NULL, e);
}

const struct cb_executor cb_exec_threads = {
    .name = "threads",
    .summary = "one static contiguous chunk per pthread (manual chunking)",
    .start = threads_start,
    .map = cb__tpool_map,
    .stop = cb__tpool_stop,
};
