/* Builds the graph IR of one token step from a model's config and the
 * layout of its checkpoint (docs/sources.md: spikingbrain-code, hymeta-code). */
#include "ax_ir.h"

#include "ax_model.h"

#include <stdarg.h>
#include <string.h>

struct builder {
    struct ax_ir_graph *g;
    const struct ax_model_config *cfg;
    enum ax_model_variant variant;
    ax_status st;     /* the first failure; later calls do nothing */
    uint32_t layer;   /* the layer being built, or UINT32_MAX outside */
};

/* Appends an op; tags it with the current layer. Returns its id (0 after a
 * failure, which st records). */
static uint32_t add(struct builder *b, enum ax_ir_op op, uint32_t n_inputs, ...)
{
    if (b->st != AX_OK)
        return 0;
    uint32_t inputs[AX_IR_MAX_INPUTS];
    va_list ap;
    va_start(ap, n_inputs);
    for (uint32_t i = 0; i < n_inputs; i++)
        inputs[i] = va_arg(ap, uint32_t);
    va_end(ap);
    uint32_t id;
    b->st = ax_ir_append(b->g, op, inputs, n_inputs, &id);
    if (b->st != AX_OK)
        return 0;
    if (b->layer != UINT32_MAX) {
        b->g->nodes[id].layer = b->layer;
        b->g->nodes[id].attrs_set |= 1u << AX_IR_ATTR_LAYER;
    }
    return id;
}

static struct ax_ir_node *node(struct builder *b, uint32_t id)
{
    static struct ax_ir_node scratch; /* absorbs writes after a failure */
    return b->st == AX_OK ? &b->g->nodes[id] : &scratch;
}

/* Sets one attribute of a node and marks it given. */
#define SET(n, field, attr, value) ((n)->field = (value), (n)->attrs_set |= 1u << (attr))

static void set_name(struct builder *b, uint32_t id, enum ax_ir_attr attr, const char *fmt, ...)
{
    if (b->st != AX_OK)
        return;
    char name[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    b->st = ax_ir_set_str(b->g, id, attr, name);
}

static uint32_t rmsnorm(struct builder *b, uint32_t x, uint32_t dim, uint32_t group,
                        const char *weight)
{
    uint32_t id = add(b, AX_IR_RMSNORM, 1, x);
    struct ax_ir_node *n = node(b, id);
    SET(n, dim, AX_IR_ATTR_DIM, dim);
    SET(n, group, AX_IR_ATTR_GROUP, group);
    SET(n, eps, AX_IR_ATTR_EPS, b->cfg->norm_eps);
    set_name(b, id, AX_IR_ATTR_WEIGHT, "%s", weight);
    return id;
}

/* A linear layer `prefix`.weight (and `prefix`.bias when has_bias). */
static uint32_t linear(struct builder *b, uint32_t x, uint32_t in, uint32_t out, int has_bias,
                       const char *prefix)
{
    uint32_t id = add(b, AX_IR_LINEAR, 1, x);
    struct ax_ir_node *n = node(b, id);
    SET(n, in, AX_IR_ATTR_IN, in);
    SET(n, out, AX_IR_ATTR_OUT, out);
    SET(n, quant, AX_IR_ATTR_QUANT, AX_IR_QUANT_NONE);
    SET(n, spike, AX_IR_ATTR_SPIKE, AX_IR_SPIKE_NONE);
    set_name(b, id, AX_IR_ATTR_WEIGHT, "%s.weight", prefix);
    if (has_bias)
        set_name(b, id, AX_IR_ATTR_BIAS, "%s.bias", prefix);
    return id;
}

static uint32_t binary(struct builder *b, enum ax_ir_op op, uint32_t x, uint32_t y, uint32_t dim)
{
    uint32_t id = add(b, op, 2, x, y);
    SET(node(b, id), dim, AX_IR_ATTR_DIM, dim);
    return id;
}

static uint32_t rope(struct builder *b, uint32_t x, uint32_t heads)
{
    uint32_t id = add(b, AX_IR_ROPE, 1, x);
    struct ax_ir_node *n = node(b, id);
    SET(n, heads, AX_IR_ATTR_HEADS, heads);
    SET(n, head_dim, AX_IR_ATTR_HEAD_DIM, b->cfg->head_dim);
    SET(n, theta, AX_IR_ATTR_THETA, b->cfg->rope_theta);
    return id;
}

static void set_heads(struct builder *b, struct ax_ir_node *n)
{
    SET(n, heads, AX_IR_ATTR_HEADS, b->cfg->n_heads);
    SET(n, kv_heads, AX_IR_ATTR_KV_HEADS, b->cfg->n_kv_heads);
    SET(n, head_dim, AX_IR_ATTR_HEAD_DIM, b->cfg->head_dim);
}

/* The q, k and v projections (with biases) of an attention under `prefix`. */
static void qkv(struct builder *b, uint32_t x, const char *prefix, uint32_t *q, uint32_t *k,
                uint32_t *v)
{
    const struct ax_model_config *c = b->cfg;
    uint32_t h = c->hidden_size, kv = c->n_kv_heads * c->head_dim;
    char name[192];
    snprintf(name, sizeof name, "%s.q_proj", prefix);
    *q = linear(b, x, h, c->n_heads * c->head_dim, 1, name);
    snprintf(name, sizeof name, "%s.k_proj", prefix);
    *k = linear(b, x, h, kv, 1, name);
    snprintf(name, sizeof name, "%s.v_proj", prefix);
    *v = linear(b, x, h, kv, 1, name);
}

/* Softmax attention over q, k, v projected from x under `prefix`; `window` 0
 * is full attention. Returns the attention output (before any o_proj). */
static uint32_t softmax_attention(struct builder *b, uint32_t x, const char *prefix,
                                  uint32_t window, uint32_t meta)
{
    const struct ax_model_config *c = b->cfg;
    uint32_t q, k, v;
    qkv(b, x, prefix, &q, &k, &v);
    q = rope(b, q, c->n_heads);
    k = rope(b, k, c->n_kv_heads);
    uint32_t id = add(b, AX_IR_SWA, 3, q, k, v);
    struct ax_ir_node *n = node(b, id);
    set_heads(b, n);
    SET(n, window, AX_IR_ATTR_WINDOW, window);
    SET(n, meta, AX_IR_ATTR_META, meta);
    SET(n, kv, AX_IR_ATTR_KV, AX_IR_KV_F32);
    SET(n, spike, AX_IR_ATTR_SPIKE, AX_IR_SPIKE_NONE);
    return id;
}

/* The 7B's GLA mixer (gla_attention.py), up to and including g_norm. */
static uint32_t gla_7b(struct builder *b, uint32_t x, const char *prefix)
{
    const struct ax_model_config *c = b->cfg;
    uint32_t h = c->hidden_size, kv = c->n_kv_heads * c->head_dim;
    char name[192];
    uint32_t q, k, v, g;
    qkv(b, x, prefix, &q, &k, &v);
    if (b->variant == AX_MODEL_VARIANT_W8ASPIKE) {
        /* W8ASpike merges the low-rank pair into one projection. */
        snprintf(name, sizeof name, "%s.gk_proj", prefix);
        g = linear(b, x, h, kv, 1, name);
    } else {
        snprintf(name, sizeof name, "%s.gk_proj.0", prefix);
        g = linear(b, x, h, c->gate_low_rank_dim, 0, name);
        snprintf(name, sizeof name, "%s.gk_proj.1", prefix);
        g = linear(b, g, c->gate_low_rank_dim, kv, 1, name);
    }
    uint32_t id = add(b, AX_IR_GLA, 4, q, k, v, g);
    struct ax_ir_node *n = node(b, id);
    set_heads(b, n);
    SET(n, feature, AX_IR_ATTR_FEATURE, AX_IR_FEATURE_RELU);
    SET(n, gate, AX_IR_ATTR_GATE, AX_IR_GATE_LOGSIGMOID);
    SET(n, normalizer, AX_IR_ATTR_NORMALIZER, c->gate_logit_normalizer);
    snprintf(name, sizeof name, "%s.g_norm.weight", prefix);
    return rmsnorm(b, id, c->n_heads * c->head_dim, c->head_dim, name);
}

/* The 76B's linear attention (HLinearAttention): the decay is tied to k. */
static uint32_t linear_attention_76b(struct builder *b, uint32_t x, const char *prefix)
{
    const struct ax_model_config *c = b->cfg;
    uint32_t q, k, v;
    qkv(b, x, prefix, &q, &k, &v);
    uint32_t id = add(b, AX_IR_GLA, 3, q, k, v);
    struct ax_ir_node *n = node(b, id);
    set_heads(b, n);
    SET(n, feature, AX_IR_ATTR_FEATURE, AX_IR_FEATURE_RELU);
    /* Layer 0 has no lower bound (the HF code; docs/sources.md: hymeta-code). */
    int is_bounded = c->has_lower_bounds && b->layer != 0;
    SET(n, gate, AX_IR_ATTR_GATE, is_bounded ? AX_IR_GATE_LOWER_BOUND : AX_IR_GATE_KEY_TIED);
    if (is_bounded)
        set_name(b, id, AX_IR_ATTR_WEIGHT, "model.lower_bounds");
    return id;
}

/* A SwiGLU MLP under `prefix` (gate_proj, up_proj, down_proj, no biases). */
static uint32_t mlp(struct builder *b, uint32_t x, uint32_t inter, const char *prefix)
{
    uint32_t h = b->cfg->hidden_size;
    char name[192];
    snprintf(name, sizeof name, "%s.gate_proj", prefix);
    uint32_t gate = linear(b, x, h, inter, 0, name);
    snprintf(name, sizeof name, "%s.up_proj", prefix);
    uint32_t up = linear(b, x, h, inter, 0, name);
    uint32_t s = binary(b, AX_IR_SWIGLU, gate, up, inter);
    snprintf(name, sizeof name, "%s.down_proj", prefix);
    return linear(b, s, inter, h, 0, name);
}

static uint32_t moe(struct builder *b, uint32_t x, uint32_t i)
{
    const struct ax_model_config *c = b->cfg;
    uint32_t h = c->hidden_size;
    uint32_t r = add(b, AX_IR_MOE_ROUTER, 1, x);
    struct ax_ir_node *n = node(b, r);
    SET(n, in, AX_IR_ATTR_IN, h);
    SET(n, experts, AX_IR_ATTR_EXPERTS, c->n_experts);
    SET(n, top_k, AX_IR_ATTR_TOP_K, c->n_experts_per_token);
    SET(n, renorm, AX_IR_ATTR_RENORM, 1); /* the HF code renormalizes (§1.3) */
    set_name(b, r, AX_IR_ATTR_WEIGHT, "model.layers.%u.block_sparse_moe.gate.weight", i);
    uint32_t e = add(b, AX_IR_MOE_EXPERTS, 2, x, r);
    n = node(b, e);
    SET(n, dim, AX_IR_ATTR_DIM, h);
    SET(n, inter, AX_IR_ATTR_INTER, c->intermediate_size);
    SET(n, experts, AX_IR_ATTR_EXPERTS, c->n_experts);
    SET(n, top_k, AX_IR_ATTR_TOP_K, c->n_experts_per_token);
    SET(n, quant, AX_IR_ATTR_QUANT, AX_IR_QUANT_NONE);
    SET(n, spike, AX_IR_ATTR_SPIKE, AX_IR_SPIKE_NONE);
    set_name(b, e, AX_IR_ATTR_WEIGHT, "model.layers.%u.block_sparse_moe.experts", i);
    if (c->shared_intermediate_size == 0)
        return e;
    char prefix[96];
    snprintf(prefix, sizeof prefix, "model.layers.%u.shared_mlp", i);
    uint32_t s = mlp(b, x, c->shared_intermediate_size, prefix);
    return binary(b, AX_IR_ADD, e, s, h);
}

/* One pre-norm hybrid block: r = h + mixer(norm(h)); h = r + ffn(norm(r)). */
static uint32_t block(struct builder *b, uint32_t hin, uint32_t i)
{
    const struct ax_model_config *c = b->cfg;
    const struct ax_model_layer *l = &c->layers[i];
    uint32_t h = c->hidden_size, q_len = c->n_heads * c->head_dim;
    char prefix[96], name[160];
    b->layer = i;
    snprintf(name, sizeof name, "model.layers.%u.attn_norm.weight", i);
    uint32_t a = rmsnorm(b, hin, h, h, name), o;
    snprintf(prefix, sizeof prefix, "model.layers.%u.attn", i);
    switch (l->mixer) {
    case AX_MODEL_MIXER_GLA:
        o = gla_7b(b, a, prefix);
        break;
    case AX_MODEL_MIXER_SWA:
        o = softmax_attention(b, a, prefix, c->sliding_window, 0);
        break;
    default: { /* the 76B: both branches, normalized, averaged */
        uint32_t window = l->mixer == AX_MODEL_MIXER_LA_FULL ? 0 : c->sliding_window;
        snprintf(prefix, sizeof prefix, "model.layers.%u.attn.vanilla_attn", i);
        uint32_t s = softmax_attention(b, a, prefix, window, c->n_meta_tokens);
        snprintf(prefix, sizeof prefix, "model.layers.%u.attn.linear_attn", i);
        uint32_t la = linear_attention_76b(b, a, prefix);
        snprintf(name, sizeof name, "model.layers.%u.attn.norm1.weight", i);
        s = rmsnorm(b, s, q_len, q_len, name);
        snprintf(name, sizeof name, "model.layers.%u.attn.norm2.weight", i);
        la = rmsnorm(b, la, q_len, q_len, name);
        o = binary(b, AX_IR_MERGE, s, la, q_len);
        break;
    }
    }
    const char *out_proj = l->mixer == AX_MODEL_MIXER_GLA || l->mixer == AX_MODEL_MIXER_SWA
                               ? "attn.o_proj" : "attn.out_proj";
    snprintf(prefix, sizeof prefix, "model.layers.%u.%s", i, out_proj);
    o = linear(b, o, q_len, h, 0, prefix);
    uint32_t r = binary(b, AX_IR_ADD, hin, o, h);
    snprintf(name, sizeof name, "model.layers.%u.mlp_norm.weight", i);
    uint32_t m = rmsnorm(b, r, h, h, name), f;
    if (l->ffn == AX_MODEL_FFN_MOE) {
        f = moe(b, m, i);
    } else {
        snprintf(prefix, sizeof prefix, "model.layers.%u.mlp", i);
        f = mlp(b, m, c->intermediate_size, prefix);
    }
    uint32_t out = binary(b, AX_IR_ADD, r, f, h);
    b->layer = UINT32_MAX;
    return out;
}

ax_status ax_ir_build(struct ax_ir_graph *g, const struct ax_model *m, struct ax_diag_list *diags)
{
    const struct ax_model_config *c = &m->config;
    const char *name = strrchr(m->dir, '/');
    name = name && name[1] ? name + 1 : m->dir;
    ax_ir_init(g, name);
    struct builder b = {g, c, m->variant, AX_OK, UINT32_MAX};
    uint32_t h = c->hidden_size;

    uint32_t tok = add(&b, AX_IR_INPUT, 0);
    SET(node(&b, tok), vocab, AX_IR_ATTR_VOCAB, c->vocab_size);
    uint32_t x = add(&b, AX_IR_EMBEDDING, 1, tok);
    struct ax_ir_node *n = node(&b, x);
    SET(n, vocab, AX_IR_ATTR_VOCAB, c->vocab_size);
    SET(n, dim, AX_IR_ATTR_DIM, h);
    set_name(&b, x, AX_IR_ATTR_WEIGHT, "model.embeddings.weight");
    if (c->type == AX_MODEL_TYPE_HYBRID && c->n_meta_tokens > 0) {
        x = add(&b, AX_IR_META_PREFIX, 1, x);
        n = node(&b, x);
        SET(n, tokens, AX_IR_ATTR_TOKENS, c->n_meta_tokens);
        SET(n, dim, AX_IR_ATTR_DIM, h);
        set_name(&b, x, AX_IR_ATTR_WEIGHT, "model.meta_tokens");
    }
    for (uint32_t i = 0; i < c->n_layers; i++)
        x = block(&b, x, i);
    x = rmsnorm(&b, x, h, h, "model.norm.weight");
    uint32_t logits = add(&b, AX_IR_LM_HEAD, 1, x);
    n = node(&b, logits);
    SET(n, in, AX_IR_ATTR_IN, h);
    SET(n, vocab, AX_IR_ATTR_VOCAB, c->vocab_size);
    set_name(&b, logits, AX_IR_ATTR_WEIGHT,
             c->is_tied_embeddings ? "model.embeddings.weight" : "lm_head.weight");
    add(&b, AX_IR_OUTPUT, 1, logits);
    if (b.st != AX_OK) {
        ax_diag_add(diags, AX_DIAG_ERROR, m->dir, 0, 0, "building the graph IR: %s",
                    ax_status_str(b.st));
        return b.st;
    }
    return ax_ir_verify(g, m->dir, diags);
}
