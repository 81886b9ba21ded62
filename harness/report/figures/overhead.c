/* Time per task vs chunksize (log-log): one line per series and worker
 * count measured at two chunksizes or more, with the baseline's time per
 * task as the reference. Small chunks pay the per-task dispatch (and, for
 * process pools, shipping) on every task; large chunks amortize it.
 * plots/overhead.gp. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"
#include "units.h"

enum { C_CHUNK = CB_C_NEXT, C_PER_TASK, C_MEDIAN, C_TASKS, C_BASE };

static const struct cb_column cols[] = {
    CB_COLS_RUN,
    {"chunksize", CB_COL_INT, 0},
    {"per_task_s", CB_COL_NUM, 6},
    {"median_s", CB_COL_NUM, 6},
    {"tasks", CB_COL_INT, 0},
    {"baseline_per_task_s", CB_COL_NUM, 6},
};

/* The chunk size that ran: what the executor resolved, else the count
 * asked for ("auto" without a resolved size: not on the axis). */
static double chunk(const struct cb_run *r)
{
    struct cb_chunk c = cb_config_chunk(&r->cfg);
    if (!cb_config_xparam(&r->cfg, "chunksize") || !isfinite(r->d.per_task))
        return NAN;
    if (r->chunk_used > 0)
        return (double)r->chunk_used;
    return c.kind == CB_CHUNK_COUNT ? (double)c.count : NAN;
}

static void rows(const struct cb_report *rp, const struct cb_rwork *w,
                 struct cb_table *t)
{
    struct cb_series *s;
    struct cb_line *l;
    int ns, nl;
    if (cb_report_lines(rp, w, "chunksize", chunk, &s, &ns, &l, &nl))
        t->failed = 1;
    for (int i = 0; !t->failed && i < nl; i++)
        for (int j = l[i].from; j < l[i].to; j++) {
            const struct cb_run *r = l[i].s->runs[j].r;
            const struct cb_run *b = r->d.base;
            if (!isfinite(chunk(r)))
                continue;
            cb_fig_run_row(t, rp, l[i].s, &l[i].s->runs[j]);
            cb_table_text(t, CB_C_SERIES, l[i].name);
            cb_table_num(t, C_CHUNK, chunk(r));
            cb_table_num(t, C_PER_TASK, r->d.per_task);
            cb_table_num(t, C_MEDIAN, r->d.sum.median);
            cb_table_num(t, C_TASKS, (double)r->tasks);
            cb_table_num(t, C_BASE, b ? b->d.per_task : NAN);
        }
    free(l);
    cb_series_free(s, ns);
}

/* The line that pays the most per task at its smallest chunksize: what it
 * takes there and at its largest; the baseline beside it. */
static void say(const struct cb_report *rp, const struct cb_rwork *w,
                const struct cb_table *t, struct cb_say *s)
{
    size_t worst = 0, last;
    char a[24], b[24], c[24];
    (void)rp;
    (void)w;
    /* each line's rows are consecutive, by chunksize: its first row has
     * the smallest */
    for (size_t i = 1; i < t->nrows; i++)
        if (strcmp(cb_table_str(t, i, CB_C_SERIES),
                   cb_table_str(t, i - 1, CB_C_SERIES)) != 0 &&
            cb_table_get(t, i, C_PER_TASK) > cb_table_get(t, worst, C_PER_TASK))
            worst = i;
    for (last = worst; last + 1 < t->nrows &&
                       !strcmp(cb_table_str(t, last + 1, CB_C_SERIES),
                               cb_table_str(t, worst, CB_C_SERIES));)
        last++;
    cb_fmt_time(cb_table_get(t, worst, C_PER_TASK), a, sizeof a);
    cb_fmt_time(cb_table_get(t, last, C_PER_TASK), b, sizeof b);
    cb_say(s, "%s takes %s per task at chunksize %.0f and %s at chunksize "
           "%.0f.", cb_table_str(t, worst, CB_C_SERIES), a,
           cb_table_get(t, worst, C_CHUNK), b, cb_table_get(t, last, C_CHUNK));
    if (isfinite(cb_table_get(t, worst, C_BASE))) {
        cb_fmt_time(cb_table_get(t, worst, C_BASE), c, sizeof c);
        cb_say(s, "The baseline takes %s per task: the rest is the price of "
               "handing tasks out%s.", c,
               strcmp(cb_table_str(t, worst, CB_C_KERNEL), "empty")
                   ? " (and of running them side by side)"
                   : "");
    }
}

const struct cb_figure cb_figure_overhead = {
    .name = "overhead",
    .title = "Time per task vs chunksize",
    .script = "overhead.gp",
    .scope = CB_FIG_WORKLOAD,
    .cols = CB_COLUMNS(cols),
    .what = "Median map time / tasks, per chunksize (tasks per dispatch), "
            "log-log; dashed: the baseline's time per task.",
    .absent = "no kernel was measured at two chunksizes or more (run with "
              "--chunksize 1,16,256)",
    .rows = rows,
    .say = say,
};
