/* The program verifier (ax_prog_validate): every rule a program must keep
 * before it is written, after it is read, and after it is assembled.
 *
 * Place in the pipeline: the emitter's output, the loader's input and the
 * assembler's output all pass through here, so the simulator may trust a
 * program it is given. One function per family of checks, in the order of
 * docs/isa.md ("The verifier"); the code pass collects what the later
 * families need (sends, receives, barriers, emits), and those are checked
 * by sorting, so the cost stays about linear in the program's size (the 7B
 * program: ~42,000 cores, ~100,000 buffers, ~500,000 instructions).
 *
 * Memory: every array here is sized by a table of the program (which a
 * decoded program has bounded by its section sizes), never by n_cores. */
#include "ax_prog.h"

#include "ax_isa.h"
#include "ax_mem.h"
#include "prog_lines.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* What the code pass collects for the wait and barrier checks. */
struct send {      /* one destination of a psumsend or lookup */
    uint32_t core, addr;      /* where it arrives */
    uint32_t src, instr;      /* the sending core and instruction */
    uint64_t words;           /* how many words it carries */
    enum ax_isa_op op;
};
struct recv {      /* a psumrecv */
    uint32_t core, addr, instr;
    uint64_t count;
};
struct emit_to {   /* one destination core of an emit or a relay */
    uint32_t dst;             /* the receiving core */
    uint32_t code, instr;     /* the sending core's code record and instruction */
};
struct barrier_at { /* a `barrier id` instruction */
    uint32_t id, code, instr;
};

/* A growable array of `size`-byte items; allocation failure is sticky. */
struct vec {
    void *items;
    uint32_t n, cap;
};

struct verifier {
    const struct ax_prog *p;
    const char *file;
    struct ax_diag_list *diags;
    uint32_t n_errors;
    const struct ax_prog_lines *lines; /* positions in the text, or NULL */
    struct ax_prog_pos at;             /* where the record being checked came from */
    uint64_t *instr_first;             /* per code record: its first instruction in lines->instr */
    int is_oom;
    int is_buffers_broken; /* unsorted or overlapping: address checks would only echo it */
    uint32_t *n_buffers_of; /* per weight record: WEIGHTS or PARAM buffers naming it */
    uint8_t *is_dma_source; /* per weight record: a dma names it */
    /* per code record: its barrier instructions (a slice of `barriers`), and its first and
     * last instruction that takes spike events (synacc, relay) */
    uint32_t *bar_first, *bar_count, *takes_first, *takes_last;
    struct vec sends, recvs, emits, barriers;
};

/* ---- reporting ------------------------------------------------------------ */

static void fail(struct verifier *v, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void fail(struct verifier *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ax_diag_vadd(v->diags, AX_DIAG_ERROR, v->file, v->at.line, v->at.col, fmt, ap);
    va_end(ap);
    v->n_errors++;
}

/* The refusals that follow are about record `i` of `table`: they carry its
 * position in the text, when there is one. */
static void locate(struct verifier *v, enum ax_prog_table table, uint32_t i)
{
    static const struct ax_prog_pos none = {0, 0};
    const struct ax_prog_lines *l = v->lines;
    v->at = l && i < l->n[table] ? l->table[table][i] : none;
}

static void unlocate(struct verifier *v) { v->at = (struct ax_prog_pos){0, 0}; }


/* The position of instruction `at` of `core`'s code, or none. */
static struct ax_prog_pos instr_pos(const struct verifier *v, uint32_t core, uint32_t at)
{
    struct ax_prog_pos none = {0, 0};
    const struct ax_prog_code *k = ax_prog_code_of(v->p, core);
    if (!v->lines || !v->instr_first || !k || at >= k->n_instr)
        return none;
    uint64_t flat = v->instr_first[k - v->p->code] + at;
    return flat < v->lines->n_instr ? v->lines->instr[flat] : none;
}

/* A refusal about instruction `at` of `core`: the message starts with
 * "core C, instruction I (mnemonic): " (no mnemonic for AX_ISA_OP_COUNT: a
 * word that does not decode), placed at the instruction's line. */
static void fail_at(struct verifier *v, uint32_t core, uint32_t at, enum ax_isa_op op,
                    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static void fail_at(struct verifier *v, uint32_t core, uint32_t at, enum ax_isa_op op,
                    const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct ax_prog_pos saved = v->at;
    v->at = instr_pos(v, core, at);
    if ((unsigned)op < AX_ISA_OP_COUNT)
        fail(v, "core %u, instruction %u (%s): %s", core, at, ax_isa_mnemonic(op), msg);
    else
        fail(v, "core %u, instruction %u: %s", core, at, msg);
    v->at = saved;
}

static void *vec_push(struct verifier *v, struct vec *a, const void *item, size_t size)
{
    if (v->is_oom)
        return NULL;
    if (a->n == a->cap) {
        uint32_t cap = a->cap ? 2 * a->cap : 64;
        void *grown = cap > a->cap ? ax_mem_realloc(a->items, (size_t)cap * size) : NULL;
        if (!grown) {
            v->is_oom = 1;
            return NULL;
        }
        a->items = grown;
        a->cap = cap;
    }
    void *at = (unsigned char *)a->items + (size_t)a->n++ * size;
    memcpy(at, item, size);
    return at;
}

/* The last word a buffer holds, for messages ("words A..B"). */
static uint64_t last_word(const struct ax_prog_buffer *b)
{
    return (uint64_t)b->addr + b->words - (b->words ? 1 : 0);
}

/* 1 when `s` is a valid buffer name: [A-Za-z_][A-Za-z0-9_.]* */
static int is_valid_name(const char *s)
{
    if (!s || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.'))
            return 0;
    return 1;
}

const struct ax_prog_code *ax_prog_code_of(const struct ax_prog *p, uint32_t core)
{
    uint32_t lo = 0, hi = p->n_code;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p->code[mid].core < core)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->n_code && p->code[lo].core == core ? &p->code[lo] : NULL;
}

static int has_node(const struct ax_prog *p, uint32_t node)
{
    return ax_prog_node_entry(p, node) != AX_PROG_NONE;
}

/* ---- 1. header ------------------------------------------------------------------ */

static void check_header(struct verifier *v)
{
    const struct ax_prog *p = v->p;
    if (p->n_cores == 0 || p->sram_words == 0)
        fail(v, "a program needs at least one core and one SRAM word (cores %u, words %u)",
             p->n_cores, p->sram_words);
    if (ax_prog_batch(p) == 0)
        fail(v,
             "meta 'batch' is '%s': expected the number of sequences the state holds, a "
             "whole number from 1 to %u",
             ax_prog_meta(p, "batch"), AX_PROG_BATCH_MAX);
}

/* ---- 2. weights ----------------------------------------------------------------- */

/* The data a record carries (it holds ax_prog_record_words words, which
 * the reader and the parser ensure): every scale and value finite, and the
 * unused bytes of the last code word 0, so that the text form (which
 * prints numbers, not words) gives the same bytes back. */
static void check_weight_data(struct verifier *v, uint32_t i)
{
    const struct ax_prog_weight *w = &v->p->weights[i];
    uint64_t n = (uint64_t)w->rows * w->cols;
    uint64_t first = w->is_float ? 0 : (n + 3) / 4, end = ax_prog_record_words(w);
    if (!w->is_float && n % 4 && w->data[n / 4] >> (8 * (n % 4)) != 0)
        fail(v, "weight record %u ('%s'): the unused bytes of its last code word (word %llu) "
             "must be 0", i, w->tensor ? w->tensor : "", (unsigned long long)(n / 4));
    for (uint64_t k = first; k < end; k++) {
        float f;
        memcpy(&f, &w->data[k], 4);
        if (!isfinite(f)) {
            fail(v, "weight record %u ('%s'): %s %llu of its data is not finite (bits 0x%08x)", i,
                 w->tensor ? w->tensor : "", w->is_float ? "value" : "scale",
                 (unsigned long long)(k - first), w->data[k]);
            return;
        }
    }
}

static void check_weights(struct verifier *v)
{
    const struct ax_prog *p = v->p;
    for (uint32_t i = 0; i < p->n_weights; i++) {
        const struct ax_prog_weight *w = &p->weights[i];
        locate(v, AX_PROG_TABLE_WEIGHT, i);
        if (w->core >= p->n_cores)
            fail(v, "weight record %u: core %u is out of range (%u cores)", i, w->core, p->n_cores);
        if (!w->tensor || !w->tensor[0])
            fail(v, "weight record %u: needs a tensor name", i);
        if (w->rows == 0 || w->cols == 0)
            fail(v, "weight record %u ('%s'): needs at least one row and one column (rows %u, "
                 "cols %u)", i, w->tensor ? w->tensor : "", w->rows, w->cols);
        if (w->data)
            check_weight_data(v, i);
    }
    unlocate(v);
}

struct chip_bytes {
    uint32_t chip, record;
    uint64_t bytes;
};

static int cmp_chip_bytes(const void *a, const void *b)
{
    const struct chip_bytes *x = a, *y = b;
    return x->chip < y->chip ? -1 : x->chip > y->chip;
}

/* DRAM per chip: the DRAM records of each chip fit its DRAM. */
static void check_dram(struct verifier *v)
{
    const struct ax_prog *p = v->p;
    if (p->cores_per_chip == 0)
        return;
    struct chip_bytes *cb = ax_mem_calloc((size_t)p->n_weights + 1, sizeof *cb);
    if (!cb) {
        v->is_oom = 1;
        return;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->n_weights; i++) {
        const struct ax_prog_weight *w = &p->weights[i];
        if (!w->is_dram)
            continue;
        locate(v, AX_PROG_TABLE_WEIGHT, i);
        if (p->dram_bytes_per_chip == 0)
            fail(v, "weight record %u ('%s', core %u) is in DRAM, but the chip has no DRAM "
                 "(dram_bytes_per_chip 0); keep it in SRAM or compile for a chip with DRAM", i,
                 w->tensor, w->core);
        unlocate(v);
        cb[n++] = (struct chip_bytes){w->core / p->cores_per_chip, i,
                                      ax_prog_record_bytes(w)};
    }
    qsort(cb, n, sizeof *cb, cmp_chip_bytes);
    for (uint32_t i = 0; i < n && p->dram_bytes_per_chip;) {
        uint64_t sum = 0;
        uint32_t j = i;
        for (; j < n && cb[j].chip == cb[i].chip; j++)
            sum += cb[j].bytes;
        if (sum > p->dram_bytes_per_chip)
            fail(v, "chip %u: its %u DRAM weight records take %llu bytes, more than its DRAM "
                 "(%llu bytes, dram_bytes_per_chip); place fewer blocks in DRAM or use more chips",
                 cb[i].chip, j - i, (unsigned long long)sum,
                 (unsigned long long)p->dram_bytes_per_chip);
        i = j;
    }
    ax_mem_free(cb);
}

/* ---- 3. buffers ------------------------------------------------------------------ */

/* What `ref` must be for the buffer's kind. */
static void check_buffer_ref(struct verifier *v, uint32_t i)
{
    const struct ax_prog *p = v->p;
    const struct ax_prog_buffer *b = &p->buffers[i];
    const struct ax_prog_weight *w = b->ref < p->n_weights ? &p->weights[b->ref] : NULL;
    switch (b->kind) {
    case AX_PROG_BUF_WEIGHTS:
        if (!w || w->core != b->core || w->is_dram) {
            fail(v, "buffer '%s' (core %u): kind weights needs ref = an SRAM weight record on "
                 "core %u; ref %u is not one", b->name, b->core, b->core, b->ref);
            return;
        }
        if (b->words != ax_prog_record_words(w))
            fail(v, "buffer '%s' (core %u): holds weight record %u (%u x %u) in %llu words "
                 "(%s), not %u", b->name, b->core, b->ref, w->rows, w->cols,
                 (unsigned long long)ax_prog_record_words(w),
                 w->is_float ? "float32 values" : "codes and scales", b->words);
        v->n_buffers_of[b->ref]++;
        return;
    case AX_PROG_BUF_PARAM:
        if (!w || w->core != b->core || w->is_dram || !w->is_float) {
            fail(v, "buffer '%s' (core %u): kind param needs ref = a float SRAM weight record on "
                 "core %u; ref %u is not one", b->name, b->core, b->core, b->ref);
            return;
        }
        if ((uint64_t)b->words != (uint64_t)w->rows * w->cols)
            fail(v, "buffer '%s' (core %u): holds float weight record %u (%u x %u) in %llu words, "
                 "not %u", b->name, b->core, b->ref, w->rows, w->cols,
                 (unsigned long long)w->rows * w->cols, b->words);
        v->n_buffers_of[b->ref]++;
        return;
    case AX_PROG_BUF_CONST:
        if (b->ref == AX_PROG_NONE || (uint64_t)b->ref + b->words > p->n_consts)
            fail(v, "buffer '%s' (core %u): constants %u..%llu are not all in the consts table "
                 "(%u constants)", b->name, b->core, b->ref,
                 (unsigned long long)b->ref + b->words - 1, p->n_consts);
        return;
    case AX_PROG_BUF_STATE:
        if (b->ref >= p->n_states || p->states[b->ref].buffer != i)
            fail(v, "buffer '%s' (core %u): kind state needs ref = the state record whose buffer "
                 "is this one (buffer %u); ref %u is not", b->name, b->core, i, b->ref);
        return;
    case AX_PROG_BUF_COUNTS: /* ref: the column of its first word (a shard of a vector's rows) */
        if (b->ref != AX_PROG_NONE && (uint64_t)b->ref + b->words > AX_PROG_MAX_COLUMNS)
            fail(v,
                 "buffer '%s' (core %u): its events would name columns %u..%llu, past %u (a "
                 "relay's column is a 24-bit operand)",
                 b->name, b->core, b->ref, (unsigned long long)b->ref + b->words - 1,
                 AX_PROG_MAX_COLUMNS - 1);
        return;
    default:
        if (b->ref != AX_PROG_NONE)
            fail(v, "buffer '%s' (core %u): kind %s takes no ref (ref %u); leave it out", b->name,
                 b->core, ax_prog_buffer_kind_str(b->kind), b->ref);
        return;
    }
}

/* One buffer alone: kind, core, size, SRAM, name, node. */
static void check_buffer(struct verifier *v, uint32_t i)
{
    const struct ax_prog *p = v->p;
    const struct ax_prog_buffer *b = &p->buffers[i];
    const char *name = b->name ? b->name : "";
    if ((unsigned)b->kind >= AX_PROG_BUF_KIND_COUNT) {
        fail(v, "buffer %u ('%s'): unknown kind %u", i, name, (unsigned)b->kind);
        return;
    }
    if (!is_valid_name(b->name))
        fail(v, "buffer %u: name '%s' is not valid; use letters, digits, '_' and '.', not "
             "starting with a digit", i, name);
    if (b->core >= p->n_cores)
        fail(v, "buffer '%s': core %u is out of range (%u cores)", name, b->core, p->n_cores);
    if (b->words == 0)
        fail(v, "buffer '%s' (core %u): holds no words; a buffer has at least one", name, b->core);
    else if ((uint64_t)b->addr + b->words > p->sram_words)
        fail(v, "buffer '%s' (core %u, words %u..%llu) runs past the core's SRAM (%u words): "
             "weights and state per core must fit within its SRAM", name, b->core, b->addr,
             (unsigned long long)last_word(b), p->sram_words);
    if (p->n_nodes && b->node != AX_PROG_NONE && !has_node(p, b->node))
        fail(v, "buffer '%s' (core %u): node %u is not in the node table", name, b->core, b->node);
    check_buffer_ref(v, i);
}

int ax_prog_cmp_name_key(const void *a, const void *b)
{
    const struct ax_prog_name_key *x = a, *y = b;
    if (x->core != y->core)
        return x->core < y->core ? -1 : 1;
    return strcmp(x->name, y->name);
}

struct ax_prog_name_key *ax_prog_name_index(const struct ax_prog *p)
{
    struct ax_prog_name_key *keys = ax_mem_calloc((size_t)p->n_buffers + 1, sizeof *keys);
    if (!keys)
        return NULL;
    for (uint32_t i = 0; i < p->n_buffers; i++)
        keys[i] = (struct ax_prog_name_key){p->buffers[i].core,
                                            p->buffers[i].name ? p->buffers[i].name : "", i};
    qsort(keys, p->n_buffers, sizeof *keys, ax_prog_cmp_name_key);
    return keys;
}

static void check_buffer_names_unique(struct verifier *v)
{
    const struct ax_prog *p = v->p;
    struct ax_prog_name_key *keys = ax_prog_name_index(p);
    if (!keys) {
        v->is_oom = 1;
        return;
    }
    for (uint32_t i = 1; i < p->n_buffers; i++) {
        if (ax_prog_cmp_name_key(&keys[i - 1], &keys[i]) != 0)
            continue;
        uint32_t later = keys[i].buffer > keys[i - 1].buffer ? keys[i].buffer : keys[i - 1].buffer;
        locate(v, AX_PROG_TABLE_BUFFER, later);
        fail(v, "core %u has two buffers named '%s'; names are unique on a core", keys[i].core,
             keys[i].name);
    }
    unlocate(v);
    ax_mem_free(keys);
}

/* Order (ascending core, addr) and no overlap within a core. */
static void check_buffer_layout(struct verifier *v)
{
    const struct ax_prog *p = v->p;
    uint64_t end = 0;       /* the furthest end so far on this core */
    uint32_t end_of = 0;    /* the buffer that reaches it */
    for (uint32_t i = 0; i < p->n_buffers; i++) {
        const struct ax_prog_buffer *b = &p->buffers[i];
        locate(v, AX_PROG_TABLE_BUFFER, i);
        if (i == 0 || b->core != p->buffers[i - 1].core)
            end = 0;
        if (i > 0) {
            const struct ax_prog_buffer *a = &p->buffers[i - 1];
            if (b->core < a->core || (b->core == a->core && b->addr < a->addr)) {
                fail(v, "buffer %u ('%s', core %u word %u) comes after buffer %u ('%s', core %u "
                     "word %u); buffers must ascend by core, then address", i, b->name, b->core,
                     b->addr, i - 1, a->name, a->core, a->addr);
                v->is_buffers_broken = 1;
                continue;
            }
        }
        if (b->words && (uint64_t)b->addr < end) {
            const struct ax_prog_buffer *a = &p->buffers[end_of];
            fail(v, "buffers '%s' (words %u..%llu) and '%s' (words %u..%llu) on core %u overlap",
                 a->name, a->addr, (unsigned long long)last_word(a), b->name, b->addr,
                 (unsigned long long)last_word(b), b->core);
            v->is_buffers_broken = 1;
        }
        if ((uint64_t)b->addr + b->words > end) {
            end = (uint64_t)b->addr + b->words;
            end_of = i;
        }
    }
    unlocate(v);
}

static void check_buffers(struct verifier *v)
{
    for (uint32_t i = 0; i < v->p->n_buffers; i++) {
        locate(v, AX_PROG_TABLE_BUFFER, i);
        check_buffer(v, i);
    }
    unlocate(v);
    check_buffer_layout(v);
    check_buffer_names_unique(v);
}

/* ---- 4. every weight reference resolves ------------------------------------------ */

static void check_weight_residence(struct verifier *v)
{
    const struct ax_prog *p = v->p;
    for (uint32_t i = 0; i < p->n_weights; i++) {
        const struct ax_prog_weight *w = &p->weights[i];
        locate(v, AX_PROG_TABLE_WEIGHT, i);
        if (w->is_dram) {
            if (!v->is_dma_source[i])
                fail(v, "weight record %u ('%s', core %u) is in DRAM, but no dma names it; "
                     "stream it with 'dma STAGING, %u' or keep it in SRAM", i, w->tensor, w->core, i);
        } else if (v->n_buffers_of[i] != 1) {
            fail(v, "weight record %u ('%s', core %u) has %u %s buffers; an SRAM record has "
                 "exactly one", i, w->tensor, w->core, v->n_buffers_of[i],
                 w->is_float ? "param" : "weights");
        }
    }
    unlocate(v);
}

/* ---- 5. states --------------------------------------------------------------------- */

static void check_states(struct verifier *v)
{
    const struct ax_prog *p = v->p;
    for (uint32_t i = 0; i < p->n_states; i++) {
        const struct ax_prog_state *s = &p->states[i];
        locate(v, AX_PROG_TABLE_STATE, i);
        if (s->core >= p->n_cores)
            fail(v, "state %u: core %u is out of range (%u cores)", i, s->core, p->n_cores);
        if ((unsigned)s->kind >= AX_PROG_STATE_KIND_COUNT)
            fail(v, "state %u: unknown kind %u (gla, kv or glacol)", i, (unsigned)s->kind);
        uint32_t d = s->row_bytes / 4; /* glacol: rows are (head, column) pairs of 4d bytes */
        if (s->kind == AX_PROG_STATE_GLACOL && s->rows &&
            (d == 0 || s->row_bytes % 4 != 0 ||
             ((s->row0 % d != 0 || s->rows % d != 0) &&
              s->row0 / d != (s->row0 + s->rows - 1) / d)))
            fail(v,
                 "state %u (core %u): glacol rows %u..%u of %u bytes are neither whole heads "
                 "nor columns of one head (d = row_bytes / 4)",
                 i, s->core, s->row0, s->row0 + s->rows - 1, s->row_bytes);
        if (s->rows == 0)
            fail(v, "state %u (core %u): needs at least one row", i, s->core);
        if (p->n_nodes && s->node != AX_PROG_NONE && !has_node(p, s->node))
            fail(v, "state %u (core %u): node %u is not in the node table", i, s->core, s->node);
        const struct ax_prog_buffer *b = s->buffer < p->n_buffers ? &p->buffers[s->buffer] : NULL;
        if (!b || b->kind != AX_PROG_BUF_STATE || b->core != s->core) {
            fail(v, "state %u (core %u): buffer %u is not a state buffer on core %u", i, s->core,
                 s->buffer, s->core);
            continue;
        }
        uint32_t banks = ax_prog_batch(p) ? ax_prog_batch(p) : 1;
        if (ax_prog_bank_words(s) * banks > b->words)
            fail(v,
                 "state %u (core %u): %u rows of %u bytes (%llu words) for each of %u "
                 "sequence%s do not fit buffer '%s' (%u words)",
                 i, s->core, s->rows, s->row_bytes, (unsigned long long)ax_prog_bank_words(s),
                 banks, banks == 1 ? "" : "s", b->name, b->words);
    }
    unlocate(v);
}

/* ---- 6. routes, 7. barriers ------------------------------------------------------- */

static void check_route(struct verifier *v, uint32_t i)
{
    const struct ax_prog *p = v->p;
    const struct ax_prog_route *r = &p->routes[i];
    if (r->src >= p->n_cores)
        fail(v, "route %u: source core %u is out of range (%u cores)", i, r->src, p->n_cores);
    if ((unsigned)r->kind >= AX_PROG_ROUTE_KIND_COUNT)
        fail(v, "route %u: unknown kind %u (spikes or values)", i, (unsigned)r->kind);
    if (r->n_dst == 0)
        fail(v, "route %u: no destination", i);
    for (uint32_t d = 0; d < r->n_dst; d++) {
        const struct ax_prog_dest *t = &r->dst[d];
        if (t->core >= p->n_cores) {
            fail(v, "route %u: destination core %u does not exist (%u cores)", i, t->core,
                 p->n_cores);
            continue;
        }
        if (d > 0 && t->core <= r->dst[d - 1].core)
            fail(v, "route %u: destination core %u follows core %u; destinations ascend, each "
                 "core once", i, t->core, r->dst[d - 1].core);
        if (r->kind == AX_PROG_ROUTE_SPIKES && t->addr != AX_PROG_NONE)
            fail(v, "route %u (spikes): destination core %u has an address (%u); spike routes "
                 "deliver to cores, write it without '@'", i, t->core, t->addr);
        if (r->kind == AX_PROG_ROUTE_VALUES && !ax_prog_buffer_at(p, t->core, t->addr))
            fail(v, "route %u (values): destination address %u is in no buffer of core %u", i,
                 t->addr, t->core);
    }
}

static void check_routes_barriers(struct verifier *v)
{
    const struct ax_prog *p = v->p;
    for (uint32_t i = 0; i < p->n_routes; i++) {
        locate(v, AX_PROG_TABLE_ROUTE, i);
        check_route(v, i);
    }
    for (uint32_t i = 0; i < p->n_barriers; i++) {
        const struct ax_prog_barrier *b = &p->barriers[i];
        locate(v, AX_PROG_TABLE_BARRIER, i);
        if (b->n_cores == 0)
            fail(v, "barrier %u: lists no core", i);
        for (uint32_t k = 0; k < b->n_cores; k++) {
            if (b->cores[k] >= p->n_cores)
                fail(v, "barrier %u: core %u is out of range (%u cores)", i, b->cores[k],
                     p->n_cores);
            else if (k > 0 && b->cores[k] <= b->cores[k - 1])
                fail(v, "barrier %u: core %u follows core %u; cores ascend, each once", i,
                     b->cores[k], b->cores[k - 1]);
        }
    }
    unlocate(v);
}

/* ---- 8. code ------------------------------------------------------------------------ */

/* One operand of the instruction being checked. */
struct operand {
    char kind;                         /* ax_isa.def letter */
    uint64_t value;
    const struct ax_prog_buffer *buf;  /* the buffer an address lies in, or NULL */
    uint64_t extent;                   /* words it touches from `value` */
};

/* The state of one core's scan. */
struct core_scan {
    uint32_t code, core, at;
    enum ax_isa_op op;
    uint8_t flags;          /* the instruction's */
    uint64_t ops[3];        /* its operands' values */
    uint64_t len;           /* the vector-length register */
    uint64_t last_barrier;  /* the last `barrier id`, or UINT64_MAX */
    struct vec staged;      /* (buffer index, weight record) of each dma so far */
};

static const char *operand_name(enum ax_isa_op op, int slot, char *buf, size_t size)
{
    const char *names = ax_isa_operands(op);
    for (int i = 0; i < slot && names; i++) {
        names = strchr(names, ',');
        names = names ? names + 1 : NULL;
    }
    if (!names)
        return "?";
    snprintf(buf, size, "%.*s", (int)strcspn(names, ","), names);
    return buf;
}

/* The weight record a dma most recently streamed into staging buffer `b`. */
static uint32_t staged_record(const struct core_scan *cs, const struct ax_prog *p,
                              const struct ax_prog_buffer *b)
{
    const uint32_t *pairs = cs->staged.items;
    for (uint32_t i = cs->staged.n; i-- > 0;)
        if (pairs[2 * i] == (uint32_t)(b - p->buffers))
            return pairs[2 * i + 1];
    return AX_PROG_NONE;
}

/* The weight record held in buffer `b` (a weights buffer, or a staging
 * buffer after its dma), or AX_PROG_NONE. */
static uint32_t record_in(const struct core_scan *cs, const struct ax_prog *p,
                          const struct ax_prog_buffer *b)
{
    if (!b)
        return AX_PROG_NONE;
    return b->kind == AX_PROG_BUF_WEIGHTS ? b->ref : staged_record(cs, p, b);
}

/* How many words an address operand of kind `k` touches. */
static int operand_extent(struct verifier *v, struct core_scan *cs, struct operand *ops, int slot,
                          const char *name)
{
    struct operand *o = &ops[slot];
    const struct ax_prog *p = v->p;
    switch (o->kind) {
    case 'R': case 'W': case 'M':
        o->extent = cs->len;
        break;
    case 'q':
        o->extent = (cs->len + 3) / 4;
        break;
    case 's': case 'S': case 'g':
        o->extent = 1;
        break;
    case 'T': /* a running total: float64 sum, count */
    case 'u':
        o->extent = AX_ISA_TOTAL_WORDS;
        break;
    case 'x': case 't':
        o->extent = o->buf->words;
        break;
    case 'V': { /* kvpart: len words and two per head, d from the ring's rows */
        const struct ax_prog_buffer *ring = ax_prog_buffer_at(p, cs->core, (uint32_t)cs->ops[2]);
        uint32_t rb = ring && ring->kind == AX_PROG_BUF_STATE && ring->ref < p->n_states
                          ? p->states[ring->ref].row_bytes : 0;
        uint32_t d = rb > 8 ? (rb - 8) / 2 : 0;
        o->extent = cs->len + (d ? 2 * (cs->len / d) : 0);
        break;
    }
    case 'P': /* kvmerge, kvfold: n results of kvpart over `flags` heads */
        o->extent = cs->ops[2] * (cs->len + 2ull * cs->flags);
        break;
    case 'F': /* kvfold: one result over `flags` heads */
        o->extent = cs->len + 2ull * cs->flags;
        break;
    case 'Y': /* argmax: the vector, then its (value, index) pair */
        o->extent = cs->len + 2ull;
        break;
    case 'A': /* argmerge: n (value, index) pairs */
        o->extent = 2ull * cs->ops[1];
        break;
    case 'c': {
        const struct operand *x = NULL;
        for (int i = 0; i < slot; i++)
            if (ops[i].kind == 'x')
                x = &ops[i];
        uint32_t rec = x ? record_in(cs, p, x->buf) : AX_PROG_NONE;
        if (rec >= p->n_weights) {
            if (x && x->buf)
                fail_at(v, cs->core, cs->at, cs->op, "operand '%s': the weight block in buffer "
                        "'%s' is not known here (a staging buffer no dma has filled yet)", name,
                        x->buf->name);
            return -1;
        }
        o->extent = p->weights[rec].cols;
        break;
    }
    default:
        o->extent = 0;
    }
    if (strchr("RWMqVPFY", o->kind) && cs->len == 0) {
        fail_at(v, cs->core, cs->at, cs->op, "operand '%s': vector op before setlen (len is 0)",
                name);
        return -1;
    }
    return 0;
}

/* An address operand: inside one buffer of this core, of the right kind,
 * its whole extent inside that buffer. */
static void check_address(struct verifier *v, struct core_scan *cs, struct operand *ops, int slot)
{
    const struct ax_prog *p = v->p;
    struct operand *o = &ops[slot];
    char nbuf[16];
    const char *name = operand_name(cs->op, slot, nbuf, sizeof nbuf);
    if (o->value >= p->sram_words) {
        fail_at(v, cs->core, cs->at, cs->op, "operand '%s': address %llu is beyond the core's %u "
                "SRAM words", name, (unsigned long long)o->value, p->sram_words);
        return;
    }
    const struct ax_prog_buffer *b = ax_prog_buffer_at(p, cs->core, (uint32_t)o->value);
    if (!b) {
        fail_at(v, cs->core, cs->at, cs->op, "operand '%s': address %llu is in no buffer of core "
                "%u", name, (unsigned long long)o->value, cs->core);
        return;
    }
    int is_first = o->value == b->addr;
    if ((o->kind == 'x' || o->kind == 'g') &&
        (b->kind != AX_PROG_BUF_WEIGHTS && b->kind != AX_PROG_BUF_STAGING)) {
        fail_at(v, cs->core, cs->at, cs->op, "operand '%s': buffer '%s' is a %s buffer; it must "
                "be a weights or staging buffer", name, b->name, ax_prog_buffer_kind_str(b->kind));
        return;
    }
    if (o->kind == 't' && b->kind != AX_PROG_BUF_STATE && b->kind != AX_PROG_BUF_CONST) {
        fail_at(v, cs->core, cs->at, cs->op, "operand '%s': buffer '%s' is a %s buffer; it must "
                "be a state or const buffer", name, b->name, ax_prog_buffer_kind_str(b->kind));
        return;
    }
    if ((o->kind == 'x' || o->kind == 't') && !is_first) {
        fail_at(v, cs->core, cs->at, cs->op, "operand '%s': address %llu is inside buffer '%s' "
                "(words %u..%llu); it must be the buffer's first word", name,
                (unsigned long long)o->value, b->name, b->addr, (unsigned long long)last_word(b));
        return;
    }
    o->buf = b;
    if (operand_extent(v, cs, ops, slot, name) != 0) {
        o->buf = NULL;
        return;
    }
    uint64_t end = o->value + o->extent;
    if (end > (uint64_t)b->addr + b->words) {
        char past_sram[64] = "";
        if (end > p->sram_words)
            snprintf(past_sram, sizeof past_sram, " and past the core's SRAM (%u words)",
                     p->sram_words);
        fail_at(v, cs->core, cs->at, cs->op, "operand '%s': vector of %llu words from word %llu "
                "runs past the end of buffer '%s' (words %u..%llu)%s", name,
                (unsigned long long)o->extent, (unsigned long long)o->value, b->name, b->addr,
                (unsigned long long)last_word(b), past_sram);
        o->buf = NULL;
    }
}

/* A written operand must not overlap a read one, unless the op works in
 * place ('=' ends its kinds) and the two are the same range. */
static void check_aliasing(struct verifier *v, struct core_scan *cs, const struct operand *ops,
                           int n)
{
    const char *kinds = ax_isa_kinds(cs->op);
    int is_in_place = kinds[0] && kinds[strlen(kinds) - 1] == '=';
    for (int w = 0; w < n; w++) {
        if (!ops[w].buf || !strchr("WMqSVFT", ops[w].kind))
            continue;
        for (int r = 0; r < n; r++) {
            if (r == w || !ops[r].buf || !strchr("RMscgtxPTu", ops[r].kind))
                continue;
            uint64_t w0 = ops[w].value, w1 = w0 + ops[w].extent;
            uint64_t r0 = ops[r].value, r1 = r0 + ops[r].extent;
            if (w1 <= r0 || r1 <= w0)
                continue;
            if (is_in_place && w0 == r0 && w1 == r1)
                continue;
            char wn[16], rn[16];
            fail_at(v, cs->core, cs->at, cs->op, "written operand '%s' (words %llu..%llu of '%s') "
                    "overlaps read operand '%s' (words %llu..%llu of '%s')%s", operand_name(cs->op,
                    w, wn, sizeof wn), (unsigned long long)w0, (unsigned long long)w1 - 1,
                    ops[w].buf->name, operand_name(cs->op, r, rn, sizeof rn),
                    (unsigned long long)r0, (unsigned long long)r1 - 1, ops[r].buf->name,
                    is_in_place ? "; in place the two must be the same words"
                                : "; this op does not work in place, use another buffer");
        }
    }
}

/* `w`: a weight record this op may use. */
static void check_record(struct verifier *v, struct core_scan *cs, const struct operand *ops,
                         int slot)
{
    const struct ax_prog *p = v->p;
    uint64_t rec = ops[slot].value;
    if (rec >= p->n_weights) {
        fail_at(v, cs->core, cs->at, cs->op, "weight record %llu does not exist (%u records)",
                (unsigned long long)rec, p->n_weights);
        return;
    }
    const struct ax_prog_weight *w = &p->weights[rec];
    if (w->core != cs->core) {
        fail_at(v, cs->core, cs->at, cs->op, "weight record %llu ('%s') is on core %u, not this "
                "core", (unsigned long long)rec, w->tensor, w->core);
        return;
    }
    if (cs->op == AX_ISA_DMA) {
        if (!w->is_dram) {
            fail_at(v, cs->core, cs->at, cs->op, "weight record %llu ('%s') is in SRAM; dma "
                    "streams DRAM records only", (unsigned long long)rec, w->tensor);
            return;
        }
        v->is_dma_source[rec] = 1;
        const struct ax_prog_buffer *dst = ops[0].buf;
        if (!dst)
            return;
        uint64_t need = ax_prog_record_words(w);
        if (dst->words < need)
            fail_at(v, cs->core, cs->at, cs->op, "buffer '%s' (%u words) is too small for weight "
                    "record %llu (%u x %u: %llu words)", dst->name, dst->words,
                    (unsigned long long)rec, w->rows, w->cols, (unsigned long long)need);
        uint32_t pair[2] = {(uint32_t)(dst - p->buffers), (uint32_t)rec};
        vec_push(v, &cs->staged, pair, sizeof pair);
    } else if (w->is_float && cs->op != AX_ISA_LOOKUP) { /* synacc: codes only */
        fail_at(v, cs->core, cs->at, cs->op, "weight record %llu ('%s') holds float values; %s "
                "needs a quantized record", (unsigned long long)rec, w->tensor,
                ax_isa_mnemonic(cs->op));
    }
}

/* `r`: a route from this core of the kind the op sends. */
static const struct ax_prog_route *check_route_operand(struct verifier *v, struct core_scan *cs,
                                                       uint64_t id)
{
    const struct ax_prog *p = v->p;
    if (id >= p->n_routes) {
        fail_at(v, cs->core, cs->at, cs->op, "route %llu does not exist (%u routes)",
                (unsigned long long)id, p->n_routes);
        return NULL;
    }
    const struct ax_prog_route *r = &p->routes[id];
    enum ax_prog_route_kind want = cs->op == AX_ISA_EMIT || cs->op == AX_ISA_RELAY
                                       ? AX_PROG_ROUTE_SPIKES
                                       : AX_PROG_ROUTE_VALUES;
    if (r->src != cs->core) {
        fail_at(v, cs->core, cs->at, cs->op, "route %llu starts at core %u, not this core",
                (unsigned long long)id, r->src);
        return NULL;
    }
    if (r->kind != want) {
        fail_at(v, cs->core, cs->at, cs->op, "route %llu carries %s; %s needs a %s route",
                (unsigned long long)id, r->kind == AX_PROG_ROUTE_SPIKES ? "spikes" : "values",
                ax_isa_mnemonic(cs->op), want == AX_PROG_ROUTE_SPIKES ? "spikes" : "values");
        return NULL;
    }
    return r;
}

/* `i`: a barrier that lists this core, ids ascending on the core. */
static void check_barrier_operand(struct verifier *v, struct core_scan *cs, uint64_t id)
{
    const struct ax_prog *p = v->p;
    if (id >= p->n_barriers) {
        fail_at(v, cs->core, cs->at, cs->op, "barrier %llu does not exist (%u barriers)",
                (unsigned long long)id, p->n_barriers);
        return;
    }
    if (!ax_prog_barrier_lists(&p->barriers[id], cs->core))
        fail_at(v, cs->core, cs->at, cs->op, "barrier %llu does not list core %u; add the core to "
                "its '.barrier cores=' list", (unsigned long long)id, cs->core);
    if (cs->last_barrier != UINT64_MAX && id <= cs->last_barrier)
        fail_at(v, cs->core, cs->at, cs->op, "barrier %llu follows barrier %llu; barrier ids "
                "ascend on a core, each once", (unsigned long long)id,
                (unsigned long long)cs->last_barrier);
    cs->last_barrier = id;
    struct barrier_at b = {(uint32_t)id, cs->code, cs->at};
    vec_push(v, &v->barriers, &b, sizeof b);
}

static void check_flags(struct verifier *v, struct core_scan *cs, uint8_t flags)
{
    const struct ax_prog *p = v->p;
    if (cs->op == AX_ISA_ENCODE && (flags & 3) == 3)
        fail_at(v, cs->core, cs->at, cs->op, "flags 0x%02x: encoding 3 does not exist (bits 1..0: "
                "0 bitwise, 1 ternary, 2 binary)", flags);
    if ((cs->op == AX_ISA_THRESH || cs->op == AX_ISA_RMSNORM || cs->op == AX_ISA_GLADECAY ||
         cs->op == AX_ISA_KVPUSH || cs->op == AX_ISA_THRESHOF || cs->op == AX_ISA_RMSSCALE ||
         (cs->op == AX_ISA_ROPE && flags != 0)) &&
        flags >= p->n_consts)
        fail_at(v, cs->core, cs->at, cs->op, "flags %u name constant %u, but the consts table has "
                "%u", flags, flags, p->n_consts);
    if ((cs->op == AX_ISA_KVATTN || cs->op == AX_ISA_KVPART) && flags >> 1 >= p->n_consts)
        fail_at(v, cs->core, cs->at, cs->op, "flags 0x%02x name the window as constant %u, but the "
                "consts table has %u", flags, flags >> 1, p->n_consts);
    if ((cs->op == AX_ISA_KVMERGE || cs->op == AX_ISA_KVFOLD) && (flags == 0 || cs->len % flags != 0))
        fail_at(v, cs->core, cs->at, cs->op, "flags %u: %s's heads must be at least 1 and divide "
                "len (%llu)", flags, ax_isa_mnemonic(cs->op), (unsigned long long)cs->len);
    if (cs->op == AX_ISA_SUMACC && (flags & ~(AX_ISA_SUMACC_SQUARES | AX_ISA_SUMACC_START)))
        fail_at(v, cs->core, cs->at, cs->op,
                "flags 0x%02x: only bits 0 (squares) and 1 (start) exist", flags);
    if (cs->op == AX_ISA_PSUMRECV && (flags & ~AX_ISA_PSUMRECV_COPY))
        fail_at(v, cs->core, cs->at, cs->op, "flags 0x%02x: only bit 0 (copy) exists", flags);
    else if (cs->op == AX_ISA_PSUMRECV && (flags & AX_ISA_PSUMRECV_COPY) && cs->ops[1] != 1)
        fail_at(v, cs->core, cs->at, cs->op,
                "flags bit 0 (copy) takes one message, which replaces dst; count is %llu",
                (unsigned long long)cs->ops[1]);
}

/* An argmax's indexes are float32 words: base + len must stay within the
 * integers float32 holds exactly (2^24). An argmerge merges at least one
 * pair. */
static void check_pairs(struct verifier *v, struct core_scan *cs)
{
    if (cs->op == AX_ISA_ARGMAX && cs->ops[1] + cs->len > AX_ISA_ARGMAX_INDEXES)
        fail_at(v, cs->core, cs->at, cs->op,
                "base %llu + len %llu is past %u: the indexes are float32 words, exact below 2^24",
                (unsigned long long)cs->ops[1], (unsigned long long)cs->len, AX_ISA_ARGMAX_INDEXES);
    if (cs->op == AX_ISA_ARGMERGE && cs->ops[1] == 0)
        fail_at(v, cs->core, cs->at, cs->op, "n is 0: argmerge merges at least one pair");
}

/* Records what the wait checks (10) need from one instruction. */
static void collect_traffic(struct verifier *v, struct core_scan *cs, const struct ax_isa_instr *in,
                            const struct ax_prog_route *route)
{
    const struct ax_prog *p = v->p;
    if (in->op == AX_ISA_PSUMRECV) {
        struct recv r = {cs->core, (uint32_t)in->a, cs->at, in->b};
        if (in->a < p->sram_words)
            vec_push(v, &v->recvs, &r, sizeof r);
    } else if (in->op == AX_ISA_SYNACC || in->op == AX_ISA_RELAY) {
        if (v->takes_first[cs->code] == AX_PROG_NONE)
            v->takes_first[cs->code] = cs->at;
        v->takes_last[cs->code] = cs->at;
    }
    if (!route)
        return;
    for (uint32_t d = 0; d < route->n_dst; d++) {
        if (in->op == AX_ISA_EMIT || in->op == AX_ISA_RELAY) {
            struct emit_to e = {route->dst[d].core, cs->code, cs->at};
            vec_push(v, &v->emits, &e, sizeof e);
        } else {
            uint64_t words = in->op == AX_ISA_LOOKUP && in->a < p->n_weights
                                 ? p->weights[in->a].cols : cs->len;
            struct send s = {route->dst[d].core, route->dst[d].addr, cs->core, cs->at, words,
                             in->op};
            vec_push(v, &v->sends, &s, sizeof s);
        }
    }
}

/* An op over a weight block works on the block's rows: `len` must be them. */
static void check_block_rows(struct verifier *v, struct core_scan *cs, const struct ax_isa_instr *in,
                             const struct operand *ops)
{
    const struct ax_prog *p = v->p;
    uint32_t rec = AX_PROG_NONE;
    if (in->op == AX_ISA_SYNACC && in->a < p->n_weights)
        rec = (uint32_t)in->a;
    else if (in->op == AX_ISA_VDOT || in->op == AX_ISA_SCALE)
        rec = record_in(cs, p, ops[1].buf);
    if (rec >= p->n_weights || cs->len == p->weights[rec].rows)
        return;
    fail_at(v, cs->core, cs->at, cs->op, "len is %llu, but weight record %u ('%s') has %u rows; "
            "set len to the block's rows first", (unsigned long long)cs->len, rec,
            p->weights[rec].tensor, p->weights[rec].rows);
}

static void check_instruction(struct verifier *v, struct core_scan *cs, const struct ax_isa_instr *in)
{
    const char *kinds = ax_isa_kinds(in->op);
    int n = ax_isa_n_operands(in->op);
    struct operand ops[3];
    const uint64_t values[3] = {in->a, in->b, in->c};
    const struct ax_prog_route *route = NULL;
    cs->op = in->op;
    cs->flags = in->flags;
    for (int i = 0; i < 3; i++)
        cs->ops[i] = values[i];
    for (int i = 0; i < n; i++)
        ops[i] = (struct operand){kinds[i], values[i], NULL, 0};
    for (int i = 0; i < n; i++) {
        char k = ops[i].kind;
        if (ax_isa_kind_is_address(k) && !v->is_buffers_broken)
            check_address(v, cs, ops, i);
        else if (k == 'w')
            check_record(v, cs, ops, i);
        else if (k == 'r')
            route = check_route_operand(v, cs, ops[i].value);
        else if (k == 'i')
            check_barrier_operand(v, cs, ops[i].value);
    }
    check_aliasing(v, cs, ops, n);
    check_block_rows(v, cs, in, ops);
    check_flags(v, cs, in->flags);
    check_pairs(v, cs);
    collect_traffic(v, cs, in, route);
    if (in->op == AX_ISA_SETLEN)
        cs->len = in->a;
}

static void check_code(struct verifier *v)
{
    const struct ax_prog *p = v->p;
    for (uint32_t i = 0; i < p->n_code; i++) {
        const struct ax_prog_code *k = &p->code[i];
        locate(v, AX_PROG_TABLE_CODE, i);
        if (k->core >= p->n_cores)
            fail(v, "code for core %u: out of range (%u cores)", k->core, p->n_cores);
        if (i > 0 && k->core <= p->code[i - 1].core)
            fail(v, "code for core %u follows core %u; cores must ascend, each once", k->core,
                 p->code[i - 1].core);
        unlocate(v);
        struct core_scan cs = {i, k->core, 0, AX_ISA_NOP, 0, {0, 0, 0}, 0, UINT64_MAX, {NULL, 0, 0}};
        v->bar_first[i] = v->barriers.n;
        for (uint32_t j = 0; j < k->n_instr && !v->is_oom; j++) {
            struct ax_isa_instr in;
            cs.at = j;
            if (ax_isa_decode(k->words[j], &in) != 0)
                fail_at(v, k->core, j, AX_ISA_OP_COUNT, "0x%016llx is not a valid instruction",
                        (unsigned long long)k->words[j]);
            else
                check_instruction(v, &cs, &in);
        }
        v->bar_count[i] = v->barriers.n - v->bar_first[i];
        ax_mem_free(cs.staged.items);
    }
}

/* ---- 9. barriers in code ------------------------------------------------------------ */

static int cmp_barrier_at(const void *a, const void *b)
{
    const struct barrier_at *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->code < y->code ? -1 : x->code > y->code;
}

/* Every core a barrier lists reaches it exactly once. */
static void check_barrier_code(struct verifier *v)
{
    const struct ax_prog *p = v->p;
    uint32_t n = v->barriers.n;
    struct barrier_at *by_id = ax_mem_calloc((size_t)n + 1, sizeof *by_id);
    if (!by_id) {
        v->is_oom = 1;
        return;
    }
    if (n)
        memcpy(by_id, v->barriers.items, n * sizeof *by_id);
    qsort(by_id, n, sizeof *by_id, cmp_barrier_at);
    uint32_t at = 0;
    for (uint32_t id = 0; id < p->n_barriers; id++) {
        const struct ax_prog_barrier *b = &p->barriers[id];
        while (at < n && by_id[at].id < id)
            at++;
        for (uint32_t k = 0; k < b->n_cores; k++) {
            uint32_t core = b->cores[k], found = 0;
            while (at < n && by_id[at].id == id && p->code[by_id[at].code].core < core)
                at++;
            for (uint32_t j = at; j < n && by_id[j].id == id &&
                                  p->code[by_id[j].code].core == core; j++)
                found++;
            if (found != 1) {
                locate(v, AX_PROG_TABLE_BARRIER, id);
                fail(v, "barrier %u lists core %u, but core %u's code has %s 'barrier %u'; add "
                     "it or take the core off the barrier", id, core, core,
                     found ? "more than one" : "no", id);
                unlocate(v);
            }
        }
    }
    ax_mem_free(by_id);
}

/* ---- 10. waits: receives fed, spikes complete before synacc ---------------------- */

static int cmp_send(const void *a, const void *b)
{
    const struct send *x = a, *y = b;
    if (x->core != y->core)
        return x->core < y->core ? -1 : 1;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_recv(const void *a, const void *b)
{
    const struct recv *x = a, *y = b;
    if (x->core != y->core)
        return x->core < y->core ? -1 : 1;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return x->instr < y->instr ? -1 : x->instr > y->instr;
}

/* What each send carries fits the buffer it lands in. */
static void check_send_fits(struct verifier *v)
{
    const struct send *s = v->sends.items;
    for (uint32_t i = 0; i < v->sends.n; i++) {
        const struct ax_prog_buffer *b = ax_prog_buffer_at(v->p, s[i].core, s[i].addr);
        if (b && (uint64_t)s[i].addr + s[i].words > (uint64_t)b->addr + b->words)
            fail_at(v, s[i].src, s[i].instr, s[i].op, "sends %llu words to core %u word %u, past "
                    "the end of buffer '%s' there (words %u..%llu)", (unsigned long long)s[i].words,
                    s[i].core, s[i].addr, b->name, b->addr, (unsigned long long)last_word(b));
    }
}

/* A send to an address where no psumrecv waits (receives sorted). */
static void check_unreceived(struct verifier *v, const struct recv *r, uint32_t nr)
{
    const struct send *s = v->sends.items;
    for (uint32_t i = 0; i < v->sends.n; i++) {
        if (i > 0 && s[i].core == s[i - 1].core && s[i].addr == s[i - 1].addr)
            continue;
        uint32_t lo = 0, hi = nr;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (r[mid].core < s[i].core || (r[mid].core == s[i].core && r[mid].addr < s[i].addr))
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == nr || r[lo].core != s[i].core || r[lo].addr != s[i].addr)
            fail_at(v, s[i].src, s[i].instr, s[i].op, "sends to core %u word %u, where no psumrecv "
                    "waits: add `psumrecv` there or drop the destination", s[i].core, s[i].addr);
    }
}

/* Each address psumrecv waits at gets as many messages as it waits for,
 * counting every send whose route ends there (exactly as many when no
 * lookup, which may send nothing, feeds it). */
static void check_receives(struct verifier *v)
{
    struct send *s = v->sends.items;
    struct recv *r = v->recvs.items;
    uint32_t ns = v->sends.n, nr = v->recvs.n;
    if (ns)
        qsort(s, ns, sizeof *s, cmp_send);
    if (nr)
        qsort(r, nr, sizeof *r, cmp_recv);
    uint32_t at = 0;
    for (uint32_t i = 0; i < nr;) {
        uint32_t j = i;
        uint64_t waits = 0;
        for (; j < nr && r[j].core == r[i].core && r[j].addr == r[i].addr; j++)
            waits += r[j].count;
        struct send key = {r[i].core, r[i].addr, 0, 0, 0, AX_ISA_NOP};
        while (at < ns && cmp_send(&s[at], &key) < 0)
            at++;
        uint32_t fed = 0, n_lookups = 0;
        for (; at + fed < ns && cmp_send(&s[at + fed], &key) == 0; fed++)
            n_lookups += s[at + fed].op == AX_ISA_LOOKUP;
        const struct ax_prog_buffer *b = ax_prog_buffer_at(v->p, r[i].core, r[i].addr);
        const char *name = b ? b->name : "?";
        if (fed == 0)
            fail_at(v, r[i].core, r[i].instr, AX_ISA_PSUMRECV, "no send feeds buffer '%s' at word "
                    "%u: no psumsend or lookup has a route with destination %u@%u", name,
                    r[i].addr, r[i].core, r[i].addr);
        else if (waits > fed)
            fail_at(v, r[i].core, r[i].instr, AX_ISA_PSUMRECV, "the receives at word %u of buffer "
                    "'%s' wait for %llu messages in all, but only %u sends can reach it", r[i].addr,
                    name, (unsigned long long)waits, fed);
        else if (n_lookups == 0 && waits < fed)
            fail_at(v, r[i].core, r[i].instr, AX_ISA_PSUMRECV, "%u messages arrive at word %u of "
                    "buffer '%s', but the receives there take only %llu: every psumsend must be "
                    "received", fed, r[i].addr, name, (unsigned long long)waits);
        i = j;
    }
    check_unreceived(v, r, nr);
}

static int cmp_emit_to(const void *a, const void *b)
{
    const struct emit_to *x = a, *y = b;
    return x->dst < y->dst ? -1 : x->dst > y->dst;
}

/* The first of `n` barrier instructions (ascending positions) after
 * instruction `after`. */
static uint32_t first_after(const struct barrier_at *b, uint32_t n, uint32_t after)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (b[mid].instr <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* 1 when some barrier id appears both in the barriers of code record `s`
 * after instruction `after` and in those of `c` before instruction `before`.
 * Ids ascend with positions on each core (check 9), so each of s's ids is
 * looked up in c's by binary search; the first usually matches. */
static int share_barrier(const struct verifier *v, uint32_t s, uint32_t after, uint32_t c,
                         uint32_t before)
{
    const struct barrier_at *bars = v->barriers.items;
    if (!bars || v->bar_count[s] == 0 || v->bar_count[c] == 0)
        return 0; /* no barrier at all (and no array to point into) */
    const struct barrier_at *x = bars + v->bar_first[s], *y = bars + v->bar_first[c];
    uint32_t nx = v->bar_count[s];
    uint32_t ny = before ? first_after(y, v->bar_count[c], before - 1) : 0; /* those before `before` */
    if (ny == 0)
        return 0;
    for (uint32_t i = first_after(x, nx, after); i < nx && x[i].id <= y[ny - 1].id; i++) {
        uint32_t lo = 0, hi = ny;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (y[mid].id < x[i].id)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < ny && y[lo].id == x[i].id)
            return 1;
    }
    return 0;
}

/* The op of instruction `at` of code record `c`. */
static enum ax_isa_op op_at(const struct ax_prog *p, uint32_t c, uint32_t at)
{
    struct ax_isa_instr in;
    return ax_isa_decode(p->code[c].words[at], &in) == 0 ? in.op : AX_ISA_NOP; /* decoded before */
}

/* A synacc or relay takes spike events only after a barrier that joins it
 * with the sending core (emit or relay) after the send. */
static void check_spike_order(struct verifier *v)
{
    const struct ax_prog *p = v->p;
    struct emit_to *e = v->emits.items;
    uint32_t ne = v->emits.n;
    if (ne)
        qsort(e, ne, sizeof *e, cmp_emit_to);
    uint32_t at = 0;
    for (uint32_t c = 0; c < p->n_code; c++) {
        uint32_t core = p->code[c].core, first = v->takes_first[c], last = v->takes_last[c];
        while (at < ne && e[at].dst < core)
            at++;
        uint32_t end = at;
        while (end < ne && e[end].dst == core)
            end++;
        if (first == AX_PROG_NONE)
            continue;
        enum ax_isa_op first_op = op_at(p, c, first), last_op = op_at(p, c, last);
        if (at == end) {
            fail_at(v, core, first, first_op, "no spike route reaches core %u, or no emit or "
                    "relay uses one; a %s needs a spikes route to its core", core,
                    ax_isa_mnemonic(first_op));
            continue;
        }
        int is_fed = 0;
        for (uint32_t i = at; i < end && !is_fed; i++)
            is_fed = share_barrier(v, e[i].code, e[i].instr, c, first);
        if (!is_fed)
            fail_at(v, core, first, first_op, "spike events are not complete here: core %u "
                    "(instruction %u, %s) sends spikes to core %u, but no barrier joins the two "
                    "after the send and before this %s; add a barrier listing both",
                    p->code[e[at].code].core, e[at].instr,
                    ax_isa_mnemonic(op_at(p, e[at].code, e[at].instr)), core,
                    ax_isa_mnemonic(first_op));
        for (uint32_t i = at; i < end && is_fed; i++)
            if (!share_barrier(v, e[i].code, e[i].instr, c, last))
                fail_at(v, p->code[e[i].code].core, e[i].instr, op_at(p, e[i].code, e[i].instr),
                        "its spikes to core %u are never complete before a %s there (core %u, "
                        "instruction %u): add a barrier listing both cores after the send", core,
                        ax_isa_mnemonic(last_op), core, last);
    }
}

/* ---- 11. opmap, nodes, files ------------------------------------------------------- */

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void check_tables(struct verifier *v)
{
    const struct ax_prog *p = v->p;
    for (uint32_t i = 0; i < p->n_opmap; i++) {
        const struct ax_prog_opmap *m = &p->opmap[i];
        const struct ax_prog_code *k = ax_prog_code_of(p, m->core);
        locate(v, AX_PROG_TABLE_OPMAP, i);
        if (!k || (uint64_t)m->first + m->count > k->n_instr)
            fail(v, "opmap entry %u: instructions %u..%llu of core %u do not exist (it has %u)",
                 i, m->first, (unsigned long long)m->first + m->count - (m->count ? 1 : 0),
                 m->core, k ? k->n_instr : 0);
    }
    for (uint32_t i = 1; i < p->n_nodes; i++) {
        locate(v, AX_PROG_TABLE_NODE, i);
        if (p->nodes[i].node <= p->nodes[i - 1].node)
            fail(v, "node table: node %u follows node %u; nodes ascend, each once",
                 p->nodes[i].node, p->nodes[i - 1].node);
    }
    unlocate(v);
    const char **names = ax_mem_calloc((size_t)p->n_files + 1, sizeof *names);
    if (!names) {
        v->is_oom = 1;
        return;
    }
    for (uint32_t i = 0; i < p->n_files; i++) {
        names[i] = p->files[i].name ? p->files[i].name : "";
        locate(v, AX_PROG_TABLE_FILE, i);
        if (!names[i][0])
            fail(v, "file %u: has no name", i);
    }
    unlocate(v);
    qsort(names, p->n_files, sizeof *names, cmp_str_ptr);
    for (uint32_t i = 1; i < p->n_files; i++)
        if (strcmp(names[i], names[i - 1]) == 0 && names[i][0])
            fail(v, "two embedded files are named '%s'; names are unique", names[i]);
    ax_mem_free(names);
}

/* ---- the pipeline ---------------------------------------------------------------------- */

static int alloc_tables(struct verifier *v)
{
    const struct ax_prog *p = v->p;
    v->n_buffers_of = ax_mem_calloc((size_t)p->n_weights + 1, sizeof *v->n_buffers_of);
    v->is_dma_source = ax_mem_calloc((size_t)p->n_weights + 1, 1);
    v->bar_first = ax_mem_calloc((size_t)p->n_code + 1, sizeof *v->bar_first);
    v->bar_count = ax_mem_calloc((size_t)p->n_code + 1, sizeof *v->bar_count);
    v->takes_first = ax_mem_calloc((size_t)p->n_code + 1, sizeof *v->takes_first);
    v->takes_last = ax_mem_calloc((size_t)p->n_code + 1, sizeof *v->takes_last);
    v->instr_first = ax_mem_calloc((size_t)p->n_code + 1, sizeof *v->instr_first);
    if (!v->n_buffers_of || !v->is_dma_source || !v->bar_first || !v->bar_count ||
        !v->takes_first || !v->takes_last || !v->instr_first)
        return -1;
    for (uint32_t i = 0; i < p->n_code; i++)
        v->instr_first[i + 1] = v->instr_first[i] + p->code[i].n_instr;
    for (uint32_t i = 0; i < p->n_code; i++)
        v->takes_first[i] = v->takes_last[i] = AX_PROG_NONE;
    return 0;
}

static void free_tables(struct verifier *v)
{
    ax_mem_free(v->n_buffers_of);
    ax_mem_free(v->is_dma_source);
    ax_mem_free(v->bar_first);
    ax_mem_free(v->bar_count);
    ax_mem_free(v->takes_first);
    ax_mem_free(v->takes_last);
    ax_mem_free(v->instr_first);
    ax_mem_free(v->sends.items);
    ax_mem_free(v->recvs.items);
    ax_mem_free(v->emits.items);
    ax_mem_free(v->barriers.items);
}

ax_status ax_prog_validate(const struct ax_prog *p, const char *file, struct ax_diag_list *diags)
{
    return ax_prog_validate_at(p, file, NULL, diags);
}

/* 12. The waits in their order: run as control flow, every core reaches
 * its end (checked last, on a program that passed everything else). */
static void check_runs_to_end(struct verifier *v)
{
    enum { MAX_NAMED = 4 };
    if (v->n_errors)
        return;
    struct ax_prog_stuck stuck[MAX_NAMED];
    int64_t n = ax_prog_stuck_cores(v->p, stuck, MAX_NAMED);
    if (n < 0) {
        v->is_oom = 1;
        return;
    }
    for (int64_t i = 0; i < n && i < MAX_NAMED; i++) {
        const struct ax_prog_code *c = &v->p->code[stuck[i].code];
        struct ax_isa_instr in;
        if (ax_isa_decode(c->words[stuck[i].instr], &in) != 0)
            continue;
        if (in.op == AX_ISA_PSUMRECV) {
            const struct ax_prog_buffer *b = ax_prog_buffer_at(v->p, c->core, (uint32_t)in.a);
            fail_at(v, c->core, stuck[i].instr, in.op, "waits forever for its messages to "
                    "buffer '%s': in this order their senders are themselves waiting (%lld cores "
                    "in all never reach their end)", b ? b->name : "?", (long long)n);
        } else {
            fail_at(v, c->core, stuck[i].instr, in.op, "waits forever at barrier %llu: a core it "
                    "lists is itself waiting and never reaches it (%lld cores in all never reach "
                    "their end)", (unsigned long long)in.a, (long long)n);
        }
    }
}

ax_status ax_prog_validate_at(const struct ax_prog *p, const char *file,
                              const struct ax_prog_lines *lines, struct ax_diag_list *diags)
{
    struct verifier v;
    memset(&v, 0, sizeof v);
    v.p = p;
    v.file = file;
    v.diags = diags;
    v.lines = lines;
    if (alloc_tables(&v) != 0) {
        free_tables(&v);
        fail(&v, "out of memory while checking the program");
        return AX_ERR_NOMEM;
    }
    check_header(&v);
    check_weights(&v);
    check_dram(&v);
    check_buffers(&v);
    check_states(&v);
    check_routes_barriers(&v);
    check_code(&v);
    check_weight_residence(&v);
    check_barrier_code(&v);
    check_send_fits(&v);
    check_receives(&v);
    check_spike_order(&v);
    check_tables(&v);
    check_runs_to_end(&v);
    free_tables(&v);
    if (v.is_oom) {
        fail(&v, "out of memory while checking the program");
        return AX_ERR_NOMEM;
    }
    return v.n_errors ? AX_ERR_INVALID : AX_OK;
}
