/* Why not ideal: one bar per configuration with an efficiency budget
 * (harness/model/budget.h, docs/EFFICIENCY.md): its measured efficiency,
 * and above it each factor's loss, up to the ideal 1, the unexplained part
 * apart. plots/budget.gp. */
#include <math.h>
#include <string.h>

#include "figure.h"
#include "units.h"

enum {
    C_EFF = CB_C_NEXT,
    C_LOST, /* CB_NLOSS columns, in enum cb_loss order */
    C_LARGEST = C_LOST + CB_NLOSS,
    C_EXPLAINED,
    C_XFER_CHUNK,
};

static const struct cb_column cols[] = {
    CB_COLS_RUN,
    {"efficiency", CB_COL_NUM, 4},
    {"lost_computation_scaling", CB_COL_NUM, 4},
    {"lost_interference", CB_COL_NUM, 4},
    {"lost_serialisation", CB_COL_NUM, 4},
    {"lost_transfer", CB_COL_NUM, 4},
    {"lost_load_balance", CB_COL_NUM, 4},
    {"lost_unexplained", CB_COL_NUM, 4},
    {"largest", CB_COL_TEXT, 0},
    {"explained", CB_COL_INT, 0},
    {"transfer_per_chunk_s", CB_COL_NUM, 4},
};

/* What getting work cost per dispatch: the workers' active time outside
 * run() over the chunks they took; NaN where nothing was shipped. */
static double transfer_per_chunk(const struct cb_run *r)
{
    double x = 0, chunks = 0;
    for (int i = 0; r->detail && i < r->cfg.workers; i++) {
        const struct cb_worker_stats *ws = &r->detail[i];
        if (ws->span_s > ws->busy_s)
            x += ws->span_s - ws->busy_s;
        chunks += (double)ws->chunks;
    }
    return x > 0 && chunks > 0 ? x / chunks : NAN;
}

/* called for every run of the workload, series by series, by workers */
static void row(const struct cb_report *rp, const struct cb_series *s,
                const struct cb_rrun *rr, struct cb_table *t)
{
    const struct cb_budget *b = &rr->r->d.budget;
    char name[300];
    if (!b->ok)
        return;
    cb_fig_run_row(t, rp, s, rr);
    /* a bar per configuration: the series at its worker count */
    cb_series_name_w(rp, s, rr->r->cfg.workers, name, sizeof name);
    cb_table_text(t, CB_C_SERIES, name);
    cb_table_num(t, C_EFF, b->efficiency);
    for (int k = 0; k < CB_NLOSS; k++)
        cb_table_num(t, C_LOST + k, b->lost[k]);
    cb_table_text(t, C_LARGEST, cb_loss_key[b->largest]);
    cb_table_num(t, C_EXPLAINED, b->explained);
    cb_table_num(t, C_XFER_CHUNK, transfer_per_chunk(rr->r));
}

/* The index of loss `key` (a table cell), or CB_LOSS_UNEXPLAINED. */
static int loss_of(const char *key)
{
    for (int k = 0; k < CB_NLOSS; k++)
        if (!strcmp(key, cb_loss_key[k]))
            return k;
    return CB_LOSS_UNEXPLAINED;
}

/* The biggest single loss in words, and how many budgets the factors
 * explain to within the target. */
static void say(const struct cb_report *rp, const struct cb_rwork *w,
                const struct cb_table *t, struct cb_say *s)
{
    size_t best = t->nrows, nexp = 0;
    double most = 0;
    (void)rp;
    (void)w;
    for (size_t i = 0; i < t->nrows; i++) {
        double l = cb_table_get(t, i, C_LOST +
                                          loss_of(cb_table_str(t, i,
                                                               C_LARGEST)));
        if (l > most)
            most = l, best = i;
        nexp += cb_table_get(t, i, C_EXPLAINED) > 0;
    }
    if (best < t->nrows && most >= 0.005) {
        int k = loss_of(cb_table_str(t, best, C_LARGEST));
        double pc = cb_table_get(t, best, C_XFER_CHUNK);
        char v[24];
        cb_say(s, "The biggest loss: %s loses %.0f%% of the ideal to %s "
               "(efficiency %.2f).", cb_table_str(t, best, CB_C_SERIES),
               100 * most, cb_loss_words[k],
               cb_table_get(t, best, C_EFF));
        if (k == CB_LOSS_TRANSFER && isfinite(pc)) {
            cb_fmt_time(pc, v, sizeof v);
            cb_say(s, "Each dispatch cost its worker %s outside the kernel, "
                   "getting the work and handing the result back.", v);
        }
    }
    cb_say(s, "The named factors leave at most %.0f%% of the gap (or 0.02 "
           "of efficiency) unexplained for %zu of %zu configurations.",
           100 * CB_BUDGET_GAP_SHARE, nexp, t->nrows);
}

const struct cb_figure cb_figure_budget = {
    .name = "budget",
    .title = "Why not ideal: the efficiency budget",
    .script = "budget.gp",
    .scope = CB_FIG_WORKLOAD,
    .cols = CB_COLUMNS(cols),
    .what = "Per configuration, its measured efficiency (speedup / workers) "
            "and above it what each factor lost, up to the ideal 1: "
            "computation scaling, interference, serialisation (lock wait), "
            "dispatch and transfer, load balance, and what they leave "
            "unexplained (docs/EFFICIENCY.md).",
    .absent = "no configuration has a budget (a baseline and per-worker "
              "figures are needed)",
    .row = row,
    .say = say,
};
