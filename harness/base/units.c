/* Numbers for people: see units.h. */
#include "units.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* v scaled into [1, 1000) by the prefixes in `pre` (each 1000x the last,
 * pre[base] meaning 10^0), three significant digits, then the unit. */
static void si(double v, const char *const *pre, int npre, int base,
               const char *unit, char *buf, size_t len)
{
    int i = base;
    double x;
    if (!isfinite(v)) {
        snprintf(buf, len, "-");
        return;
    }
    x = fabs(v);
    while (x > 0 && x < 0.9995 && i > 0)
        x *= 1000, i--;
    while (x >= 999.5 && i + 1 < npre)
        x /= 1000, i++;
    snprintf(buf, len, x >= 99.95 ? "%s%.0f %s%s" : x >= 9.995 ? "%s%.1f %s%s"
                                                                : "%s%.2f %s%s",
             v < 0 ? "-" : "", x, pre[i], unit);
}

void cb_fmt_time(double s, char *buf, size_t len)
{
    static const char *const pre[] = {"n", "u", "m", ""};
    si(s, pre, 4, 3, "s", buf, len);
}

void cb_fmt_bytes(double b, char *buf, size_t len)
{
    static const char *const pre[] = {"", "k", "M", "G", "T", "P"};
    if (isfinite(b) && fabs(b) < 999.5)
        snprintf(buf, len, "%.0f B", b);
    else
        si(b, pre, 6, 0, "B", buf, len);
}

void cb_fmt_rate(double bps, char *buf, size_t len)
{
    static const char *const pre[] = {"", "k", "M", "G", "T", "P"};
    si(bps, pre, 6, 0, "B/s", buf, len);
}

void cb_fmt_ratio(double x, char *buf, size_t len)
{
    if (!isfinite(x))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, fabs(x) >= 99.95 ? "%.0fx" : fabs(x) >= 9.995
                                                           ? "%.1fx"
                                                           : "%.2fx", x);
}
