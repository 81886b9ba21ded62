/* ceilings.tsv: every run that has a ceiling against it, whatever the
 * kernel: bytes/s against the probe's triad of the level its working set
 * fits (memory-bound kernels), speedup against linear up to the CPUs the
 * run could use (compute kernels); above 1 always with the reason. A
 * table, no figure: the page's Ceilings section says the best per kernel. */
#include <math.h>

#include "harness/figure.h"

enum { C_KIND = CB_C_NEXT, C_LEVEL, C_THREADS, C_MEDIAN, C_ACHIEVED, C_CEIL,
       C_FRACTION, C_BYTES, C_NOTE };

static const struct cb_column cols[] = {
    CB_COLS_RUN,
    {"kind", CB_COL_TEXT, 0}, /* bandwidth (bytes/s) or linear (speedup) */
    {"level", CB_COL_TEXT, 0},
    {"triad_threads", CB_COL_INT, 0},
    {"median_s", CB_COL_NUM, 6},
    {"achieved", CB_COL_NUM, 6},
    {"ceiling", CB_COL_NUM, 6},
    {"fraction", CB_COL_NUM, 4},
    {"bytes_touched", CB_COL_INT, 0},
    {"note", CB_COL_TEXT, 0},
};

static void rows(const struct cb_report *rp, const struct cb_rwork *none,
                 struct cb_table *t)
{
    (void)none;
    for (int k = 0; k < rp->nwl; k++) {
        struct cb_series *s;
        int n;
        if (cb_report_series(rp, &rp->wl[k], NULL, &s, &n)) {
            t->failed = 1;
            return;
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < s[i].n; j++) {
                const struct cb_run *r = s[i].runs[j].r;
                struct cb_rceil c;
                int bw;
                cb_report_ceiling(rp, s[i].runs[j].file, r, &c);
                if (c.kind == CB_CEIL_NONE)
                    continue;
                bw = c.kind == CB_CEIL_BANDWIDTH;
                cb_fig_run_row(t, rp, &s[i], &s[i].runs[j]);
                cb_table_text(t, C_KIND, bw ? "bandwidth" : "linear");
                cb_table_text(t, C_LEVEL, bw ? c.level : "-");
                cb_table_num(t, C_THREADS, bw ? (double)c.threads : NAN);
                cb_table_num(t, C_MEDIAN, r->d.sum.median);
                cb_table_num(t, C_ACHIEVED, c.achieved);
                cb_table_num(t, C_CEIL, c.ceiling);
                cb_table_num(t, C_FRACTION, c.fraction);
                cb_table_num(t, C_BYTES, bw ? r->bytes_touched : NAN);
                cb_table_text(t, C_NOTE, c.note);
            }
        cb_series_free(s, n);
    }
}

const struct cb_figure cb_figure_ceiling_table = {
    .name = "ceilings",
    .title = "Every run against its ceiling",
    .script = NULL,
    .scope = CB_FIG_REPORT,
    .cols = CB_COLUMNS(cols),
    .what = "Per run: bytes/s against the probe's STREAM triad of the level "
            "its working set fits (memory-bound kernels), speedup against "
            "linear (compute kernels); fraction above 1 with the reason.",
    .absent = "no run has a ceiling (no probe in the files, and no kernel "
              "that declares its work)",
    .rows = rows,
    .say = NULL,
};
