/* Adaptive sampling: the stop rule, and the order-statistic CI of the
 * median. See sampling.h for the contracts and the reasons. */
#include "sampling.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* Samples up to this count are sorted on the stack. */
#define SAMPLING_STACK_N 256

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* P(Binomial(n, 1/2) = i), in logs so that n in the thousands neither
 * overflows C(n, i) nor underflows 2^-n before the product is taken. */
static double binom_half_pmf(size_t n, size_t i)
{
    return exp(lgamma((double)n + 1) - lgamma((double)i + 1) -
               lgamma((double)(n - i) + 1) - (double)n * log(2.0));
}

int cb_median_ci_order(const double *x, size_t n, double level, double *lo,
                       double *hi, double *coverage)
{
    double stackbuf[SAMPLING_STACK_N], *v, tail = 0, cov = NAN;
    size_t k = 0; /* 1-based rank of the lower end; 0: none */

    *lo = *hi = NAN;
    if (coverage)
        *coverage = NAN;
    if (n == 0 || !(level > 0 && level < 1))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i]))
            return -1;
    /* Largest k with 2 P(B <= k - 1) <= 1 - level, k <= (n + 1) / 2.
     * tail holds P(B <= k - 1) for the candidate k. */
    for (size_t c = 1; c <= (n + 1) / 2; c++) {
        tail += binom_half_pmf(n, c - 1);
        if (2 * tail > 1 - level + 1e-12)
            break;
        k = c;
        cov = 1 - 2 * tail;
    }
    if (k == 0)
        return -1;
    v = n <= SAMPLING_STACK_N ? stackbuf : malloc(n * sizeof *v);
    if (!v)
        return -1;
    memcpy(v, x, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_double);
    *lo = v[k - 1];
    *hi = v[n - k];
    if (coverage)
        *coverage = cov > 1 ? 1 : cov;
    if (v != stackbuf)
        free(v);
    return 0;
}

void cb_stop_rule_describe(const struct cb_stop_rule *r, char *buf,
                           size_t len)
{
    int n;
    if (r->exact)
        n = snprintf(buf, len, "%d samples", r->exact);
    else if (r->target_ci > 0)
        n = snprintf(buf, len, "%d-%d samples to a %.3g%% CI",
                     r->min_samples, r->max_samples, 100 * r->target_ci);
    else
        n = snprintf(buf, len, "%d-%d samples", r->min_samples,
                     r->max_samples);
    if (!r->exact && r->max_time_s > 0 && n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ", the sweep within %.3g s",
                 r->max_time_s);
}

const char *cb_stop_name(enum cb_stop s)
{
    switch (s) {
    case CB_STOP_EXACT:
        return "exact";
    case CB_STOP_TARGET_CI:
        return "target-ci";
    case CB_STOP_MAX_SAMPLES:
        return "max-samples";
    case CB_STOP_MAX_TIME:
        return "max-time";
    default:
        return NULL;
    }
}

int cb_stop_rule_check(const struct cb_stop_rule *r, struct cb_error *e)
{
    if (r->exact < 0)
        return CB_FAIL(e, CB_EUSAGE, "-r %d: accepted: a count of 1 or more",
                       r->exact);
    if (r->exact > 0)
        return 0;
    if (r->min_samples < 1)
        return CB_FAIL(e, CB_EUSAGE,
                       "--min-samples %d: accepted: 1 or more", r->min_samples);
    if (r->max_samples < r->min_samples)
        return CB_FAIL(e, CB_EUSAGE,
                       "--max-samples %d is below --min-samples %d (accepted: "
                       "max >= min)",
                       r->max_samples, r->min_samples);
    if (!(r->target_ci >= 0 && r->target_ci < 1))
        return CB_FAIL(e, CB_EUSAGE,
                       "--target-ci %g%%: accepted: 0 (none) up to but not "
                       "including 100%%",
                       r->target_ci * 100);
    if (r->target_ci > 0 && r->max_samples < CB_CI_MIN_SAMPLES)
        return CB_FAIL(e, CB_EUSAGE,
                       "--target-ci needs --max-samples of at least %d (the "
                       "fewest samples an interval is judged on is %d), not "
                       "%d",
                       CB_CI_MIN_SAMPLES, CB_CI_MIN_SAMPLES, r->max_samples);
    if (!(r->max_time_s >= 0) || !isfinite(r->max_time_s))
        return CB_FAIL(e, CB_EUSAGE,
                       "--max-time %g: accepted: 0 (none) or a positive "
                       "number of seconds",
                       r->max_time_s);
    return 0;
}

enum cb_stop cb_stop_check(const struct cb_stop_rule *r, const double *clean,
                           size_t nclean, size_t ntaken, double elapsed_s,
                           struct cb_stop_status *st)
{
    struct cb_stop_status s;
    enum cb_stop why = CB_STOP_CONTINUE;
    int met = 0;

    memset(&s, 0, sizeof s);
    s.median = s.est = s.ci_lo = s.ci_hi = s.halfwidth = NAN;
    if (nclean > 0) {
        s.median = cb_median(clean, nclean);
        s.est = cb_estimate(clean, nclean);
    }
    if (r->exact <= 0 && r->target_ci > 0 && nclean >= CB_CI_MIN_SAMPLES) {
        /* the table's interval (cb_summarize): the same seed and rounds,
         * so a configuration stopped on its target shows it met */
        cb_bootstrap_estimate_ci(clean, nclean, 0.95, CB_BOOTSTRAP_SEED,
                                 CB_BOOTSTRAP_ROUNDS, &s.ci_lo, &s.ci_hi);
        if (s.ci_hi == s.ci_lo)
            s.halfwidth = 0; /* identical samples: 0 wide, any scale */
        else if (s.est > 0)
            s.halfwidth = (s.ci_hi - s.ci_lo) / 2 / s.est;
        met = s.halfwidth <= r->target_ci;
    }

    if (r->exact > 0) {
        if (ntaken >= (size_t)r->exact)
            why = CB_STOP_EXACT;
    } else if (met && nclean >= (size_t)r->min_samples) {
        why = CB_STOP_TARGET_CI;
    } else if (ntaken >= (size_t)r->max_samples) {
        why = CB_STOP_MAX_SAMPLES;
    } else if (nclean >= (size_t)r->min_samples && r->max_time_s > 0 &&
               elapsed_s >= r->max_time_s) {
        why = CB_STOP_MAX_TIME;
    }
    s.why = why;
    if (st)
        *st = s;
    return why;
}
