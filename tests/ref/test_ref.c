/* The dense reference: weight conversion and quantization, the precision
 * pass, and the JIT-compiled step; statistics, dumps and errors.
 *
 * w8spike, in every spike mode, encoding and fixed T, is held bit for bit
 * to the program the compiler emits for the same model on
 * models/chips/loihi2-like.yaml, run token by token by the executor
 * (sim/exec.c): logits, layer outputs, and each spiking site's counts,
 * threshold and output. fp32 is not executed by the simulator; its logits
 * are held to the independent PyTorch oracle by tests/oracle
 * (oracle.crosscheck.fp32), and here only its own properties are checked
 * (nothing spikes, the float model is near the quantized one).
 *
 * Limit: a W8ASpike checkpoint whose codes reach beyond int8 runs through
 * the reference only (its codes counted): the program holds int8 codes and
 * its weight source refuses that checkpoint.
 *
 * The test models are written here: seeded random weights (BF16, or a
 * W8ASpike checkpoint in F32 with stored scales and codes beyond int8), a
 * GLA layer and an SWA layer with a short window so the K/V ring wraps.
 * `test_ref --write-model DIR` writes one for the command-line tests. If the
 * trained small model exists (models/nets/spikingbrain-tiny), it is checked
 * too. */
#define _POSIX_C_SOURCE 200809L
#include "../model/model_test_util.h"

#include "ax_check.h"
#include "ax_exec.h"
#include "ax_map.h"
#include "ax_mem.h"
#include "ax_model.h"
#include "ax_pass.h"
#include "ax_prog.h"
#include "ax_rebuild.h"
#include "ax_ref.h"
#include "ref_internal.h" /* the GPU math, compiled for the host */

#include <jansson.h>
#include <sys/stat.h>

#define SRC AX_SOURCE_DIR
#define N_TOKENS 20
#define CHIP SRC "/models/chips/loihi2-like.yaml"

/* hidden 256, heads 4 (d 64), kv heads 2, window 8: layer 0 GLA, layer 1 SWA */
static const char test_config[] = "{\n"
                                  "  \"model_type\": \"gla_swa\",\n"
                                  "  \"hidden_size\": 256,\n"
                                  "  \"num_hidden_layers\": 2,\n"
                                  "  \"num_attention_heads\": 4,\n"
                                  "  \"num_key_value_heads\": 2,\n"
                                  "  \"intermediate_size\": 384,\n"
                                  "  \"vocab_size\": 256,\n"
                                  "  \"max_position_embeddings\": 2048,\n"
                                  "  \"rope_theta\": 10000.0,\n"
                                  "  \"sliding_window\": 8,\n"
                                  "  \"attn_layers\": [1],\n"
                                  "  \"norm_eps\": 1e-06,\n"
                                  "  \"tie_word_embeddings\": false,\n"
                                  "  \"gate_low_rank_dim\": 16,\n"
                                  "  \"gate_logit_normalizer\": 16,\n"
                                  "  \"tokenizer\": \"bytes\"\n"
                                  "}\n";

/* ---- random weights ------------------------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* uniform in [-1, 1) */
static double rng_u(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) * 0x1p-52 - 1.0;
}

static uint16_t to_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

static int ends_with(const char *s, const char *t)
{
    size_t n = strlen(s), m = strlen(t);
    return n >= m && strcmp(s + n - m, t) == 0;
}

/* Writes DIR/config.json and DIR/model.safetensors for `variant`. W8ASpike: F32 fake-quantized
 * weights with stored scales, about 1% of codes in 128..200 and, when
 * big_code, one code of 30000 in layer 0's q_proj. */
static void write_model(const char *dir, enum ax_model_variant variant, uint64_t seed, int big_code)
{
    write_text(dir, "config.json", test_config);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_model_config cfg;
    struct ax_model_tensor_list list;
    if (ax_model_config_parse("config.json", test_config, strlen(test_config), &cfg, &diags) !=
            AX_OK ||
        ax_model_expected_tensors(&cfg, variant, &list, &diags) != AX_OK) {
        dump_diags(&diags);
        abort();
    }
    int is_w8 = variant == AX_MODEL_VARIANT_W8ASPIKE;
    struct st_entry *e = calloc(list.n_items, sizeof *e);
    float **vals = calloc(list.n_items, sizeof *vals);
    uint64_t rng = seed;
    /* a W8ASpike weight's scales (later in the list) are made with the weight */
    for (uint32_t t = 0; t < list.n_items; t++) {
        const struct ax_model_tensor *mt = &list.items[t];
        e[t].name = mt->name;
        e[t].dtype = is_w8 ? "F32" : "BF16";
        e[t].n_dims = mt->n_dims;
        uint64_t n = 1;
        for (uint32_t d = 0; d < mt->n_dims; d++)
            n *= e[t].shape[d] = mt->shape[d];
        if (mt->is_scale)
            continue; /* written with its weight */
        float *v = malloc(n * sizeof *v);
        const char *name = mt->name;
        uint64_t fan_in = mt->n_dims >= 2 ? mt->shape[1] : 1;
        double amp = sqrt(3.0 / (double)fan_in);
        int is_weight_matrix = mt->n_dims == 2 && !ends_with(name, "embeddings.weight");
        if (is_w8 && is_weight_matrix && !ends_with(name, "lm_head.weight")) {
            /* fake-quantized: W = f32(q * s), scales [out, in/128, 1] in the next entry */
            uint64_t out = mt->shape[0], in = mt->shape[1], ng = in / 128;
            char sname[200];
            snprintf(sname, sizeof sname, "%.*s.weight_quantizer.scales",
                     (int)(strlen(name) - strlen(".weight")), name);
            uint32_t si = t + 1;
            while (si < list.n_items && strcmp(list.items[si].name, sname) != 0)
                si++;
            AX_ASSERT(si < list.n_items);
            float *s = malloc(out * ng * sizeof *s);
            for (uint64_t i = 0; i < out * ng; i++)
                s[i] = (float)((1.0 + 0.5 * rng_u(&rng)) * amp / 127.0);
            for (uint64_t j = 0; j < out; j++)
                for (uint64_t i = 0; i < in; i++) {
                    double r = rng_u(&rng);
                    int32_t q = (int32_t)nearbyint(127.0 * r);
                    if (rng_next(&rng) % 100 == 0) /* beyond int8, as real W8ASpike codes */
                        q = (q < 0 ? -1 : 1) * (128 + (int32_t)(rng_next(&rng) % 73));
                    if (big_code && j == 0 && i == 0 &&
                        ends_with(name, "layers.0.attn.q_proj.weight"))
                        q = 30000;
                    v[j * in + i] = (float)((double)q * (double)s[j * ng + i / 128]);
                }
            vals[si] = s;
        } else {
            int is_norm = ends_with(name, "norm.weight");
            int is_bias = ends_with(name, ".bias");
            for (uint64_t i = 0; i < n; i++) {
                double x = rng_u(&rng);
                double y = is_norm            ? 1.0 + 0.2 * x
                           : is_bias          ? 0.2 * x
                           : is_weight_matrix ? amp * x
                                              : x;
                v[i] = (float)y;
                if (!is_w8)
                    v[i] = ax_ref_f32_from_bf16(to_bf16(v[i])); /* what BF16 stores */
            }
        }
        vals[t] = v;
    }
    uint64_t data_size;
    char *h = st_header(e, list.n_items, &data_size);
    size_t total;
    unsigned char *p, *buf = st_file_alloc(h, data_size, &total, &p);
    for (uint32_t t = 0; t < list.n_items; t++) {
        uint64_t n = st_entry_bytes(&e[t]) / (is_w8 ? 4 : 2);
        for (uint64_t i = 0; i < n; i++) {
            if (is_w8) {
                memcpy(p, &vals[t][i], 4); /* little-endian host */
                p += 4;
            } else {
                uint16_t b = to_bf16(vals[t][i]);
                p[0] = (unsigned char)b;
                p[1] = (unsigned char)(b >> 8);
                p += 2;
            }
        }
        free(vals[t]);
    }
    char path[1024];
    join(path, sizeof path, dir, "model.safetensors");
    write_bytes(path, buf, total);
    free(buf);
    free(h);
    free(vals);
    free(e);
    ax_model_tensors_free(&list);
    ax_model_config_free(&cfg);
    ax_diag_list_free(&diags);
}

/* ---- helpers --------------------------------------------------------------------------- */

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

static ax_ref_session_t *open_session(const struct ax_model *m, const struct ax_ref_options *o)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_ref_session_t *s = NULL;
    ax_status st = ax_ref_session_open(m, o, &s, &diags);
    if (st != AX_OK)
        dump_diags(&diags);
    ax_diag_list_free(&diags);
    CHECK(st == AX_OK);
    return s;
}

static ax_status step(ax_ref_session_t *s, int32_t token)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_status st = ax_ref_session_step(s, token, &diags);
    if (st != AX_OK && ax_test_failures == 0)
        dump_diags(&diags);
    ax_diag_list_free(&diags);
    return st;
}

static struct ax_ref_options options(enum ax_ref_precision p, enum ax_spike_mode mode,
                                     enum ax_spike_encoding enc, uint32_t steps)
{
    struct ax_ref_options o;
    ax_ref_options_default(&o);
    o.precision = p;
    o.spike.mode = mode;
    o.spike.encoding = enc;
    o.spike.steps = steps;
    return o;
}

static int32_t token_at(uint32_t i)
{
    return (int32_t)((i * 37u + 11u) % 256u);
}

/* What a compared run also measured. */
struct run_out {
    uint64_t codes_outside;
    double bits;       /* mean bits per token over the predicted positions */
    int32_t max_count; /* the largest |s| of any spiking site */
    float logits[256]; /* the last step's first 256 logits */
};

/* Whether the projection (or SWA query) `name` with n_in inputs spikes
 * under `mode`, by its name alone (docs/semantics.md, "The spiking linear
 * layer"): a check of the precision pass independent of its code. */
static int spikes_by_name(const char *name, uint32_t n_in, enum ax_spike_mode mode)
{
    static const char *const released[] = {".q_proj",  ".k_proj",    ".v_proj",
                                           ".o_proj",  ".gk_proj",   ".gk_proj.0",
                                           ".gate_proj", ".up_proj", ".swa_query"};
    if (mode == AX_SPIKE_MODE_NONE)
        return 0;
    if (mode == AX_SPIKE_MODE_PAPER)
        return ends_with(name, ".swa_query") || n_in % 128 == 0;
    for (size_t i = 0; i < sizeof released / sizeof released[0]; i++)
        if (ends_with(name, released[i]))
            return 1;
    return 0;
}

/* The program the compiler emits for the model on CHIP, and its executor
 * (as `axon compile` and `axon sim` build them, in process). */
struct prog_run {
    struct ax_mapped mp;
    struct ax_prog prog;
    ax_check_weights_t *w;
    ax_exec_t *ex;
    float *buf; /* BUF_WORDS words for read-backs */
};

#define BUF_WORDS (1u << 16)

static void close_prog(struct prog_run *r)
{
    ax_mem_free(r->buf);
    ax_exec_free(r->ex);
    ax_check_weights_close(r->w);
    ax_prog_free(&r->prog);
    ax_mapped_close(&r->mp);
}

/* Compiles the model in `dir` with the options `o` and opens its executor;
 * on failure leaves the diagnostics in `diags` and returns the status. */
static ax_status open_prog(const char *dir, const struct ax_ref_options *o, struct prog_run *r,
                           struct ax_diag_list *diags)
{
    memset(r, 0, sizeof *r);
    ax_prog_init(&r->prog, 0, 0);
    struct ax_map_options mo;
    ax_map_default_options(&mo);
    struct ax_exec_weights src;
    ax_status st = ax_mapped_open(&r->mp, dir, CHIP, o, &mo, diags);
    if (st == AX_OK)
        st = ax_map_emit(&r->mp.map, &r->mp.graph, r->mp.arch, &o->spike, r->mp.graph.name,
                         &r->prog, diags);
    if (st == AX_OK)
        st = ax_check_weights_open(r->mp.model, &r->w, &src, diags);
    if (st == AX_OK)
        st = ax_exec_create(&r->prog, "test", &src, &r->ex, diags);
    if (st == AX_OK && !(r->buf = ax_mem_alloc(BUF_WORDS * sizeof *r->buf)))
        st = AX_ERR_NOMEM;
    return st;
}

/* The words of every buffer of `r`'s program named "n<node>.<what>", or
 * "n<node>.<what><k>" for shard k, in the order of the shards (k = 0, 1,
 * ...; the program lists buffers core by core, and a shard of a higher k
 * may lie on a lower core): copied to r->buf, their number returned (0
 * when the program has none or they pass BUF_WORDS). */
static uint32_t prog_words(struct prog_run *r, uint32_t node, const char *what)
{
    uint32_t n = 0;
    for (uint32_t k = 0;; k++) {
        char name[64];
        if (k == 0)
            snprintf(name, sizeof name, "n%u.%s", node, what);
        else
            snprintf(name, sizeof name, "n%u.%s%u", node, what, k - 1);
        const struct ax_prog_buffer *b = NULL;
        for (uint32_t i = 0; i < r->prog.n_buffers && !b; i++)
            if (strcmp(r->prog.buffers[i].name, name) == 0)
                b = &r->prog.buffers[i];
        if (!b) {
            if (k == 0)
                continue; /* no whole one: its shards, from 0 */
            return n;
        }
        uint32_t words = 0;
        const uint32_t *w = ax_exec_buffer(r->ex, b->core, b->name, &words);
        if (!w || n + words > BUF_WORDS)
            return 0;
        memcpy(r->buf + n, w, words * sizeof *w);
        n += words;
        if (k == 0)
            return n; /* whole */
    }
}

/* The graph node whose value is layer `l`'s output: the last node of the
 * layer, as the reference's plan takes it. */
static uint32_t layer_output_node(const struct ax_ir_graph *g, uint32_t l)
{
    uint32_t id = UINT32_MAX;
    for (uint32_t i = 0; i < g->n_nodes; i++)
        if (((g->nodes[i].attrs_set >> AX_IR_ATTR_LAYER) & 1u) && g->nodes[i].layer == l)
            id = i;
    return id;
}

/* Whether n words of the program's read-back are the reference's bit for bit. */
static int same_words(const float *got, const void *want, uint32_t n, uint32_t dim)
{
    return n == dim && memcmp(got, want, dim * sizeof *got) == 0;
}

/* The w8spike program's values after a token, against the reference's:
 * into *bad_sites, every spiking site whose counts, threshold or output are
 * not the reference's bit for bit; every layer output bit for bit (returned
 * as the number that differ). `first` gets the first difference named
 * (sites in graph order first). */
static uint64_t compare_prog(struct prog_run *r, ax_ref_session_t *s, uint64_t *bad_sites,
                             char *first, size_t first_size)
{
    uint64_t bad = 0;
    for (uint32_t k = 0; k < ax_ref_session_n_sites(s); k++) {
        struct ax_ref_site site;
        ax_ref_session_site(s, k, &site);
        if (!site.is_spiking)
            continue;
        const struct ax_ir_node *x = &r->mp.graph.nodes[site.node];
        uint32_t in = x->n_inputs ? x->inputs[0] : UINT32_MAX;
        const char *what = NULL;
        if (x->op == AX_IR_SWA) {
            /* the query spikes per head on the state cores (mapping/emit.c):
             * its counts in the node's `cnt` buffers, blocks in head order,
             * each head's threshold in word 0 of its block's k inbox in
             * turn, the last head's left */
            if (!same_words(r->buf, site.counts, prog_words(r, site.node, "cnt"), site.n_in))
                what = "counts";
            else if (prog_words(r, site.node, "k") == 0 ||
                     memcmp(r->buf, &site.vth[site.n_vth - 1], sizeof(float)) != 0)
                what = "threshold";
        } else if (!same_words(r->buf, site.counts, prog_words(r, in, "counts"), site.n_in)) {
            what = "counts";
        } else if (site.n_vth != 1 || prog_words(r, in, "vth") == 0 ||
                   memcmp(r->buf, site.vth, sizeof(float)) != 0) {
            what = "threshold"; /* the first shard's */
        }
        if (!what && !same_words(r->buf, site.output,
                                 ax_check_value(r->ex, &r->prog, site.node, r->buf, BUF_WORDS),
                                 site.n_out))
            what = "output";
        if (what && !bad && !*bad_sites)
            snprintf(first, first_size, "%s: %s (node %u, input node %u)", site.name, what,
                     site.node, in);
        *bad_sites += what != NULL;
    }
    for (uint32_t k = 0; k < ax_ref_session_n_probes(s); k++) {
        struct ax_ref_probe pr;
        ax_ref_session_probe(s, k, &pr);
        unsigned layer;
        char rest[16];
        if (sscanf(pr.name, "model.layers.%u.%15s", &layer, rest) != 2 ||
            strcmp(rest, "output") != 0)
            continue;
        uint32_t id = layer_output_node(&r->mp.graph, layer);
        uint32_t n = id == UINT32_MAX ? 0 : ax_check_value(r->ex, &r->prog, id, r->buf, BUF_WORDS);
        if (!same_words(r->buf, pr.data, n, pr.dim)) {
            if (!bad && !*bad_sites)
                snprintf(first, first_size, "%s (node %u)", pr.name, id);
            bad++;
        }
    }
    return bad;
}

/* Runs n tokens through the reference session. With `with_prog`, the
 * program compiled for the model runs them too, and every logit and layer
 * output, and every spiking site's counts, thresholds and output, must be
 * the reference's bit for bit. Every site that spikes must be one that
 * spikes by its name, and none in fp32. Returns the number of differing
 * logits and layer outputs. */
static uint64_t run_checked(const struct ax_model *m, const struct ax_ref_options *o, uint32_t n,
                            const char *text, struct run_out *out, int with_prog)
{
    ax_ref_session_t *s = open_session(m, o);
    if (!s)
        return 1;
    struct prog_run r;
    int has_prog = with_prog;
    if (has_prog) {
        struct ax_diag_list diags;
        ax_diag_list_init(&diags);
        ax_status st = open_prog(m->dir, o, &r, &diags);
        if (st != AX_OK)
            dump_diags(&diags);
        ax_diag_list_free(&diags);
        CHECK(st == AX_OK);
        if (st != AX_OK) {
            close_prog(&r);
            ax_ref_session_close(s);
            return 1;
        }
    }
    double bits = 0;
    if (out) {
        memset(out, 0, sizeof *out);
        out->codes_outside = ax_ref_session_codes_outside_int8(s);
    }
    uint32_t vocab = ax_ref_session_vocab(s);
    uint64_t bad = 0, bad_counts = 0;
    char first[200] = "";
    for (uint32_t i = 0; i < n; i++) {
        int32_t tok = text ? (unsigned char)text[i] : token_at(i);
        ax_status xst = AX_OK;
        if (has_prog) {
            struct ax_diag_list diags;
            ax_diag_list_init(&diags);
            xst = ax_exec_run(r.ex, (uint32_t)tok, i, &diags);
            if (xst != AX_OK)
                dump_diags(&diags);
            ax_diag_list_free(&diags);
        }
        if (step(s, tok) != AX_OK || xst != AX_OK) {
            bad++;
            break;
        }
        const float *got = ax_ref_session_logits(s);
        if (i + 1 < n)
            bits += ax_ref_bits(got, vocab,
                                (uint32_t)(text ? (unsigned char)text[i + 1] : token_at(i + 1)));
        for (uint32_t k = 0; k < ax_ref_session_n_sites(s); k++) {
            struct ax_ref_site site;
            ax_ref_session_site(s, k, &site);
            int spikes = o->precision == AX_REF_PRECISION_W8SPIKE &&
                         spikes_by_name(site.name, site.n_in, o->spike.mode);
            if (site.is_spiking != spikes)
                bad_counts++;
            for (uint32_t c = 0; out && site.is_spiking && c < site.n_in; c++)
                out->max_count =
                    abs(site.counts[c]) > out->max_count ? abs(site.counts[c]) : out->max_count;
        }
        if (!has_prog)
            continue;
        uint64_t before = bad + bad_counts;
        if (ax_check_logits(r.ex, &r.prog, r.buf, vocab) != vocab) {
            bad += vocab;
        } else {
            for (uint32_t v = 0; v < vocab; v++)
                bad += memcmp(&got[v], &r.buf[v], sizeof(float)) != 0;
        }
        bad += compare_prog(&r, s, &bad_counts, first, sizeof first);
        if (before == 0 && bad + bad_counts)
            fprintf(stderr, "  step %u: first difference %s\n", i, first[0] ? first : "logits");
    }
    if (bad || bad_counts)
        fprintf(stderr,
                "  %s spike=%s enc=%s steps=%u: %llu logits and layer outputs and %llu sites "
                "differ\n",
                ax_ref_precision_str(o->precision), ax_spike_mode_str(o->spike.mode),
                ax_spike_encoding_str(o->spike.encoding), o->spike.steps, (unsigned long long)bad,
                (unsigned long long)bad_counts);
    CHECK(bad_counts == 0);
    if (out) {
        out->bits = n > 1 ? bits / (n - 1) : 0;
        memcpy(out->logits, ax_ref_session_logits(s), (vocab < 256 ? vocab : 256) * sizeof(float));
    }
    if (has_prog)
        close_prog(&r);
    ax_ref_session_close(s);
    return bad;
}

/* run_checked with the program in w8spike, the precision the simulator
 * executes; fp32's logits are held to an independent implementation by
 * tests/oracle (oracle.crosscheck.fp32). */
static uint64_t compare_run(const struct ax_model *m, const struct ax_ref_options *o, uint32_t n,
                            const char *text, struct run_out *out)
{
    return run_checked(m, o, n, text, out, o->precision == AX_REF_PRECISION_W8SPIKE);
}

/* The models every test shares, written once. */
static char *bf16_dir, *w8_dir;

static void setup_models(void)
{
    if (bf16_dir)
        return;
    bf16_dir = scratch_dir("ref_bf16");
    write_model(bf16_dir, AX_MODEL_VARIANT_BF16, 1, 0);
    w8_dir = scratch_dir("ref_w8");
    write_model(w8_dir, AX_MODEL_VARIANT_W8ASPIKE, 2, 0);
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_conversions(void)
{
    /* every binary16 value against its definition */
    for (uint32_t b = 0; b < 65536; b++) {
        uint32_t e = (b >> 10) & 31u, mant = b & 1023u;
        double want;
        if (e == 31)
            want = mant ? NAN : INFINITY;
        else if (e == 0)
            want = ldexp((double)mant, -24);
        else
            want = ldexp(1024.0 + mant, (int)e - 25);
        if (b & 0x8000u)
            want = -want;
        float got = ax_ref_f32_from_f16((uint16_t)b);
        if (e == 31 && mant) {
            CHECK(isnan(got));
        } else if (!(got == (float)want && !!signbit(got) == !!signbit(want))) {
            CHECK(!"f16 conversion");
            fprintf(stderr, "  f16 0x%04x: %.9g, want %.9g\n", b, got, want);
            break;
        }
    }
    CHECK(ax_ref_f32_from_bf16(0x3f80) == 1.0f);
    CHECK(ax_ref_f32_from_bf16(0xc0a0) == -5.0f);
    CHECK(ax_ref_f32_from_bf16(0x0001) == 0x1p-133f);
}

/* Group quantization (docs/semantics.md, what the program's weight records
 * hold): per row and group of 128 columns, scale = max |w| / 127 in float32
 * and code = w / scale rounded half to even. Checked on a group built by
 * hand, whose scale is a power of two so that every code, ties among them,
 * is known exactly, and on random weights against that definition. */
static void test_quantize(void)
{
    uint64_t rng = 7;
    uint32_t rows = 5, cols = 256;
    float *w = malloc(rows * cols * sizeof *w), *s = malloc(rows * 2 * sizeof *s);
    float *s2 = malloc(rows * 2 * sizeof *s2);
    int16_t *q = malloc(rows * cols * sizeof *q);
    for (uint32_t i = 0; i < rows * cols; i++)
        w[i] = (float)rng_u(&rng);
    for (uint32_t i = 0; i < cols; i++)
        w[2 * cols + i] = 0.0f; /* a zero row: scale 0, codes 0 */
    /* row 1, group 0: w = (i - 64) / 16 (codes i - 64), then 127 / 16 (the
     * largest |w|: scale 1/16 exactly) and six ties */
    const float sc = 0x1p-4f;
    static const float ties[6] = {2.5f, 3.5f, -2.5f, -0.5f, 0.5f, 126.5f};
    static const int16_t tie_codes[6] = {2, 4, -2, 0, 0, 126};
    for (uint32_t i = 0; i < 128; i++)
        w[cols + i] = (float)((int32_t)i - 64) * sc;
    w[cols + 127] = 127.0f * sc;
    for (uint32_t i = 0; i < 6; i++)
        w[cols + 8 + i] = ties[i] * sc;
    ax_ref_quantize(w, rows, cols, q, s);
    CHECK(s[2] == sc);
    int hand = q[cols + 127] == 127;
    for (uint32_t i = 0; i < 128; i++)
        hand &= i >= 8 && i < 14 ? q[cols + i] == tie_codes[i - 8]
                : i < 127        ? q[cols + i] == (int16_t)((int32_t)i - 64)
                                 : 1;
    CHECK(hand);
    int defined = 1;
    for (uint32_t j = 0; j < rows; j++)
        for (uint32_t g = 0; g < 2; g++) {
            const float *x = w + (size_t)j * cols + g * 128;
            const int16_t *c = q + (size_t)j * cols + g * 128;
            float amax = 0.0f;
            int max = 0;
            for (uint32_t i = 0; i < 128; i++) {
                amax = fabsf(x[i]) > amax ? fabsf(x[i]) : amax;
                max = abs(c[i]) > max ? abs(c[i]) : max;
            }
            float scale = s[j * 2 + g];
            defined &= scale == amax / 127.0f && max == (amax > 0.0f ? 127 : 0);
            for (uint32_t i = 0; i < 128 && scale > 0.0f; i++) {
                double e = fabs((double)x[i] / (double)scale - (double)c[i]);
                defined &= e < 0.5 || (e == 0.5 && c[i] % 2 == 0);
            }
        }
    CHECK(defined);
    CHECK(s[4] == 0.0f && q[2 * cols + 5] == 0);
    memcpy(s2, s, rows * 2 * sizeof *s);
    /* codes recovered from fake-quantized weights, some beyond int8 */
    for (uint32_t i = 0; i < rows * cols; i++) {
        int32_t code = (int32_t)(i % 400) - 200;
        w[i] = (float)((double)code * (double)s2[(i / cols) * 2 + (i % cols) / 128]);
    }
    uint64_t outside = 0;
    CHECK(ax_ref_codes_from_scales(w, s2, rows, cols, q, &outside) == AX_OK);
    uint64_t want_outside = 0;
    for (uint32_t i = 0; i < rows * cols; i++) {
        int32_t code = (int32_t)(i % 400) - 200;
        if (s2[(i / cols) * 2 + (i % cols) / 128] != 0.0f) {
            CHECK(q[i] == code);
            want_outside += code < -128 || code > 127;
        }
    }
    CHECK(outside == want_outside && outside > 0);
    s2[0] = 1e-30f; /* a code beyond 16 bits */
    w[0] = 1.0f;
    CHECK(ax_ref_codes_from_scales(w, s2, rows, cols, q, &outside) == AX_ERR_LIMIT);
    free(w);
    free(s);
    free(s2);
    free(q);
}

static uint32_t count_attr(const struct ax_ir_graph *g, enum ax_ir_op op, int want_quant,
                           int want_spike)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const struct ax_ir_node *x = &g->nodes[i];
        n += x->op == op && (want_quant < 0 || (int)x->quant == want_quant) &&
             (int)x->spike == want_spike;
    }
    return n;
}

static void test_pass(void)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_model *m = open_model(SRC "/models/nets/spikingbrain-7b");
    if (!m)
        return;
    struct ax_ir_graph g;
    CHECK(ax_ir_build(&g, m, &diags) == AX_OK);
    /* released: GLA layers q k v gk.0 o gate up (7 of 9), SWA layers q k v o gate up (6 of 7) */
    CHECK(ax_pass_w8spike(&g, AX_SPIKE_MODE_RELEASED, "7b", &diags) == AX_OK);
    CHECK(count_attr(&g, AX_IR_LINEAR, AX_IR_QUANT_INT8_G128, AX_IR_SPIKE_SPIKE) ==
          14 * 7 + 14 * 6);
    CHECK(count_attr(&g, AX_IR_SWA, -1, AX_IR_SPIKE_SPIKE) == 14);
    for (uint32_t i = 0; i < g.n_nodes; i++) {
        const struct ax_ir_node *x = &g.nodes[i];
        if (x->op == AX_IR_SWA)
            CHECK(x->kv == AX_IR_KV_INT8);
        if (x->weight &&
            (ends_with(x->weight, "down_proj.weight") || ends_with(x->weight, "gk_proj.1.weight")))
            CHECK(x->quant == AX_IR_QUANT_NONE && x->spike == AX_IR_SPIKE_NONE);
    }
    /* paper: down_proj too (gk_proj.1 with 16 inputs stays float) */
    CHECK(ax_pass_w8spike(&g, AX_SPIKE_MODE_PAPER, "7b", &diags) == AX_OK);
    CHECK(count_attr(&g, AX_IR_LINEAR, AX_IR_QUANT_INT8_G128, AX_IR_SPIKE_SPIKE) ==
          14 * 8 + 14 * 7);
    /* none: quantized, nothing spikes */
    CHECK(ax_pass_w8spike(&g, AX_SPIKE_MODE_NONE, "7b", &diags) == AX_OK);
    CHECK(count_attr(&g, AX_IR_LINEAR, AX_IR_QUANT_INT8_G128, AX_IR_SPIKE_NONE) == 14 * 7 + 14 * 6);
    CHECK(count_attr(&g, AX_IR_SWA, -1, AX_IR_SPIKE_NONE) == 14);
    CHECK(ax_pass_fp32(&g, "7b", &diags) == AX_OK);
    CHECK(count_attr(&g, AX_IR_LINEAR, AX_IR_QUANT_NONE, AX_IR_SPIKE_NONE) == 14 * 9 + 14 * 7);
    if (diags.n_errors)
        dump_diags(&diags);
    ax_ir_free(&g);
    ax_model_close(m);
    ax_diag_list_free(&diags);
}

/* w8spike in every spike mode bit for bit against the program, and fp32;
 * the modes give different logits, close to fp32's. */
static void test_exact(void)
{
    setup_models();
    struct ax_model *m = open_model(bf16_dir);
    if (!m)
        return;
    struct run_out fp, mode[AX_SPIKE_MODE_COUNT];
    struct ax_ref_options o =
        options(AX_REF_PRECISION_FP32, AX_SPIKE_MODE_RELEASED, AX_SPIKE_ENCODING_BITWISE, 0);
    CHECK(compare_run(m, &o, N_TOKENS, NULL, &fp) == 0);
    for (int i = 0; i < AX_SPIKE_MODE_COUNT; i++) {
        o = options(AX_REF_PRECISION_W8SPIKE, (enum ax_spike_mode)i, AX_SPIKE_ENCODING_BITWISE, 0);
        CHECK(compare_run(m, &o, N_TOKENS, NULL, &mode[i]) == 0);
    }
    const float *rel = mode[AX_SPIKE_MODE_RELEASED].logits;
    const float *none = mode[AX_SPIKE_MODE_NONE].logits;
    CHECK(memcmp(rel, none, sizeof fp.logits) != 0);
    CHECK(memcmp(rel, mode[AX_SPIKE_MODE_PAPER].logits, sizeof fp.logits) != 0);
    CHECK(memcmp(fp.logits, none, sizeof fp.logits) != 0); /* int8 weights */
    CHECK(mode[AX_SPIKE_MODE_NONE].max_count == 0 && mode[AX_SPIKE_MODE_RELEASED].max_count > 3);
    /* quantization and spikes are small perturbations of the float model */
    double diff = 0, norm = 0;
    for (int v = 0; v < 256; v++) {
        diff += (rel[v] - fp.logits[v]) * (rel[v] - fp.logits[v]);
        norm += fp.logits[v] * fp.logits[v];
    }
    CHECK(diff < 0.05 * norm);
    /* a fixed T saturates (ternary T=2: |s| <= 2), the same in both; another k */
    o = options(AX_REF_PRECISION_W8SPIKE, AX_SPIKE_MODE_RELEASED, AX_SPIKE_ENCODING_TERNARY, 2);
    o.spike.k = 2.5;
    struct run_out t2;
    CHECK(compare_run(m, &o, 12, NULL, &t2) == 0);
    CHECK(t2.max_count == 2);
    /* binary trains with a fixed T of 3 saturate at 3 */
    o = options(AX_REF_PRECISION_W8SPIKE, AX_SPIKE_MODE_RELEASED, AX_SPIKE_ENCODING_BINARY, 3);
    CHECK(compare_run(m, &o, 12, NULL, &t2) == 0);
    CHECK(t2.max_count == 3);
    ax_model_close(m);
}

/* A W8ASpike checkpoint (fake-quantized F32 weights, stored scales, codes
 * beyond int8): the reference recovers the codes and counts those outside
 * int8. The program holds int8 codes, so it cannot run this checkpoint:
 * the program's weight source refuses it (a refusal, not wrong values), and
 * the reference runs on its own here. */
static void test_w8aspike_checkpoint(void)
{
    setup_models();
    struct ax_model *m = open_model(w8_dir);
    if (!m)
        return;
    CHECK(m->variant == AX_MODEL_VARIANT_W8ASPIKE);
    struct ax_ref_options o =
        options(AX_REF_PRECISION_W8SPIKE, AX_SPIKE_MODE_RELEASED, AX_SPIKE_ENCODING_BITWISE, 0);
    struct run_out out;
    CHECK(run_checked(m, &o, N_TOKENS, NULL, &out, 0) == 0);
    /* the codes beyond int8 are counted: about 1% of every quantized weight */
    CHECK(out.codes_outside > 100 && out.codes_outside < 20000);
    CHECK(out.max_count > 3);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct prog_run r;
    CHECK(open_prog(m->dir, &o, &r, &diags) != AX_OK && diags.n_errors > 0);
    close_prog(&r);
    ax_diag_list_free(&diags);
    o.precision = AX_REF_PRECISION_FP32;
    CHECK(compare_run(m, &o, 10, NULL, NULL) == 0);
    ax_model_close(m);
}

/* Overflowing int32 accumulators are an error, not a wrap. */
static void test_accumulator_bound(void)
{
    char *dir = scratch_dir("ref_big");
    write_model(dir, AX_MODEL_VARIANT_W8ASPIKE, 3, 1);
    struct ax_model *m = open_model(dir);
    if (m) {
        struct ax_ref_options o =
            options(AX_REF_PRECISION_W8SPIKE, AX_SPIKE_MODE_RELEASED, AX_SPIKE_ENCODING_BITWISE, 0);
        o.spike.k = 1000;
        ax_ref_session_t *s = open_session(m, &o);
        struct ax_diag_list diags;
        ax_diag_list_init(&diags);
        ax_status st = s ? ax_ref_session_step(s, 65, &diags) : AX_OK;
        CHECK(st == AX_ERR_LIMIT);
        CHECK(has_diag(&diags, AX_DIAG_ERROR, "q_proj at position 0"));
        CHECK(!s || ax_ref_session_step(s, 65, &diags) == AX_ERR_INVALID); /* until reset */
        o.spike.k = 3;
        ax_ref_session_close(s);
        s = open_session(m, &o); /* k = 3 keeps it in range */
        CHECK(s && step(s, 65) == AX_OK);
        ax_ref_session_close(s);
        ax_diag_list_free(&diags);
        ax_model_close(m);
    }
    remove_dir(dir);
}

/* Logits of a run. */
static float *run_logits(const struct ax_model *m, const struct ax_ref_options *o, uint32_t n,
                         int32_t *counts_out, uint32_t site_index, struct ax_spike_summary *sum)
{
    ax_ref_session_t *s = open_session(m, o);
    if (!s)
        return NULL;
    float *all = malloc((size_t)n * 256 * sizeof *all);
    for (uint32_t i = 0; i < n; i++) {
        CHECK(step(s, token_at(i)) == AX_OK);
        memcpy(all + (size_t)i * 256, ax_ref_session_logits(s), 256 * sizeof *all);
        if (counts_out) {
            struct ax_ref_site site;
            ax_ref_session_site(s, site_index, &site);
            memcpy(counts_out + (size_t)i * site.n_in, site.counts, site.n_in * sizeof(int32_t));
        }
    }
    if (sum)
        ax_ref_session_sparsity(s, sum);
    ax_ref_session_close(s);
    return all;
}

static void test_modes_and_encodings(void)
{
    setup_models();
    struct ax_model *m = open_model(bf16_dir);
    if (!m)
        return;
    uint32_t n = 8;
    size_t n_counts = (size_t)n * 256;
    /* counts do not depend on the encoding; events do */
    int32_t *c[3];
    struct ax_spike_summary sum[3];
    float *lg[3];
    struct ax_ref_options o;
    for (int e = 0; e < 3; e++) {
        o = options(AX_REF_PRECISION_W8SPIKE, AX_SPIKE_MODE_RELEASED, (enum ax_spike_encoding)e, 0);
        c[e] = malloc(n_counts * sizeof(int32_t));
        lg[e] = run_logits(m, &o, n, c[e], 0, &sum[e]);
    }
    CHECK(memcmp(c[0], c[1], n_counts * sizeof(int32_t)) == 0);
    CHECK(memcmp(c[0], c[2], n_counts * sizeof(int32_t)) == 0);
    CHECK(lg[0] && lg[1] && memcmp(lg[0], lg[1], n_counts * sizeof(float)) == 0);
    CHECK(sum[0].zero_fraction == sum[1].zero_fraction);
    CHECK(sum[0].spikes_per_element < sum[1].spikes_per_element); /* popcount(s) < |s| */
    CHECK(sum[1].spikes_per_element == sum[2].spikes_per_element);
    /* a fixed T saturates: bitwise T=2 keeps |s| <= 3, the rest unchanged */
    const int32_t *adaptive = c[0];
    int32_t *fixed = malloc(n_counts * sizeof(int32_t));
    o = options(AX_REF_PRECISION_W8SPIKE, AX_SPIKE_MODE_RELEASED, AX_SPIKE_ENCODING_BITWISE, 2);
    free(run_logits(m, &o, n, fixed, 0, NULL));
    int max_a = 0, max_f = 0, n_saturated = 0, same_else = 1;
    for (size_t i = 0; i < n_counts; i++) {
        max_a = abs(adaptive[i]) > max_a ? abs(adaptive[i]) : max_a;
        max_f = abs(fixed[i]) > max_f ? abs(fixed[i]) : max_f;
        if (abs(adaptive[i]) > 3) {
            n_saturated++;
            same_else &= fixed[i] == (adaptive[i] > 0 ? 3 : -3);
        } else {
            same_else &= fixed[i] == adaptive[i];
        }
    }
    CHECK(max_a > 3 && max_f == 3 && n_saturated > 0 && same_else);
    free(fixed);
    for (int e = 0; e < 3; e++) {
        free(c[e]);
        free(lg[e]);
    }
    ax_model_close(m);
}

static int in01(double x)
{
    return x >= 0.0 && x <= 1.0;
}

static void check_summary(const struct ax_spike_summary *s)
{
    CHECK(in01(s->zero_fraction) && in01(s->slot_sparsity_t3) && in01(s->slot_sparsity));
    CHECK(in01(s->silent_channels));
    double h = 0;
    for (int b = 0; b < 4; b++) {
        CHECK(in01(s->histogram_t3[b]));
        h += s->histogram_t3[b];
    }
    CHECK(fabs(h - 1.0) < 1e-12);
    CHECK(s->histogram_t3[0] == s->zero_fraction); /* 0 spikes in 3 steps iff s == 0 */
    /* mean spikes in the window from the histogram */
    double t3 = s->histogram_t3[1] + 2 * s->histogram_t3[2] + 3 * s->histogram_t3[3];
    CHECK(fabs((1.0 - s->slot_sparsity_t3) * 3.0 - t3) < 1e-12);
}

static void test_statistics(void)
{
    setup_models();
    struct ax_model *m = open_model(bf16_dir);
    if (!m)
        return;
    struct ax_ref_options o =
        options(AX_REF_PRECISION_W8SPIKE, AX_SPIKE_MODE_RELEASED, AX_SPIKE_ENCODING_BITWISE, 0);
    ax_ref_session_t *s = open_session(m, &o);
    if (!s) {
        ax_model_close(m);
        return;
    }
    uint32_t n_sites = ax_ref_session_n_sites(s), n = 10;
    /* recount the statistics of every site from the counts the steps leave */
    uint64_t *zeros = calloc(n_sites, 8), *spikes = calloc(n_sites, 8),
             *values = calloc(n_sites, 8);
    uint64_t *slots = calloc(n_sites, 8);
    for (uint32_t t = 0; t < n; t++) {
        CHECK(step(s, token_at(t)) == AX_OK);
        for (uint32_t i = 0; i < n_sites; i++) {
            struct ax_ref_site site;
            ax_ref_session_site(s, i, &site);
            if (!site.is_spiking)
                continue;
            uint32_t max = 0;
            for (uint32_t k = 0; k < site.n_in; k++) {
                uint32_t a = (uint32_t)abs(site.counts[k]);
                zeros[i] += a == 0;
                spikes[i] += (uint32_t)__builtin_popcount(a);
                max = a > max ? a : max;
            }
            uint32_t T = 0;
            while (max >> T)
                T++;
            slots[i] += (uint64_t)T * site.n_in;
            values[i] += site.n_in;
        }
    }
    uint32_t n_spiking = 0;
    for (uint32_t i = 0; i < n_sites; i++) {
        const struct ax_spike_stats *st = ax_ref_session_site_stats(s, i);
        struct ax_ref_site site;
        ax_ref_session_site(s, i, &site);
        CHECK((st != NULL) == (site.is_spiking && site.n_vth == 1)); /* not the query */
        if (!st)
            continue;
        n_spiking++;
        struct ax_spike_summary sum;
        ax_spike_stats_summary(st, &sum);
        check_summary(&sum);
        CHECK(sum.zero_fraction == (double)zeros[i] / (double)values[i]);
        CHECK(sum.spikes_per_element == (double)spikes[i] / (double)values[i]);
        CHECK(sum.slot_sparsity == 1.0 - (double)spikes[i] / (double)slots[i]);
    }
    /* released on one GLA + one SWA layer: q k v gk.0 o gate up, q k v o gate up */
    CHECK(n_spiking == 7 + 6);
    struct ax_spike_summary total;
    ax_ref_session_sparsity(s, &total);
    check_summary(&total);
    CHECK(total.spikes_per_element > 0.5 && total.spikes_per_element < 3.0);
    /* reset starts the state and the statistics again: the run repeats exactly */
    float last[256];
    memcpy(last, ax_ref_session_logits(s), sizeof last);
    ax_ref_session_reset(s);
    CHECK(ax_ref_session_position(s) == 0);
    CHECK(step(s, token_at(0)) == AX_OK);
    CHECK(ax_ref_session_site_stats(s, 0)->n_values == ax_ref_session_site_stats(s, 0)->n_channels);
    for (uint32_t t = 1; t < n; t++)
        CHECK(step(s, token_at(t)) == AX_OK);
    CHECK(memcmp(last, ax_ref_session_logits(s), sizeof last) == 0);
    free(zeros);
    free(spikes);
    free(values);
    free(slots);
    ax_ref_session_close(s);
    ax_model_close(m);
}

static void test_dump(void)
{
    setup_models();
    struct ax_model *m = open_model(bf16_dir);
    if (!m)
        return;
    struct ax_ref_options o =
        options(AX_REF_PRECISION_W8SPIKE, AX_SPIKE_MODE_RELEASED, AX_SPIKE_ENCODING_BITWISE, 0);
    ax_ref_session_t *s = open_session(m, &o);
    struct ax_ref_dump *d = NULL;
    CHECK(s && ax_ref_dump_new(s, &d) == AX_OK);
    if (!s || !d) {
        ax_ref_session_close(s);
        ax_model_close(m);
        return;
    }
    uint32_t n = 5;
    float last_vth = 0;
    for (uint32_t i = 0; i < n; i++) {
        CHECK(step(s, token_at(i)) == AX_OK);
        CHECK(ax_ref_dump_add(d, s, token_at(i)) == AX_OK);
        struct ax_ref_site site;
        ax_ref_session_site(s, 0, &site);
        last_vth = site.vth[0];
    }
    char *dir = scratch_dir("ref_dump");
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    CHECK(ax_ref_dump_write(d, s, dir, bf16_dir, &diags) == AX_OK);
    char path[1024];
    join(path, sizeof path, dir, "manifest.json");
    json_error_t err;
    json_t *man = json_load_file(path, 0, &err);
    CHECK(man != NULL);
    if (man) {
        CHECK_STR(json_string_value(json_object_get(man, "precision")), "w8spike");
        CHECK_STR(json_string_value(json_object_get(man, "spike")), "released");
        CHECK_STR(json_string_value(json_object_get(man, "encoding")), "bitwise");
        CHECK(json_real_value(json_object_get(man, "k")) == 3.0);
        CHECK(json_is_null(json_object_get(man, "steps")));
        CHECK(json_is_string(json_object_get(man, "model")));
        json_t *tokens = json_object_get(man, "tokens");
        CHECK(json_array_size(tokens) == n &&
              json_integer_value(json_array_get(tokens, 1)) == token_at(1));
        json_t *tensors = json_object_get(man, "tensors");
        size_t i;
        json_t *t;
        int has[8] = {0};
        json_array_foreach(tensors, i, t)
        {
            const char *name = json_string_value(json_object_get(t, "name"));
            const char *dtype = json_string_value(json_object_get(t, "dtype"));
            const char *file = json_string_value(json_object_get(t, "file"));
            json_t *shape = json_object_get(t, "shape");
            CHECK(name && dtype && file && json_array_size(shape) == 2);
            if (!name || !dtype || !file)
                continue;
            uint64_t rows = (uint64_t)json_integer_value(json_array_get(shape, 0));
            uint64_t dim = (uint64_t)json_integer_value(json_array_get(shape, 1));
            CHECK(rows == n);
            join(path, sizeof path, dir, file);
            struct stat sb;
            CHECK(stat(path, &sb) == 0 && (uint64_t)sb.st_size == rows * dim * 4);
            if (strcmp(name, "model.layers.0.attn.q_proj.input") == 0)
                has[0] = dim == 256 && strcmp(dtype, "f32") == 0;
            if (strcmp(name, "model.layers.0.attn.q_proj.counts") == 0)
                has[1] = dim == 256 && strcmp(dtype, "i32") == 0;
            if (strcmp(name, "model.layers.0.attn.q_proj.vth") == 0) {
                has[2] = dim == 1 && strcmp(dtype, "f32") == 0;
                FILE *f = fopen(path, "rb");
                float v[5] = {0};
                CHECK(f && fread(v, 4, 5, f) == 5);
                if (f)
                    fclose(f);
                has[7] = v[4] == last_vth; /* the last row is the last step's */
            }
            if (strcmp(name, "model.layers.0.attn.q_proj.output") == 0)
                has[3] = dim == 256;
            if (strcmp(name, "model.layers.1.attn.swa_query.vth") == 0)
                has[4] = dim == 4; /* per head */
            if (strcmp(name, "model.layers.1.output") == 0)
                has[5] = dim == 256;
            if (strcmp(name, "logits") == 0)
                has[6] = dim == 256;
            CHECK(strcmp(name, "model.layers.0.mlp.down_proj.counts") != 0); /* not spiking */
        }
        for (int k = 0; k < 8; k++)
            CHECK(has[k]);
        json_decref(man);
    }
    ax_diag_list_free(&diags);
    ax_ref_dump_free(d);
    ax_ref_session_close(s);
    ax_model_close(m);
    remove_dir(dir);
}

static void test_errors(void)
{
    setup_models();
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    /* a shape-only model cannot run */
    struct ax_model *m = open_model(SRC "/models/nets/spikingbrain-7b");
    struct ax_ref_options o;
    ax_ref_options_default(&o);
    ax_ref_session_t *s = NULL;
    CHECK(m && ax_ref_session_open(m, &o, &s, &diags) == AX_ERR_INVALID && !s);
    CHECK(has_diag(&diags, AX_DIAG_ERROR, "shape-only"));
    ax_model_close(m);
    /* the 76B's ops are reported, every kind */
    m = open_model(SRC "/models/nets/spikingbrain-76b");
    struct ax_ir_graph g;
    if (m && ax_ir_build(&g, m, &diags) == AX_OK) {
        FILE *null = fopen("/dev/null", "w");
        CHECK(ax_ref_apply_precision(&g, &o, "76b", &diags) == AX_OK);
        CHECK(ax_ref_emit(&g, &o, NULL, AX_REF_EMIT_LLVM, null, &diags) == AX_ERR_UNSUPPORTED);
        CHECK(has_diag(&diags, AX_DIAG_ERROR, "meta tokens"));
        CHECK(has_diag(&diags, AX_DIAG_ERROR, "mixture-of-experts"));
        CHECK(has_diag(&diags, AX_DIAG_ERROR, "full attention"));
        fclose(null);
        ax_ir_free(&g);
    }
    ax_model_close(m);
    /* options out of range; tokens outside the vocabulary */
    m = open_model(bf16_dir);
    o.spike.k = 0;
    CHECK(m && ax_ref_session_open(m, &o, &s, &diags) == AX_ERR_USAGE);
    o.spike.k = 3;
    o.spike.steps = 31;
    CHECK(m && ax_ref_session_open(m, &o, &s, &diags) == AX_ERR_USAGE);
    o.spike.steps = 0;
    s = m ? open_session(m, &o) : NULL;
    if (s) {
        CHECK(ax_ref_session_step(s, 256, &diags) == AX_ERR_INVALID);
        CHECK(ax_ref_session_step(s, -1, &diags) == AX_ERR_INVALID);
        CHECK(ax_ref_session_position(s) == 0);
        CHECK(step(s, 0) == AX_OK);
    }
    ax_ref_session_close(s);
    ax_model_close(m);
    ax_diag_list_free(&diags);
}

/* The generated module: one function per phase, the step, no fast-math. */
static void test_emit_llvm(void)
{
    struct ax_model *m = open_model(SRC "/models/nets/spikingbrain-7b");
    if (!m)
        return;
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_ir_graph g;
    struct ax_ref_options o;
    ax_ref_options_default(&o);
    char *text = NULL;
    size_t len = 0;
    if (ax_ir_build(&g, m, &diags) == AX_OK) {
        CHECK(ax_ref_apply_precision(&g, &o, "7b", &diags) == AX_OK);
        FILE *f = open_memstream(&text, &len);
        CHECK(ax_ref_emit(&g, &o, NULL, AX_REF_EMIT_LLVM, f, &diags) == AX_OK);
        fclose(f);
        ax_ir_free(&g);
    }
    CHECK(text && strstr(text, "define void @axon_step(ptr %args, i32 %token, i64 %pos)"));
    CHECK(text && strstr(text, "@k1_rmsnorm("));
    CHECK(text && strstr(text, "_encode("));
    CHECK(text && strstr(text, "declare double @exp(double)"));
    CHECK(text && strstr(text, "llvm.rint.f64"));
    CHECK(text && !strstr(text, " fast ") && !strstr(text, "contract") && !strstr(text, "reassoc"));
    CHECK(text && !strstr(text, "fmuladd"));
    if (diags.n_errors)
        dump_diags(&diags);
    free(text);
    ax_diag_list_free(&diags);
    ax_model_close(m);
}

/* ulps between two doubles of the same sign (large when they differ) */
static double ulps(double a, double b)
{
    if (a == b || (isnan(a) && isnan(b)))
        return 0;
    if (!isfinite(a) || !isfinite(b) || (a < 0) != (b < 0))
        return INFINITY;
    return fabs(a - b) / (nextafter(fabs(b), INFINITY) - fabs(b));
}

/* The math functions generated for the GPU, run on the host against glibc. */
static void test_gpu_math(void)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_ref_gpu_math g;
    CHECK(ax_ref_gpu_math_host(&g, &diags) == AX_OK);
    if (!g.jit) {
        dump_diags(&diags);
        ax_diag_list_free(&diags);
        return;
    }
    double worst[5] = {0};
    uint64_t rng = 11;
    for (int i = 0; i < 20000; i++) {
        double u = rng_u(&rng);
        double x = 700.0 * u; /* exp over most of its range */
        worst[0] = fmax(worst[0], ulps(g.exp(x), exp(x)));
        double y = ldexp(fabs(u), (int)(rng_next(&rng) % 60) - 50); /* log1p on (-1, 2^10) */
        y = rng_next(&rng) % 3 == 0 ? -0.999 * fabs(u) : y;
        worst[1] = fmax(worst[1], ulps(g.log1p(y), log1p(y)));
        double a = 2e4 * u; /* RoPE angles: position x frequency */
        /* sin and cos near their zeros have large relative errors by nature: measure
         * in ulps of 1, as the rotation uses them */
        worst[2] = fmax(worst[2], fabs(g.sin(a) - sin(a)) / 0x1p-52);
        worst[3] = fmax(worst[3], fabs(g.cos(a) - cos(a)) / 0x1p-52);
        double e = -fabs(u); /* pow(theta, -2i/d) */
        worst[4] = fmax(worst[4], ulps(g.pow(1e4, e), pow(1e4, e)));
        worst[4] = fmax(worst[4], ulps(g.pow(1e6, e), pow(1e6, e)));
    }
    printf("        gpu math, worst ulps: exp %.1f, log1p %.1f, sin %.1f, cos %.1f, pow %.1f\n",
           worst[0], worst[1], worst[2], worst[3], worst[4]);
    CHECK(worst[0] <= 4 && worst[1] <= 4 && worst[2] <= 4 && worst[3] <= 4 && worst[4] <= 16);
    /* the edges */
    CHECK(g.exp(-INFINITY) == 0.0 && g.exp(INFINITY) == INFINITY && isnan(g.exp(NAN)));
    CHECK(g.exp(800) == INFINITY && g.exp(-800) == 0.0 && g.exp(0) == 1.0);
    CHECK(g.log1p(0.0) == 0.0 && g.log1p(-1.0) == -INFINITY && isnan(g.log1p(-2.0)));
    CHECK(g.log1p(INFINITY) == INFINITY && g.log1p(1e-300) == 1e-300);
    CHECK(isnan(g.sin(INFINITY)) && isnan(g.cos(NAN)) && g.sin(0.0) == 0.0 && g.cos(0.0) == 1.0);
    CHECK(g.pow(1e4, 0.0) == 1.0);
    ax_ref_jit_free(g.jit);
    ax_diag_list_free(&diags);
}

/* The trained small model, when it exists: w8spike exact against the program
 * on real text, and a sane bits per byte in both precisions. */
static void test_tiny_model(void)
{
    const char *dir = SRC "/models/nets/spikingbrain-tiny";
    char path[1024];
    join(path, sizeof path, dir, "model.safetensors");
    struct stat sb;
    if (stat(path, &sb) != 0) {
        ax_test_skip("test_tiny_model", "models/nets/spikingbrain-tiny/model.safetensors is not there");
        return;
    }
    struct ax_model *m = open_model(dir);
    if (!m)
        return;
    for (uint32_t i = 0; i < m->weights->n_tensors; i++) { /* every tensor converts */
        const struct ax_st_tensor *t = &m->weights->tensors[i];
        uint64_t n = t->n_bytes / ax_st_dtype_size(t->dtype);
        float *x = malloc(n * sizeof *x);
        CHECK(ax_ref_tensor_to_f32(t, x, n) == AX_OK);
        free(x);
    }
    const char *text = "\nThe best way to predict the future is to invent it.\n";
    uint32_t n = (uint32_t)strlen(text);
    struct ax_ref_options o =
        options(AX_REF_PRECISION_FP32, AX_SPIKE_MODE_RELEASED, AX_SPIKE_ENCODING_BITWISE, 0);
    struct run_out out;
    CHECK(compare_run(m, &o, n, text, &out) == 0);
    CHECK(out.bits < 5.0); /* a trained byte model does much better than 8 bits per byte */
    o.precision = AX_REF_PRECISION_W8SPIKE;
    CHECK(compare_run(m, &o, n, text, &out) == 0);
    CHECK(out.bits < 5.0);
    printf("        tiny model: %.3f bits/byte (w8spike) on a %u-byte text\n", out.bits, n);
    ax_model_close(m);
}

static void cleanup(void)
{
    if (!bf16_dir)
        return;
    remove_dir(bf16_dir);
    remove_dir(w8_dir);
    bf16_dir = w8_dir = NULL;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-model") == 0) {
        mkdir(argv[2], 0777);
        write_model(argv[2], AX_MODEL_VARIANT_BF16, 1, 0);
        return 0;
    }
    static const struct ax_test_case cases[] = {
        T(test_conversions), T(test_quantize), T(test_pass), T(test_exact),
        T(test_w8aspike_checkpoint), T(test_accumulator_bound), T(test_modes_and_encodings),
        T(test_statistics), T(test_dump), T(test_errors), T(test_emit_llvm), T(test_gpu_math),
        T(test_tiny_model),
    };
    size_t n_cases = sizeof cases / sizeof cases[0];
    if (!ax_ref_has_llvm()) { /* the first three need no code generation */
        for (size_t i = 3; i < n_cases; i++)
            ax_test_skip(cases[i].name, "it generates code, and this build has no LLVM 19");
        n_cases = 3;
    }
    int rc = ax_test_run(cases, n_cases); /* 77 (skipped) when a case could not run */
    cleanup();
    return rc;
}
