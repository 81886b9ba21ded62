/* corebench report: the runs of a workload (which belong to it, the best
 * at the largest worker count), grouped the way figures draw
 * them (see report.h): series (one line each), lines over an executor
 * parameter, and the row every run-per-row figure starts with. */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"
#include "results.h"
#include "text.h"
#include "units.h"

/* ---- the runs of a workload ----------------------------------------------- */

int cb_rwork_has(const struct cb_rwork *w, const struct cb_run *r)
{
    return strcmp(w->kernel, r->cfg.kernel) == 0 &&
           strcmp(w->size, r->cfg.size) == 0 &&
           json_equal((json_t *)w->params, cb_run_group_params(r));
}

/* Best run of file f and workload w at that file's largest worker count
 * of the workload: the highest speedup. NULL when none has one. */
const struct cb_run *cb_report_best(const struct cb_report *rp, int f,
                                    const struct cb_rwork *w, int *wmax)
{
    const struct cb_model *m = &rp->files[f].m;
    const struct cb_run *best = NULL;
    *wmax = 0;
    for (size_t i = 0; i < m->nruns; i++)
        if (cb_rwork_has(w, &m->runs[i]) && m->runs[i].cfg.workers > *wmax)
            *wmax = m->runs[i].cfg.workers;
    for (size_t i = 0; i < m->nruns; i++) {
        const struct cb_run *r = &m->runs[i];
        if (cb_rwork_has(w, r) && r->cfg.workers == *wmax &&
            !r->baseline && isfinite(r->d.speedup) &&
            (!best || r->d.speedup > best->d.speedup))
            best = r;
    }
    return best;
}

void cb_report_speedup_text(const struct cb_run *r, char *buf, size_t len)
{
    char a[24], lo[24], hi[24];
    cb_fmt_ratio(r->d.speedup, a, sizeof a);
    cb_fmt_ratio(r->d.sp_lo, lo, sizeof lo);
    cb_fmt_ratio(r->d.sp_hi, hi, sizeof hi);
    snprintf(buf, len, "%s [%s, %s]", a, lo, hi);
}

/* ---- series --------------------------------------------------------------- */

static int exec_rank(const char *name)
{
    int i = 0;
    while (cb_executors[i] && strcmp(cb_executors[i]->name, name) != 0)
        i++;
    return i;
}

/* r's label without executor parameter `drop`. */
static void label_without(const struct cb_run *r, const char *drop,
                          char *buf, size_t len)
{
    struct cb_config c = r->cfg;
    int j = 0;
    if (!drop) {
        snprintf(buf, len, "%s", r->d.label);
        return;
    }
    for (int i = 0; i < r->cfg.nxp; i++)
        if (strcmp(r->cfg.xp[i].name, drop) != 0)
            c.xp[j++] = r->cfg.xp[i];
    c.nxp = j;
    cb_config_label(&c, buf, len);
}

static const char *series_drop; /* the sort's context */

static double drop_value(const struct cb_run *r)
{
    const char *v = series_drop ? cb_config_xparam(&r->cfg, series_drop)
                                : NULL;
    /* chunksize "auto" and other words sort after every count */
    return v ? (strtod(v, NULL) > 0 ? strtod(v, NULL) : INFINITY) : 0;
}

static int cmp_runs(const void *pa, const void *pb)
{
    const struct cb_rrun *a = pa, *b = pb;
    double x, y;
    if (a->r->cfg.workers != b->r->cfg.workers)
        return a->r->cfg.workers < b->r->cfg.workers ? -1 : 1;
    x = drop_value(a->r), y = drop_value(b->r);
    return (x > y) - (x < y);
}

static int cmp_series(const void *pa, const void *pb)
{
    const struct cb_series *a = pa, *b = pb;
    int x = exec_rank(a->runs[0].r->cfg.executor),
        y = exec_rank(b->runs[0].r->cfg.executor), c;
    if (x != y)
        return x < y ? -1 : 1;
    if ((c = strverscmp(a->label, b->label))) /* c=64 before c=1024 */
        return c;
    if ((c = strcmp(a->runs[0].r->cfg.pin, b->runs[0].r->cfg.pin)))
        return c;
    return (a->file > b->file) - (a->file < b->file);
}

int cb_report_series(const struct cb_report *rp, const struct cb_rwork *w,
                     const char *drop, struct cb_series **out, int *nout)
{
    struct cb_series *s = NULL;
    int n = 0, pins = 0;
    *out = NULL;
    *nout = 0;
    /* pins named where one file ran the workload under several: files
     * that differ in pin are machines that differ, as in host */
    for (int f = 0; f < rp->nfiles; f++) {
        const char *pin0 = NULL;
        for (size_t i = 0; i < rp->files[f].m.nruns; i++) {
            const struct cb_run *r = &rp->files[f].m.runs[i];
            struct cb_rrun *rr;
            char lbl[160];
            int k;
            if (!cb_rwork_has(w, r))
                continue;
            pins |= pin0 && strcmp(pin0, r->cfg.pin) != 0;
            pin0 = pin0 ? pin0 : r->cfg.pin;
            label_without(r, drop, lbl, sizeof lbl);
            for (k = 0; k < n; k++)
                if (s[k].file == f && strcmp(s[k].label, lbl) == 0 &&
                    strcmp(s[k].runs[0].r->cfg.pin, r->cfg.pin) == 0)
                    break;
            if (k == n) {
                struct cb_series *g = realloc(s, (size_t)(n + 1) * sizeof *g);
                if (!g)
                    goto oom;
                s = g;
                memset(&s[n], 0, sizeof s[n]);
                s[n].file = f;
                snprintf(s[n].label, sizeof s[n].label, "%s", lbl);
                n++;
            }
            rr = realloc(s[k].runs, (size_t)(s[k].n + 1) * sizeof *rr);
            if (!rr)
                goto oom;
            s[k].runs = rr;
            s[k].runs[s[k].n++] = (struct cb_rrun){f, r};
        }
    }
    series_drop = drop;
    for (int k = 0; k < n; k++) {
        char pin[40] = "";
        qsort(s[k].runs, (size_t)s[k].n, sizeof *s[k].runs, cmp_runs);
        if (pins)
            cb_text_clean(s[k].runs[0].r->cfg.pin, pin, sizeof pin, 24);
        snprintf(s[k].key, sizeof s[k].key, "%s%s%s", s[k].label,
                 pins ? " pin=" : "", pin);
        snprintf(s[k].name, sizeof s[k].name, "%s%s%s", s[k].key,
                 rp->nfiles > 1 ? " @ " : "",
                 rp->nfiles > 1 ? rp->files[s[k].file].tag : "");
    }
    qsort(s, (size_t)n, sizeof *s, cmp_series);
    *out = s;
    *nout = n;
    return 0;
oom:
    cb_series_free(s, n);
    return CB_ENOMEM;
}

void cb_series_name_w(const struct cb_report *rp, const struct cb_series *s,
                      int workers, char *buf, size_t len)
{
    snprintf(buf, len, "%s w=%d%s%s", s->key, workers,
             rp->nfiles > 1 ? " @ " : "",
             rp->nfiles > 1 ? rp->files[s->file].tag : "");
}

void cb_series_free(struct cb_series *s, int n)
{
    for (int k = 0; s && k < n; k++)
        free(s[k].runs);
    free(s);
}

static double (*line_value)(const struct cb_run *); /* the sort's context */

static int cmp_value(const void *pa, const void *pb)
{
    double x = line_value(((const struct cb_rrun *)pa)->r),
           y = line_value(((const struct cb_rrun *)pb)->r);
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

int cb_report_lines(const struct cb_report *rp, const struct cb_rwork *w,
                    const char *param, double (*value)(const struct cb_run *),
                    struct cb_series **series, int *ns,
                    struct cb_line **lines, int *nl)
{
    struct cb_line *l = NULL;
    *lines = NULL;
    *nl = 0;
    if (cb_report_series(rp, w, param, series, ns))
        return CB_ENOMEM;
    line_value = value;
    for (int i = 0; i < *ns; i++) {
        struct cb_series *s = &(*series)[i];
        for (int a = 0, b; a < s->n; a = b) {
            int distinct = 0;
            double last = NAN;
            for (b = a; b < s->n && s->runs[b].r->cfg.workers ==
                                        s->runs[a].r->cfg.workers;)
                b++;
            qsort(s->runs + a, (size_t)(b - a), sizeof *s->runs, cmp_value);
            for (int j = a; j < b; j++) {
                double v = value(s->runs[j].r);
                distinct += isfinite(v) && v != last;
                last = isfinite(v) ? v : last;
            }
            if (distinct < 2)
                continue;
            if (!(l = realloc(*lines, (size_t)(*nl + 1) * sizeof *l)))
                return CB_ENOMEM;
            *lines = l;
            l += (*nl)++;
            l->s = s;
            l->from = a;
            l->to = b;
            cb_series_name_w(rp, s, s->runs[a].r->cfg.workers, l->name,
                             sizeof l->name);
        }
    }
    return 0;
}

double cb_report_amdahl(const struct cb_report *rp, int file,
                        const struct cb_run *r)
{
    size_t i;
    const json_t *fit;
    json_array_foreach(rp->files[file].fits, i, fit)
    {
        const char *k = json_string_value(json_object_get(fit, "kernel"));
        const char *x = json_string_value(json_object_get(fit, "executor"));
        const char *s = json_string_value(json_object_get(fit, "size"));
        const char *v = json_string_value(json_object_get(fit, "variant"));
        if (k && x && s && v && !strcmp(k, r->cfg.kernel) &&
            !strcmp(x, r->cfg.executor) && !strcmp(s, r->cfg.size) &&
            !strcmp(v, r->d.label))
            return cb_json_get(fit, "serial_fraction");
    }
    return NAN;
}

void cb_fig_run_row(struct cb_table *t, const struct cb_report *rp,
                    const struct cb_series *s, const struct cb_rrun *rr)
{
    cb_table_row(t);
    cb_table_text(t, CB_C_KERNEL, rr->r->cfg.kernel);
    cb_table_text(t, CB_C_SERIES, s->name);
    cb_table_text(t, CB_C_MACHINE, rp->files[rr->file].tag);
    cb_table_num(t, CB_C_WORKERS, rr->r->cfg.workers);
}

double cb_report_median(const double *x, size_t n)
{
    return x && n ? cb_median(x, n) : NAN;
}

void cb_fig_each_run(const struct cb_report *rp, const struct cb_rwork *w,
                     const struct cb_figure *fig, struct cb_table *t)
{
    for (int k = 0; k < rp->nwl && !t->failed; k++) {
        struct cb_series *s;
        int n;
        if (w && w != &rp->wl[k])
            continue;
        if (cb_report_series(rp, &rp->wl[k], NULL, &s, &n)) {
            t->failed = 1;
            return;
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < s[i].n; j++)
                fig->row(rp, &s[i], &s[i].runs[j], t);
        cb_series_free(s, n);
    }
}
