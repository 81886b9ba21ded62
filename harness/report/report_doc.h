/* One document, two formats: what report_page.c writes goes through these,
 * as Markdown (report.md) or HTML (report.html). Every string of data goes
 * through text.h (cb_text_md, cb_text_html); only cb_doc_mark writes markup
 * as is, and only corebench's own. */
#ifndef CB_REPORT_DOC_H
#define CB_REPORT_DOC_H

#include <stdio.h>

#include "report.h"

struct doc {
    FILE *f;
    int html;
    const struct cb_report *rp;
    size_t embedded; /* PNG bytes embedded so far (cb_doc_image) */
    int linked;      /* images linked instead, past CB_DOC_EMBED_MAX */
};
/* report.html embeds its figures (one file to mail or archive) up to this
 * many PNG bytes; past it a figure is linked to its PNG beside the page, so
 * a report of thousands of figures stays a page a browser opens. */
#define CB_DOC_EMBED_MAX (16u << 20)

/* Text, escaped for the format. */
void cb_doc_text(struct doc *d, const char *s);
void cb_doc_textf(struct doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Markup of our own (never data): written as is. */
void cb_doc_mark(struct doc *d, const char *md, const char *html);
/* A list item of text (nested: one level in). */
void cb_doc_item(struct doc *d, int nested, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cb_doc_heading(struct doc *d, int level, const char *s);
/* href: a file the report wrote itself (a plain name). */
void cb_doc_link(struct doc *d, const char *label, const char *href);
/* A table row (head: the header row, and Markdown's rule under it). */
void cb_doc_row(struct doc *d, int ncols, const char *const *cells, int head);
/* The figure: a data: URI in HTML (read back from the output directory),
 * a relative link in Markdown. */
void cb_doc_image(struct doc *d, const char *png, const char *alt);

/* Sections of the page written elsewhere (report_quality.c): how good the
 * numbers are, per file; a sortable table of every configuration. */
void cb_page_quality(struct doc *d);
void cb_page_all_runs(struct doc *d);
/* A run's notes cell: NOT VERIFIED, its error (with_error: after ": "),
 * its warning codes (with_error: "; " apart, else " "). */
void cb_page_run_notes(const struct cb_run *r, int with_error, char *buf,
                       size_t len);

#endif
