/* The executor registry. Optional executors are switched here and in CMake
 * only, never in harness logic. `mpi` is always listed: CMake compiles
 * executors/mpi.c with MPI, executors/mpi_none.c (says why not) without. */
#include <string.h>

#include "executor.h"

extern const struct cb_executor cb_exec_serial, cb_exec_threads,
    cb_exec_thread_pool, cb_exec_gil, cb_exec_processes,
    cb_exec_process_pool, cb_exec_py_serial, cb_exec_py_threads,
    cb_exec_py_processes, cb_exec_py_processes_chunked, cb_exec_mpi;
#ifdef CB_HAVE_OPENMP
extern const struct cb_executor cb_exec_openmp;
#endif

const struct cb_executor *const cb_executors[] = {
    &cb_exec_serial,
    &cb_exec_threads,
    &cb_exec_thread_pool,
    &cb_exec_gil,
    &cb_exec_processes,
    &cb_exec_process_pool,
#ifdef CB_HAVE_OPENMP
    &cb_exec_openmp,
#endif
    &cb_exec_mpi,
    &cb_exec_py_serial,
    &cb_exec_py_threads,
    &cb_exec_py_processes,
    &cb_exec_py_processes_chunked,
    NULL,
};

const struct cb_executor *cb_executor_find(const char *name)
{
    for (int i = 0; name && cb_executors[i]; i++)
        if (strcmp(cb_executors[i]->name, name) == 0)
            return cb_executors[i];
    return NULL;
}

const struct cb_executor *cb_executor_baseline(const struct cb_executor *x)
{
    const char *rt = x ? x->runtime : NULL;
    for (int i = 0; x && cb_executors[i]; i++) {
        const char *r = cb_executors[i]->runtime;
        if (cb_executors[i]->caps & CB_EXEC_SINGLE &&
            (r == rt || (r && rt && strcmp(r, rt) == 0)))
            return cb_executors[i];
    }
    return NULL;
}
