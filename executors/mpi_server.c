/* mpi: the rank server. Every rank but 0 serves rank 0's commands
 * (ABOUT, START, QUIT) until told to quit, waiting for each without
 * spinning; START runs a pool's maps (mpi_protocol.c) until STOP. The
 * design is described at the top of mpi.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mpi_impl.h"

#define MPI_IDLE_MIN_US 20
#define MPI_IDLE_MAX_US 2000

/* Waits for rank 0's next command without spinning (see the top of mpi.c). */
static void idle_recv(struct mpi_cmd *c)
{
    MPI_Request r;
    long us = MPI_IDLE_MIN_US;
    int done = 0;
    MPI_Irecv(c, (int)sizeof *c, MPI_BYTE, 0, TAG_CMD, MPI_COMM_WORLD, &r);
    for (;;) {
        struct timespec ts;
        MPI_Test(&r, &done, MPI_STATUS_IGNORE);
        if (done)
            return;
        ts.tv_sec = 0;
        ts.tv_nsec = us * 1000;
        nanosleep(&ts, NULL);
        us = us * 2 > MPI_IDLE_MAX_US ? MPI_IDLE_MAX_US : us * 2;
    }
}

/* ---- describing ranks (ABOUT) ------------------------------------------ */

/* This rank: host, binding at launch, the host's topology (through the
 * harness's service: an executor never reads the topology itself). */
void cbmpi_describe(struct mpi_rank_info *ri)
{
    struct cb_host_topo t;
    struct cb_error e = {0};
    int rc;
    memset(ri, 0, sizeof *ri);
    ri->rank = cbmpi.rank;
    ri->pid = getpid();
    cbmpi_copy_str(ri->host, sizeof ri->host, cbmpi.host);
    cbmpi_copy_str(ri->bound, sizeof ri->bound, cbmpi.bound);
    rc = cbmpi.hostsvc && cbmpi.hostsvc->topo
             ? cbmpi.hostsvc->topo(&t, &e)
             : CB_FAIL(&e, CB_EUNSUPPORTED, "mpi: the harness passed no "
                       "topology service to launched()");
    if (rc != 0) {
        cbmpi_copy_str(ri->error, sizeof ri->error, e.msg);
        return;
    }
    ri->packages = t.packages;
    ri->numa_nodes = t.numa_nodes;
    ri->cores = t.cores;
    ri->pus = t.pus;
    ri->pus_per_core = t.pus_per_core;
    cbmpi_copy_str(ri->fingerprint, sizeof ri->fingerprint, t.fingerprint);
    cbmpi_copy_str(ri->allowed, sizeof ri->allowed, t.allowed);
    cbmpi_copy_str(ri->cpu_model, sizeof ri->cpu_model, t.cpu_model);
}

/* ---- helpers (ranks > 0) ------------------------------------------------- */

static int same_workload(const struct mpi_cmd *a, const struct mpi_cmd *b)
{
    return a->n == b->n && a->in_size == b->in_size &&
           a->out_size == b->out_size && a->nparams == b->nparams &&
           strcmp(a->kernel, b->kernel) == 0 && strcmp(a->size, b->size) == 0 &&
           memcmp(a->params, b->params,
                  sizeof a->params[0] * (size_t)a->nparams) == 0;
}

static void drop_workload(void)
{
    if (cbmpi.wl_key && cbmpi.wl.kernel)
        cbmpi.wl.kernel->release(&cbmpi.wl);
    memset(&cbmpi.wl, 0, sizeof cbmpi.wl);
    free(cbmpi.wl_key);
    cbmpi.wl_key = NULL;
}

/* The workload of START c, rebuilt from its params (or the one kept). */
static int helper_workload(const struct mpi_cmd *c, struct cb_error *e)
{
    int rc;
    if (cbmpi.wl_key && same_workload(cbmpi.wl_key, c))
        return 0;
    drop_workload();
    rc = cb_workload_rebuild(&cbmpi.wl, c->kernel, c->size, c->params,
                             c->nparams, (size_t)c->n, (size_t)c->in_size,
                             (size_t)c->out_size, e);
    if (rc)
        return rc;
    cbmpi.wl_key = malloc(sizeof *cbmpi.wl_key);
    if (!cbmpi.wl_key) {
        cbmpi.wl.kernel->release(&cbmpi.wl);
        memset(&cbmpi.wl, 0, sizeof cbmpi.wl);
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    }
    memcpy(cbmpi.wl_key, c, sizeof *c);
    return 0;
}

static void helper_pool(const struct mpi_cmd *c)
{
    struct cb_pool p;
    struct mpi_ready mine = {0}, bad;
    struct cb_error e = {0};
    int bad_rank = 0;

    memset(&p, 0, sizeof p);
    p.comm = MPI_COMM_NULL;
    if (cbmpi_pool_open(&p, c) != 0)
        mine.status = CB_FAIL(&e, CB_ENOMEM, "out of memory");
    else
        mine.status = helper_workload(c, &e);
    if (mine.status)
        cbmpi_copy_str(mine.msg, sizeof mine.msg, e.msg);
    p.w = &cbmpi.wl;
    if (cbmpi_pool_ready(&p, &mine, &bad, &bad_rank)) {
        for (;;) {
            int cmd = 0;
            MPI_Bcast(&cmd, 1, MPI_INT, 0, p.comm);
            if (cmd != POOL_MAP)
                break;
            cbmpi_pool_map(&p, &cbmpi.wl, NULL, NULL);
        }
    }
    cbmpi_pool_close(&p);
}

int cbmpi_serve(void)
{
    struct mpi_cmd *c = malloc(sizeof *c);
    if (!c)
        MPI_Abort(MPI_COMM_WORLD, 1);
    for (;;) {
        idle_recv(c);
        if (c->type == CMD_QUIT) {
            break;
        } else if (c->type == CMD_ABOUT) {
            struct mpi_rank_info ri;
            cbmpi_describe(&ri);
            MPI_Send(&ri, (int)sizeof ri, MPI_BYTE, 0, TAG_ABOUT,
                     MPI_COMM_WORLD);
        } else if (c->type == CMD_START) {
            helper_pool(c);
        } else {
            fprintf(stderr, "corebench: mpi rank %d: unknown command %d from "
                            "rank 0\n", cbmpi.rank, (int)c->type);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
    }
    free(c);
    drop_workload();
    return 0;
}
