/* The simulator's functional mode: a SpikingBrain token step computed from
 * the weights, with every spiking projection run event by event on its
 * mapped weight blocks (docs/semantics.md).
 *
 * Place in the pipeline: graph IR (precision applied, ax_ref_apply_precision)
 * + model weights + mapping (ax_map.h) -> this module, which gives the
 * engine (ax_sim.h) the spike counts of each token and checks the values
 * against the LLVM reference (ax_ref.h) bit for bit.
 *
 * A spiking projection works as a chip would: the encoder turns the input x
 * into threshold V and counts s; each count becomes spike events (bitwise:
 * one per set bit of |s|, weight +-2^t, most significant first; ternary and
 * binary: |s| events of weight +-1); an event on input column c reaches every
 * block holding column c and adds weight x the codes of column c into the
 * block's int32 accumulators, one per (row, group of 128 columns). The
 * output is then formed per row from the accumulators exactly as the
 * reference forms it, so the values stay bit-exact. Non-spiking projections
 * (down_proj in the released mode, lm_head, the fp32 precision) are
 * computed whole, as dense linears.
 *
 * The module shares no code with the reference (compiler/ref_*.c, the
 * generated code): it keeps its own weight conversion, quantization,
 * K/V window (a ring per attention node) and GLA state (one per query head),
 * and is compiled without compiler builtins so that its math functions are
 * glibc's, called as written. Only the 7B architecture runs: the 76B's meta
 * tokens, experts, full attention and key-tied decays are refused with a
 * diagnostic (its values are not needed; counting mode simulates it). */
#ifndef AX_FUNC_H
#define AX_FUNC_H

#include "ax_diag.h"
#include "ax_ref.h"
#include "ax_spike.h"
#include "ax_status.h"

#include <stdint.h>

struct ax_ir_graph;
struct ax_map;
struct ax_model;

/* ---- the synaptic kernel -------------------------------------------------- */

/* One spike event reaching a weight block: input column `col` (relative to
 * the codes given to ax_func_synacc) with weight +-2^t or +-1. */
struct ax_syn_event {
    uint32_t col;
    int32_t weight;
};

/* One weight block's event-driven accumulation: for each event e,
 * acc[r] += ev[e].weight * codes[ev[e].col * rows + r] for r < rows.
 * codes: column-major int16; acc: int32, rows entries. The caller keeps
 * every partial sum inside int32 (the bound 128 * max|s| * max|q| < 2^31
 * that ax_func_step checks guarantees it for a group of 128 columns); the
 * three arrays must not overlap (they are restrict-qualified inside). */
void ax_func_synacc(const int16_t *codes, uint32_t rows, const struct ax_syn_event *ev,
                    uint64_t n_ev, int32_t *acc);

/* Symmetric quantization per row and group of 128 inputs, as the functional
 * path does it (docs/semantics.md, "Weight quantization"): w is
 * [rows][cols] with cols a multiple of 128; writes codes [rows][cols] and
 * scales [rows][cols/128]. */
void ax_func_quantize(const float *w, uint32_t rows, uint32_t cols, int16_t *codes, float *scales);

/* The spike encoder of a spiking linear layer (docs/semantics.md, "The
 * spiking linear layer"), as every spiking projection of a run uses it:
 * returns the threshold V_th = clamp(mean_i |x_i| / k, 1e-5, 1e4) of
 * x[0..n) (n > 0) and writes the counts s[i] = round(x[i] / V_th), rounded
 * half to even as torch.round does, saturated at the bound a fixed step
 * count allows (o->steps; ax_spike_count_bound). */
float ax_func_encode(const struct ax_spike_options *o, const float *x, uint32_t n, int32_t *s);

/* ---- sessions ---------------------------------------------------------------- */

typedef struct ax_func ax_func_t;

/* Opens a functional run of model `m` (with weights) over graph `g` (after
 * ax_ref_apply_precision: w8spike or fp32), with the encoder options
 * `spike` (its mode is already in the graph; encoding, k and steps are read
 * here). `map` gives each spiking projection's blocks (objects of kind
 * AX_MAP_WEIGHTS matched by tensor name); NULL holds every matrix as one
 * block. Loads and converts every weight the graph names, quantizes the
 * spiking projections and lays their codes out per block. `m` and `g` must
 * outlive the run; `map` need not. Fails with AX_ERR_UNSUPPORTED for ops
 * it does not run, AX_ERR_INVALID for a shape-only model, missing or
 * misshapen tensors or a map that does not tile a projection, AX_ERR_USAGE
 * for options out of range, AX_ERR_LIMIT for codes beyond 16 bits, and
 * AX_ERR_NOMEM; then *out is NULL and `diags` says why. */
ax_status ax_func_open(const struct ax_model *m, const struct ax_ir_graph *g,
                       const struct ax_map *map, const struct ax_spike_options *spike,
                       ax_func_t **out, struct ax_diag_list *diags);
void ax_func_close(ax_func_t *f);

/* Runs one token at the next position. Fails with AX_ERR_INVALID for a
 * token outside the vocabulary (nothing changes) and with AX_ERR_LIMIT when
 * a projection's int32 accumulators could overflow (128 * max|s| * max|q|
 * >= 2^31); the run is then unusable until ax_func_reset. */
ax_status ax_func_step(ax_func_t *f, int32_t token, struct ax_diag_list *diags);

/* Back to position 0 with zero state. */
void ax_func_reset(ax_func_t *f);

uint64_t ax_func_position(const ax_func_t *f);   /* tokens run */
const float *ax_func_logits(const ax_func_t *f); /* ax_func_vocab entries */
uint32_t ax_func_vocab(const ax_func_t *f);

/* The value graph node `node` left in the last step (its out_dim entries),
 * or NULL for the input node or an index out of range. */
const float *ax_func_value(const ax_func_t *f, uint32_t node);
/* The output of model layer `layer` (its last node) in the last step, or
 * NULL when no node carries that layer. */
const float *ax_func_layer_output(const ax_func_t *f, uint32_t layer);

/* One spiking projection (or the SWA query) after the last step; the
 * pointers stay valid until ax_func_close. */
struct ax_func_site {
    const char *name; /* as ax_ref_site names it, e.g. "model.layers.0.attn.q_proj" */
    uint32_t node;    /* its graph node */
    uint32_t n_in, n_out, n_groups, n_vth;
    const int32_t *counts; /* n_in */
    const float *vth;      /* n_vth */
    const int32_t *acc;    /* [n_out][n_groups], NULL for the SWA query */
    const float *output;   /* n_out */
    uint32_t n_blocks;     /* weight blocks (0 for the SWA query) */
    uint64_t n_events;     /* spike events the encoder made (the query's too) */
    uint64_t n_synops;     /* synaptic operations: each event x the rows of each block it reached */
};
uint32_t ax_func_n_sites(const ax_func_t *f);
void ax_func_site(const ax_func_t *f, uint32_t i, struct ax_func_site *out);

/* After f and ref stepped the same tokens: compares counts and thresholds (bit
 * for bit), the accumulators (f's block-wise ones against the full-matrix
 * dot of the reference's counts with the codes), and the logits
 * (|a-b|_2/|b|_2). A spiking site one side has and the other lacks is a
 * mismatch. Fails with AX_ERR_INVALID (and *out zeroed) when the two are
 * not at the same position. */
struct ax_func_cmp {
    uint64_t n_checked, n_mismatch;
    double logits_rel_err;
    char first_mismatch[200];
};
ax_status ax_func_compare(const ax_func_t *f, const ax_ref_session_t *ref, struct ax_func_cmp *out);

#endif
