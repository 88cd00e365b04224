/* config.json of SpikingBrain models: read, check, derive the layer plan.
 *
 * Fields and defaults follow the released config classes (docs/sources.md:
 * spikingbrain-code for gla_swa, the 7B's GLAswaConfig; hymeta-code for
 * hybrid, HymetaConfig); docs/models.md lists them.
 * Unknown fields are ignored, as Hugging Face does. Problems accumulate and
 * are reported at the line and column of the offending key. */
#include "ax_model.h"

#include "ax_mem.h"
#include "json_util.h"

#include <stdarg.h>
#include <string.h>

static const char *const type_names[] = {"gla_swa", "hybrid"};
static const char *const mixer_names[] = {"gla", "swa", "la+swa", "la+full"};
static const char *const ffn_names[] = {"dense", "moe"};
static const char *const variant_names[] = {"bf16", "w8aspike", "hymeta"};
_Static_assert(sizeof type_names / sizeof type_names[0] == AX_MODEL_TYPE_COUNT, "type names");
_Static_assert(sizeof mixer_names / sizeof mixer_names[0] == AX_MODEL_MIXER_COUNT, "mixer names");
_Static_assert(sizeof ffn_names / sizeof ffn_names[0] == AX_MODEL_FFN_COUNT, "ffn names");
_Static_assert(sizeof variant_names / sizeof variant_names[0] == AX_MODEL_VARIANT_COUNT,
               "variant names");

const char *ax_model_type_str(enum ax_model_type t)
{
    return (unsigned)t < AX_MODEL_TYPE_COUNT ? type_names[t] : "?";
}
const char *ax_model_mixer_str(enum ax_model_mixer m)
{
    return (unsigned)m < AX_MODEL_MIXER_COUNT ? mixer_names[m] : "?";
}
const char *ax_model_ffn_str(enum ax_model_ffn f)
{
    return (unsigned)f < AX_MODEL_FFN_COUNT ? ffn_names[f] : "?";
}
const char *ax_model_variant_str(enum ax_model_variant v)
{
    return (unsigned)v < AX_MODEL_VARIANT_COUNT ? variant_names[v] : "?";
}

/* Upper bounds that keep every count below 2^63 (docs/models.md). */
#define MAX_HIDDEN 65536u
#define MAX_LAYERS 1024u
#define MAX_INTERMEDIATE (1u << 20)
#define MAX_VOCAB (1u << 22)
#define MAX_EXPERTS 1024u
#define MAX_SMALL_DIM 65536u

/* The largest config.json accepted. */
#define MAX_CONFIG_BYTES ((size_t)4 * 1024 * 1024)

struct reader {
    struct ax_json_doc doc;
    struct ax_diag_list *diags;
    uint32_t n_errors;
    int is_oom;
};

static void report(struct reader *r, enum ax_diag_severity sev, const char *key, const char *fmt,
                   ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Reports at the position of `key` (the file's start when absent). */
static void report(struct reader *r, enum ax_diag_severity sev, const char *key, const char *fmt,
                   ...)
{
    uint32_t line = 0, col = 0;
    if (key)
        ax_json_key_pos(&r->doc, key, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    ax_diag_vadd(r->diags, sev, r->doc.path, line, col, fmt, ap);
    va_end(ap);
    if (sev == AX_DIAG_ERROR)
        r->n_errors++;
}

static const json_t *field(const struct reader *r, const char *key)
{
    const json_t *v = json_object_get(r->doc.root, key);
    return json_is_null(v) ? NULL : v;
}

/* An integer field in [min, max]; `def` when absent unless `is_required`. */
static uint32_t get_uint(struct reader *r, const char *key, int is_required, uint32_t def,
                         uint32_t min, uint32_t max)
{
    const json_t *v = field(r, key);
    if (!v) {
        if (is_required)
            report(r, AX_DIAG_ERROR, NULL, "missing required field '%s' (an integer)", key);
        return def;
    }
    if (!json_is_integer(v)) {
        report(r, AX_DIAG_ERROR, key, "'%s' must be an integer, found %s", key,
               ax_json_type_str(v));
        return def;
    }
    json_int_t x = json_integer_value(v);
    if (x < (json_int_t)min || x > (json_int_t)max) {
        report(r, AX_DIAG_ERROR, key, "'%s' is %lld; expected %u to %u", key, (long long)x, min,
               max);
        return def;
    }
    return (uint32_t)x;
}

/* A positive number (integer or real); `def` when absent. */
static double get_positive(struct reader *r, const char *key, double def)
{
    const json_t *v = field(r, key);
    if (!v)
        return def;
    if (!json_is_number(v)) {
        report(r, AX_DIAG_ERROR, key, "'%s' must be a number, found %s", key, ax_json_type_str(v));
        return def;
    }
    double x = json_number_value(v);
    if (!(x > 0)) {
        report(r, AX_DIAG_ERROR, key, "'%s' is %g; expected a positive number", key, x);
        return def;
    }
    return x;
}

static int get_bool(struct reader *r, const char *key, int def)
{
    const json_t *v = field(r, key);
    if (!v)
        return def;
    if (!json_is_boolean(v)) {
        report(r, AX_DIAG_ERROR, key, "'%s' must be true or false, found %s", key,
               ax_json_type_str(v));
        return def;
    }
    return json_is_true(v);
}

/* A string field copied into the config's arena, or NULL when absent. */
static const char *get_string(struct reader *r, struct ax_model_config *cfg, const char *key)
{
    const json_t *v = field(r, key);
    if (!v)
        return NULL;
    if (!json_is_string(v)) {
        report(r, AX_DIAG_ERROR, key, "'%s' must be a string, found %s", key, ax_json_type_str(v));
        return NULL;
    }
    const char *copy = ax_arena_strdup(&cfg->arena, json_string_value(v));
    if (!copy)
        r->is_oom = 1;
    return copy;
}

/* Marks in `mask` (n_layers entries) the layers a list field names; when the
 * field is absent, the `n_def` indices of `def`. Indices must lie in
 * [0, n_layers). Returns 0 after reporting a problem. */
static int get_layer_list(struct reader *r, const char *key, uint32_t n_layers, uint8_t *mask,
                          const uint32_t *def, uint32_t n_def)
{
    const json_t *v = field(r, key);
    if (!v) {
        for (uint32_t i = 0; i < n_def; i++) {
            if (def[i] >= n_layers) {
                report(r, AX_DIAG_ERROR, NULL,
                       "'%s' is absent and its default names layer %u, but the model has %u "
                       "layers; write the list",
                       key, def[i], n_layers);
                return 0;
            }
            mask[def[i]] = 1;
        }
        return 1;
    }
    if (!json_is_array(v)) {
        report(r, AX_DIAG_ERROR, key, "'%s' must be an array of layer indices, found %s", key,
               ax_json_type_str(v));
        return 0;
    }
    int is_ok = 1;
    for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *e = json_array_get(v, i);
        if (!json_is_integer(e)) {
            report(r, AX_DIAG_ERROR, key, "'%s' entry %zu must be an integer, found %s", key, i,
                   ax_json_type_str(e));
            is_ok = 0;
            continue;
        }
        json_int_t x = json_integer_value(e);
        if (x < 0 || x >= (json_int_t)n_layers) {
            report(r, AX_DIAG_ERROR, key,
                   "'%s' names layer %lld, outside the model's layers 0 to %u", key, (long long)x,
                   n_layers ? n_layers - 1 : 0);
            is_ok = 0;
            continue;
        }
        if (mask[x])
            report(r, AX_DIAG_WARNING, key, "'%s' names layer %lld twice", key, (long long)x);
        mask[x] = 1;
    }
    return is_ok;
}

static void read_common(struct reader *r, struct ax_model_config *cfg)
{
    cfg->hidden_size = get_uint(r, "hidden_size", 1, 0, 1, MAX_HIDDEN);
    cfg->n_layers = get_uint(r, "num_hidden_layers", 1, 0, 1, MAX_LAYERS);
    cfg->n_heads = get_uint(r, "num_attention_heads", 1, 0, 1, MAX_HIDDEN);
    cfg->n_kv_heads = get_uint(r, "num_key_value_heads", 1, 0, 1, MAX_HIDDEN);
    cfg->intermediate_size = get_uint(r, "intermediate_size", 1, 0, 1, MAX_INTERMEDIATE);
    cfg->vocab_size = get_uint(r, "vocab_size", 1, 0, 1, MAX_VOCAB);
    cfg->max_position_embeddings =
        get_uint(r, "max_position_embeddings", 0, 131072, 1, UINT32_MAX >> 1);
    cfg->sliding_window = get_uint(r, "sliding_window", 0, 4096, 1, UINT32_MAX >> 1);
    cfg->rope_theta = get_positive(r, "rope_theta", 1e6);
    cfg->norm_eps = field(r, "norm_eps") ? get_positive(r, "norm_eps", 1e-6)
                                         : get_positive(r, "rms_norm_eps", 1e-6);
    cfg->is_tied_embeddings = (uint8_t)get_bool(r, "tie_word_embeddings", 0);
    cfg->torch_dtype = get_string(r, cfg, "torch_dtype");
    cfg->tokenizer = get_string(r, cfg, "tokenizer");
    if (cfg->tokenizer && strcmp(cfg->tokenizer, "bytes") != 0)
        report(r, AX_DIAG_ERROR, "tokenizer",
               "unknown tokenizer '%s'; axon knows \"bytes\" (token = byte value); a Qwen2 BPE "
               "tokenizer is read from vocab.json and merges.txt instead",
               cfg->tokenizer);
    const char *act = get_string(r, cfg, "hidden_act");
    if (act && strcmp(act, "swish") != 0 && strcmp(act, "silu") != 0)
        report(r, AX_DIAG_ERROR, "hidden_act",
               "hidden_act '%s' is not supported; SpikingBrain's MLP uses \"swish\" (SiLU)", act);

    if (cfg->hidden_size && cfg->n_heads && cfg->hidden_size % cfg->n_heads != 0)
        report(r, AX_DIAG_ERROR, "num_attention_heads",
               "hidden_size %u is not divisible by num_attention_heads %u", cfg->hidden_size,
               cfg->n_heads);
    if (cfg->n_heads && cfg->n_kv_heads && cfg->n_heads % cfg->n_kv_heads != 0)
        report(r, AX_DIAG_ERROR, "num_key_value_heads",
               "num_attention_heads %u is not divisible by num_key_value_heads %u", cfg->n_heads,
               cfg->n_kv_heads);
    if (cfg->n_heads)
        cfg->head_dim = cfg->hidden_size / cfg->n_heads;
}

static void read_gla_swa(struct reader *r, struct ax_model_config *cfg, uint8_t *mask)
{
    cfg->gate_low_rank_dim = get_uint(r, "gate_low_rank_dim", 0, 16, 1, MAX_SMALL_DIM);
    cfg->gate_logit_normalizer = get_positive(r, "gate_logit_normalizer", 16);
    if (get_bool(r, "use_short_conv", 0))
        report(r, AX_DIAG_ERROR, "use_short_conv",
               "use_short_conv true is not supported (SpikingBrain-7B leaves it false)");
    if (!cfg->n_layers || !mask)
        return;
    /* The config class's default: SWA on the odd layers. */
    uint32_t n_def = cfg->n_layers / 2;
    uint32_t *def = ax_mem_calloc(n_def ? n_def : 1, sizeof *def);
    if (!def) {
        r->is_oom = 1;
        return;
    }
    for (uint32_t i = 0; i < n_def; i++)
        def[i] = 2 * i + 1;
    get_layer_list(r, "attn_layers", cfg->n_layers, mask, def, n_def);
    ax_mem_free(def);
    for (uint32_t i = 0; i < cfg->n_layers; i++) {
        cfg->layers[i].mixer = mask[i] ? AX_MODEL_MIXER_SWA : AX_MODEL_MIXER_GLA;
        cfg->layers[i].ffn = AX_MODEL_FFN_DENSE;
    }
}

static void read_hybrid(struct reader *r, struct ax_model_config *cfg, uint8_t *mask)
{
    cfg->n_meta_tokens = get_uint(r, "num_meta_tokens", 0, 128, 0, MAX_SMALL_DIM);
    cfg->n_experts = get_uint(r, "num_local_experts", 0, 16, 1, MAX_EXPERTS);
    cfg->n_experts_per_token = get_uint(r, "num_experts_per_topk", 0, 1, 1, MAX_EXPERTS);
    cfg->shared_intermediate_size =
        get_uint(r, "shared_intermediate_size", 0, cfg->intermediate_size, 0, MAX_INTERMEDIATE);
    cfg->has_lower_bounds = (uint8_t)get_bool(r, "use_lower_bound", 1);
    if (cfg->n_experts_per_token > cfg->n_experts)
        report(r, AX_DIAG_ERROR, "num_experts_per_topk",
               "num_experts_per_topk %u exceeds num_local_experts %u", cfg->n_experts_per_token,
               cfg->n_experts);
    if (!cfg->n_layers || !mask)
        return;
    /* HymetaConfig's defaults (docs/sources.md: hymeta-code). */
    static const uint32_t full_def[] = {3, 11, 19, 27};
    static const uint32_t dense_def[] = {0, 1, 2, 4, 6, 8, 10};
    uint8_t *dense = mask + cfg->n_layers;
    get_layer_list(r, "full_attn_layers", cfg->n_layers, mask, full_def, 4);
    get_layer_list(r, "dense_mlp_layers", cfg->n_layers, dense, dense_def, 7);
    for (uint32_t i = 0; i < cfg->n_layers; i++) {
        cfg->layers[i].mixer = mask[i] ? AX_MODEL_MIXER_LA_FULL : AX_MODEL_MIXER_LA_SWA;
        cfg->layers[i].ffn = dense[i] ? AX_MODEL_FFN_DENSE : AX_MODEL_FFN_MOE;
    }
}

static ax_status parse_doc(struct reader *r, struct ax_model_config *cfg)
{
    const json_t *mt = field(r, "model_type");
    if (!mt || !json_is_string(mt)) {
        report(r, AX_DIAG_ERROR, mt ? "model_type" : NULL,
               "'model_type' must be \"gla_swa\" (SpikingBrain-7B) or \"hybrid\" "
               "(SpikingBrain-76B)");
        return AX_ERR_INVALID;
    }
    const char *type = json_string_value(mt);
    if (strcmp(type, "gla_swa") == 0)
        cfg->type = AX_MODEL_TYPE_GLA_SWA;
    else if (strcmp(type, "hybrid") == 0)
        cfg->type = AX_MODEL_TYPE_HYBRID;
    else {
        report(r, AX_DIAG_ERROR, "model_type",
               "model_type '%s' is not a SpikingBrain model; axon reads \"gla_swa\" "
               "(SpikingBrain-7B) and \"hybrid\" (SpikingBrain-76B)",
               type);
        return AX_ERR_INVALID;
    }
    read_common(r, cfg);
    uint8_t *mask = NULL;
    if (cfg->n_layers) {
        cfg->layers = ax_arena_calloc(&cfg->arena, cfg->n_layers, sizeof *cfg->layers);
        mask = ax_mem_calloc(2 * (size_t)cfg->n_layers, 1);
        if (!cfg->layers || !mask) {
            ax_mem_free(mask);
            return AX_ERR_NOMEM;
        }
    }
    if (cfg->type == AX_MODEL_TYPE_GLA_SWA)
        read_gla_swa(r, cfg, mask);
    else
        read_hybrid(r, cfg, mask);
    ax_mem_free(mask);
    if (r->is_oom)
        return AX_ERR_NOMEM;
    return r->n_errors ? AX_ERR_INVALID : AX_OK;
}

static ax_status finish(struct reader *r, struct ax_model_config *cfg, const char *name)
{
    ax_arena_init(&cfg->arena, 0);
    cfg->path = ax_arena_strdup(&cfg->arena, name);
    ax_status st = cfg->path ? parse_doc(r, cfg) : AX_ERR_NOMEM;
    ax_json_doc_free(&r->doc);
    if (st != AX_OK)
        ax_model_config_free(cfg);
    return st;
}

ax_status ax_model_config_load(const char *path, struct ax_model_config *cfg,
                               struct ax_diag_list *diags)
{
    memset(cfg, 0, sizeof *cfg);
    struct reader r = {.diags = diags};
    ax_status st = ax_json_doc_load(path, MAX_CONFIG_BYTES, &r.doc, diags);
    if (st != AX_OK)
        return st;
    return finish(&r, cfg, path);
}

ax_status ax_model_config_parse(const char *name, const char *text, size_t len,
                                struct ax_model_config *cfg, struct ax_diag_list *diags)
{
    memset(cfg, 0, sizeof *cfg);
    struct reader r = {.diags = diags};
    ax_status st = ax_json_doc_parse(name, text, len, &r.doc, diags);
    if (st != AX_OK)
        return st;
    return finish(&r, cfg, name);
}

void ax_model_config_free(struct ax_model_config *cfg)
{
    ax_arena_free(&cfg->arena);
    memset(cfg, 0, sizeof *cfg);
}
