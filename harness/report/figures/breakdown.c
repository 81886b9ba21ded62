/* Where the time goes: one stacked bar per series at its largest worker
 * count (the baseline too): pool start-up, the map (split into the mean
 * time a worker waited for a lock, and the rest), pool shutdown; bytes
 * shipped per map above the bar. plots/breakdown.gp. */
#include <math.h>

#include "figure.h"
#include "units.h"

enum { C_START = CB_C_NEXT, C_MAP, C_WAIT, C_STOP, C_TO, C_FROM };

static const struct cb_column cols[] = {
    CB_COLS_RUN,
    {"startup_s", CB_COL_NUM, 6},
    {"map_s", CB_COL_NUM, 6},
    {"lock_wait_s", CB_COL_NUM, 6},
    {"shutdown_s", CB_COL_NUM, 6},
    {"bytes_to_workers", CB_COL_INT, 0},
    {"bytes_from_workers", CB_COL_INT, 0},
};

/* Lock wait as wall time: the mean over workers of each one's wait (each
 * waits while the others run), so it stacks against the map time; the
 * per-map GIL total spread over the workers where there is no detail. */
static double lock_wait(const struct cb_run *r)
{
    double sum = 0;
    int n = 0;
    for (int i = 0; r->detail && i < r->cfg.workers; i++)
        if (isfinite(r->detail[i].lock_wait_s))
            sum += r->detail[i].lock_wait_s, n++;
    if (n)
        return sum / n;
    return isfinite(r->gil_wait) ? r->gil_wait / r->cfg.workers : NAN;
}

static void rows(const struct cb_report *rp, const struct cb_rwork *w,
                 struct cb_table *t)
{
    struct cb_series *s;
    int n;
    if (cb_report_series(rp, w, NULL, &s, &n)) {
        t->failed = 1;
        return;
    }
    for (int i = 0; i < n; i++) {
        const struct cb_rrun *rr = &s[i].runs[s[i].n - 1]; /* most workers */
        const struct cb_run *r = rr->r;
        char name[300];
        if (!r->n)
            continue;
        cb_fig_run_row(t, rp, &s[i], rr);
        cb_series_name_w(rp, &s[i], r->cfg.workers, name, sizeof name);
        cb_table_text(t, CB_C_SERIES, name);
        cb_table_num(t, C_START, cb_report_median(r->startup, r->n));
        cb_table_num(t, C_MAP, r->d.sum.median);
        cb_table_num(t, C_WAIT, lock_wait(r));
        cb_table_num(t, C_STOP, cb_report_median(r->shutdown, r->n));
        cb_table_num(t, C_TO, (double)r->bytes_to);
        cb_table_num(t, C_FROM, (double)r->bytes_from);
    }
    cb_series_free(s, n);
}

/* The largest start-up share, the largest lock wait, the most shipped. */
static void say(const struct cb_report *rp, const struct cb_rwork *w,
                const struct cb_table *t, struct cb_say *s)
{
    size_t st = 0, wt = t->nrows, sh = t->nrows;
    double best_st = -1, best_wt = 0, best_sh = 0;
    char a[24], b[24];
    (void)rp;
    (void)w;
    for (size_t i = 0; i < t->nrows; i++) {
        double su = cb_table_get(t, i, C_START), m = cb_table_get(t, i, C_MAP);
        double sd = cb_table_get(t, i, C_STOP), lw = cb_table_get(t, i, C_WAIT);
        double tot = (isfinite(su) ? su : 0) + m + (isfinite(sd) ? sd : 0);
        double bytes = cb_table_get(t, i, C_TO) + cb_table_get(t, i, C_FROM);
        if (isfinite(su) && tot > 0 && su / tot > best_st)
            best_st = su / tot, st = i;
        if (isfinite(lw) && m > 0 && lw / m > best_wt)
            best_wt = lw / m, wt = i;
        if (bytes > best_sh)
            best_sh = bytes, sh = i;
    }
    if (best_st >= 0) {
        cb_fmt_time(cb_table_get(t, st, C_START), a, sizeof a);
        cb_say(s, "Pool start-up weighs most for %s: %s, %.1f%% of start-up, "
               "map and shutdown.", cb_table_str(t, st, CB_C_SERIES), a,
               100 * best_st);
    }
    if (wt < t->nrows && best_wt >= 0.01)
        cb_say(s, "%s waits for a lock %.0f%% of its map time (mean per "
               "worker).", cb_table_str(t, wt, CB_C_SERIES), 100 * best_wt);
    if (sh < t->nrows) {
        cb_fmt_bytes(best_sh, b, sizeof b);
        cb_say(s, "%s ships the most: %s per map.",
               cb_table_str(t, sh, CB_C_SERIES), b);
    }
}

const struct cb_figure cb_figure_breakdown = {
    .name = "breakdown",
    .title = "Time breakdown at the largest worker count",
    .script = "breakdown.gp",
    .scope = CB_FIG_WORKLOAD,
    .cols = CB_COLUMNS(cols),
    .what = "Medians per series at its largest worker count: pool start-up, "
            "the map (the part a worker spent waiting for a lock apart), "
            "pool shutdown; above each bar, the bytes shipped per map.",
    .absent = "no run has samples",
    .rows = rows,
    .say = say,
};
