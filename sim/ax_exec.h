/* Executing a program: every instruction of isa/ax_isa.def with its exact
 * functional semantics (docs/isa.md, "Semantics", which follows
 * docs/semantics.md), run over the SRAM that the program's buffers lay out.
 *
 * Place in the pipeline: a verified program (ax_prog.h, from ax_prog_parse,
 * ax_prog_decode or the compiler) + the numbers of its weight records (the
 * caller's weight source) -> this module, which runs one token at a time and
 * leaves every buffer's words to be read back. No timing here: the engine
 * charges costs; this module computes values.
 *
 * The program references checkpoint tensors by name; this module never reads
 * a file. The caller supplies each record's numbers through a weight source
 * (a callback), from a checkpoint, a program's embedded files or a test's
 * table.
 *
 * Cores run in an order that respects their waits: a core runs until a
 * `psumrecv` lacks its messages or a `barrier` lacks a core, and messages and
 * spike events are delivered at once. A run in which some core can never go
 * on ends with AX_ERR_INVALID and a diagnostic naming each waiting core and
 * instruction; it never hangs. */
#ifndef AX_EXEC_H
#define AX_EXEC_H

#include "ax_diag.h"
#include "ax_prog.h"
#include "ax_status.h"

#include <stdint.h>

typedef struct ax_exec ax_exec_t;

/* Where the numbers of weight records come from. `fetch` fills record `id`
 * of `p` (p->weights[id]: rows x cols of a checkpoint tensor):
 *   quantized record: codes[rows * cols] (int8, row after row) and
 *                     scales[rows * ceil(cols / 128)] (a row's groups in order);
 *                     `values` is NULL;
 *   float record:     values[rows * cols] (row after row); `codes` and
 *                     `scales` are NULL.
 * The arrays are the executor's, zeroed. Returns AX_OK, or a status with a
 * diagnostic in `diags` (a missing tensor, a code outside int8). */
struct ax_exec_weights {
    ax_status (*fetch)(void *user, const struct ax_prog *p, uint32_t id, int8_t *codes,
                       float *scales, float *values, struct ax_diag_list *diags);
    void *user;
};

/* Prepares to execute `p`, which must have passed ax_prog_validate (every
 * parse and decode runs it) and must outlive the executor. Each core's SRAM
 * is allocated up to the end of its last buffer and filled: weights buffers
 * with their record's codes and scales, param buffers with its values, const
 * buffers with the constants, everything else zero (state buffers are zero
 * state). DRAM records are fetched into an image that `dma` copies from.
 * `file` names the program in diagnostics (may be NULL). Fails with the
 * source's status, AX_ERR_NOMEM or AX_ERR_INVALID (a record the program
 * does not lay out as the format says); *out is then NULL. */
ax_status ax_exec_create(const struct ax_prog *p, const char *file,
                         const struct ax_exec_weights *src, ax_exec_t **out,
                         struct ax_diag_list *diags);
void ax_exec_free(ax_exec_t *ex);

/* Runs one token: token id `token` (what `lookup` selects) at position
 * `pos` (what `rope` rotates by and `kvpush`/`kvattn` place and window by).
 * Every core with code runs from its first instruction to `halt`; SRAM,
 * and with it the state, carries over to the next run. Fails with
 * AX_ERR_INVALID (an operand outside the core's SRAM, counts that no
 * `encode` wrote, a message of another length than the receive's, a
 * deadlock: each with a diagnostic naming core, instruction and mnemonic),
 * AX_ERR_LIMIT (an accumulator beyond int32) or AX_ERR_NOMEM. After a
 * failure, SRAM holds what the instructions run so far wrote. */
ax_status ax_exec_run(ax_exec_t *ex, uint32_t token, uint64_t pos, struct ax_diag_list *diags);

/* The words of buffer `name` on `core` (*n_words of them), or NULL when the
 * core has no such buffer. The pointer stays valid until ax_exec_free;
 * writing through ax_exec_words lets a test set inputs before a run. */
const uint32_t *ax_exec_buffer(const ax_exec_t *ex, uint32_t core, const char *name,
                               uint32_t *n_words);
/* `n` words of `core`'s SRAM from word `addr`, writable, or NULL when they
 * are not all inside the SRAM the executor holds for that core. */
uint32_t *ax_exec_words(ax_exec_t *ex, uint32_t core, uint32_t addr, uint32_t n);

/* Word `i` of buffer `name` on `core` as a float32, or NaN when there is no
 * such word: a convenience for tests and tools. */
float ax_exec_f32(const ax_exec_t *ex, uint32_t core, const char *name, uint32_t i);

/* What the last run did. */
struct ax_exec_stats {
    uint64_t n_instr;    /* instructions executed, halt included */
    uint64_t n_events;   /* spike events emitted, counted per destination core */
    uint64_t n_synops;   /* synaptic operations: events used by synacc x rows */
    uint64_t n_messages; /* value messages delivered (one per destination) */
};
void ax_exec_stats(const ax_exec_t *ex, struct ax_exec_stats *out);

#endif
