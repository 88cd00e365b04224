/* GPU bundles: everything the standalone GPU runner (tools/gpu_runner.c)
 * needs to run a model's reference step on a machine that has only the
 * NVIDIA driver and a C compiler, and to compare the result with the CPU.
 *
 * Place in the pipeline: a CPU reference session (ax_ref.h) runs a prompt;
 * a bundle records its plan (buffers with their sizes and initial contents,
 * the argument table, the phases with their kernels and launch shapes), the
 * PTX module of the same graph, the tokens and, per token, the CPU's logits,
 * spike counts and thresholds. docs/reference.md ("GPU bundles") defines
 * the files; the runner reads them with its own parser, so the format is
 * the contract between the two. */
#ifndef AX_GPU_H
#define AX_GPU_H

#include "ax_diag.h"
#include "ax_ref.h"
#include "ax_status.h"

#include <stddef.h>
#include <stdint.h>

/* Whether this machine has a usable NVIDIA GPU: the driver (libcuda.so.1,
 * opened at run time) loads, initializes and finds device 0. On success
 * `desc` gets "NAME (sm_XY, CUDA driver A.B)"; on failure AX_ERR_UNSUPPORTED
 * and one diagnostic naming the cause ("libcuda.so.1 could not be loaded (no
 * NVIDIA driver on this machine): ...", or the failed driver call with the
 * driver's error name and text). Creates no context. */
ax_status ax_gpu_probe(char *desc, size_t size, struct ax_diag_list *diags);

/* The bundle format's version, first line of bundle.txt. */
#define AX_GPU_BUNDLE_VERSION 1

/* A recording of a run, to be written as a bundle. */
struct ax_gpu_bundle;

/* Starts a recording of session `s`, which must run on the CPU (the bundle's
 * reference) and be at position 0: AX_ERR_USAGE otherwise. */
ax_status ax_gpu_bundle_new(const ax_ref_session_t *s, struct ax_gpu_bundle **out,
                            struct ax_diag_list *diags);
/* Records the step just run with input `token`: its logits, counts and
 * thresholds. */
ax_status ax_gpu_bundle_add(struct ax_gpu_bundle *b, const ax_ref_session_t *s, int32_t token);
/* Creates `dir` if needed and writes bundle.txt, module.ptx, weights.bin
 * and reference.bin, each atomically; `model` is recorded in bundle.txt.
 * Needs LLVM (the PTX). */
ax_status ax_gpu_bundle_write(const struct ax_gpu_bundle *b, const ax_ref_session_t *s,
                              const char *dir, const char *model, struct ax_diag_list *diags);
void ax_gpu_bundle_free(struct ax_gpu_bundle *b);

#endif
