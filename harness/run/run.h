/* `corebench run`, in parts:
 *
 *   cli_run.c   the command line -> struct cb_run_opts (no side effects)
 *   plan.c      options -> configurations (runs of the model + the sweep's
 *               per-configuration state), availability, baselines
 *   sample.c    one sample: start | map | stop, timed, verified (the probe
 *               uses it too)
 *   sweep.c     workloads, the lock, the context, warm-up and interleaved
 *               rounds, interrupts; tells the reporters
 *   output/reporter_*.c  what a sweep shows and writes (the console
 *               table, the result file, the exports): they read a settled
 *               struct cb_view the sweep makes for them (reporter.h)
 *
 * The measurements live in the result model (model.h): a sweep is a
 * struct cb_model whose runs fill up sample by sample. */
#ifndef CB_RUN_H
#define CB_RUN_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include <jansson.h>

#include "counters.h"
#include "env.h"
#include "model.h"
#include "reporter.h"
#include "sampling.h"
#include "topo.h"

#define CB_RUN_MAX_LIST 64
#define CB_RUN_MAX_CONFIGS 4096 /* per run: bounds the round arrays */

/* What the command line asked for. */
struct cb_run_opts {
    const struct cb_kernel *kernels[CB_RUN_MAX_LIST];
    int nkernels;
    const struct cb_executor *execs[CB_RUN_MAX_LIST];
    int nexecs, execs_given;
    int workers[CB_RUN_MAX_LIST];
    int nworkers;
    /* the topology boundary each count is ("1 socket", "all cores"; ""
     * for none): cb_topo_counts */
    char boundary[CB_RUN_MAX_LIST][64];
    int weak;          /* --scaling weak: tasks grow with the workers */
    int dry_run;       /* --dry-run: print the plan, run nothing */
    const char *synthetic, *xml; /* --synthetic / --xml (dry runs) */
    struct cb_topo *plan_topo;   /* what they loaded (cb_run_opts_free) */
    double budget_s;   /* --budget seconds; 0: none */
    /* --exec-param NAME=LIST (and its older names): swept per executor */
    struct cb_run_xparam {
        char name[32];
        int nvals;
        char vals[CB_RUN_MAX_LIST][CB_XPARAM_VAL];
    } xp[CB_MAX_XPARAMS];
    int nxp;
    struct cb_params params;
    /* -p KEY=V1,V2: kernel parameters swept, one workload per value (and
     * per combination, over several keys) */
    struct cb_run_plist {
        char key[32];
        int n;
        char vals[CB_RUN_MAX_LIST][64];
    } plist[CB_MAX_PARAMS];
    int nplist;
    char size[16];
    struct cb_pin_spec pin;
    char pin_text[128];
    /* when a configuration has samples enough: -r N (exact), or adaptive
     * (--min-samples, --max-samples, --target-ci, --max-time) */
    struct cb_stop_rule stop;
    int repetitions, warmup; /* repetitions: the most a configuration takes */
    int keep_interfered;
    double task_timeout; /* --task-timeout seconds; 0: derived */
    int keep_going;      /* a failed configuration does not end the sweep */
    unsigned stop_given; /* 1 min, 2 max, 4 target, 8 time: asked for */
    uint64_t seed, order_seed;
    int interleave, probe, counters, force, quiet, progress, baseline, lock;
    const char *out;
    char out_buf[4096];
    /* --export-csv, --export-markdown: written at the end (reporters),
     * checked with --out before anything runs; NULL when not asked */
    const char *export_csv, *export_md;
};

/* Parses `corebench run`'s argv (argv[0] "run") against topo's allowed
 * PUs. 0 parsed, 1 --help (printed), < 0 bad input with e filled. */
int cb_run_parse(int argc, char **argv, struct cb_run_opts *o,
                 const struct cb_topo *topo, struct cb_error *e);
/* Frees what cb_run_parse loaded (the --synthetic / --xml topology). */
void cb_run_opts_free(struct cb_run_opts *o);
/* The output path: the default name when none was given, then checked
 * (results.h) before anything else runs. */
int cb_run_check_out(struct cb_run_opts *o, struct cb_error *e);

/* The sweep's own state of configuration i (model.runs[i]): what it needs
 * to sample it and what each sample left beyond the model's fields. */
struct cb_slot {
    const struct cb_executor *ex;
    int kernel;                  /* index into the sweep's workloads */
    const struct cb_workload *w; /* the one it samples: wl[kernel], or
                                    under weak scaling its count's */
    int *pus;                    /* plan, workers entries */
    struct cb_exec_config ec;    /* resolved executor parameters */
    int failed;
    /* per measured sample: map stats and ms[i].w (workers entries) */
    struct cb_map_stats *ms;
    struct cb_worker_stats *ws;
    struct cb_counter_values *ctr;
    size_t cap;
    int cheap; /* derived without intervals (cb_sweep_settle) */
    /* the interference rule's CPU reference and tolerance
     * (cb_interf_cpu_norm), as last computed (sweep_judge.c) */
    double cpu_ref, cpu_tol;
};

/* The sample in progress, as the sweep's watchdog sees it: while map()
 * runs, `pool` is set (under mu); past `deadline` or on an interrupt the
 * watchdog calls the executor's abort(). */
struct cb_inflight {
    pthread_mutex_t mu;
    const struct cb_executor *x;
    struct cb_pool *pool;
    double timeout;  /* seconds a map may take; 0: no limit */
    double deadline; /* cb_now() after which it is stuck */
    int timed_out;   /* the watchdog ended the map for its deadline */
    double since;    /* when the watchdog acted */
};

struct cb_sweep {
    struct cb_run_opts *o;
    struct cb_topo *topo;
    struct cb_topo_info info;
    struct cb_workload *wl; /* one per kernel and swept params (nwl) */
    char (*wl_name)[96];    /* "gcd", or "gcd n=16" when -p sweeps n */
    int nwl;
    /* --scaling weak: workload nwl x nworkers, for wl[k] and o->workers[j]
     * at xwl[k * nworkers + j] (a count of 1 uses wl[k] and leaves its
     * entry unprepared) */
    struct cb_workload *xwl;
    struct cb_model m;      /* one run per configuration */
    struct cb_slot *slot;   /* m.nruns entries */
    json_t *root;           /* the result document (context, probe, ...) */
    json_t *order;          /* run ids in the order sampled */
    json_t *about, *unavailable;
    struct cb_counters *ctr;
    char self_exe[4096];
    double timer_res;
    int total_samples, done_samples;
    long maps;              /* maps started (warm-ups included) */
    struct cb_inflight fl;  /* the sample in progress (watchdog) */
    size_t fl_run;          /* its run */
    int stop_all;           /* a configuration failed: no --keep-going */
    int final;   /* the end: settle fully */
    double settle_s, settled_at; /* the last full settle's cost, end */
    double round_spent; /* seconds in round notifications (cb_sweep_tell) */
    double t_start;
    /* what the reporters read (cb_sweep_tell makes it) and their state */
    struct cb_view_opts vo;
    struct cb_view_run *vrun;  /* m.nruns entries */
    const char **wl_kernel;    /* nwl entries */
    void *rstate[16];          /* per cb_reporters[] entry */
    int result_written;        /* the result file exists (cb_sweep_tell) */
};

/* The signal that interrupted the sweep (SIGINT, SIGTERM), or 0. Set by
 * the handler, read by the sweep and the watchdog thread: a lock-free
 * atomic, which C11 allows in a signal handler. */
extern atomic_int cb_run_interrupted;

/* ---- plan.c -------------------------------------------------------------- */

/* Asks every executor of the sweep whether it can run here (once per
 * available() function): drops the unavailable ones with one line per
 * reason and a warning in s->unavailable, fills s->about, CB_EUSAGE for an
 * executor launched wrongly, CB_EUNSUPPORTED when none is left. */
int cb_plan_available(struct cb_sweep *s, struct cb_error *e);
/* Every configuration of the sweep, per kernel: each runtime's baseline,
 * then executors x workers x their parameters' values. */
int cb_plan_build(struct cb_sweep *s, struct cb_error *e);
void cb_plan_free(struct cb_sweep *s);
/* The workload a configuration of workload group k with `workers`
 * workers samples: s->wl[k], or under weak scaling its count's. */
const struct cb_workload *cb_plan_workload(const struct cb_sweep *s, int k,
                                           int workers);

/* ---- fit.c: sizes that fit the machine, weak scaling ---------------------- */

/* Strong scaling: at the largest worker count every worker gets at least
 * this many tasks, and a map of at least CB_FIT_MAP_S at the kernel's
 * nominal task cost (kernel.h task_s). */
#define CB_FIT_TASKS_PER_WORKER 16
#define CB_FIT_MAP_S 0.02
/* The tasks per worker kernel k needs at the largest count. */
int cb_fit_tasks_per_worker(const struct cb_kernel *k);
/* The task count a workload of n tasks grows to (n when it has enough),
 * a multiple of max_workers when it grows. */
uint64_t cb_fit_strong_tasks(const struct cb_kernel *k, uint64_t n,
                             int max_workers);
/* k->prepare(w, p), then resized: weak > 0, the workload of `weak`
 * workers (weak times the tasks); weak 0 (strong), the default and large
 * sizes grown to cb_fit_strong_tasks unless p sets the task count. */
int cb_fit_prepare(const struct cb_kernel *k, const struct cb_params *p,
                   int max_workers, int weak, struct cb_workload *w,
                   struct cb_error *e);

/* ---- estimate.c, dryrun.c: the plan's time, --budget, --dry-run --------- */

/* This machine's costs, measured once: serial seconds per task of each
 * workload group (s->wl[k]), a fork and a pthread_create. */
struct cb_est {
    double *task_s;
    double fork_s, thread_s;
    double busy; /* share of the calibration's wall time off the CPU */
};
int cb_est_calibrate(const struct cb_sweep *s, struct cb_est *est,
                     struct cb_error *e);
void cb_est_free(struct cb_est *est);
/* Configuration i: its map and one sample (start-up, map, shutdown). */
void cb_est_config(const struct cb_sweep *s, const struct cb_est *est,
                   size_t i, double *map_s, double *sample_s);
/* The sweep's time with the sampling rules replayed: expect_s with each
 * configuration stopping at --min-samples (-r N: N) unless --max-time
 * stops it; min_s and max_s every one at --min-samples / --max-samples
 * (max_s still cut by --max-time). probe_s is part of each. */
struct cb_est_total {
    double probe_s, expect_s, min_s, max_s;
};
int cb_est_sweep(const struct cb_sweep *s, const struct cb_est *est,
                 struct cb_est_total *tot);
/* --budget: changes o so that the plan s (built from o) fits o->budget_s
 * even at its worst (max_s): --max-time set to what is left after the
 * probe, then fewer samples (down to 3), then worker counts dropped
 * (1 first: the serial baselines still run; then powers of two before
 * boundaries, from the middle; never the largest). `said` gets what changed, "" for nothing. CB_EUSAGE when even
 * the smallest plan does not fit. */
int cb_est_budget(const struct cb_sweep *s, const struct cb_est *est,
                  struct cb_run_opts *o, char *said, size_t len,
                  struct cb_error *e);
/* `corebench run --dry-run`: the plan printed, nothing run or written.
 * Returns the exit status. */
int cb_dry_run(struct cb_run_opts *o);
/* --budget before a real sweep: the plan fitted (o changed), what it
 * dropped said on stderr. 0, or the status to exit with. */
int cb_budget_apply(struct cb_run_opts *o);

/* ---- sample.c ------------------------------------------------------------ */

/* The least time a start() may take before the watchdog ends it, when
 * --task-timeout (or the derived map timeout) is shorter: a cold CPython
 * on a busy machine takes seconds to start its pool. */
#define CB_START_MIN_TIMEOUT_S 10.0
/* executor.h's started() as the sweep gives it: arg is the cb_inflight */
void cb_inflight_pool(void *arg, struct cb_pool *p);

/* What one start | map | stop gave. */
struct cb_sample {
    double startup_s, map_s, shutdown_s;
    struct cb_counter_values ctr;
    int have_ctr;
    /* the map's start and end, CLOCK_REALTIME epoch seconds (to match a
     * sample with another program's log, scripts/noisy-neighbor.sh) */
    double epoch_start, epoch_end;
    /* The machine over the whole sample (start | map | stop), from
     * /proc/stat before and after (have_cpustat 0: unreadable): per CPU
     * the steal seconds, and over all CPUs the busy and steal seconds,
     * the CPUs counted, the span (s) and the CPU seconds this process and
     * its reaped children used (self_cpu_s: NaN unknown). */
    int have_cpustat, ncpus;
    double steal_cpu[CB_CPUSTAT_MAX];
    double busy_all_s, steal_all_s, window_s, self_cpu_s;
};

/* Starts x with c, maps w once into outs (poisoned first), stops, verifies:
 * the one sampling loop of corebench (run and the probe's floors). st->w
 * must hold c->workers entries; counters (may be NULL) are read around the
 * three calls. 0, or the failure with e filled. */
int cb_sample_take(const struct cb_executor *x, const struct cb_exec_config *c,
                   const struct cb_workload *w, void *outs,
                   struct cb_map_stats *st, struct cb_counters *counters,
                   struct cb_inflight *fl, struct cb_sample *out,
                   struct cb_error *e);

/* ---- sweep.c, sweep_setup.c, watchdog.c ------------------------------------ */

/* Judges the sample just added to run i (sweep_judge.c, the rule of
 * harness/run/interference.h): ms its map stats, smp its sample. Sets
 * interfered[] and interf[] of that sample, and of earlier ones of the
 * run when their CPU reference changed. */
void cb_sweep_judge(struct cb_sweep *s, size_t i, const struct cb_map_stats *ms,
                    const struct cb_sample *smp);

/* The reporters' hooks (reporter.h), in the order a sweep calls them. */
enum cb_hook { CB_H_BEGIN, CB_H_ROUND, CB_H_KERNEL, CB_H_END };
/* Settles the model once (unless BEGIN), then calls hook `which` of every
 * wanted reporter with the sweep's view (arg: the kernel for ROUND and
 * KERNEL, `complete` for END). The sweep's thread only. */
int cb_sweep_tell(struct cb_sweep *s, enum cb_hook which, int arg,
                  struct cb_error *e);
/* The sweep's workloads (sweep_setup.c): s->wl, s->wl_name, s->nwl, and
 * s->xwl under weak scaling; released by cb_sweep_workloads_free. */
int cb_sweep_workloads(struct cb_sweep *s, struct cb_error *e);
void cb_sweep_workloads_free(struct cb_sweep *s);
/* Everything before the first sample: workloads and plan (the last
 * input checks), then the lock (*lockfd, when o->lock), context, probe. */
int cb_sweep_prepare(struct cb_sweep *s, int argc, char **argv,
                     int *lockfd, struct cb_error *e);

/* The signal handlers and the watchdog thread of a sweep. */
struct cb_watchdog {
    pthread_t thread;
    int thread_ok;
    struct sigaction old_int, old_term;
};
/* What the watchdog does when a map cannot be ended (its workers are
 * threads): the sweep's last words, on the watchdog's thread while the
 * sweep's is stuck in the map: record `why` on the in-flight run, write
 * the result file and _exit(status). Given by the sweep (sweep.c), so the
 * watchdog calls nothing above it. */
typedef void (*cb_give_up_fn)(struct cb_sweep *s, int status,
                              const char *why);
int cb_watchdog_start(struct cb_sweep *s, struct cb_watchdog *wd,
                      cb_give_up_fn give_up);
void cb_watchdog_stop(struct cb_watchdog *wd);
/* Around each map: what a fatal signal in corebench's own process (a task
 * of serial, threads, thread-pool, gil, openmp crashing) prints before the
 * process dies of it: the configuration and where the finished rounds
 * are. */
void cb_watchdog_map_begins(const struct cb_sweep *s, const struct cb_run *r);
void cb_watchdog_map_ends(void);

/* main() first, in every corebench process: a fatal signal (SIGSEGV,
 * SIGBUS, SIGFPE, SIGILL) in a running sweep's own process prints which
 * configuration's map crashed and where its finished rounds are, then the
 * process dies of it (watchdog.c). */
void cb_crash_handler_install(void);
/* `corebench __crash-note FILE ID SIG`: what the crash handler re-executes
 * to record the crash in the result file (watchdog.c). */
int cb_crash_note_main(int argc, char **argv);

/* The whole of `corebench run` after parsing: returns the exit status. */
int cb_sweep_run(struct cb_run_opts *o, int argc, char **argv);
/* The warnings of run i (oversubscribed, unstable, short, outliers,
 * smt-shared), as JSON warning objects. */
json_t *cb_sweep_run_warnings(const struct cb_sweep *s, size_t i);
/* Copies the per-worker figures of the sample nearest the estimator
 * (cb_run_detail_sample) of every run into the
 * model (detail, shipping, GIL) and derives: what the reporters read.
 * cb_sweep_tell calls it. */
void cb_sweep_settle(struct cb_sweep *s);

#endif
