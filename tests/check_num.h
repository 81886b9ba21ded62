/* The numeric checks the statistics tests share (on check.h): OK(cond)
 * with the condition as its message, NEAR(got, want, tol) (|got - want| <=
 * tol, or both NaN), IS_NAN(x), and N_OF(array). */
#ifndef CB_TESTS_CHECK_NUM_H
#define CB_TESTS_CHECK_NUM_H

#include <math.h>

#include "check.h"

static inline void check_near(double got, double want, double tol,
                              const char *what, int line)
{
    int ok = (isnan(got) && isnan(want)) || fabs(got - want) <= tol;
    CHECK_AT(line, ok, "%s: got %.17g, want %.17g (tol %g)", what, got, want,
             tol);
}

#define OK(c) CHECK((c), "%s", #c)
#define NEAR(got, want, tol) check_near((got), (want), (tol), #got, __LINE__)
#define IS_NAN(x) CHECK(isnan(x), "%s", "isnan(" #x ")")
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#endif
