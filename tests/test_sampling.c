/* Unit tests for harness/model/sampling.c: the order-statistic CI of the median
 * and the adaptive stop rule on synthetic sample streams.
 *
 * The CI's order statistic k is checked against an independent brute-force
 * count (all 2^n sign patterns for small n), and the stop rule's decisions
 * against the CI recomputed here. Streams are deterministic (splitmix64),
 * so every check is reproducible. Exits nonzero on any failure; the last
 * line is "N passed, M failed". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "sampling.h"
#include "stats.h"

#include "check.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
/* The condition is the message. */
#define OK(c) CHECK((c), "%s", #c)

/* ---- the CI ------------------------------------------------------------- */

/* P(Binomial(n, 1/2) <= j) by counting subsets, for n <= 24. */
static double brute_cdf(int n, int j)
{
    unsigned long long count = 0, total = 1ULL << n;
    for (unsigned long long m = 0; m < total; m++)
        if (__builtin_popcountll(m) <= j)
            count++;
    return (double)count / (double)total;
}

/* The k the rule must pick: the largest k >= 1 with 2 P(B <= k-1) <= 0.05,
 * 0 when none. */
static int brute_k(int n)
{
    int k = 0;
    for (int c = 1; c <= (n + 1) / 2; c++)
        if (2 * brute_cdf(n, c - 1) <= 0.05)
            k = c;
    return k;
}

static void test_ci_ranks(void)
{
    /* x[i] = i + 1 (shuffled), so lo = k and hi = n + 1 - k exactly */
    for (int n = 1; n <= 24; n++) {
        double x[24], lo, hi, cov;
        uint64_t st = (uint64_t)n;
        int k = brute_k(n);
        for (int i = 0; i < n; i++)
            x[i] = i + 1;
        for (int i = n - 1; i > 0; i--) {
            int j = (int)(cb_splitmix64(&st) % (uint64_t)(i + 1));
            double t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
        int rc = cb_median_ci_order(x, (size_t)n, 0.95, &lo, &hi, &cov);
        if (k == 0) {
            CHECK(rc == -1 && isnan(lo) && isnan(hi) && isnan(cov),
                  "n=%d: no 95%% interval exists, got rc %d [%g, %g]", n, rc,
                  lo, hi);
            continue;
        }
        CHECK(rc == 0 && lo == k && hi == n + 1 - k,
              "n=%d: [x(%d), x(%d)] expected, got rc %d [%g, %g]", n, k,
              n + 1 - k, rc, lo, hi);
        CHECK(fabs(cov - (1 - 2 * brute_cdf(n, k - 1))) < 1e-9 && cov >= 0.95,
              "n=%d: coverage %.12g, want %.12g", n, cov,
              1 - 2 * brute_cdf(n, k - 1));
    }
    /* the textbook values: n = 5 has none (93.75% at best), n = 6 is
     * [min, max] at 96.875%, n = 9 [x(2), x(8)] at 96.1% */
    OK(brute_k(5) == 0 && brute_k(6) == 1 && brute_k(9) == 2);
    OK(CB_CI_MIN_SAMPLES == 6);
}

static void test_ci_misc(void)
{
    double x[200], lo, hi, cov;
    double same[] = {2, 2, 2, 2, 2, 2, 2};
    double withnan[] = {1, 2, NAN, 4, 5, 6, 7};

    /* large n (logs in the binomial): n = 200, x = 200..1; the normal
     * approximation puts k near 100.5 - 1.96 * sqrt(200) / 2 = 86.6, and
     * the exact k is 86 (Python: the largest k with 2 * sum(comb(200, j)
     * for j < k) / 2**200 <= 0.05) */
    for (int i = 0; i < 200; i++)
        x[i] = 200 - i;
    OK(cb_median_ci_order(x, 200, 0.95, &lo, &hi, &cov) == 0);
    CHECK(lo == 86 && hi == 115, "n=200: [%g, %g]", lo, hi);
    CHECK(cov >= 0.95 && cov < 0.97, "n=200 coverage %g", cov);
    OK(x[0] == 200); /* input untouched */

    OK(cb_median_ci_order(same, N_OF(same), 0.95, &lo, &hi, NULL) == 0);
    OK(lo == 2 && hi == 2);
    OK(cb_median_ci_order(withnan, N_OF(withnan), 0.95, &lo, &hi, NULL) ==
       -1);
    OK(isnan(lo) && isnan(hi));
    OK(cb_median_ci_order(same, 0, 0.95, &lo, &hi, NULL) == -1);
    OK(cb_median_ci_order(same, N_OF(same), 1.0, &lo, &hi, NULL) == -1);
    OK(cb_median_ci_order(same, N_OF(same), 0, &lo, &hi, NULL) == -1);
    /* a lower level needs fewer samples: 50% from n = 2 */
    OK(cb_median_ci_order(same, 2, 0.5, &lo, &hi, NULL) == 0);
}

/* ---- streams ------------------------------------------------------------ */

/* Uniform in [0, 1) */
static double unif(uint64_t *st)
{
    return (double)(cb_splitmix64(st) >> 11) * 0x1p-53;
}

/* Standard normal (Box-Muller) */
static double gauss(uint64_t *st)
{
    double u = unif(st), v = unif(st);
    return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * v);
}

/* The half-width the rule must see at n samples, computed here: the
 * estimator's bootstrap interval (the table's: same seed, same rounds)
 * over the estimator. */
static double halfwidth(const double *x, size_t n)
{
    double lo, hi, est = cb_estimate(x, n);
    if (n < CB_CI_MIN_SAMPLES)
        return NAN;
    cb_bootstrap_estimate_ci(x, n, 0.95, CB_BOOTSTRAP_SEED,
                             CB_BOOTSTRAP_ROUNDS, &lo, &hi);
    return hi == lo ? 0 : (hi - lo) / 2 / est;
}

/* Feeds stream x (all clean) to the rule one sample at a time, elapsed
 * time `dt` per sample; returns the count at which it stopped (0 if it
 * never did within len) and the reason. */
static size_t run_stream(const struct cb_stop_rule *r, const double *x,
                         size_t len, double dt, enum cb_stop *why)
{
    for (size_t n = 1; n <= len; n++) {
        enum cb_stop s = cb_stop_check(r, x, n, n, dt * (double)n, NULL);
        if (s != CB_STOP_CONTINUE) {
            *why = s;
            return n;
        }
    }
    *why = CB_STOP_CONTINUE;
    return 0;
}

static void test_stop_deterministic(void)
{
    struct cb_stop_rule r = {.min_samples = 8, .max_samples = 50,
                             .target_ci = 0.02};
    double x[50];
    enum cb_stop why;
    size_t n;
    for (int i = 0; i < 50; i++)
        x[i] = 0.25;
    n = run_stream(&r, x, 50, 0, &why);
    CHECK(n == 8 && why == CB_STOP_TARGET_CI,
          "constant stream: stops at min (8), got %zu (%s)", n,
          cb_stop_name(why) ? cb_stop_name(why) : "-");
    /* min below the CI's own minimum: the CI needs 6 samples first */
    r.min_samples = 3;
    n = run_stream(&r, x, 50, 0, &why);
    CHECK(n == CB_CI_MIN_SAMPLES && why == CB_STOP_TARGET_CI,
          "constant stream, min 3: stops at 6, got %zu", n);
    /* constant zeros: 0 wide, whatever the scale */
    memset(x, 0, sizeof x);
    n = run_stream(&r, x, 50, 0, &why);
    CHECK(n == 6 && why == CB_STOP_TARGET_CI, "zeros: stop at %zu", n);
}

/* A stream with CV ~3%: its CI narrows as samples come and the rule stops
 * at the first count where the half-width is at most 2%, not before, not
 * after. */
static void test_stop_at_target(void)
{
    struct cb_stop_rule r = {.min_samples = 5, .max_samples = 200,
                             .target_ci = 0.02};
    double x[200];
    uint64_t st = 2024;
    enum cb_stop why;
    struct cb_stop_status s;
    size_t n, first = 0;
    for (int i = 0; i < 200; i++)
        x[i] = 0.3 * (1 + 0.03 * gauss(&st));
    for (size_t k = 6; k <= 200 && !first; k++)
        if (halfwidth(x, k) <= 0.02)
            first = k;
    OK(first > 6 && first < 200); /* the stream is a real test */
    n = run_stream(&r, x, 200, 0, &why);
    CHECK(n == first && why == CB_STOP_TARGET_CI,
          "stops at the first n with half-width <= 2%%: want %zu, got %zu "
          "(%s)",
          first, n, cb_stop_name(why) ? cb_stop_name(why) : "-");
    /* the status explains the decision */
    OK(cb_stop_check(&r, x, n, n, 0, &s) == CB_STOP_TARGET_CI);
    CHECK(s.why == CB_STOP_TARGET_CI && s.halfwidth <= 0.02 &&
              s.ci_lo <= s.est && s.est <= s.ci_hi &&
              s.est == cb_estimate(x, n) && s.median == cb_median(x, n) &&
              fabs(s.halfwidth - (s.ci_hi - s.ci_lo) / 2 / s.est) < 1e-15,
          "status: hw %g, [%g, %g], estimate %g", s.halfwidth, s.ci_lo,
          s.ci_hi, s.est);
    OK(cb_stop_check(&r, x, n - 1, n - 1, 0, &s) == CB_STOP_CONTINUE &&
       s.halfwidth > 0.02);

    /* a looser target stops earlier, a tighter one later */
    {
        struct cb_stop_rule loose = r, tight = r;
        enum cb_stop w2;
        loose.target_ci = 0.05;
        tight.target_ci = 0.01;
        size_t nl = run_stream(&loose, x, 200, 0, &w2);
        size_t nt = run_stream(&tight, x, 200, 0, &w2);
        CHECK(nl <= n && n <= nt && nl < nt, "5%%: %zu, 2%%: %zu, 1%%: %zu",
              nl, n, nt);
    }
    /* min above the stopping point: nothing stops before min, then the
     * first count from min on where the target holds (the half-width is
     * not monotone in n) */
    r.min_samples = (int)first + 10;
    {
        size_t want = 0;
        for (size_t k = first + 10; k <= 200 && !want; k++)
            if (halfwidth(x, k) <= 0.02)
                want = k;
        n = run_stream(&r, x, 200, 0, &why);
        CHECK(want && n == want && why == CB_STOP_TARGET_CI,
              "min %d respected: stopped at %zu, want %zu", r.min_samples, n,
              want);
    }
}

/* Streams whose estimate (the 25th percentile) cannot be pinned to 2% in
 * 40 samples run to max: a wide continuous spread (uniform over +-50%),
 * and a bimodal one with one map in four in the fast mode (the quantile
 * itself flips between the modes). Where a quarter or more of the maps
 * are in the fast mode the estimate is well determined, whatever the rest
 * do, and the rule may stop early: that is what the estimator is for
 * (interference only slows a map), checked below. */
static void test_stop_noisy(void)
{
    struct cb_stop_rule r = {.min_samples = 5, .max_samples = 40,
                             .target_ci = 0.02};
    double x[40], b[40], m[40], q[40];
    uint64_t st = 9;
    enum cb_stop why;
    size_t n;
    for (int i = 0; i < 40; i++) {
        x[i] = 0.4 * (0.5 + unif(&st));
        b[i] = (i % 2 ? 0.51 : 0.27) * (1 + 0.01 * unif(&st));
        m[i] = (i % 10 == 3 ? 0.51 : 0.27) * (1 + 0.01 * unif(&st));
        q[i] = (i % 4 == 1 ? 0.27 : 0.51) * (1 + 0.01 * unif(&st));
    }
    n = run_stream(&r, x, 40, 0, &why);
    CHECK(n == 40 && why == CB_STOP_MAX_SAMPLES,
          "wide stream: runs to max (40), got %zu (%s)", n,
          cb_stop_name(why) ? cb_stop_name(why) : "-");
    /* a bimodal stream whose modes share the estimator's quantile: one
     * fast map in four (the 25th percentile flips between the modes) */
    n = run_stream(&r, q, 40, 0, &why);
    CHECK(n == 40 && why == CB_STOP_MAX_SAMPLES,
          "1-in-4 fast bimodal: runs to max (40), got %zu (%s)", n,
          cb_stop_name(why) ? cb_stop_name(why) : "-");
    /* half the maps slow (one-sided noise on every other sample): the
     * 25th percentile sits in the fast mode and is known early, where the
     * median would flip between the modes */
    n = run_stream(&r, b, 40, 0, &why);
    CHECK(n > 0 && n < 40 && why == CB_STOP_TARGET_CI,
          "50/50 bimodal: the estimate is known early, got %zu (%s)", n,
          cb_stop_name(why) ? cb_stop_name(why) : "-");
    /* 1 slow map in 10, 1% noise otherwise: the estimate sits in the fast
     * mode and the CI with it */
    n = run_stream(&r, m, 40, 0, &why);
    CHECK(n > 0 && n < 40 && why == CB_STOP_TARGET_CI,
          "10%% slow maps: the estimate is known early, got %zu (%s)", n,
          cb_stop_name(why) ? cb_stop_name(why) : "-");
    /* and never beyond it, whatever else is asked */
    OK(cb_stop_check(&r, x, 40, 40, 0, NULL) == CB_STOP_MAX_SAMPLES);
    /* max counts samples taken: 30 clean of 40 taken stops too */
    OK(cb_stop_check(&r, x, 30, 40, 0, NULL) == CB_STOP_MAX_SAMPLES);
    /* ... even when fewer clean ones than min are left */
    OK(cb_stop_check(&r, x, 2, 40, 0, NULL) == CB_STOP_MAX_SAMPLES);
    /* without a target, sampling goes to max */
    r.target_ci = 0;
    for (int i = 0; i < 40; i++)
        x[i] = 1;
    n = run_stream(&r, x, 40, 0, &why);
    CHECK(n == 40 && why == CB_STOP_MAX_SAMPLES, "no target: %zu", n);
}

/* Set-aside samples: the target is judged on the clean ones only. */
static void test_stop_clean_only(void)
{
    struct cb_stop_rule r = {.min_samples = 6, .max_samples = 30,
                             .target_ci = 0.02};
    double clean[] = {1, 1, 1, 1, 1, 1};
    /* 6 clean of 9 taken (3 interfered set aside): stops on target */
    OK(cb_stop_check(&r, clean, 6, 9, 0, NULL) == CB_STOP_TARGET_CI);
    /* 5 clean of 9: below min, and no 95% CI: continue */
    OK(cb_stop_check(&r, clean, 5, 9, 0, NULL) == CB_STOP_CONTINUE);
}

static void test_stop_time(void)
{
    struct cb_stop_rule r = {.min_samples = 6, .max_samples = 1000,
                             .target_ci = 0.001, .max_time_s = 60};
    double x[1000];
    uint64_t st = 5;
    enum cb_stop why;
    size_t n;
    for (int i = 0; i < 1000; i++)
        x[i] = 0.3 * (1 + 0.2 * unif(&st));
    /* one second per sample: the budget runs out at the 60th */
    n = run_stream(&r, x, 1000, 1.0, &why);
    CHECK(n == 60 && why == CB_STOP_MAX_TIME, "budget: stopped at %zu (%s)",
          n, cb_stop_name(why) ? cb_stop_name(why) : "-");
    /* out of time before min: min samples still come first */
    r.min_samples = 10;
    OK(cb_stop_check(&r, x, 9, 9, 120, NULL) == CB_STOP_CONTINUE);
    OK(cb_stop_check(&r, x, 10, 10, 120, NULL) == CB_STOP_MAX_TIME);
    /* a met target is the better answer when both hold */
    {
        double c[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        OK(cb_stop_check(&r, c, 10, 10, 120, NULL) == CB_STOP_TARGET_CI);
    }
    /* no budget: never max-time */
    r.max_time_s = 0;
    OK(cb_stop_check(&r, x, 10, 10, 1e9, NULL) == CB_STOP_CONTINUE);
}

/* -r N: exactly N, nothing else counts. */
static void test_stop_exact(void)
{
    struct cb_stop_rule r = {.exact = 5, .min_samples = 100,
                             .max_samples = 2, .target_ci = 0.5,
                             .max_time_s = 1};
    double x[] = {1, 1, 1, 1, 1, 1, 1};
    enum cb_stop why;
    struct cb_stop_status s;
    size_t n = run_stream(&r, x, 7, 100, &why);
    CHECK(n == 5 && why == CB_STOP_EXACT, "exact 5: %zu", n);
    OK(cb_stop_check(&r, x, 3, 5, 0, &s) == CB_STOP_EXACT && isnan(s.ci_lo));
    OK(cb_stop_check(&r, x, 4, 4, 1e9, NULL) == CB_STOP_CONTINUE);
}

static void test_names_and_check(void)
{
    struct cb_error e;
    struct cb_stop_rule ok = {.min_samples = 6, .max_samples = 30,
                              .target_ci = 0.02, .max_time_s = 180};
    struct cb_stop_rule r;
    OK(strcmp(cb_stop_name(CB_STOP_EXACT), "exact") == 0);
    OK(strcmp(cb_stop_name(CB_STOP_TARGET_CI), "target-ci") == 0);
    OK(strcmp(cb_stop_name(CB_STOP_MAX_SAMPLES), "max-samples") == 0);
    OK(strcmp(cb_stop_name(CB_STOP_MAX_TIME), "max-time") == 0);
    OK(cb_stop_name(CB_STOP_CONTINUE) == NULL);

    OK(cb_stop_rule_check(&ok, &e) == 0);
    r = ok;
    r.min_samples = 0;
    CHECK(cb_stop_rule_check(&r, &e) == CB_EUSAGE &&
              strstr(e.msg, "--min-samples 0"),
          "min 0: %s", e.msg);
    r = ok;
    r.max_samples = 5;
    CHECK(cb_stop_rule_check(&r, &e) == CB_EUSAGE &&
              strstr(e.msg, "--max-samples 5"),
          "max < min: %s", e.msg);
    r = ok;
    r.min_samples = 3;
    r.max_samples = 5;
    CHECK(cb_stop_rule_check(&r, &e) == CB_EUSAGE &&
              strstr(e.msg, "--target-ci") && strstr(e.msg, "6"),
          "target with max 5: %s", e.msg);
    r.target_ci = 0; /* no target: 5 is fine */
    OK(cb_stop_rule_check(&r, &e) == 0);
    r = ok;
    r.target_ci = 1.5;
    CHECK(cb_stop_rule_check(&r, &e) == CB_EUSAGE &&
              strstr(e.msg, "--target-ci 150%"),
          "target 150%%: %s", e.msg);
    r.target_ci = NAN;
    OK(cb_stop_rule_check(&r, &e) == CB_EUSAGE);
    r = ok;
    r.max_time_s = -1;
    CHECK(cb_stop_rule_check(&r, &e) == CB_EUSAGE &&
              strstr(e.msg, "--max-time"),
          "negative time: %s", e.msg);
    r = ok;
    r.exact = -2;
    CHECK(cb_stop_rule_check(&r, &e) == CB_EUSAGE && strstr(e.msg, "-r -2"),
          "-r -2: %s", e.msg);
    /* -r N ignores the rest, even nonsense */
    r = ok;
    r.exact = 5;
    r.min_samples = 0;
    r.max_samples = -3;
    OK(cb_stop_rule_check(&r, &e) == 0);
}

int main(void)
{
    test_ci_ranks();
    test_ci_misc();
    test_stop_deterministic();
    test_stop_at_target();
    test_stop_noisy();
    test_stop_clean_only();
    test_stop_time();
    test_stop_exact();
    test_names_and_check();
    return check_finish();
}
