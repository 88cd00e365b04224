/* The program executor (ax_exec.h): each instruction of isa/ax_isa.def with
 * the semantics docs/isa.md states in its section "Semantics", run over the
 * SRAM words of every core.
 *
 * SRAM is an array of 32-bit words per core, up to the end of its last
 * buffer; float32 values are their bit patterns, counts and accumulators
 * int32, int8 codes four a word with code k in byte k % 4 of word k / 4
 * (the least significant byte first).
 *
 * Beside SRAM the executor keeps what the ISA gives no word for, and no more:
 *   - per core, the encoding and V_th of each `encode` of this token (the
 *     events carry them; `emit` reads them);
 *   - per core, the spike events that arrived (pending, each with the
 *     barrier that makes it visible) and those that the last barrier made
 *     visible (current);
 *   - per accumulator range that `synacc` filled, one int32 accumulator per
 *     row and group of 128 columns, and the V_th of its events (a block
 *     wider than one group needs one a group; `scale` reads them);
 *   - per GLA state, the decay `gladecay` computed, applied with the next
 *     update in one rounding; per K/V ring, its number of kv heads;
 *   - per weight record, where its codes and scales lie now (its weights
 *     buffer, or the staging buffer the last `dma` filled).
 *
 * Sums begin at -0.0, the sum of no terms, so each value
 * is exactly the left-to-right sum docs/semantics.md states. This file is
 * compiled with -fno-builtin (sim/CMakeLists.txt) so that exp, sqrt, sin,
 * cos and friends are glibc's, called as written. */
#include "ax_exec.h"

#include "ax_isa.h"
#include "ax_mem.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
#define GROUP AX_PROG_GROUP
#define COUNT_GUARD (1 << 30) /* the largest |count| with an adaptive T (ax_spike.h) */

/* ---- per-core bookkeeping ------------------------------------------------------------------ */

/* The spikes of one nonzero count, as they travel: column (its word's
 * place in the counts buffer, plus the buffer's ref when it has one: the
 * first row of the vector a shard holds), the count (its events sum to
 * it), the encoder's V_th and encoding, and the counts buffer they left
 * (its index in the buffer table, or NONE), which tells the timed run
 * which spike site a synacc reads. */
struct train {
    uint32_t col;
    int32_t s;
    float vth;
    uint8_t enc;
    uint32_t buf;
};

/* The trains of the token, each stored once: where an emit or relay put
 * them, whatever the number of destinations. */
struct trains {
    struct train *v;
    uint64_t n, cap;
};

/* What one send delivered to one core: trains [first, first + n) of the
 * store of token `tok` (its index in the flight, ax_exec_begin_flight),
 * visible at that token's barrier `at` (note_visibility; NONE: never). */
struct batch {
    uint32_t first, n, at, tok;
};

struct batches {
    struct batch *v;
    uint64_t n, cap;
};

/* A value message of token `tok` (its index in the flight) waiting at
 * (this core, addr). */
struct message {
    uint32_t src, addr, n, tok;
    uint64_t id;  /* its number among this token's messages, in order of sending */
    float *data;  /* NULL in counting mode */
};

/* What one `encode` of this token wrote: words [addr, addr + n). */
struct encoding {
    uint32_t addr, n;
    float vth;
    uint8_t enc;
    int32_t *counts; /* counting mode: the drawn counts (there is no SRAM); else NULL */
    uint8_t *is_sent; /* per word: an emit has sent its spikes (generated them) already */
};

/* Accumulators `synacc` filled at words [addr, addr + rows): per row and
 * group, from the events of weight record `record`. */
struct acc_tag {
    uint32_t addr, rows, groups, record;
    int has_vth;
    float vth;
    int64_t *acc; /* [rows][groups] */
};

/* An event train in the columns of the record a synacc reads: the column
 * (relative to the record), its weight group and its count. */
struct hit {
    uint32_t c, g;
    int64_t s;
};

/* One core's run of its code. */
struct core_run {
    uint32_t core, pc;
    uint64_t len;
    uint8_t is_done, is_at_barrier, is_queued;
    uint32_t at_barrier; /* the barrier it waits at, while is_at_barrier */
    uint32_t tok;        /* the token it runs: its index in the flight */
    uint32_t token;      /* that token's id (what `lookup` selects), position in its
                          * sequence, and sequence (the bank of state it reads) */
    uint64_t pos;
    uint32_t seq;
    uint8_t is_waiting_turn; /* halted its token; the window does not let the next start */
    struct message *msgs;
    uint32_t n_msgs, cap_msgs;
    struct batches pending, current;
    uint32_t vis_pc;                     /* the send whose destinations' barriers vis holds */
    const struct ax_prog_route *vis_rt;  /* (note_visibility), on route vis_rt, or NULL */
    uint32_t *vis;
    uint32_t cap_vis;
    struct encoding *encs;
    uint32_t n_encs, cap_encs;
    struct acc_tag *tags;
    uint32_t n_tags, cap_tags;
};

/* Dataflow synchronisation's tables (ax_exec_dataflow). A slot is one
 * core's place in one barrier's list: slot_base[id] + its index there. Per
 * slot, the senders the core waits for there (those that send it spike
 * events belonging to that barrier, docs/isa.md), and, as a sender, the
 * slots its arrival tells: to[to_first[s] .. to_first[s + 1]). What a
 * token has met of them is its own (struct in_flight). */
struct dataflow {
    uint32_t *slot_base; /* per barrier, and one past the last */
    uint32_t *n_wait;    /* per slot */
    uint32_t *to_first;  /* per slot, and one past the last */
    uint32_t *to;
};

/* What a token of the flight holds apart from its cores' own state
 * (ax_exec_begin_flight): its event trains, the numbering of its messages,
 * its barriers' arrivals (under dataflow, per place the senders still to
 * come and who is there), and how many cores have halted it. Token i lives
 * in ex->flight[i % window]. */
struct in_flight {
    struct trains trains; /* which its batches refer to */
    uint64_t n_msg_ids;   /* messages numbered so far */
    uint32_t *arrived;    /* per barrier */
    uint32_t *left;       /* dataflow, per place: senders not yet arrived */
    uint8_t *is_there;    /* dataflow, per place: the core has reached the barrier */
    uint32_t n_halted;
};

struct ax_exec {
    const struct ax_prog *p;
    const char *file;
    uint32_t **sram;       /* per core, or NULL */
    uint32_t *sram_words;  /* per core */
    uint32_t **dram;       /* per weight record: the image `dma` copies (DRAM records) */
    uint32_t *rec_core, *rec_addr; /* per weight record: where it lies now, or NONE */
    uint32_t *staging_rec; /* per buffer: the record last copied into it, or NONE */
    uint32_t banks;        /* sequences every state buffer holds (ax_prog_batch) */
    float **gla_decay;     /* per state record and bank: the pending decay, or NULL */
    struct core_run *runs; /* per code record */
    uint32_t *run_of_core; /* per core: its code record, or NONE */
    struct dataflow *df;   /* dataflow synchronisation (ax_exec_dataflow), or NULL */
    /* the flight (ax_exec_begin_flight): its tokens' ids, the first's
     * position, and the tokens in flight, `window` of them at most, from
     * the oldest a core still runs */
    uint32_t *tokens;
    uint32_t n_tokens, cap_tokens, window, cap_window, oldest, batch;
    uint32_t n_waiting_turn; /* cores that halted a token and wait for the window */
    uint64_t pos0;
    struct in_flight *flight;  /* cap_window of them */
    uint32_t *told, *released; /* a barrier's arrival under dataflow (ax_exec_did) */
    uint32_t cap_told, cap_released;
    uint32_t *ready;
    uint32_t n_ready;
    struct ax_exec_stats stats;
    ax_status st;
    struct ax_diag_list *diags;
    /* counting mode: no SRAM and no values; encode takes its counts here */
    const struct ax_exec_activity *activity;
    struct ax_exec_did *did; /* what the instruction being run did, when stepping */
    struct ax_exec_msg *sent;
    uint32_t n_sent, cap_sent;
    uint64_t *taken;
    uint32_t n_taken, cap_taken;
    struct hit *hits;        /* synacc's scratch: the events in its record's columns */
    uint64_t cap_hits;
    int16_t *dense;          /* synacc's scratch: the counts by column (sums_dense) */
    uint64_t cap_dense;
};

/* The state of token `tok` of the flight. */
static struct in_flight *flight_of(const struct ax_exec *ex, uint32_t tok)
{
    return &ex->flight[tok % ex->window];
}

/* ---- words --------------------------------------------------------------------------------- */

/* Words as float32 or int32 through a union (C11 allows the type pun):
 * this file is built with -fno-builtin, so memcpy here would be a call per
 * word. */
union word {
    uint32_t u;
    int32_t i;
    float f;
};

static float ld(const uint32_t *w)
{
    union word v = {.u = *w};
    return v.f;
}

static void stf(uint32_t *w, float f)
{
    union word v = {.f = f};
    *w = v.u;
}

static int32_t ldi(const uint32_t *w)
{
    union word v = {.u = *w};
    return v.i;
}

static void sti(uint32_t *w, int32_t i)
{
    union word v = {.i = i};
    *w = v.u;
}

/* Code k of the int8 codes that start at `w`. */
static int32_t code_at(const uint32_t *w, uint64_t k)
{
    return (int32_t)(int8_t)(uint8_t)(w[k / 4] >> (8 * (k % 4)));
}

static void set_code(uint32_t *w, uint64_t k, int32_t c)
{
    uint32_t shift = (uint32_t)(8 * (k % 4));
    w[k / 4] = (w[k / 4] & ~(0xffu << shift)) | ((uint32_t)(uint8_t)(int8_t)c << shift);
}

static uint32_t magnitude(int32_t s)
{
    return s < 0 ? 0u - (uint32_t)s : (uint32_t)s;
}

static uint32_t popcount(uint32_t v)
{
    uint32_t n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

/* Spike events of a count of magnitude `mag`: one per set bit (bitwise) or
 * `mag` (ternary, binary). */
static uint64_t events_of(uint8_t enc, uint32_t mag)
{
    return enc == AX_ISA_ENC_BITWISE ? popcount(mag) : mag;
}

static float relu(float x)
{
    return x > 0.0f ? x : 0.0f;
}

/* ---- errors -------------------------------------------------------------------------------- */

static void fail(struct ax_exec *ex, const struct core_run *r, ax_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* The name of the node instruction `pc` of `core` implements (the opmap
 * and the node table), or NULL: for diagnostics only, so a linear search. */
static const char *node_name(const struct ax_prog *p, uint32_t core, uint32_t pc)
{
    for (uint32_t i = 0; i < p->n_opmap; i++) {
        const struct ax_prog_opmap *m = &p->opmap[i];
        if (m->core != core || pc < m->first || pc - m->first >= m->count)
            continue;
        uint32_t e = ax_prog_node_entry(p, m->node);
        return e != AX_PROG_NONE ? p->nodes[e].name : NULL;
    }
    return NULL;
}

/* Records a run error at core r's current instruction, naming the node it
 * implements when the program says. */
static void fail(struct ax_exec *ex, const struct core_run *r, ax_status st, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const struct ax_prog_code *c = &ex->p->code[r - ex->runs];
    struct ax_isa_instr in = {0};
    const char *mnem = r->pc < c->n_instr && ax_isa_decode(c->words[r->pc], &in) == 0
                           ? ax_isa_mnemonic(in.op)
                           : "?";
    const char *node = node_name(ex->p, r->core, r->pc);
    char seq[32] = "";
    if (ex->batch > 1)
        snprintf(seq, sizeof seq, " of sequence %u", r->seq);
    if (node)
        ax_diag_add(ex->diags, AX_DIAG_ERROR, ex->file, 0, 0,
                    "core %u, instruction %u (%s), %s at position %llu%s: %s (token %u)", r->core,
                    r->pc, mnem, node, (unsigned long long)r->pos, seq, msg, r->token);
    else
        ax_diag_add(ex->diags, AX_DIAG_ERROR, ex->file, 0, 0,
                    "core %u, instruction %u (%s), token %u at position %llu%s: %s", r->core, r->pc,
                    mnem, r->token, (unsigned long long)r->pos, seq, msg);
    if (ex->st == AX_OK)
        ex->st = st;
}

/* `n` words of r's core from `addr`, or NULL after an error naming operand
 * `what`. */
static uint32_t *span(struct ax_exec *ex, const struct core_run *r, uint64_t addr, uint64_t n,
                      const char *what)
{
    uint32_t words = ex->sram_words[r->core];
    if (addr <= words && n <= words - addr && ex->sram[r->core])
        return ex->sram[r->core] + addr;
    fail(ex, r, AX_ERR_INVALID,
         "operand '%s': words %llu..%llu are outside the core's SRAM that buffers lay out "
         "(%u words)",
         what, (unsigned long long)addr, (unsigned long long)(addr + n - 1), words);
    return NULL;
}

/* A `len`-word vector operand; len must be at least 1. */
static uint32_t *vec(struct ax_exec *ex, const struct core_run *r, uint64_t addr, const char *what)
{
    if (r->len == 0) {
        fail(ex, r, AX_ERR_INVALID, "vector op before setlen");
        return NULL;
    }
    return span(ex, r, addr, r->len, what);
}

/* The constant `flags` names, or NaN after an error. */
static double constant(struct ax_exec *ex, const struct core_run *r, uint8_t flags,
                       const char *what)
{
    if (flags < ex->p->n_consts)
        return (double)ex->p->consts[flags];
    fail(ex, r, AX_ERR_INVALID, "flags %u name %s as constant %u, but there are %u constants",
         flags, what, flags, ex->p->n_consts);
    return NAN;
}

/* ---- growing arrays ------------------------------------------------------------------------- */

/* Makes room for element n (index n < *cap afterwards). */
static int grow(void **v, uint64_t n, uint64_t *cap, size_t size)
{
    if (n < *cap)
        return 0;
    uint64_t c = *cap ? *cap * 2 : 16;
    while (c <= n)
        c *= 2;
    void *nv = ax_mem_realloc(*v, (size_t)(c * size));
    if (!nv)
        return -1;
    *v = nv;
    *cap = c;
    return 0;
}

static int grow32(void **v, uint32_t n, uint32_t *cap, size_t size)
{
    uint64_t c = *cap;
    int rc = grow(v, n, &c, size);
    *cap = (uint32_t)c;
    return rc;
}

static void oom(struct ax_exec *ex, const struct core_run *r)
{
    fail(ex, r, AX_ERR_NOMEM, "out of memory");
}

/* ---- creating ------------------------------------------------------------------------------- */

static void free_tags(struct core_run *r)
{
    for (uint32_t i = 0; i < r->n_tags; i++)
        ax_mem_free(r->tags[i].acc);
    r->n_tags = 0;
}

static void free_encs(struct core_run *r);

static void free_msgs(struct core_run *r)
{
    for (uint32_t i = 0; i < r->n_msgs; i++)
        ax_mem_free(r->msgs[i].data);
    r->n_msgs = 0;
}

static void free_in_flight(struct in_flight *f)
{
    ax_mem_free(f->trains.v);
    ax_mem_free(f->arrived);
    ax_mem_free(f->left);
    ax_mem_free(f->is_there);
}

static void free_dataflow(struct dataflow *df)
{
    if (!df)
        return;
    ax_mem_free(df->slot_base);
    ax_mem_free(df->n_wait);
    ax_mem_free(df->to_first);
    ax_mem_free(df->to);
    ax_mem_free(df);
}

void ax_exec_free(ax_exec_t *ex)
{
    if (!ex)
        return;
    const struct ax_prog *p = ex->p;
    for (uint32_t c = 0; ex->sram && c < p->n_cores; c++)
        ax_mem_free(ex->sram[c]);
    for (uint32_t i = 0; ex->dram && i < p->n_weights; i++)
        ax_mem_free(ex->dram[i]);
    for (uint64_t i = 0; ex->gla_decay && i < (uint64_t)p->n_states * ex->banks; i++)
        ax_mem_free(ex->gla_decay[i]);
    for (uint32_t k = 0; ex->runs && k < p->n_code; k++) {
        struct core_run *r = &ex->runs[k];
        free_msgs(r);
        free_tags(r);
        free_encs(r);
        ax_mem_free(r->msgs);
        ax_mem_free(r->tags);
        ax_mem_free(r->encs);
        ax_mem_free(r->pending.v);
        ax_mem_free(r->current.v);
        ax_mem_free(r->vis);
    }
    ax_mem_free(ex->sram);
    ax_mem_free(ex->sram_words);
    ax_mem_free(ex->dram);
    ax_mem_free(ex->rec_core);
    ax_mem_free(ex->rec_addr);
    ax_mem_free(ex->staging_rec);
    ax_mem_free(ex->gla_decay);
    ax_mem_free(ex->runs);
    ax_mem_free(ex->run_of_core);
    for (uint32_t i = 0; ex->flight && i < ex->cap_window; i++)
        free_in_flight(&ex->flight[i]);
    ax_mem_free(ex->flight);
    ax_mem_free(ex->tokens);
    free_dataflow(ex->df);
    ax_mem_free(ex->told);
    ax_mem_free(ex->released);
    ax_mem_free(ex->ready);
    ax_mem_free(ex->sent);
    ax_mem_free(ex->taken);
    ax_mem_free(ex->hits);
    ax_mem_free(ex->dense);
    ax_mem_free(ex);
}

static ax_status program_fetch(void *user, const struct ax_prog *p, uint32_t id, int8_t *codes,
                               float *scales, float *values, struct ax_diag_list *diags)
{
    (void)user;
    const struct ax_prog_weight *w = &p->weights[id];
    if (!w->data) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "weight record %u ('%s', core %u) carries no data: give the program its "
                    "numbers (.wdata lines, docs/program.md) or the model they come from", id,
                    w->tensor, w->core);
        return AX_ERR_INVALID;
    }
    ax_prog_record_unpack(w, w->data, codes, scales, values);
    return AX_OK;
}

void ax_exec_program_weights(struct ax_exec_weights *out)
{
    out->fetch = program_fetch;
    out->user = NULL;
}

/* Fetches record `id` and packs it as a weights buffer holds it into `w`
 * (ax_prog_record_words words, zeroed): codes, then scales; or a float
 * record's values (ax_prog_record_pack, the one copy of the layout). */
static ax_status pack_record(struct ax_exec *ex, const struct ax_exec_weights *src, uint32_t id,
                             uint32_t *w, struct ax_diag_list *diags)
{
    const struct ax_prog_weight *rec = &ex->p->weights[id];
    uint64_t n = (uint64_t)rec->rows * rec->cols;
    uint64_t ng = (uint64_t)rec->rows * ((rec->cols + GROUP - 1) / GROUP);
    int8_t *codes = rec->is_float ? NULL : ax_mem_calloc((size_t)n + 1, 1);
    float *scales = rec->is_float ? NULL : ax_mem_calloc((size_t)ng + 1, sizeof *scales);
    float *values = rec->is_float ? ax_mem_calloc((size_t)n + 1, sizeof *values) : NULL;
    ax_status st = (rec->is_float ? values != NULL : codes && scales) ? AX_OK : AX_ERR_NOMEM;
    if (st == AX_OK)
        st = src->fetch(src->user, ex->p, id, codes, scales, values, diags);
    if (st == AX_OK)
        ax_prog_record_pack(rec, codes, scales, values, w);
    ax_mem_free(codes);
    ax_mem_free(scales);
    ax_mem_free(values);
    return st;
}

/* Fills buffer `b`: weights, param and const buffers from the source and
 * the constants; the rest stays zero. */
static ax_status fill_buffer(struct ax_exec *ex, const struct ax_exec_weights *src, uint32_t b,
                             struct ax_diag_list *diags)
{
    const struct ax_prog *p = ex->p;
    const struct ax_prog_buffer *buf = &p->buffers[b];
    uint32_t *w = ex->sram[buf->core] + buf->addr;
    if (buf->kind == AX_PROG_BUF_CONST) {
        for (uint32_t i = 0; i < buf->words && buf->ref + (uint64_t)i < p->n_consts; i++)
            stf(&w[i], p->consts[buf->ref + i]);
        return AX_OK;
    }
    if (buf->kind != AX_PROG_BUF_WEIGHTS && buf->kind != AX_PROG_BUF_PARAM)
        return AX_OK;
    const struct ax_prog_weight *rec = buf->ref < p->n_weights ? &p->weights[buf->ref] : NULL;
    int is_param = buf->kind == AX_PROG_BUF_PARAM;
    uint64_t need = rec ? ax_prog_record_words(rec) : 0;
    /* a param buffer holds a float record; a weights buffer either kind */
    if (!rec || (is_param && !rec->is_float) || rec->is_dram || need > buf->words) {
        ax_diag_add(diags, AX_DIAG_ERROR, ex->file, 0, 0,
                    "buffer '%s' (core %u) does not hold weight record %u as the format says",
                    buf->name, buf->core, buf->ref);
        return AX_ERR_INVALID;
    }
    ex->rec_core[buf->ref] = buf->core;
    ex->rec_addr[buf->ref] = buf->addr;
    if (!is_param)
        return pack_record(ex, src, buf->ref, w, diags);
    float *values = ax_mem_calloc((size_t)need, sizeof *values);
    if (!values)
        return AX_ERR_NOMEM;
    ax_status st = src->fetch(src->user, p, buf->ref, NULL, NULL, values, diags);
    for (uint64_t i = 0; st == AX_OK && i < need; i++)
        stf(&w[i], values[i]);
    ax_mem_free(values);
    return st;
}

/* Both modes: the executor's tables; with `src`, SRAM laid out and filled. */
static ax_status create(const struct ax_prog *p, const char *file,
                        const struct ax_exec_weights *src, const struct ax_exec_activity *act,
                        ax_exec_t **out, struct ax_diag_list *diags)
{
    *out = NULL;
    struct ax_exec *ex = ax_mem_calloc(1, sizeof *ex);
    if (!ex)
        return AX_ERR_NOMEM;
    ex->p = p;
    ex->file = file;
    ex->activity = act;
    size_t nc = (size_t)p->n_cores + 1, nw = (size_t)p->n_weights + 1;
    ex->sram = ax_mem_calloc(nc, sizeof *ex->sram);
    ex->sram_words = ax_mem_calloc(nc, sizeof *ex->sram_words);
    ex->run_of_core = ax_mem_alloc(nc * sizeof *ex->run_of_core);
    ex->dram = ax_mem_calloc(nw, sizeof *ex->dram);
    ex->rec_core = ax_mem_alloc(nw * sizeof *ex->rec_core);
    ex->rec_addr = ax_mem_alloc(nw * sizeof *ex->rec_addr);
    ex->staging_rec = ax_mem_alloc(((size_t)p->n_buffers + 1) * sizeof *ex->staging_rec);
    ex->banks = ax_prog_batch(p) ? ax_prog_batch(p) : 1;
    ex->gla_decay = ax_mem_calloc((size_t)p->n_states * ex->banks + 1, sizeof *ex->gla_decay);
    ex->runs = ax_mem_calloc((size_t)p->n_code + 1, sizeof *ex->runs);
    ex->ready = ax_mem_calloc((size_t)p->n_code + 1, sizeof *ex->ready);
    ax_status st = ex->sram && ex->sram_words && ex->run_of_core && ex->dram && ex->rec_core &&
                           ex->rec_addr && ex->staging_rec && ex->gla_decay && ex->runs && ex->ready
                       ? AX_OK
                       : AX_ERR_NOMEM;
    for (size_t c = 0; st == AX_OK && c < nc; c++)
        ex->run_of_core[c] = NONE;
    for (size_t i = 0; st == AX_OK && i < nw; i++)
        ex->rec_core[i] = ex->rec_addr[i] = NONE;
    for (uint32_t b = 0; st == AX_OK && b <= p->n_buffers; b++)
        ex->staging_rec[b] = NONE;
    for (uint32_t k = 0; st == AX_OK && k < p->n_code; k++) {
        ex->runs[k].core = p->code[k].core;
        if (p->code[k].core < p->n_cores)
            ex->run_of_core[p->code[k].core] = k;
    }
    /* each core's SRAM up to the end of its last buffer (not in counting mode) */
    for (uint32_t b = 0; st == AX_OK && src && b < p->n_buffers; b++) {
        const struct ax_prog_buffer *buf = &p->buffers[b];
        uint64_t end = (uint64_t)buf->addr + buf->words;
        if (buf->core >= p->n_cores || end > p->sram_words) {
            ax_diag_add(diags, AX_DIAG_ERROR, file, 0, 0,
                        "buffer '%s' lies outside the program's cores and SRAM", buf->name);
            st = AX_ERR_INVALID;
        } else if (end > ex->sram_words[buf->core]) {
            ex->sram_words[buf->core] = (uint32_t)end;
        }
    }
    for (uint32_t c = 0; st == AX_OK && c < p->n_cores; c++)
        if (ex->sram_words[c] && !(ex->sram[c] = ax_mem_calloc(ex->sram_words[c], 4)))
            st = AX_ERR_NOMEM;
    for (uint32_t b = 0; st == AX_OK && src && b < p->n_buffers; b++)
        st = fill_buffer(ex, src, b, diags);
    for (uint32_t i = 0; st == AX_OK && src && i < p->n_weights; i++) {
        const struct ax_prog_weight *rec = &p->weights[i];
        if (!rec->is_dram)
            continue;
        ex->dram[i] = ax_mem_calloc((size_t)ax_prog_record_words(rec) + 1, 4);
        st = ex->dram[i] ? pack_record(ex, src, i, ex->dram[i], diags) : AX_ERR_NOMEM;
    }
    if (st != AX_OK) {
        if (st == AX_ERR_NOMEM)
            ax_diag_add(diags, AX_DIAG_ERROR, file, 0, 0, "out of memory preparing to execute");
        ax_exec_free(ex);
        return st;
    }
    *out = ex;
    return AX_OK;
}

ax_status ax_exec_create(const struct ax_prog *p, const char *file,
                         const struct ax_exec_weights *src, ax_exec_t **out,
                         struct ax_diag_list *diags)
{
    return create(p, file, src, NULL, out, diags);
}

ax_status ax_exec_create_counting(const struct ax_prog *p, const char *file,
                                  const struct ax_exec_activity *act, ax_exec_t **out,
                                  struct ax_diag_list *diags)
{
    return create(p, file, NULL, act, out, diags);
}

/* The barrier at which the spikes that instruction `pc` of code `c` sends
 * on route `rt` become visible to each destination, into vis[0 .. n_dst):
 * the first after the send, on the sending core, that lists it (NONE: none
 * does, and they never do). So the barrier a send's events belong to is
 * written in the program: events that reach a core while it still waits at
 * an earlier barrier wait for theirs. One scan of the code after the send;
 * the first barrier mostly lists them all. */
static void send_barriers(const struct ax_prog *p, const struct ax_prog_code *c, uint32_t pc,
                          const struct ax_prog_route *rt, uint32_t *vis)
{
    for (uint32_t d = 0; d < rt->n_dst; d++)
        vis[d] = NONE;
    uint32_t left = rt->n_dst;
    struct ax_isa_instr in;
    for (pc++; pc < c->n_instr && left > 0; pc++) {
        if (ax_isa_decode(c->words[pc], &in) != 0 || in.op != AX_ISA_BARRIER ||
            in.a >= p->n_barriers)
            continue;
        for (uint32_t d = 0; d < rt->n_dst; d++)
            if (vis[d] == NONE && ax_prog_barrier_lists(&p->barriers[in.a], rt->dst[d].core)) {
                vis[d] = (uint32_t)in.a;
                left--;
            }
    }
}

/* ---- dataflow synchronisation --------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Appends to edges[0 .. *n) the pairs (sender slot << 32 | receiver slot)
 * of code record k's sends: for each emit or relay and each destination
 * other than the core itself, at the barrier its events belong to
 * (send_barriers, as a run finds it). `vis` is scratch. 0, or -1 when out
 * of memory. */
static int sender_edges(const struct ax_exec *ex, const struct dataflow *df, uint32_t k,
                        uint64_t **edges, uint64_t *n, uint64_t *cap, uint32_t **vis,
                        uint32_t *cap_vis)
{
    const struct ax_prog *p = ex->p;
    const struct ax_prog_code *c = &p->code[k];
    struct ax_isa_instr in;
    for (uint32_t pc = 0; pc < c->n_instr; pc++) {
        if (ax_isa_decode(c->words[pc], &in) != 0 ||
            (in.op != AX_ISA_EMIT && in.op != AX_ISA_RELAY) || in.b >= p->n_routes)
            continue;
        const struct ax_prog_route *rt = &p->routes[in.b];
        if (grow32((void **)vis, rt->n_dst, cap_vis, sizeof **vis))
            return -1;
        send_barriers(p, c, pc, rt, *vis);
        for (uint32_t d = 0; d < rt->n_dst; d++) {
            uint32_t id = (*vis)[d];
            if (id == NONE || rt->dst[d].core == c->core)
                continue;
            const struct ax_prog_barrier *b = &p->barriers[id];
            uint32_t from = ax_prog_barrier_index(b, c->core),
                     to = ax_prog_barrier_index(b, rt->dst[d].core);
            if (from == NONE) /* a barrier of c's code lists c (the verifier's rule) */
                continue;
            if (grow((void **)edges, *n, cap, sizeof **edges))
                return -1;
            (*edges)[(*n)++] =
                (uint64_t)(df->slot_base[id] + from) << 32 | (df->slot_base[id] + to);
        }
    }
    return 0;
}

/* The tables of dataflow synchronisation: slots, each sender's receivers
 * (once per pair and barrier), each receiver's count of senders. */
static ax_status build_dataflow(struct ax_exec *ex, struct dataflow *df)
{
    const struct ax_prog *p = ex->p;
    uint64_t slots = 0;
    df->slot_base = ax_mem_alloc(((size_t)p->n_barriers + 1) * sizeof *df->slot_base);
    if (!df->slot_base)
        return AX_ERR_NOMEM;
    for (uint32_t id = 0; id < p->n_barriers; id++) {
        df->slot_base[id] = (uint32_t)slots;
        slots += p->barriers[id].n_cores;
        if (slots >= UINT32_MAX)
            return AX_ERR_LIMIT;
    }
    df->slot_base[p->n_barriers] = (uint32_t)slots;
    uint64_t *edges = NULL, n = 0, cap = 0;
    uint32_t *vis = NULL, cap_vis = 0;
    ax_status st = AX_OK;
    for (uint32_t k = 0; k < p->n_code && st == AX_OK; k++)
        if (sender_edges(ex, df, k, &edges, &n, &cap, &vis, &cap_vis) != 0)
            st = AX_ERR_NOMEM;
    ax_mem_free(vis);
    if (st == AX_OK && n)
        qsort(edges, (size_t)n, sizeof *edges, cmp_u64);
    uint64_t u = 0; /* the distinct pairs */
    for (uint64_t i = 0; i < n; i++)
        if (i == 0 || edges[i] != edges[i - 1])
            edges[u++] = edges[i];
    df->n_wait = ax_mem_calloc((size_t)slots + 1, sizeof *df->n_wait);
    df->to_first = ax_mem_calloc((size_t)slots + 2, sizeof *df->to_first);
    df->to = ax_mem_alloc(((size_t)u + 1) * sizeof *df->to);
    if (st == AX_OK && !(df->n_wait && df->to_first && df->to))
        st = AX_ERR_NOMEM;
    for (uint64_t i = 0; st == AX_OK && i < u; i++) {
        uint32_t from = (uint32_t)(edges[i] >> 32), to = (uint32_t)edges[i];
        df->n_wait[to]++;
        df->to_first[from + 1]++;
        df->to[i] = to; /* sorted by sender, so the receivers of each lie together */
    }
    for (uint64_t s = 0; st == AX_OK && s < slots; s++)
        df->to_first[s + 1] += df->to_first[s];
    ax_mem_free(edges);
    return st;
}

ax_status ax_exec_dataflow(ax_exec_t *ex, struct ax_diag_list *diags)
{
    if (ex->df)
        return AX_OK;
    ex->df = ax_mem_calloc(1, sizeof *ex->df);
    ax_status st = ex->df ? build_dataflow(ex, ex->df) : AX_ERR_NOMEM;
    if (st != AX_OK) {
        ax_diag_add(diags, AX_DIAG_ERROR, ex->file, 0, 0, "%s preparing dataflow synchronisation",
                    st == AX_ERR_NOMEM ? "out of memory" : "too many barrier places");
        free_dataflow(ex->df);
        ex->df = NULL;
    }
    return st;
}

uint32_t ax_exec_places(const ax_exec_t *ex)
{
    return ex->df ? ex->df->slot_base[ex->p->n_barriers] : 0;
}

uint32_t ax_exec_place(const ax_exec_t *ex, uint32_t id, uint32_t core)
{
    if (!ex->df || id >= ex->p->n_barriers)
        return NONE;
    uint32_t i = ax_prog_barrier_index(&ex->p->barriers[id], core);
    return i == NONE ? NONE : ex->df->slot_base[id] + i;
}

uint32_t ax_exec_senders(const ax_exec_t *ex, uint32_t id, uint32_t core)
{
    uint32_t place = ax_exec_place(ex, id, core);
    return place == NONE ? 0 : ex->df->n_wait[place];
}

/* ---- messages and events -------------------------------------------------------------------- */

static void wake(struct ax_exec *ex, uint32_t k)
{
    if (k == NONE || ex->runs[k].is_queued || ex->runs[k].is_done)
        return;
    ex->runs[k].is_queued = 1;
    ex->ready[ex->n_ready++] = k;
}

/* Sends `n` floats from `data` (NULL in counting mode: no values) along
 * values route `route` from r's core. */
static void send_values(struct ax_exec *ex, struct core_run *r, uint64_t route, const float *data,
                        uint32_t n)
{
    const struct ax_prog *p = ex->p;
    if (route >= p->n_routes || p->routes[route].kind != AX_PROG_ROUTE_VALUES ||
        p->routes[route].src != r->core) {
        fail(ex, r, AX_ERR_INVALID, "route %llu is not a values route from this core",
             (unsigned long long)route);
        return;
    }
    const struct ax_prog_route *rt = &p->routes[route];
    for (uint32_t d = 0; d < rt->n_dst; d++) {
        uint32_t k = rt->dst[d].core < p->n_cores ? ex->run_of_core[rt->dst[d].core] : NONE;
        if (k == NONE) {
            fail(ex, r, AX_ERR_INVALID, "route %llu: destination core %u runs no code to receive",
                 (unsigned long long)route, rt->dst[d].core);
            return;
        }
        struct core_run *to = &ex->runs[k];
        float *copy = data ? ax_mem_alloc((size_t)(n ? n : 1) * sizeof *copy) : NULL;
        if ((data && !copy) ||
            grow32((void **)&to->msgs, to->n_msgs, &to->cap_msgs, sizeof *to->msgs) ||
            (ex->did && grow32((void **)&ex->sent, ex->n_sent, &ex->cap_sent, sizeof *ex->sent))) {
            ax_mem_free(copy);
            oom(ex, r);
            return;
        }
        if (data)
            memcpy(copy, data, (size_t)n * sizeof *copy);
        uint64_t id = flight_of(ex, r->tok)->n_msg_ids++;
        to->msgs[to->n_msgs++] = (struct message){r->core, rt->dst[d].addr, n, r->tok, id, copy};
        if (ex->did)
            ex->sent[ex->n_sent++] = (struct ax_exec_msg){id, rt->dst[d].core, n};
        ex->stats.n_messages++;
        wake(ex, k);
    }
}

/* send_barriers of r's current send into r->vis. 0, or -1 when out of
 * memory (the run failed). */
static int note_visibility(struct ax_exec *ex, struct core_run *r, const struct ax_prog_route *rt)
{
    if (grow32((void **)&r->vis, rt->n_dst, &r->cap_vis, sizeof *r->vis)) {
        oom(ex, r);
        return -1;
    }
    send_barriers(ex->p, &ex->p->code[ex->run_of_core[r->core]], r->pc, rt, r->vis);
    r->vis_rt = rt;
    r->vis_pc = r->pc;
    return 0;
}

/* Whether batch `t` becomes visible at barrier `id` of token `tok`. */
static int is_visible_at(const struct batch *t, uint64_t id, uint32_t tok)
{
    return t->at == id && t->tok == tok;
}

/* Code record k passes barrier `id` of its token: its pending events that
 * belong to it become its current ones (when some do), and it goes on. 0,
 * or -1 when out of memory (the run failed). */
static int pass_barrier(struct ax_exec *ex, uint32_t k, uint64_t id)
{
    struct core_run *r = &ex->runs[k];
    uint64_t n = 0, keep = 0;
    for (uint64_t j = 0; j < r->pending.n; j++)
        n += is_visible_at(&r->pending.v[j], id, r->tok);
    if (n == r->pending.n && n > 0) { /* all of them, as a barrier mostly finds */
        struct batches t = r->current;
        r->current = r->pending;
        r->pending = t;
        r->pending.n = 0;
    } else if (n > 0) {
        if (grow((void **)&r->current.v, n, &r->current.cap, sizeof *r->current.v)) {
            oom(ex, r);
            return -1;
        }
        r->current.n = 0;
        for (uint64_t j = 0; j < r->pending.n; j++) {
            struct batch t = r->pending.v[j];
            if (is_visible_at(&t, id, r->tok))
                r->current.v[r->current.n++] = t;
            else
                r->pending.v[keep++] = t;
        }
        r->pending.n = keep;
    }
    wake(ex, k);
    return 0;
}

/* Barrier `id` is complete: every listed core passes it. 0, or -1 when out
 * of memory (the run failed). */
static int complete_barrier(struct ax_exec *ex, uint64_t id)
{
    const struct ax_prog_barrier *b = &ex->p->barriers[id];
    for (uint32_t i = 0; i < b->n_cores; i++) {
        uint32_t k = b->cores[i] < ex->p->n_cores ? ex->run_of_core[b->cores[i]] : NONE;
        if (k != NONE && pass_barrier(ex, k, id) != 0)
            return -1;
    }
    return 0;
}

/* Core r arrives at barrier `id` under dataflow: it tells each core it sent
 * events that belong to the barrier (ax_exec_did.told), a receiver already
 * waiting there whose last sender this was passes it (.released), and so
 * does r once its own senders are all there. 0, or -1 when out of memory. */
static int arrive_dataflow(struct ax_exec *ex, struct core_run *r, uint32_t id)
{
    const struct ax_prog_barrier *b = &ex->p->barriers[id];
    const struct dataflow *df = ex->df;
    struct in_flight *f = flight_of(ex, r->tok);
    uint32_t base = df->slot_base[id], me = base + ax_prog_barrier_index(b, r->core);
    uint32_t n_to = df->to_first[me + 1] - df->to_first[me];
    f->is_there[me] = 1;
    if (ex->did &&
        (grow32((void **)&ex->told, n_to, &ex->cap_told, sizeof *ex->told) ||
         grow32((void **)&ex->released, n_to, &ex->cap_released, sizeof *ex->released))) {
        oom(ex, r);
        return -1;
    }
    uint32_t n_released = 0;
    for (uint32_t e = df->to_first[me]; e < df->to_first[me + 1]; e++) {
        uint32_t s = df->to[e], core = b->cores[s - base], k = ex->run_of_core[core];
        if (ex->did)
            ex->told[e - df->to_first[me]] = core;
        if (--f->left[s] > 0 || k == NONE || !ex->runs[k].is_at_barrier ||
            ex->runs[k].at_barrier != id || ex->runs[k].tok != r->tok)
            continue; /* it goes on when it arrives */
        if (pass_barrier(ex, k, id) != 0)
            return -1;
        if (ex->did)
            ex->released[n_released++] = k;
    }
    if (ex->did) {
        ex->did->told = ex->told;
        ex->did->n_told = n_to;
        ex->did->released = ex->released;
        ex->did->n_released = n_released;
    }
    if (f->left[me] > 0)
        return 0;
    if (ex->did)
        ex->did->is_barrier_done = 1;
    return pass_barrier(ex, (uint32_t)(r - ex->runs), id);
}

/* Whether r, arrived at barrier `id`, may pass it: every core the barrier
 * lists has arrived, or under dataflow every core r waits for there. */
static int barrier_passed(const struct ax_exec *ex, const struct core_run *r, uint32_t id)
{
    const struct in_flight *f = flight_of(ex, r->tok);
    if (!ex->df)
        return f->arrived[id] == ex->p->barriers[id].n_cores;
    const struct dataflow *df = ex->df;
    return f->left[df->slot_base[id] + ax_prog_barrier_index(&ex->p->barriers[id], r->core)] == 0;
}

/* ---- the spiking path ----------------------------------------------------------------------- */

/* s + |f64(x_0)| + |f64(x_1)| + ... + |f64(x_{n-1})|, in that order: thresh's
 * sum from s = -0.0, and a row shard's part of it (sumacc) from the sum of
 * the shards before it, so that a chain of shards forms the same sum. */
static double add_abs(double s, const uint32_t *x, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        s += fabs((double)ld(&x[i]));
    return s;
}

/* The same with f64(x_i)^2: rmsnorm's sum, and sumacc's with squares. */
static double add_squares(double s, const uint32_t *x, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        s += (double)ld(&x[i]) * (double)ld(&x[i]);
    return s;
}

/* V_th from the sum `a` of |x| over `n` values: f32((a / n) / k), clamped
 * to [1e-5, 1e4] in float32 (thresh, and threshof from a total). */
static float thresh_of(double a, double n, double k)
{
    float V = (float)((a / n) / k);
    if (V < 1e-5f)
        V = 1e-5f;
    if (V > 1e4f)
        V = 1e4f;
    return V;
}

static void op_thresh(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t *x = vec(ex, r, in->a, "src"), *v = span(ex, r, in->b, 1, "vth");
    double k = constant(ex, r, in->flags, "k");
    if (!x || !v || ex->st != AX_OK)
        return;
    stf(v, thresh_of(add_abs(-0.0, x, r->len), (double)r->len, k));
}

/* ---- running totals (ax_isa.h, AX_ISA_TOTAL_WORDS) ------------------------------------------ */

/* Words as a float64 through a union, as union word does for float32. */
union dword {
    uint64_t u;
    double d;
};

/* The float64 sum of the total at `t`: words 0 and 1, least significant first. */
static double total_sum(const uint32_t *t)
{
    union dword w;
    w.u = (uint64_t)t[0] | (uint64_t)t[1] << 32;
    return w.d;
}

static void set_total(uint32_t *t, double s, uint32_t n)
{
    union dword w;
    w.d = s;
    t[0] = (uint32_t)w.u;
    t[1] = (uint32_t)(w.u >> 32);
    t[2] = n;
}

/* The total at `addr` for reading, or NULL after an error (naming operand
 * `what`); a total of no values is one too, since nothing divides by it. */
static uint32_t *total_read(struct ax_exec *ex, const struct core_run *r, uint64_t addr,
                            const char *what)
{
    uint32_t *t = span(ex, r, addr, AX_ISA_TOTAL_WORDS, what);
    if (t && t[2] == 0) {
        fail(ex, r, AX_ERR_INVALID,
             "operand '%s': the total at word %llu sums no values (count 0): there is no mean "
             "to take",
             what, (unsigned long long)addr);
        return NULL;
    }
    return t;
}

/* sumacc tot, src: the total continued over src[0..len) in ascending order
 * (or started, flags bit 1), |x| or x^2 (flags bit 0). */
static void op_sumacc(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t *t = span(ex, r, in->a, AX_ISA_TOTAL_WORDS, "tot"), *x = vec(ex, r, in->b, "src");
    if (!t || !x)
        return;
    if (in->flags & ~(AX_ISA_SUMACC_SQUARES | AX_ISA_SUMACC_START)) {
        fail(ex, r, AX_ERR_INVALID, "flags 0x%02x: only bits 0 and 1 exist", in->flags);
        return;
    }
    int is_start = (in->flags & AX_ISA_SUMACC_START) != 0;
    double s = is_start ? -0.0 : total_sum(t);
    uint64_t n = (is_start ? 0 : (uint64_t)t[2]) + r->len;
    if (n > UINT32_MAX) {
        fail(ex, r, AX_ERR_LIMIT,
             "the total would count %llu values, more than its word holds (%u)",
             (unsigned long long)n, UINT32_MAX);
        return;
    }
    s = in->flags & AX_ISA_SUMACC_SQUARES ? add_squares(s, x, r->len) : add_abs(s, x, r->len);
    set_total(t, s, (uint32_t)n);
}

/* threshof vth, tot: thresh's V_th from the total of |x| that a chain of
 * shards formed. */
static void op_threshof(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t *v = span(ex, r, in->a, 1, "vth"), *t = total_read(ex, r, in->b, "tot");
    double k = constant(ex, r, in->flags, "k");
    if (!v || !t || ex->st != AX_OK)
        return;
    stf(v, thresh_of(total_sum(t), (double)t[2], k));
}

/* The largest |count| an encode with these flags writes: T events (ternary,
 * binary) or 2^T - 1 (bitwise) for a fixed T, else the guard. */
static uint32_t count_bound(uint8_t flags)
{
    uint8_t enc = flags & 3u, steps = flags >> 2;
    return steps == 0                    ? COUNT_GUARD
           : enc != AX_ISA_ENC_BITWISE   ? steps
           : steps >= 30                 ? COUNT_GUARD
                                         : (1u << steps) - 1u;
}

static void op_encode(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t *x = vec(ex, r, in->a, "src"), *v = span(ex, r, in->b, 1, "vth");
    uint32_t *cnt = vec(ex, r, in->c, "cnt");
    uint8_t enc = in->flags & 3u;
    if (!x || !v || !cnt)
        return;
    if (enc >= AX_ISA_ENC_COUNT) {
        fail(ex, r, AX_ERR_INVALID, "flags 0x%02x: encoding 3 does not exist", in->flags);
        return;
    }
    double bound = count_bound(in->flags);
    double V = (double)ld(v);
    for (uint64_t i = 0; i < r->len; i++) {
        double xi = (double)ld(&x[i]), s = nearbyint(xi / V);
        if (!isfinite(xi) || !isfinite(V)) { /* no count means anything: say so, never cast */
            fail(ex, r, AX_ERR_INVALID,
                 "input %llu of the encoded value is %g with V_th %g: a value that is not "
                 "finite has no spike count",
                 (unsigned long long)i, xi, V);
            return;
        }
        s = s > bound ? bound : s < -bound ? -bound : s;
        sti(&cnt[i], (int32_t)s);
    }
    if (grow32((void **)&r->encs, r->n_encs, &r->cap_encs, sizeof *r->encs)) {
        oom(ex, r);
        return;
    }
    r->encs[r->n_encs++] = (struct encoding){(uint32_t)in->c, (uint32_t)r->len, (float)V, enc, NULL, NULL};
}

/* encode in counting mode: the counts come from the activity source, keyed
 * by the node of the counts buffer, and are kept with the encoding (there
 * is no SRAM); V_th is 1, which only the values would read. */
static void op_encode_counting(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    const struct ax_prog_buffer *b = ax_prog_buffer_at(ex->p, r->core, (uint32_t)in->c);
    uint8_t enc = in->flags & 3u;
    if (r->len == 0 || !b || in->c + r->len > (uint64_t)b->addr + b->words) {
        fail(ex, r, AX_ERR_INVALID, "operand 'cnt': words %llu..%llu are not inside one buffer",
             (unsigned long long)in->c, (unsigned long long)(in->c + r->len - 1));
        return;
    }
    int32_t *counts = ax_mem_alloc((size_t)r->len * sizeof *counts);
    if (!counts || grow32((void **)&r->encs, r->n_encs, &r->cap_encs, sizeof *r->encs)) {
        ax_mem_free(counts);
        oom(ex, r);
        return;
    }
    ex->activity->counts(ex->activity->user, (uint32_t)(b - ex->p->buffers),
                         (uint32_t)(in->c - b->addr), r->pos, r->seq, (uint32_t)r->len, counts);
    int32_t bound = (int32_t)count_bound(in->flags);
    for (uint64_t i = 0; i < r->len; i++)
        counts[i] = counts[i] > bound ? bound : counts[i] < -bound ? -bound : counts[i];
    r->encs[r->n_encs++] = (struct encoding){(uint32_t)in->c, (uint32_t)r->len, 1.0f, enc, counts, NULL};
}

static void free_encs(struct core_run *r)
{
    for (uint32_t i = 0; i < r->n_encs; i++) {
        ax_mem_free(r->encs[i].counts);
        ax_mem_free(r->encs[i].is_sent);
    }
    r->n_encs = 0;
}

/* The latest encode of this token that wrote word `addr`, or NULL. */
static struct encoding *encoding_of(const struct core_run *r, uint32_t addr)
{
    for (uint32_t i = r->n_encs; i-- > 0;)
        if (addr >= r->encs[i].addr && addr - r->encs[i].addr < r->encs[i].n)
            return &r->encs[i];
    return NULL;
}

/* Spikes route `id` when it starts at r's core, else NULL (the run failed). */
static const struct ax_prog_route *spikes_route(struct ax_exec *ex, struct core_run *r, uint64_t id)
{
    const struct ax_prog *p = ex->p;
    if (id < p->n_routes && p->routes[id].kind == AX_PROG_ROUTE_SPIKES &&
        p->routes[id].src == r->core)
        return &p->routes[id];
    fail(ex, r, AX_ERR_INVALID, "route %llu is not a spikes route from this core",
         (unsigned long long)id);
    return NULL;
}

/* Delivers trains [first, ...) of the token's store, up to its end, which r's
 * instruction put there, to every destination of route `rt`: one batch
 * each, visible at the barrier its send belongs to. 0, or -1 when out of
 * memory (the run failed). */
static int send_batch(struct ax_exec *ex, struct core_run *r, const struct ax_prog_route *rt,
                      uint64_t first, uint64_t events)
{
    const struct ax_prog *p = ex->p;
    uint64_t n = flight_of(ex, r->tok)->trains.n - first;
    ex->stats.n_events += events * rt->n_dst;
    if (n == 0)
        return 0;
    if ((r->vis_rt != rt || r->vis_pc != r->pc) && note_visibility(ex, r, rt) != 0)
        return -1; /* each destination's barrier, once a send */
    for (uint32_t d = 0; d < rt->n_dst; d++) {
        uint32_t k = rt->dst[d].core < p->n_cores ? ex->run_of_core[rt->dst[d].core] : NONE;
        if (k == NONE)
            continue; /* a core without code has no synacc to take them */
        struct batches *q = &ex->runs[k].pending;
        if (grow((void **)&q->v, q->n, &q->cap, sizeof *q->v)) {
            oom(ex, r);
            return -1;
        }
        q->v[q->n++] = (struct batch){(uint32_t)first, (uint32_t)n, r->vis[d], r->tok};
    }
    return 0;
}

/* Puts train `t` in the token's store. 0, or -1 when out of memory. */
static int store_train(struct ax_exec *ex, struct core_run *r, struct train t)
{
    struct trains *ts = &flight_of(ex, r->tok)->trains;
    if (ts->n >= UINT32_MAX) {
        fail(ex, r, AX_ERR_LIMIT, "more than %u event trains in one token", UINT32_MAX);
        return -1;
    }
    if (grow((void **)&ts->v, ts->n, &ts->cap, sizeof *ts->v)) {
        oom(ex, r);
        return -1;
    }
    ts->v[ts->n++] = t;
    return 0;
}

static void op_emit(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    const struct ax_prog *p = ex->p;
    uint32_t *cnt = ex->activity ? NULL : vec(ex, r, in->a, "cnt");
    if (!cnt && !ex->activity)
        return;
    const struct ax_prog_route *rt = spikes_route(ex, r, in->b);
    if (!rt)
        return;
    const struct ax_prog_buffer *buf = ax_prog_buffer_at(p, r->core, (uint32_t)in->a);
    uint32_t base = buf ? buf->addr : (uint32_t)in->a;
    /* a counts buffer holding rows [ref, ref + words) of a vector names them */
    int has_col0 = buf && buf->kind == AX_PROG_BUF_COUNTS && buf->ref != AX_PROG_NONE;
    uint32_t col0 = has_col0 ? buf->ref : 0;
    uint64_t events = 0, generated = 0, first = flight_of(ex, r->tok)->trains.n;
    for (uint64_t i = 0; i < r->len && ex->st == AX_OK; i++) {
        uint32_t addr = (uint32_t)(in->a + i);
        struct encoding *e = cnt ? NULL : encoding_of(r, addr);
        int32_t s = cnt ? ldi(&cnt[i]) : e ? e->counts[addr - e->addr] : 0;
        if (s == 0)
            continue;
        if (cnt)
            e = encoding_of(r, addr);
        if (!e) {
            fail(ex, r, AX_ERR_INVALID,
                 "counts at word %u were not written by an encode of this token: there is no "
                 "encoding and V_th to send with their events",
                 addr);
            return;
        }
        struct train t = {col0 + (addr - base), s, e->vth, e->enc,
                          buf ? (uint32_t)(buf - p->buffers) : NONE};
        events += events_of(e->enc, magnitude(s));
        if (!e->is_sent && !(e->is_sent = ax_mem_calloc(e->n, 1))) {
            oom(ex, r);
            return;
        }
        if (!e->is_sent[addr - e->addr]) { /* the soma generates a spike once per token */
            e->is_sent[addr - e->addr] = 1;
            generated += events_of(e->enc, magnitude(s));
        }
        if (store_train(ex, r, t) != 0)
            return;
    }
    if (ex->st != AX_OK || send_batch(ex, r, rt, first, events) != 0)
        return;
    if (ex->did) {
        ex->did->events = events;
        ex->did->generated = generated;
        ex->did->visible = events ? r->vis : NULL;
    }
}

/* relay col, route: the visible events of columns [col, col + len) sent on
 * as they came, one per event and destination; the soma generates nothing. */
static void op_relay(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    const struct ax_prog_route *rt = spikes_route(ex, r, in->b);
    if (!rt)
        return;
    const struct trains *ts = &flight_of(ex, r->tok)->trains;
    uint64_t events = 0, first = ts->n;
    for (uint64_t b = 0; b < r->current.n; b++) {
        const struct batch *bt = &r->current.v[b];
        for (uint64_t i = bt->first; i < bt->first + bt->n; i++) {
            struct train t = ts->v[i]; /* a copy: storing may move the store */
            if (t.col < in->a || t.col - in->a >= r->len)
                continue;
            events += events_of(t.enc, magnitude(t.s));
            if (store_train(ex, r, t) != 0)
                return;
        }
    }
    if (send_batch(ex, r, rt, first, events) != 0)
        return;
    if (ex->did) {
        ex->did->events = events;
        ex->did->generated = 0;
        ex->did->visible = events ? r->vis : NULL;
    }
}

/* Where weight record `id` lies on r's core: the first word of its codes, or
 * NULL after an error. */
static uint32_t *record_words(struct ax_exec *ex, const struct core_run *r, uint64_t id,
                              int is_float_ok)
{
    const struct ax_prog *p = ex->p;
    if (id >= p->n_weights || (p->weights[id].is_float && !is_float_ok)) {
        fail(ex, r, AX_ERR_INVALID, "weight record %llu is not a quantized record",
             (unsigned long long)id);
        return NULL;
    }
    if (ex->rec_core[id] != r->core) {
        fail(ex, r, AX_ERR_INVALID,
             "weight record %llu is not in this core's SRAM%s", (unsigned long long)id,
             p->weights[id].is_dram ? ": a DRAM record is read after a dma copies it" : "");
        return NULL;
    }
    const struct ax_prog_weight *w = &p->weights[id];
    return span(ex, r, ex->rec_addr[id], ax_prog_record_words(w), "block");
}

static struct acc_tag *find_tag(struct core_run *r, uint64_t addr)
{
    for (uint32_t i = 0; i < r->n_tags; i++)
        if (r->tags[i].addr == addr)
            return &r->tags[i];
    return NULL;
}

/* Forgets the accumulators synacc filled that overlap [addr, addr + n). */
static void drop_tags(struct core_run *r, uint64_t addr, uint64_t n)
{
    for (uint32_t i = 0; i < r->n_tags;) {
        struct acc_tag *t = &r->tags[i];
        if (t->addr < addr + n && addr < (uint64_t)t->addr + t->rows) {
            ax_mem_free(t->acc);
            r->tags[i] = r->tags[--r->n_tags];
        } else {
            i++;
        }
    }
}

/* The events of r's current trains in the columns of weight record `rec`,
 * and in *source the counts buffer of the first of them (NONE when none):
 * the spike site a synacc reads. */
static uint64_t events_in_columns(const struct ax_exec *ex, const struct core_run *r,
                                  const struct ax_prog_weight *rec, uint32_t *source)
{
    const struct trains *ts = &flight_of(ex, r->tok)->trains;
    uint64_t n = 0;
    *source = NONE;
    for (uint64_t b = 0; b < r->current.n; b++) {
        const struct batch *bt = &r->current.v[b];
        for (const struct train *tr = &ts->v[bt->first]; tr < &ts->v[bt->first + bt->n]; tr++)
            if (tr->col >= rec->col0 && tr->col - rec->col0 < rec->cols) {
                n += events_of(tr->enc, magnitude(tr->s));
                *source = *source == NONE ? tr->buf : *source;
            }
    }
    return n;
}

/* synacc's sums, event by event: acc[j][g] += s x code(j, c) for each event
 * train (c, g, s), row after row (each row's codes lie together, so the
 * walk stays in cache; the sums are integers, so their order does not
 * change them). */
static void sums_sparse(const struct hit *h, uint64_t n_hits, const uint32_t *w, uint32_t rows,
                        uint32_t cols, int64_t *acc)
{
    uint32_t ng = (cols + GROUP - 1) / GROUP;
    for (uint32_t j = 0; j < rows; j++) {
        int64_t *row_acc = &acc[(size_t)j * ng];
        uint64_t k0 = (uint64_t)j * cols;
        int64_t sum = 0; /* of group g, kept in a register while the events stay in it */
        uint32_t g = h[0].g;
        for (uint64_t e = 0; e < n_hits; e++) {
            if (h[e].g != g) {
                row_acc[g] += sum;
                sum = 0;
                g = h[e].g;
            }
            sum += h[e].s * code_at(w, k0 + h[e].c);
        }
        row_acc[g] += sum;
    }
}

/* The dot product of n int8 codes with n int16 counts. Exact in int32 for
 * n <= GROUP: |code x count| <= 128 x 32768 = 2^22, and GROUP = 2^7 of them
 * stay below 2^31. Written for the vectorizer; on x86-64 a copy for AVX2 is
 * chosen at load time where the processor has it (integers: the same sum
 * either way). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
__attribute__((target_clones("avx2", "default")))
#endif
static int32_t group_dot(const int8_t *codes, const int16_t *counts, uint32_t n)
{
    int32_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += (int32_t)codes[i] * (int32_t)counts[i];
    return sum;
}

/* synacc's sums, column by column, over a dense copy of the counts (zero
 * where no event came): faster than sums_sparse when most columns have an
 * event, as they do in the spiking layers. Needs the codes as bytes in the
 * host's order (a little-endian host) and every |count| within int16;
 * returns 0 without touching `acc` when it cannot. */
static int sums_dense(struct ax_exec *ex, const uint32_t *w, uint32_t rows, uint32_t cols,
                      uint64_t n_hits, int64_t *acc)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n_hits * 4 < cols)
        return 0; /* sparse: the event walk reads less */
    if (grow((void **)&ex->dense, cols, &ex->cap_dense, sizeof *ex->dense))
        return 0; /* the event walk needs no memory */
    int16_t *d = ex->dense;
    for (uint32_t c = 0; c < cols; c++)
        d[c] = 0;
    for (uint64_t e = 0; e < n_hits; e++) {
        int64_t v = d[ex->hits[e].c] + ex->hits[e].s; /* two trains may share a column */
        if (v < INT16_MIN || v > INT16_MAX)
            return 0;
        d[ex->hits[e].c] = (int16_t)v;
    }
    uint32_t ng = (cols + GROUP - 1) / GROUP;
    const int8_t *codes = (const int8_t *)w; /* code k is byte k on a little-endian host */
    for (uint32_t j = 0; j < rows; j++)
        for (uint32_t g = 0; g < ng; g++) {
            uint32_t c0 = g * GROUP, n = cols - c0 < GROUP ? cols - c0 : GROUP;
            acc[(size_t)j * ng + g] += group_dot(codes + (uint64_t)j * cols + c0, d + c0, n);
        }
    return 1;
#else
    (void)ex, (void)w, (void)rows, (void)cols, (void)n_hits, (void)acc;
    return 0;
#endif
}

/* synacc in counting mode: the events it would use, and no accumulators. */
static void op_synacc_counting(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    if (in->a >= ex->p->n_weights || ex->p->weights[in->a].is_float) {
        fail(ex, r, AX_ERR_INVALID, "weight record %llu is not a quantized record",
             (unsigned long long)in->a);
        return;
    }
    uint32_t source;
    uint64_t events = events_in_columns(ex, r, &ex->p->weights[in->a], &source);
    ex->stats.n_synops += events * ex->p->weights[in->a].rows;
    if (ex->did) {
        ex->did->events = events;
        ex->did->source = source;
    }
}

static void op_synacc(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    const struct ax_prog *p = ex->p;
    uint32_t *w = record_words(ex, r, in->a, 0);
    uint32_t *acc = vec(ex, r, in->b, "acc");
    if (!w || !acc)
        return;
    const struct ax_prog_weight *rec = &p->weights[in->a];
    uint32_t rows = rec->rows, cols = rec->cols, ng = (cols + GROUP - 1) / GROUP;
    if (r->len != rows) {
        fail(ex, r, AX_ERR_INVALID, "len %llu, but weight record %llu has %u rows",
             (unsigned long long)r->len, (unsigned long long)in->a, rows);
        return;
    }
    struct acc_tag *t = find_tag(r, in->b);
    if (t && (t->record != in->a || t->rows != rows)) {
        fail(ex, r, AX_ERR_INVALID,
             "the accumulators at word %llu hold the sums of weight record %u; clear them "
             "(acczero) before accumulating record %llu",
             (unsigned long long)in->b, t->record, (unsigned long long)in->a);
        return;
    }
    if (!t) {
        for (uint32_t j = 0; j < rows; j++)
            if (acc[j] != 0) {
                fail(ex, r, AX_ERR_INVALID,
                     "accumulator %u at word %llu is not zero: clear the accumulators (acczero) "
                     "before the first synacc",
                     j, (unsigned long long)in->b);
                return;
            }
        if (grow32((void **)&r->tags, r->n_tags, &r->cap_tags, sizeof *r->tags)) {
            oom(ex, r);
            return;
        }
        t = &r->tags[r->n_tags];
        *t = (struct acc_tag){(uint32_t)in->b, rows, ng, (uint32_t)in->a, 0, 0.0f, NULL};
        t->acc = ax_mem_calloc((size_t)rows * ng, sizeof *t->acc);
        if (!t->acc) {
            oom(ex, r);
            return;
        }
        r->n_tags++;
    }
    /* The event trains in the record's columns, then their sums. */
    uint64_t n_hits = 0, events = 0;
    uint32_t source = NONE;
    for (uint64_t b = 0; b < r->current.n; b++) {
        const struct batch *bt = &r->current.v[b];
        for (uint64_t e = bt->first; e < bt->first + bt->n; e++) {
            const struct train *tr = &flight_of(ex, r->tok)->trains.v[e];
            if (tr->col < rec->col0 || tr->col - rec->col0 >= cols)
                continue;
            source = source == NONE ? tr->buf : source;
            if (!t->has_vth) {
                t->has_vth = 1;
                t->vth = tr->vth;
            } else if (memcmp(&t->vth, &tr->vth, sizeof t->vth) != 0) {
                fail(ex, r, AX_ERR_INVALID,
                     "events of two thresholds (V_th %.9g and %.9g) reach the same accumulators",
                     (double)t->vth, (double)tr->vth);
                return;
            }
            if (grow((void **)&ex->hits, n_hits, &ex->cap_hits, sizeof *ex->hits)) {
                oom(ex, r);
                return;
            }
            uint32_t c = tr->col - rec->col0;
            ex->hits[n_hits++] = (struct hit){c, c / GROUP, tr->s};
            events += events_of(tr->enc, magnitude(tr->s));
        }
    }
    ex->stats.n_synops += events * rows;
    if (n_hits > 0 && !sums_dense(ex, w, rows, cols, n_hits, t->acc))
        sums_sparse(ex->hits, n_hits, w, rows, cols, t->acc);
    if (ex->did) {
        ex->did->events = events;
        ex->did->source = source;
    }
    if (!t->has_vth && r->current.n > 0) { /* no event in its columns: the encoder's V_th still */
        t->has_vth = 1;
        t->vth = flight_of(ex, r->tok)->trains.v[r->current.v[0].first].vth;
    }
    for (uint32_t j = 0; j < rows; j++) {
        int64_t sum = 0;
        for (uint32_t g = 0; g < ng; g++) {
            int64_t a = t->acc[(size_t)j * ng + g];
            if (a < INT32_MIN || a > INT32_MAX) {
                fail(ex, r, AX_ERR_LIMIT,
                     "accumulator of row %u, group %u is %lld, beyond int32: use a smaller k "
                     "or a fixed step count",
                     j, g, (long long)a);
                return;
            }
            sum += a;
        }
        acc[j] = (uint32_t)(uint64_t)sum; /* the row's total, modulo 2^32 */
    }
}

static void op_scale(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t *acc = vec(ex, r, in->a, "acc"), *dst = vec(ex, r, in->c, "dst");
    if (!acc || !dst)
        return;
    struct acc_tag *t = find_tag(r, in->a);
    if (!t || t->rows != r->len) {
        fail(ex, r, AX_ERR_INVALID,
             "no synacc of %llu rows filled the accumulators at word %llu since they were "
             "cleared: scale takes V_th and the group sums from it",
             (unsigned long long)r->len, (unsigned long long)in->a);
        return;
    }
    uint32_t ng = t->groups;
    if (ex->did)
        ex->did->groups = ng;
    uint32_t *sc = span(ex, r, in->b, (uint64_t)t->rows * ng, "scales");
    if (!sc)
        return;
    for (uint32_t j = 0; j < t->rows; j++) {
        int64_t sum = 0;
        for (uint32_t g = 0; g < ng; g++)
            sum += t->acc[(size_t)j * ng + g];
        if (acc[j] != (uint32_t)(uint64_t)sum) {
            fail(ex, r, AX_ERR_INVALID,
                 "accumulator %u at word %llu changed after synacc filled it", j,
                 (unsigned long long)in->a);
            return;
        }
    }
    /* y_j = f32(f64(V) * sum_g f64(scale[j,g]) * f64(acc_g[j])) */
    double V = (double)t->vth;
    for (uint32_t j = 0; j < t->rows; j++) {
        double tot = -0.0;
        for (uint32_t g = 0; g < ng; g++)
            tot += (double)ld(&sc[(size_t)j * ng + g]) * (double)t->acc[(size_t)j * ng + g];
        float y = (float)(V * tot);
        if (!isfinite(y)) { /* float32 overflowed: every later value would be meaningless */
            fail(ex, r, AX_ERR_INVALID, "its output element %u is %s",
                 ex->p->weights[t->record].row0 + j, isnan(y) ? "not a number" : "infinite");
            return;
        }
        stf(&dst[j], y);
    }
    if (in->c < (uint64_t)t->addr + t->rows && t->addr < in->c + r->len)
        drop_tags(r, in->c, r->len); /* the accumulators are partial sums now */
}

/* ---- messages ------------------------------------------------------------------------------- */

/* psumrecv: returns 1 when it may go on (done or failed), 0 to wait. */
static int op_psumrecv(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t *dst = ex->activity ? NULL : vec(ex, r, in->a, "dst");
    if (!dst && !ex->activity)
        return 1;
    uint64_t want = in->b, have = 0;
    if ((in->flags & ~AX_ISA_PSUMRECV_COPY) || ((in->flags & AX_ISA_PSUMRECV_COPY) && want != 1)) {
        fail(ex, r, AX_ERR_INVALID,
             "flags 0x%02x with count %llu: bit 0 (copy) alone, with one message, is the only "
             "flag",
             in->flags, (unsigned long long)want);
        return 1;
    }
    for (uint32_t i = 0; i < r->n_msgs && have < want; i++)
        have += r->msgs[i].addr == in->a && r->msgs[i].tok == r->tok;
    if (have < want)
        return 0;
    /* the first `want` messages to dst, in arrival order; added by sending core, ascending */
    struct message *take = ax_mem_alloc((size_t)(want ? want : 1) * sizeof *take);
    if (!take || (ex->did && grow32((void **)&ex->taken, (uint32_t)want, &ex->cap_taken,
                                    sizeof *ex->taken))) {
        ax_mem_free(take);
        oom(ex, r);
        return 1;
    }
    uint32_t n_take = 0, kept = 0;
    for (uint32_t i = 0; i < r->n_msgs; i++) {
        if (r->msgs[i].addr == in->a && r->msgs[i].tok == r->tok && n_take < want)
            take[n_take++] = r->msgs[i];
        else
            r->msgs[kept++] = r->msgs[i];
    }
    r->n_msgs = kept;
    for (uint32_t i = 1; i < n_take; i++) /* insertion sort: stable */
        for (uint32_t j = i; j > 0 && take[j - 1].src > take[j].src; j--) {
            struct message m = take[j];
            take[j] = take[j - 1];
            take[j - 1] = m;
        }
    for (uint32_t i = 0; i < n_take; i++) {
        if (take[i].n != r->len && ex->st == AX_OK)
            fail(ex, r, AX_ERR_INVALID,
                 "a message of %u words from core %u, but the receive adds len = %llu words",
                 take[i].n, take[i].src, (unsigned long long)r->len);
        if (in->flags & AX_ISA_PSUMRECV_COPY) { /* the words, bit for bit */
            if (dst && ex->st == AX_OK)
                memcpy(dst, take[i].data, (size_t)r->len * sizeof *dst);
        } else {
            for (uint64_t e = 0; dst && e < r->len && ex->st == AX_OK; e++)
                stf(&dst[e], ld(&dst[e]) + take[i].data[e]);
        }
        ax_mem_free(take[i].data);
        if (ex->did)
            ex->taken[ex->n_taken++] = take[i].id;
    }
    ax_mem_free(take);
    return 1;
}

static void op_psumsend(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    if (ex->activity) {
        send_values(ex, r, in->b, NULL, (uint32_t)r->len);
        return;
    }
    uint32_t *src = vec(ex, r, in->a, "src");
    if (!src)
        return;
    float *data = ax_mem_alloc((size_t)r->len * sizeof *data);
    if (!data) {
        oom(ex, r);
        return;
    }
    /* the words as they are, not as float32 values: a total's float64
     * halves, NaN patterns included, reach a psumrecv that copies them */
    memcpy(data, src, (size_t)r->len * sizeof *data);
    send_values(ex, r, in->b, data, (uint32_t)r->len);
    ax_mem_free(data);
}

static void op_lookup(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t *w = ex->activity ? NULL : record_words(ex, r, in->a, 1);
    if (!w && !ex->activity)
        return;
    if (in->a >= ex->p->n_weights) {
        fail(ex, r, AX_ERR_INVALID, "weight record %llu does not exist", (unsigned long long)in->a);
        return;
    }
    const struct ax_prog_weight *rec = &ex->p->weights[in->a];
    if (r->token < rec->row0 || r->token - rec->row0 >= rec->rows)
        return; /* another block holds the token's row */
    if (ex->did)
        ex->did->is_hit = 1;
    if (!w) {
        send_values(ex, r, in->b, NULL, rec->cols);
        return;
    }
    uint32_t j = r->token - rec->row0, ng = (rec->cols + GROUP - 1) / GROUP;
    const uint32_t *sc = w + ((uint64_t)rec->rows * rec->cols + 3) / 4 + (uint64_t)j * ng;
    float *row = ax_mem_alloc((size_t)rec->cols * sizeof *row);
    if (!row) {
        oom(ex, r);
        return;
    }
    for (uint32_t c = 0; c < rec->cols; c++)
        row[c] = rec->is_float ? ld(&w[(uint64_t)j * rec->cols + c])
                               : (float)((double)code_at(w, (uint64_t)j * rec->cols + c) *
                                         (double)ld(&sc[c / GROUP]));
    send_values(ex, r, in->b, row, rec->cols);
    ax_mem_free(row);
}

static void op_dma(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    const struct ax_prog *p = ex->p;
    if (in->b >= p->n_weights || !ex->dram[in->b]) {
        fail(ex, r, AX_ERR_INVALID, "weight record %llu is not a DRAM record",
             (unsigned long long)in->b);
        return;
    }
    const struct ax_prog_weight *rec = &p->weights[in->b];
    uint64_t n = ax_prog_record_words(rec);
    uint32_t *dst = span(ex, r, in->a, n, "dst");
    if (!dst)
        return;
    memcpy(dst, ex->dram[in->b], (size_t)n * 4);
    ex->rec_core[in->b] = r->core;
    ex->rec_addr[in->b] = (uint32_t)in->a;
    const struct ax_prog_buffer *buf = ax_prog_buffer_at(p, r->core, (uint32_t)in->a);
    if (buf)
        ex->staging_rec[buf - p->buffers] = (uint32_t)in->b;
}

/* ---- dense ops ------------------------------------------------------------------------------ */

/* The weight record whose block lies at word `addr` of r's core: a weights
 * buffer's, or the one a dma last copied into a staging buffer; NONE when
 * `addr` does not start one. */
static uint32_t block_at(const struct ax_exec *ex, const struct core_run *r, uint64_t addr,
                         int is_start)
{
    const struct ax_prog *p = ex->p;
    const struct ax_prog_buffer *buf = ax_prog_buffer_at(p, r->core, (uint32_t)addr);
    uint32_t id = !buf                                ? NONE
                  : buf->kind == AX_PROG_BUF_WEIGHTS ? buf->ref
                  : buf->kind == AX_PROG_BUF_STAGING ? ex->staging_rec[buf - p->buffers]
                                                      : NONE;
    return id < p->n_weights && (!is_start || buf->addr == addr) ? id : NONE;
}

/* vdot's block, reported to a timed run; NONE after an error. */
static uint32_t vdot_block(struct ax_exec *ex, const struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t id = block_at(ex, r, in->b, 1);
    if (id == NONE)
        fail(ex, r, AX_ERR_INVALID,
             "operand 'w' (word %llu) is not the first word of a weights buffer or of a "
             "staging buffer a dma filled",
             (unsigned long long)in->b);
    else if (ex->did)
        ex->did->record = id;
    return id;
}

static void op_vdot(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    const struct ax_prog *p = ex->p;
    uint32_t id = vdot_block(ex, r, in);
    if (id == NONE)
        return;
    const struct ax_prog_weight *rec = &p->weights[id];
    uint32_t rows = rec->rows, cols = rec->cols, ng = (cols + GROUP - 1) / GROUP;
    uint32_t *w = span(ex, r, in->b, ax_prog_record_words(rec), "w");
    uint32_t *x = span(ex, r, in->c, cols, "x"), *dst = vec(ex, r, in->a, "dst");
    if (!w || !x || !dst)
        return;
    if (r->len != rows) {
        fail(ex, r, AX_ERR_INVALID, "len %llu, but weight record %u has %u rows",
             (unsigned long long)r->len, id, rows);
        return;
    }
    const uint32_t *sc = w + ((uint64_t)rows * cols + 3) / 4;
    /* W' = f32(code * scale); p_g = sum over the group of f64(W') f64(x), ascending;
     * y = f32(p_0 + p_1 + ...) */
    for (uint32_t j = 0; j < rows; j++) {
        double tot = -0.0;
        for (uint32_t g = 0; g < ng; g++) {
            double s = rec->is_float ? 0.0 : (double)ld(&sc[(size_t)j * ng + g]), pg = -0.0;
            for (uint32_t i = g * GROUP; i < cols && i < (g + 1) * GROUP; i++) {
                float wq = rec->is_float ? ld(&w[(uint64_t)j * cols + i])
                                         : (float)((double)code_at(w, (uint64_t)j * cols + i) * s);
                pg += (double)wq * (double)ld(&x[i]);
            }
            tot += pg;
        }
        stf(&dst[j], (float)tot);
    }
}

/* rmsnorm's scaling from the sum of squares `ss` of `n` values:
 * r = 1 / sqrt(ss / n + eps), dst_i = f32(f64(x_i) * r), then times w_i as
 * one float32 product (w NULL: rmsscale, whose `vmul` by w after it is that
 * product). Each element is read before it is written: dst may be x or w. */
static void rms_scale(uint32_t *dst, const uint32_t *x, const uint32_t *w, uint64_t len, double ss,
                      double n, double eps)
{
    double rr = 1.0 / sqrt(ss / n + eps);
    for (uint64_t i = 0; i < len; i++) {
        float y = (float)((double)ld(&x[i]) * rr);
        stf(&dst[i], w ? y * ld(&w[i]) : y);
    }
}

static void op_rmsnorm(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t *dst = vec(ex, r, in->a, "dst"), *x = vec(ex, r, in->b, "src");
    uint32_t *w = vec(ex, r, in->c, "w");
    double eps = constant(ex, r, in->flags, "eps");
    if (!dst || !x || !w || ex->st != AX_OK)
        return;
    rms_scale(dst, x, w, r->len, add_squares(-0.0, x, r->len), (double)r->len, eps);
}

/* rmsscale dst, src, tot: rmsnorm without its weights, the sum of squares
 * and its count from the total a chain of shards formed. */
static void op_rmsscale(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t *dst = vec(ex, r, in->a, "dst"), *x = vec(ex, r, in->b, "src");
    uint32_t *t = total_read(ex, r, in->c, "tot");
    double eps = constant(ex, r, in->flags, "eps");
    if (!dst || !x || !t || ex->st != AX_OK)
        return;
    rms_scale(dst, x, NULL, r->len, total_sum(t), (double)t[2], eps);
}

static void op_rope(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    const struct ax_prog_buffer *tb = ax_prog_buffer_at(ex->p, r->core, (uint32_t)in->c);
    uint32_t *dst = vec(ex, r, in->a, "dst"), *x = vec(ex, r, in->b, "src");
    if (!dst || !x)
        return;
    if (!tb || tb->addr != in->c) {
        fail(ex, r, AX_ERR_INVALID, "operand 'table' is not the first word of a buffer");
        return;
    }
    uint32_t half = tb->words, d = 2 * half;
    uint32_t *table = span(ex, r, in->c, half, "table");
    if (!table)
        return;
    if (r->len % d != 0) {
        fail(ex, r, AX_ERR_INVALID,
             "len %llu is not a whole number of heads of %u (twice the table's %u words)",
             (unsigned long long)r->len, d, half);
        return;
    }
    /* flags 0: the table's float32 inverse frequencies; flags n > 0: theta
     * is constant n and the inverse frequencies are formed in f64 as
     * docs/semantics.md forms them (the table then gives d only) */
    double theta = in->flags ? constant(ex, r, in->flags, "theta") : 0.0;
    if (ex->st != AX_OK)
        return;
    for (uint32_t i = 0; i < half; i++) {
        double inv = in->flags ? pow(theta, (double)(-2 * (int64_t)i) / (double)d)
                               : (double)ld(&table[i]);
        double a = (double)r->pos * inv;
        double c = cos(a), s = sin(a);
        for (uint64_t h = 0; h < r->len / d; h++) {
            double x1 = ld(&x[h * d + i]), x2 = ld(&x[h * d + i + half]);
            stf(&dst[h * d + i], (float)(x1 * c - x2 * s));
            stf(&dst[h * d + i + half], (float)(x2 * c + x1 * s));
        }
    }
}

/* The element ops: dst[i] = f(a[i], b[i]). */
static void op_elementwise(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t *dst = vec(ex, r, in->a, "dst"), *a = vec(ex, r, in->b, in->op == AX_ISA_VSILU ||
                                                                             in->op == AX_ISA_VEXP ||
                                                                             in->op == AX_ISA_VRSQRT ||
                                                                             in->op == AX_ISA_VCOPY
                                                                         ? "src"
                                                                         : "a");
    int has_b = ax_isa_n_operands(in->op) == 3;
    uint32_t *b = has_b ? vec(ex, r, in->c, "b") : NULL;
    if (!dst || !a || (has_b && !b))
        return;
    for (uint64_t i = 0; i < r->len; i++) {
        float x = ld(&a[i]), y = has_b ? ld(&b[i]) : 0.0f, z;
        switch (in->op) {
        case AX_ISA_VADD:
            z = x + y;
            break;
        case AX_ISA_VMUL:
            /* flags bit 0: SiLU(a) x b in f64, rounded once (SwiGLU) */
            z = in->flags & AX_ISA_VMUL_SILU
                    ? (float)((double)x / (1.0 + exp(-(double)x)) * (double)y)
                    : x * y;
            break;
        case AX_ISA_VMAC: {
            float m = x * y; /* rounded on its own: no fused multiply-add */
            z = ld(&dst[i]) + m;
            break;
        }
        case AX_ISA_VDIV:
            z = x / y;
            break;
        case AX_ISA_VRSQRT:
            z = (float)(1.0 / sqrt((double)x));
            break;
        case AX_ISA_VEXP:
            z = (float)exp((double)x);
            break;
        case AX_ISA_VSILU:
            z = (float)((double)x / (1.0 + exp(-(double)x)));
            break;
        default: /* AX_ISA_VCOPY: the bits, NaN payloads included */
            dst[i] = a[i];
            continue;
        }
        stf(&dst[i], z);
    }
}

/* vsum, vsumsq, vmax: one word from a vector. */
static void op_reduce(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t *dst = span(ex, r, in->a, 1, "dst"), *x = vec(ex, r, in->b, "src");
    if (!dst || !x)
        return;
    if (in->op == AX_ISA_VMAX) {
        float m = ld(&x[0]);
        for (uint64_t i = 1; i < r->len; i++)
            if (ld(&x[i]) > m)
                m = ld(&x[i]);
        stf(dst, m);
        return;
    }
    double s = -0.0;
    for (uint64_t i = 0; i < r->len; i++) {
        double v = (double)ld(&x[i]);
        s += in->op == AX_ISA_VSUMSQ ? v * v : v;
    }
    stf(dst, (float)s);
}

/* argmax vec, base: the largest of vec[0..len) (from vec[0] on, as vmax:
 * a NaN that is not first is passed over) and base + its first index, as
 * float32 words at vec[len] and vec[len + 1]. */
static void op_argmax(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t *x = vec(ex, r, in->a, "vec") ? span(ex, r, in->a, r->len + 2, "vec") : NULL;
    if (!x) /* no len yet, or the vector and its pair outside the SRAM */
        return;
    uint64_t k = 0;
    for (uint64_t i = 1; i < r->len; i++)
        if (ld(&x[i]) > ld(&x[k]))
            k = i;
    x[r->len] = x[k];
    stf(&x[r->len + 1], (float)(in->b + k));
}

/* argmerge pairs, n: of the n (value, index) pairs, the one of the largest
 * value, on a tie the smaller index (pairs in order, from the first; a NaN
 * value that is not first is passed over), into the first pair. */
static void op_argmerge(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t *p = in->b ? span(ex, r, in->a, 2 * in->b, "pairs") : NULL;
    if (!p) {
        if (ex->st == AX_OK)
            fail(ex, r, AX_ERR_INVALID, "argmerge of no pair");
        return;
    }
    uint64_t k = 0;
    for (uint64_t i = 1; i < in->b; i++) {
        float v = ld(&p[2 * i]), best = ld(&p[2 * k]);
        if (v > best || (v == best && ld(&p[2 * i + 1]) < ld(&p[2 * k + 1])))
            k = i;
    }
    p[0] = p[2 * k];
    p[1] = p[2 * k + 1];
}

/* n values as int8 codes with scale f32(amax / 127), codes clamp(rne(x /
 * scale), -128, 127) (0 when the scale is 0), written from byte `byte0` of
 * the words at `codes` (docs/semantics.md, the K/V codes). */
static float quantize(const uint32_t *x, uint64_t n, uint32_t *codes, uint64_t byte0)
{
    float amax = 0.0f;
    for (uint64_t i = 0; i < n; i++)
        if (fabsf(ld(&x[i])) > amax)
            amax = fabsf(ld(&x[i]));
    float scale = amax / 127.0f;
    for (uint64_t i = 0; i < n; i++) {
        double q = scale == 0.0f ? 0.0 : nearbyint((double)ld(&x[i]) / (double)scale);
        q = q != q ? 0.0 : q > 127 ? 127 : q < -128 ? -128 : q;
        set_code(codes, byte0 + i, (int32_t)q);
    }
    return scale;
}

/* vquant: the codes only (the last word's unused bytes 0); no operand
 * names a word for the scale, so it is not kept. */
static void op_vquant(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t *x = vec(ex, r, in->b, "src");
    uint32_t *dst = r->len ? span(ex, r, in->a, (r->len + 3) / 4, "dst") : NULL;
    if (!x || !dst)
        return;
    memset(dst + r->len / 4, 0, r->len % 4 ? 4 : 0);
    (void)quantize(x, r->len, dst, 0);
}

/* ---- state ---------------------------------------------------------------------------------- */

/* The state record whose buffer starts at `addr` on r's core, of `kind`, or
 * NONE after an error. Its words for r's token are those of the bank of
 * the token's sequence (state_words). */
static uint32_t state_at(struct ax_exec *ex, const struct core_run *r, uint64_t addr,
                         enum ax_prog_state_kind kind)
{
    const struct ax_prog *p = ex->p;
    const struct ax_prog_buffer *b = ax_prog_buffer_at(p, r->core, (uint32_t)addr);
    if (!b || b->addr != addr || b->kind != AX_PROG_BUF_STATE || b->ref >= p->n_states ||
        p->states[b->ref].kind != kind) {
        fail(ex, r, AX_ERR_INVALID, "word %llu is not the first word of a %s state buffer",
             (unsigned long long)addr, kind == AX_PROG_STATE_GLA ? "gla" : "kv");
        return NONE;
    }
    return b->ref;
}

/* The `n` words of state record `rec` (its buffer at `addr`) that r's
 * token reads and writes: bank r->seq, or NULL after an error. */
static uint32_t *state_words(struct ax_exec *ex, const struct core_run *r, uint64_t addr,
                             uint32_t rec, uint64_t n)
{
    return span(ex, r, addr + r->seq * ax_prog_bank_words(&ex->p->states[rec]), n, "state");
}

/* The pending decay of GLA state `rec` for r's token's sequence. */
static float **decay_of(struct ax_exec *ex, const struct core_run *r, uint32_t rec)
{
    return &ex->gla_decay[(size_t)rec * ex->banks + r->seq];
}

/* The GLA state a block holds: record `rec`, head dimension d, and of
 * each of its nh heads the value columns e0 .. e0 + w - 1 (every column, w
 * = d, but in a glacol record cut within one head). Its words: per head
 * hh and key channel c, the w columns at ((hh d + c) w + ee). */
struct gla_block {
    uint32_t rec, d, nh, w, e0;
};

/* The GLA block of the state buffer at `addr` (a gla or glacol record),
 * checking len = nh x d: 0, or -1 after an error. */
static int gla_shape(struct ax_exec *ex, const struct core_run *r, uint64_t addr,
                     struct gla_block *g)
{
    const struct ax_prog *p = ex->p;
    const struct ax_prog_buffer *b = ax_prog_buffer_at(p, r->core, (uint32_t)addr);
    int is_cols = b && b->ref < p->n_states && p->states[b->ref].kind == AX_PROG_STATE_GLACOL;
    uint32_t s = state_at(ex, r, addr, is_cols ? AX_PROG_STATE_GLACOL : AX_PROG_STATE_GLA);
    if (s == NONE)
        return -1;
    const struct ax_prog_state *st = &p->states[s];
    *g = (struct gla_block){s, 0, st->rows, 0, 0};
    if (is_cols) { /* rows are (head, column) pairs of 4d bytes */
        g->d = st->row_bytes / 4;
        uint32_t h0 = g->d ? st->row0 / g->d : 0;
        if (g->d && st->row0 % g->d == 0 && st->rows % g->d == 0) {
            g->nh = st->rows / g->d;
            g->w = g->d;
        } else if (g->d && (st->row0 + st->rows - 1) / g->d == h0) {
            g->nh = 1;
            g->w = st->rows;
            g->e0 = st->row0 % g->d;
        } else {
            fail(ex, r, AX_ERR_INVALID,
                 "glacol state %u: rows %u..%u of %u bytes are neither "
                 "whole heads nor columns of one head",
                 s, st->row0, st->row0 + st->rows - 1, st->row_bytes);
            return -1;
        }
    } else {
        while ((uint64_t)(g->d + 1) * (g->d + 1) * 4 <= st->row_bytes)
            g->d++;
        g->w = g->d;
    }
    if (g->d == 0 || (!is_cols && (uint64_t)g->d * g->d * 4 != st->row_bytes) ||
        (is_cols && st->row_bytes % 4 != 0) || r->len != (uint64_t)g->nh * g->d) {
        fail(ex, r, AX_ERR_INVALID,
             "gla state %u: rows of %u bytes are not %s float32, or len %llu is not its %u "
             "heads x d",
             s, st->row_bytes, is_cols ? "a d-word column" : "d x d", (unsigned long long)r->len,
             g->nh);
        return -1;
    }
    if (ex->did) {
        ex->did->head_dim = g->d;
        ex->did->gla_cols = g->w;
    }
    return 0;
}

/* The words of a GLA block (gla_shape), or NULL after an error. */
static uint32_t *gla_state(struct ax_exec *ex, const struct core_run *r, uint64_t addr,
                           struct gla_block *g)
{
    if (gla_shape(ex, r, addr, g) != 0)
        return NULL;
    return state_words(ex, r, addr, g->rec, (uint64_t)g->nh * g->d * g->w);
}

/* Applies a pending decay on its own: S = f32(f64(decay) * f64(S)). */
static void apply_decay(float **pending, uint32_t *S, const struct gla_block *g)
{
    float *decay = *pending;
    if (!decay)
        return;
    for (uint64_t hc = 0; hc < (uint64_t)g->nh * g->d; hc++)
        for (uint32_t e = 0; e < g->w; e++)
            stf(&S[hc * g->w + e], (float)((double)decay[hc] * (double)ld(&S[hc * g->w + e])));
    ax_mem_free(decay);
    *pending = NULL;
}

static void op_gladecay(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    struct gla_block gb;
    uint32_t *S = gla_state(ex, r, in->a, &gb), *g = vec(ex, r, in->b, "g");
    double norm = constant(ex, r, in->flags, "the gate normalizer");
    if (!S || !g || ex->st != AX_OK)
        return;
    apply_decay(decay_of(ex, r, gb.rec), S, &gb);
    float *decay = ax_mem_alloc((size_t)r->len * sizeof *decay);
    if (!decay) {
        oom(ex, r);
        return;
    }
    for (uint64_t i = 0; i < r->len; i++) {
        double z = (double)ld(&g[i]);
        double ls = z >= 0 ? -log1p(exp(-z)) : z - log1p(exp(z));
        decay[i] = (float)exp(ls / norm);
    }
    *decay_of(ex, r, gb.rec) = decay;
}

static void op_glaupd(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    struct gla_block gb;
    uint32_t *S = gla_state(ex, r, in->a, &gb);
    uint32_t *k = vec(ex, r, in->b, "k"), *v = vec(ex, r, in->c, "v");
    if (!S || !k || !v)
        return;
    float **pending = decay_of(ex, r, gb.rec);
    const float *decay = *pending;
    uint32_t d = gb.d, w = gb.w;
    /* S[c][e] = f32(f64(decay_c) f64(S[c][e]) + f64(relu(k_c)) f64(v_e)), per head */
    for (uint32_t h = 0; h < gb.nh; h++)
        for (uint32_t c = 0; c < d; c++) {
            uint64_t hc = (uint64_t)h * d + c;
            double dc = decay ? (double)decay[hc] : 1.0, kc = (double)relu(ld(&k[hc]));
            for (uint32_t e = 0; e < w; e++) {
                uint32_t *s = &S[hc * w + e];
                stf(s,
                    (float)(dc * (double)ld(s) + kc * (double)ld(&v[(uint64_t)h * d + gb.e0 + e])));
            }
        }
    ax_mem_free(*pending);
    *pending = NULL;
}

static void op_glaread(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    struct gla_block gb;
    uint32_t *S = gla_state(ex, r, in->c, &gb);
    uint32_t *dst = vec(ex, r, in->a, "dst"), *q = vec(ex, r, in->b, "q");
    if (!S || !dst || !q)
        return;
    uint32_t d = gb.d, w = gb.w;
    apply_decay(decay_of(ex, r, gb.rec), S, &gb);
    /* o_e = f32((sum_c f64(relu(q_c)) f64(S[c][e])) * (1 / sqrt(d))), per head; a glacol
     * block's w columns at dst[h w ..] */
    for (uint32_t h = 0; h < gb.nh; h++)
        for (uint32_t e = 0; e < w; e++) {
            double acc = -0.0;
            for (uint32_t c = 0; c < d; c++)
                acc += (double)relu(ld(&q[(uint64_t)h * d + c])) *
                       (double)ld(&S[((uint64_t)h * d + c) * w + e]);
            stf(&dst[(uint64_t)h * w + e], (float)(acc * (1.0 / sqrt((double)d))));
        }
}

/* A K/V ring's record and head dimension d (row_bytes = 2d + 8: d int8 K
 * codes, d int8 V codes, the K scale, the V scale): 0, or -1 after an
 * error. */
static int kv_shape(struct ax_exec *ex, const struct core_run *r, uint64_t addr, uint32_t *rec,
                    uint32_t *d)
{
    uint32_t s = state_at(ex, r, addr, AX_PROG_STATE_KV);
    if (s == NONE)
        return -1;
    const struct ax_prog_state *st = &ex->p->states[s];
    if (st->row_bytes < 12 || st->row_bytes % 4 != 0) {
        fail(ex, r, AX_ERR_INVALID,
             "kv state %u: rows of %u bytes are not 2d + 8 (int8 K and V, two scales) with d "
             "even",
             s, st->row_bytes);
        return -1;
    }
    *rec = s;
    *d = (st->row_bytes - 8) / 2;
    if (ex->did)
        ex->did->head_dim = *d;
    return 0;
}

/* The words of K/V ring record `rec` at `addr`, or NULL after an error. */
static uint32_t *kv_ring(struct ax_exec *ex, const struct core_run *r, uint64_t addr, uint32_t rec)
{
    const struct ax_prog_state *st = &ex->p->states[rec];
    return state_words(ex, r, addr, rec, (uint64_t)st->rows * st->row_bytes / 4);
}

/* Where a K/V ring block lies in its layer's ring: rows `h x window +
 * slot`, head-major, the window constant number `c` of the consts table.
 * A block holds whole heads (nh of them from head h0, every slot) or a
 * range of slots [s0, s0 + ns) of one head. */
struct kv_block {
    uint64_t window, h0, nh, s0, ns;
};

/* The block of ring record `rec` for the window named by constant `c`: 0,
 * or -1 after an error. */
static int kv_block(struct ax_exec *ex, const struct core_run *r, uint32_t rec, uint8_t c,
                    struct kv_block *kb)
{
    const struct ax_prog_state *st = &ex->p->states[rec];
    double w = constant(ex, r, c, "the window");
    if (isnan(w))
        return -1;
    if (!(w >= 1.0 && w <= 4294967295.0 && w == floor(w))) {
        fail(ex, r, AX_ERR_INVALID, "the window, constant %u, is %g: not a whole number of keys",
             c, w);
        return -1;
    }
    kb->window = (uint64_t)w;
    kb->h0 = st->row0 / kb->window;
    kb->s0 = st->row0 % kb->window;
    if (kb->s0 == 0 && st->rows % kb->window == 0) {
        kb->nh = st->rows / kb->window;
        kb->ns = kb->window;
    } else if (kb->s0 + st->rows <= kb->window) {
        kb->nh = 1;
        kb->ns = st->rows;
    } else {
        fail(ex, r, AX_ERR_INVALID, "kv state %u: rows %u..%u straddle kv heads of a %llu-key "
             "window; a block holds whole heads or slots of one head", rec, st->row0,
             st->row0 + st->rows - 1, (unsigned long long)kb->window);
        return -1;
    }
    return 0;
}

/* The keys of this token's window a block holds, in ascending position:
 * positions max(0, pos - window + 1) .. pos whose slot (position mod
 * window) lies in [s0, s0 + ns). Writes at most ns of them to keys[] (NULL:
 * count only); returns how many. */
static uint64_t kv_keys(const struct kv_block *kb, uint64_t pos, uint64_t *keys)
{
    uint64_t j0 = pos + 1 >= kb->window ? pos + 1 - kb->window : 0, n = 0;
    for (uint64_t j = j0; j <= pos; j++) {
        uint64_t slot = j % kb->window;
        if (slot < kb->s0 || slot >= kb->s0 + kb->ns)
            continue;
        if (keys)
            keys[n] = j;
        n++;
    }
    return n;
}

/* kvpush's and kvattn's shape: the ring, its d, its block, and that len
 * is a whole number of heads (`per` d-vectors for each of the block's kv
 * heads when `per` is nonzero). 0, or -1 after an error. */
static int kv_op_shape(struct ax_exec *ex, const struct core_run *r, uint64_t ring, uint8_t c,
                       uint32_t *rec, uint32_t *d, struct kv_block *kb, uint64_t *heads)
{
    if (kv_shape(ex, r, ring, rec, d) != 0 || kv_block(ex, r, *rec, c, kb) != 0)
        return -1;
    *heads = r->len / *d;
    if (r->len == 0 || r->len % *d != 0 || *heads % kb->nh != 0) {
        fail(ex, r, AX_ERR_INVALID, "len %llu is not a whole number of heads of %u over the "
             "block's %llu kv heads", (unsigned long long)r->len, *d,
             (unsigned long long)kb->nh);
        return -1;
    }
    if (ex->did)
        ex->did->kv_heads = (uint32_t)kb->nh;
    return 0;
}

/* kvpush: the block's kv heads of k and v (len = nh x d), into the slot of
 * this token's position, when the block holds that slot. */
static void op_kvpush(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t rec, d;
    struct kv_block kb;
    uint64_t heads;
    if (kv_op_shape(ex, r, in->a, in->flags, &rec, &d, &kb, &heads) != 0)
        return;
    uint32_t *ring = kv_ring(ex, r, in->a, rec);
    uint32_t *k = vec(ex, r, in->b, "k"), *v = vec(ex, r, in->c, "v");
    if (!ring || !k || !v)
        return;
    if (heads != kb.nh) {
        fail(ex, r, AX_ERR_INVALID, "len %llu is %llu heads of %u; the block holds %llu kv heads",
             (unsigned long long)r->len, (unsigned long long)heads, d, (unsigned long long)kb.nh);
        return;
    }
    uint64_t slot = r->pos % kb.window, rw = ex->p->states[rec].row_bytes / 4;
    int holds = slot >= kb.s0 && slot < kb.s0 + kb.ns;
    if (ex->did)
        ex->did->kv_heads = holds ? (uint32_t)kb.nh : 0; /* the heads written */
    if (!holds)
        return;
    for (uint64_t h = 0; h < kb.nh; h++) {
        uint32_t *row = ring + (h * kb.ns + slot - kb.s0) * rw;
        float ks = quantize(k + h * d, d, row, 0);     /* K codes: bytes 0..d-1 */
        float vs = quantize(v + h * d, d, row, d);     /* V codes: bytes d..2d-1 */
        stf(&row[d / 2], ks);                          /* then the two scales */
        stf(&row[d / 2 + 1], vs);
    }
}

/* The attention of query head h (of `heads` over the block's kv heads)
 * over the block's keys: its d outputs, normalized by the block's own sum,
 * into out[0..d), and the largest score and the sum of exp(score - max) in
 * *m and *z (-inf and 0 when the block holds no key yet). 0, or -1 when
 * memory ran out or the query's counts were not encoded this token. */
static int kv_head_attend(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in,
                          const uint32_t *q, const uint32_t *ring, uint32_t rec, uint32_t d,
                          const struct kv_block *kb, uint64_t heads, uint64_t h,
                          const uint64_t *keys, uint64_t n, double *score, double *qd,
                          uint32_t *out, double *m, double *z)
{
    uint64_t hk = h / (heads / kb->nh), rw = ex->p->states[rec].row_bytes / 4;
    int is_spiked = (in->flags & AX_ISA_KVATTN_SPIKED) != 0;
    /* the query: float32 values, or counts s with the threshold V their
     * encode remembered, as s x V in f64 */
    for (uint32_t c = 0; c < d; c++) {
        const struct encoding *en = is_spiked ? encoding_of(r, (uint32_t)(in->b + h * d + c)) : NULL;
        if (is_spiked && !en) {
            fail(ex, r, AX_ERR_INVALID, "a spiked query's counts at word %llu were not written "
                 "by an encode of this token", (unsigned long long)(in->b + h * d + c));
            return -1;
        }
        qd[c] = is_spiked ? (double)ldi(&q[h * d + c]) * (double)en->vth : (double)ld(&q[h * d + c]);
    }
    for (uint64_t i = 0; i < n; i++) {
        const uint32_t *row = ring + (hk * kb->ns + keys[i] % kb->window - kb->s0) * rw;
        double ks = (double)ld(&row[d / 2]), sum = -0.0;
        for (uint32_t c = 0; c < d; c++)
            sum += qd[c] * ((double)code_at(row, c) * ks);
        score[i] = sum * (1.0 / sqrt((double)d));
    }
    double mx = n ? score[0] : -INFINITY;
    for (uint64_t i = 1; i < n; i++)
        if (score[i] > mx)
            mx = score[i];
    double Z = -0.0;
    for (uint64_t i = 0; i < n; i++) {
        score[i] = exp(score[i] - mx);
        Z += score[i];
    }
    for (uint32_t c = 0; c < d; c++) {
        double acc = -0.0;
        for (uint64_t i = 0; i < n; i++) {
            const uint32_t *row = ring + (hk * kb->ns + keys[i] % kb->window - kb->s0) * rw;
            acc += score[i] * ((double)code_at(row, (uint64_t)d + c) * (double)ld(&row[d / 2 + 1]));
        }
        stf(&out[c], n ? (float)(acc / Z) : 0.0f);
    }
    *m = mx;
    *z = Z;
    return 0;
}

/* kvattn (a block holding the whole window of its heads): each head's
 * softmax attention, normalized; kvpart (any block): the same over the
 * block's keys, then the heads' largest scores and sums for kvmerge. */
static void op_kvattn(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t rec, d;
    struct kv_block kb;
    uint64_t heads;
    int is_part = in->op == AX_ISA_KVPART;
    if (kv_op_shape(ex, r, in->c, (uint8_t)(in->flags >> 1), &rec, &d, &kb, &heads) != 0)
        return;
    uint32_t *ring = kv_ring(ex, r, in->c, rec);
    if (!ring)
        return;
    if (!is_part && kb.ns != kb.window) {
        fail(ex, r, AX_ERR_INVALID, "kvattn over slots %llu..%llu of a %llu-key window: the "
             "block holds part of it; kvpart and kvmerge combine such blocks",
             (unsigned long long)kb.s0, (unsigned long long)(kb.s0 + kb.ns - 1),
             (unsigned long long)kb.window);
        return;
    }
    uint64_t n = kv_keys(&kb, r->pos, NULL);
    if (ex->did)
        ex->did->keys = n;
    uint32_t *dst = span(ex, r, in->a, r->len + (is_part ? 2 * heads : 0), "dst");
    const uint32_t *q = vec(ex, r, in->b, "q");
    if (!dst || !q)
        return;
    uint64_t *keys = ax_mem_alloc(((size_t)n + 1) * sizeof *keys);
    double *score = ax_mem_alloc(((size_t)n + 1) * sizeof *score);
    double *qd = ax_mem_alloc((size_t)d * sizeof *qd);
    if (!keys || !score || !qd) {
        oom(ex, r);
    } else {
        kv_keys(&kb, r->pos, keys);
        for (uint64_t h = 0; h < heads; h++) {
            double m, z;
            if (kv_head_attend(ex, r, in, q, ring, rec, d, &kb, heads, h, keys, n, score, qd,
                               dst + h * d, &m, &z) != 0)
                break;
            if (is_part) { /* after every head's outputs: (max, sum) per head */
                stf(&dst[r->len + 2 * h], (float)m);
                stf(&dst[r->len + 2 * h + 1], (float)z);
            }
        }
    }
    ax_mem_free(keys);
    ax_mem_free(score);
    ax_mem_free(qd);
}

/* kvmerge dst, parts, n (flags: the heads H; len = H x d): n results of
 * kvpart, one after another, combined per head as one softmax over all
 * their keys: with M the largest max of the parts whose sum is not 0,
 * w_b = f64(Z_b) exp(f64(m_b) - M), dst = f32(sum_b w_b f64(o_b) / sum_b w_b),
 * sums over b ascending. */
/* kvmerge, and kvfold (`in->op`): n partial attentions into one softmax
 * attention per head, or, folded, into one partial attention over all
 * their keys, followed by each head's max and sum (docs/isa.md). */
static void op_kvmerge(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint64_t heads = in->flags, parts = in->c;
    int is_fold = in->op == AX_ISA_KVFOLD;
    if (heads == 0 || r->len % heads != 0) {
        fail(ex, r, AX_ERR_INVALID, "len %llu is not a whole number of vectors over the %llu "
             "heads the flags give", (unsigned long long)r->len, (unsigned long long)heads);
        return;
    }
    uint64_t d = r->len / heads, stride = r->len + 2 * heads;
    uint32_t *dst = is_fold ? span(ex, r, in->a, stride, "dst") : vec(ex, r, in->a, "dst");
    const uint32_t *part = span(ex, r, in->b, parts * stride, "parts");
    double *w = ax_mem_alloc(((size_t)parts + 1) * sizeof *w);
    if (!w) {
        oom(ex, r);
        return;
    }
    for (uint64_t h = 0; dst && part && h < heads; h++) {
        /* each part's weight: its sum scaled to the largest max, 0 without keys */
        double M = -INFINITY, S = -0.0;
        for (uint64_t b = 0; b < parts; b++) {
            double m = (double)ld(&part[b * stride + r->len + 2 * h]);
            if ((double)ld(&part[b * stride + r->len + 2 * h + 1]) > 0.0 && m > M)
                M = m;
        }
        for (uint64_t b = 0; b < parts; b++) {
            const uint32_t *stat = &part[b * stride + r->len + 2 * h];
            double z = (double)ld(&stat[1]);
            w[b] = z > 0.0 ? z * exp((double)ld(&stat[0]) - M) : 0.0;
            S += w[b];
        }
        for (uint64_t c = 0; c < d; c++) {
            double acc = -0.0;
            for (uint64_t b = 0; b < parts; b++)
                acc += w[b] * (double)ld(&part[b * stride + h * d + c]);
            stf(&dst[h * d + c], S > 0.0 ? (float)(acc / S) : 0.0f);
        }
        if (is_fold) { /* as a kvpart of all their keys: no key, M = -inf and Z = 0 */
            stf(&dst[r->len + 2 * h], S > 0.0 ? (float)M : -INFINITY);
            stf(&dst[r->len + 2 * h + 1], (float)S);
        }
    }
    ax_mem_free(w);
}

/* ---- running -------------------------------------------------------------------------------- */

/* scale in counting mode: the groups of the block whose scales it reads
 * (a weights buffer's record, or the record a dma last staged). */
static void op_scale_counting(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    const struct ax_prog *p = ex->p;
    uint32_t rec = block_at(ex, r, in->b, 0);
    if (rec == NONE) {
        fail(ex, r, AX_ERR_INVALID, "operand 'scales': word %llu holds no weight block's scales",
             (unsigned long long)in->b);
        return;
    }
    if (ex->did)
        ex->did->groups = (p->weights[rec].cols + GROUP - 1) / GROUP;
}

/* dma in counting mode: where the record lies now, and nothing copied. */
static void op_dma_counting(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    const struct ax_prog *p = ex->p;
    if (in->b >= p->n_weights || !p->weights[in->b].is_dram) {
        fail(ex, r, AX_ERR_INVALID, "weight record %llu is not a DRAM record",
             (unsigned long long)in->b);
        return;
    }
    const struct ax_prog_buffer *buf = ax_prog_buffer_at(p, r->core, (uint32_t)in->a);
    if (buf)
        ex->staging_rec[buf - p->buffers] = (uint32_t)in->b;
}

/* The instructions that counting mode runs: those whose effect is not a
 * value (events, messages, barriers, and the shapes a timed run charges
 * by). Returns 0 when `in` is none of them (it does nothing there). */
static int run_counting(struct ax_exec *ex, struct core_run *r, const struct ax_isa_instr *in)
{
    uint32_t rec, d;
    uint64_t heads;
    struct kv_block kb;
    struct gla_block gb;
    switch (in->op) {
    case AX_ISA_ENCODE:
        op_encode_counting(ex, r, in);
        return 1;
    case AX_ISA_SYNACC:
        op_synacc_counting(ex, r, in);
        return 1;
    case AX_ISA_SCALE:
        op_scale_counting(ex, r, in);
        return 1;
    case AX_ISA_DMA:
        op_dma_counting(ex, r, in);
        return 1;
    case AX_ISA_VDOT:
        vdot_block(ex, r, in);
        return 1;
    case AX_ISA_GLADECAY:
    case AX_ISA_GLAUPD:
        gla_shape(ex, r, in->a, &gb);
        return 1;
    case AX_ISA_GLAREAD:
        gla_shape(ex, r, in->c, &gb);
        return 1;
    case AX_ISA_KVPUSH:
        if (kv_op_shape(ex, r, in->a, in->flags, &rec, &d, &kb, &heads) == 0 && ex->did)
            ex->did->kv_heads = r->pos % kb.window >= kb.s0 && r->pos % kb.window < kb.s0 + kb.ns
                                    ? (uint32_t)kb.nh
                                    : 0;
        return 1;
    case AX_ISA_KVATTN:
    case AX_ISA_KVPART:
        if (kv_op_shape(ex, r, in->c, (uint8_t)(in->flags >> 1), &rec, &d, &kb, &heads) == 0 &&
            ex->did)
            ex->did->keys = kv_keys(&kb, r->pos, NULL);
        return 1;
    case AX_ISA_KVMERGE:
    case AX_ISA_KVFOLD:
        return 1;
    case AX_ISA_EMIT:
    case AX_ISA_RELAY:
    case AX_ISA_PSUMSEND:
    case AX_ISA_LOOKUP:
        return 0; /* the shared code handles counting mode */
    default:
        return 1; /* a value op: nothing to do without values */
    }
}

/* ---- tokens in flight ------------------------------------------------------------------------ */

/* Fresh state for a token of the flight: nothing sent, no barrier reached,
 * no core halted. 0, or -1 when out of memory. */
static int reset_in_flight(struct ax_exec *ex, struct in_flight *f)
{
    const struct ax_prog *p = ex->p;
    uint32_t places = ex->df ? ex->df->slot_base[p->n_barriers] : 0;
    if (!f->arrived &&
        !(f->arrived = ax_mem_alloc(((size_t)p->n_barriers + 1) * sizeof *f->arrived)))
        return -1;
    if (ex->df && !f->left && !(f->left = ax_mem_alloc(((size_t)places + 1) * sizeof *f->left)))
        return -1;
    if (ex->df && !f->is_there && !(f->is_there = ax_mem_alloc((size_t)places + 1)))
        return -1;
    f->trains.n = 0;
    f->n_msg_ids = 0;
    f->n_halted = 0;
    memset(f->arrived, 0, ((size_t)p->n_barriers + 1) * sizeof *f->arrived);
    if (ex->df) {
        memcpy(f->left, ex->df->n_wait, (size_t)places * sizeof *f->left);
        memset(f->is_there, 0, places);
    }
    return 0;
}

/* Core r starts token `tok` of the flight from its first instruction: what
 * it kept of the token before (encodings, accumulators' tags, the events a
 * barrier made visible, and events and messages of earlier tokens it never
 * took: events no barrier of theirs made visible, say) is gone; the events
 * and messages of this and later tokens that reached it already stay. */
static void start_token(struct ax_exec *ex, struct core_run *r, uint32_t tok)
{
    uint64_t kept = 0;
    for (uint64_t j = 0; j < r->pending.n; j++)
        if (r->pending.v[j].tok >= tok)
            r->pending.v[kept++] = r->pending.v[j];
    r->pending.n = kept;
    uint32_t kept_msgs = 0;
    for (uint32_t i = 0; i < r->n_msgs; i++) {
        if (r->msgs[i].tok >= tok)
            r->msgs[kept_msgs++] = r->msgs[i];
        else
            ax_mem_free(r->msgs[i].data);
    }
    r->n_msgs = kept_msgs;
    r->tok = tok;
    r->token = ex->tokens[tok];
    r->pos = ex->pos0 + tok / ex->batch;
    r->seq = tok % ex->batch;
    r->pc = 0;
    r->len = 0;
    r->is_at_barrier = r->is_waiting_turn = 0;
    free_encs(r);
    free_tags(r);
    r->current.n = 0;
    r->vis_rt = NULL;
}

/* The oldest token has ended on every core: the oldest moves on past every
 * ended token, their places are made ready for the tokens the window now
 * lets in, and each core waiting for its turn starts its next token (into
 * ax_exec_did.released). 0, or -1 when out of memory (the run failed). */
static int end_oldest(struct ax_exec *ex, const struct core_run *by)
{
    const struct ax_prog *p = ex->p;
    uint32_t oldest = ex->oldest;
    while (ex->oldest < ex->n_tokens && flight_of(ex, ex->oldest)->n_halted == p->n_code) {
        uint32_t ended = ex->oldest++;
        if (ended + ex->window < ex->n_tokens && reset_in_flight(ex, flight_of(ex, ended)) != 0) {
            oom(ex, by);
            return -1;
        }
    }
    if (ex->oldest == oldest || ex->n_waiting_turn == 0)
        return 0; /* no core's turn came */
    if (ex->did &&
        grow32((void **)&ex->released, p->n_code, &ex->cap_released, sizeof *ex->released)) {
        oom(ex, by);
        return -1;
    }
    uint32_t n_released = 0;
    for (uint32_t k = 0; k < p->n_code; k++) {
        struct core_run *r = &ex->runs[k];
        if (!r->is_waiting_turn || r->tok + 1 >= ex->oldest + ex->window)
            continue;
        ex->n_waiting_turn--;
        start_token(ex, r, r->tok + 1);
        wake(ex, k);
        if (ex->did)
            ex->released[n_released++] = k;
    }
    if (ex->did) {
        ex->did->released = ex->released;
        ex->did->n_released = n_released;
    }
    return 0;
}

/* r halts its token: the flight's next token starts at once when the
 * window lets it (RAN), else r waits for its turn (WAITS); after the
 * flight's last token r is done (HALTED). */
static enum ax_exec_state halt_token(struct ax_exec *ex, struct core_run *r)
{
    flight_of(ex, r->tok)->n_halted++;
    if (ex->did)
        ex->did->is_halted = 1;
    if (r->tok == ex->oldest && end_oldest(ex, r) != 0)
        return AX_EXEC_WAITS;
    if (r->tok + 1 >= ex->n_tokens) {
        r->is_done = 1;
        return AX_EXEC_HALTED;
    }
    if (r->tok + 1 >= ex->oldest + ex->window) {
        r->is_waiting_turn = 1;
        ex->n_waiting_turn++;
        return AX_EXEC_WAITS;
    }
    start_token(ex, r, r->tok + 1);
    return AX_EXEC_RAN;
}

/* Runs the next instruction of code record k. */
static enum ax_exec_state run_one(struct ax_exec *ex, uint32_t k)
{
    struct core_run *r = &ex->runs[k];
    const struct ax_prog_code *c = &ex->p->code[k];
    if (r->is_done)
        return AX_EXEC_HALTED;
    if (ex->did && (r->is_waiting_turn || r->pc >= c->n_instr)) {
        ex->did->in.op = AX_ISA_HALT; /* what it ran, or still waits at */
        ex->did->pc = r->pc;
    }
    if (r->is_waiting_turn)
        return AX_EXEC_WAITS;
    if (r->pc >= c->n_instr) /* past its last instruction: as `halt` */
        return halt_token(ex, r);
    struct ax_isa_instr in;
    if (ax_isa_decode(c->words[r->pc], &in) != 0) {
        fail(ex, r, AX_ERR_INVALID, "the word 0x%016llx does not decode",
             (unsigned long long)c->words[r->pc]);
        return AX_EXEC_WAITS;
    }
    if (ex->did) {
        ex->did->in = in;
        ex->did->pc = r->pc;
        ex->did->len = r->len;
    }
    switch (in.op) {
    case AX_ISA_HALT:
        ex->stats.n_instr++;
        return halt_token(ex, r);
    case AX_ISA_BARRIER:
        if (in.a >= ex->p->n_barriers) {
            fail(ex, r, AX_ERR_INVALID, "barrier %llu does not exist", (unsigned long long)in.a);
            return AX_EXEC_WAITS;
        }
        if (!r->is_at_barrier) {
            r->is_at_barrier = 1;
            r->at_barrier = (uint32_t)in.a;
            uint32_t *arrived = &flight_of(ex, r->tok)->arrived[in.a];
            int is_last = ++*arrived == ex->p->barriers[in.a].n_cores;
            if (ex->df ? arrive_dataflow(ex, r, (uint32_t)in.a) != 0
                       : is_last && complete_barrier(ex, in.a) != 0)
                return AX_EXEC_WAITS;
            if (!ex->df && ex->did && is_last)
                ex->did->is_barrier_done = 1;
        }
        if (!barrier_passed(ex, r, (uint32_t)in.a))
            return AX_EXEC_WAITS;
        r->is_at_barrier = 0;
        break;
    case AX_ISA_SETLEN:
        r->len = in.a;
        if (ex->did)
            ex->did->len = r->len;
        break;
    case AX_ISA_PSUMRECV:
        if (!op_psumrecv(ex, r, &in))
            return AX_EXEC_WAITS;
        break;
    default:
        if (ex->activity && run_counting(ex, r, &in))
            break;
        switch (in.op) {
        case AX_ISA_SYNACC:
            op_synacc(ex, r, &in);
            break;
        case AX_ISA_ACCZERO: {
            uint32_t *w = vec(ex, r, in.a, "acc");
            if (w)
                memset(w, 0, (size_t)r->len * 4);
            drop_tags(r, in.a, r->len);
            break;
        }
        case AX_ISA_THRESH:
            op_thresh(ex, r, &in);
            break;
        case AX_ISA_ENCODE:
            op_encode(ex, r, &in);
            break;
        case AX_ISA_EMIT:
            op_emit(ex, r, &in);
            break;
        case AX_ISA_RELAY:
            op_relay(ex, r, &in);
            break;
        case AX_ISA_SCALE:
            op_scale(ex, r, &in);
            break;
        case AX_ISA_PSUMSEND:
            op_psumsend(ex, r, &in);
            break;
        case AX_ISA_VADD:
        case AX_ISA_VMUL:
        case AX_ISA_VMAC:
        case AX_ISA_VRSQRT:
        case AX_ISA_VEXP:
        case AX_ISA_VSILU:
        case AX_ISA_VDIV:
        case AX_ISA_VCOPY:
            op_elementwise(ex, r, &in);
            break;
        case AX_ISA_VSUM:
        case AX_ISA_VSUMSQ:
        case AX_ISA_VMAX:
            op_reduce(ex, r, &in);
            break;
        case AX_ISA_VQUANT:
            op_vquant(ex, r, &in);
            break;
        case AX_ISA_ARGMAX:
            op_argmax(ex, r, &in);
            break;
        case AX_ISA_ARGMERGE:
            op_argmerge(ex, r, &in);
            break;
        case AX_ISA_VDOT:
            op_vdot(ex, r, &in);
            break;
        case AX_ISA_GLADECAY:
            op_gladecay(ex, r, &in);
            break;
        case AX_ISA_GLAUPD:
            op_glaupd(ex, r, &in);
            break;
        case AX_ISA_GLAREAD:
            op_glaread(ex, r, &in);
            break;
        case AX_ISA_KVPUSH:
            op_kvpush(ex, r, &in);
            break;
        case AX_ISA_KVATTN:
        case AX_ISA_KVPART:
            op_kvattn(ex, r, &in);
            break;
        case AX_ISA_KVMERGE:
        case AX_ISA_KVFOLD:
            op_kvmerge(ex, r, &in);
            break;
        case AX_ISA_DMA:
            op_dma(ex, r, &in);
            break;
        case AX_ISA_LOOKUP:
            op_lookup(ex, r, &in);
            break;
        case AX_ISA_RMSNORM:
            op_rmsnorm(ex, r, &in);
            break;
        case AX_ISA_ROPE:
            op_rope(ex, r, &in);
            break;
        case AX_ISA_SUMACC:
            op_sumacc(ex, r, &in);
            break;
        case AX_ISA_THRESHOF:
            op_threshof(ex, r, &in);
            break;
        case AX_ISA_RMSSCALE:
            op_rmsscale(ex, r, &in);
            break;
        default: /* nop, and the cases above */
            break;
        }
    }
    if (ex->st != AX_OK)
        return AX_EXEC_WAITS;
    ex->stats.n_instr++;
    r->pc++;
    return AX_EXEC_RAN;
}

/* Runs code record k until it waits, ends or fails. */
static void step(struct ax_exec *ex, uint32_t k)
{
    while (ex->st == AX_OK && run_one(ex, k) == AX_EXEC_RAN)
        ;
}

/* Dataflow: whether the core at position i of barrier `id` sends `core`
 * events of that phase and has not reached it (a deadlock's diagnostic). */
static int is_missing_sender(const struct ax_exec *ex, uint32_t tok, uint32_t id, uint32_t i,
                             uint32_t core)
{
    const struct dataflow *df = ex->df;
    uint32_t base = df->slot_base[id], s = base + i;
    if (flight_of(ex, tok)->is_there[s])
        return 0;
    for (uint32_t e = df->to_first[s]; e < df->to_first[s + 1]; e++)
        if (ex->p->barriers[id].cores[df->to[e] - base] == core)
            return 1;
    return 0;
}

/* Whether code record k has reached barrier `id` of token `tok`. */
static int is_at(const struct ax_exec *ex, uint32_t k, uint32_t id, uint32_t tok)
{
    const struct core_run *r = k == NONE ? NULL : &ex->runs[k];
    return r && r->is_at_barrier && r->at_barrier == id && r->tok == tok;
}

/* One diagnostic per core that cannot go on, naming what it waits for. */
static void report_deadlock(struct ax_exec *ex)
{
    const struct ax_prog *p = ex->p;
    for (uint32_t k = 0; k < p->n_code; k++) {
        struct core_run *r = &ex->runs[k];
        if (r->is_done)
            continue;
        struct ax_isa_instr in = {0};
        ax_isa_decode(p->code[k].words[r->pc], &in);
        char why[256];
        if (r->is_waiting_turn) {
            snprintf(why, sizeof why,
                     "halted token %u and waits for token %u, the oldest of %u in flight, to end",
                     r->tok, ex->oldest, ex->window);
        } else if (in.op == AX_ISA_PSUMRECV) {
            const struct ax_prog_buffer *b = ax_prog_buffer_at(p, r->core, (uint32_t)in.a);
            uint32_t have = 0;
            for (uint32_t i = 0; i < r->n_msgs; i++)
                have += r->msgs[i].addr == in.a && r->msgs[i].tok == r->tok;
            snprintf(why, sizeof why,
                     "waits forever for %llu messages to buffer '%s' at word %llu (%u arrived)",
                     (unsigned long long)in.b, b ? b->name : "?", (unsigned long long)in.a, have);
        } else {
            const struct ax_prog_barrier *b = &p->barriers[in.a];
            char missing[160] = "";
            size_t at = 0;
            for (uint32_t i = 0; i < b->n_cores && at + 16 < sizeof missing; i++) {
                uint32_t kk = ex->run_of_core[b->cores[i]];
                if (ex->df ? is_missing_sender(ex, r->tok, (uint32_t)in.a, i, r->core)
                           : !is_at(ex, kk, (uint32_t)in.a, r->tok))
                    at += (size_t)snprintf(missing + at, sizeof missing - at, "%s%u",
                                           at ? ", " : "", b->cores[i]);
            }
            snprintf(why, sizeof why, "waits forever at barrier %llu: core(s) %s%s never reach it",
                     (unsigned long long)in.a, missing,
                     ex->df ? ", which send it events of this phase (dataflow)," : "");
        }
        fail(ex, r, AX_ERR_INVALID, "%s", why);
    }
}

ax_status ax_exec_begin_flight(ax_exec_t *ex, const uint32_t *tokens, uint32_t n, uint64_t pos,
                               uint32_t window, uint32_t batch, struct ax_diag_list *diags)
{
    const struct ax_prog *p = ex->p;
    ex->st = AX_OK;
    ex->diags = diags;
    if (n == 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, ex->file, 0, 0, "a flight of no tokens");
        return ex->st = AX_ERR_USAGE;
    }
    if (batch == 0 || batch > ex->banks) {
        ax_diag_add(diags, AX_DIAG_ERROR, ex->file, 0, 0,
                    "a batch of %u sequences: the program holds the state of %u (its meta "
                    "'batch'); compile it with --batch %u",
                    batch, ex->banks, batch ? batch : 1);
        return ex->st = AX_ERR_USAGE;
    }
    window = window == 0 || window > n ? n : window;
    if (window > ex->cap_window) { /* new places start empty: reset_in_flight fills them */
        struct in_flight *v = ax_mem_realloc(ex->flight, (size_t)window * sizeof *v);
        if (v) {
            memset(v + ex->cap_window, 0, (size_t)(window - ex->cap_window) * sizeof *v);
            ex->flight = v;
            ex->cap_window = window;
        }
    }
    if (window > ex->cap_window ||
        grow32((void **)&ex->tokens, n, &ex->cap_tokens, sizeof *ex->tokens)) {
        ax_diag_add(diags, AX_DIAG_ERROR, ex->file, 0, 0, "out of memory starting %u tokens", n);
        return ex->st = AX_ERR_NOMEM;
    }
    memcpy(ex->tokens, tokens, (size_t)n * sizeof *tokens);
    ex->n_tokens = n;
    ex->window = window;
    ex->batch = batch;
    ex->oldest = 0;
    ex->n_waiting_turn = 0;
    ex->pos0 = pos;
    for (uint32_t i = 0; i < window; i++)
        if (reset_in_flight(ex, &ex->flight[i]) != 0) {
            ax_diag_add(diags, AX_DIAG_ERROR, ex->file, 0, 0, "out of memory starting %u tokens",
                        n);
            return ex->st = AX_ERR_NOMEM;
        }
    memset(&ex->stats, 0, sizeof ex->stats);
    ex->n_ready = 0;
    for (uint32_t k = 0; k < p->n_code; k++) {
        struct core_run *r = &ex->runs[k];
        r->is_done = r->is_queued = 0;
        r->pending.n = 0;
        free_msgs(r);
        start_token(ex, r, 0);
    }
    return AX_OK;
}

ax_status ax_exec_begin(ax_exec_t *ex, uint32_t token, uint64_t pos, struct ax_diag_list *diags)
{
    return ax_exec_begin_flight(ex, &token, 1, pos, 1, 1, diags);
}

ax_status ax_exec_next(ax_exec_t *ex, uint32_t k, struct ax_exec_did *did)
{
    memset(did, 0, sizeof *did);
    if (k >= ex->p->n_code) {
        did->state = AX_EXEC_HALTED;
        return AX_OK;
    }
    ex->did = did;
    ex->n_sent = ex->n_taken = 0;
    did->tok = ex->runs[k].tok;
    did->state = run_one(ex, k);
    did->sent = ex->sent;
    did->n_sent = ex->n_sent;
    did->taken = ex->taken;
    did->n_taken = ex->n_taken;
    ex->did = NULL;
    return ex->st;
}

ax_status ax_exec_end(ax_exec_t *ex)
{
    if (ex->st == AX_OK)
        report_deadlock(ex);
    ex->diags = NULL;
    return ex->st;
}

ax_status ax_exec_run(ax_exec_t *ex, uint32_t token, uint64_t pos, struct ax_diag_list *diags)
{
    return ax_exec_run_flight(ex, &token, 1, pos, 1, 1, diags);
}

ax_status ax_exec_run_flight(ax_exec_t *ex, const uint32_t *tokens, uint32_t n, uint64_t pos,
                             uint32_t window, uint32_t batch, struct ax_diag_list *diags)
{
    const struct ax_prog *p = ex->p;
    if (ax_exec_begin_flight(ex, tokens, n, pos, window, batch, diags) != AX_OK)
        return ex->st;
    for (uint32_t k = p->n_code; k-- > 0;)
        wake(ex, k);
    while (ex->n_ready > 0 && ex->st == AX_OK) {
        uint32_t k = ex->ready[--ex->n_ready];
        ex->runs[k].is_queued = 0;
        step(ex, k);
    }
    return ax_exec_end(ex);
}

/* ---- reading back --------------------------------------------------------------------------- */

const uint32_t *ax_exec_buffer(const ax_exec_t *ex, uint32_t core, const char *name,
                               uint32_t *n_words)
{
    const struct ax_prog_buffer *b = ax_prog_buffer_named(ex->p, core, name);
    if (!b || !ex->sram[core])
        return NULL;
    *n_words = b->words;
    return ex->sram[core] + b->addr;
}

uint32_t *ax_exec_words(ax_exec_t *ex, uint32_t core, uint32_t addr, uint32_t n)
{
    if (core >= ex->p->n_cores || !ex->sram[core] || addr > ex->sram_words[core] ||
        n > ex->sram_words[core] - addr)
        return NULL;
    return ex->sram[core] + addr;
}

const int32_t *ax_exec_counts(const ax_exec_t *ex, uint32_t core, uint32_t addr, uint32_t n)
{
    uint32_t k = core < ex->p->n_cores ? ex->run_of_core[core] : NONE;
    const struct encoding *e = k != NONE ? encoding_of(&ex->runs[k], addr) : NULL;
    if (!e || n == 0 || addr - e->addr + (uint64_t)n > e->n)
        return NULL;
    if (e->counts)
        return e->counts + (addr - e->addr);
    /* int32 words and uint32 words may alias (C11 6.5p7) */
    return (const int32_t *)ex->sram[core] + addr;
}

float ax_exec_f32(const ax_exec_t *ex, uint32_t core, const char *name, uint32_t i)
{
    uint32_t n = 0;
    const uint32_t *w = ax_exec_buffer(ex, core, name, &n);
    return w && i < n ? ld(&w[i]) : NAN;
}

void ax_exec_stats(const ax_exec_t *ex, struct ax_exec_stats *out)
{
    *out = ex->stats;
}
