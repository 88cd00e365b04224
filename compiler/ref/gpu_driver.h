/* Internal to the GPU runtime: the CUDA driver API, loaded at run time.
 *
 * gpu_driver.c is the only file in the library that talks to the NVIDIA
 * driver (STYLE.md habit 10): it opens libcuda.so.1 with dlopen, looks up
 * the handful of entry points below with dlsym and declares them with its
 * own minimal types, so that axon builds without the CUDA toolkit and runs
 * where there is no driver. Every failure becomes one diagnostic naming the
 * driver call and the driver's own error name and text, for example
 *
 *     cuDeviceGet: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected
 *
 * One driver object holds one context on device 0 and at most one module.
 * Device memory is addressed by 64-bit device pointers (ax_gpu_dptr). */
#ifndef AX_GPU_DRIVER_H
#define AX_GPU_DRIVER_H

#include "ax_diag.h"
#include "ax_status.h"

#include <stddef.h>
#include <stdint.h>

typedef uint64_t ax_gpu_dptr; /* CUdeviceptr */

struct ax_gpu_driver;
struct ax_gpu_kernel; /* a CUfunction of the loaded module (never dereferenced) */

/* The library dlopen opens: libcuda.so.1, found the usual way (its folder
 * in LD_LIBRARY_PATH first, then the system's). */
#define AX_GPU_DRIVER_LIBRARY "libcuda.so.1"

/* Loads the driver, initializes it (cuInit), takes device 0 and creates a
 * context on it. Fails with AX_ERR_UNSUPPORTED when the library cannot be
 * loaded (no NVIDIA driver: the diagnostic says "libcuda.so.1 could not be
 * loaded (no NVIDIA driver on this machine)"), lacks an entry point, or a
 * call fails (no device, ...); nothing stays open then. */
ax_status ax_gpu_driver_open(struct ax_gpu_driver **out, struct ax_diag_list *diags);
/* Whether the driver loads and has a device, without a context: `desc`
 * gets "NAME (sm_XY, CUDA driver A.B)". Fails as ax_gpu_driver_open. */
ax_status ax_gpu_driver_probe(char *desc, size_t size, struct ax_diag_list *diags);
/* Unloads the module, destroys the context and closes the library. NULL is fine. */
void ax_gpu_driver_close(struct ax_gpu_driver *d);

/* "NVIDIA H200 (sm_90, CUDA driver 13.0)": the device's name, compute
 * capability and the driver's CUDA version. */
void ax_gpu_driver_describe(const struct ax_gpu_driver *d, char *out, size_t size);

/* Loads a NUL-terminated PTX module (cuModuleLoadDataEx: the driver
 * assembles it for the device). A failure's diagnostic carries the start
 * of the driver's error log. One module per driver object. */
ax_status ax_gpu_driver_load(struct ax_gpu_driver *d, const char *ptx, struct ax_diag_list *diags);
/* The kernel `name` of the loaded module. */
ax_status ax_gpu_driver_kernel(struct ax_gpu_driver *d, const char *name,
                               struct ax_gpu_kernel **out, struct ax_diag_list *diags);

/* Device memory. `what` (may be NULL) names the buffer in diagnostics. */
ax_status ax_gpu_driver_alloc(struct ax_gpu_driver *d, size_t bytes, ax_gpu_dptr *out,
                              const char *what, struct ax_diag_list *diags);
void ax_gpu_driver_free(struct ax_gpu_driver *d, ax_gpu_dptr p);
ax_status ax_gpu_driver_upload(struct ax_gpu_driver *d, ax_gpu_dptr dst, const void *src,
                               size_t bytes, const char *what, struct ax_diag_list *diags);
ax_status ax_gpu_driver_download(struct ax_gpu_driver *d, void *dst, ax_gpu_dptr src, size_t bytes,
                                 const char *what, struct ax_diag_list *diags);

/* Launches `k` on a one-dimensional grid of `grid` blocks of `block`
 * threads on the default stream; params[i] points at the kernel's i-th
 * parameter (cuLaunchKernel's convention). Launches are asynchronous:
 * errors in the kernel surface at the next ax_gpu_driver_sync. */
ax_status ax_gpu_driver_launch(struct ax_gpu_driver *d, struct ax_gpu_kernel *k, uint32_t grid,
                               uint32_t block, void **params, const char *what,
                               struct ax_diag_list *diags);
/* Waits for everything launched (cuCtxSynchronize). */
ax_status ax_gpu_driver_sync(struct ax_gpu_driver *d, const char *what, struct ax_diag_list *diags);

#endif
