/* Builds an ax_yaml tree from libyaml's event stream.
 *
 * An explicit stack replaces recursion, so hostile nesting cannot overflow the
 * C stack; the depth limit stops it long before memory does. */
#include "ax_yaml.h"

#include "ax_mem.h"

#include <string.h>
#include <yaml.h>

/* A container being filled: its children collect in a growable array that is
 * copied into the arena when the container closes. A mapping also keeps a
 * hash set of its keys, so that finding a duplicate costs the same for the
 * millionth key as for the first. */
struct frame {
    struct ax_yaml_node *node;
    struct ax_yaml_node **kids; /* map: key, value, key, value, ... */
    uint32_t n_kids, cap;
    uint32_t *slots;            /* map: open addressing, kid index + 1, 0 empty */
    uint32_t n_slots;           /* a power of two, at least twice the keys */
};

struct builder {
    struct ax_yaml_doc *doc;
    struct ax_diag_list *diags;
    struct frame *stack;
    uint32_t depth, cap;
    uint32_t n_nodes;
    struct ax_yaml_limits limits;
};

const char *ax_yaml_kind_str(enum ax_yaml_kind kind)
{
    switch (kind) {
    case AX_YAML_SCALAR: return "a scalar";
    case AX_YAML_MAP: return "a mapping";
    case AX_YAML_SEQ: return "a sequence";
    default: return "?";
    }
}

static void error_at(struct builder *b, yaml_mark_t m, const char *msg, const char *detail)
{
    ax_diag_add(b->diags, AX_DIAG_ERROR, b->doc->path, (uint32_t)m.line + 1, (uint32_t)m.column + 1,
                "%s%s", msg, detail ? detail : "");
}

static ax_status new_node(struct builder *b, enum ax_yaml_kind kind, yaml_mark_t m,
                          struct ax_yaml_node **out)
{
    if (++b->n_nodes > b->limits.max_nodes) {
        char detail[96];
        snprintf(detail, sizeof detail, " (%u); split the description or simplify it",
                 b->limits.max_nodes);
        error_at(b, m, "the document has more nodes than the limit", detail);
        return AX_ERR_LIMIT;
    }
    struct ax_yaml_node *n = ax_arena_calloc(&b->doc->arena, 1, sizeof *n);
    if (!n)
        return AX_ERR_NOMEM;
    n->kind = kind;
    n->line = (uint32_t)m.line + 1;
    n->col = (uint32_t)m.column + 1;
    *out = n;
    return AX_OK;
}

static uint32_t hash_key(const char *text, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)text[i]) * 16777619u;
    return h;
}

/* The slot of key `n` in f's set: the one holding an equal key, or the
 * empty one where it belongs. */
static uint32_t *key_slot(struct frame *f, const struct ax_yaml_node *n)
{
    uint32_t mask = f->n_slots - 1, h = hash_key(n->text, n->len) & mask;
    for (;; h = (h + 1) & mask) {
        uint32_t at = f->slots[h];
        if (!at)
            return &f->slots[h];
        const struct ax_yaml_node *k = f->kids[at - 1];
        if (k->len == n->len && memcmp(k->text, n->text, n->len) == 0)
            return &f->slots[h];
    }
}

/* Makes room in f's key set for one more key. */
static ax_status grow_keys(struct frame *f)
{
    uint32_t n_keys = f->n_kids / 2;
    if (2 * (n_keys + 1) <= f->n_slots)
        return AX_OK;
    uint32_t n_slots = f->n_slots ? 2 * f->n_slots : 16;
    uint32_t *old = f->slots;
    f->slots = ax_mem_calloc(n_slots, sizeof *f->slots);
    if (!f->slots) {
        f->slots = old;
        return AX_ERR_NOMEM;
    }
    f->n_slots = n_slots;
    for (uint32_t i = 0; i < f->n_kids; i += 2)
        *key_slot(f, f->kids[i]) = i + 1;
    ax_mem_free(old);
    return AX_OK;
}

/* Appends `n` to the innermost open container, or makes it the root. */
static ax_status attach(struct builder *b, struct ax_yaml_node *n)
{
    if (b->depth == 0) {
        b->doc->root = n;
        return AX_OK;
    }
    struct frame *f = &b->stack[b->depth - 1];
    if (f->node->kind == AX_YAML_MAP && f->n_kids % 2 == 0) {
        /* n is a key: only scalars, and each at most once. */
        if (n->kind != AX_YAML_SCALAR) {
            ax_diag_add(b->diags, AX_DIAG_ERROR, b->doc->path, n->line, n->col,
                        "a mapping key must be a plain scalar, found %s",
                        ax_yaml_kind_str(n->kind));
            return AX_ERR_PARSE;
        }
        if (grow_keys(f) != AX_OK)
            return AX_ERR_NOMEM;
        uint32_t *slot = key_slot(f, n);
        if (*slot) {
            const struct ax_yaml_node *k = f->kids[*slot - 1];
            ax_diag_add(b->diags, AX_DIAG_ERROR, b->doc->path, n->line, n->col,
                        "duplicate key '%s' (first defined at line %u, column %u); "
                        "each key may appear once in a mapping",
                        n->text, k->line, k->col);
            return AX_ERR_PARSE;
        }
        *slot = f->n_kids + 1; /* the index n is about to take */
    }
    if (f->n_kids == f->cap) {
        uint32_t cap = f->cap ? f->cap * 2 : 8;
        struct ax_yaml_node **kids = ax_mem_realloc(f->kids, (size_t)cap * sizeof *kids);
        if (!kids)
            return AX_ERR_NOMEM;
        f->kids = kids;
        f->cap = cap;
    }
    f->kids[f->n_kids++] = n;
    return AX_OK;
}

static ax_status open_container(struct builder *b, enum ax_yaml_kind kind, yaml_mark_t m)
{
    if (b->depth >= b->limits.max_depth) {
        char detail[64];
        snprintf(detail, sizeof detail, " of %u levels", b->limits.max_depth);
        error_at(b, m, "the document nests deeper than the limit", detail);
        return AX_ERR_LIMIT;
    }
    struct ax_yaml_node *n;
    ax_status st = new_node(b, kind, m, &n);
    if (st == AX_OK)
        st = attach(b, n);
    if (st != AX_OK)
        return st;
    if (b->depth == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 16;
        struct frame *s = ax_mem_realloc(b->stack, (size_t)cap * sizeof *s);
        if (!s)
            return AX_ERR_NOMEM;
        b->stack = s;
        b->cap = cap;
    }
    b->stack[b->depth++] = (struct frame){n, NULL, 0, 0, NULL, 0};
    return AX_OK;
}

static ax_status close_container(struct builder *b)
{
    struct frame *f = &b->stack[--b->depth];
    struct ax_yaml_node *n = f->node;
    ax_status st = AX_OK;
    if (n->kind == AX_YAML_MAP) {
        n->n_children = f->n_kids / 2;
        n->pairs = ax_arena_calloc(&b->doc->arena, n->n_children ? n->n_children : 1,
                                   sizeof *n->pairs);
        if (!n->pairs)
            st = AX_ERR_NOMEM;
        for (uint32_t i = 0; st == AX_OK && i < n->n_children; i++)
            n->pairs[i] = (struct ax_yaml_pair){f->kids[2 * i], f->kids[2 * i + 1]};
    } else {
        n->n_children = f->n_kids;
        n->items = ax_arena_calloc(&b->doc->arena, n->n_children ? n->n_children : 1,
                                   sizeof *n->items);
        if (!n->items)
            st = AX_ERR_NOMEM;
        else if (n->n_children)
            memcpy(n->items, f->kids, (size_t)n->n_children * sizeof *n->items);
    }
    ax_mem_free(f->kids);
    ax_mem_free(f->slots);
    f->kids = NULL;
    f->slots = NULL;
    return st;
}

/* Tags ('!!binary', '!custom') would change what a value means, and no
 * reader applies them: refused like aliases, rather than silently ignored.
 * Returns 1 when `tag` was refused. */
static int refuse_tag(struct builder *b, const yaml_char_t *tag, yaml_mark_t m)
{
    if (!tag)
        return 0;
    char msg[160];
    snprintf(msg, sizeof msg, "tags ('%.64s') are not supported;", (const char *)tag);
    error_at(b, m, msg, " write the plain value");
    return 1;
}

static void report_parser_error(struct builder *b, const yaml_parser_t *p)
{
    char detail[256] = "";
    if (p->context)
        snprintf(detail, sizeof detail, " %s (line %zu, column %zu)", p->context,
                 (size_t)p->context_mark.line + 1, (size_t)p->context_mark.column + 1);
    char msg[512];
    snprintf(msg, sizeof msg, "YAML syntax error: %s;", p->problem ? p->problem : "unknown problem");
    if (p->error == YAML_MEMORY_ERROR) {
        ax_diag_add(b->diags, AX_DIAG_ERROR, b->doc->path, 0, 0, "out of memory while parsing");
        return;
    }
    error_at(b, p->problem_mark, msg, detail[0] ? detail : " check the indentation and quoting here");
}

static int has_nul(const char *text, size_t len, size_t *at)
{
    const char *z = memchr(text, '\0', len);
    if (z)
        *at = (size_t)(z - text);
    return z != NULL;
}

ax_status ax_yaml_parse(struct ax_yaml_doc *doc, const char *path, const char *text, size_t len,
                        const struct ax_yaml_limits *limits, struct ax_diag_list *diags)
{
    memset(doc, 0, sizeof *doc);
    doc->path = path;
    ax_arena_init(&doc->arena, 0);
    struct builder b = {doc, diags, NULL, 0, 0, 0, {64, 1000000}};
    if (limits)
        b.limits = *limits;

    size_t at;
    if (has_nul(text, len, &at)) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "not a text file (a zero byte at offset %zu); expected a YAML document", at);
        return AX_ERR_PARSE;
    }

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return AX_ERR_NOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);

    ax_status st = AX_OK;
    int n_docs = 0, done = 0;
    while (st == AX_OK && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            report_parser_error(&b, &parser);
            st = parser.error == YAML_MEMORY_ERROR ? AX_ERR_NOMEM : AX_ERR_PARSE;
            break;
        }
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++n_docs > 1) {
                error_at(&b, ev.start_mark, "a second YAML document;",
                         " expected exactly one document in the file");
                st = AX_ERR_PARSE;
            }
            break;
        case YAML_ALIAS_EVENT:
            error_at(&b, ev.start_mark, "aliases ('*name') are not supported;",
                     " write the values out in full");
            st = AX_ERR_UNSUPPORTED;
            break;
        case YAML_SCALAR_EVENT: {
            if (refuse_tag(&b, ev.data.scalar.tag, ev.start_mark)) {
                st = AX_ERR_UNSUPPORTED;
                break;
            }
            struct ax_yaml_node *n;
            st = new_node(&b, AX_YAML_SCALAR, ev.start_mark, &n);
            if (st != AX_OK)
                break;
            n->text = ax_arena_strndup(&doc->arena, (const char *)ev.data.scalar.value,
                                       ev.data.scalar.length);
            if (!n->text) {
                st = AX_ERR_NOMEM;
                break;
            }
            n->len = ev.data.scalar.length;
            n->is_quoted = ev.data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                           ev.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
            st = attach(&b, n);
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
            if (refuse_tag(&b, ev.data.sequence_start.tag, ev.start_mark)) {
                st = AX_ERR_UNSUPPORTED;
                break;
            }
            st = open_container(&b, AX_YAML_SEQ, ev.start_mark);
            break;
        case YAML_MAPPING_START_EVENT:
            if (refuse_tag(&b, ev.data.mapping_start.tag, ev.start_mark)) {
                st = AX_ERR_UNSUPPORTED;
                break;
            }
            st = open_container(&b, AX_YAML_MAP, ev.start_mark);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            st = close_container(&b);
            break;
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    while (b.depth > 0) {
        b.depth--;
        ax_mem_free(b.stack[b.depth].kids);
        ax_mem_free(b.stack[b.depth].slots);
    }
    ax_mem_free(b.stack);
    if (st == AX_ERR_NOMEM)
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0, "out of memory while reading the document");
    return st;
}

void ax_yaml_doc_free(struct ax_yaml_doc *doc)
{
    ax_arena_free(&doc->arena);
    doc->root = NULL;
}

struct ax_yaml_node *ax_yaml_get(struct ax_yaml_node *map, const char *key)
{
    if (!map || map->kind != AX_YAML_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->n_children; i++) {
        struct ax_yaml_node *k = map->pairs[i].key;
        if (strcmp(k->text, key) == 0) {
            k->is_used = 1;
            return map->pairs[i].value;
        }
    }
    return NULL;
}
