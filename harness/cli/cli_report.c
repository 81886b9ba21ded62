/* `corebench report`: the command line. The work is in report*.c and the
 * figures in harness/report/figures/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_opts.h"
#include "commands.h"
#include "report.h"
#include "text.h"

static void usage(FILE *f)
{
    fputs(
        "usage: corebench report RESULTS.json [MORE.json ...] [--out DIR] "
        "[--force]\n"
        "\n"
        "Turns result files into one directory: report.html (self-contained:\n"
        "figures embedded, opens offline) and report.md with the context,\n"
        "a summary table, every figure with what its data says, the\n"
        "ceilings and the warnings; per figure and kernel a PNG and the TSV\n"
        "table it was drawn from (speedup-K, efficiency-K, breakdown-K,\n"
        "samples-K; overhead-K at several chunksizes, gil-K at several GIL\n"
        "switch intervals, machines-K for several files, ceilings-K for\n"
        "memory-bound kernels with a probe) and ceilings.tsv. Files from\n"
        "different machines are compared side by side.\n"
        "\n"
        "  --out DIR   output directory (default: next to the first file,\n"
        "              <dir>/<name>-report); an earlier report there is\n"
        "              replaced\n"
        "  --force     write into a directory that holds other files too\n"
        "  --help      this text\n"
        "\n"
        "Figures need gnuplot; the tables and pages are written without it.\n"
        "The scripts are found through CB_PLOTS_DIR, the source tree, or\n"
        "<bin>/../plots.\n"
        "Exit status: 0 done, 1 a figure or file could not be written,\n"
        "2 bad input (nothing written).\n",
        f);
}

static int fail(const char *fmt, const char *arg)
{
    char shown[300];
    cb_text_clean(arg, shown, sizeof shown, 200);
    fprintf(stderr, "corebench report: ");
    fprintf(stderr, fmt, shown);
    fputc('\n', stderr);
    return 2;
}

int cb_cmd_report(int argc, char **argv)
{
    static const struct option lo[] = {
        {"out", required_argument, 0, 'o'},
        {"force", no_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct cb_report rp;
    struct cb_error e = {0};
    char **paths;
    const char *out = NULL;
    int npaths = 0, force = 0, rc, c;

    memset(&rp, 0, sizeof rp);
    /* result files may stand before, between and after the options */
    cb_cli_opts_reset();
    while ((c = getopt_long(argc, argv, ":ho:", lo, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'f': force = 1; break;
        case 'h': usage(stdout); return 0;
        default: /* the option is cleaned in e.msg */
            cb_cli_opt_error("report", c, argv, &e);
            fprintf(stderr, "corebench report: %s\n", e.msg);
            return 2;
        }
    }
    paths = argv + optind;
    npaths = argc - optind;
    if (npaths <= 0)
        return fail("%s", "no result file given (usage: corebench report "
                          "RESULTS.json [...] [--out DIR] [--force])");
    rc = cb_report_load(&rp, paths, npaths, &e);
    if (!rc)
        rc = cb_report_outdir(&rp, out, force, &e);
    if (rc) {
        char line[sizeof e.msg * 4 + 8];
        cb_text_clean(e.msg, line, sizeof line, sizeof e.msg);
        fprintf(stderr, "corebench report: %s\n", line);
        cb_report_free(&rp);
        return rc == CB_EUSAGE ? 2 : 1;
    }
    rc = cb_report_run(&rp);
    cb_report_free(&rp);
    return rc;
}
