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
    printf("%-11s %-22s %3s %10s %7s %6s %-17s %5s %-17s %9s  %s\n", c[0],
           c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10]);
}

static int console_begin(const struct cb_view *v, void *state,
                         struct cb_error *e)
{
    (void)state;
    (void)e;
    char how[128];
    cb_stop_rule_describe(v->o->stop, how, sizeof how);
    printf("corebench run: %zu configurations x %s (+%d warm-up), pin %s, "
           "%s -> %s\n", v->m->nruns, how, v->o->warmup, v->o->pin_text,
           v->cpu_model[0] ? v->cpu_model : "cpu", v->o->out);
    print_row(NULL);
    fflush(stdout);
    return 0;
}

/* Amdahl's serial fraction per executor variant: 0 scales perfectly, 1
 * does not scale at all (the GIL); outside [0, 1], why not. */
static void fits_line(const struct cb_view *v, int k)
{
    json_t *fits = cb_model_fits_json(v->m, v->pus), *f;
    const json_t *params = NULL;
    char line[1024] = "";
    for (size_t i = 0; i < v->m->nruns && !params; i++)
        if (v->run[i].wl == k)
            params = v->m->runs[i].cfg.params;
    size_t fi;
    json_array_foreach(fits, fi, f) {
        double sf = cb_json_get(f, "serial_fraction");
        double se = cb_json_get(f, "stderr");
        const char *why = json_string_value(json_object_get(f, "reason"));
        if (!json_equal(json_object_get(f, "params"), params) ||
            strcmp(json_string_value(json_object_get(f, "kernel")),
                   v->wl_kernel[k]) ||
            cb_json_get(f, "points") < 1)
            continue;
        cb_table_note(line, sizeof line, "%s%s", *line ? "" : "",
                      json_string_value(json_object_get(f, "variant")));
        if (!isfinite(sf))
            cb_table_note(line, sizeof line, "n/a (%s),",
                          why ? why : "no fit");
        else if (isfinite(se))
            cb_table_note(line, sizeof line, "%.3f+-%.3f,", sf, se);
        else
            cb_table_note(line, sizeof line, "%.3f,", sf);
    }
    if (*line) {
        line[strlen(line) - 1] = '\0';
        printf("%-11s Amdahl serial fraction: %s\n", v->wl_name[k],
               line);
    }
    json_decref(fits);
}

/* Each other runtime's serial loop against C's, on the same inputs. */
static void runtimes_line(const struct cb_view *v, int k)
{
    const struct cb_run *c = NULL;
    for (size_t i = 0; i < v->m->nruns && !c; i++)
        if (v->run[i].wl == k && v->run[i].c_baseline && v->m->runs[i].n)
            c = &v->m->runs[i];
    for (size_t i = 0; c && i < v->m->nruns; i++) {
        const struct cb_run *b = &v->m->runs[i];
        char tb[24], tc[24];
        if (v->run[i].wl != k || !b->baseline || b == c || !b->n)
            continue;
        cb_fmt_time(b->d.sum.est, tb, sizeof tb);
        cb_fmt_time(c->d.sum.est, tc, sizeof tc);
        printf("%-11s %s / %s: %.1fx (%s vs %s, same inputs)\n",
               v->wl_name[k], b->cfg.executor, c->cfg.executor,
               b->d.sum.est / c->d.sum.est, tb, tc);
    }
}

/* The sweep's interference so far, above each kernel's rows: "the
 * hypervisor took 2.1% of CPU time during the samples, ...". */
static void interference_line(const struct cb_view *v)
{
    struct cb_interf_totals t;
    char line[256];
    cb_model_interf_totals(v->m, &t);
    cb_interf_totals_line(&t, line, sizeof line);
    if (line[0])
        printf("interference: %s\n", line);
}

static int console_kernel(const struct cb_view *v, void *state, int k,
                          struct cb_error *e)
{
    (void)state;
    (void)e;
    interference_line(v);
    for (size_t i = 0; i < v->m->nruns; i++) {
        struct cb_run_cells row;
        if (v->run[i].wl != k)
            continue;
        cb_run_cells(&v->m->runs[i], v->wl_name[k], &row);
        print_row(&row);
    }
    fits_line(v, k);
    runtimes_line(v, k);
    fflush(stdout);
    return 0;
}

static int console_end(const struct cb_view *v, void *state, int complete,
                       struct cb_error *e)
{
    (void)state;
    (void)e;
    if (complete)
        printf("wrote %s\n", v->o->out);
    return 0;
}

static int console_wanted(const struct cb_view_opts *o)
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
