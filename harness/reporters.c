/* The reporter registry: every reporter a sweep may call, in order. */
#include "reporter.h"

#include <stdio.h>

#include "text.h"

extern const struct cb_reporter cb_reporter_console, cb_reporter_json,
    cb_reporter_csv, cb_reporter_markdown;

const struct cb_reporter *const cb_reporters[] = {
    &cb_reporter_json,
    &cb_reporter_console,
    &cb_reporter_csv,
    &cb_reporter_markdown,
    NULL,
};

int cb_reporter_write(struct cb_sweep *s, const char *path,
                      int (*emit)(FILE *f, void *sweep), struct cb_error *e)
{
    int rc = cb_results_write_with(path, s->o->force, emit, s, e);
    if (rc == 0 && !s->o->quiet) {
        char shown[300];
        cb_text_clean(path, shown, sizeof shown, 200);
        printf("wrote %s\n", shown);
    }
    return rc;
}
