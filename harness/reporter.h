/* Reporters: what a sweep shows and writes, behind one small interface
 * (as Google Benchmark's reporters and hyperfine's exporters): the console
 * table and the result file today, exports tomorrow. A reporter is one file
 * and one line in harness/reporters.c; the sweep calls every wanted one at
 * the same points and knows none of them by name. Each hook may be NULL. */
#ifndef CB_REPORTER_H
#define CB_REPORTER_H

#include "run.h"

struct cb_reporter {
    const char *name;
    /* Does this sweep want it (the console: not --quiet)? NULL: always. */
    int (*wanted)(const struct cb_run_opts *o);
    /* Before the first sample; the plan and the context are known. */
    int (*begin)(struct cb_sweep *s, struct cb_error *e);
    /* After each round of kernel k: every configuration of k has one more
     * sample (the result file is rewritten, so an interrupt keeps it). */
    int (*round)(struct cb_sweep *s, int k, struct cb_error *e);
    /* Kernel k is done (its rows can be shown). */
    int (*kernel_done)(struct cb_sweep *s, int k, struct cb_error *e);
    /* The sweep ended; complete is 0 after an interrupt. */
    int (*end)(struct cb_sweep *s, int complete, struct cb_error *e);
};

/* NULL-terminated, harness/reporters.c */
extern const struct cb_reporter *const cb_reporters[];

/* For a reporter that writes a file of its own (the exports): what emit()
 * prints lands at path atomically (cb_results_write_with, replacing only
 * with --force), then "wrote PATH" unless --quiet. */
int cb_reporter_write(struct cb_sweep *s, const char *path,
                      int (*emit)(FILE *f, void *sweep), struct cb_error *e);

#endif
