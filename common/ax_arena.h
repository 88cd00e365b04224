/* A bump-pointer arena: many small allocations, one lifetime.
 *
 * Whatever is allocated from an arena lives until ax_arena_free() on it; the
 * owner of the arena names that lifetime in its API (for example "the chip
 * description's strings live as long as the arch"). Memory comes from the
 * ax_mem hook in chunks. */
#ifndef AX_ARENA_H
#define AX_ARENA_H

#include <stddef.h>

struct ax_arena_chunk;

struct ax_arena {
    struct ax_arena_chunk *head; /* newest chunk first */
    size_t chunk_size;           /* default size of a new chunk */
    size_t n_bytes;              /* bytes handed out, for statistics */
};

/* Prepares an empty arena whose chunks hold at least `chunk_size` bytes
 * (0 picks a default). Allocates nothing yet. */
void ax_arena_init(struct ax_arena *a, size_t chunk_size);

/* Returns `size` bytes aligned for any object, or NULL when out of memory. */
void *ax_arena_alloc(struct ax_arena *a, size_t size);
/* Like ax_arena_alloc for n*size zeroed bytes; NULL on overflow or failure. */
void *ax_arena_calloc(struct ax_arena *a, size_t n, size_t size);
/* Copies the first `n` bytes of `s` into the arena with a NUL; NULL on failure. */
char *ax_arena_strndup(struct ax_arena *a, const char *s, size_t n);
char *ax_arena_strdup(struct ax_arena *a, const char *s);

/* Releases every chunk; the arena is empty and reusable afterwards. */
void ax_arena_free(struct ax_arena *a);

#endif
