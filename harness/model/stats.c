/* Statistics on samples of seconds. See stats.h for the contracts.
 *
 * Everything here is a pure function of its arguments: no I/O, no global
 * state. Scratch memory comes from malloc (or a small stack buffer); if an
 * allocation fails the affected result is NaN rather than an error code,
 * because every caller already has to treat NaN as "not available". */
#include "stats.h"

#include "common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Samples up to this size are sorted in a stack buffer: a summary of a few
 * dozen repetitions should not need the heap. */
#define CB__STACK_N 64

/* qsort comparator with a total order: NaN sorts after every number, so
 * qsort never sees an inconsistent comparison (which would be undefined
 * behaviour) and a NaN in the input is visible as the last element. */
static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    if (a < b)
        return -1;
    if (a > b)
        return 1;
    return isnan(a) - isnan(b);
}

/* Median of an already sorted array; NaN if it holds a NaN (sorted last). */
static double sorted_median(const double *v, size_t n)
{
    if (n == 0 || isnan(v[n - 1]))
        return NAN;
    if (n % 2)
        return v[n / 2];
    /* a + (b - a) / 2 rather than (a + b) / 2: exact when a == b and no
     * overflow for huge values. */
    return v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

/* Sorts v in place and returns its median. */
static double median_inplace(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return sorted_median(v, n);
}

/* Linear interpolation between order statistics (Hyndman & Fan type 7, the
 * default of R and numpy) of a sorted array, q in [0, 1]. */
static double sorted_quantile(const double *v, size_t n, double q)
{
    double h = q * (double)(n - 1);
    size_t i = (size_t)floor(h);
    if (i >= n - 1)
        return v[n - 1];
    /* a + t (b - a): exact when a == b, so constant data gives a
     * degenerate interval, not one a rounding error wide. */
    return v[i] + (h - (double)i) * (v[i + 1] - v[i]);
}

/* Unbiased draw from [0, n), n >= 1: rejects the values at the bottom of
 * the 2^64 range that would make some residues more likely than others. */
static size_t draw_index(uint64_t *state, size_t n)
{
    uint64_t bound = (uint64_t)n;
    uint64_t threshold = (0 - bound) % bound; /* 2^64 mod n */
    uint64_t r;
    do
        r = cb_splitmix64(state);
    while (r < threshold);
    return (size_t)(r % bound);
}

/* The resamples of one sample, for the bootstrap. A resample's median is
 * an order statistic of the resample, found here by selection rather than
 * a sort per round (issue 11: compare took 18 s on 10,000 samples per
 * configuration): x is sorted once, each original index knows its rank,
 * and a round counts how often each rank is drawn, then walks the counts to
 * the middle. O(n) per round, no comparisons, and exactly the value a sort
 * of the same resample gives (the draws are the same, in the same order). */
struct boot {
    size_t n;
    double *sorted;  /* x in ascending order */
    uint32_t *rank;  /* rank[i]: position of x[i] in sorted */
    uint32_t *count; /* per round: draws of each rank */
};

struct boot_item {
    double v;
    uint32_t i;
};

static int cmp_boot_item(const void *pa, const void *pb)
{
    const struct boot_item *a = pa, *b = pb;
    int c = cmp_double(&a->v, &b->v);
    return c ? c : (a->i > b->i) - (a->i < b->i);
}

static void boot_free(struct boot *b)
{
    free(b->sorted);
    free(b->rank);
    free(b->count);
}

/* x holds no NaN (callers check); 1 <= n < 2^32. -1 without memory. */
static int boot_init(struct boot *b, const double *x, size_t n)
{
    struct boot_item *it = malloc(n * sizeof *it);
    b->n = n;
    b->sorted = malloc(n * sizeof *b->sorted);
    b->rank = malloc(n * sizeof *b->rank);
    b->count = malloc(n * sizeof *b->count);
    if (!it || !b->sorted || !b->rank || !b->count || n > UINT32_MAX) {
        free(it);
        boot_free(b);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        it[i] = (struct boot_item){x[i], (uint32_t)i};
    qsort(it, n, sizeof *it, cmp_boot_item);
    for (size_t r = 0; r < n; r++) {
        b->sorted[r] = it[r].v;
        b->rank[it[r].i] = (uint32_t)r;
    }
    free(it);
    return 0;
}

/* The q-quantile (type 7, as sorted_quantile) of one resample (with
 * replacement): n draws, as sorting the resample would see them. */
static double boot_quantile(struct boot *b, uint64_t *state, double q)
{
    double h = q * (double)(b->n - 1), lo, hi;
    size_t n = b->n, lo_k = (size_t)floor(h), hi_k, cum = 0, j = 0;
    hi_k = lo_k + 1 < n ? lo_k + 1 : lo_k;
    memset(b->count, 0, n * sizeof *b->count);
    for (size_t i = 0; i < n; i++)
        b->count[b->rank[draw_index(state, n)]]++;
    /* the k-th smallest (0-based) is sorted[j] for the first j whose
     * running count passes k */
    while ((cum += b->count[j]) <= lo_k)
        j++;
    lo = b->sorted[j];
    while (cum <= hi_k && j + 1 < n)
        cum += b->count[++j];
    hi = b->sorted[j];
    /* a + t (b - a): exact when lo == hi */
    return lo + (h - (double)lo_k) * (hi - lo);
}

static int has_nan(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i]))
            return 1;
    return 0;
}

double cb_median(const double *x, size_t n)
{
    double stackbuf[CB__STACK_N];
    double *v;
    double m;

    if (n == 0)
        return NAN;
    v = n <= CB__STACK_N ? stackbuf : malloc(n * sizeof *v);
    if (!v)
        return NAN;
    memcpy(v, x, n * sizeof *v);
    m = median_inplace(v, n);
    if (v != stackbuf)
        free(v);
    return m;
}

double cb_mad(const double *x, size_t n)
{
    double stackbuf[CB__STACK_N];
    double *v;
    double med, mad;

    if (n == 0)
        return NAN;
    med = cb_median(x, n);
    if (isnan(med))
        return NAN;
    v = n <= CB__STACK_N ? stackbuf : malloc(n * sizeof *v);
    if (!v)
        return NAN;
    for (size_t i = 0; i < n; i++)
        v[i] = fabs(x[i] - med);
    mad = median_inplace(v, n);
    if (v != stackbuf)
        free(v);
    return mad;
}

int cb_outliers(const double *x, size_t n, unsigned char *flags)
{
    double med, mad;
    int count = 0;

    if (flags && n)
        memset(flags, 0, n);
    if (n == 0)
        return 0;
    med = cb_median(x, n);
    mad = cb_mad(x, n);
    if (isnan(med) || isnan(mad))
        return 0;
    /* The floor (stats.h): a MAD below 1% of the median is an artefact of
     * few or identical samples, not a measured spread. */
    if (mad < CB_OUTLIER_MAD_FLOOR * fabs(med))
        mad = CB_OUTLIER_MAD_FLOOR * fabs(med);
    for (size_t i = 0; i < n; i++) {
        int out;
        if (mad == 0) {
            /* The median is 0 and more than half the samples are too: the
             * z-score is undefined, and anything off that value is
             * suspect. */
            out = x[i] != med;
        } else {
            out = fabs(0.6745 * (x[i] - med) / mad) > 3.5;
        }
        if (out) {
            count++;
            if (flags)
                flags[i] = 1;
        }
    }
    return count;
}

double cb_quantile(const double *x, size_t n, double q)
{
    double stackbuf[CB__STACK_N];
    double *v, r;

    if (n == 0 || !(q >= 0 && q <= 1))
        return NAN;
    v = n <= CB__STACK_N ? stackbuf : malloc(n * sizeof *v);
    if (!v)
        return NAN;
    memcpy(v, x, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_double);
    r = isnan(v[n - 1]) ? NAN : sorted_quantile(v, n, q);
    if (v != stackbuf)
        free(v);
    return r;
}

double cb_estimate(const double *x, size_t n)
{
    return cb_quantile(x, n, CB_ESTIMATOR_Q);
}

void cb_bootstrap_quantile_ci(const double *x, size_t n, double q,
                              double level, uint64_t seed, int rounds,
                              double *lo, double *hi)
{
    struct boot b;
    double *meds;
    uint64_t state = seed;
    double alpha;

    *lo = *hi = NAN;
    if (n == 0 || rounds < 1 || !(level > 0 && level < 1) ||
        !(q >= 0 && q <= 1) || has_nan(x, n))
        return;
    if (n == 1) {
        /* Every resample is the one value. */
        *lo = *hi = x[0];
        return;
    }
    meds = malloc((size_t)rounds * sizeof *meds);
    if (!meds || boot_init(&b, x, n) != 0) {
        free(meds);
        return;
    }
    for (int r = 0; r < rounds; r++)
        meds[r] = boot_quantile(&b, &state, q);
    qsort(meds, (size_t)rounds, sizeof *meds, cmp_double);
    alpha = (1 - level) / 2;
    *lo = sorted_quantile(meds, (size_t)rounds, alpha);
    *hi = sorted_quantile(meds, (size_t)rounds, 1 - alpha);
    boot_free(&b);
    free(meds);
}

void cb_bootstrap_median_ci(const double *x, size_t n, double level,
                            uint64_t seed, int rounds, double *lo, double *hi)
{
    cb_bootstrap_quantile_ci(x, n, 0.5, level, seed, rounds, lo, hi);
}

void cb_bootstrap_estimate_ci(const double *x, size_t n, double level,
                              uint64_t seed, int rounds, double *lo,
                              double *hi)
{
    cb_bootstrap_quantile_ci(x, n, CB_ESTIMATOR_Q, level, seed, rounds, lo,
                             hi);
}

void cb_ratio_quantile_ci(const double *num, size_t nn, const double *den,
                          size_t nd, double q, double level, uint64_t seed,
                          int rounds, double *est, double *lo, double *hi)
{
    struct boot bn, bd;
    double *ratios;
    uint64_t state = seed;
    double alpha;

    *est = *lo = *hi = NAN;
    if (nn == 0 || nd == 0 || has_nan(num, nn) || has_nan(den, nd))
        return;
    *est = cb_quantile(num, nn, q) / cb_quantile(den, nd, q);
    if (!isfinite(*est))
        *est = NAN;
    if (isnan(*est) || rounds < 1 || !(level > 0 && level < 1))
        return;
    ratios = malloc((size_t)rounds * sizeof *ratios);
    if (!ratios)
        return;
    if (boot_init(&bn, num, nn) != 0) {
        free(ratios);
        return;
    }
    if (boot_init(&bd, den, nd) != 0) {
        boot_free(&bn);
        free(ratios);
        return;
    }
    for (int r = 0; r < rounds; r++) {
        /* One stream, numerator first: the sequence depends only on seed
         * and sizes, so the interval is reproducible. */
        double a = boot_quantile(&bn, &state, q);
        double b = boot_quantile(&bd, &state, q);
        ratios[r] = a / b;
        if (!isfinite(ratios[r]))
            goto out; /* a resample's denominator is 0: no CI */
    }
    qsort(ratios, (size_t)rounds, sizeof *ratios, cmp_double);
    alpha = (1 - level) / 2;
    *lo = sorted_quantile(ratios, (size_t)rounds, alpha);
    *hi = sorted_quantile(ratios, (size_t)rounds, 1 - alpha);
out:
    boot_free(&bn);
    boot_free(&bd);
    free(ratios);
}

void cb_ratio_ci(const double *num, size_t nn, const double *den, size_t nd,
                 double level, uint64_t seed, int rounds, double *est,
                 double *lo, double *hi)
{
    cb_ratio_quantile_ci(num, nn, den, nd, 0.5, level, seed, rounds, est, lo,
                         hi);
}

void cb_ratio_estimate_ci(const double *num, size_t nn, const double *den,
                          size_t nd, double level, uint64_t seed, int rounds,
                          double *est, double *lo, double *hi)
{
    cb_ratio_quantile_ci(num, nn, den, nd, CB_ESTIMATOR_Q, level, seed,
                         rounds, est, lo, hi);
}

void cb_summarize_point(const double *x, size_t n, struct cb_summary *s)
{
    double stackbuf[CB__STACK_N];
    double *v;
    double sum = 0, ss = 0;

    s->n = n;
    s->est = s->median = s->mean = s->min = s->max = NAN;
    s->stddev = s->mad = s->cv = s->ci_lo = s->ci_hi = NAN;
    s->est_lo = s->est_hi = NAN;
    s->outliers = 0;
    if (n == 0)
        return;

    v = n <= CB__STACK_N ? stackbuf : malloc(n * sizeof *v);
    if (!v)
        return;
    memcpy(v, x, n * sizeof *v);
    s->median = median_inplace(v, n);
    s->est = isnan(v[n - 1]) ? NAN : sorted_quantile(v, n, CB_ESTIMATOR_Q);
    /* Sorted with NaN last, so a NaN sample makes max (and median) NaN. */
    s->min = isnan(v[n - 1]) ? NAN : v[0];
    s->max = v[n - 1];
    if (v != stackbuf)
        free(v);

    for (size_t i = 0; i < n; i++)
        sum += x[i];
    s->mean = sum / (double)n;
    if (n >= 2) {
        /* Two passes: sum of squares about the mean does not cancel the
         * way sum(x^2) - n mean^2 does for timings with a large offset. */
        for (size_t i = 0; i < n; i++)
            ss += (x[i] - s->mean) * (x[i] - s->mean);
        s->stddev = sqrt(ss / (double)(n - 1));
        s->cv = s->mean != 0 ? s->stddev / s->mean : NAN;
    }
    s->mad = cb_mad(x, n);
    s->outliers = cb_outliers(x, n, NULL);
}

void cb_summarize(const double *x, size_t n, struct cb_summary *s)
{
    cb_summarize_point(x, n, s);
    cb_bootstrap_median_ci(x, n, 0.95, CB_BOOTSTRAP_SEED, CB_BOOTSTRAP_ROUNDS,
                           &s->ci_lo, &s->ci_hi);
    cb_bootstrap_estimate_ci(x, n, 0.95, CB_BOOTSTRAP_SEED,
                             CB_BOOTSTRAP_ROUNDS, &s->est_lo, &s->est_hi);
}

struct mw_item {
    double v;
    int from_a;
};

static int cmp_mw_item(const void *pa, const void *pb)
{
    const struct mw_item *a = pa, *b = pb;
    return cmp_double(&a->v, &b->v);
}

/* P(U <= u) under H0 for sample sizes na, nb without ties. Walks the pooled
 * ranks 1..N in order; cnt[j][k] counts the arrangements of the first i
 * ranks with j of them from a and U-so-far k. Placing rank i in a adds the
 * number of b ranks below it, (i - 1 - j). Counts reach C(40, 20) ~ 1.4e11,
 * exact in a double. */
static double mw_exact_cdf(size_t na, size_t nb, double u)
{
    size_t umax = na * nb, N = na + nb;
    size_t w = umax + 1;
    double *cnt = calloc((na + 1) * w, sizeof *cnt);
    double below = 0, total = 0;

    if (!cnt)
        return NAN;
    cnt[0] = 1;
    for (size_t i = 1; i <= N; i++) {
        /* j descending so cnt[j] still holds the previous step when it
         * feeds cnt[j + 1] (0/1 knapsack order). */
        size_t jmax = i - 1 < na ? i - 1 : na - 1;
        for (size_t jj = jmax + 1; jj-- > 0;) {
            size_t shift = i - 1 - jj;
            double *from = cnt + jj * w, *to = cnt + (jj + 1) * w;
            if (shift > umax)
                continue; /* more b below than nb: no complete path */
            for (size_t k = umax - shift + 1; k-- > 0;)
                to[k + shift] += from[k];
        }
    }
    for (size_t k = 0; k <= umax; k++) {
        double c = cnt[na * w + k];
        total += c;
        if ((double)k <= u)
            below += c;
    }
    free(cnt);
    return below / total;
}

void cb_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                     double *u, double *p)
{
    size_t N = na + nb;
    struct mw_item *it;
    double ra = 0, tie_sum = 0;
    int ties = 0;

    *u = *p = NAN;
    if (na == 0 || nb == 0 || has_nan(a, na) || has_nan(b, nb))
        return;
    it = malloc(N * sizeof *it);
    if (!it)
        return;
    for (size_t i = 0; i < na; i++)
        it[i] = (struct mw_item){a[i], 1};
    for (size_t i = 0; i < nb; i++)
        it[na + i] = (struct mw_item){b[i], 0};
    qsort(it, N, sizeof *it, cmp_mw_item);

    /* Mid-ranks: a run of t equal values at 0-based positions i..j-1 all
     * get the rank (i + 1 + j) / 2. */
    for (size_t i = 0; i < N;) {
        size_t j = i + 1;
        double rank, t;
        while (j < N && it[j].v == it[i].v)
            j++;
        rank = (double)(i + 1 + j) / 2;
        for (size_t k = i; k < j; k++)
            if (it[k].from_a)
                ra += rank;
        t = (double)(j - i);
        if (j - i > 1) {
            ties = 1;
            tie_sum += t * t * t - t;
        }
        i = j;
    }
    free(it);

    *u = ra - (double)na * (double)(na + 1) / 2;

    if (na <= 20 && nb <= 20 && !ties) {
        double dna = (double)na, dnb = (double)nb;
        double le = mw_exact_cdf(na, nb, *u);
        /* The null distribution is symmetric: P(U >= u) = P(U <= nanb-u). */
        double ge = mw_exact_cdf(na, nb, dna * dnb - *u);
        double pp = 2 * (le < ge ? le : ge);
        *p = pp < 1 ? pp : 1;
    } else {
        double dn = (double)N, dna = (double)na, dnb = (double)nb;
        double mu = dna * dnb / 2;
        double var = dna * dnb / 12 * ((dn + 1) - tie_sum / (dn * (dn - 1)));
        double d = fabs(*u - mu) - 0.5;
        if (!(var > 0)) {
            /* Every value tied: no evidence of any difference. */
            *p = 1;
            return;
        }
        if (d < 0)
            d = 0;
        /* Two-sided normal tail: 2 (1 - Phi(z)) = erfc(z / sqrt 2). */
        *p = erfc(d / sqrt(var) / sqrt(2.0));
        if (*p > 1)
            *p = 1;
    }
}

double cb_geomean(const double *x, size_t n)
{
    double s = 0;

    if (n == 0)
        return NAN;
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] > 0))
            return NAN;
        /* Sum of logs: a product of many timings under- or overflows. */
        s += log(x[i]);
    }
    return exp(s / (double)n);
}

void cb_shuffle(size_t *idx, size_t n, uint64_t seed)
{
    uint64_t state = seed;

    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = draw_index(&state, i);
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

double cb_summary_half_width(const struct cb_summary *s)
{
    return s->est > 0 && isfinite(s->est_lo) && isfinite(s->est_hi)
               ? (s->est_hi - s->est_lo) / 2 / s->est
               : NAN;
}
