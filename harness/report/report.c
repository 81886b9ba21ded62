/* corebench report: the core (see report.h). Result files are loaded into
 * the model (cb_model_load, the one validator; cb_model_derive, the one
 * place speedups, medians and labels are computed), then grouped: by
 * machine (one per file), by workload (kernel, size, params: what one
 * figure instance shows) and by series (the runs one line draws). Figures
 * (harness/report/figures/) turn that into tables; this file runs them. */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"
#include "text.h"
#include "units.h"

/* ---- machines and workloads ---------------------------------------------- */

/* "2024-05-14T09:31:07Z" -> "2024-05-14 09:31 UTC" (other forms: cleaned
 * as they are). */
static void nice_date(const char *d, char *buf, size_t len)
{
    char c[24];
    cb_text_clean(d, c, sizeof c, 20);
    if (strlen(c) >= 17 && c[10] == 'T')
        snprintf(buf, len, "%.10s %.5s UTC", c, c + 11);
    else
        snprintf(buf, len, "%s", c);
}

static void name_machines(struct cb_report *rp)
{
    char host[48];
    for (int i = 0; i < rp->nfiles; i++) {
        struct cb_rfile *f = &rp->files[i];
        int twin = 0;
        cb_text_clean(f->m.host, host, sizeof host, 28);
        for (int j = 0; j < rp->nfiles; j++) {
            char other[48];
            cb_text_clean(rp->files[j].m.host, other, sizeof other, 28);
            twin |= j != i && strcmp(other, host) == 0;
        }
        if (twin)
            snprintf(f->tag, sizeof f->tag, "%s #%d", host, i + 1);
        else
            snprintf(f->tag, sizeof f->tag, "%s", host);
        snprintf(f->machine, sizeof f->machine, "%s (%s)", f->tag,
                 f->m.topo_summary);
        nice_date(f->m.date, f->date, sizeof f->date);
        /* oversubscribed points measure time-sharing: fitted up to the
         * allowed PUs, all of them when the file does not say */
        cb_model_derive(&f->m);
        f->fits = cb_model_fits_json(&f->m, f->m.pus >= 1 && f->m.pus < 1e6
                                                ? (int)f->m.pus
                                                : CB_MAX_WORKERS);
        f->nlv = cb_triad_levels_read(f->m.probe, f->lv, CB_TRIAD_MAX_LEVELS);
        for (int l = 0; l < f->nlv; l++)
            f->npoints += f->lv[l].npoints;
    }
}

/* "gcd", then the size where the kernel ran at several, then the params
 * that differ where one size ran with several. */
static void label_workload(struct cb_report *rp, int k)
{
    struct cb_rwork *w = &rp->wl[k];
    int sizes = 0, twins = 0;
    size_t n;
    char stem[72];
    n = cb_text_clean(w->kernel, w->label, 64, 40);
    for (int j = 0; j < rp->nwl; j++) {
        if (j == k || strcmp(rp->wl[j].kernel, w->kernel))
            continue;
        sizes |= strcmp(rp->wl[j].size, w->size) != 0;
        twins |= strcmp(rp->wl[j].size, w->size) == 0;
    }
    if (sizes) {
        char sz[40];
        cb_text_clean(w->size, sz, sizeof sz, 24);
        n += (size_t)snprintf(w->label + n, sizeof w->label - n, " %s", sz);
    }
    if (twins) {
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)w->params, key, v)
        {
            int differs = 0;
            char kv[80], val[40];
            for (int j = 0; j < rp->nwl; j++) {
                const json_t *o;
                if (j == k || strcmp(rp->wl[j].kernel, w->kernel) ||
                    strcmp(rp->wl[j].size, w->size))
                    continue;
                o = json_object_get(rp->wl[j].params, key);
                differs |= !o || !json_equal((json_t *)v, (json_t *)o);
            }
            if (!differs || n + 2 >= sizeof w->label)
                continue;
            cb_text_clean(key, kv, 32, 20);
            cb_text_clean(json_is_string(v) ? json_string_value(v) : "?", val,
                          sizeof val, 24);
            n += (size_t)snprintf(w->label + n, sizeof w->label - n, " %s=%s",
                                  kv, val);
            n = n < sizeof w->label ? n : sizeof w->label - 1;
        }
    }
    /* file names: unique, "a b" and "a/b" both give "a_b": number them */
    cb_text_stem(w->label, stem, sizeof stem, "kernel");
    snprintf(w->stem, sizeof w->stem, "%s", stem);
    for (int j = 0, d = 2; j < k; j++)
        if (strcmp(rp->wl[j].stem, w->stem) == 0) {
            snprintf(w->stem, sizeof w->stem, "%.60s-%d", stem, d++);
            j = -1;
        }
}

static int find_workloads(struct cb_report *rp, struct cb_error *e)
{
    size_t total = 0;
    for (int i = 0; i < rp->nfiles; i++)
        total += rp->files[i].m.nruns;
    rp->wl = calloc(total + 1, sizeof *rp->wl);
    if (!rp->wl)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    for (int i = 0; i < rp->nfiles; i++)
        for (size_t j = 0; j < rp->files[i].m.nruns; j++) {
            const struct cb_run *r = &rp->files[i].m.runs[j];
            int k = 0;
            while (k < rp->nwl && !cb_rwork_has(&rp->wl[k], r))
                k++;
            if (k == rp->nwl) {
                rp->wl[k].kernel = r->cfg.kernel;
                rp->wl[k].size = r->cfg.size;
                rp->wl[k].params = cb_run_group_params(r);
                rp->nwl++;
            }
        }
    for (int k = 0; k < rp->nwl; k++)
        label_workload(rp, k);
    return 0;
}

int cb_report_load(struct cb_report *rp, char **paths, int n,
                   struct cb_error *e)
{
    rp->files = calloc((size_t)(n > 0 ? n : 1), sizeof *rp->files);
    if (!rp->files)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        int rc = cb_model_load(paths[i], &rp->files[i].m, e);
        if (rc)
            return rc;
        rp->nfiles = i + 1;
        cb_model_derive(&rp->files[i].m);
    }
    name_machines(rp);
    return find_workloads(rp, e);
}

void cb_report_free(struct cb_report *rp)
{
    for (int i = 0; i < rp->nfiles; i++) {
        cb_model_free(&rp->files[i].m);
        json_decref(rp->files[i].fits);
    }
    free(rp->files);
    free(rp->wl);
    for (int i = 0; i < rp->nwritten; i++)
        free(rp->written[i]);
    free(rp->written);
    cb_page_free(rp);
    memset(rp, 0, sizeof *rp);
}

void cb_report_footer(const struct cb_report *rp, const struct cb_rwork *w,
                      char *buf, size_t len)
{
    size_t lo = 0, hi = 0, l = 0;
    for (int f = 0; f < rp->nfiles && l + 1 < len; f++) {
        const struct cb_rfile *rf = &rp->files[f];
        int used = 0;
        for (size_t i = 0; i < rf->m.nruns; i++) {
            const struct cb_run *r = &rf->m.runs[i];
            if (w && !cb_rwork_has(w, r))
                continue;
            used = 1;
            lo = !lo || r->n < lo ? r->n : lo;
            hi = r->n > hi ? r->n : hi;
        }
        if (used)
            l += (size_t)snprintf(buf + l, len - l, "%s%s, %s",
                                  l ? "; " : "", rf->tag, rf->date);
    }
    if (l + 1 >= len)
        return;
    if (lo == hi)
        snprintf(buf + l, len - l, " | %zu sample%s per point", hi,
                 hi == 1 ? "" : "s");
    else
        snprintf(buf + l, len - l, " | %zu-%zu samples per point", lo, hi);
}

/* ---- running the figures -------------------------------------------------- */

static void say_err(const char *what, const struct cb_error *e)
{
    char line[sizeof e->msg * 4 + 8];
    cb_text_clean(e->msg, line, sizeof line, sizeof e->msg);
    fprintf(stderr, "corebench report: %s%s\n", what, line);
}

/* One instance: table -> TSV -> PNG -> the page. Returns failures. */
static int instance(struct cb_report *rp, const struct cb_figure *fig,
                    const struct cb_rwork *w, int *count)
{
    struct cb_table t = {.cols = fig->cols, .ncols = fig->ncols};
    struct cb_rp_out o;
    struct cb_error e = {0};
    struct cb_say s = {.len = 0};
    char base[96], tsv[104], png[104], title[300], footer[400];
    const char *drawn = NULL;
    int failed = 0;

    if (fig->rows)
        fig->rows(rp, w, &t);
    else
        cb_fig_each_run(rp, w, fig, &t);
    if (t.failed) {
        fprintf(stderr, "corebench report: %s: out of memory\n", fig->name);
        cb_table_free(&t);
        return 1;
    }
    if (t.nrows == 0) {
        cb_table_free(&t);
        return 0;
    }
    (*count)++;
    snprintf(base, sizeof base, "%s%s%s", fig->name, w ? "-" : "",
             w ? w->stem : "");
    snprintf(tsv, sizeof tsv, "%s.tsv", base);
    snprintf(png, sizeof png, "%s.png", base);
    if (cb_report_open(rp, &o, tsv, &e) == 0) {
        cb_table_tsv(&t, o.f);
        if (cb_report_commit(rp, &o, &e))
            failed++, say_err("", &e);
    } else {
        failed++, say_err("", &e);
    }
    if (fig->script && rp->draw && !failed &&
        cb_report_time_left(rp) < 1) {
        rp->over_budget++;
        cb_say(&s, "Not drawn: the report's %.0f s drawing budget was spent "
               "(CB_REPORT_MAX_TIME); the table has every point.",
               rp->budget_s);
    } else if (fig->script && rp->draw && !failed) {
        snprintf(title, sizeof title, "%s%s%s", fig->title,
                 w ? ": " : "", w ? w->label : "");
        cb_report_footer(rp, w, footer, sizeof footer);
        if (cb_report_plot(rp, fig->script, tsv, png, title, footer, &e))
            failed++, say_err("", &e);
        else
            drawn = png;
    }
    if (fig->say)
        fig->say(rp, w, &t, &s);
    snprintf(title, sizeof title, "%s%s%s", fig->title, w ? ": " : "",
             w ? w->label : "");
    /* a table alone has its place on the page where it is linked */
    if (fig->script && cb_page_figure(rp, fig->name, title, drawn,
                                      failed ? NULL : tsv, fig->what, s.buf))
        failed++, fprintf(stderr, "corebench report: out of memory\n");
    cb_table_free(&t);
    return failed;
}

/* The summary on stdout: the best configuration per file and workload,
 * then each against its ceiling. */
static void summary(const struct cb_report *rp)
{
    int header = 0;
    if (!rp->nwl) {
        printf("\nno runs in %s\n", rp->nfiles == 1 ? "the file"
                                                   : "the files");
        return;
    }
    printf("\nbest configuration at the largest worker count "
           "(speedup = baseline %s / %s, 95%% CI):\n", CB_ESTIMATOR_NAME,
           CB_ESTIMATOR_NAME);
    for (int f = 0; f < rp->nfiles; f++)
        for (int k = 0; k < rp->nwl; k++) {
            int wmax;
            const struct cb_run *b = cb_report_best(rp, f, &rp->wl[k], &wmax);
            char sp[80];
            if (!wmax)
                continue;
            printf("  %s", rp->wl[k].label);
            if (rp->nfiles > 1)
                printf(" @ %s", rp->files[f].tag);
            if (!b) {
                printf(": no parallel run with a speedup at %d workers\n",
                       wmax);
                continue;
            }
            cb_report_speedup_text(b, sp, sizeof sp);
            printf(": %s %d workers: %s, efficiency %.2f%s\n",
                   b->d.label, wmax, sp, b->d.speedup / wmax,
                   b->verified == 0 ? " NOT VERIFIED" : "");
        }
    for (int f = 0; f < rp->nfiles; f++)
        for (int k = 0; k < rp->nwl; k++) {
            char line[600];
            if (!cb_report_ceiling_summary(rp, f, k, line, sizeof line))
                continue;
            if (!header++)
                printf("\nagainst the ceilings (best run at the largest "
                       "worker count):\n");
            printf("  %s\n", line);
        }
}

int cb_report_run(struct cb_report *rp)
{
    struct cb_error e = {0};
    char dir[CB_RP_PATH * 4 + 8];
    int failed = 0;
    for (int i = 0; i < rp->nfiles; i++)
        if (!rp->files[i].m.complete) {
            char p[300];
            cb_text_clean(rp->files[i].m.path, p, sizeof p, 200);
            fprintf(stderr, "corebench report: note: %s is incomplete (an "
                    "interrupted or running sweep)\n", p);
        }
    cb_report_plot_init(rp); /* and the drawing budget starts */
    for (int i = 0; cb_figures[i]; i++) {
        const struct cb_figure *fig = cb_figures[i];
        int count = 0;
        if (fig->scope == CB_FIG_REPORT)
            failed += instance(rp, fig, NULL, &count);
        else
            for (int k = 0; k < rp->nwl; k++)
                failed += instance(rp, fig, &rp->wl[k], &count);
        if (!count && cb_page_absent(rp, fig->name, fig->title, fig->absent))
            failed++;
    }
    if (cb_page_write(rp, &e))
        failed++, say_err("", &e);
    if (cb_report_finish(rp, &e))
        failed++, say_err("", &e);
    /* the directory comes from the command line or a file's path */
    cb_text_clean(rp->outdir, dir, sizeof dir, 0);
    for (int i = 0; i < rp->nwritten; i++)
        printf("%s/%s\n", dir, rp->written[i]);
    summary(rp);
    fflush(stdout);
    if (!rp->draw) {
        fprintf(stderr, "corebench report: %s\n", rp->why_not);
        failed++;
    }
    if (rp->over_budget)
        fprintf(stderr, "corebench report: note: %d figures not drawn, "
                "tables only: the %.0f s drawing budget was spent "
                "(CB_REPORT_MAX_TIME sets it)\n", rp->over_budget,
                rp->budget_s);
    return failed ? 1 : 0;
}
