/* Settling the sweep's model (run.h cb_sweep_settle): the derived
 * statistics, the details of the sample nearest the estimator, warnings and the context's
 * interference totals, for the reporters and the result file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static json_t *counters_json(const struct cb_slot *sl, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        for (int k = 0; k < CB_CTR_COUNT; k++)
            json_object_set_new(o, cb_counter_name(k), sl->ctr[i].valid[k]
                ? json_integer((json_int_t)sl->ctr[i].v[k]) : json_null());
        json_array_append_new(a, o);
    }
    return a;
}

/* Settling costs a bootstrap over every sample of a run, so re-deriving
 * every run after every round made `run -r N` cost N^2 (-r 2000: 140 s).
 * Only the runs that changed are derived again: a new sample (adding one
 * underives the run), or their baseline's. And while the sweep runs,
 * settling is held to a tenth of the time: when the last full settle was
 * less than ten of its durations ago, the changed runs get their point
 * statistics only (intervals null, as model.h's no_intervals) and the
 * next full settle derives them again; the end (s->final) is always
 * full. A settle under CB_SETTLE_CHEAP_S is always full: small sweeps
 * never see the difference. */
#define CB_SETTLE_CHEAP_S 0.01
void cb_sweep_settle(struct cb_sweep *s)
{
    double t0 = cb_now();
    int cheap = !s->final && s->settle_s > CB_SETTLE_CHEAP_S &&
                t0 - s->settled_at < 10 * s->settle_s;
    unsigned char *need = calloc(s->m.nruns ? s->m.nruns : 1, 1);

    for (size_t i = 0; need && i < s->m.nruns; i++) {
        const struct cb_run *r = &s->m.runs[i];
        need[i] = !r->d.done || (!cheap && s->slot[i].cheap);
    }
    for (size_t i = 0; need && i < s->m.nruns; i++) { /* baseline moved */
        const struct cb_run *b = cb_model_baseline(&s->m, &s->m.runs[i]);
        if (b && !need[i] && need[b - s->m.runs])
            need[i] = 1;
    }
    for (size_t i = 0; i < s->m.nruns; i++) {
        struct cb_run *r = &s->m.runs[i];
        const struct cb_slot *sl = &s->slot[i];
        const struct cb_map_stats *ms;
        int best;
        if (need && !need[i])
            continue;
        cb_run_underive(r);
        s->slot[i].cheap = cheap;
        if (!r->n)
            continue;
        /* what the workers did in the sample nearest the estimator */
        best = cb_run_detail_sample(&s->m, r);
        ms = &sl->ms[best >= 0 ? best : 0];
        r->detail_of = best >= 0 ? (size_t)best + 1 : 0;
        if (!r->detail)
            r->detail = calloc((size_t)r->cfg.workers, sizeof *r->detail);
        if (r->detail)
            memcpy(r->detail, ms->w,
                   (size_t)r->cfg.workers * sizeof *r->detail);
        r->bytes_to = ms->bytes_to_workers;
        r->bytes_from = ms->bytes_from_workers;
        r->chunk_used = ms->chunksize > 0 ? ms->chunksize : -1;
        if (ms->switches)
            r->gil_switches = (double)ms->switches,
            r->gil_drops = (double)ms->drop_requests,
            r->gil_wait = ms->lock_wait_s;
        json_decref(r->counters);
        r->counters = s->ctr ? counters_json(sl, r->n) : NULL;
    }
    s->m.no_intervals = cheap;
    cb_model_derive(&s->m);
    s->m.no_intervals = 0;
    for (size_t i = 0; i < s->m.nruns; i++) {
        if (need && !need[i])
            continue;
        json_decref(s->m.runs[i].warnings);
        s->m.runs[i].warnings = cb_sweep_run_warnings(s, i);
    }
    /* what the machine did during the samples (model.h), in the context */
    {
        json_t *ctx = json_object_get(s->root, "context");
        struct cb_interf_totals t;
        cb_model_interf_totals(&s->m, &t);
        if (json_is_object(ctx))
            json_object_set_new(ctx, "interference", json_pack(
                "{s:o, s:o, s:o, s:I, s:I, s:I}",
                "steal_share", cb_json_num(t.steal_share),
                "outside_share", cb_json_num(t.outside_share),
                "span_s", cb_json_num(t.span_s),
                "samples", (json_int_t)t.n, "flagged", (json_int_t)t.flagged,
                "set_aside", (json_int_t)t.aside));
    }
    free(need);
    if (!cheap) {
        s->settled_at = cb_now();
        s->settle_s = s->settled_at - t0;
    }
}
