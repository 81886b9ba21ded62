/* The run table: one row of cells per configuration, built from the
 * result model alone (a run and its derived figures), so the console
 * reporter prints it as a sweep goes and the Markdown export writes the
 * same cells. Strings are cleaned (text.h); the label is the model's. */
#ifndef CB_TABLE_H
#define CB_TABLE_H

#include "model.h"

enum cb_table_col {
    CB_TC_KERNEL, CB_TC_LABEL, CB_TC_WORKERS, CB_TC_MEDIAN, CB_TC_CI,
    CB_TC_CV, CB_TC_SPEEDUP, CB_TC_EFF, CB_TC_LOST, CB_TC_STARTUP,
    CB_TC_NOTES,
    CB_TC_COUNT
};

struct cb_run_cells {
    char cell[CB_TC_COUNT][320];
};

/* The column heads ("kernel", "executor", "w", "median", ...) and which
 * columns hold numbers (right-aligned). */
extern const char *const cb_table_head[CB_TC_COUNT];
extern const unsigned char cb_table_numeric[CB_TC_COUNT];

/* Appends " text" (no blank before the first) to a notes cell or line. */
void cb_table_note(char *notes, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The cells of run r (derived: cb_model_derive first). `kernel` is what
 * the kernel column shows ("gcd n=16" when a sweep varies n), NULL for the
 * kernel's name. */
void cb_run_cells(const struct cb_run *r, const char *kernel,
                  struct cb_run_cells *row);

#endif
