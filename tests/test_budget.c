/* The efficiency budget (harness/model/budget.c) on synthetic per-worker
 * timings: when every second of the map is in some worker's measured
 * figures the factors multiply to the measured efficiency and nothing is
 * unexplained; a loss no timer sees shows as unexplained; each factor
 * answers for the loss it is named for; the losses add up to the gap. */
#include <math.h>
#include <string.h>

#include "model.h"

#include "check.h"

#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))

static struct cb_worker_stats serial_w[1];

/* A serial baseline of `busy` seconds, all inside run(), no run delay. */
static void base_in(struct cb_budget_in *in, double busy)
{
    memset(serial_w, 0, sizeof serial_w);
    serial_w[0].busy_s = busy;
    serial_w[0].measured = CB_WS_RUN_DELAY;
    in->base_w = serial_w;
    in->base_workers = 1;
    in->base_est = in->base_detail = busy;
    in->base_start = in->base_stop = 0;
}

/* One configuration of n workers, busy[i] each, over a map of t seconds. */
static void conf_in(struct cb_budget_in *in, struct cb_worker_stats *w,
                    int n, const double *busy, double t)
{
    memset(w, 0, sizeof *w * (size_t)n);
    for (int i = 0; i < n; i++) {
        w[i].busy_s = busy[i];
        w[i].measured = CB_WS_RUN_DELAY;
    }
    in->w = w;
    in->workers = n;
    in->t_est = in->t_detail = t;
    in->start = in->stop = 0;
    in->efficiency = in->base_est / (n * t);
}

static double product(const struct cb_budget *b)
{
    double p = 1;
    for (int k = 0; k < CB_NLOSS; k++)
        p *= b->factor[k];
    return p;
}

static double lost_sum(const struct cb_budget *b)
{
    double s = 0;
    for (int k = 0; k < CB_NLOSS; k++)
        s += b->lost[k];
    return s;
}

/* Nothing missing: two workers share 2 s of serial work unevenly, 1.2 s
 * and 0.8 s, the map ends with the busier one. Load balance 2/2.4, the
 * rest 1, nothing unexplained. */
static void test_complete(void)
{
    struct cb_budget_in in = {0};
    struct cb_worker_stats w[2];
    struct cb_budget b;
    base_in(&in, 2.0);
    conf_in(&in, w, 2, (const double[]){1.2, 0.8}, 1.2);
    cb_budget_compute(&in, &b);
    if (!CHECK(b.ok, "a budget"))
        return;
    CHECK(NEAR(b.efficiency, 2.0 / 2.4, 1e-12), "efficiency %g", b.efficiency);
    CHECK(NEAR(product(&b), b.efficiency, 1e-12),
          "factors multiply to %g, not %g", product(&b), b.efficiency);
    CHECK(NEAR(b.factor[CB_LOSS_UNEXPLAINED], 1, 1e-12),
          "unexplained factor %g", b.factor[CB_LOSS_UNEXPLAINED]);
    CHECK(NEAR(b.factor[CB_LOSS_BALANCE], 2.0 / 2.4, 1e-12),
          "load balance %g", b.factor[CB_LOSS_BALANCE]);
    CHECK(b.largest == CB_LOSS_BALANCE, "largest %s",
          cb_loss_key[b.largest]);
    CHECK(NEAR(lost_sum(&b), 1 - b.efficiency, 1e-12), "losses add to %g",
          lost_sum(&b));
    CHECK(b.explained, "explained");
}

/* A hidden loss: the same workers, but the map took 0.6 s more than any
 * worker was active (a pool waking late, nothing timed it). */
static void test_hidden(void)
{
    struct cb_budget_in in = {0};
    struct cb_worker_stats w[2];
    struct cb_budget b;
    base_in(&in, 2.0);
    conf_in(&in, w, 2, (const double[]){1.0, 1.0}, 1.6);
    cb_budget_compute(&in, &b);
    if (!CHECK(b.ok, "a budget"))
        return;
    CHECK(NEAR(b.factor[CB_LOSS_UNEXPLAINED], 1.0 / 1.6, 1e-12),
          "unexplained factor %g", b.factor[CB_LOSS_UNEXPLAINED]);
    CHECK(b.largest == CB_LOSS_UNEXPLAINED, "largest %s",
          cb_loss_key[b.largest]);
    CHECK(NEAR(b.lost[CB_LOSS_UNEXPLAINED], 1 - b.efficiency, 1e-12),
          "the whole gap unexplained: %g of %g", b.lost[CB_LOSS_UNEXPLAINED],
          1 - b.efficiency);
    CHECK(!b.explained, "a gap of %.2f unexplained is not within target",
          1 - b.efficiency);
    for (int k = 0; k < CB_LOSS_UNEXPLAINED; k++)
        CHECK(NEAR(b.factor[k], 1, 1e-12), "%s %g", cb_loss_key[k],
              b.factor[k]);
}

/* Serialisation: three workers each busy the whole map, two thirds of it
 * waiting for a lock (the GIL): 1 - 1/workers lost to it. */
static void test_serialisation(void)
{
    struct cb_budget_in in = {0};
    struct cb_worker_stats w[3];
    struct cb_budget b;
    base_in(&in, 3.0);
    conf_in(&in, w, 3, (const double[]){3.0, 3.0, 3.0}, 3.0);
    for (int i = 0; i < 3; i++)
        w[i].lock_wait_s = 2.0;
    cb_budget_compute(&in, &b);
    if (!CHECK(b.ok, "a budget"))
        return;
    CHECK(NEAR(b.factor[CB_LOSS_SERIAL], 1.0 / 3, 1e-12), "serialisation %g",
          b.factor[CB_LOSS_SERIAL]);
    CHECK(b.largest == CB_LOSS_SERIAL && NEAR(product(&b), b.efficiency,
                                              1e-12),
          "largest %s, product %g", cb_loss_key[b.largest], product(&b));
}

/* Transfer: two workers active the whole map, 10% of it inside run(),
 * the rest getting records and returning results. */
static void test_transfer(void)
{
    struct cb_budget_in in = {0};
    struct cb_worker_stats w[2];
    struct cb_budget b;
    base_in(&in, 0.2);
    conf_in(&in, w, 2, (const double[]){0.1, 0.1}, 1.0);
    w[0].span_s = w[1].span_s = 1.0;
    cb_budget_compute(&in, &b);
    if (!CHECK(b.ok, "a budget"))
        return;
    CHECK(NEAR(b.factor[CB_LOSS_TRANSFER], 0.1, 1e-12), "transfer %g",
          b.factor[CB_LOSS_TRANSFER]);
    CHECK(b.largest == CB_LOSS_TRANSFER && b.explained, "largest %s",
          cb_loss_key[b.largest]);
}

/* Computation scaling and interference: the same work costs 1.25x the
 * serial compute time per worker, and another task held worker 0's CPU
 * for 0.1 s of its busy time (run delay); the map ends with worker 0. */
static void test_scaling_interference(void)
{
    struct cb_budget_in in = {0};
    struct cb_worker_stats w[2];
    struct cb_budget b;
    base_in(&in, 2.0);
    conf_in(&in, w, 2, (const double[]){1.35, 1.25}, 1.35);
    w[0].run_delay_s = 0.1;
    cb_budget_compute(&in, &b);
    if (!CHECK(b.ok, "a budget"))
        return;
    CHECK(NEAR(b.factor[CB_LOSS_SCALING], 2.0 / 2.5, 1e-12), "scaling %g",
          b.factor[CB_LOSS_SCALING]);
    CHECK(NEAR(b.factor[CB_LOSS_INTERFERENCE], 2.5 / 2.6, 1e-12),
          "interference %g", b.factor[CB_LOSS_INTERFERENCE]);
    CHECK(b.largest == CB_LOSS_SCALING, "largest %s",
          cb_loss_key[b.largest]);
    CHECK(NEAR(product(&b), b.efficiency, 1e-12), "product %g of %g",
          product(&b), b.efficiency);
}

/* The estimator's sample faster than the one the workers describe: the
 * difference is interference (the estimator keeps the samples others
 * slowed least), not unexplained. */
static void test_estimator_sample(void)
{
    struct cb_budget_in in = {0};
    struct cb_worker_stats w[2];
    struct cb_budget b;
    base_in(&in, 2.0);
    conf_in(&in, w, 2, (const double[]){1.1, 1.1}, 1.1);
    in.t_est = 1.0; /* p25 faster than the described sample */
    in.efficiency = 2.0 / (2 * 1.0);
    cb_budget_compute(&in, &b);
    if (!CHECK(b.ok, "a budget"))
        return;
    CHECK(NEAR(b.interf_samples, 1.1, 1e-12) &&
              NEAR(b.factor[CB_LOSS_UNEXPLAINED], 1, 1e-12),
          "samples part %g, unexplained %g", b.interf_samples,
          b.factor[CB_LOSS_UNEXPLAINED]);
    CHECK(NEAR(lost_sum(&b), 0, 1e-12), "no gap, losses %g", lost_sum(&b));
}

/* No baseline, no per-worker figures, no efficiency: no budget. */
static void test_refusals(void)
{
    struct cb_budget_in in = {0};
    struct cb_worker_stats w[2];
    struct cb_budget b;
    char cell[32];
    base_in(&in, 2.0);
    conf_in(&in, w, 2, (const double[]){1.0, 1.0}, 1.0);
    in.base_w = NULL;
    cb_budget_compute(&in, &b);
    CHECK(!b.ok, "no baseline detail: no budget");
    cb_budget_cell(&b, cell, sizeof cell);
    CHECK(!strcmp(cell, ""), "no budget: an empty cell, '%s'", cell);
    base_in(&in, 2.0);
    in.efficiency = NAN;
    cb_budget_compute(&in, &b);
    CHECK(!b.ok, "no efficiency: no budget");
    conf_in(&in, w, 2, (const double[]){0, 0}, 1.0);
    cb_budget_compute(&in, &b);
    CHECK(!b.ok, "workers that never ran: no budget");
    conf_in(&in, w, 2, (const double[]){1.0, 1.0}, 1.0);
    cb_budget_compute(&in, &b);
    cb_budget_cell(&b, cell, sizeof cell);
    CHECK(b.ok && !strcmp(cell, "none"), "ideal: 'none', got '%s'", cell);
    base_in(&in, 1.5); /* 1.5 s of work, one worker doing a third */
    conf_in(&in, w, 2, (const double[]){1.0, 0.5}, 1.0);
    cb_budget_compute(&in, &b);
    cb_budget_cell(&b, cell, sizeof cell);
    CHECK(!strcmp(cell, "balance 25%"), "'balance 25%%', got '%s'", cell);
}

int main(void)
{
    test_complete();
    test_hidden();
    test_serialisation();
    test_transfer();
    test_scaling_interference();
    test_estimator_sample();
    test_refusals();
    return check_finish();
}
