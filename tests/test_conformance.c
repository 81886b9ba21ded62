/* Conformance: every registered executor runs every registered kernel on a
 * tiny workload, at several worker counts and chunksizes, and every map's
 * outputs pass the kernel's own verify(). Also checks the bookkeeping every
 * executor promises: all tasks accounted for in the per-worker stats, the
 * pool usable for a second map, outputs in submission order. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "executors/executor.h"
#include "topo.h"
#include "kernels/kernel.h"

#include "check.h"

/* CB_WS_RUN_DELAY when this kernel has /proc/thread-self/schedstat (then
 * every worker of every executor must report a run delay), plus CB_WS_CSW,
 * which getrusage(RUSAGE_THREAD) always gives on Linux. */
static unsigned expected_measured;

static void probe_schedstat(void)
{
    char buf[96];
    uint64_t rd;
    int fd = open("/proc/thread-self/schedstat", O_RDONLY);
    ssize_t k = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    expected_measured = CB_WS_CSW;
    if (k > 0) {
        buf[k] = '\0';
        if (cb_schedstat_parse(buf, &rd) == 0)
            expected_measured |= CB_WS_RUN_DELAY;
    }
    if (!(expected_measured & CB_WS_RUN_DELAY))
        printf("note: no /proc/thread-self/schedstat here: run delays are "
               "checked as absent\n");
}

/* The interference fields of every worker: measured by the worker itself
 * (the helpers in worker.c), so present for every executor, and sane. */
static void check_interference(const struct cb_executor *x,
                               const struct cb_workload *w,
                               const struct cb_worker_stats *ws, int workers)
{
    for (int i = 0; i < workers; i++) {
        CHECK(ws[i].measured == expected_measured,
              "%s x %s worker %d: measured bits %#x, expected %#x (did the "
              "worker call cb_worker_sched_begin/end?)",
              x->name, w->kernel->name, i, ws[i].measured, expected_measured);
        if (ws[i].measured & CB_WS_RUN_DELAY)
            /* an upper bound no sane tiny map reaches: a delta taken from
             * the wrong thread's or a stale baseline would */
            CHECK(ws[i].run_delay_s >= 0 && ws[i].run_delay_s < 60 &&
                      isfinite(ws[i].run_delay_s),
                  "%s x %s worker %d: run_delay_s %g", x->name,
                  w->kernel->name, i, ws[i].run_delay_s);
        /* A kernel that blocks in every task: the worker's own switches
         * must show each block, so the counts are this thread's deltas
         * over this map, not zeros or another thread's. Each block is a
         * voluntary switch, unless the thread was preempted after arming
         * its 100 us timer and the timer fired meanwhile (a loaded machine,
         * a sanitizer build): then that one is involuntary, or, when the
         * timer had fired before the thread got to sleep, no switch at all
         * (seen once in 8 tasks under mpiexec -n 3 on 2 CPUs). At least
         * half of the blocks must show: zeros, or another thread's deltas,
         * would not. */
        if ((ws[i].measured & CB_WS_CSW) &&
            (w->kernel->flags & CB_KERNEL_BLOCKS))
            CHECK(2 * (ws[i].csw_voluntary + ws[i].csw_involuntary) >=
                      ws[i].tasks && (ws[i].csw_voluntary > 0 || !ws[i].tasks),
                  "%s x %s worker %d: %llu voluntary + %llu involuntary "
                  "switches for %llu blocking tasks",
                  x->name, w->kernel->name, i,
                  (unsigned long long)ws[i].csw_voluntary,
                  (unsigned long long)ws[i].csw_involuntary,
                  (unsigned long long)ws[i].tasks);
        if (ws[i].measured & CB_WS_CSW)
            CHECK(ws[i].csw_voluntary < 10000000 &&
                      ws[i].csw_involuntary < 10000000,
                  "%s x %s worker %d: context switches %llu/%llu", x->name,
                  w->kernel->name, i,
                  (unsigned long long)ws[i].csw_voluntary,
                  (unsigned long long)ws[i].csw_involuntary);
    }
}
static int skipped;
/* CB_CONFORMANCE_REQUIRE=NAME: that executor must have run (not skipped) */
static int required_ran;

/* One pool of x with chunksize `chunk` ("default", "auto" or a count),
 * schedule `sched` and start method `sm`, for the executors that take
 * them (a GIL switches every 200 us). */
static void one(const struct cb_executor *x, const struct cb_workload *w,
                int workers, const char *chunk, const char *sched,
                const char *sm)
{
    const struct cb_xvalue asked[] = {{"chunksize", "", 1},
                                      {"schedule", "", 1},
                                      {"start_method", "", 1},
                                      {"switch_interval", "200", 1}};
    struct cb_xvalue a[4];
    struct cb_exec_config c = {
        .workers = workers,
        .self_exe = getenv("CB_COREBENCH"),
        .workload = w,
    };
    struct cb_worker_stats ws[8];
    struct cb_map_stats st = {.nworkers = workers, .w = ws};
    struct cb_pool *p = NULL;
    struct cb_error e = {0};
    struct cb_exec_about ab = {0};
    size_t bytes = w->n * w->out_size;
    char *outs;
    int rc;

    memcpy(a, asked, sizeof a);
    snprintf(a[0].val, sizeof a[0].val, "%s", chunk);
    snprintf(a[1].val, sizeof a[1].val, "%s", sched);
    snprintf(a[2].val, sizeof a[2].val, "%s", sm);
    rc = cb_exec_config_params(&c, x, a, 4, &e);
    CHECK(rc == 0, "%s: parameters: %s", x->name, e.msg);
    if (rc)
        return;

    /* what cannot run here (mpi outside mpirun, or more workers than
     * ranks) is the sweep's business to refuse: not a conformance case.
     * Asked once per executor and worker count (py-* start an interpreter
     * to answer). */
    {
        static struct {
            const struct cb_executor *x;
            int workers, rc;
        } seen[256];
        static int nseen;
        int j = 0;
        while (j < nseen && !(seen[j].x == x && seen[j].workers == workers))
            j++;
        if (j == nseen) {
            rc = x->available ? x->available(&c, &ab, &e) : 0;
            free(ab.json);
            if (nseen < 256)
                seen[nseen++] = (__typeof__(seen[0])){x, workers, rc};
        } else {
            rc = seen[j].rc;
        }
    }
    if (rc) {
        skipped++;
        return;
    }
    {
        const char *req = getenv("CB_CONFORMANCE_REQUIRE");
        required_ran += req && strcmp(req, x->name) == 0;
    }
    outs = malloc(bytes);
    rc = x->start(&p, &c, &e);
    CHECK(rc == 0, "%s start (%d workers): %s", x->name, workers, e.msg);
    if (rc) {
        free(outs);
        return;
    }
    for (int round = 0; round < 2; round++) {
        uint64_t tasks = 0, away = 0;
        cb_map_stats_reset(&st);
        memset(outs, 0xa5, bytes);
        rc = x->map(p, w, outs, &st, &e);
        CHECK(rc == 0, "%s map %s (%d workers, chunk %s, round %d): %s",
              x->name, w->kernel->name, workers, chunk, round, e.msg);
        if (rc)
            break;
        rc = w->kernel->verify(w, outs, &e);
        CHECK(rc == 0, "%s x %s (%d workers, chunk %s): verify: %s", x->name,
              w->kernel->name, workers, chunk, e.msg);
        for (int i = 0; i < workers; i++) {
            tasks += ws[i].tasks;
            /* tasks run in another process: their records were shipped
             * (mpi's rank 0 is this process and ships nothing to itself) */
            away += ws[i].pid != (int64_t)getpid() ? ws[i].tasks : 0;
        }
        CHECK(tasks == w->n, "%s x %s: workers report %llu tasks, not %zu",
              x->name, w->kernel->name, (unsigned long long)tasks, w->n);
        if (x->caps & CB_EXEC_SELF_TIMED)
            CHECK(st.self_map_s > 0 && st.self_start_s >= 0 &&
                      st.self_stop_s >= 0,
                  "%s x %s: self-timed map %g s, start %g s, stop %g s",
                  x->name, w->kernel->name, st.self_map_s, st.self_start_s,
                  st.self_stop_s);
        check_interference(x, w, ws, workers);
        if (x->caps & CB_EXEC_COPIES)
            CHECK(st.bytes_to_workers >= away * w->in_size &&
                      st.bytes_from_workers >= away * w->out_size,
                  "%s ships %llu/%llu bytes, expected at least %llu/%llu",
                  x->name, (unsigned long long)st.bytes_to_workers,
                  (unsigned long long)st.bytes_from_workers,
                  (unsigned long long)(away * w->in_size),
                  (unsigned long long)(away * w->out_size));
    }
    x->stop(p);
    free(outs);
}

int main(int argc, char **argv)
{
    static const char *const chunks[] = {"default", "1", "3", "auto"};
    static const char *const scheds[] = {"dynamic", "static", "guided"};
    probe_schedstat();
    /* under mpirun (test_conformance_mpi) ranks > 0 serve rank 0 here */
    static const struct cb_exec_host host = {.topo = cb_topo_host};
    for (int i = 0; cb_executors[i]; i++)
        if (cb_executors[i]->launched) {
            int st = cb_executors[i]->launched(argc, argv, &host);
            if (st != CB_EXEC_CONTINUE)
                return st;
        }
    for (int k = 0; cb_kernels[k]; k++) {
        struct cb_workload w = {0};
        struct cb_params prm = {.size = "tiny", .seed = 7};
        struct cb_error e = {0};
        int rc = cb_kernels[k]->prepare(&w, &prm, &e);
        CHECK(rc == 0, "%s prepare tiny: %s", cb_kernels[k]->name, e.msg);
        if (rc)
            continue;
        w.kernel = cb_kernels[k];
        for (int x = 0; cb_executors[x]; x++) {
            const struct cb_executor *ex = cb_executors[x];
            /* other runtimes (py-*) start an interpreter per pool: fewer
             * worker counts keep the test short, every kernel still runs */
            int maxw = ex->caps & CB_EXEC_SINGLE ? 1 : ex->runtime ? 2 : 3;
            int ns = cb_executor_param(ex, "schedule") ? 3 : 1;
            for (int workers = 1; workers <= maxw; workers++) {
                int nc = cb_executor_param(ex, "chunksize") ? 4 : 1;
                for (int ci = 0; ci < nc; ci++)
                    for (int si = 0; si < ns; si++)
                        one(ex, &w, workers, chunks[ci], scheds[si], "fork");
            }
            /* more workers than tasks must still work */
            if (!(ex->caps & CB_EXEC_SINGLE) && w.n < 8)
                one(ex, &w, 8, "default", "dynamic", "fork");
            if (cb_executor_param(ex, "start_method") &&
                getenv("CB_COREBENCH"))
                one(ex, &w, 2, "default", "dynamic", "spawn");
        }
        cb_kernels[k]->release(&w);
    }
    if (skipped)
        printf("%d cases skipped: their executor is unavailable here\n",
               skipped);
    if (getenv("CB_CONFORMANCE_REQUIRE"))
        CHECK(required_ran > 0, "executor %s never ran (unavailable here?)",
              getenv("CB_CONFORMANCE_REQUIRE"));
    return check_finish();
}
