/* perf_event_open counters for whole samples (see counters.h).
 *
 * Each event gets its own fd: inherit=1 (count the pool's future threads and
 * children) is refused together with PERF_FORMAT_GROUP. A read returns
 * {value, time_enabled, time_running}; when the PMU multiplexed the event
 * (running < enabled) the value is scaled to the enabled time, as perf stat
 * does, and an event that never ran is marked invalid rather than 0. */
#include "counters.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

struct cb_counters {
    int fd[CB_CTR_COUNT];        /* -1: not opened */
    /* value, time_enabled, time_running read at start: a sample is the
     * difference, because PERF_EVENT_IOC_RESET clears the event's own count
     * but not the counts folded in from exited children (child_count), so
     * after the first pool of processes a reset counter is not zero. */
    uint64_t base[CB_CTR_COUNT][3];
    int user_only[CB_CTR_COUNT]; /* opened with exclude_kernel/hv */
    char note[256];
};

static const struct {
    const char *name;
    unsigned type;
    unsigned long long config;
} events[CB_CTR_COUNT] = {
    [CB_CTR_CYCLES] = {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
    [CB_CTR_INSTRUCTIONS] = {"instructions", PERF_TYPE_HARDWARE,
                             PERF_COUNT_HW_INSTRUCTIONS},
    [CB_CTR_CONTEXT_SWITCHES] = {"context_switches", PERF_TYPE_SOFTWARE,
                                 PERF_COUNT_SW_CONTEXT_SWITCHES},
    [CB_CTR_CPU_MIGRATIONS] = {"cpu_migrations", PERF_TYPE_SOFTWARE,
                               PERF_COUNT_SW_CPU_MIGRATIONS},
    [CB_CTR_PAGE_FAULTS] = {"page_faults", PERF_TYPE_SOFTWARE,
                            PERF_COUNT_SW_PAGE_FAULTS},
};

const char *cb_counter_name(enum cb_counter_id id)
{
    return (unsigned)id < CB_CTR_COUNT ? events[id].name : "unknown";
}

/* Short symbolic name of the errno values perf_event_open gives, so the
 * reason reads "ENOENT" the way the man page documents it. */
static const char *errno_name(int err)
{
    switch (err) {
    case EACCES:
        return "EACCES";
    case EPERM:
        return "EPERM";
    case ENOENT:
        return "ENOENT";
    case ENOSYS:
        return "ENOSYS";
    case EOPNOTSUPP:
        return "EOPNOTSUPP";
    case EINVAL:
        return "EINVAL";
    case ENODEV:
        return "ENODEV";
    case EMFILE:
        return "EMFILE";
    case EBUSY:
        return "EBUSY";
    case E2BIG:
        return "E2BIG";
    default:
        return "errno";
    }
}

/* -1 when the file cannot be read. */
static int read_paranoid(void)
{
    FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
    int v = -1000;
    if (!f)
        return -1000;
    if (fscanf(f, "%d", &v) != 1)
        v = -1000;
    fclose(f);
    return v;
}

static int open_event(enum cb_counter_id id, int user_only)
{
    struct perf_event_attr a;
    int fd;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = events[id].type;
    a.config = events[id].config;
    a.disabled = 1;
    a.inherit = 1;
    a.exclude_kernel = user_only ? 1 : 0;
    a.exclude_hv = user_only ? 1 : 0;
    a.read_format =
        PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    /* pid 0 (this process), cpu -1 (any CPU), no group leader */
    fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0 && errno == EINVAL) {
        /* kernels before 3.14 reject the flag: open, then set it */
        fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
        if (fd >= 0)
            fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    return fd;
}

/* Appends ", text" (or text when buf is empty) to buf, truncating. */
static void append(char *buf, size_t len, const char *text)
{
    size_t used = strlen(buf);
    if (used + 1 >= len)
        return;
    snprintf(buf + used, len - used, "%s%s", used ? "; " : "", text);
}

struct cb_counters *cb_counters_open(char *reason, size_t len)
{
    struct cb_counters *c = calloc(1, sizeof *c);
    int err[CB_CTR_COUNT] = {0};
    int nopen = 0, nuser = 0, paranoid = read_paranoid();
    char missing[256] = "";

    if (reason && len)
        reason[0] = '\0';
    if (!c) {
        if (reason && len)
            snprintf(reason, len, "out of memory");
        return NULL;
    }
    for (int i = 0; i < CB_CTR_COUNT; i++) {
        /* Kernel counting first: a sample's page faults and context
         * switches happen in the kernel. perf_event_paranoid >= 2 refuses
         * that to unprivileged users (EACCES): fall back to user space. */
        c->fd[i] = open_event((enum cb_counter_id)i, 0);
        if (c->fd[i] < 0 && (errno == EACCES || errno == EPERM)) {
            c->fd[i] = open_event((enum cb_counter_id)i, 1);
            c->user_only[i] = c->fd[i] >= 0;
        }
        if (c->fd[i] < 0) {
            err[i] = errno;
            continue;
        }
        nopen++;
        nuser += c->user_only[i];
    }

    /* Group the events that failed by errno: "cycles, instructions:
     * ENOENT (No such file or directory)". */
    for (int i = 0; i < CB_CTR_COUNT; i++) {
        char line[160] = "";
        int seen = 0;
        if (c->fd[i] >= 0)
            continue;
        for (int j = 0; j < i; j++)
            if (c->fd[j] < 0 && err[j] == err[i])
                seen = 1;
        if (seen)
            continue;
        for (int j = i; j < CB_CTR_COUNT; j++)
            if (c->fd[j] < 0 && err[j] == err[i])
                snprintf(line + strlen(line), sizeof line - strlen(line),
                         "%s%s", line[0] ? ", " : "", events[j].name);
        snprintf(line + strlen(line), sizeof line - strlen(line), ": %s (%s)",
                 errno_name(err[i]), strerror(err[i]));
        append(missing, sizeof missing, line);
    }

    if (nopen == 0) {
        if (reason && len) {
            if (paranoid > -1000)
                snprintf(reason, len,
                         "perf_event_open failed for every event: %s; "
                         "perf_event_paranoid is %d",
                         missing, paranoid);
            else
                snprintf(reason, len,
                         "perf_event_open failed for every event: %s; "
                         "/proc/sys/kernel/perf_event_paranoid unreadable",
                         missing);
        }
        free(c);
        return NULL;
    }
    snprintf(c->note, sizeof c->note, "%s", missing);
    if (nuser) {
        char line[96];
        snprintf(line, sizeof line, "%s (perf_event_paranoid is %d)",
                 nuser == nopen ? "user space only" : "some user space only",
                 paranoid);
        append(c->note, sizeof c->note, line);
    }
    return c;
}

int cb_counters_opened(const struct cb_counters *c, enum cb_counter_id id)
{
    return c && (unsigned)id < CB_CTR_COUNT && c->fd[id] >= 0;
}

const char *cb_counters_note(const struct cb_counters *c)
{
    return c ? c->note : "";
}

void cb_counters_start(struct cb_counters *c)
{
    if (!c)
        return;
    /* ENABLE applies to the event and its inherited children */
    for (int i = 0; i < CB_CTR_COUNT; i++) {
        if (c->fd[i] < 0)
            continue;
        if (read(c->fd[i], c->base[i], sizeof c->base[i]) !=
            (ssize_t)sizeof c->base[i])
            memset(c->base[i], 0, sizeof c->base[i]);
        ioctl(c->fd[i], PERF_EVENT_IOC_ENABLE, 0);
    }
}

void cb_counters_stop(struct cb_counters *c, struct cb_counter_values *v)
{
    memset(v, 0, sizeof *v);
    if (!c)
        return;
    /* Disable everything first so the reads describe the same interval. */
    for (int i = 0; i < CB_CTR_COUNT; i++)
        if (c->fd[i] >= 0)
            ioctl(c->fd[i], PERF_EVENT_IOC_DISABLE, 0);
    for (int i = 0; i < CB_CTR_COUNT; i++) {
        uint64_t buf[3]; /* value, time_enabled, time_running */
        if (c->fd[i] < 0)
            continue;
        if (read(c->fd[i], buf, sizeof buf) != (ssize_t)sizeof buf)
            continue;
        for (int k = 0; k < 3; k++)
            buf[k] -= c->base[i][k];
        if (buf[2] == 0) {
            /* never scheduled while enabled: unknown, not zero; an event
             * never enabled at all (stop without start) reads 0. */
            if (buf[1] == 0) {
                v->valid[i] = 1;
                v->v[i] = 0;
            }
            continue;
        }
        if (buf[2] < buf[1])
            v->v[i] =
                (uint64_t)((double)buf[0] * (double)buf[1] / (double)buf[2] +
                           0.5);
        else
            v->v[i] = buf[0];
        v->valid[i] = 1;
    }
}

void cb_counters_close(struct cb_counters *c)
{
    if (!c)
        return;
    for (int i = 0; i < CB_CTR_COUNT; i++)
        if (c->fd[i] >= 0)
            close(c->fd[i]);
    free(c);
}
