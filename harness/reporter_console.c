/* The console reporter: the table `corebench run` prints, one block per
 * kernel as it finishes, with the Amdahl fits and each other runtime's
 * serial time against C's. Every figure comes from the model's derived
 * values; every string is cleaned. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reporter.h"
#include "table.h"
#include "text.h"
#include "units.h"

/* One line of the table: the header (row NULL) or a run's cells. */
static void print_row(const struct cb_run_cells *row)
{
    const char *const *c = cb_table_head;
    const char *cells[CB_TC_COUNT];
    if (row) {
        for (int i = 0; i < CB_TC_COUNT; i++)
            cells[i] = row->cell[i];
        c = cells;
    }
    printf("%-11s %-22s %3s %10s %7s %6s %-17s %5s %9s  %s\n", c[0], c[1],
           c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9]);
}

static int console_begin(struct cb_sweep *s, struct cb_error *e)
{
    (void)e;
    char how[128];
    cb_stop_rule_describe(&s->o->stop, how, sizeof how);
    printf("corebench run: %zu configurations x %s (+%d warm-up), pin %s, "
           "%s -> %s\n", s->m.nruns, how, s->o->warmup, s->o->pin_text,
           s->info.cpu_model[0] ? s->info.cpu_model : "cpu", s->o->out);
    print_row(NULL);
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
        cb_table_note(line, sizeof line, "%s%s", *line ? "" : "",
                      json_string_value(json_object_get(f, "variant")));
        if (!isfinite(v))
            cb_table_note(line, sizeof line, "n/a (%s),",
                          why ? why : "no fit");
        else if (isfinite(se))
            cb_table_note(line, sizeof line, "%.3f+-%.3f,", v, se);
        else
            cb_table_note(line, sizeof line, "%.3f,", v);
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
        cb_fmt_time(b->d.sum.est, tb, sizeof tb);
        cb_fmt_time(c->d.sum.est, tc, sizeof tc);
        printf("%-11s %s / %s: %.1fx (%s vs %s, same inputs)\n",
               s->wl_name[k], b->cfg.executor, c->cfg.executor,
               b->d.sum.est / c->d.sum.est, tb, tc);
    }
}

static int console_kernel(struct cb_sweep *s, int k, struct cb_error *e)
{
    (void)e;
    cb_sweep_settle(s);
    for (size_t i = 0; i < s->m.nruns; i++) {
        struct cb_run_cells row;
        if (s->slot[i].kernel != k)
            continue;
        cb_run_cells(&s->m.runs[i], s->wl_name[k], &row);
        print_row(&row);
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
