/* Signals and the watchdog of a sweep (run.h): SIGINT and SIGTERM end the
 * sweep after the sample in progress, a second one at once; a thread
 * beside the sweep ends a map that must end. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "results.h"
#include "run.h"
#include "text.h"

atomic_int cb_run_interrupted;
static struct cb_inflight *signal_fl; /* the sweep's, for a second signal */

/* SIGINT, SIGTERM: the first ends the sweep after the sample in progress
 * (the watchdog ends that one at once); a second exits now, killing the
 * in-flight pool's worker processes first (abort is async-signal-safe,
 * and a handler on the sweep's thread sees a consistent pool pointer). */
static void on_signal(int sig)
{
    if (cb_run_interrupted) {
        struct cb_inflight *fl = signal_fl;
        if (fl && fl->pool && fl->x->abort)
            fl->x->abort(fl->pool);
        cb_results_abandon(); /* no .corebench-PID-* left beside the file */
        _exit(128 + sig);
    }
    cb_run_interrupted = sig;
}

/* ---- a crash in corebench's own process ------------------------------------
 *
 * A task of an executor whose workers are threads of corebench (or
 * corebench itself) that crashes takes the process down: nothing can
 * safely go on. What can be done is to say so: the handler writes one
 * line prepared before the map (write(2) only) and dies of the same
 * signal, so the exit status still tells it. main() installs it in every
 * corebench process; only the sweep's speaks, the others (forked and
 * re-executed workers, ranks, other commands) just die of the signal,
 * which their parent reports. */
static const int crash_sig[4] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
static const char *const crash_name[4] = {
    "signal 11 (SIGSEGV, segmentation fault)", "signal 7 (SIGBUS, bus error)",
    "signal 8 (SIGFPE, arithmetic exception)",
    "signal 4 (SIGILL, illegal instruction)"};
static pid_t sweep_pid;
static char crash_msg[700];
static atomic_size_t crash_len; /* 0: no map in progress */
/* The crash note (cb_crash_note_main): this program, the result file and
 * the crashing run's id, ready before the map; the handler fills in the
 * signal and re-executes corebench as `__crash-note`, which records the
 * crash in the file (a handler cannot: jansson allocates). */
static char note_exe[4096], note_out[4096], note_id[24], note_sig[8];
static int note_ready;

static void say(const char *t, size_t n)
{
    ssize_t ignored = write(2, t, n);
    (void)ignored;
}

static void on_crash(int sig)
{
    if (getpid() == sweep_pid) {
        size_t n = atomic_load(&crash_len);
        say("\ncorebench run: ", 16);
        for (int i = 0; i < 4; i++)
            if (crash_sig[i] == sig)
                say(crash_name[i], strlen(crash_name[i]));
        if (n)
            say(crash_msg, n);
        else
            say(" outside a map\n", 15);
        cb_results_abandon();
        if (n && note_ready && note_exe[0]) {
            char *argv[] = {note_exe, "__crash-note", note_out, note_id,
                            note_sig, NULL};
            int k = 0;
            if (sig >= 10)
                note_sig[k++] = (char)('0' + sig / 10);
            note_sig[k++] = (char)('0' + sig % 10);
            note_sig[k] = '\0';
            execv(note_exe, argv); /* returns only if it failed */
        }
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void cb_crash_handler_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    for (int i = 0; i < 4; i++)
        sigaction(crash_sig[i], &sa, NULL);
}

void cb_watchdog_map_begins(const struct cb_sweep *s, const struct cb_run *r)
{
    char out[300], label[160];
    int n;
    cb_text_clean(s->o->out, out, sizeof out, 64);
    cb_config_label(&r->cfg, label, sizeof label);
    n = snprintf(crash_msg, sizeof crash_msg,
                 " during a map of %s %s w=%d: a crash in corebench's own "
                 "process (a task of an executor whose workers are its "
                 "threads) ends it; %s%s\n", r->cfg.kernel, label,
                 r->cfg.workers, s->result_written ? "the finished rounds are kept "
                 "in " : "no round had finished, nothing was written to ",
                 out);
    if (n >= (int)sizeof crash_msg) {
        n = (int)sizeof crash_msg - 1;
        crash_msg[n - 1] = '\n';
    }
    note_ready = s->result_written &&
                 snprintf(note_out, sizeof note_out, "%s", s->o->out) <
                     (int)sizeof note_out &&
                 snprintf(note_id, sizeof note_id, "%d", r->id) > 0;
    atomic_store(&crash_len, n > 0 ? (size_t)n : 0);
}

/* `corebench __crash-note FILE ID SIG`, executed by the crash handler in
 * place of the crashed sweep (same pid): the run with that id gets the
 * crash as its `error` and `verified` false in the result file the
 * finished rounds went to, rewritten atomically; then the process dies of
 * the same signal, so the exit status still tells it. */
int cb_crash_note_main(int argc, char **argv)
{
    struct cb_error e = {0};
    json_t *root = NULL, *runs, *run;
    size_t i;
    int sig = 0, done = 0;
    long long id = -1;
    char why[480], line[sizeof e.msg * 4 + 8], *end;
    const char *name = "a fatal signal";
    /* internal (the handler's argv), but checked like any input */
    if (argc == 4) {
        id = strtoll(argv[2], &end, 10);
        if (end == argv[2] || *end || id < 0)
            id = -1;
        sig = (int)strtol(argv[3], &end, 10);
        if (end == argv[3] || *end || sig < 1 || sig > 64)
            sig = 0;
    }
    if (id < 0 || !sig) {
        cb_text_clean(argc > 2 ? argv[2] : "", line, sizeof line, 40);
        fprintf(stderr, "corebench __crash-note: expected FILE ID SIG (ID "
                "a run id, SIG 1..64; got id '%s'): it is the crash "
                "handler's, not a command\n", line);
        return 2;
    }
    for (int k = 0; k < 4; k++)
        if (crash_sig[k] == sig)
            name = crash_name[k];
    if (cb_results_load(argv[1], &root, &e) == 0 &&
        json_is_array(runs = json_object_get(root, "runs"))) {
        snprintf(why, sizeof why, "%s in a map: a task crashed in "
                 "corebench's own process (this executor's workers are its "
                 "threads), which ended the sweep; the finished rounds' "
                 "samples are kept", name);
        json_array_foreach(runs, i, run)
            if (json_is_integer(json_object_get(run, "id")) &&
                json_integer_value(json_object_get(run, "id")) == id) {
                json_object_set_new(run, "error", json_string(why));
                json_object_set_new(run, "verified", json_false());
                json_object_set_new(run, "stop", json_null());
                done = 1;
            }
        json_object_set_new(root, "complete", json_false());
        if (!done)
            CB_FAIL(&e, CB_EUSAGE, "no run with id %s in it", argv[2]);
        else
            cb_results_write(root, argv[1], 1, &e);
    }
    if (e.msg[0]) {
        char out[300];
        cb_text_clean(argv[1], out, sizeof out, 200);
        cb_text_clean(e.msg, line, sizeof line, sizeof e.msg);
        fprintf(stderr, "corebench run: the crash is not recorded in %s: "
                "%s\n", out, line);
    }
    json_decref(root);
    {
        /* exec keeps the signal mask, and a sanitizer's handler may have
         * run ours with the signal blocked: unblock it, or raise() would
         * leave it pending and the exit status would lie */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(sig, SIG_DFL);
        raise(sig);
        _exit(128 + sig); /* not reached: the signal's default kills */
    }
}

void cb_watchdog_map_ends(void)
{
    atomic_store(&crash_len, 0);
}

/* ---- the watchdog --------------------------------------------------------
 *
 * A thread beside the sweep that ends a map which must end: one past its
 * --task-timeout, or any once the sweep is interrupted. It calls the
 * executor's abort(), which kills worker processes, so the map returns and
 * the sweep records the failure (or drops the sample) and goes on or
 * stops. Threads cannot be killed safely: if the map has not returned
 * after a grace period, the watchdog writes what finished, says why, and
 * ends the process itself. */
#define CB_WATCHDOG_TICK_NS 20000000L /* 20 ms */
#define CB_WATCHDOG_GRACE_S 2.0

static atomic_int watchdog_quit; /* read by the watchdog, set by the sweep */
static cb_give_up_fn give_up; /* the sweep's, set before the thread */

static void *watchdog(void *arg)
{
    struct cb_sweep *s = arg;
    struct cb_inflight *fl = &s->fl;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals are the sweep's */
    while (!atomic_load(&watchdog_quit)) {
        struct timespec ts = {0, CB_WATCHDOG_TICK_NS};
        double now;
        nanosleep(&ts, NULL);
        now = cb_now();
        pthread_mutex_lock(&fl->mu);
        if (fl->pool && !fl->since &&
            (cb_run_interrupted ||
             (fl->deadline > 0 && now > fl->deadline))) {
            fl->timed_out = !cb_run_interrupted;
            fl->since = now;
            if (fl->x->abort)
                fl->x->abort(fl->pool);
        } else if (fl->pool && fl->since &&
                   now - fl->since > CB_WATCHDOG_GRACE_S) {
            char why[200];
            int sig = cb_run_interrupted;
            snprintf(why, sizeof why, "%s; %s's workers are threads of "
                     "this process (or ranks of a job) and cannot be "
                     "stopped safely, so corebench ends here",
                     sig ? "interrupted during a map"
                         : "the map timed out (--task-timeout)",
                     fl->x->name);
            give_up(s, sig ? 128 + sig : 1, why);
        } else if (!fl->pool) {
            fl->since = 0;
        }
        pthread_mutex_unlock(&fl->mu);
    }
    return NULL;
}

int cb_watchdog_start(struct cb_sweep *s, struct cb_watchdog *wd,
                      cb_give_up_fn last_words)
{
    struct sigaction sa;
    pthread_mutex_init(&s->fl.mu, NULL);
    signal_fl = &s->fl;
    atomic_store(&watchdog_quit, 0);
    give_up = last_words;
    wd->thread_ok = pthread_create(&wd->thread, NULL, watchdog, s) == 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &wd->old_int);
    sigaction(SIGTERM, &sa, &wd->old_term);
    {
        ssize_t k = readlink("/proc/self/exe", note_exe, sizeof note_exe - 1);
        note_exe[k > 0 ? k : 0] = '\0';
    }
    sweep_pid = getpid();
    return 0;
}

void cb_watchdog_stop(struct cb_watchdog *wd)
{
    if (wd->thread_ok) {
        atomic_store(&watchdog_quit, 1);
        pthread_join(wd->thread, NULL);
    }
    signal_fl = NULL;
    sigaction(SIGINT, &wd->old_int, NULL);
    sigaction(SIGTERM, &wd->old_term, NULL);
    sweep_pid = 0;
}
