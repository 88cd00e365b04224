/* Code emission: a placed graph becomes a program (.axb version 2).
 *
 * Requires: a verified graph after the precision pass (out_dim set), its
 * mapping (ax_map_build: every block on a core, node_value set), and the
 * spiking options the precision pass used.
 * Guarantees: a program that ax_prog_validate accepts:
 *   - per core, buffers that never overlap and lie inside its SRAM, each
 *     block's within the bytes the mapping gave it (ax_map_block_bytes);
 *   - one quantized weight record per weight block (a reference to the
 *     checkpoint tensor and its row and column range), a float record with a
 *     PARAM buffer per norm weight and bias, a state record per state block;
 *   - routes per source and destination set (spikes: per column group;
 *     values: with the address on each destination), each distinct route
 *     once; a barrier per spike delivery, joining the emitting core and the
 *     receivers; constants (k, each eps, the RoPE inverse frequencies);
 *   - a node table naming every node, an opmap covering every instruction.
 * Invalidates nothing; the map is read only.
 *
 * What each core runs per token (docs/mapping.md, "Code"), node by node in
 * graph order, each core's code being its share of one global sequence (so
 * no core waits on a message or barrier that a later step would provide):
 *   - embedding: each block core `lookup`s its block along a route to the
 *     embedding's value core at the block's column offset, which receives
 *     one message per column range;
 *   - a spiking projection: the input's value core `thresh`es and `encode`s
 *     it once per value (q, k, v and gk share it; gate and up too) and
 *     `emit`s each column group to the cores holding its blocks; a barrier
 *     joins it and the receivers; each block `acczero`, `synacc`, `scale`s
 *     and sends its partial sums to the value shard holding its rows
 *     (`psumsend`, or `vadd` when the shard is on its own core); the shard
 *     `psumrecv`s them;
 *   - a dense projection: the input's value core sends each column range to
 *     the inboxes of the blocks that need it; each block `vdot`s and sends
 *     its partial sums as above;
 *   - norms, RoPE, SwiGLU, adds: on the node's value core, after the
 *     operands that live elsewhere arrive (operand 0 into the value itself,
 *     operand 1 into an inbox);
 *   - GLA and SWA: on the state cores, which receive q, k, v (and g) into
 *     inboxes, update their state, and send their output to the value core;
 *   - every core with code ends with `halt`. */
#include "ax_map.h"

#include "ax_isa.h"
#include "ax_mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
#define GROUP AX_PROG_GROUP

/* Word addresses of the buffers the emitter gives one map block. */
struct layout {
    uint32_t record;              /* weights: its weight record */
    uint32_t w, acc, inbox;       /* weights: codes and scales (or staging), accumulators, input */
    uint32_t value, in1, counts, vth, param, table, scalar, extra, scratch; /* value shard */
    uint32_t tot, total;             /* a stream RMSNorm's shard: the running total it takes in
                                      * and passes on, and the whole vector's (stream_total) */
    uint32_t state, q, k, v, g, out; /* state block */
    uint32_t parts;               /* a block of part of a window: its own partial attention,
                                   * then its children's (AX_MAP_RING_FANIN) */
};

struct core_code {
    uint64_t *words;
    uint32_t n, cap;
    uint32_t len;                 /* the vector length the code has set so far */
    uint32_t next;                /* the next free word of SRAM */
    uint32_t limit;               /* where the staging area starts (sram_words if none) */
    uint32_t last_opmap;          /* its last opmap entry, or NONE */
    uint32_t staging, staging_acc, staging_in; /* the staging area's buffers, or NONE */
};

/* A receive a projection's blocks owe a value shard: `count` messages of
 * `len` words into (core, addr). */
struct pending {
    uint32_t core, addr, len, count;
};

struct emitter {
    const struct ax_map *m;
    const struct ax_ir_graph *g;
    const struct ax_spike_options *spike;
    struct ax_prog *prog;
    struct ax_diag_list *diags;
    uint32_t n_cores, sram_words;
    struct core_code *cores;
    struct layout *lay;           /* per map block */
    uint8_t *is_encoded;          /* per map object: a value encoded this token */
    uint32_t *next_reader;        /* per spiking weight object: the next one that reads the
                                   * same value, or NONE */
    uint8_t *is_fed;              /* per map object: its events were emitted (spike_fanout) */
    int is_relayed;               /* inputs many cores need travel along relay trees (the
                                   * map's relay option, on routers that do not replicate) */
    int is_union;                 /* one emission feeds every projection reading a value
                                   * (fed_with): multicast */
    const char **tensor;          /* per map object: its name in the program's arena */
    uint32_t node;                /* the node being emitted (opmap) */
    uint32_t k_const;             /* consts index of k */
    uint32_t *scalar_const;       /* per node: consts index of its scalar (a norm's eps, a
                                   * GLA's gate normalizer) */
    uint32_t *table_const;        /* per node: consts index of a RoPE table */

    struct ax_prog_buffer *bufs;
    uint32_t n_bufs, cap_bufs;
    struct ax_prog_weight *weights;
    uint32_t n_weights, cap_weights;
    struct ax_prog_state *states;
    uint32_t n_states, cap_states;
    float *consts;
    uint32_t n_consts, cap_consts;
    struct ax_prog_opmap *opmap;
    uint32_t n_opmap, cap_opmap;
    /* routes: records, their destinations in one pool, a hash set over both */
    struct ax_prog_route *routes;
    uint32_t n_routes, cap_routes;
    struct ax_prog_dest *dests;
    uint32_t n_dests, cap_dests;
    uint32_t *route_first;        /* per route: its first destination in `dests` */
    uint32_t cap_route_first;
    uint32_t *hash;               /* route id + 1, or 0 */
    uint32_t cap_hash;
    /* barriers: records and their cores in one pool */
    struct ax_prog_barrier *barriers;
    uint32_t n_barriers, cap_barriers;
    uint32_t *bar_cores;
    uint32_t n_bar_cores, cap_bar_cores;
    uint32_t *bar_first;
    uint32_t cap_bar_first;
    /* scratch lists */
    struct pending *pend;
    uint32_t n_pend, cap_pend;
    struct ax_prog_dest *tmp;
    uint32_t n_tmp, cap_tmp;
    uint8_t *core_mark;           /* per core: scratch flag */
    uint8_t *core_role;           /* per core: its part in the relayed fan-out being formed */
    int is_oom;
    ax_status err;                /* first error other than out of memory */
};

/* ---- growing arrays ---------------------------------------------------------- */

/* Makes room for one more element in *arr (n used of *cap, `size` bytes
 * each); returns 0, or -1 (and marks the emitter out of memory). */
static int grow(struct emitter *e, void **arr, uint32_t n, uint32_t *cap, size_t size)
{
    if (n < *cap)
        return 0;
    uint32_t c = *cap ? 2 * *cap : 64;
    void *p = ax_mem_realloc(*arr, (size_t)c * size);
    if (!p) {
        e->is_oom = 1;
        return -1;
    }
    *arr = p;
    *cap = c;
    return 0;
}
#define GROW(e, arr, n, cap) grow((e), (void **)&(arr), (n), &(cap), sizeof *(arr))

static void fail(struct emitter *e, ax_status st)
{
    if (e->err == AX_OK)
        e->err = st;
}

static int ok(const struct emitter *e)
{
    return !e->is_oom && e->err == AX_OK;
}

/* ---- buffers ------------------------------------------------------------------- */

/* A buffer of `words` words on `core`, from its next free word, named
 * "<prefix><index>" (index NONE: "<prefix>"); returns its address. */
static uint32_t buffer_at(struct emitter *e, uint32_t core, uint32_t addr, uint32_t words,
                          enum ax_prog_buffer_kind kind, uint32_t ref, const char *prefix, uint32_t index)
{
    if (!ok(e) || GROW(e, e->bufs, e->n_bufs, e->cap_bufs) != 0)
        return 0;
    char name[96];
    if (index == NONE)
        snprintf(name, sizeof name, "%s", prefix);
    else
        snprintf(name, sizeof name, "%s%u", prefix, index);
    const char *copy = ax_arena_strdup(&e->prog->arena, name);
    if (!copy) {
        e->is_oom = 1;
        return 0;
    }
    e->bufs[e->n_bufs++] = (struct ax_prog_buffer){core, addr, words ? words : 1, kind,
                                                  e->node, ref, copy};
    return addr;
}

static uint32_t buffer(struct emitter *e, uint32_t core, uint32_t words, enum ax_prog_buffer_kind kind,
                       uint32_t ref, const char *prefix, uint32_t index)
{
    struct core_code *k = &e->cores[core];
    words = words ? words : 1;
    if ((uint64_t)k->next + words > k->limit) {
        if (ok(e))
            ax_diag_add(e->diags, AX_DIAG_ERROR, NULL, 0, 0,
                        "internal: core %u: buffer %s of %u words at word %u passes the %u words "
                        "its SRAM leaves (the mapping sized it too small)", core, prefix, words,
                        k->next, k->limit);
        fail(e, AX_ERR_INTERNAL);
        return 0;
    }
    uint32_t addr = k->next;
    k->next += words;
    return buffer_at(e, core, addr, words, kind, ref, prefix, index);
}

/* "n<node>.<what>" */
static const char *bname(char *buf, size_t size, uint32_t node, const char *what)
{
    snprintf(buf, size, "n%u.%s", node, what);
    return buf;
}

/* Object `oi`'s tensor name in the program's arena, copied once (oi NONE:
 * copied every time). */
static const char *tensor_name(struct emitter *e, uint32_t oi, const char *name)
{
    if (oi != NONE && e->tensor[oi])
        return e->tensor[oi];
    const char *copy = ax_arena_strdup(&e->prog->arena, name);
    if (!copy)
        e->is_oom = 1;
    if (oi != NONE)
        e->tensor[oi] = copy;
    return copy;
}

static uint32_t add_weight(struct emitter *e, struct ax_prog_weight w)
{
    if (GROW(e, e->weights, e->n_weights, e->cap_weights) != 0)
        return 0;
    e->weights[e->n_weights] = w;
    return e->n_weights++;
}

static uint32_t add_const(struct emitter *e, float v)
{
    if (GROW(e, e->consts, e->n_consts, e->cap_consts) != 0)
        return 0;
    e->consts[e->n_consts] = v;
    return e->n_consts++;
}

/* ---- code -------------------------------------------------------------------------- */

static void op(struct emitter *e, uint32_t core, enum ax_isa_op opc, uint8_t flags, uint64_t a,
               uint64_t b, uint64_t c)
{
    struct core_code *k = &e->cores[core];
    if (!ok(e) || GROW(e, k->words, k->n, k->cap) != 0)
        return;
    struct ax_isa_instr in = {opc, flags, a, b, c};
    int rc = ax_isa_encode(&in, &k->words[k->n]);
    AX_ASSERT(rc == 0); /* operands fit by construction: sram_words is checked up front */
    /* the opmap: extend this core's last entry when it is this node's */
    struct ax_prog_opmap *last = k->last_opmap != NONE ? &e->opmap[k->last_opmap] : NULL;
    if (last && last->node == e->node && last->first + last->count == k->n) {
        last->count++;
    } else if (GROW(e, e->opmap, e->n_opmap, e->cap_opmap) == 0) {
        e->opmap[e->n_opmap] = (struct ax_prog_opmap){core, k->n, 1, e->node};
        k->last_opmap = e->n_opmap++;
    }
    k->n++;
}

static void setlen(struct emitter *e, uint32_t core, uint32_t n)
{
    if (e->cores[core].len != n) {
        op(e, core, AX_ISA_SETLEN, 0, n, 0, 0);
        e->cores[core].len = n;
    }
}

/* `count` messages of `len` words into `dst` on `core`, zeroed first unless
 * it already holds what they add to. */
static void receive(struct emitter *e, uint32_t core, uint32_t dst, uint32_t len, uint32_t count,
                    int zero)
{
    setlen(e, core, len);
    if (zero)
        op(e, core, AX_ISA_ACCZERO, 0, dst, 0, 0);
    op(e, core, AX_ISA_PSUMRECV, 0, dst, count, 0);
}

/* One message of a running total into `dst` on `core`, its words as they
 * came (a float64 sum in two words is no float32 to add). */
static void receive_total(struct emitter *e, uint32_t core, uint32_t dst)
{
    setlen(e, core, AX_ISA_TOTAL_WORDS);
    op(e, core, AX_ISA_PSUMRECV, AX_ISA_PSUMRECV_COPY, dst, 1, 0);
}

/* ---- routes and barriers ---------------------------------------------------------- */

static int dest_cmp(const void *a, const void *b)
{
    const struct ax_prog_dest *x = a, *y = b;
    return x->core < y->core ? -1 : x->core > y->core;
}

static uint32_t route_hash(uint32_t src, uint32_t kind, const struct ax_prog_dest *d, uint32_t n)
{
    uint32_t h = 2166136261u;
    uint32_t head[3] = {src, kind, n};
    for (int i = 0; i < 3; i++)
        h = (h ^ head[i]) * 16777619u;
    for (uint32_t i = 0; i < n; i++)
        h = ((h ^ d[i].core) * 16777619u ^ d[i].addr) * 16777619u;
    return h;
}

static int route_equal(const struct emitter *e, uint32_t r, uint32_t src, uint32_t kind,
                       const struct ax_prog_dest *d, uint32_t n)
{
    const struct ax_prog_route *x = &e->routes[r];
    if (x->src != src || x->kind != kind || x->n_dst != n)
        return 0;
    const struct ax_prog_dest *y = &e->dests[e->route_first[r]];
    for (uint32_t i = 0; i < n; i++)
        if (y[i].core != d[i].core || y[i].addr != d[i].addr)
            return 0;
    return 1;
}

static int rehash(struct emitter *e)
{
    uint32_t cap = e->cap_hash ? 2 * e->cap_hash : 1024;
    uint32_t *h = ax_mem_calloc(cap, sizeof *h);
    if (!h) {
        e->is_oom = 1;
        return -1;
    }
    for (uint32_t r = 0; r < e->n_routes; r++) {
        const struct ax_prog_route *x = &e->routes[r];
        uint32_t i = route_hash(x->src, x->kind, &e->dests[e->route_first[r]], x->n_dst) & (cap - 1);
        while (h[i])
            i = (i + 1) & (cap - 1);
        h[i] = r + 1;
    }
    ax_mem_free(e->hash);
    e->hash = h;
    e->cap_hash = cap;
    return 0;
}

/* The route from `src` to the `n` destinations `d` (sorted here by core;
 * each core once), made once: an identical one is shared. */
static uint32_t route(struct emitter *e, uint32_t src, enum ax_prog_route_kind kind,
                      struct ax_prog_dest *d, uint32_t n)
{
    if (!ok(e))
        return 0;
    qsort(d, n, sizeof *d, dest_cmp);
    if ((e->n_routes + 1) * 2 > e->cap_hash && rehash(e) != 0)
        return 0;
    uint32_t i = route_hash(src, kind, d, n) & (e->cap_hash - 1);
    for (; e->hash[i]; i = (i + 1) & (e->cap_hash - 1))
        if (route_equal(e, e->hash[i] - 1, src, kind, d, n))
            return e->hash[i] - 1;
    if (e->n_routes > AX_ISA_MAX_A24) { /* `emit`, `relay`, `psumsend` and `lookup` name it in 24 bits */
        ax_diag_add(e->diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "the program needs more than %llu routes, the most an instruction can name; "
                    "a larger --reduce-chunk (or 0) makes fewer", (unsigned long long)AX_ISA_MAX_A24 + 1);
        fail(e, AX_ERR_LIMIT);
        return 0;
    }
    if (GROW(e, e->routes, e->n_routes, e->cap_routes) != 0 ||
        GROW(e, e->route_first, e->n_routes, e->cap_route_first) != 0)
        return 0;
    for (uint32_t k = 0; k < n; k++) {
        if (GROW(e, e->dests, e->n_dests, e->cap_dests) != 0)
            return 0;
        e->dests[e->n_dests++] = d[k];
    }
    e->route_first[e->n_routes] = e->n_dests - n;
    e->routes[e->n_routes] = (struct ax_prog_route){src, kind, n, NULL};
    e->hash[i] = e->n_routes + 1;
    return e->n_routes++;
}

static uint32_t value_route(struct emitter *e, uint32_t src, uint32_t core, uint32_t addr)
{
    struct ax_prog_dest d = {core, addr};
    return route(e, src, AX_PROG_ROUTE_VALUES, &d, 1);
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Adds `core` to the barrier being formed (each core once). */
static void barrier_join(struct emitter *e, uint32_t core)
{
    if (e->core_mark[core] || GROW(e, e->bar_cores, e->n_bar_cores, e->cap_bar_cores) != 0)
        return;
    e->core_mark[core] = 1;
    e->bar_cores[e->n_bar_cores++] = core;
}

/* Closes the barrier of the cores joined since the last one; every one of
 * them reaches it now, in ascending order. */
static void barrier_close(struct emitter *e)
{
    uint32_t first = e->n_barriers ? e->bar_first[e->n_barriers - 1] + e->barriers[e->n_barriers - 1].n_cores : 0;
    uint32_t *cores = e->bar_cores + first, n = e->n_bar_cores - first;
    for (uint32_t i = 0; i < n; i++)
        e->core_mark[cores[i]] = 0;
    if (!ok(e) || GROW(e, e->barriers, e->n_barriers, e->cap_barriers) != 0 ||
        GROW(e, e->bar_first, e->n_barriers, e->cap_bar_first) != 0)
        return;
    qsort(cores, n, sizeof *cores, u32_cmp);
    uint32_t id = e->n_barriers++;
    e->bar_first[id] = first;
    e->barriers[id] = (struct ax_prog_barrier){n, NULL};
    for (uint32_t i = 0; i < n; i++)
        op(e, cores[i], AX_ISA_BARRIER, 0, id, 0, 0);
}

/* ---- where values are --------------------------------------------------------------- */

/* Where a projection's partial sums go: rows of VALUE object `value` (the
 * shard holding them), or one of its scratch vectors (`scratch` 1 or 2:
 * the MoE expert's gate or up vector). */
struct target {
    uint32_t value;
    int scratch;
};

/* The map block of value `value` holding row `row`, or NONE. */
static uint32_t shard_of(const struct emitter *e, uint32_t value, uint32_t row)
{
    const struct ax_map_object *o = &e->m->objects[value];
    for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks; b++)
        if (row >= e->m->blocks[b].row0 && row < e->m->blocks[b].row0 + e->m->blocks[b].rows)
            return b;
    return o->n_blocks == 1 ? o->first_block : NONE;
}

/* The (core, address) of row `row` of a target. */
static struct ax_prog_dest target_at(const struct emitter *e, struct target t, uint32_t row)
{
    uint32_t b = shard_of(e, t.value, t.scratch ? 0 : row);
    if (b == NONE)
        return (struct ax_prog_dest){NONE, NONE};
    const struct ax_map_block *blk = &e->m->blocks[b];
    const struct layout *l = &e->lay[b];
    if (t.scratch) {
        uint32_t inter = e->g->nodes[e->m->objects[t.value].node].inter;
        return (struct ax_prog_dest){blk->core, l->scratch + (t.scratch == 2 ? inter : 0) + row};
    }
    return (struct ax_prog_dest){blk->core, l->value + (row - blk->row0)};
}

/* The one shard of node `id`'s value, or NONE with a diagnostic when it has
 * none or is split across cores (something here reads it whole). */
static uint32_t whole_value(struct emitter *e, uint32_t id, uint32_t reader)
{
    uint32_t v = id < e->m->n_nodes ? e->m->node_value[id] : NONE;
    if (v != NONE && e->m->objects[v].n_blocks == 1)
        return e->m->objects[v].first_block;
    if (ok(e))
        ax_diag_add(e->diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "%%%u = %s reads %%%u whole, whose value is %s; the program cannot express "
                    "that yet", reader, ax_ir_op_str(e->g->nodes[reader].op), id,
                    v == NONE ? "not on chip" : "split across cores");
    fail(e, AX_ERR_UNSUPPORTED);
    return NONE;
}

/* Zeroes every shard of a value (what its partial sums add into). */
static void zero_value(struct emitter *e, uint32_t value)
{
    const struct ax_map_object *o = &e->m->objects[value];
    for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks; b++) {
        setlen(e, e->m->blocks[b].core, e->m->blocks[b].rows);
        op(e, e->m->blocks[b].core, AX_ISA_ACCZERO, 0, e->lay[b].value, 0, 0);
    }
}

/* ---- layout ---------------------------------------------------------------------------- */

static uint32_t max_u32(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

/* The staging area of every core that streams blocks from DRAM, at the top
 * of its SRAM: a STAGING buffer for the largest block's codes and scales,
 * then its accumulators and (dense) inbox, reused by each block in turn. */
static void layout_staging(struct emitter *e)
{
    const struct ax_map *m = e->m;
    uint32_t *need = ax_mem_calloc((size_t)e->n_cores * 3 + 1, sizeof *need);
    if (!need) {
        e->is_oom = 1;
        return;
    }
    for (uint32_t bi = 0; bi < m->n_blocks; bi++) {
        const struct ax_map_block *b = &m->blocks[bi];
        if (!b->is_dram)
            continue;
        const struct ax_map_object *o = &m->objects[b->object];
        uint32_t *n = &need[(size_t)b->core * 3];
        n[0] = max_u32(n[0], (uint32_t)ax_map_record_words(o, b->rows, b->cols));
        n[1] = max_u32(n[1], b->rows);
        if (ax_map_has_inbox(o))
            n[2] = max_u32(n[2], b->cols);
    }
    e->node = NONE;
    for (uint32_t c = 0; c < e->n_cores && ok(e); c++) {
        uint32_t *n = &need[(size_t)c * 3];
        if (!n[0])
            continue;
        uint64_t words = (uint64_t)n[0] + n[1] + n[2];
        if (words > e->sram_words) {
            ax_diag_add(e->diags, AX_DIAG_ERROR, NULL, 0, 0,
                        "core %u streams blocks from DRAM that need %llu words of staging; its "
                        "SRAM has %u", c, (unsigned long long)words, e->sram_words);
            fail(e, AX_ERR_INVALID);
            break;
        }
        uint32_t base = e->sram_words - (uint32_t)words;
        struct core_code *k = &e->cores[c];
        k->limit = base;
        k->staging = buffer_at(e, c, base, n[0], AX_PROG_BUF_STAGING, NONE, "staging", NONE);
        k->staging_acc = buffer_at(e, c, base + n[0], n[1], AX_PROG_BUF_ACC, NONE, "staging.acc", NONE);
        if (n[2])
            k->staging_in = buffer_at(e, c, base + n[0] + n[1], n[2], AX_PROG_BUF_INBOX, NONE,
                                      "staging.in", NONE);
    }
    ax_mem_free(need);
}

/* A weight block's buffers: its record, codes and scales, accumulators, and
 * a dense block's inbox (in the staging area when it streams from DRAM). */
static void layout_weights(struct emitter *e, uint32_t bi, uint32_t k)
{
    const struct ax_map_block *b = &e->m->blocks[bi];
    const struct ax_map_object *o = &e->m->objects[b->object];
    struct layout *l = &e->lay[bi];
    int has_inbox = ax_map_has_inbox(o);
    l->record = add_weight(e, (struct ax_prog_weight){b->core, tensor_name(e, b->object, o->name),
                                                      b->row0, b->rows, b->col0, b->cols, b->is_dram,
                                                      o->is_float, NULL});
    char nb[32];
    if (b->is_dram) {
        const struct core_code *cc = &e->cores[b->core];
        l->w = cc->staging;
        l->acc = cc->staging_acc;
        l->inbox = has_inbox ? cc->staging_in : NONE;
        return;
    }
    l->w = buffer(e, b->core, (uint32_t)ax_map_record_words(o, b->rows, b->cols), AX_PROG_BUF_WEIGHTS,
                  l->record, bname(nb, sizeof nb, o->node, "w"), k);
    /* an argmax tree's pairs follow the accumulators (argmax writes after its vector) */
    l->acc = buffer(e, b->core, b->rows + o->pair_words, AX_PROG_BUF_ACC, NONE,
                    bname(nb, sizeof nb, o->node, "acc"), k);
    l->inbox = has_inbox ? buffer(e, b->core, b->cols, AX_PROG_BUF_INBOX, NONE,
                                  bname(nb, sizeof nb, o->node, "in"), k)
                         : NONE;
}

/* A float record of `tensor` columns [col0, col0 + cols) (one row) on
 * `core`, and its PARAM buffer. */
static uint32_t param(struct emitter *e, uint32_t core, const char *tensor, uint32_t col0,
                      uint32_t cols, const char *name, uint32_t index)
{
    uint32_t rec = add_weight(e, (struct ax_prog_weight){core, tensor_name(e, NONE, tensor), 0, 1,
                                                         col0, cols, 0, 1, NULL});
    return buffer(e, core, cols, AX_PROG_BUF_PARAM, rec, name, index);
}

/* A value shard's buffers, in the order ax_map_value_needs lists. */
static void layout_value(struct emitter *e, uint32_t bi)
{
    const struct ax_map_block *b = &e->m->blocks[bi];
    const struct ax_map_object *o = &e->m->objects[b->object];
    const struct ax_ir_node *n = &e->g->nodes[o->node];
    const struct ax_map_value_needs *nd = &o->needs;
    struct layout *l = &e->lay[bi];
    uint32_t c = b->core, rows = b->rows, id = o->node;
    uint32_t shard = o->n_blocks > 1 ? bi - o->first_block : NONE;
    char nb[32];
    l->value = buffer(e, c, rows, AX_PROG_BUF_VALUE, NONE, bname(nb, sizeof nb, id, "value"), shard);
    if (nd->has_counts) { /* also the inbox: its operand is used before the value is encoded */
        /* a shard's counts name the vector's own columns from its first row on */
        l->counts = buffer(e, c, rows, AX_PROG_BUF_COUNTS, shard != NONE ? b->row0 : NONE,
                           bname(nb, sizeof nb, id, "counts"), shard);
        l->vth = buffer(e, c, 1, AX_PROG_BUF_SCALAR, NONE, bname(nb, sizeof nb, id, "vth"), shard);
        l->in1 = nd->n_inboxes ? l->counts : NONE;
    } else {
        l->in1 = nd->n_inboxes ? buffer(e, c, rows, AX_PROG_BUF_INBOX, NONE,
                                        bname(nb, sizeof nb, id, "in"), shard)
                               : NONE;
    }
    if (nd->has_param) {
        const char *tensor = n->op == AX_IR_RMSNORM ? n->weight : n->bias;
        l->param = param(e, c, tensor, b->row0, rows, bname(nb, sizeof nb, id, "param"), shard);
    }
    if (nd->table_words)
        l->table = buffer(e, c, nd->table_words, AX_PROG_BUF_CONST, e->table_const[id],
                          bname(nb, sizeof nb, id, "table"), shard);
    if (nd->has_scalar)
        l->scalar = buffer(e, c, 1, AX_PROG_BUF_SCALAR, NONE, bname(nb, sizeof nb, id, "sum"), shard);
    if (nd->extra_inbox_words)
        l->extra = buffer(e, c, nd->extra_inbox_words, AX_PROG_BUF_INBOX, NONE,
                          bname(nb, sizeof nb, id, "in2"), shard);
    if (nd->scratch_words)
        l->scratch = buffer(e, c, nd->scratch_words, AX_PROG_BUF_SCRATCH, NONE,
                            bname(nb, sizeof nb, id, "hidden"), shard);
    if (nd->has_totals) {
        l->tot = buffer(e, c, AX_ISA_TOTAL_WORDS, AX_PROG_BUF_SCALAR, NONE,
                        bname(nb, sizeof nb, id, "tot"), shard);
        l->total = buffer(e, c, AX_ISA_TOTAL_WORDS, AX_PROG_BUF_SCALAR, NONE,
                          bname(nb, sizeof nb, id, "total"), shard);
    }
}

/* The kv heads a block of a K/V ring holds: whole ones, or part of one. */
static uint32_t ring_heads(const struct ax_map_object *o, const struct ax_map_block *b)
{
    return b->rows >= o->kv_window ? b->rows / o->kv_window : 1;
}

/* A state block's buffers: its state (and record), the inboxes of its
 * operands and its share of the output. GLA (heads h of head_dim d): q and
 * out h·d, k, v (and g) max(kv_heads, h)·d. SWA (keys): q and out of every
 * head, this token's k and v. */
static void layout_state(struct emitter *e, uint32_t bi, uint32_t k)
{
    const struct ax_map_block *b = &e->m->blocks[bi];
    const struct ax_map_object *o = &e->m->objects[b->object];
    const struct ax_ir_node *n = &e->g->nodes[o->node];
    struct layout *l = &e->lay[bi];
    uint32_t c = b->core, d = n->head_dim, id = o->node;
    uint32_t words = (uint32_t)(o->banks * (((uint64_t)b->rows * o->cols + 3) / 4));
    char nb[32];
    if (!ok(e) || GROW(e, e->states, e->n_states, e->cap_states) != 0)
        return;
    uint32_t rec = e->n_states++;
    uint32_t buf = e->n_bufs;
    l->state = buffer(e, c, words, AX_PROG_BUF_STATE, rec, bname(nb, sizeof nb, id, "state"), k);
    enum ax_prog_state_kind kind = n->op != AX_IR_GLA ? AX_PROG_STATE_KV
                                   : o->gla_cols      ? AX_PROG_STATE_GLACOL
                                                      : AX_PROG_STATE_GLA;
    e->states[rec] = (struct ax_prog_state){c, id, kind, b->row0, b->rows, o->cols, buf};
    if (n->op != AX_IR_GLA) { /* a K/V ring block: its kv heads' operands (ring_heads) */
        uint32_t nh = ring_heads(o, b), nq = nh * (n->heads / n->kv_heads);
        l->q = buffer(e, c, nq * d, AX_PROG_BUF_INBOX, NONE, bname(nb, sizeof nb, id, "q"), k);
        l->out = buffer(e, c, nq * (d + 2), AX_PROG_BUF_SCRATCH, NONE,
                        bname(nb, sizeof nb, id, "out"), k);
        l->k = buffer(e, c, nh * d, AX_PROG_BUF_INBOX, NONE, bname(nb, sizeof nb, id, "k"), k);
        l->v = buffer(e, c, nh * d, AX_PROG_BUF_INBOX, NONE, bname(nb, sizeof nb, id, "v"), k);
        l->g = buffer(e, c, nq * d, AX_PROG_BUF_SCRATCH, NONE, bname(nb, sizeof nb, id, "cnt"), k);
        l->parts = b->rows < o->kv_window
                       ? buffer(e, c, (1 + AX_MAP_RING_FANIN) * o->kv_part_words, AX_PROG_BUF_INBOX,
                                NONE, bname(nb, sizeof nb, id, "parts"), k)
                       : NONE;
        return;
    }
    /* a block of columns (glacol) has one head's operands, and an output of
     * the head's length whose first columns it writes */
    uint32_t heads = o->gla_cols ? 1 : b->rows;
    uint32_t q_words = heads * d, kv_words = o->gla_cols ? d : max_u32(n->kv_heads, b->rows) * d;
    l->q = buffer(e, c, q_words, AX_PROG_BUF_INBOX, NONE, bname(nb, sizeof nb, id, "q"), k);
    l->out = buffer(e, c, q_words, AX_PROG_BUF_SCRATCH, NONE, bname(nb, sizeof nb, id, "out"), k);
    l->k = buffer(e, c, kv_words, AX_PROG_BUF_INBOX, NONE, bname(nb, sizeof nb, id, "k"), k);
    l->v = buffer(e, c, kv_words, AX_PROG_BUF_INBOX, NONE, bname(nb, sizeof nb, id, "v"), k);
    l->g = n->n_inputs > 3
               ? buffer(e, c, kv_words, AX_PROG_BUF_INBOX, NONE, bname(nb, sizeof nb, id, "g"), k)
               : NONE;
}

/* Constants: k first (`thresh` names it by index), every node's scalar
 * (a norm's eps, a GLA's gate normalizer, a RoPE's theta; `rmsnorm`,
 * `gladecay` and `rope` name it in their flags: never 0, so that `rope`
 * forms its inverse frequencies from theta in f64), then the RoPE tables
 * (one per head_dim and theta, which give `rope` its d), each value once. */
static void layout_consts(struct emitter *e)
{
    e->k_const = add_const(e, (float)e->spike->k);
    for (uint32_t id = 0; id < e->g->n_nodes; id++) {
        const struct ax_ir_node *n = &e->g->nodes[id];
        e->scalar_const[id] = e->table_const[id] = NONE;
        if (n->op != AX_IR_RMSNORM && n->op != AX_IR_GLA && n->op != AX_IR_ROPE &&
            n->op != AX_IR_SWA)
            continue;
        float v = (float)(n->op == AX_IR_RMSNORM ? n->eps
                          : n->op == AX_IR_GLA   ? n->normalizer
                          : n->op == AX_IR_SWA   ? (n->window ? n->window : 4096) /* its keys */
                                                 : n->theta);
        if (n->op == AX_IR_ROPE && (double)v != n->theta) {
            ax_diag_add(e->diags, AX_DIAG_ERROR, NULL, 0, 0,
                        "%%%u = rope: theta %.17g is not a float32 constant; `rope` takes it "
                        "from the consts table", id, n->theta);
            fail(e, AX_ERR_UNSUPPORTED);
            return;
        }
        for (uint32_t i = 0; i < e->n_consts && e->scalar_const[id] == NONE; i++)
            if (e->consts[i] == v && i != e->k_const)
                e->scalar_const[id] = i;
        if (e->scalar_const[id] == NONE)
            e->scalar_const[id] = add_const(e, v);
    }
    for (uint32_t id = 0; id < e->g->n_nodes && ok(e); id++)
        if (e->g->nodes[id].op == AX_IR_SWA && e->scalar_const[id] > AX_ISA_KVATTN_MAX_CONST) {
            ax_diag_add(e->diags, AX_DIAG_ERROR, NULL, 0, 0,
                        "%%%u = swa: its window is constant %u; kvattn's flags name at most %u",
                        id, e->scalar_const[id], AX_ISA_KVATTN_MAX_CONST);
            fail(e, AX_ERR_UNSUPPORTED);
            return;
        }
    if (e->n_consts > 256) { /* flags hold the index */
        ax_diag_add(e->diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "the graph has %u distinct norm epsilons, gate normalizers and RoPE thetas; "
                    "instruction "
                    "flags name at most 255",
                    e->n_consts - 1);
        fail(e, AX_ERR_UNSUPPORTED);
        return;
    }
    for (uint32_t id = 0; id < e->g->n_nodes && ok(e); id++) {
        const struct ax_ir_node *n = &e->g->nodes[id];
        if (n->op != AX_IR_ROPE)
            continue;
        for (uint32_t j = 0; j < id && e->table_const[id] == NONE; j++) {
            const struct ax_ir_node *p = &e->g->nodes[j];
            if (p->op == AX_IR_ROPE && p->head_dim == n->head_dim && p->theta == n->theta)
                e->table_const[id] = e->table_const[j];
        }
        if (e->table_const[id] != NONE)
            continue;
        e->table_const[id] = e->n_consts;
        for (uint32_t i = 0; i < n->head_dim / 2; i++)
            add_const(e, (float)pow(n->theta, -2.0 * i / n->head_dim));
    }
}

/* Every block's buffers, in block order (so a core's buffers follow the
 * order the mapping packed its blocks in), after the staging areas. */
static void layout(struct emitter *e)
{
    const struct ax_map *m = e->m;
    layout_consts(e);
    layout_staging(e);
    uint32_t node_first = 0; /* the first weight block of the current node */
    for (uint32_t bi = 0; bi < m->n_blocks && ok(e); bi++) {
        const struct ax_map_block *b = &m->blocks[bi];
        const struct ax_map_object *o = &m->objects[b->object];
        e->node = o->node;
        if (bi == 0 || m->objects[m->blocks[bi - 1].object].node != o->node)
            node_first = bi;
        if (o->kind == AX_MAP_WEIGHTS)
            layout_weights(e, bi, bi - node_first);
        else if (o->kind == AX_MAP_STATE)
            layout_state(e, bi, bi - o->first_block);
        else
            layout_value(e, bi);
    }
}

/* ---- projections ---------------------------------------------------------------------- */

/* Records that one more message of `len` words goes to (core, addr). */
static void owe(struct emitter *e, uint32_t core, uint32_t addr, uint32_t len)
{
    for (uint32_t i = 0; i < e->n_pend; i++)
        if (e->pend[i].core == core && e->pend[i].addr == addr) {
            e->pend[i].count++;
            return;
        }
    if (GROW(e, e->pend, e->n_pend, e->cap_pend) == 0)
        e->pend[e->n_pend++] = (struct pending){core, addr, len, 1};
}

/* The receives owed, in the order they were first owed (zeroed already). */
static void pay(struct emitter *e)
{
    for (uint32_t i = 0; i < e->n_pend; i++)
        receive(e, e->pend[i].core, e->pend[i].addr, e->pend[i].len, e->pend[i].count, 0);
    e->n_pend = 0;
}

/* A block's partial sums (`acc`, its rows; len set) to its target: added
 * locally when the target is on its core, else sent and owed. */
static void deliver(struct emitter *e, uint32_t core, uint32_t acc, uint32_t row0, uint32_t rows,
                    struct target t)
{
    struct ax_prog_dest d = target_at(e, t, row0);
    if (d.core == NONE) {
        fail(e, AX_ERR_INTERNAL);
        return;
    }
    if (d.core == core) {
        op(e, core, AX_ISA_VADD, 0, d.addr, d.addr, acc);
        return;
    }
    op(e, core, AX_ISA_PSUMSEND, 0, acc, value_route(e, core, d.core, d.addr), 0);
    owe(e, d.core, d.addr, rows);
}

/* Where a projection reads its input: vector `addr` on `core`, the shard
 * `shard` (a map block of a VALUE object) whose counts a spiking projection
 * encodes into, or NONE for a scratch vector. */
struct source {
    uint32_t core, addr, shard;
    uint32_t sharded;             /* or a VALUE object cut into shards, read shard by shard
                                   * (core, addr, shard unused); NONE otherwise */
};

/* next_reader: each spiking weight object's next one reading the same
 * value, in object order (the order the emitter meets them). */
static ax_status link_readers(struct emitter *e)
{
    const struct ax_map *m = e->m;
    uint32_t *last = ax_mem_alloc(((size_t)m->n_objects + 1) * sizeof *last);
    if (!last)
        return AX_ERR_NOMEM;
    for (uint32_t i = 0; i < m->n_objects; i++)
        last[i] = e->next_reader[i] = NONE;
    for (uint32_t i = m->n_objects; i-- > 0;) {
        const struct ax_map_object *o = &m->objects[i];
        if (o->kind != AX_MAP_WEIGHTS || !o->is_spiking || o->producer >= m->n_objects)
            continue;
        e->next_reader[i] = last[o->producer];
        last[o->producer] = i;
    }
    ax_mem_free(last);
    return AX_OK;
}

/* The running total of |x| (`squares`: x^2) over the shards of stream
 * value object `v`, shard k's rows at src[k] on its core: each shard takes
 * the total from the one before (the first starts it), adds its rows in
 * ascending order and passes it on; the last sends the whole vector's to
 * every other (a copy where two lie on one core). The float64 sum is then
 * exactly the one `rmsnorm` or `thresh` forms over the whole vector.
 * Afterwards each shard's total is at stream_total_at. */
static void stream_total(struct emitter *e, const struct ax_map_object *v, const uint32_t *src,
                         int squares)
{
    uint32_t first = v->first_block, last = first + v->n_blocks - 1;
    const struct ax_map_block *bl = e->m->blocks;
    for (uint32_t sb = first; sb <= last && ok(e); sb++) {
        const struct layout *l = &e->lay[sb];
        uint32_t c = bl[sb].core;
        uint8_t flags = (uint8_t)((squares ? AX_ISA_SUMACC_SQUARES : 0) |
                                  (sb == first ? AX_ISA_SUMACC_START : 0));
        if (sb > first && bl[sb - 1].core != c)
            receive_total(e, c, l->tot);
        setlen(e, c, bl[sb].rows);
        op(e, c, AX_ISA_SUMACC, flags, l->tot, src[sb - first], 0);
        setlen(e, c, AX_ISA_TOTAL_WORDS);
        e->n_tmp = 0; /* on to the next shard's running total, or back to every other's */
        uint32_t to0 = sb < last ? sb + 1 : first, to1 = sb < last ? sb + 2 : last;
        for (uint32_t to = to0; to < to1 && ok(e); to++) {
            uint32_t at = sb < last ? e->lay[to].tot : e->lay[to].total;
            if (bl[to].core == c)
                op(e, c, AX_ISA_VCOPY, 0, at, l->tot, 0);
            else if (GROW(e, e->tmp, e->n_tmp, e->cap_tmp) == 0)
                e->tmp[e->n_tmp++] = (struct ax_prog_dest){bl[to].core, at};
        }
        if (e->n_tmp)
            op(e, c, AX_ISA_PSUMSEND, 0, l->tot,
               route(e, c, AX_PROG_ROUTE_VALUES, e->tmp, e->n_tmp), 0);
    }
    for (uint32_t sb = first; sb < last && ok(e); sb++)
        if (bl[sb].core != bl[last].core)
            receive_total(e, bl[sb].core, e->lay[sb].total);
}

/* Where shard `sb` of a stream value finds the whole vector's total after
 * stream_total: the last shard formed it, the others took it in. */
static uint32_t stream_total_at(const struct emitter *e, uint32_t sb)
{
    const struct ax_map_object *v = &e->m->objects[e->m->blocks[sb].object];
    return sb == v->first_block + v->n_blocks - 1 ? e->lay[sb].tot : e->lay[sb].total;
}

/* thresh and encode of a stream value cut into shards, once per token:
 * the threshold from the running total of |x| over all shards
 * (stream_total, `threshof`: thresh's V_th bit for bit), then each shard
 * encodes its rows. */
static void encode_stream(struct emitter *e, uint32_t value)
{
    const struct ax_map_object *v = &e->m->objects[value];
    if (e->is_encoded[value])
        return;
    e->is_encoded[value] = 1;
    uint32_t *src = ax_mem_alloc((size_t)v->n_blocks * sizeof *src);
    if (!src) {
        e->is_oom = 1;
        return;
    }
    for (uint32_t sb = v->first_block; sb < v->first_block + v->n_blocks; sb++)
        src[sb - v->first_block] = e->lay[sb].value;
    stream_total(e, v, src, 0);
    uint8_t flags = AX_ISA_ENC_FLAGS(e->spike->encoding, e->spike->steps);
    for (uint32_t sb = v->first_block; sb < v->first_block + v->n_blocks && ok(e); sb++) {
        const struct layout *l = &e->lay[sb];
        uint32_t c = e->m->blocks[sb].core;
        setlen(e, c, e->m->blocks[sb].rows);
        op(e, c, AX_ISA_THRESHOF, (uint8_t)e->k_const, l->vth, stream_total_at(e, sb), 0);
        op(e, c, AX_ISA_ENCODE, flags, l->value, l->vth, l->counts);
    }
    ax_mem_free(src);
}

/* thresh and encode of a value, once per token however many projections
 * read it. */
static void encode_once(struct emitter *e, struct source x, uint32_t len)
{
    uint32_t obj = e->m->blocks[x.shard].object;
    if (e->is_encoded[obj])
        return;
    e->is_encoded[obj] = 1;
    const struct layout *l = &e->lay[x.shard];
    uint8_t flags = AX_ISA_ENC_FLAGS(e->spike->encoding, e->spike->steps);
    setlen(e, x.core, len);
    op(e, x.core, AX_ISA_THRESH, (uint8_t)e->k_const, x.addr, l->vth, 0);
    op(e, x.core, AX_ISA_ENCODE, flags, x.addr, l->vth, l->counts);
}

/* The next projection `spike_fanout` feeds with `oi`'s events: on a chip
 * whose routers replicate packets, every spiking projection that reads the
 * same value (q, k, v and gk; gate and up; every expert's gate and up),
 * since one emission to all of them then leaves each event once and crosses
 * each link once; otherwise none, since an event goes to each core (or
 * relay) on its own anyway, and a projection's blocks can start once their
 * own events are in rather than everyone's (relayed, one emission for all
 * gives the 7B's token 72.57 ms against 71.34 ms). */
static uint32_t fed_with(const struct emitter *e, uint32_t oi)
{
    return e->is_union ? e->next_reader[oi] : NONE;
}

/* The cores holding blocks of column group g of `oi` or of those fed with
 * it, each once, into e->tmp. */
static void group_cores(struct emitter *e, uint32_t oi, uint32_t g)
{
    const struct ax_map *m = e->m;
    e->n_tmp = 0;
    for (uint32_t r = oi; r != NONE; r = fed_with(e, r)) {
        const struct ax_map_object *o = &m->objects[r];
        for (uint32_t bi = o->first_block; bi < o->first_block + o->n_blocks; bi++) {
            const struct ax_map_block *b = &m->blocks[bi];
            if (g * GROUP < b->col0 || g * GROUP >= b->col0 + b->cols || e->core_mark[b->core])
                continue;
            e->core_mark[b->core] = 1;
            if (GROW(e, e->tmp, e->n_tmp, e->cap_tmp) == 0)
                e->tmp[e->n_tmp++] = (struct ax_prog_dest){b->core, NONE};
        }
    }
    for (uint32_t i = 0; i < e->n_tmp; i++)
        e->core_mark[e->tmp[i].core] = 0;
}

/* A core's part in a relayed fan-out (core_role): it takes its events from
 * the encoder (DIRECT), from a group's head (MID), or from its chip's
 * relay (RELAYED); RELAY: it has relayed to its chip. */
enum { ROLE_RELAYED, ROLE_DIRECT, ROLE_RELAY, ROLE_MID };

/* The chip of a core. */
static uint32_t chip_of(const struct emitter *e, uint32_t core)
{
    return core / e->m->cores_per_chip;
}

/* The head of one group's cores d[0 .. n) on core `src`'s fan-out: the
 * first of them, other than src, that takes its events from the encoder;
 * NONE when there is none. */
static uint32_t head_of(const struct emitter *e, uint32_t src, const struct ax_prog_dest *d,
                        uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        if (d[j].core != src && e->core_role[d[j].core] == ROLE_DIRECT)
            return j;
    return NONE;
}

/* The relay of the i-th core of one group's cores d[0 .. n) on core `src`'s
 * fan-out: the first of them on its chip, other than src, that takes its
 * events from the encoder; NONE when there is none. */
static uint32_t relay_of(const struct emitter *e, uint32_t src, const struct ax_prog_dest *d,
                         uint32_t n, uint32_t i)
{
    for (uint32_t j = 0; j < n; j++)
        if (d[j].core != src && e->core_role[d[j].core] != ROLE_RELAYED &&
            chip_of(e, d[j].core) == chip_of(e, d[i].core))
            return j;
    return NONE;
}

/* Whether `core` encodes one of the n groups (src[g]: their encoders). */
static int is_source(const uint32_t *src, uint32_t n, uint32_t core)
{
    for (uint32_t g = 0; g < n; g++)
        if (src[g] == core)
            return 1;
    return 0;
}

/* Marks the part of the cores of each group (all[at[g] .. at[g + 1])) in
 * the fan-out from the encoders, group g's on core src[g]: on each chip, one of the
 * group's cores there (one already taking events from elsewhere serves
 * first) relays them to the others on its chip. Events then cross each
 * chip boundary once per group and chip, where the links between chips are
 * the slowest of the system. (Relaying only where a chip holds three or
 * more of a group's cores gave the 7B's token 89.2 ms against 88.6 ms, and
 * the small model's 2.524 ms against 2.546 ms.) */
static void choose_relays(struct emitter *e, const uint32_t *src, const struct ax_prog_dest *all,
                          const uint32_t *at, uint32_t n_groups)
{
    for (uint32_t g = 0; g < n_groups; g++)
        e->core_role[src[g]] = ROLE_DIRECT;
    for (uint32_t g = 0; g < n_groups; g++)
        for (uint32_t i = at[g]; i < at[g + 1]; i++)
            if (all[i].core != src[g] &&
                relay_of(e, src[g], all + at[g], at[g + 1] - at[g], i - at[g]) == NONE)
                e->core_role[all[i].core] = ROLE_DIRECT;
    /* then the same across chips: of the cores that would take a group's
     * events from the encoder, its head (the first) keeps doing so and
     * passes them on to the others (MID). The encoder sends each event to
     * few cores, and the groups' heads, mostly different cores, send on at
     * the same time: the 7B's token 57.82 ms before, 52.74 ms after;
     * heads for squares of 2, 3, 6 and 10 chips gave 54.65, 53.97, 53.37
     * and 52.90 ms. */
    for (uint32_t g = 0; g < n_groups; g++)
        for (uint32_t i = at[g]; i < at[g + 1]; i++)
            if (e->core_role[all[i].core] == ROLE_DIRECT && !is_source(src, n_groups, all[i].core))
                e->core_role[all[i].core] = ROLE_MID;
    for (uint32_t g = 0; g < n_groups; g++) {
        if (head_of(e, src[g], all + at[g], at[g + 1] - at[g]) != NONE)
            continue; /* a head of an earlier group serves this one too */
        uint32_t i = at[g]; /* else its first MID core becomes its head */
        while (i < at[g + 1] && e->core_role[all[i].core] != ROLE_MID)
            i++;
        if (i < at[g + 1])
            e->core_role[all[i].core] = ROLE_DIRECT;
    }
}

/* Group g's events (columns g * GROUP .. of `cols`) from `core` to the
 * cores e->tmp lists: a relay. */
static void relay_to_tmp(struct emitter *e, uint32_t core, uint32_t g, uint32_t cols)
{
    uint32_t end = (g + 1) * GROUP < cols ? (g + 1) * GROUP : cols;
    setlen(e, core, end - g * GROUP);
    op(e, core, AX_ISA_RELAY, 0, g * GROUP, route(e, core, AX_PROG_ROUTE_SPIKES, e->tmp, e->n_tmp), 0);
}

/* The head of each group passes its events on to the group's MID cores;
 * then one barrier of the heads and the MID cores. */
static void head_relays(struct emitter *e, const uint32_t *src, const struct ax_prog_dest *all,
                        const uint32_t *at, uint32_t n_groups, uint32_t cols)
{
    int is_any = 0;
    for (uint32_t g = 0; g < n_groups && ok(e); g++) {
        const struct ax_prog_dest *d = all + at[g];
        uint32_t n = at[g + 1] - at[g], head = head_of(e, src[g], d, n);
        e->n_tmp = 0;
        for (uint32_t j = 0; j < n && head != NONE; j++)
            if (e->core_role[d[j].core] == ROLE_MID && GROW(e, e->tmp, e->n_tmp, e->cap_tmp) == 0)
                e->tmp[e->n_tmp++] = d[j];
        if (e->n_tmp == 0 || !ok(e))
            continue;
        relay_to_tmp(e, d[head].core, g, cols);
        barrier_join(e, d[head].core);
        is_any = 1;
    }
    for (uint32_t i = 0; i < at[n_groups] && is_any && ok(e); i++)
        if (e->core_role[all[i].core] == ROLE_MID)
            barrier_join(e, all[i].core);
    if (is_any)
        barrier_close(e);
}

/* The relays of each group pass its events on to the group's other cores
 * on their chips; then one barrier of the relays and the cores they feed. */
static void relay_groups(struct emitter *e, const uint32_t *src, const struct ax_prog_dest *all,
                         const uint32_t *at, uint32_t n_groups, uint32_t cols)
{
    int is_any = 0;
    uint32_t *relay = ax_mem_alloc(((size_t)at[n_groups] + 1) * sizeof *relay); /* per core: its */
    if (!relay)
        e->is_oom = 1;
    for (uint32_t g = 0; g < n_groups && ok(e); g++) {
        const struct ax_prog_dest *d = all + at[g];
        uint32_t n = at[g + 1] - at[g], *of = relay + at[g];
        for (uint32_t j = 0; j < n; j++)
            of[j] = e->core_role[d[j].core] == ROLE_RELAYED ? relay_of(e, src[g], d, n, j) : NONE;
        for (uint32_t i = 0; i < n && ok(e); i++) {
            e->n_tmp = 0; /* the cores relay i feeds */
            for (uint32_t j = 0; j < n; j++)
                if (of[j] == i && GROW(e, e->tmp, e->n_tmp, e->cap_tmp) == 0)
                    e->tmp[e->n_tmp++] = d[j];
            if (e->n_tmp == 0)
                continue;
            relay_to_tmp(e, d[i].core, g, cols);
            e->core_role[d[i].core] = ROLE_RELAY;
            is_any = 1;
        }
    }
    ax_mem_free(relay);
    for (uint32_t i = 0; i < at[n_groups] && is_any && ok(e); i++)
        if (e->core_role[all[i].core] == ROLE_RELAYED || e->core_role[all[i].core] == ROLE_RELAY)
            barrier_join(e, all[i].core);
    if (is_any)
        barrier_close(e);
}

/* A piece of a column group's counts: `cols` of them at `cnt` on the core
 * that encoded them. */
struct piece {
    uint32_t core, cnt, cols;
};

/* The pieces of column group g (columns g * GROUP .. `end`) of `x`,
 * appended to *p (n of them, cap): the whole group from the value's core,
 * or, for a stream value cut into shards, the part each shard holds (a
 * shard's rows are its matrix's row ranges, mark_stream, which a group may
 * straddle). */
static void group_pieces(struct emitter *e, struct source x, uint32_t g, uint32_t end,
                         struct piece **p, uint32_t *n, uint32_t *cap)
{
    for (uint32_t col = g * GROUP; col < end && GROW(e, *p, *n, *cap) == 0;) {
        if (x.sharded == NONE) {
            (*p)[(*n)++] = (struct piece){x.core, e->lay[x.shard].counts + col, end - col};
            return;
        }
        uint32_t sb = shard_of(e, x.sharded, col);
        const struct ax_map_block *b = &e->m->blocks[sb];
        uint32_t to = b->row0 + b->rows < end ? b->row0 + b->rows : end;
        (*p)[(*n)++] = (struct piece){b->core, e->lay[sb].counts + (col - b->row0), to - col};
        col = to;
    }
}

/* The spike fan-out of projection `oi` (reading `x`) and of those fed with
 * it (fed_with). Per column group, the cores holding blocks of that group
 * in any of them get its events: from its encoders (group_pieces: the
 * value's core, or the shards of a stream value that hold its columns),
 * one `emit` per run of pieces with the same encoder and destinations
 * whose counts follow one another, and one barrier of the encoders and
 * those cores. Relayed (e->is_relayed), a group needed by several cores
 * of a chip goes to one of them there (choose_relays), which passes it on
 * to the others (`relay`, relay_groups) after the others; and of those
 * relays, the group's head takes it from the encoder and passes it on to
 * the rest (head_relays) before, each level with a barrier of its own. A
 * core takes all its events at one barrier (a barrier that brings events
 * replaces the visible ones), so a core that takes one group from the
 * encoder takes every group it needs from it, and one that takes one from
 * a head takes every other from a head. */
static void spike_fanout(struct emitter *e, uint32_t oi, struct source x)
{
    const struct ax_map *m = e->m;
    uint32_t cols = m->objects[oi].cols, n_groups = (cols + GROUP - 1) / GROUP;
    for (uint32_t r = oi; r != NONE; r = fed_with(e, r))
        e->is_fed[r] = 1;
    /* every group's cores, group g's at all[at[g] .. at[g + 1]); its pieces
     * at pieces[pat[g] .. pat[g + 1]), the first's encoder src[g] (the one
     * relays are chosen around) */
    struct ax_prog_dest *all = NULL;
    struct piece *pieces = NULL;
    uint32_t *at = ax_mem_alloc(((size_t)n_groups + 1) * sizeof *at), n_all = 0, cap_all = 0;
    uint32_t *pat = ax_mem_alloc(((size_t)n_groups + 1) * sizeof *pat), n_pieces = 0,
             cap_pieces = 0;
    uint32_t *src = ax_mem_alloc(((size_t)n_groups + 1) * sizeof *src);
    if (!at || !pat || !src)
        e->is_oom = 1;
    for (uint32_t g = 0; g < n_groups && ok(e); g++) {
        uint32_t end = (g + 1) * GROUP < cols ? (g + 1) * GROUP : cols;
        pat[g] = n_pieces;
        group_pieces(e, x, g, end, &pieces, &n_pieces, &cap_pieces);
        src[g] = ok(e) ? pieces[pat[g]].core : 0;
        group_cores(e, oi, g);
        at[g] = n_all;
        for (uint32_t i = 0; i < e->n_tmp && GROW(e, all, n_all, cap_all) == 0; i++)
            all[n_all++] = e->tmp[i];
    }
    if (ok(e)) {
        at[n_groups] = n_all;
        pat[n_groups] = n_pieces;
    }
    if (ok(e) && e->is_relayed)
        choose_relays(e, src, all, at, n_groups);
    struct piece run = {NONE, 0, 0};
    uint32_t run_route = NONE;
    for (uint32_t g = 0; g < n_groups && ok(e); g++) {
        e->n_tmp = 0;
        for (uint32_t i = at[g]; i < at[g + 1]; i++)
            if ((!e->is_relayed || e->core_role[all[i].core] == ROLE_DIRECT) &&
                GROW(e, e->tmp, e->n_tmp, e->cap_tmp) == 0)
                e->tmp[e->n_tmp++] = all[i];
        for (uint32_t k = pat[g]; k < pat[g + 1] && ok(e); k++) {
            const struct piece *p = &pieces[k];
            uint32_t r = route(e, p->core, AX_PROG_ROUTE_SPIKES, e->tmp, e->n_tmp);
            if (p->core == run.core && r == run_route && p->cnt == run.cnt + run.cols) {
                run.cols += p->cols;
                continue;
            }
            if (run.core != NONE) {
                setlen(e, run.core, run.cols);
                op(e, run.core, AX_ISA_EMIT, 0, run.cnt, run_route, 0);
            }
            run = *p;
            run_route = r;
        }
    }
    if (run.core != NONE && ok(e)) {
        setlen(e, run.core, run.cols);
        op(e, run.core, AX_ISA_EMIT, 0, run.cnt, run_route, 0);
    }
    for (uint32_t k = 0; k < n_pieces && ok(e); k++)
        barrier_join(e, pieces[k].core);
    for (uint32_t i = 0; i < n_all && ok(e); i++)
        if (!e->is_relayed || e->core_role[all[i].core] == ROLE_DIRECT)
            barrier_join(e, all[i].core);
    barrier_close(e);
    if (ok(e) && e->is_relayed)
        head_relays(e, src, all, at, n_groups, cols);
    if (ok(e) && e->is_relayed)
        relay_groups(e, src, all, at, n_groups, cols);
    for (uint32_t i = 0; i < n_all && e->is_relayed; i++)
        e->core_role[all[i].core] = ROLE_RELAYED;
    for (uint32_t k = 0; k < n_pieces && ok(e); k++)
        e->core_role[pieces[k].core] = ROLE_RELAYED;
    ax_mem_free(all);
    ax_mem_free(at);
    ax_mem_free(pat);
    ax_mem_free(src);
    ax_mem_free(pieces);
}

/* Whether a dense input goes to the n cores of one column range of `o`
 * along a relay tree (relay) rather than from its own core to each. A
 * relay level costs about a message in and two out on the relaying cores,
 * taken here as 4 messages out (a message in takes about three times one
 * out on the presets); relaying saves the input's core (n - 1) messages
 * for every column range. So: relays on (--relay; on routers that do not
 * replicate packets), and (n - 1) x column ranges > 4 x the tree's depth.
 * The 7B's lm_head (106 cores, 28 ranges) relays (its down_proj, 3 cores
 * a range and 148 ranges, would, but reads SwiGLU shards); the small
 * model's down_proj (5 cores, 1 range: whole rows) does not. */
static int is_relayed(const struct emitter *e, const struct ax_map_object *o, uint32_t n)
{
    if (n < 2 || !e->is_relayed)
        return 0;
    uint32_t cols = e->m->blocks[o->first_block].cols, ranges = (o->cols + cols - 1) / cols;
    uint32_t depth = 0;
    while ((2u << depth) - 1 < n) /* a binary tree of n nodes has depth + 1 levels */
        depth++;
    return (uint64_t)(n - 1) * ranges > 4ull * (depth + 1);
}

/* The levels of a heap of n places and fan-in f, the trees the emitter
 * builds (reductions, split windows, argmax): level L holds the places
 * s[L] .. s[L + 1] - 1, with s[0] = 0 and s[L + 1] = f s[L] + 1, the last
 * ending at n. Returns the number of levels. */
enum { HEAP_LEVELS = 39 };
static uint32_t heap_levels(uint64_t n, uint32_t f, uint64_t s[HEAP_LEVELS + 1])
{
    uint32_t levels = 0;
    for (uint64_t at = 0; at < n && levels < HEAP_LEVELS; at = at * f + 1)
        s[levels++] = at;
    s[levels] = n;
    return levels;
}

/* How many of `n` rows (or words) a tree of `levels` levels forwards at a
 * time: a level passes a chunk on as soon as it has it, so the levels
 * overlap and the last chunk leaves the root about levels + chunks - 1
 * chunk-steps after the leaves start. As many chunks as levels (n / levels
 * rows, rounded up to a multiple of 32) bring that to about two levels'
 * worth of rows, whatever the depth, for an instruction or two per chunk;
 * at most the map's reduce_chunk rows (0: all n at once). */
static uint32_t tree_chunk(const struct emitter *e, uint32_t n, uint32_t levels)
{
    if (!e->m->reduce_chunk || levels < 2)
        return n;
    uint32_t chunk = ((n + levels - 1) / levels + 31) / 32 * 32;
    return chunk < e->m->reduce_chunk ? chunk : e->m->reduce_chunk;
}

/* Columns [col0, col0 + cols) of `x` to the inboxes e->tmp lists, along
 * a binary tree of them in the order listed (the blocks' order, so mostly
 * neighbours): the input's core sends to the first, and each core that has
 * received them forwards them to the next two. The input's core sends one
 * message where it sent one per core, the cost of a broadcast spread over
 * the cores that need it (routers that replicate packets do this
 * themselves: fed_with). Like a reduction tree, the tree forwards its
 * words in chunks (tree_chunk), so that its levels overlap: a core takes a
 * message in at about three times the time it sends one, and whole, each
 * level of the 7B's windows' trees took their 896 words of q in (14 us)
 * before passing them on. */
static void relay(struct emitter *e, struct source x, uint32_t col0, uint32_t cols)
{
    uint32_t n = e->n_tmp;
    struct ax_prog_dest *at = ax_mem_alloc((size_t)n * sizeof *at);
    if (!at) {
        e->is_oom = 1;
        return;
    }
    memcpy(at, e->tmp, (size_t)n * sizeof *at);
    uint64_t s[HEAP_LEVELS + 1];
    uint32_t chunk = tree_chunk(e, cols, heap_levels(n, 2, s));
    for (uint32_t c0 = 0; c0 < cols && ok(e); c0 += chunk) {
        uint32_t len = cols - c0 < chunk ? cols - c0 : chunk;
        setlen(e, x.core, len);
        op(e, x.core, AX_ISA_PSUMSEND, 0, x.addr + col0 + c0,
           value_route(e, x.core, at[0].core, at[0].addr + c0), 0);
        receive(e, at[0].core, at[0].addr + c0, len, 1, 1);
        for (uint32_t j = 0; 2 * j + 1 < n && ok(e); j++) { /* parents before their children */
            struct ax_prog_dest kids[2];
            uint32_t n_kids = 2 * j + 2 < n ? 2 : 1;
            for (uint32_t k = 0; k < n_kids; k++)
                kids[k] =
                    (struct ax_prog_dest){at[2 * j + 1 + k].core, at[2 * j + 1 + k].addr + c0};
            setlen(e, at[j].core, len);
            op(e, at[j].core, AX_ISA_PSUMSEND, 0, at[j].addr + c0,
               route(e, at[j].core, AX_PROG_ROUTE_VALUES, kids, n_kids), 0);
            for (uint32_t k = 0; k < n_kids; k++)
                receive(e, kids[k].core, kids[k].addr, len, 1, 1);
        }
    }
    ax_mem_free(at);
}

/* The dense fan-out: per column range, the input's columns to the inbox of
 * the first block of that range on each other core. Sets each block's input
 * address in *in (indexed from the object's first block). */
static void dense_fanout(struct emitter *e, uint32_t oi, struct source x, uint32_t *in)
{
    const struct ax_map *m = e->m;
    const struct ax_map_object *o = &m->objects[oi];
    for (uint32_t bi = o->first_block; bi < o->first_block + o->n_blocks; bi++)
        in[bi - o->first_block] = NONE;
    for (uint32_t bi = o->first_block; bi < o->first_block + o->n_blocks && ok(e); bi++) {
        const struct ax_map_block *b = &m->blocks[bi];
        if (in[bi - o->first_block] != NONE)
            continue; /* its column range is done */
        e->n_tmp = 0;
        for (uint32_t bj = bi; bj < o->first_block + o->n_blocks; bj++) {
            const struct ax_map_block *c = &m->blocks[bj];
            if (c->col0 != b->col0)
                continue;
            uint32_t *at = &in[bj - o->first_block];
            if (c->core == x.core) { /* reads the value where it is */
                *at = x.addr + c->col0;
                continue;
            }
            for (uint32_t k = 0; k < e->n_tmp && *at == NONE; k++)
                if (e->tmp[k].core == c->core)
                    *at = e->tmp[k].addr;
            if (*at == NONE && GROW(e, e->tmp, e->n_tmp, e->cap_tmp) == 0) {
                *at = e->lay[bj].inbox;
                e->tmp[e->n_tmp++] = (struct ax_prog_dest){c->core, *at};
            }
        }
        if (is_relayed(e, o, e->n_tmp)) {
            relay(e, x, b->col0, b->cols);
        } else if (e->n_tmp) {
            uint32_t r = route(e, x.core, AX_PROG_ROUTE_VALUES, e->tmp, e->n_tmp);
            setlen(e, x.core, b->cols);
            op(e, x.core, AX_ISA_PSUMSEND, 0, x.addr + b->col0, r, 0);
            for (uint32_t k = 0; k < e->n_tmp; k++) /* before the blocks' vdot */
                receive(e, e->tmp[k].core, e->tmp[k].addr, b->cols, 1, 1);
        }
    }
}

/* A block's partial sums into its `acc` (len set): synaptic ops and the
 * scale of a spiking block, the dot product of a dense one reading `in`. */
static void block_sums(struct emitter *e, uint32_t bi, uint32_t in)
{
    const struct ax_map_block *b = &e->m->blocks[bi];
    const struct layout *l = &e->lay[bi];
    uint32_t c = b->core;
    if (b->is_dram)
        op(e, c, AX_ISA_DMA, 0, l->w, l->record, 0);
    setlen(e, c, b->rows);
    if (e->m->objects[b->object].is_spiking) {
        op(e, c, AX_ISA_ACCZERO, 0, l->acc, 0, 0);
        op(e, c, AX_ISA_SYNACC, 0, l->record, l->acc, 0);
        op(e, c, AX_ISA_SCALE, 0, l->acc, l->w + ((uint64_t)b->rows * b->cols + 3) / 4, l->acc);
    } else {
        op(e, c, AX_ISA_VDOT, 0, l->acc, l->w, in);
    }
}

/* Block `bi`'s step of its reduction tree (ax_map_reduce_parent), chunk by
 * chunk (tree_chunk of its tree's levels): its children's partial sums
 * added into its own (those on its core with `vadd`, in column order, then
 * the others' messages), then the sum sent on to its parent, or, from the
 * root, to the target. A block forwards a chunk as soon as it has it, so
 * the levels of a tree overlap. */
static void tree_step(struct emitter *e, uint32_t bi, struct target t)
{
    const struct ax_map_block *b = &e->m->blocks[bi];
    uint32_t c = b->core, acc = e->lay[bi].acc, first, count, remote = 0;
    uint32_t parent = ax_map_reduce_parent(e->m, bi);
    const struct ax_map_object *o = &e->m->objects[b->object];
    uint64_t s[HEAP_LEVELS + 1];
    uint32_t chunk =
        tree_chunk(e, b->rows, heap_levels(ax_map_range_blocks(e->m, o), o->reduce_fanin, s));
    ax_map_reduce_children(e->m, bi, &first, &count);
    for (uint32_t ch = first; ch < first + count; ch++)
        remote += e->m->blocks[ch].core != c;
    for (uint32_t r0 = 0; r0 < b->rows && ok(e); r0 += chunk) {
        uint32_t len = b->rows - r0 < chunk ? b->rows - r0 : chunk;
        setlen(e, c, len);
        for (uint32_t ch = first; ch < first + count; ch++)
            if (e->m->blocks[ch].core == c)
                op(e, c, AX_ISA_VADD, 0, acc + r0, acc + r0, e->lay[ch].acc + r0);
        if (remote)
            op(e, c, AX_ISA_PSUMRECV, 0, acc + r0, remote, 0);
        if (parent == NONE) { /* an argmax tree's holder keeps its sums (argmax_tree) */
            if (!e->m->objects[b->object].pair_words)
                deliver(e, c, acc + r0, b->row0 + r0, len, t);
        } else if (e->m->blocks[parent].core != c)
            op(e, c, AX_ISA_PSUMSEND, 0, acc + r0,
               value_route(e, c, e->m->blocks[parent].core, e->lay[parent].acc + r0), 0);
    }
}

/* Every tree step of object `o` (tree_step), the deepest level first
 * across all its row ranges, so that a core's leaves never wait behind
 * another tree's root. The n blocks of a row range are a heap of fan-in f
 * in block order (ax_map_reduce_parent, heap_levels). */
static void reduce_trees(struct emitter *e, const struct ax_map_object *o, struct target t)
{
    const struct ax_map_block *b = e->m->blocks;
    uint32_t first = o->first_block, end = first + o->n_blocks, n = 1;
    while (first + n < end && b[first + n].row0 == b[first].row0)
        n++;
    uint64_t s[HEAP_LEVELS + 1];
    for (uint32_t level = heap_levels(n, o->reduce_fanin, s); level-- > 0 && ok(e);)
        for (uint32_t r0 = first; r0 < end && ok(e); r0 += n)
            for (uint64_t j = s[level]; j < s[level + 1] && j < n && ok(e); j++)
                tree_step(e, r0 + (uint32_t)j, t);
}

/* Holder h of an argmax tree over object `o`: the block that ends with
 * the sums of row range h (the root of its reduction tree, or its one
 * block). */
static uint32_t holder_block(const struct ax_map *m, const struct ax_map_object *o, uint32_t h)
{
    return o->first_block + h * ax_map_range_blocks(m, o);
}

/* Holder h's step of the argmax tree (lm_head under --logits argmax): the
 * pair of its rows after them (argmax), its children's pairs beside it
 * (copied when on its core, else received), the largest of them
 * (argmerge), sent to its parent's slot for it or, from the root, to the
 * value. The holders are a heap of fan-in AX_MAP_PAIR_FANIN in row order. */
static void argmax_step(struct emitter *e, const struct ax_map_object *o, uint32_t h, uint32_t n,
                        struct target t)
{
    const struct ax_map *m = e->m;
    uint32_t bi = holder_block(m, o, h), c = m->blocks[bi].core;
    uint32_t pair = e->lay[bi].acc + m->blocks[bi].rows, kids = 0;
    setlen(e, c, m->blocks[bi].rows);
    op(e, c, AX_ISA_ARGMAX, 0, e->lay[bi].acc, m->blocks[bi].row0, 0);
    for (uint64_t k = 1; k <= AX_MAP_PAIR_FANIN && (uint64_t)AX_MAP_PAIR_FANIN * h + k < n && ok(e);
         k++, kids++) {
        uint32_t cb = holder_block(m, o, (uint32_t)(AX_MAP_PAIR_FANIN * h + k));
        setlen(e, c, 2);
        if (m->blocks[cb].core == c)
            op(e, c, AX_ISA_VCOPY, 0, pair + 2 * (uint32_t)k, e->lay[cb].acc + m->blocks[cb].rows,
               0);
        else
            receive(e, c, pair + 2 * (uint32_t)k, 2, 1, 1);
    }
    setlen(e, c, 2);
    if (kids)
        op(e, c, AX_ISA_ARGMERGE, 0, pair, 1 + kids, 0);
    if (h == 0) {
        deliver(e, c, pair, 0, 2, t);
        return;
    }
    uint32_t ph = (h - 1) / AX_MAP_PAIR_FANIN, pb = holder_block(m, o, ph);
    uint32_t pc = m->blocks[pb].core, slot = h - AX_MAP_PAIR_FANIN * ph;
    if (pc != c)
        op(e, c, AX_ISA_PSUMSEND, 0, pair,
           value_route(e, c, pc, e->lay[pb].acc + m->blocks[pb].rows + 2 * slot), 0);
}

/* The argmax tree over object `o`'s row ranges, the deepest level first
 * (heap_levels). */
static void argmax_tree(struct emitter *e, const struct ax_map_object *o, struct target t)
{
    uint32_t n = o->n_blocks / ax_map_range_blocks(e->m, o);
    uint64_t s[HEAP_LEVELS + 1];
    for (uint32_t level = heap_levels(n, AX_MAP_PAIR_FANIN, s); level-- > 0 && ok(e);)
        for (uint64_t h = s[level]; h < s[level + 1] && h < n && ok(e); h++)
            argmax_step(e, o, (uint32_t)h, n, t);
}

/* Where rows [from, from + n) of value object `value` lie on `core`, when
 * one shard there holds them all; else NONE. */
static uint32_t rows_on(const struct emitter *e, uint32_t value, uint32_t from, uint32_t n,
                        uint32_t core)
{
    uint32_t sb = shard_of(e, value, from);
    if (sb == NONE || e->m->blocks[sb].core != core ||
        from + n > e->m->blocks[sb].row0 + e->m->blocks[sb].rows)
        return NONE;
    return e->lay[sb].value + (from - e->m->blocks[sb].row0);
}

/* Rows [from, from + n) of value object `value`, cut into shards, into
 * `dst` on `core`: each shard's part copied there when the shard lives on
 * that core, else sent from its core and received. */
static void gather_rows(struct emitter *e, uint32_t value, uint32_t from, uint32_t n, uint32_t core,
                        uint32_t dst)
{
    const struct ax_map_object *v = &e->m->objects[value];
    for (uint32_t sb = v->first_block; sb < v->first_block + v->n_blocks && ok(e); sb++) {
        const struct ax_map_block *s = &e->m->blocks[sb];
        uint32_t lo = from > s->row0 ? from : s->row0;
        uint32_t hi = from + n < s->row0 + s->rows ? from + n : s->row0 + s->rows;
        if (lo >= hi)
            continue;
        uint32_t at = e->lay[sb].value + (lo - s->row0), to = dst + (lo - from);
        setlen(e, s->core, hi - lo);
        if (s->core == core) {
            op(e, s->core, AX_ISA_VCOPY, 0, to, at, 0);
            continue;
        }
        op(e, s->core, AX_ISA_PSUMSEND, 0, at, value_route(e, s->core, core, to), 0);
        receive(e, core, to, hi - lo, 1, 1);
    }
}

/* The dense fan-out of object `oi` from the shards of value object
 * `value` (a sharded SwiGLU's): each core holding blocks of a column range
 * gets, in that range's inbox, each shard's part of those columns, sent
 * from the shard's core (copied on its own); a block whose columns lie in
 * a shard on its own core reads them there. Sets each block's input
 * address in *in. */
static void sharded_fanout(struct emitter *e, uint32_t oi, uint32_t value, uint32_t *in)
{
    const struct ax_map *m = e->m;
    const struct ax_map_object *o = &m->objects[oi];
    for (uint32_t bi = o->first_block; bi < o->first_block + o->n_blocks; bi++)
        in[bi - o->first_block] = NONE;
    for (uint32_t bi = o->first_block; bi < o->first_block + o->n_blocks && ok(e); bi++) {
        const struct ax_map_block *b = &m->blocks[bi];
        uint32_t *at = &in[bi - o->first_block];
        for (uint32_t bj = o->first_block; bj < bi && *at == NONE; bj++) /* its core has them */
            if (m->blocks[bj].core == b->core && m->blocks[bj].col0 == b->col0)
                *at = in[bj - o->first_block];
        if (*at == NONE) /* read in place */
            *at = rows_on(e, value, b->col0, b->cols, b->core);
        if (*at != NONE)
            continue;
        *at = e->lay[bi].inbox;
        gather_rows(e, value, b->col0, b->cols, b->core, *at);
    }
}

/* One weight object as a projection of `x` into target `t` (zeroed by the
 * caller): the fan-out, each block's partial sums, their reduction, the
 * receives. Flat, each block sends its sums to the target right after
 * computing them. Along trees, every block computes first; then the trees
 * add up (reduce_trees). */
static void projection(struct emitter *e, uint32_t oi, struct source x, struct target t)
{
    const struct ax_map *m = e->m;
    const struct ax_map_object *o = &m->objects[oi];
    uint32_t *in = NULL;
    if (o->is_spiking) {
        uint32_t xo = x.sharded != NONE ? x.sharded
                      : x.shard != NONE ? e->m->blocks[x.shard].object
                                        : NONE;
        if (xo == NONE || !e->m->objects[xo].needs.has_counts ||
            (x.sharded != NONE && !e->m->objects[xo].is_stream)) {
            fail(e, AX_ERR_INTERNAL);
            return;
        }
        if (x.sharded != NONE)
            encode_stream(e, x.sharded);
        else
            encode_once(e, x, o->cols);
        if (!e->is_fed[oi])
            spike_fanout(e, oi, x);
    } else {
        in = ax_mem_alloc((size_t)o->n_blocks * sizeof *in);
        if (!in) {
            e->is_oom = 1;
            return;
        }
        if (x.sharded != NONE)
            sharded_fanout(e, oi, x.sharded, in);
        else
            dense_fanout(e, oi, x, in);
    }
    for (uint32_t bi = o->first_block; bi < o->first_block + o->n_blocks && ok(e); bi++) {
        block_sums(e, bi, in ? in[bi - o->first_block] : 0);
        if (!o->reduce_fanin && !o->pair_words)
            deliver(e, m->blocks[bi].core, e->lay[bi].acc, m->blocks[bi].row0, m->blocks[bi].rows, t);
    }
    if (o->reduce_fanin)
        reduce_trees(e, o, t);
    if (o->pair_words)
        argmax_tree(e, o, t);
    ax_mem_free(in);
    pay(e);
}

/* The source of node `id`'s value read whole by `reader`. */
static struct source value_source(struct emitter *e, uint32_t id, uint32_t reader)
{
    uint32_t b = whole_value(e, id, reader);
    if (b == NONE)
        return (struct source){0, 0, NONE, NONE};
    return (struct source){e->m->blocks[b].core, e->lay[b].value, b, NONE};
}

/* ---- nodes ------------------------------------------------------------------------------ */

/* The node's value as a target, zeroed: its partial sums add into it. */
static struct target own_value(struct emitter *e, uint32_t id)
{
    struct target t = {e->m->node_value[id], 0};
    zero_value(e, t.value);
    return t;
}

/* The weight objects of node `id`: [*first, *end). */
static void node_weights(const struct emitter *e, uint32_t id, uint32_t *first, uint32_t *end)
{
    const struct ax_map *m = e->m;
    uint32_t v = m->node_value[id];
    *first = *end = 0;
    if (v == NONE || m->objects[v].node != id)
        return;
    uint32_t i = v;
    while (i > 0 && m->objects[i - 1].node == id && m->objects[i - 1].kind == AX_MAP_WEIGHTS)
        i--;
    *first = i;
    *end = v;
}

/* The embedding: each block core looks its block up towards the value
 * core at the block's column offset; one message arrives per column range. */
static void emit_embedding(struct emitter *e, uint32_t id)
{
    uint32_t first, end;
    node_weights(e, id, &first, &end);
    struct target t = own_value(e, id);
    for (uint32_t oi = first; oi < end; oi++) {
        const struct ax_map_object *o = &e->m->objects[oi];
        for (uint32_t bi = o->first_block; bi < o->first_block + o->n_blocks && ok(e); bi++) {
            const struct ax_map_block *b = &e->m->blocks[bi];
            struct ax_prog_dest d = target_at(e, t, b->col0);
            if (b->is_dram)
                op(e, b->core, AX_ISA_DMA, 0, e->lay[bi].w, e->lay[bi].record, 0);
            op(e, b->core, AX_ISA_LOOKUP, 0, e->lay[bi].record, value_route(e, b->core, d.core, d.addr), 0);
            int seen = 0;
            for (uint32_t i = 0; i < e->n_pend; i++)
                seen |= e->pend[i].core == d.core && e->pend[i].addr == d.addr;
            if (!seen)
                owe(e, d.core, d.addr, b->cols);
        }
    }
    pay(e);
}

/* A linear layer, the LM head or the router: the projection of its input,
 * then the bias (linear) or the router's softmax. It may read a value cut
 * into shards: a dense one a SwiGLU's (mark_shards), any the residual
 * stream's (mark_stream). */
static void emit_linear(struct emitter *e, uint32_t id)
{
    const struct ax_ir_node *n = &e->g->nodes[id];
    uint32_t first, end;
    node_weights(e, id, &first, &end);
    if (first == end)
        return;
    uint32_t xv = e->m->node_value[n->inputs[0]];
    /* shard by shard: a SwiGLU's (dense readers only) or the residual stream's */
    int is_sharded = xv != NONE && e->m->objects[xv].n_blocks > 1 &&
                     (e->m->objects[xv].is_stream ||
                      (e->m->objects[xv].shard_lead != NONE && !e->m->objects[first].is_spiking));
    struct source x = is_sharded ? (struct source){0, 0, NONE, xv} : value_source(e, n->inputs[0], id);
    if (!ok(e))
        return;
    struct target t = own_value(e, id);
    projection(e, first, x, t);
    const struct ax_map_object *v = &e->m->objects[t.value];
    for (uint32_t b = v->first_block; b < v->first_block + v->n_blocks && ok(e); b++) {
        uint32_t c = e->m->blocks[b].core;
        const struct layout *l = &e->lay[b];
        setlen(e, c, e->m->blocks[b].rows);
        if (v->needs.has_param)
            op(e, c, AX_ISA_VADD, 0, l->value, l->value, l->param);
        if (n->op == AX_IR_MOE_ROUTER) {
            op(e, c, AX_ISA_VMAX, 0, l->scalar, l->value, 0);
            op(e, c, AX_ISA_VEXP, 0, l->value, l->value, 0);
            op(e, c, AX_ISA_VSUM, 0, l->scalar, l->value, 0);
        }
    }
}

/* Operand `i` of node `id` on core `core`: where it is when it lives there,
 * else received into `dst` (sent by the core it lives on, or by each shard
 * of a stream value cut into shards). */
static uint32_t fetch(struct emitter *e, uint32_t id, uint32_t i, uint32_t core, uint32_t dst)
{
    uint32_t src = e->g->nodes[id].inputs[i], v = e->m->node_value[src];
    if (v != NONE && e->m->objects[v].is_stream && e->m->objects[v].n_blocks > 1) {
        gather_rows(e, v, 0, e->g->nodes[src].out_dim, core, dst); /* a norm left whole */
        return dst;
    }
    struct source x = value_source(e, src, id);
    if (!ok(e))
        return 0;
    if (x.core == core)
        return x.addr;
    uint32_t len = e->g->nodes[src].out_dim;
    setlen(e, x.core, len);
    op(e, x.core, AX_ISA_PSUMSEND, 0, x.addr, value_route(e, x.core, core, dst), 0);
    receive(e, core, dst, len, 1, 1);
    return dst;
}

/* Rows [row0, row0 + rows) of operand `i` of node `id`, wanted on `core`:
 * where they are when the shard of the operand's value holding them lives
 * there, else sent into `dst` there. */
static uint32_t fetch_rows(struct emitter *e, uint32_t id, uint32_t i, uint32_t row0, uint32_t rows,
                           uint32_t core, uint32_t dst)
{
    uint32_t v = e->m->node_value[e->g->nodes[id].inputs[i]];
    uint32_t sb = v == NONE ? NONE : shard_of(e, v, row0);
    if (sb == NONE || row0 + rows > e->m->blocks[sb].row0 + e->m->blocks[sb].rows) {
        fail(e, AX_ERR_INTERNAL); /* shards of a SwiGLU group align (mark_shards) */
        return 0;
    }
    uint32_t c = e->m->blocks[sb].core, at = e->lay[sb].value + (row0 - e->m->blocks[sb].row0);
    if (c == core)
        return at;
    setlen(e, c, rows);
    op(e, c, AX_ISA_PSUMSEND, 0, at, value_route(e, c, core, dst), 0);
    receive(e, core, dst, rows, 1, 1);
    return dst;
}

/* A SwiGLU whose value is cut into shards (mark_shards), or an add of the
 * residual stream cut into shards (mark_stream): per shard, its rows of
 * both operands (on its core, unless the placement moved them) and
 * SiLU(gate) x up, or their sum, there. */
static void emit_sharded_pair(struct emitter *e, uint32_t id)
{
    const struct ax_map_object *v = &e->m->objects[e->m->node_value[id]];
    int is_glu = e->g->nodes[id].op == AX_IR_SWIGLU;
    for (uint32_t sb = v->first_block; sb < v->first_block + v->n_blocks && ok(e); sb++) {
        const struct ax_map_block *b = &e->m->blocks[sb];
        const struct layout *l = &e->lay[sb];
        uint32_t a = fetch_rows(e, id, 0, b->row0, b->rows, b->core, l->value);
        uint32_t u = fetch_rows(e, id, 1, b->row0, b->rows, b->core, l->in1);
        setlen(e, b->core, b->rows);
        op(e, b->core, is_glu ? AX_ISA_VMUL : AX_ISA_VADD, is_glu ? AX_ISA_VMUL_SILU : 0, l->value,
           a, u);
    }
}

/* An RMSNorm of the residual stream cut into shards (mark_stream): each
 * shard takes its operand's rows, the sum of their squares runs along the
 * shards (stream_total), and each shard scales its rows by the whole
 * vector's 1 / rms and multiplies its weights in: `rmsnorm`'s values, bit
 * for bit. */
static void emit_stream_norm(struct emitter *e, uint32_t id)
{
    const struct ax_map_object *v = &e->m->objects[e->m->node_value[id]];
    uint32_t *src = ax_mem_alloc((size_t)v->n_blocks * sizeof *src);
    if (!src) {
        e->is_oom = 1;
        return;
    }
    for (uint32_t sb = v->first_block; sb < v->first_block + v->n_blocks && ok(e); sb++) {
        const struct ax_map_block *b = &e->m->blocks[sb];
        src[sb - v->first_block] =
            fetch_rows(e, id, 0, b->row0, b->rows, b->core, e->lay[sb].value);
    }
    stream_total(e, v, src, 1);
    for (uint32_t sb = v->first_block; sb < v->first_block + v->n_blocks && ok(e); sb++) {
        const struct layout *l = &e->lay[sb];
        uint32_t c = e->m->blocks[sb].core;
        setlen(e, c, e->m->blocks[sb].rows);
        op(e, c, AX_ISA_RMSSCALE, (uint8_t)e->scalar_const[id], l->value, src[sb - v->first_block],
           stream_total_at(e, sb));
        op(e, c, AX_ISA_VMUL, 0, l->value, l->value, l->param);
    }
    ax_mem_free(src);
}

/* RMSNorm, RoPE, SwiGLU, add and merge on the node's value core. */
static void emit_dense(struct emitter *e, uint32_t id)
{
    const struct ax_ir_node *n = &e->g->nodes[id];
    uint32_t v = e->m->node_value[id];
    if ((n->op == AX_IR_SWIGLU || n->op == AX_IR_ADD) && v != NONE &&
        e->m->objects[v].n_blocks > 1) {
        emit_sharded_pair(e, id);
        return;
    }
    if (n->op == AX_IR_RMSNORM && v != NONE && e->m->objects[v].n_blocks > 1) {
        emit_stream_norm(e, id);
        return;
    }
    uint32_t vb = whole_value(e, id, id);
    if (vb == NONE)
        return;
    uint32_t c = e->m->blocks[vb].core;
    const struct layout *l = &e->lay[vb];
    uint32_t a = fetch(e, id, 0, c, l->value);
    uint32_t b = n->n_inputs > 1 ? fetch(e, id, 1, c, l->in1) : 0;
    if (!ok(e))
        return;
    switch (n->op) {
    case AX_IR_RMSNORM: {
        uint32_t group = n->group ? n->group : n->out_dim;
        setlen(e, c, group);
        for (uint32_t k = 0; k + group <= n->out_dim; k += group)
            op(e, c, AX_ISA_RMSNORM, (uint8_t)e->scalar_const[id], l->value + k, a + k, l->param + k);
        break;
    }
    case AX_IR_ROPE:
        setlen(e, c, n->out_dim);
        op(e, c, AX_ISA_ROPE, (uint8_t)e->scalar_const[id], l->value, a, l->table);
        break;
    case AX_IR_SWIGLU:
        setlen(e, c, n->out_dim);
        /* SiLU(gate) x up rounded once, as the model forms it */
        op(e, c, AX_ISA_VMUL, AX_ISA_VMUL_SILU, l->value, a, b);
        break;
    case AX_IR_ADD:
    case AX_IR_MERGE:
        setlen(e, c, n->out_dim);
        op(e, c, AX_ISA_VADD, 0, l->value, a, b);
        break;
    default:
        break;
    }
}

/* The inbox of a state block for attention operand `i` (q, k, v, g). */
static uint32_t *state_inbox(struct layout *l, uint32_t i)
{
    switch (i) {
    case 0:  return &l->q;
    case 1:  return &l->k;
    case 2:  return &l->v;
    default: return &l->g;
    }
}

/* Sends operand `i` of GLA node `id` to every state block of `so`: each
 * block's heads (ax_map_gla_heads; q), or, for a group of g > 1 query heads
 * per kv head (ax_map_gla_group), one d-vector per head of the block, that of its kv head (the
 * sender repeats kv heads, as docs/isa.md's GLA ops take them), into its
 * inbox, from the operand's value or from each of its shards that holds
 * part of them (gather_rows); a state block on the core of the value or
 * shard that holds them copies them (repeated) or reads them in place
 * (slice 1: the block's q then names the value). */
static void to_state(struct emitter *e, uint32_t id, uint32_t i, uint32_t so)
{
    const struct ax_map *m = e->m;
    const struct ax_map_object *s = &m->objects[so];
    const struct ax_ir_node *n = &e->g->nodes[id];
    uint32_t src = n->inputs[i], d = n->head_dim, group = ax_map_gla_group(n, i);
    uint32_t xv = m->node_value[src];
    if (xv == NONE) {
        whole_value(e, src, id); /* says it is not on chip */
        return;
    }
    for (uint32_t bi = s->first_block; bi < s->first_block + s->n_blocks && ok(e); bi++) {
        uint32_t head0, heads, core = m->blocks[bi].core;
        ax_map_gla_heads(m, bi, &head0, &heads);
        uint32_t *inbox = state_inbox(&e->lay[bi], i), at;
        if (group > 1) { /* one d-vector per head of the block: kv head (head0 + h) / group */
            for (uint32_t h = 0; h < heads && ok(e); h++)
                gather_rows(e, xv, (head0 + h) / group * d, d, core, *inbox + h * d);
        } else if ((at = rows_on(e, xv, head0 * d, heads * d, core)) != NONE) {
            *inbox = at; /* read in place */
        } else {
            gather_rows(e, xv, head0 * d, heads * d, core, *inbox);
        }
    }
}

/* `words` words of operand `i` of node `id`, from word `from` of its value,
 * into `dst` on `core`: copied there when the value lives on that core,
 * else sent and received. */
static void send_part(struct emitter *e, uint32_t id, uint32_t i, uint32_t from, uint32_t words,
                      uint32_t core, uint32_t dst)
{
    struct source x = value_source(e, e->g->nodes[id].inputs[i], id);
    if (!ok(e))
        return;
    setlen(e, x.core, words);
    if (x.core == core) {
        op(e, core, AX_ISA_VCOPY, 0, dst, x.addr + from, 0);
        return;
    }
    op(e, x.core, AX_ISA_PSUMSEND, 0, x.addr + from, value_route(e, x.core, core, dst), 0);
    receive(e, core, dst, words, 1, 1);
}

/* The blocks of the window block `bi` holds part of (a window cut over
 * several blocks): from *first, *n of them (a heap of fan-in
 * AX_MAP_RING_FANIN in block order). Every window is cut alike, into
 * blocks of the first block's rows (mapping/map.c, partition). */
static void window_blocks(const struct ax_map *m, const struct ax_map_object *s, uint32_t bi,
                          uint32_t *first, uint32_t *n)
{
    uint32_t rows = m->blocks[s->first_block].rows;
    *n = (s->kv_window + rows - 1) / rows;
    *first = s->first_block + m->blocks[bi].row0 / s->kv_window * *n;
}

/* How many children place j of a window's n blocks has in its tree. */
static uint32_t window_kids(uint32_t j, uint32_t n)
{
    uint64_t first = (uint64_t)AX_MAP_RING_FANIN * j + 1;
    return first >= n ? 0 : (uint32_t)(n - first < AX_MAP_RING_FANIN ? n - first : AX_MAP_RING_FANIN);
}

/* Where head h of window block `bi`'s partial attention lies on its core:
 * a block that folded its children's (window_kids) keeps each head's
 * outputs, max and sum together (`kvfold` of that head alone), *n = 1
 * piece of rec = d + 2 words; a leaf keeps `kvpart`'s layout, the heads'
 * outputs first and their (max, sum) after them, *n = 2 pieces (d words,
 * then 2). at[i], len[i]: the pieces. */
static void head_part(const struct emitter *e, const struct ax_map_object *s, uint32_t bi,
                      uint32_t group, uint32_t h, uint32_t at[2], uint32_t len[2], uint32_t *n)
{
    uint32_t first, nb, d = s->kv_part_words / group - 2, out = e->lay[bi].out;
    window_blocks(e->m, s, bi, &first, &nb);
    if (window_kids(bi - first, nb)) {
        *n = 1;
        at[0] = out + h * (d + 2);
        len[0] = d + 2;
    } else {
        *n = 2;
        at[0] = out + h * d;
        len[0] = d;
        at[1] = out + group * d + 2 * h;
        len[1] = 2;
    }
}

/* Block `bi`'s step of its window's tree, head by head: each head's
 * partial attention of its children beside its own (copied when on its
 * core, else received) in the head's region of its `parts` inbox (slot 0
 * its own, slot k its child k's), folded (`kvfold` of one head) and sent on
 * to its parent's region for the head or, from the root, to the value
 * core's inbox for its kv head, where `kvmerge` normalizes each head. Head
 * by head, a parent folds and forwards a head once its children's have
 * come, while the next ones are on their way: whole, each level of the
 * 7B's windows took two 910-word parts in (29 us) before folding, about
 * 206 us for a window's five levels. */
static void window_step(struct emitter *e, const struct ax_map_object *s, uint32_t bi, uint32_t vb,
                        uint32_t group)
{
    const struct ax_map *m = e->m;
    const struct layout *l = &e->lay[bi];
    uint32_t c = m->blocks[bi].core, d = s->kv_part_words / group - 2, rec = d + 2, first, n;
    window_blocks(m, s, bi, &first, &n);
    uint32_t j = bi - first, kids = window_kids(j, n), region = (1 + AX_MAP_RING_FANIN) * rec;
    uint32_t to, base; /* where head h goes: base + h x step */
    uint32_t step = j == 0 ? rec : region;
    if (j == 0) {
        to = m->blocks[vb].core;
        base = e->lay[vb].extra + m->blocks[bi].row0 / s->kv_window * s->kv_part_words;
    } else {
        uint32_t parent = first + (j - 1) / AX_MAP_RING_FANIN;
        to = m->blocks[parent].core;
        base = e->lay[parent].parts + ((j - 1) % AX_MAP_RING_FANIN + 1) * rec;
    }
    uint32_t at[2], len[2], pieces;
    for (uint32_t h = 0; h < group && kids && ok(e); h++) {
        /* its own, as kvpart wrote it, into slot 0 before any head is folded */
        setlen(e, c, d);
        op(e, c, AX_ISA_VCOPY, 0, l->parts + h * region, l->out + h * d, 0);
        setlen(e, c, 2);
        op(e, c, AX_ISA_VCOPY, 0, l->parts + h * region + d, l->out + group * d + 2 * h, 0);
    }
    for (uint32_t h = 0; h < group && ok(e); h++) {
        for (uint32_t k = 1; k <= kids && ok(e); k++) {
            uint32_t ch = first + AX_MAP_RING_FANIN * j + k, slot = l->parts + h * region + k * rec;
            head_part(e, s, ch, group, h, at, len, &pieces);
            for (uint32_t i = 0, off = 0; i < pieces; off += len[i], i++) {
                setlen(e, c, len[i]);
                if (m->blocks[ch].core == c)
                    op(e, c, AX_ISA_VCOPY, 0, slot + off, at[i], 0);
                else
                    receive(e, c, slot + off, len[i], 1, 1);
            }
        }
        if (kids) {
            setlen(e, c, d);
            op(e, c, AX_ISA_KVFOLD, 1, l->out + h * rec, l->parts + h * region, 1 + kids);
        }
        if (to == c && j > 0)
            continue; /* a parent on this core copies its child's part itself */
        head_part(e, s, bi, group, h, at, len, &pieces);
        for (uint32_t i = 0, off = 0; i < pieces; off += len[i], i++) {
            setlen(e, c, len[i]);
            if (to == c) {
                op(e, c, AX_ISA_VCOPY, 0, base + h * step + off, at[i], 0);
                continue;
            }
            op(e, c, AX_ISA_PSUMSEND, 0, at[i], value_route(e, c, to, base + h * step + off), 0);
            if (j == 0)
                receive(e, to, base + h * step + off, len[i], 1, 1);
        }
    }
}

/* Whether the blocks of the window block `bi` holds part of take their q,
 * k and v along relay trees (relay_windows): relays on, and three or more
 * blocks, each of which needs the same head's q, k and v. */
static int is_window_relayed(const struct emitter *e, const struct ax_map_object *s, uint32_t bi)
{
    uint32_t first, n;
    if (!e->is_relayed || e->m->blocks[bi].rows >= s->kv_window)
        return 0;
    window_blocks(e->m, s, bi, &first, &n);
    return n >= 3;
}

/* The q, k and v of each relayed window (is_window_relayed) to its
 * blocks' inboxes along a binary relay tree (relay) each: the 7B's 32
 * blocks of a window all need the same 896 words of q, which their source
 * would otherwise send 32 times. */
static void relay_windows(struct emitter *e, uint32_t id, const struct ax_map_object *s)
{
    const struct ax_ir_node *n = &e->g->nodes[id];
    uint32_t d = n->head_dim, group = n->heads / n->kv_heads;
    for (uint32_t bi = s->first_block; bi < s->first_block + s->n_blocks && ok(e);) {
        uint32_t first, nb;
        window_blocks(e->m, s, bi, &first, &nb);
        if (!is_window_relayed(e, s, bi)) {
            bi++;
            continue;
        }
        uint32_t h = e->m->blocks[bi].row0 / s->kv_window;
        for (uint32_t i = 0; i < 3 && ok(e); i++) {
            struct source x = value_source(e, n->inputs[i], id);
            e->n_tmp = 0;
            for (uint32_t k = first; k < first + nb && GROW(e, e->tmp, e->n_tmp, e->cap_tmp) == 0; k++)
                e->tmp[e->n_tmp++] = (struct ax_prog_dest){
                    e->m->blocks[k].core, i == 0 ? e->lay[k].q : i == 1 ? e->lay[k].k : e->lay[k].v};
            if (ok(e))
                relay(e, x, i == 0 ? h * group * d : h * d, i == 0 ? group * d : d);
        }
        bi = first + nb;
    }
}

/* Sliding-window (or full) attention on its ring's blocks (docs/isa.md,
 * "K/V ring"). Each block gets the q of its kv heads' query heads and
 * this token's k and v of its kv heads, pushes them (`kvpush`), spikes the
 * query per head when the node spikes it, and attends. A block holding
 * whole heads (`kvattn`) sends their outputs to the value; blocks holding
 * ranges of one head's window (`kvpart`) combine their partial attentions
 * along a tree of fan-in AX_MAP_RING_FANIN (window_step), the deepest
 * level first across all heads, and the root's reaches the value core,
 * where `kvmerge` of that one part normalizes it. */
static void emit_ring(struct emitter *e, uint32_t id, const struct ax_map_object *s, struct target t)
{
    const struct ax_ir_node *n = &e->g->nodes[id];
    const struct ax_map *m = e->m;
    uint32_t d = n->head_dim, group = n->heads / n->kv_heads, w = s->kv_window;
    uint32_t wc = e->scalar_const[id], vb = whole_value(e, id, id);
    int is_spiked = n->spike == AX_IR_SPIKE_SPIKE;
    if (vb == NONE)
        return;
    relay_windows(e, id, s);
    for (uint32_t bi = s->first_block; bi < s->first_block + s->n_blocks && ok(e); bi++) {
        const struct ax_map_block *b = &m->blocks[bi];
        const struct layout *l = &e->lay[bi];
        uint32_t c = b->core, h0 = b->row0 / w, nh = ring_heads(s, b), nq = nh * group;
        int is_part = b->rows < w;
        if (!is_window_relayed(e, s, bi)) {
            send_part(e, id, 0, h0 * group * d, nq * d, c, l->q);
            send_part(e, id, 1, h0 * d, nh * d, c, l->k);
            send_part(e, id, 2, h0 * d, nh * d, c, l->v);
        }
        setlen(e, c, nh * d);
        op(e, c, AX_ISA_KVPUSH, (uint8_t)wc, l->state, l->k, l->v);
        uint32_t q = l->q;
        if (is_spiked) {
            /* the query spikes per head (the released code's SWA query):
             * each head's threshold (in the k inbox, free after kvpush)
             * and counts, then attention over s x V_th */
            setlen(e, c, d);
            for (uint32_t h = 0; h < nq; h++) {
                op(e, c, AX_ISA_THRESH, (uint8_t)e->k_const, l->q + h * d, l->k, 0);
                op(e, c, AX_ISA_ENCODE, AX_ISA_ENC_FLAGS(e->spike->encoding, e->spike->steps),
                   l->q + h * d, l->k, l->g + h * d);
            }
            q = l->g;
        }
        setlen(e, c, nq * d);
        if (!is_part) {
            op(e, c, AX_ISA_KVATTN, AX_ISA_KVATTN_FLAGS(is_spiked, wc), l->out, q, l->state);
            deliver(e, c, l->out, h0 * group * d, nq * d, t);
            continue;
        }
        op(e, c, AX_ISA_KVPART, AX_ISA_KVATTN_FLAGS(is_spiked, wc), l->out, q, l->state);
    }
    pay(e);
    /* the trees of the windows cut over blocks (every window alike), the
     * deepest level first (heap_levels) */
    uint32_t first, nb = 0;
    if (m->blocks[s->first_block].rows < w)
        window_blocks(m, s, s->first_block, &first, &nb);
    uint64_t lv[HEAP_LEVELS + 1];
    for (uint32_t level = heap_levels(nb, AX_MAP_RING_FANIN, lv); level-- > 0 && ok(e);)
        for (uint32_t bi = s->first_block; bi < s->first_block + s->n_blocks && ok(e); bi++) {
            window_blocks(m, s, bi, &first, &nb);
            if (bi - first >= lv[level] && bi - first < lv[level + 1])
                window_step(e, s, bi, vb, group);
        }
    /* each kv head's root part, normalized into the value head by head
     * (window_step lays each head's outputs, max and sum together) */
    uint32_t vcore = m->blocks[vb].core;
    for (uint32_t bi = s->first_block; bi < s->first_block + s->n_blocks && ok(e); bi++) {
        const struct ax_map_block *b = &m->blocks[bi];
        uint32_t h = b->row0 / w;
        if (b->rows >= w || b->row0 % w != 0)
            continue; /* whole heads, or not a window's first block */
        setlen(e, vcore, d);
        for (uint32_t i = 0; i < group; i++)
            op(e, vcore, AX_ISA_KVMERGE, 1, e->lay[vb].value + (h * group + i) * d,
               e->lay[vb].extra + h * s->kv_part_words + i * (d + 2), 1);
    }
}

/* GLA and SWA on their state cores: operands in, the state op on each
 * block, outputs to the value core. */
static void emit_attention(struct emitter *e, uint32_t id)
{
    const struct ax_ir_node *n = &e->g->nodes[id];
    const struct ax_map *m = e->m;
    uint32_t v = m->node_value[id], so = v != NONE && v > 0 ? v - 1 : NONE;
    if (so == NONE || m->objects[so].kind != AX_MAP_STATE || m->objects[so].node != id) {
        fail(e, AX_ERR_INTERNAL);
        return;
    }
    if (whole_value(e, id, id) == NONE)
        return;
    struct target t = own_value(e, id);
    const struct ax_map_object *s = &m->objects[so];
    if (n->op != AX_IR_GLA) {
        emit_ring(e, id, s, t);
        return;
    }
    for (uint32_t i = 0; i < n->n_inputs; i++)
        to_state(e, id, i, so);
    uint32_t d = n->head_dim;
    for (uint32_t bi = s->first_block; bi < s->first_block + s->n_blocks && ok(e); bi++) {
        const struct ax_map_block *b = &m->blocks[bi];
        const struct layout *l = &e->lay[bi];
        /* heads row0 .. of d columns each, or columns row0 % d .. of head row0 / d */
        uint32_t c = b->core, len = s->gla_cols ? d : b->rows * d;
        uint32_t at = s->gla_cols ? b->row0 : b->row0 * d, out = s->gla_cols ? b->rows : len;
        setlen(e, c, len);
        op(e, c, AX_ISA_GLADECAY, (uint8_t)e->scalar_const[id], l->state,
           l->g != NONE ? l->g : l->k, 0);
        op(e, c, AX_ISA_GLAUPD, 0, l->state, l->k, l->v);
        op(e, c, AX_ISA_GLAREAD, 0, l->out, l->q, l->state);
        setlen(e, c, out);
        deliver(e, c, l->out, at, out, t);
    }
    pay(e);
}

/* The routed experts: per expert, gate and up into the value core's
 * hidden vectors, SiLU(gate) x up there, down into the value. The router's
 * weights arrive into an inbox; every expert runs (the top-k selection is
 * not expressed yet). */
static void emit_experts(struct emitter *e, uint32_t id)
{
    const struct ax_ir_node *n = &e->g->nodes[id];
    uint32_t first, end;
    node_weights(e, id, &first, &end);
    uint32_t vb = whole_value(e, id, id);
    struct source x = value_source(e, n->inputs[0], id);
    if (!ok(e) || vb == NONE)
        return;
    uint32_t c = e->m->blocks[vb].core;
    const struct layout *l = &e->lay[vb];
    if (n->n_inputs > 1)
        fetch(e, id, 1, c, l->extra);
    struct target t = own_value(e, id);
    for (uint32_t oi = first; oi + 2 < end && ok(e); oi += 3) {
        struct target gate = {t.value, 1}, up = {t.value, 2};
        setlen(e, c, n->inter);
        op(e, c, AX_ISA_ACCZERO, 0, l->scratch, 0, 0);
        op(e, c, AX_ISA_ACCZERO, 0, l->scratch + n->inter, 0, 0);
        projection(e, oi, x, gate);
        projection(e, oi + 1, x, up);
        setlen(e, c, n->inter);
        op(e, c, AX_ISA_VSILU, 0, l->scratch, l->scratch, 0);
        op(e, c, AX_ISA_VMUL, 0, l->scratch, l->scratch, l->scratch + n->inter);
        projection(e, oi + 2, (struct source){c, l->scratch, NONE, NONE}, t);
    }
}

/* The 76B's meta-token table has no work per token; its blocks streamed
 * from DRAM are fetched once, so that every DRAM record has its `dma`. */
static void emit_table(struct emitter *e, uint32_t id)
{
    for (uint32_t oi = 0; oi < e->m->n_objects; oi++) {
        const struct ax_map_object *o = &e->m->objects[oi];
        if (o->node != id || o->kind != AX_MAP_WEIGHTS)
            continue;
        for (uint32_t bi = o->first_block; bi < o->first_block + o->n_blocks; bi++)
            if (e->m->blocks[bi].is_dram)
                op(e, e->m->blocks[bi].core, AX_ISA_DMA, 0, e->lay[bi].w, e->lay[bi].record, 0);
    }
}

static void emit_node(struct emitter *e, uint32_t id)
{
    e->node = id;
    switch (e->g->nodes[id].op) {
    case AX_IR_META_PREFIX:
        emit_table(e, id);
        break;
    case AX_IR_EMBEDDING:
        emit_embedding(e, id);
        break;
    case AX_IR_LINEAR:
    case AX_IR_LM_HEAD:
    case AX_IR_MOE_ROUTER:
        emit_linear(e, id);
        break;
    case AX_IR_MOE_EXPERTS:
        emit_experts(e, id);
        break;
    case AX_IR_GLA:
    case AX_IR_SWA:
        emit_attention(e, id);
        break;
    case AX_IR_RMSNORM:
    case AX_IR_ROPE:
    case AX_IR_SWIGLU:
    case AX_IR_ADD:
    case AX_IR_MERGE:
        emit_dense(e, id);
        break;
    default: /* input, output: no work of their own */
        break;
    }
}

/* ---- the program's tables ---------------------------------------------------------- */

static int buffer_cmp(const void *a, const void *b)
{
    const struct ax_prog_buffer *x = *(const struct ax_prog_buffer *const *)a;
    const struct ax_prog_buffer *y = *(const struct ax_prog_buffer *const *)b;
    if (x->core != y->core)
        return x->core < y->core ? -1 : 1;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The node table: every node with its name (ax_ir_node_names), op, layer
 * and spike site. */
static ax_status node_table(struct emitter *e)
{
    const struct ax_ir_graph *g = e->g;
    struct ax_arena *a = &e->prog->arena;
    struct ax_prog *p = e->prog;
    p->nodes = ax_arena_calloc(a, g->n_nodes + 1, sizeof *p->nodes);
    const char **names = ax_arena_calloc(a, g->n_nodes + 1, sizeof *names);
    if (!p->nodes || !names || ax_ir_node_names(g, a, names) != AX_OK)
        return AX_ERR_NOMEM;
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        const struct ax_ir_node *n = &g->nodes[id];
        int has_layer = (n->attrs_set >> AX_IR_ATTR_LAYER) & 1u;
        char site[300];
        ax_map_site_name(g, id, site, sizeof site);
        p->nodes[id] = (struct ax_prog_node){id, names[id], ax_ir_op_str(n->op),
                                             has_layer ? (int32_t)n->layer : -1,
                                             ax_arena_strdup(a, site)};
        if (!p->nodes[id].site)
            return AX_ERR_NOMEM;
    }
    p->n_nodes = g->n_nodes;
    return AX_OK;
}

/* memcpy that takes an empty source (NULL when nothing was collected). */
static void copy(void *dst, const void *src, size_t bytes)
{
    if (bytes)
        memcpy(dst, src, bytes);
}

/* Copies everything collected into the program (its arena owns it). */
static ax_status finish(struct emitter *e, const char *model_name, const char *chip_name)
{
    const struct ax_map *m = e->m;
    struct ax_prog *p = e->prog;
    struct ax_arena *a = &p->arena;
    /* buffers ascending by (core, addr); state records follow their buffer */
    const struct ax_prog_buffer **order = ax_mem_calloc(e->n_bufs + 1, sizeof *order);
    uint32_t *new_id = ax_mem_calloc(e->n_bufs + 1, sizeof *new_id);
    p->buffers = ax_arena_calloc(a, e->n_bufs + 1, sizeof *p->buffers);
    if (!order || !new_id || !p->buffers) {
        ax_mem_free(order);
        ax_mem_free(new_id);
        return AX_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < e->n_bufs; i++)
        order[i] = &e->bufs[i];
    qsort(order, e->n_bufs, sizeof *order, buffer_cmp);
    for (uint32_t i = 0; i < e->n_bufs; i++) {
        p->buffers[i] = *order[i];
        new_id[order[i] - e->bufs] = i;
    }
    p->n_buffers = e->n_bufs;
    ax_mem_free(order);
    for (uint32_t i = 0; i < e->n_states; i++)
        e->states[i].buffer = new_id[e->states[i].buffer];
    ax_mem_free(new_id);

    p->weights = ax_arena_calloc(a, e->n_weights + 1, sizeof *p->weights);
    p->states = ax_arena_calloc(a, e->n_states + 1, sizeof *p->states);
    p->consts = ax_arena_calloc(a, e->n_consts + 1, sizeof *p->consts);
    p->routes = ax_arena_calloc(a, e->n_routes + 1, sizeof *p->routes);
    struct ax_prog_dest *dests = ax_arena_calloc(a, e->n_dests + 1, sizeof *dests);
    p->barriers = ax_arena_calloc(a, e->n_barriers + 1, sizeof *p->barriers);
    uint32_t *bar_cores = ax_arena_calloc(a, e->n_bar_cores + 1, sizeof *bar_cores);
    p->opmap = ax_arena_calloc(a, e->n_opmap + 1, sizeof *p->opmap);
    uint32_t n_code = 0;
    for (uint32_t c = 0; c < e->n_cores; c++)
        n_code += e->cores[c].n > 0;
    p->code = ax_arena_calloc(a, n_code + 1, sizeof *p->code);
    if (!p->weights || !p->states || !p->consts || !p->routes || !dests || !p->barriers ||
        !bar_cores || !p->opmap || !p->code)
        return AX_ERR_NOMEM;
    copy(p->weights, e->weights, e->n_weights * sizeof *p->weights);
    p->n_weights = e->n_weights;
    copy(p->states, e->states, e->n_states * sizeof *p->states);
    p->n_states = e->n_states;
    copy(p->consts, e->consts, e->n_consts * sizeof *p->consts);
    p->n_consts = e->n_consts;
    copy(dests, e->dests, e->n_dests * sizeof *dests);
    for (uint32_t r = 0; r < e->n_routes; r++) {
        p->routes[r] = e->routes[r];
        p->routes[r].dst = dests + e->route_first[r];
    }
    p->n_routes = e->n_routes;
    copy(bar_cores, e->bar_cores, e->n_bar_cores * sizeof *bar_cores);
    for (uint32_t b = 0; b < e->n_barriers; b++) {
        p->barriers[b] = e->barriers[b];
        p->barriers[b].cores = bar_cores + e->bar_first[b];
    }
    p->n_barriers = e->n_barriers;
    copy(p->opmap, e->opmap, e->n_opmap * sizeof *p->opmap);
    p->n_opmap = e->n_opmap;
    for (uint32_t c = 0; c < e->n_cores; c++) {
        if (!e->cores[c].n)
            continue;
        uint64_t *w = ax_arena_alloc(a, e->cores[c].n * sizeof *w);
        if (!w)
            return AX_ERR_NOMEM;
        copy(w, e->cores[c].words, e->cores[c].n * sizeof *w);
        p->code[p->n_code++] = (struct ax_prog_code){c, e->cores[c].n, w};
    }
    ax_status st = node_table(e);
    if (st != AX_OK)
        return st;
    char buf[12][48];
    snprintf(buf[0], sizeof buf[0], "%u", m->n_chips);
    snprintf(buf[1], sizeof buf[1], "%.17g", m->traffic_hop_bytes);
    snprintf(buf[2], sizeof buf[2], "%.17g", m->traffic_hop_bytes_naive);
    snprintf(buf[3], sizeof buf[3], "%u", m->cores_per_chip);
    snprintf(buf[4], sizeof buf[4], "%u", m->chip_grid_w ? m->chip_grid_w : 1);
    snprintf(buf[5], sizeof buf[5], "%u", m->reduce_fanin);
    snprintf(buf[6], sizeof buf[6], "%u", m->reduce_chunk);
    snprintf(buf[7], sizeof buf[7], "%s", m->relay ? "on" : "off");
    snprintf(buf[8], sizeof buf[8], "%u", m->ring_keys);
    snprintf(buf[9], sizeof buf[9], "%u", m->spread ? m->spread : 1);
    snprintf(buf[10], sizeof buf[10], "%s", ax_map_logits_str(m->logits));
    snprintf(buf[11], sizeof buf[11], "%s", m->stream ? "cut" : "whole");
    const struct {
        const char *key, *value;
    } meta[] = {{"model", model_name},
                {"chip", chip_name},
                {"chips_used", buf[0]},
                {"cores_per_chip", buf[3]},
                {"chip_grid_w", buf[4]},
                {"traffic_hop_bytes", buf[1]},
                {"traffic_hop_bytes_naive", buf[2]},
                {"chip_keys", AX_MAP_CHIP_KEYS},
                {"reduce_fanin", buf[5]},
                {"reduce_chunk", buf[6]},
                {"relay", buf[7]},
                {"ring_keys", buf[8]},
                {"spread", buf[9]},
                {"logits", buf[10]},
                {"stream", buf[11]}};
    for (size_t i = 0; i < sizeof meta / sizeof meta[0] && st == AX_OK; i++)
        st = ax_prog_set_meta(p, meta[i].key, meta[i].value);
    if (st == AX_OK && m->batch > 1) { /* absent: one sequence, as before batches */
        snprintf(buf[0], sizeof buf[0], "%u", m->batch);
        st = ax_prog_set_meta(p, "batch", buf[0]);
    }
    if (st == AX_OK && m->stream_rows) { /* absent: the stream whole, as before its cut */
        snprintf(buf[0], sizeof buf[0], "%u", m->stream_rows);
        st = ax_prog_set_meta(p, "stream_rows", buf[0]);
    }
    return st;
}

static void emitter_free(struct emitter *e)
{
    for (uint32_t c = 0; e->cores && c < e->n_cores; c++)
        ax_mem_free(e->cores[c].words);
    ax_mem_free(e->cores);
    ax_mem_free(e->lay);
    ax_mem_free(e->is_encoded);
    ax_mem_free(e->next_reader);
    ax_mem_free(e->is_fed);
    ax_mem_free(e->tensor);
    ax_mem_free(e->scalar_const);
    ax_mem_free(e->table_const);
    ax_mem_free(e->bufs);
    ax_mem_free(e->weights);
    ax_mem_free(e->states);
    ax_mem_free(e->consts);
    ax_mem_free(e->opmap);
    ax_mem_free(e->routes);
    ax_mem_free(e->dests);
    ax_mem_free(e->route_first);
    ax_mem_free(e->hash);
    ax_mem_free(e->barriers);
    ax_mem_free(e->bar_cores);
    ax_mem_free(e->bar_first);
    ax_mem_free(e->pend);
    ax_mem_free(e->tmp);
    ax_mem_free(e->core_mark);
    ax_mem_free(e->core_role);
}

/* The chip reader's SRAM limit is what the instruction format addresses. */
_Static_assert(AX_ARCH_MAX_SRAM_BYTES == 4 * (AX_ISA_MAX_B16 + 1), "SRAM limit and ISA agree");

/* Refuses options and chips the program cannot express. */
static ax_status check_target(const struct ax_system_desc *sys, const struct ax_spike_options *spike,
                              struct ax_diag_list *diags)
{
    if (sys->chip.core.sram.capacity_bytes / 4 > AX_ISA_MAX_B16 + 1) {
        ax_diag_add(diags, AX_DIAG_ERROR, sys->path, 0, 0,
                    "cores of %.0f bytes of SRAM: the instruction format addresses at most "
                    "256 KiB (65536 words) per core", sys->chip.core.sram.capacity_bytes);
        return AX_ERR_UNSUPPORTED;
    }
    if (spike->steps > AX_ISA_ENC_MAX_STEPS || (unsigned)spike->encoding >= AX_ISA_ENC_COUNT) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "--steps %u: the encode instruction holds a fixed T of at most %u "
                    "(0: adaptive)", spike->steps, AX_ISA_ENC_MAX_STEPS);
        return AX_ERR_UNSUPPORTED;
    }
    return AX_OK;
}

ax_status ax_map_emit(const struct ax_map *m, const struct ax_ir_graph *g, const ax_arch_t *arch,
                      const struct ax_spike_options *spike, const char *model_name,
                      struct ax_prog *prog, struct ax_diag_list *diags)
{
    const struct ax_system_desc *sys = ax_arch_desc(arch);
    uint32_t n_cores = m->n_chips * m->cores_per_chip;
    uint32_t words = (uint32_t)(sys->chip.core.sram.capacity_bytes / 4);
    ax_prog_init(prog, n_cores, words);
    ax_status st = check_target(sys, spike, diags);
    if (st != AX_OK)
        return st;
    prog->cores_per_chip = m->cores_per_chip;
    prog->dram_bytes_per_chip = sys->chip.dram.is_present ? (uint64_t)sys->chip.dram.capacity_bytes : 0;
    struct emitter e;
    memset(&e, 0, sizeof e);
    e.m = m;
    e.g = g;
    e.spike = spike;
    e.prog = prog;
    e.diags = diags;
    e.n_cores = n_cores;
    e.sram_words = words;
    e.cores = ax_mem_calloc(n_cores + 1, sizeof *e.cores);
    e.lay = ax_mem_calloc(m->n_blocks + 1, sizeof *e.lay);
    e.is_union = sys->chip.router.is_multicast;
    e.is_relayed = m->relay && !e.is_union;
    e.is_encoded = ax_mem_calloc(m->n_objects + 1, 1);
    e.is_fed = ax_mem_calloc(m->n_objects + 1, 1);
    e.next_reader = ax_mem_alloc(((size_t)m->n_objects + 1) * sizeof *e.next_reader);
    e.tensor = ax_mem_calloc(m->n_objects + 1, sizeof *e.tensor);
    e.scalar_const = ax_mem_calloc(g->n_nodes + 1, sizeof *e.scalar_const);
    e.table_const = ax_mem_calloc(g->n_nodes + 1, sizeof *e.table_const);
    e.core_mark = ax_mem_calloc(n_cores + 1, 1);
    e.core_role = ax_mem_calloc(n_cores + 1, 1);
    st = AX_ERR_NOMEM;
    if (!e.cores || !e.lay || !e.is_encoded || !e.is_fed || !e.next_reader || !e.tensor ||
        !e.scalar_const || !e.table_const || !e.core_mark || !e.core_role ||
        link_readers(&e) != AX_OK)
        goto done;
    if (!m->node_value || m->n_nodes != g->n_nodes) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "internal: the mapping records no value locations for this graph");
        st = AX_ERR_INTERNAL;
        goto done;
    }
    for (uint32_t c = 0; c < n_cores; c++)
        e.cores[c] = (struct core_code){NULL, 0, 0, 0, 0, words, NONE, NONE, NONE, NONE};
    layout(&e);
    for (uint32_t id = 0; id < g->n_nodes && ok(&e); id++)
        emit_node(&e, id);
    for (uint32_t c = 0; c < n_cores && ok(&e); c++) {
        if (!e.cores[c].n)
            continue;
        e.node = e.opmap[e.cores[c].last_opmap].node; /* halt ends the core's last node */
        op(&e, c, AX_ISA_HALT, 0, 0, 0, 0);
    }
    if (e.is_oom)
        goto done;
    st = e.err;
    if (st == AX_OK)
        st = finish(&e, model_name, sys->name ? sys->name : "");
    if (st == AX_OK)
        st = ax_prog_validate(prog, "emitted program", diags);
done:
    emitter_free(&e);
    if (st == AX_ERR_NOMEM)
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "out of memory while emitting the program");
    return st;
}
