/* Faults and process bookkeeping of the process executors (processes,
 * process-pool).
 *
 * A worker that dies (killed by a signal, exit(3), SIGSEGV inside the
 * kernel, SIGKILL from outside mid-map or while idle) must turn map() into
 * CB_EBROKEN naming the pid and the cause, never a hang; stop() must leave
 * no child behind; a healthy pool must give correct, in-order outputs at
 * every chunksize, map after map, shipping exactly n * in_size bytes
 * (process-pool). The faults come from a kernel defined here, whose records
 * say what to do: it only misbehaves once the shared control block is
 * armed (a MAP_SHARED page, so forked workers see the switch flipped after
 * they were started).
 *
 * Spawn: the test binary stands in for corebench. Started as
 * `test_faults __worker NAME ARGS...` it does what corebench's main() does
 * (calls the executor's worker_main), so the re-executed worker path runs
 * here with a registered kernel (gcd). CB_COREBENCH, when set, names the
 * real corebench binary to spawn instead.
 *
 * A watchdog alarm turns a hang into a failure. Prints "N passed, M failed"
 * last; exits nonzero on any failure. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "executors/executor.h"
#include "kernels/kernel.h"

#include "check.h"

/* ---- the faulty kernel --------------------------------------------------- */

enum { FT_OK, FT_KILL, FT_EXIT3, FT_SEGV, FT_SLEEP };

struct ft_in {
    uint64_t v;
    uint32_t action;   /* FT_*, acted on only when armed */
    uint32_t sleep_us; /* FT_SLEEP */
};

/* Shared with every worker, forked or not yet forked. */
struct ft_ctl {
    atomic_int armed;
    atomic_long fault_pid; /* the pid that acted on a fault record */
};
static struct ft_ctl *ctl;

static uint64_t ft_expect(uint64_t v)
{
    return v * 3 + 1;
}

static void ft_run(const struct cb_workload *w, const void *in, void *out,
                   struct cb_ctx *ctx)
{
    struct ft_in x;
    uint64_t r;
    (void)w;
    (void)ctx;
    memcpy(&x, in, sizeof x);
    if (x.action != FT_OK && atomic_load(&ctl->armed)) {
        atomic_store(&ctl->fault_pid, (long)getpid());
        switch (x.action) {
        case FT_KILL:
            raise(SIGKILL);
            break;
        case FT_EXIT3:
            _exit(3);
        case FT_SEGV:
            /* the default action, not a sanitizer's report-and-exit */
            signal(SIGSEGV, SIG_DFL);
            raise(SIGSEGV);
            break;
        case FT_SLEEP: {
            struct timespec ts = {0, (long)x.sleep_us * 1000};
            nanosleep(&ts, NULL);
            break;
        }
        }
    }
    r = ft_expect(x.v);
    memcpy(out, &r, sizeof r);
}

static int ft_prepare(struct cb_workload *w, const struct cb_params *p,
                      struct cb_error *e)
{
    (void)w;
    (void)p;
    return CB_FAIL(e, CB_EUNSUPPORTED, "faults: built by the test only");
}

static int ft_verify(const struct cb_workload *w, const void *outs,
                     struct cb_error *e)
{
    for (size_t i = 0; i < w->n; i++) {
        struct ft_in x;
        uint64_t r;
        memcpy(&x, (const char *)w->in + i * w->in_size, sizeof x);
        memcpy(&r, (const char *)outs + i * w->out_size, sizeof r);
        if (r != ft_expect(x.v))
            return CB_FAIL(e, CB_EVERIFY, "task %zu: %llu, expected %llu", i,
                           (unsigned long long)r,
                           (unsigned long long)ft_expect(x.v));
    }
    return 0;
}

static void ft_release(struct cb_workload *w)
{
    free(w->in);
    w->in = NULL;
}

static const struct cb_kernel ft_kernel = {
    .name = "faults",
    .summary = "test kernel: misbehaves on command",
    .param_help = "",
    .prepare = ft_prepare,
    .run = ft_run,
    .verify = ft_verify,
    .release = ft_release,
};

/* n tasks with distinct values; task `bad` (if < n) gets `action`. */
static void ft_build(struct cb_workload *w, size_t n, size_t bad, int action,
                     uint32_t sleep_us)
{
    struct ft_in *in = calloc(n ? n : 1, sizeof *in);
    memset(w, 0, sizeof *w);
    w->kernel = &ft_kernel;
    w->n = n;
    w->in_size = sizeof *in;
    w->out_size = sizeof(uint64_t);
    w->in = in;
    snprintf(w->size, sizeof w->size, "test");
    for (size_t i = 0; i < n; i++) {
        in[i].v = 1000 + i * 7;
        in[i].action = i == bad ? (uint32_t)action : FT_OK;
        in[i].sleep_us = sleep_us;
    }
}

/* ---- helpers ------------------------------------------------------------- */

static const struct cb_executor *X_PROC, *X_POOL;

/* No child of ours is left, reaped or not. */
static int no_children(void)
{
    int st;
    return waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD;
}

static int contains(const char *s, const char *sub)
{
    return strstr(s, sub) != NULL;
}

/* chunk: 0 the executor's default, -1 auto, else a count */
#define CHUNK_DEFAULT 0L
#define CHUNK_AUTO (-1L)
static struct cb_exec_config config(const struct cb_workload *w, int workers,
                                    long chunk)
{
    struct cb_exec_config c = {.workers = workers, .workload = w};
    char cs[24];
    snprintf(cs, sizeof cs, "%ld", chunk);
    cb_exec_config_set(&c, "chunksize", chunk == CHUNK_DEFAULT ? "default"
                                        : chunk == CHUNK_AUTO  ? "auto"
                                                               : cs);
    cb_exec_config_set(&c, "start_method", "fork");
    return c;
}

/* ---- healthy pools ------------------------------------------------------- */

static void check_map(const struct cb_executor *x, struct cb_pool *p,
                      const struct cb_workload *w, int workers, long chunk,
                      int round)
{
    struct cb_worker_stats ws[8];
    struct cb_map_stats st = {.nworkers = workers, .w = ws};
    struct cb_error e = {0};
    uint64_t *outs = malloc((w->n ? w->n : 1) * sizeof *outs);
    uint64_t tasks = 0, chunks = 0;
    struct cb_exec_config c = config(w, workers, chunk);
    long cs = cb_exec_chunksize(&c, w->n, 1);
    int rc;

    cb_map_stats_reset(&st);
    memset(outs, 0xa5, (w->n ? w->n : 1) * sizeof *outs);
    rc = x->map(p, w, outs, &st, &e);
    CHECK(rc == 0, "%s map n=%zu workers=%d chunk=%ld round %d: %s", x->name,
          w->n, workers, chunk, round, e.msg);
    if (rc) {
        free(outs);
        return;
    }
    rc = ft_verify(w, outs, &e);
    CHECK(rc == 0, "%s n=%zu workers=%d chunk=%ld round %d: outputs: %s",
          x->name, w->n, workers, chunk, round, e.msg);
    for (int i = 0; i < workers; i++) {
        tasks += ws[i].tasks;
        chunks += ws[i].chunks;
        CHECK(ws[i].pid > 0 && ws[i].pid != getpid(),
              "%s worker %d reports pid %lld", x->name, i,
              (long long)ws[i].pid);
        for (int j = 0; j < i; j++)
            CHECK(ws[i].pid != ws[j].pid, "%s workers %d and %d share pid %lld",
                  x->name, i, j, (long long)ws[i].pid);
    }
    CHECK(tasks == w->n, "%s workers report %llu tasks, not %zu", x->name,
          (unsigned long long)tasks, w->n);
    if (x == X_POOL) {
        CHECK(st.chunksize == cs, "%s chunksize %ld, expected %ld", x->name,
              st.chunksize, cs);
        CHECK(chunks == (w->n + (size_t)cs - 1) / (size_t)cs,
              "%s %llu chunks for n=%zu chunksize %ld", x->name,
              (unsigned long long)chunks, w->n, cs);
        CHECK(st.bytes_to_workers == w->n * w->in_size &&
                  st.bytes_from_workers == w->n * w->out_size,
              "%s shipped %llu/%llu bytes, expected %zu/%zu", x->name,
              (unsigned long long)st.bytes_to_workers,
              (unsigned long long)st.bytes_from_workers, w->n * w->in_size,
              w->n * w->out_size);
    } else {
        CHECK(st.bytes_to_workers == 0 && st.bytes_from_workers == 0,
              "%s ships %llu/%llu bytes: copy-on-write inputs and shared "
              "outputs ship nothing", x->name,
              (unsigned long long)st.bytes_to_workers,
              (unsigned long long)st.bytes_from_workers);
    }
    free(outs);
}

static void test_healthy(const struct cb_executor *x)
{
    static const size_t ns[] = {0, 1, 7, 1000};
    static const int workers[] = {1, 3, 5};
    static const long chunks[] = {CHUNK_DEFAULT, 1, 3, 64, CHUNK_AUTO};
    int nchunks = cb_executor_param(x, "chunksize") ? 5 : 1;

    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
        for (size_t b = 0; b < sizeof workers / sizeof workers[0]; b++)
            for (int k = 0; k < nchunks; k++) {
                struct cb_workload w;
                struct cb_pool *p = NULL;
                struct cb_error e = {0};
                struct cb_exec_config c;
                int rc;
                ft_build(&w, ns[a], SIZE_MAX, FT_OK, 0);
                c = config(&w, workers[b], chunks[k]);
                rc = x->start(&p, &c, &e);
                CHECK(rc == 0 && p, "%s start %d workers: %s", x->name,
                      workers[b], e.msg);
                if (rc == 0) {
                    /* twice: a pool serves any number of maps */
                    check_map(x, p, &w, workers[b], chunks[k], 0);
                    check_map(x, p, &w, workers[b], chunks[k], 1);
                    x->stop(p);
                }
                CHECK(no_children(), "%s: children left after stop()", x->name);
                ft_release(&w);
            }
}

/* process-pool ships the records of every map: changing inputs between maps
 * changes the outputs (no copy-on-write shortcut). */
static void test_pool_ships_current_inputs(void)
{
    struct cb_workload w;
    struct cb_pool *p = NULL;
    struct cb_error e = {0};
    struct cb_exec_config c;
    int rc;
    ft_build(&w, 50, SIZE_MAX, FT_OK, 0);
    c = config(&w, 2, 4);
    rc = X_POOL->start(&p, &c, &e);
    CHECK(rc == 0, "process-pool start: %s", e.msg);
    if (rc)
        goto out;
    check_map(X_POOL, p, &w, 2, 4, 0);
    for (size_t i = 0; i < w.n; i++)
        ((struct ft_in *)w.in)[i].v += 1000003;
    check_map(X_POOL, p, &w, 2, 4, 1);
    X_POOL->stop(p);
out:
    CHECK(no_children(), "process-pool: children left");
    ft_release(&w);
}

/* Workers bind themselves, not the parent: the plan comes back in the stats
 * and the parent's affinity is unchanged. */
static void test_pinning(const struct cb_executor *x)
{
    cpu_set_t mine, after;
    int pus[3], npu = 0;
    struct cb_workload w;
    struct cb_pool *p = NULL;
    struct cb_error e = {0};
    struct cb_exec_config c;
    struct cb_worker_stats ws[3];
    struct cb_map_stats st = {.nworkers = 3, .w = ws};
    uint64_t outs[30];
    int rc;

    if (sched_getaffinity(0, sizeof mine, &mine) != 0)
        return;
    for (int cpu = 0; cpu < CPU_SETSIZE && npu < 3; cpu++)
        if (CPU_ISSET(cpu, &mine))
            pus[npu++] = cpu;
    while (npu < 3) /* fewer CPUs than workers: reuse the first */
        pus[npu++] = pus[0];
    pus[2] = -1; /* and one worker left unpinned */
    ft_build(&w, 30, SIZE_MAX, FT_OK, 0);
    c = config(&w, 3, 1);
    c.pus = pus;
    rc = x->start(&p, &c, &e);
    CHECK(rc == 0, "%s start pinned: %s", x->name, e.msg);
    if (rc)
        goto out;
    cb_map_stats_reset(&st);
    rc = x->map(p, &w, outs, &st, &e);
    CHECK(rc == 0, "%s map pinned: %s", x->name, e.msg);
    for (int i = 0; rc == 0 && i < 2; i++)
        CHECK(ws[i].pinned == 1 && ws[i].pu_planned == pus[i] &&
                  ws[i].cpu_first == pus[i] && ws[i].cpu_last == pus[i],
              "%s worker %d: planned %d pinned %d ran on %d..%d, wanted %d",
              x->name, i, ws[i].pu_planned, ws[i].pinned, ws[i].cpu_first,
              ws[i].cpu_last, pus[i]);
    CHECK(rc || (ws[2].pinned == 0 && ws[2].pu_planned == -1),
          "%s worker 2 should be unpinned (planned %d, pinned %d)", x->name,
          ws[2].pu_planned, ws[2].pinned);
    x->stop(p);
    CHECK(sched_getaffinity(0, sizeof after, &after) == 0 &&
              CPU_EQUAL(&mine, &after),
          "%s changed the parent's affinity", x->name);
out:
    CHECK(no_children(), "%s: children left", x->name);
    ft_release(&w);
}

/* ---- faults -------------------------------------------------------------- */

/* Task 37 of 64 does `action` once armed: the first map (disarmed) works,
 * the armed one must fail with CB_EBROKEN naming the pid and `cause`, fast;
 * the pool stays broken; stop() reaps everything. */
static void test_fault(const struct cb_executor *x, int action,
                       const char *cause)
{
    struct cb_workload w;
    struct cb_pool *p = NULL;
    struct cb_error e = {0};
    struct cb_exec_config c;
    struct cb_worker_stats ws[3];
    struct cb_map_stats st = {.nworkers = 3, .w = ws};
    uint64_t outs[64];
    char pidstr[48];
    double t0;
    int rc;

    ft_build(&w, 64, 37, action, 0);
    atomic_store(&ctl->armed, 0);
    atomic_store(&ctl->fault_pid, 0);
    c = config(&w, 3, 1);
    rc = x->start(&p, &c, &e);
    CHECK(rc == 0, "%s start: %s", x->name, e.msg);
    if (rc)
        goto out;
    cb_map_stats_reset(&st);
    rc = x->map(p, &w, outs, &st, &e);
    CHECK(rc == 0, "%s disarmed map: %s", x->name, e.msg);
    atomic_store(&ctl->armed, 1);
    cb_map_stats_reset(&st);
    t0 = cb_now();
    rc = x->map(p, &w, outs, &st, &e);
    snprintf(pidstr, sizeof pidstr, "(pid %ld)", atomic_load(&ctl->fault_pid));
    CHECK(rc == CB_EBROKEN && e.code == CB_EBROKEN,
          "%s: a worker doing %s gave %d (%s), not CB_EBROKEN", x->name, cause,
          rc, e.msg);
    CHECK(contains(e.msg, pidstr) && contains(e.msg, cause),
          "%s: message '%s' should name %s and '%s'", x->name, e.msg, pidstr,
          cause);
    CHECK(cb_now() - t0 < 10, "%s: took %.1f s to notice", x->name,
          cb_now() - t0);
    if (x == X_POOL)
        CHECK(contains(e.msg, "broken pool") && contains(e.msg, "[37, 38)"),
              "%s: message '%s' should say broken pool and tasks [37, 38)",
              x->name, e.msg);
    printf("  %s: %s\n", x->name, e.msg);
    /* broken stays broken */
    rc = x->map(p, &w, outs, &st, &e);
    CHECK(rc == CB_EBROKEN && contains(e.msg, pidstr),
          "%s: map on a broken pool gave %d (%s)", x->name, rc, e.msg);
    t0 = cb_now();
    x->stop(p);
    CHECK(cb_now() - t0 < 5, "%s: stop() of a broken pool took %.1f s", x->name,
          cb_now() - t0);
out:
    atomic_store(&ctl->armed, 0);
    CHECK(no_children(), "%s: children left after a %s", x->name, cause);
    ft_release(&w);
}

struct killer {
    pid_t pid;
    long delay_us;
};

static void *killer_main(void *arg)
{
    struct killer *k = arg;
    struct timespec ts = {k->delay_us / 1000000,
                          (k->delay_us % 1000000) * 1000};
    nanosleep(&ts, NULL);
    kill(k->pid, SIGKILL);
    return NULL;
}

/* Worker 1 is SIGKILLed from outside while the map is running (every task
 * sleeps 2 ms), or while idle between maps. */
static void test_external_kill(const struct cb_executor *x, int mid_map)
{
    struct cb_workload w;
    struct cb_pool *p = NULL;
    struct cb_error e = {0};
    struct cb_exec_config c;
    struct cb_worker_stats ws[2];
    struct cb_map_stats st = {.nworkers = 2, .w = ws};
    uint64_t outs[200];
    struct killer k;
    pthread_t th;
    char pidstr[48];
    int rc;

    ft_build(&w, 200, SIZE_MAX, FT_OK, 0);
    for (size_t i = 0; i < w.n; i++) {
        ((struct ft_in *)w.in)[i].action = FT_SLEEP;
        ((struct ft_in *)w.in)[i].sleep_us = 2000;
    }
    atomic_store(&ctl->armed, 0);
    c = config(&w, 2, 1);
    rc = x->start(&p, &c, &e);
    CHECK(rc == 0, "%s start: %s", x->name, e.msg);
    if (rc)
        goto out;
    cb_map_stats_reset(&st);
    rc = x->map(p, &w, outs, &st, &e); /* disarmed: fast; learns the pids */
    CHECK(rc == 0 && ws[1].pid > 0, "%s first map: %s", x->name, e.msg);
    if (rc)
        goto stop;
    k.pid = (pid_t)ws[1].pid;
    snprintf(pidstr, sizeof pidstr, "(pid %ld)", (long)k.pid);
    if (mid_map) {
        atomic_store(&ctl->armed, 1);
        k.delay_us = 50000;
        pthread_create(&th, NULL, killer_main, &k);
    } else {
        k.delay_us = 0;
        killer_main(&k);
        /* let it die before the next map */
        struct timespec ts = {0, 50 * 1000000};
        nanosleep(&ts, NULL);
    }
    cb_map_stats_reset(&st);
    rc = x->map(p, &w, outs, &st, &e);
    if (mid_map)
        pthread_join(th, NULL);
    CHECK(rc == CB_EBROKEN && contains(e.msg, pidstr) &&
              contains(e.msg, "killed by signal 9"),
          "%s: worker killed %s: got %d '%s', wanted CB_EBROKEN naming %s",
          x->name, mid_map ? "mid-map" : "while idle", rc, e.msg, pidstr);
    printf("  %s (%s): %s\n", x->name, mid_map ? "mid-map" : "idle", e.msg);
stop:
    x->stop(p);
out:
    atomic_store(&ctl->armed, 0);
    CHECK(no_children(), "%s: children left after an external kill", x->name);
    ft_release(&w);
}

/* ---- spawn --------------------------------------------------------------- */

static void test_spawn(const char *exe)
{
    const struct cb_kernel *gcd = cb_kernel_find("gcd");
    struct cb_workload w = {0}, fw;
    struct cb_params prm = {.size = "tiny", .seed = 7};
    struct cb_pool *p = NULL;
    struct cb_error e = {0};
    struct cb_exec_config c;
    struct cb_worker_stats ws[3];
    struct cb_map_stats st = {.nworkers = 3, .w = ws};
    uint64_t *outs = NULL, *ref = NULL;
    static const long chunks[] = {CHUNK_DEFAULT, 3, CHUNK_AUTO};
    int rc;

    if (!gcd || gcd->prepare(&w, &prm, &e) != 0) {
        printf("  skip spawn: kernel gcd unavailable (%s)\n", e.msg);
        return;
    }
    w.kernel = gcd;
    outs = calloc(w.n, w.out_size);
    ref = calloc(w.n, w.out_size);
    cb_workload_run_all(&w, ref);
    for (int k = 0; k < 3; k++) {
        c = config(&w, 3, chunks[k]);
        cb_exec_config_set(&c, "start_method", "spawn");
        c.self_exe = exe;
        rc = X_POOL->start(&p, &c, &e);
        CHECK(rc == 0, "spawn start (%s): %s", exe, e.msg);
        if (rc)
            continue;
        for (int round = 0; round < 2; round++) {
            memset(outs, 0xa5, w.n * w.out_size);
            cb_map_stats_reset(&st);
            rc = X_POOL->map(p, &w, outs, &st, &e);
            CHECK(rc == 0, "spawn map chunk %ld: %s", chunks[k], e.msg);
            if (rc)
                break;
            CHECK(memcmp(outs, ref, w.n * w.out_size) == 0 &&
                      gcd->verify(&w, outs, &e) == 0,
                  "spawn map chunk %ld: wrong outputs (%s)", chunks[k], e.msg);
            CHECK(st.bytes_to_workers == w.n * w.in_size,
                  "spawn shipped %llu bytes, expected %zu",
                  (unsigned long long)st.bytes_to_workers, w.n * w.in_size);
        }
        if (k == 2 && rc == 0) {
            /* a spawned worker dies too */
            char pidstr[48];
            struct timespec ts = {0, 50 * 1000000};
            snprintf(pidstr, sizeof pidstr, "(pid %lld)", (long long)ws[0].pid);
            kill((pid_t)ws[0].pid, SIGKILL);
            nanosleep(&ts, NULL);
            rc = X_POOL->map(p, &w, outs, &st, &e);
            CHECK(rc == CB_EBROKEN && contains(e.msg, pidstr),
                  "spawn: killed worker gave %d '%s'", rc, e.msg);
        }
        X_POOL->stop(p);
        p = NULL;
        CHECK(no_children(), "spawn: children left");
    }

    /* a worker that cannot rebuild its workload fails start(), cleanly */
    ft_build(&fw, 10, SIZE_MAX, FT_OK, 0);
    c = config(&fw, 2, 1);
    cb_exec_config_set(&c, "start_method", "spawn");
    c.self_exe = exe;
    p = NULL;
    rc = X_POOL->start(&p, &c, &e);
    CHECK(rc != 0 && !p && contains(e.msg, "unknown kernel 'faults'"),
          "spawn of an unregistered kernel: rc %d '%s'", rc, e.msg);
    printf("  spawn, unknown kernel: %s\n", e.msg);
    CHECK(no_children(), "spawn: children left after a failed start");
    /* and so does an executable that is not there */
    c.self_exe = "/nonexistent/corebench";
    rc = X_POOL->start(&p, &c, &e);
    CHECK(rc != 0 && !p, "spawn of a missing executable: rc %d '%s'", rc,
          e.msg);
    CHECK(no_children(), "spawn: children left after a failed exec");
    ft_release(&fw);

    gcd->release(&w);
    free(outs);
    free(ref);
}

/* ---- misuse -------------------------------------------------------------- */

static void test_misuse(const struct cb_executor *x)
{
    struct cb_workload w, other;
    struct cb_pool *p = NULL;
    struct cb_error e = {0};
    struct cb_exec_config c;
    struct cb_worker_stats ws[2];
    struct cb_map_stats st = {.nworkers = 2, .w = ws};
    uint64_t outs[20];
    int rc;

    x->stop(NULL);
    ft_build(&w, 10, SIZE_MAX, FT_OK, 0);
    ft_build(&other, 20, SIZE_MAX, FT_OK, 0);
    c = config(NULL, 2, 1);
    rc = x->start(&p, &c, &e);
    CHECK(rc == CB_EUSAGE && !p, "%s start without a workload: %d", x->name,
          rc);
    c = config(&w, 0, 1);
    rc = x->start(&p, &c, &e);
    CHECK(rc == CB_EUSAGE && !p, "%s start with 0 workers: %d", x->name, rc);
    c = config(&w, 2, 1);
    rc = x->start(&p, &c, &e);
    CHECK(rc == 0, "%s start: %s", x->name, e.msg);
    if (rc == 0) {
        rc = x->map(p, &other, outs, &st, &e);
        CHECK(rc == CB_EUSAGE, "%s map of another workload: %d", x->name, rc);
        /* still usable */
        check_map(x, p, &w, 2, 1, 0);
        x->stop(p);
    }
    CHECK(no_children(), "%s: children left", x->name);
    ft_release(&w);
    ft_release(&other);
}

int main(int argc, char **argv)
{
    char self[PATH_MAX];
    const char *exe;
    ssize_t len;

    /* `test_faults __worker NAME ARGS...`: a spawned worker, as corebench's
     * main() would run it */
    if (argc > 2 && strcmp(argv[1], "__worker") == 0) {
        const struct cb_executor *x = cb_executor_find(argv[2]);
        if (!x || !x->worker_main)
            return 2;
        return x->worker_main(argc - 2, argv + 2);
    }
    alarm(240); /* a hang is a failure, not a stuck ctest */
    setvbuf(stdout, NULL, _IOLBF, 0);
    X_PROC = cb_executor_find("processes");
    X_POOL = cb_executor_find("process-pool");
    if (!X_PROC || !X_POOL) {
        CHECK(0, "processes/process-pool not registered");
        return check_finish();
    }
    ctl = mmap(NULL, sizeof *ctl, PROT_READ | PROT_WRITE,
               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (ctl == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    CHECK(no_children(), "children before any test");

    const struct cb_executor *xs[] = {X_PROC, X_POOL};
    for (int i = 0; i < 2; i++) {
        const struct cb_executor *x = xs[i];
        printf("%s\n", x->name);
        test_healthy(x);
        test_pinning(x);
        test_misuse(x);
        test_fault(x, FT_KILL, "killed by signal 9");
        test_fault(x, FT_EXIT3, "exited with status 3");
        test_fault(x, FT_SEGV, "killed by signal 11");
        test_external_kill(x, 1);
        test_external_kill(x, 0);
    }
    test_pool_ships_current_inputs();

    exe = getenv("CB_COREBENCH");
    if (!exe || !*exe) {
        len = readlink("/proc/self/exe", self, sizeof self - 1);
        if (len > 0) {
            self[len] = '\0';
            exe = self;
        }
    }
    if (exe) {
        printf("process-pool --start-method spawn via %s\n", exe);
        test_spawn(exe);
    } else {
        printf("  skip spawn: no CB_COREBENCH and no /proc/self/exe\n");
    }

    munmap(ctl, sizeof *ctl);
    return check_finish();
}
