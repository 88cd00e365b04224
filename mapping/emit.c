/* Code emission: a placed graph becomes a program (.axb).
 *
 * Requires: a graph after the precision pass and its mapping (ax_map_build).
 * Guarantees: a program that ax_prog_validate accepts, with one weight
 * record per weight block (a reference to the checkpoint tensor and the row
 * and column range), routes for every message the program sends, and an
 * instruction-to-node map.
 *
 * What each core runs per token (docs/mapping.md, "Code"):
 *   - the home core of a matrix's producer turns the producer's output into
 *     the matrix's input: for a spiking matrix `thresh`, `encode` and `emit`
 *     along a route to every core holding a block of the matrix; otherwise
 *     `psumsend` of the values along that route;
 *   - each weight block: `acczero`, then `synacc` (spiking: one synaptic
 *     operation per event and row) or `vdot` (dense), `scale` into float
 *     partial sums, and `psumsend` to the matrix's home core unless it is the
 *     home core itself;
 *   - the home core: `psumrecv` of the other blocks' partial sums;
 *   - every other op runs as dense vector work on the home core of the
 *     object that feeds it (the GLA and K/V state ops on the state's core);
 *   - every core that has code ends with `barrier 0` and `halt`.
 * Addresses are word addresses inside each core's own blocks: the codes,
 * then the scales, then the accumulators, which also hold the vectors the
 * dense work reads and writes. */
#include "ax_map.h"

#include "ax_isa.h"
#include "ax_mem.h"

#include <string.h>

#define NONE UINT32_MAX

/* One core's code while it is being written. */
struct core_code {
    uint64_t *words;
    uint32_t n, cap;
};

struct emitter {
    const struct ax_map *m;
    const struct ax_ir_graph *g;
    struct ax_prog *prog;
    struct core_code *cores;   /* by global core index */
    uint32_t n_cores;
    uint32_t *block_base;      /* word address of each block on its core */
    uint32_t *weight_id;       /* the program's weight record of each weight block */
    uint32_t *obj_vector;      /* word address of each object's output vector (home core) */
    uint32_t *node_object;     /* the object that holds a node's value, or NONE */
    uint32_t *core_stamp;      /* per core: 1 + the last object whose input route lists it */
    uint32_t sram_words;
    struct ax_prog_opmap *opmap;
    uint32_t n_opmap, cap_opmap;
    struct ax_prog_route *routes;
    uint32_t n_routes, cap_routes;
    int is_oom;
};

static void emit(struct emitter *e, uint32_t core, enum ax_isa_op op, uint8_t flags, uint64_t a,
                 uint64_t b, uint64_t c)
{
    struct core_code *k = &e->cores[core];
    if (k->n == k->cap) {
        uint32_t cap = k->cap ? 2 * k->cap : 16;
        uint64_t *w = ax_mem_realloc(k->words, cap * sizeof *w);
        if (!w) {
            e->is_oom = 1;
            return;
        }
        k->words = w;
        k->cap = cap;
    }
    struct ax_isa_instr in = {op, flags, a, b, c};
    int rc = ax_isa_encode(&in, &k->words[k->n]);
    AX_ASSERT(rc == 0); /* operands fit by construction: sram_words is checked up front */
    k->n++;
}

/* Records that instructions [first, end) of `core` implement `node`. */
static void map_op(struct emitter *e, uint32_t core, uint32_t first, uint32_t node)
{
    uint32_t end = e->cores[core].n;
    if (end == first)
        return;
    if (e->n_opmap == e->cap_opmap) {
        uint32_t cap = e->cap_opmap ? 2 * e->cap_opmap : 256;
        struct ax_prog_opmap *o = ax_mem_realloc(e->opmap, cap * sizeof *o);
        if (!o) {
            e->is_oom = 1;
            return;
        }
        e->opmap = o;
        e->cap_opmap = cap;
    }
    e->opmap[e->n_opmap++] = (struct ax_prog_opmap){core, first, end - first, node};
}

/* A new route from `src` to `n_dst` cores; returns its id. */
static uint32_t add_route(struct emitter *e, uint32_t src, const uint32_t *dst, uint32_t n_dst)
{
    if (e->n_routes == e->cap_routes) {
        uint32_t cap = e->cap_routes ? 2 * e->cap_routes : 256;
        struct ax_prog_route *r = ax_mem_realloc(e->routes, cap * sizeof *r);
        if (!r) {
            e->is_oom = 1;
            return 0;
        }
        e->routes = r;
        e->cap_routes = cap;
    }
    uint32_t *copy = ax_arena_alloc(&e->prog->arena, (n_dst ? n_dst : 1) * sizeof *copy);
    if (!copy) {
        e->is_oom = 1;
        return 0;
    }
    memcpy(copy, dst, n_dst * sizeof *copy);
    e->routes[e->n_routes] = (struct ax_prog_route){src, n_dst, copy};
    return e->n_routes++;
}

/* Word address of a block's accumulators (after its codes and scales). */
static uint32_t acc_addr(const struct emitter *e, uint32_t bi)
{
    const struct ax_map_block *b = &e->m->blocks[bi];
    uint64_t codes = ((uint64_t)b->rows * b->cols + 3) / 4;
    uint64_t scales = (uint64_t)b->rows * ((b->cols + 127) / 128);
    return (uint32_t)(e->block_base[bi] + codes + scales);
}

static uint32_t scales_addr(const struct emitter *e, uint32_t bi)
{
    const struct ax_map_block *b = &e->m->blocks[bi];
    return (uint32_t)(e->block_base[bi] + ((uint64_t)b->rows * b->cols + 3) / 4);
}

/* The matrix code of one weight object: input distribution on the producer's
 * home core, the blocks' synaptic or dense work, the partial-sum reduction. */
static void emit_weights(struct emitter *e, uint32_t oi, uint32_t *dst_scratch)
{
    const struct ax_map *m = e->m;
    const struct ax_map_object *o = &m->objects[oi];
    uint32_t home = o->home;
    if (o->producer != NONE) {
        /* every core holding a block receives the input */
        uint32_t n_dst = 0;
        for (uint32_t bi = o->first_block; bi < o->first_block + o->n_blocks; bi++) {
            uint32_t core = m->blocks[bi].core;
            if (e->core_stamp[core] != oi + 1) { /* each core once */
                e->core_stamp[core] = oi + 1;
                dst_scratch[n_dst++] = core;
            }
        }
        uint32_t src = m->objects[o->producer].home;
        uint32_t route = add_route(e, src, dst_scratch, n_dst);
        uint32_t x = e->obj_vector[o->producer], first = e->cores[src].n;
        emit(e, src, AX_ISA_SETLEN, 0, o->cols, 0, 0);
        if (o->is_spiking) {
            emit(e, src, AX_ISA_THRESH, 0, x, x, 0);
            emit(e, src, AX_ISA_ENCODE, AX_ISA_ENC_BITWISE, x, x, x);
            emit(e, src, AX_ISA_EMIT, 0, x, route, 0);
        } else {
            emit(e, src, AX_ISA_PSUMSEND, 0, x, route, 0);
        }
        map_op(e, src, first, o->node);
    }
    uint32_t n_remote = 0;
    for (uint32_t bi = o->first_block; bi < o->first_block + o->n_blocks; bi++) {
        const struct ax_map_block *b = &m->blocks[bi];
        uint32_t core = b->core, acc = acc_addr(e, bi), first = e->cores[core].n;
        emit(e, core, AX_ISA_SETLEN, 0, b->rows, 0, 0);
        if (b->is_dram)
            emit(e, core, AX_ISA_DMA, 0, e->block_base[bi], e->weight_id[bi], 0);
        emit(e, core, AX_ISA_ACCZERO, 0, acc, 0, 0);
        if (o->is_spiking)
            emit(e, core, AX_ISA_SYNACC, 0, e->weight_id[bi], acc, 0);
        else
            emit(e, core, AX_ISA_VDOT, 0, acc, e->block_base[bi], acc);
        emit(e, core, AX_ISA_SCALE, 0, acc, scales_addr(e, bi), acc);
        if (core != home) {
            uint32_t route = add_route(e, core, &home, 1);
            emit(e, core, AX_ISA_PSUMSEND, 0, acc, route, 0);
            n_remote++;
        }
        map_op(e, core, first, o->node);
    }
    if (n_remote) {
        uint32_t first = e->cores[home].n;
        emit(e, home, AX_ISA_PSUMRECV, 0, e->obj_vector[oi], n_remote, 0);
        map_op(e, home, first, o->node);
    }
}

/* The state object of a GLA or SWA node: it sits right after the node's
 * projections. */
static uint32_t state_object(const struct ax_map *m, uint32_t id)
{
    for (uint32_t i = 0; i < m->n_objects; i++)
        if (m->objects[i].node == id && m->objects[i].kind == AX_MAP_STATE)
            return i;
    return NONE;
}

/* Moves the operands of node `id` that live on other cores to `core`, into
 * the word address `dst`: `psumsend` on the core holding each, `psumrecv`
 * on `core`. */
static void emit_operands(struct emitter *e, uint32_t id, uint32_t core, uint32_t dst)
{
    const struct ax_ir_node *n = &e->g->nodes[id];
    for (uint32_t i = 0; i < n->n_inputs; i++) {
        uint32_t oi = e->node_object[n->inputs[i]];
        if (oi == NONE || e->m->objects[oi].home == core)
            continue;
        uint32_t from = e->m->objects[oi].home, route = add_route(e, from, &core, 1);
        uint32_t first = e->cores[from].n;
        emit(e, from, AX_ISA_SETLEN, 0, e->g->nodes[n->inputs[i]].out_dim, 0, 0);
        emit(e, from, AX_ISA_PSUMSEND, 0, e->obj_vector[oi], route, 0);
        map_op(e, from, first, id);
        first = e->cores[core].n;
        emit(e, core, AX_ISA_PSUMRECV, 0, dst, 1, 0);
        map_op(e, core, first, id);
    }
}

/* Dense work of one op that holds no weights, on the home core of the object
 * that feeds it (GLA and SWA on their state's core), after its operands are
 * moved there. */
static void emit_dense(struct emitter *e, uint32_t id)
{
    const struct ax_ir_node *n = &e->g->nodes[id];
    uint32_t src = n->n_inputs ? e->node_object[n->inputs[0]] : NONE;
    if (src == NONE)
        return;
    const struct ax_map *m = e->m;
    uint32_t core = m->objects[src].home, x = e->obj_vector[src];
    if (n->op == AX_IR_GLA || n->op == AX_IR_SWA) {
        uint32_t state = state_object(m, id);
        if (state == NONE)
            return;
        emit_operands(e, id, m->objects[state].home, e->block_base[m->objects[state].first_block]);
    } else {
        emit_operands(e, id, core, x);
    }
    uint32_t first = e->cores[core].n;
    uint32_t y = n->n_inputs > 1 && e->node_object[n->inputs[1]] != NONE
                     ? e->obj_vector[e->node_object[n->inputs[1]]] : x;
    switch (n->op) {
    case AX_IR_RMSNORM:
        emit(e, core, AX_ISA_SETLEN, 0, n->group, 0, 0);
        emit(e, core, AX_ISA_VSUMSQ, 0, x, x, 0);
        emit(e, core, AX_ISA_VRSQRT, 0, x, x, 0);
        emit(e, core, AX_ISA_VMUL, 0, x, x, x);
        break;
    case AX_IR_ROPE:
        emit(e, core, AX_ISA_SETLEN, 0, n->heads * n->head_dim, 0, 0);
        emit(e, core, AX_ISA_VMUL, 0, x, x, x);
        emit(e, core, AX_ISA_VMAC, 0, x, x, x);
        break;
    case AX_IR_SWIGLU:
        emit(e, core, AX_ISA_SETLEN, 0, n->dim, 0, 0);
        emit(e, core, AX_ISA_VSILU, 0, x, x, 0);
        emit(e, core, AX_ISA_VMUL, 0, x, x, y);
        break;
    case AX_IR_ADD:
    case AX_IR_MERGE:
        emit(e, core, AX_ISA_SETLEN, 0, n->dim, 0, 0);
        emit(e, core, AX_ISA_VADD, 0, x, x, y);
        break;
    case AX_IR_GLA:
    case AX_IR_SWA: {
        uint32_t state = state_object(m, id);
        uint32_t sc = m->objects[state].home, s = e->block_base[m->objects[state].first_block];
        uint32_t k = e->node_object[n->inputs[1]], v = e->node_object[n->inputs[2]];
        uint32_t ka = k != NONE ? e->obj_vector[k] : x, va = v != NONE ? e->obj_vector[v] : x;
        first = e->cores[sc].n;
        emit(e, sc, AX_ISA_SETLEN, 0, n->heads * n->head_dim, 0, 0);
        if (n->op == AX_IR_GLA) {
            uint32_t g = n->n_inputs > 3 ? e->node_object[n->inputs[3]] : NONE;
            emit(e, sc, AX_ISA_GLADECAY, 0, s, g != NONE ? e->obj_vector[g] : ka, 0);
            emit(e, sc, AX_ISA_GLAUPD, 0, s, ka, va);
            emit(e, sc, AX_ISA_GLAREAD, 0, s, x, s);
        } else {
            emit(e, sc, AX_ISA_KVPUSH, 0, s, ka, va);
            emit(e, sc, AX_ISA_KVATTN, 0, s, x, s);
        }
        core = sc;
        break;
    }
    case AX_IR_MOE_ROUTER:
        emit(e, core, AX_ISA_SETLEN, 0, n->experts, 0, 0);
        emit(e, core, AX_ISA_VMAX, 0, x, x, 0);
        emit(e, core, AX_ISA_VEXP, 0, x, x, 0);
        emit(e, core, AX_ISA_VSUM, 0, x, x, 0);
        break;
    default:
        break;
    }
    map_op(e, core, first, id);
}

ax_status ax_map_emit(const struct ax_map *m, const struct ax_ir_graph *g, const ax_arch_t *arch,
                      const char *model_name, struct ax_prog *prog, struct ax_diag_list *diags)
{
    const struct ax_system_desc *sys = ax_arch_desc(arch);
    uint64_t words = (uint64_t)(sys->chip.core.sram.capacity_bytes / 4);
    if (words > AX_ISA_MAX_B16 + 1) {
        ax_diag_add(diags, AX_DIAG_ERROR, sys->path, 0, 0,
                    "cores of %.0f bytes of SRAM: the instruction format addresses at most "
                    "256 KiB (65536 words) per core", sys->chip.core.sram.capacity_bytes);
        return AX_ERR_UNSUPPORTED;
    }
    uint32_t n_cores = m->n_chips * m->cores_per_chip;
    ax_prog_init(prog, n_cores, (uint32_t)words);
    struct emitter e = {m, g, prog, NULL, n_cores, NULL, NULL, NULL, NULL, NULL, (uint32_t)words,
                        NULL, 0, 0, NULL, 0, 0, 0};
    e.cores = ax_mem_calloc(n_cores, sizeof *e.cores);
    e.block_base = ax_mem_calloc(m->n_blocks + 1, sizeof *e.block_base);
    e.weight_id = ax_mem_calloc(m->n_blocks + 1, sizeof *e.weight_id);
    e.obj_vector = ax_mem_calloc(m->n_objects + 1, sizeof *e.obj_vector);
    e.node_object = ax_mem_calloc(g->n_nodes + 1, sizeof *e.node_object);
    e.core_stamp = ax_mem_calloc(n_cores, sizeof *e.core_stamp);
    uint32_t *fill = ax_mem_calloc(n_cores, sizeof *fill), *scratch = ax_mem_calloc(n_cores, sizeof *scratch);
    ax_status st = AX_ERR_NOMEM;
    if (!e.cores || !e.block_base || !e.weight_id || !e.obj_vector || !e.node_object || !e.core_stamp || !fill || !scratch)
        goto done;

    /* Addresses: blocks one after the other on their cores; an object's
     * output vector is its home block's accumulators. A block streamed from
     * DRAM is staged into the buffer the mapping reserves at the top of its
     * core's SRAM. */
    uint32_t staging = (uint32_t)(words - m->staging_bytes / 4);
    for (uint32_t bi = 0; bi < m->n_blocks; bi++) {
        const struct ax_map_block *b = &m->blocks[bi];
        e.block_base[bi] = b->is_dram ? staging : fill[b->core];
        if (!b->is_dram)
            fill[b->core] += (uint32_t)(b->bytes / 4); /* blocks are whole words */
    }
    /* Weight records: the weight blocks in order (state is memory, not a
     * checkpoint tensor, and has none). */
    uint32_t n_weight_blocks = 0;
    for (uint32_t bi = 0; bi < m->n_blocks; bi++)
        if (m->objects[m->blocks[bi].object].kind == AX_MAP_WEIGHTS)
            e.weight_id[bi] = n_weight_blocks++;
    for (uint32_t oi = 0; oi < m->n_objects; oi++)
        e.obj_vector[oi] = m->objects[oi].n_blocks ? acc_addr(&e, m->objects[oi].first_block) : 0;
    /* The object holding each node's value: its own last weight object, or
     * its first operand's (objects are in node order). */
    for (uint32_t id = 0; id < g->n_nodes; id++)
        e.node_object[id] = NONE;
    for (uint32_t oi = 0; oi < m->n_objects; oi++)
        if (m->objects[oi].kind == AX_MAP_WEIGHTS)
            e.node_object[m->objects[oi].node] = oi;
    for (uint32_t id = 0; id < g->n_nodes; id++)
        if (e.node_object[id] == NONE && g->nodes[id].n_inputs)
            e.node_object[id] = e.node_object[g->nodes[id].inputs[0]];

    /* Code, node by node in graph order. */
    uint32_t next_object = 0;
    for (uint32_t id = 0; id < g->n_nodes && !e.is_oom; id++) {
        int has_weights = 0;
        while (next_object < m->n_objects && m->objects[next_object].node == id) {
            if (m->objects[next_object].kind == AX_MAP_WEIGHTS) {
                emit_weights(&e, next_object, scratch);
                has_weights = 1;
            }
            next_object++;
        }
        if (!has_weights || g->nodes[id].op == AX_IR_MOE_ROUTER)
            emit_dense(&e, id);
    }
    for (uint32_t c = 0; c < n_cores && !e.is_oom; c++) {
        if (e.cores[c].n) {
            emit(&e, c, AX_ISA_BARRIER, 0, 0, 0, 0);
            emit(&e, c, AX_ISA_HALT, 0, 0, 0, 0);
        }
    }
    if (e.is_oom)
        goto done;

    /* The program's tables. */
    struct ax_arena *a = &prog->arena;
    prog->weights = ax_arena_calloc(a, n_weight_blocks + 1, sizeof *prog->weights);
    uint32_t n_code = 0;
    for (uint32_t c = 0; c < n_cores; c++)
        n_code += e.cores[c].n > 0;
    prog->code = ax_arena_calloc(a, n_code + 1, sizeof *prog->code);
    prog->routes = ax_arena_calloc(a, e.n_routes + 1, sizeof *prog->routes);
    prog->opmap = ax_arena_calloc(a, e.n_opmap + 1, sizeof *prog->opmap);
    prog->meta = ax_arena_calloc(a, 8, sizeof *prog->meta);
    if (!prog->weights || !prog->code || !prog->routes || !prog->opmap || !prog->meta)
        goto done;
    for (uint32_t bi = 0; bi < m->n_blocks; bi++) {
        const struct ax_map_block *b = &m->blocks[bi];
        const struct ax_map_object *o = &m->objects[b->object];
        if (o->kind != AX_MAP_WEIGHTS)
            continue;
        prog->weights[prog->n_weights++] = (struct ax_prog_weight){
            b->core, o->name, b->row0, b->rows, b->col0, b->cols, b->is_dram};
    }
    for (uint32_t c = 0; c < n_cores; c++) {
        if (!e.cores[c].n)
            continue;
        uint64_t *w = ax_arena_alloc(a, e.cores[c].n * sizeof *w);
        if (!w)
            goto done;
        memcpy(w, e.cores[c].words, e.cores[c].n * sizeof *w);
        prog->code[prog->n_code++] = (struct ax_prog_code){c, e.cores[c].n, w};
    }
    memcpy(prog->routes, e.routes, e.n_routes * sizeof *e.routes);
    prog->n_routes = e.n_routes;
    memcpy(prog->opmap, e.opmap, e.n_opmap * sizeof *e.opmap);
    prog->n_opmap = e.n_opmap;
    char buf[6][48];
    snprintf(buf[0], sizeof buf[0], "%u", m->n_chips);
    snprintf(buf[1], sizeof buf[1], "%.17g", m->traffic_hop_bytes);
    snprintf(buf[2], sizeof buf[2], "%.17g", m->traffic_hop_bytes_naive);
    snprintf(buf[3], sizeof buf[3], "%u", m->cores_per_chip);
    const char *keys[] = {"model", "chip", "chips_used", "cores_per_chip", "traffic_hop_bytes",
                          "traffic_hop_bytes_naive"};
    const char *values[] = {model_name, sys->name ? sys->name : "", buf[0], buf[3], buf[1], buf[2]};
    for (int i = 0; i < 6; i++) {
        prog->meta[i].key = keys[i];
        prog->meta[i].value = ax_arena_strdup(a, values[i]);
        if (!prog->meta[i].value)
            goto done;
    }
    prog->n_meta = 6;
    st = ax_prog_validate(prog, "emitted program", diags);
done:
    for (uint32_t c = 0; e.cores && c < n_cores; c++)
        ax_mem_free(e.cores[c].words);
    ax_mem_free(e.cores);
    ax_mem_free(e.block_base);
    ax_mem_free(e.weight_id);
    ax_mem_free(e.obj_vector);
    ax_mem_free(e.node_object);
    ax_mem_free(e.core_stamp);
    ax_mem_free(e.opmap);
    ax_mem_free(e.routes);
    ax_mem_free(fill);
    ax_mem_free(scratch);
    if (st == AX_ERR_NOMEM)
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "out of memory while emitting the program");
    return st;
}
