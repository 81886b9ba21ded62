/* py-threads: CPython's ThreadPoolExecutor.map over the same inputs, under
 * the real GIL: the anchor the emulated `gil` executor is measured
 * against. --switch-interval goes to sys.setswitchinterval(). (The pool
 * ignores a chunksize, as ThreadPoolExecutor.map does.) */
#include "python.h"

static int py_threads_start(struct cb_pool **p, const struct cb_exec_config *c,
                            struct cb_error *e)
{
    return cb__py_start(p, c, "threads", "py-threads", e);
}

const struct cb_executor cb_exec_py_threads = {
    .name = "py-threads",
    .summary = "CPython ThreadPoolExecutor.map under the real GIL",
    .caps = CB_EXEC_GIL | CB_EXEC_SELF_TIMED,
    .params = (const struct cb_xparam[]){CB_XP_SWITCH_INTERVAL,
                                         CB_XP_PYTHON, {0}},
    .runtime = "cpython",
    .available = cb__py_available,
    .start = py_threads_start,
    .map = cb__py_map,
    .stop = cb__py_stop,
    .abort = cb__py_abort,
};
