/* `corebench probe`: the command and its printout (probe.h). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_opts.h"
#include "commands.h"
#include "env.h"
#include "executors/executor.h"
#include "kernels/kernel.h"
#include "probe.h"
#include "results.h"
#include "run.h" /* cb_sample_take */
#include "stats.h"

/* ---- printing and the command -------------------------------------------- */

static void print_us(FILE *f, const char *label, const json_t *v)
{
    if (json_is_number(v))
        fprintf(f, "  %-24s %10.2f us\n", label, json_number_value(v) * 1e6);
    else
        fprintf(f, "  %-24s %10s\n", label, "n/a");
}

void cb_probe_print(const json_t *probe, FILE *f)
{
    const json_t *triad = json_object_get(probe, "triad");
    const json_t *floors = json_object_get(probe, "floors");
    const json_t *errors = json_object_get(probe, "errors");
    const json_t *v;
    size_t i;
    double one = NAN;

    fprintf(
        f, "memory bandwidth: STREAM triad a = b + s*c, best of %d",
        (int)json_integer_value(json_object_get(probe, "triad_repetitions")));
    v = json_object_get(probe, "triad_array_bytes");
    if (json_is_integer(v))
        fprintf(f, ", 3 arrays x %.0f MiB",
                (double)json_integer_value(v) / 1048576.0);
    v = json_object_get(probe, "triad_pin");
    if (json_is_string(v))
        fprintf(f, ", pin %s", json_string_value(v));
    fprintf(f, "\n  %7s %10s %9s %12s\n", "threads", "GB/s", "vs 1",
            "median GB/s");
    json_array_foreach(triad, i, v)
    {
        double b = cb_json_get(v, "bytes_per_s");
        double med = cb_json_get(v, "median_bytes_per_s");
        if (i == 0)
            one = b;
        fprintf(f, "  %7d %10.2f %8.2fx",
                (int)json_integer_value(json_object_get(v, "threads")), b / 1e9,
                b / one);
        /* the median repetition: far below the best, a disturbed probe */
        if (med > 0)
            fprintf(f, " %12.2f", med / 1e9);
        fputc('\n', f);
    }
    if (json_array_size(triad) == 0)
        fprintf(f, "  (not measured)\n");
    {
        /* the cache levels: what a kernel whose working set fits them is
         * compared with */
        struct cb_triad_level lv[CB_TRIAD_MAX_LEVELS];
        int nl = json_is_array(json_object_get(probe, "triad_levels"))
                     ? cb_triad_levels_read(probe, lv, CB_TRIAD_MAX_LEVELS)
                     : 0;
        const struct cb_triad_level *dram = NULL;
        for (int l = 0; l < nl; l++)
            if (isinf(lv[l].cache_bytes))
                dram = &lv[l];
        for (int l = 0; l < nl; l++) {
            if (isinf(lv[l].cache_bytes))
                continue;
            fprintf(f, "  in %s (working sets up to %.3g MiB%s; vs dram):\n",
                    lv[l].name, lv[l].cache_bytes / 1048576.0,
                    lv[l].shared ? " in all" : " per thread");
            for (int i = 0; i < lv[l].npoints; i++) {
                const struct cb_triad_point *d =
                    dram ? cb_triad_point_at(dram, lv[l].pt[i].threads) : NULL;
                fprintf(f, "  %7ld %10.2f", lv[l].pt[i].threads,
                        lv[l].pt[i].bytes_per_s / 1e9);
                if (d && d->threads == lv[l].pt[i].threads)
                    fprintf(f, " %8.2fx", lv[l].pt[i].bytes_per_s /
                                              d->bytes_per_s);
                else
                    fprintf(f, " %9s", "");
                if (lv[l].pt[i].median_bytes_per_s > 0)
                    fprintf(f, " %12.2f",
                            lv[l].pt[i].median_bytes_per_s / 1e9);
                fputc('\n', f);
            }
            if (lv[l].npoints == 0)
                fprintf(f, "  (not measured)\n");
        }
    }

    fprintf(f, "\nprocess and thread costs (median)\n");
    print_us(f, "fork + exit + waitpid", json_object_get(probe, "fork_s"));
    print_us(f, "pthread_create + join",
             json_object_get(probe, "pthread_create_s"));
    print_us(f, "pipe round trip (1 byte)",
             json_object_get(probe, "pipe_roundtrip_s"));

    if (json_array_size(floors)) {
        fprintf(f, "\nexecutor floors: empty kernel, chunksize 1\n");
        fprintf(f, "  %-14s %7s %7s %14s %11s\n", "executor", "workers",
                "tasks", "per task (us)", "start (ms)");
        json_array_foreach(floors, i, v)
        {
            const json_t *err = json_object_get(v, "error");
            fprintf(f, "  %-14s %7d ",
                    json_string_value(json_object_get(v, "executor")),
                    (int)json_integer_value(json_object_get(v, "workers")));
            if (json_is_string(err))
                fprintf(f, "failed: %s\n", json_string_value(err));
            else
                fprintf(
                    f, "%7lld %14.3f %11.3f\n",
                    (long long)json_integer_value(json_object_get(v, "tasks")),
                    cb_json_get(v, "per_task_s") * 1e6,
                    cb_json_get(v, "start_s") * 1e3);
        }
    }
    if (json_array_size(errors)) {
        fprintf(f, "\nnot measured:\n");
        json_array_foreach(errors, i, v)
            fprintf(f, "  %s\n", json_string_value(v));
    }
}

static void probe_usage(FILE *f)
{
    fprintf(f,
            "usage: corebench probe [--quick] [--no-floors] [--json FILE "
            "[--force]]\n\n"
            "Measures this machine's ceilings and floors, as embedded in "
            "every result\nfile by `corebench run` (unless --no-probe):\n"
            "  - memory bandwidth: STREAM triad at 1..N threads (N = allowed "
            "PUs),\n"
            "    in DRAM and with working sets that fit the L2 and the "
            "last-level cache\n"
            "  - fork + exit + waitpid, pthread_create + join, pipe round "
            "trip\n"
            "  - per-task floor of every executor on the empty kernel\n\n"
            "options:\n"
            "  --quick        fewer repetitions (about a second)\n"
            "  --no-floors    skip the executor floors\n"
            "  --json FILE    also write {context, probe} as JSON to FILE\n"
            "  --force        replace FILE if it exists\n"
            "  --help         this text\n");
}

static int probe_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int probe_fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "corebench probe: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

int cb_cmd_probe(int argc, char **argv)
{
    static const struct option lo[] = {
        {"quick", no_argument, 0, 'q'},
        {"no-floors", no_argument, 0, 'n'},
        {"force", no_argument, 0, 'f'},
        {"json", required_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct cb_probe_opts o;
    const char *json_path = NULL;
    int force = 0, rc = 0, c;
    struct cb_topo *topo = NULL;
    struct cb_error e;
    json_t *probe, *root, *ctx;

    memset(&o, 0, sizeof o);
    cb_cli_opts_reset();
    while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
        switch (c) {
        case 'q': o.quick = 1; break;
        case 'n': o.no_floors = 1; break;
        case 'f': force = 1; break;
        case 'j':
            if (!*optarg)
                return probe_fail("--json needs a file name");
            json_path = optarg;
            break;
        case 'h': probe_usage(stdout); return 0;
        default:
            cb_cli_opt_error("probe", c, argv, &e);
            return probe_fail("%s", e.msg);
        }
    }
    if (optind < argc) {
        char shown[160];
        cb_text_clean(argv[optind], shown, sizeof shown, 60);
        return probe_fail("unexpected argument '%s' (see corebench probe "
                          "--help)", shown);
    }
    if (force && !json_path)
        return probe_fail("--force only applies to --json FILE");
    /* Refuse a path that cannot be written before spending seconds. */
    if (json_path && cb_results_check_target("--json", json_path, force,
                                             &e) != 0)
        return probe_fail("%s", e.msg);

    if (cb_topo_load(&topo, NULL, NULL, &e) != 0) {
        fprintf(stderr,
                "corebench probe: topology unavailable (%s): "
                "triad threads run unpinned\n",
                e.msg);
        topo = NULL;
    }
    ctx = cb_env_capture(topo, argc, argv);
    o.topo = topo;
    o.progress = stderr;
    probe = cb_probe_run(&o, &e);
    if (!probe) {
        fprintf(stderr, "corebench probe: %s\n", e.msg);
        json_decref(ctx);
        cb_topo_destroy(topo);
        return 1;
    }
    printf("\n");
    cb_probe_print(probe, stdout);
    {
        /* The figures are ceilings only on a quiet machine: say so when
         * other work was running (load measured before the probe). */
        const json_t *la = json_object_get(ctx, "load_avg");
        double l1 = json_number_value(json_array_get(la, 0));
        int npus = cb_env_allowed_pus(NULL, 0);
        if (l1 > 0.25 * npus)
            printf("\nwarning: 1-minute load average was %.2f on %d PU%s: "
                   "other work shared the machine, so bandwidth is low and "
                   "costs are high\n",
                   l1, npus, npus > 1 ? "s" : "");
    }
    fflush(stdout);
    if (json_path) {
        root = json_pack("{s:s,s:o,s:O}", "schema", "corebench-probe/1",
                         "context", ctx ? ctx : json_null(), "probe", probe);
        ctx = NULL;
        if (!root || cb_results_write(root, json_path, force, &e) != 0) {
            fprintf(stderr, "corebench probe: %s\n",
                    root ? e.msg : "out of memory");
            rc = 1;
        }
        json_decref(root);
    }
    json_decref(ctx);
    json_decref(probe);
    cb_topo_destroy(topo);
    return rc;
}

