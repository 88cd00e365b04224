/* Unit tests of config.json parsing, the layer plan, the expected tensor
 * lists, parameter counts and MACs per token. The exact counts were
 * computed independently from the shapes of the released configuration and
 * tensor names (docs/sources.md: spikingbrain-code, hymeta-code). */
#include "model_test_util.h"

#include "ax_model.h"

#ifndef AX_SOURCE_DIR
#error "AX_SOURCE_DIR must name the source tree"
#endif

static const char *const config_7b = AX_SOURCE_DIR "/models/nets/spikingbrain-7b/config.json";
static const char *const config_76b = AX_SOURCE_DIR "/models/nets/spikingbrain-76b/config.json";

/* Parses `text`; returns the status and leaves diagnostics in `d`. */
static ax_status parse(const char *text, struct ax_model_config *cfg, struct ax_diag_list *d)
{
    return ax_model_config_parse("config.json", text, strlen(text), cfg, d);
}

static void test_7b_config(void)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_model_config c;
    CHECK(ax_model_config_load(config_7b, &c, &d) == AX_OK);
    CHECK(d.n_errors == 0 && d.n_warnings == 0);
    CHECK(c.type == AX_MODEL_TYPE_GLA_SWA);
    CHECK(c.hidden_size == 3584 && c.n_layers == 28 && c.n_heads == 28 && c.n_kv_heads == 4);
    CHECK(c.head_dim == 128 && c.intermediate_size == 18944 && c.vocab_size == 152064);
    CHECK(c.sliding_window == 4096 && c.max_position_embeddings == 131072);
    CHECK(c.rope_theta == 1e6 && c.norm_eps == 1e-6 && !c.is_tied_embeddings);
    CHECK(c.gate_low_rank_dim == 16 && c.gate_logit_normalizer == 16);
    CHECK_STR(c.torch_dtype, "bfloat16");
    for (uint32_t i = 0; i < 28; i++) {
        CHECK(c.layers[i].mixer == (i % 2 ? AX_MODEL_MIXER_SWA : AX_MODEL_MIXER_GLA));
        CHECK(c.layers[i].ffn == AX_MODEL_FFN_DENSE);
    }
    ax_model_config_free(&c);
    ax_diag_list_free(&d);
}

static void test_76b_config(void)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_model_config c;
    CHECK(ax_model_config_load(config_76b, &c, &d) == AX_OK);
    CHECK(d.n_errors == 0);
    CHECK(c.type == AX_MODEL_TYPE_HYBRID);
    CHECK(c.n_meta_tokens == 128 && c.n_experts == 16 && c.n_experts_per_token == 1);
    CHECK(c.shared_intermediate_size == 18944 && c.has_lower_bounds);
    static const int full[] = {3, 11, 19, 27}, dense[] = {0, 1, 2, 4, 6, 8, 10};
    uint32_t n_full = 0, n_dense = 0;
    for (uint32_t i = 0; i < c.n_layers; i++) {
        int is_full = 0, is_dense = 0;
        for (int k = 0; k < 4; k++)
            is_full |= full[k] == (int)i;
        for (int k = 0; k < 7; k++)
            is_dense |= dense[k] == (int)i;
        CHECK(c.layers[i].mixer == (is_full ? AX_MODEL_MIXER_LA_FULL : AX_MODEL_MIXER_LA_SWA));
        CHECK(c.layers[i].ffn == (is_dense ? AX_MODEL_FFN_DENSE : AX_MODEL_FFN_MOE));
        n_full += c.layers[i].mixer == AX_MODEL_MIXER_LA_FULL;
        n_dense += c.layers[i].ffn == AX_MODEL_FFN_DENSE;
    }
    CHECK(n_full == 4 && n_dense == 7);
    ax_model_config_free(&c);
    ax_diag_list_free(&d);
}

/* Absent optional fields take the config classes' defaults. */
static void test_defaults(void)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_model_config c;
    CHECK(parse("{\"model_type\": \"gla_swa\", \"hidden_size\": 256, \"num_hidden_layers\": 5,\n"
                " \"num_attention_heads\": 2, \"num_key_value_heads\": 1,\n"
                " \"intermediate_size\": 512, \"vocab_size\": 256, \"tokenizer\": \"bytes\"}",
                &c, &d) == AX_OK);
    CHECK(c.gate_low_rank_dim == 16 && c.gate_logit_normalizer == 16);
    CHECK(c.sliding_window == 4096 && c.rope_theta == 1e6);
    CHECK_STR(c.tokenizer, "bytes");
    /* attn_layers absent: SWA on the odd layers */
    CHECK(c.layers[0].mixer == AX_MODEL_MIXER_GLA && c.layers[1].mixer == AX_MODEL_MIXER_SWA);
    CHECK(c.layers[3].mixer == AX_MODEL_MIXER_SWA && c.layers[4].mixer == AX_MODEL_MIXER_GLA);
    ax_model_config_free(&c);

    /* hybrid with every list absent but too few layers for the defaults */
    CHECK(parse("{\"model_type\": \"hybrid\", \"hidden_size\": 256, \"num_hidden_layers\": 2,\n"
                " \"num_attention_heads\": 2, \"num_key_value_heads\": 1,\n"
                " \"intermediate_size\": 256, \"vocab_size\": 256}",
                &c, &d) == AX_ERR_INVALID);
    CHECK(
        has_diag(&d, AX_DIAG_ERROR, "'full_attn_layers' is absent and its default names layer 3"));
    ax_diag_list_free(&d);
}

struct bad_config {
    const char *text;
    const char *message; /* a substring of the formatted diagnostic */
};

static void test_config_errors(void)
{
    static const struct bad_config cases[] = {
        {"{\"model_type\": \"gla_swa\",\n \"hidden_size\": 3584,\n \"num_hidden_layers\": 28 x}",
         "config.json:3:"},
        {"[1, 2]", "expected a JSON object, found array"},
        {"{\"model_type\": \"qwen2\"}", "model_type 'qwen2' is not a SpikingBrain model"},
        {"{\"hidden_size\": 8}", "'model_type' must be"},
        {"{\"model_type\": \"gla_swa\", \"hidden_size\": 3584, \"num_hidden_layers\": 28,\n"
         " \"num_attention_heads\": 27, \"num_key_value_heads\": 1,\n"
         " \"intermediate_size\": 8, \"vocab_size\": 8}",
         "config.json:2:2: error: hidden_size 3584 is not divisible by num_attention_heads 27"},
        {"{\"model_type\": \"gla_swa\", \"hidden_size\": 3584, \"num_hidden_layers\": 28,\n"
         " \"num_attention_heads\": 28, \"num_key_value_heads\": 5,\n"
         " \"intermediate_size\": 8, \"vocab_size\": 8}",
         "num_attention_heads 28 is not divisible by num_key_value_heads 5"},
        {"{\"model_type\": \"gla_swa\", \"hidden_size\": 256, \"num_hidden_layers\": 4,\n"
         " \"num_attention_heads\": 2, \"num_key_value_heads\": 1,\n"
         " \"intermediate_size\": 8, \"vocab_size\": 8,\n"
         " \"attn_layers\": [1, 4]}",
         "config.json:4:2: error: 'attn_layers' names layer 4, outside the model's layers 0 to 3"},
        {"{\"model_type\": \"gla_swa\", \"hidden_size\": \"256\", \"num_hidden_layers\": 4,\n"
         " \"num_attention_heads\": 2, \"num_key_value_heads\": 1,\n"
         " \"intermediate_size\": 8, \"vocab_size\": 8}",
         "config.json:1:27: error: 'hidden_size' must be an integer, found string"},
        {"{\"model_type\": \"gla_swa\", \"num_hidden_layers\": 4,\n"
         " \"num_attention_heads\": 2, \"num_key_value_heads\": 1,\n"
         " \"intermediate_size\": 8, \"vocab_size\": 8}",
         "missing required field 'hidden_size'"},
        {"{\"model_type\": \"gla_swa\", \"hidden_size\": 256, \"num_hidden_layers\": 0,\n"
         " \"num_attention_heads\": 2, \"num_key_value_heads\": 1,\n"
         " \"intermediate_size\": 8, \"vocab_size\": 8}",
         "'num_hidden_layers' is 0; expected 1 to 1024"},
        {"{\"model_type\": \"gla_swa\", \"hidden_size\": 256, \"num_hidden_layers\": 2,\n"
         " \"num_attention_heads\": 2, \"num_key_value_heads\": 1,\n"
         " \"intermediate_size\": 8, \"vocab_size\": 8, \"hidden_act\": \"gelu\"}",
         "hidden_act 'gelu' is not supported"},
        {"{\"model_type\": \"gla_swa\", \"hidden_size\": 256, \"num_hidden_layers\": 2,\n"
         " \"num_attention_heads\": 2, \"num_key_value_heads\": 1,\n"
         " \"intermediate_size\": 8, \"vocab_size\": 8, \"tokenizer\": \"sentencepiece\"}",
         "unknown tokenizer 'sentencepiece'"},
        {"{\"model_type\": \"gla_swa\", \"hidden_size\": 256, \"num_hidden_layers\": 2,\n"
         " \"num_attention_heads\": 2, \"num_key_value_heads\": 1,\n"
         " \"intermediate_size\": 8, \"vocab_size\": 8, \"attn_layers\": \"odd\"}",
         "'attn_layers' must be an array of layer indices, found string"},
        {"{\"model_type\": \"hybrid\", \"hidden_size\": 256, \"num_hidden_layers\": 2,\n"
         " \"num_attention_heads\": 2, \"num_key_value_heads\": 1,\n"
         " \"intermediate_size\": 8, \"vocab_size\": 8, \"full_attn_layers\": [1],\n"
         " \"dense_mlp_layers\": [0], \"num_local_experts\": 2, \"num_experts_per_topk\": 3}",
         "num_experts_per_topk 3 exceeds num_local_experts 2"},
        {"{\"model_type\": \"gla_swa\", \"model_type\": \"hybrid\"}", "duplicate object key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ax_diag_list d;
        ax_diag_list_init(&d);
        struct ax_model_config c;
        ax_status st = parse(cases[i].text, &c, &d);
        CHECK(st != AX_OK);
        CHECK(c.layers == NULL && c.path == NULL); /* nothing owned after a failure */
        int is_found = has_diag(&d, AX_DIAG_ERROR, cases[i].message);
        CHECK(is_found);
        if (!is_found) {
            fprintf(stderr, "case %zu expected '%s'; got:\n", i, cases[i].message);
            dump_diags(&d);
        }
        ax_diag_list_free(&d);
    }
}

/* Errors accumulate: one parse reports every bad field. */
static void test_errors_accumulate(void)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_model_config c;
    CHECK(parse("{\"model_type\": \"gla_swa\", \"hidden_size\": -1, \"num_hidden_layers\": true,\n"
                " \"num_attention_heads\": 2, \"num_key_value_heads\": 1,\n"
                " \"intermediate_size\": 8, \"rope_theta\": 0}",
                &c, &d) == AX_ERR_INVALID);
    CHECK(d.n_errors == 4);
    CHECK(has_diag(&d, AX_DIAG_ERROR, "'hidden_size' is -1"));
    CHECK(has_diag(&d, AX_DIAG_ERROR, "'num_hidden_layers' must be an integer, found true"));
    CHECK(has_diag(&d, AX_DIAG_ERROR, "missing required field 'vocab_size'"));
    CHECK(has_diag(&d, AX_DIAG_ERROR, "config.json:3:26: error: 'rope_theta' is 0"));
    ax_diag_list_free(&d);
}

static void load(const char *path, struct ax_model_config *c)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    if (ax_model_config_load(path, c, &d) != AX_OK) {
        dump_diags(&d);
        abort();
    }
    ax_diag_list_free(&d);
}

static uint64_t numel(const struct ax_model_tensor *t)
{
    uint64_t n = 1;
    for (uint32_t i = 0; i < t->n_dims; i++)
        n *= t->shape[i];
    return n;
}

static void test_7b_tensors_and_counts(void)
{
    struct ax_model_config c;
    load(config_7b, &c);
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_model_tensor_list l;
    CHECK(ax_model_expected_tensors(&c, AX_MODEL_VARIANT_BF16, &l, &d) == AX_OK);
    /* 14 SWA layers of 12 tensors, 14 GLA layers of 16, embeddings, norm, lm_head */
    CHECK(l.n_items == 14 * 12 + 14 * 16 + 3);
    const struct ax_model_tensor *t =
        ax_model_tensors_find(&l, "model.layers.0.attn.gk_proj.0.weight");
    CHECK(t && t->n_dims == 2 && t->shape[0] == 16 && t->shape[1] == 3584);
    t = ax_model_tensors_find(&l, "model.layers.0.attn.gk_proj.1.bias");
    CHECK(t && t->n_dims == 1 && t->shape[0] == 512);
    t = ax_model_tensors_find(&l, "model.layers.26.attn.g_norm.weight");
    CHECK(t && t->shape[0] == 128);
    CHECK(ax_model_tensors_find(&l, "model.layers.1.attn.g_norm.weight") == NULL);
    CHECK(ax_model_tensors_find(&l, "model.layers.27.attn.o_proj.bias") == NULL);
    t = ax_model_tensors_find(&l, "model.layers.27.mlp.down_proj.weight");
    CHECK(t && t->shape[0] == 3584 && t->shape[1] == 18944);
    struct ax_model_counts n;
    ax_model_count_params(&c, &l, &n);
    CHECK(n.n_params == 7616542976ull);
    CHECK(n.n_active_params == 7616542976ull);
    CHECK(n.n_scales == 0);
    ax_model_tensors_free(&l);

    /* W8ASpike: merged gk_proj and F32 scales [out, in/128, 1] */
    CHECK(ax_model_expected_tensors(&c, AX_MODEL_VARIANT_W8ASPIKE, &l, &d) == AX_OK);
    uint32_t n_layer0 = 0;
    uint64_t layer0_bytes = 0;
    for (uint32_t i = 0; i < l.n_items; i++) {
        if (l.items[i].layer == 0) {
            n_layer0++;
            layer0_bytes += 4 * numel(&l.items[i]);
        }
    }
    CHECK(n_layer0 == 23);               /* docs/sources.md: spikingbrain-code */
    CHECK(layer0_bytes == 946913792ull); /* FP32, as measured on the real checkpoint */
    t = ax_model_tensors_find(&l, "model.layers.0.attn.gk_proj.weight");
    CHECK(t && t->shape[0] == 512 && t->shape[1] == 3584);
    t = ax_model_tensors_find(&l, "model.layers.5.mlp.down_proj.weight_quantizer.scales");
    CHECK(t && t->is_scale && t->n_dims == 3 && t->shape[0] == 3584 && t->shape[1] == 148 &&
          t->shape[2] == 1);
    CHECK(ax_model_tensors_find(&l, "model.layers.0.attn.gk_proj.0.weight") == NULL);
    ax_model_count_params(&c, &l, &n);
    CHECK(n.n_params == 7641315584ull); /* 14 merged gk_proj of 512 x 3584 + 512 */
    CHECK(n.n_scales > 0);
    ax_model_tensors_free(&l);

    /* a 7B cannot be stored as HyMeta */
    CHECK(ax_model_expected_tensors(&c, AX_MODEL_VARIANT_HYMETA, &l, &d) == AX_ERR_INVALID);
    ax_diag_list_free(&d);
    ax_model_config_free(&c);
}

static void test_76b_tensors_and_counts(void)
{
    struct ax_model_config c;
    load(config_76b, &c);
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_model_tensor_list l;
    CHECK(ax_model_expected_tensors(&c, AX_MODEL_VARIANT_HYMETA, &l, &d) == AX_OK);
    const struct ax_model_tensor *t = ax_model_tensors_find(&l, "model.lower_bounds");
    CHECK(t && t->shape[0] == 28 && t->shape[1] == 3584);
    t = ax_model_tensors_find(&l, "model.meta_tokens");
    CHECK(t && t->shape[0] == 128 && t->shape[1] == 3584);
    CHECK(ax_model_tensors_find(&l, "model.layers.3.block_sparse_moe.experts.15.down_proj.weight"));
    CHECK(ax_model_tensors_find(&l, "model.layers.3.shared_mlp.up_proj.weight"));
    t = ax_model_tensors_find(&l, "model.layers.3.block_sparse_moe.gate.weight");
    CHECK(t && t->shape[0] == 16 && t->shape[1] == 3584);
    CHECK(ax_model_tensors_find(&l, "model.layers.10.mlp.gate_proj.weight"));
    CHECK(ax_model_tensors_find(&l, "model.layers.10.block_sparse_moe.gate.weight") == NULL);
    CHECK(ax_model_tensors_find(&l, "model.layers.0.attn.linear_attn.k_proj.bias"));
    CHECK(ax_model_tensors_find(&l, "model.layers.0.attn.vanilla_attn.q_proj.weight"));
    CHECK(ax_model_tensors_find(&l, "model.layers.0.attn.norm2.weight"));
    struct ax_model_counts n;
    ax_model_count_params(&c, &l, &n);
    CHECK(n.n_params == 76518589952ull);        /* "76B" */
    CHECK(n.n_active_params == 12357535232ull); /* "A12B" */
    ax_model_tensors_free(&l);
    CHECK(ax_model_expected_tensors(&c, AX_MODEL_VARIANT_BF16, &l, &d) == AX_ERR_INVALID);
    ax_diag_list_free(&d);
    ax_model_config_free(&c);
}

static void test_macs(void)
{
    struct ax_model_config c;
    load(config_7b, &c);
    static const uint64_t ctx[] = {1, 4096, 32768, 131072};
    static const uint64_t want_7b[] = {7090571264ull, 7501512704ull, 7501512704ull, 7501512704ull};
    struct ax_model_macs m;
    for (int i = 0; i < 4; i++) {
        ax_model_macs_per_token(&c, AX_MODEL_VARIANT_BF16, ctx[i], &m);
        CHECK(m.total == want_7b[i]);
        CHECK(m.total == m.linear + m.lm_head + m.attention + m.recurrent);
    }
    ax_model_macs_per_token(&c, AX_MODEL_VARIANT_BF16, 1, &m);
    CHECK(m.lm_head == 152064ull * 3584);
    CHECK(m.attention == 14ull * 2 * 28 * 128);
    CHECK(m.recurrent == 14ull * 3 * 28 * 128 * 128);
    /* the SWA window caps the keys */
    ax_model_macs_per_token(&c, AX_MODEL_VARIANT_BF16, 4097, &m);
    CHECK(m.attention == 14ull * 2 * 28 * 128 * 4096);
    /* W8ASpike's merged gk_proj costs h*kv instead of h*r + r*kv */
    struct ax_model_macs w;
    ax_model_macs_per_token(&c, AX_MODEL_VARIANT_W8ASPIKE, 1, &w);
    CHECK(w.linear - m.linear == 14ull * (3584 * 512 - (3584 * 16 + 16 * 512)));
    ax_model_config_free(&c);

    load(config_76b, &c);
    static const uint64_t want_76b[] = {11875741696ull, 12697624576ull, 13519708160ull,
                                        16338280448ull};
    for (int i = 0; i < 4; i++) {
        ax_model_macs_per_token(&c, AX_MODEL_VARIANT_HYMETA, ctx[i], &m);
        CHECK(m.total == want_76b[i]);
    }
    ax_model_config_free(&c);
}

AX_TEST_MAIN(T(test_7b_config), T(test_76b_config), T(test_defaults), T(test_config_errors),
             T(test_errors_accumulate), T(test_7b_tensors_and_counts),
             T(test_76b_tensors_and_counts), T(test_macs))
