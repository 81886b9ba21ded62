/* One unit convention for numbers shown to people (the run table, its
 * Markdown export, compare, figures' text, report pages, summaries): three
 * significant digits and an SI unit, decimal prefixes for bytes. "342 ms",
 * "11.0 us", "2.69 kB", "15.2 GB/s", "1.94x". Undefined (NaN, infinite) numbers print as "-". Data files
 * (JSON, CSV, TSV) keep plain seconds and bytes: these are for text only. */
#ifndef CB_UNITS_H
#define CB_UNITS_H

#include <stddef.h>

/* seconds: "2.31 s", "342 ms", "11.0 us", "85.0 ns" */
void cb_fmt_time(double s, char *buf, size_t len);
/* bytes: "512 B", "2.69 kB", "3.20 GB" */
void cb_fmt_bytes(double b, char *buf, size_t len);
/* bytes per second: "15.2 GB/s" */
void cb_fmt_rate(double bps, char *buf, size_t len);
/* a ratio: "1.94x" (three significant digits) */
void cb_fmt_ratio(double x, char *buf, size_t len);

#endif
