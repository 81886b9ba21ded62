/* Sizes that fit the sweep's machine, and weak scaling (run.h, cb_fit_*).
 *
 * Strong scaling keeps one workload for every worker count; at the
 * largest count each worker must still get CB_FIT_TASKS_PER_WORKER tasks
 * (a tail of one task on a few workers is what a curve flattening for
 * want of work looks like) and a map of CB_FIT_MAP_S at the kernel's
 * nominal task cost (a map that short is dispatch and the last worker's
 * straggle, not the machine). The default and large sizes grow their task
 * count to that (kernel resize(): tasks as costly as before, so the total
 * work grows); tiny, small and seed are fixed sizes for tests and
 * lessons, and a workload the user set any parameter of (-p n=...,
 * -p elements=...) is kept as given. On the
 * 2-core development VM nothing grows: the default sizes already have
 * 100 to 3800 tasks.
 *
 * Weak scaling gives worker count w the workload of w times the tasks of
 * the size asked (prepared once per count); its baseline runs the size
 * itself, and efficiency = T(1, n) / T(w, w n). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

int cb_fit_tasks_per_worker(const struct cb_kernel *k)
{
    double need = CB_FIT_TASKS_PER_WORKER;
    if (k->task_s > 0 && CB_FIT_MAP_S / k->task_s > need)
        need = ceil(CB_FIT_MAP_S / k->task_s);
    return (int)need;
}

uint64_t cb_fit_strong_tasks(const struct cb_kernel *k, uint64_t n,
                             int max_workers)
{
    uint64_t per = (uint64_t)cb_fit_tasks_per_worker(k), mw, need;
    mw = max_workers > 1 ? (uint64_t)max_workers : 1;
    need = per * mw;
    if (n >= need)
        return n;
    /* a multiple of the largest count: its static chunks are equal */
    return (need + mw - 1) / mw * mw;
}

/* Only a size as corebench chose it grows: any -p the user gave (the
 * task count, or elements, range, ...) names the workload they want, and
 * the lesson's sum-shipped at -p elements=1e7 grew ten-fold when only its
 * task count was checked. */
static int fits_strong(const struct cb_workload *w, const struct cb_params *p)
{
    return (strcmp(w->size, "default") == 0 ||
            strcmp(w->size, "large") == 0) &&
           p->nkv == 0;
}

int cb_fit_prepare(const struct cb_kernel *k, const struct cb_params *p,
                   int max_workers, int weak, struct cb_workload *w,
                   struct cb_error *e)
{
    struct cb_params q = *p;
    uint64_t tasks;
    int rc;
    if ((rc = k->prepare(w, p, e)))
        return rc;
    w->kernel = k;
    if (!k->resize || !k->tasks_param)
        return 0;
    if (weak > 0) {
        if (strcmp(w->size, "seed") == 0) {
            k->release(w);
            return CB_FAIL(e, CB_EUSAGE, "--scaling weak: %s's seed size is "
                           "a fixed workload (accepted: --size tiny, small, "
                           "default or large)", k->name);
        }
        tasks = (uint64_t)w->n * (uint64_t)weak;
    } else if (fits_strong(w, p)) {
        tasks = cb_fit_strong_tasks(k, w->n, max_workers);
    } else {
        return 0;
    }
    if (tasks == w->n)
        return 0;
    rc = k->resize(w, tasks, &q, e);
    k->release(w);
    if (rc)
        return rc;
    if ((rc = k->prepare(w, &q, e)))
        return rc;
    w->kernel = k;
    return 0;
}
