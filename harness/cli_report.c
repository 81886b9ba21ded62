/* `corebench report`: the command line. The work is in report*.c and the
 * figures in harness/figures/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    struct cb_report rp;
    struct cb_error e = {0};
    char **paths;
    const char *out = NULL;
    int npaths = 0, force = 0, only_files = 0, rc;

    memset(&rp, 0, sizeof rp);
    paths = calloc((size_t)(argc > 0 ? argc : 1), sizeof *paths);
    if (!paths) {
        fprintf(stderr, "corebench report: out of memory\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_files || a[0] != '-' || a[1] == '\0') {
            paths[npaths++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            only_files = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            free(paths);
            return 0;
        } else if (strcmp(a, "--force") == 0) {
            force = 1;
        } else if (strcmp(a, "--out") == 0 || strcmp(a, "-o") == 0) {
            if (i + 1 >= argc) {
                free(paths);
                return fail("%s needs a directory", a);
            }
            out = argv[++i];
        } else if (strncmp(a, "--out=", 6) == 0) {
            out = a + 6;
        } else {
            free(paths);
            return fail("unknown option '%s' (see corebench report --help)",
                        a);
        }
    }
    if (npaths == 0) {
        free(paths);
        return fail("%s", "no result file given (usage: corebench report "
                          "RESULTS.json [...] [--out DIR] [--force])");
    }
    rc = cb_report_load(&rp, paths, npaths, &e);
    if (!rc)
        rc = cb_report_outdir(&rp, out, force, &e);
    free(paths);
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
