/* The instruction set of an axon core: one table (ax_isa.def), a fixed
 * 64-bit encoding, and the text form the assembler reads.
 *
 * Place in the pipeline: lowering emits these instructions per core; the
 * program container (.axb) stores them; the simulator executes them.
 *
 * Every instruction is one little-endian 64-bit word:
 *
 *    63       56 55       48 47                                             0
 *   +-----------+-----------+-----------------------------------------------+
 *   |  opcode   |   flags   |                payload (48 bits)              |
 *   +-----------+-----------+-----------------------------------------------+
 *   format N:                 0
 *   format I:                 imm                                    [47:0]
 *   format A:                 a [47:24]               | b [23:0]
 *   format B:                 a [47:32]   | b [31:16] | c [15:0]
 *
 * Opcodes are the row numbers of ax_isa.def. `flags` qualify an op (for
 * `encode`: the encoding and a fixed step count, see AX_ISA_ENC_*). A word
 * whose opcode is unknown, or whose unused bits are not zero, does not
 * decode, so every valid program has exactly one encoding.
 *
 * Text form, one instruction a line: `mnemonic op, op, op` with operands as
 * decimal or 0x-hex numbers, and ` .flags N` after them when flags are set:
 *
 *     setlen 256
 *     synacc 3, 0x100
 *     encode 0x40, 0x80, 0xc0 .flags 1
 *
 * In a program's text (ax_prog.h), address operands may also be written as
 * buffer names; the program parser resolves them and hands this parser
 * numbers.
 */
#ifndef AX_ISA_H
#define AX_ISA_H

#include <stddef.h>
#include <stdint.h>

enum ax_isa_op {
#define X(op, mnem, fmt, operands, kinds, meaning) AX_ISA_##op,
#include "ax_isa.def"
#undef X
    AX_ISA_OP_COUNT
};

enum ax_isa_format { AX_ISA_FMT_N, AX_ISA_FMT_I, AX_ISA_FMT_A, AX_ISA_FMT_B, AX_ISA_FMT_COUNT };

/* `encode` flags: bits 1..0 the encoding (as enum ax_spike_encoding), bits
 * 7..2 a fixed step count T (0: adaptive T). */
enum ax_isa_encoding { AX_ISA_ENC_BITWISE, AX_ISA_ENC_TERNARY, AX_ISA_ENC_BINARY, AX_ISA_ENC_COUNT };
#define AX_ISA_ENC_FLAGS(encoding, steps) ((uint8_t)((encoding) | (steps) << 2))
#define AX_ISA_ENC_MAX_STEPS 63u

/* `kvattn` flags: bit 0 set, the query is spike counts that an `encode` of
 * this token wrote on this core, taken as s x V_th in float64 (a spiked
 * SWA query); clear, float32 values. */
#define AX_ISA_KVATTN_SPIKED 1u
/* `kvattn` and `kvpart` flags: bits 7..1 the consts index of the window
 * (kvpush's flags are that index whole). */
#define AX_ISA_KVATTN_FLAGS(is_spiked, window_const)                                              \
    ((uint8_t)(((is_spiked) ? 1u : 0u) | (window_const) << 1))
#define AX_ISA_KVATTN_MAX_CONST 127u

/* `vmul` flags: bit 0 set, dst = SiLU(a) x b in float64, rounded once (the
 * SwiGLU of the model); clear, the float32 product. */
#define AX_ISA_VMUL_SILU 1u

/* `argmax`: indexes are float32 words, so base + len stays within the
 * integers float32 holds exactly. */
#define AX_ISA_ARGMAX_INDEXES (1u << 24)

/* A running total (operand kinds T and u): a float64 sum in words 0-1
 * (its bit pattern, the least significant word first) and in word 2 the
 * uint32 count of the values summed. A vector cut into row shards passes
 * one along a chain of cores, so that the last holds exactly the sum that
 * one core would form over the whole vector, from its first element. */
#define AX_ISA_TOTAL_WORDS 3u

/* `sumacc` flags: bit 0 set, add x^2 (rmsnorm's sum); clear, |x|
 * (thresh's). Bit 1 set, start from the sum of no terms (-0.0, count 0)
 * instead of the total at `tot`: the first shard of a chain. Other bits
 * are refused. */
#define AX_ISA_SUMACC_SQUARES 1u
#define AX_ISA_SUMACC_START 2u

/* `psumrecv` flags: bit 0 set (with count 1), the message's words replace
 * `dst` as they are, with no float32 addition, so that a word that is not a
 * float32 value (half of a total's float64 sum) arrives unchanged. Other
 * bits are refused. */
#define AX_ISA_PSUMRECV_COPY 1u

struct ax_isa_instr {
    enum ax_isa_op op;
    uint8_t flags;
    uint64_t a, b, c; /* format I: the immediate is `a` */
};

/* The largest operand each format holds. */
#define AX_ISA_MAX_IMM ((UINT64_C(1) << 48) - 1)
#define AX_ISA_MAX_A24 ((UINT64_C(1) << 24) - 1)
#define AX_ISA_MAX_B16 ((UINT64_C(1) << 16) - 1)

/* Encodes `in` into *word. Returns 0, or -1 when an operand does not fit its
 * field or the op is unknown (nothing is written then). */
int ax_isa_encode(const struct ax_isa_instr *in, uint64_t *word);
/* Decodes `word`. Returns 0, or -1 for an unknown opcode or nonzero unused
 * bits. */
int ax_isa_decode(uint64_t word, struct ax_isa_instr *out);

/* Writes the text form of `in` into `buf` (NUL-terminated); returns the
 * length it needed. */
size_t ax_isa_format(const struct ax_isa_instr *in, char *buf, size_t size);
/* Parses one instruction from `line` (no comment, no newline). Returns 0, or
 * -1 with a message in `err` and the 0-based column of the problem in *col. */
int ax_isa_parse(const char *line, struct ax_isa_instr *out, char *err, size_t err_size,
                 size_t *col);

const char *ax_isa_mnemonic(enum ax_isa_op op);
enum ax_isa_format ax_isa_op_format(enum ax_isa_op op);
const char *ax_isa_operands(enum ax_isa_op op); /* "block,acc" */
/* One letter per operand, what it must be (the legend is in ax_isa.def),
 * then '=' when the op may work in place: "WRR=". */
const char *ax_isa_kinds(enum ax_isa_op op);
const char *ax_isa_meaning(enum ax_isa_op op);
/* 1 when kind letter `k` names an SRAM address (R W M q s S x c g t V P F
 * Y A T u), which the assembler lets a program write as a buffer name; 0
 * otherwise. */
int ax_isa_kind_is_address(char k);
/* The number of operands of `op` (0 to 3, from its format). */
int ax_isa_n_operands(enum ax_isa_op op);
const char *ax_isa_format_str(enum ax_isa_format fmt); /* "N", "I", "A", "B" */

#endif
