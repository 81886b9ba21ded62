/* The result model: one typed view of a result file (results/SCHEMA.md).
 *
 * `run` fills a model as it samples and writes it (model_json.c);
 * `report` and `compare` load files into it (model_load.c: the one
 * validator, the same rules and messages for every reader). Either way the
 * figures derived from the samples (summary with CI, speedup against the
 * run marked baseline, efficiency, Karp-Flatt, per-task time, imbalance,
 * metric medians, the label) are computed once, by cb_model_derive(), and
 * read from `d` after that.
 *
 * Strings borrowed from a loaded file are raw: whatever prints them goes
 * through harness/base/text.h. Labels made here are already clean. */
#ifndef CB_MODEL_H
#define CB_MODEL_H

#include <stddef.h>

#include <jansson.h>

#include "budget.h"
#include "executors/executor.h"
#include "results.h"
#include "stats.h"

/* What identifies a configuration: what the sweep varied, nothing
 * measured. Strings are borrowed (the registry's, or a loaded file's). */
struct cb_config {
    const char *kernel, *size, *executor, *pin;
    const char *runtime; /* "c", "cpython", ... ("c" for older files) */
    json_t *params;      /* the kernel's resolved params (object, owned) */
    int workers;
    /* executor parameters: every one the executor declared, resolved,
     * `asked` where the command line gave it (older files: rebuilt from
     * chunksize, schedule, switch_interval_us, start_method) */
    int nxp;
    struct cb_xvalue xp[CB_MAX_XPARAMS];
};

/* The variant label: the executor, then each parameter that was asked for
 * (or is labelled by default: schedule), as its declaration says: "gil
 * si=100us", "thread-pool c=16", "openmp dynamic c=1", "process-pool
 * spawn". One label everywhere: the table, TSV files, figure legends,
 * compare. Kernel and workers are columns of their own, never in it. */
void cb_config_label(const struct cb_config *c, char *buf, size_t len);
/* The canonical identity of a configuration (kernel, size, params,
 * executor, runtime, workers, executor parameters, pin) as compact JSON
 * with sorted keys: equal strings, same configuration. Caller frees. */
char *cb_config_key(const struct cb_config *c);
/* The value of executor parameter `name`, or NULL. */
const char *cb_config_xparam(const struct cb_config *c, const char *name);
/* The chunksize asked for (CB_CHUNK_DEFAULT when not asked). */
struct cb_chunk cb_config_chunk(const struct cb_config *c);

/* One kernel metric of a run (struct cb_metric, per sample). */
struct cb_run_metric {
    char name[32], unit[16], what[96];
    double *v; /* n values */
};

/* One configuration's measurements: a run of results/SCHEMA.md. */
struct cb_run {
    struct cb_config cfg;
    int id;
    int baseline;     /* what its kernel's speedups in its runtime divide by */
    int verified;     /* 1, 0, or -1 (unknown: older files) */
    int timed_kernel; /* the kernel's tasks run for a fixed time: no speedup */
    char error[480];  /* why a map failed, "" if none */
    size_t tasks;
    /* weak scaling (--scaling weak): the params of the one-worker size its
     * baseline ran (owned); speedup is then the scaled speedup workers x
     * T(1, n) / T(w, w n), so efficiency is T(1, n) / T(w, w n). NULL:
     * strong scaling, the baseline ran cfg.params. */
    json_t *base_params;
    double work, bytes_touched, working_set; /* NaN: none */
    const char *work_unit;
    /* per measured sample (n) and warm-up (nwarm) */
    size_t n, cap, nwarm;
    double *samples, *startup, *shutdown, *warm;
    /* per measured sample: was it interfered (harness/run/interference.h), and
     * if so by which worker; interfered samples are set aside from the
     * statistics unless the model keeps them (cb_model.keep_interfered) or
     * too few clean ones are left (CB_MODEL_MIN_CLEAN) */
    unsigned char *interfered;
    struct cb_run_interf {
        int worker, cpu, pinned;
        double delay_s, excess_s;
        /* what the rule saw (harness/run/interference.h; NaN: not recorded,
         * older files): the most steal on a worker's CPU, the workers' CPU
         * seconds and their excess over the configuration's reference,
         * the worst worker's lost time, the stretch and its limit; the
         * largest part of it ("run delay", "steal", "cpu rate"; NULL) */
        double steal_s, cpu_s, cpu_excess_s, lost_s, stretch_s, limit_s;
        const char *cause;
        /* the map's start and end (CLOCK_REALTIME epoch seconds), and the
         * machine over the sample (start to stop): seconds stolen from all
         * its CPUs, CPU seconds of processes outside the sweep (busy time
         * of all CPUs less this process's and its children's), the span
         * and the CPUs counted (0: unknown) */
        double t_start, t_end, steal_all_s, outside_s, window_s;
        int ncpus;
    } *interf;
    char stop[16]; /* why sampling stopped: "exact", "target-ci", ... */
    int nmet;
    struct cb_run_metric met[CB_MAX_METRICS];
    /* of the sample nearest the estimator (cb_run_detail_sample: a sweep
     * copies them in before writing; a loaded file has nothing else; files
     * before issue 18 hold the median sample's): per worker, the
     * shipping, the GIL */
    struct cb_worker_stats *detail; /* workers entries, or NULL */
    /* 1 + the index of the sample `detail` describes (the sweep's choice,
     * recorded in the file: the estimator can fall midway between two
     * samples); 0: unknown (older files: cb_run_detail_sample's choice) */
    size_t detail_of;
    int *planned;                   /* planned PU per worker, -1; NULL */
    uint64_t bytes_to, bytes_from;
    double gil_switches, gil_drops, gil_wait; /* NaN: no GIL figures */
    long chunk_used;                          /* -1: unknown */
    json_t *counters;  /* per-sample counter objects (array) or NULL */
    json_t *warnings;  /* array, the run's warnings (a sweep's or a file's) */

    /* derived by cb_model_derive(), read-only for everyone else */
    struct {
        int done;
        struct cb_summary sum;  /* of the samples used */
        size_t used, aside;     /* samples in the statistics, set aside */
        unsigned char *outlier; /* n flags (samples set aside: 0) */
        double speedup, sp_lo, sp_hi; /* NaN: none */
        double karp_flatt;
        const char *kf_why; /* why karp_flatt is NaN, or NULL */
        double per_task, imbalance;
        int median_sample; /* index into samples, -1 without samples */
        int detail_sample; /* cb_run_detail_sample(), -1 without samples */
        double met_median[CB_MAX_METRICS], met_base[CB_MAX_METRICS];
        const struct cb_run *base; /* its baseline run, or NULL */
        struct cb_budget budget;   /* why not ideal (budget.h) */
        char label[160];           /* cb_config_label() */
    } d;
};

/* A result file: context (kept as JSON, with what readers need pulled
 * out), probe, warnings and runs. */
struct cb_model {
    char *path;   /* the file's path (loaded) or NULL */
    json_t *root; /* the loaded document, or NULL */
    int complete;
    const char *host, *date, *cpu_model, *fingerprint;
    char topo_summary[64]; /* "1 pkg, 2 cores, 2 PUs" */
    double pus, cpu_limit; /* NaN unknown */
    const json_t *context, *probe, *warnings, *fits;
    int keep_interfered; /* statistics count interfered samples too */
    /* derive computes no bootstrap interval (d.sum.ci_*, d.sp_lo/hi stay
     * NaN): set by readers that print none, such as compare, for whom the
     * intervals were most of the time on 10^5-sample files */
    int no_intervals;
    struct cb_run *runs;
    size_t nruns;
};

/* Interfered samples are set aside while at least this many clean ones
 * are left; with fewer, every sample counts (and the run says so). */
#define CB_MODEL_MIN_CLEAN 3

/* ---- runs (model.c) ------------------------------------------------------ */

/* Adds one sample to r (growing its arrays), clean. */
int cb_run_add_sample(struct cb_run *r, double map_s, double startup_s,
                      double shutdown_s, struct cb_error *e);
void cb_run_free(struct cb_run *r);
/* The topology boundary ("1 socket, all cores") the file's sweep marked
 * at `workers` (context.worker_counts), or NULL. */
const char *cb_model_boundary(const struct cb_model *m, int workers);
/* The params that name r's workload in figures and tables: base_params
 * under weak scaling (every worker count ran its own size), else
 * cfg.params. */
const json_t *cb_run_group_params(const struct cb_run *r);
/* The run of m that run r's speedups divide by: the run marked baseline of
 * the same kernel, size, params and runtime (in files from before the mark:
 * the executor named "serial"), with samples; or NULL. */
const struct cb_run *cb_model_baseline(const struct cb_model *m,
                                       const struct cb_run *r);
/* Whether sample i of derived run r counts in its statistics: interfered
 * samples are set aside (d.aside) unless the model keeps them or too few
 * clean ones are left. What readers use to take the same samples. */
int cb_run_sample_used(const struct cb_run *r, size_t i);
/* The sample whose per-worker figures `detail` holds: of the samples r's
 * statistics use, the one nearest their estimator (CB_ESTIMATOR_Q), so
 * that what the workers did describes the time the speedups use; -1
 * without samples. Needs no derived figures (the sweep picks with it
 * before it derives). */
int cb_run_detail_sample(const struct cb_model *m, const struct cb_run *r);
/* Fills r->d.budget from r, its baseline r->d.base and their details
 * (budget.h; called by cb_model_derive once the speedup is known). */
void cb_run_budget(struct cb_run *r);
/* Computes (once: `done`) every run's derived figures. Idempotent. */
void cb_model_derive(struct cb_model *m);
/* Forgets r's derived figures (a sweep adding samples). */
void cb_run_underive(struct cb_run *r);
void cb_model_free(struct cb_model *m);

/* ---- interference over a file (model_interf.c) ------------------------- */

/* A sample's interference record with nothing recorded (NaN, -1, NULL). */
void cb_run_interf_init(struct cb_run_interf *v);
/* What the machine did during the samples of m: steal and outside load as
 * shares of the CPU time of all its CPUs over the samples' spans (NaN
 * where no sample recorded them: older files), samples set aside (after
 * cb_model_derive) and flagged, out of n. */
struct cb_interf_totals {
    double steal_share, outside_share, span_s;
    size_t aside, flagged, n;
};
void cb_model_interf_totals(const struct cb_model *m,
                            struct cb_interf_totals *t);
/* One line of it, e.g. "the hypervisor took 2.1% of CPU time during the
 * samples, processes outside the sweep 5.0%; 14 of 300 samples set aside
 * (16 flagged)"; "" for a model without samples. */
void cb_interf_totals_line(const struct cb_interf_totals *t, char *buf,
                           size_t len);

/* ---- files (model_load.c, model_json.c) --------------------------------- */

/* Loads and validates a result file into m: syntax errors as
 * "FILE:LINE:COL: message", every rule of the model (types, ranges, sample
 * counts, the input limits of results.h) one line naming the file, the run
 * and the key. CB_EUSAGE for a bad file, CB_ENOMEM / CB_ESYS for the
 * machine's failures. On failure m holds nothing to free. Derived figures
 * are not computed: call cb_model_derive(). */
int cb_model_load(const char *path, struct cb_model *m, struct cb_error *e);

/* The JSON of run r (results/SCHEMA.md's `run`), its derived figures
 * included: its model must be derived (cb_model_derive). New reference, NULL when
 * out of memory. */
json_t *cb_model_run_json(const struct cb_run *r);
/* The `fits` array (Amdahl per executor variant, `allowed_pus` points) of
 * a derived m. */
json_t *cb_model_fits_json(const struct cb_model *m, int allowed_pus);
/* A warning object {"code", "message", "advice"} (results/SCHEMA.md). */
json_t *cb_warning(const char *code, const char *advice, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
