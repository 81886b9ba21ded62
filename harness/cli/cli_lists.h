/* The list and value parsers of `corebench run`'s command line
 * (cli_lists.c), shared with cli_run.c only. Each item parser has the
 * shape cb__cli_list() calls: it fills slot i of dst and returns how many
 * slots it filled (ranges expand), or a negative status with e filled. */
#ifndef CB_CLI_LISTS_H
#define CB_CLI_LISTS_H

#include "run.h"

typedef int cb__cli_item(const char *opt, const char *item, void *dst, int i,
                         int max, struct cb_error *e);
/* Splits a comma list into at most max items; "1,,2" is an error. */
int cb__cli_list(const char *opt, const char *s, int max, int *n,
                 cb__cli_item *fn, void *dst, struct cb_error *e);
cb__cli_item cb__cli_kernel, cb__cli_exec, cb__cli_workers;
/* the topology 'max' workers means, while parsing */
extern const struct cb_topo *cb__cli_topo;
int cb__cli_allowed_pus(const struct cb_topo *topo);
/* --exec-param NAME=LIST, or an older option (`opt`) naming NAME */
int cb__cli_xparam(struct cb_run_opts *o, const char *opt, const char *name,
                   const char *list, struct cb_error *e);
int cb__cli_exec_param(struct cb_run_opts *o, const char *arg,
                       struct cb_error *e);
/* -p KEY=VALUE or KEY=V1,V2 (a sweep of the kernel parameter) */
int cb__cli_param(struct cb_run_opts *o, const char *arg, struct cb_error *e);
/* Drops values a list gives twice, with a note each; returns the count. */
int cb__cli_dedupe_ints(const char *opt, int *v, int n);
int cb__cli_dedupe_ptrs(const char *opt, const void **v, int n,
                        const char *(*name)(const void *));

#endif
