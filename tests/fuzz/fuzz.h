/* Shared by the fuzz targets (tests/fuzz/README.md).
 *
 * Each target defines LLVMFuzzerTestOneInput. Built with clang and
 * -DCB_FUZZ=ON it links libFuzzer (-fsanitize=fuzzer); in every other
 * build it links driver.c instead, which replays files and directories
 * given on the command line: the seed corpus and every crash ever found
 * (tests/fuzz/regressions/) run that way in the normal test suite.
 *
 * A target checks what must hold for any input and calls FUZZ_ASSERT,
 * which aborts: libFuzzer reports it as a crash like any sanitizer
 * finding. */
#ifndef CB_FUZZ_H
#define CB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_ASSERT(c)                                                       \
    do {                                                                     \
        if (!(c)) {                                                          \
            fprintf(stderr, "FUZZ_ASSERT failed %s:%d: %s\n", __FILE__,      \
                    __LINE__, #c);                                           \
            abort();                                                         \
        }                                                                    \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Splits data into at most max NUL-terminated tokens at '\n' and '\0'
 * (an empty line is an empty token). Returns the count; *buf (free it)
 * holds the strings that tok[] points into. */
static inline int fuzz_tokens(const uint8_t *data, size_t size, char **tok,
                              int max, char **buf)
{
    int n = 0;
    char *b = malloc(size + 1);
    size_t start = 0;
    *buf = b;
    if (!b)
        return 0;
    for (size_t i = 0; i < size; i++)
        b[i] = data[i] == '\n' ? '\0' : (char)data[i];
    b[size] = '\0';
    for (size_t i = 0; i <= size && n < max; i++)
        if (b[i] == '\0') {
            if (i > start || i < size)
                tok[n++] = b + start;
            start = i + 1;
        }
    return n;
}

#endif
