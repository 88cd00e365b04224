/* The reference's plan: buffers, phases and spike sites of a graph
 * (ref_internal.h). Needs no weights, so `axon compile --emit llvm` works on
 * shape-only models. */
#include "ref_internal.h"

#include "ax_mem.h"
#include "ax_pass.h"

#include <stdio.h>
#include <string.h>

static const char *const phase_names[] = {
#define X(name, str, meaning) str,
#include "ref_phases.def"
#undef X
};
_Static_assert(sizeof phase_names / sizeof phase_names[0] == REF_PHASE_COUNT, "phase names");

const char *ax_ref_phase_str(enum ref_phase_kind k)
{
    return (unsigned)k < REF_PHASE_COUNT ? phase_names[k] : "?";
}

uint32_t ax_ref_elem_size(enum ref_elem e)
{
    static const uint32_t sizes[] = {4, 8, 4, 2, 1, 2, 2};
    _Static_assert(sizeof sizes / sizeof sizes[0] == REF_ELEM_COUNT, "element sizes");
    return (unsigned)e < REF_ELEM_COUNT ? sizes[e] : 0;
}

const char *ax_ref_elem_str(enum ref_elem e)
{
    static const char *const names[] = {"f32", "f64", "i32", "i16", "i8", "bf16", "f16"};
    _Static_assert(sizeof names / sizeof names[0] == REF_ELEM_COUNT, "element names");
    return (unsigned)e < REF_ELEM_COUNT ? names[e] : "?";
}

const char *ax_ref_buf_kind_str(enum ref_buf_kind k)
{
    static const char *const names[] = {"weight", "state", "act", "probe", "scratch"};
    _Static_assert(sizeof names / sizeof names[0] == REF_BUF_COUNT, "buffer kind names");
    return (unsigned)k < REF_BUF_COUNT ? names[k] : "?";
}

struct builder {
    struct ax_ref_plan *p;
    const struct ax_st_checkpoint *ck; /* NULL: shape-only */
    const char *file;
    struct ax_diag_list *diags;
    ax_status st;
};

static uint32_t round_up(uint32_t n, uint32_t m)
{
    return (n + m - 1) / m * m;
}

/* Appends a buffer; returns its index (REF_NONE after a failure). */
static uint32_t add_buf(struct builder *b, enum ref_buf_kind kind, enum ref_elem elem,
                        enum ref_fill fill, uint64_t n_elems, const char *tensor, uint32_t node)
{
    struct ax_ref_plan *p = b->p;
    if (b->st != AX_OK)
        return REF_NONE;
    if (p->n_bufs == p->cap_bufs) {
        uint32_t cap = p->cap_bufs ? 2 * p->cap_bufs : 64;
        struct ref_buf *bufs = ax_mem_realloc(p->bufs, (size_t)cap * sizeof *bufs);
        if (!bufs) {
            b->st = AX_ERR_NOMEM;
            return REF_NONE;
        }
        p->bufs = bufs;
        p->cap_bufs = cap;
    }
    struct ref_buf *r = &p->bufs[p->n_bufs];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->elem = elem;
    r->fill = fill;
    r->n_elems = n_elems ? n_elems : 1;
    r->tensor = tensor;
    r->node = node;
    return p->n_bufs++;
}

/* Appends a phase whose arguments are the buffers args[0..n_args) (the
 * order of ref_internal.h's table; REF_NONE entries are left out). */
static void add_phase(struct builder *b, enum ref_phase_kind kind, uint32_t node, uint32_t n_items,
                      const uint32_t *args, uint32_t n_args)
{
    struct ax_ref_plan *p = b->p;
    if (b->st != AX_OK)
        return;
    if (p->n_phases == p->cap_phases) {
        uint32_t cap = p->cap_phases ? 2 * p->cap_phases : 64;
        struct ref_phase *ph = ax_mem_realloc(p->phases, (size_t)cap * sizeof *ph);
        if (!ph) {
            b->st = AX_ERR_NOMEM;
            return;
        }
        p->phases = ph;
        p->cap_phases = cap;
    }
    if (p->n_args + n_args > p->cap_args) {
        uint32_t cap = p->cap_args ? 2 * p->cap_args : 256;
        while (cap < p->n_args + n_args)
            cap *= 2;
        uint32_t *a = ax_mem_realloc(p->args, (size_t)cap * sizeof *a);
        if (!a) {
            b->st = AX_ERR_NOMEM;
            return;
        }
        p->args = a;
        p->cap_args = cap;
    }
    uint32_t arg0 = p->n_args;
    for (uint32_t i = 0; i < n_args; i++) {
        if (args[i] != REF_NONE)
            p->args[p->n_args++] = args[i];
    }
    p->phases[p->n_phases++] = (struct ref_phase){kind, node, n_items, arg0, p->n_args - arg0};
}

static uint32_t add_site(struct builder *b, const char *name, uint32_t node, uint32_t input_node,
                         uint32_t n_in, uint32_t n_out, uint32_t n_vth, int is_spiking)
{
    struct ax_ref_plan *p = b->p;
    if (b->st != AX_OK)
        return REF_NONE;
    if (p->n_sites == p->cap_sites) {
        uint32_t cap = p->cap_sites ? 2 * p->cap_sites : 32;
        struct ref_site *s = ax_mem_realloc(p->sites, (size_t)cap * sizeof *s);
        if (!s) {
            b->st = AX_ERR_NOMEM;
            return REF_NONE;
        }
        p->sites = s;
        p->cap_sites = cap;
    }
    const char *copy = ax_arena_strdup(&p->arena, name);
    if (!copy) {
        b->st = AX_ERR_NOMEM;
        return REF_NONE;
    }
    p->sites[p->n_sites] =
        (struct ref_site){copy, node, input_node, n_in, n_out, n_vth, (uint8_t)(is_spiking != 0)};
    return p->n_sites++;
}

static void unsupported(struct builder *b, uint32_t id, const char *what)
{
    const struct ax_ir_node *n = &b->p->g->nodes[id];
    ax_diag_add(b->diags, AX_DIAG_ERROR, b->file, n->line, n->line ? 1 : 0,
                "%%%u = %s: the reference does not run %s", id, ax_ir_op_str(n->op), what);
    if (b->st == AX_OK)
        b->st = AX_ERR_UNSUPPORTED;
}

/* The weight name without ".weight" (the site's name). */
static const char *weight_prefix(struct builder *b, const char *weight)
{
    size_t n = strlen(weight);
    if (n > 7 && strcmp(weight + n - 7, ".weight") == 0)
        n -= 7;
    const char *s = ax_arena_strndup(&b->p->arena, weight, n);
    if (!s && b->st == AX_OK)
        b->st = AX_ERR_NOMEM;
    return s ? s : "";
}

/* The SWA query site's name: the q projection's prefix with ".q_proj"
 * replaced by ".swa_query" (found through the RoPE on q), or
 * model.layers.N.attn.swa_query. */
static void swa_query_name(const struct ax_ir_graph *g, uint32_t id, char *out, size_t size)
{
    const struct ax_ir_node *n = &g->nodes[id];
    const struct ax_ir_node *q = &g->nodes[n->inputs[0]];
    if (q->op == AX_IR_ROPE)
        q = &g->nodes[q->inputs[0]];
    if (q->op == AX_IR_LINEAR && q->weight) {
        const char *dot = strstr(q->weight, ".q_proj.weight");
        if (dot) {
            snprintf(out, size, "%.*s.swa_query", (int)(dot - q->weight), q->weight);
            return;
        }
    }
    snprintf(out, size, "model.layers.%u.attn.swa_query", n->layer);
}

/* The element type a dense weight keeps: the checkpoint's 16-bit float
 * formats as they are (exact), everything else f32. */
static enum ref_elem dense_elem(struct builder *b, const char *tensor)
{
    const struct ax_st_tensor *t = b->ck ? ax_st_find(b->ck, tensor) : NULL;
    if (t && t->dtype == AX_ST_DTYPE_BF16)
        return REF_ELEM_BF16;
    if (t && t->dtype == AX_ST_DTYPE_F16)
        return REF_ELEM_F16;
    return REF_ELEM_F32;
}

/* Codes fit i8 when quantized here; a W8ASpike checkpoint's stored scales
 * can give codes beyond int8, kept as i16. */
static enum ref_elem code_elem(struct builder *b, const char *tensor)
{
    char name[320];
    size_t len = strlen(tensor);
    if (len > 7 && strcmp(tensor + len - 7, ".weight") == 0)
        len -= 7;
    snprintf(name, sizeof name, "%.*s.weight_quantizer.scales", (int)len, tensor);
    return b->ck && ax_st_find(b->ck, name) ? REF_ELEM_I16 : REF_ELEM_I8;
}

static void plan_linear(struct builder *b, uint32_t id, const struct ax_ir_node *n)
{
    struct ref_node *rn = &b->p->nodes[id];
    int is_lm = n->op == AX_IR_LM_HEAD;
    uint32_t out = is_lm ? n->vocab : n->out;
    uint32_t n_blocks = round_up(out, REF_RB) / REF_RB;
    uint32_t n_groups = round_up(n->in, REF_GROUP) / REF_GROUP;
    uint64_t packed = (uint64_t)n_blocks * REF_RB * n->in;
    int is_int8 = !is_lm && n->quant == AX_IR_QUANT_INT8_G128;
    int is_spike = !is_lm && n->spike == AX_IR_SPIKE_SPIKE;
    if (is_spike && !is_int8) {
        unsupported(b, id,
                    "a spiking input with float weights (spike=spike needs quant=int8_g128)");
        return;
    }
    uint32_t w;
    if (is_spike) {
        rn->codes = add_buf(b, REF_BUF_WEIGHT, code_elem(b, n->weight), REF_FILL_CODES, packed,
                            n->weight, id);
        rn->scales = add_buf(b, REF_BUF_WEIGHT, REF_ELEM_F32, REF_FILL_SCALES,
                             (uint64_t)n_blocks * n_groups * REF_RB, n->weight, id);
        rn->counts = add_buf(b, REF_BUF_PROBE, REF_ELEM_I32, REF_FILL_ZERO, n->in, NULL, id);
        rn->vth = add_buf(b, REF_BUF_PROBE, REF_ELEM_F32, REF_FILL_ZERO, 1, NULL, id);
        w = rn->codes;
    } else {
        rn->w = add_buf(b, REF_BUF_WEIGHT, is_int8 ? REF_ELEM_F32 : dense_elem(b, n->weight),
                        is_int8 ? REF_FILL_ROWS_DEQ : REF_FILL_ROWS, packed, n->weight, id);
        w = rn->w;
    }
    if (b->st != AX_OK)
        return;
    b->p->bufs[w].rows = out;
    b->p->bufs[w].cols = n->in;
    if (rn->scales != REF_NONE) {
        b->p->bufs[rn->scales].rows = out;
        b->p->bufs[rn->scales].cols = n->in;
    }
    if (!is_lm && n->bias) {
        rn->b = add_buf(b, REF_BUF_WEIGHT, REF_ELEM_F32, REF_FILL_BIAS, (uint64_t)n_blocks * REF_RB,
                        n->bias, id);
        if (b->st == AX_OK)
            b->p->bufs[rn->b].rows = out;
    }
    uint32_t x = b->p->nodes[n->inputs[0]].out;
    if (is_spike) {
        add_phase(b, REF_PHASE_ENCODE, id, 1, (const uint32_t[]){x, rn->counts, rn->vth}, 3);
        add_phase(b, REF_PHASE_SPIKE_LINEAR, id, n_blocks,
                  (const uint32_t[]){rn->codes, rn->scales, rn->counts, rn->vth, rn->out, rn->b},
                  6);
    } else {
        add_phase(b, REF_PHASE_LINEAR, id, n_blocks, (const uint32_t[]){x, rn->w, rn->out, rn->b},
                  4);
    }
}

static void plan_node(struct builder *b, uint32_t id)
{
    const struct ax_ir_graph *g = b->p->g;
    const struct ax_ir_node *n = &g->nodes[id];
    struct ref_node *rn = &b->p->nodes[id];
    uint32_t d = n->head_dim;
    /* the operands' activations */
    uint32_t in[AX_IR_MAX_INPUTS] = {REF_NONE, REF_NONE, REF_NONE, REF_NONE};
    for (uint32_t k = 0; k < n->n_inputs && k < AX_IR_MAX_INPUTS; k++)
        in[k] = b->p->nodes[n->inputs[k]].out;
    if (n->op != AX_IR_INPUT && n->op != AX_IR_OUTPUT)
        rn->out = add_buf(b, REF_BUF_ACT, REF_ELEM_F32, REF_FILL_ZERO, round_up(n->out_dim, REF_RB),
                          NULL, id);
    switch (n->op) {
    case AX_IR_INPUT:
    case AX_IR_OUTPUT:
        break;
    case AX_IR_EMBEDDING:
        rn->w = add_buf(b, REF_BUF_WEIGHT, REF_ELEM_F32, REF_FILL_RAW, (uint64_t)n->vocab * n->dim,
                        n->weight, id);
        if (b->st == AX_OK) {
            b->p->bufs[rn->w].rows = n->vocab;
            b->p->bufs[rn->w].cols = n->dim;
        }
        add_phase(b, REF_PHASE_EMBED, id, n->dim, (const uint32_t[]){rn->w, rn->out}, 2);
        break;
    case AX_IR_RMSNORM:
        rn->w = add_buf(b, REF_BUF_WEIGHT, REF_ELEM_F32, REF_FILL_RAW, n->dim, n->weight, id);
        add_phase(b, REF_PHASE_RMSNORM, id, n->dim / n->group,
                  (const uint32_t[]){in[0], rn->w, rn->out}, 3);
        break;
    case AX_IR_LINEAR:
    case AX_IR_LM_HEAD:
        plan_linear(b, id, n);
        if (n->op == AX_IR_LM_HEAD) {
            b->p->logits_node = id;
            b->p->vocab = n->vocab;
        }
        break;
    case AX_IR_ROPE:
        rn->scratch = add_buf(b, REF_BUF_SCRATCH, REF_ELEM_F64, REF_FILL_ZERO, d, NULL, id);
        add_phase(b, REF_PHASE_ROPE_TABLE, id, 1, (const uint32_t[]){rn->scratch}, 1);
        add_phase(b, REF_PHASE_ROPE, id, n->heads, (const uint32_t[]){in[0], rn->scratch, rn->out},
                  3);
        break;
    case AX_IR_SWA: {
        if (n->window == 0) {
            unsupported(b, id, "full attention (window=0): its K/V cache has no bound");
            break;
        }
        if (n->meta != 0) {
            unsupported(b, id, "meta-token keys");
            break;
        }
        int is_int8 = n->kv == AX_IR_KV_INT8;
        uint64_t cache = (uint64_t)n->window * n->kv_heads * d;
        enum ref_elem e = is_int8 ? REF_ELEM_I8 : REF_ELEM_F32;
        rn->st[0] = add_buf(b, REF_BUF_STATE, e, REF_FILL_ZERO, cache, NULL, id);
        rn->st[1] = add_buf(b, REF_BUF_STATE, e, REF_FILL_ZERO, cache, NULL, id);
        if (is_int8) {
            uint64_t sc = (uint64_t)n->window * n->kv_heads;
            rn->st[2] = add_buf(b, REF_BUF_STATE, REF_ELEM_F32, REF_FILL_ZERO, sc, NULL, id);
            rn->st[3] = add_buf(b, REF_BUF_STATE, REF_ELEM_F32, REF_FILL_ZERO, sc, NULL, id);
        }
        if (n->spike == AX_IR_SPIKE_SPIKE) {
            rn->counts = add_buf(b, REF_BUF_PROBE, REF_ELEM_I32, REF_FILL_ZERO,
                                 (uint64_t)n->heads * d, NULL, id);
            rn->vth = add_buf(b, REF_BUF_PROBE, REF_ELEM_F32, REF_FILL_ZERO, n->heads, NULL, id);
        }
        add_phase(b, REF_PHASE_SWA_STORE, id, n->kv_heads,
                  (const uint32_t[]){in[1], in[2], rn->st[0], rn->st[1], rn->st[2], rn->st[3]}, 6);
        add_phase(b, REF_PHASE_SWA_ATTEND, id, n->heads,
                  (const uint32_t[]){in[0], rn->st[0], rn->st[1], rn->out, rn->st[2], rn->st[3],
                                     rn->counts, rn->vth},
                  8);
        break;
    }
    case AX_IR_GLA:
        if (n->gate != AX_IR_GATE_LOGSIGMOID || n->n_inputs != 4) {
            unsupported(b, id,
                        "a GLA decay other than logsigmoid (the 76B's key-tied and "
                        "lower-bound gates)");
            break;
        }
        rn->st[0] = add_buf(b, REF_BUF_STATE, REF_ELEM_F32, REF_FILL_ZERO,
                            (uint64_t)n->kv_heads * d * d, NULL, id);
        add_phase(b, REF_PHASE_GLA_UPDATE, id, n->kv_heads,
                  (const uint32_t[]){in[1], in[2], in[3], rn->st[0]}, 4);
        add_phase(b, REF_PHASE_GLA_READ, id, n->heads,
                  (const uint32_t[]){in[0], rn->st[0], rn->out}, 3);
        break;
    case AX_IR_SWIGLU:
        add_phase(b, REF_PHASE_SWIGLU, id, n->dim, (const uint32_t[]){in[0], in[1], rn->out}, 3);
        break;
    case AX_IR_ADD:
        add_phase(b, REF_PHASE_ADD, id, n->dim, (const uint32_t[]){in[0], in[1], rn->out}, 3);
        break;
    case AX_IR_META_PREFIX:
        unsupported(b, id, "meta tokens (the 76B)");
        break;
    case AX_IR_MERGE:
        unsupported(b, id, "the 76B's branch merge");
        break;
    case AX_IR_MOE_ROUTER:
    case AX_IR_MOE_EXPERTS:
        unsupported(b, id, "mixture-of-experts layers (the 76B)");
        break;
    case AX_IR_OP_COUNT:
        break;
    }
}

/* Sites: the spike mode's projection set, in graph order. */
static void plan_sites(struct builder *b)
{
    struct ax_ref_plan *p = b->p;
    const struct ax_ir_graph *g = p->g;
    enum ax_spike_mode mode = p->opts.spike.mode;
    for (uint32_t id = 0; id < g->n_nodes && b->st == AX_OK; id++) {
        const struct ax_ir_node *n = &g->nodes[id];
        enum ax_pass_site kind = ax_pass_spike_site(g, id, mode);
        if (kind == AX_PASS_SITE_LINEAR && n->op == AX_IR_LINEAR) {
            p->nodes[id].site = add_site(b, weight_prefix(b, n->weight), id, n->inputs[0], n->in,
                                         n->out, 1, n->spike == AX_IR_SPIKE_SPIKE);
        } else if (kind == AX_PASS_SITE_SWA_QUERY) {
            char name[256];
            swa_query_name(g, id, name, sizeof name);
            p->nodes[id].site = add_site(b, name, id, n->inputs[0], n->heads * n->head_dim,
                                         n->out_dim, n->heads, n->spike == AX_IR_SPIKE_SPIKE);
        }
    }
}

/* Layers: the last node tagged with each layer is the layer's output. */
static void plan_layers(struct builder *b)
{
    struct ax_ref_plan *p = b->p;
    const struct ax_ir_graph *g = p->g;
    uint32_t n_layers = 0;
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        const struct ax_ir_node *n = &g->nodes[id];
        if ((n->attrs_set >> AX_IR_ATTR_LAYER) & 1u)
            n_layers = n->layer + 1 > n_layers ? n->layer + 1 : n_layers;
    }
    p->n_layers = n_layers;
    p->layer_out = ax_mem_calloc(n_layers ? n_layers : 1, sizeof *p->layer_out);
    if (!p->layer_out) {
        b->st = AX_ERR_NOMEM;
        return;
    }
    for (uint32_t l = 0; l < n_layers; l++)
        p->layer_out[l] = REF_NONE;
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        const struct ax_ir_node *n = &g->nodes[id];
        if ((n->attrs_set >> AX_IR_ATTR_LAYER) & 1u)
            p->layer_out[n->layer] = id;
    }
}

ax_status ax_ref_plan_build(struct ax_ref_plan *p, const struct ax_ir_graph *g,
                            const struct ax_ref_options *o, const struct ax_st_checkpoint *ck,
                            const char *file, struct ax_diag_list *diags)
{
    memset(p, 0, sizeof *p);
    p->g = g;
    p->opts = *o;
    p->logits_node = REF_NONE;
    ax_arena_init(&p->arena, 0);
    struct builder b = {p, ck, file ? file : g->name, diags, AX_OK};
    p->nodes = ax_mem_alloc((size_t)(g->n_nodes ? g->n_nodes : 1) * sizeof *p->nodes);
    if (!p->nodes) {
        ax_ref_plan_free(p);
        return AX_ERR_NOMEM;
    }
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        struct ref_node *rn = &p->nodes[id];
        rn->out = rn->w = rn->b = rn->codes = rn->scales = rn->counts = rn->vth = REF_NONE;
        rn->st[0] = rn->st[1] = rn->st[2] = rn->st[3] = rn->scratch = rn->site = REF_NONE;
    }
    /* Every node is looked at, so that one run reports every unsupported op. */
    ax_status first = AX_OK;
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        plan_node(&b, id);
        if (b.st == AX_ERR_UNSUPPORTED) {
            first = b.st;
            b.st = AX_OK;
        }
        if (b.st != AX_OK)
            break;
    }
    if (b.st == AX_OK)
        b.st = first;
    if (b.st == AX_OK && p->logits_node == REF_NONE) {
        ax_diag_add(diags, AX_DIAG_ERROR, b.file, 0, 0, "the graph has no lm_head");
        b.st = AX_ERR_INVALID;
    }
    if (b.st == AX_OK)
        plan_sites(&b);
    if (b.st == AX_OK)
        plan_layers(&b);
    if (b.st != AX_OK) {
        ax_ref_plan_free(p);
        return b.st;
    }
    return AX_OK;
}

void ax_ref_plan_free(struct ax_ref_plan *p)
{
    ax_mem_free(p->bufs);
    ax_mem_free(p->nodes);
    ax_mem_free(p->phases);
    ax_mem_free(p->args);
    ax_mem_free(p->sites);
    ax_mem_free(p->layer_out);
    ax_arena_free(&p->arena);
    memset(p, 0, sizeof *p);
}

/* ---- kernels ----------------------------------------------------------------------- */

/* What a kernel is specialized to: phases with equal keys share one. */
static void kernel_key(const struct ax_ref_plan *p, const struct ref_phase *ph, char *key,
                       size_t size)
{
    const struct ax_ir_node *n = &p->g->nodes[ph->node];
    uint32_t out = n->op == AX_IR_LM_HEAD ? n->vocab : n->out;
    switch (ph->kind) {
    case REF_PHASE_ENCODE:
        snprintf(key, size, "encode in=%u", n->in);
        return;
    case REF_PHASE_LINEAR:
    case REF_PHASE_SPIKE_LINEAR:
        /* the weights' (or codes') element type: argument 1 or 0 */
        snprintf(key, size, "%s in=%u out=%u args=%u elem=%u", ax_ref_phase_str(ph->kind), n->in,
                 out, ph->n_args,
                 p->bufs[p->args[ph->arg0 + (ph->kind == REF_PHASE_LINEAR ? 1 : 0)]].elem);
        return;
    default:
        /* every attribute a kernel of the other kinds can read */
        snprintf(key, size,
                 "%s items=%u args=%u dim=%u group=%u eps=%a heads=%u kv_heads=%u "
                 "head_dim=%u theta=%a window=%u kv=%u spike=%u feature=%u normalizer=%a",
                 ax_ref_phase_str(ph->kind), ph->n_items, ph->n_args, n->dim, n->group, n->eps,
                 n->heads, n->kv_heads, n->head_dim, n->theta, n->window, n->kv, n->spike,
                 n->feature, n->normalizer);
        return;
    }
}

ax_status ax_ref_plan_kernels(const struct ax_ref_plan *p, uint32_t *kernel_of, uint32_t *n_kernels)
{
    *n_kernels = 0;
    char(*keys)[256] = ax_mem_alloc((size_t)(p->n_phases ? p->n_phases : 1) * sizeof *keys);
    if (!keys)
        return AX_ERR_NOMEM;
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->n_phases; i++) {
        char key[256];
        kernel_key(p, &p->phases[i], key, sizeof key);
        uint32_t k = 0;
        while (k < n && strcmp(keys[k], key) != 0)
            k++;
        if (k == n)
            memcpy(keys[n++], key, sizeof key);
        kernel_of[i] = k;
    }
    ax_mem_free(keys);
    *n_kernels = n;
    return AX_OK;
}

void ax_ref_kernel_name(const struct ax_ref_plan *p, const uint32_t *kernel_of, uint32_t phase,
                        char *out, size_t size)
{
    snprintf(out, size, "k%u_%s", kernel_of[phase], ax_ref_phase_str(p->phases[phase].kind));
}
