#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

json_t *cb_json_num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

double cb_json_get(const json_t *obj, const char *key)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static void dir_of(const char *path, char *buf, size_t len)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    snprintf(buf, len, "%s", dirname(tmp));
}

int cb_results_check_path(const char *path, int overwrite, struct cb_error *e)
{
    char dir[4096];
    struct stat st;
    if (!path || !*path)
        return CB_FAIL(e, CB_EUSAGE, "--out: empty path");
    if (strlen(path) >= 4000)
        return CB_FAIL(e, CB_EUSAGE, "--out: path longer than 4000 bytes");
    dir_of(path, dir, sizeof dir);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return CB_FAIL(e, CB_EUSAGE, "--out %s: directory %s does not exist",
                       path, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return CB_FAIL(e, CB_EUSAGE, "--out %s: directory %s is not writable",
                       path, dir);
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return CB_FAIL(e, CB_EUSAGE, "--out %s: is a directory", path);
        if (!overwrite)
            return CB_FAIL(e, CB_EUSAGE,
                           "--out %s: file exists (use --force to replace it)",
                           path);
    }
    return 0;
}

int cb_results_write(const json_t *root, const char *path, int replace_own,
                     struct cb_error *e)
{
    char dir[4096], tmp[4200];
    int fd, rc;
    FILE *f;

    dir_of(path, dir, sizeof dir);
    snprintf(tmp, sizeof tmp, "%s/.corebench-XXXXXX", dir);
    fd = mkstemp(tmp);
    if (fd < 0)
        return CB_FAIL(e, CB_ESYS, "%s: cannot create a temporary file: %s",
                       dir, strerror(errno));
    f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(tmp);
        return CB_FAIL(e, CB_ESYS, "%s: %s", tmp, strerror(errno));
    }
    rc = json_dumpf(root, f, JSON_INDENT(1) | JSON_ENSURE_ASCII |
                                 JSON_REAL_PRECISION(10));
    if (rc == 0)
        rc = fputc('\n', f) == EOF ? -1 : 0;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = -1;
    if (fclose(f) != 0)
        rc = -1;
    if (rc != 0) {
        unlink(tmp);
        return CB_FAIL(e, CB_ESYS, "%s: write failed: %s", path,
                       strerror(errno));
    }
    chmod(tmp, 0644);
    if (replace_own) {
        rc = rename(tmp, path);
    } else {
        /* link() fails with EEXIST instead of replacing a file someone
         * created since the path was checked. */
        rc = link(tmp, path);
        if (rc == 0)
            unlink(tmp);
    }
    if (rc != 0) {
        int err = errno;
        unlink(tmp);
        return CB_FAIL(e, err == EEXIST ? CB_EUSAGE : CB_ESYS, "%s: %s%s",
                       path, strerror(err),
                       err == EEXIST ? " (use --force to replace it)" : "");
    }
    return 0;
}

int cb_results_load(const char *path, json_t **root, struct cb_error *e)
{
    json_error_t je;
    json_t *r, *schema;
    struct stat st;

    *root = NULL;
    if (stat(path, &st) != 0)
        return CB_FAIL(e, CB_EUSAGE, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return CB_FAIL(e, CB_EUSAGE, "%s: is a directory, not a result file",
                       path);
    if (st.st_size == 0)
        return CB_FAIL(e, CB_EUSAGE, "%s: empty file, not a result file",
                       path);
    r = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!r)
        return CB_FAIL(e, CB_EUSAGE, "%s:%d:%d: %s", path, je.line,
                       je.column, je.text);
    if (!json_is_object(r)) {
        json_decref(r);
        return CB_FAIL(e, CB_EUSAGE, "%s: not a corebench result (top level "
                       "is not an object)", path);
    }
    schema = json_object_get(r, "schema");
    if (!json_is_string(schema) ||
        strcmp(json_string_value(schema), CB_SCHEMA) != 0) {
        char got[64];
        snprintf(got, sizeof got, "%s",
                 json_is_string(schema) ? json_string_value(schema)
                                        : "(none)");
        json_decref(r);
        return CB_FAIL(e, CB_EUSAGE, "%s: schema '%s' is not supported "
                       "(accepted: %s)", path, got, CB_SCHEMA);
    }
    if (!json_is_array(json_object_get(r, "runs"))) {
        json_decref(r);
        return CB_FAIL(e, CB_EUSAGE, "%s: no \"runs\" array", path);
    }
    *root = r;
    return 0;
}
