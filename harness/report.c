/* corebench report: result files (results/SCHEMA.md) -> TSV tables, gnuplot
 * figures and an index.md in one output directory.
 *
 * Trust boundary. Every string in a result file (host names, CPU models,
 * kernel and executor names, even pin policies) is untrusted: a result file
 * may come from another machine or another person. So:
 *  - strings only ever reach gnuplot as *data*, inside TSV cells that
 *    gnuplot reads with strcol()/columnheader; no script text is ever
 *    built from them, and gnuplot evaluates no data;
 *  - TSV cells are sanitized (no tabs, newlines, control, C1 or bidi
 *    characters, no double quotes, which gnuplot's data reader treats as
 *    field quoting), so a hostile name cannot add rows or shift columns;
 *  - the same sanitizer guards what is printed to the terminal;
 *  - file names made from kernel names keep [A-Za-z0-9_-] only;
 *  - gnuplot is started with fork + execvp and an argv, never a shell, and
 *    every path handed to it starts with '/' or "./", so gnuplot can never
 *    mistake one for its "<command" / "|command" pipe syntax.
 *
 * Layout of the work: load and validate every file (nothing is written
 * before all of them passed), flatten the runs into struct rp_run rows,
 * sort them once so that kernel / executor / series groups are contiguous,
 * derive the plotting ids (series, bars, ...) the gnuplot scripts select
 * on, write the tables, draw the figures, write index.md, print. */
#include "commands.h"
#include "common.h"
#include "probe.h"
#include "results.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define RP_PATH 4096
#define RP_LABEL 160

/* Executors in the order figures list them; the index picks the colour,
 * so "threads" has the same colour in every figure and every report. */
static const char *const rp_known_exec[] = {
    "serial",    "threads", "thread-pool", "gil",        "processes",
    "process-pool", "openmp", "py-serial", "py-threads", "py-processes",
    "py-processes-chunked",
};
#define RP_NKNOWN (int)(sizeof rp_known_exec / sizeof rp_known_exec[0])

/* One colour per known executor, in rp_known_exec's order, the same as
 * plots/common.gp's excolor() (Okabe-Ito for the C executors, darker
 * shades for CPython's); then distinct extras for others. */
static const char *const rp_palette[] = {
    "#555555", "#0072B2", "#56B4E9", "#D55E00", "#009E73", "#E69F00",
    "#CC79A7", "#222222", "#8B1A1A", "#00563B", "#7A5C00", "#6A3D9A",
    "#17BECF", "#BCBD22", "#1F77B4", "#FF7F0E", "#9467BD", "#2CA02C",
};
#define RP_NCOLORS (int)(sizeof rp_palette / sizeof rp_palette[0])

/* Point types for variants of one executor (filled circle, square, ...). */
static const int rp_points[] = {7, 5, 9, 11, 13, 15, 4, 6, 8, 10, 12, 14};
#define RP_NPOINTS (int)(sizeof rp_points / sizeof rp_points[0])

struct rp_file {
    const char *path; /* argv, borrowed */
    json_t *root;     /* owned */
    char host[48];    /* sanitized, shortened */
    char topo[48];    /* "1 pkg, 2 cores, 2 PUs" */
    char fp[16];      /* fingerprint, first 8 characters */
    char label[112];  /* "host fp", unique among the files */
    char tag[40];     /* short: host, or "host #N" when hosts repeat */
    int complete;
    size_t nruns;
    /* the probe's triad per working-set level (l2, llc, dram), valid
     * points only: cb_triad_levels_read */
    struct cb_triad_level lv[CB_TRIAD_MAX_LEVELS];
    int nlv, npoints; /* levels; points over all levels */
    double pus;       /* context.topology.pus (allowed PUs), NaN unknown */
    double cpu_limit; /* context.cgroup_cpu_limit, NaN when none */
};

/* What a run's rate is compared with (ceilings.tsv). */
enum rp_ceil { RP_CEIL_NONE, RP_CEIL_BANDWIDTH, RP_CEIL_LINEAR };

/* One configuration (run) of one file, flattened. Strings are borrowed
 * from the file's JSON tree and raw: sanitize before output. */
struct rp_run {
    int file;
    size_t idx; /* index in its file's runs */
    const char *kernel, *executor, *size, *schedule, *start, *pin;
    const char *runtime; /* "c" for files from before runtimes */
    int baseline;        /* the run its runtime's speedups divide by */
    const json_t *params;
    const json_t *warnings;
    int pgroup; /* params equivalence class among runs of the kernel */
    long workers, chunksize, switch_us, tasks; /* -1: null */
    long chunk_req; /* chunksize as asked: N, -2 auto, -1 executor default */
    double median, ci_lo, ci_hi;
    double sp, sp_lo, sp_hi, ef, ef_lo, ef_hi, kf, per_task;
    double startup, shutdown, lock_mean, lock_total, bytes_to, bytes_from;
    double gil_switches, gil_drops, gil_wait;
    int verified; /* 1 yes, 0 no, -1 unknown */
    int kid;      /* kernel id (by name, across files) */
    int rank;     /* executor rank: known order, then others */
    int color;    /* palette index */
    int sid;      /* plotted series id (speedup/efficiency) or -1 */
    int pt;       /* point type index */
    int at_max;   /* the largest worker count of its series */
    int bar;      /* breakdown bar index within the kernel, or -1 */
    int osid;     /* overhead series id or -1 */
    int gsid;     /* gil series id or -1 */
    int mbar;     /* machines: bar series index within the kernel or -1 */
    int mid;      /* machines: cluster (file) index within the kernel */
    double amdahl_f, amdahl_se;
    double serial_median, serial_per_task, threads_median;
    /* against the ceiling (ceilings.tsv) */
    double bytes_touched; /* per map; NaN null (compute), -1 unknown */
    enum rp_ceil ckind;
    double c_achieved;    /* bytes/s (bandwidth) or speedup (linear) */
    double c_ceiling;     /* triad bytes/s or the ideal speedup */
    double c_fraction;    /* c_achieved / c_ceiling */
    long c_threads;       /* triad thread count of the ceiling, -1 linear */
    double ws_bytes;      /* work.working_set_bytes per task, NaN unknown */
    char c_level[8];      /* triad level of the ceiling ("llc"), "" linear */
    char c_note[200];     /* why c_fraction > 1, "" when it is not */
    int cid;              /* ceilings figure series id (bandwidth) or -1 */
    char label[RP_LABEL];  /* series label including the machine */
    char blabel[RP_LABEL]; /* series label without the machine */
    char olabel[RP_LABEL]; /* overhead line: no chunksize, with machine */
    char glabel[RP_LABEL]; /* gil line: no switch interval, with machine */
};

struct rp_kernel {
    const char *name; /* raw, borrowed */
    char stem[72];    /* for file names: [A-Za-z0-9_-], unique */
    int s0, s1;       /* speedup series ids, s1 < s0 if none */
    int o0, o1, g0, g1;
    int nbars;        /* breakdown bars */
    int nparams;      /* distinct params objects among its runs */
    int nmbars, nmachines;
    int c0, c1;       /* ceilings figure series ids, c1 < c0 if none */
};

struct rp_fig {
    char png[96];
    char table[32];
    char what[160]; /* sanitized caption */
};

struct rp {
    struct rp_file *files;
    int nfiles;
    struct rp_run *runs;
    size_t nruns;
    struct rp_kernel *kernels;
    int nkernels;
    char outdir[RP_PATH];
    char **written; /* paths written, in order */
    int nwritten;
    struct rp_fig *figs;
    int nfigs;
    int have_overhead, have_gil, have_machines, have_ceilings, have_triad;
    size_t *oix, *gix; /* overhead / gil rows, in line order */
    size_t noix, ngix;
};

/* ---- strings ------------------------------------------------------------ */

/* Copies untrusted s into buf as one safe cell: control characters (C0,
 * DEL, C1), tabs, newlines and Unicode bidi/format controls become a
 * space, double quotes become single quotes, runs of spaces collapse, and
 * the result is cut at a character boundary to fit. Never empty: "-". */
static void rp_clean(const char *s, char *buf, size_t len)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t j = 0;
    if (len == 0)
        return;
    while (*p && j + 1 < len) {
        unsigned char c = *p;
        size_t n = 1;
        int space = 0;
        if (c < 0x20 || c == 0x7f) {
            space = 1;
        } else if (c == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            space = 1, n = 2; /* C1 controls, U+0080..U+009F */
        } else if (c == 0xe2 && p[1] == 0x80 &&
                   ((p[2] >= 0x8b && p[2] <= 0x8f) ||
                    (p[2] >= 0xaa && p[2] <= 0xae))) {
            space = 1, n = 3; /* zero-width, LRM/RLM, LRE..RLO */
        } else if (c == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 &&
                   p[2] <= 0xa9) {
            space = 1, n = 3; /* LRI..PDI */
        } else if (c >= 0xc0) {
            n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
            for (size_t k = 1; k < n; k++)
                if ((p[k] & 0xc0) != 0x80) {
                    n = 1, space = 1; /* not UTF-8: drop the byte */
                    break;
                }
        } else if (c >= 0x80) {
            space = 1; /* stray continuation byte */
        }
        if (space) {
            if (j > 0 && buf[j - 1] != ' ')
                buf[j++] = ' ';
        } else if (c == '"') {
            buf[j++] = '\'';
        } else if (c == ' ') {
            if (j > 0 && buf[j - 1] != ' ')
                buf[j++] = ' ';
        } else {
            if (j + n >= len)
                break; /* do not split a character */
            memcpy(buf + j, p, n);
            j += n;
        }
        p += n;
    }
    while (j > 0 && buf[j - 1] == ' ')
        j--;
    if (j == 0)
        buf[j++] = '-';
    buf[j] = '\0';
}

/* A file-name stem from an untrusted name: [A-Za-z0-9_-] only. */
static void rp_stem(const char *s, char *buf, size_t len)
{
    size_t j = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : "");
         *p && j + 1 < len; p++) {
        int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                 (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
        if (ok)
            buf[j++] = (char)*p;
        else if (j > 0 && buf[j - 1] != '_')
            buf[j++] = '_';
    }
    while (j > 0 && buf[j - 1] == '_')
        j--;
    if (j == 0)
        j = (size_t)snprintf(buf, len, "kernel");
    buf[j] = '\0';
}

/* Markdown-safe copy for index.md: cleaned, then markup characters
 * escaped so a name cannot add links, HTML or table cells. */
static void rp_md(FILE *f, const char *s)
{
    char buf[512];
    rp_clean(s, buf, sizeof buf);
    for (const char *p = buf; *p; p++) {
        if (strchr("\\`*_{}[]()<>#+!|~&", *p))
            fputc('\\', f);
        fputc(*p, f);
    }
}

/* One line on stderr: "corebench report: " + msg, cleaned as compare
 * cleans (cb_clean_text): messages quote file names, schema strings and
 * jansson's parse errors, which come from untrusted files. */
static void rp_say(const char *fmt, const char *msg)
{
    char line[480 * 4 + 8];
    cb_clean_text(msg, line, sizeof line, 480, 0);
    fprintf(stderr, fmt, line);
}

static int rp_streq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static int rp_strcmp(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int rp_lcmp(long a, long b)
{
    return (a > b) - (a < b);
}

static const char *rp_jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int rp_dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of the numbers in a JSON array, NaN if there are none. */
static double rp_median(const json_t *arr)
{
    size_t n = 0, i, len = json_array_size(arr);
    double *buf, m;
    const json_t *v;
    if (len == 0)
        return NAN;
    buf = malloc(len * sizeof *buf);
    if (!buf)
        return NAN;
    json_array_foreach(arr, i, v)
    {
        if (json_is_number(v))
            buf[n++] = json_number_value(v);
    }
    if (n == 0) {
        free(buf);
        return NAN;
    }
    qsort(buf, n, sizeof buf[0], rp_dcmp);
    m = n % 2 ? buf[n / 2] : 0.5 * (buf[n / 2 - 1] + buf[n / 2]);
    free(buf);
    return m;
}

/* ---- loading ------------------------------------------------------------ */

/* An optional integer member: -1 when null or absent, CB_EUSAGE when it
 * is something else or negative. */
static int rp_opt_long(const json_t *run, const char *key, long *out)
{
    const json_t *v = json_object_get(run, key);
    *out = -1;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > LONG_MAX / 2)
        return CB_EUSAGE;
    *out = (long)json_integer_value(v);
    return 0;
}

/* "chunksize" is what was asked (N, "auto" or null for the executor's
 * default) and names the series; "chunksize_used" is what ran, the x axis
 * of the overhead figure. Files without chunksize_used use chunksize. */
static int rp_chunksize(const json_t *run, struct rp_run *r)
{
    const json_t *v = json_object_get(run, "chunksize");
    if (json_is_string(v) && strcmp(json_string_value(v), "auto") == 0) {
        r->chunk_req = -2;
        r->chunksize = -1;
    } else {
        if (rp_opt_long(run, "chunksize", &r->chunk_req))
            return CB_EUSAGE;
        r->chunksize = r->chunk_req;
    }
    if (json_object_get(run, "chunksize_used") &&
        rp_opt_long(run, "chunksize_used", &r->chunksize))
        return CB_EUSAGE;
    return 0;
}

/* speedup / efficiency objects: {"value", "ci_lo", "ci_hi"} or null. */
static void rp_triple(const json_t *run, const char *key, double *v,
                      double *lo, double *hi)
{
    const json_t *o = json_object_get(run, key);
    *v = cb_json_get(o, "value");
    *lo = cb_json_get(o, "ci_lo");
    *hi = cb_json_get(o, "ci_hi");
}

/* Flattens one run. The keys the report cannot do without (kernel,
 * executor, workers, stats) are checked; everything else degrades to NaN
 * or null, as SCHEMA.md allows for undefined numbers. */
static int rp_load_run(const struct rp_file *f, int fi, size_t idx,
                       const json_t *run, struct rp_run *r,
                       struct cb_error *e)
{
    const json_t *st, *wd, *gil, *ipc, *w;
    const char *bad = NULL;
    size_t i;
    double sum = 0;
    int nlock = 0;

    memset(r, 0, sizeof *r);
    r->file = fi;
    r->idx = idx;
    if (!json_is_object(run))
        return CB_FAIL(e, CB_EUSAGE, "%s: runs[%zu] is not an object",
                       f->path, idx);
    r->kernel = rp_jstr(run, "kernel");
    r->executor = rp_jstr(run, "executor");
    st = json_object_get(run, "stats");
    w = json_object_get(run, "workers");
    if (!r->kernel)
        bad = "\"kernel\" is not a string";
    else if (!r->executor)
        bad = "\"executor\" is not a string";
    else if (!json_is_integer(w) || json_integer_value(w) < 1 ||
             json_integer_value(w) > CB_MAX_WORKERS)
        bad = "\"workers\" is not an integer in 1..1024";
    else if (!json_is_object(st))
        bad = "\"stats\" is not an object";
    else if (rp_chunksize(run, r))
        bad = "\"chunksize\" is not an integer, \"auto\" or null";
    else if (rp_opt_long(run, "switch_interval_us", &r->switch_us))
        bad = "\"switch_interval_us\" is not an integer or null";
    else if (rp_opt_long(run, "tasks", &r->tasks))
        bad = "\"tasks\" is not an integer";
    if (bad)
        return CB_FAIL(e, CB_EUSAGE, "%s: runs[%zu]: %s", f->path, idx, bad);

    r->workers = (long)json_integer_value(w);
    /* files from before runtimes: C, and the baseline is "serial" */
    r->runtime = rp_jstr(run, "runtime") ? rp_jstr(run, "runtime") : "c";
    w = json_object_get(run, "baseline");
    r->baseline = json_is_boolean(w) ? json_is_true(w)
                                     : strcmp(r->executor, "serial") == 0;
    r->size = rp_jstr(run, "size");
    r->schedule = rp_jstr(run, "schedule");
    r->start = rp_jstr(run, "start_method");
    r->pin = rp_jstr(run, "pin");
    r->params = json_object_get(run, "params");
    r->warnings = json_object_get(run, "warnings");
    r->median = cb_json_get(st, "median");
    r->ci_lo = cb_json_get(st, "ci_lo");
    r->ci_hi = cb_json_get(st, "ci_hi");
    rp_triple(run, "speedup", &r->sp, &r->sp_lo, &r->sp_hi);
    rp_triple(run, "efficiency", &r->ef, &r->ef_lo, &r->ef_hi);
    r->kf = cb_json_get(run, "karp_flatt");
    /* a serial fraction is in [0, 1]; files from before karp_flatt_reason
     * may hold anything else (slower than serial, superlinear): n/a */
    if (!(r->kf >= 0 && r->kf <= 1))
        r->kf = NAN;
    r->per_task = cb_json_get(run, "per_task_s");
    r->startup = rp_median(json_object_get(run, "startup"));
    r->shutdown = rp_median(json_object_get(run, "shutdown"));
    ipc = json_object_get(run, "ipc");
    r->bytes_to = cb_json_get(ipc, "bytes_to_workers");
    r->bytes_from = cb_json_get(ipc, "bytes_from_workers");
    gil = json_object_get(run, "gil");
    r->gil_switches = cb_json_get(gil, "switches");
    r->gil_drops = cb_json_get(gil, "drop_requests");
    r->gil_wait = cb_json_get(gil, "lock_wait_s");
    /* work.bytes_touched marks a memory-bound kernel, compared with the
     * bandwidth ceiling; null, a compute kernel, compared with linear
     * speedup. Without a work object (files from before it) or with a
     * value that is not a positive number (a damaged or hostile file) the
     * kind is unknown: -1, no ceiling at all rather than the wrong one. */
    w = json_object_get(run, "work");
    r->bytes_touched = -1;
    if (json_is_object(w)) {
        w = json_object_get(w, "bytes_touched");
        if (!w || json_is_null(w))
            r->bytes_touched = NAN;
        else if (json_is_number(w) && json_number_value(w) > 0 &&
                 isfinite(json_number_value(w)))
            r->bytes_touched = json_number_value(w);
    }
    /* what each task keeps live picks the level of the ceiling; absent
     * (files from before it) or not a positive number: unknown */
    r->ws_bytes = cb_json_get(json_object_get(run, "work"), "working_set_bytes");
    if (!(r->ws_bytes > 0) || !isfinite(r->ws_bytes))
        r->ws_bytes = NAN;

    /* Lock wait as wall time: the mean over workers of each worker's wait
     * (each waits while the others run), so it can be stacked against the
     * map time. The per-map gil total is the fallback. */
    wd = json_object_get(run, "workers_detail");
    json_array_foreach(wd, i, w)
    {
        double x = cb_json_get(w, "lock_wait_s");
        if (isfinite(x)) {
            sum += x;
            nlock++;
        }
    }
    if (nlock > 0) {
        r->lock_total = sum;
        r->lock_mean = sum / nlock;
    } else if (isfinite(r->gil_wait)) {
        r->lock_total = r->gil_wait;
        r->lock_mean = r->gil_wait / (double)r->workers;
    } else {
        r->lock_total = r->lock_mean = NAN;
    }
    w = json_object_get(run, "verified");
    r->verified = json_is_boolean(w) ? json_is_true(w) : -1;
    r->sid = r->bar = r->osid = r->gsid = r->mbar = r->mid = r->cid = -1;
    r->ckind = RP_CEIL_NONE;
    r->c_achieved = r->c_ceiling = r->c_fraction = NAN;
    r->c_threads = -1;
    r->amdahl_f = r->amdahl_se = NAN;
    r->serial_median = r->serial_per_task = r->threads_median = NAN;
    return 0;
}

/* The probe's triad levels a ceiling can come from (cb_triad_levels_read:
 * valid points only, the whole probe left out when it is null), and what
 * the linear ceiling needs: allowed PUs, cgroup limit. */
static int rp_load_probe(struct rp_file *f, struct cb_error *e)
{
    const json_t *ctx = json_object_get(f->root, "context");
    (void)e;
    f->pus = cb_json_get(json_object_get(ctx, "topology"), "pus");
    f->cpu_limit = cb_json_get(ctx, "cgroup_cpu_limit");
    if (!(f->pus >= 1) || !isfinite(f->pus))
        f->pus = NAN;
    if (!(f->cpu_limit > 0) || !isfinite(f->cpu_limit))
        f->cpu_limit = NAN;
    f->nlv = cb_triad_levels_read(json_object_get(f->root, "probe"), f->lv,
                                  CB_TRIAD_MAX_LEVELS);
    f->npoints = 0;
    for (int i = 0; i < f->nlv; i++)
        f->npoints += f->lv[i].npoints;
    return 0;
}

/* Loads every file before anything is written: a bad file is one line on
 * stderr and exit 2. */
static int rp_load(struct rp *r, char **paths, int n, struct cb_error *e)
{
    size_t total = 0, k = 0;
    r->files = calloc((size_t)n, sizeof *r->files);
    if (!r->files)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    r->nfiles = n;
    for (int i = 0; i < n; i++) {
        struct rp_file *f = &r->files[i];
        int rc;
        f->path = paths[i];
        rc = cb_results_load(paths[i], &f->root, e);
        if (!rc)
            rc = rp_load_probe(f, e);
        if (rc)
            return rc;
        f->nruns = json_array_size(json_object_get(f->root, "runs"));
        f->complete = json_is_true(json_object_get(f->root, "complete"));
        total += f->nruns;
    }
    r->runs = calloc(total ? total : 1, sizeof *r->runs);
    if (!r->runs)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        const json_t *runs = json_object_get(r->files[i].root, "runs");
        for (size_t j = 0; j < r->files[i].nruns; j++) {
            int rc = rp_load_run(&r->files[i], i, j,
                                 json_array_get(runs, j), &r->runs[k], e);
            if (rc)
                return rc;
            k++;
        }
    }
    r->nruns = k;
    return 0;
}

/* Machine labels: "host fingerprint", made unique with "#N". */
static void rp_label_files(struct rp *r)
{
    for (int i = 0; i < r->nfiles; i++) {
        struct rp_file *f = &r->files[i];
        const json_t *ctx = json_object_get(f->root, "context");
        const json_t *topo = json_object_get(ctx, "topology");
        const char *fp = rp_jstr(topo, "fingerprint");
        double pk = cb_json_get(topo, "packages");
        double co = cb_json_get(topo, "cores");
        double pu = cb_json_get(topo, "pus");
        char tmp[16];

        rp_clean(rp_jstr(json_object_get(ctx, "host"), "hostname"), f->host,
                 28);
        rp_clean(fp ? fp : "?", tmp, 9);
        snprintf(f->fp, sizeof f->fp, "%s", tmp);
        if (isfinite(pk) && isfinite(co) && isfinite(pu))
            snprintf(f->topo, sizeof f->topo, "%.0f pkg, %.0f cores, %.0f PUs",
                     pk, co, pu);
        else
            snprintf(f->topo, sizeof f->topo, "topology unknown");
        snprintf(f->label, sizeof f->label, "%s %s", f->host, f->fp);
        snprintf(f->tag, sizeof f->tag, "%.20s", f->host);
        for (int j = 0; j < r->nfiles; j++) {
            if (j != i && strncmp(r->files[j].host, f->host, 20) == 0) {
                snprintf(f->tag, sizeof f->tag, "%.20s #%d", f->host, i + 1);
                break;
            }
        }
        for (int j = 0; j < i; j++) {
            if (strcmp(r->files[j].label, f->label) == 0) {
                snprintf(f->label, sizeof f->label, "%s %s #%d", f->host,
                         f->fp, i + 1);
                break;
            }
        }
    }
}

/* ---- grouping ----------------------------------------------------------- */

static int rp_exec_rank(const char *name)
{
    for (int i = 0; i < RP_NKNOWN; i++)
        if (strcmp(name, rp_known_exec[i]) == 0)
            return i;
    return RP_NKNOWN;
}

/* Everything that tells a series apart, except workers and file. */
static int rp_cmp_variant(const struct rp_run *a, const struct rp_run *b,
                          int skip_cs, int skip_si)
{
    int c;
    if ((c = rp_strcmp(a->size, b->size)))
        return c;
    if (!skip_cs && (c = rp_lcmp(a->chunk_req, b->chunk_req)))
        return c;
    if ((c = rp_strcmp(a->schedule, b->schedule)))
        return c;
    if (!skip_si && (c = rp_lcmp(a->switch_us, b->switch_us)))
        return c;
    if ((c = rp_strcmp(a->start, b->start)))
        return c;
    if ((c = rp_strcmp(a->pin, b->pin)))
        return c;
    return rp_lcmp(a->pgroup, b->pgroup);
}

static int rp_cmp_exec(const struct rp_run *a, const struct rp_run *b)
{
    int c;
    if ((c = rp_lcmp(a->kid, b->kid)))
        return c;
    if ((c = rp_lcmp(a->rank, b->rank)))
        return c;
    return strcmp(a->executor, b->executor);
}

/* Main order: kernel, executor, variant, file, workers. Series, executor
 * groups and kernels are then contiguous, and so are the runs of one
 * series on one file (for the machines figure). */
static int rp_cmp_main(const void *pa, const void *pb)
{
    const struct rp_run *a = pa, *b = pb;
    int c;
    if ((c = rp_cmp_exec(a, b)) || (c = rp_cmp_variant(a, b, 0, 0)) ||
        (c = rp_lcmp(a->file, b->file)) || (c = rp_lcmp(a->workers, b->workers)))
        return c;
    return rp_lcmp((long)a->idx, (long)b->idx);
}

static int rp_same_series(const struct rp_run *a, const struct rp_run *b)
{
    return rp_cmp_exec(a, b) == 0 && rp_cmp_variant(a, b, 0, 0) == 0 &&
           a->file == b->file;
}

/* Assigns kernel ids in order of first appearance, and params groups:
 * runs of one kernel with equal params objects share a group. */
static int rp_kernels(struct rp *r, struct cb_error *e)
{
    r->kernels = calloc(r->nruns ? r->nruns : 1, sizeof *r->kernels);
    if (!r->kernels)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->nruns; i++) {
        struct rp_run *u = &r->runs[i];
        int k;
        for (k = 0; k < r->nkernels; k++)
            if (strcmp(r->kernels[k].name, u->kernel) == 0)
                break;
        if (k == r->nkernels) {
            struct rp_kernel *kn = &r->kernels[k];
            char stem[64];
            kn->name = u->kernel;
            rp_stem(u->kernel, stem, sizeof stem);
            snprintf(kn->stem, sizeof kn->stem, "%s", stem);
            /* "a b" and "a/b" both become "a_b": number the later one */
            for (int n = 2, j = 0; j < k; j++) {
                if (strcmp(r->kernels[j].stem, kn->stem) == 0) {
                    snprintf(kn->stem, sizeof kn->stem, "%.60s-%d", stem, n++);
                    j = -1;
                }
            }
            kn->s1 = kn->o1 = kn->g1 = kn->c1 = -1;
            kn->s0 = kn->o0 = kn->g0 = kn->c0 = 0;
            r->nkernels++;
        }
        u->kid = k;
        u->rank = rp_exec_rank(u->executor);
        u->pgroup = -1;
        for (size_t j = 0; j < i; j++) {
            const struct rp_run *v = &r->runs[j];
            if (v->kid == k && (v->params == u->params ||
                                (v->params && u->params &&
                                 json_equal((json_t *)v->params,
                                            (json_t *)u->params)))) {
                u->pgroup = v->pgroup;
                break;
            }
        }
        if (u->pgroup < 0)
            u->pgroup = ++r->kernels[k].nparams;
    }
    return 0;
}

/* Appends " name=value" for the attributes that vary within the group of
 * runs [g0, g1) (one kernel and executor across all files). */
static void rp_make_label(const struct rp *r, size_t g0, size_t g1,
                          const struct rp_run *u, int with_cs, int with_si,
                          char *buf, size_t len)
{
    int v_size = 0, v_cs = 0, v_sched = 0, v_si = 0, v_start = 0, v_pin = 0,
        v_par = 0;
    char tmp[64];
    size_t n;
    for (size_t i = g0 + 1; i < g1; i++) {
        const struct rp_run *a = &r->runs[g0], *b = &r->runs[i];
        v_size |= !rp_streq(a->size, b->size);
        v_cs |= a->chunk_req != b->chunk_req;
        v_sched |= !rp_streq(a->schedule, b->schedule);
        v_si |= a->switch_us != b->switch_us;
        v_start |= !rp_streq(a->start, b->start);
        v_pin |= !rp_streq(a->pin, b->pin);
        v_par |= a->pgroup != b->pgroup;
    }
    rp_clean(u->executor, buf, 40);
    n = strlen(buf);
#define RP_ADD(...) (n += (size_t)snprintf(buf + n, len > n ? len - n : 0, \
                                            __VA_ARGS__), n = n < len ? n : len - 1)
    if (v_size) {
        rp_clean(u->size ? u->size : "?", tmp, 24);
        RP_ADD(" %s", tmp);
    }
    if (v_cs && with_cs) {
        if (u->chunk_req == -2)
            RP_ADD(" cs=auto");
        else if (u->chunk_req < 0)
            RP_ADD(" cs=default");
        else
            RP_ADD(" cs=%ld", u->chunk_req);
    }
    if (v_sched) {
        rp_clean(u->schedule ? u->schedule : "-", tmp, 24);
        RP_ADD(" %s", tmp);
    }
    if (v_si && with_si) {
        if (u->switch_us < 0)
            RP_ADD(" si=-");
        else
            RP_ADD(" si=%ldus", u->switch_us);
    }
    if (v_start) {
        rp_clean(u->start ? u->start : "-", tmp, 16);
        RP_ADD(" %s", tmp);
    }
    if (v_pin) {
        rp_clean(u->pin ? u->pin : "-", tmp, 24);
        RP_ADD(" pin=%s", tmp);
    }
    if (v_par)
        RP_ADD(" params#%d", u->pgroup);
#undef RP_ADD
}

static int rp_has(const struct rp_run *u)
{
    return isfinite(u->sp);
}

/* The run of executor `exec` (NULL: u's baseline, the serial run of u's
 * runtime) of the same kernel, size, params and file. */
static const struct rp_run *rp_find(const struct rp *r, const struct rp_run *u,
                                    const char *exec, long workers)
{
    for (size_t i = 0; i < r->nruns; i++) {
        const struct rp_run *v = &r->runs[i];
        if (v->file == u->file && v->kid == u->kid &&
            v->pgroup == u->pgroup && rp_streq(v->size, u->size) &&
            (exec ? strcmp(v->executor, exec) == 0
                  : v->baseline && strcmp(v->runtime, u->runtime) == 0) &&
            (workers < 0 || v->workers == workers))
            return v;
    }
    return NULL;
}

/* Attaches a fit to a series when it names it unambiguously: one series of
 * that kernel, size and executor in that file (a fit over several chunk
 * sizes or intervals cannot be drawn against one of them). */
static void rp_fits(struct rp *r, size_t s0, size_t s1)
{
    const struct rp_run *u = &r->runs[s0];
    const json_t *fits = json_object_get(r->files[u->file].root, "fits");
    const json_t *fit;
    size_t i, count = 0;
    for (i = 0; i < r->nruns; i++) {
        const struct rp_run *v = &r->runs[i];
        if (v->file == u->file && v->kid == u->kid &&
            rp_streq(v->size, u->size) &&
            strcmp(v->executor, u->executor) == 0 &&
            (i == 0 || !rp_same_series(v, &r->runs[i - 1])))
            count++;
    }
    if (count != 1)
        return;
    json_array_foreach(fits, i, fit)
    {
        const char *k = rp_jstr(fit, "kernel"), *x = rp_jstr(fit, "executor");
        const char *sz = rp_jstr(fit, "size");
        double f = cb_json_get(fit, "serial_fraction");
        if (k && x && strcmp(k, u->kernel) == 0 &&
            strcmp(x, u->executor) == 0 && rp_streq(sz, u->size) &&
            f >= 0 && f <= 1) { /* outside [0, 1]: no fraction, no curve */
            for (size_t j = s0; j < s1; j++) {
                r->runs[j].amdahl_f = f;
                r->runs[j].amdahl_se = cb_json_get(fit, "stderr");
            }
            return;
        }
    }
}

/* "label @ machine" when several files are compared. */
static void rp_with_machine(const struct rp *r, const struct rp_run *u,
                            const char *lbl, char out[RP_LABEL])
{
    if (r->nfiles > 1)
        snprintf(out, RP_LABEL, "%.100s @ %.39s", lbl, r->files[u->file].tag);
    else
        snprintf(out, RP_LABEL, "%s", lbl);
}

/* Index array sorted with a comparator that needs the report. */
static const struct rp *rp_sort_ctx;
static int rp_sort_mode; /* 0: overhead (no chunksize), 1: gil (no si) */

static int rp_cmp_sub(const void *pa, const void *pb)
{
    const struct rp_run *a = &rp_sort_ctx->runs[*(const size_t *)pa];
    const struct rp_run *b = &rp_sort_ctx->runs[*(const size_t *)pb];
    int c;
    if ((c = rp_cmp_exec(a, b)) ||
        (c = rp_cmp_variant(a, b, rp_sort_mode == 0, rp_sort_mode == 1)) ||
        (c = rp_lcmp(a->file, b->file)) || (c = rp_lcmp(a->workers, b->workers)))
        return c;
    return rp_sort_mode == 0 ? rp_lcmp(a->chunksize, b->chunksize)
                             : rp_lcmp(a->switch_us, b->switch_us);
}

/* Groups runs that differ only in chunksize (mode 0) or switch interval
 * (mode 1) and numbers the groups with at least two distinct values: those
 * are the lines of the overhead and gil figures. */
static int rp_subseries(struct rp *r, int mode, struct cb_error *e)
{
    size_t *ix = malloc((r->nruns ? r->nruns : 1) * sizeof *ix), n = 0;
    int next = 0;
    if (!ix)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->nruns; i++) {
        const struct rp_run *u = &r->runs[i];
        if (mode == 0 ? u->chunksize >= 0 && isfinite(u->per_task)
                      : u->switch_us >= 0 && isfinite(u->median))
            ix[n++] = i;
    }
    if (n && mode == 0)
        r->have_overhead = 1;
    if (n && mode == 1)
        r->have_gil = 1;
    rp_sort_ctx = r;
    rp_sort_mode = mode;
    qsort(ix, n, sizeof *ix, rp_cmp_sub);
    for (size_t a = 0, b; a < n; a = b) {
        const struct rp_run *u = &r->runs[ix[a]];
        int distinct = 1;
        for (b = a + 1; b < n; b++) {
            const struct rp_run *v = &r->runs[ix[b]], *p = &r->runs[ix[b - 1]];
            if (rp_cmp_exec(u, v) || rp_cmp_variant(u, v, mode == 0, mode == 1) ||
                u->file != v->file || u->workers != v->workers)
                break;
            if (mode == 0 ? v->chunksize != p->chunksize
                          : v->switch_us != p->switch_us)
                distinct++;
        }
        if (distinct < 2)
            continue;
        {
            struct rp_kernel *k = &r->kernels[u->kid];
            int *lo = mode == 0 ? &k->o0 : &k->g0;
            int *hi = mode == 0 ? &k->o1 : &k->g1;
            if (*hi < *lo)
                *lo = next;
            *hi = next;
        }
        for (size_t j = a; j < b; j++) {
            struct rp_run *v = &r->runs[ix[j]];
            if (mode == 0)
                v->osid = next;
            else
                v->gsid = next;
        }
        next++;
    }
    /* the tables list these rows in this order, so that a line's points
     * are consecutive rows (gnuplot breaks a line at a filtered row) */
    if (mode == 0)
        r->oix = ix, r->noix = n;
    else
        r->gix = ix, r->ngix = n;
    return 0;
}

/* Ideal speedup on `workers` workers: linear, up to the CPUs the run could
 * use (allowed PUs, and a cgroup CPU limit where one is set: 8 workers
 * under a 2-CPU quota cannot beat 2), relative to the serial run, which
 * itself had min(1, CPUs). Plain `workers` when neither is known. */
static double rp_ideal(const struct rp_file *f, long workers)
{
    double cpus = INFINITY, w = (double)workers;
    if (isfinite(f->pus))
        cpus = f->pus;
    if (isfinite(f->cpu_limit) && f->cpu_limit < cpus)
        cpus = f->cpu_limit;
    return (w < cpus ? w : cpus) / (cpus < 1 ? cpus : 1);
}

/* Each run against its ceiling: memory kernels (bytes_touched) against
 * the STREAM triad of their file's probe at the level their working set
 * fits (cb_ceiling_pick: l2, llc or dram; the triad point at the largest
 * thread count <= workers; no row when no point has so few threads),
 * compute kernels' parallel runs against linear speedup. A fraction above
 * 1 always carries its reason (c_note). Runs are sorted, so a series' rows
 * are consecutive and get one figure series id. */
static void rp_ceilings(struct rp *r)
{
    const struct rp_run *prev = NULL;
    int cid = 0;
    for (size_t i = 0; i < r->nruns; i++) {
        struct rp_run *u = &r->runs[i];
        const struct rp_file *f = &r->files[u->file];
        if (!(u->median > 0) || !isfinite(u->median))
            continue;
        if (u->bytes_touched > 0) {
            struct cb_ceiling c;
            struct rp_kernel *k = &r->kernels[u->kid];
            if (cb_ceiling_pick(f->lv, f->nlv, u->ws_bytes, u->workers, &c))
                continue;
            u->ckind = RP_CEIL_BANDWIDTH;
            u->c_achieved = u->bytes_touched / u->median;
            u->c_ceiling = c.bytes_per_s;
            u->c_threads = c.threads;
            snprintf(u->c_level, sizeof u->c_level, "%s", f->lv[c.level].name);
            cb_ceiling_explain(f->lv, f->nlv, &c, u->c_achieved / u->c_ceiling,
                               u->c_note, sizeof u->c_note);
            if (!prev || !rp_same_series(prev, u))
                u->cid = cid++;
            else
                u->cid = prev->cid;
            if (k->c1 < k->c0)
                k->c0 = u->cid;
            k->c1 = u->cid;
            prev = u;
        } else if (isnan(u->bytes_touched) && rp_has(u) && !u->baseline) {
            /* the serial run is the reference: speedup 1 by definition */
            u->ckind = RP_CEIL_LINEAR;
            u->c_achieved = u->sp;
            u->c_ceiling = rp_ideal(f, u->workers);
            if (u->c_achieved > u->c_ceiling) {
                /* the ideal is below the worker count only for a CPU
                 * limit or fewer PUs than workers */
                if (u->c_ceiling < (double)u->workers &&
                    isfinite(f->cpu_limit) &&
                    !(isfinite(f->pus) && f->pus <= f->cpu_limit))
                    snprintf(u->c_note, sizeof u->c_note,
                             "above linear: beyond the cgroup limit of %.3g "
                             "CPUs (a quota is an average over its period)",
                             f->cpu_limit);
                else
                    snprintf(u->c_note, sizeof u->c_note,
                             "above linear: superlinear (each worker's share "
                             "fits the caches better) or a slow serial run");
            }
        } else {
            continue;
        }
        u->c_fraction = u->c_achieved / u->c_ceiling;
        r->have_ceilings = 1;
    }
    for (int i = 0; i < r->nfiles; i++)
        r->have_triad |= r->files[i].npoints > 0;
}

/* Derives every plotting id. Runs are sorted by rp_cmp_main first. */
static int rp_derive(struct rp *r, struct cb_error *e)
{
    int rc, sid = 0, extra = 0;
    rc = rp_kernels(r, e);
    if (rc)
        return rc;
    rp_label_files(r);
    qsort(r->runs, r->nruns, sizeof *r->runs, rp_cmp_main);

    /* executor groups [g0, g1) -> colours; series [s0, s1) inside */
    for (size_t g0 = 0, g1; g0 < r->nruns; g0 = g1) {
        struct rp_run *gu = &r->runs[g0];
        int color, variant = 0;
        for (g1 = g0 + 1; g1 < r->nruns && !rp_cmp_exec(gu, &r->runs[g1]); g1++)
            ;
        /* known executors keep their colour in every report; others take
         * the next free ones (one group per name: runs are sorted) */
        color = gu->rank < RP_NKNOWN ? gu->rank : RP_NKNOWN + extra++;
        for (size_t s0 = g0, s1; s0 < g1; s0 = s1) {
            struct rp_run *su = &r->runs[s0];
            char lbl[RP_LABEL], olbl[RP_LABEL], glbl[RP_LABEL];
            int plotted = 0;
            for (s1 = s0 + 1; s1 < g1 && rp_same_series(su, &r->runs[s1]); s1++)
                ;
            rp_make_label(r, g0, g1, su, 1, 1, lbl, sizeof lbl);
            rp_make_label(r, g0, g1, su, 0, 1, olbl, sizeof olbl);
            rp_make_label(r, g0, g1, su, 1, 0, glbl, sizeof glbl);
            for (size_t j = s0; j < s1; j++)
                plotted |= rp_has(&r->runs[j]);
            plotted &= !su->baseline;
            rp_fits(r, s0, s1);
            for (size_t j = s0; j < s1; j++) {
                struct rp_run *v = &r->runs[j];
                const struct rp_run *ser = rp_find(r, v, NULL, -1);
                const struct rp_run *thr = rp_find(r, v, "threads", v->workers);
                v->color = color % RP_NCOLORS;
                v->pt = variant % RP_NPOINTS;
                v->at_max = j + 1 == s1; /* sorted by workers */
                v->sid = plotted ? sid : -1;
                snprintf(v->blabel, sizeof v->blabel, "%s", lbl);
                rp_with_machine(r, v, lbl, v->label);
                rp_with_machine(r, v, olbl, v->olabel);
                rp_with_machine(r, v, glbl, v->glabel);
                if (ser) {
                    v->serial_median = ser->median;
                    if (ser->tasks > 0)
                        v->serial_per_task = ser->median / (double)ser->tasks;
                }
                if (thr)
                    v->threads_median = thr->median;
            }
            if (plotted) {
                struct rp_kernel *k = &r->kernels[su->kid];
                if (k->s1 < k->s0)
                    k->s0 = sid;
                k->s1 = sid++;
            }
            variant++;
        }
    }

    /* breakdown bars: each series at its largest worker count */
    for (size_t i = 0; i < r->nruns; i++) {
        struct rp_run *u = &r->runs[i];
        if (u->at_max && isfinite(u->median))
            u->bar = r->kernels[u->kid].nbars++;
    }

    /* machines: bar series = series without the file; one bar per file */
    if (r->nfiles > 1) {
        for (int k = 0; k < r->nkernels; k++) {
            int seen[64] = {0}; /* file -> cluster + 1 */
            int nm = 0, nb = 0;
            for (size_t a = 0, b; a < r->nruns; a = b) {
                struct rp_run *u = &r->runs[a];
                int any = 0;
                for (b = a + 1; b < r->nruns && !rp_cmp_exec(u, &r->runs[b]) &&
                                !rp_cmp_variant(u, &r->runs[b], 0, 0);
                     b++)
                    ;
                if (u->kid != k || u->baseline)
                    continue;
                for (size_t j = a; j < b; j++) {
                    struct rp_run *v = &r->runs[j];
                    /* past 64 machines a bar chart is unreadable anyway */
                    if (!v->at_max || !rp_has(v) || v->file >= 64)
                        continue;
                    if (!seen[v->file])
                        seen[v->file] = ++nm;
                    v->mbar = nb;
                    any = 1;
                }
                nb += any;
            }
            /* clusters in file order, not first-appearance order */
            nm = 0;
            for (int fi = 0; fi < 64; fi++)
                if (seen[fi])
                    seen[fi] = ++nm;
            for (size_t j = 0; j < r->nruns; j++) {
                struct rp_run *v = &r->runs[j];
                if (v->kid == k && v->mbar >= 0)
                    v->mid = seen[v->file] - 1;
            }
            r->kernels[k].nmbars = nb;
            r->kernels[k].nmachines = nm;
            if (nm > 1)
                r->have_machines = 1;
        }
    }
    rp_ceilings(r);
    rc = rp_subseries(r, 0, e);
    if (!rc)
        rc = rp_subseries(r, 1, e);
    return rc;
}

/* ---- output files ------------------------------------------------------- */

struct rp_out {
    FILE *f;
    char tmp[RP_PATH + 64];
    char path[RP_PATH + 64];
};

static int rp_remember(struct rp *r, const char *path, struct cb_error *e)
{
    char **w = realloc(r->written, (size_t)(r->nwritten + 1) * sizeof *w);
    if (!w)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    r->written = w;
    w[r->nwritten] = strdup(path);
    if (!w[r->nwritten])
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    r->nwritten++;
    return 0;
}

/* A temporary file in the output directory; the final name appears only
 * on rp_commit, whole. */
static int rp_open(const struct rp *r, struct rp_out *o, const char *name,
                   struct cb_error *e)
{
    int fd;
    snprintf(o->path, sizeof o->path, "%s/%s", r->outdir, name);
    snprintf(o->tmp, sizeof o->tmp, "%s/.%s.XXXXXX", r->outdir, name);
    fd = mkstemp(o->tmp);
    if (fd < 0)
        return CB_FAIL(e, CB_ESYS, "%s: cannot create a temporary file: %s",
                       r->outdir, strerror(errno));
    o->f = fdopen(fd, "w");
    if (!o->f) {
        close(fd);
        unlink(o->tmp);
        return CB_FAIL(e, CB_ESYS, "%s: %s", o->tmp, strerror(errno));
    }
    return 0;
}

static int rp_commit(struct rp *r, struct rp_out *o, struct cb_error *e)
{
    int bad = ferror(o->f) != 0;
    if (fflush(o->f) != 0 || fsync(fileno(o->f)) != 0)
        bad = 1;
    if (fclose(o->f) != 0)
        bad = 1;
    o->f = NULL;
    if (bad || chmod(o->tmp, 0644) != 0 || rename(o->tmp, o->path) != 0) {
        int err = errno;
        unlink(o->tmp);
        return CB_FAIL(e, CB_ESYS, "%s: write failed: %s", o->path,
                       strerror(err));
    }
    return rp_remember(r, o->path, e);
}

/* TSV cells: numbers as %.6g (ratios) or %.9g (seconds), "NaN" for
 * undefined so that gnuplot, awk and pandas all read it as missing. */
static void rp_num(FILE *f, double x, int seconds)
{
    if (!isfinite(x))
        fputs("\tNaN", f);
    else
        fprintf(f, seconds ? "\t%.9g" : "\t%.6g", x);
}

static void rp_long(FILE *f, long x)
{
    if (x < 0)
        fputs("\tNaN", f);
    else
        fprintf(f, "\t%ld", x);
}

static void rp_str(FILE *f, const char *s, size_t max, int first)
{
    char buf[RP_LABEL + 16];
    rp_clean(s, buf, max < sizeof buf ? max : sizeof buf);
    fprintf(f, first ? "%s" : "\t%s", buf);
}

static int rp_write_speedup(struct rp *r, struct cb_error *e)
{
    struct rp_out o;
    int rc = rp_open(r, &o, "speedup.tsv", e);
    if (rc)
        return rc;
    fputs("kernel\texecutor\tworkers\tspeedup\tci_lo\tci_hi\tefficiency"
          "\teff_lo\teff_hi\tmedian_s\tkarp_flatt\tseries\tsize\tchunksize"
          "\tswitch_interval_us\tpin\tmachine\tamdahl_f\tamdahl_stderr"
          "\tverified\tkid\tsid\tcolor\tpt\n",
          o.f);
    for (size_t i = 0; i < r->nruns; i++) {
        const struct rp_run *u = &r->runs[i];
        rp_str(o.f, u->kernel, 96, 1);
        rp_str(o.f, u->executor, 64, 0);
        fprintf(o.f, "\t%ld", u->workers);
        rp_num(o.f, u->sp, 0);
        rp_num(o.f, u->sp_lo, 0);
        rp_num(o.f, u->sp_hi, 0);
        rp_num(o.f, u->ef, 0);
        rp_num(o.f, u->ef_lo, 0);
        rp_num(o.f, u->ef_hi, 0);
        rp_num(o.f, u->median, 1);
        rp_num(o.f, u->kf, 0);
        rp_str(o.f, u->label, RP_LABEL, 0);
        rp_str(o.f, u->size, 64, 0);
        rp_long(o.f, u->chunksize);
        rp_long(o.f, u->switch_us);
        rp_str(o.f, u->pin, 64, 0);
        rp_str(o.f, r->files[u->file].label, 112, 0);
        rp_num(o.f, u->amdahl_f, 0);
        rp_num(o.f, u->amdahl_se, 0);
        fprintf(o.f, "\t%s\t%d\t%d\t%s\t%d\n",
                u->verified < 0 ? "NaN" : u->verified ? "1" : "0", u->kid,
                u->sid, rp_palette[u->color], rp_points[u->pt]);
    }
    return rp_commit(r, &o, e);
}

static int rp_write_breakdown(struct rp *r, struct cb_error *e)
{
    struct rp_out o;
    int rc = rp_open(r, &o, "breakdown.tsv", e);
    if (rc)
        return rc;
    /* compute_s is the median map time; lock_wait_s (mean per worker) is
     * part of it, which the figure shows as a separate segment. Shipping
     * is given in bytes: no trustworthy time estimate exists for it. */
    fputs("kernel\texecutor\tworkers\tstartup_s\tcompute_s\tlock_wait_s"
          "\tshutdown_s\tbytes_to_workers\tbytes_from_workers"
          "\tlock_wait_total_s\tseries\tmachine\tat_max\tkid\tbar\tcolor\n",
          o.f);
    for (size_t i = 0; i < r->nruns; i++) {
        const struct rp_run *u = &r->runs[i];
        rp_str(o.f, u->kernel, 96, 1);
        rp_str(o.f, u->executor, 64, 0);
        fprintf(o.f, "\t%ld", u->workers);
        rp_num(o.f, u->startup, 1);
        rp_num(o.f, u->median, 1);
        rp_num(o.f, u->lock_mean, 1);
        rp_num(o.f, u->shutdown, 1);
        rp_num(o.f, u->bytes_to, 0);
        rp_num(o.f, u->bytes_from, 0);
        rp_num(o.f, u->lock_total, 1);
        rp_str(o.f, u->label, RP_LABEL, 0);
        rp_str(o.f, r->files[u->file].label, 112, 0);
        fprintf(o.f, "\t%d\t%d\t%d\t%s\n", u->at_max, u->kid, u->bar,
                rp_palette[u->color]);
    }
    return rp_commit(r, &o, e);
}

static int rp_write_overhead(struct rp *r, struct cb_error *e)
{
    struct rp_out o;
    int rc;
    if (!r->have_overhead)
        return 0;
    rc = rp_open(r, &o, "overhead.tsv", e);
    if (rc)
        return rc;
    fputs("kernel\texecutor\tworkers\tchunksize\tper_task_s\tmedian_s\ttasks"
          "\tserial_per_task_s\tseries\tmachine\tkid\tosid\tcolor\n",
          o.f);
    for (size_t i = 0; i < r->noix; i++) {
        const struct rp_run *u = &r->runs[r->oix[i]];
        char lbl[RP_LABEL + 16];
        rp_str(o.f, u->kernel, 96, 1);
        rp_str(o.f, u->executor, 64, 0);
        fprintf(o.f, "\t%ld\t%ld", u->workers, u->chunksize);
        rp_num(o.f, u->per_task, 1);
        rp_num(o.f, u->median, 1);
        rp_long(o.f, u->tasks);
        rp_num(o.f, u->serial_per_task, 1);
        /* one line covers every chunksize */
        snprintf(lbl, sizeof lbl, "%s, %ld worker%s", u->olabel, u->workers,
                 u->workers == 1 ? "" : "s");
        rp_str(o.f, lbl, sizeof lbl, 0);
        rp_str(o.f, r->files[u->file].label, 112, 0);
        fprintf(o.f, "\t%d\t%d\t%s\n", u->kid, u->osid,
                rp_palette[u->color]);
    }
    return rp_commit(r, &o, e);
}

static int rp_write_gil(struct rp *r, struct cb_error *e)
{
    struct rp_out o;
    int rc;
    if (!r->have_gil)
        return 0;
    rc = rp_open(r, &o, "gil.tsv", e);
    if (rc)
        return rc;
    fputs("kernel\texecutor\tworkers\tswitch_interval_us\tmedian_s\tci_lo_s"
          "\tci_hi_s\tspeedup\tspeedup_lo\tspeedup_hi\tswitches"
          "\tdrop_requests\tlock_wait_total_s\tserial_median_s\tthreads_median_s"
          "\tseries\tmachine\tkid\tgsid\n",
          o.f);
    for (size_t i = 0; i < r->ngix; i++) {
        const struct rp_run *u = &r->runs[r->gix[i]];
        char lbl[RP_LABEL + 16];
        rp_str(o.f, u->kernel, 96, 1);
        rp_str(o.f, u->executor, 64, 0);
        fprintf(o.f, "\t%ld\t%ld", u->workers, u->switch_us);
        rp_num(o.f, u->median, 1);
        rp_num(o.f, u->ci_lo, 1);
        rp_num(o.f, u->ci_hi, 1);
        rp_num(o.f, u->sp, 0);
        rp_num(o.f, u->sp_lo, 0);
        rp_num(o.f, u->sp_hi, 0);
        rp_num(o.f, u->gil_switches, 0);
        rp_num(o.f, u->gil_drops, 0);
        rp_num(o.f, u->lock_total, 1);
        rp_num(o.f, u->serial_median, 1);
        rp_num(o.f, u->threads_median, 1);
        /* one line covers every switch interval */
        snprintf(lbl, sizeof lbl, "%s, %ld worker%s", u->glabel, u->workers,
                 u->workers == 1 ? "" : "s");
        rp_str(o.f, lbl, sizeof lbl, 0);
        rp_str(o.f, r->files[u->file].label, 112, 0);
        fprintf(o.f, "\t%d\t%d\n", u->kid, u->gsid);
    }
    return rp_commit(r, &o, e);
}

static int rp_write_machines(struct rp *r, struct cb_error *e)
{
    struct rp_out o;
    int rc;
    if (r->nfiles < 2)
        return 0;
    rc = rp_open(r, &o, "machines.tsv", e);
    if (rc)
        return rc;
    fputs("kernel\tmachine\ttopology\texecutor\tworkers\tspeedup\tci_lo"
          "\tci_hi\tefficiency\tseries\thost\tfingerprint\tfile\tkid\tmid"
          "\tbar\tcolor\n",
          o.f);
    for (size_t i = 0; i < r->nruns; i++) {
        const struct rp_run *u = &r->runs[i];
        const struct rp_file *f = &r->files[u->file];
        if (u->mbar < 0)
            continue;
        rp_str(o.f, u->kernel, 96, 1);
        rp_str(o.f, f->label, 112, 0);
        rp_str(o.f, f->topo, 48, 0);
        rp_str(o.f, u->executor, 64, 0);
        fprintf(o.f, "\t%ld", u->workers);
        rp_num(o.f, u->sp, 0);
        rp_num(o.f, u->sp_lo, 0);
        rp_num(o.f, u->sp_hi, 0);
        rp_num(o.f, u->ef, 0);
        rp_str(o.f, u->blabel, RP_LABEL, 0);
        rp_str(o.f, f->host, 48, 0);
        rp_str(o.f, f->fp, 16, 0);
        rp_str(o.f, f->path, 160, 0);
        fprintf(o.f, "\t%d\t%d\t%d\t%s\n", u->kid, u->mid, u->mbar,
                rp_palette[u->color]);
    }
    return rp_commit(r, &o, e);
}

/* Rows only for runs with a ceiling. `achieved` and `ceiling` are bytes/s
 * for kind "bandwidth" and speedups for kind "linear"; fraction is their
 * ratio and is not clamped, but never above 1 without its reason in
 * `note`. `level` is the triad level of a bandwidth ceiling (l2, llc,
 * dram: the one the kernel's working set fits). */
static int rp_write_ceilings(struct rp *r, struct cb_error *e)
{
    struct rp_out o;
    int rc;
    if (!r->have_ceilings)
        return 0;
    rc = rp_open(r, &o, "ceilings.tsv", e);
    if (rc)
        return rc;
    fputs("kernel\texecutor\tworkers\tmedian_s\tachieved\tceiling\tfraction"
          "\tkind\ttriad_threads\tbytes_touched\tseries\tmachine\tkid\tcid"
          "\tfid\tcolor\tpt\tlevel\tnote\n",
          o.f);
    for (size_t i = 0; i < r->nruns; i++) {
        const struct rp_run *u = &r->runs[i];
        if (u->ckind == RP_CEIL_NONE)
            continue;
        rp_str(o.f, u->kernel, 96, 1);
        rp_str(o.f, u->executor, 64, 0);
        fprintf(o.f, "\t%ld", u->workers);
        rp_num(o.f, u->median, 1);
        rp_num(o.f, u->c_achieved, 0);
        rp_num(o.f, u->c_ceiling, 0);
        rp_num(o.f, u->c_fraction, 0);
        fputs(u->ckind == RP_CEIL_BANDWIDTH ? "\tbandwidth" : "\tlinear", o.f);
        rp_long(o.f, u->c_threads);
        rp_num(o.f, u->ckind == RP_CEIL_BANDWIDTH ? u->bytes_touched : NAN, 0);
        rp_str(o.f, u->label, RP_LABEL, 0);
        rp_str(o.f, r->files[u->file].label, 112, 0);
        fprintf(o.f, "\t%d\t%d\t%d\t%s\t%d", u->kid, u->cid, u->file,
                rp_palette[u->color], rp_points[u->pt]);
        rp_str(o.f, u->c_level[0] ? u->c_level : "-", sizeof u->c_level, 0);
        rp_str(o.f, u->c_note[0] ? u->c_note : "-", sizeof u->c_note, 0);
        fputc('\n', o.f);
    }
    return rp_commit(r, &o, e);
}

/* The probe's triad points of every file and level, the reference curves
 * of the ceilings figures (fid: the file, as in ceilings.tsv; lid: the
 * level's index in its file, fastest first). */
static int rp_write_triad(struct rp *r, struct cb_error *e)
{
    struct rp_out o;
    int rc;
    if (!r->have_triad)
        return 0;
    rc = rp_open(r, &o, "triad.tsv", e);
    if (rc)
        return rc;
    fputs("machine\tthreads\tbytes_per_s\tfid\tfile\tlevel\tlid\n", o.f);
    for (int fi = 0; fi < r->nfiles; fi++) {
        const struct rp_file *f = &r->files[fi];
        for (int l = 0; l < f->nlv; l++) {
            const struct cb_triad_level *lv = &f->lv[l];
            for (int i = 0; i < lv->npoints; i++) {
                rp_str(o.f, f->label, 112, 1);
                fprintf(o.f, "\t%ld", lv->pt[i].threads);
                rp_num(o.f, lv->pt[i].bytes_per_s, 0);
                fprintf(o.f, "\t%d", fi);
                rp_str(o.f, f->path, 160, 0);
                fprintf(o.f, "\t%s\t%d\n", lv->name, l);
            }
        }
    }
    return rp_commit(r, &o, e);
}

/* ---- gnuplot ------------------------------------------------------------ */

/* A path gnuplot cannot read as "<command", "|command" or "-". */
static void rp_safe_path(const char *p, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s", p[0] == '/' ? "" : "./", p);
}

static int rp_is_exec(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
           access(path, X_OK) == 0;
}

/* gnuplot on PATH, as execvp will look for it. */
static int rp_have_gnuplot(void)
{
    const char *path = getenv("PATH");
    char buf[RP_PATH];
    if (!path || !*path)
        return 0;
    while (*path) {
        const char *end = strchr(path, ':');
        size_t n = end ? (size_t)(end - path) : strlen(path);
        if (n > 0 && n < sizeof buf - 16) {
            snprintf(buf, sizeof buf, "%.*s/gnuplot", (int)n, path);
            if (rp_is_exec(buf))
                return 1;
        }
        path += n + (end != NULL);
    }
    return 0;
}

static int rp_plots_dir(char *buf, size_t len, struct cb_error *e)
{
    return cb_find_data_dir("plots", "speedup.gp", "CB_PLOTS_DIR", buf, len,
                            e);
}

/* Runs `gnuplot -d -c SCRIPT DATA TMP args...` (no shell, no init files)
 * and renames TMP to the figure only when gnuplot succeeded and drew
 * something. gnuplot's stderr is kept for the error message. */
static int rp_gnuplot(struct rp *r, const char *plots, const char *script,
                      const char *table, const char *png,
                      const char *caption, const char *const *args,
                      struct cb_error *e)
{
    char spath[RP_PATH + 64], dpath[RP_PATH + 64], final[RP_PATH + 128];
    char tmp[RP_PATH + 128], sarg[RP_PATH + 72], darg[RP_PATH + 72],
        targ[RP_PATH + 136];
    char err[2048] = "";
    const char *argv[16];
    int ac = 0, fd, pfd[2], status;
    size_t elen = 0;
    pid_t pid;
    struct stat st;

    snprintf(spath, sizeof spath, "%s/%s", plots, script);
    snprintf(dpath, sizeof dpath, "%s/%s", r->outdir, table);
    snprintf(final, sizeof final, "%s/%s", r->outdir, png);
    snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", r->outdir, png);
    fd = mkstemp(tmp);
    if (fd < 0)
        return CB_FAIL(e, CB_ESYS, "%s: cannot create a temporary file: %s",
                       r->outdir, strerror(errno));
    close(fd);
    rp_safe_path(spath, sarg, sizeof sarg);
    rp_safe_path(dpath, darg, sizeof darg);
    rp_safe_path(tmp, targ, sizeof targ);
    argv[ac++] = "gnuplot";
    argv[ac++] = "-d"; /* no ~/.gnuplot: the same figure for everyone */
    argv[ac++] = "-c";
    argv[ac++] = sarg;
    argv[ac++] = darg;
    argv[ac++] = targ;
    for (int i = 0; args && args[i] && ac < 15; i++)
        argv[ac++] = args[i];
    argv[ac] = NULL;

    if (pipe(pfd) != 0) {
        unlink(tmp);
        return CB_FAIL(e, CB_ESYS, "pipe: %s", strerror(errno));
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        int err0 = errno;
        close(pfd[0]);
        close(pfd[1]);
        unlink(tmp);
        return CB_FAIL(e, CB_ESYS, "fork: %s", strerror(err0));
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
        }
        dup2(pfd[1], 2);
        close(pfd[0]);
        close(pfd[1]);
        execvp("gnuplot", (char *const *)argv);
        _exit(127);
    }
    close(pfd[1]);
    for (;;) {
        char chunk[512];
        ssize_t n = read(pfd[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (elen + 1 < sizeof err) {
            size_t k = (size_t)n < sizeof err - 1 - elen ? (size_t)n
                                                           : sizeof err - 1 - elen;
            memcpy(err + elen, chunk, k);
            elen += k;
            err[elen] = '\0';
        }
    }
    close(pfd[0]);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            unlink(tmp);
            return CB_FAIL(e, CB_ESYS, "waitpid: %s", strerror(errno));
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        stat(tmp, &st) != 0 || st.st_size == 0) {
        /* the last non-empty line of gnuplot's stderr says what failed */
        char line[400] = "no output";
        char *p = err, *nl;
        while (*p) {
            nl = strchr(p, '\n');
            if (nl)
                *nl = '\0';
            if (*p && strspn(p, " ^\t") != strlen(p))
                rp_clean(p, line, sizeof line);
            if (!nl)
                break;
            p = nl + 1;
        }
        unlink(tmp);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            snprintf(line, sizeof line, "cannot execute gnuplot");
        return CB_FAIL(e, CB_ESYS, "gnuplot %s for %s failed (%s %d): %s",
                       script, png,
                       WIFEXITED(status) ? "exit" : "signal",
                       WIFEXITED(status) ? WEXITSTATUS(status)
                                         : WTERMSIG(status),
                       line);
    }
    if (chmod(tmp, 0644) != 0 || rename(tmp, final) != 0) {
        int err0 = errno;
        unlink(tmp);
        return CB_FAIL(e, CB_ESYS, "%s: %s", final, strerror(err0));
    }
    {
        struct rp_fig *f = realloc(r->figs, (size_t)(r->nfigs + 1) * sizeof *f);
        if (!f)
            return CB_FAIL(e, CB_ENOMEM, "out of memory");
        r->figs = f;
        f += r->nfigs++;
        snprintf(f->png, sizeof f->png, "%s", png);
        snprintf(f->table, sizeof f->table, "%s", table);
        snprintf(f->what, sizeof f->what, "%s", caption);
    }
    return rp_remember(r, final, e);
}

/* Draws every figure whose data exists. Returns the number of failures;
 * each is reported on stderr, and the others are still drawn. */
static int rp_figures(struct rp *r, const char *plots)
{
    int failed = 0;
    struct cb_error e = {0};
    char tpath[RP_PATH + 64], targ[RP_PATH + 72];
    /* the ceilings figures read the triad curve from a second table */
    snprintf(tpath, sizeof tpath, "%s/triad.tsv", r->outdir);
    rp_safe_path(tpath, targ, sizeof targ);
    for (int k = 0; k < r->nkernels; k++) {
        const struct rp_kernel *kn = &r->kernels[k];
        char png[96], cap[160], kname[64], a[6][24];
        const char *args[8];
        rp_clean(kn->name, kname, sizeof kname);
        snprintf(a[0], sizeof a[0], "%d", k);

#define RP_DRAW(script, table, ...)                                          \
    do {                                                                     \
        if (rp_gnuplot(r, plots, script, table, png, cap, args, &e)) {       \
            rp_say("corebench report: %s\n", e.msg);                      \
            failed++;                                                        \
        }                                                                    \
    } while (0)

        if (kn->s1 >= kn->s0) {
            snprintf(a[1], sizeof a[1], "%d", kn->s0);
            snprintf(a[2], sizeof a[2], "%d", kn->s1);
            args[0] = a[0], args[1] = a[1], args[2] = a[2], args[3] = NULL;
            snprintf(png, sizeof png, "speedup-%s.png", kn->stem);
            snprintf(cap, sizeof cap, "speedup vs workers, kernel %s", kname);
            RP_DRAW("speedup.gp", "speedup.tsv");
            snprintf(png, sizeof png, "efficiency-%s.png", kn->stem);
            snprintf(cap, sizeof cap, "parallel efficiency vs workers, "
                     "kernel %s", kname);
            RP_DRAW("efficiency.gp", "speedup.tsv");
        }
        if (kn->nbars > 0) {
            args[0] = a[0], args[1] = NULL;
            snprintf(png, sizeof png, "breakdown-%s.png", kn->stem);
            snprintf(cap, sizeof cap, "time breakdown at the largest worker "
                     "count, kernel %s", kname);
            RP_DRAW("breakdown.gp", "breakdown.tsv");
        }
        if (kn->o1 >= kn->o0) {
            snprintf(a[1], sizeof a[1], "%d", kn->o0);
            snprintf(a[2], sizeof a[2], "%d", kn->o1);
            args[0] = a[0], args[1] = a[1], args[2] = a[2], args[3] = NULL;
            snprintf(png, sizeof png, "overhead-%s.png", kn->stem);
            snprintf(cap, sizeof cap, "time per task vs chunksize, kernel %s",
                     kname);
            RP_DRAW("overhead.gp", "overhead.tsv");
        }
        if (kn->g1 >= kn->g0) {
            snprintf(a[1], sizeof a[1], "%d", kn->g0);
            snprintf(a[2], sizeof a[2], "%d", kn->g1);
            args[0] = a[0], args[1] = a[1], args[2] = a[2], args[3] = NULL;
            snprintf(png, sizeof png, "gil-%s.png", kn->stem);
            snprintf(cap, sizeof cap, "map time vs GIL switch interval, "
                     "kernel %s", kname);
            RP_DRAW("gil.gp", "gil.tsv");
        }
        if (r->nfiles > 1 && kn->nmachines > 1 && kn->nmbars > 0) {
            snprintf(a[1], sizeof a[1], "%d", kn->nmbars);
            snprintf(a[2], sizeof a[2], "%d", kn->nmachines);
            args[0] = a[0], args[1] = a[1], args[2] = a[2], args[3] = NULL;
            snprintf(png, sizeof png, "machines-%s.png", kn->stem);
            snprintf(cap, sizeof cap, "speedup at the largest worker count "
                     "per machine, kernel %s", kname);
            RP_DRAW("machines.gp", "machines.tsv");
        }
        if (kn->c1 >= kn->c0 && r->have_triad) {
            snprintf(a[1], sizeof a[1], "%d", kn->c0);
            snprintf(a[2], sizeof a[2], "%d", kn->c1);
            snprintf(a[3], sizeof a[3], "%d", r->nfiles);
            args[0] = a[0], args[1] = a[1], args[2] = a[2], args[3] = a[3];
            args[4] = targ, args[5] = NULL;
            snprintf(png, sizeof png, "ceilings-%s.png", kn->stem);
            snprintf(cap, sizeof cap, "achieved bandwidth vs workers against "
                     "the STREAM triad ceiling, kernel %s", kname);
            RP_DRAW("ceilings.gp", "ceilings.tsv");
        }
#undef RP_DRAW
    }
    return failed;
}

/* ---- index.md and the summary ------------------------------------------- */

static const char *const rp_tables[][2] = {
    {"speedup.tsv", "speedup and efficiency with 95% CIs, median time, "
                    "Karp-Flatt serial fraction, Amdahl fit, per run"},
    {"breakdown.tsv", "start-up, map (compute), lock wait and shutdown "
                      "medians, bytes shipped, per run"},
    {"overhead.tsv", "time per task by chunksize"},
    {"gil.tsv", "map time and speedup by GIL switch interval"},
    {"machines.tsv", "speedup at the largest worker count, per machine"},
    {"ceilings.tsv", "achieved rate against its ceiling per run: bytes/s "
                     "against the probe's STREAM triad of the level the "
                     "working set fits (memory-bound kernels), speedup "
                     "against linear (compute kernels); why, above 1"},
    {"triad.tsv", "STREAM triad bandwidth from the probe, per machine, "
                  "working-set level and thread count"},
};

static int rp_index(struct rp *r, int drew, struct cb_error *e)
{
    struct rp_out o;
    int rc = rp_open(r, &o, "index.md", e);
    if (rc)
        return rc;
    fputs("# corebench report\n\n## Result files\n\n", o.f);
    for (int i = 0; i < r->nfiles; i++) {
        const struct rp_file *f = &r->files[i];
        const json_t *ctx = json_object_get(f->root, "context");
        const json_t *w = json_object_get(f->root, "warnings"), *v;
        size_t j;
        fputs("- ", o.f);
        rp_md(o.f, f->path);
        fputs(": host ", o.f);
        rp_md(o.f, f->host);
        fputs(", ", o.f);
        rp_md(o.f, f->topo);
        fputs(", topology ", o.f);
        rp_md(o.f, f->fp);
        fputs(", CPU ", o.f);
        rp_md(o.f, rp_jstr(json_object_get(ctx, "cpu"), "model"));
        fputs(", ", o.f);
        rp_md(o.f, rp_jstr(ctx, "date"));
        fprintf(o.f, ", %zu runs%s\n", f->nruns,
                f->complete ? "" : ", **incomplete** (interrupted sweep)");
        json_array_foreach(w, j, v)
        {
            fputs("  - warning ", o.f);
            rp_md(o.f, rp_jstr(v, "code"));
            fputs(": ", o.f);
            rp_md(o.f, rp_jstr(v, "message"));
            fputc('\n', o.f);
        }
    }
    fputs("\n## Figures\n\n", o.f);
    if (!drew)
        fputs("Not drawn: gnuplot was not available.\n", o.f);
    else if (r->nfigs == 0)
        fputs("None: no data to plot.\n", o.f);
    for (int i = 0; i < r->nfigs; i++) {
        fprintf(o.f, "- [%s](%s): ", r->figs[i].png, r->figs[i].png);
        rp_md(o.f, r->figs[i].what);
        fprintf(o.f, " (data: [%s](%s))\n", r->figs[i].table,
                r->figs[i].table);
    }
    fputs("\n## Tables\n\n", o.f);
    for (size_t t = 0; t < sizeof rp_tables / sizeof rp_tables[0]; t++) {
        char path[RP_PATH + 64];
        struct stat st;
        int ours = 0;
        snprintf(path, sizeof path, "%s/%s", r->outdir, rp_tables[t][0]);
        for (int i = 0; i < r->nwritten; i++)
            ours |= strcmp(r->written[i], path) == 0;
        if (ours && stat(path, &st) == 0)
            fprintf(o.f, "- [%s](%s): %s\n", rp_tables[t][0],
                    rp_tables[t][0], rp_tables[t][1]);
    }
    fputs("\nTables are tab-separated with one header line; undefined "
          "numbers are NaN. Strings from the result files are sanitized.\n",
          o.f);
    return rp_commit(r, &o, e);
}

/* Best executor per file and kernel at the kernel's largest worker count. */
static void rp_summary(const struct rp *r)
{
    int kw = 6, mw = 7, xw = 8;
    /* two passes: widths, then rows */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            printf("\nbest executor at the largest worker count "
                   "(speedup = serial median / median, 95%% CI):\n");
            printf("%-*s  ", kw, "kernel");
            if (r->nfiles > 1)
                printf("%-*s  ", mw, "machine");
            printf("%7s  %-*s  %-24s  %10s  %s\n", "workers", xw, "executor",
                   "speedup", "efficiency", "notes");
        }
        for (int fi = 0; fi < r->nfiles; fi++) {
            for (int k = 0; k < r->nkernels; k++) {
                const struct rp_run *best = NULL;
                long wmax = 0;
                char sp[64], kn[64], notes[128] = "";
                for (size_t i = 0; i < r->nruns; i++) {
                    const struct rp_run *u = &r->runs[i];
                    if (u->file == fi && u->kid == k && u->workers > wmax)
                        wmax = u->workers;
                }
                if (wmax == 0)
                    continue;
                for (size_t i = 0; i < r->nruns; i++) {
                    const struct rp_run *u = &r->runs[i];
                    if (u->file == fi && u->kid == k && u->workers == wmax &&
                        !u->baseline && rp_has(u) &&
                        (!best || u->sp > best->sp))
                        best = u;
                }
                rp_clean(r->kernels[k].name, kn, 40);
                if (pass == 0) {
                    int n = (int)strlen(kn);
                    kw = n > kw ? n : kw;
                    n = (int)strlen(r->files[fi].label);
                    mw = n > mw ? n : mw;
                    if (best) {
                        n = (int)strlen(best->blabel);
                        xw = n > xw ? n : xw;
                    }
                    continue;
                }
                printf("%-*s  ", kw, kn);
                if (r->nfiles > 1)
                    printf("%-*s  ", mw, r->files[fi].label);
                if (!best) {
                    printf("%7ld  %s\n", wmax,
                           "(no parallel run with a speedup)");
                    continue;
                }
                if (isfinite(best->sp_lo) && isfinite(best->sp_hi))
                    snprintf(sp, sizeof sp, "%.2f [%.2f, %.2f]", best->sp,
                             best->sp_lo, best->sp_hi);
                else
                    snprintf(sp, sizeof sp, "%.2f", best->sp);
                if (best->verified == 0)
                    snprintf(notes, sizeof notes, "NOT VERIFIED ");
                {
                    size_t i;
                    const json_t *w;
                    json_array_foreach(best->warnings, i, w)
                    {
                        size_t n = strlen(notes);
                        char code[24];
                        rp_clean(rp_jstr(w, "code"), code, sizeof code);
                        snprintf(notes + n, sizeof notes - n, "%s ", code);
                    }
                }
                printf("%7ld  %-*s  %-24s  %10.2f  %s\n", wmax, xw,
                       best->blabel, sp, best->ef, notes);
            }
        }
    }
}

/* Per file and kernel, the run closest to its ceiling at the largest
 * worker count that has one: how much of the machine the best executor
 * used. Nothing at all when no run has a ceiling. */
static void rp_summary_ceilings(const struct rp *r)
{
    int header = 0;
    for (int fi = 0; fi < r->nfiles; fi++) {
        const struct rp_file *f = &r->files[fi];
        for (int k = 0; k < r->nkernels; k++) {
            const struct rp_run *best = NULL;
            char kn[64], why[64] = "";
            long wmax = 0;
            for (size_t i = 0; i < r->nruns; i++) {
                const struct rp_run *u = &r->runs[i];
                if (u->file == fi && u->kid == k && u->ckind != RP_CEIL_NONE &&
                    u->workers > wmax)
                    wmax = u->workers;
            }
            for (size_t i = 0; i < r->nruns; i++) {
                const struct rp_run *u = &r->runs[i];
                if (u->file == fi && u->kid == k && u->ckind != RP_CEIL_NONE &&
                    u->workers == wmax &&
                    (!best || u->c_fraction > best->c_fraction))
                    best = u;
            }
            if (!best)
                continue;
            if (!header++)
                printf("\nagainst the ceilings (best run at the largest "
                       "worker count):\n");
            rp_clean(r->kernels[k].name, kn, 40);
            printf("  %s", kn);
            if (r->nfiles > 1)
                printf(" @ %s", f->label);
            printf(": %s %ld worker%s: ", best->blabel, best->workers,
                   best->workers == 1 ? "" : "s");
            if (best->ckind == RP_CEIL_BANDWIDTH) {
                printf("%.1f GB/s = %.0f%% of %s triad (%.1f GB/s at %ld "
                       "thread%s)",
                       best->c_achieved / 1e9, 100 * best->c_fraction,
                       best->c_level, best->c_ceiling / 1e9, best->c_threads,
                       best->c_threads == 1 ? "" : "s");
            } else {
                /* say why the ideal is below the worker count */
                if (best->c_ceiling < (double)best->workers) {
                    if (isfinite(f->cpu_limit) &&
                        !(isfinite(f->pus) && f->pus <= f->cpu_limit))
                        snprintf(why, sizeof why, " (ideal %.3g: cgroup "
                                 "limit %.3g CPUs)", best->c_ceiling,
                                 f->cpu_limit);
                    else
                        snprintf(why, sizeof why, " (ideal %.3g: %.0f "
                                 "allowed PU%s)", best->c_ceiling, f->pus,
                                 f->pus == 1 ? "" : "s");
                }
                printf("speedup %.2f = %.0f%% of linear%s", best->c_achieved,
                       100 * best->c_fraction, why);
            }
            /* never above a ceiling without saying why (names are
             * sanitized: the level is [a-z0-9], numbers are ours) */
            if (best->c_note[0])
                printf(": %s", best->c_note);
            printf("%s\n", best->verified == 0 ? " NOT VERIFIED" : "");
        }
    }
}

/* ---- output directory --------------------------------------------------- */

static int rp_mkdirs(const char *path, struct cb_error *e)
{
    char buf[RP_PATH];
    struct stat st;
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return CB_FAIL(e, CB_EUSAGE, "--out %s: cannot create %s: %s",
                               path, buf, strerror(errno));
            *p = c;
            if (!c)
                break;
        }
    }
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return CB_FAIL(e, CB_EUSAGE, "--out %s: not a directory", path);
    return 0;
}

/* Default: <dir of the first file>/<stem>-report. An existing directory
 * with anything in it is refused without --force, before any write. */
static int rp_outdir(struct rp *r, const char *out, int force,
                     struct cb_error *e)
{
    struct stat st;
    DIR *d;
    if (out) {
        if (!*out)
            return CB_FAIL(e, CB_EUSAGE, "--out: empty path");
        if (strlen(out) >= RP_PATH - 256)
            return CB_FAIL(e, CB_EUSAGE, "--out: path too long");
        snprintf(r->outdir, sizeof r->outdir, "%s", out);
    } else {
        const char *first = r->files[0].path, *slash = strrchr(first, '/');
        const char *base = slash ? slash + 1 : first;
        size_t blen = strlen(base);
        if (strlen(first) >= RP_PATH - 256)
            return CB_FAIL(e, CB_EUSAGE, "%s: path too long", first);
        if (blen > 5 && strcmp(base + blen - 5, ".json") == 0)
            blen -= 5;
        if (!slash)
            snprintf(r->outdir, sizeof r->outdir, "%.*s-report", (int)blen,
                     base);
        else
            snprintf(r->outdir, sizeof r->outdir, "%.*s/%.*s-report",
                     (int)(slash - first), first, (int)blen, base);
    }
    /* no trailing slashes: paths are printed and joined with '/' */
    for (size_t n = strlen(r->outdir); n > 1 && r->outdir[n - 1] == '/'; n--)
        r->outdir[n - 1] = '\0';
    if (stat(r->outdir, &st) == 0) {
        struct dirent *de;
        int used = 0;
        if (!S_ISDIR(st.st_mode))
            return CB_FAIL(e, CB_EUSAGE, "%s: exists and is not a directory",
                           r->outdir);
        d = opendir(r->outdir);
        if (!d)
            return CB_FAIL(e, CB_EUSAGE, "%s: %s", r->outdir, strerror(errno));
        while ((de = readdir(d)) != NULL)
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                used = 1;
        closedir(d);
        if (used && !force)
            return CB_FAIL(e, CB_EUSAGE, "%s: directory is not empty (use "
                           "--force to replace the report files in it)",
                           r->outdir);
        if (access(r->outdir, W_OK | X_OK) != 0)
            return CB_FAIL(e, CB_EUSAGE, "%s: not writable", r->outdir);
        return 0;
    }
    return rp_mkdirs(r->outdir, e);
}

/* ---- command ------------------------------------------------------------ */

static void rp_usage(FILE *f)
{
    fputs(
        "usage: corebench report RESULTS.json [MORE.json ...] [--out DIR] "
        "[--force]\n"
        "\n"
        "Turns result files into tables and figures in one directory:\n"
        "  speedup.tsv, breakdown.tsv, overhead.tsv, gil.tsv, machines.tsv,\n"
        "  ceilings.tsv, triad.tsv\n"
        "  speedup-K.png, efficiency-K.png, breakdown-K.png per kernel K,\n"
        "  overhead-K.png (several chunksizes), gil-K.png (several switch\n"
        "  intervals), machines-K.png (several files), ceilings-K.png\n"
        "  (memory-bound kernels, files with a probe), and index.md.\n"
        "\n"
        "  --out DIR   output directory (default: next to the first file,\n"
        "              <dir>/<name>-report)\n"
        "  --force     write into a directory that is not empty, replacing\n"
        "              the report's files\n"
        "  --help      this text\n"
        "\n"
        "Figures need gnuplot; the tables are written without it. The\n"
        "scripts are found through CB_PLOTS_DIR, the source tree, or\n"
        "<bin>/../plots.\n"
        "Exit status: 0 done, 1 a figure could not be drawn, 2 bad input.\n",
        f);
}

static void rp_free(struct rp *r)
{
    for (int i = 0; i < r->nfiles; i++) {
        json_decref(r->files[i].root);
    }
    for (int i = 0; i < r->nwritten; i++)
        free(r->written[i]);
    free(r->written);
    free(r->files);
    free(r->runs);
    free(r->kernels);
    free(r->figs);
    free(r->oix);
    free(r->gix);
}

int cb_cmd_report(int argc, char **argv)
{
    struct rp r;
    struct cb_error e = {0};
    char **paths = NULL, plots[RP_PATH];
    const char *out = NULL;
    int npaths = 0, force = 0, status = 0, rc, drew = 0, only_files = 0;

    memset(&r, 0, sizeof r);
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
            rp_usage(stdout);
            free(paths);
            return 0;
        } else if (strcmp(a, "--force") == 0) {
            force = 1;
        } else if (strcmp(a, "--out") == 0 || strcmp(a, "-o") == 0) {
            if (i + 1 >= argc) {
                rp_say("corebench report: %s needs a directory\n", a);
                free(paths);
                return 2;
            }
            out = argv[++i];
        } else if (strncmp(a, "--out=", 6) == 0) {
            out = a + 6;
        } else {
            char bad[64];
            rp_clean(a, bad, sizeof bad);
            fprintf(stderr, "corebench report: unknown option '%s' (see "
                    "corebench report --help)\n", bad);
            free(paths);
            return 2;
        }
    }
    if (npaths == 0) {
        fprintf(stderr, "corebench report: no result file given (usage: "
                "corebench report RESULTS.json [...] [--out DIR] [--force])\n");
        free(paths);
        return 2;
    }

    rc = rp_load(&r, paths, npaths, &e);
    if (!rc)
        rc = rp_derive(&r, &e);
    if (!rc)
        rc = rp_outdir(&r, out, force, &e);
    if (rc) {
        rp_say("corebench report: %s\n", e.msg);
        status = rc == CB_EUSAGE ? 2 : 1;
        goto done;
    }
    for (int i = 0; i < r.nfiles; i++)
        if (!r.files[i].complete)
            rp_say("corebench report: note: %s is incomplete (an "
                   "interrupted or running sweep)\n", r.files[i].path);

    rc = rp_write_speedup(&r, &e);
    if (!rc)
        rc = rp_write_breakdown(&r, &e);
    if (!rc)
        rc = rp_write_overhead(&r, &e);
    if (!rc)
        rc = rp_write_gil(&r, &e);
    if (!rc)
        rc = rp_write_machines(&r, &e);
    if (!rc)
        rc = rp_write_ceilings(&r, &e);
    if (!rc)
        rc = rp_write_triad(&r, &e);
    if (rc) {
        rp_say("corebench report: %s\n", e.msg);
        status = 1;
        goto done;
    }

    if (!rp_have_gnuplot()) {
        snprintf(e.msg, sizeof e.msg, "gnuplot not found in PATH: figures "
                 "not drawn (the tables are in %.300s)", r.outdir);
        status = 1;
    } else if (rp_plots_dir(plots, sizeof plots, &e)) {
        status = 1;
    } else {
        drew = 1;
        if (rp_figures(&r, plots) > 0)
            status = 1;
    }
    {
        struct cb_error e2 = {0};
        if (rp_index(&r, drew, &e2)) {
            rp_say("corebench report: %s\n", e2.msg);
            status = 1;
        }
    }
    for (int i = 0; i < r.nwritten; i++)
        printf("%s\n", r.written[i]);
    rp_summary(&r);
    rp_summary_ceilings(&r);
    fflush(stdout);
    if (!drew)
        rp_say("corebench report: %s\n", e.msg);

done:
    rp_free(&r);
    free(paths);
    return status;
}
