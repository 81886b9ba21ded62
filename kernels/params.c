/* Parameter helpers shared by every kernel's prepare(). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel.h"

const char *cb_params_get(const struct cb_params *p, const char *key)
{
    /* the last occurrence wins, as on most command lines */
    for (int i = p ? p->nkv - 1 : -1; i >= 0; i--)
        if (strcmp(p->kv[i].key, key) == 0)
            return p->kv[i].val;
    return NULL;
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
