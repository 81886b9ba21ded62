/* The result model: configurations, labels, runs and the figures derived
 * from their samples. See model.h. */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* ---- configurations ------------------------------------------------------ */

const char *cb_config_xparam(const struct cb_config *c, const char *name)
{
    for (int i = 0; i < c->nxp; i++)
        if (strcmp(c->xp[i].name, name) == 0)
            return c->xp[i].val;
    return NULL;
}

struct cb_chunk cb_config_chunk(const struct cb_config *c)
{
    struct cb_chunk ch = {CB_CHUNK_DEFAULT, 0};
    for (int i = 0; i < c->nxp; i++)
        if (c->xp[i].asked && strcmp(c->xp[i].name, "chunksize") == 0 &&
            cb_chunk_parse(c->xp[i].val, &ch, NULL) != 0)
            ch = (struct cb_chunk){CB_CHUNK_DEFAULT, 0};
    return ch;
}

void cb_config_label(const struct cb_config *c, char *buf, size_t len)
{
    const struct cb_executor *x = cb_executor_find(c->executor);
    size_t n;
    if (len == 0)
        return;
    n = cb_text_clean(c->executor, buf, len, 40);
    for (int i = 0; i < c->nxp && n + 1 < len; i++) {
        const struct cb_xvalue *v = &c->xp[i];
        const struct cb_xparam *p = cb_executor_param(x, v->name);
        char val[64];
        if (!v->asked && !(p && p->show_default))
            continue;
        cb_text_clean(v->val, val, sizeof val, 40);
        if (!p || !p->label) /* an unknown or plain parameter */
            n += (size_t)snprintf(buf + n, len - n, " %s=%s", v->name, val);
        else if (!*p->label)
            n += (size_t)snprintf(buf + n, len - n, " %s%s", val,
                                  p->unit ? p->unit : "");
        else
            n += (size_t)snprintf(buf + n, len - n, " %s=%s%s", p->label,
                                  val, p->unit ? p->unit : "");
        if (n >= len)
            n = len - 1;
    }
}

char *cb_config_key(const struct cb_config *c)
{
    json_t *k = json_object(), *xp = json_object();
    char *s;
    for (int i = 0; i < c->nxp; i++)
        json_object_set_new(xp, c->xp[i].name, cb_json_text(c->xp[i].val));
    json_object_set_new(k, "kernel", cb_json_text(c->kernel));
    json_object_set_new(k, "size", cb_json_text(c->size));
    json_object_set(k, "params", c->params ? c->params : json_null());
    json_object_set_new(k, "executor", cb_json_text(c->executor));
    json_object_set_new(k, "runtime", cb_json_text(c->runtime));
    json_object_set_new(k, "workers", json_integer(c->workers));
    json_object_set_new(k, "exec_params", xp);
    json_object_set_new(k, "pin", cb_json_text(c->pin));
    s = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(k);
    return s;
}

/* ---- runs ---------------------------------------------------------------- */

int cb_run_add_sample(struct cb_run *r, double map_s, double startup_s,
                      double shutdown_s, struct cb_error *e)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 8;
        double *a = realloc(r->samples, cap * sizeof *a);
        if (a)
            r->samples = a;
        double *b = a ? realloc(r->startup, cap * sizeof *b) : NULL;
        if (b)
            r->startup = b;
        double *c = b ? realloc(r->shutdown, cap * sizeof *c) : NULL;
        if (c)
            r->shutdown = c;
        unsigned char *f = c ? realloc(r->interfered, cap) : NULL;
        if (f)
            r->interfered = f;
        struct cb_run_interf *g =
            f ? realloc(r->interf, cap * sizeof *g) : NULL;
        if (g)
            r->interf = g;
        if (!g)
            c = NULL;
        for (int m = 0; c && m < CB_MAX_METRICS; m++) {
            double *v = realloc(r->met[m].v, cap * sizeof *v);
            if (!v) {
                c = NULL;
                break;
            }
            r->met[m].v = v;
        }
        if (!c)
            return CB_FAIL(e, CB_ENOMEM, "out of memory for samples");
        r->cap = cap;
    }
    r->samples[r->n] = map_s;
    r->startup[r->n] = startup_s;
    r->shutdown[r->n] = shutdown_s;
    r->interfered[r->n] = 0;
    cb_run_interf_init(&r->interf[r->n]);
    r->n++;
    cb_run_underive(r);
    return 0;
}

void cb_run_underive(struct cb_run *r)
{
    free(r->d.outlier);
    r->d.outlier = NULL;
    r->d.done = 0;
}

void cb_run_free(struct cb_run *r)
{
    free(r->samples);
    free(r->startup);
    free(r->shutdown);
    free(r->warm);
    free(r->interfered);
    free(r->interf);
    for (int m = 0; m < CB_MAX_METRICS; m++)
        free(r->met[m].v);
    free(r->detail);
    free(r->planned);
    free(r->d.outlier);
    json_decref(r->cfg.params);
    json_decref(r->base_params);
    json_decref(r->counters);
    json_decref(r->warnings);
    memset(r, 0, sizeof *r);
}

static int str_eq(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

const char *cb_model_boundary(const struct cb_model *m, int workers)
{
    const json_t *a = m->context ? json_object_get(m->context,
                                                   "worker_counts")
                                 : NULL, *v;
    size_t i;
    json_array_foreach(a, i, v)
        if (json_integer_value(json_object_get(v, "workers")) == workers)
            return json_string_value(json_object_get(v, "boundary"));
    return NULL;
}

const json_t *cb_run_group_params(const struct cb_run *r)
{
    return r->base_params ? r->base_params : r->cfg.params;
}

const struct cb_run *cb_model_baseline(const struct cb_model *m,
                                       const struct cb_run *r)
{
    for (size_t i = 0; i < m->nruns; i++) {
        const struct cb_run *b = &m->runs[i];
        if (b->baseline && b->n > 0 && str_eq(b->cfg.kernel, r->cfg.kernel) &&
            str_eq(b->cfg.size, r->cfg.size) &&
            str_eq(b->cfg.runtime, r->cfg.runtime) &&
            json_equal(b->cfg.params,
                       r->base_params ? r->base_params : r->cfg.params))
            return b;
    }
    return NULL;
}

/* The index of the sample closest to the median (the lower middle one). */
static int median_index(const double *x, size_t n, double med)
{
    int best = 0;
    for (size_t i = 1; i < n; i++)
        if (fabs(x[i] - med) < fabs(x[best] - med))
            best = (int)i;
    return n ? best : -1;
}

/* Whether sample i of r counts in its statistics. */
static int used(const struct cb_model *m, const struct cb_run *r, size_t i)
{
    size_t clean = 0;
    if (m->keep_interfered || !r->interfered || !r->interfered[i])
        return 1;
    for (size_t j = 0; j < r->n; j++)
        clean += !r->interfered[j];
    return clean < CB_MODEL_MIN_CLEAN; /* too few clean: every one counts */
}

int cb_run_sample_used(const struct cb_run *r, size_t i)
{
    /* something set aside: then exactly the interfered samples are */
    return !(r->d.aside && r->interfered && r->interfered[i]);
}

int cb_run_detail_sample(const struct cb_model *m, const struct cb_run *r)
{
    double *x = malloc((r->n ? r->n : 1) * sizeof *x), est;
    size_t n = 0;
    int best = -1;
    for (size_t i = 0; x && i < r->n; i++)
        if (used(m, r, i))
            x[n++] = r->samples[i];
    est = x && n ? cb_estimate(x, n) : NAN;
    free(x);
    for (size_t i = 0; isfinite(est) && i < r->n; i++)
        if (used(m, r, i) &&
            (best < 0 || fabs(r->samples[i] - est) <
                             fabs(r->samples[best] - est)))
            best = (int)i;
    return best;
}

/* The samples of r its statistics use, into a new buffer (n of them). */
static double *used_samples(const struct cb_model *m, const struct cb_run *r,
                            size_t *n)
{
    double *x = malloc((r->n ? r->n : 1) * sizeof *x);
    *n = 0;
    for (size_t i = 0; x && i < r->n; i++)
        if (used(m, r, i))
            x[(*n)++] = r->samples[i];
    return x;
}

static void derive_run(struct cb_model *m, struct cb_run *r)
{
    const struct cb_run *b;
    size_t nu = 0, nb = 0;
    double *u = used_samples(m, r, &nu), *bu = NULL;
    unsigned char *flags = calloc(nu ? nu : 1, 1);
    if (m->no_intervals)
        cb_summarize_point(u, nu, &r->d.sum);
    else
        cb_summarize(u, nu, &r->d.sum);
    r->d.used = nu;
    r->d.aside = r->n - nu;
    free(r->d.outlier);
    r->d.outlier = calloc(r->n ? r->n : 1, 1);
    if (r->d.outlier && flags) {
        cb_outliers(u, nu, flags);
        for (size_t i = 0, k = 0; i < r->n; i++)
            if (used(m, r, i))
                r->d.outlier[i] = flags[k++];
    }
    free(flags);
    r->d.median_sample = median_index(r->samples, r->n, r->d.sum.median);
    r->d.detail_sample = r->detail_of && r->detail_of <= r->n
                             ? (int)r->detail_of - 1
                             : cb_run_detail_sample(m, r);
    r->d.speedup = r->d.sp_lo = r->d.sp_hi = NAN;
    r->d.base = b = cb_model_baseline(m, r);
    if (b)
        bu = used_samples(m, b, &nb);
    if (b && nu && nb && !r->timed_kernel)
        cb_ratio_estimate_ci(bu, nb, u, nu, 0.95, CB_BOOTSTRAP_SEED,
                             m->no_intervals ? 0 : CB_BOOTSTRAP_ROUNDS,
                             &r->d.speedup, &r->d.sp_lo, &r->d.sp_hi);
    free(u);
    free(bu);
    if (r->base_params && b != r) { /* weak: the scaled speedup */
        r->d.speedup *= r->cfg.workers;
        r->d.sp_lo *= r->cfg.workers;
        r->d.sp_hi *= r->cfg.workers;
    }
    r->d.karp_flatt = cb_karp_flatt(r->d.speedup, r->cfg.workers,
                                    &r->d.kf_why);
    if (r->base_params) {
        r->d.karp_flatt = NAN;
        r->d.kf_why = "weak scaling";
    }
    r->d.per_task = r->tasks && r->n ? r->d.sum.median / (double)r->tasks
                                     : NAN;
    r->d.imbalance = NAN;
    if (r->detail && r->n) {
        double mx = 0, tot = 0;
        for (int i = 0; i < r->cfg.workers; i++) {
            tot += r->detail[i].busy_s;
            mx = r->detail[i].busy_s > mx ? r->detail[i].busy_s : mx;
        }
        if (tot > 0)
            r->d.imbalance = mx / (tot / r->cfg.workers);
    }
    for (int k = 0; k < r->nmet; k++) {
        r->d.met_median[k] = cb_median(r->met[k].v, r->n);
        r->d.met_base[k] = NAN;
        for (int j = 0; b && j < b->nmet; j++)
            if (strcmp(b->met[j].name, r->met[k].name) == 0)
                r->d.met_base[k] = cb_median(b->met[j].v, b->n);
    }
    cb_config_label(&r->cfg, r->d.label, sizeof r->d.label);
    cb_run_budget(r);
    r->d.done = 1;
}

/* The map time of the sample `detail` describes; NaN if none. */
static double detail_time(const struct cb_run *r)
{
    return r->d.detail_sample >= 0 ? r->samples[r->d.detail_sample] : NAN;
}

/* The median of x over the samples r's statistics use; NaN if none. */
static double used_median(const struct cb_run *r, const double *x)
{
    double *v = x && r->n ? malloc(r->n * sizeof *v) : NULL, med;
    size_t n = 0;
    for (size_t i = 0; v && i < r->n; i++)
        if (cb_run_sample_used(r, i) && isfinite(x[i]))
            v[n++] = x[i];
    med = n ? cb_median(v, n) : NAN;
    free(v);
    return med;
}

/* The budget of r against its baseline (budget.h): the run's side of
 * cb_budget_compute, here so that budget.c needs nothing of the model. */
void cb_run_budget(struct cb_run *r)
{
    const struct cb_run *base = r->d.base;
    struct cb_budget_in in = {0};
    in.efficiency = r->d.speedup / r->cfg.workers;
    in.workers = r->cfg.workers;
    in.w = r->detail;
    in.t_est = r->d.sum.est;
    in.t_detail = detail_time(r);
    in.start = used_median(r, r->startup);
    in.stop = used_median(r, r->shutdown);
    if (base && base != r && base->d.done) {
        in.base_workers = base->cfg.workers;
        in.base_w = base->detail;
        in.base_est = base->d.sum.est;
        in.base_detail = detail_time(base);
        in.base_start = used_median(base, base->startup);
        in.base_stop = used_median(base, base->shutdown);
    }
    cb_budget_compute(&in, &r->d.budget);
}

void cb_model_derive(struct cb_model *m)
{
    /* baselines first: every other run reads its baseline's samples only,
     * but a derived baseline is what the table prints beside them */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < m->nruns; i++) {
            struct cb_run *r = &m->runs[i];
            if (!r->d.done && (pass == 1 || r->baseline))
                derive_run(m, r);
        }
}

void cb_model_free(struct cb_model *m)
{
    for (size_t i = 0; i < m->nruns; i++)
        cb_run_free(&m->runs[i]);
    free(m->runs);
    free(m->path);
    json_decref(m->root);
    memset(m, 0, sizeof *m);
}
