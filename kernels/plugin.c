/* The plug-in base of kernels/plugin.h: errors, clocks, number parsing,
 * finding data directories. Kernels, executors and the harness all call
 * these; they live with the plug-in headers so that a plug-in never calls
 * into harness/. */
#include "plugin.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cb_error_set(struct cb_error *e, int code, const char *where,
                 const char *fmt, ...)
{
    if (e) {
        va_list ap;
        e->code = code;
        snprintf(e->where, sizeof e->where, "%s", where ? where : "");
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

static double ts_seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double cb_now(void)
{
    return ts_seconds(CLOCK_MONOTONIC);
}
double cb_thread_cpu(void)
{
    return ts_seconds(CLOCK_THREAD_CPUTIME_ID);
}
double cb_process_cpu(void)
{
    return ts_seconds(CLOCK_PROCESS_CPUTIME_ID);
}

/* Copies s without '_' digit separators; 0 if it does not fit or is empty. */
static int strip_underscores(const char *s, char *buf, size_t len)
{
    size_t j = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '_')
            continue;
        if (j + 1 >= len)
            return 0;
        buf[j++] = s[i];
    }
    buf[j] = '\0';
    return j > 0;
}

int cb_parse_u64(const char *s, uint64_t min, uint64_t max, const char *what,
                 uint64_t *out, struct cb_error *e)
{
    char buf[64];
    char *end;
    uint64_t v;

    if (!s || !strip_underscores(s, buf, sizeof buf) || buf[0] == '-' ||
        buf[0] == '+' || isspace((unsigned char)buf[0]))
        goto bad;
    errno = 0;
    v = strtoull(buf, &end, 10);
    if (*end == 'e' || *end == 'E' || *end == '.') {
        /* 4e6, 1.5e3: accepted when the value is an exact integer */
        double d = strtod(buf, &end);
        if (*end || !isfinite(d) || d < 0 || d != floor(d) || d > 1.8e19)
            goto bad;
        if (d > (double)max)
            goto range;
        v = (uint64_t)d;
    } else if (*end || errno == ERANGE) {
        if (errno == ERANGE)
            goto range;
        goto bad;
    }
    if (v < min || v > max)
        goto range;
    *out = v;
    return 0;
bad:
    return CB_FAIL(e, CB_EUSAGE,
                   "%s: '%s' is not a whole number (accepted: %llu..%llu)",
                   what, s ? s : "", (unsigned long long)min,
                   (unsigned long long)max);
range:
    return CB_FAIL(e, CB_EUSAGE, "%s: %s is out of range (accepted: %llu..%llu)",
                   what, s, (unsigned long long)min, (unsigned long long)max);
}

int cb_parse_double(const char *s, double min, double max, const char *what,
                    double *out, struct cb_error *e)
{
    char *end;
    double d;
    if (!s || !*s)
        goto bad;
    errno = 0;
    d = strtod(s, &end);
    if (*end || errno == ERANGE || !isfinite(d))
        goto bad;
    if (d < min || d > max)
        return CB_FAIL(e, CB_EUSAGE, "%s: %s is out of range (accepted: %g..%g)",
                       what, s, min, max);
    *out = d;
    return 0;
bad:
    return CB_FAIL(e, CB_EUSAGE, "%s: '%s' is not a number (accepted: %g..%g)",
                   what, s ? s : "", min, max);
}

static int dir_has(const char *dir, const char *file)
{
    char buf[4200];
    struct stat st;
    snprintf(buf, sizeof buf, "%.4000s/%s", dir, file);
    return stat(buf, &st) == 0 && S_ISREG(st.st_mode);
}

int cb_find_data_dir(const char *sub, const char *probe, const char *env,
                     char *buf, size_t len, struct cb_error *e)
{
    const char *v = getenv(env);
    char exe[4096];
    ssize_t n;
    if (v && *v) {
        if (!dir_has(v, probe))
            return CB_FAIL(e, CB_EUNSUPPORTED, "%s=%s: no %s there", env, v,
                           probe);
        snprintf(buf, len, "%s", v);
        return 0;
    }
    snprintf(buf, len, "%s/%s", CB_SOURCE_DIR, sub);
    if (dir_has(buf, probe))
        return 0;
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        char *slash;
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, len, "%.4000s/../%s", exe, sub);
            if (dir_has(buf, probe))
                return 0;
        }
    }
    return CB_FAIL(e, CB_EUNSUPPORTED, "%s/%s was not found next to corebench "
                   "or in its source tree: set %s", sub, probe, env);
}
