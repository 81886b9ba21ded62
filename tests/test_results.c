/* Unit tests of the result-file layer (atomic writes that never clobber,
 * validating loads with file:line:col) and of the number parsing every
 * option goes through. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "results.h"
#include "kernels/kernel.h"

#include "check.h"

static char dir[] = "/tmp/cb-test-results-XXXXXX";

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static char *slurp(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    return buf;
}

static int count_files(void)
{
    char cmd[256];
    int n = -1;
    FILE *p;
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    p = popen(cmd, "r");
    if (p && fscanf(p, "%d", &n) != 1)
        n = -1;
    if (p)
        pclose(p);
    return n;
}

static void test_write(void)
{
    char path[256], sub[300];
    struct cb_error e = {0};
    json_t *doc = json_pack("{s:s, s:[], s:o}", "schema", CB_SCHEMA, "runs",
                            "x", cb_json_num(NAN));
    snprintf(path, sizeof path, "%s/r.json", dir);

    CHECK(cb_results_check_path(path, 0, &e) == 0, "fresh path: %s", e.msg);
    CHECK(cb_results_write(doc, path, 0, &e) == 0, "write: %s", e.msg);
    CHECK(strstr(slurp(path), "\"x\": null") != NULL,
          "NaN must be written as null: %s", slurp(path));
    CHECK(strstr(slurp(path), "NaN") == NULL, "no NaN in file");

    /* an existing file is never replaced without force */
    put(path, "precious");
    CHECK(cb_results_check_path(path, 0, &e) == CB_EUSAGE &&
              strstr(e.msg, "exists") && strstr(e.msg, "--force"),
          "existing file refused: %s", e.msg);
    CHECK(cb_results_write(doc, path, 0, &e) == CB_EUSAGE, "link refuses");
    CHECK(strcmp(slurp(path), "precious") == 0, "file untouched");
    CHECK(count_files() == 1, "no temporary left behind (%d files)",
          count_files());
    CHECK(cb_results_check_path(path, 1, &e) == 0, "force accepts");
    CHECK(cb_results_write(doc, path, 1, &e) == 0, "replace: %s", e.msg);
    CHECK(strstr(slurp(path), CB_SCHEMA) != NULL, "replaced");

    snprintf(sub, sizeof sub, "%s/missing/r.json", dir);
    CHECK(cb_results_check_path(sub, 0, &e) == CB_EUSAGE &&
              strstr(e.msg, "does not exist"),
          "missing dir: %s", e.msg);
    CHECK(cb_results_check_path(dir, 1, &e) == CB_EUSAGE &&
              strstr(e.msg, "directory"),
          "a directory is not a file: %s", e.msg);
    if (geteuid() != 0) {
        chmod(dir, 0500);
        CHECK(cb_results_check_path(path, 1, &e) == CB_EUSAGE,
              "unwritable dir");
        chmod(dir, 0700);
    }
    json_decref(doc);
}

static void test_load(void)
{
    char path[256];
    struct cb_error e = {0};
    json_t *r;
    snprintf(path, sizeof path, "%s/l.json", dir);

    put(path, "");
    CHECK(cb_results_load(path, &r, &e) == CB_EUSAGE && strstr(e.msg, "empty"),
          "empty: %s", e.msg);
    put(path, "{\"schema\": \"corebench/1\",\n \"runs\": [1, 2");
    CHECK(cb_results_load(path, &r, &e) == CB_EUSAGE && strstr(e.msg, ":2:"),
          "truncated gives file:line:col: %s", e.msg);
    CHECK(strncmp(e.msg, path, strlen(path)) == 0, "names the file: %s",
          e.msg);
    put(path, "{\"schema\": \"corebench/0\", \"runs\": []}");
    CHECK(cb_results_load(path, &r, &e) == CB_EUSAGE &&
              strstr(e.msg, "corebench/0") && strstr(e.msg, CB_SCHEMA),
          "other schema: %s", e.msg);
    put(path, "[1]");
    CHECK(cb_results_load(path, &r, &e) == CB_EUSAGE, "array top level");
    put(path, "{\"schema\": \"corebench/1\"}");
    CHECK(cb_results_load(path, &r, &e) == CB_EUSAGE && strstr(e.msg, "runs"),
          "no runs: %s", e.msg);
    put(path, "{\"schema\": \"corebench/1\", \"runs\": [], \"a\": 1.5}");
    CHECK(cb_results_load(path, &r, &e) == 0, "valid: %s", e.msg);
    if (r) {
        CHECK(cb_json_get(r, "a") == 1.5, "cb_json_get");
        CHECK(isnan(cb_json_get(r, "nope")), "missing is NaN");
        json_decref(r);
    }
    CHECK(cb_results_load("/nonexistent/x.json", &r, &e) == CB_EUSAGE,
          "missing file");
}

static void test_parse(void)
{
    struct cb_error e = {0};
    uint64_t v = 0;
    double d = 0;
    CHECK(cb_parse_u64("1_000_000_000", 0, UINT64_MAX, "n", &v, &e) == 0 &&
              v == 1000000000ULL, "underscores");
    CHECK(cb_parse_u64("4e6", 0, UINT64_MAX, "n", &v, &e) == 0 && v == 4000000,
          "exponent");
    CHECK(cb_parse_u64("1.5", 0, 10, "n", &v, &e) == CB_EUSAGE,
          "fraction rejected");
    CHECK(cb_parse_u64("-1", 0, 10, "--workers", &v, &e) == CB_EUSAGE &&
              strstr(e.msg, "--workers") && strstr(e.msg, "-1"),
          "negative rejected, named: %s", e.msg);
    CHECK(cb_parse_u64("0", 1, 10, "--workers", &v, &e) == CB_EUSAGE &&
              strstr(e.msg, "1..10"), "range shown: %s", e.msg);
    CHECK(cb_parse_u64("99999999999999999999999", 0, UINT64_MAX, "n", &v,
                       &e) == CB_EUSAGE, "overflow");
    CHECK(cb_parse_u64("", 0, 10, "n", &v, &e) == CB_EUSAGE, "empty");
    CHECK(cb_parse_u64("12abc", 0, 100, "n", &v, &e) == CB_EUSAGE, "junk");
    CHECK(cb_parse_double("0.05", 0, 1, "a", &d, &e) == 0 && d == 0.05,
          "double");
    CHECK(cb_parse_double("nan", 0, 1, "a", &d, &e) == CB_EUSAGE, "nan");
}

static void test_params(void)
{
    struct cb_params p = {.nkv = 2,
                          .kv = {{"n", "10"}, {"bogus", "1"}}};
    struct cb_error e = {0};
    uint64_t v;
    CHECK(cb_params_check(&p, "gcd", "n,seed", &e) == CB_EUSAGE &&
              strstr(e.msg, "bogus") && strstr(e.msg, "n,seed"),
          "unknown key named with accepted list: %s", e.msg);
    p.nkv = 1;
    CHECK(cb_params_check(&p, "gcd", "n,seed", &e) == 0, "known key");
    CHECK(cb_params_u64(&p, "n", 5, 1, 100, &v, &e) == 0 && v == 10, "value");
    CHECK(cb_params_u64(&p, "m", 5, 1, 100, &v, &e) == 0 && v == 5,
          "default");
    snprintf(p.kv[0].val, sizeof p.kv[0].val, "1000");
    CHECK(cb_params_u64(&p, "n", 5, 1, 100, &v, &e) == CB_EUSAGE &&
              strstr(e.msg, "--param n"), "range: %s", e.msg);
}

/* ---- issue 11: only regular files replaced, stale temporaries cleaned,
 * input size limits ---------------------------------------------------- */

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static void test_targets(void)
{
    char p[300], q[300];
    struct cb_error e = {0};
    struct stat st;
    json_t *doc = json_pack("{s:s, s:[]}", "schema", CB_SCHEMA, "runs");
    int before = count_files();

    snprintf(p, sizeof p, "%s/fifo.json", dir);
    mkfifo(p, 0600);
    CHECK(cb_results_check_path(p, 1, &e) == CB_EUSAGE &&
              strstr(e.msg, "FIFO") && strstr(e.msg, "regular"),
          "a FIFO is refused even with force: %s", e.msg);
    /* and at write time, should one appear after the check */
    CHECK(cb_results_write(doc, p, 1, &e) == CB_EUSAGE &&
              strstr(e.msg, "FIFO"),
          "write refuses to replace a FIFO: %s", e.msg);
    CHECK(lstat(p, &st) == 0 && S_ISFIFO(st.st_mode), "the FIFO is still there");
    unlink(p);

    CHECK(cb_results_check_path("/dev/null", 1, &e) == CB_EUSAGE &&
              strstr(e.msg, "character device"),
          "/dev/null is refused even with force: %s", e.msg);

    snprintf(p, sizeof p, "%s/dangling.json", dir);
    CHECK(symlink("no/such/target.json", p) == 0, "symlink");
    CHECK(cb_results_check_path(p, 1, &e) == CB_EUSAGE &&
              strstr(e.msg, "dangling symbolic link"),
          "a dangling link is refused: %s", e.msg);
    unlink(p);
    snprintf(p, sizeof p, "%s/link.json", dir);
    snprintf(q, sizeof q, "%s/target.json", dir);
    put(q, "precious");
    CHECK(symlink(q, p) == 0, "symlink");
    CHECK(cb_results_check_path(p, 1, &e) == CB_EUSAGE &&
              strstr(e.msg, "symbolic link") && !strstr(e.msg, "dangling"),
          "a link to a file is refused too: %s", e.msg);
    CHECK(cb_results_write(doc, p, 1, &e) == CB_EUSAGE,
          "write does not replace a link: %s", e.msg);
    CHECK(strcmp(slurp(q), "precious") == 0, "the link's target untouched");
    unlink(p);
    unlink(q);

    snprintf(p, sizeof p, "%s/x.json/", dir);
    CHECK(cb_results_check_path(p, 1, &e) == CB_EUSAGE &&
              strstr(e.msg, "not a file name"),
          "a trailing slash is refused: %s", e.msg);
    CHECK(cb_results_check_path(".", 1, &e) == CB_EUSAGE, "'.' refused");
    CHECK(cb_results_check_target("--json", "", 1, &e) == CB_EUSAGE &&
              strstr(e.msg, "--json"),
          "the option is named: %s", e.msg);
    snprintf(q, sizeof q, "%s/plain", dir);
    put(q, "x");
    snprintf(p, sizeof p, "%s/plain/x.json", dir);
    CHECK(cb_results_check_path(p, 1, &e) == CB_EUSAGE &&
              strstr(e.msg, "not a directory"),
          "a file as the directory: %s", e.msg);
    unlink(q);
    CHECK(count_files() == before, "checks leave nothing behind (%d files, "
          "%d before)", count_files(), before);
    json_decref(doc);
}

static void test_stale(void)
{
    char dead[300], live[300], old[300], fresh[300], other[300], out[300];
    struct cb_error e = {0};
    json_t *doc = json_pack("{s:s, s:[]}", "schema", CB_SCHEMA, "runs");
    pid_t pid = fork();
    struct timespec ts[2] = {{time(NULL) - 7200, 0}, {time(NULL) - 7200, 0}};

    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0); /* pid is now dead */
    snprintf(dead, sizeof dead, "%s/.corebench-%ld-abcdef", dir, (long)pid);
    snprintf(live, sizeof live, "%s/.corebench-%ld-ghijkl", dir,
             (long)getppid()); /* alive: whoever ran this test */
    snprintf(old, sizeof old, "%s/.corebench-Ab3dEf", dir);
    snprintf(fresh, sizeof fresh, "%s/.corebench-Gh5jKl", dir);
    snprintf(other, sizeof other, "%s/.corebench-notours", dir);
    put(dead, "{");
    put(live, "{");
    put(old, "{");
    put(fresh, "{");
    put(other, "{");
    utimensat(AT_FDCWD, old, ts, 0);
    snprintf(out, sizeof out, "%s/r.json", dir);
    CHECK(cb_results_write(doc, out, 1, &e) == 0, "write: %s", e.msg);
    CHECK(!exists(dead), "a dead writer's temporary is removed");
    CHECK(exists(live), "a live writer's temporary is kept");
    CHECK(!exists(old), "an old temporary (no pid, 2 h) is removed");
    CHECK(exists(fresh), "a fresh temporary without pid is kept");
    CHECK(exists(other), "a name corebench does not make is kept");
    unlink(live);
    unlink(fresh);
    unlink(other);
    unlink(out);
    json_decref(doc);
}

static void test_limits(void)
{
    char path[300];
    struct cb_error e = {0};
    json_t *r, *samples = json_array();
    for (int i = 0; i <= CB_RESULTS_MAX_SAMPLES; i++)
        json_array_append_new(samples, json_real(0.1));
    r = json_pack("{s:s, s:[{s:s, s:s, s:i, s:o}]}", "schema", CB_SCHEMA,
                  "runs", "kernel", "gcd", "executor", "serial", "workers", 1,
                  "samples", samples);
    snprintf(path, sizeof path, "%s/big.json", dir);
    json_dump_file(r, path, 0);
    json_decref(r);
    CHECK(cb_results_load(path, &r, &e) == CB_EUSAGE &&
              strstr(e.msg, "runs[0]") && strstr(e.msg, "100001") &&
              strstr(e.msg, "100000 per configuration"),
          "too many samples in one configuration: %s", e.msg);

    setenv("CB_MAX_INPUT_BYTES", "1000", 1);
    CHECK(cb_results_load(path, &r, &e) == CB_EUSAGE &&
              strstr(e.msg, "more than the 1000") &&
              strstr(e.msg, "CB_MAX_INPUT_BYTES"),
          "a file over the byte limit: %s", e.msg);
    setenv("CB_MAX_INPUT_BYTES", "lots", 1);
    CHECK(cb_results_load(path, &r, &e) == CB_EUSAGE &&
              strstr(e.msg, "CB_MAX_INPUT_BYTES: 'lots'"),
          "a bad CB_MAX_INPUT_BYTES is named: %s", e.msg);
    unsetenv("CB_MAX_INPUT_BYTES");
    {
        uint64_t max = 0;
        CHECK(cb_results_max_bytes(&max, &e) == 0 &&
                  max == CB_RESULTS_MAX_BYTES, "default limit");
    }
    unlink(path);
}

/* The workload budget follows ulimit -v: checked in a child, which sets
 * the limit and only calls functions that do not allocate (a sanitizer
 * runtime could not allocate under it). */
static void test_memory_budget(void)
{
    const char *why = NULL;
    uint64_t phys = cb_memory_budget(&why);
    struct cb_error e = {0};
    pid_t pid;
    int status = -1;

    CHECK(phys > 0 && why && strstr(why, "physical memory"),
          "the default budget is half of physical memory: %s", why);
    CHECK(cb_workload_fits("k", "n", phys / 16, 16, &e) == 0,
          "n at the budget fits: %s", e.msg);
    CHECK(cb_workload_fits("k", "n", phys / 16 + 1, 16, &e) == CB_EUSAGE &&
              strstr(e.msg, "--param n=") && strstr(e.msg, "kernel k") &&
              strstr(e.msg, "physical memory") && strstr(e.msg, "accepted: n <="),
          "one task more does not, and the message names the limit: %s",
          e.msg);
    CHECK(cb_workload_fits("k", "n", UINT64_MAX, 528, &e) == CB_EUSAGE,
          "n x bytes past 64 bits is refused, not wrapped");
    cb_workload_memory_cap = 1000;
    CHECK(cb_memory_budget(&why) == 1000 && strstr(why, "cap"), "the cap");
    cb_workload_memory_cap = 0;

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        struct rlimit rl = {UINT64_C(1) << 30, UINT64_C(1) << 30};
        int ok = setrlimit(RLIMIT_AS, &rl) == 0 &&
                 cb_memory_budget(&why) == UINT64_C(1) << 29 &&
                 strstr(why, "ulimit -v") &&
                 cb_workload_fits("empty", "n", 100000000, 16, &e) ==
                     CB_EUSAGE &&
                 strstr(e.msg, "ulimit -v");
        _exit(ok ? 0 : 1);
    }
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "under ulimit -v 1 GiB the budget is 512 MiB and names ulimit -v "
          "(child status %d)", status);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_write();
    test_load();
    test_parse();
    test_params();
    test_targets();
    test_stale();
    test_limits();
    test_memory_budget();
    {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            printf("warning: could not remove %s\n", dir);
    }
    return check_finish();
}
