/* py-processes-chunked: the seeds' manual chunking in CPython (seeds 002,
 * 004): one ProcessPoolExecutor.submit per worker, each call a contiguous
 * slice of the inputs, results gathered with as_completed. One pickled
 * call per worker instead of one per task: what `map` at chunksize 1 pays
 * for, made visible. */
#include "python.h"

static int py_chunked_start(struct cb_pool **p, const struct cb_exec_config *c,
                            struct cb_error *e)
{
    return cb__py_start(p, c, "processes-chunked", "py-processes-chunked", e);
}

const struct cb_executor cb_exec_py_processes_chunked = {
    .name = "py-processes-chunked",
    .summary = "CPython one submit per worker + as_completed (seed 002)",
    .caps = CB_EXEC_PROCESSES | CB_EXEC_SELF_TIMED,
    .params = (const struct cb_xparam[]){CB_XP_PYTHON, {0}},
    .runtime = "cpython",
    .available = cb__py_available,
    .start = py_chunked_start,
    .map = cb__py_map,
    .stop = cb__py_stop,
    .abort = cb__py_abort,
};
