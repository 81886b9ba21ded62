/* The reporter registry: every reporter a sweep may call, in order. */
#include "reporter.h"

extern const struct cb_reporter cb_reporter_console, cb_reporter_json,
    cb_reporter_csv, cb_reporter_markdown;

const struct cb_reporter *const cb_reporters[] = {
    &cb_reporter_json,
    &cb_reporter_console,
    &cb_reporter_csv,
    &cb_reporter_markdown,
    NULL,
};
