/* The probe: physical ceilings and floors measured in the same session as a
 * sweep, so a result file says what "fast" could have meant on that
 * machine (results/SCHEMA.md, `probe`).
 *
 *  - triad: STREAM's a[i] = b[i] + s * c[i] over arrays of at least 4x the
 *    last-level cache, 1..N threads, best of several repetitions, bytes
 *    counted as STREAM counts them (3 x 8 per element, no write-allocate);
 *  - the same triad with working sets that fit the caches (triad_levels):
 *    half of each thread's L2, half of the last-level cache, so that a
 *    kernel whose working set fits a cache is compared with that cache's
 *    bandwidth and not with DRAM's (cb_ceiling_pick);
 *  - fork + exit + waitpid, pthread_create + join, and a one-byte pipe round
 *    trip to a child process (lmbench's lat_proc fork / lat_pipe), medians;
 *  - executor floors: every registered executor maps the `empty` kernel at
 *    chunksize 1 with min(2, PUs) workers; map time / tasks is the cost of
 *    dispatching one task, the floor under any per-task overhead. */
#ifndef CB_PROBE_H
#define CB_PROBE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "common.h"
#include "topo.h"

#define CB_PROBE_MAX_WS 4 /* kernel working sets one probe measures at */

struct cb_probe_opts {
    int quick;                  /* fewer repetitions and samples (~1 s) */
    int max_threads;            /* triad thread counts up to this; 0: all
                                   allowed PUs */
    size_t triad_bytes;         /* bytes per triad array; 0: automatic */
    int no_floors;              /* skip the executor floors */
    const struct cb_topo *topo; /* this machine, for cache sizes and thread
                                   placement; NULL: loaded (and freed) here,
                                   or unpinned without it */
    FILE *progress;             /* one line per step; NULL: silent */
    /* Working sets (bytes per worker) of the memory kernels to come: each
     * gets a triad level of its own ("ws", exact), the ceiling for a
     * kernel of exactly that working set, whatever the caches report. */
    double ws[CB_PROBE_MAX_WS];
    int nws;
};

/* Runs the probe and returns the `probe` object (new reference). A part
 * that cannot be measured is null (or an entry with "error") and its
 * reason is appended to the object's "errors" array: the probe as a whole
 * only fails (NULL, e filled) on allocation failure. Takes under ~5 s on a
 * 2-core machine by default, ~1 s with quick. Forks children and creates
 * threads; every one is reaped/joined before it returns. Not thread-safe
 * (call it from the main thread, with no pool running). */
json_t *cb_probe_run(const struct cb_probe_opts *o, struct cb_error *e);

/* The probe `corebench run` embeds (unless --no-probe): quick options,
 * topology t (may be NULL), silent, a "ws" level for each of the nws
 * working sets ws[] (bytes per worker; the first CB_PROBE_MAX_WS). About
 * 1 s on a 2-core machine; the triad's first-touch of 3 x 4 x LLC bytes
 * per thread count dominates on large machines. */
json_t *cb_probe_run_quick(const struct cb_topo *t, const double *ws,
                           int nws, struct cb_error *e);

/* Prints the probe object as a table (GB/s, microseconds). */
void cb_probe_print(const json_t *probe, FILE *f);

/* ---- parts, exposed for tests ------------------------------------------- */

struct cb_triad_result {
    double bytes_per_s; /* best repetition, STREAM byte count */
    double best_s;      /* time of that repetition */
    /* the median repetition's rate: with the best, the ceiling's spread
     * (a probe disturbed for part of its repetitions: a median well below
     * the best); repetitions timed */
    double median_bytes_per_s;
    int reps;
    double checksum;    /* sum of a[] after the last repetition */
    double expected;    /* what checksum must be */
};

/* One triad measurement: n elements per array, `threads` threads (thread i
 * bound to pus[i] when pus is non-NULL and pus[i] >= 0), each allocating
 * nothing but first-touching its own slice; `reps` timed repetitions after
 * one untimed one. CB_EVERIFY if the checksum is wrong, CB_ENOMEM/CB_ESYS
 * if the arrays or threads cannot be had. */
int cb_probe_triad(size_t n, int threads, const int *pus, int reps,
                   struct cb_triad_result *r, struct cb_error *e);

/* Medians in seconds over `count` samples (after a few warm-up ones). */
int cb_probe_fork(int count, double *median_s, struct cb_error *e);
int cb_probe_pthread(int count, double *median_s, struct cb_error *e);
int cb_probe_pipe(int count, double *median_s, struct cb_error *e);

/* Total bytes of the last-level caches this process can use (distinct
 * caches summed, from sysfs; else topology's L3 x packages); 0 unknown. */
unsigned long long cb_probe_llc_bytes(const struct cb_topo_info *ti);

/* cb_probe_triad with `passes` sweeps over the arrays per timed
 * repetition (bytes counted passes times): arrays that fit a cache take
 * microseconds per sweep, too short to time against a barrier. */
int cb_probe_triad_passes(size_t n, int passes, int threads, const int *pus,
                          int reps, struct cb_triad_result *r,
                          struct cb_error *e);

/* ---- the ceiling that applies to a working set ---------------------------
 *
 * A memory kernel streams at the bandwidth of the level its working set
 * lives in: the sum kernel's default 19.2 MB chunk fits a 32 MB L3 and ran
 * at 123% of the DRAM triad. The probe measures the triad per level
 * (triad_levels); a run's ceiling is the triad of the fastest level that
 * holds its working set. */

#define CB_TRIAD_MAX_LEVELS 8
#define CB_TRIAD_MAX_POINTS 64

struct cb_triad_point {
    long threads;
    double bytes_per_s;
    /* the median repetition's rate (NaN: not recorded, older files) */
    double median_bytes_per_s;
};

/* One working-set class of the probe's triad. */
struct cb_triad_level {
    char name[8];       /* "ws", "l2", "llc", "dram" */
    /* What fits: the cache's size, per thread for a private cache
     * (shared = 0: each worker has its own), for all threads together for
     * a shared one; INFINITY for dram. */
    double cache_bytes;
    int shared;
    /* 1: not a cache but one kernel's working set, measured as it is
     * (private, per worker): it applies to that working set only (within
     * 1%), never to a smaller or larger one */
    int exact;
    int npoints; /* by threads ascending, one per count (the best) */
    struct cb_triad_point pt[CB_TRIAD_MAX_POINTS];
};

/* Reads the levels of a probe object (probe.triad_levels), fastest
 * (smallest) first; a file from before levels gives one "dram" level from
 * probe.triad. Points that are not a positive thread count with a
 * positive finite bandwidth are skipped (a failed point is null; a hostile
 * file may hold anything), as are levels without a usable size. Returns
 * the number of levels filled (0 for a null or empty probe). */
int cb_triad_levels_read(const json_t *probe, struct cb_triad_level *lv,
                         int max);

struct cb_ceiling {
    int level;          /* index into the levels */
    long threads;       /* the triad point's thread count */
    double bytes_per_s; /* the ceiling */
    /* its point's median repetition (NaN: unknown): the ceiling lies
     * between the two as far as the probe can tell */
    double median_bytes_per_s;
    /* the working set as compared with that level's cache: per worker for
     * a private cache, per worker x workers for a shared one; NaN when
     * the kernel declared none */
    double ws_bytes;
    double ws_per_worker; /* as given, NaN when unknown */
    long workers;         /* as given */
};

/* The ceiling of a run of `workers` workers whose tasks each keep
 * ws_per_worker bytes live (<= 0 or NaN: unknown): the first level, fastest
 * first, whose cache holds the working set (shared levels hold workers x
 * ws_per_worker) and that has a point at <= workers threads (the largest
 * such count); levels without one are passed over for the next slower
 * one. Unknown working sets get dram, the historical ceiling. Returns 0,
 * or -1 when no level has a point at <= workers threads. */
/* The measured point of level l for `workers` threads: the largest thread
 * count not above it, or NULL. */
const struct cb_triad_point *cb_triad_point_at(const struct cb_triad_level *l,
                                               long workers);
int cb_ceiling_pick(const struct cb_triad_level *lv, int n,
                    double ws_per_worker, long workers, struct cb_ceiling *c);

/* Why a rate at `fraction` of ceiling c is above it, into buf (one line,
 * starting "above the LEVEL triad: "); "" when fraction <= 1 (or NaN). So
 * no table prints more than 100% of a ceiling without a reason: the
 * working set is unknown, or it spills from a faster level only partly
 * (within 4x of that level's size), or it fits a level whose triad could
 * not be measured, or else the probe's best-of triad was slower than the
 * kernel (a busy probe, or a pattern the triad does not reach). */
void cb_ceiling_explain(const struct cb_triad_level *lv, int n,
                        const struct cb_ceiling *c, double fraction,
                        char *buf, size_t len);

/* One executor's floor: its per-task cost on the `empty` kernel at
 * chunksize 1 (openmp: dynamic,1), over a task count calibrated so a map
 * takes tens of milliseconds and a pathological executor cannot stall the
 * probe (probe_costs.c). */
struct cb_floor_result {
    size_t tasks;
    int maps;
    double start_s, per_task_s;
};
struct cb_executor;
struct cb_kernel;
int cb_probe_floor(const struct cb_executor *x, const struct cb_kernel *k,
                   int workers, int quick, struct cb_floor_result *fr,
                   struct cb_error *e);

#endif
