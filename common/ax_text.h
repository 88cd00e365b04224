/* Quoted strings of axon's line-oriented text forms (the graph IR, program
 * assembly): double quotes, with backslash escaping `"` and `\`. */
#ifndef AX_TEXT_H
#define AX_TEXT_H

#include "ax_arena.h"

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

#endif
