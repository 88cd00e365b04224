/* The program the compiler emits for the trained small model, executed
 * token by token (sim/ax_exec.h through compiler/check/ax_check.h), against
 * the w8spike reference (compiler/ref/ax_ref.h) over held-out text.
 *
 * `test_exec_model` (exec.model): runs the program of `axon compile
 * models/nets/spikingbrain-tiny --chip models/chips/loihi2-like.yaml`
 * (released and paper spikes) over held-out text and holds every logit to
 * the reference's bit for bit: the program keeps float records for the
 * matrices the reference does not quantize (the embedding, lm_head, the GLA
 * gate's low-rank gk_proj.1, down_proj when released) and whole-row blocks,
 * so every op rounds as the reference does. When a token differs, the first
 * projection (graph order) whose output differs from the reference's is
 * named (every one with AX_EXEC_MODEL_ALL set), with its relative error.
 * A model built so that inputs fall half-way between two counts: the
 * reference and the program both round them to even. The errors of the
 * program path on a model: a token outside the vocabulary, a shape-only
 * model. Without LLVM it says so and exits 77 (skipped).
 *
 * `test_flight`: the same tokens as a flight (ax_exec_begin_flight), cores
 * at different tokens at once, leave every buffer of every core as running
 * them one after another does, bit for bit, and do the same work; in
 * functional mode and in counting mode, for several windows. */
#define _POSIX_C_SOURCE 200809L
#include "../model/model_test_util.h"

#include "ax_check.h"
#include "ax_exec.h"
#include "ax_map.h"
#include "ax_mem.h"
#include "ax_model.h"
#include "ax_prog.h"
#include "ax_rebuild.h"
#include "ax_ref.h"

#include <math.h>

#define SRC AX_SOURCE_DIR
#define TINY SRC "/models/nets/spikingbrain-tiny"
#define CHIP SRC "/models/chips/loihi2-like.yaml"
#define N_TOKENS 24

/* Byte 0 (a document starts), then the held-out text's bytes. */
static void read_tokens(int32_t *tokens)
{
    FILE *in = fopen(SRC "/tests/data/heldout.txt", "rb");
    CHECK(in != NULL);
    tokens[0] = 0;
    for (uint32_t i = 1; i < N_TOKENS; i++) {
        int c = in ? fgetc(in) : EOF;
        tokens[i] = c == EOF ? ' ' : c;
    }
    if (in)
        fclose(in);
}

static double rel_err(const float *a, const float *b, uint32_t n)
{
    double num = 0.0, den = 0.0;
    for (uint32_t i = 0; i < n; i++) {
        double d = (double)a[i] - (double)b[i];
        num += d * d;
        den += (double)b[i] * (double)b[i];
    }
    return den > 0.0 ? sqrt(num / den) : sqrt(num);
}

static uint32_t n_differ(const float *a, const float *b, uint32_t n)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++)
        k += memcmp(&a[i], &b[i], sizeof *a) != 0;
    return k;
}

/* The first spike site (graph order) whose output in the executor's last
 * run is not the reference's bit for bit; prints it and returns 1. */
static int first_difference(const ax_exec_t *ex, const struct ax_prog *p,
                            const ax_ref_session_t *ref, uint32_t t)
{
    float *buf = ax_mem_alloc(1u << 20);
    if (!buf)
        return 0;
    int found = 0;
    for (uint32_t i = 0; i < ax_ref_session_n_sites(ref) && !found; i++) {
        struct ax_ref_site site;
        ax_ref_session_site(ref, i, &site);
        uint32_t n = ax_check_value(ex, p, site.node, buf, (1u << 20) / sizeof *buf);
        if (n != site.n_out || n_differ(buf, site.output, n) == 0)
            continue;
        printf("        token %u: node %u %s: %u of %u words differ, rel err %.3g\n", t,
               site.node, site.name, n_differ(buf, site.output, n), n,
               rel_err(buf, site.output, n));
        found = getenv("AX_EXEC_MODEL_ALL") == NULL;
    }
    ax_mem_free(buf);
    return found;
}

/* A model compiled in process as tools/cmd_compile.c compiles it, its
 * program on the executor over the checkpoint, and the reference. */
struct rig {
    struct ax_mapped mp;
    struct ax_prog prog;
    ax_ref_session_t *ref;
    ax_exec_t *ex;
    ax_check_weights_t *w;
    struct ax_exec_weights src;
};

static ax_status rig_open(struct rig *r, const char *dir, const struct ax_ref_options *o,
                          const char *name, struct ax_diag_list *diags)
{
    memset(r, 0, sizeof *r);
    ax_prog_init(&r->prog, 0, 0);
    struct ax_map_options mo;
    ax_map_default_options(&mo);
    ax_status st = ax_mapped_open(&r->mp, dir, CHIP, o, &mo, diags);
    if (st == AX_OK)
        st = ax_map_emit(&r->mp.map, &r->mp.graph, r->mp.arch, &o->spike, r->mp.graph.name,
                         &r->prog, diags);
    if (st == AX_OK)
        st = ax_check_weights_open(r->mp.model, &r->w, &r->src, diags);
    if (st == AX_OK)
        st = ax_exec_create(&r->prog, name, &r->src, &r->ex, diags);
    if (st == AX_OK)
        st = ax_ref_session_open(r->mp.model, o, &r->ref, diags);
    return st;
}

static void rig_close(struct rig *r)
{
    ax_ref_session_close(r->ref);
    ax_exec_free(r->ex);
    ax_check_weights_close(r->w);
    ax_prog_free(&r->prog);
    ax_mapped_close(&r->mp);
}

static void run_mode(enum ax_spike_mode mode)
{
    if (!ax_ref_has_llvm()) {
        ax_test_skip("exec.model", "this build has no LLVM (the reference cannot run)");
        return;
    }
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_ref_options o;
    ax_ref_options_default(&o);
    o.spike.mode = mode;
    struct rig rig;
    ax_status st = rig_open(&rig, TINY, &o, "spikingbrain-tiny", &diags);
    ax_exec_t *ex = rig.ex;
    ax_ref_session_t *ref = rig.ref;
    if (st != AX_OK)
        dump_diags(&diags);
    CHECK(st == AX_OK);

    int32_t tokens[N_TOKENS];
    read_tokens(tokens);
    uint32_t vocab = st == AX_OK ? ax_ref_session_vocab(ref) : 0;
    float *logits = ax_mem_alloc((size_t)vocab * sizeof *logits + 1);
    CHECK(logits != NULL);
    double worst = 0.0;
    uint32_t n_tokens_differ = 0, n_shown = 0;
    for (uint32_t t = 0; st == AX_OK && logits && t < N_TOKENS; t++) {
        st = ax_exec_run(ex, (uint32_t)tokens[t], t, &diags);
        if (st == AX_OK)
            st = ax_ref_session_step(ref, tokens[t], &diags);
        if (st != AX_OK) {
            dump_diags(&diags);
            break;
        }
        CHECK(ax_check_logits(ex, &rig.prog, logits, vocab) == vocab);
        const float *rl = ax_ref_session_logits(ref);
        double e = rel_err(logits, rl, vocab);
        worst = e > worst ? e : worst;
        if (n_differ(logits, rl, vocab)) {
            n_tokens_differ++;
            if (n_shown < 3)
                n_shown += (uint32_t)first_difference(ex, &rig.prog, ref, t);
        }
    }
    CHECK(st == AX_OK);
    printf("        spike %s: %u tokens, %u with logits not bit-exact against the reference "
           "(rel err at most %.3g)\n",
           ax_spike_mode_str(mode), N_TOKENS, n_tokens_differ, worst);
    CHECK(n_tokens_differ == 0);

    ax_mem_free(logits);
    rig_close(&rig);
    ax_diag_list_free(&diags);
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A model built so that the first spiking projection's inputs fall exactly
 * half-way between two counts, run through the reference and the program
 * compiled for it: both must round them to even. Hidden 128, one GLA layer, norm eps
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

/* The counts of q_proj's input in the reference and in the program's
 * counts buffer (n<input>.counts), and its threshold; then the errors of
 * the program path: a token outside the vocabulary, a shape-only model. */
static void test_half_way_counts(void)
{
    if (!ax_ref_has_llvm()) {
        ax_test_skip("exec.model", "this build has no LLVM (the reference cannot run)");
        return;
    }
    char *dir = scratch_dir("half_way");
    CHECK(write_half_way_model(dir));
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_ref_options o;
    ax_ref_options_default(&o);
    o.spike.k = 0.875;
    struct rig rig;
    ax_status st = rig_open(&rig, dir, &o, "half-way", &diags);
    ax_exec_t *ex = rig.ex;
    ax_ref_session_t *ref = rig.ref;
    const struct ax_prog *prog = &rig.prog;
    if (st == AX_OK)
        st = ax_ref_session_step(ref, 1, &diags);
    if (st == AX_OK)
        st = ax_exec_run(ex, 1, 0, &diags);
    if (st != AX_OK)
        dump_diags(&diags);
    CHECK(st == AX_OK);
    int32_t want[128];
    for (uint32_t i = 0; i < 128; i++) {
        float x = half_way_input(i);
        want[i] = x == 1.5f ? 2 : x == -1.5f ? -2 : 0;
    }
    int found = 0;
    for (uint32_t i = 0; st == AX_OK && i < ax_ref_session_n_sites(ref); i++) {
        struct ax_ref_site rs;
        ax_ref_session_site(ref, i, &rs);
        if (strcmp(rs.name, "model.layers.0.attn.q_proj") != 0)
            continue;
        found = 1;
        CHECK(rs.counts && rs.vth && rs.n_in == 128 && rs.vth[0] == 1.0f);
        CHECK(rs.counts && memcmp(rs.counts, want, sizeof want) == 0);
        /* the program: the counts of q_proj's input, on its value core */
        uint32_t in = rig.mp.graph.nodes[rs.node].inputs[0];
        char name[32];
        snprintf(name, sizeof name, "n%u.counts", in);
        const uint32_t *c = NULL;
        uint32_t n = 0, core = 0;
        for (uint32_t b = 0; b < prog->n_buffers && !c; b++)
            if (strcmp(prog->buffers[b].name, name) == 0)
                c = ax_exec_buffer(ex, core = prog->buffers[b].core, name, &n);
        CHECK(c && n == 128 && memcmp(c, want, sizeof want) == 0);
        snprintf(name, sizeof name, "n%u.vth", in);
        CHECK(ax_exec_f32(ex, core, name, 0) == 1.0f);
    }
    CHECK(found);
    /* a token outside the vocabulary: no core holds its embedding row, and
     * the cores that wait for it say so, naming the token */
    ax_diag_list_free(&diags);
    ax_diag_list_init(&diags);
    CHECK(!ex || ax_exec_run(ex, 256, 1, &diags) == AX_ERR_INVALID);
    CHECK(!ex || has_diag(&diags, AX_DIAG_ERROR, "(token 256)"));
    rig_close(&rig);
    /* a shape-only model has no weights to run */
    ax_diag_list_free(&diags);
    ax_diag_list_init(&diags);
    struct ax_model *m = NULL;
    CHECK(ax_model_open(SRC "/models/nets/spikingbrain-7b", &m, &diags) == AX_OK);
    ax_check_weights_t *w = NULL;
    struct ax_exec_weights src;
    CHECK(m && ax_check_weights_open(m, &w, &src, &diags) == AX_ERR_INVALID && !w);
    CHECK(has_diag(&diags, AX_DIAG_ERROR, "no weights"));
    ax_check_weights_close(w);
    ax_model_close(m);
    ax_diag_list_free(&diags);
    remove_dir(dir);
}

/* Every value buffer, state and accumulator of `p` on executors a and b
 * holds the same words; the number of words that differ. */
static uint64_t buffers_differ(const struct ax_prog *p, const ax_exec_t *a, const ax_exec_t *b)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < p->n_buffers; i++) {
        const struct ax_prog_buffer *pb = &p->buffers[i];
        uint32_t na = 0, nb = 0;
        const uint32_t *wa = ax_exec_buffer(a, pb->core, pb->name, &na);
        const uint32_t *wb = ax_exec_buffer(b, pb->core, pb->name, &nb);
        if (!wa || !wb || na != nb) {
            n += 1;
            continue;
        }
        for (uint32_t j = 0; j < na; j++)
            n += wa[j] != wb[j];
    }
    return n;
}

/* Counting mode's counts for the flight test: a function of where and
 * when, varied enough that events and their absence both occur. */
static void flight_counts(void *user, uint32_t buffer, uint32_t offset, uint64_t pos, uint32_t seq,
                          uint32_t n, int32_t *out)
{
    (void)user;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t h = (buffer + 1) * 0x9E3779B97F4A7C15ull ^ (offset + i) * 0xC2B2AE3D27D4EB4Full ^
                     (pos + 1) * 0x165667B19E3779F9ull ^ seq * 0x27D4EB2F165667C5ull;
        h ^= h >> 29;
        out[i] = (int32_t)(h % 5) - 2;
    }
}

/* A flight stepped with ax_exec_next, the cores taken in a seeded random
 * order round after round, each for a random number of instructions: other
 * interleavings than ax_exec_run_flight's, where a core's messages and
 * events of later tokens reach others before those of earlier ones. */
static ax_status run_shuffled(ax_exec_t *ex, const struct ax_prog *p, const uint32_t *tokens,
                              uint32_t n, uint32_t window, uint64_t seed, struct ax_diag_list *d)
{
    ax_status st = ax_exec_begin_flight(ex, tokens, n, 0, window, 1, d);
    uint32_t *order = ax_mem_alloc((size_t)p->n_code * sizeof *order);
    if (!order)
        return AX_ERR_NOMEM;
    for (uint32_t k = 0; k < p->n_code; k++)
        order[k] = k;
    for (int idle = 0; st == AX_OK && idle < 3;) {
        idle++;
        for (uint32_t i = p->n_code; i > 1; i--) { /* Fisher-Yates */
            uint32_t j = (uint32_t)(rng_next(&seed) % i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        for (uint32_t i = 0; i < p->n_code && st == AX_OK; i++) {
            uint64_t budget = 1 + rng_next(&seed) % 64;
            struct ax_exec_did did;
            while (budget-- > 0 && st == AX_OK) {
                st = ax_exec_next(ex, order[i], &did);
                if (did.state != AX_EXEC_RAN)
                    break;
                idle = 0;
            }
        }
    }
    ax_mem_free(order);
    return st == AX_OK ? ax_exec_end(ex) : st;
}

/* Tokens 0..n-1 of `tokens` one after another on `seq` and as a flight of
 * `window` on `fl` (both fresh executors of one program; seed 0: run by
 * ax_exec_run_flight, else run_shuffled): the same words everywhere and the
 * same work. */
static void check_flight(const struct ax_prog *p, ax_exec_t *seq, ax_exec_t *fl,
                         const uint32_t *tokens, uint32_t n, uint32_t window, uint64_t seed,
                         int is_counting)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_exec_stats sum = {0}, s;
    ax_status st = AX_OK;
    for (uint32_t t = 0; t < n && st == AX_OK; t++) {
        st = ax_exec_run(seq, tokens[t], t, &d);
        ax_exec_stats(seq, &s);
        sum.n_instr += s.n_instr;
        sum.n_events += s.n_events;
        sum.n_synops += s.n_synops;
        sum.n_messages += s.n_messages;
    }
    CHECK(st == AX_OK);
    st = seed ? run_shuffled(fl, p, tokens, n, window, seed, &d)
              : ax_exec_run_flight(fl, tokens, n, 0, window, 1, &d);
    CHECK(st == AX_OK);
    if (st != AX_OK)
        dump_diags(&d);
    ax_exec_stats(fl, &s);
    CHECK(s.n_instr == sum.n_instr && s.n_events == sum.n_events);
    CHECK(s.n_synops == sum.n_synops && s.n_messages == sum.n_messages);
    CHECK(sum.n_events > 0 && sum.n_messages > 0);
    if (!is_counting) {
        uint64_t differ = buffers_differ(p, seq, fl);
        if (differ)
            printf("        window %u, seed %llu: %llu words differ\n", window,
                   (unsigned long long)seed, (unsigned long long)differ);
        CHECK(differ == 0);
    }
    ax_diag_list_free(&d);
}

static void test_flight(void)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_ref_options o;
    ax_ref_options_default(&o);
    struct ax_map_options mo;
    ax_map_default_options(&mo);
    struct ax_mapped mp;
    struct ax_prog prog;
    ax_prog_init(&prog, 0, 0);
    ax_check_weights_t *w = NULL;
    struct ax_exec_weights src;
    ax_status st = ax_mapped_open(&mp, TINY, CHIP, &o, &mo, &diags);
    if (st == AX_OK)
        st = ax_map_emit(&mp.map, &mp.graph, mp.arch, &o.spike, mp.graph.name, &prog, &diags);
    if (st == AX_OK)
        st = ax_check_weights_open(mp.model, &w, &src, &diags);
    CHECK(st == AX_OK);
    int32_t ids[N_TOKENS];
    read_tokens(ids);
    uint32_t tokens[12];
    for (uint32_t t = 0; t < 12; t++)
        tokens[t] = (uint32_t)ids[t];
    struct ax_exec_activity act = {flight_counts, NULL};
    static const struct {
        uint32_t window;
        uint64_t seed;
    } runs[] = {{1, 0}, {3, 0}, {0, 0}, {2, 1}, {4, 2}, {0, 3}};
    for (uint32_t i = 0; st == AX_OK && i < 2 * sizeof runs / sizeof runs[0]; i++)
        for (int is_counting = 0; is_counting < 2; is_counting++) {
            /* the second half under dataflow, where a core passes a barrier
             * while others still wait there, and may send the next token's
             * events to them */
            int is_dataflow = i >= sizeof runs / sizeof runs[0];
            ax_exec_t *seq = NULL, *fl = NULL;
            st = is_counting ? ax_exec_create_counting(&prog, "seq", &act, &seq, &diags)
                             : ax_exec_create(&prog, "seq", &src, &seq, &diags);
            if (st == AX_OK)
                st = is_counting ? ax_exec_create_counting(&prog, "flight", &act, &fl, &diags)
                                 : ax_exec_create(&prog, "flight", &src, &fl, &diags);
            if (st == AX_OK && is_dataflow)
                st = ax_exec_dataflow(seq, &diags);
            if (st == AX_OK && is_dataflow)
                st = ax_exec_dataflow(fl, &diags);
            CHECK(st == AX_OK);
            if (st == AX_OK)
                check_flight(&prog, seq, fl, tokens, 12, runs[i % 6].window, runs[i % 6].seed,
                             is_counting);
            ax_exec_free(seq);
            ax_exec_free(fl);
        }
    if (st != AX_OK)
        dump_diags(&diags);
    ax_check_weights_close(w);
    ax_prog_free(&prog);
    ax_mapped_close(&mp);
    ax_diag_list_free(&diags);
}

static void test_released(void)
{
    run_mode(AX_SPIKE_MODE_RELEASED);
}

static void test_paper(void)
{
    run_mode(AX_SPIKE_MODE_PAPER);
}

AX_TEST_MAIN(T(test_released), T(test_paper), T(test_half_way_counts), T(test_flight))
