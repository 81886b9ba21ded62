/* Each run against its ceiling: memory kernels (work.bytes_touched) against
 * the probe's STREAM triad at their own working set, else of the level
 * their working set fits (cb_ceiling_pick: ws, l2, llc or dram; the triad
 * point at the largest thread count <= workers), compute kernels' parallel
 * runs against linear speedup up to the CPUs the run could use. A fraction
 * above 1 always carries its reason. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "results.h"
#include "units.h"

/* 1 memory kernel, 0 compute kernel, -1 unknown: a file from before work
 * objects, or a bytes_touched that is not a positive number (a damaged or
 * hostile file): no ceiling at all rather than the wrong one. The model
 * keeps the number; whether the key was null or absent is in the file. */
static int memory_kind(const struct cb_model *m, const struct cb_run *r)
{
    const json_t *run = json_array_get(json_object_get(m->root, "runs"),
                                       (size_t)r->id);
    const json_t *work = json_object_get(run, "work"), *bt;
    if (!json_is_object(work))
        return -1;
    bt = json_object_get(work, "bytes_touched");
    if (!bt || json_is_null(bt))
        return 0;
    return r->bytes_touched > 0 && isfinite(r->bytes_touched) ? 1 : -1;
}

/* Ideal speedup on `workers` workers: linear, up to the CPUs the run could
 * use (allowed PUs, and a cgroup CPU limit: 8 workers under a 2-CPU quota
 * cannot beat 2), relative to the baseline, which itself had min(1, CPUs). */
static double ideal(const struct cb_model *m, int workers, int *limited)
{
    double cpus = INFINITY, w = workers;
    int pus = m->pus >= 1 && isfinite(m->pus);
    int lim = m->cpu_limit > 0 && isfinite(m->cpu_limit);
    if (pus)
        cpus = m->pus;
    if (lim && m->cpu_limit < cpus)
        cpus = m->cpu_limit;
    /* the ideal is below the worker count only for a CPU limit or fewer
     * PUs than workers: which one */
    *limited = lim && !(pus && m->pus <= m->cpu_limit);
    return (w < cpus ? w : cpus) / (cpus < 1 ? cpus : 1);
}

void cb_report_ceiling(const struct cb_report *rp, int file,
                       const struct cb_run *r, struct cb_rceil *c)
{
    const struct cb_rfile *f = &rp->files[file];
    int kind = memory_kind(&f->m, r), limited;
    memset(c, 0, sizeof *c);
    c->kind = CB_CEIL_NONE;
    c->threads = -1;
    c->achieved = c->ceiling = c->ceiling_lo = c->fraction = NAN;
    if (!(r->d.sum.median > 0) || !isfinite(r->d.sum.median))
        return;
    if (kind == 1) {
        struct cb_ceiling p;
        double ws = r->working_set > 0 && isfinite(r->working_set)
                        ? r->working_set : NAN;
        if (cb_ceiling_pick(f->lv, f->nlv, ws, r->cfg.workers, &p))
            return;
        c->kind = CB_CEIL_BANDWIDTH;
        c->achieved = r->bytes_touched / r->d.sum.median;
        c->ceiling = p.bytes_per_s;
        c->ceiling_lo = p.median_bytes_per_s;
        c->threads = p.threads;
        snprintf(c->level, sizeof c->level, "%s", f->lv[p.level].name);
        c->fraction = c->achieved / c->ceiling;
        cb_ceiling_explain(f->lv, f->nlv, &p, c->fraction, c->note,
                           sizeof c->note);
    } else if (kind == 0 && isfinite(r->d.speedup) && !r->baseline) {
        /* the baseline is the reference: speedup 1 by definition */
        c->kind = CB_CEIL_LINEAR;
        c->achieved = r->d.speedup;
        c->ceiling = ideal(&f->m, r->cfg.workers, &limited);
        c->fraction = c->achieved / c->ceiling;
        /* a verdict only where the interval supports it: a speedup whose
         * interval reaches linear is linear as far as the samples tell */
        if (c->achieved > c->ceiling && !(r->d.sp_lo > c->ceiling))
            snprintf(c->note, sizeof c->note, "linear within its interval "
                     "(%.2f-%.2f)", r->d.sp_lo, r->d.sp_hi);
        else if (c->achieved > c->ceiling && c->ceiling < r->cfg.workers &&
                 limited)
            snprintf(c->note, sizeof c->note, "above linear: beyond the "
                     "cgroup limit of %.3g CPUs (a quota is an average over "
                     "its period)", f->m.cpu_limit);
        else if (c->achieved > c->ceiling)
            snprintf(c->note, sizeof c->note, "above linear, its whole "
                     "interval too: superlinear (each worker's share fits "
                     "the caches better) or a slow serial run");
    }
}

/* Whether a bandwidth ceiling's repetitions spread more than 5%: then a
 * fraction of it is a range, not a number. */
static int ceiling_spread(const struct cb_rceil *c)
{
    return c->ceiling_lo > 0 && c->ceiling_lo < 0.95 * c->ceiling;
}

void cb_report_ceiling_line(const struct cb_report *rp, int file,
                            const struct cb_run *r, const struct cb_rceil *c,
                            char *buf, size_t len)
{
    const struct cb_model *m = &rp->files[file].m;
    size_t n = (size_t)snprintf(buf, len, "%s %d worker%s: ", r->d.label,
                                r->cfg.workers,
                                r->cfg.workers == 1 ? "" : "s");
    char a[24], b[24], why[96] = "";
    int limited;
    if (n >= len)
        return;
    if (c->kind == CB_CEIL_BANDWIDTH && ceiling_spread(c)) {
        /* the probe's repetitions disagree: the fraction is a range, from
         * the best repetition's (the ceiling) to the median's */
        char lo[24];
        cb_fmt_rate(c->achieved, a, sizeof a);
        cb_fmt_rate(c->ceiling, b, sizeof b);
        cb_fmt_rate(c->ceiling_lo, lo, sizeof lo);
        n += (size_t)snprintf(buf + n, len - n, "%s = %.0f-%.0f%% of %s triad "
                              "(%s-%s at %ld thread%s: its repetitions' "
                              "median to best)", a, 100 * c->fraction,
                              100 * c->achieved / c->ceiling_lo, c->level, lo,
                              b, c->threads, c->threads == 1 ? "" : "s");
    } else if (c->kind == CB_CEIL_BANDWIDTH) {
        cb_fmt_rate(c->achieved, a, sizeof a);
        cb_fmt_rate(c->ceiling, b, sizeof b);
        n += (size_t)snprintf(buf + n, len - n, "%s = %.0f%% of %s triad (%s "
                              "at %ld thread%s)", a, 100 * c->fraction,
                              c->level, b, c->threads,
                              c->threads == 1 ? "" : "s");
    } else {
        /* say why the ideal is below the worker count */
        ideal(m, r->cfg.workers, &limited);
        if (c->ceiling < r->cfg.workers && limited)
            snprintf(why, sizeof why, " (ideal %.3g: cgroup limit %.3g CPUs)",
                     c->ceiling, m->cpu_limit);
        else if (c->ceiling < r->cfg.workers)
            snprintf(why, sizeof why, " (ideal %.3g: %.0f allowed PU%s)",
                     c->ceiling, m->pus, m->pus == 1 ? "" : "s");
        n += (size_t)snprintf(buf + n, len - n, "speedup %.2f = %.0f%% of "
                              "linear%s", c->achieved, 100 * c->fraction,
                              why);
    }
    if (n < len && c->note[0])
        n += (size_t)snprintf(buf + n, len - n, ": %s", c->note);
    if (n < len && r->verified == 0)
        snprintf(buf + n, len - n, " NOT VERIFIED");
}

/* The run of file f and workload w closest to its ceiling at the largest
 * worker count that has one (how much of the machine the best
 * configuration used), its ceiling in *best_c; NULL when none has one. */
static const struct cb_run *best_ceiling(const struct cb_report *rp, int f,
                                         const struct cb_rwork *w,
                                         struct cb_rceil *best_c)
{
    const struct cb_model *m = &rp->files[f].m;
    const struct cb_run *best = NULL;
    struct cb_rceil c;
    for (size_t i = 0; i < m->nruns; i++) {
        const struct cb_run *r = &m->runs[i];
        if (!cb_rwork_has(w, r))
            continue;
        cb_report_ceiling(rp, f, r, &c);
        if (c.kind != CB_CEIL_NONE &&
            (!best || r->cfg.workers > best->cfg.workers ||
             (r->cfg.workers == best->cfg.workers &&
              c.fraction > best_c->fraction)))
            best = r, *best_c = c;
    }
    return best;
}

int cb_report_ceiling_summary(const struct cb_report *rp, int f, int k,
                              char *buf, size_t len)
{
    struct cb_rceil c;
    char line[400];
    const struct cb_run *best = best_ceiling(rp, f, &rp->wl[k], &c);
    if (!best)
        return 0;
    cb_report_ceiling_line(rp, f, best, &c, line, sizeof line);
    snprintf(buf, len, "%s%s%s: %s", rp->wl[k].label,
             rp->nfiles > 1 ? " @ " : "",
             rp->nfiles > 1 ? rp->files[f].tag : "", line);
    return 1;
}
