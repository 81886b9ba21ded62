/* Fault injection, for tests: CB_INJECT in the environment makes one task
 * of every executor misbehave, so that what a sweep does about it can be
 * tested for each executor (tests/test_stuck.sh).
 *
 *   CB_INJECT=KIND@task=N    the N-th task (0-based) a worker process runs
 *                            (threads of one process share the count)
 *   CB_INJECT=KIND@worker=I  worker I's first task
 *   either followed by ,map=M: only in the sweep's M-th map (0-based,
 *                            warm-up maps count; the task count starts
 *                            again in that map), so a fault can be put in
 *                            a warm-up or in a later round of any
 *                            executor, processes re-started every sample
 *                            included
 *   KIND: crash  SIGSEGV (default action) in the task
 *         hang   blocks for good (in a blocking section: a GIL is released)
 *         wrong  the task's output is wrong (verify() must say so)
 *         exit   the worker process exits with status 3
 *         stop   the worker stops itself (SIGSTOP)
 *
 * cb_inject_apply() wraps a prepared workload's kernel with one whose run()
 * calls the real one and then injects; every place a workload is built
 * calls it (the sweep, and cb_workload_rebuild in spawned and remote
 * workers), so the count holds wherever tasks run. Without CB_INJECT it
 * does nothing and costs nothing. python/pyexec.py reads the same
 * variable. Not a user feature: undocumented in --help, documented in
 * docs/INPUTS.md. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "executor.h"

enum inject_kind { INJ_NONE, INJ_CRASH, INJ_HANG, INJ_WRONG, INJ_EXIT,
                   INJ_STOP };

static struct {
    int parsed;
    enum inject_kind kind;
    int by_worker;
    long n;
    atomic_long count;
    atomic_int fired;
    long map;      /* ,map=M; -1: every map */
    atomic_int off; /* a map other than M is in progress */
    char spec[64]; /* CB_INJECT without ,map=M: what workers that start
                      afresh (spawn, CPython) see in M, "" in the others */
    /* wrappers of the kernels seen so far, and the real ones */
    struct cb_kernel wrap[16];
    const struct cb_kernel *real[16];
    int nwrap;
} inj;

/* CB_INJECT's value into inj; CB_EUSAGE with the reason when it is not
 * KIND@task=N or KIND@worker=I. */
static int inject_parse(struct cb_error *e)
{
    static const char *const kinds[] = {"", "crash", "hang", "wrong",
                                        "exit", "stop"};
    const char *v = getenv("CB_INJECT"), *at, *num, *m;
    char head[64];
    uint64_t n, map = 0;
    inj.parsed = 1;
    inj.kind = INJ_NONE;
    inj.map = -1;
    if (!v || !*v)
        return 0;
    /* ,map=M: parsed apart, so the rest reads as before */
    if ((m = strstr(v, ",map=")) && (size_t)(m - v) < sizeof head &&
        cb_parse_u64(m + 5, 0, 1000000000, "CB_INJECT's map", &map, e) == 0) {
        snprintf(head, sizeof head, "%.*s", (int)(m - v), v);
        inj.map = (long)map;
    } else if (m) {
        return CB_FAIL(e, CB_EUSAGE, "CB_INJECT='%.60s': expected KIND@task=N"
                       " or KIND@worker=I, then optionally ,map=M (M: 0 to "
                       "1000000000)", v);
    } else {
        snprintf(head, sizeof head, "%s", v);
    }
    at = strchr(head, '@');
    for (int k = 1; at && k < 6; k++)
        if ((size_t)(at - head) == strlen(kinds[k]) &&
            strncmp(head, kinds[k], strlen(kinds[k])) == 0)
            inj.kind = (enum inject_kind)k;
    if (inj.kind != INJ_NONE && strncmp(at + 1, "task=", 5) == 0)
        num = at + 6, inj.by_worker = 0;
    else if (inj.kind != INJ_NONE && strncmp(at + 1, "worker=", 7) == 0)
        num = at + 8, inj.by_worker = 1;
    else
        num = NULL;
    if (!num || cb_parse_u64(num, 0, 1000000000, "CB_INJECT's count", &n, e)) {
        inj.kind = INJ_NONE;
        return CB_FAIL(e, CB_EUSAGE, "CB_INJECT='%.60s': expected KIND@task=N "
                       "or KIND@worker=I (KIND: crash, hang, wrong, exit, "
                       "stop; N, I: 0 to 1000000000)", v);
    }
    inj.n = (long)n;
    if (inj.map >= 0) { /* off until map M; workers started now see none */
        snprintf(inj.spec, sizeof inj.spec, "%s", head);
        atomic_store(&inj.off, 1);
        setenv("CB_INJECT", "", 1);
    }
    return 0;
}

void cb_inject_map(long m)
{
    if (!inj.parsed || inj.kind == INJ_NONE || inj.map < 0)
        return;
    if (m == inj.map) {
        atomic_store(&inj.count, 0);
        atomic_store(&inj.fired, 0);
        setenv("CB_INJECT", inj.spec, 1);
        atomic_store(&inj.off, 0);
    } else {
        atomic_store(&inj.off, 1);
        setenv("CB_INJECT", "", 1);
    }
}

int cb_inject_check(struct cb_error *e)
{
    return inject_parse(e);
}

static void inject_fault(const struct cb_workload *w, void *out,
                         struct cb_ctx *ctx)
{
    switch (inj.kind) {
    case INJ_CRASH: {
        /* worker threads block signals: a raised SIGSEGV would wait
         * pending. The handler main() installed reports and dies of it. */
        sigset_t segv;
        sigemptyset(&segv);
        sigaddset(&segv, SIGSEGV);
        pthread_sigmask(SIG_UNBLOCK, &segv, NULL);
        raise(SIGSEGV);
        break;
    }
    case INJ_HANG:
        cb_blocking_begin(ctx);
        for (;;)
            pause();
    case INJ_WRONG:
        ((unsigned char *)out)[0] ^= 1;
        ((unsigned char *)out)[w->out_size - 1] ^= 0x80;
        break;
    case INJ_EXIT:
        _exit(3);
    case INJ_STOP:
        raise(SIGSTOP);
        break;
    default:
        break;
    }
}

static void inject_run(const struct cb_workload *w, const void *in,
                       void *out, struct cb_ctx *ctx)
{
    const struct cb_kernel *real = NULL;
    long k;
    for (int i = 0; i < inj.nwrap && !real; i++)
        if (w->kernel == &inj.wrap[i])
            real = inj.real[i];
    real->run(w, in, out, ctx);
    if (atomic_load(&inj.off))
        return;
    k = atomic_fetch_add(&inj.count, 1);
    if (inj.by_worker ? ctx->worker == inj.n &&
                            !atomic_exchange(&inj.fired, 1)
                      : k == inj.n)
        inject_fault(w, out, ctx);
}

void cb_inject_apply(struct cb_workload *w)
{
    int i;
    struct cb_error ignored = {0};
    if (!inj.parsed)
        inject_parse(&ignored); /* corebench run checked it first */
    if (inj.kind == INJ_NONE || !w->kernel)
        return;
    for (i = 0; i < inj.nwrap; i++)
        if (inj.real[i] == w->kernel || &inj.wrap[i] == w->kernel)
            break;
    if (i == inj.nwrap) {
        if (i == 16)
            return;
        inj.real[i] = w->kernel;
        inj.wrap[i] = *w->kernel;
        inj.wrap[i].run = inject_run;
        inj.nwrap++;
    }
    w->kernel = &inj.wrap[i];
}
