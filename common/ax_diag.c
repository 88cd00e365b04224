/* Diagnostics: an append-only list whose strings live in its own arena. */
#include "ax_diag.h"

#include "ax_mem.h"

#include <stdarg.h>
#include <string.h>

static const char *const severity_names[] = {"error", "warning", "note"};
_Static_assert(sizeof severity_names / sizeof severity_names[0] == AX_DIAG_COUNT,
               "severity names out of step with the enum");

const char *ax_diag_severity_str(enum ax_diag_severity sev)
{
    return (unsigned)sev < AX_DIAG_COUNT ? severity_names[sev] : "?";
}

void ax_diag_list_init(struct ax_diag_list *l)
{
    memset(l, 0, sizeof *l);
    l->max_items = 200;
    ax_arena_init(&l->strings, 8 * 1024);
}

void ax_diag_list_free(struct ax_diag_list *l)
{
    ax_mem_free(l->items);
    ax_arena_free(&l->strings);
    uint32_t max = l->max_items;
    memset(l, 0, sizeof *l);
    l->max_items = max;
    ax_arena_init(&l->strings, 8 * 1024);
}

void ax_diag_add(struct ax_diag_list *l, enum ax_diag_severity sev, const char *file,
                 uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ax_diag_vadd(l, sev, file, line, col, fmt, ap);
    va_end(ap);
}

void ax_diag_vadd(struct ax_diag_list *l, enum ax_diag_severity sev, const char *file,
                  uint32_t line, uint32_t col, const char *fmt, va_list ap)
{
    if (sev == AX_DIAG_ERROR)
        l->n_errors++;
    else if (sev == AX_DIAG_WARNING)
        l->n_warnings++;
    if (l->n_items >= l->max_items) {
        l->n_dropped++;
        return;
    }
    if (l->n_items == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 16;
        struct ax_diag *items = ax_mem_realloc(l->items, (size_t)cap * sizeof *items);
        if (!items) {
            l->is_oom = 1;
            return;
        }
        l->items = items;
        l->cap = cap;
    }
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    const char *msg = ax_arena_strdup(&l->strings, buf);
    const char *fcopy = file ? ax_arena_strdup(&l->strings, file) : NULL;
    if (!msg || (file && !fcopy)) {
        l->is_oom = 1;
        return;
    }
    l->items[l->n_items++] = (struct ax_diag){sev, fcopy, line, col, msg};
}

void ax_diag_format(const struct ax_diag *d, char *buf, size_t size)
{
    int n = 0;
    if (d->file && d->line && d->col)
        n = snprintf(buf, size, "%s:%u:%u: ", d->file, d->line, d->col);
    else if (d->file && d->line)
        n = snprintf(buf, size, "%s:%u: ", d->file, d->line);
    else if (d->file)
        n = snprintf(buf, size, "%s: ", d->file);
    if (n < 0 || (size_t)n >= size)
        n = 0;
    snprintf(buf + n, size - (size_t)n, "%s: %s", ax_diag_severity_str(d->severity), d->message);
}

/* Orders diagnostics by file, then line and column; those without a
 * position come first. Ties keep the order they were found in. */
static int before(const struct ax_diag *a, const struct ax_diag *b)
{
    int fc = strcmp(a->file ? a->file : "", b->file ? b->file : "");
    if (fc != 0)
        return fc < 0;
    if (a->line != b->line)
        return a->line < b->line;
    return a->col < b->col;
}

void ax_diag_print(const struct ax_diag_list *l, FILE *out)
{
    /* Print in position order through an index, leaving the list as found
     * (tests and callers read items in the order they were reported). */
    uint32_t stack_order[64];
    uint32_t *order = l->n_items <= 64 ? stack_order : ax_mem_alloc(l->n_items * sizeof *order);
    char buf[2048];
    if (order) {
        for (uint32_t i = 0; i < l->n_items; i++) {
            uint32_t j = i;
            while (j > 0 && before(&l->items[i], &l->items[order[j - 1]])) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
    }
    for (uint32_t i = 0; i < l->n_items; i++) {
        ax_diag_format(&l->items[order ? order[i] : i], buf, sizeof buf);
        fprintf(out, "%s\n", buf);
    }
    if (order != stack_order)
        ax_mem_free(order);
    if (l->n_dropped)
        fprintf(out, "axon: note: %u further diagnostics not shown\n", l->n_dropped);
    if (l->is_oom)
        fprintf(out, "axon: note: some diagnostics were lost for lack of memory\n");
}
