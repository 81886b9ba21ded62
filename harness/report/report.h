/* corebench report: result files -> figures (harness/report/figures/, one file
 * each, listed in figures/registry.c), their TSV tables, report.md and a
 * self-contained report.html, in one output directory.
 *
 *   cli_report.c     the command line (cb_cmd_report)
 *   report.c         load every file into the model (cb_model_load +
 *                    cb_model_derive), name the machines and workloads,
 *                    the run: every figure of the registry per workload,
 *                    then the pages and the summary on stdout
 *   report_series.c  a workload's runs as figures draw them: series,
 *                    lines over an executor parameter
 *   report_ceil.c    each run against its ceiling (triad or linear)
 *   report_out.c     the output directory (its manifest: a later report
 *                    replaces its own earlier one), files written whole
 *                    (temp + rename), the table and its TSV writer
 *   report_plot.c    the gnuplot runner (argv, no shell, safe paths)
 *   report_page.c    report.md and report.html
 *
 * Trust boundary: every string in a result file is untrusted. Text cells
 * are cleaned by text.h's policy when they enter a table; gnuplot reads
 * them as data (strcol) and gets file paths and cleaned titles only as
 * arguments, never as script text; pages write every string through
 * cb_text_md / cb_text_html; file names come from cb_text_stem. */
#ifndef CB_REPORT_H
#define CB_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "model.h"
#include "probe.h"

#define CB_RP_PATH 4096

/* One result file and the machine it describes. */
struct cb_rfile {
    struct cb_model m;
    char tag[64];      /* unique short machine name: "host", "host #2" */
    char machine[160]; /* "tag (1 pkg, 2 cores, 2 PUs)" */
    char date[32];     /* "2024-05-14 09:31 UTC", "-" */
    struct cb_triad_level lv[CB_TRIAD_MAX_LEVELS]; /* the probe's triad */
    int nlv, npoints;
    json_t *fits; /* cb_model_fits_json: Amdahl per variant, from the runs */
};

/* What one figure instance covers: one kernel's workload (kernel, size,
 * params), across every file. */
struct cb_rwork {
    const char *kernel, *size; /* raw, borrowed from the first run */
    const json_t *params;
    char label[160]; /* cleaned: "gcd", "gcd small", "gcd small n=20000" */
    char stem[80];   /* unique file-name part: "gcd", "gcd-small" */
};

/* A run and the file it came from. */
struct cb_rrun {
    int file;
    const struct cb_run *r;
};

/* The runs of one workload that draw as one line: one file, one
 * configuration label, one pin policy, by workers (then by the dropped
 * parameter's value). */
struct cb_series {
    int file;
    struct cb_rrun *runs;
    int n;
    char label[160]; /* cb_config_label, without the dropped parameter */
    char key[208];   /* label [pin=P when a file ran it under several] */
    char name[272];  /* key [@ tag when there are several files] */
};

/* A sweep over one executor parameter: the runs of one series (its label
 * without the parameter) at one worker count, measured at two values of
 * it or more, by value. */
struct cb_line {
    const struct cb_series *s;
    int from, to;   /* s->runs[from..to) */
    char name[300]; /* "gil c=1 w=2": the series, its worker count */
};

/* What a run's rate is compared with. */
enum cb_ceil_kind { CB_CEIL_NONE, CB_CEIL_BANDWIDTH, CB_CEIL_LINEAR };
struct cb_rceil {
    enum cb_ceil_kind kind;
    double achieved; /* bytes/s (bandwidth) or the speedup (linear) */
    double ceiling;  /* triad bytes/s or the ideal speedup */
    /* bandwidth: the triad point's median repetition, the ceiling's low
     * end (NaN: unknown, or linear) */
    double ceiling_lo;
    double fraction; /* achieved / ceiling, never above 1 without a note */
    long threads;    /* the triad point's thread count, -1 for linear */
    char level[8];   /* "ws", "l2", "llc", "dram"; "" for linear */
    char note[200];  /* why above 1, "" when not */
};

struct cb_report {
    struct cb_rfile *files;
    int nfiles;
    struct cb_rwork *wl;
    int nwl;
    char outdir[CB_RP_PATH];
    char plots[CB_RP_PATH]; /* plots/ (common.gp and the scripts) */
    int draw;               /* gnuplot and the scripts were found */
    char why_not[480];      /* else why not */
    char **written;         /* base names written, in order */
    int nwritten;
    struct cb_page *page; /* what report_page.c writes (report_page.c) */
    double deadline;      /* CLOCK_MONOTONIC s: no figure drawn past it */
    double budget_s;      /* the drawing budget (CB_REPORT_MAX_TIME) */
    int over_budget;      /* figures left as tables because of it */
};

/* ---- report.c, report_series.c, report_ceil.c ------------------------------ */

/* Loads every path (nothing is written before all of them passed),
 * derives, names machines and workloads. CB_EUSAGE for a bad file. */
int cb_report_load(struct cb_report *rp, char **paths, int n,
                   struct cb_error *e);
/* Draws every figure of the registry for every workload, writes the
 * tables, report.md and report.html, prints what it wrote and the summary
 * on stdout. Returns the exit status (0, or 1 when something could not be
 * written or drawn: each said on stderr in one line). */
int cb_report_run(struct cb_report *rp);
void cb_report_free(struct cb_report *rp);
/* Seconds left of the drawing budget that cb_report_plot_init started
 * (negative: spent; report_plot.c). */
double cb_report_time_left(const struct cb_report *rp);

/* Every run of workload w, or NULL when run r is not in it. */
int cb_rwork_has(const struct cb_rwork *w, const struct cb_run *r);
/* The series of workload w. drop: an executor parameter to leave out of
 * the identity (the overhead figure's x: "chunksize"), or NULL. Sorted:
 * executors in registry order, then label, then file. 0, or CB_ENOMEM. */
int cb_report_series(const struct cb_report *rp, const struct cb_rwork *w,
                     const char *drop, struct cb_series **out, int *n);
void cb_series_free(struct cb_series *s, int n);
/* "gil c=1 w=2 @ host": series s at one worker count (a bar, a strip, a
 * line over a parameter). */
void cb_series_name_w(const struct cb_report *rp, const struct cb_series *s,
                      int workers, char *buf, size_t len);
/* The lines of workload w over executor parameter `param` ("chunksize",
 * "switch_interval"); value(r) is a run's value of it (NaN: leave the run
 * out). Free *series with cb_series_free and *lines with free(). */
int cb_report_lines(const struct cb_report *rp, const struct cb_rwork *w,
                    const char *param, double (*value)(const struct cb_run *),
                    struct cb_series **series, int *ns,
                    struct cb_line **lines, int *nl);
/* The run's ceiling (kind CB_CEIL_NONE when it has none). */
void cb_report_ceiling(const struct cb_report *rp, int file,
                       const struct cb_run *r, struct cb_rceil *c);
/* "sum: threads 2 workers: 15.2 GB/s = 83% of dram triad (...)": the run
 * of file f and workload k closest to its ceiling at the largest worker
 * count that has one (how much of the machine the best configuration
 * used), for the summary and the page. 0 when no run there has one. */
int cb_report_ceiling_summary(const struct cb_report *rp, int f, int k,
                              char *buf, size_t len);
/* One line saying how run r compares with its ceiling c, for the summary
 * and the page: "threads 2 workers: 15.2 GB/s = 83% of dram triad (18.3
 * GB/s at 2 threads)" (then ": why" above 1). */
void cb_report_ceiling_line(const struct cb_report *rp, int file,
                            const struct cb_run *r, const struct cb_rceil *c,
                            char *buf, size_t len);
/* The best run of file f and workload w at that file's largest worker
 * count of the workload (*wmax, 0 when the file has no run of w): the
 * highest speedup, NULL when no run there has one. */
const struct cb_run *cb_report_best(const struct cb_report *rp, int f,
                                    const struct cb_rwork *w, int *wmax);
/* "1.94x [1.90x, 1.98x]": run r's speedup and its 95% interval. */
void cb_report_speedup_text(const struct cb_run *r, char *buf, size_t len);
/* The figure footer of workload w (NULL: every run): machines, dates,
 * samples per point. */
void cb_report_footer(const struct cb_report *rp, const struct cb_rwork *w,
                      char *buf, size_t len);
/* The Amdahl serial fraction fitted to run r's variant (kernel, size,
 * executor, label) in its file, NaN when there is none. */
double cb_report_amdahl(const struct cb_report *rp, int file,
                        const struct cb_run *r);
/* The median of a run's per-sample array (startup, shutdown), NaN if
 * none. */
double cb_report_median(const double *x, size_t n);

/* ---- report_out.c --------------------------------------------------------- */

/* Picks and checks the output directory (default: next to the first file,
 * <dir>/<stem>-report). A directory that holds only an earlier report's
 * files (its manifest lists them) is reused; anything else in it needs
 * --force. Before any write. */
int cb_report_outdir(struct cb_report *rp, const char *out, int force,
                     struct cb_error *e);
/* A file of the report, written whole: open a temp file in the output
 * directory, write to o->f, then commit (rename into place, remembered
 * for the manifest) or abandon. */
struct cb_rp_out {
    FILE *f;
    char tmp[CB_RP_PATH + 96];
    char path[CB_RP_PATH + 96];
    char name[96];
};
int cb_report_open(struct cb_report *rp, struct cb_rp_out *o,
                   const char *name, struct cb_error *e);
int cb_report_commit(struct cb_report *rp, struct cb_rp_out *o,
                     struct cb_error *e);
void cb_report_abandon(struct cb_rp_out *o);
/* Remembers a base name as written (the gnuplot runner's PNGs). */
int cb_report_remember(struct cb_report *rp, const char *name,
                       struct cb_error *e);
int cb_report_wrote(const struct cb_report *rp, const char *name);
/* Writes the manifest and removes what the earlier report wrote and this
 * one did not. */
int cb_report_finish(struct cb_report *rp, struct cb_error *e);

/* ---- report_plot.c ------------------------------------------------------- */

/* Finds gnuplot and plots/ (sets rp->draw, or rp->why_not). */
void cb_report_plot_init(struct cb_report *rp);
/* gnuplot -d common.gp -c SCRIPT DATA OUT TITLE FOOTER: draws NAME.png
 * from the table DATA (both base names in the output directory). */
int cb_report_plot(struct cb_report *rp, const char *script,
                   const char *data, const char *png, const char *title,
                   const char *footer, struct cb_error *e);

/* ---- report_page.c -------------------------------------------------------- */

/* What the pages show of one figure instance, in registry order. */
int cb_page_figure(struct cb_report *rp, const char *figure,
                   const char *title, const char *png, const char *tsv,
                   const char *caption, const char *sentences);
/* A figure with no instance: why. */
int cb_page_absent(struct cb_report *rp, const char *figure,
                   const char *title, const char *why);
/* Writes report.md and report.html. */
int cb_page_write(struct cb_report *rp, struct cb_error *e);
void cb_page_free(struct cb_report *rp);

#endif
