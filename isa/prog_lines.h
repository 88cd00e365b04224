/* What the assembler and the verifier share, internal to isa/: where each
 * record of an assembled program came from in its text, so that the
 * verifier's refusals of `axon asm` input name a line and column
 * (prog_text.c fills it while parsing, prog_verify.c reads it); and the
 * index of buffers by name that operand names resolve through and that
 * name uniqueness is checked on; and the run of the program's waits in
 * their order (prog_waits.c). */
#ifndef AX_PROG_LINES_H
#define AX_PROG_LINES_H

#include "ax_prog.h"

/* The tables whose records have a position. */
enum ax_prog_table {
    AX_PROG_TABLE_WEIGHT,
    AX_PROG_TABLE_BUFFER,
    AX_PROG_TABLE_STATE,
    AX_PROG_TABLE_ROUTE,
    AX_PROG_TABLE_BARRIER,
    AX_PROG_TABLE_CODE,
    AX_PROG_TABLE_OPMAP,
    AX_PROG_TABLE_NODE,
    AX_PROG_TABLE_FILE,
    AX_PROG_TABLE_COUNT
};

struct ax_prog_pos {
    uint32_t line, col; /* 1-based */
};

struct ax_prog_lines {
    const struct ax_prog_pos *table[AX_PROG_TABLE_COUNT]; /* one per record, in table order */
    uint32_t n[AX_PROG_TABLE_COUNT];
    const struct ax_prog_pos *instr; /* every instruction, code record after code record */
    uint32_t n_instr;
};

/* ax_prog_validate, with each refusal placed at the line of the record or
 * instruction it is about (`lines` may be NULL: no positions). */
ax_status ax_prog_validate_at(const struct ax_prog *p, const char *file,
                              const struct ax_prog_lines *lines, struct ax_diag_list *diags);

/* The code record of `core` (records ascend by core), or NULL. */
const struct ax_prog_code *ax_prog_code_of(const struct ax_prog *p, uint32_t core);

/* Buffers by (core, name). */
struct ax_prog_name_key {
    uint32_t core;
    const char *name; /* "" for a buffer without one */
    uint32_t buffer;
};
int ax_prog_cmp_name_key(const void *a, const void *b);
/* A fresh array of the program's n_buffers keys sorted by (core, name),
 * freed with ax_mem_free; NULL when memory runs out. */
struct ax_prog_name_key *ax_prog_name_index(const struct ax_prog *p);

/* A core that cannot reach its end: its code record and the instruction
 * it waits at. */
struct ax_prog_stuck {
    uint32_t code, instr;
};
/* Runs the program's control flow (sends, receives, barriers) and returns
 * how many cores never reach `halt` or the end of their code (0: the
 * program runs to its end), the first `max` of them in `out`; -1 when
 * memory runs out. Expects a program whose other checks passed. */
int64_t ax_prog_stuck_cores(const struct ax_prog *p, struct ax_prog_stuck *out, uint32_t max);

#endif
