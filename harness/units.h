/* One unit convention for every figure corebench prints for people (the
 * run table, its Markdown export, compare): times in s, ms, us or ns and
 * bytes in B, kB, MB or GB (decimal), each as "value unit" with the unit
 * chosen so the value reads below 1000. Files for programs (JSON, CSV, TSV)
 * keep seconds and bytes as plain numbers. */
#ifndef CB_UNITS_H
#define CB_UNITS_H

#include <stddef.h>

/* "513.63 ms", "1.024 s", "0.98 us", "52.00 ns"; "-" for NaN or inf. */
void cb_fmt_time(double seconds, char *buf, size_t len);
/* "2.69 kB", "512 B", "1.07 MB"; "-" for NaN, inf or negative. */
void cb_fmt_bytes(double bytes, char *buf, size_t len);

#endif
