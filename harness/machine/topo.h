/* Topology (hwloc) and placement plans.
 *
 * A cb_topo is either this machine (binding allowed) or a description of
 * another one (hwloc synthetic string or XML export: planning only). */
#ifndef CB_TOPO_H
#define CB_TOPO_H

#include <stdio.h>

#include "common.h"

struct cb_topo;

/* synthetic and xml NULL: this machine, restricted to the allowed cpuset.
 * At most one of them may be set. */
int cb_topo_load(struct cb_topo **t, const char *synthetic, const char *xml,
                 struct cb_error *e);
void cb_topo_destroy(struct cb_topo *t);
int cb_topo_is_this_machine(const struct cb_topo *t);

struct cb_topo_info {
    int packages, numa_nodes, cores, pus; /* allowed ones */
    int pus_per_core;                     /* max SMT width, 1 = no SMT */
    char synthetic[256];  /* hwloc synthetic description, "" if not exportable */
    char fingerprint[17]; /* 16 hex digits: FNV-1a of the synthetic export
                             plus the PU OS indices, stable across runs */
    char cpu_model[128];  /* from the first package's CPUModel info, "" */
    unsigned long long l1d, l2, l3; /* bytes of one cache of each level, 0 */
    char allowed[256];    /* allowed PU OS indices as a list "0-3,8" */
};
int cb_topo_info(const struct cb_topo *t, struct cb_topo_info *info);

/* This machine's topology as executors/executor.h's struct cb_host_topo:
 * the topo service the harness hands an executor's launched() hook (an
 * executor never includes this header). */
struct cb_host_topo;
int cb_topo_host(struct cb_host_topo *h, struct cb_error *e);

enum cb_pin_policy {
    CB_PIN_NONE,    /* no binding */
    CB_PIN_COMPACT, /* PUs in hwloc logical order: fill SMT siblings first */
    CB_PIN_CORES,   /* one PU per core first, then second PUs of cores */
    CB_PIN_SCATTER, /* spread over packages / caches: hwloc_distrib */
    CB_PIN_LIST,    /* explicit OS indices: pus:0,2,4-7 */
};

struct cb_pin_spec {
    enum cb_pin_policy policy;
    int nlist;
    int list[CB_MAX_WORKERS]; /* CB_PIN_LIST: OS indices in given order */
};

/* Parses none|compact|cores|scatter|pus:LIST. LIST is comma-separated
 * OS indices and ranges a-b. */
int cb_pin_parse(const char *s, struct cb_pin_spec *spec, struct cb_error *e);
const char *cb_pin_policy_name(enum cb_pin_policy p);

/* Fills pus[0..workers) with one PU OS index per worker (-1 for NONE).
 * More workers than PUs wrap around in plan order (oversubscription: the
 * harness warns). CB_PIN_LIST: an index not in the allowed set is
 * CB_EUSAGE naming it and the allowed list; a list shorter than workers
 * wraps around. */
int cb_topo_plan(const struct cb_topo *t, const struct cb_pin_spec *spec,
                 int workers, int *pus, struct cb_error *e);

/* Number of workers in the plan that share a core with another worker
 * (SMT siblings or the same PU). 0 for an unpinned plan. */
int cb_topo_plan_shared_cores(const struct cb_topo *t, const int *pus,
                              int workers);

/* The worker counts this topology suggests, ascending: 1, then the counts
 * that fill one core's PUs ("1 core"), one L3 domain ("1 L3"), one NUMA
 * node, one package ("1 socket"), all cores and all PUs (a domain as wide
 * as the machine is left to "all PUs"), and powers of two strictly
 * between two boundaries more than 2x apart (boundary ""). Boundaries on
 * the same count share it ("1 socket, all cores"). Returns how many (at
 * most max). */
struct cb_topo_count {
    int workers;
    char boundary[64];
};
int cb_topo_counts(const struct cb_topo *t, struct cb_topo_count *c, int max);

/* Human-readable tree: packages, caches, cores, PUs with OS indices. */
void cb_topo_print(const struct cb_topo *t, FILE *f);

/* `corebench topo [--synthetic S | --xml FILE] [--workers N] [--pin P]`:
 * prints the topology and the plan of every policy. Returns an exit status. */
int cb_cmd_topo(int argc, char **argv);

#endif
