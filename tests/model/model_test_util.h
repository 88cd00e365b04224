/* Helpers shared by the tests of compiler/'s model front-end: scratch
 * directories, small files, safetensors writers and diagnostic searches.
 * Everything is static; each test program includes this once. */
#ifndef AX_MODEL_TEST_UTIL_H
#define AX_MODEL_TEST_UTIL_H

#define _POSIX_C_SOURCE 200809L
#include "ax_test.h"

#include "ax_diag.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh directory under the working directory (the test's build folder). */
static inline char *scratch_dir(const char *tag)
{
    char *path = malloc(256);
    snprintf(path, 256, "scratch_%s_XXXXXX", tag);
    if (!mkdtemp(path)) {
        perror("mkdtemp");
        abort();
    }
    return path;
}

/* Removes the files of a flat scratch directory, then the directory. */
static inline void remove_dir(char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(path);
    free(path);
}

static inline void join(char *out, size_t size, const char *dir, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

static inline void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

static inline void write_text(const char *dir, const char *name, const char *text)
{
    char p[1024];
    join(p, sizeof p, dir, name);
    write_bytes(p, text, strlen(text));
}

/* ---- safetensors writer -------------------------------------------------- */

struct st_entry {
    const char *name;
    const char *dtype; /* as written in the header; may be bogus on purpose */
    uint32_t n_dims;
    uint64_t shape[4];
};

static inline uint64_t st_dtype_bytes(const char *dtype)
{
    if (strcmp(dtype, "F32") == 0 || strcmp(dtype, "I32") == 0)
        return 4;
    if (strcmp(dtype, "BF16") == 0 || strcmp(dtype, "F16") == 0)
        return 2;
    if (strcmp(dtype, "I64") == 0 || strcmp(dtype, "F64") == 0)
        return 8;
    return 1;
}

static inline uint64_t st_entry_bytes(const struct st_entry *e)
{
    uint64_t n = st_dtype_bytes(e->dtype);
    for (uint32_t i = 0; i < e->n_dims; i++)
        n *= e->shape[i];
    return n;
}

struct strbuf {
    char *s;
    size_t n, cap;
};

static inline void sb_printf(struct strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static inline void sb_printf(struct strbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (b->s && (size_t)n < b->cap - b->n) {
            b->n += (size_t)n;
            return;
        }
        b->cap = (b->cap + (size_t)n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s)
            abort();
    }
}

/* Writes a header for `n` entries laid out back to back, "__metadata__"
 * included; returns the JSON (malloc'ed) and the data size. */
static inline char *st_header(const struct st_entry *t, size_t n, uint64_t *data_size)
{
    struct strbuf b = {0};
    sb_printf(&b, "{\"__metadata__\":{\"format\":\"pt\"}");
    uint64_t off = 0;
    for (size_t i = 0; i < n; i++) {
        sb_printf(&b, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[", t[i].name, t[i].dtype);
        for (uint32_t d = 0; d < t[i].n_dims; d++)
            sb_printf(&b, "%s%llu", d ? "," : "", (unsigned long long)t[i].shape[d]);
        uint64_t size = st_entry_bytes(&t[i]);
        sb_printf(&b, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)off,
                  (unsigned long long)(off + size));
        off += size;
    }
    sb_printf(&b, "}");
    *data_size = off;
    return b.s;
}

/* A safetensors file in memory: the 8-byte length, `header` padded with
 * spaces to a multiple of 8, then `data_size` zero bytes starting at *data
 * for the caller to fill. Returns the buffer (free it); *total is its length. */
static inline unsigned char *st_file_alloc(const char *header, uint64_t data_size, size_t *total,
                                           unsigned char **data)
{
    size_t hlen = strlen(header), padded = (hlen + 7) / 8 * 8;
    *total = 8 + padded + (size_t)data_size;
    unsigned char *buf = calloc(1, *total ? *total : 1);
    if (!buf)
        abort();
    for (int i = 0; i < 8; i++)
        buf[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    memcpy(buf + 8, header, hlen);
    memset(buf + 8 + hlen, ' ', padded - hlen);
    *data = buf + 8 + padded;
    return buf;
}

/* Writes a safetensors file: `header` as st_file_alloc lays it out, then
 * `data_size` bytes of a repeating pattern. No byte has its top two bits
 * set, so no F32, BF16 or F16 element is NaN or infinite (a checkpoint
 * holding one is refused). */
static inline void st_write_raw(const char *path, const char *header, uint64_t data_size)
{
    size_t total;
    unsigned char *data, *buf = st_file_alloc(header, data_size, &total, &data);
    for (size_t i = 0; i < data_size; i++)
        data[i] = (unsigned char)((i * 7) & 0x3f);
    write_bytes(path, buf, total);
    free(buf);
}

static inline void st_write(const char *path, const struct st_entry *t, size_t n)
{
    uint64_t data_size;
    char *h = st_header(t, n, &data_size);
    st_write_raw(path, h, data_size);
    free(h);
}

/* ---- diagnostics --------------------------------------------------------- */

/* 1 if some diagnostic of `sev`, formatted as printed, contains `needle`. */
static inline int has_diag(const struct ax_diag_list *l, enum ax_diag_severity sev,
                           const char *needle)
{
    char buf[2048];
    for (uint32_t i = 0; i < l->n_items; i++) {
        ax_diag_format(&l->items[i], buf, sizeof buf);
        if (l->items[i].severity == sev && strstr(buf, needle))
            return 1;
    }
    return 0;
}

static inline void dump_diags(const struct ax_diag_list *l)
{
    ax_diag_print(l, stderr);
}

#endif
