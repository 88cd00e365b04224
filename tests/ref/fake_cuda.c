/* A fake CUDA driver for the tests, built as libcuda.so.1 in a test folder
 * and found first through LD_LIBRARY_PATH. It exports the entry points the
 * GPU runtime (compiler/ref/gpu_driver.c) and the standalone runner
 * (tools/gpu_runner.c) look up, and checks the host side of both without a
 * GPU: nothing is executed, but every call is recorded.
 *
 * Environment:
 *   FAKE_CUDA_MODE  nodevice (default): cuInit succeeds, cuDeviceGet fails
 *                   with CUDA_ERROR_NO_DEVICE (100), as on a machine with a
 *                   driver and no GPU.
 *                   ok: a device "Fake GPU" (sm_90, driver 13.0) whose
 *                   memory is host memory: copies copy, launches are
 *                   recorded and run nothing (what the host reads back is
 *                   what it wrote, zeros for outputs).
 *   FAKE_CUDA_LOG   a file that gets one line per call (below).
 *   FAKE_CUDA_PTX   a file that gets the image cuModuleLoadDataEx received.
 *   FAKE_CUDA_FAIL  the name of one entry point that fails (in mode ok), with
 *                   the error a real driver would give there.
 *
 * Log lines (allocations are numbered from 0 in the order made):
 *   init | device N | context | destroy | sync | unload
 *   module BYTES | function NAME
 *   alloc ID BYTES | free ID
 *   htod ID OFFSET BYTES HASH [ptrs ID...]   (ptrs: the data is device pointers
 *                                             to the start of those allocations)
 *   dtoh ID OFFSET BYTES
 *   launch NAME grid GX GY GZ block BX BY BZ args ID+OFFSET token T pos P
 * HASH is the 64-bit FNV-1a of the bytes, in hexadecimal. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int cu_result;
typedef unsigned long long cu_dptr;

enum {
    OK = 0,
    ERR_INVALID_VALUE = 1,
    ERR_OUT_OF_MEMORY = 2,
    ERR_NOT_INITIALIZED = 3,
    ERR_NO_DEVICE = 100,
    ERR_INVALID_PTX = 218,
    ERR_NOT_FOUND = 500,
    ERR_LAUNCH_FAILED = 719
};

static const struct {
    cu_result code;
    const char *name, *text;
} errors[] = {
    {OK, "CUDA_SUCCESS", "no error"},
    {ERR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {ERR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {ERR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {ERR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {ERR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {ERR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {ERR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
};

struct alloc {
    unsigned char *data;
    size_t bytes;
    int is_live;
};

struct function {
    char name[128];
};

static struct {
    int is_init, has_ctx;
    struct alloc *allocs;
    size_t n_allocs, cap_allocs;
    char *image; /* the module's PTX; NULL: none loaded */
    struct function *fns;
    size_t n_fns;
} fake;

static const char *mode(void)
{
    const char *m = getenv("FAKE_CUDA_MODE");
    return m ? m : "nodevice";
}

static int is_ok_mode(void)
{
    return strcmp(mode(), "ok") == 0;
}

/* 1 when `call` is the one FAKE_CUDA_FAIL names. */
static int fails(const char *call)
{
    const char *f = getenv("FAKE_CUDA_FAIL");
    return f && strcmp(f, call) == 0;
}

static void logf_(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

static void logf_(const char *fmt, ...)
{
    const char *path = getenv("FAKE_CUDA_LOG");
    if (!path)
        return;
    FILE *f = fopen(path, "a");
    if (!f)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fclose(f);
}

/* The live allocation that holds address p: its index, and p's offset. */
static int find(cu_dptr p, size_t *id, size_t *offset)
{
    for (size_t i = 0; i < fake.n_allocs; i++) {
        const struct alloc *a = &fake.allocs[i];
        uintptr_t base = (uintptr_t)a->data;
        if (a->is_live && p >= base && p < base + a->bytes) {
            *id = i;
            *offset = (size_t)(p - base);
            return 1;
        }
    }
    return 0;
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

cu_result cuGetErrorName(cu_result r, const char **s)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        if (errors[i].code == r) {
            *s = errors[i].name;
            return OK;
        }
    }
    *s = NULL;
    return ERR_INVALID_VALUE;
}

cu_result cuGetErrorString(cu_result r, const char **s)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        if (errors[i].code == r) {
            *s = errors[i].text;
            return OK;
        }
    }
    *s = NULL;
    return ERR_INVALID_VALUE;
}

cu_result cuInit(unsigned flags)
{
    logf_("init");
    if (flags != 0)
        return ERR_INVALID_VALUE;
    if (fails("cuInit"))
        return ERR_NO_DEVICE;
    fake.is_init = 1;
    return OK;
}

cu_result cuDriverGetVersion(int *v)
{
    *v = 13000;
    return OK;
}

cu_result cuDeviceGet(int *dev, int ordinal)
{
    logf_("device %d", ordinal);
    if (!fake.is_init)
        return ERR_NOT_INITIALIZED;
    if (!is_ok_mode() || ordinal != 0)
        return ERR_NO_DEVICE;
    *dev = 0;
    return OK;
}

cu_result cuDeviceGetName(char *name, int len, int dev)
{
    if (dev != 0 || len < 1)
        return ERR_INVALID_VALUE;
    snprintf(name, (size_t)len, "Fake GPU");
    return OK;
}

cu_result cuDeviceGetAttribute(int *value, int attribute, int dev)
{
    if (dev != 0)
        return ERR_INVALID_VALUE;
    *value = attribute == 75 ? 9 : attribute == 76 ? 0 : 1;
    return OK;
}

typedef struct fake_ctx *cu_ctx;
static struct fake_ctx {
    int unused;
} the_ctx;

cu_result cuCtxCreate_v2(cu_ctx *ctx, unsigned flags, int dev)
{
    logf_("context");
    if (fails("cuCtxCreate_v2"))
        return ERR_OUT_OF_MEMORY;
    if (dev != 0 || flags != 0 || fake.has_ctx)
        return ERR_INVALID_VALUE;
    fake.has_ctx = 1;
    *ctx = &the_ctx;
    return OK;
}

static void release_all(void)
{
    for (size_t i = 0; i < fake.n_allocs; i++)
        free(fake.allocs[i].data);
    free(fake.allocs);
    free(fake.image);
    free(fake.fns);
    memset(&fake, 0, sizeof fake);
}

cu_result cuCtxDestroy_v2(cu_ctx ctx)
{
    logf_("destroy");
    if (ctx != &the_ctx || !fake.has_ctx)
        return ERR_INVALID_VALUE;
    /* what the program did not free is reported here: a leak on a real GPU */
    for (size_t i = 0; i < fake.n_allocs; i++) {
        if (fake.allocs[i].is_live)
            logf_("leak %zu", i);
    }
    release_all();
    return OK;
}

cu_result cuCtxSynchronize(void)
{
    logf_("sync");
    if (fails("cuCtxSynchronize"))
        return ERR_LAUNCH_FAILED;
    return fake.has_ctx ? OK : ERR_INVALID_VALUE;
}

typedef struct fake_module *cu_module;
static struct fake_module {
    int unused;
} the_module;

cu_result cuModuleLoadDataEx(cu_module *module, const void *image, unsigned n_options, int *options,
                             void **values)
{
    const char *text = image;
    size_t n = strlen(text);
    logf_("module %zu", n);
    const char *path = getenv("FAKE_CUDA_PTX");
    if (path) {
        FILE *f = fopen(path, "wb");
        if (f) {
            fwrite(text, 1, n, f);
            fclose(f);
        }
    }
    if (!fake.has_ctx || fake.image)
        return ERR_INVALID_VALUE;
    if (fails("cuModuleLoadDataEx")) {
        /* the error log, as the driver's assembler would fill it */
        char *log = NULL;
        size_t size = 0;
        for (unsigned i = 0; i < n_options; i++) {
            if (options[i] == 5)
                log = values[i];
            if (options[i] == 6)
                size = (size_t)(uintptr_t)values[i];
        }
        if (log && size)
            snprintf(log, size, "ptxas fatal   : fake failure for the test");
        return ERR_INVALID_PTX;
    }
    fake.image = malloc(n + 1);
    if (!fake.image)
        return ERR_OUT_OF_MEMORY;
    memcpy(fake.image, text, n + 1);
    *module = &the_module;
    return OK;
}

cu_result cuModuleUnload(cu_module module)
{
    logf_("unload");
    if (module != &the_module || !fake.image)
        return ERR_INVALID_VALUE;
    free(fake.image);
    free(fake.fns);
    fake.image = NULL;
    fake.fns = NULL;
    fake.n_fns = 0;
    return OK;
}

typedef struct function *cu_function;

/* Only kernels the module defines (".entry NAME(") are found. The table is
 * sized once: the functions handed out stay where they are. */
cu_result cuModuleGetFunction(cu_function *fn, cu_module module, const char *name)
{
    logf_("function %s", name);
    if (module != &the_module || !fake.image)
        return ERR_INVALID_VALUE;
    char entry[160];
    snprintf(entry, sizeof entry, ".entry %s(", name);
    if (!strstr(fake.image, entry) || strlen(name) >= sizeof fake.fns[0].name)
        return ERR_NOT_FOUND;
    if (!fake.fns) {
        fake.fns = calloc(4096, sizeof *fake.fns);
        if (!fake.fns)
            return ERR_OUT_OF_MEMORY;
    }
    for (size_t i = 0; i < fake.n_fns; i++) {
        if (strcmp(fake.fns[i].name, name) == 0) {
            *fn = &fake.fns[i];
            return OK;
        }
    }
    if (fake.n_fns == 4096)
        return ERR_OUT_OF_MEMORY;
    snprintf(fake.fns[fake.n_fns].name, sizeof fake.fns[0].name, "%s", name);
    *fn = &fake.fns[fake.n_fns++];
    return OK;
}

cu_result cuMemAlloc_v2(cu_dptr *p, size_t bytes)
{
    if (!fake.has_ctx || bytes == 0)
        return ERR_INVALID_VALUE;
    if (fails("cuMemAlloc_v2"))
        return ERR_OUT_OF_MEMORY;
    if (fake.n_allocs == fake.cap_allocs) {
        size_t cap = fake.cap_allocs ? 2 * fake.cap_allocs : 256;
        struct alloc *a = realloc(fake.allocs, cap * sizeof *a);
        if (!a)
            return ERR_OUT_OF_MEMORY;
        fake.allocs = a;
        fake.cap_allocs = cap;
    }
    /* device memory is not zeroed: poison it so that a missing upload shows */
    unsigned char *data = malloc(bytes);
    if (!data)
        return ERR_OUT_OF_MEMORY;
    memset(data, 0xa5, bytes);
    fake.allocs[fake.n_allocs] = (struct alloc){data, bytes, 1};
    logf_("alloc %zu %zu", fake.n_allocs, bytes);
    fake.n_allocs++;
    *p = (cu_dptr)(uintptr_t)data;
    return OK;
}

cu_result cuMemFree_v2(cu_dptr p)
{
    size_t id, off;
    if (!find(p, &id, &off) || off != 0)
        return ERR_INVALID_VALUE;
    logf_("free %zu", id);
    fake.allocs[id].is_live = 0;
    return OK;
}

cu_result cuMemcpyHtoD_v2(cu_dptr dst, const void *src, size_t bytes)
{
    size_t id, off;
    if (!find(dst, &id, &off) || bytes > fake.allocs[id].bytes - off)
        return ERR_INVALID_VALUE;
    char line[8192];
    int n = snprintf(line, sizeof line, "htod %zu %zu %zu %016llx", id, off, bytes,
                     (unsigned long long)fnv1a(src, bytes));
    /* an argument table: every word the start of a live allocation */
    size_t n_words = bytes % 8 == 0 ? bytes / 8 : 0, i = 0, n0 = n > 0 ? (size_t)n : 0;
    for (; i < n_words && n > 0 && (size_t)n < sizeof line - 32; i++) {
        uint64_t w;
        size_t wid, woff;
        memcpy(&w, (const unsigned char *)src + 8 * i, 8);
        if (!find(w, &wid, &woff) || woff != 0)
            break;
        n += snprintf(line + n, sizeof line - (size_t)n, "%s %zu", i ? "" : " ptrs", wid);
    }
    if (i < n_words) /* not all pointers (or too many to list): not a table */
        line[n0] = '\0';
    logf_("%s", line);
    memcpy(fake.allocs[id].data + off, src, bytes);
    return OK;
}

cu_result cuMemcpyDtoH_v2(void *dst, cu_dptr src, size_t bytes)
{
    size_t id, off;
    if (!find(src, &id, &off) || bytes > fake.allocs[id].bytes - off)
        return ERR_INVALID_VALUE;
    logf_("dtoh %zu %zu %zu", id, off, bytes);
    if (fails("cuMemcpyDtoH_v2"))
        return ERR_LAUNCH_FAILED;
    memcpy(dst, fake.allocs[id].data + off, bytes);
    return OK;
}

cu_result cuLaunchKernel(cu_function fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                         unsigned by, unsigned bz, unsigned shared, void *stream, void **params,
                         void **extra)
{
    if (!fn || !params || extra || shared || stream)
        return ERR_INVALID_VALUE;
    cu_dptr args;
    int32_t token;
    int64_t pos;
    memcpy(&args, params[0], sizeof args);
    memcpy(&token, params[1], sizeof token);
    memcpy(&pos, params[2], sizeof pos);
    size_t id = 0, off = 0;
    if (!find(args, &id, &off))
        return ERR_INVALID_VALUE;
    logf_("launch %s grid %u %u %u block %u %u %u args %zu+%zu token %d pos %lld", fn->name, gx, gy,
          gz, bx, by, bz, id, off, token, (long long)pos);
    if (fails("cuLaunchKernel"))
        return ERR_LAUNCH_FAILED;
    return OK;
}
