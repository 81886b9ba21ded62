/* Adaptive sampling: when has a configuration been sampled enough?
 *
 * In the spirit of hyperfine's --min-runs/--max-runs and pyperf's
 * calibration: sample until the estimator is known to the precision asked
 * for, within a sample count and a time budget. cb_stop_check() is the
 * whole decision, a pure function of the samples so far, so the sweep loop
 * (the interleaved rounds) only asks it after each sample.
 *
 * The precision is the half-width of a 95% confidence interval of the
 * estimator (stats.h, CB_ESTIMATOR_NAME: the time the table prints), as
 * a fraction of it: (hi - lo) / 2 / estimate, the `+-ci%` column of the
 * table. The interval is the table's own: the percentile bootstrap of the
 * estimator with the same seed and rounds (cb_bootstrap_estimate_ci), so
 * a configuration that stopped on its target shows it met. Until issue 15
 * the rule judged the distribution-free order-statistic interval of the
 * median (cb_median_ci_order, kept below), which has exact coverage but
 * spans [x(k), x(n+1-k)]: with one-sided noise (a few slow samples) its
 * upper end is a disturbed sample until n is large, and on a shared VM
 * most configurations ran to --max-samples. For a low quantile a
 * distribution-free interval needs many more samples (the 25th
 * percentile: 11 before any 95% interval exists). The bootstrap's known
 * weakness, undercoverage at small n, is bounded by the floor: no
 * interval is judged below CB_CI_MIN_SAMPLES clean samples. The bootstrap
 * is cheap enough to ask after every sample (2000 resamples of a few
 * dozen values: microseconds) and deterministic (fixed seed).
 *
 * Which samples count: `clean` are the samples the statistics use (the
 * interfered ones set aside, harness/run/interference.h); `taken` counts every
 * sample measured, clean or not, because max_samples bounds the time
 * spent. */
#ifndef CB_SAMPLING_H
#define CB_SAMPLING_H

#include <stddef.h>

#include "common.h"

/* The fewest clean samples the stop rule judges an interval on; also the
 * smallest n with a 95% order-statistic CI of the median. */
#define CB_CI_MIN_SAMPLES 6

/* Distribution-free CI of the median: [x(k), x(n+1-k)] of the sorted
 * sample, with the largest k >= 1 such that its coverage
 * 1 - 2 P(Binomial(n, 1/2) <= k - 1) is at least `level`. x is not
 * modified. Returns 0 and fills lo, hi and (if non-NULL) the exact
 * coverage; -1 with NaNs when n is too small for the level (or x holds a
 * NaN, or level is not in (0, 1)). */
int cb_median_ci_order(const double *x, size_t n, double level, double *lo,
                       double *hi, double *coverage);

struct cb_stop_rule {
    /* > 0: `-r N`, exactly N samples taken; every other field is ignored */
    int exact;
    int min_samples;   /* clean samples before the target or time may stop */
    int max_samples;   /* samples taken (clean or not) after which it stops */
    double target_ci;  /* CI half-width / median to reach, e.g. 0.02; 0:
                          none (sample to max_samples or max_time) */
    double max_time_s; /* budget of the whole sweep; 0: none */
};

enum cb_stop {
    CB_STOP_CONTINUE = 0,
    CB_STOP_EXACT,       /* "exact": -r N reached */
    CB_STOP_TARGET_CI,   /* "target-ci": the estimate is known well enough */
    CB_STOP_MAX_SAMPLES, /* "max-samples": it is not, and that is all */
    CB_STOP_MAX_TIME,    /* "max-time": the sweep's budget is spent */
};

struct cb_stop_status {
    enum cb_stop why;
    double median;    /* of the clean samples; NaN when none */
    double est;       /* the estimator (cb_estimate) of the clean samples */
    double ci_lo, ci_hi; /* cb_bootstrap_estimate_ci at 95%; NaN below
                            CB_CI_MIN_SAMPLES clean samples */
    double halfwidth; /* (ci_hi - ci_lo) / 2 / est; NaN without CI */
};

/* Checks a rule's values: CB_EUSAGE with a message naming the option
 * (--min-samples, --max-samples, --target-ci, --max-time, -r) and what is
 * accepted. A target needs room for CB_CI_MIN_SAMPLES clean samples. */
int cb_stop_rule_check(const struct cb_stop_rule *r, struct cb_error *e);

/* Decides after a sample whether a configuration stops, and why.
 * clean[0..nclean) the samples its statistics use, ntaken >= nclean every
 * sample taken, elapsed_s the sweep's time so far. Precedence: exact; then
 * nothing before min_samples clean ones (unless max_samples is reached);
 * then target-ci, max-samples, max-time. st may be NULL. */
enum cb_stop cb_stop_check(const struct cb_stop_rule *r, const double *clean,
                           size_t nclean, size_t ntaken, double elapsed_s,
                           struct cb_stop_status *st);

/* How a rule samples, in words, as the console, the Markdown export and
 * the report say it: "5 samples", "6-20 samples to a 2% CI", "6-20
 * samples", with ", the sweep within 60 s" under a time budget. */
void cb_stop_rule_describe(const struct cb_stop_rule *r, char *buf,
                           size_t len);

/* "exact", "target-ci", "max-samples", "max-time"; NULL for CONTINUE. */
const char *cb_stop_name(enum cb_stop s);

#endif
