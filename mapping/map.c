/* Partitioning and placement (see ax_map.h and docs/mapping.md). */
#include "ax_map.h"

#include "ax_mem.h"
#include "ax_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

void ax_map_default_options(struct ax_map_options *o)
{
    o->spikes_per_element = 1.13;
    o->seed = 1;
    o->anneal_moves = 0;
    o->float_weights = AX_MAP_FLOAT_AUTO;
    o->reduce_fanin = 2;
    o->reduce_chunk = 256;
    o->relay = 1;
    o->ring_keys = 128;
    o->spread = 0; /* 2, or 1 for a batch (ax_map_options) */
    o->logits = AX_MAP_LOGITS_FULL;
    o->batch = 1;
    o->stream = 1;
}

/* The index of `s` among names[0 .. n), or -1. */
static const char *const logits_names[] = {"full", "argmax"};

const char *ax_map_logits_str(enum ax_map_logits l)
{
    return l < AX_MAP_LOGITS_COUNT ? logits_names[l] : "?";
}

int ax_map_logits_parse(const char *s, enum ax_map_logits *out)
{
    int i = ax_text_name_index(logits_names, AX_MAP_LOGITS_COUNT, s);
    if (i >= 0)
        *out = (enum ax_map_logits)i;
    return i >= 0 ? 0 : -1;
}

static const char *const float_weights_names[] = {"keep", "int8", "auto"};

const char *ax_map_float_weights_str(enum ax_map_float_weights f)
{
    return f < AX_MAP_FLOAT_COUNT ? float_weights_names[f] : "?";
}

int ax_map_float_weights_parse(const char *s, enum ax_map_float_weights *out)
{
    int i = ax_text_name_index(float_weights_names, AX_MAP_FLOAT_COUNT, s);
    if (i >= 0)
        *out = (enum ax_map_float_weights)i;
    return i >= 0 ? 0 : -1;
}

/* A whole number of at most `digits` decimal digits, nothing else. */
static int parse_small(const char *s, size_t digits, uint32_t *out)
{
    uint32_t v = 0;
    if (!*s || strlen(s) > digits)
        return -1;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9')
            return -1;
        v = v * 10 + (uint32_t)(*c - '0');
    }
    *out = v;
    return 0;
}

int ax_map_reduce_fanin_parse(const char *s, uint32_t *out)
{
    uint32_t v;
    if (parse_small(s, 3, &v) != 0 || v == 1 || v > AX_MAP_REDUCE_FANIN_MAX)
        return -1;
    *out = v;
    return 0;
}

int ax_map_reduce_chunk_parse(const char *s, uint32_t *out)
{
    uint32_t v;
    if (parse_small(s, 6, &v) != 0 || v > AX_MAP_REDUCE_CHUNK_MAX)
        return -1;
    *out = v;
    return 0;
}

int ax_map_ring_keys_parse(const char *s, uint32_t *out)
{
    uint32_t v;
    if (parse_small(s, 7, &v) != 0 || v > AX_MAP_RING_KEYS_MAX)
        return -1;
    *out = v;
    return 0;
}

int ax_map_spread_parse(const char *s, uint32_t *out)
{
    uint32_t v;
    if (parse_small(s, 3, &v) != 0 || v < 1 || v > AX_MAP_SPREAD_MAX)
        return -1;
    *out = v;
    return 0;
}

int ax_map_batch_parse(const char *s, uint32_t *out)
{
    uint32_t v;
    if (parse_small(s, 4, &v) != 0 || v < 1 || v > AX_PROG_BATCH_MAX)
        return -1;
    *out = v;
    return 0;
}

int ax_map_relay_parse(const char *s, uint32_t *out)
{
    if (strcmp(s, "on") != 0 && strcmp(s, "off") != 0)
        return -1;
    *out = strcmp(s, "on") == 0;
    return 0;
}

int ax_map_stream_parse(const char *s, uint32_t *out)
{
    if (strcmp(s, "cut") != 0 && strcmp(s, "whole") != 0)
        return -1;
    *out = strcmp(s, "cut") == 0;
    return 0;
}

void ax_map_free(struct ax_map *m)
{
    ax_mem_free(m->objects);
    ax_mem_free(m->blocks);
    ax_mem_free(m->node_value);
    ax_arena_free(&m->arena);
    memset(m, 0, sizeof *m);
}

/* ---- collecting the objects of a graph ------------------------------------ */

struct builder {
    struct ax_map *m;
    const struct ax_ir_graph *g;
    struct ax_diag_list *diags;
    uint32_t cap_objects, cap_blocks;
    struct ax_map_value_needs *needs; /* per node: what its value object must hold */
    int is_oom;
    int is_int8_only;                 /* ax_map_options.float_weights == AX_MAP_FLOAT_INT8 */
    int is_unsharded;                 /* values are not cut into SwiGLU shards (blocks stream
                                       * from DRAM: values pack first, apart from weights) */
    uint32_t ring_keys;               /* ax_map_options.ring_keys */
    uint32_t batch;                   /* ax_map_options.batch: banks of every state */
    uint32_t spread;                  /* slots a core: weights are cut to a slot (placer) */
    double core_cap;                  /* a core's SRAM, whatever slot a value is cut for */
    int is_argmax;                    /* --logits argmax */
    int is_stream_cut;                /* ax_map_options.stream */
    uint32_t stream_rows;             /* mark_stream: rows of a stream shard, or 0 */
};

/* Whether node `id` has no value of its own: the input token, and nodes
 * that pass their operand's value on (the output, the 76B meta prefix,
 * whose table is read before the first token). */
static int is_alias(const struct ax_ir_node *n)
{
    return n->op == AX_IR_OUTPUT || n->op == AX_IR_META_PREFIX;
}

/* The node whose value object holds node `id`'s value: `id` itself, or the
 * operand an alias passes on. */
static uint32_t value_node(const struct ax_ir_graph *g, uint32_t id)
{
    while (is_alias(&g->nodes[id]) && g->nodes[id].n_inputs)
        id = g->nodes[id].inputs[0];
    return id;
}

/* What each node's value object holds, from the node's own op (operands
 * that arrive from other cores, norm weights, biases, tables) and from its
 * consumers (spike counts for a spiking projection reading it). */
static void collect_needs(const struct ax_ir_graph *g, struct ax_map_value_needs *needs)
{
    memset(needs, 0, g->n_nodes * sizeof *needs);
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        const struct ax_ir_node *n = &g->nodes[id];
        struct ax_map_value_needs *own = &needs[id];
        switch (n->op) {
        case AX_IR_ADD:
        case AX_IR_MERGE:
        case AX_IR_SWIGLU: /* operand 0 arrives into the value, operand 1 into an inbox */
            own->n_inboxes = 1;
            break;
        case AX_IR_RMSNORM:
            own->has_param = 1;
            break;
        case AX_IR_LINEAR:
            own->has_param = n->bias != NULL;
            break;
        case AX_IR_ROPE:
            own->table_words = n->head_dim / 2;
            break;
        case AX_IR_MOE_ROUTER:
            own->has_scalar = 1;
            break;
        case AX_IR_MOE_EXPERTS:
            own->extra_inbox_words = n->experts;
            own->scratch_words = 2 * n->inter;
            break;
        default:
            break;
        }
        int spiking_reader = n->spike == AX_IR_SPIKE_SPIKE &&
                             (n->op == AX_IR_LINEAR || n->op == AX_IR_MOE_EXPERTS);
        if (spiking_reader && n->n_inputs)
            needs[value_node(g, n->inputs[0])].has_counts = 1;
    }
}

static uint32_t add_object(struct builder *b, enum ax_map_kind kind, uint32_t node, const char *name,
                           uint32_t rows, uint32_t cols, int is_spiking, uint32_t producer)
{
    struct ax_map *m = b->m;
    if (m->n_objects == b->cap_objects) {
        uint32_t cap = b->cap_objects ? 2 * b->cap_objects : 256;
        struct ax_map_object *o = ax_mem_realloc(m->objects, cap * sizeof *o);
        if (!o) {
            b->is_oom = 1;
            return NONE;
        }
        m->objects = o;
        b->cap_objects = cap;
    }
    const char *copy = ax_arena_strdup(&m->arena, name);
    if (!copy) {
        b->is_oom = 1;
        return NONE;
    }
    m->objects[m->n_objects] = (struct ax_map_object){
        .kind = kind, .node = node, .name = copy, .rows = rows, .cols = cols,
        .is_spiking = (uint8_t)is_spiking, .producer = producer, .dest = NONE, .home = NONE,
        .shard_lead = NONE};
    return m->n_objects++;
}

/* The objects a node holds: weight matrices or state, then its value. */
static void collect_node(struct builder *b, uint32_t id)
{
    const struct ax_ir_node *n = &b->g->nodes[id];
    struct ax_map *m = b->m;
    uint32_t src = n->n_inputs ? m->node_value[n->inputs[0]] : NONE;
    int spikes = n->spike == AX_IR_SPIKE_SPIKE;
    uint32_t first = m->n_objects;
    char name[256];
    /* the model keeps these float32, and so does the program unless told otherwise */
    int is_float = n->quant == AX_IR_QUANT_NONE && !b->is_int8_only;
    switch (n->op) {
    case AX_IR_EMBEDDING:
    case AX_IR_META_PREFIX: /* lookup tables: memory, no input traffic */
        add_object(b, AX_MAP_WEIGHTS, id, n->weight, n->op == AX_IR_EMBEDDING ? n->vocab : n->tokens,
                   n->dim, 0, NONE);
        break;
    case AX_IR_LINEAR:
        add_object(b, AX_MAP_WEIGHTS, id, n->weight, n->out, n->in, spikes, src);
        break;
    case AX_IR_LM_HEAD: {
        uint32_t o = add_object(b, AX_MAP_WEIGHTS, id, n->weight, n->vocab, n->in, 0, src);
        if (o != NONE && b->is_argmax)
            m->objects[o].pair_words = 2 * (1 + AX_MAP_PAIR_FANIN);
        break;
    }
    case AX_IR_MOE_ROUTER:
        add_object(b, AX_MAP_WEIGHTS, id, n->weight, n->experts, n->in, 0, src);
        break;
    case AX_IR_MOE_EXPERTS:
        /* gate and up read the node's input (spiking as the node says); down
         * reads the expert's hidden vector on the value core, dense as in the
         * dense MLP; its producer is set once the value object exists */
        for (uint32_t e = 0; e < n->experts; e++) {
            static const char *const parts[] = {"gate_proj", "up_proj", "down_proj"};
            for (int p = 0; p < 3; p++) {
                snprintf(name, sizeof name, "%s.%u.%s.weight", n->weight, e, parts[p]);
                int is_down = p == 2;
                add_object(b, AX_MAP_WEIGHTS, id, name, is_down ? n->dim : n->inter,
                           is_down ? n->inter : n->dim, is_down ? 0 : spikes, is_down ? NONE : src);
            }
        }
        break;
    case AX_IR_GLA: { /* the recurrent state: heads x (head_dim x head_dim) float32 */
        snprintf(name, sizeof name, "gla state of node %u", id);
        uint32_t o = add_object(b, AX_MAP_STATE, id, name, n->heads, n->head_dim * n->head_dim * 4, 0, NONE);
        if (o != NONE) { /* q and out per head; k, v and g of at least kv_heads */
            m->objects[o].banks = b->batch;
            m->objects[o].state_row_words = 5 * n->head_dim;
            m->objects[o].state_fixed_words = 3 * n->kv_heads * n->head_dim;
        }
        break;
    }
    case AX_IR_SWA: { /* the K/V window: int8 K and V plus two float32 scales per key */
        uint32_t keys = n->window ? n->window : 4096; /* full attention: a 4096-token context */
        snprintf(name, sizeof name, "kv cache of node %u", id);
        uint32_t o = add_object(b, AX_MAP_STATE, id, name, n->kv_heads * keys, 2 * n->head_dim + 8, 0, NONE);
        if (o != NONE) { /* per kv head held: its query heads' q, counts, and output with its
                          * (max, sum), and this token's k and v */
            m->objects[o].banks = b->batch;
            uint32_t group = n->kv_heads ? n->heads / n->kv_heads : 1, d = n->head_dim;
            m->objects[o].kv_window = keys;
            m->objects[o].kv_part_words = group * (d + 2);
            m->objects[o].state_fixed_words = group * (3 * d + 2) + 2 * d;
        }
        break;
    }
    default:
        break;
    }
    if (n->op == AX_IR_INPUT || is_alias(n)) {
        m->node_value[id] = n->n_inputs ? m->node_value[n->inputs[0]] : NONE;
        return;
    }
    snprintf(name, sizeof name, "value of node %u", id);
    /* under --logits argmax, lm_head's value is the pair of its largest logit */
    uint32_t rows = n->op == AX_IR_LM_HEAD && b->is_argmax ? 2 : n->out_dim;
    uint32_t v = add_object(b, AX_MAP_VALUE, id, name, rows, 1, 0, NONE);
    if (v == NONE)
        return;
    m->objects[v].needs = b->needs[id];
    m->node_value[id] = v;
    for (uint32_t i = first; i < v; i++) {
        struct ax_map_object *o = &m->objects[i];
        if (o->kind == AX_MAP_WEIGHTS)
            o->is_float = (uint8_t)is_float;
        if (o->kind != AX_MAP_WEIGHTS || n->op == AX_IR_META_PREFIX)
            continue;
        o->dest = v;
        if (n->op == AX_IR_MOE_EXPERTS && (i - first) % 3 == 2)
            o->producer = v; /* down_proj reads the hidden vector on the value core */
    }
}

/* ---- partitioning ----------------------------------------------------------- */

/* Words a value shard of `rows` rows takes (ax_map_value_needs). */
static uint64_t value_words(const struct ax_map_value_needs *nd, uint64_t rows)
{
    /* the counts double as the inbox: the operand is used before the value is encoded */
    uint32_t per_row = 1u + (nd->n_inboxes > nd->has_counts ? nd->n_inboxes : nd->has_counts) + nd->has_param;
    return rows * per_row + nd->has_counts + nd->table_words + nd->has_scalar +
           nd->extra_inbox_words + nd->scratch_words + 2u * AX_ISA_TOTAL_WORDS * nd->has_totals;
}

static int has_needs(const struct ax_map_value_needs *nd)
{
    return value_words(nd, 1) != 1;
}

uint64_t ax_map_record_words(const struct ax_map_object *o, uint32_t rows, uint32_t cols)
{
    struct ax_prog_weight w = {0, NULL, 0, rows, 0, cols, 0, o->is_float, NULL};
    return ax_prog_record_words(&w);
}

int ax_map_has_inbox(const struct ax_map_object *o)
{
    return o->kind == AX_MAP_WEIGHTS && !o->is_spiking && o->producer != NONE;
}

uint64_t ax_map_block_bytes(const struct ax_map_object *o, uint32_t rows, uint32_t cols)
{
    switch (o->kind) {
    case AX_MAP_WEIGHTS:
        /* the record's words, then one accumulator per row (a neuron's state) */
        return 4 * ax_map_record_words(o, rows, cols) + (uint64_t)AX_NEURON_STATE_BYTES * rows +
               (ax_map_has_inbox(o) ? 4ull * cols : 0) + 4ull * o->pair_words;
    case AX_MAP_STATE: {
        uint64_t heads = !o->kv_window ? 1 : rows >= o->kv_window ? rows / o->kv_window : 1;
        /* a block of part of a window: its tree's inbox, its own part and its children's */
        uint64_t tree = o->kv_window && rows < o->kv_window
                            ? (1ull + AX_MAP_RING_FANIN) * o->kv_part_words : 0;
        return o->banks * (((uint64_t)rows * o->cols + 3) / 4 * 4) +
               4ull * ((uint64_t)rows * o->state_row_words + heads * o->state_fixed_words + tree);
    }
    case AX_MAP_VALUE:
        return 4 * value_words(&o->needs, rows);
    default:
        return 0;
    }
}

static int add_block(struct builder *b, struct ax_map_block blk)
{
    struct ax_map *m = b->m;
    if (m->n_blocks == b->cap_blocks) {
        uint32_t cap = b->cap_blocks ? 2 * b->cap_blocks : 1024;
        struct ax_map_block *bl = ax_mem_realloc(m->blocks, cap * sizeof *bl);
        if (!bl)
            return -1;
        m->blocks = bl;
        b->cap_blocks = cap;
    }
    m->blocks[m->n_blocks++] = blk;
    return 0;
}

/* The SRAM of one of `spread` slots of a core of `cap` bytes, in whole
 * words (--spread). */
static double slot_bytes(double cap, uint32_t spread)
{
    return floor(cap / spread / 4.0) * 4.0;
}

/* Rows and columns of a weight object's blocks in `cap` bytes. Unless the
 * program need not compute the reference's values (--float-weights int8),
 * whole rows when one row of all its columns fits a core: each output is
 * then summed over all its groups on one core, in the order the semantics
 * fix (docs/semantics.md), with no float32 partial sums to add across
 * cores. Otherwise as many groups as fit, which packs SRAM tighter. */
static ax_status weight_shape(struct builder *b, const struct ax_map_object *o, double cap,
                              uint32_t max_neurons, uint32_t *block_rows, uint32_t *block_cols)
{
    cap = slot_bytes(cap, b->spread) - 4.0 * o->pair_words;
    max_neurons /= b->spread;
    uint64_t rows = o->rows < max_neurons ? o->rows : max_neurons;
    uint64_t groups = (o->cols + 127) / 128;
    double inbox = ax_map_has_inbox(o) ? 512.0 : 0.0; /* a dense block's inbox: 4 bytes a column */
    double group = o->is_float ? 512.0 : 132.0;       /* a row's group: values, or codes and a scale */
    double whole = floor((cap - inbox * groups) / (group * groups + 4.0));
    if (!b->is_int8_only && whole >= 1.0) {
        *block_rows = (uint32_t)(whole < (double)rows ? whole : (double)rows);
        *block_cols = o->cols;
        return AX_OK;
    }
    /* groups a block of `rows` rows can hold: (cap - 4 rows) / (group rows + inbox) */
    double fit = (cap - 4.0 * rows) / (group * rows + inbox);
    if (fit < 1.0) {
        rows = (uint64_t)floor((cap - inbox) / (group + 4.0)); /* one group, fewer rows */
        fit = 1.0;
    }
    if (cap - inbox < group + 4.0 || rows == 0) {
        ax_diag_add(b->diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "%%%u = %s (%s): one row of one 128-input group needs %.0f bytes of SRAM; "
                    "a core offers %.0f", o->node, ax_ir_op_str(b->g->nodes[o->node].op), o->name,
                    group + 4.0 + inbox, cap);
        return AX_ERR_INVALID;
    }
    uint64_t g = (uint64_t)fit < groups ? (uint64_t)fit : groups;
    *block_rows = (uint32_t)rows;
    *block_cols = (uint32_t)(g * 128 < o->cols ? g * 128 : o->cols);
    return AX_OK;
}

/* Rows of a K/V ring's blocks in `cap` bytes: as many whole kv heads as
 * fit, or, when one does not or the window is longer than --ring-keys, its
 * window cut into equal ranges of slots (partition cuts each head alike),
 * each block with room for its tree of partial attentions. Why cut a
 * window that fits: a block's attention takes time in its keys (the 7B's
 * 683-key blocks 1.26 ms a token on loihi2-like), and its blocks attend
 * at the same time. */
static ax_status ring_shape(struct builder *b, const struct ax_map_object *o, double cap,
                            uint32_t *block_rows)
{
    double w = o->kv_window, row = (double)o->cols * o->banks, fixed = 4.0 * o->state_fixed_words;
    double heads = floor(cap / (w * row + fixed));
    if (heads >= 1.0 && (!b->ring_keys || o->kv_window <= b->ring_keys)) {
        double all = (double)o->rows / w;
        *block_rows = (uint32_t)((heads < all ? heads : all) * w);
        return AX_OK;
    }
    fixed += 4.0 * (1 + AX_MAP_RING_FANIN) * o->kv_part_words;
    double slots = floor((cap - fixed) / row);
    if (b->ring_keys && slots > b->ring_keys)
        slots = b->ring_keys;
    if (slots < 1.0) {
        ax_diag_add(b->diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "%%%u = %s: a core of %.0f bytes cannot hold one key of its %s (%u bytes) "
                    "beside the %.0f bytes of one kv head's operands", o->node,
                    ax_ir_op_str(b->g->nodes[o->node].op), cap, o->name, o->cols, fixed);
        return AX_ERR_INVALID;
    }
    double parts = ceil(w / slots);
    *block_rows = (uint32_t)ceil(w / parts);
    return AX_OK;
}

/* A GLA state whose head (with its banks and operands) outgrows `cap`: its
 * rows become (head, value column) pairs, each block some columns of one
 * head, which need the head's q, k, v and g and give those columns of its
 * output (docs/isa.md, glacol). Once. */
static void gla_by_columns(struct builder *b, struct ax_map_object *o, double cap)
{
    const struct ax_ir_node *n = &b->g->nodes[o->node];
    double head = (double)o->banks * o->cols + 4.0 * (o->state_row_words + o->state_fixed_words);
    if (o->kv_window || o->gla_cols || head <= cap || n->head_dim == 0)
        return;
    o->gla_cols = n->head_dim;
    o->rows = n->heads * n->head_dim;
    o->cols = 4 * n->head_dim;
    o->state_row_words = 0;                 /* a column: its d words of S alone */
    o->state_fixed_words = 5 * n->head_dim; /* q, k, v, g and an output of the head's length */
}

/* Rows of a state object's blocks (whole rows, all columns) in `cap` bytes. */
static ax_status state_shape(struct builder *b, struct ax_map_object *o, double cap,
                             uint32_t *block_rows)
{
    if (o->kv_window)
        return ring_shape(b, o, cap, block_rows);
    gla_by_columns(b, o, cap);
    double row = (double)o->banks * ((o->cols + 3u) / 4u * 4u) + 4.0 * o->state_row_words;
    double rows = floor((cap - 4.0 * o->state_fixed_words) / row);
    if (o->gla_cols && rows >= 1.0) { /* equal ranges of columns, none across heads */
        double parts = ceil(o->gla_cols / (rows < o->gla_cols ? rows : o->gla_cols));
        *block_rows = (uint32_t)ceil(o->gla_cols / parts);
        return AX_OK;
    }
    if (rows < 1.0) {
        if ((double)o->cols > cap)
            ax_diag_add(b->diags, AX_DIAG_ERROR, NULL, 0, 0,
                        "%%%u = %s: its %s needs %u bytes per head or key in one core; a core "
                        "offers %.0f bytes of SRAM", o->node, ax_ir_op_str(b->g->nodes[o->node].op),
                        o->name, o->cols, cap);
        else
            ax_diag_add(b->diags, AX_DIAG_ERROR, NULL, 0, 0,
                        "%%%u = %s: its %s needs %.0f bytes per head or key and %u bytes for its "
                        "operands in one core; a core offers %.0f bytes of SRAM", o->node,
                        ax_ir_op_str(b->g->nodes[o->node].op), o->name, row,
                        4 * o->state_fixed_words, cap);
        return AX_ERR_INVALID;
    }
    *block_rows = rows < o->rows ? (uint32_t)rows : o->rows;
    return AX_OK;
}

/* Decides whether SwiGLU group `lead` (mark_shards) is cut into shards:
 * values may be cut (no DRAM streaming), and every block of the matrices
 * that read the SwiGLU takes its columns from at most two shards (a row
 * range of gate at least as long as their blocks' columns). Where rows are whole, down_proj
 * needs all 18,944 columns of the 7B's SwiGLU in every block: from 358
 * shards of 53 rows, a message each, instead of one vector. Decided once,
 * at the lead; a group not cut has its marks cleared. */
static void shard_group(struct builder *b, uint32_t lead, uint32_t max_neurons)
{
    struct ax_map *m = b->m;
    uint32_t rows = m->blocks[m->objects[lead - 1].first_block].rows, glu = NONE;
    int is_cut = !b->is_unsharded;
    for (uint32_t i = lead + 1; i < m->n_objects; i++)
        if (m->objects[i].shard_lead == lead && m->objects[i].kind == AX_MAP_VALUE &&
            b->g->nodes[m->objects[i].node].op == AX_IR_SWIGLU)
            glu = i;
    for (uint32_t i = glu == NONE ? m->n_objects : glu + 1; i < m->n_objects && is_cut; i++) {
        const struct ax_map_object *r = &m->objects[i];
        uint32_t br, bc;
        if (r->kind != AX_MAP_WEIGHTS || r->producer != glu)
            continue;
        struct ax_diag_list quiet;
        ax_diag_list_init(&quiet);
        struct ax_diag_list *keep = b->diags;
        b->diags = &quiet;
        is_cut = weight_shape(b, r, b->core_cap, max_neurons, &br, &bc) == AX_OK && bc <= rows;
        b->diags = keep;
        ax_diag_list_free(&quiet);
    }
    if (!is_cut || glu == NONE)
        for (uint32_t i = lead; i < m->n_objects; i++)
            if (m->objects[i].shard_lead == lead)
                m->objects[i].shard_lead = NONE;
}

/* How many nodes read node `id`'s value (a node reading it twice counts
 * twice); *all_dense says whether every one of them is a linear node that
 * does not spike its input, and *last (may be NULL) is the last of them
 * (NONE when none). */
static uint32_t readers(const struct ax_ir_graph *g, uint32_t id, int *all_dense, uint32_t *last)
{
    uint32_t n = 0;
    *all_dense = 1;
    if (last)
        *last = NONE;
    for (uint32_t i = 0; i < g->n_nodes; i++)
        for (uint32_t k = 0; k < g->nodes[i].n_inputs; k++)
            if (g->nodes[i].inputs[k] == id) {
                n++;
                *all_dense &=
                    g->nodes[i].op == AX_IR_LINEAR && g->nodes[i].spike != AX_IR_SPIKE_SPIKE;
                if (last)
                    *last = i;
            }
    return n;
}

/* Whether value object `v` is marked to be cut for the GLA that alone
 * reads it (mark_gla_shards: its shard_lead is that GLA's state). */
static int is_cut_for_gla(const struct ax_map *m, uint32_t v)
{
    return m->objects[v].shard_lead != NONE &&
           m->objects[m->objects[v].shard_lead].kind == AX_MAP_STATE;
}

/* Rows of the shards of a projection's value that one GLA node alone
 * reads (mark_gla_shards): its matrix's row ranges, so that each range's sums
 * end on a core of their own, beside the GLA head that reads the shard's
 * first rows (packing_order), and each head takes its slice from the
 * shards that hold it, where the whole value took every range's sums into
 * one core and sent them on from there (the 7B's q: 3,584 packets into one
 * core, then 28 heads of 128 words out of it). Returns 0, the mark
 * cleared, when the matrix has one row range or values pack apart from
 * the weights (is_unsharded). */
static int gla_shards(struct builder *b, uint32_t oi, uint32_t *block_rows)
{
    struct ax_map_object *o = &b->m->objects[oi];
    const struct ax_map_object *w = &b->m->objects[oi - 1];
    if (b->is_unsharded || w->n_blocks == 0 || ax_map_range_blocks(b->m, w) >= w->n_blocks) {
        o->shard_lead = NONE;
        return 0;
    }
    *block_rows = b->m->blocks[w->first_block].rows;
    return 1;
}

/* Rows of a value object's shards: the whole value when it fits a core;
 * otherwise one row range of the node's matrix a shard (packed right after
 * the range's blocks, packing_order), so that each range's sums go to a
 * shard of their own: in shards of as many ranges as fit a slot, the 7B's
 * 152,064 logits took 24,446 words into each of seven cores, 391 us of
 * axon_in at 16 ns a word, the head's bound. Without a matrix, as many
 * rows as fit. A value with needs (inboxes, counts, ...) is not split, but
 * for a SwiGLU group's (shard_group) and a GLA's operand (gla_shards). */
static ax_status value_shape(struct builder *b, uint32_t oi, double cap, uint32_t max_neurons,
                             uint32_t *block_rows)
{
    const struct ax_map_object *o = &b->m->objects[oi];
    if (o->is_stream && b->stream_rows) {
        *block_rows = b->stream_rows;
        return AX_OK;
    }
    if (is_cut_for_gla(b->m, oi) && gla_shards(b, oi, block_rows))
        return AX_OK;
    if (o->shard_lead == oi)
        shard_group(b, oi, max_neurons); /* clears the group's marks when it stays whole */
    if (o->shard_lead != NONE) { /* a SwiGLU group: by gate's row ranges */
        const struct ax_map_object *w = &b->m->objects[o->shard_lead - 1];
        *block_rows = b->m->blocks[w->first_block].rows;
        return AX_OK;
    }
    if ((double)ax_map_block_bytes(o, o->rows, 1) <= cap) {
        *block_rows = o->rows ? o->rows : 1;
        return AX_OK;
    }
    uint32_t align = 1;
    for (uint32_t i = oi; i-- > 0 && b->m->objects[i].node == o->node;)
        if (b->m->objects[i].kind == AX_MAP_WEIGHTS && b->m->objects[i].dest == oi)
            align = b->m->blocks[b->m->objects[i].first_block].rows;
    uint64_t rows = align > 1 ? align : (uint64_t)floor(cap / 4.0);
    if (has_needs(&o->needs) || rows == 0 || 4.0 * (double)rows > cap) {
        ax_diag_add(b->diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "%%%u = %s: its value (%u words) with what its consumers need on its core "
                    "takes %llu bytes; a core offers %.0f bytes of SRAM, and only a value that "
                    "nothing on chip reads whole can be split across cores", o->node,
                    ax_ir_op_str(b->g->nodes[o->node].op), o->rows,
                    (unsigned long long)ax_map_block_bytes(o, o->rows, 1), cap);
        return AX_ERR_INVALID;
    }
    *block_rows = (uint32_t)rows;
    return AX_OK;
}

/* A K/V ring cut into ranges of slots leaves partial attentions: its
 * node's value object keeps an inbox for each block's (its query heads'
 * outputs, each with its max and sum), which `kvmerge` combines. */
static void ring_parts(struct builder *b, uint32_t oi)
{
    struct ax_map_object *v = &b->m->objects[oi];
    const struct ax_map_object *s = oi ? &b->m->objects[oi - 1] : NULL;
    if (v->kind != AX_MAP_VALUE || !s || s->node != v->node || !s->kv_window)
        return;
    const struct ax_ir_node *n = &b->g->nodes[v->node];
    uint32_t group = n->kv_heads ? n->heads / n->kv_heads : 1;
    int is_split = s->n_blocks && b->m->blocks[s->first_block].rows < s->kv_window;
    /* one part a kv head: its tree's root's */
    v->needs.extra_inbox_words = is_split ? s->rows / s->kv_window * group * (n->head_dim + 2) : 0;
}

/* Whether weight object `o` writes the residual stream cut into shards:
 * its blocks take the shards' rows. */
static int writes_stream(const struct builder *b, const struct ax_map_object *o)
{
    return b->stream_rows && o->kind == AX_MAP_WEIGHTS && o->dest != NONE &&
           b->m->objects[o->dest].is_stream;
}

static ax_status partition(struct builder *b, uint32_t oi, double cap, uint32_t max_neurons)
{
    ring_parts(b, oi);
    struct ax_map_object *o = &b->m->objects[oi];
    uint32_t block_rows = 1, block_cols = o->cols;
    ax_status st = AX_ERR_INVALID;
    if (o->kind == AX_MAP_WEIGHTS) {
        st = weight_shape(b, o, cap, max_neurons, &block_rows, &block_cols);
        if (st == AX_OK && writes_stream(b, o) && block_rows > b->stream_rows)
            block_rows = b->stream_rows; /* fewer rows of the same columns: it fits */
    } else {
        /* a slot's SRAM (--spread) when a head, key or value with its needs
         * fits one, else a whole core's */
        double slot = slot_bytes(cap, b->spread);
        for (int whole = b->spread == 1; whole < 2 && st != AX_OK; whole++) {
            struct ax_diag_list quiet, *keep = b->diags;
            ax_diag_list_init(&quiet);
            if (!whole)
                b->diags = &quiet;
            st = o->kind == AX_MAP_STATE
                     ? state_shape(b, o, whole ? cap : slot, &block_rows)
                     : value_shape(b, oi, whole ? cap : slot, max_neurons, &block_rows);
            b->diags = keep;
            ax_diag_list_free(&quiet);
        }
        if (st == AX_OK && b->spread > 1 && o->kind == AX_MAP_STATE && !o->kv_window &&
            !o->gla_cols && (double)ax_map_block_bytes(o, block_rows, o->cols) > slot)
            block_rows = 1; /* one head a block, the least that outgrows a slot */
    }
    if (st != AX_OK)
        return st;
    o = &b->m->objects[oi];
    o->first_block = b->m->n_blocks;
    /* each kv head's window, or each GLA head's columns, in ranges */
    uint32_t per_head = o->kv_window ? o->kv_window : o->gla_cols;
    if (per_head && block_rows < per_head) {
        for (uint32_t h0 = 0; h0 < o->rows; h0 += per_head)
            for (uint32_t s0 = 0; s0 < per_head; s0 += block_rows) {
                uint32_t r = per_head - s0 < block_rows ? per_head - s0 : block_rows;
                struct ax_map_block blk = {oi, h0 + s0, r, 0, o->cols, ax_map_block_bytes(o, r, o->cols),
                                           NONE, 0};
                if (add_block(b, blk) != 0)
                    return AX_ERR_NOMEM;
            }
        o->n_blocks = b->m->n_blocks - o->first_block;
        return AX_OK;
    }
    uint32_t rows_total = o->rows ? o->rows : 1;
    for (uint32_t r0 = 0; r0 < rows_total; r0 += block_rows) {
        uint32_t r = rows_total - r0 < block_rows ? rows_total - r0 : block_rows;
        for (uint32_t c0 = 0; c0 < (o->kind == AX_MAP_WEIGHTS ? o->cols : 1); c0 += block_cols) {
            uint32_t c = o->kind == AX_MAP_WEIGHTS
                             ? (o->cols - c0 < block_cols ? o->cols - c0 : block_cols)
                             : o->cols;
            struct ax_map_block blk = {oi, r0, r, o->kind == AX_MAP_WEIGHTS ? c0 : 0, c,
                                       ax_map_block_bytes(o, r, c), NONE, 0};
            if (add_block(b, blk) != 0)
                return AX_ERR_NOMEM;
        }
    }
    o->n_blocks = b->m->n_blocks - o->first_block;
    return AX_OK;
}

/* ---- placement -------------------------------------------------------------- */

/* The Hilbert-curve index of (x, y) in a side x side square (side a power of 2). */
static uint64_t hilbert_index(uint32_t side, uint32_t x, uint32_t y)
{
    uint64_t d = 0;
    for (uint32_t s = side / 2; s > 0; s /= 2) {
        uint32_t rx = (x & s) > 0, ry = (y & s) > 0;
        d += (uint64_t)s * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                x = side - 1 - x;
                y = side - 1 - y;
            }
            uint32_t t = x;
            x = y;
            y = t;
        }
    }
    return d;
}

/* How a block packs (placer.fresh). */
enum { FRESH_NO, FRESH_START, FRESH_JOIN };

struct placer {
    const struct ax_chip_desc *chip;
    uint32_t cores_per_chip;
    uint32_t *visit;        /* local core ids of one chip in visiting order */
    double cap;
    uint32_t max_neurons;
    uint32_t max_cores;     /* NONE: open */
    int has_dram;
    double *used;           /* bytes per packed core (max_cores of them when bounded, with
                             * DRAM to stream from), or NULL */
    int is_values_first;    /* pack values and state before the weights (DRAM streaming) */
    const uint32_t *order;  /* the blocks in packing order (packing_order), or NULL: by index */
    const uint8_t *fresh;   /* per block: FRESH_START, a core (or slot) of its own (mark_fresh;
                             * a SwiGLU shard's first, packing_order), or FRESH_JOIN, on the
                             * core of the block before it (the rest of a SwiGLU shard) */
    uint32_t spread;        /* slots a core (--spread; pack_spread cuts cap and max_neurons) */
};

static uint32_t packed_core(const struct placer *pl, uint32_t seq)
{
    return seq / pl->cores_per_chip * pl->cores_per_chip + pl->visit[seq % pl->cores_per_chip];
}

/* Packs the blocks into cores taken in the visiting order (next fit, so a
 * matrix's blocks stay together), chip after chip; when the system streams
 * from DRAM, the values and state first, so that they stay resident. Weight
 * blocks beyond
 * max_cores stream from DRAM through the cores in use, in turn, when the
 * chip has DRAM; value and state blocks beyond it stay resident in the
 * first used core (from the last one that took one) with room. Returns the
 * number of cores used, or NONE (with the first block that did not fit in
 * *failed) when the system is too small. */
static uint32_t pack(struct ax_map *m, const struct placer *pl, uint32_t *failed)
{
    uint32_t seq = 0, n_used = 0, n_streamed = 0, cursor = 0;
    double bytes = 0.0;
    uint64_t neurons = 0;
    /* values first: one pass over the values and state, one over the weights */
    for (uint32_t k = 0; k < (pl->is_values_first ? 2 * m->n_blocks : m->n_blocks); k++) {
        uint32_t i = pl->order ? pl->order[k % m->n_blocks] : k % m->n_blocks;
        struct ax_map_block *blk = &m->blocks[i];
        enum ax_map_kind kind = m->objects[blk->object].kind;
        if (pl->is_values_first && (kind == AX_MAP_WEIGHTS) != (k >= m->n_blocks))
            continue;
        uint32_t rows = kind == AX_MAP_WEIGHTS ? blk->rows : 0;
        int is_fresh = pl->fresh && pl->fresh[i] == FRESH_START && bytes > 0.0;
        if (n_used > 0 &&
            (is_fresh || bytes + (double)blk->bytes > pl->cap || neurons + rows > pl->max_neurons)) {
            seq++;
            bytes = 0.0;
            neurons = 0;
        }
        if (pl->max_cores != NONE && seq >= pl->max_cores) {
            if (!pl->has_dram || n_used == 0) {
                *failed = i;
                return NONE;
            }
            if (kind == AX_MAP_WEIGHTS) {
                blk->core = packed_core(pl, n_streamed++ % n_used);
                blk->is_dram = 1;
                continue;
            }
            uint32_t j = 0, s = 0;
            for (; j < n_used; j++) {
                s = (cursor + j) % n_used;
                if (pl->used[s] + (double)blk->bytes <= pl->cap)
                    break;
            }
            if (j == n_used) {
                *failed = i;
                return NONE;
            }
            blk->core = packed_core(pl, s);
            blk->is_dram = 0;
            pl->used[s] += (double)blk->bytes;
            cursor = s;
            continue;
        }
        blk->core = packed_core(pl, seq);
        blk->is_dram = 0;
        bytes += (double)blk->bytes;
        neurons += rows;
        if (pl->used)
            pl->used[seq] = bytes;
        n_used = seq + 1;
    }
    return n_used;
}

/* What pack_spread keeps per core (used bytes and neurons; top: the last
 * block placed there) and per block (below: the one placed there before). */
struct spread_scratch {
    double *used;
    uint64_t *neurons;
    uint32_t *top, *below;
};

/* Whether core `c` holds a block of object `o`: the blocks placed on it,
 * from the last, chained by `below`. */
static int holds(const struct ax_map *m, const uint32_t *top, const uint32_t *below, uint32_t c,
                 uint32_t o)
{
    for (uint32_t i = top[c]; i != NONE; i = below[i])
        if (m->blocks[i].object == o)
            return 1;
    return 0;
}

/* Packs the blocks, with --spread K, into slots laid on `n_cores` cores,
 * each pass over the cores a fold: slot s on core s mod n_cores. (Back and
 * forth, a fold's turn laid the two halves of a layer on the same cores.)
 * Weight blocks fill slots of 1/K of a core (next fit, a fresh block
 * starting a slot), so a core holds K slices of the model far apart in it
 * and a matrix's blocks sit on K times as many cores, which work on it at
 * once. State and value blocks join the slot being filled whatever their
 * size (a value a core away from the ones it is computed from costs a
 * message a word: the 7B's norms 60 to 90 us each); a block that starts
 * a SwiGLU shard needs room for the rest of the shard, which joins it. A
 * slot whose core cannot take the next block, or holds a block of its
 * object already, moves on to the next core. Returns n_cores, or NONE when
 * the blocks do not fit in 8K folds (*failed: the first that did not). */
static uint32_t pack_spread(struct ax_map *m, const struct placer *pl, uint32_t n_cores,
                            struct spread_scratch *w, uint32_t *failed)
{
    double *used = w->used;
    uint64_t *neurons = w->neurons;
    double slot_cap = slot_bytes(pl->cap, pl->spread);
    uint64_t slot_neurons = pl->max_neurons / pl->spread;
    uint64_t end = (uint64_t)n_cores * 8 * pl->spread, s = 0;
    double bytes = 0.0;
    uint64_t rows_in = 0;
    uint32_t result = n_cores;
    memset(used, 0, n_cores * sizeof *used);
    memset(neurons, 0, n_cores * sizeof *neurons);
    for (uint32_t c = 0; c < n_cores; c++)
        w->top[c] = NONE;
    for (uint32_t k = 0; k < m->n_blocks && result != NONE; k++) {
        uint32_t i = pl->order ? pl->order[k] : k;
        struct ax_map_block *blk = &m->blocks[i];
        int is_weights = m->objects[blk->object].kind == AX_MAP_WEIGHTS;
        uint32_t rows = is_weights ? blk->rows : 0;
        int is_fresh = pl->fresh && pl->fresh[i] == FRESH_START;
        int is_join = pl->fresh && pl->fresh[i] == FRESH_JOIN;
        double need = (double)blk->bytes; /* with the blocks that join it */
        for (uint32_t j = k + 1; is_fresh && j < m->n_blocks; j++) {
            uint32_t next = pl->order ? pl->order[j] : j;
            if (pl->fresh[next] != FRESH_JOIN)
                break;
            need += (double)m->blocks[next].bytes;
        }
        if (k > 0 && !is_join &&
            (is_fresh || (is_weights && bytes + (double)blk->bytes > slot_cap) ||
             rows_in + rows > slot_neurons)) {
            s++;
            bytes = 0.0;
            rows_in = 0;
        }
        for (;; s++, bytes = 0.0, rows_in = 0) {
            uint32_t c = (uint32_t)(s % n_cores);
            if (s >= end) {
                *failed = i;
                result = NONE;
                break;
            }
            if (used[c] + need <= pl->cap && neurons[c] + rows <= pl->max_neurons &&
                !holds(m, w->top, w->below, c, blk->object)) {
                w->below[i] = w->top[c];
                w->top[c] = i;
                blk->core = packed_core(pl, c);
                blk->is_dram = 0;
                used[c] += (double)blk->bytes;
                neurons[c] += rows;
                bytes += (double)blk->bytes;
                rows_in += rows;
                break;
            }
        }
    }
    return result;
}

/* pack_spread on the fewest cores it fits, from the cores the bytes need
 * up (in steps of 1/64), to at most the system's cores. *n_used: NONE when
 * they do not fit (*failed names a block that did not). */
static ax_status pack_spread_fit(struct ax_map *m, const struct placer *pl, uint32_t *n_used,
                                 uint32_t *failed)
{
    double bytes = 0.0;
    for (uint32_t i = 0; i < m->n_blocks; i++)
        bytes += (double)m->blocks[i].bytes;
    size_t n = (size_t)m->n_blocks + 1;
    struct spread_scratch w = {ax_mem_alloc(n * sizeof *w.used),
                               ax_mem_alloc(n * sizeof *w.neurons), ax_mem_alloc(n * sizeof *w.top),
                               ax_mem_alloc(n * sizeof *w.below)};
    ax_status st = w.used && w.neurons && w.top && w.below ? AX_OK : AX_ERR_NOMEM;
    uint32_t cores = (uint32_t)ceil(bytes / pl->cap), most = m->n_blocks ? m->n_blocks : 1;
    if (pl->max_cores != NONE && pl->max_cores < most)
        most = pl->max_cores;
    cores = cores < 1 ? 1 : cores > most ? most : cores;
    for (*n_used = NONE; st == AX_OK; cores += cores / 64 + 1) {
        cores = cores > most ? most : cores;
        if ((*n_used = pack_spread(m, pl, cores, &w, failed)) != NONE || cores == most)
            break;
    }
    ax_mem_free(w.used);
    ax_mem_free(w.neurons);
    ax_mem_free(w.top);
    ax_mem_free(w.below);
    return st;
}

static uint32_t only_weights(const struct ax_map *m, uint32_t id);

/* The matrix that alone reads SwiGLU value object `s` (its down
 * projection), or NONE. */
static uint32_t shard_reader(const struct ax_map *m, const struct ax_ir_graph *g, uint32_t s)
{
    int dense;
    uint32_t reader;
    return readers(g, m->objects[s].node, &dense, &reader) == 1 ? only_weights(m, reader) : NONE;
}

/* Whether object `v` is node `node`'s value, whole on one block and no
 * SwiGLU shard: a value that can pack behind another (packing_order). */
static int is_whole_value(const struct ax_map *m, uint32_t v, uint32_t node)
{
    return v != NONE && m->objects[v].kind == AX_MAP_VALUE && m->objects[v].node == node &&
           m->objects[v].n_blocks == 1 && m->objects[v].shard_lead == NONE;
}

/* After shard `sb` of a stream value in the packing order o[0 .. k): the
 * same shard of every stream value that packs behind that value (`lead`,
 * packing_order), and of those behind them. Returns the new k. */
static uint32_t followers_after(const struct ax_map *m, const uint32_t *lead, uint32_t sb,
                                uint32_t *o, uint32_t k)
{
    uint32_t v = m->blocks[sb].object, r = sb - m->objects[v].first_block;
    for (uint32_t f = v + 1; f < m->n_objects; f++)
        if (lead[f] == v) {
            o[k++] = m->objects[f].first_block + r;
            k = followers_after(m, lead, m->objects[f].first_block + r, o, k);
        }
    return k;
}

/* After weight block `i` in the packing order o[0 .. k): the shards of its
 * matrix's value whose rows end with block i's rows (i the last block of
 * its row range), each with its followers (followers_after). Returns the
 * new k. */
static uint32_t shards_after(const struct ax_map *m, const uint32_t *lead, uint32_t i, uint32_t *o,
                             uint32_t k)
{
    const struct ax_map_object *w = &m->objects[m->blocks[i].object], *v = w + 1;
    if ((i - w->first_block + 1) % ax_map_range_blocks(m, w) != 0)
        return k;
    uint32_t end = m->blocks[i].row0 + m->blocks[i].rows;
    for (uint32_t sb = v->first_block; sb < v->first_block + v->n_blocks; sb++)
        if (m->blocks[sb].row0 + m->blocks[sb].rows == end) {
            o[k++] = sb;
            k = followers_after(m, lead, sb, o, k);
        }
    return k;
}

void ax_map_gla_heads(const struct ax_map *m, uint32_t block, uint32_t *head0, uint32_t *heads)
{
    const struct ax_map_object *s = &m->objects[m->blocks[block].object];
    *head0 = m->blocks[block].row0;
    *heads = m->blocks[block].rows;
    if (s->gla_cols) { /* rows (head, column) */
        *head0 /= s->gla_cols;
        *heads = 1;
    }
}

uint32_t ax_map_gla_group(const struct ax_ir_node *n, uint32_t i)
{
    return i == 0 || n->kv_heads == 0 || n->heads <= n->kv_heads ? 1 : n->heads / n->kv_heads;
}

/* After block `i` of a GLA's state in the packing order o[0 .. k): the
 * shards of the operands cut for that state (mark_gla_shards) whose first
 * rows belong to the first head the block holds (at a head's first block,
 * when the state is cut by value columns). Returns the new k. */
static uint32_t gla_shards_after(const struct ax_map *m, const struct ax_ir_graph *g, uint32_t i,
                                 uint32_t *o, uint32_t k)
{
    uint32_t so = m->blocks[i].object, head0, heads;
    const struct ax_ir_node *n = &g->nodes[m->objects[so].node];
    if (m->objects[so].gla_cols && m->blocks[i].row0 % m->objects[so].gla_cols)
        return k; /* not a head's first block */
    ax_map_gla_heads(m, i, &head0, &heads);
    for (uint32_t in = 0; in < n->n_inputs && n->head_dim; in++) {
        uint32_t xv = m->node_value[n->inputs[in]];
        if (xv == NONE || m->objects[xv].shard_lead != so)
            continue;
        const struct ax_map_object *x = &m->objects[xv];
        for (uint32_t sb = x->first_block; sb < x->first_block + x->n_blocks; sb++) {
            uint32_t h = m->blocks[sb].row0 / n->head_dim * ax_map_gla_group(n, in);
            if (h >= head0 && h < head0 + heads)
                o[k++] = sb;
        }
    }
    return k;
}

/* The packing order of the blocks: by index, but
 *   - a RoPE's value right behind its operand's, so that the rotation runs
 *     where its operand ends instead of a core away (the 7B's q was 3,584
 *     packets to another core, about 100 us a sliding-window layer);
 *   - when SwiGLU groups are sharded (mark_shards, `with_shards`), shard r
 *     of a SwiGLU value comes with shard r of its gate's and its up's
 *     values, the three on a core of their own (*fresh marks the gate's
 *     FRESH_START, the others FRESH_JOIN), and the shards are spread evenly
 *     among the blocks of the matrix that reads them (shard r before its
 *     block r * blocks / shards). Every shard sends its rows to every row
 *     range of that matrix, whose blocks lie over several chips: packed
 *     together after the up projection, the 7B's 27 shards sent 94,720
 *     packets a layer out of one chip through one chip boundary, and
 *     down_proj's inputs arrived over 340 us; spread among its blocks,
 *     each chip sends and receives its share;
 *   - the shards of a value too large for a core (the logits: a row range
 *     of its matrix a shard, value_shape) each right after the last block
 *     of the rows it holds, so that those rows' sums end beside them:
 *     packed after all of lm_head's blocks, the 7B's logit shards took the
 *     sums of 212 row ranges over two chips' links. So do the shards of
 *     the projections that write the residual stream (mark_stream), and
 *     behind shard r of a stream value, shard r of the stream values that
 *     read it (`lead`: an add behind the projection it adds, an RMSNorm
 *     behind the add it normalizes), so that each shard's add, scaling and
 *     encoding read their operands where they are.
 * NULLs when the order is the blocks' own. */
static ax_status packing_order(const struct ax_map *m, const struct ax_ir_graph *g, int with_shards,
                               uint32_t **order, uint8_t **fresh)
{
    *order = NULL;
    *fresh = NULL;
    uint32_t *o = ax_mem_alloc(((size_t)m->n_blocks + 1) * sizeof *o);
    uint8_t *f = ax_mem_calloc((size_t)m->n_blocks + 1, 1);
    uint32_t *glu_of = ax_mem_alloc(((size_t)m->n_objects + 1) * sizeof *glu_of);
    uint32_t *behind = ax_mem_alloc(((size_t)m->n_objects + 1) * sizeof *behind);
    uint8_t *is_behind = ax_mem_calloc((size_t)m->n_objects + 1, 1);
    uint8_t *is_spread = ax_mem_calloc((size_t)m->n_objects + 1, 1);
    uint8_t *is_after = ax_mem_calloc((size_t)m->n_objects + 1, 1);
    uint32_t *lead = ax_mem_alloc(((size_t)m->n_objects + 1) * sizeof *lead);
    ax_status st = o && f && glu_of && behind && is_behind && is_spread && is_after && lead
                       ? AX_OK
                       : AX_ERR_NOMEM;
    int any = 0;
    /* glu_of: per matrix, the SwiGLU value whose shards go among its blocks
     * (is_spread marks those values); behind: per value, the value that
     * packs right behind it (is_behind marks those) */
    for (uint32_t i = 0; i < m->n_objects && st == AX_OK; i++)
        glu_of[i] = behind[i] = lead[i] = NONE;
    /* lead: per stream value, the stream value it packs behind, shard by
     * shard: the operand that a projection writes (an add's), else its
     * first cut like it; NONE for one that reads none (the first RMSNorm,
     * of the embedding) */
    for (uint32_t i = 0; i < m->n_objects && st == AX_OK && with_shards; i++) {
        const struct ax_map_object *v = &m->objects[i];
        if (!v->is_stream || v->n_blocks < 2)
            continue;
        const struct ax_ir_node *n = &g->nodes[v->node];
        for (uint32_t k = 0; k < n->n_inputs; k++) {
            uint32_t u = m->node_value[n->inputs[k]];
            if (u == NONE || u >= i || !m->objects[u].is_stream ||
                m->objects[u].n_blocks != v->n_blocks)
                continue;
            if (lead[i] == NONE || g->nodes[m->objects[u].node].op == AX_IR_LINEAR)
                lead[i] = u;
        }
    }
    for (uint32_t id = 0; id < g->n_nodes && st == AX_OK; id++) {
        const struct ax_ir_node *n = &g->nodes[id];
        if (n->op != AX_IR_ROPE || n->n_inputs != 1)
            continue;
        uint32_t v = m->node_value[n->inputs[0]], r = m->node_value[id];
        if (is_whole_value(m, v, n->inputs[0]) && is_whole_value(m, r, id) && r > v &&
            behind[v] == NONE) {
            behind[v] = r;
            is_behind[r] = 1;
            any = 1;
        }
    }
    for (uint32_t i = 0; i < m->n_objects && st == AX_OK && with_shards; i++) {
        const struct ax_map_object *ob = &m->objects[i];
        if (ob->shard_lead == NONE)
            continue;
        any = 1;
        if (is_cut_for_gla(m, i))
            continue; /* its shards go beside the heads that read them */
        uint32_t d = g->nodes[ob->node].op == AX_IR_SWIGLU ? shard_reader(m, g, i) : NONE;
        if (d != NONE && d > i) { /* its blocks come after the shards' */
            glu_of[d] = i;
            is_spread[i] = 1;
        }
    }
    /* is_after: per value cut into shards by its matrix's row ranges (too
     * large for a core, not a SwiGLU group's), whose shards each go right
     * after the blocks of the rows they hold, unless values pack apart */
    for (uint32_t i = 1; i < m->n_objects && st == AX_OK && with_shards; i++) {
        const struct ax_map_object *v = &m->objects[i], *w = &m->objects[i - 1];
        if (v->kind == AX_MAP_VALUE && v->n_blocks > 1 && v->shard_lead == NONE &&
            w->kind == AX_MAP_WEIGHTS && w->node == v->node && w->dest == i)
            any = is_after[i] = 1;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->n_blocks && st == AX_OK && any; i++) {
        uint32_t oi = m->blocks[i].object;
        const struct ax_map_object *ob = &m->objects[oi];
        int is_shard = with_shards && ob->shard_lead != NONE;
        int is_glu = is_shard && g->nodes[ob->node].op == AX_IR_SWIGLU;
        if ((is_shard && !is_glu) || is_behind[oi] || is_after[oi] || is_cut_for_gla(m, oi) ||
            lead[oi] != NONE)
            continue; /* with the SwiGLU's shards or their readers, behind their operand, or
                       * after their rows */
        uint32_t s = is_glu ? oi : glu_of[oi];
        uint32_t first = 0, end = 0; /* the shards of s that go before block i */
        if (is_glu && !is_spread[oi]) {
            first = i - ob->first_block;
            end = first + 1;
        } else if (!is_glu && s != NONE) {
            uint64_t j = i - ob->first_block, n = ob->n_blocks, shards = m->objects[s].n_blocks;
            first = (uint32_t)((j * shards + n - 1) / n); /* the first r with r * n / shards >= j */
            end = (uint32_t)(((j + 1) * shards + n - 1) / n);
        }
        for (uint32_t r = first; r < end; r++) {
            const struct ax_map_object *glu = &m->objects[s];
            const struct ax_map_object *gate = &m->objects[glu->shard_lead];
            const struct ax_map_object *up =
                &m->objects[m->node_value[g->nodes[glu->node].inputs[1]]];
            f[gate->first_block + r] = FRESH_START;
            f[up->first_block + r] = f[glu->first_block + r] = FRESH_JOIN;
            o[k++] = gate->first_block + r;
            o[k++] = up->first_block + r;
            o[k++] = glu->first_block + r;
        }
        if (is_glu)
            continue;
        o[k++] = i;
        for (uint32_t v = behind[oi]; v != NONE; v = behind[v])
            o[k++] = m->objects[v].first_block;
        if (ob->kind == AX_MAP_WEIGHTS && is_after[oi + 1])
            k = shards_after(m, lead, i, o, k);
        if (ob->is_stream && with_shards)
            k = followers_after(m, lead, i, o, k);
        if (ob->kind == AX_MAP_STATE && g->nodes[ob->node].op == AX_IR_GLA)
            k = gla_shards_after(m, g, i, o, k);
    }
    if (st == AX_OK && any && k != m->n_blocks)
        st = AX_ERR_INTERNAL; /* every block once */
    if (st != AX_OK || !any) {
        ax_mem_free(o);
        ax_mem_free(f);
        o = NULL;
        f = NULL;
    }
    ax_mem_free(glu_of);
    ax_mem_free(behind);
    ax_mem_free(is_behind);
    ax_mem_free(is_spread);
    ax_mem_free(is_after);
    ax_mem_free(lead);
    *order = o;
    *fresh = f;
    return st;
}

/* Marks in *fresh (allocated when NULL) the blocks that start a core of
 * their own:
 *   - the first block of every object of several blocks: no core then holds
 *     blocks of two projections, whose code would run one after the other
 *     (k_proj's first block behind q_proj's last and its reduction; the 7B's
 *     token 75.7 ms before, 71.3 ms after, on as many chips);
 *   - every block of a K/V window cut over several blocks, so that they
 *     attend at the same time on as many cores (packed next fit, two of the
 *     7B's 256-key blocks shared a core, whose dense unit took both: 965 us
 *     a token instead of 470).
 * An object of one block (most values) still packs after the blocks before
 * it: the value of a projection beside its last blocks, where making each
 * start a core too cost the 7B 80.3 ms; a SwiGLU shard packs as
 * packing_order says, beside its gate's and up's, a GLA operand's shard
 * beside its head, and a stream shard beside its rows or its operand's. */
static ax_status mark_fresh(const struct ax_map *m, uint8_t **fresh)
{
    for (uint32_t i = 0; i < m->n_blocks; i++) {
        const struct ax_map_object *o = &m->objects[m->blocks[i].object];
        int is_window_part = o->kv_window && m->blocks[i].rows < o->kv_window;
        if (!is_window_part &&
            (i != o->first_block || o->n_blocks < 2 || o->shard_lead != NONE || o->is_stream))
            continue; /* shards go by packing_order's marks */
        if (!*fresh && !(*fresh = ax_mem_calloc((size_t)m->n_blocks + 1, 1)))
            return AX_ERR_NOMEM;
        (*fresh)[i] = FRESH_START;
    }
    return AX_OK;
}

/* A core's global mesh coordinates: chips on a grid `grid_w` chips wide. */
struct place {
    int32_t x, y;
};

static struct place place_of(const struct placer *pl, uint32_t grid_w, uint32_t core)
{
    uint32_t chip = core / pl->cores_per_chip, local = core % pl->cores_per_chip;
    uint32_t tile = local / pl->chip->cores_per_tile, w = pl->chip->mesh_width;
    uint64_t x = (uint64_t)(chip % grid_w) * w + tile % w;
    uint64_t y = (uint64_t)(chip / grid_w) * pl->chip->mesh_height + tile / w;
    return (struct place){(int32_t)x, (int32_t)y};
}

static double place_hops(struct place a, struct place b)
{
    return (double)(llabs((int64_t)a.x - b.x) + llabs((int64_t)a.y - b.y));
}

static double hops(const struct placer *pl, uint32_t grid_w, uint32_t a, uint32_t b)
{
    return place_hops(place_of(pl, grid_w, a), place_of(pl, grid_w, b));
}

uint32_t ax_map_value_core(const struct ax_map *m, uint32_t value, uint32_t row)
{
    if (value >= m->n_objects || m->objects[value].n_blocks == 0)
        return NONE;
    const struct ax_map_object *o = &m->objects[value];
    if (o->n_blocks == 1)
        return m->blocks[o->first_block].core;
    for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks; b++)
        if (row >= m->blocks[b].row0 && row < m->blocks[b].row0 + m->blocks[b].rows)
            return m->blocks[b].core;
    return NONE;
}

/* ---- reduction trees --------------------------------------------------------- */

/* The blocks of one row range of a weight object: its column blocks. */
uint32_t ax_map_range_blocks(const struct ax_map *m, const struct ax_map_object *o)
{
    uint32_t c = m->blocks[o->first_block].cols;
    return c ? (o->cols + c - 1) / c : 1;
}

uint32_t ax_map_reduce_parent(const struct ax_map *m, uint32_t block)
{
    const struct ax_map_object *o = &m->objects[m->blocks[block].object];
    if (!o->reduce_fanin)
        return NONE;
    uint32_t j = (block - o->first_block) % ax_map_range_blocks(m, o);
    return j ? block - j + (j - 1) / o->reduce_fanin : NONE;
}

void ax_map_reduce_children(const struct ax_map *m, uint32_t block, uint32_t *first, uint32_t *count)
{
    const struct ax_map_object *o = &m->objects[m->blocks[block].object];
    uint32_t n = ax_map_range_blocks(m, o), j = (block - o->first_block) % n;
    uint64_t c = (uint64_t)o->reduce_fanin * j + 1; /* the first child's place in the heap */
    *first = block;
    *count = 0;
    if (!o->reduce_fanin || c >= n)
        return;
    *first = (uint32_t)(block - j + c);
    *count = (uint32_t)(n - c < o->reduce_fanin ? n - c : o->reduce_fanin);
}

/* Gives every projection that has several blocks per row range, all of them
 * resident, the fan-in asked; the others reduce flat (a block streamed from
 * DRAM shares its core's staging area with the next one, so its partial sums
 * cannot wait there for a child's). */
static void set_reduction(struct ax_map *m, uint32_t fanin, uint32_t chunk)
{
    m->reduce_fanin = fanin;
    m->reduce_chunk = chunk;
    for (uint32_t i = 0; i < m->n_objects; i++) {
        struct ax_map_object *o = &m->objects[i];
        o->reduce_fanin = 0;
        if (o->kind != AX_MAP_WEIGHTS || o->producer == NONE || o->dest == NONE ||
            o->n_blocks < 2 || ax_map_range_blocks(m, o) < 2)
            continue;
        int streams = 0;
        for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks; b++)
            streams |= m->blocks[b].is_dram;
        o->reduce_fanin = streams ? 0 : fanin;
    }
}

/* An argmax needs each row range of lm_head summed on one core: along a
 * tree, or in a block of whole rows. AX_ERR_UNSUPPORTED with a diagnostic
 * when a range reduces flat (--reduce-fanin 0, or streamed from DRAM). */
static ax_status check_argmax(const struct ax_map *m, struct ax_diag_list *diags)
{
    for (uint32_t i = 0; i < m->n_objects; i++) {
        const struct ax_map_object *o = &m->objects[i];
        if (!o->pair_words || !o->n_blocks || o->reduce_fanin || ax_map_range_blocks(m, o) < 2)
            continue;
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "--logits argmax: %s's rows are cut over %u blocks that add their partial sums "
                    "flat (%s), so no core holds a row range's logits to take the largest of; use "
                    "reduction trees (--reduce-fanin 2) or --logits full",
                    o->name, ax_map_range_blocks(m, o),
                    m->reduce_fanin ? "its blocks stream from DRAM" : "--reduce-fanin 0");
        return AX_ERR_UNSUPPORTED;
    }
    return AX_OK;
}

/* ---- the placement's cost ------------------------------------------------------ */

/* Where a block's input comes from, the core of the value it reads (NONE:
 * it reads none; lookup tables cost nothing here), and its bytes per token
 * into *bytes: spike events of 4 bytes, or float32 values. */
static uint32_t input_of(const struct ax_map *m, const struct ax_map_block *blk, double spe,
                         double *bytes)
{
    const struct ax_map_object *o = &m->objects[blk->object];
    *bytes = 0.0;
    if (o->kind != AX_MAP_WEIGHTS || o->producer == NONE || m->objects[o->producer].home == NONE)
        return NONE;
    *bytes = (o->is_spiking ? spe : 1.0) * blk->cols * 4.0;
    return m->objects[o->producer].home;
}

/* Its partial sums' bytes per token: float32 per row. */
static double psum_bytes(const struct ax_map_block *blk)
{
    return blk->rows * 4.0;
}

/* A block's input traffic per token when it sits on `core`. */
static double input_cost(const struct ax_map *m, const struct placer *pl, uint32_t grid_w,
                         const struct ax_map_block *blk, uint32_t core, double spe)
{
    double bytes;
    uint32_t src = input_of(m, blk, spe, &bytes);
    return src != NONE ? bytes * hops(pl, grid_w, src, core) : 0.0;
}

/* Its partial sums from `core` to `dst` (NONE: none). */
static double psum_cost(const struct placer *pl, uint32_t grid_w, const struct ax_map_block *blk,
                        uint32_t core, uint32_t dst)
{
    return dst != NONE && core != dst ? psum_bytes(blk) * hops(pl, grid_w, core, dst) : 0.0;
}

/* Where block `bi`'s partial sums go when they go to the value (its tree's
 * root, or every block when flat), or NONE. */
static uint32_t value_dst(const struct ax_map *m, uint32_t bi)
{
    const struct ax_map_object *o = &m->objects[m->blocks[bi].object];
    if (o->kind != AX_MAP_WEIGHTS || o->producer == NONE || o->dest == NONE)
        return NONE;
    return ax_map_value_core(m, o->dest, m->blocks[bi].row0);
}

/* Homes: a value's or state's first block; a matrix's value shard of its
 * first rows (where its partial sums go), or its first block. */
static void set_homes(struct ax_map *m)
{
    for (uint32_t i = 0; i < m->n_objects; i++) {
        struct ax_map_object *o = &m->objects[i];
        o->home = o->n_blocks ? m->blocks[o->first_block].core : NONE;
    }
    for (uint32_t i = 0; i < m->n_objects; i++) {
        struct ax_map_object *o = &m->objects[i];
        if (o->kind != AX_MAP_WEIGHTS || o->dest == NONE || !o->n_blocks)
            continue;
        uint32_t core = ax_map_value_core(m, o->dest, m->blocks[o->first_block].row0);
        o->home = core != NONE ? core : m->objects[o->dest].home;
    }
}

/* The hop-bytes of a token: every block's input, and its partial sums to
 * its parent in the tree or to the value. */
static double total_cost(const struct ax_map *m, const struct placer *pl, uint32_t grid_w, double spe)
{
    double c = 0.0;
    for (uint32_t i = 0; i < m->n_blocks; i++) {
        const struct ax_map_block *blk = &m->blocks[i];
        uint32_t parent = ax_map_reduce_parent(m, i);
        c += input_cost(m, pl, grid_w, blk, blk->core, spe) +
             psum_cost(pl, grid_w, blk, blk->core,
                       parent != NONE ? m->blocks[parent].core : value_dst(m, i));
    }
    return c;
}

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* What the annealer knows: the used cores as slots, each holding a group of
 * blocks (the blocks of one original core, identified by its slot); held[s]
 * is the group slot s holds now and pos[g] the slot group g is at. What
 * does not move during annealing is looked up once per block and slot
 * (struct anneal_block, the slots' mesh coordinates), so that a swap's
 * cost is table lookups, with the same terms in the same order as
 * total_cost. Of each declared core only its slot is kept (slot_of),
 * so a chip declared with many idle cores costs the annealer little. */
struct anneal_block {
    uint32_t group;         /* its group (NONE: streamed from DRAM, never moves) */
    uint32_t parent;        /* in its reduction tree, or NONE */
    uint32_t child_first, n_children;
    struct place fixed;     /* where it is when group is NONE */
    struct place src;       /* where its input comes from, when has_src */
    struct place dst;       /* value_dst's core, when has_dst (used when parent is NONE) */
    uint8_t has_src, has_dst;
    double in_bytes;        /* its input's bytes per token */
    double psum_bytes;      /* its partial sums' bytes per token */
};

struct annealer {
    const struct anneal_block *blk;
    const struct place *slot_at; /* per slot: its core's coordinates */
    const uint32_t *run_start, *run_end, *members; /* per group: its blocks */
    uint32_t *pos;
};

/* Where block `bi` sits now. */
static struct place place_now(const struct annealer *an, uint32_t bi)
{
    const struct anneal_block *b = &an->blk[bi];
    return b->group == NONE ? b->fixed : an->slot_at[an->pos[b->group]];
}

/* The terms of the cost that depend on where group `g` is: its blocks'
 * input and partial sums, and the partial sums its blocks receive from
 * children in neither `g` nor `other` (those count as the children's own).
 * A block on its parent's or value's core is 0 hops from it, so psum_cost's
 * test of the core is the hops' zero here. */
static double group_cost(const struct annealer *an, uint32_t g, uint32_t other)
{
    double c = 0.0;
    struct place here = an->slot_at[an->pos[g]];
    for (uint32_t k = an->run_start[g]; k < an->run_end[g]; k++) {
        uint32_t bi = an->members[k];
        const struct anneal_block *b = &an->blk[bi];
        double in = b->has_src ? b->in_bytes * place_hops(b->src, here) : 0.0;
        double out = b->parent != NONE ? b->psum_bytes * place_hops(here, place_now(an, b->parent))
                     : b->has_dst      ? b->psum_bytes * place_hops(here, b->dst)
                                       : 0.0;
        c += in + out;
        for (uint32_t ch = b->child_first; ch < b->child_first + b->n_children; ch++) {
            uint32_t gc = an->blk[ch].group;
            if (gc != g && gc != other)
                c += an->blk[ch].psum_bytes * place_hops(place_now(an, ch), here);
        }
    }
    return c;
}

/* Fills the per-block tables of the annealer (`slot_of`: each core's
 * slot, or NONE). */
static void anneal_tables(const struct ax_map *m, const struct placer *pl, uint32_t grid_w,
                          double spe, const uint32_t *slot_of, struct anneal_block *blk)
{
    for (uint32_t i = 0; i < m->n_blocks; i++) {
        const struct ax_map_block *mb = &m->blocks[i];
        struct anneal_block *b = &blk[i];
        memset(b, 0, sizeof *b);
        b->group = mb->is_dram ? NONE : slot_of[mb->core];
        b->fixed = place_of(pl, grid_w, mb->core);
        b->parent = ax_map_reduce_parent(m, i);
        uint32_t dst = value_dst(m, i);
        b->has_dst = dst != NONE;
        if (b->has_dst)
            b->dst = place_of(pl, grid_w, dst);
        ax_map_reduce_children(m, i, &b->child_first, &b->n_children);
        uint32_t src = input_of(m, mb, spe, &b->in_bytes);
        b->has_src = src != NONE;
        if (b->has_src)
            b->src = place_of(pl, grid_w, src);
        b->psum_bytes = psum_bytes(mb);
    }
}

/* Simulated annealing over swaps of the contents of two used cores. Cores
 * that hold a value or the first block of a state stay put; a swap changes
 * the terms of the blocks on the two cores and of the tree edges into them
 * (group_cost). Ends on the best placement seen. */
static ax_status anneal(struct ax_map *m, const struct placer *pl, uint32_t grid_w,
                        const struct ax_map_options *opt, double *cost)
{
    /* Slots: the used cores in order of their first block, each with the
     * blocks it holds (members[run_start[s] .. run_end[s]), in block order);
     * DRAM-streamed blocks never move. */
    size_t n_cores = (size_t)m->n_chips * pl->cores_per_chip;
    uint32_t *slot_of = ax_mem_alloc((n_cores + 1) * sizeof *slot_of);
    uint32_t *members = ax_mem_alloc((m->n_blocks + 1) * sizeof *members);
    uint32_t n_slots = 0;
    if (!slot_of || !members) {
        ax_mem_free(slot_of);
        ax_mem_free(members);
        return AX_ERR_NOMEM;
    }
    for (size_t c = 0; c < n_cores; c++)
        slot_of[c] = NONE;
    for (uint32_t i = 0; i < m->n_blocks; i++)
        if (!m->blocks[i].is_dram && slot_of[m->blocks[i].core] == NONE)
            slot_of[m->blocks[i].core] = n_slots++;
    uint32_t moves = opt->anneal_moves ? opt->anneal_moves
                                       : (n_slots > 100000 ? 2000000 : 20 * n_slots);
    uint32_t *slot_core = ax_mem_calloc(n_slots + 1, sizeof *slot_core);
    uint32_t *run_start = ax_mem_calloc(n_slots + 1, sizeof *run_start);
    uint32_t *run_end = ax_mem_calloc(n_slots + 1, sizeof *run_end);
    /* the swaps accepted since the best placement seen, undone at the end
     * (copying the placement at every new best costs O(slots) each) */
    uint32_t *held = ax_mem_calloc(n_slots + 1, sizeof *held), *since = ax_mem_calloc(2 * (size_t)moves + 2, sizeof *since);
    uint32_t *pos = ax_mem_calloc(n_slots + 1, sizeof *pos);
    size_t n_since = 0;
    uint8_t *is_home = ax_mem_calloc(n_slots + 1, 1), *pinned = ax_mem_calloc(n_cores + 1, 1);
    struct anneal_block *blk = ax_mem_alloc(((size_t)m->n_blocks + 1) * sizeof *blk);
    struct place *slot_at = ax_mem_alloc(((size_t)n_slots + 1) * sizeof *slot_at);
    ax_status st = AX_ERR_NOMEM;
    if (!slot_core || !run_start || !run_end || !held || !since || !pos || !is_home || !pinned ||
        !blk || !slot_at)
        goto done;
    st = AX_OK;
    if (n_slots < 3)
        goto done;
    for (uint32_t i = 0; i < m->n_blocks; i++) {
        const struct ax_map_block *mb = &m->blocks[i];
        if (mb->is_dram)
            continue;
        uint32_t s = slot_of[mb->core];
        slot_core[s] = mb->core;
        run_end[s]++;
        const struct ax_map_object *o = &m->objects[mb->object];
        if (o->kind == AX_MAP_VALUE || (o->kind == AX_MAP_STATE && o->first_block == i))
            pinned[mb->core] = 1;
    }
    for (uint32_t s = 0, at = 0; s < n_slots; s++) { /* counts to ranges */
        run_start[s] = at;
        at += run_end[s];
        run_end[s] = run_start[s];
        held[s] = pos[s] = s;
        is_home[s] = pinned[slot_core[s]];
    }
    for (uint32_t i = 0; i < m->n_blocks; i++)
        if (!m->blocks[i].is_dram)
            members[run_end[slot_of[m->blocks[i].core]]++] = i;
    for (uint32_t sl = 0; sl < n_slots; sl++)
        slot_at[sl] = place_of(pl, grid_w, slot_core[sl]);
    anneal_tables(m, pl, grid_w, opt->spikes_per_element, slot_of, blk);
    struct annealer an = {blk, slot_at, run_start, run_end, members, pos};
    double best_cost = *cost;
    uint64_t rng = opt->seed ? opt->seed : 1;
    double t0 = *cost / (double)m->n_blocks * 0.1 + 1e-9;
    for (uint32_t move = 0; move < moves; move++) {
        uint32_t a = (uint32_t)(next_random(&rng) % n_slots);
        uint32_t b = (uint32_t)(next_random(&rng) % n_slots);
        double u = (double)(next_random(&rng) >> 11) / 9007199254740992.0;
        if (a == b || is_home[a] || is_home[b])
            continue;
        uint32_t ga = held[a], gb = held[b];
        double before = group_cost(&an, ga, gb) + group_cost(&an, gb, ga);
        pos[ga] = b;
        pos[gb] = a;
        double delta = group_cost(&an, ga, gb) + group_cost(&an, gb, ga) - before;
        double t = t0 * pow(1e-4, (double)move / moves);
        if (delta < 0.0 || u < exp(-delta / t)) {
            held[a] = gb;
            held[b] = ga;
            *cost += delta;
            since[n_since++] = a;
            since[n_since++] = b;
            if (*cost < best_cost) {
                best_cost = *cost;
                n_since = 0;
            }
        } else {
            pos[ga] = a;
            pos[gb] = b;
        }
    }
    while (n_since) { /* back to the best placement */
        uint32_t b = since[--n_since], a = since[--n_since], t = held[a];
        held[a] = held[b];
        held[b] = t;
    }
    for (uint32_t s = 0; s < n_slots; s++)
        for (uint32_t i = run_start[held[s]]; i < run_end[held[s]]; i++)
            m->blocks[members[i]].core = slot_core[s];
    *cost = best_cost;
    st = AX_OK;
done:
    ax_mem_free(slot_of);
    ax_mem_free(members);
    ax_mem_free(slot_core);
    ax_mem_free(run_start);
    ax_mem_free(run_end);
    ax_mem_free(held);
    ax_mem_free(since);
    ax_mem_free(pos);
    ax_mem_free(is_home);
    ax_mem_free(pinned);
    ax_mem_free(blk);
    ax_mem_free(slot_at);
    return st;
}

struct tile_key {
    uint64_t d; /* the tile's Hilbert index: distinct for distinct tiles */
    uint32_t t;
};

static int tile_key_cmp(const void *a, const void *b)
{
    uint64_t x = ((const struct tile_key *)a)->d, y = ((const struct tile_key *)b)->d;
    return (x > y) - (x < y);
}

/* The order in which a chip's cores are filled: tiles along a Hilbert curve
 * (or row-major for the naive placement), the cores of a tile together.
 * Sorting costs n log n in the tiles, so a chip declared with many tiles
 * costs little more than the ones the model uses. AX_ERR_NOMEM. */
static ax_status visiting_order(const struct ax_chip_desc *chip, int is_hilbert, uint32_t *visit)
{
    uint32_t w = chip->mesh_width, h = chip->mesh_height, n_tiles = w * h, side = 1;
    while (side < w || side < h)
        side *= 2;
    for (uint32_t t = 0; t < n_tiles; t++)
        visit[t] = t;
    if (is_hilbert) {
        struct tile_key *k = ax_mem_alloc((size_t)n_tiles * sizeof *k);
        if (!k)
            return AX_ERR_NOMEM;
        for (uint32_t t = 0; t < n_tiles; t++)
            k[t] = (struct tile_key){hilbert_index(side, t % w, t / w), t};
        qsort(k, n_tiles, sizeof *k, tile_key_cmp);
        for (uint32_t t = 0; t < n_tiles; t++)
            visit[t] = k[t].t;
        ax_mem_free(k);
    }
    for (int32_t t = (int32_t)n_tiles - 1; t >= 0; t--)
        for (uint32_t c = chip->cores_per_tile; c-- > 0;)
            visit[(uint32_t)t * chip->cores_per_tile + c] = visit[t] * chip->cores_per_tile + c;
    return AX_OK;
}

/* The one weight object of a linear node, or NONE. */
static uint32_t only_weights(const struct ax_map *m, uint32_t id)
{
    uint32_t v = m->node_value[id];
    if (v == NONE || v == 0 || m->objects[v - 1].node != id || m->objects[v - 1].kind != AX_MAP_WEIGHTS ||
        (v >= 2 && m->objects[v - 2].node == id))
        return NONE;
    return v - 1;
}

/* SwiGLU groups: a SwiGLU whose operands are two linear nodes of the same
 * shape that nothing else reads, and whose value only dense linear nodes
 * read (no spike counts there), gets its value and its operands' values
 * cut by the operands' row ranges, shard r of all three on one core
 * (pack): each row range's partial sums meet there and SiLU(gate) x up
 * runs per shard, with no whole vector gathered on one core. */
static void mark_shards(struct builder *b)
{
    const struct ax_ir_graph *g = b->g;
    struct ax_map *m = b->m;
    for (uint32_t s = 0; s < g->n_nodes; s++) {
        const struct ax_ir_node *n = &g->nodes[s];
        uint32_t vs = m->node_value[s];
        int dense, any;
        if (n->op != AX_IR_SWIGLU || n->n_inputs != 2 || vs == NONE || m->objects[vs].node != s ||
            m->objects[vs].needs.has_counts || readers(g, s, &dense, NULL) < 1 || !dense)
            continue;
        uint32_t a = n->inputs[0], c = n->inputs[1];
        uint32_t wa = only_weights(m, a), wc = only_weights(m, c);
        if (wa == NONE || wc == NONE || readers(g, a, &any, NULL) != 1 ||
            readers(g, c, &any, NULL) != 1)
            continue;
        const struct ax_map_object *x = &m->objects[wa], *y = &m->objects[wc];
        uint32_t va = m->node_value[a], vc = m->node_value[c];
        if (x->rows != y->rows || x->cols != y->cols || x->is_spiking != y->is_spiking ||
            x->is_float != y->is_float || has_needs(&m->objects[va].needs) ||
            has_needs(&m->objects[vc].needs))
            continue;
        m->objects[va].shard_lead = m->objects[vc].shard_lead = m->objects[vs].shard_lead = va;
    }
}

/* GLA operands: a linear node's value that one GLA node alone reads and
 * that holds nothing but its value and bias (no spike counts, no inbox) is
 * marked to be cut by its matrix's row ranges, its shard_lead the GLA's
 * state (gla_shards decides once the matrix is cut into blocks). */
static void mark_gla_shards(struct builder *b)
{
    const struct ax_ir_graph *g = b->g;
    struct ax_map *m = b->m;
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        uint32_t v = m->node_value[id], r, gv;
        int dense;
        if (g->nodes[id].op != AX_IR_LINEAR || v == NONE || m->objects[v].node != id ||
            m->objects[v].shard_lead != NONE || only_weights(m, id) != v - 1 ||
            readers(g, id, &dense, &r) != 1 || g->nodes[r].op != AX_IR_GLA ||
            (gv = m->node_value[r]) == NONE || gv == 0 || m->objects[gv - 1].kind != AX_MAP_STATE)
            continue;
        struct ax_map_value_needs nd = m->objects[v].needs;
        nd.has_param = 0;
        if (!has_needs(&nd))
            m->objects[v].shard_lead = gv - 1;
    }
}

/* Whether node `r` projects its input through a matrix of its own (a
 * linear node, the LM head) taking it as spikes: its blocks can take their
 * columns' events from the shards that hold them (spike_fanout). */
static int spikes_from_shards(const struct ax_map *m, const struct ax_ir_graph *g, uint32_t r)
{
    enum ax_ir_op op = g->nodes[r].op;
    uint32_t w = op == AX_IR_LINEAR || op == AX_IR_LM_HEAD ? only_weights(m, r) : NONE;
    return w != NONE && m->objects[w].is_spiking;
}

/* Whether node `id` belongs to the residual stream: an add, a linear node
 * with a matrix of its own that only adds read (the attention's o_proj,
 * the MLP's down_proj: the matrices that write the stream), or an RMSNorm
 * over the whole vector that only spiking projections read (one read
 * densely, the 7B's last before lm_head, stays whole: each of lm_head's
 * blocks would take its columns from the shards, 1.08 ms where a relay
 * tree from one core takes 0.44). */
static int is_stream_node(const struct ax_map *m, const struct ax_ir_graph *g, uint32_t id)
{
    const struct ax_ir_node *n = &g->nodes[id];
    uint32_t v = m->node_value[id], any = 0;
    if (v == NONE || m->objects[v].node != id || m->objects[v].shard_lead != NONE)
        return 0;
    if (n->op == AX_IR_ADD)
        return 1;
    int is_norm = n->op == AX_IR_RMSNORM && (n->group == 0 || n->group == n->out_dim);
    if (!is_norm && (n->op != AX_IR_LINEAR || only_weights(m, id) == NONE))
        return 0;
    for (uint32_t r = id + 1; r < g->n_nodes; r++)
        for (uint32_t k = 0; k < g->nodes[r].n_inputs; k++)
            if (g->nodes[r].inputs[k] == id) {
                if (is_norm ? !spikes_from_shards(m, g, r) : g->nodes[r].op != AX_IR_ADD)
                    return 0;
                any = 1;
            }
    return (int)any;
}

/* Whether node `r` can read stream node `id`'s value cut into shards: a
 * stream node, a spiking projection of an RMSNorm's (spikes_from_shards),
 * or an RMSNorm left whole, which gathers the shards' rows. */
static int reads_shards(const struct ax_map *m, const struct ax_ir_graph *g, uint32_t id,
                        uint32_t r)
{
    const struct ax_ir_node *n = &g->nodes[r];
    return is_stream_node(m, g, r) ||
           (g->nodes[id].op == AX_IR_RMSNORM && spikes_from_shards(m, g, r)) ||
           (n->op == AX_IR_RMSNORM && n->n_inputs == 1);
}

/* The residual stream cut into row shards: the hidden vector that every
 * layer adds into and normalizes lives on several cores, shard r of each of
 * its values on one core, so that the add, the RMSNorm's scaling, the
 * encoding and the emission of its spikes run on every shard at once
 * instead of on one core (the 7B's 3,584 words: 7 us of adds, 18 us of
 * encoding and 21 us of emission per projection, one after another). The
 * shards are the row ranges of the matrices that write the stream, all cut
 * alike (a multiple of the fewest rows a writer takes that the others take
 * whole, evened out), so that each range's sums end in a shard of their
 * own; a group of 128 columns of a reading projection may straddle two
 * shards, each sending its part. (Cut to a multiple of 128 rows instead,
 * the 7B's o_proj and down_proj took six row ranges of 640 rows for five
 * of 719: 366 chips for 344, and 40.97 ms.) A norm that something else
 * reads (a dense projection, the 76B's router and experts) stays whole and
 * gathers the shards. Cut only when every reader of every stream value
 * reads shards so or gathers them and the writers have several row
 * ranges; else the stream stays whole, as before. */
static ax_status mark_stream(struct builder *b, uint32_t max_neurons)
{
    const struct ax_ir_graph *g = b->g;
    struct ax_map *m = b->m;
    uint32_t a = NONE, bb = NONE, dim = 0; /* the writers' fewest rows, and the next fewest */
    if (!b->is_stream_cut)
        return AX_OK;
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        if (!is_stream_node(m, g, id))
            continue;
        if (dim == 0)
            dim = g->nodes[id].out_dim;
        if (g->nodes[id].out_dim != dim)
            return AX_OK;
        for (uint32_t r = id + 1; r < g->n_nodes; r++)
            for (uint32_t k = 0; k < g->nodes[r].n_inputs; k++)
                if (g->nodes[r].inputs[k] == id && !reads_shards(m, g, id, r))
                    return AX_OK;
        uint32_t w = g->nodes[id].op == AX_IR_LINEAR ? only_weights(m, id) : NONE, br, bc;
        if (w == NONE)
            continue;
        struct ax_diag_list quiet, *keep = b->diags;
        ax_diag_list_init(&quiet);
        b->diags = &quiet;
        ax_status st = weight_shape(b, &m->objects[w], b->core_cap, max_neurons, &br, &bc);
        b->diags = keep;
        ax_diag_list_free(&quiet);
        if (st != AX_OK)
            return AX_OK; /* partition says why */
        if (br < a) {
            bb = a;
            a = br;
        } else if (br > a && br < bb) {
            bb = br;
        }
    }
    if (a == NONE || a >= dim)
        return AX_OK;
    /* shards of a multiple of the fewest rows (so those ranges nest in
     * them) that the other writers take whole, as few as that allows, then
     * evened out: the rows of each writer are then the shard's, or the
     * fewest where they divide it (partition) */
    uint32_t most = bb == NONE ? a : a * (bb / a);
    uint32_t n = (dim + most - 1) / most, unit = bb == NONE ? 1 : a;
    uint32_t even = (dim + n - 1) / n;
    b->stream_rows = (even + unit - 1) / unit * unit;
    for (uint32_t id = 0; id < g->n_nodes; id++)
        if (is_stream_node(m, g, id)) {
            struct ax_map_object *v = &m->objects[m->node_value[id]];
            v->is_stream = 1;
            v->needs.has_totals = g->nodes[id].op == AX_IR_RMSNORM;
        }
    return AX_OK;
}

/* Every node's objects and value object, in node order (collect_needs,
 * collect_node). */
static ax_status collect(struct builder *b)
{
    const struct ax_ir_graph *g = b->g;
    collect_needs(g, b->needs);
    for (uint32_t i = 0; i < g->n_nodes; i++)
        b->m->node_value[i] = NONE;
    for (uint32_t i = 0; i < g->n_nodes && !b->is_oom; i++)
        collect_node(b, i);
    if (b->is_oom)
        return AX_ERR_NOMEM;
    mark_shards(b);
    mark_gla_shards(b);
    return AX_OK;
}

static ax_status partition_all(struct builder *b, double cap, uint32_t max_neurons)
{
    b->m->n_blocks = 0;
    for (uint32_t i = 0; i < b->m->n_objects; i++) {
        ax_status st = partition(b, i, cap, max_neurons);
        if (st != AX_OK)
            return st;
    }
    return AX_OK;
}

/* Bytes of the staging area a core needs to stream any weight block in
 * turn: the largest codes and scales, accumulators and (dense) inbox. */
static uint64_t staging_need(const struct ax_map *m)
{
    uint64_t words = 0, rows = 0, cols = 0;
    for (uint32_t i = 0; i < m->n_blocks; i++) {
        const struct ax_map_block *blk = &m->blocks[i];
        const struct ax_map_object *o = &m->objects[blk->object];
        if (o->kind != AX_MAP_WEIGHTS)
            continue;
        uint64_t w = ax_map_record_words(o, blk->rows, blk->cols);
        words = w > words ? w : words;
        rows = blk->rows > rows ? blk->rows : rows;
        if (ax_map_has_inbox(o))
            cols = blk->cols > cols ? blk->cols : cols;
    }
    return 4 * (words + rows + cols);
}

/* Partitions every object for a system that streams from DRAM: blocks of
 * at most *cap bytes, cut smaller until the staging area of `staging`
 * bytes holds the largest block's codes and scales, accumulators and inbox
 * together (each alone fits in *cap; the largest of each may come from
 * different blocks). */
static ax_status partition_streamed(struct builder *b, double *cap, uint64_t staging, uint32_t max_neurons)
{
    for (int round = 0; round < 16; round++) {
        ax_status st = partition_all(b, *cap, max_neurons);
        if (st != AX_OK)
            return st;
        uint64_t need = staging_need(b->m);
        if (need <= staging)
            return AX_OK;
        *cap = floor((*cap - (double)(need - staging)) / 4.0) * 4.0;
    }
    ax_diag_add(b->diags, AX_DIAG_ERROR, NULL, 0, 0,
                "the blocks streamed from DRAM do not fit the staging area of %llu bytes a core",
                (unsigned long long)staging);
    return AX_ERR_INVALID;
}

/* SRAM per used core and DRAM in total. */
static ax_status memory_figures(struct ax_map *out, uint32_t cpc)
{
    uint64_t *per_core = ax_mem_calloc((size_t)out->n_chips * cpc + 1, sizeof *per_core);
    if (!per_core)
        return AX_ERR_NOMEM;
    for (uint32_t i = 0; i < out->n_blocks; i++) {
        const struct ax_map_block *blk = &out->blocks[i];
        if (blk->is_dram)
            out->dram_bytes += blk->bytes;
        else
            per_core[blk->core] += blk->bytes, out->sram_bytes_used += blk->bytes;
    }
    out->sram_min = UINT64_MAX;
    for (uint32_t c = 0; c < out->n_chips * cpc; c++) {
        if (!per_core[c])
            continue;
        out->sram_min = per_core[c] < out->sram_min ? per_core[c] : out->sram_min;
        out->sram_max = per_core[c] > out->sram_max ? per_core[c] : out->sram_max;
    }
    ax_mem_free(per_core);
    return AX_OK;
}

/* Refuses, before any block is cut, a model whose blocks could not all be
 * held: at least bytes / cap blocks an object (and one per max_neurons rows
 * of weights), against the most cores a system may have (ax_arch.h), since
 * each block takes a core or a slot streamed through one. Memory and time
 * of the mapping grow with the blocks, so without this a config at the
 * reader's limits grew the mapper until the machine killed it. */
static ax_status check_model_size(struct builder *b, double cap, uint32_t max_neurons)
{
    double n_blocks = 0.0, bytes = 0.0;
    for (uint32_t i = 0; i < b->m->n_objects; i++) {
        const struct ax_map_object *o = &b->m->objects[i];
        double ob = (double)ax_map_block_bytes(o, o->rows, o->cols);
        double slots = o->kind == AX_MAP_WEIGHTS ? b->spread : 1.0;
        double by_rows =
            o->kind == AX_MAP_WEIGHTS ? ceil((double)o->rows * slots / max_neurons) : 1.0;
        double by_bytes = ceil(ob * slots / cap);
        n_blocks += by_bytes > by_rows ? by_bytes : by_rows;
        bytes += ob;
    }
    if (n_blocks <= (double)AX_ARCH_MAX_CORES)
        return AX_OK;
    ax_diag_add(b->diags, AX_DIAG_ERROR, NULL, 0, 0,
                "the model needs at least %.0f blocks of at most %.0f bytes (%.4g bytes of weights, "
                "state and values); axon maps at most %u blocks, one a core: use a smaller model "
                "or a chip with more SRAM a core", n_blocks, cap, bytes, AX_ARCH_MAX_CORES);
    return AX_ERR_LIMIT;
}

ax_status ax_map_build(const struct ax_ir_graph *g, const ax_arch_t *arch,
                       const struct ax_map_options *opt, struct ax_map *out,
                       struct ax_diag_list *diags)
{
    memset(out, 0, sizeof *out);
    ax_arena_init(&out->arena, 0);
    const struct ax_system_desc *sys = ax_arch_desc(arch);
    const struct ax_chip_desc *chip = &sys->chip;
    struct builder b = {.m = out,
                        .g = g,
                        .diags = diags,
                        .is_int8_only = opt->float_weights == AX_MAP_FLOAT_INT8,
                        .ring_keys = opt->ring_keys,
                        .batch = opt->batch ? opt->batch : 1,
                        .spread = 1,
                        .is_argmax = opt->logits == AX_MAP_LOGITS_ARGMAX,
                        .is_stream_cut = opt->stream != 0};
    b.needs = ax_mem_calloc(g->n_nodes + 1, sizeof *b.needs);
    out->node_value = ax_mem_calloc(g->n_nodes + 1, sizeof *out->node_value);
    out->n_nodes = g->n_nodes;
    uint32_t cpc = ax_arch_cores_per_chip(arch);
    struct placer pl = {chip, cpc, ax_mem_calloc(cpc, sizeof *pl.visit), chip->core.sram.capacity_bytes,
                        chip->core.max_neurons, NONE, chip->dram.is_present, NULL, 0, NULL, NULL, 1};
    uint32_t *order = NULL;
    uint8_t *fresh = NULL;
    ax_status st = AX_ERR_NOMEM;
    if (!b.needs || !out->node_value || !pl.visit)
        goto fail;
    if (pl.cap <= 0.0) {
        ax_diag_add(diags, AX_DIAG_ERROR, sys->path, 0, 0, "the chip describes no SRAM capacity "
                    "(SANA-FE's format has none); mapping needs an axon-format description");
        st = AX_ERR_INVALID;
        goto fail;
    }
    if (!sys->is_chips_open)
        pl.max_cores = sys->n_chips * cpc;
    else if (sys->max_chips)
        pl.max_cores = sys->max_chips * cpc;
    /* Slots of 1/spread of a core; a system that may stream from DRAM packs
     * whole cores, since streamed blocks take turns in every core's staging
     * area. */
    uint32_t spread = opt->spread ? opt->spread : opt->batch > 1 ? 1 : 2;
    pl.spread = pl.max_cores != NONE && pl.has_dram ? 1 : spread;
    b.spread = pl.spread;
    b.core_cap = pl.cap;
    if (pl.max_neurons / pl.spread == 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, sys->path, 0, 0, "--spread %u leaves a slot no neuron: "
                    "a core has %u; spread over fewer slots", pl.spread, chip->core.max_neurons);
        st = AX_ERR_INVALID;
        goto fail;
    }
    if ((st = collect(&b)) != AX_OK || (st = mark_stream(&b, pl.max_neurons)) != AX_OK ||
        (st = check_model_size(&b, pl.cap, pl.max_neurons)) != AX_OK ||
        (st = partition_all(&b, pl.cap, pl.max_neurons)) != AX_OK)
        goto fail;
    if (pl.max_cores != NONE && pl.has_dram &&
        !(pl.used = ax_mem_calloc(pl.max_cores + 1, sizeof *pl.used))) {
        st = AX_ERR_NOMEM;
        goto fail;
    }
    /* When the system is too small to hold everything and blocks must
     * stream from DRAM, every core keeps half its SRAM as the staging buffer
     * they stream into: the blocks are cut again to half a core. */
    uint32_t failed = 0, n_used = NONE;
    if (pl.max_cores != NONE && pl.has_dram) {
        if ((st = visiting_order(chip, 0, pl.visit)) != AX_OK)
            goto fail;
        int streams = pack(out, &pl, &failed) == NONE;
        for (uint32_t i = 0; i < out->n_blocks && !streams; i++)
            streams = out->blocks[i].is_dram;
        if (streams) {
            pl.is_values_first = 1;
            b.is_unsharded = 1; /* values pack apart from the weights: no SwiGLU shards */
            b.stream_rows = 0;  /* nor a stream cut */
            for (uint32_t i = 0; i < out->n_objects; i++) {
                out->objects[i].is_stream = 0;
                out->objects[i].needs.has_totals = 0;
            }
            pl.cap = floor(pl.cap / 8.0) * 4.0; /* half, in whole words */
            out->staging_bytes = (uint64_t)pl.cap;
            if ((st = partition_streamed(&b, &pl.cap, out->staging_bytes, pl.max_neurons)) != AX_OK)
                goto fail;
        }
    }
    /* The naive placement first (row-major), then the placed one (Hilbert
     * order and annealing); the packing is the same, only the cores differ. */
    if ((st = packing_order(out, g, !b.is_unsharded, &order, &fresh)) != AX_OK)
        goto fail;
    if ((st = mark_fresh(out, &fresh)) != AX_OK)
        goto fail;
    pl.order = order;
    pl.fresh = fresh;
    for (int pass = 0; pass < 2; pass++) {
        if ((st = visiting_order(chip, pass == 1, pl.visit)) != AX_OK)
            goto fail;
        if (pl.used)
            memset(pl.used, 0, pl.max_cores * sizeof *pl.used);
        if (pl.spread > 1 && (st = pack_spread_fit(out, &pl, &n_used, &failed)) != AX_OK)
            goto fail;
        if (pl.spread == 1)
            n_used = pack(out, &pl, &failed);
        if (n_used == NONE) {
            const struct ax_map_object *o = &out->objects[out->blocks[failed].object];
            ax_diag_add(diags, AX_DIAG_ERROR, sys->path, 0, 0,
                        "%%%u = %s (%s) does not fit: the system offers %u cores of %.0f bytes of "
                        "SRAM (%s chips) and the model needs more; %s", o->node,
                        ax_ir_op_str(g->nodes[o->node].op), o->name, pl.max_cores, pl.cap,
                        sys->is_chips_open ? "at most max_chips" : "fixed",
                        o->kind == AX_MAP_WEIGHTS ? "the chip has no DRAM to stream the rest from"
                                                  : "values and state cannot stream from DRAM");
            st = AX_ERR_INVALID;
            goto fail;
        }
        out->n_chips = sys->is_chips_open ? (n_used + cpc - 1) / cpc : sys->n_chips;
        out->chip_grid_w = (uint32_t)ceil(sqrt((double)out->n_chips));
        set_homes(out);
        set_reduction(out, opt->reduce_fanin, opt->reduce_chunk);
        if ((st = check_argmax(out, diags)) != AX_OK)
            goto fail;
        out->logits = opt->logits;
        out->relay = opt->relay;
        out->ring_keys = opt->ring_keys;
        out->batch = b.batch;
        out->spread = pl.spread;
        out->stream = opt->stream;
        out->stream_rows = b.stream_rows;
        double cost = total_cost(out, &pl, out->chip_grid_w, opt->spikes_per_element);
        if (pass == 0) {
            out->traffic_hop_bytes_naive = cost;
        } else {
            if ((st = anneal(out, &pl, out->chip_grid_w, opt, &cost)) != AX_OK)
                goto fail;
            set_homes(out);
            /* the annealer tracks the cost by differences; they must add up */
            double placed = total_cost(out, &pl, out->chip_grid_w, opt->spikes_per_element);
            if (fabs(placed - cost) > 1e-6 * placed) {
                ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "internal error: the placement's "
                            "traffic is %.17g hop-bytes, the annealer tracked %.17g", placed, cost);
                st = AX_ERR_INTERNAL;
                goto fail;
            }
            out->traffic_hop_bytes = placed;
        }
    }
    out->cores_per_chip = cpc;
    out->n_cores_used = n_used;
    st = memory_figures(out, cpc);
fail:
    ax_mem_free(b.needs);
    ax_mem_free(pl.visit);
    ax_mem_free(pl.used);
    ax_mem_free(order);
    ax_mem_free(fresh);
    if (st == AX_ERR_NOMEM)
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "out of memory while mapping");
    if (st != AX_OK)
        ax_map_free(out);
    return st;
}

void ax_map_site_name(const struct ax_ir_graph *g, uint32_t node, char *buf, size_t size)
{
    const struct ax_ir_node *n = &g->nodes[node];
    if (size)
        buf[0] = 0;
    if (n->spike != AX_IR_SPIKE_SPIKE)
        return;
    if (n->op == AX_IR_SWA) {
        snprintf(buf, size, "model.layers.%u.attn.swa_query", n->layer);
        return;
    }
    if (!n->weight)
        return;
    size_t len = strlen(n->weight), sl = strlen(".weight");
    if (len >= sl && strcmp(n->weight + len - sl, ".weight") == 0)
        len -= sl;
    snprintf(buf, size, "%.*s", (int)len, n->weight);
}
