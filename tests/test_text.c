/* The one text policy (harness/base/text.c): what a hostile string from a
 * result file or the command line turns into before a terminal, a TSV
 * cell, gnuplot, Markdown or HTML sees it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#include "check.h"

static void same(const char *in, size_t maxchars, const char *want, int line)
{
    char buf[256];
    cb_text_clean(in, buf, sizeof buf, maxchars);
    CHECK_AT(line, strcmp(buf, want) == 0, "clean(%s) = '%s', want '%s'",
             in ? in : "NULL", buf, want);
}
#define SAME(in, max, want) same(in, max, want, __LINE__)

/* The writer's output for s, in a static buffer. */
static const char *written(void (*fn)(FILE *, const char *, size_t),
                           const char *s)
{
    static char out[512];
    FILE *f = fmemopen(out, sizeof out, "w");
    fn(f, s, 0);
    fclose(f);
    return out;
}

int main(void)
{
    char buf[64];

    /* controls of every kind become '?' */
    SAME("plain host-1", 0, "plain host-1");
    SAME("a\x1b[31mred", 0, "a?[31mred");      /* ESC: no terminal escape */
    SAME("bell\x07", 0, "bell?");
    SAME("tab\there\nnl", 0, "tab?here?nl");    /* no TSV cell split */
    SAME("del\x7f", 0, "del?");
    SAME("c1\xc2\x9b" "2J", 0, "c1?2J");         /* C1 CSI */
    SAME("rlo\xe2\x80\xae" "txt", 0, "rlo?txt"); /* bidi override */
    SAME("lri\xe2\x81\xa6" "x", 0, "lri?x");     /* isolate */
    SAME("zw\xe2\x80\x8b" "sp", 0, "zw?sp");     /* zero-width space */
    SAME("bom\xef\xbb\xbf", 0, "bom?");
    /* invalid UTF-8: stray, overlong, surrogate, past U+10FFFF */
    SAME("x\x80y", 0, "x?y");
    SAME("over\xc0\xaflong", 0, "over??long");
    SAME("sur\xed\xa0\x80", 0, "sur???");
    SAME("big\xf4\x90\x80\x80", 0, "big????");
    /* valid UTF-8 is kept whole */
    SAME("caf\xc3\xa9 \xe2\x82\xac", 0, "caf\xc3\xa9 \xe2\x82\xac");
    /* quotes cannot close a gnuplot or HTML attribute string */
    SAME("say \"hi\"", 0, "say 'hi'");
    /* blanks collapse; empty is "-" */
    SAME("  a   b  ", 0, "a b");
    SAME("", 0, "-");
    SAME(NULL, 0, "-");
    SAME("   ", 0, "-");
    /* cut at a character count, never inside a character */
    SAME("abcdefgh", 5, "abcde...");
    SAME("\xc3\xa9\xc3\xa9\xc3\xa9", 2, "\xc3\xa9\xc3\xa9...");
    SAME("abc", 3, "abc");
    /* a small buffer cuts too, and stays terminated */
    cb_text_clean("abcdefghijklmnop", buf, 8, 0);
    CHECK(strcmp(buf, "abcd...") == 0, "8-byte buffer: '%s'", buf);
    cb_text_clean("abc", buf, 3, 0);
    CHECK(strcmp(buf, "-") == 0, "3-byte buffer: '%s'", buf);
    /* ASCII-only cells */
    cb_text_clean_ascii("caf\xc3\xa9\x1b", buf, sizeof buf, 0);
    CHECK(strcmp(buf, "caf??") == 0, "ascii: '%s'", buf);

    /* Markdown: no link, emphasis, HTML or cell from data */
    CHECK(strcmp(written(cb_text_md, "[x](javascript:1) *b* |c| <i>"),
                 "\\[x\\]\\(javascript:1\\) \\*b\\* \\|c\\| \\<i\\>") == 0,
          "md: %s", written(cb_text_md, "[x](javascript:1) *b* |c| <i>"));
    /* HTML: no tag, entity or attribute break */
    CHECK(strcmp(written(cb_text_html, "<script>&\"'"),
                 "&lt;script&gt;&amp;&#39;&#39;") == 0,
          "html: %s", written(cb_text_html, "<script>&\"'"));

    /* file names */
    cb_text_stem("../etc/passwd", buf, sizeof buf, "x");
    CHECK(strcmp(buf, "etc_passwd") == 0, "stem: '%s'", buf);
    cb_text_stem("my host.local", buf, sizeof buf, "x");
    CHECK(strcmp(buf, "my_host_local") == 0, "stem: '%s'", buf);
    cb_text_stem("///", buf, sizeof buf, "kernel");
    CHECK(strcmp(buf, "kernel") == 0, "stem fallback: '%s'", buf);
    cb_text_stem("-a_b-", buf, sizeof buf, "x");
    CHECK(strcmp(buf, "-a_b-") == 0, "stem keeps - and _: '%s'", buf);

    /* JSON: valid UTF-8 whatever came in */
    {
        json_t *v = cb_json_text("ok\xff\xc3\xa9");
        CHECK(v && strcmp(json_string_value(v), "ok?\xc3\xa9") == 0,
              "json_text: %s", v ? json_string_value(v) : "NULL");
        json_decref(v);
        v = cb_json_text(NULL);
        CHECK(json_is_null(v), "json_text(NULL) is null");
        json_decref(v);
    }
    return check_finish();
}
