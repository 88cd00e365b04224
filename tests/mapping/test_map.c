/* Mapping: no block or core exceeds a capacity, blocks follow the 128-input
 * groups and cover every matrix exactly, every node's value has one
 * location, the placement is no worse than the naive one, results repeat,
 * systems that are too small fail or stream from DRAM, and the emitted
 * program's buffers never overlap and stay inside each core's SRAM. */
#include "ax_test.h"

#include "ax_arch.h"
#include "ax_fs.h"
#include "ax_ir.h"
#include "ax_isa.h"
#include "ax_map.h"
#include "ax_mem.h"
#include "ax_model.h"
#include "ax_pipeline.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define SRC AX_SOURCE_DIR

struct fixture {
    ax_arch_t *arch;
    struct ax_model *model;
    struct ax_ir_graph g;
};

/* Loads a model and a chip (a file, or text when `chip_text` is given) and
 * gives the graph the precision `axon compile` gives it: w8spike, with the
 * spiking mode `mode`. */
static int setup_mode(struct fixture *f, const char *model, const char *chip_path,
                      const char *chip_text, enum ax_spike_mode mode)
{
    memset(f, 0, sizeof *f);
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    ax_status st = chip_text ? ax_arch_load_text("chip.yaml", chip_text, strlen(chip_text), &f->arch, &d)
                             : ax_arch_load(chip_path, &f->arch, &d);
    if (st == AX_OK)
        st = ax_model_open(model, &f->model, &d);
    struct ax_ref_options ro;
    ax_ref_options_default(&ro);
    ro.precision = AX_REF_PRECISION_W8SPIKE;
    ro.spike.mode = mode;
    if (st == AX_OK)
        st = ax_pipeline_run(&f->g, f->model, &ro, AX_PASS_COUNT - 1, &d);
    if (st != AX_OK)
        ax_diag_print(&d, stderr);
    ax_diag_list_free(&d);
    CHECK(st == AX_OK);
    return st == AX_OK;
}

static int setup(struct fixture *f, const char *model, const char *chip_path, const char *chip_text)
{
    return setup_mode(f, model, chip_path, chip_text, AX_SPIKE_MODE_RELEASED);
}

static void teardown(struct fixture *f)
{
    ax_ir_free(&f->g);
    ax_model_close(f->model);
    ax_arch_free(f->arch);
}

/* Every used core within its SRAM and neuron limits; blocks aligned to the
 * groups; every weight matrix covered exactly once. */
static void check_invariants(const struct ax_map *m, const ax_arch_t *arch)
{
    const struct ax_core_desc *core = &ax_arch_desc(arch)->chip.core;
    size_t n_cores = (size_t)m->n_chips * m->cores_per_chip;
    uint64_t *bytes = calloc(n_cores, sizeof *bytes), *neurons = calloc(n_cores, sizeof *neurons);
    uint64_t *area = calloc(m->n_objects, sizeof *area);
    int aligned = 1, in_range = 1;
    for (uint32_t i = 0; i < m->n_blocks; i++) {
        const struct ax_map_block *b = &m->blocks[i];
        const struct ax_map_object *o = &m->objects[b->object];
        in_range &= b->core < n_cores && b->row0 + b->rows <= o->rows;
        if (b->core >= n_cores)
            continue;
        if (o->kind == AX_MAP_WEIGHTS) {
            aligned &= b->col0 % 128 == 0 && (b->cols % 128 == 0 || b->col0 + b->cols == o->cols);
            area[b->object] += (uint64_t)b->rows * b->cols;
            if (!b->is_dram)
                neurons[b->core] += b->rows;
        }
        if (!b->is_dram)
            bytes[b->core] += b->bytes;
    }
    CHECK(in_range && aligned);
    int within = 1, covered = 1;
    for (size_t c = 0; c < n_cores; c++)
        within &= bytes[c] <= core->sram.capacity_bytes && neurons[c] <= core->max_neurons;
    for (uint32_t i = 0; i < m->n_objects; i++)
        if (m->objects[i].kind == AX_MAP_WEIGHTS)
            covered &= area[i] == (uint64_t)m->objects[i].rows * m->objects[i].cols;
    CHECK(within);
    CHECK(covered);
    free(bytes);
    free(neurons);
    free(area);
}

/* Every node but the input has a value object; a node's own value object
 * comes right after its other objects; each weight object's partial sums go
 * to its node's value, whose core is the object's home. */
static void check_values(const struct ax_map *m, const struct ax_ir_graph *g)
{
    int located = m->node_value != NULL && m->n_nodes == g->n_nodes, after = 1, dest = 1;
    for (uint32_t id = 0; located && id < g->n_nodes; id++) {
        uint32_t v = m->node_value[id];
        if (g->nodes[id].op == AX_IR_INPUT) {
            located &= v == UINT32_MAX;
            continue;
        }
        located &= v < m->n_objects && m->objects[v].kind == AX_MAP_VALUE && m->objects[v].n_blocks >= 1;
        if (!located || m->objects[v].node != id)
            continue; /* the output and a meta prefix share their operand's value */
        located &= m->objects[v].rows == g->nodes[id].out_dim;
        after &= v + 1 == m->n_objects || m->objects[v + 1].node != id;
    }
    for (uint32_t i = 0; located && i < m->n_objects; i++) {
        const struct ax_map_object *o = &m->objects[i];
        if (o->kind != AX_MAP_WEIGHTS || g->nodes[o->node].op == AX_IR_META_PREFIX)
            continue;
        dest &= o->dest == m->node_value[o->node] &&
                o->home == ax_map_value_core(m, o->dest, m->blocks[o->first_block].row0);
    }
    CHECK(located);
    CHECK(after);
    CHECK(dest);
}

/* The emitted program's memory: buffers ascending by (core, addr), inside
 * SRAM, never overlapping on a core, and per core within what the mapping
 * gave its blocks (plus the staging area); value routes land inside a
 * buffer; weights buffers as large as their record's codes and scales. */
static void check_program(const struct ax_prog *p, const struct ax_map *m)
{
    int sorted = 1, inside = 1, apart = 1, sized = 1, fits = 1, lands = 1;
    uint64_t *used = calloc((size_t)p->n_cores + 1, sizeof *used);
    uint64_t *given = calloc((size_t)p->n_cores + 1, sizeof *given);
    for (uint32_t i = 0; i < m->n_blocks; i++)
        if (!m->blocks[i].is_dram)
            given[m->blocks[i].core] += m->blocks[i].bytes;
    for (uint32_t i = 0; i < p->n_buffers; i++) {
        const struct ax_prog_buffer *b = &p->buffers[i], *prev = i ? &p->buffers[i - 1] : NULL;
        sorted &= !prev || prev->core < b->core || (prev->core == b->core && prev->addr < b->addr);
        inside &= b->core < p->n_cores && (uint64_t)b->addr + b->words <= p->sram_words && b->words > 0;
        apart &= !prev || prev->core != b->core || prev->addr + prev->words <= b->addr;
        if (b->kind == AX_PROG_BUF_WEIGHTS) {
            const struct ax_prog_weight *w = &p->weights[b->ref];
            sized &= b->ref < p->n_weights && b->words == ax_prog_record_words(w);
        }
        if (b->kind != AX_PROG_BUF_STAGING && b->core < p->n_cores && !(b->name && strncmp(b->name, "staging", 7) == 0))
            used[b->core] += 4ull * b->words;
    }
    for (uint32_t c = 0; c < p->n_cores; c++)
        fits &= used[c] <= given[c];
    for (uint32_t r = 0; r < p->n_routes; r++) {
        const struct ax_prog_route *rt = &p->routes[r];
        for (uint32_t k = 0; rt->kind == AX_PROG_ROUTE_VALUES && k < rt->n_dst; k++)
            lands &= ax_prog_buffer_at(p, rt->dst[k].core, rt->dst[k].addr) != NULL;
    }
    CHECK(sorted);
    CHECK(inside);
    CHECK(apart);
    CHECK(sized);
    CHECK(fits);
    CHECK(lands);
    free(used);
    free(given);
}

/* The verifier accepts the program: among its checks, the program's waits
 * run in their order to every core's end (docs/program.md, check 12). */
static int verifies(const struct ax_prog *p)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    ax_status st = ax_prog_validate(p, "emitted", &d);
    ax_diag_list_free(&d);
    return st == AX_OK;
}

static int map_opt(struct fixture *f, struct ax_map *m, ax_status want,
                   const struct ax_map_options *opt)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    ax_status st = ax_map_build(&f->g, f->arch, opt, m, &d);
    if (st != want)
        ax_diag_print(&d, stderr);
    CHECK(st == want);
    ax_diag_list_free(&d);
    return st == AX_OK;
}

static int map_with(struct fixture *f, struct ax_map *m, ax_status want,
                    enum ax_map_float_weights float_weights)
{
    struct ax_map_options opt;
    ax_map_default_options(&opt);
    opt.float_weights = float_weights;
    return map_opt(f, m, want, &opt);
}

static int map(struct fixture *f, struct ax_map *m, ax_status want)
{
    return map_with(f, m, want, AX_MAP_FLOAT_KEEP);
}

static void test_tiny_on_loihi2(void)
{
    struct fixture f;
    if (!setup(&f, SRC "/models/nets/spikingbrain-tiny", SRC "/models/chips/loihi2-like.yaml", NULL))
        return;
    struct ax_map a, b;
    if (map(&f, &a, AX_OK)) {
        check_invariants(&a, f.arch);
        check_values(&a, &f.g);
        CHECK(a.n_chips == 1 && a.n_cores_used > 1 && a.dram_bytes == 0);
        /* values sit next to the blocks that feed them, so nearly all the
         * traffic is between neighbours in either order */
        CHECK(a.traffic_hop_bytes <= a.traffic_hop_bytes_naive);
        /* the same inputs give the same placement */
        if (map(&f, &b, AX_OK)) {
            int same = a.n_blocks == b.n_blocks && a.traffic_hop_bytes == b.traffic_hop_bytes;
            for (uint32_t i = 0; same && i < a.n_blocks; i++)
                same = a.blocks[i].core == b.blocks[i].core;
            CHECK(same);
            ax_map_free(&b);
        }
        ax_map_free(&a);
    }
    teardown(&f);
}

/* Every block's bytes from its shape, worked out here rather than by the
 * function the mapper uses (docs/mapping.md, "Partitioning"): a weight block
 * of R rows by C columns of a quantized matrix holds R·C int8 codes (rounded
 * up to whole 4-byte words) and a float32 scale per row and 128-input group,
 * of a matrix the model keeps in float32 (the embedding, lm_head, gk_proj.1
 * and down_proj under --spike released) R·C float32 values; each an int32
 * accumulator per row, and a dense block a C-word inbox; a GLA state block
 * holds head_dim² float32 per head, and inboxes for q and its output (one
 * head_dim vector per head) and k, v and g (at least kv_heads of them); a
 * K/V block int8 K and V (2·head_dim bytes) and two float32 scales per key
 * and kv head, and for each kv head it holds (whole ones, or a range of one
 * head's keys) its query heads' q, spike counts and outputs with a max and
 * a sum each, and its k and v. The small model
 * (config.json: hidden 256, 4 heads, 2 kv heads, window 64; GLA layers 0
 * and 2, SWA layers 1 and 3) gives head_dim 64, a 64·64·4 = 16,384-byte
 * state per head, 4 heads a GLA layer, and 2·64 = 128 keys of 2·64 + 8 =
 * 136 bytes an SWA layer. */
static void test_block_bytes(void)
{
    struct fixture f;
    if (!setup(&f, SRC "/models/nets/spikingbrain-tiny", SRC "/models/chips/loihi2-like.yaml", NULL))
        return;
    struct ax_map m;
    if (map(&f, &m, AX_OK)) {
        int weights_ok = 1, gla_ok = 1, swa_ok = 1;
        uint64_t gla_bytes = 0, swa_bytes = 0;
        uint32_t n_weight_blocks = 0, n_gla = 0, n_swa = 0;
        for (uint32_t i = 0; i < m.n_blocks; i++) {
            const struct ax_map_block *b = &m.blocks[i];
            const struct ax_map_object *o = &m.objects[b->object];
            const struct ax_ir_node *n = &f.g.nodes[o->node];
            uint64_t r = b->rows, c = b->cols, want;
            uint64_t d = n->head_dim;
            if (o->kind == AX_MAP_VALUE)
                continue;
            if (o->kind == AX_MAP_WEIGHTS) {
                uint64_t codes = (r * c + 3) / 4 * 4, groups = (c + 127) / 128;
                int is_dense = !o->is_spiking && n->op != AX_IR_EMBEDDING;
                int is_float = n->op == AX_IR_EMBEDDING || n->op == AX_IR_LM_HEAD ||
                               strstr(o->name, "gk_proj.1") || strstr(o->name, "down_proj");
                CHECK(o->is_float == is_float);
                want = (is_float ? 4 * r * c : codes + r * groups * 4) + r * 4 +
                       (is_dense ? c * 4 : 0);
                n_weight_blocks++;
                weights_ok &= b->bytes == want;
            } else if (n->op == AX_IR_GLA) {
                uint64_t state = r * d * d * 4;
                want = state + 4 * (5 * r * d + 3 * n->kv_heads * d);
                gla_ok &= b->bytes == want && o->rows == n->heads;
                gla_bytes += state;
                n_gla++;
            } else {
                CHECK(n->op == AX_IR_SWA);
                uint64_t keys = n->window ? n->window : 4096, state = (r * (2 * d + 8) + 3) / 4 * 4;
                uint64_t group = n->heads / n->kv_heads, held = r >= keys ? r / keys : 1;
                want = state + 4 * held * (group * (3 * d + 2) + 2 * d);
                swa_ok &= b->bytes == want && o->rows == n->kv_heads * keys &&
                          (r % keys == 0 || b->row0 / keys == (b->row0 + r - 1) / keys);
                swa_bytes += state;
                n_swa++;
            }
            if (b->bytes != want)
                fprintf(stderr, "  block %u of %s: %llu bytes, want %llu\n", i, o->name,
                        (unsigned long long)b->bytes, (unsigned long long)want);
        }
        CHECK(n_weight_blocks > 0 && n_gla > 0 && n_swa > 0);
        CHECK(weights_ok);
        CHECK(gla_ok);
        CHECK(swa_ok);
        /* the same from config.json alone: 2 GLA layers x 4 heads x 16,384
         * bytes; 2 SWA layers x 128 keys x 136 bytes */
        CHECK(gla_bytes == 2 * 4 * 16384);
        CHECK(swa_bytes == 2 * 128 * 136);
        ax_map_free(&m);
    }
    teardown(&f);
}

static uint32_t count_op(const struct ax_prog *p, enum ax_isa_op op);

/* lm_head's input (the final norm's value) reaches its blocks along relay
 * trees (mapping/emit.c, relay): the input's core sends each column range
 * to one core, which passes it on; 28 ranges of 128 of the 7B's 3584
 * inputs, to 106 row ranges each. A binary tree of 106 cores has 7 levels
 * (1, 2, 4, .., 32 and 43), so a range's 128 words go in chunks of 32
 * (128 / 7 rounded up to a multiple of 32, tree_chunk): four sends a range
 * from the input's core. */
static void check_lm_head_relayed(const struct ax_prog *p, const struct ax_map *m,
                                  const struct ax_ir_graph *g)
{
    uint32_t head = UINT32_MAX;
    for (uint32_t id = 0; id < g->n_nodes; id++)
        if (g->nodes[id].op == AX_IR_LM_HEAD)
            head = id;
    if (head == UINT32_MAX) {
        CHECK(0);
        return;
    }
    uint32_t src = ax_map_value_core(m, m->node_value[g->nodes[head].inputs[0]], 0);
    uint32_t sends = 0, single = 1, forwards = 0;
    for (uint32_t c = 0; c < p->n_code; c++)
        for (uint32_t i = 0; i < p->n_opmap; i++) {
            const struct ax_prog_opmap *o = &p->opmap[i];
            if (o->node != head || o->core != p->code[c].core)
                continue;
            for (uint32_t k = o->first; k < o->first + o->count; k++) {
                struct ax_isa_instr in;
                if (ax_isa_decode(p->code[c].words[k], &in) != 0 || in.op != AX_ISA_PSUMSEND)
                    continue;
                if (o->core == src) {
                    sends++;
                    single &= in.b < p->n_routes && p->routes[in.b].n_dst == 1;
                } else {
                    forwards += in.b < p->n_routes && p->routes[in.b].n_dst == 2;
                }
            }
        }
    CHECK(sends == 28 * 4 && single);
    CHECK(forwards >= 28 * 4 * 50); /* about half of the 106 cores of a range forward to two */
}

/* A spike send of the program: graph node, destination core. */
struct node_dst {
    uint32_t node, core;
};

static int node_dst_cmp(const void *a, const void *b)
{
    const struct node_dst *x = a, *y = b;
    return x->node != y->node ? (x->node > y->node) - (x->node < y->node)
                              : (x->core > y->core) - (x->core < y->core);
}

/* Calls `fn` for every instruction with op `op`, with its opmap entry. */
static void for_each_op(const struct ax_prog *p, enum ax_isa_op op,
                        void (*fn)(const struct ax_prog *, const struct ax_prog_opmap *,
                                   const struct ax_isa_instr *, void *),
                        void *user)
{
    uint32_t top = 0;
    for (uint32_t c = 0; c < p->n_code; c++)
        top = p->code[c].core >= top ? p->code[c].core + 1 : top;
    uint32_t *code_of = malloc(((size_t)top + 1) * sizeof *code_of);
    CHECK(code_of != NULL);
    for (uint32_t c = 0; code_of && c < p->n_code; c++)
        code_of[p->code[c].core] = c;
    for (uint32_t i = 0; code_of && i < p->n_opmap; i++) {
        const struct ax_prog_opmap *o = &p->opmap[i];
        const struct ax_prog_code *code = &p->code[code_of[o->core]];
        for (uint32_t k = o->first; k < o->first + o->count && k < code->n_instr; k++) {
            struct ax_isa_instr in;
            if (ax_isa_decode(code->words[k], &in) == 0 && in.op == op)
                fn(p, o, &in, user);
        }
    }
    free(code_of);
}

struct sends {
    struct node_dst *v;
    size_t n, cap;
};

static void note_emit(const struct ax_prog *p, const struct ax_prog_opmap *o,
                      const struct ax_isa_instr *in, void *user)
{
    struct sends *s = user;
    for (uint32_t d = 0; in->b < p->n_routes && d < p->routes[in->b].n_dst; d++) {
        if (s->n == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 1024;
            s->v = realloc(s->v, s->cap * sizeof *s->v);
        }
        if (s->v)
            s->v[s->n++] = (struct node_dst){o->node, p->routes[in->b].dst[d].core};
    }
}

struct relays {
    struct sends emits, heads; /* (node, core) an emit reaches; a relay to other chips reaches */
    uint8_t *is_relaying;      /* per graph node */
    uint32_t n_nodes;
    int pass;                  /* 0: note the heads' sends; 1: check every relay */
};

static int is_emitted(const struct sends *s, uint32_t node, uint32_t core)
{
    struct node_dst key = {node, core};
    return s->v && bsearch(&key, s->v, s->n, sizeof key, node_dst_cmp) != NULL;
}

/* Whether a relay's route leaves its chip: a head's, to other chips' relays. */
static int is_head_relay(const struct ax_prog *p, const struct ax_prog_opmap *o,
                         const struct ax_prog_route *rt)
{
    int leaves = 0;
    for (uint32_t d = 0; rt && d < rt->n_dst; d++)
        leaves |= rt->dst[d].core / p->cores_per_chip != o->core / p->cores_per_chip;
    return leaves;
}

static void check_relay(const struct ax_prog *p, const struct ax_prog_opmap *o,
                        const struct ax_isa_instr *in, void *user)
{
    struct relays *r = user;
    const struct ax_prog_route *rt = in->b < p->n_routes ? &p->routes[in->b] : NULL;
    int is_head = is_head_relay(p, o, rt);
    if (r->pass == 0) {
        if (is_head)
            note_emit(p, o, in, &r->heads);
        return;
    }
    CHECK(rt && rt->kind == AX_PROG_ROUTE_SPIKES && rt->n_dst > 0);
    /* a head took its events from the encoder; a chip's relay from the
     * encoder or a head */
    CHECK(is_emitted(&r->emits, o->node, o->core) ||
          (!is_head && is_emitted(&r->heads, o->node, o->core)));
    for (uint32_t d = 0; rt && d < rt->n_dst; d++) {
        uint32_t chip = rt->dst[d].core / p->cores_per_chip;
        CHECK(is_head || chip == o->core / p->cores_per_chip);
        /* a head feeds one relay a chip, on other chips (routes ascend) */
        CHECK(!is_head || (chip != o->core / p->cores_per_chip &&
                           (d == 0 || chip != rt->dst[d - 1].core / p->cores_per_chip)));
        CHECK(!is_emitted(&r->emits, o->node, rt->dst[d].core));
        CHECK(is_head || !is_emitted(&r->heads, o->node, rt->dst[d].core));
    }
    if (!r->is_relaying[o->node]) {
        r->is_relaying[o->node] = 1;
        r->n_nodes++;
    }
}

/* Relayed spikes (mapping/emit.c, choose_relays): a head passes its
 * events on to other chips' relays, one a chip, and took them from the
 * encoder; a chip's relay passes them on only to cores of its own chip and
 * took them from the encoder or a head; a core either feeds takes none
 * from the encoder, nor, fed by a chip's relay, from a head (a core takes
 * all its events at one barrier). Returns how many graph nodes relay;
 * *n_heads (if not NULL) how many destinations the heads' relays have. */
static uint32_t check_relays_heads(const struct ax_prog *p, uint32_t *n_heads)
{
    uint32_t top = 0;
    for (uint32_t i = 0; i < p->n_opmap; i++)
        top = p->opmap[i].node >= top ? p->opmap[i].node + 1 : top;
    struct relays r = {{NULL, 0, 0}, {NULL, 0, 0}, calloc((size_t)top + 1, 1), 0, 0};
    CHECK(r.is_relaying != NULL);
    for_each_op(p, AX_ISA_EMIT, note_emit, &r.emits);
    if (r.emits.v)
        qsort(r.emits.v, r.emits.n, sizeof *r.emits.v, node_dst_cmp);
    for (r.pass = 0; r.is_relaying && r.pass < 2; r.pass++) {
        for_each_op(p, AX_ISA_RELAY, check_relay, &r);
        if (r.pass == 0 && r.heads.v)
            qsort(r.heads.v, r.heads.n, sizeof *r.heads.v, node_dst_cmp);
    }
    if (n_heads)
        *n_heads = (uint32_t)r.heads.n;
    free(r.emits.v);
    free(r.heads.v);
    free(r.is_relaying);
    return r.n_nodes;
}

static uint32_t check_relays(const struct ax_prog *p)
{
    return check_relays_heads(p, NULL);
}

/* Maps and emits the 7B on loihi2-like with spiking mode `mode`. */
/* Per length, how many `psumsend`s of node `node` send that many words
 * (the vector length its last `setlen` set): counts[len], len < n. */
static void count_sends_by_len(const struct ax_prog *p, uint32_t node, uint32_t *counts, uint32_t n)
{
    for (uint32_t c = 0; c < p->n_code; c++) {
        const struct ax_prog_code *code = &p->code[c];
        uint64_t len = 0;
        for (uint32_t i = 0; i < p->n_opmap; i++) {
            const struct ax_prog_opmap *o = &p->opmap[i];
            if (o->core != code->core)
                continue;
            for (uint32_t k = o->first; k < o->first + o->count && k < code->n_instr; k++) {
                struct ax_isa_instr in;
                if (ax_isa_decode(code->words[k], &in) != 0)
                    continue;
                if (in.op == AX_ISA_SETLEN)
                    len = in.a;
                else if (in.op == AX_ISA_PSUMSEND && o->node == node && len < n)
                    counts[len]++;
            }
        }
    }
}

/* Where the 7B's values and windows' inputs go (mapping/map.c,
 * packing_order; mapping/emit.c, relay):
 *   - each RoPE's value on the core of its operand's value (q's and k's of
 *     the 14 SWA layers), no message a word between them;
 *   - each SwiGLU group's shards spread over the chips of its down_proj's
 *     blocks (packed together, the 27 shards took two chips, and all of
 *     down_proj's input left through one chip boundary);
 *   - the q, k and v of each window (32 blocks) relayed in chunks: a binary
 *     tree of 32 cores has 6 levels (1, 2, 4, 8, 16 and 1), so q's 896 words
 *     go as 5 chunks of 160 and one of 96 (896 / 6 rounded up to a multiple
 *     of 32, tree_chunk), k's and v's 128 as 4 of 32 each; each chunk takes
 *     17 sends (the source's and the tree's 16 inner nodes'); no send of a
 *     whole q;
 *   - the windows' partial attentions folded and sent head by head, never
 *     all 7 heads' 910 words at once (mapping/emit.c, window_step). */
/* The chips the shards of value object `v` lie on (at most 64 told). */
static uint32_t shard_chips(const struct ax_map *m, uint32_t v)
{
    uint32_t chips[64], n_chips = 0;
    const struct ax_map_object *s = &m->objects[v];
    for (uint32_t r = 0; r < s->n_blocks; r++) {
        uint32_t chip = m->blocks[s->first_block + r].core / m->cores_per_chip, k = 0;
        while (k < n_chips && chips[k] != chip)
            k++;
        if (k == n_chips && n_chips < 64)
            chips[n_chips++] = chip;
    }
    return n_chips;
}

/* The cores the shards of value object `v` lie on, when all differ; else 0. */
static uint32_t shard_cores(const struct ax_map *m, uint32_t v)
{
    const struct ax_map_object *s = &m->objects[v];
    for (uint32_t r = 0; r < s->n_blocks; r++)
        for (uint32_t q = 0; q < r; q++)
            if (m->blocks[s->first_block + r].core == m->blocks[s->first_block + q].core)
                return 0;
    return s->n_blocks;
}

/* Whether every shard of GLA `id`'s q lies on the core of the state block
 * that holds the head of its first row (packing_order): q's 3,584 rows cut
 * into q_proj's 5 row ranges of 719. */
static int q_beside_heads(const struct ax_map *m, const struct ax_ir_graph *g, uint32_t id)
{
    const struct ax_map_object *q = &m->objects[m->node_value[g->nodes[id].inputs[0]]];
    uint32_t s = m->node_value[id] - 1, beside = 0;
    if (q->n_blocks != 5 || m->objects[s].kind != AX_MAP_STATE || m->objects[s].gla_cols)
        return 0;
    for (uint32_t r = 0; r < q->n_blocks; r++) {
        uint32_t head = m->blocks[q->first_block + r].row0 / g->nodes[id].head_dim;
        for (uint32_t b = m->objects[s].first_block;
             b < m->objects[s].first_block + m->objects[s].n_blocks; b++)
            beside += head >= m->blocks[b].row0 && head < m->blocks[b].row0 + m->blocks[b].rows &&
                      m->blocks[b].core == m->blocks[q->first_block + r].core;
    }
    return beside == 5 && shard_cores(m, m->node_value[g->nodes[id].inputs[0]]) == 5;
}

/* Instructions of `op` that node `id`'s code runs on `core` (any core:
 * UINT32_MAX), with the flags `flags` (any: UINT32_MAX). `code_of`: per
 * core, its code record. */
static uint32_t node_ops(const struct ax_prog *p, const uint32_t *code_of, uint32_t id,
                         uint32_t core, enum ax_isa_op op, uint32_t flags)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->n_opmap; i++) {
        const struct ax_prog_opmap *o = &p->opmap[i];
        if (o->node != id || (core != UINT32_MAX && o->core != core))
            continue;
        const struct ax_prog_code *c = &p->code[code_of[o->core]];
        for (uint32_t k = o->first; k < o->first + o->count; k++) {
            struct ax_isa_instr in;
            n += ax_isa_decode(c->words[k], &in) == 0 && in.op == op &&
                 (flags == UINT32_MAX || in.flags == flags);
        }
    }
    return n;
}

/* The 7B's residual stream cut into shards (docs/mapping.md, "The
 * residual stream cut into shards"): o_proj's and down_proj's row ranges
 * of 719 rows (the last 708), five shards of each add, each on the core of
 * the same shard of the projection it adds; each of the 56 norms of the
 * layers on five shards, their sum of squares passed along them (`sumacc`
 * once a shard, the first starting the total, a total taken in on four),
 * and its first projection's threshold the same way (`threshof` and
 * `encode` once a shard); the last norm, read densely by lm_head, whole. */
static void check_7b_stream(const struct ax_prog *p, const struct ax_map *m,
                            const struct ax_ir_graph *g)
{
    uint32_t n_add = 0, n_beside = 0, n_norm = 0, n_chain = 0, n_whole = 0, top = 0;
    for (uint32_t c = 0; c < p->n_code; c++)
        top = p->code[c].core >= top ? p->code[c].core + 1 : top;
    uint32_t *code_of = calloc((size_t)top + 1, sizeof *code_of);
    if (!code_of) {
        CHECK(0);
        return;
    }
    for (uint32_t c = 0; c < p->n_code; c++)
        code_of[p->code[c].core] = c;
    CHECK(m->stream_rows == 719 && strcmp(ax_prog_meta(p, "stream_rows"), "719") == 0);
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        const struct ax_ir_node *n = &g->nodes[id];
        const struct ax_map_object *v = &m->objects[m->node_value[id]];
        if (n->op == AX_IR_ADD) {
            const struct ax_map_object *w = &m->objects[m->node_value[n->inputs[1]]];
            n_add++;
            int beside = v->is_stream && v->n_blocks == 5 && w->is_stream && w->n_blocks == 5;
            for (uint32_t r = 0; beside && r < 5; r++)
                beside = m->blocks[v->first_block + r].core == m->blocks[w->first_block + r].core &&
                         m->blocks[v->first_block + r].rows == (r < 4 ? 719 : 708);
            n_beside += beside;
        }
        if (n->op != AX_IR_RMSNORM || n->group != n->out_dim)
            continue;
        if (!v->is_stream) {
            n_whole += v->n_blocks == 1 && g->nodes[id + 1].op == AX_IR_LM_HEAD;
            continue;
        }
        n_norm += v->n_blocks == 5;
        uint32_t first = id + 1; /* its first reader: q_proj or gate_proj */
        int chain = node_ops(p, code_of, id, UINT32_MAX, AX_ISA_SUMACC, UINT32_MAX) == 5 &&
                    node_ops(p, code_of, id, UINT32_MAX, AX_ISA_SUMACC,
                             AX_ISA_SUMACC_SQUARES | AX_ISA_SUMACC_START) == 1 &&
                    node_ops(p, code_of, id, UINT32_MAX, AX_ISA_RMSSCALE, UINT32_MAX) == 5 &&
                    node_ops(p, code_of, first, UINT32_MAX, AX_ISA_SUMACC, 0) == 4 &&
                    node_ops(p, code_of, first, UINT32_MAX, AX_ISA_THRESHOF, UINT32_MAX) == 5 &&
                    node_ops(p, code_of, first, UINT32_MAX, AX_ISA_ENCODE, UINT32_MAX) == 5 &&
                    node_ops(p, code_of, first, UINT32_MAX, AX_ISA_THRESH, UINT32_MAX) == 0;
        for (uint32_t r = 0; chain && r < 5; r++) { /* a total in along the chain, then back */
            uint32_t c = m->blocks[v->first_block + r].core;
            chain = node_ops(p, code_of, id, c, AX_ISA_PSUMRECV, AX_ISA_PSUMRECV_COPY) ==
                    (r == 0 || r == 4 ? 1 : 2);
        }
        n_chain += chain;
    }
    CHECK(n_add == 56 && n_beside == 56);
    CHECK(n_norm == 56 && n_chain == 56 && n_whole == 1);
    if (n_beside != 56 || n_chain != 56 || n_whole != 1)
        fprintf(stderr,
                "  %u of %u adds beside their projection's shards; %u of %u norms chained; "
                "%u last norm whole\n",
                n_beside, n_add, n_chain, n_norm, n_whole);
    free(code_of);
}

static void check_7b_placement(const struct ax_prog *p, const struct ax_map *m,
                               const struct ax_ir_graph *g)
{
    uint32_t n_rope = 0, n_beside = 0, n_glu = 0, n_spread = 0, n_gla = 0, n_q = 0;
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        const struct ax_ir_node *n = &g->nodes[id];
        if (n->op == AX_IR_GLA) {
            n_gla++;
            n_q += q_beside_heads(m, g, id);
        }
        /* the logits cut by lm_head's 212 row ranges of 719 rows (the last
         * 355), each shard after its rows, over the chips of lm_head's
         * blocks (5,936 in half a core each, 128 cores a chip: 23) */
        if (n->op == AX_IR_LM_HEAD) {
            uint32_t v = m->node_value[id];
            CHECK(m->objects[v].n_blocks == 212 && shard_cores(m, v) == 212 &&
                  shard_chips(m, v) >= 20);
            if (shard_chips(m, v) < 20)
                fprintf(stderr, "  logit shards on %u chips\n", shard_chips(m, v));
        }
        if (n->op == AX_IR_ROPE) {
            n_rope++;
            n_beside += ax_map_value_core(m, m->node_value[id], 0) ==
                        ax_map_value_core(m, m->node_value[n->inputs[0]], 0);
        }
        if (n->op == AX_IR_SWA) {
            uint32_t counts[1024] = {0};
            count_sends_by_len(p, id, counts, 1024);
            CHECK(counts[160] == 4 * 5 * 17 && counts[96] == 4 * 17 &&
                  counts[32] == 4 * 2 * 4 * 17 && counts[896] == 0 && counts[256] == 0);
            /* 16 of a window's 32 blocks fold children's parts and send
             * each head's folded part (130 words), the other 16 each
             * head's outputs (128) and its (max, sum) pair (2) */
            CHECK(counts[128] == 4 * 16 * 7 && counts[130] == 4 * 16 * 7 &&
                  counts[2] == 4 * 16 * 7 && counts[910] == 0);
        }
        if (n->op != AX_IR_SWIGLU || m->objects[m->node_value[id]].shard_lead == UINT32_MAX)
            continue;
        const struct ax_map_object *s = &m->objects[m->node_value[id]];
        uint32_t down = UINT32_MAX;
        for (uint32_t i = 0; i < m->n_objects; i++)
            if (m->objects[i].kind == AX_MAP_WEIGHTS && g->nodes[m->objects[i].node].n_inputs &&
                g->nodes[m->objects[i].node].inputs[0] == id)
                down = i;
        if (down == UINT32_MAX) {
            CHECK(0);
            continue;
        }
        /* the chips the shards lie on: one chip of down_proj's 5.8 (740
         * blocks in half a core each, 128 cores a chip) in 4.5 shards */
        n_glu++;
        n_spread += m->objects[down].n_blocks == 740 && s->n_blocks == 27 &&
                    shard_chips(m, m->node_value[id]) >= 5;
    }
    CHECK(n_rope == 28 && n_beside == 28);
    CHECK(n_gla == 14 && n_q == 14);
    CHECK(n_glu == 28 && n_spread == 28);
    if (n_beside != 28 || n_spread != 28)
        fprintf(stderr, "  %u of %u RoPEs beside their operand; %u of %u SwiGLUs spread\n",
                n_beside, n_rope, n_spread, n_glu);
}

static void check_7b_on_loihi2(enum ax_spike_mode mode)
{
    struct fixture f;
    if (!setup_mode(&f, SRC "/models/nets/spikingbrain-7b", SRC "/models/chips/loihi2-like.yaml",
                    NULL, mode))
        return;
    struct ax_map m;
    if (map_with(&f, &m, AX_OK, AX_MAP_FLOAT_INT8)) {
        check_invariants(&m, f.arch);
        check_values(&m, &f.g);
        /* int8 weights of 7.6 B parameters (--float-weights int8: the
         * matrices the model keeps in float32 too) in 128 x 192 KiB per chip: about
         * 300 chips (issue 5 and docs/sources.md: spikingbrain-code); the open system grows to fit.
         * Values and inboxes may take at most 10% more than the 329 chips of
         * weights and state alone; with paper spiking, whose blocks fill
         * their slots to the word, the stream's shards push the second slot
         * of a core's weights onward more often: 371 chips, 354 with the
         * stream whole (a defect of the packing, docs/mapping.md). */
        uint32_t most = mode == AX_SPIKE_MODE_RELEASED ? 362 : 371;
        CHECK(m.n_chips >= 280 && m.n_chips <= most);
        if (m.n_chips < 280 || m.n_chips > most)
            fprintf(stderr, "  %u chips\n", m.n_chips);
        CHECK(m.n_chips == (m.n_cores_used + m.cores_per_chip - 1) / m.cores_per_chip);
        CHECK(m.traffic_hop_bytes < m.traffic_hop_bytes_naive);
        struct ax_prog p;
        struct ax_spike_options so;
        ax_spike_options_default(&so);
        so.mode = mode;
        struct ax_diag_list d;
        ax_diag_list_init(&d);
        CHECK(ax_map_emit(&m, &f.g, f.arch, &so, "spikingbrain-7b", &p, &d) == AX_OK);
        if (d.n_items)
            ax_diag_print(&d, stderr);
        check_program(&p, &m);
        CHECK(verifies(&p));
        /* a K/V window of 4096 keys (1 MiB a kv head) takes several cores:
         * partial attentions, merged per query head on the value core (14
         * SWA layers x 4 kv heads x 7 query heads) */
        CHECK(count_op(&p, AX_ISA_KVATTN) == 0 && count_op(&p, AX_ISA_KVPART) > 0);
        CHECK(count_op(&p, AX_ISA_KVMERGE) == 14 * 4 * 7);
        /* 128 keys a block (--ring-keys): 32 blocks a window, their parts folded
         * head by head along binary trees (16 places with children, 7 query
         * heads), each block on a core of its own (two such blocks on one
         * core would attend in turn) */
        CHECK(count_op(&p, AX_ISA_KVFOLD) == 14 * 4 * 16 * 7);
        uint32_t shared = 0, split = 0;
        for (uint32_t i = 0; i < m.n_blocks; i++) {
            const struct ax_map_object *o = &m.objects[m.blocks[i].object];
            if (!o->kv_window || m.blocks[i].rows >= o->kv_window)
                continue;
            split++;
            CHECK(m.blocks[i].rows == 128);
            for (uint32_t j = i + 1; j < m.n_blocks && j < i + 64; j++)
                shared += m.blocks[j].core == m.blocks[i].core &&
                          m.objects[m.blocks[j].object].kv_window != 0;
        }
        CHECK(split == 14 * 4 * 32 && shared == 0);
        /* no core holds blocks of two objects of several blocks of one
         * layer (map.c, mark_fresh: their code would run one after the
         * other), and with two slots a core (--spread) most cores hold
         * weights of two layers: the slices of the model folded over the
         * cores */
        size_t n_cores = (size_t)m.n_chips * m.cores_per_chip;
        uint32_t *last = malloc((n_cores + 1) * sizeof *last),
                 *lo = malloc((n_cores + 1) * sizeof *lo);
        uint32_t *hi = calloc(n_cores + 1, sizeof *hi);
        uint32_t n_twice = 0, n_multi = 0, n_layered = 0, n_two = 0;
        for (size_t c = 0; last && lo && hi && c < n_cores; c++)
            last[c] = lo[c] = UINT32_MAX;
        for (uint32_t i = 0; last && lo && hi && i < m.n_blocks; i++) {
            const struct ax_map_block *b = &m.blocks[i];
            const struct ax_map_object *o = &m.objects[b->object];
            unsigned layer;
            if (b->is_dram || o->kind != AX_MAP_WEIGHTS ||
                sscanf(o->name, "model.layers.%u.", &layer) != 1)
                continue;
            lo[b->core] = layer < lo[b->core] ? layer : lo[b->core];
            hi[b->core] = layer > hi[b->core] ? layer : hi[b->core];
            if (o->n_blocks < 2 || o->shard_lead != UINT32_MAX)
                continue;
            n_multi += i == o->first_block;
            uint32_t prev = last[b->core];
            unsigned prev_layer;
            n_twice += prev != UINT32_MAX && prev != b->object &&
                       sscanf(m.objects[prev].name, "model.layers.%u.", &prev_layer) == 1 &&
                       prev_layer == layer;
            last[b->core] = b->object;
        }
        for (size_t c = 0; last && lo && hi && c < n_cores; c++) {
            n_layered += lo[c] != UINT32_MAX;
            n_two += lo[c] != UINT32_MAX && hi[c] > lo[c];
        }
        CHECK(last && lo && hi && n_multi == 28 * 7 &&
              n_twice == 0); /* q, k, v, o, gate, up, down */
        CHECK(n_two * 10 >= n_layered * 6);
        if (n_twice || n_two * 10 < n_layered * 6)
            fprintf(
                stderr,
                "  %u cores hold two objects of one layer; %u of %u hold two layers; %u objects\n",
                n_twice, n_two, n_layered, n_multi);
        free(last);
        free(lo);
        free(hi);
        check_lm_head_relayed(&p, &m, &f.g);
        if (mode == AX_SPIKE_MODE_RELEASED)
            check_7b_placement(&p, &m, &f.g);
        if (mode == AX_SPIKE_MODE_RELEASED)
            check_7b_stream(&p, &m, &f.g);
        /* q_proj, o_proj, gate_proj and up_proj of the 28 layers relay:
         * their column groups have several cores on a chip (k_proj's,
         * v_proj's and gk_proj's one); paper spiking adds down_proj */
        uint32_t n_head_sends = 0, n_relaying = check_relays_heads(&p, &n_head_sends);
        CHECK(mode == AX_SPIKE_MODE_RELEASED ? n_relaying == 28 * 4 : n_relaying > 28 * 4);
        /* heads take over most of the encoders' sends to the chips'
         * relays: the cores an encoder reaches, each once a projection
         * however many shards of a cut stream send it their columns
         * (released: 4,718 emitted, 10,601 from heads; paper: 8,862 and
         * 26,892; counted when written) */
        struct sends emits = {NULL, 0, 0};
        for_each_op(&p, AX_ISA_EMIT, note_emit, &emits);
        if (emits.v)
            qsort(emits.v, emits.n, sizeof *emits.v, node_dst_cmp);
        size_t n_distinct = 0;
        for (size_t i = 0; i < emits.n; i++)
            if (n_distinct == 0 || node_dst_cmp(&emits.v[i], &emits.v[n_distinct - 1]) != 0)
                emits.v[n_distinct++] = emits.v[i];
        emits.n = n_distinct;
        CHECK(emits.n > 0 && 2 * emits.n < n_head_sends);
        if (!(emits.n > 0 && 2 * emits.n < n_head_sends))
            fprintf(stderr, "  %zu sends emitted, %u from heads\n", emits.n, n_head_sends);
        free(emits.v);
        ax_prog_free(&p);
        ax_diag_list_free(&d);
        ax_map_free(&m);
    }
    teardown(&f);
}

/* `text` with its first `find` replaced (a new string; `text` is kept). */
static char *base_with_text(const char *text, const char *find, const char *replace)
{
    const char *at = strstr(text, find);
    CHECK(at != NULL);
    if (!at)
        return NULL;
    char *out = ax_mem_alloc(strlen(text) + strlen(replace) + 1);
    memcpy(out, text, (size_t)(at - text));
    strcpy(out + (at - text), replace);
    strcat(out, at + strlen(find));
    return out;
}

/* tests/chip/data/base.yaml (4 fixed chips of 16 cores, 64 KiB each, with
 * DRAM) with one replacement. */
static char *base_with(const char *find, const char *replace)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    char *text;
    size_t len;
    CHECK(ax_fs_read_file(SRC "/tests/chip/data/base.yaml", 1 << 20, &text, &len, &d) == AX_OK);
    ax_diag_list_free(&d);
    char *out = text ? base_with_text(text, find, replace) : NULL;
    ax_mem_free(text);
    return out;
}

static void test_small_system_streams_from_dram(void)
{
    char *chip = base_with("chips: 4", "chips: 2");
    struct fixture f;
    if (chip && setup(&f, SRC "/models/nets/spikingbrain-tiny", NULL, chip)) {
        struct ax_map m;
        if (map(&f, &m, AX_OK)) {
            check_invariants(&m, f.arch);
            CHECK(m.n_chips == 2 && m.n_cores_used == 32 && m.dram_bytes > 0);
            CHECK(m.spread == 1); /* blocks that stream take whole cores' staging areas */
            /* resident blocks leave the staging buffer free, and every
             * streamed block fits in it */
            double cap = ax_arch_desc(f.arch)->chip.core.sram.capacity_bytes;
            CHECK(m.staging_bytes > 0 && m.staging_bytes <= cap / 2);
            CHECK(m.sram_max + m.staging_bytes <= cap);
            int fits = 1;
            for (uint32_t i = 0; i < m.n_blocks; i++)
                fits &= !m.blocks[i].is_dram || m.blocks[i].bytes <= m.staging_bytes;
            CHECK(fits);
            check_values(&m, &f.g);
            /* the program streams the blocks through staging areas */
            struct ax_prog p;
            struct ax_spike_options so;
            ax_spike_options_default(&so);
            struct ax_diag_list d;
            ax_diag_list_init(&d);
            CHECK(ax_map_emit(&m, &f.g, f.arch, &so, "tiny", &p, &d) == AX_OK);
            if (d.n_items)
                ax_diag_print(&d, stderr);
            check_program(&p, &m);
            CHECK(verifies(&p));
            uint32_t n_staging = 0;
            for (uint32_t i = 0; i < p.n_buffers; i++)
                n_staging += p.buffers[i].kind == AX_PROG_BUF_STAGING;
            CHECK(n_staging > 0);
            ax_prog_free(&p);
            ax_diag_list_free(&d);
            ax_map_free(&m);
        }
        teardown(&f);
    }
    ax_mem_free(chip);
}

static void test_too_small_without_dram(void)
{
    char *chip = base_with("  dram: {capacity: 1 GiB, bandwidth: 10 GB/s, energy_per_byte: 100 pJ/B, "
                           "latency: 50 ns}\n", "");
    struct fixture f;
    /* the small model needs about 80 cores of 64 KiB; the system has 64 */
    if (chip && setup(&f, SRC "/models/nets/spikingbrain-tiny", NULL, chip)) {
        struct ax_map m;
        struct ax_map_options opt;
        ax_map_default_options(&opt);
        struct ax_diag_list d;
        ax_diag_list_init(&d);
        CHECK(ax_map_build(&f.g, f.arch, &opt, &m, &d) == AX_ERR_INVALID);
        if (d.n_items != 1)
            ax_diag_print(&d, stderr);
        CHECK(d.n_items == 1 && strstr(d.items[0].message, "does not fit: the system offers 64 cores"));
        ax_diag_list_free(&d);
        teardown(&f);
    }
    ax_mem_free(chip);
}

static void test_core_too_small_for_a_group(void)
{
    char *chip = base_with("capacity: 64 KiB", "capacity: 100 B");
    struct fixture f;
    if (chip && setup(&f, SRC "/models/nets/spikingbrain-tiny", NULL, chip)) {
        struct ax_map m;
        struct ax_map_options opt;
        ax_map_default_options(&opt);
        opt.float_weights = AX_MAP_FLOAT_INT8; /* int8 codes: 128 + a scale + an accumulator */
        struct ax_diag_list d;
        ax_diag_list_init(&d);
        CHECK(ax_map_build(&f.g, f.arch, &opt, &m, &d) == AX_ERR_INVALID);
        CHECK(d.n_items >= 1 && strstr(d.items[0].message, "needs 136 bytes of SRAM; a core offers 100"));
        ax_diag_list_free(&d);
        teardown(&f);
    }
    ax_mem_free(chip);
}

/* Whether instructions of node `node` on `core` include one of `op`. */
static int node_has_op(const struct ax_prog *p, uint32_t node, uint32_t core, enum ax_isa_op op)
{
    const struct ax_prog_code *code = NULL;
    for (uint32_t i = 0; i < p->n_code; i++)
        if (p->code[i].core == core)
            code = &p->code[i];
    for (uint32_t i = 0; code && i < p->n_opmap; i++) {
        const struct ax_prog_opmap *o = &p->opmap[i];
        if (o->node != node || o->core != core)
            continue;
        for (uint32_t k = o->first; k < o->first + o->count; k++) {
            struct ax_isa_instr in;
            if (ax_isa_decode(code->words[k], &in) == 0 && in.op == op)
                return 1;
        }
    }
    return 0;
}

/* A residual add whose operands live on two cores: the program moves the
 * remote one (psumsend there, psumrecv where the add runs). Returns the
 * number of such adds. */
static uint32_t check_operand_moves(const struct ax_prog *p, const struct ax_ir_graph *g)
{
    uint32_t n_moves = 0;
    for (uint32_t id = 0; id < g->n_nodes; id++) {
        if (g->nodes[id].op != AX_IR_ADD)
            continue;
        uint32_t cores[8], n = 0;
        for (uint32_t i = 0; i < p->n_opmap && n < 8; i++)
            if (p->opmap[i].node == id) {
                int seen = 0;
                for (uint32_t k = 0; k < n; k++)
                    seen |= cores[k] == p->opmap[i].core;
                if (!seen)
                    cores[n++] = p->opmap[i].core;
            }
        if (n < 2)
            continue;
        int sends = 0, receives = 0;
        for (uint32_t k = 0; k < n; k++) {
            sends += node_has_op(p, id, cores[k], AX_ISA_PSUMSEND);
            receives += node_has_op(p, id, cores[k], AX_ISA_PSUMRECV);
        }
        CHECK(sends >= 1 && receives >= 1);
        n_moves++;
    }
    return n_moves;
}

/* How many instructions of `op` the program holds. */
static uint32_t count_op(const struct ax_prog *p, enum ax_isa_op op)
{
    uint32_t n = 0;
    for (uint32_t c = 0; c < p->n_code; c++)
        for (uint32_t i = 0; i < p->code[c].n_instr; i++) {
            struct ax_isa_instr in;
            n += ax_isa_decode(p->code[c].words[i], &in) == 0 && in.op == op;
        }
    return n;
}

/* The program's shape follows the mapping: one `encode` per value that a
 * spiking projection reads (q, k, v and gk share one; one per shard of a
 * stream value cut into shards, with a `threshof` each) and one per head of
 * each state block of a spiking SWA (its query spikes per head), one
 * barrier per spiking projection (each projection's events go out on their
 * own) and one more for each that relays (`n_relaying`: the relays' events
 * are complete at a second) or, on routers that replicate packets, one per
 * value they read (one emission feeds them all), one `lookup` per embedding
 * block, a state record per state block, and a `halt` ending every core
 * with code. */
static void check_shape(const struct ax_prog *p, const struct ax_map *m, const struct ax_ir_graph *g,
                        int is_multicast, uint32_t n_relaying)
{
    uint32_t n_encoded = 0, n_values = 0, n_spiking = 0, n_lookup = 0, n_state = 0, n_shards = 0;
    for (uint32_t i = 0; i < m->n_objects; i++) {
        const struct ax_map_object *o = &m->objects[i];
        const struct ax_ir_node *n = &g->nodes[o->node];
        n_values += o->kind == AX_MAP_VALUE && o->needs.has_counts;
        /* a stream value cut into shards: each encodes its rows, from a threshold of all */
        n_shards +=
            o->kind == AX_MAP_VALUE && o->needs.has_counts && o->n_blocks > 1 ? o->n_blocks : 0;
        CHECK(o->n_blocks < 2 || !o->needs.has_counts || o->is_stream);
        n_spiking += o->kind == AX_MAP_WEIGHTS && o->is_spiking;
        n_lookup += o->kind == AX_MAP_WEIGHTS && n->op == AX_IR_EMBEDDING ? o->n_blocks : 0;
        n_state += o->kind == AX_MAP_STATE ? o->n_blocks : 0;
        if (o->kind == AX_MAP_STATE && n->op == AX_IR_SWA && n->spike == AX_IR_SPIKE_SPIKE)
            n_encoded += o->n_blocks * n->heads;
    }
    n_encoded += n_values;
    CHECK(n_values > 0 && n_values < n_spiking);
    /* a whole value: thresh and encode; a stream value's n shards: threshof and encode each */
    uint32_t n_cut = 0;
    for (uint32_t i = 0; i < m->n_objects; i++)
        n_cut += m->objects[i].kind == AX_MAP_VALUE && m->objects[i].needs.has_counts &&
                 m->objects[i].n_blocks > 1;
    CHECK(count_op(p, AX_ISA_THRESH) == n_encoded - n_cut);
    CHECK(count_op(p, AX_ISA_THRESHOF) == n_shards);
    CHECK(count_op(p, AX_ISA_ENCODE) == n_encoded - n_cut + n_shards);
    CHECK(p->n_barriers == (is_multicast ? n_values : n_spiking + n_relaying));
    CHECK(count_op(p, AX_ISA_LOOKUP) == n_lookup);
    CHECK(p->n_states == n_state);
    CHECK(count_op(p, AX_ISA_HALT) == p->n_code);
}

/* The emitted program of the small model: valid, every weight block a
 * reference to a tensor of the checkpoint, operands moved to the core that
 * uses them, the text form round-trips. */
static void test_emit_tiny(void)
{
    struct fixture f;
    if (!setup(&f, SRC "/models/nets/spikingbrain-tiny", SRC "/models/chips/loihi2-like.yaml", NULL))
        return;
    struct ax_map m;
    if (map(&f, &m, AX_OK)) {
        struct ax_prog p;
        struct ax_diag_list d;
        ax_diag_list_init(&d);
        struct ax_spike_options so;
        ax_spike_options_default(&so);
        CHECK(ax_map_emit(&m, &f.g, f.arch, &so, "tiny", &p, &d) == AX_OK);
        CHECK(p.n_code <= m.n_cores_used && p.n_code > m.n_cores_used / 2);
        check_program(&p, &m);
        check_shape(&p, &m, &f.g, 0, check_relays(&p));
        /* its window of 64 keys fits a core whole: one kvattn per SWA block */
        CHECK(count_op(&p, AX_ISA_KVATTN) > 0 && count_op(&p, AX_ISA_KVPART) == 0 &&
              count_op(&p, AX_ISA_KVMERGE) == 0);
        CHECK(verifies(&p));
        CHECK(p.n_nodes == f.g.n_nodes && p.cores_per_chip == m.cores_per_chip);
        int named = 1;
        for (uint32_t i = 0; i < p.n_weights; i++)
            named &= ax_model_tensors_find(&f.model->expected, p.weights[i].tensor) != NULL;
        CHECK(p.n_weights > 0 && named);
        CHECK(check_operand_moves(&p, &f.g) > 0);
        unsigned char *bytes = NULL;
        size_t len = 0;
        CHECK(ax_prog_encode(&p, &bytes, &len, &d) == AX_OK);
        struct ax_prog back;
        CHECK(bytes && ax_prog_decode(&back, "tiny.axb", bytes, len, &d) == AX_OK);
        CHECK(back.n_weights == p.n_weights && back.n_code == p.n_code);
        if (d.n_items)
            ax_diag_print(&d, stderr);
        /* and the check sees a wait that nothing feeds: one more message owed
         * to the last receive (partial sums; the first takes the embedding's
         * row, which any of the table's blocks may send) */
        int changed = 0;
        for (uint32_t c = p.n_code; c-- > 0 && !changed;)
            for (uint32_t i = p.code[c].n_instr; i-- > 0 && !changed;) {
                struct ax_isa_instr in;
                if (ax_isa_decode(p.code[c].words[i], &in) == 0 && in.op == AX_ISA_PSUMRECV) {
                    in.b++;
                    changed = ax_isa_encode(&in, &p.code[c].words[i]) == 0;
                }
            }
        CHECK(changed && !verifies(&p));
        ax_prog_free(&back);
        ax_mem_free(bytes);
        ax_prog_free(&p);
        ax_diag_list_free(&d);
        ax_map_free(&m);
    }
    teardown(&f);
}

/* The reduction trees' shape (ax_map.h): the n blocks of a row range form
 * a heap in column order, block j > 0 under block (j - 1) / f. Worked out
 * here for n = 6: with f = 2, 1 and 2 under 0, 3 and 4 under 1, 5 under 2;
 * with f = 3, 1, 2 and 3 under 0, 4 and 5 under 1. */
static void check_heap(const struct ax_map *m, uint32_t first, uint32_t f)
{
    static const uint32_t parent2[6] = {UINT32_MAX, 0, 0, 1, 1, 2};
    static const uint32_t parent3[6] = {UINT32_MAX, 0, 0, 0, 1, 1};
    static const uint32_t kids2[6][2] = {{1, 2}, {3, 2}, {5, 1}, {0, 0}, {0, 0}, {0, 0}};
    static const uint32_t kids3[6][2] = {{1, 3}, {4, 2}, {0, 0}, {0, 0}, {0, 0}, {0, 0}};
    int same = 1;
    for (uint32_t j = 0; j < 6; j++) {
        uint32_t want = (f == 2 ? parent2 : parent3)[j], c0, n;
        uint32_t got = ax_map_reduce_parent(m, first + j);
        same &= want == UINT32_MAX ? got == UINT32_MAX : got == first + want;
        ax_map_reduce_children(m, first + j, &c0, &n);
        const uint32_t *k = (f == 2 ? kids2 : kids3)[j];
        same &= n == k[1] && (n == 0 || c0 == first + k[0]);
    }
    CHECK(same);
}

/* The partial sums a node's psumrecv instructions wait for on `core` (into
 * an accumulator or a value, not a dense block's inbox): their largest
 * count, in *total their sum, and in *into_acc (may be NULL) how many of
 * those instructions add into accumulators (a tree step's, one a chunk). */
static uint32_t node_receives(const struct ax_prog *p, uint32_t node, uint32_t core,
                              uint32_t *total, uint32_t *into_acc)
{
    const struct ax_prog_code *code = NULL;
    uint32_t most = 0, acc = 0;
    *total = 0;
    for (uint32_t i = 0; i < p->n_code; i++)
        if (p->code[i].core == core)
            code = &p->code[i];
    for (uint32_t i = 0; code && i < p->n_opmap; i++) {
        const struct ax_prog_opmap *o = &p->opmap[i];
        for (uint32_t k = o->first; o->node == node && o->core == core && k < o->first + o->count; k++) {
            struct ax_isa_instr in;
            if (ax_isa_decode(code->words[k], &in) != 0 || in.op != AX_ISA_PSUMRECV)
                continue;
            const struct ax_prog_buffer *b = ax_prog_buffer_at(p, core, (uint32_t)in.a);
            if (b && b->kind != AX_PROG_BUF_INBOX) {
                most = in.b > most ? (uint32_t)in.b : most;
                *total += (uint32_t)in.b;
                acc += b->kind == AX_PROG_BUF_ACC;
            }
        }
    }
    if (into_acc)
        *into_acc = acc;
    return most;
}

/* base.yaml with cores of 24 KiB and as many chips as a model needs: the
 * small model's int8 matrices then take several blocks a row range. */
static char *small_cores_chip(void)
{
    char *small = base_with("capacity: 64 KiB", "capacity: 24 KiB");
    char *chip = small ? base_with_text(small, "chips: 4\n  max_chips: 8", "chips: open") : NULL;
    ax_mem_free(small);
    return chip;
}

/* Partial sums along trees (--reduce-fanin) and flat, on chips of 16 cores
 * of 24 KiB, as many as the model needs, where the small model's int8 matrices of 256 and 768 inputs need several
 * column blocks per row range. Flat, the value of a projection receives one
 * message per block on another core; with fan-in f no weight block's core
 * receives more than f messages at once, and the value one per row range. */
/* Maps f's graph with `opt` and emits its program into *p: 1, or 0 (and a
 * failed check) when either fails. */
static int map_and_emit(struct fixture *f, const struct ax_map_options *opt, struct ax_map *m,
                        struct ax_prog *p)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_spike_options so;
    ax_spike_options_default(&so);
    int is_mapped = ax_map_build(&f->g, f->arch, opt, m, &d) == AX_OK;
    int is_emitted = is_mapped && ax_map_emit(m, &f->g, f->arch, &so, "tiny", p, &d) == AX_OK;
    if (!is_emitted)
        ax_diag_print(&d, stderr);
    ax_diag_list_free(&d);
    CHECK(is_emitted);
    if (is_mapped && !is_emitted)
        ax_map_free(m);
    return is_emitted;
}

/* --relay off: the encoder and the input's core send to every core
 * themselves; on (the default) the small model's q, o, gate and up
 * projections relay on loihi2-like. The choice is recorded. */
static void test_relay_option(void)
{
    struct fixture f;
    if (!setup(&f, SRC "/models/nets/spikingbrain-tiny", SRC "/models/chips/loihi2-like.yaml", NULL))
        return;
    for (uint32_t relay = 0; relay < 2; relay++) {
        struct ax_map_options opt;
        ax_map_default_options(&opt);
        CHECK(opt.relay == 1);
        opt.float_weights = AX_MAP_FLOAT_KEEP;
        opt.relay = relay;
        struct ax_map m;
        struct ax_prog p;
        if (!map_and_emit(&f, &opt, &m, &p))
            break;
        CHECK(verifies(&p));
        CHECK(strcmp(ax_prog_meta(&p, "relay"), relay ? "on" : "off") == 0);
        uint32_t n_relaying = check_relays(&p);
        CHECK(relay ? n_relaying > 0 && count_op(&p, AX_ISA_RELAY) > 0
                    : n_relaying == 0 && count_op(&p, AX_ISA_RELAY) == 0);
        check_shape(&p, &m, &f.g, 0, n_relaying);
        ax_prog_free(&p);
        ax_map_free(&m);
    }
    teardown(&f);
}

/* --spread K: weight blocks of at most 1/K of a core's SRAM (in words),
 * no core with two blocks of one object, every core within its SRAM and
 * neurons. The small model's weights then take more blocks (on
 * loihi2-like, 60 at one slot a core and 158 at four, counted when
 * written: its smallest matrices fit a quarter core whole) on no more
 * cores (45 and 37: slots pack the values and state in the room that
 * whole-core blocks left). The choice is recorded. */
static void test_spread(void)
{
    struct fixture f;
    if (!setup(&f, SRC "/models/nets/spikingbrain-tiny", SRC "/models/chips/loihi2-like.yaml",
               NULL))
        return;
    uint32_t blocks[2] = {0, 0}, cores[2] = {0, 0};
    for (uint32_t k = 0; k < 2; k++) {
        struct ax_map_options opt;
        ax_map_default_options(&opt);
        CHECK(opt.spread == 0); /* 2, or 1 for a batch */
        opt.float_weights = AX_MAP_FLOAT_KEEP;
        opt.spread = k ? 4 : 1;
        opt.stream = 0; /* a cut stream takes its writers' rows to its shards' */
        struct ax_map m;
        struct ax_prog p;
        if (!map_and_emit(&f, &opt, &m, &p))
            break;
        check_invariants(&m, f.arch);
        double slot =
            floor(ax_arch_desc(f.arch)->chip.core.sram.capacity_bytes / opt.spread / 4.0) * 4.0;
        int within = 1, apart = 1;
        for (uint32_t i = 0; i < m.n_blocks; i++) {
            const struct ax_map_block *b = &m.blocks[i];
            if (m.objects[b->object].kind != AX_MAP_WEIGHTS)
                continue;
            blocks[k]++;
            within &= (double)b->bytes <= slot;
            for (uint32_t j = m.objects[b->object].first_block; j < i; j++)
                apart &= m.blocks[j].core != b->core;
        }
        cores[k] = m.n_cores_used;
        CHECK(within && apart && m.spread == opt.spread);
        char want[8];
        snprintf(want, sizeof want, "%u", opt.spread);
        CHECK(strcmp(ax_prog_meta(&p, "spread"), want) == 0 && verifies(&p));
        ax_prog_free(&p);
        ax_map_free(&m);
    }
    CHECK(2 * blocks[1] >= 5 * blocks[0] && cores[1] <= cores[0]);
    if (2 * blocks[1] < 5 * blocks[0] || cores[1] > cores[0])
        fprintf(stderr, "  %u and %u weight blocks on %u and %u cores\n", blocks[0], blocks[1],
                cores[0], cores[1]);
    teardown(&f);
}

/* --batch: every state block holds a bank per sequence, recorded in the
 * program; a batch packs one slot a core; a GLA head whose banks outgrow a
 * core is cut by value columns, each block columns of one head (glacol). */
static void test_batch(void)
{
    struct fixture f;
    if (!setup(&f, SRC "/models/nets/spikingbrain-tiny", SRC "/models/chips/loihi2-like.yaml",
               NULL))
        return;
    static const uint32_t batches[] = {1, 16};
    for (uint32_t k = 0; k < 2; k++) {
        struct ax_map_options opt;
        ax_map_default_options(&opt);
        opt.batch = batches[k];
        struct ax_map m;
        struct ax_prog p;
        if (!map_and_emit(&f, &opt, &m, &p))
            break;
        check_invariants(&m, f.arch);
        CHECK(verifies(&p) && ax_prog_batch(&p) == batches[k]);
        CHECK(m.spread == (k ? 1u : 2u) && m.batch == batches[k]);
        CHECK(k ? ax_prog_meta(&p, "batch") && strcmp(ax_prog_meta(&p, "batch"), "16") == 0
                : ax_prog_meta(&p, "batch") == NULL);
        uint32_t cut = 0, gla = 0;
        for (uint32_t i = 0; i < m.n_blocks; i++) {
            const struct ax_map_block *b = &m.blocks[i];
            const struct ax_map_object *o = &m.objects[b->object];
            if (o->kind != AX_MAP_STATE || o->kv_window)
                continue;
            gla++;
            CHECK(o->banks == batches[k]);
            if (o->gla_cols) { /* columns of one head, 64 of them */
                cut++;
                CHECK(o->gla_cols == 64 && b->rows < 64 && b->row0 / 64 == (b->row0 + b->rows - 1) / 64);
            }
        }
        CHECK(gla > 0 && (k ? cut == gla : cut == 0));
        for (uint32_t i = 0; i < p.n_states; i++) {
            const struct ax_prog_state *s = &p.states[i];
            CHECK(p.buffers[s->buffer].words == batches[k] * ax_prog_bank_words(s));
            CHECK(s->kind != AX_PROG_STATE_GLACOL || (k == 1 && s->row_bytes == 4 * 64));
        }
        ax_prog_free(&p);
        ax_map_free(&m);
    }
    teardown(&f);
}

/* Chunks a tree of `levels` levels forwards a block of `rows` rows in, at
 * most `cap` rows each (0: whole), worked out for the blocks met here
 * (mapping/emit.c, tree_chunk: as many chunks as levels, rows / levels
 * rounded up to a multiple of 32). Two levels: 38 and 48 rows -> 19, 24 ->
 * 32 a chunk, two chunks (32 + 6, 32 + 16); 76, 84, 86 and 90 rows -> 38
 * .. 45 -> 64, two chunks (64 + 12 .. 64 + 26), three of 32 under a cap of
 * 32. Three levels: 84 and 86 rows -> 28, 29 -> 32, three chunks (32 + 32
 * + 20, 32 + 32 + 22). 0 for a tree not worked out. */
static uint32_t hand_chunks(uint32_t rows, uint32_t levels, uint32_t cap)
{
    static const struct {
        uint32_t rows, levels, at_256, at_32;
    } worked[] = {{38, 2, 2, 2}, {48, 2, 2, 2}, {76, 2, 2, 3}, {84, 2, 2, 3},
                  {86, 2, 2, 3}, {90, 2, 2, 3}, {84, 3, 3, 3}, {86, 3, 3, 3}};
    if (cap == 0)
        return 1;
    for (size_t i = 0; i < sizeof worked / sizeof worked[0]; i++)
        if (worked[i].rows == rows && worked[i].levels == levels && (cap == 256 || cap == 32))
            return cap == 256 ? worked[i].at_256 : worked[i].at_32;
    return 0;
}

static void test_reduction_trees(void)
{
    char *chip = small_cores_chip();
    struct fixture f;
    if (!chip || !setup(&f, SRC "/models/nets/spikingbrain-tiny", NULL, chip)) {
        ax_mem_free(chip);
        return;
    }
    /* fan-in and chunk: flat; trees of 2 and 3 forwarding whole blocks;
     * trees of 2 forwarding chunks of at most 32 and 256 rows (blocks here
     * have 90 or 86 rows, hand_chunks: as many receives as chunks where
     * one took it all) */
    static const uint32_t fanins[] = {0, 2, 3, 2, 2}, chunks[] = {0, 0, 0, 32, 256};
    uint32_t recvs[5] = {0}, n_pinned = 0;
    for (size_t t = 0; t < sizeof fanins / sizeof fanins[0]; t++) {
        uint32_t fanin = fanins[t];
        struct ax_map_options opt;
        ax_map_default_options(&opt);
        opt.float_weights = AX_MAP_FLOAT_INT8;
        opt.reduce_fanin = fanin;
        opt.reduce_chunk = chunks[t];
        opt.stream = 0; /* the trees worked out by hand end in whole values */
        struct ax_map m;
        struct ax_prog p;
        if (!map_and_emit(&f, &opt, &m, &p))
            break;
        CHECK(m.reduce_fanin == fanin && m.dram_bytes == 0);
        check_program(&p, &m);
        CHECK(verifies(&p));
        CHECK(strcmp(ax_prog_meta(&p, "reduce_fanin"), fanin == 2 ? "2" : fanin ? "3" : "0") == 0);
        char chunk[16];
        snprintf(chunk, sizeof chunk, "%u", chunks[t]);
        CHECK(strcmp(ax_prog_meta(&p, "reduce_chunk"), chunk) == 0);
        recvs[t] = count_op(&p, AX_ISA_PSUMRECV);
        uint32_t n_trees = 0, n_six = 0;
        int flat_ok = 1, tree_ok = 1;
        for (uint32_t i = 0; i < m.n_objects; i++) {
            const struct ax_map_object *o = &m.objects[i];
            if (o->kind != AX_MAP_WEIGHTS || o->producer == UINT32_MAX ||
                o->dest == UINT32_MAX || o->n_blocks < 2)
                continue; /* not a projection (the embedding is a lookup) */
            uint32_t per_range = 0, home = ax_map_value_core(&m, o->dest, 0), total;
            for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks; b++)
                per_range += m.blocks[b].row0 == 0;
            if (per_range < 2 || m.objects[o->dest].n_blocks != 1)
                continue;
            n_trees++;
            CHECK(o->reduce_fanin == fanin);
            uint32_t most = node_receives(&p, o->node, home, &total, NULL), off_home = 0;
            for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks; b++)
                off_home += m.blocks[b].core != home;
            if (!fanin) {
                flat_ok &= total == off_home;
                continue;
            }
            if (per_range == 6) {
                check_heap(&m, o->first_block, fanin);
                n_six++;
            }
            uint32_t levels = 0;
            for (uint64_t at = 0; at < per_range; at = at * fanin + 1)
                levels++;
            uint32_t n_chunks = hand_chunks(m.blocks[o->first_block].rows, levels, chunks[t]);
            tree_ok &= most <= 1 && total <= n_chunks * (o->n_blocks / per_range);
            /* every block with children on other cores receives once a chunk */
            for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks; b++) {
                uint32_t core = m.blocks[b].core, want = 0, first, count;
                for (uint32_t c = o->first_block; c < o->first_block + o->n_blocks; c++) {
                    int remote = 0;
                    ax_map_reduce_children(&m, c, &first, &count);
                    for (uint32_t k = first; k < first + count; k++)
                        remote |= m.blocks[k].core != m.blocks[c].core;
                    uint32_t n = m.blocks[c].core == core && remote
                                     ? hand_chunks(m.blocks[c].rows, levels, chunks[t])
                                     : 0;
                    CHECK(!(m.blocks[c].core == core && remote) || n > 0);
                    want += n;
                }
                uint32_t into_acc, sums;
                node_receives(&p, o->node, core, &sums, &into_acc);
                tree_ok &= into_acc == want;
                n_pinned += want > 0;
            }
            for (uint32_t b = o->first_block; b < o->first_block + o->n_blocks; b++)
                if (m.blocks[b].core != home)
                    tree_ok &= node_receives(&p, o->node, m.blocks[b].core, &total, NULL) <= fanin;
        }
        CHECK(n_trees >= 4);
        CHECK(flat_ok);
        CHECK(tree_ok);
        CHECK(!fanin || n_six > 0);
        if (t == 3)
            CHECK(recvs[3] > recvs[1]);
        if (t == 4)
            CHECK(recvs[4] > recvs[1] && recvs[4] < recvs[3]);
        ax_prog_free(&p);
        ax_map_free(&m);
    }
    CHECK(n_pinned > 0);
    teardown(&f);
    ax_mem_free(chip);
}

/* On routers that replicate packets, the projections that read one value
 * get their events from one emission: fewer `emit`s than one per
 * projection, one barrier per value read. */
static void test_emit_tiny_multicast(void)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    char *text;
    size_t len;
    CHECK(ax_fs_read_file(SRC "/models/chips/loihi2-like.yaml", 1 << 20, &text, &len, &d) == AX_OK);
    char *chip = text ? base_with_text(text, "multicast: false", "multicast: true ") : NULL;
    ax_mem_free(text);
    struct fixture f, u;
    if (!chip || !setup(&f, SRC "/models/nets/spikingbrain-tiny", NULL, chip) ||
        !setup(&u, SRC "/models/nets/spikingbrain-tiny", SRC "/models/chips/loihi2-like.yaml", NULL)) {
        ax_mem_free(chip);
        ax_diag_list_free(&d);
        return;
    }
    struct ax_map m, mu;
    if (map(&f, &m, AX_OK) && map(&u, &mu, AX_OK)) {
        struct ax_prog p, pu;
        struct ax_spike_options so;
        ax_spike_options_default(&so);
        CHECK(ax_map_emit(&m, &f.g, f.arch, &so, "tiny", &p, &d) == AX_OK);
        CHECK(ax_map_emit(&mu, &u.g, u.arch, &so, "tiny", &pu, &d) == AX_OK);
        check_program(&p, &m);
        check_shape(&p, &m, &f.g, 1, 0);
        CHECK(count_op(&p, AX_ISA_RELAY) == 0); /* routers that replicate do not relay */
        CHECK(verifies(&p));
        CHECK(count_op(&p, AX_ISA_EMIT) < count_op(&pu, AX_ISA_EMIT));
        ax_prog_free(&p);
        ax_prog_free(&pu);
        ax_map_free(&m);
        ax_map_free(&mu);
    }
    teardown(&f);
    teardown(&u);
    ax_mem_free(chip);
    ax_diag_list_free(&d);
}

/* SwiGLU groups (docs/mapping.md, "SwiGLU groups"): on cores of 24 KiB
 * with int8 matrices, the small model's gate takes 180 rows a block and
 * down_proj 128 columns, so its SwiGLU values and their gate's and up's are
 * cut by gate's row ranges (180 rows, 768 in five shards), shard r of the
 * three on one core, each row range's on a core of its own; the SwiGLU
 * then moves neither operand (no psumrecv of its own). On loihi2-like
 * with the model's float32 down_proj, whose blocks take all 768 columns,
 * they stay whole (a block would gather from every shard). Packed whole
 * (--spread 1), that is; with two slots a core gate's blocks take 90 rows,
 * fewer than down_proj's take columns, and the group stays whole too. */
static void test_swiglu_shards(void)
{
    char *chip = small_cores_chip();
    struct fixture f, w;
    if (!chip || !setup(&f, SRC "/models/nets/spikingbrain-tiny", NULL, chip) ||
        !setup(&w, SRC "/models/nets/spikingbrain-tiny", SRC "/models/chips/loihi2-like.yaml", NULL)) {
        ax_mem_free(chip);
        return;
    }
    for (uint32_t spread = 1; spread <= 2; spread++) {
        struct ax_map m, mw;
        memset(&m, 0, sizeof m);
        memset(&mw, 0, sizeof mw);
        struct ax_map_options opt;
        ax_map_default_options(&opt);
        opt.float_weights = AX_MAP_FLOAT_INT8;
        opt.spread = spread;
        if (map_opt(&f, &m, AX_OK, &opt) && map(&w, &mw, AX_OK)) {
            uint32_t n_groups = 0;
            int aligned = 1, together = 1, alone = 1, whole = 1, cut = 1;
            for (uint32_t id = 0; id < f.g.n_nodes; id++) {
                const struct ax_ir_node *n = &f.g.nodes[id];
                if (n->op != AX_IR_SWIGLU)
                    continue;
                const struct ax_map_object *vs = &m.objects[m.node_value[id]];
                const struct ax_map_object *va = &m.objects[m.node_value[n->inputs[0]]];
                const struct ax_map_object *vu = &m.objects[m.node_value[n->inputs[1]]];
                const struct ax_map_object *g = &m.objects[m.node_value[n->inputs[0]] - 1];
                n_groups++;
                whole &= mw.objects[mw.node_value[id]].n_blocks == 1;
                /* two slots a core: gate's blocks of 90 rows, fewer than
                 * down_proj's blocks take columns, so the group stays whole */
                uint32_t rows = spread == 1 ? 180 : 768, n_cut = (768 + rows - 1) / rows;
                aligned &= vs->n_blocks == n_cut && va->n_blocks == n_cut &&
                           vu->n_blocks == n_cut &&
                           m.blocks[g->first_block].rows == (spread == 1 ? 180u : 90u);
                for (uint32_t r = 0; r < vs->n_blocks && r < va->n_blocks && r < vu->n_blocks;
                     r++) {
                    const struct ax_map_block *s = &m.blocks[vs->first_block + r];
                    together &= spread > 1 || (s->core == m.blocks[va->first_block + r].core &&
                                               s->core == m.blocks[vu->first_block + r].core);
                    cut &= s->row0 == rows * r &&
                           s->rows == (r < n_cut - 1 ? rows : 768 - rows * (n_cut - 1));
                    for (uint32_t q = 0; q < r; q++) /* each row range's on its own core */
                        alone &= m.blocks[vs->first_block + q].core != s->core;
                }
            }
            CHECK(n_groups == 4);
            CHECK(aligned);
            CHECK(together);
            CHECK(cut);
            CHECK(alone);
            CHECK(whole);
            struct ax_prog p;
            struct ax_spike_options so;
            ax_spike_options_default(&so);
            struct ax_diag_list d;
            ax_diag_list_init(&d);
            CHECK(ax_map_emit(&m, &f.g, f.arch, &so, "tiny", &p, &d) == AX_OK);
            CHECK(verifies(&p));
            for (uint32_t id = 0; id < f.g.n_nodes && spread == 1; id++)
                if (f.g.nodes[id].op == AX_IR_SWIGLU)
                    for (uint32_t c = 0; c < p.n_cores; c++)
                        CHECK(!node_has_op(&p, id, c, AX_ISA_PSUMRECV));
            ax_prog_free(&p);
            ax_diag_list_free(&d);
        }
        if (m.objects)
            ax_map_free(&m);
        if (mw.objects)
            ax_map_free(&mw);
    }
    teardown(&f);
    teardown(&w);
    ax_mem_free(chip);
}

/* --logits argmax on the 7B: lm_head's value is one pair; each of its 212
 * row ranges' roots takes the pair of its rows (one argmax each), and the
 * pairs meet along a heap of fan-in 8, so 27 holders merge, none more than
 * its own and 8 children's ((212 - 1) / 8 rounded up). */
static void test_7b_argmax(void)
{
    struct fixture f;
    if (!setup(&f, SRC "/models/nets/spikingbrain-7b", SRC "/models/chips/loihi2-like.yaml", NULL))
        return;
    struct ax_map m;
    struct ax_map_options opt;
    ax_map_default_options(&opt);
    opt.float_weights = AX_MAP_FLOAT_INT8;
    opt.logits = AX_MAP_LOGITS_ARGMAX;
    if (map_opt(&f, &m, AX_OK, &opt)) {
        const struct ax_map_object *head = NULL;
        for (uint32_t i = 0; i < m.n_objects; i++)
            if (m.objects[i].pair_words)
                head = &m.objects[i];
        CHECK(head && m.objects[head->dest].rows == 2 && m.objects[head->dest].n_blocks == 1);
        uint32_t ranges = head ? head->n_blocks / ax_map_range_blocks(&m, head) : 0;
        CHECK(ranges == 212);
        struct ax_prog p;
        struct ax_spike_options so;
        ax_spike_options_default(&so);
        struct ax_diag_list d;
        ax_diag_list_init(&d);
        if (ax_map_emit(&m, &f.g, f.arch, &so, "spikingbrain-7b", &p, &d) == AX_OK) {
            CHECK(verifies(&p));
            CHECK(count_op(&p, AX_ISA_ARGMAX) == ranges);
            CHECK(count_op(&p, AX_ISA_ARGMERGE) ==
                  (ranges - 1 + AX_MAP_PAIR_FANIN - 1) / AX_MAP_PAIR_FANIN);
            for (uint32_t c = 0; c < p.n_code; c++)
                for (uint32_t i = 0; i < p.code[c].n_instr; i++) {
                    struct ax_isa_instr in;
                    if (ax_isa_decode(p.code[c].words[i], &in) == 0 && in.op == AX_ISA_ARGMERGE)
                        CHECK(in.b >= 2 && in.b <= 1 + AX_MAP_PAIR_FANIN);
                }
            ax_prog_free(&p);
        } else {
            CHECK(0);
            ax_diag_print(&d, stderr);
        }
        ax_diag_list_free(&d);
        ax_map_free(&m);
    }
    teardown(&f);
}

static void test_7b_on_loihi2(void)
{
    check_7b_on_loihi2(AX_SPIKE_MODE_RELEASED);
}

/* down_proj spikes too: the SwiGLU value keeps counts as well as an inbox */
static void test_7b_paper_on_loihi2(void)
{
    check_7b_on_loihi2(AX_SPIKE_MODE_PAPER);
}

AX_TEST_MAIN(T(test_tiny_on_loihi2), T(test_block_bytes), T(test_emit_tiny),
             T(test_emit_tiny_multicast), T(test_swiglu_shards), T(test_spread), T(test_batch),
             T(test_7b_on_loihi2), T(test_7b_argmax), T(test_7b_paper_on_loihi2),
             T(test_small_system_streams_from_dram), T(test_too_small_without_dram),
             T(test_core_too_small_for_a_group), T(test_reduction_trees), T(test_relay_option))
