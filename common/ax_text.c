/* Quoted strings for the text forms. */
#include "ax_text.h"

#include <string.h>

void ax_text_write_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
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
        if (*c == '\\' && c + 1 < close)
            c++;
        buf[n++] = *c;
    }
    buf[n] = '\0';
    *out = buf;
    *p = close + 1;
    return NULL;
}
