/* Status codes: the first of axon's three error channels (STYLE.md habit 5).
 *
 * Every library function that can fail returns an ax_status; details for a
 * person go through diagnostics (ax_diag.h), internal bugs through AX_ASSERT.
 * Only main() turns a status into an exit code. */
#ifndef AX_STATUS_H
#define AX_STATUS_H

typedef enum ax_status {
#define X(name, msg) AX_##name,
#include "ax_status.def"
#undef X
    AX_STATUS_COUNT
} ax_status;

/* A static, human-readable message for `s`; "unknown status" when out of range. */
const char *ax_status_str(ax_status s);

/* Reports an internal invariant violation and aborts. Use for bugs in axon
 * itself, never for bad input. */
void ax_assert_fail(const char *expr, const char *file, int line);
#define AX_ASSERT(e) ((e) ? (void)0 : ax_assert_fail(#e, __FILE__, __LINE__))

#endif
