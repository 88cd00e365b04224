/* The one allocation hook (STYLE.md habit 4).
 *
 * All heap memory in axon goes through these functions, so that tests can
 * inject allocation failures and embedders can supply their own allocator. */
#ifndef AX_MEM_H
#define AX_MEM_H

#include <stddef.h>

/* A realloc-like allocator: (ptr=NULL, size>0) allocates, (ptr, 0) frees and
 * returns NULL, otherwise resizes. Returns NULL on failure. */
typedef void *(*ax_mem_fn)(void *user, void *ptr, size_t size);

/* Installs `fn` (NULL restores the C library's allocator). Not thread-safe:
 * call before any other axon function. */
void ax_mem_set_hook(ax_mem_fn fn, void *user);

/* Allocate `size` bytes (size 0 gives a unique minimal block); NULL on failure. */
void *ax_mem_alloc(size_t size);
/* Allocate n*size zeroed bytes; NULL on failure or overflow. */
void *ax_mem_calloc(size_t n, size_t size);
/* Resize; on failure returns NULL and leaves `ptr` untouched. */
void *ax_mem_realloc(void *ptr, size_t size);
/* Free `ptr` (NULL is fine). */
void ax_mem_free(void *ptr);
/* A heap copy of the NUL-terminated `s`, or NULL on failure. */
char *ax_mem_strdup(const char *s);
/* A heap copy of the first `n` bytes of `s`, NUL-terminated, or NULL. */
char *ax_mem_strndup(const char *s, size_t n);

#endif
