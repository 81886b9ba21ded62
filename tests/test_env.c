/* Unit tests for environment capture (harness/machine/env.c), counters
 * (harness/machine/counters.c) and the probe's parts (harness/run/probe.c).
 *
 * Machine-dependent facts are checked for shape and sanity, never for
 * exact values: the context has every key of results/SCHEMA.md with the
 * documented JSON types, counters either work (then they count what a busy
 * loop and page faults must produce) or say why not, the triad computes the
 * right checksum at a positive bandwidth. Prints "N passed, M failed" last
 * and exits nonzero on any failure. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "counters.h"
#include "env.h"
#include "probe.h"
#include "topo.h"

#include "check.h"

/* ---- JSON type helpers --------------------------------------------------- */

enum {
    T_STR = 1,
    T_NULL = 2,
    T_INT = 4,
    T_REAL = 8,
    T_BOOL = 16,
    T_OBJ = 32,
    T_ARR = 64,
    T_NUM = T_INT | T_REAL
};

static int type_ok(const json_t *v, int types)
{
    if (!v)
        return 0;
    return ((types & T_STR) && json_is_string(v)) ||
           ((types & T_NULL) && json_is_null(v)) ||
           ((types & T_INT) && json_is_integer(v)) ||
           ((types & T_REAL) && json_is_real(v)) ||
           ((types & T_BOOL) && json_is_boolean(v)) ||
           ((types & T_OBJ) && json_is_object(v)) ||
           ((types & T_ARR) && json_is_array(v));
}

static void key(const json_t *obj, const char *path, const char *k, int types)
{
    const json_t *v = json_object_get(obj, k);
    CHECK(v != NULL, "%s.%s missing", path, k);
    if (v)
        CHECK(type_ok(v, types), "%s.%s has the wrong type (%d)", path, k,
              json_typeof(v));
}

/* Non-null integers must be positive (counts of packages, cores, ...). */
static void positive_or_null(const json_t *obj, const char *path, const char *k)
{
    const json_t *v = json_object_get(obj, k);
    key(obj, path, k, T_INT | T_NULL);
    if (json_is_integer(v))
        CHECK(json_integer_value(v) > 0, "%s.%s = %lld", path, k,
              (long long)json_integer_value(v));
}

static int is_date(const char *s)
{
    /* YYYY-MM-DDTHH:MM:SSZ */
    static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
    if (strlen(s) != sizeof pat - 1)
        return 0;
    for (size_t i = 0; pat[i]; i++)
        if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
            return 0;
    return 1;
}

/* "0-3,8": numbers and ranges separated by commas. */
static int is_pu_list(const char *s)
{
    if (!*s)
        return 0;
    while (*s) {
        char *end;
        long a = strtol(s, &end, 10), b = a;
        if (end == s || a < 0)
            return 0;
        s = end;
        if (*s == '-') {
            b = strtol(s + 1, &end, 10);
            if (end == s + 1 || b < a)
                return 0;
            s = end;
        }
        if (*s == ',')
            s++;
        else if (*s)
            return 0;
    }
    return 1;
}

/* ---- context ------------------------------------------------------------- */

static void check_context(const json_t *ctx, int argc, char **argv,
                          int with_topo)
{
    const json_t *cb, *host, *cpu, *topo, *caches, *la, *ctr, *cmd, *v;
    size_t i;

    CHECK(json_is_object(ctx), "context is not an object");
    if (!json_is_object(ctx))
        return;
    static const char *const keys[] = {"corebench",
                                       "date",
                                       "command_line",
                                       "host",
                                       "cpu",
                                       "topology",
                                       "allowed_pus",
                                       "cgroup_cpu_limit",
                                       "load_avg",
                                       "running_threads",
                                       "timer_resolution_s",
                                       "counters"};
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
        CHECK(json_object_get(ctx, keys[i]) != NULL, "context.%s missing",
              keys[i]);
    CHECK(json_object_get(ctx, "settings") == NULL,
          "settings is the caller's to add");

    key(ctx, "context", "corebench", T_OBJ);
    cb = json_object_get(ctx, "corebench");
    key(cb, "corebench", "version", T_STR);
    key(cb, "corebench", "git_commit", T_STR | T_NULL);
    key(cb, "corebench", "build_type", T_STR);
    key(cb, "corebench", "compiler", T_STR);
    key(cb, "corebench", "cflags", T_STR);
    if (json_is_string(json_object_get(cb, "git_commit")))
        CHECK(json_string_length(json_object_get(cb, "git_commit")) > 0,
              "git_commit is an empty string instead of null");

    key(ctx, "context", "date", T_STR);
    v = json_object_get(ctx, "date");
    if (json_is_string(v)) {
        struct tm tm;
        time_t now = time(NULL), then;
        const char *s = json_string_value(v);
        CHECK(is_date(s), "date '%s' is not YYYY-MM-DDTHH:MM:SSZ", s);
        memset(&tm, 0, sizeof tm);
        if (strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
            then = timegm(&tm);
            CHECK(llabs((long long)(now - then)) < 120,
                  "date %s is not now (UTC)", s);
        }
    }

    key(ctx, "context", "command_line", T_ARR);
    cmd = json_object_get(ctx, "command_line");
    CHECK(json_array_size(cmd) == (size_t)argc, "command_line has %zu of %d",
          json_array_size(cmd), argc);
    json_array_foreach(cmd, i, v)
    {
        CHECK(json_is_string(v), "command_line[%zu] not a string", i);
        if (json_is_string(v) && (int)i < argc && strcmp(argv[i], "\xff") != 0)
            CHECK(strcmp(json_string_value(v), argv[i]) == 0,
                  "command_line[%zu] = '%s'", i, json_string_value(v));
        else if (json_is_string(v) && (int)i < argc)
            CHECK(strcmp(json_string_value(v), "?") == 0,
                  "invalid UTF-8 not replaced: '%s'", json_string_value(v));
    }

    key(ctx, "context", "host", T_OBJ);
    host = json_object_get(ctx, "host");
    key(host, "host", "hostname", T_STR | T_NULL);
    key(host, "host", "os", T_STR | T_NULL);
    key(host, "host", "kernel", T_STR | T_NULL);
    key(host, "host", "arch", T_STR | T_NULL);
    positive_or_null(host, "host", "memory_bytes");
    v = json_object_get(host, "os");
    if (json_is_string(v))
        CHECK(strcmp(json_string_value(v), "Linux") == 0, "os = %s",
              json_string_value(v));

    key(ctx, "context", "cpu", T_OBJ);
    cpu = json_object_get(ctx, "cpu");
    key(cpu, "cpu", "model", T_STR | T_NULL);
    key(cpu, "cpu", "governor", T_STR | T_NULL);

    key(ctx, "context", "topology", T_OBJ);
    topo = json_object_get(ctx, "topology");
    positive_or_null(topo, "topology", "packages");
    positive_or_null(topo, "topology", "numa_nodes");
    positive_or_null(topo, "topology", "cores");
    positive_or_null(topo, "topology", "pus");
    positive_or_null(topo, "topology", "pus_per_core");
    key(topo, "topology", "smt", T_BOOL | T_NULL);
    key(topo, "topology", "synthetic", T_STR | T_NULL);
    key(topo, "topology", "fingerprint", T_STR | T_NULL);
    key(topo, "topology", "caches", T_OBJ);
    caches = json_object_get(topo, "caches");
    positive_or_null(caches, "caches", "l1d");
    positive_or_null(caches, "caches", "l2");
    positive_or_null(caches, "caches", "l3");
    if (with_topo) {
        CHECK(json_is_integer(json_object_get(topo, "pus")),
              "topology loaded but pus is null");
        v = json_object_get(topo, "fingerprint");
        CHECK(json_is_string(v) && json_string_length(v) == 16,
              "fingerprint is not 16 hex digits");
    } else {
        CHECK(json_is_null(json_object_get(topo, "pus")),
              "no topology but pus is set");
    }

    key(ctx, "context", "allowed_pus", T_STR);
    v = json_object_get(ctx, "allowed_pus");
    if (json_is_string(v))
        CHECK(is_pu_list(json_string_value(v)), "allowed_pus '%s'",
              json_string_value(v));

    key(ctx, "context", "cgroup_cpu_limit", T_NUM | T_NULL);
    v = json_object_get(ctx, "cgroup_cpu_limit");
    if (json_is_number(v))
        CHECK(json_number_value(v) > 0, "cgroup_cpu_limit %g",
              json_number_value(v));

    key(ctx, "context", "load_avg", T_ARR);
    la = json_object_get(ctx, "load_avg");
    CHECK(json_array_size(la) == 3, "load_avg has %zu entries",
          json_array_size(la));
    json_array_foreach(la, i, v)
    {
        CHECK(type_ok(v, T_NUM | T_NULL), "load_avg[%zu] type", i);
        if (json_is_number(v))
            CHECK(json_number_value(v) >= 0, "load_avg[%zu] < 0", i);
    }

    key(ctx, "context", "running_threads", T_INT | T_NULL);
    v = json_object_get(ctx, "running_threads");
    if (json_is_integer(v))
        CHECK(json_integer_value(v) >= 0, "running_threads < 0");

    key(ctx, "context", "timer_resolution_s", T_REAL);
    v = json_object_get(ctx, "timer_resolution_s");
    if (json_is_number(v))
        CHECK(json_number_value(v) > 0 && json_number_value(v) < 1e-3,
              "timer_resolution_s = %g", json_number_value(v));

    key(ctx, "context", "counters", T_OBJ);
    ctr = json_object_get(ctx, "counters");
    key(ctr, "counters", "available", T_BOOL);
    key(ctr, "counters", "reason", T_STR | T_NULL);
    key(ctr, "counters", "events", T_ARR);
    if (json_is_false(json_object_get(ctr, "available"))) {
        v = json_object_get(ctr, "reason");
        CHECK(json_is_string(v) && json_string_length(v) > 0,
              "counters unavailable without a reason");
        CHECK(json_array_size(json_object_get(ctr, "events")) == 0,
              "unavailable counters list events");
    } else if (json_is_true(json_object_get(ctr, "available"))) {
        CHECK(json_array_size(json_object_get(ctr, "events")) > 0,
              "available counters list no event");
        json_array_foreach(json_object_get(ctr, "events"), i, v)
        {
            int known = 0;
            for (int k = 0; k < CB_CTR_COUNT; k++)
                known |= json_is_string(v) &&
                         strcmp(json_string_value(v),
                                cb_counter_name((enum cb_counter_id)k)) == 0;
            CHECK(known, "unknown event in counters.events");
        }
    }

    /* What the results writer does with it: ASCII-only dump, reload. */
    {
        char *s = json_dumps(ctx, JSON_ENSURE_ASCII | JSON_COMPACT);
        json_error_t je;
        json_t *back = s ? json_loads(s, 0, &je) : NULL;
        CHECK(s != NULL, "context does not serialize");
        CHECK(back && json_equal(back, ctx), "context does not round-trip");
        json_decref(back);
        free(s);
    }
}

static void test_context(void)
{
    char a0[] = "corebench", a1[] = "run", a2[] = "--kernel=gcd", a3[] = "\xff",
         a4[] = "caf\xc3\xa9";
    char *argv[] = {a0, a1, a2, a3, a4, NULL};
    struct cb_topo *t = NULL;
    struct cb_error e;
    json_t *ctx;

    ctx = cb_env_capture(NULL, 5, argv);
    check_context(ctx, 5, argv, 0);
    json_decref(ctx);

    if (cb_topo_load(&t, NULL, NULL, &e) == 0) {
        ctx = cb_env_capture(t, 5, argv);
        check_context(ctx, 5, argv, 1);
        json_decref(ctx);
        cb_topo_destroy(t);
    } else {
        printf("note: topology unavailable (%s): checked without it\n", e.msg);
    }
}

/* ---- small functions ----------------------------------------------------- */

static void test_cpu_max(void)
{
    double v = 0;
    static const char *const bad[] = {"",
                                      "max",
                                      "abc 100000",
                                      "100000",
                                      "-1 100000",
                                      "0 100000",
                                      "200000 0",
                                      "200000 100000 7",
                                      "2e5x 100000",
                                      "max max",
                                      "200000 -100000",
                                      " \n"};

    CHECK(cb_env_parse_cpu_max("max 100000", &v) == 0 && isnan(v),
          "max 100000 -> %g", v);
    CHECK(cb_env_parse_cpu_max("max 100000\n", &v) == 0 && isnan(v),
          "with newline -> %g", v);
    CHECK(cb_env_parse_cpu_max("200000 100000", &v) == 0 && v == 2.0,
          "200000 100000 -> %g", v);
    CHECK(cb_env_parse_cpu_max("50000 100000\n", &v) == 0 && v == 0.5,
          "50000 100000 -> %g", v);
    CHECK(cb_env_parse_cpu_max("150000 100000", &v) == 0 && v == 1.5,
          "150000 100000 -> %g", v);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(cb_env_parse_cpu_max(bad[i], &v) == CB_EUSAGE, "'%s' accepted",
              bad[i]);
    CHECK(cb_env_parse_cpu_max(NULL, &v) == CB_EUSAGE, "NULL accepted");

    /* whatever this machine has, it is NaN or a positive count */
    v = cb_env_cgroup_cpu_limit();
    CHECK(isnan(v) || v > 0, "cgroup limit %g", v);
}

static void test_text(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"caf\xc3\xa9", "caf\xc3\xa9"},
        {"\xe2\x82\xac 5", "\xe2\x82\xac 5"},     /* euro sign */
        {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"}, /* U+1F600 */
        {"a\xffz", "a?z"},
        {"\xc0\xaf", "??"},           /* overlong '/' */
        {"\xed\xa0\x80", "???"},      /* surrogate */
        {"\xf4\x90\x80\x80", "????"}, /* > U+10FFFF */
        {"end\xc3", "end?"},          /* truncated */
        {"tab\tquote\"", "tab\tquote\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *v = cb_json_text(cases[i].in);
        CHECK(json_is_string(v) &&
                  strcmp(json_string_value(v), cases[i].out) == 0,
              "case %zu -> '%s'", i, v ? json_string_value(v) : "(NULL)");
        json_decref(v);
    }
    {
        json_t *v = cb_json_text(NULL);
        CHECK(json_is_null(v), "NULL is not null");
        json_decref(v);
    }
}

static void test_small(void)
{
    char buf[4096], gov[64];
    double l1 = -5, r;
    int running = -5, n;

    r = cb_timer_resolution();
    CHECK(r > 0 && r < 1e-3, "timer resolution %g", r);

    n = cb_env_allowed_pus(buf, sizeof buf);
    CHECK(n >= 1, "allowed PUs %d", n);
    CHECK(is_pu_list(buf), "allowed list '%s'", buf);
    CHECK(cb_env_allowed_pus(NULL, 0) == n, "count without a buffer");

    if (cb_env_load(&l1, &running) == 0) {
        CHECK(l1 >= 0, "load %g", l1);
        CHECK(running >= 0, "running %d", running);
    } else {
        CHECK(l1 == -1 || running == -1, "failure without -1");
    }
    if (cb_env_governor(gov, sizeof gov) == 0)
        CHECK(gov[0] != '\0', "empty governor");
    else
        CHECK(gov[0] == '\0', "governor failed but wrote '%s'", gov);
}

/* ---- counters ------------------------------------------------------------ */

static volatile unsigned long sink;

static void busy(long iters)
{
    /* a volatile store per iteration: at least a load, add, store and the
     * loop's increment, compare and branch, at any optimization level */
    for (long i = 0; i < iters; i++)
        sink += (unsigned long)i;
}

static void test_counters(void)
{
    char reason[512] = "unset";
    struct cb_counters *c = cb_counters_open(reason, sizeof reason);
    struct cb_counter_values a, b, f;

    cb_counters_close(NULL); /* accepts NULL */
    if (!c) {
        CHECK(reason[0] != '\0' && strcmp(reason, "unset") != 0,
              "no counters and no reason");
        CHECK(strstr(reason, "perf_event_paranoid") != NULL,
              "reason does not name perf_event_paranoid: %s", reason);
        printf("note: counters unavailable: %s\n", reason);
        return;
    }
    printf("note: counters open%s%s\n", cb_counters_note(c)[0] ? ": " : "",
           cb_counters_note(c));
    CHECK(strcmp(cb_counter_name(CB_CTR_INSTRUCTIONS), "instructions") == 0,
          "name");
    CHECK(strcmp(cb_counter_name(CB_CTR_PAGE_FAULTS), "page_faults") == 0,
          "name");

    cb_counters_start(c);
    busy(1000000);
    cb_counters_stop(c, &a);
    cb_counters_start(c);
    busy(10000000);
    cb_counters_stop(c, &b);
    for (int i = 0; i < CB_CTR_COUNT; i++)
        CHECK(a.valid[i] == b.valid[i] ||
                  !cb_counters_opened(c, (enum cb_counter_id)i),
              "%s valid once only", cb_counter_name((enum cb_counter_id)i));
    if (b.valid[CB_CTR_INSTRUCTIONS]) {
        CHECK(b.v[CB_CTR_INSTRUCTIONS] > 10000000ULL,
              "10^7 iterations took %llu instructions",
              (unsigned long long)b.v[CB_CTR_INSTRUCTIONS]);
        /* reset works and more work counts more */
        CHECK(a.v[CB_CTR_INSTRUCTIONS] < b.v[CB_CTR_INSTRUCTIONS],
              "10^6 iterations %llu >= 10^7 iterations %llu",
              (unsigned long long)a.v[CB_CTR_INSTRUCTIONS],
              (unsigned long long)b.v[CB_CTR_INSTRUCTIONS]);
    } else {
        printf("note: instructions counter not available here\n");
    }
    if (b.valid[CB_CTR_CYCLES])
        CHECK(b.v[CB_CTR_CYCLES] > a.v[CB_CTR_CYCLES] &&
                  b.v[CB_CTR_CYCLES] > 1000000ULL,
              "cycles %llu then %llu", (unsigned long long)a.v[CB_CTR_CYCLES],
              (unsigned long long)b.v[CB_CTR_CYCLES]);

    /* inherit: a child's page faults are folded in once it has exited */
    if (cb_counters_opened(c, CB_CTR_PAGE_FAULTS)) {
        const size_t len = 16u << 20, pages = len / 4096;
        pid_t pid;
        cb_counters_start(c);
        pid = fork();
        if (pid == 0) {
            char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED)
                _exit(1);
            madvise(p, len, MADV_NOHUGEPAGE); /* one fault per 4 KiB page */
            for (size_t i = 0; i < len; i += 4096)
                p[i] = 1;
            _exit(0);
        }
        if (pid > 0)
            waitpid(pid, NULL, 0);
        cb_counters_stop(c, &f);
        CHECK(f.valid[CB_CTR_PAGE_FAULTS], "page faults invalid");
        CHECK(f.v[CB_CTR_PAGE_FAULTS] >= pages,
              "child touched %zu pages, %llu faults counted", pages,
              (unsigned long long)f.v[CB_CTR_PAGE_FAULTS]);
        /* the next sample starts from zero: the child's folded-in faults
         * (which PERF_EVENT_IOC_RESET does not clear) belong to the
         * previous one */
        cb_counters_start(c);
        busy(1000);
        cb_counters_stop(c, &f);
        CHECK(f.valid[CB_CTR_PAGE_FAULTS] &&
                  f.v[CB_CTR_PAGE_FAULTS] < pages / 4,
              "a sample after the child counted %llu faults (child: %zu)",
              (unsigned long long)f.v[CB_CTR_PAGE_FAULTS], pages);
    }
    cb_counters_close(c);
}

/* ---- probe parts --------------------------------------------------------- */

static void test_triad(void)
{
    struct cb_triad_result r;
    struct cb_error e;
    /* odd size: the last slice ends mid cache line */
    const size_t n = (1u << 20) + 3;
    double expected = 0;
    for (size_t i = 0; i < n; i++)
        expected += (double)(i % 8) + 3.0 * 2.0;

    for (int t = 1; t <= 3; t++) {
        int rc = cb_probe_triad(n, t, NULL, 2, &r, &e);
        CHECK(rc == 0, "triad %d threads: %s", t, rc ? e.msg : "");
        CHECK(r.bytes_per_s > 0 && isfinite(r.bytes_per_s),
              "triad %d threads: %g B/s", t, r.bytes_per_s);
        CHECK(r.checksum == expected && r.expected == expected,
              "triad %d threads: checksum %.17g expected %.17g (%.17g)", t,
              r.checksum, expected, r.expected);
        CHECK(r.best_s > 0, "triad time %g", r.best_s);
    }
    {
        int pus[2] = {-1, -1};
        CHECK(cb_probe_triad(64, 2, pus, 1, &r, &e) == 0, "unbound pus");
        CHECK(r.checksum == r.expected, "tiny triad checksum");
    }
    CHECK(cb_probe_triad(4, 1, NULL, 1, &r, &e) == CB_EUSAGE, "n < 8");
    CHECK(cb_probe_triad(1024, 0, NULL, 1, &r, &e) == CB_EUSAGE, "0 threads");
    CHECK(cb_probe_triad(1024, 1, NULL, 0, &r, &e) == CB_EUSAGE, "0 reps");
}

static void test_costs(void)
{
    struct cb_error e;
    double v = 0;
    CHECK(cb_probe_fork(10, &v, &e) == 0 && v > 0 && v < 0.1, "fork %g", v);
    CHECK(cb_probe_pthread(20, &v, &e) == 0 && v > 0 && v < 0.1, "pthread %g",
          v);
    CHECK(cb_probe_pipe(50, &v, &e) == 0 && v > 0 && v < 0.1, "pipe %g", v);
    CHECK(cb_probe_fork(0, &v, &e) == CB_EUSAGE && isnan(v), "fork 0");
    /* no child left behind */
    CHECK(waitpid(-1, NULL, WNOHANG) < 0, "an unreaped child");
}

static void test_probe_object(void)
{
    struct cb_probe_opts o;
    struct cb_error e;
    json_t *p, *v;
    size_t i;

    memset(&o, 0, sizeof o);
    o.quick = 1;
    o.triad_bytes = 4u << 20; /* the shape, not the ceiling */
    o.max_threads = 2;
    p = cb_probe_run(&o, &e);
    CHECK(p != NULL, "probe failed: %s", e.msg);
    if (!p)
        return;
    key(p, "probe", "triad", T_ARR);
    CHECK(json_array_size(json_object_get(p, "triad")) >= 1, "no triad");
    json_array_foreach(json_object_get(p, "triad"), i, v)
    {
        key(v, "triad[]", "threads", T_INT);
        key(v, "triad[]", "bytes_per_s", T_NUM);
        CHECK(json_integer_value(json_object_get(v, "threads")) == (int)i + 1,
              "triad thread counts 1, 2, ...");
        CHECK(json_number_value(json_object_get(v, "bytes_per_s")) > 0,
              "triad bandwidth");
    }
    /* the working-set levels: each cache level the machine reports, then
     * dram, whose points are the triad's; every level readable back */
    key(p, "probe", "triad_levels", T_ARR);
    {
        const json_t *levels = json_object_get(p, "triad_levels");
        size_t nl = json_array_size(levels);
        struct cb_triad_level lv[CB_TRIAD_MAX_LEVELS];
        int n;
        CHECK(nl >= 1 && strcmp(json_string_value(json_object_get(
                                    json_array_get(levels, nl - 1), "level")),
                                "dram") == 0,
              "triad_levels ends with dram (%zu levels)", nl);
        json_array_foreach(levels, i, v)
        {
            key(v, "triad_levels[]", "level", T_STR);
            key(v, "triad_levels[]", "cache_bytes", T_INT | T_NULL);
            key(v, "triad_levels[]", "shared", T_BOOL);
            key(v, "triad_levels[]", "working_set_bytes", T_NUM);
            key(v, "triad_levels[]", "passes", T_INT);
            key(v, "triad_levels[]", "points", T_ARR);
            /* the triad's own arrays fit the cache it measures */
            if (json_is_integer(json_object_get(v, "cache_bytes")))
                CHECK(json_number_value(json_object_get(v, "working_set_bytes")) <=
                          json_number_value(json_object_get(v, "cache_bytes")),
                      "level %zu: working set beyond its cache", i);
        }
        n = cb_triad_levels_read(p, lv, CB_TRIAD_MAX_LEVELS);
        CHECK(n == (int)nl, "levels read back: %d of %zu", n, nl);
        CHECK(n >= 1 && lv[n - 1].npoints ==
                            (int)json_array_size(json_object_get(p, "triad")),
              "dram level has the triad's points");
    }
    key(p, "probe", "fork_s", T_NUM);
    key(p, "probe", "pthread_create_s", T_NUM);
    key(p, "probe", "pipe_roundtrip_s", T_NUM);
    key(p, "probe", "floors", T_ARR);
    json_array_foreach(json_object_get(p, "floors"), i, v)
    {
        key(v, "floors[]", "executor", T_STR);
        key(v, "floors[]", "workers", T_INT);
        key(v, "floors[]", "per_task_s", T_NUM | T_NULL);
        if (json_is_null(json_object_get(v, "per_task_s")))
            key(v, "floors[]", "error", T_STR);
    }
    json_array_foreach(json_object_get(p, "errors"), i, v)
        printf("note: probe: %s\n", json_string_value(v));
    cb_probe_print(p, stdout);
    json_decref(p);
    CHECK(waitpid(-1, NULL, WNOHANG) < 0, "an unreaped child after probe");
}

/* /proc/stat's CPU lines: busy, steal (the 8th column), idle, in seconds
 * at `hz` ticks per second; and the machine's own file. */
static void test_cpustat(void)
{
    static struct cb_cpustat st;
    const char *txt =
        "cpu  12390 10 4351 32572 360 5 67 89 0 0\n"
        "cpu0 5631 4 1918 17291 12 2 11 43 0 0\n"
        "cpu1 6758 6 2433 15280 347 3 55 46 0 0\n"
        "intr 1 2 3\nctxt 99\n";
    CHECK(cb_env_parse_cpustat(txt, 100, &st) == 0 && st.ok && st.n == 2,
          "parsed: ok %d n %d", st.ok, st.n);
    CHECK(fabs(st.busy_all - (12390 + 10 + 4351 + 5 + 67) / 100.0) < 1e-9 &&
              fabs(st.steal_all - 0.89) < 1e-9 &&
              fabs(st.idle_all - (32572 + 360) / 100.0) < 1e-9,
          "all: busy %g steal %g idle %g", st.busy_all, st.steal_all,
          st.idle_all);
    CHECK(fabs(st.steal[0] - 0.43) < 1e-9 && fabs(st.steal[1] - 0.46) < 1e-9 &&
              fabs(st.busy[1] - (6758 + 6 + 2433 + 3 + 55) / 100.0) < 1e-9,
          "per CPU: steal %g %g busy1 %g", st.steal[0], st.steal[1],
          st.busy[1]);
    /* an old kernel without the steal column: steal 0 */
    CHECK(cb_env_parse_cpustat("cpu  1 2 3 4 5\ncpu3 1 2 3 4\n", 250, &st) ==
                  0 &&
              st.n == 4 && st.steal_all == 0 && st.steal[3] == 0 &&
              fabs(st.busy[3] - 6 / 250.0) < 1e-12,
          "short lines: n %d steal %g", st.n, st.steal_all);
    CHECK(cb_env_parse_cpustat("cpu0 1 2 3 4 5 6 7 8\n", 100, &st) != 0 &&
              !st.ok,
          "no 'cpu' line: refused");
    CHECK(cb_env_parse_cpustat("cpu  1 2 x\n", 100, &st) != 0 && !st.ok,
          "garbage: refused");
    CHECK(cb_env_parse_cpustat(txt, 0, &st) != 0, "hz 0: refused");
    /* this machine's: at least one CPU, the whole no less than a part */
    if (cb_env_cpustat(&st) == 0) {
        CHECK(st.ok && st.n >= 1 && st.busy_all >= st.busy[0] &&
                  st.steal_all >= 0,
              "/proc/stat: n %d busy %g", st.n, st.busy_all);
    } else {
        printf("note: /proc/stat unreadable here\n");
    }
    CHECK(cb_env_self_cpu() >= 0, "own CPU time %g", cb_env_self_cpu());
}

int main(void)
{
    test_cpustat();
    test_text();
    test_cpu_max();
    test_small();
    test_context();
    test_counters();
    test_triad();
    test_costs();
    test_probe_object();
    return check_finish();
}
