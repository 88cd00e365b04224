/* Arena allocator: chunks chained newest first, bump allocation inside. */
#include "ax_arena.h"

#include "ax_mem.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

struct ax_arena_chunk {
    struct ax_arena_chunk *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
};

enum { ARENA_DEFAULT_CHUNK = 64 * 1024 };

void ax_arena_init(struct ax_arena *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : ARENA_DEFAULT_CHUNK;
    a->n_bytes = 0;
}

void *ax_arena_alloc(struct ax_arena *a, size_t size)
{
    const size_t align = alignof(max_align_t);
    if (size > SIZE_MAX - align)
        return NULL;
    size = (size + align - 1) & ~(align - 1);
    struct ax_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > a->chunk_size ? size : a->chunk_size;
        if (cap > SIZE_MAX - sizeof *c)
            return NULL;
        c = ax_mem_alloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    a->n_bytes += size;
    return p;
}

void *ax_arena_calloc(struct ax_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = ax_arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

char *ax_arena_strndup(struct ax_arena *a, const char *s, size_t n)
{
    char *d = ax_arena_alloc(a, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *ax_arena_strdup(struct ax_arena *a, const char *s)
{
    return ax_arena_strndup(a, s, strlen(s));
}

void ax_arena_free(struct ax_arena *a)
{
    struct ax_arena_chunk *c = a->head;
    while (c) {
        struct ax_arena_chunk *next = c->next;
        ax_mem_free(c);
        c = next;
    }
    a->head = NULL;
    a->n_bytes = 0;
}
