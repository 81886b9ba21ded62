/* The text policy: see text.h. */
#include "text.h"

#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4) and its code point, or 0
 * if s does not start one: overlong forms, surrogates and code points past
 * U+10FFFF are invalid, as jansson's own validator has them. */
static size_t utf8_seq(const unsigned char *s, unsigned *cpo)
{
    unsigned c = s[0], cp;
    size_t n;
    if (c < 0x80) {
        *cpo = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    *cpo = cp;
    return n;
}

/* Controls a reader must never receive: C0, DEL, C1, and the format
 * characters that reorder or hide text (LRM/RLM, ALM, LRE..RLO, LRI..PDI,
 * zero-width space/joiners, word joiner, BOM). */
static int is_control(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x061c ||
           (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

static size_t clean(const char *s, char *buf, size_t len, size_t maxchars,
                    int ascii)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t j = 0, chars = 0;
    if (len == 0)
        return 0;
    if (len < 5) { /* no room for a character and "...": just "-" */
        snprintf(buf, len, "-");
        return strlen(buf);
    }
    while (*p) {
        unsigned cp;
        size_t n = utf8_seq(p, &cp), out;
        const char *rep = NULL;
        if (n == 0)
            n = 1, rep = "?";
        else if (is_control(cp) || (ascii && cp >= 0x80))
            rep = "?";
        else if (cp == '"')
            rep = "'";
        else if (cp == ' ' && (j == 0 || buf[j - 1] == ' '))
            rep = ""; /* no leading or repeated blanks */
        out = rep ? strlen(rep) : n;
        if ((maxchars && chars == maxchars) || j + out + 4 > len) {
            while (j > 0 && buf[j - 1] == ' ')
                j--;
            memcpy(buf + j, "...", 3);
            j += 3;
            break;
        }
        memcpy(buf + j, rep ? rep : (const char *)p, out);
        j += out;
        chars += out > 0;
        p += n;
    }
    while (j > 0 && buf[j - 1] == ' ')
        j--;
    if (j == 0)
        buf[j++] = '-';
    buf[j] = '\0';
    return j;
}

size_t cb_text_clean(const char *s, char *buf, size_t len, size_t maxchars)
{
    return clean(s, buf, len, maxchars, 0);
}

size_t cb_text_clean_ascii(const char *s, char *buf, size_t len,
                           size_t maxchars)
{
    return clean(s, buf, len, maxchars, 1);
}

/* Cleans s into a heap buffer big enough for maxchars characters. */
static char *cleaned(const char *s, size_t maxchars)
{
    size_t n = (maxchars ? maxchars : (s ? strlen(s) : 0)) * 4 + 8;
    char *buf = malloc(n);
    if (buf)
        cb_text_clean(s, buf, n, maxchars);
    return buf;
}

void cb_text_md(FILE *f, const char *s, size_t maxchars)
{
    char *buf = cleaned(s, maxchars);
    for (const char *p = buf ? buf : "-"; *p; p++) {
        if (strchr("\\`*_{}[]()<>#+!|~&", *p))
            fputc('\\', f);
        fputc(*p, f);
    }
    free(buf);
}

void cb_text_html(FILE *f, const char *s, size_t maxchars)
{
    char *buf = cleaned(s, maxchars);
    for (const char *p = buf ? buf : "-"; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*p, f);
        }
    }
    free(buf);
}

void cb_text_stem(const char *s, char *buf, size_t len, const char *fallback)
{
    size_t j = 0;
    if (len == 0)
        return;
    for (const unsigned char *p = (const unsigned char *)(s ? s : "");
         *p && j + 1 < len; p++) {
        int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                 (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
        if (ok)
            buf[j++] = (char)*p;
        else if (j > 0 && buf[j - 1] != '_')
            buf[j++] = '_';
    }
    while (j > 0 && buf[j - 1] == '_')
        j--;
    if (j == 0) {
        snprintf(buf, len, "%s", fallback && *fallback ? fallback : "x");
        return;
    }
    buf[j] = '\0';
}

json_t *cb_json_text(const char *s)
{
    size_t len, j = 0;
    char *buf;
    json_t *v;
    if (!s)
        return json_null();
    len = strlen(s);
    buf = malloc(len + 1);
    if (!buf)
        return NULL;
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t n = utf8_seq((const unsigned char *)s + i, &cp);
        if (n == 0) {
            buf[j++] = '?';
            i++;
            continue;
        }
        memcpy(buf + j, s + i, n);
        j += n;
        i += n;
    }
    v = json_stringn(buf, j);
    free(buf);
    return v;
}
