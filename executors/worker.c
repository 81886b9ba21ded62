/* Helpers every executor's workers share: binding, the task loop, stats,
 * the interference reading. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "executor.h"

long cb_chunk_size(struct cb_chunk ch, int workers, size_t n, long def)
{
    long cs = ch.kind == CB_CHUNK_COUNT ? ch.count : def;
    if (ch.kind == CB_CHUNK_AUTO) {
        size_t d = 4 * (size_t)(workers > 0 ? workers : 1);
        cs = (long)((n + d - 1) / d);
    }
    return cs < 1 ? 1 : cs;
}

long cb_exec_chunksize(const struct cb_exec_config *c, size_t n, long def)
{
    return cb_chunk_size(cb_exec_chunk(c), c->workers, n, def);
}

void cb_worker_bind(const struct cb_exec_config *c, int i,
                    struct cb_worker_stats *ws)
{
    ws->pu_planned = -1;
    ws->pinned = 0;
    ws->cpu_first = ws->cpu_last = -1;
    if (!c->pus || c->pus[i] < 0)
        return;
    ws->pu_planned = c->pus[i];
    if (c->pus[i] >= CPU_SETSIZE)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(c->pus[i], &set);
    /* pid 0: the calling thread (Linux binds threads individually) */
    ws->pinned = sched_setaffinity(0, sizeof set, &set) == 0;
}

void cb_worker_run_chunk(const struct cb_workload *w, size_t lo, size_t hi,
                         void *outs, struct cb_ctx *ctx,
                         struct cb_worker_stats *ws)
{
    const char *in = (const char *)w->in + lo * w->in_size;
    char *out = (char *)outs + lo * w->out_size;
    if (lo >= hi)
        return;
    for (size_t i = lo; i < hi; i++) {
        w->kernel->run(w, in, out, ctx);
        in += w->in_size;
        out += w->out_size;
    }
    ws->tasks += hi - lo;
    ws->chunks++;
}

void cb_worker_run_range(const struct cb_workload *w, size_t lo, size_t hi,
                         void *outs, struct cb_ctx *ctx,
                         struct cb_worker_stats *ws)
{
    double t0;
    if (lo >= hi)
        return;
    if (ws->cpu_first < 0)
        ws->cpu_first = sched_getcpu();
    t0 = cb_now();
    cb_worker_run_chunk(w, lo, hi, outs, ctx, ws);
    ws->busy_s += cb_now() - t0;
    ws->cpu_last = sched_getcpu();
}

int cb_schedstat_parse(const char *text, uint64_t *run_delay_ns)
{
    /* "%llu %llu %llu\n" (kernel/sched/stats.h, proc_pid_schedstat):
     * sum_exec_runtime, run_delay, pcount. Only the second is used, but
     * all three must be there: anything else is not the format we know. */
    unsigned long long v[3];
    const char *p = text;
    for (int i = 0; i < 3; i++) {
        char *end;
        while (*p == ' ')
            p++;
        if (*p < '0' || *p > '9')
            return -1;
        errno = 0;
        v[i] = strtoull(p, &end, 10);
        if (errno == ERANGE || (*end != ' ' && *end != '\n' && *end != '\0'))
            return -1;
        p = end;
    }
    *run_delay_ns = v[1];
    return 0;
}

/* Reads the schedstat file open on fd from its start. */
static int sched_read(int fd, uint64_t *run_delay_ns)
{
    char buf[96];
    ssize_t k;
    do
        k = pread(fd, buf, sizeof buf - 1, 0);
    while (k < 0 && errno == EINTR);
    if (k <= 0)
        return -1;
    buf[k] = '\0';
    return cb_schedstat_parse(buf, run_delay_ns);
}

void cb_worker_sched_begin(struct cb_sched_mark *m)
{
    struct rusage ru;
    memset(m, 0, sizeof *m);
    /* thread-self: this thread's own line, not the process total. Kept
     * open until end (one open per span, not two). O_CLOEXEC: a spawn
     * during the span must not inherit it. */
    m->fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
    if (m->fd >= 0 && sched_read(m->fd, &m->run_delay_ns) == 0)
        m->ok |= CB_WS_RUN_DELAY;
    if (getrusage(RUSAGE_THREAD, &ru) == 0) {
        m->nvcsw = (uint64_t)ru.ru_nvcsw;
        m->nivcsw = (uint64_t)ru.ru_nivcsw;
        m->ok |= CB_WS_CSW;
    }
}

void cb_worker_sched_end(struct cb_sched_mark *m, struct cb_worker_stats *ws)
{
    struct rusage ru;
    uint64_t rd;
    ws->measured = 0;
    ws->run_delay_s = 0;
    ws->csw_voluntary = ws->csw_involuntary = 0;
    if ((m->ok & CB_WS_RUN_DELAY) && sched_read(m->fd, &rd) == 0 &&
        rd >= m->run_delay_ns) {
        ws->run_delay_s = (double)(rd - m->run_delay_ns) * 1e-9;
        ws->measured |= CB_WS_RUN_DELAY;
    }
    if ((m->ok & CB_WS_CSW) && getrusage(RUSAGE_THREAD, &ru) == 0 &&
        (uint64_t)ru.ru_nvcsw >= m->nvcsw &&
        (uint64_t)ru.ru_nivcsw >= m->nivcsw) {
        ws->csw_voluntary = (uint64_t)ru.ru_nvcsw - m->nvcsw;
        ws->csw_involuntary = (uint64_t)ru.ru_nivcsw - m->nivcsw;
        ws->measured |= CB_WS_CSW;
    }
    if (m->fd >= 0)
        close(m->fd);
    m->fd = -1;
}

void cb_map_stats_reset(struct cb_map_stats *st)
{
    struct cb_worker_stats *w = st->w;
    int n = st->nworkers;
    memset(st, 0, sizeof *st);
    st->w = w;
    st->nworkers = n;
    if (w)
        memset(w, 0, sizeof *w * (size_t)n);
    for (int i = 0; w && i < n; i++)
        w[i].pu_planned = w[i].cpu_first = w[i].cpu_last = -1;
}

void cb_exec_about_add(struct cb_exec_about *a, const char *key,
                       const char *val)
{
    if (a->n >= CB_EXEC_ABOUT_MAX)
        return;
    snprintf(a->kv[a->n].key, sizeof a->kv[a->n].key, "%s", key);
    snprintf(a->kv[a->n].val, sizeof a->kv[a->n].val, "%s", val ? val : "");
    a->n++;
}

int cb_workload_rebuild(struct cb_workload *w, const char *kernel,
                        const char *size, const struct cb_kv *params,
                        int nparams, size_t n, size_t in_size,
                        size_t out_size, struct cb_error *e)
{
    const struct cb_kernel *k = cb_kernel_find(kernel);
    struct cb_params prm = {0};
    int rc;

    memset(w, 0, sizeof *w);
    if (!k)
        return CB_FAIL(e, CB_EUSAGE, "unknown kernel '%s'", kernel);
    prm.size = size && *size ? size : NULL;
    for (int i = 0; i < nparams; i++) {
        /* one at a time, to ask the kernel whether it accepts the key */
        struct cb_params one = {0};
        char kv[sizeof params[i].key + sizeof params[i].val + 1];
        uint64_t seed;
        snprintf(kv, sizeof kv, "%s=%s", params[i].key, params[i].val);
        if ((rc = cb_params_add(&one, kv, e)))
            return rc;
        if (cb_params_check(&one, k->name, k->param_help, NULL) == 0) {
            if (prm.nkv < CB_MAX_PARAMS)
                prm.kv[prm.nkv++] = one.kv[0];
        } else if (strcmp(one.kv[0].key, "seed") == 0 &&
                   cb_parse_u64(one.kv[0].val, 0, UINT64_MAX, "seed", &seed,
                                NULL) == 0) {
            prm.seed = seed;
        }
    }
    if ((rc = k->prepare(w, &prm, e)))
        return rc;
    w->kernel = k;
    cb_inject_apply(w);
    if (w->n != n || w->in_size != in_size || w->out_size != out_size) {
        rc = CB_FAIL(e, CB_EUSAGE,
                     "kernel %s rebuilt a workload of %zu tasks of %zu/%zu "
                     "bytes, the parent has %zu of %zu/%zu",
                     k->name, w->n, w->in_size, w->out_size, n, in_size,
                     out_size);
        k->release(w);
        memset(w, 0, sizeof *w);
        return rc;
    }
    return 0;
}
