/* Result files (results/SCHEMA.md): atomic writes, validated loads, and the
 * NaN <-> null convention. */
#ifndef CB_RESULTS_H
#define CB_RESULTS_H

#include <stdio.h>

#include <jansson.h>

#include "common.h"

#define CB_SCHEMA "corebench/1"

/* A JSON number, or null for NaN/inf (never writes NaN). New reference. */
json_t *cb_json_num(double x);
/* The number in v (integer or real), NaN for null, missing or non-number. */
double cb_json_get(const json_t *obj, const char *key);

/* Input limits of cb_results_load. A file larger than the byte limit
 * ($CB_MAX_INPUT_BYTES when set, else CB_RESULTS_MAX_BYTES: jansson needs
 * several times a file's size in memory) or a run with more than
 * CB_RESULTS_MAX_SAMPLES entries in a per-sample array is refused with
 * CB_EUSAGE naming the limit. `run -r` stays far below both. */
#define CB_RESULTS_MAX_BYTES (UINT64_C(64) << 20)
#define CB_RESULTS_MAX_SAMPLES 100000
/* The byte limit in *max; CB_EUSAGE naming CB_MAX_INPUT_BYTES when it is
 * set to something that is not a whole number >= 1. */
int cb_results_max_bytes(uint64_t *max, struct cb_error *e);

/* Checks before any work that `path` can be written, as `opt` ("--out",
 * "--json") names it: a file name (not ending in '/'), in a directory that
 * exists and where a temporary file can be created (tried), and either
 * absent or a regular file that overwrite allows replacing. A symbolic link
 * (dangling or not), a FIFO, a device, a socket or a directory is refused
 * even with overwrite: only regular files are ever replaced. CB_EUSAGE
 * naming the path and the reason otherwise. */
int cb_results_check_target(const char *opt, const char *path, int overwrite,
                            struct cb_error *e);
/* cb_results_check_target("--out", ...) */
int cb_results_check_path(const char *path, int overwrite, struct cb_error *e);

/* 1 when paths a and b name the same file: the same file where both
 * exist, else the same name in the same directory. */
int cb_results_same_file(const char *a, const char *b);
/* The outputs of one command: each of the n paths (NULL: not asked) as
 * cb_results_check_target(opt[i], ...) checks it, none of them one file
 * with another, nor with one of the ninputs input files (it would be
 * replaced). CB_EUSAGE naming the option, the path and the reason. */
int cb_results_check_outputs(const char *const *opt, const char *const *path,
                             int n, int overwrite, char *const *inputs,
                             int ninputs, struct cb_error *e);

/* Removes the temporary files (".corebench-PID-XXXXXX") that writers
 * killed mid-write left in dir: our own regular files whose pid is dead,
 * or that are over an hour old. Never another user's file, never a live
 * write's. cb_results_write calls it before every write. */
void cb_results_clean_stale(const char *dir);

/* Writes root to path through a temporary file in the same directory and
 * rename(2): readers see the old file or the new one, never half of one.
 * Whatever is at path when the rename comes must be a regular file (or
 * nothing): anything else is refused with CB_EUSAGE, the temporary removed.
 * With overwrite 0 an existing file is an error (checked with link(2), so a
 * file created meanwhile is not clobbered either... unless `replace_own`,
 * used for the rewrites of the file this run created). */
int cb_results_write(const json_t *root, const char *path, int replace_own,
                     struct cb_error *e);

/* The same for any text: whatever emit() prints to f (0, or -1 when it
 * failed) lands at path atomically, with the same rules. The exports of
 * `run` (--export-csv, --export-markdown) and `compare` write this way. */
int cb_results_write_with(const char *path, int replace_own,
                          int (*emit)(FILE *f, void *arg), void *arg,
                          struct cb_error *e);
/* From a signal handler about to _exit: removes the temporary file of the
 * write in progress, if any (async-signal-safe). */
void cb_results_abandon(void);

/* Loads and checks a result file: JSON syntax errors give
 * "FILE:LINE:COL: message"; an empty file, a non-object, a missing or
 * different "schema", missing "runs" and the size limits above are
 * CB_EUSAGE naming the file; running out of memory is CB_ENOMEM saying so.
 * *root is a new reference on success. */
int cb_results_load(const char *path, json_t **root, struct cb_error *e);

#endif
