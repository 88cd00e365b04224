/* The CUDA driver API loaded at run time (gpu_driver.h): the one file of
 * the library that talks to the NVIDIA driver. No CUDA header is included:
 * the few types and constants used are declared here with the values of
 * the driver API's cuda.h, so the build needs no toolkit and the binary no
 * libcuda (only the C library's dlopen). */
#define _POSIX_C_SOURCE 200809L
#include "gpu_driver.h"

#include "ax_mem.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* ---- the driver's types (cuda.h), as far as they are used ---------------------------- */

typedef int cu_result;            /* CUresult: 0 is CUDA_SUCCESS */
typedef int cu_device;            /* CUdevice */
typedef struct cu_opaque *cu_ref; /* CUcontext, CUmodule, CUfunction, CUstream */

enum {
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
    CU_JIT_ERROR_LOG_BUFFER = 5,
    CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6
};

#define LOG_SIZE 8192u /* the assembler's error log */

/* The entry points, by their exported (versioned) names. */
struct cu_api {
    cu_result (*init)(unsigned flags);
    cu_result (*driver_version)(int *version);
    cu_result (*device_get)(cu_device *dev, int ordinal);
    cu_result (*device_name)(char *name, int len, cu_device dev);
    cu_result (*device_attribute)(int *value, int attribute, cu_device dev);
    cu_result (*ctx_create)(cu_ref *ctx, unsigned flags, cu_device dev);
    cu_result (*ctx_destroy)(cu_ref ctx);
    cu_result (*ctx_synchronize)(void);
    cu_result (*module_load)(cu_ref *module, const void *image, unsigned n_options, int *options,
                             void **values);
    cu_result (*module_unload)(cu_ref module);
    cu_result (*module_function)(cu_ref *fn, cu_ref module, const char *name);
    cu_result (*mem_alloc)(ax_gpu_dptr *p, size_t bytes);
    cu_result (*mem_free)(ax_gpu_dptr p);
    cu_result (*memcpy_htod)(ax_gpu_dptr dst, const void *src, size_t bytes);
    cu_result (*memcpy_dtoh)(void *dst, ax_gpu_dptr src, size_t bytes);
    cu_result (*launch)(cu_ref fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                        unsigned bz, unsigned shared_bytes, cu_ref stream, void **params,
                        void **extra);
    cu_result (*error_name)(cu_result r, const char **s);
    cu_result (*error_string)(cu_result r, const char **s);
};

/* Where each entry point goes: the symbol and its slot in struct cu_api. */
static const struct {
    const char *symbol;
    size_t offset;
} symbols[] = {
    {"cuInit", offsetof(struct cu_api, init)},
    {"cuDriverGetVersion", offsetof(struct cu_api, driver_version)},
    {"cuDeviceGet", offsetof(struct cu_api, device_get)},
    {"cuDeviceGetName", offsetof(struct cu_api, device_name)},
    {"cuDeviceGetAttribute", offsetof(struct cu_api, device_attribute)},
    {"cuCtxCreate_v2", offsetof(struct cu_api, ctx_create)},
    {"cuCtxDestroy_v2", offsetof(struct cu_api, ctx_destroy)},
    {"cuCtxSynchronize", offsetof(struct cu_api, ctx_synchronize)},
    {"cuModuleLoadDataEx", offsetof(struct cu_api, module_load)},
    {"cuModuleUnload", offsetof(struct cu_api, module_unload)},
    {"cuModuleGetFunction", offsetof(struct cu_api, module_function)},
    {"cuMemAlloc_v2", offsetof(struct cu_api, mem_alloc)},
    {"cuMemFree_v2", offsetof(struct cu_api, mem_free)},
    {"cuMemcpyHtoD_v2", offsetof(struct cu_api, memcpy_htod)},
    {"cuMemcpyDtoH_v2", offsetof(struct cu_api, memcpy_dtoh)},
    {"cuLaunchKernel", offsetof(struct cu_api, launch)},
    {"cuGetErrorName", offsetof(struct cu_api, error_name)},
    {"cuGetErrorString", offsetof(struct cu_api, error_string)},
};

struct ax_gpu_driver {
    void *lib;
    struct cu_api api;
    cu_device dev;
    cu_ref ctx, module;
    char name[256];
    int major, minor, version;
};

/* One diagnostic for a failed call: "call (what): NAME (code): text". */
static ax_status fail(const struct ax_gpu_driver *d, struct ax_diag_list *diags, const char *call,
                      const char *what, cu_result r)
{
    const char *name = NULL, *text = NULL;
    if (d->api.error_name && d->api.error_name(r, &name) != 0)
        name = NULL;
    if (d->api.error_string && d->api.error_string(r, &text) != 0)
        text = NULL;
    ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "%s%s%s%s: %s (%d): %s", call, what ? " (" : "",
                what ? what : "", what ? ")" : "", name ? name : "CUDA_ERROR_UNKNOWN", r,
                text ? text : "no description");
    return AX_ERR_UNSUPPORTED;
}

static void unload(struct ax_gpu_driver *d)
{
    if (d->module)
        d->api.module_unload(d->module);
    d->module = NULL;
}

void ax_gpu_driver_close(struct ax_gpu_driver *d)
{
    if (!d)
        return;
    unload(d);
    if (d->ctx)
        d->api.ctx_destroy(d->ctx);
    if (d->lib)
        dlclose(d->lib);
    ax_mem_free(d);
}

/* Opens the library and finds every entry point. The library is never
 * unloaded (RTLD_NODELETE): the driver keeps threads and state for the
 * process, and a second open (probe, then session) finds it initialized. */
static ax_status load_library(struct ax_gpu_driver *d, struct ax_diag_list *diags)
{
    d->lib = dlopen(AX_GPU_DRIVER_LIBRARY, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!d->lib) {
        const char *why = dlerror();
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "%s could not be loaded (no NVIDIA driver on this machine): %s",
                    AX_GPU_DRIVER_LIBRARY, why ? why : "dlopen failed");
        return AX_ERR_UNSUPPORTED;
    }
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        void *sym = dlsym(d->lib, symbols[i].symbol);
        if (!sym) {
            ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                        "%s has no %s: the NVIDIA driver is too old or not a CUDA driver",
                        AX_GPU_DRIVER_LIBRARY, symbols[i].symbol);
            return AX_ERR_UNSUPPORTED;
        }
        /* POSIX guarantees that a data pointer from dlsym holds a function's address */
        void (*fn)(void);
        _Static_assert(sizeof fn == sizeof sym, "function and data pointers have one size");
        memcpy(&fn, &sym, sizeof fn);
        memcpy((char *)&d->api + symbols[i].offset, &fn, sizeof fn);
    }
    return AX_OK;
}

/* cuInit, device 0, its name, capability and the driver's version. */
static ax_status find_device(struct ax_gpu_driver *d, struct ax_diag_list *diags)
{
    const char *call = "cuInit";
    cu_result r = d->api.init(0);
    if (r == 0) {
        call = "cuDeviceGet";
        r = d->api.device_get(&d->dev, 0);
    }
    if (r == 0) {
        call = "cuDeviceGetName";
        r = d->api.device_name(d->name, (int)sizeof d->name - 1, d->dev);
    }
    if (r == 0) {
        call = "cuDeviceGetAttribute";
        r = d->api.device_attribute(&d->major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                                    d->dev);
    }
    if (r == 0)
        r = d->api.device_attribute(&d->minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                                    d->dev);
    if (r == 0) {
        call = "cuDriverGetVersion";
        r = d->api.driver_version(&d->version);
    }
    d->name[sizeof d->name - 1] = '\0';
    return r == 0 ? AX_OK : fail(d, diags, call, NULL, r);
}

ax_status ax_gpu_driver_open(struct ax_gpu_driver **out, struct ax_diag_list *diags)
{
    *out = NULL;
    struct ax_gpu_driver *d = ax_mem_calloc(1, sizeof *d);
    if (!d)
        return AX_ERR_NOMEM;
    ax_status st = load_library(d, diags);
    if (st == AX_OK)
        st = find_device(d, diags);
    if (st == AX_OK) {
        cu_result r = d->api.ctx_create(&d->ctx, 0, d->dev);
        if (r != 0) {
            d->ctx = NULL;
            st = fail(d, diags, "cuCtxCreate", NULL, r);
        }
    }
    if (st != AX_OK) {
        ax_gpu_driver_close(d);
        return st;
    }
    *out = d;
    return AX_OK;
}

ax_status ax_gpu_driver_probe(char *desc, size_t size, struct ax_diag_list *diags)
{
    struct ax_gpu_driver *d = ax_mem_calloc(1, sizeof *d);
    if (!d)
        return AX_ERR_NOMEM;
    ax_status st = load_library(d, diags);
    if (st == AX_OK)
        st = find_device(d, diags);
    if (st == AX_OK && size)
        ax_gpu_driver_describe(d, desc, size);
    ax_gpu_driver_close(d);
    return st;
}

void ax_gpu_driver_describe(const struct ax_gpu_driver *d, char *out, size_t size)
{
    snprintf(out, size, "%s (sm_%d%d, CUDA driver %d.%d)", d->name, d->major, d->minor,
             d->version / 1000, d->version % 1000 / 10);
}

ax_status ax_gpu_driver_load(struct ax_gpu_driver *d, const char *ptx, struct ax_diag_list *diags)
{
    unload(d);
    char *log = ax_mem_calloc(1, LOG_SIZE);
    if (!log)
        return AX_ERR_NOMEM;
    int options[2] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    /* option values travel as pointers; the size is an integer in one */
    void *values[2] = {log, (void *)(uintptr_t)(LOG_SIZE - 1)};
    cu_result r = d->api.module_load(&d->module, ptx, 2, options, values);
    ax_status st = AX_OK;
    if (r != 0) {
        d->module = NULL;
        char what[96];
        snprintf(what, sizeof what, "a %zu-byte PTX module for sm_%d%d", strlen(ptx), d->major,
                 d->minor);
        st = fail(d, diags, "cuModuleLoadDataEx", what, r);
        log[LOG_SIZE - 1] = '\0';
        if (log[0])
            ax_diag_add(diags, AX_DIAG_NOTE, NULL, 0, 0, "the driver's assembler said: %.600s",
                        log);
    }
    ax_mem_free(log);
    return st;
}

ax_status ax_gpu_driver_kernel(struct ax_gpu_driver *d, const char *name,
                               struct ax_gpu_kernel **out, struct ax_diag_list *diags)
{
    *out = NULL;
    if (!d->module) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "kernel %s: no module is loaded", name);
        return AX_ERR_INTERNAL;
    }
    cu_ref fn = NULL;
    cu_result r = d->api.module_function(&fn, d->module, name);
    if (r != 0)
        return fail(d, diags, "cuModuleGetFunction", name, r);
    *out = (struct ax_gpu_kernel *)fn;
    return AX_OK;
}

ax_status ax_gpu_driver_alloc(struct ax_gpu_driver *d, size_t bytes, ax_gpu_dptr *out,
                              const char *what, struct ax_diag_list *diags)
{
    *out = 0;
    cu_result r = d->api.mem_alloc(out, bytes ? bytes : 1);
    if (r != 0) {
        *out = 0;
        return fail(d, diags, "cuMemAlloc", what, r);
    }
    return AX_OK;
}

void ax_gpu_driver_free(struct ax_gpu_driver *d, ax_gpu_dptr p)
{
    if (p)
        d->api.mem_free(p);
}

ax_status ax_gpu_driver_upload(struct ax_gpu_driver *d, ax_gpu_dptr dst, const void *src,
                               size_t bytes, const char *what, struct ax_diag_list *diags)
{
    cu_result r = d->api.memcpy_htod(dst, src, bytes);
    return r == 0 ? AX_OK : fail(d, diags, "cuMemcpyHtoD", what, r);
}

ax_status ax_gpu_driver_download(struct ax_gpu_driver *d, void *dst, ax_gpu_dptr src, size_t bytes,
                                 const char *what, struct ax_diag_list *diags)
{
    cu_result r = d->api.memcpy_dtoh(dst, src, bytes);
    return r == 0 ? AX_OK : fail(d, diags, "cuMemcpyDtoH", what, r);
}

ax_status ax_gpu_driver_launch(struct ax_gpu_driver *d, struct ax_gpu_kernel *k, uint32_t grid,
                               uint32_t block, void **params, const char *what,
                               struct ax_diag_list *diags)
{
    cu_result r = d->api.launch((cu_ref)k, grid, 1, 1, block, 1, 1, 0, NULL, params, NULL);
    return r == 0 ? AX_OK : fail(d, diags, "cuLaunchKernel", what, r);
}

ax_status ax_gpu_driver_sync(struct ax_gpu_driver *d, const char *what, struct ax_diag_list *diags)
{
    cu_result r = d->api.ctx_synchronize();
    return r == 0 ? AX_OK : fail(d, diags, "cuCtxSynchronize", what, r);
}
