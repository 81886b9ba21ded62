/* Unit tests for the ceiling that applies to a working set (harness/run/probe.c:
 * cb_triad_levels_read, cb_ceiling_pick, cb_ceiling_explain), on
 * fabricated probe objects shaped like the development VM's (1 MiB L2 per
 * core, 32 MiB L3, 2 PUs) and on old and hostile ones. Also the passes of
 * the cache-level triad (cb_probe_triad_passes) on small arrays. Exits
 * nonzero on any failure; the last line is "N passed, M failed". */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "probe.h"

#include "check.h"

#define MB 1e6
#define MIB 1048576.0

/* The VM: l2 1 MiB per thread, llc 32 MiB shared, dram. Bandwidths in
 * GB/s as measured there (rounded), 1 and 2 threads. */
static json_t *vm_probe(void)
{
    json_error_t err;
    json_t *p = json_loads(
        "{\"triad\": [{\"threads\": 1, \"bytes_per_s\": 14e9},"
        "             {\"threads\": 2, \"bytes_per_s\": 25e9}],"
        " \"triad_levels\": ["
        "  {\"level\": \"l2\", \"cache_bytes\": 1048576, \"shared\": false,"
        "   \"points\": [{\"threads\": 2, \"bytes_per_s\": 174e9},"
        "                {\"threads\": 1, \"bytes_per_s\": 88e9}]},"
        "  {\"level\": \"llc\", \"cache_bytes\": 33554432, \"shared\": true,"
        "   \"points\": [{\"threads\": 1, \"bytes_per_s\": 54e9},"
        "                {\"threads\": 2, \"bytes_per_s\": 118e9},"
        "                {\"threads\": 2, \"bytes_per_s\": 138e9}]},"
        "  {\"level\": \"dram\", \"cache_bytes\": null, \"shared\": true,"
        "   \"points\": [{\"threads\": 1, \"bytes_per_s\": 14e9},"
        "                {\"threads\": 2, \"bytes_per_s\": 25e9}]}]}",
        0, &err);
    CHECK(p != NULL, "fixture: %s", err.text);
    return p;
}

static void test_read(void)
{
    struct cb_triad_level lv[CB_TRIAD_MAX_LEVELS];
    json_t *p = vm_probe();
    int n = cb_triad_levels_read(p, lv, CB_TRIAD_MAX_LEVELS);
    CHECK(n == 3, "3 levels, got %d", n);
    if (n == 3) {
        CHECK(strcmp(lv[0].name, "l2") == 0 && lv[0].cache_bytes == MIB &&
                  !lv[0].shared,
              "l2: %s %g %d", lv[0].name, lv[0].cache_bytes, lv[0].shared);
        /* points sorted by threads */
        CHECK(lv[0].npoints == 2 && lv[0].pt[0].threads == 1 &&
                  lv[0].pt[0].bytes_per_s == 88e9 && lv[0].pt[1].threads == 2,
              "l2 points sorted");
        /* a repeated thread count keeps the best */
        CHECK(lv[1].npoints == 2 && lv[1].pt[1].bytes_per_s == 138e9 &&
                  lv[1].shared,
              "llc: %d points, 2-thread %g", lv[1].npoints,
              lv[1].pt[1].bytes_per_s);
        CHECK(strcmp(lv[2].name, "dram") == 0 && isinf(lv[2].cache_bytes) &&
                  lv[2].npoints == 2,
              "dram: cache %g, %d points", lv[2].cache_bytes, lv[2].npoints);
    }
    /* max limits what is filled */
    CHECK(cb_triad_levels_read(p, lv, 1) == 1 && strcmp(lv[0].name, "l2") == 0,
          "max 1");
    json_decref(p);

    /* a file from before levels: its triad is the one dram level */
    p = json_pack("{s:[{s:i,s:f},{s:i,s:n}]}", "triad", "threads", 1,
                  "bytes_per_s", 14.1e9, "threads", 2, "bytes_per_s");
    n = cb_triad_levels_read(p, lv, CB_TRIAD_MAX_LEVELS);
    CHECK(n == 1 && strcmp(lv[0].name, "dram") == 0 &&
              isinf(lv[0].cache_bytes) && lv[0].npoints == 1 &&
              lv[0].pt[0].bytes_per_s == 14.1e9,
          "old file: %d levels, %d points", n, n ? lv[0].npoints : -1);
    json_decref(p);

    /* null / not an object: nothing */
    CHECK(cb_triad_levels_read(NULL, lv, 4) == 0, "NULL probe");
    p = json_null();
    CHECK(cb_triad_levels_read(p, lv, 4) == 0, "null probe");
    json_decref(p);

    /* hostile: bad names, sizes, points are skipped, not trusted */
    {
        json_error_t err;
        p = json_loads(
            "{\"triad_levels\": ["
            " {\"level\": \"l2;rm -rf\", \"cache_bytes\": 1, \"points\": []},"
            " {\"level\": \"\", \"cache_bytes\": 1, \"points\": []},"
            " {\"level\": 7, \"cache_bytes\": 1, \"points\": []},"
            " {\"level\": \"llc\", \"cache_bytes\": -5, \"points\": []},"
            " {\"level\": \"llc\", \"cache_bytes\": \"big\", \"points\": []},"
            " {\"level\": \"waytoolongname\", \"cache_bytes\": 1},"
            " {\"level\": \"dram\", \"cache_bytes\": null,"
            "  \"points\": [{\"threads\": 0, \"bytes_per_s\": 1e9},"
            "               {\"threads\": 1.5, \"bytes_per_s\": 1e9},"
            "               {\"threads\": 1, \"bytes_per_s\": -1},"
            "               {\"threads\": 1, \"bytes_per_s\": \"x\"},"
            "               {\"threads\": 2, \"bytes_per_s\": 2e10},"
            "               7]}]}",
            0, &err);
        CHECK(p != NULL, "hostile fixture: %s", err.text);
        n = cb_triad_levels_read(p, lv, CB_TRIAD_MAX_LEVELS);
        CHECK(n == 1 && strcmp(lv[0].name, "dram") == 0 &&
                  lv[0].npoints == 1 && lv[0].pt[0].threads == 2,
              "hostile: %d levels kept, %d points", n,
              n ? lv[0].npoints : -1);
        json_decref(p);
    }
}

static void test_pick(void)
{
    struct cb_triad_level lv[CB_TRIAD_MAX_LEVELS];
    struct cb_ceiling c;
    json_t *p = vm_probe();
    int n = cb_triad_levels_read(p, lv, CB_TRIAD_MAX_LEVELS);
    json_decref(p);

    /* issue 9: sum's default chunk, 19.2 MB per task. Serial: 19.2 MB fits
     * the 32 MiB llc (not the 1 MiB l2): the llc triad at 1 thread. */
    CHECK(cb_ceiling_pick(lv, n, 19.2 * MB, 1, &c) == 0 && c.level == 1 &&
              c.threads == 1 && c.bytes_per_s == 54e9 &&
              c.ws_bytes == 19.2 * MB,
          "sum serial: level %d threads %ld bw %g ws %g", c.level, c.threads,
          c.bytes_per_s, c.ws_bytes);
    /* 2 workers hold 38.4 MB: beyond the shared llc, dram at 2 threads */
    CHECK(cb_ceiling_pick(lv, n, 19.2 * MB, 2, &c) == 0 && c.level == 2 &&
              c.threads == 2 && c.bytes_per_s == 25e9 &&
              c.ws_bytes == 38.4 * MB,
          "sum 2 workers: level %d bw %g ws %g", c.level, c.bytes_per_s,
          c.ws_bytes);
    /* a private l2: 512 KB per worker fits each worker's own 1 MiB, at any
     * worker count; 4 workers use the largest point <= 4, 2 threads */
    CHECK(cb_ceiling_pick(lv, n, 512e3, 4, &c) == 0 && c.level == 0 &&
              c.threads == 2 && c.bytes_per_s == 174e9 && c.ws_bytes == 512e3,
          "512 KB x 4: level %d threads %ld", c.level, c.threads);
    /* exactly the cache size fits; one byte more does not */
    CHECK(cb_ceiling_pick(lv, n, MIB, 1, &c) == 0 && c.level == 0,
          "1 MiB fits l2");
    CHECK(cb_ceiling_pick(lv, n, MIB + 1, 1, &c) == 0 && c.level == 1,
          "1 MiB + 1 goes to llc");
    /* huge: dram */
    CHECK(cb_ceiling_pick(lv, n, 8e10, 1, &c) == 0 && c.level == 2 &&
              c.bytes_per_s == 14e9,
          "80 GB: dram");
    /* unknown working set (old files): dram, the historical ceiling */
    CHECK(cb_ceiling_pick(lv, n, 0, 2, &c) == 0 && c.level == 2 &&
              isnan(c.ws_bytes) && isnan(c.ws_per_worker),
          "unknown ws: level %d", c.level);
    CHECK(cb_ceiling_pick(lv, n, NAN, 2, &c) == 0 && c.level == 2, "NaN ws");
    /* no point at <= workers threads anywhere: none */
    CHECK(cb_ceiling_pick(lv, n, 1e6, 0, &c) == -1 && c.level == -1 &&
              isnan(c.bytes_per_s),
          "0 workers: no ceiling");
    /* a level without a usable point is passed over for the next slower
     * one: the llc lost its 1-thread point */
    lv[1].pt[0] = lv[1].pt[1];
    lv[1].npoints = 1; /* only 2 threads */
    CHECK(cb_ceiling_pick(lv, n, 19.2 * MB, 1, &c) == 0 && c.level == 2 &&
              c.threads == 1,
          "llc without a 1-thread point: dram, level %d", c.level);
    /* no levels at all */
    CHECK(cb_ceiling_pick(lv, 0, 1e6, 1, &c) == -1, "no levels");
}

static void test_explain(void)
{
    struct cb_triad_level lv[CB_TRIAD_MAX_LEVELS];
    struct cb_ceiling c;
    char buf[200];
    json_t *p = vm_probe();
    int n = cb_triad_levels_read(p, lv, CB_TRIAD_MAX_LEVELS);
    json_decref(p);

    /* at or under the ceiling: nothing to explain */
    cb_ceiling_pick(lv, n, 19.2 * MB, 2, &c);
    strcpy(buf, "stale");
    cb_ceiling_explain(lv, n, &c, 0.95, buf, sizeof buf);
    CHECK(buf[0] == '\0', "0.95: '%s'", buf);
    cb_ceiling_explain(lv, n, &c, 1.0, buf, sizeof buf);
    CHECK(buf[0] == '\0', "1.0: '%s'", buf);
    cb_ceiling_explain(lv, n, &c, NAN, buf, sizeof buf);
    CHECK(buf[0] == '\0', "NaN: '%s'", buf);

    /* 2 workers, 38.4 MB in all, against dram: within 4x of the llc */
    cb_ceiling_explain(lv, n, &c, 1.23, buf, sizeof buf);
    CHECK(strcmp(buf, "above the dram triad: partly cached, the working set "
                      "(36.6 MiB) is within 4x of the llc (32 MiB)") == 0,
          "partly cached: '%s'", buf);
    /* far beyond every cache: the probe itself is suspect */
    cb_ceiling_pick(lv, n, 8e9, 2, &c);
    cb_ceiling_explain(lv, n, &c, 1.1, buf, sizeof buf);
    CHECK(strncmp(buf, "above the dram triad: faster than the probe's best "
                       "triad",
                  strlen("above the dram triad: faster than the probe's "
                         "best triad")) == 0,
          "beyond caches: '%s'", buf);
    /* above a cache level's own triad */
    cb_ceiling_pick(lv, n, 19.2 * MB, 1, &c);
    cb_ceiling_explain(lv, n, &c, 1.05, buf, sizeof buf);
    CHECK(strncmp(buf, "above the llc triad: faster than", 32) == 0,
          "above llc: '%s'", buf);
    /* unknown working set */
    cb_ceiling_pick(lv, n, 0, 1, &c);
    cb_ceiling_explain(lv, n, &c, 1.23, buf, sizeof buf);
    CHECK(strcmp(buf, "above the dram triad: the kernel declares no working "
                      "set, so it may run from a cache") == 0,
          "unknown: '%s'", buf);
    /* fits a faster level whose triad had no point at this count */
    lv[1].pt[0] = lv[1].pt[1];
    lv[1].npoints = 1;
    cb_ceiling_pick(lv, n, 19.2 * MB, 1, &c);
    cb_ceiling_explain(lv, n, &c, 3.0, buf, sizeof buf);
    CHECK(strcmp(buf, "above the dram triad: the working set (18.3 MiB) fits "
                      "the llc (32 MiB), whose triad has no point at 1 "
                      "thread or fewer") == 0,
          "unmeasured level: '%s'", buf);
    /* a short buffer is cut, never overrun */
    cb_ceiling_explain(lv, n, &c, 3.0, buf, 12);
    CHECK(strlen(buf) == 11, "cut: '%s'", buf);
}

/* The passes of a cache-level triad: bytes counted per pass, the same
 * checksum (every pass recomputes the same a[]). */
static void test_passes(void)
{
    struct cb_triad_result r1, r8;
    struct cb_error e = {0};
    CHECK(cb_probe_triad_passes(4096, 8, 2, NULL, 2, &r8, &e) == 0,
          "8 passes: %s", e.msg);
    CHECK(cb_probe_triad_passes(4096, 1, 2, NULL, 2, &r1, &e) == 0,
          "1 pass: %s", e.msg);
    CHECK(r8.checksum == r8.expected && r1.checksum == r8.checksum,
          "checksums %g %g, expected %g", r8.checksum, r1.checksum,
          r8.expected);
    /* bytes_per_s = 24 x n x passes / best_s, exactly as computed */
    CHECK(fabs(r8.bytes_per_s - 24.0 * 4096 * 8 / r8.best_s) <=
              1e-9 * r8.bytes_per_s,
          "8 passes: %g B/s over %g s", r8.bytes_per_s, r8.best_s);
    CHECK(cb_probe_triad_passes(4096, 0, 1, NULL, 1, &r1, &e) == CB_EUSAGE,
          "0 passes refused");
}

/* A "ws" level (exact): the triad on one kernel's own working set, as
 * `corebench run` measures it, on a machine whose reported caches lie (a
 * VM announcing its host's 480 MiB L3: the llc triad runs at dram speed). */
static void test_exact(void)
{
    struct cb_triad_level lv[CB_TRIAD_MAX_LEVELS];
    struct cb_ceiling c;
    char why[256];
    json_error_t err;
    json_t *p = json_loads(
        "{\"triad_levels\": ["
        "  {\"level\": \"ws\", \"cache_bytes\": 19200000, \"shared\": false,"
        "   \"exact\": true,"
        "   \"points\": [{\"threads\": 1, \"bytes_per_s\": 29e9},"
        "                {\"threads\": 2, \"bytes_per_s\": 57e9}]},"
        "  {\"level\": \"ws\", \"cache_bytes\": 4000000, \"shared\": true,"
        "   \"exact\": true,"
        "   \"points\": [{\"threads\": 1, \"bytes_per_s\": 1e9}]},"
        "  {\"level\": \"l2\", \"cache_bytes\": 2097152, \"shared\": false,"
        "   \"points\": [{\"threads\": 1, \"bytes_per_s\": 90e9}]},"
        "  {\"level\": \"llc\", \"cache_bytes\": 503316480, \"shared\": true,"
        "   \"points\": [{\"threads\": 1, \"bytes_per_s\": 15e9},"
        "                {\"threads\": 2, \"bytes_per_s\": 28e9}]},"
        "  {\"level\": \"dram\", \"cache_bytes\": null, \"shared\": true,"
        "   \"points\": [{\"threads\": 1, \"bytes_per_s\": 15e9}]}]}",
        0, &err);
    int n;
    CHECK(p != NULL, "fixture: %s", err.text);
    n = cb_triad_levels_read(p, lv, CB_TRIAD_MAX_LEVELS);
    json_decref(p);
    /* a shared exact level is not one working set per worker: dropped */
    CHECK(n == 4 && lv[0].exact && !lv[0].shared && !lv[1].exact &&
              strcmp(lv[1].name, "l2") == 0,
          "levels read: %d, first exact %d", n, n > 0 ? lv[0].exact : -1);
    if (n != 4)
        return;
    /* sum's chunk meets its own triad, per worker, at 1 and 2 workers */
    CHECK(cb_ceiling_pick(lv, n, 19.2 * MB, 2, &c) == 0 && c.level == 0 &&
              c.threads == 2 && c.bytes_per_s == 57e9 &&
              c.ws_bytes == 19.2 * MB,
          "sum on its own ws level: level %d bw %g ws %g", c.level,
          c.bytes_per_s, c.ws_bytes);
    CHECK(cb_ceiling_pick(lv, n, 19.2 * MB * 1.009, 1, &c) == 0 &&
              c.level == 0 && c.bytes_per_s == 29e9,
          "within 1%%: still its level (%d)", c.level);
    /* another working set never takes it: not a smaller one, which a
     * cache would hold, nor a larger one */
    CHECK(cb_ceiling_pick(lv, n, 19.2 * MB * 1.02, 1, &c) == 0 &&
              c.level == 2 && c.bytes_per_s == 15e9,
          "2%% larger: the llc, level %d", c.level);
    CHECK(cb_ceiling_pick(lv, n, 1 * MB, 1, &c) == 0 && c.level == 1,
          "1 MB: the l2, level %d", c.level);
    CHECK(cb_ceiling_pick(lv, n, NAN, 1, &c) == 0 && c.level == 3,
          "no working set: dram, level %d", c.level);
    /* above the ws triad: no cache to blame, the probe's own reason */
    CHECK(cb_ceiling_pick(lv, n, 19.2 * MB, 1, &c) == 0, "pick");
    cb_ceiling_explain(lv, n, &c, 1.1, why, sizeof why);
    CHECK(strstr(why, "above the ws triad: faster than the probe's best "
                      "triad") == why,
          "explained: %s", why);
}

/* The median repetition: recorded by the probe (never above the best),
 * read back with its point, carried to the pick; a damaged median (above
 * its best) read as unknown; a repeated thread count keeps the best
 * point's median. */
static void test_median(void)
{
    struct cb_triad_level lv[CB_TRIAD_MAX_LEVELS];
    struct cb_triad_result r;
    struct cb_ceiling c;
    struct cb_error e = {0};
    json_error_t err;
    json_t *p = json_loads(
        "{\"triad_levels\": ["
        "  {\"level\": \"dram\", \"cache_bytes\": null, \"shared\": true,"
        "   \"points\": [{\"threads\": 1, \"bytes_per_s\": 20e9,"
        "                 \"median_bytes_per_s\": 10e9},"
        "                {\"threads\": 1, \"bytes_per_s\": 18e9,"
        "                 \"median_bytes_per_s\": 17e9},"
        "                {\"threads\": 2, \"bytes_per_s\": 30e9,"
        "                 \"median_bytes_per_s\": 31e9},"
        "                {\"threads\": 4, \"bytes_per_s\": 40e9}]}]}",
        0, &err);
    int n;
    CHECK(p != NULL, "fixture: %s", err.text);
    n = cb_triad_levels_read(p, lv, CB_TRIAD_MAX_LEVELS);
    json_decref(p);
    CHECK(n == 1 && lv[0].npoints == 3, "levels %d points %d", n,
          n ? lv[0].npoints : -1);
    if (n != 1 || lv[0].npoints != 3)
        return;
    CHECK(lv[0].pt[0].bytes_per_s == 20e9 &&
              lv[0].pt[0].median_bytes_per_s == 10e9,
          "1 thread: the best point with its own median (%g, %g)",
          lv[0].pt[0].bytes_per_s, lv[0].pt[0].median_bytes_per_s);
    CHECK(isnan(lv[0].pt[1].median_bytes_per_s),
          "a median above its best is unknown: %g",
          lv[0].pt[1].median_bytes_per_s);
    CHECK(isnan(lv[0].pt[2].median_bytes_per_s), "an older file: none");
    CHECK(cb_ceiling_pick(lv, n, NAN, 1, &c) == 0 && c.bytes_per_s == 20e9 &&
              c.median_bytes_per_s == 10e9,
          "picked: %g, median %g", c.bytes_per_s, c.median_bytes_per_s);
    /* measured: 5 repetitions, the median no faster than the best */
    CHECK(cb_probe_triad(1 << 16, 1, NULL, 5, &r, &e) == 0, "triad: %s",
          e.msg);
    CHECK(r.reps == 5 && r.median_bytes_per_s > 0 &&
              r.median_bytes_per_s <= r.bytes_per_s,
          "reps %d, median %g, best %g", r.reps, r.median_bytes_per_s,
          r.bytes_per_s);
}

int main(void)
{
    test_read();
    test_pick();
    test_explain();
    test_exact();
    test_passes();
    test_median();
    return check_finish();
}
