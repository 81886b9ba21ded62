/* Unit tests of the result-file layer (atomic writes that never clobber,
 * validating loads with file:line:col) and of the number parsing every
 * option goes through. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/results.h"
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
    {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            printf("warning: could not remove %s\n", dir);
    }
    return check_finish();
}
