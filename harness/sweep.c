/* The sweep: for each kernel, every configuration is sampled in rounds:
 * warm-up maps first, then `repetitions` rounds each visiting all the
 * kernel's configurations in a seeded random order, so slow drift of the
 * machine spreads over all of them instead of biasing the ones measured
 * last. Every sample starts a fresh pool, maps once and stops it
 * (sample.c). The reporters are told after every round, every kernel and
 * at the end; an interrupt ends the sweep after the current sample. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "interference.h"
#include "lock.h"
#include "probe.h"
#include "reporter.h"
#include "text.h"

volatile sig_atomic_t cb_run_interrupted;
static struct cb_inflight *signal_fl; /* the sweep's, for a second signal */

/* SIGINT, SIGTERM: the first ends the sweep after the sample in progress
 * (the watchdog ends that one at once); a second exits now, killing the
 * in-flight pool's worker processes first (abort is async-signal-safe,
 * and a handler on the sweep's thread sees a consistent pool pointer). */
static void on_signal(int sig)
{
    if (cb_run_interrupted) {
        struct cb_inflight *fl = signal_fl;
        if (fl && fl->pool && fl->x->abort)
            fl->x->abort(fl->pool);
        _exit(128 + sig);
    }
    cb_run_interrupted = sig;
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
            "close other programs, pin workers (--pin cores), add "
            "--repetitions",
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

void cb_sweep_settle(struct cb_sweep *s)
{
    for (size_t i = 0; i < s->m.nruns; i++) {
        struct cb_run *r = &s->m.runs[i];
        const struct cb_slot *sl = &s->slot[i];
        const struct cb_map_stats *ms;
        double med;
        size_t best = 0;
        cb_run_underive(r);
        if (!r->n)
            continue;
        med = cb_median(r->samples, r->n);
        for (size_t j = 1; j < r->n; j++)
            if (fabs(r->samples[j] - med) < fabs(r->samples[best] - med))
                best = j;
        ms = &sl->ms[best];
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
    cb_model_derive(&s->m);
    for (size_t i = 0; i < s->m.nruns; i++) {
        json_decref(s->m.runs[i].warnings);
        s->m.runs[i].warnings = cb_sweep_run_warnings(s, i);
    }
}

static void progress(struct cb_sweep *s, size_t i, const char *what)
{
    const struct cb_run *r = &s->m.runs[i];
    double el, eta;
    if (!s->o->progress)
        return;
    el = cb_now() - s->t_start;
    eta = s->done_samples ? el / s->done_samples *
                                (s->total_samples - s->done_samples) : 0;
    fprintf(stderr, "\r\033[K[%3d%%] %s %s %s w=%d  elapsed %.0fs eta %.0fs",
            s->total_samples ? 100 * s->done_samples / s->total_samples : 0,
            what, r->cfg.kernel, r->d.label[0] ? r->d.label : r->cfg.executor,
            r->cfg.workers, el, eta);
}

/* Was the sample just added slowed by something outside the benchmark?
 * (harness/interference.h: a worker's run delay beyond its switch
 * allowance over 1% of the sample.) */
static void judge(const struct cb_sweep *s, struct cb_run *r,
                  const struct cb_map_stats *ms, double map_s)
{
    struct cb_interf_worker iw[CB_MAX_WORKERS];
    struct cb_interf_rule rule;
    struct cb_interf_verdict v;
    cb_interf_rule_default(&rule);
    rule.cpus = s->info.pus;
    cb_interf_from_stats(ms->w, r->cfg.workers, iw);
    if (cb_interference_judge(&rule, map_s, iw, r->cfg.workers, &v) ==
        CB_INTERF_INTERFERED) {
        r->interfered[r->n - 1] = 1;
        r->interf[r->n - 1] = (struct cb_run_interf){
            v.worker, v.cpu, v.pinned, v.delay_s, v.excess_s};
    }
}

/* The sample with the kernel's metrics (convoy: the I/O task's time per
 * operation) read from its outputs. */
static int record_metrics(struct cb_run *r, const struct cb_workload *w,
                          const void *outs, const struct cb_sample *smp,
                          struct cb_error *err)
{
    struct cb_metric m[CB_MAX_METRICS];
    int nm = w->kernel->metrics(w, outs, m, CB_MAX_METRICS);
    if (nm < 0 || nm > CB_MAX_METRICS)
        nm = 0;
    r->nmet = nm;
    for (int k = 0; k < nm; k++) {
        snprintf(r->met[k].name, sizeof r->met[k].name, "%s", m[k].name);
        snprintf(r->met[k].unit, sizeof r->met[k].unit, "%s", m[k].unit);
        snprintf(r->met[k].what, sizeof r->met[k].what, "%s", m[k].what);
    }
    if (cb_run_add_sample(r, smp->map_s, smp->startup_s, smp->shutdown_s,
                          err))
        return err->code;
    for (int k = 0; k < nm; k++)
        r->met[k].v[r->n - 1] = m[k].value;
    return 0;
}

/* How long a map of run r may take: --task-timeout, else 300 s for its
 * warm-up maps and then ten times its slowest warm-up map, at least 10 s
 * (a stuck map is found in seconds, a slow machine is not a stuck one). */
static double task_timeout(const struct cb_sweep *s, const struct cb_run *r)
{
    double slow = 0;
    if (s->o->task_timeout > 0)
        return s->o->task_timeout;
    if (!r->nwarm)
        return 300;
    for (size_t i = 0; i < r->nwarm; i++)
        slow = r->warm[i] > slow ? r->warm[i] : slow;
    return 10 * slow > 10 ? 10 * slow : 10;
}

/* One sample of configuration i, kept (measured) or not (warm-up). */
static int take(struct cb_sweep *s, size_t i, int measured, void *outs)
{
    struct cb_run *r = &s->m.runs[i];
    struct cb_slot *sl = &s->slot[i];
    const struct cb_workload *w = &s->wl[sl->kernel];
    struct cb_worker_stats wtmp[64];
    struct cb_map_stats mtmp = {0};
    struct cb_sample smp;
    struct cb_error err = {0};
    size_t nw = (size_t)r->cfg.workers;
    int rc;

    if (r->n == sl->cap) { /* room for this sample (warm-ups borrow it) */
        size_t cap = sl->cap ? 2 * sl->cap : (size_t)s->o->repetitions;
        struct cb_map_stats *ms = realloc(sl->ms, cap * sizeof *ms);
        struct cb_worker_stats *ws = ms ? realloc(sl->ws, cap * nw *
                                                  sizeof *ws) : NULL;
        struct cb_counter_values *ctr = ws ? realloc(sl->ctr, cap *
                                                     sizeof *ctr) : NULL;
        if (ms)
            sl->ms = ms;
        if (ws)
            sl->ws = ws;
        if (!ctr)
            return CB_FAIL(&err, CB_ENOMEM, "out of memory");
        sl->ctr = ctr;
        sl->cap = cap;
        for (size_t j = 0; j < r->n; j++) /* ws moved: re-point */
            sl->ms[j].w = &sl->ws[j * nw];
    }
    /* warm-up stats are thrown away: the next sample's slot holds them */
    mtmp.w = measured || nw > 64 ? &sl->ws[r->n * nw] : wtmp;
    mtmp.nworkers = r->cfg.workers;
    s->fl.timeout = task_timeout(s, r);
    s->fl_run = i;
    rc = cb_sample_take(sl->ex, &sl->ec, w, outs, &mtmp, s->ctr, &s->fl,
                        &smp, &err);
    /* Ctrl-C reaches the whole process group: workers killed by it are the
     * user's interrupt, not a failure of the executor. */
    if (rc && cb_run_interrupted)
        return 0;
    if (rc) {
        r->verified = 0;
        sl->failed = 1;
        snprintf(r->error, sizeof r->error, "%s", err.msg);
        s->stop_all |= !s->o->keep_going;
        return rc;
    }
    if (!measured) {
        double *wm = realloc(r->warm, (r->nwarm + 1) * sizeof *wm);
        if (wm) {
            r->warm = wm;
            r->warm[r->nwarm++] = smp.map_s;
        }
        return 0;
    }
    sl->ms[r->n] = mtmp;
    if (smp.have_ctr)
        sl->ctr[r->n] = smp.ctr;
    rc = w->kernel->metrics ? record_metrics(r, w, outs, &smp, &err)
                            : cb_run_add_sample(r, smp.map_s, smp.startup_s,
                                                smp.shutdown_s, &err);
    if (rc == 0)
        judge(s, r, &mtmp, smp.map_s);
    return rc;
}

/* Calls hook `which` of every wanted reporter. */
enum hook { H_BEGIN, H_ROUND, H_KERNEL, H_END };
static int tell(struct cb_sweep *s, enum hook which, int arg,
                struct cb_error *e)
{
    for (int i = 0; cb_reporters[i]; i++) {
        const struct cb_reporter *r = cb_reporters[i];
        int rc = 0;
        if (r->wanted && !r->wanted(s->o))
            continue;
        if (which == H_BEGIN && r->begin)
            rc = r->begin(s, e);
        else if (which == H_ROUND && r->round)
            rc = r->round(s, arg, e);
        else if (which == H_KERNEL && r->kernel_done)
            rc = r->kernel_done(s, arg, e);
        else if (which == H_END && r->end)
            rc = r->end(s, arg, e);
        if (rc)
            return rc;
    }
    return 0;
}

/* Whether run r has samples enough now; records why in r->stop. */
static int stopped(const struct cb_sweep *s, struct cb_run *r)
{
    double *clean = malloc((r->n ? r->n : 1) * sizeof *clean);
    size_t nc = 0;
    enum cb_stop why;
    for (size_t i = 0; clean && i < r->n; i++)
        if (s->o->keep_interfered || !r->interfered[i])
            clean[nc++] = r->samples[i];
    why = cb_stop_check(&s->o->stop, clean, nc, r->n,
                        cb_now() - s->t_start, NULL);
    free(clean);
    if (why != CB_STOP_CONTINUE)
        snprintf(r->stop, sizeof r->stop, "%s", cb_stop_name(why));
    return why != CB_STOP_CONTINUE;
}

/* Warm-up, then the interleaved rounds of kernel k. 1 when a map failed,
 * < 0 when a reporter could not write. */
static int run_kernel(struct cb_sweep *s, int k, struct cb_error *e)
{
    const struct cb_run_opts *o = s->o;
    const struct cb_workload *w = &s->wl[k];
    size_t *idx = malloc((s->m.nruns + 1) * sizeof *idx), n = 0;
    size_t *pos = malloc((s->m.nruns + 1) * sizeof *pos);
    size_t obytes = w->n * w->out_size;
    void *outs = malloc(obytes ? obytes : 1);
    int failed = 0, rc = 0;

    if (!idx || !pos || !outs) {
        rc = CB_FAIL(e, CB_ENOMEM, "out of memory for %zu outputs", w->n);
        goto out;
    }
    for (size_t i = 0; i < s->m.nruns; i++)
        if (s->slot[i].kernel == k)
            idx[n++] = i;
    for (size_t j = 0; j < n && !cb_run_interrupted; j++)
        for (int r = 0; r < o->warmup && !s->slot[idx[j]].failed &&
                        !cb_run_interrupted && !s->stop_all; r++) {
            progress(s, idx[j], "warm-up");
            failed |= take(s, idx[j], 0, outs) != 0;
            s->done_samples++;
        }
    /* rounds until every configuration has stopped (harness/sampling.h:
     * exactly -r N, or its median known to --target-ci, or --max-samples,
     * or --max-time) */
    for (int r = 0, left = (int)n; left > 0 && !cb_run_interrupted &&
                                   !s->stop_all; r++) {
        /* cb_shuffle permutes positions 0..n-1; map them to run ids */
        for (size_t j = 0; j < n; j++)
            pos[j] = j;
        if (o->interleave)
            cb_shuffle(pos, n, o->order_seed + (uint64_t)r * 7919u +
                                   (uint64_t)k);
        for (size_t j = 0; j < n && !cb_run_interrupted && !s->stop_all;
             j++) {
            size_t i = idx[pos[j]];
            struct cb_run *run = &s->m.runs[i];
            if (s->slot[i].failed || run->stop[0])
                continue;
            json_array_append_new(s->order, json_integer((json_int_t)i));
            progress(s, i, "sample");
            failed |= take(s, i, 1, outs) != 0;
            s->done_samples++;
            if (s->slot[i].failed || stopped(s, run))
                left--;
        }
        if ((rc = tell(s, H_ROUND, k, e)))
            goto out;
    }
    if (o->progress)
        fprintf(stderr, "\r\033[K");
    rc = tell(s, H_KERNEL, k, e);
out:
    free(idx);
    free(pos);
    free(outs);
    return rc ? rc : failed;
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
 * combination of the values -p KEY=V1,V2 sweeps. */
static int prepare_workloads(struct cb_sweep *s, struct cb_error *e)
{
    const struct cb_run_opts *o = s->o;
    int combos = 1, rc;
    for (int i = 0; i < o->nplist; i++)
        if ((combos *= o->plist[i].n) > CB_RUN_MAX_CONFIGS)
            return CB_FAIL(e, CB_EUSAGE, "--param sweeps more than %d "
                           "combinations", CB_RUN_MAX_CONFIGS);
    s->wl = calloc((size_t)(o->nkernels * combos), sizeof *s->wl);
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
            if ((rc = o->kernels[k]->prepare(w, &p, e)))
                return rc;
            w->kernel = o->kernels[k]; /* marks it prepared */
            cb_inject_apply(w);         /* tests only: CB_INJECT */
            s->nwl++;
        }
    return 0;
}

/* Everything before the first sample: workloads (bad params fail here,
 * before any file exists), the plan, the context, the probe. */
static int prepare(struct cb_sweep *s, int argc, char **argv,
                   struct cb_error *e)
{
    struct cb_run_opts *o = s->o;
    char reason[256] = "";
    json_t *ctx, *warns;
    int rc;

    if ((rc = prepare_workloads(s, e)))
        return rc;
    if (readlink("/proc/self/exe", s->self_exe, sizeof s->self_exe - 1) < 0)
        snprintf(s->self_exe, sizeof s->self_exe, "%s", argv[0]);
    if ((rc = cb_plan_build(s, e)))
        return rc;
    s->timer_res = cb_timer_resolution();
    if (o->counters)
        s->ctr = cb_counters_open(reason, sizeof reason);
    ctx = cb_env_capture(s->topo, argc, argv);
    json_object_set_new(ctx, "settings", json_pack(
        "{s:o, s:i, s:i, s:o, s:o, s:b, s:i, s:I, s:I, s:b, s:s}",
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
        "interleave", o->interleave, "pin", o->pin_text));
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
        if (o->progress)
            fprintf(stderr, "\r\033[Kprobing ceilings (--no-probe skips)");
        probe = cb_probe_run_quick(s->topo, &pe);
        if (probe)
            json_object_set_new(s->root, "probe", probe);
        else
            fprintf(stderr, "corebench run: warning: probe failed: %s\n",
                    pe.msg);
    }
    s->total_samples = (int)s->m.nruns * (o->warmup + o->repetitions);
    return 0;
}

/* ---- the watchdog --------------------------------------------------------
 *
 * A thread beside the sweep that ends a map which must end: one past its
 * --task-timeout, or any once the sweep is interrupted. It calls the
 * executor's abort(), which kills worker processes, so the map returns and
 * the sweep records the failure (or drops the sample) and goes on or
 * stops. Threads cannot be killed safely: if the map has not returned
 * after a grace period, the watchdog writes what finished, says why, and
 * ends the process itself. */
#define CB_WATCHDOG_TICK_NS 20000000L /* 20 ms */
#define CB_WATCHDOG_GRACE_S 2.0

static volatile int watchdog_quit;

static void give_up(struct cb_sweep *s, int status, const char *why)
{
    struct cb_run *r = &s->m.runs[s->fl_run];
    struct cb_error e = {0};
    r->verified = 0;
    snprintf(r->error, sizeof r->error, "%s", why);
    if (tell(s, H_END, 0, &e))
        fprintf(stderr, "corebench run: %s\n", e.msg);
    fprintf(stderr, "\ncorebench run: %s %s w=%d: %s; kept the finished "
            "rounds in %s\n", r->cfg.kernel, r->d.label[0] ? r->d.label :
            r->cfg.executor, r->cfg.workers, why, s->o->out);
    _exit(status);
}

static void *watchdog(void *arg)
{
    struct cb_sweep *s = arg;
    struct cb_inflight *fl = &s->fl;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals are the sweep's */
    while (!watchdog_quit) {
        struct timespec ts = {0, CB_WATCHDOG_TICK_NS};
        double now;
        nanosleep(&ts, NULL);
        now = cb_now();
        pthread_mutex_lock(&fl->mu);
        if (fl->pool && !fl->since &&
            (cb_run_interrupted ||
             (fl->deadline > 0 && now > fl->deadline))) {
            fl->timed_out = !cb_run_interrupted;
            fl->since = now;
            if (fl->x->abort)
                fl->x->abort(fl->pool);
        } else if (fl->pool && fl->since &&
                   now - fl->since > CB_WATCHDOG_GRACE_S) {
            char why[200];
            int sig = cb_run_interrupted;
            snprintf(why, sizeof why, "%s; %s's workers are threads of "
                     "this process (or ranks of a job) and cannot be "
                     "stopped safely, so corebench ends here",
                     sig ? "interrupted during a map"
                         : "the map timed out (--task-timeout)",
                     fl->x->name);
            give_up(s, sig ? 128 + sig : 1, why);
        } else if (!fl->pool) {
            fl->since = 0;
        }
        pthread_mutex_unlock(&fl->mu);
    }
    return NULL;
}

int cb_sweep_run(struct cb_run_opts *o, int argc, char **argv)
{
    struct cb_sweep s;
    struct cb_error e = {0};
    struct sigaction sa, old_int, old_term;
    int rc, lockfd = -1, failed = 0, status, signals = 0, have_wd = 0;
    pthread_t wd;

    memset(&s, 0, sizeof s);
    s.o = o;
    s.m.keep_interfered = o->keep_interfered;
    cb_run_interrupted = 0;
    /* a line at a time, also into a pipe (corebench run | tee) */
    setvbuf(stdout, NULL, _IOLBF, 0);
    if ((rc = cb_topo_load(&s.topo, NULL, NULL, &e)))
        goto fail;
    cb_topo_info(s.topo, &s.info);
    if ((rc = cb_run_check_out(o, &e)) || (rc = cb_plan_available(&s, &e)))
        goto fail;
    if (o->lock && (rc = cb_lock_take(&lockfd, &e)))
        goto fail;
    if ((rc = prepare(&s, argc, argv, &e)))
        goto fail;

    pthread_mutex_init(&s.fl.mu, NULL);
    signal_fl = &s.fl;
    watchdog_quit = 0;
    if (pthread_create(&wd, NULL, watchdog, &s) == 0)
        have_wd = 1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    signals = 1;
    s.t_start = cb_now();
    if ((rc = tell(&s, H_BEGIN, 0, &e)))
        goto fail;
    for (int k = 0; k < s.nwl && !cb_run_interrupted; k++) {
        if ((rc = run_kernel(&s, k, &e)) < 0)
            goto fail;
        failed |= rc;
    }
    if ((rc = tell(&s, H_END, !cb_run_interrupted && !s.stop_all, &e)))
        goto fail;
    status = cb_run_interrupted ? 128 + cb_run_interrupted : failed ? 1
             : json_array_size(s.unavailable) ? 3 : 0;
    if (cb_run_interrupted)
        fprintf(stderr, "\ncorebench run: interrupted; kept the finished "
                        "rounds in %s\n", o->out);
    else if (s.stop_all)
        fprintf(stderr, "corebench run: a map failed, so the sweep stopped "
                        "(--keep-going goes on); see the table and \"error\" "
                        "in %s\n", o->out);
    else if (failed)
        fprintf(stderr, "corebench run: some maps failed (see the table and "
                        "\"error\" in %s)\n", o->out);
    goto out;
fail: {
    char line[sizeof e.msg * 4 + 8];
    cb_text_clean(e.msg, line, sizeof line, sizeof e.msg);
    fprintf(stderr, "corebench run: %s\n", line);
    status = rc == CB_EUSAGE ? 2 : rc == CB_EUNSUPPORTED ? 3 : 1;
}
out:
    if (have_wd) {
        watchdog_quit = 1;
        pthread_join(wd, NULL);
    }
    signal_fl = NULL;
    if (signals) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
    }
    for (int k = 0; s.wl && k < s.nwl; k++)
        s.wl[k].kernel->release(&s.wl[k]);
    free(s.wl);
    free(s.wl_name);
    cb_plan_free(&s);
    cb_model_free(&s.m);
    json_decref(s.root);
    json_decref(s.order);
    json_decref(s.about);
    json_decref(s.unavailable);
    cb_counters_close(s.ctr);
    cb_topo_destroy(s.topo);
    if (lockfd >= 0)
        close(lockfd);
    return status;
}
