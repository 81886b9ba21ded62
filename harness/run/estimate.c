/* How long a planned sweep takes, before it runs (run.h, cb_est_*): a
 * short serial calibration of each kernel on this machine, a model of
 * each configuration's sample, and the sampling rules replayed (warm-ups,
 * rounds, --min-samples / --max-samples, --max-time); and --budget, which
 * fits the plan into a time by taking fewer samples, then fewer worker
 * counts.
 *
 * The model of a sample: start-up (one fork per worker for executors
 * whose workers are processes, one thread per worker otherwise, none for
 * a single-worker executor; measured here by the probe's fork and
 * pthread_create), the map (the serial time of its workload divided by
 * the workers the machine gives it: one per core, CB_EST_SMT_GAIN per
 * further SMT thread, nothing past the PUs) and a shutdown costing half
 * the start-up. A synthetic or XML machine is assumed as fast per core as
 * this one. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe.h"
#include "run.h"
#include "units.h"

/* serial time spent timing each kernel's tasks (at least one task) */
#define CB_EST_CALIB_S 0.1
/* what a second PU of a core adds to its first */
#define CB_EST_SMT_GAIN 0.25
/* the embedded quick probe: ~1 s on the 2-core VM, and its triad touches
 * memory per thread count on larger machines */
#define CB_EST_PROBE_S(pus) (1.0 + 0.02 * (pus))

/* CPU seconds of the calling thread: what a task costs when it has a
 * CPU, whoever else the shared machine runs beside the calibration (the
 * estimate is for the machine the sweep should have: a quiet one) */
static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Serial seconds per task of workload w: tasks spread over the workload
 * (a stride through it), one untimed first. */
static double calibrate(const struct cb_workload *w, double *wall_s,
                        double *cpu_s)
{
    struct cb_ctx ctx = {0};
    const char *in = w->in;
    void *out = calloc(1, w->out_size ? w->out_size : 1);
    size_t step, done = 0;
    double t0, t, w0;
    if (!out || w->n == 0) {
        free(out);
        return 0;
    }
    /* a stride coprime with n visits every task once, in a spread order */
    for (step = w->n / 7 + 1; step > 1; step--) {
        size_t a = w->n, b = step;
        while (b) {
            size_t r = a % b;
            a = b;
            b = r;
        }
        if (a == 1)
            break;
    }
    w->kernel->run(w, in, out, &ctx);
    t0 = thread_cpu();
    w0 = cb_now();
    do {
        size_t i = (done * step) % w->n;
        w->kernel->run(w, in + i * w->in_size, out, &ctx);
        done++;
        t = thread_cpu() - t0;
    } while (done < w->n && t < CB_EST_CALIB_S);
    *wall_s += cb_now() - w0;
    *cpu_s += t;
    free(out);
    return t / (double)done;
}

int cb_est_calibrate(const struct cb_sweep *s, struct cb_est *est,
                     struct cb_error *e)
{
    double wall = 0, cpu = 0;
    memset(est, 0, sizeof *est);
    est->task_s = calloc((size_t)(s->nwl ? s->nwl : 1), sizeof *est->task_s);
    if (!est->task_s)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    for (int k = 0; k < s->nwl; k++)
        est->task_s[k] = calibrate(&s->wl[k], &wall, &cpu);
    /* what other programs took from the calibration: the share of its
     * wall time it was not on a CPU */
    est->busy = wall > 0 && cpu < wall ? 1 - cpu / wall : 0;
    /* the least of three medians: a neighbour's burst is not the cost */
    est->fork_s = est->thread_s = 1e9;
    for (int i = 0; i < 3; i++) {
        double f, t;
        if (cb_probe_fork(10, &f, e) || cb_probe_pthread(10, &t, e))
            return e->code;
        est->fork_s = f < est->fork_s ? f : est->fork_s;
        est->thread_s = t < est->thread_s ? t : est->thread_s;
    }
    return 0;
}

void cb_est_free(struct cb_est *est)
{
    free(est->task_s);
    est->task_s = NULL;
}

/* The workers the machine gives w workers, as parallel speed. */
static double parallel(const struct cb_topo_info *ti, int w)
{
    int cores = ti->cores > 0 ? ti->cores : 1, pus = ti->pus > 0 ? ti->pus : 1;
    int c = w < cores ? w : cores, p = w < pus ? w : pus;
    return c + CB_EST_SMT_GAIN * (p - c);
}

void cb_est_config(const struct cb_sweep *s, const struct cb_est *est,
                   size_t i, double *map_s, double *sample_s)
{
    const struct cb_run *r = &s->m.runs[i];
    const struct cb_slot *sl = &s->slot[i];
    int w = r->cfg.workers;
    double start = 0;
    *map_s = est->task_s[sl->kernel] * (double)sl->w->n /
             parallel(&s->info, w);
    if (!(sl->ex->caps & CB_EXEC_SINGLE))
        start = w * (sl->ex->caps & CB_EXEC_PROCESSES ? est->fork_s
                                                       : est->thread_s);
    *sample_s = *map_s + 1.5 * start;
}

/* One configuration in the replay. */
struct est_cfg {
    int group, dropped;
    double sample_s;
    int taken;
};

/* The sweep's time as the sampling rules make it, each configuration
 * stopping at `expect` samples (the target met) unless the rules stop it
 * first: exact -r, --max-samples, or --max-time once it has its
 * --min-samples (kernel g's share of it ending at (g + 1) / ngroups of
 * the budget, as sweep.c shares it). */
static double replay(struct est_cfg *c, size_t n, int ngroups,
                     const struct cb_run_opts *o, int expect)
{
    const struct cb_stop_rule *st = &o->stop;
    double t = 0;
    for (int g = 0; g < ngroups; g++) {
        int left = 1;
        for (size_t i = 0; i < n; i++)
            if (c[i].group == g && !c[i].dropped) {
                t += o->warmup * c[i].sample_s;
                c[i].taken = 0;
            }
        while (left) {
            left = 0;
            for (size_t i = 0; i < n; i++) {
                int stop_at;
                if (c[i].group != g || c[i].dropped)
                    continue;
                if (st->exact > 0)
                    stop_at = st->exact;
                else if (st->max_time_s > 0 &&
                         t * ngroups / (g + 1) >= st->max_time_s)
                    stop_at = st->min_samples;
                else
                    stop_at = expect < st->max_samples ? expect
                                                       : st->max_samples;
                if (c[i].taken >= stop_at)
                    continue;
                t += c[i].sample_s;
                c[i].taken++;
                left = 1;
            }
        }
    }
    return t;
}

/* Fills the replay's configurations (a worker count in `drop` is out). */
static struct est_cfg *est_cfgs(const struct cb_sweep *s,
                                const struct cb_est *est)
{
    struct est_cfg *c = calloc(s->m.nruns + 1, sizeof *c);
    for (size_t i = 0; c && i < s->m.nruns; i++) {
        double map;
        c[i].group = s->slot[i].kernel;
        cb_est_config(s, est, i, &map, &c[i].sample_s);
    }
    return c;
}

static void mark_dropped(const struct cb_sweep *s, struct est_cfg *c,
                         const int *drop)
{
    for (size_t i = 0; i < s->m.nruns; i++) {
        int w = s->m.runs[i].cfg.workers;
        c[i].dropped = 0;
        for (int j = 0; j < s->o->nworkers; j++)
            if (drop[j] && s->o->workers[j] == w &&
                !(s->slot[i].ex->caps & CB_EXEC_SINGLE))
                c[i].dropped = 1;
    }
}

int cb_est_sweep(const struct cb_sweep *s, const struct cb_est *est,
                 struct cb_est_total *tot)
{
    struct est_cfg *c = est_cfgs(s, est);
    int expect = s->o->stop.exact > 0 ? s->o->stop.exact
                                      : s->o->stop.min_samples;
    struct cb_run_opts lo = *s->o, hi;
    if (!c)
        return CB_ENOMEM;
    tot->probe_s = s->o->probe ? CB_EST_PROBE_S(s->info.pus) : 0;
    tot->expect_s = tot->probe_s + replay(c, s->m.nruns, s->nwl, s->o,
                                          expect);
    lo.stop.max_time_s = 0;
    hi = lo;
    tot->min_s = tot->probe_s + replay(c, s->m.nruns, s->nwl, &lo,
                                       lo.stop.min_samples);
    tot->max_s = tot->probe_s + replay(c, s->m.nruns, s->nwl, s->o,
                                       hi.stop.max_samples);
    free(c);
    return 0;
}

/* The worst case of the rules under a budget: every configuration up to
 * --max-samples unless --max-time cuts it, --max-time set (never above
 * what was asked) to what the budget leaves after the probe and one
 * round of the costliest kernel (the samples in flight when a kernel's
 * share runs out, which the guard cannot stop). */
static double worst(struct est_cfg *c, const struct cb_sweep *s,
                    struct cb_run_opts *o, double probe, double asked)
{
    double round = 0, m;
    if (!o->stop.exact) {
        for (int g = 0; g < s->nwl; g++) {
            double r = 0;
            for (size_t i = 0; i < s->m.nruns; i++)
                r += c[i].group == g && !c[i].dropped ? c[i].sample_s : 0;
            round = r > round ? r : round;
        }
        m = o->budget_s - probe - round;
        if (asked > 0 && asked < m)
            m = asked;
        o->stop.max_time_s = m > 1 ? m : 1;
    }
    return probe + replay(c, s->m.nruns, s->nwl, o, o->stop.max_samples);
}

int cb_est_budget(const struct cb_sweep *s, const struct cb_est *est,
                  struct cb_run_opts *o, char *said, size_t len,
                  struct cb_error *e)
{
    struct est_cfg *c = est_cfgs(s, est);
    double budget = o->budget_s, probe = o->probe ? CB_EST_PROBE_S(
                                                       s->info.pus) : 0;
    int drop[CB_RUN_MAX_LIST] = {0}, min0 = o->stop.min_samples;
    int exact0 = o->stop.exact, nw = o->nworkers, kept = nw;
    double asked = o->stop.max_time_s; /* --max-time given, or 0 */
    size_t l = 0;
    char t[32];
    if (!c)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    said[0] = '\0';
    mark_dropped(s, c, drop);
    /* fewer samples first: down to 3 (the model's least clean set) */
    while (worst(c, s, o, probe, asked) > budget) {
        int *n = o->stop.exact ? &o->stop.exact : &o->stop.min_samples;
        if (*n <= CB_MODEL_MIN_CLEAN)
            break;
        (*n)--;
        if (o->stop.exact)
            o->stop.max_samples = o->stop.exact;
    }
    /* then worker counts: first 1 (each executor's one-worker run costs a
     * serial map; the serial baselines still run, so speedups keep their
     * T(1)), then powers of two before boundaries, the middle of the list
     * first; the largest stays */
    for (int pass = 0; pass < 3 && worst(c, s, o, probe, asked) > budget; pass++)
        for (int step = 0; step < 2 * nw && worst(c, s, o, probe, asked) > budget;
             step++) {
            int j = pass == 0 ? 0
                              : nw / 2 + (step % 2 ? (step + 1) / 2
                                                   : -(step / 2));
            if (j < 0 || j >= nw - 1 || drop[j] ||
                (pass == 0 && o->workers[0] != 1) ||
                (pass > 0 && (j == 0 || (pass == 1) == !!o->boundary[j][0])))
                continue;
            drop[j] = 1;
            kept--;
            mark_dropped(s, c, drop);
        }
    if (worst(c, s, o, probe, asked) > budget) {
        int n = o->stop.exact ? o->stop.exact : o->stop.min_samples;
        cb_fmt_time(worst(c, s, o, probe, asked), t, sizeof t);
        free(c);
        return CB_FAIL(e, CB_EUSAGE, "--budget %.0f s: the smallest plan "
                       "(%d sample%s per configuration, the baselines and "
                       "%d workers) needs %s (accepted: a budget of at "
                       "least that, or fewer kernels and executors)",
                       budget, n, n == 1 ? "" : "s", o->workers[nw - 1], t);
    }
    free(c);
    if (o->stop.exact && o->stop.exact != exact0)
        l += (size_t)snprintf(said + l, len - l, "-r %d -> %d; ", exact0,
                              o->stop.exact);
    if (!o->stop.exact && o->stop.min_samples != min0)
        l += (size_t)snprintf(said + l, len - l, "--min-samples %d -> %d; ",
                              min0, o->stop.min_samples);
    if (kept < nw) {
        l += (size_t)snprintf(said + l, len - l, "worker counts dropped:");
        for (int j = 0, k = 0; j < nw; j++) {
            if (drop[j]) {
                if (l < len)
                    l += (size_t)snprintf(said + l, len - l, " %d",
                                          o->workers[j]);
                continue;
            }
            o->workers[k] = o->workers[j];
            memmove(o->boundary[k], o->boundary[j], sizeof o->boundary[k]);
            k++;
        }
        o->nworkers = kept;
        if (l < len)
            l += (size_t)snprintf(said + l, len - l, "; ");
    }
    if (!o->stop.exact && l < len)
        snprintf(said + l, len - l, "--max-time %.0f s", o->stop.max_time_s);
    o->repetitions = o->stop.exact ? o->stop.exact : o->stop.max_samples;
    return 0;
}
