/* `corebench topo`: the topology and the plans, printed (topo.h). */
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
#include "commands.h"
#include "text.h"

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

/* what topo echoes (--synthetic, --xml, an option) through the one text
 * policy (text.h): no escape sequence reaches the terminal */
static const char *clean(const char *s, char *buf, size_t len)
{
    cb_text_clean(s, buf, len, 200);
    return buf;
}

static int topo_fail(int rc, const struct cb_error *e)
{
    char line[sizeof e->msg * 4 + 8];
    fprintf(stderr, "corebench topo: %s\n",
            clean(e->msg, line, sizeof line));
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
    char cl[900];
    struct cb_error err = {0};
    struct cb_pin_spec pin = {.policy = CB_PIN_NONE};
    struct cb_topo *t = NULL;
    int *plan = NULL, workers, rc, c, status = 0;

    /* Full getopt reset (optind 0, glibc and musl alike): the caller may
     * have parsed its own options. '+' stops at the first operand instead
     * of permuting argv, ':' reports a missing value apart from an unknown
     * option. */
    optind = 0;
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
                    clean(argv[optind - 1], cl, sizeof cl));
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
                        clean(argv[optind - 1], cl, sizeof cl));
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr,
                "corebench topo: unexpected argument '%s' (see "
                "corebench topo --help)\n",
                clean(argv[optind], cl, sizeof cl));
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

