/* Comparing two result files: pairing their configurations, the test per
 * pair, the context differences, tallies and the gate. See compare.h for
 * what is compared and what is refused. */
#include "compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

const char *const cb_verdict_name[CB_V_COUNT] = {"faster", "slower", "same",
                                                 "too few samples"};

double cb_cmp_min_p(size_t na, size_t nb)
{
    /* both extreme rank orders: 2 / C(na + nb, na) */
    double c = 1;
    for (size_t i = 1; i <= nb; i++)
        c = c * (double)(na + i) / (double)i;
    return 2 / c;
}

size_t cb_cmp_enough(double alpha)
{
    size_t k = CB_CMP_MIN_SAMPLES;
    while (k < 1000 && cb_cmp_min_p(k, k) >= alpha)
        k++;
    return k;
}

void cb_cmp_ref(const struct cb_run *r, char *buf, size_t len)
{
    char k[128], s[80];
    cb_text_clean(r->cfg.kernel, k, sizeof k, 24);
    cb_text_clean(r->cfg.size, s, sizeof s, 16);
    snprintf(buf, len, "%s/%s %s w=%d", k, s, r->d.label, r->cfg.workers);
}

/* ---- the test per pair --------------------------------------------------- */

/* The samples r's statistics use (the model sets interfered ones aside):
 * r's own array when that is all of them, else a copy in *buf. */
static const double *used(const struct cb_run *r, double **buf, size_t *n)
{
    *n = r->n;
    if (!r->d.aside)
        return r->samples;
    *buf = malloc((r->n + 1) * sizeof **buf);
    *n = 0;
    for (size_t i = 0; *buf && i < r->n; i++)
        if (cb_run_sample_used(r, i))
            (*buf)[(*n)++] = r->samples[i];
    return *buf;
}

/* The test of one pair: its ratio with an interval and its p. The verdict
 * waits for every row's p (verdicts()). */
static int test_row(struct cb_cmp_row *r)
{
    double *ba = NULL, *bb = NULL;
    size_t na, nb;
    const double *a = used(r->a, &ba, &na), *b = used(r->b, &bb, &nb);
    r->ratio = r->lo = r->hi = r->u = r->p = r->p_adj = NAN;
    if (!a || !b) {
        free(ba);
        free(bb);
        return -1;
    }
    if (na > 0 && nb > 0)
        cb_ratio_estimate_ci(b, nb, a, na, CB_CMP_LEVEL, CB_BOOTSTRAP_SEED,
                             CB_BOOTSTRAP_ROUNDS, &r->ratio, &r->lo, &r->hi);
    if (na < CB_CMP_MIN_SAMPLES || nb < CB_CMP_MIN_SAMPLES)
        r->v = CB_V_FEW;
    else
        cb_mann_whitney(a, na, b, nb, &r->u, &r->p);
    free(ba);
    free(bb);
    return 0;
}

static int by_p(const void *x, const void *y)
{
    const struct cb_cmp_row *a = *(const struct cb_cmp_row *const *)x,
                            *b = *(const struct cb_cmp_row *const *)y;
    return (a->p > b->p) - (a->p < b->p);
}

/* Benjamini-Hochberg's adjustment over the rows that were tested: the m
 * p-values in ascending order, the k-th (1-based) times m / k, each at
 * most the one after it, at most 1. With ~39 configurations compared at
 * once, alpha 0.05 per row would expect about two alarms on identical
 * code. When nothing changed (every null hypothesis true) BH keeps the
 * chance of any alarm at alpha, as Holm's correction does; when many
 * configurations did change (a slower build: all of them) it keeps their
 * power, where Holm's would need p < alpha / 39 of the first of them. It
 * controls the false discovery rate for independent or positively
 * dependent tests (Benjamini & Yekutieli 2001), which configurations
 * measured on one machine are. */
static int adjust(struct cb_cmp *c)
{
    struct cb_cmp_row **t = malloc((c->nrows + 1) * sizeof *t);
    size_t m = 0;
    double run = 1;
    if (!t)
        return -1;
    for (size_t i = 0; i < c->nrows; i++)
        if (c->rows[i].v != CB_V_FEW && !isnan(c->rows[i].p))
            t[m++] = &c->rows[i];
    qsort(t, m, sizeof *t, by_p);
    for (size_t k = m; k-- > 0;) {
        double q = (double)m / (double)(k + 1) * t[k]->p;
        run = q < run ? q : run;
        t[k]->p_adj = run;
    }
    free(t);
    return 0;
}

/* A tested row's verdict: faster or slower only when the adjusted p is
 * below alpha and the ratio moved by more than the threshold. */
static void verdict(struct cb_cmp_row *r, const struct cb_cmp_opts *o)
{
    double t = o->threshold_pct / 100;
    int dir;
    if (r->v == CB_V_FEW)
        return;
    r->v = CB_V_SAME;
    if (!(r->p_adj < o->alpha)) {
        r->underpowered = cb_cmp_min_p(r->a->d.used, r->b->d.used) >=
                          o->alpha;
        return;
    }
    /* The direction follows the ratio; when it is exactly 1 but the ranks
     * differ significantly, U of the base decides (U > na*nb/2: base times
     * rank higher, so new is faster). */
    dir = r->ratio < 1 || (!(r->ratio > 1) &&
                           r->u > (double)r->a->d.used *
                                      (double)r->b->d.used / 2)
              ? CB_V_FASTER
              : CB_V_SLOWER;
    if (t > 0 && !(fabs(r->ratio - 1) > t)) {
        r->within = 1;
        return;
    }
    r->v = (enum cb_verdict)dir;
}

/* ---- context ------------------------------------------------------------- */

/* Where and how a file was made: shown when it differs, never refused. */
static const struct {
    const char *name, *obj, *key;
    int machine, build;
} ctx_fields[] = {
    {"host", "host", "hostname", 1, 0},
    {"cpu", "cpu", "model", 1, 0},
    {"topology", NULL, NULL, 1, 0}, /* the model's summary */
    {"fingerprint", "topology", "fingerprint", 1, 0},
    {"os kernel", "host", "kernel", 0, 0},
    {"corebench", "corebench", "version", 0, 1},
    {"commit", "corebench", "git_commit", 0, 1},
    {"build type", "corebench", "build_type", 0, 1},
    {"compiler", "corebench", "compiler", 0, 1},
    {"cflags", "corebench", "cflags", 0, 1},
};
#define NCTX (sizeof ctx_fields / sizeof ctx_fields[0])

static void ctx_value(const struct cb_model *m, size_t i, char *buf,
                      size_t len)
{
    const json_t *v;
    char *d;
    if (!ctx_fields[i].obj) {
        snprintf(buf, len, "%s", m->topo_summary);
        return;
    }
    v = json_object_get(json_object_get(m->context, ctx_fields[i].obj),
                        ctx_fields[i].key);
    if (json_is_string(v)) {
        cb_text_clean(json_string_value(v), buf, len, 60);
        return;
    }
    d = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    cb_text_clean(d ? d : "(missing)", buf, len, 60);
    free(d);
}

static void context_diffs(struct cb_cmp *c)
{
    for (size_t i = 0; i < NCTX && c->ndiff < CB_CMP_MAX_DIFFS; i++) {
        struct cb_cmp_diff *d = &c->diff[c->ndiff];
        ctx_value(c->a, i, d->a, sizeof d->a);
        ctx_value(c->b, i, d->b, sizeof d->b);
        if (strcmp(d->a, d->b) == 0)
            continue;
        d->field = ctx_fields[i].name;
        c->machines |= ctx_fields[i].machine;
        c->builds |= ctx_fields[i].build;
        c->ndiff++;
    }
}

/* ---- pairing ------------------------------------------------------------- */

struct keyed {
    const char *key;
    size_t i;
};

static int cmp_keyed(const void *x, const void *y)
{
    const struct keyed *a = x, *b = y;
    int d = strcmp(a->key, b->key);
    return d ? d : (a->i > b->i) - (a->i < b->i);
}

/* The identity of every run of m (cb_config_key), or with the kernel
 * parameters left out (`workload` 0): what pairs a run with another. */
static char **keys_of(const struct cb_model *m, int workload)
{
    char **k = calloc(m->nruns + 1, sizeof *k);
    for (size_t i = 0; k && i < m->nruns; i++) {
        struct cb_config cfg = m->runs[i].cfg;
        if (!workload)
            cfg.params = NULL;
        if (!(k[i] = cb_config_key(&cfg))) {
            for (size_t j = 0; j < i; j++)
                free(k[j]);
            free(k);
            return NULL;
        }
    }
    return k;
}

static void keys_free(char **k, size_t n)
{
    for (size_t i = 0; k && i < n; i++)
        free(k[i]);
    free(k);
}

/* Pairs each run of a not yet used with the first unused run of b of the
 * same key, in a's order (a configuration listed twice pairs with the
 * other file's occurrences in order). O(n log n). Pairs go to pa/pb. */
static int pair_by(char **ka, size_t na, char **kb, size_t nb,
                   unsigned char *ua, unsigned char *ub, size_t *pa,
                   size_t *pb, size_t *np)
{
    struct keyed *s = malloc((nb + 1) * sizeof *s);
    size_t ns = 0;
    if (!s)
        return -1;
    for (size_t j = 0; j < nb; j++)
        if (!ub[j])
            s[ns++] = (struct keyed){kb[j], j};
    qsort(s, ns, sizeof *s, cmp_keyed);
    for (size_t i = 0; i < na; i++) {
        size_t lo = 0, hi = ns;
        if (ua[i])
            continue;
        while (lo < hi) { /* the first entry with key >= ka[i] */
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(s[mid].key, ka[i]) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < ns && strcmp(s[lo].key, ka[i]) == 0; lo++)
            if (!ub[s[lo].i]) {
                ua[i] = ub[s[lo].i] = 1;
                pa[*np] = i;
                pb[(*np)++] = s[lo].i;
                break;
            }
    }
    free(s);
    return 0;
}

static int same_shown(const struct cb_run *x, const struct cb_run *y)
{
    return x->cfg.workers == y->cfg.workers &&
           strcmp(x->cfg.kernel, y->cfg.kernel) == 0 &&
           strcmp(x->cfg.size, y->cfg.size) == 0 &&
           strcmp(x->d.label, y->d.label) == 0;
}

static int by_base(const void *x, const void *y)
{
    const struct cb_cmp_row *a = x, *b = y;
    return (a->a > b->a) - (a->a < b->a);
}

int cb_cmp_build(struct cb_cmp *c, const struct cb_model *a,
                 const struct cb_model *b, const struct cb_cmp_opts *o,
                 struct cb_error *e)
{
    size_t na = a->nruns, nb = b->nruns, n = na < nb ? na : nb, np = 0, nw;
    char **ka = keys_of(a, 1), **kb = keys_of(b, 1);
    char **wa = keys_of(a, 0), **wb = keys_of(b, 0);
    unsigned char *ua = calloc(na + 1, 1), *ub = calloc(nb + 1, 1);
    size_t *pa = malloc((n + 1) * sizeof *pa), *pb = malloc((n + 1) *
                                                             sizeof *pb);
    int rc = CB_ENOMEM;

    memset(c, 0, sizeof *c);
    c->a = a;
    c->b = b;
    c->rows = calloc(n + 1, sizeof *c->rows);
    c->only_a = malloc((na + 1) * sizeof *c->only_a);
    c->only_b = malloc((nb + 1) * sizeof *c->only_b);
    if (!ka || !kb || !wa || !wb || !ua || !ub || !pa || !pb || !c->rows ||
        !c->only_a || !c->only_b ||
        pair_by(ka, na, kb, nb, ua, ub, pa, pb, &np))
        goto out;
    nw = np;
    if (pair_by(wa, na, wb, nb, ua, ub, pa, pb, &nw))
        goto out;
    /* pa/pb [0, np): the same configuration; [np, nw): the same but for
     * the workload, compared only with --force */
    for (size_t k = 0; k < nw; k++) {
        if (k >= np && !o->force)
            break;
        c->rows[c->nrows].a = &a->runs[pa[k]];
        c->rows[c->nrows].b = &b->runs[pb[k]];
        c->rows[c->nrows++].workload = k >= np;
    }
    if (!o->force && nw > np) {
        c->wl_a = malloc((nw - np) * sizeof *c->wl_a);
        c->wl_b = malloc((nw - np) * sizeof *c->wl_b);
        if (!c->wl_a || !c->wl_b)
            goto out;
        memcpy(c->wl_a, pa + np, (nw - np) * sizeof *pa);
        memcpy(c->wl_b, pb + np, (nw - np) * sizeof *pb);
        c->nwl = nw - np;
    }
    qsort(c->rows, c->nrows, sizeof *c->rows, by_base);
    for (size_t i = 0; i < na; i++)
        if (!ua[i])
            c->only_a[c->nonly_a++] = i;
    for (size_t j = 0; j < nb; j++)
        if (!ub[j])
            c->only_b[c->nonly_b++] = j;
    for (size_t i = 0; i < c->nrows; i++) {
        struct cb_cmp_row *r = &c->rows[i];
        if (test_row(r))
            goto out;
        for (size_t j = i + 1; j < c->nrows; j++)
            if (same_shown(r->a, c->rows[j].a))
                r->ambiguous = c->rows[j].ambiguous = 1;
    }
    if (adjust(c))
        goto out;
    for (size_t i = 0; i < c->nrows; i++) {
        struct cb_cmp_row *r = &c->rows[i];
        verdict(r, o);
        r->gated = isfinite(o->gate_pct) && r->v == CB_V_SLOWER &&
                   r->ratio > 1 + o->gate_pct / 100;
        c->ngated += r->gated;
    }
    context_diffs(c);
    cb_cmp_tally(c, NULL, &c->all);
    rc = 0;
out:
    keys_free(ka, na);
    keys_free(kb, nb);
    keys_free(wa, na);
    keys_free(wb, nb);
    free(ua);
    free(ub);
    free(pa);
    free(pb);
    if (rc) {
        cb_cmp_free(c);
        CB_FAIL(e, rc, "out of memory pairing configurations");
    }
    return rc;
}

void cb_cmp_free(struct cb_cmp *c)
{
    free(c->rows);
    free(c->only_a);
    free(c->only_b);
    free(c->wl_a);
    free(c->wl_b);
    memset(c, 0, sizeof *c);
}

void cb_cmp_tally(const struct cb_cmp *c, const char *x,
                  struct cb_cmp_tally *t)
{
    double *ratios = malloc((c->nrows + 1) * sizeof *ratios);
    size_t nr = 0;
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < c->nrows; i++) {
        const struct cb_cmp_row *r = &c->rows[i];
        if (x && strcmp(x, r->a->cfg.executor) != 0)
            continue;
        t->rows++;
        t->count[r->v]++;
        /* rows without a ratio (an empty side) do not enter the mean */
        if (ratios && isfinite(r->ratio) && r->ratio > 0)
            ratios[nr++] = r->ratio;
    }
    t->geomean = nr ? cb_geomean(ratios, nr) : NAN;
    free(ratios);
}
