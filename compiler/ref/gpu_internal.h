/* Internal to the reference's GPU runtime (gpu_run.c, gpu_bundle.c): the
 * plan of ref_internal.h run as PTX kernels through the driver
 * (gpu_driver.h), and what a session and a bundle share.
 *
 * On the device every buffer of the plan is one allocation, and the
 * argument table is one more: n_args device pointers, entry i pointing at
 * buffer args[i]. Phase i is a launch of its kernel (ax_ref_plan_kernels)
 * with the parameters (table + 8 * arg0, token, pos) on a one-dimensional
 * grid of ax_gpu_grid(n_items) blocks of ax_gpu_block(n_items) threads;
 * thread `ctaid.x * ntid.x + tid.x` runs that item, threads beyond n_items
 * return at once. Launches go in phase order on the default stream, so each
 * phase sees the one before it complete. */
#ifndef AX_GPU_INTERNAL_H
#define AX_GPU_INTERNAL_H

#include "ref_internal.h"

#include <stddef.h>

#define AX_GPU_BLOCK_MAX 128u /* threads per block */

/* The launch shape of a phase of n_items items. */
uint32_t ax_gpu_block(uint32_t n_items);
uint32_t ax_gpu_grid(uint32_t n_items);

/* The plan's PTX module (ax_ref_codegen_emit) as a fresh NUL-terminated
 * buffer (*out, ax_mem_free) of *len bytes. */
ax_status ax_gpu_ptx_text(const struct ax_ref_plan *p, char **out, size_t *len,
                          struct ax_diag_list *diags);

/* A plan on the GPU: the driver, the module, the device buffers. */
struct ax_gpu_run;

/* Opens the driver (failing first and fast when there is none), generates
 * and loads the plan's PTX, looks up each phase's kernel, allocates every
 * buffer and the argument table on the device and uploads every buffer
 * from `host` (host[i] holds buffer i: the weights, zeros elsewhere).
 * `p` and `host` must outlive the run. */
ax_status ax_gpu_run_open(const struct ax_ref_plan *p, void *const *host, struct ax_gpu_run **out,
                          struct ax_diag_list *diags);
void ax_gpu_run_close(struct ax_gpu_run *r);

/* Launches every phase in order for `token` at position `pos` and waits
 * for them. */
ax_status ax_gpu_run_step(struct ax_gpu_run *r, int32_t token, int64_t pos,
                          struct ax_diag_list *diags);

/* Copies buffer `buf` from the device into `host` (its whole size), or
 * from `host` to the device. */
ax_status ax_gpu_run_download(struct ax_gpu_run *r, uint32_t buf, void *host,
                              struct ax_diag_list *diags);
ax_status ax_gpu_run_upload(struct ax_gpu_run *r, uint32_t buf, const void *host,
                            struct ax_diag_list *diags);

/* "NVIDIA H200 (sm_90, CUDA driver 13.0)" */
void ax_gpu_run_describe(const struct ax_gpu_run *r, char *out, size_t size);
/* Seconds spent generating PTX and loading it. */
double ax_gpu_run_compile_seconds(const struct ax_gpu_run *r);

#endif
