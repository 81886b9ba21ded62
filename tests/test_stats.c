/* Unit tests for harness/model/stats.c.
 *
 * Reference values are computed by hand (shown next to each check) or, for
 * the Mann-Whitney p-values, from the exact null distribution by brute-force
 * enumeration of rank subsets (done here in the test, independently of the
 * DP in stats.c) or from the textbook normal approximation (the formula
 * scipy.stats.mannwhitneyu(method="asymptotic") uses), evaluated with
 * Python's math.erfc and also re-derived here from pair counts.
 *
 * Exits nonzero on any failure; the last line is "N passed, M failed". */
#include "common.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_num.h"

static const double TOL = 1e-12;

static void test_median_mean_spread(void)
{
    double odd[] = {3, 1, 2};
    double even[] = {4, 1, 3, 2};
    double x[] = {5, 1, 4, 2, 3};
    double copy[N_OF(x)];
    struct cb_summary s;

    NEAR(cb_median(odd, 3), 2, 0);
    NEAR(cb_median(even, 4), 2.5, 0); /* (2 + 3) / 2 */
    IS_NAN(cb_median(odd, 0));
    IS_NAN(cb_mad(odd, 0));

    /* {1..5}: mean 3; squared deviations 4+1+0+1+4 = 10, s = sqrt(10/4);
     * |x - 3| = {2,1,0,1,2} -> MAD 1; CV = sqrt(2.5) / 3. */
    memcpy(copy, x, sizeof x);
    cb_summarize(x, N_OF(x), &s);
    OK(memcmp(copy, x, sizeof x) == 0); /* input untouched */
    OK(s.n == 5);
    NEAR(s.median, 3, 0);
    NEAR(s.mean, 3, TOL);
    NEAR(s.min, 1, 0);
    NEAR(s.max, 5, 0);
    NEAR(s.stddev, sqrt(2.5), TOL);
    NEAR(s.mad, 1, 0);
    NEAR(s.cv, sqrt(2.5) / 3, TOL);
    OK(s.outliers == 0); /* largest |z| = 0.6745 * 2 / 1 = 1.35 */
    OK(s.ci_lo <= s.median && s.median <= s.ci_hi);
    OK(s.ci_lo >= 1 && s.ci_hi <= 5);

    /* {2,4,4,4,5,5,7,9}: mean 5, sum of squares 32, s = sqrt(32/7);
     * median (4+5)/2 = 4.5; |x - 4.5| sorted = .5 .5 .5 .5 .5 2.5 2.5 4.5
     * -> MAD .5; z(9) = 0.6745 * 4.5 / .5 = 6.07 (outlier),
     * z(2) = z(7) = 0.6745 * 2.5 / .5 = 3.37 (not). */
    {
        double y[] = {2, 4, 4, 4, 5, 5, 7, 9};
        unsigned char fl[N_OF(y)];
        cb_summarize(y, N_OF(y), &s);
        NEAR(s.mean, 5, TOL);
        NEAR(s.stddev, sqrt(32.0 / 7), TOL);
        NEAR(s.cv, sqrt(32.0 / 7) / 5, TOL);
        NEAR(s.median, 4.5, 0);
        NEAR(s.mad, 0.5, 0);
        OK(s.outliers == 1);
        OK(cb_outliers(y, N_OF(y), fl) == 1);
        OK(fl[7] == 1 && fl[0] == 0 && fl[6] == 0);
    }
}

static void test_small_n(void)
{
    double one[] = {0.25};
    double two[] = {3, 1};
    struct cb_summary s;

    memset(&s, 0x55, sizeof s);
    cb_summarize(one, 0, &s);
    OK(s.n == 0 && s.outliers == 0);
    IS_NAN(s.median);
    IS_NAN(s.mean);
    IS_NAN(s.min);
    IS_NAN(s.max);
    IS_NAN(s.stddev);
    IS_NAN(s.mad);
    IS_NAN(s.cv);
    IS_NAN(s.ci_lo);
    IS_NAN(s.ci_hi);

    cb_summarize(one, 1, &s);
    OK(s.n == 1 && s.outliers == 0);
    NEAR(s.median, 0.25, 0);
    NEAR(s.mean, 0.25, 0);
    NEAR(s.min, 0.25, 0);
    NEAR(s.max, 0.25, 0);
    IS_NAN(s.stddev);
    IS_NAN(s.cv);
    NEAR(s.mad, 0, 0);
    NEAR(s.ci_lo, 0.25, 0);
    NEAR(s.ci_hi, 0.25, 0);

    /* {1,3}: median = mean = 2, s = sqrt(2), MAD 1, CV sqrt(2)/2. A
     * resample's median is 1, 2 or 3 with probability 1/4, 1/2, 1/4, so
     * with 2000 rounds the 2.5% and 97.5% points are 1 and 3. */
    cb_summarize(two, 2, &s);
    OK(s.n == 2 && s.outliers == 0);
    NEAR(s.median, 2, 0);
    NEAR(s.mean, 2, 0);
    NEAR(s.min, 1, 0);
    NEAR(s.max, 3, 0);
    NEAR(s.stddev, sqrt(2.0), TOL);
    NEAR(s.mad, 1, 0);
    NEAR(s.cv, sqrt(2.0) / 2, TOL);
    NEAR(s.ci_lo, 1, 0);
    NEAR(s.ci_hi, 3, 0);
}

static void test_identical(void)
{
    double x[] = {5, 5, 5, 5, 5, 5};
    unsigned char fl[N_OF(x)];
    struct cb_summary s;

    cb_summarize(x, N_OF(x), &s);
    NEAR(s.median, 5, 0);
    NEAR(s.mad, 0, 0);
    NEAR(s.stddev, 0, 0);
    NEAR(s.cv, 0, 0);
    OK(s.outliers == 0);
    NEAR(s.ci_lo, 5, 0);
    NEAR(s.ci_hi, 5, 0);
    OK(cb_outliers(x, N_OF(x), fl) == 0);
    OK(cb_outliers(x, N_OF(x), NULL) == 0);

    /* MAD 0 but one value off the median: flagged. */
    {
        double y[] = {5, 5, 5, 5, 6};
        unsigned char f2[N_OF(y)];
        OK(cb_mad(y, N_OF(y)) == 0);
        OK(cb_outliers(y, N_OF(y), f2) == 1);
        OK(f2[4] == 1 && f2[0] == 0);
    }
}

/* The MAD floor (CB_OUTLIER_MAD_FLOOR, 1% of the median): a stable
 * configuration's few samples are not outliers for a deviation of a few
 * percent, however small their MAD. */
static void test_outlier_floor(void)
{
    unsigned char fl[5];
    struct cb_summary s;

    /* Issue 9: 3 samples, one 2.7% off. MAD = 0.001 (|dev| = .001, 0,
     * .026), so unfloored z = 0.6745 * .026 / .001 = 17.5: "an outlier".
     * Floored MAD = .01 * 1.001: z = 0.6745 * .026 / .01001 = 1.75. */
    {
        double x[] = {1.000, 1.001, 1.027};
        OK(cb_mad(x, 3) < 0.0011);
        OK(cb_outliers(x, 3, fl) == 0);
        OK(fl[0] + fl[1] + fl[2] == 0);
        cb_summarize(x, 3, &s);
        OK(s.outliers == 0);
    }
    /* The floor's edge: 3.5 / 0.6745 * 1% = 5.19% off the median. MAD is
     * 0 here (four identical samples), so the floor decides alone:
     * 5% -> z = 0.6745 * .05 / .01 = 3.37 (kept), 6% -> 4.05 (flagged). */
    {
        double five[] = {1, 1, 1, 1, 1.05};
        double six[] = {1, 1, 1, 1, 1.06};
        double neg[] = {-1, -1, -1, -1, -1.06}; /* scale from |median| */
        OK(cb_outliers(five, 5, fl) == 0);
        OK(cb_outliers(six, 5, fl) == 1 && fl[4] == 1 && fl[0] == 0);
        OK(cb_outliers(neg, 5, fl) == 1 && fl[4] == 1);
    }
    /* A wide sample has a MAD above the floor: the floor changes nothing
     * (median 100, MAD 10 >> 1, z(200) = 0.6745 * 100 / 10 = 6.7). */
    {
        double x[] = {90, 95, 100, 105, 110, 200};
        OK(cb_outliers(x, 6, NULL) == 1);
    }
    /* A median of 0 gives no floor: identical zeros, one off, flagged */
    {
        double x[] = {0, 0, 0, 1e-9};
        OK(cb_outliers(x, 4, fl) == 1 && fl[3] == 1);
    }
}

static void test_outlier(void)
{
    /* median 12.5; |x - 12.5| sorted = .5 .5 1.5 1.5 2.5 87.5 -> MAD 1.5;
     * z(100) = 0.6745 * 87.5 / 1.5 = 39.3, z(10) = 1.12. */
    double x[] = {10, 11, 12, 13, 14, 100};
    unsigned char fl[N_OF(x)];
    struct cb_summary s;

    cb_summarize(x, N_OF(x), &s);
    OK(s.n == 6); /* flagged, not dropped */
    OK(s.outliers == 1);
    NEAR(s.median, 12.5, 0);
    NEAR(s.mad, 1.5, 0);
    NEAR(s.max, 100, 0);
    NEAR(s.mean, 160.0 / 6, TOL); /* the outlier still counts */
    OK(cb_outliers(x, N_OF(x), fl) == 1);
    OK(fl[5] == 1);
    OK(fl[0] + fl[1] + fl[2] + fl[3] + fl[4] == 0);
}

/* More samples than the stack buffer in stats.c holds: the heap path.
 * x = 0..200: median 100, mean 100, |x - 100| = 0..100 twice -> MAD 50,
 * s^2 = 2 * sum_{k=1}^{100} k^2 / 200 = 3383.5. */
static void test_large(void)
{
    static double x[201];
    struct cb_summary s;

    for (int i = 0; i < 201; i++)
        x[200 - i] = i; /* descending: sorting has work to do */
    cb_summarize(x, 201, &s);
    NEAR(s.median, 100, 0);
    NEAR(s.mean, 100, TOL);
    NEAR(s.mad, 50, 0);
    NEAR(s.stddev, sqrt(3383.5), 1e-9);
    NEAR(s.min, 0, 0);
    NEAR(s.max, 200, 0);
    OK(s.outliers == 0);
    NEAR(s.est, cb_quantile(x, 201, CB_ESTIMATOR_Q), 0);
    NEAR(cb_quantile(x, 201, 0.25), 50, 0); /* h = 0.25 * 200 */
    OK(s.est_lo < s.est && s.est < s.est_hi); /* the estimator's interval */
    OK(s.ci_lo < 100 && 100 < s.ci_hi);       /* the median's */
    NEAR(cb_median(x, 200), 100.5, 0); /* x[0..199] = 200..1 */
}

static void test_bootstrap(void)
{
    double x[25];
    uint64_t st = 42;
    double lo1, hi1, lo2, hi2, med;
    int differs = 0;

    for (size_t i = 0; i < N_OF(x); i++)
        x[i] = 1.0 + (double)(cb_splitmix64(&st) >> 11) * 0x1p-53;
    med = cb_median(x, N_OF(x));

    cb_bootstrap_median_ci(x, N_OF(x), 0.95, 7, 2000, &lo1, &hi1);
    cb_bootstrap_median_ci(x, N_OF(x), 0.95, 7, 2000, &lo2, &hi2);
    OK(lo1 == lo2 && hi1 == hi2); /* same seed: bit-identical */
    OK(lo1 <= hi1);
    OK(lo1 <= med && med <= hi1);
    OK(lo1 >= 1 && hi1 < 2);

    /* A narrower level gives a nested interval (same resamples). */
    cb_bootstrap_median_ci(x, N_OF(x), 0.5, 7, 2000, &lo2, &hi2);
    OK(lo1 <= lo2 && hi2 <= hi1);

    for (uint64_t seed = 8; seed < 16; seed++) {
        cb_bootstrap_median_ci(x, N_OF(x), 0.95, seed, 2000, &lo2, &hi2);
        OK(lo2 <= med && med <= hi2);
        differs |= lo2 != lo1 || hi2 != hi1;
    }
    OK(differs);

    /* Invalid arguments give NaN. */
    cb_bootstrap_median_ci(x, 0, 0.95, 7, 2000, &lo2, &hi2);
    IS_NAN(lo2);
    IS_NAN(hi2);
    cb_bootstrap_median_ci(x, N_OF(x), 1.5, 7, 2000, &lo2, &hi2);
    IS_NAN(lo2);
    cb_bootstrap_median_ci(x, N_OF(x), 0.95, 7, 0, &lo2, &hi2);
    IS_NAN(lo2);
    cb_bootstrap_median_ci(x, 1, 0.95, 7, 2000, &lo2, &hi2);
    OK(lo2 == x[0] && hi2 == x[0]);
}

static void test_ratio(void)
{
    double num[] = {2, 2, 2};
    double den[] = {0.5, 0.5, 0.5, 0.5};
    double serial[] = {4.0, 4.1, 3.9, 4.2, 4.0};
    double par[] = {1.0, 1.05, 0.95, 1.1, 1.0, 0.98};
    double est, lo, hi, est2, lo2, hi2;

    /* Constant samples: every resample ratio is exactly 2 / 0.5. */
    cb_ratio_ci(num, 3, den, 4, 0.95, CB_BOOTSTRAP_SEED, 2000, &est, &lo, &hi);
    OK(est == 4 && lo == 4 && hi == 4);

    /* median(serial) = 4.0, median(par) = (1.0 + 1.0) / 2 = 1.0 */
    cb_ratio_ci(serial, 5, par, 6, 0.95, 3, 2000, &est, &lo, &hi);
    NEAR(est, 4.0, TOL);
    OK(lo <= est && est <= hi);
    OK(lo >= 3.9 / 1.1 && hi <= 4.2 / 0.95);
    cb_ratio_ci(serial, 5, par, 6, 0.95, 3, 2000, &est2, &lo2, &hi2);
    OK(est == est2 && lo == lo2 && hi == hi2);

    cb_ratio_ci(serial, 0, par, 6, 0.95, 3, 2000, &est, &lo, &hi);
    IS_NAN(est);
    IS_NAN(lo);
    IS_NAN(hi);
}

/* got == want: both NULL, or equal strings */
static void check_why(const char *got, const char *want, int line)
{
    int ok = got && want ? strcmp(got, want) == 0 : got == want;
    CHECK_AT(line, ok, "reason '%s', want '%s'", got ? got : "(null)",
             want ? want : "(null)");
}
#define WHY(got, want) check_why((got), (want), __LINE__)

static void test_karp_flatt(void)
{
    const char *why = "stale";
    /* (1/1.8 - 1/2) / (1 - 1/2) = (5/9 - 1/2) * 2 = 1/9 */
    NEAR(cb_karp_flatt(1.8, 2, &why), 1.0 / 9, TOL);
    WHY(why, NULL); /* a number: no reason, stale one cleared */
    /* (1/3 - 1/4) / (3/4) = (1/12) * (4/3) = 1/9 */
    NEAR(cb_karp_flatt(3.0, 4, NULL), 1.0 / 9, TOL);
    NEAR(cb_karp_flatt(8.0, 8, &why), 0, TOL); /* linear speedup */
    WHY(why, NULL);
    NEAR(cb_karp_flatt(1.0, 8, &why), 1, TOL); /* no speedup at all: 1 */
    WHY(why, NULL);
    /* the edges themselves are fractions, not rounding errors: exactly 0
     * and 1, never -1e-17 */
    OK(cb_karp_flatt(2.0, 2, NULL) == 0);
    OK(cb_karp_flatt(1.0, 3, NULL) == 1);

    /* Outside [0, 1]: NaN and the reason. The gil at 2 workers,
     * 0.97x: (1/0.97 - 1/2) * 2 = 1.062, no fraction. */
    IS_NAN(cb_karp_flatt(0.97, 2, &why));
    WHY(why, "slower than serial");
    /* process-pool c=1 at 1.2e-4x: the formula gives 8332 */
    IS_NAN(cb_karp_flatt(1.2e-4, 2, &why));
    WHY(why, "slower than serial");
    /* superlinear, 2.1x on 2 workers: (1/2.1 - 1/2) * 2 = -0.048 */
    IS_NAN(cb_karp_flatt(2.1, 2, &why));
    WHY(why, "faster than linear");

    IS_NAN(cb_karp_flatt(1.5, 1, &why));
    WHY(why, "one worker");
    IS_NAN(cb_karp_flatt(0, 4, &why));
    WHY(why, "no speedup");
    IS_NAN(cb_karp_flatt(-2, 4, &why));
    WHY(why, "no speedup");
    IS_NAN(cb_karp_flatt(NAN, 4, &why));
    WHY(why, "no speedup");
}

static void test_amdahl(void)
{
    int p[] = {1, 2, 4, 8, 16};
    double s[N_OF(p)];
    double f, se;

    /* Exact Amdahl speedups for f = 0.1; the p = 1 point is ignored. */
    for (size_t i = 0; i < N_OF(p); i++)
        s[i] = 1.0 / (0.1 + 0.9 / p[i]);
    const char *why = "stale";
    OK(cb_amdahl_fit(p, s, N_OF(p), &f, &se, &why) == 0);
    NEAR(f, 0.1, 1e-12);
    NEAR(se, 0, 1e-12);
    WHY(why, NULL);

    /* Noisy points: (2, 1.8), (4, 3.2). w = 1 - 1/p, z = 1/S - 1/p:
     * w = .5, .75; z = 1/18, 1/16. f = (.5/18 + .75/16) / (.25 + .5625)
     * = 0.0918803418803419; residuals r = z - f w, se = sqrt(sum r^2 /
     * (2 - 1) / .8125) = 0.0128205128205128 (evaluated in Python). */
    {
        int p2[] = {2, 4};
        double s2[] = {1.8, 3.2};
        OK(cb_amdahl_fit(p2, s2, 2, &f, &se, NULL) == 0);
        NEAR(f, 0.091880341880341901, 1e-12);
        NEAR(se, 0.012820512820512846, 1e-12);
    }

    /* One usable point: f is its Karp-Flatt value, no standard error. */
    {
        int p3[] = {1, 2};
        double s3[] = {1.0, 1.8};
        OK(cb_amdahl_fit(p3, s3, 2, &f, &se, NULL) == 0);
        NEAR(f, 1.0 / 9, TOL);
        IS_NAN(se);
    }

    /* No usable points. */
    {
        int p4[] = {1, 1};
        double s4[] = {1.0, 1.0};
        OK(cb_amdahl_fit(p4, s4, 2, &f, &se, &why) == -1);
        IS_NAN(f);
        IS_NAN(se);
        WHY(why, "no point with more than one worker");
        OK(cb_amdahl_fit(p4, s4, 0, &f, &se, NULL) == -1);
    }

    /* Slower than serial at every count (the gil): w = 1 - 1/p = .5, .75;
     * z = 1/S - 1/p = 1/0.95 - .5, 1/0.9 - .25; f = (.5 z1 + .75 z2) /
     * .8125 = 1.0736 > 1: no fraction, NaN with the reason, se too. */
    {
        int p5[] = {1, 2, 4};
        double s5[] = {1.0, 0.95, 0.9};
        OK(cb_amdahl_fit(p5, s5, 3, &f, &se, &why) == -1);
        IS_NAN(f);
        IS_NAN(se);
        WHY(why, "slower than serial");
    }
    /* Superlinear (cache effects): 2.2x on 2, 4.5x on 4 -> f < 0 */
    {
        int p6[] = {2, 4};
        double s6[] = {2.2, 4.5};
        OK(cb_amdahl_fit(p6, s6, 2, &f, &se, &why) == -1);
        IS_NAN(f);
        WHY(why, "faster than linear");
    }
    /* A one-worker point at 0.47x (process-pool paying a round trip per
     * task): the law starts at (1, 1), so no fit, whatever the rest */
    {
        int p8[] = {1, 2};
        double s8[] = {0.47, 1.8};
        OK(cb_amdahl_fit(p8, s8, 2, &f, &se, &why) == -1);
        IS_NAN(f);
        WHY(why, "one worker is not the baseline's speed");
        /* within 10% of 1 it is the baseline's speed */
        s8[0] = 0.92;
        OK(cb_amdahl_fit(p8, s8, 2, &f, &se, &why) == 0);
    }
    /* A curve that bends the other way: 1.9x on 2, 2.0x on 8 (z = 1/S -
     * 1/p: .0263, .375; w = .5, .875; f = (.5 z1 + .875 z2) / (.25 +
     * .765625) = 0.336), which predicts 1.50x at 2: 21% off */
    {
        int p9[] = {2, 8};
        double s9[] = {1.9, 2.0};
        OK(cb_amdahl_fit(p9, s9, 2, &f, &se, &why) == -1);
        IS_NAN(f);
        IS_NAN(se);
        WHY(why, "it misses a measured point by more than 10%");
    }
    /* Exactly linear is f = 0 within rounding: a number, not "faster" */
    {
        int p7[] = {2, 3, 7};
        double s7[] = {2, 3, 7};
        OK(cb_amdahl_fit(p7, s7, 3, &f, &se, &why) == 0);
        OK(f == 0);
        WHY(why, NULL);
    }
}

/* Exact two-sided p by enumerating every way to place na ranks among
 * 1..na+nb (bitmask), independent of the DP in stats.c. */
static double brute_exact_p(int na, int nb, double u)
{
    int N = na + nb;
    double le = 0, ge = 0, tot = 0, p;

    for (unsigned m = 0; m < (1u << N); m++) {
        int cnt = 0, rs = 0;
        double uu;
        for (int i = 0; i < N; i++)
            if (m >> i & 1) {
                cnt++;
                rs += i + 1;
            }
        if (cnt != na)
            continue;
        uu = rs - na * (na + 1) / 2.0;
        tot++;
        le += uu <= u;
        ge += uu >= u;
    }
    p = 2 * (le < ge ? le : ge) / tot;
    return p < 1 ? p : 1;
}

/* U by counting pairs (a > b counts 1, a == b counts 1/2) and the normal
 * approximation with tie and continuity correction, written out directly. */
static void naive_mw_normal(const double *a, int na, const double *b, int nb,
                            double *u, double *p)
{
    int N = na + nb;
    double all[64], ts = 0, mu, var, z;

    *u = 0;
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++)
            *u += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
    for (int i = 0; i < na; i++)
        all[i] = a[i];
    for (int j = 0; j < nb; j++)
        all[na + j] = b[j];
    /* tie group sizes: count each distinct value once */
    for (int i = 0; i < N; i++) {
        int t = 0, first = 1;
        for (int k = 0; k < N; k++) {
            if (all[k] == all[i]) {
                t++;
                if (k < i)
                    first = 0;
            }
        }
        if (first)
            ts += (double)t * t * t - t;
    }
    mu = na * nb / 2.0;
    var = na * nb / 12.0 * ((N + 1) - ts / ((double)N * (N - 1)));
    z = (fabs(*u - mu) - 0.5) / sqrt(var);
    *p = 2 * 0.5 * erfc(z / sqrt(2.0));
    if (*p > 1)
        *p = 1;
}

static void test_mann_whitney(void)
{
    double u, p, u2, p2;

    /* Complete separation, na = nb = 5: U = 0, P(U <= 0) = 1 / C(10,5),
     * two-sided p = 2/252 = 0.00794 (any Mann-Whitney table). */
    {
        double a[] = {1, 2, 3, 4, 5}, b[] = {6, 7, 8, 9, 10};
        cb_mann_whitney(a, 5, b, 5, &u, &p);
        NEAR(u, 0, 0);
        NEAR(p, 2.0 / 252, 1e-15);
        cb_mann_whitney(b, 5, a, 5, &u2, &p2);
        NEAR(u2, 25, 0);
        NEAR(p2, 2.0 / 252, 1e-15);
    }
    /* na = nb = 5: the 5% two-sided critical value of U is 2 (table).
     * Number of rank subsets with U = 0,1,2,3: 1,1,2,3, so
     * U = 2 -> p = 2 * 4/252 = 0.0317, U = 3 -> p = 2 * 7/252 = 0.0556. */
    {
        double a[] = {1, 2, 3, 4, 7}, b[] = {5, 6, 8, 9, 10};
        double c[] = {1, 2, 3, 5, 7}, d[] = {4, 6, 8, 9, 10};
        cb_mann_whitney(a, 5, b, 5, &u, &p);
        NEAR(u, 2, 0);
        NEAR(p, 8.0 / 252, 1e-15);
        cb_mann_whitney(c, 5, d, 5, &u, &p);
        NEAR(u, 3, 0);
        NEAR(p, 14.0 / 252, 1e-15);
    }
    /* na = 3, nb = 4: C(7,3) = 35 subsets; U = 0 -> 2/35, U = 1 -> 4/35. */
    {
        double a[] = {0.1, 0.2, 0.4}, b[] = {0.3, 0.5, 0.6, 0.7};
        cb_mann_whitney(a, 3, b, 4, &u, &p);
        NEAR(u, 1, 0);
        NEAR(p, 4.0 / 35, 1e-15);
        cb_mann_whitney(b, 4, a, 3, &u2, &p2);
        NEAR(u + u2, 12, 0);
        NEAR(p2, p, 1e-15);
    }
    /* Every placement of 4 a-ranks among 10 against brute force. */
    {
        int bad = 0;
        for (unsigned m = 0; m < (1u << 10); m++) {
            double a[10], b[10];
            int na = 0, nb = 0;
            for (int i = 0; i < 10; i++) {
                if (m >> i & 1)
                    a[na++] = i + 1;
                else
                    b[nb++] = i + 1;
            }
            if (na != 4)
                continue;
            cb_mann_whitney(a, 4, b, 6, &u, &p);
            bad += fabs(p - brute_exact_p(4, 6, u)) > 1e-14;
        }
        OK(bad == 0);
    }
    /* Largest exact case, complete separation: p = 2 / C(40,20)
     * = 1.4508889103849688e-11. */
    {
        double a[20], b[20];
        for (int i = 0; i < 20; i++) {
            a[i] = i;
            b[i] = 100 + i;
        }
        cb_mann_whitney(a, 20, b, 20, &u, &p);
        NEAR(u, 0, 0);
        NEAR(p, 1.4508889103849688e-11, 1e-22);
    }

    /* Ties force the normal approximation. a = {1,2,2,3,4,5},
     * b = {2,3,3,6,7,8,9}: pooled mid-ranks 1; 2,2,2 -> 3; 3,3,3 -> 6; 4 ->
     * 8; 5 -> 9, so R_a = 1+3+3+6+8+9 = 30 and U = 30 - 21 = 9. mu = 21,
     * var = 42/12 * (14 - (24 + 24)/156) = 47.923, z = (12 - .5)/6.9226,
     * p = 0.096670543406700962 (Python math.erfc, same formula as scipy's
     * mannwhitneyu(method="asymptotic", use_continuity=True)). */
    {
        double a[] = {1, 2, 2, 3, 4, 5}, b[] = {2, 3, 3, 6, 7, 8, 9};
        double nu, np_;
        cb_mann_whitney(a, 6, b, 7, &u, &p);
        NEAR(u, 9, 0);
        NEAR(p, 0.096670543406700962, 1e-12);
        naive_mw_normal(a, 6, b, 7, &nu, &np_);
        NEAR(u, nu, 0);
        NEAR(p, np_, 1e-12);
        cb_mann_whitney(b, 7, a, 6, &u2, &p2);
        NEAR(u + u2, 42, 0);
        NEAR(p2, p, 1e-15);
    }
    /* Above 20 per sample, no ties: normal approximation, no tie term.
     * a = 2i (i < 25), b = 2i + 1.3 (i < 22): U = 297,
     * p = 0.6466783515808644 (Python). */
    {
        double a[25], b[22], nu, np_;
        for (int i = 0; i < 25; i++)
            a[i] = 2.0 * i;
        for (int i = 0; i < 22; i++)
            b[i] = 2.0 * i + 1.3;
        cb_mann_whitney(a, 25, b, 22, &u, &p);
        NEAR(u, 297, 0);
        NEAR(p, 0.6466783515808644, 1e-12);
        naive_mw_normal(a, 25, b, 22, &nu, &np_);
        NEAR(p, np_, 1e-12);
        cb_mann_whitney(b, 22, a, 25, &u2, &p2);
        NEAR(u + u2, 25 * 22, 0);
    }
    /* Identical samples: every value tied, p = 1. */
    {
        double a[] = {1, 1, 1}, b[] = {1, 1};
        cb_mann_whitney(a, 3, b, 2, &u, &p);
        NEAR(u, 3, 0);
        NEAR(p, 1, 0);
    }
    /* Interleaved with no ties: U at the mean, p = 1. */
    {
        double a[] = {1, 4, 5, 8}, b[] = {2, 3, 6, 7};
        cb_mann_whitney(a, 4, b, 4, &u, &p);
        NEAR(u, 8, 0);
        NEAR(p, 1, 1e-15);
    }
    {
        double a[] = {1};
        cb_mann_whitney(a, 1, a, 0, &u, &p);
        IS_NAN(u);
        IS_NAN(p);
    }
}

static void test_geomean(void)
{
    double a[] = {1, 4}, b[] = {2, 8, 4}, c[] = {1, 0, 3}, d[] = {2, -1};
    double big[100];

    NEAR(cb_geomean(a, 2), 2, TOL);
    NEAR(cb_geomean(b, 3), 4, TOL); /* cbrt(64) */
    IS_NAN(cb_geomean(c, 3));
    IS_NAN(cb_geomean(d, 2));
    IS_NAN(cb_geomean(a, 0));
    /* 1e300^100 overflows a product; the log form does not. */
    for (int i = 0; i < 100; i++)
        big[i] = 1e300;
    NEAR(cb_geomean(big, 100) / 1e300, 1, 1e-12);
}

static void test_shuffle(void)
{
    size_t a[50], b[50], c[50];
    int seen[50] = {0}, ok = 1, moved = 0;

    cb_shuffle(a, 50, 123);
    cb_shuffle(b, 50, 123);
    cb_shuffle(c, 50, 124);
    for (int i = 0; i < 50; i++) {
        if (a[i] >= 50 || seen[a[i]]++)
            ok = 0;
        moved += a[i] != (size_t)i;
    }
    OK(ok); /* a permutation of 0..49 */
    OK(memcmp(a, b, sizeof a) == 0);
    OK(memcmp(a, c, sizeof a) != 0);
    OK(moved > 0);

    cb_shuffle(a, 0, 1); /* no-op, must not touch memory */
    cb_shuffle(a, 1, 1);
    OK(a[0] == 0);
}

/* ---- the estimator on one-sided noise ----------------------------------- */

/* n samples of a map whose quiet time is t: clean ones within +-0.3% of
 * it, and a fraction `slow` of them (spread over the sample) disturbed,
 * 5% to 55% slower: interference only ever slows a CPU-bound map. */
static void one_sided(double *x, size_t n, double t, double slow,
                      uint64_t seed)
{
    uint64_t st = seed;
    for (size_t i = 0; i < n; i++) {
        double u = (double)(cb_splitmix64(&st) >> 11) * 0x1p-53;
        double v = (double)(cb_splitmix64(&st) >> 11) * 0x1p-53;
        x[i] = t * (1 + 0.006 * (u - 0.5));
        if ((double)((i * 7919) % n) < slow * (double)n) /* spread out */
            x[i] *= 1.05 + 0.5 * v;
    }
}

static void test_estimator_one_sided(void)
{
    static const double slow[] = {0, 0.1, 0.3, 0.5, 0.6};
    double x[20], y[20], lo, hi, est;
    for (size_t k = 0; k < N_OF(slow); k++) {
        struct cb_summary s;
        one_sided(x, 20, 0.4, slow[k], 100 + k);
        cb_summarize(x, 20, &s);
        /* the quiet time to within 1%, its interval within 2% */
        CHECK(fabs(s.est / 0.4 - 1) < 0.01, "%.0f%% slowed: estimate %g, "
              "quiet time 0.4", 100 * slow[k], s.est);
        /* up to half the samples slowed; beyond, the estimate still
         * holds but its resamples reach the slow ones: a wide interval,
         * which is the stop rule's cue to take more samples */
        CHECK(s.est_lo <= s.est && s.est <= s.est_hi &&
                  ((s.est_hi - s.est_lo) / 2 / s.est <= 0.02) ==
                      (slow[k] <= 0.5),
              "%.0f%% slowed: interval [%g, %g] around %g", 100 * slow[k],
              s.est_lo, s.est_hi, s.est);
        if (slow[k] >= 0.6) /* where the median gives up and this doesn't */
            CHECK(s.median / 0.4 - 1 > 0.05, "60%% slowed: the median %g "
                  "should be off by more than 5%%", s.median);
        /* a speedup of 1.9 between two such samples, each disturbed */
        one_sided(y, 20, 0.4 / 1.9, slow[k], 200 + k);
        cb_ratio_estimate_ci(x, 20, y, 20, 0.95, CB_BOOTSTRAP_SEED,
                             CB_BOOTSTRAP_ROUNDS, &est, &lo, &hi);
        CHECK(fabs(est / 1.9 - 1) < 0.015 && lo <= est && est <= hi &&
                  (slow[k] > 0.5 || (lo > 1.9 * 0.97 && hi < 1.9 * 1.03)),
              "%.0f%% slowed: speedup %g [%g, %g], true 1.9", 100 * slow[k],
              est, lo, hi);
    }
}

int main(void)
{
    test_median_mean_spread();
    test_small_n();
    test_identical();
    test_outlier();
    test_outlier_floor();
    test_large();
    test_bootstrap();
    test_ratio();
    test_karp_flatt();
    test_amdahl();
    test_mann_whitney();
    test_geomean();
    test_shuffle();
    test_estimator_one_sided();
    return check_finish();
}
