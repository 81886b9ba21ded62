/* The Markdown export (`run --export-markdown FILE`): the run table as a
 * Markdown table (the console's cells: table.h, so the two never differ),
 * under a few lines of context. Every cell goes through cb_text_md.
 * Written atomically at the end of the sweep (also an interrupted one). */
#include <stdio.h>
#include <string.h>

#include "reporter.h"
#include "table.h"
#include "text.h"

static const char *ctx_str(const struct cb_view *v, const char *obj,
                           const char *key)
{
    const json_t *ctx = json_object_get(v->root, "context");
    const json_t *o = obj ? json_object_get(ctx, obj) : ctx;
    return json_string_value(json_object_get(o, key));
}

static void md_row(FILE *f, const char *const *cells)
{
    for (int c = 0; c < CB_TC_COUNT; c++) {
        fputs(c ? " | " : "| ", f);
        cb_text_md(f, cells[c], 0);
    }
    fputs(" |\n", f);
}

static int emit(FILE *f, const struct cb_view *v)
{
    const char *cells[CB_TC_COUNT];
    char how[128];
    fputs("# corebench run\n\n- host: ", f);
    cb_text_md(f, ctx_str(v, "host", "hostname"), 120);
    fputs(" (", f);
    cb_text_md(f, ctx_str(v, "cpu", "model"), 120);
    fprintf(f, ", %d allowed PUs)\n- date: ", v->pus);
    cb_text_md(f, ctx_str(v, NULL, "date"), 40);
    cb_stop_rule_describe(v->o->stop, how, sizeof how);
    fprintf(f, "\n- %zu configurations x %s (+%d warm-up), pin ",
            v->m->nruns, how, v->o->warmup);
    cb_text_md(f, v->o->pin_text, 120);
    fputs("\n- result file: ", f);
    cb_text_md(f, v->o->out, 0);
    if (v->interrupted)
        fputs(" (interrupted: the rounds that finished)", f);
    fputs("\n\n", f);
    md_row(f, cb_table_head);
    for (int c = 0; c < CB_TC_COUNT; c++)
        fputs(cb_table_numeric[c] ? "|---:" : "|---", f);
    fputs("|\n", f);
    for (size_t i = 0; i < v->m->nruns; i++) {
        struct cb_run_cells row;
        cb_run_cells(&v->m->runs[i], v->wl_name[v->run[i].wl], &row);
        for (int c = 0; c < CB_TC_COUNT; c++)
            cells[c] = row.cell[c];
        md_row(f, cells);
    }
    return 0;
}

static int md_end(const struct cb_view *v, void *state, int complete,
                  struct cb_error *e)
{
    (void)state;
    (void)complete;
    return cb_reporter_write(v, v->o->export_md, emit, e);
}

static int md_wanted(const struct cb_view_opts *o)
{
    return o->export_md != NULL;
}

const struct cb_reporter cb_reporter_markdown = {
    .name = "markdown",
    .wanted = md_wanted,
    .end = md_end,
};
