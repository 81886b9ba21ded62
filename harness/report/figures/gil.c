/* Map time vs the GIL switch interval: one line per series and worker
 * count measured at two intervals or more, with the baseline and threads
 * without a GIL as references. CPU-bound threads under a GIL take about
 * the serial time or longer, whatever the interval. plots/gil.gp. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"
#include "units.h"

enum { C_SI = CB_C_NEXT, C_MEDIAN, C_LO, C_HI, C_SPEEDUP, C_SWITCHES,
       C_WAIT, C_BASE, C_THREADS };

static const struct cb_column cols[] = {
    CB_COLS_RUN,
    {"switch_interval_us", CB_COL_INT, 0},
    {"median_s", CB_COL_NUM, 6},
    {"median_lo_s", CB_COL_NUM, 6},
    {"median_hi_s", CB_COL_NUM, 6},
    {"speedup", CB_COL_NUM, 4},
    {"switches", CB_COL_INT, 0},
    {"lock_wait_s", CB_COL_NUM, 6},
    {"baseline_median_s", CB_COL_NUM, 6},
    {"threads_median_s", CB_COL_NUM, 6},
};

static double interval(const struct cb_run *r)
{
    const char *v = cb_config_xparam(&r->cfg, "switch_interval");
    double x = v ? strtod(v, NULL) : NAN;
    return x > 0 && isfinite(r->d.sum.median) ? x : NAN;
}

/* The median of plain threads (no GIL) of the same file, workload and
 * worker count, NaN when the file has none. */
static double threads(const struct cb_report *rp, int f,
                      const struct cb_rwork *w, int workers)
{
    const struct cb_model *m = &rp->files[f].m;
    for (size_t i = 0; i < m->nruns; i++)
        if (cb_rwork_has(w, &m->runs[i]) &&
            !strcmp(m->runs[i].cfg.executor, "threads") &&
            m->runs[i].cfg.workers == workers)
            return m->runs[i].d.sum.median;
    return NAN;
}

static void rows(const struct cb_report *rp, const struct cb_rwork *w,
                 struct cb_table *t)
{
    struct cb_series *s;
    struct cb_line *l;
    int ns, nl;
    if (cb_report_lines(rp, w, "switch_interval", interval, &s, &ns, &l, &nl))
        t->failed = 1;
    for (int i = 0; !t->failed && i < nl; i++)
        for (int j = l[i].from; j < l[i].to; j++) {
            const struct cb_rrun *rr = &l[i].s->runs[j];
            const struct cb_run *r = rr->r;
            if (!isfinite(interval(r)))
                continue;
            cb_fig_run_row(t, rp, l[i].s, rr);
            cb_table_text(t, CB_C_SERIES, l[i].name);
            cb_table_num(t, C_SI, interval(r));
            cb_table_num(t, C_MEDIAN, r->d.sum.median);
            cb_table_num(t, C_LO, r->d.sum.ci_lo);
            cb_table_num(t, C_HI, r->d.sum.ci_hi);
            cb_table_num(t, C_SPEEDUP, r->d.speedup);
            cb_table_num(t, C_SWITCHES, r->gil_switches);
            cb_table_num(t, C_WAIT, r->gil_wait);
            cb_table_num(t, C_BASE, r->d.base ? r->d.base->d.sum.median : NAN);
            cb_table_num(t, C_THREADS,
                         threads(rp, rr->file, w, r->cfg.workers));
        }
    free(l);
    cb_series_free(s, ns);
}

/* The first line from its shortest interval to its longest, and the
 * references. */
static void say(const struct cb_report *rp, const struct cb_rwork *w,
                const struct cb_table *t, struct cb_say *s)
{
    size_t last = 0;
    char a[24], b[24], c[24];
    (void)rp;
    (void)w;
    while (last + 1 < t->nrows && !strcmp(cb_table_str(t, last + 1, CB_C_SERIES),
                                          cb_table_str(t, 0, CB_C_SERIES)))
        last++;
    cb_fmt_time(cb_table_get(t, 0, C_MEDIAN), a, sizeof a);
    cb_fmt_time(cb_table_get(t, last, C_MEDIAN), b, sizeof b);
    cb_say(s, "%s takes %s at a %.0f us switch interval and %s at %.0f us "
           "(speedup %.2fx and %.2fx).", cb_table_str(t, 0, CB_C_SERIES), a,
           cb_table_get(t, 0, C_SI), b, cb_table_get(t, last, C_SI),
           cb_table_get(t, 0, C_SPEEDUP), cb_table_get(t, last, C_SPEEDUP));
    if (isfinite(cb_table_get(t, 0, C_BASE))) {
        char th[64] = "";
        cb_fmt_time(cb_table_get(t, 0, C_BASE), c, sizeof c);
        if (isfinite(cb_table_get(t, 0, C_THREADS))) {
            cb_fmt_time(cb_table_get(t, 0, C_THREADS), a, sizeof a);
            snprintf(th, sizeof th, "; threads without a GIL, %s", a);
        }
        cb_say(s, "The baseline takes %s%s.", c, th);
    }
}

const struct cb_figure cb_figure_gil = {
    .name = "gil",
    .title = "Map time vs GIL switch interval",
    .script = "gil.gp",
    .scope = CB_FIG_WORKLOAD,
    .cols = CB_COLUMNS(cols),
    .what = "Median map time per switch interval (log x; log y where the "
            "times span decades), with 95% intervals; dashed: the baseline "
            "and threads without a GIL.",
    .absent = "no GIL executor was measured at two switch intervals or more "
              "(run with --switch-interval 100,1000,5000)",
    .rows = rows,
    .say = say,
};
