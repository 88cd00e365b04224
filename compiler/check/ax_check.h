/* Checking what a compiled program computes: a weight source that serves a
 * program's records from the model's checkpoint exactly as the reference
 * reads them, and a run of the program through the executor (ax_exec.h)
 * token by token that reads the logits back.
 *
 * Place in the pipeline: model (ax_model.h, with weights) + the program the
 * compiler emitted for it (ax_prog.h) -> this module -> logits per token, to
 * compare with the w8spike reference (ax_ref.h) and the functional mode.
 *
 * Quantized records get the reference's codes and group scales
 * (compiler/ref: ax_ref_quantize, or ax_ref_codes_from_scales where the
 * checkpoint stores `<name>.weight_quantizer.scales`); float records get the
 * tensor's values converted as the reference converts them
 * (ax_ref_tensor_to_f32). */
#ifndef AX_CHECK_H
#define AX_CHECK_H

#include "ax_diag.h"
#include "ax_exec.h"
#include "ax_prog.h"
#include "ax_status.h"

#include <stdint.h>

struct ax_model;

/* A weight source over model `m`'s checkpoint (opaque; `m` must outlive
 * it). It keeps the last tensor it quantized, since a projection's blocks
 * are records of one tensor that follow each other. */
typedef struct ax_check_weights ax_check_weights_t;

/* Opens a source over `m` (AX_ERR_INVALID with a diagnostic for a
 * shape-only model, AX_ERR_NOMEM) and fills `out` to hand to ax_exec_create. */
ax_status ax_check_weights_open(const struct ax_model *m, ax_check_weights_t **w,
                                struct ax_exec_weights *out, struct ax_diag_list *diags);
void ax_check_weights_close(ax_check_weights_t *w);

/* Gives every weight record of `p` (compiled for `m`) its data: the codes
 * and scales (or values) this module's weight source serves, packed as the
 * record's WEIGHTS buffer holds them (ax_prog_record_pack), so that the
 * program runs without the checkpoint. Fails as the source does, or with
 * AX_ERR_NOMEM / AX_ERR_LIMIT. */
ax_status ax_check_embed_weights(struct ax_prog *p, const struct ax_model *m,
                                 struct ax_diag_list *diags);

/* The value graph node `node` left in `ex`'s last run: its value buffers,
 * shards in order (`n<id>.value`, or `n<id>.value<k>` for shard k), as
 * float32. Returns the number of words written to `out` (0 when the
 * program holds no value for the node or it passes `cap`). */
uint32_t ax_check_value(const ax_exec_t *ex, const struct ax_prog *p, uint32_t node, float *out,
                        uint32_t cap);

/* The `vocab` logits of `ex`'s last token, read from the pieces
 * ax_check_pieces lists: the value of the node the program's node table
 * names with op "lm_head" or, of a program compiled with --logits argmax
 * (meta "logits"), whose lm_head value is the pair of the largest logit,
 * the cores that keep a row range's sums (the first block of each range:
 * buffer `n<id>.acc<k>` beside the range's weights `n<id>.w<k>` of column
 * 0). Returns `vocab`, or 0 when the pieces do not hold every logit once. */
uint32_t ax_check_logits(const ax_exec_t *ex, const struct ax_prog *p, float *logits,
                         uint32_t vocab);

/* The argmax of `vocab` logits as the program's argmax takes it: the
 * largest from the first on (a NaN that is not first is passed over), its
 * first index. */
uint32_t ax_check_argmax_of(const float *logits, uint32_t vocab);

/* Where a token's logits lie: `words` words of buffer `name` on `core`,
 * logits [at, at + words); or, with is_pair, the pair lm_head's value holds
 * in a program compiled with --logits argmax: the largest logit and its
 * token id. A core's pieces are what it computed for a token once it has
 * halted it (ax_sim_observer.halted), which is how a flight's logits are
 * read. */
struct ax_check_piece {
    uint32_t core;
    const char *name; /* the program's */
    uint32_t at, words;
    uint8_t is_pair;
};
/* The pieces of `p`'s `vocab` logits, as ax_check_logits reads them, and
 * the pair, sorted by core: *out (ax_mem_free) and *n; n
 * 0 when the program has no lm_head or its pieces do not hold every logit
 * once (and the pair, under --logits argmax). AX_ERR_NOMEM. */
ax_status ax_check_pieces(const struct ax_prog *p, uint32_t vocab, struct ax_check_piece **out,
                          uint32_t *n);

/* The validation measure of one token: `got` (the program's logits, `n` of
 * them; a missing one counts as NaN) against the reference's `want`
 * (`vocab` of them). Returns the norm-wise relative error |got - want| /
 * |want| (|got - want| when want is all zero; NaN when a value is) and sets
 * *n_differ to the logits whose bits differ. */
double ax_check_compare_logits(const float *got, uint32_t n, const float *want, uint32_t vocab,
                               uint64_t *n_differ);

/* Runs `p` (validated, compiled for `m`) through the executor on tokens
 * [0, n) at positions 0 .. n-1 and writes the logits of each token to
 * logits[t * vocab ..]; `vocab` is the lm_head's out_dim (the program must
 * give that many). Fails with the executor's or the weight source's status
 * and its diagnostics, or AX_ERR_INVALID when the program's logits are not
 * `vocab` words. */
ax_status ax_check_run(const struct ax_prog *p, const struct ax_model *m, const int32_t *tokens,
                       uint32_t n, uint32_t vocab, float *logits, struct ax_diag_list *diags);

#endif
