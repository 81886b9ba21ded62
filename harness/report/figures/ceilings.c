/* Achieved bandwidth vs workers for a memory-bound kernel against the
 * STREAM triad the probe measured on the same machine: the runs (bytes
 * touched per map / median map time) and, as reference curves, the triad
 * per level (ws: the kernel's own working set; l2, llc, dram) at 1..N
 * threads. A run's fraction is of its ws level, else of the level its
 * working set fits (report_ceil.c). plots/ceilings.gp. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "figure.h"
#include "units.h"

enum { C_KIND = CB_C_NEXT, C_LEVEL, C_BPS, C_LO, C_CEIL, C_FRACTION, C_NOTE };

static const struct cb_column cols[] = {
    CB_COLS_RUN,
    {"kind", CB_COL_TEXT, 0}, /* run, or triad (the probe's, workers = threads) */
    {"level", CB_COL_TEXT, 0},
    {"bytes_per_s", CB_COL_NUM, 6},
    /* a triad point's median repetition (its best is bytes_per_s): the
     * spread of the ceiling; a run's ceiling's */
    {"lo_bytes_per_s", CB_COL_NUM, 6},
    {"ceiling_bytes_per_s", CB_COL_NUM, 6},
    {"fraction", CB_COL_NUM, 4},
    {"note", CB_COL_TEXT, 0},
};

static void row(const struct cb_report *rp, const struct cb_series *s,
                const struct cb_rrun *rr, struct cb_table *t)
{
    struct cb_rceil c;
    cb_report_ceiling(rp, rr->file, rr->r, &c);
    if (c.kind != CB_CEIL_BANDWIDTH)
        return;
    cb_fig_run_row(t, rp, s, rr);
    cb_table_text(t, C_KIND, "run");
    cb_table_text(t, C_LEVEL, c.level);
    cb_table_num(t, C_BPS, c.achieved);
    cb_table_num(t, C_LO, c.ceiling_lo);
    cb_table_num(t, C_CEIL, c.ceiling);
    cb_table_num(t, C_FRACTION, c.fraction);
    cb_table_text(t, C_NOTE, c.note);
}

extern const struct cb_figure cb_figure_ceilings;

/* The runs (row), then the triad curves of the machines they ran on. */
static void rows(const struct cb_report *rp, const struct cb_rwork *w,
                 struct cb_table *t)
{
    cb_fig_each_run(rp, w, &cb_figure_ceilings, t);
    /* the triad of every machine this workload ran on, at the levels its
     * runs are compared with (a faster level's curve would only squeeze
     * the runs to the bottom of the figure) */
    for (int f = 0; t->nrows && f < rp->nfiles; f++) {
        const struct cb_rfile *rf = &rp->files[f];
        for (int l = 0; l < rf->nlv; l++) {
            int used = 0;
            for (size_t i = 0; i < t->nrows && !used; i++)
                used |= !strcmp(cb_table_str(t, i, C_KIND), "run") &&
                        !strcmp(cb_table_str(t, i, CB_C_MACHINE), rf->tag) &&
                        !strcmp(cb_table_str(t, i, C_LEVEL), rf->lv[l].name);
            for (int p = 0; used && p < rf->lv[l].npoints; p++) {
                char name[120];
                snprintf(name, sizeof name, "STREAM triad, %s%s%s",
                         rf->lv[l].name, rp->nfiles > 1 ? " @ " : "",
                         rp->nfiles > 1 ? rf->tag : "");
                cb_table_row(t);
                cb_table_text(t, CB_C_KERNEL, w->kernel);
                cb_table_text(t, CB_C_SERIES, name);
                cb_table_text(t, CB_C_MACHINE, rf->tag);
                cb_table_num(t, CB_C_WORKERS, (double)rf->lv[l].pt[p].threads);
                cb_table_text(t, C_KIND, "triad");
                cb_table_text(t, C_LEVEL, rf->lv[l].name);
                cb_table_num(t, C_BPS, rf->lv[l].pt[p].bytes_per_s);
                cb_table_num(t, C_LO, rf->lv[l].pt[p].median_bytes_per_s);
            }
        }
    }
}

/* The run closest to its ceiling at the largest worker count; how many
 * are above theirs. */
static void say(const struct cb_report *rp, const struct cb_rwork *w,
                const struct cb_table *t, struct cb_say *s)
{
    size_t best = t->nrows;
    int above = 0;
    char a[24], b[24];
    double lo;
    (void)rp;
    (void)w;
    for (size_t i = 0; i < t->nrows; i++) {
        double f = cb_table_get(t, i, C_FRACTION);
        if (!isfinite(f))
            continue; /* a triad point */
        above += f > 1;
        if (best == t->nrows ||
            cb_table_get(t, i, CB_C_WORKERS) >
                cb_table_get(t, best, CB_C_WORKERS) ||
            (cb_table_get(t, i, CB_C_WORKERS) ==
                 cb_table_get(t, best, CB_C_WORKERS) &&
             f > cb_table_get(t, best, C_FRACTION)))
            best = i;
    }
    if (best == t->nrows)
        return;
    cb_fmt_rate(cb_table_get(t, best, C_BPS), a, sizeof a);
    cb_fmt_rate(cb_table_get(t, best, C_CEIL), b, sizeof b);
    lo = cb_table_get(t, best, C_LO);
    if (lo > 0 && lo < 0.95 * cb_table_get(t, best, C_CEIL))
        /* the probe's repetitions spread: a range, as the summary says */
        cb_say(s, "%s reaches %s at %.0f workers: %.0f-%.0f%% of the %s "
               "triad (its repetitions' best and median; the bars on its "
               "curve).", cb_table_str(t, best, CB_C_SERIES), a,
               cb_table_get(t, best, CB_C_WORKERS),
               100 * cb_table_get(t, best, C_FRACTION),
               100 * cb_table_get(t, best, C_BPS) / lo,
               cb_table_str(t, best, C_LEVEL));
    else
        cb_say(s, "%s reaches %s at %.0f workers: %.0f%% of the %s triad "
               "(%s).", cb_table_str(t, best, CB_C_SERIES), a,
               cb_table_get(t, best, CB_C_WORKERS),
               100 * cb_table_get(t, best, C_FRACTION),
               cb_table_str(t, best, C_LEVEL), b);
    if (above)
        cb_say(s, "%d run%s above %s ceiling; the note column of the table "
               "says why.", above, above == 1 ? " is" : "s are",
               above == 1 ? "its" : "their");
}

const struct cb_figure cb_figure_ceilings = {
    .name = "ceilings",
    .title = "Bandwidth against the STREAM triad",
    .script = "ceilings.gp",
    .scope = CB_FIG_WORKLOAD,
    .cols = CB_COLUMNS(cols),
    .what = "Bytes the kernel touches per map / median map time, per worker "
            "count; dashed: the probe's STREAM triad at 1..N threads, of "
            "each level a run is compared with (ws: the kernel's own working "
            "set; l2, llc, dram: what fits those). "
            "The legend gives each series' share of the triad of the level "
            "its working set fits. Bars on a triad curve: from its median "
            "repetition to its best (a long bar: a probe disturbed while it "
            "measured).",
    .absent = "no memory-bound kernel with a probe in its file (runs made "
              "with --no-probe, or compute kernels only)",
    .rows = rows,
    .row = row,
    .say = say,
};
