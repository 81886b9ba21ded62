/* The result model: one typed view of a result file (results/SCHEMA.md),
 * the only place that reads or writes one.
 *
 * `run` fills a model as it samples and writes it (result_write.c);
 * `report` and `compare` load files into it (result_load.c, which is the
 * one validator: the same rules and the same messages for every reader).
 * Either way the figures derived from the samples (summary, speedup
 * against the baseline the file marks, efficiency, Karp-Flatt) are
 * computed once, by cb_result_derive(), and read from the run after that.
 *
 * Strings borrowed from a loaded file are raw: anything that prints them
 * goes through harness/text.h. Labels made here are already clean. */
#ifndef CB_RESULT_H
#define CB_RESULT_H

#include <stddef.h>

#include <jansson.h>

#include "executors/executor.h"
#include "harness/stats.h"

#define CB_SCHEMA "corebench/1"
/* What a loader accepts (issue 11: a file must not ask for unbounded
 * memory): CB_MAX_INPUT_BYTES overrides the file size limit. */
#define CB_RESULT_MAX_BYTES (64u << 20)
#define CB_RESULT_MAX_SAMPLES 100000

/* One configuration: what the sweep varied, nothing measured. Two runs of
 * two files are "the same configuration" when cb_config_key() of both is
 * equal. */
struct cb_config {
    const char *kernel, *size, *executor, *pin;
    const char *runtime;  /* "c", "cpython", ... ("c" for older files) */
    const json_t *params; /* the kernel's resolved params (object) */
    int workers;
    /* executor parameters as asked (names and values as text: what the
     * configuration is called by); an empty list: the executor's
     * defaults. Older files' chunksize/schedule/switch_interval_us/
     * start_method fields are read into it. */
    struct cb_kv xp[CB_MAX_XPARAMS];
    int nxp;
};

/* The variant label: executor + the parameters asked for, the same in the
 * table, the TSV files, the figure legends and compare ("thread-pool
 * c=16", "gil si=100us", "openmp schedule=dynamic c=1"). Kernel and
 * workers are columns of their own everywhere, never in the label. */
void cb_config_label(const struct cb_config *c, char *buf, size_t len);
/* Canonical identity (kernel, size, params, executor, runtime, workers,
 * executor params, pin) as compact JSON with sorted keys; caller frees. */
char *cb_config_key(const struct cb_config *c);
/* The value of executor parameter `name`, or NULL (the default). */
const char *cb_config_xparam(const struct cb_config *c, const char *name);

/* Everything a run measured. Arrays have `n` entries (one per measured
 * sample) unless said otherwise. */
struct cb_run {
    struct cb_config cfg;
    int id;
    int baseline;  /* this run is its kernel's baseline in its runtime */
    int verified;  /* 1, 0, or -1 unknown (older files) */
    char error[480];
    size_t tasks;
    size_t n;
    double *samples, *startup, *shutdown;
    size_t nwarm;
    double *warm;
    /* per-worker detail of the median sample (workers entries) */
    struct cb_worker_stats *detail;
    uint64_t bytes_to, bytes_from;     /* per map, median sample */
    double gil_switches, gil_drops, gil_wait; /* NaN where no GIL */
    long chunk_used;                   /* -1 unknown */
    double bytes_touched;              /* NaN: none (compute kernel) */
    double working_set;                /* NaN: unknown */
    double work; const char *work_unit;
    /* kernel metrics: name, unit, what, per-sample values, median */
    int nmet;
    struct cb_run_metric {
        char name[32], unit[16], what[96];
        double *v;
        double median, baseline;
    } met[CB_MAX_METRICS];
    const json_t *json; /* the run's object in a loaded file, else NULL */

    /* derived by cb_result_derive(), never by a reader */
    struct {
        int done;
        struct cb_summary sum;
        double speedup, sp_lo, sp_hi;  /* NaN: none */
        double eff, eff_lo, eff_hi;
        double karp_flatt;
        const char *kf_why;            /* why karp_flatt is NaN, or NULL */
        double per_task;
        double imbalance;
        int median_sample;             /* index into samples, -1 */
        char label[128];               /* cb_config_label() */
        const struct cb_run *base;     /* its baseline, or NULL */
    } d;
};

/* A result file: its context (kept as JSON, with the few fields readers
 * need pulled out), its probe and its runs. */
struct cb_result {
    char *path;       /* as given; NULL for a run in memory */
    json_t *root;     /* the document (loaded) or NULL */
    int complete;
    const char *host, *date, *cpu_model, *fingerprint, *topo_summary;
    double pus, cpu_limit;
    const json_t *context, *warnings, *probe;
    struct cb_run *runs;
    size_t nruns;
};

/* Loads and validates path: syntax errors as "FILE:LINE:COL: message",
 * then every rule the model needs (types, ranges, sample counts, sizes),
 * each violation one line naming the file, the run and the key. CB_EUSAGE
 * for a bad file, CB_ENOMEM / CB_ESYS for the machine's failures. On
 * failure r holds nothing to free. */
int cb_result_load(const char *path, struct cb_result *r, struct cb_error *e);
void cb_result_free(struct cb_result *r);

/* Computes every run's derived figures once (idempotent): the summary,
 * the speedup against the run marked baseline of the same kernel, size,
 * params and runtime (older files: the executor named "serial"), with a
 * bootstrap CI, efficiency, Karp-Flatt, per-task time, imbalance and the
 * label. Kernels whose tasks run for a fixed time (a metric instead of a
 * time) get no speedup. */
void cb_result_derive(struct cb_result *r, int timed_kernel(const char *));

/* The baseline run of `run` in r, or NULL. */
const struct cb_run *cb_result_baseline(const struct cb_result *r,
                                        const struct cb_run *run);

#endif
