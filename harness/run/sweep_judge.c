/* The sweep's call of the interference rule (harness/run/interference.h):
 * per sample, what the workers measured plus what the machine's counters
 * said (steal per CPU, outside load, run.h struct cb_sample), judged
 * against the configuration's CPU reference (the median of its samples'
 * CPU times and their spread, cb_interf_cpu_norm); earlier samples of the
 * configuration are judged again when that reference moves. It is
 * recomputed at every one of the first 64 samples, then every 1/32nd
 * more (O(n log n) each: a sweep of -r 10000 does not pay n^2 log n). */
#include <math.h>
#include <stdlib.h>

#include "interference.h"
#include "run.h"

static int same(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

static void store(struct cb_run *r, size_t j, const struct cb_interf_verdict *v)
{
    struct cb_run_interf *o = &r->interf[j];
    r->interfered[j] = v->status == CB_INTERF_INTERFERED;
    o->worker = v->worker;
    o->cpu = v->cpu;
    o->pinned = v->pinned;
    o->delay_s = v->delay_s;
    o->excess_s = v->excess_s;
    o->steal_s = v->steal_s;
    o->cpu_s = v->cpu_s;
    o->cpu_excess_s = v->cpu_excess_s;
    o->lost_s = v->status == CB_INTERF_UNKNOWN ? NAN : v->lost_s;
    o->stretch_s = v->stretch_s;
    o->limit_s = v->limit_s;
    o->cause = v->cause;
}

void cb_sweep_judge(struct cb_sweep *s, size_t i, const struct cb_map_stats *ms,
                    const struct cb_sample *smp)
{
    struct cb_run *r = &s->m.runs[i];
    struct cb_interf_worker iw[CB_MAX_WORKERS];
    struct cb_interf_rule rule;
    struct cb_interf_verdict v;
    struct cb_run_interf *o;
    struct cb_slot *sl = &s->slot[i];
    double sum = 0, ref_before = sl->cpu_ref, tol_before = sl->cpu_tol;
    size_t j = r->n - 1;
    int nw = r->cfg.workers < CB_MAX_WORKERS ? r->cfg.workers
                                             : CB_MAX_WORKERS;

    cb_interf_rule_default(&rule);
    rule.cpus = s->info.pus;
    cb_interf_from_stats(ms->w, nw, iw);
    for (int k = 0; k < nw; k++) {
        /* this machine's /proc/stat: not for a worker on another host */
        if (smp->have_cpustat && !ms->w[k].host[0] && iw[k].cpu >= 0 &&
            iw[k].cpu < smp->ncpus)
            iw[k].steal_s = smp->steal_cpu[iw[k].cpu];
        sum = isfinite(iw[k].cpu_s) ? sum + iw[k].cpu_s : NAN;
    }
    /* the reference: the median CPU time the same work took and its
     * spread, this sample included */
    if (j < 64 || j % (j / 32) == 0) {
        double *cpu = malloc((j + 1) * sizeof *cpu);
        if (cpu) {
            for (size_t k = 0; k < j; k++)
                cpu[k] = r->interf[k].cpu_s;
            cpu[j] = sum;
            cb_interf_cpu_norm(cpu, j + 1, CB_INTERF_CPU_TOL, &sl->cpu_ref,
                               &sl->cpu_tol);
            free(cpu);
        }
    }
    rule.cpu_ref_s = sl->cpu_ref;
    if (isfinite(sl->cpu_tol))
        rule.cpu_tolerance = sl->cpu_tol;
    cb_interference_judge(&rule, smp->map_s, iw, nw, &v);
    store(r, j, &v);
    o = &r->interf[j];
    o->t_start = smp->epoch_start;
    o->t_end = smp->epoch_end;
    if (smp->have_cpustat) {
        o->steal_all_s = smp->steal_all_s;
        o->outside_s = isfinite(smp->self_cpu_s)
                           ? fmax(0, smp->busy_all_s - smp->self_cpu_s)
                           : NAN;
        o->window_s = smp->window_s;
        o->ncpus = smp->ncpus;
    }
    if (j == 0 || (same(sl->cpu_ref, ref_before) &&
                   same(sl->cpu_tol, tol_before)))
        return;
    /* a new reference: the earlier samples are judged against it */
    for (size_t k = 0; k < j; k++) {
        struct cb_run_interf *p = &r->interf[k];
        struct cb_interf_verdict u = {0};
        if (!isfinite(p->lost_s) || !isfinite(p->limit_s))
            continue;
        u.status = CB_INTERF_CLEAN;
        u.worker = p->worker;
        u.cpu = p->cpu;
        u.pinned = p->pinned;
        u.delay_s = p->delay_s;
        u.excess_s = p->excess_s;
        u.steal_s = p->steal_s;
        u.cpu_s = p->cpu_s;
        u.cpu_excess_s = NAN;
        u.lost_s = p->lost_s;
        u.limit_s = p->limit_s;
        cb_interf_rejudge(&rule, &u);
        store(r, k, &u);
    }
}
