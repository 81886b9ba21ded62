/* harness/model/stats.c's bootstrap intervals (cb_bootstrap_median_ci,
 * cb_ratio_ci, and at other quantiles cb_bootstrap_quantile_ci,
 * cb_ratio_quantile_ci) against a reference that sorts every resample and finds the
 * quantiles of the medians by ranking (split from test_stats.c). Exits
 * nonzero on any failure; the last line is "N passed, M failed". */
#include "common.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_num.h"

/* What stats.c did before it selected instead of sorting (issue 11): draw
 * with the same unbiased rejection, sort each resample, take its median;
 * then the quantiles of the medians by ranking (ref_quantile, checked
 * against R's values below), not by the sorted indexing stats.c uses.
 * The fast path must give bit-identical intervals. */
static size_t ref_draw(uint64_t *state, size_t n)
{
    uint64_t bound = (uint64_t)n, threshold = (0 - bound) % bound, r;
    do
        r = cb_splitmix64(state);
    while (r < threshold);
    return (size_t)(r % bound);
}

static int ref_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

static double ref_resample_median(const double *x, size_t n, double *buf,
                                  uint64_t *state)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = x[ref_draw(state, n)];
    qsort(buf, n, sizeof *buf, ref_cmp);
    return n % 2 ? buf[n / 2]
                 : buf[n / 2 - 1] + (buf[n / 2] - buf[n / 2 - 1]) / 2;
}

/* The k-th smallest of v (0-based), found by ranking rather than by
 * indexing a sorted copy: the value with fewer than k + 1 values below it
 * and at least k + 1 at or below it (ties included). v need not be sorted. */
static double ref_order_stat(const double *v, size_t n, size_t k)
{
    for (size_t i = 0; i < n; i++) {
        size_t below = 0, upto = 0;
        for (size_t j = 0; j < n; j++) {
            below += v[j] < v[i];
            upto += v[j] <= v[i];
        }
        if (below <= k && k < upto)
            return v[i];
    }
    return NAN; /* not reached for k < n */
}

/* Hyndman & Fan's type 7 quantile from its definition: with h = (n - 1) q,
 * Q = x(floor h) + (h - floor h) (x(floor h + 1) - x(floor h)), x(k) the
 * k-th order statistic (0-based), Q = x(n - 1) at the top. */
static double ref_quantile(const double *v, size_t n, double q)
{
    double h = q * (double)(n - 1), fl = floor(h);
    double lo = ref_order_stat(v, n, (size_t)fl);
    if (fl >= (double)(n - 1))
        return lo;
    return lo + (h - fl) * (ref_order_stat(v, n, (size_t)fl + 1) - lo);
}

/* The reference against values R's quantile(type = 7) and numpy's
 * percentile print, so it is not just the code under test restated. */
static void test_ref_quantile(void)
{
    static const double five[] = {50, 10, 40, 20, 30}; /* unsorted */
    static const double ties[] = {3, 1, 2, 2};
    OK(ref_quantile(five, 5, 0.0) == 10);
    OK(fabs(ref_quantile(five, 5, 0.1) - 14) < 1e-12);
    OK(ref_quantile(five, 5, 0.25) == 20);
    OK(ref_quantile(five, 5, 0.5) == 30);
    OK(fabs(ref_quantile(five, 5, 0.9) - 46) < 1e-12);
    OK(ref_quantile(five, 5, 1.0) == 50);
    OK(ref_quantile(ties, 4, 0.5) == 2);
    OK(fabs(ref_quantile(ties, 4, 0.1) - 1.3) < 1e-12);
    OK(fabs(ref_quantile(ties, 4, 0.9) - 2.7) < 1e-12);
}

static void ref_ratio_ci(const double *num, size_t nn, const double *den,
                         size_t nd, uint64_t seed, int rounds, double *lo,
                         double *hi)
{
    double *buf = malloc((nn > nd ? nn : nd) * sizeof *buf);
    double *r = malloc((size_t)rounds * sizeof *r);
    uint64_t state = seed;
    for (int i = 0; i < rounds; i++) {
        double a = ref_resample_median(num, nn, buf, &state);
        r[i] = a / ref_resample_median(den, nd, buf, &state);
    }
    *lo = ref_quantile(r, (size_t)rounds, (1 - 0.95) / 2);
    *hi = ref_quantile(r, (size_t)rounds, 1 - (1 - 0.95) / 2);
    free(buf);
    free(r);
}

static void test_bootstrap_reference(void)
{
    static const size_t sizes[] = {2, 3, 4, 5, 6, 7, 8, 11, 16, 31, 64, 65,
                                   100, 257, 1000};
    int mismatches = 0, cases = 0;
    uint64_t st = 99;

    for (size_t si = 0; si < N_OF(sizes); si++) {
        size_t n = sizes[si];
        double *x = malloc(n * sizeof *x), *y = malloc((n + 3) * sizeof *y);
        /* kind 0: distinct values; 1: heavy ties (8 levels); 2: all equal
         * but one; 3: descending (a sorted input must not matter) */
        for (int kind = 0; kind < 4; kind++) {
            double lo, hi, rlo, rhi, buf_lo, buf_hi, est;
            for (size_t i = 0; i < n; i++) {
                uint64_t r = cb_splitmix64(&st);
                x[i] = kind == 0   ? 1.0 + (double)(r >> 11) * 0x1p-53
                       : kind == 1 ? 1.0 + (double)(r % 8) / 8
                       : kind == 2 ? (i == n / 3 ? 2.0 : 1.0)
                                   : (double)(n - i);
            }
            for (size_t i = 0; i < n + 3; i++)
                y[i] = 0.5 + (double)(cb_splitmix64(&st) % 16) / 32;
            cb_bootstrap_median_ci(x, n, 0.95, 11 + n, 500, &lo, &hi);
            {
                /* the reference of cb_bootstrap_median_ci: rounds medians */
                double *buf = malloc(n * sizeof *buf), *m = malloc(500 * sizeof *m);
                uint64_t state = 11 + n;
                for (int r = 0; r < 500; r++)
                    m[r] = ref_resample_median(x, n, buf, &state);
                rlo = ref_quantile(m, 500, (1 - 0.95) / 2);
                rhi = ref_quantile(m, 500, 1 - (1 - 0.95) / 2);
                free(buf);
                free(m);
            }
            cases++;
            if (lo != rlo || hi != rhi) {
                mismatches++;
                CHECK(0, "bootstrap n=%zu kind %d: [%.17g, %.17g], the sort "
                      "reference gives [%.17g, %.17g]", n, kind, lo, hi, rlo,
                      rhi);
            }
            cb_ratio_ci(x, n, y, n + 3, 0.95, 5 + n, 300, &est, &buf_lo,
                        &buf_hi);
            ref_ratio_ci(x, n, y, n + 3, 5 + n, 300, &rlo, &rhi);
            cases++;
            if (buf_lo != rlo || buf_hi != rhi) {
                mismatches++;
                CHECK(0, "ratio n=%zu kind %d: [%.17g, %.17g], the sort "
                      "reference gives [%.17g, %.17g]", n, kind, buf_lo,
                      buf_hi, rlo, rhi);
            }
        }
        free(x);
        free(y);
    }
    CHECK(mismatches == 0 && cases == 4 * 2 * (int)N_OF(sizes),
          "%d of %d bootstrap cases differ from the sort reference",
          mismatches, cases);
}

/* cb_bootstrap_quantile_ci and cb_ratio_quantile_ci against the sort
 * reference at other quantiles than the median: each resample sorted, its
 * type-7 q-quantile taken. Bit-identical, as for the median. */
static double ref_resample_quantile(const double *x, size_t n, double q,
                                    double *buf, uint64_t *state)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = x[ref_draw(state, n)];
    qsort(buf, n, sizeof *buf, ref_cmp);
    return ref_quantile(buf, n, q);
}

static void test_quantile_bootstrap_reference(void)
{
    static const size_t sizes[] = {2, 3, 5, 6, 7, 10, 20, 33, 100};
    static const double qs[] = {0, 0.1, 0.25, 0.5, 0.9, 1};
    int mismatches = 0, cases = 0;
    uint64_t st = 7;
    for (size_t si = 0; si < N_OF(sizes); si++)
        for (size_t qi = 0; qi < N_OF(qs); qi++) {
            size_t n = sizes[si];
            double q = qs[qi], lo, hi, rlo, rhi, est, sorted[100], x[100],
                   y[100], buf[100], m[400];
            uint64_t state = 3 + n;
            for (size_t i = 0; i < n; i++) {
                x[i] = 1 + (double)(cb_splitmix64(&st) % 64) / 64;
                y[i] = 2 + (double)(cb_splitmix64(&st) >> 11) * 0x1p-53;
            }
            memcpy(sorted, x, n * sizeof *x);
            qsort(sorted, n, sizeof *sorted, ref_cmp);
            NEAR(cb_quantile(x, n, q), ref_quantile(sorted, n, q), 0);
            cb_bootstrap_quantile_ci(x, n, q, 0.95, 3 + n, 400, &lo, &hi);
            for (int r = 0; r < 400; r++)
                m[r] = ref_resample_quantile(x, n, q, buf, &state);
            qsort(m, 400, sizeof *m, ref_cmp);
            rlo = ref_quantile(m, 400, (1 - 0.95) / 2);
            rhi = ref_quantile(m, 400, 1 - (1 - 0.95) / 2);
            cases++;
            if (lo != rlo || hi != rhi) {
                mismatches++;
                CHECK(0, "quantile %g bootstrap n=%zu: [%.17g, %.17g], the "
                      "sort reference gives [%.17g, %.17g]", q, n, lo, hi,
                      rlo, rhi);
            }
            cb_ratio_quantile_ci(x, n, y, n, q, 0.95, 9, 400, &est, &lo,
                                 &hi);
            state = 9;
            for (int r = 0; r < 400; r++) {
                double a = ref_resample_quantile(x, n, q, buf, &state);
                m[r] = a / ref_resample_quantile(y, n, q, buf, &state);
            }
            qsort(m, 400, sizeof *m, ref_cmp);
            cases++;
            if (lo != ref_quantile(m, 400, (1 - 0.95) / 2) ||
                hi != ref_quantile(m, 400, 1 - (1 - 0.95) / 2)) {
                mismatches++;
                CHECK(0, "quantile %g ratio n=%zu differs from the sort "
                      "reference", q, n);
            }
        }
    CHECK(mismatches == 0 && cases == 2 * (int)(N_OF(sizes) * N_OF(qs)),
          "%d of %d quantile bootstrap cases differ from the sort reference",
          mismatches, cases);
    /* type 7 by hand: {1, 2, 3, 4}, q 0.25: h = 0.75, 1 + 0.75 (2 - 1) */
    {
        double v[] = {4, 2, 3, 1};
        NEAR(cb_quantile(v, 4, 0.25), 1.75, 0);
        NEAR(cb_quantile(v, 4, 0), 1, 0);
        NEAR(cb_quantile(v, 4, 1), 4, 0);
        IS_NAN(cb_quantile(v, 0, 0.5));
        IS_NAN(cb_quantile(v, 4, 1.5));
        NEAR(cb_estimate(v, 4), cb_quantile(v, 4, CB_ESTIMATOR_Q), 0);
    }
}

int main(void)
{
    test_ref_quantile();
    test_bootstrap_reference();
    test_quantile_bootstrap_reference();
    return check_finish();
}
