/* One policy for text corebench did not write itself (host names, CPU
 * models, kernel parameters, paths, anything read from a result file or
 * the command line) before it reaches a terminal, a TSV cell, a gnuplot
 * string, Markdown or HTML.
 *
 * cb_text_clean() is the policy: invalid UTF-8 (stray bytes, overlong
 * forms, surrogates, past U+10FFFF), C0 controls (tab and newline too),
 * DEL, C1 controls, and the Unicode bidi and zero-width format controls
 * each become '?', so no escape sequence reaches a terminal and no line is
 * reordered; '"' becomes '\'' (a gnuplot or HTML attribute string cannot
 * be closed); runs of spaces collapse; the text is cut at `maxchars`
 * characters (never inside one) with "..." appended; an empty result is
 * "-". The writers below add only the escaping their format needs on top.
 * File names have their own, stricter policy: cb_text_stem(). */
#ifndef CB_TEXT_H
#define CB_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Cleans s (NULL reads as "") into buf of len bytes; returns strlen(buf).
 * maxchars 0: no limit but the buffer. */
size_t cb_text_clean(const char *s, char *buf, size_t len, size_t maxchars);
/* As cb_text_clean, but every non-ASCII character becomes '?' too: table
 * cells whose widths are counted in bytes. */
size_t cb_text_clean_ascii(const char *s, char *buf, size_t len,
                           size_t maxchars);

/* Writers: cleaned (at most maxchars characters), then escaped for the
 * format. Markdown: backslash before every character that could start
 * markup (links, emphasis, HTML, table cells). HTML: & < > ' escaped. */
void cb_text_md(FILE *f, const char *s, size_t maxchars);
void cb_text_html(FILE *f, const char *s, size_t maxchars);

/* A file-name stem: [A-Za-z0-9_-] only, other runs become one '_', no '_'
 * at either end, never empty (`fallback`). */
void cb_text_stem(const char *s, char *buf, size_t len, const char *fallback);

/* A JSON string that is valid UTF-8 whatever s holds (invalid sequences
 * become '?'; controls are kept: JSON escapes them). NULL -> JSON null. */
json_t *cb_json_text(const char *s);

#endif
