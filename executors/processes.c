/* processes: one forked child per worker, static contiguous chunks, inputs
 * inherited copy-on-write.
 *
 * The process analogue of `threads`: what process parallelism costs when
 * nothing is shipped. Contract and design:
 *
 *  - start() (parent) maps one MAP_SHARED anonymous region of n * out_size
 *    bytes for the outputs of c->workload, then forks workers. Each child
 *    inherits the workload copy-on-write (inputs are never copied), closes
 *    every descriptor but its own channel, binds itself (cb_worker_bind),
 *    says "ready" and waits. start() returns once every child is ready, so
 *    pool start-up includes fork and binding.
 *  - Channel: one AF_UNIX stream socketpair per worker, started, reaped
 *    and described by proc.c (see proc.h). Writes use MSG_NOSIGNAL, so a
 *    dead peer gives EPIPE instead of SIGPIPE and the process-wide SIGPIPE
 *    disposition is never touched. Parent ends are non-blocking and
 *    multiplexed with poll(); children block.
 *  - map() (parent) sends one "go" byte per worker. Worker i runs tasks
 *    [i*q, min(n, (i+1)*q)), q = ceil(n / workers), writing straight into
 *    the shared region, then sends back its struct cb_worker_stats and waits
 *    for the next "go" (map may be called any number of times) or EOF (exit,
 *    with _exit: no atexit handlers, no stdio flushing in children).
 *  - Outputs: children cannot write into the caller's `outs` (private
 *    memory of the parent), so map() copies the shared region into outs
 *    after every worker has reported. The copy is part of map time, but it
 *    is a memcpy from shared memory, not IPC: bytes_to_workers and
 *    bytes_from_workers stay 0 (those count what executors ship through
 *    pipes, the price process-pool exists to show).
 *  - A child that dies (signal or exit) shows as EOF/EPIPE on its channel;
 *    the parent reaps it and map() returns CB_EBROKEN "worker 1 (pid 1234)
 *    died: killed by signal 9 (Killed)". The pool is then broken: later maps
 *    fail at once, stop() kills and reaps the rest. Worker numbers in
 *    messages are 0-based, as st->w[] is.
 *  - stop() closes the channels (idle children exit on EOF), waits a short
 *    grace, SIGKILLs what is left and reaps every child: no zombies.
 *
 * map() must be given the workload the pool was started with (children
 * compute from their inherited copy); anything else is CB_EUSAGE. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proc.h"

#define PR_READY 'r'
#define PR_GO 'g'

/* What worker i reported; its process is kid[i]. */
struct pr_worker {
    size_t got; /* bytes of `ws` received in the current map */
    struct cb_worker_stats ws;
};

struct cb_pool {
    struct cb_exec_config cfg;
    struct cb__procs ps;  /* the workers: ps.kid[0..ps.n) */
    struct pr_worker *w;  /* cfg.workers entries */
    void *out;            /* MAP_SHARED outputs, out_len bytes (>= 1) */
    size_t out_len;
    int broken;
    char why[400]; /* the first death, repeated by later maps */
};

/* Marks the pool broken because worker i's channel ended (EOF, EPIPE):
 * reaps it and fills e. Parent. */
static int pr_broken(struct cb_pool *p, int i, struct cb_error *e)
{
    char how[160];
    cb__proc_died(&p->ps.kid[i], "killed", how, sizeof how);
    p->broken = 1;
    snprintf(p->why, sizeof p->why, "worker %d (pid %ld) died: %s", i,
             (long)p->ps.kid[i].pid, how);
    return CB_FAIL(e, CB_EBROKEN, "%s", p->why);
}

/* ---- the child ----------------------------------------------------------- */

/* Runs in the forked child (cb__proc_child_fn: only `fd` is left open);
 * never returns. */
static void pr_child(const void *arg, int i, int fd)
{
    const struct cb_pool *p = arg;
    const struct cb_workload *w = p->cfg.workload;
    struct cb_worker_stats ws;
    struct cb_ctx ctx = {.worker = i};
    int workers = p->cfg.workers;
    size_t q = (w->n + (size_t)workers - 1) / (size_t)workers;
    size_t lo = (size_t)i * q < w->n ? (size_t)i * q : w->n;
    size_t hi = lo + q < w->n ? lo + q : w->n;
    int pu_planned, pinned;
    char c = PR_READY;

    memset(&ws, 0, sizeof ws);
    cb_worker_bind(&p->cfg, i, &ws);
    pu_planned = ws.pu_planned;
    pinned = ws.pinned;
    if (cb__proc_send_all(fd, &c, 1) < 0)
        _exit(1);
    for (;;) {
        ssize_t k = recv(fd, &c, 1, 0);
        struct cb_sched_mark mark;
        double c0;
        if (k < 0 && errno == EINTR)
            continue;
        if (k == 0)
            _exit(0); /* the parent closed the channel: stop() */
        if (k < 0 || c != PR_GO)
            _exit(1);
        memset(&ws, 0, sizeof ws);
        ws.pu_planned = pu_planned;
        ws.pinned = pinned;
        ws.cpu_first = ws.cpu_last = -1;
        ws.pid = getpid();
        cb_worker_sched_begin(&mark);
        c0 = cb_process_cpu();
        cb_worker_run_range(w, lo, hi, p->out, &ctx, &ws);
        ws.cpu_s = cb_process_cpu() - c0;
        cb_worker_sched_end(&mark, &ws);
        /* the end as a CLOCK_MONOTONIC time (the same clock in every
         * process of this host): the parent makes it a span from its GO */
        ws.span_s = cb_now();
        if (cb__proc_send_all(fd, &ws, sizeof ws) < 0)
            _exit(1);
    }
}

/* ---- the executor -------------------------------------------------------- */

/* Polls every channel until worker i has sent `want(i)` bytes into its
 * buffer, for all i. Used for the ready byte (start) and the stats (map).
 * EOF or a socket error on any channel breaks the pool. */
static int pr_collect(struct cb_pool *p, int stats, struct cb_error *e)
{
    struct pollfd *pf = malloc(sizeof *pf * (size_t)p->ps.n);
    size_t want = stats ? sizeof(struct cb_worker_stats) : 1;
    int left = p->ps.n, rc = 0;
    if (!pf)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    for (int i = 0; i < p->ps.n; i++)
        p->w[i].got = 0;
    while (left > 0) {
        int m = 0;
        for (int i = 0; i < p->ps.n; i++) {
            if (p->w[i].got == want)
                continue;
            pf[m].fd = p->ps.kid[i].fd;
            pf[m].events = POLLIN;
            pf[m].revents = 0;
            m++;
        }
        if (poll(pf, (nfds_t)m, -1) < 0) {
            if (errno == EINTR)
                continue;
            rc = CB_FAIL(e, CB_ESYS, "poll: %s", strerror(errno));
            p->broken = 1;
            goto out;
        }
        for (int i = 0, j = 0; i < p->ps.n; i++) {
            struct pr_worker *x = &p->w[i];
            char ready;
            char *dst = stats ? (char *)&x->ws + x->got : &ready;
            ssize_t k;
            if (x->got == want)
                continue;
            if (!pf[j++].revents)
                continue;
            k = recv(p->ps.kid[i].fd, dst, want - x->got, MSG_DONTWAIT);
            if (k < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (k <= 0 || (!stats && ready != PR_READY)) {
                rc = pr_broken(p, i, e);
                goto out;
            }
            x->got += (size_t)k;
            if (x->got == want)
                left--;
        }
    }
out:
    free(pf);
    return rc;
}

static int pr_start(struct cb_pool **pp, const struct cb_exec_config *c,
                    struct cb_error *e)
{
    struct cb_pool *p;
    const struct cb_workload *w = c->workload;
    int rc;

    *pp = NULL;
    if (c->workers < 1 || c->workers > CB_MAX_WORKERS)
        return CB_FAIL(e, CB_EUSAGE, "processes: %d workers (accepted: 1..%d)",
                       c->workers, CB_MAX_WORKERS);
    if (!w || !w->kernel)
        return CB_FAIL(e, CB_EUSAGE,
                       "processes: the workload must be given at start(): "
                       "children inherit it when they are forked");
    p = calloc(1, sizeof *p);
    if (!p)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    p->cfg = *c;
    p->w = calloc((size_t)c->workers, sizeof *p->w);
    if (!p->w) {
        rc = CB_FAIL(e, CB_ENOMEM, "out of memory");
        goto fail;
    }
    p->out_len = w->n * w->out_size;
    p->out = mmap(NULL, p->out_len ? p->out_len : 1, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p->out == MAP_FAILED) {
        p->out = NULL;
        rc = CB_FAIL(e, CB_ESYS, "processes: mmap of %zu output bytes: %s",
                     p->out_len, strerror(errno));
        goto fail;
    }
    rc = cb__procs_start(&p->ps, c->workers, "processes", pr_child, NULL, p,
                         e);
    if (rc == 0)
        rc = pr_collect(p, 0, e);
    if (rc)
        goto fail;
    *pp = p;
    return 0;
fail:
    cb__procs_end(&p->ps, 1);
    if (p->out)
        munmap(p->out, p->out_len ? p->out_len : 1);
    free(p->w);
    free(p);
    return rc;
}

static int pr_map(struct cb_pool *p, const struct cb_workload *w, void *outs,
                  struct cb_map_stats *st, struct cb_error *e)
{
    const struct cb_workload *cw = p->cfg.workload;
    double t_go = cb_now();
    int rc;

    if (p->broken)
        return CB_FAIL(e, CB_EBROKEN, "broken pool: %s",
                       p->why[0] ? p->why : "an earlier map failed");
    if (w->kernel != cw->kernel || w->n != cw->n || w->in != cw->in ||
        w->in_size != cw->in_size || w->out_size != cw->out_size ||
        w->state != cw->state)
        return CB_FAIL(e, CB_EUSAGE,
                       "processes: map() got a workload other than the one "
                       "the pool was started with (children compute from "
                       "their inherited copy)");
    if (!st || !st->w || st->nworkers < p->ps.n)
        return CB_FAIL(e, CB_EUSAGE, "processes: map stats need %d workers",
                       p->ps.n);
    for (int i = 0; i < p->ps.n; i++) {
        char go = PR_GO;
        ssize_t k;
        do
            k = send(p->ps.kid[i].fd, &go, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        while (k < 0 && errno == EINTR);
        /* An idle child's socket buffer is empty, so EAGAIN cannot happen;
         * EPIPE/ECONNRESET mean it died since the last map. */
        if (k != 1)
            return pr_broken(p, i, e);
    }
    rc = pr_collect(p, 1, e);
    if (rc)
        return rc;
    if (p->out_len)
        memcpy(outs, p->out, p->out_len);
    st->chunksize = (long)((w->n + (size_t)p->ps.n - 1) / (size_t)p->ps.n);
    st->bytes_to_workers = 0;
    st->bytes_from_workers = 0;
    for (int i = 0; i < p->ps.n; i++) {
        st->w[i] = p->w[i].ws;
        st->w[i].span_s = st->w[i].span_s > t_go ? st->w[i].span_s - t_go : 0;
    }
    return 0;
}

static void pr_abort(struct cb_pool *p)
{
    if (p)
        cb__proc_kill_all(p->ps.kid, p->ps.n);
}

static void pr_stop(struct cb_pool *p)
{
    if (!p)
        return;
    cb__procs_end(&p->ps, p->broken);
    if (p->out)
        munmap(p->out, p->out_len ? p->out_len : 1);
    free(p->w);
    free(p);
}

const struct cb_executor cb_exec_processes = {
    .name = "processes",
    .summary = "one forked child per worker, static chunks, inputs inherited "
               "copy-on-write",
    .caps = CB_EXEC_PROCESSES,
    .start = pr_start,
    .map = pr_map,
    .stop = pr_stop,
    .abort = pr_abort,
};
