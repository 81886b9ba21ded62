/* Parameter helpers shared by every kernel's prepare(). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "kernel.h"

uint64_t cb_workload_memory_cap;

const char *cb_params_get(const struct cb_params *p, const char *key)
{
    /* the last occurrence wins, as on most command lines */
    for (int i = p ? p->nkv - 1 : -1; i >= 0; i--)
        if (strcmp(p->kv[i].key, key) == 0)
            return p->kv[i].val;
    return NULL;
}

int cb_params_add(struct cb_params *p, const char *s, struct cb_error *e)
{
    const char *eq = strchr(s, '=');
    struct cb_kv *kv;
    if (!eq || eq == s || !eq[1])
        return CB_FAIL(e, CB_EUSAGE, "--param '%s': expected KEY=VALUE", s);
    if (p->nkv >= CB_MAX_PARAMS)
        return CB_FAIL(e, CB_EUSAGE, "--param: more than %d parameters",
                       CB_MAX_PARAMS);
    if ((size_t)(eq - s) >= sizeof kv->key || strlen(eq + 1) >= sizeof kv->val)
        return CB_FAIL(e, CB_EUSAGE, "--param '%s': key or value too long", s);
    kv = &p->kv[p->nkv++];
    snprintf(kv->key, sizeof kv->key, "%.*s", (int)(eq - s), s);
    snprintf(kv->val, sizeof kv->val, "%s", eq + 1);
    return 0;
}

static int key_in_list(const char *key, const char *list)
{
    size_t k = strlen(key);
    for (const char *s = list; s && *s;) {
        const char *c = strchr(s, ',');
        size_t len = c ? (size_t)(c - s) : strlen(s);
        if (len == k && strncmp(s, key, k) == 0)
            return 1;
        s = c ? c + 1 : NULL;
    }
    return 0;
}

int cb_params_check(const struct cb_params *p, const char *kernel,
                    const char *accepted, struct cb_error *e)
{
    for (int i = 0; p && i < p->nkv; i++)
        if (!key_in_list(p->kv[i].key, accepted))
            return CB_FAIL(e, CB_EUSAGE,
                           "--param %s: not a parameter of kernel %s "
                           "(accepted: %s)",
                           p->kv[i].key, kernel,
                           accepted && *accepted ? accepted : "none");
    return 0;
}

int cb_params_u64(const struct cb_params *p, const char *key, uint64_t def,
                  uint64_t min, uint64_t max, uint64_t *out,
                  struct cb_error *e)
{
    char what[48];
    const char *v = cb_params_get(p, key);
    if (!v) {
        *out = def;
        return 0;
    }
    snprintf(what, sizeof what, "--param %s", key);
    return cb_parse_u64(v, min, max, what, out, e);
}

void cb_workload_param(struct cb_workload *w, const char *key,
                       const char *fmt, ...)
{
    va_list ap;
    struct cb_kv *kv;
    if (w->nparams >= CB_MAX_PARAMS)
        return;
    kv = &w->params[w->nparams++];
    snprintf(kv->key, sizeof kv->key, "%s", key);
    va_start(ap, fmt);
    vsnprintf(kv->val, sizeof kv->val, fmt, ap);
    va_end(ap);
}

void cb_workload_run_all(const struct cb_workload *w, void *outs)
{
    struct cb_ctx ctx = {0};
    const char *in = w->in;
    char *out = outs;
    for (size_t i = 0; i < w->n; i++)
        w->kernel->run(w, in + i * w->in_size, out + i * w->out_size, &ctx);
}

static const char *const cb_size_names[] = {
    [CB_SIZE_TINY] = "tiny",       [CB_SIZE_SMALL] = "small",
    [CB_SIZE_DEFAULT] = "default", [CB_SIZE_LARGE] = "large",
    [CB_SIZE_SEED] = "seed",
};

int cb_prepare_begin(struct cb_workload *w, const struct cb_kernel *k,
                     const struct cb_params *p, uint64_t *seed,
                     struct cb_error *e)
{
    const char *size = p && p->size ? p->size : "default";
    int preset, rc;

    memset(w, 0, sizeof *w);
    w->kernel = k;
    if ((rc = cb_params_check(p, k->name, k->param_help, e)) < 0)
        return rc;
    for (preset = 0; preset <= CB_SIZE_SEED; preset++)
        if (strcmp(size, cb_size_names[preset]) == 0)
            break;
    if (preset > CB_SIZE_SEED)
        return CB_FAIL(e, CB_EUSAGE,
                       "--size %s: not a size of kernel %s (accepted: "
                       "tiny, small, default, large, seed)",
                       size, k->name);
    snprintf(w->size, sizeof w->size, "%s", size);
    if ((rc = cb_params_u64(p, "seed", p ? p->seed : 0, 0, UINT64_MAX, seed,
                            e)) < 0)
        return rc;
    return preset;
}

uint64_t cb_memory_budget(const char **what)
{
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    uint64_t limit = UINT64_MAX;
    struct rlimit rl;
    const char *why = "physical memory";

    if (cb_workload_memory_cap) {
        if (what)
            *what = "the cap set by the caller";
        return cb_workload_memory_cap;
    }
    if (pages > 0 && psz > 0)
        limit = (uint64_t)pages * (uint64_t)psz;
    else
        limit = UINT64_C(4) << 30, why = "4 GiB (physical memory unknown)";
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (uint64_t)rl.rlim_cur < limit)
        limit = (uint64_t)rl.rlim_cur, why = "the address-space limit "
                                             "(ulimit -v)";
    if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (uint64_t)rl.rlim_cur < limit)
        limit = (uint64_t)rl.rlim_cur, why = "the data-size limit (ulimit -d)";
    if (what)
        *what = why;
    return limit / 2;
}

/* "12.3 GB" */
static void fmt_bytes(double b, char *buf, size_t len)
{
    static const char *const unit[] = {"bytes", "kB", "MB", "GB", "TB", "PB",
                                       "EB"};
    int u = 0;
    while (b >= 1000 && u < 6)
        b /= 1000, u++;
    snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", b, unit[u]);
}

int cb_workload_fits(const char *kernel, const char *param, uint64_t n,
                     uint64_t per_task, struct cb_error *e)
{
    const char *why;
    uint64_t budget = cb_memory_budget(&why), maxn;
    char need[32], lim[32];

    if (per_task == 0)
        per_task = 1;
    maxn = budget / per_task;
    if (n <= maxn && (unsigned __int128)n * per_task <= SIZE_MAX)
        return 0;
    fmt_bytes((double)n * (double)per_task, need, sizeof need);
    fmt_bytes((double)budget, lim, sizeof lim);
    return CB_FAIL(e, CB_EUSAGE,
                   "--param %s=%" PRIu64 ": kernel %s would need %s of "
                   "inputs and outputs (%" PRIu64 " bytes per task), more "
                   "than the limit of %s, half of %s (accepted: %s <= "
                   "%" PRIu64 ")",
                   param, n, kernel, need, per_task, lim, why, param, maxn);
}

int cb_workload_echo(struct cb_workload *w, uint64_t n, struct cb_error *e)
{
    uint64_t *in;
    int rc;
    /* 8 bytes in, 8 out (the harness's output buffer) per task */
    if ((rc = cb_workload_fits(w->kernel->name, "n", n, 2 * sizeof *in, e)))
        return rc;
    in = malloc((size_t)n * sizeof *in);
    if (!in)
        return CB_FAIL(e, CB_ENOMEM, "%s: no memory for %" PRIu64 " tasks",
                       w->kernel->name, n);
    for (size_t i = 0; i < (size_t)n; i++)
        in[i] = (uint64_t)i + 1;
    w->n = (size_t)n;
    w->in_size = sizeof(uint64_t);
    w->out_size = sizeof(uint64_t);
    w->in = in;
    w->work = (double)n;
    w->work_unit = "tasks";
    return 0;
}

int cb_verify_echo(const struct cb_workload *w, const void *outs,
                   struct cb_error *e)
{
    const char *out = outs;
    for (size_t i = 0; i < w->n; i++) {
        uint64_t v;
        memcpy(&v, out + i * w->out_size, sizeof v);
        if (v != (uint64_t)i + 1)
            return CB_FAIL(e, CB_EVERIFY,
                           "%s task %zu: output %" PRIu64
                           ", expected %zu (task did not run or landed "
                           "in the wrong slot)",
                           w->kernel->name, i, v, i + 1);
    }
    return 0;
}

int cb_resize_n(const struct cb_workload *w, uint64_t tasks,
                struct cb_params *p, struct cb_error *e)
{
    char kv[48];
    (void)w;
    snprintf(kv, sizeof kv, "n=%" PRIu64, tasks);
    return cb_params_add(p, kv, e);
}

void cb_workload_release(struct cb_workload *w)
{
    free(w->in);
    free(w->state);
    w->in = NULL;
    w->state = NULL;
}
