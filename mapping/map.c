/* Partitioning and placement (see ax_map.h and docs/mapping.md). */
#include "ax_map.h"

#include "ax_mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

void ax_map_default_options(struct ax_map_options *o)
{
    o->spikes_per_element = 1.13;
    o->seed = 1;
    o->anneal_moves = 0;
}

void ax_map_free(struct ax_map *m)
{
    ax_mem_free(m->objects);
    ax_mem_free(m->blocks);
    ax_arena_free(&m->arena);
    memset(m, 0, sizeof *m);
}

/* ---- collecting the objects of a graph ------------------------------------ */

struct builder {
    struct ax_map *m;
    const struct ax_ir_graph *g;
    struct ax_diag_list *diags;
    uint32_t cap_objects, cap_blocks;
    uint32_t *node_object;     /* first object of each node, or NONE */
    uint32_t *node_source;     /* the object feeding each node's value, or NONE */
    int is_oom;
};

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
    m->objects[m->n_objects] = (struct ax_map_object){kind, node, copy, rows, cols,
                                                      (uint8_t)is_spiking, producer, 0, 0, NONE};
    if (b->node_object[node] == NONE)
        b->node_object[node] = m->n_objects;
    return m->n_objects++;
}

/* The objects a node holds: weight matrices, or state. */
static void collect_node(struct builder *b, uint32_t id)
{
    const struct ax_ir_node *n = &b->g->nodes[id];
    uint32_t src = n->n_inputs ? b->node_source[n->inputs[0]] : NONE;
    int spikes = n->spike == AX_IR_SPIKE_SPIKE;
    char name[256];
    switch (n->op) {
    case AX_IR_EMBEDDING:
    case AX_IR_META_PREFIX: /* lookup tables: memory, no input traffic */
        add_object(b, AX_MAP_WEIGHTS, id, n->weight, n->op == AX_IR_EMBEDDING ? n->vocab : n->tokens,
                   n->dim, 0, NONE);
        break;
    case AX_IR_LINEAR:
        add_object(b, AX_MAP_WEIGHTS, id, n->weight, n->out, n->in, spikes, src);
        break;
    case AX_IR_LM_HEAD:
        add_object(b, AX_MAP_WEIGHTS, id, n->weight, n->vocab, n->in, 0, src);
        break;
    case AX_IR_MOE_ROUTER:
        add_object(b, AX_MAP_WEIGHTS, id, n->weight, n->experts, n->in, 0, src);
        break;
    case AX_IR_MOE_EXPERTS:
        for (uint32_t e = 0; e < n->experts; e++) {
            static const char *const parts[] = {"gate_proj", "up_proj", "down_proj"};
            for (int p = 0; p < 3; p++) {
                snprintf(name, sizeof name, "%s.%u.%s.weight", n->weight, e, parts[p]);
                int is_down = p == 2;
                add_object(b, AX_MAP_WEIGHTS, id, name, is_down ? n->dim : n->inter,
                           is_down ? n->inter : n->dim, spikes, src);
            }
        }
        break;
    case AX_IR_GLA: /* the recurrent state: heads x (head_dim x head_dim) float32 */
        snprintf(name, sizeof name, "gla state of node %u", id);
        add_object(b, AX_MAP_STATE, id, name, n->heads, n->head_dim * n->head_dim * 4, 0, NONE);
        break;
    case AX_IR_SWA: { /* the K/V window: int8 K and V plus two float32 scales per key */
        uint32_t keys = n->window ? n->window : 4096; /* full attention: a 4096-token context */
        snprintf(name, sizeof name, "kv cache of node %u", id);
        add_object(b, AX_MAP_STATE, id, name, n->kv_heads * keys, 2 * n->head_dim + 8, 0, NONE);
        break;
    }
    default:
        break;
    }
    /* The value of this node is fed by its own last weight object, else by
     * whatever fed its first operand. */
    uint32_t own = b->node_object[id];
    b->node_source[id] = own != NONE && b->m->objects[b->m->n_objects - 1].kind == AX_MAP_WEIGHTS
                             ? b->m->n_objects - 1
                             : src;
}

/* ---- partitioning ----------------------------------------------------------- */

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

static ax_status partition(struct builder *b, uint32_t oi, double cap, uint32_t max_neurons)
{
    struct ax_map_object *o = &b->m->objects[oi];
    const struct ax_ir_node *n = &b->g->nodes[o->node];
    uint32_t block_rows, block_cols;
    if (o->kind == AX_MAP_WEIGHTS) {
        uint64_t rows = o->rows < max_neurons ? o->rows : max_neurons;
        uint64_t groups = (o->cols + 127) / 128;
        /* groups a block of `rows` rows can hold: (cap - 4 rows) / (132 rows) */
        double fit = (cap - 4.0 * rows) / (132.0 * rows);
        if (fit < 1.0) {
            rows = (uint64_t)floor(cap / 136.0); /* one group, fewer rows */
            fit = 1.0;
        }
        if (rows == 0) {
            ax_diag_add(b->diags, AX_DIAG_ERROR, NULL, 0, 0,
                        "%%%u = %s (%s): one row of one 128-input group needs 136 bytes of SRAM; "
                        "a core offers %.0f", o->node, ax_ir_op_str(n->op), o->name, cap);
            return AX_ERR_INVALID;
        }
        uint64_t g = (uint64_t)fit < groups ? (uint64_t)fit : groups;
        block_rows = (uint32_t)rows;
        block_cols = (uint32_t)(g * 128 < o->cols ? g * 128 : o->cols);
    } else {
        uint64_t rows = (uint64_t)floor(cap / (double)((o->cols + 3u) / 4u * 4u));
        if (rows == 0) {
            ax_diag_add(b->diags, AX_DIAG_ERROR, NULL, 0, 0,
                        "%%%u = %s: its %s needs %u bytes per head or key in one core; a core "
                        "offers %.0f bytes of SRAM", o->node, ax_ir_op_str(n->op), o->name,
                        o->cols, cap);
            return AX_ERR_INVALID;
        }
        block_rows = (uint32_t)(rows < o->rows ? rows : o->rows);
        block_cols = o->cols;
    }
    o->first_block = b->m->n_blocks;
    for (uint32_t r0 = 0; r0 < o->rows; r0 += block_rows) {
        uint32_t r = o->rows - r0 < block_rows ? o->rows - r0 : block_rows;
        for (uint32_t c0 = 0; c0 < (o->kind == AX_MAP_WEIGHTS ? o->cols : 1); c0 += block_cols) {
            uint32_t c = o->kind == AX_MAP_WEIGHTS
                             ? (o->cols - c0 < block_cols ? o->cols - c0 : block_cols)
                             : o->cols;
            uint64_t bytes = o->kind == AX_MAP_WEIGHTS ? ax_prog_weight_bytes(r, c) : ((uint64_t)r * c + 3) / 4 * 4;
            struct ax_map_block blk = {oi, r0, r, o->kind == AX_MAP_WEIGHTS ? c0 : 0, c, bytes,
                                       NONE, 0};
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

struct placer {
    const struct ax_chip_desc *chip;
    uint32_t cores_per_chip;
    uint32_t *visit;        /* local core ids of one chip in visiting order */
    double cap;
    uint32_t max_neurons;
    uint32_t max_cores;     /* NONE: open */
    int has_dram;
};

/* Packs the blocks into cores taken in the visiting order (next fit, so a
 * matrix's blocks stay together), chip after chip. Blocks beyond max_cores
 * stream from DRAM through the cores in use, in turn, when the chip has
 * DRAM. Returns the number of cores used, or NONE (with the first block that
 * did not fit in *failed) when the system is too small. */
static uint32_t pack(struct ax_map *m, const struct placer *pl, uint32_t *failed)
{
    uint32_t seq = 0, n_used = 0, n_streamed = 0;
    double bytes = 0.0;
    uint64_t neurons = 0;
    for (uint32_t i = 0; i < m->n_blocks; i++) {
        struct ax_map_block *blk = &m->blocks[i];
        uint32_t rows = m->objects[blk->object].kind == AX_MAP_WEIGHTS ? blk->rows : 0;
        if (n_used > 0 && (bytes + (double)blk->bytes > pl->cap || neurons + rows > pl->max_neurons)) {
            seq++;
            bytes = 0.0;
            neurons = 0;
        }
        if (pl->max_cores != NONE && seq >= pl->max_cores) {
            if (!pl->has_dram || n_used == 0) {
                *failed = i;
                return NONE;
            }
            uint32_t s = n_streamed++ % n_used;
            blk->core = s / pl->cores_per_chip * pl->cores_per_chip + pl->visit[s % pl->cores_per_chip];
            blk->is_dram = 1;
            continue;
        }
        blk->core = seq / pl->cores_per_chip * pl->cores_per_chip + pl->visit[seq % pl->cores_per_chip];
        blk->is_dram = 0;
        bytes += (double)blk->bytes;
        neurons += rows;
        n_used = seq + 1;
    }
    return n_used;
}

/* Global mesh coordinates of a core: chips on a grid `grid_w` chips wide. */
static void coords(const struct placer *pl, uint32_t grid_w, uint32_t core, int64_t *x, int64_t *y)
{
    uint32_t chip = core / pl->cores_per_chip, local = core % pl->cores_per_chip;
    uint32_t tile = local / pl->chip->cores_per_tile;
    *x = (int64_t)(chip % grid_w) * pl->chip->mesh_width + tile % pl->chip->mesh_width;
    *y = (int64_t)(chip / grid_w) * pl->chip->mesh_height + tile / pl->chip->mesh_width;
}

static double hops(const struct placer *pl, uint32_t grid_w, uint32_t a, uint32_t b)
{
    int64_t ax, ay, bx, by;
    coords(pl, grid_w, a, &ax, &ay);
    coords(pl, grid_w, b, &bx, &by);
    return (double)(llabs(ax - bx) + llabs(ay - by));
}

/* A block's share of the per-token traffic when it sits on `core`: its
 * input from the producer's home core (spike events of 4 bytes, or float32
 * values), and its partial sums (float32 per row) to its own home core. */
static double block_cost(const struct ax_map *m, const struct placer *pl, uint32_t grid_w,
                         const struct ax_map_block *blk, uint32_t core, double spe)
{
    const struct ax_map_object *o = &m->objects[blk->object];
    if (o->kind != AX_MAP_WEIGHTS || o->producer == NONE)
        return 0.0;
    double in_bytes = (o->is_spiking ? spe : 1.0) * blk->cols * 4.0;
    double cost = in_bytes * hops(pl, grid_w, m->objects[o->producer].home, core);
    if (core != o->home)
        cost += blk->rows * 4.0 * hops(pl, grid_w, core, o->home);
    return cost;
}

static void set_homes(struct ax_map *m)
{
    for (uint32_t i = 0; i < m->n_objects; i++) {
        struct ax_map_object *o = &m->objects[i];
        o->home = o->n_blocks ? m->blocks[o->first_block].core : NONE;
    }
}

static double total_cost(const struct ax_map *m, const struct placer *pl, uint32_t grid_w, double spe)
{
    double c = 0.0;
    for (uint32_t i = 0; i < m->n_blocks; i++)
        c += block_cost(m, pl, grid_w, &m->blocks[i], m->blocks[i].core, spe);
    return c;
}

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Simulated annealing over swaps of the contents of two used cores. Cores
 * that are some object's home stay put, so a swap changes only the terms of
 * the blocks on the two cores. Ends on the best placement seen. */
static ax_status anneal(struct ax_map *m, const struct placer *pl, uint32_t grid_w,
                        const struct ax_map_options *opt, double *cost)
{
    /* Slots: the used cores, each with the run of blocks it holds (blocks
     * are in packing order, so a core's blocks are contiguous; DRAM-streamed
     * blocks never move). */
    uint32_t n_slots = 0;
    for (uint32_t i = 0; i < m->n_blocks; i++)
        n_slots += !m->blocks[i].is_dram && (i == 0 || m->blocks[i].core != m->blocks[i - 1].core);
    if (n_slots < 3)
        return AX_OK;
    uint32_t *slot_core = ax_mem_calloc(n_slots, sizeof *slot_core);
    uint32_t *run_start = ax_mem_calloc(n_slots + 1, sizeof *run_start);
    uint32_t *run_end = ax_mem_calloc(n_slots, sizeof *run_end);
    uint32_t *held = ax_mem_calloc(n_slots, sizeof *held), *best = ax_mem_calloc(n_slots, sizeof *best);
    uint8_t *is_home = ax_mem_calloc(n_slots, 1);
    ax_status st = AX_ERR_NOMEM;
    if (!slot_core || !run_start || !run_end || !held || !best || !is_home)
        goto done;
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->n_blocks; i++) {
        if (m->blocks[i].is_dram)
            continue;
        if (k == 0 || m->blocks[i].core != slot_core[k - 1]) {
            slot_core[k] = m->blocks[i].core;
            run_start[k] = i;
            held[k] = k;
            k++;
        }
        run_end[k - 1] = i + 1;
    }
    for (uint32_t s = 0; s < n_slots; s++) {
        for (uint32_t i = run_start[s]; i < run_end[s]; i++) {
            const struct ax_map_object *o = &m->objects[m->blocks[i].object];
            is_home[s] |= o->first_block == i;
        }
    }
    memcpy(best, held, n_slots * sizeof *best);
    double best_cost = *cost, spe = opt->spikes_per_element;
    uint64_t rng = opt->seed ? opt->seed : 1;
    uint32_t moves = opt->anneal_moves ? opt->anneal_moves
                                       : (n_slots > 100000 ? 2000000 : 20 * n_slots);
    double t0 = *cost / (double)m->n_blocks * 0.1 + 1e-9;
    for (uint32_t move = 0; move < moves; move++) {
        uint32_t a = (uint32_t)(next_random(&rng) % n_slots);
        uint32_t b = (uint32_t)(next_random(&rng) % n_slots);
        double u = (double)(next_random(&rng) >> 11) / 9007199254740992.0;
        if (a == b || is_home[a] || is_home[b])
            continue;
        uint32_t ga = held[a], gb = held[b];
        double delta = 0.0;
        for (uint32_t i = run_start[ga]; i < run_end[ga]; i++)
            delta += block_cost(m, pl, grid_w, &m->blocks[i], slot_core[b], spe) -
                     block_cost(m, pl, grid_w, &m->blocks[i], slot_core[a], spe);
        for (uint32_t i = run_start[gb]; i < run_end[gb]; i++)
            delta += block_cost(m, pl, grid_w, &m->blocks[i], slot_core[a], spe) -
                     block_cost(m, pl, grid_w, &m->blocks[i], slot_core[b], spe);
        double t = t0 * pow(1e-4, (double)move / moves);
        if (delta < 0.0 || u < exp(-delta / t)) {
            held[a] = gb;
            held[b] = ga;
            *cost += delta;
            if (*cost < best_cost) {
                best_cost = *cost;
                memcpy(best, held, n_slots * sizeof *best);
            }
        }
    }
    for (uint32_t s = 0; s < n_slots; s++)
        for (uint32_t i = run_start[best[s]]; i < run_end[best[s]]; i++)
            m->blocks[i].core = slot_core[s];
    *cost = best_cost;
    st = AX_OK;
done:
    ax_mem_free(slot_core);
    ax_mem_free(run_start);
    ax_mem_free(run_end);
    ax_mem_free(held);
    ax_mem_free(best);
    ax_mem_free(is_home);
    return st;
}

/* The order in which a chip's cores are filled: tiles along a Hilbert curve
 * (or row-major for the naive placement), the cores of a tile together. */
static void visiting_order(const struct ax_chip_desc *chip, int is_hilbert, uint32_t *visit)
{
    uint32_t w = chip->mesh_width, h = chip->mesh_height, n_tiles = w * h, side = 1;
    while (side < w || side < h)
        side *= 2;
    for (uint32_t t = 0; t < n_tiles; t++)
        visit[t] = t;
    if (is_hilbert) { /* insertion sort by Hilbert index; meshes are small */
        for (uint32_t i = 1; i < n_tiles; i++) {
            uint32_t t = visit[i], j = i;
            uint64_t d = hilbert_index(side, t % w, t / w);
            while (j > 0 && hilbert_index(side, visit[j - 1] % w, visit[j - 1] / w) > d) {
                visit[j] = visit[j - 1];
                j--;
            }
            visit[j] = t;
        }
    }
    for (int32_t t = (int32_t)n_tiles - 1; t >= 0; t--)
        for (uint32_t c = chip->cores_per_tile; c-- > 0;)
            visit[(uint32_t)t * chip->cores_per_tile + c] = visit[t] * chip->cores_per_tile + c;
}

ax_status ax_map_build(const struct ax_ir_graph *g, const ax_arch_t *arch,
                       const struct ax_map_options *opt, struct ax_map *out,
                       struct ax_diag_list *diags)
{
    memset(out, 0, sizeof *out);
    ax_arena_init(&out->arena, 0);
    const struct ax_system_desc *sys = ax_arch_desc(arch);
    const struct ax_chip_desc *chip = &sys->chip;
    struct builder b = {out, g, diags, 0, 0, NULL, NULL, 0};
    b.node_object = ax_mem_alloc((g->n_nodes + 1) * sizeof *b.node_object);
    b.node_source = ax_mem_alloc((g->n_nodes + 1) * sizeof *b.node_source);
    uint32_t cpc = ax_arch_cores_per_chip(arch);
    struct placer pl = {chip, cpc, ax_mem_calloc(cpc, sizeof *pl.visit), chip->core.sram.capacity_bytes,
                        chip->core.max_neurons, NONE, chip->dram.is_present};
    ax_status st = AX_ERR_NOMEM;
    if (!b.node_object || !b.node_source || !pl.visit)
        goto fail;
    if (pl.cap <= 0.0) {
        ax_diag_add(diags, AX_DIAG_ERROR, sys->path, 0, 0, "the chip describes no SRAM capacity "
                    "(SANA-FE's format has none); mapping needs an axon-format description");
        st = AX_ERR_INVALID;
        goto fail;
    }
    for (uint32_t i = 0; i < g->n_nodes; i++)
        b.node_object[i] = b.node_source[i] = NONE;
    for (uint32_t i = 0; i < g->n_nodes && !b.is_oom; i++)
        collect_node(&b, i);
    if (b.is_oom)
        goto fail;
    for (uint32_t i = 0; i < out->n_objects; i++)
        if ((st = partition(&b, i, pl.cap, pl.max_neurons)) != AX_OK)
            goto fail;

    if (!sys->is_chips_open)
        pl.max_cores = sys->n_chips * cpc;
    else if (sys->max_chips)
        pl.max_cores = sys->max_chips * cpc;
    /* When the system is too small to hold everything and blocks must
     * stream from DRAM, every core keeps half its SRAM as the staging buffer
     * they stream into: the blocks are cut again to half a core. */
    uint32_t failed = 0, n_used;
    if (pl.max_cores != NONE && pl.has_dram) {
        visiting_order(chip, 0, pl.visit);
        int streams = 0;
        if (pack(out, &pl, &failed) != NONE)
            for (uint32_t i = 0; i < out->n_blocks && !streams; i++)
                streams = out->blocks[i].is_dram;
        if (streams) {
            pl.cap = floor(pl.cap / 8.0) * 4.0; /* half, in whole words */
            out->staging_bytes = (uint64_t)pl.cap;
            out->n_blocks = 0;
            for (uint32_t i = 0; i < out->n_objects; i++)
                if ((st = partition(&b, i, pl.cap, pl.max_neurons)) != AX_OK)
                    goto fail;
        }
    }
    /* The naive placement first (row-major), then the placed one (Hilbert
     * order and annealing); the packing is the same, only the cores differ. */
    for (int pass = 0; pass < 2; pass++) {
        visiting_order(chip, pass == 1, pl.visit);
        n_used = pack(out, &pl, &failed);
        if (n_used == NONE) {
            const struct ax_map_object *o = &out->objects[out->blocks[failed].object];
            ax_diag_add(diags, AX_DIAG_ERROR, sys->path, 0, 0,
                        "%%%u = %s (%s) does not fit: the system offers %u cores of %.0f bytes of "
                        "SRAM (%s chips) and the model needs more; the chip has no DRAM to stream "
                        "the rest from", o->node, ax_ir_op_str(g->nodes[o->node].op), o->name,
                        pl.max_cores, pl.cap, sys->is_chips_open ? "at most max_chips" : "fixed");
            st = AX_ERR_INVALID;
            goto fail;
        }
        out->n_chips = sys->is_chips_open ? (n_used + cpc - 1) / cpc : sys->n_chips;
        out->chip_grid_w = (uint32_t)ceil(sqrt((double)out->n_chips));
        set_homes(out);
        double cost = total_cost(out, &pl, out->chip_grid_w, opt->spikes_per_element);
        if (pass == 0) {
            out->traffic_hop_bytes_naive = cost;
        } else {
            if ((st = anneal(out, &pl, out->chip_grid_w, opt, &cost)) != AX_OK)
                goto fail;
            out->traffic_hop_bytes = cost;
        }
    }
    out->cores_per_chip = cpc;
    out->n_cores_used = n_used;

    /* SRAM per used core and DRAM in total. */
    uint64_t *per_core = ax_mem_calloc((size_t)out->n_chips * cpc, sizeof *per_core);
    if (!per_core)
        goto fail;
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
    st = AX_OK;
fail:
    ax_mem_free(b.node_object);
    ax_mem_free(b.node_source);
    ax_mem_free(pl.visit);
    if (st == AX_ERR_NOMEM)
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "out of memory while mapping");
    if (st != AX_OK)
        ax_map_free(out);
    return st;
}
