/* The graph IR: op and attribute tables, graph construction, printing. */
#include "ir_internal.h"

#include "ax_mem.h"
#include "ax_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Attribute bits for the op table's attribute column. */
#define X(attr, key, type, field, meaning) A_##attr = 1u << AX_IR_ATTR_##attr,
enum { A_NONE = 0,
#include "ax_ir_attrs.def"
};
#undef X
_Static_assert(AX_IR_ATTR_COUNT <= 32, "attribute bits must fit in 32 bits");

static const struct {
    const char *name;
    uint32_t n_inputs;
    uint32_t attrs;
    const char *meaning;
} op_table[] = {
#define X(op, name, n_in, attrs, meaning) {name, n_in, attrs, meaning},
#include "ax_ir_ops.def"
#undef X
};
_Static_assert(sizeof op_table / sizeof op_table[0] == AX_IR_OP_COUNT, "op table");

static const char *const kv_names[] = {"f32", "int8"};
static const char *const feature_names[] = {"relu", "identity"};
static const char *const gate_names[] = {"logsigmoid", "key_tied", "lower_bound"};
static const char *const quant_names[] = {"none", "int8_g128"};
static const char *const spike_names[] = {"none", "spike"};
_Static_assert(sizeof kv_names / sizeof kv_names[0] == AX_IR_KV_COUNT, "kv names");
_Static_assert(sizeof feature_names / sizeof feature_names[0] == AX_IR_FEATURE_COUNT, "features");
_Static_assert(sizeof gate_names / sizeof gate_names[0] == AX_IR_GATE_COUNT, "gates");
_Static_assert(sizeof quant_names / sizeof quant_names[0] == AX_IR_QUANT_COUNT, "quant names");
_Static_assert(sizeof spike_names / sizeof spike_names[0] == AX_IR_SPIKE_COUNT, "spike names");

/* Enum attributes name their value table after their field: kv -> kv_names. */
#define IR_NAMES_U32(field) NULL, 0
#define IR_NAMES_F64(field) NULL, 0
#define IR_NAMES_STR(field) NULL, 0
#define IR_NAMES_ENUM(field) field##_names, sizeof field##_names / sizeof field##_names[0]

const struct ir_attr_info ir_attrs[AX_IR_ATTR_COUNT] = {
#define X(attr, key, type, field, meaning) \
    {key, IR_##type, offsetof(struct ax_ir_node, field), IR_NAMES_##type(field)},
#include "ax_ir_attrs.def"
#undef X
};

const char *ax_ir_op_str(enum ax_ir_op op) { return op_table[op].name; }
const char *ax_ir_op_meaning(enum ax_ir_op op) { return op_table[op].meaning; }
const char *ax_ir_attr_str(enum ax_ir_attr attr) { return ir_attrs[attr].key; }
uint32_t ax_ir_op_attrs(enum ax_ir_op op) { return op_table[op].attrs; }
uint32_t ir_op_n_inputs(enum ax_ir_op op) { return op_table[op].n_inputs; }

ax_status ax_ir_node_names(const struct ax_ir_graph *g, struct ax_arena *arena, const char **names)
{
    uint32_t seen[AX_IR_OP_COUNT];
    int32_t layer_of_seen = -2;
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        const struct ax_ir_node *n = &g->nodes[id];
        int has_layer = (n->attrs_set >> AX_IR_ATTR_LAYER) & 1u;
        int32_t layer = has_layer ? (int32_t)n->layer : -1;
        if (layer != layer_of_seen) {
            memset(seen, 0, sizeof seen);
            layer_of_seen = layer;
        }
        char name[320];
        if (n->weight) {
            size_t len = strlen(n->weight), sl = strlen(".weight");
            if (len >= sl && strcmp(n->weight + len - sl, ".weight") == 0)
                len -= sl;
            snprintf(name, sizeof name, "%.*s", (int)len, n->weight);
        } else {
            uint32_t k = seen[n->op]++;
            char prefix[40] = "model";
            if (has_layer)
                snprintf(prefix, sizeof prefix, "model.layers.%u", n->layer);
            if (k)
                snprintf(name, sizeof name, "%s.%s.%u", prefix, ax_ir_op_str(n->op), k);
            else
                snprintf(name, sizeof name, "%s.%s", prefix, ax_ir_op_str(n->op));
        }
        names[id] = ax_arena_strdup(arena, name);
        if (!names[id])
            return AX_ERR_NOMEM;
    }
    return AX_OK;
}

void ax_ir_init(struct ax_ir_graph *g, const char *name)
{
    memset(g, 0, sizeof *g);
    ax_arena_init(&g->arena, 16 * 1024);
    g->name = ax_arena_strdup(&g->arena, name ? name : "");
    if (!g->name)
        g->name = "";
}

void ax_ir_free(struct ax_ir_graph *g)
{
    ax_mem_free(g->nodes);
    ax_arena_free(&g->arena);
    memset(g, 0, sizeof *g);
}

ax_status ax_ir_append(struct ax_ir_graph *g, enum ax_ir_op op, const uint32_t *inputs,
                       uint32_t n_inputs, uint32_t *id)
{
    AX_ASSERT(n_inputs <= AX_IR_MAX_INPUTS);
    if (g->n_nodes == g->cap) {
        uint32_t cap = g->cap ? g->cap * 2 : 64;
        struct ax_ir_node *nodes = ax_mem_realloc(g->nodes, (size_t)cap * sizeof *nodes);
        if (!nodes)
            return AX_ERR_NOMEM;
        g->nodes = nodes;
        g->cap = cap;
    }
    struct ax_ir_node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->n_inputs = n_inputs;
    for (uint32_t i = 0; i < n_inputs; i++)
        n->inputs[i] = inputs[i];
    *id = g->n_nodes++;
    return AX_OK;
}

ax_status ax_ir_set_str(struct ax_ir_graph *g, uint32_t id, enum ax_ir_attr attr, const char *s)
{
    AX_ASSERT(id < g->n_nodes && ir_attrs[attr].type == IR_STR);
    const char *copy = ax_arena_strdup(&g->arena, s);
    if (!copy)
        return AX_ERR_NOMEM;
    struct ax_ir_node *n = &g->nodes[id];
    *(const char **)((char *)n + ir_attrs[attr].offset) = copy;
    n->attrs_set |= 1u << attr;
    return AX_OK;
}

/* The shortest %g form of `x` that reads back as exactly `x`. */
static void format_f64(double x, char *buf, size_t size)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

ax_status ax_ir_print(const struct ax_ir_graph *g, FILE *out)
{
    fprintf(out, "axon-ir 1\ngraph ");
    ax_text_write_quoted(out, g->name);
    fputc('\n', out);
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        const struct ax_ir_node *n = &g->nodes[id];
        fprintf(out, "%%%u = %s", id, ax_ir_op_str(n->op));
        for (uint32_t i = 0; i < n->n_inputs; i++)
            fprintf(out, " %%%u", n->inputs[i]);
        for (int a = 0; a < AX_IR_ATTR_COUNT; a++) {
            if (!(n->attrs_set & (1u << a)))
                continue;
            const struct ir_attr_info *info = &ir_attrs[a];
            const char *field = (const char *)n + info->offset;
            fprintf(out, " %s=", info->key);
            char buf[40];
            switch (info->type) {
            case IR_U32:
                fprintf(out, "%u", *(const uint32_t *)field);
                break;
            case IR_F64:
                format_f64(*(const double *)field, buf, sizeof buf);
                fputs(buf, out);
                break;
            case IR_STR:
                ax_text_write_quoted(out, *(const char *const *)field);
                break;
            case IR_ENUM: {
                uint32_t v = *(const uint32_t *)field;
                fputs(v < info->n_names ? info->names[v] : "?", out);
                break;
            }
            }
        }
        fputc('\n', out);
    }
    return ferror(out) ? AX_ERR_IO : AX_OK;
}
