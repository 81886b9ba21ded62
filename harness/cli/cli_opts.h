/* How every command reads its options: getopt_long, from a full reset,
 * ':' first in the short options so a missing value is told apart from an
 * unknown option, and one error line for both (cli_opts.c). */
#ifndef CB_CLI_OPTS_H
#define CB_CLI_OPTS_H

#include <getopt.h>

#include "kernels/plugin.h"

/* A full getopt reset (optind 0, glibc and musl alike): an earlier parse in
 * this process (another command, the fuzzer) left getopt inside its argv.
 * Silences getopt's own messages (cb_cli_opt_error says it). */
void cb_cli_opts_reset(void);
/* CB_EUSAGE for what getopt_long returned as c ('?' unknown, ':' a value
 * missing) at argv[optind - 1]: "OPTION needs a value (see corebench CMD
 * --help)" or "unknown option 'OPTION' (see ...)", the option cleaned. */
int cb_cli_opt_error(const char *cmd, int c, char **argv, struct cb_error *e);

#endif
