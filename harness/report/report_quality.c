/* Two sections of the page (report_doc.h): how good the numbers are, per
 * result file, stated from what happened (samples taken and set aside,
 * configurations that met the interval target and those that stopped
 * short, and why), and a table of every configuration, sortable in the
 * HTML by a few lines of inline script (no external file, no server). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "report_doc.h"
#include "units.h"

static double half_width(const struct cb_run *r)
{
    return cb_summary_half_width(&r->d.sum);
}

/* The blank between two sentences: the text writers drop a leading one. */
static void sep(struct doc *d)
{
    cb_doc_mark(d, " ", " ");
}

static void file_quality(struct doc *d, const struct cb_rfile *f)
{
    const struct cb_model *m = &f->m;
    const json_t *set = json_object_get(m->context, "settings");
    double target = cb_json_get(set, "target_ci"), lo = INFINITY, hi = 0,
           mlo = INFINITY, mhi = 0;
    size_t taken = 0, aside = 0, timed = 0, met = 0, cap = 0, budget = 0,
           exact = 0, failed = 0, other = 0, wide = 0;
    struct cb_interf_totals t;
    char il[256];

    for (size_t i = 0; i < m->nruns; i++) {
        const struct cb_run *r = &m->runs[i];
        double hw = half_width(r);
        taken += r->n;
        aside += r->d.aside;
        if (!r->n)
            continue;
        if (r->error[0]) {
            failed++;
            continue;
        }
        if (!isfinite(hw))
            continue;
        timed++;
        lo = fmin(lo, hw);
        hi = fmax(hi, hw);
        if (!strcmp(r->stop, "target-ci") ||
            (target > 0 && hw <= target)) {
            met++;
            continue;
        }
        mlo = fmin(mlo, hw);
        mhi = fmax(mhi, hw);
        wide++;
        if (!strcmp(r->stop, "max-samples"))
            cap++;
        else if (!strcmp(r->stop, "max-time"))
            budget++;
        else if (!strcmp(r->stop, "exact"))
            exact++;
        else
            other++;
    }
    cb_doc_mark(d, "- **", "<li><b>");
    cb_doc_text(d, f->tag);
    cb_doc_mark(d, "**: ", "</b>: ");
    cb_doc_textf(d, "%zu samples taken in %zu configurations, %zu set aside "
                 "as interfered.", taken, m->nruns, aside);
    if (!timed) {
        sep(d);
        cb_doc_text(d, "No configuration has an interval.");
    } else if (target > 0) {
        sep(d);
        cb_doc_textf(d, "%zu of %zu configurations reached the %.3g%% "
                     "interval target (the half-width of the %s's 95%% "
                     "interval)", met, timed, 100 * target,
                     CB_ESTIMATOR_NAME);
        if (wide)
            cb_doc_textf(d, "; %zu stopped short, at %.1f-%.1f%%: %zu at the "
                         "time budget (max-time), %zu at the sample cap "
                         "(max-samples)%s", wide, 100 * mlo, 100 * mhi,
                         budget, cap, other + exact ? ", the rest "
                         "interrupted" : "");
        cb_doc_text(d, ".");
    } else {
        size_t over = 0;
        for (size_t i = 0; i < m->nruns; i++)
            over += half_width(&m->runs[i]) > 0.02;
        sep(d);
        cb_doc_textf(d, "Every configuration took the samples asked for "
                     "(no interval target): half-widths %.1f-%.1f%%, %zu "
                     "above 2%%.", 100 * lo, 100 * hi, over);
    }
    if (failed) {
        sep(d);
        cb_doc_textf(d, "%zu configuration%s failed (see their error in "
                     "the table below).", failed, failed == 1 ? "" : "s");
    }
    cb_model_interf_totals(m, &t);
    if (isfinite(t.steal_share)) {
        sep(d);
        snprintf(il, sizeof il, "While the samples ran the hypervisor "
                 "took %.1f%% of the CPU time and processes outside the "
                 "sweep %.1f%%.", 100 * t.steal_share,
                 100 * t.outside_share);
        cb_doc_text(d, il);
    }
    if (!m->complete) {
        sep(d);
        cb_doc_text(d, "The sweep did not finish (interrupted, or stopped "
                       "by a failure): configurations it never reached have "
                       "no samples.");
    }
    cb_doc_mark(d, "\n", "</li>\n");
}

void cb_page_quality(struct doc *d)
{
    cb_doc_heading(d, 2, "Measurement quality");
    cb_doc_mark(d, "", "<ul>\n");
    for (int i = 0; i < d->rp->nfiles; i++)
        file_quality(d, &d->rp->files[i]);
    cb_doc_mark(d, "\n", "</ul>\n");
}

/* Clicking a header sorts by that column: numbers by value (a time with
 * its unit: "542 ms" before "1.2 s"), text as text, numbers before text;
 * a second click reverses. Plain DOM, no library. */
static const char sort_script[] =
    "<script>\n"
    "(function(){var u={ns:1e-9,us:1e-6,'\\u00b5s':1e-6,ms:1e-3,s:1};\n"
    "function key(t){var m=/^\\s*(-?[0-9.]+(?:e[-+]?[0-9]+)?)\\s*(ns|us|"
    "\\u00b5s|ms|s)?\\b/.exec(t);return m?parseFloat(m[1])*(m[2]?u[m[2]]:1)"
    ":t.toLowerCase();}\n"
    "document.querySelectorAll('table.sortable').forEach(function(tb){\n"
    "var hs=tb.rows[0].cells;for(var c=0;c<hs.length;c++)(function(c){\n"
    "hs[c].style.cursor='pointer';hs[c].title='sort';hs[c].onclick="
    "function(){\n"
    "var rs=Array.prototype.slice.call(tb.rows,1),up=tb.dataset.col!=c||"
    "tb.dataset.dir!='up';\n"
    "rs.sort(function(a,b){var x=key(a.cells[c].textContent),y=key(b.cells"
    "[c].textContent);\n"
    "if(typeof x!=typeof y){x=typeof x;y=typeof y;}return (x<y?-1:x>y?1:0)*"
    "(up?1:-1);});\n"
    "rs.forEach(function(r){r.parentNode.appendChild(r);});tb.dataset.col="
    "c;tb.dataset.dir=up?'up':'down';};})(c);});})();\n"
    "</script>\n";

void cb_page_run_notes(const struct cb_run *r, int with_error, char *buf,
                       size_t len)
{
    size_t i, n = 0;
    const json_t *w;
    buf[0] = '\0';
    if (r->verified == 0)
        n += (size_t)snprintf(buf, len, "NOT VERIFIED");
    if (with_error && r->error[0] && n < len)
        n += (size_t)snprintf(buf + n, len - n, "%s%.300s", n ? ": " : "",
                              r->error);
    if (r->base_params && n < len) /* weak scaling: the size it ran */
        n += (size_t)snprintf(buf + n, len - n, "%sweak: %zu tasks",
                              n ? (with_error ? "; " : " ") : "", r->tasks);
    json_array_foreach(r->warnings, i, w) {
        const char *code = json_string_value(json_object_get(w, "code"));
        if (code && n < len)
            n += (size_t)snprintf(buf + n, len - n, "%s%s",
                                  n ? (with_error ? "; " : " ") : "", code);
    }
}

void cb_page_all_runs(struct doc *d)
{
    const struct cb_report *rp = d->rp;
    const char *head[] = {"kernel", "machine", "configuration", "workers",
                          "time (" CB_ESTIMATOR_NAME ")", "+-ci%",
                          "speedup [95% CI]", "efficiency", "samples used",
                          "set aside", "stop", "notes"};
    int multi = rp->nfiles > 1, nc = multi ? 12 : 11;
    cb_doc_heading(d, 2, "Every configuration");
    cb_doc_mark(d, "", "<p>");
    cb_doc_text(d, "One row per configuration of every file, in the order of "
                   "its plan: the time and its 95% interval half-width "
                   "(+-ci%), the speedup with its interval, the samples the "
                   "statistics used and those set aside as interfered, why "
                   "sampling stopped, and its warnings (NOT VERIFIED: a "
                   "failed check or map).");
    cb_doc_mark(d, "\n\n", " Click a column's name to sort by it.</p>\n"
                           "<table class=\"sortable\">\n");
    {
        const char *h[12];
        for (int i = 0, k = 0; i < 12; i++)
            if (multi || i != 1)
                h[k++] = head[i];
        cb_doc_row(d, nc, h, 1);
    }
    for (int f = 0; f < rp->nfiles; f++) {
        const struct cb_model *m = &rp->files[f].m;
        for (size_t i = 0; i < m->nruns; i++) {
            const struct cb_run *r = &m->runs[i];
            char w[16], t[24], ci[16], sp[80], ef[16], used[24], as[24],
                notes[560];
            const char *cells[12];
            double hw = half_width(r);
            int k = 0;
            snprintf(w, sizeof w, "%d", r->cfg.workers);
            if (r->n && isfinite(r->d.sum.est))
                cb_fmt_time(r->d.sum.est, t, sizeof t);
            else
                snprintf(t, sizeof t, "-");
            if (isfinite(hw))
                snprintf(ci, sizeof ci, "%.1f", 100 * hw);
            else
                snprintf(ci, sizeof ci, "-");
            if (isfinite(r->d.speedup))
                cb_report_speedup_text(r, sp, sizeof sp);
            else
                snprintf(sp, sizeof sp, "-");
            if (isfinite(r->d.speedup) && r->cfg.workers > 0)
                snprintf(ef, sizeof ef, "%.2f", r->d.speedup / r->cfg.workers);
            else
                snprintf(ef, sizeof ef, "-");
            snprintf(used, sizeof used, "%zu", r->d.used);
            snprintf(as, sizeof as, "%zu", r->d.aside);
            cb_page_run_notes(r, 1, notes, sizeof notes);
            cells[k++] = r->cfg.kernel;
            if (multi)
                cells[k++] = rp->files[f].tag;
            cells[k++] = r->d.label[0] ? r->d.label : r->cfg.executor;
            cells[k++] = w;
            cells[k++] = t;
            cells[k++] = ci;
            cells[k++] = sp;
            cells[k++] = ef;
            cells[k++] = used;
            cells[k++] = as;
            cells[k++] = r->stop[0] ? r->stop : "-";
            cells[k++] = notes[0] ? notes : "-";
            cb_doc_row(d, nc, cells, 0);
        }
    }
    cb_doc_mark(d, "\n", "</table>\n");
    if (d->html)
        fputs(sort_script, d->f);
}
