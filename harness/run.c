/* corebench run: the sweep.
 *
 * For each kernel, every configuration (executor x workers x variant) is
 * sampled in rounds: warm-up maps first, then `repetitions` rounds each
 * visiting all configurations of the kernel in a seeded random order, so
 * slow drift of the machine spreads over all configurations instead of
 * biasing the ones measured last. Every sample starts a fresh pool, maps
 * the workload once and stops the pool: start-up, map and shutdown are
 * timed apart, and every map's outputs are verified.
 *
 * The result file is rewritten atomically after every round, so an
 * interrupted sweep keeps what it finished (with "complete": false). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "executors/executor.h"
#include "harness/commands.h"
#include "harness/counters.h"
#include "harness/env.h"
#include "harness/lock.h"
#include "harness/probe.h"
#include "harness/results.h"
#include "harness/stats.h"
#include "harness/topo.h"
#include "kernels/kernel.h"

#define MAX_LIST 64
#define MAX_CONFIGS 4096 /* per run: bounds the per-kernel round arrays */

/* ---- options ----------------------------------------------------------- */

struct opts {
    const struct cb_kernel *kernels[MAX_LIST];
    int nkernels;
    const struct cb_executor *execs[MAX_LIST];
    int nexecs;
    int workers[MAX_LIST];
    int nworkers;
    long chunks[MAX_LIST];
    int nchunks;
    enum cb_schedule scheds[3];
    int nscheds;
    long intervals[MAX_LIST];
    int nintervals;
    enum cb_start_method start_method;
    struct cb_params params;
    char size[16];
    struct cb_pin_spec pin;
    char pin_text[128];
    int repetitions, warmup;
    uint64_t seed, order_seed;
    int interleave, probe, counters, force, quiet, progress, baseline, lock;
    const char *out;
    const char *python; /* --python, NULL: python3 on PATH */
    char out_buf[4096];
};

static const char *const sched_names[] = {"static", "dynamic", "guided"};
static const char *const start_names[] = {"fork", "spawn"};

static volatile sig_atomic_t interrupted;
static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
"usage: corebench run [options]\n"
"\n"
"Sweeps kernels x executors x workers, verifies every map, prints a table\n"
"and writes one JSON result file (results/SCHEMA.md).\n"
"\n"
"  -k, --kernel LIST        kernels, comma-separated [gcd,factorize,sum]\n"
"  -e, --executor LIST      executors [every C executor]; a baseline\n"
"                           (serial, py-serial) is always added for speedups\n"
"  -w, --workers LIST       worker counts: 1,2,4 or 1-8 or 'max' [powers of\n"
"                           two up to the allowed PUs, and that count]\n"
"  -s, --size NAME          tiny|small|default|large|seed [default]\n"
"  -p, --param KEY=VALUE    kernel parameter, repeatable (corebench list)\n"
"      --chunksize LIST     N or auto for pool executors [executor default]\n"
"      --schedule LIST      static|dynamic|guided for openmp [static]\n"
"      --switch-interval LIST  gil switch interval, microseconds [5000]\n"
"      --start-method M     fork|spawn for process-pool [fork]\n"
"      --python PATH        interpreter of the py-* executors [python3]\n"
"      --pin POLICY         none|compact|cores|scatter|pus:LIST [cores]\n"
"  -r, --repetitions N      measured samples per configuration [5]\n"
"      --warmup N           warm-up maps per configuration [1]\n"
"      --seed N             input generator seed [42]\n"
"      --order-seed N       seed of the interleaved sampling order [1]\n"
"      --no-interleave      sample configurations in sweep order\n"
"      --no-baseline        do not add the serial baselines\n"
"  -o, --out FILE           result file [results/<date>-<host>.json]\n"
"      --force              replace FILE if it exists\n"
"      --no-probe           skip the ceilings probe section\n"
"      --no-counters        do not open perf counters\n"
"      --no-lock            allow overlapping sweeps (results will be noisy)\n"
"  -q, --quiet              no table on stdout\n"
"      --progress / --no-progress  progress line on stderr [when a tty]\n"
"  -h, --help               this help\n"
"\n"
"Exit status: 0 all verified, 1 a map failed (recorded in the file),\n"
"2 bad input (nothing written), 3 all verified but an executor was\n"
"unavailable here and skipped (named on stderr and in the file),\n"
"130 interrupted (partial file kept).\n");
}

/* Splits a comma list; fn parses one item into slot i. */
static int parse_list(const char *opt, const char *s, int max, int *n,
                      int (*fn)(const char *opt, const char *item, void *dst,
                                int i, struct cb_error *e),
                      void *dst, struct cb_error *e)
{
    char buf[1024], *tok, *next;
    if (!*s || strlen(s) >= sizeof buf)
        return CB_FAIL(e, CB_EUSAGE, "%s: '%.60s' is not a list", opt, s);
    snprintf(buf, sizeof buf, "%s", s);
    *n = 0;
    /* every item between commas counts: "1,,2" or "gcd," is a typo, not
     * a shorter list */
    for (tok = buf; tok; tok = next) {
        int rc;
        next = strchr(tok, ',');
        if (next)
            *next++ = '\0';
        if (!*tok)
            return CB_FAIL(e, CB_EUSAGE, "%s '%s': empty item (accepted: "
                           "items separated by single commas)", opt, s);
        if (*n >= max)
            return CB_FAIL(e, CB_EUSAGE, "%s: more than %d items", opt, max);
        rc = fn(opt, tok, dst, *n, e);
        if (rc < 0)
            return rc;
        *n += rc; /* items may expand (ranges) */
    }
    if (*n == 0)
        return CB_FAIL(e, CB_EUSAGE, "%s: empty list", opt);
    return 0;
}

static int item_kernel(const char *opt, const char *s, void *dst, int i,
                       struct cb_error *e)
{
    const struct cb_kernel **k = dst;
    char acc[256] = "";
    if ((k[i] = cb_kernel_find(s)))
        return 1;
    for (int j = 0; cb_kernels[j]; j++)
        snprintf(acc + strlen(acc), sizeof acc - strlen(acc), "%s%s",
                 j ? ", " : "", cb_kernels[j]->name);
    return CB_FAIL(e, CB_EUSAGE, "%s: unknown kernel '%s' (accepted: %s)",
                   opt, s, acc);
}

static int item_exec(const char *opt, const char *s, void *dst, int i,
                     struct cb_error *e)
{
    const struct cb_executor **x = dst;
    char acc[256] = "";
    if ((x[i] = cb_executor_find(s)))
        return 1;
    for (int j = 0; cb_executors[j]; j++)
        snprintf(acc + strlen(acc), sizeof acc - strlen(acc), "%s%s",
                 j ? ", " : "", cb_executors[j]->name);
    return CB_FAIL(e, CB_EUSAGE, "%s: unknown executor '%s' (accepted: %s)",
                   opt, s, acc);
}

static int allowed_pus = 1; /* set from the topology before parsing -w */

static int item_workers(const char *opt, const char *s, void *dst, int i,
                        struct cb_error *e)
{
    int *w = dst;
    uint64_t a, b;
    const char *dash = strchr(s, '-');
    char what[64];
    snprintf(what, sizeof what, "%s", opt);
    if (strcmp(s, "max") == 0) {
        w[i] = allowed_pus;
        return 1;
    }
    if (dash && dash != s) {
        char lo[32];
        snprintf(lo, sizeof lo, "%.*s", (int)(dash - s), s);
        if (cb_parse_u64(lo, 1, CB_MAX_WORKERS, what, &a, e) ||
            cb_parse_u64(dash + 1, 1, CB_MAX_WORKERS, what, &b, e))
            return CB_EUSAGE;
        if (b < a)
            return CB_FAIL(e, CB_EUSAGE, "%s: range '%s' is reversed", opt, s);
        if (b - a + 1 + (uint64_t)i > MAX_LIST)
            return CB_FAIL(e, CB_EUSAGE, "%s: range '%s' has more than %d "
                           "counts", opt, s, MAX_LIST);
        for (uint64_t v = a; v <= b; v++)
            w[i++] = (int)v;
        return (int)(b - a + 1);
    }
    if (cb_parse_u64(s, 1, CB_MAX_WORKERS, what, &a, e))
        return CB_EUSAGE;
    w[i] = (int)a;
    return 1;
}

static int item_chunk(const char *opt, const char *s, void *dst, int i,
                      struct cb_error *e)
{
    long *c = dst;
    uint64_t v;
    if (strcmp(s, "auto") == 0) {
        c[i] = CB_CHUNK_AUTO;
        return 1;
    }
    if (cb_parse_u64(s, 1, 1u << 30, opt, &v, e))
        return CB_FAIL(e, CB_EUSAGE, "%s: '%s' is not a chunksize (accepted: "
                       "1..%u or auto)", opt, s, 1u << 30);
    c[i] = (long)v;
    return 1;
}

static int item_sched(const char *opt, const char *s, void *dst, int i,
                      struct cb_error *e)
{
    enum cb_schedule *sc = dst;
    for (int j = 0; j < 3; j++)
        if (strcmp(s, sched_names[j]) == 0) {
            sc[i] = (enum cb_schedule)j;
            return 1;
        }
    return CB_FAIL(e, CB_EUSAGE, "%s: unknown schedule '%s' (accepted: "
                   "static, dynamic, guided)", opt, s);
}

static int item_interval(const char *opt, const char *s, void *dst, int i,
                         struct cb_error *e)
{
    long *iv = dst;
    uint64_t v;
    if (cb_parse_u64(s, 1, 10000000, opt, &v, e))
        return CB_EUSAGE;
    iv[i] = (long)v;
    return 1;
}

static int parse_param(struct cb_params *p, const char *s, struct cb_error *e)
{
    return cb_params_add(p, s, e);
}

static void sanitize_name(const char *in, char *out, size_t len)
{
    size_t j = 0;
    for (size_t i = 0; in[i] && j + 1 < len; i++) {
        char c = in[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '-' || c == '_';
        out[j++] = ok ? c : '_';
    }
    out[j] = '\0';
}

static int default_out(struct opts *o, struct cb_error *e)
{
    char host[256] = "host", safe[64], date[32];
    time_t now = time(NULL);
    struct tm tm;
    gethostname(host, sizeof host - 1);
    sanitize_name(host, safe, sizeof safe);
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);
    if (mkdir("results", 0755) != 0 && errno != EEXIST)
        return CB_FAIL(e, CB_EUSAGE, "cannot create results/: %s (use --out)",
                       strerror(errno));
    snprintf(o->out_buf, sizeof o->out_buf, "results/%s-%s.json", date, safe);
    o->out = o->out_buf;
    return 0;
}

enum {
    OPT_CHUNK = 1000, OPT_SCHED, OPT_INTERVAL, OPT_START, OPT_PIN, OPT_WARMUP,
    OPT_SEED, OPT_ORDER_SEED, OPT_NO_INTERLEAVE, OPT_FORCE, OPT_NO_PROBE,
    OPT_NO_COUNTERS, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_NO_BASELINE,
    OPT_NO_LOCK, OPT_PYTHON,
};

static int parse_opts(int argc, char **argv, struct opts *o,
                      const struct cb_topo *topo, struct cb_error *e)
{
    static const struct option lo[] = {
        {"kernel", required_argument, 0, 'k'},
        {"executor", required_argument, 0, 'e'},
        {"workers", required_argument, 0, 'w'},
        {"size", required_argument, 0, 's'},
        {"param", required_argument, 0, 'p'},
        {"chunksize", required_argument, 0, OPT_CHUNK},
        {"schedule", required_argument, 0, OPT_SCHED},
        {"switch-interval", required_argument, 0, OPT_INTERVAL},
        {"start-method", required_argument, 0, OPT_START},
        {"python", required_argument, 0, OPT_PYTHON},
        {"pin", required_argument, 0, OPT_PIN},
        {"repetitions", required_argument, 0, 'r'},
        {"warmup", required_argument, 0, OPT_WARMUP},
        {"seed", required_argument, 0, OPT_SEED},
        {"order-seed", required_argument, 0, OPT_ORDER_SEED},
        {"no-interleave", no_argument, 0, OPT_NO_INTERLEAVE},
        {"no-baseline", no_argument, 0, OPT_NO_BASELINE},
        {"out", required_argument, 0, 'o'},
        {"force", no_argument, 0, OPT_FORCE},
        {"no-probe", no_argument, 0, OPT_NO_PROBE},
        {"no-counters", no_argument, 0, OPT_NO_COUNTERS},
        {"no-lock", no_argument, 0, OPT_NO_LOCK},
        {"quiet", no_argument, 0, 'q'},
        {"progress", no_argument, 0, OPT_PROGRESS},
        {"no-progress", no_argument, 0, OPT_NO_PROGRESS},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct cb_topo_info info;
    const char *kern = "gcd,factorize,sum", *work = NULL;
    int c, rc = 0;
    uint64_t v;

    cb_topo_info(topo, &info);
    allowed_pus = info.pus > 0 ? info.pus : 1;

    memset(o, 0, sizeof *o);
    o->repetitions = 5;
    o->warmup = 1;
    o->seed = 42;
    o->order_seed = 1;
    o->interleave = o->probe = o->counters = o->baseline = o->lock = 1;
    o->progress = isatty(2);
    snprintf(o->size, sizeof o->size, "default");
    snprintf(o->pin_text, sizeof o->pin_text, "cores");
    o->pin.policy = CB_PIN_CORES;

    opterr = 0;
    optind = 0; /* glibc: a full restart, even after an aborted parse */
    while ((c = getopt_long(argc, argv, ":k:e:w:s:p:r:o:qh", lo, NULL)) != -1) {
        switch (c) {
        case 'k': kern = optarg; break;
        case 'e':
            rc = parse_list("--executor", optarg, MAX_LIST, &o->nexecs,
                            item_exec, o->execs, e);
            break;
        case 'w': work = optarg; break;
        case 's':
            if (strlen(optarg) >= sizeof o->size)
                return CB_FAIL(e, CB_EUSAGE, "--size '%.40s': unknown size "
                               "(accepted: tiny, small, default, large, seed)",
                               optarg);
            snprintf(o->size, sizeof o->size, "%s", optarg);
            break;
        case 'p': rc = parse_param(&o->params, optarg, e); break;
        case OPT_CHUNK:
            rc = parse_list("--chunksize", optarg, MAX_LIST, &o->nchunks,
                            item_chunk, o->chunks, e);
            break;
        case OPT_SCHED:
            rc = parse_list("--schedule", optarg, 3, &o->nscheds, item_sched,
                            o->scheds, e);
            break;
        case OPT_INTERVAL:
            rc = parse_list("--switch-interval", optarg, MAX_LIST,
                            &o->nintervals, item_interval, o->intervals, e);
            break;
        case OPT_START:
            if (strcmp(optarg, "fork") == 0)
                o->start_method = CB_START_FORK;
            else if (strcmp(optarg, "spawn") == 0)
                o->start_method = CB_START_SPAWN;
            else
                return CB_FAIL(e, CB_EUSAGE, "--start-method: unknown method "
                               "'%s' (accepted: fork, spawn)", optarg);
            break;
        case OPT_PYTHON:
            if (!*optarg)
                return CB_FAIL(e, CB_EUSAGE, "--python: empty interpreter "
                               "path (accepted: a path or a name on PATH)");
            o->python = optarg;
            break;
        case OPT_PIN:
            rc = cb_pin_parse(optarg, &o->pin, e);
            snprintf(o->pin_text, sizeof o->pin_text, "%s", optarg);
            break;
        case 'r':
            rc = cb_parse_u64(optarg, 1, 10000, "--repetitions", &v, e);
            o->repetitions = (int)v;
            break;
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
        case OPT_FORCE: o->force = 1; break;
        case OPT_NO_PROBE: o->probe = 0; break;
        case OPT_NO_COUNTERS: o->counters = 0; break;
        case OPT_NO_LOCK: o->lock = 0; break;
        case 'q': o->quiet = 1; break;
        case OPT_PROGRESS: o->progress = 1; break;
        case OPT_NO_PROGRESS: o->progress = 0; break;
        case 'h': usage(stdout); return 1;
        case ':':
            return CB_FAIL(e, CB_EUSAGE, "%s needs a value (see corebench run "
                           "--help)", argv[optind - 1]);
        default:
            return CB_FAIL(e, CB_EUSAGE, "unknown option '%s' (see corebench "
                           "run --help)", argv[optind - 1]);
        }
        if (rc)
            return rc;
    }
    if (optind < argc)
        return CB_FAIL(e, CB_EUSAGE, "unexpected argument '%s' (see corebench "
                       "run --help)", argv[optind]);

    if ((rc = parse_list("--kernel", kern, MAX_LIST, &o->nkernels,
                         item_kernel, o->kernels, e)))
        return rc;
    /* the default: every C executor; other runtimes (py-*) are opt-in,
     * their maps take 20-40x longer; so are executors that need a launcher
     * of their own (CB_EXEC_OPT_IN: mpi) */
    if (!o->nexecs)
        for (int i = 0; cb_executors[i] && o->nexecs < MAX_LIST; i++)
            if (!cb_executors[i]->runtime &&
                !(cb_executors[i]->caps & CB_EXEC_OPT_IN))
                o->execs[o->nexecs++] = cb_executors[i];
    if (work) {
        if ((rc = parse_list("--workers", work, MAX_LIST, &o->nworkers,
                             item_workers, o->workers, e)))
            return rc;
    } else {
        for (int w = 1; w < allowed_pus && o->nworkers < MAX_LIST - 1; w *= 2)
            o->workers[o->nworkers++] = w;
        o->workers[o->nworkers++] = allowed_pus;
    }
    if (!o->nchunks)
        o->chunks[o->nchunks++] = CB_CHUNK_DEFAULT;
    if (!o->nscheds)
        o->scheds[o->nscheds++] = CB_SCHED_STATIC;
    if (!o->nintervals)
        o->intervals[o->nintervals++] = CB_SWITCH_INTERVAL_DEFAULT_US;
    o->params.size = o->size;
    o->params.seed = o->seed;
    return 0;
}

/* The output path, checked before any lock, workload or measurement: a
 * FIFO, a device, a link, a missing or unwritable directory is refused
 * now, not after the sweep ran. */
static int check_out(struct opts *o, struct cb_error *e)
{
    int rc;
    if (!o->out && (rc = default_out(o, e)))
        return rc;
    return cb_results_check_path(o->out, o->force, e);
}

int cb_run_parse_only(int argc, char **argv, const struct cb_topo *topo,
                      struct cb_error *e)
{
    struct opts *o = malloc(sizeof *o);
    int rc;
    if (!o)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    rc = parse_opts(argc, argv, o, topo, e);
    free(o);
    return rc;
}

/* ---- configurations ------------------------------------------------------ */

struct config {
    int id;
    int kernel;                 /* index into the prepared workloads */
    const struct cb_executor *ex;
    int workers;
    long chunksize;             /* as asked: CB_CHUNK_DEFAULT/AUTO or N */
    enum cb_schedule schedule;
    long interval;
    int *pus;                   /* plan, workers entries (NULL if none) */
    int baseline;               /* the serial run speedups divide by */
    /* samples */
    int ns, nw;
    double *samples, *warm, *startup, *shutdown;
    struct cb_map_stats *ms;    /* per measured sample */
    struct cb_worker_stats *ws; /* ns * workers */
    struct cb_counter_values *ctr;
    /* the kernel's metrics: nmet names, met[slot * CB_MAX_METRICS + m] */
    struct cb_metric metdef[CB_MAX_METRICS];
    int nmet;
    double *met;
    int verified, failed;
    char error[480];
    char label[96];             /* table label: executor + variant */
};

struct sweep {
    struct opts *o;
    struct cb_topo *topo;
    struct cb_topo_info info;
    struct cb_workload *wl;     /* one per kernel */
    struct config *cfg;
    int ncfg;
    json_t *root, *runs, *order;
    struct cb_counters *ctr;
    char self_exe[4096];
    json_t *about;       /* context.executors: what available() said */
    json_t *unavailable; /* warnings for executors skipped */
    double timer_res;
    int first_write;
    int total_samples, done_samples;
    double t_start;
};

static void config_label(struct config *c, const char *runtime_label)
{
    int n = snprintf(c->label, sizeof c->label, "%s", c->ex->name);
    if (runtime_label) /* e.g. a free-threaded CPython */
        n += snprintf(c->label + n, sizeof c->label - n, " (%s)",
                      runtime_label);
    if (c->ex->caps & CB_EXEC_CHUNKSIZE && c->chunksize != CB_CHUNK_DEFAULT) {
        if (c->chunksize == CB_CHUNK_AUTO)
            n += snprintf(c->label + n, sizeof c->label - n, " c=auto");
        else
            n += snprintf(c->label + n, sizeof c->label - n, " c=%ld",
                          c->chunksize);
    }
    if (c->ex->caps & CB_EXEC_SCHEDULE)
        n += snprintf(c->label + n, sizeof c->label - n, " %s",
                      sched_names[c->schedule]);
    if (c->ex->caps & CB_EXEC_GIL && c->interval != CB_SWITCH_INTERVAL_DEFAULT_US)
        n += snprintf(c->label + n, sizeof c->label - n, " si=%ldus",
                      c->interval);
}

static int add_config(struct sweep *s, int k, const struct cb_executor *ex,
                      int workers, long chunk, enum cb_schedule sched,
                      long interval, struct cb_error *e)
{
    struct config *c;
    int rc;
    struct config *n;
    if (s->ncfg >= MAX_CONFIGS)
        return CB_FAIL(e, CB_EUSAGE, "the sweep has more than %d "
                       "configurations (kernels x executors x workers x "
                       "variants): split it into several runs", MAX_CONFIGS);
    n = realloc(s->cfg, sizeof *s->cfg * (size_t)(s->ncfg + 1));
    if (!n)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    s->cfg = n;
    c = &s->cfg[s->ncfg];
    memset(c, 0, sizeof *c);
    c->id = s->ncfg;
    c->kernel = k;
    c->ex = ex;
    c->workers = workers;
    c->chunksize = chunk;
    c->schedule = sched;
    c->interval = interval;
    c->verified = 1;
    c->pus = calloc((size_t)workers, sizeof *c->pus);
    c->samples = calloc((size_t)s->o->repetitions, sizeof(double));
    c->startup = calloc((size_t)s->o->repetitions, sizeof(double));
    c->shutdown = calloc((size_t)s->o->repetitions, sizeof(double));
    c->warm = calloc((size_t)s->o->warmup + 1, sizeof(double));
    c->ms = calloc((size_t)s->o->repetitions, sizeof *c->ms);
    c->ws = calloc((size_t)s->o->repetitions * (size_t)workers, sizeof *c->ws);
    c->ctr = calloc((size_t)s->o->repetitions, sizeof *c->ctr);
    c->met = calloc((size_t)s->o->repetitions * CB_MAX_METRICS,
                    sizeof *c->met);
    s->ncfg++;
    if (!c->pus || !c->samples || !c->startup || !c->shutdown || !c->warm ||
        !c->ms || !c->ws || !c->ctr || !c->met)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    if ((rc = cb_topo_plan(s->topo, &s->o->pin, workers, c->pus, e)))
        return rc;
    config_label(c, json_string_value(json_object_get(
                        json_object_get(s->about, ex->name), "label")));
    return 0;
}

static int build_configs(struct sweep *s, struct cb_error *e)
{
    struct opts *o = s->o;
    int rc;
    for (int k = 0; k < o->nkernels; k++) {
        /* a baseline per runtime in the list (serial for C, py-serial for
         * CPython) unless the list has one already */
        for (int x = 0; o->baseline && x < o->nexecs; x++) {
            const struct cb_executor *b = cb_executor_baseline(o->execs[x]);
            int have = 0;
            for (int y = 0; y < o->nexecs; y++)
                have |= o->execs[y] == b;
            for (int i = 0; i < s->ncfg; i++)
                have |= s->cfg[i].kernel == k && s->cfg[i].ex == b;
            if (b && !have &&
                (rc = add_config(s, k, b, 1, CB_CHUNK_DEFAULT,
                                 CB_SCHED_STATIC, CB_SWITCH_INTERVAL_DEFAULT_US,
                                 e)))
                return rc;
        }
        for (int x = 0; x < o->nexecs; x++) {
            const struct cb_executor *ex = o->execs[x];
            unsigned caps = ex->caps;
            int nw = caps & CB_EXEC_SINGLE ? 1 : o->nworkers;
            int nc = caps & CB_EXEC_CHUNKSIZE ? o->nchunks : 1;
            int nsch = caps & CB_EXEC_SCHEDULE ? o->nscheds : 1;
            int ni = caps & CB_EXEC_GIL ? o->nintervals : 1;
            for (int w = 0; w < nw; w++)
                for (int ci = 0; ci < nc; ci++)
                    for (int si = 0; si < nsch; si++)
                        for (int ii = 0; ii < ni; ii++)
                            if ((rc = add_config(
                                     s, k, ex,
                                     caps & CB_EXEC_SINGLE ? 1 : o->workers[w],
                                     caps & CB_EXEC_CHUNKSIZE ? o->chunks[ci]
                                                              : CB_CHUNK_DEFAULT,
                                     o->scheds[si], o->intervals[ii], e)))
                                return rc;
        }
    }
    /* the baseline of each kernel and runtime: the first configuration of
     * that runtime's single-worker executor */
    for (int i = 0; i < s->ncfg; i++) {
        struct config *c = &s->cfg[i];
        int first = c->ex == cb_executor_baseline(c->ex);
        for (int j = 0; first && j < i; j++)
            first = !(s->cfg[j].kernel == c->kernel && s->cfg[j].ex == c->ex);
        c->baseline = first;
    }
    return 0;
}

static void free_configs(struct sweep *s)
{
    for (int i = 0; i < s->ncfg; i++) {
        struct config *c = &s->cfg[i];
        free(c->pus);
        free(c->samples);
        free(c->startup);
        free(c->shutdown);
        free(c->warm);
        free(c->ms);
        free(c->ws);
        free(c->ctr);
        free(c->met);
    }
    free(s->cfg);
}

/* ---- one sample ---------------------------------------------------------- */

/* Runs start/map/stop once. Warm-up samples (slot < 0) are timed but not
 * kept in statistics. Returns 0 or the failure (recorded in c). */
static int take_sample(struct sweep *s, struct config *c, int slot,
                       void *outs)
{
    const struct cb_workload *w = &s->wl[c->kernel];
    struct cb_exec_config ec = {
        .workers = c->workers,
        .chunksize = c->chunksize,
        .schedule = c->schedule,
        .pus = s->o->pin.policy == CB_PIN_NONE ? NULL : c->pus,
        .switch_interval_us = c->interval,
        .start_method = s->o->start_method,
        .self_exe = s->self_exe,
        .python = s->o->python,
        .workload = w,
    };
    struct cb_worker_stats wtmp[64];
    struct cb_worker_stats *wsv = slot >= 0
        ? &c->ws[(size_t)slot * (size_t)c->workers] : NULL;
    struct cb_map_stats mtmp, *ms = slot >= 0 ? &c->ms[slot] : &mtmp;
    struct cb_counter_values cv;
    struct cb_pool *pool = NULL;
    struct cb_error err = {0};
    double t0, t1, t2, t3;
    int rc;

    if (!wsv) {
        /* warm-up stats are thrown away; big worker counts reuse slot 0 */
        wsv = c->workers <= 64 ? wtmp : c->ws;
    }
    ms->nworkers = c->workers;
    ms->w = wsv;
    cb_map_stats_reset(ms);
    memset(outs, 0xa5, w->n * w->out_size); /* a skipped task cannot pass */

    if (s->ctr)
        cb_counters_start(s->ctr);
    t0 = cb_now();
    rc = c->ex->start(&pool, &ec, &err);
    t1 = cb_now();
    if (rc == 0)
        rc = c->ex->map(pool, w, outs, ms, &err);
    t2 = cb_now();
    c->ex->stop(pool);
    t3 = cb_now();
    if (s->ctr) {
        cb_counters_stop(s->ctr, &cv);
        if (slot >= 0)
            c->ctr[slot] = cv;
    }
    if (rc == 0)
        rc = w->kernel->verify(w, outs, &err);
    /* Ctrl-C reaches the whole process group: workers killed by it are
     * the user's interrupt, not a failure of the executor. The sample is
     * dropped and the sweep stops after this round. */
    if (rc && interrupted)
        return 0;
    if (rc) {
        c->verified = 0;
        c->failed = 1;
        snprintf(c->error, sizeof c->error, "%s", err.msg);
        return rc;
    }
    if (c->ex->caps & CB_EXEC_SELF_TIMED) {
        /* timed inside the other runtime: the harness's clock would also
         * count starting it and talking to it */
        t0 = 0;
        t1 = ms->self_start_s;
        t2 = t1 + ms->self_map_s;
        t3 = t2 + ms->self_stop_s;
    }
    if (slot >= 0 && w->kernel->metrics) {
        struct cb_metric m[CB_MAX_METRICS];
        int nm = w->kernel->metrics(w, outs, m, CB_MAX_METRICS);
        for (int i = 0; i < nm; i++) {
            c->metdef[i] = m[i];
            c->met[(size_t)slot * CB_MAX_METRICS + (size_t)i] = m[i].value;
        }
        c->nmet = nm;
    }
    if (slot >= 0) {
        c->samples[slot] = t2 - t1;
        c->startup[slot] = t1 - t0;
        c->shutdown[slot] = t3 - t2;
        c->ns = slot + 1;
    } else {
        c->warm[c->nw++] = t2 - t1;
    }
    return 0;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *warning(const char *code, const char *advice, const char *fmt,
                       ...) __attribute__((format(printf, 3, 4)));
static json_t *warning(const char *code, const char *advice, const char *fmt,
                       ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return json_pack("{s:s, s:s, s:s}", "code", code, "message", msg,
                     "advice", advice);
}

static json_t *num_array(const double *x, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, cb_json_num(x[i]));
    return a;
}

static const struct config *baseline_of(const struct sweep *s,
                                        const struct config *c)
{
    const struct cb_executor *b = cb_executor_baseline(c->ex);
    for (int i = 0; i < s->ncfg; i++)
        if (s->cfg[i].kernel == c->kernel && s->cfg[i].baseline &&
            s->cfg[i].ex == b && s->cfg[i].ns > 0)
            return &s->cfg[i];
    return NULL;
}

/* Index of the sample whose time is the median (the lower middle one). */
static int median_sample(const struct config *c)
{
    int best = 0;
    double med = cb_median(c->samples, (size_t)c->ns);
    for (int i = 1; i < c->ns; i++)
        if (fabs(c->samples[i] - med) < fabs(c->samples[best] - med))
            best = i;
    return best;
}

struct derived {
    struct cb_summary sum;
    double speedup, sp_lo, sp_hi;
    double imbalance;
    int med;
};

/* Median of metric m over c's samples (NAN without samples). */
static double metric_median(const struct config *c, int m)
{
    double v[1024];
    int n = 0;
    for (int i = 0; i < c->ns && n < 1024; i++)
        v[n++] = c->met[(size_t)i * CB_MAX_METRICS + (size_t)m];
    return n ? cb_median(v, (size_t)n) : NAN;
}

/* JSON of c's metrics: {name: {unit, what, samples, median, baseline}},
 * baseline = the median of the same runtime's serial baseline, where the
 * tasks ran one at a time. */
static json_t *metrics_json(const struct sweep *s, const struct config *c)
{
    const struct config *b = baseline_of(s, c);
    json_t *o = json_object();
    for (int m = 0; m < c->nmet; m++) {
        json_t *a = json_array();
        for (int i = 0; i < c->ns; i++)
            json_array_append_new(a, cb_json_num(
                c->met[(size_t)i * CB_MAX_METRICS + (size_t)m]));
        json_object_set_new(o, c->metdef[m].name, json_pack(
            "{s:s, s:s, s:o, s:o, s:o}", "unit", c->metdef[m].unit,
            "what", c->metdef[m].what, "samples", a,
            "median", cb_json_num(metric_median(c, m)),
            "baseline", cb_json_num(b && b->nmet > m ? metric_median(b, m)
                                                     : NAN)));
    }
    return o;
}

static void derive(const struct sweep *s, const struct config *c,
                   struct derived *d)
{
    const struct config *b = baseline_of(s, c);
    memset(d, 0, sizeof *d);
    cb_summarize(c->samples, (size_t)c->ns, &d->sum);
    d->speedup = d->sp_lo = d->sp_hi = NAN;
    d->imbalance = NAN;
    if (c->ns == 0)
        return;
    /* tasks that run for a fixed time: no speedup, the metrics tell */
    if (b && !(s->wl[c->kernel].kernel->flags & CB_KERNEL_TIMED))
        cb_ratio_ci(b->samples, (size_t)b->ns, c->samples, (size_t)c->ns, 0.95,
                    CB_BOOTSTRAP_SEED, CB_BOOTSTRAP_ROUNDS, &d->speedup,
                    &d->sp_lo, &d->sp_hi);
    d->med = median_sample(c);
    {
        const struct cb_worker_stats *ws =
            &c->ws[(size_t)d->med * (size_t)c->workers];
        double mx = 0, tot = 0;
        for (int i = 0; i < c->workers; i++) {
            tot += ws[i].busy_s;
            if (ws[i].busy_s > mx)
                mx = ws[i].busy_s;
        }
        if (tot > 0)
            d->imbalance = mx / (tot / c->workers);
    }
}

static json_t *config_warnings(const struct sweep *s, const struct config *c,
                               const struct derived *d)
{
    json_t *a = json_array();
    if (c->workers > s->info.pus)
        json_array_append_new(a, warning("oversubscribed",
            "use at most as many workers as allowed PUs for scaling figures",
            "%d workers on %d allowed PUs", c->workers, s->info.pus));
    if (c->ns >= 2 && d->sum.cv > 0.05)
        json_array_append_new(a, warning("unstable",
            "close other programs, pin workers (--pin cores), add "
            "--repetitions",
            "CV %.1f%% is above 5%%", d->sum.cv * 100));
    if (c->ns >= 1 && d->sum.median < 1000 * s->timer_res)
        json_array_append_new(a, warning("short",
            "use a larger --size so the timer resolution does not matter",
            "median %.3g s is under 1000x the timer resolution (%.3g s)",
            d->sum.median, s->timer_res));
    if (d->sum.outliers > 0)
        json_array_append_new(a, warning("outliers",
            "look for background activity; outliers are kept in the "
            "statistics",
            "%d of %d samples are outliers (modified z-score > 3.5)",
            d->sum.outliers, c->ns));
    if (s->o->pin.policy != CB_PIN_NONE &&
        cb_topo_plan_shared_cores(s->topo, c->pus, c->workers) > 0 &&
        c->workers <= s->info.pus)
        json_array_append_new(a, warning("smt-shared",
            "use --pin cores to give each worker its own core first",
            "%d workers share a core (SMT siblings)",
            cb_topo_plan_shared_cores(s->topo, c->pus, c->workers)));
    return a;
}

static json_t *workers_detail(const struct config *c, int med)
{
    json_t *a = json_array();
    const struct cb_worker_stats *ws = &c->ws[(size_t)med * (size_t)c->workers];
    for (int i = 0; i < c->workers; i++) {
        /* "" is this machine; a name that is not UTF-8 reads as null */
        json_t *host = ws[i].host[0]
            ? json_stringn(ws[i].host, strnlen(ws[i].host, sizeof ws[i].host))
            : NULL;
        json_array_append_new(a, json_pack(
            "{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:I, s:o}",
            "tasks", (json_int_t)ws[i].tasks,
            "chunks", (json_int_t)ws[i].chunks,
            "busy_s", cb_json_num(ws[i].busy_s),
            "cpu_s", cb_json_num(ws[i].cpu_s),
            "pu_planned", ws[i].pu_planned >= 0 ? json_integer(ws[i].pu_planned)
                                                : json_null(),
            "cpu_first", ws[i].cpu_first >= 0 ? json_integer(ws[i].cpu_first)
                                              : json_null(),
            "cpu_last", ws[i].cpu_last >= 0 ? json_integer(ws[i].cpu_last)
                                            : json_null(),
            "pinned", ws[i].pinned,
            "lock_wait_s", cb_json_num(ws[i].lock_wait_s),
            "pid", (json_int_t)ws[i].pid,
            "host", host ? host : json_null()));
    }
    /* interference; null where the worker could not measure it */
    for (int i = 0; i < c->workers; i++) {
        json_t *o = json_array_get(a, (size_t)i);
        int rd = ws[i].measured & CB_WS_RUN_DELAY, cs = ws[i].measured & CB_WS_CSW;
        json_object_set_new(o, "run_delay_s",
                            rd ? cb_json_num(ws[i].run_delay_s) : json_null());
        json_object_set_new(o, "csw_voluntary",
            cs ? json_integer((json_int_t)ws[i].csw_voluntary) : json_null());
        json_object_set_new(o, "csw_involuntary",
            cs ? json_integer((json_int_t)ws[i].csw_involuntary) : json_null());
    }
    return a;
}

static json_t *int_or_null(int v)
{
    return v >= 0 ? json_integer(v) : json_null();
}

static json_t *run_json(const struct sweep *s, const struct config *c)
{
    const struct cb_workload *w = &s->wl[c->kernel];
    struct derived d;
    json_t *r, *params = json_object(), *planned = json_array(),
               *observed = json_array(), *flags = json_array(), *ctr;
    unsigned caps = c->ex->caps;
    int last = c->ns > 0 ? c->ns - 1 : 0;
    unsigned char oflag[10000];

    derive(s, c, &d);
    for (int i = 0; i < w->nparams; i++)
        json_object_set_new(params, w->params[i].key,
                            json_string(w->params[i].val));
    for (int i = 0; i < c->workers; i++) {
        const struct cb_worker_stats *ws =
            &c->ws[(size_t)last * (size_t)c->workers + (size_t)i];
        json_array_append_new(planned, s->o->pin.policy == CB_PIN_NONE
                                           ? json_null()
                                           : json_integer(c->pus[i]));
        json_array_append_new(observed,
            c->ns ? json_pack("[o, o]", int_or_null(ws->cpu_first),
                              int_or_null(ws->cpu_last))
                  : json_null());
    }
    cb_outliers(c->samples, (size_t)c->ns, oflag);
    for (int i = 0; i < c->ns; i++)
        json_array_append_new(flags, json_boolean(oflag[i]));
    if (s->ctr) {
        ctr = json_array();
        for (int i = 0; i < c->ns; i++) {
            json_t *o = json_object();
            for (int k = 0; k < CB_CTR_COUNT; k++)
                json_object_set_new(o, cb_counter_name(k),
                    c->ctr[i].valid[k] ? json_integer((json_int_t)c->ctr[i].v[k])
                                       : json_null());
            json_array_append_new(ctr, o);
        }
    } else {
        ctr = json_null();
    }

    r = json_pack("{s:i, s:s, s:s, s:o, s:I, s:s, s:i}",
                  "id", c->id, "kernel", w->kernel->name, "size", w->size,
                  "params", params, "tasks", (json_int_t)w->n,
                  "executor", c->ex->name, "workers", c->workers);
    /* speedups divide by the baseline of the same runtime (serial for C,
     * py-serial for CPython); the baseline says so itself */
    json_object_set_new(r, "runtime",
                        json_string(c->ex->runtime ? c->ex->runtime : "c"));
    json_object_set_new(r, "baseline", json_boolean(c->baseline));
    /* chunksize: as asked (names the configuration); chunksize_used: what
     * the executor resolved it to (auto, defaults) */
    json_object_set_new(r, "chunksize",
        !(caps & CB_EXEC_CHUNKSIZE) || c->chunksize == CB_CHUNK_DEFAULT
            ? json_null()
            : c->chunksize == CB_CHUNK_AUTO ? json_string("auto")
                                            : json_integer(c->chunksize));
    json_object_set_new(r, "chunksize_used",
        c->ns && c->ms[d.med].chunksize > 0
            ? json_integer(c->ms[d.med].chunksize) : json_null());
    json_object_set_new(r, "schedule", caps & CB_EXEC_SCHEDULE
                            ? json_string(sched_names[c->schedule]) : json_null());
    json_object_set_new(r, "switch_interval_us", caps & CB_EXEC_GIL
                            ? json_integer(c->interval) : json_null());
    json_object_set_new(r, "start_method", caps & CB_EXEC_START_METHOD
                            ? json_string(start_names[s->o->start_method])
                            : json_null());
    json_object_set_new(r, "pin", json_string(s->o->pin_text));
    json_object_set_new(r, "placement", json_pack("{s:o, s:o}", "planned",
                        planned, "observed", observed));
    json_object_set_new(r, "samples", num_array(c->samples, c->ns));
    json_object_set_new(r, "warmup", num_array(c->warm, c->nw));
    json_object_set_new(r, "startup", num_array(c->startup, c->ns));
    json_object_set_new(r, "shutdown", num_array(c->shutdown, c->ns));
    json_object_set_new(r, "stats", json_pack(
        "{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i}",
        "n", (json_int_t)d.sum.n, "median", cb_json_num(d.sum.median),
        "mean", cb_json_num(d.sum.mean), "min", cb_json_num(d.sum.min),
        "max", cb_json_num(d.sum.max), "stddev", cb_json_num(d.sum.stddev),
        "mad", cb_json_num(d.sum.mad), "cv", cb_json_num(d.sum.cv),
        "ci_lo", cb_json_num(d.sum.ci_lo), "ci_hi", cb_json_num(d.sum.ci_hi),
        "outliers", d.sum.outliers));
    json_object_set_new(r, "outlier_flags", flags);
    if (isfinite(d.speedup)) {
        json_object_set_new(r, "speedup", json_pack("{s:o, s:o, s:o}",
            "value", cb_json_num(d.speedup), "ci_lo", cb_json_num(d.sp_lo),
            "ci_hi", cb_json_num(d.sp_hi)));
        json_object_set_new(r, "efficiency", json_pack("{s:o, s:o, s:o}",
            "value", cb_json_num(d.speedup / c->workers),
            "ci_lo", cb_json_num(d.sp_lo / c->workers),
            "ci_hi", cb_json_num(d.sp_hi / c->workers)));
    } else {
        json_object_set_new(r, "speedup", json_null());
        json_object_set_new(r, "efficiency", json_null());
    }
    {
        /* null with the reason where it is no fraction in [0, 1] */
        const char *why = NULL;
        double kf = cb_karp_flatt(d.speedup, c->workers, &why);
        json_object_set_new(r, "karp_flatt", cb_json_num(kf));
        json_object_set_new(r, "karp_flatt_reason",
                            why ? json_string(why) : json_null());
    }
    json_object_set_new(r, "work", json_pack("{s:o, s:o, s:o, s:o}",
        "unit", w->work_unit ? json_string(w->work_unit) : json_null(),
        "per_map", w->work > 0 ? json_real(w->work) : json_null(),
        "bytes_touched", w->bytes_touched > 0 ? json_real(w->bytes_touched)
                                              : json_null(),
        "working_set_bytes", w->working_set_bytes > 0
                                 ? json_real(w->working_set_bytes)
                                 : json_null()));
    json_object_set_new(r, "per_task_s",
                        cb_json_num(w->n ? d.sum.median / (double)w->n : NAN));
    json_object_set_new(r, "workers_detail",
                        c->ns ? workers_detail(c, d.med) : json_array());
    json_object_set_new(r, "imbalance", cb_json_num(d.imbalance));
    json_object_set_new(r, "ipc", json_pack("{s:I, s:I}",
        "bytes_to_workers", (json_int_t)(c->ns ? c->ms[d.med].bytes_to_workers : 0),
        "bytes_from_workers",
        (json_int_t)(c->ns ? c->ms[d.med].bytes_from_workers : 0)));
    json_object_set_new(r, "gil", caps & CB_EXEC_GIL && c->ns &&
                                      c->ms[d.med].switches
        ? json_pack("{s:I, s:I, s:o}",
                    "switches", (json_int_t)c->ms[d.med].switches,
                    "drop_requests", (json_int_t)c->ms[d.med].drop_requests,
                    "lock_wait_s", cb_json_num(c->ms[d.med].lock_wait_s))
        : json_null());
    json_object_set_new(r, "counters", ctr);
    json_object_set_new(r, "metrics", metrics_json(s, c));
    json_object_set_new(r, "verified", json_boolean(c->verified && !c->failed));
    if (c->failed)
        json_object_set_new(r, "error", json_string(c->error));
    json_object_set_new(r, "warnings", config_warnings(s, c, &d));
    return r;
}

/* Same executor variant (everything but the worker count). */
static int same_variant(const struct config *a, const struct config *b)
{
    return a->kernel == b->kernel && a->ex == b->ex &&
           a->chunksize == b->chunksize && a->schedule == b->schedule &&
           a->interval == b->interval;
}

/* Amdahl fit over the worker counts of c's variant. Returns 0 and fills
 * f/se/points for the first config of each variant, -1 for the others
 * (so callers visit each variant once) and for single-worker executors.
 * f is NaN with *why set when it is no serial fraction (cb_amdahl_fit). */
static int variant_fit(const struct sweep *s, int i, double *f, double *se,
                       int *points, const char **why)
{
    const struct config *c = &s->cfg[i];
    int p[MAX_LIST] = {0}, n = 0;
    double sp[MAX_LIST] = {0};
    if (c->ex->caps & CB_EXEC_SINGLE)
        return -1;
    for (int j = 0; j < i; j++)
        if (same_variant(&s->cfg[j], c))
            return -1;
    for (int j = i; j < s->ncfg && n < MAX_LIST; j++) {
        struct derived d;
        /* oversubscribed points measure time-sharing, not Amdahl */
        if (!same_variant(&s->cfg[j], c) || s->cfg[j].ns == 0 ||
            s->cfg[j].workers > s->info.pus)
            continue;
        derive(s, &s->cfg[j], &d);
        if (!isfinite(d.speedup))
            continue;
        p[n] = s->cfg[j].workers;
        sp[n++] = d.speedup;
    }
    if (cb_amdahl_fit(p, sp, (size_t)n, f, se, why) != 0)
        *f = *se = NAN;
    *points = 0;
    for (int j = 0; j < n; j++)
        *points += p[j] > 1;
    return 0;
}

static json_t *fits_json(const struct sweep *s)
{
    json_t *fits = json_array();
    for (int i = 0; i < s->ncfg; i++) {
        const struct config *c = &s->cfg[i];
        double f, se;
        const char *why;
        int pts;
        if (variant_fit(s, i, &f, &se, &pts, &why))
            continue;
        json_array_append_new(fits, json_pack(
            "{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:i}",
            "kernel", s->wl[c->kernel].kernel->name,
            "size", s->wl[c->kernel].size, "executor", c->ex->name,
            "variant", c->label, "serial_fraction", cb_json_num(f),
            "stderr", cb_json_num(se),
            "reason", why ? json_string(why) : json_null(), "points", pts));
    }
    return fits;
}

static int write_results(struct sweep *s, int complete, struct cb_error *e)
{
    json_t *runs = json_array();
    int rc;
    for (int i = 0; i < s->ncfg; i++)
        json_array_append_new(runs, run_json(s, &s->cfg[i]));
    json_object_set_new(s->root, "runs", runs);
    json_object_set_new(s->root, "fits", fits_json(s));
    json_object_set(s->root, "order", s->order);
    json_object_set_new(s->root, "complete", json_boolean(complete));
    rc = cb_results_write(s->root, s->o->out, !s->first_write || s->o->force,
                          e);
    if (rc == 0)
        s->first_write = 0;
    return rc;
}

/* ---- table --------------------------------------------------------------- */

static void fmt_time(double t, char *buf, size_t len)
{
    if (!isfinite(t))
        snprintf(buf, len, "-");
    else if (t >= 1)
        snprintf(buf, len, "%.3f s", t);
    else if (t >= 1e-3)
        snprintf(buf, len, "%.2f ms", t * 1e3);
    else
        snprintf(buf, len, "%.2f us", t * 1e6);
}

static void table_header(const struct sweep *s)
{
    if (s->o->quiet)
        return;
    printf("%-11s %-22s %3s %10s %7s %6s %-17s %5s %9s  %s\n", "kernel",
           "executor", "w", "median", "+-ci%", "cv%", "speedup [95% ci]",
           "eff", "startup", "notes");
}

static void table_kernel(const struct sweep *s, int k)
{
    if (s->o->quiet)
        return;
    for (int i = 0; i < s->ncfg; i++) {
        const struct config *c = &s->cfg[i];
        struct derived d;
        char med[24], st[24], sp[32] = "-", eff[16] = "-", ci[16] = "-",
             cv[16] = "-", notes[256] = "";
        json_t *warns;
        size_t wi;
        json_t *wv;
        if (c->kernel != k)
            continue;
        derive(s, c, &d);
        fmt_time(d.sum.median, med, sizeof med);
        fmt_time(cb_median(c->startup, (size_t)c->ns), st, sizeof st);
        if (isfinite(d.sum.ci_hi) && d.sum.median > 0)
            snprintf(ci, sizeof ci, "%.1f",
                     100 * (d.sum.ci_hi - d.sum.ci_lo) / 2 / d.sum.median);
        if (isfinite(d.sum.cv))
            snprintf(cv, sizeof cv, "%.1f", 100 * d.sum.cv);
        if (isfinite(d.speedup)) {
            snprintf(sp, sizeof sp, "%5.2f [%.2f-%.2f]", d.speedup, d.sp_lo,
                     d.sp_hi);
            snprintf(eff, sizeof eff, "%.2f", d.speedup / c->workers);
        }
        if (c->failed)
            snprintf(notes, sizeof notes, "FAILED: %.120s", c->error);
        warns = config_warnings(s, c, &d);
        json_array_foreach(warns, wi, wv) {
            size_t l = strlen(notes);
            snprintf(notes + l, sizeof notes - l, "%s%s", l ? " " : "",
                     json_string_value(json_object_get(wv, "code")));
        }
        json_decref(warns);
        if (s->wl[k].kernel->flags & CB_KERNEL_NO_WORK && c->ns) {
            size_t l = strlen(notes);
            char pt[24];
            fmt_time(d.sum.median / (double)s->wl[k].n, pt, sizeof pt);
            snprintf(notes + l, sizeof notes - l, "%s%s/task", l ? " " : "",
                     pt);
        }
        if (c->ns && isfinite(d.imbalance) && d.imbalance > 1.05) {
            size_t l = strlen(notes);
            snprintf(notes + l, sizeof notes - l, "%simbalance=%.2f",
                     l ? " " : "", d.imbalance);
        }
        if (c->ns && c->ms[d.med].bytes_to_workers +
                             c->ms[d.med].bytes_from_workers > 0) {
            size_t l = strlen(notes);
            double b = (double)(c->ms[d.med].bytes_to_workers +
                                c->ms[d.med].bytes_from_workers);
            snprintf(notes + l, sizeof notes - l, "%sshipped=%.3g%s",
                     l ? " " : "", b >= 1e6 ? b / 1e6 : b / 1e3,
                     b >= 1e6 ? "MB" : "kB");
        }
        for (int m = 0; m < c->nmet && c->ns; m++) {
            /* metric and its ratio to the same runtime's baseline */
            const struct config *b = baseline_of(s, c);
            double v = metric_median(c, m), bv = b ? metric_median(b, m) : NAN;
            size_t l = strlen(notes);
            char val[24];
            if (strcmp(c->metdef[m].unit, "s") == 0)
                fmt_time(v, val, sizeof val);
            else
                snprintf(val, sizeof val, "%.4g", v);
            snprintf(notes + l, sizeof notes - l, "%s%s=%s", l ? " " : "",
                     c->metdef[m].name, val);
            l = strlen(notes);
            if (b && b != c && isfinite(bv) && bv > 0)
                snprintf(notes + l, sizeof notes - l, " (x%.3g)", v / bv);
        }
        if (c->ex->caps & CB_EXEC_GIL && c->ns && c->ms[d.med].switches) {
            size_t l = strlen(notes);
            snprintf(notes + l, sizeof notes - l, "%sswitches=%llu wait=%.0f%%",
                     l ? " " : "",
                     (unsigned long long)c->ms[d.med].switches,
                     d.sum.median > 0 ? 100 * c->ms[d.med].lock_wait_s /
                         (c->workers * d.sum.median) : 0.0);
        }
        printf("%-11s %-22s %3d %10s %7s %6s %-17s %5s %9s  %s\n",
               s->wl[k].kernel->name, c->label, c->workers, med, ci, cv, sp,
               eff, st, notes);
    }
    /* Amdahl's serial fraction per executor: 0 scales perfectly, 1 does
     * not scale at all (the GIL) */
    {
        char line[1024] = "";
        size_t l = 0;
        for (int i = 0; i < s->ncfg && l + 96 < sizeof line; i++) {
            double f, se;
            const char *why = NULL;
            int pts;
            if (s->cfg[i].kernel != k ||
                variant_fit(s, i, &f, &se, &pts, &why) || pts == 0)
                continue;
            /* outside [0, 1] it is no fraction: say why instead */
            if (!isfinite(f)) {
                l += (size_t)snprintf(line + l, sizeof line - l,
                                      "%s %s n/a (%s)", l ? "," : "",
                                      s->cfg[i].label,
                                      why ? why : "no fit");
                continue;
            }
            l += (size_t)snprintf(line + l, sizeof line - l, "%s %s %.3f",
                                  l ? "," : "", s->cfg[i].label, f);
            if (isfinite(se))
                l += (size_t)snprintf(line + l, sizeof line - l, "+-%.3f", se);
        }
        if (l)
            printf("%-11s Amdahl serial fraction:%s\n", s->wl[k].kernel->name,
                   line);
    }
    /* each other runtime's serial loop against C's, on the same inputs */
    for (int i = 0; i < s->ncfg; i++) {
        const struct config *b = &s->cfg[i], *c = NULL;
        char tb[24], tc[24];
        if (b->kernel != k || !b->baseline || !b->ex->runtime || !b->ns)
            continue;
        for (int j = 0; j < s->ncfg && !c; j++)
            if (s->cfg[j].kernel == k && s->cfg[j].baseline &&
                !s->cfg[j].ex->runtime && s->cfg[j].ns)
                c = &s->cfg[j];
        if (!c)
            continue;
        fmt_time(cb_median(b->samples, (size_t)b->ns), tb, sizeof tb);
        fmt_time(cb_median(c->samples, (size_t)c->ns), tc, sizeof tc);
        printf("%-11s %s / %s: %.1fx (%s vs %s, same inputs)\n",
               s->wl[k].kernel->name, b->ex->name, c->ex->name,
               cb_median(b->samples, (size_t)b->ns) /
                   cb_median(c->samples, (size_t)c->ns),
               tb, tc);
    }
    fflush(stdout);
}

static void progress(struct sweep *s, const struct config *c, const char *what)
{
    double el, eta;
    if (!s->o->progress)
        return;
    el = cb_now() - s->t_start;
    eta = s->done_samples ? el / s->done_samples *
                                (s->total_samples - s->done_samples)
                          : 0;
    fprintf(stderr, "\r\033[K[%3d%%] %s %s %s w=%d  elapsed %.0fs eta %.0fs",
            s->total_samples ? 100 * s->done_samples / s->total_samples : 0,
            what, s->wl[c->kernel].kernel->name, c->label, c->workers, el,
            eta);
}

/* ---- the sweep ----------------------------------------------------------- */

static int run_kernel(struct sweep *s, int k, struct cb_error *e)
{
    struct opts *o = s->o;
    const struct cb_workload *w = &s->wl[k];
    size_t idx[MAX_CONFIGS], n = 0;
    size_t obytes = w->n * w->out_size;
    void *outs = malloc(obytes ? obytes : 1);
    int failed = 0;

    if (!outs)
        return CB_FAIL(e, CB_ENOMEM, "out of memory for %zu outputs", w->n);
    for (int i = 0; i < s->ncfg; i++)
        if (s->cfg[i].kernel == k)
            idx[n++] = (size_t)i;

    for (size_t j = 0; j < n && !interrupted; j++) {
        struct config *c = &s->cfg[idx[j]];
        for (int r = 0; r < o->warmup && !c->failed && !interrupted; r++) {
            progress(s, c, "warm-up");
            if (take_sample(s, c, -1, outs))
                failed = 1;
            s->done_samples++;
        }
    }
    for (int r = 0; r < o->repetitions && !interrupted; r++) {
        size_t pos[MAX_CONFIGS];
        /* cb_shuffle permutes positions 0..n-1; map them to config ids */
        for (size_t j = 0; j < n; j++)
            pos[j] = j;
        if (o->interleave)
            cb_shuffle(pos, n, o->order_seed + (uint64_t)r * 7919u + (uint64_t)k);
        for (size_t j = 0; j < n && !interrupted; j++) {
            struct config *c = &s->cfg[idx[pos[j]]];
            json_array_append_new(s->order, json_integer((json_int_t)c->id));
            if (c->failed)
                continue;
            progress(s, c, "sample");
            if (take_sample(s, c, c->ns, outs))
                failed = 1;
            s->done_samples++;
        }
        if (write_results(s, 0, e)) {
            free(outs);
            return e->code;
        }
    }
    free(outs);
    if (o->progress)
        fprintf(stderr, "\r\033[K");
    table_kernel(s, k);
    return failed;
}

/* Asks every executor of the sweep whether it can run here, once per
 * runtime check (executors sharing an available() share its answer: one
 * interpreter probe for all the py-* executors). Unavailable ones (no
 * interpreter, not built) are dropped from the sweep, named on one line per
 * reason and in a run-wide warning; one launched wrongly (CB_EUSAGE) stops
 * the sweep before it starts. What available ones report about their
 * runtime goes into the context. */
static int check_available(struct sweep *s, struct cb_error *e)
{
    struct opts *o = s->o;
    struct {
        int (*fn)(const struct cb_exec_config *, struct cb_exec_about *,
                  struct cb_error *);
        int rc;
        struct cb_exec_about ab;
        struct cb_error err;
        char names[256];
    } seen[MAX_LIST];
    int nseen = 0, kept = 0, maxw = 1, rc = 0;
    s->about = json_object();
    s->unavailable = json_array();
    for (int i = 0; i < o->nworkers; i++)
        maxw = o->workers[i] > maxw ? o->workers[i] : maxw;
    for (int x = 0; x < o->nexecs; x++) {
        const struct cb_executor *ex = o->execs[x];
        /* workers: the most the sweep asks for (mpi: no more than ranks) */
        struct cb_exec_config ec = {.workers = maxw, .python = o->python};
        json_t *a;
        int j = 0;
        if (!ex->available) {
            o->execs[kept++] = ex;
            continue;
        }
        while (j < nseen && seen[j].fn != ex->available)
            j++;
        if (j == nseen) {
            memset(&seen[j], 0, sizeof seen[j]);
            seen[j].fn = ex->available;
            seen[j].rc = ex->available(&ec, &seen[j].ab, &seen[j].err);
            nseen++;
        }
        if (seen[j].rc == CB_EUSAGE) {
            rc = cb_error_set(e, CB_EUSAGE, seen[j].err.where, "%s",
                              seen[j].err.msg);
            goto out;
        }
        if (seen[j].rc) {
            size_t l = strlen(seen[j].names);
            snprintf(seen[j].names + l, sizeof seen[j].names - l, "%s%s",
                     l ? ", " : "", ex->name);
            continue;
        }
        /* what it found: its JSON document, then its key/value lines */
        a = seen[j].ab.json ? json_loads(seen[j].ab.json, 0, NULL) : NULL;
        if (!json_is_object(a)) {
            json_decref(a);
            a = json_object();
        }
        for (int i = 0; i < seen[j].ab.n; i++)
            json_object_set_new(a, seen[j].ab.kv[i].key,
                                json_string(seen[j].ab.kv[i].val));
        if (json_object_size(a))
            json_object_set_new(s->about, ex->name, a);
        else
            json_decref(a);
        o->execs[kept++] = ex;
    }
    for (int j = 0; j < nseen; j++) {
        if (!seen[j].rc || seen[j].rc == CB_EUSAGE)
            continue;
        fprintf(stderr, "corebench run: %s unavailable, skipped: %s\n",
                seen[j].names, seen[j].err.msg);
        json_array_append_new(s->unavailable, warning("unavailable",
            "see the message; every other executor of the sweep ran",
            "%s: %s", seen[j].names, seen[j].err.msg));
    }
    if (o->nexecs && !kept)
        rc = CB_FAIL(e, CB_EUNSUPPORTED, "no executor of --executor can "
                     "run here (see the line above)");
    else
        o->nexecs = kept;
out:
    for (int j = 0; j < nseen; j++)
        free(seen[j].ab.json);
    return rc;
}

static void run_warnings(struct sweep *s, json_t *warns)
{
    double load1;
    int running, maxw = 0;
    char gov[64];
    for (int i = 0; i < s->o->nworkers; i++)
        if (s->o->workers[i] > maxw)
            maxw = s->o->workers[i];
    /* runnable threads is instantaneous: take the least of a few reads so
     * a transient (our own start-up) does not count as a busy machine */
    int ok = cb_env_load(&load1, &running) == 0;
    for (int i = 0; ok && i < 4 && running > 0; i++) {
        int r;
        double l;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (cb_env_load(&l, &r) == 0 && r < running)
            running = r;
    }
    if (ok && (load1 >= s->info.pus || running > 0))
        json_array_append_new(warns, warning("load",
            "wait for the machine to be idle, or stop other programs",
            "machine busy at start: load average %.2f, %d other runnable "
            "threads", load1, running));
    if (maxw > s->info.pus)
        json_array_append_new(warns, warning("oversubscribed",
            "speedups beyond the PU count measure time-sharing, not "
            "parallelism",
            "up to %d workers on %d allowed PUs", maxw, s->info.pus));
    if (cb_env_governor(gov, sizeof gov) == 0 && strcmp(gov, "performance"))
        json_array_append_new(warns, warning("governor",
            "set the governor to performance (cpupower frequency-set -g "
            "performance) for stable clocks",
            "CPU frequency governor is '%s'", gov));
    if (!s->ctr && s->o->counters)
        json_array_append_new(warns, warning("counters",
            "allow perf events (sysctl kernel.perf_event_paranoid=1) to get "
            "cycles and instructions",
            "hardware counters unavailable"));
}

static void print_warnings(const json_t *warns)
{
    size_t i;
    json_t *w;
    json_array_foreach(warns, i, w)
        fprintf(stderr, "corebench run: warning: %s; %s\n",
                json_string_value(json_object_get(w, "message")),
                json_string_value(json_object_get(w, "advice")));
}

int cb_cmd_run(int argc, char **argv)
{
    struct opts o;
    struct sweep s;
    struct cb_error e = {0};
    struct sigaction sa, old_int, old_term;
    json_t *ctx = NULL, *warns;
    int rc, lockfd = -1, failed = 0, status;
    char reason[256] = "";

    memset(&s, 0, sizeof s);
    s.o = &o;
    s.first_write = 1;
    if ((rc = cb_topo_load(&s.topo, NULL, NULL, &e)))
        goto fail;
    cb_topo_info(s.topo, &s.info);
    rc = parse_opts(argc, argv, &o, s.topo, &e);
    if (rc == 1) { /* --help */
        cb_topo_destroy(s.topo);
        return 0;
    }
    if (rc || (rc = check_out(&o, &e)))
        goto fail;
    if ((rc = check_available(&s, &e)))
        goto fail;
    if (o.lock && (rc = cb_lock_take(&lockfd, &e)))
        goto fail;

    /* Prepare every workload first: bad params are reported before any
     * measurement or file exists. */
    s.wl = calloc((size_t)o.nkernels, sizeof *s.wl);
    if (!s.wl) {
        rc = CB_FAIL(&e, CB_ENOMEM, "out of memory");
        goto fail;
    }
    for (int k = 0; k < o.nkernels; k++) {
        if ((rc = o.kernels[k]->prepare(&s.wl[k], &o.params, &e)))
            goto fail;
        s.wl[k].kernel = o.kernels[k]; /* marks it prepared */
    }
    if ((rc = build_configs(&s, &e)))
        goto fail;
    if (readlink("/proc/self/exe", s.self_exe, sizeof s.self_exe - 1) < 0)
        snprintf(s.self_exe, sizeof s.self_exe, "%s", argv[0]);

    s.timer_res = cb_timer_resolution();
    if (o.counters)
        s.ctr = cb_counters_open(reason, sizeof reason);
    ctx = cb_env_capture(s.topo, argc, argv);
    json_object_set_new(ctx, "settings", json_pack(
        "{s:i, s:i, s:I, s:I, s:b, s:s}", "repetitions", o.repetitions,
        "warmup", o.warmup, "seed", (json_int_t)o.seed,
        "order_seed", (json_int_t)o.order_seed, "interleave", o.interleave,
        "pin", o.pin_text));
    json_object_set(ctx, "executors", s.about);
    warns = json_array();
    run_warnings(&s, warns);
    print_warnings(warns);
    json_array_extend(warns, s.unavailable); /* printed when found */
    s.order = json_array();
    s.root = json_pack("{s:s, s:b, s:o, s:o, s:n}", "schema", CB_SCHEMA,
                       "complete", 0, "context", ctx, "warnings", warns,
                       "probe");

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    if (o.probe) {
        struct cb_error pe = {0};
        json_t *probe;
        if (o.progress)
            fprintf(stderr, "\r\033[Kprobing ceilings (--no-probe skips)");
        probe = cb_probe_run_quick(s.topo, &pe);
        if (probe)
            json_object_set_new(s.root, "probe", probe);
        else
            fprintf(stderr, "corebench run: warning: probe failed: %s\n",
                    pe.msg);
    }

    for (int i = 0; i < s.ncfg; i++)
        s.total_samples += o.warmup + o.repetitions;
    s.t_start = cb_now();
    if (!o.quiet)
        printf("corebench run: %d configurations x %d samples (+%d warm-up), "
               "pin %s, %s -> %s\n", s.ncfg, o.repetitions, o.warmup,
               o.pin_text, s.info.cpu_model[0] ? s.info.cpu_model : "cpu",
               o.out);
    table_header(&s);
    for (int k = 0; k < o.nkernels && !interrupted; k++) {
        rc = run_kernel(&s, k, &e);
        if (rc < 0)
            goto fail_sig;
        failed |= rc;
    }
    if ((rc = write_results(&s, !interrupted, &e)))
        goto fail_sig;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    status = interrupted ? 130 : failed ? 1
             : json_array_size(s.unavailable) ? 3 : 0;
    if (interrupted)
        fprintf(stderr, "\ncorebench run: interrupted; kept the finished "
                        "rounds in %s\n", o.out);
    else if (failed)
        fprintf(stderr, "corebench run: some maps failed (see the table and "
                        "\"error\" in %s)\n", o.out);
    else if (!o.quiet)
        printf("wrote %s\n", o.out);
    goto out;

fail_sig:
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
fail: {
    char line[sizeof e.msg * 4 + 8];
    cb_clean_text(e.msg, line, sizeof line, sizeof e.msg, 0);
    fprintf(stderr, "corebench run: %s\n", line);
}
    status = rc == CB_EUSAGE ? 2 : rc == CB_EUNSUPPORTED ? 3 : 1;
out:
    for (int k = 0; s.wl && k < o.nkernels; k++)
        if (s.wl[k].kernel)
            s.wl[k].kernel->release(&s.wl[k]);
    free(s.wl);
    free_configs(&s);
    json_decref(s.root);
    json_decref(s.order);
    json_decref(s.about);
    json_decref(s.unavailable);
    cb_counters_close(s.ctr);
    cb_topo_destroy(s.topo);
    if (lockfd >= 0)
        close(lockfd);
    return status;
}
