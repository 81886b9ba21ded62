/* process-pool: CPython's ProcessPoolExecutor, in C.
 *
 * What it keeps from concurrent/futures/process.py, because that is what
 * it exists to measure:
 *  - N workers started up front by start() (fork by default; with
 *    CB_START_SPAWN each worker re-executes c->self_exe as
 *    `corebench __worker process-pool FD INDEX PU N IN_SIZE OUT_SIZE KERNEL
 *    SIZE [KEY=VALUE...]` and rebuilds the workload with kernel->prepare(),
 *    as a spawned Python worker re-imports the module: see pp_worker_main).
 *    start() returns when every worker has said hello, so pool start-up
 *    includes fork/exec, binding and (spawn) prepare().
 *  - A bounded call queue: never more than workers + 1 (EXTRA_QUEUED_CALLS)
 *    chunks outstanding (sent, result not yet back), and a separate result
 *    stream back.
 *  - Every input record is copied as bytes into the call message and every
 *    output record back in the result message; nothing is inherited or
 *    shared, even under fork. Only payload bytes are counted in
 *    st->bytes_to_workers (n * in_size) and bytes_from_workers
 *    (n * out_size); the 48-byte headers are not. The "serialization" is a
 *    plain byte copy, no pickling, so the price measured here is a lower
 *    bound of CPython's.
 *  - Chunks of cb_exec_chunksize(c, n, 1) tasks: 1 by default as
 *    Executor.map, auto = ceil(n / (4 * workers)) as multiprocessing.Pool.
 *  - Results land in `outs` in submission order, whatever order workers
 *    finish in.
 *  - A worker that dies (signal, exit) breaks the pool: map() returns
 *    CB_EBROKEN "broken pool: worker 2 (pid 4242) was killed by signal 9
 *    (Killed) with tasks [40, 41) unfinished" and never hangs; later maps fail
 *    at once; stop() kills and reaps everything. A map that fails did not
 *    complete: `outs` may hold some results and must not be used.
 *
 * IPC design. One AF_UNIX stream socketpair per worker carries both its
 * calls and its results (not one shared call pipe: call messages can be
 * megabytes for sum-shipped, and only writes <= PIPE_BUF are atomic on a
 * shared pipe). The parent dispatches each chunk to the worker with the
 * fewest outstanding calls (at most 2 per worker, at most workers + 1 in
 * all): every busy worker has its next call already waiting in its socket,
 * as with CPython's shared call queue, except that the extra call is
 * committed to one worker (a skewed tail can wait behind one long chunk).
 * The worker's socket doubles as its liveness sentinel: the worker holds
 * the only copy of its end (fork children close every other descriptor,
 * spawned ones get only fd 3), so its death reads as EOF/EPIPE at once.
 * Starting, reaping and describing worker processes, and the workers'
 * blocking sends, are shared with `processes` (proc.h).
 *
 * The parent's ends are non-blocking and multiplexed with poll(): a big
 * call must never block the parent while that same worker is blocked
 * writing a big result the parent is not reading (the deadlock CPython
 * avoids with feeder and manager threads). Writes use MSG_NOSIGNAL, so a
 * dead peer is EPIPE, not SIGPIPE; the process-wide disposition is left
 * alone. Workers use blocking I/O and one buffered read per wake-up.
 *
 * Messages: a 48-byte header (struct pp_hdr) then `len` payload bytes.
 * Calls are padded to a multiple of 16 bytes so the records of every call
 * start 16-byte aligned in the worker's buffer. At the end of each map the
 * parent sends each worker a STATS request (queued behind its last call)
 * and gets its struct cb_worker_stats for the map back: busy_s is time
 * inside run(), cpu_s the worker's CPU since its previous reply, so
 * cpu_s - busy_s is roughly what receiving and sending cost the worker.
 *
 * Who calls what: start(), map() and stop() run in the caller's thread
 * (one thread at a time per pool); pp_worker_loop() runs only in workers;
 * worker_main() is corebench's `__worker process-pool` entry. Files: this
 * one is the parent; process_pool_worker.c the workers; process_pool.h
 * the messages between them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "process_pool.h"

/* One outstanding message to a worker, awaiting its reply. */
struct pp_entry {
    int type;     /* PP_CALL, PP_STATS or PP_HELLO (nothing to send) */
    size_t chunk; /* PP_CALL */
};

/* The parent's view of worker i's conversation; its process is kid[i]. */
struct pp_worker {
    struct pp_entry q[3]; /* FIFO: up to 2 calls + 1 stats request */
    int qhead, qlen;
    int ncalls;  /* PP_CALL entries in q */
    int nsent;   /* entries of q, from the head, completely sent */
    size_t soff; /* bytes sent of entry q[head + nsent] */
    size_t roff; /* bytes received of the reply to q[head] */
    struct pp_hdr rhdr;
    struct cb_worker_stats rws;
    char hello[256];
    int stats_asked;
};

struct cb_pool {
    struct cb_exec_config cfg;
    struct cb__procs ps;  /* the workers: ps.kid[0..ps.n) */
    struct pp_worker *w;  /* cfg.workers entries */
    struct pollfd *pf;   /* cfg.workers entries */
    int *pfw;            /* pf[j] belongs to worker pfw[j] */
    int broken;
    char why[400];
    /* the map in progress (start() uses m_w for the sizes) */
    const struct cb_workload *m_w;
    char *m_outs;
    size_t m_cs, m_nchunks, m_next, m_done;
    int m_outstanding, m_stats_done, m_hellos;
    uint64_t m_to, m_from;
};

static const char pp_zeros[16];

/* ---- the parent: life and death of workers ------------------------------- */

/* Worker i's channel failed (EOF, EPIPE, a malformed message): the pool is
 * broken. Reaps the worker (a second of grace: it is exiting) and says
 * what it was doing. */
static int pp_broken(struct cb_pool *p, int i, const char *what,
                     struct cb_error *e)
{
    struct pp_worker *x = &p->w[i];
    char how[160], doing[96] = "";
    if (!what) {
        cb__proc_died(&p->ps.kid[i], "was killed", how, sizeof how);
        what = how;
    }
    if (x->qlen > 0 && x->q[x->qhead].type == PP_CALL && p->m_w) {
        size_t lo = x->q[x->qhead].chunk * p->m_cs;
        size_t hi = lo + p->m_cs < p->m_w->n ? lo + p->m_cs : p->m_w->n;
        snprintf(doing, sizeof doing, " with tasks [%zu, %zu) unfinished", lo,
                 hi);
    } else if (x->qlen > 0 && x->q[x->qhead].type == PP_HELLO) {
        snprintf(doing, sizeof doing, " while starting");
    }
    p->broken = 1;
    snprintf(p->why, sizeof p->why, "broken pool: worker %d (pid %ld) %s%s", i,
             (long)p->ps.kid[i].pid, what, doing);
    return CB_FAIL(e, CB_EBROKEN, "%s", p->why);
}

/* ---- the parent: messages ------------------------------------------------ */

static void pp_chunk(const struct cb_pool *p, size_t chunk, size_t *lo,
                     size_t *count)
{
    size_t n = p->m_w->n;
    *lo = chunk * p->m_cs;
    *count = n - *lo < p->m_cs ? n - *lo : p->m_cs;
}

static void pp_push(struct pp_worker *x, int type, size_t chunk)
{
    struct pp_entry *q = &x->q[(x->qhead + x->qlen) % 3];
    q->type = type;
    q->chunk = chunk;
    x->qlen++;
    if (type == PP_CALL)
        x->ncalls++;
}

/* Sends what worker i's queue still holds, until done or the socket is
 * full (POLLOUT will resume it). Non-blocking. */
static int pp_flush(struct cb_pool *p, int i, struct cb_error *e)
{
    struct pp_worker *x = &p->w[i];
    while (x->nsent < x->qlen) {
        const struct pp_entry *q = &x->q[(x->qhead + x->nsent) % 3];
        struct pp_hdr h = {.type = (uint32_t)q->type};
        struct iovec src[3], v[3];
        struct msghdr mh = {0};
        size_t total = PP_HDR, plen = 0;
        int ns = 1;
        ssize_t k;
        src[0] = (struct iovec){&h, PP_HDR};
        if (q->type == PP_CALL) {
            size_t lo, count;
            pp_chunk(p, q->chunk, &lo, &count);
            plen = count * p->m_w->in_size;
            h.seq = q->chunk;
            h.lo = lo;
            h.count = count;
            h.len = plen;
            total = PP_ALIGN16(PP_HDR + plen);
            src[ns++] =
                (struct iovec){(char *)p->m_w->in + lo * p->m_w->in_size, plen};
            src[ns++] = (struct iovec){(void *)pp_zeros, total - PP_HDR - plen};
        }
        mh.msg_iov = v;
        mh.msg_iovlen = (size_t)cb__proc_iov_skip(v, src, ns, x->soff);
        k = sendmsg(p->ps.kid[i].fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return pp_broken(p, i, NULL, e); /* EPIPE, ECONNRESET: died */
        }
        x->soff += (size_t)k;
        if (x->soff == total) {
            x->soff = 0;
            x->nsent++;
            p->m_to += plen;
        }
    }
    return 0;
}

/* Reads from worker i until one whole reply is in, or the socket is
 * empty (a partial reply resumes on the next POLLIN). Results go straight
 * into their place in outs, so outs is in submission order whatever order
 * the workers finish in. */
static int pp_recv(struct cb_pool *p, int i, struct cb_error *e)
{
    struct pp_worker *x = &p->w[i];
    if (x->qlen == 0) {
        /* nothing expected: only EOF (death) or garbage can be here */
        char c;
        ssize_t k = recv(p->ps.kid[i].fd, &c, 1, MSG_DONTWAIT);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            return 0;
        return pp_broken(p, i, k > 0 ? "sent an unexpected message" : NULL, e);
    }
    while (x->qlen > 0) {
        const struct pp_entry *q = &x->q[x->qhead];
        struct iovec src[2], v[2];
        struct msghdr mh = {0};
        size_t total, lo = 0, count = 0;
        uint32_t want;
        int ns = 1, bad = 0;
        ssize_t k;
        src[0] = (struct iovec){&x->rhdr, PP_HDR};
        if (q->type == PP_CALL) {
            pp_chunk(p, q->chunk, &lo, &count);
            want = PP_RESULT;
            src[ns++] = (struct iovec){p->m_outs + lo * p->m_w->out_size,
                                       count * p->m_w->out_size};
        } else if (q->type == PP_STATS) {
            want = PP_STATS;
            src[ns++] = (struct iovec){&x->rws, sizeof x->rws};
        } else {
            /* hello: the payload length is in the header */
            want = PP_HELLO;
            if (x->roff >= PP_HDR) {
                if (x->rhdr.len >= sizeof x->hello)
                    return pp_broken(p, i, "sent a malformed hello", e);
                src[ns++] = (struct iovec){x->hello, x->rhdr.len};
            }
        }
        total = 0;
        for (int j = 0; j < ns; j++)
            total += src[j].iov_len;
        mh.msg_iov = v;
        mh.msg_iovlen = (size_t)cb__proc_iov_skip(v, src, ns, x->roff);
        if (mh.msg_iovlen > 0) {
            k = recvmsg(p->ps.kid[i].fd, &mh, MSG_DONTWAIT);
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return 0;
            if (k <= 0)
                return pp_broken(p, i, NULL, e); /* EOF: it died */
            x->roff += (size_t)k;
        }
        if (x->roff < total)
            continue; /* a partial read; the next one gets EAGAIN or more */
        if (want == PP_HELLO && ns == 1 && x->rhdr.type == PP_HELLO &&
            x->rhdr.len > 0)
            continue; /* header in: now read its message */
        /* a whole reply: check it matches what was asked */
        if (x->rhdr.type != want)
            bad = 1;
        else if (want == PP_RESULT)
            bad = x->rhdr.seq != q->chunk || x->rhdr.count != count ||
                  x->rhdr.len != count * p->m_w->out_size;
        else if (want == PP_STATS)
            bad = x->rhdr.len != sizeof x->rws;
        if (bad)
            return pp_broken(p, i, "sent a malformed message", e);
        x->roff = 0;
        x->qhead = (x->qhead + 1) % 3;
        x->qlen--;
        x->nsent--;
        if (want == PP_RESULT) {
            x->ncalls--;
            p->m_outstanding--;
            p->m_done++;
            p->m_from += count * p->m_w->out_size;
        } else if (want == PP_STATS) {
            p->m_stats_done++;
        } else {
            x->hello[x->rhdr.len] = '\0';
            if (x->rhdr.status != 0) {
                int code = x->rhdr.status;
                if (code > 0 || code < CB_EUNSUPPORTED)
                    code = CB_ESYS;
                p->broken = 1;
                return CB_FAIL(e, code,
                               "process-pool: worker %d (pid %ld) could not "
                               "start: %s",
                               i, (long)p->ps.kid[i].pid, x->hello);
            }
            p->m_hellos++;
        }
        /* One reply per wake-up: the caller refills this worker's queue
         * before anything else (the worker may be idle), and poll() says
         * at once if more is waiting. */
        return 0;
    }
    return 0;
}

/* Hands out chunks while the call queue has room: at most workers + 1
 * outstanding, at most 2 per worker, to the worker with the fewest. Once
 * every chunk is out, queues a STATS request behind each worker's calls. */
static int pp_dispatch(struct cb_pool *p, struct cb_error *e)
{
    while (p->m_next < p->m_nchunks && p->m_outstanding < p->ps.n + 1) {
        int best = -1, rc;
        for (int i = 0; i < p->ps.n; i++)
            if (p->w[i].ncalls < 2 &&
                (best < 0 || p->w[i].ncalls < p->w[best].ncalls))
                best = i;
        if (best < 0)
            break;
        pp_push(&p->w[best], PP_CALL, p->m_next++);
        p->m_outstanding++;
        if ((rc = pp_flush(p, best, e)))
            return rc;
    }
    if (p->m_next == p->m_nchunks) {
        for (int i = 0; i < p->ps.n; i++) {
            int rc;
            if (p->w[i].stats_asked)
                continue;
            p->w[i].stats_asked = 1;
            pp_push(&p->w[i], PP_STATS, 0);
            if ((rc = pp_flush(p, i, e)))
                return rc;
        }
    }
    return 0;
}

/* The parent's event loop: dispatches, then polls the workers that owe a
 * reply or have bytes to take, until the map is complete (every result and
 * every worker's stats in) or, for start(), every worker has said hello.
 * Any failure is returned with the pool marked broken. */
static int pp_pump(struct cb_pool *p, int for_map, struct cb_error *e)
{
    for (;;) {
        int m = 0, rc;
        if (for_map) {
            if ((rc = pp_dispatch(p, e)))
                return rc;
            if (p->m_done == p->m_nchunks && p->m_stats_done == p->ps.n)
                return 0;
        } else if (p->m_hellos == p->ps.n) {
            return 0;
        }
        for (int i = 0; i < p->ps.n; i++) {
            struct pp_worker *x = &p->w[i];
            if (x->qlen == 0)
                continue;
            p->pf[m].fd = p->ps.kid[i].fd;
            p->pf[m].events = POLLIN | (x->nsent < x->qlen ? POLLOUT : 0);
            p->pf[m].revents = 0;
            p->pfw[m++] = i;
        }
        if (m == 0) {
            /* cannot happen: unfinished work is always owed by someone */
            p->broken = 1;
            return CB_FAIL(e, CB_ESYS,
                           "process-pool: internal error: "
                           "waiting with nothing outstanding");
        }
        if (poll(p->pf, (nfds_t)m, -1) < 0) {
            if (errno == EINTR)
                continue;
            p->broken = 1;
            return CB_FAIL(e, CB_ESYS, "process-pool: poll: %s",
                           strerror(errno));
        }
        for (int j = 0; j < m; j++) {
            short r = p->pf[j].revents;
            int i = p->pfw[j];
            if (!r)
                continue;
            /* read first: a dead worker's last words, then its EOF */
            if (r & (POLLIN | POLLHUP | POLLERR))
                if ((rc = pp_recv(p, i, e)))
                    return rc;
            if (r & POLLOUT)
                if ((rc = pp_flush(p, i, e)))
                    return rc;
        }
    }
}

/* ---- the parent: starting workers ---------------------------------------- */

/* cb__proc_spawn_fn of the spawn start method (parent, in start()):
 * re-executes corebench as `__worker process-pool ...` with `fd`, worker
 * i's end of its channel, on PP_SPAWN_FD and nothing else open. */
static int pp_spawn(const void *arg, int i, int fd, pid_t *pid,
                    struct cb_error *e)
{
    const struct cb_exec_config *c = arg;
    const struct cb_workload *w = c->workload;
    char nums[6][24], *argv[12 + CB_MAX_PARAMS];
    char kv[CB_MAX_PARAMS][sizeof w->params[0].key + sizeof w->params[0].val];
    int a = 0;

    snprintf(nums[0], sizeof nums[0], "%d", CB__PROC_CHANNEL_FD);
    snprintf(nums[1], sizeof nums[1], "%d", i);
    snprintf(nums[2], sizeof nums[2], "%d", c->pus ? c->pus[i] : -1);
    snprintf(nums[3], sizeof nums[3], "%zu", w->n);
    snprintf(nums[4], sizeof nums[4], "%zu", w->in_size);
    snprintf(nums[5], sizeof nums[5], "%zu", w->out_size);
    argv[a++] = (char *)c->self_exe;
    argv[a++] = "__worker";
    argv[a++] = "process-pool";
    for (int j = 0; j < 6; j++)
        argv[a++] = nums[j];
    argv[a++] = (char *)w->kernel->name;
    argv[a++] = w->size[0] ? (char *)w->size : "-";
    for (int j = 0; j < w->nparams && j < CB_MAX_PARAMS; j++) {
        snprintf(kv[j], sizeof kv[j], "%s=%s", w->params[j].key,
                 w->params[j].val);
        argv[a++] = kv[j];
    }
    argv[a] = NULL;
    return cb__proc_spawn_fd3(argv, 0, fd, pid, "process-pool", e);
}

static int pp_start(struct cb_pool **pp, const struct cb_exec_config *c,
                    struct cb_error *e)
{
    struct cb_pool *p;
    const char *sm = cb_xparam(c, "start_method");
    int spawn = sm && strcmp(sm, "spawn") == 0, rc;

    *pp = NULL;
    if (c->workers < 1 || c->workers > CB_MAX_WORKERS)
        return CB_FAIL(e, CB_EUSAGE,
                       "process-pool: %d workers (accepted: 1..%d)", c->workers,
                       CB_MAX_WORKERS);
    if (!c->workload || !c->workload->kernel)
        return CB_FAIL(e, CB_EUSAGE,
                       "process-pool: the workload must be given at start(): "
                       "workers need its kernel");
    if (spawn && (!c->self_exe || !*c->self_exe))
        return CB_FAIL(e, CB_EUSAGE,
                       "process-pool: the spawn start method needs the path "
                       "of the corebench executable");
    p = calloc(1, sizeof *p);
    if (!p)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    p->cfg = *c;
    p->m_w = c->workload;
    p->w = calloc((size_t)c->workers, sizeof *p->w);
    p->pf = calloc((size_t)c->workers, sizeof *p->pf);
    p->pfw = calloc((size_t)c->workers, sizeof *p->pfw);
    if (!p->w || !p->pf || !p->pfw) {
        rc = CB_FAIL(e, CB_ENOMEM, "out of memory");
        goto fail;
    }
    rc = cb__procs_start(&p->ps, c->workers, "process-pool", cb__pp_fork_child,
                         spawn ? pp_spawn : NULL, &p->cfg, e);
    if (rc)
        goto fail;
    for (int i = 0; i < p->ps.n; i++) {
        pp_push(&p->w[i], PP_HELLO, 0);
        p->w[i].nsent = 1; /* nothing to send: the worker speaks first */
    }
    rc = pp_pump(p, 0, e);
    if (rc)
        goto fail;
    *pp = p;
    return 0;
fail:
    cb__procs_end(&p->ps, 1);
    free(p->w);
    free(p->pf);
    free(p->pfw);
    free(p);
    return rc;
}

static int pp_map(struct cb_pool *p, const struct cb_workload *w, void *outs,
                  struct cb_map_stats *st, struct cb_error *e)
{
    const struct cb_workload *cw = p->cfg.workload;
    int rc;

    if (p->broken)
        return CB_FAIL(e, CB_EBROKEN, "%s",
                       p->why[0] ? p->why
                                 : "broken pool: an earlier map failed");
    /* Workers run the kernel they were started with, on its state: a
     * different workload is an error (records themselves are shipped, so
     * their contents may change between maps). */
    if (w->kernel != cw->kernel || w->n != cw->n || w->in_size != cw->in_size ||
        w->out_size != cw->out_size || w->state != cw->state)
        return CB_FAIL(e, CB_EUSAGE,
                       "process-pool: map() got a workload other than the "
                       "one the pool was started with");
    if (!st || !st->w || st->nworkers < p->ps.n)
        return CB_FAIL(e, CB_EUSAGE, "process-pool: map stats need %d workers",
                       p->ps.n);
    p->m_w = w;
    p->m_outs = outs;
    p->m_cs = (size_t)cb_exec_chunksize(&p->cfg, w->n, 1);
    p->m_nchunks = (w->n + p->m_cs - 1) / p->m_cs;
    p->m_next = p->m_done = 0;
    p->m_outstanding = p->m_stats_done = 0;
    p->m_to = p->m_from = 0;
    for (int i = 0; i < p->ps.n; i++)
        p->w[i].stats_asked = 0;
    rc = pp_pump(p, 1, e);
    if (rc)
        return rc;
    st->chunksize = (long)p->m_cs;
    st->bytes_to_workers = p->m_to;
    st->bytes_from_workers = p->m_from;
    for (int i = 0; i < p->ps.n; i++) {
        st->w[i] = p->w[i].rws;
        st->w[i].pid = p->ps.kid[i].pid;
    }
    return 0;
}

static void pp_abort(struct cb_pool *p)
{
    if (p)
        cb__proc_kill_all(p->ps.kid, p->ps.n);
}

static void pp_stop(struct cb_pool *p)
{
    if (!p)
        return;
    cb__procs_end(&p->ps, p->broken);
    free(p->w);
    free(p->pf);
    free(p->pfw);
    free(p);
}

const struct cb_executor cb_exec_process_pool = {
    .name = "process-pool",
    .summary = "pre-started workers, bounded call queue, every record "
               "shipped as bytes (ProcessPoolExecutor)",
    .caps = CB_EXEC_PROCESSES | CB_EXEC_COPIES,
    .params = (const struct cb_xparam[]){CB_XP_CHUNKSIZE("1"),
                                         CB_XP_START_METHOD("fork"), {0}},
    .start = pp_start,
    .map = pp_map,
    .stop = pp_stop,
    .abort = pp_abort,
    .worker_main = cb__pp_worker_main,
};
