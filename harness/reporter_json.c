/* The result file reporter: the whole document (results/SCHEMA.md)
 * rewritten atomically after every round, so an interrupted sweep keeps
 * what it finished ("complete": false), and once more at the end. */
#include "reporter.h"

static int write_file(struct cb_sweep *s, int complete, struct cb_error *e)
{
    json_t *runs = json_array();
    int rc;
    cb_sweep_settle(s);
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
