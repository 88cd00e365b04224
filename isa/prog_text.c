/* The assembler text form of a program: printed by `axon disasm`, read by
 * `axon asm`. One directive or instruction a line; '#' starts a comment.
 *
 *   .axb 1
 *   .cores 4
 *   .sram_words 49152
 *   .meta "model" "spikingbrain-tiny"
 *   .const 0.0078125
 *   .weights core=0 tensor="model.layers.0.attn.q_proj.weight" rows=0+128 cols=0+128 sram
 *   .route src=0 dst=1,2,3
 *   .code 0
 *       setlen 128
 *       synacc 0, 256
 *   .opmap core=0 first=0 count=2 node=5
 *
 * Sections may come in any order in the text; the binary's order is fixed. */
#include "ax_prog.h"

#include "ax_isa.h"
#include "ax_mem.h"
#include "ax_text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

ax_status ax_prog_print(const struct ax_prog *p, FILE *out)
{
    fprintf(out, ".axb 1\n.cores %u\n.sram_words %u\n", p->n_cores, p->sram_words);
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
            fprintf(out, ".const %.9g\n", (double)p->consts[i]);
        else
            fprintf(out, ".const bits=0x%08x\n", bits);
    }
    for (uint32_t i = 0; i < p->n_weights; i++) {
        const struct ax_prog_weight *w = &p->weights[i];
        fprintf(out, ".weights core=%u tensor=", w->core);
        ax_text_write_quoted(out, w->tensor);
        fprintf(out, " rows=%u+%u cols=%u+%u %s   # block %u\n", w->row0, w->rows, w->col0, w->cols,
                w->is_dram ? "dram" : "sram", i);
    }
    for (uint32_t i = 0; i < p->n_routes; i++) {
        fprintf(out, ".route src=%u dst=", p->routes[i].src);
        for (uint32_t d = 0; d < p->routes[i].n_dst; d++)
            fprintf(out, "%s%u", d ? "," : "", p->routes[i].dst[d]);
        fprintf(out, "   # route %u\n", i);
    }
    for (uint32_t i = 0; i < p->n_code; i++) {
        fprintf(out, ".code %u\n", p->code[i].core);
        for (uint32_t j = 0; j < p->code[i].n_instr; j++) {
            struct ax_isa_instr in;
            char line[160];
            if (ax_isa_decode(p->code[i].words[j], &in) != 0)
                return AX_ERR_INVALID;
            ax_isa_format(&in, line, sizeof line);
            fprintf(out, "    %s\n", line);
        }
    }
    for (uint32_t i = 0; i < p->n_opmap; i++)
        fprintf(out, ".opmap core=%u first=%u count=%u node=%u\n", p->opmap[i].core,
                p->opmap[i].first, p->opmap[i].count, p->opmap[i].node);
    return ferror(out) ? AX_ERR_IO : AX_OK;
}

/* ---- parsing ------------------------------------------------------------------ */

struct parser {
    const char *file;
    struct ax_diag_list *diags;
    struct ax_prog *p;
    uint32_t line, n_errors;
    int is_oom;
    const char *line_start, *s; /* s: the cursor inside the current line (NUL-terminated copy) */
    /* growable arrays while parsing; copied into the arena at the end */
    struct ax_prog_code *code;
    uint32_t n_code, cap_code;
    uint64_t *words;
    uint32_t n_words, cap_words;
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

static int parse_u32(struct parser *ps, uint32_t *out, const char *what)
{
    skip(ps);
    const char *at = ps->s;
    char *end;
    errno = 0;
    unsigned long long v = isdigit((unsigned char)*at) ? strtoull(at, &end, 0) : 0;
    if (!isdigit((unsigned char)*at) || errno == ERANGE || v > UINT32_MAX) {
        error_at(ps, at, "%s: expected a whole number from 0 to %u", what, UINT32_MAX);
        return -1;
    }
    ps->s = end;
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

static void close_code(struct parser *ps)
{
    if (ps->n_code == 0)
        return;
    struct ax_prog_code *k = &ps->code[ps->n_code - 1];
    if (k->words)
        return;
    k->n_instr = ps->n_words;
    k->words = ax_arena_calloc(&ps->p->arena, ps->n_words + 1, sizeof *k->words);
    if (k->words && ps->n_words)
        memcpy(k->words, ps->words, ps->n_words * sizeof *k->words);
    ps->n_words = 0;
}

static void parse_directive(struct parser *ps, struct ax_prog *p, int *has_header)
{
    const char *at = ps->s;
    size_t n = strcspn(ps->s, " \t#");
    char dir[16];
    snprintf(dir, sizeof dir, "%.*s", (int)(n < 15 ? n : 15), ps->s);
    ps->s += n;
    if (!*has_header && strcmp(dir, ".axb") != 0) {
        error_at(ps, at, "expected '.axb 1' first");
        return;
    }
    if (strcmp(dir, ".axb") == 0) {
        uint32_t v;
        if (parse_u32(ps, &v, ".axb") == 0 && v != 1)
            error_at(ps, at, "program text version %u is not one this axon reads; expected 1", v);
        *has_header = 1;
    } else if (strcmp(dir, ".cores") == 0) {
        parse_u32(ps, &p->n_cores, ".cores");
    } else if (strcmp(dir, ".sram_words") == 0) {
        parse_u32(ps, &p->sram_words, ".sram_words");
    } else if (strcmp(dir, ".meta") == 0) {
        struct ax_prog_meta m;
        if (parse_string(ps, &m.key) || parse_string(ps, &m.value))
            return;
        struct ax_prog_meta *meta = append(ps, p->meta, &p->n_meta, sizeof *meta);
        if (!meta)
            return;
        p->meta = meta;
        meta[p->n_meta - 1] = m;
    } else if (strcmp(dir, ".const") == 0) {
        skip(ps);
        float f;
        if (strncmp(ps->s, "bits=", 5) == 0) {
            uint32_t bits;
            ps->s += 5;
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
        float *consts = append(ps, p->consts, &p->n_consts, sizeof *consts);
        if (!consts)
            return;
        p->consts = consts;
        consts[p->n_consts - 1] = f;
    } else if (strcmp(dir, ".weights") == 0) {
        struct ax_prog_weight w = {0};
        if (expect_key(ps, "core") || parse_u32(ps, &w.core, "core") || expect_key(ps, "tensor") ||
            parse_string(ps, &w.tensor) || expect_key(ps, "rows") ||
            parse_u32(ps, &w.row0, "rows"))
            return;
        if (*ps->s++ != '+') {
            error_at(ps, ps->s - 1, "rows: expected FIRST+COUNT");
            return;
        }
        if (parse_u32(ps, &w.rows, "rows") || expect_key(ps, "cols") ||
            parse_u32(ps, &w.col0, "cols"))
            return;
        if (*ps->s++ != '+') {
            error_at(ps, ps->s - 1, "cols: expected FIRST+COUNT");
            return;
        }
        if (parse_u32(ps, &w.cols, "cols"))
            return;
        skip(ps);
        if (strncmp(ps->s, "sram", 4) == 0 || strncmp(ps->s, "dram", 4) == 0) {
            w.is_dram = ps->s[0] == 'd';
            ps->s += 4;
        } else {
            error_at(ps, ps->s, "expected 'sram' or 'dram'");
            return;
        }
        struct ax_prog_weight *weights = append(ps, p->weights, &p->n_weights, sizeof *weights);
        if (!weights)
            return;
        p->weights = weights;
        weights[p->n_weights - 1] = w;
    } else if (strcmp(dir, ".route") == 0) {
        struct ax_prog_route r = {0};
        if (expect_key(ps, "src") || parse_u32(ps, &r.src, "src") || expect_key(ps, "dst"))
            return;
        /* Destinations go straight into the arena, the array growing as
         * append() grows the others. */
        do {
            uint32_t d;
            if (parse_u32(ps, &d, "dst"))
                return;
            uint32_t *dst = append(ps, r.dst, &r.n_dst, sizeof *dst);
            if (!dst)
                return;
            r.dst = dst;
            dst[r.n_dst - 1] = d;
        } while (*ps->s == ',' && ps->s++);
        struct ax_prog_route *routes = append(ps, p->routes, &p->n_routes, sizeof *routes);
        if (!routes)
            return;
        p->routes = routes;
        routes[p->n_routes - 1] = r;
    } else if (strcmp(dir, ".code") == 0) {
        close_code(ps);
        struct ax_prog_code k = {0};
        if (parse_u32(ps, &k.core, ".code"))
            return;
        struct ax_prog_code *code = append(ps, ps->code, &ps->n_code, sizeof *code);
        if (!code)
            return;
        ps->code = code;
        code[ps->n_code - 1] = k;
    } else if (strcmp(dir, ".opmap") == 0) {
        close_code(ps);
        struct ax_prog_opmap m;
        if (expect_key(ps, "core") || parse_u32(ps, &m.core, "core") || expect_key(ps, "first") ||
            parse_u32(ps, &m.first, "first") || expect_key(ps, "count") ||
            parse_u32(ps, &m.count, "count") || expect_key(ps, "node") ||
            parse_u32(ps, &m.node, "node"))
            return;
        struct ax_prog_opmap *opmap = append(ps, p->opmap, &p->n_opmap, sizeof *opmap);
        if (!opmap)
            return;
        p->opmap = opmap;
        opmap[p->n_opmap - 1] = m;
    } else {
        error_at(ps, at, "unknown directive '%s'; expected .axb, .cores, .sram_words, .meta, "
                 ".const, .weights, .route, .code or .opmap", dir);
        return;
    }
    expect_end(ps);
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
    snprintf(text, sizeof text, "%.*s", (int)(n < 255 ? n : 255), ps->s);
    struct ax_isa_instr in;
    char err[200];
    size_t col;
    uint64_t word;
    if (ax_isa_parse(text, &in, err, sizeof err, &col) != 0) {
        error_at(ps, ps->s + col, "%s", err);
        return;
    }
    ax_isa_encode(&in, &word);
    uint64_t *grown = append(ps, ps->words, &ps->n_words, sizeof *ps->words);
    if (grown) {
        ps->words = grown;
        ps->words[ps->n_words - 1] = word;
    }
}

ax_status ax_prog_parse(struct ax_prog *p, const char *file, const char *text, size_t len,
                        struct ax_diag_list *diags)
{
    ax_prog_init(p, 0, 0);
    struct parser ps = {file, diags, p, 0, 0, 0, NULL, NULL, NULL, 0, 0, NULL, 0, 0};
    int has_header = 0;
    const char *pos = text, *end = text + len;
    char *line = NULL;
    size_t line_cap = 0;
    while (pos < end && ps.n_errors < 50 && !ps.is_oom) {
        const char *nl = memchr(pos, '\n', (size_t)(end - pos));
        size_t n = (size_t)((nl ? nl : end) - pos);
        ps.line++;
        if (n + 1 > line_cap) { /* routes to many cores make long lines */
            char *grown = ax_mem_realloc(line, n + 1);
            if (!grown) {
                ps.is_oom = 1;
                break;
            }
            line = grown;
            line_cap = n + 1;
        }
        memcpy(line, pos, n);
        line[n] = '\0';
        if (n && line[n - 1] == '\r')
            line[n - 1] = '\0';
        pos = nl ? nl + 1 : end;
        ps.line_start = ps.s = line;
        skip(&ps);
        if (*ps.s == '\0' || *ps.s == '#')
            continue;
        if (*ps.s == '.')
            parse_directive(&ps, p, &has_header);
        else if (!has_header)
            error_at(&ps, ps.s, "expected '.axb 1' first");
        else
            parse_instruction(&ps);
    }
    ax_mem_free(line);
    close_code(&ps);
    p->code = ps.code;
    p->n_code = ps.n_code;
    if (ps.is_oom) {
        ax_diag_add(diags, AX_DIAG_ERROR, file, ps.line, 0, "out of memory");
        return AX_ERR_NOMEM;
    }
    if (!has_header && ps.n_errors == 0)
        ax_diag_add(diags, AX_DIAG_ERROR, file, 0, 0, "empty program; expected '.axb 1' first");
    if (ps.n_errors || !has_header)
        return AX_ERR_PARSE;
    return ax_prog_validate(p, file, diags);
}
