/* The exports' one way to write a file (reporter.h). */
#include "reporter.h"

#include "text.h"

struct emit_arg {
    const struct cb_view *v;
    int (*emit)(FILE *f, const struct cb_view *v);
};

static int emit_view(FILE *f, void *arg)
{
    const struct emit_arg *a = arg;
    return a->emit(f, a->v);
}

int cb_reporter_write(const struct cb_view *v, const char *path,
                      int (*emit)(FILE *f, const struct cb_view *v),
                      struct cb_error *e)
{
    struct emit_arg a = {v, emit};
    int rc = cb_results_write_with(path, v->o->force, emit_view, &a, e);
    if (rc == 0 && !v->o->quiet) {
        char shown[300];
        cb_text_clean(path, shown, sizeof shown, 200);
        printf("wrote %s\n", shown);
    }
    return rc;
}
