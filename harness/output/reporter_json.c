/* The result file reporter: the whole document (results/SCHEMA.md)
 * rewritten atomically after every round, so an interrupted sweep keeps
 * what it finished ("complete": false), and once more at the end. */
#include "reporter.h"

int cb_result_file_write(const struct cb_view *v, int complete, int replace,
                         struct cb_error *e)
{
    /* a shallow copy: the sweep's document stays as it is */
    json_t *doc = json_copy((json_t *)v->root), *runs = json_array();
    int rc;
    if (!doc || !runs) {
        json_decref(doc);
        json_decref(runs);
        return CB_FAIL(e, CB_ENOMEM, "out of memory for the result file");
    }
    for (size_t i = 0; i < v->m->nruns; i++)
        json_array_append_new(runs, cb_model_run_json(&v->m->runs[i]));
    json_object_set_new(doc, "runs", runs);
    json_object_set_new(doc, "fits", cb_model_fits_json(v->m, v->pus));
    json_object_set(doc, "order", (json_t *)v->order);
    json_object_set_new(doc, "complete", json_boolean(complete));
    rc = cb_results_write(doc, v->o->out, replace, e);
    json_decref(doc);
    return rc;
}

struct json_state {
    int written; /* the result file exists: later writes replace it */
};

/* the first write must not replace a file someone made meanwhile (unless
 * --force); later ones replace our own */
static int write_file(const struct cb_view *v, struct json_state *st,
                      int complete, struct cb_error *e)
{
    int rc = cb_result_file_write(v, complete, st->written || v->o->force, e);
    if (rc == 0)
        st->written = 1;
    return rc;
}

static int json_round(const struct cb_view *v, void *state, int k,
                      struct cb_error *e)
{
    (void)k;
    return write_file(v, state, 0, e);
}

static int json_end(const struct cb_view *v, void *state, int complete,
                    struct cb_error *e)
{
    return write_file(v, state, complete, e);
}

const struct cb_reporter cb_reporter_json = {
    .name = "json",
    .state_size = sizeof(struct json_state),
    .round = json_round,
    .end = json_end,
};
