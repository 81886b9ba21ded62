/* Private to the topology module (topo.c, topo_plan.c, cli_topo.c): the
 * loaded topology and its allowed PUs. */
#ifndef CB_TOPO_IMPL_H
#define CB_TOPO_IMPL_H

#include <hwloc.h>

#include "topo.h"

#define SYNTHETIC_EXAMPLE "\"pack:2 core:4 pu:2\""
#define PIN_ACCEPTED                                                           \
    "accepted: none, compact, cores, scatter, pus:LIST e.g. pus:0,2,4-7"
/* Largest PU OS index pus:LIST accepts. Linux has NR_CPUS <= 8192; this is
 * only a sanity bound against typos such as pus:10000000. */
#define PU_INDEX_MAX 65535
/* A synthetic description that expands to more PUs than this is refused
 * before hwloc tries to build it: "pack:2 core:400000" is a typo, and
 * building it would take minutes and gigabytes. hwloc inserts objects in
 * time quadratic in a level's width: 4096 PUs in one flat level take
 * ~2.5 s (2-core development VM, hwloc 2.9), 8192 ~18 s, 65536 (the old
 * limit, which fuzz_params hit) hours. 4096 covers the largest
 * single-image machines sold. */
#define SYNTHETIC_MAX_PUS 4096

struct cb_pu {
    int os;   /* OS index: what sched_setaffinity takes */
    int core; /* index of its core among the allowed cores, in core order;
                 a PU without a Core ancestor is a core of its own */
    int rank; /* position among the allowed PUs of its core, 0 first */
};

struct cb_topo {
    hwloc_topology_t topo;
    int this_machine;       /* binding makes sense: loaded from this OS */
    char *origin;           /* what was loaded, for the summary line (owned) */
    hwloc_bitmap_t allowed; /* OS indices of pus[] */
    int npus, ncores, smt;
    struct cb_pu *pus; /* allowed PUs in hwloc logical order */
};


/* The allowed PU OS indices in list syntax ("0-3,8"), cut with "...". */
void cb__topo_allowed_list(const struct cb_topo *t, char *buf, size_t len);

#endif
