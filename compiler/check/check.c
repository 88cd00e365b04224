/* The program's weights from the checkpoint, and a program run through the
 * executor (ax_check.h). */
#include "ax_check.h"

#include "ax_mem.h"
#include "ax_model.h"
#include "ax_ref.h"
#include "ax_safetensors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ax_check_weights {
    const struct ax_model *m;
    /* the last quantized tensor: codes [rows][cols], scales [rows][cols / 128] */
    char *name;
    uint32_t rows, cols;
    int16_t *codes;
    float *scales;
};

static void forget(struct ax_check_weights *w)
{
    ax_mem_free(w->name);
    ax_mem_free(w->codes);
    ax_mem_free(w->scales);
    w->name = NULL;
    w->codes = NULL;
    w->scales = NULL;
}

void ax_check_weights_close(ax_check_weights_t *w)
{
    if (!w)
        return;
    forget(w);
    ax_mem_free(w);
}

/* Tensor `name` as rows x cols (a 1-D tensor is one row) converted to f32. */
static ax_status load(const struct ax_model *m, const char *name, uint32_t *rows, uint32_t *cols,
                      float **out, struct ax_diag_list *diags)
{
    *out = NULL;
    const struct ax_st_tensor *t = ax_st_find(m->weights, name);
    if (!t || t->n_dims < 1 || t->n_dims > 2) {
        ax_diag_add(diags, AX_DIAG_ERROR, m->dir, 0, 0,
                    t ? "tensor '%s' is neither a vector nor a matrix" : "tensor '%s' is missing",
                    name);
        return AX_ERR_INVALID;
    }
    uint64_t r = t->n_dims == 2 ? t->shape[0] : 1, c = t->shape[t->n_dims - 1];
    if (r > UINT32_MAX || c > UINT32_MAX) {
        ax_diag_add(diags, AX_DIAG_ERROR, m->dir, 0, 0, "tensor '%s' is too large", name);
        return AX_ERR_LIMIT;
    }
    float *x = ax_mem_alloc((size_t)(r * c > 0 ? r * c : 1) * sizeof *x);
    if (!x)
        return AX_ERR_NOMEM;
    ax_status st = ax_ref_tensor_to_f32(t, x, r * c);
    if (st != AX_OK) {
        ax_diag_add(diags, AX_DIAG_ERROR, m->dir, 0, 0, "tensor '%s': dtype %s cannot be read as float",
                    name, ax_st_dtype_str(t->dtype));
        ax_mem_free(x);
        return st;
    }
    *rows = (uint32_t)r;
    *cols = (uint32_t)c;
    *out = x;
    return AX_OK;
}

/* Makes `name` the quantized tensor held: the checkpoint's stored scales
 * when it has them (a W8ASpike checkpoint), else the reference's
 * quantization of the float weights, as compiler/ref/ref_weights.c does. */
static ax_status quantized(struct ax_check_weights *w, const char *name, struct ax_diag_list *diags)
{
    if (w->name && strcmp(w->name, name) == 0)
        return AX_OK;
    forget(w);
    uint32_t rows, cols;
    float *x = NULL, *stored = NULL;
    ax_status st = load(w->m, name, &rows, &cols, &x, diags);
    if (st != AX_OK)
        return st;
    /* a last group that is not whole is quantized as if padded with zeros
     * (they change no group's largest magnitude): the reference quantizes
     * whole groups only */
    uint32_t ng = (cols + AX_PROG_GROUP - 1) / AX_PROG_GROUP, padded = ng * AX_PROG_GROUP;
    if (padded != cols) {
        float *xp = ax_mem_calloc((size_t)rows * padded + 1, sizeof *xp);
        if (!xp) {
            ax_mem_free(x);
            return AX_ERR_NOMEM;
        }
        for (uint32_t j = 0; j < rows; j++)
            memcpy(xp + (size_t)j * padded, x + (size_t)j * cols, (size_t)cols * sizeof *xp);
        ax_mem_free(x);
        x = xp;
        cols = padded;
    }
    size_t len = strlen(name);
    char *scale_name = ax_mem_alloc(len + 32);
    w->name = ax_mem_alloc(len + 1);
    w->codes = ax_mem_alloc((size_t)rows * cols * sizeof *w->codes + 1);
    w->scales = ax_mem_alloc((size_t)rows * ng * sizeof *w->scales + 1);
    if (!scale_name || !w->name || !w->codes || !w->scales) {
        ax_mem_free(scale_name);
        ax_mem_free(x);
        forget(w);
        return AX_ERR_NOMEM;
    }
    memcpy(w->name, name, len + 1);
    size_t stem = len > 7 && strcmp(name + len - 7, ".weight") == 0 ? len - 7 : len;
    snprintf(scale_name, len + 32, "%.*s.weight_quantizer.scales", (int)stem, name);
    if (ax_st_find(w->m->weights, scale_name)) {
        uint32_t sr, sc;
        st = load(w->m, scale_name, &sr, &sc, &stored, diags);
        if (st == AX_OK && (uint64_t)sr * sc != (uint64_t)rows * ng) {
            ax_diag_add(diags, AX_DIAG_ERROR, w->m->dir, 0, 0, "tensor '%s' has %llu scales; "
                        "'%s' needs %llu", scale_name, (unsigned long long)sr * sc, name,
                        (unsigned long long)rows * ng);
            st = AX_ERR_INVALID;
        }
        uint64_t n_outside = 0;
        if (st == AX_OK)
            st = ax_ref_codes_from_scales(x, stored, rows, cols, w->codes, &n_outside);
        if (st == AX_OK && n_outside) {
            ax_diag_add(diags, AX_DIAG_ERROR, w->m->dir, 0, 0,
                        "tensor '%s': %llu codes recovered from its scales lie outside int8",
                        name, (unsigned long long)n_outside);
            st = AX_ERR_LIMIT;
        }
        if (st == AX_OK)
            memcpy(w->scales, stored, (size_t)rows * ng * sizeof *w->scales);
    } else {
        ax_ref_quantize(x, rows, cols, w->codes, w->scales);
    }
    ax_mem_free(stored);
    ax_mem_free(scale_name);
    ax_mem_free(x);
    w->rows = rows;
    w->cols = cols;
    if (st != AX_OK)
        forget(w);
    return st;
}

static ax_status fetch(void *user, const struct ax_prog *p, uint32_t id, int8_t *codes,
                       float *scales, float *values, struct ax_diag_list *diags)
{
    struct ax_check_weights *w = user;
    const struct ax_prog_weight *r = &p->weights[id];
    if (values) {
        uint32_t rows, cols;
        float *x = NULL;
        ax_status st = load(w->m, r->tensor, &rows, &cols, &x, diags);
        if (st == AX_OK && rows == 1 && r->rows == 1 && cols > 0) {
            /* a vector repeats over the columns asked for, as the reference
             * repeats a g_norm weight of one group over the heads */
            for (uint32_t i = 0; i < r->cols; i++)
                values[i] = x[(r->col0 + (uint64_t)i) % cols];
            ax_mem_free(x);
            return AX_OK;
        }
        if (st == AX_OK && ((uint64_t)r->row0 + r->rows > rows || (uint64_t)r->col0 + r->cols > cols)) {
            ax_diag_add(diags, AX_DIAG_ERROR, w->m->dir, 0, 0,
                        "weight record %u: rows %u+%u, columns %u+%u lie outside tensor '%s' "
                        "(%u x %u)", id, r->row0, r->rows, r->col0, r->cols, r->tensor, rows, cols);
            st = AX_ERR_INVALID;
        }
        for (uint32_t j = 0; st == AX_OK && j < r->rows; j++)
            memcpy(values + (size_t)j * r->cols, x + (size_t)(r->row0 + j) * cols + r->col0,
                   (size_t)r->cols * sizeof *values);
        ax_mem_free(x);
        return st;
    }
    ax_status st = quantized(w, r->tensor, diags);
    if (st != AX_OK)
        return st;
    if ((uint64_t)r->row0 + r->rows > w->rows || (uint64_t)r->col0 + r->cols > w->cols ||
        r->col0 % AX_PROG_GROUP != 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, w->m->dir, 0, 0,
                    "weight record %u: rows %u+%u, columns %u+%u do not lie inside tensor '%s' "
                    "(%u x %u) on group boundaries", id, r->row0, r->rows, r->col0, r->cols,
                    r->tensor, w->rows, w->cols);
        return AX_ERR_INVALID;
    }
    uint32_t ng = w->cols / AX_PROG_GROUP, rng = (r->cols + AX_PROG_GROUP - 1) / AX_PROG_GROUP;
    for (uint32_t j = 0; j < r->rows; j++) {
        const int16_t *q = w->codes + (size_t)(r->row0 + j) * w->cols + r->col0;
        for (uint32_t i = 0; i < r->cols; i++) {
            if (q[i] < -128 || q[i] > 127) {
                ax_diag_add(diags, AX_DIAG_ERROR, w->m->dir, 0, 0,
                            "tensor '%s': code %d at (%u, %u) is outside int8", r->tensor, q[i],
                            r->row0 + j, r->col0 + i);
                return AX_ERR_LIMIT;
            }
            codes[(size_t)j * r->cols + i] = (int8_t)q[i];
        }
        memcpy(scales + (size_t)j * rng,
               w->scales + (size_t)(r->row0 + j) * ng + r->col0 / AX_PROG_GROUP,
               (size_t)rng * sizeof *scales);
    }
    return AX_OK;
}

ax_status ax_check_weights_open(const struct ax_model *m, ax_check_weights_t **w,
                                struct ax_exec_weights *out, struct ax_diag_list *diags)
{
    *w = NULL;
    if (!m->weights) {
        ax_diag_add(diags, AX_DIAG_ERROR, m->dir, 0, 0, "the model has no weights (shape only)");
        return AX_ERR_INVALID;
    }
    struct ax_check_weights *cw = ax_mem_alloc(sizeof *cw);
    if (!cw)
        return AX_ERR_NOMEM;
    memset(cw, 0, sizeof *cw);
    cw->m = m;
    *w = cw;
    *out = (struct ax_exec_weights){fetch, cw};
    return AX_OK;
}

ax_status ax_check_embed_weights(struct ax_prog *p, const struct ax_model *m,
                                 struct ax_diag_list *diags)
{
    struct ax_exec_weights src;
    ax_check_weights_t *w = NULL;
    ax_status st = ax_check_weights_open(m, &w, &src, diags);
    for (uint32_t i = 0; st == AX_OK && i < p->n_weights; i++) {
        const struct ax_prog_weight *rec = &p->weights[i];
        uint64_t n = (uint64_t)rec->rows * rec->cols, words = ax_prog_record_words(rec);
        uint64_t ng = (uint64_t)rec->rows * ((rec->cols + AX_PROG_GROUP - 1) / AX_PROG_GROUP);
        if (n > SIZE_MAX / 4 - 1 || words > SIZE_MAX / 4 - 1) {
            st = AX_ERR_LIMIT;
            break;
        }
        /* the source's arrays are zeroed, as the executor's are */
        int8_t *codes = rec->is_float ? NULL : ax_mem_calloc((size_t)n + 1, 1);
        float *scales = rec->is_float ? NULL : ax_mem_calloc((size_t)ng + 1, sizeof *scales);
        float *values = rec->is_float ? ax_mem_calloc((size_t)n + 1, sizeof *values) : NULL;
        uint32_t *packed = ax_mem_calloc((size_t)words + 1, sizeof *packed);
        st = packed && (rec->is_float ? values != NULL : codes && scales) ? AX_OK : AX_ERR_NOMEM;
        if (st == AX_OK)
            st = src.fetch(src.user, p, i, codes, scales, values, diags);
        if (st == AX_OK) {
            ax_prog_record_pack(rec, codes, scales, values, packed);
            st = ax_prog_set_record_data(p, i, packed);
        }
        ax_mem_free(codes);
        ax_mem_free(scales);
        ax_mem_free(values);
        ax_mem_free(packed);
    }
    ax_check_weights_close(w);
    return st;
}

double ax_check_compare_logits(const float *got, uint32_t n, const float *want, uint32_t vocab,
                               uint64_t *n_differ)
{
    double diff = 0, norm = 0;
    uint64_t bad = 0;
    for (uint32_t i = 0; i < vocab; i++) {
        float g = i < n ? got[i] : NAN;
        diff += ((double)g - want[i]) * ((double)g - want[i]);
        norm += (double)want[i] * want[i];
        bad += memcmp(&g, &want[i], sizeof g) != 0;
    }
    *n_differ = bad;
    return norm > 0 ? sqrt(diff / norm) : sqrt(diff);
}

static int is_argmax(const struct ax_prog *p)
{
    const char *l = ax_prog_meta(p, "logits");
    return l && strcmp(l, "argmax") == 0;
}

/* The node-table entry of lm_head, or UINT32_MAX. */
static uint32_t lm_head_entry(const struct ax_prog *p)
{
    for (uint32_t i = 0; i < p->n_nodes; i++)
        if (strcmp(p->nodes[i].op, "lm_head") == 0)
            return i;
    return UINT32_MAX;
}

/* The weights buffer `pb` of lm_head node `node` that keeps a row range's
 * sums (the first block of the range: column 0): its weight record, and
 * the name of its accumulators in acc[]; NULL when it is not one. */
static const struct ax_prog_weight *
holder_of(const struct ax_prog *p, const struct ax_prog_buffer *pb, uint32_t node, char acc[48])
{
    char stem[32];
    int n_stem = snprintf(stem, sizeof stem, "n%u.w", node);
    if (pb->kind != AX_PROG_BUF_WEIGHTS || pb->node != node || pb->ref >= p->n_weights ||
        strncmp(pb->name, stem, (size_t)n_stem) != 0 || p->weights[pb->ref].col0 != 0)
        return NULL;
    snprintf(acc, 48, "n%u.acc%s", node, pb->name + n_stem);
    return &p->weights[pb->ref];
}

uint32_t ax_check_logits(const ax_exec_t *ex, const struct ax_prog *p, float *logits,
                         uint32_t vocab)
{
    struct ax_check_piece *pc;
    uint32_t n, got = vocab;
    if (ax_check_pieces(p, vocab, &pc, &n) != AX_OK || n == 0)
        return 0;
    for (uint32_t i = 0; i < n && got; i++) {
        if (pc[i].is_pair)
            continue; /* the logits are what is checked here */
        uint32_t n_words;
        const uint32_t *x = ax_exec_buffer(ex, pc[i].core, pc[i].name, &n_words);
        if (!x || n_words < pc[i].words)
            got = 0;
        else
            memcpy(logits + pc[i].at, x, (size_t)pc[i].words * sizeof *logits);
    }
    ax_mem_free(pc);
    return got;
}

uint32_t ax_check_argmax_of(const float *logits, uint32_t vocab)
{
    uint32_t k = 0;
    for (uint32_t i = 1; i < vocab; i++)
        if (logits[i] > logits[k])
            k = i;
    return k;
}

/* Shard k of node `node`'s value: buffer "n<id>.value<k>", or "n<id>.value"
 * when it has one shard (*is_last then set); NULL when there is none. */
static const struct ax_prog_buffer *value_shard(const struct ax_prog *p, uint32_t node, uint32_t k,
                                                int *is_last)
{
    char stem[32];
    int n_stem = snprintf(stem, sizeof stem, "n%u.value", node);
    for (uint32_t b = 0; b < p->n_buffers; b++) {
        const struct ax_prog_buffer *pb = &p->buffers[b];
        if (pb->kind != AX_PROG_BUF_VALUE || pb->node != node ||
            strncmp(pb->name, stem, (size_t)n_stem) != 0)
            continue;
        const char *suffix = pb->name + n_stem;
        if (*suffix == '\0' ? k == 0 : strtoul(suffix, NULL, 10) == k) {
            *is_last = *suffix == '\0';
            return pb;
        }
    }
    return NULL;
}

uint32_t ax_check_value(const ax_exec_t *ex, const struct ax_prog *p, uint32_t node, float *logits,
                        uint32_t cap)
{
    uint32_t n = 0;
    for (uint32_t k = 0;; k++) {
        int is_last = 0;
        const struct ax_prog_buffer *found = value_shard(p, node, k, &is_last);
        if (!found)
            return k == 0 ? 0 : n;
        uint32_t n_words;
        const uint32_t *w = ax_exec_buffer(ex, found->core, found->name, &n_words);
        if (!w || n + n_words > cap)
            return 0;
        memcpy(logits + n, w, (size_t)n_words * sizeof *logits);
        n += n_words;
        if (is_last)
            return n;
    }
}

/* Adds a piece; -1 when out of memory. */
static int add_piece(struct ax_check_piece **v, uint32_t *n, uint32_t *cap,
                     struct ax_check_piece pc)
{
    if (*n == *cap) {
        uint32_t c = *cap ? 2 * *cap : 16;
        struct ax_check_piece *g = ax_mem_realloc(*v, (size_t)c * sizeof *g);
        if (!g)
            return -1;
        *v = g;
        *cap = c;
    }
    (*v)[(*n)++] = pc;
    return 0;
}

static int piece_by_core(const void *a, const void *b)
{
    const struct ax_check_piece *x = a, *y = b;
    return x->core != y->core ? (x->core < y->core ? -1 : 1) : (x->at > y->at) - (x->at < y->at);
}

ax_status ax_check_pieces(const struct ax_prog *p, uint32_t vocab, struct ax_check_piece **out,
                          uint32_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    uint32_t i = lm_head_entry(p), n = 0, cap = 0;
    if (i == UINT32_MAX)
        return AX_OK;
    uint32_t node = p->nodes[i].node;
    struct ax_check_piece *v = NULL;
    uint64_t covered = 0;
    char acc[48];
    int is_oom = 0;
    if (is_argmax(p)) {
        for (uint32_t b = 0; b < p->n_buffers && !is_oom; b++) {
            const struct ax_prog_weight *w = holder_of(p, &p->buffers[b], node, acc);
            if (w && w->row0 <= vocab && w->rows <= vocab - w->row0) {
                /* the accumulators' buffer, whose name outlives acc[] */
                const struct ax_prog_buffer *ab = ax_prog_buffer_named(p, p->buffers[b].core, acc);
                if (ab && ab->words >= w->rows) {
                    is_oom = add_piece(&v, &n, &cap,
                                       (struct ax_check_piece){ab->core, ab->name, w->row0, w->rows,
                                                               0}) != 0;
                    covered += w->rows;
                }
            }
        }
        int is_last = 0;
        const struct ax_prog_buffer *pair = value_shard(p, node, 0, &is_last);
        if (!is_oom && pair && is_last && pair->words == 2)
            is_oom =
                add_piece(&v, &n, &cap, (struct ax_check_piece){pair->core, pair->name, 0, 2, 1});
        else
            covered = 0; /* no pair: not a program this check reads */
    } else {
        int is_last = 0;
        for (uint32_t k = 0; !is_last && !is_oom; k++) {
            const struct ax_prog_buffer *pb = value_shard(p, node, k, &is_last);
            if (!pb || covered + pb->words > vocab)
                break;
            is_oom = add_piece(&v, &n, &cap,
                               (struct ax_check_piece){pb->core, pb->name, (uint32_t)covered,
                                                       pb->words, 0}) != 0;
            covered += pb->words;
        }
    }
    if (is_oom) {
        ax_mem_free(v);
        return AX_ERR_NOMEM;
    }
    if (covered != vocab) { /* not every logit once: nothing to read */
        ax_mem_free(v);
        return AX_OK;
    }
    qsort(v, n, sizeof *v, piece_by_core);
    *out = v;
    *n_out = n;
    return AX_OK;
}

ax_status ax_check_run(const struct ax_prog *p, const struct ax_model *m, const int32_t *tokens,
                       uint32_t n, uint32_t vocab, float *logits, struct ax_diag_list *diags)
{
    struct ax_exec_weights src;
    ax_check_weights_t *w = NULL;
    ax_exec_t *ex = NULL;
    ax_status st = ax_check_weights_open(m, &w, &src, diags);
    if (st == AX_OK)
        st = ax_exec_create(p, m->dir, &src, &ex, diags);
    ax_check_weights_close(w); /* the executor holds every record now */
    for (uint32_t t = 0; st == AX_OK && t < n; t++) {
        st = ax_exec_run(ex, (uint32_t)tokens[t], t, diags);
        if (st == AX_OK && ax_check_logits(ex, p, logits + (size_t)t * vocab, vocab) != vocab) {
            ax_diag_add(diags, AX_DIAG_ERROR, m->dir, 0, 0,
                        "the program's lm_head value is not %u words (or it has none)", vocab);
            st = AX_ERR_INVALID;
        }
    }
    ax_exec_free(ex);
    return st;
}
