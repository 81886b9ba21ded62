/* A figure of `corebench report`: one file in harness/report/figures/ and one
 * line in harness/report/figures/registry.c.
 *
 * A figure declares its columns (name, kind, precision: the TSV writer is
 * driven by that table alone, data columns only), how to derive its rows
 * from the result model for one workload (or once for the whole report),
 * which plots/NAME.gp draws it (NULL: a table only), and what to say about
 * it: two or three sentences computed from the rows it derived, so every
 * number in the text is a number of its table. The report runs every
 * figure for every workload: rows -> NAME-STEM.tsv -> gnuplot -d common.gp
 * -c plots/SCRIPT DATA OUT TITLE FOOTER -> NAME-STEM.png -> a section of
 * report.md and report.html. A figure without rows anywhere is skipped,
 * with its `absent` note on the page.
 *
 * Text cells are cleaned (text.h) as they are set; numbers are NaN when
 * undefined (the TSV says "NaN": gnuplot, awk and pandas read it as
 * missing). */
#ifndef CB_FIGURE_H
#define CB_FIGURE_H

#include <stddef.h>

#include "report.h"

enum cb_col_kind {
    CB_COL_TEXT, /* cleaned text */
    CB_COL_INT,  /* an integer (counts, bytes, workers) */
    CB_COL_NUM,  /* a real number at `prec` significant digits */
};

struct cb_column {
    const char *name;
    enum cb_col_kind kind;
    int prec; /* CB_COL_NUM: significant digits */
};
#define CB_COLUMNS(a) (a), (int)(sizeof(a) / sizeof((a)[0]))

/* Most figures' rows are runs: their first columns say which (the
 * kernel, the series as the legend names it, the machine, the workers),
 * filled by cb_fig_run_row(). */
#define CB_COLS_RUN                                                          \
    {"kernel", CB_COL_TEXT, 0}, {"series", CB_COL_TEXT, 0},                  \
        {"machine", CB_COL_TEXT, 0}, {"workers", CB_COL_INT, 0}
enum { CB_C_KERNEL, CB_C_SERIES, CB_C_MACHINE, CB_C_WORKERS, CB_C_NEXT };

/* The rows of one figure instance. */
struct cb_table {
    const struct cb_column *cols;
    int ncols;
    size_t nrows, cap;
    double *num;  /* nrows x ncols (NaN: undefined) */
    char **text;  /* nrows x ncols (text columns; NULL: "-") */
    int failed;   /* out of memory: the runner says so */
};

/* Appends a row (numbers NaN, text "-"); the setters fill the last row. */
void cb_table_row(struct cb_table *t);
void cb_table_num(struct cb_table *t, int col, double v);
void cb_table_text(struct cb_table *t, int col, const char *s);
double cb_table_get(const struct cb_table *t, size_t row, int col);
const char *cb_table_str(const struct cb_table *t, size_t row, int col);
/* Writes t as TSV: one header line, one line per row. */
void cb_table_tsv(const struct cb_table *t, FILE *f);
void cb_table_free(struct cb_table *t);
/* The largest number in column col (NaN when there is none). */
double cb_table_max(const struct cb_table *t, int col);
/* Appends a row for run rr of series s and fills the CB_COLS_RUN columns. */
void cb_fig_run_row(struct cb_table *t, const struct cb_report *rp,
                    const struct cb_series *s, const struct cb_rrun *rr);

/* Sentences about a figure instance, plain text (the pages escape it). */
struct cb_say {
    char buf[1200];
    size_t len;
};
void cb_say(struct cb_say *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

enum cb_fig_scope {
    CB_FIG_WORKLOAD, /* one instance per workload: NAME-STEM.tsv/.png */
    CB_FIG_REPORT,   /* one instance: NAME.tsv/.png, w is NULL */
};

struct cb_figure {
    const char *name;   /* [a-z]+: file names, the registry */
    const char *title;  /* "Speedup vs workers" (the workload is added) */
    const char *script; /* plots/SCRIPT draws it; NULL: a table only */
    enum cb_fig_scope scope;
    const struct cb_column *cols;
    int ncols;
    const char *what;   /* one line under the figure: what it shows */
    const char *absent; /* the page's note when no instance has rows */
    /* Derives the rows of workload w (NULL for CB_FIG_REPORT) into t. No
     * rows: no instance. */
    void (*rows)(const struct cb_report *rp, const struct cb_rwork *w,
                 struct cb_table *t);
    /* Or, for a table of one row per run, instead of rows: called for
     * every run of the workload (of every workload for CB_FIG_REPORT),
     * series by series, by workers; adds a row (cb_fig_run_row) or none. */
    void (*row)(const struct cb_report *rp, const struct cb_series *s,
                const struct cb_rrun *rr, struct cb_table *t);
    /* Says two or three things about those rows. May be NULL. */
    void (*say)(const struct cb_report *rp, const struct cb_rwork *w,
                const struct cb_table *t, struct cb_say *s);
};

/* Calls fig->row for every run of workload w (every workload: NULL). */
void cb_fig_each_run(const struct cb_report *rp, const struct cb_rwork *w,
                     const struct cb_figure *fig, struct cb_table *t);

/* NULL-terminated, in the order the pages show them. */
extern const struct cb_figure *const cb_figures[];

#endif
