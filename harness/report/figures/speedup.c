/* Speedup vs workers: one line per series (every configuration but the
 * baseline) with its bootstrap 95% interval, the ideal line, and the
 * Amdahl fit of the series where its file has one. plots/speedup.gp. */
#include <math.h>

#include "figure.h"
#include "units.h"

enum {
    C_SPEEDUP = CB_C_NEXT, C_LO, C_HI, C_MEDIAN, C_KF, C_AMDAHL, C_PUS,
    C_BOUNDARY
};

static const struct cb_column cols[] = {
    CB_COLS_RUN,
    {"speedup", CB_COL_NUM, 4},
    {"speedup_lo", CB_COL_NUM, 4},
    {"speedup_hi", CB_COL_NUM, 4},
    {"median_s", CB_COL_NUM, 6},
    {"karp_flatt", CB_COL_NUM, 4},
    {"amdahl_f", CB_COL_NUM, 4},
    {"pus", CB_COL_INT, 0}, /* the file's allowed PUs: where ideal stops */
    /* the topology boundary of this worker count ("1 socket"), "-" */
    {"boundary", CB_COL_TEXT, 0},
};

static void row(const struct cb_report *rp, const struct cb_series *s,
                const struct cb_rrun *rr, struct cb_table *t)
{
    const struct cb_run *r = rr->r;
    if (r->baseline || !isfinite(r->d.speedup))
        return;
    cb_fig_run_row(t, rp, s, rr);
    cb_table_num(t, C_SPEEDUP, r->d.speedup);
    cb_table_num(t, C_LO, r->d.sp_lo);
    cb_table_num(t, C_HI, r->d.sp_hi);
    cb_table_num(t, C_MEDIAN, r->d.sum.median);
    cb_table_num(t, C_KF, r->d.karp_flatt);
    cb_table_num(t, C_AMDAHL, cb_report_amdahl(rp, rr->file, r));
    cb_table_num(t, C_PUS, rp->files[rr->file].m.pus >= 1 &&
                               rp->files[rr->file].m.pus < 1e6
                           ? rp->files[rr->file].m.pus
                           : NAN);
    if (cb_model_boundary(&rp->files[rr->file].m, r->cfg.workers))
        cb_table_text(t, C_BOUNDARY, cb_model_boundary(
                                         &rp->files[rr->file].m,
                                         r->cfg.workers));
}

/* The rows at the largest worker count: the fastest and the slowest,
 * how many are within 10% of linear; the smallest Amdahl fraction. */
static void say(const struct cb_report *rp, const struct cb_rwork *w,
                const struct cb_table *t, struct cb_say *s)
{
    double wmax = cb_table_max(t, CB_C_WORKERS);
    size_t best = 0, worst = 0, near = 0, at = 0, fit = t->nrows;
    char a[24], lo[24], hi[24], b[24];
    const char *note;
    (void)rp;
    (void)w;
    for (size_t i = 0; i < t->nrows; i++) {
        double sp = cb_table_get(t, i, C_SPEEDUP);
        double f = cb_table_get(t, i, C_AMDAHL);
        if (isfinite(f) && (fit == t->nrows ||
                            f < cb_table_get(t, fit, C_AMDAHL)))
            fit = i;
        if (cb_table_get(t, i, CB_C_WORKERS) != wmax)
            continue;
        if (!at++)
            best = worst = i;
        if (sp > cb_table_get(t, best, C_SPEEDUP))
            best = i;
        if (sp < cb_table_get(t, worst, C_SPEEDUP))
            worst = i;
        near += sp >= 0.9 * wmax;
    }
    cb_fmt_ratio(cb_table_get(t, best, C_SPEEDUP), a, sizeof a);
    cb_fmt_ratio(cb_table_get(t, best, C_LO), lo, sizeof lo);
    cb_fmt_ratio(cb_table_get(t, best, C_HI), hi, sizeof hi);
    note = cb_table_get(t, best, C_LO) <= 1 && cb_table_get(t, best, C_HI) >= 1
               ? " (the interval holds 1: not measurably faster than the "
                 "baseline)"
               : "";
    if (at > 1) {
        cb_fmt_ratio(cb_table_get(t, worst, C_SPEEDUP), b, sizeof b);
        cb_say(s, "At %.0f workers %s reaches %s [%s, %s]%s while %s stays "
               "at %s.", wmax, cb_table_str(t, best, CB_C_SERIES), a, lo, hi,
               note,
               cb_table_str(t, worst, CB_C_SERIES), b);
        cb_say(s, "%zu of the %zu configurations there %s within 10%% of "
               "linear speedup.", near, at, near == 1 ? "is" : "are");
    } else {
        cb_say(s, "At %.0f workers %s reaches %s [%s, %s]%s.", wmax,
               cb_table_str(t, best, CB_C_SERIES), a, lo, hi, note);
    }
    if (fit < t->nrows && cb_table_get(t, fit, C_AMDAHL) > 0)
        cb_say(s, "The smallest Amdahl serial fraction is %.3g (%s): at most "
               "%.3gx on any number of workers.",
               cb_table_get(t, fit, C_AMDAHL),
               cb_table_str(t, fit, CB_C_SERIES),
               1 / cb_table_get(t, fit, C_AMDAHL));
}

const struct cb_figure cb_figure_speedup = {
    .name = "speedup",
    .title = "Speedup vs workers",
    .script = "speedup.gp",
    .scope = CB_FIG_WORKLOAD,
    .cols = CB_COLUMNS(cols),
    .what = "Speedup (the baseline's median time / the configuration's) "
            "per worker count, with 95% bootstrap intervals; dotted: "
            "linear speedup; dashed: the Amdahl fit.",
    .absent = "no configuration has a speedup (every file holds only "
              "baseline runs or timed kernels)",
    .row = row,
    .say = say,
};
