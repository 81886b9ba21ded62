/* The list and value parsers of `corebench run` (cli_lists.h), and
 * `corebench fmt` (commands.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli_lists.h"
#include "commands.h"
#include "model.h"
#include "probe.h"
#include "text.h"
#include "units.h"

/* Splits a comma list; fn parses one item into slot i and returns how many
 * slots it filled (ranges expand). Every item between commas counts: "1,,2"
 * or "gcd," is a typo, not a shorter list. */
int cb__cli_list(const char *opt, const char *s, int max, int *n,
                      int (*fn)(const char *opt, const char *item, void *dst,
                                int i, int max, struct cb_error *e),
                      void *dst, struct cb_error *e)
{
    char buf[4096], *tok, *next;
    if (!*s || strlen(s) >= sizeof buf)
        return CB_FAIL(e, CB_EUSAGE, "%s: '%.60s' is not a list", opt, s);
    snprintf(buf, sizeof buf, "%s", s);
    *n = 0;
    for (tok = buf; tok; tok = next) {
        int rc;
        next = strchr(tok, ',');
        if (next)
            *next++ = '\0';
        if (!*tok)
            return CB_FAIL(e, CB_EUSAGE, "%s '%.60s': empty item (accepted: "
                           "items separated by single commas)", opt, s);
        if (*n >= max)
            return CB_FAIL(e, CB_EUSAGE, "%s: more than %d items", opt, max);
        if ((rc = fn(opt, tok, dst, *n, max, e)) < 0)
            return rc;
        *n += rc;
    }
    return 0;
}

/* "name1, name2, ..." of a registry, for messages. */
#define ACCEPTED(buf, list)                                                    \
    do {                                                                       \
        buf[0] = '\0';                                                         \
        for (int j_ = 0; list[j_]; j_++)                                       \
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s",      \
                     j_ ? ", " : "", list[j_]->name);                          \
    } while (0)

/* The error for a name no registry entry has, with the accepted ones. */
static int unknown(const char *opt, const char *what, const char *s,
                   const char *accepted, struct cb_error *e)
{
    char bad[64];
    cb_text_clean(s, bad, sizeof bad, 40);
    return CB_FAIL(e, CB_EUSAGE, "%s: unknown %s '%s' (accepted: %s)", opt,
                   what, bad, accepted);
}

int cb__cli_kernel(const char *opt, const char *s, void *dst, int i,
                       int max, struct cb_error *e)
{
    const struct cb_kernel **k = dst;
    char acc[512];
    (void)max;
    if ((k[i] = cb_kernel_find(s)))
        return 1;
    ACCEPTED(acc, cb_kernels);
    return unknown(opt, "kernel", s, acc, e);
}

int cb__cli_exec(const char *opt, const char *s, void *dst, int i,
                     int max, struct cb_error *e)
{
    const struct cb_executor **x = dst;
    char acc[512];
    (void)max;
    if ((x[i] = cb_executor_find(s)))
        return 1;
    ACCEPTED(acc, cb_executors);
    return unknown(opt, "executor", s, acc, e);
}

int cb__cli_allowed_pus(const struct cb_topo *topo)
{
    struct cb_topo_info info;
    cb_topo_info(topo, &info);
    return info.pus > 0 ? info.pus : 1;
}

const struct cb_topo *cb__cli_topo; /* for 'max' while parsing -w */

int cb__cli_workers(const char *opt, const char *s, void *dst, int i,
                        int max, struct cb_error *e)
{
    int *w = dst;
    uint64_t a, b;
    const char *dash = strchr(s, '-');
    if (strcmp(s, "max") == 0) {
        w[i] = cb__cli_allowed_pus(cb__cli_topo);
        return 1;
    }
    if (strcmp(s, "topo") == 0) {
        struct cb_topo_count c[CB_RUN_MAX_LIST];
        int n = cb_topo_counts(cb__cli_topo, c, CB_RUN_MAX_LIST);
        if (n + i > max)
            return CB_FAIL(e, CB_EUSAGE, "%s: 'topo' gives %d counts, with "
                           "the others more than %d", opt, n, max);
        for (int k = 0; k < n; k++)
            w[i + k] = c[k].workers;
        return n;
    }
    if (dash && dash != s) {
        char lo[32];
        snprintf(lo, sizeof lo, "%.*s", (int)(dash - s), s);
        if (cb_parse_u64(lo, 1, CB_MAX_WORKERS, opt, &a, e) ||
            cb_parse_u64(dash + 1, 1, CB_MAX_WORKERS, opt, &b, e))
            return CB_EUSAGE;
        if (b < a)
            return CB_FAIL(e, CB_EUSAGE, "%s: range '%s' is reversed", opt, s);
        if (b - a + 1 + (uint64_t)i > (uint64_t)max)
            return CB_FAIL(e, CB_EUSAGE, "%s: range '%s' has more than %d "
                           "counts", opt, s, max);
        for (uint64_t v = a; v <= b; v++)
            w[i++] = (int)v;
        return (int)(b - a + 1);
    }
    if (cb_parse_u64(s, 1, CB_MAX_WORKERS, opt, &a, e))
        return CB_EUSAGE;
    w[i] = (int)a;
    return 1;
}

/* The declaration of parameter `name` by the first registered executor
 * that takes it (its check and whether it sweeps), or NULL. */
static const struct cb_xparam *xparam_decl(const char *name)
{
    for (int i = 0; cb_executors[i]; i++) {
        const struct cb_xparam *p = cb_executor_param(cb_executors[i], name);
        if (p)
            return p;
    }
    return NULL;
}

static int item_xvalue(const char *opt, const char *s, void *dst, int i,
                       int max, struct cb_error *e)
{
    struct cb_run_xparam *xp = dst;
    const struct cb_xparam *p = xparam_decl(xp->name);
    struct cb_error ce = {0};
    (void)max;
    if (strlen(s) >= CB_XPARAM_VAL)
        return CB_FAIL(e, CB_EUSAGE, "%s: a value over %d bytes", opt,
                       CB_XPARAM_VAL - 1);
    if (p && p->check && p->check(s, &ce))
        return CB_FAIL(e, CB_EUSAGE, "%s: %s", opt, ce.msg);
    snprintf(xp->vals[i], sizeof xp->vals[i], "%s", s);
    return 1;
}

/* --exec-param NAME=LIST, or an older option naming the same: the values
 * replace any given before for NAME. */
int cb__cli_xparam(struct cb_run_opts *o, const char *opt,
                        const char *name, const char *list,
                        struct cb_error *e)
{
    struct cb_run_xparam *xp = NULL;
    const struct cb_xparam *p = xparam_decl(name);
    char all[512] = "";
    int rc;
    if (!p) {
        for (int i = 0; cb_executors[i]; i++)
            for (const struct cb_xparam *q = cb_executors[i]->params; q &&
                 q->name; q++)
                if (!strstr(all, q->name))
                    snprintf(all + strlen(all), sizeof all - strlen(all),
                             "%s%s", *all ? ", " : "", q->name);
        cb_text_clean(name, all + 256, 64, 30);
        return CB_FAIL(e, CB_EUSAGE, "%s: no executor takes a parameter "
                       "'%s' (accepted: %s)", opt, all + 256, all);
    }
    for (int i = 0; i < o->nxp && !xp; i++)
        if (strcmp(o->xp[i].name, name) == 0)
            xp = &o->xp[i];
    if (!xp) {
        if (o->nxp == CB_MAX_XPARAMS)
            return CB_FAIL(e, CB_EUSAGE, "%s: more than %d executor "
                           "parameters", opt, CB_MAX_XPARAMS);
        xp = &o->xp[o->nxp++];
        snprintf(xp->name, sizeof xp->name, "%s", name);
    }
    if ((rc = cb__cli_list(opt, list, CB_RUN_MAX_LIST, &xp->nvals, item_xvalue,
                         xp, e)))
        return rc;
    if (p->single && xp->nvals > 1)
        return CB_FAIL(e, CB_EUSAGE, "%s: one %s per run (accepted: a single "
                       "value, not a list)", opt, name);
    return 0;
}

static int item_pval(const char *opt, const char *s, void *dst, int i,
                     int max, struct cb_error *e)
{
    struct cb_run_plist *pl = dst;
    (void)max;
    if (strlen(s) >= sizeof pl->vals[i])
        return CB_FAIL(e, CB_EUSAGE, "%s %s: a value over %zu bytes", opt,
                       pl->key, sizeof pl->vals[i] - 1);
    snprintf(pl->vals[i], sizeof pl->vals[i], "%s", s);
    return 1;
}

/* -p KEY=VALUE, or KEY=V1,V2 to sweep the kernel parameter (the kernel's
 * prepare() checks each value). */
int cb__cli_param(struct cb_run_opts *o, const char *arg,
                       struct cb_error *e)
{
    const char *eq = strchr(arg, '=');
    struct cb_run_plist *pl;
    int rc;
    if (!eq || !strchr(eq, ','))
        return cb_params_add(&o->params, arg, e);
    if (eq == arg || (size_t)(eq - arg) >= sizeof pl->key)
        return CB_FAIL(e, CB_EUSAGE, "--param '%.60s': not KEY=VALUE or "
                       "KEY=V1,V2", arg);
    if (o->nplist == CB_MAX_PARAMS)
        return CB_FAIL(e, CB_EUSAGE, "--param: more than %d swept keys",
                       CB_MAX_PARAMS);
    pl = &o->plist[o->nplist++];
    snprintf(pl->key, sizeof pl->key, "%.*s", (int)(eq - arg), arg);
    if ((rc = cb__cli_list("--param", eq + 1, CB_RUN_MAX_LIST, &pl->n,
                         item_pval, pl, e)))
        return rc;
    for (int i = 0; i < pl->n; i++) /* a duplicate runs once */
        for (int j = i + 1; j < pl->n; j++)
            if (!strcmp(pl->vals[i], pl->vals[j])) {
                fprintf(stderr, "corebench run: note: --param %s lists %s "
                        "more than once; it runs once\n", pl->key,
                        pl->vals[j]);
                memmove(pl->vals[j], pl->vals[j + 1],
                        (size_t)(pl->n - j - 1) * sizeof pl->vals[0]);
                pl->n--;
                j--;
            }
    return 0;
}

int cb__cli_exec_param(struct cb_run_opts *o, const char *arg,
                            struct cb_error *e)
{
    const char *eq = strchr(arg, '=');
    char name[32];
    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof name)
        return CB_FAIL(e, CB_EUSAGE, "--exec-param '%.60s': not NAME=LIST "
                       "(e.g. -x switch_interval=100,1000)", arg);
    snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
    return cb__cli_xparam(o, "--exec-param", name, eq + 1, e);
}

/* Values a list gives twice run once: "-w 2,1,2" is 2 and 1. */
int cb__cli_dedupe_ints(const char *opt, int *v, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        int dup = 0;
        for (int j = 0; j < k && !dup; j++)
            dup = v[j] == v[i];
        if (!dup)
            v[k++] = v[i];
        else
            fprintf(stderr, "corebench run: note: %s lists %d more than "
                    "once; it runs once\n", opt, v[i]);
    }
    return k;
}

int cb__cli_dedupe_ptrs(const char *opt, const void **v, int n,
                       const char *(*name)(const void *))
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        int dup = 0;
        for (int j = 0; j < k && !dup; j++)
            dup = v[j] == v[i];
        if (!dup)
            v[k++] = v[i];
        else
            fprintf(stderr, "corebench run: note: %s lists %s more than "
                    "once; it runs once\n", opt, name(v[i]));
    }
    return k;
}


/* ---- corebench fmt ------------------------------------------------------- */

/* `corebench fmt`: corebench's own rules for scripts that write about
 * results (python/lesson.py), so that none keeps a copy: numbers as the
 * tables print them (units.h), and per run of a result file its label
 * (cb_config_label) and the bandwidth ceiling its working set picks
 * (cb_ceiling_pick, the 1% rule of a kernel's own working set included). */
static const struct {
    const char *kind;
    void (*fn)(double v, char *buf, size_t len);
} fmt_kinds[] = {
    {"time", cb_fmt_time},
    {"bytes", cb_fmt_bytes},
    {"rate", cb_fmt_rate},
    {"ratio", cb_fmt_ratio},
};

static void fmt_usage(FILE *f)
{
    fprintf(f, "usage: corebench fmt time|bytes|rate|ratio VALUE...\n"
               "       corebench fmt runs RESULTS.json\n\n"
               "Numbers as corebench's tables print them, one a line "
               "(seconds, bytes,\nbytes/s, a ratio; \"-\" for nan or inf). "
               "`runs`: a JSON array with,\nper run of the file, {\"id\", "
               "\"label\" (the table's), \"ceiling\"}: the\nprobe's triad "
               "level its working set picks, {\"level\", \"threads\",\n"
               "\"bytes_per_s\"}, or null (no bytes_touched, or no probe).\n"
               "For scripts, so that they keep no copy of these rules.\n");
}

static int fmt_runs(const char *path)
{
    struct cb_model m;
    struct cb_error e = {0};
    struct cb_triad_level *lv = calloc(CB_TRIAD_MAX_LEVELS, sizeof *lv);
    json_t *out = json_array();
    int nlv, rc = 0;

    memset(&m, 0, sizeof m);
    if (!lv || !out) {
        fprintf(stderr, "corebench fmt: out of memory\n");
        free(lv);
        json_decref(out);
        return 1;
    }
    if (cb_model_load(path, &m, &e) != 0) {
        fprintf(stderr, "corebench fmt: %s\n", e.msg);
        free(lv);
        json_decref(out);
        return 2;
    }
    nlv = cb_triad_levels_read(m.probe, lv, CB_TRIAD_MAX_LEVELS);
    for (size_t i = 0; i < m.nruns; i++) {
        const struct cb_run *r = &m.runs[i];
        struct cb_ceiling c;
        char label[160];
        json_t *ceil = json_null();
        double ws = r->working_set > 0 && isfinite(r->working_set)
                        ? r->working_set : NAN;
        cb_config_label(&r->cfg, label, sizeof label);
        if (r->bytes_touched > 0 && isfinite(r->bytes_touched) &&
            cb_ceiling_pick(lv, nlv, ws, r->cfg.workers, &c) == 0)
            ceil = json_pack("{s:s, s:I, s:f}", "level", lv[c.level].name,
                             "threads", (json_int_t)c.threads, "bytes_per_s",
                             c.bytes_per_s);
        json_array_append_new(out, json_pack("{s:i, s:s, s:o}", "id", r->id,
                                             "label", label, "ceiling",
                                             ceil ? ceil : json_null()));
    }
    if (json_dumpf(out, stdout, JSON_INDENT(1)) != 0 || puts("") == EOF)
        rc = 1;
    json_decref(out);
    cb_model_free(&m);
    free(lv);
    return rc;
}

int cb_cmd_fmt(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        fmt_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "runs") == 0) {
        if (argc != 3) {
            fprintf(stderr, "corebench fmt runs: one result file, got %d "
                            "arguments\n", argc - 2);
            return 2;
        }
        return fmt_runs(argv[2]);
    }
    for (size_t k = 0; k < sizeof fmt_kinds / sizeof fmt_kinds[0]; k++) {
        if (strcmp(argv[1], fmt_kinds[k].kind) != 0)
            continue;
        for (int i = 2; i < argc; i++) {
            char *end, buf[64], shown[48];
            double v = strtod(argv[i], &end);
            if (end == argv[i] || *end) {
                cb_text_clean(argv[i], shown, sizeof shown, 40);
                fprintf(stderr, "corebench fmt %s: '%s' is not a number "
                                "(accepted: decimal or exponent notation, "
                                "nan, inf)\n", argv[1], shown);
                return 2;
            }
            fmt_kinds[k].fn(v, buf, sizeof buf);
            puts(buf);
        }
        return 0;
    }
    {
        char shown[48];
        cb_text_clean(argv[1], shown, sizeof shown, 40);
        fprintf(stderr, "corebench fmt: unknown kind '%s' (accepted: time, "
                        "bytes, rate, ratio, runs)\n", shown);
    }
    return 2;
}
