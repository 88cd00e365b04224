/* Status names and the internal-assertion handler. */
#include "ax_status.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const status_msgs[] = {
#define X(name, msg) msg,
#include "ax_status.def"
#undef X
};
_Static_assert(sizeof status_msgs / sizeof status_msgs[0] == AX_STATUS_COUNT,
               "status message table out of step with the enum");

const char *ax_status_str(ax_status s)
{
    if ((unsigned)s >= AX_STATUS_COUNT)
        return "unknown status";
    return status_msgs[s];
}

void ax_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "axon: internal error: assertion '%s' failed at %s:%d\n", expr, file, line);
    abort();
}
