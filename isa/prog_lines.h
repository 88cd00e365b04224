/* What the assembler and the verifier share, internal to isa/: where each
 * record of an assembled program came from in its text, so that the
 * verifier's refusals of `axon asm` input name a line and column
 * (prog_text.c fills it while parsing, prog_verify.c reads it); and the
 * index of buffers by name that operand names resolve through and that
 * name uniqueness is checked on. */
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

#endif
