/* process-pool's workers: the loop that serves calls on a worker's
 * channel, in a forked child or a spawned `corebench __worker
 * process-pool`. The parent side and the design are in process_pool.c. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "process_pool.h"

/* ---- the worker ---------------------------------------------------------- */

static int pp_send_hello(int fd, int status, const char *msg)
{
    struct pp_hdr h = {.type = PP_HELLO, .status = status};
    struct iovec iov[2];
    size_t len = msg ? strlen(msg) : 0;
    if (len > 255)
        len = 255;
    h.len = len;
    iov[0] = (struct iovec){&h, PP_HDR};
    iov[1] = (struct iovec){(void *)msg, len};
    return cb__proc_sendv_all(fd, iov, len ? 2 : 1);
}

/* The worker's loop, in a forked child or a spawned corebench: reads calls,
 * runs them on the records they carry, sends results; answers STATS
 * requests with what it did since the last one. `ws` comes bound
 * (pu_planned, pinned set). Returns 0 on EOF (the pool stopping), 1 on a
 * protocol or I/O error. */
static int pp_worker_loop(int fd, const struct cb_workload *w, int index,
                          struct cb_worker_stats *ws)
{
    struct cb_ctx ctx = {.worker = index};
    struct cb_workload lw = *w;
    size_t cap = 1 << 16, have = 0, pos = 0, ocap = 0;
    char *buf = malloc(cap), *obuf = NULL;
    int pu_planned = ws->pu_planned, pinned = ws->pinned, rc = 1;
    struct cb_sched_mark mark;
    double cpu0 = cb_process_cpu();
    double first = -1; /* cb_now() at the map's first call (span_s) */

    /* interference over the same span as cpu_s: since the last STATS */
    cb_worker_sched_begin(&mark);
    if (!buf) {
        cb_worker_sched_end(&mark, ws);
        return 1;
    }
    for (;;) {
        struct pp_hdr h;
        size_t need = PP_HDR, total;
        int got_hdr = 0;
        /* Read until one whole message is in buf[pos..have). A read takes
         * all that is available, so a queued second call costs no syscall
         * of its own. */
        for (;;) {
            ssize_t k;
            if (!got_hdr && have - pos >= PP_HDR) {
                memcpy(&h, buf + pos, PP_HDR);
                if (h.len > PP_MAX_MSG)
                    goto out;
                need = h.type == PP_CALL ? PP_ALIGN16(PP_HDR + h.len)
                                         : PP_HDR + h.len;
                got_hdr = 1;
            }
            if (got_hdr && have - pos >= need)
                break;
            if (pos + need > cap) {
                /* make room: slide the partial message to the front (pos
                 * is a multiple of 16, so alignment is kept), grow */
                memmove(buf, buf + pos, have - pos);
                have -= pos;
                pos = 0;
                if (need > cap) {
                    char *nb;
                    size_t ncap = cap;
                    while (ncap < need)
                        ncap *= 2;
                    if (!(nb = realloc(buf, ncap)))
                        goto out;
                    buf = nb;
                    cap = ncap;
                }
            }
            k = read(fd, buf + have, cap - have);
            if (k < 0 && errno == EINTR)
                continue;
            if (k == 0 && have == pos) {
                rc = 0; /* EOF between messages: the pool is stopping */
                goto out;
            }
            if (k <= 0)
                goto out;
            have += (size_t)k;
        }
        total = need;
        if (h.type == PP_CALL) {
            struct pp_hdr r = {
                .type = PP_RESULT, .seq = h.seq, .lo = h.lo, .count = h.count};
            struct iovec iov[2];
            size_t olen = h.count * w->out_size;
            if (h.len != h.count * w->in_size)
                goto out;
            if (olen > ocap) {
                char *nb = realloc(obuf, olen);
                if (!nb)
                    goto out;
                obuf = nb;
                ocap = olen;
            }
            /* The records are the ones in the message, not the workload's:
             * run the common task loop over a view of the buffer. */
            lw.in = buf + pos + PP_HDR;
            lw.n = h.count;
            if (first < 0)
                first = cb_now();
            cb_worker_run_range(&lw, 0, h.count, obuf, &ctx, ws);
            r.len = olen;
            iov[0] = (struct iovec){&r, PP_HDR};
            iov[1] = (struct iovec){obuf, olen};
            if (cb__proc_sendv_all(fd, iov, olen ? 2 : 1) < 0)
                goto out;
            ws->span_s = cb_now() - first; /* the result handed back */
        } else if (h.type == PP_STATS) {
            struct pp_hdr r = {.type = PP_STATS, .len = sizeof *ws};
            struct iovec iov[2];
            double now = cb_process_cpu();
            ws->cpu_s = now - cpu0;
            ws->pid = getpid();
            cb_worker_sched_end(&mark, ws);
            iov[0] = (struct iovec){&r, PP_HDR};
            iov[1] = (struct iovec){ws, sizeof *ws};
            if (cb__proc_sendv_all(fd, iov, 2) < 0)
                goto out;
            memset(ws, 0, sizeof *ws);
            ws->pu_planned = pu_planned;
            ws->pinned = pinned;
            ws->cpu_first = ws->cpu_last = -1;
            cpu0 = now;
            first = -1;
            cb_worker_sched_begin(&mark);
        } else {
            goto out;
        }
        pos += total;
        if (pos == have)
            pos = have = 0;
    }
out:
    cb_worker_sched_end(&mark, ws); /* closes the schedstat file */
    free(buf);
    free(obuf);
    return rc;
}

/* A forked worker (cb__proc_child_fn, arg the pool's configuration; only
 * `fd` is left open): inherits the workload (used only for its kernel,
 * state and record sizes); never returns. */
void cb__pp_fork_child(const void *arg, int i, int fd)
{
    const struct cb_exec_config *c = arg;
    struct cb_worker_stats ws;
    memset(&ws, 0, sizeof ws);
    cb_worker_bind(c, i, &ws);
    if (pp_send_hello(fd, 0, NULL) < 0)
        _exit(1);
    _exit(pp_worker_loop(fd, c->workload, i, &ws));
}

/* `corebench __worker process-pool FD INDEX PU N IN_SIZE OUT_SIZE KERNEL
 * SIZE [KEY=VALUE...]` (argv[0] = "process-pool"): a spawned worker.
 * Binds to PU (-1: none), rebuilds the workload with KERNEL's prepare()
 * from SIZE ("-" for none) and the parent's resolved parameters, checks
 * that it has the parent's N and record sizes, says hello (with the error,
 * if any) and serves calls on FD until EOF. Parameters the kernel does not
 * accept are dropped (derived values recorded for results), except "seed",
 * which goes to cb_params.seed. The inputs it builds are never used: calls
 * carry their records. Returns the exit status. */
int cb__pp_worker_main(int argc, char **argv)
{
    struct cb_workload w = {0};
    struct cb_params prm = {0};
    struct cb_exec_config cfg = {.workers = 1};
    struct cb_worker_stats ws;
    struct cb_error e = {0};
    uint64_t fd, index, n, in_size, out_size;
    long pu;
    int rc;

    if (argc < 9 || cb_parse_u64(argv[1], 0, INT_MAX, "fd", &fd, &e) ||
        cb_parse_u64(argv[2], 0, CB_MAX_WORKERS, "index", &index, &e) ||
        cb_parse_u64(argv[4], 0, UINT64_MAX, "n", &n, &e) ||
        cb_parse_u64(argv[5], 0, UINT64_MAX, "in_size", &in_size, &e) ||
        cb_parse_u64(argv[6], 0, UINT64_MAX, "out_size", &out_size, &e)) {
        fprintf(stderr,
                "corebench __worker process-pool: %s\nusage: corebench "
                "__worker process-pool FD INDEX PU N IN_SIZE OUT_SIZE KERNEL "
                "SIZE [KEY=VALUE...]\n",
                e.msg[0] ? e.msg : "too few arguments");
        return 2;
    }
    pu = strtol(argv[3], NULL, 10);
    memset(&ws, 0, sizeof ws);
    cfg.pus = (const int[]){pu < 0 || pu > INT_MAX ? -1 : (int)pu};
    /* bind first, so that prepare() touches memory on the worker's node */
    cb_worker_bind(&cfg, 0, &ws);

    /* the parent's resolved parameters, rebuilt as every remote worker
     * does (cb_workload_rebuild: the keys the kernel accepts, the seed) */
    rc = 0;
    for (int i = 9; i < argc && rc == 0; i++)
        rc = cb_params_add(&prm, argv[i], &e);
    if (rc == 0)
        rc = cb_workload_rebuild(&w, argv[7],
                                 strcmp(argv[8], "-") == 0 ? NULL : argv[8],
                                 prm.kv, prm.nkv, (size_t)n, (size_t)in_size,
                                 (size_t)out_size, &e);
    if (pp_send_hello((int)fd, rc, rc ? e.msg : NULL) < 0 && rc == 0)
        rc = CB_ESYS;
    if (rc == 0)
        rc = pp_worker_loop((int)fd, &w, (int)index, &ws);
    else
        rc = 1;
    if (w.kernel)
        w.kernel->release(&w);
    close((int)fd);
    return rc;
}
