/* The executor plug-in seam.
 *
 * An executor is a pool with a life cycle: start() (timed as pool start-up),
 * map() (timed as the work; may be called more than once per pool), stop()
 * (timed as shutdown). The harness owns timing, verification and results;
 * an executor only runs tasks and reports what each worker did. */
#ifndef CB_EXECUTOR_H
#define CB_EXECUTOR_H

#include <stdint.h>
#include <sys/types.h>

#include "../kernels/plugin.h"
#include "../kernels/kernel.h"

/* ---- executor parameters ------------------------------------------------
 *
 * The knobs an executor takes are declared by the executor, as a kernel
 * declares its params: a table of struct cb_xparam (name, the executor's
 * own default, how to check a value, how a label shows it). `run` sweeps
 * them with `--exec-param NAME=V1,V2` (-x; --chunksize, --schedule,
 * --switch-interval, --start-method and --python are names for the same),
 * gives each configuration the values it asked for and the defaults for
 * the rest, and records both. An executor reads its values with
 * cb_xparam() and the typed helpers below. A new knob is one line in the
 * executor's table (CB_XP_* below for the shared ones) and the code that
 * reads it: nothing in the harness changes. */
struct cb_xparam {
    const char *name;  /* "chunksize": [a-z_]+ */
    const char *def;   /* the executor's default, as text */
    const char *help;  /* one line, with what is accepted */
    /* in labels: "c" shows "c=16"; "" shows the bare value ("dynamic");
     * NULL shows "name=value" */
    const char *label;
    const char *unit;  /* appended to the value in labels ("us"), or NULL */
    int show_default;  /* labelled even when not asked (schedule) */
    int single;        /* one value per run, not swept (an interpreter) */
    /* Checks one value: CB_EUSAGE with a message naming it and what is
     * accepted. NULL: any non-empty text of at most CB_XPARAM_VAL - 1. */
    int (*check)(const char *value, struct cb_error *e);
};
#define CB_MAX_XPARAMS 8
#define CB_XPARAM_VAL 256

int cb_xp_check_chunksize(const char *v, struct cb_error *e);
int cb_xp_check_schedule(const char *v, struct cb_error *e);
int cb_xp_check_switch_interval(const char *v, struct cb_error *e);
int cb_xp_check_start_method(const char *v, struct cb_error *e);
/* The knobs several executors share, each executor giving its default. */
#define CB_XP_CHUNKSIZE(def)                                                   \
    {"chunksize", def, "tasks per dispatch: N (1..2^30), auto "              \
     "(ceil(n / (4 x workers)), multiprocessing.Pool) or default",            \
     "c", NULL, 0, 0, cb_xp_check_chunksize}
#define CB_XP_SCHEDULE(def)                                                    \
    {"schedule", def, "loop schedule: static, dynamic or guided", "", NULL, 1, \
     0, cb_xp_check_schedule}
/* CPython's own default, sys.getswitchinterval() = 0.005 */
#define CB_SWITCH_INTERVAL_DEFAULT_US 5000
#define CB__XSTR(x) #x
#define CB__STR(x) CB__XSTR(x)
#define CB_XP_SWITCH_INTERVAL                                                  \
    {"switch_interval", CB__STR(CB_SWITCH_INTERVAL_DEFAULT_US),                \
     "GIL switch interval, microseconds "                                      \
     "(1..10000000)", "si", "us", 0, 0, cb_xp_check_switch_interval}
#define CB_XP_START_METHOD(def)                                                \
    {"start_method", def, "how workers start: fork or spawn", "", NULL, 0, 0,  \
     cb_xp_check_start_method}

enum cb_schedule { CB_SCHED_STATIC, CB_SCHED_DYNAMIC, CB_SCHED_GUIDED };

/* A chunksize: the executor's own default, auto, or a count. */
enum cb_chunk_kind { CB_CHUNK_DEFAULT, CB_CHUNK_AUTO, CB_CHUNK_COUNT };
struct cb_chunk {
    enum cb_chunk_kind kind;
    long count; /* CB_CHUNK_COUNT: 1..2^30 */
};
/* "default", "auto" or a count; CB_EUSAGE otherwise. The one parser of a
 * chunksize (the command line, executor params, result files). */
int cb_chunk_parse(const char *s, struct cb_chunk *out, struct cb_error *e);

struct cb_pool; /* executor-private */
struct cb_exec_config {
    int workers;                /* 1..CB_MAX_WORKERS */
    /* pus[i] = OS index of the PU planned for worker i, or -1 for none.
     * NULL: no pinning at all. Owned by the caller, valid until stop(). */
    const int *pus;
    const char *self_exe;       /* path of corebench, for spawn */
    /* The workload the pool will map. Fork-based pools inherit it at
     * start(), as Python's fork start method does. */
    const struct cb_workload *workload;
    /* The executor's parameters, every one it declares: asked values, else
     * its defaults (cb_exec_config_params fills them). */
    int nxp;
    struct cb_xvalue {
        char name[32];
        char val[CB_XPARAM_VAL];
        int asked; /* given on the command line, not the default */
    } xp[CB_MAX_XPARAMS];
    /* Optional, set by the harness around start() (NULL otherwise): a
     * start() that waits on what it started (CPython's engine) calls
     * started(started_arg, p) as soon as abort(p) can act on the pool it
     * is building, and started(started_arg, NULL) before it frees a pool
     * it fails with, so that a start that hangs is ended like a map. */
    void (*started)(void *arg, struct cb_pool *p);
    void *started_arg;
};

/* What one worker did during one map. */
struct cb_worker_stats {
    uint64_t tasks;      /* tasks run */
    uint64_t chunks;     /* chunks (dispatches) taken */
    double busy_s;       /* wall seconds inside kernel run() */
    double cpu_s;        /* CPU seconds of the worker during the map */
    int pu_planned;      /* -1: not pinned */
    int cpu_first;       /* sched_getcpu() at the first task, -1 unknown */
    int cpu_last;        /* sched_getcpu() after the last task */
    int pinned;          /* 1 if binding succeeded */
    double lock_wait_s;  /* gil: seconds waiting for the lock */
    /* Wall seconds of the worker's part of the map, by the pool's own
     * timers: from the map's start (threads, thread-pool, gil, openmp,
     * processes, CPython's pools: the pool waking it or handing out work)
     * or its first task (process-pool: the first record it got) to its
     * last result handed back. span_s - busy_s is what being woken, getting work and
     * returning results cost it (docs/EFFICIENCY.md). 0: not measured
     * (serial, mpi: the span is taken as busy_s). */
    double span_s;
    uint64_t gil_acquires;
    int64_t pid;         /* worker process id (processes), else 0 */
    /* Interference over the worker's part of the map, measured by the
     * worker itself between cb_worker_sched_begin() and _end():
     * run_delay_s  seconds runnable but not running (the second field of
     *              /proc/thread-self/schedstat): another task held its CPU,
     *              or the wake-up after a block took that long;
     * csw_voluntary / csw_involuntary  context switches of the thread
     *              (getrusage RUSAGE_THREAD): it blocked / it was preempted.
     * `measured` says which were read (CB_WS_*); 0 means nobody measured
     * (an executor that skips the helpers, or a kernel without schedstat),
     * and the values are then meaningless (JSON null). */
    double run_delay_s;
    uint64_t csw_voluntary;
    uint64_t csw_involuntary;
    unsigned measured;
    /* Host name of the machine the worker ran on, for executors whose
     * workers can be on other machines (mpi); "" means this machine. */
    char host[64];
};

/* bits of cb_worker_stats.measured */
#define CB_WS_RUN_DELAY 1u /* run_delay_s is a measured delta */
#define CB_WS_CSW 2u       /* csw_voluntary, csw_involuntary are */

/* Filled by map(). The caller allocates w[] with nworkers entries and
 * zeroes the struct (cb_map_stats_reset). */
struct cb_map_stats {
    int nworkers;
    struct cb_worker_stats *w;
    long chunksize;              /* the chunksize actually used, 0 if n/a */
    uint64_t bytes_to_workers;   /* bytes copied into workers (serialized) */
    uint64_t bytes_from_workers; /* bytes copied back */
    uint64_t switches;           /* gil: ownership changes */
    uint64_t drop_requests;      /* gil: drop requests set */
    double lock_wait_s;          /* gil: total over workers */
    /* CB_EXEC_SELF_TIMED executors only: the pool start-up, this map and
     * the shutdown as timed inside the other runtime (seconds). The harness
     * records these instead of its own clock around start/map/stop, which
     * would also count talking to that runtime. */
    double self_start_s, self_map_s, self_stop_s;
};

enum cb_exec_caps {
    CB_EXEC_COPIES = 1u << 3,        /* ships records as bytes */
    CB_EXEC_GIL = 1u << 4,           /* runs tasks under a GIL */
    CB_EXEC_SINGLE = 1u << 5,        /* always one worker (serial) */
    CB_EXEC_PROCESSES = 1u << 6,     /* workers are processes */
    CB_EXEC_SELF_TIMED = 1u << 8,    /* map() fills st->self_*_s */
    /* Not in the default --executor list, run only when named: it needs a
     * launcher of its own (mpi runs under mpirun). */
    CB_EXEC_OPT_IN = 1u << 9,
};

/* What an executor says about the runtime it found (available()): e.g. the
 * interpreter's path and version. Recorded in the result's context. */
#define CB_EXEC_ABOUT_MAX 8
struct cb_exec_about {
    int n;
    struct {
        char key[32];
        char val[256];
    } kv[CB_EXEC_ABOUT_MAX];
    /* Optional: a JSON object (malloc'd text) whose members are added to
     * the same context entry, for what key=value lines cannot hold (e.g.
     * every host of a multi-host job). The caller frees it. */
    char *json;
};
/* Appends key=value to a (truncating; ignored past CB_EXEC_ABOUT_MAX). */
void cb_exec_about_add(struct cb_exec_about *a, const char *key,
                       const char *val);

struct cb_pool; /* executor-private */

/* The host this process runs on, as the harness's topology reads it
 * (allowed objects only): what an executor whose processes span hosts
 * (mpi) reports per host. Strings are terminated, "" when unknown. */
struct cb_host_topo {
    int packages, numa_nodes, cores, pus;
    int pus_per_core;      /* max SMT width, 1 = no SMT */
    char fingerprint[17];  /* the topology's fingerprint (corebench topo) */
    char allowed[256];     /* allowed PU OS indices, "0-3,8" */
    char cpu_model[128];
};

/* What the harness hands launched(): services a launched process may need
 * before any command runs. */
struct cb_exec_host {
    /* Fills *t for this host; 0, or a cb_status with e saying why. */
    int (*topo)(struct cb_host_topo *t, struct cb_error *e);
};

struct cb_executor {
    const char *name;
    const char *summary;
    unsigned caps;
    /* The parameters it takes, terminated by an entry with name NULL; NULL
     * for none. */
    const struct cb_xparam *params;
    /* The language runtime the tasks run in: NULL for C. Speedups divide
     * by the single-worker (CB_EXEC_SINGLE) executor of the same runtime,
     * never across runtimes: py-threads by py-serial, threads by serial. */
    const char *runtime;
    /* Optional: can this executor run here, with c's settings? Asked once
     * per sweep before anything is measured. 0: yes (and `about` may say
     * what it found). CB_EUNSUPPORTED: not on this machine or build; e says
     * why in one line, its configurations are skipped and the rest of the
     * sweep runs. CB_EUSAGE: not launched the way it must be; e says how
     * (the sweep stops before it starts, exit 2). NULL: always available. */
    int (*available)(const struct cb_exec_config *c,
                     struct cb_exec_about *about, struct cb_error *e);
    /* Starts workers. On failure *p is NULL and nothing is left running. */
    int (*start)(struct cb_pool **p, const struct cb_exec_config *c,
                 struct cb_error *e);
    /* Runs every task of w, outputs in submission order into outs
     * (w->n * w->out_size bytes). On a dead worker returns CB_EBROKEN naming
     * its pid and cause; the pool is then unusable except for stop(). */
    int (*map)(struct cb_pool *p, const struct cb_workload *w, void *outs,
               struct cb_map_stats *st, struct cb_error *e);
    /* Stops and reaps every worker; accepts NULL. */
    void (*stop)(struct cb_pool *p);
    /* Optional: makes a map in progress return, from another thread or a
     * signal handler while map() runs (a map past --task-timeout, an
     * interrupt): kills the worker processes with SIGKILL, so map() sees
     * them die and returns CB_EBROKEN; stop() then reaps them. Must be
     * async-signal-safe (kill() and plain reads only) and idempotent.
     * NULL: the workers are threads of this process (or ranks of a job)
     * and cannot be stopped safely; the harness then gives up on the map
     * and ends the process after writing what finished. */
    void (*abort)(struct cb_pool *p);
    /* Optional: entry point of a re-executed worker process
     * (`corebench __worker NAME ARGS...`, the spawn start method). argv[0]
     * is the executor name. Returns the process exit status. */
    int (*worker_main)(int argc, char **argv);
    /* Optional: for executors whose processes an outside launcher starts
     * (mpirun starts N copies of corebench, each running main()). main()
     * calls it for every registered executor before dispatching a command
     * (not for `__worker`), with main's arguments. It returns
     * CB_EXEC_CONTINUE in a process that goes on to run the command: one
     * not started by that launcher, or the one copy that owns the command
     * (MPI rank 0). In a helper copy it serves the owner until the owner is
     * done and returns the helper's exit status, which main() returns: a
     * helper never runs the command itself. host: what the harness offers
     * a launched process (its host's topology), so that the executor never
     * reads machine state through harness headers. */
    int (*launched)(int argc, char **argv, const struct cb_exec_host *host);
};
/* launched(): "not a helper, run the command" (never an exit status) */
#define CB_EXEC_CONTINUE (-1)

/* NULL-terminated registry, executors/registry.c */
extern const struct cb_executor *const cb_executors[];
const struct cb_executor *cb_executor_find(const char *name);
/* The single-worker executor (CB_EXEC_SINGLE) of x's runtime, the one its
 * speedups divide by: serial for C executors, py-serial for py-*. NULL if
 * the registry has none. */
const struct cb_executor *cb_executor_baseline(const struct cb_executor *x);

/* The declaration of parameter `name` of x, or NULL if x does not take it. */
const struct cb_xparam *cb_executor_param(const struct cb_executor *x,
                                          const char *name);

/* ---- parameters, for the harness and for executors (xparams.c) --------- */

/* Fills c->xp for executor x: for every parameter x declares, the value in
 * asked[] (names and values, nasked entries; checked) or else x's default.
 * Names in asked[] that x does not take are ignored (a sweep's parameters
 * go to the executors that take them). CB_EUSAGE naming a value that does
 * not check. */
int cb_exec_config_params(struct cb_exec_config *c,
                          const struct cb_executor *x,
                          const struct cb_xvalue *asked, int nasked,
                          struct cb_error *e);
/* Sets parameter `name` of c to val as if asked (tests, tools): no check,
 * no executor needed; 0, or -1 when c is full or a string too long. */
int cb_exec_config_set(struct cb_exec_config *c, const char *name,
                       const char *val);
/* The value of parameter `name` in c, or NULL (not one of its executor's). */
const char *cb_xparam(const struct cb_exec_config *c, const char *name);
/* ... as an integer, `fallback` when absent. */
long cb_xparam_long(const struct cb_exec_config *c, const char *name,
                    long fallback);
/* The "chunksize" parameter (CB_CHUNK_DEFAULT when absent). */
struct cb_chunk cb_exec_chunk(const struct cb_exec_config *c);
/* The "schedule" parameter (static when absent). */
enum cb_schedule cb_exec_schedule(const struct cb_exec_config *c);

/* ---- helpers for executors (executors/worker.c) ------------------------ */

/* The chunksize to use for n tasks: auto -> ceil(n/(4*workers)), the
 * executor default -> def, a count as it is. Never less than 1. */
long cb_exec_chunksize(const struct cb_exec_config *c, size_t n, long def);
/* The same for a chunksize given apart from a configuration. */
long cb_chunk_size(struct cb_chunk ch, int workers, size_t n, long def);

/* Called by each worker (thread or process) once, on itself, before work:
 * binds to c->pus[i] when pinning is on and records the plan in ws. */
void cb_worker_bind(const struct cb_exec_config *c, int i,
                    struct cb_worker_stats *ws);

/* Runs tasks [lo, hi) of w into outs, timing busy time and recording the
 * CPU observed, into ws. The common inner loop of every executor. */
void cb_worker_run_range(const struct cb_workload *w, size_t lo, size_t hi,
                         void *outs, struct cb_ctx *ctx,
                         struct cb_worker_stats *ws);

/* cb_worker_run_range without the clock reads and CPU lookups: counts
 * tasks and chunks only. For loops that take many small chunks and time
 * themselves once around all of them (two clock reads per chunk would
 * double the dispatch cost such a loop exists to measure); the caller
 * fills busy_s, cpu_first and cpu_last. */
void cb_worker_run_chunk(const struct cb_workload *w, size_t lo, size_t hi,
                         void *outs, struct cb_ctx *ctx,
                         struct cb_worker_stats *ws);

/* The interference reading (run delay, context switches) of the calling
 * thread over one span, in two calls every executor's workers make on
 * themselves: _begin as the worker starts its part of a map (after
 * cb_worker_bind), _end when it is done, before it reports ws. _end sets
 * run_delay_s, csw_voluntary, csw_involuntary and `measured` in ws (it
 * overwrites: one span per worker per map). Cost: begin opens
 * /proc/thread-self/schedstat and reads it, end reads it again and closes
 * it, plus one getrusage each (~7 us per worker per map on the
 * development VM), never anything per task. The mark lives on the
 * worker's stack between the two; a failed open or read leaves the
 * matching bit of `measured` clear, never an error. */
struct cb_sched_mark {
    int fd;                /* /proc/thread-self/schedstat, -1 if none */
    uint64_t run_delay_ns; /* at begin */
    uint64_t nvcsw, nivcsw;
    unsigned ok;           /* CB_WS_* read at begin */
};
void cb_worker_sched_begin(struct cb_sched_mark *m);
void cb_worker_sched_end(struct cb_sched_mark *m, struct cb_worker_stats *ws);

/* Parses the text of a /proc/PID/schedstat file ("RUNTIME RUN_DELAY
 * SLICES", nanoseconds) into *run_delay_ns. Returns 0, or -1 if the text
 * does not have that form. Exposed for tests. */
int cb_schedstat_parse(const char *text, uint64_t *run_delay_ns);

void cb_map_stats_reset(struct cb_map_stats *st);

/* Tests' fault injection (executors/inject.c): with CB_INJECT set, wraps
 * w's kernel so that one task crashes, hangs, answers wrong, exits or
 * stops its worker. Called wherever a workload is built; a no-op without
 * CB_INJECT. */
void cb_inject_apply(struct cb_workload *w);
/* CB_INJECT's value checked: CB_EUSAGE naming it and the accepted forms
 * (`corebench run` refuses a malformed one, exit 2, before anything). */
int cb_inject_check(struct cb_error *e);
/* Tests only: the sweep's m-th map starts (CB_INJECT's ,map=M). */
void cb_inject_map(long m);

/* In a worker process that did not inherit the workload (a spawned or
 * remote worker): rebuilds the parent's workload with kernel `kernel`'s
 * prepare() from the size preset (NULL or "" for the default) and the
 * parent's resolved parameters (its w->params), then checks that it has
 * the parent's n and record sizes. Parameters the kernel does not accept
 * are dropped (derived values recorded for results), except "seed", which
 * becomes cb_params.seed. CB_EUSAGE naming what differs; on failure w
 * holds nothing to release. */
int cb_workload_rebuild(struct cb_workload *w, const char *kernel,
                        const char *size, const struct cb_kv *params,
                        int nparams, size_t n, size_t in_size,
                        size_t out_size, struct cb_error *e);

#endif
