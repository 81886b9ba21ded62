/* The kernel plug-in seam.
 *
 * A kernel is a workload of n tasks. Each task maps one fixed-size input
 * record to one fixed-size output record with a pure function (run), so any
 * executor can split, ship or scatter records without knowing the kernel.
 * verify() checks every output independently of run() (Euclid for gcd,
 * multiplication + primality for factorize, closed form for sums). */
#ifndef CB_KERNEL_H
#define CB_KERNEL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin.h"

/* ---- execution context handed to run() -------------------------------- */

/* Executors that need to interrupt running kernels (the emulated GIL) set
 * `breaker` and `on_break`; all others leave the context zeroed and
 * cb_checkpoint() costs one predictable branch. The context belongs to one
 * worker thread and is only touched by it. */
struct cb_ctx {
    const atomic_int *breaker;                 /* nonzero: call on_break */
    void (*on_break)(struct cb_ctx *ctx);      /* like CPython's eval breaker */
    void (*on_block)(struct cb_ctx *ctx, int begin); /* blocking section edge */
    void *owner;                               /* executor-private */
    int worker;                                /* worker index, 0-based */
};

/* Called by kernels in their inner loops (a CPython "back edge").
 *
 * Codegen note (measured, gcc 12, factorize): testing `ctx->breaker` for
 * NULL in the loop lets gcc -O3 unswitch the loop into a checkpoint-free
 * copy for disarmed contexts and a slow copy for armed ones (~1.7x the CPU
 * time), so the gil executor looked far slower than serial for reasons
 * that have nothing to do with a GIL. Selecting a never-set flag instead
 * leaves one unconditional load + predicted branch per back edge, armed or
 * not (as CPython's eval loop checks eval_breaker serially too). */
static const atomic_int cb__no_break = 0;
static inline void cb_checkpoint(struct cb_ctx *ctx)
{
    const atomic_int *b = ctx->breaker ? ctx->breaker : &cb__no_break;
    if (__builtin_expect(atomic_load_explicit(b, memory_order_relaxed) != 0,
                         0))
        ctx->on_break(ctx);
}
/* Around blocking calls (Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS). */
static inline void cb_blocking_begin(struct cb_ctx *ctx)
{
    if (ctx->on_block)
        ctx->on_block(ctx, 1);
}
static inline void cb_blocking_end(struct cb_ctx *ctx)
{
    if (ctx->on_block)
        ctx->on_block(ctx, 0);
}

/* ---- parameters -------------------------------------------------------- */

#define CB_MAX_PARAMS 16

struct cb_kv {
    char key[32];
    char val[64];
};

/* What the user asked for. `size` is one of tiny|small|default|large|seed
 * (NULL means default); kv holds --param key=value pairs, validated by the
 * kernel's prepare(). */
struct cb_params {
    const char *size;
    int nkv;
    struct cb_kv kv[CB_MAX_PARAMS];
    uint64_t seed; /* input generator seed; the same seed gives the same inputs
                      in C and in python/ */
};

/* ---- workload ------------------------------------------------------------ */

struct cb_kernel;

/* Built by kernel->prepare(), released by kernel->release(). Read-only
 * while executors run it, so threads share it and forked children inherit
 * it. */
struct cb_workload {
    const struct cb_kernel *kernel;
    size_t n;        /* number of tasks */
    size_t in_size;  /* bytes per input record */
    size_t out_size; /* bytes per output record */
    void *in;        /* n * in_size bytes, owned by the workload */
    void *state;     /* kernel-private, owned by the workload */
    char size[16];   /* the size preset resolved ("tiny", ...) */
    /* Every parameter that defines the workload, resolved (defaults filled
     * in), in a stable order: written to the result file and used by
     * compare to match configurations. */
    int nparams;
    struct cb_kv params[CB_MAX_PARAMS];
    /* Useful work per map, for rates in the report: e.g. elements summed.
     * work_unit NULL when there is no meaningful unit. */
    double work;
    const char *work_unit;
    /* Bytes of memory the kernel itself writes + reads per map (sum
     * materializes its chunks): compared with the bandwidth ceiling. */
    double bytes_touched;
    /* Bytes one task keeps live while it runs (sum: its chunk, written
     * then read back), so also what each worker cycles through, since a
     * worker runs one task at a time. Decides which bandwidth is the
     * kernel's ceiling: a working set that fits a cache streams at that
     * cache's triad, not DRAM's (harness/run/probe.h, cb_ceiling_pick). Set by
     * kernels with bytes_touched; 0: not declared. */
    double working_set_bytes;
};

enum cb_kernel_flags {
    CB_KERNEL_BLOCKS = 1u << 0, /* spends its time in blocking sections */
    CB_KERNEL_MEMORY = 1u << 1, /* bound by memory bandwidth */
    CB_KERNEL_NO_WORK = 1u << 2, /* tasks do nothing: time is dispatch cost */
    /* tasks run for a fixed time: a map's time and speedup say nothing,
     * the kernel's metrics() do (convoy) */
    CB_KERNEL_TIMED = 1u << 3,
};

/* A figure of merit read from a map's outputs, beyond the map's time. */
struct cb_metric {
    const char *name; /* identifier: "io_op_s" */
    const char *unit; /* "s", "batches", ... */
    const char *what; /* one line for people */
    double value;
};
#define CB_MAX_METRICS 4

struct cb_kernel {
    const char *name;
    const char *summary;
    unsigned flags;
    /* Comma-separated list of accepted --param keys, for help and errors. */
    const char *param_help;
    /* Builds the workload. Rejects unknown params and bad values with
     * CB_EUSAGE and a message naming the value and what is accepted. On
     * failure w holds nothing that needs releasing. */
    int (*prepare)(struct cb_workload *w, const struct cb_params *p,
                   struct cb_error *e);
    /* One task: in -> out. Pure, reentrant; may be called from any thread
     * or process. */
    void (*run)(const struct cb_workload *w, const void *in, void *out,
                struct cb_ctx *ctx);
    /* Checks all n outputs; CB_EVERIFY with the first bad task index. */
    int (*verify)(const struct cb_workload *w, const void *outs,
                  struct cb_error *e);
    /* Optional: fills up to max metrics from a verified map's outputs and
     * returns how many (the same names, in the same order, every map).
     * The harness records them per sample and sets each beside the same
     * runtime's serial baseline. */
    int (*metrics)(const struct cb_workload *w, const void *outs,
                   struct cb_metric *m, int max);
    /* Frees what prepare() allocated; accepts a zeroed workload. */
    void (*release)(struct cb_workload *w);
    /* Optional, for sizes that fit the machine and weak scaling
     * (harness/run/fit.c). tasks_param: the --param that counts tasks (a
     * user who sets it keeps it). task_s: nominal seconds of one task of
     * the default size on the development VM (its calibration comment).
     * resize: appends to p the parameters that make prepare() build
     * `tasks` tasks each costing what one of w's costs (the total work
     * grows with them); NULL: the kernel keeps its sizes. */
    const char *tasks_param;
    double task_s;
    int (*resize)(const struct cb_workload *w, uint64_t tasks,
                  struct cb_params *p, struct cb_error *e);
};

/* NULL-terminated registry, kernels/registry.c */
extern const struct cb_kernel *const cb_kernels[];
const struct cb_kernel *cb_kernel_find(const char *name);

/* Helpers for prepare(): see kernels/params.c */
const char *cb_params_get(const struct cb_params *p, const char *key);
/* Appends "KEY=VALUE" (non-empty key and value that fit struct cb_kv) to
 * p->kv. Fails with CB_EUSAGE and a one-line "--param ..." message on a
 * malformed pair or past CB_MAX_PARAMS. Used by `run --param` and by
 * spawned workers rebuilding the parent's parameters. */
int cb_params_add(struct cb_params *p, const char *key_eq_value,
                  struct cb_error *e);
/* Fails with CB_EUSAGE naming the first key not in the comma-separated
 * `accepted` list. */
int cb_params_check(const struct cb_params *p, const char *kernel,
                    const char *accepted, struct cb_error *e);
/* Reads key as an integer in [min, max], default def when absent. */
int cb_params_u64(const struct cb_params *p, const char *key, uint64_t def,
                  uint64_t min, uint64_t max, uint64_t *out,
                  struct cb_error *e);
/* Appends a resolved parameter to w->params (silently truncates at
 * CB_MAX_PARAMS, which prepare() never reaches). */
void cb_workload_param(struct cb_workload *w, const char *key,
                       const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Runs the kernel on every task serially (reference path for tests). */
void cb_workload_run_all(const struct cb_workload *w, void *outs);
/* The --size presets, in the order they are listed. */
enum cb_size {
    CB_SIZE_TINY,
    CB_SIZE_SMALL,
    CB_SIZE_DEFAULT,
    CB_SIZE_LARGE,
    CB_SIZE_SEED,
};
/* The start of every prepare(): zeroes w, sets w->kernel = k, rejects keys
 * not in k->param_help (cb_params_check), resolves p->size (NULL means
 * default) into w->size, failing with CB_EUSAGE "--size X: not a size of
 * kernel K (accepted: tiny, small, default, large, seed)", and reads the
 * "seed" param (default p->seed). Returns the enum cb_size, or < 0. */
int cb_prepare_begin(struct cb_workload *w, const struct cb_kernel *k,
                     const struct cb_params *p, uint64_t *seed,
                     struct cb_error *e);
/* Memory a workload may take: half of the smallest of physical memory,
 * ulimit -v and ulimit -d (or cb_workload_memory_cap when nonzero: tests
 * and fuzzers set it to keep prepare() cheap). *what, when non-NULL, names
 * the limit that applied ("physical memory", ...). */
extern uint64_t cb_workload_memory_cap;
uint64_t cb_memory_budget(const char **what);
/* Checked by every prepare() before it allocates: n tasks of per_task
 * bytes (input record + output record, the harness's copy of the outputs
 * included) must fit in cb_memory_budget(). Else CB_EUSAGE "--param
 * PARAM=N: kernel K would need X of inputs and outputs (..), more than the
 * limit of Y, half of physical memory (accepted: PARAM <= MAX)". */
int cb_workload_fits(const char *kernel, const char *param, uint64_t n,
                     uint64_t per_task, struct cb_error *e);
/* The echo layout (empty, sleep): n tasks of 8 bytes in and out, task i's
 * input its 1-based number i + 1; work is n "tasks". CB_EUSAGE if n tasks
 * do not fit (cb_workload_fits), CB_ENOMEM "KERNEL: no memory for N
 * tasks". */
int cb_workload_echo(struct cb_workload *w, uint64_t n, struct cb_error *e);
/* verify() of the echo layout: output i must be i + 1, i.e. every task ran
 * exactly once and landed in its own slot (a zeroed slot never passes). */
int cb_verify_echo(const struct cb_workload *w, const void *outs,
                   struct cb_error *e);
/* resize() of a kernel whose tasks cost the same whatever their number:
 * appends n=TASKS. */
int cb_resize_n(const struct cb_workload *w, uint64_t tasks,
                struct cb_params *p, struct cb_error *e);
/* release() that frees w->in and w->state; accepts a zeroed workload. */
void cb_workload_release(struct cb_workload *w);

#endif
