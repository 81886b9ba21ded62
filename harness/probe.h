/* The probe: physical ceilings and floors measured in the same session as a
 * sweep, so a result file says what "fast" could have meant on that
 * machine (results/SCHEMA.md, `probe`).
 *
 *  - triad: STREAM's a[i] = b[i] + s * c[i] over arrays of at least 4x the
 *    last-level cache, 1..N threads, best of several repetitions, bytes
 *    counted as STREAM counts them (3 x 8 per element, no write-allocate);
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
 * topology t (may be NULL), silent. About 1 s on a 2-core machine; the
 * triad's first-touch of 3 x 4 x LLC bytes per thread count dominates on
 * large machines. */
json_t *cb_probe_run_quick(const struct cb_topo *t, struct cb_error *e);

/* Prints the probe object as a table (GB/s, microseconds). */
void cb_probe_print(const json_t *probe, FILE *f);

/* ---- parts, exposed for tests ------------------------------------------- */

struct cb_triad_result {
    double bytes_per_s; /* best repetition, STREAM byte count */
    double best_s;      /* time of that repetition */
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

#endif
