/* Pin policies and placement plans: see topo.h. */
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

#include "topo_impl.h"

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
                cb__topo_allowed_list(t, allowed, sizeof allowed);
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

