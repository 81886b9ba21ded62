/* corebench: the command-line front door. Dispatches subcommands; only this
 * file exits the process. */
#include <stdio.h>
#include <string.h>

#include "executors/executor.h"
#include "commands.h"
#include "run.h"
#include "topo.h"
#include "kernels/kernel.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"run", cb_cmd_run, "sweep kernels x executors x workers; write JSON"},
    {"list", cb_cmd_list, "list kernels, executors, sizes and pin policies"},
    {"topo", cb_cmd_topo, "show the topology and the placement plans"},
    {"report", cb_cmd_report, "turn result files into TSV tables and plots"},
    {"compare", cb_cmd_compare, "compare result files (A/B, machine vs machine)"},
    {"probe", cb_cmd_probe, "measure ceilings: bandwidth, fork, executor floors"},
    {"fmt", cb_cmd_fmt, "numbers, run labels and ceilings as corebench shows them"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: corebench <command> [options]   (corebench <command> "
               "--help for its options)\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nmake bench runs the default sweep and writes plots; see "
               "README.md.\n");
}

int cb_cmd_list(int argc, char **argv)
{
    if (argc > 1) {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
            printf("usage: corebench list\n\nLists kernels (with their "
                   "--param keys), executors, size presets and --pin "
                   "policies.\n");
            return 0;
        }
        fprintf(stderr, "corebench list: unexpected argument '%s' (list "
                        "takes none)\n", argv[1]);
        return 2;
    }
    printf("kernels (--kernel):\n");
    for (int i = 0; cb_kernels[i]; i++)
        printf("  %-12s %s\n  %-12s   params: %s\n", cb_kernels[i]->name,
               cb_kernels[i]->summary, "", cb_kernels[i]->param_help);
    printf("\nexecutors (--executor), with their parameters (-x NAME=LIST):\n");
    for (int i = 0; cb_executors[i]; i++) {
        printf("  %-20s %s\n", cb_executors[i]->name,
               cb_executors[i]->summary);
        for (const struct cb_xparam *p = cb_executors[i]->params; p && p->name;
             p++)
            printf("  %-20s   -x %s: %s [%s]\n", "", p->name, p->help,
                   p->def);
    }
    printf("\nsizes (--size): tiny, small, default, large, seed\n");
    printf("pin policies (--pin): none, compact, cores, scatter, "
           "pus:LIST (e.g. pus:0,2,4-7)\n");
    return 0;
}

int main(int argc, char **argv)
{
    cb_crash_handler_install();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        if (argc > 2 && strcmp(argv[1], "help") == 0) {
            char help[] = "--help";
            char *sub[] = {argv[2], help, NULL};
            for (size_t i = 0; i < NCOMMANDS; i++)
                if (strcmp(commands[i].name, argv[2]) == 0)
                    return commands[i].fn(2, sub);
        }
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("corebench %s (%s)\n", CB_VERSION,
               *CB_GIT_COMMIT ? CB_GIT_COMMIT : "no git commit");
        return 0;
    }
    /* a re-executed worker process (spawn start method) */
    if (strcmp(argv[1], "__worker") == 0 && argc > 2) {
        const struct cb_executor *x = cb_executor_find(argv[2]);
        if (!x || !x->worker_main) {
            fprintf(stderr, "corebench __worker: '%s' has no worker entry\n",
                    argv[2]);
            return 2;
        }
        return x->worker_main(argc - 2, argv + 2);
    }
    /* the crash handler's second half: records a crash, dies of it */
    if (strcmp(argv[1], "__crash-note") == 0)
        return cb_crash_note_main(argc - 1, argv + 1);
    /* started by an executor's launcher (mpirun): helpers serve, then exit */
    static const struct cb_exec_host host = {.topo = cb_topo_host};
    for (int i = 0; cb_executors[i]; i++) {
        int st = cb_executors[i]->launched
                     ? cb_executors[i]->launched(argc, argv, &host)
                     : CB_EXEC_CONTINUE;
        if (st != CB_EXEC_CONTINUE)
            return st;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, argv[1]) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "corebench: unknown command '%s' (accepted: run, list, "
                    "topo, report, compare, probe, fmt; see corebench --help)\n",
            argv[1]);
    return 2;
}
