/* Mapping: partitions a model's weight matrices and state into core-sized
 * blocks, places them on the cores of one or more chips, and estimates the
 * spike and partial-sum traffic a token causes.
 *
 * Place in the pipeline: graph IR -> mapping (this module) -> code emission
 * (ax_map_emit) -> program (.axb) -> simulator.
 *
 * Partitioning: a weight matrix W [rows x cols] is held as int8 codes plus a
 * float32 scale per row and group of 128 inputs, and each row needs one int32
 * accumulator (a neuron) on its core. Blocks are aligned to the groups: a
 * block takes whole groups of 128 columns (the last group of a matrix may be
 * shorter), so each core scales its own partial sums. State (the GLA state,
 * the sliding-window K/V cache) is split by heads or window positions.
 *
 * Placement (docs/mapping.md): blocks are packed first-fit into cores taken
 * along a Hilbert curve over each chip's mesh, so that a matrix's blocks sit
 * close together and close to the next matrix; simulated annealing then
 * swaps the contents of cores to lower the estimated hop-bytes per token.
 * The naive placement packs the same blocks into cores in row-major order;
 * both are reported. Everything is deterministic for a given seed. */
#ifndef AX_MAP_H
#define AX_MAP_H

#include "ax_arch.h"
#include "ax_arena.h"
#include "ax_diag.h"
#include "ax_ir.h"
#include "ax_prog.h"
#include "ax_status.h"

#include <stdint.h>
#include <stdio.h>

enum ax_map_kind {
    AX_MAP_WEIGHTS, /* a weight matrix: int8 codes, group scales, accumulators */
    AX_MAP_STATE,   /* recurrent state or K/V cache: bytes only */
    AX_MAP_KIND_COUNT
};

struct ax_map_object {          /* one matrix or state object of the graph */
    enum ax_map_kind kind;
    uint32_t node;              /* the IR node it belongs to */
    const char *name;           /* tensor name, or a description of the state */
    uint32_t rows, cols;        /* weights: out x in; state: rows x row_bytes */
    uint8_t is_spiking;         /* its input arrives as spike events */
    uint32_t producer;          /* the object whose home core feeds it, or UINT32_MAX */
    uint32_t first_block, n_blocks;
    uint32_t home;              /* core of its first block: receives partial sums */
};

struct ax_map_block {
    uint32_t object;
    uint32_t row0, rows, col0, cols;
    uint64_t bytes;             /* SRAM (or DRAM) it takes */
    uint32_t core;              /* global core index */
    uint8_t is_dram;            /* streamed from off-chip DRAM */
};

struct ax_map_options {
    double spikes_per_element;  /* events per input value, for traffic estimates */
    uint64_t seed;              /* simulated annealing */
    uint32_t anneal_moves;      /* 0: a default scaled to the number of cores */
};

struct ax_map {
    struct ax_map_object *objects;
    uint32_t n_objects;
    struct ax_map_block *blocks;
    uint32_t n_blocks;
    uint32_t n_chips;           /* chips the system gets */
    uint32_t chip_grid_w;       /* chips laid out on a grid this many wide */
    uint32_t cores_per_chip;
    uint32_t n_cores_used;
    uint64_t sram_bytes_used, dram_bytes;
    uint64_t staging_bytes;     /* SRAM every core keeps for blocks streamed from DRAM (0: none stream) */
    uint64_t sram_min, sram_max; /* per used core */
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

/* Emits the program of the mapped graph `g` (after the precision pass):
 * per-core code for every block and op, the weight blocks as references to
 * the checkpoint tensors, the routes, an instruction-to-node map, and
 * metadata (model, chip, chips used, traffic placed and naive). Fails when
 * the cores' SRAM exceeds what the instruction format addresses. */
ax_status ax_map_emit(const struct ax_map *m, const struct ax_ir_graph *g, const ax_arch_t *arch,
                      const char *model_name, struct ax_prog *prog, struct ax_diag_list *diags);

/* Writes the mapping's figures: chips and cores used, SRAM per used core
 * (min, mean, max), bytes streamed from DRAM, blocks, and the estimated
 * traffic per token placed and naive, as text or one JSON object. */
ax_status ax_map_print_summary(const struct ax_map *m, const ax_arch_t *arch, FILE *out,
                               int is_json);

#endif
