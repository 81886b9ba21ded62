/* report.md and report.html: the context (machine, topology, build, date),
 * the summary table, every figure with what it shows and what its data
 * says, the ceilings, the warnings with their advice. One walk over the
 * report writes both: `struct doc` (report_doc.h) knows the two formats;
 * every string
 * goes through text.h (cb_text_md, cb_text_html). report.html is
 * self-contained: figures are data: URIs, no script, no remote file; its
 * only links are the report's own TSV files. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_doc.h"
#include "results.h"
#include "sampling.h"
#include "text.h"
#include "units.h"

struct page_entry {
    char figure[24], title[300], png[104], tsv[104];
    const char *caption; /* static */
    char *sentences;     /* owned; NULL for an absent figure */
};

struct cb_page {
    struct page_entry *e;
    int n;
};

static struct page_entry *add_entry(struct cb_report *rp)
{
    struct cb_page *p = rp->page;
    struct page_entry *e;
    if (!p && !(p = rp->page = calloc(1, sizeof *p)))
        return NULL;
    e = realloc(p->e, (size_t)(p->n + 1) * sizeof *e);
    if (!e)
        return NULL;
    p->e = e;
    e += p->n++;
    memset(e, 0, sizeof *e);
    return e;
}

int cb_page_figure(struct cb_report *rp, const char *figure,
                   const char *title, const char *png, const char *tsv,
                   const char *caption, const char *sentences)
{
    struct page_entry *e = add_entry(rp);
    if (!e)
        return -1;
    snprintf(e->figure, sizeof e->figure, "%s", figure);
    snprintf(e->title, sizeof e->title, "%s", title);
    snprintf(e->png, sizeof e->png, "%s", png ? png : "");
    snprintf(e->tsv, sizeof e->tsv, "%s", tsv ? tsv : "");
    e->caption = caption;
    e->sentences = strdup(sentences ? sentences : "");
    return e->sentences ? 0 : -1;
}

int cb_page_absent(struct cb_report *rp, const char *figure,
                   const char *title, const char *why)
{
    struct page_entry *e = add_entry(rp);
    if (!e)
        return -1;
    snprintf(e->figure, sizeof e->figure, "%s", figure);
    snprintf(e->title, sizeof e->title, "%s", title);
    e->caption = why;
    return 0;
}

void cb_page_free(struct cb_report *rp)
{
    for (int i = 0; rp->page && i < rp->page->n; i++)
        free(rp->page->e[i].sentences);
    if (rp->page)
        free(rp->page->e);
    free(rp->page);
    rp->page = NULL;
}

/* ---- sections ------------------------------------------------------------- */

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* How the file's sweep sampled (context.settings), in the words the
 * console used: -r N files record repetitions, adaptive ones null and
 * their rule; a file without settings says so. */
static void sampling_words(const json_t *set, char *buf, size_t len)
{
    struct cb_stop_rule r = {0};
    double reps = cb_json_get(set, "repetitions");
    double lo = cb_json_get(set, "min_samples");
    double hi = cb_json_get(set, "max_samples");
    if (isfinite(reps) && reps >= 1 && reps <= 1e6) {
        r.exact = (int)reps;
    } else if (isfinite(lo) && isfinite(hi) && lo >= 1 && hi >= lo &&
               hi <= 1e6) {
        double t = cb_json_get(set, "target_ci");
        double mt = cb_json_get(set, "max_time_s");
        r.min_samples = (int)lo;
        r.max_samples = (int)hi;
        r.target_ci = isfinite(t) && t > 0 ? t : 0;
        r.max_time_s = isfinite(mt) && mt > 0 ? mt : 0;
    } else {
        snprintf(buf, len, "samples as the file records them");
        return;
    }
    cb_stop_rule_describe(&r, buf, len);
}

static void context(struct doc *d)
{
    const struct cb_report *rp = d->rp;
    cb_doc_heading(d, 2, "Context");
    cb_doc_mark(d, "", "<ul>\n");
    for (int i = 0; i < rp->nfiles; i++) {
        const struct cb_rfile *f = &rp->files[i];
        const json_t *c = f->m.context, *cb = json_object_get(c, "corebench");
        const json_t *h = json_object_get(c, "host");
        const json_t *s = json_object_get(c, "settings");
        const char *slash = strrchr(f->m.path, '/');
        char mem[24], lim[48] = "", how[128], line[2048];
        cb_doc_mark(d, "- **", "<li><b>");
        cb_doc_text(d, f->machine);
        cb_doc_mark(d, "**", "</b>");
        if (f->m.cpu_limit > 0 && isfinite(f->m.cpu_limit))
            snprintf(lim, sizeof lim, ", cgroup limit %.3g CPUs",
                     f->m.cpu_limit);
        cb_fmt_bytes(cb_json_get(h, "memory_bytes"), mem, sizeof mem);
        sampling_words(s, how, sizeof how);
        snprintf(line, sizeof line,
                 ", result file %s: CPU %s, topology %s (fingerprint %.8s, "
                 "allowed PUs %s%s), %s %s %s, %s memory. Built as corebench "
                 "%s (commit %s), %s, %s %s. Run %s: %zu configurations x %s, "
                 "pin %s%s%s.",
                 slash ? slash + 1 : f->m.path,
                 f->m.cpu_model ? f->m.cpu_model : "unknown",
                 f->m.topo_summary, f->m.fingerprint ? f->m.fingerprint : "-",
                 jstr(c, "allowed_pus") ? jstr(c, "allowed_pus") : "-", lim,
                 jstr(h, "os") ? jstr(h, "os") : "-",
                 jstr(h, "kernel") ? jstr(h, "kernel") : "",
                 jstr(h, "arch") ? jstr(h, "arch") : "", mem,
                 jstr(cb, "version") ? jstr(cb, "version") : "?",
                 jstr(cb, "git_commit") ? jstr(cb, "git_commit") : "unknown",
                 jstr(cb, "build_type") ? jstr(cb, "build_type") : "?",
                 jstr(cb, "compiler") ? jstr(cb, "compiler") : "?",
                 jstr(cb, "cflags") ? jstr(cb, "cflags") : "", f->date,
                 f->m.nruns, how,
                 jstr(s, "pin") ? jstr(s, "pin") : "-",
                 jstr(s, "scaling") && !strcmp(jstr(s, "scaling"), "weak")
                     ? ", weak scaling (w workers ran w times the tasks of "
                       "the one-worker size, in each row's notes; speedup "
                       "is the scaled speedup, efficiency T(1, n) / T(w, "
                       "w n))"
                     : "",
                 f->m.complete ? "" : ", INCOMPLETE (an interrupted or "
                                      "running sweep)");
        cb_doc_text(d, line);
        { /* what the machine did meanwhile: steal, outside load, aside */
            struct cb_interf_totals t;
            char il[256];
            cb_model_interf_totals(&f->m, &t);
            cb_interf_totals_line(&t, il, sizeof il);
            if (il[0]) {
                il[0] = (char)toupper((unsigned char)il[0]);
                cb_doc_mark(d, " ", " "); /* text() shows a blank as "-" */
                cb_doc_text(d, il);
                cb_doc_text(d, ".");
            }
        }
        cb_doc_mark(d, "\n", "</li>\n");
    }
    cb_doc_mark(d, "\n", "</ul>\n");
}

static void summary(struct doc *d)
{
    const struct cb_report *rp = d->rp;
    const char *head[] = {"kernel", "machine", "workers", "best configuration",
                          "speedup [95% CI]", "efficiency",
                          "time (" CB_ESTIMATOR_NAME ")",
                          "notes"};
    int multi = rp->nfiles > 1;
    cb_doc_heading(d, 2, "Summary");
    cb_doc_mark(d, "", "<p>");
    cb_doc_text(d, "The best configuration at each kernel's largest worker count "
            "(speedup: the baseline's time / the configuration's, each the "
            CB_ESTIMATOR_NAME " of its samples (the " CB_ESTIMATOR_WHAT
            "), with a 95% bootstrap interval; efficiency: speedup / "
            "workers). Every configuration, with its spread, samples and "
            "why it stopped, is in the next table.");
    cb_doc_mark(d, "\n\n", "</p>\n<table>\n");
    if (multi)
        cb_doc_row(d, 8, head, 1);
    else {
        const char *h1[] = {head[0], head[2], head[3], head[4], head[5],
                            head[6], head[7]};
        cb_doc_row(d, 7, h1, 1);
    }
    for (int k = 0; k < rp->nwl; k++)
        for (int f = 0; f < rp->nfiles; f++) {
            int wmax;
            const struct cb_run *b = cb_report_best(rp, f, &rp->wl[k], &wmax);
            char w[16], sp[80], ef[16], med[24], notes[200];
            const char *cells[8];
            if (!wmax)
                continue;
            snprintf(w, sizeof w, "%d", wmax);
            if (b) {
                cb_report_speedup_text(b, sp, sizeof sp);
                snprintf(ef, sizeof ef, "%.2f", b->d.speedup / wmax);
                cb_fmt_time(b->d.sum.est, med, sizeof med);
                cb_page_run_notes(b, 0, notes, sizeof notes);
            }
            cells[0] = rp->wl[k].label;
            cells[1] = rp->files[f].tag;
            cells[2] = w;
            cells[3] = b ? b->d.label : "no parallel run with a speedup";
            cells[4] = b ? sp : "-";
            cells[5] = b ? ef : "-";
            cells[6] = b ? med : "-";
            cells[7] = b ? notes : "";
            if (!multi)
                memmove(&cells[1], &cells[2], 6 * sizeof cells[0]);
            cb_doc_row(d, multi ? 8 : 7, cells, 0);
        }
    cb_doc_mark(d, "\n", "</table>\n");
}

static void figures(struct doc *d)
{
    const struct cb_page *p = d->rp->page;
    int absent = 0;
    cb_doc_heading(d, 2, "Figures");
    if (!d->rp->draw) {
        cb_doc_mark(d, "", "<p>");
        cb_doc_textf(d, "Not drawn: %s.", d->rp->why_not);
        cb_doc_mark(d, "\n\n", "</p>\n");
    }
    for (int i = 0; p && i < p->n; i++) {
        const struct page_entry *e = &p->e[i];
        if (!e->sentences) {
            absent++;
            continue;
        }
        cb_doc_heading(d, 3, e->title);
        if (e->png[0])
            cb_doc_image(d, e->png, e->title);
        cb_doc_mark(d, "", "<p>");
        cb_doc_mark(d, "*", "<i>");
        cb_doc_text(d, e->caption);
        cb_doc_mark(d, "*", "</i>");
        if (e->sentences[0]) {
            cb_doc_mark(d, " ", " ");
            cb_doc_text(d, e->sentences);
        }
        if (e->tsv[0]) {
            cb_doc_mark(d, " ", " ");
            cb_doc_text(d, "Data:");
            cb_doc_mark(d, " ", " ");
            cb_doc_link(d, e->tsv, e->tsv);
            cb_doc_text(d, ".");
        }
        cb_doc_mark(d, "\n\n", "</p>\n");
    }
    if (d->linked) {
        cb_doc_mark(d, "", "<p>");
        cb_doc_textf(d, "The last %d figures are linked to their PNG files "
                     "beside this page, not embedded in it: the page embeds "
                     "%u MiB of figures at most.", d->linked,
                     CB_DOC_EMBED_MAX >> 20);
        cb_doc_mark(d, "\n\n", "</p>\n");
    }
    if (!absent)
        return;
    cb_doc_heading(d, 3, "Not shown");
    cb_doc_mark(d, "", "<ul>\n");
    for (int i = 0; p && i < p->n; i++)
        if (!p->e[i].sentences)
            cb_doc_item(d, 0, "%s: %s", p->e[i].title, p->e[i].caption);
    cb_doc_mark(d, "\n", "</ul>\n");
}

static void ceilings(struct doc *d)
{
    const struct cb_report *rp = d->rp;
    int any = 0;
    cb_doc_heading(d, 2, "Ceilings");
    cb_doc_mark(d, "", "<p>");
    cb_doc_text(d, "Each kernel's best run at its largest worker count against what "
            "the machine allows: memory-bound kernels against the probe's "
            "STREAM triad at their own working set (level ws, when the "
            "sweep measured it) or else of the cache level their working "
            "set fits, compute kernels against linear speedup up to the "
            "CPUs the run could use.");
    if (cb_report_wrote(rp, "ceilings.tsv")) {
        cb_doc_mark(d, " ", " ");
        cb_doc_text(d, "Every run:");
        cb_doc_mark(d, " ", " ");
        cb_doc_link(d, "ceilings.tsv", "ceilings.tsv");
        cb_doc_text(d, ".");
    }
    cb_doc_mark(d, "\n\n", "</p>\n<ul>\n");
    for (int f = 0; f < rp->nfiles; f++)
        for (int k = 0; k < rp->nwl; k++) {
            char line[600];
            if (!cb_report_ceiling_summary(rp, f, k, line, sizeof line))
                continue;
            any = 1;
            cb_doc_item(d, 0, "%s", line);
        }
    if (!any)
        cb_doc_item(d, 0, "No run has a ceiling: the files have no probe (runs made "
                   "with --no-probe) and no kernel declares its work.");
    cb_doc_mark(d, "\n", "</ul>\n");
}

/* A run-wide warning: "code: message. What to do: advice." */
static void warning(struct doc *d, const json_t *w)
{
    cb_doc_mark(d, "- **", "<li><b>");
    cb_doc_text(d, jstr(w, "code") ? jstr(w, "code") : "?");
    cb_doc_mark(d, "**: ", "</b>: ");
    cb_doc_textf(d, "%s. What to do: %s.",
          jstr(w, "message") ? jstr(w, "message") : "",
          jstr(w, "advice") ? jstr(w, "advice") : "-");
    cb_doc_mark(d, "\n", "</li>\n");
}

static int same_code(const json_t *w, const char *code)
{
    return jstr(w, "code") && !strcmp(jstr(w, "code"), code);
}

/* The runs' warnings of one code: how many configurations, what to do
 * (once), then each configuration with its message. */
static void run_warnings(struct doc *d, const struct cb_model *m,
                         const char *code)
{
    const char *advice = NULL;
    size_t i, j;
    const json_t *w;
    int n = 0;
    for (i = 0; i < m->nruns; i++)
        json_array_foreach(m->runs[i].warnings, j, w)
            if (same_code(w, code)) {
                advice = advice ? advice : jstr(w, "advice");
                n++;
                break;
            }
    cb_doc_mark(d, "- **", "<li><b>");
    cb_doc_text(d, code);
    cb_doc_mark(d, "**: ", "</b>: ");
    cb_doc_textf(d, "%d of %zu configurations. What to do: %s.", n, m->nruns,
          advice ? advice : "-");
    cb_doc_mark(d, "\n", "<ul>\n");
    for (i = 0; i < m->nruns; i++) {
        const struct cb_run *r = &m->runs[i];
        json_array_foreach(r->warnings, j, w)
        {
            char kernel[64];
            if (!same_code(w, code))
                continue;
            cb_text_clean(r->cfg.kernel, kernel, sizeof kernel, 40);
            cb_doc_item(d, 1, "%s, %s, %d worker%s: %s", kernel, r->d.label,
                 r->cfg.workers, r->cfg.workers == 1 ? "" : "s",
                 jstr(w, "message") ? jstr(w, "message") : "");
        }
    }
    cb_doc_mark(d, "", "</ul></li>\n");
}

static void warnings(struct doc *d)
{
    const struct cb_report *rp = d->rp;
    int any = 0;
    cb_doc_heading(d, 2, "Warnings");
    for (int f = 0; f < rp->nfiles; f++) {
        const struct cb_model *m = &rp->files[f].m;
        size_t i, j;
        const json_t *w;
        int n = (int)json_array_size(m->warnings);
        for (i = 0; i < m->nruns; i++)
            n += (int)json_array_size(m->runs[i].warnings);
        if (!n)
            continue;
        any = 1;
        if (rp->nfiles > 1)
            cb_doc_heading(d, 3, rp->files[f].machine);
        cb_doc_mark(d, "", "<ul>\n");
        json_array_foreach(m->warnings, j, w)
            warning(d, w);
        /* each code once, in the order of its first appearance */
        {
            const char *codes[32];
            int nc = 0;
            for (i = 0; i < m->nruns; i++)
                json_array_foreach(m->runs[i].warnings, j, w)
                {
                    int k = 0;
                    while (k < nc && !same_code(w, codes[k]))
                        k++;
                    if (k == nc && nc < 32 && jstr(w, "code"))
                        codes[nc++] = jstr(w, "code");
                }
            for (int k = 0; k < nc; k++)
                run_warnings(d, m, codes[k]);
        }
        cb_doc_mark(d, "\n", "</ul>\n");
    }
    if (!any) {
        cb_doc_mark(d, "", "<p>");
        cb_doc_text(d, "None.");
        cb_doc_mark(d, "\n", "</p>\n");
    }
}

static const char style[] =
    "<style>\n"
    "body { font-family: sans-serif; max-width: 64em; margin: 2em auto;\n"
    "       padding: 0 1em; line-height: 1.45; color: #222; }\n"
    "h1 { font-size: 1.6em; } h2 { font-size: 1.3em; margin-top: 2em;\n"
    "       border-bottom: 1px solid #ccc; } h3 { font-size: 1.1em; }\n"
    "table { border-collapse: collapse; margin: 1em 0; }\n"
    "td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; }\n"
    "th { background: #f2f2f2; text-align: left; }\n"
    "figure { margin: 1em 0; } img { max-width: 100%; }\n"
    "li { margin: 0.3em 0; }\n"
    "</style>\n";

static void page(struct doc *d)
{
    if (d->html)
        fprintf(d->f, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
                "<meta charset=\"utf-8\">\n<title>corebench report</title>\n"
                "%s</head><body>\n", style);
    cb_doc_heading(d, 1, "corebench report");
    cb_doc_mark(d, "", "<p>");
    cb_doc_textf(d, "%d result file%s, %d workload%s. Speedups divide the time "
          "of the run marked baseline (serial, or the runtime's own serial "
          "run) by each configuration's, both from the same file; a "
          "configuration's time is the " CB_ESTIMATOR_NAME " of its samples "
          "(the " CB_ESTIMATOR_WHAT ": interference only ever slows a "
          "map); the speedup and efficiency figures divide those, the "
          "time figures (breakdown, machines) plot medians.",
          d->rp->nfiles, d->rp->nfiles == 1 ? "" : "s", d->rp->nwl,
          d->rp->nwl == 1 ? "" : "s");
    cb_doc_mark(d, "\n\n", "</p>\n");
    context(d);
    cb_page_quality(d);
    summary(d);
    cb_page_all_runs(d);
    figures(d);
    ceilings(d);
    warnings(d);
    if (d->html)
        fputs("</body></html>\n", d->f);
}

int cb_page_write(struct cb_report *rp, struct cb_error *e)
{
    static const char *const names[] = {"report.md", "report.html"};
    for (int html = 0; html < 2; html++) {
        struct cb_rp_out o;
        struct doc d = {0};
        int rc = cb_report_open(rp, &o, names[html], e);
        if (rc)
            return rc;
        d.f = o.f;
        d.html = html;
        d.rp = rp;
        page(&d);
        if ((rc = cb_report_commit(rp, &o, e)))
            return rc;
    }
    return 0;
}
