/* Private to the process executors (processes.c, process_pool.c): how a
 * worker process is started, talked to, reaped and described, so that the
 * two differ only in what they exist to show (work split up front over
 * inherited memory vs. every record shipped through a bounded call queue).
 *
 * Channel model, common to both: one AF_UNIX stream socketpair per worker.
 * The parent's end is close-on-exec and non-blocking (multiplexed with
 * poll()); the worker holds the only copy of its end and uses blocking
 * I/O, so its death reads as EOF/EPIPE in the parent at once. Writes use
 * MSG_NOSIGNAL: a dead peer is EPIPE, never SIGPIPE, and the process-wide
 * SIGPIPE disposition is left alone. */
#ifndef CB_PROC_H
#define CB_PROC_H

#include <stddef.h>
#include <stdatomic.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "executor.h"

/* seconds stop() lets idle workers exit on EOF before SIGKILL */
#define CB__PROC_GRACE_S 2.0

/* One worker process as the parent sees it. An array of these (one per
 * worker, the first n started) is what the parent-side calls below take;
 * zeroed entries are "not started". */
struct cb__proc {
    pid_t pid;   /* 0: not started */
    int fd;      /* parent end of the channel, non-blocking; -1 once closed */
    atomic_int reaped; /* 0: not yet; 1: wait status collected; -1: gone,
                          status not collectable (ECHILD). Atomic: abort()
                          reads it from the watchdog thread or a signal
                          handler while the sweep's thread reaps. */
    int wstatus; /* its wait status once reaped == 1 */
};

/* ---- starting (parent, in start()) -------------------------------------- */

/* Runs in a forked child, after every descriptor but 0-2 and `fd` (the
 * child's end of its channel) has been closed. Must not return (end with
 * _exit: no atexit handlers, no stdio flushing in children). */
typedef void (*cb__proc_child_fn)(const void *arg, int i, int fd);
/* Parent: starts worker i by some other means than fork (posix_spawn),
 * handing it `fd`, the worker's end of the channel (close-on-exec; the
 * parent closes it afterwards). Sets *pid or fails with e filled. */
typedef int (*cb__proc_spawn_fn)(const void *arg, int i, int fd, pid_t *pid,
                                 struct cb_error *e);

/* Parent, in start(), once per worker i in order: creates the channel and
 * starts worker i, with spawn(arg, ...) if spawn is non-NULL, else by
 * fork() running child(arg, i, fd) in the child. On success *c holds the
 * pid and the parent's end (non-blocking); on failure nothing of worker i
 * is left open and e names `who` ("processes: fork of worker 2: ...").
 * The caller flushes stdio (fflush(NULL)) before the first call, so that
 * children do not flush the parent's buffered output a second time. */
int cb__proc_start(struct cb__proc *c, int i, const char *who,
                   cb__proc_child_fn child, cb__proc_spawn_fn spawn,
                   const void *arg, struct cb_error *e);

/* The descriptor a re-executed worker finds its channel on. */
#define CB__PROC_CHANNEL_FD 3

enum {
    CB__PROC_SEARCH = 1u << 0,    /* argv[0] is a name to look up on PATH */
    CB__PROC_NEW_GROUP = 1u << 1, /* the child leads a new process group */
};
/* Parent: posix_spawn of argv (argv[0] a path, or a name with
 * CB__PROC_SEARCH) with `fd` as the child's fd 3 (its channel) and nothing
 * else of the parent's inherited beyond 0-2, all signals unblocked. `fd`
 * may be close-on-exec. For a cb__proc_spawn_fn. On failure e names `who`:
 * CB_EUNSUPPORTED when the program does not exist. */
int cb__proc_spawn_fd3(char *const argv[], unsigned flags, int fd, pid_t *pid,
                       const char *who, struct cb_error *e);

/* ---- ending (parent) ---------------------------------------------------- */

/* Parent: waits for c until `deadline` (cb_now() seconds), then SIGKILLs
 * it and waits for good. Never blocks past the deadline on a live child;
 * no-op if c was never started or is already reaped. */
void cb__proc_reap(struct cb__proc *c, double deadline);

/* Parent, in map() (or start()) when c's channel ended (EOF, EPIPE): reaps
 * c (it is exiting: a second of grace, then SIGKILL) and writes how it
 * ended into buf: "KILLED by signal 9 (Killed)[, core dumped]", "exited
 * with status 3", ... where KILLED is the caller's wording ("killed",
 * "was killed"). */
void cb__proc_died(struct cb__proc *c, const char *killed, char *buf,
                   size_t len);

/* Parent, from stop() and a failing start(): closes the channels of
 * c[0..n) (idle workers exit on EOF), SIGKILLs the workers at once if
 * `now`, else after CB__PROC_GRACE_S, and reaps every one: no zombies.
 * n may be 0 (c may then be NULL). */
void cb__proc_shutdown(struct cb__proc *c, int n, int now);

/* Parent, async-signal-safe (an executor's abort()): SIGKILLs every
 * started, not yet reaped worker of c[0..n). Reaping is stop()'s. */
void cb__proc_kill_all(const struct cb__proc *c, int n);

/* ---- a pool's workers (parent) ------------------------------------------ */

/* The worker processes of one pool (processes, process-pool), started in
 * order and torn down alike. */
struct cb__procs {
    int n;                /* workers started: kid[0..n) */
    struct cb__proc *kid; /* one entry per worker of the pool */
};

/* Parent, in start(): allocates an entry per worker, flushes stdio
 * (children must not flush the parent's buffered output a second time)
 * and starts workers 0, 1, ... with cb__proc_start, counting them in
 * s->n. On failure e says why; what was started is cb__procs_end's. */
int cb__procs_start(struct cb__procs *s, int workers, const char *who,
                    cb__proc_child_fn child, cb__proc_spawn_fn spawn,
                    const void *arg, struct cb_error *e);

/* Parent, from stop() (now = the pool is broken) and a failing start()
 * (now = 1): cb__proc_shutdown of the started workers, then frees the
 * entries. */
void cb__procs_end(struct cb__procs *s, int now);

/* ---- I/O (either side) -------------------------------------------------- */

/* Fills dst with the part of src[0..n) that starts `off` bytes in; returns
 * the number of entries used (<= n). For resuming partial sendmsg/recvmsg. */
int cb__proc_iov_skip(struct iovec *dst, const struct iovec *src, int n,
                      size_t off);

/* Worker, on its blocking end: sends all of iov[0..n) (n <= 4) with
 * MSG_NOSIGNAL, retrying on EINTR and short writes. -1 when the parent is
 * gone. */
int cb__proc_sendv_all(int fd, const struct iovec *iov, int n);
/* The same for one buffer. */
int cb__proc_send_all(int fd, const void *buf, size_t len);

#endif
