/* mpi, as built without MPI (CMake found no MPI, or -DCB_MPI=OFF): listed,
 * so that `corebench list` and `-e mpi` say why it cannot run instead of
 * "unknown executor". executors/mpi.c is the real one. */
#include "executor.h"

#define MPI_NONE_WHY                                                        \
    "corebench was built without MPI (install libopenmpi-dev and "          \
    "openmpi-bin, e.g. scripts/deps.sh, then rebuild; CMake option CB_MPI)"

static int none_available(const struct cb_exec_config *c,
                          struct cb_exec_about *about, struct cb_error *e)
{
    (void)c;
    (void)about;
    return CB_FAIL(e, CB_EUNSUPPORTED, "mpi: %s", MPI_NONE_WHY);
}

static int none_start(struct cb_pool **p, const struct cb_exec_config *c,
                      struct cb_error *e)
{
    (void)c;
    *p = NULL;
    return CB_FAIL(e, CB_EUNSUPPORTED, "mpi: %s", MPI_NONE_WHY);
}

static int none_map(struct cb_pool *p, const struct cb_workload *w, void *outs,
                    struct cb_map_stats *st, struct cb_error *e)
{
    (void)p;
    (void)w;
    (void)outs;
    (void)st;
    return CB_FAIL(e, CB_EUNSUPPORTED, "mpi: %s", MPI_NONE_WHY);
}

static void none_stop(struct cb_pool *p)
{
    (void)p;
}

const struct cb_executor cb_exec_mpi = {
    .name = "mpi",
    .summary = "unavailable: " MPI_NONE_WHY,
    .caps = CB_EXEC_OPT_IN,
    .available = none_available,
    .start = none_start,
    .map = none_map,
    .stop = none_stop,
};
