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
 * (a callback), from a checkpoint, a program's embedded files, a test's
 * table or the data the program carries (ax_exec_program_weights).
 *
 * Cores run in an order that respects their waits: a core runs until a
 * `psumrecv` lacks its messages or a `barrier` lacks a core, and messages and
 * spike events are delivered at once. A run in which some core can never go
 * on ends with AX_ERR_INVALID and a diagnostic naming each waiting core and
 * instruction; it never hangs. */
#ifndef AX_EXEC_H
#define AX_EXEC_H

#include "ax_diag.h"
#include "ax_isa.h"
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

/* A weight source that serves each record from the data the program
 * itself carries (ax_prog_weight.data, e.g. from `.wdata` lines), so that a
 * program runs without the checkpoint it names. A record without data
 * fails with AX_ERR_INVALID and a diagnostic naming it. Fills *out. */
void ax_exec_program_weights(struct ax_exec_weights *out);

/* Counting mode's source of spike counts: `counts` fills out[0 .. n-1]
 * with the counts an `encode` writes to words [offset, offset + n) of
 * counts buffer `buffer` (an index of p->buffers) for the token at position
 * `pos` of sequence `seq` (0 outside a batch, ax_exec_begin_flight). The executor then saturates
 * them as the encode's flags say. */
struct ax_exec_activity {
    void (*counts)(void *user, uint32_t buffer, uint32_t offset, uint64_t pos, uint32_t seq,
                   uint32_t n, int32_t *out);
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

/* Prepares to run `p` in counting mode: no SRAM is allocated and no value
 * is computed; `encode` takes its counts from `act`, and everything that
 * depends on counts (the events `emit` sends, the events `synacc` uses) and
 * on the program's structure (messages, barriers, which core holds the
 * token's row, the keys of a K/V ring) is exactly as in a run with values.
 * `act` must outlive the executor. Reading buffers back gives NULL. */
ax_status ax_exec_create_counting(const struct ax_prog *p, const char *file,
                                  const struct ax_exec_activity *act, ax_exec_t **out,
                                  struct ax_diag_list *diags);

/* Dataflow synchronisation (docs/isa.md, `barrier`) from the next token on:
 * a core passes `barrier id` once every core that sends it spike events
 * belonging to that barrier has reached it (so has made all those sends),
 * instead of once every core the barrier lists has. The events a core sees
 * after each barrier, and with them every value, are the same; only who
 * waits for whom changes. Fails with AX_ERR_NOMEM or AX_ERR_LIMIT (more
 * barrier places than 32 bits count), with a diagnostic. */
ax_status ax_exec_dataflow(ax_exec_t *ex, struct ax_diag_list *diags);
/* Under dataflow, the places of cores in barriers' lists, numbered across
 * all barriers: how many there are, the place of `core` in barrier `id`'s
 * (UINT32_MAX when it is not listed there, or without dataflow), and how
 * many cores `core` waits for there (0 then). */
uint32_t ax_exec_places(const ax_exec_t *ex);
uint32_t ax_exec_place(const ax_exec_t *ex, uint32_t id, uint32_t core);
uint32_t ax_exec_senders(const ax_exec_t *ex, uint32_t id, uint32_t core);

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

/* ---- one instruction at a time ----------------------------------------------
 * A timed run (sim/) decides which core goes next, by its clock, and asks
 * the executor to run that core's next instruction; the executor runs it
 * (with values, or counting) and says what it did, so that the timed run
 * charges each instruction's units of work from the instruction, the
 * program's tables and these facts, and nothing else. */

enum ax_exec_state {
    AX_EXEC_RAN,    /* the instruction ran; the core's pc moved on */
    AX_EXEC_WAITS,  /* a psumrecv lacks messages or a barrier lacks cores: try again later */
    AX_EXEC_HALTED, /* the core has run `halt` (or has no more instructions) */
};

/* A message an instruction sent: its number among this token's messages
 * (in order of sending), its destination core and its length in words. */
struct ax_exec_msg {
    uint64_t id;
    uint32_t dst, words;
};

struct ax_exec_did {
    enum ax_exec_state state;
    struct ax_isa_instr in; /* the instruction (RAN or WAITS) */
    uint32_t pc;            /* its index in the core's code */
    uint64_t len;           /* the vector length it ran with */
    uint64_t events;        /* emit: events sent to each destination;
                             * synacc: events in its block's columns */
    uint64_t generated;     /* emit: of those, events of counts no emit of this token sent
                             * before (the soma generates a spike once) */
    uint32_t source;        /* synacc: the counts buffer (index in the buffer table) of the
                             * first event in its block's columns, or UINT32_MAX */
    uint32_t groups;        /* scale: groups of 128 columns of the accumulators' block */
    uint32_t record;        /* vdot: the weight record of its block (staged or not) */
    uint32_t head_dim;      /* gla* and kv*: the state's head dimension */
    uint32_t gla_cols;      /* gla*: the value columns of each head the block holds (head_dim,
                             * or fewer in a glacol record) */
    uint32_t kv_heads;      /* kvpush, kvattn: the ring's kv heads */
    uint64_t keys;          /* kvattn: keys attended per head */
    uint8_t is_hit;         /* lookup: this core held the token's row and sent it */
    uint8_t is_barrier_done; /* barrier: this core was the last to arrive; under dataflow:
                              * it passes the barrier as it arrives */
    const uint32_t *told;    /* barrier under dataflow, on arrival: the cores this core sent
                              * events belonging to the barrier (a handshake each) */
    uint32_t n_told;
    const uint32_t *released; /* the same: the code records that waited at the barrier for
                               * this core alone and pass it now; halt in a flight: the code
                               * records that waited for their turn and start their next
                               * token now */
    uint32_t n_released;
    uint32_t tok;                   /* the token it ran for: its index in the flight */
    uint8_t is_halted;              /* it halted token `tok` now: until the core runs its next
                                     * instruction, its buffers hold what it computed for it */
    const struct ax_exec_msg *sent; /* psumsend, lookup: valid until the next call */
    uint32_t n_sent;
    const uint64_t *taken;  /* psumrecv: the ids of the messages it added */
    uint32_t n_taken;
    const uint32_t *visible; /* emit, relay: per destination of the route, in its order, the
                              * barrier its events belong to (UINT32_MAX: none lists it);
                              * NULL when it sent none; valid until the next call */
};

/* Starts a token, as ax_exec_run does, without running anything. */
ax_status ax_exec_begin(ax_exec_t *ex, uint32_t token, uint64_t pos, struct ax_diag_list *diags);

/* ---- tokens in flight -------------------------------------------------------
 * A flight runs n tokens (ids tokens[0..n), at positions pos, pos + 1, ...)
 * through the program as a pipeline: every core runs its code for token 0,
 * then from its first instruction again for token 1, and so on, each at
 * its own pace, so that one core may be at token i + 1 while another is
 * still at token i. A core starts token i + window only after every core
 * has halted token i (window 0: n, no limit). Each token's spike events,
 * messages and barriers are its own: a core takes only those of the token
 * it runs, whatever it has received for later ones, so the values are
 * those of running the tokens one after another (the state a core keeps,
 * GLA states and K/V rings, is updated token by token in its own order).
 * ax_exec_next steps a flight as it steps one token; a core that halts
 * token i goes on with i + 1 (RAN) or waits for its turn (WAITS), and the
 * halt that ends the oldest token names the cores it lets go on
 * (ax_exec_did.released). ax_exec_begin is a flight of one token.
 *
 * A batch interleaves `batch` sequences (1: one): token i is token i / batch
 * of sequence i % batch, at position pos + i / batch, and its state ops
 * read and write that sequence's bank of every state buffer (docs/isa.md,
 * "State"); the program must hold that many (ax_prog_batch), else
 * AX_ERR_USAGE. Window `batch` is generation: a sequence's next token
 * starts on a core only once its last has ended everywhere. */
ax_status ax_exec_begin_flight(ax_exec_t *ex, const uint32_t *tokens, uint32_t n, uint64_t pos,
                               uint32_t window, uint32_t batch, struct ax_diag_list *diags);
/* Runs a whole flight, as ax_exec_run runs one token: AX_OK when every
 * core has halted the last token. */
ax_status ax_exec_run_flight(ax_exec_t *ex, const uint32_t *tokens, uint32_t n, uint64_t pos,
                             uint32_t window, uint32_t batch, struct ax_diag_list *diags);
/* Runs the next instruction of code record `k` (p->code[k]) if it can, and
 * says what happened in *did. Fails as ax_exec_run does. */
ax_status ax_exec_next(ax_exec_t *ex, uint32_t k, struct ax_exec_did *did);
/* Ends the token: AX_OK when every core has halted, else AX_ERR_INVALID
 * with a diagnostic per waiting core (what it waits for). */
ax_status ax_exec_end(ax_exec_t *ex);

/* The words of buffer `name` on `core` (*n_words of them), or NULL when the
 * core has no such buffer. The pointer stays valid until ax_exec_free;
 * writing through ax_exec_words lets a test set inputs before a run. */
const uint32_t *ax_exec_buffer(const ax_exec_t *ex, uint32_t core, const char *name,
                               uint32_t *n_words);
/* `n` words of `core`'s SRAM from word `addr`, writable, or NULL when they
 * are not all inside the SRAM the executor holds for that core. */
uint32_t *ax_exec_words(ax_exec_t *ex, uint32_t core, uint32_t addr, uint32_t n);

/* The `n` spike counts at words [addr, addr + n) of `core` as the last
 * encodes of this token wrote them (SRAM, or counting mode's counts), or
 * NULL when one encode did not write them all. Valid until the next
 * instruction runs. */
const int32_t *ax_exec_counts(const ax_exec_t *ex, uint32_t core, uint32_t addr, uint32_t n);

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
