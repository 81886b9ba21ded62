/* corebench compare BASE.json NEW.json [MORE.json ...]
 *
 * Compares the configurations two or more result files have in common:
 * per configuration the ratio of medians (new / base) with a bootstrap CI
 * and a two-sided Mann-Whitney U test on the raw samples, then a geometric
 * mean per executor and a one-line summary. Every later file is compared
 * against the first.
 *
 * Result files are untrusted input: every string taken from one is cleaned
 * (control characters, escape sequences, length) before it reaches the
 * terminal. Differences are not errors (exit 0); unreadable files and
 * incompatible builds or machines are (exit 2). */
#include "commands.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "common.h"
#include "results.h"
#include "stats.h"

#define CMP_SCHEMA "corebench-compare/1"
#define CMP_LEVEL 0.95
#define CMP_MIN_SAMPLES 3   /* below this on either side: no test */
#define CMP_MAX_UNMATCHED 8 /* unmatched labels listed before "and N more" */
#define CMP_CELL 96         /* bytes per table cell */

static const char usage_text[] =
    "usage: corebench compare BASE.json NEW.json [MORE.json ...] [options]\n"
    "\n"
    "Compares every configuration NEW has in common with BASE (same kernel,\n"
    "size, params, executor, workers, chunksize, schedule, switch interval,\n"
    "start method and pin): ratio of medians new/base with a 95% bootstrap\n"
    "CI, a two-sided Mann-Whitney U test on the raw samples, and a verdict\n"
    "(faster / slower / same). More files are each compared against BASE.\n"
    "\n"
    "options:\n"
    "  --alpha A    significance level, 0 < A <= 0.5 (default 0.05)\n"
    "  --force      compare even when the build (build type, compiler,\n"
    "               cflags) or the topology fingerprint differ; warns\n"
    "  --json FILE  also write the comparison as JSON (replaces FILE\n"
    "               atomically; never one of the inputs)\n"
    "  --help       this text\n"
    "\n"
    "exit status: 0 compared (differences are not errors), 1 failure while\n"
    "working, 2 bad arguments, unreadable or incompatible files.\n";

enum verdict { V_FASTER, V_SLOWER, V_SAME, V_FEW, V_COUNT };
static const char *const verdict_name[V_COUNT] = {"faster", "slower", "same",
                                                  "too few samples"};

/* One run of a file, validated. Pointers borrow from the file's JSON. */
struct cfg {
    const json_t *run;
    char *key;       /* canonical JSON of the identifying fields */
    char label[520]; /* cleaned, without params: "gcd/small serial x1" */
    double *samples;
    size_t n;
    int matched;
};

struct file {
    const char *path; /* argv string, not owned */
    char shown[300];  /* path cleaned for printing */
    json_t *root;
    struct cfg *cfgs;
    size_t ncfg;
};

/* One matched configuration. */
struct row {
    const struct cfg *a, *b;
    double med_a, med_b, ratio, lo, hi, u, p;
    enum verdict v;
    int underpowered; /* "same" only because p < alpha was impossible */
    int show_params;
};


/* A JSON string of a path from the command line, which need not be UTF-8
 * (jansson refuses it then): the cleaned form in that case. */
static json_t *path_json(const struct file *f)
{
    json_t *s = json_string(f->path);
    return s ? s : json_string(f->shown);
}

static const char *json_str(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- loading ------------------------------------------------------------ */

/* The fields that identify a configuration, in SCHEMA.md's words. */
static const char *const key_fields[] = {
    "kernel",       "size",      "params",   "executor",
    "workers",      "chunksize", "schedule", "switch_interval_us",
    "start_method", "pin"};
#define NKEY (sizeof key_fields / sizeof key_fields[0])

/* The identifying fields of a run, missing ones as null. New reference. */
static json_t *key_json(const json_t *run)
{
    json_t *k = json_object();
    for (size_t i = 0; k && i < NKEY; i++) {
        json_t *v = json_object_get(run, key_fields[i]);
        json_object_set(k, key_fields[i], v ? v : json_null());
    }
    return k;
}

/* Canonical text of the identifying fields: sorted keys, so two files
 * written in a different key order still match. */
static char *config_key(const json_t *run)
{
    json_t *k = key_json(run);
    char *s =
        k ? json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)
          : NULL;
    json_decref(k);
    return s;
}

/* Appends " text" (no blank before the first) to out, cutting at cap. */
static void append(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char *out, size_t cap, const char *fmt, ...)
{
    size_t o = strlen(out);
    va_list ap;
    if (o > 0 && o + 1 < cap)
        out[o++] = ' ';
    va_start(ap, fmt);
    vsnprintf(out + o, cap - o, fmt, ap);
    va_end(ap);
}

/* "chunksize=4 pin=cores" and so on: the identifying fields a row shows
 * beyond kernel, size, executor and workers (pin "none" is the default). */
static void config_options(const json_t *run, int with_params, char *out,
                           size_t cap)
{
    char clean[CMP_CELL];
    const char *s;
    json_t *v;

    out[0] = '\0';
    if (json_is_integer(v = json_object_get(run, "chunksize")))
        append(out, cap, "chunksize=%lld", (long long)json_integer_value(v));
    if ((s = json_str(run, "schedule"))) {
        cb_clean_text(s, clean, sizeof clean, 16, 1);
        append(out, cap, "schedule=%s", clean);
    }
    if (json_is_integer(v = json_object_get(run, "switch_interval_us")))
        append(out, cap, "switch=%lldus", (long long)json_integer_value(v));
    if ((s = json_str(run, "start_method"))) {
        cb_clean_text(s, clean, sizeof clean, 16, 1);
        append(out, cap, "start=%s", clean);
    }
    if ((s = json_str(run, "pin")) && strcmp(s, "none") != 0) {
        cb_clean_text(s, clean, sizeof clean, 24, 1);
        append(out, cap, "pin=%s", clean);
    }
    if (with_params && (v = json_object_get(run, "params"))) {
        char *d =
            json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
        cb_clean_text(d ? d : "?", clean, sizeof clean, 60, 1);
        free(d);
        append(out, cap, "params=%s", clean);
    }
}

/* "gcd/small threads x4 chunksize=8", cleaned. out: 520 bytes or more. */
static void config_label(const json_t *run, int with_params, char *out,
                         size_t cap)
{
    char k[CMP_CELL], x[CMP_CELL], sz[CMP_CELL], opt[CMP_CELL * 2];
    cb_clean_text(json_str(run, "kernel"), k, sizeof k, 20, 1);
    cb_clean_text(json_str(run, "executor"), x, sizeof x, 20, 1);
    cb_clean_text(json_str(run, "size") ? json_str(run, "size") : "-", sz,
              sizeof sz, 12, 1);
    config_options(run, with_params, opt, sizeof opt);
    snprintf(out, cap, "%s/%s %s x%lld%s%s", k, sz, x,
             (long long)json_integer_value(json_object_get(run, "workers")),
             opt[0] ? " " : "", opt);
}

static int load_runs(struct file *f, struct cb_error *e)
{
    const json_t *runs = json_object_get(f->root, "runs");
    size_t i, j;

    f->ncfg = json_array_size(runs);
    f->cfgs = calloc(f->ncfg ? f->ncfg : 1, sizeof *f->cfgs);
    if (!f->cfgs)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    for (i = 0; i < f->ncfg; i++) {
        struct cfg *c = &f->cfgs[i];
        const json_t *run = json_array_get(runs, i), *smp;

        c->run = run;
        if (!json_is_object(run))
            return CB_FAIL(e, CB_EUSAGE, "%s: runs[%zu] is not an object",
                           f->shown, i);
        if (!json_str(run, "kernel") || !json_str(run, "executor") ||
            !json_is_integer(json_object_get(run, "workers")))
            return CB_FAIL(e, CB_EUSAGE,
                           "%s: runs[%zu]: needs string \"kernel\" and "
                           "\"executor\" and integer \"workers\"",
                           f->shown, i);
        smp = json_object_get(run, "samples");
        if (!json_is_array(smp))
            return CB_FAIL(e, CB_EUSAGE, "%s: runs[%zu]: no \"samples\" array",
                           f->shown, i);
        c->n = json_array_size(smp);
        c->samples = malloc((c->n ? c->n : 1) * sizeof *c->samples);
        c->key = config_key(run);
        if (!c->samples || !c->key)
            return CB_FAIL(e, CB_ENOMEM, "out of memory");
        for (j = 0; j < c->n; j++) {
            const json_t *v = json_array_get(smp, j);
            double t = json_number_value(v);
            /* A time that is not a finite non-negative number means the
             * file is damaged; comparing it would give a meaningless row. */
            if (!json_is_number(v) || !isfinite(t) || t < 0)
                return CB_FAIL(e, CB_EUSAGE,
                               "%s: runs[%zu]: samples[%zu] is not a time "
                               "in seconds",
                               f->shown, i, j);
            c->samples[j] = t;
        }
        config_label(run, 0, c->label, sizeof c->label);
    }
    return 0;
}

static void file_release(struct file *f)
{
    for (size_t i = 0; f->cfgs && i < f->ncfg; i++) {
        free(f->cfgs[i].key);
        free(f->cfgs[i].samples);
    }
    free(f->cfgs);
    json_decref(f->root);
}

/* ---- context compatibility ---------------------------------------------- */

/* Fields that must agree for the numbers to be comparable: otherwise the
 * comparison measures the compiler or the machine, not the change. */
static const struct {
    const char *obj, *key, *name;
} ctx_fields[] = {
    {"corebench", "build_type", "context.corebench.build_type"},
    {"corebench", "compiler", "context.corebench.compiler"},
    {"corebench", "cflags", "context.corebench.cflags"},
    {"topology", "fingerprint", "context.topology.fingerprint"},
};
#define NCTX (sizeof ctx_fields / sizeof ctx_fields[0])

static const json_t *ctx_value(const struct file *f, size_t i)
{
    const json_t *ctx = json_object_get(f->root, "context");
    return json_object_get(json_object_get(ctx, ctx_fields[i].obj),
                           ctx_fields[i].key);
}

/* 'value' quoted and cleaned, or (missing) / the JSON of a non-string.
 * cap >= 500 holds any 120-character value. */
static void show_value(const json_t *v, char *out, size_t cap)
{
    char *d;
    if (!v) {
        snprintf(out, cap, "(missing)");
    } else if (json_is_string(v)) {
        out[0] = '\'';
        cb_clean_text(json_string_value(v), out + 1, cap - 2, 120, 0);
        strcat(out, "'");
    } else {
        d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
        cb_clean_text(d ? d : "?", out, cap, 120, 1);
        free(d);
    }
}

/* Prints one line per differing field (to stderr) and adds them to diffs.
 * Returns how many differ. */
static int check_context(const struct file *a, const struct file *b, int force,
                         json_t *diffs)
{
    int n = 0;
    for (size_t i = 0; i < NCTX; i++) {
        const json_t *va = ctx_value(a, i), *vb = ctx_value(b, i);
        char sa[600], sb[600];
        if (va == vb || (va && vb && json_equal(va, vb)))
            continue;
        n++;
        show_value(va, sa, sizeof sa);
        show_value(vb, sb, sizeof sb);
        if (force)
            fprintf(stderr,
                    "corebench compare: WARNING: %s differs: %s has %s, "
                    "%s has %s; comparing anyway (--force), so the ratios "
                    "include that difference\n",
                    ctx_fields[i].name, a->shown, sa, b->shown, sb);
        else
            fprintf(stderr,
                    "corebench compare: %s differs: %s has %s, %s has %s "
                    "(use --force to compare anyway)\n",
                    ctx_fields[i].name, a->shown, sa, b->shown, sb);
        json_array_append_new(diffs, json_pack("{s:s, s:O?, s:O?}", "field",
                                               ctx_fields[i].name, "base", va,
                                               "new", vb));
    }
    return n;
}

/* ---- statistics per row ------------------------------------------------- */

/* Smallest two-sided p the exact test can give for na + nb samples without
 * ties: both extreme rank orders, 2 / C(na + nb, na). */
static double min_p(size_t na, size_t nb)
{
    double c = 1;
    for (size_t i = 1; i <= nb; i++)
        c = c * (double)(na + i) / (double)i;
    return 2 / c;
}

static void compare_row(struct row *r, double alpha)
{
    const struct cfg *a = r->a, *b = r->b;

    r->med_a = cb_median(a->samples, a->n);
    r->med_b = cb_median(b->samples, b->n);
    r->ratio = r->lo = r->hi = r->u = r->p = NAN;
    if (a->n > 0 && b->n > 0)
        cb_ratio_ci(b->samples, b->n, a->samples, a->n, CMP_LEVEL,
                    CB_BOOTSTRAP_SEED, CB_BOOTSTRAP_ROUNDS, &r->ratio, &r->lo,
                    &r->hi);
    if (a->n < CMP_MIN_SAMPLES || b->n < CMP_MIN_SAMPLES) {
        r->v = V_FEW;
        return;
    }
    cb_mann_whitney(a->samples, a->n, b->samples, b->n, &r->u, &r->p);
    if (!(r->p < alpha)) {
        r->v = V_SAME;
        r->underpowered = min_p(a->n, b->n) >= alpha;
        return;
    }
    /* The direction follows the medians; when they are equal but the ranks
     * differ significantly, U of the base decides (U > na*nb/2: base times
     * rank higher, so new is faster). */
    if (r->ratio < 1 ||
        (!(r->ratio > 1) && r->u > (double)a->n * (double)b->n / 2))
        r->v = V_FASTER;
    else
        r->v = V_SLOWER;
}

/* ---- formatting --------------------------------------------------------- */

static void fmt_time(double s, char *out, size_t cap)
{
    static const struct {
        double scale;
        const char *unit;
    } u[] = {{1, "s"}, {1e-3, "ms"}, {1e-6, "us"}, {1e-9, "ns"}};
    size_t i = 0;
    double v;

    if (!isfinite(s)) {
        snprintf(out, cap, "-");
        return;
    }
    while (i + 1 < sizeof u / sizeof u[0] && s < u[i].scale)
        i++;
    v = s / u[i].scale;
    snprintf(out, cap,
             v >= 100  ? "%.1f %s"
             : v >= 10 ? "%.2f %s"
                       : "%.3f %s",
             v, u[i].unit);
}

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

enum col {
    C_KERNEL,
    C_SIZE,
    C_EXEC,
    C_WORKERS,
    C_OPTS,
    C_N,
    C_BASE,
    C_NEW,
    C_RATIO,
    C_P,
    C_VERDICT,
    NCOL
};
static const char *const col_head[NCOL] = {
    "kernel",         "size",    "executor",    "workers",
    "options",        "samples", "base median", "new median",
    "ratio [95% CI]", "p",       "verdict"};
static const int col_right[NCOL] = {0, 0, 0, 1, 0, 1, 1, 1, 0, 1, 0};

static void print_table(const struct row *rows, size_t nrows)
{
    char(*cell)[NCOL][CMP_CELL * 2] = calloc(nrows + 1, sizeof *cell);
    int width[NCOL] = {0}, show[NCOL];
    size_t i, c;

    if (!cell) {
        fprintf(stderr, "corebench compare: out of memory\n");
        return;
    }
    for (c = 0; c < NCOL; c++)
        snprintf(cell[0][c], sizeof cell[0][c], "%s", col_head[c]);
    for (i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];
        const json_t *run = r->a->run;
        char(*w)[CMP_CELL * 2] = cell[i + 1];
        char lo[24], hi[24], est[24];

        cb_clean_text(json_str(run, "kernel"), w[C_KERNEL], CMP_CELL, 20, 1);
        cb_clean_text(json_str(run, "size") ? json_str(run, "size") : "-",
                  w[C_SIZE], CMP_CELL, 12, 1);
        cb_clean_text(json_str(run, "executor"), w[C_EXEC], CMP_CELL, 20, 1);
        snprintf(
            w[C_WORKERS], CMP_CELL, "%lld",
            (long long)json_integer_value(json_object_get(run, "workers")));
        config_options(run, r->show_params, w[C_OPTS], CMP_CELL * 2);
        snprintf(w[C_N], CMP_CELL, "%zu/%zu", r->a->n, r->b->n);
        fmt_time(r->med_a, w[C_BASE], CMP_CELL);
        fmt_time(r->med_b, w[C_NEW], CMP_CELL);
        fmt_fixed(r->ratio, est, sizeof est);
        fmt_fixed(r->lo, lo, sizeof lo);
        fmt_fixed(r->hi, hi, sizeof hi);
        if (isfinite(r->lo))
            snprintf(w[C_RATIO], CMP_CELL, "%s [%s, %s]", est, lo, hi);
        else
            snprintf(w[C_RATIO], CMP_CELL, "%s", est);
        fmt_p(r->v == V_FEW ? NAN : r->p, w[C_P], CMP_CELL);
        snprintf(w[C_VERDICT], CMP_CELL, "%s%s", verdict_name[r->v],
                 r->underpowered ? "*" : "");
    }
    /* The options column only when some row has options. */
    for (c = 0; c < NCOL; c++) {
        show[c] = c != C_OPTS;
        for (i = 0; i <= nrows; i++) {
            int len = (int)strlen(cell[i][c]);
            if (len > width[c])
                width[c] = len;
            if (i > 0 && c == C_OPTS && cell[i][c][0])
                show[c] = 1;
        }
    }
    for (i = 0; i <= nrows; i++) {
        int first = 1;
        char line[NCOL * (CMP_CELL * 2 + 2) + 2];
        size_t o = 0;
        for (c = 0; c < NCOL; c++) {
            if (!show[c])
                continue;
            o += (size_t)snprintf(line + o, sizeof line - o,
                                  col_right[c] ? "%s%*s" : "%s%-*s",
                                  first ? "" : "  ", width[c], cell[i][c]);
            first = 0;
        }
        while (o > 0 && line[o - 1] == ' ')
            line[--o] = '\0'; /* no trailing blanks after the verdict */
        puts(line);
    }
    free(cell);
}

/* ---- one comparison ----------------------------------------------------- */

struct tally {
    int count[V_COUNT];
    int rows;
};

/* Whether another configuration of a or b shows the same label as c: then
 * only its params tell them apart. */
static int label_taken(const struct cfg *c, const struct file *a,
                       const struct file *b)
{
    for (int f = 0; f < 2; f++) {
        const struct file *in = f ? b : a;
        for (size_t i = 0; i < in->ncfg; i++)
            if (&in->cfgs[i] != c && strcmp(in->cfgs[i].label, c->label) == 0)
                return 1;
    }
    return 0;
}

/* "only in FILE (N): label, label, and K more"; every one goes to list. */
static void print_unmatched(const struct file *f, const struct file *other,
                            json_t *list)
{
    size_t i, shown = 0, total = 0;
    char label[600];

    for (i = 0; i < f->ncfg; i++)
        total += !f->cfgs[i].matched;
    if (!total)
        return;
    printf("only in %s (%zu):", f->shown, total);
    for (i = 0; i < f->ncfg; i++) {
        const struct cfg *c = &f->cfgs[i];
        if (c->matched)
            continue;
        json_array_append_new(list, key_json(c->run));
        if (shown < CMP_MAX_UNMATCHED) {
            config_label(c->run, label_taken(c, f, other), label, sizeof label);
            printf("%s %s", shown ? "," : "", label);
        }
        shown++;
    }
    if (total > CMP_MAX_UNMATCHED)
        printf(", and %zu more", total - CMP_MAX_UNMATCHED);
    putchar('\n');
}

static json_t *row_json(const struct row *r)
{
    json_t *o = key_json(r->a->run);
    json_object_set_new(o, "base",
                        json_pack("{s:I, s:o}", "n", (json_int_t)r->a->n,
                                  "median", cb_json_num(r->med_a)));
    json_object_set_new(o, "new",
                        json_pack("{s:I, s:o}", "n", (json_int_t)r->b->n,
                                  "median", cb_json_num(r->med_b)));
    json_object_set_new(o, "ratio", cb_json_num(r->ratio));
    json_object_set_new(o, "ratio_ci_lo", cb_json_num(r->lo));
    json_object_set_new(o, "ratio_ci_hi", cb_json_num(r->hi));
    json_object_set_new(o, "u", cb_json_num(r->u));
    json_object_set_new(o, "p", cb_json_num(r->p));
    json_object_set_new(o, "verdict", json_string(verdict_name[r->v]));
    json_object_set_new(o, "underpowered", json_boolean(r->underpowered));
    return o;
}

/* A tally as JSON: verdict counts and the geometric mean of ratios. */
static json_t *tally_json(const struct tally *t, double geomean)
{
    return json_pack("{s:i, s:o, s:i, s:i, s:i, s:i}", "configurations",
                     t->rows, "geomean_ratio", cb_json_num(geomean), "faster",
                     t->count[V_FASTER], "slower", t->count[V_SLOWER], "same",
                     t->count[V_SAME], "too_few_samples", t->count[V_FEW]);
}

static void print_tally(const char *name, int width, const struct tally *t,
                        double geomean)
{
    char g[32];
    fmt_fixed(geomean, g, sizeof g);
    printf("  %-*s  %6s  %d configuration%s: %d faster, %d slower, %d same",
           width, name, g, t->rows, t->rows == 1 ? "" : "s", t->count[V_FASTER],
           t->count[V_SLOWER], t->count[V_SAME]);
    if (t->count[V_FEW])
        printf(", %d too few samples", t->count[V_FEW]);
    putchar('\n');
}

/* Verdict counts and geometric mean of the ratios over the rows of one
 * executor (all rows for NULL). Rows without a ratio (an empty side) do not
 * enter the mean. ratios: scratch space for nrows values. */
static double tally_rows(const struct row *rows, size_t nrows,
                         const char *executor, double *ratios, struct tally *t)
{
    size_t nr = 0;
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < nrows; i++) {
        if (executor &&
            strcmp(executor, json_str(rows[i].a->run, "executor")) != 0)
            continue;
        t->rows++;
        t->count[rows[i].v]++;
        if (isfinite(rows[i].ratio) && rows[i].ratio > 0)
            ratios[nr++] = rows[i].ratio;
    }
    return nr ? cb_geomean(ratios, nr) : NAN;
}

/* Per executor (in order of first appearance), then all together when
 * there are several. */
static json_t *print_executors(const struct row *rows, size_t nrows,
                               double *ratios)
{
    json_t *out = json_array();
    const char **names = calloc(nrows + 1, sizeof *names);
    char clean[CMP_CELL];
    size_t nexec = 0, i, j;
    int width = 3;

    if (!out || !names) {
        free(names);
        return out;
    }
    for (i = 0; i < nrows; i++) {
        const char *x = json_str(rows[i].a->run, "executor");
        for (j = 0; j < nexec && strcmp(names[j], x) != 0; j++)
            ;
        if (j == nexec) {
            names[nexec++] = x;
            cb_clean_text(x, clean, sizeof clean, 20, 1);
            if ((int)strlen(clean) > width)
                width = (int)strlen(clean);
        }
    }
    printf("\nper executor: geometric mean of ratios new/base, verdicts\n");
    for (j = 0; j < nexec + (nexec > 1); j++) {
        struct tally t;
        double g = tally_rows(rows, nrows, names[j], ratios, &t);
        json_t *o = tally_json(&t, g);
        cb_clean_text(j < nexec ? names[j] : "all", clean, sizeof clean, 20, 1);
        print_tally(clean, width, &t, g);
        json_object_set_new(o, "executor",
                            j < nexec ? json_string(names[j]) : json_null());
        json_array_append_new(out, o);
    }
    free(names);
    return out;
}

static void host_line(const struct file *f, const char *role)
{
    const json_t *ctx = json_object_get(f->root, "context");
    const char *host = json_str(json_object_get(ctx, "host"), "hostname");
    const char *date = json_str(ctx, "date");
    char h[64 * 4 + 8], d[40 * 4 + 8];
    cb_clean_text(host ? host : "?", h, sizeof h, 64, 0);
    cb_clean_text(date ? date : "?", d, sizeof d, 40, 0);
    printf("%-4s %s (host %s, %s%s)\n", role, f->shown, h, d,
           json_is_false(json_object_get(f->root, "complete")) ? ", incomplete"
                                                               : "");
}

/* Compares b against a; prints the report and returns its JSON (NULL when
 * out of memory). Marks matched configurations in both files. */
static json_t *compare_pair(struct file *a, struct file *b, double alpha,
                            int many, json_t *diffs)
{
    struct row *rows = calloc(a->ncfg ? a->ncfg : 1, sizeof *rows);
    double *ratios = malloc((a->ncfg ? a->ncfg : 1) * sizeof *ratios);
    struct tally all;
    size_t nrows = 0, i, j, enough = CMP_MIN_SAMPLES;
    const struct row *weak = NULL; /* first underpowered row */
    double geomean;
    json_t *out, *jrows, *only_a, *only_b;

    out = json_object();
    jrows = json_array();
    only_a = json_array();
    only_b = json_array();
    if (!rows || !ratios || !out || !jrows || !only_a || !only_b) {
        free(rows);
        free(ratios);
        json_decref(out);
        json_decref(jrows);
        json_decref(only_a);
        json_decref(only_b);
        return NULL;
    }
    for (i = 0; i < a->ncfg; i++)
        a->cfgs[i].matched = 0;
    for (i = 0; i < b->ncfg; i++)
        b->cfgs[i].matched = 0;
    /* In base order; a configuration listed twice pairs with the other
     * file's occurrences in order. Quadratic, but sweeps are hundreds of
     * configurations, not millions. */
    for (i = 0; i < a->ncfg; i++) {
        for (j = 0; j < b->ncfg; j++) {
            if (b->cfgs[j].matched ||
                strcmp(a->cfgs[i].key, b->cfgs[j].key) != 0)
                continue;
            a->cfgs[i].matched = b->cfgs[j].matched = 1;
            rows[nrows].a = &a->cfgs[i];
            rows[nrows].b = &b->cfgs[j];
            compare_row(&rows[nrows], alpha);
            if (rows[nrows].underpowered && !weak)
                weak = &rows[nrows];
            nrows++;
            break;
        }
    }
    geomean = tally_rows(rows, nrows, NULL, ratios, &all);
    /* Rows that look identical without their params show them. */
    for (i = 0; i < nrows; i++)
        for (j = i + 1; j < nrows; j++)
            if (strcmp(rows[i].a->label, rows[j].a->label) == 0)
                rows[i].show_params = rows[j].show_params = 1;

    host_line(a, "base");
    host_line(b, "new");
    if (json_array_size(diffs) > 0)
        printf("WARNING: build or topology differs (--force, see stderr): "
               "ratios include that difference\n");
    printf("test: two-sided Mann-Whitney U on the raw samples, alpha %g; "
           "ratio = median new / median base, %.0f%% bootstrap CI\n\n",
           alpha, CMP_LEVEL * 100);
    if (nrows > 0) {
        print_table(rows, nrows);
        printf("\nsamples: base/new. ratio < 1: new is faster. faster/slower: "
               "p < %g and the median moved that way;\nsame: no significant "
               "difference.\n",
               alpha);
        if (all.count[V_FEW])
            printf("too few samples: fewer than %d on a side, no test made "
                   "(rerun with more repetitions).\n",
                   CMP_MIN_SAMPLES);
        while (weak && min_p(enough, enough) >= alpha)
            enough++;
        if (weak)
            printf("same*: too few samples for p < %g to be possible (%zu + "
                   "%zu samples: p >= %.3f), so the test cannot tell; take "
                   "%zu or more per side.\n",
                   alpha, weak->a->n, weak->b->n, min_p(weak->a->n, weak->b->n),
                   enough);
    } else {
        printf("no configurations in common: nothing to compare\n");
    }
    for (i = 0; i < nrows; i++)
        json_array_append_new(jrows, row_json(&rows[i]));
    json_object_set_new(out, "executors",
                        nrows ? print_executors(rows, nrows, ratios)
                              : json_array());
    if (a->ncfg > nrows || b->ncfg > nrows)
        putchar('\n');
    print_unmatched(a, b, only_a);
    print_unmatched(b, a, only_b);
    putchar('\n');
    printf("%s%s%d configurations: %d faster, %d slower, %d no significant "
           "difference",
           many ? b->shown : "", many ? ": " : "", all.rows,
           all.count[V_FASTER], all.count[V_SLOWER], all.count[V_SAME]);
    if (all.count[V_FEW])
        printf(", %d too few samples", all.count[V_FEW]);
    printf(" (alpha %g, two-sided Mann-Whitney U)\n", alpha);

    json_object_set_new(out, "file", path_json(b));
    json_object_set_new(out, "context_differences", json_incref(diffs));
    json_object_set_new(out, "rows", jrows);
    json_object_set_new(out, "only_in_base", only_a);
    json_object_set_new(out, "only_in_new", only_b);
    json_object_set_new(out, "summary", tally_json(&all, geomean));
    free(rows);
    free(ratios);
    return out;
}

/* ---- command ------------------------------------------------------------ */

static int parse_alpha(const char *s, double *alpha, struct cb_error *e)
{
    char shown[64];
    char *end;
    double d;
    if (!s)
        return CB_FAIL(e, CB_EUSAGE,
                       "--alpha needs a value (greater than 0, at most 0.5)");
    errno = 0;
    d = *s ? strtod(s, &end) : NAN;
    if (*s && !*end && errno == 0 && isfinite(d) && d > 0 && d <= 0.5) {
        *alpha = d;
        return 0;
    }
    cb_clean_text(s, shown, sizeof shown, 12, 1);
    return CB_FAIL(e, CB_EUSAGE,
                   "--alpha: '%s' is not a significance level (accepted: "
                   "greater than 0, at most 0.5)",
                   shown);
}

/* The --json target must not be one of the inputs (it would be replaced)
 * and must be writable: a regular file or nothing, in a directory that
 * exists (cb_results_check_target). Checked before any work. */
static int check_json_path(const char *path, const struct file *files,
                           int nfiles, struct cb_error *e)
{
    char shown[300];
    struct stat st, in;
    int rc;

    cb_clean_text(path, shown, sizeof shown, 70, 0);
    if ((rc = cb_results_check_target("--json", path, 1, e)) != 0)
        return rc;
    if (stat(path, &st) == 0) {
        for (int i = 0; i < nfiles; i++)
            if (stat(files[i].path, &in) == 0 && in.st_dev == st.st_dev &&
                in.st_ino == st.st_ino)
                return CB_FAIL(e, CB_EUSAGE,
                               "--json %s: is one of the input files; it "
                               "would be replaced",
                               shown);
    }
    return 0;
}

static int report_error(const struct cb_error *e)
{
    char line[sizeof e->msg * 4 + 8];
    cb_clean_text(e->msg, line, sizeof line, sizeof e->msg, 0);
    fprintf(stderr, "corebench compare: %s\n", line);
    return e->code == CB_EUSAGE ? 2 : 1;
}

int cb_cmd_compare(int argc, char **argv)
{
    struct cb_error e = {0};
    struct file *files = calloc(argc > 1 ? (size_t)argc : 1, sizeof *files);
    const char *json_path = NULL;
    double alpha = 0.05;
    int nfiles = 0, force = 0, status = 0, only_files = 0, refused = 0;
    json_t *report = NULL, *comps = NULL;

    if (!files) {
        fprintf(stderr, "corebench compare: out of memory\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (only_files || arg[0] != '-' || arg[1] == '\0') {
            files[nfiles++].path = arg;
        } else if (strcmp(arg, "--") == 0) {
            only_files = 1;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage_text, stdout);
            free(files);
            return 0;
        } else if (strcmp(arg, "--force") == 0) {
            force = 1;
        } else if (strcmp(arg, "--alpha") == 0 ||
                   strncmp(arg, "--alpha=", 8) == 0) {
            const char *v = arg[7] == '='  ? arg + 8
                            : i + 1 < argc ? argv[++i]
                                           : NULL;
            if (parse_alpha(v, &alpha, &e) != 0)
                goto fail;
        } else if (strcmp(arg, "--json") == 0 ||
                   strncmp(arg, "--json=", 7) == 0) {
            json_path = arg[6] == '='  ? arg + 7
                        : i + 1 < argc ? argv[++i]
                                       : NULL;
            if (!json_path) {
                CB_FAIL(&e, CB_EUSAGE, "--json needs a file name");
                goto fail;
            }
        } else {
            char shown[64];
            cb_clean_text(arg, shown, sizeof shown, 30, 1);
            CB_FAIL(&e, CB_EUSAGE,
                    "unknown option '%s' (see corebench compare --help)",
                    shown);
            goto fail;
        }
    }
    if (nfiles < 2) {
        CB_FAIL(&e, CB_EUSAGE,
                "needs two result files or more: BASE.json NEW.json (see "
                "corebench compare --help)");
        goto fail;
    }
    for (int i = 0; i < nfiles; i++) {
        cb_clean_text(files[i].path, files[i].shown, sizeof files[i].shown, 70, 0);
        if (cb_results_load(files[i].path, &files[i].root, &e) != 0 ||
            load_runs(&files[i], &e) != 0)
            goto fail;
        if (json_is_false(json_object_get(files[i].root, "complete")))
            fprintf(stderr,
                    "corebench compare: warning: %s is incomplete (its "
                    "sweep was interrupted or is still running)\n",
                    files[i].shown);
    }
    if (json_path && check_json_path(json_path, files, nfiles, &e) != 0)
        goto fail;

    /* All context checks first, so a refusal lists every difference and
     * prints no table. */
    comps = json_array();
    for (int i = 1; i < nfiles; i++) {
        json_t *diffs = json_array();
        refused += check_context(&files[0], &files[i], force, diffs);
        json_array_append_new(comps, diffs);
    }
    if (refused && !force) {
        status = 2;
        goto out;
    }
    for (int i = 1; i < nfiles; i++) {
        json_t *diffs = json_array_get(comps, (size_t)i - 1), *c;
        if (i > 1)
            printf("\n");
        c = compare_pair(&files[0], &files[i], alpha, nfiles > 2, diffs);
        if (!c) {
            CB_FAIL(&e, CB_ENOMEM, "out of memory");
            goto fail;
        }
        json_array_set_new(comps, (size_t)i - 1, c);
    }
    fflush(stdout);
    if (json_path) {
        report = json_pack("{s:s, s:o, s:s, s:f, s:I, s:I, s:o, s:O}", "schema",
                           CMP_SCHEMA, "alpha", cb_json_num(alpha), "test",
                           "two-sided Mann-Whitney U", "ci_level", CMP_LEVEL,
                           "bootstrap_rounds", (json_int_t)CB_BOOTSTRAP_ROUNDS,
                           "bootstrap_seed", (json_int_t)CB_BOOTSTRAP_SEED,
                           "base", path_json(&files[0]), "comparisons", comps);
        if (!report) {
            CB_FAIL(&e, CB_ENOMEM, "out of memory building --json");
            goto fail;
        }
        json_object_set_new(report, "forced", json_boolean(force && refused));
        if (cb_results_write(report, json_path, 1, &e) != 0)
            goto fail;
    }
    goto out;
fail:
    status = report_error(&e);
out:
    json_decref(report);
    json_decref(comps);
    for (int i = 0; i < nfiles; i++)
        file_release(&files[i]);
    free(files);
    return status;
}
