/* The interference rule: see interference.h for the rule and why. */
#include "interference.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cb_interf_rule_default(struct cb_interf_rule *r)
{
    r->share = CB_INTERF_SHARE;
    r->allow_per_switch = CB_INTERF_SWITCH_S;
    r->cpus = 0;
    r->cpu_ref_s = NAN;
    r->cpu_tolerance = CB_INTERF_CPU_TOL;
    r->steal_tick_s = CB_INTERF_STEAL_TICK_S;
}

const char *cb_interf_status_name(enum cb_interf_status s)
{
    switch (s) {
    case CB_INTERF_CLEAN:
        return "clean";
    case CB_INTERF_INTERFERED:
        return "interfered";
    default:
        return "unknown";
    }
}

static int measured(const struct cb_interf_worker *w)
{
    return isfinite(w->run_delay_s) && w->run_delay_s >= 0;
}

/* 1 if worker i waits for another worker of the same sample by design:
 * pinned to the same CPU as another pinned worker, or unpinned while the
 * workers outnumber the CPUs. */
static int shares_cpu(const struct cb_interf_rule *r,
                      const struct cb_interf_worker *w, int n, int i)
{
    if (!w[i].pinned || w[i].cpu < 0)
        return r->cpus > 0 && n > r->cpus;
    for (int j = 0; j < n; j++)
        if (j != i && w[j].pinned && w[j].cpu == w[i].cpu)
            return 1;
    return 0;
}

enum cb_interf_status cb_interference_judge(const struct cb_interf_rule *r,
                                            double duration_s,
                                            const struct cb_interf_worker *w,
                                            int n,
                                            struct cb_interf_verdict *v)
{
    struct cb_interf_rule dflt;
    double lost_max = NAN, cpu_sum = 0, steal_max = NAN;
    int cpu_all = n > 0;

    memset(v, 0, sizeof *v);
    v->worker = v->cpu = -1;
    v->delay_s = v->excess_s = v->limit_s = v->steal_s = NAN;
    v->cpu_s = v->cpu_excess_s = v->stretch_s = NAN;
    v->status = CB_INTERF_UNKNOWN;
    if (!r) {
        cb_interf_rule_default(&dflt);
        r = &dflt;
    }
    if (!(duration_s > 0) || !isfinite(duration_s)) {
        v->reason = "zero-length sample";
        return v->status;
    }
    v->limit_s = r->share * duration_s;
    for (int i = 0; i < n; i++) {
        int delay_ok = measured(&w[i]) && !shares_cpu(r, w, n, i);
        int steal_ok = isfinite(w[i].steal_s) && w[i].steal_s >= 0;
        double excess = 0, lost;
        if (isfinite(w[i].cpu_s) && w[i].cpu_s >= 0)
            cpu_sum += w[i].cpu_s;
        else
            cpu_all = 0;
        if (!delay_ok && !steal_ok)
            continue;
        if (delay_ok)
            excess = w[i].run_delay_s -
                     r->allow_per_switch * (double)(w[i].csw_voluntary +
                                                    w[i].csw_involuntary);
        lost = fmax(excess, 0) +
               (steal_ok ? fmax(0, w[i].steal_s - r->steal_tick_s) : 0);
        if (steal_ok && !(w[i].steal_s <= steal_max))
            steal_max = w[i].steal_s;
        v->judged++;
        if (lost > v->limit_s)
            v->flagged++;
        /* the worst worker: the largest lost time */
        if (v->worker < 0 || lost > lost_max) {
            lost_max = lost;
            v->worker = i;
            v->cpu = w[i].cpu;
            v->pinned = w[i].pinned;
            v->delay_s = delay_ok ? w[i].run_delay_s : NAN;
            v->excess_s = delay_ok ? excess : NAN;
        }
    }
    v->steal_s = steal_max;
    if (cpu_all)
        v->cpu_s = cpu_sum;
    if (v->judged == 0 &&
        !(isfinite(v->cpu_s) && isfinite(r->cpu_ref_s) && r->cpu_ref_s > 0)) {
        v->reason = "no run delay measured";
        for (int i = 0; i < n; i++)
            if (measured(&w[i]))
                v->reason = "workers share CPUs";
        return v->status;
    }
    v->lost_s = isfinite(lost_max) ? lost_max : 0;
    return cb_interf_rejudge(r, v);
}

enum cb_interf_status cb_interf_rejudge(const struct cb_interf_rule *r,
                                        struct cb_interf_verdict *v)
{
    double delay_part, steal_part, cpu_part;
    if (v->status == CB_INTERF_UNKNOWN && v->reason)
        return v->status;
    if (isfinite(v->cpu_s) && isfinite(r->cpu_ref_s) && r->cpu_ref_s > 0)
        v->cpu_excess_s =
            fmax(0, v->cpu_s - (1 + r->cpu_tolerance) * r->cpu_ref_s);
    delay_part = isfinite(v->excess_s) ? fmax(v->excess_s, 0) : 0;
    steal_part = fmax(0, v->lost_s - delay_part);
    cpu_part = isfinite(v->cpu_excess_s) ? v->cpu_excess_s : 0;
    v->stretch_s = v->lost_s + cpu_part;
    v->cause = NULL;
    if (v->stretch_s > v->limit_s) {
        v->status = CB_INTERF_INTERFERED;
        v->cause = cpu_part >= delay_part && cpu_part >= steal_part
                       ? "cpu rate"
                   : steal_part > delay_part ? "steal" : "run delay";
    } else {
        v->status = CB_INTERF_CLEAN;
    }
    return v->status;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_sorted(const double *x, size_t n)
{
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

void cb_interf_cpu_norm(const double *cpu, size_t n, double min_tol,
                        double *ref, double *tol)
{
    double *x = malloc((n ? n : 1) * sizeof *x), med;
    size_t k = 0;
    *ref = *tol = NAN;
    if (!x)
        return;
    for (size_t i = 0; i < n; i++)
        if (isfinite(cpu[i]) && cpu[i] > 0)
            x[k++] = cpu[i];
    if (k) {
        qsort(x, k, sizeof *x, cmp_double);
        med = median_sorted(x, k);
        for (size_t i = 0; i < k; i++)
            x[i] = fabs(x[i] - med);
        qsort(x, k, sizeof *x, cmp_double);
        *ref = med;
        *tol = fmax(min_tol, CB_INTERF_CPU_SPREAD * median_sorted(x, k) / med);
    }
    free(x);
}

void cb_interf_from_stats(const struct cb_worker_stats *ws, int n,
                          struct cb_interf_worker *out)
{
    for (int i = 0; i < n; i++) {
        const struct cb_worker_stats *s = &ws[i];
        memset(&out[i], 0, sizeof out[i]);
        out[i].run_delay_s =
            s->measured & CB_WS_RUN_DELAY ? s->run_delay_s : NAN;
        if (s->measured & CB_WS_CSW) {
            out[i].csw_voluntary = s->csw_voluntary;
            out[i].csw_involuntary = s->csw_involuntary;
        }
        out[i].pinned = s->pinned && s->pu_planned >= 0;
        out[i].cpu = out[i].pinned ? s->pu_planned : s->cpu_last;
        out[i].cpu_s = s->cpu_s > 0 ? s->cpu_s : NAN;
        out[i].steal_s = NAN;
    }
}
