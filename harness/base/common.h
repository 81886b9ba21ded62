/* The harness's shared basics are the plug-in base (errors, clocks,
 * number parsing, finding data directories): kernels/plugin.h. */
#ifndef CB_COMMON_H
#define CB_COMMON_H

#include "kernels/plugin.h"

#endif
