/* The result file reporter: the whole document (results/SCHEMA.md)
 * rewritten atomically after every round, so an interrupted sweep keeps
 * what it finished ("complete": false), and once more at the end. */
#include "reporter.h"

static int write_file(struct cb_sweep *s, int complete, struct cb_error *e)
{
    json_t *runs = json_array();
    json_t *ctx = json_object_get(s->root, "context");
    struct cb_interf_totals t;
    int rc;
    cb_sweep_settle(s);
    /* what the machine did during the samples (model.h) */
    cb_model_interf_totals(&s->m, &t);
    if (json_is_object(ctx))
        json_object_set_new(ctx, "interference", json_pack(
            "{s:o, s:o, s:o, s:I, s:I, s:I}",
            "steal_share", cb_json_num(t.steal_share),
            "outside_share", cb_json_num(t.outside_share),
            "span_s", cb_json_num(t.span_s),
            "samples", (json_int_t)t.n, "flagged", (json_int_t)t.flagged,
            "set_aside", (json_int_t)t.aside));
    for (size_t i = 0; i < s->m.nruns; i++)
        json_array_append_new(runs, cb_model_run_json(&s->m, &s->m.runs[i]));
    json_object_set_new(s->root, "runs", runs);
    json_object_set_new(s->root, "fits",
                        cb_model_fits_json(&s->m, s->info.pus));
    json_object_set(s->root, "order", s->order);
    json_object_set_new(s->root, "complete", json_boolean(complete));
    /* the first write must not replace a file someone made meanwhile
     * (unless --force); later ones replace our own */
    rc = cb_results_write(s->root, s->o->out, s->written || s->o->force, e);
    if (rc == 0)
        s->written = 1;
    return rc;
}

static int json_round(struct cb_sweep *s, int k, struct cb_error *e)
{
    (void)k;
    return write_file(s, 0, e);
}

static int json_end(struct cb_sweep *s, int complete, struct cb_error *e)
{
    return write_file(s, complete, e);
}

const struct cb_reporter cb_reporter_json = {
    .name = "json",
    .round = json_round,
    .end = json_end,
};
