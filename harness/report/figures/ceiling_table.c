/* ceilings.tsv: every run that has a ceiling against it, whatever the
 * kernel: bytes/s against the probe's triad of the level its working set
 * fits (memory-bound kernels), speedup against linear up to the CPUs the
 * run could use (compute kernels); above 1 always with the reason. A
 * table, no figure: the page's Ceilings section says the best per kernel. */
#include <math.h>

#include "figure.h"

enum { C_KIND = CB_C_NEXT, C_LEVEL, C_THREADS, C_MEDIAN, C_ACHIEVED, C_CEIL,
       C_CEIL_LO, C_FRACTION, C_BYTES, C_NOTE };

static const struct cb_column cols[] = {
    CB_COLS_RUN,
    {"kind", CB_COL_TEXT, 0}, /* bandwidth (bytes/s) or linear (speedup) */
    {"level", CB_COL_TEXT, 0},
    {"triad_threads", CB_COL_INT, 0},
    {"median_s", CB_COL_NUM, 6},
    {"achieved", CB_COL_NUM, 6},
    {"ceiling", CB_COL_NUM, 6},
    /* bandwidth: the triad point's median repetition (ceiling: its best) */
    {"ceiling_lo", CB_COL_NUM, 6},
    {"fraction", CB_COL_NUM, 4},
    {"bytes_touched", CB_COL_INT, 0},
    {"note", CB_COL_TEXT, 0},
};

static void row(const struct cb_report *rp, const struct cb_series *s,
                const struct cb_rrun *rr, struct cb_table *t)
{
    const struct cb_run *r = rr->r;
    struct cb_rceil c;
    int bw;
    cb_report_ceiling(rp, rr->file, r, &c);
    if (c.kind == CB_CEIL_NONE)
        return;
    bw = c.kind == CB_CEIL_BANDWIDTH;
    cb_fig_run_row(t, rp, s, rr);
    cb_table_text(t, C_KIND, bw ? "bandwidth" : "linear");
    cb_table_text(t, C_LEVEL, bw ? c.level : "-");
    cb_table_num(t, C_THREADS, bw ? (double)c.threads : NAN);
    cb_table_num(t, C_MEDIAN, r->d.sum.median);
    cb_table_num(t, C_ACHIEVED, c.achieved);
    cb_table_num(t, C_CEIL, c.ceiling);
    cb_table_num(t, C_CEIL_LO, c.ceiling_lo);
    cb_table_num(t, C_FRACTION, c.fraction);
    cb_table_num(t, C_BYTES, bw ? r->bytes_touched : NAN);
    cb_table_text(t, C_NOTE, c.note);
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
    .row = row,
    .say = NULL,
};
