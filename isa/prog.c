/* The program container: the binary .axb layout (version 2), reading and
 * writing it, and the small queries on a program in memory. The verifier
 * (ax_prog_validate) is in prog_verify.c; the text form in prog_text.c. */
#include "ax_prog.h"

#include "ax_fs.h"
#include "ax_isa.h"
#include "ax_mem.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The sections of version 2, in this order (kind = position + 1). The
 * first twelve are always present; the thirteenth, wdata (the numbers of
 * weight records), only when at least one record carries data, so that a
 * program without data keeps the layout it always had. Columns: X(NAME,
 * "name", record bytes; 0: variable). */
#define SECTIONS(X)                                                                                \
    X(STRTAB,   "strtab",   1)                                                                     \
    X(META,     "meta",     8)                                                                     \
    X(CONSTS,   "consts",   4)                                                                     \
    X(WEIGHTS,  "weights",  28)                                                                    \
    X(BUFFERS,  "buffers",  28)                                                                    \
    X(STATES,   "states",   28)                                                                    \
    X(ROUTES,   "routes",   0)                                                                     \
    X(BARRIERS, "barriers", 0)                                                                     \
    X(CODE,     "code",     0)                                                                     \
    X(OPMAP,    "opmap",    16)                                                                    \
    X(NODES,    "nodes",    20)                                                                    \
    X(FILES,    "files",    0)                                                                     \
    X(WDATA,    "wdata",    0)
enum section {
#define X(name, str, size) SEC_##name,
    SECTIONS(X)
#undef X
    N_SECTIONS
};
static const char *const section_names[] = {
#define X(name, str, size) str,
    SECTIONS(X)
#undef X
};
static const uint32_t record_size[] = {
#define X(name, str, size) size,
    SECTIONS(X)
#undef X
};
_Static_assert(sizeof section_names / sizeof section_names[0] == N_SECTIONS, "section names");

enum {
    FORMAT_VERSION = 2,
    HEADER_SIZE = 48,
    SECTION_ENTRY_SIZE = 24,
    N_BASE_SECTIONS = SEC_WDATA, /* the sections every program has */
    TABLE_END = HEADER_SIZE + N_SECTIONS * SECTION_ENTRY_SIZE, /* the longest table */
    /* header field offsets */
    OFF_VERSION = 8,
    OFF_HEADER_SIZE = 10,
    OFF_N_SECTIONS = 12,
    OFF_N_CORES = 16,
    OFF_SRAM_WORDS = 20,
    OFF_FILE_SIZE = 24,
    OFF_CRC = 32,
    OFF_CORES_PER_CHIP = 36,
    OFF_DRAM_PER_CHIP = 40,
};
static const char magic[8] = "AXONPRG";

/* Where the sections start after a table of `n` entries. */
static size_t table_end(uint32_t n)
{
    return HEADER_SIZE + (size_t)n * SECTION_ENTRY_SIZE;
}

/* Programs larger than this are refused before anything is allocated. */
#define MAX_PROGRAM_BYTES ((size_t)1 << 32)

/* ---- sizes and lookups ------------------------------------------------------ */

uint64_t ax_prog_weight_words(uint64_t rows, uint64_t cols)
{
    return (rows * cols + 3) / 4 + rows * ((cols + AX_PROG_GROUP - 1) / AX_PROG_GROUP);
}

uint64_t ax_prog_weight_bytes(uint64_t rows, uint64_t cols)
{
    return ax_prog_weight_words(rows, cols) * 4 + rows * 4;
}

uint64_t ax_prog_record_words(const struct ax_prog_weight *w)
{
    return w->is_float ? (uint64_t)w->rows * w->cols : ax_prog_weight_words(w->rows, w->cols);
}

uint64_t ax_prog_record_bytes(const struct ax_prog_weight *w)
{
    return ax_prog_record_words(w) * 4 + (uint64_t)w->rows * 4;
}

static void put_word_f32(uint32_t *w, float f)
{
    memcpy(w, &f, 4);
}

static float word_f32(uint32_t w)
{
    float f;
    memcpy(&f, &w, 4);
    return f;
}

void ax_prog_record_pack(const struct ax_prog_weight *w, const int8_t *codes, const float *scales,
                         const float *values, uint32_t *words)
{
    uint64_t n = (uint64_t)w->rows * w->cols;
    if (w->is_float) {
        for (uint64_t k = 0; k < n; k++)
            put_word_f32(&words[k], values[k]);
        return;
    }
    uint64_t n_code_words = (n + 3) / 4;
    uint64_t ng = (uint64_t)w->rows * ((w->cols + AX_PROG_GROUP - 1) / AX_PROG_GROUP);
    memset(words, 0, (size_t)n_code_words * 4);
    for (uint64_t k = 0; k < n; k++)
        words[k / 4] |= (uint32_t)(uint8_t)codes[k] << (8 * (k % 4));
    for (uint64_t k = 0; k < ng; k++)
        put_word_f32(&words[n_code_words + k], scales[k]);
}

void ax_prog_record_unpack(const struct ax_prog_weight *w, const uint32_t *words, int8_t *codes,
                           float *scales, float *values)
{
    uint64_t n = (uint64_t)w->rows * w->cols;
    if (w->is_float) {
        for (uint64_t k = 0; values && k < n; k++)
            values[k] = word_f32(words[k]);
        return;
    }
    uint64_t n_code_words = (n + 3) / 4;
    uint64_t ng = (uint64_t)w->rows * ((w->cols + AX_PROG_GROUP - 1) / AX_PROG_GROUP);
    for (uint64_t k = 0; codes && k < n; k++)
        codes[k] = (int8_t)(uint8_t)(words[k / 4] >> (8 * (k % 4)));
    for (uint64_t k = 0; scales && k < ng; k++)
        scales[k] = word_f32(words[n_code_words + k]);
}

ax_status ax_prog_set_record_data(struct ax_prog *p, uint32_t id, const uint32_t *words)
{
    uint64_t n = ax_prog_record_words(&p->weights[id]);
    if (n > SIZE_MAX / 4 - 1)
        return AX_ERR_LIMIT;
    uint32_t *copy = ax_arena_alloc(&p->arena, (size_t)n * 4 + 4);
    if (!copy)
        return AX_ERR_NOMEM;
    memcpy(copy, words, (size_t)n * 4);
    p->weights[id].data = copy;
    return AX_OK;
}

int ax_prog_has_all_data(const struct ax_prog *p)
{
    for (uint32_t i = 0; i < p->n_weights; i++)
        if (!p->weights[i].data)
            return 0;
    return 1;
}

static const char *const buffer_kind_names[] = {
#define X(kind, name, meaning) name,
    AX_PROG_BUFFER_KINDS(X)
#undef X
};
_Static_assert(sizeof buffer_kind_names / sizeof buffer_kind_names[0] == AX_PROG_BUF_KIND_COUNT,
               "buffer kind names");

const char *ax_prog_buffer_kind_str(enum ax_prog_buffer_kind k)
{
    return (unsigned)k < AX_PROG_BUF_KIND_COUNT ? buffer_kind_names[k] : "?";
}

int ax_prog_buffer_kind_parse(const char *s, enum ax_prog_buffer_kind *out)
{
    for (int k = 0; k < AX_PROG_BUF_KIND_COUNT; k++) {
        if (strcmp(s, buffer_kind_names[k]) == 0) {
            *out = (enum ax_prog_buffer_kind)k;
            return 0;
        }
    }
    return -1;
}

uint32_t ax_prog_barrier_index(const struct ax_prog_barrier *b, uint32_t core)
{
    uint32_t lo = 0, hi = b->n_cores;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (b->cores[mid] < core)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < b->n_cores && b->cores[lo] == core ? lo : UINT32_MAX;
}

int ax_prog_barrier_lists(const struct ax_prog_barrier *b, uint32_t core)
{
    return ax_prog_barrier_index(b, core) != UINT32_MAX;
}

uint32_t ax_prog_node_entry(const struct ax_prog *p, uint32_t node)
{
    uint32_t lo = 0, hi = p->n_nodes;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p->nodes[mid].node < node)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->n_nodes && p->nodes[lo].node == node ? lo : AX_PROG_NONE;
}

const struct ax_prog_buffer *ax_prog_buffer_at(const struct ax_prog *p, uint32_t core, uint32_t addr)
{
    /* the last buffer that starts at or before (core, addr) */
    uint32_t lo = 0, hi = p->n_buffers;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const struct ax_prog_buffer *b = &p->buffers[mid];
        if (b->core < core || (b->core == core && b->addr <= addr))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const struct ax_prog_buffer *b = &p->buffers[lo - 1];
    if (b->core != core || (uint64_t)addr >= (uint64_t)b->addr + b->words)
        return NULL;
    return b;
}

const struct ax_prog_buffer *ax_prog_buffer_named(const struct ax_prog *p, uint32_t core,
                                                  const char *name)
{
    uint32_t lo = 0, hi = p->n_buffers; /* the core's first buffer */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p->buffers[mid].core < core)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < p->n_buffers && p->buffers[lo].core == core; lo++)
        if (strcmp(p->buffers[lo].name, name) == 0)
            return &p->buffers[lo];
    return NULL;
}

const struct ax_prog_file *ax_prog_find_file(const struct ax_prog *p, const char *name)
{
    for (uint32_t i = 0; i < p->n_files; i++)
        if (strcmp(p->files[i].name, name) == 0)
            return &p->files[i];
    return NULL;
}

ax_status ax_prog_add_file(struct ax_prog *p, const char *name, const void *data, uint64_t size)
{
    if (size > SIZE_MAX)
        return AX_ERR_LIMIT;
    unsigned char *copy = ax_arena_alloc(&p->arena, size ? (size_t)size : 1);
    if (!copy)
        return AX_ERR_NOMEM;
    if (size)
        memcpy(copy, data, (size_t)size);
    for (uint32_t i = 0; i < p->n_files; i++) {
        if (strcmp(p->files[i].name, name) == 0) {
            p->files[i].data = copy;
            p->files[i].size = size;
            return AX_OK;
        }
    }
    struct ax_prog_file *files = ax_arena_calloc(&p->arena, (size_t)p->n_files + 1, sizeof *files);
    char *n = ax_arena_strdup(&p->arena, name);
    if (!files || !n)
        return AX_ERR_NOMEM;
    if (p->n_files)
        memcpy(files, p->files, p->n_files * sizeof *files);
    files[p->n_files++] = (struct ax_prog_file){n, size, copy};
    p->files = files;
    return AX_OK;
}

/* A used core's SRAM: which core, how many bytes its buffers take. */
struct core_bytes {
    uint32_t core;
    uint64_t bytes;
};

static int cmp_core_bytes(const void *a, const void *b)
{
    const struct core_bytes *x = a, *y = b;
    return x->core < y->core ? -1 : x->core > y->core;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

ax_status ax_prog_sram_free(const struct ax_prog *p, uint64_t *min, uint64_t *median)
{
    *min = *median = 0;
    if (!p->n_buffers)
        return AX_OK;
    struct core_bytes *cb = ax_mem_calloc(p->n_buffers, sizeof *cb);
    uint64_t *free_bytes = ax_mem_calloc(p->n_buffers, sizeof *free_bytes);
    if (!cb || !free_bytes) {
        ax_mem_free(cb);
        ax_mem_free(free_bytes);
        return AX_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < p->n_buffers; i++)
        cb[i] = (struct core_bytes){p->buffers[i].core, (uint64_t)p->buffers[i].words * 4};
    qsort(cb, p->n_buffers, sizeof *cb, cmp_core_bytes);
    uint32_t n_used = 0;
    uint64_t capacity = (uint64_t)p->sram_words * 4;
    for (uint32_t i = 0; i < p->n_buffers;) {
        uint64_t used = 0;
        uint32_t j = i;
        for (; j < p->n_buffers && cb[j].core == cb[i].core; j++)
            used += cb[j].bytes;
        free_bytes[n_used++] = used < capacity ? capacity - used : 0;
        i = j;
    }
    qsort(free_bytes, n_used, sizeof *free_bytes, cmp_u64);
    *min = free_bytes[0];
    *median = free_bytes[(n_used - 1) / 2];
    ax_mem_free(cb);
    ax_mem_free(free_bytes);
    return AX_OK;
}

void ax_prog_init(struct ax_prog *p, uint32_t n_cores, uint32_t sram_words)
{
    memset(p, 0, sizeof *p);
    p->n_cores = n_cores;
    p->sram_words = sram_words;
    ax_arena_init(&p->arena, 0);
}

void ax_prog_free(struct ax_prog *p)
{
    ax_arena_free(&p->arena);
    memset(p, 0, sizeof *p);
}

ax_status ax_prog_set_meta(struct ax_prog *p, const char *key, const char *value)
{
    char *v = ax_arena_strdup(&p->arena, value);
    if (!v)
        return AX_ERR_NOMEM;
    for (uint32_t i = 0; i < p->n_meta; i++) {
        if (strcmp(p->meta[i].key, key) == 0) {
            p->meta[i].value = v;
            return AX_OK;
        }
    }
    struct ax_prog_meta *m = ax_arena_calloc(&p->arena, p->n_meta + 1, sizeof *m);
    char *k = ax_arena_strdup(&p->arena, key);
    if (!m || !k)
        return AX_ERR_NOMEM;
    if (p->n_meta)
        memcpy(m, p->meta, p->n_meta * sizeof *m);
    m[p->n_meta++] = (struct ax_prog_meta){k, v};
    p->meta = m;
    return AX_OK;
}

const char *ax_prog_meta(const struct ax_prog *p, const char *key)
{
    for (uint32_t i = 0; i < p->n_meta; i++)
        if (strcmp(p->meta[i].key, key) == 0)
            return p->meta[i].value;
    return NULL;
}

uint32_t ax_prog_batch(const struct ax_prog *p)
{
    const char *s = ax_prog_meta(p, "batch");
    if (!s)
        return 1;
    uint64_t v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9' || (v = v * 10 + (uint64_t)(*c - '0')) > AX_PROG_BATCH_MAX)
            return 0;
    }
    return *s && v >= 1 ? (uint32_t)v : 0;
}

uint64_t ax_prog_bank_words(const struct ax_prog_state *s)
{
    return ((uint64_t)s->rows * s->row_bytes + 3) / 4;
}

/* ---- CRC-32 (IEEE 802.3, reflected, as zlib) ----------------------------- */

static uint32_t crc32(const unsigned char *data, size_t len)
{
    static uint32_t table[256];
    if (!table[1]) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    }
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < len; i++)
        c = table[(c ^ data[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

/* ---- little-endian fields --------------------------------------------------- */

static void set_u32(unsigned char *at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        at[i] = (unsigned char)(v >> (8 * i));
}

static void set_u64(unsigned char *at, uint64_t v)
{
    set_u32(at, (uint32_t)v);
    set_u32(at + 4, (uint32_t)(v >> 32));
}

static uint32_t get_u32(const unsigned char *at)
{
    return (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24;
}

static uint64_t get_u64(const unsigned char *at)
{
    return (uint64_t)get_u32(at) | (uint64_t)get_u32(at + 4) << 32;
}

/* ---- writing ---------------------------------------------------------------- */

/* A growing byte buffer; allocation failure is sticky (is_oom). */
struct buf {
    unsigned char *data;
    size_t len, cap;
    int is_oom;
};

static void put(struct buf *b, const void *src, size_t n)
{
    if (b->is_oom || n == 0)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *d = ax_mem_realloc(b->data, cap);
        if (!d) {
            b->is_oom = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
}

static void put_u32(struct buf *b, uint32_t v)
{
    unsigned char le[4];
    set_u32(le, v);
    put(b, le, 4);
}

static void put_u64(struct buf *b, uint64_t v)
{
    unsigned char le[8];
    set_u64(le, v);
    put(b, le, 8);
}

static void pad8(struct buf *b)
{
    static const unsigned char zeros[8];
    put(b, zeros, (8 - b->len % 8) % 8);
}

/* The string table: strings in first-use order, each once; offset 0 is "".
 * An open-addressing hash of offsets keeps adding linear in the program
 * size (the 7B program names ~100,000 buffers). */
struct strtab {
    struct buf b;
    uint32_t *slots; /* offset + 1, 0: empty */
    size_t n_slots, n_used;
    int is_oom;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static int strtab_grow(struct strtab *t)
{
    size_t n = t->n_slots ? 2 * t->n_slots : 1024;
    uint32_t *slots = ax_mem_calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->n_slots; i++) {
        if (!t->slots[i])
            continue;
        size_t h = hash_str((const char *)t->b.data + t->slots[i] - 1) & (n - 1);
        while (slots[h])
            h = (h + 1) & (n - 1);
        slots[h] = t->slots[i];
    }
    ax_mem_free(t->slots);
    t->slots = slots;
    t->n_slots = n;
    return 0;
}

static uint32_t strtab_add(struct strtab *t, const char *s)
{
    if (!s || !s[0] || t->is_oom)
        return 0;
    if (2 * (t->n_used + 1) > t->n_slots && strtab_grow(t) != 0) {
        t->is_oom = 1;
        return 0;
    }
    size_t h = hash_str(s) & (t->n_slots - 1);
    for (; t->slots[h]; h = (h + 1) & (t->n_slots - 1))
        if (strcmp((const char *)t->b.data + t->slots[h] - 1, s) == 0)
            return t->slots[h] - 1;
    if (t->b.len >= UINT32_MAX - strlen(s) - 1) {
        t->is_oom = 1;
        return 0;
    }
    uint32_t off = (uint32_t)t->b.len;
    put(&t->b, s, strlen(s) + 1);
    if (t->b.is_oom)
        return 0;
    t->slots[h] = off + 1;
    t->n_used++;
    return off;
}

static void write_meta_consts(const struct ax_prog *p, struct strtab *strs, struct buf *sec)
{
    for (uint32_t i = 0; i < p->n_meta; i++) {
        put_u32(&sec[SEC_META], strtab_add(strs, p->meta[i].key));
        put_u32(&sec[SEC_META], strtab_add(strs, p->meta[i].value));
    }
    for (uint32_t i = 0; i < p->n_consts; i++) {
        uint32_t bits;
        memcpy(&bits, &p->consts[i], 4);
        put_u32(&sec[SEC_CONSTS], bits);
    }
}

/* The wdata section: for each record that carries data, in ascending id,
 * u32 id, u32 0, u64 n (its ax_prog_record_words), n words, padding to 8. */
static void write_wdata(const struct ax_prog *p, struct buf *b)
{
    for (uint32_t i = 0; i < p->n_weights; i++) {
        const struct ax_prog_weight *w = &p->weights[i];
        if (!w->data)
            continue;
        uint64_t n = ax_prog_record_words(w);
        put_u32(b, i);
        put_u32(b, 0);
        put_u64(b, n);
        for (uint64_t k = 0; k < n; k++)
            put_u32(b, w->data[k]);
        pad8(b);
    }
}

static void write_weights(const struct ax_prog *p, struct strtab *strs, struct buf *b)
{
    for (uint32_t i = 0; i < p->n_weights; i++) {
        const struct ax_prog_weight *w = &p->weights[i];
        put_u32(b, w->core);
        put_u32(b, strtab_add(strs, w->tensor));
        put_u32(b, w->row0);
        put_u32(b, w->rows);
        put_u32(b, w->col0);
        put_u32(b, w->cols);
        put_u32(b, (w->is_dram ? AX_PROG_WEIGHT_DRAM : 0u) | (w->is_float ? AX_PROG_WEIGHT_FLOAT : 0u));
    }
}

static void write_buffers_states(const struct ax_prog *p, struct strtab *strs, struct buf *sec)
{
    for (uint32_t i = 0; i < p->n_buffers; i++) {
        const struct ax_prog_buffer *b = &p->buffers[i];
        struct buf *o = &sec[SEC_BUFFERS];
        put_u32(o, b->core);
        put_u32(o, b->addr);
        put_u32(o, b->words);
        put_u32(o, (uint32_t)b->kind);
        put_u32(o, b->node);
        put_u32(o, b->ref);
        put_u32(o, strtab_add(strs, b->name));
    }
    for (uint32_t i = 0; i < p->n_states; i++) {
        const struct ax_prog_state *s = &p->states[i];
        struct buf *o = &sec[SEC_STATES];
        put_u32(o, s->core);
        put_u32(o, s->node);
        put_u32(o, (uint32_t)s->kind);
        put_u32(o, s->row0);
        put_u32(o, s->rows);
        put_u32(o, s->row_bytes);
        put_u32(o, s->buffer);
    }
}

static void write_routes_barriers(const struct ax_prog *p, struct buf *sec)
{
    for (uint32_t i = 0; i < p->n_routes; i++) {
        const struct ax_prog_route *r = &p->routes[i];
        put_u32(&sec[SEC_ROUTES], r->src);
        put_u32(&sec[SEC_ROUTES], (uint32_t)r->kind);
        put_u32(&sec[SEC_ROUTES], r->n_dst);
        for (uint32_t d = 0; d < r->n_dst; d++) {
            put_u32(&sec[SEC_ROUTES], r->dst[d].core);
            put_u32(&sec[SEC_ROUTES], r->dst[d].addr);
        }
    }
    for (uint32_t i = 0; i < p->n_barriers; i++) {
        put_u32(&sec[SEC_BARRIERS], p->barriers[i].n_cores);
        for (uint32_t k = 0; k < p->barriers[i].n_cores; k++)
            put_u32(&sec[SEC_BARRIERS], p->barriers[i].cores[k]);
    }
}

static void write_code_opmap(const struct ax_prog *p, struct buf *sec)
{
    for (uint32_t i = 0; i < p->n_code; i++) {
        put_u32(&sec[SEC_CODE], p->code[i].core);
        put_u32(&sec[SEC_CODE], p->code[i].n_instr);
        for (uint32_t j = 0; j < p->code[i].n_instr; j++)
            put_u64(&sec[SEC_CODE], p->code[i].words[j]);
    }
    for (uint32_t i = 0; i < p->n_opmap; i++) {
        put_u32(&sec[SEC_OPMAP], p->opmap[i].core);
        put_u32(&sec[SEC_OPMAP], p->opmap[i].first);
        put_u32(&sec[SEC_OPMAP], p->opmap[i].count);
        put_u32(&sec[SEC_OPMAP], p->opmap[i].node);
    }
}

static void write_nodes_files(const struct ax_prog *p, struct strtab *strs, struct buf *sec)
{
    for (uint32_t i = 0; i < p->n_nodes; i++) {
        const struct ax_prog_node *n = &p->nodes[i];
        put_u32(&sec[SEC_NODES], n->node);
        put_u32(&sec[SEC_NODES], strtab_add(strs, n->name));
        put_u32(&sec[SEC_NODES], strtab_add(strs, n->op));
        put_u32(&sec[SEC_NODES], (uint32_t)n->layer);
        put_u32(&sec[SEC_NODES], strtab_add(strs, n->site));
    }
    for (uint32_t i = 0; i < p->n_files; i++) {
        const struct ax_prog_file *f = &p->files[i];
        put_u32(&sec[SEC_FILES], strtab_add(strs, f->name));
        put_u32(&sec[SEC_FILES], 0);
        put_u64(&sec[SEC_FILES], f->size);
        put(&sec[SEC_FILES], f->data, (size_t)f->size);
        pad8(&sec[SEC_FILES]);
    }
}

/* Lays the header, the section table and the sections out in `file`. */
static void write_container(const struct ax_prog *p, struct buf *sec, struct buf *file)
{
    uint32_t n_sections = N_BASE_SECTIONS;
    for (uint32_t i = 0; i < p->n_weights; i++)
        if (p->weights[i].data)
            n_sections = N_SECTIONS;
    size_t end = table_end(n_sections);
    unsigned char header[TABLE_END] = {0};
    put(file, header, end);
    for (uint32_t s = 0; s < n_sections; s++) {
        pad8(file);
        unsigned char *entry = header + HEADER_SIZE + s * SECTION_ENTRY_SIZE;
        set_u32(entry, (uint32_t)s + 1);
        set_u32(entry + 4, crc32(sec[s].data, sec[s].len));
        set_u64(entry + 8, file->len);
        set_u64(entry + 16, sec[s].len);
        put(file, sec[s].data, sec[s].len);
    }
    pad8(file);
    if (file->is_oom)
        return;
    memcpy(header, magic, 8);
    header[OFF_VERSION] = FORMAT_VERSION;
    header[OFF_HEADER_SIZE] = HEADER_SIZE;
    set_u32(header + OFF_N_SECTIONS, n_sections);
    set_u32(header + OFF_N_CORES, p->n_cores);
    set_u32(header + OFF_SRAM_WORDS, p->sram_words);
    set_u64(header + OFF_FILE_SIZE, file->len);
    set_u32(header + OFF_CORES_PER_CHIP, p->cores_per_chip);
    set_u64(header + OFF_DRAM_PER_CHIP, p->dram_bytes_per_chip);
    set_u32(header + OFF_CRC, crc32(header, end)); /* with this field still zero */
    memcpy(file->data, header, end);
}

ax_status ax_prog_encode(const struct ax_prog *p, unsigned char **out, size_t *len,
                         struct ax_diag_list *diags)
{
    *out = NULL;
    *len = 0;
    ax_status st = ax_prog_validate(p, "program", diags);
    if (st != AX_OK)
        return st;
    struct strtab strs = {{NULL, 0, 0, 0}, NULL, 0, 0, 0};
    put(&strs.b, "", 1);
    struct buf sec[N_SECTIONS] = {{0}};
    write_meta_consts(p, &strs, sec);
    write_weights(p, &strs, &sec[SEC_WEIGHTS]);
    write_buffers_states(p, &strs, sec);
    write_routes_barriers(p, sec);
    write_code_opmap(p, sec);
    write_nodes_files(p, &strs, sec);
    write_wdata(p, &sec[SEC_WDATA]);
    sec[SEC_STRTAB] = strs.b;
    struct buf file = {0};
    write_container(p, sec, &file);
    int is_oom = file.is_oom || strs.is_oom;
    for (int s = 0; s < N_SECTIONS; s++) {
        is_oom |= sec[s].is_oom;
        ax_mem_free(sec[s].data);
    }
    ax_mem_free(strs.slots);
    if (is_oom) {
        ax_mem_free(file.data);
        return AX_ERR_NOMEM;
    }
    *out = file.data;
    *len = file.len;
    return AX_OK;
}

void ax_prog_reseal(unsigned char *data, size_t len)
{
    if (len < table_end(N_BASE_SECTIONS))
        return;
    uint32_t n_sections = get_u32(data + OFF_N_SECTIONS) == N_SECTIONS && len >= TABLE_END
                              ? N_SECTIONS
                              : N_BASE_SECTIONS;
    for (uint32_t s = 0; s < n_sections; s++) {
        unsigned char *e = data + HEADER_SIZE + s * SECTION_ENTRY_SIZE;
        uint64_t off = get_u64(e + 8), size = get_u64(e + 16);
        if (off <= len && size <= len - off)
            set_u32(e + 4, crc32(data + off, size));
    }
    set_u32(data + OFF_CRC, 0);
    set_u32(data + OFF_CRC, crc32(data, table_end(n_sections)));
}

/* ---- reading ------------------------------------------------------------------ */

struct reader {
    const char *file;
    struct ax_diag_list *diags;
    uint32_t n_errors;
    struct ax_prog *p;
    const unsigned char *sec[N_SECTIONS];
    uint64_t sec_len[N_SECTIONS];
    uint64_t sec_off[N_SECTIONS];
    uint32_t n_sections; /* N_BASE_SECTIONS, or N_SECTIONS with wdata */
};

static void fail(struct reader *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void fail(struct reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ax_diag_vadd(r->diags, AX_DIAG_ERROR, r->file, 0, 0, fmt, ap);
    va_end(ap);
    r->n_errors++;
}

/* Copies the string at `off` of the string table into the arena; refuses an
 * offset outside the table or a string without its NUL. */
static const char *read_str(struct reader *r, uint32_t off, const char *what, uint32_t index)
{
    const unsigned char *t = r->sec[SEC_STRTAB];
    uint64_t n = r->sec_len[SEC_STRTAB];
    if (off >= n || !memchr(t + off, '\0', n - off)) {
        fail(r, "%s %u: string offset %u is outside the string table (%llu bytes)", what, index,
             off, (unsigned long long)n);
        return "";
    }
    const char *s = ax_arena_strdup(&r->p->arena, (const char *)t + off);
    return s ? s : "";
}

/* Checks the magic, the version and the sizes of the header and table;
 * returns 0 when the section table may be read. */
static int read_header(struct reader *r, const unsigned char *data, size_t len, ax_status *st)
{
    *st = AX_ERR_PARSE;
    if (len < 8 || memcmp(data, magic, 8) != 0) {
        fail(r, "not an axon program (bad magic at offset 0); expected a file written by "
             "'axon asm' or 'axon compile -o'");
        return -1;
    }
    if (len < OFF_N_SECTIONS) {
        fail(r, "truncated: %zu bytes, but the header and section table take %d", len, TABLE_END);
        return -1;
    }
    unsigned version = data[OFF_VERSION] | data[OFF_VERSION + 1] << 8;
    unsigned header_size = data[OFF_HEADER_SIZE] | data[OFF_HEADER_SIZE + 1] << 8;
    if (version == 1) {
        fail(r, "program format version 1 is no longer read: compile it again with this axon "
             "(axon compile MODEL --chip CHIP -o PROG.axb)");
        *st = AX_ERR_UNSUPPORTED;
        return -1;
    }
    if (version != FORMAT_VERSION || header_size != HEADER_SIZE) {
        fail(r, "program format version %u (header %u bytes) is not one this axon reads; "
             "expected version %d", version, header_size, FORMAT_VERSION);
        *st = AX_ERR_UNSUPPORTED;
        return -1;
    }
    size_t end = table_end(N_BASE_SECTIONS);
    if (len < end) {
        fail(r, "truncated: %zu bytes, but the header and section table take %zu", len, end);
        return -1;
    }
    uint32_t n_sections = get_u32(data + OFF_N_SECTIONS);
    if (n_sections != N_BASE_SECTIONS && n_sections != N_SECTIONS) {
        fail(r, "%u sections; version %d has %d, or %d when weight records carry data",
             n_sections, FORMAT_VERSION, N_BASE_SECTIONS, N_SECTIONS);
        return -1;
    }
    end = table_end(n_sections);
    if (len < end) {
        fail(r, "truncated: %zu bytes, but the header and section table take %zu", len, end);
        return -1;
    }
    uint64_t file_size = get_u64(data + OFF_FILE_SIZE);
    if (file_size != len) {
        fail(r, "truncated or padded: the header says %llu bytes, the file has %zu",
             (unsigned long long)file_size, len);
        return -1;
    }
    unsigned char header[TABLE_END];
    memcpy(header, data, end);
    uint32_t want_crc = get_u32(header + OFF_CRC);
    set_u32(header + OFF_CRC, 0);
    if (crc32(header, end) != want_crc) {
        fail(r, "header checksum mismatch at offset 32 (the header or section table is corrupt)");
        return -1;
    }
    r->n_sections = n_sections;
    r->p->n_cores = get_u32(data + OFF_N_CORES);
    r->p->sram_words = get_u32(data + OFF_SRAM_WORDS);
    r->p->cores_per_chip = get_u32(data + OFF_CORES_PER_CHIP);
    r->p->dram_bytes_per_chip = get_u64(data + OFF_DRAM_PER_CHIP);
    return 0;
}

/* Reads the section table: kinds in order, each section 8-byte aligned,
 * inside the file, after the previous one, with its checksum, and a whole
 * number of records. */
static int read_sections(struct reader *r, const unsigned char *data, size_t len)
{
    uint64_t prev_end = table_end(r->n_sections);
    for (int s = 0; s < (int)r->n_sections; s++) {
        const unsigned char *e = data + HEADER_SIZE + s * SECTION_ENTRY_SIZE;
        uint64_t off = get_u64(e + 8), size = get_u64(e + 16);
        if (get_u32(e) != (uint32_t)s + 1) {
            fail(r, "section %d at offset %d has kind %u; expected %u (%s)", s,
                 HEADER_SIZE + s * SECTION_ENTRY_SIZE, get_u32(e), (unsigned)s + 1,
                 section_names[s]);
            return -1;
        }
        if (off % 8 || off < prev_end || off > len || size > len - off) {
            fail(r, "section %s (offset %llu, %llu bytes) lies outside the file or overlaps "
                 "the previous one", section_names[s], (unsigned long long)off,
                 (unsigned long long)size);
            return -1;
        }
        if (crc32(data + off, (size_t)size) != get_u32(e + 4)) {
            fail(r, "section %s checksum mismatch (data at offset %llu is corrupt)",
                 section_names[s], (unsigned long long)off);
            return -1;
        }
        if (record_size[s] > 1 && size % record_size[s] != 0) {
            fail(r, "section %s: %llu bytes is not a whole number of %u-byte records",
                 section_names[s], (unsigned long long)size, record_size[s]);
            return -1;
        }
        r->sec[s] = data + off;
        r->sec_len[s] = size;
        r->sec_off[s] = off;
        prev_end = off + size;
    }
    if (r->sec_len[SEC_STRTAB] == 0 || r->sec[SEC_STRTAB][0] != '\0') {
        fail(r, "section strtab must start with the empty string (a NUL byte at offset %llu)",
             (unsigned long long)r->sec_off[SEC_STRTAB]);
        return -1;
    }
    return 0;
}

/* Allocates `n` zeroed records of `size` bytes (one more, so that an empty
 * table is not NULL); the caller has bounded n by the section size. */
static void *alloc_records(struct reader *r, uint64_t n, size_t size)
{
    return ax_arena_calloc(&r->p->arena, (size_t)n + 1, size);
}

static int read_meta_consts(struct reader *r)
{
    struct ax_prog *p = r->p;
    p->n_meta = (uint32_t)(r->sec_len[SEC_META] / 8);
    p->n_consts = (uint32_t)(r->sec_len[SEC_CONSTS] / 4);
    p->meta = alloc_records(r, p->n_meta, sizeof *p->meta);
    p->consts = alloc_records(r, p->n_consts, sizeof *p->consts);
    if (!p->meta || !p->consts)
        return -2;
    for (uint32_t i = 0; i < p->n_meta; i++) {
        const unsigned char *m = r->sec[SEC_META] + 8 * (size_t)i;
        p->meta[i].key = read_str(r, get_u32(m), "meta entry", i);
        p->meta[i].value = read_str(r, get_u32(m + 4), "meta entry", i);
    }
    for (uint32_t i = 0; i < p->n_consts; i++) {
        uint32_t bits = get_u32(r->sec[SEC_CONSTS] + 4 * (size_t)i);
        memcpy(&p->consts[i], &bits, 4);
    }
    return 0;
}

static int read_weights(struct reader *r)
{
    struct ax_prog *p = r->p;
    p->n_weights = (uint32_t)(r->sec_len[SEC_WEIGHTS] / 28);
    p->weights = alloc_records(r, p->n_weights, sizeof *p->weights);
    if (!p->weights)
        return -2;
    for (uint32_t i = 0; i < p->n_weights; i++) {
        const unsigned char *w = r->sec[SEC_WEIGHTS] + 28 * (size_t)i;
        struct ax_prog_weight *pw = &p->weights[i];
        pw->core = get_u32(w);
        pw->tensor = read_str(r, get_u32(w + 4), "weight record", i);
        pw->row0 = get_u32(w + 8);
        pw->rows = get_u32(w + 12);
        pw->col0 = get_u32(w + 16);
        pw->cols = get_u32(w + 20);
        uint32_t flags = get_u32(w + 24);
        if (flags & ~(uint32_t)(AX_PROG_WEIGHT_DRAM | AX_PROG_WEIGHT_FLOAT))
            fail(r, "weight record %u: unknown flags 0x%x (bit 0: DRAM, bit 1: float)", i, flags);
        pw->is_dram = (flags & AX_PROG_WEIGHT_DRAM) != 0;
        pw->is_float = (flags & AX_PROG_WEIGHT_FLOAT) != 0;
    }
    return 0;
}

static int read_buffers_states(struct reader *r)
{
    struct ax_prog *p = r->p;
    p->n_buffers = (uint32_t)(r->sec_len[SEC_BUFFERS] / 28);
    p->n_states = (uint32_t)(r->sec_len[SEC_STATES] / 28);
    p->buffers = alloc_records(r, p->n_buffers, sizeof *p->buffers);
    p->states = alloc_records(r, p->n_states, sizeof *p->states);
    if (!p->buffers || !p->states)
        return -2;
    for (uint32_t i = 0; i < p->n_buffers; i++) {
        const unsigned char *b = r->sec[SEC_BUFFERS] + 28 * (size_t)i;
        uint32_t kind = get_u32(b + 12);
        p->buffers[i] = (struct ax_prog_buffer){
            get_u32(b), get_u32(b + 4), get_u32(b + 8),
            kind < AX_PROG_BUF_KIND_COUNT ? (enum ax_prog_buffer_kind)kind : AX_PROG_BUF_KIND_COUNT,
            get_u32(b + 16), get_u32(b + 20), read_str(r, get_u32(b + 24), "buffer", i)};
        if (kind >= AX_PROG_BUF_KIND_COUNT)
            fail(r, "buffer %u: unknown kind %u (%d kinds)", i, kind, AX_PROG_BUF_KIND_COUNT);
    }
    for (uint32_t i = 0; i < p->n_states; i++) {
        const unsigned char *s = r->sec[SEC_STATES] + 28 * (size_t)i;
        uint32_t kind = get_u32(s + 8);
        if (kind >= AX_PROG_STATE_KIND_COUNT)
            fail(r, "state %u: unknown kind %u (0 gla, 1 kv)", i, kind);
        p->states[i] = (struct ax_prog_state){
            get_u32(s), get_u32(s + 4),
            kind < AX_PROG_STATE_KIND_COUNT ? (enum ax_prog_state_kind)kind : AX_PROG_STATE_KIND_COUNT,
            get_u32(s + 12), get_u32(s + 16), get_u32(s + 20), get_u32(s + 24)};
    }
    return 0;
}

static int read_opmap_nodes(struct reader *r)
{
    struct ax_prog *p = r->p;
    p->n_opmap = (uint32_t)(r->sec_len[SEC_OPMAP] / 16);
    p->n_nodes = (uint32_t)(r->sec_len[SEC_NODES] / 20);
    p->opmap = alloc_records(r, p->n_opmap, sizeof *p->opmap);
    p->nodes = alloc_records(r, p->n_nodes, sizeof *p->nodes);
    if (!p->opmap || !p->nodes)
        return -2;
    for (uint32_t i = 0; i < p->n_opmap; i++) {
        const unsigned char *m = r->sec[SEC_OPMAP] + 16 * (size_t)i;
        p->opmap[i] = (struct ax_prog_opmap){get_u32(m), get_u32(m + 4), get_u32(m + 8),
                                             get_u32(m + 12)};
    }
    for (uint32_t i = 0; i < p->n_nodes; i++) {
        const unsigned char *n = r->sec[SEC_NODES] + 20 * (size_t)i;
        p->nodes[i] = (struct ax_prog_node){get_u32(n), read_str(r, get_u32(n + 4), "node", i),
                                            read_str(r, get_u32(n + 8), "node", i),
                                            (int32_t)get_u32(n + 12),
                                            read_str(r, get_u32(n + 16), "node", i)};
    }
    return 0;
}

/* The byte length of the variable-size record at `d` (`left` bytes remain
 * in its section), or 0 when it does not fit. Overflow-safe: every count is
 * compared against what is left before it is multiplied. */
typedef uint64_t (*record_len_fn)(const unsigned char *d, uint64_t left);

static uint64_t route_len(const unsigned char *d, uint64_t left)
{
    return left >= 12 && (left - 12) / 8 >= get_u32(d + 8) ? 12 + 8 * (uint64_t)get_u32(d + 8) : 0;
}

static uint64_t barrier_len(const unsigned char *d, uint64_t left)
{
    return left >= 4 && (left - 4) / 4 >= get_u32(d) ? 4 + 4 * (uint64_t)get_u32(d) : 0;
}

static uint64_t code_len(const unsigned char *d, uint64_t left)
{
    return left >= 8 && (left - 8) / 8 >= get_u32(d + 4) ? 8 + 8 * (uint64_t)get_u32(d + 4) : 0;
}

static uint64_t file_len(const unsigned char *d, uint64_t left)
{
    if (left < 16 || get_u64(d + 8) > left - 16)
        return 0;
    uint64_t n = 16 + get_u64(d + 8);
    n += (8 - n % 8) % 8;
    return n <= left ? n : 0;
}

/* Counts the records of variable-size section `s`; -1 (with a message) when
 * one is truncated. */
static int count_records(struct reader *r, enum section s, record_len_fn len_of, uint32_t *count)
{
    uint64_t at = 0, n = r->sec_len[s];
    *count = 0;
    while (at < n) {
        uint64_t l = len_of(r->sec[s] + at, n - at);
        if (l == 0) {
            fail(r, "section %s: record %u at offset %llu is truncated", section_names[s], *count,
                 (unsigned long long)(r->sec_off[s] + at));
            return -1;
        }
        at += l;
        (*count)++;
    }
    return 0;
}

static int read_routes(struct reader *r)
{
    struct ax_prog *p = r->p;
    if (count_records(r, SEC_ROUTES, route_len, &p->n_routes))
        return -1;
    p->routes = alloc_records(r, p->n_routes, sizeof *p->routes);
    if (!p->routes)
        return -2;
    const unsigned char *d = r->sec[SEC_ROUTES];
    for (uint32_t i = 0; i < p->n_routes; i++) {
        struct ax_prog_route *rt = &p->routes[i];
        uint32_t kind = get_u32(d + 4);
        if (kind >= AX_PROG_ROUTE_KIND_COUNT)
            fail(r, "route %u: unknown kind %u (0 spikes, 1 values)", i, kind);
        rt->src = get_u32(d);
        rt->kind = kind < AX_PROG_ROUTE_KIND_COUNT ? (enum ax_prog_route_kind)kind
                                                   : AX_PROG_ROUTE_KIND_COUNT;
        rt->n_dst = get_u32(d + 8);
        rt->dst = alloc_records(r, rt->n_dst, sizeof *rt->dst);
        if (!rt->dst)
            return -2;
        for (uint32_t k = 0; k < rt->n_dst; k++)
            rt->dst[k] = (struct ax_prog_dest){get_u32(d + 12 + 8 * (size_t)k),
                                               get_u32(d + 16 + 8 * (size_t)k)};
        d += 12 + 8 * (size_t)rt->n_dst;
    }
    return 0;
}

static int read_barriers(struct reader *r)
{
    struct ax_prog *p = r->p;
    if (count_records(r, SEC_BARRIERS, barrier_len, &p->n_barriers))
        return -1;
    p->barriers = alloc_records(r, p->n_barriers, sizeof *p->barriers);
    if (!p->barriers)
        return -2;
    const unsigned char *d = r->sec[SEC_BARRIERS];
    for (uint32_t i = 0; i < p->n_barriers; i++) {
        struct ax_prog_barrier *b = &p->barriers[i];
        b->n_cores = get_u32(d);
        b->cores = alloc_records(r, b->n_cores, sizeof *b->cores);
        if (!b->cores)
            return -2;
        for (uint32_t k = 0; k < b->n_cores; k++)
            b->cores[k] = get_u32(d + 4 + 4 * (size_t)k);
        d += 4 + 4 * (size_t)b->n_cores;
    }
    return 0;
}

static int read_code(struct reader *r)
{
    struct ax_prog *p = r->p;
    if (count_records(r, SEC_CODE, code_len, &p->n_code))
        return -1;
    p->code = alloc_records(r, p->n_code, sizeof *p->code);
    if (!p->code)
        return -2;
    const unsigned char *d = r->sec[SEC_CODE];
    for (uint32_t i = 0; i < p->n_code; i++) {
        struct ax_prog_code *k = &p->code[i];
        k->core = get_u32(d);
        k->n_instr = get_u32(d + 4);
        k->words = alloc_records(r, k->n_instr, sizeof *k->words);
        if (!k->words)
            return -2;
        for (uint32_t j = 0; j < k->n_instr; j++)
            k->words[j] = get_u64(d + 8 + 8 * (size_t)j);
        d += 8 + 8 * (size_t)k->n_instr;
    }
    return 0;
}

static int read_files(struct reader *r)
{
    struct ax_prog *p = r->p;
    if (count_records(r, SEC_FILES, file_len, &p->n_files))
        return -1;
    p->files = alloc_records(r, p->n_files, sizeof *p->files);
    if (!p->files)
        return -2;
    const unsigned char *d = r->sec[SEC_FILES];
    for (uint32_t i = 0; i < p->n_files; i++) {
        struct ax_prog_file *f = &p->files[i];
        f->name = read_str(r, get_u32(d), "file", i);
        if (get_u32(d + 4) != 0)
            fail(r, "file %u ('%s'): the field after the name must be 0, not %u", i, f->name,
                 get_u32(d + 4));
        f->size = get_u64(d + 8);
        unsigned char *copy = ax_arena_alloc(&p->arena, (size_t)f->size + 1);
        if (!copy)
            return -2;
        memcpy(copy, d + 16, (size_t)f->size);
        f->data = copy;
        uint64_t n = 16 + f->size;
        d += n + (8 - n % 8) % 8;
    }
    return 0;
}

static uint64_t wdata_len(const unsigned char *d, uint64_t left)
{
    if (left < 16 || get_u64(d + 8) > (left - 16) / 4)
        return 0;
    uint64_t n = 16 + 4 * get_u64(d + 8);
    n += (8 - n % 8) % 8;
    return n <= left ? n : 0;
}

/* The wdata section (present: it has at least one record): records in
 * ascending weight id, each exactly its record's words, padding zero. */
static int read_wdata(struct reader *r)
{
    struct ax_prog *p = r->p;
    if (r->n_sections < N_SECTIONS)
        return 0;
    uint32_t n_records;
    if (count_records(r, SEC_WDATA, wdata_len, &n_records))
        return -1;
    if (n_records == 0) {
        fail(r, "section wdata is empty; a program without weight data has %d sections",
             N_BASE_SECTIONS);
        return -1;
    }
    const unsigned char *d = r->sec[SEC_WDATA];
    uint32_t next = 0; /* the lowest id the next record may have */
    for (uint32_t i = 0; i < n_records; i++) {
        uint32_t id = get_u32(d);
        uint64_t n = get_u64(d + 8), len = wdata_len(d, UINT64_MAX);
        if (id >= p->n_weights || id < next) {
            fail(r, "wdata record %u names weight record %u; expected one of %u..%u, in "
                 "ascending order, each once", i, id, next, p->n_weights ? p->n_weights - 1 : 0);
            return -1;
        }
        struct ax_prog_weight *w = &p->weights[id];
        int has_padding = 0;
        for (uint64_t k = 16 + 4 * n; k < len; k++)
            has_padding |= d[k] != 0;
        if (n != ax_prog_record_words(w)) {
            fail(r, "wdata record %u: weight record %u (%u x %u%s) takes %llu words, not %llu", i,
                 id, w->rows, w->cols, w->is_float ? ", float" : "",
                 (unsigned long long)ax_prog_record_words(w), (unsigned long long)n);
            return -1;
        }
        if (get_u32(d + 4) != 0 || has_padding) {
            fail(r, "wdata record %u (weight record %u): its reserved field and padding must be 0",
                 i, id);
            return -1;
        }
        uint32_t *words = alloc_records(r, n, 4);
        if (!words)
            return -2;
        for (uint64_t k = 0; k < n; k++)
            words[k] = get_u32(d + 16 + 4 * k);
        w->data = words;
        next = id + 1;
        d += len;
    }
    return 0;
}

ax_status ax_prog_decode(struct ax_prog *p, const char *file, const unsigned char *data, size_t len,
                         struct ax_diag_list *diags)
{
    ax_prog_init(p, 0, 0);
    struct reader r = {file, diags, 0, p, {0}, {0}, {0}, N_BASE_SECTIONS};
    ax_status st;
    if (read_header(&r, data, len, &st) != 0)
        return st;
    if (len > MAX_PROGRAM_BYTES) {
        fail(&r, "%zu bytes is more than this axon reads (%zu)", len, MAX_PROGRAM_BYTES);
        return AX_ERR_LIMIT;
    }
    if (read_sections(&r, data, len) != 0)
        return AX_ERR_PARSE;
    int (*const readers[])(struct reader *) = {read_meta_consts, read_weights, read_buffers_states,
                                               read_routes, read_barriers, read_code,
                                               read_opmap_nodes, read_files, read_wdata};
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
        int rc = readers[i](&r); /* -1: refused (said why), -2: out of memory */
        if (rc == -1)
            return AX_ERR_PARSE;
        if (rc == -2) {
            fail(&r, "out of memory while reading the program");
            return AX_ERR_NOMEM;
        }
    }
    if (r.n_errors)
        return AX_ERR_PARSE;
    return ax_prog_validate(p, file, diags);
}

ax_status ax_prog_load(struct ax_prog *p, const char *path, struct ax_diag_list *diags)
{
    char *text;
    size_t len;
    ax_prog_init(p, 0, 0);
    ax_status st = ax_fs_read_file(path, MAX_PROGRAM_BYTES, &text, &len, diags);
    if (st != AX_OK)
        return st;
    st = ax_prog_decode(p, path, (const unsigned char *)text, len, diags);
    ax_mem_free(text);
    return st;
}

ax_status ax_prog_save(const struct ax_prog *p, const char *path, struct ax_diag_list *diags)
{
    unsigned char *data;
    size_t len;
    ax_status st = ax_prog_encode(p, &data, &len, diags);
    if (st != AX_OK)
        return st;
    st = ax_fs_write_atomic(path, data, len, diags);
    ax_mem_free(data);
    return st;
}
