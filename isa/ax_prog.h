/* The program container (.axb, format version 2): what the compiler hands
 * the simulator.
 *
 * A program holds, for a chip of `n_cores` cores with `sram_words` words of
 * SRAM each: weight records (references to checkpoint tensors, by name and
 * row/column range, resident in a core's SRAM or streamed from DRAM), the
 * buffers that lay out each core's SRAM by name, recurrent state records,
 * routes (spike events to cores, or float32 vectors to an address on each
 * destination core), barriers, per-core code (ax_isa.h), float constants, a
 * map from instructions back to graph nodes, a node table, embedded files
 * (the chip description, the model's config), free-form metadata and,
 * optionally, the numbers of weight records (their codes and scales, or
 * values), so that a program runs without the checkpoint it names.
 *
 * File layout (little-endian; docs/isa.md has the field tables):
 *
 *   header      48 bytes: magic "AXONPRG\0", version 2, header size, number
 *               of sections (12, or 13 when weight records carry data),
 *               n_cores, sram_words, file size, CRC-32 of header and
 *               section table, cores_per_chip, dram_bytes_per_chip
 *   sections    12 (or 13) x 24 bytes: kind, CRC-32, offset, size
 *   data        strtab, meta, consts, weights, buffers, states, routes,
 *               barriers, code, opmap, nodes, files[, wdata]; each 8-byte
 *               aligned
 *
 * Loading checks the container (magic, version, truncation, checksums,
 * section bounds, record sizes, string offsets; a version-1 file is refused
 * with "compile it again"), then runs the verifier (ax_prog_validate) and
 * reports each problem. A program written by ax_prog_encode and read back
 * writes the same bytes again, and the text form (ax_prog_print,
 * ax_prog_parse) round-trips to the same bytes. */
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

/* "No node", "no buffer", "no address": the value of an absent index. */
#define AX_PROG_NONE UINT32_MAX

/* A weight record (its id is its index): a range of a checkpoint tensor as
 * a core holds it. Quantized records are int8 codes with a float32 scale per
 * row and group of 128 columns (AX_PROG_GROUP); float records (norm weights)
 * are float32 values as the checkpoint stores them.
 *
 * A record may carry its numbers (`data`): exactly the
 * ax_prog_record_words words its WEIGHTS buffer holds, laid out as that
 * buffer is (codes 4 a word, little-endian, row after row, the last word's
 * unused bytes 0; then a float32 scale per row and group; or a float
 * record's values row after row). A record has data for all of it or none;
 * the verifier requires the scales and values to be finite. */
enum {
    AX_PROG_WEIGHT_DRAM = 1u << 0,  /* streamed from off-chip DRAM, not resident */
    AX_PROG_WEIGHT_FLOAT = 1u << 1, /* float32 values, not int8 codes and scales */
};
struct ax_prog_weight {
    uint32_t core;
    const char *tensor;   /* checkpoint tensor name */
    uint32_t row0, rows, col0, cols;
    uint8_t is_dram;      /* AX_PROG_WEIGHT_DRAM */
    uint8_t is_float;     /* AX_PROG_WEIGHT_FLOAT */
    const uint32_t *data; /* NULL, or ax_prog_record_words words (in the arena) */
};

/* The columns a weight group spans: scales are per row and group. */
#define AX_PROG_GROUP 128u

/* The columns a counts buffer's events may name: ref + words at most this
 * (a relay's `col` is a 24-bit operand). */
#define AX_PROG_MAX_COLUMNS (1u << 24)

/* What a buffer holds (docs/program.md, "Buffers"). */
#define AX_PROG_BUFFER_KINDS(X)                                                                    \
    X(WEIGHTS, "weights", "int8 codes and group scales of weight record `ref`")                  \
    X(PARAM,   "param",   "float32 values of weight record `ref` (norm weights)")                \
    X(CONST,   "const",   "float32 values of the consts table from index `ref` (RoPE tables)")   \
    X(ACC,     "acc",     "int32 accumulators, then float32 partial sums, of a block")           \
    X(VALUE,   "value",   "float32 value of graph node `node` (or its rows on this core)")       \
    X(INBOX,   "inbox",   "float32 values another core sends here")                              \
    X(COUNTS,  "counts",  "int32 spike counts of an encoded value")                              \
    X(SCALAR,  "scalar",  "a word or a few: a threshold, a sum, a norm, a running total")        \
    X(STATE,   "state",   "recurrent state or K/V window of state record `ref`")                 \
    X(STAGING, "staging", "SRAM that blocks streamed from DRAM are copied into")                 \
    X(SCRATCH, "scratch", "temporary float32 vector")
enum ax_prog_buffer_kind {
#define X(kind, name, meaning) AX_PROG_BUF_##kind,
    AX_PROG_BUFFER_KINDS(X)
#undef X
    AX_PROG_BUF_KIND_COUNT
};
const char *ax_prog_buffer_kind_str(enum ax_prog_buffer_kind k);
/* Returns 0 and sets *out, or -1 for an unknown name. */
int ax_prog_buffer_kind_parse(const char *s, enum ax_prog_buffer_kind *out);

/* A buffer (its id is its index): `words` words of one core's SRAM from
 * word address `addr`. Buffers of one core never overlap. */
struct ax_prog_buffer {
    uint32_t core, addr, words;
    enum ax_prog_buffer_kind kind;
    uint32_t node;        /* graph node whose value it holds or serves, or AX_PROG_NONE */
    uint32_t ref;         /* weights/param: weight record; const: first constant;
                           * state: state record; counts: the column of its
                           * first word, or AX_PROG_NONE for column 0; else
                           * AX_PROG_NONE */
    const char *name;     /* unique within its core; `axon disasm` prints it */
};

/* A state record (its id is its index): recurrent state a core keeps from
 * token to token, in rows (GLA: heads; K/V window: keys; GLA by columns:
 * (head, value column) pairs) of `row_bytes`. */
enum ax_prog_state_kind {
    AX_PROG_STATE_GLA,
    AX_PROG_STATE_KV,
    AX_PROG_STATE_GLACOL,
    AX_PROG_STATE_KIND_COUNT
};
struct ax_prog_state {
    uint32_t core, node;
    enum ax_prog_state_kind kind;
    uint32_t row0, rows, row_bytes;
    uint32_t buffer;      /* the STATE buffer that holds it */
};

/* A route (its id is its index): where `emit`, `psumsend` or `lookup` on
 * core `src` sends. Spike routes deliver events to cores (addr is
 * AX_PROG_NONE); value routes deliver float32 vectors to an address on each
 * destination core, where `psumrecv` waits for them. */
enum ax_prog_route_kind { AX_PROG_ROUTE_SPIKES, AX_PROG_ROUTE_VALUES, AX_PROG_ROUTE_KIND_COUNT };
struct ax_prog_dest {
    uint32_t core, addr;
};
struct ax_prog_route {
    uint32_t src;
    enum ax_prog_route_kind kind;
    uint32_t n_dst;
    struct ax_prog_dest *dst; /* ascending core, each core once */
};

/* A barrier (its id is its index): the cores that must all reach
 * `barrier id` before any of them goes on. */
struct ax_prog_barrier {
    uint32_t n_cores;
    uint32_t *cores;      /* ascending */
};

struct ax_prog_code {
    uint32_t core;
    uint32_t n_instr;
    uint64_t *words;
};

struct ax_prog_opmap {    /* instructions [first, first + count) of `core` implement IR node `node` */
    uint32_t core, first, count, node;
};

/* A node-table entry: names a graph node for reports and profiles. */
struct ax_prog_node {
    uint32_t node;        /* graph node id; entries ascend */
    const char *name;     /* e.g. "layers.3.attn.q_proj" */
    const char *op;       /* the IR op, e.g. "linear" */
    int32_t layer;        /* -1: not in a layer */
    const char *site;     /* spike site of its input, or "" */
};

/* An embedded file: the chip description, the model's config.json and
 * tokenizer, and (when embedded) its checkpoint. */
struct ax_prog_file {
    const char *name;     /* "chip.yaml", "config.json", ... */
    uint64_t size;
    const unsigned char *data;
};

struct ax_prog {
    uint32_t n_cores, sram_words;
    struct ax_prog_meta *meta;
    uint32_t n_meta;
    struct ax_prog_weight *weights;
    uint32_t n_weights;
    struct ax_prog_buffer *buffers;    /* ascending (core, addr) */
    uint32_t n_buffers;
    struct ax_prog_state *states;
    uint32_t n_states;
    struct ax_prog_route *routes;
    uint32_t n_routes;
    struct ax_prog_barrier *barriers;
    uint32_t n_barriers;
    float *consts;
    uint32_t n_consts;
    struct ax_prog_code *code; /* ascending core, each core at most once */
    uint32_t n_code;
    struct ax_prog_opmap *opmap;
    uint32_t n_opmap;
    struct ax_prog_node *nodes;
    uint32_t n_nodes;
    struct ax_prog_file *files;
    uint32_t n_files;
    /* What the verifier checks capacities against (from the embedded chip
     * description; 0: not checked): */
    uint64_t dram_bytes_per_chip;
    uint32_t cores_per_chip;
    struct ax_arena arena;     /* owns every array and string above */
};

/* The SRAM words a quantized weight block's WEIGHTS buffer takes: int8
 * codes padded to whole 4-byte words, then a float32 scale per row and group
 * of 128 columns (the scales start at word ceil(rows * cols / 4)). */
uint64_t ax_prog_weight_words(uint64_t rows, uint64_t cols);
/* The SRAM (or DRAM) bytes of a weight block as the mapping sizes it:
 * ax_prog_weight_words * 4 plus an int32 accumulator per row. */
uint64_t ax_prog_weight_bytes(uint64_t rows, uint64_t cols);
/* The words record `w` takes in the WEIGHTS (or staging) buffer that holds
 * it: ax_prog_weight_words for a quantized record; rows x cols float32
 * values, row after row, for a float record (weights the model does not
 * quantize: the embedding, lm_head, linears of quant none). */
uint64_t ax_prog_record_words(const struct ax_prog_weight *w);
/* Its bytes as the mapping sizes them: ax_prog_record_words * 4 plus an
 * int32 accumulator per row. */
uint64_t ax_prog_record_bytes(const struct ax_prog_weight *w);

/* Packs a record's numbers into `words` (ax_prog_record_words of them) as
 * its WEIGHTS buffer and `data` hold them: codes[rows * cols] (row after
 * row) and scales[rows * ceil(cols / 128)] (a row's groups in order) for a
 * quantized record, values[rows * cols] for a float record (the other
 * arrays NULL). ax_prog_record_unpack is the inverse; it writes only the
 * arrays that are not NULL. */
void ax_prog_record_pack(const struct ax_prog_weight *w, const int8_t *codes, const float *scales,
                         const float *values, uint32_t *words);
void ax_prog_record_unpack(const struct ax_prog_weight *w, const uint32_t *words, int8_t *codes,
                           float *scales, float *values);
/* Gives record `id` of `p` its data: a copy of `words` (ax_prog_record_words
 * of them) in the program's arena. AX_ERR_NOMEM, AX_ERR_LIMIT (a record
 * larger than memory can hold). */
ax_status ax_prog_set_record_data(struct ax_prog *p, uint32_t id, const uint32_t *words);
/* 1 when every weight record of `p` carries data (also when it has none). */
int ax_prog_has_all_data(const struct ax_prog *p);

/* The index in p->nodes of graph node `node`, or AX_PROG_NONE (binary
 * search; the entries ascend in a valid program). */
uint32_t ax_prog_node_entry(const struct ax_prog *p, uint32_t node);

/* 1 when barrier `b` lists `core` (binary search; a valid barrier's cores
 * ascend). */
int ax_prog_barrier_lists(const struct ax_prog_barrier *b, uint32_t core);
/* The position of `core` in barrier `b`'s list, or UINT32_MAX when it is
 * not there. */
uint32_t ax_prog_barrier_index(const struct ax_prog_barrier *b, uint32_t core);

/* The buffer of `core` that holds word `addr`, or NULL (binary search; the
 * buffers ascend by (core, addr) in a valid program). */
const struct ax_prog_buffer *ax_prog_buffer_at(const struct ax_prog *p, uint32_t core,
                                               uint32_t addr);

/* The buffer of `core` called `name`, or NULL (a binary search for the
 * core's buffers, as ax_prog_buffer_at, then a scan of them). */
const struct ax_prog_buffer *ax_prog_buffer_named(const struct ax_prog *p, uint32_t core,
                                                  const char *name);

/* The embedded file called `name`, or NULL. */
const struct ax_prog_file *ax_prog_find_file(const struct ax_prog *p, const char *name);
/* Embeds a copy of `size` bytes of `data` (in the program's arena) as file
 * `name`, replacing an earlier file of that name; AX_ERR_NOMEM. */
ax_status ax_prog_add_file(struct ax_prog *p, const char *name, const void *data, uint64_t size);

/* Free SRAM over the cores that hold at least one buffer: free = sram_words
 * x 4 - the bytes of its buffers; *min the smallest, *median the median (the
 * lower middle of an even count). Both 0 when no core has a buffer.
 * AX_ERR_NOMEM. */
ax_status ax_prog_sram_free(const struct ax_prog *p, uint64_t *min, uint64_t *median);

/* Prints the summary `axon inspect PROG.axb` shows: cores and chips used,
 * SRAM per core, DRAM bytes, instructions, and the traffic the compiler
 * estimated (placed and naive), as text or one JSON object. */
ax_status ax_prog_print_summary(const struct ax_prog *p, const char *path, FILE *out, int is_json);

void ax_prog_init(struct ax_prog *p, uint32_t n_cores, uint32_t sram_words);

/* Sets metadata `key` to `value` (both copied), replacing an earlier value;
 * AX_ERR_NOMEM. ax_prog_meta returns a key's value or NULL. */
ax_status ax_prog_set_meta(struct ax_prog *p, const char *key, const char *value);
const char *ax_prog_meta(const struct ax_prog *p, const char *key);

/* The most sequences a program's state holds (meta `batch`). */
#define AX_PROG_BATCH_MAX 4096u
/* The sequences whose state the program holds, one bank each in every state
 * buffer (meta `batch`, docs/isa.md "State"): 1 when the meta is absent, 0
 * when it is not a whole number from 1 to AX_PROG_BATCH_MAX. */
uint32_t ax_prog_batch(const struct ax_prog *p);
/* The words of one bank of state record `s`: its rows x row bytes, whole
 * words. A state buffer holds ax_prog_batch of them, bank b from word
 * b x this. */
uint64_t ax_prog_bank_words(const struct ax_prog_state *s);
void ax_prog_free(struct ax_prog *p);

/* The verifier (prog_verify.c; docs/isa.md, "The verifier"): every table,
 * reference, SRAM extent, operand kind, alias, barrier and wait of `p`.
 * Each refusal is one diagnostic naming `file` and, where it applies, the
 * core, the instruction index and mnemonic, the operand, the buffer by name
 * and the numbers. Returns AX_OK, AX_ERR_INVALID or AX_ERR_NOMEM. Cost about
 * linear in the program size; memory bounded by its tables (not n_cores). */
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
