/* One document, two formats (report_doc.h). */
#include "report_doc.h"

#include <stdarg.h>
#include <stdio.h>

#include "text.h"

void cb_doc_text(struct doc *d, const char *s)
{
    if (d->html)
        cb_text_html(d->f, s, 0);
    else
        cb_text_md(d->f, s, 0);
}

void cb_doc_textf(struct doc *d, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cb_doc_text(d, buf);
}

void cb_doc_mark(struct doc *d, const char *md, const char *html)
{
    fputs(d->html ? html : md, d->f);
}

void cb_doc_item(struct doc *d, int nested, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cb_doc_mark(d, nested ? "  - " : "- ", "<li>");
    cb_doc_text(d, buf);
    cb_doc_mark(d, "\n", "</li>\n");
}

void cb_doc_heading(struct doc *d, int level, const char *s)
{
    if (d->html)
        fprintf(d->f, "<h%d>", level);
    else
        fprintf(d->f, "%.*s ", level, "######");
    cb_doc_text(d, s);
    fprintf(d->f, d->html ? "</h%d>\n" : "\n\n", level);
}

void cb_doc_link(struct doc *d, const char *label, const char *href)
{
    fprintf(d->f, d->html ? "<a href=\"%s\">" : "[", href);
    cb_doc_text(d, label);
    fprintf(d->f, d->html ? "</a>" : "](%s)", href);
}

void cb_doc_row(struct doc *d, int ncols, const char *const *cells, int head)
{
    cb_doc_mark(d, "|", "<tr>");
    for (int i = 0; i < ncols; i++) {
        cb_doc_mark(d, " ", head ? "<th>" : "<td>");
        cb_doc_text(d, cells[i]);
        cb_doc_mark(d, " |", head ? "</th>" : "</td>");
    }
    cb_doc_mark(d, "\n", "</tr>\n");
    if (head && !d->html) {
        fputc('|', d->f);
        for (int i = 0; i < ncols; i++)
            fputs("---|", d->f);
        fputc('\n', d->f);
    }
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void cb_doc_image(struct doc *d, const char *png, const char *alt)
{
    char path[CB_RP_PATH + 128];
    unsigned char in[3 * 1024];
    size_t n;
    FILE *f;
    if (!d->html) {
        cb_doc_mark(d, "![", "");
        cb_doc_text(d, alt);
        fprintf(d->f, "](%s)\n\n", png);
        return;
    }
    snprintf(path, sizeof path, "%s/%s", d->rp->outdir, png);
    if (!(f = fopen(path, "rb")))
        return;
    if (fseek(f, 0, SEEK_END) == 0 && ftell(f) >= 0 &&
        d->embedded + (size_t)ftell(f) > CB_DOC_EMBED_MAX) {
        fclose(f);
        d->linked++;
        fputs("<figure><img alt=\"", d->f);
        cb_doc_text(d, alt);
        fputs("\" src=\"", d->f);
        cb_doc_text(d, png); /* our own file name, escaped all the same */
        fputs("\"></figure>\n", d->f);
        return;
    }
    d->embedded += (size_t)ftell(f);
    rewind(f);
    fputs("<figure><img alt=\"", d->f);
    cb_doc_text(d, alt); /* cleaned: no '"' */
    fputs("\" src=\"data:image/png;base64,", d->f);
    while ((n = fread(in, 1, sizeof in, f)) > 0)
        for (size_t i = 0; i < n; i += 3) {
            unsigned v = (unsigned)in[i] << 16 |
                         (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
                         (i + 2 < n ? in[i + 2] : 0);
            fputc(b64[v >> 18 & 63], d->f);
            fputc(b64[v >> 12 & 63], d->f);
            fputc(i + 1 < n ? b64[v >> 6 & 63] : '=', d->f);
            fputc(i + 2 < n ? b64[v & 63] : '=', d->f);
        }
    fclose(f);
    fputs("\"></figure>\n", d->f);
}
