/* The report's files: the output directory and its manifest, files written
 * whole, and the tables with their one TSV writer. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "figure.h"
#include "text.h"

/* The manifest: the base names the last report wrote, one a line. A later
 * report replaces them (and removes those it does not write again); a
 * directory holding anything else is not the report's to touch without
 * --force. */
#define MANIFEST ".corebench-report"

/* ---- the output directory ------------------------------------------------- */

/* A name the report could have written: [A-Za-z0-9_.-], no leading dot. */
static int plain_name(const char *s)
{
    if (!*s || *s == '.' || strlen(s) >= 96)
        return 0;
    for (; *s; s++)
        if (!(*s == '.' || *s == '-' || *s == '_' ||
              (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
              (*s >= 'A' && *s <= 'Z')))
            return 0;
    return 1;
}

/* The earlier report's names (plain names only), NULL-terminated; NULL
 * when there is no manifest. */
static char **read_manifest(const char *dir)
{
    char path[CB_RP_PATH + 32], line[128];
    char **names = NULL;
    size_t n = 0;
    FILE *f;
    int fd;
    snprintf(path, sizeof path, "%s/%s", dir, MANIFEST);
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || !(f = fdopen(fd, "r"))) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    names = calloc(1, sizeof *names);
    while (names && n < 100000 && fgets(line, sizeof line, f)) {
        char **g;
        line[strcspn(line, "\n")] = '\0';
        if (!plain_name(line))
            continue;
        g = realloc(names, (n + 2) * sizeof *g);
        if (!g)
            break;
        names = g;
        names[n] = strdup(line);
        names[n + (names[n] != NULL)] = NULL;
        n += names[n] != NULL;
    }
    fclose(f);
    return names;
}

static void free_names(char **names)
{
    for (size_t i = 0; names && names[i]; i++)
        free(names[i]);
    free(names);
}

static int listed(char **names, const char *s)
{
    for (size_t i = 0; names && names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return 1;
    return 0;
}

static int mkdirs(const char *path, struct cb_error *e)
{
    char buf[CB_RP_PATH];
    struct stat st;
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return CB_FAIL(e, CB_EUSAGE, "--out %s: cannot create it: %s",
                               buf, strerror(errno));
            *p = c;
            if (!c)
                break;
        }
    }
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return CB_FAIL(e, CB_EUSAGE, "--out %s: not a directory", path);
    return 0;
}

int cb_report_outdir(struct cb_report *rp, const char *out, int force,
                     struct cb_error *e)
{
    struct stat st;
    char shown[300];
    if (out) {
        if (!*out)
            return CB_FAIL(e, CB_EUSAGE, "--out: empty path");
        if (strlen(out) >= CB_RP_PATH - 256)
            return CB_FAIL(e, CB_EUSAGE, "--out: path too long (at most "
                           "%d bytes)", CB_RP_PATH - 257);
        snprintf(rp->outdir, sizeof rp->outdir, "%s", out);
    } else {
        const char *first = rp->files[0].m.path, *slash = strrchr(first, '/');
        const char *base = slash ? slash + 1 : first;
        size_t blen = strlen(base);
        if (strlen(first) >= CB_RP_PATH - 256)
            return CB_FAIL(e, CB_EUSAGE, "%s: path too long", first);
        if (blen > 5 && strcmp(base + blen - 5, ".json") == 0)
            blen -= 5;
        snprintf(rp->outdir, sizeof rp->outdir, "%.*s%s%.*s-report",
                 slash ? (int)(slash - first) : 0, first, slash ? "/" : "",
                 (int)blen, base);
    }
    /* no trailing slashes: paths are printed and joined with '/' */
    for (size_t n = strlen(rp->outdir); n > 1 && rp->outdir[n - 1] == '/'; n--)
        rp->outdir[n - 1] = '\0';
    cb_text_clean(rp->outdir, shown, sizeof shown, 200);
    if (stat(rp->outdir, &st) == 0) {
        char **ours;
        struct dirent *de;
        DIR *d;
        int foreign = 0;
        if (!S_ISDIR(st.st_mode))
            return CB_FAIL(e, CB_EUSAGE, "%s: exists and is not a directory",
                           shown);
        if (access(rp->outdir, W_OK | X_OK) != 0)
            return CB_FAIL(e, CB_EUSAGE, "%s: not writable", shown);
        if (force)
            return 0;
        d = opendir(rp->outdir);
        if (!d)
            return CB_FAIL(e, CB_EUSAGE, "%s: %s", shown, strerror(errno));
        ours = read_manifest(rp->outdir);
        while ((de = readdir(d)) != NULL)
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
                strcmp(de->d_name, MANIFEST) && !listed(ours, de->d_name))
                foreign = 1;
        closedir(d);
        free_names(ours);
        if (foreign)
            return CB_FAIL(e, CB_EUSAGE, "%s: directory holds files that are "
                           "not an earlier report's (use --force to write the "
                           "report into it anyway)", shown);
        return 0;
    }
    return mkdirs(rp->outdir, e);
}

/* ---- files ---------------------------------------------------------------- */

int cb_report_remember(struct cb_report *rp, const char *name,
                       struct cb_error *e)
{
    char **w;
    if (cb_report_wrote(rp, name))
        return 0;
    w = realloc(rp->written, (size_t)(rp->nwritten + 1) * sizeof *w);
    if (!w)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    rp->written = w;
    if (!(w[rp->nwritten] = strdup(name)))
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    rp->nwritten++;
    return 0;
}

int cb_report_wrote(const struct cb_report *rp, const char *name)
{
    for (int i = 0; i < rp->nwritten; i++)
        if (strcmp(rp->written[i], name) == 0)
            return 1;
    return 0;
}

int cb_report_open(struct cb_report *rp, struct cb_rp_out *o,
                   const char *name, struct cb_error *e)
{
    int fd;
    snprintf(o->name, sizeof o->name, "%s", name);
    snprintf(o->path, sizeof o->path, "%s/%s", rp->outdir, name);
    snprintf(o->tmp, sizeof o->tmp, "%s/.%s.XXXXXX", rp->outdir, name);
    fd = mkstemp(o->tmp);
    if (fd < 0)
        return CB_FAIL(e, CB_ESYS, "%s: cannot create a temporary file: %s",
                       name, strerror(errno));
    o->f = fdopen(fd, "w");
    if (!o->f) {
        close(fd);
        unlink(o->tmp);
        return CB_FAIL(e, CB_ESYS, "%s: %s", name, strerror(errno));
    }
    return 0;
}

void cb_report_abandon(struct cb_rp_out *o)
{
    if (o->f)
        fclose(o->f);
    o->f = NULL;
    unlink(o->tmp);
}

int cb_report_commit(struct cb_report *rp, struct cb_rp_out *o,
                     struct cb_error *e)
{
    int bad = ferror(o->f) != 0;
    if (fflush(o->f) != 0 || fsync(fileno(o->f)) != 0)
        bad = 1;
    if (fclose(o->f) != 0)
        bad = 1;
    o->f = NULL;
    if (bad || chmod(o->tmp, 0644) != 0 || rename(o->tmp, o->path) != 0) {
        int err = errno;
        unlink(o->tmp);
        return CB_FAIL(e, CB_ESYS, "%s: write failed: %s", o->name,
                       strerror(err));
    }
    return cb_report_remember(rp, o->name, e);
}

int cb_report_finish(struct cb_report *rp, struct cb_error *e)
{
    char **old = read_manifest(rp->outdir);
    struct cb_rp_out o;
    int rc, dfd;
    /* what the earlier report wrote and this one did not: stale figures
     * of a workload that is gone. Plain names only, in this directory,
     * regular files only. */
    dfd = open(rp->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (size_t i = 0; dfd >= 0 && old && old[i]; i++) {
        struct stat st;
        if (!cb_report_wrote(rp, old[i]) &&
            fstatat(dfd, old[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(st.st_mode))
            unlinkat(dfd, old[i], 0);
    }
    if (dfd >= 0)
        close(dfd);
    free_names(old);
    if ((rc = cb_report_open(rp, &o, MANIFEST, e)))
        return rc;
    for (int i = 0; i < rp->nwritten; i++)
        fprintf(o.f, "%s\n", rp->written[i]);
    rc = cb_report_commit(rp, &o, e);
    /* the manifest is not one of the report's files */
    if (!rc && rp->nwritten && !strcmp(rp->written[rp->nwritten - 1],
                                       MANIFEST))
        free(rp->written[--rp->nwritten]);
    return rc;
}

/* ---- tables ---------------------------------------------------------------- */

void cb_table_row(struct cb_table *t)
{
    size_t nc = (size_t)t->ncols;
    if (t->failed)
        return;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        double *num = realloc(t->num, cap * nc * sizeof *num);
        char **text;
        if (num)
            t->num = num;
        text = num ? realloc(t->text, cap * nc * sizeof *text) : NULL;
        if (!text) {
            t->failed = 1;
            return;
        }
        t->text = text;
        t->cap = cap;
    }
    for (size_t c = 0; c < nc; c++) {
        t->num[t->nrows * nc + c] = NAN;
        t->text[t->nrows * nc + c] = NULL;
    }
    t->nrows++;
}

void cb_table_num(struct cb_table *t, int col, double v)
{
    if (!t->failed && t->nrows && col >= 0 && col < t->ncols)
        t->num[(t->nrows - 1) * (size_t)t->ncols + (size_t)col] = v;
}

void cb_table_text(struct cb_table *t, int col, const char *s)
{
    char buf[1024];
    char **cell;
    if (t->failed || !t->nrows || col < 0 || col >= t->ncols)
        return;
    cell = &t->text[(t->nrows - 1) * (size_t)t->ncols + (size_t)col];
    cb_text_clean(s, buf, sizeof buf, 240);
    free(*cell);
    if (!(*cell = strdup(buf)))
        t->failed = 1;
}

double cb_table_get(const struct cb_table *t, size_t row, int col)
{
    return row < t->nrows && col >= 0 && col < t->ncols
               ? t->num[row * (size_t)t->ncols + (size_t)col] : NAN;
}

double cb_table_max(const struct cb_table *t, int col)
{
    double m = NAN;
    for (size_t r = 0; r < t->nrows; r++)
        if (!(cb_table_get(t, r, col) <= m))
            m = isnan(cb_table_get(t, r, col)) ? m : cb_table_get(t, r, col);
    return m;
}

const char *cb_table_str(const struct cb_table *t, size_t row, int col)
{
    const char *s = row < t->nrows && col >= 0 && col < t->ncols
                        ? t->text[row * (size_t)t->ncols + (size_t)col]
                        : NULL;
    return s ? s : "-";
}

void cb_table_tsv(const struct cb_table *t, FILE *f)
{
    for (int c = 0; c < t->ncols; c++)
        fprintf(f, "%s%s", c ? "\t" : "", t->cols[c].name);
    fputc('\n', f);
    for (size_t r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            double v = cb_table_get(t, r, c);
            if (c)
                fputc('\t', f);
            if (t->cols[c].kind == CB_COL_TEXT)
                fputs(cb_table_str(t, r, c), f); /* cleaned: no tab */
            else if (!isfinite(v))
                fputs("NaN", f);
            else if (t->cols[c].kind == CB_COL_INT)
                fprintf(f, "%.0f", v);
            else
                fprintf(f, "%.*g", t->cols[c].prec, v);
        }
        fputc('\n', f);
    }
}

void cb_table_free(struct cb_table *t)
{
    for (size_t i = 0; t->text && i < t->nrows * (size_t)t->ncols; i++)
        free(t->text[i]);
    free(t->text);
    free(t->num);
    t->text = NULL;
    t->num = NULL;
    t->nrows = t->cap = 0;
}

void cb_say(struct cb_say *s, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (s->len + 1 >= sizeof s->buf)
        return;
    if (s->len)
        s->buf[s->len++] = ' ';
    va_start(ap, fmt);
    n = vsnprintf(s->buf + s->len, sizeof s->buf - s->len, fmt, ap);
    va_end(ap);
    s->len += n > 0 ? (size_t)n : 0;
    if (s->len >= sizeof s->buf)
        s->len = sizeof s->buf - 1;
}
