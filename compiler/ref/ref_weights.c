/* The reference's weights: checkpoint tensors to f32 (BF16 and F16 convert
 * exactly), symmetric int8 quantization per row and group of 128, codes
 * recovered from a W8ASpike checkpoint, and the packed layouts the generated
 * kernels read (ref_internal.h). */
#include "ref_internal.h"

#include "ax_mem.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

float ax_ref_f32_from_bf16(uint16_t bits)
{
    uint32_t u = (uint32_t)bits << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

float ax_ref_f32_from_f16(uint16_t bits)
{
    uint32_t sign = (uint32_t)(bits >> 15) << 31;
    uint32_t exp = (bits >> 10) & 0x1fu, mant = bits & 0x3ffu, u;
    if (exp == 0x1f) {
        u = sign | 0x7f800000u | (mant << 13); /* infinity or NaN (payload kept) */
    } else if (exp != 0) {
        u = sign | ((exp + 112u) << 23) | (mant << 13); /* rebias 15 -> 127 */
    } else if (mant == 0) {
        u = sign; /* signed zero */
    } else {
        /* subnormal: mant * 2^-24, normalized for binary32 */
        uint32_t e = 113;
        while (!(mant & 0x400u)) {
            mant <<= 1;
            e--;
        }
        u = sign | (e << 23) | ((mant & 0x3ffu) << 13);
    }
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

ax_status ax_ref_tensor_to_f32(const struct ax_st_tensor *t, float *out, uint64_t n)
{
    const unsigned char *d = t->data;
    switch (t->dtype) {
    case AX_ST_DTYPE_F32:
        memcpy(out, d, n * sizeof *out); /* safetensors data is little-endian, as the host */
        return AX_OK;
    case AX_ST_DTYPE_BF16:
    case AX_ST_DTYPE_F16:
        for (uint64_t i = 0; i < n; i++) {
            uint16_t h = (uint16_t)(d[2 * i] | (uint16_t)d[2 * i + 1] << 8);
            out[i] =
                t->dtype == AX_ST_DTYPE_BF16 ? ax_ref_f32_from_bf16(h) : ax_ref_f32_from_f16(h);
        }
        return AX_OK;
    default:
        return AX_ERR_UNSUPPORTED;
    }
}

void ax_ref_quantize(const float *w, uint32_t rows, uint32_t cols, int16_t *codes, float *scales)
{
    uint32_t n_groups = cols / REF_GROUP;
    for (uint32_t j = 0; j < rows; j++) {
        for (uint32_t g = 0; g < n_groups; g++) {
            const float *x = w + (uint64_t)j * cols + (uint64_t)g * REF_GROUP;
            int16_t *q = codes + (uint64_t)j * cols + (uint64_t)g * REF_GROUP;
            float amax = 0.0f;
            for (uint32_t i = 0; i < REF_GROUP; i++)
                amax = fabsf(x[i]) > amax ? fabsf(x[i]) : amax;
            float scale = amax / 127.0f;
            scales[(uint64_t)j * n_groups + g] = scale;
            for (uint32_t i = 0; i < REF_GROUP; i++)
                q[i] = scale == 0.0f ? 0 : (int16_t)nearbyint((double)x[i] / (double)scale);
        }
    }
}

ax_status ax_ref_codes_from_scales(const float *w, const float *scales, uint32_t rows,
                                   uint32_t cols, int16_t *codes, uint64_t *n_outside)
{
    uint32_t n_groups = cols / REF_GROUP;
    uint64_t outside = 0;
    for (uint32_t j = 0; j < rows; j++) {
        for (uint32_t g = 0; g < n_groups; g++) {
            float scale = scales[(uint64_t)j * n_groups + g];
            if (!(scale >= 0.0f) || isinf(scale))
                return AX_ERR_LIMIT;
            for (uint32_t i = 0; i < REF_GROUP; i++) {
                uint64_t at = (uint64_t)j * cols + (uint64_t)g * REF_GROUP + i;
                double q = scale == 0.0f ? 0.0 : nearbyint((double)w[at] / (double)scale);
                if (!(q >= -32768.0 && q <= 32767.0))
                    return AX_ERR_LIMIT;
                codes[at] = (int16_t)q;
                outside += q < -128.0 || q > 127.0;
            }
        }
    }
    *n_outside = outside;
    return AX_OK;
}

/* ---- filling the plan's buffers ---------------------------------------------- */

struct filler {
    const struct ax_ref_plan *p;
    const struct ax_st_checkpoint *ck;
    void **bufs;
    struct ax_diag_list *diags;
};

/* The tensor `name` as a fresh f32 array of exactly `n` elements. */
static ax_status load_f32(struct filler *f, const char *name, uint64_t n, float **out)
{
    *out = NULL;
    const struct ax_st_tensor *t = ax_st_find(f->ck, name);
    if (!t) {
        ax_diag_add(f->diags, AX_DIAG_ERROR, f->ck->path, 0, 0, "tensor '%s' is missing", name);
        return AX_ERR_INVALID;
    }
    uint32_t size = ax_st_dtype_size(t->dtype);
    if (!size || t->n_bytes / size != n) {
        ax_diag_add(f->diags, AX_DIAG_ERROR, f->ck->path, 0, 0,
                    "tensor '%s' has %llu elements; the graph needs %llu", name,
                    (unsigned long long)(size ? t->n_bytes / size : 0), (unsigned long long)n);
        return AX_ERR_INVALID;
    }
    float *x = ax_mem_alloc((size_t)(n ? n : 1) * sizeof *x);
    if (!x)
        return AX_ERR_NOMEM;
    ax_status st = ax_ref_tensor_to_f32(t, x, n);
    if (st != AX_OK) {
        ax_diag_add(f->diags, AX_DIAG_ERROR, f->ck->path, 0, 0,
                    "tensor '%s': dtype %s cannot be read as float", name,
                    ax_st_dtype_str(t->dtype));
        ax_mem_free(x);
        return st;
    }
    *out = x;
    return AX_OK;
}

/* Packs a [rows][cols] matrix of `size`-byte elements into row blocks
 * (ref_internal.h); padding rows are zero. */
static void pack_rows(const void *src, uint32_t size, uint32_t rows, uint32_t cols, void *dst)
{
    const unsigned char *w = src;
    unsigned char *out = dst;
    uint32_t n_blocks = (rows + REF_RB - 1) / REF_RB;
    for (uint32_t b = 0; b < n_blocks; b++)
        for (uint32_t i = 0; i < cols; i++)
            for (uint32_t r = 0; r < REF_RB; r++) {
                uint32_t j = b * REF_RB + r;
                unsigned char *o = out + (((uint64_t)b * cols + i) * REF_RB + r) * size;
                if (j < rows)
                    memcpy(o, w + ((uint64_t)j * cols + i) * size, size);
                else
                    memset(o, 0, size);
            }
}

/* An int8 projection: codes and scales from the checkpoint's scales or by
 * quantizing the float weights; packed as codes + scales (spiking) or as
 * dequantized f32 weights. */
static ax_status fill_int8(struct filler *f, const struct ref_buf *rb, uint64_t *n_outside,
                           uint32_t *max_code)
{
    const struct ref_node *rn = &f->p->nodes[rb->node];
    uint32_t rows = rb->rows, cols = rb->cols, n_groups = cols / REF_GROUP;
    uint64_t n = (uint64_t)rows * cols;
    float *w = NULL, *scales = NULL;
    int16_t *codes = ax_mem_alloc((size_t)n * sizeof *codes);
    ax_status st = codes ? load_f32(f, rb->tensor, n, &w) : AX_ERR_NOMEM;
    char name[320];
    size_t len = strlen(rb->tensor);
    if (len > 7 && strcmp(rb->tensor + len - 7, ".weight") == 0)
        len -= 7;
    snprintf(name, sizeof name, "%.*s.weight_quantizer.scales", (int)len, rb->tensor);
    int is_stored = ax_st_find(f->ck, name) != NULL;
    if (st == AX_OK && is_stored) {
        st = load_f32(f, name, (uint64_t)rows * n_groups, &scales);
        uint64_t outside = 0;
        if (st == AX_OK) {
            st = ax_ref_codes_from_scales(w, scales, rows, cols, codes, &outside);
            if (st != AX_OK)
                ax_diag_add(f->diags, AX_DIAG_ERROR, f->ck->path, 0, 0,
                            "tensor '%s': a code does not fit 16 bits, or a scale is negative "
                            "or not finite",
                            rb->tensor);
        }
        *n_outside += outside;
    } else if (st == AX_OK) {
        scales = ax_mem_alloc((size_t)rows * n_groups * sizeof *scales);
        if (scales)
            ax_ref_quantize(w, rows, cols, codes, scales);
        else
            st = AX_ERR_NOMEM;
    }
    if (st == AX_OK) {
        uint32_t m = 0;
        for (uint64_t i = 0; i < n; i++) {
            uint32_t a = (uint32_t)(codes[i] < 0 ? -codes[i] : codes[i]);
            m = a > m ? a : m;
        }
        max_code[rb->node] = m;
        if (rb->fill == REF_FILL_CODES) {
            if (rb->elem == REF_ELEM_I8) {
                /* every code fits: quantized here, |q| <= 127 */
                int8_t *c8 = (int8_t *)codes; /* narrowed in place, front to back */
                for (uint64_t i = 0; i < n; i++)
                    c8[i] = (int8_t)codes[i];
                pack_rows(c8, 1, rows, cols, f->bufs[rn->codes]);
            } else {
                pack_rows(codes, 2, rows, cols, f->bufs[rn->codes]);
            }
            /* scales [rows][groups] -> [blocks][groups][RB] */
            float *out = f->bufs[rn->scales];
            uint32_t n_blocks = (rows + REF_RB - 1) / REF_RB;
            for (uint32_t b = 0; b < n_blocks; b++)
                for (uint32_t g = 0; g < n_groups; g++)
                    for (uint32_t r = 0; r < REF_RB; r++) {
                        uint32_t j = b * REF_RB + r;
                        out[((uint64_t)b * n_groups + g) * REF_RB + r] =
                            j < rows ? scales[(uint64_t)j * n_groups + g] : 0.0f;
                    }
        } else {
            /* dequantized: W' = f32(f64(q) * f64(scale)) */
            for (uint32_t j = 0; j < rows; j++)
                for (uint32_t i = 0; i < cols; i++) {
                    uint64_t at = (uint64_t)j * cols + i;
                    w[at] = (float)((double)codes[at] *
                                    (double)scales[(uint64_t)j * n_groups + i / REF_GROUP]);
                }
            pack_rows(w, 4, rows, cols, f->bufs[rn->w]);
        }
    }
    ax_mem_free(w);
    ax_mem_free(scales);
    ax_mem_free(codes);
    return st;
}

static ax_status fill_one(struct filler *f, uint32_t i, uint64_t *n_outside, uint32_t *max_code)
{
    const struct ref_buf *rb = &f->p->bufs[i];
    const struct ax_ir_node *n = &f->p->g->nodes[rb->node];
    float *x = NULL;
    ax_status st = AX_OK;
    switch (rb->fill) {
    case REF_FILL_ZERO:
    case REF_FILL_SCALES: /* written with the codes */
        return AX_OK;
    case REF_FILL_RAW: {
        const struct ax_st_tensor *t = ax_st_find(f->ck, rb->tensor);
        uint32_t size = t ? ax_st_dtype_size(t->dtype) : 0;
        /* An rmsnorm weight may hold one group (g_norm), repeated over the groups. */
        uint64_t n_have = size ? t->n_bytes / size : 0;
        uint64_t n_load = n->op == AX_IR_RMSNORM && n_have == n->group ? n->group : rb->n_elems;
        st = load_f32(f, rb->tensor, n_load, &x);
        if (st == AX_OK) {
            float *out = f->bufs[i];
            for (uint64_t k = 0; k < rb->n_elems; k++)
                out[k] = x[k % n_load];
        }
        break;
    }
    case REF_FILL_ROWS:
        if (rb->elem == REF_ELEM_BF16 || rb->elem == REF_ELEM_F16) {
            /* the checkpoint's own 16-bit values (the plan chose the type from them) */
            const struct ax_st_tensor *t = ax_st_find(f->ck, rb->tensor);
            uint64_t n16 = (uint64_t)rb->rows * rb->cols;
            if (!t || t->n_bytes != 2 * n16) {
                ax_diag_add(f->diags, AX_DIAG_ERROR, f->ck->path, 0, 0,
                            "tensor '%s' is missing or has the wrong size", rb->tensor);
                return AX_ERR_INVALID;
            }
            pack_rows(t->data, 2, rb->rows, rb->cols, f->bufs[i]);
            return AX_OK;
        }
        st = load_f32(f, rb->tensor, (uint64_t)rb->rows * rb->cols, &x);
        if (st == AX_OK)
            pack_rows(x, 4, rb->rows, rb->cols, f->bufs[i]);
        break;
    case REF_FILL_ROWS_DEQ:
    case REF_FILL_CODES:
        return fill_int8(f, rb, n_outside, max_code);
    case REF_FILL_BIAS:
        st = load_f32(f, rb->tensor, rb->rows, &x);
        if (st == AX_OK)
            memcpy(f->bufs[i], x, (size_t)rb->rows * sizeof *x); /* the padding stays zero */
        break;
    case REF_FILL_COUNT:
        break;
    }
    ax_mem_free(x);
    return st;
}

ax_status ax_ref_weights_fill(const struct ax_ref_plan *p, const struct ax_st_checkpoint *ck,
                              void **bufs, uint64_t *n_outside, uint32_t *max_code,
                              struct ax_diag_list *diags)
{
    struct filler f = {p, ck, bufs, diags};
    *n_outside = 0;
    ax_status first = AX_OK;
    for (uint32_t i = 0; i < p->n_bufs; i++) {
        if (p->bufs[i].kind != REF_BUF_WEIGHT)
            continue;
        ax_status st = fill_one(&f, i, n_outside, max_code);
        if (st == AX_ERR_NOMEM)
            return st;
        if (st != AX_OK && first == AX_OK)
            first = st;
    }
    return first;
}
