/* The ceiling that applies to a working set: probe.h. */
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

/* ---- the ceiling that applies to a working set ---------------------------- */

static int point_cmp(const void *pa, const void *pb)
{
    const struct cb_triad_point *a = pa, *b = pb;
    return (a->threads > b->threads) - (a->threads < b->threads);
}

/* Valid points of a JSON array into lv, sorted, one per thread count (the
 * best, as the probe keeps the best repetition). */
static void read_points(const json_t *arr, struct cb_triad_level *lv)
{
    const json_t *v;
    size_t i;
    int k = 0;
    lv->npoints = 0;
    json_array_foreach(arr, i, v)
    {
        const json_t *t = json_object_get(v, "threads");
        double bw = cb_json_get(v, "bytes_per_s"), med;
        if (lv->npoints >= CB_TRIAD_MAX_POINTS)
            break;
        if (!json_is_integer(t) || json_integer_value(t) < 1 ||
            json_integer_value(t) > 1 << 20 || !(bw > 0) || !isfinite(bw))
            continue;
        med = cb_json_get(v, "median_bytes_per_s");
        lv->pt[lv->npoints].threads = (long)json_integer_value(t);
        /* a median above the best is not one (a damaged file) */
        lv->pt[lv->npoints].median_bytes_per_s =
            med > 0 && med <= bw ? med : NAN;
        lv->pt[lv->npoints++].bytes_per_s = bw;
    }
    qsort(lv->pt, (size_t)lv->npoints, sizeof lv->pt[0], point_cmp);
    for (int j = 0; j < lv->npoints; j++) {
        if (k > 0 && lv->pt[k - 1].threads == lv->pt[j].threads) {
            if (lv->pt[j].bytes_per_s > lv->pt[k - 1].bytes_per_s)
                lv->pt[k - 1] = lv->pt[j];
        } else {
            lv->pt[k++] = lv->pt[j];
        }
    }
    lv->npoints = k;
}

int cb_triad_levels_read(const json_t *probe, struct cb_triad_level *lv,
                         int max)
{
    const json_t *levels = json_object_get(probe, "triad_levels"), *v;
    size_t i;
    int n = 0;

    if (!json_is_object(probe) || max < 1)
        return 0;
    if (!json_is_array(levels)) {
        /* a file from before levels: its triad is the dram level */
        memset(&lv[0], 0, sizeof lv[0]);
        snprintf(lv[0].name, sizeof lv[0].name, "dram");
        lv[0].cache_bytes = INFINITY;
        lv[0].shared = 1;
        read_points(json_object_get(probe, "triad"), &lv[0]);
        return 1;
    }
    json_array_foreach(levels, i, v)
    {
        const char *name = json_string_value(json_object_get(v, "level"));
        const json_t *cb = json_object_get(v, "cache_bytes");
        const json_t *sh = json_object_get(v, "shared");
        struct cb_triad_level *l = &lv[n];
        size_t len;
        int ok = 1;
        if (n >= max)
            break;
        /* a short lowercase name: it is printed in tables */
        if (!name || (len = strlen(name)) == 0 || len >= sizeof l->name)
            continue;
        for (size_t j = 0; j < len; j++)
            ok &= (name[j] >= 'a' && name[j] <= 'z') ||
                  (name[j] >= '0' && name[j] <= '9');
        if (!ok)
            continue;
        memset(l, 0, sizeof *l);
        snprintf(l->name, sizeof l->name, "%s", name);
        if (json_is_null(cb) || !cb) {
            l->cache_bytes = INFINITY; /* no limit: memory */
        } else if (json_is_number(cb) && json_number_value(cb) > 0 &&
                   isfinite(json_number_value(cb))) {
            l->cache_bytes = json_number_value(cb);
        } else {
            continue;
        }
        l->shared = json_is_boolean(sh) ? json_is_true(sh) : 1;
        l->exact = json_is_true(json_object_get(v, "exact"));
        if (l->exact && (isinf(l->cache_bytes) || l->shared))
            continue; /* an exact level is a finite per-worker size */
        read_points(json_object_get(v, "points"), l);
        n++;
    }
    return n;
}

/* The working set as level l's cache sees it; NaN when unknown. */
static double ws_at(const struct cb_triad_level *l, double ws_per_worker,
                    long workers)
{
    if (!(ws_per_worker > 0) || !isfinite(ws_per_worker))
        return NAN;
    return l->shared ? ws_per_worker * (double)(workers > 0 ? workers : 1)
                     : ws_per_worker;
}

static int fits(const struct cb_triad_level *l, double ws)
{
    if (l->exact) /* one kernel's own working set (NaN: no) */
        return fabs(ws - l->cache_bytes) <= 0.01 * l->cache_bytes;
    return isinf(l->cache_bytes) || ws <= l->cache_bytes; /* NaN: no */
}

/* The largest point at <= workers threads, or NULL. */
const struct cb_triad_point *cb_triad_point_at(const struct cb_triad_level *l,
                                              long workers)
{
    const struct cb_triad_point *best = NULL;
    for (int i = 0; i < l->npoints && l->pt[i].threads <= workers; i++)
        best = &l->pt[i];
    return best;
}

int cb_ceiling_pick(const struct cb_triad_level *lv, int n,
                    double ws_per_worker, long workers, struct cb_ceiling *c)
{
    memset(c, 0, sizeof *c);
    c->level = -1;
    c->threads = -1;
    c->bytes_per_s = c->median_bytes_per_s = c->ws_bytes = NAN;
    c->ws_per_worker =
        ws_per_worker > 0 && isfinite(ws_per_worker) ? ws_per_worker : NAN;
    c->workers = workers;
    for (int i = 0; i < n; i++) {
        double ws = ws_at(&lv[i], ws_per_worker, workers);
        const struct cb_triad_point *p;
        if (!fits(&lv[i], ws) || !(p = cb_triad_point_at(&lv[i], workers)))
            continue;
        c->level = i;
        c->threads = p->threads;
        c->bytes_per_s = p->bytes_per_s;
        c->median_bytes_per_s = p->median_bytes_per_s;
        c->ws_bytes = ws;
        return 0;
    }
    return -1;
}

/* bytes as "18.3 MiB" (binary, as cache sizes are given; 3 digits) */
static void fmt_mb(double b, char *buf, size_t len)
{
    if (b >= 1073741824.0)
        snprintf(buf, len, "%.3g GiB", b / 1073741824.0);
    else if (b >= 1048576.0)
        snprintf(buf, len, "%.3g MiB", b / 1048576.0);
    else
        snprintf(buf, len, "%.3g KiB", b / 1024.0);
}

void cb_ceiling_explain(const struct cb_triad_level *lv, int n,
                        const struct cb_ceiling *c, double fraction,
                        char *buf, size_t len)
{
    const struct cb_triad_level *l;
    char ws[24], cap[24];
    size_t k;

    if (len)
        buf[0] = '\0';
    if (!(fraction > 1) || !c || c->level < 0 || c->level >= n || len == 0)
        return;
    l = &lv[c->level];
    k = (size_t)snprintf(buf, len, "above the %s triad: ", l->name);
    if (k >= len)
        return;
    if (isnan(c->ws_bytes)) {
        snprintf(buf + k, len - k,
                 "the kernel declares no working set, so it may run from a "
                 "cache");
        return;
    }
    /* the nearest faster level: one the working set fits but that had no
     * point at this thread count, or one it spills from only partly */
    for (int j = c->level - 1; j >= 0; j--) {
        const struct cb_triad_level *f = &lv[j];
        double w = ws_at(f, c->ws_per_worker, c->workers);
        if (isinf(f->cache_bytes) || f->exact)
            continue;
        fmt_mb(f->cache_bytes, cap, sizeof cap);
        fmt_mb(w, ws, sizeof ws);
        if (fits(f, w)) {
            snprintf(buf + k, len - k,
                     "the working set (%s) fits the %s (%s), whose triad has "
                     "no point at %ld thread%s or fewer",
                     ws, f->name, cap, c->workers, c->workers == 1 ? "" : "s");
            return;
        }
        if (fits(f, w / 4)) {
            snprintf(buf + k, len - k,
                     "partly cached, the working set (%s) is within 4x of the "
                     "%s (%s)",
                     ws, f->name, cap);
            return;
        }
    }
    snprintf(buf + k, len - k,
             "faster than the probe's best triad (a disturbed probe, or an "
             "access pattern the triad does not reach)");
}

