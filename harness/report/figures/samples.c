/* The distribution of the samples: one strip per configuration (series
 * and worker count), every measured map time as a point at its distance
 * from the configuration's median (outliers marked), so a reader sees
 * what a median and its interval summarize. plots/samples.gp. A
 * configuration with more than CB_SAMPLES_DRAWN samples is thinned to that
 * many order statistics, its fastest and slowest included (a strip of
 * 100,000 points says no more than 400 and takes gnuplot minutes); the
 * sentences say so, and the result file keeps every sample. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"
#include "units.h"

enum { C_SAMPLE = CB_C_NEXT, C_TIME, C_OUTLIER, C_MEDIAN, C_CV, C_ASIDE };

static const struct cb_column cols[] = {
    CB_COLS_RUN,
    {"sample", CB_COL_INT, 0}, /* 1.. in the order taken */
    {"time_s", CB_COL_NUM, 6},
    {"outlier", CB_COL_INT, 0},
    {"median_s", CB_COL_NUM, 6},
    {"cv", CB_COL_NUM, 4},
    {"set_aside", CB_COL_INT, 0}, /* 1: interfered, left out of the stats */
};

#define CB_SAMPLES_DRAWN 400

static const double *by_value; /* qsort's context: one thread, one call */
static int cmp_index(const void *a, const void *b)
{
    double x = by_value[*(const size_t *)a], y = by_value[*(const size_t *)b];
    return (x > y) - (x < y);
}

static void row(const struct cb_report *rp, const struct cb_series *s,
                const struct cb_rrun *rr, struct cb_table *t)
{
    const struct cb_run *r = rr->r;
    size_t *pick = NULL, n = r->n;
    char name[300];
    cb_series_name_w(rp, s, r->cfg.workers, name, sizeof name);
    if (n > CB_SAMPLES_DRAWN) { /* the order statistics at even ranks */
        size_t *ix = malloc(n * sizeof *ix);
        pick = malloc(CB_SAMPLES_DRAWN * sizeof *pick);
        if (!ix || !pick) {
            free(ix);
            free(pick);
            t->failed = 1;
            return;
        }
        for (size_t k = 0; k < n; k++)
            ix[k] = k;
        by_value = r->samples;
        qsort(ix, n, sizeof *ix, cmp_index);
        for (size_t k = 0; k < CB_SAMPLES_DRAWN; k++)
            pick[k] = ix[k * (n - 1) / (CB_SAMPLES_DRAWN - 1)];
        free(ix);
        n = CB_SAMPLES_DRAWN;
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = pick ? pick[i] : i;
        cb_fig_run_row(t, rp, s, rr);
        cb_table_text(t, CB_C_SERIES, name);
        cb_table_num(t, C_SAMPLE, (double)(k + 1));
        cb_table_num(t, C_TIME, r->samples[k]);
        cb_table_num(t, C_OUTLIER, r->d.outlier ? r->d.outlier[k] : NAN);
        cb_table_num(t, C_MEDIAN, r->d.sum.median);
        cb_table_num(t, C_CV, r->d.sum.cv);
        cb_table_num(t, C_ASIDE, cb_run_sample_used(r, k) ? 0 : 1);
    }
    free(pick);
}

/* Whether a configuration was thinned: its sample numbers skip. */
static int thinned(const struct cb_table *t)
{
    for (size_t i = 1; i < t->nrows; i++) {
        double a = cb_table_get(t, i - 1, C_SAMPLE),
               b = cb_table_get(t, i, C_SAMPLE);
        if (b != 1 && b != a + 1)
            return 1;
    }
    return 0;
}

/* The widest spread (relative to its median), and the outliers. */
static void say(const struct cb_report *rp, const struct cb_rwork *w,
                const struct cb_table *t, struct cb_say *s)
{
    size_t wide = 0, a = 0;
    double best = -1, lo = 0, hi = 0;
    int outliers = 0, configs = 0, aside = 0;
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
                aside += cb_table_get(t, j, C_ASIDE) == 1;
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
    if (aside)
        cb_say(s, "%d of them set aside as interfered (crosses): left out "
               "of the statistics, kept in the file.", aside);
    if (thinned(t))
        cb_say(s, "Configurations with more than %d samples are drawn as "
               "%d order statistics, fastest and slowest included (the "
               "outlier count above is of those; the result file has every "
               "sample).", CB_SAMPLES_DRAWN, CB_SAMPLES_DRAWN);
}

const struct cb_figure cb_figure_samples = {
    .name = "samples",
    .title = "Every sample against its median",
    .script = "samples.gp",
    .scope = CB_FIG_WORKLOAD,
    .cols = CB_COLUMNS(cols),
    .what = "Every measured map time per configuration (x: series and "
            "workers), as its distance from the configuration's median; "
            "open squares: outliers, kept in the statistics; crosses: "
            "samples set aside as interfered, left out of them.",
    .absent = "no run has samples",
    .row = row,
    .say = say,
};
