/* Diagnostics about files a user wrote (STYLE.md habit 5).
 *
 * Parsers and validators accumulate diagnostics with a position instead of
 * stopping at the first problem; the caller prints them all, one per line, as
 *
 *     file:line:col: error: what is wrong; what was expected
 *
 * Lines and columns are 1-based; 0 means unknown and is left out when printed.
 * A list owns copies of every string given to it. */
#ifndef AX_DIAG_H
#define AX_DIAG_H

#include "ax_arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

enum ax_diag_severity {
    AX_DIAG_ERROR,
    AX_DIAG_WARNING,
    AX_DIAG_NOTE,
    AX_DIAG_COUNT
};

struct ax_diag {
    enum ax_diag_severity severity;
    const char *file; /* may be NULL */
    uint32_t line, col;
    const char *message;
};

struct ax_diag_list {
    struct ax_diag *items;
    uint32_t n_items, cap;
    uint32_t n_errors, n_warnings;
    uint32_t max_items;  /* further diagnostics are counted but not stored */
    uint32_t n_dropped;
    int is_oom;          /* a diagnostic could not be stored for lack of memory */
    struct ax_arena strings;
};

/* Prepares an empty list that keeps at most 200 diagnostics. */
void ax_diag_list_init(struct ax_diag_list *l);
/* Frees every diagnostic; the list is empty and reusable afterwards. */
void ax_diag_list_free(struct ax_diag_list *l);

/* Records one diagnostic; the format follows printf. Never fails visibly: when
 * memory runs out, `is_oom` is set and the error is still counted. */
void ax_diag_add(struct ax_diag_list *l, enum ax_diag_severity sev, const char *file,
                 uint32_t line, uint32_t col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* The same with the format's arguments in a va_list, for reporters that wrap
 * ax_diag_add with their own position logic. */
void ax_diag_vadd(struct ax_diag_list *l, enum ax_diag_severity sev, const char *file,
                  uint32_t line, uint32_t col, const char *fmt, va_list ap);

/* Writes every stored diagnostic to `out` in the form above, ordered by
 * file and position (the list itself keeps the order of discovery), then a
 * line saying how many were dropped, if any. */
void ax_diag_print(const struct ax_diag_list *l, FILE *out);

/* Formats one diagnostic into `buf` (always NUL-terminated). */
void ax_diag_format(const struct ax_diag *d, char *buf, size_t size);

const char *ax_diag_severity_str(enum ax_diag_severity sev);

#endif
