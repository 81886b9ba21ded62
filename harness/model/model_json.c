/* The model as JSON: what `run` writes for every configuration
 * (results/SCHEMA.md's `run`) and the Amdahl fits. The reader is
 * model_load.c; the two are each other's inverse for every field a reader
 * uses. */
#include "model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static json_t *num_array(const double *x, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, cb_json_num(x[i]));
    return a;
}

static json_t *int_or_null(long v)
{
    return v >= 0 ? json_integer(v) : json_null();
}

static json_t *triple(double v, double lo, double hi, double div)
{
    if (!isfinite(v))
        return json_null();
    return json_pack("{s:o, s:o, s:o}", "value", cb_json_num(v / div),
                     "ci_lo", cb_json_num(lo / div), "ci_hi",
                     cb_json_num(hi / div));
}

static json_t *detail_json(const struct cb_run *r)
{
    json_t *a = json_array();
    for (int i = 0; r->detail && r->n && i < r->cfg.workers; i++) {
        const struct cb_worker_stats *ws = &r->detail[i];
        int rd = ws->measured & CB_WS_RUN_DELAY, cs = ws->measured & CB_WS_CSW;
        /* "" is this machine; a name that is not UTF-8 reads as null */
        json_t *host = ws->host[0]
            ? json_stringn(ws->host, strnlen(ws->host, sizeof ws->host))
            : NULL;
        json_array_append_new(a, json_pack(
            "{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:I, s:o, "
            "s:o, s:o, s:o}",
            "tasks", (json_int_t)ws->tasks, "chunks", (json_int_t)ws->chunks,
            "busy_s", cb_json_num(ws->busy_s), "cpu_s", cb_json_num(ws->cpu_s),
            "span_s", ws->span_s > 0 ? cb_json_num(ws->span_s) : json_null(),
            "pu_planned", int_or_null(ws->pu_planned),
            "cpu_first", int_or_null(ws->cpu_first),
            "cpu_last", int_or_null(ws->cpu_last), "pinned", ws->pinned,
            "lock_wait_s", cb_json_num(ws->lock_wait_s),
            "pid", (json_int_t)ws->pid, "host", host ? host : json_null(),
            "run_delay_s", rd ? cb_json_num(ws->run_delay_s) : json_null(),
            "csw_voluntary",
            cs ? json_integer((json_int_t)ws->csw_voluntary) : json_null(),
            "csw_involuntary",
            cs ? json_integer((json_int_t)ws->csw_involuntary)
               : json_null()));
    }
    return a;
}

/* The efficiency budget (budget.h), or null. */
static json_t *budget_json(const struct cb_budget *b)
{
    json_t *f = json_object(), *l = json_object();
    if (!b->ok) {
        json_decref(f);
        json_decref(l);
        return json_null();
    }
    for (int i = 0; i < CB_NLOSS; i++) {
        json_object_set_new(f, cb_loss_key[i], cb_json_num(b->factor[i]));
        json_object_set_new(l, cb_loss_key[i], cb_json_num(b->lost[i]));
    }
    return json_pack("{s:o, s:o, s:o, s:s, s:b, s:{s:o, s:o}, s:o, s:o}",
        "efficiency", cb_json_num(b->efficiency), "factors", f, "lost", l,
        "largest", cb_loss_key[b->largest], "explained", b->explained,
        "interference_parts", "run_delay", cb_json_num(b->interf_delay),
        "samples", cb_json_num(b->interf_samples),
        "startup_shutdown", cb_json_num(b->startup),
        "efficiency_whole", cb_json_num(b->efficiency_whole));
}

/* One figure of every sample's interference record (the double at
 * offset `off` of struct cb_run_interf), null where unknown. */
static json_t *interf_field(const struct cb_run *r, size_t off)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n; i++) {
        double x = NAN;
        if (r->interf)
            memcpy(&x, (const char *)&r->interf[i] + off, sizeof x);
        json_array_append_new(a, cb_json_num(x));
    }
    return a;
}
#define INTERF_FIELD(r, field) interf_field(r, offsetof(struct cb_run_interf, field))

/* Epoch times as integer microseconds: a real would keep 10 digits. */
static json_t *interf_epoch_us(const struct cb_run *r, int end)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n; i++) {
        double t = !r->interf ? NAN : end ? r->interf[i].t_end
                                          : r->interf[i].t_start;
        json_array_append_new(a, isfinite(t) && t > 0 && t < 1e11
                                     ? json_integer((json_int_t)llround(t * 1e6))
                                     : json_null());
    }
    return a;
}

/* Per sample: interfered or not, by whom and why, what the rule saw, when
 * it ran and what the machine did meanwhile; and how many samples the
 * statistics set aside (those interfered, while enough clean ones are
 * left). */
static json_t *interference_json(const struct cb_run *r)
{
    json_t *flags = json_array(), *who = json_array(), *cpus = json_array();
    for (size_t i = 0; i < r->n; i++) {
        const struct cb_run_interf *v = r->interf ? &r->interf[i] : NULL;
        int f = r->interfered && r->interfered[i];
        json_array_append_new(flags, json_boolean(f));
        json_array_append_new(who, f && v
            ? json_pack("{s:i, s:o, s:b, s:o, s:o, s:o, s:o, s:o}",
                        "worker", v->worker, "cpu", int_or_null(v->cpu),
                        "pinned", v->pinned,
                        "run_delay_s", cb_json_num(v->delay_s),
                        "excess_s", cb_json_num(v->excess_s),
                        "steal_s", cb_json_num(v->steal_s),
                        "cpu_excess_s", cb_json_num(v->cpu_excess_s),
                        "cause", v->cause ? json_string(v->cause)
                                          : json_null())
            : json_null());
        json_array_append_new(cpus, v && v->ncpus > 0
                                        ? json_integer(v->ncpus)
                                        : json_null());
    }
    return json_pack(
        "{s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
        "s:o, s:o, s:o, s:o}",
        "interfered", flags, "by", who, "set_aside", (json_int_t)r->d.aside,
        "t_start_us", interf_epoch_us(r, 0), "t_end_us", interf_epoch_us(r, 1),
        "stretch_s", INTERF_FIELD(r, stretch_s),
        "limit_s", INTERF_FIELD(r, limit_s),
        "lost_s", INTERF_FIELD(r, lost_s),
        "steal_s", INTERF_FIELD(r, steal_s),
        "cpu_s", INTERF_FIELD(r, cpu_s),
        "cpu_excess_s", INTERF_FIELD(r, cpu_excess_s),
        "steal_all_s", INTERF_FIELD(r, steal_all_s),
        "outside_cpu_s", INTERF_FIELD(r, outside_s),
        "window_s", INTERF_FIELD(r, window_s), "cpus", cpus,
        "run_delay_s", INTERF_FIELD(r, delay_s),
        "delay_excess_s", INTERF_FIELD(r, excess_s));
}

static json_t *metrics_json(const struct cb_run *r)
{
    json_t *o = json_object();
    for (int m = 0; m < r->nmet; m++)
        json_object_set_new(o, r->met[m].name, json_pack(
            "{s:s, s:s, s:o, s:o, s:o}", "unit", r->met[m].unit,
            "what", r->met[m].what, "samples", num_array(r->met[m].v, r->n),
            "median", cb_json_num(r->d.met_median[m]),
            "baseline", cb_json_num(r->d.met_base[m])));
    return o;
}

/* Executor parameters: `exec_params` every one resolved, `exec_params_asked`
 * the names given; and the fields files had before executor parameters, so
 * that older readers keep reading: chunksize as asked (a count, "auto" or
 * null), schedule, switch_interval_us and start_method as used (null where
 * the executor takes none). */
static void xparams_json(json_t *j, const struct cb_run *r)
{
    const struct cb_config *c = &r->cfg;
    json_t *xp = json_object(), *asked = json_array();
    struct cb_chunk ch = cb_config_chunk(c);
    const char *si = cb_config_xparam(c, "switch_interval");
    const char *sc = cb_config_xparam(c, "schedule");
    const char *sm = cb_config_xparam(c, "start_method");
    for (int i = 0; i < c->nxp; i++) {
        json_object_set_new(xp, c->xp[i].name, cb_json_text(c->xp[i].val));
        if (c->xp[i].asked)
            json_array_append_new(asked, json_string(c->xp[i].name));
    }
    json_object_set_new(j, "exec_params", xp);
    json_object_set_new(j, "exec_params_asked", asked);
    json_object_set_new(j, "chunksize",
                        ch.kind == CB_CHUNK_AUTO    ? json_string("auto")
                        : ch.kind == CB_CHUNK_COUNT ? json_integer(ch.count)
                                                    : json_null());
    json_object_set_new(j, "chunksize_used", int_or_null(r->chunk_used > 0
                                                             ? r->chunk_used
                                                             : -1));
    json_object_set_new(j, "schedule", sc ? cb_json_text(sc) : json_null());
    json_object_set_new(j, "switch_interval_us",
                        si ? json_integer(atol(si)) : json_null());
    json_object_set_new(j, "start_method",
                        sm ? cb_json_text(sm) : json_null());
}

json_t *cb_model_run_json(const struct cb_run *r)
{
    json_t *j, *planned = json_array(), *observed = json_array(),
               *flags = json_array();
    double w = r->cfg.workers;

    for (int i = 0; i < r->cfg.workers; i++) {
        const struct cb_worker_stats *ws = r->detail ? &r->detail[i] : NULL;
        json_array_append_new(planned, r->planned ? int_or_null(r->planned[i])
                                                  : json_null());
        json_array_append_new(observed, ws && r->n
            ? json_pack("[o, o]", int_or_null(ws->cpu_first),
                        int_or_null(ws->cpu_last))
            : json_null());
    }
    for (size_t i = 0; i < r->n; i++)
        json_array_append_new(flags, json_boolean(r->d.outlier &&
                                                  r->d.outlier[i]));
    j = json_pack("{s:i, s:o, s:o, s:O, s:I, s:o, s:o, s:b, s:i}", "id",
                  r->id, "kernel", cb_json_text(r->cfg.kernel), "size",
                  cb_json_text(r->cfg.size), "params",
                  r->cfg.params ? r->cfg.params : json_object(), "tasks",
                  (json_int_t)r->tasks, "executor",
                  cb_json_text(r->cfg.executor), "runtime",
                  cb_json_text(r->cfg.runtime), "baseline", r->baseline,
                  "workers", r->cfg.workers);
    if (!j)
        return NULL;
    xparams_json(j, r);
    json_object_set_new(j, "scaling", json_string(r->base_params ? "weak"
                                                                 : "strong"));
    if (r->base_params)
        json_object_set(j, "base_params", r->base_params);
    json_object_set_new(j, "pin", cb_json_text(r->cfg.pin));
    json_object_set_new(j, "placement", json_pack("{s:o, s:o}", "planned",
                                                  planned, "observed",
                                                  observed));
    json_object_set_new(j, "samples", num_array(r->samples, r->n));
    json_object_set_new(j, "warmup", num_array(r->warm, r->nwarm));
    json_object_set_new(j, "startup", num_array(r->startup, r->n));
    json_object_set_new(j, "shutdown", num_array(r->shutdown, r->n));
    json_object_set_new(j, "stats", json_pack(
        "{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
        "s:i}",
        "n", (json_int_t)r->d.sum.n, "estimate", cb_json_num(r->d.sum.est),
        "estimate_ci_lo", cb_json_num(r->d.sum.est_lo),
        "estimate_ci_hi", cb_json_num(r->d.sum.est_hi),
        "median", cb_json_num(r->d.sum.median),
        "mean", cb_json_num(r->d.sum.mean), "min", cb_json_num(r->d.sum.min),
        "max", cb_json_num(r->d.sum.max),
        "stddev", cb_json_num(r->d.sum.stddev),
        "mad", cb_json_num(r->d.sum.mad), "cv", cb_json_num(r->d.sum.cv),
        "ci_lo", cb_json_num(r->d.sum.ci_lo),
        "ci_hi", cb_json_num(r->d.sum.ci_hi),
        "outliers", r->d.sum.outliers));
    json_object_set_new(j, "outlier_flags", flags);
    json_object_set_new(j, "interference", interference_json(r));
    json_object_set_new(j, "stop", r->stop[0] ? json_string(r->stop)
                                              : json_null());
    json_object_set_new(j, "speedup",
                        triple(r->d.speedup, r->d.sp_lo, r->d.sp_hi, 1));
    json_object_set_new(j, "efficiency",
                        triple(r->d.speedup, r->d.sp_lo, r->d.sp_hi, w));
    json_object_set_new(j, "karp_flatt", cb_json_num(r->d.karp_flatt));
    json_object_set_new(j, "karp_flatt_reason", r->d.kf_why
                                                    ? json_string(r->d.kf_why)
                                                    : json_null());
    json_object_set_new(j, "work", json_pack("{s:o, s:o, s:o, s:o}",
        "unit", r->work_unit ? cb_json_text(r->work_unit) : json_null(),
        "per_map", r->work > 0 ? json_real(r->work) : json_null(),
        "bytes_touched", r->bytes_touched > 0 ? json_real(r->bytes_touched)
                                              : json_null(),
        "working_set_bytes", r->working_set > 0 ? json_real(r->working_set)
                                                : json_null()));
    json_object_set_new(j, "per_task_s", cb_json_num(r->d.per_task));
    json_object_set_new(j, "workers_detail", detail_json(r));
    json_object_set_new(j, "workers_detail_sample",
                        r->detail_of && r->detail_of <= r->n
                            ? json_integer((json_int_t)r->detail_of - 1)
                            : json_null());
    json_object_set_new(j, "imbalance", cb_json_num(r->d.imbalance));
    json_object_set_new(j, "budget", budget_json(&r->d.budget));
    json_object_set_new(j, "ipc", json_pack("{s:I, s:I}",
        "bytes_to_workers", (json_int_t)r->bytes_to,
        "bytes_from_workers", (json_int_t)r->bytes_from));
    json_object_set_new(j, "gil", isfinite(r->gil_switches)
        ? json_pack("{s:o, s:o, s:o}",
                    "switches", json_integer((json_int_t)r->gil_switches),
                    "drop_requests", json_integer((json_int_t)r->gil_drops),
                    "lock_wait_s", cb_json_num(r->gil_wait))
        : json_null());
    json_object_set(j, "counters", r->counters ? r->counters : json_null());
    json_object_set_new(j, "metrics", metrics_json(r));
    json_object_set_new(j, "verified", json_boolean(r->verified == 1));
    if (r->error[0])
        json_object_set_new(j, "error", cb_json_text(r->error));
    json_object_set(j, "warnings", r->warnings ? r->warnings
                                                : json_array());
    return j;
}

/* Same executor variant as a (everything but the worker count). */
static int same_variant(const struct cb_run *a, const struct cb_run *b)
{
    if (strcmp(a->cfg.kernel, b->cfg.kernel) ||
        strcmp(a->cfg.executor, b->cfg.executor) ||
        !json_equal(a->cfg.params, b->cfg.params) || a->cfg.nxp != b->cfg.nxp)
        return 0;
    for (int i = 0; i < a->cfg.nxp; i++)
        if (strcmp(a->cfg.xp[i].name, b->cfg.xp[i].name) ||
            strcmp(a->cfg.xp[i].val, b->cfg.xp[i].val))
            return 0;
    return 1;
}

json_t *cb_model_fits_json(const struct cb_model *m, int allowed_pus)
{
    json_t *fits = json_array();
    for (size_t i = 0; i < m->nruns; i++) {
        const struct cb_run *r = &m->runs[i];
        const struct cb_executor *x = cb_executor_find(r->cfg.executor);
        int p[1024], n = 0, pts = 0, first = 1;
        double sp[1024], f, se;
        const char *why = NULL;
        /* weak scaling has no Amdahl fraction (Gustafson's, if any) */
        if (!x || x->caps & CB_EXEC_SINGLE || r->base_params)
            continue;
        for (size_t j = 0; j < i && first; j++)
            first = !same_variant(&m->runs[j], r);
        if (!first)
            continue;
        for (size_t j = i; j < m->nruns && n < 1024; j++) {
            const struct cb_run *v = &m->runs[j];
            /* oversubscribed points measure time-sharing, not Amdahl */
            if (!same_variant(v, r) || !v->n ||
                v->cfg.workers > allowed_pus || !isfinite(v->d.speedup))
                continue;
            p[n] = v->cfg.workers;
            sp[n++] = v->d.speedup;
            pts += v->cfg.workers > 1;
        }
        if (cb_amdahl_fit(p, sp, (size_t)n, &f, &se, &why) != 0)
            f = se = NAN;
        json_array_append_new(fits, json_pack(
            "{s:o, s:o, s:O, s:o, s:s, s:o, s:o, s:o, s:i}",
            "kernel", cb_json_text(r->cfg.kernel),
            "size", cb_json_text(r->cfg.size), "params", r->cfg.params,
            "executor", cb_json_text(r->cfg.executor),
            "variant", r->d.label, "serial_fraction", cb_json_num(f),
            "stderr", cb_json_num(se),
            "reason", why ? json_string(why) : json_null(), "points", pts));
    }
    return fits;
}

json_t *cb_warning(const char *code, const char *advice, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return json_pack("{s:s, s:o, s:s}", "code", code, "message",
                     cb_json_text(msg), "advice", advice);
}
