/* Fuzz target: the `corebench run` command line.
 *
 * The input is split at newlines and NULs into argv[1..] (argv[0] is
 * "run") and parsed by cb_run_parse_only against a fixed synthetic
 * topology (2 packages x 4 cores x 2 PUs): every option, list, range, pin
 * list and --param as cb_cmd_run parses them, without touching a file,
 * the lock or a workload. Must hold for any input: no crash, no sanitizer
 * report, 0 / 1 (--help) / a negative status with a one-line message. */
#include <string.h>

#include "commands.h"
#include "topo.h"

#include "fuzz.h"

#define MAX_ARGS 64

static struct cb_topo *topo;

static void drop_topo(void)
{
    cb_topo_destroy(topo);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct cb_error e = {0};
    (void)argc;
    (void)argv;
    if (cb_topo_load(&topo, "pack:2 core:4 pu:2", NULL, &e) != 0) {
        fprintf(stderr, "fuzz_run_cli: %s\n", e.msg);
        abort();
    }
    atexit(drop_topo);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *argv[MAX_ARGS + 2], *buf, run[] = "run";
    struct cb_error e = {0};
    int argc, rc;

    if (!topo)
        LLVMFuzzerInitialize(NULL, NULL);
    if (size > 4096)
        return 0; /* a command line, not a file */
    argv[0] = run;
    argc = 1 + fuzz_tokens(data, size, argv + 1, MAX_ARGS, &buf);
    argv[argc] = NULL;
    rc = cb_run_parse_only(argc, argv, topo, &e);
    FUZZ_ASSERT(rc == 0 || rc == 1 || (rc < 0 && e.code == rc && e.msg[0]));
    FUZZ_ASSERT(!strchr(e.msg, '\n'));
    free(buf);
    return 0;
}
