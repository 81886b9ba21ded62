/* The CSV export (`run --export-csv FILE`): every measured sample of the
 * sweep, one row each, in tidy form: one column per variable, so pandas'
 * read_csv or R's read.csv take it as it is (no reshaping, no nested
 * fields). Identity first (host, run id as in the JSON, kernel, size,
 * executor, runtime, the model's label, workers, pin, baseline, then one
 * column per kernel parameter `param_K` and per executor parameter
 * `exec_N` of the sweep, empty where a configuration has none), then the
 * sample: its index in order taken, seconds (the map), startup_seconds,
 * shutdown_seconds, interfered (true/false: another process took a
 * worker's CPU, interference.h), used (counted in the statistics: the
 * model sets interfered samples aside), outlier (among the used ones),
 * one `metric_M` per kernel metric
 * and one `counter_C` per perf counter when counters were read. Numbers
 * carry the JSON's 10 significant digits, so each value reads back equal
 * to the result file's. Text is cleaned (text.h), quoted when it holds a
 * comma. Written atomically at the end of the sweep (also an interrupted
 * one: the finished samples). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "counters.h"
#include "reporter.h"
#include "text.h"

#define MAX_COLS 64

/* Column names of one kind, in order of first appearance. */
struct names {
    int n;
    char v[MAX_COLS][48];
};

static void add_name(struct names *ns, const char *s)
{
    for (int i = 0; i < ns->n; i++)
        if (strcmp(ns->v[i], s) == 0)
            return;
    if (ns->n < MAX_COLS)
        snprintf(ns->v[ns->n++], sizeof ns->v[0], "%s", s);
}

/* ",text" ("text" for the first cell): cleaned, quoted when it holds a
 * comma; NULL is an empty cell. */
static void text_cell(FILE *f, const char *s, int first)
{
    char buf[1100];
    if (!first)
        fputc(',', f);
    if (!s)
        return;
    cb_text_clean(s, buf, sizeof buf, 256);
    fprintf(f, strchr(buf, ',') ? "\"%s\"" : "%s", buf);
}

/* ",number" with the JSON's precision; NaN is an empty cell. */
static void num_cell(FILE *f, double x)
{
    fputc(',', f);
    if (isfinite(x))
        fprintf(f, "%.10g", x);
}

static const char *param(const struct cb_run *r, const char *key)
{
    const json_t *v = json_object_get(r->cfg.params, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void header(FILE *f, const struct names *kp, const struct names *xp,
                   const struct names *met, int counters)
{
    char name[64];
    fputs("host,run,kernel,size,executor,runtime,label,workers,pin,"
          "baseline", f);
    for (int i = 0; i < kp->n; i++) {
        cb_text_stem(kp->v[i], name, sizeof name, "x");
        fprintf(f, ",param_%s", name);
    }
    for (int i = 0; i < xp->n; i++) {
        cb_text_stem(xp->v[i], name, sizeof name, "x");
        fprintf(f, ",exec_%s", name);
    }
    fputs(",sample,seconds,startup_seconds,shutdown_seconds,interfered,"
          "used,outlier,efficiency", f);
    /* the configuration's efficiency budget (budget.h), on each row */
    for (int k = 0; k < CB_NLOSS; k++)
        fprintf(f, ",factor_%s", cb_loss_key[k]);
    fputs(",largest_loss", f);
    for (int i = 0; i < met->n; i++) {
        cb_text_stem(met->v[i], name, sizeof name, "x");
        fprintf(f, ",metric_%s", name);
    }
    for (int k = 0; counters && k < CB_CTR_COUNT; k++)
        fprintf(f, ",counter_%s", cb_counter_name(k));
    fputc('\n', f);
}

static void sample_row(FILE *f, const char *host, const struct cb_run *r,
                       size_t i, const struct names *kp,
                       const struct names *xp, const struct names *met,
                       int counters)
{
    const json_t *ctr = r->counters ? json_array_get(r->counters, i) : NULL;
    text_cell(f, host, 1);
    fprintf(f, ",%d", r->id);
    text_cell(f, r->cfg.kernel, 0);
    text_cell(f, r->cfg.size, 0);
    text_cell(f, r->cfg.executor, 0);
    text_cell(f, r->cfg.runtime, 0);
    text_cell(f, r->d.label, 0);
    fprintf(f, ",%d", r->cfg.workers);
    text_cell(f, r->cfg.pin, 0);
    fputs(r->baseline ? ",true" : ",false", f);
    for (int k = 0; k < kp->n; k++)
        text_cell(f, param(r, kp->v[k]), 0);
    for (int k = 0; k < xp->n; k++)
        text_cell(f, cb_config_xparam(&r->cfg, xp->v[k]), 0);
    fprintf(f, ",%zu", i);
    num_cell(f, r->samples[i]);
    num_cell(f, r->startup ? r->startup[i] : NAN);
    num_cell(f, r->shutdown ? r->shutdown[i] : NAN);
    fputs(r->interfered && r->interfered[i] ? ",true" : ",false", f);
    fputs(cb_run_sample_used(r, i) ? ",true" : ",false", f);
    fputs(r->d.outlier && r->d.outlier[i] ? ",true" : ",false", f);
    num_cell(f, r->d.speedup / r->cfg.workers);
    for (int k = 0; k < CB_NLOSS; k++)
        num_cell(f, r->d.budget.ok ? r->d.budget.factor[k] : NAN);
    text_cell(f, r->d.budget.ok ? cb_loss_key[r->d.budget.largest] : NULL,
              0);
    for (int k = 0; k < met->n; k++) {
        double v = NAN;
        for (int m = 0; m < r->nmet; m++)
            if (strcmp(r->met[m].name, met->v[k]) == 0)
                v = r->met[m].v[i];
        num_cell(f, v);
    }
    for (int k = 0; counters && k < CB_CTR_COUNT; k++)
        num_cell(f, cb_json_get(ctr, cb_counter_name(k)));
    fputc('\n', f);
}

static int emit(FILE *f, const struct cb_view *v)
{
    const json_t *ctx = json_object_get(v->root, "context");
    const char *host =
        json_string_value(json_object_get(json_object_get(ctx, "host"),
                                          "hostname"));
    struct names kp = {0}, xp = {0}, met = {0};
    int counters = 0;
    for (size_t i = 0; i < v->m->nruns; i++) {
        const struct cb_run *r = &v->m->runs[i];
        const char *key;
        json_t *v;
        json_object_foreach(r->cfg.params, key, v)
            add_name(&kp, key);
        for (int k = 0; k < r->cfg.nxp; k++)
            add_name(&xp, r->cfg.xp[k].name);
        for (int m = 0; m < r->nmet; m++)
            add_name(&met, r->met[m].name);
        counters |= r->counters != NULL;
    }
    header(f, &kp, &xp, &met, counters);
    for (size_t i = 0; i < v->m->nruns; i++)
        for (size_t j = 0; j < v->m->runs[i].n; j++)
            sample_row(f, host, &v->m->runs[i], j, &kp, &xp, &met, counters);
    return 0;
}

static int csv_end(const struct cb_view *v, void *state, int complete,
                   struct cb_error *e)
{
    (void)state;
    (void)complete;
    return cb_reporter_write(v, v->o->export_csv, emit, e);
}

static int csv_wanted(const struct cb_view_opts *o)
{
    return o->export_csv != NULL;
}

const struct cb_reporter cb_reporter_csv = {
    .name = "csv",
    .wanted = csv_wanted,
    .end = csv_end,
};
