/* The commands' one option-parsing style (cli_opts.h). */
#include "cli_opts.h"

#include <string.h>

#include "text.h"

void cb_cli_opts_reset(void)
{
    optind = 0;
    opterr = 0;
}

int cb_cli_opt_error(const char *cmd, int c, char **argv, struct cb_error *e)
{
    const char *at = optind > 0 ? argv[optind - 1] : "";
    char opt[8], shown[160];
    /* an unknown letter inside a cluster (-qZ) is named alone */
    if (c == '?' && optopt && at[0] == '-' && at[1] != '-') {
        opt[0] = '-';
        opt[1] = (char)optopt;
        opt[2] = '\0';
        at = opt;
    }
    cb_text_clean(at, shown, sizeof shown, 60);
    if (c == ':')
        return CB_FAIL(e, CB_EUSAGE, "%s needs a value (see corebench %s "
                       "--help)", shown, cmd);
    return CB_FAIL(e, CB_EUSAGE, "unknown option '%s' (see corebench %s "
                   "--help)", shown, cmd);
}
