/* Fuzz target: kernel parameters and the small parsers behind options.
 *
 * The input is lines:
 *   k=NAME      prepare only this kernel (default: every kernel)
 *   s=SIZE      the size preset (default tiny)
 *   u64=TEXT    cb_parse_u64 over a few ranges
 *   dbl=TEXT    cb_parse_double
 *   pin=SPEC    cb_pin_parse, then a plan for w workers when a topology
 *               is loaded
 *   w=N         workers for that plan (1..64, default 4)
 *   topo=SYNTH  cb_topo_load of a synthetic hwloc description
 *   anything else goes to cb_params_add as KEY=VALUE.
 * Then every selected kernel's prepare() runs with the memory budget
 * capped at 1 MiB (cb_workload_memory_cap), so any size is cheap to try
 * and the limits are exercised; a prepared workload is checked for sane
 * sizes and its verify() must reject poisoned (0xa5) and zeroed outputs
 * without crashing, then it is released. Must hold for any input: no
 * crash, no sanitizer report, every failure a negative status with a
 * message. */
#include <string.h>

#include "topo.h"
#include "kernels/kernel.h"

#include "fuzz.h"

#define MAX_LINES 48

static void check_fail(int rc, const struct cb_error *e)
{
    FUZZ_ASSERT(rc < 0 && e->code == rc && e->msg[0] &&
                !strchr(e->msg, '\n'));
}

static void try_kernel(const struct cb_kernel *k, const struct cb_params *p)
{
    struct cb_workload w;
    struct cb_error e = {0};
    int rc = k->prepare(&w, p, &e);
    if (rc != 0) {
        check_fail(rc, &e);
        return;
    }
    FUZZ_ASSERT(w.kernel == k && w.n >= 1 && w.in && w.in_size > 0 &&
                w.out_size > 0);
    FUZZ_ASSERT((unsigned __int128)w.n * (w.in_size + w.out_size) <=
                (unsigned __int128)cb_workload_memory_cap * 2);
    {
        char *outs = malloc(w.n * w.out_size);
        FUZZ_ASSERT(outs);
        memset(outs, 0xa5, w.n * w.out_size);
        rc = k->verify(&w, outs, &e);
        FUZZ_ASSERT(rc == CB_EVERIFY && e.msg[0]);
        memset(outs, 0, w.n * w.out_size);
        rc = k->verify(&w, outs, &e);
        FUZZ_ASSERT(rc == 0 || (rc == CB_EVERIFY && e.msg[0]));
        free(outs);
    }
    k->release(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line[MAX_LINES], *buf, size_name[64] = "tiny";
    const char *only = NULL;
    struct cb_params p;
    struct cb_topo *topo = NULL;
    struct cb_pin_spec *pin = NULL;
    int n, workers = 4;

    if (size > 8192)
        return 0;
    cb_workload_memory_cap = 1u << 20;
    memset(&p, 0, sizeof p);
    p.seed = 42;
    n = fuzz_tokens(data, size, line, MAX_LINES, &buf);
    for (int i = 0; i < n; i++) {
        struct cb_error e = {0};
        const char *v = line[i];
        int rc;
        if (strncmp(v, "k=", 2) == 0) {
            only = v + 2;
        } else if (strncmp(v, "s=", 2) == 0) {
            snprintf(size_name, sizeof size_name, "%s", v + 2);
        } else if (strncmp(v, "u64=", 4) == 0) {
            static const uint64_t lim[][2] = {
                {0, UINT64_MAX}, {1, 1024}, {0, 10}, {1, 1u << 30}};
            for (size_t j = 0; j < sizeof lim / sizeof *lim; j++) {
                uint64_t x = 0;
                rc = cb_parse_u64(v + 4, lim[j][0], lim[j][1], "fuzz", &x, &e);
                if (rc == 0)
                    FUZZ_ASSERT(x >= lim[j][0] && x <= lim[j][1]);
                else
                    check_fail(rc, &e);
            }
        } else if (strncmp(v, "dbl=", 4) == 0) {
            double d = 0;
            rc = cb_parse_double(v + 4, -1e9, 1e9, "fuzz", &d, &e);
            if (rc == 0)
                FUZZ_ASSERT(d >= -1e9 && d <= 1e9);
            else
                check_fail(rc, &e);
        } else if (strncmp(v, "w=", 2) == 0) {
            workers = 1 + (int)(strtoul(v + 2, NULL, 10) % 64);
        } else if (strncmp(v, "topo=", 5) == 0) {
            cb_topo_destroy(topo);
            topo = NULL;
            rc = cb_topo_load(&topo, v + 5, NULL, &e);
            if (rc != 0) {
                check_fail(rc, &e);
                topo = NULL;
            } else {
                /* the size estimate never lets a bigger one through */
                struct cb_topo_info info;
                FUZZ_ASSERT(cb_topo_info(topo, &info) == 0);
                FUZZ_ASSERT(info.pus >= 1 && info.pus <= 4096);
            }
        } else if (strncmp(v, "pin=", 4) == 0) {
            if (!pin)
                pin = malloc(sizeof *pin);
            FUZZ_ASSERT(pin);
            rc = cb_pin_parse(v + 4, pin, &e);
            if (rc != 0) {
                check_fail(rc, &e);
            } else if (topo) {
                int pus[64];
                rc = cb_topo_plan(topo, pin, workers, pus, &e);
                if (rc != 0)
                    check_fail(rc, &e);
                else
                    cb_topo_plan_shared_cores(topo, pus, workers);
            }
        } else {
            rc = cb_params_add(&p, v, &e);
            if (rc != 0)
                check_fail(rc, &e);
        }
    }
    p.size = size_name;
    for (int i = 0; cb_kernels[i]; i++)
        if (!only || strcmp(only, cb_kernels[i]->name) == 0)
            try_kernel(cb_kernels[i], &p);
    cb_topo_destroy(topo);
    free(pin);
    free(buf);
    return 0;
}
