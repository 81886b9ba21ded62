/* The same kernel on several machines (one per result file): per series
 * at each machine's largest worker count, the median time (absolute: how
 * fast the machine is) beside the speedup (relative: how well it scales),
 * the machines labelled by host and topology. plots/machines.gp. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "figure.h"
#include "text.h"
#include "units.h"

enum { C_BASELINE = CB_C_NEXT, C_MEDIAN, C_MLO, C_MHI, C_SPEEDUP, C_LO,
       C_HI };

static const struct cb_column cols[] = {
    CB_COLS_RUN,
    {"baseline", CB_COL_INT, 0},
    {"median_s", CB_COL_NUM, 6},
    {"median_lo_s", CB_COL_NUM, 6},
    {"median_hi_s", CB_COL_NUM, 6},
    {"speedup", CB_COL_NUM, 4},
    {"speedup_lo", CB_COL_NUM, 4},
    {"speedup_hi", CB_COL_NUM, 4},
};

static void rows(const struct cb_report *rp, const struct cb_rwork *w,
                 struct cb_table *t)
{
    struct cb_series *s;
    int n, files = 0;
    if (rp->nfiles < 2)
        return;
    if (cb_report_series(rp, w, NULL, &s, &n)) {
        t->failed = 1;
        return;
    }
    /* how many files have runs of w (series are per file) */
    for (int f = 0; f < rp->nfiles; f++)
        for (int i = 0; i < n; i++)
            if (s[i].file == f) {
                files++;
                break;
            }
    for (int i = 0; files > 1 && i < n; i++) {
        const struct cb_rrun *rr = &s[i].runs[s[i].n - 1]; /* most workers */
        const struct cb_run *r = rr->r;
        if (!r->n)
            continue;
        cb_fig_run_row(t, rp, &s[i], rr);
        cb_table_text(t, CB_C_SERIES, s[i].key);
        cb_table_text(t, CB_C_MACHINE, rp->files[rr->file].machine);
        cb_table_num(t, C_BASELINE, r->baseline);
        cb_table_num(t, C_MEDIAN, r->d.sum.median);
        cb_table_num(t, C_MLO, r->d.sum.ci_lo);
        cb_table_num(t, C_MHI, r->d.sum.ci_hi);
        cb_table_num(t, C_SPEEDUP, r->baseline ? 1.0 : r->d.speedup);
        cb_table_num(t, C_LO, r->baseline ? NAN : r->d.sp_lo);
        cb_table_num(t, C_HI, r->baseline ? NAN : r->d.sp_hi);
    }
    cb_series_free(s, n);
}

/* Per machine: the baseline's time, and the best speedup with its
 * configuration. */
static void say(const struct cb_report *rp, const struct cb_rwork *w,
                const struct cb_table *t, struct cb_say *s)
{
    char base[600] = "", best[700] = "";
    size_t bl = 0, sl = 0;
    (void)w;
    for (int f = 0; f < rp->nfiles; f++) {
        char m[200], a[24];
        size_t b = t->nrows, x = t->nrows;
        cb_text_clean(rp->files[f].machine, m, sizeof m, 0);
        for (size_t i = 0; i < t->nrows; i++) {
            if (strcmp(cb_table_str(t, i, CB_C_MACHINE), m))
                continue;
            if (cb_table_get(t, i, C_BASELINE) == 1 && b == t->nrows)
                b = i;
            else if (cb_table_get(t, i, C_BASELINE) == 0 &&
                     isfinite(cb_table_get(t, i, C_SPEEDUP)) &&
                     (x == t->nrows || cb_table_get(t, i, C_SPEEDUP) >
                                           cb_table_get(t, x, C_SPEEDUP)))
                x = i;
        }
        if (b < t->nrows && bl < sizeof base) {
            cb_fmt_time(cb_table_get(t, b, C_MEDIAN), a, sizeof a);
            bl += (size_t)snprintf(base + bl, sizeof base - bl, "%s%s on %s",
                                   bl ? ", " : "", a, rp->files[f].tag);
        }
        if (x < t->nrows && sl < sizeof best) {
            cb_fmt_ratio(cb_table_get(t, x, C_SPEEDUP), a, sizeof a);
            sl += (size_t)snprintf(best + sl, sizeof best - sl,
                                   "%s%s on %s (%s at %.0f workers)",
                                   sl ? ", " : "",
                                   cb_table_str(t, x, CB_C_SERIES),
                                   rp->files[f].tag, a,
                                   cb_table_get(t, x, CB_C_WORKERS));
        }
    }
    if (bl)
        cb_say(s, "The baseline takes %s.", base);
    if (sl)
        cb_say(s, "The best speedup per machine: %s.", best);
}

const struct cb_figure cb_figure_machines = {
    .name = "machines",
    .title = "Machines compared",
    .script = "machines.gp",
    .scope = CB_FIG_WORKLOAD,
    .cols = CB_COLUMNS(cols),
    .what = "Per machine (host and topology) and configuration, at that "
            "machine's largest worker count: the median time (left, with "
            "95% intervals) and the speedup over the same machine's "
            "baseline (right).",
    .absent = "one machine only (give report several result files to "
              "compare machines)",
    .rows = rows,
    .say = say,
};
