/* py-processes: CPython's ProcessPoolExecutor.map, every call and result
 * pickled through its queues, --chunksize as map(chunksize=) (auto:
 * ceil(n / (4 x workers)), multiprocessing.Pool's rule), the interpreter's
 * default start method. The real thing `process-pool` models in C. */
#include "python.h"

static int py_processes_start(struct cb_pool **p,
                              const struct cb_exec_config *c,
                              struct cb_error *e)
{
    return cb__py_start(p, c, "processes", "py-processes", e);
}

const struct cb_executor cb_exec_py_processes = {
    .name = "py-processes",
    .summary = "CPython ProcessPoolExecutor.map(chunksize=): pickled calls",
    .caps = CB_EXEC_PROCESSES | CB_EXEC_SELF_TIMED,
    .params = (const struct cb_xparam[]){CB_XP_CHUNKSIZE("1"),
                                         CB_XP_PYTHON, {0}},
    .runtime = "cpython",
    .available = cb__py_available,
    .start = py_processes_start,
    .map = cb__py_map,
    .stop = cb__py_stop,
    .abort = cb__py_abort,
};
