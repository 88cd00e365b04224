/* axon-gpu-runner: runs a GPU bundle (docs/reference.md, "GPU bundles") on
 * an NVIDIA GPU and compares the results with the CPU reference recorded in
 * it: the largest absolute and relative logits difference, whether the
 * spike counts agree, the thresholds' largest relative difference.
 *
 * A bundle is written on the build machine by
 *     axon ref MODEL --prompt-file F --export-gpu DIR
 * and this one file is all a GPU machine needs besides it: the C library,
 * dlopen and the NVIDIA driver (libcuda.so.1, opened at run time):
 *     cc -O2 -o axon-gpu-runner gpu_runner.c -ldl
 *     ./axon-gpu-runner DIR
 * It shares no code with the axon libraries, on purpose: it must build
 * where they cannot. So it carries its own small table of driver entry
 * points (the library's is compiler/ref/gpu_driver.c) and its own reader of the
 * bundle, which `--print` writes back in the form it read, so a test can
 * hold the two sides of the format to each other.
 *
 * usage: axon-gpu-runner [--check | --print] [--tol X] BUNDLE_DIR
 * exit status: 0 the GPU agrees within the tolerance; 3 it ran but does not;
 * 1 an error (bundle, driver); 2 usage. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROG "axon-gpu-runner"
#define BUNDLE_VERSION 1
#define TEXT_MAX ((size_t)1 << 30) /* bundle.txt */

/* ---- the bundle ------------------------------------------------------------------- */

struct buffer {
    char kind[16], elem[8];
    unsigned long long n_elems, bytes;
    long long offset; /* in weights.bin; -1: starts as zeros */
    char *name;
};

struct phase {
    unsigned kernel, arg0, n_args, n_items, grid, block;
};

struct check {
    char what[8], elem[8];
    unsigned n_elems, buf;
    char *name;
};

struct bundle {
    const char *dir;
    char *model, *options;
    char ptx_file[64], weights_file[64], reference_file[64];
    unsigned long long ptx_bytes, weights_bytes, reference_bytes;
    struct buffer *bufs;
    unsigned n_bufs;
    unsigned *args;
    unsigned n_args;
    char (*kernels)[64];
    unsigned n_kernels;
    struct phase *phases;
    unsigned n_phases;
    struct check *checks;
    unsigned n_checks;
    int *tokens;
    unsigned long long n_tokens;
};

static void bundle_free(struct bundle *b)
{
    for (unsigned i = 0; b->bufs && i < b->n_bufs; i++)
        free(b->bufs[i].name);
    for (unsigned i = 0; b->checks && i < b->n_checks; i++)
        free(b->checks[i].name);
    free(b->model);
    free(b->options);
    free(b->bufs);
    free(b->args);
    free(b->kernels);
    free(b->phases);
    free(b->checks);
    free(b->tokens);
    memset(b, 0, sizeof *b);
}

/* A reader of bundle.txt, one line at a time. */
struct reader {
    char *text, *p;
    unsigned line;
    const char *path;
};

/* The next line, NUL-terminated in place (NULL at the end). */
static char *next_line(struct reader *r)
{
    if (!*r->p)
        return NULL;
    char *s = r->p, *nl = strchr(s, '\n');
    if (nl) {
        *nl = '\0';
        r->p = nl + 1;
    } else {
        r->p = s + strlen(s);
    }
    r->line++;
    return s;
}

static int bad(const struct reader *r, const char *what)
{
    fprintf(stderr, "%s: %s:%u: %s\n", PROG, r->path, r->line, what);
    return -1;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* "KEY REST": the rest after one space, or NULL. */
static const char *keyed(const char *line, const char *key)
{
    size_t n = strlen(key);
    return strncmp(line, key, n) == 0 && line[n] == ' ' && line[n + 1] ? line + n + 1 : NULL;
}

/* "KEY N" with N <= max: N, or -1 with a message. */
static long long count_line(struct reader *r, const char *key, unsigned long long max)
{
    char *line = next_line(r);
    unsigned long long n;
    int used = 0;
    char fmt[48];
    snprintf(fmt, sizeof fmt, "%s %%llu%%n", key);
    if (!line || sscanf(line, fmt, &n, &used) != 1 || line[used] || n > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "expected `%s N` (N at most %llu)", key, max);
        return bad(r, msg);
    }
    return (long long)n;
}

static unsigned elem_size(const char *e)
{
    static const struct {
        const char *name;
        unsigned size;
    } sizes[] = {{"f32", 4}, {"f64", 8},  {"i32", 4}, {"i16", 2},
                 {"i8", 1},  {"bf16", 2}, {"f16", 2}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        if (strcmp(e, sizes[i].name) == 0)
            return sizes[i].size;
    }
    return 0;
}

static int is_kind(const char *k)
{
    return strcmp(k, "weight") == 0 || strcmp(k, "state") == 0 || strcmp(k, "act") == 0 ||
           strcmp(k, "probe") == 0 || strcmp(k, "scratch") == 0;
}

/* "KEY FILE BYTES" for the three data files. */
static int file_line(struct reader *r, const char *key, char *file, unsigned long long *bytes)
{
    char *line = next_line(r);
    char fmt[48];
    int used = 0;
    snprintf(fmt, sizeof fmt, "%s %%63s %%llu%%n", key);
    if (!line || sscanf(line, fmt, file, bytes, &used) != 2 || line[used] || strchr(file, '/')) {
        char msg[96];
        snprintf(msg, sizeof msg, "expected `%s FILE BYTES` (a file in the bundle's folder)", key);
        return bad(r, msg);
    }
    return 0;
}

static int parse_buffers(struct reader *r, struct bundle *b)
{
    long long n = count_line(r, "buffers", 1u << 24);
    if (n < 0)
        return -1;
    b->bufs = calloc((size_t)n + 1, sizeof *b->bufs);
    if (!b->bufs)
        return bad(r, "out of memory");
    for (unsigned i = 0; i < (unsigned)n; i++) {
        struct buffer *f = &b->bufs[i];
        char *line = next_line(r);
        unsigned idx;
        char off[32];
        int used = 0;
        if (!line ||
            sscanf(line, "buffer %u %15s %7s %llu %llu %31s %n", &idx, f->kind, f->elem,
                   &f->n_elems, &f->bytes, off, &used) != 6 ||
            !line[used] || idx != i)
            return bad(r, "expected `buffer I KIND ELEM N_ELEMS BYTES OFFSET|- NAME` in order");
        b->n_bufs = i + 1;
        /* sizes come from the file: each product and sum is checked before
         * it is formed, so none can wrap around to a small number */
        unsigned long long size = elem_size(f->elem);
        if (!is_kind(f->kind) || !size || f->n_elems == 0 || f->n_elems > ULLONG_MAX / size ||
            f->bytes != f->n_elems * size)
            return bad(r, "a buffer's kind, element type or size is not one the format allows");
        f->offset = -1;
        if (strcmp(off, "-") != 0) {
            char *end;
            errno = 0;
            unsigned long long o = strtoull(off, &end, 10);
            if (*end || errno || o > b->weights_bytes || f->bytes > b->weights_bytes - o)
                return bad(r, "a buffer's offset lies outside weights.bin");
            f->offset = (long long)o;
        }
        if ((f->offset >= 0) != (strcmp(f->kind, "weight") == 0))
            return bad(r, "weights, and only weights, have an offset in weights.bin");
        f->name = dup_str(line + used);
        if (!f->name)
            return bad(r, "out of memory");
    }
    return 0;
}

static int parse_args(struct reader *r, struct bundle *b)
{
    long long n = count_line(r, "args", 1u << 28);
    if (n < 0)
        return -1;
    b->args = calloc((size_t)n + 1, sizeof *b->args);
    if (!b->args)
        return bad(r, "out of memory");
    b->n_args = (unsigned)n;
    for (unsigned i = 0; i < b->n_args; i++) {
        char *line = next_line(r);
        unsigned idx;
        int used = 0;
        if (!line || sscanf(line, "arg %u %u%n", &idx, &b->args[i], &used) != 2 || line[used] ||
            idx != i || b->args[i] >= b->n_bufs)
            return bad(r, "expected `arg I BUFFER` in order, with a buffer that exists");
    }
    return 0;
}

static int parse_kernels(struct reader *r, struct bundle *b)
{
    long long n = count_line(r, "kernels", 1u << 20);
    if (n < 0)
        return -1;
    b->kernels = calloc((size_t)n + 1, sizeof *b->kernels);
    if (!b->kernels)
        return bad(r, "out of memory");
    b->n_kernels = (unsigned)n;
    for (unsigned i = 0; i < b->n_kernels; i++) {
        char *line = next_line(r);
        unsigned idx;
        int used = 0;
        if (!line || sscanf(line, "kernel %u %63s%n", &idx, b->kernels[i], &used) != 2 ||
            line[used] || idx != i)
            return bad(r, "expected `kernel I NAME` in order");
    }
    return 0;
}

static int parse_phases(struct reader *r, struct bundle *b)
{
    long long n = count_line(r, "phases", 1u << 24);
    if (n < 0)
        return -1;
    b->phases = calloc((size_t)n + 1, sizeof *b->phases);
    if (!b->phases)
        return bad(r, "out of memory");
    b->n_phases = (unsigned)n;
    for (unsigned i = 0; i < b->n_phases; i++) {
        struct phase *ph = &b->phases[i];
        char *line = next_line(r);
        unsigned idx;
        int used = 0;
        if (!line ||
            sscanf(line, "phase %u %u %u %u %u %u %u%n", &idx, &ph->kernel, &ph->arg0, &ph->n_args,
                   &ph->n_items, &ph->grid, &ph->block, &used) != 7 ||
            line[used] || idx != i)
            return bad(r, "expected `phase I KERNEL ARG0 N_ARGS N_ITEMS GRID BLOCK` in order");
        if (ph->kernel >= b->n_kernels || ph->arg0 > b->n_args || ph->n_args > b->n_args - ph->arg0)
            return bad(r, "a phase names a kernel or arguments that do not exist");
        if (ph->block == 0 || ph->block > 1024 || ph->grid == 0 ||
            (unsigned long long)ph->grid * ph->block < ph->n_items)
            return bad(r, "a phase's grid does not cover its items (or its block is not 1..1024)");
    }
    return 0;
}

static int parse_checks(struct reader *r, struct bundle *b)
{
    long long n = count_line(r, "checks", 1u << 24);
    if (n < 0)
        return -1;
    b->checks = calloc((size_t)n + 1, sizeof *b->checks);
    if (!b->checks)
        return bad(r, "out of memory");
    for (unsigned i = 0; i < (unsigned)n; i++) {
        struct check *c = &b->checks[i];
        char *line = next_line(r);
        unsigned idx;
        int used = 0;
        if (!line ||
            sscanf(line, "check %u %7s %7s %u %u %n", &idx, c->what, c->elem, &c->n_elems, &c->buf,
                   &used) != 5 ||
            !line[used] || idx != i)
            return bad(r, "expected `check I WHAT ELEM N_ELEMS BUFFER NAME` in order");
        b->n_checks = i + 1;
        int is_f32 = strcmp(c->elem, "f32") == 0, is_i32 = strcmp(c->elem, "i32") == 0;
        if (!((strcmp(c->what, "logits") == 0 && is_f32) ||
              (strcmp(c->what, "counts") == 0 && is_i32) ||
              (strcmp(c->what, "vth") == 0 && is_f32)))
            return bad(r, "a check is logits f32, counts i32 or vth f32");
        if (c->buf >= b->n_bufs || c->n_elems == 0 || 4ull * c->n_elems > b->bufs[c->buf].bytes)
            return bad(r, "a check reads beyond its buffer");
        c->name = dup_str(line + used);
        if (!c->name)
            return bad(r, "out of memory");
    }
    return 0;
}

static int parse_tokens(struct reader *r, struct bundle *b)
{
    long long n = count_line(r, "tokens", 1u << 28);
    if (n < 0)
        return -1;
    b->tokens = calloc((size_t)n + 1, sizeof *b->tokens);
    if (!b->tokens)
        return bad(r, "out of memory");
    b->n_tokens = (unsigned long long)n;
    for (unsigned long long i = 0; i < b->n_tokens; i++) {
        char *line = next_line(r);
        unsigned long long idx;
        int used = 0;
        if (!line || sscanf(line, "token %llu %d%n", &idx, &b->tokens[i], &used) != 2 ||
            line[used] || idx != i)
            return bad(r, "expected `token I ID` in order");
    }
    return 0;
}

/* Reads a whole file into a fresh NUL-terminated buffer; NULL with a message. */
static char *read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s: %s\n", PROG, path, strerror(errno));
        return NULL;
    }
    char *data = NULL;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n >= 0 && (size_t)n <= max && fseek(f, 0, SEEK_SET) == 0) {
        data = malloc((size_t)n + 1);
        if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
            free(data);
            data = NULL;
        }
    }
    fclose(f);
    if (!data) {
        fprintf(stderr, "%s: %s: cannot read it (or larger than %zu bytes)\n", PROG, path, max);
        return NULL;
    }
    data[n] = '\0';
    *len = (size_t)n;
    return data;
}

static void path_of(const struct bundle *b, const char *file, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", b->dir, file);
}

/* Parses DIR/bundle.txt into *b, checking every record and every index. */
static int bundle_read(const char *dir, struct bundle *b)
{
    memset(b, 0, sizeof *b);
    b->dir = dir;
    char path[4096];
    path_of(b, "bundle.txt", path, sizeof path);
    size_t len;
    struct reader r = {NULL, NULL, 0, path};
    r.text = read_file(path, TEXT_MAX, &len);
    if (!r.text)
        return -1;
    if (strlen(r.text) != len) {
        free(r.text);
        fprintf(stderr, "%s: %s: not a text file\n", PROG, path);
        return -1;
    }
    r.p = r.text;
    int rc = 0;
    char *line = next_line(&r);
    int version = 0, used = 0;
    if (!line || sscanf(line, "axon-gpu-bundle %d%n", &version, &used) != 1 || line[used])
        rc = bad(&r, "not a GPU bundle (expected `axon-gpu-bundle 1`)");
    else if (version != BUNDLE_VERSION)
        rc = bad(&r, "a bundle format this runner does not know (it reads version 1)");
    const char *v;
    if (rc == 0 && (!(line = next_line(&r)) || !(v = keyed(line, "model"))))
        rc = bad(&r, "expected `model PATH`");
    if (rc == 0 && !(b->model = dup_str(v)))
        rc = bad(&r, "out of memory");
    if (rc == 0 && (!(line = next_line(&r)) || !(v = keyed(line, "options"))))
        rc = bad(&r, "expected `options ...`");
    if (rc == 0 && !(b->options = dup_str(v)))
        rc = bad(&r, "out of memory");
    if (rc == 0)
        rc = file_line(&r, "ptx", b->ptx_file, &b->ptx_bytes);
    if (rc == 0)
        rc = file_line(&r, "weights", b->weights_file, &b->weights_bytes);
    if (rc == 0)
        rc = file_line(&r, "reference", b->reference_file, &b->reference_bytes);
    if (rc == 0)
        rc = parse_buffers(&r, b);
    if (rc == 0)
        rc = parse_args(&r, b);
    if (rc == 0)
        rc = parse_kernels(&r, b);
    if (rc == 0)
        rc = parse_phases(&r, b);
    if (rc == 0)
        rc = parse_checks(&r, b);
    if (rc == 0)
        rc = parse_tokens(&r, b);
    if (rc == 0 && (!(line = next_line(&r)) || strcmp(line, "end") != 0 || next_line(&r)))
        rc = bad(&r, "expected `end` as the last line");
    if (rc == 0) {
        unsigned long long per_token = 0;
        for (unsigned i = 0; i < b->n_checks && per_token <= b->reference_bytes; i++)
            per_token += 4ull * b->checks[i].n_elems;
        if (!per_token || per_token > b->reference_bytes ||
            b->reference_bytes % per_token != 0 || b->reference_bytes / per_token != b->n_tokens)
            rc = bad(&r, "the reference's size is not tokens times the checks' sizes");
    }
    free(r.text);
    return rc;
}

/* The files exist with the sizes bundle.txt gives. */
static int bundle_check_files(const struct bundle *b)
{
    const char *files[3] = {b->ptx_file, b->weights_file, b->reference_file};
    unsigned long long sizes[3] = {b->ptx_bytes, b->weights_bytes, b->reference_bytes};
    for (int i = 0; i < 3; i++) {
        char path[4096];
        path_of(b, files[i], path, sizeof path);
        FILE *f = fopen(path, "rb");
        long n = f && fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
        if (f)
            fclose(f);
        if (n < 0 || (unsigned long long)n != sizes[i]) {
            fprintf(stderr, "%s: %s: missing, or not the %llu bytes bundle.txt gives\n", PROG, path,
                    sizes[i]);
            return -1;
        }
    }
    return 0;
}

/* bundle.txt again, in the form it was read. */
static void bundle_print(const struct bundle *b, FILE *out)
{
    fprintf(out, "axon-gpu-bundle %d\nmodel %s\noptions %s\n", BUNDLE_VERSION, b->model,
            b->options);
    fprintf(out, "ptx %s %llu\nweights %s %llu\nreference %s %llu\n", b->ptx_file, b->ptx_bytes,
            b->weights_file, b->weights_bytes, b->reference_file, b->reference_bytes);
    fprintf(out, "buffers %u\n", b->n_bufs);
    for (unsigned i = 0; i < b->n_bufs; i++) {
        const struct buffer *f = &b->bufs[i];
        fprintf(out, "buffer %u %s %s %llu %llu ", i, f->kind, f->elem, f->n_elems, f->bytes);
        if (f->offset < 0)
            fprintf(out, "- %s\n", f->name);
        else
            fprintf(out, "%lld %s\n", f->offset, f->name);
    }
    fprintf(out, "args %u\n", b->n_args);
    for (unsigned i = 0; i < b->n_args; i++)
        fprintf(out, "arg %u %u\n", i, b->args[i]);
    fprintf(out, "kernels %u\n", b->n_kernels);
    for (unsigned i = 0; i < b->n_kernels; i++)
        fprintf(out, "kernel %u %s\n", i, b->kernels[i]);
    fprintf(out, "phases %u\n", b->n_phases);
    for (unsigned i = 0; i < b->n_phases; i++) {
        const struct phase *ph = &b->phases[i];
        fprintf(out, "phase %u %u %u %u %u %u %u\n", i, ph->kernel, ph->arg0, ph->n_args,
                ph->n_items, ph->grid, ph->block);
    }
    fprintf(out, "checks %u\n", b->n_checks);
    for (unsigned i = 0; i < b->n_checks; i++) {
        const struct check *c = &b->checks[i];
        fprintf(out, "check %u %s %s %u %u %s\n", i, c->what, c->elem, c->n_elems, c->buf, c->name);
    }
    fprintf(out, "tokens %llu\n", b->n_tokens);
    for (unsigned long long i = 0; i < b->n_tokens; i++)
        fprintf(out, "token %llu %d\n", i, b->tokens[i]);
    fprintf(out, "end\n");
}

/* The value of `key=` in the options line ("" if absent). */
static void option(const struct bundle *b, const char *key, char *out, size_t size)
{
    out[0] = '\0';
    size_t n = strlen(key);
    for (const char *p = b->options; p && *p;) {
        if (strncmp(p, key, n) == 0 && p[n] == '=') {
            size_t m = strcspn(p + n + 1, " ");
            snprintf(out, size, "%.*s", (int)m, p + n + 1);
            return;
        }
        p = strchr(p, ' ');
        p = p ? p + 1 : NULL;
    }
}

/* ---- the driver ---------------------------------------------------------------------- */

typedef int cu_result;
typedef unsigned long long cu_dptr;
typedef struct cu_opaque *cu_ref; /* CUcontext, CUmodule, CUfunction, CUstream */

struct cu_api {
    cu_result (*init)(unsigned flags);
    cu_result (*driver_version)(int *version);
    cu_result (*device_get)(int *dev, int ordinal);
    cu_result (*device_name)(char *name, int len, int dev);
    cu_result (*device_attribute)(int *value, int attribute, int dev);
    cu_result (*ctx_create)(cu_ref *ctx, unsigned flags, int dev);
    cu_result (*ctx_destroy)(cu_ref ctx);
    cu_result (*ctx_synchronize)(void);
    cu_result (*module_load)(cu_ref *module, const void *image, unsigned n_options, int *options,
                             void **values);
    cu_result (*module_unload)(cu_ref module);
    cu_result (*module_function)(cu_ref *fn, cu_ref module, const char *name);
    cu_result (*mem_alloc)(cu_dptr *p, size_t bytes);
    cu_result (*mem_free)(cu_dptr p);
    cu_result (*memcpy_htod)(cu_dptr dst, const void *src, size_t bytes);
    cu_result (*memcpy_dtoh)(void *dst, cu_dptr src, size_t bytes);
    cu_result (*launch)(cu_ref fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                        unsigned bz, unsigned shared_bytes, cu_ref stream, void **params,
                        void **extra);
    cu_result (*error_name)(cu_result r, const char **s);
    cu_result (*error_string)(cu_result r, const char **s);
};
static struct cu_api cu;

/* The exported (versioned) names of the entry points and their slots. */
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

/* Fills `cu` from the library, which stays loaded; -1 with a message. */
static int driver_load(void)
{
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        fprintf(stderr,
                "%s: libcuda.so.1 could not be loaded (no NVIDIA driver on this machine): %s\n",
                PROG, why ? why : "dlopen failed");
        return -1;
    }
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        void *sym = dlsym(lib, symbols[i].symbol);
        if (!sym) {
            fprintf(stderr, "%s: libcuda.so.1 has no %s: the NVIDIA driver is too old\n", PROG,
                    symbols[i].symbol);
            dlclose(lib);
            return -1;
        }
        /* POSIX guarantees that a data pointer from dlsym holds a function's address */
        void (*fn)(void);
        _Static_assert(sizeof fn == sizeof sym, "function and data pointers have one size");
        memcpy(&fn, &sym, sizeof fn);
        memcpy((char *)&cu + symbols[i].offset, &fn, sizeof fn);
    }
    return 0;
}

/* One line for a failed call: "call (what): NAME (code): text". */
static int cu_fail(const char *call, const char *what, cu_result r)
{
    const char *name = NULL, *text = NULL;
    if (cu.error_name(r, &name) != 0)
        name = NULL;
    if (cu.error_string(r, &text) != 0)
        text = NULL;
    fprintf(stderr, "%s: %s%s%s%s: %s (%d): %s\n", PROG, call, what ? " (" : "", what ? what : "",
            what ? ")" : "", name ? name : "CUDA_ERROR_UNKNOWN", r, text ? text : "no description");
    return -1;
}

#define CU(call, what, expr)                                                                       \
    do {                                                                                           \
        cu_result r_ = (expr);                                                                     \
        if (r_ != 0)                                                                               \
            return cu_fail(call, what, r_);                                                        \
    } while (0)

/* ---- running -------------------------------------------------------------------------- */

struct gpu {
    cu_ref ctx, module;
    cu_dptr *dev, table;
    cu_ref *fn; /* per kernel */
    unsigned n_bufs;
};

static void gpu_close(struct gpu *g)
{
    for (unsigned i = 0; g->dev && i < g->n_bufs; i++) {
        if (g->dev[i])
            cu.mem_free(g->dev[i]);
    }
    if (g->table)
        cu.mem_free(g->table);
    if (g->module)
        cu.module_unload(g->module);
    if (g->ctx)
        cu.ctx_destroy(g->ctx);
    free(g->dev);
    free(g->fn);
}

static int gpu_open(struct gpu *g, const struct bundle *b)
{
    int dev = 0, major = 0, minor = 0, version = 0;
    char name[256] = "";
    CU("cuInit", NULL, cu.init(0));
    CU("cuDeviceGet", NULL, cu.device_get(&dev, 0));
    CU("cuDeviceGetName", NULL, cu.device_name(name, (int)sizeof name - 1, dev));
    CU("cuDeviceGetAttribute", NULL, cu.device_attribute(&major, 75, dev));
    CU("cuDeviceGetAttribute", NULL, cu.device_attribute(&minor, 76, dev));
    CU("cuDriverGetVersion", NULL, cu.driver_version(&version));
    printf("device     %s (sm_%d%d, CUDA driver %d.%d)\n", name, major, minor, version / 1000,
           version % 1000 / 10);
    CU("cuCtxCreate", NULL, cu.ctx_create(&g->ctx, 0, dev));

    char path[4096];
    size_t len;
    path_of(b, b->ptx_file, path, sizeof path);
    char *ptx = read_file(path, (size_t)1 << 30, &len);
    if (!ptx)
        return -1;
    static char log[8192];
    int options[2] = {5, 6}; /* CU_JIT_ERROR_LOG_BUFFER, its size */
    void *values[2] = {log, (void *)(uintptr_t)(sizeof log - 1)};
    cu_result r = cu.module_load(&g->module, ptx, 2, options, values);
    free(ptx);
    if (r != 0) {
        g->module = NULL;
        cu_fail("cuModuleLoadDataEx", path, r);
        if (log[0])
            fprintf(stderr, "%s: the driver's assembler said: %.600s\n", PROG, log);
        return -1;
    }
    g->fn = calloc(b->n_kernels + 1, sizeof *g->fn);
    g->dev = calloc(b->n_bufs + 1, sizeof *g->dev);
    if (!g->fn || !g->dev) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        return -1;
    }
    for (unsigned k = 0; k < b->n_kernels; k++)
        CU("cuModuleGetFunction", b->kernels[k],
           cu.module_function(&g->fn[k], g->module, b->kernels[k]));

    /* every buffer: the weights from weights.bin, zeros for the rest */
    unsigned long long max_bytes = 1;
    for (unsigned i = 0; i < b->n_bufs; i++)
        max_bytes = b->bufs[i].bytes > max_bytes ? b->bufs[i].bytes : max_bytes;
    path_of(b, b->weights_file, path, sizeof path);
    FILE *wf = fopen(path, "rb");
    unsigned char *host = calloc(1, (size_t)max_bytes);
    int rc = wf && host ? 0 : -1;
    if (rc != 0)
        fprintf(stderr, "%s: %s: %s\n", PROG, path, wf ? "out of memory" : strerror(errno));
    g->n_bufs = b->n_bufs;
    for (unsigned i = 0; i < b->n_bufs && rc == 0; i++) {
        const struct buffer *f = &b->bufs[i];
        char what[64];
        snprintf(what, sizeof what, "buffer %u, %llu bytes", i, f->bytes);
        if (f->offset >= 0) {
            if (fseek(wf, (long)f->offset, SEEK_SET) != 0 ||
                fread(host, 1, f->bytes, wf) != f->bytes) {
                fprintf(stderr, "%s: %s: cannot read buffer %u\n", PROG, path, i);
                rc = -1;
                break;
            }
        } else {
            memset(host, 0, (size_t)f->bytes);
        }
        cu_result e = cu.mem_alloc(&g->dev[i], (size_t)f->bytes);
        if (e != 0) {
            g->dev[i] = 0;
            rc = cu_fail("cuMemAlloc", what, e);
        } else if ((e = cu.memcpy_htod(g->dev[i], host, (size_t)f->bytes)) != 0) {
            rc = cu_fail("cuMemcpyHtoD", what, e);
        }
    }
    if (wf)
        fclose(wf);
    free(host);
    if (rc != 0)
        return rc;
    /* the argument table: entry i points at buffer args[i] */
    cu_dptr *table = calloc(b->n_args + 1, sizeof *table);
    if (!table) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        return -1;
    }
    for (unsigned i = 0; i < b->n_args; i++)
        table[i] = g->dev[b->args[i]];
    size_t table_bytes = (b->n_args ? b->n_args : 1) * sizeof *table;
    cu_result e = cu.mem_alloc(&g->table, table_bytes);
    if (e != 0) {
        g->table = 0;
        free(table);
        return cu_fail("cuMemAlloc", "the argument table", e);
    }
    e = cu.memcpy_htod(g->table, table, table_bytes);
    free(table);
    return e == 0 ? 0 : cu_fail("cuMemcpyHtoD", "the argument table", e);
}

/* Every phase of one token, in order, then a wait. */
static int gpu_step(struct gpu *g, const struct bundle *b, int token, long long pos)
{
    for (unsigned i = 0; i < b->n_phases; i++) {
        const struct phase *ph = &b->phases[i];
        cu_dptr args = g->table + (cu_dptr)ph->arg0 * sizeof(cu_dptr);
        int32_t tok = token;
        int64_t p = pos;
        void *params[3] = {&args, &tok, &p};
        CU("cuLaunchKernel", b->kernels[ph->kernel],
           cu.launch(g->fn[ph->kernel], ph->grid, 1, 1, ph->block, 1, 1, 0, NULL, params, NULL));
    }
    char what[64];
    snprintf(what, sizeof what, "the kernels of position %lld", pos);
    CU("cuCtxSynchronize", what, cu.ctx_synchronize());
    return 0;
}

/* What the comparison found over the run. */
struct stats {
    double logit_abs, logit_rel; /* max |g - c|; max ||g - c|| / ||c|| per token */
    unsigned long long rel_token, top1_agree;
    unsigned long long counts, counts_differ;
    double vth_rel;
    int has_first_diff;
    unsigned long long diff_token;
    unsigned diff_check, diff_index;
    int diff_gpu, diff_cpu;
};

static unsigned argmax(const float *x, unsigned n)
{
    unsigned best = 0;
    for (unsigned i = 1; i < n; i++)
        best = x[i] > x[best] ? i : best;
    return best;
}

/* The square root, by Newton's iteration from above: the runner links
 * nothing but the C library (no -lm). */
static double root(double x)
{
    if (isnan(x) || x <= 0 || isinf(x))
        return x == 0 ? 0 : x > 0 ? x : NAN;
    double r = x > 1 ? x : 1;
    for (int i = 0; i < 4096; i++) {
        double n = 0.5 * (r + x / r);
        if (!(n < r))
            break;
        r = n;
    }
    return r;
}

static void compare(const struct bundle *b, unsigned long long t, unsigned ci, const void *gpu,
                    const void *cpu, struct stats *s)
{
    const struct check *c = &b->checks[ci];
    if (strcmp(c->what, "counts") == 0) {
        const int32_t *g = gpu, *r = cpu;
        for (unsigned i = 0; i < c->n_elems; i++) {
            s->counts++;
            if (g[i] == r[i])
                continue;
            if (!s->has_first_diff) {
                s->has_first_diff = 1;
                s->diff_token = t;
                s->diff_check = ci;
                s->diff_index = i;
                s->diff_gpu = g[i];
                s->diff_cpu = r[i];
            }
            s->counts_differ++;
        }
        return;
    }
    const float *g = gpu, *r = cpu;
    double num = 0, den = 0;
    for (unsigned i = 0; i < c->n_elems; i++) {
        double d = fabs((double)g[i] - (double)r[i]);
        if (strcmp(c->what, "logits") == 0 && (isnan(d) || d > s->logit_abs))
            s->logit_abs = d; /* a NaN stays */
        num += d * d;
        den += (double)r[i] * (double)r[i];
    }
    double rel = den > 0 ? root(num) / root(den) : (num > 0 ? INFINITY : 0);
    if (strcmp(c->what, "logits") == 0) {
        if (isnan(rel) || rel > s->logit_rel) {
            s->logit_rel = rel;
            s->rel_token = t;
        }
        s->top1_agree += argmax(g, c->n_elems) == argmax(r, c->n_elems);
    } else if (isnan(rel) || rel > s->vth_rel) {
        s->vth_rel = rel;
    }
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Runs every token and compares; 0 agree, 3 outside `tol`, -1 an error. */
static int run(const struct bundle *b, double tol)
{
    if (driver_load() != 0)
        return -1;
    struct gpu g;
    memset(&g, 0, sizeof g);
    int rc = gpu_open(&g, b);
    char path[4096];
    path_of(b, b->reference_file, path, sizeof path);
    FILE *rf = rc == 0 ? fopen(path, "rb") : NULL;
    if (rc == 0 && !rf) {
        fprintf(stderr, "%s: %s: %s\n", PROG, path, strerror(errno));
        rc = -1;
    }
    size_t per_token = 0;
    for (unsigned i = 0; i < b->n_checks; i++)
        per_token += 4u * (size_t)b->checks[i].n_elems;
    unsigned char *got = malloc(per_token + 1), *want = malloc(per_token + 1);
    if (rc == 0 && (!got || !want)) {
        fprintf(stderr, "%s: out of memory\n", PROG);
        rc = -1;
    }
    struct stats s;
    memset(&s, 0, sizeof s);
    double seconds = 0;
    for (unsigned long long t = 0; t < b->n_tokens && rc == 0; t++) {
        double t0 = now_seconds();
        rc = gpu_step(&g, b, b->tokens[t], (long long)t);
        size_t off = 0;
        for (unsigned i = 0; i < b->n_checks && rc == 0; i++) {
            size_t bytes = 4u * (size_t)b->checks[i].n_elems;
            cu_result e = cu.memcpy_dtoh(got + off, g.dev[b->checks[i].buf], bytes);
            if (e != 0)
                rc = cu_fail("cuMemcpyDtoH", b->checks[i].name, e);
            off += bytes;
        }
        seconds += now_seconds() - t0;
        if (rc == 0 && fread(want, 1, per_token, rf) != per_token) {
            fprintf(stderr, "%s: %s: shorter than bundle.txt says\n", PROG, path);
            rc = -1;
        }
        off = 0;
        for (unsigned i = 0; i < b->n_checks && rc == 0; i++) {
            compare(b, t, i, got + off, want + off, &s);
            off += 4u * (size_t)b->checks[i].n_elems;
        }
    }
    if (rf)
        fclose(rf);
    free(got);
    free(want);
    gpu_close(&g);
    if (rc != 0)
        return -1;
    printf("logits     largest |gpu - cpu| %.3g; largest relative ||gpu - cpu|| / ||cpu|| %.3g "
           "(token %llu); top-1 agrees on %llu of %llu tokens\n",
           s.logit_abs, s.logit_rel, s.rel_token, s.top1_agree, b->n_tokens);
    if (s.counts) {
        if (s.counts_differ)
            printf("counts     %llu of %llu differ\n", s.counts_differ, s.counts);
        else
            printf("counts     identical (%llu)\n", s.counts);
        if (s.has_first_diff)
            printf("           first: token %llu, %s[%u]: gpu %d, cpu %d\n", s.diff_token,
                   b->checks[s.diff_check].name, s.diff_index, s.diff_gpu, s.diff_cpu);
        printf("vth        largest relative difference %.3g\n", s.vth_rel);
    }
    printf("speed      %.1f tokens/s (%llu tokens, %u kernel launches each)\n",
           seconds > 0 ? (double)b->n_tokens / seconds : 0.0, b->n_tokens, b->n_phases);
    int ok = s.logit_rel <= tol;
    printf("result     %s: largest relative logits difference %.3g %s tolerance %.3g\n",
           ok ? "PASS" : "FAIL", s.logit_rel, ok ? "<=" : ">", tol);
    return ok ? 0 : 3;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: %s [--check | --print] [--tol X] BUNDLE_DIR\n"
            "\n"
            "Runs a GPU bundle written by `axon ref MODEL --export-gpu DIR` on the NVIDIA GPU\n"
            "(device 0, through libcuda.so.1) and compares every token's logits, spike counts\n"
            "and thresholds with the CPU reference recorded in the bundle.\n"
            "\n"
            "  --check   read and check the bundle and its files; no GPU needed\n"
            "  --print   write bundle.txt back as read (no GPU needed)\n"
            "  --tol X   the largest relative logits difference that passes (default 1e-4\n"
            "            for fp32, 1e-2 for w8spike)\n"
            "\n"
            "exit status: 0 agree within the tolerance, 3 ran but differ, 1 error, 2 usage\n",
            PROG);
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    int is_check = 0, is_print = 0;
    double tol = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0) {
            is_check = 1;
        } else if (strcmp(argv[i], "--print") == 0) {
            is_print = 1;
        } else if (strcmp(argv[i], "--tol") == 0 && i + 1 < argc) {
            char *end;
            tol = strtod(argv[++i], &end);
            if (!*argv[i] || *end || !(tol >= 0)) {
                fprintf(stderr, "%s: --tol %s: expected a number >= 0\n", PROG, argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' || dir) {
            usage(stderr);
            return 2;
        } else {
            dir = argv[i];
        }
    }
    if (!dir || (is_check && is_print)) {
        usage(stderr);
        return 2;
    }
    struct bundle b;
    if (bundle_read(dir, &b) != 0) {
        bundle_free(&b);
        return 1;
    }
    if (is_print) {
        bundle_print(&b, stdout);
        bundle_free(&b);
        return 0;
    }
    int rc = bundle_check_files(&b);
    char precision[32];
    option(&b, "precision", precision, sizeof precision);
    if (tol < 0)
        tol = strcmp(precision, "fp32") == 0 ? 1e-4 : 1e-2;
    if (rc == 0) {
        unsigned long long weights = 0;
        for (unsigned i = 0; i < b.n_bufs; i++)
            weights += b.bufs[i].offset >= 0 ? b.bufs[i].bytes : 0;
        printf("bundle     %s: %s, %u buffers (%.1f MB of weights), %u phases, %u kernels, "
               "%llu tokens, %u checks per token\n",
               dir, precision[0] ? precision : "?", b.n_bufs, (double)weights / 1e6, b.n_phases,
               b.n_kernels, b.n_tokens, b.n_checks);
        printf("model      %s\n", b.model);
    }
    if (rc == 0 && !is_check)
        rc = run(&b, tol);
    bundle_free(&b);
    return rc < 0 ? 1 : rc;
}
