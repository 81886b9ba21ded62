/* The distribution of the samples: one strip per configuration (series
 * and worker count), every measured map time as a point at its distance
 * from the configuration's median (outliers marked), so a reader sees
 * what a median and its interval summarize. plots/samples.gp. */
#include <math.h>
#include <string.h>

#include "figure.h"
#include "units.h"

enum { C_SAMPLE = CB_C_NEXT, C_TIME, C_OUTLIER, C_MEDIAN, C_CV };

static const struct cb_column cols[] = {
    CB_COLS_RUN,
    {"sample", CB_COL_INT, 0}, /* 1.. in the order taken */
    {"time_s", CB_COL_NUM, 6},
    {"outlier", CB_COL_INT, 0},
    {"median_s", CB_COL_NUM, 6},
    {"cv", CB_COL_NUM, 4},
};

static void row(const struct cb_report *rp, const struct cb_series *s,
                const struct cb_rrun *rr, struct cb_table *t)
{
    const struct cb_run *r = rr->r;
    char name[300];
    cb_series_name_w(rp, s, r->cfg.workers, name, sizeof name);
    for (size_t k = 0; k < r->n; k++) {
        cb_fig_run_row(t, rp, s, rr);
        cb_table_text(t, CB_C_SERIES, name);
        cb_table_num(t, C_SAMPLE, (double)(k + 1));
        cb_table_num(t, C_TIME, r->samples[k]);
        cb_table_num(t, C_OUTLIER, r->d.outlier ? r->d.outlier[k] : NAN);
        cb_table_num(t, C_MEDIAN, r->d.sum.median);
        cb_table_num(t, C_CV, r->d.sum.cv);
    }
}

/* The widest spread (relative to its median), and the outliers. */
static void say(const struct cb_report *rp, const struct cb_rwork *w,
                const struct cb_table *t, struct cb_say *s)
{
    size_t wide = 0, a = 0;
    double best = -1, lo = 0, hi = 0;
    int outliers = 0, configs = 0;
    char x[24], y[24];
    (void)rp;
    (void)w;
    /* each configuration's samples are consecutive rows */
    for (size_t i = 0; i <= t->nrows; i++) {
        if (i < t->nrows && i > a &&
            cb_table_get(t, i, CB_C_WORKERS) ==
                cb_table_get(t, a, CB_C_WORKERS) &&
            !strcmp(cb_table_str(t, i, CB_C_SERIES),
                    cb_table_str(t, a, CB_C_SERIES)))
            continue;
        if (i > a) {
            double mn = INFINITY, mx = 0, m = cb_table_get(t, a, C_MEDIAN);
            for (size_t j = a; j < i; j++) {
                mn = fmin(mn, cb_table_get(t, j, C_TIME));
                mx = fmax(mx, cb_table_get(t, j, C_TIME));
                outliers += cb_table_get(t, j, C_OUTLIER) == 1;
            }
            configs++;
            if (m > 0 && (mx - mn) / m > best)
                best = (mx - mn) / m, wide = a, lo = mn, hi = mx;
        }
        a = i;
    }
    cb_fmt_time(lo, x, sizeof x);
    cb_fmt_time(hi, y, sizeof y);
    cb_say(s, "The widest spread is %s's: samples from %s to %s, %.0f%% of "
           "its median apart (CV %.1f%%).",
           cb_table_str(t, wide, CB_C_SERIES), x, y, 100 * best,
           100 * cb_table_get(t, wide, C_CV));
    cb_say(s, "%d of %zu samples in %d configurations are outliers "
           "(modified z-score above 3.5; kept in the statistics).",
           outliers, t->nrows, configs);
}

const struct cb_figure cb_figure_samples = {
    .name = "samples",
    .title = "Every sample against its median",
    .script = "samples.gp",
    .scope = CB_FIG_WORKLOAD,
    .cols = CB_COLUMNS(cols),
    .what = "Every measured map time per configuration (x: series and "
            "workers), as its distance from the configuration's median; "
            "open squares: outliers, kept in the statistics.",
    .absent = "no run has samples",
    .row = row,
    .say = say,
};
