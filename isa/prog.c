/* The program container: validation and the binary .axb layout. */
#include "ax_prog.h"

#include "ax_fs.h"
#include "ax_isa.h"
#include "ax_mem.h"

#include <stdarg.h>
#include <string.h>

/* The sections of version 1, always all present, in this order. */
enum section_kind {
    SECTION_STRTAB = 1,
    SECTION_META,
    SECTION_CONSTS,
    SECTION_WEIGHTS,
    SECTION_ROUTES,
    SECTION_CODE,
    SECTION_OPMAP,
    SECTION_END
};
enum { N_SECTIONS = SECTION_END - SECTION_STRTAB, HEADER_SIZE = 48, SECTION_ENTRY_SIZE = 24 };
static const char magic[8] = "AXONPRG";
static const char *const section_names[] = {"strtab", "meta", "consts", "weights",
                                            "routes", "code", "opmap"};
_Static_assert(sizeof section_names / sizeof section_names[0] == N_SECTIONS, "section names");

/* Programs larger than this are refused before anything is allocated. */
#define MAX_PROGRAM_BYTES ((size_t)1 << 32)

uint64_t ax_prog_weight_bytes(uint64_t rows, uint64_t cols)
{
    return (rows * cols + 3) / 4 * 4 + rows * ((cols + 127) / 128) * 4 + rows * 4;
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

/* ---- validation ------------------------------------------------------------ */

struct checker {
    const char *file;
    struct ax_diag_list *diags;
    uint32_t n_errors;
};

static void fail(struct checker *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void fail(struct checker *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ax_diag_vadd(c->diags, AX_DIAG_ERROR, c->file, 0, 0, fmt, ap);
    va_end(ap);
    c->n_errors++;
}

/* Checks each operand of one instruction against what its name says it is:
 * an SRAM address, a weight block, a route, or a plain number. */
static void check_operands(struct checker *c, const struct ax_prog *p, uint32_t core, uint32_t at,
                           const struct ax_isa_instr *in)
{
    const char *names = ax_isa_operands(in->op);
    const uint64_t ops[3] = {in->a, in->b, in->c};
    for (int i = 0; *names && i < 3; i++) {
        size_t len = strcspn(names, ",");
        char name[16];
        snprintf(name, sizeof name, "%.*s", (int)len, names);
        names += len + (names[len] == ',');
        if (strcmp(name, "block") == 0 || strcmp(name, "ref") == 0) {
            if (ops[i] >= p->n_weights)
                fail(c, "core %u, instruction %u (%s): weight block %llu does not exist (%u blocks)",
                     core, at, ax_isa_mnemonic(in->op), (unsigned long long)ops[i], p->n_weights);
        } else if (strcmp(name, "route") == 0) {
            if (ops[i] >= p->n_routes)
                fail(c, "core %u, instruction %u (%s): route %llu does not exist (%u routes)", core,
                     at, ax_isa_mnemonic(in->op), (unsigned long long)ops[i], p->n_routes);
        } else if (strcmp(name, "id") != 0 && strcmp(name, "n") != 0 && strcmp(name, "count") != 0) {
            if (ops[i] >= p->sram_words)
                fail(c, "core %u, instruction %u (%s): address %llu of '%s' is beyond the core's "
                     "%u SRAM words", core, at, ax_isa_mnemonic(in->op), (unsigned long long)ops[i],
                     name, p->sram_words);
        }
    }
}

ax_status ax_prog_validate(const struct ax_prog *p, const char *file, struct ax_diag_list *diags)
{
    struct checker c = {file, diags, 0};
    if (p->n_cores == 0 || p->sram_words == 0)
        fail(&c, "a program needs at least one core and one SRAM word (cores %u, words %u)",
             p->n_cores, p->sram_words);
    for (uint32_t i = 0; i < p->n_weights; i++) {
        const struct ax_prog_weight *w = &p->weights[i];
        if (w->core >= p->n_cores)
            fail(&c, "weight block %u: core %u is out of range (%u cores)", i, w->core, p->n_cores);
        if (w->rows == 0 || w->cols == 0 || !w->tensor || !w->tensor[0])
            fail(&c, "weight block %u: needs a tensor name and at least one row and column", i);
    }
    for (uint32_t i = 0; i < p->n_routes; i++) {
        const struct ax_prog_route *r = &p->routes[i];
        if (r->src >= p->n_cores)
            fail(&c, "route %u: source core %u is out of range (%u cores)", i, r->src, p->n_cores);
        if (r->n_dst == 0)
            fail(&c, "route %u: no destination", i);
        for (uint32_t d = 0; d < r->n_dst; d++) {
            if (r->dst[d] >= p->n_cores)
                fail(&c, "route %u: destination core %u is out of range (%u cores)", i, r->dst[d],
                     p->n_cores);
        }
    }
    for (uint32_t i = 0; i < p->n_code; i++) {
        const struct ax_prog_code *k = &p->code[i];
        if (k->core >= p->n_cores)
            fail(&c, "code for core %u: out of range (%u cores)", k->core, p->n_cores);
        if (i > 0 && k->core <= p->code[i - 1].core)
            fail(&c, "code for core %u follows core %u; cores must ascend, each once", k->core,
                 p->code[i - 1].core);
        for (uint32_t j = 0; j < k->n_instr; j++) {
            struct ax_isa_instr in;
            if (ax_isa_decode(k->words[j], &in) != 0)
                fail(&c, "core %u, instruction %u: 0x%016llx is not a valid instruction", k->core,
                     j, (unsigned long long)k->words[j]);
            else
                check_operands(&c, p, k->core, j, &in);
        }
    }
    for (uint32_t i = 0; i < p->n_opmap; i++) {
        const struct ax_prog_opmap *m = &p->opmap[i];
        /* code records ascend by core (checked above): binary search */
        const struct ax_prog_code *k = NULL;
        uint32_t lo = 0, hi = p->n_code;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (p->code[mid].core < m->core)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < p->n_code && p->code[lo].core == m->core)
            k = &p->code[lo];
        if (!k || (uint64_t)m->first + m->count > k->n_instr)
            fail(&c, "opmap entry %u: instructions %u..%u of core %u do not exist", i, m->first,
                 m->first + m->count, m->core);
    }
    return c.n_errors ? AX_ERR_INVALID : AX_OK;
}

/* ---- writing ---------------------------------------------------------------- */

struct buf {
    unsigned char *data;
    size_t len, cap;
    int is_oom;
};

static void put(struct buf *b, const void *src, size_t n)
{
    if (b->is_oom)
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
    unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 24)};
    put(b, le, 4);
}

static void put_u64(struct buf *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

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

/* The string table: strings in first-use order, each once; offset 0 is "".
 * Blocks of one tensor come one after another, so the last string added is
 * checked first. */
struct strtab {
    struct buf b;
    uint32_t last;
};

static uint32_t strtab_add(struct strtab *t, const char *s)
{
    if (!s[0])
        return 0;
    if (t->last && strcmp((const char *)t->b.data + t->last, s) == 0)
        return t->last;
    size_t n = strlen(s);
    for (size_t off = 1; off < t->b.len;) {
        const char *have = (const char *)t->b.data + off;
        size_t hl = strlen(have);
        if (hl == n && memcmp(have, s, n) == 0)
            return t->last = (uint32_t)off;
        off += hl + 1;
    }
    uint32_t off = (uint32_t)t->b.len;
    put(&t->b, s, n + 1);
    return t->last = off;
}

static void pad8(struct buf *b)
{
    static const unsigned char zeros[8];
    put(b, zeros, (8 - b->len % 8) % 8);
}

ax_status ax_prog_encode(const struct ax_prog *p, unsigned char **out, size_t *len,
                         struct ax_diag_list *diags)
{
    *out = NULL;
    *len = 0;
    ax_status st = ax_prog_validate(p, "program", diags);
    if (st != AX_OK)
        return st;
    struct strtab strs = {{NULL, 0, 0, 0}, 0};
    put(&strs.b, "", 1);
    struct buf sec[N_SECTIONS] = {{0}};
    struct buf *meta = &sec[SECTION_META - 1], *consts = &sec[SECTION_CONSTS - 1],
               *weights = &sec[SECTION_WEIGHTS - 1], *routes = &sec[SECTION_ROUTES - 1],
               *code = &sec[SECTION_CODE - 1], *opmap = &sec[SECTION_OPMAP - 1];
    for (uint32_t i = 0; i < p->n_meta; i++) {
        put_u32(meta, strtab_add(&strs, p->meta[i].key));
        put_u32(meta, strtab_add(&strs, p->meta[i].value));
    }
    for (uint32_t i = 0; i < p->n_consts; i++) {
        uint32_t bits;
        memcpy(&bits, &p->consts[i], 4);
        put_u32(consts, bits);
    }
    for (uint32_t i = 0; i < p->n_weights; i++) {
        const struct ax_prog_weight *w = &p->weights[i];
        put_u32(weights, w->core);
        put_u32(weights, strtab_add(&strs, w->tensor));
        put_u32(weights, w->row0);
        put_u32(weights, w->rows);
        put_u32(weights, w->col0);
        put_u32(weights, w->cols);
        put_u32(weights, w->is_dram);
    }
    for (uint32_t i = 0; i < p->n_routes; i++) {
        put_u32(routes, p->routes[i].src);
        put_u32(routes, p->routes[i].n_dst);
        for (uint32_t d = 0; d < p->routes[i].n_dst; d++)
            put_u32(routes, p->routes[i].dst[d]);
    }
    for (uint32_t i = 0; i < p->n_code; i++) {
        put_u32(code, p->code[i].core);
        put_u32(code, p->code[i].n_instr);
        for (uint32_t j = 0; j < p->code[i].n_instr; j++)
            put_u64(code, p->code[i].words[j]);
    }
    for (uint32_t i = 0; i < p->n_opmap; i++) {
        put_u32(opmap, p->opmap[i].core);
        put_u32(opmap, p->opmap[i].first);
        put_u32(opmap, p->opmap[i].count);
        put_u32(opmap, p->opmap[i].node);
    }
    sec[SECTION_STRTAB - 1] = strs.b;

    struct buf file = {0};
    unsigned char header[HEADER_SIZE + N_SECTIONS * SECTION_ENTRY_SIZE] = {0};
    put(&file, header, sizeof header);
    for (int s = 0; s < N_SECTIONS; s++) {
        pad8(&file);
        unsigned char *entry = header + HEADER_SIZE + s * SECTION_ENTRY_SIZE;
        set_u32(entry, (uint32_t)(s + SECTION_STRTAB));
        set_u32(entry + 4, crc32(sec[s].data, sec[s].len));
        set_u64(entry + 8, file.len);
        set_u64(entry + 16, sec[s].len);
        if (sec[s].len)
            put(&file, sec[s].data, sec[s].len);
    }
    pad8(&file);
    int is_oom = file.is_oom;
    for (int s = 0; s < N_SECTIONS; s++) {
        is_oom |= sec[s].is_oom;
        ax_mem_free(sec[s].data);
    }
    if (is_oom) {
        ax_mem_free(file.data);
        return AX_ERR_NOMEM;
    }
    memcpy(header, magic, 8);
    header[8] = 1; /* version, u16 */
    header[10] = HEADER_SIZE; /* header size, u16 */
    set_u32(header + 12, N_SECTIONS);
    set_u32(header + 16, p->n_cores);
    set_u32(header + 20, p->sram_words);
    set_u64(header + 24, file.len);
    set_u32(header + 32, crc32(header, sizeof header)); /* with this field still zero */
    memcpy(file.data, header, sizeof header);
    *out = file.data;
    *len = file.len;
    return AX_OK;
}

void ax_prog_reseal(unsigned char *data, size_t len)
{
    if (len < HEADER_SIZE + N_SECTIONS * SECTION_ENTRY_SIZE)
        return;
    for (int s = 0; s < N_SECTIONS; s++) {
        unsigned char *e = data + HEADER_SIZE + s * SECTION_ENTRY_SIZE;
        uint64_t off = get_u64(e + 8), size = get_u64(e + 16);
        if (off <= len && size <= len - off)
            set_u32(e + 4, crc32(data + off, size));
    }
    set_u32(data + 32, 0);
    set_u32(data + 32, crc32(data, HEADER_SIZE + N_SECTIONS * SECTION_ENTRY_SIZE));
}

/* ---- reading ------------------------------------------------------------------ */

struct reader {
    struct checker c;
    const unsigned char *data;
    size_t len;
};

/* Copies a string at `off` of the string table into the arena. */
static const char *read_str(struct reader *r, struct ax_prog *p, const unsigned char *strtab,
                            uint64_t strtab_len, uint32_t off, const char *what)
{
    if (off >= strtab_len || !memchr(strtab + off, '\0', strtab_len - off)) {
        fail(&r->c, "%s: string offset %u is outside the string table (%llu bytes)", what, off,
             (unsigned long long)strtab_len);
        return NULL;
    }
    return ax_arena_strdup(&p->arena, (const char *)strtab + off);
}

ax_status ax_prog_decode(struct ax_prog *p, const char *file, const unsigned char *data, size_t len,
                         struct ax_diag_list *diags)
{
    ax_prog_init(p, 0, 0);
    struct reader r = {{file, diags, 0}, data, len};
    size_t table_end = HEADER_SIZE + N_SECTIONS * SECTION_ENTRY_SIZE;
    if (len < 8 || memcmp(data, magic, 8) != 0) {
        fail(&r.c, "not an axon program (bad magic at offset 0); expected a file written by "
             "'axon asm' or 'axon compile -o'");
        return AX_ERR_PARSE;
    }
    if (len < table_end) {
        fail(&r.c, "truncated: %zu bytes, but the header and section table take %zu", len, table_end);
        return AX_ERR_PARSE;
    }
    unsigned version = data[8] | data[9] << 8, header_size = data[10] | data[11] << 8;
    if (version != 1 || header_size != HEADER_SIZE) {
        fail(&r.c, "program format version %u (header %u bytes) is not one this axon reads; "
             "expected version 1", version, header_size);
        return AX_ERR_UNSUPPORTED;
    }
    uint64_t file_size = get_u64(data + 24);
    if (file_size != len) {
        fail(&r.c, "truncated or padded: the header says %llu bytes, the file has %zu",
             (unsigned long long)file_size, len);
        return AX_ERR_PARSE;
    }
    unsigned char header[HEADER_SIZE + N_SECTIONS * SECTION_ENTRY_SIZE];
    memcpy(header, data, sizeof header);
    uint32_t want_crc = get_u32(header + 32);
    set_u32(header + 32, 0);
    if (crc32(header, sizeof header) != want_crc) {
        fail(&r.c, "header checksum mismatch at offset 32 (the header or section table is corrupt)");
        return AX_ERR_PARSE;
    }
    if (get_u32(data + 12) != N_SECTIONS) {
        fail(&r.c, "%u sections; version 1 has exactly %d", get_u32(data + 12), N_SECTIONS);
        return AX_ERR_PARSE;
    }
    p->n_cores = get_u32(data + 16);
    p->sram_words = get_u32(data + 20);

    const unsigned char *sec_data[N_SECTIONS];
    uint64_t sec_len[N_SECTIONS], prev_end = table_end;
    for (int s = 0; s < N_SECTIONS; s++) {
        const unsigned char *e = data + HEADER_SIZE + s * SECTION_ENTRY_SIZE;
        uint64_t off = get_u64(e + 8), size = get_u64(e + 16);
        size_t at = HEADER_SIZE + (size_t)s * SECTION_ENTRY_SIZE;
        if (get_u32(e) != (uint32_t)(s + SECTION_STRTAB)) {
            fail(&r.c, "section %d at offset %zu has kind %u; expected %s", s, at, get_u32(e),
                 section_names[s]);
            return AX_ERR_PARSE;
        }
        if (off % 8 || off < prev_end || off > len || size > len - off) {
            fail(&r.c, "section %s (offset %llu, %llu bytes) lies outside the file or overlaps "
                 "the previous one", section_names[s], (unsigned long long)off,
                 (unsigned long long)size);
            return AX_ERR_PARSE;
        }
        if (crc32(data + off, size) != get_u32(e + 4)) {
            fail(&r.c, "section %s checksum mismatch (data at offset %llu is corrupt)",
                 section_names[s], (unsigned long long)off);
            return AX_ERR_PARSE;
        }
        sec_data[s] = data + off;
        sec_len[s] = size;
        prev_end = off + size;
    }

    const unsigned char *strtab = sec_data[SECTION_STRTAB - 1];
    uint64_t strtab_len = sec_len[SECTION_STRTAB - 1];
    static const uint32_t record_size[N_SECTIONS] = {1, 8, 4, 28, 0, 0, 16};
    for (int s = 0; s < N_SECTIONS; s++) {
        if (record_size[s] > 1 && sec_len[s] % record_size[s] != 0) {
            fail(&r.c, "section %s: %llu bytes is not a whole number of %u-byte records",
                 section_names[s], (unsigned long long)sec_len[s], record_size[s]);
            return AX_ERR_PARSE;
        }
    }
    p->n_meta = (uint32_t)(sec_len[SECTION_META - 1] / 8);
    p->n_consts = (uint32_t)(sec_len[SECTION_CONSTS - 1] / 4);
    p->n_weights = (uint32_t)(sec_len[SECTION_WEIGHTS - 1] / 28);
    p->n_opmap = (uint32_t)(sec_len[SECTION_OPMAP - 1] / 16);
    p->meta = ax_arena_calloc(&p->arena, p->n_meta + 1, sizeof *p->meta);
    p->consts = ax_arena_calloc(&p->arena, p->n_consts + 1, sizeof *p->consts);
    p->weights = ax_arena_calloc(&p->arena, p->n_weights + 1, sizeof *p->weights);
    p->opmap = ax_arena_calloc(&p->arena, p->n_opmap + 1, sizeof *p->opmap);
    if (!p->meta || !p->consts || !p->weights || !p->opmap)
        return AX_ERR_NOMEM;
    for (uint32_t i = 0; i < p->n_meta; i++) {
        const unsigned char *m = sec_data[SECTION_META - 1] + 8 * i;
        p->meta[i].key = read_str(&r, p, strtab, strtab_len, get_u32(m), "meta key");
        p->meta[i].value = read_str(&r, p, strtab, strtab_len, get_u32(m + 4), "meta value");
    }
    for (uint32_t i = 0; i < p->n_consts; i++) {
        uint32_t bits = get_u32(sec_data[SECTION_CONSTS - 1] + 4 * i);
        memcpy(&p->consts[i], &bits, 4);
    }
    for (uint32_t i = 0; i < p->n_weights; i++) {
        const unsigned char *w = sec_data[SECTION_WEIGHTS - 1] + 28 * i;
        struct ax_prog_weight *pw = &p->weights[i];
        pw->core = get_u32(w);
        pw->tensor = read_str(&r, p, strtab, strtab_len, get_u32(w + 4), "weight tensor");
        pw->row0 = get_u32(w + 8);
        pw->rows = get_u32(w + 12);
        pw->col0 = get_u32(w + 16);
        pw->cols = get_u32(w + 20);
        uint32_t flags = get_u32(w + 24);
        if (flags > 1)
            fail(&r.c, "weight block %u: unknown flags 0x%x", i, flags);
        pw->is_dram = (uint8_t)(flags & 1);
    }
    for (uint32_t i = 0; i < p->n_opmap; i++) {
        const unsigned char *m = sec_data[SECTION_OPMAP - 1] + 16 * i;
        p->opmap[i] = (struct ax_prog_opmap){get_u32(m), get_u32(m + 4), get_u32(m + 8),
                                             get_u32(m + 12)};
    }
    /* Variable-length records: count first, then read. */
    for (int pass = 0; pass < 2; pass++) {
        const unsigned char *d = sec_data[SECTION_ROUTES - 1];
        uint64_t n = sec_len[SECTION_ROUTES - 1], at = 0;
        uint32_t count = 0;
        while (at < n) {
            if (n - at < 8 || (n - at - 8) / 4 < get_u32(d + at + 4)) {
                fail(&r.c, "section routes: record %u is truncated", count);
                return AX_ERR_PARSE;
            }
            uint32_t n_dst = get_u32(d + at + 4);
            if (pass == 1) {
                struct ax_prog_route *rt = &p->routes[count];
                rt->src = get_u32(d + at);
                rt->n_dst = n_dst;
                rt->dst = ax_arena_calloc(&p->arena, n_dst + 1, sizeof *rt->dst);
                if (!rt->dst)
                    return AX_ERR_NOMEM;
                for (uint32_t k = 0; k < n_dst; k++)
                    rt->dst[k] = get_u32(d + at + 8 + 4 * k);
            }
            at += 8 + 4 * (uint64_t)n_dst;
            count++;
        }
        if (pass == 0) {
            p->n_routes = count;
            p->routes = ax_arena_calloc(&p->arena, count + 1, sizeof *p->routes);
            if (!p->routes)
                return AX_ERR_NOMEM;
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        const unsigned char *d = sec_data[SECTION_CODE - 1];
        uint64_t n = sec_len[SECTION_CODE - 1], at = 0;
        uint32_t count = 0;
        while (at < n) {
            if (n - at < 8 || (n - at - 8) / 8 < get_u32(d + at + 4)) {
                fail(&r.c, "section code: the record of core %u is truncated",
                     n - at >= 4 ? get_u32(d + at) : 0);
                return AX_ERR_PARSE;
            }
            uint32_t n_instr = get_u32(d + at + 4);
            if (pass == 1) {
                struct ax_prog_code *k = &p->code[count];
                k->core = get_u32(d + at);
                k->n_instr = n_instr;
                k->words = ax_arena_calloc(&p->arena, n_instr + 1, sizeof *k->words);
                if (!k->words)
                    return AX_ERR_NOMEM;
                for (uint32_t j = 0; j < n_instr; j++)
                    k->words[j] = get_u64(d + at + 8 + 8 * (uint64_t)j);
            }
            at += 8 + 8 * (uint64_t)n_instr;
            count++;
        }
        if (pass == 0) {
            p->n_code = count;
            p->code = ax_arena_calloc(&p->arena, count + 1, sizeof *p->code);
            if (!p->code)
                return AX_ERR_NOMEM;
        }
    }
    if (r.c.n_errors)
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
