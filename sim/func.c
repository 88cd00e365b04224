/* The functional value path (ax_func.h): one token step computed from the
 * weights, node by node over the graph, written from docs/semantics.md line
 * by line; spiking projections run event by event on their weight blocks.
 *
 * Sums begin at -0.0, the sum of no terms: then s + t == t for every t, so
 * the value is exactly the left-to-right sum of the terms (docs/reference.md).
 * This file is compiled with -fno-builtin (sim/CMakeLists.txt) so that the
 * math functions are glibc's, called as written, never folded or fused
 * (sin + cos -> sincos) by the C compiler. */
#include "ax_func.h"

#include "ax_ir.h"
#include "ax_map.h"
#include "ax_mem.h"
#include "ax_model.h"
#include "ax_safetensors.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NONE UINT32_MAX
#define GROUP 128u        /* inputs per quantization group */
#define EVENT_CHUNK 4096u /* events handed to the kernel at a time */

/* ---- the synaptic kernel --------------------------------------------------------------------- */

void ax_func_synacc(const int16_t *restrict codes, uint32_t rows,
                    const struct ax_syn_event *restrict ev, uint64_t n_ev, int32_t *restrict acc)
{
    /* Rows in runs of 16 with a fixed inner count: the compiler vectorises
     * that loop even under -O2's cautious cost model; the tail is scalar. */
    uint32_t n16 = rows / 16u * 16u;
    for (uint64_t e = 0; e < n_ev; e++) {
        const int16_t *restrict col = codes + (size_t)ev[e].col * rows;
        int32_t w = ev[e].weight;
        for (uint32_t r = 0; r < n16; r += 16u)
            for (uint32_t k = 0; k < 16u; k++)
                acc[r + k] += w * (int32_t)col[r + k];
        for (uint32_t r = n16; r < rows; r++)
            acc[r] += w * (int32_t)col[r];
    }
}

/* ---- structures ------------------------------------------------------------------------------ */

/* One weight block of a spiking projection: rows [row0, row0 + rows) by
 * columns [col0, col0 + cols), whole groups of 128 columns. */
struct fn_block {
    uint32_t row0, rows, col0, cols;
    int16_t *codes; /* [cols][rows]: the codes of one column are contiguous */
};

/* A spiking projection or SWA query and what the last step left in it. */
struct fn_site {
    char *name;
    uint32_t node;
    uint32_t n_in, n_out, n_groups, n_vth;
    int32_t *counts; /* n_in */
    float *vth;      /* n_vth */
    int32_t *acc;    /* [n_out][n_groups]; NULL for the SWA query */
    int32_t *acc_gm; /* the blocks' accumulators [n_groups][n_out]: a block's
                        rows of one group lie together, as the kernel wants */
    uint64_t n_events, n_synops;
};

/* What one graph node keeps. Only the fields of its op are set. */
struct fn_node {
    float *value;                     /* out_dim entries; NULL for the input node */
    const struct ax_st_tensor *table; /* embedding: rows converted when used */
    float *w;                         /* rmsnorm weight (n_w), or a dense [out][in] matrix */
    uint64_t n_w;
    float *bias;             /* linear bias, or NULL */
    float *scale;            /* spiking linear: [out][n_groups] */
    struct fn_block *blocks; /* spiking linear */
    uint32_t n_blocks;
    uint32_t max_code; /* spiking linear: max |q| */
    uint32_t site;     /* index into sites, or NONE */
    float *gla;        /* gla: [heads][d][d], one state per query head */
    int8_t *kq, *vq;   /* swa with int8 K/V: [window][kv_heads * d] */
    float *ks, *vs;    /* swa with int8 K/V: [window][kv_heads] */
    float *kf, *vf;    /* swa with f32 K/V: [window][kv_heads * d] */
};

struct ax_func {
    const struct ax_model *m;
    const struct ax_ir_graph *g;
    struct ax_spike_options spike;
    struct fn_node *nodes; /* one per graph node */
    struct fn_site *sites;
    uint32_t n_sites;
    uint32_t *layer_node; /* the last node of each layer */
    uint32_t n_layers;
    uint32_t logits_node;
    uint32_t vocab; /* tokens the input and embedding nodes take */
    uint64_t pos;
    int is_broken;
    int32_t token;
    double *qd, *score;          /* swa scratch: head_dim and window entries */
    struct ax_syn_event *events; /* EVENT_CHUNK entries */
};

/* ---- weights --------------------------------------------------------------------------------- */

static float f32_from_bits(uint32_t bits)
{
    union {
        uint32_t u;
        float f;
    } v = {bits};
    return v.f;
}

/* binary16 to binary32, exactly (subnormals, infinities and NaNs included) */
static float f32_from_f16(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 31u, m = h & 1023u;
    if (e == 31)
        return f32_from_bits(sign | 0x7f800000u | (m << 13));
    if (e != 0)
        return f32_from_bits(sign | ((e + 112u) << 23) | (m << 13));
    if (m == 0)
        return f32_from_bits(sign);
    e = 113; /* a subnormal: normalize */
    while (!(m & 1024u)) {
        m <<= 1;
        e--;
    }
    return f32_from_bits(sign | (e << 23) | ((m & 1023u) << 13));
}

/* Element i of tensor t (F32, BF16 or F16, little-endian, maybe unaligned). */
static float tensor_element(const struct ax_st_tensor *t, uint64_t i)
{
    const unsigned char *p = (const unsigned char *)t->data;
    if (t->dtype == AX_ST_DTYPE_F32) {
        p += 4 * i;
        return f32_from_bits((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                             (uint32_t)p[3] << 24);
    }
    p += 2 * i;
    uint16_t h = (uint16_t)(p[0] | p[1] << 8);
    return t->dtype == AX_ST_DTYPE_BF16 ? f32_from_bits((uint32_t)h << 16) : f32_from_f16(h);
}

/* The checkpoint tensor `name` holding n float elements, or NULL with a
 * diagnostic (and *st set) when it is missing or does not fit. */
static const struct ax_st_tensor *find_tensor(const struct ax_func *f, const char *name, uint64_t n,
                                              ax_status *st, struct ax_diag_list *diags)
{
    const struct ax_st_tensor *t = ax_st_find(f->m->weights, name);
    const char *file = f->m->dir;
    if (!t) {
        ax_diag_add(diags, AX_DIAG_ERROR, file, 0, 0, "the checkpoint has no tensor %s", name);
    } else if (t->dtype != AX_ST_DTYPE_F32 && t->dtype != AX_ST_DTYPE_BF16 &&
               t->dtype != AX_ST_DTYPE_F16) {
        ax_diag_add(diags, AX_DIAG_ERROR, file, 0, 0,
                    "tensor %s is %s; the functional simulator reads F32, BF16 and F16", name,
                    ax_st_dtype_str(t->dtype));
        t = NULL;
    } else if (t->n_bytes / ax_st_dtype_size(t->dtype) != n) {
        ax_diag_add(diags, AX_DIAG_ERROR, file, 0, 0,
                    "tensor %s holds %llu elements; the graph needs %llu", name,
                    (unsigned long long)(t->n_bytes / ax_st_dtype_size(t->dtype)),
                    (unsigned long long)n);
        t = NULL;
    }
    if (!t)
        *st = AX_ERR_INVALID;
    return t;
}

/* Loads tensor `name` (n elements) into a new f32 array *out. */
static ax_status load_tensor(const struct ax_func *f, const char *name, uint64_t n, float **out,
                             struct ax_diag_list *diags)
{
    ax_status st = AX_OK;
    const struct ax_st_tensor *t = find_tensor(f, name, n, &st, diags);
    if (!t)
        return st;
    float *x = ax_mem_alloc((size_t)n * sizeof *x);
    if (!x)
        return AX_ERR_NOMEM;
    for (uint64_t i = 0; i < n; i++)
        x[i] = tensor_element(t, i);
    *out = x;
    return AX_OK;
}

/* ---- quantization (docs/semantics.md, "Weight quantization") --------------------------------- */

void ax_func_quantize(const float *w, uint32_t rows, uint32_t cols, int16_t *codes, float *scales)
{
    uint32_t ng = cols / GROUP;
    for (uint32_t j = 0; j < rows; j++)
        for (uint32_t g = 0; g < ng; g++) {
            const float *wg = w + (size_t)j * cols + (size_t)g * GROUP;
            float amax = 0.0f;
            for (uint32_t i = 0; i < GROUP; i++) {
                float a = fabsf(wg[i]);
                if (a > amax)
                    amax = a;
            }
            float s = amax / 127.0f;
            scales[(size_t)j * ng + g] = s;
            for (uint32_t i = 0; i < GROUP; i++) {
                double r = s == 0.0f ? 0.0 : nearbyint((double)wg[i] / (double)s);
                codes[(size_t)j * cols + (size_t)g * GROUP + i] = (int16_t)r;
            }
        }
}

/* The codes of fake-quantized weights w [rows][cols] under their stored
 * scales: q = rne(w / scale), 0 where the scale is 0. AX_ERR_LIMIT with a
 * diagnostic when a scale is negative or not finite or a code leaves 16
 * bits. */
static ax_status codes_from_scales(const struct ax_func *f, const char *name, const float *w,
                                   const float *scales, uint32_t rows, uint32_t cols,
                                   int16_t *codes, struct ax_diag_list *diags)
{
    uint32_t ng = cols / GROUP;
    for (uint32_t j = 0; j < rows; j++)
        for (uint32_t i = 0; i < cols; i++) {
            float s = scales[(size_t)j * ng + i / GROUP];
            size_t at = (size_t)j * cols + i;
            double r = s == 0.0f ? 0.0 : nearbyint((double)w[at] / (double)s);
            if (!(s >= 0.0f && s <= 3.4e38f) || !(r >= -32768.0 && r <= 32767.0)) {
                ax_diag_add(diags, AX_DIAG_ERROR, f->m->dir, 0, 0,
                            "%s [%u, %u]: scale %g gives code %g, outside 16 bits", name, j, i,
                            (double)s, r);
                return AX_ERR_LIMIT;
            }
            codes[at] = (int16_t)r;
        }
    return AX_OK;
}

/* ---- opening: what the graph asks for -------------------------------------------------------- */

static void unsupported(struct ax_diag_list *diags, const char *file, uint32_t id,
                        const struct ax_ir_node *n, const char *what)
{
    ax_diag_add(diags, AX_DIAG_ERROR, file, n->line, 0,
                "%%%u = %s: the functional simulator does not run %s; it computes the 7B "
                "architecture's values only (the 76B's are not needed: counting mode "
                "simulates it)",
                id, ax_ir_op_str(n->op), what);
}

/* Reports every node the functional path cannot run; returns their number. */
static uint32_t check_ops(const struct ax_ir_graph *g, const char *file, struct ax_diag_list *diags)
{
    uint32_t n_bad = 0;
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        const struct ax_ir_node *n = &g->nodes[id];
        const char *what = NULL;
        switch (n->op) {
        case AX_IR_META_PREFIX:
            what = "meta tokens (the 76B)";
            break;
        case AX_IR_MOE_ROUTER:
        case AX_IR_MOE_EXPERTS:
            what = "mixture-of-experts layers (the 76B)";
            break;
        case AX_IR_SWA:
            if (n->window == 0)
                what = "full attention (the 76B)";
            else if (n->meta > 0)
                what = "meta-token keys (the 76B)";
            break;
        case AX_IR_GLA:
            if (n->gate != AX_IR_GATE_LOGSIGMOID || n->n_inputs != 4)
                what = "the 76B's key-tied and lower-bound decays";
            else if (n->feature != AX_IR_FEATURE_RELU)
                what = "a GLA feature map other than relu";
            break;
        case AX_IR_LINEAR:
            if (n->spike == AX_IR_SPIKE_SPIKE && n->quant != AX_IR_QUANT_INT8_G128)
                what = "spiking inputs without int8 weights";
            else if (n->quant == AX_IR_QUANT_INT8_G128 && n->in % GROUP != 0)
                what = "int8 weights over an input length that is not a multiple of 128";
            break;
        default:
            break;
        }
        if (what) {
            unsupported(diags, file, id, n, what);
            n_bad++;
        }
    }
    return n_bad;
}

/* The weight name without ".weight": a site's name, heap-allocated. */
static char *weight_prefix(const char *weight)
{
    size_t n = strlen(weight);
    if (n > 7 && strcmp(weight + n - 7, ".weight") == 0)
        n -= 7;
    return ax_mem_strndup(weight, n);
}

/* The SWA query's name as the reference gives it: the q projection's prefix
 * with ".q_proj" replaced by ".swa_query" (found through the RoPE on q), or
 * model.layers.N.attn.swa_query. */
static char *swa_query_name(const struct ax_ir_graph *g, uint32_t id)
{
    const struct ax_ir_node *n = &g->nodes[id];
    const struct ax_ir_node *q = &g->nodes[n->inputs[0]];
    char name[512];
    if (q->op == AX_IR_ROPE)
        q = &g->nodes[q->inputs[0]];
    const char *dot =
        q->op == AX_IR_LINEAR && q->weight ? strstr(q->weight, ".q_proj.weight") : NULL;
    if (dot)
        snprintf(name, sizeof name, "%.*s.swa_query", (int)(dot - q->weight), q->weight);
    else
        snprintf(name, sizeof name, "model.layers.%u.attn.swa_query", n->layer);
    return ax_mem_strdup(name);
}

/* Gives site `s` its arrays; acc only for a projection (n_groups > 0). */
static ax_status site_init(struct fn_site *s, char *name, uint32_t node, uint32_t n_in,
                           uint32_t n_out, uint32_t n_groups, uint32_t n_vth)
{
    s->name = name;
    s->node = node;
    s->n_in = n_in;
    s->n_out = n_out;
    s->n_groups = n_groups;
    s->n_vth = n_vth;
    s->counts = ax_mem_calloc(n_in, sizeof *s->counts);
    s->vth = ax_mem_calloc(n_vth, sizeof *s->vth);
    if (n_groups) {
        s->acc = ax_mem_calloc((size_t)n_out * n_groups, sizeof *s->acc);
        s->acc_gm = ax_mem_calloc((size_t)n_out * n_groups, sizeof *s->acc_gm);
    }
    int ok = name && s->counts && s->vth && (!n_groups || (s->acc && s->acc_gm));
    return ok ? AX_OK : AX_ERR_NOMEM;
}

/* The blocks of spiking linear `id` (out x in): the map's blocks of the
 * object holding its weight, checked to tile the matrix in whole groups, or
 * one block when there is no map. Writes them to *blocks, *n_blocks (codes
 * not yet set). */
static ax_status plan_blocks(const struct ax_func *f, uint32_t id, const struct ax_map *map,
                             struct fn_block **blocks, uint32_t *n_blocks,
                             struct ax_diag_list *diags)
{
    const struct ax_ir_node *n = &f->g->nodes[id];
    uint32_t out = n->out, in = n->in, ng = in / GROUP;
    if (!map) {
        *blocks = ax_mem_calloc(1, sizeof **blocks);
        if (!*blocks)
            return AX_ERR_NOMEM;
        (*blocks)[0] = (struct fn_block){0, out, 0, in, NULL};
        *n_blocks = 1;
        return AX_OK;
    }
    const struct ax_map_object *o = NULL;
    for (uint32_t i = 0; i < map->n_objects && !o; i++)
        if (map->objects[i].kind == AX_MAP_WEIGHTS && strcmp(map->objects[i].name, n->weight) == 0)
            o = &map->objects[i];
    const char *file = f->m->dir;
    if (!o || o->rows != out || o->cols != in || o->n_blocks == 0 ||
        o->first_block + (uint64_t)o->n_blocks > map->n_blocks) {
        ax_diag_add(diags, AX_DIAG_ERROR, file, 0, 0, "%%%u = linear (%s, %u x %u): the mapping %s",
                    id, n->weight, out, in,
                    o ? "holds it with another shape or without blocks" : "does not hold it");
        return AX_ERR_INVALID;
    }
    /* every (row, group) in exactly one block */
    uint8_t *covered = ax_mem_calloc((size_t)out * ng, 1);
    struct fn_block *b = ax_mem_calloc(o->n_blocks, sizeof *b);
    if (!covered || !b) {
        ax_mem_free(covered);
        ax_mem_free(b);
        return AX_ERR_NOMEM;
    }
    ax_status st = AX_OK;
    for (uint32_t k = 0; k < o->n_blocks && st == AX_OK; k++) {
        const struct ax_map_block *mb = &map->blocks[o->first_block + k];
        int fits = mb->rows > 0 && mb->cols > 0 && mb->row0 <= out && mb->rows <= out - mb->row0 &&
                   mb->col0 <= in && mb->cols <= in - mb->col0 && mb->col0 % GROUP == 0 &&
                   mb->cols % GROUP == 0;
        for (uint32_t r = 0; fits && r < mb->rows; r++)
            for (uint32_t g = mb->col0 / GROUP; g < (mb->col0 + mb->cols) / GROUP; g++)
                fits &= covered[(size_t)(mb->row0 + r) * ng + g]++ == 0;
        if (!fits) {
            ax_diag_add(diags, AX_DIAG_ERROR, file, 0, 0,
                        "%%%u = linear (%s): block %u (rows %u+%u, columns %u+%u) leaves the "
                        "matrix, splits a group of 128 columns or overlaps another block",
                        id, n->weight, o->first_block + k, mb->row0, mb->rows, mb->col0, mb->cols);
            st = AX_ERR_INVALID;
        }
        b[k] = (struct fn_block){mb->row0, mb->rows, mb->col0, mb->cols, NULL};
    }
    for (size_t i = 0; st == AX_OK && i < (size_t)out * ng; i++)
        if (!covered[i]) {
            ax_diag_add(diags, AX_DIAG_ERROR, file, 0, 0,
                        "%%%u = linear (%s): no block holds row %zu, columns %zu..%zu", id,
                        n->weight, i / ng, i % ng * GROUP, i % ng * GROUP + GROUP - 1);
            st = AX_ERR_INVALID;
        }
    ax_mem_free(covered);
    if (st != AX_OK) {
        ax_mem_free(b);
        return st;
    }
    *blocks = b;
    *n_blocks = o->n_blocks;
    return AX_OK;
}

/* Opens linear node `id`: its weights as a dense f32 matrix, or, when it
 * is quantized, the dequantized matrix (no spikes) or the codes laid out
 * per block and the scales (spiking). */
static ax_status open_linear(struct ax_func *f, uint32_t id, const struct ax_map *map,
                             struct ax_diag_list *diags)
{
    const struct ax_ir_node *n = &f->g->nodes[id];
    struct fn_node *fn = &f->nodes[id];
    uint32_t out = n->out, in = n->in, ng = in / GROUP;
    ax_status st = load_tensor(f, n->weight, (uint64_t)out * in, &fn->w, diags);
    if (st == AX_OK && n->bias)
        st = load_tensor(f, n->bias, out, &fn->bias, diags);
    if (st != AX_OK || n->quant != AX_IR_QUANT_INT8_G128)
        return st;

    /* the codes: recovered under stored scales (a W8ASpike checkpoint) or quantized */
    char *prefix = weight_prefix(n->weight);
    int16_t *q = ax_mem_alloc((size_t)out * in * sizeof *q);
    char sname[600];
    snprintf(sname, sizeof sname, "%s.weight_quantizer.scales", prefix ? prefix : "");
    if (!prefix || !q) {
        st = AX_ERR_NOMEM;
    } else if (ax_st_find(f->m->weights, sname)) {
        st = load_tensor(f, sname, (uint64_t)out * ng, &fn->scale, diags);
        if (st == AX_OK)
            st = codes_from_scales(f, n->weight, fn->w, fn->scale, out, in, q, diags);
    } else {
        fn->scale = ax_mem_alloc((size_t)out * ng * sizeof *fn->scale);
        if (fn->scale)
            ax_func_quantize(fn->w, out, in, q, fn->scale);
        else
            st = AX_ERR_NOMEM;
    }

    if (st == AX_OK && n->spike != AX_IR_SPIKE_SPIKE) {
        /* int8 weights with float inputs: a dense linear over W' = f32(q * scale) */
        for (uint32_t j = 0; j < out; j++)
            for (uint32_t i = 0; i < in; i++)
                fn->w[(size_t)j * in + i] = (float)((double)q[(size_t)j * in + i] *
                                                    (double)fn->scale[(size_t)j * ng + i / GROUP]);
        ax_mem_free(fn->scale);
        fn->scale = NULL;
    } else if (st == AX_OK) {
        ax_mem_free(fn->w); /* the codes replace the matrix */
        fn->w = NULL;
        st = plan_blocks(f, id, map, &fn->blocks, &fn->n_blocks, diags);
        for (uint32_t k = 0; st == AX_OK && k < fn->n_blocks; k++) {
            struct fn_block *b = &fn->blocks[k];
            b->codes = ax_mem_alloc((size_t)b->rows * b->cols * sizeof *b->codes);
            if (!b->codes) {
                st = AX_ERR_NOMEM;
                break;
            }
            for (uint32_t c = 0; c < b->cols; c++)
                for (uint32_t r = 0; r < b->rows; r++)
                    b->codes[(size_t)c * b->rows + r] = q[(size_t)(b->row0 + r) * in + b->col0 + c];
        }
        for (size_t i = 0; st == AX_OK && i < (size_t)out * in; i++) {
            uint32_t a = (uint32_t)(q[i] < 0 ? -q[i] : q[i]);
            fn->max_code = a > fn->max_code ? a : fn->max_code;
        }
        if (st == AX_OK) {
            fn->site = f->n_sites++;
            st = site_init(&f->sites[fn->site], prefix, id, in, out, ng, 1);
            prefix = NULL; /* the site owns it */
        }
    }
    ax_mem_free(prefix);
    ax_mem_free(q);
    return st;
}

/* Opens node `id`: its value buffer, weights and state. */
static ax_status open_node(struct ax_func *f, uint32_t id, const struct ax_map *map,
                           struct ax_diag_list *diags)
{
    const struct ax_ir_node *n = &f->g->nodes[id];
    struct fn_node *fn = &f->nodes[id];
    fn->site = NONE;
    if (n->op == AX_IR_INPUT)
        return AX_OK;
    fn->value = ax_mem_calloc(n->out_dim ? n->out_dim : 1, sizeof *fn->value);
    if (!fn->value)
        return AX_ERR_NOMEM;
    ax_status st = AX_OK;
    switch (n->op) {
    case AX_IR_EMBEDDING:
        fn->table = find_tensor(f, n->weight, (uint64_t)n->vocab * n->dim, &st, diags);
        break;
    case AX_IR_RMSNORM: {
        /* the weight covers the vector (dim) or one group (g_norm: head_dim) */
        const struct ax_st_tensor *t = ax_st_find(f->m->weights, n->weight);
        uint64_t len =
            t && ax_st_dtype_size(t->dtype) ? t->n_bytes / ax_st_dtype_size(t->dtype) : n->dim;
        fn->n_w = len == n->group ? n->group : n->dim;
        st = load_tensor(f, n->weight, fn->n_w, &fn->w, diags);
        break;
    }
    case AX_IR_LINEAR:
        st = open_linear(f, id, map, diags);
        break;
    case AX_IR_LM_HEAD:
        st = load_tensor(f, n->weight, (uint64_t)n->vocab * n->in, &fn->w, diags);
        break;
    case AX_IR_GLA:
        fn->gla = ax_mem_calloc((size_t)n->heads * n->head_dim * n->head_dim, sizeof *fn->gla);
        st = fn->gla ? AX_OK : AX_ERR_NOMEM;
        break;
    case AX_IR_SWA: {
        size_t kvd = (size_t)n->kv_heads * n->head_dim;
        if (n->kv == AX_IR_KV_INT8) {
            fn->kq = ax_mem_calloc((size_t)n->window * kvd, 1);
            fn->vq = ax_mem_calloc((size_t)n->window * kvd, 1);
            fn->ks = ax_mem_calloc((size_t)n->window * n->kv_heads, sizeof *fn->ks);
            fn->vs = ax_mem_calloc((size_t)n->window * n->kv_heads, sizeof *fn->vs);
            st = fn->kq && fn->vq && fn->ks && fn->vs ? AX_OK : AX_ERR_NOMEM;
        } else {
            fn->kf = ax_mem_calloc((size_t)n->window * kvd, sizeof *fn->kf);
            fn->vf = ax_mem_calloc((size_t)n->window * kvd, sizeof *fn->vf);
            st = fn->kf && fn->vf ? AX_OK : AX_ERR_NOMEM;
        }
        if (st == AX_OK && n->spike == AX_IR_SPIKE_SPIKE) {
            uint32_t qlen = n->heads * n->head_dim;
            fn->site = f->n_sites++;
            st = site_init(&f->sites[fn->site], swa_query_name(f->g, id), id, qlen, n->out_dim, 0,
                           n->heads);
        }
        break;
    }
    default:
        break;
    }
    return st;
}

/* The scratch arrays, the layer table, the logits node and the vocabulary. */
static ax_status open_scratch(struct ax_func *f)
{
    const struct ax_ir_graph *g = f->g;
    uint32_t max_d = 1, max_window = 1;
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        const struct ax_ir_node *n = &g->nodes[id];
        if (n->op == AX_IR_SWA) {
            max_d = n->head_dim > max_d ? n->head_dim : max_d;
            max_window = n->window > max_window ? n->window : max_window;
        }
        if (n->attrs_set & (1u << AX_IR_ATTR_LAYER))
            f->n_layers = n->layer + 1 > f->n_layers ? n->layer + 1 : f->n_layers;
        if (n->op == AX_IR_OUTPUT)
            f->logits_node = n->inputs[0];
        if (n->op == AX_IR_INPUT || n->op == AX_IR_EMBEDDING)
            f->vocab = n->vocab < f->vocab ? n->vocab : f->vocab;
    }
    f->qd = ax_mem_alloc(max_d * sizeof *f->qd);
    f->score = ax_mem_alloc(max_window * sizeof *f->score);
    f->events = ax_mem_alloc(EVENT_CHUNK * sizeof *f->events);
    f->layer_node = ax_mem_alloc((f->n_layers ? f->n_layers : 1) * sizeof *f->layer_node);
    if (!f->qd || !f->score || !f->events || !f->layer_node)
        return AX_ERR_NOMEM;
    for (uint32_t l = 0; l < f->n_layers; l++)
        f->layer_node[l] = NONE;
    for (uint32_t id = 0; id < g->n_nodes; id++)
        if (g->nodes[id].attrs_set & (1u << AX_IR_ATTR_LAYER))
            f->layer_node[g->nodes[id].layer] = id;
    return AX_OK;
}

ax_status ax_func_open(const struct ax_model *m, const struct ax_ir_graph *g,
                       const struct ax_map *map, const struct ax_spike_options *spike,
                       ax_func_t **out, struct ax_diag_list *diags)
{
    *out = NULL;
    char msg[200];
    if (ax_spike_options_check(spike, msg, sizeof msg) != AX_OK) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "%s", msg);
        return AX_ERR_USAGE;
    }
    if (check_ops(g, m->dir, diags) > 0)
        return AX_ERR_UNSUPPORTED;
    if (!m->weights) {
        ax_diag_add(diags, AX_DIAG_ERROR, m->dir, 0, 0,
                    "a shape-only model (no weights): the functional simulator computes values "
                    "from the weights; use counting mode");
        return AX_ERR_INVALID;
    }
    struct ax_func *f = ax_mem_calloc(1, sizeof *f);
    if (!f)
        return AX_ERR_NOMEM;
    f->m = m;
    f->g = g;
    f->spike = *spike;
    f->logits_node = NONE;
    f->vocab = UINT32_MAX;
    ax_status st = AX_OK;
    uint32_t n_spiking = 0;
    for (uint32_t id = 0; id < g->n_nodes; id++)
        n_spiking += g->nodes[id].spike == AX_IR_SPIKE_SPIKE &&
                     (g->nodes[id].op == AX_IR_LINEAR || g->nodes[id].op == AX_IR_SWA);
    f->nodes = ax_mem_calloc(g->n_nodes ? g->n_nodes : 1, sizeof *f->nodes);
    f->sites = ax_mem_calloc(n_spiking ? n_spiking : 1, sizeof *f->sites);
    if (!f->nodes || !f->sites)
        st = AX_ERR_NOMEM;
    for (uint32_t id = 0; st == AX_OK && id < g->n_nodes; id++)
        st = open_node(f, id, map, diags);
    if (st == AX_OK)
        st = open_scratch(f);
    if (st == AX_OK && f->logits_node == NONE) {
        ax_diag_add(diags, AX_DIAG_ERROR, m->dir, 0, 0, "the graph has no output node");
        st = AX_ERR_INVALID;
    }
    if (st != AX_OK) {
        if (st == AX_ERR_NOMEM)
            ax_diag_add(diags, AX_DIAG_ERROR, m->dir, 0, 0,
                        "out of memory opening the functional simulator");
        ax_func_close(f);
        return st;
    }
    *out = f;
    return AX_OK;
}

void ax_func_close(ax_func_t *f)
{
    if (!f)
        return;
    for (uint32_t id = 0; f->nodes && id < f->g->n_nodes; id++) {
        struct fn_node *fn = &f->nodes[id];
        ax_mem_free(fn->value);
        ax_mem_free(fn->w);
        ax_mem_free(fn->bias);
        ax_mem_free(fn->scale);
        for (uint32_t k = 0; fn->blocks && k < fn->n_blocks; k++)
            ax_mem_free(fn->blocks[k].codes);
        ax_mem_free(fn->blocks);
        ax_mem_free(fn->gla);
        ax_mem_free(fn->kq);
        ax_mem_free(fn->vq);
        ax_mem_free(fn->ks);
        ax_mem_free(fn->vs);
        ax_mem_free(fn->kf);
        ax_mem_free(fn->vf);
    }
    for (uint32_t i = 0; f->sites && i < f->n_sites; i++) {
        struct fn_site *s = &f->sites[i];
        ax_mem_free(s->name);
        ax_mem_free(s->counts);
        ax_mem_free(s->vth);
        ax_mem_free(s->acc);
        ax_mem_free(s->acc_gm);
    }
    ax_mem_free(f->nodes);
    ax_mem_free(f->sites);
    ax_mem_free(f->layer_node);
    ax_mem_free(f->qd);
    ax_mem_free(f->score);
    ax_mem_free(f->events);
    ax_mem_free(f);
}

void ax_func_reset(ax_func_t *f)
{
    for (uint32_t id = 0; id < f->g->n_nodes; id++) {
        const struct ax_ir_node *n = &f->g->nodes[id];
        struct fn_node *fn = &f->nodes[id];
        size_t kvd = (size_t)n->kv_heads * n->head_dim;
        if (fn->gla)
            memset(fn->gla, 0, (size_t)n->heads * n->head_dim * n->head_dim * sizeof *fn->gla);
        if (fn->kq) {
            memset(fn->kq, 0, (size_t)n->window * kvd);
            memset(fn->vq, 0, (size_t)n->window * kvd);
            memset(fn->ks, 0, (size_t)n->window * n->kv_heads * sizeof *fn->ks);
            memset(fn->vs, 0, (size_t)n->window * n->kv_heads * sizeof *fn->vs);
        }
        if (fn->kf) {
            memset(fn->kf, 0, (size_t)n->window * kvd * sizeof *fn->kf);
            memset(fn->vf, 0, (size_t)n->window * kvd * sizeof *fn->vf);
        }
    }
    f->pos = 0;
    f->is_broken = 0;
}

/* ---- dense operations (docs/semantics.md, "Dense operations") -------------------------------- */

/* per group: y = f32(f64(x) / sqrt(mean(x^2) + eps)) * w, the weight taken
 * modulo its length (the whole vector, or one group for g_norm) */
static void rmsnorm(const float *x, uint32_t n, uint32_t group, const float *w, uint64_t w_len,
                    double eps, float *y)
{
    for (uint32_t g0 = 0; g0 < n; g0 += group) {
        double ss = -0.0;
        for (uint32_t i = 0; i < group; i++)
            ss += (double)x[g0 + i] * (double)x[g0 + i];
        double r = 1.0 / sqrt(ss / (double)group + eps);
        for (uint32_t i = 0; i < group; i++)
            y[g0 + i] = (float)((double)x[g0 + i] * r) * w[(g0 + i) % w_len];
    }
}

/* p_g = sum over group g of f64(W) f64(x); y = f32(((p_0 + p_1) + ...)) + b */
static void linear_dense(const float *W, const float *b, const float *x, uint32_t in, uint32_t out,
                         float *y)
{
    for (uint32_t j = 0; j < out; j++) {
        const float *row = W + (size_t)j * in;
        double tot = -0.0;
        for (uint32_t g0 = 0; g0 < in; g0 += GROUP) {
            double p = -0.0;
            for (uint32_t i = g0; i < in && i < g0 + GROUP; i++)
                p += (double)row[i] * (double)x[i];
            tot += p;
        }
        y[j] = b ? (float)tot + b[j] : (float)tot;
    }
}

static void rope(const float *x, uint32_t heads, uint32_t d, double theta, uint64_t pos, float *y)
{
    for (uint32_t i = 0; i < d / 2; i++) {
        double inv = pow(theta, (double)(-2 * (int64_t)i) / (double)d);
        double a = (double)pos * inv;
        double c = cos(a), s = sin(a);
        for (uint32_t h = 0; h < heads; h++) {
            double x1 = x[h * d + i], x2 = x[h * d + i + d / 2];
            y[h * d + i] = (float)(x1 * c - x2 * s);
            y[h * d + i + d / 2] = (float)(x2 * c + x1 * s);
        }
    }
}

static float relu(float x)
{
    return x > 0.0f ? x : 0.0f;
}

/* GLA with one state per query head (the query heads of a kv head hold equal
 * states): the state is decayed and updated, then read. */
static void gla(const struct ax_ir_node *n, float *S_all, const float *q, const float *k,
                const float *v, const float *g, float *o)
{
    uint32_t d = n->head_dim, group = n->heads / n->kv_heads;
    for (uint32_t h = 0; h < n->heads; h++) {
        uint32_t hk = h / group;
        float *S = S_all + (size_t)h * d * d;
        for (uint32_t ch = 0; ch < d; ch++) {
            double z = g[hk * d + ch];
            double ls = z >= 0 ? -log1p(exp(-z)) : z - log1p(exp(z));
            float decay = (float)exp(ls / n->normalizer);
            float kc = relu(k[hk * d + ch]);
            for (uint32_t e = 0; e < d; e++)
                S[ch * d + e] = (float)((double)decay * (double)S[ch * d + e] +
                                        (double)kc * (double)v[hk * d + e]);
        }
        for (uint32_t e = 0; e < d; e++) {
            double acc = -0.0;
            for (uint32_t ch = 0; ch < d; ch++)
                acc += (double)relu(q[h * d + ch]) * (double)S[ch * d + e];
            o[h * d + e] = (float)(acc * (1.0 / sqrt((double)d)));
        }
    }
}

/* One head's key or value as int8 codes and a scale. */
static void kv_int8(const float *x, uint32_t d, int8_t *code, float *scale)
{
    float amax = 0.0f;
    for (uint32_t i = 0; i < d; i++)
        if (fabsf(x[i]) > amax)
            amax = fabsf(x[i]);
    *scale = amax / 127.0f;
    for (uint32_t i = 0; i < d; i++) {
        double r = *scale == 0.0f ? 0.0 : nearbyint((double)x[i] / (double)*scale);
        if (r != r)
            r = 0.0; /* a NaN has no code: never cast it */
        if (r > 127)
            r = 127;
        if (r < -128)
            r = -128;
        code[i] = (int8_t)r;
    }
}

/* ---- spikes (docs/semantics.md, "The spiking linear layer") ---------------------------------- */

/* The threshold of x[0..n) and its counts s, saturated at the options'
 * bound (ax_func.h). */
float ax_func_encode(const struct ax_spike_options *o, const float *x, uint32_t n, int32_t *s)
{
    double a = -0.0;
    for (uint32_t i = 0; i < n; i++)
        a += fabs((double)x[i]);
    float V = (float)((a / (double)n) / o->k);
    if (V < 1e-5f)
        V = 1e-5f;
    if (V > 1e4f)
        V = 1e4f;
    double bound = (double)ax_spike_count_bound(o);
    for (uint32_t i = 0; i < n; i++) {
        double r = nearbyint((double)x[i] / (double)V);
        if (r != r)
            r = 0.0; /* NaN input or threshold: no spikes, never a cast of NaN */
        if (r > bound)
            r = bound;
        if (r < -bound)
            r = -bound;
        s[i] = (int32_t)r;
    }
    return V;
}

static uint32_t magnitude(int32_t s)
{
    return s < 0 ? 0u - (uint32_t)s : (uint32_t)s;
}

/* The spike events of counts s[0..n) under `enc`. */
static uint64_t count_events(enum ax_spike_encoding enc, const int32_t *s, uint32_t n)
{
    uint64_t e = 0;
    for (uint32_t i = 0; i < n; i++)
        e += ax_spike_events(enc, magnitude(s[i]));
    return e;
}

/* Events on their way to one block's group: buffered, then handed to the
 * kernel EVENT_CHUNK at a time. */
struct fn_sender {
    const int16_t *codes; /* the group's first column */
    uint32_t rows;
    int32_t *acc; /* the block's rows of the group */
    struct ax_syn_event *buf;
    uint32_t n;
    uint64_t n_sent;
};

static void send_flush(struct fn_sender *s)
{
    ax_func_synacc(s->codes, s->rows, s->buf, s->n, s->acc);
    s->n_sent += s->n;
    s->n = 0;
}

static void send(struct fn_sender *s, uint32_t col, int32_t weight)
{
    if (s->n == EVENT_CHUNK)
        send_flush(s);
    s->buf[s->n++] = (struct ax_syn_event){col, weight};
}

/* Sends the events of counts s[c0, c1) (one group of a block) through `out`:
 * bitwise, one per set bit of |s| with weight +-2^t, most significant bit
 * first; ternary and binary, |s| events of weight +-1. */
static void send_group(enum ax_spike_encoding enc, const int32_t *s, uint32_t c0, uint32_t c1,
                       struct fn_sender *out)
{
    for (uint32_t c = c0; c < c1; c++) {
        if (s[c] == 0)
            continue;
        uint32_t mag = magnitude(s[c]);
        int32_t sign = s[c] < 0 ? -1 : 1;
        if (enc == AX_SPIKE_ENCODING_BITWISE) {
            uint32_t t = 0;
            while (t < 31 && mag >> t) /* the bit length; |s| <= 2^30 */
                t++;
            while (t-- > 0)
                if ((mag >> t) & 1u)
                    send(out, c - c0, sign * (int32_t)(1u << t));
        } else {
            for (uint32_t k = 0; k < mag; k++)
                send(out, c - c0, sign);
        }
    }
    send_flush(out);
}

/* A spiking linear: encode x, check the accumulator bound, run the events
 * through every block, form the output from the accumulators. */
static ax_status linear_spiking(struct ax_func *f, uint32_t id, const float *x,
                                struct ax_diag_list *diags)
{
    const struct ax_ir_node *n = &f->g->nodes[id];
    struct fn_node *fn = &f->nodes[id];
    struct fn_site *s = &f->sites[fn->site];
    uint32_t in = n->in, out = n->out, ng = s->n_groups;
    for (uint32_t i = 0; i < in; i++) {
        if (!isfinite(x[i])) { /* no count exists for it: the reference says the same */
            ax_diag_add(diags, AX_DIAG_ERROR, f->m->dir, 0, 0,
                        "%s at position %llu: its input element %u is %s; a value overflowed "
                        "float32 (weights or activations too large), so no spike count exists "
                        "for it", s->name, (unsigned long long)f->pos, i,
                        isnan(x[i]) ? "NaN" : "infinite");
            return AX_ERR_INVALID;
        }
    }
    float V = ax_func_encode(&f->spike, x, in, s->counts);
    s->vth[0] = V;
    uint64_t max_s = 0;
    for (uint32_t i = 0; i < in; i++)
        max_s = magnitude(s->counts[i]) > max_s ? magnitude(s->counts[i]) : max_s;
    if ((uint64_t)GROUP * max_s * fn->max_code >= ((uint64_t)1 << 31)) {
        ax_diag_add(diags, AX_DIAG_ERROR, f->m->dir, 0, 0,
                    "%s at position %llu: 128 * max|s| (%llu) * max|q| (%u) exceeds the int32 "
                    "accumulators; use a smaller --k or a fixed --steps",
                    s->name, (unsigned long long)f->pos, (unsigned long long)max_s, fn->max_code);
        return AX_ERR_LIMIT;
    }

    memset(s->acc_gm, 0, (size_t)ng * out * sizeof *s->acc_gm);
    s->n_events = count_events(f->spike.encoding, s->counts, in);
    s->n_synops = 0;
    for (uint32_t k = 0; k < fn->n_blocks; k++) {
        const struct fn_block *b = &fn->blocks[k];
        for (uint32_t c0 = b->col0; c0 < b->col0 + b->cols; c0 += GROUP) {
            struct fn_sender snd = {
                .codes = b->codes + (size_t)(c0 - b->col0) * b->rows,
                .rows = b->rows,
                .acc = s->acc_gm + (size_t)(c0 / GROUP) * out + b->row0,
                .buf = f->events,
            };
            send_group(f->spike.encoding, s->counts, c0, c0 + GROUP, &snd);
            s->n_synops += snd.n_sent * b->rows;
        }
    }

    /* y_j = f32(f64(V) * sum_g f64(scale[j,g]) * f64(acc_g[j])) + b_j */
    float *y = fn->value;
    for (uint32_t j = 0; j < out; j++) {
        double tot = -0.0;
        for (uint32_t g = 0; g < ng; g++) {
            int32_t a = s->acc_gm[(size_t)g * out + j];
            s->acc[(size_t)j * ng + g] = a;
            tot += (double)fn->scale[(size_t)j * ng + g] * (double)a;
        }
        double yj = (double)V * tot;
        y[j] = fn->bias ? (float)yj + fn->bias[j] : (float)yj;
        if (!isfinite(y[j])) {
            ax_diag_add(diags, AX_DIAG_ERROR, f->m->dir, 0, 0,
                        "%s at position %llu: its output element %u is %s; a value overflowed "
                        "float32 (weights or activations too large), so no spike count exists "
                        "for it", s->name, (unsigned long long)f->pos, j,
                        isnan(y[j]) ? "NaN" : "infinite");
            return AX_ERR_INVALID;
        }
    }
    return AX_OK;
}

/* Sliding-window attention over a ring of the last `window` keys and values
 * (int8 with a scale per head, or f32); the query spikes per head when the
 * node says so. */
static void swa(struct ax_func *f, uint32_t id, const float *q, const float *k, const float *v)
{
    const struct ax_ir_node *n = &f->g->nodes[id];
    struct fn_node *fn = &f->nodes[id];
    struct fn_site *site = fn->site != NONE ? &f->sites[fn->site] : NULL;
    uint32_t d = n->head_dim, kvh = n->kv_heads, kvd = kvh * d, w = n->window;
    uint32_t group = n->heads / kvh;
    uint64_t p = f->pos;
    int is_int8 = n->kv == AX_IR_KV_INT8;
    size_t slot = (size_t)(p % w);
    if (is_int8) {
        for (uint32_t hk = 0; hk < kvh; hk++) {
            kv_int8(k + hk * d, d, fn->kq + slot * kvd + hk * d, fn->ks + slot * kvh + hk);
            kv_int8(v + hk * d, d, fn->vq + slot * kvd + hk * d, fn->vs + slot * kvh + hk);
        }
    } else {
        memcpy(fn->kf + slot * kvd, k, kvd * sizeof *k);
        memcpy(fn->vf + slot * kvd, v, kvd * sizeof *v);
    }
    uint64_t j0 = p + 1 >= w ? p + 1 - w : 0;
    double *qd = f->qd, *score = f->score; /* score[j - j0] */
    float *o = fn->value;
    for (uint32_t h = 0; h < n->heads; h++) {
        uint32_t hk = h / group;
        if (site) {
            float V = ax_func_encode(&f->spike, q + h * d, d, site->counts + h * d);
            site->vth[h] = V;
            for (uint32_t i = 0; i < d; i++)
                qd[i] = (double)site->counts[h * d + i] * (double)V;
        } else {
            for (uint32_t i = 0; i < d; i++)
                qd[i] = (double)q[h * d + i];
        }
        for (uint64_t j = j0; j <= p; j++) {
            size_t at = (size_t)(j % w);
            double sum = -0.0;
            for (uint32_t i = 0; i < d; i++) {
                double kv =
                    is_int8 ? (double)fn->kq[at * kvd + hk * d + i] * (double)fn->ks[at * kvh + hk]
                            : (double)fn->kf[at * kvd + hk * d + i];
                sum += qd[i] * kv;
            }
            score[j - j0] = sum * (1.0 / sqrt((double)d));
        }
        double mx = score[0];
        for (uint64_t j = j0 + 1; j <= p; j++)
            if (score[j - j0] > mx)
                mx = score[j - j0];
        double Z = -0.0;
        for (uint64_t j = j0; j <= p; j++) {
            score[j - j0] = exp(score[j - j0] - mx);
            Z += score[j - j0];
        }
        for (uint32_t i = 0; i < d; i++) {
            double acc = -0.0;
            for (uint64_t j = j0; j <= p; j++) {
                size_t at = (size_t)(j % w);
                double vv =
                    is_int8 ? (double)fn->vq[at * kvd + hk * d + i] * (double)fn->vs[at * kvh + hk]
                            : (double)fn->vf[at * kvd + hk * d + i];
                acc += score[j - j0] * vv;
            }
            o[h * d + i] = (float)(acc / Z);
        }
    }
    if (site)
        site->n_events = count_events(f->spike.encoding, site->counts, site->n_in);
}

/* ---- stepping -------------------------------------------------------------------------------- */

/* Runs node `id` on the values of its operands. */
static ax_status run_node(struct ax_func *f, uint32_t id, struct ax_diag_list *diags)
{
    const struct ax_ir_node *n = &f->g->nodes[id];
    struct fn_node *fn = &f->nodes[id];
    const float *x[AX_IR_MAX_INPUTS] = {NULL};
    for (uint32_t i = 0; i < n->n_inputs; i++)
        x[i] = f->nodes[n->inputs[i]].value;
    float *y = fn->value;
    switch (n->op) {
    case AX_IR_INPUT:
        break;
    case AX_IR_EMBEDDING:
        for (uint32_t i = 0; i < n->dim; i++)
            y[i] = tensor_element(fn->table, (uint64_t)f->token * n->dim + i);
        break;
    case AX_IR_RMSNORM:
        rmsnorm(x[0], n->out_dim, n->group, fn->w, fn->n_w, n->eps, y);
        break;
    case AX_IR_LINEAR:
        if (fn->site != NONE)
            return linear_spiking(f, id, x[0], diags);
        linear_dense(fn->w, fn->bias, x[0], n->in, n->out, y);
        break;
    case AX_IR_LM_HEAD:
        linear_dense(fn->w, NULL, x[0], n->in, n->vocab, y);
        break;
    case AX_IR_ROPE:
        rope(x[0], n->heads, n->head_dim, n->theta, f->pos, y);
        break;
    case AX_IR_SWA:
        swa(f, id, x[0], x[1], x[2]);
        break;
    case AX_IR_GLA:
        gla(n, fn->gla, x[0], x[1], x[2], x[3], y);
        break;
    case AX_IR_SWIGLU:
        for (uint32_t i = 0; i < n->out_dim; i++) {
            double z = x[0][i];
            double silu = z / (1.0 + exp(-z));
            y[i] = (float)(silu * (double)x[1][i]);
        }
        break;
    case AX_IR_ADD:
        for (uint32_t i = 0; i < n->out_dim; i++)
            y[i] = x[0][i] + x[1][i];
        break;
    case AX_IR_MERGE:
        for (uint32_t i = 0; i < n->out_dim; i++)
            y[i] = (float)(((double)x[0][i] + (double)x[1][i]) / 2.0);
        break;
    case AX_IR_OUTPUT:
        memcpy(y, x[0], n->out_dim * sizeof *y);
        break;
    default: /* refused by ax_func_open */
        AX_ASSERT(!"op the functional simulator does not run");
        break;
    }
    return AX_OK;
}

ax_status ax_func_step(ax_func_t *f, int32_t token, struct ax_diag_list *diags)
{
    if (f->is_broken) {
        ax_diag_add(diags, AX_DIAG_ERROR, f->m->dir, 0, 0,
                    "a functional step failed; reset the run first");
        return AX_ERR_INVALID;
    }
    if (token < 0 || (uint32_t)token >= f->vocab) {
        ax_diag_add(diags, AX_DIAG_ERROR, f->m->dir, 0, 0,
                    "token %d is outside the vocabulary (0..%u)", token, f->vocab - 1);
        return AX_ERR_INVALID;
    }
    f->token = token;
    for (uint32_t id = 0; id < f->g->n_nodes; id++) {
        ax_status st = run_node(f, id, diags);
        if (st != AX_OK) {
            f->is_broken = 1;
            return st;
        }
    }
    f->pos++;
    return AX_OK;
}

/* ---- results --------------------------------------------------------------------------------- */

uint64_t ax_func_position(const ax_func_t *f)
{
    return f->pos;
}

const float *ax_func_logits(const ax_func_t *f)
{
    return f->nodes[f->logits_node].value;
}

uint32_t ax_func_vocab(const ax_func_t *f)
{
    return f->g->nodes[f->logits_node].out_dim;
}

const float *ax_func_value(const ax_func_t *f, uint32_t node)
{
    return node < f->g->n_nodes ? f->nodes[node].value : NULL;
}

const float *ax_func_layer_output(const ax_func_t *f, uint32_t layer)
{
    if (layer >= f->n_layers || f->layer_node[layer] == NONE)
        return NULL;
    return f->nodes[f->layer_node[layer]].value;
}

uint32_t ax_func_n_sites(const ax_func_t *f)
{
    return f->n_sites;
}

void ax_func_site(const ax_func_t *f, uint32_t i, struct ax_func_site *out)
{
    const struct fn_site *s = &f->sites[i];
    const struct fn_node *fn = &f->nodes[s->node];
    *out = (struct ax_func_site){
        .name = s->name,
        .node = s->node,
        .n_in = s->n_in,
        .n_out = s->n_out,
        .n_groups = s->n_groups,
        .n_vth = s->n_vth,
        .counts = s->counts,
        .vth = s->vth,
        .acc = s->acc,
        .output = fn->value,
        .n_blocks = fn->n_blocks,
        .n_events = s->n_events,
        .n_synops = s->n_synops,
    };
}

/* ---- comparing with the reference ------------------------------------------------------------ */

/* Counts one mismatch; the first one's description is kept. */
static void mismatch(struct ax_func_cmp *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void mismatch(struct ax_func_cmp *c, const char *fmt, ...)
{
    if (c->n_mismatch++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->first_mismatch, sizeof c->first_mismatch, fmt, ap);
        va_end(ap);
    }
}

/* The reference's spiking site called `name`, or 0. */
static int find_ref_site(const ax_ref_session_t *ref, const char *name, struct ax_ref_site *out)
{
    for (uint32_t k = 0; k < ax_ref_session_n_sites(ref); k++) {
        ax_ref_session_site(ref, k, out);
        if (out->is_spiking && strcmp(out->name, name) == 0)
            return 1;
    }
    return 0;
}

/* Site s's block-wise accumulators against the dot of the reference's
 * counts with the codes, per (row, group), in 64 bits. */
static ax_status compare_acc(const struct ax_func *f, const struct fn_site *s,
                             const int32_t *ref_counts, struct ax_func_cmp *c)
{
    const struct fn_node *fn = &f->nodes[s->node];
    for (uint32_t k = 0; k < fn->n_blocks; k++) {
        const struct fn_block *b = &fn->blocks[k];
        int64_t *dot = ax_mem_alloc((b->rows ? b->rows : 1) * sizeof *dot);
        if (!dot)
            return AX_ERR_NOMEM;
        for (uint32_t c0 = b->col0; c0 < b->col0 + b->cols; c0 += GROUP) {
            for (uint32_t r = 0; r < b->rows; r++)
                dot[r] = 0;
            for (uint32_t col = c0; col < c0 + GROUP; col++) {
                const int16_t *q = b->codes + (size_t)(col - b->col0) * b->rows;
                for (uint32_t r = 0; r < b->rows; r++)
                    dot[r] += (int64_t)ref_counts[col] * q[r];
            }
            uint32_t g = c0 / GROUP;
            for (uint32_t r = 0; r < b->rows; r++) {
                int32_t got = s->acc[(size_t)(b->row0 + r) * s->n_groups + g];
                c->n_checked++;
                if (got != dot[r])
                    mismatch(c, "%s: acc[%u][%u] %d, the reference's counts give %lld", s->name,
                             b->row0 + r, g, got, (long long)dot[r]);
            }
        }
        ax_mem_free(dot);
    }
    return AX_OK;
}

ax_status ax_func_compare(const ax_func_t *f, const ax_ref_session_t *ref, struct ax_func_cmp *out)
{
    memset(out, 0, sizeof *out);
    if (ax_ref_session_position(ref) != f->pos)
        return AX_ERR_INVALID;
    for (uint32_t i = 0; i < f->n_sites; i++) {
        const struct fn_site *s = &f->sites[i];
        struct ax_ref_site r;
        if (!find_ref_site(ref, s->name, &r) || r.n_in != s->n_in || r.n_vth != s->n_vth) {
            mismatch(out, "%s: the reference has no spiking site of that name and shape", s->name);
            continue;
        }
        for (uint32_t k = 0; k < s->n_in; k++) {
            out->n_checked++;
            if (s->counts[k] != r.counts[k])
                mismatch(out, "%s: counts[%u] %d, reference %d", s->name, k, s->counts[k],
                         r.counts[k]);
        }
        for (uint32_t k = 0; k < s->n_vth; k++) {
            out->n_checked++;
            if (memcmp(&s->vth[k], &r.vth[k], sizeof(float)) != 0)
                mismatch(out, "%s: vth[%u] %.9g, reference %.9g", s->name, k, (double)s->vth[k],
                         (double)r.vth[k]);
        }
        if (s->acc) {
            ax_status st = compare_acc(f, s, r.counts, out);
            if (st != AX_OK)
                return st;
        }
    }
    for (uint32_t k = 0; k < ax_ref_session_n_sites(ref); k++) {
        struct ax_ref_site r;
        ax_ref_session_site(ref, k, &r);
        uint32_t i = 0;
        while (i < f->n_sites && strcmp(f->sites[i].name, r.name) != 0)
            i++;
        if (r.is_spiking && i == f->n_sites)
            mismatch(out, "%s: spikes in the reference only", r.name);
    }
    uint32_t vocab = ax_func_vocab(f);
    if (ax_ref_session_vocab(ref) != vocab) {
        mismatch(out, "logits: %u here, %u in the reference", vocab, ax_ref_session_vocab(ref));
        out->logits_rel_err = INFINITY;
        return AX_OK;
    }
    const float *a = ax_func_logits(f), *b = ax_ref_session_logits(ref);
    double diff = -0.0, norm = -0.0;
    for (uint32_t v = 0; v < vocab; v++) {
        double dv = (double)a[v] - (double)b[v];
        diff += dv * dv;
        norm += (double)b[v] * (double)b[v];
    }
    out->logits_rel_err = norm > 0.0 ? sqrt(diff) / sqrt(norm) : diff > 0.0 ? INFINITY : 0.0;
    return AX_OK;
}
