/* Reference sessions: buffers, weights, the compiled step, the state
 * between tokens, the accumulator bound and the sparsity statistics. The
 * step runs on the host (the JIT) or on a GPU (gpu_run.c); either way the
 * host buffers hold what the statistics, the bound and the probes read. */
#define _POSIX_C_SOURCE 200809L
#include "ref_internal.h"

#include "gpu_internal.h"

#include "ax_mem.h"
#include "ax_model.h"
#include "ax_text.h"
#include "ax_pass.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define ALIGN 64u /* every buffer: the kernels load 16 floats at a time */

struct ax_ref_session {
    const struct ax_model *m;
    struct ax_ref_options opts;
    struct ax_ir_graph g;
    int has_graph;
    struct ax_ref_plan plan;
    int has_plan;
    void **tab;  /* every buffer of the plan, aligned */
    void **raw;  /* the allocations behind them */
    void **argv; /* the step's argument table: tab[plan.args[i]] */
    struct ax_ref_jit *jit;
    ax_ref_step_fn step;
    enum ax_ref_device device; /* CPU or GPU: where the step runs */
    struct ax_gpu_run *gpu;    /* the GPU's buffers and kernels (GPU only) */
    char device_note[512];     /* the GPU's description, or why auto took the CPU */
    uint32_t *readback;        /* GPU: buffers copied back after every step */
    uint32_t n_readback;
    uint32_t *probe_bufs; /* GPU: the buffers behind the probes */
    uint32_t n_probe_bufs;
    uint64_t pos;
    uint32_t *max_code; /* per node: largest |weight code| of an int8 node */
    uint64_t n_outside;
    struct ax_spike_stats *stats; /* per site; initialized for spiking sites */
    struct ax_ref_probe *probes;
    uint32_t n_probes;
    double compile_seconds;
    int is_broken;         /* a step (1) or a GPU reset (2) failed: reset before the next */
    struct ax_arena arena; /* probe names */
};

void ax_ref_options_default(struct ax_ref_options *o)
{
    o->precision = AX_REF_PRECISION_W8SPIKE;
    ax_spike_options_default(&o->spike);
}

static const char *const precision_names[] = {"fp32", "w8spike"};
_Static_assert(sizeof precision_names / sizeof precision_names[0] == AX_REF_PRECISION_COUNT,
               "precision names");

const char *ax_ref_precision_str(enum ax_ref_precision p)
{
    return (unsigned)p < AX_REF_PRECISION_COUNT ? precision_names[p] : "?";
}

int ax_ref_precision_parse(const char *s, enum ax_ref_precision *out)
{
    int i = ax_text_name_index(precision_names, AX_REF_PRECISION_COUNT, s);
    if (i >= 0)
        *out = (enum ax_ref_precision)i;
    return i < 0 ? -1 : 0;
}

static const char *const device_names[] = {"cpu", "gpu", "auto"};
_Static_assert(sizeof device_names / sizeof device_names[0] == AX_REF_DEVICE_COUNT, "device names");

const char *ax_ref_device_str(enum ax_ref_device d)
{
    return (unsigned)d < AX_REF_DEVICE_COUNT ? device_names[d] : "?";
}

int ax_ref_device_parse(const char *s, enum ax_ref_device *out)
{
    int i = ax_text_name_index(device_names, AX_REF_DEVICE_COUNT, s);
    if (i >= 0)
        *out = (enum ax_ref_device)i;
    return i < 0 ? -1 : 0;
}

const char *ax_ref_dtype_str(enum ax_ref_dtype d)
{
    return d == AX_REF_DTYPE_F32 ? "f32" : d == AX_REF_DTYPE_I32 ? "i32" : "?";
}

ax_status ax_ref_apply_precision(struct ax_ir_graph *g, const struct ax_ref_options *o,
                                 const char *file, struct ax_diag_list *diags)
{
    if (o->precision == AX_REF_PRECISION_FP32)
        return ax_pass_fp32(g, file, diags);
    return ax_pass_w8spike(g, o->spike.mode, file, diags);
}

ax_status ax_ref_emit(const struct ax_ir_graph *g, const struct ax_ref_options *o,
                      const struct ax_st_checkpoint *ck, enum ax_ref_emit what, FILE *out,
                      struct ax_diag_list *diags)
{
    struct ax_ref_plan plan;
    ax_status st = ax_ref_plan_build(&plan, g, o, ck, g->name, diags);
    if (st != AX_OK)
        return st;
    st = ax_ref_codegen_emit(&plan, what, out, diags);
    ax_ref_plan_free(&plan);
    return st;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- buffers -------------------------------------------------------------------- */

static ax_status alloc_buffers(ax_ref_session_t *s)
{
    const struct ax_ref_plan *p = &s->plan;
    s->tab = ax_mem_calloc(p->n_bufs ? p->n_bufs : 1, sizeof *s->tab);
    s->raw = ax_mem_calloc(p->n_bufs ? p->n_bufs : 1, sizeof *s->raw);
    if (!s->tab || !s->raw)
        return AX_ERR_NOMEM;
    for (uint32_t i = 0; i < p->n_bufs; i++) {
        uint64_t bytes = p->bufs[i].n_elems * ax_ref_elem_size(p->bufs[i].elem);
        if (bytes > SIZE_MAX - ALIGN)
            return AX_ERR_NOMEM;
        s->raw[i] = ax_mem_calloc(1, (size_t)bytes + ALIGN);
        if (!s->raw[i])
            return AX_ERR_NOMEM;
        uintptr_t a = ((uintptr_t)s->raw[i] + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
        s->tab[i] = (void *)a;
    }
    s->argv = ax_mem_calloc(p->n_args ? p->n_args : 1, sizeof *s->argv);
    if (!s->argv)
        return AX_ERR_NOMEM;
    for (uint32_t i = 0; i < p->n_args; i++)
        s->argv[i] = s->tab[p->args[i]];
    return AX_OK;
}

static void zero_state(ax_ref_session_t *s)
{
    const struct ax_ref_plan *p = &s->plan;
    for (uint32_t i = 0; i < p->n_bufs; i++) {
        if (p->bufs[i].kind == REF_BUF_STATE)
            memset(s->tab[i], 0, (size_t)(p->bufs[i].n_elems * ax_ref_elem_size(p->bufs[i].elem)));
    }
}

/* ---- statistics and probes ---------------------------------------------------------- */

static void free_stats(ax_ref_session_t *s)
{
    if (!s->stats)
        return;
    for (uint32_t i = 0; i < s->plan.n_sites; i++)
        ax_spike_stats_free(&s->stats[i]);
    ax_mem_free(s->stats);
    s->stats = NULL;
}

/* Statistics count the spiking projections' inputs: not the SWA query,
 * which spikes but is no projection's input (as the report counts). */
static int site_counted(const struct ax_ref_plan *p, uint32_t i)
{
    return p->sites[i].is_spiking && p->g->nodes[p->sites[i].node].op == AX_IR_LINEAR;
}

static ax_status init_stats(ax_ref_session_t *s)
{
    const struct ax_ref_plan *p = &s->plan;
    s->stats = ax_mem_calloc(p->n_sites ? p->n_sites : 1, sizeof *s->stats);
    if (!s->stats)
        return AX_ERR_NOMEM;
    for (uint32_t i = 0; i < p->n_sites; i++) {
        if (site_counted(p, i) && ax_spike_stats_init(&s->stats[i], p->sites[i].n_in) != AX_OK)
            return AX_ERR_NOMEM;
    }
    return AX_OK;
}

static ax_status add_probe(ax_ref_session_t *s, uint32_t *cap, const char *name, const char *suffix,
                           enum ax_ref_dtype dtype, uint32_t dim, const void *data)
{
    if (s->n_probes == *cap) {
        uint32_t n = *cap ? 2 * *cap : 64;
        struct ax_ref_probe *pr = ax_mem_realloc(s->probes, (size_t)n * sizeof *pr);
        if (!pr)
            return AX_ERR_NOMEM;
        s->probes = pr;
        *cap = n;
    }
    char full[320];
    snprintf(full, sizeof full, "%s%s", name, suffix);
    const char *copy = ax_arena_strdup(&s->arena, full);
    if (!copy)
        return AX_ERR_NOMEM;
    s->probes[s->n_probes++] = (struct ax_ref_probe){copy, dtype, dim, data};
    return AX_OK;
}

/* A site's output: the projection's (the SWA query's: the attention's). */
static const float *site_output(const ax_ref_session_t *s, uint32_t i)
{
    return s->tab[s->plan.nodes[s->plan.sites[i].node].out];
}

static ax_status init_probes(ax_ref_session_t *s)
{
    const struct ax_ref_plan *p = &s->plan;
    uint32_t cap = 0;
    ax_status st = AX_OK;
    for (uint32_t i = 0; i < p->n_sites && st == AX_OK; i++) {
        const struct ref_site *site = &p->sites[i];
        const struct ref_node *rn = &p->nodes[site->node];
        st = add_probe(s, &cap, site->name, ".input", AX_REF_DTYPE_F32, site->n_in,
                       s->tab[p->nodes[site->input_node].out]);
        if (st == AX_OK && site->is_spiking)
            st = add_probe(s, &cap, site->name, ".counts", AX_REF_DTYPE_I32, site->n_in,
                           s->tab[rn->counts]);
        if (st == AX_OK && site->is_spiking)
            st = add_probe(s, &cap, site->name, ".vth", AX_REF_DTYPE_F32, site->n_vth,
                           s->tab[rn->vth]);
        if (st == AX_OK)
            st = add_probe(s, &cap, site->name, ".output", AX_REF_DTYPE_F32, site->n_out,
                           site_output(s, i));
    }
    for (uint32_t l = 0; l < p->n_layers && st == AX_OK; l++) {
        uint32_t id = p->layer_out[l];
        if (id == REF_NONE)
            continue;
        char name[64];
        snprintf(name, sizeof name, "model.layers.%u", l);
        st = add_probe(s, &cap, name, ".output", AX_REF_DTYPE_F32, p->g->nodes[id].out_dim,
                       s->tab[p->nodes[id].out]);
    }
    if (st == AX_OK)
        st = add_probe(s, &cap, "logits", "", AX_REF_DTYPE_F32, p->vocab,
                       s->tab[p->nodes[p->logits_node].out]);
    return st;
}

/* ---- the GPU ----------------------------------------------------------------------------- */

/* Appends buffer b to list[0..*n) unless it is there or REF_NONE. */
static void add_unique(uint32_t *list, uint32_t *n, uint32_t b)
{
    if (b == REF_NONE)
        return;
    for (uint32_t i = 0; i < *n; i++) {
        if (list[i] == b)
            return;
    }
    list[(*n)++] = b;
}

/* The buffers copied back after each GPU step (the logits, every spiking
 * site's counts and thresholds) and the ones behind the other probes. */
static ax_status init_readback(ax_ref_session_t *s)
{
    const struct ax_ref_plan *p = &s->plan;
    uint32_t cap = 4 * p->n_sites + p->n_layers + 1;
    s->readback = ax_mem_alloc((size_t)cap * sizeof *s->readback);
    s->probe_bufs = ax_mem_alloc((size_t)cap * sizeof *s->probe_bufs);
    if (!s->readback || !s->probe_bufs)
        return AX_ERR_NOMEM;
    add_unique(s->readback, &s->n_readback, p->nodes[p->logits_node].out);
    for (uint32_t i = 0; i < p->n_sites; i++) {
        const struct ref_node *rn = &p->nodes[p->sites[i].node];
        add_unique(s->readback, &s->n_readback, rn->counts);
        add_unique(s->readback, &s->n_readback, rn->vth);
        add_unique(s->probe_bufs, &s->n_probe_bufs, p->nodes[p->sites[i].input_node].out);
        add_unique(s->probe_bufs, &s->n_probe_bufs, rn->out);
    }
    for (uint32_t l = 0; l < p->n_layers; l++) {
        if (p->layer_out[l] != REF_NONE)
            add_unique(s->probe_bufs, &s->n_probe_bufs, p->nodes[p->layer_out[l]].out);
    }
    return AX_OK;
}

/* Opens the GPU side of a session asked for `device` (GPU or AUTO). Under
 * AUTO a GPU that cannot be used leaves the session on the CPU with the
 * reason in device_note; under GPU the reason is an error in `diags`. */
static ax_status open_gpu(ax_ref_session_t *s, enum ax_ref_device device,
                          struct ax_diag_list *diags)
{
    struct ax_diag_list gd;
    ax_diag_list_init(&gd);
    ax_status st = ax_gpu_run_open(&s->plan, s->tab, &s->gpu, &gd);
    if (st == AX_OK) {
        s->device = AX_REF_DEVICE_GPU;
        s->compile_seconds = ax_gpu_run_compile_seconds(s->gpu);
        ax_gpu_run_describe(s->gpu, s->device_note, sizeof s->device_note);
        st = init_readback(s);
    } else if (device == AX_REF_DEVICE_AUTO && st != AX_ERR_NOMEM) {
        snprintf(s->device_note, sizeof s->device_note, "auto: no usable GPU: %s",
                 gd.n_items ? gd.items[0].message : ax_status_str(st));
        st = AX_OK;
    } else {
        for (uint32_t i = 0; i < gd.n_items; i++)
            ax_diag_add(diags, gd.items[i].severity, gd.items[i].file, gd.items[i].line,
                        gd.items[i].col, "%s", gd.items[i].message);
    }
    ax_diag_list_free(&gd);
    return st;
}

ax_status ax_ref_session_sync_probes(ax_ref_session_t *s, struct ax_diag_list *diags)
{
    for (uint32_t i = 0; s->gpu && i < s->n_probe_bufs; i++) {
        ax_status st =
            ax_gpu_run_download(s->gpu, s->probe_bufs[i], s->tab[s->probe_bufs[i]], diags);
        if (st != AX_OK)
            return st;
    }
    return AX_OK;
}

enum ax_ref_device ax_ref_session_device(const ax_ref_session_t *s)
{
    return s->device;
}

const char *ax_ref_session_device_note(const ax_ref_session_t *s)
{
    return s->device_note;
}

/* ---- sessions -------------------------------------------------------------------------- */

ax_status ax_ref_session_open(const struct ax_model *m, const struct ax_ref_options *o,
                              ax_ref_session_t **out, struct ax_diag_list *diags)
{
    return ax_ref_session_open_on(m, o, AX_REF_DEVICE_CPU, out, diags);
}

ax_status ax_ref_session_open_on(const struct ax_model *m, const struct ax_ref_options *o,
                                 enum ax_ref_device device, ax_ref_session_t **out,
                                 struct ax_diag_list *diags)
{
    *out = NULL;
    char msg[160];
    if (ax_spike_options_check(&o->spike, msg, sizeof msg) != AX_OK) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "spike options: %s", msg);
        return AX_ERR_USAGE;
    }
    if (!m->weights) {
        ax_diag_add(diags, AX_DIAG_ERROR, m->dir, 0, 0,
                    "a shape-only model (no weights): the reference needs a checkpoint");
        return AX_ERR_INVALID;
    }
    ax_ref_session_t *s = ax_mem_calloc(1, sizeof *s);
    if (!s)
        return AX_ERR_NOMEM;
    s->m = m;
    s->opts = *o;
    ax_arena_init(&s->arena, 0);
    ax_status st = ax_ir_build(&s->g, m, diags);
    s->has_graph = 1;
    if (st == AX_OK)
        st = ax_ref_apply_precision(&s->g, o, m->dir, diags);
    if (st == AX_OK) {
        st = ax_ref_plan_build(&s->plan, &s->g, o, m->weights, m->dir, diags);
        s->has_plan = st == AX_OK;
    }
    if (st == AX_OK)
        st = alloc_buffers(s);
    if (st == AX_OK) {
        s->max_code = ax_mem_calloc(s->g.n_nodes ? s->g.n_nodes : 1, sizeof *s->max_code);
        st = s->max_code ? AX_OK : AX_ERR_NOMEM;
    }
    if (st == AX_OK)
        st = ax_ref_weights_fill(&s->plan, m->weights, s->tab, &s->n_outside, s->max_code, diags);
    if (st == AX_OK)
        st = init_stats(s);
    if (st == AX_OK)
        st = init_probes(s);
    s->device = AX_REF_DEVICE_CPU;
    if (st == AX_OK && device != AX_REF_DEVICE_CPU)
        st = open_gpu(s, device, diags);
    if (st == AX_OK && s->device == AX_REF_DEVICE_CPU) {
        double t0 = now_seconds();
        st = ax_ref_jit_compile(&s->plan, &s->jit, &s->step, diags);
        s->compile_seconds = now_seconds() - t0;
    }
    if (st != AX_OK) {
        ax_ref_session_close(s);
        return st;
    }
    *out = s;
    return AX_OK;
}

void ax_ref_session_close(ax_ref_session_t *s)
{
    if (!s)
        return;
    ax_ref_jit_free(s->jit);
    ax_gpu_run_close(s->gpu);
    ax_mem_free(s->readback);
    ax_mem_free(s->probe_bufs);
    free_stats(s);
    if (s->raw) {
        for (uint32_t i = 0; i < s->plan.n_bufs; i++)
            ax_mem_free(s->raw[i]);
    }
    ax_mem_free(s->raw);
    ax_mem_free(s->tab);
    ax_mem_free(s->argv);
    ax_mem_free(s->max_code);
    ax_mem_free(s->probes);
    if (s->has_plan)
        ax_ref_plan_free(&s->plan);
    if (s->has_graph)
        ax_ir_free(&s->g);
    ax_arena_free(&s->arena);
    ax_mem_free(s);
}

/* The index of the first of x[0..n) that is NaN or infinite, or UINT32_MAX
 * (also when x is NULL). */
static uint32_t first_non_finite(const float *x, uint32_t n)
{
    for (uint32_t i = 0; x && i < n; i++)
        if (!isfinite(x[i]))
            return i;
    return UINT32_MAX;
}

/* A site's input, threshold and output must be finite: a NaN or an infinity
 * (a float32 overflow in this node or an earlier one) has no spike count,
 * and what follows from it means nothing. The CPU's buffers are at hand; on
 * the GPU the input and output are downloaded only when probed, so there the
 * threshold, read back every step, stands for them. */
static ax_status check_finite(ax_ref_session_t *s, const struct ref_site *site,
                              struct ax_diag_list *diags)
{
    const struct ref_node *rn = &s->plan.nodes[site->node];
    const struct {
        const char *what;
        const float *x;
        uint32_t n;
    } parts[] = {
        {"input", s->gpu ? NULL : s->tab[s->plan.nodes[site->input_node].out], site->n_in},
        {"threshold", site->is_spiking ? s->tab[rn->vth] : NULL, site->n_vth},
        {"output", s->gpu ? NULL : s->tab[rn->out], site->n_out},
    };
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        uint32_t i = first_non_finite(parts[k].x, parts[k].n);
        if (i == UINT32_MAX)
            continue;
        ax_diag_add(diags, AX_DIAG_ERROR, s->m->dir, 0, 0,
                    "%s at position %llu: its %s element %u is %s; a value overflowed float32 "
                    "(weights or activations too large), so no spike count exists for it",
                    site->name, (unsigned long long)s->pos, parts[k].what, i,
                    isnan(parts[k].x[i]) ? "NaN" : "infinite");
        return AX_ERR_INVALID;
    }
    return AX_OK;
}

/* 128 * max|s| * max|q| must stay below 2^31 for the int32 accumulators. */
static ax_status check_bound(ax_ref_session_t *s, const struct ref_site *site,
                             struct ax_diag_list *diags)
{
    const int32_t *counts = s->tab[s->plan.nodes[site->node].counts];
    uint64_t max_s = 0;
    for (uint32_t i = 0; i < site->n_in; i++) {
        uint64_t a = counts[i] < 0 ? (uint64_t)(-(int64_t)counts[i]) : (uint64_t)counts[i];
        max_s = a > max_s ? a : max_s;
    }
    uint64_t bound = (uint64_t)REF_GROUP * max_s * s->max_code[site->node];
    if (bound < ((uint64_t)1 << 31))
        return AX_OK;
    ax_diag_add(diags, AX_DIAG_ERROR, s->m->dir, 0, 0,
                "%s at position %llu: 128 * max|s| (%llu) * max|q| (%u) exceeds the int32 "
                "accumulators; use a smaller --k or a fixed --steps",
                site->name, (unsigned long long)s->pos, (unsigned long long)max_s,
                s->max_code[site->node]);
    return AX_ERR_LIMIT;
}

ax_status ax_ref_session_step(ax_ref_session_t *s, int32_t token, struct ax_diag_list *diags)
{
    if (s->is_broken) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    s->is_broken == 2 ? "the GPU's state could not be reset; reset the session"
                                      : "a step failed; reset the session first");
        return AX_ERR_INVALID;
    }
    if (token < 0 || (uint32_t)token >= s->plan.vocab) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "token %d is outside the vocabulary [0, %u)",
                    token, s->plan.vocab);
        return AX_ERR_INVALID;
    }
    const struct ax_ref_plan *p = &s->plan;
    if (s->gpu) {
        ax_status st = ax_gpu_run_step(s->gpu, token, (int64_t)s->pos, diags);
        for (uint32_t i = 0; i < s->n_readback && st == AX_OK; i++)
            st = ax_gpu_run_download(s->gpu, s->readback[i], s->tab[s->readback[i]], diags);
        if (st != AX_OK) {
            s->is_broken = 1;
            return st;
        }
    } else {
        s->step(s->argv, token, (int64_t)s->pos);
    }
    for (uint32_t i = 0; i < p->n_sites; i++) {
        const struct ref_site *site = &p->sites[i];
        if (!site_counted(p, i))
            continue;
        ax_status st = check_finite(s, site, diags);
        if (st == AX_OK)
            st = check_bound(s, site, diags);
        if (st != AX_OK) {
            s->is_broken = 1;
            return st;
        }
        ax_spike_stats_add(&s->stats[i], &s->opts.spike, s->tab[p->nodes[site->node].counts]);
    }
    s->pos++;
    return AX_OK;
}

void ax_ref_session_reset(ax_ref_session_t *s)
{
    zero_state(s);
    s->pos = 0;
    s->is_broken = 0;
    if (s->gpu) {
        /* the device's state from the host's zeros */
        struct ax_diag_list diags;
        ax_diag_list_init(&diags);
        for (uint32_t i = 0; i < s->plan.n_bufs && !s->is_broken; i++) {
            if (s->plan.bufs[i].kind == REF_BUF_STATE &&
                ax_gpu_run_upload(s->gpu, i, s->tab[i], &diags) != AX_OK)
                s->is_broken = 2;
        }
        ax_diag_list_free(&diags);
    }
    for (uint32_t i = 0; i < s->plan.n_sites; i++) {
        if (!site_counted(&s->plan, i))
            continue;
        struct ax_spike_stats *st = &s->stats[i];
        uint32_t n = st->n_channels;
        uint8_t *fired = st->fired;
        memset(st, 0, sizeof *st);
        memset(fired, 0, n ? n : 1);
        st->n_channels = n;
        st->fired = fired;
    }
}

const float *ax_ref_session_logits(const ax_ref_session_t *s)
{
    return s->tab[s->plan.nodes[s->plan.logits_node].out];
}

uint32_t ax_ref_session_vocab(const ax_ref_session_t *s)
{
    return s->plan.vocab;
}
uint64_t ax_ref_session_position(const ax_ref_session_t *s)
{
    return s->pos;
}
const struct ax_ir_graph *ax_ref_session_graph(const ax_ref_session_t *s)
{
    return &s->g;
}
const struct ax_ref_options *ax_ref_session_options(const ax_ref_session_t *s)
{
    return &s->opts;
}
double ax_ref_session_compile_seconds(const ax_ref_session_t *s)
{
    return s->compile_seconds;
}
uint64_t ax_ref_session_codes_outside_int8(const ax_ref_session_t *s)
{
    return s->n_outside;
}
uint32_t ax_ref_session_n_sites(const ax_ref_session_t *s)
{
    return s->plan.n_sites;
}

void ax_ref_session_site(const ax_ref_session_t *s, uint32_t i, struct ax_ref_site *out)
{
    const struct ref_site *site = &s->plan.sites[i];
    const struct ref_node *rn = &s->plan.nodes[site->node];
    out->name = site->name;
    out->node = site->node;
    out->n_in = site->n_in;
    out->n_out = site->n_out;
    out->n_vth = site->n_vth;
    out->is_spiking = site->is_spiking;
    out->input = s->tab[s->plan.nodes[site->input_node].out];
    out->output = site_output(s, i);
    out->counts = site->is_spiking ? s->tab[rn->counts] : NULL;
    out->vth = site->is_spiking ? s->tab[rn->vth] : NULL;
}

const struct ax_spike_stats *ax_ref_session_site_stats(const ax_ref_session_t *s, uint32_t i)
{
    return site_counted(&s->plan, i) ? &s->stats[i] : NULL;
}

void ax_ref_session_sparsity(const ax_ref_session_t *s, struct ax_spike_summary *total)
{
    /* non-spiking sites have zeroed totals and no channels: they add nothing */
    ax_spike_stats_summary_total(s->stats, s->plan.n_sites, total);
}

uint32_t ax_ref_session_n_probes(const ax_ref_session_t *s)
{
    return s->n_probes;
}

void ax_ref_session_probe(const ax_ref_session_t *s, uint32_t i, struct ax_ref_probe *out)
{
    *out = s->probes[i];
}

const struct ax_ref_plan *ax_ref_session_plan(const ax_ref_session_t *s)
{
    return &s->plan;
}

void *const *ax_ref_session_buffers(const ax_ref_session_t *s)
{
    return s->tab;
}
