/* Fuzz target: a result file as `report` and `compare` read it.
 *
 * The input is written to a file and goes through cb_results_load (the
 * shared reader: size limits, schema, runs), then through the whole of
 * `compare` (the file against itself, and a valid base against it with
 * --force: the model's loader, pairing, labels, statistics, the table) and the
 * whole of `report` without gnuplot (the model, every figure's table, the
 * pages, the summary). Must hold for any input: no crash, no sanitizer
 * report, an exit status of 0, 2 or 3 (compare: 1 is its gate, not asked
 * here) or 0, 1 or 2 (report), and a message when loading fails.
 * Output files go to a private directory under /dev/shm (or $TMPDIR),
 * emptied after every input. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "commands.h"
#include "results.h"

#include "fuzz.h"

static char dir[256], input[300], base[300], out[300];

/* A valid file with two configurations: the base compare matches against. */
static const char base_json[] =
    "{\"schema\": \"corebench/1\", \"complete\": true, \"context\": {"
    "\"corebench\": {\"build_type\": \"Release\", \"compiler\": \"GNU 12\","
    " \"cflags\": \"-O3\"}, \"topology\": {\"fingerprint\": \"0\", \"pus\": 2}},"
    " \"runs\": ["
    "{\"kernel\": \"gcd\", \"size\": \"tiny\", \"executor\": \"serial\","
    " \"workers\": 1, \"samples\": [0.1, 0.11, 0.09, 0.1],"
    " \"stats\": {\"median\": 0.1}},"
    "{\"kernel\": \"gcd\", \"size\": \"tiny\", \"executor\": \"threads\","
    " \"workers\": 2, \"samples\": [0.05, 0.06, 0.05, 0.055],"
    " \"stats\": {\"median\": 0.05}}]}\n";

static int rm_one(const char *p, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    if (ftw->level > 0)
        remove(p);
    return 0;
}

static void cleanup(void)
{
    nftw(out, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    rmdir(out);
    unlink(input);
    unlink(base);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NULL;
    FILE *f;
    (void)argc;
    (void)argv;
    if (!tmp && !(tmp = getenv("TMPDIR")))
        tmp = "/tmp";
    snprintf(dir, sizeof dir, "%s/cb-fuzz-results-XXXXXX", tmp);
    if (!mkdtemp(dir))
        abort();
    snprintf(input, sizeof input, "%s/input.json", dir);
    snprintf(base, sizeof base, "%s/base.json", dir);
    snprintf(out, sizeof out, "%s/report", dir);
    f = fopen(base, "w");
    if (!f || fputs(base_json, f) < 0 || fclose(f) != 0)
        abort();
    /* report draws no figure without gnuplot: tables only, no child */
    setenv("PATH", "/nonexistent-cb-fuzz", 1);
    atexit(cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f;
    struct cb_error e = {0};
    json_t *root = NULL;
    int rc;

    if (!dir[0])
        LLVMFuzzerInitialize(NULL, NULL);
    f = fopen(input, "wb");
    FUZZ_ASSERT(f);
    FUZZ_ASSERT(fwrite(data, 1, size, f) == size);
    FUZZ_ASSERT(fclose(f) == 0);

    rc = cb_results_load(input, &root, &e);
    if (rc == 0) {
        FUZZ_ASSERT(json_is_object(root));
        FUZZ_ASSERT(json_is_array(json_object_get(root, "runs")));
        json_decref(root);
    } else {
        FUZZ_ASSERT(rc < 0 && root == NULL && e.msg[0] && e.code == rc);
    }

    {
        char *cmp1[] = {"compare", input, input, NULL};
        char *cmp2[] = {"compare", "--force", base, input, NULL};
        char *rep[] = {"report", input, "--out", out, "--force", NULL};
        /* 0 compared, 2 bad input, 3 out of memory; never 1: no gate */
        rc = cb_cmd_compare(3, cmp1);
        FUZZ_ASSERT(rc == 0 || rc == 2 || rc == 3);
        rc = cb_cmd_compare(4, cmp2);
        FUZZ_ASSERT(rc == 0 || rc == 2 || rc == 3);
        rc = cb_cmd_report(5, rep);
        FUZZ_ASSERT(rc >= 0 && rc <= 2);
        nftw(out, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    }
    return 0;
}
