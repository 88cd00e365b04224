/* The simulator's driver: turns each graph node of each token into the work
 * of barrier-synchronised steps on the mapped cores, charges every unit of
 * work to the energy ledger, and lets the engine (engine.h) time it.
 *
 * The work of one token, node by node (docs/simulator.md):
 *   - a spiking projection: one step per virtual spike step. The encoder
 *     core (where the projection's input lives) reads and updates one neuron
 *     per input value in the first step and emits each spike of the step,
 *     once per value and token however many projections read it (the first
 *     in graph order charges it, as the program encodes once);
 *     every spike becomes one packet to each core holding a block of the
 *     spiking column, which adds the column's weights into its accumulators
 *     (one synaptic op per row) reading them from SRAM. Then a reduction
 *     step: each block scales its accumulators (a dendrite update per row and
 *     group) and sends float32 partial sums to the projection's home core,
 *     which adds them.
 *   - a dense projection: the input values go to every block core, which
 *     multiplies its block (a dense MAC per weight) and reduces as above.
 *   - any other op: dense vector work on the core the emitted program puts
 *     it on, after its operands are moved there.
 * Blocks streamed from DRAM are fetched by their core at the start of the
 * projection. Static power is charged for the simulated time, a barrier
 * ends every step. */
#include "ax_sim.h"

#include "ax_func.h"
#include "ax_map.h"
#include "ax_mem.h"
#include "ax_model.h"
#include "ax_ref.h"
#include "ax_synth.h"
#include "engine.h"
#include "result.h"
#include "trace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

/* A column group's destinations: the cores holding its rows. */
struct group_dst {
    uint32_t core, rows;
};

/* A projection's input spikes: the groups' destinations and statistics.
 * Sites that read the same value (q, k, v and gk read one norm's output;
 * gate and up another) share one encoding per token, as the program's
 * `thresh`/`encode` runs once per value (mapping/emit.c, encode_once): the
 * first of them in graph order, their lead, holds the counts' distribution
 * and is drawn in counting mode; the others copy its counts, and only the
 * first to run in a token charges the encoder's soma work. */
struct site {
    uint32_t object;         /* its weight object; NONE for an SWA query */
    uint32_t node;
    uint32_t src;            /* the graph node whose value it encodes */
    uint32_t lead;           /* the site of the first node in graph order reading `src` */
    uint32_t drawn_at;       /* lead, counting mode: token_index + 1 of its counts' draw */
    uint32_t encoded_at;     /* lead: token_index + 1 of the token whose encoder is charged */
    uint32_t n_in, n_out;
    uint32_t *grp_first;     /* n_groups + 1 offsets into dst */
    struct group_dst *dst;
    uint32_t n_groups;
    struct ax_spike_stats stats;
    uint64_t *mag_hist;      /* |s| histogram for a profile, AX_SYNTH_MAX_MAG + 1 */
    struct ax_synth_pmf pmf; /* counting mode's distribution */
    int32_t *counts;         /* this token's */
    uint8_t is_query;        /* the SWA query: counted in events, not in the statistics */
};

struct sim {
    const struct ax_ir_graph *g;
    const struct ax_map *map;
    const ax_arch_t *arch;
    const struct ax_sim_options *o;
    const struct ax_spike_options *spike;
    struct ax_sim_result *r;
    struct ax_diag_list *diags;

    uint32_t n_cores;
    struct eng_net net;
    struct eng_state st;
    struct eng_round round;
    double *core_cnt;        /* [core][AX_LEDGER_COUNT] */
    double step_cnt[AX_LEDGER_COUNT];
    double run_cnt[AX_LEDGER_COUNT];
    double unit_j[AX_LEDGER_COUNT];
    double item_s[AX_LEDGER_COUNT]; /* service seconds per unit on its server */
    double sram_bits;

    uint32_t *node_core;     /* where each node's value lives */
    uint32_t *node_layer;    /* result.layers index of each node */
    uint32_t *node_site;     /* spiking site of a node, NONE if none */
    uint32_t *object_of;     /* weight object of a node, NONE */
    struct site *sites;
    uint32_t n_sites;
    uint64_t position;       /* of the current token, context included */
    uint32_t token_index;
    int32_t token;
    uint32_t cap_steps;
    double step_packets;
    uint32_t progress_drawn;
    ax_func_t *func;
    ax_ref_session_t *ref;
    struct ax_trace *trace;  /* NULL unless o->trace names a file */
};

/* ---- charging work ---------------------------------------------------------------- */

static void costs_init(struct sim *s)
{
    const struct ax_core_desc *core = &ax_arch_desc(s->arch)->chip.core;
    s->sram_bits = core->sram.width_bits > 0 ? core->sram.width_bits : 32;
    for (int i = 0; i < AX_LEDGER_COUNT; i++) {
        s->unit_j[i] = ax_ledger_unit_cost(s->arch, (enum ax_ledger_item)i);
        s->item_s[i] = ax_ledger_service_s(s->arch, (enum ax_ledger_item)i);
    }
}

/* Charges `count` units of `item` to `core` and adds their service time to
 * the job `j` (NULL: the network times it). */
static void charge(struct sim *s, struct eng_job *j, uint32_t core, enum ax_ledger_item item, double count)
{
    if (count <= 0)
        return;
    s->core_cnt[(size_t)core * AX_LEDGER_COUNT + item] += count;
    s->step_cnt[item] += count;
    enum eng_server sv = eng_server_of(item);
    if (j && sv != ENG_SERVER_COUNT)
        j->s[sv] += count * s->item_s[item];
}

static double sram_accesses(const struct sim *s, double bytes)
{
    return ceil(bytes * 8.0 / s->sram_bits);
}

static double packets_for(const struct sim *s, double bytes)
{
    double p = ceil(bytes / s->net.packet_bytes);
    return p < 1 ? 1 : p;
}

/* The local job of `core` in the current round. */
static struct eng_job *local(struct sim *s, uint32_t core)
{
    return eng_round_local(&s->round, core);
}

/* A message of `bytes` from `src` to `dst` in `packets` packets (0: as many
 * as the bytes need), with `work` to do on arrival. */
static ax_status send(struct sim *s, uint32_t src, uint32_t dst, double bytes, double packets,
                      const struct eng_job *work)
{
    if (src == dst)
        return AX_OK;
    if (packets <= 0)
        packets = packets_for(s, bytes);
    charge(s, NULL, src, AX_LEDGER_MESSAGE_OUT, packets);
    charge(s, NULL, dst, AX_LEDGER_MESSAGE_IN, packets);
    struct eng_msg m = {src, dst, (uint32_t)packets, (uint32_t)bytes, {{0}}};
    if (work)
        m.work = *work;
    return eng_round_send(&s->round, &m);
}

/* ---- steps -------------------------------------------------------------------------- */

/* A step of `node` (spike_step: its 1-based virtual spike step, or 0). */
static void step_begin(struct sim *s, uint32_t node, uint32_t spike_step)
{
    if (s->trace) /* the step starts where the steps before it ended */
        ax_trace_step_begin(s->trace, s->r->seconds, s->token_index, node, spike_step);
    memset(s->step_cnt, 0, sizeof s->step_cnt);
    eng_step_begin(&s->st, &s->net);
    eng_round_clear(&s->round);
}

/* Runs the round built so far and clears it for the next. */
static ax_status round_end(struct sim *s)
{
    struct eng_counts c = {{0}, 0, 0, 0};
    ax_status st = s->o->engine == AX_SIM_ENGINE_SYSTEMC
                       ? eng_systemc_round_run(&s->st, &s->net, &s->round, &c)
                       : eng_round_run(&s->st, &s->net, &s->round, &c);
    for (int d = 0; d < AX_DIR_COUNT; d++)
        s->step_cnt[AX_LEDGER_HOP_NORTH + d] += c.hops[d];
    s->step_cnt[AX_LEDGER_HOP_LOCAL] += c.local;
    s->step_cnt[AX_LEDGER_CHIP_LINK] += c.chip_bytes;
    s->step_packets += c.packets;
    eng_round_clear(&s->round);
    return st;
}

static ax_status step_end(struct sim *s, uint32_t node, uint32_t spike_step)
{
    struct ax_sim_result *r = s->r;
    double seconds = eng_step_end(&s->st);
    uint32_t tiles = r->chips_used * ax_arch_tiles_per_chip(s->arch);
    double sync = ax_arch_sync_latency(s->arch, tiles);
    if (s->trace)
        ax_trace_step_end(s->trace, seconds, sync);
    seconds += sync;
    s->step_cnt[AX_LEDGER_BARRIER] += r->chips_used;
    uint64_t cycles = r->clock_hz > 0 ? (uint64_t)ceil(seconds * r->clock_hz - 1e-6) : 0;
    double energy = 0;
    for (int i = 0; i < AX_LEDGER_COUNT; i++) {
        energy += s->step_cnt[i] * s->unit_j[i];
        s->run_cnt[i] += s->step_cnt[i];
    }
    if (r->n_steps == s->cap_steps) {
        uint32_t cap = s->cap_steps ? 2 * s->cap_steps : 1024;
        struct ax_sim_step *p = ax_mem_realloc(r->steps, cap * sizeof *p);
        if (!p)
            return AX_ERR_NOMEM;
        r->steps = p;
        s->cap_steps = cap;
    }
    uint32_t layer = s->node_layer[node];
    r->steps[r->n_steps++] = (struct ax_sim_step){s->token_index, node, layer, spike_step, cycles,
                                                  seconds, s->step_packets, energy};
    struct ax_sim_layer *l = &r->layers[layer];
    l->cycles += cycles;
    l->seconds += seconds;
    l->energy_j += energy;
    l->packets += s->step_packets;
    r->cycles += cycles;
    r->seconds += seconds;
    s->step_packets = 0;
    return AX_OK;
}

/* ---- projections ---------------------------------------------------------------------- */

/* Blocks streamed from DRAM are fetched by their cores at the start of the
 * projection (into the round being built). */
static void fetch_dram_blocks(struct sim *s, const struct ax_map_object *o)
{
    double latency = ax_arch_desc(s->arch)->chip.dram.latency_s;
    for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks; b++) {
        const struct ax_map_block *blk = &s->map->blocks[b];
        if (!blk->is_dram)
            continue;
        struct eng_job *j = local(s, blk->core);
        charge(s, j, blk->core, AX_LEDGER_DRAM_BYTE, (double)blk->bytes);
        charge(s, j, blk->core, AX_LEDGER_SRAM_WRITE, sram_accesses(s, (double)blk->bytes));
        j->s[ENG_DRAM] += latency;
    }
}

/* The core of the value shard a block's partial sums go to (the mapping's
 * VALUE object), or the object's home when the map records none. */
static uint32_t sum_core(const struct sim *s, const struct ax_map_object *o, const struct ax_map_block *blk)
{
    uint32_t core = o->dest != NONE ? ax_map_value_core(s->map, o->dest, blk->row0) : NONE;
    return core != NONE ? core : o->home;
}

/* The core holding node `id`'s value (the mapping's VALUE object), or NONE
 * when the map records none. */
static uint32_t value_core(const struct sim *s, uint32_t id)
{
    const struct ax_map *m = s->map;
    uint32_t v = m->node_value && id < m->n_nodes ? m->node_value[id] : NONE;
    return v != NONE ? m->objects[v].home : NONE;
}

/* The reduction: each block scales its accumulators and sends its partial
 * sums to the core of the value shard holding its rows, which adds them. */
static ax_status reduce(struct sim *s, const struct ax_map_object *o)
{
    for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks; b++) {
        const struct ax_map_block *blk = &s->map->blocks[b];
        struct eng_job *j = local(s, blk->core);
        double groups = ceil(blk->cols / 128.0);
        charge(s, j, blk->core, AX_LEDGER_DENDRITE, (double)blk->rows * groups);
        charge(s, j, blk->core, AX_LEDGER_SRAM_READ, sram_accesses(s, blk->rows * groups * 4.0));
        uint32_t home = sum_core(s, o, blk);
        if (blk->core == home)
            continue;
        struct eng_job add = {{0}};
        charge(s, &add, home, AX_LEDGER_DENSE_ADD, blk->rows);
        ax_status st = send(s, blk->core, home, blk->rows * 4.0, 0, &add);
        if (st != AX_OK)
            return st;
    }
    return AX_OK;
}

/* Counts of this token for a site: computed (functional) or drawn (counting).
 * In counting mode one draw per token serves every site of a value: the
 * lead's, keyed by the lead's site index and drawn from the lead's
 * distribution; the other sites copy it, as they see the same counts in
 * functional mode. */
static ax_status site_counts(struct sim *s, uint32_t si)
{
    struct site *t = &s->sites[si];
    if (s->func) {
        for (uint32_t i = 0; i < ax_func_n_sites(s->func); i++) {
            struct ax_func_site fs;
            ax_func_site(s->func, i, &fs);
            if (fs.node == t->node && fs.n_in == t->n_in) {
                memcpy(t->counts, fs.counts, t->n_in * sizeof *t->counts);
                return AX_OK;
            }
        }
        ax_diag_add(s->diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "internal: the functional model has no spike counts for node %u", t->node);
        return AX_ERR_INTERNAL;
    }
    struct site *L = &s->sites[t->lead];
    if (L->drawn_at != s->token_index + 1) {
        ax_synth_counts(&L->pmf, s->o->seed, t->lead, s->position, L->n_in, L->counts);
        if (s->spike->steps) { /* a fixed T saturates the counts, as the encoder does */
            int32_t bound = (int32_t)ax_spike_count_bound(s->spike);
            for (uint32_t c = 0; c < L->n_in; c++)
                L->counts[c] = L->counts[c] > bound ? bound : L->counts[c] < -bound ? -bound : L->counts[c];
        }
        L->drawn_at = s->token_index + 1;
    }
    if (L != t)
        memcpy(t->counts, L->counts, t->n_in * sizeof *t->counts);
    return AX_OK;
}

/* 1 when site `t` is the first of its value's sites to run in this token,
 * and so the one whose encoder reads and updates a neuron per input value
 * and generates the spikes (`spike_out`); marks the value as encoded. The
 * other sites of the value send the same spikes again (their own packets,
 * one per spike and destination core) but charge no soma work. */
static int encodes_now(struct sim *s, const struct site *t)
{
    struct site *L = &s->sites[t->lead];
    if (L->encoded_at == s->token_index + 1)
        return 0;
    L->encoded_at = s->token_index + 1;
    return 1;
}

/* |s|: counts arrive saturated (the encoder saturates them in functional
 * mode, site_counts in counting mode). */
static uint32_t magnitude(int32_t v)
{
    return (uint32_t)(v < 0 ? -(int64_t)v : v);
}

static void site_record(struct sim *s, struct site *t)
{
    if (!t->is_query)
        ax_spike_stats_add(&t->stats, s->spike, t->counts);
    for (uint32_t c = 0; c < t->n_in; c++) {
        uint32_t mag = magnitude(t->counts[c]);
        t->mag_hist[mag < AX_SYNTH_MAX_MAG ? mag : AX_SYNTH_MAX_MAG]++;
    }
}

/* Spikes of a count of magnitude `mag` in virtual step `t` of `T` (1-based). */
static int spikes_in_step(enum ax_spike_encoding enc, uint32_t mag, uint32_t t, uint32_t T)
{
    if (enc == AX_SPIKE_ENCODING_BITWISE)
        return (mag >> (T - t)) & 1u;
    return mag >= t;
}


static ax_status spiking_projection(struct sim *s, uint32_t id, const struct ax_map_object *o,
                                    struct site *t)
{
    struct ax_sim_layer *l = &s->r->layers[s->node_layer[id]];
    uint32_t src = s->node_core[s->g->nodes[id].inputs[0]], max_mag = 0;
    double spikes_total = 0;
    for (uint32_t c = 0; c < t->n_in; c++) {
        uint32_t mag = magnitude(t->counts[c]);
        if (mag > max_mag)
            max_mag = mag;
        spikes_total += ax_spike_events(s->spike->encoding, mag);
    }
    site_record(s, t);
    int is_encoder = encodes_now(s, t);
    l->sops += spikes_total * t->n_out;
    l->dense_macs += (double)t->n_in * t->n_out;
    if (is_encoder)
        l->spikes_out += spikes_total;
    uint32_t T = ax_spike_steps(s->spike, max_mag);
    ax_status st = AX_OK;
    for (uint32_t step = 1; step <= (T ? T : 1) && st == AX_OK; step++) {
        step_begin(s, id, step);
        struct eng_job *enc = local(s, src);
        if (step == 1) {
            if (is_encoder) {
                charge(s, enc, src, AX_LEDGER_ACCESS_NEURON, t->n_in);
                charge(s, enc, src, AX_LEDGER_UPDATE_NEURON, t->n_in);
            }
            fetch_dram_blocks(s, o);
        }
        double fired = 0;
        for (uint32_t c = 0; c < t->n_in && st == AX_OK && T; c++) {
            uint32_t mag = magnitude(t->counts[c]);
            if (!mag || !spikes_in_step(s->spike->encoding, mag, step, T))
                continue;
            fired++;
            uint32_t g = c / 128;
            for (uint32_t d = t->grp_first[g]; d < t->grp_first[g + 1] && st == AX_OK; d++) {
                const struct group_dst *gd = &t->dst[d];
                struct eng_job syn = {{0}};
                charge(s, &syn, gd->core, AX_LEDGER_PROCESS_SPIKE, gd->rows);
                charge(s, &syn, gd->core, AX_LEDGER_SRAM_READ, sram_accesses(s, gd->rows));
                if (gd->core == src) { /* the encoder's own blocks need no packet */
                    struct eng_job *j = local(s, src);
                    for (int k = 0; k < ENG_SERVER_COUNT; k++)
                        j->s[k] += syn.s[k];
                } else {
                    st = send(s, src, gd->core, 4.0, 1, &syn);
                }
            }
        }
        if (is_encoder)
            charge(s, local(s, src), src, AX_LEDGER_SPIKE_OUT, fired);
        if (st == AX_OK)
            st = round_end(s);
        if (st == AX_OK)
            st = step_end(s, id, step);
    }
    if (st != AX_OK)
        return st;
    step_begin(s, id, 0);
    st = reduce(s, o);
    if (st == AX_OK)
        st = round_end(s);
    return st == AX_OK ? step_end(s, id, 0) : st;
}

/* A projection with float inputs: the values go to every block core, which
 * multiplies its block and reduces. */
static ax_status dense_projection(struct sim *s, uint32_t id, const struct ax_map_object *o)
{
    uint32_t src = s->node_core[s->g->nodes[id].inputs[0]];
    step_begin(s, id, 0);
    fetch_dram_blocks(s, o);
    ax_status st = AX_OK;
    for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks && st == AX_OK; b++) {
        const struct ax_map_block *blk = &s->map->blocks[b];
        struct eng_job store = {{0}};
        charge(s, &store, blk->core, AX_LEDGER_SRAM_WRITE, sram_accesses(s, blk->cols * 4.0));
        st = send(s, src, blk->core, blk->cols * 4.0, 0, &store);
    }
    if (st == AX_OK)
        st = round_end(s);
    for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks && st == AX_OK; b++) {
        const struct ax_map_block *blk = &s->map->blocks[b];
        struct eng_job *j = local(s, blk->core);
        double macs = (double)blk->rows * blk->cols;
        charge(s, j, blk->core, AX_LEDGER_DENSE_MAC, macs);
        charge(s, j, blk->core, AX_LEDGER_SRAM_READ, sram_accesses(s, macs + blk->cols * 4.0));
    }
    if (st == AX_OK)
        st = reduce(s, o);
    if (st == AX_OK)
        st = round_end(s);
    return st == AX_OK ? step_end(s, id, 0) : st;
}

/* ---- other ops ------------------------------------------------------------------------- */

/* The state object of a GLA or SWA node. */
static const struct ax_map_object *state_of(const struct sim *s, uint32_t id)
{
    for (uint32_t i = 0; i < s->map->n_objects; i++)
        if (s->map->objects[i].node == id && s->map->objects[i].kind == AX_MAP_STATE)
            return &s->map->objects[i];
    return NULL;
}

/* Keys an SWA node attends to at the current position. */
static double swa_keys(const struct sim *s, const struct ax_ir_node *n)
{
    double keys = (double)s->position + 1;
    if (n->window && keys > n->window)
        keys = n->window;
    return keys + n->meta;
}

/* The dense work of a node without weights on `core`. For GLA and SWA,
 * `share` is the part of the state this core holds (heads for GLA, keys for
 * SWA: the mapping splits the state that way); the new key and value are
 * quantized and written by the state's home core (`is_home`). */
static void dense_work(struct sim *s, const struct ax_ir_node *n, uint32_t core, double share,
                       int is_home)
{
    struct eng_job *j = local(s, core);
    double d = n->out_dim;
    switch (n->op) {
    case AX_IR_RMSNORM:
        charge(s, j, core, AX_LEDGER_DENSE_MAC, d);
        charge(s, j, core, AX_LEDGER_DENSE_RSQRT, n->group ? d / n->group : 1);
        charge(s, j, core, AX_LEDGER_DENSE_MUL, 2 * d);
        charge(s, j, core, AX_LEDGER_SRAM_READ, sram_accesses(s, 2 * d * 4));
        break;
    case AX_IR_ROPE:
        charge(s, j, core, AX_LEDGER_DENSE_MUL, d);
        charge(s, j, core, AX_LEDGER_DENSE_MAC, d);
        break;
    case AX_IR_SWIGLU:
        charge(s, j, core, AX_LEDGER_DENSE_SILU, d);
        charge(s, j, core, AX_LEDGER_DENSE_MUL, d);
        break;
    case AX_IR_ADD:
    case AX_IR_MERGE:
        charge(s, j, core, AX_LEDGER_DENSE_ADD, d);
        break;
    case AX_IR_GLA: {
        double hd = n->head_dim, heads = round(n->heads * share), cells = heads * hd * hd;
        charge(s, j, core, AX_LEDGER_DENSE_EXP, heads * hd); /* the decay from the gate */
        charge(s, j, core, AX_LEDGER_DENSE_MUL, cells);      /* S = diag(decay) S */
        charge(s, j, core, AX_LEDGER_DENSE_MAC, 2 * cells);  /* + k v^T, then q S */
        charge(s, j, core, AX_LEDGER_SRAM_READ, sram_accesses(s, cells * 4));
        charge(s, j, core, AX_LEDGER_SRAM_WRITE, sram_accesses(s, cells * 4));
        break;
    }
    case AX_IR_SWA: {
        double hd = n->head_dim, keys = round(swa_keys(s, n) * share), kv = n->kv_heads * hd;
        if (is_home) { /* this token's K and V to int8, into the window */
            charge(s, j, core, AX_LEDGER_DENSE_QUANT, 2 * kv);
            charge(s, j, core, AX_LEDGER_SRAM_WRITE, sram_accesses(s, 2 * kv + 8 * n->kv_heads));
        }
        charge(s, j, core, AX_LEDGER_DENSE_MAC, 2 * n->heads * keys * hd); /* q.k and p.v */
        charge(s, j, core, AX_LEDGER_DENSE_MAX, n->heads * keys);
        charge(s, j, core, AX_LEDGER_DENSE_EXP, n->heads * keys);
        charge(s, j, core, AX_LEDGER_DENSE_ADD, n->heads * keys);
        charge(s, j, core, AX_LEDGER_SRAM_READ, sram_accesses(s, n->kv_heads * keys * (2 * hd + 8)));
        break;
    }
    default:
        break;
    }
}

/* GLA and SWA over the cores holding their state: the operands go to every
 * state core, each works on its share, and the partial outputs (per head:
 * the output vector, and for SWA the running max and sum of the softmax)
 * come back to the home core, which combines them. */
static ax_status state_work(struct sim *s, const struct ax_ir_node *n, const struct ax_map_object *state)
{
    ax_status st = AX_OK;
    uint32_t home = state->home;
    double total_rows = state->rows ? state->rows : 1;
    for (uint32_t b = state->first_block; b < state->first_block + state->n_blocks && st == AX_OK; b++) {
        const struct ax_map_block *blk = &s->map->blocks[b];
        if (blk->core != home) /* q (and k, v for GLA's update) to the state core */
            st = send(s, home, blk->core, (n->op == AX_IR_GLA ? 3.0 : 1.0) * n->heads * n->head_dim * 4.0,
                      0, NULL);
    }
    if (st == AX_OK)
        st = round_end(s);
    for (uint32_t b = state->first_block; b < state->first_block + state->n_blocks && st == AX_OK; b++) {
        const struct ax_map_block *blk = &s->map->blocks[b];
        dense_work(s, n, blk->core, blk->rows / total_rows, b == state->first_block);
        if (blk->core == home)
            continue;
        double heads = n->op == AX_IR_GLA ? round(n->heads * blk->rows / total_rows) : n->heads;
        double per_head = n->op == AX_IR_GLA ? n->head_dim : n->head_dim + 2.0;
        struct eng_job combine = {{0}};
        charge(s, &combine, home, AX_LEDGER_DENSE_MAC, heads * per_head);
        st = send(s, blk->core, home, heads * per_head * 4.0, 0, &combine);
    }
    if (st == AX_OK && n->op == AX_IR_SWA) /* the softmax's final division */
        charge(s, local(s, home), home, AX_LEDGER_DENSE_DIV, n->heads * n->head_dim);
    return st;
}

/* A node without weights: operands moved to the core that runs it (its
 * value's core, as the program runs it; without value objects in the map,
 * its first operand's), then its dense work. GLA and SWA work on their state
 * cores and send the result to the value core. The SWA query, when spiked,
 * travels as spikes. */
static ax_status other_node(struct sim *s, uint32_t id)
{
    const struct ax_ir_node *n = &s->g->nodes[id];
    if (n->op == AX_IR_INPUT || n->op == AX_IR_OUTPUT || !n->n_inputs) {
        s->node_core[id] = n->n_inputs ? s->node_core[n->inputs[0]] : 0;
        return AX_OK;
    }
    uint32_t vcore = value_core(s, id);
    uint32_t core = vcore != NONE ? vcore : s->node_core[n->inputs[0]];
    const struct ax_map_object *state = NULL;
    if (n->op == AX_IR_GLA || n->op == AX_IR_SWA) {
        state = state_of(s, id);
        if (state)
            core = state->home;
    }
    step_begin(s, id, 0);
    ax_status st = AX_OK;
    double query_spikes = -1; /* the SWA query's spikes, when it is spiked */
    uint32_t si = s->node_site[id];
    if (n->op == AX_IR_SWA && si != NONE) {
        struct site *t = &s->sites[si];
        uint32_t from = s->node_core[n->inputs[0]];
        st = site_counts(s, si);
        if (st != AX_OK)
            return st;
        query_spikes = 0;
        for (uint32_t c = 0; c < t->n_in; c++)
            query_spikes += ax_spike_events(s->spike->encoding, magnitude(t->counts[c]));
        site_record(s, t);
        if (encodes_now(s, t)) {
            struct eng_job *enc = local(s, from);
            charge(s, enc, from, AX_LEDGER_ACCESS_NEURON, t->n_in);
            charge(s, enc, from, AX_LEDGER_UPDATE_NEURON, t->n_in);
            charge(s, enc, from, AX_LEDGER_SPIKE_OUT, query_spikes);
            s->r->layers[s->node_layer[id]].spikes_out += query_spikes;
        }
    }
    for (uint32_t i = 0; i < n->n_inputs && st == AX_OK; i++) {
        uint32_t from = s->node_core[n->inputs[i]];
        double dim = s->g->nodes[n->inputs[i]].out_dim;
        if (from == core)
            continue;
        if (i == 0 && query_spikes >= 0) /* one packet per spike */
            st = send(s, from, core, query_spikes * 4.0, query_spikes > 0 ? query_spikes : 1, NULL);
        else
            st = send(s, from, core, dim * 4.0, 0, NULL);
    }
    if (st == AX_OK)
        st = round_end(s);
    if (st == AX_OK && state)
        st = state_work(s, n, state);
    else
        dense_work(s, n, core, 1.0, 1);
    if (st == AX_OK && state && vcore != NONE && vcore != core) /* the output to the value core */
        st = send(s, core, vcore, n->out_dim * 4.0, 0, NULL);
    if (st == AX_OK)
        st = round_end(s);
    s->node_core[id] = vcore != NONE ? vcore : core;
    return st == AX_OK ? step_end(s, id, 0) : st;
}

/* The embedding: the row of the token, read where it is stored. */
static ax_status embedding(struct sim *s, uint32_t id, const struct ax_map_object *o)
{
    const struct ax_ir_node *n = &s->g->nodes[id];
    uint32_t row = (uint32_t)((uint32_t)s->token % (n->vocab ? n->vocab : 1)), core = o->home;
    for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks; b++) {
        const struct ax_map_block *blk = &s->map->blocks[b];
        if (row >= blk->row0 && row < blk->row0 + blk->rows)
            core = blk->core;
    }
    step_begin(s, id, 0);
    struct eng_job *j = local(s, core);
    charge(s, j, core, AX_LEDGER_SRAM_READ, sram_accesses(s, n->dim));
    charge(s, j, core, AX_LEDGER_DENSE_MUL, n->dim); /* codes times scales */
    uint32_t vcore = value_core(s, id);
    ax_status st = AX_OK;
    if (vcore != NONE && vcore != core) /* the row to the embedding's value core */
        st = send(s, core, vcore, n->dim * 4.0, 0, NULL);
    if (st == AX_OK)
        st = round_end(s);
    s->node_core[id] = vcore != NONE ? vcore : core;
    return st == AX_OK ? step_end(s, id, 0) : st;
}

static ax_status run_node(struct sim *s, uint32_t id)
{
    const struct ax_ir_node *n = &s->g->nodes[id];
    uint32_t oi = s->object_of[id];
    if (oi == NONE)
        return other_node(s, id);
    const struct ax_map_object *o = &s->map->objects[oi];
    if (n->op == AX_IR_EMBEDDING)
        return embedding(s, id, o);
    if (n->op == AX_IR_META_PREFIX || n->op == AX_IR_MOE_ROUTER || n->op == AX_IR_MOE_EXPERTS) {
        ax_diag_add(s->diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "node %u (%s): the simulator does not run the 76B's meta tokens and experts yet",
                    id, ax_ir_op_str(n->op));
        return AX_ERR_UNSUPPORTED;
    }
    ax_status st;
    uint32_t si = s->node_site[id];
    if (o->is_spiking && si != NONE) {
        st = site_counts(s, si);
        if (st == AX_OK)
            st = spiking_projection(s, id, o, &s->sites[si]);
    } else {
        st = dense_projection(s, id, o);
    }
    s->node_core[id] = o->home;
    return st;
}

/* ---- the plan ---------------------------------------------------------------------------- */

static int has_layer(const struct ax_ir_node *n)
{
    return (n->attrs_set >> AX_IR_ATTR_LAYER) & 1u;
}

/* Layer rows: "embedding", "layer.0", ..., "head"; each node's row. */
static ax_status plan_layers(struct sim *s)
{
    const struct ax_ir_graph *g = s->g;
    uint32_t n_model_layers = 0;
    for (uint32_t id = 0; id < g->n_nodes; id++)
        if (has_layer(&g->nodes[id]) && g->nodes[id].layer + 1 > n_model_layers)
            n_model_layers = g->nodes[id].layer + 1;
    struct ax_sim_result *r = s->r;
    r->n_layers = n_model_layers + 2;
    r->layers = ax_mem_calloc(r->n_layers, sizeof *r->layers);
    if (!r->layers)
        return AX_ERR_NOMEM;
    snprintf(r->layers[0].name, sizeof r->layers[0].name, "embedding");
    for (uint32_t l = 0; l < n_model_layers; l++)
        snprintf(r->layers[l + 1].name, sizeof r->layers[l + 1].name, "layer.%u", l);
    snprintf(r->layers[r->n_layers - 1].name, sizeof r->layers[0].name, "head");
    int seen_layer = 0;
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        const struct ax_ir_node *n = &g->nodes[id];
        if (has_layer(n)) {
            s->node_layer[id] = n->layer + 1;
            seen_layer = 1;
        } else {
            s->node_layer[id] = seen_layer ? r->n_layers - 1 : 0;
        }
    }
    return AX_OK;
}

static int group_dst_cmp(const void *a, const void *b)
{
    const struct group_dst *x = a, *y = b;
    return x->core < y->core ? -1 : x->core > y->core;
}

/* A site for a spiking weight object: per column group, the cores holding
 * its rows (rows summed per core). */
static ax_status plan_site(struct sim *s, struct site *t, uint32_t oi)
{
    const struct ax_map_object *o = &s->map->objects[oi];
    t->object = oi;
    t->node = o->node;
    t->n_in = o->cols;
    t->n_out = o->rows;
    t->n_groups = (o->cols + 127) / 128;
    t->grp_first = ax_mem_calloc(t->n_groups + 1, sizeof *t->grp_first);
    uint64_t n_dst = 0;
    for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks; b++)
        n_dst += (s->map->blocks[b].cols + 127) / 128;
    t->dst = ax_mem_calloc(n_dst ? n_dst : 1, sizeof *t->dst);
    if (!t->grp_first || !t->dst)
        return AX_ERR_NOMEM;
    /* count per group, then fill; a block covers whole groups */
    for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks; b++) {
        const struct ax_map_block *blk = &s->map->blocks[b];
        for (uint32_t g = blk->col0 / 128; g < (blk->col0 + blk->cols + 127) / 128; g++)
            t->grp_first[g + 1]++;
    }
    for (uint32_t g = 0; g < t->n_groups; g++)
        t->grp_first[g + 1] += t->grp_first[g];
    uint32_t *fill = ax_mem_alloc((t->n_groups + 1) * sizeof *fill);
    if (!fill)
        return AX_ERR_NOMEM;
    memcpy(fill, t->grp_first, (t->n_groups + 1) * sizeof *fill);
    for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks; b++) {
        const struct ax_map_block *blk = &s->map->blocks[b];
        for (uint32_t g = blk->col0 / 128; g < (blk->col0 + blk->cols + 127) / 128; g++)
            t->dst[fill[g]++] = (struct group_dst){blk->core, blk->rows};
    }
    ax_mem_free(fill);
    /* one destination per core: blocks of one group on one core merge */
    uint32_t w = 0;
    for (uint32_t g = 0; g < t->n_groups; g++) {
        uint32_t b = t->grp_first[g], e = t->grp_first[g + 1];
        qsort(&t->dst[b], e - b, sizeof *t->dst, group_dst_cmp);
        t->grp_first[g] = w;
        for (uint32_t i = b; i < e; i++) {
            if (w > t->grp_first[g] && t->dst[w - 1].core == t->dst[i].core)
                t->dst[w - 1].rows += t->dst[i].rows;
            else
                t->dst[w++] = t->dst[i];
        }
    }
    t->grp_first[t->n_groups] = w;
    return AX_OK;
}

static ax_status site_alloc(struct site *t)
{
    t->counts = ax_mem_calloc(t->n_in ? t->n_in : 1, sizeof *t->counts);
    t->mag_hist = ax_mem_calloc(AX_SYNTH_MAX_MAG + 1, sizeof *t->mag_hist);
    if (!t->counts || !t->mag_hist)
        return AX_ERR_NOMEM;
    return ax_spike_stats_init(&t->stats, t->n_in);
}

static ax_status plan(struct sim *s)
{
    const struct ax_ir_graph *g = s->g;
    const struct ax_map *m = s->map;
    uint32_t nn = g->n_nodes ? g->n_nodes : 1;
    s->node_core = ax_mem_calloc(nn, sizeof *s->node_core);
    s->node_layer = ax_mem_calloc(nn, sizeof *s->node_layer);
    s->node_site = ax_mem_alloc(nn * sizeof *s->node_site);
    s->object_of = ax_mem_alloc(nn * sizeof *s->object_of);
    s->sites = ax_mem_calloc(m->n_objects + g->n_nodes + 1, sizeof *s->sites);
    if (!s->node_core || !s->node_layer || !s->node_site || !s->object_of || !s->sites)
        return AX_ERR_NOMEM;
    for (uint32_t id = 0; id < g->n_nodes; id++)
        s->node_site[id] = s->object_of[id] = NONE;
    ax_status st = plan_layers(s);
    for (uint32_t oi = 0; oi < m->n_objects && st == AX_OK; oi++) {
        const struct ax_map_object *o = &m->objects[oi];
        if (o->kind != AX_MAP_WEIGHTS || s->object_of[o->node] != NONE)
            continue;
        s->object_of[o->node] = oi;
        if (o->is_spiking) {
            struct site *t = &s->sites[s->n_sites];
            st = plan_site(s, t, oi);
            if (st == AX_OK)
                st = site_alloc(t);
            s->node_site[o->node] = s->n_sites++;
            s->r->layers[s->node_layer[o->node]].n_sites++;
        }
    }
    for (uint32_t id = 0; id < g->n_nodes && st == AX_OK; id++) {
        const struct ax_ir_node *n = &g->nodes[id];
        if (n->op != AX_IR_SWA || n->spike != AX_IR_SPIKE_SPIKE)
            continue;
        struct site *t = &s->sites[s->n_sites];
        t->object = NONE;
        t->node = id;
        t->n_in = n->heads * n->head_dim;
        t->is_query = 1;
        st = site_alloc(t);
        s->node_site[id] = s->n_sites++;
    }
    for (uint32_t i = 0; i < s->n_sites; i++) {
        struct site *t = &s->sites[i];
        const struct ax_ir_node *n = &g->nodes[t->node];
        t->src = n->n_inputs ? n->inputs[0] : NONE;
    }
    /* Each site's lead: the site of the first node in graph order that
     * encodes the same value (itself when none comes before). */
    for (uint32_t i = 0; i < s->n_sites; i++) {
        struct site *t = &s->sites[i];
        t->lead = i;
        for (uint32_t j = 0; j < s->n_sites && t->src != NONE; j++) {
            const struct site *u = &s->sites[j];
            if (u->src == t->src && u->n_in == t->n_in && u->node < s->sites[t->lead].node)
                t->lead = j;
        }
    }
    return st;
}

/* A site's name in profiles: the rule the program's node table uses. */
static void site_name(const struct sim *s, const struct site *t, char *buf, size_t size)
{
    ax_map_site_name(s->g, t->node, buf, size);
}

/* Counting mode: each site's distribution, from the profile or the default. */
static ax_status plan_counting(struct sim *s)
{
    struct ax_synth_fit fit;
    struct ax_synth_pmf def;
    ax_synth_fit_default(&def, &fit);
    struct ax_sim_synthetic *syn = &s->r->synthetic;
    syn->is_synthetic = 1;
    memcpy(syn->target_hist_t3, fit.target_hist_t3, sizeof syn->target_hist_t3);
    syn->target_spikes_per_element = fit.target_spikes_per_element;
    syn->target_zero_fraction = fit.target_zero_fraction;
    syn->source = "SpikingBrain report §5.5, Fig. 9 (SpikingBrain-7B, k = 3)";
    struct ax_synth_profile prof;
    int has_profile = 0;
    if (s->o->profile) {
        ax_status st = ax_synth_profile_load(s->o->profile, &prof, s->diags);
        if (st != AX_OK)
            return st;
        has_profile = 1;
    }
    /* Sites of one value share the lead's draw, so only a lead's
     * distribution is used: the profile's histogram of the first of the
     * value's sites in graph order that the profile has (the lead's own
     * when it has it; a profile written by a functional run holds the same
     * histogram for all of them), else the default. */
    uint8_t *is_matched = ax_mem_calloc(s->n_sites + 1, 1);
    if (!is_matched) {
        if (has_profile)
            ax_synth_profile_free(&prof);
        return AX_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < s->n_sites; i++) {
        struct site *t = &s->sites[i];
        char site_name_buf[256];
        site_name(s, t, site_name_buf, sizeof site_name_buf);
        is_matched[i] = has_profile && ax_synth_profile_pmf(&prof, site_name_buf, &t->pmf) == 0;
        if (!is_matched[i])
            t->pmf = def;
    }
    for (uint32_t i = 0; i < s->n_sites; i++) {
        if (s->sites[i].lead != i || is_matched[i])
            continue;
        uint32_t first = NONE; /* node of the first matched site of this value */
        for (uint32_t j = 0; j < s->n_sites; j++) {
            const struct site *u = &s->sites[j];
            if (u->lead == i && is_matched[j] && (first == NONE || u->node < first)) {
                first = u->node;
                s->sites[i].pmf = u->pmf;
            }
        }
    }
    ax_mem_free(is_matched);
    if (has_profile)
        ax_synth_profile_free(&prof);
    return AX_OK;
}

/* ---- results ---------------------------------------------------------------------------- */

static ax_status finish_sparsity(struct sim *s)
{
    struct ax_sim_result *r = s->r;
    struct ax_spike_stats *tmp = ax_mem_calloc(s->n_sites + 1, sizeof *tmp);
    if (!tmp)
        return AX_ERR_NOMEM;
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->n_sites; i++)
        if (!s->sites[i].is_query)
            tmp[n++] = s->sites[i].stats;
    ax_spike_stats_summary_total(tmp, n, &r->sparsity);
    for (uint32_t l = 0; l < r->n_layers; l++) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < s->n_sites; i++)
            if (!s->sites[i].is_query && s->node_layer[s->sites[i].node] == l)
                tmp[k++] = s->sites[i].stats;
        if (k)
            ax_spike_stats_summary_total(tmp, k, &r->layers[l].sparsity);
    }
    ax_mem_free(tmp); /* the stats' arrays stay with the sites */
    sim_finish_ideal(r);
    return AX_OK;
}

static ax_status finish_cores(struct sim *s)
{
    struct ax_sim_result *r = s->r;
    ax_status st = sim_finish_tables(r, s->arch, s->n_cores, s->core_cnt, s->st.busy, &s->net);
    if (st != AX_OK)
        return st;
    for (uint32_t b = 0; b < s->map->n_blocks; b++) {
        const struct ax_map_block *blk = &s->map->blocks[b];
        if (!blk->is_dram && blk->core < s->n_cores)
            r->cores[blk->core].sram_bytes += (double)blk->bytes;
    }
    for (uint32_t c = 0; c < s->n_cores; c++)
        r->cores[c].is_used = r->cores[c].sram_bytes > 0 || r->cores[c].energy_j > 0;
    return AX_OK;
}

void ax_sim_result_free(struct ax_sim_result *r)
{
    ax_mem_free(r->layers);
    ax_mem_free(r->cores);
    ax_mem_free(r->links);
    ax_mem_free(r->steps);
    memset(r, 0, sizeof *r);
}

/* ---- running ------------------------------------------------------------------------------ */

/* The progress bar on stderr: redrawn when the share done moves a step. */
static void progress(struct sim *s, uint64_t done, uint64_t total)
{
    enum { WIDTH = 30 };
    if (!s->o->progress || !total)
        return;
    uint32_t fill = (uint32_t)(done * WIDTH / total);
    if (fill == s->progress_drawn && done != total)
        return;
    s->progress_drawn = fill;
    fprintf(stderr, "\rsimulating [%.*s%*s] token %u of %u", (int)fill,
            "==============================", (int)(WIDTH - fill), "", s->token_index + 1, s->r->tokens);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

static ax_status validate_token(struct sim *s)
{
    struct ax_func_cmp cmp;
    ax_status st = ax_func_compare(s->func, s->ref, &cmp);
    if (st != AX_OK)
        return st;
    struct ax_sim_validation *v = &s->r->validation;
    v->n_values_checked += cmp.n_checked;
    if (cmp.n_mismatch && !v->n_mismatches)
        snprintf(v->first_mismatch, sizeof v->first_mismatch, "token %u: %.160s", s->token_index,
                 cmp.first_mismatch);
    v->n_mismatches += cmp.n_mismatch;
    if (cmp.logits_rel_err > v->max_rel_err || isnan(cmp.logits_rel_err))
        v->max_rel_err = cmp.logits_rel_err;
    return AX_OK;
}

static ax_status open_functional(struct sim *s, const struct ax_model *model)
{
    if (!model || !model->weights) {
        ax_diag_add(s->diags, AX_DIAG_ERROR, model ? model->dir : NULL, 0, 0,
                    "functional mode needs a model with weights; this one is shape-only "
                    "(use --mode counting)");
        return AX_ERR_USAGE;
    }
    if (s->o->context) {
        ax_diag_add(s->diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "--context is for counting mode; in functional mode the prompt is the context");
        return AX_ERR_USAGE;
    }
    ax_status st = ax_func_open(model, s->g, s->map, s->spike, &s->func, s->diags);
    if (st != AX_OK)
        return st;
    struct ax_sim_validation *v = &s->r->validation;
    v->reference = "w8spike";
    if (!ax_ref_has_llvm()) {
        ax_diag_add(s->diags, AX_DIAG_WARNING, NULL, 0, 0,
                    "this build has no LLVM: the run is not validated against the reference");
        return AX_OK;
    }
    struct ax_ref_options ro;
    ax_ref_options_default(&ro);
    ro.precision = AX_REF_PRECISION_W8SPIKE;
    ro.spike = *s->spike;
    st = ax_ref_session_open(model, &ro, &s->ref, s->diags);
    v->is_done = st == AX_OK;
    return st;
}

static ax_status write_profile(struct sim *s)
{
    const char **names = ax_mem_calloc(s->n_sites + 1, sizeof *names);
    char *buf = ax_mem_alloc((size_t)(s->n_sites + 1) * 256);
    const uint64_t **hists = ax_mem_calloc(s->n_sites + 1, sizeof *hists);
    ax_status st = AX_ERR_NOMEM;
    if (names && buf && hists) {
        for (uint32_t i = 0; i < s->n_sites; i++) {
            site_name(s, &s->sites[i], buf + (size_t)i * 256, 256);
            names[i] = buf + (size_t)i * 256;
            hists[i] = s->sites[i].mag_hist;
        }
        st = ax_synth_profile_write(s->o->profile_out, s->r->model_name, names, hists, s->n_sites,
                                    s->diags);
    }
    ax_mem_free(names);
    ax_mem_free(buf);
    ax_mem_free(hists);
    return st;
}

static void sim_free(struct sim *s)
{
    for (uint32_t i = 0; i < s->n_sites; i++) {
        ax_mem_free(s->sites[i].grp_first);
        ax_mem_free(s->sites[i].dst);
        ax_mem_free(s->sites[i].counts);
        ax_mem_free(s->sites[i].mag_hist);
        ax_spike_stats_free(&s->sites[i].stats);
    }
    ax_mem_free(s->sites);
    ax_mem_free(s->node_core);
    ax_mem_free(s->node_layer);
    ax_mem_free(s->node_site);
    ax_mem_free(s->object_of);
    ax_mem_free(s->core_cnt);
    ax_trace_close(s->trace);
    eng_round_free(&s->round);
    eng_state_free(&s->st);
    eng_net_free(&s->net);
    if (s->func)
        ax_func_close(s->func);
    if (s->ref)
        ax_ref_session_close(s->ref);
}

ax_status ax_sim_run(const struct ax_ir_graph *g, const struct ax_map *map, const ax_arch_t *arch,
                     const struct ax_model *model, const struct ax_spike_options *spike,
                     const int32_t *tokens, uint32_t n_tokens, const struct ax_sim_options *o,
                     struct ax_sim_result *out, struct ax_diag_list *diags)
{
    const struct ax_system_desc *sys = ax_arch_desc(arch);
    struct ax_sim_result *r = out;
    memset(r, 0, sizeof *r);
    r->model_name = g->name;
    r->params = model ? (double)model->counts.n_params : 0;
    r->chip_name = sys->name;
    r->chips_used = map->n_chips;
    r->cores_used = map->n_cores_used;
    r->cores_per_chip = map->cores_per_chip;
    r->mesh_w = sys->chip.mesh_width;
    r->mesh_h = sys->chip.mesh_height;
    r->cores_per_tile = sys->chip.cores_per_tile;
    r->chip_grid_w = map->chip_grid_w ? map->chip_grid_w : 1;
    r->clock_hz = sys->chip.clock_hz;
    r->mode = o->mode;
    r->timing = o->timing;
    r->engine = ax_sim_engine_str(o->engine);
    r->tokens = n_tokens;
    r->context = o->context;
    r->seed = o->seed;
    r->threads = o->threads ? o->threads : 1;
    r->spike = *spike;

    struct sim s;
    memset(&s, 0, sizeof s);
    s.g = g;
    s.map = map;
    s.arch = arch;
    s.o = o;
    s.spike = spike;
    s.r = r;
    s.diags = diags;
    s.n_cores = map->n_chips * map->cores_per_chip;
    ax_status st = eng_net_init(&s.net, arch, map->n_chips, r->chip_grid_w);
    if (st == AX_OK)
        st = eng_state_init(&s.st, s.n_cores, map->n_chips, r->threads,
                            o->timing == AX_SIM_TIMING_ANALYTIC);
    if (st == AX_OK)
        st = eng_round_init(&s.round, s.n_cores);
    if (st == AX_OK && o->trace) {
        if (o->engine == AX_SIM_ENGINE_SYSTEMC) {
            /* the SystemC engine times rounds with the shared pieces but in
             * its own processes, which do not record (docs/trace.md) */
            ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                        "--trace records the native engine's events; use --engine native");
            st = AX_ERR_UNSUPPORTED;
        } else {
            struct ax_arena names;
            ax_arena_init(&names, 0);
            const char **node_names = ax_arena_calloc(&names, g->n_nodes + 1, sizeof *node_names);
            st = node_names ? ax_ir_node_names(g, &names, node_names) : AX_ERR_NOMEM;
            if (st == AX_OK)
                st = ax_trace_open(&s.trace, node_names, g->n_nodes, map->n_chips,
                                   map->cores_per_chip,
                                   o->trace_limit ? o->trace_limit : AX_SIM_TRACE_LIMIT);
            ax_arena_free(&names);
            s.st.trace = s.trace;
        }
    }
    if (st == AX_OK) {
        s.core_cnt = ax_mem_calloc((size_t)s.n_cores * AX_LEDGER_COUNT, sizeof *s.core_cnt);
        st = s.core_cnt ? AX_OK : AX_ERR_NOMEM;
    }
    if (st == AX_OK) {
        costs_init(&s);
        st = plan(&s);
    }
    if (st == AX_OK)
        st = o->mode == AX_SIM_COUNTING ? plan_counting(&s) : open_functional(&s, model);

    for (uint32_t t = 0; t < n_tokens && st == AX_OK; t++) {
        s.token_index = t;
        s.position = o->context + t;
        s.token = tokens ? tokens[t] : 0;
        if (s.func)
            st = ax_func_step(s.func, s.token, diags);
        if (st == AX_OK && s.ref)
            st = ax_ref_session_step(s.ref, s.token, diags);
        if (st == AX_OK && s.ref)
            st = validate_token(&s);
        for (uint32_t id = 0; id < g->n_nodes && st == AX_OK; id++) {
            st = run_node(&s, id);
            progress(&s, (uint64_t)t * g->n_nodes + id + 1, (uint64_t)n_tokens * g->n_nodes);
        }
    }
    if (st == AX_OK) {
        r->validation.is_bit_exact = r->validation.is_done && r->validation.n_mismatches == 0;
        sim_finish_ledger(r, arch, s.run_cnt);
        st = finish_sparsity(&s);
    }
    if (st == AX_OK)
        st = finish_cores(&s);
    if (st == AX_OK && o->profile_out)
        st = write_profile(&s);
    if (st == AX_OK && s.trace)
        st = ax_trace_write(s.trace, r->seconds, o->trace, diags);
    sim_free(&s);
    if (st != AX_OK)
        ax_sim_result_free(r);
    return st;
}
