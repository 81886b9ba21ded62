/* The run table's cells: see table.h. */
#include "table.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "text.h"
#include "units.h"

const char *const cb_table_head[CB_TC_COUNT] = {
    "kernel", "executor", "w", CB_ESTIMATOR_NAME, "+-ci%", "cv%", "speedup [95% ci]",
    "eff", "lost", "startup", "notes"};
const unsigned char cb_table_numeric[CB_TC_COUNT] = {0, 0, 1, 1, 1, 1, 0,
                                                     1, 0, 1, 0};

void cb_table_note(char *notes, size_t len, const char *fmt, ...)
{
    size_t l = strlen(notes);
    va_list ap;
    if (l && l + 1 < len)
        notes[l++] = ' ';
    va_start(ap, fmt);
    vsnprintf(notes + l, len - l, fmt, ap);
    va_end(ap);
}

static void row_notes(const struct cb_run *r, char *notes, size_t len)
{
    const struct cb_kernel *k = cb_kernel_find(r->cfg.kernel);
    const json_t *wv;
    size_t wi;
    double shipped = (double)(r->bytes_to + r->bytes_from);
    char v[32];
    if (r->error[0]) {
        char err[160];
        cb_text_clean(r->error, err, sizeof err, 120);
        cb_table_note(notes, len, "FAILED: %s", err);
    }
    json_array_foreach(r->warnings, wi, wv) {
        cb_text_clean(json_string_value(json_object_get(wv, "code")), v,
                      sizeof v, 24);
        cb_table_note(notes, len, "%s", v);
    }
    /* weak scaling: the size this point ran, its speedup scaled */
    if (r->base_params)
        cb_table_note(notes, len, "weak: %zu tasks", r->tasks);
    if (!r->n)
        return;
    /* what the sampling did: samples set aside, a stop short of its aim */
    if (r->d.aside)
        cb_table_note(notes, len, "aside=%zu/%zu", r->d.aside, r->n);
    if (!strcmp(r->stop, "max-samples") || !strcmp(r->stop, "max-time"))
        cb_table_note(notes, len, "stop=%s", r->stop);
    /* the price of not pinning: workers moved between CPUs (perf's
     * cpu-migrations over the median sample) */
    if (!r->planned && r->counters && r->d.median_sample >= 0) {
        double mig = cb_json_get(json_array_get(r->counters,
                                                (size_t)r->d.median_sample),
                                 "cpu_migrations");
        if (mig > 0)
            cb_table_note(notes, len, "migr=%.0f", mig);
    }
    if (k && k->flags & CB_KERNEL_NO_WORK) {
        cb_fmt_time(r->d.per_task, v, sizeof v);
        cb_table_note(notes, len, "%s/task", v);
    }
    if (isfinite(r->d.imbalance) && r->d.imbalance > 1.05)
        cb_table_note(notes, len, "imbalance=%.2f", r->d.imbalance);
    if (shipped > 0) {
        cb_fmt_bytes(shipped, v, sizeof v);
        cb_table_note(notes, len, "shipped=%s", v);
    }
    for (int m = 0; m < r->nmet; m++) {
        /* a metric, and its ratio to the same runtime's baseline */
        double mv = r->d.met_median[m], bv = r->d.met_base[m];
        char name[40];
        if (strcmp(r->met[m].unit, "s") == 0)
            cb_fmt_time(mv, v, sizeof v);
        else
            snprintf(v, sizeof v, "%.4g", mv);
        cb_text_clean(r->met[m].name, name, sizeof name, 30);
        cb_table_note(notes, len, "%s=%s", name, v);
        if (!r->baseline && isfinite(bv) && bv > 0)
            cb_table_note(notes, len, "(x%.3g)", mv / bv);
    }
    if (isfinite(r->gil_switches) && r->gil_switches > 0)
        cb_table_note(notes, len, "switches=%.0f wait=%.0f%%",
                      r->gil_switches, r->d.sum.est > 0
                          ? 100 * r->gil_wait /
                                (r->cfg.workers * r->d.sum.est)
                          : 0.0);
}

void cb_run_cells(const struct cb_run *r, const char *kernel,
                  struct cb_run_cells *row)
{
    const struct cb_summary *sum = &r->d.sum;
    char(*c)[320] = row->cell;
    for (int i = 0; i < CB_TC_COUNT; i++)
        snprintf(c[i], sizeof c[i], "-");
    c[CB_TC_NOTES][0] = '\0';
    cb_text_clean(kernel ? kernel : r->cfg.kernel, c[CB_TC_KERNEL],
                  sizeof c[0], 96);
    snprintf(c[CB_TC_LABEL], sizeof c[0], "%s", r->d.label);
    snprintf(c[CB_TC_WORKERS], sizeof c[0], "%d", r->cfg.workers);
    cb_fmt_time(sum->est, c[CB_TC_MEDIAN], sizeof c[0]);
    cb_fmt_time(r->n ? cb_median(r->startup, r->n) : NAN, c[CB_TC_STARTUP],
                sizeof c[0]);
    if (isfinite(cb_summary_half_width(sum)))
        snprintf(c[CB_TC_CI], sizeof c[0], "%.1f",
                 100 * cb_summary_half_width(sum));
    if (isfinite(sum->cv))
        snprintf(c[CB_TC_CV], sizeof c[0], "%.1f", 100 * sum->cv);
    if (isfinite(r->d.speedup)) {
        snprintf(c[CB_TC_SPEEDUP], sizeof c[0], "%5.2f [%.2f-%.2f]",
                 r->d.speedup, r->d.sp_lo, r->d.sp_hi);
        snprintf(c[CB_TC_EFF], sizeof c[0], "%.2f",
                 r->d.speedup / r->cfg.workers);
    }
    /* why not ideal: the largest loss of the budget (budget.h) */
    if (r->d.budget.ok)
        cb_budget_cell(&r->d.budget, c[CB_TC_LOST], sizeof c[0]);
    row_notes(r, c[CB_TC_NOTES], sizeof c[0]);
}
