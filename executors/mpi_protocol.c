/* mpi: pools and maps, the part every rank of a pool runs (rank 0 in
 * start()/map()/stop(), helpers on START): the pool's communicator,
 * binding and record types, the ready/go round trip, static maps
 * (scatter/gather) and dynamic/guided maps (rank 0 deals chunks). The
 * design is described at the top of mpi.c. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpi_impl.h"

/* This process's place in the job: filled by the launch hook
 * (mpi_launch.c), read by every file of mpi. It lives here, in the file
 * the others stand on, so no two of them call each other. */
struct cbmpi_state cbmpi;

/* dynamic/guided: chunks outstanding per rank other than 0 (see mpi.c) */
#define MPI_DEPTH 3

/* Truncating copy into a fixed field, always terminated. */
void cbmpi_copy_str(char *dst, size_t len, const char *src)
{
    size_t n = src ? strnlen(src, len - 1) : 0;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

/* ---- pools (both sides) -------------------------------------------------- */

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
int cbmpi_pool_open(struct cb_pool *p, const struct mpi_cmd *c)
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

void cbmpi_pool_close(struct cb_pool *p)
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
int cbmpi_pool_ready(struct cb_pool *p, const struct mpi_ready *mine,
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
int cbmpi_pool_map(struct cb_pool *p, const struct cb_workload *w,
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
    cbmpi_copy_str(ws.host, sizeof ws.host, cbmpi.host);
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
