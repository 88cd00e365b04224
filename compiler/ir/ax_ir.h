/* The graph IR: one SpikingBrain token step as a list of ops.
 *
 * Place in the pipeline: front-end (ax_model) -> graph IR (this module) ->
 * passes (quantization, spike encoders, lowering) -> spike IR -> mapping.
 *
 * A graph is an array of nodes in topological order. A node is named by its
 * index (%N in the text form), operands are indices of earlier nodes, so a
 * graph survives printing, parsing and copying unchanged (STYLE.md habit 6).
 * Ops and attributes are defined once in ax_ir_ops.def and ax_ir_attrs.def.
 * The structs are transparent: passes read and rewrite nodes directly, then
 * run ax_ir_verify.
 *
 * Text form (ax_ir_print / ax_ir_parse), one node per line:
 *
 *     axon-ir 1
 *     graph "spikingbrain-7b"
 *     %0 = input vocab=152064
 *     %1 = embedding %0 weight="model.embeddings.weight" vocab=152064 dim=3584
 *     ...
 *
 * Comments start with '#'. Printing a parsed graph gives the same text. */
#ifndef AX_IR_H
#define AX_IR_H

#include "ax_arena.h"
#include "ax_diag.h"
#include "ax_status.h"

#include <stdint.h>
#include <stdio.h>

struct ax_model;

enum ax_ir_op {
#define X(op, name, n_in, attrs, meaning) AX_IR_##op,
#include "ax_ir_ops.def"
#undef X
    AX_IR_OP_COUNT
};

enum ax_ir_attr {
#define X(attr, key, type, field, meaning) AX_IR_ATTR_##attr,
#include "ax_ir_attrs.def"
#undef X
    AX_IR_ATTR_COUNT
};

enum ax_ir_kv { AX_IR_KV_F32, AX_IR_KV_INT8, AX_IR_KV_COUNT };
enum ax_ir_feature { AX_IR_FEATURE_RELU, AX_IR_FEATURE_IDENTITY, AX_IR_FEATURE_COUNT };
enum ax_ir_gate {
    AX_IR_GATE_LOGSIGMOID,  /* 7B: decay = exp(logsigmoid(g) / normalizer) */
    AX_IR_GATE_KEY_TIED,    /* 76B layer 0: k = min(sigmoid(k), 0.95), decay = 1 - k */
    AX_IR_GATE_LOWER_BOUND, /* 76B: decay = lb + (1 - lb)(1 - sigmoid(k)) */
    AX_IR_GATE_COUNT
};
enum ax_ir_quant { AX_IR_QUANT_NONE, AX_IR_QUANT_INT8_G128, AX_IR_QUANT_COUNT };
enum ax_ir_spike { AX_IR_SPIKE_NONE, AX_IR_SPIKE_SPIKE, AX_IR_SPIKE_COUNT };

enum { AX_IR_MAX_INPUTS = 4 };

struct ax_ir_node {
    enum ax_ir_op op;
    uint32_t n_inputs;
    uint32_t inputs[AX_IR_MAX_INPUTS]; /* indices of earlier nodes */
    uint32_t attrs_set;                /* A_* bits of the attributes given */
    /* Attribute values; only those in attrs_set mean anything. Strings live
     * in the graph's arena. */
    const char *weight, *bias;
    uint32_t vocab, dim, in, out, group, heads, kv_heads, head_dim, window, meta, tokens;
    uint32_t experts, top_k, inter, renorm, layer;
    double eps, theta, normalizer;
    uint32_t kv, feature, gate, quant, spike; /* enum ax_ir_kv, ... */
    /* Derived by ax_ir_verify: the length of the node's output vector. */
    uint32_t out_dim;
    /* Where the node came from in a parsed text (0 when built). */
    uint32_t line;
};

struct ax_ir_graph {
    const char *name;
    struct ax_ir_node *nodes;
    uint32_t n_nodes, cap;
    struct ax_arena arena; /* owns the name and every string attribute */
};

/* An empty graph called `name` (copied). */
void ax_ir_init(struct ax_ir_graph *g, const char *name);
void ax_ir_free(struct ax_ir_graph *g);

/* Appends a node of `op` with `n_inputs` operands and no attributes; returns
 * its index through *id, or AX_ERR_NOMEM. The node pointer stays valid
 * until the next append. */
ax_status ax_ir_append(struct ax_ir_graph *g, enum ax_ir_op op, const uint32_t *inputs,
                       uint32_t n_inputs, uint32_t *id);
/* Sets a string attribute (copied into the graph's arena). */
ax_status ax_ir_set_str(struct ax_ir_graph *g, uint32_t id, enum ax_ir_attr attr, const char *s);

/* Builds the float graph of one token step for the model `m` (its config
 * and checkpoint variant). Linear layers start unquantized and unspiked;
 * passes set `quant` and `spike`. */
ax_status ax_ir_build(struct ax_ir_graph *g, const struct ax_model *m, struct ax_diag_list *diags);

/* Checks the graph: operand counts and order, attributes present and known
 * to the op, value lengths that fit (linear `in` equals its operand's
 * length, heads divide, ...), exactly one output, last. Sets each node's
 * out_dim. Reports every problem (with the source line of parsed nodes) and
 * returns AX_ERR_INVALID if any. `file` names the graph in diagnostics. */
ax_status ax_ir_verify(struct ax_ir_graph *g, const char *file, struct ax_diag_list *diags);

/* Writes the text form. */
ax_status ax_ir_print(const struct ax_ir_graph *g, FILE *out);
/* Parses the text form (`text` is NUL-terminated at text[len]); every error
 * with file:line:col. On failure `g`
 * holds nothing that needs more than ax_ir_free. Does not verify. */
ax_status ax_ir_parse(struct ax_ir_graph *g, const char *file, const char *text, size_t len,
                      struct ax_diag_list *diags);

/* Names for the text form and messages. */
const char *ax_ir_op_str(enum ax_ir_op op);
/* Names every node as reports, traces and a program's node table show it:
 * a node with weights is its tensor without ".weight"; any other is
 * model[.layers.N].OP[.K], K counting the earlier nodes of that op in the
 * same layer. Fills names[0 .. n_nodes) with strings in `arena`;
 * AX_ERR_NOMEM when the arena runs out. */
ax_status ax_ir_node_names(const struct ax_ir_graph *g, struct ax_arena *arena, const char **names);
const char *ax_ir_op_meaning(enum ax_ir_op op);
const char *ax_ir_attr_str(enum ax_ir_attr attr);
/* The attribute bits `op` takes (besides the optional `layer`). */
uint32_t ax_ir_op_attrs(enum ax_ir_op op);

#endif
