/* Scaling laws on measured speedups (stats.h): the Karp-Flatt metric and
 * the least-squares Amdahl fit of a serial fraction, each NaN with its
 * reason where the data is no serial fraction. Pure functions, as stats.c. */
#include "stats.h"

#include <math.h>
#include <stddef.h>

/* A fitted or measured serial fraction within this of [0, 1] is rounding
 * (a speedup of exactly 1 or exactly p), not an anomaly. */
#define CB__FRACTION_EPS 1e-9

/* f when it is a serial fraction (clamped onto [0, 1] within rounding),
 * else NaN with the reason. */
static double fraction_or_nan(double f, const char **why)
{
    if (f > 1 + CB__FRACTION_EPS) {
        *why = "slower than serial";
        return NAN;
    }
    if (f < -CB__FRACTION_EPS) {
        *why = "faster than linear";
        return NAN;
    }
    return f < 0 ? 0 : f > 1 ? 1 : f;
}

double cb_karp_flatt(double speedup, int p, const char **why)
{
    const char *dummy;
    double ip;

    if (!why)
        why = &dummy;
    *why = NULL;
    if (p <= 1) {
        *why = "one worker";
        return NAN;
    }
    if (!(speedup > 0) || !isfinite(speedup)) {
        *why = "no speedup";
        return NAN;
    }
    ip = 1.0 / p;
    return fraction_or_nan((1.0 / speedup - ip) / (1.0 - ip), why);
}

/* Amdahl's law is linear in the serial fraction after substituting
 * x = 1/p, y = 1/S:  y - x = f (1 - x). So f is a least-squares slope
 * through the origin on the 1/S scale (which weights the points by time,
 * not by speedup). f is not clamped to [0, 1]: outside it the model does
 * not describe the data (slower than serial, or superlinear), and the
 * caller gets NaN and that reason instead of a number that reads like a
 * fraction (issue 9: "gil 1.072", "process-pool c=1 8338.639"). */
int cb_amdahl_fit(const int *p, const double *s, size_t n, double *f,
                  double *f_se, const char **why)
{
    double sww = 0, swz = 0, rss = 0, raw;
    size_t m = 0;
    const char *dummy;

    if (!why)
        why = &dummy;
    *why = NULL;
    *f = *f_se = NAN;
    for (size_t i = 0; i < n; i++) {
        double x, w;
        /* the law starts at (1, 1): a one-worker point far from it pays a
         * cost the law has no term for (process-pool at 0.47x), and a
         * curve drawn from (1, 1) would misstate it */
        if (p[i] == 1 && s[i] > 0 && isfinite(s[i]) &&
            fabs(s[i] - 1) > CB_AMDAHL_MISS) {
            *why = "one worker is not the baseline's speed";
            return -1;
        }
        if (p[i] <= 1 || !(s[i] > 0) || !isfinite(s[i]))
            continue;
        x = 1.0 / p[i];
        w = 1 - x;
        sww += w * w;
        swz += w * (1.0 / s[i] - x);
        m++;
    }
    if (m == 0) {
        *why = "no point with more than one worker";
        return -1;
    }
    raw = swz / sww;
    *f = fraction_or_nan(raw, why);
    if (isnan(*f))
        return -1;
    /* a fraction that misses a measured point by more than the tolerance
     * does not describe the data (a curve that bends another way) */
    for (size_t i = 0; i < n; i++) {
        double pred;
        if (p[i] <= 1 || !(s[i] > 0) || !isfinite(s[i]))
            continue;
        pred = 1.0 / (*f + (1 - *f) / p[i]);
        if (fabs(pred / s[i] - 1) > CB_AMDAHL_MISS) {
            *f = NAN;
            *why = "it misses a measured point by more than 10%";
            return -1;
        }
    }
    if (m < 2)
        return 0;
    for (size_t i = 0; i < n; i++) {
        double x, r;
        if (p[i] <= 1 || !(s[i] > 0) || !isfinite(s[i]))
            continue;
        x = 1.0 / p[i];
        r = (1.0 / s[i] - x) - raw * (1 - x);
        rss += r * r;
    }
    /* One parameter, so m - 1 degrees of freedom. */
    *f_se = sqrt(rss / (double)(m - 1) / sww);
    return 0;
}
