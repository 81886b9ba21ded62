#include "results.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <libgen.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

static const char *file_kind(mode_t m)
{
    return S_ISFIFO(m)   ? "a FIFO"
           : S_ISCHR(m)  ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISSOCK(m) ? "a socket"
           : S_ISDIR(m)  ? "a directory"
           : S_ISLNK(m)  ? "a symbolic link"
                         : "not a regular file";
}

/* Temporary files are ".corebench-PID-XXXXXX" in the target's directory:
 * the pid tells the next writer whether the one that left it is alive. */
#define TMP_PREFIX ".corebench-"
/* A write takes well under a second; a temporary file this old belongs to
 * no live write, whatever its pid says (pids are reused). */
#define TMP_STALE_S 3600

static void tmp_name(char *buf, size_t len, const char *dir)
{
    snprintf(buf, len, "%s/" TMP_PREFIX "%ld-XXXXXX", dir, (long)getpid());
}

/* Is `name` (an entry of dir) a temporary file a dead or long-gone writer
 * left? Only our own regular files qualify: another user's are theirs to
 * clean, and another live run's are never touched. */
static int tmp_is_stale(int dirfd, const char *name, time_t now)
{
    const char *p = name + strlen(TMP_PREFIX);
    char *end;
    long pid = -1;
    struct stat st;
    size_t len = strlen(p);

    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode) || st.st_uid != geteuid())
        return 0;
    if (len > 7 && p[0] >= '0' && p[0] <= '9') {
        pid = strtol(p, &end, 10);
        if (*end != '-' || strlen(end + 1) != 6)
            return 0; /* not a name we make */
    } else if (len != 6) {
        return 0; /* the names before pids were ".corebench-XXXXXX" */
    }
    if (pid == (long)getpid())
        return 0;
    if (pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        return 1; /* its writer is dead */
    return now - st.st_mtime > TMP_STALE_S;
}

void cb_results_clean_stale(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    time_t now = time(NULL);
    if (!d)
        return;
    while ((de = readdir(d)) != NULL)
        if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0 &&
            tmp_is_stale(dirfd(d), de->d_name, now))
            unlinkat(dirfd(d), de->d_name, 0);
    closedir(d);
}

int cb_results_check_target(const char *opt, const char *path, int overwrite,
                            struct cb_error *e)
{
    char dir[4096], tmp[4200];
    const char *base;
    struct stat st;
    int fd;

    if (!path || !*path)
        return CB_FAIL(e, CB_EUSAGE, "%s: empty path", opt);
    if (strlen(path) >= 4000)
        return CB_FAIL(e, CB_EUSAGE, "%s: path longer than 4000 bytes", opt);
    base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return CB_FAIL(e, CB_EUSAGE, "%s %s: not a file name (accepted: a "
                       "path to a regular file, not ending in '/')",
                       opt, path);
    dir_of(path, dir, sizeof dir);
    if (stat(dir, &st) != 0)
        return CB_FAIL(e, CB_EUSAGE, "%s %s: directory %s does not exist",
                       opt, path, dir);
    if (!S_ISDIR(st.st_mode))
        return CB_FAIL(e, CB_EUSAGE, "%s %s: %s is not a directory", opt,
                       path, dir);
    if (lstat(path, &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            struct stat target;
            return CB_FAIL(e, CB_EUSAGE,
                           "%s %s: is a %ssymbolic link; refused, even with "
                           "--force (give the path of the file itself)",
                           opt, path,
                           stat(path, &target) != 0 ? "dangling " : "");
        }
        if (!S_ISREG(st.st_mode))
            return CB_FAIL(e, CB_EUSAGE,
                           "%s %s: is %s; only regular files are ever "
                           "replaced, even with --force",
                           opt, path, file_kind(st.st_mode));
        if (!overwrite)
            return CB_FAIL(e, CB_EUSAGE,
                           "%s %s: file exists (use --force to replace it)",
                           opt, path);
    } else if (errno != ENOENT) {
        return CB_FAIL(e, CB_EUSAGE, "%s %s: %s", opt, path, strerror(errno));
    }
    /* Writable is what creating the temporary file proves, whatever
     * access() would say (root, read-only mounts, ACLs). */
    tmp_name(tmp, sizeof tmp, dir);
    fd = mkstemp(tmp);
    if (fd < 0)
        return CB_FAIL(e, CB_EUSAGE, "%s %s: directory %s is not writable: %s",
                       opt, path, dir, strerror(errno));
    close(fd);
    unlink(tmp);
    return 0;
}

int cb_results_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    char da[4096], db[4096], ra[4096], rb[4096];
    const char *ba, *bb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    /* one of them is not there yet: the same directory and name */
    dir_of(a, da, sizeof da);
    dir_of(b, db, sizeof db);
    ba = strrchr(a, '/') ? strrchr(a, '/') + 1 : a;
    bb = strrchr(b, '/') ? strrchr(b, '/') + 1 : b;
    if (strcmp(ba, bb) != 0 || !realpath(da, ra) || !realpath(db, rb))
        return 0;
    return strcmp(ra, rb) == 0;
}

int cb_results_check_outputs(const char *const *opt, const char *const *path,
                             int n, int overwrite, char *const *inputs,
                             int ninputs, struct cb_error *e)
{
    int rc;
    for (int i = 0; i < n; i++) {
        if (!path[i])
            continue;
        if ((rc = cb_results_check_target(opt[i], path[i], overwrite, e)))
            return rc;
        for (int j = 0; j < ninputs; j++)
            if (cb_results_same_file(path[i], inputs[j]))
                return CB_FAIL(e, CB_EUSAGE, "%s %s: is one of the input "
                               "files; it would be replaced", opt[i],
                               path[i]);
        for (int j = 0; j < i; j++)
            if (path[j] && cb_results_same_file(path[i], path[j]))
                return CB_FAIL(e, CB_EUSAGE, "%s %s: is the file %s writes "
                               "too (accepted: a file of its own)", opt[i],
                               path[i], opt[j]);
    }
    return 0;
}

int cb_results_check_path(const char *path, int overwrite, struct cb_error *e)
{
    return cb_results_check_target("--out", path, overwrite, e);
}

static int emit_json(FILE *f, void *root)
{
    if (json_dumpf(root, f, JSON_INDENT(1) | JSON_ENSURE_ASCII |
                                JSON_REAL_PRECISION(10)) != 0)
        return -1;
    return fputc('\n', f) == EOF ? -1 : 0;
}

int cb_results_write(const json_t *root, const char *path, int replace_own,
                     struct cb_error *e)
{
    return cb_results_write_with(path, replace_own, emit_json, (void *)root,
                                 e);
}

/* The temporary file of the write in progress, for cb_results_abandon()
 * in a signal handler: the name is complete before the flag is set. */
static char inflight_tmp[4200];
static atomic_int inflight;

void cb_results_abandon(void)
{
    if (atomic_load(&inflight))
        unlink(inflight_tmp); /* async-signal-safe; ENOENT once renamed */
}

static int write_with(const char *path, int replace_own,
                      int (*emit)(FILE *f, void *arg), void *arg,
                      struct cb_error *e);

int cb_results_write_with(const char *path, int replace_own,
                          int (*emit)(FILE *f, void *arg), void *arg,
                          struct cb_error *e)
{
    int rc = write_with(path, replace_own, emit, arg, e);
    atomic_store(&inflight, 0);
    return rc;
}

static int write_with(const char *path, int replace_own,
                      int (*emit)(FILE *f, void *arg), void *arg,
                      struct cb_error *e)
{
    char dir[4096], tmp[4200];
    struct stat st;
    int fd, rc;
    FILE *f;

    dir_of(path, dir, sizeof dir);
    cb_results_clean_stale(dir);
    tmp_name(tmp, sizeof tmp, dir);
    fd = mkstemp(tmp);
    if (fd < 0)
        return CB_FAIL(e, CB_ESYS, "%s: cannot create a temporary file: %s",
                       dir, strerror(errno));
    memcpy(inflight_tmp, tmp, sizeof inflight_tmp < sizeof tmp
                                  ? sizeof inflight_tmp : sizeof tmp);
    atomic_store(&inflight, 1);
    f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(tmp);
        return CB_FAIL(e, CB_ESYS, "%s: %s", tmp, strerror(errno));
    }
    rc = emit(f, arg) != 0 || ferror(f) ? -1 : 0;
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
    /* Checked before the sweep, checked again here: a FIFO, a device or a
     * link put at the path meanwhile is not replaced either. */
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        unlink(tmp);
        return CB_FAIL(e, CB_EUSAGE, "%s: is %s now; only regular files are "
                       "ever replaced", path, file_kind(st.st_mode));
    }
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

int cb_results_max_bytes(uint64_t *max, struct cb_error *e)
{
    const char *v = getenv("CB_MAX_INPUT_BYTES");
    *max = CB_RESULTS_MAX_BYTES;
    if (!v || !*v)
        return 0;
    return cb_parse_u64(v, 1, UINT64_MAX, "CB_MAX_INPUT_BYTES", max, e);
}

/* The per-sample arrays of every run stay within CB_RESULTS_MAX_SAMPLES:
 * what report and compare do with them grows with their length. */
static int check_sizes(const char *path, const json_t *runs,
                       struct cb_error *e)
{
    static const char *const keys[] = {"samples", "warmup", "startup",
                                       "shutdown", "outlier_flags",
                                       "counters"};
    size_t i;
    const json_t *run;
    json_array_foreach(runs, i, run)
    {
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            size_t n = json_array_size(json_object_get(run, keys[k]));
            if (n > CB_RESULTS_MAX_SAMPLES)
                return CB_FAIL(e, CB_EUSAGE,
                               "%s: runs[%zu]: %zu entries in \"%s\", more "
                               "than the %d per configuration corebench "
                               "analyses",
                               path, i, n, keys[k], CB_RESULTS_MAX_SAMPLES);
        }
    }
    return 0;
}

int cb_results_load(const char *path, json_t **root, struct cb_error *e)
{
    json_error_t je;
    json_t *r, *schema;
    struct stat st;
    uint64_t max;

    *root = NULL;
    if (stat(path, &st) != 0)
        return CB_FAIL(e, CB_EUSAGE, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return CB_FAIL(e, CB_EUSAGE, "%s: is a directory, not a result file",
                       path);
    if (st.st_size == 0)
        return CB_FAIL(e, CB_EUSAGE, "%s: empty file, not a result file",
                       path);
    if (cb_results_max_bytes(&max, e) != 0)
        return e ? e->code : CB_EUSAGE;
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max)
        return CB_FAIL(e, CB_EUSAGE,
                       "%s: %jd bytes, more than the %ju a result file may "
                       "have (loading takes several times its size in "
                       "memory; set CB_MAX_INPUT_BYTES to raise the limit)",
                       path, (intmax_t)st.st_size, (uintmax_t)max);
    errno = 0;
    r = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!r) {
        /* jansson 2.14 fails an allocation with line -1 and no text (and
         * no json_error_out_of_memory): errno is what is left to say why */
        int err = errno;
        if (json_error_code(&je) == json_error_out_of_memory ||
            (je.line < 1 && !*je.text && err == ENOMEM))
            return CB_FAIL(e, CB_ENOMEM,
                           "%s: out of memory loading %jd bytes of JSON "
                           "(loading takes several times the file's size)",
                           path, (intmax_t)st.st_size);
        if (je.line < 1)
            return CB_FAIL(e, CB_EUSAGE, "%s: cannot read: %s", path,
                           *je.text ? je.text
                                    : strerror(err ? err : EIO));
        return CB_FAIL(e, CB_EUSAGE, "%s:%d:%d: %s", path, je.line,
                       je.column, je.text);
    }
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
    if (check_sizes(path, json_object_get(r, "runs"), e) != 0) {
        json_decref(r);
        return e->code;
    }
    *root = r;
    return 0;
}
