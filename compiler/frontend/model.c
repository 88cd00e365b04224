/* A model directory: config.json, optional weights validated against it,
 * optional tokenizer. */
#define _POSIX_C_SOURCE 200809L
#include "ax_model.h"

#include "ax_mem.h"
#include "ax_tokenizer.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* dir + "/" + name in the model's arena, or NULL. */
static const char *in_dir(struct ax_model *m, const char *name)
{
    size_t n = strlen(m->dir) + strlen(name) + 2;
    char *p = ax_arena_alloc(&m->arena, n);
    if (p)
        snprintf(p, n, "%s/%s", m->dir, name);
    return p;
}

/* Loads the tokenizer the directory names, if any, and checks it against
 * vocab_size. */
static ax_status open_tokenizer(struct ax_model *m, struct ax_diag_list *diags)
{
    const struct ax_model_config *c = &m->config;
    const char *vocab = in_dir(m, "vocab.json"), *merges = in_dir(m, "merges.txt");
    if (!vocab || !merges)
        return AX_ERR_NOMEM;
    ax_status st = AX_OK;
    if (c->tokenizer) /* "bytes", the only name the config reader accepts */
        st = ax_tok_new_bytes(&m->tokenizer);
    else if (exists(vocab) && exists(merges))
        st = ax_tok_load_bpe(vocab, merges, &m->tokenizer, diags);
    else if (exists(vocab) || exists(merges))
        ax_diag_add(diags, AX_DIAG_WARNING, m->dir, 0, 0, "has %s but not %s; no tokenizer loaded",
                    exists(vocab) ? "vocab.json" : "merges.txt",
                    exists(vocab) ? "merges.txt" : "vocab.json");
    if (st != AX_OK || !m->tokenizer)
        return st;
    if (ax_tok_vocab_size(m->tokenizer) > c->vocab_size) {
        ax_diag_add(diags, AX_DIAG_ERROR, c->path, 0, 0,
                    "the %s tokenizer has %u token ids but vocab_size is %u",
                    ax_tok_kind_str(ax_tok_kind(m->tokenizer)), ax_tok_vocab_size(m->tokenizer),
                    c->vocab_size);
        return AX_ERR_INVALID;
    }
    return AX_OK;
}

static ax_status open_model(struct ax_model *m, struct ax_diag_list *diags)
{
    const char *config = in_dir(m, "config.json");
    if (!config)
        return AX_ERR_NOMEM;
    if (!exists(config)) {
        ax_diag_add(diags, AX_DIAG_ERROR, m->dir, 0, 0,
                    "no config.json; a model directory holds config.json and, optionally, "
                    "model.safetensors or model.safetensors.index.json with its shards");
        return AX_ERR_IO;
    }
    ax_status st = ax_model_config_load(config, &m->config, diags);
    if (st != AX_OK)
        return st;
    st = ax_st_open_dir(m->dir, &m->weights, diags);
    if (st != AX_OK)
        return st;
    m->variant = ax_model_detect_variant(&m->config, m->weights);
    st = ax_model_expected_tensors(&m->config, m->variant, &m->expected, diags);
    if (st != AX_OK)
        return st;
    if (m->weights) {
        st = ax_model_validate_weights(m->weights, &m->expected, &m->n_unexpected,
                                       &m->weights_dtype, diags);
        if (st != AX_OK)
            return st;
    }
    ax_model_count_params(&m->config, &m->expected, &m->counts);
    return open_tokenizer(m, diags);
}

ax_status ax_model_open(const char *dir, struct ax_model **out, struct ax_diag_list *diags)
{
    *out = NULL;
    struct ax_model *m = ax_mem_calloc(1, sizeof *m);
    if (!m)
        return AX_ERR_NOMEM;
    ax_arena_init(&m->arena, 0);
    /* keep the name as given, without trailing slashes */
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    m->dir = ax_arena_strndup(&m->arena, dir, n);
    ax_status st = m->dir ? open_model(m, diags) : AX_ERR_NOMEM;
    if (st != AX_OK) {
        ax_model_close(m);
        return st;
    }
    *out = m;
    return AX_OK;
}

void ax_model_close(struct ax_model *m)
{
    if (!m)
        return;
    ax_tok_free(m->tokenizer);
    ax_st_close(m->weights);
    ax_model_tensors_free(&m->expected);
    ax_model_config_free(&m->config);
    ax_arena_free(&m->arena);
    ax_mem_free(m);
}
