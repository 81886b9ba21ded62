/* Executor parameters: the shared checks, filling a configuration's values
 * from what was asked and the executor's defaults, and reading them back.
 * See "executor parameters" in executor.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "executor.h"

#define CB_CHUNK_MAX (1L << 30)

int cb_chunk_parse(const char *s, struct cb_chunk *out, struct cb_error *e)
{
    uint64_t v;
    if (s && strcmp(s, "default") == 0) {
        *out = (struct cb_chunk){CB_CHUNK_DEFAULT, 0};
        return 0;
    }
    if (s && strcmp(s, "auto") == 0) {
        *out = (struct cb_chunk){CB_CHUNK_AUTO, 0};
        return 0;
    }
    if (!s || cb_parse_u64(s, 1, (uint64_t)CB_CHUNK_MAX, "chunksize", &v,
                           NULL))
        return CB_FAIL(e, CB_EUSAGE, "chunksize '%.40s' is not a chunksize "
                       "(accepted: 1..%ld, auto or default)", s ? s : "",
                       CB_CHUNK_MAX);
    *out = (struct cb_chunk){CB_CHUNK_COUNT, (long)v};
    return 0;
}

int cb_xp_check_chunksize(const char *v, struct cb_error *e)
{
    struct cb_chunk c;
    return cb_chunk_parse(v, &c, e);
}

static int one_of(const char *name, const char *v, const char *const *ok,
                  const char *accepted, struct cb_error *e)
{
    for (int i = 0; ok[i]; i++)
        if (strcmp(v, ok[i]) == 0)
            return 0;
    return CB_FAIL(e, CB_EUSAGE, "%s '%.40s': unknown %s (accepted: %s)",
                   name, v, name, accepted);
}

static const char *const schedules[] = {"static", "dynamic", "guided", NULL};

int cb_xp_check_schedule(const char *v, struct cb_error *e)
{
    return one_of("schedule", v, schedules, "static, dynamic, guided", e);
}

int cb_xp_check_start_method(const char *v, struct cb_error *e)
{
    static const char *const ok[] = {"fork", "spawn", NULL};
    return one_of("start_method", v, ok, "fork, spawn", e);
}

int cb_xp_check_switch_interval(const char *v, struct cb_error *e)
{
    uint64_t x;
    if (cb_parse_u64(v, 1, 10000000, "switch_interval", &x, NULL))
        return CB_FAIL(e, CB_EUSAGE, "switch_interval '%.40s' is not a "
                       "number of microseconds (accepted: 1..10000000)", v);
    return 0;
}

const struct cb_xparam *cb_executor_param(const struct cb_executor *x,
                                          const char *name)
{
    for (const struct cb_xparam *p = x ? x->params : NULL; p && p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

int cb_exec_config_params(struct cb_exec_config *c,
                          const struct cb_executor *x,
                          const struct cb_xvalue *asked, int nasked,
                          struct cb_error *e)
{
    c->nxp = 0;
    for (const struct cb_xparam *p = x->params; p && p->name; p++) {
        struct cb_xvalue *v;
        const char *val = p->def;
        int rc, was_asked = 0;
        if (c->nxp == CB_MAX_XPARAMS)
            return CB_FAIL(e, CB_EUSAGE, "executor %s declares more than %d "
                           "parameters", x->name, CB_MAX_XPARAMS);
        for (int i = 0; i < nasked; i++)
            if (strcmp(asked[i].name, p->name) == 0) {
                val = asked[i].val;
                was_asked = 1;
            }
        if (!*val || strlen(val) >= CB_XPARAM_VAL)
            return CB_FAIL(e, CB_EUSAGE, "%s: empty or over %d bytes",
                           p->name, CB_XPARAM_VAL - 1);
        if (p->check && (rc = p->check(val, e)))
            return rc;
        v = &c->xp[c->nxp++];
        snprintf(v->name, sizeof v->name, "%s", p->name);
        snprintf(v->val, sizeof v->val, "%s", val);
        v->asked = was_asked;
    }
    return 0;
}

int cb_exec_config_set(struct cb_exec_config *c, const char *name,
                       const char *val)
{
    struct cb_xvalue *v = NULL;
    if (strlen(name) >= sizeof v->name || strlen(val) >= sizeof v->val)
        return -1;
    for (int i = 0; i < c->nxp && !v; i++)
        if (strcmp(c->xp[i].name, name) == 0)
            v = &c->xp[i];
    if (!v) {
        if (c->nxp == CB_MAX_XPARAMS)
            return -1;
        v = &c->xp[c->nxp++];
        snprintf(v->name, sizeof v->name, "%s", name);
    }
    snprintf(v->val, sizeof v->val, "%s", val);
    v->asked = 1;
    return 0;
}

const char *cb_xparam(const struct cb_exec_config *c, const char *name)
{
    for (int i = 0; i < c->nxp; i++)
        if (strcmp(c->xp[i].name, name) == 0)
            return c->xp[i].val;
    return NULL;
}

long cb_xparam_long(const struct cb_exec_config *c, const char *name,
                    long fallback)
{
    const char *v = cb_xparam(c, name);
    char *end;
    long x;
    if (!v)
        return fallback;
    x = strtol(v, &end, 10);
    return *end ? fallback : x;
}

struct cb_chunk cb_exec_chunk(const struct cb_exec_config *c)
{
    struct cb_chunk ch = {CB_CHUNK_DEFAULT, 0};
    const char *v = cb_xparam(c, "chunksize");
    if (v && cb_chunk_parse(v, &ch, NULL))
        ch = (struct cb_chunk){CB_CHUNK_DEFAULT, 0};
    return ch;
}

enum cb_schedule cb_exec_schedule(const struct cb_exec_config *c)
{
    const char *v = cb_xparam(c, "schedule");
    for (int i = 0; v && schedules[i]; i++)
        if (strcmp(v, schedules[i]) == 0)
            return (enum cb_schedule)i;
    return CB_SCHED_STATIC;
}
