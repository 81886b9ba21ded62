/* Result files (results/SCHEMA.md): atomic writes, validated loads, and the
 * NaN <-> null convention. */
#ifndef CB_RESULTS_H
#define CB_RESULTS_H

#include <jansson.h>

#include "common.h"

#define CB_SCHEMA "corebench/1"

/* A JSON number, or null for NaN/inf (never writes NaN). New reference. */
json_t *cb_json_num(double x);
/* The number in v (integer or real), NaN for null, missing or non-number. */
double cb_json_get(const json_t *obj, const char *key);

/* Checks before any work that `path` can be created: its directory exists
 * and is writable, and the file does not exist unless overwrite. CB_EUSAGE
 * naming the path and the reason otherwise. */
int cb_results_check_path(const char *path, int overwrite, struct cb_error *e);

/* Writes root to path through a temporary file in the same directory and
 * rename(2): readers see the old file or the new one, never half of one.
 * With overwrite 0 an existing file is an error (checked with link(2), so a
 * file created meanwhile is not clobbered either... unless `replace_own`,
 * used for the rewrites of the file this run created). */
int cb_results_write(const json_t *root, const char *path, int replace_own,
                     struct cb_error *e);

/* Loads and checks a result file: JSON syntax errors give
 * "FILE:LINE:COL: message"; an empty file, a non-object, a missing or
 * different "schema" and missing "runs" are CB_EUSAGE naming the file.
 * *root is a new reference on success. */
int cb_results_load(const char *path, json_t **root, struct cb_error *e);

#endif
