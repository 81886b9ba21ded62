/* py-serial: CPython's plain loop, `list(map(fn, inputs))` as seed 003
 * times it serially: the baseline every py-* speedup divides (never the C
 * serial run: the C-vs-CPython ratio is its own figure). The engine and
 * the channel are python.c's; python/pyexec.py runs the loop. */
#include "python.h"

static int py_serial_start(struct cb_pool **p, const struct cb_exec_config *c,
                           struct cb_error *e)
{
    return cb__py_start(p, c, "serial", "py-serial", e);
}

const struct cb_executor cb_exec_py_serial = {
    .name = "py-serial",
    .summary = "CPython list(map(fn, inputs)): the py-* baseline",
    .caps = CB_EXEC_SINGLE | CB_EXEC_SELF_TIMED,
    .params = (const struct cb_xparam[]){CB_XP_PYTHON, {0}},
    .runtime = "cpython",
    .available = cb__py_available,
    .start = py_serial_start,
    .map = cb__py_map,
    .stop = cb__py_stop,
    .abort = cb__py_abort,
};
