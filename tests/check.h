/* The checks every C test shares: one pair of counters, one failure line,
 * one summary line.
 *
 * CHECK(cond, fmt, ...) counts a check; a failed one prints
 * "FAIL file:line: message" and flushes stdout (so a test that forks
 * afterwards never prints it twice). It is an expression, 1 when cond held
 * and 0 when not, so `if (!CHECK(...)) return;` works; the message
 * arguments are evaluated only on failure. CHECK_AT(line, cond, fmt, ...)
 * is the same with the caller's line, for helpers that check on behalf of
 * their caller.
 *
 * check_finish() prints "N passed, M failed", the line every test ends
 * with (ctest and CI read it), and returns the exit status: 1 when anything
 * failed. */
#ifndef CB_TESTS_CHECK_H
#define CB_TESTS_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static int passed, failed;

static inline int check_pass(void)
{
    passed++;
    return 1;
}

static inline int check_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline int check_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    failed++;
    printf("FAIL %s:%d: ", file, line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    return 0;
}

#define CHECK_AT(line, cond, ...)                                              \
    ((cond) ? check_pass() : check_fail(__FILE__, (line), __VA_ARGS__))
#define CHECK(cond, ...) CHECK_AT(__LINE__, cond, __VA_ARGS__)

static inline int check_finish(void)
{
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#endif
