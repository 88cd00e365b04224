/* Quoted strings for the text forms, and the growing text buffer. */
#include "ax_text.h"

#include "ax_mem.h"

#include <stdarg.h>
#include <string.h>

void ax_text_write_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        /* The text forms are read a line at a time: a line break inside a
         * string (a name from a program file or a checkpoint may hold one)
         * is written as an escape, so the string stays on its line. */
        if (*s == '\n' || *s == '\r') {
            fputs(*s == '\n' ? "\\n" : "\\r", out);
            continue;
        }
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

const char *ax_text_read_quoted(const char **p, const char *end, struct ax_arena *arena,
                                const char **out)
{
    const char *s = *p;
    if (s >= end || *s != '"')
        return "expected a double-quoted string";
    /* The unescaped text is no longer than the quoted one. */
    const char *close = s + 1;
    while (close < end && *close != '"')
        close += (*close == '\\' && close + 1 < end) ? 2 : 1;
    if (close >= end)
        return "unterminated string; expected a closing '\"' on this line";
    char *buf = ax_arena_alloc(arena, (size_t)(close - s));
    if (!buf)
        return "out of memory";
    size_t n = 0;
    for (const char *c = s + 1; c < close; c++) {
        if (*c == '\\' && c + 1 < close) {
            c++;
            buf[n++] = *c == 'n' ? '\n' : *c == 'r' ? '\r' : *c;
            continue;
        }
        buf[n++] = *c;
    }
    buf[n] = '\0';
    *out = buf;
    *p = close + 1;
    return NULL;
}

void ax_text_printf(struct ax_text_buf *b, const char *fmt, ...)
{
    if (b->is_oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->is_oom = 1;
            return;
        }
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len <= (size_t)n)
            cap *= 2;
        char *p = ax_mem_realloc(b->p, cap);
        if (!p) {
            b->is_oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

int ax_text_name_index(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}
