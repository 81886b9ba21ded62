/* Unit tests for the plan of a sweep on machines we do not have (issue
 * 19): the worker counts a topology suggests (harness/machine/
 * topo_counts.c), the task counts strong scaling grows to and the sizes of
 * weak scaling (harness/run/fit.c), each against what was derived by hand
 * in the comments. Synthetic hwloc topologies only: the same meaning on a
 * 2-core laptop and a 256-PU server. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

#include "check.h"

/* "1,2(1 core),4": the counts and their boundaries */
static void counts_text(const char *synthetic, char *buf, size_t len)
{
    struct cb_topo *t = NULL;
    struct cb_error e = {0};
    struct cb_topo_count c[64];
    size_t l = 0;
    int n;
    buf[0] = '\0';
    if (!CHECK(cb_topo_load(&t, synthetic, NULL, &e) == 0, "load %s: %s",
               synthetic, e.msg))
        return;
    n = cb_topo_counts(t, c, 64);
    for (int i = 0; i < n && l < len; i++)
        l += (size_t)snprintf(buf + l, len - l, "%s%d%s%s%s", i ? "," : "",
                              c[i].workers, c[i].boundary[0] ? "(" : "",
                              c[i].boundary, c[i].boundary[0] ? ")" : "");
    cb_topo_destroy(t);
}

static void expect_counts(const char *synthetic, const char *want)
{
    char got[512];
    counts_text(synthetic, got, sizeof got);
    CHECK(strcmp(got, want) == 0, "%s:\n   got  %s\n   want %s", synthetic,
          got, want);
}

static void test_counts(void)
{
    /* 2 x 24 x 2: a core is 2 PUs, a socket 24 cores x 2 = 48 PUs, which
     * is also all 48 cores; 96 PUs. Powers of two fill 2..48 (more than
     * 2x apart), none between 48 and 96 (exactly 2x). */
    expect_counts("pack:2 core:24 pu:2",
                  "1,2(1 core),4,8,16,32,48(1 socket, all cores),96(all PUs)");
    /* 1 x 64, no SMT: no core boundary, one package is the machine */
    expect_counts("pack:1 core:64 pu:1",
                  "1,2,4,8,16,32,64(all cores, all PUs)");
    /* 2 x 64 x 2: a socket is 128 PUs = all 128 cores */
    expect_counts("pack:2 core:64 pu:2",
                  "1,2(1 core),4,8,16,32,64,128(1 socket, all cores),"
                  "256(all PUs)");
    /* an L3 of 6 cores x 2 PUs = 12, a socket of 4 L3s = 48: 16 and 32
     * between 12 and 48 (4x apart), 4 and 8 between 2 and 12 */
    expect_counts("pack:2 l3:4 core:6 pu:2",
                  "1,2(1 core),4,8,12(1 L3),16,32,48(1 socket, all cores),"
                  "96(all PUs)");
    /* NUMA nodes of 2 L3s x 8 cores x 2 PUs: L3 16, node 32, socket 64 */
    expect_counts("pack:2 numa:2 l3:2 core:8 pu:2",
                  "1,2(1 core),4,8,16(1 L3),32(1 NUMA node),"
                  "64(1 socket, all cores),128(all PUs)");
    /* 2 cores: what the development VM is, and its old default */
    expect_counts("pack:1 core:2 pu:1", "1,2(all cores, all PUs)");
}

static void test_strong_tasks(void)
{
    const struct cb_kernel *gcd = cb_kernel_find("gcd");
    const struct cb_kernel *fz = cb_kernel_find("factorize");
    const struct cb_kernel *sum = cb_kernel_find("sum");
    if (!CHECK(gcd && fz && sum, "kernels registered"))
        return;
    /* gcd: 4.46 ms a task, 20 ms is 5 tasks: 16 rules; factorize: 132 us,
     * 20 ms is ceil(152.0) = 152 tasks; sum: 4 ms, 16 rules */
    CHECK(cb_fit_tasks_per_worker(gcd) == 16, "gcd %d",
          cb_fit_tasks_per_worker(gcd));
    CHECK(cb_fit_tasks_per_worker(fz) == 152, "factorize %d",
          cb_fit_tasks_per_worker(fz));
    CHECK(cb_fit_tasks_per_worker(sum) == 16, "sum %d",
          cb_fit_tasks_per_worker(sum));
    /* 2 workers: the default sizes keep their counts (112, 3800, 100) */
    CHECK(cb_fit_strong_tasks(gcd, 112, 2) == 112, "gcd at 2");
    CHECK(cb_fit_strong_tasks(fz, 3800, 2) == 3800, "factorize at 2");
    CHECK(cb_fit_strong_tasks(sum, 100, 2) == 100, "sum at 2");
    /* 96: 16 x 96 = 1536; 152 x 96 = 14592; 64: 1024, 9728; 256: 4096,
     * 38912. A count already large enough stays, an odd one rounds up to
     * a multiple of the largest count. */
    CHECK(cb_fit_strong_tasks(gcd, 112, 96) == 1536, "gcd at 96");
    CHECK(cb_fit_strong_tasks(fz, 3800, 96) == 14592, "factorize at 96");
    CHECK(cb_fit_strong_tasks(sum, 100, 64) == 1024, "sum at 64");
    CHECK(cb_fit_strong_tasks(fz, 3800, 256) == 38912, "factorize at 256");
    CHECK(cb_fit_strong_tasks(gcd, 5000, 256) == 5000, "enough stays");
    CHECK(cb_fit_strong_tasks(gcd, 112, 24) == 384, "gcd at 24: 16 x 24");
}

/* prepare kernel `name` at `size` under the fit and return its tasks and
 * the value of param `key` */
static size_t fitted(const char *name, const char *size, int maxw, int weak,
                     const char *extra, const char *key, char *val,
                     size_t vlen)
{
    const struct cb_kernel *k = cb_kernel_find(name);
    struct cb_params p = {.size = size, .seed = 42};
    struct cb_workload w;
    struct cb_error e = {0};
    size_t n;
    val[0] = '\0';
    if (extra)
        cb_params_add(&p, extra, &e);
    if (!CHECK(k && cb_fit_prepare(k, &p, maxw, weak, &w, &e) == 0,
               "%s %s: %s", name, size, e.msg))
        return 0;
    for (int i = 0; i < w.nparams; i++)
        if (key && strcmp(w.params[i].key, key) == 0)
            snprintf(val, vlen, "%s", w.params[i].val);
    n = w.n;
    /* still verified: run every task, check */
    if (strcmp(size, "tiny") == 0) {
        void *outs = calloc(n, w.out_size);
        cb_workload_run_all(&w, outs);
        CHECK(k->verify(&w, outs, &e) == 0, "%s %s verify: %s", name, size,
              e.msg);
        free(outs);
    }
    k->release(&w);
    return n;
}

static void test_fit_prepare(void)
{
    char v[64];
    /* strong, 96 workers: default grows, tiny stays, -p n stays */
    CHECK(fitted("gcd", "default", 96, 0, NULL, "n", v, sizeof v) == 1536 &&
              strcmp(v, "1536") == 0, "gcd default at 96: n=%s", v);
    CHECK(fitted("gcd", "tiny", 96, 0, NULL, "n", v, sizeof v) == 8,
          "gcd tiny stays 8");
    CHECK(fitted("gcd", "default", 96, 0, "n=40", "n", v, sizeof v) == 40,
          "gcd -p n=40 stays");
    CHECK(fitted("gcd", "default", 2, 0, NULL, "n", v, sizeof v) == 112,
          "gcd default at 2 stays 112");
    /* sum: the chunk length stays 2.4e6, chunks 16 x 64 */
    CHECK(fitted("sum", "default", 64, 0, NULL, "elements", v, sizeof v) ==
              1024 && strcmp(v, "2457600000") == 0,
          "sum default at 64: elements=%s", v);
    /* weak: w times the tasks, the task itself unchanged */
    CHECK(fitted("gcd", "tiny", 2, 2, NULL, "n", v, sizeof v) == 16,
          "gcd tiny weak x2");
    CHECK(fitted("factorize", "tiny", 4, 4, NULL, "start", v, sizeof v) ==
              800 && strcmp(v, "1000000") == 0, "factorize tiny weak x4");
    CHECK(fitted("sum", "tiny", 2, 2, NULL, "elements", v, sizeof v) == 200 &&
              strcmp(v, "200000") == 0, "sum tiny weak x2: elements=%s", v);
    CHECK(fitted("sum-shipped", "tiny", 3, 3, NULL, "elements", v,
                 sizeof v) == 300 && strcmp(v, "30000") == 0,
          "sum-shipped tiny weak x3: elements=%s", v);
    CHECK(fitted("empty", "tiny", 2, 2, NULL, "n", v, sizeof v) ==
              2 * fitted("empty", "tiny", 1, 1, NULL, "n", v, sizeof v),
          "empty weak x2");
    {
        const struct cb_kernel *k = cb_kernel_find("gcd");
        struct cb_params p = {.size = "seed", .seed = 42};
        struct cb_workload w;
        struct cb_error e = {0};
        CHECK(cb_fit_prepare(k, &p, 2, 2, &w, &e) == CB_EUSAGE &&
                  strstr(e.msg, "seed size is a fixed workload"),
              "weak on the seed size: %s", e.msg);
    }
}

int main(void)
{
    test_counts();
    test_strong_tasks();
    test_fit_prepare();
    return check_finish();
}
