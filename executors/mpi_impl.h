/* The mpi executor's own header, shared by its files (not a plug-in
 * header: nothing outside executors/mpi*.c includes it). What each file
 * does:
 *   mpi.c          the executor (rank 0): available, start, map, stop
 *   mpi_launch.c   the launch hook: MPI_Init under a launcher, finalize
 *   mpi_server.c   the rank server: ranks > 0 serve rank 0's commands
 *   mpi_protocol.c pools and maps, the part every rank of a pool runs
 * The design (launch, idle helpers, maps, placement, timing, failures) is
 * described at the top of mpi.c. */
#ifndef CB_MPI_IMPL_H
#define CB_MPI_IMPL_H

#include <mpi.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "executor.h"

enum { TAG_CMD = 7100, TAG_ABOUT, TAG_CALL, TAG_DONE, TAG_RESULT, TAG_GROUP };
enum { CMD_QUIT = 1, CMD_ABOUT, CMD_START };
enum { POOL_MAP = 1, POOL_STOP };

/* What rank 0 sends a helper to wake it: QUIT, ABOUT or START (a pool). */
struct mpi_cmd {
    int32_t type;
    int32_t workers;
    int32_t chunk_kind; /* enum cb_chunk_kind */
    int64_t chunk_count;
    int32_t schedule;
    int32_t pinned; /* pus[] holds the plan */
    uint64_t n, in_size, out_size;
    char kernel[32];
    char size[16];
    int32_t nparams;
    struct cb_kv params[CB_MAX_PARAMS];
    int32_t pus[CB_MAX_WORKERS]; /* last: only `workers` entries travel */
};
#define MPI_CMD_BYTES(workers) \
    ((int)(offsetof(struct mpi_cmd, pus) + sizeof(int32_t) * (size_t)(workers)))

/* A rank's answer to ABOUT. */
struct mpi_rank_info {
    int32_t rank;
    int32_t packages, numa_nodes, cores, pus, pus_per_core;
    int64_t pid;
    char host[64];
    char fingerprint[17];
    char allowed[128];
    char bound[128]; /* CPU affinity when the launcher started it */
    char cpu_model[128];
    char error[160]; /* topology unreadable: why */
};

/* A rank's verdict on start(). */
struct mpi_ready {
    int32_t status;
    char msg[300];
};

/* A pool: the ranks 0..workers-1 of one start() .. stop(). */
struct cb_pool {
    MPI_Comm comm;      /* world ranks 0..workers-1 */
    int me, nr;         /* rank in comm, its size */
    int local;          /* index among the pool's ranks on this host */
    MPI_Datatype rin, rout;
    int types;          /* rin/rout committed */
    const struct cb_workload *w;
    struct cb_exec_config cfg; /* workers = nr */
    struct cb_chunk chunk;      /* as asked */
    enum cb_schedule sched;
    cpu_set_t saved;
    int restore;
    struct cb_worker_stats bound; /* pu_planned, pinned of this rank */
    char *buf, *obuf;   /* non-root ranks: received inputs, outputs */
    size_t bufcap, obufcap;
    int *counts, *displs; /* static: records per rank, offsets */
};

/* This process's MPI state (every file of the executor). */
struct cbmpi_state {
    int launched;      /* an MPI launcher started this process */
    int active;        /* MPI_Init succeeded here */
    int rank, size;
    pid_t owner;       /* the process that initialized MPI */
    char host[64];
    char bound[128];
    char *about;       /* rank 0: JSON of every rank and host, cached */
    const struct cb_exec_host *hostsvc; /* the harness's, from launched() */
    char library[MPI_MAX_LIBRARY_VERSION_STRING];
    char standard[16];
    /* helpers: the workload of the latest pool, kept while it stays the
     * same (key: the START command's workload fields) */
    struct cb_workload wl;
    struct mpi_cmd *wl_key;
};
extern struct cbmpi_state cbmpi;

/* mpi_protocol.c */
void cbmpi_copy_str(char *dst, size_t len, const char *src);
int cbmpi_pool_open(struct cb_pool *p, const struct mpi_cmd *c);
void cbmpi_pool_close(struct cb_pool *p);
int cbmpi_pool_ready(struct cb_pool *p, const struct mpi_ready *mine,
                     struct mpi_ready *bad, int *bad_rank);
int cbmpi_pool_map(struct cb_pool *p, const struct cb_workload *w,
                   char *outs, struct cb_map_stats *st);

/* mpi_server.c */
void cbmpi_describe(struct mpi_rank_info *ri);
int cbmpi_serve(void);

/* mpi_launch.c */
int cbmpi_launched(int argc, char **argv, const struct cb_exec_host *host);

#endif
