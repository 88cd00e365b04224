/* GPU bundles (ax_gpu.h): a CPU session's plan, PTX, weights and
 * per-token results, written as the files docs/reference.md defines for
 * the standalone runner (tools/gpu_runner.c). */
#define _XOPEN_SOURCE 700
#include "ax_gpu.h"

#include "ax_fs.h"
#include "ax_mem.h"
#include "gpu_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WEIGHT_ALIGN 64u /* offsets of buffers in weights.bin */

/* What the runner compares after each token: a buffer's first n_elems
 * 32-bit elements. */
struct check {
    const char *what; /* "logits", "counts", "vth" */
    const char *name; /* the site, or "logits" */
    enum ref_elem elem;
    uint32_t buf, n_elems;
};

struct bytes {
    unsigned char *data;
    size_t len, cap;
};

struct ax_gpu_bundle {
    struct check *checks;
    uint32_t n_checks;
    int32_t *tokens;
    uint64_t n_tokens, cap_tokens;
    struct bytes reference; /* per token, each check's elements */
};

static ax_status bytes_append(struct bytes *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *p = ax_mem_realloc(b->data, cap);
        if (!p)
            return AX_ERR_NOMEM;
        b->data = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    return AX_OK;
}

static ax_status bytes_printf(struct bytes *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static ax_status bytes_printf(struct bytes *b, const char *fmt, ...)
{
    char line[PATH_MAX + 256]; /* the longest line holds the model's path */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line)
        return AX_ERR_LIMIT;
    return bytes_append(b, line, (size_t)n);
}

static int is_little_endian(void)
{
    const uint32_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 1;
}

void ax_gpu_bundle_free(struct ax_gpu_bundle *b)
{
    if (!b)
        return;
    ax_mem_free(b->checks);
    ax_mem_free(b->tokens);
    ax_mem_free(b->reference.data);
    ax_mem_free(b);
}

ax_status ax_gpu_bundle_new(const ax_ref_session_t *s, struct ax_gpu_bundle **out,
                            struct ax_diag_list *diags)
{
    *out = NULL;
    if (ax_ref_session_device(s) != AX_REF_DEVICE_CPU || ax_ref_session_position(s) != 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "a GPU bundle records a CPU session from its first token");
        return AX_ERR_USAGE;
    }
    if (!is_little_endian()) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "GPU bundles are little-endian; this machine is not");
        return AX_ERR_UNSUPPORTED;
    }
    const struct ax_ref_plan *p = ax_ref_session_plan(s);
    struct ax_gpu_bundle *b = ax_mem_calloc(1, sizeof *b);
    if (!b)
        return AX_ERR_NOMEM;
    b->checks = ax_mem_calloc(2 * p->n_sites + 1, sizeof *b->checks);
    if (!b->checks) {
        ax_gpu_bundle_free(b);
        return AX_ERR_NOMEM;
    }
    b->checks[b->n_checks++] =
        (struct check){"logits", "logits", REF_ELEM_F32, p->nodes[p->logits_node].out, p->vocab};
    for (uint32_t i = 0; i < p->n_sites; i++) {
        const struct ref_site *site = &p->sites[i];
        const struct ref_node *rn = &p->nodes[site->node];
        if (!site->is_spiking)
            continue;
        b->checks[b->n_checks++] = (struct check){"counts", site->name, REF_ELEM_I32, rn->counts,
                                                  (uint32_t)p->bufs[rn->counts].n_elems};
        b->checks[b->n_checks++] = (struct check){"vth", site->name, REF_ELEM_F32, rn->vth,
                                                  (uint32_t)p->bufs[rn->vth].n_elems};
    }
    *out = b;
    return AX_OK;
}

ax_status ax_gpu_bundle_add(struct ax_gpu_bundle *b, const ax_ref_session_t *s, int32_t token)
{
    if (b->n_tokens == b->cap_tokens) {
        uint64_t cap = b->cap_tokens ? 2 * b->cap_tokens : 256;
        int32_t *t = ax_mem_realloc(b->tokens, (size_t)cap * sizeof *t);
        if (!t)
            return AX_ERR_NOMEM;
        b->tokens = t;
        b->cap_tokens = cap;
    }
    b->tokens[b->n_tokens++] = token;
    void *const *host = ax_ref_session_buffers(s);
    for (uint32_t i = 0; i < b->n_checks; i++) {
        const struct check *c = &b->checks[i];
        ax_status st = bytes_append(&b->reference, host[c->buf], (size_t)c->n_elems * 4);
        if (st != AX_OK)
            return st;
    }
    return AX_OK;
}

/* weights.bin: every weight buffer at the offset offsets[i] (UINT64_MAX for
 * the others, which start as zeros). */
static ax_status weights_blob(const struct ax_ref_plan *p, void *const *host, uint64_t *offsets,
                              struct bytes *out)
{
    static const unsigned char zeros[WEIGHT_ALIGN];
    for (uint32_t i = 0; i < p->n_bufs; i++) {
        offsets[i] = UINT64_MAX;
        if (p->bufs[i].kind != REF_BUF_WEIGHT)
            continue;
        ax_status st =
            bytes_append(out, zeros, (WEIGHT_ALIGN - out->len % WEIGHT_ALIGN) % WEIGHT_ALIGN);
        offsets[i] = out->len;
        if (st == AX_OK)
            st = bytes_append(out, host[i],
                              (size_t)(p->bufs[i].n_elems * ax_ref_elem_size(p->bufs[i].elem)));
        if (st != AX_OK)
            return st;
    }
    return AX_OK;
}

/* bundle.txt, in the order and form docs/reference.md gives (the runner's
 * --print writes the same text back). */
static ax_status plan_text(const struct ax_gpu_bundle *b, const ax_ref_session_t *s,
                           const char *model, const uint64_t *offsets, size_t ptx_len,
                           size_t weights_len, struct bytes *t)
{
    const struct ax_ref_plan *p = ax_ref_session_plan(s);
    const struct ax_ref_options *o = &p->opts;
    uint32_t n_kernels = 0;
    uint32_t *kernel_of = ax_mem_alloc((size_t)(p->n_phases ? p->n_phases : 1) * sizeof *kernel_of);
    if (!kernel_of)
        return AX_ERR_NOMEM;
    ax_status st = ax_ref_plan_kernels(p, kernel_of, &n_kernels);
    char steps[16];
    snprintf(steps, sizeof steps, "%u", o->spike.steps);
    if (st == AX_OK)
        st = bytes_printf(t, "axon-gpu-bundle %d\nmodel %s\n", AX_GPU_BUNDLE_VERSION, model);
    if (st == AX_OK)
        st = bytes_printf(t, "options precision=%s spike=%s encoding=%s k=%.17g steps=%s\n",
                          ax_ref_precision_str(o->precision), ax_spike_mode_str(o->spike.mode),
                          ax_spike_encoding_str(o->spike.encoding), o->spike.k,
                          o->spike.steps ? steps : "adaptive");
    size_t ref_len = b->reference.len;
    if (st == AX_OK)
        st = bytes_printf(
            t, "ptx module.ptx %zu\nweights weights.bin %zu\nreference reference.bin %zu\n",
            ptx_len, weights_len, ref_len);
    if (st == AX_OK)
        st = bytes_printf(t, "buffers %u\n", p->n_bufs);
    for (uint32_t i = 0; i < p->n_bufs && st == AX_OK; i++) {
        const struct ref_buf *r = &p->bufs[i];
        char off[32] = "-";
        if (offsets[i] != UINT64_MAX)
            snprintf(off, sizeof off, "%llu", (unsigned long long)offsets[i]);
        /* the checkpoint tensor it comes from, and how, for a reader */
        const char *how = r->fill == REF_FILL_CODES      ? "#codes"
                          : r->fill == REF_FILL_SCALES   ? "#scales"
                          : r->fill == REF_FILL_ROWS_DEQ ? "#dequantized"
                                                         : "";
        int is_named = r->tensor && r->kind == REF_BUF_WEIGHT;
        st = bytes_printf(t, "buffer %u %s %s %llu %llu %s %s%s\n", i, ax_ref_buf_kind_str(r->kind),
                          ax_ref_elem_str(r->elem), (unsigned long long)r->n_elems,
                          (unsigned long long)(r->n_elems * ax_ref_elem_size(r->elem)), off,
                          is_named ? r->tensor : "-", is_named ? how : "");
    }
    if (st == AX_OK)
        st = bytes_printf(t, "args %u\n", p->n_args);
    for (uint32_t i = 0; i < p->n_args && st == AX_OK; i++)
        st = bytes_printf(t, "arg %u %u\n", i, p->args[i]);
    if (st == AX_OK)
        st = bytes_printf(t, "kernels %u\n", n_kernels);
    for (uint32_t i = 0, k = 0; i < p->n_phases && st == AX_OK; i++) {
        if (kernel_of[i] != k)
            continue;
        char name[64];
        ax_ref_kernel_name(p, kernel_of, i, name, sizeof name);
        st = bytes_printf(t, "kernel %u %s\n", k++, name);
    }
    if (st == AX_OK)
        st = bytes_printf(t, "phases %u\n", p->n_phases);
    for (uint32_t i = 0; i < p->n_phases && st == AX_OK; i++) {
        const struct ref_phase *ph = &p->phases[i];
        st = bytes_printf(t, "phase %u %u %u %u %u %u %u\n", i, kernel_of[i], ph->arg0, ph->n_args,
                          ph->n_items, ax_gpu_grid(ph->n_items), ax_gpu_block(ph->n_items));
    }
    if (st == AX_OK)
        st = bytes_printf(t, "checks %u\n", b->n_checks);
    for (uint32_t i = 0; i < b->n_checks && st == AX_OK; i++) {
        const struct check *c = &b->checks[i];
        st = bytes_printf(t, "check %u %s %s %u %u %s\n", i, c->what, ax_ref_elem_str(c->elem),
                          c->n_elems, c->buf, c->name);
    }
    if (st == AX_OK)
        st = bytes_printf(t, "tokens %llu\n", (unsigned long long)b->n_tokens);
    for (uint64_t i = 0; i < b->n_tokens && st == AX_OK; i++)
        st = bytes_printf(t, "token %llu %d\n", (unsigned long long)i, b->tokens[i]);
    if (st == AX_OK)
        st = bytes_printf(t, "end\n");
    ax_mem_free(kernel_of);
    return st;
}

static ax_status write_file(const char *dir, const char *name, const void *data, size_t len,
                            struct ax_diag_list *diags)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return ax_fs_write_atomic(path, data, len, diags);
}

ax_status ax_gpu_bundle_write(const struct ax_gpu_bundle *b, const ax_ref_session_t *s,
                              const char *dir, const char *model, struct ax_diag_list *diags)
{
    const struct ax_ref_plan *p = ax_ref_session_plan(s);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        ax_diag_add(diags, AX_DIAG_ERROR, dir, 0, 0, "cannot create the bundle folder: %s",
                    strerror(errno));
        return AX_ERR_IO;
    }
    if (!ax_fs_is_dir(dir)) {
        ax_diag_add(diags, AX_DIAG_ERROR, dir, 0, 0, "exists and is not a folder");
        return AX_ERR_IO;
    }
    char *ptx = NULL;
    size_t ptx_len = 0;
    ax_status st = ax_gpu_ptx_text(p, &ptx, &ptx_len, diags);
    uint64_t *offsets = ax_mem_alloc((size_t)(p->n_bufs ? p->n_bufs : 1) * sizeof *offsets);
    struct bytes weights = {0}, text = {0};
    if (st == AX_OK && !offsets)
        st = AX_ERR_NOMEM;
    if (st == AX_OK)
        st = weights_blob(p, ax_ref_session_buffers(s), offsets, &weights);
    /* the model as an absolute path, so that a reader elsewhere knows which */
    char *abs = st == AX_OK ? realpath(model, NULL) : NULL;
    if (st == AX_OK)
        st = plan_text(b, s, abs ? abs : model, offsets, ptx_len, weights.len, &text);
    free(abs);
    if (st == AX_OK)
        st = write_file(dir, "module.ptx", ptx, ptx_len, diags);
    if (st == AX_OK)
        st = write_file(dir, "weights.bin", weights.data, weights.len, diags);
    if (st == AX_OK)
        st = write_file(dir, "reference.bin", b->reference.data, b->reference.len, diags);
    /* last: a bundle.txt means the files it names are complete */
    if (st == AX_OK)
        st = write_file(dir, "bundle.txt", text.data, text.len, diags);
    ax_mem_free(ptx);
    ax_mem_free(offsets);
    ax_mem_free(weights.data);
    ax_mem_free(text.data);
    return st;
}
