/* `corebench run --dry-run` and `--budget` (run.h): the sweep planned as
 * `run` would plan it (workloads sized by fit.c, every configuration,
 * placement), timed by estimate.c, printed; nothing sampled, no lock, no
 * file. --synthetic / --xml plan for another machine. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"
#include "text.h"
#include "units.h"

/* A sweep planned, not run. */
static int plan_open(struct cb_sweep *s, struct cb_run_opts *o,
                     struct cb_error *e)
{
    int rc;
    memset(s, 0, sizeof *s);
    s->o = o;
    if (o->plan_topo)
        s->topo = o->plan_topo; /* borrowed: cb_run_opts_free frees it */
    else if ((rc = cb_topo_load(&s->topo, NULL, NULL, e)))
        return rc;
    cb_topo_info(s->topo, &s->info);
    if (readlink("/proc/self/exe", s->self_exe, sizeof s->self_exe - 1) < 0)
        snprintf(s->self_exe, sizeof s->self_exe, "corebench");
    /* another machine's executors cannot be asked here */
    if (o->plan_topo) {
        s->about = json_object();
        s->unavailable = json_array();
    } else if ((rc = cb_plan_available(s, e))) {
        return rc;
    }
    if ((rc = cb_sweep_workloads(s, e)))
        return rc;
    return cb_plan_build(s, e);
}

static void plan_close(struct cb_sweep *s)
{
    cb_plan_free(s);
    cb_model_free(&s->m);
    cb_sweep_workloads_free(s);
    json_decref(s->about);
    json_decref(s->unavailable);
    if (s->topo != s->o->plan_topo)
        cb_topo_destroy(s->topo);
    s->topo = NULL;
}

/* "0-3,8": the planned PUs as ranges, cut with "..." */
static void pu_ranges(const int *pus, int n, char *buf, size_t len)
{
    size_t l = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && l < len; i++) {
        int j = i;
        while (j + 1 < n && pus[j + 1] == pus[j] + 1)
            j++;
        l += (size_t)(j > i ? snprintf(buf + l, len - l, "%s%d-%d",
                                       i ? "," : "", pus[i], pus[j])
                            : snprintf(buf + l, len - l, "%s%d",
                                       i ? "," : "", pus[i]));
        i = j;
    }
    if (l >= len && len > 4)
        strcpy(buf + len - 4, "...");
}

/* The workload's params but the seed: "n=1536 lo=1000000 hi=4000000" */
static void params_text(const struct cb_workload *w, char *buf, size_t len)
{
    size_t l = 0;
    buf[0] = '\0';
    for (int i = 0; i < w->nparams && l < len; i++)
        if (strcmp(w->params[i].key, "seed"))
            l += (size_t)snprintf(buf + l, len - l, "%s%s=%s", l ? " " : "",
                                  w->params[i].key, w->params[i].val);
}

/* a sweep's length: "48 s", "520 s = 8 min 40 s", "7300 s = 2 h 01 min" */
static void fmt_long(double s, char *buf, size_t len)
{
    long t = (long)(s + 0.5);
    if (t < 120)
        snprintf(buf, len, "%ld s", t);
    else if (t < 7200)
        snprintf(buf, len, "%ld s = %ld min %02ld s", t, t / 60, t % 60);
    else
        snprintf(buf, len, "%ld s = %ld h %02d min", t, t / 3600,
                 (int)(t / 60 % 60));
}

static void print_counts(const struct cb_run_opts *o, FILE *f)
{
    fprintf(f, "worker counts:");
    for (int i = 0; i < o->nworkers; i++)
        fprintf(f, "%s %d%s%s%s", i ? "," : "", o->workers[i],
                o->boundary[i][0] ? " (" : "", o->boundary[i],
                o->boundary[i][0] ? ")" : "");
    fputc('\n', f);
}

static void print_plan(const struct cb_sweep *s, const struct cb_est *est,
                       const char *said, FILE *f)
{
    const struct cb_run_opts *o = s->o;
    struct cb_est_total tot = {0};
    char a[96], b[96], c[96], d[96], origin[160];
    size_t min_tpw = (size_t)-1, least = 0;
    int maxw = 1;

    cb_text_clean(o->synthetic ? o->synthetic : o->xml ? o->xml
                                                       : "this machine",
                  origin, sizeof origin, 120);
    fprintf(f, "plan for %s: %d package%s, %d cores, %d PUs; %s scaling; "
            "pin %s\n", origin, s->info.packages,
            s->info.packages == 1 ? "" : "s", s->info.cores, s->info.pus,
            o->weak ? "weak" : "strong", o->pin_text);
    print_counts(o, f);
    if (said && said[0])
        fprintf(f, "budget: %s\n", said);
    fprintf(f, "calibration on this machine (serial, per task):");
    for (int k = 0; k < s->nwl; k++) {
        cb_fmt_time(est->task_s[k], a, sizeof a);
        fprintf(f, "%s %s %s", k ? "," : "", s->wl_name[k], a);
    }
    cb_fmt_time(est->fork_s, a, sizeof a);
    cb_fmt_time(est->thread_s, b, sizeof b);
    fprintf(f, "; fork %s, thread %s\n\n", a, b);
    fprintf(f, "%-10s %-16s %7s %9s %12s  %-12s %9s %9s  %s\n", "kernel",
            "executor", "workers", "tasks", "tasks/worker", "placement",
            "map", "sample", "params");
    for (size_t i = 0; i < s->m.nruns; i++) {
        const struct cb_run *r = &s->m.runs[i];
        const struct cb_slot *sl = &s->slot[i];
        char label[64], place[48], par[200];
        double map, smp;
        size_t tpw = sl->w->n / (size_t)r->cfg.workers;
        cb_config_label(&r->cfg, label, sizeof label);
        cb_est_config(s, est, i, &map, &smp);
        cb_fmt_time(map, a, sizeof a);
        cb_fmt_time(smp, b, sizeof b);
        if (r->planned) {
            char pus[40];
            pu_ranges(sl->pus, r->cfg.workers, pus, sizeof pus);
            snprintf(place, sizeof place, "PUs %s", pus);
        } else {
            snprintf(place, sizeof place, "unpinned");
        }
        params_text(sl->w, par, sizeof par);
        fprintf(f, "%-10s %-16s %7d %9zu %12zu  %-12s %9s %9s  %s\n",
                r->cfg.kernel, label, r->cfg.workers, sl->w->n, tpw, place,
                a, b, par);
        if (r->cfg.workers > maxw) {
            maxw = r->cfg.workers;
            min_tpw = (size_t)-1;
        }
        if (r->cfg.workers == maxw && tpw < min_tpw) {
            min_tpw = tpw;
            least = i;
        }
    }
    cb_est_sweep(s, est, &tot);
    fmt_long(tot.expect_s, a, sizeof a);
    cb_fmt_time(tot.probe_s, b, sizeof b);
    fmt_long(tot.min_s, c, sizeof c);
    fmt_long(tot.max_s, d, sizeof d);
    fprintf(f, "\n%zu configurations; at %d workers the fewest tasks per "
            "worker are %zu (%s %s)\n", s->m.nruns, maxw,
            min_tpw == (size_t)-1 ? 0 : min_tpw,
            s->m.nruns ? s->m.runs[least].cfg.kernel : "-",
            s->m.nruns ? s->m.runs[least].cfg.executor : "-");
    fprintf(f, "estimated sweep time: %s (probe %s; %d warm-up%s, then "
            "%s %d sample%s per configuration%s)\n", a, b, o->warmup,
            o->warmup == 1 ? "" : "s",
            o->stop.exact ? "exactly" : "--min-samples",
            o->stop.exact ? o->stop.exact : o->stop.min_samples,
            (o->stop.exact ? o->stop.exact : o->stop.min_samples) == 1 ? ""
                                                                      : "s",
            o->stop.max_time_s > 0 ? ", --max-time cutting" : "");
    if (!o->stop.exact)
        fprintf(f, "  every configuration at --min-samples %d: %s; at "
                "--max-samples %d%s: %s\n", o->stop.min_samples, c,
                o->stop.max_samples,
                o->stop.max_time_s > 0 ? " (cut by --max-time)" : "", d);
    if (est->busy > 0.02)
        fprintf(f, "  this machine is busy now: other programs took %.0f%% "
                "of the calibration's time; samples they disturb are set "
                "aside and retaken, so expect more than this estimate, up "
                "to the --max-samples figure or beyond\n",
                100 * est->busy);
    fprintf(f, "  (a synthetic or XML machine is assumed as fast per core "
            "as this one; SMT threads add %.0f%% of a core)\n", 25.0);
    /* the calibration runs the C kernels: another runtime's tasks cost
     * what they cost there (CPython's gcd: ~10x C's) */
    for (size_t i = 0; i < s->m.nruns; i++)
        if (s->m.runs[i].cfg.runtime && strcmp(s->m.runs[i].cfg.runtime, "c")) {
            fprintf(f, "  (configurations in another runtime, such as "
                    "%s, are estimated at C's task cost: expect them to "
                    "take several times longer)\n",
                    s->m.runs[i].cfg.executor);
            break;
        }
    fprintf(f, "dry run: nothing was run, no file was written\n");
}

/* The plan of o, calibrated, and fitted to --budget when there is one
 * (o changed, `said` what changed): open in s however it ends
 * (plan_close). */
static int plan_fitted(struct cb_sweep *s, struct cb_est *est,
                       struct cb_run_opts *o, char *said, size_t len,
                       struct cb_error *e)
{
    int rc;
    said[0] = '\0';
    if ((rc = plan_open(s, o, e)) || (rc = cb_est_calibrate(s, est, e)) ||
        !(o->budget_s > 0) ||
        (rc = cb_est_budget(s, est, o, said, len, e)))
        return rc;
    /* the fitted plan (its groups and calibration are the same) */
    plan_close(s);
    return plan_open(s, o, e);
}

/* The exit status of a failed plan, its one line said. */
static int plan_failed(int rc, const struct cb_error *e)
{
    char line[sizeof e->msg * 4 + 8];
    cb_text_clean(e->msg, line, sizeof line, sizeof e->msg);
    fprintf(stderr, "corebench run: %s\n", line);
    return rc == CB_EUSAGE ? 2 : rc == CB_EUNSUPPORTED ? 3 : 1;
}

int cb_dry_run(struct cb_run_opts *o)
{
    struct cb_sweep s;
    struct cb_est est = {0};
    struct cb_error e = {0};
    char said[512];
    int rc;

    setvbuf(stdout, NULL, _IOLBF, 0);
    rc = plan_fitted(&s, &est, o, said, sizeof said, &e);
    if (!rc)
        print_plan(&s, &est, said, stdout);
    plan_close(&s);
    cb_est_free(&est);
    return rc ? plan_failed(rc, &e) : 0;
}

int cb_budget_apply(struct cb_run_opts *o)
{
    struct cb_sweep s;
    struct cb_est est = {0};
    struct cb_error e = {0};
    char said[512];
    int rc = plan_fitted(&s, &est, o, said, sizeof said, &e);
    plan_close(&s);
    cb_est_free(&est);
    if (rc)
        return plan_failed(rc, &e);
    fprintf(stderr, "corebench run: --budget %.0f s: %s\n", o->budget_s,
            said[0] ? said : "the plan fits as it is");
    return 0;
}
