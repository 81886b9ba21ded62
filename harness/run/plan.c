/* The plan of a sweep: which executors can run here, and every
 * configuration (a run of the model plus the sweep's own slot): per
 * kernel, each runtime's baseline, then executor x workers x the values
 * of the parameters that executor takes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "text.h"

/* The asked values (first of each list) of the parameters x takes. */
static int first_values(const struct cb_run_opts *o,
                        const struct cb_executor *x, struct cb_xvalue *out)
{
    int n = 0;
    for (int i = 0; i < o->nxp; i++)
        if (cb_executor_param(x, o->xp[i].name)) {
            snprintf(out[n].name, sizeof out[n].name, "%s", o->xp[i].name);
            snprintf(out[n].val, sizeof out[n].val, "%s", o->xp[i].vals[0]);
            out[n++].asked = 1;
        }
    return n;
}

int cb_plan_available(struct cb_sweep *s, struct cb_error *e)
{
    struct cb_run_opts *o = s->o;
    struct {
        int (*fn)(const struct cb_exec_config *, struct cb_exec_about *,
                  struct cb_error *);
        int rc;
        struct cb_exec_about ab;
        struct cb_error err;
        char names[256];
    } seen[CB_RUN_MAX_LIST];
    int nseen = 0, kept = 0, maxw = 1, rc = 0;
    s->about = json_object();
    s->unavailable = json_array();
    for (int i = 0; i < o->nworkers; i++)
        maxw = o->workers[i] > maxw ? o->workers[i] : maxw;
    for (int x = 0; x < o->nexecs; x++) {
        const struct cb_executor *ex = o->execs[x];
        /* workers: the most the sweep asks for (mpi: no more than ranks) */
        struct cb_exec_config ec = {.workers = maxw};
        struct cb_xvalue asked[CB_MAX_XPARAMS];
        json_t *a;
        int j = 0;
        if (!ex->available) {
            o->execs[kept++] = ex;
            continue;
        }
        while (j < nseen && seen[j].fn != ex->available)
            j++;
        if (j == nseen) {
            memset(&seen[j], 0, sizeof seen[j]);
            seen[j].fn = ex->available;
            seen[j].rc = cb_exec_config_params(&ec, ex, asked,
                                               first_values(o, ex, asked),
                                               &seen[j].err);
            if (!seen[j].rc)
                seen[j].rc = ex->available(&ec, &seen[j].ab, &seen[j].err);
            nseen++;
        }
        if (seen[j].rc == CB_EUSAGE) {
            rc = cb_error_set(e, CB_EUSAGE, seen[j].err.where, "%s",
                              seen[j].err.msg);
            goto out;
        }
        if (seen[j].rc) {
            size_t l = strlen(seen[j].names);
            snprintf(seen[j].names + l, sizeof seen[j].names - l, "%s%s",
                     l ? ", " : "", ex->name);
            continue;
        }
        /* what it found: its JSON document, then its key/value lines */
        a = seen[j].ab.json ? json_loads(seen[j].ab.json, 0, NULL) : NULL;
        if (!json_is_object(a)) {
            json_decref(a);
            a = json_object();
        }
        for (int i = 0; i < seen[j].ab.n; i++)
            json_object_set_new(a, seen[j].ab.kv[i].key,
                                json_string(seen[j].ab.kv[i].val));
        if (json_object_size(a))
            json_object_set_new(s->about, ex->name, a);
        else
            json_decref(a);
        o->execs[kept++] = ex;
    }
    for (int j = 0; j < nseen; j++) {
        if (!seen[j].rc || seen[j].rc == CB_EUSAGE)
            continue;
        char line[sizeof seen[j].err.msg * 4 + 8];
        /* the reason may quote --python: the one text policy (text.h) */
        cb_text_clean(seen[j].err.msg, line, sizeof line, 0);
        fprintf(stderr, "corebench run: %s unavailable, skipped: %s\n",
                seen[j].names, line);
        json_array_append_new(s->unavailable, cb_warning("unavailable",
            "see the message; every other executor of the sweep ran",
            "%s: %s", seen[j].names, seen[j].err.msg));
    }
    if (o->nexecs && !kept)
        rc = CB_FAIL(e, CB_EUNSUPPORTED, "no executor of --executor can "
                     "run here (see the line above)");
    else
        o->nexecs = kept;
out:
    for (int j = 0; j < nseen; j++)
        free(seen[j].ab.json);
    return rc;
}

/* The runtime a run records: the executor's, or what its available() said
 * it found (a free-threaded CPython is a runtime of its own, with a
 * baseline of its own). */
static const char *runtime_of(const struct cb_sweep *s,
                              const struct cb_executor *ex)
{
    const char *rt = json_string_value(json_object_get(
        json_object_get(s->about, ex->name), "runtime"));
    return rt ? rt : ex->runtime ? ex->runtime : "c";
}

const struct cb_workload *cb_plan_workload(const struct cb_sweep *s, int k,
                                           int workers)
{
    for (int j = 0; s->xwl && workers > 1 && j < s->o->nworkers; j++)
        if (s->o->workers[j] == workers)
            return &s->xwl[k * s->o->nworkers + j];
    return &s->wl[k];
}

static int add_run(struct cb_sweep *s, int k, const struct cb_executor *ex,
                   int workers, const struct cb_xvalue *asked, int nasked,
                   struct cb_error *e)
{
    const struct cb_workload *w = cb_plan_workload(s, k, workers);
    struct cb_model *m = &s->m;
    struct cb_run *r, *nr;
    struct cb_slot *sl, *ns;
    int rc;

    if (m->nruns >= CB_RUN_MAX_CONFIGS)
        return CB_FAIL(e, CB_EUSAGE, "the sweep has more than %d "
                       "configurations (kernels x executors x workers x "
                       "variants): split it into several runs",
                       CB_RUN_MAX_CONFIGS);
    nr = realloc(m->runs, (m->nruns + 1) * sizeof *nr);
    if (nr)
        m->runs = nr;
    ns = nr ? realloc(s->slot, (m->nruns + 1) * sizeof *ns) : NULL;
    if (!ns)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    s->slot = ns;
    r = &m->runs[m->nruns];
    sl = &s->slot[m->nruns];
    memset(r, 0, sizeof *r);
    memset(sl, 0, sizeof *sl);
    r->id = (int)m->nruns++;
    r->cfg.kernel = w->kernel->name;
    r->cfg.size = w->size;
    r->cfg.executor = ex->name;
    r->cfg.runtime = runtime_of(s, ex);
    r->cfg.pin = s->o->pin_text;
    r->cfg.workers = workers;
    r->cfg.params = json_object();
    for (int i = 0; i < w->nparams; i++)
        json_object_set_new(r->cfg.params, w->params[i].key,
                            json_string(w->params[i].val));
    if (w != &s->wl[k]) { /* weak scaling: its baseline ran wl[k] */
        r->base_params = json_object();
        for (int i = 0; r->base_params && i < s->wl[k].nparams; i++)
            json_object_set_new(r->base_params, s->wl[k].params[i].key,
                                json_string(s->wl[k].params[i].val));
    }
    r->verified = 1;
    r->tasks = w->n;
    r->work = w->work > 0 ? w->work : NAN;
    r->work_unit = w->work_unit;
    r->bytes_touched = w->bytes_touched > 0 ? w->bytes_touched : NAN;
    r->working_set = w->working_set_bytes > 0 ? w->working_set_bytes : NAN;
    r->timed_kernel = (w->kernel->flags & CB_KERNEL_TIMED) != 0;
    r->gil_switches = r->gil_drops = r->gil_wait = NAN;
    r->chunk_used = -1;
    sl->ex = ex;
    sl->kernel = k;
    sl->w = w;
    sl->pus = calloc((size_t)workers, sizeof *sl->pus);
    if (!sl->pus || !r->cfg.params)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    if ((rc = cb_topo_plan(s->topo, &s->o->pin, workers, sl->pus, e)))
        return rc;
    if (s->o->pin.policy != CB_PIN_NONE) {
        r->planned = malloc((size_t)workers * sizeof *r->planned);
        if (!r->planned)
            return CB_FAIL(e, CB_ENOMEM, "out of memory");
        memcpy(r->planned, sl->pus, (size_t)workers * sizeof *sl->pus);
    }
    sl->ec.workers = workers;
    sl->ec.pus = r->planned ? sl->pus : NULL;
    sl->ec.self_exe = s->self_exe;
    sl->ec.workload = w;
    if ((rc = cb_exec_config_params(&sl->ec, ex, asked, nasked, e)))
        return rc;
    r->cfg.nxp = sl->ec.nxp;
    memcpy(r->cfg.xp, sl->ec.xp, sizeof r->cfg.xp);
    return 0;
}

/* Every combination of the values of the parameters ex takes, for each
 * worker count. */
static int add_variants(struct cb_sweep *s, int k,
                        const struct cb_executor *ex, struct cb_error *e)
{
    const struct cb_run_opts *o = s->o;
    const struct cb_run_xparam *p[CB_MAX_XPARAMS];
    int np = 0, idx[CB_MAX_XPARAMS] = {0}, rc;
    int nw = ex->caps & CB_EXEC_SINGLE ? 1 : o->nworkers;
    for (int i = 0; i < o->nxp; i++)
        if (cb_executor_param(ex, o->xp[i].name))
            p[np++] = &o->xp[i];
    for (int w = 0; w < nw; w++) {
        for (;;) {
            struct cb_xvalue asked[CB_MAX_XPARAMS];
            int j;
            for (j = 0; j < np; j++) {
                snprintf(asked[j].name, sizeof asked[j].name, "%s",
                         p[j]->name);
                snprintf(asked[j].val, sizeof asked[j].val, "%s",
                         p[j]->vals[idx[j]]);
                asked[j].asked = 1;
            }
            if ((rc = add_run(s, k, ex,
                              ex->caps & CB_EXEC_SINGLE ? 1 : o->workers[w],
                              asked, np, e)))
                return rc;
            /* the next combination, the last parameter fastest */
            for (j = np - 1; j >= 0 && ++idx[j] == p[j]->nvals; j--)
                idx[j] = 0;
            if (j < 0)
                break;
        }
    }
    return 0;
}

int cb_plan_build(struct cb_sweep *s, struct cb_error *e)
{
    const struct cb_run_opts *o = s->o;
    int rc;
    for (int k = 0; k < s->nwl; k++) {
        size_t first = s->m.nruns;
        /* a baseline per runtime in the list (serial for C, py-serial for
         * CPython) unless the list has it: it takes the one-value
         * parameters (an interpreter), never a swept one */
        for (int x = 0; o->baseline && x < o->nexecs; x++) {
            const struct cb_executor *b = cb_executor_baseline(o->execs[x]);
            struct cb_xvalue asked[CB_MAX_XPARAMS];
            int have = 0;
            for (int y = 0; y < o->nexecs; y++)
                have |= o->execs[y] == b;
            for (size_t i = first; i < s->m.nruns; i++)
                have |= s->slot[i].ex == b;
            if (b && !have &&
                (rc = add_run(s, k, b, 1, asked, first_values(o, b, asked),
                              e)))
                return rc;
        }
        for (int x = 0; x < o->nexecs; x++)
            if ((rc = add_variants(s, k, o->execs[x], e)))
                return rc;
    }
    /* the baseline of each kernel and runtime: the first configuration of
     * that runtime's single-worker executor */
    for (size_t i = 0; i < s->m.nruns; i++) {
        struct cb_run *r = &s->m.runs[i];
        const struct cb_executor *x = s->slot[i].ex;
        int first = x == cb_executor_baseline(x);
        for (size_t j = 0; first && j < i; j++)
            first = !(s->slot[j].kernel == s->slot[i].kernel &&
                      s->slot[j].ex == x);
        r->baseline = first;
    }
    return 0;
}

void cb_plan_free(struct cb_sweep *s)
{
    for (size_t i = 0; s->slot && i < s->m.nruns; i++) {
        free(s->slot[i].pus);
        free(s->slot[i].ms);
        free(s->slot[i].ws);
        free(s->slot[i].ctr);
    }
    free(s->slot);
    s->slot = NULL;
}
