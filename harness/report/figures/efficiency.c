/* Parallel efficiency (speedup / workers) vs workers: one line per series
 * with its 95% interval, the ideal 1, the Amdahl fit. plots/efficiency.gp. */
#include <math.h>

#include "figure.h"

enum { C_EFF = CB_C_NEXT, C_LO, C_HI, C_KF, C_AMDAHL, C_PUS, C_BOUNDARY };

static const struct cb_column cols[] = {
    CB_COLS_RUN,
    {"efficiency", CB_COL_NUM, 4},
    {"efficiency_lo", CB_COL_NUM, 4},
    {"efficiency_hi", CB_COL_NUM, 4},
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
    double p = r->cfg.workers;
    if (r->baseline || !isfinite(r->d.speedup))
        return;
    cb_fig_run_row(t, rp, s, rr);
    cb_table_num(t, C_EFF, r->d.speedup / p);
    cb_table_num(t, C_LO, r->d.sp_lo / p);
    cb_table_num(t, C_HI, r->d.sp_hi / p);
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

/* At the largest worker count: the range of efficiencies, and the
 * smallest Karp-Flatt serial fraction. */
static void say(const struct cb_report *rp, const struct cb_rwork *w,
                const struct cb_table *t, struct cb_say *s)
{
    double wmax = cb_table_max(t, CB_C_WORKERS);
    size_t hi = 0, lo = 0, kf = t->nrows, at = 0;
    (void)rp;
    (void)w;
    for (size_t i = 0; i < t->nrows; i++) {
        double e = cb_table_get(t, i, C_EFF), k = cb_table_get(t, i, C_KF);
        if (cb_table_get(t, i, CB_C_WORKERS) != wmax)
            continue;
        if (!at++)
            hi = lo = i;
        hi = e > cb_table_get(t, hi, C_EFF) ? i : hi;
        lo = e < cb_table_get(t, lo, C_EFF) ? i : lo;
        if (isfinite(k) && (kf == t->nrows || k < cb_table_get(t, kf, C_KF)))
            kf = i;
    }
    if (at > 1)
        cb_say(s, "At %.0f workers efficiency ranges from %.2f (%s) to %.2f "
               "(%s).", wmax, cb_table_get(t, lo, C_EFF),
               cb_table_str(t, lo, CB_C_SERIES), cb_table_get(t, hi, C_EFF),
               cb_table_str(t, hi, CB_C_SERIES));
    else
        cb_say(s, "At %.0f workers %s runs at efficiency %.2f.", wmax,
               cb_table_str(t, hi, CB_C_SERIES), cb_table_get(t, hi, C_EFF));
    if (kf < t->nrows)
        cb_say(s, "The smallest Karp-Flatt serial fraction there is %.3g "
               "(%s); slower than serial or faster than linear, a "
               "configuration has none.", cb_table_get(t, kf, C_KF),
               cb_table_str(t, kf, CB_C_SERIES));
}

const struct cb_figure cb_figure_efficiency = {
    .name = "efficiency",
    .title = "Parallel efficiency vs workers",
    .script = "speedup.gp", /* the same lines, another column */
    .scope = CB_FIG_WORKLOAD,
    .cols = CB_COLUMNS(cols),
    .what = "Efficiency (speedup / workers) per worker count, with 95% "
            "intervals; dotted: the ideal 1; dashed: the Amdahl fit.",
    .absent = "no configuration has a speedup",
    .row = row,
    .say = say,
};
