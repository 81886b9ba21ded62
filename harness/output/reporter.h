/* Reporters: what a sweep shows and writes, behind one small interface
 * (as Google Benchmark's reporters and hyperfine's exporters): the console
 * table, the result file and the exports. A reporter is one file and one
 * line in output/reporters.c; the sweep calls every wanted one at the same
 * points and knows none of them by name. Each hook may be NULL.
 *
 * Reporters only read: each hook gets a struct cb_view, the sweep's model
 * settled (derived, the per-worker figures of the sample nearest the
 * estimator copied in) once
 * by the sweep before it tells them, with the facts around it, all const.
 * No reporter derives, settles or changes the model; what a reporter must
 * remember between hooks (the result file exists) lives in its own state,
 * `state_size` zeroed bytes the sweep keeps for it. */
#ifndef CB_REPORTER_H
#define CB_REPORTER_H

#include <stdio.h>

#include <jansson.h>

#include "model.h"
#include "sampling.h"

/* What the sweep was asked for, as the reporters show it. */
struct cb_view_opts {
    const char *out;        /* the result file */
    const char *export_csv; /* NULL: not asked */
    const char *export_md;  /* NULL: not asked */
    const char *pin_text;
    const struct cb_stop_rule *stop;
    int warmup, force, quiet;
};

/* Run i of the model, as the sweep planned it. */
struct cb_view_run {
    int wl;         /* its workload: index into wl_name, wl_kernel */
    int c_baseline; /* the baseline of C (no other runtime) */
};

struct cb_view {
    const struct cb_model *m;      /* settled */
    const struct cb_view_run *run; /* m->nruns entries */
    const char (*wl_name)[96];     /* "gcd", "gcd n=16" when -p sweeps n */
    const char *const *wl_kernel;  /* the kernel's name per workload */
    int nwl;
    const json_t *root;  /* the result document: context, probe, settings */
    const json_t *order; /* run ids in the order sampled */
    const struct cb_view_opts *o;
    const char *cpu_model;
    int pus;
    int interrupted; /* the signal that ended the sweep, or 0 */
};

struct cb_reporter {
    const char *name;
    size_t state_size; /* zeroed bytes for the reporter, per sweep */
    /* Does this sweep want it (the console: not --quiet)? NULL: always. */
    int (*wanted)(const struct cb_view_opts *o);
    /* Before the first sample; the plan and the context are known. */
    int (*begin)(const struct cb_view *v, void *state, struct cb_error *e);
    /* After each round of kernel k: every configuration of k has one more
     * sample (the result file is rewritten, so an interrupt keeps it). */
    int (*round)(const struct cb_view *v, void *state, int k,
                 struct cb_error *e);
    /* Kernel k is done (its rows can be shown). */
    int (*kernel_done)(const struct cb_view *v, void *state, int k,
                       struct cb_error *e);
    /* The sweep ended; complete is 0 after an interrupt or a stop. */
    int (*end)(const struct cb_view *v, void *state, int complete,
               struct cb_error *e);
};

/* NULL-terminated, output/reporters.c */
extern const struct cb_reporter *const cb_reporters[];

/* For a reporter that writes a file of its own (the exports): what emit()
 * prints lands at path atomically (cb_results_write_with, replacing only
 * with --force), then "wrote PATH" unless --quiet. output/reporter_write.c */
int cb_reporter_write(const struct cb_view *v, const char *path,
                      int (*emit)(FILE *f, const struct cb_view *v),
                      struct cb_error *e);

/* The result file (results/SCHEMA.md) of the view: its document with the
 * runs, fits, order and `complete`, written atomically to v->o->out;
 * replace: an earlier file at that path may be replaced (ours, or
 * --force). The JSON reporter's writer, and the one path the watchdog
 * uses when a map cannot be stopped (output/reporter_json.c). */
int cb_result_file_write(const struct cb_view *v, int complete, int replace,
                         struct cb_error *e);

#endif
