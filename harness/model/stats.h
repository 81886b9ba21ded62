/* Statistics on samples of seconds. Pure functions, no I/O.
 * Invalid results are NaN; the JSON writer turns NaN into null. */
#ifndef CB_STATS_H
#define CB_STATS_H

#include <stddef.h>
#include <stdint.h>

#define CB_BOOTSTRAP_SEED 0x636f726562656e63ULL /* "corebenc" */
#define CB_BOOTSTRAP_ROUNDS 2000

/* The estimator of a configuration's time: which figure of its samples
 * the table, the speedups, their intervals and `compare` use (issue 15).
 * On a deterministic CPU-bound map interference only ever slows a sample
 * (another process on the CPU, the hypervisor's steal, an SMT neighbour,
 * a frequency drop), never speeds it up, so the noise is one-sided and a
 * low quantile of the samples is what a quiet machine would have shown.
 * The minimum is the extreme of that idea (BenchmarkTools.jl; Chen &
 * Revels 2016) but rests on one sample and has no useful interval (its
 * bootstrap cannot go below the smallest sample); the median (pyperf,
 * criterion, hyperfine) moves with how much of the run was disturbed.
 * The choice was measured on this project's development VM
 * (scripts/estimators.py; README, "Which time a configuration gets"):
 * the quantile CB_ESTIMATOR_Q of the samples the statistics use, by
 * linear interpolation between order statistics (type 7, as R and
 * numpy). */
#define CB_ESTIMATOR_Q 0.25
#define CB_ESTIMATOR_NAME "p25"
#define CB_ESTIMATOR_WHAT "25th percentile"

struct cb_summary {
    size_t n;
    double est; /* the estimator: CB_ESTIMATOR_Q quantile */
    double median, mean, min, max;
    double stddev;       /* sample standard deviation (n-1), NaN for n < 2 */
    double mad;          /* median absolute deviation (raw, unscaled) */
    double cv;           /* stddev / mean, NaN for n < 2 */
    double ci_lo, ci_hi; /* bootstrap 95% CI of the median (percentile) */
    double est_lo, est_hi; /* bootstrap 95% CI of est (percentile): the
                              table's +-ci%, the stop rule's target */
    int outliers;        /* count by cb_outliers() */
};

/* The estimator's 95% interval half-width as a share of it (the table's
 * +-ci%, the stop rule's target); NaN without an interval. */
double cb_summary_half_width(const struct cb_summary *s);

/* x is not modified. n == 0 gives all NaN and counts 0. */
void cb_summarize(const double *x, size_t n, struct cb_summary *s);
/* cb_summarize without the bootstrap: ci_lo and ci_hi are NaN. For a
 * reader that prints no interval of its own (compare's ratio has one). */
void cb_summarize_point(const double *x, size_t n, struct cb_summary *s);

double cb_median(const double *x, size_t n);
/* The q-quantile (0 <= q <= 1), type 7; NaN for n == 0, a NaN in x or q
 * out of range. x is not modified. */
double cb_quantile(const double *x, size_t n, double q);
/* The estimator: cb_quantile(x, n, CB_ESTIMATOR_Q). */
double cb_estimate(const double *x, size_t n);
double cb_mad(const double *x, size_t n);
/* Modified z-score (Iglewicz & Hoaglin): 0.6745 * (x - median) / MAD',
 * flags[i] = 1 where |z| > 3.5, with the MAD floored at
 * CB_OUTLIER_MAD_FLOOR x |median| (MAD' = max(MAD, floor)). Without the
 * floor a handful of nearly equal samples has a MAD of almost nothing and
 * any deviation at all is "an outlier" (3 samples of a stable
 * configuration, one 2.7% off: z = 17). The floor is the spread a stable
 * configuration shows anyway on a shared machine (about 1% run to run on
 * the 2-core development VM), so a sample is flagged only when it is both
 * unusual for its sample (z > 3.5) and more than 3.5 / 0.6745 x 1% = 5.2%
 * off the median: the same scale as the `unstable` warning (CV > 5%).
 * Returns the count. flags may be NULL. */
#define CB_OUTLIER_MAD_FLOOR 0.01
int cb_outliers(const double *x, size_t n, unsigned char *flags);

/* Percentile-bootstrap CI (level e.g. 0.95) of median(x). Deterministic:
 * the same seed and data give the same interval. */
void cb_bootstrap_median_ci(const double *x, size_t n, double level,
                            uint64_t seed, int rounds, double *lo,
                            double *hi);

/* The same for the q-quantile, and for the estimator (CB_ESTIMATOR_Q). */
void cb_bootstrap_quantile_ci(const double *x, size_t n, double q,
                              double level, uint64_t seed, int rounds,
                              double *lo, double *hi);
void cb_bootstrap_estimate_ci(const double *x, size_t n, double level,
                              uint64_t seed, int rounds, double *lo,
                              double *hi);

/* Ratio median(num) / median(den) with a percentile-bootstrap CI,
 * resampling both independently. */
void cb_ratio_ci(const double *num, size_t nn, const double *den, size_t nd,
                 double level, uint64_t seed, int rounds, double *est,
                 double *lo, double *hi);
/* The same for the q-quantile, and for the estimator: speedup =
 * cb_ratio_estimate_ci(baseline, configuration), compare's ratio =
 * (new, base). */
void cb_ratio_quantile_ci(const double *num, size_t nn, const double *den,
                          size_t nd, double q, double level, uint64_t seed,
                          int rounds, double *est, double *lo, double *hi);
void cb_ratio_estimate_ci(const double *num, size_t nn, const double *den,
                          size_t nd, double level, uint64_t seed, int rounds,
                          double *est, double *lo, double *hi);

/* Karp-Flatt experimentally determined serial fraction:
 * (1/S - 1/p) / (1 - 1/p), a fraction in [0, 1]. Where it is not one the
 * result is NaN and *why (if why is non-NULL) says why, else *why is NULL:
 *   S < 1      "slower than serial"  (the formula would give > 1)
 *   S > p      "faster than linear"  (superlinear: it would give < 0)
 *   p <= 1     "one worker"
 *   S not > 0  "no speedup"          (NaN, 0, negative) */
double cb_karp_flatt(double speedup, int p, const char **why);

/* Least-squares fit of Amdahl's law S(p) = 1 / (f + (1 - f) / p) over
 * points (p[i], s[i]); gives f and its standard error (NaN when fewer than
 * two points with p > 1). A fitted f outside [0, 1] is no serial fraction:
 * f and f_se are NaN and *why says "slower than serial" (f > 1) or
 * "faster than linear" (f < 0); "no point with more than one worker" when
 * there is nothing to fit. The law describes the data only where it
 * meets them: a one-worker point more than CB_AMDAHL_MISS from 1 ("one
 * worker is not the baseline's speed": a fixed cost, such as a pool's
 * round trips, that the law has no term for), or a fit whose speedup is
 * more than CB_AMDAHL_MISS from any measured point ("it misses a measured
 * point by more than 10%"), gives NaN too, and the figures draw no curve.
 * *why is NULL when f is a number. why may be NULL. Returns 0 when f is a
 * number, -1 otherwise. */
#define CB_AMDAHL_MISS 0.10
int cb_amdahl_fit(const int *p, const double *s, size_t n, double *f,
                  double *f_se, const char **why);

/* Two-sided Mann-Whitney U test. u = U of sample a. p-value exact for
 * na, nb <= 20 without ties, else normal approximation with tie and
 * continuity correction. */
void cb_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                     double *u, double *p);

double cb_geomean(const double *x, size_t n); /* NaN if any x <= 0 */

/* Deterministic permutation of 0..n-1 (Fisher-Yates with splitmix64). */
void cb_shuffle(size_t *idx, size_t n, uint64_t seed);

#endif
