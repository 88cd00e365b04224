/* The pipeline: the graph passes of ax_pipeline.def run in order, the
 * verifier after each, stopping after any one of them.
 *
 * Place in the pipeline: model (ax_model.h) -> this module -> the reference
 * (ax_ref.h) or the mapping (ax_map.h). */
#ifndef AX_PIPELINE_H
#define AX_PIPELINE_H

#include "ax_diag.h"
#include "ax_ir.h"
#include "ax_ref.h"
#include "ax_status.h"

enum ax_pass_id {
#define X(pass, name, meaning) AX_PASS_##pass,
#include "ax_pipeline.def"
#undef X
    AX_PASS_COUNT
};

const char *ax_pass_str(enum ax_pass_id p);
const char *ax_pass_meaning(enum ax_pass_id p);
int ax_pass_parse(const char *s, enum ax_pass_id *out); /* 0 or -1 */

/* Builds the graph of model `m` into `g` (initialized here) and runs the
 * passes up to and including `last`, with the options `o`, verifying the
 * graph after each. On failure `g` holds what was built, for ax_ir_free, and
 * `diags` says which pass failed and why. */
ax_status ax_pipeline_run(struct ax_ir_graph *g, const struct ax_model *m,
                          const struct ax_ref_options *o, enum ax_pass_id last,
                          struct ax_diag_list *diags);

#endif
