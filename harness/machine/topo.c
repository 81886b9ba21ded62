/* Topology (hwloc) and placement plans: see topo.h for the contract.
 *
 * Everything planned here is a PU OS index, because that is what the
 * workers hand to sched_setaffinity (executors/worker.c). hwloc logical
 * indices only decide the order in which PUs are handed out.
 *
 * A cb_topo is read-only after cb_topo_load, so any number of threads may
 * plan, print or query it at once; cb_topo_destroy must not race them. */
#include <errno.h>
#include <getopt.h>
#include <hwloc.h>
#include <hwloc/export.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "executors/executor.h"
#include "topo_impl.h"

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
void cb__topo_allowed_list(const struct cb_topo *t, char *buf, size_t len)
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
    cb__topo_allowed_list(t, info->allowed, sizeof info->allowed);
    return 0;
}

int cb_topo_host(struct cb_host_topo *h, struct cb_error *e)
{
    struct cb_topo *t = NULL;
    struct cb_topo_info ti;
    int rc = cb_topo_load(&t, NULL, NULL, e);
    memset(h, 0, sizeof *h);
    if (rc != 0)
        return rc;
    cb_topo_info(t, &ti);
    cb_topo_destroy(t);
    h->packages = ti.packages;
    h->numa_nodes = ti.numa_nodes;
    h->cores = ti.cores;
    h->pus = ti.pus;
    h->pus_per_core = ti.pus_per_core;
    _Static_assert(sizeof h->fingerprint == sizeof ti.fingerprint &&
                   sizeof h->allowed == sizeof ti.allowed &&
                   sizeof h->cpu_model == sizeof ti.cpu_model,
                   "cb_host_topo's strings are cb_topo_info's");
    memcpy(h->fingerprint, ti.fingerprint, sizeof h->fingerprint);
    memcpy(h->allowed, ti.allowed, sizeof h->allowed);
    memcpy(h->cpu_model, ti.cpu_model, sizeof h->cpu_model);
    return 0;
}

