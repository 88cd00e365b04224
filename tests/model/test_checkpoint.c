/* Checkpoint tests: small safetensors checkpoints written here (single file
 * and sharded, bf16, W8ASpike and HyMeta layouts) are validated against
 * their configs, and a corpus of malformed files must each fail cleanly
 * with a message naming the problem. */
#include "model_test_util.h"

#include "ax_mem.h"
#include "ax_model.h"
#include "ax_safetensors.h"
#include "ax_tokenizer.h"

/* A 2-layer gla_swa model (layer 0 GLA, layer 1 SWA), head_dim 128. */
static const char tiny_config[] = "{\n"
                                  "  \"model_type\": \"gla_swa\",\n"
                                  "  \"hidden_size\": 256,\n"
                                  "  \"num_hidden_layers\": 2,\n"
                                  "  \"num_attention_heads\": 2,\n"
                                  "  \"num_key_value_heads\": 1,\n"
                                  "  \"intermediate_size\": 512,\n"
                                  "  \"vocab_size\": 256,\n"
                                  "  \"sliding_window\": 64,\n"
                                  "  \"attn_layers\": [1],\n"
                                  "  \"tokenizer\": \"bytes\"\n"
                                  "}\n";

/* A 2-layer hybrid model: layer 0 LA+SWA with a dense MLP, layer 1 LA+full
 * with 2 experts (top-1) and a shared expert. */
static const char tiny_hybrid_config[] = "{\n"
                                         "  \"model_type\": \"hybrid\",\n"
                                         "  \"hidden_size\": 256,\n"
                                         "  \"num_hidden_layers\": 2,\n"
                                         "  \"num_attention_heads\": 2,\n"
                                         "  \"num_key_value_heads\": 1,\n"
                                         "  \"intermediate_size\": 256,\n"
                                         "  \"shared_intermediate_size\": 128,\n"
                                         "  \"vocab_size\": 300,\n"
                                         "  \"num_meta_tokens\": 4,\n"
                                         "  \"num_local_experts\": 2,\n"
                                         "  \"num_experts_per_topk\": 1,\n"
                                         "  \"full_attn_layers\": [1],\n"
                                         "  \"dense_mlp_layers\": [0]\n"
                                         "}\n";

/* The tensors of `config_text` stored as `variant`, as writer entries
 * (parameters in `dtype`, scales in F32), an entry standing for every
 * routed expert expanded to one a copy. Returns the count; *out is
 * malloc'ed, names point into `list` (keep it alive). */
static size_t entries_for(const char *config_text, enum ax_model_variant variant, const char *dtype,
                          struct ax_model_config *cfg, struct ax_model_tensor_list *list,
                          struct st_entry **out)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    if (ax_model_config_parse("config.json", config_text, strlen(config_text), cfg, &d) != AX_OK ||
        ax_model_expected_tensors(cfg, variant, list, &d) != AX_OK) {
        dump_diags(&d);
        abort();
    }
    ax_diag_list_free(&d);
    size_t n = 0;
    for (uint32_t i = 0; i < list->n_items; i++)
        n += list->items[i].n_copies;
    struct st_entry *e = calloc(n, sizeof *e);
    size_t k = 0;
    for (uint32_t i = 0; i < list->n_items; i++) {
        const struct ax_model_tensor *t = &list->items[i];
        for (uint32_t c = 0; c < t->n_copies; c++, k++) {
            char name[256];
            e[k].name =
                c ? ax_arena_strdup(&list->arena, ax_model_tensor_name(t, c, name, sizeof name))
                  : t->name;
            e[k].dtype = t->is_scale ? "F32" : dtype;
            e[k].n_dims = t->n_dims;
            memcpy(e[k].shape, t->shape, sizeof t->shape);
        }
    }
    *out = e;
    return n;
}

/* Opens `dir` as a model and returns the status; on failure checks that
 * nothing is returned. */
static ax_status open_model(const char *dir, struct ax_model **m, struct ax_diag_list *d)
{
    ax_status st = ax_model_open(dir, m, d);
    if (st != AX_OK)
        CHECK(*m == NULL);
    return st;
}

/* ---- valid checkpoints --------------------------------------------------- */

static void test_shape_only(void)
{
    char *dir = scratch_dir("shape");
    write_text(dir, "config.json", tiny_config);
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_model *m = NULL;
    CHECK(open_model(dir, &m, &d) == AX_OK);
    CHECK(d.n_errors == 0 && d.n_warnings == 0);
    CHECK(m && m->weights == NULL && m->variant == AX_MODEL_VARIANT_BF16);
    CHECK(m && m->tokenizer && ax_tok_kind(m->tokenizer) == AX_TOK_KIND_BYTES);
    ax_model_close(m);
    ax_diag_list_free(&d);
    remove_dir(dir);
}

static void test_bf16_single_file(void)
{
    char *dir = scratch_dir("bf16");
    write_text(dir, "config.json", tiny_config);
    struct ax_model_config cfg;
    struct ax_model_tensor_list list;
    struct st_entry *e;
    size_t n = entries_for(tiny_config, AX_MODEL_VARIANT_BF16, "BF16", &cfg, &list, &e);
    char path[1024];
    join(path, sizeof path, dir, "model.safetensors");
    st_write(path, e, n);

    /* the file on its own */
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_st_checkpoint *ck = NULL;
    CHECK(ax_st_open_file(path, &ck, &d) == AX_OK);
    CHECK(ck && ck->n_tensors == n && ck->n_shards == 1 && !ck->is_sharded);
    const struct ax_st_tensor *t = ax_st_find(ck, "model.layers.0.attn.gk_proj.0.weight");
    CHECK(t && t->dtype == AX_ST_DTYPE_BF16 && t->n_dims == 2 && t->shape[0] == 16 &&
          t->shape[1] == 256 && t->n_bytes == 16 * 256 * 2);
    /* the data pointer lies in the mapping at the header's offset */
    CHECK(t && (const unsigned char *)t->data ==
                   ck->shards[0].map + 8 + ck->shards[0].header_len + t->offset);
    CHECK(ax_st_find(ck, "__metadata__") == NULL);
    ax_st_close(ck);

    /* the model directory */
    struct ax_model *m = NULL;
    CHECK(open_model(dir, &m, &d) == AX_OK);
    CHECK(d.n_errors == 0 && d.n_warnings == 0);
    if (d.n_items)
        dump_diags(&d);
    CHECK(m && m->weights && m->variant == AX_MODEL_VARIANT_BF16);
    CHECK(m && m->weights_dtype && strcmp(m->weights_dtype, "BF16") == 0);
    CHECK(m && m->counts.n_params == m->weights->n_data_bytes / 2);
    ax_model_close(m);
    ax_diag_list_free(&d);
    free(e);
    ax_model_tensors_free(&list);
    ax_model_config_free(&cfg);
    remove_dir(dir);
}

/* Writes the tiny model as W8ASpike in two F32 shards with an index; returns
 * the number of tensors and their bytes through *n_out, *total_out. */
static void build_w8_sharded(const char *dir, size_t *n_out, uint64_t *total_out)
{
    write_text(dir, "config.json", tiny_config);
    struct ax_model_config cfg;
    struct ax_model_tensor_list list;
    struct st_entry *e;
    size_t n = entries_for(tiny_config, AX_MODEL_VARIANT_W8ASPIKE, "F32", &cfg, &list, &e);
    size_t half = n / 2;
    char path[1024];
    join(path, sizeof path, dir, "model-00001-of-00002.safetensors");
    st_write(path, e, half);
    join(path, sizeof path, dir, "model-00002-of-00002.safetensors");
    st_write(path, e + half, n - half);
    struct strbuf idx = {0};
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += st_entry_bytes(&e[i]);
    sb_printf(&idx, "{\n  \"metadata\": {\"total_size\": %llu},\n  \"weight_map\": {\n",
              (unsigned long long)total);
    for (size_t i = 0; i < n; i++)
        sb_printf(&idx, "    \"%s\": \"model-0000%d-of-00002.safetensors\"%s\n", e[i].name,
                  i < half ? 1 : 2, i + 1 < n ? "," : "");
    sb_printf(&idx, "  }\n}\n");
    write_text(dir, "model.safetensors.index.json", idx.s);
    free(idx.s);
    free(e);
    ax_model_tensors_free(&list);
    ax_model_config_free(&cfg);
    *n_out = n;
    *total_out = total;
}

static void test_w8aspike_sharded(void)
{
    char *dir = scratch_dir("w8");
    size_t n;
    uint64_t total;
    build_w8_sharded(dir, &n, &total);
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_model *m = NULL;
    CHECK(open_model(dir, &m, &d) == AX_OK);
    CHECK(d.n_errors == 0 && d.n_warnings == 0);
    if (d.n_items)
        dump_diags(&d);
    CHECK(m && m->variant == AX_MODEL_VARIANT_W8ASPIKE);
    CHECK(m && m->weights->n_shards == 2 && m->weights->is_sharded);
    CHECK(m && m->weights->n_tensors == n && m->weights->n_data_bytes == total);
    CHECK(m && strcmp(m->weights_dtype, "F32") == 0);
    const struct ax_st_tensor *t =
        m ? ax_st_find(m->weights, "model.layers.1.mlp.down_proj.weight_quantizer.scales") : NULL;
    CHECK(t && t->n_dims == 3 && t->shape[0] == 256 && t->shape[1] == 4 && t->shape[2] == 1);
    ax_model_close(m);
    ax_diag_list_free(&d);
    remove_dir(dir);
}

static void test_hybrid_checkpoint(void)
{
    char *dir = scratch_dir("hybrid");
    write_text(dir, "config.json", tiny_hybrid_config);
    struct ax_model_config cfg;
    struct ax_model_tensor_list list;
    struct st_entry *e;
    size_t n = entries_for(tiny_hybrid_config, AX_MODEL_VARIANT_HYMETA, "F16", &cfg, &list, &e);
    char path[1024];
    join(path, sizeof path, dir, "model.safetensors");
    st_write(path, e, n);
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_model *m = NULL;
    CHECK(open_model(dir, &m, &d) == AX_OK);
    CHECK(d.n_errors == 0 && d.n_warnings == 0);
    CHECK(m && m->variant == AX_MODEL_VARIANT_HYMETA && strcmp(m->weights_dtype, "F16") == 0);
    /* active: everything but one of the two experts of layer 1 */
    uint64_t expert = 3ull * 256 * 256;
    CHECK(m && m->counts.n_params - m->counts.n_active_params == expert);
    CHECK(m && m->config.layers[1].mixer == AX_MODEL_MIXER_LA_FULL &&
          m->config.layers[1].ffn == AX_MODEL_FFN_MOE);
    ax_model_close(m);
    ax_diag_list_free(&d);
    free(e);
    ax_model_tensors_free(&list);
    ax_model_config_free(&cfg);
    remove_dir(dir);
}

/* A routed expert's tensor missing: the first absent expert is named with
 * the message of any missing tensor, the others counted in one more line,
 * and an expert the config does not declare is an unexpected tensor. */
static void test_missing_expert_tensors(void)
{
    static const char config4[] = "{\n"
                                  "  \"model_type\": \"hybrid\",\n"
                                  "  \"hidden_size\": 256,\n"
                                  "  \"num_hidden_layers\": 2,\n"
                                  "  \"num_attention_heads\": 2,\n"
                                  "  \"num_key_value_heads\": 1,\n"
                                  "  \"intermediate_size\": 256,\n"
                                  "  \"vocab_size\": 300,\n"
                                  "  \"num_meta_tokens\": 4,\n"
                                  "  \"num_local_experts\": 4,\n"
                                  "  \"full_attn_layers\": [1],\n"
                                  "  \"dense_mlp_layers\": [0]\n"
                                  "}\n";
    char *dir = scratch_dir("experts");
    write_text(dir, "config.json", config4);
    struct ax_model_config cfg;
    struct ax_model_tensor_list list;
    struct st_entry *e;
    size_t n = entries_for(config4, AX_MODEL_VARIANT_HYMETA, "BF16", &cfg, &list, &e);
    /* drop experts 1 and 3's down_proj, rename expert 2's up_proj to 4's */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(e[i].name, "model.layers.1.block_sparse_moe.experts.1.down_proj.weight") == 0 ||
            strcmp(e[i].name, "model.layers.1.block_sparse_moe.experts.3.down_proj.weight") == 0)
            continue;
        if (strcmp(e[i].name, "model.layers.1.block_sparse_moe.experts.2.up_proj.weight") == 0)
            e[i].name = "model.layers.1.block_sparse_moe.experts.4.up_proj.weight";
        e[k++] = e[i];
    }
    CHECK(k == n - 2);
    char path[1024];
    join(path, sizeof path, dir, "model.safetensors");
    st_write(path, e, k);
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_model *m = NULL;
    CHECK(open_model(dir, &m, &d) == AX_ERR_INVALID);
    CHECK(has_diag(&d, AX_DIAG_ERROR,
                   "missing tensor 'model.layers.1.block_sparse_moe.experts.1.down_proj.weight' "
                   "(expected shape [256, 256])"));
    CHECK(has_diag(&d, AX_DIAG_ERROR,
                   "missing tensor 'model.layers.1.block_sparse_moe.experts.<e>.down_proj.weight' "
                   "for 1 more of the 4 experts"));
    CHECK(has_diag(&d, AX_DIAG_ERROR,
                   "missing tensor 'model.layers.1.block_sparse_moe.experts.2.up_proj.weight' "
                   "(expected shape [256, 256])"));
    CHECK(has_diag(&d, AX_DIAG_WARNING,
                   "unexpected tensor 'model.layers.1.block_sparse_moe.experts.4.up_proj.weight'"));
    CHECK(d.n_errors == 3 && d.n_warnings == 1);
    ax_diag_list_free(&d);
    free(e);
    ax_model_tensors_free(&list);
    ax_model_config_free(&cfg);
    remove_dir(dir);
}

/* An extra tensor is a warning; the checkpoint still validates. */
static void test_extra_tensor_warns(void)
{
    char *dir = scratch_dir("extra");
    write_text(dir, "config.json", tiny_config);
    struct ax_model_config cfg;
    struct ax_model_tensor_list list;
    struct st_entry *e;
    size_t n = entries_for(tiny_config, AX_MODEL_VARIANT_BF16, "BF16", &cfg, &list, &e);
    e = realloc(e, (n + 1) * sizeof *e);
    e[n] = (struct st_entry){"model.rotary.inv_freq", "F32", 1, {64}};
    char path[1024];
    join(path, sizeof path, dir, "model.safetensors");
    st_write(path, e, n + 1);
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_model *m = NULL;
    CHECK(open_model(dir, &m, &d) == AX_OK);
    CHECK(d.n_errors == 0 && d.n_warnings == 1);
    CHECK(has_diag(&d, AX_DIAG_WARNING, "unexpected tensor 'model.rotary.inv_freq' [64] F32"));
    CHECK(m && m->n_unexpected == 1);
    ax_model_close(m);
    ax_diag_list_free(&d);
    free(e);
    ax_model_tensors_free(&list);
    ax_model_config_free(&cfg);
    remove_dir(dir);
}

/* ---- malformed files ----------------------------------------------------- */

/* One case of the corpus: build files in `dir`, then open. */
struct bad_case {
    const char *name;
    void (*build)(const char *dir);
    int is_model;        /* open the directory as a model, else model.safetensors alone */
    const char *message; /* a substring of an error diagnostic */
};

static void build_empty(const char *dir)
{
    write_text(dir, "model.safetensors", "");
}

static void build_short(const char *dir)
{
    char p[1024];
    join(p, sizeof p, dir, "model.safetensors");
    write_bytes(p, "\x10\0\0\0\0", 5);
}

static void put_len(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void build_len_past_end(const char *dir)
{
    unsigned char buf[8 + 16];
    put_len(buf, 1000);
    memcpy(buf + 8, "{\"a\":1}         ", 16);
    char p[1024];
    join(p, sizeof p, dir, "model.safetensors");
    write_bytes(p, buf, sizeof buf);
}

static void build_len_over_limit(const char *dir)
{
    unsigned char buf[8 + 8];
    put_len(buf, 200000000ull);
    memcpy(buf + 8, "{}      ", 8);
    char p[1024];
    join(p, sizeof p, dir, "model.safetensors");
    write_bytes(p, buf, sizeof buf);
}

static void write_header_only(const char *dir, const char *header, uint64_t data_size)
{
    char p[1024];
    join(p, sizeof p, dir, "model.safetensors");
    st_write_raw(p, header, data_size);
}

static void build_bad_json(const char *dir)
{
    write_header_only(
        dir, "{\"w\": {\"dtype\": \"F32\",\n \"shape\": [2] \"data_offsets\": [0, 8]}}", 8);
}

static void build_not_object(const char *dir)
{
    write_header_only(dir, "[1, 2, 3]", 0);
}

static void build_duplicate_key(const char *dir)
{
    write_header_only(dir,
                      "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                      "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                      8);
}

static void build_offsets_out_of_range(const char *dir)
{
    write_header_only(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 16);
}

static void build_overlap(const char *dir)
{
    write_header_only(dir,
                      "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                      "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}",
                      24);
}

static void build_size_mismatch(const char *dir)
{
    write_header_only(
        dir, "{\"w\":{\"dtype\":\"BF16\",\"shape\":[16,16],\"data_offsets\":[0,256]}}", 256);
}

static void build_unknown_dtype(const char *dir)
{
    write_header_only(dir, "{\"w\":{\"dtype\":\"Q4\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
}

static void build_unsupported_dtype(const char *dir)
{
    write_header_only(dir, "{\"w\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
}

static void build_reversed_offsets(const char *dir)
{
    write_header_only(dir, "{\"w\":{\"dtype\":\"I8\",\"shape\":[0],\"data_offsets\":[5,0]}}", 8);
}

static void build_negative_dim(const char *dir)
{
    write_header_only(dir, "{\"w\":{\"dtype\":\"I8\",\"shape\":[-4],\"data_offsets\":[0,4]}}", 4);
}

static void build_missing_dtype(const char *dir)
{
    write_header_only(dir, "{\"w\":{\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
}

/* A valid tiny checkpoint whose file is then cut short in the data area. */
static void build_truncated_data(const char *dir)
{
    struct st_entry e[] = {{"a", "F32", 2, {8, 8}}, {"b", "F32", 1, {8}}};
    uint64_t data_size;
    char *h = st_header(e, 2, &data_size);
    write_header_only(dir, h, data_size - 20);
    free(h);
}

/* The tiny model with one tensor changed by `edit`. */
static void build_model_edited(const char *dir, const char *name, const char *dtype,
                               uint32_t n_dims, uint64_t d0, uint64_t d1, int is_w8)
{
    write_text(dir, "config.json", tiny_config);
    struct ax_model_config cfg;
    struct ax_model_tensor_list list;
    struct st_entry *e;
    size_t n = entries_for(tiny_config, is_w8 ? AX_MODEL_VARIANT_W8ASPIKE : AX_MODEL_VARIANT_BF16,
                           "BF16", &cfg, &list, &e);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(e[i].name, name) == 0) {
            if (!dtype)
                continue; /* drop it */
            e[i].dtype = dtype;
            e[i].n_dims = n_dims;
            e[i].shape[0] = d0;
            e[i].shape[1] = d1;
        }
        e[w++] = e[i];
    }
    char p[1024];
    join(p, sizeof p, dir, "model.safetensors");
    st_write(p, e, w);
    free(e);
    ax_model_tensors_free(&list);
    ax_model_config_free(&cfg);
}

static void build_wrong_shape(const char *dir)
{
    build_model_edited(dir, "model.layers.0.attn.q_proj.weight", "BF16", 2, 256, 128, 0);
}

static void build_wrong_rank(const char *dir)
{
    build_model_edited(dir, "model.norm.weight", "BF16", 2, 1, 256, 0);
}

static void build_wrong_dtype(const char *dir)
{
    build_model_edited(dir, "model.layers.1.mlp.up_proj.weight", "I8", 2, 512, 256, 0);
}

static void build_scale_not_f32(const char *dir)
{
    /* scales keep [out, in/128, 1]; only the dtype changes */
    write_text(dir, "config.json", tiny_config);
    struct ax_model_config cfg;
    struct ax_model_tensor_list list;
    struct st_entry *e;
    size_t n = entries_for(tiny_config, AX_MODEL_VARIANT_W8ASPIKE, "F32", &cfg, &list, &e);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(e[i].name, "model.layers.0.attn.k_proj.weight_quantizer.scales") == 0)
            e[i].dtype = "BF16";
    }
    char p[1024];
    join(p, sizeof p, dir, "model.safetensors");
    st_write(p, e, n);
    free(e);
    ax_model_tensors_free(&list);
    ax_model_config_free(&cfg);
}

static void build_missing_tensor(const char *dir)
{
    build_model_edited(dir, "model.norm.weight", NULL, 0, 0, 0, 0);
}

static void build_bad_config_json(const char *dir)
{
    write_text(dir, "config.json",
               "{\n  \"model_type\": \"gla_swa\",\n  \"hidden_size\": 256,,\n}\n");
}

static void build_no_config(const char *dir)
{
    write_text(dir, "README", "no config here\n");
}

/* A sharded checkpoint: shard 1 holds "a"; the index names `shard2` for "b". */
static void build_index(const char *dir, const char *index_text, int write_shard2)
{
    write_text(dir, "config.json", tiny_config);
    struct st_entry a = {"a", "F32", 1, {4}}, b = {"b", "F32", 1, {4}};
    char p[1024];
    join(p, sizeof p, dir, "model-00001-of-00002.safetensors");
    st_write(p, &a, 1);
    if (write_shard2) {
        join(p, sizeof p, dir, "model-00002-of-00002.safetensors");
        st_write(p, &b, 1);
    }
    write_text(dir, "model.safetensors.index.json", index_text);
}

static void build_missing_shard(const char *dir)
{
    build_index(dir,
                "{\"weight_map\": {\n"
                "  \"a\": \"model-00001-of-00002.safetensors\",\n"
                "  \"b\": \"model-00002-of-00002.safetensors\"\n"
                "}}\n",
                0);
}

static void build_absent_from_shard(const char *dir)
{
    build_index(dir,
                "{\"weight_map\": {\n"
                "  \"a\": \"model-00001-of-00002.safetensors\",\n"
                "  \"c\": \"model-00002-of-00002.safetensors\"\n"
                "}}\n",
                1);
}

static void build_bad_index_json(const char *dir)
{
    build_index(dir, "{\"weight_map\": {\n  \"a\": model-00001\n}}\n", 1);
}

static void build_index_path_escape(const char *dir)
{
    build_index(dir, "{\"weight_map\": {\"a\": \"../model-00001-of-00002.safetensors\"}}\n", 1);
}

static void build_index_no_weight_map(const char *dir)
{
    build_index(dir, "{\"metadata\": {\"total_size\": 16},\n \"weight_map\": [\"a\"]}\n", 1);
}

static void build_stray_shards(const char *dir)
{
    write_text(dir, "config.json", tiny_config);
    struct st_entry a = {"a", "F32", 1, {4}};
    char p[1024];
    join(p, sizeof p, dir, "model-00001-of-00002.safetensors");
    st_write(p, &a, 1);
}

static void build_w8_bad_group(const char *dir)
{
    /* hidden 192 cannot be split in groups of 128 */
    write_text(dir, "config.json",
               "{\"model_type\": \"gla_swa\", \"hidden_size\": 192, \"num_hidden_layers\": 1,\n"
               " \"num_attention_heads\": 2, \"num_key_value_heads\": 1,\n"
               " \"intermediate_size\": 256, \"vocab_size\": 256}\n");
    struct st_entry e = {"model.layers.0.attn.gk_proj.weight", "F32", 2, {96, 192}};
    char p[1024];
    join(p, sizeof p, dir, "model.safetensors");
    st_write(p, &e, 1);
}

static void build_tokenizer_too_big(const char *dir)
{
    write_text(dir, "config.json",
               "{\"model_type\": \"gla_swa\", \"hidden_size\": 256, \"num_hidden_layers\": 1,\n"
               " \"num_attention_heads\": 2, \"num_key_value_heads\": 1,\n"
               " \"intermediate_size\": 256, \"vocab_size\": 100, \"tokenizer\": \"bytes\"}\n");
}

static const struct bad_case bad_cases[] = {
    {"empty file", build_empty, 0, "empty file; a safetensors file starts with"},
    {"shorter than 8 bytes", build_short, 0, "truncated: 5 bytes"},
    {"header length past the end", build_len_past_end, 0,
     "header length 1000 runs past the end of the file (16 bytes after the length field)"},
    {"header length over the limit", build_len_over_limit, 0,
     "header length 200000000 exceeds the limit of 100000000 bytes"},
    {"bad JSON in the header", build_bad_json, 0, "invalid JSON header at line 2, column"},
    {"header not an object", build_not_object, 0, "the JSON header must be an object, found array"},
    {"duplicate tensor name", build_duplicate_key, 0, "duplicate object key"},
    {"offsets out of range", build_offsets_out_of_range, 0,
     "tensor 'w': data_offsets [8, 24] run past the end of the data area (16 bytes)"},
    {"overlapping offsets", build_overlap, 0,
     "tensors 'a' (bytes 0 to 16) and 'b' (bytes 8 to 24) overlap"},
    {"size and shape disagree", build_size_mismatch, 0,
     "tensor 'w': shape [16, 16] of BF16 needs 512 bytes but data_offsets [0, 256] hold 256"},
    {"unknown dtype", build_unknown_dtype, 0, "tensor 'w': unknown dtype 'Q4'"},
    {"unsupported dtype", build_unsupported_dtype, 0, "tensor 'w': dtype I64 is not supported"},
    {"reversed offsets", build_reversed_offsets, 0, "'data_offsets' must be [begin, end]"},
    {"negative dimension", build_negative_dim, 0, "shape entry 0 is not a non-negative integer"},
    {"missing dtype", build_missing_dtype, 0, "tensor 'w': missing or non-string 'dtype'"},
    {"truncated data", build_truncated_data, 0, "run past the end of the data area"},
    {"wrong shape", build_wrong_shape, 1,
     "tensor 'model.layers.0.attn.q_proj.weight': expected shape [256, 256], found [256, 128]"},
    {"wrong rank", build_wrong_rank, 1,
     "tensor 'model.norm.weight': expected shape [256], found [1, 256]"},
    {"wrong dtype", build_wrong_dtype, 1,
     "tensor 'model.layers.1.mlp.up_proj.weight': dtype I8; parameters must be F32, BF16 or F16"},
    {"scale not F32", build_scale_not_f32, 1,
     "'model.layers.0.attn.k_proj.weight_quantizer.scales': dtype BF16; quantizer scales must be "
     "F32"},
    {"missing tensor", build_missing_tensor, 1,
     "missing tensor 'model.norm.weight' (expected shape [256])"},
    {"bad JSON in config.json", build_bad_config_json, 1, "config.json:3:22: error: invalid JSON"},
    {"no config.json", build_no_config, 1, "no config.json; a model directory holds"},
    {"index names a missing shard", build_missing_shard, 1,
     "shard 'model-00002-of-00002.safetensors', named for 1 tensor such as 'b', is missing"},
    {"tensor absent from its shard", build_absent_from_shard, 1,
     "model.safetensors.index.json:3:3: error: tensor 'c' is mapped to shard "
     "'model-00002-of-00002.safetensors', which does not hold it"},
    {"bad JSON in the index", build_bad_index_json, 1, "model.safetensors.index.json:2:"},
    {"shard outside the directory", build_index_path_escape, 1,
     "tensor 'a': the shard must be a file name in the index's directory"},
    {"weight_map not an object", build_index_no_weight_map, 1,
     "model.safetensors.index.json:2:2: error: 'weight_map' must be an object"},
    {"shards without an index", build_stray_shards, 1,
     "holds 'model-00001-of-00002.safetensors' but neither model.safetensors nor"},
    {"W8ASpike with ungroupable sizes", build_w8_bad_group, 1,
     "a W8ASpike checkpoint needs hidden_size (192)"},
    {"tokenizer larger than the vocabulary", build_tokenizer_too_big, 1,
     "the bytes tokenizer has 256 token ids but vocab_size is 100"},
};

static void test_malformed_corpus(void)
{
    size_t n = sizeof bad_cases / sizeof bad_cases[0];
    CHECK(n >= 15);
    for (size_t i = 0; i < n; i++) {
        const struct bad_case *c = &bad_cases[i];
        char *dir = scratch_dir("bad");
        c->build(dir);
        struct ax_diag_list d;
        ax_diag_list_init(&d);
        ax_status st;
        /* the out-parameters start non-NULL: a failed open must reset them */
        static struct ax_model model_sentinel;
        static struct ax_st_checkpoint checkpoint_sentinel;
        if (c->is_model) {
            struct ax_model *m = &model_sentinel;
            st = ax_model_open(dir, &m, &d);
            CHECK(m == NULL);
        } else {
            char p[1024];
            join(p, sizeof p, dir, "model.safetensors");
            struct ax_st_checkpoint *ck = &checkpoint_sentinel;
            st = ax_st_open_file(p, &ck, &d);
            CHECK(ck == NULL);
        }
        CHECK(st != AX_OK);
        CHECK(d.n_errors > 0);
        int is_found = has_diag(&d, AX_DIAG_ERROR, c->message);
        CHECK(is_found);
        if (st == AX_OK || !is_found) {
            fprintf(stderr, "case '%s' expected an error with '%s'; got:\n", c->name, c->message);
            dump_diags(&d);
        }
        ax_diag_list_free(&d);
        remove_dir(dir);
    }
}

/* Problems accumulate: one open reports every bad tensor of a header. */
static void test_header_errors_accumulate(void)
{
    char *dir = scratch_dir("acc");
    write_header_only(dir,
                      "{\"a\":{\"dtype\":\"Q4\",\"shape\":[4],\"data_offsets\":[0,4]},"
                      "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]},"
                      "\"c\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,99]}}",
                      16);
    char p[1024];
    join(p, sizeof p, dir, "model.safetensors");
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_st_checkpoint *ck = NULL;
    CHECK(ax_st_open_file(p, &ck, &d) == AX_ERR_PARSE && ck == NULL);
    CHECK(d.n_errors == 3);
    ax_diag_list_free(&d);
    remove_dir(dir);
}

/* Warnings of a sharded checkpoint that still opens. */
static void test_index_warnings(void)
{
    char *dir = scratch_dir("idxwarn");
    build_index(dir,
                "{\"metadata\": {\"total_size\": 999},\n"
                " \"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\"}}\n",
                1);
    char p[1024];
    join(p, sizeof p, dir, "model.safetensors.index.json");
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_st_checkpoint *ck = NULL;
    CHECK(ax_st_open_index(p, &ck, &d) == AX_OK);
    CHECK(ck && ck->n_tensors == 1 && ck->n_shards == 1 && ax_st_find(ck, "a"));
    CHECK(
        has_diag(&d, AX_DIAG_WARNING, "metadata.total_size is 999 but the listed tensors hold 16"));
    ax_st_close(ck);
    ax_diag_list_free(&d);

    /* a shard holding a tensor the index does not list */
    remove_dir(dir);
    dir = scratch_dir("idxwarn");
    struct st_entry ab[] = {{"a", "F32", 1, {4}}, {"z", "I8", 1, {3}}};
    join(p, sizeof p, dir, "s1.safetensors");
    st_write(p, ab, 2);
    write_text(dir, "model.safetensors.index.json",
               "{\"weight_map\": {\"a\": \"s1.safetensors\"}}");
    join(p, sizeof p, dir, "model.safetensors.index.json");
    ax_diag_list_init(&d);
    CHECK(ax_st_open_index(p, &ck, &d) == AX_OK);
    CHECK(has_diag(&d, AX_DIAG_WARNING, "holds tensor 'z', which the index does not list"));
    CHECK(ck && ck->n_tensors == 1);
    ax_st_close(ck);
    ax_diag_list_free(&d);
    remove_dir(dir);
}

static void test_variant_detection(void)
{
    struct ax_model_config cfg;
    struct ax_model_tensor_list list;
    struct st_entry *e;
    entries_for(tiny_config, AX_MODEL_VARIANT_BF16, "BF16", &cfg, &list, &e);
    CHECK(ax_model_detect_variant(&cfg, NULL) == AX_MODEL_VARIANT_BF16);
    free(e);
    ax_model_tensors_free(&list);
    ax_model_config_free(&cfg);

    char *dir = scratch_dir("variant");
    struct st_entry merged = {"model.layers.0.attn.gk_proj.weight", "F32", 2, {128, 256}};
    char p[1024];
    join(p, sizeof p, dir, "model.safetensors");
    st_write(p, &merged, 1);
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_st_checkpoint *ck = NULL;
    CHECK(ax_st_open_file(p, &ck, &d) == AX_OK);
    struct ax_model_config c2;
    CHECK(ax_model_config_parse("config.json", tiny_config, strlen(tiny_config), &c2, &d) == AX_OK);
    CHECK(ax_model_detect_variant(&c2, ck) == AX_MODEL_VARIANT_W8ASPIKE);
    ax_model_config_free(&c2);
    ax_st_close(ck);
    ax_diag_list_free(&d);
    remove_dir(dir);
}

/* Every allocation of opening a sharded checkpoint can fail: the open then
 * fails with a status and leaks nothing (the sanitizer build checks). */
static void test_allocation_failures(void)
{
    char *dir = scratch_dir("oom");
    size_t n;
    uint64_t total;
    build_w8_sharded(dir, &n, &total);
    int is_done = 0;
    for (long k = 0; k < 100000 && !is_done; k++) {
        struct ax_diag_list d;
        ax_diag_list_init(&d); /* allocates nothing yet */
        struct ax_model *m = NULL;
        ax_test_allocs_left = k;
        ax_mem_set_hook(ax_test_failing_alloc, NULL);
        ax_status st = ax_model_open(dir, &m, &d);
        ax_mem_set_hook(NULL, NULL);
        if (st == AX_OK) {
            is_done = 1;
            CHECK(k > 10 && m && m->weights->n_tensors == n);
        } else {
            CHECK(m == NULL);
            if (st != AX_ERR_NOMEM && !d.is_oom) {
                fprintf(stderr, "after %ld allocations: %s\n", k, ax_status_str(st));
                dump_diags(&d);
                CHECK(st == AX_ERR_NOMEM);
            }
        }
        ax_model_close(m);
        ax_diag_list_free(&d);
    }
    CHECK(is_done);
    remove_dir(dir);
}

static void test_format_shape(void)
{
    char buf[64];
    uint64_t s[] = {3584, 148, 1};
    CHECK_STR(ax_st_format_shape(s, 3, buf, sizeof buf), "[3584, 148, 1]");
    CHECK_STR(ax_st_format_shape(s, 0, buf, sizeof buf), "[]");
    CHECK_STR(ax_st_format_shape(s, 3, buf, 6), "[3584");
    CHECK_STR(ax_st_dtype_str(AX_ST_DTYPE_BF16), "BF16");
    CHECK(ax_st_dtype_size(AX_ST_DTYPE_F32) == 4 && ax_st_dtype_size(AX_ST_DTYPE_I8) == 1);
}

AX_TEST_MAIN(T(test_shape_only), T(test_bf16_single_file), T(test_w8aspike_sharded),
             T(test_hybrid_checkpoint), T(test_missing_expert_tensors), T(test_extra_tensor_warns),
             T(test_malformed_corpus), T(test_header_errors_accumulate), T(test_index_warnings),
             T(test_variant_detection), T(test_allocation_failures), T(test_format_shape))
