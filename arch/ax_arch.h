/* The chip description: loaded once from YAML into an immutable arch.
 *
 * Place in the pipeline: chip YAML -> arch (this module) -> machine ->
 * mapping -> simulation. An arch is a read-only value: the simulator, the
 * mapper and the reports read its description through ax_arch_desc() and
 * never change it. Two input formats are read: axon's own (docs/chip-format.md)
 * and SANA-FE's architecture format (docs/sources.md: sanafe).
 *
 * The model: a system of chips (a fixed count, a maximum, or open for the
 * compiler to choose) joined by inter-chip links; a chip is a 2D mesh of
 * tiles, one router each; a tile holds cores; a core has SRAM, the five
 * SANA-FE pipeline units and a dense vector unit. All tiles of a chip are
 * alike and so are all cores. Energies are in joules, times in seconds,
 * sizes in bytes, powers in watts. */
#ifndef AX_ARCH_H
#define AX_ARCH_H

#include "ax_diag.h"
#include "ax_status.h"

#include <stdint.h>
#include <stdio.h>

enum ax_unit {
    AX_UNIT_AXON_IN,
    AX_UNIT_SYNAPSE,
    AX_UNIT_DENDRITE,
    AX_UNIT_SOMA,
    AX_UNIT_AXON_OUT,
    AX_UNIT_COUNT
};

enum ax_event {
#define X(unit, ev, ekey, lkey, meaning) AX_EVENT_##unit##_##ev,
#include "ax_events.def"
#undef X
    AX_EVENT_COUNT
};

enum ax_dense_op {
#define X(op, key, meaning) AX_DENSE_##op,
#include "ax_dense.def"
#undef X
    AX_DENSE_COUNT
};

/* What a chip description may declare, from what the tools can hold; the
 * reader refuses more, naming the limit and the value, before anything is
 * sized from it.
 * - SRAM per core: the instruction format addresses 65536 words of 4 bytes
 *   (mapping/emit.c checks that the two agree);
 * - cores per chip: the mapper visits and orders every core of a chip
 *   whatever it uses (65536 is 16 times a TrueNorth);
 * - cores of a system (fixed chips, or max_chips): the mapper keeps a word
 *   or two per core and core ids travel as 32-bit numbers;
 * - clock: 1 kHz to 1 THz, beyond which no report's times mean anything. */
#define AX_ARCH_MAX_SRAM_BYTES 262144u
#define AX_ARCH_MAX_CORES_PER_CHIP 65536u
#define AX_ARCH_MAX_CORES (1u << 22)
#define AX_ARCH_MIN_CLOCK_HZ 1e3
#define AX_ARCH_MAX_CLOCK_HZ 1e12

enum ax_dir { AX_DIR_NORTH, AX_DIR_EAST, AX_DIR_SOUTH, AX_DIR_WEST, AX_DIR_COUNT };

enum ax_chip_format { AX_CHIP_FORMAT_AXON, AX_CHIP_FORMAT_SANAFE, AX_CHIP_FORMAT_COUNT };

enum ax_sync_model { AX_SYNC_FIXED, AX_SYNC_TABLE, AX_SYNC_COUNT };

/* Where a group of numbers comes from: the `source:` text written beside them
 * (NULL when none was written) and whether they were marked `estimate: true`. */
struct ax_provenance {
    const char *source;
    uint8_t is_estimate;
};

struct ax_cost {
    double energy_j;  /* per event or per element */
    double latency_s; /* per event or per element, on one lane */
};

struct ax_unit_desc {
    const char *name;  /* the name the description gave, or the unit key */
    uint32_t lanes;    /* events served in parallel */
    struct ax_provenance prov;
};

struct ax_sram_desc {
    double capacity_bytes;  /* 0 when the description does not say (SANA-FE) */
    double width_bits;      /* bits per access */
    double energy_read_j;   /* per access of width_bits */
    double energy_write_j;
    double latency_s;       /* per access */
    struct ax_provenance prov;
};

struct ax_dram_desc {
    uint8_t is_present;
    double capacity_bytes;  /* shown by inspect; not enforced by the mapper */
    double bandwidth_bps;   /* bytes per second */
    double energy_per_byte_j;
    double latency_s;
    struct ax_provenance prov;
};

struct ax_router_desc {
    struct ax_cost hop[AX_DIR_COUNT]; /* per hop leaving a router in that direction */
    struct ax_cost local;             /* a spike between cores of one tile */
    double link_width_bits;
    uint32_t buffer_packets;          /* SANA-FE's link_buffer_size (default 16);
                                         not modelled: link queues are unbounded */
    uint8_t is_multicast;             /* routers replicate packets: a message to several
                                         cores travels once along the tree of their routes */
    struct ax_cost copy;              /* a packet copied onto another branch of that tree */
    struct ax_provenance prov;
};

struct ax_sync_table_entry {
    uint32_t n_tiles;
    double latency_s;
};

struct ax_sync_desc {
    enum ax_sync_model model;
    double latency_s;                     /* AX_SYNC_FIXED */
    struct ax_sync_table_entry *table;    /* AX_SYNC_TABLE, ascending n_tiles */
    uint32_t n_table;
    double energy_j;                      /* per chip taking part, per barrier */
    /* dataflow synchronisation (--sync dataflow): what a receiver pays for
     * each handshake that tells it a sender's events of a phase are all
     * sent; 0 where the file gives none (is_handshake_known 0) */
    double handshake_latency_s, handshake_energy_j;
    uint8_t is_handshake_known;
    struct ax_provenance prov;
};

struct ax_link_desc {                     /* inter-chip link */
    double energy_per_byte_j;
    double latency_s;
    double bandwidth_bps;
    struct ax_provenance prov;
};

/* A neuron's state in SRAM: one 32-bit accumulator word of the program (a
 * buffer of kind acc, docs/program.md), on every chip. */
#define AX_NEURON_STATE_BYTES 4u

struct ax_core_desc {
    uint32_t max_neurons;
    struct ax_sram_desc sram;
    double static_power_w;                /* per core */
    struct ax_unit_desc unit[AX_UNIT_COUNT];
    struct ax_cost event[AX_EVENT_COUNT];
    struct ax_unit_desc dense;
    struct ax_cost dense_op[AX_DENSE_COUNT];
};

struct ax_chip_desc {
    double clock_hz;                      /* 0 when not described (SANA-FE) */
    uint32_t mesh_width, mesh_height;     /* tiles */
    uint32_t cores_per_tile;
    double static_power_w;                /* per chip, beyond its cores */
    struct ax_provenance static_prov;     /* of both static powers */
    struct ax_sync_desc sync;
    struct ax_router_desc router;
    struct ax_dram_desc dram;
    struct ax_core_desc core;
};

struct ax_system_desc {
    const char *name;
    const char *description;              /* may be NULL */
    const char *path;                     /* the file it was loaded from */
    enum ax_chip_format format;
    const char **sources;                 /* the bibliography the file lists */
    uint32_t n_sources;
    uint8_t is_chips_open;                /* the compiler chooses the number of chips */
    uint32_t n_chips;                     /* fixed count; 0 when open */
    uint32_t max_chips;                   /* 0: no maximum */
    struct ax_link_desc interchip;
    struct ax_chip_desc chip;
};

typedef struct ax_arch ax_arch_t;

/* Loads the chip description at `path` (either format, told apart by its
 * top-level keys). Returns AX_OK and a new arch in *out, or an error status
 * with every problem found in `diags` (file:line:col each); warnings (unknown
 * keys, assumptions) may accompany success. The caller frees the arch. */
ax_status ax_arch_load(const char *path, ax_arch_t **out, struct ax_diag_list *diags);

/* The same from text already in memory; `path` is used in messages only. */
ax_status ax_arch_load_text(const char *path, const char *text, size_t len, ax_arch_t **out,
                            struct ax_diag_list *diags);

void ax_arch_free(ax_arch_t *arch);

/* The description; valid as long as the arch. */
const struct ax_system_desc *ax_arch_desc(const ax_arch_t *arch);

/* Derived figures of ONE chip. */
uint32_t ax_arch_tiles_per_chip(const ax_arch_t *arch);
uint32_t ax_arch_cores_per_chip(const ax_arch_t *arch);
/* Chips the description fixes: n_chips, or 1 when the count is open. */
uint32_t ax_arch_n_chips(const ax_arch_t *arch);
/* Peak synaptic operations per second of one chip: cores x synapse lanes /
 * latency per synaptic op; 0 if that latency is 0. */
double ax_arch_peak_sops(const ax_arch_t *arch);
/* Static power of one chip: its own plus every core's. */
double ax_arch_chip_static_power(const ax_arch_t *arch);
/* Barrier latency when `n_tiles` tiles take part: the fixed value, or the
 * table entry of the smallest key >= n_tiles (the largest key beyond it). */
double ax_arch_sync_latency(const ax_arch_t *arch, uint32_t n_tiles);

/* Names: "axon_in", ..., "process_spike", ..., "add", ..., "north", ... */
const char *ax_unit_str(enum ax_unit unit);
const char *ax_event_energy_key(enum ax_event ev);
const char *ax_event_latency_key(enum ax_event ev);
enum ax_unit ax_event_unit(enum ax_event ev);
const char *ax_event_meaning(enum ax_event ev);
const char *ax_dense_op_str(enum ax_dense_op op);
const char *ax_dense_op_meaning(enum ax_dense_op op);
const char *ax_dir_str(enum ax_dir dir);
const char *ax_chip_format_str(enum ax_chip_format format);

/* Writes a summary for a person (is_json 0) or one JSON object (is_json 1)
 * to `out`. The JSON has at least chips, chips_open, tiles, cores, neurons,
 * sram_bytes, static_power_w, peak_sops and sources. */
ax_status ax_arch_print_summary(const ax_arch_t *arch, FILE *out, int is_json);

#endif
