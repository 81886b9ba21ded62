/* The figures of `corebench report`, in the order the pages show them.
 * A new figure is one file in this directory (harness/report/figure.h says what
 * it declares; CMake compiles every file here) and one line in this list:
 * X(name) for the file's `const struct cb_figure cb_figure_name`, in the
 * place its section should have on the page. */
#include "figure.h"

#define CB_FIGURE_LIST(X)                                                    \
    X(speedup)                                                               \
    X(efficiency)                                                            \
    X(budget)                                                                \
    X(machines)                                                              \
    X(breakdown)                                                             \
    X(overhead)                                                              \
    X(gil)                                                                   \
    X(ceilings)                                                              \
    X(samples)                                                               \
    X(ceiling_table)                                                         \
    /* a new figure: one X(name) line above this one */

#define CB_DECLARE(name) extern const struct cb_figure cb_figure_##name;
#define CB_ENTRY(name) &cb_figure_##name,
CB_FIGURE_LIST(CB_DECLARE)

const struct cb_figure *const cb_figures[] = {CB_FIGURE_LIST(CB_ENTRY) NULL};
