/* The graph IR's text form, read back (the inverse of ax_ir_print). */
#include "ir_internal.h"

#include "ax_text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    struct ax_ir_graph *g;
    const char *file;
    struct ax_diag_list *diags;
    const char *line_start, *p, *end;
    uint32_t line;
    uint32_t n_errors;
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

static void skip_blanks(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
        ps->p++;
}

static int at_line_end(struct parser *ps)
{
    skip_blanks(ps);
    return ps->p >= ps->end || *ps->p == '#';
}

/* An identifier: letters, digits, '_' and '-'; returns its length. */
static size_t scan_word(const struct parser *ps)
{
    size_t n = 0;
    while (ps->p + n < ps->end &&
           (isalnum((unsigned char)ps->p[n]) || ps->p[n] == '_' || ps->p[n] == '-' || ps->p[n] == '.'))
        n++;
    return n;
}

static int word_is(const struct parser *ps, size_t n, const char *w)
{
    return n == strlen(w) && strncmp(ps->p, w, n) == 0;
}

/* "%N": the node number. Returns 0 on success. */
static int parse_ref(struct parser *ps, uint32_t *out)
{
    const char *at = ps->p;
    if (ps->p >= ps->end || *ps->p != '%') {
        error_at(ps, at, "expected a node reference such as %%3");
        return -1;
    }
    ps->p++;
    char *endp;
    errno = 0;
    unsigned long v = strtoul(ps->p, &endp, 10);
    if (endp == ps->p || endp > ps->end || errno == ERANGE || v > UINT32_MAX - 1) {
        error_at(ps, at, "expected a node number after '%%'");
        return -1;
    }
    ps->p = endp;
    *out = (uint32_t)v;
    return 0;
}

/* A double-quoted string, copied into the graph's arena. */
static int parse_string(struct parser *ps, const char **out)
{
    const char *at = ps->p;
    const char *err = ax_text_read_quoted(&ps->p, ps->end, &ps->g->arena, out);
    if (err)
        error_at(ps, at, "%s", err);
    return err ? -1 : 0;
}

static int parse_attr_value(struct parser *ps, struct ax_ir_node *n, enum ax_ir_attr a)
{
    const struct ir_attr_info *info = &ir_attrs[a];
    char *field = (char *)n + info->offset;
    const char *at = ps->p;
    char *endp;
    switch (info->type) {
    case IR_STR:
        return parse_string(ps, (const char **)field);
    case IR_U32: {
        errno = 0;
        unsigned long long v = isdigit((unsigned char)*ps->p) ? strtoull(ps->p, &endp, 10) : 0;
        if (!isdigit((unsigned char)*ps->p) || endp > ps->end || errno == ERANGE || v > UINT32_MAX) {
            error_at(ps, at, "%s: expected a whole number from 0 to %u", info->key, UINT32_MAX);
            return -1;
        }
        ps->p = endp;
        *(uint32_t *)field = (uint32_t)v;
        return 0;
    }
    case IR_F64: {
        size_t len = 0;
        while (ps->p + len < ps->end && strchr("0123456789+-.eE", ps->p[len]) && ps->p[len])
            len++;
        char num[64];
        if (len == 0 || len >= sizeof num) {
            error_at(ps, at, "%s: expected a number", info->key);
            return -1;
        }
        memcpy(num, ps->p, len);
        num[len] = '\0';
        errno = 0;
        double v = strtod(num, &endp);
        if (*endp != '\0' || !isfinite(v) || errno == ERANGE) {
            error_at(ps, at, "%s: '%s' is not a finite number", info->key, num);
            return -1;
        }
        ps->p += len;
        *(double *)field = v;
        return 0;
    }
    case IR_ENUM: {
        size_t len = scan_word(ps);
        for (uint32_t i = 0; i < info->n_names; i++) {
            if (word_is(ps, len, info->names[i])) {
                ps->p += len;
                *(uint32_t *)field = i;
                return 0;
            }
        }
        char list[160] = "";
        for (uint32_t i = 0; i < info->n_names; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                     info->names[i]);
        error_at(ps, at, "%s: '%.*s' is not one of %s", info->key, (int)len, ps->p, list);
        return -1;
    }
    }
    return -1;
}

/* "%N = op %a %b key=value ..." */
static void parse_node(struct parser *ps)
{
    struct ax_ir_graph *g = ps->g;
    const char *at = ps->p;
    uint32_t id;
    if (parse_ref(ps, &id) != 0)
        return;
    if (id != g->n_nodes) {
        error_at(ps, at, "expected %%%u here: nodes are numbered in order from %%0", g->n_nodes);
        return;
    }
    skip_blanks(ps);
    if (ps->p >= ps->end || *ps->p != '=') {
        error_at(ps, ps->p, "expected '=' after the node number");
        return;
    }
    ps->p++;
    skip_blanks(ps);
    const char *op_at = ps->p;
    size_t len = scan_word(ps);
    int op = -1;
    for (int o = 0; o < AX_IR_OP_COUNT; o++) {
        if (word_is(ps, len, ax_ir_op_str((enum ax_ir_op)o)))
            op = o;
    }
    if (op < 0) {
        error_at(ps, op_at, "unknown op '%.*s'; see ax_ir_ops.def for the ops", (int)len, ps->p);
        return;
    }
    ps->p += len;
    uint32_t inputs[AX_IR_MAX_INPUTS], n_inputs = 0;
    while (!at_line_end(ps) && *ps->p == '%') {
        const char *ref_at = ps->p;
        if (n_inputs == AX_IR_MAX_INPUTS) {
            error_at(ps, ref_at, "more than %d operands", AX_IR_MAX_INPUTS);
            return;
        }
        if (parse_ref(ps, &inputs[n_inputs]) != 0)
            return;
        if (inputs[n_inputs] >= id) {
            error_at(ps, ref_at, "operand %%%u is not an earlier node", inputs[n_inputs]);
            return;
        }
        n_inputs++;
    }
    if (ax_ir_append(g, (enum ax_ir_op)op, inputs, n_inputs, &id) != AX_OK) {
        error_at(ps, at, "out of memory");
        return;
    }
    struct ax_ir_node *n = &g->nodes[id];
    n->line = ps->line;
    uint32_t allowed = ax_ir_op_attrs(n->op) | (1u << AX_IR_ATTR_LAYER);
    while (!at_line_end(ps)) {
        const char *key_at = ps->p;
        size_t klen = scan_word(ps);
        int a = -1;
        for (int i = 0; i < AX_IR_ATTR_COUNT; i++) {
            if (word_is(ps, klen, ir_attrs[i].key))
                a = i;
        }
        if (klen == 0 || a < 0 || !((allowed >> a) & 1u)) {
            error_at(ps, key_at, "%s takes no attribute '%.*s'", ax_ir_op_str(n->op), (int)klen,
                     ps->p);
            return;
        }
        if ((n->attrs_set >> a) & 1u) {
            error_at(ps, key_at, "attribute '%s' given twice", ir_attrs[a].key);
            return;
        }
        ps->p += klen;
        if (ps->p >= ps->end || *ps->p != '=') {
            error_at(ps, ps->p, "expected '=' after '%s'", ir_attrs[a].key);
            return;
        }
        ps->p++;
        if (parse_attr_value(ps, n, (enum ax_ir_attr)a) != 0)
            return;
        n->attrs_set |= 1u << a;
        if (ps->p < ps->end && *ps->p != ' ' && *ps->p != '\t' && *ps->p != '#') {
            error_at(ps, ps->p, "expected a space before the next attribute");
            return;
        }
    }
}

/* Advances to the next line; sets line_start/end for it. Returns 0 at EOF. */
static int next_line(struct parser *ps, const char **text_pos, const char *text_end)
{
    if (*text_pos >= text_end)
        return 0;
    ps->line++;
    ps->line_start = ps->p = *text_pos;
    const char *nl = memchr(*text_pos, '\n', (size_t)(text_end - *text_pos));
    ps->end = nl ? nl : text_end;
    if (ps->end > ps->p && ps->end[-1] == '\r')
        ps->end--;
    *text_pos = nl ? nl + 1 : text_end;
    return 1;
}

ax_status ax_ir_parse(struct ax_ir_graph *g, const char *file, const char *text, size_t len,
                      struct ax_diag_list *diags)
{
    ax_ir_init(g, "");
    struct parser ps = {g, file, diags, NULL, NULL, NULL, 0, 0};
    const char *pos = text, *text_end = text + len;
    int state = 0; /* 0: want "axon-ir 1", 1: want "graph", 2: nodes */
    if (memchr(text, '\0', len)) {
        ax_diag_add(diags, AX_DIAG_ERROR, file, 0, 0, "not a text file (it contains a zero byte)");
        return AX_ERR_PARSE;
    }
    while (next_line(&ps, &pos, text_end) && ps.n_errors < 50) {
        if (at_line_end(&ps))
            continue;
        size_t wl = scan_word(&ps);
        if (state == 0) {
            if (!word_is(&ps, wl, "axon-ir")) {
                error_at(&ps, ps.p, "expected the header 'axon-ir 1'");
                return AX_ERR_PARSE;
            }
            ps.p += wl;
            skip_blanks(&ps);
            const char *version_at = ps.p;
            size_t vl = scan_word(&ps);
            ps.p += vl;
            if (vl != 1 || *version_at != '1' || !at_line_end(&ps)) {
                error_at(&ps, version_at, "unsupported IR version; expected 'axon-ir 1'");
                return AX_ERR_PARSE;
            }
            state = 1;
        } else if (state == 1) {
            if (!word_is(&ps, wl, "graph")) {
                error_at(&ps, ps.p, "expected 'graph \"NAME\"' after the header");
                return AX_ERR_PARSE;
            }
            ps.p += wl;
            skip_blanks(&ps);
            const char *name;
            if (parse_string(&ps, &name) != 0)
                return AX_ERR_PARSE;
            g->name = name;
            if (!at_line_end(&ps))
                error_at(&ps, ps.p, "unexpected text after the graph name");
            state = 2;
        } else {
            parse_node(&ps);
        }
    }
    if (state < 2 && ps.n_errors == 0)
        ax_diag_add(diags, AX_DIAG_ERROR, file, ps.line, 0,
                    "missing %s; an IR file starts with 'axon-ir 1' and 'graph \"NAME\"'",
                    state == 0 ? "the header" : "the graph line");
    return ps.n_errors || state < 2 ? AX_ERR_PARSE : AX_OK;
}
