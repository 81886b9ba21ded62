/* The comparisons for people and programs: one flow of items and a table,
 * rendered for the terminal (aligned, ASCII cells) or as Markdown (every
 * piece through cb_text_md), and the JSON document. Every string from a
 * file is cleaned (text.h) before it is put anywhere; times follow the
 * unit convention (units.h). */
#include "compare.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "units.h"

#define CELL 160
#define LINE 2048
#define MAX_LISTED 8 /* configurations named in a list before "and N more" */

enum col {
    C_KERNEL, C_SIZE, C_LABEL, C_WORKERS, C_WORKLOAD, C_N, C_BASE, C_NEW,
    C_RATIO, C_P, C_VERDICT, NCOL
};
static const char *const col_head[NCOL] = {
    "kernel", "size", "configuration", "w", "workload", "samples",
    "base " CB_ESTIMATOR_NAME, "new " CB_ESTIMATOR_NAME, "ratio [95% CI]",
    "p (BH)", "verdict"};
static const unsigned char col_right[NCOL] = {0, 0, 0, 1, 0, 1,
                                              1, 1, 0, 1, 0};

/* Where the flow goes: the terminal, or a Markdown file. */
struct out {
    FILE *f;
    int md;
};

/* One item: a line on the terminal, a list item in Markdown. */
static void item(const struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void item(const struct out *o, const char *fmt, ...)
{
    char line[LINE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (!o->md) {
        fprintf(o->f, "%s\n", line);
        return;
    }
    fputs("- ", o->f);
    cb_text_md(o->f, line, 0);
    fputc('\n', o->f);
}

static void blank(const struct out *o)
{
    fputc('\n', o->f);
}

/* ---- cells --------------------------------------------------------------- */

static void fmt_fixed(double x, char *out, size_t cap)
{
    if (isfinite(x))
        snprintf(out, cap, fabs(x) < 1e6 ? "%.3f" : "%.3g", x);
    else
        snprintf(out, cap, "-");
}

static void fmt_p(double p, char *out, size_t cap)
{
    if (!isfinite(p))
        snprintf(out, cap, "-");
    else if (p < 0.0001)
        snprintf(out, cap, "<0.0001");
    else
        snprintf(out, cap, "%.4f", p > 1 ? 1.0 : p);
}

/* "n=20000 bits=62", and the pin when it is not none: what tells apart
 * configurations that show the same kernel, size, label and workers. */
static void workload(const struct cb_run *r, char *out, size_t cap)
{
    const char *k;
    json_t *v;
    size_t o = 0;
    char kk[64], vv[96];
    out[0] = '\0';
    json_object_foreach(r->cfg.params, k, v) {
        cb_text_clean_ascii(k, kk, sizeof kk, 16);
        cb_text_clean_ascii(json_is_string(v) ? json_string_value(v) : "?",
                            vv, sizeof vv, 20);
        o += (size_t)snprintf(out + o, cap - o, "%s%s=%s", o ? " " : "", kk,
                              vv);
        if (o >= cap)
            return;
    }
    if (strcmp(r->cfg.pin, "none") != 0) {
        cb_text_clean_ascii(r->cfg.pin, vv, sizeof vv, 24);
        snprintf(out + o, cap - o, "%spin=%s", o ? " " : "", vv);
    }
}

static void row_cells(const struct cb_cmp_row *r, char (*w)[CELL])
{
    char lo[32], hi[32], est[32];
    cb_text_clean_ascii(r->a->cfg.kernel, w[C_KERNEL], CELL, 24);
    cb_text_clean_ascii(r->a->cfg.size, w[C_SIZE], CELL, 16);
    cb_text_clean_ascii(r->a->d.label, w[C_LABEL], CELL, 0);
    snprintf(w[C_WORKERS], CELL, "%d", r->a->cfg.workers);
    workload(r->a, w[C_WORKLOAD], CELL);
    snprintf(w[C_N], CELL, "%zu/%zu", r->a->d.used, r->b->d.used);
    cb_fmt_time(r->a->d.sum.est, w[C_BASE], CELL);
    cb_fmt_time(r->b->d.sum.est, w[C_NEW], CELL);
    fmt_fixed(r->ratio, est, sizeof est);
    fmt_fixed(r->lo, lo, sizeof lo);
    fmt_fixed(r->hi, hi, sizeof hi);
    if (isfinite(r->lo))
        snprintf(w[C_RATIO], CELL, "%s [%s, %s]", est, lo, hi);
    else
        snprintf(w[C_RATIO], CELL, "%s", est);
    fmt_p(r->v == CB_V_FEW ? NAN : r->p_adj, w[C_P], CELL);
    snprintf(w[C_VERDICT], CELL, "%s%s%s", cb_verdict_name[r->v],
             r->underpowered ? "*" : r->within ? "~" : "",
             r->workload ? " (workload differs)" : "");
}

/* The rows of c: aligned on the terminal (the workload column only when
 * some rows need it), a pipe table in Markdown. */
static void table(const struct out *o, const struct cb_cmp *c)
{
    char(*cell)[NCOL][CELL] = calloc(c->nrows + 1, sizeof *cell);
    int width[NCOL] = {0}, show[NCOL];
    if (!cell) {
        item(o, "(out of memory for the table)");
        return;
    }
    for (int k = 0; k < NCOL; k++)
        snprintf(cell[0][k], CELL, "%s", col_head[k]);
    for (size_t i = 0; i < c->nrows; i++)
        row_cells(&c->rows[i], cell[i + 1]);
    for (int k = 0; k < NCOL; k++) {
        show[k] = k != C_WORKLOAD;
        for (size_t i = 0; i <= c->nrows; i++) {
            int len = (int)strlen(cell[i][k]);
            width[k] = len > width[k] ? len : width[k];
            if (i > 0 && k == C_WORKLOAD && c->rows[i - 1].ambiguous)
                show[k] = 1;
        }
    }
    for (size_t i = 0; i <= c->nrows; i++) {
        char line[NCOL * (CELL + 2) + 2];
        size_t n = 0;
        for (int k = 0; k < NCOL; k++) {
            if (!show[k])
                continue;
            if (o->md) {
                fputs(n++ ? " | " : "| ", o->f);
                cb_text_md(o->f, cell[i][k], 0);
                continue;
            }
            n += (size_t)snprintf(line + n, sizeof line - n,
                                  col_right[k] ? "%s%*s" : "%s%-*s",
                                  n ? "  " : "", width[k], cell[i][k]);
        }
        if (o->md) {
            fputs(" |\n", o->f);
            for (int k = 0; i == 0 && k < NCOL; k++)
                if (show[k])
                    fputs(col_right[k] ? "|---:" : "|---", o->f);
            if (i == 0)
                fputs("|\n", o->f);
            continue;
        }
        while (n > 0 && line[n - 1] == ' ')
            line[--n] = '\0'; /* no trailing blanks after the verdict */
        fprintf(o->f, "%s\n", line);
    }
    free(cell);
}

/* ---- the parts of one comparison ----------------------------------------- */

static void file_line(const struct out *o, const char *role,
                      const struct cb_model *m)
{
    char path[200], host[100], cpu[100], date[48];
    cb_text_clean(m->path, path, sizeof path, 120);
    cb_text_clean(m->host ? m->host : "?", host, sizeof host, 60);
    cb_text_clean(m->cpu_model ? m->cpu_model : "cpu unknown", cpu,
                  sizeof cpu, 60);
    cb_text_clean(m->date ? m->date : "?", date, sizeof date, 30);
    item(o, "%-4s %s: host %s, %s, %s, %s%s", role, path, host, cpu,
         m->topo_summary, date, m->complete ? "" : ", incomplete");
}

static void context(const struct out *o, const struct cb_cmp *c,
                    const struct cb_cmp_opts *opt)
{
    file_line(o, "base", c->a);
    file_line(o, "new", c->b);
    for (int i = 0; i < c->ndiff; i++)
        item(o, "differs: %s: %s -> %s", c->diff[i].field, c->diff[i].a,
             c->diff[i].b);
    if (c->machines)
        item(o, "different machines: each ratio compares the two machines "
                "on that configuration");
    if (c->builds)
        item(o, "different builds: each ratio includes the build");
    item(o, "test: two-sided Mann-Whitney U on the raw samples, p "
            "Benjamini-Hochberg-adjusted over the %d tests, alpha %g, "
            "threshold %g%%; ratio = %s new / %s base, %.0f%% bootstrap CI",
         c->all.rows - c->all.count[CB_V_FEW], opt->alpha,
         opt->threshold_pct, CB_ESTIMATOR_NAME, CB_ESTIMATOR_NAME,
         CB_CMP_LEVEL * 100);
    blank(o);
}

static void legend(const struct out *o, const struct cb_cmp *c,
                   const struct cb_cmp_opts *opt)
{
    const struct cb_cmp_row *weak = NULL;
    size_t aside_a = 0, aside_b = 0;
    int within = 0;
    for (size_t i = 0; i < c->nrows; i++) {
        if (c->rows[i].underpowered && !weak)
            weak = &c->rows[i];
        within += c->rows[i].within;
        aside_a += c->rows[i].a->d.aside;
        aside_b += c->rows[i].b->d.aside;
    }
    item(o, "samples: base/new. ratio < 1: new is faster. faster/slower: "
            "BH-adjusted p < %g and the ratio moved that way by more "
            "than %g%% (--threshold); same: no significant difference.",
         opt->alpha, opt->threshold_pct);
    if (within)
        item(o, "same~: significant, but within the %g%% threshold: two "
                "runs of identical code differ that much as the machine's "
                "state drifts, which the samples of one run do not show.",
             opt->threshold_pct);
    if (aside_a || aside_b)
        item(o, "samples count those the statistics use: the files set "
                "%zu (base) and %zu (new) interfered samples aside, as "
                "their tables do.", aside_a, aside_b);
    if (c->all.count[CB_V_FEW])
        item(o, "too few samples: fewer than %d on a side, no test made "
                "(rerun with more repetitions).", CB_CMP_MIN_SAMPLES);
    if (weak)
        item(o, "same*: too few samples for p < %g to be possible (%zu + "
                "%zu samples: p >= %.3f), so the test cannot tell; take %zu "
                "or more per side.", opt->alpha, weak->a->d.used,
             weak->b->d.used,
             cb_cmp_min_p(weak->a->d.used, weak->b->d.used),
             cb_cmp_enough(opt->alpha));
    for (size_t i = 0; i < c->nrows; i++)
        if (c->rows[i].workload) {
            item(o, "workload differs: paired by --force although the "
                    "kernel parameters differ, so the ratio counts "
                    "different work.");
            break;
        }
}

static void tally_line(const struct out *o, const char *name, int width,
                       const struct cb_cmp_tally *t)
{
    char g[32], few[48] = "";
    fmt_fixed(t->geomean, g, sizeof g);
    if (o->md) {
        fputs("| ", o->f);
        cb_text_md(o->f, name, 0);
        fprintf(o->f, " | %s | %d | %d | %d | %d | %d |\n", g, t->rows,
                t->count[CB_V_FASTER], t->count[CB_V_SLOWER],
                t->count[CB_V_SAME], t->count[CB_V_FEW]);
        return;
    }
    if (t->count[CB_V_FEW])
        snprintf(few, sizeof few, ", %d too few samples",
                 t->count[CB_V_FEW]);
    item(o, "  %-*s  %6s  %d configuration%s: %d faster, %d slower, %d "
            "same%s", width, name, g, t->rows, t->rows == 1 ? "" : "s",
         t->count[CB_V_FASTER], t->count[CB_V_SLOWER], t->count[CB_V_SAME],
         few);
}

/* Per executor (in order of first appearance), then all of them. */
static void executors(const struct out *o, const struct cb_cmp *c)
{
    int width = 3, nx = 0;
    item(o, "per executor: geometric mean of ratios new/base, verdicts");
    if (o->md)
        fputs("\n| executor | geomean | configurations | faster | slower | "
              "same | too few samples |\n|---|---:|---:|---:|---:|---:|---:|"
              "\n", o->f);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < c->nrows; i++) {
            const char *x = c->rows[i].a->cfg.executor;
            char name[100];
            struct cb_cmp_tally t;
            size_t j = 0;
            while (j < i && strcmp(c->rows[j].a->cfg.executor, x) != 0)
                j++;
            if (j < i)
                continue; /* not its first row */
            cb_text_clean_ascii(x, name, sizeof name, 24);
            if (pass == 0) {
                width = (int)strlen(name) > width ? (int)strlen(name) : width;
                nx++;
                continue;
            }
            cb_cmp_tally(c, x, &t);
            tally_line(o, name, width, &t);
        }
    if (nx > 1)
        tally_line(o, "all", width, &c->all);
}

/* "TITLE (N): ref, ref, ..., and K more": runs idx of m, each with both
 * workloads "(base / new)" when its counterparts oidx of `other` are
 * given. */
static void listing(const struct out *o, const char *title,
                    const struct cb_model *m, const size_t *idx, size_t n,
                    const struct cb_model *other, const size_t *oidx)
{
    char line[LINE], ref[300];
    size_t len;
    if (!n)
        return;
    len = (size_t)snprintf(line, sizeof line, "%s (%zu):", title, n);
    for (size_t i = 0; i < n && i < MAX_LISTED && len < sizeof line; i++) {
        cb_cmp_ref(&m->runs[idx[i]], ref, sizeof ref);
        len += (size_t)snprintf(line + len, sizeof line - len, "%s %s",
                                i ? "," : "", ref);
        if (other && len < sizeof line) {
            char wa[CELL], wb[CELL];
            workload(&m->runs[idx[i]], wa, sizeof wa);
            workload(&other->runs[oidx[i]], wb, sizeof wb);
            len += (size_t)snprintf(line + len, sizeof line - len,
                                    " (%s / %s)", wa, wb);
        }
    }
    if (n > MAX_LISTED && len < sizeof line)
        snprintf(line + len, sizeof line - len, ", and %zu more",
                 n - MAX_LISTED);
    item(o, "%s", line);
}

static void summary(const struct out *o, const struct cb_cmp *c, int many,
                    const struct cb_cmp_opts *opt)
{
    char path[200] = "", few[48] = "";
    if (many) {
        cb_text_clean(c->b->path, path, sizeof path - 2, 120);
        strcat(path, ": ");
    }
    if (c->all.count[CB_V_FEW])
        snprintf(few, sizeof few, ", %d too few samples",
                 c->all.count[CB_V_FEW]);
    item(o, "%s%d configurations: %d faster, %d slower, %d no significant "
            "difference%s (alpha %g BH-adjusted, threshold %g%%, "
            "two-sided Mann-Whitney U)", path, c->all.rows,
         c->all.count[CB_V_FASTER], c->all.count[CB_V_SLOWER],
         c->all.count[CB_V_SAME], few, opt->alpha, opt->threshold_pct);
}

static void comparison(const struct out *o, const struct cb_cmp *c,
                       int many, const struct cb_cmp_opts *opt)
{
    char path[200], title[240];
    if (o->md) {
        cb_text_clean(c->b->path, path, sizeof path, 120);
        fputs("## ", o->f);
        cb_text_md(o->f, path, 0);
        fputs("\n\n", o->f);
    }
    context(o, c, opt);
    if (c->nrows) {
        table(o, c);
        blank(o);
        legend(o, c, opt);
        blank(o);
        executors(o, c);
    } else {
        item(o, "no configurations in common: nothing to compare");
    }
    if (c->nwl || c->nonly_a || c->nonly_b)
        blank(o);
    listing(o, "not compared, the workload (kernel parameters) differs; "
               "--force pairs them", c->a, c->wl_a, c->nwl, c->b, c->wl_b);
    cb_text_clean(c->a->path, path, sizeof path, 120);
    snprintf(title, sizeof title, "only in %s", path);
    listing(o, title, c->a, c->only_a, c->nonly_a, NULL, NULL);
    cb_text_clean(c->b->path, path, sizeof path, 120);
    snprintf(title, sizeof title, "only in %s", path);
    listing(o, title, c->b, c->only_b, c->nonly_b, NULL, NULL);
    blank(o);
    summary(o, c, many, opt);
}

/* The gate's verdict over every comparison; the configurations that fail
 * it also go to stderr, one line each, on the terminal run. */
static void gate(const struct out *o, const struct cb_cmp *c, size_t n,
                 const struct cb_cmp_opts *opt)
{
    int failed = 0, rows = 0, few = 0;
    char ref[300], path[200];
    for (size_t k = 0; k < n; k++) {
        failed += c[k].ngated;
        rows += c[k].all.rows;
        few += c[k].all.count[CB_V_FEW];
    }
    blank(o);
    if (!failed) {
        item(o, "gate --fail-if-slower %g%%: passed, no configuration "
                "significantly slower by more than %g%% (%d compared, %d "
                "too few samples to test)", opt->gate_pct, opt->gate_pct,
             rows, few);
        return;
    }
    item(o, "gate --fail-if-slower %g%%: FAILED, %d configuration%s "
            "significantly slower by more than %g%%:", opt->gate_pct, failed,
         failed == 1 ? "" : "s", opt->gate_pct);
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < c[k].nrows; i++) {
            const struct cb_cmp_row *r = &c[k].rows[i];
            char line[LINE];
            if (!r->gated)
                continue;
            cb_cmp_ref(r->a, ref, sizeof ref);
            cb_text_clean(c[k].b->path, path, sizeof path, 120);
            snprintf(line, sizeof line, "%s: %s: ratio %.3f [%.3f, %.3f], "
                     "p %.4g (BH)", path, ref, r->ratio, r->lo, r->hi,
                     r->p_adj);
            item(o, "  %s", line);
            if (!o->md)
                fprintf(stderr, "corebench compare: slower by more than "
                        "%g%%: %s\n", opt->gate_pct, line);
        }
}

void cb_cmp_print(const struct cb_cmp *c, size_t n,
                  const struct cb_cmp_opts *o)
{
    const struct out out = {stdout, 0};
    for (size_t k = 0; k < n; k++) {
        if (k)
            blank(&out);
        comparison(&out, &c[k], n > 1, o);
    }
    if (isfinite(o->gate_pct))
        gate(&out, c, n, o);
    fflush(stdout);
}

int cb_cmp_markdown(FILE *f, void *arg)
{
    const struct cb_cmp_doc *d = arg;
    const struct out out = {f, 1};
    fputs("# corebench compare\n\n", f);
    for (size_t k = 0; k < d->n; k++) {
        comparison(&out, &d->c[k], d->n > 1, d->o);
        blank(&out);
    }
    if (isfinite(d->o->gate_pct)) {
        fputs("## Gate\n", f);
        gate(&out, d->c, d->n, d->o);
    }
    return 0;
}

/* ---- JSON ---------------------------------------------------------------- */

/* A configuration's identity and label, as the model has it. */
static json_t *config_json(const struct cb_run *r)
{
    json_t *xp = json_object();
    for (int i = 0; i < r->cfg.nxp; i++)
        json_object_set_new(xp, r->cfg.xp[i].name,
                            cb_json_text(r->cfg.xp[i].val));
    return json_pack("{s:o, s:o, s:O, s:o, s:o, s:i, s:o, s:o, s:o}",
                     "kernel", cb_json_text(r->cfg.kernel), "size",
                     cb_json_text(r->cfg.size), "params", r->cfg.params,
                     "executor", cb_json_text(r->cfg.executor), "runtime",
                     cb_json_text(r->cfg.runtime), "workers", r->cfg.workers,
                     "exec_params", xp, "pin", cb_json_text(r->cfg.pin),
                     "label", cb_json_text(r->d.label));
}

static json_t *row_json(const struct cb_cmp_row *r)
{
    json_t *j = config_json(r->a);
    json_object_set_new(j, "base", json_pack("{s:I, s:I, s:o, s:o}", "n",
                        (json_int_t)r->a->d.used, "set_aside",
                        (json_int_t)r->a->d.aside, "median",
                        cb_json_num(r->a->d.sum.median), "estimate",
                        cb_json_num(r->a->d.sum.est)));
    json_object_set_new(j, "new", json_pack("{s:I, s:I, s:o, s:o}", "n",
                        (json_int_t)r->b->d.used, "set_aside",
                        (json_int_t)r->b->d.aside, "median",
                        cb_json_num(r->b->d.sum.median), "estimate",
                        cb_json_num(r->b->d.sum.est)));
    json_object_set_new(j, "ratio", cb_json_num(r->ratio));
    json_object_set_new(j, "ratio_ci_lo", cb_json_num(r->lo));
    json_object_set_new(j, "ratio_ci_hi", cb_json_num(r->hi));
    json_object_set_new(j, "u", cb_json_num(r->u));
    json_object_set_new(j, "p", cb_json_num(r->p));
    json_object_set_new(j, "p_adj", cb_json_num(r->p_adj));
    json_object_set_new(j, "within_threshold", json_boolean(r->within));
    json_object_set_new(j, "verdict", json_string(cb_verdict_name[r->v]));
    json_object_set_new(j, "underpowered", json_boolean(r->underpowered));
    json_object_set_new(j, "workload_differs", json_boolean(r->workload));
    json_object_set_new(j, "gate_failed", json_boolean(r->gated));
    if (r->workload)
        json_object_set(j, "new_params", r->b->cfg.params);
    return j;
}

static json_t *tally_json(const struct cb_cmp_tally *t, const char *x)
{
    return json_pack("{s:o, s:i, s:o, s:i, s:i, s:i, s:i}", "executor",
                     x ? cb_json_text(x) : json_null(), "configurations",
                     t->rows, "geomean_ratio", cb_json_num(t->geomean),
                     "faster", t->count[CB_V_FASTER], "slower",
                     t->count[CB_V_SLOWER], "same", t->count[CB_V_SAME],
                     "too_few_samples", t->count[CB_V_FEW]);
}

static json_t *runs_json(const struct cb_model *m, const size_t *idx,
                         size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, config_json(&m->runs[idx[i]]));
    return a;
}

static json_t *one_json(const struct cb_cmp *c)
{
    json_t *j = json_object(), *rows = json_array(), *diffs = json_array(),
           *xs = json_array(), *wl = json_array();
    for (size_t i = 0; i < c->nrows; i++) {
        const char *x = c->rows[i].a->cfg.executor;
        struct cb_cmp_tally t;
        size_t k = 0;
        json_array_append_new(rows, row_json(&c->rows[i]));
        while (k < i && strcmp(c->rows[k].a->cfg.executor, x) != 0)
            k++;
        if (k < i)
            continue;
        cb_cmp_tally(c, x, &t);
        json_array_append_new(xs, tally_json(&t, x));
    }
    for (int i = 0; i < c->ndiff; i++)
        json_array_append_new(diffs, json_pack("{s:s, s:s, s:s}", "field",
                              c->diff[i].field, "base", c->diff[i].a, "new",
                              c->diff[i].b));
    for (size_t i = 0; i < c->nwl; i++) {
        json_t *p = config_json(&c->a->runs[c->wl_a[i]]);
        json_object_set(p, "new_params", c->b->runs[c->wl_b[i]].cfg.params);
        json_array_append_new(wl, p);
    }
    json_object_set_new(j, "file", cb_json_text(c->b->path));
    json_object_set_new(j, "context_differences", diffs);
    json_object_set_new(j, "machines_differ", json_boolean(c->machines));
    json_object_set_new(j, "builds_differ", json_boolean(c->builds));
    json_object_set_new(j, "rows", rows);
    json_object_set_new(j, "executors", xs);
    json_object_set_new(j, "workload_differs", wl);
    json_object_set_new(j, "only_in_base",
                        runs_json(c->a, c->only_a, c->nonly_a));
    json_object_set_new(j, "only_in_new",
                        runs_json(c->b, c->only_b, c->nonly_b));
    json_object_set_new(j, "summary", tally_json(&c->all, NULL));
    json_object_set_new(j, "gate_failed", json_integer(c->ngated));
    return j;
}

json_t *cb_cmp_json(const struct cb_cmp *c, size_t n,
                    const struct cb_cmp_opts *o)
{
    json_t *all = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(all, one_json(&c[k]));
    return json_pack("{s:s, s:o, s:s, s:s, s:o, s:s, s:f, s:I, s:I, s:o, "
                     "s:o, s:b, s:o}",
                     "schema", CB_CMP_SCHEMA, "alpha", cb_json_num(o->alpha),
                     "test", "two-sided Mann-Whitney U", "p_adjust",
                     "benjamini-hochberg",
                     "threshold_pct", cb_json_num(o->threshold_pct),
                     "estimator", CB_ESTIMATOR_NAME, "ci_level",
                     CB_CMP_LEVEL, "bootstrap_rounds",
                     (json_int_t)CB_BOOTSTRAP_ROUNDS, "bootstrap_seed",
                     (json_int_t)CB_BOOTSTRAP_SEED, "base",
                     cb_json_text(n ? c[0].a->path : NULL),
                     "fail_if_slower_pct", cb_json_num(o->gate_pct),
                     "force", o->force, "comparisons", all);
}
