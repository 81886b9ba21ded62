/* Result files into the model: the one validator every reader uses
 * (report, compare, and what comes). results.c reads the JSON within the
 * input limits; here every run is checked key by key and turned into a
 * struct cb_run, so a reader never meets a value of the wrong type, a
 * negative time or a worker count the model cannot hold. Files from before
 * runtimes, baselines and executor parameters read as what they were: C
 * runs, the executor named "serial" as the baseline, executor parameters
 * rebuilt from chunksize, schedule, switch_interval_us and start_method. */
#include "model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* The error of run `idx` of `path`: "PATH: runs[I]: MESSAGE". */
static int bad(struct cb_error *e, const char *path, size_t idx,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int bad(struct cb_error *e, const char *path, size_t idx,
               const char *fmt, ...)
{
    char msg[320], shown[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cb_text_clean(path, shown, sizeof shown, 120);
    return CB_FAIL(e, CB_EUSAGE, "%s: runs[%zu]: %s", shown, idx, msg);
}

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* key absent or null: ok, *out untouched; a string: *out; else -1 */
static int opt_str(const json_t *o, const char *key, const char **out)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return -1;
    *out = json_string_value(v);
    return 0;
}

/* An array of n finite numbers >= min (strictly > 0 when positive), into a
 * new buffer. Absent: *out NULL, *n 0. */
static int numbers(const json_t *run, const char *key, int positive,
                   double **out, size_t *n, const char *path, size_t idx,
                   struct cb_error *e)
{
    const json_t *a = json_object_get(run, key), *v;
    size_t i;
    *out = NULL;
    *n = 0;
    if (!a || json_is_null(a))
        return 0;
    if (!json_is_array(a))
        return bad(e, path, idx, "\"%s\" is not an array", key);
    if (json_array_size(a) > CB_RESULTS_MAX_SAMPLES)
        return bad(e, path, idx, "\"%s\" has %zu entries, more than the %d "
                   "per configuration corebench analyses", key,
                   json_array_size(a), CB_RESULTS_MAX_SAMPLES);
    *out = malloc((json_array_size(a) ? json_array_size(a) : 1) *
                  sizeof **out);
    if (!*out)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    json_array_foreach(a, i, v)
    {
        double x = json_number_value(v);
        if (!json_is_number(v) || !isfinite(x) || x < 0 ||
            (positive && x == 0)) {
            free(*out);
            *out = NULL;
            return bad(e, path, idx, "\"%s\"[%zu] is not a %s time in "
                       "seconds", key, i, positive ? "positive" : "");
        }
        (*out)[i] = x;
    }
    *n = json_array_size(a);
    return 0;
}

static void xp_add(struct cb_config *c, const char *name, const char *val,
                   int asked)
{
    struct cb_xvalue *v;
    if (c->nxp >= CB_MAX_XPARAMS || cb_config_xparam(c, name))
        return;
    v = &c->xp[c->nxp++];
    snprintf(v->name, sizeof v->name, "%s", name);
    snprintf(v->val, sizeof v->val, "%s", val);
    v->asked = asked;
}

/* Executor parameters: `exec_params` (and `exec_params_asked`), else the
 * older fields; then, for an executor this build knows, its defaults for
 * what the file does not say, so both read as the same configuration. */
static int load_xparams(const json_t *run, struct cb_config *c,
                        const char *path, size_t idx, struct cb_error *e)
{
    const json_t *xp = json_object_get(run, "exec_params"), *v, *cs;
    const json_t *asked = json_object_get(run, "exec_params_asked");
    const struct cb_executor *x = cb_executor_find(c->executor);
    const char *key, *s = NULL;
    char buf[32];
    if (xp && !json_is_null(xp)) {
        if (!json_is_object(xp))
            return bad(e, path, idx, "\"exec_params\" is not an object");
        json_object_foreach((json_t *)xp, key, v)
        {
            size_t i;
            const json_t *a;
            int was = 0;
            if (!json_is_string(v) || strlen(key) >= 32 ||
                strlen(json_string_value(v)) >= CB_XPARAM_VAL)
                return bad(e, path, idx, "\"exec_params\".%.40s is not a "
                           "string of at most %d bytes", key,
                           CB_XPARAM_VAL - 1);
            json_array_foreach(asked, i, a)
                was |= json_is_string(a) &&
                       strcmp(json_string_value(a), key) == 0;
            xp_add(c, key, json_string_value(v), was);
        }
    } else {
        cs = json_object_get(run, "chunksize");
        if (json_is_string(cs) && strcmp(json_string_value(cs), "auto") == 0)
            xp_add(c, "chunksize", "auto", 1);
        else if (json_is_integer(cs) && json_integer_value(cs) > 0 &&
                 json_integer_value(cs) <= (1 << 30)) {
            snprintf(buf, sizeof buf, "%lld",
                     (long long)json_integer_value(cs));
            xp_add(c, "chunksize", buf, 1);
        } else if (cs && !json_is_null(cs))
            return bad(e, path, idx, "\"chunksize\" is not a count, "
                       "\"auto\" or null");
        if (opt_str(run, "schedule", &s))
            return bad(e, path, idx, "\"schedule\" is not a string or null");
        if (s)
            xp_add(c, "schedule", s, 0);
        v = json_object_get(run, "switch_interval_us");
        if (json_is_integer(v) && json_integer_value(v) > 0) {
            snprintf(buf, sizeof buf, "%lld",
                     (long long)json_integer_value(v));
            /* older labels named the interval only when not the default */
            xp_add(c, "switch_interval", buf,
                   json_integer_value(v) != CB_SWITCH_INTERVAL_DEFAULT_US);
        } else if (v && !json_is_null(v)) {
            return bad(e, path, idx, "\"switch_interval_us\" is not a "
                       "positive integer or null");
        }
        s = NULL;
        if (opt_str(run, "start_method", &s))
            return bad(e, path, idx, "\"start_method\" is not a string or "
                       "null");
        if (s)
            xp_add(c, "start_method", s, strcmp(s, "fork") != 0);
    }
    for (const struct cb_xparam *p = x ? x->params : NULL; p && p->name; p++)
        xp_add(c, p->name, p->def, 0);
    return 0;
}

/* The per-worker detail of the sample nearest the estimator, when the file has one entry per
 * worker (older or damaged files without: none). */
static int load_detail(const json_t *run, struct cb_run *r)
{
    const json_t *wd = json_object_get(run, "workers_detail"), *w;
    size_t i;
    if (!json_is_array(wd) || json_array_size(wd) != (size_t)r->cfg.workers)
        return 0;
    r->detail = calloc((size_t)r->cfg.workers, sizeof *r->detail);
    if (!r->detail)
        return -1;
    /* which sample they describe (null, absent: older files) */
    {
        const json_t *ds = json_object_get(run, "workers_detail_sample");
        json_int_t k = json_is_integer(ds) ? json_integer_value(ds) : -1;
        r->detail_of = k >= 0 && (size_t)k < r->n ? (size_t)k + 1 : 0;
    }
    json_array_foreach(wd, i, w)
    {
        struct cb_worker_stats *ws = &r->detail[i];
        double x;
        const char *h = jstr(w, "host");
        ws->tasks = (uint64_t)fmax(0, cb_json_get(w, "tasks"));
        ws->chunks = (uint64_t)fmax(0, cb_json_get(w, "chunks"));
        ws->busy_s = cb_json_get(w, "busy_s");
        ws->cpu_s = cb_json_get(w, "cpu_s");
        ws->lock_wait_s = cb_json_get(w, "lock_wait_s");
        x = cb_json_get(w, "span_s"); /* null or absent: not measured */
        ws->span_s = isfinite(x) && x > 0 ? x : 0;
        x = cb_json_get(w, "pu_planned");
        ws->pu_planned = x >= 0 && x < 1e9 ? (int)x : -1;
        x = cb_json_get(w, "cpu_first");
        ws->cpu_first = x >= 0 && x < 1e9 ? (int)x : -1;
        x = cb_json_get(w, "cpu_last");
        ws->cpu_last = x >= 0 && x < 1e9 ? (int)x : -1;
        ws->pinned = json_is_true(json_object_get(w, "pinned"));
        x = cb_json_get(w, "pid");
        ws->pid = x > 0 && x < 1e15 ? (int64_t)x : 0;
        if (h)
            snprintf(ws->host, sizeof ws->host, "%s", h);
        x = cb_json_get(w, "run_delay_s");
        if (isfinite(x) && x >= 0) {
            ws->run_delay_s = x;
            ws->measured |= CB_WS_RUN_DELAY;
        }
        if (cb_json_get(w, "csw_voluntary") >= 0 &&
            cb_json_get(w, "csw_involuntary") >= 0) {
            ws->csw_voluntary = (uint64_t)cb_json_get(w, "csw_voluntary");
            ws->csw_involuntary = (uint64_t)cb_json_get(w, "csw_involuntary");
            ws->measured |= CB_WS_CSW;
        }
    }
    return 0;
}

/* Kernel metrics: per-sample arrays as long as the samples. */
static int load_metrics(const json_t *run, struct cb_run *r, const char *path,
                        size_t idx, struct cb_error *e)
{
    const json_t *mo = json_object_get(run, "metrics"), *m;
    const char *name;
    if (!mo || json_is_null(mo))
        return 0;
    if (!json_is_object(mo))
        return bad(e, path, idx, "\"metrics\" is not an object");
    json_object_foreach((json_t *)mo, name, m)
    {
        struct cb_run_metric *rm;
        double *v;
        size_t n;
        int rc;
        if (r->nmet == CB_MAX_METRICS)
            break;
        if ((rc = numbers(m, "samples", 0, &v, &n, path, idx, e)))
            return rc;
        if (n != r->n) {
            free(v);
            return bad(e, path, idx, "metric \"%.32s\" has %zu samples, the "
                       "run %zu", name, n, r->n);
        }
        rm = &r->met[r->nmet++];
        free(rm->v);
        rm->v = v;
        snprintf(rm->name, sizeof rm->name, "%s", name);
        snprintf(rm->unit, sizeof rm->unit, "%s",
                 jstr(m, "unit") ? jstr(m, "unit") : "");
        snprintf(rm->what, sizeof rm->what, "%s",
                 jstr(m, "what") ? jstr(m, "what") : "");
    }
    return 0;
}

/* The per-sample figures of the rule and the machine (files from before
 * them: none, NaN): each an array of one number or null per sample. */
static int load_interf_figures(const json_t *in, struct cb_run *r,
                               const char *path, size_t idx,
                               struct cb_error *e)
{
    static const struct {
        const char *key;
        size_t off;
    } f[] = {
        {"t_start_us", offsetof(struct cb_run_interf, t_start)},
        {"t_end_us", offsetof(struct cb_run_interf, t_end)},
        {"stretch_s", offsetof(struct cb_run_interf, stretch_s)},
        {"limit_s", offsetof(struct cb_run_interf, limit_s)},
        {"lost_s", offsetof(struct cb_run_interf, lost_s)},
        {"steal_s", offsetof(struct cb_run_interf, steal_s)},
        {"cpu_s", offsetof(struct cb_run_interf, cpu_s)},
        {"cpu_excess_s", offsetof(struct cb_run_interf, cpu_excess_s)},
        {"steal_all_s", offsetof(struct cb_run_interf, steal_all_s)},
        {"outside_cpu_s", offsetof(struct cb_run_interf, outside_s)},
        {"window_s", offsetof(struct cb_run_interf, window_s)},
    };
    const json_t *cpus = json_object_get(in, "cpus");
    for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
        const json_t *a = json_object_get(in, f[k].key);
        if (!a || json_is_null(a))
            continue;
        if (!json_is_array(a) || json_array_size(a) != r->n)
            return bad(e, path, idx, "\"interference\".\"%s\" is not one "
                       "number or null per sample", f[k].key);
        for (size_t i = 0; i < r->n; i++) {
            const json_t *x = json_array_get(a, i);
            double v = NAN;
            if (json_is_number(x))
                v = json_number_value(x);
            else if (!json_is_null(x))
                return bad(e, path, idx, "\"interference\".\"%s\"[%zu] is "
                           "not a number or null", f[k].key, i);
            if (!isfinite(v) && !json_is_null(x))
                v = NAN;
            if (f[k].off == offsetof(struct cb_run_interf, t_start) ||
                f[k].off == offsetof(struct cb_run_interf, t_end))
                v *= 1e-6; /* microseconds in the file */
            memcpy((char *)&r->interf[i] + f[k].off, &v, sizeof v);
        }
    }
    if (json_is_array(cpus) && json_array_size(cpus) == r->n)
        for (size_t i = 0; i < r->n; i++) {
            json_int_t c = json_integer_value(json_array_get(cpus, i));
            r->interf[i].ncpus = c > 0 && c < 1000000 ? (int)c : 0;
        }
    return 0;
}

/* Which samples were interfered, and by whom (files from before: none). */
static int load_interference(const json_t *run, struct cb_run *r,
                             const char *path, size_t idx, struct cb_error *e)
{
    const json_t *in = json_object_get(run, "interference"), *f, *who;
    size_t i;
    if (!in || json_is_null(in))
        return 0;
    f = json_object_get(in, "interfered");
    who = json_object_get(in, "by");
    if (!json_is_array(f) || json_array_size(f) != r->n)
        return bad(e, path, idx, "\"interference\".\"interfered\" is not "
                   "one boolean per sample");
    r->interfered = calloc(r->n + 1, 1);
    r->interf = calloc(r->n + 1, sizeof *r->interf);
    if (!r->interfered || !r->interf)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    for (i = 0; i < r->n; i++) {
        const json_t *w = json_array_get(who, i);
        const char *cause = json_string_value(json_object_get(w, "cause"));
        double x;
        cb_run_interf_init(&r->interf[i]);
        r->interf[i].cause = !cause                           ? NULL
                             : strcmp(cause, "steal") == 0     ? "steal"
                             : strcmp(cause, "cpu rate") == 0  ? "cpu rate"
                             : strcmp(cause, "run delay") == 0 ? "run delay"
                                                               : NULL;
        r->interf[i].steal_s = cb_json_get(w, "steal_s");
        r->interf[i].cpu_excess_s = cb_json_get(w, "cpu_excess_s");
        if (!json_is_boolean(json_array_get(f, i)))
            return bad(e, path, idx, "\"interference\".\"interfered\"[%zu] "
                       "is not a boolean", i);
        r->interfered[i] = json_is_true(json_array_get(f, i));
        x = cb_json_get(w, "worker");
        r->interf[i].worker = x >= 0 && x < CB_MAX_WORKERS ? (int)x : -1;
        x = cb_json_get(w, "cpu");
        r->interf[i].cpu = x >= 0 && x < 1e9 ? (int)x : -1;
        r->interf[i].pinned = json_is_true(json_object_get(w, "pinned"));
        r->interf[i].delay_s = cb_json_get(w, "run_delay_s");
        r->interf[i].excess_s = cb_json_get(w, "excess_s");
    }
    return load_interf_figures(in, r, path, idx, e);
}

static int load_run(const char *path, size_t idx, const json_t *run,
                    struct cb_run *r, struct cb_error *e)
{
    const json_t *v, *work, *gil, *ipc;
    size_t n2;
    int rc;

    memset(r, 0, sizeof *r);
    r->id = (int)idx;
    if (!json_is_object(run))
        return bad(e, path, idx, "not an object");
    r->cfg.kernel = jstr(run, "kernel");
    r->cfg.executor = jstr(run, "executor");
    v = json_object_get(run, "workers");
    if (!r->cfg.kernel || !r->cfg.executor)
        return bad(e, path, idx, "\"kernel\" and \"executor\" must be "
                   "strings");
    if (!json_is_integer(v) || json_integer_value(v) < 1 ||
        json_integer_value(v) > CB_MAX_WORKERS)
        return bad(e, path, idx, "\"workers\" is not an integer in 1..%d",
                   CB_MAX_WORKERS);
    r->cfg.workers = (int)json_integer_value(v);
    r->cfg.size = "-";
    r->cfg.runtime = "c";
    r->cfg.pin = "none";
    if (opt_str(run, "size", &r->cfg.size) ||
        opt_str(run, "runtime", &r->cfg.runtime) ||
        opt_str(run, "pin", &r->cfg.pin))
        return bad(e, path, idx, "\"size\", \"runtime\" and \"pin\" must be "
                   "strings");
    v = json_object_get(run, "params");
    if (v && !json_is_object(v) && !json_is_null(v))
        return bad(e, path, idx, "\"params\" is not an object");
    r->cfg.params = json_is_object(v) ? json_incref((json_t *)v)
                                      : json_object();
    v = json_object_get(run, "scaling");
    if (v && !json_is_null(v) && (!json_is_string(v) ||
        (strcmp(json_string_value(v), "strong") &&
         strcmp(json_string_value(v), "weak"))))
        return bad(e, path, idx, "\"scaling\" is not \"strong\" or \"weak\"");
    if (v && json_is_string(v) && !strcmp(json_string_value(v), "weak")) {
        v = json_object_get(run, "base_params");
        if (!json_is_object(v))
            return bad(e, path, idx, "\"base_params\" (weak scaling) is "
                       "not an object");
        r->base_params = json_incref((json_t *)v);
    }
    v = json_object_get(run, "tasks");
    if (v && !(json_is_integer(v) && json_integer_value(v) >= 0))
        return bad(e, path, idx, "\"tasks\" is not a count");
    r->tasks = v ? (size_t)json_integer_value(v) : 0;
    if ((rc = load_xparams(run, &r->cfg, path, idx, e)))
        return rc;
    v = json_object_get(run, "baseline");
    r->baseline = json_is_boolean(v) ? json_is_true(v)
                                     : strcmp(r->cfg.executor, "serial") == 0;
    v = json_object_get(run, "verified");
    r->verified = json_is_boolean(v) ? json_is_true(v) : -1;
    if (jstr(run, "error"))
        snprintf(r->error, sizeof r->error, "%s", jstr(run, "error"));

    if ((rc = numbers(run, "samples", 1, &r->samples, &r->n, path, idx, e)))
        return rc;
    if (!json_is_array(json_object_get(run, "samples")))
        return bad(e, path, idx, "no \"samples\" array");
    r->cap = r->n;
    if ((rc = numbers(run, "warmup", 0, &r->warm, &r->nwarm, path, idx, e)) ||
        (rc = numbers(run, "startup", 0, &r->startup, &n2, path, idx, e)))
        return rc;
    if (r->startup && n2 != r->n)
        return bad(e, path, idx, "\"startup\" has %zu entries for %zu "
                   "samples", n2, r->n);
    if ((rc = numbers(run, "shutdown", 0, &r->shutdown, &n2, path, idx, e)))
        return rc;
    if (r->shutdown && n2 != r->n)
        return bad(e, path, idx, "\"shutdown\" has %zu entries for %zu "
                   "samples", n2, r->n);
    /* files without them: zeros, so every per-sample array has n */
    if (!r->startup && !(r->startup = calloc(r->n + 1, sizeof(double))))
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    if (!r->shutdown && !(r->shutdown = calloc(r->n + 1, sizeof(double))))
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    if ((rc = load_metrics(run, r, path, idx, e)) ||
        (rc = load_interference(run, r, path, idx, e)))
        return rc;
    if (jstr(run, "stop"))
        snprintf(r->stop, sizeof r->stop, "%s", jstr(run, "stop"));
    if (load_detail(run, r))
        return CB_FAIL(e, CB_ENOMEM, "out of memory");

    work = json_object_get(run, "work");
    r->work = cb_json_get(work, "per_map");
    r->work_unit = jstr(work, "unit");
    r->bytes_touched = cb_json_get(work, "bytes_touched");
    r->working_set = cb_json_get(work, "working_set_bytes");
    if (!(r->bytes_touched > 0))
        r->bytes_touched = NAN;
    ipc = json_object_get(run, "ipc");
    r->bytes_to = (uint64_t)fmax(0, cb_json_get(ipc, "bytes_to_workers"));
    r->bytes_from = (uint64_t)fmax(0, cb_json_get(ipc, "bytes_from_workers"));
    gil = json_object_get(run, "gil");
    r->gil_switches = cb_json_get(gil, "switches");
    r->gil_drops = cb_json_get(gil, "drop_requests");
    r->gil_wait = cb_json_get(gil, "lock_wait_s");
    v = json_object_get(run, "chunksize_used");
    r->chunk_used = json_is_integer(v) && json_integer_value(v) > 0
                        ? (long)json_integer_value(v) : -1;
    v = json_object_get(run, "warnings");
    r->warnings = json_is_array(v) ? json_incref((json_t *)v) : json_array();
    v = json_object_get(run, "counters");
    r->counters = json_is_array(v) ? json_incref((json_t *)v) : NULL;
    /* a timed kernel wrote null speedups beside a metric */
    r->timed_kernel = r->nmet > 0 &&
                      json_is_null(json_object_get(run, "speedup"));
    return 0;
}

static void summary_of(struct cb_model *m)
{
    const json_t *t = json_object_get(m->context, "topology");
    double pk = cb_json_get(t, "packages"), co = cb_json_get(t, "cores");
    m->host = jstr(json_object_get(m->context, "host"), "hostname");
    m->date = jstr(m->context, "date");
    m->cpu_model = jstr(json_object_get(m->context, "cpu"), "model");
    m->fingerprint = jstr(t, "fingerprint");
    m->pus = cb_json_get(t, "pus");
    m->cpu_limit = cb_json_get(m->context, "cgroup_cpu_limit");
    if (isfinite(pk) && isfinite(co) && isfinite(m->pus))
        snprintf(m->topo_summary, sizeof m->topo_summary,
                 "%.0f pkg, %.0f cores, %.0f PUs", pk, co, m->pus);
    else
        snprintf(m->topo_summary, sizeof m->topo_summary, "topology unknown");
}

int cb_model_load(const char *path, struct cb_model *m, struct cb_error *e)
{
    const json_t *runs, *run;
    size_t i;
    int rc;

    memset(m, 0, sizeof *m);
    if ((rc = cb_results_load(path, &m->root, e)))
        return rc;
    m->path = strdup(path);
    runs = json_object_get(m->root, "runs");
    m->runs = calloc(json_array_size(runs) + 1, sizeof *m->runs);
    if (!m->path || !m->runs) {
        cb_model_free(m);
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    }
    json_array_foreach(runs, i, run)
    {
        rc = load_run(path, i, run, &m->runs[i], e);
        m->nruns = i + 1; /* so that free releases this one too */
        if (rc) {
            cb_model_free(m);
            return rc;
        }
    }
    m->complete = json_is_true(json_object_get(m->root, "complete"));
    m->context = json_object_get(m->root, "context");
    m->probe = json_object_get(m->root, "probe");
    m->warnings = json_object_get(m->root, "warnings");
    m->fits = json_object_get(m->root, "fits");
    m->keep_interfered = json_is_true(json_object_get(
        json_object_get(m->context, "settings"), "keep_interfered"));
    summary_of(m);
    return 0;
}
