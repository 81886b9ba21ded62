/* Topology (hwloc) and placement plans: see topo.h for the contract.
 *
 * Everything planned here is a PU OS index, because that is what the
 * workers hand to sched_setaffinity (executors/worker.c). hwloc logical
 * indices only decide the order in which PUs are handed out.
 *
 * A cb_topo is read-only after cb_topo_load, so any number of threads may
 * plan, print or query it at once; cb_topo_destroy must not race them. */
#include "topo.h"

#include <errno.h>
#include <getopt.h>
#include <hwloc.h>
#include <hwloc/export.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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

/* ---- loading ------------------------------------------------------------ */

/* The number of PUs a synthetic description expands to, read the way
 * hwloc 2.x reads it (topology-synthetic.c, hwloc_backend_synthetic_init),
 * so that no spelling hwloc accepts can hide a count: optional root
 * attributes "(...)"; then levels separated by spaces or newlines, or by
 * nothing at all ("pack:2core:2pu:2"); "[...]" attaches memory; a level
 * is an optional type up to the first ':' ("pa(k:2" is pack:2), a count
 * as strtoul base 0 reads it (0x10, 010, "+3", " 3"), and optional
 * attributes "(...)". The PUs are the product of the counts. Called
 * after hwloc accepted the string; anything unterminated counts as too
 * big. Fuzzing found the two earlier, token-based estimates wrong. */
static double synthetic_pu_estimate(const char *s)
{
    double prod = 1;
    const char *p = s;
    if (*p == '(' && !(p = strchr(p, ')')))
        return 1e300;
    p += *p == ')';
    while (*p) {
        char *end;
        unsigned long v;
        while (*p == ' ' || *p == '\n')
            p++;
        if (!*p)
            break;
        if (*p == '[') {
            if (!(p = strchr(p, ']')))
                return 1e300;
            p++;
            continue;
        }
        if ((*p < '0' || *p > '9') && !(p = strchr(p, ':')))
            return 1e300;
        p += *p == ':';
        v = strtoul(p, &end, 0);
        if (end == p)
            return 1e300;
        prod *= (double)v;
        p = end;
        if (*p == '(') {
            if (!(p = strchr(p, ')')))
                return 1e300;
            p++;
        }
    }
    return prod;
}

/* Fills t->pus/allowed/ncores/smt from the loaded topology. */
static int build_pu_table(struct cb_topo *t, struct cb_error *e)
{
    hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(t->topo);
    int n = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PU);
    hwloc_obj_t prev_core = NULL;

    t->allowed = hwloc_bitmap_alloc();
    t->pus = calloc(n > 0 ? (size_t)n : 1, sizeof *t->pus);
    if (!t->allowed || !t->pus)
        return CB_FAIL(e, CB_ENOMEM, "out of memory for %d PUs", n);
    for (int i = 0; i < n; i++) {
        hwloc_obj_t pu =
            hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_PU, (unsigned)i);
        hwloc_obj_t core;
        struct cb_pu *p;
        if (!pu || pu->os_index == HWLOC_UNKNOWN_INDEX ||
            pu->os_index > INT_MAX ||
            !hwloc_bitmap_isset(allowed, pu->os_index))
            continue;
        /* The default load already drops disallowed PUs; the check above
         * keeps XML files that carry their own allowed set honest. */
        core = hwloc_get_ancestor_obj_by_type(t->topo, HWLOC_OBJ_CORE, pu);
        if (!core)
            core = pu;
        p = &t->pus[t->npus++];
        p->os = (int)pu->os_index;
        /* PUs of a core are contiguous in logical order, so a new core
         * starts exactly where the ancestor changes. */
        if (core != prev_core) {
            t->ncores++;
            p->rank = 0;
        } else {
            p->rank = p[-1].rank + 1;
        }
        p->core = t->ncores - 1;
        if (p->rank + 1 > t->smt)
            t->smt = p->rank + 1;
        prev_core = core;
        hwloc_bitmap_set(t->allowed, pu->os_index);
    }
    if (t->npus == 0)
        return CB_FAIL(e, CB_ESYS, "topology has no allowed PU");
    return 0;
}

int cb_topo_load(struct cb_topo **tp, const char *synthetic, const char *xml,
                 struct cb_error *e)
{
    struct cb_topo *t;
    const char *origin;
    int rc;

    *tp = NULL;
    if (synthetic && xml)
        return CB_FAIL(e, CB_EUSAGE,
                       "--synthetic and --xml exclude each other: give one");
    t = calloc(1, sizeof *t);
    if (!t)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    if (hwloc_topology_init(&t->topo) < 0) {
        free(t);
        return CB_FAIL(e, CB_ESYS, "hwloc_topology_init: %s", strerror(errno));
    }
    if (synthetic) {
        if (!*synthetic || hwloc_topology_set_synthetic(t->topo, synthetic) < 0)
            goto bad_synthetic;
        if (synthetic_pu_estimate(synthetic) > SYNTHETIC_MAX_PUS) {
            rc = CB_FAIL(e, CB_EUSAGE,
                         "--synthetic '%s': describes more than %d PUs",
                         synthetic, SYNTHETIC_MAX_PUS);
            goto fail;
        }
    } else if (xml) {
        if (access(xml, R_OK) != 0) {
            rc = CB_FAIL(e, CB_EUSAGE,
                         "--xml '%s': cannot read it: %s (accepted: an hwloc "
                         "XML file, e.g. from `lstopo machine.xml`)",
                         xml, strerror(errno));
            goto fail;
        }
        if (hwloc_topology_set_xml(t->topo, xml) < 0)
            goto bad_xml;
    } else {
        /* This machine: plan only on PUs we may bind to, so `taskset -c`
         * and cgroup cpusets both shrink the plans. */
        hwloc_topology_set_flags(t->topo,
                                 HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING);
    }
    if (hwloc_topology_load(t->topo) < 0) {
        if (synthetic)
            goto bad_synthetic;
        if (xml)
            goto bad_xml;
        rc = CB_FAIL(e, CB_ESYS,
                     "hwloc could not load this machine's "
                     "topology: %s",
                     strerror(errno));
        goto fail;
    }
    /* HWLOC_XMLFILE or HWLOC_SYNTHETIC in the environment also replace this
     * machine: binding is only allowed when hwloc says it is this system. */
    t->this_machine =
        !synthetic && !xml && hwloc_topology_is_thissystem(t->topo);
    if (synthetic)
        origin = synthetic;
    else if (xml)
        origin = xml;
    else if (t->this_machine)
        origin = "this machine";
    else
        origin = "from HWLOC_XMLFILE/HWLOC_SYNTHETIC";
    {
        const char *kind = synthetic ? "synthetic \"" : xml ? "xml \"" : "";
        const char *close = synthetic || xml ? "\"" : "";
        size_t len = strlen(kind) + strlen(origin) + strlen(close) + 1;
        t->origin = malloc(len);
        if (!t->origin) {
            rc = CB_FAIL(e, CB_ENOMEM, "out of memory");
            goto fail;
        }
        snprintf(t->origin, len, "%s%s%s", kind, origin, close);
    }
    if ((rc = build_pu_table(t, e)) < 0) {
        if ((synthetic || xml) && rc == CB_ESYS) {
            /* e.g. an XML file whose PUs are all disallowed: the file is
             * what is wrong, so it is a usage error naming it */
            char why[sizeof e->msg];
            snprintf(why, sizeof why, "%s", e ? e->msg : "no usable PU");
            rc = CB_FAIL(e, CB_EUSAGE, "%s '%s': %s",
                         synthetic ? "--synthetic" : "--xml", origin, why);
        }
        goto fail;
    }
    *tp = t;
    return 0;

bad_synthetic:
    rc = CB_FAIL(e, CB_EUSAGE,
                 "--synthetic '%s': not a valid hwloc synthetic description "
                 "(example: " SYNTHETIC_EXAMPLE ")",
                 synthetic);
    goto fail;
bad_xml:
    rc = CB_FAIL(e, CB_EUSAGE,
                 "--xml '%s': not a valid hwloc XML topology (accepted: a file "
                 "from `lstopo machine.xml` or hwloc_topology_export_xml)",
                 xml);
fail:
    cb_topo_destroy(t);
    return rc;
}

void cb_topo_destroy(struct cb_topo *t)
{
    if (!t)
        return;
    if (t->topo)
        hwloc_topology_destroy(t->topo);
    hwloc_bitmap_free(t->allowed);
    free(t->pus);
    free(t->origin);
    free(t);
}

int cb_topo_is_this_machine(const struct cb_topo *t)
{
    return t && t->this_machine;
}

/* ---- info --------------------------------------------------------------- */

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Fallback for topologies hwloc cannot export as synthetic (asymmetric
 * ones): hashes type, depth and OS index of every normal object in
 * depth-first order, which is just as stable. */
static uint64_t fnv1a_tree(uint64_t h, hwloc_obj_t o)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%d/%d/%u/%llu;", (int)o->type, o->depth,
             o->os_index,
             hwloc_obj_type_is_cache(o->type)
                 ? (unsigned long long)o->attr->cache.size
                 : 0ULL);
    h = fnv1a(h, buf);
    for (hwloc_obj_t c = o->first_child; c; c = c->next_sibling)
        h = fnv1a_tree(h, c);
    for (hwloc_obj_t c = o->memory_first_child; c; c = c->next_sibling)
        h = fnv1a_tree(h, c);
    return h;
}

static unsigned long long cache_size(hwloc_topology_t topo,
                                     hwloc_obj_type_t type)
{
    hwloc_obj_t o = hwloc_get_obj_by_type(topo, type, 0);
    return o && o->attr ? (unsigned long long)o->attr->cache.size : 0;
}

static int count_allowed(const struct cb_topo *t, hwloc_obj_type_t type)
{
    int n = 0, nb = hwloc_get_nbobjs_by_type(t->topo, type);
    for (int i = 0; i < nb; i++) {
        hwloc_obj_t o = hwloc_get_obj_by_type(t->topo, type, (unsigned)i);
        if (o && o->cpuset && hwloc_bitmap_intersects(o->cpuset, t->allowed))
            n++;
    }
    return n;
}

/* Writes the allowed list into buf, ending in "..." if it does not fit. */
static void allowed_list(const struct cb_topo *t, char *buf, size_t len)
{
    int n = hwloc_bitmap_list_snprintf(buf, len, t->allowed);
    if (n >= (int)len && len > 4)
        strcpy(buf + len - 4, "...");
}

int cb_topo_info(const struct cb_topo *t, struct cb_topo_info *info)
{
    /* export_synthetic returns the length it wanted, like snprintf */
    char buf[4096];
    const unsigned long structure =
        HWLOC_TOPOLOGY_EXPORT_SYNTHETIC_FLAG_NO_ATTRS;
    const unsigned long no_memory =
        HWLOC_TOPOLOGY_EXPORT_SYNTHETIC_FLAG_IGNORE_MEMORY;
    uint64_t h = 0xcbf29ce484222325ULL;
    hwloc_obj_t root;
    const char *model = NULL;
    int n;

    memset(info, 0, sizeof *info);
    if (!t)
        return CB_EUSAGE;
    root = hwloc_get_root_obj(t->topo);
    info->packages = count_allowed(t, HWLOC_OBJ_PACKAGE);
    info->numa_nodes = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_NUMANODE);
    info->cores = t->ncores;
    info->pus = t->npus;
    info->pus_per_core = t->smt;

    /* Shown: the full export if it fits, else the bare structure. */
    n = hwloc_topology_export_synthetic(t->topo, buf, sizeof buf, 0);
    if (n < 0 || n >= (int)sizeof info->synthetic)
        n = hwloc_topology_export_synthetic(t->topo, buf, sizeof buf,
                                            structure);
    if (n >= 0 && n < (int)sizeof info->synthetic)
        memcpy(info->synthetic, buf, (size_t)n + 1);

    /* Fingerprint: the export without memory sizes (which can move by a few
     * KB between kernels) but with cache sizes and PU numbering, plus the
     * bare structure (where NUMA nodes hang), plus the PU OS indices in
     * logical order. Two loads of the same machine hash the same. */
    n = hwloc_topology_export_synthetic(t->topo, buf, sizeof buf, no_memory);
    if (n >= 0 && n < (int)sizeof buf)
        h = fnv1a(h, buf);
    else
        h = fnv1a_tree(h, root);
    h = fnv1a(h, "|");
    n = hwloc_topology_export_synthetic(t->topo, buf, sizeof buf, structure);
    if (n >= 0 && n < (int)sizeof buf)
        h = fnv1a(h, buf);
    h = fnv1a(h, "|");
    for (int i = 0; i < t->npus; i++) {
        snprintf(buf, sizeof buf, "%d,", t->pus[i].os);
        h = fnv1a(h, buf);
    }
    snprintf(info->fingerprint, sizeof info->fingerprint, "%016llx",
             (unsigned long long)h);

    /* x86 puts CPUModel on packages, some other platforms on the root */
    for (int i = 0;
         !model && i < hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PACKAGE);
         i++)
        model = hwloc_obj_get_info_by_name(
            hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_PACKAGE, (unsigned)i),
            "CPUModel");
    if (!model)
        model = hwloc_obj_get_info_by_name(root, "CPUModel");
    if (model)
        snprintf(info->cpu_model, sizeof info->cpu_model, "%s", model);

    info->l1d = cache_size(t->topo, HWLOC_OBJ_L1CACHE);
    info->l2 = cache_size(t->topo, HWLOC_OBJ_L2CACHE);
    info->l3 = cache_size(t->topo, HWLOC_OBJ_L3CACHE);
    allowed_list(t, info->allowed, sizeof info->allowed);
    return 0;
}

/* ---- pin policies -------------------------------------------------------- */

const char *cb_pin_policy_name(enum cb_pin_policy p)
{
    switch (p) {
    case CB_PIN_NONE:
        return "none";
    case CB_PIN_COMPACT:
        return "compact";
    case CB_PIN_CORES:
        return "cores";
    case CB_PIN_SCATTER:
        return "scatter";
    case CB_PIN_LIST:
        return "pus";
    }
    return "?";
}

/* Reads a PU index made of digits only into *v; 0 if it is not one. */
static int parse_index(const char *s, size_t len, int *v)
{
    long x = 0;
    if (len == 0 || len > 9)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        x = x * 10 + (s[i] - '0');
    }
    if (x > PU_INDEX_MAX)
        return 0;
    *v = (int)x;
    return 1;
}

static int parse_list(const char *s, const char *list, struct cb_pin_spec *spec,
                      struct cb_error *e)
{
    const char *p = list;
    spec->nlist = 0;
    if (!*list)
        return CB_FAIL(e, CB_EUSAGE,
                       "--pin '%s': empty PU list (accepted: "
                       "pus:LIST of OS indices and ranges a-b, e.g. "
                       "pus:0,2,4-7)",
                       s);
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *dash = memchr(p, '-', len);
        int a, b;
        int ok =
            dash ? parse_index(p, (size_t)(dash - p), &a) &&
                       parse_index(dash + 1, len - (size_t)(dash - p) - 1, &b)
                 : parse_index(p, len, &a) && ((b = a), 1);
        if (!ok)
            return CB_FAIL(
                e, CB_EUSAGE,
                "--pin '%s': bad item '%.*s' (accepted: PU OS indices "
                "0..%d and ranges a-b, comma separated, e.g. "
                "pus:0,2,4-7)",
                s, (int)(len > 40 ? 40 : len), p, PU_INDEX_MAX);
        if (a > b)
            return CB_FAIL(e, CB_EUSAGE,
                           "--pin '%s': range '%.*s' is reversed (write %d-%d)",
                           s, (int)len, p, b, a);
        if (b - a + 1 > CB_MAX_WORKERS - spec->nlist)
            return CB_FAIL(e, CB_EUSAGE,
                           "--pin '%s': more than %d PUs at '%.*s'", s,
                           CB_MAX_WORKERS, (int)len, p);
        for (int v = a; v <= b; v++)
            spec->list[spec->nlist++] = v;
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

int cb_pin_parse(const char *s, struct cb_pin_spec *spec, struct cb_error *e)
{
    static const struct {
        const char *name;
        enum cb_pin_policy p;
    } names[] = {
        {"none", CB_PIN_NONE},
        {"compact", CB_PIN_COMPACT},
        {"cores", CB_PIN_CORES},
        {"scatter", CB_PIN_SCATTER},
    };
    struct cb_pin_spec tmp;
    int rc;

    if (!s)
        s = "";
    memset(&tmp, 0, sizeof tmp);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(s, names[i].name) == 0) {
            tmp.policy = names[i].p;
            *spec = tmp;
            return 0;
        }
    }
    if (strncasecmp(s, "pus:", 4) != 0)
        return CB_FAIL(e, CB_EUSAGE,
                       "--pin '%s': unknown policy (" PIN_ACCEPTED ")", s);
    tmp.policy = CB_PIN_LIST;
    if ((rc = parse_list(s, s + 4, &tmp, e)) < 0)
        return rc;
    *spec = tmp;
    return 0;
}

/* ---- plans --------------------------------------------------------------- */

/* Index in t->pus of the PU with OS index os, or -1. */
static int pu_slot(const struct cb_topo *t, int os)
{
    for (int i = 0; i < t->npus; i++)
        if (t->pus[i].os == os)
            return i;
    return -1;
}

/* Fills base[0..m) with m distinct PUs spread by hwloc_distrib, m <= npus.
 * Each worker takes the first PU of its cpuset (hwloc_bitmap_singlify's
 * choice) that no earlier worker took; distrib never hands out overlapping
 * sets for m <= npus, the extra check only guards odd XML topologies. */
static int plan_scatter(const struct cb_topo *t, int m, int *base,
                        struct cb_error *e)
{
    hwloc_obj_t root = hwloc_get_root_obj(t->topo);
    hwloc_bitmap_t *sets = calloc((size_t)m, sizeof *sets);
    hwloc_bitmap_t used = hwloc_bitmap_alloc();
    int rc = 0;

    if (!sets || !used) {
        rc = CB_FAIL(e, CB_ENOMEM, "out of memory");
        goto out;
    }
    if (hwloc_distrib(t->topo, &root, 1, sets, (unsigned)m, INT_MAX, 0) < 0) {
        rc = CB_FAIL(e, CB_ESYS, "hwloc_distrib: %s", strerror(errno));
        goto out;
    }
    for (int i = 0; i < m; i++) {
        int pick = -1;
        if (!sets[i]) { /* hwloc_bitmap_dup failed inside distrib */
            rc = CB_FAIL(e, CB_ENOMEM, "out of memory");
            goto out;
        }
        hwloc_bitmap_and(sets[i], sets[i], t->allowed);
        hwloc_bitmap_andnot(sets[i], sets[i], used);
        pick = hwloc_bitmap_first(sets[i]);
        for (int j = 0; pick < 0 && j < t->npus; j++)
            if (!hwloc_bitmap_isset(used, (unsigned)t->pus[j].os))
                pick = t->pus[j].os;
        if (pick < 0) { /* cannot happen for m <= npus */
            rc = CB_FAIL(e, CB_ESYS, "scatter: ran out of PUs");
            goto out;
        }
        hwloc_bitmap_set(used, (unsigned)pick);
        base[i] = pick;
    }
out:
    for (int i = 0; sets && i < m; i++)
        hwloc_bitmap_free(sets[i]);
    free(sets);
    hwloc_bitmap_free(used);
    return rc;
}

int cb_topo_plan(const struct cb_topo *t, const struct cb_pin_spec *spec,
                 int workers, int *pus, struct cb_error *e)
{
    int *base = NULL;
    int m, rc = 0;

    if (!t || !spec || !pus)
        return CB_FAIL(e, CB_EUSAGE, "cb_topo_plan: NULL argument");
    if (workers < 1 || workers > CB_MAX_WORKERS)
        return CB_FAIL(e, CB_EUSAGE,
                       "workers: %d is out of range "
                       "(accepted: 1..%d)",
                       workers, CB_MAX_WORKERS);

    switch (spec->policy) {
    case CB_PIN_NONE:
        for (int i = 0; i < workers; i++)
            pus[i] = -1;
        return 0;
    case CB_PIN_LIST:
        if (spec->nlist < 1 || spec->nlist > CB_MAX_WORKERS)
            return CB_FAIL(e, CB_EUSAGE, "--pin pus: empty PU list");
        for (int i = 0; i < spec->nlist; i++) {
            int os = spec->list[i];
            if (os < 0 || !hwloc_bitmap_isset(t->allowed, (unsigned)os)) {
                char allowed[256];
                allowed_list(t, allowed, sizeof allowed);
                return CB_FAIL(e, CB_EUSAGE,
                               "--pin pus: PU %d is not in the "
                               "allowed set of this topology (allowed: %s)",
                               os, allowed);
            }
        }
        for (int i = 0; i < workers; i++)
            pus[i] = spec->list[i % spec->nlist];
        return 0;
    case CB_PIN_COMPACT:
    case CB_PIN_CORES:
    case CB_PIN_SCATTER:
        break;
    default:
        return CB_FAIL(e, CB_EUSAGE, "unknown pin policy %d",
                       (int)spec->policy);
    }

    /* base = the first m PUs of the policy's order, all distinct; more
     * workers than PUs wrap around it. */
    m = workers < t->npus ? workers : t->npus;
    base = calloc((size_t)m, sizeof *base);
    if (!base)
        return CB_FAIL(e, CB_ENOMEM, "out of memory");
    if (spec->policy == CB_PIN_COMPACT) {
        for (int i = 0; i < m; i++)
            base[i] = t->pus[i].os;
    } else if (spec->policy == CB_PIN_CORES) {
        /* rank 0 of every core in core order, then rank 1, ...; PUs of
         * equal rank appear in core order in the logical PU list */
        int k = 0;
        for (int r = 0; k < m && r < t->smt; r++)
            for (int i = 0; k < m && i < t->npus; i++)
                if (t->pus[i].rank == r)
                    base[k++] = t->pus[i].os;
    } else {
        rc = plan_scatter(t, m, base, e);
    }
    if (rc == 0)
        for (int i = 0; i < workers; i++)
            pus[i] = base[i % m];
    free(base);
    return rc;
}

int cb_topo_plan_shared_cores(const struct cb_topo *t, const int *pus,
                              int workers)
{
    /* key: core index, or -2 - os for a PU this topology does not know
     * (then only the same PU counts as shared), or -1 for unpinned */
    int *key, shared = 0;
    if (!t || !pus || workers < 2)
        return 0;
    key = malloc((size_t)workers * sizeof *key);
    if (!key)
        return 0;
    for (int i = 0; i < workers; i++) {
        int slot = pus[i] < 0 ? -1 : pu_slot(t, pus[i]);
        key[i] = pus[i] < 0 ? -1 : slot >= 0 ? t->pus[slot].core : -2 - pus[i];
    }
    for (int i = 0; i < workers; i++) {
        if (key[i] == -1)
            continue;
        for (int j = 0; j < workers; j++) {
            if (j != i && key[j] == key[i]) {
                shared++;
                break;
            }
        }
    }
    free(key);
    return shared;
}

/* ---- printing ------------------------------------------------------------ */

/* "48KiB", "1280KiB", "32MiB", "15.6GiB" */
static void fmt_size(char *buf, size_t len, unsigned long long b)
{
    if (b >= (1ULL << 30))
        snprintf(buf, len, "%.1fGiB", (double)b / (1ULL << 30));
    else if (b >= (1ULL << 20) && b % (1ULL << 20) == 0)
        snprintf(buf, len, "%lluMiB", b >> 20);
    else if (b >= 1024)
        snprintf(buf, len, "%lluKiB", (b + 512) >> 10);
    else
        snprintf(buf, len, "%lluB", b);
}

static void print_label(FILE *f, hwloc_obj_t o)
{
    char type[64], size[32];
    hwloc_obj_type_snprintf(type, sizeof type, o, 0);
    fprintf(f, "%s L#%u", type, o->logical_index);
    if (o->type == HWLOC_OBJ_PU) {
        fprintf(f, " (P#%u)", o->os_index);
    } else if (o->type == HWLOC_OBJ_NUMANODE) {
        fmt_size(size, sizeof size,
                 (unsigned long long)o->attr->numanode.local_memory);
        fprintf(f, " (P#%u %s)", o->os_index, size);
    } else if (hwloc_obj_type_is_cache(o->type) && o->attr->cache.size) {
        fmt_size(size, sizeof size, (unsigned long long)o->attr->cache.size);
        fprintf(f, " (%s)", size);
    }
}

/* One line per object, lstopo style: an object with a single child and no
 * memory shares its line with it ("L2 L#0 (1MiB) + L1d L#0 (48KiB) + Core
 * L#0: ..."), and a core lists its PUs on its own line, so 2 packages x 8
 * cores x 2 PUs print in about 20 lines. */
static void print_obj(FILE *f, hwloc_topology_t topo, hwloc_obj_t o, int indent)
{
    fprintf(f, "%*s", indent, "");
    for (;;) {
        print_label(f, o);
        if (o->type == HWLOC_OBJ_CORE) {
            const char *sep = ":";
            hwloc_obj_t pu = NULL;
            while ((pu = hwloc_get_next_obj_inside_cpuset_by_type(
                        topo, o->cpuset, HWLOC_OBJ_PU, pu))) {
                fprintf(f, "%s PU L#%u (P#%u)", sep, pu->logical_index,
                        pu->os_index);
                sep = ",";
            }
            fputc('\n', f);
            return;
        }
        if (o->arity == 1 && !o->memory_first_child) {
            fputs(" + ", f);
            o = o->first_child;
            continue;
        }
        break;
    }
    fputc('\n', f);
    for (hwloc_obj_t c = o->memory_first_child; c; c = c->next_sibling)
        print_obj(f, topo, c, indent + 2);
    for (hwloc_obj_t c = o->first_child; c; c = c->next_sibling)
        print_obj(f, topo, c, indent + 2);
}

static void print_summary(const struct cb_topo *t,
                          const struct cb_topo_info *in, FILE *f)
{
    fprintf(f,
            "topology (%s): %d package%s, %d core%s, %d PU%s (SMT %d), "
            "%d NUMA node%s; allowed PUs %s; fingerprint %s",
            t->origin, in->packages, in->packages == 1 ? "" : "s", in->cores,
            in->cores == 1 ? "" : "s", in->pus, in->pus == 1 ? "" : "s",
            in->pus_per_core, in->numa_nodes, in->numa_nodes == 1 ? "" : "s",
            in->allowed, in->fingerprint);
    if (in->cpu_model[0])
        fprintf(f, "; CPU \"%s\"", in->cpu_model);
    fputc('\n', f);
}

void cb_topo_print(const struct cb_topo *t, FILE *f)
{
    struct cb_topo_info info;
    hwloc_obj_t root;
    if (!t || !f)
        return;
    cb_topo_info(t, &info);
    print_summary(t, &info, f);
    root = hwloc_get_root_obj(t->topo);
    for (hwloc_obj_t c = root->memory_first_child; c; c = c->next_sibling)
        print_obj(f, t->topo, c, 2);
    for (hwloc_obj_t c = root->first_child; c; c = c->next_sibling)
        print_obj(f, t->topo, c, 2);
}

/* ---- corebench topo ------------------------------------------------------ */

static void topo_usage(FILE *f)
{
    fprintf(
        f,
        "usage: corebench topo [--synthetic S | --xml FILE] [--workers N] "
        "[--pin POLICY]\n"
        "\n"
        "Shows the topology corebench sees (hwloc) and where each placement\n"
        "policy would put N workers: PU OS indices, worker 0 first.\n"
        "\n"
        "  --synthetic S  plan for an hwloc synthetic topology instead of\n"
        "                 this machine, e.g. " SYNTHETIC_EXAMPLE "\n"
        "  --xml FILE     plan for a topology saved with `lstopo FILE.xml`\n"
        "  --workers N    workers to plan for (default: number of PUs; "
        "1..%d)\n"
        "  --pin POLICY   none, compact, cores, scatter or pus:LIST (e.g.\n"
        "                 pus:0,2,4-7); all policies are shown, a pus: list\n"
        "                 is checked and shown too\n"
        "  -h, --help     show this help\n"
        "\n"
        "Policies: compact fills SMT siblings first (hwloc order); cores "
        "takes one\n"
        "PU per core first; scatter spreads over packages and caches "
        "(hwloc_distrib).\n"
        "\"shared\" marks plans where workers share a core. With --synthetic "
        "or --xml\n"
        "nothing is bound: the plans are for another machine.\n",
        CB_MAX_WORKERS);
}

/* "0-3,8,4,12": runs of 3 or more consecutive ascending indices collapse */
static void print_plan_list(FILE *f, const int *pus, int n)
{
    for (int i = 0; i < n;) {
        int j = i;
        while (j + 1 < n && pus[j + 1] == pus[j] + 1)
            j++;
        if (i)
            fputc(',', f);
        if (j - i >= 2) {
            fprintf(f, "%d-%d", pus[i], pus[j]);
            i = j + 1;
        } else {
            fprintf(f, "%d", pus[i]);
            i++;
        }
    }
}

static int topo_fail(int rc, const struct cb_error *e)
{
    fprintf(stderr, "corebench topo: %s\n", e->msg);
    return rc == CB_EUSAGE ? 2 : 1;
}

int cb_cmd_topo(int argc, char **argv)
{
    static const struct option opts[] = {
        {"synthetic", required_argument, NULL, 's'},
        {"xml", required_argument, NULL, 'x'},
        {"workers", required_argument, NULL, 'w'},
        {"pin", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const enum cb_pin_policy shown[] = {CB_PIN_NONE, CB_PIN_COMPACT,
                                               CB_PIN_CORES, CB_PIN_SCATTER};
    const char *synthetic = NULL, *xml = NULL, *workers_s = NULL, *pin_s = NULL;
    struct cb_error err = {0};
    struct cb_pin_spec pin = {.policy = CB_PIN_NONE};
    struct cb_topo *t = NULL;
    int *plan = NULL, workers, rc, c, status = 0;

    /* Full getopt reset: the caller may have parsed its own options. '+'
     * stops at the first operand instead of permuting argv, ':' reports a
     * missing value apart from an unknown option. */
#ifdef __GLIBC__
    optind = 0;
#else
    optind = 1;
#endif
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            synthetic = optarg;
            break;
        case 'x':
            xml = optarg;
            break;
        case 'w':
            workers_s = optarg;
            break;
        case 'p':
            pin_s = optarg;
            break;
        case 'h':
            topo_usage(stdout);
            return 0;
        case ':':
            fprintf(stderr,
                    "corebench topo: option '%s' needs a value (see "
                    "corebench topo --help)\n",
                    argv[optind - 1]);
            return 2;
        default:
            if (optopt)
                fprintf(stderr,
                        "corebench topo: unknown option '-%c' (see "
                        "corebench topo --help)\n",
                        optopt);
            else
                fprintf(stderr,
                        "corebench topo: unknown option '%s' (see "
                        "corebench topo --help)\n",
                        argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr,
                "corebench topo: unexpected argument '%s' (see "
                "corebench topo --help)\n",
                argv[optind]);
        return 2;
    }
    if (synthetic && xml) {
        fprintf(stderr, "corebench topo: --synthetic and --xml exclude each "
                        "other: give one\n");
        return 2;
    }
    if (pin_s && (rc = cb_pin_parse(pin_s, &pin, &err)) < 0)
        return topo_fail(rc, &err);
    if (workers_s) {
        uint64_t w;
        if ((rc = cb_parse_u64(workers_s, 1, CB_MAX_WORKERS, "--workers", &w,
                               &err)) < 0)
            return topo_fail(rc, &err);
        workers = (int)w;
    } else {
        workers = 0; /* number of PUs, known once loaded */
    }
    if ((rc = cb_topo_load(&t, synthetic, xml, &err)) < 0)
        return topo_fail(rc, &err);
    if (!workers)
        workers = t->npus < CB_MAX_WORKERS ? t->npus : CB_MAX_WORKERS;
    plan = malloc((size_t)workers * sizeof *plan);
    if (!plan) {
        fprintf(stderr, "corebench topo: out of memory\n");
        status = 1;
        goto out;
    }
    /* Check the --pin list before printing anything, so bad input yields
     * only the error line. */
    if (pin.policy == CB_PIN_LIST &&
        (rc = cb_topo_plan(t, &pin, workers, plan, &err)) < 0) {
        status = topo_fail(rc, &err);
        goto out;
    }

    cb_topo_print(t, stdout);
    if (t->this_machine)
        printf("binding: on (this machine: workers pin themselves with "
               "sched_setaffinity)\n");
    else
        printf("binding: off (planning for another machine: nothing is "
               "bound)\n");
    printf("plans for %d worker%s (PU OS indices, worker 0 first):\n", workers,
           workers == 1 ? "" : "s");
    if (workers > t->npus)
        printf("  note: %d workers on %d PUs: plans wrap around "
               "(oversubscribed)\n",
               workers, t->npus);
    for (size_t i = 0; i <= sizeof shown / sizeof shown[0]; i++) {
        struct cb_pin_spec s = {.policy = CB_PIN_NONE};
        int shared;
        if (i < sizeof shown / sizeof shown[0])
            s.policy = shown[i];
        else if (pin.policy == CB_PIN_LIST)
            s = pin;
        else
            break;
        if ((rc = cb_topo_plan(t, &s, workers, plan, &err)) < 0) {
            status = topo_fail(rc, &err);
            goto out;
        }
        printf("  %-8s ", cb_pin_policy_name(s.policy));
        if (s.policy == CB_PIN_NONE) {
            printf("unpinned (the OS places workers)");
        } else {
            print_plan_list(stdout, plan, workers);
            shared = cb_topo_plan_shared_cores(t, plan, workers);
            if (shared)
                printf("  shared: %d of %d workers share a core", shared,
                       workers);
        }
        if (pin_s && s.policy == pin.policy)
            printf("  <- --pin");
        putchar('\n');
    }
out:
    free(plan);
    cb_topo_destroy(t);
    return status;
}
