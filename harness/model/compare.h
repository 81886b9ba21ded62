/* `corebench compare`, in parts:
 *
 *   cli_compare.c   the command line, loading, exit statuses
 *   compare.c       pairing configurations, the test per pair, context
 *                   differences, tallies, the gate
 *   compare_out.c   the comparison on the terminal, as Markdown, as JSON
 *
 * Files are loaded and validated by the result model (cb_model_load: the
 * same rules and messages as `report`) and derived once (cb_model_derive);
 * configurations are paired by cb_config_key() and named by the model's
 * label (d.label). Every later file is compared against the first.
 *
 * What is compared and what is refused: everything about where and how a
 * file was made (host, CPU, topology, build, corebench version, date) is
 * what a comparison is for, so a difference there is shown, never
 * refused. Refused are only numbers that do not measure the same work: a
 * file of another schema (the model cannot read it, --force or not), and
 * a configuration whose workload differs (the same kernel, size, executor,
 * executor parameters, workers and pin, but other kernel parameters: the
 * times count different work). Those are listed and left out; --force
 * pairs them anyway, marked. */
#ifndef CB_COMPARE_H
#define CB_COMPARE_H

#include <stdio.h>

#include "model.h"

#define CB_CMP_SCHEMA "corebench-compare/3"
#define CB_CMP_LEVEL 0.95
#define CB_CMP_MIN_SAMPLES 3 /* below this on either side: no test */
/* The default --threshold, percent: the least change of the ratio that
 * counts as faster or slower. Samples of one sweep are not independent
 * replicates: the machine's state drifts over minutes (a VM's neighbours,
 * its host's frequency), so two runs of identical code differ by more
 * than their samples' spread predicts and a test that counts every sample
 * as a replicate calls that drift significant. The threshold stands for
 * that run-to-run drift (README, "Comparing runs"; scripts/cloud-targets.sh
 * measures it on A/A pairs); a change must be both significant (p adjusted for
 * the many configurations by Benjamini-Hochberg, below alpha) and larger
 * than it. criterion's noise threshold is the same idea (1% by default,
 * for a quieter machine); 3% is the run-to-run agreement issue 15 asks of
 * `make bench` (speedups within 3% between two runs), so a difference the
 * project accepts between two runs of identical code reads "same". */
#define CB_CMP_THRESHOLD_PCT 3.0

enum cb_verdict { CB_V_FASTER, CB_V_SLOWER, CB_V_SAME, CB_V_FEW, CB_V_COUNT };
extern const char *const cb_verdict_name[CB_V_COUNT];

struct cb_cmp_opts {
    double alpha;    /* significance level of the test */
    double gate_pct; /* --fail-if-slower PCT, NaN when not asked */
    double threshold_pct; /* --threshold PCT: least change that counts */
    int force;       /* pair configurations whose workloads differ */
};

/* One pair of configurations: a from the base file, b from the other. */
struct cb_cmp_row {
    const struct cb_run *a, *b;
    double ratio, lo, hi; /* median b / median a, bootstrap CI */
    double u, p;          /* Mann-Whitney U of a, two-sided p */
    double p_adj;         /* p, BH-adjusted over the comparison's tests */
    enum cb_verdict v;
    int within;       /* "same": significant, but the ratio moved by no
                         more than the threshold */
    int underpowered; /* "same" only because p < alpha was impossible */
    int workload;     /* paired by --force although the params differ */
    int gated;        /* significantly slower by more than gate_pct */
    int ambiguous;    /* another row shows the same kernel, size, label and
                         workers: the workload column tells them apart */
};

/* A context field that differs between the two files (shown cleaned). */
struct cb_cmp_diff {
    const char *field; /* "host", "topology", "compiler", ... */
    char a[128], b[128];
};
#define CB_CMP_MAX_DIFFS 12

struct cb_cmp_tally {
    int rows, count[CB_V_COUNT];
    double geomean; /* of the ratios, NaN when none */
};

/* One comparison: file b against base file a. */
struct cb_cmp {
    const struct cb_model *a, *b;
    struct cb_cmp_row *rows;
    size_t nrows;
    /* runs left out: only in a, only in b (indices into runs) */
    size_t *only_a, *only_b, nonly_a, nonly_b;
    /* pairs not compared because their workloads differ (no --force) */
    size_t *wl_a, *wl_b, nwl;
    struct cb_cmp_diff diff[CB_CMP_MAX_DIFFS];
    int ndiff;
    int machines; /* host or topology differ: a comparison of machines */
    int builds;   /* the build differs */
    int ngated;
    struct cb_cmp_tally all;
};

/* Pairs the configurations of b with a's and tests each pair. a and b are
 * derived (cb_model_derive). 0, or CB_ENOMEM. */
int cb_cmp_build(struct cb_cmp *c, const struct cb_model *a,
                 const struct cb_model *b, const struct cb_cmp_opts *o,
                 struct cb_error *e);
void cb_cmp_free(struct cb_cmp *c);
/* Verdict counts and the geometric mean of the ratios of executor x's rows
 * (every row for NULL). */
void cb_cmp_tally(const struct cb_cmp *c, const char *x,
                  struct cb_cmp_tally *t);
/* The fewest samples per side for which p < alpha is possible at all. */
size_t cb_cmp_enough(double alpha);
/* Smallest two-sided p the exact test can give for na + nb samples. */
double cb_cmp_min_p(size_t na, size_t nb);
/* "gcd/small thread-pool c=16 w=2": a configuration in a sentence. */
void cb_cmp_ref(const struct cb_run *r, char *buf, size_t len);

/* ---- compare_out.c ------------------------------------------------------ */

/* The comparisons on stdout: per comparison its context, the table, the
 * tallies per executor, what was left out, the summary line. */
void cb_cmp_print(const struct cb_cmp *c, size_t n,
                  const struct cb_cmp_opts *o);
/* The same as a Markdown document (emit() for cb_results_write_with). */
struct cb_cmp_doc {
    const struct cb_cmp *c;
    size_t n;
    const struct cb_cmp_opts *o;
};
int cb_cmp_markdown(FILE *f, void *doc);
/* The comparisons as JSON (CB_CMP_SCHEMA). New reference, or NULL. */
json_t *cb_cmp_json(const struct cb_cmp *c, size_t n,
                    const struct cb_cmp_opts *o);

#endif
