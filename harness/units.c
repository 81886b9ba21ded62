/* The unit convention: see units.h. */
#include "units.h"

#include <math.h>
#include <stdio.h>

void cb_fmt_time(double t, char *buf, size_t len)
{
    if (!isfinite(t))
        snprintf(buf, len, "-");
    else if (t >= 1)
        snprintf(buf, len, "%.3f s", t);
    else if (t >= 1e-3)
        snprintf(buf, len, "%.2f ms", t * 1e3);
    else if (t >= 1e-6 || t == 0)
        snprintf(buf, len, "%.2f us", t * 1e6);
    else
        snprintf(buf, len, "%.2f ns", t * 1e9);
}

void cb_fmt_bytes(double b, char *buf, size_t len)
{
    static const char *const unit[] = {"kB", "MB", "GB", "TB"};
    int u = 0;
    if (!isfinite(b) || b < 0) {
        snprintf(buf, len, "-");
        return;
    }
    if (b < 999.5) {
        snprintf(buf, len, "%.0f B", b);
        return;
    }
    b /= 1e3;
    /* three significant digits: 999.6 kB would print as 1e+03 kB */
    while (b >= 999.5 && u < 3) {
        b /= 1e3;
        u++;
    }
    snprintf(buf, len, "%.3g %s", b, unit[u]);
}
