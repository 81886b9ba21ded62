/* The kernel registry: the one list of every kernel corebench knows. */
#include <string.h>

#include "kernel.h"

extern const struct cb_kernel cb_kernel_gcd, cb_kernel_factorize,
    cb_kernel_sum, cb_kernel_sum_shipped, cb_kernel_sleep, cb_kernel_empty,
    cb_kernel_convoy;

const struct cb_kernel *const cb_kernels[] = {
    &cb_kernel_gcd,   &cb_kernel_factorize, &cb_kernel_sum,
    &cb_kernel_sum_shipped, &cb_kernel_sleep, &cb_kernel_empty,
    &cb_kernel_convoy,
    NULL,
};

const struct cb_kernel *cb_kernel_find(const char *name)
{
    for (int i = 0; name && cb_kernels[i]; i++)
        if (strcmp(cb_kernels[i]->name, name) == 0)
            return cb_kernels[i];
    return NULL;
}
