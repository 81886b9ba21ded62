/* The interference rule: see interference.h for the rule and why. */
#include "interference.h"

#include <math.h>
#include <string.h>

void cb_interf_rule_default(struct cb_interf_rule *r)
{
    r->share = CB_INTERF_SHARE;
    r->allow_per_switch = CB_INTERF_SWITCH_S;
    r->cpus = 0;
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
    int any_measured = 0;

    memset(v, 0, sizeof *v);
    v->worker = v->cpu = -1;
    v->delay_s = v->excess_s = v->limit_s = NAN;
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
        double allow, excess;
        if (!measured(&w[i]))
            continue;
        any_measured = 1;
        if (shares_cpu(r, w, n, i))
            continue;
        allow = r->allow_per_switch *
                (double)(w[i].csw_voluntary + w[i].csw_involuntary);
        excess = w[i].run_delay_s - allow;
        v->judged++;
        if (excess > v->limit_s)
            v->flagged++;
        /* the worst worker: the largest excess (a flagged one if any) */
        if (v->worker < 0 || excess > v->excess_s) {
            v->worker = i;
            v->cpu = w[i].cpu;
            v->pinned = w[i].pinned;
            v->delay_s = w[i].run_delay_s;
            v->excess_s = excess;
        }
    }
    if (v->judged == 0) {
        v->reason = any_measured ? "workers share CPUs"
                                 : "no run delay measured";
        return v->status;
    }
    v->status = v->flagged ? CB_INTERF_INTERFERED : CB_INTERF_CLEAN;
    return v->status;
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
    }
}
