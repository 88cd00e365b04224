/* safetensors files and sharded checkpoints: map, parse the headers, check.
 *
 * Every file is mapped read-only once; headers are parsed with jansson
 * straight from the mapping. Each header is checked completely before the
 * open fails, so one run reports every problem of a file. */
#define _POSIX_C_SOURCE 200809L
#include "ax_safetensors.h"

#include "ax_mem.h"
#include "json_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const dtype_names[] = {
#define X(name, size, meaning) #name,
#include "ax_dtype.def"
#undef X
};
static const uint32_t dtype_sizes[] = {
#define X(name, size, meaning) size,
#include "ax_dtype.def"
#undef X
};
_Static_assert(sizeof dtype_names / sizeof dtype_names[0] == AX_ST_DTYPE_COUNT,
               "dtype names out of step with ax_dtype.def");
_Static_assert(sizeof dtype_sizes / sizeof dtype_sizes[0] == AX_ST_DTYPE_COUNT,
               "dtype sizes out of step with ax_dtype.def");

/* Element types the safetensors format defines that axon does not read. */
static const char *const unsupported_dtypes[] = {
    "F64",  "I64",     "I32",     "I16",     "U64",     "U32",     "U16", "U8",
    "BOOL", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4",  "C64",
};

/* The largest index.json accepted (a 76B index is about 200 kB). */
#define MAX_INDEX_BYTES ((size_t)64 * 1024 * 1024)

const char *ax_st_dtype_str(enum ax_st_dtype dtype)
{
    return (unsigned)dtype < AX_ST_DTYPE_COUNT ? dtype_names[dtype] : "?";
}

uint32_t ax_st_dtype_size(enum ax_st_dtype dtype)
{
    return (unsigned)dtype < AX_ST_DTYPE_COUNT ? dtype_sizes[dtype] : 0;
}

char *ax_st_format_shape(const uint64_t *shape, uint32_t n_dims, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i <= n_dims && used < size; i++) {
        int n;
        if (i == n_dims)
            n = snprintf(buf + used, size - used, "]");
        else
            n = snprintf(buf + used, size - used, "%s%llu", i ? ", " : "[",
                         (unsigned long long)shape[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    if (n_dims == 0)
        snprintf(buf, size, "[]");
    return buf;
}

/* ---- one file ------------------------------------------------------------ */

/* Maps `path` read-only into `sh`. Fails for missing, unreadable, non-regular,
 * empty and shorter-than-8-byte files. */
static ax_status map_file(const char *path, struct ax_st_shard *sh, struct ax_diag_list *diags)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK); /* a FIFO must not block the open */
    if (fd < 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return AX_ERR_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0, "cannot read: not a regular file");
        close(fd);
        return AX_ERR_IO;
    }
    uint64_t size = (uint64_t)st.st_size;
    if (size < 8) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    size == 0 ? "empty file; a safetensors file starts with an 8-byte header length"
                              : "truncated: %llu bytes, shorter than the 8-byte header length",
                    (unsigned long long)size);
        close(fd);
        return AX_ERR_PARSE;
    }
    void *map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    int map_errno = errno;
    close(fd);
    if (map == MAP_FAILED) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0, "cannot map: %s", strerror(map_errno));
        return AX_ERR_IO;
    }
    sh->path = path;
    sh->file_size = size;
    sh->map = map;
    return AX_OK;
}

static void unmap_file(struct ax_st_shard *sh)
{
    if (sh->map)
        munmap((void *)sh->map, (size_t)sh->file_size);
    sh->map = NULL;
}

static int lookup_dtype(const char *name, enum ax_st_dtype *out)
{
    for (int d = 0; d < AX_ST_DTYPE_COUNT; d++) {
        if (strcmp(name, dtype_names[d]) == 0) {
            *out = (enum ax_st_dtype)d;
            return 1;
        }
    }
    return 0;
}

static int is_unsupported_dtype(const char *name)
{
    for (size_t i = 0; i < sizeof unsupported_dtypes / sizeof unsupported_dtypes[0]; i++) {
        if (strcmp(name, unsupported_dtypes[i]) == 0)
            return 1;
    }
    return 0;
}

/* Reads a JSON integer that must be >= 0 into *out. */
static int get_u64(const json_t *v, uint64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return 0;
    *out = (uint64_t)json_integer_value(v);
    return 1;
}

/* Checks one header entry and fills `t`; returns 1 when it is usable, 0
 * after reporting a problem, -1 when memory ran out. */
static int parse_entry(const struct ax_st_shard *sh, uint32_t shard, uint64_t data_size,
                       const char *name, const json_t *v, struct ax_st_tensor *t,
                       struct ax_arena *arena, struct ax_diag_list *diags)
{
    const char *path = sh->path;
    if (!json_is_object(v)) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "tensor '%s': expected an object with dtype, shape and data_offsets, found %s",
                    name, ax_json_type_str(v));
        return 0;
    }
    const json_t *jd = json_object_get(v, "dtype");
    const json_t *js = json_object_get(v, "shape");
    const json_t *jo = json_object_get(v, "data_offsets");
    int is_ok = 1;
    if (!json_is_string(jd)) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0, "tensor '%s': missing or non-string 'dtype'",
                    name);
        is_ok = 0;
    } else if (!lookup_dtype(json_string_value(jd), &t->dtype)) {
        const char *dn = json_string_value(jd);
        if (is_unsupported_dtype(dn))
            ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                        "tensor '%s': dtype %s is not supported (axon reads F32, BF16, F16 and I8)",
                        name, dn);
        else
            ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                        "tensor '%s': unknown dtype '%s' (axon reads F32, BF16, F16 and I8)", name,
                        dn);
        is_ok = 0;
    }
    uint64_t *shape = NULL;
    uint32_t n_dims = 0;
    if (!json_is_array(js)) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "tensor '%s': missing 'shape' (an array of non-negative integers)", name);
        is_ok = 0;
    } else {
        n_dims = (uint32_t)json_array_size(js);
        shape = ax_arena_calloc(arena, n_dims ? n_dims : 1, sizeof *shape);
        if (!shape)
            return -1;
        for (uint32_t i = 0; i < n_dims; i++) {
            if (!get_u64(json_array_get(js, i), &shape[i])) {
                ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                            "tensor '%s': shape entry %u is not a non-negative integer", name, i);
                is_ok = 0;
            }
        }
    }
    uint64_t begin = 0, end = 0;
    if (!json_is_array(jo) || json_array_size(jo) != 2 || !get_u64(json_array_get(jo, 0), &begin) ||
        !get_u64(json_array_get(jo, 1), &end) || begin > end) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "tensor '%s': 'data_offsets' must be [begin, end] with 0 <= begin <= end",
                    name);
        return 0;
    }
    if (end > data_size) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "tensor '%s': data_offsets [%llu, %llu] run past the end of the data area "
                    "(%llu bytes); the file is truncated or the header is wrong",
                    name, (unsigned long long)begin, (unsigned long long)end,
                    (unsigned long long)data_size);
        is_ok = 0;
    }
    if (!is_ok)
        return 0;
    /* size = product(shape) * dtype size, refusing overflow */
    uint64_t n_bytes = ax_st_dtype_size(t->dtype);
    int is_overflow = 0;
    for (uint32_t i = 0; i < n_dims; i++) {
        if (shape[i] != 0 && n_bytes > UINT64_MAX / shape[i])
            is_overflow = 1;
        else
            n_bytes *= shape[i];
    }
    char sbuf[160];
    if (is_overflow || n_bytes != end - begin) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "tensor '%s': shape %s of %s needs %s%llu bytes but data_offsets [%llu, %llu] "
                    "hold %llu",
                    name, ax_st_format_shape(shape, n_dims, sbuf, sizeof sbuf),
                    ax_st_dtype_str(t->dtype), is_overflow ? "more than " : "",
                    (unsigned long long)(is_overflow ? UINT64_MAX : n_bytes),
                    (unsigned long long)begin, (unsigned long long)end,
                    (unsigned long long)(end - begin));
        return 0;
    }
    t->name = ax_arena_strdup(arena, name);
    if (!t->name)
        return -1;
    t->n_dims = n_dims;
    t->shape = shape;
    t->n_bytes = n_bytes;
    t->offset = begin;
    t->data = sh->map + 8 + sh->header_len + begin;
    t->shard = shard;
    return 1;
}

static int cmp_by_offset(const void *a, const void *b)
{
    const struct ax_st_tensor *x = *(const struct ax_st_tensor *const *)a;
    const struct ax_st_tensor *y = *(const struct ax_st_tensor *const *)b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return x->n_bytes < y->n_bytes ? -1 : x->n_bytes > y->n_bytes;
}

static int cmp_by_name(const void *a, const void *b)
{
    return strcmp(((const struct ax_st_tensor *)a)->name, ((const struct ax_st_tensor *)b)->name);
}

/* Reports every pair of tensors whose byte ranges overlap; returns their
 * count, or -1 when memory ran out. */
static int64_t check_overlaps(const struct ax_st_shard *sh, struct ax_st_tensor *tensors,
                              uint32_t n, struct ax_diag_list *diags)
{
    if (n < 2)
        return 0;
    const struct ax_st_tensor **order = ax_mem_calloc(n, sizeof *order);
    if (!order)
        return -1;
    for (uint32_t i = 0; i < n; i++)
        order[i] = &tensors[i];
    qsort(order, n, sizeof *order, cmp_by_offset);
    int64_t n_overlaps = 0;
    const struct ax_st_tensor *last = NULL; /* the nonempty tensor reaching furthest */
    for (uint32_t i = 0; i < n; i++) {
        const struct ax_st_tensor *t = order[i];
        if (t->n_bytes == 0)
            continue;
        if (last && t->offset < last->offset + last->n_bytes) {
            ax_diag_add(diags, AX_DIAG_ERROR, sh->path, 0, 0,
                        "tensors '%s' (bytes %llu to %llu) and '%s' (bytes %llu to %llu) overlap",
                        last->name, (unsigned long long)last->offset,
                        (unsigned long long)(last->offset + last->n_bytes), t->name,
                        (unsigned long long)t->offset,
                        (unsigned long long)(t->offset + t->n_bytes));
            n_overlaps++;
        }
        if (!last || t->offset + t->n_bytes > last->offset + last->n_bytes)
            last = t;
    }
    ax_mem_free(order);
    return n_overlaps;
}

/* Parses and checks the header of the mapped shard `sh`; on success the
 * tensors (sorted by name) live in `arena`. */
static ax_status parse_header(struct ax_st_shard *sh, uint32_t shard, struct ax_arena *arena,
                              struct ax_st_tensor **out, uint32_t *n_out,
                              struct ax_diag_list *diags)
{
    *out = NULL;
    *n_out = 0;
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; i--)
        header_len = header_len << 8 | sh->map[i];
    if (header_len > AX_ST_MAX_HEADER_BYTES) {
        ax_diag_add(diags, AX_DIAG_ERROR, sh->path, 0, 0,
                    "header length %llu exceeds the limit of %llu bytes; not a safetensors file?",
                    (unsigned long long)header_len, (unsigned long long)AX_ST_MAX_HEADER_BYTES);
        return AX_ERR_LIMIT;
    }
    if (header_len > sh->file_size - 8) {
        ax_diag_add(diags, AX_DIAG_ERROR, sh->path, 0, 0,
                    "header length %llu runs past the end of the file (%llu bytes after the "
                    "length field); the file is truncated",
                    (unsigned long long)header_len, (unsigned long long)(sh->file_size - 8));
        return AX_ERR_PARSE;
    }
    sh->header_len = header_len;
    uint64_t data_size = sh->file_size - 8 - header_len;

    json_error_t err;
    json_t *root =
        json_loadb((const char *)sh->map + 8, (size_t)header_len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        ax_diag_add(diags, AX_DIAG_ERROR, sh->path, 0, 0,
                    "invalid JSON header at line %d, column %d of the header: %s", err.line,
                    err.column, err.text);
        return AX_ERR_PARSE;
    }
    if (!json_is_object(root)) {
        ax_diag_add(diags, AX_DIAG_ERROR, sh->path, 0, 0,
                    "the JSON header must be an object, found %s", ax_json_type_str(root));
        json_decref(root);
        return AX_ERR_PARSE;
    }
    size_t n_entries = json_object_size(root);
    struct ax_st_tensor *tensors =
        ax_arena_calloc(arena, n_entries ? n_entries : 1, sizeof *tensors);
    if (!tensors) {
        json_decref(root);
        return AX_ERR_NOMEM;
    }
    uint32_t n = 0, n_bad = 0;
    int is_oom = 0;
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value) {
        if (strcmp(key, "__metadata__") == 0) {
            if (!json_is_object(value)) {
                ax_diag_add(diags, AX_DIAG_ERROR, sh->path, 0, 0,
                            "'__metadata__' must be an object of strings, found %s",
                            ax_json_type_str(value));
                n_bad++;
            }
            continue;
        }
        int ok = parse_entry(sh, shard, data_size, key, value, &tensors[n], arena, diags);
        if (ok > 0)
            n++;
        else if (ok == 0)
            n_bad++;
        else
            is_oom = 1;
    }
    json_decref(root);
    int64_t n_overlaps = is_oom ? 0 : check_overlaps(sh, tensors, n, diags);
    if (is_oom || n_overlaps < 0)
        return AX_ERR_NOMEM;
    if (n_bad || n_overlaps)
        return AX_ERR_PARSE;
    qsort(tensors, n, sizeof *tensors, cmp_by_name);
    *out = tensors;
    *n_out = n;
    return AX_OK;
}

static const struct ax_st_tensor *find_in(const struct ax_st_tensor *tensors, uint32_t n,
                                          const char *name)
{
    struct ax_st_tensor key = {.name = name};
    return bsearch(&key, tensors, n, sizeof *tensors, cmp_by_name);
}

const struct ax_st_tensor *ax_st_find(const struct ax_st_checkpoint *ck, const char *name)
{
    return ck ? find_in(ck->tensors, ck->n_tensors, name) : NULL;
}

void ax_st_close(struct ax_st_checkpoint *ck)
{
    if (!ck)
        return;
    for (uint32_t i = 0; i < ck->n_shards; i++)
        unmap_file(&ck->shards[i]);
    ax_arena_free(&ck->arena);
    ax_mem_free(ck);
}

static struct ax_st_checkpoint *new_checkpoint(uint32_t n_shards)
{
    struct ax_st_checkpoint *ck = ax_mem_calloc(1, sizeof *ck);
    if (!ck)
        return NULL;
    ax_arena_init(&ck->arena, 0);
    ck->shards = ax_arena_calloc(&ck->arena, n_shards ? n_shards : 1, sizeof *ck->shards);
    if (!ck->shards) {
        ax_st_close(ck);
        return NULL;
    }
    ck->n_shards = n_shards;
    return ck;
}

ax_status ax_st_open_file(const char *path, struct ax_st_checkpoint **out,
                          struct ax_diag_list *diags)
{
    *out = NULL;
    struct ax_st_checkpoint *ck = new_checkpoint(1);
    if (!ck)
        return AX_ERR_NOMEM;
    struct ax_st_shard *sh = &ck->shards[0];
    const char *pcopy = ax_arena_strdup(&ck->arena, path);
    ck->path = pcopy;
    ax_status st = pcopy ? map_file(pcopy, sh, diags) : AX_ERR_NOMEM;
    if (st == AX_OK)
        st = parse_header(sh, 0, &ck->arena, &ck->tensors, &ck->n_tensors, diags);
    if (st != AX_OK) {
        ax_st_close(ck);
        return st;
    }
    for (uint32_t i = 0; i < ck->n_tensors; i++)
        ck->n_data_bytes += ck->tensors[i].n_bytes;
    *out = ck;
    return AX_OK;
}

/* ---- sharded checkpoints ------------------------------------------------- */

static char *join_path(struct ax_arena *arena, const char *dir, const char *name)
{
    size_t nd = strlen(dir), nn = strlen(name);
    char *p = ax_arena_alloc(arena, nd + nn + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, nd);
    size_t k = nd;
    if (nd && dir[nd - 1] != '/')
        p[k++] = '/';
    memcpy(p + k, name, nn + 1);
    return p;
}

/* The directory part of `path` ("." when there is none), in the arena. */
static char *dir_of(struct ax_arena *arena, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ax_arena_strdup(arena, ".");
    if (slash == path)
        return ax_arena_strdup(arena, "/");
    return ax_arena_strndup(arena, path, (size_t)(slash - path));
}

/* A shard name must be a plain file name in the index's directory. */
static int is_plain_name(const char *s)
{
    return s[0] != '\0' && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* One shard while an index is being opened. */
struct shard_tmp {
    const char *name;             /* as the index writes it */
    struct ax_st_tensor *tensors; /* sorted by name */
    uint32_t n_tensors;
    uint32_t n_mapped;        /* index entries naming this shard */
    const char *first_tensor; /* one of them, for messages */
    uint8_t is_open;
    uint8_t *is_listed; /* per tensor: named by the index */
};

/* The state of ax_st_open_index, shared by its steps. */
struct index_open {
    struct ax_json_doc doc;
    const json_t *weight_map;
    struct shard_tmp *shards;
    uint32_t n_shards;
    struct ax_st_checkpoint *ck;
    uint32_t n_errors;
    struct ax_diag_list *diags;
};

/* Reports at the position of `key` in the index. */
static void index_report(struct index_open *x, enum ax_diag_severity sev, const char *key,
                         const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void index_report(struct index_open *x, enum ax_diag_severity sev, const char *key,
                         const char *fmt, ...)
{
    uint32_t line, col;
    ax_json_key_pos(&x->doc, key, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    ax_diag_vadd(x->diags, sev, x->doc.path, line, col, fmt, ap);
    va_end(ap);
    if (sev == AX_DIAG_ERROR)
        x->n_errors++;
}

/* The shard called `name`, or NULL. */
static struct shard_tmp *find_shard(struct index_open *x, const char *name)
{
    for (uint32_t s = 0; s < x->n_shards; s++) {
        if (strcmp(x->shards[s].name, name) == 0)
            return &x->shards[s];
    }
    return NULL;
}

/* Step 1: the distinct shard names of the weight map. */
static ax_status collect_shards(struct index_open *x)
{
    size_t n_entries = json_object_size(x->weight_map);
    x->shards = ax_mem_calloc(n_entries ? n_entries : 1, sizeof *x->shards);
    if (!x->shards)
        return AX_ERR_NOMEM;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)x->weight_map, key, value) {
        if (!json_is_string(value) || !is_plain_name(json_string_value(value))) {
            index_report(x, AX_DIAG_ERROR, key,
                         "tensor '%s': the shard must be a file name in the index's directory",
                         key);
            continue;
        }
        struct shard_tmp *sh = find_shard(x, json_string_value(value));
        if (!sh) {
            sh = &x->shards[x->n_shards++];
            sh->name = json_string_value(value);
            sh->first_tensor = key;
        }
        sh->n_mapped++;
    }
    return AX_OK;
}

/* Step 2: map and check each shard once; a broken shard is an error. */
static ax_status open_shards(struct index_open *x, const char *dir)
{
    struct ax_st_checkpoint *ck = x->ck;
    for (uint32_t s = 0; s < x->n_shards; s++) {
        struct shard_tmp *sh = &x->shards[s];
        const char *path = join_path(&ck->arena, dir, sh->name);
        ax_status st = path ? map_file(path, &ck->shards[s], x->diags) : AX_ERR_NOMEM;
        if (st == AX_OK)
            st =
                parse_header(&ck->shards[s], s, &ck->arena, &sh->tensors, &sh->n_tensors, x->diags);
        if (st == AX_OK) {
            sh->is_listed = ax_arena_calloc(&ck->arena, sh->n_tensors + 1, 1);
            if (!sh->is_listed)
                st = AX_ERR_NOMEM;
        }
        if (st == AX_ERR_NOMEM)
            return st;
        if (st != AX_OK) {
            index_report(x, AX_DIAG_ERROR, sh->first_tensor,
                         "shard '%s', named for %u tensor%s such as '%s', is missing or unusable",
                         sh->name, sh->n_mapped, sh->n_mapped == 1 ? "" : "s", sh->first_tensor);
            continue;
        }
        sh->is_open = 1;
    }
    return AX_OK;
}

/* Step 3: find every index entry in its shard; then warn about tensors the
 * shards hold but the index does not list. */
static ax_status resolve_entries(struct index_open *x)
{
    struct ax_st_checkpoint *ck = x->ck;
    size_t n_entries = json_object_size(x->weight_map);
    ck->tensors = ax_arena_calloc(&ck->arena, n_entries ? n_entries : 1, sizeof *ck->tensors);
    if (!ck->tensors)
        return AX_ERR_NOMEM;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)x->weight_map, key, value) {
        struct shard_tmp *sh =
            json_is_string(value) ? find_shard(x, json_string_value(value)) : NULL;
        if (!sh || !sh->is_open)
            continue; /* already reported */
        const struct ax_st_tensor *t = find_in(sh->tensors, sh->n_tensors, key);
        if (!t) {
            index_report(x, AX_DIAG_ERROR, key,
                         "tensor '%s' is mapped to shard '%s', which does not hold it", key,
                         sh->name);
            continue;
        }
        sh->is_listed[t - sh->tensors] = 1;
        ck->tensors[ck->n_tensors++] = *t;
        ck->n_data_bytes += t->n_bytes;
    }
    for (uint32_t s = 0; s < x->n_shards; s++) {
        const struct shard_tmp *sh = &x->shards[s];
        for (uint32_t i = 0; sh->is_open && i < sh->n_tensors; i++) {
            if (!sh->is_listed[i])
                ax_diag_add(x->diags, AX_DIAG_WARNING, ck->shards[s].path, 0, 0,
                            "holds tensor '%s', which the index does not list; it is ignored",
                            sh->tensors[i].name);
        }
    }
    return AX_OK;
}

/* Step 4: metadata.total_size, when given, should match the tensors. */
static void check_total_size(struct index_open *x)
{
    const json_t *meta = json_object_get(x->doc.root, "metadata");
    const json_t *total = json_is_object(meta) ? json_object_get(meta, "total_size") : NULL;
    if (!total)
        return;
    if (!json_is_integer(total))
        index_report(x, AX_DIAG_WARNING, "total_size",
                     "metadata.total_size is not an integer; ignored");
    else if ((uint64_t)json_integer_value(total) != x->ck->n_data_bytes)
        index_report(x, AX_DIAG_WARNING, "total_size",
                     "metadata.total_size is %lld but the listed tensors hold %llu bytes",
                     (long long)json_integer_value(total), (unsigned long long)x->ck->n_data_bytes);
}

ax_status ax_st_open_index(const char *index_path, struct ax_st_checkpoint **out,
                           struct ax_diag_list *diags)
{
    *out = NULL;
    struct index_open x = {.diags = diags};
    ax_status st = ax_json_doc_load(index_path, MAX_INDEX_BYTES, &x.doc, diags);
    if (st != AX_OK)
        return st;
    x.weight_map = json_object_get(x.doc.root, "weight_map");
    if (!json_is_object(x.weight_map)) {
        index_report(&x, AX_DIAG_ERROR, "weight_map",
                     "'weight_map' must be an object mapping tensor names to shard files");
        ax_json_doc_free(&x.doc);
        return AX_ERR_INVALID;
    }
    st = collect_shards(&x);
    if (st == AX_OK) {
        x.ck = new_checkpoint(x.n_shards);
        char *dir = x.ck ? dir_of(&x.ck->arena, index_path) : NULL;
        if (x.ck)
            x.ck->path = ax_arena_strdup(&x.ck->arena, index_path);
        st = dir && x.ck->path ? open_shards(&x, dir) : AX_ERR_NOMEM;
    }
    if (st == AX_OK)
        st = resolve_entries(&x);
    if (st == AX_OK && !x.n_errors)
        check_total_size(&x);
    if (st == AX_OK && x.n_errors)
        st = AX_ERR_INVALID;
    ax_mem_free(x.shards);
    ax_json_doc_free(&x.doc);
    if (st != AX_OK) {
        ax_st_close(x.ck);
        return st;
    }
    x.ck->is_sharded = 1;
    qsort(x.ck->tensors, x.ck->n_tensors, sizeof *x.ck->tensors, cmp_by_name);
    *out = x.ck;
    return AX_OK;
}

/* ---- model directories --------------------------------------------------- */

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

ax_status ax_st_open_dir(const char *dir, struct ax_st_checkpoint **out, struct ax_diag_list *diags)
{
    *out = NULL;
    struct ax_arena a;
    ax_arena_init(&a, 0);
    const char *index = join_path(&a, dir, "model.safetensors.index.json");
    const char *single = join_path(&a, dir, "model.safetensors");
    ax_status st = AX_OK;
    if (!index || !single)
        st = AX_ERR_NOMEM;
    else if (is_file(index))
        st = ax_st_open_index(index, out, diags);
    else if (is_file(single))
        st = ax_st_open_file(single, out, diags);
    else {
        /* No weights under the standard names: shape-only, unless stray shards lie here. */
        DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            size_t n = strlen(e->d_name), ns = strlen(".safetensors");
            if (n > ns && strcmp(e->d_name + n - ns, ".safetensors") == 0) {
                ax_diag_add(diags, AX_DIAG_ERROR, dir, 0, 0,
                            "holds '%s' but neither model.safetensors nor "
                            "model.safetensors.index.json; axon reads weights under those names",
                            e->d_name);
                st = AX_ERR_INVALID;
                break;
            }
        }
        if (d)
            closedir(d);
    }
    ax_arena_free(&a);
    return st;
}
