/* Interference: was a sample slowed by something outside the benchmark?
 *
 * What a guest can see of it, per worker of each sample:
 *  - run delay: time runnable but not running (schedstat), measured by
 *    each worker over its part of the map (executors/worker.c): another
 *    task of this machine held its CPU;
 *  - steal: time the hypervisor gave the worker's vCPU to another guest
 *    (/proc/stat, 8th column, of the CPU the worker was pinned to or last
 *    ran on, over the sample: 10 ms steps). A guest's run delay does not
 *    see it, and with paravirtual steal accounting it is not in the
 *    worker's CPU time either: it is about wall - CPU - run delay;
 *  - CPU rate: the workers' CPU seconds for the sample's fixed work
 *    against the configuration's reference (the median of its samples so
 *    far, cb_interf_cpu_norm): an SMT sibling busy with another guest, a
 *    frequency drop, or steal billed as run time make the same work cost
 *    more CPU time without delaying anyone.
 * Each is turned into the time it can have added to the sample (its
 * stretch), and the threshold is relative to the sample:
 *
 *     lost_i   = run_delay_i - allow_per_switch * switches_i + steal_i
 *     cpu_x    = sum_i cpu_i - (1 + cpu_tolerance) * cpu_ref  (>= 0)
 *     stretch  = max_i lost_i + cpu_x
 *     flagged when stretch > share * sample duration
 *
 * A worker delayed or robbed of d seconds finishes at most d later, and
 * the extra CPU seconds, at worst all on one worker, at most cpu_x later:
 * stretch bounds how much the sample was slowed. The sample is
 * `interfered` when stretch passes the limit; the verdict names the
 * worker with the largest lost time, its CPU, and the largest part of the
 * stretch (`cause`).
 *
 * Why these numbers (defaults, CB_INTERF_*):
 *  - share 2%: the rule is there to set aside samples slowed by more than
 *    2% (issue 15's targets: at least 90% of those flagged, at most 10%
 *    of a quiet run's samples flagged). stretch bounds the slowdown from
 *    above, so a sample that outside work slowed by more than 2% has a
 *    stretch over 2% whenever the signals saw that work; a lower share
 *    would only flag samples that cannot have been slowed by 2%. The
 *    issue's VM flagged ordinary 0.30 s samples for 6-10 ms of run delay
 *    under the old 1%; now 6 ms (2%) is under the limit and 10 ms still
 *    over it, because a worker delayed 10 ms can finish 10 ms late. (On a
 *    balancing executor (thread-pool, process-pool) the others take over
 *    its tasks and the map ends about d / workers late: the bound is
 *    loose there, not yet used.) Measured with scripts/noisy-neighbor.sh
 *    and scripts/neighbor-check.py on the shared 2-vCPU development VM
 *    (README, "Interference"): with the neighbour at 20% duty every
 *    sample it slowed by more than 2% was flagged (47 of 47 in a lull,
 *    108 of 108 under load). In a lull without it 71% of the samples were
 *    flagged, mostly for CPU rate, and they were slower (wall and CPU
 *    time together, up to 39% on factorize): a busy host, not false
 *    alarms; of the samples within 2% of their configuration's best, 4 of
 *    32 were flagged. The quiet-run rate wants a quiet host.
 *  - 50 us per context switch: some run delay is the benchmark's own. A
 *    worker woken after a block waits for its CPU to come out of idle or
 *    for the waker to get off it (1-15 us per wake measured on the VM), and
 *    a process pool's parent preempts a worker for each result it reads
 *    (~15 us each, shown as involuntary switches). A competing CPU-bound
 *    task, once it has the CPU, keeps it for a whole scheduler slice
 *    (0.75-3 ms), 50 times more. The allowance absorbs the first and not
 *    the second. Its price: a worker that switches thousands of times per
 *    map (process-pool on the empty kernel at chunksize 1) gets an
 *    allowance larger than any disturbance, so such samples are never
 *    flagged for run delay.
 *  - CPU tolerance: 10% of the reference, or the configuration's own
 *    spread when that is wider (3.5 robust standard deviations, 1.4826 x
 *    the MAD of its CPU times: the outlier rule's modified z-score 3.5).
 *    On a shared-host VM with nothing else running in the guest (0.6%
 *    outside load, 0.1% steal) the same work's CPU time moved by up to 7%
 *    between samples, wall time with it, and a 1% tolerance set aside 84%
 *    of make bench's samples (575 of 588 flags "cpu rate"): the host's own
 *    weather, not a neighbour a user could act on. The memory-bound sum
 *    kernel moves far more: its samples on the same VM ran 267-545 ms for
 *    the same work, most of them 40-100% above the fastest; judged against
 *    its least CPU time with 10% (before issue 15's second pass), 229 of
 *    its 260 samples were flagged "cpu rate", fewer than --min-samples
 *    stayed clean, and every sum configuration ran to --max-samples past
 *    make bench's budget (200 s instead of 180). Against the median and
 *    its own spread a sample is flagged when its CPU time is unusual for
 *    its configuration, not when its configuration is noisy. Beyond the
 *    tolerance the excess counts in full: an SMT sibling or a frequency
 *    drop that slows one sample of a steady kernel by a tenth or more is
 *    flagged.
 *
 * Run delay is not judged for workers that share a CPU with another
 * worker of the same sample (pinned to the same PU, or unpinned with more
 * workers than CPUs): they wait for each other by design. Their steal and
 * CPU time still count. A sample with nothing to judge (no run delay, no
 * steal, no CPU time, or zero length) is `unknown`, not clean.
 *
 * Pure functions, no I/O. */
#ifndef CB_INTERFERENCE_H
#define CB_INTERFERENCE_H

#include <stddef.h>
#include <stdint.h>

#include "executors/executor.h"

#define CB_INTERF_SHARE 0.02
#define CB_INTERF_SWITCH_S 50e-6
#define CB_INTERF_CPU_TOL 0.10
/* /proc/stat counts steal in USER_HZ ticks (100 per second on Linux): one
 * tick in a sample's window is within the counter's resolution (it may
 * stand for anything from 0 to 10 ms), so steal counts beyond one tick.
 * Without it, make bench on a quiet VM set aside 63 samples for a single
 * tick each. */
#define CB_INTERF_STEAL_TICK_S 0.01

/* What the rule needs of one worker of one sample. */
struct cb_interf_worker {
    double run_delay_s;       /* NaN or < 0: not measured */
    uint64_t csw_voluntary;   /* context switches over the same span */
    uint64_t csw_involuntary;
    int cpu;    /* the PU it was pinned to, else the last CPU seen; -1 */
    int pinned; /* 1: bound to `cpu`, could not move away */
    double cpu_s;   /* its CPU seconds over the map; NaN not measured */
    double steal_s; /* steal of `cpu` over the sample; NaN unknown */
};

struct cb_interf_rule {
    double share;            /* of the sample duration, e.g. 0.02 */
    double allow_per_switch; /* seconds of run delay forgiven per switch */
    /* the configuration's reference CPU seconds for the sample's work
     * (cb_interf_cpu_ref), NaN: none; and the share of it forgiven */
    double cpu_ref_s, cpu_tolerance;
    /* steal forgiven per worker: the counter's resolution (one tick) */
    double steal_tick_s;
    /* CPUs the workers could use (allowed PUs); 0: unknown. Unpinned
     * workers outnumbering them wait for each other: not judged. */
    int cpus;
};

enum cb_interf_status {
    CB_INTERF_CLEAN = 0,
    CB_INTERF_INTERFERED = 1,
    CB_INTERF_UNKNOWN = -1,
};

struct cb_interf_verdict {
    enum cb_interf_status status;
    /* The worker with the largest excess among those judged (the flagged
     * one when interfered); -1 when none was judged. */
    int worker;
    int cpu;          /* its CPU, -1 unknown */
    int pinned;
    double delay_s;   /* its run delay */
    double excess_s;  /* run delay beyond its switch allowance */
    double limit_s;   /* share * duration: what stretch had to exceed */
    double steal_s;   /* the most steal seen on a worker's CPU; NaN none */
    double cpu_s;     /* sum of the workers' CPU seconds; NaN unknown */
    double cpu_excess_s; /* cpu_x above; NaN without a reference */
    double lost_s;    /* max over workers of delay excess + steal */
    double stretch_s; /* lost_s + cpu_excess_s: what it may have cost */
    const char *cause; /* "run delay", "steal", "cpu rate"; NULL clean */
    int flagged;      /* workers whose own lost time is over the limit */
    int judged;       /* workers judged (measured) */
    /* unknown: why ("no run delay measured", "zero-length sample",
     * "workers share CPUs"); otherwise NULL. Static strings. */
    const char *reason;
};

/* r NULL: the defaults. */
void cb_interf_rule_default(struct cb_interf_rule *r);

/* Judges one sample of `duration_s` seconds run by n workers. Never fails:
 * what cannot be judged is CB_INTERF_UNKNOWN with a reason. Returns
 * v->status. */
enum cb_interf_status cb_interference_judge(const struct cb_interf_rule *r,
                                            double duration_s,
                                            const struct cb_interf_worker *w,
                                            int n,
                                            struct cb_interf_verdict *v);

/* Judges again a verdict of cb_interference_judge under r's CPU
 * reference (which falls as better samples come): recomputes
 * cpu_excess_s, stretch_s, cause and status from v's own figures. An
 * unknown verdict with a reason stays as it is. Returns v->status. */
enum cb_interf_status cb_interf_rejudge(const struct cb_interf_rule *r,
                                        struct cb_interf_verdict *v);

/* Fills out[0..n) from the executor's per-worker stats of one sample:
 * run delay only where it was measured (else NaN), the PU when pinned,
 * else cpu_last, its CPU time; steal NaN (the caller knows the machine). */
void cb_interf_from_stats(const struct cb_worker_stats *ws, int n,
                          struct cb_interf_worker *out);

/* The CPU reference of a configuration from the sums of its samples'
 * worker CPU seconds (cpu[0..n), NaN and non-positive entries skipped):
 * *ref the median, *tol the share of it forgiven, the larger of min_tol
 * and CB_INTERF_CPU_SPREAD x the MAD over the median. NaN (both) when
 * there is none. O(n log n). */
#define CB_INTERF_CPU_SPREAD (3.5 * 1.4826)
void cb_interf_cpu_norm(const double *cpu, size_t n, double min_tol,
                        double *ref, double *tol);

/* "clean", "interfered", "unknown" */
const char *cb_interf_status_name(enum cb_interf_status s);

#endif
