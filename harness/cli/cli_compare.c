/* `corebench compare`'s command line: options, loading and checking the
 * files (the result model's validator), the refusals, the outputs and the
 * exit status. The comparison itself is compare.c, its rendering
 * compare_out.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_opts.h"
#include "commands.h"
#include "compare.h"
#include "text.h"

static const char usage_text[] =
    "usage: corebench compare BASE.json NEW.json [MORE.json ...] [options]\n"
    "\n"
    "Compares every configuration NEW has in common with BASE (the same\n"
    "kernel, size, kernel parameters, executor and its parameters, workers\n"
    "and pin): the ratio new/base of each side's time (the 25th percentile\n"
    "of its samples, as run's table) with a 95% bootstrap CI, a two-sided\n"
    "Mann-Whitney U test on the raw samples, and a verdict: faster or\n"
    "slower when the p-value, adjusted for the configurations tested\n"
    "together (Benjamini-Hochberg), is below alpha and the ratio moved by\n"
    "more than the threshold; else same. More files are each compared\n"
    "against BASE.\n"
    "\n"
    "Files from other machines or builds compare like any others: what\n"
    "differs (host, CPU, topology, compiler, flags, version) is shown above\n"
    "the table. Configurations whose workload differs (the same but for the\n"
    "kernel parameters: the times count different work) are listed, not\n"
    "compared.\n"
    "\n"
    "options:\n"
    "  --alpha A               significance level, 0 < A <= 0.5 [0.05]\n"
    "  --threshold PCT         the least change that is faster or slower:\n"
    "                          two runs of identical code drift apart by\n"
    "                          more than their samples show [3]\n"
    "  --fail-if-slower PCT    exit 1 when a configuration is significantly\n"
    "                          slower (verdict 'slower') by more than PCT%\n"
    "                          (ratio > 1 + PCT/100), naming each on stderr\n"
    "  --force                 also pair configurations whose workloads\n"
    "                          differ (marked in the table)\n"
    "  --json FILE             also write the comparison as JSON\n"
    "  --export-markdown FILE  also write it as Markdown\n"
    "                          (both replace FILE atomically; never an input)\n"
    "  --help                  this text\n"
    "\n"
    "exit status: 0 compared (differences are not errors; with\n"
    "--fail-if-slower: none slower by more than PCT), 1 --fail-if-slower:\n"
    "a configuration is, 2 bad arguments, unreadable files, or nothing\n"
    "comparable (only different workloads without --force; nothing in\n"
    "common under --fail-if-slower), 3 failure while working (out of\n"
    "memory, an output could not be written).\n";

struct args {
    char **files;
    int nfiles;
    const char *json, *md;
    struct cb_cmp_opts o;
};

static int parse_alpha(const char *s, double *alpha, struct cb_error *e)
{
    char shown[64], *end;
    double d;
    errno = 0;
    d = *s ? strtod(s, &end) : NAN;
    if (*s && !*end && errno == 0 && isfinite(d) && d > 0 && d <= 0.5) {
        *alpha = d;
        return 0;
    }
    cb_text_clean(s, shown, sizeof shown, 12);
    return CB_FAIL(e, CB_EUSAGE, "--alpha: '%s' is not a significance level "
                   "(accepted: greater than 0, at most 0.5)", shown);
}

static int parse_pct(const char *opt, const char *s, double *pct,
                     struct cb_error *e)
{
    char shown[64], *end;
    double d;
    errno = 0;
    d = *s ? strtod(s, &end) : NAN;
    if (*s && (!*end || (end[0] == '%' && !end[1])) && errno == 0 &&
        isfinite(d) && d >= 0 && d <= 1e6) {
        *pct = d;
        return 0;
    }
    cb_text_clean(s, shown, sizeof shown, 12);
    return CB_FAIL(e, CB_EUSAGE, "%s: '%s' is not a percentage (accepted: "
                   "a number from 0 to 1000000, e.g. 5 for 5%%)", opt,
                   shown);
}

/* 0 parsed, 1 --help, < 0 bad input. Result files may stand before,
 * between and after the options. */
static int parse(int argc, char **argv, struct args *a, struct cb_error *e)
{
    enum { O_ALPHA = 256, O_GATE, O_THRESHOLD, O_JSON, O_MD, O_FORCE };
    static const struct option lo[] = {
        {"alpha", required_argument, 0, O_ALPHA},
        {"fail-if-slower", required_argument, 0, O_GATE},
        {"threshold", required_argument, 0, O_THRESHOLD},
        {"json", required_argument, 0, O_JSON},
        {"export-markdown", required_argument, 0, O_MD},
        {"force", no_argument, 0, O_FORCE},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int rc = 0, c;
    a->o.alpha = 0.05;
    a->o.gate_pct = NAN;
    a->o.threshold_pct = CB_CMP_THRESHOLD_PCT;
    cb_cli_opts_reset();
    while (rc == 0 && (c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
        switch (c) {
        case 'h': return 1;
        case O_FORCE: a->o.force = 1; break;
        case O_ALPHA: rc = parse_alpha(optarg, &a->o.alpha, e); break;
        case O_GATE:
            rc = parse_pct("--fail-if-slower", optarg, &a->o.gate_pct, e);
            break;
        case O_THRESHOLD:
            rc = parse_pct("--threshold", optarg, &a->o.threshold_pct, e);
            break;
        case O_JSON: a->json = optarg; break;
        case O_MD: a->md = optarg; break;
        default: return cb_cli_opt_error("compare", c, argv, e);
        }
    }
    if (rc)
        return rc;
    for (int i = optind; i < argc; i++)
        a->files[a->nfiles++] = argv[i];
    if (a->nfiles < 2)
        return CB_FAIL(e, CB_EUSAGE, "needs two result files or more: "
                       "BASE.json NEW.json (see corebench compare --help)");
    return 0;
}

/* What cannot be compared: a comparison with nothing but different
 * workloads (without --force), or with nothing at all under the gate. */
static int check_comparable(const struct cb_cmp *c, int n,
                            const struct cb_cmp_opts *o, struct cb_error *e)
{
    for (int k = 0; k < n; k++) {
        char path[200], ref[300];
        cb_text_clean(c[k].b->path, path, sizeof path, 120);
        if (c[k].nrows)
            continue;
        if (c[k].nwl) {
            cb_cmp_ref(&c[k].a->runs[c[k].wl_a[0]], ref, sizeof ref);
            return CB_FAIL(e, CB_EUSAGE, "%s: nothing to compare: the "
                           "configurations in common run other workloads "
                           "(kernel parameters differ, e.g. %s); --force "
                           "pairs them anyway", path, ref);
        }
        if (isfinite(o->gate_pct))
            return CB_FAIL(e, CB_EUSAGE, "%s: no configuration in common "
                           "with the base: nothing for --fail-if-slower to "
                           "test", path);
    }
    return 0;
}

int cb_cmd_compare(int argc, char **argv)
{
    struct cb_error e = {0};
    struct args a = {0};
    struct cb_model *m = NULL;
    struct cb_cmp *c = NULL;
    json_t *doc = NULL;
    int rc = 0, status = 0, built = 0, gated = 0;

    a.files = calloc((size_t)argc + 1, sizeof *a.files);
    if (!a.files) {
        fprintf(stderr, "corebench compare: out of memory\n");
        return 3;
    }
    if ((rc = parse(argc, argv, &a, &e)) == 1) {
        fputs(usage_text, stdout);
        free(a.files);
        return 0;
    }
    if (rc)
        goto fail;
    {
        /* writable, replaced atomically, never an input nor each other */
        static const char *const opt[2] = {"--json", "--export-markdown"};
        const char *path[2] = {a.json, a.md};
        if ((rc = cb_results_check_outputs(opt, path, 2, 1, a.files,
                                           a.nfiles, &e)))
            goto fail;
    }
    m = calloc((size_t)a.nfiles, sizeof *m);
    c = calloc((size_t)a.nfiles, sizeof *c);
    if (!m || !c) {
        rc = CB_FAIL(&e, CB_ENOMEM, "out of memory");
        goto fail;
    }
    for (int i = 0; i < a.nfiles; i++) {
        char shown[200];
        if ((rc = cb_model_load(a.files[i], &m[i], &e)))
            goto fail;
        m[i].no_intervals = 1; /* compare prints its ratio's interval only */
        cb_model_derive(&m[i]);
        cb_text_clean(a.files[i], shown, sizeof shown, 120);
        if (!m[i].complete)
            fprintf(stderr, "corebench compare: warning: %s is incomplete "
                    "(its sweep was interrupted or is still running)\n",
                    shown);
    }
    for (; built < a.nfiles - 1; built++)
        if ((rc = cb_cmp_build(&c[built], &m[0], &m[built + 1], &a.o, &e)))
            goto fail;
    if ((rc = check_comparable(c, built, &a.o, &e)))
        goto fail;
    cb_cmp_print(c, (size_t)built, &a.o);
    if (a.json) {
        if (!(doc = cb_cmp_json(c, (size_t)built, &a.o))) {
            rc = CB_FAIL(&e, CB_ENOMEM, "out of memory building --json");
            goto fail;
        }
        if ((rc = cb_results_write(doc, a.json, 1, &e)))
            goto fail;
    }
    if (a.md) {
        struct cb_cmp_doc d = {c, (size_t)built, &a.o};
        if ((rc = cb_results_write_with(a.md, 1, cb_cmp_markdown, &d, &e)))
            goto fail;
    }
    for (int k = 0; k < built; k++)
        gated += c[k].ngated;
    status = gated ? 1 : 0;
    goto out;
fail: {
    char line[sizeof e.msg * 4 + 8];
    cb_text_clean(e.msg, line, sizeof line, sizeof e.msg);
    fprintf(stderr, "corebench compare: %s\n", line);
    status = rc == CB_EUSAGE ? 2 : 3;
}
out:
    json_decref(doc);
    for (int k = 0; c && k < built; k++)
        cb_cmp_free(&c[k]);
    for (int i = 0; m && i < a.nfiles; i++)
        cb_model_free(&m[i]);
    free(c);
    free(m);
    free(a.files);
    return status;
}
