/* `corebench run`'s command line: options -> struct cb_run_opts, nothing
 * else (no file, lock or workload is touched), so the fuzzer can drive it.
 * Every bad value is one line naming it and what is accepted (exit 2). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_lists.h"
#include "commands.h"
#include "run.h"
#include "text.h"

static void usage(FILE *f)
{
    fprintf(f,
"usage: corebench run [options]\n"
"\n"
"Sweeps kernels x executors x workers, verifies every map, prints a table\n"
"and writes one JSON result file (results/SCHEMA.md).\n"
"\n"
"  -k, --kernel LIST        kernels, comma-separated [gcd,factorize,sum]\n"
"  -e, --executor LIST      executors [every C executor but mpi]; a baseline\n"
"                           (serial, py-serial) is always added for speedups\n"
"  -w, --workers LIST       worker counts: 1,2,4 or 1-8 or 'max' or 'topo'\n"
"                           (1, one core, one L3, one NUMA node, one\n"
"                           socket, all cores, all PUs, powers of two\n"
"                           between where sparse) [topo]\n"
"      --scaling MODE       strong (the same tasks at every count) or weak\n"
"                           (tasks grow with the workers) [strong]\n"
"  -s, --size NAME          tiny|small|default|large|seed [default];\n"
"                           default and large grow to >= 16 tasks per\n"
"                           worker at the largest count (strong scaling)\n"
"  -p, --param KEY=VALUE    kernel parameter, repeatable (corebench list)\n"
"  -x, --exec-param NAME=LIST  executor parameter, swept for the executors\n"
"                           that take it (corebench list); also:\n"
"      --chunksize LIST     = -x chunksize=LIST (N, auto) [executor default]\n"
"      --schedule LIST      = -x schedule=LIST (static|dynamic|guided)\n"
"      --switch-interval LIST  = -x switch_interval=LIST (us) [5000]\n"
"      --start-method LIST  = -x start_method=LIST (fork|spawn) [fork]\n"
"      --python PATH        = -x python=PATH, the py-* interpreter [python3]\n"
"      --pin POLICY         none|compact|cores|scatter|pus:LIST [none]\n"
"  -r, --repetitions N      exactly N measured samples per configuration\n"
"                           [adaptive: the four options below]\n"
"      --min-samples N      clean samples before a configuration may stop [6]\n"
"      --max-samples N      samples after which it stops anyway [20]\n"
"      --target-ci PCT      stop once the estimator's 95%% CI half-width\n"
"                           is under PCT%% of it [2]; 0: none\n"
"      --max-time SECONDS   time budget of the whole sweep [none]\n"
"      --keep-interfered    count interfered samples in the statistics\n"
"                           [set aside while 3 clean ones are left]\n"
"      --warmup N           warm-up maps per configuration [1]\n"
"      --task-timeout SEC   a map taking longer is stuck: its worker\n"
"                           processes are killed, the configuration fails\n"
"                           [300 s for warm-ups, then 10 x the slowest\n"
"                           warm-up, at least 10 s]\n"
"      --keep-going         after a failed configuration, go on with the\n"
"                           next [stop the sweep]\n"
"      --seed N             input generator seed [42]\n"
"      --order-seed N       seed of the interleaved sampling order [1]\n"
"      --no-interleave      sample configurations in sweep order\n"
"      --no-baseline        do not add the serial baselines\n"
"      --dry-run            print the plan (configurations, sizes, tasks\n"
"                           per worker, placement, estimated time) and exit\n"
"      --synthetic S        with --dry-run: plan for an hwloc synthetic\n"
"                           topology, e.g. \"pack:2 core:24 pu:2\"\n"
"      --xml FILE           with --dry-run: plan for a saved topology\n"
"      --budget TIME        fit the sweep into TIME (90s, 10m, 1h): fewer\n"
"                           samples, then fewer worker counts, said so\n"
"  -o, --out FILE           result file [results/<date>-<host>.json]\n"
"      --force              replace FILE (and the exports) if they exist\n"
"      --export-csv FILE    also write every sample as CSV, one row each\n"
"      --export-markdown FILE  also write the table as Markdown\n"
"      --no-probe           skip the ceilings probe section\n"
"      --no-counters        do not open perf counters\n"
"      --no-lock            allow overlapping sweeps (results will be noisy)\n"
"  -q, --quiet              no table on stdout\n"
"      --progress / --no-progress  progress line on stderr [when a tty]\n"
"  -h, --help               this help\n"
"\n"
"Exit status: 0 all verified, 1 a map failed or was stuck (recorded in\n"
"the file), 2 bad input (nothing written), 3 all verified but an executor\n"
"was unavailable here and skipped (named on stderr and in the file),\n"
"130 / 143 interrupted by SIGINT / SIGTERM (finished rounds kept; a\n"
"second signal exits at once).\n");
}

enum {
    OPT_CHUNK = 1000, OPT_SCHED, OPT_INTERVAL, OPT_START, OPT_PIN, OPT_WARMUP,
    OPT_SEED, OPT_ORDER_SEED, OPT_NO_INTERLEAVE, OPT_FORCE, OPT_NO_PROBE,
    OPT_NO_COUNTERS, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_NO_BASELINE,
    OPT_NO_LOCK, OPT_PYTHON, OPT_MIN_SAMPLES, OPT_MAX_SAMPLES, OPT_TARGET_CI,
    OPT_MAX_TIME, OPT_KEEP_INTERFERED, OPT_TASK_TIMEOUT, OPT_KEEP_GOING,
    OPT_EXPORT_CSV, OPT_EXPORT_MD, OPT_SCALING, OPT_DRY_RUN, OPT_SYNTHETIC,
    OPT_XML, OPT_BUDGET,
};

/* --budget: seconds, or a number with s, m or h */
static int parse_budget(const char *arg, double *out, struct cb_error *e)
{
    char *end;
    double v, unit = 1;
    v = strtod(arg, &end);
    if (end != arg && *end && !end[1])
        unit = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : 0;
    if (end == arg || (*end && (end[1] || unit == 0)) || !(v > 0) ||
        v * unit > 1e7)
        return CB_FAIL(e, CB_EUSAGE, "--budget '%.40s': not a duration "
                       "(accepted: a positive number of seconds up to 1e7, "
                       "optionally with s, m or h: 90s, 10m, 1h)", arg);
    *out = v * unit;
    return 0;
}

/* The older options and the parameter each names. */
static const struct {
    int opt;
    const char *flag, *name;
} aliases[] = {
    {OPT_CHUNK, "--chunksize", "chunksize"},
    {OPT_SCHED, "--schedule", "schedule"},
    {OPT_INTERVAL, "--switch-interval", "switch_interval"},
    {OPT_START, "--start-method", "start_method"},
    {OPT_PYTHON, "--python", "python"},
};

static int parse_one(int c, struct cb_run_opts *o, const char **kern,
                     const char **work, char **argv, struct cb_error *e)
{
    uint64_t v;
    int rc = 0;
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
        if (aliases[i].opt == c)
            return cb__cli_xparam(o, aliases[i].flag, aliases[i].name, optarg,
                                e);
    switch (c) {
    case 'k': *kern = optarg; break;
    case 'e':
        o->execs_given = 1;
        rc = cb__cli_list("--executor", optarg, CB_RUN_MAX_LIST, &o->nexecs,
                        cb__cli_exec, o->execs, e);
        break;
    case 'w': *work = optarg; break;
    case 's':
        if (strlen(optarg) >= sizeof o->size)
            return CB_FAIL(e, CB_EUSAGE, "--size '%.40s': unknown size "
                           "(accepted: tiny, small, default, large, seed)",
                           optarg);
        snprintf(o->size, sizeof o->size, "%s", optarg);
        break;
    case 'p': rc = cb__cli_param(o, optarg, e); break;
    case 'x': rc = cb__cli_exec_param(o, optarg, e); break;
    case OPT_PIN:
        rc = cb_pin_parse(optarg, &o->pin, e);
        snprintf(o->pin_text, sizeof o->pin_text, "%s", optarg);
        break;
    case 'r':
        rc = cb_parse_u64(optarg, 1, 10000, "--repetitions", &v, e);
        o->stop.exact = (int)v;
        break;
    case OPT_MIN_SAMPLES:
        rc = cb_parse_u64(optarg, 1, 10000, "--min-samples", &v, e);
        o->stop.min_samples = (int)v;
        o->stop_given |= 1;
        break;
    case OPT_MAX_SAMPLES:
        rc = cb_parse_u64(optarg, 1, 10000, "--max-samples", &v, e);
        o->stop.max_samples = (int)v;
        o->stop_given |= 2;
        break;
    case OPT_TARGET_CI: {
        double pct;
        rc = cb_parse_double(optarg, 0, 100, "--target-ci", &pct, e);
        o->stop.target_ci = pct / 100;
        o->stop_given |= 4;
        break;
    }
    case OPT_MAX_TIME:
        rc = cb_parse_double(optarg, 0, 1e7, "--max-time", &o->stop.max_time_s,
                             e);
        o->stop_given |= 8;
        break;
    case OPT_KEEP_INTERFERED: o->keep_interfered = 1; break;
    case OPT_TASK_TIMEOUT:
        rc = cb_parse_double(optarg, 0.001, 1e7, "--task-timeout",
                             &o->task_timeout, e);
        break;
    case OPT_KEEP_GOING: o->keep_going = 1; break;
    case OPT_SCALING:
        if (strcmp(optarg, "strong") && strcmp(optarg, "weak"))
            return CB_FAIL(e, CB_EUSAGE, "--scaling '%.40s': unknown "
                           "(accepted: strong, weak)", optarg);
        o->weak = strcmp(optarg, "weak") == 0;
        break;
    case OPT_DRY_RUN: o->dry_run = 1; break;
    case OPT_SYNTHETIC: o->synthetic = optarg; break;
    case OPT_XML: o->xml = optarg; break;
    case OPT_BUDGET: rc = parse_budget(optarg, &o->budget_s, e); break;
    case OPT_WARMUP:
        rc = cb_parse_u64(optarg, 0, 1000, "--warmup", &v, e);
        o->warmup = (int)v;
        break;
    case OPT_SEED:
        rc = cb_parse_u64(optarg, 0, UINT64_MAX, "--seed", &o->seed, e);
        break;
    case OPT_ORDER_SEED:
        rc = cb_parse_u64(optarg, 0, UINT64_MAX, "--order-seed",
                          &o->order_seed, e);
        break;
    case OPT_NO_INTERLEAVE: o->interleave = 0; break;
    case OPT_NO_BASELINE: o->baseline = 0; break;
    case 'o': o->out = optarg; break;
    case OPT_EXPORT_CSV: o->export_csv = optarg; break;
    case OPT_EXPORT_MD: o->export_md = optarg; break;
    case OPT_FORCE: o->force = 1; break;
    case OPT_NO_PROBE: o->probe = 0; break;
    case OPT_NO_COUNTERS: o->counters = 0; break;
    case OPT_NO_LOCK: o->lock = 0; break;
    case 'q': o->quiet = 1; break;
    case OPT_PROGRESS: o->progress = 1; break;
    case OPT_NO_PROGRESS: o->progress = 0; break;
    case 'h': usage(stdout); return 1;
    case ':':
        return CB_FAIL(e, CB_EUSAGE, "%.60s needs a value (see corebench run "
                       "--help)", argv[optind - 1]);
    default:
        return CB_FAIL(e, CB_EUSAGE, "unknown option '%.60s' (see corebench "
                       "run --help)", argv[optind - 1]);
    }
    return rc;
}

/* Each executor parameter must be taken by an executor of the sweep. */
static const char *kname(const void *k)
{
    return ((const struct cb_kernel *)k)->name;
}
static const char *xname(const void *x)
{
    return ((const struct cb_executor *)x)->name;
}

static int check_xparams(const struct cb_run_opts *o, struct cb_error *e)
{
    for (int i = 0; i < o->nxp; i++) {
        int taken = 0;
        for (int x = 0; x < o->nexecs && !taken; x++)
            taken = cb_executor_param(o->execs[x], o->xp[i].name) != NULL;
        if (!taken)
            return CB_FAIL(e, CB_EUSAGE, "%s: no executor of the sweep takes "
                           "it (see corebench list for each executor's "
                           "parameters)", o->xp[i].name);
    }
    return 0;
}

/* --synthetic / --xml: the machine a dry run plans for, loaded here (into
 * o->plan_topo, freed by cb_run_opts_free) so that 'max', 'topo' and the
 * default worker list are that machine's. */
static int plan_topo(struct cb_run_opts *o, const struct cb_topo **topo,
                     struct cb_error *e)
{
    int rc;
    if (!o->synthetic && !o->xml)
        return 0;
    if (!o->dry_run)
        return CB_FAIL(e, CB_EUSAGE, "%s plans for another machine: it "
                       "needs --dry-run (accepted: --dry-run with "
                       "--synthetic or --xml)",
                       o->synthetic ? "--synthetic" : "--xml");
    if (o->synthetic && o->xml)
        return CB_FAIL(e, CB_EUSAGE, "--synthetic and --xml exclude each "
                       "other (accepted: one of them)");
    if ((rc = cb_topo_load(&o->plan_topo, o->synthetic, o->xml, e)))
        return rc;
    *topo = cb__cli_topo = o->plan_topo;
    return 0;
}

/* Each worker count that is a boundary of the topology gets its label. */
static void label_counts(struct cb_run_opts *o, const struct cb_topo *topo)
{
    struct cb_topo_count c[CB_RUN_MAX_LIST];
    int n = cb_topo_counts(topo, c, CB_RUN_MAX_LIST);
    for (int i = 0; i < o->nworkers; i++) {
        o->boundary[i][0] = '\0';
        for (int k = 0; k < n; k++)
            if (c[k].workers == o->workers[i])
                snprintf(o->boundary[i], sizeof o->boundary[i], "%s",
                         c[k].boundary);
    }
}

void cb_run_opts_free(struct cb_run_opts *o)
{
    cb_topo_destroy(o->plan_topo);
    o->plan_topo = NULL;
}

int cb_run_parse(int argc, char **argv, struct cb_run_opts *o,
                 const struct cb_topo *topo, struct cb_error *e)
{
    static const struct option lo[] = {
        {"kernel", required_argument, 0, 'k'},
        {"executor", required_argument, 0, 'e'},
        {"workers", required_argument, 0, 'w'},
        {"size", required_argument, 0, 's'},
        {"param", required_argument, 0, 'p'},
        {"exec-param", required_argument, 0, 'x'},
        {"chunksize", required_argument, 0, OPT_CHUNK},
        {"schedule", required_argument, 0, OPT_SCHED},
        {"switch-interval", required_argument, 0, OPT_INTERVAL},
        {"start-method", required_argument, 0, OPT_START},
        {"python", required_argument, 0, OPT_PYTHON},
        {"pin", required_argument, 0, OPT_PIN},
        {"repetitions", required_argument, 0, 'r'},
        {"min-samples", required_argument, 0, OPT_MIN_SAMPLES},
        {"max-samples", required_argument, 0, OPT_MAX_SAMPLES},
        {"target-ci", required_argument, 0, OPT_TARGET_CI},
        {"max-time", required_argument, 0, OPT_MAX_TIME},
        {"keep-interfered", no_argument, 0, OPT_KEEP_INTERFERED},
        {"task-timeout", required_argument, 0, OPT_TASK_TIMEOUT},
        {"keep-going", no_argument, 0, OPT_KEEP_GOING},
        {"scaling", required_argument, 0, OPT_SCALING},
        {"dry-run", no_argument, 0, OPT_DRY_RUN},
        {"synthetic", required_argument, 0, OPT_SYNTHETIC},
        {"xml", required_argument, 0, OPT_XML},
        {"budget", required_argument, 0, OPT_BUDGET},
        {"warmup", required_argument, 0, OPT_WARMUP},
        {"seed", required_argument, 0, OPT_SEED},
        {"order-seed", required_argument, 0, OPT_ORDER_SEED},
        {"no-interleave", no_argument, 0, OPT_NO_INTERLEAVE},
        {"no-baseline", no_argument, 0, OPT_NO_BASELINE},
        {"out", required_argument, 0, 'o'},
        {"force", no_argument, 0, OPT_FORCE},
        {"export-csv", required_argument, 0, OPT_EXPORT_CSV},
        {"export-markdown", required_argument, 0, OPT_EXPORT_MD},
        {"no-probe", no_argument, 0, OPT_NO_PROBE},
        {"no-counters", no_argument, 0, OPT_NO_COUNTERS},
        {"no-lock", no_argument, 0, OPT_NO_LOCK},
        {"quiet", no_argument, 0, 'q'},
        {"progress", no_argument, 0, OPT_PROGRESS},
        {"no-progress", no_argument, 0, OPT_NO_PROGRESS},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *kern = "gcd,factorize,sum", *work = NULL;
    int c, rc;

    memset(o, 0, sizeof *o);
    o->stop.min_samples = 6;
    o->stop.max_samples = 20;
    o->stop.target_ci = 0.02;
    o->warmup = 1;
    o->seed = 42;
    o->order_seed = 1;
    o->interleave = o->probe = o->counters = o->baseline = o->lock = 1;
    o->progress = isatty(2);
    snprintf(o->size, sizeof o->size, "default");
    /* Unpinned by default: on a shared machine a pinned worker whose CPU
     * another process takes cannot move and its sample stretches (the
     * sweep then sets it aside as interfered), while an unpinned one
     * migrates. Measured on the 2-core development VM (README, "Reading a
     * result"). Placement studies ask for a policy. */
    snprintf(o->pin_text, sizeof o->pin_text, "none");
    o->pin.policy = CB_PIN_NONE;
    cb__cli_topo = topo;

    /* optind 0, not 1: a full reset (glibc and musl). An earlier parse that
     * stopped inside a cluster of short options ("-kxx" with an error on
     * k) leaves getopt pointing into that argv; the fuzzer found it read
     * freed memory on the next call. */
    opterr = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, ":k:e:w:s:p:x:r:o:qh", lo, NULL)) !=
           -1)
        if ((rc = parse_one(c, o, &kern, &work, argv, e)))
            return rc;
    if (optind < argc)
        return CB_FAIL(e, CB_EUSAGE, "unexpected argument '%.60s' (see "
                       "corebench run --help)", argv[optind]);
    if ((rc = plan_topo(o, &topo, e)))
        return rc;
    if ((rc = cb__cli_list("--kernel", kern, CB_RUN_MAX_LIST, &o->nkernels,
                         cb__cli_kernel, o->kernels, e)))
        return rc;
    o->nkernels = cb__cli_dedupe_ptrs("--kernel", (const void **)o->kernels,
                              o->nkernels, kname);
    o->nexecs = cb__cli_dedupe_ptrs("--executor", (const void **)o->execs, o->nexecs,
                            xname);
    /* the default: the C executors run without a launcher of their own;
     * other runtimes (py-*: 20-40x longer maps) and mpi are opt-in */
    if (!o->execs_given)
        for (int i = 0; cb_executors[i] && o->nexecs < CB_RUN_MAX_LIST; i++)
            if (!cb_executors[i]->runtime &&
                !(cb_executors[i]->caps & CB_EXEC_OPT_IN))
                o->execs[o->nexecs++] = cb_executors[i];
    if (work) {
        if ((rc = cb__cli_list("--workers", work, CB_RUN_MAX_LIST, &o->nworkers,
                             cb__cli_workers, o->workers, e)))
            return rc;
        o->nworkers = cb__cli_dedupe_ints("--workers", o->workers, o->nworkers);
    } else if ((rc = cb__cli_list("--workers", "topo", CB_RUN_MAX_LIST,
                                  &o->nworkers, cb__cli_workers, o->workers,
                                  e))) {
        return rc;
    }
    label_counts(o, topo);
    o->params.size = o->size;
    o->params.seed = o->seed;
    if (o->stop.exact && o->stop_given)
        return CB_FAIL(e, CB_EUSAGE, "-r %d asks for exactly %d samples: "
                       "--min-samples, --max-samples, --target-ci and "
                       "--max-time ask for adaptive sampling (accepted: one "
                       "or the other)", o->stop.exact, o->stop.exact);
    /* a minimum above the default maximum raises the maximum */
    if (!(o->stop_given & 2) && o->stop.min_samples > o->stop.max_samples)
        o->stop.max_samples = o->stop.min_samples;
    if ((rc = cb_stop_rule_check(&o->stop, e)))
        return rc;
    o->repetitions = o->stop.exact ? o->stop.exact : o->stop.max_samples;
    if ((rc = cb_inject_check(e)))
        return rc;
    return check_xparams(o, e);
}

int cb_run_parse_only(int argc, char **argv, const struct cb_topo *topo,
                      struct cb_error *e)
{
    struct cb_run_opts *o = malloc(sizeof *o);
    int rc;
    if (!o)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    rc = cb_run_parse(argc, argv, o, topo, e);
    cb_run_opts_free(o);
    free(o);
    return rc;
}

int cb_cmd_run(int argc, char **argv)
{
    struct cb_run_opts *o = calloc(1, sizeof *o);
    struct cb_topo *topo = NULL;
    struct cb_error e = {0};
    int rc, status;
    if (!o) {
        fprintf(stderr, "corebench run: out of memory\n");
        return 1;
    }
    rc = cb_topo_load(&topo, NULL, NULL, &e);
    if (!rc)
        rc = cb_run_parse(argc, argv, o, topo, &e);
    cb_topo_destroy(topo);
    if (rc == 1) {
        cb_run_opts_free(o);
        free(o);
        return 0;
    }
    if (rc) {
        cb_run_opts_free(o);
        char line[sizeof e.msg * 4 + 8];
        cb_text_clean(e.msg, line, sizeof line, sizeof e.msg);
        fprintf(stderr, "corebench run: %s\n", line);
        free(o);
        return rc == CB_EUSAGE ? 2 : 1;
    }
    if (o->dry_run)
        status = cb_dry_run(o);
    else if (o->budget_s > 0 && (status = cb_budget_apply(o)))
        ;
    else
        status = cb_sweep_run(o, argc, argv);
    cb_run_opts_free(o);
    free(o);
    return status;
}
