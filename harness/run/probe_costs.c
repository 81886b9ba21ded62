/* The probe's costs: fork, pthread_create, a pipe round trip, and each
 * executor's per-task floor (probe.h). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "executors/executor.h"
#include "kernels/kernel.h"
#include "probe.h"
#include "results.h"
#include "run.h" /* cb_sample_take */
#include "stats.h"

/* ---- process and thread costs -------------------------------------------- */

/* untimed rounds before the timed ones: first-touch and caches */
#define WARMUP 5

int cb_probe_fork(int count, double *median_s, struct cb_error *e)
{
    double *t;
    *median_s = NAN;
    if (count < 1)
        return CB_FAIL(e, CB_EUSAGE, "fork: count %d", count);
    t = malloc(sizeof *t * (size_t)count);
    if (!t)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    for (int i = -WARMUP; i < count; i++) {
        int status;
        pid_t pid, w;
        double t0 = cb_now();
        pid = fork();
        if (pid == 0)
            _exit(0);
        if (pid < 0) {
            int err = errno;
            free(t);
            return CB_FAIL(e, CB_ESYS, "fork: %s", strerror(err));
        }
        do
            w = waitpid(pid, &status, 0);
        while (w < 0 && errno == EINTR);
        if (i >= 0)
            t[i] = cb_now() - t0;
    }
    *median_s = cb_median(t, (size_t)count);
    free(t);
    return 0;
}

static void *empty_thread(void *arg)
{
    return arg;
}

int cb_probe_pthread(int count, double *median_s, struct cb_error *e)
{
    double *t;
    *median_s = NAN;
    if (count < 1)
        return CB_FAIL(e, CB_EUSAGE, "pthread: count %d", count);
    t = malloc(sizeof *t * (size_t)count);
    if (!t)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    for (int i = -WARMUP; i < count; i++) {
        pthread_t tid;
        double t0 = cb_now();
        int err = pthread_create(&tid, NULL, empty_thread, NULL);
        if (err) {
            free(t);
            return CB_FAIL(e, CB_ESYS, "pthread_create: %s", strerror(err));
        }
        pthread_join(tid, NULL);
        if (i >= 0)
            t[i] = cb_now() - t0;
    }
    *median_s = cb_median(t, (size_t)count);
    free(t);
    return 0;
}

/* read/write of exactly one byte, retrying EINTR; 0 when done. */
static int xfer1(int fd, int do_write)
{
    char ch = 'x';
    for (;;) {
        ssize_t r = do_write ? write(fd, &ch, 1) : read(fd, &ch, 1);
        if (r == 1)
            return 0;
        if (r < 0 && errno == EINTR)
            continue;
        return -1;
    }
}

int cb_probe_pipe(int count, double *median_s, struct cb_error *e)
{
    int to[2] = {-1, -1}, from[2] = {-1, -1}, rc = 0, status, err;
    double *t;
    pid_t pid;
    sigset_t pipe_set, old_set;

    *median_s = NAN;
    if (count < 1)
        return CB_FAIL(e, CB_EUSAGE, "pipe: count %d", count);
    t = malloc(sizeof *t * (size_t)count);
    if (!t)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    if (pipe(to) != 0 || pipe(from) != 0) {
        err = errno;
        rc = CB_FAIL(e, CB_ESYS, "pipe: %s", strerror(err));
        goto out;
    }
    /* A child that dies would turn our write into SIGPIPE, which kills
     * corebench by default: block it here and swallow it below, leaving
     * the process's disposition alone. */
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    pid = fork();
    if (pid == 0) {
        close(to[1]);
        close(from[0]);
        /* echo until EOF */
        while (xfer1(to[0], 0) == 0)
            if (xfer1(from[1], 1) != 0)
                break;
        _exit(0);
    }
    if (pid < 0) {
        err = errno;
        rc = CB_FAIL(e, CB_ESYS, "fork: %s", strerror(err));
    } else {
        close(to[0]);
        close(from[1]);
        to[0] = from[1] = -1;
        for (int i = -WARMUP * 4; i < count; i++) {
            double t0 = cb_now();
            if (xfer1(to[1], 1) != 0 || xfer1(from[0], 0) != 0) {
                rc = CB_FAIL(e, CB_ESYS,
                             "pipe round trip: the echo child "
                             "stopped answering");
                break;
            }
            if (i >= 0)
                t[i] = cb_now() - t0;
        }
        close(to[1]);
        to[1] = -1;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old_set, NULL);
    if (rc == 0)
        *median_s = cb_median(t, (size_t)count);
out:
    for (int i = 0; i < 2; i++) {
        if (to[i] >= 0)
            close(to[i]);
        if (from[i] >= 0)
            close(from[i]);
    }
    free(t);
    return rc;
}

/* ---- executor floors ----------------------------------------------------- */


/* `maps` samples (+1 untimed warm-up when maps > 1) of x on `empty` with n
 * tasks at chunksize 1 (openmp: dynamic,1, its counterpart of a pool
 * handing out one task at a time), through the sweep's own sampling loop
 * (cb_sample_take: a fresh pool per sample, outputs verified). Each map's
 * time lands in times[], the last start-up in *start_s. */
static int floor_pass(const struct cb_executor *x, const struct cb_kernel *k,
                      int workers, size_t n, int maps, double *times,
                      double *start_s, struct cb_error *e)
{
    static const struct cb_xvalue asked[] = {
        {"chunksize", "1", 1}, {"schedule", "dynamic", 1}};
    struct cb_params p;
    struct cb_workload w;
    struct cb_exec_config c;
    struct cb_map_stats st;
    void *outs = NULL;
    int rc;

    memset(&p, 0, sizeof p);
    memset(&c, 0, sizeof c);
    memset(&st, 0, sizeof st);
    p.size = "tiny";
    p.seed = 1;
    p.nkv = 1;
    snprintf(p.kv[0].key, sizeof p.kv[0].key, "n");
    snprintf(p.kv[0].val, sizeof p.kv[0].val, "%zu", n);
    rc = k->prepare(&w, &p, e);
    if (rc)
        return rc;
    if (!w.kernel) /* executors reach run() through w->kernel */
        w.kernel = k;
    outs = calloc(w.n ? w.n : 1, w.out_size ? w.out_size : 1);
    st.nworkers = workers;
    st.w = calloc((size_t)workers, sizeof *st.w);
    if (!outs || !st.w) {
        rc = CB_FAIL(e, CB_ENOMEM, "out of memory");
        goto out;
    }
    c.workers = workers;
    c.self_exe = "/proc/self/exe";
    c.workload = &w;
    if ((rc = cb_exec_config_params(&c, x, asked, 2, e)))
        goto out;
    for (int i = maps > 1 ? -1 : 0; i < maps; i++) {
        struct cb_sample smp;
        if ((rc = cb_sample_take(x, &c, &w, outs, &st, NULL, NULL, &smp,
                                 e)))
            goto out;
        *start_s = smp.startup_s;
        if (i >= 0)
            times[i] = smp.map_s;
    }
out:
    free(st.w);
    free(outs);
    k->release(&w);
    return rc;
}

int cb_probe_floor(const struct cb_executor *x, const struct cb_kernel *k,
                   int workers, int quick, struct cb_floor_result *fr,
                   struct cb_error *e)
{
    /* A fixed task count, so floors from different machines divide the
     * same fixed map overhead: 20000 tasks for shared memory, 2000 where a
     * task costs a pipe round trip or more (half with quick). Calibration
     * maps of 32, 256, 2048 tasks shrink n only for an executor so slow
     * that one map would exceed `budget`: a pathological executor (a task
     * per GIL switch interval, say) must not stall the probe. A small map's
     * time includes the fixed wake-up cost, so calibration grows until the
     * estimate is either good or the map itself is long. */
    const double budget = quick ? 0.05 : 0.1;
    int procs = (x->caps & (CB_EXEC_PROCESSES | CB_EXEC_COPIES)) != 0;
    size_t n = procs ? (quick ? 1000 : 2000) : (quick ? 10000 : 20000);
    size_t nc = 32;
    int maps = quick ? 3 : 5;
    double times[8], cal = 0, start_s = 0;
    int rc;

    memset(fr, 0, sizeof *fr);
    for (;;) {
        double per;
        rc = floor_pass(x, k, workers, nc, 1, &cal, &start_s, e);
        if (rc)
            return rc;
        if (cal > 5 * budget) {
            /* one calibration map already took long: it is the result */
            fr->tasks = nc;
            fr->maps = 1;
            fr->start_s = start_s;
            fr->per_task_s = cal / (double)nc;
            return 0;
        }
        per = cal / (double)nc; /* an upper bound of the per-task cost */
        if (per * (double)n <= budget)
            break;
        if (nc * 8 >= n || cal > budget / 4) {
            size_t fit = per > 0 ? (size_t)(budget / per) : n;
            n = fit < nc ? nc : (fit < n ? fit : n);
            break;
        }
        nc *= 8;
    }
    rc = floor_pass(x, k, workers, n, maps, times, &start_s, e);
    if (rc)
        return rc;
    fr->tasks = n;
    fr->maps = maps;
    fr->start_s = start_s;
    fr->per_task_s = cb_median(times, (size_t)maps) / (double)n;
    return 0;
}

