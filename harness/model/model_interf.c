/* Interference over a result: a sample's blank record and the sweep's
 * totals (steal, outside load, samples set aside) for the context, the
 * console and the report (model.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

void cb_run_interf_init(struct cb_run_interf *v)
{
    memset(v, 0, sizeof *v);
    v->worker = v->cpu = -1;
    v->delay_s = v->excess_s = NAN;
    v->steal_s = v->cpu_s = v->cpu_excess_s = v->lost_s = NAN;
    v->stretch_s = v->limit_s = NAN;
    v->t_start = v->t_end = v->steal_all_s = v->outside_s = NAN;
    v->window_s = NAN;
    v->ncpus = 0;
    v->cause = NULL;
}

void cb_model_interf_totals(const struct cb_model *m,
                            struct cb_interf_totals *t)
{
    double steal = 0, outside = 0, cpu_s = 0, span = 0;
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < m->nruns; i++) {
        const struct cb_run *r = &m->runs[i];
        t->n += r->n;
        t->aside += r->d.aside;
        for (size_t j = 0; j < r->n; j++) {
            const struct cb_run_interf *v = r->interf ? &r->interf[j] : NULL;
            t->flagged += r->interfered && r->interfered[j];
            if (!v || v->ncpus <= 0 || !isfinite(v->window_s) ||
                !isfinite(v->steal_all_s) || !isfinite(v->outside_s))
                continue;
            steal += v->steal_all_s;
            outside += v->outside_s;
            cpu_s += v->window_s * v->ncpus;
            span += v->window_s;
        }
    }
    t->span_s = span;
    t->steal_share = cpu_s > 0 ? steal / cpu_s : NAN;
    t->outside_share = cpu_s > 0 ? outside / cpu_s : NAN;
}

void cb_interf_totals_line(const struct cb_interf_totals *t, char *buf,
                           size_t len)
{
    int k = 0;
    buf[0] = '\0';
    if (!t->n || !len)
        return;
    if (isfinite(t->steal_share))
        k = snprintf(buf, len, "the hypervisor took %.1f%% of CPU time "
                     "during the samples, processes outside the sweep "
                     "%.1f%%; ", 100 * t->steal_share,
                     100 * t->outside_share);
    if (k >= 0 && (size_t)k < len)
        snprintf(buf + k, len - (size_t)k, "%zu of %zu samples set aside "
                 "(%zu flagged as interfered)", t->aside, t->n, t->flagged);
}
