/* The base of the plug-in API: what a kernel or an executor needs from
 * corebench and nothing else (errors, clocks, number parsing, the input
 * generator, finding its data files). kernels/kernel.h and
 * executors/executor.h stand on this header alone: a plug-in author reads
 * the two seams, not the harness. Implemented in kernels/support.c.
 *
 * Every function that can fail returns 0 or a negative cb_status and fills
 * an optional struct cb_error (like jansson's json_error_t). Only main()
 * exits. */
#ifndef CB_PLUGIN_H
#define CB_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

enum cb_status {
    CB_OK = 0,
    CB_EUSAGE = -1,       /* bad value from the user: exit status 2 */
    CB_ESYS = -2,         /* a system call or library failed */
    CB_EVERIFY = -3,      /* an output record failed verification */
    CB_EBROKEN = -4,      /* a worker died: broken pool */
    CB_ENOMEM = -5,
    CB_EUNSUPPORTED = -6, /* not available on this build or machine */
};

struct cb_error {
    int code;           /* one of cb_status */
    char where[48];     /* function that set it */
    char msg[480];      /* one line, no trailing newline */
};

/* Fills e (if non-NULL) and returns code, so callers can
 * `return CB_FAIL(e, CB_EUSAGE, "...", ...)`. */
int cb_error_set(struct cb_error *e, int code, const char *where,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define CB_FAIL(e, code, ...) cb_error_set((e), (code), __func__, __VA_ARGS__)

/* Upper bound on workers anywhere in corebench. */
#define CB_MAX_WORKERS 1024

double cb_now(void);         /* CLOCK_MONOTONIC, seconds */
double cb_thread_cpu(void);  /* CPU seconds of the calling thread */
double cb_process_cpu(void); /* CPU seconds of the calling process */

/* Parses an unsigned integer in [min, max]. Accepts underscores as digit
 * separators ("1_000_000") and a decimal exponent ("4e6") when the result is
 * integral. `what` names the value in the error: "--workers", "n", ... */
int cb_parse_u64(const char *s, uint64_t min, uint64_t max, const char *what,
                 uint64_t *out, struct cb_error *e);
int cb_parse_double(const char *s, double min, double max, const char *what,
                    double *out, struct cb_error *e);

/* Finds a directory corebench reads at run time (plots/, python/): the
 * environment variable `env` if set, else CB_SOURCE_DIR/sub (the source
 * tree it was built from), else <directory of the binary>/../sub. The one
 * found must hold `probe` (a file name), else CB_EUNSUPPORTED naming
 * `env`. */
int cb_find_data_dir(const char *sub, const char *probe, const char *env,
                     char *buf, size_t len, struct cb_error *e);

/* splitmix64: deterministic input generation shared by kernels and tests. */
static inline uint64_t cb_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

#endif
