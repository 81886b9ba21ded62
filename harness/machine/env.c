/* Environment capture (see env.h and results/SCHEMA.md, `context`).
 *
 * Everything here reads the system and never fails: a value that cannot be
 * read is JSON null. Text from the system (host name, CPU model, argv,
 * sysfs files) is untrusted: it goes through cb_json_text so it is valid
 * UTF-8, and jansson escapes it when the file is written. */
#include "env.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "counters.h"

#ifndef CB_VERSION
#define CB_VERSION "unknown"
#endif
#ifndef CB_GIT_COMMIT
#define CB_GIT_COMMIT ""
#endif
#ifndef CB_BUILD_TYPE
#define CB_BUILD_TYPE "unknown"
#endif
#ifndef CB_COMPILER
#define CB_COMPILER "unknown"
#endif
#ifndef CB_CFLAGS
#define CB_CFLAGS ""
#endif

/* ---- clocks, load, governor ---------------------------------------------- */

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

double cb_timer_resolution(void)
{
    /* Consecutive reads: on a fine clock the smallest step is the cost of
     * one read (tens of ns), on a coarse one the tick. Bounded to ~20 ms so
     * a coarse clock does not stall the start of a run. */
    int64_t best = 0, start = mono_ns(), prev = start;
    int steps = 0;
    for (long i = 0; i < 1000000 && steps < 200; i++) {
        int64_t now = mono_ns(), d = now - prev;
        if (d > 0) {
            if (best == 0 || d < best)
                best = d;
            steps++;
        }
        prev = now;
        if (now - start > 20000000)
            break;
    }
    if (best == 0) {
        struct timespec ts;
        if (clock_getres(CLOCK_MONOTONIC, &ts) == 0)
            best = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    }
    return best > 0 ? (double)best * 1e-9 : 1e-9;
}

/* procs_running from /proc/stat (includes the calling thread), -1. */
static int procs_running(void)
{
    char line[256];
    int v = -1;
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "procs_running %d", &v) == 1)
            break;
    fclose(f);
    return v;
}

int cb_env_load(double *load1, int *running)
{
    double l[1];
    int r = procs_running(), rc = 0;
    if (getloadavg(l, 1) == 1) {
        *load1 = l[0];
    } else {
        *load1 = -1;
        rc = -1;
    }
    if (r >= 0) {
        *running = r > 0 ? r - 1 : 0;
    } else {
        *running = -1;
        rc = -1;
    }
    return rc;
}

/* One "cpu" or "cpuN" line: user nice system idle iowait irq softirq
 * steal (older kernels stop earlier: the missing ones are 0). */
static int cpustat_line(const char *p, double hz, double *busy, double *steal,
                        double *idle)
{
    unsigned long long v[8] = {0};
    int k = 0;
    while (k < 8) {
        char *end;
        while (*p == ' ')
            p++;
        if (!isdigit((unsigned char)*p))
            break;
        errno = 0;
        v[k] = strtoull(p, &end, 10);
        if (errno || end == p)
            return -1;
        p = end;
        k++;
    }
    if (k < 4)
        return -1;
    *busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / hz;
    *steal = (double)v[7] / hz;
    *idle = (double)(v[3] + v[4]) / hz;
    return 0;
}

int cb_env_parse_cpustat(const char *text, double hz, struct cb_cpustat *out)
{
    const char *p = text;
    int have_all = 0;
    memset(out, 0, sizeof *out);
    if (!(hz > 0))
        return CB_EUSAGE;
    while (p && *p) {
        double b, st, id;
        if (strncmp(p, "cpu", 3) == 0) {
            const char *q = p + 3;
            if (*q == ' ') {
                if (cpustat_line(q, hz, &out->busy_all, &out->steal_all,
                                 &out->idle_all))
                    return CB_EUSAGE;
                have_all = 1;
            } else if (isdigit((unsigned char)*q)) {
                char *end;
                long cpu = strtol(q, &end, 10);
                if (*end == ' ' && cpu >= 0 && cpu < CB_CPUSTAT_MAX &&
                    cpustat_line(end, hz, &b, &st, &id) == 0) {
                    out->busy[cpu] = b;
                    out->steal[cpu] = st;
                    if (cpu + 1 > out->n)
                        out->n = (int)cpu + 1;
                }
            }
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!have_all)
        return CB_EUSAGE;
    out->ok = 1;
    return 0;
}

int cb_env_cpustat(struct cb_cpustat *out)
{
    char buf[32768]; /* the cpu lines come first; the rest may be cut */
    long hz;
    size_t n;
    FILE *f = fopen("/proc/stat", "r");
    out->ok = 0;
    if (!f)
        return -1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    hz = sysconf(_SC_CLK_TCK);
    return cb_env_parse_cpustat(buf, hz > 0 ? (double)hz : 100.0, out) ? -1
                                                                       : 0;
}

double cb_env_self_cpu(void)
{
    struct rusage s, c;
    if (getrusage(RUSAGE_SELF, &s) || getrusage(RUSAGE_CHILDREN, &c))
        return NAN;
    return (double)(s.ru_utime.tv_sec + s.ru_stime.tv_sec + c.ru_utime.tv_sec +
                    c.ru_stime.tv_sec) +
           1e-6 * (double)(s.ru_utime.tv_usec + s.ru_stime.tv_usec +
                           c.ru_utime.tv_usec + c.ru_stime.tv_usec);
}

int cb_env_governor(char *buf, size_t len)
{
    if (!buf || len == 0)
        return -1;
    buf[0] = '\0';
    if (cb_env_read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf,
                  len) != 0 ||
        !buf[0]) {
        buf[0] = '\0';
        return -1;
    }
    return 0;
}

/* ---- affinity ------------------------------------------------------------ */

int cb_env_allowed_pus(char *buf, size_t len)
{
    int ncpu = 1024, count = 0;
    cpu_set_t *set = NULL;
    size_t sz = 0;
    if (buf && len)
        buf[0] = '\0';
    /* Grow the mask until the kernel accepts its size (machines with more
     * than CPU_SETSIZE CPUs). */
    for (; ncpu <= (1 << 20); ncpu *= 2) {
        set = CPU_ALLOC(ncpu);
        if (!set)
            return 1;
        sz = CPU_ALLOC_SIZE(ncpu);
        if (sched_getaffinity(0, sz, set) == 0)
            break;
        CPU_FREE(set);
        set = NULL;
        if (errno != EINVAL)
            break;
    }
    if (!set) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        if (buf && len && n > 0)
            snprintf(buf, len, n == 1 ? "0" : "0-%ld", n - 1);
        return n > 0 ? (int)n : 1;
    }
    for (int i = 0; i < ncpu; i++) {
        int j;
        if (!CPU_ISSET_S(i, sz, set))
            continue;
        for (j = i; j + 1 < ncpu && CPU_ISSET_S(j + 1, sz, set); j++)
            ;
        count += j - i + 1;
        if (buf && len) {
            size_t used = strlen(buf);
            if (used < len)
                snprintf(buf + used, len - used, j == i ? "%s%d" : "%s%d-%d",
                         used ? "," : "", i, j);
        }
        i = j;
    }
    CPU_FREE(set);
    return count > 0 ? count : 1;
}

/* ---- CPU model ----------------------------------------------------------- */

/* "model name" (x86), "cpu model" (mips), "Model" (arm boards) from
 * /proc/cpuinfo; 0 if found. */
static int cpuinfo_model(char *buf, size_t len)
{
    static const char *const keys[] = {"model name", "cpu model", "Model"};
    char line[512];
    int found = -1;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return -1;
    while (found != 0 && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            size_t n = strlen(keys[k]);
            if (strncmp(line, keys[k], n) != 0 ||
                (line[n] != ' ' && line[n] != '\t' && line[n] != ':'))
                continue;
            char *v = colon + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            cb_env_rstrip(v);
            if (*v) {
                snprintf(buf, len, "%s", v);
                found = 0;
                break;
            }
        }
    }
    fclose(f);
    return found;
}

/* ---- JSON assembly ------------------------------------------------------- */

/* json_object_set_new that tolerates a NULL value (allocation failure):
 * the key is then null, so the schema's keys are always present when
 * memory allows. */
static void put(json_t *o, const char *key, json_t *v)
{
    if (!v)
        v = json_null();
    json_object_set_new(o, key, v);
}

static json_t *int_or_null(long long v)
{
    return v > 0 ? json_integer(v) : json_null();
}

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *corebench_object(void)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    put(o, "version", cb_json_text(CB_VERSION));
    put(o, "git_commit",
        CB_GIT_COMMIT[0] ? cb_json_text(CB_GIT_COMMIT) : json_null());
    put(o, "build_type", cb_json_text(CB_BUILD_TYPE));
    put(o, "compiler", cb_json_text(CB_COMPILER));
    put(o, "cflags", cb_json_text(CB_CFLAGS));
    return o;
}

static json_t *host_object(void)
{
    json_t *o = json_object();
    char name[256];
    struct utsname u;
    int have_u = uname(&u) == 0;
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    if (!o)
        return NULL;
    if (gethostname(name, sizeof name) == 0) {
        name[sizeof name - 1] = '\0';
        put(o, "hostname", cb_json_text(name));
    } else {
        put(o, "hostname", json_null());
    }
    put(o, "os", have_u ? cb_json_text(u.sysname) : json_null());
    put(o, "kernel", have_u ? cb_json_text(u.release) : json_null());
    put(o, "arch", have_u ? cb_json_text(u.machine) : json_null());
    put(o, "memory_bytes",
        pages > 0 && psize > 0 ? json_integer((json_int_t)pages * psize)
                               : json_null());
    return o;
}

static json_t *topology_object(const struct cb_topo_info *ti)
{
    json_t *o = json_object(), *caches = json_object();
    if (!o || !caches) {
        json_decref(o);
        json_decref(caches);
        return NULL;
    }
    put(o, "packages", ti ? int_or_null(ti->packages) : json_null());
    put(o, "numa_nodes", ti ? int_or_null(ti->numa_nodes) : json_null());
    put(o, "cores", ti ? int_or_null(ti->cores) : json_null());
    put(o, "pus", ti ? int_or_null(ti->pus) : json_null());
    put(o, "pus_per_core", ti ? int_or_null(ti->pus_per_core) : json_null());
    put(o, "smt",
        ti && ti->pus_per_core > 0 ? json_boolean(ti->pus_per_core > 1)
                                   : json_null());
    put(o, "synthetic",
        ti && ti->synthetic[0] ? cb_json_text(ti->synthetic) : json_null());
    put(o, "fingerprint",
        ti && ti->fingerprint[0] ? cb_json_text(ti->fingerprint) : json_null());
    put(caches, "l1d", ti ? int_or_null((long long)ti->l1d) : json_null());
    put(caches, "l2", ti ? int_or_null((long long)ti->l2) : json_null());
    put(caches, "l3", ti ? int_or_null((long long)ti->l3) : json_null());
    put(o, "caches", caches);
    return o;
}

static json_t *counters_object(void)
{
    json_t *o = json_object(), *ev = json_array();
    char reason[512];
    struct cb_counters *c;
    if (!o || !ev) {
        json_decref(o);
        json_decref(ev);
        return NULL;
    }
    c = cb_counters_open(reason, sizeof reason);
    put(o, "available", json_boolean(c != NULL));
    if (c) {
        const char *note = cb_counters_note(c);
        put(o, "reason", note[0] ? cb_json_text(note) : json_null());
        for (int i = 0; i < CB_CTR_COUNT; i++)
            if (cb_counters_opened(c, (enum cb_counter_id)i))
                json_array_append_new(
                    ev, json_string(cb_counter_name((enum cb_counter_id)i)));
        cb_counters_close(c);
    } else {
        put(o, "reason", cb_json_text(reason[0] ? reason : "unknown"));
    }
    put(o, "events", ev);
    return o;
}

json_t *cb_env_capture(const struct cb_topo *t, int argc, char **argv)
{
    json_t *ctx = json_object(), *cmd, *cpu, *load;
    struct cb_topo_info ti;
    int have_ti = 0, running;
    char buf[512], allowed[4096];
    double la[3], l1;
    time_t now = time(NULL);
    struct tm tm;

    if (!ctx)
        return NULL;
    memset(&ti, 0, sizeof ti);
    if (t && cb_topo_info(t, &ti) == 0)
        have_ti = 1;

    put(ctx, "corebench", corebench_object());

    if (gmtime_r(&now, &tm) &&
        strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
        put(ctx, "date", json_string(buf));
    else
        put(ctx, "date", json_null());

    cmd = json_array();
    for (int i = 0; cmd && i < argc && argv && argv[i]; i++)
        json_array_append_new(cmd, cb_json_text(argv[i]));
    put(ctx, "command_line", cmd);

    put(ctx, "host", host_object());

    cpu = json_object();
    if (cpu) {
        if (have_ti && ti.cpu_model[0])
            put(cpu, "model", cb_json_text(ti.cpu_model));
        else if (cpuinfo_model(buf, sizeof buf) == 0)
            put(cpu, "model", cb_json_text(buf));
        else
            put(cpu, "model", json_null());
        put(cpu, "governor",
            cb_env_governor(buf, sizeof buf) == 0 ? cb_json_text(buf)
                                                  : json_null());
    }
    put(ctx, "cpu", cpu);

    put(ctx, "topology", topology_object(have_ti ? &ti : NULL));

    /* The topology module restricts to the allowed cpuset; without it the
     * affinity mask says the same. */
    if (have_ti && ti.allowed[0])
        put(ctx, "allowed_pus", cb_json_text(ti.allowed));
    else {
        cb_env_allowed_pus(allowed, sizeof allowed);
        put(ctx, "allowed_pus", cb_json_text(allowed));
    }

    put(ctx, "cgroup_cpu_limit", num_or_null(cb_env_cgroup_cpu_limit()));

    load = json_array();
    if (load) {
        int n = getloadavg(la, 3);
        for (int i = 0; i < 3; i++)
            json_array_append_new(load, i < n ? json_real(la[i]) : json_null());
    }
    put(ctx, "load_avg", load);

    cb_env_load(&l1, &running);
    put(ctx, "running_threads",
        running >= 0 ? json_integer(running) : json_null());

    put(ctx, "timer_resolution_s", json_real(cb_timer_resolution()));
    put(ctx, "counters", counters_object());
    return ctx;
}
