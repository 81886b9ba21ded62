/* The CPython executors' engine: see python.h for the life cycle and
 * python/pyexec.py for the other side of the channel.
 *
 * Messages from CPython are one JSON line each, the map's reply followed
 * by exactly `len` bytes of output records. Everything CPython says is
 * checked before it is believed: record bytes must be n * out_size (the C
 * verify() then judges their content), worker indices in range, numbers
 * finite. A dead interpreter reads as EOF and is described with its wait
 * status; nothing here waits on a dead peer. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "proc.h"
#include "python.h"

#define PY_SCRIPT "pyexec.py"
#define PY_DIR_ENV "CB_PYTHON_DIR"
#define PY_DEFAULT "python3"
#define PY_MAX_LINE (1u << 20)  /* a reply header; workers x ~200 bytes */
#define PY_ABOUT_TIMEOUT_S 30.0 /* a cold interpreter on a busy machine */

struct cb_pool {
    struct cb_exec_config cfg;
    const char *who;
    struct cb__proc kid;
    char *buf;  /* bytes received, not yet used: buf[pos..have) */
    size_t cap, pos, have;
    int broken;
};

static const char *py_interpreter(const struct cb_exec_config *c)
{
    const char *py = cb_xparam(c, "python");
    return py && *py ? py : PY_DEFAULT;
}

/* cb__proc_spawn_fn: argv is the whole command line */
static int py_spawn(const void *arg, int i, int fd, pid_t *pid,
                    struct cb_error *e)
{
    char *const *argv = arg;
    (void)i;
    return cb__proc_spawn_fd3(argv, CB__PROC_SEARCH | CB__PROC_NEW_GROUP, fd,
                              pid, argv[0], e);
}

/* Why the interpreter's channel ended. */
static int py_died(struct cb_pool *p, const char *when, struct cb_error *e)
{
    char how[160];
    p->broken = 1;
    cb__proc_died(&p->kid, "was killed", how, sizeof how);
    return CB_FAIL(e, CB_EBROKEN, "%s: the interpreter (pid %ld) %s %s",
                   p->who, (long)p->kid.pid, how, when);
}

/* Reads more bytes into buf, waiting at most until `deadline` (cb_now()
 * seconds; <= 0: no limit). 0, or the failure. */
static int py_fill(struct cb_pool *p, double deadline, const char *when,
                   struct cb_error *e)
{
    ssize_t k;
    if (p->pos == p->have)
        p->pos = p->have = 0;
    if (p->have == p->cap) {
        size_t ncap = p->cap ? 2 * p->cap : 65536;
        char *nb;
        if (p->pos > 0) { /* slide what is left to the front first */
            memmove(p->buf, p->buf + p->pos, p->have - p->pos);
            p->have -= p->pos;
            p->pos = 0;
            return 0;
        }
        if (!(nb = realloc(p->buf, ncap)))
            return CB_FAIL(e, CB_ENOMEM, "%s: out of memory", p->who);
        p->buf = nb;
        p->cap = ncap;
    }
    for (;;) {
        struct pollfd pf = {.fd = p->kid.fd, .events = POLLIN};
        int ms = -1, r;
        if (deadline > 0) {
            double left = deadline - cb_now();
            if (left <= 0)
                return CB_FAIL(e, CB_EUNSUPPORTED, "%s: no answer from %s "
                               "within %.0f s %s", p->who,
                               py_interpreter(&p->cfg), PY_ABOUT_TIMEOUT_S,
                               when);
            ms = (int)(left * 1000) + 1;
        }
        r = poll(&pf, 1, ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return CB_FAIL(e, CB_ESYS, "%s: poll: %s", p->who,
                           strerror(errno));
        if (r == 0)
            continue;
        k = read(p->kid.fd, p->buf + p->have, p->cap - p->have);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (k <= 0)
            return py_died(p, when, e);
        p->have += (size_t)k;
        return 0;
    }
}

/* The next line from CPython, parsed as a JSON object (caller decrefs). */
static int py_read_json(struct cb_pool *p, double deadline, const char *when,
                        json_t **out, struct cb_error *e)
{
    size_t scanned = 0;
    for (;;) {
        size_t left = p->have - p->pos - scanned;
        char *nl = left ? memchr(p->buf + p->pos + scanned, '\n', left)
                        : NULL;
        int rc;
        if (nl) {
            json_error_t je;
            size_t len = (size_t)(nl - (p->buf + p->pos));
            *out = json_loadb(p->buf + p->pos, len, 0, &je);
            p->pos += len + 1;
            if (!*out || !json_is_object(*out)) {
                json_decref(*out);
                *out = NULL;
                p->broken = 1;
                return CB_FAIL(e, CB_EBROKEN, "%s: unreadable reply %s: %s",
                               p->who, when, je.text);
            }
            return 0;
        }
        scanned = p->have - p->pos;
        if (scanned > PY_MAX_LINE) {
            p->broken = 1;
            return CB_FAIL(e, CB_EBROKEN, "%s: a reply line over %u bytes %s",
                           p->who, PY_MAX_LINE, when);
        }
        if ((rc = py_fill(p, deadline, when, e)))
            return rc;
    }
}

/* {"ok": false, "error": "..."} as a failure; 0 for ok. */
static int py_check_ok(struct cb_pool *p, const json_t *m, const char *when,
                       struct cb_error *e)
{
    const char *err;
    if (json_is_true(json_object_get(m, "ok")))
        return 0;
    err = json_string_value(json_object_get(m, "error"));
    p->broken = 1;
    return CB_FAIL(e, CB_EBROKEN, "%s: CPython %s: %.300s", p->who, when,
                   err ? err : "failed without saying why");
}

static double py_num(const json_t *o, const char *key)
{
    double v = json_number_value(json_object_get(o, key));
    return isfinite(v) && v >= 0 ? v : 0;
}

static int py_int(const json_t *o, const char *key, int dflt)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int)json_integer_value(v) : dflt;
}

/* Starts `PYTHON DIR/pyexec.py ARGS...` with the channel on fd 3. */
static int py_launch(struct cb_pool *p, char **args, int nargs,
                     struct cb_error *e)
{
    char dir[4096], script[4200];
    char *argv[32 + CB_MAX_PARAMS];
    int a = 0, rc;
    if ((rc = cb_find_data_dir("python", PY_SCRIPT, PY_DIR_ENV, dir,
                               sizeof dir, e)))
        return rc;
    snprintf(script, sizeof script, "%.4000s/%s", dir, PY_SCRIPT);
    argv[a++] = (char *)py_interpreter(&p->cfg);
    argv[a++] = script;
    for (int i = 0; i < nargs && a < (int)(sizeof argv / sizeof *argv) - 1;
         i++)
        argv[a++] = args[i];
    argv[a] = NULL;
    fflush(NULL); /* nothing buffered may be written twice */
    return cb__proc_start(&p->kid, 0, p->who, NULL, py_spawn, argv, e);
}

/* Closes the channel, lets the interpreter exit, then kills whatever is
 * left of its process group (pool workers of a killed interpreter, its
 * resource tracker) and reaps them: corebench is their subreaper (see
 * py_adopt_orphans), so none is left a zombie or an orphan. */
static void py_end(struct cb_pool *p)
{
    pid_t pg = p->kid.pid;
    cb__proc_shutdown(&p->kid, 1, p->broken);
    if (pg <= 0)
        return;
    kill(-pg, SIGKILL); /* ESRCH when the group is gone: fine */
    while (waitpid(-pg, NULL, 0) > 0 || errno == EINTR)
        ;
}

/* The interpreter's own children (pool workers, multiprocessing's resource
 * tracker) outlive it when it is killed; as corebench's subreaper they
 * come back to corebench, which reaps them in py_end, instead of waiting
 * as orphans or zombies for init. Once per process. */
static void py_adopt_orphans(void)
{
    static int done;
    if (!done)
        done = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
}

int cb__py_available(const struct cb_exec_config *c,
                     struct cb_exec_about *about, struct cb_error *e)
{
    struct cb_pool p = {.cfg = *c, .who = "py", .kid = {.fd = -1}};
    char *args[] = {"--about"};
    json_t *m = NULL;
    const char *keys[] = {"executable", "version", "implementation",
                          "gil_enabled", "start_method"};
    int rc = py_launch(&p, args, 1, e);
    if (rc) {
        if (rc == CB_EUNSUPPORTED && !strstr(e->msg, PY_DIR_ENV))
            CB_FAIL(e, CB_EUNSUPPORTED, "no '%s' interpreter found (install "
                    "python3, or pass --python PATH)", py_interpreter(c));
        return rc;
    }
    rc = py_read_json(&p, cb_now() + PY_ABOUT_TIMEOUT_S, "asked --about", &m,
                      e);
    p.broken = rc != 0;
    py_end(&p);
    free(p.buf);
    if (rc) {
        char why[sizeof e->msg];
        snprintf(why, sizeof why, "%s", e->msg);
        json_decref(m);
        return CB_FAIL(e, CB_EUNSUPPORTED, "%s cannot run python/" PY_SCRIPT
                       ": %s", py_interpreter(c), why);
    }
    cb_exec_about_add(about, "python", py_interpreter(c));
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        cb_exec_about_add(about, keys[i],
                          json_string_value(json_object_get(m, keys[i])));
    /* a free-threaded build is a runtime of its own: label it */
    if (json_is_string(json_object_get(m, "gil_enabled")) &&
        strcmp(json_string_value(json_object_get(m, "gil_enabled")),
               "false") == 0)
        cb_exec_about_add(about, "label", "free-threaded");
    json_decref(m);
    return 0;
}

int cb__py_start(struct cb_pool **pp, const struct cb_exec_config *c,
                 const char *mode, const char *who, struct cb_error *e)
{
    const struct cb_workload *w = c->workload;
    struct cb_pool *p;
    char nums[3][24], pus[CB_MAX_WORKERS * 8] = "-";
    char kv[CB_MAX_PARAMS][sizeof w->params[0].key + sizeof w->params[0].val];
    char *args[8 + CB_MAX_PARAMS];
    json_t *hello = NULL;
    int a = 0, rc;

    *pp = NULL;
    if (!w)
        return CB_FAIL(e, CB_EUSAGE, "%s: start() needs the workload", who);
    py_adopt_orphans();
    if (!(p = calloc(1, sizeof *p)))
        return CB_FAIL(e, CB_ENOMEM, "%s: out of memory", who);
    p->cfg = *c;
    p->who = who;
    p->kid.fd = -1;
    snprintf(nums[0], sizeof nums[0], "%d", c->workers);
    snprintf(nums[1], sizeof nums[1], "%ld", cb_exec_chunksize(c, w->n, 1));
    snprintf(nums[2], sizeof nums[2], "%ld",
             cb_xparam_long(c, "switch_interval", 5000));
    for (int i = 0; c->pus && i < c->workers; i++) {
        size_t l = i ? strlen(pus) : 0;
        snprintf(pus + l, sizeof pus - l, "%s%d", i ? "," : "", c->pus[i]);
    }
    args[a++] = (char *)mode;
    args[a++] = nums[0];
    args[a++] = nums[1];
    args[a++] = nums[2];
    args[a++] = pus;
    args[a++] = (char *)w->kernel->name;
    args[a++] = w->size[0] ? (char *)w->size : "default";
    for (int j = 0; j < w->nparams && j < CB_MAX_PARAMS; j++) {
        snprintf(kv[j], sizeof kv[j], "%s=%s", w->params[j].key,
                 w->params[j].val);
        args[a++] = kv[j];
    }
    if ((rc = py_launch(p, args, a, e)))
        goto fail;
    if (c->started) /* the watchdog may now end a start that hangs */
        c->started(c->started_arg, p);
    if ((rc = py_read_json(p, 0, "while building the workload", &hello, e)) ||
        (rc = py_check_ok(p, hello, "could not build the workload", e)))
        goto fail;
    if (py_int(hello, "tasks", -1) != (int)w->n) {
        p->broken = 1;
        rc = CB_FAIL(e, CB_EBROKEN, "%s: CPython built %d tasks, the C "
                     "kernel %zu: the two generators disagree", who,
                     py_int(hello, "tasks", -1), w->n);
        goto fail;
    }
    json_decref(hello);
    *pp = p;
    return 0;
fail:
    json_decref(hello);
    p->broken = 1;
    if (c->started)
        c->started(c->started_arg, NULL);
    cb__py_stop(p);
    return rc;
}

int cb__py_map(struct cb_pool *p, const struct cb_workload *w, void *outs,
               struct cb_map_stats *st, struct cb_error *e)
{
    size_t want = w->n * w->out_size, got;
    json_t *m = NULL, *workers, *wk;
    size_t i;
    int rc;

    if (p->broken)
        return CB_FAIL(e, CB_EBROKEN, "%s: the interpreter is gone", p->who);
    if (w != p->cfg.workload)
        return CB_FAIL(e, CB_EUSAGE, "%s: map() of another workload than "
                       "start() rebuilt in CPython", p->who);
    if (cb__proc_send_all(p->kid.fd, "map\n", 4) < 0)
        return py_died(p, "before the map", e);
    if ((rc = py_read_json(p, 0, "during the map", &m, e)) ||
        (rc = py_check_ok(p, m, "map failed", e)))
        goto out;
    if (!json_is_integer(json_object_get(m, "len")) ||
        (size_t)json_integer_value(json_object_get(m, "len")) != want) {
        p->broken = 1;
        rc = CB_FAIL(e, CB_EBROKEN, "%s: CPython sent %lld bytes of outputs, "
                     "%zu tasks x %zu bytes were expected", p->who,
                     (long long)json_integer_value(json_object_get(m, "len")),
                     w->n, w->out_size);
        goto out;
    }
    /* the records: what is buffered, then straight into outs */
    got = p->have - p->pos < want ? p->have - p->pos : want;
    memcpy(outs, p->buf + p->pos, got);
    p->pos += got;
    while (got < want) {
        ssize_t k = read(p->kid.fd, (char *)outs + got, want - got);
        if (k < 0 && (errno == EINTR || errno == EAGAIN)) {
            struct pollfd pf = {.fd = p->kid.fd, .events = POLLIN};
            poll(&pf, 1, -1);
            continue;
        }
        if (k <= 0) {
            rc = py_died(p, "while sending the outputs", e);
            goto out;
        }
        got += (size_t)k;
    }
    st->self_start_s = py_num(m, "start_s");
    st->self_map_s = py_num(m, "map_s");
    st->self_stop_s = py_num(m, "stop_s");
    st->bytes_to_workers = (uint64_t)py_num(m, "bytes_to");
    st->bytes_from_workers = (uint64_t)py_num(m, "bytes_from");
    st->chunksize = py_int(m, "chunksize", 0);
    workers = json_object_get(m, "workers");
    json_array_foreach(workers, i, wk) {
        int idx = py_int(wk, "index", -1);
        struct cb_worker_stats *ws;
        if (idx < 0 || idx >= st->nworkers)
            continue;
        ws = &st->w[idx];
        ws->tasks = (uint64_t)py_num(wk, "tasks");
        ws->chunks = 0; /* CPython does not say how it batched them */
        ws->busy_s = py_num(wk, "busy_s");
        ws->cpu_s = py_num(wk, "cpu_s");
        /* first task's start to last task's end: between tasks the pool
         * shipped records and waited for work (0 from the serial mode) */
        ws->span_s = py_num(wk, "span_s");
        /* threads: time in tasks neither on the CPU nor waiting for one,
         * the GIL's (0 where not measured: processes, serial); not where
         * the kernel blocks, whose tasks are off the CPU by design */
        ws->lock_wait_s = w->kernel->flags & CB_KERNEL_BLOCKS
                              ? 0 : py_num(wk, "lock_wait_s");
        ws->pu_planned = py_int(wk, "pu", -1);
        ws->cpu_first = py_int(wk, "cpu_first", -1);
        ws->cpu_last = py_int(wk, "cpu_last", -1);
        ws->pinned = json_is_true(json_object_get(wk, "pinned"));
        ws->pid = py_int(wk, "pid", 0);
        /* the interference CPython's worker read on itself (pyexec.py
         * _sched: the same schedstat and getrusage fields as worker.c) */
        if (json_is_number(json_object_get(wk, "run_delay_s"))) {
            ws->run_delay_s = py_num(wk, "run_delay_s");
            ws->measured |= CB_WS_RUN_DELAY;
        }
        if (json_is_integer(json_object_get(wk, "csw_voluntary")) &&
            json_is_integer(json_object_get(wk, "csw_involuntary"))) {
            ws->csw_voluntary = (uint64_t)py_num(wk, "csw_voluntary");
            ws->csw_involuntary = (uint64_t)py_num(wk, "csw_involuntary");
            ws->measured |= CB_WS_CSW;
        }
    }
out:
    json_decref(m);
    return rc;
}

void cb__py_abort(struct cb_pool *p)
{
    /* the interpreter leads its own process group: its pool workers go too */
    if (p && p->kid.pid > 0)
        kill(-p->kid.pid, SIGKILL);
}

void cb__py_stop(struct cb_pool *p)
{
    if (!p)
        return;
    py_end(p);
    free(p->buf);
    free(p);
}
