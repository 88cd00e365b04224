/* The precision pass: quantization and spike-encoder attributes.
 *
 * Requires: a verified graph IR (any precision).
 * Guarantees: every linear, moe_experts and swa node carries the quant, spike
 *             and kv attributes of the chosen precision and spike mode
 *             (ax_pass.h); the graph verifies.
 * Invalidates: nothing else (node ids, operands and lengths are unchanged). */
#include "ax_pass.h"

#include <string.h>

#define BIT(a) (1u << (a))

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The projections W8ASpike's released code spikes, by weight name. */
static int is_released_projection(const char *weight)
{
    static const char *const suffixes[] = {
        ".q_proj.weight",    ".k_proj.weight",    ".v_proj.weight",
        ".o_proj.weight",    ".out_proj.weight",  ".gk_proj.weight",
        ".gk_proj.0.weight", ".gate_proj.weight", ".up_proj.weight",
    };
    if (!weight)
        return 0;
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        if (ends_with(weight, suffixes[i]))
            return 1;
    }
    return 0;
}

enum ax_pass_site ax_pass_spike_site(const struct ax_ir_graph *g, uint32_t id,
                                     enum ax_spike_mode mode)
{
    const struct ax_ir_node *n = &g->nodes[id];
    switch (n->op) {
    case AX_IR_SWA:
        return AX_PASS_SITE_SWA_QUERY;
    case AX_IR_MOE_EXPERTS:
        return AX_PASS_SITE_LINEAR;
    case AX_IR_LINEAR:
        if (mode == AX_SPIKE_MODE_PAPER)
            return n->in % 128 == 0 ? AX_PASS_SITE_LINEAR : AX_PASS_SITE_NONE;
        return is_released_projection(n->weight) ? AX_PASS_SITE_LINEAR : AX_PASS_SITE_NONE;
    default:
        return AX_PASS_SITE_NONE;
    }
}

/* Sets one enum attribute and marks it given. */
static void set(struct ax_ir_node *n, enum ax_ir_attr attr, uint32_t *field, uint32_t value)
{
    *field = value;
    n->attrs_set |= BIT(attr);
}

ax_status ax_pass_fp32(struct ax_ir_graph *g, const char *file, struct ax_diag_list *diags)
{
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        struct ax_ir_node *n = &g->nodes[id];
        if (n->op == AX_IR_LINEAR || n->op == AX_IR_MOE_EXPERTS) {
            set(n, AX_IR_ATTR_QUANT, &n->quant, AX_IR_QUANT_NONE);
            set(n, AX_IR_ATTR_SPIKE, &n->spike, AX_IR_SPIKE_NONE);
        } else if (n->op == AX_IR_SWA) {
            set(n, AX_IR_ATTR_KV, &n->kv, AX_IR_KV_F32);
            set(n, AX_IR_ATTR_SPIKE, &n->spike, AX_IR_SPIKE_NONE);
        }
    }
    return ax_ir_verify(g, file, diags);
}

ax_status ax_pass_w8spike(struct ax_ir_graph *g, enum ax_spike_mode mode, const char *file,
                          struct ax_diag_list *diags)
{
    uint32_t spike = mode == AX_SPIKE_MODE_NONE ? AX_IR_SPIKE_NONE : AX_IR_SPIKE_SPIKE;
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        struct ax_ir_node *n = &g->nodes[id];
        enum ax_pass_site site = ax_pass_spike_site(g, id, mode);
        if (n->op == AX_IR_LINEAR || n->op == AX_IR_MOE_EXPERTS) {
            int in_set = site == AX_PASS_SITE_LINEAR;
            set(n, AX_IR_ATTR_QUANT, &n->quant, in_set ? AX_IR_QUANT_INT8_G128 : AX_IR_QUANT_NONE);
            set(n, AX_IR_ATTR_SPIKE, &n->spike, in_set ? spike : AX_IR_SPIKE_NONE);
        } else if (n->op == AX_IR_SWA) {
            set(n, AX_IR_ATTR_KV, &n->kv, AX_IR_KV_INT8);
            set(n, AX_IR_ATTR_SPIKE, &n->spike, spike);
        }
    }
    return ax_ir_verify(g, file, diags);
}
