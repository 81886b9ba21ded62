/* The efficiency budget: see budget.h and docs/EFFICIENCY.md. */
#include "budget.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const cb_loss_key[CB_NLOSS] = {
    "computation_scaling", "interference", "serialisation", "transfer",
    "load_balance", "unexplained"};
const char *const cb_loss_short[CB_NLOSS] = {
    "scaling", "interference", "serialisation", "transfer", "balance",
    "unexplained"};
const char *const cb_loss_words[CB_NLOSS] = {
    "computation scaling", "interference", "serialisation (lock wait)",
    "dispatch and transfer", "load imbalance", "unexplained time"};

static double nz(double x) /* a measured figure, 0 where unknown */
{
    return isfinite(x) && x > 0 ? x : 0;
}

/* Sums over a configuration's workers (docs/EFFICIENCY.md's symbols):
 * busy B, lock wait G (inside busy), run delay D (its share inside busy),
 * active time A (busy + dispatch), the longest active time amax. */
struct sums {
    double B, G, D, A, amax;
};

static void sum_workers(const struct cb_worker_stats *w, int n,
                        struct sums *s)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < n; i++) {
        double b = nz(w[i].busy_s), g = fmin(nz(w[i].lock_wait_s), b);
        double a = fmax(nz(w[i].span_s), b), d = 0;
        /* run delay accrues over the worker's whole part of the map, as
         * a wake-up after a lock wait or a message too: the share of it
         * that slowed computing is taken as computing's share of the
         * active time (the rest is inside the lock wait, serialisation,
         * or the dispatch, transfer) */
        if ((w[i].measured & CB_WS_RUN_DELAY) && a > 0)
            d = fmin(nz(w[i].run_delay_s) * (b - g) / a, b - g);
        s->B += b;
        s->G += g;
        s->D += d;
        s->A += a;
        s->amax = fmax(s->amax, a);
    }
}

void cb_budget_compute(const struct cb_budget_in *in, struct cb_budget *b)
{
    struct sums p, s;
    double C, Cs, E = in->efficiency, k, best = -INFINITY, prod = 1;

    memset(b, 0, sizeof *b);
    b->efficiency = E;
    b->startup = b->efficiency_whole = NAN;
    for (int i = 0; i < CB_NLOSS; i++)
        b->factor[i] = b->lost[i] = NAN;
    b->interf_delay = b->interf_samples = NAN;
    if (!in->w || !in->base_w || in->workers < 1 || in->base_workers < 1 ||
        !(E > 0) || !isfinite(E) || !(in->t_est > 0) ||
        !(in->t_detail > 0) || !(in->base_est > 0) || !(in->base_detail > 0))
        return;
    sum_workers(in->w, in->workers, &p);
    sum_workers(in->base_w, in->base_workers, &s);
    C = p.B - p.G - p.D;
    Cs = s.B - s.G - s.D;
    if (!(C > 0) || !(Cs > 0) || !(p.amax > 0) || !(s.B > 0))
        return;

    b->factor[CB_LOSS_SCALING] = Cs / C;
    b->interf_delay = (C / (C + p.D)) / (Cs / (Cs + s.D));
    b->interf_samples = (in->base_est / in->base_detail) /
                        (in->t_est / in->t_detail);
    b->factor[CB_LOSS_INTERFERENCE] = b->interf_delay * b->interf_samples;
    /* serialisation and transfer against the baseline's own: its lock
     * wait (none for serial) and the share of its map outside run() (the
     * binding and accounting every worker pays too) */
    b->factor[CB_LOSS_SERIAL] = ((p.B - p.G) / p.B) / ((s.B - s.G) / s.B);
    b->factor[CB_LOSS_TRANSFER] = (p.B / p.A) / (s.B / in->base_detail);
    b->factor[CB_LOSS_BALANCE] = p.A / (in->workers * p.amax);
    for (int i = 0; i < CB_LOSS_UNEXPLAINED; i++)
        prod *= b->factor[i];
    b->factor[CB_LOSS_UNEXPLAINED] = E / prod;
    for (int i = 0; i < CB_NLOSS; i++)
        if (!(b->factor[i] > 0) || !isfinite(b->factor[i]))
            return;

    /* the gap apportioned by logarithms: k = (1 - E) / -ln E, -> 1 */
    k = fabs(log(E)) < 1e-9 ? 1 : (1 - E) / -log(E);
    for (int i = 0; i < CB_NLOSS; i++) {
        b->lost[i] = -log(b->factor[i]) * k;
        if (b->lost[i] == 0)
            b->lost[i] = 0; /* not -0: a factor of exactly 1 loses nothing */
        if (b->lost[i] > best)
            best = b->lost[i], b->largest = i;
    }
    b->explained = fabs(b->lost[CB_LOSS_UNEXPLAINED]) <=
                   fmax(CB_BUDGET_GAP_SHARE * fabs(1 - E), CB_BUDGET_ABS);

    /* start-up and shutdown: whole samples against map times */
    if (isfinite(in->start) && isfinite(in->stop) &&
        isfinite(in->base_start) && isfinite(in->base_stop)) {
        double ws = in->base_est + in->base_start + in->base_stop;
        double wp = in->t_est + in->start + in->stop;
        b->startup = (ws / in->base_est) * (in->t_est / wp);
        b->efficiency_whole = E * b->startup;
    }
    b->ok = 1;
}

void cb_budget_cell(const struct cb_budget *b, char *buf, size_t len)
{
    if (!len)
        return;
    buf[0] = '\0';
    if (!b->ok)
        return;
    if (b->lost[b->largest] < 0.005)
        snprintf(buf, len, "none");
    else
        snprintf(buf, len, "%s %.0f%%", cb_loss_short[b->largest],
                 100 * b->lost[b->largest]);
}
