/* Mapping: partitions a model's weight matrices and state into core-sized
 * blocks, decides where every graph node's value lives, places all of them
 * on the cores of one or more chips, and estimates the spike and
 * partial-sum traffic a token causes.
 *
 * Place in the pipeline: graph IR -> mapping (this module) -> code emission
 * (ax_map_emit) -> program (.axb) -> simulator.
 *
 * Partitioning: a weight matrix W [rows x cols] is held as int8 codes plus a
 * float32 scale per row and group of 128 inputs, and each row needs one int32
 * accumulator (a neuron) on its core. Blocks are aligned to the groups: a
 * block takes whole groups of 128 columns (the last group of a matrix may be
 * shorter), so each core scales its own partial sums. A block of a dense
 * (non-spiking) matrix also keeps an inbox of `cols` words for its input.
 * State (the GLA state, the sliding-window K/V cache) is split by heads or
 * window positions; a state block also keeps the inboxes of the operands it
 * receives and its share of the output.
 *
 * Values: every node whose value lives on chip gets one VALUE object, right
 * after the node's own objects, so it lands next to them on the Hilbert
 * order. It holds the value vector and what the node and its consumers
 * need on that core (ax_map_value_needs). Its core is where the node's
 * dense work runs and where its partial sums go; `node_value` records it
 * once, so nothing downstream derives it again. A value larger than a core
 * is split into row shards (its blocks), aligned to the node's weight
 * blocks so each block's partial sums go to one shard.
 *
 * Placement (docs/mapping.md): blocks are packed first-fit into cores taken
 * along a Hilbert curve over each chip's mesh, so that a matrix's blocks sit
 * close together and close to the next matrix, or into slots of 1/K of a
 * core folded over the cores (--spread K), so that a matrix spreads over K
 * times as many cores, each holding K slices of the model; simulated annealing then
 * swaps the contents of cores to lower the estimated hop-bytes per token.
 * The naive placement packs the same blocks into cores in row-major order;
 * both are reported. Everything is deterministic for a given seed. */
#ifndef AX_MAP_H
#define AX_MAP_H

#include "ax_arch.h"
#include "ax_arena.h"
#include "ax_diag.h"
#include "ax_ir.h"
#include "ax_isa.h"
#include "ax_prog.h"
#include "ax_spike.h"
#include "ax_status.h"

#include <stdint.h>
#include <stdio.h>

enum ax_map_kind {
    AX_MAP_WEIGHTS, /* a weight matrix: int8 codes, group scales, accumulators */
    AX_MAP_STATE,   /* recurrent state or K/V cache, with its operands' inboxes */
    AX_MAP_VALUE,   /* a node's value vector and what its consumers need there */
    AX_MAP_KIND_COUNT
};

/* What a VALUE object holds besides the value (`rows` float32 words). The
 * emitter lays a shard out in this order: value, inbox, counts, threshold,
 * parameters, table, scalar, extra inbox, scratch (mapping/emit.c). When a
 * value has both an inbox and counts, the counts buffer is the inbox too:
 * the operand that arrives there is used up before the value is encoded.
 * Only a value with no needs is split into shards. */
struct ax_map_value_needs {
    uint8_t n_inboxes;      /* operands that arrive from other cores, `rows` words each */
    uint8_t has_counts;     /* a spiking consumer: int32 counts (`rows`) and a threshold word */
    uint8_t has_param;      /* float32 parameters, one per row (norm weight or bias) */
    uint8_t has_scalar;     /* one word for a reduction (the router's softmax) */
    uint32_t table_words;   /* RoPE inverse frequencies (head_dim / 2) */
    uint32_t extra_inbox_words; /* an operand of another length (the MoE router's weights) */
    uint32_t scratch_words; /* MoE experts: the gate and up vectors of one expert */
    uint8_t has_totals;     /* a stream RMSNorm cut into shards: two running totals
                             * (AX_ISA_TOTAL_WORDS each), the one its chain passes on and the
                             * one the last shard sends back to all */
};

struct ax_map_object {          /* one matrix, state or value object of the graph */
    enum ax_map_kind kind;
    uint32_t node;              /* the IR node it belongs to */
    const char *name;           /* tensor name, or a description of the state or value */
    uint32_t rows, cols;        /* weights: out x in; state: rows x row_bytes; value: rows x 1 */
    uint8_t is_spiking;         /* weights: its input arrives as spike events */
    uint8_t is_float;           /* weights: float32 values, as the model keeps them unquantized
                                 * (quant none: the embedding, lm_head, dense linears of
                                 * w8spike), not int8 codes and group scales */
    uint32_t producer;          /* weights: the VALUE object of its input, or UINT32_MAX */
    uint32_t dest;              /* weights: the VALUE object its partial sums go to, or UINT32_MAX */
    uint32_t first_block, n_blocks;
    uint32_t home;              /* value, state: core of its first block; weights: core of
                                 * the value shard its first block's partial sums go to */
    struct ax_map_value_needs needs; /* value only */
    uint32_t state_row_words;   /* state: inbox and output words per row (GLA: q and out of a head) */
    uint32_t state_fixed_words; /* state: inbox and output words per block; a K/V ring: per kv
                                 * head its blocks hold */
    uint32_t kv_window;         /* a K/V ring: keys per kv head (rows h x window + slot), or 0 */
    uint32_t kv_part_words;     /* a K/V ring: the words of one block's partial attention (its
                                 * query heads' outputs, each with its max and sum) */
    uint32_t shard_lead;        /* value: the gate value of the SwiGLU group it is sharded with
                                 * (gate, up and SwiGLU values cut by gate's row ranges, shard
                                 * r of each on one core); for a GLA's operand cut by its
                                 * matrix's row ranges (each shard beside the head that reads
                                 * its first rows), that GLA's state object; or UINT32_MAX */
    uint8_t is_stream;          /* value: a part of the residual stream cut into row shards
                                 * (ax_map.stream_rows each): the adds, the RMSNorms over the
                                 * whole vector and the projections the adds read; shard r of
                                 * each lies with shard r of the value it reads (packing) */
    uint32_t reduce_fanin;      /* weights: the fan-in of the trees its partial sums are added
                                 * along (ax_map_reduce_parent), or 0: flat, each block's go
                                 * straight to the value */
    uint32_t banks;             /* state: the sequences it holds (--batch), each a bank of
                                 * rows x cols bytes */
    uint32_t gla_cols;          /* a GLA state too large for a core by heads: cut by value
                                 * columns, its rows (head, column) pairs h x gla_cols + e of
                                 * one column each (cols = 4 x head_dim bytes); 0: rows are
                                 * heads */
    uint32_t pair_words;        /* weights: words after each block's accumulators for the
                                 * (value, index) pairs of an argmax tree (lm_head under
                                 * --logits argmax: its own and AX_MAP_PAIR_FANIN children's),
                                 * or 0 */
};

struct ax_map_block {
    uint32_t object;
    uint32_t row0, rows, col0, cols;
    uint64_t bytes;             /* SRAM (or DRAM) it takes */
    uint32_t core;              /* global core index */
    uint8_t is_dram;            /* streamed from off-chip DRAM */
};

/* How the matrices the model keeps in float32 (quant none: the embedding,
 * lm_head, gk_proj.1, down_proj under --spike released) are stored. */
enum ax_map_float_weights {
    AX_MAP_FLOAT_KEEP, /* float32 values: the program computes exactly what the reference does */
    AX_MAP_FLOAT_INT8, /* int8 codes and group scales like the quantized matrices: 4x less
                        * memory, values no longer the reference's */
    AX_MAP_FLOAT_AUTO, /* keep for a model with weights (its values are checked), int8 for a
                        * shape-only one (nothing to be exact to); ax_mapped_open resolves it */
    AX_MAP_FLOAT_COUNT
};
const char *ax_map_float_weights_str(enum ax_map_float_weights f); /* "keep", "int8", "auto" */
int ax_map_float_weights_parse(const char *s, enum ax_map_float_weights *out); /* 0 or -1 */

/* What lm_head leaves on chip (--logits). */
enum ax_map_logits {
    AX_MAP_LOGITS_FULL,   /* every logit, in lm_head's value */
    AX_MAP_LOGITS_ARGMAX, /* the largest logit and its token id: each row range's core takes
                           * the pair of its rows, a tree of fan-in AX_MAP_PAIR_FANIN the
                           * largest pair, into lm_head's value of two words */
    AX_MAP_LOGITS_COUNT
};
const char *ax_map_logits_str(enum ax_map_logits l);             /* "full", "argmax" */
int ax_map_logits_parse(const char *s, enum ax_map_logits *out); /* 0 or -1 */

/* The fan-in of lm_head's argmax tree (--logits argmax). */
#define AX_MAP_PAIR_FANIN 8u

struct ax_map_options {
    double spikes_per_element;  /* events per input value, for traffic estimates */
    uint64_t seed;              /* simulated annealing */
    uint32_t anneal_moves;      /* 0: a default scaled to the number of cores */
    enum ax_map_float_weights float_weights;
    uint32_t reduce_fanin;      /* partial sums of blocks that share rows are added along a
                                 * tree of this fan-in (2 by default); 0: flat, every block
                                 * sends its own to the value */
    uint32_t reduce_chunk;      /* a tree forwards its partial sums in chunks of at most this
                                 * many rows, as many as it has levels, so that its levels
                                 * overlap (256 by default); 0: a block's rows at once */
    uint32_t relay;             /* 1 (default): an input many cores need reaches them along
                                 * relay trees, the cores passing it on; 0: its core sends it
                                 * to each (routers that replicate packets do not relay) */
    uint32_t ring_keys;         /* a K/V window's keys on one core: at most this many (128 by
                                 * default), its blocks' partial attentions combined along a
                                 * tree (AX_MAP_RING_FANIN); 0: as many as the core holds */
    uint32_t spread;            /* slots a core: weight blocks are cut to 1/spread of a
                                 * core's SRAM and neurons and packed into slots, and the
                                 * slots folded over the cores, so a core holds `spread`
                                 * slices of the model far apart in it and a matrix spreads
                                 * over `spread` times as many cores. 0 (default): 2, or 1
                                 * for a batch, whose tokens pipeline through the layers
                                 * only where a core's work lies in one */
    enum ax_map_logits logits;  /* full (default) or argmax */
    uint32_t batch;             /* sequences whose state the program holds, a bank each in
                                 * every state block (1 by default, AX_PROG_BATCH_MAX most) */
    uint32_t stream;            /* 1 (default): the residual stream cut into row shards where
                                 * every reader takes shards and the matrices that write it
                                 * have several row ranges; 0: each of its values whole on
                                 * one core */
};

/* The fan-in of the trees a window's partial attentions combine along. */
#define AX_MAP_RING_FANIN 2u

/* The largest fan-in of a reduction tree (--reduce-fanin). */
#define AX_MAP_REDUCE_FANIN_MAX 64u
/* A fan-in: 0 (flat) or 2 .. AX_MAP_REDUCE_FANIN_MAX, in decimal digits
 * alone. 0, or -1 when `s` is not one. */
int ax_map_reduce_fanin_parse(const char *s, uint32_t *out);
/* The largest chunk of a reduction tree (--reduce-chunk). */
#define AX_MAP_REDUCE_CHUNK_MAX 65536u
/* A chunk: 0 (whole) or 1 .. AX_MAP_REDUCE_CHUNK_MAX rows, in decimal
 * digits alone. 0, or -1 when `s` is not one. */
int ax_map_reduce_chunk_parse(const char *s, uint32_t *out);
/* Relays: "on" (1) or "off" (0). 0, or -1 when `s` is neither. */
int ax_map_relay_parse(const char *s, uint32_t *out);
/* The residual stream: "cut" (1) or "whole" (0). 0, or -1 when `s` is neither. */
int ax_map_stream_parse(const char *s, uint32_t *out);
/* The most slots a core (--spread). */
#define AX_MAP_SPREAD_MAX 64u
/* Slots: 1 .. AX_MAP_SPREAD_MAX, in decimal digits alone. 0, or -1 when
 * `s` is not one. */
int ax_map_spread_parse(const char *s, uint32_t *out);
/* A batch: 1 .. AX_PROG_BATCH_MAX sequences, in decimal digits alone. 0,
 * or -1 when `s` is not one. */
int ax_map_batch_parse(const char *s, uint32_t *out);
/* The most keys of a window on one core (--ring-keys). */
#define AX_MAP_RING_KEYS_MAX 1048576u
/* Keys: 0 (as many as fit) or 1 .. AX_MAP_RING_KEYS_MAX, in decimal digits
 * alone. 0, or -1 when `s` is not one. */
int ax_map_ring_keys_parse(const char *s, uint32_t *out);

struct ax_map {
    struct ax_map_object *objects;
    uint32_t n_objects;
    /* Per graph node: the VALUE object that holds its value, or UINT32_MAX
     * (the input token, or a graph built without values). The output and a
     * 76B meta prefix share their operand's value. */
    uint32_t *node_value;
    uint32_t n_nodes;
    struct ax_map_block *blocks;
    uint32_t n_blocks;
    uint32_t n_chips;           /* chips the system gets */
    uint32_t chip_grid_w;       /* chips laid out on a grid this many wide */
    uint32_t cores_per_chip;
    uint32_t n_cores_used;
    uint64_t sram_bytes_used, dram_bytes;
    uint64_t staging_bytes;     /* SRAM every core keeps for blocks streamed from DRAM (0: none stream) */
    uint64_t sram_min, sram_max; /* per used core */
    uint32_t reduce_fanin;      /* as asked (ax_map_options); objects that stream from DRAM
                                 * reduce flat whatever it says */
    uint32_t reduce_chunk;      /* as asked (ax_map_options) */
    uint32_t relay;             /* as asked (ax_map_options) */
    uint32_t ring_keys;         /* as asked (ax_map_options) */
    uint32_t spread;            /* as used: 1 when blocks stream from DRAM */
    enum ax_map_logits logits;  /* as asked (ax_map_options) */
    uint32_t batch;             /* as asked (ax_map_options) */
    uint32_t stream;            /* as asked (ax_map_options) */
    uint32_t stream_rows;       /* rows of each shard of the residual stream (the last may
                                 * hold fewer), or 0: its values whole */
    double traffic_hop_bytes, traffic_hop_bytes_naive; /* per token */
    struct ax_arena arena;
};

/* The defaults: 1.13 spikes per element (SpikingBrain-7B's published
 * average, docs/sources.md: spikingbrain-report §5.5), seed 1, moves scaled
 * to the system. */
void ax_map_default_options(struct ax_map_options *o);

/* Partitions and places the graph `g` (verified) on `arch`. Fails with a
 * diagnostic naming the op, what it needs and what the chip offers when a
 * block cannot fit a core, or when the system's chip count (fixed or
 * maximum) is too small and the chip has no DRAM to stream from. */
ax_status ax_map_build(const struct ax_ir_graph *g, const ax_arch_t *arch,
                       const struct ax_map_options *opt, struct ax_map *out,
                       struct ax_diag_list *diags);
void ax_map_free(struct ax_map *m);

/* The words of a block's weight record (ax_prog_record_words): int8 codes
 * and group scales, or float32 values for an `is_float` object. */
uint64_t ax_map_record_words(const struct ax_map_object *o, uint32_t rows, uint32_t cols);
/* 1 when a weight object's blocks receive their input as float32 values
 * (a dense matrix reading a value): they need an inbox of `cols` words. */
int ax_map_has_inbox(const struct ax_map_object *o);

/* The SRAM bytes a block of `rows` x `cols` of object `o` takes: weights
 * (its record, an int32 accumulator a row, and an inbox when it has one),
 * state (rows x row_bytes in whole words, plus its inboxes and output), or a
 * value shard of `rows` rows with its needs. The emitter lays every block's
 * buffers out within these bytes. */
uint64_t ax_map_block_bytes(const struct ax_map_object *o, uint32_t rows, uint32_t cols);

/* Reduction trees. A projection whose rows do not fit one core has several
 * blocks per row range, one per column range, each with float32 partial
 * sums of the same rows. With a fan-in f (the object's reduce_fanin), the
 * n blocks of a row range form a heap in column order: block j > 0 adds its
 * partial sums into those of block (j - 1) / f, after its own children's;
 * block 0, the root, sends the row range's sums to the value. With f = 0
 * (flat) every block sends its own to the value, which adds them all.
 * A block's parent in the tree, or UINT32_MAX when its partial sums go to
 * the value (the root, flat, not a projection). */
uint32_t ax_map_reduce_parent(const struct ax_map *m, uint32_t block);
/* The blocks of one row range of weight object `o`: its column blocks. */
uint32_t ax_map_range_blocks(const struct ax_map *m, const struct ax_map_object *o);
/* Its children: blocks [*first, *first + *count), in column order. */
void ax_map_reduce_children(const struct ax_map *m, uint32_t block, uint32_t *first, uint32_t *count);

/* The query heads block `block` of a GLA's state holds: head0 .. head0 +
 * heads - 1 (a block of some value columns of one head: that head). */
void ax_map_gla_heads(const struct ax_map *m, uint32_t block, uint32_t *head0, uint32_t *heads);
/* The query heads that read one head_dim row of operand `i` of GLA node `n`
 * (its order q, k, v, gate): 1 for q, heads / kv_heads for the others (a
 * kv head serves that many query heads). */
uint32_t ax_map_gla_group(const struct ax_ir_node *n, uint32_t i);

/* The core of the VALUE object `value`'s shard that holds row `row`
 * (UINT32_MAX when there is none). */
uint32_t ax_map_value_core(const struct ax_map *m, uint32_t value, uint32_t row);

/* The name of a node's spike site, as counting profiles and the program's
 * node table give it: the node's weight tensor without ".weight", or
 * model.layers.N.attn.swa_query for a spiking SWA query; "" for a node that
 * is not a site. Writes at most `size` bytes (NUL-terminated). */
void ax_map_site_name(const struct ax_ir_graph *g, uint32_t node, char *buf, size_t size);

/* The chip keys ax_map_build and ax_map_emit read (docs/chip-format.md's
 * names), recorded in every program as the meta `chip_keys`: a chip that
 * differs from the program's in other keys alone (every cost, the clock,
 * the network's latencies) runs the same program, so a sweep over them
 * needs no new compile. */
#define AX_MAP_CHIP_KEYS                                                                           \
    "system.chips system.max_chips chip.mesh.width chip.mesh.height chip.tile.cores "              \
    "chip.core.max_neurons chip.core.sram.capacity chip.dram chip.dram.capacity "                   \
    "chip.tile.router.multicast"

/* Emits the program of the mapped graph `g` (after the precision pass),
 * with the spiking options `spike` (encoding, fixed T, k): per-core buffers,
 * code for every block and op, the weight blocks as references to the
 * checkpoint tensors, state records, routes, barriers, constants, a node
 * table, an instruction-to-node map, and metadata (model, chip, chips used,
 * traffic placed and naive, the chip keys it read). The program passes ax_prog_validate. Fails
 * with a diagnostic when the cores' SRAM exceeds what the instruction
 * format addresses, or when the graph needs what the emitter does not
 * express (a sharded value that a dense op reads whole). `prog` is
 * initialized here; the caller frees it. */
ax_status ax_map_emit(const struct ax_map *m, const struct ax_ir_graph *g, const ax_arch_t *arch,
                      const struct ax_spike_options *spike, const char *model_name,
                      struct ax_prog *prog, struct ax_diag_list *diags);

/* Writes the mapping's figures: chips and cores used, SRAM per used core
 * (min, mean, max), bytes streamed from DRAM, blocks, and the estimated
 * traffic per token placed and naive, as text or one JSON object. */
ax_status ax_map_print_summary(const struct ax_map *m, const ax_arch_t *arch, FILE *out,
                               int is_json);

#endif
