/* Text helpers: quoted strings of axon's line-oriented text forms (the
 * graph IR, program assembly): double quotes, with backslash escaping `"`
 * and `\`, and `\n`, `\r` standing for line breaks (a backslash before any
 * other character stands for that character); and a growing text buffer
 * for writers that build a file in memory before writing it atomically (the
 * reports). */
#ifndef AX_TEXT_H
#define AX_TEXT_H

#include "ax_arena.h"

#include <stddef.h>
#include <stdio.h>

/* Writes `s` quoted and escaped. */
void ax_text_write_quoted(FILE *out, const char *s);

/* Reads a quoted string that starts at *p (which must be '"') and ends
 * before `end`; on success copies it, unescaped, into `arena`, stores it in
 * *out, advances *p past the closing quote and returns NULL. Otherwise
 * returns a message ("expected a double-quoted string", "unterminated
 * string ...", "out of memory") and leaves *p where the string started. */
const char *ax_text_read_quoted(const char **p, const char *end, struct ax_arena *arena,
                                const char **out);

/* A growing text buffer (zero-initialize it). Allocation failure is sticky:
 * is_oom is set and later writes are ignored, so a writer checks once at
 * the end. The text is NUL-terminated when len > 0; free p with
 * ax_mem_free. */
struct ax_text_buf {
    char *p;
    size_t len, cap;
    int is_oom;
};

void ax_text_printf(struct ax_text_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The index of `s` among names[0 .. n), or -1: what the parsers of the
 * options' names (modes, encodings, precisions, ...) share. */
int ax_text_name_index(const char *const *names, int n, const char *s);

#endif
