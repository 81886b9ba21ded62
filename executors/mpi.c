/* mpi: the kernels across the ranks of an MPI job (Open MPI), on one
 * machine or on many. Compiled only when CMake finds MPI (CB_MPI;
 * executors/mpi_none.c stands in otherwise).
 *
 * Launch. `mpirun -np N corebench run -e mpi ...` starts N copies of
 * corebench. Each one's main() calls mpi_launched() (the executor's
 * `launched` hook) before any command: a process an MPI launcher started
 * (OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_RANK in its environment) calls
 * MPI_Init. Rank 0 returns to main() and runs the command as usual; an
 * atexit handler tells the helpers to quit and finalizes. Every other rank
 * never runs the command: it serves rank 0 (serve()) until told to quit,
 * then main() returns its status. Outside a launcher nothing happens and
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
 * reach the launched hook. tests/test_mpi.sh runs such a mixed sweep. */
#include <mpi.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "harness/machine/topo.h"
#include "executor.h"

#define MPI_IDLE_MIN_US 20
#define MPI_IDLE_MAX_US 2000
/* dynamic/guided: chunks outstanding per rank other than 0 (see the top) */
#define MPI_DEPTH 3

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

static struct {
    int launched;      /* an MPI launcher started this process */
    int active;        /* MPI_Init succeeded here */
    int rank, size;
    pid_t owner;       /* the process that initialized MPI */
    char host[64];
    char bound[128];
    char *about;       /* rank 0: JSON of every rank and host, cached */
    char library[MPI_MAX_LIBRARY_VERSION_STRING];
    char standard[16];
    /* helpers: the workload of the latest pool, kept while it stays the
     * same (key: the START command's workload fields) */
    struct cb_workload wl;
    struct mpi_cmd *wl_key;
} g;

/* ---- small helpers ------------------------------------------------------- */

static void cpuset_list(const cpu_set_t *s, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < CPU_SETSIZE && o + 24 < len; i++) {
        int j = i;
        if (!CPU_ISSET(i, s))
            continue;
        while (j + 1 < CPU_SETSIZE && CPU_ISSET(j + 1, s))
            j++;
        o += (size_t)snprintf(buf + o, len - o, "%s%d", o ? "," : "", i);
        if (j > i)
            o += (size_t)snprintf(buf + o, len - o, "-%d", j);
        i = j;
    }
}

/* gethostname, printable ASCII only (it lands in JSON and on terminals) */
static void host_name(char *buf, size_t len)
{
    if (gethostname(buf, len - 1) != 0)
        snprintf(buf, len, "?");
    buf[len - 1] = '\0';
    for (char *c = buf; *c; c++)
        if (*c < 0x21 || *c > 0x7e)
            *c = '?';
}

/* Truncating copy into a fixed field, always terminated. */
static void copy_str(char *dst, size_t len, const char *src)
{
    size_t n = src ? strnlen(src, len - 1) : 0;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

static const char *launch_hint(void)
{
    return "mpi: -e mpi runs under an MPI launcher, e.g. `mpirun -np 2 "
           "corebench run -e mpi ...` (`srun --mpi=pmix ...` under Slurm; "
           "README: Past one machine)";
}

/* Waits for rank 0's next command without spinning (see the top). */
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

static void describe(struct mpi_rank_info *ri)
{
    struct cb_topo *t = NULL;
    struct cb_topo_info ti;
    struct cb_error e = {0};
    memset(ri, 0, sizeof *ri);
    ri->rank = g.rank;
    ri->pid = getpid();
    copy_str(ri->host, sizeof ri->host, g.host);
    copy_str(ri->bound, sizeof ri->bound, g.bound);
    if (cb_topo_load(&t, NULL, NULL, &e) != 0) {
        copy_str(ri->error, sizeof ri->error, e.msg);
        return;
    }
    cb_topo_info(t, &ti);
    ri->packages = ti.packages;
    ri->numa_nodes = ti.numa_nodes;
    ri->cores = ti.cores;
    ri->pus = ti.pus;
    ri->pus_per_core = ti.pus_per_core;
    copy_str(ri->fingerprint, sizeof ri->fingerprint, ti.fingerprint);
    copy_str(ri->allowed, sizeof ri->allowed, ti.allowed);
    copy_str(ri->cpu_model, sizeof ri->cpu_model, ti.cpu_model);
    cb_topo_destroy(t);
}

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
    struct mpi_rank_info *ri = calloc((size_t)g.size, sizeof *ri);
    MPI_Request *rq = calloc((size_t)g.size, sizeof *rq);
    struct mpi_cmd c;
    json_t *doc = NULL, *hosts, *ranks;
    char *text = NULL;

    if (!ri || !rq)
        goto out;
    memset(&c, 0, sizeof c);
    c.type = CMD_ABOUT;
    describe(&ri[0]);
    rq[0] = MPI_REQUEST_NULL;
    for (int r = 1; r < g.size; r++)
        MPI_Isend(&c, MPI_CMD_BYTES(0), MPI_BYTE, r, TAG_CMD, MPI_COMM_WORLD,
                  &rq[r]);
    for (int r = 1; r < g.size; r++)
        MPI_Recv(&ri[r], (int)sizeof ri[r], MPI_BYTE, r, TAG_ABOUT,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Waitall(g.size, rq, MPI_STATUSES_IGNORE);

    hosts = json_array();
    ranks = json_array();
    doc = json_pack("{s:o, s:o, s:i}", "hosts", hosts, "rank_detail", ranks,
                    "ranks", g.size);
    if (!doc)
        goto out;
    for (int r = 0; r < g.size; r++) {
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

/* ---- pools (both sides) -------------------------------------------------- */

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

static int grow(char **b, size_t *cap, size_t need)
{
    char *nb;
    if (need <= *cap)
        return 0;
    nb = realloc(*b, need);
    if (!nb)
        return -1;
    *b = nb;
    *cap = need;
    return 0;
}

/* Every rank of the pool, rank 0 in start() and helpers on START: the
 * communicator, the host-local index, binding, record types. */
static int pool_open(struct cb_pool *p, const struct mpi_cmd *c)
{
    MPI_Group wg, pg;
    MPI_Comm node;
    int range[1][3] = {{0, c->workers - 1, 1}};
    struct cb_exec_config bc = {.workers = c->workers};

    MPI_Comm_group(MPI_COMM_WORLD, &wg);
    MPI_Group_range_incl(wg, 1, range, &pg);
    MPI_Comm_create_group(MPI_COMM_WORLD, pg, TAG_GROUP, &p->comm);
    MPI_Group_free(&pg);
    MPI_Group_free(&wg);
    MPI_Comm_rank(p->comm, &p->me);
    MPI_Comm_size(p->comm, &p->nr);
    MPI_Comm_split_type(p->comm, MPI_COMM_TYPE_SHARED, p->me, MPI_INFO_NULL,
                        &node);
    MPI_Comm_rank(node, &p->local);
    MPI_Comm_free(&node);

    p->cfg.workers = p->nr;
    p->chunk = (struct cb_chunk){(enum cb_chunk_kind)c->chunk_kind,
                                 (long)c->chunk_count};
    p->sched = (enum cb_schedule)c->schedule;
    memset(&p->bound, 0, sizeof p->bound);
    p->restore = sched_getaffinity(0, sizeof p->saved, &p->saved) == 0;
    _Static_assert(sizeof(int) == sizeof(int32_t), "pus[] travels as int32");
    bc.pus = c->pinned ? (const int *)c->pus : NULL;
    cb_worker_bind(&bc, p->local, &p->bound);

    MPI_Type_contiguous((int)c->in_size, MPI_BYTE, &p->rin);
    MPI_Type_contiguous((int)c->out_size, MPI_BYTE, &p->rout);
    MPI_Type_commit(&p->rin);
    MPI_Type_commit(&p->rout);
    p->types = 1;
    p->counts = calloc((size_t)p->nr, sizeof *p->counts);
    p->displs = calloc((size_t)p->nr, sizeof *p->displs);
    return p->counts && p->displs ? 0 : -1;
}

static void pool_close(struct cb_pool *p)
{
    if (p->types) {
        MPI_Type_free(&p->rin);
        MPI_Type_free(&p->rout);
    }
    if (p->comm != MPI_COMM_NULL)
        MPI_Comm_free(&p->comm);
    if (p->restore && p->bound.pinned)
        sched_setaffinity(0, sizeof p->saved, &p->saved);
    free(p->buf);
    free(p->obuf);
    free(p->counts);
    free(p->displs);
}

/* The ready/go round trip that ends start(): every rank's status to rank
 * 0, rank 0's verdict back. Returns go (1) or not (0); rank 0 gets the
 * first failure in *bad. */
static int pool_ready(struct cb_pool *p, const struct mpi_ready *mine,
                      struct mpi_ready *bad, int *bad_rank)
{
    struct mpi_ready *all = NULL;
    int go = 1;
    if (p->me == 0) {
        all = calloc((size_t)p->nr, sizeof *all);
        if (!all)
            go = 0; /* still takes part in the gather below */
    }
    MPI_Gather(mine, (int)sizeof *mine, MPI_BYTE, all, (int)sizeof *mine,
               MPI_BYTE, 0, p->comm);
    if (p->me == 0) {
        for (int r = 0; all && r < p->nr && go; r++)
            if (all[r].status != 0) {
                go = 0;
                *bad = all[r];
                *bad_rank = r;
            }
        free(all);
    }
    MPI_Bcast(&go, 1, MPI_INT, 0, p->comm);
    return go;
}

/* ---- maps (both sides) --------------------------------------------------- */

/* Static split: rank r's chunk j, j = 0, 1, ...; returns 0 past its last.
 * Blocks (chunksize default): one near-equal block per rank. Otherwise
 * chunks of cs dealt round-robin. */
static int static_chunk(const struct cb_pool *p, size_t n, int r, size_t j,
                        size_t *lo, size_t *cnt)
{
    size_t nr = (size_t)p->nr;
    if (p->chunk.kind == CB_CHUNK_DEFAULT) {
        size_t q = n / nr, m = n % nr, rr = (size_t)r;
        if (j > 0)
            return 0;
        *lo = rr * q + (rr < m ? rr : m);
        *cnt = q + (rr < m);
        return *cnt > 0;
    } else {
        size_t cs = (size_t)cb_chunk_size(p->chunk, p->nr, n, 1);
        size_t k = j * nr + (size_t)r;
        if (k >= (n + cs - 1) / cs)
            return 0;
        *lo = k * cs;
        *cnt = n - *lo < cs ? n - *lo : cs;
        return 1;
    }
}

static size_t rank_tasks(const struct cb_pool *p, size_t n, int r, int *chunks)
{
    size_t lo, cnt, tot = 0, j = 0;
    while (static_chunk(p, n, r, j, &lo, &cnt)) {
        tot += cnt;
        j++;
    }
    if (chunks)
        *chunks = (int)j;
    return tot;
}

static int map_static(struct cb_pool *p, const struct cb_workload *w,
                      char *outs, struct cb_worker_stats *ws, uint64_t *to,
                      uint64_t *from)
{
    struct cb_ctx ctx = {.worker = p->me};
    size_t n = w->n, lo, cnt, off;
    int packed = 0;
    char *sin = NULL, *sout = NULL;

    /* counts and offsets of every rank, in records; packed when some rank
     * has more than one chunk (round-robin): then offsets index a buffer
     * of ranks 1.. back to back */
    off = 0;
    for (int r = 0; r < p->nr; r++) {
        int nch;
        p->counts[r] = (int)rank_tasks(p, n, r, &nch);
        packed |= nch > 1;
    }
    for (int r = 0; r < p->nr; r++) {
        if (packed) {
            p->displs[r] = r == 0 ? 0 : (int)off;
            off += r == 0 ? 0 : (size_t)p->counts[r];
        } else {
            p->displs[r] = static_chunk(p, n, r, 0, &lo, &cnt) ? (int)lo : 0;
        }
    }

    if (p->me == 0) {
        const char *send = w->in;
        char *recv = outs;
        if (packed && off > 0) {
            sin = malloc(off * w->in_size);
            sout = malloc(off * w->out_size);
            if (!sin || !sout) {
                free(sin);
                free(sout);
                return CB_ENOMEM;
            }
            for (int r = 1; r < p->nr; r++) {
                char *d = sin + (size_t)p->displs[r] * w->in_size;
                for (size_t j = 0; static_chunk(p, n, r, j, &lo, &cnt); j++) {
                    memcpy(d, (const char *)w->in + lo * w->in_size,
                           cnt * w->in_size);
                    d += cnt * w->in_size;
                }
            }
            send = sin;
            recv = sout;
        }
        MPI_Scatterv(send, p->counts, p->displs, p->rin, MPI_IN_PLACE, 0,
                     p->rin, 0, p->comm);
        for (size_t j = 0; static_chunk(p, n, 0, j, &lo, &cnt); j++)
            cb_worker_run_range(w, lo, lo + cnt, outs, &ctx, ws);
        MPI_Gatherv(MPI_IN_PLACE, 0, p->rout, recv, p->counts, p->displs,
                    p->rout, 0, p->comm);
        if (packed && sout) {
            for (int r = 1; r < p->nr; r++) {
                const char *s = sout + (size_t)p->displs[r] * w->out_size;
                for (size_t j = 0; static_chunk(p, n, r, j, &lo, &cnt); j++) {
                    memcpy(outs + lo * w->out_size, s, cnt * w->out_size);
                    s += cnt * w->out_size;
                }
            }
        }
        for (int r = 1; r < p->nr; r++) {
            *to += (uint64_t)p->counts[r] * w->in_size;
            *from += (uint64_t)p->counts[r] * w->out_size;
        }
        free(sin);
        free(sout);
    } else {
        size_t mine = (size_t)p->counts[p->me];
        struct cb_workload lw = *w;
        int oom = grow(&p->buf, &p->bufcap, mine * w->in_size + 1) ||
                  grow(&p->obuf, &p->obufcap, mine * w->out_size + 1);
        if (oom) /* the job cannot go on with a rank missing: end it */
            MPI_Abort(MPI_COMM_WORLD, 1);
        MPI_Scatterv(NULL, NULL, NULL, p->rin, p->buf, (int)mine, p->rin, 0,
                     p->comm);
        lw.in = p->buf;
        lw.n = mine;
        off = 0;
        for (size_t j = 0; static_chunk(p, n, p->me, j, &lo, &cnt); j++) {
            cb_worker_run_range(&lw, off, off + cnt, p->obuf, &ctx, ws);
            off += cnt;
        }
        MPI_Gatherv(p->obuf, (int)mine, p->rout, NULL, NULL, NULL, p->rout, 0,
                    p->comm);
    }
    return 0;
}

/* The size of the chunk that starts at task `next` (dynamic, guided). */
static size_t deal_size(const struct cb_pool *p, size_t n, size_t next)
{
    size_t cs = (size_t)cb_chunk_size(p->chunk, p->nr, n, 1), c = cs;
    if (p->sched == CB_SCHED_GUIDED) {
        size_t g2 = (n - next + (size_t)p->nr - 1) / (size_t)p->nr;
        c = g2 > cs ? g2 : cs;
    }
    return n - next < c ? n - next : c;
}

/* Rank 0's side of a dynamic/guided map: MPI_DEPTH slots per other rank, each
 * an input send and a result receive posted into place. */
struct dealer {
    struct cb_pool *p;
    const struct cb_workload *w;
    char *outs;
    size_t next;
    int nslots, outstanding, done_sent;
    MPI_Request *sreq, *rreq, *dreq;
    size_t *lo, *cnt;
    int *idx;
    uint64_t to, from;
};

static void deal(struct dealer *d, int j)
{
    const struct cb_workload *w = d->w;
    int r = 1 + j / MPI_DEPTH;
    size_t c = deal_size(d->p, w->n, d->next);
    d->lo[j] = d->next;
    d->cnt[j] = c;
    MPI_Isend((const char *)w->in + d->next * w->in_size, (int)c, d->p->rin, r,
              TAG_CALL, d->p->comm, &d->sreq[j]);
    MPI_Irecv(d->outs + d->next * w->out_size, (int)c, d->p->rout, r,
              TAG_RESULT, d->p->comm, &d->rreq[j]);
    d->next += c;
    d->to += c * w->in_size;
    d->outstanding++;
}

/* Once every chunk is dealt: two DONE messages per rank, behind its calls
 * (same sender, same communicator, receives matching any tag: in order). */
static void send_done(struct dealer *d)
{
    if (d->done_sent || d->next < d->w->n)
        return;
    d->done_sent = 1;
    for (int j = 0; j < d->nslots; j++)
        MPI_Isend(NULL, 0, MPI_BYTE, 1 + j / MPI_DEPTH, TAG_DONE, d->p->comm,
                  &d->dreq[j]);
}

/* Takes in finished results; refills the slots they free. */
static void reap(struct dealer *d, int block)
{
    int k = 0;
    if (d->outstanding == 0)
        return;
    if (block) {
        MPI_Waitsome(d->nslots, d->rreq, &k, d->idx, MPI_STATUSES_IGNORE);
    } else {
        MPI_Testsome(d->nslots, d->rreq, &k, d->idx, MPI_STATUSES_IGNORE);
        /* Open MPI checks the requests before it makes progress: a result
         * that arrived during rank 0's task is taken in by the first call
         * and reported by the second, not a task later */
        if (k == 0)
            MPI_Testsome(d->nslots, d->rreq, &k, d->idx, MPI_STATUSES_IGNORE);
    }
    if (k == MPI_UNDEFINED)
        return;
    for (int i = 0; i < k; i++) {
        int j = d->idx[i];
        MPI_Wait(&d->sreq[j], MPI_STATUS_IGNORE);
        d->from += d->cnt[j] * d->w->out_size;
        d->outstanding--;
        if (d->next < d->w->n)
            deal(d, j);
    }
    send_done(d);
}

static int map_dynamic_root(struct cb_pool *p, const struct cb_workload *w,
                            char *outs, struct cb_worker_stats *ws,
                            uint64_t *to, uint64_t *from)
{
    struct dealer d = {.p = p, .w = w, .outs = outs};
    struct cb_ctx ctx = {.worker = 0};
    int ns = MPI_DEPTH * (p->nr - 1);
    double busy = 0;

    d.nslots = ns;
    d.sreq = malloc(sizeof *d.sreq * (size_t)(ns + 1));
    d.rreq = malloc(sizeof *d.rreq * (size_t)(ns + 1));
    d.dreq = malloc(sizeof *d.dreq * (size_t)(ns + 1));
    d.lo = malloc(sizeof *d.lo * (size_t)(ns + 1));
    d.cnt = malloc(sizeof *d.cnt * (size_t)(ns + 1));
    d.idx = malloc(sizeof *d.idx * (size_t)(ns + 1));
    if (!d.sreq || !d.rreq || !d.dreq || !d.lo || !d.cnt || !d.idx) {
        /* the other ranks wait for calls: the job cannot go on */
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    for (int j = 0; j < ns; j++)
        d.sreq[j] = d.rreq[j] = d.dreq[j] = MPI_REQUEST_NULL;
    /* first every rank's first chunk, then every rank's second */
    for (int s = 0; s < MPI_DEPTH; s++)
        for (int r = 1; r < p->nr && d.next < w->n; r++)
            deal(&d, (r - 1) * MPI_DEPTH + s);
    send_done(&d);
    /* rank 0's own chunks, a task at a time, serving between tasks */
    while (d.next < w->n) {
        size_t lo = d.next, c = deal_size(p, w->n, d.next);
        d.next += c;
        send_done(&d);
        ws->chunks++;
        for (size_t i = lo; i < lo + c; i++) {
            double t0 = cb_now();
            if (ws->cpu_first < 0)
                ws->cpu_first = sched_getcpu();
            w->kernel->run(w, (const char *)w->in + i * w->in_size,
                           outs + i * w->out_size, &ctx);
            busy += cb_now() - t0;
            ws->tasks++;
            reap(&d, 0);
        }
        ws->cpu_last = sched_getcpu();
    }
    while (d.outstanding > 0)
        reap(&d, 1);
    MPI_Waitall(ns, d.dreq, MPI_STATUSES_IGNORE);
    ws->busy_s += busy;
    *to += d.to;
    *from += d.from;
    free(d.sreq);
    free(d.rreq);
    free(d.dreq);
    free(d.lo);
    free(d.cnt);
    free(d.idx);
    return 0;
}

/* Another rank's side: two receives posted, compute, send back, repost. */
static void map_dynamic_rank(struct cb_pool *p, const struct cb_workload *w,
                             struct cb_worker_stats *ws)
{
    struct cb_ctx ctx = {.worker = p->me};
    size_t cs = (size_t)cb_chunk_size(p->chunk, p->nr, w->n, 1), maxc = cs;
    size_t ib, ob;
    MPI_Request rr[MPI_DEPTH], sr[MPI_DEPTH];
    struct cb_workload lw = *w;
    int k = 0;

    if (p->sched == CB_SCHED_GUIDED) {
        size_t g1 = (w->n + (size_t)p->nr - 1) / (size_t)p->nr;
        maxc = g1 > cs ? g1 : cs;
    }
    if (maxc > w->n)
        maxc = w->n ? w->n : 1;
    ib = maxc * w->in_size;
    ob = maxc * w->out_size;
    if (grow(&p->buf, &p->bufcap, MPI_DEPTH * ib + 1) ||
        grow(&p->obuf, &p->obufcap, MPI_DEPTH * ob + 1))
        MPI_Abort(MPI_COMM_WORLD, 1);
    for (int i = 0; i < MPI_DEPTH; i++) {
        sr[i] = MPI_REQUEST_NULL;
        MPI_Irecv(p->buf + (size_t)i * ib, (int)maxc, p->rin, 0, MPI_ANY_TAG,
                  p->comm, &rr[i]);
    }
    for (;;) {
        MPI_Status st;
        int cnt = 0;
        MPI_Wait(&rr[k], &st);
        if (st.MPI_TAG == TAG_DONE) {
            /* the other DONEs, one per receive still posted, in order */
            for (int i = 1; i < MPI_DEPTH; i++)
                MPI_Wait(&rr[(k + i) % MPI_DEPTH], MPI_STATUS_IGNORE);
            break;
        }
        MPI_Get_count(&st, p->rin, &cnt);
        MPI_Wait(&sr[k], MPI_STATUS_IGNORE); /* obuf k free again */
        lw.in = p->buf + (size_t)k * ib;
        lw.n = (size_t)cnt;
        cb_worker_run_range(&lw, 0, (size_t)cnt, p->obuf + (size_t)k * ob,
                            &ctx, ws);
        MPI_Isend(p->obuf + (size_t)k * ob, cnt, p->rout, 0, TAG_RESULT,
                  p->comm, &sr[k]);
        MPI_Irecv(p->buf + (size_t)k * ib, (int)maxc, p->rin, 0, MPI_ANY_TAG,
                  p->comm, &rr[k]);
        k = (k + 1) % MPI_DEPTH;
    }
    MPI_Waitall(MPI_DEPTH, sr, MPI_STATUSES_IGNORE);
}

/* One map, on every rank of the pool; st and outs only on rank 0. */
static int pool_map(struct cb_pool *p, const struct cb_workload *w,
                    char *outs, struct cb_map_stats *st)
{
    struct cb_worker_stats ws;
    struct cb_sched_mark mark;
    uint64_t to = 0, from = 0;
    double c0 = cb_thread_cpu();
    int rc = 0;

    memset(&ws, 0, sizeof ws);
    ws.pu_planned = p->bound.pu_planned;
    ws.pinned = p->bound.pinned;
    ws.cpu_first = ws.cpu_last = -1;
    cb_worker_sched_begin(&mark); /* every rank measures itself */
    if (p->sched == CB_SCHED_STATIC)
        rc = map_static(p, w, outs, &ws, &to, &from);
    else if (p->me == 0)
        rc = map_dynamic_root(p, w, outs, &ws, &to, &from);
    else
        map_dynamic_rank(p, w, &ws);
    cb_worker_sched_end(&mark, &ws);
    ws.cpu_s = cb_thread_cpu() - c0;
    ws.pid = getpid();
    copy_str(ws.host, sizeof ws.host, g.host);
    MPI_Gather(&ws, (int)sizeof ws, MPI_BYTE, st ? st->w : NULL,
               (int)sizeof ws, MPI_BYTE, 0, p->comm);
    if (st) {
        if (p->sched == CB_SCHED_STATIC &&
            p->chunk.kind == CB_CHUNK_DEFAULT)
            st->chunksize = (long)((w->n + (size_t)p->nr - 1) / (size_t)p->nr);
        else
            st->chunksize = cb_chunk_size(p->chunk, p->nr, w->n, 1);
        st->bytes_to_workers = to;
        st->bytes_from_workers = from;
    }
    return rc;
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
    if (g.wl_key && g.wl.kernel)
        g.wl.kernel->release(&g.wl);
    memset(&g.wl, 0, sizeof g.wl);
    free(g.wl_key);
    g.wl_key = NULL;
}

/* The workload of START c, rebuilt from its params (or the one kept). */
static int helper_workload(const struct mpi_cmd *c, struct cb_error *e)
{
    int rc;
    if (g.wl_key && same_workload(g.wl_key, c))
        return 0;
    drop_workload();
    rc = cb_workload_rebuild(&g.wl, c->kernel, c->size, c->params,
                             c->nparams, (size_t)c->n, (size_t)c->in_size,
                             (size_t)c->out_size, e);
    if (rc)
        return rc;
    g.wl_key = malloc(sizeof *g.wl_key);
    if (!g.wl_key) {
        g.wl.kernel->release(&g.wl);
        memset(&g.wl, 0, sizeof g.wl);
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    }
    memcpy(g.wl_key, c, sizeof *c);
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
    if (pool_open(&p, c) != 0)
        mine.status = CB_FAIL(&e, CB_ENOMEM, "out of memory");
    else
        mine.status = helper_workload(c, &e);
    if (mine.status)
        copy_str(mine.msg, sizeof mine.msg, e.msg);
    p.w = &g.wl;
    if (pool_ready(&p, &mine, &bad, &bad_rank)) {
        for (;;) {
            int cmd = 0;
            MPI_Bcast(&cmd, 1, MPI_INT, 0, p.comm);
            if (cmd != POOL_MAP)
                break;
            pool_map(&p, &g.wl, NULL, NULL);
        }
    }
    pool_close(&p);
}

static int serve(void)
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
            describe(&ri);
            MPI_Send(&ri, (int)sizeof ri, MPI_BYTE, 0, TAG_ABOUT,
                     MPI_COMM_WORLD);
        } else if (c->type == CMD_START) {
            helper_pool(c);
        } else {
            fprintf(stderr, "corebench: mpi rank %d: unknown command %d from "
                            "rank 0\n", g.rank, (int)c->type);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
    }
    free(c);
    drop_workload();
    return 0;
}

/* ---- the launch hook ----------------------------------------------------- */

/* Rank 0, at exit: release the helpers, finalize. Not in forked children
 * (they _exit, and the pid check would stop them anyway). */
static void finish(void)
{
    struct mpi_cmd q;
    if (!g.active || getpid() != g.owner)
        return;
    memset(&q, 0, sizeof q);
    q.type = CMD_QUIT;
    for (int r = 1; r < g.size; r++)
        MPI_Send(&q, MPI_CMD_BYTES(0), MPI_BYTE, r, TAG_CMD, MPI_COMM_WORLD);
    free(g.about);
    g.about = NULL;
    g.active = 0;
    MPI_Finalize();
}

static int mpi_launched(int argc, char **argv)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK",
                                       "PMI_RANK"};
    cpu_set_t s;
    int provided = 0, len = 0, v, sv, rc;
    (void)argc;
    (void)argv;

    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *x = getenv(vars[i]);
        g.launched |= x && *x;
    }
    if (!g.launched)
        return CB_EXEC_CONTINUE;
    if (sched_getaffinity(0, sizeof s, &s) == 0)
        cpuset_list(&s, g.bound, sizeof g.bound);
    rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    if (rc != MPI_SUCCESS)
        return CB_EXEC_CONTINUE; /* available() says so */
    g.active = 1;
    g.owner = getpid();
    MPI_Comm_rank(MPI_COMM_WORLD, &g.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g.size);
    host_name(g.host, sizeof g.host);
    MPI_Get_library_version(g.library, &len);
    g.library[len > 0 && len < (int)sizeof g.library ? len : 0] = '\0';
    g.library[strcspn(g.library, "\n")] = '\0';
    MPI_Get_version(&v, &sv);
    snprintf(g.standard, sizeof g.standard, "%d.%d", v, sv);
    if (g.rank == 0) {
        atexit(finish);
        return CB_EXEC_CONTINUE;
    }
    rc = serve();
    g.active = 0;
    MPI_Finalize();
    return rc;
}

/* ---- the executor (rank 0) ----------------------------------------------- */

static int mpi_available(const struct cb_exec_config *c,
                         struct cb_exec_about *about, struct cb_error *e)
{
    char ranks[16];
    if (!g.launched)
        return CB_FAIL(e, CB_EUSAGE, "%s", launch_hint());
    if (!g.active)
        return CB_FAIL(e, CB_EUNSUPPORTED, "mpi: MPI_Init failed under the "
                       "launcher (see Open MPI's message above)");
    if (c && c->workers > g.size)
        return CB_FAIL(e, CB_EUSAGE, "mpi: --workers asks for %d ranks but "
                       "the job has %d (mpirun -np %d): pass counts up to %d "
                       "(e.g. -w 1-%d), or launch more ranks", c->workers,
                       g.size, g.size, g.size, g.size);
    if (!g.about)
        g.about = about_json();
    snprintf(ranks, sizeof ranks, "%d", g.size);
    cb_exec_about_add(about, "library", g.library);
    cb_exec_about_add(about, "standard", g.standard);
    cb_exec_about_add(about, "binding",
                      "--pin plan per host by host-local rank; --pin none "
                      "keeps the launcher's (bound_at_launch)");
    about->json = g.about ? strdup(g.about) : NULL;
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
    if (!g.active)
        return CB_FAIL(e, CB_EUSAGE, "%s", launch_hint());
    if (c->workers < 1 || c->workers > g.size)
        return CB_FAIL(e, CB_EUSAGE, "mpi: %d workers but the job has %d "
                       "ranks (accepted: 1..%d)", c->workers, g.size, g.size);
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
    copy_str(cmd->kernel, sizeof cmd->kernel, w->kernel->name);
    copy_str(cmd->size, sizeof cmd->size, w->size);
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
    if (pool_open(p, cmd) != 0) {
        mine.status = CB_ENOMEM;
        snprintf(mine.msg, sizeof mine.msg, "out of memory");
    }
    free(cmd);
    p->w = w;
    if (!pool_ready(p, &mine, &bad, &bad_rank)) {
        int code = bad.status;
        bad.msg[sizeof bad.msg - 1] = '\0';
        pool_close(p);
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
    if (pool_map(p, w, outs, st) != 0)
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
    pool_close(p);
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
    .launched = mpi_launched,
};
