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
#include "lock.h"
#include "probe.h"
#include "run.h"
#include "text.h"

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

/* Test hook (tests/test_stuck.sh): CB_TEST_NOMEM=N makes the N-th growth
 * of a configuration's sample arrays fail as if out of memory, so that
 * the failure path is run. Not a user feature. */
static int cb_sweep_test_nomem(void)
{
    static long left = -2;
    if (left == -2) {
        const char *v = getenv("CB_TEST_NOMEM");
        left = v && *v ? strtol(v, NULL, 10) : -1;
    }
    return left > 0 && --left == 0;
}

/* Configuration i failed (a map, or memory for its samples): it takes no
 * more samples, keeps those it has, and says why in its `error`; without
 * --keep-going the sweep ends after the kernel in progress. */
static int failed_here(struct cb_sweep *s, size_t i, const struct cb_error *e)
{
    struct cb_run *r = &s->m.runs[i];
    r->verified = 0;
    s->slot[i].failed = 1;
    snprintf(r->error, sizeof r->error, "%s", e->msg[0] ? e->msg
                                                        : "failed");
    s->stop_all |= !s->o->keep_going;
    return e->code ? e->code : CB_EBROKEN;
}

/* One sample of configuration i, kept (measured) or not (warm-up). */
static int take(struct cb_sweep *s, size_t i, int measured, void *outs)
{
    struct cb_run *r = &s->m.runs[i];
    struct cb_slot *sl = &s->slot[i];
    const struct cb_workload *w = sl->w;
    struct cb_worker_stats wtmp[64];
    struct cb_map_stats mtmp = {0};
    struct cb_sample smp;
    struct cb_error err = {0};
    size_t nw = (size_t)r->cfg.workers;
    int rc;

    if (r->n == sl->cap) { /* room for this sample (warm-ups borrow it) */
        size_t cap = sl->cap ? 2 * sl->cap : (size_t)s->o->repetitions;
        struct cb_map_stats *ms = cb_sweep_test_nomem()
                                      ? NULL : realloc(sl->ms, cap * sizeof *ms);
        struct cb_worker_stats *ws;
        struct cb_counter_values *ctr;
        /* each array is kept as soon as it grew, and ms[j].w re-pointed
         * as soon as ws moved: a later failure leaves the slot consistent
         * (cap still the old capacity, which every array holds) */
        if (ms)
            sl->ms = ms;
        ws = ms ? realloc(sl->ws, cap * nw * sizeof *ws) : NULL;
        if (ws) {
            sl->ws = ws;
            for (size_t j = 0; j < r->n; j++) /* ws moved: re-point */
                sl->ms[j].w = &sl->ws[j * nw];
        }
        ctr = ws ? realloc(sl->ctr, cap * sizeof *ctr) : NULL;
        if (ctr)
            sl->ctr = ctr;
        if (!ctr) {
            CB_FAIL(&err, CB_ENOMEM, "out of memory for the samples of "
                    "this configuration (%zu of them)", cap);
            return failed_here(s, i, &err);
        }
        sl->cap = cap;
    }
    /* warm-up stats are thrown away: the next sample's slot holds them */
    mtmp.w = measured || nw > 64 ? &sl->ws[r->n * nw] : wtmp;
    mtmp.nworkers = r->cfg.workers;
    cb_inject_map(s->maps++); /* tests only: CB_INJECT's ,map=M */
    s->fl.timeout = task_timeout(s, r);
    s->fl_run = i;
    cb_watchdog_map_begins(s, r);
    rc = cb_sample_take(sl->ex, &sl->ec, w, outs, &mtmp, s->ctr, &s->fl,
                        &smp, &err);
    cb_watchdog_map_ends();
    /* Ctrl-C reaches the whole process group: workers killed by it are the
     * user's interrupt, not a failure of the executor. */
    if (rc && cb_run_interrupted)
        return 0;
    if (rc)
        return failed_here(s, i, &err);
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
    if (rc) /* out of memory: the samples it has stay, it takes no more */
        return failed_here(s, i, &err);
    cb_sweep_judge(s, i, &mtmp, &smp); /* slowed by something else? */
    return 0;
}

/* The reporters' view of the sweep (reporter.h): pointers into it, the
 * model settled by the caller. */
static int make_view(struct cb_sweep *s, struct cb_view *v)
{
    const struct cb_run_opts *o = s->o;
    if (!s->vrun && s->m.nruns) {
        s->vrun = calloc(s->m.nruns, sizeof *s->vrun);
        if (!s->vrun)
            return -1;
        for (size_t i = 0; i < s->m.nruns; i++) {
            s->vrun[i].wl = s->slot[i].kernel;
            s->vrun[i].c_baseline =
                s->m.runs[i].baseline && !s->slot[i].ex->runtime;
        }
    }
    if (!s->wl_kernel && s->nwl) {
        s->wl_kernel = calloc((size_t)s->nwl, sizeof *s->wl_kernel);
        if (!s->wl_kernel)
            return -1;
        for (int k = 0; k < s->nwl; k++)
            s->wl_kernel[k] = s->wl[k].kernel->name;
    }
    s->vo = (struct cb_view_opts){
        .out = o->out, .export_csv = o->export_csv, .export_md = o->export_md,
        .pin_text = o->pin_text, .stop = &o->stop, .warmup = o->warmup,
        .force = o->force, .quiet = o->quiet};
    *v = (struct cb_view){
        .m = &s->m, .run = s->vrun, .wl_name = (const char(*)[96])s->wl_name,
        .wl_kernel = s->wl_kernel, .nwl = s->nwl, .root = s->root,
        .order = s->order, .o = &s->vo, .cpu_model = s->info.cpu_model,
        .pus = s->info.pus, .interrupted = cb_run_interrupted};
    return 0;
}

/* Round notifications (settling the model, rewriting the result file)
 * cost time in proportion to the samples taken: told after every round, a
 * long sweep of short maps is quadratic where settling is slow against
 * the maps (-r 2000 on the empty kernel with CI running beside it: 137 s,
 * most of it sorting and formatting what had not changed; 9.6 s with
 * this; 3.2-3.5 s either way on the quiet VM).
 * A round is not told while rounds have taken more than CB_ROUND_SHARE of
 * the sweep's time and more than CB_ROUND_FREE_S in all (a short sweep is
 * told every round); the file then lags by the rounds of the last tenth
 * or so, which only a crash can lose (an interrupt and the watchdog write
 * what finished). */
#define CB_ROUND_SHARE 0.10
#define CB_ROUND_FREE_S 1.0

static int tell(struct cb_sweep *s, enum cb_hook which, int arg,
                struct cb_error *e);

int cb_sweep_tell(struct cb_sweep *s, enum cb_hook which, int arg,
                  struct cb_error *e)
{
    double t = cb_now();
    int rc;
    if (which == CB_H_ROUND && s->result_written &&
        s->round_spent > CB_ROUND_FREE_S &&
        s->round_spent > CB_ROUND_SHARE * (t - s->t_start))
        return 0;
    rc = tell(s, which, arg, e);
    if (which == CB_H_ROUND)
        s->round_spent += cb_now() - t;
    return rc;
}

static int tell(struct cb_sweep *s, enum cb_hook which, int arg,
                struct cb_error *e)
{
    struct cb_view v;
    if (which != CB_H_BEGIN)
        cb_sweep_settle(s);
    if (make_view(s, &v))
        return CB_FAIL(e, CB_ENOMEM, "out of memory for the reporters");
    for (int i = 0; cb_reporters[i]; i++) {
        const struct cb_reporter *r = cb_reporters[i];
        void *st;
        int rc = 0;
        if (r->wanted && !r->wanted(&s->vo))
            continue;
        if (i >= (int)(sizeof s->rstate / sizeof s->rstate[0]))
            return CB_FAIL(e, CB_ESYS, "too many reporters");
        if (!s->rstate[i] && r->state_size &&
            !(s->rstate[i] = calloc(1, r->state_size)))
            return CB_FAIL(e, CB_ENOMEM, "out of memory for the reporters");
        st = s->rstate[i];
        if (which == CB_H_BEGIN && r->begin)
            rc = r->begin(&v, st, e);
        else if (which == CB_H_ROUND && r->round)
            rc = r->round(&v, st, arg, e);
        else if (which == CB_H_KERNEL && r->kernel_done)
            rc = r->kernel_done(&v, st, arg, e);
        else if (which == CB_H_END && r->end)
            rc = r->end(&v, st, arg, e);
        if (rc)
            return rc;
    }
    /* the result file's reporter writes it at every round and at the end */
    if (which == CB_H_ROUND || which == CB_H_END)
        s->result_written = 1;
    return 0;
}

/* The watchdog's last words (run.h: cb_give_up_fn), on its thread while
 * this one is stuck in a map that cannot be ended: the result file only,
 * through the path made for it (cb_result_file_write), then exit. */
static void give_up(struct cb_sweep *s, int status, const char *why)
{
    struct cb_run *r = &s->m.runs[s->fl_run];
    struct cb_error e = {0};
    struct cb_view v;
    char line[sizeof e.msg * 4 + 8], out[300];
    r->verified = 0;
    snprintf(r->error, sizeof r->error, "%s", why);
    for (size_t i = 0; i < s->m.nruns; i++) { /* as cb_sweep_run's end */
        struct cb_run *q = &s->m.runs[i];
        if (!q->n && q->verified && !q->stop[0])
            snprintf(q->stop, sizeof q->stop, "not-reached");
    }
    s->final = 1;
    cb_sweep_settle(s);
    if (make_view(s, &v) == 0 &&
        cb_result_file_write(&v, 0, s->result_written || s->o->force, &e)) {
        cb_text_clean(e.msg, line, sizeof line, sizeof e.msg);
        fprintf(stderr, "corebench run: %s\n", line);
    }
    cb_text_clean(s->o->out, out, sizeof out, 200);
    fprintf(stderr, "\ncorebench run: %s %s w=%d: %s; kept the finished "
            "rounds in %s\n", r->cfg.kernel, r->d.label[0] ? r->d.label :
            r->cfg.executor, r->cfg.workers, why, out);
    _exit(status);
}

/* Whether run r has samples enough now; records why in r->stop. */
static int stopped(const struct cb_sweep *s, struct cb_run *r)
{
    double *clean = malloc((r->n ? r->n : 1) * sizeof *clean);
    size_t nc = 0;
    int k = s->slot[r - s->m.runs].kernel;
    enum cb_stop why;
    for (size_t i = 0; clean && i < r->n; i++)
        if (s->o->keep_interfered || !r->interfered[i])
            clean[nc++] = r->samples[i];
    /* --max-time is shared out evenly over the kernels, which run one
     * after the other: kernel k's share ends at (k + 1) / nwl of the
     * budget, so an early kernel cannot spend what a later one needs (and
     * what an early one leaves, a later one gets). The rule sees the
     * elapsed time scaled to the whole budget. */
    why = cb_stop_check(&s->o->stop, clean, nc, r->n,
                        (cb_now() - s->t_start) * s->nwl / (k + 1), NULL);
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
    void *outs;
    /* weak scaling: the largest workload of the kernel's configurations */
    for (size_t i = 0; i < s->m.nruns; i++)
        if (s->slot[i].kernel == k &&
            s->slot[i].w->n * s->slot[i].w->out_size > obytes)
            obytes = s->slot[i].w->n * s->slot[i].w->out_size;
    outs = malloc(obytes ? obytes : 1);
    int failed = 0, rc = 0, left;

    if (!idx || !pos || !outs) {
        rc = CB_FAIL(e, CB_ENOMEM, "out of memory for %zu outputs", w->n);
        goto out;
    }
    for (size_t i = 0; i < s->m.nruns; i++)
        if (s->slot[i].kernel == k)
            idx[n++] = i;
    left = (int)n;
    /* A failed configuration (warm-up or round) counts as stopped; the
     * kernel's others go on either way, so what a failure costs is its own
     * configuration, never the others' samples (without --keep-going the
     * sweep ends after this kernel, in cb_sweep_run). */
    for (size_t j = 0; j < n && !cb_run_interrupted; j++)
        for (int r = 0; r < o->warmup && !s->slot[idx[j]].failed &&
                        !cb_run_interrupted; r++) {
            progress(s, idx[j], "warm-up");
            failed |= take(s, idx[j], 0, outs) != 0;
            s->done_samples++;
        }
    for (size_t j = 0; j < n; j++)
        left -= s->slot[idx[j]].failed != 0;
    /* rounds until every configuration has stopped (harness/model/sampling.h:
     * exactly -r N, or its median known to --target-ci, or --max-samples,
     * or --max-time) or failed */
    for (int r = 0; left > 0 && !cb_run_interrupted; r++) {
        /* cb_shuffle permutes positions 0..n-1; map them to run ids */
        for (size_t j = 0; j < n; j++)
            pos[j] = j;
        if (o->interleave)
            cb_shuffle(pos, n, o->order_seed + (uint64_t)r * 7919u +
                                   (uint64_t)k);
        for (size_t j = 0; j < n && !cb_run_interrupted; j++) {
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
        if ((rc = cb_sweep_tell(s, CB_H_ROUND, k, e)))
            goto out;
    }
    if (o->progress)
        fprintf(stderr, "\r\033[K");
    rc = cb_sweep_tell(s, CB_H_KERNEL, k, e);
out:
    free(idx);
    free(pos);
    free(outs);
    return rc ? rc : failed;
}

/* The end of a sweep with failed configurations: one line naming them
 * (cleaned: labels carry -p values), and whether later kernels were
 * left out for want of --keep-going. */
static void say_failed(const struct cb_sweep *s, int cut_short)
{
    char out[300];
    size_t nf = 0, shown = 0;
    for (size_t i = 0; i < s->m.nruns; i++)
        nf += s->slot[i].failed != 0;
    fprintf(stderr, "corebench run: %zu configuration%s failed (", nf,
            nf == 1 ? "" : "s");
    for (size_t i = 0; i < s->m.nruns && shown < 8; i++) {
        const struct cb_run *r = &s->m.runs[i];
        char raw[300], line[400];
        if (!s->slot[i].failed)
            continue;
        snprintf(raw, sizeof raw, "%s %s w=%d", r->cfg.kernel,
                 r->d.label[0] ? r->d.label : r->cfg.executor,
                 r->cfg.workers);
        cb_text_clean(raw, line, sizeof line, 120);
        fprintf(stderr, "%s%s", shown++ ? ", " : "", line);
    }
    cb_text_clean(s->o->out, out, sizeof out, 64);
    fprintf(stderr, "%s); %s; see \"error\" and the table in %s\n",
            nf > shown ? ", ..." : "",
            cut_short ? "the rest of that kernel finished, later kernels "
                        "were not started (--keep-going runs them)"
                      : "every other configuration finished", out);
}

int cb_sweep_run(struct cb_run_opts *o, int argc, char **argv)
{
    struct cb_sweep s;
    struct cb_error e = {0};
    int rc, lockfd = -1, failed = 0, status, have_wd = 0, complete;
    struct cb_watchdog wd;

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
    if ((rc = cb_sweep_prepare(&s, argc, argv, &lockfd, &e)))
        goto fail;

    have_wd = cb_watchdog_start(&s, &wd, give_up) == 0;
    s.t_start = cb_now();
    if ((rc = cb_sweep_tell(&s, CB_H_BEGIN, 0, &e)))
        goto fail;
    /* without --keep-going a failure ends the sweep after its kernel */
    for (int k = 0; k < s.nwl && !cb_run_interrupted && !s.stop_all; k++) {
        if ((rc = run_kernel(&s, k, &e)) < 0)
            goto fail;
        failed |= rc;
    }
    /* a configuration the sweep ended before says so: no samples, and
     * "verified" true would only mean that nothing failed */
    for (size_t i = 0; i < s.m.nruns; i++)
        if (!s.m.runs[i].n && !s.slot[i].failed && !s.m.runs[i].stop[0])
            snprintf(s.m.runs[i].stop, sizeof s.m.runs[i].stop,
                     "not-reached");
    complete = !cb_run_interrupted;
    s.final = 1; /* the last settle is a full one */
    for (size_t i = 0; i < s.m.nruns; i++)
        complete &= strcmp(s.m.runs[i].stop, "not-reached") != 0;
    if ((rc = cb_sweep_tell(&s, CB_H_END, complete, &e)))
        goto fail;
    status = cb_run_interrupted ? 128 + cb_run_interrupted : failed ? 1
             : json_array_size(s.unavailable) ? 3 : 0;
    if (cb_run_interrupted)
        fprintf(stderr, "\ncorebench run: interrupted; kept the finished "
                        "rounds in %s\n", o->out);
    else if (failed)
        say_failed(&s, !complete);
    goto out;
fail: {
    char line[sizeof e.msg * 4 + 8];
    cb_text_clean(e.msg, line, sizeof line, sizeof e.msg);
    fprintf(stderr, "corebench run: %s\n", line);
    status = rc == CB_EUSAGE ? 2 : rc == CB_EUNSUPPORTED ? 3 : 1;
}
out:
    if (have_wd)
        cb_watchdog_stop(&wd);
    cb_sweep_workloads_free(&s);
    free(s.vrun);
    free(s.wl_kernel);
    for (size_t i = 0; i < sizeof s.rstate / sizeof s.rstate[0]; i++)
        free(s.rstate[i]);
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
