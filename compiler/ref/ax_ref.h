/* The dense reference: a SpikingBrain token step, generated as machine code
 * through LLVM and run on the host, in the two precisions of
 * docs/semantics.md (`fp32` and `w8spike`).
 *
 * Place in the pipeline: graph IR -> precision pass (ax_pass.h) -> this
 * module, which (1) loads every tensor the graph names into f32 buffers and
 * quantizes the weights of int8 projections, (2) lowers the graph to one
 * LLVM function per phase of each node, specialized to the node's constant
 * shapes, plus a `step` function that calls them in order with pointers
 * taken from a buffer table, (3) compiles that module for the host with
 * ORC LLJIT and (4) runs it token by token, reading back the logits, the
 * spike counts and thresholds it writes, and the sparsity statistics
 * (ax_spike.h) computed from them. docs/reference.md describes the generated
 * code, the state between tokens and the dump format.
 *
 * A session can also run the same plan on an NVIDIA GPU: the phases as PTX
 * kernels, loaded and launched through the CUDA driver, which is opened at
 * run time (libcuda.so.1), so that axon builds and runs where there is none
 * (ax_ref_session_open_on; docs/reference.md, "GPU"). ax_gpu.h writes GPU
 * bundles for the standalone runner.
 *
 * Everything here works without LLVM except code generation and sessions,
 * which then fail with AX_ERR_UNSUPPORTED and say so (ax_ref_has_llvm). */
#ifndef AX_REF_H
#define AX_REF_H

#include "ax_diag.h"
#include "ax_ir.h"
#include "ax_safetensors.h"
#include "ax_spike.h"
#include "ax_status.h"

#include <stdint.h>
#include <stdio.h>

struct ax_model;

enum ax_ref_precision {
    AX_REF_PRECISION_FP32,    /* the original float model */
    AX_REF_PRECISION_W8SPIKE, /* int8 weights, spike-count inputs, int8 K/V */
    AX_REF_PRECISION_COUNT
};

struct ax_ref_options {
    enum ax_ref_precision precision;
    struct ax_spike_options spike; /* which projections spike, encoding, k, steps */
};

/* w8spike with the spike defaults (released, bitwise, k = 3, adaptive). */
void ax_ref_options_default(struct ax_ref_options *o);
const char *ax_ref_precision_str(enum ax_ref_precision p);
int ax_ref_precision_parse(const char *s, enum ax_ref_precision *out); /* 0 or -1 */

/* Gives the graph the precision of `o` (ax_pass_fp32 or ax_pass_w8spike);
 * the graph verifies afterwards or the call fails with the diagnostics. */
ax_status ax_ref_apply_precision(struct ax_ir_graph *g, const struct ax_ref_options *o,
                                 const char *file, struct ax_diag_list *diags);

/* ---- weights --------------------------------------------------------------- */

/* Exact conversions to binary32 (BF16: the upper half of a binary32; F16:
 * every binary16 value, subnormals, infinities and NaNs included). */
float ax_ref_f32_from_bf16(uint16_t bits);
float ax_ref_f32_from_f16(uint16_t bits);

/* Converts the n elements of `t` (F32, BF16 or F16; unaligned data is fine)
 * into `out`. AX_ERR_UNSUPPORTED for other dtypes. */
ax_status ax_ref_tensor_to_f32(const struct ax_st_tensor *t, float *out, uint64_t n);

/* Symmetric int8 quantization per row and group of 128 inputs
 * (docs/semantics.md, "Weight quantization"): w is [rows][cols] with cols a
 * multiple of 128; writes codes [rows][cols] and scales [rows][cols/128]. */
void ax_ref_quantize(const float *w, uint32_t rows, uint32_t cols, int16_t *codes, float *scales);

/* Recovers the codes of fake-quantized weights `w` from their stored
 * `scales` [rows][cols/128] (a W8ASpike checkpoint): q = rne(w / scale), 0
 * where the scale is 0. Returns the number of codes outside [-128, 127]
 * through *n_outside. Fails with AX_ERR_LIMIT (nothing else changed but
 * `codes`) if a code does not fit 16 bits or a scale is negative or not
 * finite. */
ax_status ax_ref_codes_from_scales(const float *w, const float *scales, uint32_t rows,
                                   uint32_t cols, int16_t *codes, uint64_t *n_outside);

/* ---- code generation -------------------------------------------------------- */

/* 1 when this build has LLVM (code generation and sessions work). */
int ax_ref_has_llvm(void);

enum ax_ref_emit {
    AX_REF_EMIT_LLVM, /* the LLVM IR module for the host, before optimization */
    AX_REF_EMIT_PTX,  /* PTX for sm_90: one kernel per phase */
    AX_REF_EMIT_COUNT
};

/* Lowers a graph that already has its precision (ax_ref_apply_precision) and
 * writes the module's text to `out`. Needs no weights: shapes come from the
 * graph; the checkpoint `ck`, when given, chooses the weights' element types
 * as a session would (NULL: f32 weights, int8 codes). AX_ERR_UNSUPPORTED,
 * with a diagnostic, for ops the reference does not run (the 76B's meta
 * tokens, experts, full attention, tied gates) or a build without LLVM. */
ax_status ax_ref_emit(const struct ax_ir_graph *g, const struct ax_ref_options *o,
                      const struct ax_st_checkpoint *ck, enum ax_ref_emit what, FILE *out,
                      struct ax_diag_list *diags);

/* ---- sessions ---------------------------------------------------------------- */

/* A compiled model with its weights, state and statistics (opaque). */
typedef struct ax_ref_session ax_ref_session_t;

/* Opens a session for model `m` (with weights) under options `o`: builds the
 * graph IR, applies the precision, loads and quantizes the weights, generates
 * and JIT-compiles the step. `m` must outlive the session. On failure *out is
 * NULL and `diags` says why. Runs on the CPU. */
ax_status ax_ref_session_open(const struct ax_model *m, const struct ax_ref_options *o,
                              ax_ref_session_t **out, struct ax_diag_list *diags);

/* Where a session runs its step. */
enum ax_ref_device {
    AX_REF_DEVICE_CPU,  /* the host, through the JIT */
    AX_REF_DEVICE_GPU,  /* an NVIDIA GPU: PTX kernels through the CUDA driver */
    AX_REF_DEVICE_AUTO, /* the GPU when one can run the model, else the CPU */
    AX_REF_DEVICE_COUNT
};
const char *ax_ref_device_str(enum ax_ref_device d);             /* "cpu", "gpu", "auto" */
int ax_ref_device_parse(const char *s, enum ax_ref_device *out); /* 0 or -1 */

/* ax_ref_session_open on a chosen device. GPU: the same plan, weights
 * loaded and quantized on the host and copied to the device once, the
 * plan's PTX loaded by the driver, then per step every phase's kernel
 * launched in order and the logits, counts and thresholds copied back, so
 * that everything read from the session (logits, statistics, the bound)
 * means what it means on the CPU. Fails with AX_ERR_UNSUPPORTED and a
 * diagnostic naming the cause (no driver: "libcuda.so.1 could not be
 * loaded (no NVIDIA driver on this machine)"; no device; a failed driver
 * call with the driver's error name and text). AUTO: the GPU when that
 * succeeds, else the CPU, the reason kept in ax_ref_session_device_note. */
ax_status ax_ref_session_open_on(const struct ax_model *m, const struct ax_ref_options *o,
                                 enum ax_ref_device device, ax_ref_session_t **out,
                                 struct ax_diag_list *diags);
/* AX_REF_DEVICE_CPU or AX_REF_DEVICE_GPU: where the session runs. */
enum ax_ref_device ax_ref_session_device(const ax_ref_session_t *s);
/* The GPU's description ("NVIDIA H200 (sm_90, CUDA driver 13.0)"), why
 * AUTO took the CPU ("auto: no usable GPU: ..."), or "" (asked for the CPU). */
const char *ax_ref_session_device_note(const ax_ref_session_t *s);
/* On a GPU the step copies back the logits, counts and thresholds only;
 * this copies the other probes' buffers (site inputs and outputs, layer
 * outputs) too, so that ax_ref_session_site and ax_ref_session_probe show
 * the last step. Call it after a step before reading those or adding the
 * step to a dump. Does nothing on the CPU. */
ax_status ax_ref_session_sync_probes(ax_ref_session_t *s, struct ax_diag_list *diags);
void ax_ref_session_close(ax_ref_session_t *s);

/* Runs one token at the next position: every node in order, the state
 * updated, the logits, counts and thresholds written, the statistics added.
 * Fails with AX_ERR_INVALID for a token outside the vocabulary and with
 * AX_ERR_LIMIT when a projection's int32 accumulators could overflow
 * (128 * max|s| * max|q| >= 2^31); the session is then unusable until
 * ax_ref_session_reset. */
ax_status ax_ref_session_step(ax_ref_session_t *s, int32_t token, struct ax_diag_list *diags);

/* Back to position 0 with zero state; the statistics start again. */
void ax_ref_session_reset(ax_ref_session_t *s);

const float *ax_ref_session_logits(const ax_ref_session_t *s); /* vocab entries */
uint32_t ax_ref_session_vocab(const ax_ref_session_t *s);
uint64_t ax_ref_session_position(const ax_ref_session_t *s); /* tokens run */
const struct ax_ir_graph *ax_ref_session_graph(const ax_ref_session_t *s);
const struct ax_ref_options *ax_ref_session_options(const ax_ref_session_t *s);
double ax_ref_session_compile_seconds(const ax_ref_session_t *s);
/* Weight codes outside [-128, 127] over every int8 projection (only a
 * W8ASpike checkpoint's recovered codes can have any). */
uint64_t ax_ref_session_codes_outside_int8(const ax_ref_session_t *s);

/* A projection of the spike mode's set (ax_pass_spike_site) as the last
 * step left it. `name` is the weight name without ".weight" (for example
 * "model.layers.0.attn.q_proj"), or "model.layers.N.attn.swa_query" for the
 * SWA query (input: the query after RoPE; output: the attention output,
 * before o_proj). counts and vth are NULL unless the site spikes; vth has
 * one entry, or one per head for the SWA query. */
struct ax_ref_site {
    const char *name;
    uint32_t node; /* its graph node */
    uint32_t n_in, n_out, n_vth;
    uint8_t is_spiking;
    const float *input;    /* n_in values fed to the encoder (or the projection) */
    const float *output;   /* n_out values, bias included */
    const int32_t *counts; /* n_in counts s */
    const float *vth;      /* n_vth thresholds */
};
uint32_t ax_ref_session_n_sites(const ax_ref_session_t *s);
void ax_ref_session_site(const ax_ref_session_t *s, uint32_t i, struct ax_ref_site *out);

/* The statistics of site i since the last reset, NULL unless it is a
 * spiking projection (the SWA query spikes but is no projection's input,
 * and is not counted, as the report counts); and over every spiking
 * projection (zeros when none spikes). */
const struct ax_spike_stats *ax_ref_session_site_stats(const ax_ref_session_t *s, uint32_t i);
void ax_ref_session_sparsity(const ax_ref_session_t *s, struct ax_spike_summary *total);

/* ---- probes and dumps -------------------------------------------------------- */

enum ax_ref_dtype { AX_REF_DTYPE_F32, AX_REF_DTYPE_I32, AX_REF_DTYPE_COUNT };
const char *ax_ref_dtype_str(enum ax_ref_dtype d); /* "f32", "i32" */

/* One per-token tensor the last step left: for each site `<name>.input`,
 * `<name>.counts`, `<name>.vth` (spiking sites only), `<name>.output`; for
 * each layer `model.layers.N.output`; then `logits`. */
struct ax_ref_probe {
    const char *name;
    enum ax_ref_dtype dtype;
    uint32_t dim;
    const void *data;
};
uint32_t ax_ref_session_n_probes(const ax_ref_session_t *s);
void ax_ref_session_probe(const ax_ref_session_t *s, uint32_t i, struct ax_ref_probe *out);

/* A recording of every probe over a run, written as docs/reference.md's dump
 * format: DIR/manifest.json and one raw little-endian row-major file per
 * probe, shape [n_tokens, dim]. */
struct ax_ref_dump;
ax_status ax_ref_dump_new(const ax_ref_session_t *s, struct ax_ref_dump **out);
/* Appends the probes of the step just run with input `token`. */
ax_status ax_ref_dump_add(struct ax_ref_dump *d, const ax_ref_session_t *s, int32_t token);
/* Creates `dir` if needed and writes every file atomically; `model` is
 * recorded in the manifest. */
ax_status ax_ref_dump_write(const struct ax_ref_dump *d, const ax_ref_session_t *s, const char *dir,
                            const char *model, struct ax_diag_list *diags);
void ax_ref_dump_free(struct ax_ref_dump *d);

/* ---- scoring and reports ------------------------------------------------------ */

/* -log2 softmax(logits)[target] with the log-softmax in f64:
 * l_t - (m + log sum_i exp(l_i - m)), sum ascending. */
double ax_ref_bits(const float *logits, uint32_t n, uint32_t target);
/* The index of the largest logit (the first on ties). */
uint32_t ax_ref_argmax(const float *logits, uint32_t n);

/* What a run measured, for the report. */
struct ax_ref_run {
    const char *model;
    const int32_t *tokens;
    const uint32_t *top1; /* per position */
    uint64_t n_tokens;
    double bits_sum;      /* sum of bits over the predicted positions */
    uint64_t n_predicted; /* n_tokens - 1 */
    int is_bytes;         /* byte tokenizer: bits per token are bits per byte */
    double seconds;       /* time spent in steps */
};

/* Writes one JSON object: model, precision, spike options, n_tokens,
 * bits_per_byte (null unless is_bytes), bits_per_token, top1, sparsity
 * (w8spike only: the totals and `layers`, one entry per spiking projection),
 * tokens_per_second, compile_seconds, codes_outside_int8, device ("cpu" or
 * "gpu") and device_note (ax_ref_session_device_note; null when empty). */
ax_status ax_ref_report_json(const ax_ref_session_t *s, const struct ax_ref_run *run, FILE *out);

#endif
