/* The assembler text form of a program (version 2): printed by `axon
 * disasm`, read by `axon asm`. One directive or instruction a line; '#'
 * starts a comment; numbers are decimal or 0x hex.
 *
 *   .axb 2
 *   .cores 4
 *   .sram_words 4096
 *   .cores_per_chip 4
 *   .dram_bytes_per_chip 0
 *   .meta "model" "hand-written"
 *   .const 10000
 *   .weights core=1 tensor="layers.0.q.weight" rows=0+64 cols=0+128 sram
 *   .wdata 0 row=0+64 codes=1,-2 scales=0.0078125
 *   .buffer core=1 addr=0 words=2112 kind=weights ref=0 node=3 name=q.w0
 *   .buffer core=1 addr=2112 words=64 kind=acc node=3 name=q.acc0
 *   .state core=2 node=7 kind=gla rows=0+2 row_bytes=8192 buffer=2
 *   .route src=0 dst=1,2 spikes
 *   .route src=1 dst=0@2048 values
 *   .barrier cores=0,1,2
 *   .code 1
 *       setlen 64
 *       synacc 0, q.acc0
 *       scale q.acc0, q.w0+2048, q.acc0
 *   .opmap core=1 first=0 count=3 node=3
 *   .node 3 name="layers.0.q_proj" op="linear" layer=0 site="layers.0.q_proj"
 *   .file "config.json" size=5
 *   .data aGVsbG8=
 *   .file "chip.yaml" from="chips/small.yaml"
 *
 * An address operand (ax_isa_kind_is_address) may be a buffer of the core
 * by name, `name` or `name+N`; names resolve once the whole text is read,
 * so the sections may come in any order (a `.wdata` line comes after the
 * `.weights` line of its record). The binary's order is fixed. */
#include "ax_prog.h"

#include "ax_fs.h"
#include "ax_isa.h"
#include "ax_mem.h"
#include "ax_text.h"
#include "prog_lines.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The largest file `.file ... from=` embeds. */
#define MAX_EMBEDDED_FILE ((size_t)64 << 20)
/* Bytes of file data per `.data` line: 57 bytes are 76 base64 characters. */
#define DATA_LINE_BYTES 57
/* The most weight data (words, all records together) a text may expand to
 * with `.wdata` lines, whose lists repeat: a bound on what a short text can
 * make the assembler allocate. A compiled program that carries its weights
 * stays under 64 MiB, far below it. */
#define MAX_TEXT_WDATA_WORDS ((uint64_t)1 << 26)

/* ---- printing ------------------------------------------------------------------ */

static const char *const state_kind_names[] = {"gla", "kv", "glacol"};
_Static_assert(sizeof state_kind_names / sizeof state_kind_names[0] == AX_PROG_STATE_KIND_COUNT,
               "state kinds");
static const char *const route_kind_names[] = {"spikes", "values"};
_Static_assert(sizeof route_kind_names / sizeof route_kind_names[0] == AX_PROG_ROUTE_KIND_COUNT,
               "route kinds");
static const char base64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void print_header(const struct ax_prog *p, FILE *out)
{
    fprintf(out, ".axb 2\n.cores %u\n.sram_words %u\n.cores_per_chip %u\n"
            ".dram_bytes_per_chip %llu\n", p->n_cores, p->sram_words, p->cores_per_chip,
            (unsigned long long)p->dram_bytes_per_chip);
    for (uint32_t i = 0; i < p->n_meta; i++) {
        fputs(".meta ", out);
        ax_text_write_quoted(out, p->meta[i].key);
        fputc(' ', out);
        ax_text_write_quoted(out, p->meta[i].value);
        fputc('\n', out);
    }
    for (uint32_t i = 0; i < p->n_consts; i++) {
        uint32_t bits;
        memcpy(&bits, &p->consts[i], 4);
        /* %.9g reads back as the same float; non-finite values keep their bits. */
        if (isfinite(p->consts[i]) && !(p->consts[i] == 0.0f && signbit(p->consts[i])))
            fprintf(out, ".const %.9g   # const %u\n", (double)p->consts[i], i);
        else
            fprintf(out, ".const bits=0x%08x   # const %u\n", bits, i);
    }
}

static void print_weights(const struct ax_prog *p, FILE *out)
{
    for (uint32_t i = 0; i < p->n_weights; i++) {
        const struct ax_prog_weight *w = &p->weights[i];
        fprintf(out, ".weights core=%u tensor=", w->core);
        ax_text_write_quoted(out, w->tensor);
        fprintf(out, " rows=%u+%u cols=%u+%u %s%s   # weight %u\n", w->row0, w->rows, w->col0,
                w->cols, w->is_dram ? "dram" : "sram", w->is_float ? " float" : "", i);
    }
}

/* The length of the shortest prefix of v[0..n) that, repeated, gives all
 * of it (v[i] == v[i - p] for i >= p), from the prefix function of v;
 * `pi` is n words of scratch. n >= 1. */
static size_t period(const uint32_t *v, size_t n, size_t *pi)
{
    pi[0] = 0;
    for (size_t i = 1; i < n; i++) {
        size_t k = pi[i - 1];
        while (k > 0 && v[i] != v[k])
            k = pi[k - 1];
        pi[i] = k + (v[i] == v[k]);
    }
    return n - pi[n - 1];
}

/* Prints `key=` and the shortest prefix of v[0..n) that repeats to all of
 * it: codes as integers, floats (bits) with %.9g, which reads back as the
 * same float (the verifier keeps them finite). */
static void print_list(FILE *out, const char *key, const uint32_t *v, size_t n, int is_code,
                       size_t *pi)
{
    size_t k = period(v, n, pi);
    fprintf(out, " %s=", key);
    for (size_t i = 0; i < k; i++) {
        if (is_code) {
            fprintf(out, "%s%d", i ? "," : "", (int)(int8_t)(uint8_t)v[i]);
        } else {
            float f;
            memcpy(&f, &v[i], 4);
            fprintf(out, "%s%.9g", i ? "," : "", (double)f);
        }
    }
}

/* Row j of record `w`'s data into `row` (its codes, or values, as words:
 * cols of them) and `scales` (its groups; none for a float record). */
static void data_row(const struct ax_prog_weight *w, uint64_t j, uint32_t *row, uint32_t *scales)
{
    uint64_t n = (uint64_t)w->rows * w->cols, ng = (w->cols + AX_PROG_GROUP - 1) / AX_PROG_GROUP;
    for (uint64_t i = 0; i < w->cols; i++) {
        uint64_t k = j * w->cols + i;
        row[i] = w->is_float ? w->data[k] : (uint8_t)(w->data[k / 4] >> (8 * (k % 4)));
    }
    for (uint64_t g = 0; !w->is_float && g < ng; g++)
        scales[g] = w->data[(n + 3) / 4 + j * ng + g];
}

/* `.wdata` lines of every record that carries data: one line a run of
 * equal rows, each list as its shortest repeating prefix. */
static ax_status print_wdata(const struct ax_prog *p, FILE *out)
{
    for (uint32_t i = 0; i < p->n_weights; i++) {
        const struct ax_prog_weight *w = &p->weights[i];
        if (!w->data)
            continue;
        size_t cols = w->cols, ng = (cols + AX_PROG_GROUP - 1) / AX_PROG_GROUP;
        uint32_t *a = ax_mem_calloc(2 * (cols + ng), sizeof *a);
        size_t *pi = ax_mem_calloc(cols, sizeof *pi);
        if (!a || !pi) {
            ax_mem_free(a);
            ax_mem_free(pi);
            return AX_ERR_NOMEM;
        }
        uint32_t *row = a, *sc = a + cols, *next = a + cols + ng, *next_sc = next + cols;
        data_row(w, 0, row, sc);
        for (uint32_t j = 0; j < w->rows;) {
            uint32_t n = 1;
            for (; j + n < w->rows; n++) {
                data_row(w, j + n, next, next_sc);
                if (memcmp(next, row, (cols + ng) * sizeof *row) != 0)
                    break;
            }
            fprintf(out, ".wdata %u row=%u", i, j);
            if (n > 1)
                fprintf(out, "+%u", n);
            print_list(out, w->is_float ? "values" : "codes", row, cols, !w->is_float, pi);
            if (!w->is_float)
                print_list(out, "scales", sc, ng, 0, pi);
            fputc('\n', out);
            j += n;
            memcpy(row, next, (cols + ng) * sizeof *row);
        }
        ax_mem_free(a);
        ax_mem_free(pi);
    }
    return AX_OK;
}

static void print_buffers_states(const struct ax_prog *p, FILE *out)
{
    for (uint32_t i = 0; i < p->n_buffers; i++) {
        const struct ax_prog_buffer *b = &p->buffers[i];
        fprintf(out, ".buffer core=%u addr=%u words=%u kind=%s", b->core, b->addr, b->words,
                ax_prog_buffer_kind_str(b->kind));
        if (b->ref != AX_PROG_NONE)
            fprintf(out, " ref=%u", b->ref);
        if (b->node != AX_PROG_NONE)
            fprintf(out, " node=%u", b->node);
        fprintf(out, " name=%s   # buffer %u\n", b->name, i);
    }
    for (uint32_t i = 0; i < p->n_states; i++) {
        const struct ax_prog_state *s = &p->states[i];
        fprintf(out, ".state core=%u", s->core);
        if (s->node != AX_PROG_NONE)
            fprintf(out, " node=%u", s->node);
        fprintf(out, " kind=%s rows=%u+%u row_bytes=%u buffer=%u   # state %u\n",
                (unsigned)s->kind < AX_PROG_STATE_KIND_COUNT ? state_kind_names[s->kind] : "?",
                s->row0, s->rows, s->row_bytes, s->buffer, i);
    }
}

static void print_routes_barriers(const struct ax_prog *p, FILE *out)
{
    for (uint32_t i = 0; i < p->n_routes; i++) {
        const struct ax_prog_route *r = &p->routes[i];
        fprintf(out, ".route src=%u dst=", r->src);
        for (uint32_t d = 0; d < r->n_dst; d++) {
            fprintf(out, "%s%u", d ? "," : "", r->dst[d].core);
            if (r->dst[d].addr != AX_PROG_NONE)
                fprintf(out, "@%u", r->dst[d].addr);
        }
        fprintf(out, " %s   # route %u\n",
                (unsigned)r->kind < AX_PROG_ROUTE_KIND_COUNT ? route_kind_names[r->kind] : "?", i);
    }
    for (uint32_t i = 0; i < p->n_barriers; i++) {
        fputs(".barrier cores=", out);
        for (uint32_t k = 0; k < p->barriers[i].n_cores; k++)
            fprintf(out, "%s%u", k ? "," : "", p->barriers[i].cores[k]);
        fprintf(out, "   # barrier %u\n", i);
    }
}

/* Prints operand `v` of kind `kind` on `core`: a buffer's name when the
 * address is its first word, name+N inside it, else the number. */
static void print_operand(const struct ax_prog *p, uint32_t core, char kind, uint64_t v, FILE *out)
{
    const struct ax_prog_buffer *b =
        ax_isa_kind_is_address(kind) && v <= UINT32_MAX ? ax_prog_buffer_at(p, core, (uint32_t)v)
                                                        : NULL;
    if (!b)
        fprintf(out, "%llu", (unsigned long long)v);
    else if (v == b->addr)
        fputs(b->name, out);
    else
        fprintf(out, "%s+%llu", b->name, (unsigned long long)(v - b->addr));
}

static ax_status print_code(const struct ax_prog *p, FILE *out)
{
    for (uint32_t i = 0; i < p->n_code; i++) {
        const struct ax_prog_code *k = &p->code[i];
        fprintf(out, ".code %u\n", k->core);
        for (uint32_t j = 0; j < k->n_instr; j++) {
            struct ax_isa_instr in;
            if (ax_isa_decode(k->words[j], &in) != 0)
                return AX_ERR_INVALID;
            const uint64_t ops[3] = {in.a, in.b, in.c};
            const char *kinds = ax_isa_kinds(in.op);
            fprintf(out, "    %s", ax_isa_mnemonic(in.op));
            for (int o = 0; o < ax_isa_n_operands(in.op); o++) {
                fputs(o ? ", " : " ", out);
                print_operand(p, k->core, kinds[o], ops[o], out);
            }
            if (in.flags)
                fprintf(out, " .flags %u", in.flags);
            fputc('\n', out);
        }
    }
    for (uint32_t i = 0; i < p->n_opmap; i++)
        fprintf(out, ".opmap core=%u first=%u count=%u node=%u\n", p->opmap[i].core,
                p->opmap[i].first, p->opmap[i].count, p->opmap[i].node);
    return AX_OK;
}

static void print_base64_line(const unsigned char *d, size_t n, FILE *out)
{
    fputs(".data ", out);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) |
                     (i + 2 < n ? d[i + 2] : 0);
        fputc(base64_chars[v >> 18 & 63], out);
        fputc(base64_chars[v >> 12 & 63], out);
        fputc(i + 1 < n ? base64_chars[v >> 6 & 63] : '=', out);
        fputc(i + 2 < n ? base64_chars[v & 63] : '=', out);
    }
    fputc('\n', out);
}

static void print_nodes_files(const struct ax_prog *p, FILE *out)
{
    for (uint32_t i = 0; i < p->n_nodes; i++) {
        const struct ax_prog_node *n = &p->nodes[i];
        fprintf(out, ".node %u name=", n->node);
        ax_text_write_quoted(out, n->name);
        fputs(" op=", out);
        ax_text_write_quoted(out, n->op);
        fprintf(out, " layer=%d site=", (int)n->layer);
        ax_text_write_quoted(out, n->site);
        fputc('\n', out);
    }
    for (uint32_t i = 0; i < p->n_files; i++) {
        const struct ax_prog_file *f = &p->files[i];
        fputs(".file ", out);
        ax_text_write_quoted(out, f->name);
        fprintf(out, " size=%llu\n", (unsigned long long)f->size);
        for (uint64_t at = 0; at < f->size; at += DATA_LINE_BYTES)
            print_base64_line(f->data + at,
                              (size_t)(f->size - at < DATA_LINE_BYTES ? f->size - at
                                                                      : DATA_LINE_BYTES), out);
    }
}

ax_status ax_prog_print(const struct ax_prog *p, FILE *out)
{
    print_header(p, out);
    print_weights(p, out);
    ax_status st = print_wdata(p, out);
    if (st != AX_OK)
        return st;
    print_buffers_states(p, out);
    print_routes_barriers(p, out);
    st = print_code(p, out);
    if (st != AX_OK)
        return st;
    print_nodes_files(p, out);
    return ferror(out) ? AX_ERR_IO : AX_OK;
}

/* ---- parsing ------------------------------------------------------------------ */

/* An operand written as a buffer name; resolved once every buffer is known. */
struct pending_name {
    uint32_t code, instr, slot; /* the code record, the instruction, operand 0..2 */
    const char *name;
    uint64_t offset;            /* name+offset */
    uint32_t line, col;
};

/* A record's data while its `.wdata` lines are read: its words (NULL
 * before the first line) and the rows given so far (0..next_row-1). */
struct wdata_fill {
    uint32_t *words;
    uint32_t next_row, line;
};

struct parser {
    const char *file;
    struct ax_diag_list *diags;
    struct ax_prog *p;
    uint32_t line, n_errors;
    int is_oom, has_header;
    const char *line_start, *s; /* s: the cursor inside the current line (NUL-terminated copy) */
    const char *text_end, *text_pos; /* what remains of the whole text */
    /* growable arrays while parsing; copied into the arena at the end */
    struct ax_prog_code *code;
    uint32_t n_code;
    uint64_t *words;
    uint32_t n_words;
    struct pending_name *names;
    uint32_t n_names;
    /* where each record and instruction came from, for the verifier */
    struct ax_prog_pos *pos[AX_PROG_TABLE_COUNT];
    uint32_t n_pos[AX_PROG_TABLE_COUNT];
    struct ax_prog_pos *instr_pos;
    uint32_t n_instr_pos;
    /* per weight record, the data its `.wdata` lines have filled so far */
    struct wdata_fill *wdata;
    uint32_t n_wdata;        /* entries of `wdata` (grows to n_weights) */
    uint64_t wdata_words;    /* words allocated for data, all records together */
    /* the `.file` whose `.data` lines are being read, if any */
    struct ax_prog_file *open_file;
    unsigned char *file_data;
    uint64_t file_filled;
    uint32_t file_line;
};

static void error_at(struct parser *ps, const char *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void error_at(struct parser *ps, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ax_diag_vadd(ps->diags, AX_DIAG_ERROR, ps->file, ps->line, (uint32_t)(at - ps->line_start) + 1,
                 fmt, ap);
    va_end(ap);
    ps->n_errors++;
}

static void skip(struct parser *ps)
{
    while (*ps->s == ' ' || *ps->s == '\t')
        ps->s++;
}

static int parse_u64(struct parser *ps, uint64_t *out, uint64_t max, const char *what)
{
    skip(ps);
    const char *at = ps->s;
    char *end = NULL;
    errno = 0;
    unsigned long long v = isdigit((unsigned char)*at) ? strtoull(at, &end, 0) : 0;
    if (!isdigit((unsigned char)*at) || errno == ERANGE || v > max) {
        error_at(ps, at, "%s: expected a whole number from 0 to %llu", what,
                 (unsigned long long)max);
        return -1;
    }
    ps->s = end;
    *out = v;
    return 0;
}

static int parse_u32(struct parser *ps, uint32_t *out, const char *what)
{
    uint64_t v;
    if (parse_u64(ps, &v, UINT32_MAX, what))
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int parse_string(struct parser *ps, const char **out)
{
    skip(ps);
    const char *at = ps->s;
    const char *err = ax_text_read_quoted(&ps->s, ps->s + strlen(ps->s), &ps->p->arena, out);
    if (err)
        error_at(ps, at, "%s", err);
    return err ? -1 : 0;
}

/* The length of a name `[A-Za-z_][A-Za-z0-9_.]*` at `s` (0: none). */
static size_t name_len(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_')
        return 0;
    size_t n = 1;
    while (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '.')
        n++;
    return n;
}

/* "key=" at the cursor. */
static int expect_key(struct parser *ps, const char *key)
{
    skip(ps);
    size_t n = strlen(key);
    if (strncmp(ps->s, key, n) != 0 || ps->s[n] != '=') {
        error_at(ps, ps->s, "expected '%s='", key);
        return -1;
    }
    ps->s += n + 1;
    return 0;
}

/* "key=" at the cursor, if it is there: consumes it and returns 1. */
static int has_key(struct parser *ps, const char *key)
{
    skip(ps);
    size_t n = strlen(key);
    if (strncmp(ps->s, key, n) != 0 || ps->s[n] != '=')
        return 0;
    ps->s += n + 1;
    return 1;
}

/* A bare word at the cursor, if it is `word`: consumes it and returns 1. */
static int has_word(struct parser *ps, const char *word)
{
    skip(ps);
    size_t n = strlen(word);
    if (strncmp(ps->s, word, n) != 0 || isalnum((unsigned char)ps->s[n]) || ps->s[n] == '_')
        return 0;
    ps->s += n;
    return 1;
}

/* FIRST+COUNT at the cursor. */
static int parse_range(struct parser *ps, uint32_t *first, uint32_t *count, const char *what)
{
    if (parse_u32(ps, first, what))
        return -1;
    if (*ps->s != '+') {
        error_at(ps, ps->s, "%s: expected FIRST+COUNT, e.g. %s=0+128", what, what);
        return -1;
    }
    ps->s++;
    return parse_u32(ps, count, what);
}

static int expect_end(struct parser *ps)
{
    skip(ps);
    if (*ps->s && *ps->s != '#') {
        error_at(ps, ps->s, "unexpected text at the end of the line");
        return -1;
    }
    return 0;
}

/* Makes room for one more element in the arena array `items` of *n
 * elements and counts it; capacity doubles whenever *n reaches a power of
 * two (old copies stay in the arena until the program is freed). Returns the
 * array, or NULL when memory runs out: the parse then stops. */
static void *append(struct parser *ps, void *items, uint32_t *n, size_t size)
{
    void *grown = items;
    if ((*n & (*n - 1)) == 0) { /* 0 or a power of two: full */
        grown = ax_arena_alloc(&ps->p->arena, size * (*n ? 2 * (size_t)*n : 1));
        if (!grown) {
            ps->is_oom = 1;
            return NULL;
        }
        if (*n)
            memcpy(grown, items, size * *n);
    }
    (*n)++;
    return grown;
}

/* Appends `item` of `size` bytes to the arena array *items of *n. */
static void push(struct parser *ps, void *items_ptr, uint32_t *n, const void *item, size_t size)
{
    void **items = items_ptr;
    unsigned char *grown = append(ps, *items, n, size);
    if (!grown)
        return;
    *items = grown;
    memcpy(grown + size * (*n - 1), item, size);
}

static void close_code(struct parser *ps)
{
    if (ps->n_code == 0)
        return;
    struct ax_prog_code *k = &ps->code[ps->n_code - 1];
    if (k->words)
        return;
    k->n_instr = ps->n_words;
    k->words = ax_arena_calloc(&ps->p->arena, ps->n_words + 1, sizeof *k->words);
    if (!k->words)
        ps->is_oom = 1;
    else if (ps->n_words)
        memcpy(k->words, ps->words, ps->n_words * sizeof *k->words);
    ps->n_words = 0;
}

/* Ends the `.data` lines of the open `.file`: they must hold its size. */
static void close_file(struct parser *ps)
{
    if (!ps->open_file)
        return;
    if (ps->file_filled != ps->open_file->size) {
        ax_diag_add(ps->diags, AX_DIAG_ERROR, ps->file, ps->file_line, 1,
                    ".file \"%s\": size=%llu, but its .data lines hold %llu bytes; fix size= or "
                    "the .data lines", ps->open_file->name, (unsigned long long)ps->open_file->size,
                    (unsigned long long)ps->file_filled);
        ps->n_errors++;
    }
    ps->open_file = NULL;
}

/* ---- directives, one function each ---------------------------------------------- */

static void dir_axb(struct parser *ps, const char *at)
{
    uint32_t v;
    if (parse_u32(ps, &v, ".axb"))
        return;
    if (v == 1)
        error_at(ps, at, "program text version 1 is no longer read: compile it again with this "
                 "axon (axon compile MODEL --chip CHIP -o PROG.axb)");
    else if (v != 2)
        error_at(ps, at, "program text version %u is not one this axon reads; expected 2", v);
    ps->has_header = 1;
}

static void dir_cores(struct parser *ps, const char *at)
{
    (void)at;
    parse_u32(ps, &ps->p->n_cores, ".cores");
}

static void dir_sram_words(struct parser *ps, const char *at)
{
    (void)at;
    parse_u32(ps, &ps->p->sram_words, ".sram_words");
}

static void dir_cores_per_chip(struct parser *ps, const char *at)
{
    (void)at;
    parse_u32(ps, &ps->p->cores_per_chip, ".cores_per_chip");
}

static void dir_dram_bytes_per_chip(struct parser *ps, const char *at)
{
    (void)at;
    parse_u64(ps, &ps->p->dram_bytes_per_chip, UINT64_MAX, ".dram_bytes_per_chip");
}

static void dir_meta(struct parser *ps, const char *at)
{
    (void)at;
    struct ax_prog_meta m;
    if (parse_string(ps, &m.key) || parse_string(ps, &m.value))
        return;
    push(ps, &ps->p->meta, &ps->p->n_meta, &m, sizeof m);
}

static void dir_const(struct parser *ps, const char *at)
{
    (void)at;
    float f;
    if (has_key(ps, "bits")) {
        uint32_t bits;
        if (parse_u32(ps, &bits, "bits"))
            return;
        memcpy(&f, &bits, 4);
    } else {
        char *end;
        f = strtof(ps->s, &end);
        if (end == ps->s || !isfinite(f)) {
            error_at(ps, ps->s, ".const: expected a finite number or bits=0xHHHHHHHH");
            return;
        }
        ps->s = end;
    }
    push(ps, &ps->p->consts, &ps->p->n_consts, &f, sizeof f);
}

static void dir_weights(struct parser *ps, const char *at)
{
    (void)at;
    struct ax_prog_weight w = {0};
    if (expect_key(ps, "core") || parse_u32(ps, &w.core, "core") || expect_key(ps, "tensor") ||
        parse_string(ps, &w.tensor) || expect_key(ps, "rows") ||
        parse_range(ps, &w.row0, &w.rows, "rows") || expect_key(ps, "cols") ||
        parse_range(ps, &w.col0, &w.cols, "cols"))
        return;
    if (has_word(ps, "dram"))
        w.is_dram = 1;
    else if (!has_word(ps, "sram")) {
        error_at(ps, ps->s, "expected 'sram' or 'dram' (where the block lives)");
        return;
    }
    w.is_float = (uint8_t)has_word(ps, "float");
    push(ps, &ps->p->weights, &ps->p->n_weights, &w, sizeof w);
}

static void dir_buffer(struct parser *ps, const char *at)
{
    (void)at;
    struct ax_prog_buffer b = {0, 0, 0, AX_PROG_BUF_SCRATCH, AX_PROG_NONE, AX_PROG_NONE, NULL};
    if (expect_key(ps, "core") || parse_u32(ps, &b.core, "core") || expect_key(ps, "addr") ||
        parse_u32(ps, &b.addr, "addr") || expect_key(ps, "words") ||
        parse_u32(ps, &b.words, "words") || expect_key(ps, "kind"))
        return;
    size_t n = name_len(ps->s);
    char kind[16];
    snprintf(kind, sizeof kind, "%.*s", (int)(n < 15 ? n : 15), ps->s);
    if (ax_prog_buffer_kind_parse(kind, &b.kind) != 0) {
        error_at(ps, ps->s, "unknown buffer kind '%s'; expected weights, param, const, acc, "
                 "value, inbox, counts, scalar, state, staging or scratch", kind);
        return;
    }
    ps->s += n;
    if (has_key(ps, "ref") && parse_u32(ps, &b.ref, "ref"))
        return;
    if (has_key(ps, "node") && parse_u32(ps, &b.node, "node"))
        return;
    if (expect_key(ps, "name"))
        return;
    n = name_len(ps->s);
    if (n == 0) {
        error_at(ps, ps->s, "name: expected a name of letters, digits, '_' and '.', not starting "
                 "with a digit");
        return;
    }
    b.name = ax_arena_strndup(&ps->p->arena, ps->s, n);
    ps->s += n;
    if (!b.name) {
        ps->is_oom = 1;
        return;
    }
    push(ps, &ps->p->buffers, &ps->p->n_buffers, &b, sizeof b);
}

static void dir_state(struct parser *ps, const char *at)
{
    (void)at;
    struct ax_prog_state s = {0, AX_PROG_NONE, AX_PROG_STATE_GLA, 0, 0, 0, 0};
    if (expect_key(ps, "core") || parse_u32(ps, &s.core, "core"))
        return;
    if (has_key(ps, "node") && parse_u32(ps, &s.node, "node"))
        return;
    if (expect_key(ps, "kind"))
        return;
    if (has_word(ps, "glacol"))
        s.kind = AX_PROG_STATE_GLACOL;
    else if (has_word(ps, "gla"))
        s.kind = AX_PROG_STATE_GLA;
    else if (has_word(ps, "kv"))
        s.kind = AX_PROG_STATE_KV;
    else {
        error_at(ps, ps->s, "kind: expected 'gla', 'glacol' or 'kv'");
        return;
    }
    if (expect_key(ps, "rows") || parse_range(ps, &s.row0, &s.rows, "rows") ||
        expect_key(ps, "row_bytes") || parse_u32(ps, &s.row_bytes, "row_bytes") ||
        expect_key(ps, "buffer") || parse_u32(ps, &s.buffer, "buffer"))
        return;
    push(ps, &ps->p->states, &ps->p->n_states, &s, sizeof s);
}

static void dir_route(struct parser *ps, const char *at)
{
    (void)at;
    struct ax_prog_route r = {0, AX_PROG_ROUTE_SPIKES, 0, NULL};
    if (expect_key(ps, "src") || parse_u32(ps, &r.src, "src") || expect_key(ps, "dst"))
        return;
    do {
        struct ax_prog_dest d = {0, AX_PROG_NONE};
        if (parse_u32(ps, &d.core, "dst"))
            return;
        if (*ps->s == '@') {
            ps->s++;
            if (parse_u32(ps, &d.addr, "dst address"))
                return;
        }
        push(ps, &r.dst, &r.n_dst, &d, sizeof d);
    } while (*ps->s == ',' && ps->s++);
    if (has_word(ps, "values"))
        r.kind = AX_PROG_ROUTE_VALUES;
    else if (!has_word(ps, "spikes")) {
        error_at(ps, ps->s, "expected 'spikes' or 'values' (what the route carries)");
        return;
    }
    push(ps, &ps->p->routes, &ps->p->n_routes, &r, sizeof r);
}

static void dir_barrier(struct parser *ps, const char *at)
{
    (void)at;
    struct ax_prog_barrier b = {0, NULL};
    if (expect_key(ps, "cores"))
        return;
    do {
        uint32_t c;
        if (parse_u32(ps, &c, "cores"))
            return;
        push(ps, &b.cores, &b.n_cores, &c, sizeof c);
    } while (*ps->s == ',' && ps->s++);
    push(ps, &ps->p->barriers, &ps->p->n_barriers, &b, sizeof b);
}

static void dir_code(struct parser *ps, const char *at)
{
    (void)at;
    close_code(ps);
    struct ax_prog_code k = {0, 0, NULL};
    if (parse_u32(ps, &k.core, ".code"))
        return;
    push(ps, &ps->code, &ps->n_code, &k, sizeof k);
}

static void dir_opmap(struct parser *ps, const char *at)
{
    (void)at;
    struct ax_prog_opmap m;
    if (expect_key(ps, "core") || parse_u32(ps, &m.core, "core") || expect_key(ps, "first") ||
        parse_u32(ps, &m.first, "first") || expect_key(ps, "count") ||
        parse_u32(ps, &m.count, "count") || expect_key(ps, "node") ||
        parse_u32(ps, &m.node, "node"))
        return;
    push(ps, &ps->p->opmap, &ps->p->n_opmap, &m, sizeof m);
}

static void dir_node(struct parser *ps, const char *at)
{
    (void)at;
    struct ax_prog_node n = {0, NULL, NULL, -1, ""};
    if (parse_u32(ps, &n.node, ".node") || expect_key(ps, "name") || parse_string(ps, &n.name) ||
        expect_key(ps, "op") || parse_string(ps, &n.op) || expect_key(ps, "layer"))
        return;
    skip(ps);
    const char *num = ps->s;
    char *end;
    errno = 0;
    long v = strtol(num, &end, 10);
    if (end == num || errno == ERANGE || v < INT32_MIN || v > INT32_MAX) {
        error_at(ps, num, "layer: expected a whole number (-1: not in a layer)");
        return;
    }
    ps->s = end;
    n.layer = (int32_t)v;
    if (expect_key(ps, "site") || parse_string(ps, &n.site))
        return;
    push(ps, &ps->p->nodes, &ps->p->n_nodes, &n, sizeof n);
}

/* The directory part of `file` joined with the relative `path`, on the heap. */
static char *path_beside(const char *file, const char *path)
{
    const char *slash = strrchr(file, '/');
    if (path[0] == '/' || !slash)
        return ax_mem_strdup(path);
    size_t dir = (size_t)(slash - file) + 1, n = strlen(path);
    char *out = ax_mem_alloc(dir + n + 1);
    if (out) {
        memcpy(out, file, dir);
        memcpy(out + dir, path, n + 1);
    }
    return out;
}

/* `.file "name" from="path"`: embeds the file at `path`, relative to the
 * directory of the text being parsed. */
static void embed_from(struct parser *ps, const char *name, const char *at)
{
    const char *path;
    if (parse_string(ps, &path))
        return;
    char *full = path_beside(ps->file, path);
    char *data = NULL;
    size_t len = 0;
    if (!full) {
        ps->is_oom = 1;
        return;
    }
    struct ax_diag_list why;
    ax_diag_list_init(&why);
    ax_status st = ax_fs_read_file(full, MAX_EMBEDDED_FILE, &data, &len, &why);
    if (st != AX_OK) {
        char msg[512] = "";
        if (why.n_items)
            ax_diag_format(&why.items[0], msg, sizeof msg);
        error_at(ps, at, ".file \"%s\": cannot embed '%s' (read as '%s', beside this file): %s",
                 name, path, full, msg);
    } else if (ax_prog_add_file(ps->p, name, data, len) != AX_OK) {
        ps->is_oom = 1;
    }
    ax_diag_list_free(&why);
    ax_mem_free(data);
    ax_mem_free(full);
}

static void dir_file(struct parser *ps, const char *at)
{
    const char *name;
    if (parse_string(ps, &name))
        return;
    if (has_key(ps, "from")) {
        embed_from(ps, name, at);
        return;
    }
    uint64_t size;
    if (expect_key(ps, "size") || parse_u64(ps, &size, UINT64_MAX, "size"))
        return;
    /* base64 holds 3 bytes in 4 characters: the rest of the text bounds the size */
    uint64_t room = (uint64_t)(ps->text_end - ps->text_pos) / 4 * 3 + 3;
    if (size > room) {
        error_at(ps, at, ".file \"%s\": size=%llu, but the rest of the text holds at most %llu "
                 "bytes of .data", name, (unsigned long long)size, (unsigned long long)room);
        return;
    }
    unsigned char *data = ax_arena_alloc(&ps->p->arena, (size_t)size + 1);
    struct ax_prog_file f = {name, size, data};
    if (!data) {
        ps->is_oom = 1;
        return;
    }
    push(ps, &ps->p->files, &ps->p->n_files, &f, sizeof f);
    if (ps->is_oom)
        return;
    ps->open_file = &ps->p->files[ps->p->n_files - 1];
    ps->file_data = data;
    ps->file_filled = 0;
    ps->file_line = ps->line;
}

/* The 6-bit value of a base64 character, or -1. */
static int base64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* `.data BASE64`: the next bytes of the open `.file`. */
static void dir_data(struct parser *ps, const char *at)
{
    if (!ps->open_file) {
        error_at(ps, at, ".data outside a '.file \"NAME\" size=N' block");
        return;
    }
    skip(ps);
    int is_padded = 0;
    size_t n_chars = strcspn(ps->s, " \t#");
    if (n_chars % 4 != 0) {
        error_at(ps, ps->s + n_chars / 4 * 4, ".data: expected base64 in groups of 4 characters; "
                 "%zu characters is not a whole number of groups", n_chars);
        return;
    }
    for (const char *end = ps->s + n_chars; ps->s < end;) {
        const char *q = ps->s;
        int v[4];
        for (int i = 0; i < 4; i++)
            v[i] = q[i] == '=' && i >= 2 ? -2 : base64_value(q[i]);
        if (is_padded || v[0] < 0 || v[1] < 0 || v[2] == -1 || v[3] == -1 ||
            (v[2] == -2 && v[3] != -2)) {
            error_at(ps, q, ".data: expected base64 in groups of 4 characters (A-Z a-z 0-9 + /, "
                     "'=' padding only at the end)");
            return;
        }
        unsigned char bytes[3] = {(unsigned char)(v[0] << 2 | v[1] >> 4),
                                  (unsigned char)((v[1] & 15) << 4 | (v[2] >= 0 ? v[2] >> 2 : 0)),
                                  (unsigned char)((v[2] >= 0 ? (v[2] & 3) << 6 : 0) |
                                                  (v[3] >= 0 ? v[3] : 0))};
        int n = v[2] == -2 ? 1 : v[3] == -2 ? 2 : 3;
        is_padded = n < 3;
        if (ps->file_filled + (uint64_t)n > ps->open_file->size) {
            error_at(ps, q, ".data: more bytes than the size=%llu of .file \"%s\"",
                     (unsigned long long)ps->open_file->size, ps->open_file->name);
            return;
        }
        memcpy(ps->file_data + ps->file_filled, bytes, (size_t)n);
        ps->file_filled += (uint64_t)n;
        ps->s += 4;
    }
}

/* `key=LIST` at the cursor: comma-separated numbers, codes (integers
 * -128..127) or finite floats, as words (the code's int32 or the float's
 * bits) into a fresh array *out (ax_mem_free) of at most `max`. Returns the
 * count, or 0 after an error. */
static uint64_t parse_list(struct parser *ps, const char *key, int is_code, uint64_t max,
                           uint32_t **out)
{
    *out = NULL;
    if (expect_key(ps, key))
        return 0;
    /* a list of k numbers takes at least 2k - 1 characters */
    uint64_t cap = strlen(ps->s) / 2 + 1;
    if (cap > max)
        cap = max;
    uint32_t *v = ax_mem_alloc((size_t)cap * sizeof *v);
    if (!v) {
        ps->is_oom = 1;
        return 0;
    }
    uint64_t n = 0;
    for (;;) {
        const char *at = ps->s;
        char *end = NULL;
        if (n == cap) {
            error_at(ps, at, "%s: more than %llu numbers (one a column%s)", key,
                     (unsigned long long)max, is_code ? "" : " or group");
            break;
        }
        errno = 0;
        if (isspace((unsigned char)*at)) {
            error_at(ps, at, "%s: no spaces inside a list (1,2,3)", key);
            break;
        }
        if (is_code) {
            long c = strtol(at, &end, 10);
            if (end == at || errno == ERANGE || c < -128 || c > 127) {
                error_at(ps, at, "%s: expected an int8 code (-128..127)", key);
                break;
            }
            v[n++] = (uint32_t)(int32_t)c;
        } else {
            float f = strtof(at, &end);
            if (end == at || !isfinite(f)) {
                error_at(ps, at, "%s: expected a finite number", key);
                break;
            }
            memcpy(&v[n++], &f, 4);
        }
        ps->s = end;
        if (*ps->s != ',') {
            *out = v;
            return n;
        }
        ps->s++;
    }
    ax_mem_free(v);
    return 0;
}

/* The fill of record `id`, making room for it; NULL when memory runs out. */
static struct wdata_fill *wdata_fill(struct parser *ps, uint32_t id)
{
    if (id >= ps->n_wdata) {
        uint32_t n = ps->p->n_weights;
        struct wdata_fill *grown = ax_mem_realloc(ps->wdata, (size_t)n * sizeof *grown);
        if (!grown) {
            ps->is_oom = 1;
            return NULL;
        }
        memset(grown + ps->n_wdata, 0, (size_t)(n - ps->n_wdata) * sizeof *grown);
        ps->wdata = grown;
        ps->n_wdata = n;
    }
    return &ps->wdata[id];
}

/* `.wdata W row=J[+N] codes=LIST scales=LIST` (or `values=LIST` for a
 * float record): rows J..J+N-1 of weight record W, each the lists repeated
 * to its columns (codes, values) and its groups (scales). */
static void dir_wdata(struct parser *ps, const char *at)
{
    uint32_t id, row, n_rows = 1;
    if (parse_u32(ps, &id, ".wdata"))
        return;
    if (id >= ps->p->n_weights) {
        error_at(ps, at, ".wdata %u: no weight record %u before this line (%u so far); a .wdata "
                 "line comes after the .weights line of its record", id, id, ps->p->n_weights);
        return;
    }
    const struct ax_prog_weight *w = &ps->p->weights[id];
    if (expect_key(ps, "row") || parse_u32(ps, &row, "row"))
        return;
    if (*ps->s == '+') {
        ps->s++;
        if (parse_u32(ps, &n_rows, "row"))
            return;
    }
    struct wdata_fill *f = wdata_fill(ps, id);
    if (!f)
        return;
    if (row != f->next_row || n_rows == 0 || n_rows > w->rows - row || row >= w->rows) {
        error_at(ps, at, ".wdata %u: row=%u+%u; the record has rows 0..%u and its .wdata lines "
                 "give them in order, the next from row %u", id, row, n_rows, w->rows - 1,
                 f->next_row);
        return;
    }
    uint64_t cols = w->cols, ng = (cols + AX_PROG_GROUP - 1) / AX_PROG_GROUP;
    uint64_t n_words = ax_prog_record_words(w);
    if (!f->words) {
        if (n_words > MAX_TEXT_WDATA_WORDS - ps->wdata_words) {
            error_at(ps, at, ".wdata %u: %llu words of data; the text form carries at most %llu "
                     "words of weight data in all (keep larger programs binary)", id,
                     (unsigned long long)n_words, (unsigned long long)MAX_TEXT_WDATA_WORDS);
            return;
        }
        f->words = ax_arena_calloc(&ps->p->arena, (size_t)n_words + 1, sizeof *f->words);
        if (!f->words) {
            ps->is_oom = 1;
            return;
        }
        ps->wdata_words += n_words;
        f->line = ps->line;
    }
    uint32_t *v = NULL, *sc = NULL;
    uint64_t n_v = parse_list(ps, w->is_float ? "values" : "codes", !w->is_float, cols, &v);
    uint64_t n_sc = n_v && !w->is_float ? parse_list(ps, "scales", 0, ng, &sc) : 0;
    if (n_v && (w->is_float || n_sc)) {
        uint64_t n = (uint64_t)w->rows * cols;
        for (uint64_t j = row; j < (uint64_t)row + n_rows; j++) {
            for (uint64_t i = 0; i < cols; i++) {
                uint64_t k = j * cols + i;
                if (w->is_float)
                    f->words[k] = v[i % n_v];
                else
                    f->words[k / 4] |= (v[i % n_v] & 0xffu) << (8 * (k % 4));
            }
            for (uint64_t g = 0; !w->is_float && g < ng; g++)
                f->words[(n + 3) / 4 + j * ng + g] = sc[g % n_sc];
        }
        f->next_row = row + n_rows;
    }
    ax_mem_free(v);
    ax_mem_free(sc);
}

/* Gives each record its data once every line is read: all of its rows or
 * none. */
static void close_wdata(struct parser *ps)
{
    for (uint32_t i = 0; i < ps->n_wdata && i < ps->p->n_weights; i++) {
        struct ax_prog_weight *w = &ps->p->weights[i];
        const struct wdata_fill *f = &ps->wdata[i];
        if (!f->words)
            continue;
        if (f->next_row != w->rows) {
            ax_diag_add(ps->diags, AX_DIAG_ERROR, ps->file, f->line, 1,
                        "weight record %u ('%s'): its .wdata lines give rows 0..%u of %u; a record "
                        "carries data for all of its rows or none", i, w->tensor,
                        f->next_row - 1, w->rows);
            ps->n_errors++;
            continue;
        }
        w->data = f->words;
    }
}

static const struct {
    const char *name;
    void (*parse)(struct parser *ps, const char *at);
} directives[] = {
    {".axb", dir_axb},
    {".cores", dir_cores},
    {".sram_words", dir_sram_words},
    {".cores_per_chip", dir_cores_per_chip},
    {".dram_bytes_per_chip", dir_dram_bytes_per_chip},
    {".meta", dir_meta},
    {".const", dir_const},
    {".weights", dir_weights},
    {".wdata", dir_wdata},
    {".buffer", dir_buffer},
    {".state", dir_state},
    {".route", dir_route},
    {".barrier", dir_barrier},
    {".code", dir_code},
    {".opmap", dir_opmap},
    {".node", dir_node},
    {".file", dir_file},
    {".data", dir_data},
};

/* The sizes of the tables that have positions, in enum ax_prog_table order. */
static void table_sizes(const struct parser *ps, uint32_t n[AX_PROG_TABLE_COUNT])
{
    const struct ax_prog *p = ps->p;
    const uint32_t sizes[AX_PROG_TABLE_COUNT] = {p->n_weights, p->n_buffers, p->n_states,
                                                 p->n_routes,  p->n_barriers, ps->n_code,
                                                 p->n_opmap,   p->n_nodes,   p->n_files};
    memcpy(n, sizes, sizeof sizes);
}

/* Records the position `at` for every record the last directive added. */
static void note_positions(struct parser *ps, const uint32_t before[AX_PROG_TABLE_COUNT],
                           const char *at)
{
    uint32_t after[AX_PROG_TABLE_COUNT];
    table_sizes(ps, after);
    struct ax_prog_pos pos = {ps->line, (uint32_t)(at - ps->line_start) + 1};
    for (int t = 0; t < AX_PROG_TABLE_COUNT; t++)
        while (ps->n_pos[t] < after[t] && ps->n_pos[t] >= before[t] && !ps->is_oom)
            push(ps, &ps->pos[t], &ps->n_pos[t], &pos, sizeof pos);
}

static void parse_directive(struct parser *ps)
{
    const char *at = ps->s;
    size_t n = strcspn(ps->s, " \t#");
    char dir[24];
    snprintf(dir, sizeof dir, "%.*s", (int)(n < 23 ? n : 23), ps->s);
    ps->s += n;
    if (!ps->has_header && strcmp(dir, ".axb") != 0) {
        error_at(ps, at, "expected '.axb 2' first");
        return;
    }
    if (strcmp(dir, ".data") != 0)
        close_file(ps);
    if (strcmp(dir, ".code") != 0)
        close_code(ps);
    for (size_t i = 0; i < sizeof directives / sizeof directives[0]; i++) {
        if (strcmp(dir, directives[i].name) == 0) {
            uint32_t n_errors = ps->n_errors, sizes[AX_PROG_TABLE_COUNT];
            table_sizes(ps, sizes);
            directives[i].parse(ps, at);
            note_positions(ps, sizes, at);
            if (ps->n_errors == n_errors)
                expect_end(ps);
            return;
        }
    }
    error_at(ps, at, "unknown directive '%s'; expected .axb, .cores, .sram_words, "
             ".cores_per_chip, .dram_bytes_per_chip, .meta, .const, .weights, .wdata, .buffer, "
             ".state, .route, .barrier, .code, .opmap, .node, .file or .data", dir);
}

/* Replaces each operand written as a buffer name in `text` (an instruction
 * without its comment) by "0" padded with spaces, so that columns stay
 * where they were, and records the name to resolve later. */
static void take_names(struct parser *ps, char *text, const char *line_at, enum ax_isa_op op)
{
    const char *kinds = ax_isa_kinds(op);
    char *q = text + strcspn(text, " \t");
    int slot = 0;
    while (*q && slot < ax_isa_n_operands(op)) {
        while (*q == ' ' || *q == '\t')
            q++;
        size_t n = name_len(q);
        if (n) {
            char *start = q;
            uint64_t offset = 0;
            char *end = q + n;
            if (*end == '+') {
                char *num_end = NULL;
                errno = 0;
                offset = isdigit((unsigned char)end[1]) ? strtoull(end + 1, &num_end, 0) : 0;
                if (!num_end || errno == ERANGE) {
                    error_at(ps, line_at + (end + 1 - text), "expected a number after '%.*s+'",
                             (int)n, start);
                    return;
                }
                end = num_end;
            }
            if (!ax_isa_kind_is_address(kinds[slot])) {
                error_at(ps, line_at + (start - text), "operand %d of %s ('%s') takes a number, "
                         "not a buffer name; only addresses may be written as names", slot + 1,
                         ax_isa_mnemonic(op), ax_isa_operands(op));
                return;
            }
            struct pending_name pn = {ps->n_code - 1, ps->n_words, (uint32_t)slot,
                                      ax_arena_strndup(&ps->p->arena, start, n), offset, ps->line,
                                      (uint32_t)(line_at + (start - text) - ps->line_start) + 1};
            if (!pn.name) {
                ps->is_oom = 1;
                return;
            }
            push(ps, &ps->names, &ps->n_names, &pn, sizeof pn);
            start[0] = '0';
            memset(start + 1, ' ', (size_t)(end - start - 1));
            q = end;
        }
        q += strcspn(q, ",");
        if (*q == ',')
            q++;
        slot++;
    }
}

static void parse_instruction(struct parser *ps)
{
    if (ps->n_code == 0 || ps->code[ps->n_code - 1].words) {
        error_at(ps, ps->s, "an instruction outside a '.code CORE' block");
        return;
    }
    char text[256];
    size_t n = strcspn(ps->s, "#");
    while (n > 0 && (ps->s[n - 1] == ' ' || ps->s[n - 1] == '\t'))
        n--;
    if (n > 255) {
        error_at(ps, ps->s, "an instruction line longer than 255 characters");
        return;
    }
    snprintf(text, sizeof text, "%.*s", (int)n, ps->s);
    struct ax_isa_instr in;
    char err[200];
    size_t col, wl = strcspn(text, " \t");
    for (int op = 0; op < AX_ISA_OP_COUNT; op++) {
        if (strlen(ax_isa_mnemonic((enum ax_isa_op)op)) == wl &&
            strncmp(text, ax_isa_mnemonic((enum ax_isa_op)op), wl) == 0)
            take_names(ps, text, ps->s, (enum ax_isa_op)op);
    }
    uint64_t word;
    if (ax_isa_parse(text, &in, err, sizeof err, &col) != 0) {
        error_at(ps, ps->s + col, "%s", err);
        return;
    }
    ax_isa_encode(&in, &word);
    push(ps, &ps->words, &ps->n_words, &word, sizeof word);
    struct ax_prog_pos pos = {ps->line, (uint32_t)(ps->s - ps->line_start) + 1};
    push(ps, &ps->instr_pos, &ps->n_instr_pos, &pos, sizeof pos);
}

/* Writes the address of each operand given by name into its instruction. */
static void resolve_names(struct parser *ps)
{
    struct ax_prog *p = ps->p;
    if (!ps->n_names)
        return;
    struct ax_prog_name_key *keys = ax_prog_name_index(p);
    if (!keys) {
        ps->is_oom = 1;
        return;
    }
    for (uint32_t i = 0; i < ps->n_names; i++) {
        const struct pending_name *pn = &ps->names[i];
        struct ax_prog_code *k = &ps->code[pn->code];
        struct ax_prog_name_key want = {k->core, pn->name, 0};
        const struct ax_prog_name_key *hit =
            bsearch(&want, keys, p->n_buffers, sizeof *keys, ax_prog_cmp_name_key);
        struct ax_isa_instr in;
        if (!hit) {
            ax_diag_add(ps->diags, AX_DIAG_ERROR, ps->file, pn->line, pn->col,
                        "no buffer '%s' on core %u; declare it with '.buffer core=%u ... name=%s'",
                        pn->name, k->core, k->core, pn->name);
            ps->n_errors++;
            continue;
        }
        if (pn->instr >= k->n_instr || ax_isa_decode(k->words[pn->instr], &in) != 0)
            continue;
        uint64_t v = (uint64_t)p->buffers[hit->buffer].addr + pn->offset;
        uint64_t *slot = pn->slot == 0 ? &in.a : pn->slot == 1 ? &in.b : &in.c;
        *slot = v;
        if (pn->offset > UINT32_MAX || ax_isa_encode(&in, &k->words[pn->instr]) != 0) {
            ax_diag_add(ps->diags, AX_DIAG_ERROR, ps->file, pn->line, pn->col,
                        "address %llu of '%s+%llu' does not fit operand %u of %s (format %s: "
                        "I 48 bits, A 24 bits, B 16 bits each)", (unsigned long long)v, pn->name,
                        (unsigned long long)pn->offset, pn->slot + 1, ax_isa_mnemonic(in.op),
                        ax_isa_format_str(ax_isa_op_format(in.op)));
            ps->n_errors++;
        }
    }
    ax_mem_free(keys);
}

/* Reads the next line of the text into ps->line_buf; 0 at the end. */
static int next_line(struct parser *ps, char **line, size_t *cap)
{
    if (ps->text_pos >= ps->text_end)
        return 0;
    const char *nl = memchr(ps->text_pos, '\n', (size_t)(ps->text_end - ps->text_pos));
    size_t n = (size_t)((nl ? nl : ps->text_end) - ps->text_pos);
    if (n + 1 > *cap) { /* routes to many cores make long lines */
        char *grown = ax_mem_realloc(*line, n + 1);
        if (!grown) {
            ps->is_oom = 1;
            return 0;
        }
        *line = grown;
        *cap = n + 1;
    }
    memcpy(*line, ps->text_pos, n);
    (*line)[n] = '\0';
    if (n && (*line)[n - 1] == '\r')
        (*line)[n - 1] = '\0';
    ps->text_pos = nl ? nl + 1 : ps->text_end;
    ps->line++;
    return 1;
}

ax_status ax_prog_parse(struct ax_prog *p, const char *file, const char *text, size_t len,
                        struct ax_diag_list *diags)
{
    ax_prog_init(p, 0, 0);
    struct parser ps;
    memset(&ps, 0, sizeof ps);
    ps.file = file;
    ps.diags = diags;
    ps.p = p;
    ps.text_pos = text;
    ps.text_end = text + len;
    char *line = NULL;
    size_t line_cap = 0;
    while (ps.n_errors < 50 && !ps.is_oom && next_line(&ps, &line, &line_cap)) {
        ps.line_start = ps.s = line;
        skip(&ps);
        if (*ps.s == '\0' || *ps.s == '#')
            continue;
        if (*ps.s == '.')
            parse_directive(&ps);
        else if (!ps.has_header)
            error_at(&ps, ps.s, "expected '.axb 2' first");
        else {
            close_file(&ps);
            parse_instruction(&ps);
        }
    }
    ax_mem_free(line);
    close_file(&ps);
    close_code(&ps);
    if (!ps.is_oom)
        close_wdata(&ps);
    ax_mem_free(ps.wdata);
    p->code = ps.code;
    p->n_code = ps.n_code;
    if (!ps.is_oom && ps.n_errors == 0)
        resolve_names(&ps);
    if (ps.is_oom) {
        ax_diag_add(diags, AX_DIAG_ERROR, file, ps.line, 0, "out of memory");
        return AX_ERR_NOMEM;
    }
    if (!ps.has_header && ps.n_errors == 0)
        ax_diag_add(diags, AX_DIAG_ERROR, file, 0, 0, "empty program; expected '.axb 2' first");
    if (ps.n_errors || !ps.has_header)
        return AX_ERR_PARSE;
    struct ax_prog_lines lines;
    memset(&lines, 0, sizeof lines);
    for (int t = 0; t < AX_PROG_TABLE_COUNT; t++) {
        lines.table[t] = ps.pos[t];
        lines.n[t] = ps.n_pos[t];
    }
    lines.instr = ps.instr_pos;
    lines.n_instr = ps.n_instr_pos;
    return ax_prog_validate_at(p, file, &lines, diags);
}
