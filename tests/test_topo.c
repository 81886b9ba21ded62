/* Unit tests for harness/machine/topo.c: loading, info, pin parsing, placement plans
 * and `corebench topo`, mostly on hwloc synthetic topologies so that they
 * mean the same on a 2-core laptop and a 2-socket server.
 *
 * Plain C, no framework: prints each failure, then "N passed, M failed",
 * and exits nonzero if anything failed. Needs only files in the repo
 * (tests/topo/, found next to this source) and a writable temp dir. */
#include <errno.h>
#include <fcntl.h>
#include <hwloc.h>
#include <hwloc/export.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "topo.h"

#include "check.h"

static const char *S_2x4x2 = "pack:2 core:4 pu:2";

/* ---- helpers ------------------------------------------------------------- */

static struct cb_topo *load_ok(const char *synthetic, const char *xml)
{
    struct cb_topo *t = NULL;
    struct cb_error e = {0};
    int rc = cb_topo_load(&t, synthetic, xml, &e);
    CHECK(rc == 0 && t, "load %s: %s",
          synthetic ? synthetic
          : xml     ? xml
                    : "this machine",
          e.msg);
    return t;
}

/* Plans `workers` workers with `policy` ("compact", "pus:1,2", ...). */
static int plan(const struct cb_topo *t, const char *policy, int workers,
                int *pus, struct cb_error *e)
{
    struct cb_pin_spec spec;
    int rc = cb_pin_parse(policy, &spec, e);
    if (rc < 0)
        return rc;
    return cb_topo_plan(t, &spec, workers, pus, e);
}

static void fmt_list(char *buf, size_t len, const int *v, int n)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && off < len; i++)
        off +=
            (size_t)snprintf(buf + off, len - off, "%s%d", i ? "," : "", v[i]);
}

/* Plans and compares with the exact expected list. */
static void expect_plan(const struct cb_topo *t, const char *policy,
                        int workers, const int *want, int line)
{
    int got[64];
    char g[512], w[512];
    struct cb_error e = {0};
    int rc = plan(t, policy, workers, got, &e);
    if (!CHECK_AT(line, rc == 0, "plan ok: %s x%d: %s", policy, workers, e.msg))
        return;
    fmt_list(g, sizeof g, got, workers);
    fmt_list(w, sizeof w, want, workers);
    CHECK_AT(line, memcmp(got, want, sizeof *got * (size_t)workers) == 0,
             "plan matches: %s x%d: got %s, want %s", policy, workers, g, w);
}
#define EXPECT_PLAN(t, pol, n, ...)                                            \
    do {                                                                       \
        const int want_[] = {__VA_ARGS__};                                     \
        expect_plan((t), (pol), (n), want_, __LINE__);                         \
    } while (0)

/* Expects CB_EUSAGE with every needle in the message. */
static void expect_usage(int rc, const struct cb_error *e, const char *what,
                         const char *needle1, const char *needle2, int line)
{
    CHECK_AT(line, rc == CB_EUSAGE, "rc == CB_EUSAGE: %s: rc %d (%s)", what, rc,
             e->msg);
    if (needle1)
        CHECK_AT(line, strstr(e->msg, needle1) != NULL,
                 "message names it: %s: '%s' not in \"%s\"", what, needle1,
                 e->msg);
    if (needle2)
        CHECK_AT(line, strstr(e->msg, needle2) != NULL,
                 "message explains: %s: '%s' not in \"%s\"", what, needle2,
                 e->msg);
    CHECK_AT(line, strchr(e->msg, '\n') == NULL, "one line: %s: \"%s\"", what,
             e->msg);
}
#define EXPECT_USAGE(rc, e, what, n1, n2)                                      \
    expect_usage((rc), (e), (what), (n1), (n2), __LINE__)

static int all_distinct(const int *v, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (v[i] == v[j])
                return 0;
    return 1;
}

/* For "pack:2 core:4 pu:2" with default numbering: PU p is on core p/2 and
 * package p/8. */
static int core_of(int pu)
{
    return pu / 2;
}
static int pack_of(int pu)
{
    return pu / 8;
}

static char tmpdir_buf[256];
static const char *tmpdir(void)
{
    const char *d = getenv("TMPDIR");
    snprintf(tmpdir_buf, sizeof tmpdir_buf, "%s", d && *d ? d : "/tmp");
    return tmpdir_buf;
}

/* Creates an empty temp file; path in buf. */
static int make_temp(char *buf, size_t len, const char *suffix)
{
    int fd;
    snprintf(buf, len, "%s/cb_test_topo_XXXXXX%s", tmpdir(), suffix);
    fd = mkstemps(buf, (int)strlen(suffix));
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

/* Loads a synthetic topology with hwloc itself, optionally restricts it to
 * `keep` (a list like "0,2-11,14-15"), and exports it as XML to path. */
static int synthetic_to_xml(const char *synthetic, const char *keep,
                            const char *path)
{
    hwloc_topology_t topo;
    int rc = -1;
    if (hwloc_topology_init(&topo) < 0)
        return -1;
    if (hwloc_topology_set_synthetic(topo, synthetic) == 0 &&
        hwloc_topology_load(topo) == 0) {
        rc = 0;
        if (keep) {
            hwloc_bitmap_t set = hwloc_bitmap_alloc();
            rc = hwloc_bitmap_list_sscanf(set, keep) < 0 ||
                         hwloc_topology_restrict(topo, set, 0) < 0
                     ? -1
                     : 0;
            hwloc_bitmap_free(set);
        }
        if (rc == 0)
            rc = hwloc_topology_export_xml(topo, path, 0);
    }
    hwloc_topology_destroy(topo);
    return rc;
}

/* Runs cb_cmd_topo with stdout and stderr captured into out/err. */
static int run_cmd(char *out, size_t outlen, char *err, size_t errlen, ...)
{
    char *argv[16];
    int argc = 0, rc, saved[2], fds[2];
    char paths[2][300];
    char *bufs[2] = {out, err};
    size_t lens[2] = {outlen, errlen};
    va_list ap;

    va_start(ap, errlen);
    argv[argc++] = "topo";
    while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
        argc++;
    argv[argc] = NULL;
    va_end(ap);

    fflush(stdout);
    fflush(stderr);
    for (int i = 0; i < 2; i++) {
        if (make_temp(paths[i], sizeof paths[i], ".txt") < 0)
            return -100;
        fds[i] = open(paths[i], O_WRONLY | O_TRUNC);
        saved[i] = dup(i + 1);
        dup2(fds[i], i + 1);
        close(fds[i]);
    }
    rc = cb_cmd_topo(argc, argv);
    fflush(stdout);
    fflush(stderr);
    for (int i = 0; i < 2; i++) {
        FILE *f;
        size_t n = 0;
        dup2(saved[i], i + 1);
        close(saved[i]);
        f = fopen(paths[i], "r");
        if (f) {
            n = fread(bufs[i], 1, lens[i] - 1, f);
            fclose(f);
        }
        bufs[i][n] = '\0';
        unlink(paths[i]);
    }
    return rc;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* ---- tests --------------------------------------------------------------- */

static void test_info_synthetic(void)
{
    struct cb_topo *t = load_ok(S_2x4x2, NULL), *t2, *t3;
    struct cb_topo_info in, in2, in3;
    if (!t)
        return;
    CHECK(!cb_topo_is_this_machine(t), "a synthetic topology is not bindable");
    CHECK(cb_topo_info(t, &in) == 0, "info");
    CHECK(in.packages == 2 && in.cores == 8 && in.pus == 16 &&
              in.pus_per_core == 2 && in.numa_nodes == 1,
          "counts: %d packages %d cores %d PUs smt %d numa %d", in.packages,
          in.cores, in.pus, in.pus_per_core, in.numa_nodes);
    CHECK(strstr(in.synthetic, "Package:2 Core:4 PU:2") != NULL,
          "synthetic export \"%s\"", in.synthetic);
    CHECK(strcmp(in.allowed, "0-15") == 0, "allowed \"%s\"", in.allowed);
    CHECK(strlen(in.fingerprint) == 16 &&
              strspn(in.fingerprint, "0123456789abcdef") == 16,
          "fingerprint \"%s\"", in.fingerprint);
    CHECK(in.cpu_model[0] == '\0' && in.l1d == 0 && in.l2 == 0 && in.l3 == 0,
          "no model or caches in this synthetic topology");

    /* same description, second load: same fingerprint */
    t2 = load_ok(S_2x4x2, NULL);
    if (t2 && cb_topo_info(t2, &in2) == 0)
        CHECK(strcmp(in.fingerprint, in2.fingerprint) == 0,
              "fingerprint stable: %s vs %s", in.fingerprint, in2.fingerprint);
    cb_topo_destroy(t2);

    /* different topologies: different fingerprints, even with the same PU
     * count, and with only the PU numbering changed */
    const char *others[] = {"pack:2 core:8 pu:1", "pack:1 core:8 pu:2",
                            "pack:2 core:4 pu:2(indexes=2*8:1*2)",
                            "pack:2 l2:4(size=1048576) core:1 pu:2"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        t3 = load_ok(others[i], NULL);
        if (t3 && cb_topo_info(t3, &in3) == 0) {
            CHECK(in3.pus == 16, "%s: %d PUs", others[i], in3.pus);
            CHECK(strcmp(in.fingerprint, in3.fingerprint) != 0,
                  "fingerprint of \"%s\" differs from \"%s\": both %s",
                  others[i], S_2x4x2, in.fingerprint);
        }
        cb_topo_destroy(t3);
    }
    cb_topo_destroy(t);
}

static void test_plans_synthetic(void)
{
    struct cb_topo *t = load_ok(S_2x4x2, NULL);
    struct cb_error e = {0};
    int c[64], k[64], s[64];
    if (!t)
        return;

    /* the three policies on 4 workers: exact, and all different */
    EXPECT_PLAN(t, "compact", 4, 0, 1, 2, 3);
    EXPECT_PLAN(t, "cores", 4, 0, 2, 4, 6);
    EXPECT_PLAN(t, "scatter", 4, 0, 4, 8, 12);
    EXPECT_PLAN(t, "scatter", 2, 0, 8);
    EXPECT_PLAN(t, "none", 3, -1, -1, -1);
    plan(t, "compact", 4, c, &e);
    plan(t, "cores", 4, k, &e);
    plan(t, "scatter", 4, s, &e);
    CHECK(memcmp(c, k, sizeof *c * 4) && memcmp(c, s, sizeof *c * 4) &&
              memcmp(k, s, sizeof *c * 4),
          "compact, cores, scatter differ");

    /* compact x4: two pairs of SMT siblings */
    CHECK(core_of(c[0]) == core_of(c[1]) && core_of(c[2]) == core_of(c[3]),
          "compact fills siblings first");
    CHECK(cb_topo_plan_shared_cores(t, c, 4) == 4, "compact x4 shares: %d",
          cb_topo_plan_shared_cores(t, c, 4));
    /* cores x4: 4 distinct cores, all on package 0 */
    for (int i = 0; i < 4; i++)
        CHECK(pack_of(k[i]) == 0, "cores x4 on package 0: PU %d", k[i]);
    CHECK(cb_topo_plan_shared_cores(t, k, 4) == 0, "cores x4 shares none");
    /* scatter x2: one per package; x4: two per package on distinct cores */
    plan(t, "scatter", 2, s, &e);
    CHECK(pack_of(s[0]) != pack_of(s[1]), "scatter x2 on two packages: %d %d",
          s[0], s[1]);
    plan(t, "scatter", 4, s, &e);
    {
        int per_pack[2] = {0, 0}, cores[4];
        for (int i = 0; i < 4; i++) {
            per_pack[pack_of(s[i])]++;
            cores[i] = core_of(s[i]);
        }
        CHECK(per_pack[0] == 2 && per_pack[1] == 2, "scatter x4: %d + %d",
              per_pack[0], per_pack[1]);
        CHECK(all_distinct(cores, 4), "scatter x4 on distinct cores");
        CHECK(cb_topo_plan_shared_cores(t, s, 4) == 0,
              "scatter x4 shares none");
    }

    /* full machine */
    EXPECT_PLAN(t, "compact", 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                14, 15);
    EXPECT_PLAN(t, "cores", 16, 0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11,
                13, 15);

    /* scatter for every count: distinct PUs; distinct cores while there
     * are free cores; packages balanced */
    for (int n = 1; n <= 16; n++) {
        int per_pack[2] = {0, 0}, cores[16];
        if (!CHECK(plan(t, "scatter", n, s, &e) == 0, "scatter x%d: %s", n,
                   e.msg))
            continue;
        for (int i = 0; i < n; i++) {
            per_pack[pack_of(s[i])]++;
            cores[i] = core_of(s[i]);
        }
        CHECK(all_distinct(s, n), "scatter x%d: distinct PUs", n);
        if (n <= 8)
            CHECK(all_distinct(cores, n), "scatter x%d: distinct cores", n);
        CHECK(abs(per_pack[0] - per_pack[1]) <= 1, "scatter x%d: %d + %d", n,
              per_pack[0], per_pack[1]);
        CHECK(cb_topo_plan_shared_cores(t, s, n) == (n <= 8 ? 0 : 2 * (n - 8)),
              "scatter x%d shares %d", n, cb_topo_plan_shared_cores(t, s, n));
    }

    /* more workers than PUs wrap around in plan order */
    {
        const char *pols[] = {"compact", "cores", "scatter"};
        for (int p = 0; p < 3; p++) {
            int full[16], w[20];
            plan(t, pols[p], 16, full, &e);
            if (!CHECK(plan(t, pols[p], 20, w, &e) == 0, "%s x20: %s", pols[p],
                       e.msg))
                continue;
            CHECK(memcmp(w, full, sizeof full) == 0 &&
                      memcmp(w + 16, full, sizeof *w * 4) == 0,
                  "%s x20 = x16 then its first 4 again", pols[p]);
            CHECK(all_distinct(w, 16), "%s x20: first 16 distinct", pols[p]);
            CHECK(cb_topo_plan_shared_cores(t, w, 20) == 20,
                  "%s x20: everyone shares", pols[p]);
        }
    }

    /* shared-core counts */
    plan(t, "compact", 3, c, &e);
    CHECK(cb_topo_plan_shared_cores(t, c, 3) == 2, "compact x3 shares 2");
    plan(t, "cores", 9, k, &e);
    CHECK(cb_topo_plan_shared_cores(t, k, 9) == 2, "cores x9 shares 2");
    plan(t, "none", 4, c, &e);
    CHECK(cb_topo_plan_shared_cores(t, c, 4) == 0, "unpinned shares none");
    {
        const int same_pu[] = {5, 5, 6}, lone[] = {3};
        CHECK(cb_topo_plan_shared_cores(t, same_pu, 3) == 2, "same PU twice");
        CHECK(cb_topo_plan_shared_cores(t, lone, 1) == 0, "one worker");
    }

    /* bad worker counts */
    CHECK(plan(t, "compact", 0, c, &e) == CB_EUSAGE, "0 workers");
    CHECK(plan(t, "compact", CB_MAX_WORKERS + 1, c, &e) == CB_EUSAGE,
          "too many workers");
    {
        /* the largest plan: wraps 64 times, no overflow */
        int *big = malloc(sizeof *big * CB_MAX_WORKERS);
        if (big) {
            CHECK(plan(t, "scatter", CB_MAX_WORKERS, big, &e) == 0, "x%d: %s",
                  CB_MAX_WORKERS, e.msg);
            CHECK(big[CB_MAX_WORKERS - 1] == big[15], "x%d wraps",
                  CB_MAX_WORKERS);
            free(big);
        }
    }
    cb_topo_destroy(t);
}

static void test_pin_parse(void)
{
    struct cb_pin_spec sp;
    struct cb_error e = {0};
    int rc;
    const struct {
        const char *s;
        enum cb_pin_policy p;
    } good[] = {{"none", CB_PIN_NONE},
                {"compact", CB_PIN_COMPACT},
                {"cores", CB_PIN_CORES},
                {"scatter", CB_PIN_SCATTER},
                {"Scatter", CB_PIN_SCATTER}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        rc = cb_pin_parse(good[i].s, &sp, &e);
        CHECK(rc == 0 && sp.policy == good[i].p, "parse %s: %s", good[i].s,
              e.msg);
    }
    CHECK(strcmp(cb_pin_policy_name(CB_PIN_SCATTER), "scatter") == 0 &&
              strcmp(cb_pin_policy_name(CB_PIN_LIST), "pus") == 0,
          "names");

    rc = cb_pin_parse("pus:0,2,4-7", &sp, &e);
    CHECK(rc == 0 && sp.policy == CB_PIN_LIST && sp.nlist == 6 &&
              sp.list[0] == 0 && sp.list[1] == 2 && sp.list[2] == 4 &&
              sp.list[5] == 7,
          "pus:0,2,4-7: %s", e.msg);
    rc = cb_pin_parse("pus:7,3,3", &sp, &e);
    CHECK(rc == 0 && sp.nlist == 3 && sp.list[0] == 7 && sp.list[2] == 3,
          "given order and repeats kept");
    rc = cb_pin_parse("pus:5-5", &sp, &e);
    CHECK(rc == 0 && sp.nlist == 1 && sp.list[0] == 5, "a-a range");
    rc = cb_pin_parse("pus:0-1023", &sp, &e);
    CHECK(rc == 0 && sp.nlist == CB_MAX_WORKERS, "exactly %d entries",
          CB_MAX_WORKERS);

    sp.policy = CB_PIN_COMPACT;
    rc = cb_pin_parse("xyz", &sp, &e);
    EXPECT_USAGE(rc, &e, "xyz", "'xyz'", "unknown policy");
    CHECK(strstr(e.msg, "pus:0,2,4-7") != NULL, "lists accepted: %s", e.msg);
    CHECK(sp.policy == CB_PIN_COMPACT, "spec untouched on error");
    rc = cb_pin_parse("", &sp, &e);
    EXPECT_USAGE(rc, &e, "empty", "''", "unknown policy");
    rc = cb_pin_parse("pus:", &sp, &e);
    EXPECT_USAGE(rc, &e, "pus:", "'pus:'", "empty");
    rc = cb_pin_parse("pus:5-2", &sp, &e);
    EXPECT_USAGE(rc, &e, "reversed", "'5-2'", "reversed");
    rc = cb_pin_parse("pus:0,x", &sp, &e);
    EXPECT_USAGE(rc, &e, "garbage", "'x'", "bad item");
    rc = cb_pin_parse("pus:1,,2", &sp, &e);
    EXPECT_USAGE(rc, &e, "empty item", "''", "bad item");
    rc = cb_pin_parse("pus:1,", &sp, &e);
    EXPECT_USAGE(rc, &e, "trailing comma", "''", "bad item");
    rc = cb_pin_parse("pus:-1", &sp, &e);
    EXPECT_USAGE(rc, &e, "negative", "'-1'", NULL);
    rc = cb_pin_parse("pus:1-2-3", &sp, &e);
    EXPECT_USAGE(rc, &e, "double range", "'1-2-3'", NULL);
    rc = cb_pin_parse("pus: 1", &sp, &e);
    EXPECT_USAGE(rc, &e, "space", "' 1'", NULL);
    rc = cb_pin_parse("pus:99999999999", &sp, &e);
    EXPECT_USAGE(rc, &e, "huge", "'99999999999'", NULL);
    rc = cb_pin_parse("pus:0-2000", &sp, &e);
    EXPECT_USAGE(rc, &e, "too many", "'0-2000'", "more than 1024");
    rc = cb_pin_parse("pus:0-1023,5", &sp, &e);
    EXPECT_USAGE(rc, &e, "too many", "'5'", "more than 1024");
}

static void test_pus_list_plans(void)
{
    struct cb_topo *t = load_ok(S_2x4x2, NULL);
    struct cb_error e = {0};
    int v[8], rc;
    if (!t)
        return;
    EXPECT_PLAN(t, "pus:3,9", 4, 3, 9, 3, 9);
    EXPECT_PLAN(t, "pus:15,0-2", 4, 15, 0, 1, 2);
    EXPECT_PLAN(t, "pus:4-7", 2, 4, 5);
    plan(t, "pus:0,1", 2, v, &e);
    CHECK(cb_topo_plan_shared_cores(t, v, 2) == 2, "pus:0,1 share core 0");
    plan(t, "pus:0,2", 2, v, &e);
    CHECK(cb_topo_plan_shared_cores(t, v, 2) == 0, "pus:0,2 do not");
    rc = plan(t, "pus:3,16", 2, v, &e);
    EXPECT_USAGE(rc, &e, "absent PU", "PU 16", "0-15");
    rc = plan(t, "pus:0-99", 2, v, &e);
    EXPECT_USAGE(rc, &e, "absent PU in range", "PU 16", "allowed");
    cb_topo_destroy(t);
}

/* XML: a synthetic topology exported by hwloc and read back with --xml
 * must look and plan the same; an asymmetric one (PUs removed) must still
 * plan correctly although it has no synthetic description. */
static void test_xml(void)
{
    char path[300];
    struct cb_topo *ts, *tx;
    struct cb_topo_info is, ix;
    const char *syn = "pack:2 l3:1(size=8388608) core:4 pu:2(indexes=2*8:1*2)";

    if (!CHECK(make_temp(path, sizeof path, ".xml") == 0, "temp file: %s",
               strerror(errno)))
        return;
    CHECK(synthetic_to_xml(syn, NULL, path) == 0, "export xml");
    ts = load_ok(syn, NULL);
    tx = load_ok(NULL, path);
    if (ts && tx) {
        cb_topo_info(ts, &is);
        cb_topo_info(tx, &ix);
        CHECK(!cb_topo_is_this_machine(tx), "XML is not this machine");
        CHECK(ix.packages == 2 && ix.cores == 8 && ix.pus == 16 &&
                  ix.pus_per_core == 2 && ix.l3 == 8388608,
              "xml counts %d/%d/%d l3 %llu", ix.packages, ix.cores, ix.pus,
              ix.l3);
        CHECK(strcmp(is.synthetic, ix.synthetic) == 0,
              "same synthetic export: \"%s\" vs \"%s\"", is.synthetic,
              ix.synthetic);
        CHECK(strcmp(is.fingerprint, ix.fingerprint) == 0,
              "same fingerprint through XML: %s vs %s", is.fingerprint,
              ix.fingerprint);
        /* siblings are P#n and P#n+8 here: plans are OS indices */
        EXPECT_PLAN(tx, "compact", 4, 0, 8, 1, 9);
        EXPECT_PLAN(tx, "cores", 4, 0, 1, 2, 3);
        EXPECT_PLAN(tx, "cores", 10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        EXPECT_PLAN(tx, "scatter", 4, 0, 2, 4, 6);
        EXPECT_PLAN(tx, "scatter", 2, 0, 4);
    }
    cb_topo_destroy(ts);
    cb_topo_destroy(tx);

    /* asymmetric: drop PU 1 (core 0 keeps PU 0) and core 6 (PUs 12, 13) */
    CHECK(synthetic_to_xml(S_2x4x2, "0,2-11,14-15", path) == 0, "export");
    tx = load_ok(NULL, path);
    if (tx) {
        int v[16];
        struct cb_error e = {0};
        cb_topo_info(tx, &ix);
        CHECK(ix.pus == 13 && ix.cores == 7 && ix.pus_per_core == 2 &&
                  ix.packages == 2,
              "restricted counts %d PUs %d cores", ix.pus, ix.cores);
        CHECK(strcmp(ix.allowed, "0,2-11,14-15") == 0, "allowed \"%s\"",
              ix.allowed);
        CHECK(ix.synthetic[0] == '\0',
              "asymmetric: no synthetic export, "
              "got \"%s\"",
              ix.synthetic);
        CHECK(strlen(ix.fingerprint) == 16 &&
                  strcmp(ix.fingerprint, is.fingerprint) != 0,
              "asymmetric fingerprint \"%s\"", ix.fingerprint);
        EXPECT_PLAN(tx, "compact", 4, 0, 2, 3, 4);
        EXPECT_PLAN(tx, "cores", 13, 0, 2, 4, 6, 8, 10, 14, 3, 5, 7, 9, 11, 15);
        for (int n = 1; n <= 13; n++) {
            CHECK(plan(tx, "scatter", n, v, &e) == 0, "scatter x%d", n);
            CHECK(all_distinct(v, n), "asymmetric scatter x%d distinct", n);
            for (int i = 0; i < n; i++)
                CHECK(v[i] != 1 && v[i] != 12 && v[i] != 13,
                      "scatter x%d uses removed PU %d", n, v[i]);
        }
        CHECK(plan(tx, "pus:12", 1, v, &e) == CB_EUSAGE &&
                  strstr(e.msg, "0,2-11,14-15"),
              "removed PU refused: %s", e.msg);
        cb_topo_destroy(tx);
    }

    /* a file that is not XML */
    {
        FILE *f = fopen(path, "w");
        struct cb_error e = {0};
        struct cb_topo *t = NULL;
        int rc;
        if (f) {
            fputs("this is not a topology\n", f);
            fclose(f);
        }
        rc = cb_topo_load(&t, NULL, path, &e);
        EXPECT_USAGE(rc, &e, "garbage xml", path, "not a valid hwloc XML");
        CHECK(t == NULL, "no topology on error");
    }
    unlink(path);
}

/* The fixture: a 2-socket Xeon-like machine, 8 cores x 2 PUs per socket,
 * siblings numbered n and n+16 as Linux does on Intel. */
static void test_fixture(void)
{
    char path[1024];
    const char *src = __FILE__, *slash = strrchr(src, '/');
    struct cb_topo *t;
    struct cb_topo_info in;

    snprintf(path, sizeof path, "%.*s%stopo/xeon-2x8x2.xml",
             slash ? (int)(slash - src) : 0, src, slash ? "/" : "");
    if (access(path, R_OK) != 0) /* built elsewhere, run from the repo root */
        snprintf(path, sizeof path, "tests/topo/xeon-2x8x2.xml");
    t = load_ok(NULL, path);
    if (!t)
        return;
    cb_topo_info(t, &in);
    CHECK(in.packages == 2 && in.numa_nodes == 2 && in.cores == 16 &&
              in.pus == 32 && in.pus_per_core == 2,
          "fixture counts");
    CHECK(strstr(in.cpu_model, "Xeon") != NULL, "cpu model \"%s\"",
          in.cpu_model);
    CHECK(in.l1d == 32768 && in.l2 == 1048576 && in.l3 == 23068672,
          "caches %llu %llu %llu", in.l1d, in.l2, in.l3);
    CHECK(strcmp(in.allowed, "0-31") == 0, "allowed \"%s\"", in.allowed);
    EXPECT_PLAN(t, "compact", 4, 0, 16, 1, 17);
    EXPECT_PLAN(t, "cores", 4, 0, 1, 2, 3);
    EXPECT_PLAN(t, "scatter", 4, 0, 4, 8, 12);
    EXPECT_PLAN(t, "scatter", 2, 0, 8);
    cb_topo_destroy(t);

    /* and through the command line */
    {
        static char out[16384], err[4096];
        int rc = run_cmd(out, sizeof out, err, sizeof err, "--xml", path,
                         "--workers", "4", (char *)NULL);
        CHECK(rc == 0 && strstr(out, "binding: off") &&
                  strstr(out, "compact  0,16,1,17  shared: 4 of 4") &&
                  strstr(out, "Core L#0: PU L#0 (P#0), PU L#1 (P#16)") &&
                  strstr(out, "L3 L#1 (22MiB)") && strstr(out, "Xeon"),
              "topo --xml fixture: rc %d\n%s%s", rc, out, err);
    }
}

static void test_load_errors(void)
{
    struct cb_topo *t = (struct cb_topo *)&t; /* must come back NULL */
    struct cb_error e = {0};
    int rc;

    rc = cb_topo_load(&t, "pack:x", NULL, &e);
    EXPECT_USAGE(rc, &e, "bad synthetic", "'pack:x'", "pack:2 core:4 pu:2");
    CHECK(t == NULL, "NULL on error");
    rc = cb_topo_load(&t, "", NULL, &e);
    EXPECT_USAGE(rc, &e, "empty synthetic", "''", "synthetic");
    rc = cb_topo_load(&t, "pack:1000 core:1000 pu:1000", NULL, &e);
    EXPECT_USAGE(rc, &e, "huge synthetic", "pack:1000", "more than");
    rc = cb_topo_load(&t, NULL, "/nonexistent/cb_topo.xml", &e);
    EXPECT_USAGE(rc, &e, "missing xml", "'/nonexistent/cb_topo.xml'",
                 "No such file");
    rc = cb_topo_load(&t, S_2x4x2, "x.xml", &e);
    EXPECT_USAGE(rc, &e, "both", "--synthetic", "--xml");
    CHECK(t == NULL, "NULL on error");
    cb_topo_destroy(NULL); /* accepted */
}

/* This machine: whatever it is, plans stay inside the allowed set, and the
 * planned OS indices really are bindable. */
static void test_this_machine(void)
{
    struct cb_topo *t = load_ok(NULL, NULL);
    struct cb_topo_info in;
    struct cb_error e = {0};
    cpu_set_t mask, orig;
    hwloc_topology_t h;
    hwloc_bitmap_t allowed;
    int *v, n;
    const char *pols[] = {"compact", "cores", "scatter"};

    if (!t)
        return;
    if (!getenv("HWLOC_XMLFILE") && !getenv("HWLOC_SYNTHETIC"))
        CHECK(cb_topo_is_this_machine(t), "this machine is bindable");
    cb_topo_info(t, &in);
    CHECK(in.pus >= 1 && in.cores >= 1 && in.cores <= in.pus &&
              in.pus_per_core >= 1 && in.allowed[0],
          "counts %d/%d allowed %s", in.cores, in.pus, in.allowed);

    /* hwloc's own allowed set, independently */
    hwloc_topology_init(&h);
    hwloc_topology_load(h);
    allowed = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(h));
    hwloc_bitmap_and(allowed, allowed, hwloc_topology_get_topology_cpuset(h));
    CHECK(hwloc_bitmap_weight(allowed) == in.pus, "%d allowed PUs vs %d",
          hwloc_bitmap_weight(allowed), in.pus);

    CPU_ZERO(&orig);
    sched_getaffinity(0, sizeof orig, &orig);
    n = in.pus + 3; /* wrap around too */
    v = malloc(sizeof *v * (size_t)n);
    for (int p = 0; v && p < 3; p++) {
        if (!CHECK(plan(t, pols[p], n, v, &e) == 0, "%s: %s", pols[p], e.msg))
            continue;
        CHECK(all_distinct(v, in.pus), "%s: distinct before wrapping", pols[p]);
        for (int i = 0; i < n; i++) {
            CHECK(v[i] >= 0 && hwloc_bitmap_isset(allowed, (unsigned)v[i]),
                  "%s: PU %d outside allowed %s", pols[p], v[i], in.allowed);
            if (!CPU_ISSET(v[i], &orig)) /* taskset narrower than hwloc */
                continue;
            CPU_ZERO(&mask);
            CPU_SET(v[i], &mask);
            CHECK(sched_setaffinity(0, sizeof mask, &mask) == 0,
                  "%s: bind to PU %d: %s", pols[p], v[i], strerror(errno));
        }
    }
    sched_setaffinity(0, sizeof orig, &orig);
    free(v);
    hwloc_bitmap_free(allowed);
    hwloc_topology_destroy(h);
    cb_topo_destroy(t);
}

static void test_print(void)
{
    struct cb_topo *t = load_ok(S_2x4x2, NULL);
    char buf[8192];
    FILE *f;
    size_t n;
    if (!t)
        return;
    f = tmpfile();
    if (!CHECK(f != NULL, "tmpfile"))
        goto out;
    cb_topo_print(t, f);
    rewind(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    CHECK(strstr(buf, "Package L#1") && strstr(buf, "Core L#7") &&
              strstr(buf, "PU L#15 (P#15)"),
          "tree:\n%s", buf);
    CHECK(strstr(buf, "Core L#0: PU L#0 (P#0), PU L#1 (P#1)") != NULL,
          "PUs of a core on one line:\n%s", buf);
    CHECK(count_lines(buf) <= 14, "compact: %d lines", count_lines(buf));
out:
    cb_topo_destroy(t);
}

static void test_cmd(void)
{
    static char out[16384], err[4096];
    int rc;

    rc = run_cmd(out, sizeof out, err, sizeof err, "--synthetic", S_2x4x2,
                 "--workers", "4", (char *)NULL);
    CHECK(rc == 0 && err[0] == '\0', "topo --synthetic: rc %d err %s", rc, err);
    CHECK(strstr(out, "binding: off"), "says binding is off:\n%s", out);
    CHECK(strstr(out, "compact  0-3  shared: 4 of 4"), "compact shared:\n%s",
          out);
    CHECK(strstr(out, "cores    0,2,4,6\n"), "cores line:\n%s", out);
    CHECK(strstr(out, "scatter  0,4,8,12\n"), "scatter line:\n%s", out);
    CHECK(strstr(out, "none     unpinned"), "none line:\n%s", out);
    CHECK(strstr(out, "Core L#0: PU L#0 (P#0), PU L#1 (P#1)"), "tree:\n%s",
          out);

    /* again: getopt state is reset; a pus list is planned and marked */
    rc = run_cmd(out, sizeof out, err, sizeof err,
                 "--synthetic=pack:2 core:4 "
                 "pu:2",
                 "--pin", "pus:0,8", (char *)NULL);
    CHECK(rc == 0, "second call: rc %d err %s", rc, err);
    CHECK(strstr(out, "plans for 16 workers"), "default workers = PUs:\n%s",
          out);
    CHECK(strstr(out, "pus      0,8,0,8,"), "pus line:\n%s", out);
    CHECK(strstr(out, "<- --pin"), "marked:\n%s", out);

    rc = run_cmd(out, sizeof out, err, sizeof err, "--synthetic", S_2x4x2,
                 "--workers", "20", (char *)NULL);
    CHECK(rc == 0 && strstr(out, "oversubscribed") &&
              strstr(out, "compact  0-15,0-3  shared: 20 of 20"),
          "wrap:\n%s", out);

    rc = run_cmd(out, sizeof out, err, sizeof err, (char *)NULL);
    CHECK(rc == 0 && strstr(out, "topology (this machine)") &&
              strstr(out, "binding: on"),
          "this machine: rc %d\n%s%s", rc, out, err);

    rc = run_cmd(out, sizeof out, err, sizeof err, "--help", (char *)NULL);
    CHECK(rc == 0 && strstr(out, "usage: corebench topo") && !err[0], "help");

    /* bad input: exit 2, one line on stderr, nothing on stdout */
    const char *bad[][5] = {
        {"--pin", "xyz", NULL},
        {"--synthetic", "pack:x", NULL},
        {"--xml", "/nonexistent.xml", NULL},
        {"--synthetic", S_2x4x2, "--xml", "a.xml", NULL},
        {"--synthetic", S_2x4x2, "--pin", "pus:16", NULL},
        {"--workers", "0", NULL},
        {"--workers", "lots", NULL},
        {"--bogus", NULL},
        {"-q", NULL},
        {"--workers", NULL},
        {"extra", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rc = run_cmd(out, sizeof out, err, sizeof err, bad[i][0], bad[i][1],
                     bad[i][2], bad[i][3], bad[i][4], (char *)NULL);
        CHECK(rc == 2 && strncmp(err, "corebench topo: ", 16) == 0 &&
                  count_lines(err) == 1 && !out[0],
              "bad input %s %s: rc %d stderr \"%s\" stdout \"%.80s\"",
              bad[i][0], bad[i][1] ? bad[i][1] : "", rc, err, out);
    }
}

int main(void)
{
    test_info_synthetic();
    test_plans_synthetic();
    test_pin_parse();
    test_pus_list_plans();
    test_xml();
    test_fixture();
    test_load_errors();
    test_this_machine();
    test_print();
    test_cmd();
    return check_finish();
}
