/* Internal to the reference (ax_ref.h): the plan that the code generator,
 * the weight loader and the runner share.
 *
 * A plan turns a graph with its precision into
 *   - buffers: every weight, state, activation, probe and scratch array the
 *     generated code touches, each with its element type, length and how it
 *     is filled;
 *   - phases: the units of generated code, in execution order. A node
 *     lowers to one or two phases (a spiking linear layer: the encoder, then
 *     the accumulation). Each phase is a loop over `n_items` independent
 *     items (row blocks, heads, groups, elements): on the host a loop, on a
 *     GPU one thread per item. A phase's buffers are its arguments: the
 *     slice args[arg0 .. arg0 + n_args) of buffer indices, in the order the
 *     table below gives. At run time the step receives the argument table
 *     (one pointer per entry of `args`) and hands each phase its slice, so
 *     phases of the same kind and shapes share one generated kernel;
 *   - sites: the projections of the spike mode's set (ax_pass.h), with the
 *     buffers the runner reads for statistics and dumps.
 *
 * Layouts (REF_RB rows per block; blocks padded with zero rows):
 *   dense weights   f32, bf16 or f16 [n_blocks][in][REF_RB]: W[b*RB + r][i]
 *                   at (b*in + i)*RB + r
 *   int8 codes      i8 or i16 in the same layout
 *   scales          f32 [n_blocks][n_groups][REF_RB]
 *   bias            f32 [n_blocks * REF_RB]
 *   activations     f32, length rounded up to a multiple of REF_RB
 *   GLA state       f32 [kv_heads][d][d] (query heads of one kv head share
 *                   it: they would hold identical copies)
 *   SWA K, V        f32 or i8 [window][kv_heads][d], token p at slot p % window
 *   SWA K/V scales  f32 [window][kv_heads] (int8 only)
 *   RoPE table      f64 [d]: cos at [i], sin at [d/2 + i], i < d/2 */
#ifndef AX_REF_INTERNAL_H
#define AX_REF_INTERNAL_H

#include "ax_arena.h"
#include "ax_ref.h"

#include <stdint.h>

#define REF_RB 16u     /* rows per block of a linear kernel */
#define REF_GROUP 128u /* inputs per quantization group */
#define REF_NONE UINT32_MAX

enum ref_buf_kind {
    REF_BUF_WEIGHT,  /* filled once from the checkpoint */
    REF_BUF_STATE,   /* carried between tokens; zero at position 0 */
    REF_BUF_ACT,     /* a node's output vector */
    REF_BUF_PROBE,   /* counts and thresholds the runner reads */
    REF_BUF_SCRATCH, /* within one step */
    REF_BUF_COUNT
};

/* Element types. Dense weights keep the checkpoint's width (BF16 and F16
 * convert to f32 exactly inside the kernel), int8 codes are i8 unless a
 * W8ASpike checkpoint's recovered codes need i16: the weights a token reads
 * stay small enough for the caches. */
enum ref_elem {
    REF_ELEM_F32,
    REF_ELEM_F64,
    REF_ELEM_I32,
    REF_ELEM_I16,
    REF_ELEM_I8,
    REF_ELEM_BF16,
    REF_ELEM_F16,
    REF_ELEM_COUNT
};

enum ref_fill {
    REF_FILL_ZERO,     /* nothing to load */
    REF_FILL_RAW,      /* the tensor as f32; rmsnorm weights of `group` entries repeat */
    REF_FILL_ROWS,     /* a weight matrix in its element type, packed in row blocks */
    REF_FILL_ROWS_DEQ, /* int8 codes times scales as f32, packed (quant without spikes) */
    REF_FILL_CODES,    /* int8 codes as i8 or i16, packed */
    REF_FILL_SCALES,   /* per-group scales, packed */
    REF_FILL_BIAS,     /* a bias padded to whole blocks */
    REF_FILL_COUNT
};

struct ref_buf {
    enum ref_buf_kind kind;
    enum ref_elem elem;
    enum ref_fill fill;
    uint64_t n_elems;
    const char *tensor;  /* the checkpoint tensor for fills other than ZERO */
    uint32_t rows, cols; /* matrices: the unpacked shape */
    uint32_t node;
};

/* The kinds of phase (ref_phases.def). */
enum ref_phase_kind {
#define X(name, str, meaning) REF_PHASE_##name,
#include "ref_phases.def"
#undef X
    REF_PHASE_COUNT
};

/* The arguments of each phase kind, in order ([optional]):
 *   embed         E, out
 *   rmsnorm       x, w, out
 *   linear        x, W, out [, bias]
 *   encode        x, counts, vth
 *   spike_linear  codes, scales, counts, vth, out [, bias]
 *   rope_table    table
 *   rope          x, table, out
 *   swa_store     k, v, K, V [, K scales, V scales]
 *   swa_attend    q, K, V, out [, K scales, V scales] [, counts, vth]
 *   gla_update    k, v, g, S
 *   gla_read      q, S, out
 *   swiglu, add   a, b, out */
struct ref_phase {
    enum ref_phase_kind kind;
    uint32_t node;
    uint32_t n_items;
    uint32_t arg0, n_args; /* its slice of the plan's args */
};

/* The buffers of one node (REF_NONE where unused). */
struct ref_node {
    uint32_t out;                 /* activation */
    uint32_t w, b, codes, scales; /* weights */
    uint32_t counts, vth;         /* probes of a spiking node */
    uint32_t st[4];               /* GLA: S; SWA: K, V, K scales, V scales */
    uint32_t scratch;             /* RoPE table */
    uint32_t site;
};

struct ref_site {
    const char *name;
    uint32_t node, input_node;
    uint32_t n_in, n_out, n_vth;
    uint8_t is_spiking;
};

struct ax_ref_plan {
    const struct ax_ir_graph *g;
    struct ax_ref_options opts;
    struct ref_buf *bufs;
    uint32_t n_bufs, cap_bufs;
    struct ref_node *nodes; /* one per graph node */
    struct ref_phase *phases;
    uint32_t n_phases, cap_phases;
    uint32_t *args; /* buffer indices, the phases' argument slices back to back */
    uint32_t n_args, cap_args;
    struct ref_site *sites;
    uint32_t n_sites, cap_sites;
    uint32_t n_layers;
    uint32_t *layer_out; /* per layer: the node whose output is the layer's */
    uint32_t logits_node;
    uint32_t vocab;
    struct ax_arena arena; /* names */
};

/* Builds the plan of a graph that has its precision. `ck` (NULL for a
 * shape-only model: f32 weights, i8 codes) decides the weights' element
 * types. Every op the reference does not run is reported
 * (AX_ERR_UNSUPPORTED). */
ax_status ax_ref_plan_build(struct ax_ref_plan *p, const struct ax_ir_graph *g,
                            const struct ax_ref_options *o, const struct ax_st_checkpoint *ck,
                            const char *file, struct ax_diag_list *diags);
void ax_ref_plan_free(struct ax_ref_plan *p);

const char *ax_ref_phase_str(enum ref_phase_kind k);
uint32_t ax_ref_elem_size(enum ref_elem e);

/* Which generated kernel runs each phase. Phases whose kind and constant
 * shapes agree (the q projections of every layer) share one kernel:
 * kernel_of[i] (n_phases entries) is phase i's, numbered in order of first
 * use, and *n_kernels their number. AX_ERR_NOMEM is the only failure. */
ax_status ax_ref_plan_kernels(const struct ax_ref_plan *p, uint32_t *kernel_of,
                              uint32_t *n_kernels);
/* The name of phase `phase`'s kernel, "k<kernel>_<phase kind>" (the
 * generated function, the PTX `.entry`). */
void ax_ref_kernel_name(const struct ax_ref_plan *p, const uint32_t *kernel_of, uint32_t phase,
                        char *out, size_t size);

/* The generated step: runs every phase in order; `args` holds one pointer
 * per entry of the plan's args. */
typedef void (*ax_ref_step_fn)(void **args, int32_t token, int64_t pos);

struct ax_ref_jit;
/* Generates, optimizes (default<O2>, no fast-math) and JIT-compiles the
 * plan's module for the host. */
ax_status ax_ref_jit_compile(const struct ax_ref_plan *p, struct ax_ref_jit **out,
                             ax_ref_step_fn *step, struct ax_diag_list *diags);
void ax_ref_jit_free(struct ax_ref_jit *j);
/* The GPU's generated math functions (exp, log1p, sin, cos, pow), compiled
 * for the host so that tests can hold them to the C library's. Free `jit`
 * with ax_ref_jit_free. */
struct ax_ref_gpu_math {
    double (*exp)(double);
    double (*log1p)(double);
    double (*sin)(double);
    double (*cos)(double);
    double (*pow)(double, double);
    struct ax_ref_jit *jit;
};
ax_status ax_ref_gpu_math_host(struct ax_ref_gpu_math *out, struct ax_diag_list *diags);

/* A session's plan and its host buffers (buffer i at [i]; on a GPU the
 * weights, and whatever was copied back last). */
const struct ax_ref_plan *ax_ref_session_plan(const ax_ref_session_t *s);
void *const *ax_ref_session_buffers(const ax_ref_session_t *s);

const char *ax_ref_elem_str(enum ref_elem e);         /* "f32", "i8", "bf16", ... */
const char *ax_ref_buf_kind_str(enum ref_buf_kind k); /* "weight", "state", ... */

/* Writes the plan's module as LLVM IR text or PTX. */
ax_status ax_ref_codegen_emit(const struct ax_ref_plan *p, enum ax_ref_emit what, FILE *out,
                              struct ax_diag_list *diags);

/* Fills the plan's weight buffers (`bufs[i]` points at buffer i) from the
 * checkpoint; counts recovered codes outside int8 into *n_outside and the
 * largest |code| of each int8 node into max_code[node]. */
ax_status ax_ref_weights_fill(const struct ax_ref_plan *p, const struct ax_st_checkpoint *ck,
                              void **bufs, uint64_t *n_outside, uint32_t *max_code,
                              struct ax_diag_list *diags);

#endif
