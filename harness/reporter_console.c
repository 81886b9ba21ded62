/* The console reporter: the table `corebench run` prints, one block per
 * kernel as it finishes, with the Amdahl fits and each other runtime's
 * serial time against C's. Every figure comes from the model's derived
 * values; every string is cleaned. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reporter.h"
#include "text.h"

static void fmt_time(double t, char *buf, size_t len)
{
    if (!isfinite(t))
        snprintf(buf, len, "-");
    else if (t >= 1)
        snprintf(buf, len, "%.3f s", t);
    else if (t >= 1e-3)
        snprintf(buf, len, "%.2f ms", t * 1e3);
    else
        snprintf(buf, len, "%.2f us", t * 1e6);
}

/* Appends " text" (no blank first) to notes. */
static void note(char *notes, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(char *notes, size_t len, const char *fmt, ...)
{
    size_t l = strlen(notes);
    va_list ap;
    if (l && l + 1 < len)
        notes[l++] = ' ';
    va_start(ap, fmt);
    vsnprintf(notes + l, len - l, fmt, ap);
    va_end(ap);
}

static void row_notes(const struct cb_sweep *s, size_t i, char *notes,
                      size_t len)
{
    const struct cb_run *r = &s->m.runs[i];
    const json_t *wv;
    size_t wi;
    double shipped = (double)(r->bytes_to + r->bytes_from);
    if (r->error[0]) {
        char err[160];
        cb_text_clean(r->error, err, sizeof err, 120);
        note(notes, len, "FAILED: %s", err);
    }
    json_array_foreach(r->warnings, wi, wv)
        note(notes, len, "%s", json_string_value(json_object_get(wv, "code")));
    if (!r->n)
        return;
    /* what the sampling did: samples set aside, a stop short of its aim */
    if (r->d.aside)
        note(notes, len, "aside=%zu/%zu", r->d.aside, r->n);
    if (!strcmp(r->stop, "max-samples") || !strcmp(r->stop, "max-time"))
        note(notes, len, "stop=%s", r->stop);
    /* the price of not pinning: workers moved between CPUs (perf's
     * cpu-migrations over the median sample) */
    if (!r->planned && r->counters && r->d.median_sample >= 0) {
        double mig = cb_json_get(json_array_get(r->counters,
                                                (size_t)r->d.median_sample),
                                 "cpu_migrations");
        if (mig > 0)
            note(notes, len, "migr=%.0f", mig);
    }
    if (s->wl[s->slot[i].kernel].kernel->flags & CB_KERNEL_NO_WORK) {
        char pt[24];
        fmt_time(r->d.per_task, pt, sizeof pt);
        note(notes, len, "%s/task", pt);
    }
    if (isfinite(r->d.imbalance) && r->d.imbalance > 1.05)
        note(notes, len, "imbalance=%.2f", r->d.imbalance);
    if (shipped > 0)
        note(notes, len, "shipped=%.3g%s",
             shipped >= 1e6 ? shipped / 1e6 : shipped / 1e3,
             shipped >= 1e6 ? "MB" : "kB");
    for (int m = 0; m < r->nmet; m++) {
        /* a metric, and its ratio to the same runtime's baseline */
        double v = r->d.met_median[m], bv = r->d.met_base[m];
        char val[24];
        if (strcmp(r->met[m].unit, "s") == 0)
            fmt_time(v, val, sizeof val);
        else
            snprintf(val, sizeof val, "%.4g", v);
        note(notes, len, "%s=%s", r->met[m].name, val);
        if (!r->baseline && isfinite(bv) && bv > 0)
            note(notes, len, "(x%.3g)", v / bv);
    }
    if (isfinite(r->gil_switches) && r->gil_switches > 0)
        note(notes, len, "switches=%.0f wait=%.0f%%", r->gil_switches,
             r->d.sum.median > 0 ? 100 * r->gil_wait /
                 (r->cfg.workers * r->d.sum.median) : 0.0);
}

static int console_begin(struct cb_sweep *s, struct cb_error *e)
{
    (void)e;
    const struct cb_stop_rule *st = &s->o->stop;
    char how[128];
    if (st->exact)
        snprintf(how, sizeof how, "%d samples", st->exact);
    else if (st->target_ci > 0)
        snprintf(how, sizeof how, "%d-%d samples to a %.3g%% CI",
                 st->min_samples, st->max_samples, 100 * st->target_ci);
    else
        snprintf(how, sizeof how, "%d-%d samples", st->min_samples,
                 st->max_samples);
    printf("corebench run: %zu configurations x %s (+%d warm-up), pin %s, "
           "%s -> %s\n", s->m.nruns, how, s->o->warmup, s->o->pin_text,
           s->info.cpu_model[0] ? s->info.cpu_model : "cpu", s->o->out);
    printf("%-11s %-22s %3s %10s %7s %6s %-17s %5s %9s  %s\n", "kernel",
           "executor", "w", "median", "+-ci%", "cv%", "speedup [95% ci]",
           "eff", "startup", "notes");
    fflush(stdout);
    return 0;
}

/* Amdahl's serial fraction per executor variant: 0 scales perfectly, 1
 * does not scale at all (the GIL); outside [0, 1], why not. */
static void fits_line(struct cb_sweep *s, int k)
{
    json_t *fits = cb_model_fits_json(&s->m, s->info.pus), *f;
    const json_t *params = NULL;
    char line[1024] = "";
    for (size_t i = 0; i < s->m.nruns && !params; i++)
        if (s->slot[i].kernel == k)
            params = s->m.runs[i].cfg.params;
    size_t fi;
    json_array_foreach(fits, fi, f) {
        double v = cb_json_get(f, "serial_fraction");
        double se = cb_json_get(f, "stderr");
        const char *why = json_string_value(json_object_get(f, "reason"));
        if (!json_equal(json_object_get(f, "params"), params) ||
            strcmp(json_string_value(json_object_get(f, "kernel")),
                   s->wl[k].kernel->name) ||
            cb_json_get(f, "points") < 1)
            continue;
        note(line, sizeof line, "%s%s", *line ? "" : "",
             json_string_value(json_object_get(f, "variant")));
        if (!isfinite(v))
            note(line, sizeof line, "n/a (%s),", why ? why : "no fit");
        else if (isfinite(se))
            note(line, sizeof line, "%.3f+-%.3f,", v, se);
        else
            note(line, sizeof line, "%.3f,", v);
    }
    if (*line) {
        line[strlen(line) - 1] = '\0';
        printf("%-11s Amdahl serial fraction: %s\n", s->wl_name[k],
               line);
    }
    json_decref(fits);
}

/* Each other runtime's serial loop against C's, on the same inputs. */
static void runtimes_line(const struct cb_sweep *s, int k)
{
    const struct cb_run *c = NULL;
    for (size_t i = 0; i < s->m.nruns && !c; i++)
        if (s->slot[i].kernel == k && s->m.runs[i].baseline &&
            !s->slot[i].ex->runtime && s->m.runs[i].n)
            c = &s->m.runs[i];
    for (size_t i = 0; c && i < s->m.nruns; i++) {
        const struct cb_run *b = &s->m.runs[i];
        char tb[24], tc[24];
        if (s->slot[i].kernel != k || !b->baseline || b == c || !b->n)
            continue;
        fmt_time(b->d.sum.median, tb, sizeof tb);
        fmt_time(c->d.sum.median, tc, sizeof tc);
        printf("%-11s %s / %s: %.1fx (%s vs %s, same inputs)\n",
               s->wl_name[k], b->cfg.executor, c->cfg.executor,
               b->d.sum.median / c->d.sum.median, tb, tc);
    }
}

static int console_kernel(struct cb_sweep *s, int k, struct cb_error *e)
{
    (void)e;
    cb_sweep_settle(s);
    for (size_t i = 0; i < s->m.nruns; i++) {
        const struct cb_run *r = &s->m.runs[i];
        const struct cb_summary *sum = &r->d.sum;
        char med[24], st[24], sp[32] = "-", eff[16] = "-", ci[16] = "-",
             cv[16] = "-", notes[320] = "";
        if (s->slot[i].kernel != k)
            continue;
        fmt_time(sum->median, med, sizeof med);
        fmt_time(r->n ? cb_median(r->startup, r->n) : NAN, st, sizeof st);
        if (isfinite(sum->ci_hi) && sum->median > 0)
            snprintf(ci, sizeof ci, "%.1f",
                     100 * (sum->ci_hi - sum->ci_lo) / 2 / sum->median);
        if (isfinite(sum->cv))
            snprintf(cv, sizeof cv, "%.1f", 100 * sum->cv);
        if (isfinite(r->d.speedup)) {
            snprintf(sp, sizeof sp, "%5.2f [%.2f-%.2f]", r->d.speedup,
                     r->d.sp_lo, r->d.sp_hi);
            snprintf(eff, sizeof eff, "%.2f",
                     r->d.speedup / r->cfg.workers);
        }
        row_notes(s, i, notes, sizeof notes);
        printf("%-11s %-22s %3d %10s %7s %6s %-17s %5s %9s  %s\n",
               s->wl_name[k], r->d.label, r->cfg.workers, med, ci, cv,
               sp, eff, st, notes);
    }
    fits_line(s, k);
    runtimes_line(s, k);
    fflush(stdout);
    return 0;
}

static int console_end(struct cb_sweep *s, int complete, struct cb_error *e)
{
    (void)e;
    if (complete)
        printf("wrote %s\n", s->o->out);
    return 0;
}

static int console_wanted(const struct cb_run_opts *o)
{
    return !o->quiet;
}

const struct cb_reporter cb_reporter_console = {
    .name = "console",
    .wanted = console_wanted,
    .begin = console_begin,
    .kernel_done = console_kernel,
    .end = console_end,
};
