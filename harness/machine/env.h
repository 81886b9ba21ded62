/* Environment capture: the context block of every result file, and the
 * checks behind the noise warnings. */
#ifndef CB_ENV_H
#define CB_ENV_H

#include <jansson.h>

#include "text.h" /* cb_json_text */

#include "common.h"
#include "topo.h"

/* New JSON object "context" as documented in results/SCHEMA.md (host, OS,
 * CPU, topology, allowed PUs, load, governor, timer resolution, cgroup
 * limit, compiler and flags, build type, version, git commit, date, SMT).
 * argv is recorded as command_line. Never fails: unknown values are null.
 * t may be NULL (topology keys null, allowed_pus from the affinity mask).
 * `settings` is left for the caller to add. Returns NULL only when jansson
 * cannot allocate. */
json_t *cb_env_capture(const struct cb_topo *t, int argc, char **argv);

/* Measured resolution of CLOCK_MONOTONIC in seconds (smallest nonzero
 * difference of consecutive reads). */
double cb_timer_resolution(void);

/* 1-minute load average and the number of runnable threads other than
 * ourselves (procs_running in /proc/stat minus 1); -1 when unreadable. */
int cb_env_load(double *load1, int *running);

/* Scaling governor of cpu0 ("performance", ...) into buf; 0 if read. */
int cb_env_governor(char *buf, size_t len);

/* For the machine layer's readers of /proc and /sys: the first line of a
 * small file into buf, without its newline (0 if read), and trailing
 * whitespace stripped in place. */
int cb_env_read_line(const char *path, char *buf, size_t len);
void cb_env_rstrip(char *s);

/* ---- additions (additive to the original contract) ------------------- */

/* Parses the content of a cgroup v2 cpu.max file, "QUOTA PERIOD" or
 * "max PERIOD" (a trailing newline is fine). 0 on success with *cpus =
 * QUOTA / PERIOD, or NaN for "max" (no limit). CB_EUSAGE for anything
 * else (garbage, zero or negative numbers, a missing period). */
int cb_env_parse_cpu_max(const char *s, double *cpus);

/* CPUs this process may use by its cgroup's CPU bandwidth limit: the
 * smallest limit from its cgroup up to the root of the hierarchy, cgroup v2
 * cpu.max, else cgroup v1 cpu.cfs_quota_us / cpu.cfs_period_us. NaN when
 * there is no limit or it cannot be read. */
double cb_env_cgroup_cpu_limit(void);

/* Number of PUs in this process's affinity mask (at least 1), and the same
 * mask as a list "0-3,8" into buf. */
int cb_env_allowed_pus(char *buf, size_t len);

/* ---- CPU time of the whole machine, for interference ----------------- */

/* The per-CPU lines of /proc/stat, in seconds (USER_HZ ticks, so 10 ms
 * steps): `busy` = user + nice + system + irq + softirq (guest time is
 * inside user), `steal` = the 8th column, time the hypervisor ran
 * something else while this vCPU wanted to run (0 on bare metal and where
 * the hypervisor does not say). `all`: the first line ("cpu"), the sum. */
#define CB_CPUSTAT_MAX 256
struct cb_cpustat {
    int n;   /* CPUs read: cpu0..cpu(n-1) (a missing index stays 0) */
    int ok;  /* 1: parsed */
    double busy[CB_CPUSTAT_MAX], steal[CB_CPUSTAT_MAX];
    double busy_all, steal_all, idle_all;
};
/* Parses the text of /proc/stat with `hz` ticks per second. 0, or
 * CB_EUSAGE when the "cpu" line is missing or malformed. */
int cb_env_parse_cpustat(const char *text, double hz, struct cb_cpustat *out);
/* Reads /proc/stat; out->ok 0 when it cannot (then -1). */
int cb_env_cpustat(struct cb_cpustat *out);
/* CPU seconds (user + system) of this process and its waited-for
 * children: what the sweep itself used. */
double cb_env_self_cpu(void);

#endif
