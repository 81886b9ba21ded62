/* The probe (see probe.h): bandwidth ceiling, process and thread costs,
 * executor floors, and `corebench probe`.
 *
 * Method notes, so the numbers can be compared with published ones:
 *  - triad follows STREAM (McCalpin): each array at least 4x the total
 *    last-level cache, bytes = 3 arrays x 8 bytes x n per repetition (the
 *    write-allocate read of a[] is not counted, so real traffic is 4/3 of
 *    it), best repetition after an untimed first one. Each thread
 *    first-touches exactly the slice it later computes, so pages land on
 *    its NUMA node; arrays are mmap'ed afresh for every thread count.
 *    A repetition's time spans the first thread's start to the last
 *    thread's end (clock read per thread), not the barrier wake-ups.
 *  - the cache levels (triad_levels) use the same kernel and placement on
 *    arrays filling half of the level (llc: all threads together; l2:
 *    each thread's own), swept enough times per repetition to move at
 *    least 128 MB (quick) or 256 MB, so a repetition lasts milliseconds;
 *    the dram level is the triad above. `corebench run` also asks for a
 *    "ws" level per memory kernel of the sweep: each thread's three
 *    arrays hold exactly that kernel's working set, so the kernel meets a
 *    triad of its own size even where the caches the system reports are
 *    not the caches it gets (a VM announcing its host's whole L3). A
 *    kernel is compared with its own ws level when there is one, else
 *    with the fastest level that holds its working set (cb_ceiling_pick).
 *  - fork / pthread / pipe follow lmbench's lat_proc fork and lat_pipe:
 *    medians of many, after warm-up. fork cost grows with the parent's
 *    mapped memory (page tables are copied), so the triad arrays are
 *    unmapped before it runs; inside `corebench run` it measures fork from
 *    corebench as it is at that moment.
 *  - floors run through the executor interface exactly as the harness
 *    does (start, map, verify, stop), with a size calibrated so one map
 *    takes ~20 ms and a pathological executor cannot stall the probe. */
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

/* ---- the probe ----------------------------------------------------------- */

static void progress(const struct cb_probe_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void progress(const struct cb_probe_opts *o, const char *fmt, ...)
{
    va_list ap;
    if (!o->progress)
        return;
    va_start(ap, fmt);
    fprintf(o->progress, "probe: ");
    vfprintf(o->progress, fmt, ap);
    fputc('\n', o->progress);
    fflush(o->progress);
    va_end(ap);
}

static void add_error(json_t *errors, const char *part,
                      const struct cb_error *e)
{
    char line[600];
    snprintf(line, sizeof line, "%s: %s", part, e->msg);
    json_array_append_new(errors, cb_json_text(line));
}

/* Thread counts for the triad: every count up to 8 (quick: 1, 2, 4),
 * then doubling, and always the maximum. Returns how many were written. */
static int triad_counts(int max, int quick, int *counts, int cap)
{
    int n = 0, every = quick ? 2 : 8;
    for (int t = 1; t <= max && n < cap; t = t < every ? t + 1 : t * 2)
        counts[n++] = t;
    if (n > 0 && counts[n - 1] != max && n < cap)
        counts[n++] = max;
    return n;
}

/* Bytes a cache-level triad repetition moves at least (passes over arrays
 * that fit a cache take microseconds each): a few milliseconds per
 * repetition at cache bandwidths. */
#define TRIAD_LEVEL_REP_BYTES(quick) ((quick) ? 128e6 : 256e6)

/* Measures one working-set class at every thread count: at t threads the
 * arrays hold fixed + per_thread * t elements each, swept `passes` times
 * (enough for min_rep_bytes per repetition). Appends one {"threads",
 * "bytes_per_s"} per count to points; stops at the first failure (added
 * to errors as PART). *passes_used: the passes of the last count. */
static void triad_points(const struct cb_probe_opts *o, struct cb_topo *topo,
                         const int *counts, int ncounts, int reps,
                         const char *part, size_t fixed, size_t per_thread,
                         double min_rep_bytes, json_t *points,
                         int *passes_used, int *pinned, json_t *errors)
{
    struct cb_pin_spec spec;
    struct cb_error e;
    int pus[CB_MAX_WORKERS];

    memset(&spec, 0, sizeof spec);
    spec.policy = CB_PIN_SCATTER;
    for (int i = 0; i < ncounts; i++) {
        struct cb_triad_result r;
        int t = counts[i], use_pus = 0, passes = 1;
        size_t n = fixed + per_thread * (size_t)t;
        double bytes = 3.0 * sizeof(double) * (double)n;
        json_t *entry;
        if (n < 8 * (size_t)t)
            n = 8 * (size_t)t;
        if (min_rep_bytes > bytes)
            passes = (int)ceil(min_rep_bytes / bytes);
        /* scatter: at t threads, the placement with the most memory
         * controllers and caches behind it, as STREAM runs are made with
         * OMP_PROC_BIND=spread */
        if (topo && cb_topo_is_this_machine(topo) &&
            cb_topo_plan(topo, &spec, t, pus, &e) == 0)
            use_pus = *pinned = 1;
        progress(o, "triad %s, %d thread%s, 3 x %.3g MiB x %d pass%s", part,
                 t, t > 1 ? "s" : "", (double)n * 8 / 1048576.0, passes,
                 passes > 1 ? "es" : "");
        if (cb_probe_triad_passes(n, passes, t, use_pus ? pus : NULL, reps, &r,
                                  &e) != 0) {
            char what[32];
            snprintf(what, sizeof what, "triad %s", part);
            add_error(errors, what, &e);
            break;
        }
        *passes_used = passes;
        entry = json_pack("{s:i,s:o,s:o}", "threads", t, "bytes_per_s",
                          cb_json_num(r.bytes_per_s), "median_bytes_per_s",
                          cb_json_num(r.median_bytes_per_s));
        if (entry)
            json_array_append_new(points, entry);
    }
}

/* One entry of probe.triad_levels. cache_bytes 0: no limit (dram). ws:
 * the triad's own working set in the same sense as cache_bytes (per
 * thread for a private cache). */
static json_t *level_json(const char *name, unsigned long long cache_bytes,
                          int shared, double ws, int passes, json_t *points)
{
    if (!strcmp(name, "ws")) /* exact: that working set, per worker */
        return json_pack("{s:s,s:I,s:b,s:o,s:b,s:i,s:o}", "level", name,
                         "cache_bytes", (json_int_t)cache_bytes, "shared", 0,
                         "working_set_bytes", cb_json_num(ws), "exact", 1,
                         "passes", passes, "points", points);
    return json_pack("{s:s,s:o,s:b,s:o,s:i,s:o}", "level", name, "cache_bytes",
                     cache_bytes ? json_integer((json_int_t)cache_bytes)
                                 : json_null(),
                     "shared", shared, "working_set_bytes", cb_json_num(ws),
                     "passes", passes, "points", points);
}

static int run_triad(const struct cb_probe_opts *o, struct cb_topo *topo,
                     const struct cb_topo_info *ti, int npus, json_t *probe,
                     json_t *errors)
{
    json_t *arr = json_array(), *levels = json_array();
    unsigned long long llc = cb_probe_llc_bytes(ti);
    /* a private level below the LLC: L2, when there is an L3 above it */
    unsigned long long l2 = ti && ti->l3 && ti->l2 && ti->l2 < llc ? ti->l2 : 0;
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    unsigned long long ram =
        pages > 0 && psize > 0 ? (unsigned long long)pages * psize : 0;
    unsigned long long bytes = o->triad_bytes;
    int counts[64], ncounts, maxt, reps = o->quick ? 9 : 15;
    int pinned = 0, passes;
    json_t *pl2 = NULL, *pllc = NULL;
    size_t l2_elems = 0, llc_elems = 0;

    if (!arr || !levels) {
        json_decref(arr);
        json_decref(levels);
        return CB_ENOMEM;
    }
    if (!bytes) {
        bytes = llc ? 4 * llc : 64ULL << 20;
        if (bytes < (16ULL << 20))
            bytes = 16ULL << 20;
        if (ram && 3 * bytes > ram / 8)
            bytes = ram / 24;
    }
    maxt = o->max_threads > 0 && o->max_threads < npus ? o->max_threads : npus;
    if (maxt > CB_MAX_WORKERS)
        maxt = CB_MAX_WORKERS;
    ncounts = triad_counts(maxt, o->quick, counts, 64);
    json_object_set_new(probe, "triad_array_bytes",
                        json_integer((json_int_t)(bytes / 8 * 8)));
    json_object_set_new(probe, "triad_llc_bytes",
                        llc ? json_integer((json_int_t)llc) : json_null());
    json_object_set_new(probe, "triad_repetitions", json_integer(reps));

    /* dram: arrays of 4x the LLC, one sweep per repetition (STREAM) */
    triad_points(o, topo, counts, ncounts, reps, "dram",
                 (size_t)(bytes / sizeof(double)), 0, 0, arr, &passes,
                 &pinned, errors);
    /* Cache levels: the three arrays fill half the cache, so they stay in
     * it with room for everything else. llc is shared: half of it for all
     * threads together; l2 is private: half of each thread's own. */
    if (llc) {
        llc_elems = (size_t)(llc / 2 / (3 * sizeof(double)));
        pllc = json_array();
        passes = 1;
        if (pllc)
            triad_points(o, topo, counts, ncounts, reps, "llc", llc_elems, 0,
                         TRIAD_LEVEL_REP_BYTES(o->quick), pllc, &passes,
                         &pinned, errors);
        if (pllc)
            json_array_append_new(levels,
                level_json("llc", llc, 1, 3.0 * sizeof(double) *
                           (double)llc_elems, passes, pllc));
    }
    if (l2) {
        l2_elems = (size_t)(l2 / 2 / (3 * sizeof(double)));
        pl2 = json_array();
        passes = 1;
        if (pl2)
            triad_points(o, topo, counts, ncounts, reps, "l2", 0, l2_elems,
                         TRIAD_LEVEL_REP_BYTES(o->quick), pl2, &passes,
                         &pinned, errors);
        if (pl2)
            json_array_insert_new(levels, 0,
                level_json("l2", l2, 0, 3.0 * sizeof(double) *
                           (double)l2_elems, passes, pl2));
    }
    /* each kernel's own working set, first (fastest-first order is the
     * caches'; an exact level never competes with them) */
    for (int i = o->nws < CB_PROBE_MAX_WS ? o->nws : CB_PROBE_MAX_WS;
         i-- > 0;) {
        size_t elems = (size_t)(o->ws[i] / (3 * sizeof(double)));
        json_t *pws;
        if (!(o->ws[i] > 0) || elems < 8 || !(pws = json_array()))
            continue;
        passes = 1;
        triad_points(o, topo, counts, ncounts, reps, "ws", 0, elems,
                     TRIAD_LEVEL_REP_BYTES(o->quick), pws, &passes, &pinned,
                     errors);
        /* cache_bytes: the working set the level applies to (the kernel's,
         * to the byte); working_set_bytes: the triad's arrays, up to 23
         * bytes less (whole elements of three arrays) */
        json_array_insert_new(levels, 0,
            level_json("ws", (unsigned long long)llround(o->ws[i]), 0,
                       3.0 * sizeof(double) * (double)elems, passes, pws));
    }
    json_array_append_new(levels,
        level_json("dram", 0, 1, 3.0 * (double)(bytes / 8 * 8), 1,
                   json_deep_copy(arr)));
    json_object_set_new(probe, "triad_pin",
                        json_string(pinned ? "scatter" : "none"));
    json_object_set_new(probe, "triad", arr);
    json_object_set_new(probe, "triad_levels", levels);
    return 0;
}

static void run_costs(const struct cb_probe_opts *o, json_t *probe,
                      json_t *errors)
{
    struct cb_error e;
    double v;
    int nfork = o->quick ? 50 : 200, nthr = o->quick ? 200 : 1000,
        npipe = o->quick ? 500 : 2000;

    progress(o, "fork + exit + waitpid, median of %d", nfork);
    if (cb_probe_fork(nfork, &v, &e) != 0)
        add_error(errors, "fork", &e);
    json_object_set_new(probe, "fork_s", cb_json_num(v));

    progress(o, "pthread_create + join, median of %d", nthr);
    if (cb_probe_pthread(nthr, &v, &e) != 0)
        add_error(errors, "pthread_create", &e);
    json_object_set_new(probe, "pthread_create_s", cb_json_num(v));

    progress(o, "pipe round trip, median of %d", npipe);
    if (cb_probe_pipe(npipe, &v, &e) != 0)
        add_error(errors, "pipe", &e);
    json_object_set_new(probe, "pipe_roundtrip_s", cb_json_num(v));
}

static void run_floors(const struct cb_probe_opts *o, int npus, json_t *probe,
                       json_t *errors)
{
    json_t *arr = json_array();
    const struct cb_kernel *k = cb_kernel_find("empty");
    struct cb_error e;

    if (!arr)
        return;
    json_object_set_new(probe, "floors", arr);
    if (!k) {
        CB_FAIL(&e, CB_EUNSUPPORTED, "no kernel named 'empty' is registered");
        add_error(errors, "floors", &e);
        return;
    }
    for (int i = 0; cb_executors[i]; i++) {
        const struct cb_executor *x = cb_executors[i];
        int workers = (x->caps & CB_EXEC_SINGLE) ? 1 : (npus < 2 ? npus : 2);
        struct cb_floor_result fr;
        struct cb_exec_config ac = {.workers = workers};
        struct cb_exec_about ab = {0};
        json_t *entry;
        int avail;
        /* floors are the C executors' (other runtimes time themselves and
         * take seconds to start: a run sets them beside these); an executor
         * that cannot run here (not built in; mpi outside mpirun) has none:
         * left out, not an error */
        memset(&e, 0, sizeof e);
        avail = !x->runtime &&
                (!x->available || x->available(&ac, &ab, &e) == 0);
        free(ab.json);
        if (!avail)
            continue;
        progress(o, "floor of %s, %d worker%s", x->name, workers,
                 workers > 1 ? "s" : "");
        memset(&e, 0, sizeof e);
        if (cb_probe_floor(x, k, workers, o->quick, &fr, &e) != 0) {
            entry = json_pack("{s:s,s:i,s:n,s:s}", "executor", x->name,
                              "workers", workers, "per_task_s", "error", e.msg);
            add_error(errors, x->name, &e);
        } else {
            entry = json_pack("{s:s,s:i,s:o,s:I,s:i,s:o}", "executor", x->name,
                              "workers", workers, "per_task_s",
                              cb_json_num(fr.per_task_s), "tasks",
                              (json_int_t)fr.tasks, "maps", fr.maps, "start_s",
                              cb_json_num(fr.start_s));
        }
        if (entry)
            json_array_append_new(arr, entry);
    }
}

json_t *cb_probe_run(const struct cb_probe_opts *o, struct cb_error *e)
{
    struct cb_probe_opts dflt;
    struct cb_topo *own = NULL, *topo;
    struct cb_topo_info ti, *tip = NULL;
    json_t *probe = json_object(), *errors = json_array();
    int npus;
    double t0 = cb_now();

    if (!probe || !errors) {
        json_decref(probe);
        json_decref(errors);
        return CB_FAIL(e, CB_ENOMEM, "out of memory"), NULL;
    }
    if (!o) {
        memset(&dflt, 0, sizeof dflt);
        o = &dflt;
    }
    topo = (struct cb_topo *)o->topo;
    if (!topo) {
        struct cb_error te;
        if (cb_topo_load(&own, NULL, NULL, &te) == 0)
            topo = own;
        else
            add_error(errors, "topology", &te);
    }
    memset(&ti, 0, sizeof ti);
    if (topo && cb_topo_info(topo, &ti) == 0)
        tip = &ti;
    npus = cb_env_allowed_pus(NULL, 0);

    json_object_set_new(probe, "quick", json_boolean(o->quick));
    run_triad(o, topo, tip, npus, probe, errors);
    run_costs(o, probe, errors);
    if (o->no_floors)
        json_object_set_new(probe, "floors", json_array());
    else
        run_floors(o, npus, probe, errors);
    json_object_set_new(probe, "duration_s", json_real(cb_now() - t0));
    if (json_array_size(errors))
        json_object_set_new(probe, "errors", errors);
    else
        json_decref(errors);
    cb_topo_destroy(own);
    return probe;
}

json_t *cb_probe_run_quick(const struct cb_topo *t, const double *ws,
                           int nws, struct cb_error *e)
{
    struct cb_probe_opts o;
    memset(&o, 0, sizeof o);
    o.quick = 1;
    o.topo = t;
    for (int i = 0; i < nws && o.nws < CB_PROBE_MAX_WS; i++)
        o.ws[o.nws++] = ws[i];
    return cb_probe_run(&o, e);
}

