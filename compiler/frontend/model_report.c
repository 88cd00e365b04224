/* The model summary `axon inspect MODEL_DIR` prints, as text or one JSON
 * object. */
#include "ax_model.h"

#include "ax_tokenizer.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

const uint64_t ax_model_summary_contexts[] = {1, 4096, 32768, 131072};
const uint32_t ax_model_summary_n_contexts =
    sizeof ax_model_summary_contexts / sizeof ax_model_summary_contexts[0];

/* ---- JSON ---------------------------------------------------------------- */

static json_t *config_json(const struct ax_model_config *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "hidden_size", json_integer(c->hidden_size));
    json_object_set_new(o, "num_hidden_layers", json_integer(c->n_layers));
    json_object_set_new(o, "num_attention_heads", json_integer(c->n_heads));
    json_object_set_new(o, "num_key_value_heads", json_integer(c->n_kv_heads));
    json_object_set_new(o, "head_dim", json_integer(c->head_dim));
    json_object_set_new(o, "intermediate_size", json_integer(c->intermediate_size));
    json_object_set_new(o, "vocab_size", json_integer(c->vocab_size));
    json_object_set_new(o, "sliding_window", json_integer(c->sliding_window));
    json_object_set_new(o, "max_position_embeddings", json_integer(c->max_position_embeddings));
    json_object_set_new(o, "tie_word_embeddings", json_boolean(c->is_tied_embeddings));
    if (c->type == AX_MODEL_TYPE_GLA_SWA) {
        json_object_set_new(o, "gate_low_rank_dim", json_integer(c->gate_low_rank_dim));
        json_object_set_new(o, "gate_logit_normalizer", json_real(c->gate_logit_normalizer));
    } else {
        json_object_set_new(o, "num_meta_tokens", json_integer(c->n_meta_tokens));
        json_object_set_new(o, "num_local_experts", json_integer(c->n_experts));
        json_object_set_new(o, "num_experts_per_topk", json_integer(c->n_experts_per_token));
        json_object_set_new(o, "shared_intermediate_size",
                            json_integer(c->shared_intermediate_size));
    }
    return o;
}

static json_t *checkpoint_json(const struct ax_model *m)
{
    json_t *o = json_object();
    const struct ax_st_checkpoint *w = m->weights;
    json_object_set_new(o, "status", json_string(w ? "validated" : "shape-only"));
    json_object_set_new(o, "variant", json_string(ax_model_variant_str(m->variant)));
    if (!w)
        return o;
    json_object_set_new(o, "file", json_string(w->path));
    json_object_set_new(o, "dtype", json_string(m->weights_dtype ? m->weights_dtype : ""));
    json_object_set_new(o, "shards", json_integer(w->n_shards));
    json_object_set_new(o, "tensors", json_integer(w->n_tensors));
    json_object_set_new(o, "unexpected_tensors", json_integer(m->n_unexpected));
    json_object_set_new(o, "bytes", json_integer((json_int_t)w->n_data_bytes));
    return o;
}

static json_t *tokenizer_json(const struct ax_tok *tok)
{
    if (!tok)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(ax_tok_kind_str(ax_tok_kind(tok))));
    json_object_set_new(o, "vocab", json_integer(ax_tok_vocab_size(tok)));
    json_object_set_new(o, "merges", json_integer(ax_tok_n_merges(tok)));
    return o;
}

static json_t *summary_json(const struct ax_model *m)
{
    const struct ax_model_config *c = &m->config;
    json_t *o = json_object();
    json_object_set_new(o, "model_dir", json_string(m->dir));
    json_object_set_new(o, "model_type", json_string(ax_model_type_str(c->type)));
    json_object_set_new(o, "config", config_json(c));
    json_object_set_new(o, "params", json_integer((json_int_t)m->counts.n_params));
    json_object_set_new(o, "active_params", json_integer((json_int_t)m->counts.n_active_params));
    json_object_set_new(o, "quantizer_scales", json_integer((json_int_t)m->counts.n_scales));
    json_t *layers = json_array();
    for (uint32_t i = 0; i < c->n_layers; i++)
        json_array_append_new(layers, json_pack("{s:I,s:s,s:s}", "index", (json_int_t)i, "mixer",
                                                ax_model_mixer_str(c->layers[i].mixer), "ffn",
                                                ax_model_ffn_str(c->layers[i].ffn)));
    json_object_set_new(o, "layers", layers);
    json_t *macs = json_object(), *detail = json_object();
    for (uint32_t k = 0; k < ax_model_summary_n_contexts; k++) {
        struct ax_model_macs x;
        ax_model_macs_per_token(c, m->variant, ax_model_summary_contexts[k], &x);
        char key[32];
        snprintf(key, sizeof key, "%llu", (unsigned long long)ax_model_summary_contexts[k]);
        json_object_set_new(macs, key, json_integer((json_int_t)x.total));
        json_object_set_new(detail, key,
                            json_pack("{s:I,s:I,s:I,s:I}", "linear", (json_int_t)x.linear,
                                      "lm_head", (json_int_t)x.lm_head, "attention",
                                      (json_int_t)x.attention, "recurrent",
                                      (json_int_t)x.recurrent));
    }
    json_object_set_new(o, "macs_per_token", macs);
    json_object_set_new(o, "macs_per_token_detail", detail);
    json_object_set_new(o, "checkpoint", checkpoint_json(m));
    json_object_set_new(o, "tokenizer", tokenizer_json(m->tokenizer));
    return o;
}

/* ---- text ---------------------------------------------------------------- */

/* Writes n with thousands separators ("7,616,542,976"). */
static const char *grouped(uint64_t n, char *buf, size_t size)
{
    char digits[32];
    int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
    size_t w = 0;
    for (int i = 0; i < nd && w + 2 < size; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            buf[w++] = ',';
        buf[w++] = digits[i];
    }
    buf[w] = '\0';
    return buf;
}

/* One line of the layer plan: the layers whose mixer (is_ffn == 0) or ffn
 * equals `kind`. */
static void print_layer_group(FILE *out, const struct ax_model_config *c, int is_ffn, int kind,
                              const char *label, int *is_first)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n_layers; i++)
        n += (is_ffn ? (int)c->layers[i].ffn : (int)c->layers[i].mixer) == kind;
    if (!n)
        return;
    fprintf(out, "%-12s%-10s(%u): ", *is_first ? "layers" : "", label, n);
    *is_first = 0;
    if (n == c->n_layers) {
        fprintf(out, "all\n");
        return;
    }
    const char *sep = "";
    for (uint32_t i = 0; i < c->n_layers; i++) {
        if ((is_ffn ? (int)c->layers[i].ffn : (int)c->layers[i].mixer) == kind) {
            fprintf(out, "%s%u", sep, i);
            sep = " ";
        }
    }
    fprintf(out, "\n");
}

static void print_text(const struct ax_model *m, FILE *out)
{
    const struct ax_model_config *c = &m->config;
    char a[40], b[40];
    int is_hybrid = c->type == AX_MODEL_TYPE_HYBRID;
    fprintf(out, "%-12s%s (%s: %s)\n", "model", m->dir, ax_model_type_str(c->type),
            is_hybrid ? "parallel linear + softmax attention, MoE"
                      : "GLA and sliding-window attention layers");
    fprintf(out, "%-12s%u layers, hidden %u, %u heads x %u (%u kv head%s), MLP %u, vocab %u\n",
            "shape", c->n_layers, c->hidden_size, c->n_heads, c->head_dim, c->n_kv_heads,
            c->n_kv_heads == 1 ? "" : "s", c->intermediate_size, c->vocab_size);
    if (is_hybrid)
        fprintf(out, "%-12sSWA window %u, %u meta tokens; %u experts, top-%u, shared MLP %u\n",
                "attention", c->sliding_window, c->n_meta_tokens, c->n_experts,
                c->n_experts_per_token, c->shared_intermediate_size);
    else
        fprintf(out, "%-12sSWA window %u; GLA gate rank %u, logit normalizer %g\n", "attention",
                c->sliding_window, c->gate_low_rank_dim, c->gate_logit_normalizer);
    int is_first = 1;
    static const char *const mixer_labels[] = {"GLA", "SWA", "LA+SWA", "LA+full"};
    static const char *const ffn_labels[] = {"dense MLP", "MoE"};
    for (int k = 0; k < AX_MODEL_MIXER_COUNT; k++)
        print_layer_group(out, c, 0, k, mixer_labels[k], &is_first);
    for (int k = 0; k < AX_MODEL_FFN_COUNT; k++)
        print_layer_group(out, c, 1, k, ffn_labels[k], &is_first);
    fprintf(out, "%-12s%s total, %s active per token\n", "params",
            grouped(m->counts.n_params, a, sizeof a),
            grouped(m->counts.n_active_params, b, sizeof b));
    for (uint32_t k = 0; k < ax_model_summary_n_contexts; k++) {
        struct ax_model_macs x;
        ax_model_macs_per_token(c, m->variant, ax_model_summary_contexts[k], &x);
        char l[40], h[40], at[40], r[40];
        fprintf(out, "%-12scontext %-7llu %s (linear %s, lm_head %s, attention %s, recurrent %s)\n",
                k == 0 ? "MACs/token" : "", (unsigned long long)ax_model_summary_contexts[k],
                grouped(x.total, a, sizeof a), grouped(x.linear, l, sizeof l),
                grouped(x.lm_head, h, sizeof h), grouped(x.attention, at, sizeof at),
                grouped(x.recurrent, r, sizeof r));
    }
    const struct ax_st_checkpoint *w = m->weights;
    if (!w)
        fprintf(out, "%-12sshape-only (config.json without weights): counting mode only\n",
                "checkpoint");
    else
        fprintf(out, "%-12svalidated: %s variant, %s, %u shard%s, %u tensors, %s bytes%s\n",
                "checkpoint", ax_model_variant_str(m->variant),
                m->weights_dtype ? m->weights_dtype : "no parameters", w->n_shards,
                w->n_shards == 1 ? "" : "s", w->n_tensors, grouped(w->n_data_bytes, a, sizeof a),
                m->n_unexpected ? " (with unexpected tensors, see the warnings)" : "");
    if (m->tokenizer && ax_tok_kind(m->tokenizer) == AX_TOK_KIND_BPE)
        fprintf(out, "%-12sQwen2 byte-level BPE, %u token ids, %u merges\n", "tokenizer",
                ax_tok_vocab_size(m->tokenizer), ax_tok_n_merges(m->tokenizer));
    else if (m->tokenizer)
        fprintf(out, "%-12sbytes (token = byte value), %u token ids\n", "tokenizer",
                ax_tok_vocab_size(m->tokenizer));
    else
        fprintf(out, "%-12snone\n", "tokenizer");
}

ax_status ax_model_print_summary(const struct ax_model *m, FILE *out, int is_json)
{
    if (!is_json) {
        print_text(m, out);
        return ferror(out) ? AX_ERR_IO : AX_OK;
    }
    json_t *o = summary_json(m);
    if (!o)
        return AX_ERR_NOMEM;
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        return AX_ERR_NOMEM;
    fprintf(out, "%s\n", s);
    free(s);
    return ferror(out) ? AX_ERR_IO : AX_OK;
}
