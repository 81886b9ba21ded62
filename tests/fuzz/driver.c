/* Replays inputs through a fuzz target without libFuzzer: every file named
 * on the command line, and every regular file in every directory named.
 * Exits 0 when the target returned for all of them (a crash is a crash, a
 * FUZZ_ASSERT aborts), 2 on a usage error. The normal test suite runs each
 * target this way over its seed corpus and its regressions. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int replay(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    if (!f) {
        perror(path);
        return -1;
    }
    for (;;) {
        size_t got;
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap = cap ? 2 * cap : 4096);
            if (!nb) {
                fclose(f);
                free(buf);
                return -1;
            }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len, f);
        if (got == 0)
            break;
        len += got;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int n = 0, out, null;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    /* the targets print tables and usage: only the summary goes to stdout */
    fflush(stdout);
    out = dup(1);
    null = open("/dev/null", O_WRONLY);
    if (out < 0 || null < 0 || dup2(null, 1) < 0) {
        perror("stdout");
        return 2;
    }
    close(null);
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            return 2;
        }
        if (S_ISDIR(st.st_mode)) {
            struct dirent **names;
            int k = scandir(argv[i], &names, NULL, alphasort);
            for (int j = 0; j < k; j++) {
                char p[4096];
                struct stat fs;
                snprintf(p, sizeof p, "%s/%s", argv[i], names[j]->d_name);
                if (stat(p, &fs) == 0 && S_ISREG(fs.st_mode)) {
                    if (replay(p) != 0)
                        return 2;
                    n++;
                }
                free(names[j]);
            }
            free(names);
        } else {
            if (replay(argv[i]) != 0)
                return 2;
            n++;
        }
    }
    fflush(stdout);
    dup2(out, 1);
    close(out);
    printf("%s: %d inputs replayed, no crash\n", argv[0], n);
    return 0;
}
