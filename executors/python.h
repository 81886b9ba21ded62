/* Private to the CPython executors (py_serial.c, py_threads.c,
 * py_processes.c, py_processes_chunked.c): the one engine they share, so
 * that the four differ only in what the lesson is about (a loop, a
 * ThreadPoolExecutor under the real GIL, a ProcessPoolExecutor.map that
 * pickles every call, the seeds' one submit per worker) and not in how
 * CPython is started and talked to.
 *
 * start() spawns `PYTHON python/pyexec.py MODE ...` (an argument vector,
 * no shell) in a process group of its own, with a socketpair on its fd 3,
 * and waits until it has rebuilt the workload from the kernel's resolved
 * parameters (python/kernels.py). map() asks for one sample: CPython
 * starts the pool, maps, shuts the pool down, timing each part itself
 * (CB_EXEC_SELF_TIMED), and sends back every output record in the C
 * kernel's layout, which the harness verifies with the C kernel's own
 * verify(). stop() closes the channel, gives the interpreter a grace
 * period, then kills what is left of its process group (pool workers
 * included) and reaps it. */
#ifndef CB_PYTHON_H
#define CB_PYTHON_H

#include "executor.h"

/* The interpreter: a path, or a name looked up on PATH. Labelled only when
 * asked for, so a second interpreter (a free-threaded 3.13t, say) is a
 * configuration of its own: `-x python=python3,python3.13t`. */
#define CB_XP_PYTHON                                                           \
    {"python", "python3", "interpreter: a path or a name on PATH", NULL, NULL, \
     0, 1, NULL}

/* MODE: "serial", "threads", "processes" or "processes-chunked" (see
 * python/pyexec.py). `who` names the executor in messages. */
int cb__py_start(struct cb_pool **p, const struct cb_exec_config *c,
                 const char *mode, const char *who, struct cb_error *e);
int cb__py_map(struct cb_pool *p, const struct cb_workload *w, void *outs,
               struct cb_map_stats *st, struct cb_error *e);
void cb__py_stop(struct cb_pool *p);
/* SIGKILL to the interpreter's process group (async-signal-safe). */
void cb__py_abort(struct cb_pool *p);
/* Runs `PYTHON pyexec.py --about`: CB_EUNSUPPORTED with the reason when
 * there is no interpreter or it cannot run pyexec.py; else fills `about`
 * (python, executable, version, implementation, gil_enabled,
 * start_method). */
int cb__py_available(const struct cb_exec_config *c,
                     struct cb_exec_about *about, struct cb_error *e);

#endif
