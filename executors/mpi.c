/* mpi: the kernels across the ranks of an MPI job (Open MPI), on one
 * machine or on many. Compiled only when CMake finds MPI (CB_MPI;
 * executors/mpi_none.c stands in otherwise).
 *
 * Launch. `mpirun -np N corebench run -e mpi ...` starts N copies of
 * corebench. Each one's main() calls cbmpi_launched() (the executor's
 * `launched` hook) before any command: a process an MPI launcher started
 * (OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_RANK in its environment) calls
 * MPI_Init. Rank 0 returns to main() and runs the command as usual; an
 * atexit handler tells the helpers to quit and finalizes. Every other rank
 * never runs the command: it serves rank 0 (cbmpi_serve()) until told to
 * quit, then main() returns its status. Outside a launcher nothing happens and
 * available() says how to launch (exit 2 before the sweep starts).
 *
 * Idle helpers do not spin. Open MPI's blocking receive busy-polls, and
 * while rank 0 measures other executors (serial, threads, ...) a spinning
 * helper would take a core from them. A helper waiting for its next
 * command posts a receive and tests it every 20 us, backing off to every
 * MPI_IDLE_MAX_US (2 ms): an idle helper then costs about 0.7% of a core
 * (measured: 2.7% at 500 us, ~13 us of CPU per wake-up), and a start() may
 * pay up to 2 ms to wake one (in the start-up, not in the map). Inside a
 * pool (start() .. stop()) ranks wait in ordinary blocking calls: they are
 * about to work.
 *
 * A pool of `workers` ranks is world ranks 0..workers-1 (mpirun's mapping
 * decides which hosts those are: --map-by node spreads them). start():
 * rank 0 sends the configuration (kernel, size, resolved params, record
 * sizes, chunksize, schedule, placement plan) to ranks 1..workers-1; those
 * ranks alone build a communicator (MPI_Comm_create_group: ranks outside
 * the pool are not woken), bind, rebuild the workload from the resolved
 * params as a spawned process-pool worker does (cached while the workload
 * stays the same: the first start() of a kernel pays prepare()), and
 * report ready to rank 0, which answers go: that round trip is the first
 * contact, so the start-up holds the communicator split, waking the ranks
 * and their first exchange, and the map holds only work and shipping.
 * stop() frees the communicator and restores every rank's CPU affinity.
 *
 * Maps. Inputs and outputs travel as bytes (records as contiguous MPI
 * types), so shipping is real and counted: bytes_to_workers = input bytes
 * sent to ranks other than 0, bytes_from_workers = output bytes back (rank
 * 0's own tasks ship nothing; commands and stats are not counted, as
 * process-pool does not count its headers).
 *  - static, chunksize default: one near-equal contiguous block per rank
 *    (n / ranks, the first n % ranks one more), MPI_Scatterv of the inputs
 *    straight from the workload, MPI_Gatherv of the outputs straight into
 *    place. With a chunksize (N or auto): blocks of that size dealt
 *    round-robin (chunk k to rank k % ranks, OpenMP's static,N); rank 0
 *    packs each rank's chunks into one buffer before the scatter and
 *    unpacks after the gather (that copy is in the map time).
 *  - dynamic (chunks of --chunksize, default 1) and guided (ceil(remaining
 *    / ranks), at least --chunksize): rank 0 deals chunks. Rank 0 computes
 *    too, so N ranks are N workers as with every other executor (and on a
 *    2-core machine 2 ranks are not 3 processes): it runs its own chunks
 *    task by task and between tasks tests for results (MPI_Testsome) and
 *    deals the next chunk to whoever returned one. A result therefore
 *    waits up to one of rank 0's tasks to be seen, and every other rank
 *    holds MPI_DEPTH = 3 chunks: the one it runs, the next, and one more
 *    because with chunks as long as rank 0's tasks the two fall into step
 *    and rank 0 sees each result just after it polled (measured on 2 ranks,
 *    dynamic chunksize 1, efficiency on gcd and factorize: depth 2 0.94
 *    and 0.75, rank 1 waiting half the factorize map; depth 3 0.98 and
 *    0.79; depth 4 0.96 and 0.83, a longer tail). Results land
 *    in place (a receive posted into outs per chunk), in submission order
 *    whatever order ranks finish. Each rank ends on MPI_DEPTH empty DONE
 *    messages, one per posted receive.
 *  - After every map each rank's struct cb_worker_stats (tasks, chunks,
 *    busy time, thread CPU time, planned PU, observed CPUs, pid, host name)
 *    is gathered to rank 0 (inside the map's time, as process-pool's STATS
 *    round).
 *
 * Placement: with a --pin policy each rank binds its own thread to the
 * plan's PU of its index among the pool's ranks on its host (ranks
 * sharing a host take distinct entries of the same plan; other hosts use
 * the same entries: cluster nodes are alike, and a PU a host does not have
 * leaves that rank unpinned, recorded as pinned: false). This overrides
 * mpirun's binding for the pool's life. With --pin none the ranks keep
 * whatever mpirun gave them (Open MPI binds to a core for -np <= 2, to a
 * package above; --bind-to none for no binding): recorded per rank as
 * bound_at_launch in context.executors.mpi.rank_detail.
 *
 * Timing: the harness times start(), map() and stop() on rank 0 with its
 * own monotonic clock, as it times every executor (MPI_Wtime is
 * clock_gettime on Linux in Open MPI 4.1: the same kind of clock, and
 * rank 0's is the one that matters). The ready/go round trip at the end of
 * start() is the opening barrier, so a map begins with every rank of the
 * pool waiting for it, and ends when the last output and every rank's
 * stats are in on rank 0.
 *
 * Failures: a helper that cannot build the workload fails start() with its
 * rank, host and reason; a rank that dies takes the job down (Open MPI's
 * default error handler): mpirun ends every rank and the result file keeps
 * the rounds already written, "complete": false.
 *
 * Forks: the processes and process-pool executors fork from rank 0 after
 * MPI_Init; their children never call MPI and end with _exit, which Open
 * MPI allows over its TCP and shared-memory transports (it warns only with
 * registered-memory networks such as InfiniBand verbs). Spawned workers
 * (`corebench __worker`) inherit the launcher's environment but never
 * reach the launched hook. tests/test_mpi.sh runs such a mixed sweep.
 *
 * Files, by job (mpi_impl.h, their shared header, lists them): this one
 * is the executor on rank 0 (available, start, map, stop); mpi_launch.c
 * the launch hook; mpi_server.c the rank server (ranks > 0, and ABOUT's
 * per-rank description, whose topology comes from the harness through
 * launched()'s struct cb_exec_host); mpi_protocol.c pools and maps, run by
 * every rank of a pool. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mpi_impl.h"

static const char *launch_hint(void)
{
    return "mpi: -e mpi runs under an MPI launcher, e.g. `mpirun -np 2 "
           "corebench run -e mpi ...` (`srun --mpi=pmix ...` under Slurm; "
           "README: Past one machine)";
}

/* ---- describing ranks (ABOUT) ------------------------------------------ */

/* A fixed-size string field as JSON (printable ASCII is all ranks send;
 * anything else reads as null rather than breaking the document). */
static json_t *jstr(const char *s, size_t cap)
{
    json_t *j = json_stringn(s, strnlen(s, cap));
    return j ? j : json_null();
}

/* Rank 0: every rank's description, grouped by host, as JSON text. */
static char *about_json(void)
{
    struct mpi_rank_info *ri = calloc((size_t)cbmpi.size, sizeof *ri);
    MPI_Request *rq = calloc((size_t)cbmpi.size, sizeof *rq);
    struct mpi_cmd c;
    json_t *doc = NULL, *hosts, *ranks;
    char *text = NULL;

    if (!ri || !rq)
        goto out;
    memset(&c, 0, sizeof c);
    c.type = CMD_ABOUT;
    cbmpi_describe(&ri[0]);
    rq[0] = MPI_REQUEST_NULL;
    for (int r = 1; r < cbmpi.size; r++)
        MPI_Isend(&c, MPI_CMD_BYTES(0), MPI_BYTE, r, TAG_CMD, MPI_COMM_WORLD,
                  &rq[r]);
    for (int r = 1; r < cbmpi.size; r++)
        MPI_Recv(&ri[r], (int)sizeof ri[r], MPI_BYTE, r, TAG_ABOUT,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Waitall(cbmpi.size, rq, MPI_STATUSES_IGNORE);

    hosts = json_array();
    ranks = json_array();
    doc = json_pack("{s:o, s:o, s:i}", "hosts", hosts, "rank_detail", ranks,
                    "ranks", cbmpi.size);
    if (!doc)
        goto out;
    for (int r = 0; r < cbmpi.size; r++) {
        json_t *h = NULL, *v;
        size_t i;
        json_array_foreach(hosts, i, v) {
            const char *name = json_string_value(json_object_get(v, "name"));
            if (name && strncmp(name, ri[r].host, sizeof ri[r].host) == 0)
                h = v;
        }
        if (!h) {
            h = json_pack("{s:o, s:[]}", "name", jstr(ri[r].host,
                          sizeof ri[r].host), "ranks");
            if (ri[r].error[0]) {
                json_object_set_new(h, "error", jstr(ri[r].error,
                                                     sizeof ri[r].error));
            } else {
                json_object_set_new(h, "topology", json_pack(
                    "{s:i, s:i, s:i, s:i, s:i, s:b, s:o, s:o, s:o}",
                    "packages", ri[r].packages, "numa_nodes",
                    ri[r].numa_nodes, "cores", ri[r].cores, "pus", ri[r].pus,
                    "pus_per_core", ri[r].pus_per_core, "smt",
                    ri[r].pus_per_core > 1, "fingerprint",
                    jstr(ri[r].fingerprint, sizeof ri[r].fingerprint),
                    "allowed_pus", jstr(ri[r].allowed, sizeof ri[r].allowed),
                    "cpu_model", ri[r].cpu_model[0]
                        ? jstr(ri[r].cpu_model, sizeof ri[r].cpu_model)
                        : json_null()));
            }
            json_array_append_new(hosts, h);
        }
        json_array_append_new(json_object_get(h, "ranks"), json_integer(r));
        json_array_append_new(ranks, json_pack(
            "{s:i, s:o, s:I, s:o}", "rank", r, "host",
            jstr(ri[r].host, sizeof ri[r].host), "pid", (json_int_t)ri[r].pid,
            "bound_at_launch", jstr(ri[r].bound, sizeof ri[r].bound)));
    }
    json_object_set_new(doc, "host_count", json_integer(
                                               (json_int_t)json_array_size(hosts)));
    text = json_dumps(doc, JSON_COMPACT);
out:
    json_decref(doc);
    free(ri);
    free(rq);
    return text;
}

/* ---- the executor (rank 0) ----------------------------------------------- */

static int mpi_available(const struct cb_exec_config *c,
                         struct cb_exec_about *about, struct cb_error *e)
{
    char ranks[16];
    if (!cbmpi.launched)
        return CB_FAIL(e, CB_EUSAGE, "%s", launch_hint());
    if (!cbmpi.active)
        return CB_FAIL(e, CB_EUNSUPPORTED, "mpi: MPI_Init failed under the "
                       "launcher (see Open MPI's message above)");
    if (c && c->workers > cbmpi.size)
        return CB_FAIL(e, CB_EUSAGE, "mpi: --workers asks for %d ranks but "
                       "the job has %d (mpirun -np %d): pass counts up to %d "
                       "(e.g. -w 1-%d), or launch more ranks", c->workers,
                       cbmpi.size, cbmpi.size, cbmpi.size, cbmpi.size);
    if (!cbmpi.about)
        cbmpi.about = about_json();
    snprintf(ranks, sizeof ranks, "%d", cbmpi.size);
    cb_exec_about_add(about, "library", cbmpi.library);
    cb_exec_about_add(about, "standard", cbmpi.standard);
    cb_exec_about_add(about, "binding",
                      "--pin plan per host by host-local rank; --pin none "
                      "keeps the launcher's (bound_at_launch)");
    about->json = cbmpi.about ? strdup(cbmpi.about) : NULL;
    return 0;
}

static int mpi_start(struct cb_pool **pp, const struct cb_exec_config *c,
                     struct cb_error *e)
{
    const struct cb_workload *w = c->workload;
    struct cb_pool *p = NULL;
    struct mpi_cmd *cmd = NULL;
    struct mpi_ready mine = {0}, bad = {0};
    MPI_Request *rq = NULL;
    int bad_rank = 0;

    *pp = NULL;
    if (!cbmpi.active)
        return CB_FAIL(e, CB_EUSAGE, "%s", launch_hint());
    if (c->workers < 1 || c->workers > cbmpi.size)
        return CB_FAIL(e, CB_EUSAGE, "mpi: %d workers but the job has %d "
                       "ranks (accepted: 1..%d)", c->workers, cbmpi.size,
                       cbmpi.size);
    if (!w || !w->kernel)
        return CB_FAIL(e, CB_EUSAGE, "mpi: the workload must be given at "
                       "start(): ranks rebuild it");
    if (w->in_size == 0 || w->out_size == 0 || w->in_size > INT32_MAX ||
        w->out_size > INT32_MAX || w->n > INT32_MAX)
        return CB_FAIL(e, CB_EUNSUPPORTED, "mpi: kernel %s has %zu tasks of "
                       "%zu/%zu bytes: records must be 1..2^31-1 bytes and "
                       "tasks at most 2^31-1 (MPI counts)", w->kernel->name,
                       w->n, w->in_size, w->out_size);
    if (strlen(w->kernel->name) >= sizeof cmd->kernel ||
        strlen(w->size) >= sizeof cmd->size || w->nparams > CB_MAX_PARAMS)
        return CB_FAIL(e, CB_EUNSUPPORTED, "mpi: the workload of kernel %s "
                       "does not fit the start message", w->kernel->name);
    p = calloc(1, sizeof *p);
    cmd = calloc(1, sizeof *cmd);
    rq = calloc((size_t)c->workers, sizeof *rq);
    if (!p || !cmd || !rq) {
        free(p);
        free(cmd);
        free(rq);
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    }
    cmd->type = CMD_START;
    cmd->workers = c->workers;
    cmd->chunk_kind = (int32_t)cb_exec_chunk(c).kind;
    cmd->chunk_count = cb_exec_chunk(c).count;
    cmd->schedule = (int32_t)cb_exec_schedule(c);
    cmd->pinned = c->pus != NULL;
    cmd->n = w->n;
    cmd->in_size = w->in_size;
    cmd->out_size = w->out_size;
    cbmpi_copy_str(cmd->kernel, sizeof cmd->kernel, w->kernel->name);
    cbmpi_copy_str(cmd->size, sizeof cmd->size, w->size);
    cmd->nparams = w->nparams;
    memcpy(cmd->params, w->params, sizeof w->params[0] * (size_t)w->nparams);
    for (int i = 0; c->pus && i < c->workers; i++)
        cmd->pus[i] = c->pus[i];

    rq[0] = MPI_REQUEST_NULL;
    for (int r = 1; r < c->workers; r++)
        MPI_Isend(cmd, MPI_CMD_BYTES(c->workers), MPI_BYTE, r, TAG_CMD,
                  MPI_COMM_WORLD, &rq[r]);
    MPI_Waitall(c->workers, rq, MPI_STATUSES_IGNORE);
    free(rq);
    p->comm = MPI_COMM_NULL;
    if (cbmpi_pool_open(p, cmd) != 0) {
        mine.status = CB_ENOMEM;
        snprintf(mine.msg, sizeof mine.msg, "out of memory");
    }
    free(cmd);
    p->w = w;
    if (!cbmpi_pool_ready(p, &mine, &bad, &bad_rank)) {
        int code = bad.status;
        bad.msg[sizeof bad.msg - 1] = '\0';
        cbmpi_pool_close(p);
        free(p);
        if (code >= 0 || code < CB_EUNSUPPORTED)
            code = CB_ESYS;
        return CB_FAIL(e, code, "mpi: rank %d could not start: %s", bad_rank,
                       bad.msg);
    }
    *pp = p;
    return 0;
}

static int mpi_map(struct cb_pool *p, const struct cb_workload *w, void *outs,
                   struct cb_map_stats *st, struct cb_error *e)
{
    int cmd = POOL_MAP;
    /* the other ranks rebuilt the workload the pool was started with */
    if (w->kernel != p->w->kernel || w->n != p->w->n ||
        w->in_size != p->w->in_size || w->out_size != p->w->out_size ||
        w->state != p->w->state)
        return CB_FAIL(e, CB_EUSAGE, "mpi: map() got a workload other than "
                       "the one the pool was started with");
    if (!st || !st->w || st->nworkers < p->nr)
        return CB_FAIL(e, CB_EUSAGE, "mpi: map stats need %d workers", p->nr);
    MPI_Bcast(&cmd, 1, MPI_INT, 0, p->comm);
    if (cbmpi_pool_map(p, w, outs, st) != 0)
        /* rank 0 ran out of memory mid-map: the others are in collectives */
        MPI_Abort(MPI_COMM_WORLD, 1);
    return 0;
}

static void mpi_stop(struct cb_pool *p)
{
    int cmd = POOL_STOP;
    if (!p)
        return;
    MPI_Bcast(&cmd, 1, MPI_INT, 0, p->comm);
    cbmpi_pool_close(p);
    free(p);
}

const struct cb_executor cb_exec_mpi = {
    .name = "mpi",
    .summary = "ranks of an MPI job (Open MPI) on one host or many; records "
               "scattered/dealt as bytes; run under mpirun",
    .caps = CB_EXEC_PROCESSES | CB_EXEC_COPIES | CB_EXEC_OPT_IN,
    .params = (const struct cb_xparam[]){CB_XP_SCHEDULE("static"),
                                         CB_XP_CHUNKSIZE("default"), {0}},
    .available = mpi_available,
    .start = mpi_start,
    .map = mpi_map,
    .stop = mpi_stop,
    .launched = cbmpi_launched,
};
