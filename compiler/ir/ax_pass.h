/* Passes over the graph IR.
 *
 * Place in the pipeline: graph IR (ax_ir_build or ax_ir_parse) -> passes ->
 * reference code generation (ax_ref.h), later the spike IR and mapping. Each
 * pass rewrites node attributes in place and runs ax_ir_verify before it
 * returns, so a pass never hands on a graph the verifier rejects.
 *
 * The precision pass (pass_spike.c) gives the graph one of axon's two
 * precisions (docs/semantics.md):
 *
 *   fp32     every linear `quant=none spike=none`, every swa `kv=f32
 *            spike=none`: the float model.
 *   w8spike  the projections of the spike mode's set get `quant=int8_g128`
 *            and, unless the mode is `none`, `spike=spike`; every swa gets
 *            `kv=int8` and, unless the mode is `none`, `spike=spike` (the
 *            SWA query spikes per head). The other linears stay f32.
 *
 * The projection sets, by the weight name of the linear node:
 *
 *   released  q_proj, k_proj, v_proj, o_proj (out_proj), gk_proj (the merged
 *             W8ASpike gate) or gk_proj.0 (the first low-rank part, whose
 *             input is the layer input the merged gate spikes), gate_proj,
 *             up_proj; routed experts; the SWA query
 *   paper     every linear whose input length is a multiple of 128 (so
 *             down_proj too), routed experts, the SWA query
 *   none      the released set, quantized but not spiking
 *
 * gk_proj.1 (input: the 16 low-rank features, not a multiple of 128) and
 * lm_head stay f32 in every mode. */
#ifndef AX_PASS_H
#define AX_PASS_H

#include "ax_diag.h"
#include "ax_ir.h"
#include "ax_spike.h"
#include "ax_status.h"

/* What node `id` is to the projection set of `mode`. */
enum ax_pass_site {
    AX_PASS_SITE_NONE,      /* not in the set */
    AX_PASS_SITE_LINEAR,    /* a linear (or moe_experts) node in the set */
    AX_PASS_SITE_SWA_QUERY, /* an swa node: its query is in the set */
    AX_PASS_SITE_COUNT
};
enum ax_pass_site ax_pass_spike_site(const struct ax_ir_graph *g, uint32_t id,
                                     enum ax_spike_mode mode);

/* Sets every linear, moe_experts and swa node to the fp32 precision, then
 * verifies (diagnostics name `file`). */
ax_status ax_pass_fp32(struct ax_ir_graph *g, const char *file, struct ax_diag_list *diags);

/* Sets the w8spike attributes for `mode` as described above, then
 * verifies. Fails with AX_ERR_INVALID (and the verifier's diagnostics) when
 * a projection of the set cannot be quantized per 128 inputs. */
ax_status ax_pass_w8spike(struct ax_ir_graph *g, enum ax_spike_mode mode, const char *file,
                          struct ax_diag_list *diags);

#endif
