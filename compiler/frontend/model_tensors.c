/* The tensors a SpikingBrain checkpoint holds, the counts derived from them,
 * MACs per token, and checkpoint validation against a config.
 *
 * Tensor names and shapes follow the released checkpoints (docs/sources.md:
 * spikingbrain-code for the 7B bf16 and W8ASpike, hymeta-code for the 76B). Parameter counts are sums over this one list, so
 * the counts and the checkpoint check cannot disagree. */
#include "ax_model.h"

#include "ax_mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* W8ASpike's QuantLinear groups 128 inputs per weight scale. */
#define W8_GROUP 128u

/* ---- building the list --------------------------------------------------- */

struct builder {
    struct ax_model_tensor_list *list;
    int32_t layer;     /* current layer, -1 outside */
    int32_t expert;    /* 0 inside a layer's routed experts, -1 outside */
    uint32_t n_copies; /* the experts an entry stands for: n_experts inside, 1 outside */
    int is_w8;         /* add quantizer scales to linear layers */
    int is_oom;
};

static void add(struct builder *b, uint8_t is_scale, uint32_t n_dims, uint64_t d0, uint64_t d1,
                uint64_t d2, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 7, 8)))
#endif
    ;

/* Appends one tensor whose name is formatted from `fmt`. */
static void add(struct builder *b, uint8_t is_scale, uint32_t n_dims, uint64_t d0, uint64_t d1,
                uint64_t d2, const char *fmt, ...)
{
    struct ax_model_tensor_list *l = b->list;
    if (b->is_oom)
        return;
    if (l->n_items == l->cap) {
        uint32_t cap = l->cap ? 2 * l->cap : 64;
        struct ax_model_tensor *items = ax_mem_realloc(l->items, (size_t)cap * sizeof *items);
        if (!items) {
            b->is_oom = 1;
            return;
        }
        l->items = items;
        l->cap = cap;
    }
    char name[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    struct ax_model_tensor *t = &l->items[l->n_items];
    t->name = ax_arena_strdup(&l->arena, name);
    if (!t->name) {
        b->is_oom = 1;
        return;
    }
    t->n_dims = n_dims;
    t->shape[0] = d0;
    t->shape[1] = d1;
    t->shape[2] = d2;
    t->is_scale = is_scale;
    t->layer = b->layer;
    t->expert = b->expert;
    t->n_copies = b->n_copies;
    l->n_items++;
}

/* A linear layer `prefix` mapping `in` to `out` features: weight [out, in],
 * bias [out] if any, and in W8ASpike the scales [out, in/128, 1]. */
static void add_linear(struct builder *b, const char *prefix, uint64_t out, uint64_t in,
                       int has_bias)
{
    add(b, 0, 2, out, in, 0, "%s.weight", prefix);
    if (has_bias)
        add(b, 0, 1, out, 0, 0, "%s.bias", prefix);
    if (b->is_w8)
        add(b, 1, 3, out, in / W8_GROUP, 1, "%s.weight_quantizer.scales", prefix);
}

/* A SwiGLU MLP under `prefix`: gate and up [I, h], down [h, I], no biases. */
static void add_mlp(struct builder *b, const char *prefix, uint64_t h, uint64_t inter)
{
    char p[200];
    snprintf(p, sizeof p, "%s.gate_proj", prefix);
    add_linear(b, p, inter, h, 0);
    snprintf(p, sizeof p, "%s.up_proj", prefix);
    add_linear(b, p, inter, h, 0);
    snprintf(p, sizeof p, "%s.down_proj", prefix);
    add_linear(b, p, h, inter, 0);
}

static void add_gla_swa_layer(struct builder *b, const struct ax_model_config *c, uint32_t i,
                              int is_w8)
{
    uint64_t h = c->hidden_size, qd = (uint64_t)c->n_heads * c->head_dim;
    uint64_t kv = (uint64_t)c->n_kv_heads * c->head_dim;
    char p[200];
    add(b, 0, 1, h, 0, 0, "model.layers.%u.attn_norm.weight", i);
    snprintf(p, sizeof p, "model.layers.%u.attn.q_proj", i);
    add_linear(b, p, qd, h, 1);
    snprintf(p, sizeof p, "model.layers.%u.attn.k_proj", i);
    add_linear(b, p, kv, h, 1);
    snprintf(p, sizeof p, "model.layers.%u.attn.v_proj", i);
    add_linear(b, p, kv, h, 1);
    snprintf(p, sizeof p, "model.layers.%u.attn.o_proj", i);
    add_linear(b, p, h, qd, 0);
    if (c->layers[i].mixer == AX_MODEL_MIXER_GLA) {
        if (is_w8) {
            snprintf(p, sizeof p, "model.layers.%u.attn.gk_proj", i);
            add_linear(b, p, kv, h, 1);
        } else {
            snprintf(p, sizeof p, "model.layers.%u.attn.gk_proj.0", i);
            add_linear(b, p, c->gate_low_rank_dim, h, 0);
            snprintf(p, sizeof p, "model.layers.%u.attn.gk_proj.1", i);
            add_linear(b, p, kv, c->gate_low_rank_dim, 1);
        }
        add(b, 0, 1, c->head_dim, 0, 0, "model.layers.%u.attn.g_norm.weight", i);
    }
    add(b, 0, 1, h, 0, 0, "model.layers.%u.mlp_norm.weight", i);
    snprintf(p, sizeof p, "model.layers.%u.mlp", i);
    add_mlp(b, p, h, c->intermediate_size);
}

static void add_hymeta_layer(struct builder *b, const struct ax_model_config *c, uint32_t i)
{
    uint64_t h = c->hidden_size, qd = (uint64_t)c->n_heads * c->head_dim;
    uint64_t kv = (uint64_t)c->n_kv_heads * c->head_dim;
    static const char *const branches[] = {"vanilla_attn", "linear_attn"};
    char p[200];
    add(b, 0, 1, h, 0, 0, "model.layers.%u.attn_norm.weight", i);
    for (int br = 0; br < 2; br++) {
        snprintf(p, sizeof p, "model.layers.%u.attn.%s.q_proj", i, branches[br]);
        add_linear(b, p, qd, h, 1);
        snprintf(p, sizeof p, "model.layers.%u.attn.%s.k_proj", i, branches[br]);
        add_linear(b, p, kv, h, 1);
        snprintf(p, sizeof p, "model.layers.%u.attn.%s.v_proj", i, branches[br]);
        add_linear(b, p, kv, h, 1);
    }
    add(b, 0, 2, h, qd, 0, "model.layers.%u.attn.out_proj.weight", i);
    add(b, 0, 1, h, 0, 0, "model.layers.%u.attn.norm1.weight", i);
    add(b, 0, 1, h, 0, 0, "model.layers.%u.attn.norm2.weight", i);
    add(b, 0, 1, h, 0, 0, "model.layers.%u.mlp_norm.weight", i);
    if (c->layers[i].ffn == AX_MODEL_FFN_DENSE) {
        snprintf(p, sizeof p, "model.layers.%u.mlp", i);
        add_mlp(b, p, h, c->intermediate_size);
        return;
    }
    add(b, 0, 2, c->n_experts, h, 0, "model.layers.%u.block_sparse_moe.gate.weight", i);
    /* every expert has the same tensors: one entry per tensor stands for all */
    b->expert = 0;
    b->n_copies = c->n_experts;
    snprintf(p, sizeof p, "model.layers.%u.block_sparse_moe.experts.0", i);
    add_mlp(b, p, h, c->intermediate_size);
    b->expert = -1;
    b->n_copies = 1;
    if (c->shared_intermediate_size) {
        snprintf(p, sizeof p, "model.layers.%u.shared_mlp", i);
        add_mlp(b, p, h, c->shared_intermediate_size);
    }
}

enum ax_model_variant ax_model_default_variant(const struct ax_model_config *cfg)
{
    return cfg->type == AX_MODEL_TYPE_HYBRID ? AX_MODEL_VARIANT_HYMETA : AX_MODEL_VARIANT_BF16;
}

ax_status ax_model_expected_tensors(const struct ax_model_config *cfg,
                                    enum ax_model_variant variant, struct ax_model_tensor_list *out,
                                    struct ax_diag_list *diags)
{
    memset(out, 0, sizeof *out);
    ax_arena_init(&out->arena, 0);
    int is_hybrid = cfg->type == AX_MODEL_TYPE_HYBRID;
    if (is_hybrid != (variant == AX_MODEL_VARIANT_HYMETA)) {
        ax_diag_add(diags, AX_DIAG_ERROR, cfg->path, 0, 0,
                    "a %s model cannot be stored as the %s variant", ax_model_type_str(cfg->type),
                    ax_model_variant_str(variant));
        return AX_ERR_INVALID;
    }
    int is_w8 = variant == AX_MODEL_VARIANT_W8ASPIKE;
    if (is_w8 && (cfg->hidden_size % W8_GROUP || cfg->intermediate_size % W8_GROUP)) {
        ax_diag_add(diags, AX_DIAG_ERROR, cfg->path, 0, 0,
                    "a W8ASpike checkpoint needs hidden_size (%u) and intermediate_size (%u) "
                    "divisible by its weight group of %u",
                    cfg->hidden_size, cfg->intermediate_size, W8_GROUP);
        return AX_ERR_INVALID;
    }
    struct builder b = {.list = out, .layer = -1, .expert = -1, .n_copies = 1, .is_w8 = is_w8};
    uint64_t h = cfg->hidden_size;
    add(&b, 0, 2, cfg->vocab_size, h, 0, "model.embeddings.weight");
    if (is_hybrid && cfg->has_lower_bounds)
        add(&b, 0, 2, cfg->n_layers, h, 0, "model.lower_bounds");
    if (is_hybrid && cfg->n_meta_tokens)
        add(&b, 0, 2, cfg->n_meta_tokens, h, 0, "model.meta_tokens");
    for (uint32_t i = 0; i < cfg->n_layers; i++) {
        b.layer = (int32_t)i;
        if (is_hybrid)
            add_hymeta_layer(&b, cfg, i);
        else
            add_gla_swa_layer(&b, cfg, i, is_w8);
    }
    b.layer = -1;
    add(&b, 0, 1, h, 0, 0, "model.norm.weight");
    if (!cfg->is_tied_embeddings)
        add(&b, 0, 2, cfg->vocab_size, h, 0, "lm_head.weight");
    if (b.is_oom) {
        ax_model_tensors_free(out);
        return AX_ERR_NOMEM;
    }
    return AX_OK;
}

void ax_model_tensors_free(struct ax_model_tensor_list *list)
{
    ax_mem_free(list->items);
    ax_arena_free(&list->arena);
    memset(list, 0, sizeof *list);
}

/* A routed expert's tensor name, "<prefix>experts.<e>.<rest>": *prefix_len
 * is the length up to and including "experts.", *expert the index (decimal,
 * without leading zeros), *rest what follows its dot. 0 when `name` is not
 * one. */
static int split_expert_name(const char *name, size_t *prefix_len, uint32_t *expert,
                             const char **rest)
{
    static const char marker[] = ".block_sparse_moe.experts.";
    const char *m = strstr(name, marker);
    if (!m)
        return 0;
    const char *d = m + sizeof marker - 1;
    uint64_t e = 0;
    const char *p = d;
    for (; *p >= '0' && *p <= '9' && p - d < 10; p++)
        e = 10 * e + (uint64_t)(*p - '0');
    if (p == d || *p != '.' || (*d == '0' && p - d > 1) || e > UINT32_MAX)
        return 0;
    *prefix_len = (size_t)(d - name);
    *expert = (uint32_t)e;
    *rest = p + 1;
    return 1;
}

const char *ax_model_tensor_name(const struct ax_model_tensor *t, uint32_t copy, char *buf,
                                 size_t size)
{
    size_t prefix_len;
    uint32_t e;
    const char *rest;
    if (t->expert < 0 || !split_expert_name(t->name, &prefix_len, &e, &rest))
        snprintf(buf, size, "%s", t->name);
    else
        snprintf(buf, size, "%.*s%u.%s", (int)prefix_len, t->name, copy, rest);
    return buf;
}

const struct ax_model_tensor *ax_model_tensors_find(const struct ax_model_tensor_list *list,
                                                    const char *name)
{
    size_t prefix_len = 0;
    uint32_t expert = 0;
    const char *rest = NULL;
    int is_expert = split_expert_name(name, &prefix_len, &expert, &rest);
    for (uint32_t i = 0; i < list->n_items; i++) {
        const struct ax_model_tensor *t = &list->items[i];
        if (t->expert < 0) {
            if (strcmp(t->name, name) == 0)
                return t;
            continue;
        }
        /* t->name is expert 0's: the same prefix, "0." and the same rest */
        if (is_expert && expert < t->n_copies && strncmp(t->name, name, prefix_len) == 0 &&
            strncmp(t->name + prefix_len, "0.", 2) == 0 &&
            strcmp(t->name + prefix_len + 2, rest) == 0)
            return t;
    }
    return NULL;
}

/* ---- counts -------------------------------------------------------------- */

static uint64_t numel(const struct ax_model_tensor *t)
{
    uint64_t n = 1;
    for (uint32_t i = 0; i < t->n_dims; i++)
        n *= t->shape[i];
    return n;
}

void ax_model_count_params(const struct ax_model_config *cfg,
                           const struct ax_model_tensor_list *tensors, struct ax_model_counts *out)
{
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < tensors->n_items; i++) {
        const struct ax_model_tensor *t = &tensors->items[i];
        uint64_t n = numel(t);
        if (t->is_scale) {
            out->n_scales += n * t->n_copies;
            continue;
        }
        out->n_params += n * t->n_copies;
        /* All experts of a layer have the same shapes, so any k of them stand
         * for whichever k experts a token is routed to. */
        if (t->expert < 0)
            out->n_active_params += n;
        else
            out->n_active_params +=
                n *
                (t->n_copies < cfg->n_experts_per_token ? t->n_copies : cfg->n_experts_per_token);
    }
}

void ax_model_macs_per_token(const struct ax_model_config *cfg, enum ax_model_variant variant,
                             uint64_t context, struct ax_model_macs *out)
{
    memset(out, 0, sizeof *out);
    uint64_t h = cfg->hidden_size, H = cfg->n_heads, d = cfg->head_dim;
    uint64_t qd = H * d, kv = (uint64_t)cfg->n_kv_heads * d;
    uint64_t window_keys = context < cfg->sliding_window ? context : cfg->sliding_window;
    for (uint32_t i = 0; i < cfg->n_layers; i++) {
        const struct ax_model_layer *l = &cfg->layers[i];
        if (cfg->type == AX_MODEL_TYPE_GLA_SWA) {
            out->linear += h * qd + 2 * h * kv + qd * h + 3 * h * cfg->intermediate_size;
            if (l->mixer == AX_MODEL_MIXER_GLA) {
                if (variant == AX_MODEL_VARIANT_W8ASPIKE)
                    out->linear += h * kv;
                else
                    out->linear += h * cfg->gate_low_rank_dim + cfg->gate_low_rank_dim * kv;
                out->recurrent += 3 * H * d * d;
            } else {
                out->attention += 2 * H * d * window_keys;
            }
            continue;
        }
        /* hybrid: both branches' q, k, v, one shared out_proj */
        out->linear += 2 * (h * qd + 2 * h * kv) + qd * h;
        uint64_t keys =
            (l->mixer == AX_MODEL_MIXER_LA_FULL ? context : window_keys) + cfg->n_meta_tokens;
        out->attention += 2 * H * d * keys;
        out->recurrent += 3 * H * d * d;
        if (l->ffn == AX_MODEL_FFN_DENSE)
            out->linear += 3 * h * cfg->intermediate_size;
        else
            out->linear += h * cfg->n_experts +
                           cfg->n_experts_per_token * 3 * h * cfg->intermediate_size +
                           3 * h * cfg->shared_intermediate_size;
    }
    out->lm_head = (uint64_t)cfg->vocab_size * h;
    out->total = out->linear + out->lm_head + out->attention + out->recurrent;
}

/* ---- the checkpoint against the config ----------------------------------- */

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum ax_model_variant ax_model_detect_variant(const struct ax_model_config *cfg,
                                              const struct ax_st_checkpoint *weights)
{
    if (cfg->type == AX_MODEL_TYPE_HYBRID)
        return AX_MODEL_VARIANT_HYMETA;
    for (uint32_t i = 0; weights && i < weights->n_tensors; i++) {
        const char *n = weights->tensors[i].name;
        if (has_suffix(n, ".weight_quantizer.scales") || has_suffix(n, ".attn.gk_proj.weight"))
            return AX_MODEL_VARIANT_W8ASPIKE;
    }
    return AX_MODEL_VARIANT_BF16;
}

static int is_float(enum ax_st_dtype d)
{
    return d == AX_ST_DTYPE_F32 || d == AX_ST_DTYPE_BF16 || d == AX_ST_DTYPE_F16;
}

/* The index of the first element of float tensor `t` that is NaN or
 * infinite, or UINT64_MAX when every element is finite; *is_nan says which.
 * Reads the bit patterns (an exponent of all ones), so no value is ever
 * converted. */
static uint64_t first_non_finite(const struct ax_st_tensor *t, int *is_nan)
{
    const unsigned char *p = t->data;
    uint32_t size = ax_st_dtype_size(t->dtype);
    uint64_t n = size ? t->n_bytes / size : 0;
    for (uint64_t i = 0; i < n; i++, p += size) {
        uint32_t exp_bits, mant;
        if (t->dtype == AX_ST_DTYPE_F32) {
            uint32_t b = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                         (uint32_t)p[3] << 24;
            exp_bits = (b >> 23) & 0xffu, mant = b & 0x7fffffu;
            if (exp_bits != 0xffu)
                continue;
        } else {
            uint32_t h = (uint32_t)p[0] | (uint32_t)p[1] << 8;
            int is_bf16 = t->dtype == AX_ST_DTYPE_BF16;
            exp_bits = is_bf16 ? (h >> 7) & 0xffu : (h >> 10) & 0x1fu;
            mant = is_bf16 ? h & 0x7fu : h & 0x3ffu;
            if (exp_bits != (is_bf16 ? 0xffu : 0x1fu))
                continue;
        }
        *is_nan = mant != 0;
        return i;
    }
    return UINT64_MAX;
}

/* Writes the coordinates of flat element `i` of `t` as "[2, 17]". */
static void format_index(const struct ax_st_tensor *t, uint64_t i, char *buf, size_t size)
{
    uint64_t at[8] = {0};
    uint32_t n = t->n_dims < 8 ? t->n_dims : 8;
    for (uint32_t d = n; d-- > 0;) {
        uint64_t extent = t->shape[d] ? t->shape[d] : 1;
        at[d] = i % extent;
        i /= extent;
    }
    ax_st_format_shape(at, n, buf, size);
}

/* Refuses a float tensor holding NaN or an infinity: the quantizers and the
 * spike encoder would turn it into an integer, which C leaves undefined, and
 * a run would report plausible figures computed from nothing. */
static int check_finite(const struct ax_st_tensor *t, const char *name, const char *where,
                        struct ax_diag_list *diags)
{
    if (t->dtype != AX_ST_DTYPE_F32 && t->dtype != AX_ST_DTYPE_BF16 && t->dtype != AX_ST_DTYPE_F16)
        return 0;
    int is_nan = 0;
    uint64_t i = first_non_finite(t, &is_nan);
    if (i == UINT64_MAX)
        return 0;
    char at[160];
    format_index(t, i, at, sizeof at);
    ax_diag_add(diags, AX_DIAG_ERROR, where, 0, 0,
                "tensor '%s' holds %s at %s (element %llu); every weight must be finite: the "
                "checkpoint is damaged or was saved from a diverged run", name,
                is_nan ? "NaN" : "an infinity", at, (unsigned long long)i);
    return 1;
}

static int same_shape(const struct ax_model_tensor *e, const struct ax_st_tensor *t)
{
    if (e->n_dims != t->n_dims)
        return 0;
    for (uint32_t i = 0; i < e->n_dims; i++) {
        if (e->shape[i] != t->shape[i])
            return 0;
    }
    return 1;
}

/* What checking one checkpoint against the list gathers. */
struct validation {
    const struct ax_st_checkpoint *weights;
    uint8_t *is_used; /* per checkpoint tensor */
    uint32_t n_errors;
    uint32_t n_of_dtype[AX_ST_DTYPE_COUNT];
    struct ax_diag_list *diags;
};

/* Checks checkpoint tensor `t`, found for entry `e` under `name`: its
 * shape, its dtype and, where the shape fits, that every value is finite. */
static void check_tensor(struct validation *v, const struct ax_model_tensor *e, const char *name,
                         const struct ax_st_tensor *t)
{
    char want[160], found[160];
    v->is_used[t - v->weights->tensors] = 1;
    const char *where = v->weights->shards[t->shard].path;
    int is_same_shape = same_shape(e, t);
    if (!is_same_shape) {
        ax_diag_add(v->diags, AX_DIAG_ERROR, where, 0, 0,
                    "tensor '%s': expected shape %s, found %s", name,
                    ax_st_format_shape(e->shape, e->n_dims, want, sizeof want),
                    ax_st_format_shape(t->shape, t->n_dims, found, sizeof found));
        v->n_errors++;
    }
    if (e->is_scale && t->dtype != AX_ST_DTYPE_F32) {
        ax_diag_add(v->diags, AX_DIAG_ERROR, where, 0, 0,
                    "tensor '%s': dtype %s; quantizer scales must be F32", name,
                    ax_st_dtype_str(t->dtype));
        v->n_errors++;
    } else if (!e->is_scale && !is_float(t->dtype)) {
        ax_diag_add(v->diags, AX_DIAG_ERROR, where, 0, 0,
                    "tensor '%s': dtype %s; parameters must be F32, BF16 or F16", name,
                    ax_st_dtype_str(t->dtype));
        v->n_errors++;
    } else if (!e->is_scale) {
        v->n_of_dtype[t->dtype]++;
    }
    if (is_same_shape)
        v->n_errors += (uint32_t)check_finite(t, name, where, v->diags);
}

/* The index of the first checkpoint tensor whose name is not below `key`
 * (the tensors are sorted by name). */
static uint32_t lower_bound(const struct ax_st_checkpoint *ck, const char *key)
{
    uint32_t lo = 0, hi = ck->n_tensors;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(ck->tensors[mid].name, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Checks entry `e` that stands for one tensor of each of a layer's routed
 * experts. The names of those experts sort together in the checkpoint, so
 * one scan of that range finds every copy present; a missing one is then
 * named by trying indices from 0, which stops at the first absent and so
 * costs no more lookups than there are copies present. */
static void check_expert_entry(struct validation *v, const struct ax_model_tensor *e)
{
    size_t prefix_len;
    uint32_t e0;
    const char *rest;
    if (!split_expert_name(e->name, &prefix_len, &e0, &rest))
        return; /* the builder names every expert entry so */
    char prefix[256], name[256], want[160];
    snprintf(prefix, sizeof prefix, "%.*s", (int)prefix_len, e->name);
    uint32_t n_found = 0;
    for (uint32_t i = lower_bound(v->weights, prefix); i < v->weights->n_tensors; i++) {
        const struct ax_st_tensor *t = &v->weights->tensors[i];
        size_t pl;
        uint32_t expert;
        const char *r;
        if (strncmp(t->name, prefix, prefix_len) != 0)
            break;
        if (!split_expert_name(t->name, &pl, &expert, &r) || pl != prefix_len ||
            expert >= e->n_copies || strcmp(r, rest) != 0)
            continue;
        check_tensor(v, e, t->name, t);
        n_found++;
    }
    if (n_found == e->n_copies)
        return;
    uint32_t first = 0;
    while (ax_st_find(v->weights, ax_model_tensor_name(e, first, name, sizeof name)) &&
           first + 1 < e->n_copies)
        first++;
    ax_diag_add(v->diags, AX_DIAG_ERROR, v->weights->path, 0, 0,
                "missing tensor '%s' (expected shape %s)", name,
                ax_st_format_shape(e->shape, e->n_dims, want, sizeof want));
    v->n_errors++;
    uint32_t n_more = e->n_copies - n_found - 1;
    if (n_more)
        ax_diag_add(v->diags, AX_DIAG_ERROR, v->weights->path, 0, 0,
                    "missing tensor '%s<e>.%s' for %u more of the %u experts; the checkpoint "
                    "must hold it for every expert num_local_experts declares",
                    prefix, rest, n_more, e->n_copies);
}

ax_status ax_model_validate_weights(const struct ax_st_checkpoint *weights,
                                    const struct ax_model_tensor_list *expected,
                                    uint32_t *n_unexpected, const char **dtype,
                                    struct ax_diag_list *diags)
{
    *n_unexpected = 0;
    *dtype = NULL;
    struct validation v = {.weights = weights, .diags = diags};
    v.is_used = ax_mem_calloc(weights->n_tensors + 1, 1);
    if (!v.is_used)
        return AX_ERR_NOMEM;
    char want[160], found[160];
    for (uint32_t i = 0; i < expected->n_items; i++) {
        const struct ax_model_tensor *e = &expected->items[i];
        if (e->expert >= 0) {
            check_expert_entry(&v, e);
            continue;
        }
        const struct ax_st_tensor *t = ax_st_find(weights, e->name);
        if (!t) {
            ax_diag_add(diags, AX_DIAG_ERROR, weights->path, 0, 0,
                        "missing tensor '%s' (expected shape %s)", e->name,
                        ax_st_format_shape(e->shape, e->n_dims, want, sizeof want));
            v.n_errors++;
            continue;
        }
        check_tensor(&v, e, e->name, t);
    }
    for (uint32_t i = 0; i < weights->n_tensors; i++) {
        const struct ax_st_tensor *t = &weights->tensors[i];
        if (v.is_used[i])
            continue;
        (*n_unexpected)++;
        ax_diag_add(diags, AX_DIAG_WARNING, weights->shards[t->shard].path, 0, 0,
                    "unexpected tensor '%s' %s %s; the model does not use it", t->name,
                    ax_st_format_shape(t->shape, t->n_dims, found, sizeof found),
                    ax_st_dtype_str(t->dtype));
    }
    ax_mem_free(v.is_used);
    uint32_t n_errors = v.n_errors, *n_of_dtype = v.n_of_dtype;

    int n_kinds = 0;
    for (int d = 0; d < AX_ST_DTYPE_COUNT; d++) {
        if (n_of_dtype[d]) {
            n_kinds++;
            *dtype = ax_st_dtype_str((enum ax_st_dtype)d);
        }
    }
    if (n_kinds > 1) {
        *dtype = "mixed";
        ax_diag_add(diags, AX_DIAG_WARNING, weights->path, 0, 0,
                    "parameters mix dtypes: %u F32, %u BF16, %u F16 tensors",
                    n_of_dtype[AX_ST_DTYPE_F32], n_of_dtype[AX_ST_DTYPE_BF16],
                    n_of_dtype[AX_ST_DTYPE_F16]);
    }
    return n_errors ? AX_ERR_INVALID : AX_OK;
}
