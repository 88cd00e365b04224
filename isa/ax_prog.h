/* The program container (.axb): what the compiler hands the simulator.
 *
 * A program holds, for a chip of `n_cores` cores with `sram_words` words of
 * SRAM each: per-core code (ax_isa.h), weight blocks (references to
 * checkpoint tensors, by name and row/column range, resident in a core's SRAM
 * or streamed from DRAM), routing entries (a source core and its
 * destination cores), float constants, a map from instructions back to graph
 * IR nodes for reports, and free-form metadata.
 *
 * File layout (little-endian; docs/isa.md has the field tables):
 *
 *   header      48 bytes: magic "AXONPRG\0", version, header size, number of
 *               sections, n_cores, sram_words, file size, CRC-32 of header
 *               and section table
 *   sections    n x 24 bytes: kind, CRC-32, offset, size
 *   data        each section 8-byte aligned, in table order
 *
 * Loading validates everything (magic, version, truncation, checksums,
 * section bounds and overlaps, records, instruction words, core indices,
 * SRAM addresses, weight and route references) and reports each problem
 * with the byte offset where it was found. A program written by
 * ax_prog_write and read back writes the same bytes again, and the text
 * form (ax_prog_print, ax_prog_parse) round-trips to the same bytes. */
#ifndef AX_PROG_H
#define AX_PROG_H

#include "ax_arena.h"
#include "ax_diag.h"
#include "ax_status.h"

#include <stdint.h>
#include <stdio.h>

struct ax_prog_meta {
    const char *key, *value;
};

struct ax_prog_weight {   /* block id = index */
    uint32_t core;
    const char *tensor;   /* checkpoint tensor name */
    uint32_t row0, rows, col0, cols;
    uint8_t is_dram;      /* streamed from off-chip DRAM rather than resident */
};

struct ax_prog_route {    /* route id = index */
    uint32_t src;
    uint32_t n_dst;
    uint32_t *dst;
};

struct ax_prog_code {
    uint32_t core;
    uint32_t n_instr;
    uint64_t *words;
};

struct ax_prog_opmap {    /* instructions [first, first + count) of `core` implement IR node `node` */
    uint32_t core, first, count, node;
};

struct ax_prog {
    uint32_t n_cores, sram_words;
    struct ax_prog_meta *meta;
    uint32_t n_meta;
    struct ax_prog_weight *weights;
    uint32_t n_weights;
    struct ax_prog_route *routes;
    uint32_t n_routes;
    float *consts;
    uint32_t n_consts;
    struct ax_prog_code *code; /* ascending core, each core at most once */
    uint32_t n_code;
    struct ax_prog_opmap *opmap;
    uint32_t n_opmap;
    struct ax_arena arena;     /* owns every array and string above */
};

/* The SRAM (or DRAM) bytes of a weight block as cores hold it: int8 codes
 * padded to whole 4-byte words, a float32 scale per row and group of 128
 * columns, an int32 accumulator per row. */
uint64_t ax_prog_weight_bytes(uint64_t rows, uint64_t cols);

/* Prints the summary `axon inspect PROG.axb` shows: cores and chips used,
 * SRAM per core, DRAM bytes, instructions, and the traffic the compiler
 * estimated (placed and naive), as text or one JSON object. */
ax_status ax_prog_print_summary(const struct ax_prog *p, const char *path, FILE *out, int is_json);

void ax_prog_init(struct ax_prog *p, uint32_t n_cores, uint32_t sram_words);

/* Sets metadata `key` to `value` (both copied), replacing an earlier value;
 * AX_ERR_NOMEM. ax_prog_meta returns a key's value or NULL. */
ax_status ax_prog_set_meta(struct ax_prog *p, const char *key, const char *value);
const char *ax_prog_meta(const struct ax_prog *p, const char *key);
void ax_prog_free(struct ax_prog *p);

/* Checks references and ranges (the same checks as loading, on a program in
 * memory); `file` names it in diagnostics. */
ax_status ax_prog_validate(const struct ax_prog *p, const char *file, struct ax_diag_list *diags);

/* Serializes `p` (validated first) into a fresh buffer *out of *len bytes,
 * freed with ax_mem_free. */
ax_status ax_prog_encode(const struct ax_prog *p, unsigned char **out, size_t *len,
                         struct ax_diag_list *diags);
/* Reads a program from `len` bytes; `file` names it in diagnostics. On
 * failure `p` holds nothing that needs more than ax_prog_free. */
ax_status ax_prog_decode(struct ax_prog *p, const char *file, const unsigned char *data, size_t len,
                         struct ax_diag_list *diags);

/* Recomputes every checksum of an encoded program in place: for tools and
 * tests that patch a field and want the loader to judge the content. */
void ax_prog_reseal(unsigned char *data, size_t len);

/* Files: read and validate; write atomically. */
ax_status ax_prog_load(struct ax_prog *p, const char *path, struct ax_diag_list *diags);
ax_status ax_prog_save(const struct ax_prog *p, const char *path, struct ax_diag_list *diags);

/* The assembler text form (docs/isa.md). */
ax_status ax_prog_print(const struct ax_prog *p, FILE *out);
ax_status ax_prog_parse(struct ax_prog *p, const char *file, const char *text, size_t len,
                        struct ax_diag_list *diags);

#endif
