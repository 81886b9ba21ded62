/* The harness's shared basics: the plug-in base (errors, clocks, number
 * parsing: kernels/plugin.h) and what only the harness uses. */
#ifndef CB_COMMON_H
#define CB_COMMON_H

#include "../kernels/plugin.h"

/* Copies s into out (cap bytes) for printing on a terminal. C0 and C1
 * controls, DEL, bidirectional overrides and invalid UTF-8 become '?', so a
 * crafted file cannot send escape sequences or reorder a line. With
 * ascii_only every non-ASCII character becomes '?' too (table cells, whose
 * widths are counted in bytes). Longer than maxchars characters: cut, with
 * "..." appended. out needs room for maxchars * 4 + 4 bytes. */
void cb_clean_text(const char *s, char *out, size_t cap, size_t maxchars,
                   int ascii_only);

#endif
