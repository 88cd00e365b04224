/* The graph IR verifier: the checker that runs between passes. */
#include "ir_internal.h"

#include <stdarg.h>

struct verifier {
    struct ax_ir_graph *g;
    const char *file;
    struct ax_diag_list *diags;
    uint32_t n_errors;
};

static void fail(struct verifier *v, uint32_t id, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void fail(struct verifier *v, uint32_t id, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const struct ax_ir_node *n = &v->g->nodes[id];
    ax_diag_add(v->diags, AX_DIAG_ERROR, v->file, n->line, n->line ? 1 : 0, "%%%u = %s: %s", id,
                ax_ir_op_str(n->op), msg);
    v->n_errors++;
}

static int has(const struct ax_ir_node *n, enum ax_ir_attr a)
{
    return (n->attrs_set >> a) & 1u;
}

/* The attributes an op must be given: all it takes, except those that are
 * optional everywhere (bias, layer) or for some settings (GLA). */
static uint32_t required_attrs(const struct ax_ir_node *n)
{
    uint32_t req = ax_ir_op_attrs(n->op) & ~(1u << AX_IR_ATTR_BIAS);
    if (n->op == AX_IR_GLA) {
        req &= ~((1u << AX_IR_ATTR_WEIGHT) | (1u << AX_IR_ATTR_NORMALIZER));
        if (n->gate == AX_IR_GATE_LOWER_BOUND)
            req |= 1u << AX_IR_ATTR_WEIGHT;
        if (n->gate == AX_IR_GATE_LOGSIGMOID)
            req |= 1u << AX_IR_ATTR_NORMALIZER;
    }
    return req;
}

/* The operand's length must be `want`. */
static void expect_len(struct verifier *v, uint32_t id, uint32_t operand, uint32_t want,
                       const char *what)
{
    const struct ax_ir_node *n = &v->g->nodes[id];
    uint32_t got = v->g->nodes[n->inputs[operand]].out_dim;
    if (got != want)
        fail(v, id, "operand %u (%%%u) has length %u but %s is %u", operand + 1,
             n->inputs[operand], got, what, want);
}

static void check_positive(struct verifier *v, uint32_t id, const char *key, uint32_t value)
{
    if (value == 0)
        fail(v, id, "%s must be at least 1", key);
}

/* Checks one node whose operands are already checked; sets its out_dim. */
static void check_node(struct verifier *v, uint32_t id)
{
    struct ax_ir_node *n = &v->g->nodes[id];
    uint32_t q_len = n->heads * n->head_dim, kv_len = n->kv_heads * n->head_dim;
    switch (n->op) {
    case AX_IR_INPUT:
        check_positive(v, id, "vocab", n->vocab);
        n->out_dim = 1;
        break;
    case AX_IR_EMBEDDING: {
        const struct ax_ir_node *src = &v->g->nodes[n->inputs[0]];
        if (src->op != AX_IR_INPUT)
            fail(v, id, "operand must be the token input, found %s", ax_ir_op_str(src->op));
        else if (src->vocab != n->vocab)
            fail(v, id, "vocab %u differs from the input's %u", n->vocab, src->vocab);
        check_positive(v, id, "dim", n->dim);
        n->out_dim = n->dim;
        break;
    }
    case AX_IR_META_PREFIX:
        check_positive(v, id, "tokens", n->tokens);
        expect_len(v, id, 0, n->dim, "dim");
        n->out_dim = n->dim;
        break;
    case AX_IR_RMSNORM:
        expect_len(v, id, 0, n->dim, "dim");
        if (n->group == 0 || n->dim % n->group != 0)
            fail(v, id, "group %u must divide dim %u", n->group, n->dim);
        if (!(n->eps > 0.0))
            fail(v, id, "eps must be positive");
        n->out_dim = n->dim;
        break;
    case AX_IR_LINEAR:
        check_positive(v, id, "out", n->out);
        expect_len(v, id, 0, n->in, "in");
        if (n->quant == AX_IR_QUANT_INT8_G128 && n->in % 128 != 0)
            fail(v, id, "int8_g128 quantization needs in (%u) divisible by 128", n->in);
        n->out_dim = n->out;
        break;
    case AX_IR_ROPE:
        if (n->head_dim % 2 != 0)
            fail(v, id, "head_dim %u must be even for rotate-half RoPE", n->head_dim);
        if (!(n->theta > 0.0))
            fail(v, id, "theta must be positive");
        expect_len(v, id, 0, q_len, "heads x head_dim");
        n->out_dim = q_len;
        break;
    case AX_IR_SWA:
    case AX_IR_GLA:
        check_positive(v, id, "heads", n->heads);
        check_positive(v, id, "kv_heads", n->kv_heads);
        check_positive(v, id, "head_dim", n->head_dim);
        if (n->kv_heads && n->heads % n->kv_heads != 0)
            fail(v, id, "kv_heads %u must divide heads %u", n->kv_heads, n->heads);
        if (n->op == AX_IR_GLA) {
            uint32_t want = n->gate == AX_IR_GATE_LOGSIGMOID ? 4 : 3;
            if (n->n_inputs != want) {
                fail(v, id, "gate=%s takes %u operands (q, k, v%s), found %u",
                     ir_attrs[AX_IR_ATTR_GATE].names[n->gate], want, want == 4 ? ", g" : "",
                     n->n_inputs);
                break;
            }
            if (n->gate == AX_IR_GATE_LOGSIGMOID && !(n->normalizer > 0.0))
                fail(v, id, "normalizer must be positive");
        }
        expect_len(v, id, 0, q_len, "heads x head_dim");
        for (uint32_t i = 1; i < n->n_inputs; i++)
            expect_len(v, id, i, kv_len, "kv_heads x head_dim");
        n->out_dim = q_len;
        break;
    case AX_IR_SWIGLU:
    case AX_IR_ADD:
    case AX_IR_MERGE:
        check_positive(v, id, "dim", n->dim);
        expect_len(v, id, 0, n->dim, "dim");
        expect_len(v, id, 1, n->dim, "dim");
        n->out_dim = n->dim;
        break;
    case AX_IR_MOE_ROUTER:
        expect_len(v, id, 0, n->in, "in");
        if (n->top_k == 0 || n->top_k > n->experts)
            fail(v, id, "top_k %u must be from 1 to experts (%u)", n->top_k, n->experts);
        n->out_dim = n->experts;
        break;
    case AX_IR_MOE_EXPERTS:
        check_positive(v, id, "inter", n->inter);
        expect_len(v, id, 0, n->dim, "dim");
        expect_len(v, id, 1, n->experts, "experts");
        if (n->top_k == 0 || n->top_k > n->experts)
            fail(v, id, "top_k %u must be from 1 to experts (%u)", n->top_k, n->experts);
        n->out_dim = n->dim;
        break;
    case AX_IR_LM_HEAD:
        check_positive(v, id, "vocab", n->vocab);
        expect_len(v, id, 0, n->in, "in");
        n->out_dim = n->vocab;
        break;
    case AX_IR_OUTPUT:
        if (id != v->g->n_nodes - 1)
            fail(v, id, "the output must be the last node");
        n->out_dim = v->g->nodes[n->inputs[0]].out_dim;
        break;
    case AX_IR_OP_COUNT:
        break;
    }
}

ax_status ax_ir_verify(struct ax_ir_graph *g, const char *file, struct ax_diag_list *diags)
{
    struct verifier v = {g, file ? file : g->name, diags, 0};
    uint32_t n_outputs = 0;
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        struct ax_ir_node *n = &g->nodes[id];
        n->out_dim = 0;
        if ((unsigned)n->op >= AX_IR_OP_COUNT) {
            ax_diag_add(diags, AX_DIAG_ERROR, v.file, n->line, 0, "%%%u: unknown op", id);
            return AX_ERR_INVALID;
        }
        uint32_t before = v.n_errors;
        uint32_t want = ir_op_n_inputs(n->op);
        if (n->op != AX_IR_GLA && n->n_inputs != want)
            fail(&v, id, "takes %u operand%s, found %u", want, want == 1 ? "" : "s", n->n_inputs);
        for (uint32_t i = 0; i < n->n_inputs; i++) {
            if (n->inputs[i] >= id)
                fail(&v, id, "operand %%%u is not an earlier node", n->inputs[i]);
            else if (g->nodes[n->inputs[i]].out_dim == 0)
                fail(&v, id, "operand %%%u is invalid", n->inputs[i]);
        }
        uint32_t allowed = ax_ir_op_attrs(n->op) | (1u << AX_IR_ATTR_LAYER);
        uint32_t missing = required_attrs(n) & ~n->attrs_set, extra = n->attrs_set & ~allowed;
        for (int a = 0; a < AX_IR_ATTR_COUNT; a++) {
            if ((missing >> a) & 1u)
                fail(&v, id, "missing attribute '%s'", ir_attrs[a].key);
            if ((extra >> a) & 1u)
                fail(&v, id, "takes no attribute '%s'", ir_attrs[a].key);
        }
        for (int a = 0; a < AX_IR_ATTR_COUNT; a++) {
            const struct ir_attr_info *info = &ir_attrs[a];
            if (info->type == IR_ENUM && has(n, (enum ax_ir_attr)a) &&
                *(const uint32_t *)((const char *)n + info->offset) >= info->n_names)
                fail(&v, id, "attribute '%s' has no such value", info->key);
        }
        n_outputs += n->op == AX_IR_OUTPUT;
        if (v.n_errors == before)
            check_node(&v, id);
        if (v.n_errors != before)
            n->out_dim = 0; /* later users report the bad operand once */
    }
    if (n_outputs != 1) {
        ax_diag_add(diags, AX_DIAG_ERROR, v.file, 0, 0,
                    "a graph has exactly one output node; this one has %u", n_outputs);
        v.n_errors++;
    }
    return v.n_errors ? AX_ERR_INVALID : AX_OK;
}
