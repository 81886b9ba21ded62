/* Worker processes for the process executors: see proc.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

extern char **environ;

/* ---- starting ------------------------------------------------------------ */

/* Forked child: closes every descriptor except 0-2 and `keep`, so that no
 * child holds another worker's channel (which would hide that worker's
 * EOF) or any descriptor of the parent's. */
static void proc_close_others(int keep)
{
#ifdef SYS_close_range
    if (keep > 3 && syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0u) != 0)
        goto slow;
    if (syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) != 0)
        goto slow;
    return;
slow:
#endif
    for (long fd = 3, max = sysconf(_SC_OPEN_MAX); fd < max && fd < 65536; fd++)
        if (fd != keep)
            close((int)fd);
}

int cb__proc_start(struct cb__proc *c, int i, const char *who,
                   cb__proc_child_fn child, cb__proc_spawn_fn spawn,
                   const void *arg, struct cb_error *e)
{
    int sv[2], rc;
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return CB_FAIL(e, CB_ESYS, "%s: socketpair: %s", who, strerror(errno));
    if (spawn) {
        rc = spawn(arg, i, sv[1], &pid, e);
        if (rc) {
            close(sv[0]);
            close(sv[1]);
            return rc;
        }
    } else {
        pid = fork();
        if (pid < 0) {
            rc = CB_FAIL(e, CB_ESYS, "%s: fork of worker %d: %s", who, i,
                         strerror(errno));
            close(sv[0]);
            close(sv[1]);
            return rc;
        }
        if (pid == 0) {
            proc_close_others(sv[1]);
            child(arg, i, sv[1]); /* never returns */
            _exit(1);
        }
    }
    close(sv[1]);
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    c->pid = pid;
    c->fd = sv[0];
    atomic_store(&c->reaped, 0);
    return 0;
}

static int proc_spawn_exec(char *const argv[], unsigned flags, int fd,
                           pid_t *pid, const char *who, struct cb_error *e)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none;
    int err;

    if ((err = posix_spawn_file_actions_init(&fa)))
        return CB_FAIL(e, CB_ESYS, "%s: spawn: %s", who, strerror(err));
    if ((err = posix_spawnattr_init(&at))) {
        posix_spawn_file_actions_destroy(&fa);
        return CB_FAIL(e, CB_ESYS, "%s: spawn: %s", who, strerror(err));
    }
    /* fd is close-on-exec like every descriptor of a pool; dup2 onto fd 3
     * gives the child one inheritable copy (fd is > 3, see the caller) */
    err = posix_spawn_file_actions_adddup2(&fa, fd, CB__PROC_CHANNEL_FD);
    /* and nothing else the parent left inheritable (glibc >= 2.34) */
    if (!err)
        err = posix_spawn_file_actions_addclosefrom_np(
            &fa, CB__PROC_CHANNEL_FD + 1);
    sigemptyset(&none);
    if (!err)
        err = posix_spawnattr_setsigmask(&at, &none);
    if (!err && flags & CB__PROC_NEW_GROUP)
        err = posix_spawnattr_setpgroup(&at, 0);
    if (!err)
        err = posix_spawnattr_setflags(
            &at, POSIX_SPAWN_SETSIGMASK |
                     (flags & CB__PROC_NEW_GROUP ? POSIX_SPAWN_SETPGROUP : 0));
    if (!err)
        err = (flags & CB__PROC_SEARCH ? posix_spawnp : posix_spawn)(
            pid, argv[0], &fa, &at, argv, environ);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    if (err)
        return CB_FAIL(e, err == ENOENT ? CB_EUNSUPPORTED : CB_ESYS,
                       "%s: cannot start %s: %s", who, argv[0],
                       strerror(err));
    return 0;
}

int cb__proc_spawn_fd3(char *const argv[], unsigned flags, int fd, pid_t *pid,
                       const char *who, struct cb_error *e)
{
    int hi, rc;
    if (fd > CB__PROC_CHANNEL_FD)
        return proc_spawn_exec(argv, flags, fd, pid, who, e);
    /* dup2(3, 3) would not clear close-on-exec: spawn from a copy above */
    hi = fcntl(fd, F_DUPFD_CLOEXEC, CB__PROC_CHANNEL_FD + 1);
    if (hi < 0)
        return CB_FAIL(e, CB_ESYS, "%s: fcntl: %s", who, strerror(errno));
    rc = proc_spawn_exec(argv, flags, hi, pid, who, e);
    close(hi);
    return rc;
}

/* ---- ending -------------------------------------------------------------- */

/* Collects c's wait status once it has exited (flags: WNOHANG or 0):
 * 1 done, 0 still running, -1 not collectable (ECHILD). The exit is first
 * seen with WNOWAIT, leaving a zombie that holds the pid, and `reaped` is
 * set before the real wait: cb__proc_kill_all, on another thread or in a
 * signal handler, then never signals a pid the system has handed to an
 * unrelated process. */
static int proc_collect(struct cb__proc *c, int flags)
{
    siginfo_t si;
    int st = 0;
    pid_t r;
    memset(&si, 0, sizeof si);
    while (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOWAIT | flags) < 0)
        if (errno != EINTR) {
            atomic_store(&c->reaped, -1); /* reaped elsewhere (SIGCHLD
                                              ignored?) */
            return -1;
        }
    if (si.si_pid != c->pid)
        return 0; /* WNOHANG, still running */
    atomic_store(&c->reaped, 1);
    while ((r = waitpid(c->pid, &st, 0)) < 0 && errno == EINTR)
        ;
    c->wstatus = st;
    if (r != c->pid)
        atomic_store(&c->reaped, -1);
    return r == c->pid ? 1 : -1;
}

void cb__proc_reap(struct cb__proc *c, double deadline)
{
    long nap_ns = 20000;
    if (c->pid <= 0 || atomic_load(&c->reaped))
        return;
    for (;;) {
        if (proc_collect(c, WNOHANG))
            return;
        if (cb_now() >= deadline) {
            kill(c->pid, SIGKILL);
            proc_collect(c, 0);
            return;
        }
        struct timespec ts = {0, nap_ns};
        nanosleep(&ts, NULL);
        if (nap_ns < 5000000)
            nap_ns *= 2;
    }
}

void cb__proc_died(struct cb__proc *c, const char *killed, char *buf,
                   size_t len)
{
    int ws;
    cb__proc_reap(c, cb_now() + 1.0);
    ws = c->wstatus;
    if (atomic_load(&c->reaped) != 1)
        snprintf(buf, len, "ended (its exit status could not be collected)");
    else if (WIFSIGNALED(ws))
        snprintf(buf, len, "%s by signal %d (%s)%s", killed, WTERMSIG(ws),
                 strsignal(WTERMSIG(ws)), WCOREDUMP(ws) ? ", core dumped" : "");
    else if (WIFEXITED(ws))
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(ws));
    else
        snprintf(buf, len, "ended with wait status 0x%x", ws);
}

void cb__proc_shutdown(struct cb__proc *c, int n, int now)
{
    double deadline = cb_now() + (now ? 0.0 : CB__PROC_GRACE_S);
    for (int i = 0; i < n; i++) {
        if (c[i].fd >= 0)
            close(c[i].fd);
        c[i].fd = -1;
        if (now && c[i].pid > 0 && !atomic_load(&c[i].reaped))
            kill(c[i].pid, SIGKILL);
    }
    for (int i = 0; i < n; i++)
        cb__proc_reap(&c[i], deadline);
}

void cb__proc_kill_all(const struct cb__proc *c, int n)
{
    for (int i = 0; c && i < n; i++)
        if (c[i].pid > 0 && !atomic_load(&c[i].reaped))
            kill(c[i].pid, SIGKILL);
}

int cb__procs_start(struct cb__procs *s, int workers, const char *who,
                    cb__proc_child_fn child, cb__proc_spawn_fn spawn,
                    const void *arg, struct cb_error *e)
{
    s->n = 0;
    s->kid = calloc((size_t)workers, sizeof *s->kid);
    if (!s->kid)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    fflush(NULL);
    for (int i = 0; i < workers; i++) {
        int rc = cb__proc_start(&s->kid[i], i, who, child, spawn, arg, e);
        if (rc)
            return rc;
        s->n = i + 1;
    }
    return 0;
}

void cb__procs_end(struct cb__procs *s, int now)
{
    cb__proc_shutdown(s->kid, s->n, now);
    free(s->kid);
    s->kid = NULL;
    s->n = 0;
}

/* ---- I/O ----------------------------------------------------------------- */

int cb__proc_iov_skip(struct iovec *dst, const struct iovec *src, int n,
                      size_t off)
{
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (off >= src[i].iov_len) {
            off -= src[i].iov_len;
            continue;
        }
        dst[m].iov_base = (char *)src[i].iov_base + off;
        dst[m].iov_len = src[i].iov_len - off;
        off = 0;
        m++;
    }
    return m;
}

int cb__proc_sendv_all(int fd, const struct iovec *iov, int n)
{
    size_t total = 0, off = 0;
    for (int i = 0; i < n; i++)
        total += iov[i].iov_len;
    while (off < total) {
        struct iovec v[4];
        struct msghdr mh = {0};
        ssize_t k;
        mh.msg_iov = v;
        mh.msg_iovlen = (size_t)cb__proc_iov_skip(v, iov, n, off);
        k = sendmsg(fd, &mh, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        off += (size_t)k;
    }
    return 0;
}

int cb__proc_send_all(int fd, const void *buf, size_t len)
{
    struct iovec v = {(void *)buf, len};
    return cb__proc_sendv_all(fd, &v, 1);
}
