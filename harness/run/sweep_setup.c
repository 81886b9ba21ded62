/* The sweep before its first sample, and its warnings: workloads (one per
 * kernel and swept -p values), the plan, the result document's context,
 * the run-wide and per-configuration warnings, the probe, and the output
 * paths checked before anything runs. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "interference.h"
#include "lock.h"
#include "probe.h"
#include "run.h"
#include "text.h"

json_t *cb_sweep_run_warnings(const struct cb_sweep *s, size_t i)
{
    const struct cb_run *r = &s->m.runs[i];
    const struct cb_slot *sl = &s->slot[i];
    json_t *a = json_array();
    int shared;
    if (r->cfg.workers > s->info.pus)
        json_array_append_new(a, cb_warning("oversubscribed",
            "use at most as many workers as allowed PUs for scaling figures",
            "%d workers on %d allowed PUs", r->cfg.workers, s->info.pus));
    if (r->n >= 2 && r->d.sum.cv > 0.05)
        json_array_append_new(a, cb_warning("unstable",
            "close other programs; on a shared machine or a cloud VM take "
            "more samples (--max-samples, --max-time, or make bench "
            "BENCH_MAX_TIME=300) and read the set-aside ones; pin workers "
            "(--pin cores) only on a machine you have to yourself: a pinned "
            "worker cannot move away from a busy CPU",
            "CV %.1f%% is above 5%%", r->d.sum.cv * 100));
    if (r->n >= 1 && r->d.sum.median < 1000 * s->timer_res)
        json_array_append_new(a, cb_warning("short",
            "use a larger --size so the timer resolution does not matter",
            "median %.3g s is under 1000x the timer resolution (%.3g s)",
            r->d.sum.median, s->timer_res));
    if (r->d.sum.outliers > 0)
        json_array_append_new(a, cb_warning("outliers",
            "look for background activity; outliers are kept in the "
            "statistics",
            "%d of %zu samples are outliers (modified z-score > 3.5)",
            r->d.sum.outliers, r->n));
    shared = r->planned
                 ? cb_topo_plan_shared_cores(s->topo, sl->pus, r->cfg.workers)
                 : 0;
    if (shared > 0 && r->cfg.workers <= s->info.pus)
        json_array_append_new(a, cb_warning("smt-shared",
            "use --pin cores to give each worker its own core first",
            "%d workers share a core (SMT siblings)", shared));
    return a;
}

static void run_warnings(struct cb_sweep *s, json_t *warns)
{
    double load1;
    int running, maxw = 0, ok;
    char gov[64];
    for (int i = 0; i < s->o->nworkers; i++)
        maxw = s->o->workers[i] > maxw ? s->o->workers[i] : maxw;
    /* runnable threads is instantaneous: take the least of a few reads so
     * a transient (our own start-up) does not count as a busy machine */
    ok = cb_env_load(&load1, &running) == 0;
    for (int i = 0; ok && i < 4 && running > 0; i++) {
        int r;
        double l;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (cb_env_load(&l, &r) == 0 && r < running)
            running = r;
    }
    if (ok && (load1 >= s->info.pus || running > 0))
        json_array_append_new(warns, cb_warning("load",
            "wait for the machine to be idle, or stop other programs",
            "machine busy at start: load average %.2f, %d other runnable "
            "threads", load1, running));
    if (maxw > s->info.pus)
        json_array_append_new(warns, cb_warning("oversubscribed",
            "speedups beyond the PU count measure time-sharing, not "
            "parallelism",
            "up to %d workers on %d allowed PUs", maxw, s->info.pus));
    if (cb_env_governor(gov, sizeof gov) == 0 && strcmp(gov, "performance"))
        json_array_append_new(warns, cb_warning("governor",
            "set the governor to performance (cpupower frequency-set -g "
            "performance) for stable clocks",
            "CPU frequency governor is '%s'", gov));
    if (!s->ctr && s->o->counters)
        json_array_append_new(warns, cb_warning("counters",
            "allow perf events (sysctl kernel.perf_event_paranoid=1) to get "
            "cycles and instructions",
            "hardware counters unavailable"));
}

static void print_warnings(const json_t *warns)
{
    size_t i;
    json_t *w;
    json_array_foreach(warns, i, w) {
        char msg[600];
        cb_text_clean(json_string_value(json_object_get(w, "message")), msg,
                      sizeof msg, 400);
        fprintf(stderr, "corebench run: warning: %s; %s\n", msg,
                json_string_value(json_object_get(w, "advice")));
    }
}

/* Every workload of the sweep: one per kernel, or per kernel and
 * combination of the values -p KEY=V1,V2 sweeps (fit.c sizes them), and
 * under weak scaling one more per worker count of each. */
int cb_sweep_workloads(struct cb_sweep *s, struct cb_error *e)
{
    const struct cb_run_opts *o = s->o;
    int combos = 1, rc, maxw = 1;
    for (int i = 0; i < o->nplist; i++)
        if ((combos *= o->plist[i].n) > CB_RUN_MAX_CONFIGS)
            return CB_FAIL(e, CB_EUSAGE, "--param sweeps more than %d "
                           "combinations", CB_RUN_MAX_CONFIGS);
    for (int i = 0; i < o->nworkers; i++)
        maxw = o->workers[i] > maxw ? o->workers[i] : maxw;
    s->wl = calloc((size_t)(o->nkernels * combos), sizeof *s->wl);
    s->xwl = o->weak ? calloc((size_t)(o->nkernels * combos * o->nworkers),
                              sizeof *s->xwl)
                     : NULL;
    if (o->weak && !s->xwl)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    s->wl_name = calloc((size_t)(o->nkernels * combos), sizeof *s->wl_name);
    if (!s->wl || !s->wl_name)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    for (int k = 0; k < o->nkernels; k++)
        for (int c = 0; c < combos; c++) {
            struct cb_params p = o->params;
            struct cb_workload *w = &s->wl[s->nwl];
            size_t l = (size_t)snprintf(s->wl_name[s->nwl], 96, "%s",
                                        o->kernels[k]->name);
            for (int i = 0, q = c; i < o->nplist; q /= o->plist[i++].n) {
                char kv[128];
                const char *v = o->plist[i].vals[q % o->plist[i].n];
                snprintf(kv, sizeof kv, "%s=%s", o->plist[i].key, v);
                if ((rc = cb_params_add(&p, kv, e)))
                    return rc;
                l += (size_t)snprintf(s->wl_name[s->nwl] + l, 96 - l > 96
                                      ? 0 : 96 - l, " %s", kv);
            }
            if ((rc = cb_fit_prepare(o->kernels[k], &p, maxw, o->weak, w,
                                     e)))
                return rc;
            cb_inject_apply(w);         /* tests only: CB_INJECT */
            for (int j = 0; o->weak && j < o->nworkers; j++) {
                struct cb_workload *x = &s->xwl[s->nwl * o->nworkers + j];
                if (o->workers[j] == 1)
                    continue;
                if ((rc = cb_fit_prepare(o->kernels[k], &p, maxw,
                                         o->workers[j], x, e))) {
                    s->nwl++; /* released with the others */
                    return rc;
                }
                cb_inject_apply(x);
            }
            s->nwl++;
        }
    return 0;
}

void cb_sweep_workloads_free(struct cb_sweep *s)
{
    int nw = s->o->nworkers;
    for (int k = 0; s->wl && k < s->nwl; k++) {
        s->wl[k].kernel->release(&s->wl[k]);
        for (int j = 0; s->xwl && j < nw; j++)
            if (s->xwl[k * nw + j].kernel)
                s->xwl[k * nw + j].kernel->release(&s->xwl[k * nw + j]);
    }
    free(s->wl);
    free(s->xwl);
    free(s->wl_name);
    s->wl = s->xwl = NULL;
    s->wl_name = NULL;
    s->nwl = 0;
}

/* The sweep's worker counts and the topology boundary each is (figures
 * mark them): [{"workers": 48, "boundary": "1 socket, all cores"}, ...] */
static json_t *worker_counts(const struct cb_run_opts *o)
{
    json_t *a = json_array();
    for (int i = 0; a && i < o->nworkers; i++)
        json_array_append_new(a, json_pack("{s:i, s:o}", "workers",
                                           o->workers[i], "boundary",
                                           o->boundary[i][0]
                                               ? cb_json_text(o->boundary[i])
                                               : json_null()));
    return a;
}

/* Everything before the first sample: workloads (bad params fail here,
 * before any file exists), the plan, the context, the probe. */
int cb_sweep_prepare(struct cb_sweep *s, int argc, char **argv,
                     int *lockfd, struct cb_error *e)
{
    struct cb_run_opts *o = s->o;
    char reason[256] = "";
    json_t *ctx, *warns;
    int rc;

    if ((rc = cb_sweep_workloads(s, e)))
        return rc;
    if (readlink("/proc/self/exe", s->self_exe, sizeof s->self_exe - 1) < 0)
        snprintf(s->self_exe, sizeof s->self_exe, "%s", argv[0]);
    if ((rc = cb_plan_build(s, e)))
        return rc;
    /* every input is checked now (kernel parameters by the workloads):
     * a bad one never takes, nor waits for, the lock */
    if (s->o->lock && (rc = cb_lock_take(lockfd, e)))
        return rc;
    s->timer_res = cb_timer_resolution();
    if (o->counters)
        s->ctr = cb_counters_open(reason, sizeof reason);
    ctx = cb_env_capture(s->topo, argc, argv);
    json_object_set_new(ctx, "settings", json_pack(
        "{s:o, s:i, s:i, s:o, s:o, s:b, s:i, s:I, s:I, s:b, s:s, s:s}",
        "repetitions", o->stop.exact ? json_integer(o->stop.exact)
                                     : json_null(),
        "min_samples", o->stop.exact ? o->stop.exact : o->stop.min_samples,
        "max_samples", o->repetitions,
        "target_ci", o->stop.exact ? json_null()
                                   : cb_json_num(o->stop.target_ci),
        "max_time_s", o->stop.max_time_s > 0 ? json_real(o->stop.max_time_s)
                                             : json_null(),
        "keep_interfered", o->keep_interfered, "warmup", o->warmup,
        "seed", (json_int_t)o->seed, "order_seed", (json_int_t)o->order_seed,
        "interleave", o->interleave, "pin", o->pin_text, "estimator",
        CB_ESTIMATOR_NAME));
    json_object_set_new(json_object_get(ctx, "settings"), "scaling",
                        json_string(o->weak ? "weak" : "strong"));
    json_object_set_new(ctx, "worker_counts", worker_counts(o));
    json_object_set(ctx, "executors", s->about);
    warns = json_array();
    run_warnings(s, warns);
    print_warnings(warns);
    json_array_extend(warns, s->unavailable); /* printed when found */
    s->order = json_array();
    s->root = json_pack("{s:s, s:b, s:o, s:o, s:n}", "schema", CB_SCHEMA,
                        "complete", 0, "context", ctx, "warnings", warns,
                        "probe");
    if (o->probe) {
        struct cb_error pe = {0};
        json_t *probe;
        double ws[CB_PROBE_MAX_WS];
        int nws = 0;
        /* the memory kernels' working sets, each measured as its own
         * triad level (the first CB_PROBE_MAX_WS distinct ones) */
        for (size_t i = 0; i < s->m.nruns && nws < CB_PROBE_MAX_WS; i++) {
            const struct cb_run *r = &s->m.runs[i];
            int seen = 0;
            if (!(r->bytes_touched > 0) || !(r->working_set > 0) ||
                !isfinite(r->working_set))
                continue;
            for (int j = 0; j < nws; j++)
                seen |= ws[j] == r->working_set;
            if (!seen)
                ws[nws++] = r->working_set;
        }
        if (o->progress)
            fprintf(stderr, "\r\033[Kprobing ceilings (--no-probe skips)");
        probe = cb_probe_run_quick(s->topo, ws, nws, &pe);
        if (probe)
            json_object_set_new(s->root, "probe", probe);
        else
            fprintf(stderr, "corebench run: warning: probe failed: %s\n",
                    pe.msg);
    }
    s->total_samples = (int)s->m.nruns * (o->warmup + o->repetitions);
    return 0;
}

int cb_run_check_out(struct cb_run_opts *o, struct cb_error *e)
{
    if (!o->out) {
        char host[256] = "host", safe[64], date[32];
        time_t now = time(NULL);
        struct tm tm;
        gethostname(host, sizeof host - 1);
        cb_text_stem(host, safe, sizeof safe, "host");
        gmtime_r(&now, &tm);
        strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);
        if (mkdir("results", 0755) != 0 && errno != EEXIST)
            return CB_FAIL(e, CB_EUSAGE, "cannot create results/: %s (use "
                           "--out)", strerror(errno));
        snprintf(o->out_buf, sizeof o->out_buf, "results/%s-%s.json", date,
                 safe);
        o->out = o->out_buf;
    }
    {
        /* --out, then each export: the same rules, no two one file */
        static const char *const opt[3] = {"--out", "--export-csv",
                                           "--export-markdown"};
        const char *path[3] = {o->out, o->export_csv, o->export_md};
        return cb_results_check_outputs(opt, path, 3, o->force, NULL, 0, e);
    }
}
