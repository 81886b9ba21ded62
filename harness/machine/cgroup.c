/* The CPU limit of this process's cgroup (env.h: cb_env_parse_cpu_max,
 * cb_env_cgroup_cpu_limit): cgroup v2's cpu.max or v1's quota and period,
 * the tightest along the hierarchy from the process's own group up. */
#include "env.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- cgroup CPU limit ---------------------------------------------------- */

int cb_env_parse_cpu_max(const char *s, double *cpus)
{
    char quota[32], period[32], extra[2];
    char *end;
    double q, p;
    if (!s || sscanf(s, "%31s %31s %1s", quota, period, extra) != 2)
        return CB_EUSAGE;
    errno = 0;
    p = strtod(period, &end);
    if (*end || errno || !(p > 0) || !isfinite(p) ||
        !isdigit((unsigned char)period[0]))
        return CB_EUSAGE;
    if (strcmp(quota, "max") == 0) {
        *cpus = NAN;
        return 0;
    }
    q = strtod(quota, &end);
    if (*end || errno || !(q > 0) || !isfinite(q) ||
        !isdigit((unsigned char)quota[0]))
        return CB_EUSAGE;
    *cpus = q / p;
    return 0;
}

/* Undoes mountinfo's octal escapes (\040 for a space) in place. */
static void unescape_octal(char *s)
{
    char *w = s;
    for (char *r = s; *r;) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' &&
            r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
            r += 4;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

/* 1 if the comma-separated list has the token tok. */
static int has_token(const char *list, const char *tok)
{
    size_t k = strlen(tok);
    for (const char *s = list; s && *s;) {
        const char *c = strchr(s, ',');
        size_t n = c ? (size_t)(c - s) : strlen(s);
        if (n == k && strncmp(s, tok, k) == 0)
            return 1;
        s = c ? c + 1 : NULL;
    }
    return 0;
}

/* Mount point and mount root of the cgroup2 hierarchy (v2) or of the v1
 * hierarchy carrying the cpu controller; 0 if found. */
static int find_cgroup_mount(int v2, char *mnt, size_t mlen, char *root,
                             size_t rlen)
{
    char line[4096];
    int found = -1;
    FILE *f = fopen("/proc/self/mountinfo", "r");
    if (!f)
        return -1;
    while (found != 0 && fgets(line, sizeof line, f)) {
        /* id parent maj:min root mountpoint opts [optional...] - type src
         * superopts */
        char *fields[8] = {0}, *save = NULL, *tok, *dash;
        int nf = 0;
        char fstype[64] = "", superopts[512] = "";
        dash = strstr(line, " - ");
        if (!dash)
            continue;
        *dash = '\0';
        if (sscanf(dash + 3, "%63s %*s %511s", fstype, superopts) < 1)
            continue;
        for (tok = strtok_r(line, " ", &save); tok && nf < 8;
             tok = strtok_r(NULL, " ", &save))
            fields[nf++] = tok;
        if (nf < 5)
            continue;
        if (v2 ? strcmp(fstype, "cgroup2") != 0
               : (strcmp(fstype, "cgroup") != 0 ||
                  !has_token(superopts, "cpu")))
            continue;
        unescape_octal(fields[3]);
        unescape_octal(fields[4]);
        snprintf(root, rlen, "%s", fields[3]);
        snprintf(mnt, mlen, "%s", fields[4]);
        found = 0;
    }
    fclose(f);
    return found;
}

/* This process's cgroup path in the v2 hierarchy ("0::/path") or in the v1
 * hierarchy that has the cpu controller ("3:cpu,cpuacct:/path"). */
static int own_cgroup_path(int v2, char *path, size_t len)
{
    char line[4096];
    int found = -1;
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f)
        return -1;
    while (found != 0 && fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ':'), *c2;
        if (!c1 || !(c2 = strchr(c1 + 1, ':')))
            continue;
        *c2 = '\0';
        cb_env_rstrip(c2 + 1);
        if (v2 ? (strncmp(line, "0:", 2) == 0 && c1[1] == '\0')
               : has_token(c1 + 1, "cpu")) {
            snprintf(path, len, "%s", c2 + 1);
            found = 0;
        }
    }
    fclose(f);
    return found;
}

/* Limit in CPUs set in directory dir, NaN if none. */
static double dir_limit(int v2, const char *dir)
{
    char path[4400], buf[128];
    double cpus = NAN;
    if (v2) {
        snprintf(path, sizeof path, "%s/cpu.max", dir);
        if (cb_env_read_line(path, buf, sizeof buf) == 0 &&
            cb_env_parse_cpu_max(buf, &cpus) == 0)
            return cpus;
        return NAN;
    } else {
        long long quota, period;
        snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", dir);
        if (cb_env_read_line(path, buf, sizeof buf) != 0 ||
            sscanf(buf, "%lld", &quota) != 1 || quota <= 0)
            return NAN; /* -1: no limit */
        snprintf(path, sizeof path, "%s/cpu.cfs_period_us", dir);
        if (cb_env_read_line(path, buf, sizeof buf) != 0 ||
            sscanf(buf, "%lld", &period) != 1 || period <= 0)
            return NAN;
        return (double)quota / (double)period;
    }
}

static double hierarchy_limit(int v2)
{
    char mnt[1024], root[1024], cg[2048], dir[4096];
    size_t mlen, rlen;
    double best = NAN;
    const char *rel;

    if (find_cgroup_mount(v2, mnt, sizeof mnt, root, sizeof root) != 0 ||
        own_cgroup_path(v2, cg, sizeof cg) != 0)
        return NAN;
    /* The path in /proc/self/cgroup is relative to the hierarchy's root;
     * the mount may show only a subtree of it (root != "/"), as in a
     * container without a cgroup namespace. */
    rel = cg;
    rlen = strlen(root);
    if (strcmp(root, "/") != 0 && strncmp(cg, root, rlen) == 0 &&
        (cg[rlen] == '/' || cg[rlen] == '\0'))
        rel = cg + rlen;
    snprintf(dir, sizeof dir, "%s%s", mnt, strcmp(rel, "/") == 0 ? "" : rel);
    if (access(dir, F_OK) != 0)
        snprintf(dir, sizeof dir, "%s", mnt);
    /* The effective limit is the smallest one on the way up. */
    mlen = strlen(mnt);
    for (;;) {
        double l = dir_limit(v2, dir);
        char *slash;
        if (isfinite(l) && (isnan(best) || l < best))
            best = l;
        if (strlen(dir) <= mlen)
            break;
        slash = strrchr(dir, '/');
        if (!slash || (size_t)(slash - dir) < mlen)
            break;
        *slash = '\0';
        if (strlen(dir) < mlen) /* mnt was "/" */
            snprintf(dir, sizeof dir, "%s", mnt);
    }
    return best;
}

double cb_env_cgroup_cpu_limit(void)
{
    double l = hierarchy_limit(1);
    return isnan(l) ? hierarchy_limit(0) : l;
}
