/* SpikingBrain models: config.json, the layer plan, parameter and MAC
 * counts, the tensors a checkpoint must hold, and checkpoint validation.
 *
 * Place in the pipeline: the checkpoint front-end, before the graph IR. A
 * model directory holds a Hugging Face `config.json` and, optionally, its
 * weights (ax_safetensors.h). A directory with only config.json is a valid
 * shape-only model: everything here works without weights (counting mode).
 *
 * Two model types are read (docs/sources.md: spikingbrain-code, hymeta-code):
 *   gla_swa  SpikingBrain-7B: layers alternate gated linear attention (GLA)
 *            and sliding-window softmax attention (SWA); every layer has a
 *            dense SwiGLU MLP.
 *   hybrid   SpikingBrain-76B-A12B ("HyMeta"): every layer runs linear
 *            attention and softmax attention in parallel (SWA, or full
 *            attention on `full_attn_layers`), with 128 meta tokens; the MLP
 *            is dense on `dense_mlp_layers` and a mixture of experts
 *            (routed top-k plus a shared expert) elsewhere.
 *
 * The structs are transparent so that the IR and the passes can read them;
 * they are read-only after loading. docs/models.md describes the fields
 * read, the layer plan and the formulas. */
#ifndef AX_MODEL_H
#define AX_MODEL_H

#include "ax_arena.h"
#include "ax_diag.h"
#include "ax_safetensors.h"
#include "ax_status.h"

#include <stdint.h>
#include <stdio.h>

enum ax_model_type {
    AX_MODEL_TYPE_GLA_SWA, /* model_type "gla_swa": SpikingBrain-7B */
    AX_MODEL_TYPE_HYBRID,  /* model_type "hybrid": SpikingBrain-76B (HyMeta) */
    AX_MODEL_TYPE_COUNT
};

/* The token mixer of one layer. */
enum ax_model_mixer {
    AX_MODEL_MIXER_GLA,     /* gated linear attention (7B even layers) */
    AX_MODEL_MIXER_SWA,     /* sliding-window softmax attention (7B odd layers) */
    AX_MODEL_MIXER_LA_SWA,  /* 76B: linear attention + SWA in parallel */
    AX_MODEL_MIXER_LA_FULL, /* 76B: linear attention + full attention in parallel */
    AX_MODEL_MIXER_COUNT
};

/* The feed-forward block of one layer. */
enum ax_model_ffn {
    AX_MODEL_FFN_DENSE, /* SwiGLU MLP */
    AX_MODEL_FFN_MOE,   /* routed experts (top-k) plus a shared expert */
    AX_MODEL_FFN_COUNT
};

/* How the weights are stored (docs/sources.md: spikingbrain-code). */
enum ax_model_variant {
    AX_MODEL_VARIANT_BF16,     /* 7B base/chat: low-rank gk_proj.0 / gk_proj.1 */
    AX_MODEL_VARIANT_W8ASPIKE, /* 7B W8ASpike: merged gk_proj, per-group weight scales */
    AX_MODEL_VARIANT_HYMETA,   /* 76B HyMeta names (§5.2) */
    AX_MODEL_VARIANT_COUNT
};

struct ax_model_layer {
    enum ax_model_mixer mixer;
    enum ax_model_ffn ffn;
};

/* A parsed config.json. Field comments give the JSON key. */
struct ax_model_config {
    const char *path;                 /* the config.json read */
    enum ax_model_type type;          /* model_type */
    uint32_t hidden_size;             /* hidden_size */
    uint32_t n_layers;                /* num_hidden_layers */
    uint32_t n_heads;                 /* num_attention_heads */
    uint32_t n_kv_heads;              /* num_key_value_heads */
    uint32_t head_dim;                /* hidden_size / num_attention_heads */
    uint32_t intermediate_size;       /* intermediate_size */
    uint32_t vocab_size;              /* vocab_size */
    uint32_t max_position_embeddings; /* max_position_embeddings */
    uint32_t sliding_window;          /* sliding_window: keys an SWA query sees */
    double rope_theta;                /* rope_theta */
    double norm_eps;                  /* norm_eps (or rms_norm_eps) */
    uint8_t is_tied_embeddings;       /* tie_word_embeddings: no lm_head.weight */
    const char *torch_dtype;          /* torch_dtype, or NULL */
    const char *tokenizer;            /* tokenizer (axon's small models: "bytes"), or NULL */
    /* gla_swa only */
    uint32_t gate_low_rank_dim;   /* gate_low_rank_dim (default 16) */
    double gate_logit_normalizer; /* gate_logit_normalizer (default 16) */
    /* hybrid only */
    uint32_t n_meta_tokens;            /* num_meta_tokens (default 128) */
    uint32_t n_experts;                /* num_local_experts (default 16) */
    uint32_t n_experts_per_token;      /* num_experts_per_topk (default 1) */
    uint32_t shared_intermediate_size; /* shared_intermediate_size; 0: no shared expert */
    uint8_t has_lower_bounds;          /* use_lower_bound (default true) */
    /* the layer plan, n_layers entries */
    struct ax_model_layer *layers;
    struct ax_arena arena; /* owns the strings and the plan */
};

/* Reads and checks `path` (a config.json). Every problem is reported with
 * file:line:col: JSON syntax, wrong types, out-of-range values, inconsistent
 * shapes (hidden_size divisible by num_attention_heads, heads by kv heads),
 * layer indices out of range. On failure `cfg` owns nothing. */
ax_status ax_model_config_load(const char *path, struct ax_model_config *cfg,
                               struct ax_diag_list *diags);
/* The same from text in memory; `name` is used in diagnostics. */
ax_status ax_model_config_parse(const char *name, const char *text, size_t len,
                                struct ax_model_config *cfg, struct ax_diag_list *diags);
void ax_model_config_free(struct ax_model_config *cfg);

/* ---- the tensors a checkpoint holds -------------------------------------- */

/* One tensor a checkpoint of a given config and variant must hold, or, for
 * a routed expert's tensor, that tensor of each of a layer's experts: one
 * entry named for expert 0 ("model.layers.3.block_sparse_moe.experts.0.
 * up_proj.weight") stands for n_copies tensors, expert e's name having e in
 * place of the 0 (ax_model_tensor_name). A config may declare 1024 layers of
 * 1024 experts: one entry per tensor would be three million, whatever the
 * checkpoint holds. */
struct ax_model_tensor {
    const char *name;
    uint32_t n_dims;
    uint64_t shape[3]; /* no expected tensor has more than 3 dimensions */
    uint8_t is_scale;  /* a W8ASpike quantizer scale: F32, not a parameter */
    int32_t layer;     /* -1 outside the layers */
    int32_t expert;    /* 0 for a routed expert's tensor (see n_copies), -1 otherwise */
    uint32_t n_copies; /* the experts the entry stands for (n_experts); 1 otherwise */
};

struct ax_model_tensor_list {
    struct ax_model_tensor *items;
    uint32_t n_items, cap;
    struct ax_arena arena; /* owns the names */
};

/* Lists the tensors of `cfg` stored as `variant`, in checkpoint order
 * (embeddings, layers, final norm, lm_head); a layer's routed experts take
 * one entry per tensor kind (n_copies), so the list grows with the layers,
 * not with layers x experts. Fails with AX_ERR_INVALID when the variant does
 * not fit the model type or its shapes (W8ASpike needs input sizes divisible
 * by 128). Free with ax_model_tensors_free. */
ax_status ax_model_expected_tensors(const struct ax_model_config *cfg,
                                    enum ax_model_variant variant, struct ax_model_tensor_list *out,
                                    struct ax_diag_list *diags);
void ax_model_tensors_free(struct ax_model_tensor_list *list);
/* The list entry called `name`, or NULL (linear search). A routed expert's
 * tensor name ("...experts.15.down_proj.weight") finds the entry standing
 * for it when the expert is one of its n_copies. */
const struct ax_model_tensor *ax_model_tensors_find(const struct ax_model_tensor_list *list,
                                                    const char *name);
/* Writes the name of copy `copy` (< t->n_copies) of `t` into `buf`: t->name
 * itself for an entry of one copy, else the name with the expert index
 * `copy`. Returns buf. */
const char *ax_model_tensor_name(const struct ax_model_tensor *t, uint32_t copy, char *buf,
                                 size_t size);

/* The variant a shape-only model of this type is counted as. */
enum ax_model_variant ax_model_default_variant(const struct ax_model_config *cfg);

/* ---- counts -------------------------------------------------------------- */

struct ax_model_counts {
    uint64_t n_params;        /* every parameter (quantizer scales excluded) */
    uint64_t n_active_params; /* parameters one token uses: all but the routed
                                 experts a token does not visit */
    uint64_t n_scales;        /* W8ASpike quantizer scales (0 otherwise) */
};

/* Sums the tensor list: n_params over all non-scale tensors (each entry
 * times its n_copies), n_active_params counting, per MoE layer,
 * n_experts_per_token of the n_experts experts. */
void ax_model_count_params(const struct ax_model_config *cfg,
                           const struct ax_model_tensor_list *tensors, struct ax_model_counts *out);

/* Multiply-accumulates for one token whose context (itself included) is
 * `context` tokens long. Let h = hidden_size, H = heads, d = head_dim,
 * kv = kv heads * d, I = intermediate_size, V = vocab_size, w =
 * sliding_window, c = context, r = gate_low_rank_dim, M = meta tokens,
 * E = experts, k = experts per token, Is = shared_intermediate_size.
 *
 *   linear:     every weight matrix a token passes through, out*in each:
 *               7B layer: q h*h + k,v 2*h*kv + o h*h (+ GLA gk: h*r + r*kv,
 *               or h*kv merged in W8ASpike) + MLP 3*h*I;
 *               76B layer: two q,k,v sets 2*(h*h + 2*h*kv) + out_proj h*h
 *               + dense MLP 3*h*I, or router h*E + k*3*h*I + shared 3*h*Is
 *   lm_head:    V*h (embedding lookup costs none)
 *   attention:  softmax attention, scores q.k and the weighted sum of V:
 *               2*H*d*keys, keys = min(c, w) for SWA, c for full attention,
 *               plus M meta-token keys in the 76B
 *   recurrent:  GLA/linear attention per layer: decay the state, add k v^T,
 *               read out q S: 3*H*d*d
 *
 * Biases, norms, RoPE, activations, softmax and residual adds are element-
 * wise work and not counted. */
struct ax_model_macs {
    uint64_t linear;
    uint64_t lm_head;
    uint64_t attention;
    uint64_t recurrent;
    uint64_t total;
};
void ax_model_macs_per_token(const struct ax_model_config *cfg, enum ax_model_variant variant,
                             uint64_t context, struct ax_model_macs *out);

/* ---- a model directory --------------------------------------------------- */

struct ax_tok;

/* A model directory: its config, the checkpoint if any (validated against
 * the config), and its tokenizer if any. */
struct ax_model {
    const char *dir;
    struct ax_model_config config;
    enum ax_model_variant variant;        /* detected, or the default when shape-only */
    struct ax_model_tensor_list expected; /* for `variant` */
    struct ax_model_counts counts;
    struct ax_st_checkpoint *weights; /* NULL: shape-only */
    const char *weights_dtype;        /* the parameters' dtype, "mixed", or NULL */
    uint32_t n_unexpected;            /* checkpoint tensors the model does not use */
    struct ax_tok *tokenizer;         /* NULL when the directory has none */
    struct ax_arena arena;
};

/* Opens a model directory: reads DIR/config.json, opens the weights
 * (ax_st_open_dir) and validates them against the config without reading
 * tensor data, and loads the tokenizer (config "tokenizer": "bytes", or
 * vocab.json + merges.txt). On failure *out is NULL and `diags` holds every
 * problem found. Free with ax_model_close. */
ax_status ax_model_open(const char *dir, struct ax_model **out, struct ax_diag_list *diags);
void ax_model_close(struct ax_model *m);

/* Detects the variant from the tensors present: hybrid configs are HyMeta;
 * a gla_swa checkpoint with a merged `attn.gk_proj.weight` or any
 * `weight_quantizer.scales` is W8ASpike, otherwise bf16 base/chat. */
enum ax_model_variant ax_model_detect_variant(const struct ax_model_config *cfg,
                                              const struct ax_st_checkpoint *weights);

/* Checks `weights` against `expected`: every tensor present with its shape
 * (an error naming the tensor, the expected and the found shape otherwise)
 * and a fitting dtype (parameters F32, BF16 or F16; scales F32); tensors the
 * list does not name are warnings. A missing tensor is an error naming it;
 * of a routed expert's tensor kind only the first missing expert is named,
 * with a count of the others. Returns AX_ERR_INVALID after reporting every
 * problem. Sets *n_unexpected and *dtype (the parameters' common dtype
 * name, or "mixed"). Takes time in proportion to the list and to the
 * tensors the checkpoint holds, never to layers x experts. */
ax_status ax_model_validate_weights(const struct ax_st_checkpoint *weights,
                                    const struct ax_model_tensor_list *expected,
                                    uint32_t *n_unexpected, const char **dtype,
                                    struct ax_diag_list *diags);

/* The context lengths the summary reports MACs at. */
extern const uint64_t ax_model_summary_contexts[];
extern const uint32_t ax_model_summary_n_contexts;

/* Prints the layer plan, parameter counts, MACs per token, checkpoint and
 * tokenizer status as text, or as one JSON object (is_json). */
ax_status ax_model_print_summary(const struct ax_model *m, FILE *out, int is_json);

const char *ax_model_type_str(enum ax_model_type t);
const char *ax_model_mixer_str(enum ax_model_mixer m);
const char *ax_model_ffn_str(enum ax_model_ffn f);
const char *ax_model_variant_str(enum ax_model_variant v);

#endif
