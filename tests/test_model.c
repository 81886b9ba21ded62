/* The result model (harness/model*.c): files from before runtimes,
 * baselines and executor parameters read as what they were; one label and
 * one identity per configuration; derived figures from the samples; the
 * validator's messages; the writer and the reader are each other's
 * inverse. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"

#include "check.h"

static const char *src;

static int load(const char *name, struct cb_model *m, struct cb_error *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/fixtures/%s", src, name);
    return cb_model_load(path, m, e);
}

static const struct cb_run *find(const struct cb_model *m, const char *k,
                                 const char *x, int w, const char *label)
{
    for (size_t i = 0; i < m->nruns; i++) {
        const struct cb_run *r = &m->runs[i];
        if (!strcmp(r->cfg.kernel, k) && !strcmp(r->cfg.executor, x) &&
            r->cfg.workers == w && (!label || !strcmp(r->d.label, label)))
            return r;
    }
    return NULL;
}

/* A file written by corebench 0.1: no runtime, no baseline mark, no
 * executor parameters. */
static void test_old_file(void)
{
    struct cb_model m;
    struct cb_error e = {0};
    const struct cb_run *ser, *r;
    if (!CHECK(load("sample-0.1.json", &m, &e) == 0, "load 0.1: %s", e.msg))
        return;
    cb_model_derive(&m);
    CHECK(m.nruns == 28, "%zu runs", m.nruns);
    ser = &m.runs[0];
    CHECK(ser->baseline && !strcmp(ser->cfg.runtime, "c") &&
              !m.runs[1].baseline,
          "serial is the baseline of an old file, in runtime c");
    CHECK(find(&m, "gcd", "thread-pool", 2, "thread-pool c=1") != NULL,
          "chunksize 1 asked: 'thread-pool c=1'");
    CHECK(find(&m, "gcd", "gil", 2, "gil c=1") != NULL,
          "the default switch interval is not in the label");
    CHECK(find(&m, "gcd", "gil", 2, "gil c=1 si=1000us") != NULL,
          "switch interval 1000: 'gil c=1 si=1000us'");
    CHECK(find(&m, "sum", "process-pool", 2, "process-pool c=64") != NULL,
          "fork, the default start method, not in the label");
    /* derived from the samples, not copied from the file */
    r = find(&m, "gcd", "threads", 2, NULL);
    CHECK(r && r->d.base == ser &&
              fabs(r->d.speedup - ser->d.sum.est / r->d.sum.est) < 1e-12 &&
              ser->d.sum.est == cb_estimate(ser->samples, ser->n),
          "speedup = baseline estimate / estimate (%g)",
          r ? r->d.speedup : 0);
    CHECK(r && r->d.sp_lo <= r->d.speedup && r->d.speedup <= r->d.sp_hi,
          "speedup CI brackets it");
    CHECK(isnan(ser->d.karp_flatt) && ser->d.kf_why &&
              !strcmp(ser->d.kf_why, "one worker"),
          "Karp-Flatt of one worker: n/a with the reason");
    r = find(&m, "sum", "process-pool", 2, "process-pool c=1");
    CHECK(r && r->d.speedup < 1 && isnan(r->d.karp_flatt) &&
              !strcmp(r->d.kf_why, "slower than serial"),
          "slower than serial: Karp-Flatt n/a");
    CHECK(r && r->detail && r->detail[0].tasks + r->detail[1].tasks ==
                                r->tasks,
          "workers_detail read");
    CHECK(!strcmp(m.topo_summary, "1 pkg, 2 cores, 2 PUs") || m.pus > 0,
          "topology summary '%s'", m.topo_summary);
    cb_model_free(&m);
}

/* Old and new spellings of one configuration have one identity. */
static void test_identity(void)
{
    struct cb_model a, b;
    struct cb_error e = {0};
    char *ka, *kb;
    if (!CHECK(load("sample-0.1.json", &a, &e) == 0, "%s", e.msg) ||
        !CHECK(load("sample.json", &b, &e) == 0, "%s", e.msg))
        return;
    for (size_t i = 0; i < a.nruns && i < b.nruns; i++) {
        ka = cb_config_key(&a.runs[i].cfg);
        kb = cb_config_key(&b.runs[i].cfg);
        CHECK(ka && kb && !strcmp(ka, kb), "run %zu: %s vs %s", i, ka, kb);
        free(ka);
        free(kb);
    }
    ka = cb_config_key(&a.runs[5].cfg);
    kb = cb_config_key(&a.runs[7].cfg);
    CHECK(strcmp(ka, kb) != 0, "different switch intervals differ");
    free(ka);
    free(kb);
    cb_model_free(&a);
    cb_model_free(&b);
}

/* Writing every run and reading the file back gives the same model. */
static void test_round_trip(void)
{
    struct cb_model a, b;
    struct cb_error e = {0};
    char path[] = "/tmp/cb-test-model-XXXXXX";
    json_t *doc, *runs = json_array();
    int fd;
    if (!CHECK(load("sample.json", &a, &e) == 0, "%s", e.msg))
        return;
    cb_model_derive(&a);
    for (size_t i = 0; i < a.nruns; i++)
        json_array_append_new(runs, cb_model_run_json(&a.runs[i]));
    doc = json_pack("{s:s, s:b, s:O, s:o, s:o}", "schema", CB_SCHEMA,
                    "complete", 1, "context", a.context, "runs", runs,
                    "fits", cb_model_fits_json(&a, 2));
    fd = mkstemp(path);
    close(fd);
    CHECK(cb_results_write(doc, path, 1, &e) == 0, "write: %s", e.msg);
    json_decref(doc);
    if (CHECK(cb_model_load(path, &b, &e) == 0, "reload: %s", e.msg)) {
        cb_model_derive(&b);
        CHECK(a.nruns == b.nruns, "runs %zu -> %zu", a.nruns, b.nruns);
        for (size_t i = 0; i < a.nruns && i < b.nruns; i++) {
            const struct cb_run *x = &a.runs[i], *y = &b.runs[i];
            char *kx = cb_config_key(&x->cfg), *ky = cb_config_key(&y->cfg);
            CHECK(!strcmp(kx, ky) && !strcmp(x->d.label, y->d.label) &&
                      x->n == y->n && x->baseline == y->baseline &&
                      x->d.sum.median == y->d.sum.median &&
                      x->d.speedup == y->d.speedup,
                  "run %zu differs after a round trip: %s / %s", i, kx, ky);
            free(kx);
            free(ky);
        }
        cb_model_free(&b);
    }
    unlink(path);
    cb_model_free(&a);
}

/* The validator: one line naming the file, the run and the key. */
static void expect_bad(const char *json, const char *needle)
{
    char path[] = "/tmp/cb-test-model-XXXXXX";
    int fd = mkstemp(path);
    struct cb_model m;
    struct cb_error e = {0};
    int rc;
    if (write(fd, json, strlen(json)) < 0)
        perror("write");
    close(fd);
    rc = cb_model_load(path, &m, &e);
    CHECK(rc == CB_EUSAGE && strstr(e.msg, needle) && strstr(e.msg, path) &&
              !strchr(e.msg, '\n'),
          "%s: got %d '%s', wanted '%s'", json, rc, e.msg, needle);
    if (rc == 0)
        cb_model_free(&m);
    unlink(path);
}

#define RUN(extra)                                                             \
    "{\"schema\":\"corebench/1\",\"runs\":[{\"kernel\":\"gcd\","               \
    "\"executor\":\"serial\",\"workers\":1" extra "}]}"

static void test_validator(void)
{
    expect_bad(RUN(",\"samples\":[0.1,0]"), "\"samples\"[1] is not a positive");
    expect_bad(RUN(",\"samples\":[0.1,-2]"), "\"samples\"[1]");
    expect_bad(RUN(",\"samples\":[0.1,\"x\"]"), "\"samples\"[1]");
    expect_bad(RUN(",\"samples\":[0.1],\"startup\":[0.1,0.2]"),
               "\"startup\" has 2 entries for 1 samples");
    expect_bad(RUN(",\"samples\":[0.1],\"startup\":[-1]"), "\"startup\"[0]");
    expect_bad(RUN(",\"samples\":[0.1],\"chunksize\":0"), "\"chunksize\"");
    expect_bad(RUN(",\"samples\":[0.1],\"chunksize\":\"big\""),
               "\"chunksize\"");
    expect_bad(RUN(",\"samples\":[0.1],\"params\":[1]"), "\"params\"");
    expect_bad(RUN(",\"samples\":[0.1],\"tasks\":-1"), "\"tasks\"");
    expect_bad(RUN(",\"samples\":[0.1],\"exec_params\":{\"c\":1}"),
               "\"exec_params\"");
    expect_bad(RUN(",\"samples\":[0.1],\"metrics\":{\"m\":{\"samples\":[]}}"),
               "metric");
    expect_bad(RUN(""), "no \"samples\" array");
    expect_bad(RUN(",\"samples\":[0.1,0.2],\"interference\":{\"interfered\":"
                   "[false,true],\"by\":[null,null],\"t_start_us\":[1]}"),
               "\"interference\".\"t_start_us\" is not one number or null "
               "per sample");
    expect_bad(RUN(",\"samples\":[0.1],\"interference\":{\"interfered\":"
                   "[false],\"by\":[null],\"steal_s\":[\"x\"]}"),
               "\"interference\".\"steal_s\"[0] is not a number or null");
    expect_bad("{\"schema\":\"corebench/1\",\"runs\":[{\"kernel\":\"gcd\","
               "\"executor\":\"serial\",\"workers\":0,\"samples\":[1]}]}",
               "\"workers\" is not an integer in 1..1024");
    expect_bad("{\"schema\":\"corebench/1\",\"runs\":[{\"kernel\":7,"
               "\"executor\":\"serial\",\"workers\":1,\"samples\":[1]}]}",
               "must be strings");
    expect_bad("{\"schema\":\"corebench/1\",\"runs\":[3]}", "not an object");
    expect_bad("{\"schema\":\"corebench/0\",\"runs\":[]}", "not supported");
    expect_bad("{\"schema\":\"corebench/1\",", ":1:"); /* where it ends */
}

/* The per-sample interference figures load (times from microseconds),
 * and the totals over the file follow them; older files have none. */
static void test_interf_fields(void)
{
    char path[] = "/tmp/cb-test-model-XXXXXX";
    const char *json = RUN(
        ",\"samples\":[0.1,0.2,0.1,0.1],\"interference\":{\"interfered\":"
        "[false,true,false,false],\"by\":[null,{\"worker\":0,\"cpu\":1,"
        "\"pinned\":true,\"run_delay_s\":0.001,\"excess_s\":0.0009,"
        "\"steal_s\":0.03,\"cpu_excess_s\":0,\"cause\":\"steal\"},null,"
        "null],\"set_aside\":1,"
        "\"t_start_us\":[1796665652058039,1796665653000000,null,1],"
        "\"t_end_us\":[1796665652158039,1796665653200000,null,2],"
        "\"steal_all_s\":[0,0.04,0,0],\"outside_cpu_s\":[0.02,0.1,0,0],"
        "\"window_s\":[0.1,0.2,0.1,0.1],\"cpus\":[2,2,2,2]}");
    int fd = mkstemp(path);
    struct cb_model m;
    struct cb_error e = {0};
    struct cb_interf_totals t;
    char line[256];
    if (write(fd, json, strlen(json)) < 0)
        perror("write");
    close(fd);
    if (CHECK(cb_model_load(path, &m, &e) == 0, "load: %s", e.msg)) {
        const struct cb_run_interf *v = m.runs[0].interf;
        cb_model_derive(&m);
        CHECK(fabs(v[0].t_start - 1796665652.058039) < 1e-6 &&
                  fabs(v[1].t_end - 1796665653.2) < 1e-6 &&
                  isnan(v[2].t_start),
              "times: %.6f %.6f", v[0].t_start, v[1].t_end);
        CHECK(v[1].steal_s == 0.03 && v[1].cause &&
                  !strcmp(v[1].cause, "steal") && v[0].cause == NULL &&
                  isnan(v[0].stretch_s),
              "verdict: steal %g cause %s", v[1].steal_s,
              v[1].cause ? v[1].cause : "-");
        cb_model_interf_totals(&m, &t);
        /* steal 0.04 of (0.5 s x 2 CPUs), outside 0.12 of 1.0 */
        CHECK(fabs(t.steal_share - 0.04) < 1e-9 &&
                  fabs(t.outside_share - 0.12) < 1e-9 && t.n == 4 &&
                  t.flagged == 1 && t.aside == 1,
              "totals: steal %g outside %g n %zu flagged %zu aside %zu",
              t.steal_share, t.outside_share, t.n, t.flagged, t.aside);
        cb_interf_totals_line(&t, line, sizeof line);
        CHECK(strstr(line, "the hypervisor took 4.0% of CPU time") &&
                  strstr(line, "outside the sweep 12.0%") &&
                  strstr(line, "1 of 4 samples set aside"),
              "line: %s", line);
        cb_model_free(&m);
    }
    unlink(path);
    /* an older file: no figures, no shares, the counts still */
    if (CHECK(load("sample.json", &m, &e) == 0, "%s", e.msg)) {
        cb_model_derive(&m);
        cb_model_interf_totals(&m, &t);
        cb_interf_totals_line(&t, line, sizeof line);
        CHECK(isnan(t.steal_share) && t.n > 0 &&
                  !strstr(line, "hypervisor") && strstr(line, "set aside"),
              "old file: steal %g line %s", t.steal_share, line);
        cb_model_free(&m);
    }
}

/* Labels and the baseline of a run made in memory (as run makes them). */
static void test_in_memory(void)
{
    struct cb_model m = {0};
    struct cb_run r[2];
    struct cb_error e = {0};
    memset(r, 0, sizeof r);
    m.runs = r;
    m.nruns = 2;
    for (int i = 0; i < 2; i++) {
        r[i].cfg.kernel = "gcd";
        r[i].cfg.size = "tiny";
        r[i].cfg.runtime = "c";
        r[i].cfg.pin = "cores";
        r[i].cfg.params = json_pack("{s:s}", "n", "8");
        r[i].tasks = 8;
    }
    r[0].cfg.executor = "serial";
    r[0].cfg.workers = 1;
    r[0].baseline = 1;
    r[1].cfg.executor = "gil";
    r[1].cfg.workers = 2;
    r[1].cfg.nxp = 2;
    r[1].cfg.xp[0] = (struct cb_xvalue){"chunksize", "4", 1};
    r[1].cfg.xp[1] = (struct cb_xvalue){"switch_interval", "100", 1};
    for (int k = 0; k < 6; k++) {
        cb_run_add_sample(&r[0], 0.10 + 0.001 * k, 0, 0, &e);
        cb_run_add_sample(&r[1], 0.05 + 0.001 * k, 0, 0, &e);
    }
    cb_model_derive(&m);
    CHECK(!strcmp(r[1].d.label, "gil c=4 si=100us"), "label '%s'",
          r[1].d.label);
    {
        /* an executor this build does not know (a file from a build with
         * MPI): its parameters as they are called */
        char lbl[64];
        struct cb_config c = r[1].cfg;
        c.executor = "elsewhere";
        cb_config_label(&c, lbl, sizeof lbl);
        CHECK(!strcmp(lbl, "elsewhere chunksize=4 switch_interval=100"),
              "unknown executor's label '%s'", lbl);
    }
    /* the estimator of 6 samples a + 0.001 k: type 7 at h = 5 q */
    CHECK(fabs(r[1].d.speedup - (0.100 + 0.005 * CB_ESTIMATOR_Q) /
                                    (0.050 + 0.005 * CB_ESTIMATOR_Q)) < 1e-9,
          "speedup %g", r[1].d.speedup);
    CHECK(cb_config_chunk(&r[1].cfg).kind == CB_CHUNK_COUNT &&
              cb_config_chunk(&r[1].cfg).count == 4,
          "chunksize asked 4");
    /* a new sample forgets the derived figures until derived again */
    cb_run_add_sample(&r[1], 0.2, 0, 0, &e);
    CHECK(!r[1].d.done, "adding a sample underives");
    for (int i = 0; i < 2; i++)
        cb_run_free(&r[i]);
}

int main(int argc, char **argv)
{
    src = argc > 1 ? argv[1] : ".";
    test_old_file();
    test_identity();
    test_round_trip();
    test_validator();
    test_interf_fields();
    test_in_memory();
    return check_finish();
}
