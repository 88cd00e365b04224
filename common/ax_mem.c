/* The allocation hook and its default. */
#include "ax_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *default_fn(void *user, void *ptr, size_t size)
{
    (void)user;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

static ax_mem_fn mem_fn = default_fn;
static void *mem_user;

void ax_mem_set_hook(ax_mem_fn fn, void *user)
{
    mem_fn = fn ? fn : default_fn;
    mem_user = fn ? user : NULL;
}

void *ax_mem_alloc(size_t size)
{
    return mem_fn(mem_user, NULL, size ? size : 1);
}

void *ax_mem_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    size_t bytes = n * size;
    void *p = ax_mem_alloc(bytes);
    if (p && bytes > 0)
        memset(p, 0, bytes);
    return p;
}

void *ax_mem_realloc(void *ptr, size_t size)
{
    return mem_fn(mem_user, ptr, size ? size : 1);
}

void ax_mem_free(void *ptr)
{
    if (ptr)
        mem_fn(mem_user, ptr, 0);
}

char *ax_mem_strndup(const char *s, size_t n)
{
    char *d = ax_mem_alloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *ax_mem_strdup(const char *s)
{
    return ax_mem_strndup(s, strlen(s));
}
