/* The worker counts a topology suggests (topo.h, cb_topo_counts): 1, the
 * counts that fill one core, one L3 domain, one NUMA node, one package,
 * all cores and all PUs, with powers of two between boundaries that lie
 * more than a factor of two apart. */
#include <stdio.h>
#include <string.h>

#include "topo_impl.h"

/* Allowed PUs in the first object of `type` that holds any: what filling
 * one such domain takes. 0 when the topology has no such object. */
static int first_domain_pus(const struct cb_topo *t, hwloc_obj_type_t type)
{
    int nb = hwloc_get_nbobjs_by_type(t->topo, type);
    for (int i = 0; i < nb; i++) {
        hwloc_obj_t o = hwloc_get_obj_by_type(t->topo, type, (unsigned)i);
        hwloc_bitmap_t b;
        int n;
        if (!o || !o->cpuset || !(b = hwloc_bitmap_alloc()))
            continue;
        hwloc_bitmap_and(b, o->cpuset, t->allowed);
        n = hwloc_bitmap_weight(b);
        hwloc_bitmap_free(b);
        /* a domain as wide as the machine is no boundary of its own */
        if (n > 0)
            return n < t->npus ? n : 0;
    }
    return 0;
}

/* Adds count w with boundary label `what` to the sorted list, joining the
 * labels of boundaries that fall on the same count ("1 socket, all
 * cores"). */
static void add(struct cb_topo_count *c, int *n, int max, int w,
                const char *what)
{
    int i = 0;
    if (w < 1)
        return;
    while (i < *n && c[i].workers < w)
        i++;
    if (i < *n && c[i].workers == w) {
        size_t len = strlen(c[i].boundary);
        if (what[0] && !strstr(c[i].boundary, what))
            snprintf(c[i].boundary + len, sizeof c[i].boundary - len,
                     "%s%s", len ? ", " : "", what);
        return;
    }
    if (*n >= max)
        return;
    memmove(&c[i + 1], &c[i], sizeof *c * (size_t)(*n - i));
    c[i].workers = w;
    snprintf(c[i].boundary, sizeof c[i].boundary, "%s", what);
    (*n)++;
}

int cb_topo_counts(const struct cb_topo *t, struct cb_topo_count *c, int max)
{
    int n = 0, nb;
    struct cb_topo_count b[8];
    if (!t || max < 1)
        return 0;
    add(b, &n, 8, 1, "");
    add(b, &n, 8, t->smt > 1 ? t->smt : 0, "1 core");
    add(b, &n, 8, first_domain_pus(t, HWLOC_OBJ_L3CACHE), "1 L3");
    if (hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_NUMANODE) > 1)
        add(b, &n, 8, first_domain_pus(t, HWLOC_OBJ_NUMANODE), "1 NUMA node");
    if (hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PACKAGE) > 1)
        add(b, &n, 8, first_domain_pus(t, HWLOC_OBJ_PACKAGE), "1 socket");
    add(b, &n, 8, t->ncores, "all cores");
    add(b, &n, 8, t->npus, "all PUs");
    nb = n;
    n = 0;
    for (int i = 0; i < nb; i++) {
        if (i > 0) /* powers of two where the gap is wider than 2x */
            for (int p = 2; p < b[i].workers; p *= 2)
                if (p > b[i - 1].workers && b[i].workers > 2 * b[i - 1].workers)
                    add(c, &n, max, p, "");
        add(c, &n, max, b[i].workers, b[i].boundary);
    }
    return n;
}
