/* The reference's plan run on an NVIDIA GPU (gpu_internal.h): PTX from the
 * code generator, loaded and launched through gpu_driver.h. A session
 * (ref_run.c) keeps the plan, the host buffers and the statistics; this
 * file only moves buffers and launches kernels. */
#define _POSIX_C_SOURCE 200809L
#include "gpu_internal.h"

#include "ax_gpu.h"
#include "ax_mem.h"
#include "gpu_driver.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

struct ax_gpu_run {
    const struct ax_ref_plan *p;
    struct ax_gpu_driver *drv;
    ax_gpu_dptr *dev;              /* per buffer */
    ax_gpu_dptr table;             /* the argument table */
    struct ax_gpu_kernel **kernel; /* per phase */
    char (*name)[48];              /* per phase: its kernel's name */
    double compile_seconds;
};

uint32_t ax_gpu_block(uint32_t n_items)
{
    return n_items < AX_GPU_BLOCK_MAX ? (n_items ? n_items : 1) : AX_GPU_BLOCK_MAX;
}

uint32_t ax_gpu_grid(uint32_t n_items)
{
    uint32_t b = ax_gpu_block(n_items);
    return n_items / b + (n_items % b != 0) + (n_items == 0);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

ax_status ax_gpu_ptx_text(const struct ax_ref_plan *p, char **out, size_t *len,
                          struct ax_diag_list *diags)
{
    *out = NULL;
    *len = 0;
    FILE *f = tmpfile();
    if (!f) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "cannot create a temporary file for PTX");
        return AX_ERR_IO;
    }
    ax_status st = ax_ref_codegen_emit(p, AX_REF_EMIT_PTX, f, diags);
    long n = st == AX_OK ? ftell(f) : -1;
    if (st == AX_OK && (n < 0 || fseek(f, 0, SEEK_SET) != 0))
        st = AX_ERR_IO;
    char *text = st == AX_OK ? ax_mem_alloc((size_t)n + 1) : NULL;
    if (st == AX_OK && !text)
        st = AX_ERR_NOMEM;
    if (st == AX_OK && fread(text, 1, (size_t)n, f) != (size_t)n)
        st = AX_ERR_IO;
    fclose(f);
    if (st != AX_OK) {
        ax_mem_free(text);
        return st;
    }
    text[n] = '\0';
    *out = text;
    *len = (size_t)n;
    return AX_OK;
}

ax_status ax_gpu_probe(char *desc, size_t size, struct ax_diag_list *diags)
{
    return ax_gpu_driver_probe(desc, size, diags);
}

static size_t buf_bytes(const struct ax_ref_plan *p, uint32_t i)
{
    return (size_t)(p->bufs[i].n_elems * ax_ref_elem_size(p->bufs[i].elem));
}

void ax_gpu_run_close(struct ax_gpu_run *r)
{
    if (!r)
        return;
    if (r->drv && r->dev) {
        for (uint32_t i = 0; i < r->p->n_bufs; i++)
            ax_gpu_driver_free(r->drv, r->dev[i]);
    }
    if (r->drv)
        ax_gpu_driver_free(r->drv, r->table);
    ax_gpu_driver_close(r->drv);
    ax_mem_free(r->dev);
    ax_mem_free(r->kernel);
    ax_mem_free(r->name);
    ax_mem_free(r);
}

/* Loads the plan's PTX and finds each phase's kernel. */
static ax_status load_kernels(struct ax_gpu_run *r, struct ax_diag_list *diags)
{
    const struct ax_ref_plan *p = r->p;
    char *ptx = NULL;
    size_t len = 0;
    ax_status st = ax_gpu_ptx_text(p, &ptx, &len, diags);
    if (st == AX_OK)
        st = ax_gpu_driver_load(r->drv, ptx, diags);
    ax_mem_free(ptx);
    uint32_t n = p->n_phases ? p->n_phases : 1, n_kernels = 0;
    uint32_t *kernel_of = st == AX_OK ? ax_mem_alloc((size_t)n * sizeof *kernel_of) : NULL;
    if (st == AX_OK && !kernel_of)
        st = AX_ERR_NOMEM;
    if (st == AX_OK)
        st = ax_ref_plan_kernels(p, kernel_of, &n_kernels);
    for (uint32_t i = 0; i < p->n_phases && st == AX_OK; i++) {
        ax_ref_kernel_name(p, kernel_of, i, r->name[i], sizeof r->name[i]);
        /* a kernel shared with an earlier phase is looked up once */
        uint32_t first = i;
        for (uint32_t j = 0; j < i && first == i; j++)
            first = kernel_of[j] == kernel_of[i] ? j : first;
        if (first < i)
            r->kernel[i] = r->kernel[first];
        else
            st = ax_gpu_driver_kernel(r->drv, r->name[i], &r->kernel[i], diags);
    }
    ax_mem_free(kernel_of);
    return st;
}

/* Allocates every buffer and the argument table, uploads both. */
static ax_status upload_all(struct ax_gpu_run *r, void *const *host, struct ax_diag_list *diags)
{
    const struct ax_ref_plan *p = r->p;
    ax_status st = AX_OK;
    char what[64];
    for (uint32_t i = 0; i < p->n_bufs && st == AX_OK; i++) {
        snprintf(what, sizeof what, "buffer %u, %zu bytes", i, buf_bytes(p, i));
        st = ax_gpu_driver_alloc(r->drv, buf_bytes(p, i), &r->dev[i], what, diags);
        if (st == AX_OK)
            st = ax_gpu_driver_upload(r->drv, r->dev[i], host[i], buf_bytes(p, i), what, diags);
    }
    size_t table_bytes = (size_t)p->n_args * sizeof(ax_gpu_dptr);
    ax_gpu_dptr *table =
        st == AX_OK ? ax_mem_calloc(p->n_args ? p->n_args : 1, sizeof *table) : NULL;
    if (st == AX_OK && !table)
        st = AX_ERR_NOMEM;
    for (uint32_t i = 0; i < p->n_args && st == AX_OK; i++)
        table[i] = r->dev[p->args[i]];
    if (st == AX_OK)
        st = ax_gpu_driver_alloc(r->drv, table_bytes, &r->table, "the argument table", diags);
    if (st == AX_OK)
        st =
            ax_gpu_driver_upload(r->drv, r->table, table, table_bytes, "the argument table", diags);
    ax_mem_free(table);
    return st;
}

ax_status ax_gpu_run_open(const struct ax_ref_plan *p, void *const *host, struct ax_gpu_run **out,
                          struct ax_diag_list *diags)
{
    *out = NULL;
    struct ax_gpu_run *r = ax_mem_calloc(1, sizeof *r);
    if (!r)
        return AX_ERR_NOMEM;
    r->p = p;
    ax_status st = ax_gpu_driver_open(&r->drv, diags);
    if (st == AX_OK) {
        r->dev = ax_mem_calloc(p->n_bufs ? p->n_bufs : 1, sizeof *r->dev);
        r->kernel = ax_mem_calloc(p->n_phases ? p->n_phases : 1, sizeof *r->kernel);
        r->name = ax_mem_calloc(p->n_phases ? p->n_phases : 1, sizeof *r->name);
        if (!r->dev || !r->kernel || !r->name)
            st = AX_ERR_NOMEM;
    }
    double t0 = now_seconds();
    if (st == AX_OK)
        st = load_kernels(r, diags);
    r->compile_seconds = now_seconds() - t0;
    if (st == AX_OK)
        st = upload_all(r, host, diags);
    if (st != AX_OK) {
        ax_gpu_run_close(r);
        return st;
    }
    *out = r;
    return AX_OK;
}

ax_status ax_gpu_run_step(struct ax_gpu_run *r, int32_t token, int64_t pos,
                          struct ax_diag_list *diags)
{
    const struct ax_ref_plan *p = r->p;
    for (uint32_t i = 0; i < p->n_phases; i++) {
        const struct ref_phase *ph = &p->phases[i];
        ax_gpu_dptr args = r->table + (ax_gpu_dptr)ph->arg0 * sizeof(ax_gpu_dptr);
        void *params[3] = {&args, &token, &pos};
        ax_status st = ax_gpu_driver_launch(r->drv, r->kernel[i], ax_gpu_grid(ph->n_items),
                                            ax_gpu_block(ph->n_items), params, r->name[i], diags);
        if (st != AX_OK)
            return st;
    }
    char what[64];
    snprintf(what, sizeof what, "the kernels of position %lld", (long long)pos);
    return ax_gpu_driver_sync(r->drv, what, diags);
}

ax_status ax_gpu_run_download(struct ax_gpu_run *r, uint32_t buf, void *host,
                              struct ax_diag_list *diags)
{
    char what[32];
    snprintf(what, sizeof what, "buffer %u", buf);
    return ax_gpu_driver_download(r->drv, host, r->dev[buf], buf_bytes(r->p, buf), what, diags);
}

ax_status ax_gpu_run_upload(struct ax_gpu_run *r, uint32_t buf, const void *host,
                            struct ax_diag_list *diags)
{
    char what[32];
    snprintf(what, sizeof what, "buffer %u", buf);
    return ax_gpu_driver_upload(r->drv, r->dev[buf], host, buf_bytes(r->p, buf), what, diags);
}

void ax_gpu_run_describe(const struct ax_gpu_run *r, char *out, size_t size)
{
    ax_gpu_driver_describe(r->drv, out, size);
}

double ax_gpu_run_compile_seconds(const struct ax_gpu_run *r)
{
    return r->compile_seconds;
}
