/* The efficiency budget of a configuration (issue 18, docs/EFFICIENCY.md):
 * its efficiency (speedup / workers, against its runtime's serial
 * baseline) written as a product of named factors, each a ratio of
 * corebench's own measurements of the sample nearest the estimator (per
 * worker: busy, lock wait, run delay, active span) and of the baseline's,
 * times what those do not account for, `unexplained`:
 *
 *   efficiency = computation scaling x interference x serialisation
 *                x transfer x load balance x unexplained
 *
 * Each factor's loss, in efficiency points, is its share of the gap
 * 1 - efficiency apportioned by logarithms (lost_k = (1 - E) ln f_k / ln E),
 * so the losses add up to the gap exactly. Derived by cb_model_derive() into
 * r->d.budget; never read from a file. */
#ifndef CB_BUDGET_H
#define CB_BUDGET_H

#include "executors/executor.h"

enum cb_loss {
    CB_LOSS_SCALING,       /* computation scaling: serial compute / ours */
    CB_LOSS_INTERFERENCE,  /* run delay, and the estimator's sample */
    CB_LOSS_SERIAL,        /* serialisation: lock wait (the GIL) */
    CB_LOSS_TRANSFER,      /* dispatch and transfer: active, not in run() */
    CB_LOSS_BALANCE,       /* load balance: mean / max active time */
    CB_LOSS_UNEXPLAINED,   /* what the factors above do not account for */
    CB_NLOSS
};
/* The JSON keys ("computation_scaling", ...), the table's short names
 * ("scaling", ...) and the words the report uses ("computation scaling"). */
extern const char *const cb_loss_key[CB_NLOSS];
extern const char *const cb_loss_short[CB_NLOSS];
extern const char *const cb_loss_words[CB_NLOSS];

/* Unexplained within target: at most this share of the gap ... */
#define CB_BUDGET_GAP_SHARE 0.10
/* ... or at most this much efficiency (where the gap is small). */
#define CB_BUDGET_ABS 0.02

struct cb_budget {
    int ok;            /* 0: no budget (no baseline, no per-worker figures,
                        * a timed kernel, the baseline itself) */
    double efficiency; /* speedup / workers */
    double factor[CB_NLOSS]; /* factor[CB_LOSS_UNEXPLAINED]: efficiency /
                              * the product of the others */
    double lost[CB_NLOSS];   /* efficiency points, adding up to 1 - eff */
    int largest;             /* the largest loss (an enum cb_loss) */
    int explained;           /* unexplained within the target above */
    /* interference's two parts: run delay (against the baseline's) and
     * the estimator's sample against the one the workers describe */
    double interf_delay, interf_samples;
    /* start-up and shutdown, outside the map time efficiency is over: the
     * factor that turns it into the efficiency of whole samples (start +
     * map + stop), and that efficiency; NaN where unknown */
    double startup, efficiency_whole;
};

/* What the budget is computed from: times of one configuration and of its
 * baseline. t_*: the estimator's map time (p25) and the map time of the
 * sample w[] describes (the median one); w: `workers` entries. */
struct cb_budget_in {
    double efficiency;
    int workers;
    double t_est, t_detail, start, stop;
    const struct cb_worker_stats *w;
    int base_workers;
    double base_est, base_detail, base_start, base_stop;
    const struct cb_worker_stats *base_w;
};

/* The budget of in (pure: tests feed it synthetic timings). */
void cb_budget_compute(const struct cb_budget_in *in, struct cb_budget *b);

/* "transfer 41%" (the largest loss, in points of the ideal), "none" when
 * nothing is lost, "" without a budget. */
void cb_budget_cell(const struct cb_budget *b, char *buf, size_t len);

#endif
