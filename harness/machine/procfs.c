/* Reading /proc and /sys for the machine layer (env.h). */
#include "env.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void cb_env_rstrip(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
}

int cb_env_read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    int ok;
    if (!f)
        return -1;
    ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (!ok)
        return -1;
    cb_env_rstrip(buf);
    return 0;
}
