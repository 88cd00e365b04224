/* The simulator's functional value path (sim/ax_func.h).
 *
 * `test_func` (func.unit): the synaptic kernel against a naive loop, the
 * encoder's rounding of half-way counts (half to even), the same values
 * from one block per matrix, the chip's mapping and a finer one, errors,
 * and allocation failures while opening.
 * `test_func --ref` (func.ref): a model built so that inputs fall half-way
 * between counts, through the reference and the functional path (both round
 * half to even); the trained small model on a real mapping (loihi2-like)
 * against the LLVM reference over held-out text: every count, threshold and
 * accumulator bit for bit, the logits within 1e-5. Without LLVM it says so
 * and exits 77 (skipped). */
#define _POSIX_C_SOURCE 200809L
#include "../model/model_test_util.h"

#include "ax_arch.h"
#include "ax_func.h"
#include "ax_map.h"
#include "ax_mem.h"
#include "ax_model.h"
#include "ax_ref.h"

#include <time.h>

#define SRC AX_SOURCE_DIR
#define TINY SRC "/models/nets/spikingbrain-tiny"
#define CHIP SRC "/models/chips/loihi2-like.yaml"
#define N_TOKENS 48 /* compared with the reference */
#define N_BLOCK_TOKENS 16

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- the shared fixture: the small model, its w8spike graph, its mapping --------------------- */

static struct {
    int is_open;
    struct ax_model *m;
    struct ax_ir_graph g; /* w8spike, released */
    ax_arch_t *arch;
    struct ax_map map;
    int32_t tokens[N_TOKENS];
} fx;

/* Byte 0 (a document starts), then the held-out text's bytes. */
static void read_tokens(void)
{
    FILE *in = fopen(SRC "/tests/data/heldout.txt", "rb");
    CHECK(in != NULL);
    fx.tokens[0] = 0;
    for (uint32_t i = 1; i < N_TOKENS; i++) {
        int c = in ? fgetc(in) : EOF;
        fx.tokens[i] = c == EOF ? ' ' : c;
    }
    if (in)
        fclose(in);
}

static int setup(void)
{
    if (fx.is_open)
        return 1;
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_ref_options o;
    ax_ref_options_default(&o);
    struct ax_map_options mo;
    ax_map_default_options(&mo);
    ax_status st = ax_model_open(TINY, &fx.m, &diags);
    if (st == AX_OK)
        st = ax_ir_build(&fx.g, fx.m, &diags);
    if (st == AX_OK)
        st = ax_ref_apply_precision(&fx.g, &o, TINY, &diags);
    if (st == AX_OK)
        st = ax_arch_load(CHIP, &fx.arch, &diags);
    if (st == AX_OK)
        st = ax_map_build(&fx.g, fx.arch, &mo, &fx.map, &diags);
    if (st != AX_OK)
        dump_diags(&diags);
    ax_diag_list_free(&diags);
    CHECK(st == AX_OK);
    read_tokens();
    fx.is_open = st == AX_OK;
    return fx.is_open;
}

static void teardown(void)
{
    if (!fx.is_open)
        return;
    ax_map_free(&fx.map);
    ax_arch_free(fx.arch);
    ax_ir_free(&fx.g);
    ax_model_close(fx.m);
    fx.is_open = 0;
}

static ax_func_t *open_func(const struct ax_ir_graph *g, const struct ax_map *map,
                            const struct ax_spike_options *spike)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_func_t *f = NULL;
    ax_status st = ax_func_open(fx.m, g, map, spike, &f, &diags);
    if (st != AX_OK)
        dump_diags(&diags);
    ax_diag_list_free(&diags);
    CHECK(st == AX_OK && f);
    return f;
}

static ax_status func_step(ax_func_t *f, int32_t token)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_status st = ax_func_step(f, token, &diags);
    if (st != AX_OK)
        dump_diags(&diags);
    ax_diag_list_free(&diags);
    return st;
}

/* ---- the kernel ------------------------------------------------------------------------------ */

static void test_synacc(void)
{
    static const uint32_t shapes[] = {1, 15, 16, 17, 37, 130, 512};
    uint64_t rng = 3;
    uint32_t cols = 300, n_ev = 700;
    int16_t *codes = malloc((size_t)512 * cols * sizeof *codes);
    struct ax_syn_event *ev = malloc(n_ev * sizeof *ev);
    int32_t *acc = malloc(512 * sizeof *acc);
    int64_t *want = malloc(512 * sizeof *want);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        uint32_t rows = shapes[s];
        for (size_t i = 0; i < (size_t)rows * cols; i++) /* W8ASpike codes reach beyond int8 */
            codes[i] = (int16_t)((int64_t)(rng_next(&rng) % 601) - 300);
        for (uint32_t e = 0; e < n_ev; e++) {
            int32_t sign = rng_next(&rng) & 1 ? -1 : 1;
            uint32_t t = (uint32_t)(rng_next(&rng) % 12);
            ev[e] = (struct ax_syn_event){(uint32_t)(rng_next(&rng) % cols), sign * (1 << t)};
        }
        for (uint32_t r = 0; r < rows; r++) {
            acc[r] = (int32_t)(rng_next(&rng) % 1000) - 500; /* it adds to what is there */
            want[r] = acc[r];
        }
        for (uint32_t e = 0; e < n_ev; e++) /* the naive triple loop, in 64 bits */
            for (uint32_t r = 0; r < rows; r++)
                for (uint32_t c = 0; c < cols; c++)
                    if (c == ev[e].col)
                        want[r] += (int64_t)ev[e].weight * codes[(size_t)c * rows + r];
        ax_func_synacc(codes, rows, ev, 0, acc); /* no events: nothing changes */
        ax_func_synacc(codes, rows, ev, n_ev, acc);
        int same = 1;
        for (uint32_t r = 0; r < rows; r++)
            same &= acc[r] == want[r];
        CHECK(same);
    }
    free(codes);
    free(ev);
    free(acc);
    free(want);

    /* a throughput figure on one 4096 x 4096 block (a benchmark, not a timed test) */
    uint32_t rows = 4096, big_cols = 4096, n_big = 8192;
    codes = malloc((size_t)rows * big_cols * sizeof *codes);
    ev = malloc(n_big * sizeof *ev);
    acc = calloc(rows, sizeof *acc);
    for (size_t i = 0; i < (size_t)rows * big_cols; i++)
        codes[i] = (int16_t)((int64_t)(rng_next(&rng) % 255) - 127);
    for (uint32_t e = 0; e < n_big; e++)
        ev[e] = (struct ax_syn_event){(uint32_t)(rng_next(&rng) % big_cols),
                                      rng_next(&rng) & 1 ? 1 : -2};
    double t0 = seconds_now();
    ax_func_synacc(codes, rows, ev, n_big, acc);
    double dt = seconds_now() - t0;
    printf("        synacc: %.2f G synaptic ops/s on a 4096 x 4096 block (one thread)\n",
           (double)n_big * rows / (dt > 0 ? dt : 1e-9) / 1e9);
    free(codes);
    free(ev);
    free(acc);
}

/* ---- the encoder ----------------------------------------------------------------------------- */

/* Counts exactly half-way between two integers round to the even one, as
 * torch.round in the released code (docs/semantics.md): inputs chosen so
 * that V_th is exact and x / V_th lands on k + 0.5. Rounding half away
 * from zero, or truncating, gives other counts. */
static void test_encoder_rounding(void)
{
    struct ax_spike_options o;
    ax_spike_options_default(&o);
    /* sum |x| = 24 over 8 inputs, k = 3: V_th = 24 / 8 / 3 = 1 */
    static const float x1[8] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 7.75f, 7.25f};
    static const int32_t even1[8] = {0, 2, 2, 0, -2, -2, 8, 7};
    int32_t s[8];
    CHECK(ax_func_encode(&o, x1, 8, s) == 1.0f);
    CHECK(memcmp(s, even1, sizeof s) == 0);
    for (int i = 0; i < 8; i++)
        if (s[i] != even1[i])
            fprintf(stderr, "  x = %g: count %d, want %d\n", (double)x1[i], s[i], even1[i]);
    /* sum |x| = 16 over 4 inputs, k = 2: V_th = 2, x / V_th = 0.5, 1.5, 2.5, -3.5 */
    static const float x2[4] = {1.0f, 3.0f, 5.0f, -7.0f};
    static const int32_t even2[4] = {0, 2, 2, -4}, saturated2[4] = {0, 2, 2, -3};
    o.k = 2.0;
    CHECK(ax_func_encode(&o, x2, 4, s) == 2.0f);
    CHECK(memcmp(s, even2, sizeof even2) == 0);
    /* a fixed T of 2 bitwise steps saturates at 3 after rounding */
    o.steps = 2;
    CHECK(ax_func_encode(&o, x2, 4, s) == 2.0f);
    CHECK(memcmp(s, saturated2, sizeof saturated2) == 0);
}

/* ---- blocks ---------------------------------------------------------------------------------- */

/* A copy of `from` whose spiking matrices are cut into blocks of `rows`
 * rows by one group of 128 columns; the other objects keep their blocks.
 * Free with free_fine_map. */
static void fine_map(const struct ax_map *from, uint32_t rows, struct ax_map *out)
{
    memset(out, 0, sizeof *out);
    out->n_objects = from->n_objects;
    out->objects = malloc(from->n_objects * sizeof *out->objects);
    memcpy(out->objects, from->objects, from->n_objects * sizeof *out->objects);
    uint32_t cap = from->n_blocks;
    for (uint32_t i = 0; i < from->n_objects; i++) {
        const struct ax_map_object *o = &from->objects[i];
        if (o->kind == AX_MAP_WEIGHTS && o->is_spiking)
            cap += ((o->rows + rows - 1) / rows) * ((o->cols + 127) / 128);
    }
    out->blocks = malloc(cap * sizeof *out->blocks);
    for (uint32_t i = 0; i < from->n_objects; i++) {
        const struct ax_map_object *o = &from->objects[i];
        struct ax_map_object *no = &out->objects[i];
        no->first_block = out->n_blocks;
        if (o->kind == AX_MAP_WEIGHTS && o->is_spiking) {
            for (uint32_t r0 = 0; r0 < o->rows; r0 += rows)
                for (uint32_t c0 = 0; c0 < o->cols; c0 += 128)
                    out->blocks[out->n_blocks++] = (struct ax_map_block){
                        i, r0, o->rows - r0 < rows ? o->rows - r0 : rows, c0, 128, 0, 0, 0};
        } else {
            for (uint32_t k = 0; k < o->n_blocks; k++)
                out->blocks[out->n_blocks++] = from->blocks[o->first_block + k];
        }
        no->n_blocks = out->n_blocks - no->first_block;
    }
}

static void free_fine_map(struct ax_map *m)
{
    free(m->objects);
    free(m->blocks);
    memset(m, 0, sizeof *m);
}

/* Every value the two runs left must be identical. */
static int same_values(const ax_func_t *a, const ax_func_t *b)
{
    int same = ax_func_n_sites(a) == ax_func_n_sites(b) && ax_func_vocab(a) == ax_func_vocab(b);
    same &= memcmp(ax_func_logits(a), ax_func_logits(b), ax_func_vocab(a) * sizeof(float)) == 0;
    for (uint32_t i = 0; same && i < ax_func_n_sites(a); i++) {
        struct ax_func_site x, y;
        ax_func_site(a, i, &x);
        ax_func_site(b, i, &y);
        same &= strcmp(x.name, y.name) == 0 && x.n_in == y.n_in && x.n_out == y.n_out;
        same &= x.n_events == y.n_events && x.n_synops == y.n_synops;
        if (!same)
            break;
        same &= memcmp(x.counts, y.counts, x.n_in * sizeof(int32_t)) == 0;
        same &= memcmp(x.vth, y.vth, x.n_vth * sizeof(float)) == 0;
        same &= memcmp(x.output, y.output, x.n_out * sizeof(float)) == 0;
        if (x.acc)
            same &= memcmp(x.acc, y.acc, (size_t)x.n_out * x.n_groups * sizeof(int32_t)) == 0;
    }
    return same;
}

/* One block per matrix, the chip's blocks, and blocks of 48 rows by one
 * group: the same values, events and synaptic operations. */
static void test_blocks(void)
{
    if (!setup())
        return;
    /* the chip splits the 768-wide MLP matrices */
    uint32_t max_blocks = 0;
    for (uint32_t i = 0; i < fx.map.n_objects; i++)
        if (fx.map.objects[i].kind == AX_MAP_WEIGHTS && fx.map.objects[i].is_spiking)
            max_blocks =
                fx.map.objects[i].n_blocks > max_blocks ? fx.map.objects[i].n_blocks : max_blocks;
    CHECK(max_blocks > 1);
    struct ax_map fine;
    fine_map(&fx.map, 48, &fine);
    struct ax_spike_options spike;
    ax_spike_options_default(&spike);
    ax_func_t *whole = open_func(&fx.g, NULL, &spike);
    ax_func_t *chip = open_func(&fx.g, &fx.map, &spike);
    ax_func_t *cut = open_func(&fx.g, &fine, &spike);
    if (whole && chip && cut) {
        struct ax_func_site s;
        ax_func_site(cut, 0, &s);
        CHECK(s.n_blocks == ((s.n_out + 47) / 48) * s.n_groups && s.n_blocks > 1);
        ax_func_site(whole, 0, &s);
        CHECK(s.n_blocks == 1);
        int same = 1;
        uint64_t synops = 0;
        for (uint32_t t = 0; t < N_BLOCK_TOKENS; t++) {
            CHECK(func_step(whole, fx.tokens[t]) == AX_OK);
            CHECK(func_step(chip, fx.tokens[t]) == AX_OK);
            CHECK(func_step(cut, fx.tokens[t]) == AX_OK);
            same &= same_values(whole, chip) && same_values(whole, cut);
            for (uint32_t l = 0; l < fx.m->config.n_layers; l++)
                same &= ax_func_layer_output(whole, l) &&
                        memcmp(ax_func_layer_output(whole, l), ax_func_layer_output(cut, l),
                               fx.m->config.hidden_size * sizeof(float)) == 0;
            for (uint32_t i = 0; i < ax_func_n_sites(whole); i++) {
                ax_func_site(whole, i, &s);
                synops += s.n_synops;
            }
        }
        CHECK(same);
        CHECK(synops > 0);
        CHECK(ax_func_position(cut) == N_BLOCK_TOKENS);
        /* the synaptic ops of the first site follow from its events and its rows */
        ax_func_site(whole, 0, &s);
        uint64_t want = 0;
        for (uint32_t c = 0; c < s.n_in; c++)
            want += ax_spike_events(spike.encoding, (uint32_t)abs(s.counts[c]));
        CHECK(s.n_events == want && s.n_synops == want * s.n_out);
        /* reset: the run repeats exactly */
        float last[256];
        memcpy(last, ax_func_logits(cut), sizeof last);
        ax_func_reset(cut);
        CHECK(ax_func_position(cut) == 0);
        for (uint32_t t = 0; t < N_BLOCK_TOKENS; t++)
            CHECK(func_step(cut, fx.tokens[t]) == AX_OK);
        CHECK(memcmp(last, ax_func_logits(cut), sizeof last) == 0);
    }
    ax_func_close(whole);
    ax_func_close(chip);
    ax_func_close(cut);
    free_fine_map(&fine);
}

/* ---- errors ---------------------------------------------------------------------------------- */

static struct ax_model *open_model(const char *dir)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_model *m = NULL;
    if (ax_model_open(dir, &m, &diags) != AX_OK)
        dump_diags(&diags);
    ax_diag_list_free(&diags);
    CHECK(m != NULL);
    return m;
}

/* Opening `m` (its own graph, w8spike) must fail with `want` and a
 * diagnostic containing each of the `needles`. */
static void check_open_fails(struct ax_model *m, const struct ax_map *map,
                             const struct ax_spike_options *spike, ax_status want,
                             const char *const *needles, uint32_t n_needles)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_ir_graph g;
    struct ax_ref_options o;
    ax_ref_options_default(&o);
    if (m && ax_ir_build(&g, m, &diags) == AX_OK) {
        CHECK(ax_ref_apply_precision(&g, &o, m->dir, &diags) == AX_OK);
        static char sentinel;
        ax_func_t *f = (ax_func_t *)(void *)&sentinel; /* must come back NULL */
        CHECK(ax_func_open(m, &g, map, spike, &f, &diags) == want && f == NULL);
        for (uint32_t i = 0; i < n_needles; i++)
            if (!has_diag(&diags, AX_DIAG_ERROR, needles[i])) {
                CHECK(!"diagnostic missing");
                fprintf(stderr, "  no error containing \"%s\":\n", needles[i]);
                dump_diags(&diags);
            }
        ax_ir_free(&g);
    }
    ax_diag_list_free(&diags);
}

static void test_errors(void)
{
    if (!setup())
        return;
    struct ax_spike_options spike;
    ax_spike_options_default(&spike);
    /* the 76B: every op the functional path does not run, named */
    struct ax_model *m = open_model(SRC "/models/nets/spikingbrain-76b");
    static const char *const big[] = {"meta tokens", "mixture-of-experts", "full attention",
                                      "key-tied", "not needed"};
    check_open_fails(m, NULL, &spike, AX_ERR_UNSUPPORTED, big, 5);
    ax_model_close(m);
    /* a shape-only model */
    m = open_model(SRC "/models/nets/spikingbrain-7b");
    static const char *const shape_only[] = {"shape-only"};
    check_open_fails(m, NULL, &spike, AX_ERR_INVALID, shape_only, 1);
    ax_model_close(m);
    /* options out of range */
    spike.k = 0;
    static const char *const bad_k[] = {"k"};
    check_open_fails(fx.m, NULL, &spike, AX_ERR_USAGE, bad_k, 1);
    spike.k = 3;
    /* a mapping without the projection, one with a hole, one that splits a group */
    struct ax_map broken;
    fine_map(&fx.map, 48, &broken);
    broken.n_objects = 0;
    static const char *const missing[] = {"q_proj.weight", "does not hold it"};
    check_open_fails(fx.m, &broken, &spike, AX_ERR_INVALID, missing, 2);
    broken.n_objects = fx.map.n_objects;
    struct ax_map_object *first = NULL;
    for (uint32_t i = 0; i < broken.n_objects && !first; i++)
        if (broken.objects[i].kind == AX_MAP_WEIGHTS && broken.objects[i].is_spiking)
            first = &broken.objects[i];
    CHECK(first != NULL);
    if (first) {
        first->n_blocks--;
        static const char *const hole[] = {"no block holds row"};
        check_open_fails(fx.m, &broken, &spike, AX_ERR_INVALID, hole, 1);
        first->n_blocks++;
        broken.blocks[first->first_block].col0 = 64;
        static const char *const split[] = {"splits a group"};
        check_open_fails(fx.m, &broken, &spike, AX_ERR_INVALID, split, 1);
    }
    free_fine_map(&broken);
    /* tokens outside the vocabulary change nothing */
    ax_func_t *f = open_func(&fx.g, NULL, &spike);
    if (f) {
        struct ax_diag_list diags;
        ax_diag_list_init(&diags);
        CHECK(ax_func_step(f, 256, &diags) == AX_ERR_INVALID);
        CHECK(ax_func_step(f, -1, &diags) == AX_ERR_INVALID);
        CHECK(has_diag(&diags, AX_DIAG_ERROR, "outside the vocabulary"));
        CHECK(ax_func_position(f) == 0);
        CHECK(func_step(f, 65) == AX_OK && ax_func_position(f) == 1);
        CHECK(ax_func_value(f, 0) == NULL && ax_func_value(f, fx.g.n_nodes) == NULL);
        CHECK(ax_func_layer_output(f, fx.m->config.n_layers) == NULL);
        ax_diag_list_free(&diags);
    }
    ax_func_close(f);
}

/* ---- allocation failures --------------------------------------------------------------------- */

static long n_allocs;

static void *counting_alloc(void *user, void *ptr, size_t size)
{
    (void)user;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    n_allocs++;
    return realloc(ptr, size);
}

/* Opening fails cleanly (AX_ERR_NOMEM, nothing leaked: the sanitizer build
 * checks) at the first allocations and at points spread over the rest. */
static void test_alloc_failures(void)
{
    if (!setup())
        return;
    struct ax_spike_options spike;
    ax_spike_options_default(&spike);
    struct ax_map fine;
    fine_map(&fx.map, 48, &fine);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_func_t *f = NULL;
    n_allocs = 0;
    ax_mem_set_hook(counting_alloc, NULL);
    ax_status st = ax_func_open(fx.m, &fx.g, &fine, &spike, &f, &diags);
    ax_mem_set_hook(NULL, NULL);
    long total = n_allocs;
    CHECK(st == AX_OK && total > 10);
    ax_func_close(f);
    int all_clean = 1;
    for (long k = 0; k < total; k += k < 40 ? 1 : total / 60 + 1) {
        ax_diag_list_free(&diags);
        ax_diag_list_init(&diags);
        ax_test_allocs_left = k;
        f = NULL;
        ax_mem_set_hook(ax_test_failing_alloc, NULL);
        st = ax_func_open(fx.m, &fx.g, &fine, &spike, &f, &diags);
        ax_mem_set_hook(NULL, NULL);
        all_clean &= st == AX_ERR_NOMEM && f == NULL;
        ax_func_close(f);
    }
    CHECK(all_clean);
    ax_diag_list_free(&diags);
    free_fine_map(&fine);
}

/* ---- against the reference ------------------------------------------------------------------- */

/* Runs n tokens through the functional path (on `map`) and the reference
 * under `o`; every step is compared. */
static void run_against_reference(const struct ax_ref_options *o, const struct ax_map *map,
                                  uint32_t n, const char *what)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_ir_graph g;
    ax_ref_session_t *ref = NULL;
    ax_status st = ax_ir_build(&g, fx.m, &diags);
    if (st == AX_OK)
        st = ax_ref_apply_precision(&g, o, TINY, &diags);
    if (st == AX_OK)
        st = ax_ref_session_open(fx.m, o, &ref, &diags);
    if (st != AX_OK)
        dump_diags(&diags);
    ax_diag_list_free(&diags);
    CHECK(st == AX_OK);
    ax_func_t *f = st == AX_OK ? open_func(&g, map, &o->spike) : NULL;
    uint64_t n_checked = 0, n_mismatch = 0, n_synops = 0;
    double worst = 0, t_func = 0;
    char first[240] = "";
    for (uint32_t t = 0; f && t < n; t++) {
        double t0 = seconds_now();
        CHECK(func_step(f, fx.tokens[t]) == AX_OK);
        t_func += seconds_now() - t0;
        ax_diag_list_init(&diags);
        CHECK(ax_ref_session_step(ref, fx.tokens[t], &diags) == AX_OK);
        ax_diag_list_free(&diags);
        struct ax_func_cmp c;
        CHECK(ax_func_compare(f, ref, &c) == AX_OK);
        if (c.n_mismatch && !n_mismatch)
            snprintf(first, sizeof first, "token %u: %s", t, c.first_mismatch);
        n_checked += c.n_checked;
        n_mismatch += c.n_mismatch;
        worst = c.logits_rel_err > worst ? c.logits_rel_err : worst;
        for (uint32_t i = 0; i < ax_func_n_sites(f); i++) {
            struct ax_func_site s;
            ax_func_site(f, i, &s);
            n_synops += s.n_synops;
        }
    }
    if (f) {
        printf("        %s: %u tokens, %llu values checked, %llu mismatches, logits rel err %.3g,"
               " %.2f ms/token, %.3g synaptic ops/token\n",
               what, n, (unsigned long long)n_checked, (unsigned long long)n_mismatch, worst,
               1e3 * t_func / n, (double)n_synops / n);
        if (n_mismatch)
            fprintf(stderr, "  first mismatch, %s\n", first);
        CHECK(n_mismatch == 0);
        CHECK(worst <= 1e-5);
        CHECK(n_checked > 0 || o->precision == AX_REF_PRECISION_FP32 ||
              o->spike.mode == AX_SPIKE_MODE_NONE);
    }
    ax_func_close(f);
    ax_ref_session_close(ref);
    ax_ir_free(&g);
}

/* A model built so that the first spiking projection's inputs fall exactly
 * half-way between two counts, run through the reference and the functional
 * path: both must round them to even. Hidden 128, one GLA layer, norm eps
 * 1e-30 (1 + eps == 1 in double, so RMSNorm of a row with mean square 1 and
 * norm weights 1 leaves it exact), and token 1's embedding row: 48 channels
 * of +-1.5 and 80 of +-0.5 (mean square (48 x 2.25 + 80 x 0.25) / 128 = 1,
 * mean |x| = (72 + 40) / 128 = 0.875). With k = 0.875, V_th = 1 and the
 * counts are 0 for +-0.5 and +-2 for +-1.5; rounding half away from zero
 * would give +-1 and +-2. Every other weight is small and plays no part. */
static const char half_way_config[] = "{\n"
                                      "  \"model_type\": \"gla_swa\",\n"
                                      "  \"hidden_size\": 128,\n"
                                      "  \"num_hidden_layers\": 1,\n"
                                      "  \"num_attention_heads\": 2,\n"
                                      "  \"num_key_value_heads\": 1,\n"
                                      "  \"intermediate_size\": 128,\n"
                                      "  \"vocab_size\": 256,\n"
                                      "  \"max_position_embeddings\": 64,\n"
                                      "  \"rope_theta\": 10000.0,\n"
                                      "  \"sliding_window\": 8,\n"
                                      "  \"attn_layers\": [],\n"
                                      "  \"norm_eps\": 1e-30,\n"
                                      "  \"tie_word_embeddings\": false,\n"
                                      "  \"gate_low_rank_dim\": 16,\n"
                                      "  \"gate_logit_normalizer\": 16,\n"
                                      "  \"tokenizer\": \"bytes\"\n"
                                      "}\n";

static float half_way_input(uint32_t i)
{
    float mag = i % 8 < 3 ? 1.5f : 0.5f; /* 3 of every 8 channels: 48 of 128 */
    return i % 2 ? -mag : mag;
}

/* Writes the model into `dir` (BF16: every value below is exact in 8 bits
 * of mantissa). */
static int write_half_way_model(const char *dir)
{
    write_text(dir, "config.json", half_way_config);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_model_config cfg;
    struct ax_model_tensor_list list;
    if (ax_model_config_parse("config.json", half_way_config, strlen(half_way_config), &cfg,
                              &diags) != AX_OK) {
        dump_diags(&diags);
        ax_diag_list_free(&diags);
        return 0;
    }
    if (ax_model_expected_tensors(&cfg, AX_MODEL_VARIANT_BF16, &list, &diags) != AX_OK) {
        dump_diags(&diags);
        ax_model_config_free(&cfg);
        ax_diag_list_free(&diags);
        return 0;
    }
    struct st_entry *e = calloc(list.n_items, sizeof *e);
    uint64_t total = 0;
    for (uint32_t t = 0; t < list.n_items; t++) {
        e[t].name = list.items[t].name;
        e[t].dtype = "BF16";
        e[t].n_dims = list.items[t].n_dims;
        for (uint32_t d = 0; d < e[t].n_dims; d++)
            e[t].shape[d] = list.items[t].shape[d];
        total += st_entry_bytes(&e[t]);
    }
    uint64_t data_size;
    char *h = st_header(e, list.n_items, &data_size);
    size_t file_bytes;
    unsigned char *p, *buf = st_file_alloc(h, data_size, &file_bytes, &p);
    uint64_t rng = 12345;
    for (uint32_t t = 0; t < list.n_items; t++) {
        const char *name = list.items[t].name;
        size_t len = strlen(name);
        int is_norm = len >= 11 && strcmp(name + len - 11, "norm.weight") == 0;
        int is_embed = strstr(name, "embed") != NULL;
        uint64_t n = st_entry_bytes(&e[t]) / 2, cols = e[t].n_dims >= 2 ? e[t].shape[1] : 1;
        for (uint64_t i = 0; i < n; i++) {
            float v;
            if (is_norm)
                v = 1.0f;
            else if (is_embed && i / cols == 1)
                v = half_way_input((uint32_t)(i % cols));
            else /* k / 256 for k in [-8, 8]: small, exact in BF16 */
                v = (float)((int)(rng_next(&rng) % 17) - 8) / 256.0f;
            uint32_t u;
            memcpy(&u, &v, 4);
            p[0] = (unsigned char)(u >> 16);
            p[1] = (unsigned char)(u >> 24);
            p += 2;
        }
    }
    char path[1024];
    join(path, sizeof path, dir, "model.safetensors");
    write_bytes(path, buf, file_bytes);
    free(buf);
    free(h);
    free(e);
    ax_model_tensors_free(&list);
    ax_model_config_free(&cfg);
    ax_diag_list_free(&diags);
    return total == data_size;
}

static void test_half_way_counts(void)
{
    char *dir = scratch_dir("half_way");
    CHECK(write_half_way_model(dir));
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_model *m = NULL;
    struct ax_ir_graph g;
    memset(&g, 0, sizeof g);
    ax_ref_session_t *ref = NULL;
    ax_func_t *f = NULL;
    struct ax_ref_options o;
    ax_ref_options_default(&o);
    o.spike.k = 0.875;
    ax_status st = ax_model_open(dir, &m, &diags);
    if (st == AX_OK)
        st = ax_ir_build(&g, m, &diags);
    if (st == AX_OK)
        st = ax_ref_apply_precision(&g, &o, dir, &diags);
    if (st == AX_OK)
        st = ax_ref_session_open(m, &o, &ref, &diags);
    if (st == AX_OK)
        st = ax_func_open(m, &g, NULL, &o.spike, &f, &diags);
    if (st == AX_OK)
        st = ax_ref_session_step(ref, 1, &diags);
    if (st == AX_OK)
        st = ax_func_step(f, 1, &diags);
    if (st != AX_OK)
        dump_diags(&diags);
    ax_diag_list_free(&diags);
    CHECK(st == AX_OK);
    int32_t want[128];
    for (uint32_t i = 0; i < 128; i++) {
        float x = half_way_input(i);
        want[i] = x == 1.5f ? 2 : x == -1.5f ? -2 : 0;
    }
    const char *q = "model.layers.0.attn.q_proj";
    int found_ref = 0, found_func = 0;
    for (uint32_t i = 0; st == AX_OK && i < ax_ref_session_n_sites(ref); i++) {
        struct ax_ref_site rs;
        ax_ref_session_site(ref, i, &rs);
        if (strcmp(rs.name, q) != 0)
            continue;
        found_ref = 1;
        CHECK(rs.counts && rs.vth && rs.n_in == 128 && rs.vth[0] == 1.0f);
        CHECK(rs.counts && memcmp(rs.counts, want, sizeof want) == 0);
        for (uint32_t c = 0; rs.counts && c < 8; c++)
            if (rs.counts[c] != want[c])
                fprintf(stderr, "  reference: x = %g gives %d, want %d\n",
                        (double)rs.input[c], rs.counts[c], want[c]);
    }
    for (uint32_t i = 0; st == AX_OK && i < ax_func_n_sites(f); i++) {
        struct ax_func_site fs;
        ax_func_site(f, i, &fs);
        if (strcmp(fs.name, q) != 0)
            continue;
        found_func = 1;
        CHECK(fs.n_in == 128 && fs.vth && fs.vth[0] == 1.0f);
        CHECK(fs.counts && memcmp(fs.counts, want, sizeof want) == 0);
    }
    CHECK(found_ref && found_func);
    ax_func_close(f);
    ax_ref_session_close(ref);
    ax_ir_free(&g);
    ax_model_close(m);
    remove_dir(dir);
}

static void test_against_reference(void)
{
    if (!setup())
        return;
    struct ax_ref_options o;
    ax_ref_options_default(&o);
    run_against_reference(&o, &fx.map, N_TOKENS, "w8spike bitwise, loihi2-like blocks");
    o.spike.encoding = AX_SPIKE_ENCODING_TERNARY;
    run_against_reference(&o, &fx.map, 16, "ternary");
    o.spike.encoding = AX_SPIKE_ENCODING_BINARY;
    o.spike.steps = 3; /* saturating */
    run_against_reference(&o, &fx.map, 16, "binary, T = 3");
    ax_ref_options_default(&o);
    o.spike.mode = AX_SPIKE_MODE_PAPER; /* down_proj spikes too, on its chip blocks */
    run_against_reference(&o, &fx.map, 16, "paper mode");
    o.spike.mode = AX_SPIKE_MODE_NONE;
    run_against_reference(&o, &fx.map, 8, "no spikes");
    o.precision = AX_REF_PRECISION_FP32;
    run_against_reference(&o, NULL, 8, "fp32");
}

int main(int argc, char **argv)
{
    int rc;
    if (argc == 2 && strcmp(argv[1], "--ref") == 0) {
        if (!ax_ref_has_llvm()) {
            printf("skip    test_against_reference: this build has no LLVM 19, so no "
                   "reference to compare with\n");
            return 77;
        }
        static const struct ax_test_case cases[] = {T(test_half_way_counts),
                                                    T(test_against_reference)};
        rc = ax_test_run(cases, sizeof cases / sizeof cases[0]);
    } else {
        static const struct ax_test_case cases[] = {T(test_synacc), T(test_encoder_rounding),
                                                    T(test_blocks), T(test_errors),
                                                    T(test_alloc_failures)};
        rc = ax_test_run(cases, sizeof cases / sizeof cases[0]);
    }
    teardown();
    return rc;
}
