/* The timed run of the program the compiler emits for the trained small
 * model (ax_sim_program, sim/timed.c): the ledger adds up and follows its
 * counts, zero work costs zero, threads do not change a figure, the two
 * timing models stay within their documented bound, counting mode draws
 * what its fit promises and shares one draw and one encoding among the
 * projections of a value, functional mode's logits are the reference's bit
 * for bit, and more traffic costs more. */
#include "ax_test.h"

#include "ax_arch.h"
#include "ax_check.h"
#include "ax_ir.h"
#include "ax_map.h"
#include "ax_mem.h"
#include "ax_model.h"
#include "ax_prog.h"
#include "ax_rebuild.h"
#include "ax_ref.h"
#include "ax_sim.h"
#include "ax_synth.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SRC AX_SOURCE_DIR
#define TINY SRC "/models/nets/spikingbrain-tiny"
#define CHIP SRC "/models/chips/loihi2-like.yaml"

/* The documented bound between the approx and analytic timing models on
 * the small model (docs/simulator.md, "Two timing models"). */
#define TIMING_BOUND 0.05

/* The model mapped on the chip and the program emitted for it; `arch`,
 * `g` and `map` are the mapping's. */
struct fixture {
    struct ax_mapped mp;
    struct ax_prog prog;
    ax_arch_t *arch;
    struct ax_ir_graph g;
    struct ax_map map;
    struct ax_spike_options spike;
};

/* Emits the program for `f`'s mapping under `spike` into `p` (freed with
 * ax_prog_free). */
static int emit(struct fixture *f, const struct ax_spike_options *spike, struct ax_prog *p)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    ax_prog_init(p, 0, 0);
    ax_status st = ax_map_emit(&f->mp.map, &f->mp.graph, f->mp.arch, spike, f->mp.graph.name, p, &d);
    if (st != AX_OK)
        ax_diag_print(&d, stderr);
    ax_diag_list_free(&d);
    CHECK(st == AX_OK);
    return st == AX_OK;
}

static int setup(struct fixture *f, const char *model, const char *chip)
{
    memset(f, 0, sizeof *f);
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_ref_options ro;
    ax_ref_options_default(&ro);
    f->spike = ro.spike;
    struct ax_map_options mo;
    ax_map_default_options(&mo);
    ax_prog_init(&f->prog, 0, 0);
    ax_status st = ax_mapped_open(&f->mp, model, chip, &ro, &mo, &d);
    if (st != AX_OK)
        ax_diag_print(&d, stderr);
    ax_diag_list_free(&d);
    CHECK(st == AX_OK);
    f->arch = f->mp.arch;
    f->g = f->mp.graph;
    f->map = f->mp.map;
    return st == AX_OK && emit(f, &f->spike, &f->prog);
}

static void teardown(struct fixture *f)
{
    ax_prog_free(&f->prog);
    ax_mapped_close(&f->mp);
}

/* Functional mode's check: after each token, the program's logits against
 * the w8spike reference's, bit for bit. */
struct logit_check {
    const struct ax_prog *p;
    ax_ref_session_t *ref;
    float *logits;
    uint32_t vocab;
    uint64_t n_checked, n_differ;
};

static ax_status check_token(void *user, const struct ax_exec *ex, uint32_t index, int32_t token)
{
    (void)index;
    struct logit_check *c = user;
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    ax_status st = ax_ref_session_step(c->ref, token, &d);
    ax_diag_list_free(&d);
    if (st != AX_OK)
        return st;
    const float *want = ax_ref_session_logits(c->ref);
    uint32_t n = ax_check_logits(ex, c->p, c->logits, c->vocab);
    c->n_differ += n == c->vocab ? 0 : c->vocab;
    for (uint32_t i = 0; i < n && n == c->vocab; i++)
        c->n_differ += memcmp(&c->logits[i], &want[i], sizeof *want) != 0;
    c->n_checked += c->vocab;
    return AX_OK;
}

/* The timed run of program `p` (NULL: the fixture's): counting mode draws
 * counts; functional mode computes values from the checkpoint and, when
 * `chk` is given, checks each token's logits against the reference. */
static ax_status run_program(struct fixture *f, const struct ax_prog *p,
                             const struct ax_sim_options *o, const int32_t *tokens, uint32_t n,
                             struct ax_sim_result *r, struct logit_check *chk)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    p = p ? p : &f->prog;
    ax_check_weights_t *w = NULL;
    struct ax_exec_weights src;
    ax_status st = AX_OK;
    if (o->mode == AX_SIM_FUNCTIONAL)
        st = ax_check_weights_open(f->mp.model, &w, &src, &d);
    struct ax_sim_observer obs = {check_token, NULL, chk};
    if (st == AX_OK)
        st = ax_sim_program(p, f->arch, w ? &src : NULL, tokens, n, o, chk ? &obs : NULL, r, &d);
    if (st != AX_OK)
        ax_diag_print(&d, stderr);
    ax_check_weights_close(w);
    ax_diag_list_free(&d);
    return st;
}

static ax_status run(struct fixture *f, const struct ax_sim_options *o, const int32_t *tokens,
                     uint32_t n, struct ax_sim_result *r)
{
    return run_program(f, NULL, o, tokens, n, r, NULL);
}

static void counting_options(struct ax_sim_options *o)
{
    ax_sim_options_default(o);
    o->mode = AX_SIM_COUNTING;
}

/* The ledger: each line is its count times its unit cost, the categories
 * are sums of their lines, the total the sum of the categories; a line with
 * no count costs nothing; the per-core and per-step energies add up to the
 * dynamic total. */
static void check_ledger(const struct ax_sim_result *r, const ax_arch_t *arch)
{
    double cat[AX_ENERGY_CAT_COUNT] = {0}, total = 0;
    int lines_ok = 1, zero_ok = 1;
    for (int i = 0; i < AX_LEDGER_COUNT; i++) {
        const struct ax_ledger_line *ln = &r->ledger.line[i];
        lines_ok &= ln->energy_j == ln->count * ln->unit_j;
        lines_ok &= ln->unit_j == ax_ledger_unit_cost(arch, (enum ax_ledger_item)i);
        if (ln->count == 0)
            zero_ok &= ln->energy_j == 0;
        cat[ax_ledger_item_cat((enum ax_ledger_item)i)] += ln->energy_j;
    }
    CHECK(lines_ok);
    CHECK(zero_ok);
    for (int c = 0; c < AX_ENERGY_CAT_COUNT; c++) {
        CHECK(cat[c] == r->ledger.cat_j[c]);
        total += r->ledger.cat_j[c];
    }
    CHECK(total == r->ledger.total_j);
    CHECK(r->ledger.total_j > 0);
    double steps = 0, cores = 0, hops = 0;
    for (uint32_t i = 0; i < r->n_steps; i++)
        steps += r->steps[i].energy_j;
    for (uint32_t i = 0; i < r->n_cores; i++)
        cores += r->cores[i].energy_j;
    for (int i = AX_LEDGER_HOP_NORTH; i <= AX_LEDGER_CHIP_LINK; i++)
        hops += r->ledger.line[i].energy_j;
    double dynamic = r->ledger.total_j - r->ledger.cat_j[AX_ENERGY_STATIC];
    CHECK_NEAR(steps, dynamic);
    /* cores carry everything but the network's hops and the barriers */
    CHECK_NEAR(cores + hops + r->ledger.cat_j[AX_ENERGY_SYNC], dynamic);
    /* static energy is the chips' static power for the simulated time */
    CHECK_NEAR(r->ledger.cat_j[AX_ENERGY_STATIC],
               r->chips_used * r->seconds * ax_arch_chip_static_power(arch));
    /* the synaptic ops the ledger charged are those the sparsity counts */
    CHECK_NEAR(r->ledger.line[AX_LEDGER_PROCESS_SPIKE].count, r->sop_per_token * r->tokens);
    CHECK_NEAR(r->ideal_spiking_j, r->sop_per_token * r->tokens * AX_IDEAL_INT8_ADD_J);
}

static int same_result(const struct ax_sim_result *a, const struct ax_sim_result *b)
{
    int same = a->cycles == b->cycles && a->seconds == b->seconds && a->n_steps == b->n_steps &&
               a->n_cores == b->n_cores && a->ledger.total_j == b->ledger.total_j;
    for (uint32_t i = 0; same && i < a->n_steps; i++)
        same = a->steps[i].cycles == b->steps[i].cycles && a->steps[i].seconds == b->steps[i].seconds &&
               a->steps[i].energy_j == b->steps[i].energy_j;
    for (uint32_t i = 0; same && i < a->n_cores; i++)
        same = memcmp(a->cores[i].busy_s, b->cores[i].busy_s, sizeof a->cores[i].busy_s) == 0 &&
               a->cores[i].energy_j == b->cores[i].energy_j;
    for (int i = 0; same && i < AX_LEDGER_COUNT; i++)
        same = a->ledger.line[i].count == b->ledger.line[i].count;
    return same;
}

static void test_counting(void)
{
    struct fixture f;
    if (!setup(&f, TINY, CHIP))
        return;
    struct ax_sim_options o;
    counting_options(&o);
    struct ax_sim_result one, two, analytic, again;
    CHECK(run(&f, &o, NULL, 8, &one) == AX_OK);
    check_ledger(&one, f.arch);
    CHECK(one.synthetic.is_synthetic);
    CHECK(!one.validation.is_done);
    CHECK(one.n_layers == 6); /* embedding, 4 layers, head */

    /* threads change nothing */
    o.threads = 2;
    CHECK(run(&f, &o, NULL, 8, &two) == AX_OK);
    CHECK(same_result(&one, &two));
    o.threads = 1;
    CHECK(run(&f, &o, NULL, 8, &again) == AX_OK);
    CHECK(same_result(&one, &again));

    /* the analytic model: the same counts and energy but time, within the bound */
    o.timing = AX_SIM_TIMING_ANALYTIC;
    CHECK(run(&f, &o, NULL, 8, &analytic) == AX_OK);
    for (int i = 0; i < AX_LEDGER_COUNT; i++)
        if (i != AX_LEDGER_STATIC_CHIP)
            CHECK(analytic.ledger.line[i].count == one.ledger.line[i].count);
    double ratio = analytic.seconds / one.seconds;
    printf("timing: approx %.6g s, analytic %.6g s, ratio %.4f\n", one.seconds, analytic.seconds, ratio);
    CHECK(ratio > 1 - TIMING_BOUND && ratio < 1 + TIMING_BOUND);
    CHECK(analytic.seconds <= one.seconds * (1 + 1e-12)); /* no contention can only be faster */

    /* the drawn counts follow the fitted distribution: 8 tokens of a small
     * model give a loose but real check */
    struct ax_synth_pmf pmf;
    struct ax_synth_fit fit;
    ax_synth_fit_default(&pmf, &fit);
    CHECK(fabs(one.sparsity.spikes_per_element - fit.achieved_spikes_per_element) < 0.05);
    CHECK(fabs(one.sparsity.zero_fraction - fit.achieved_zero_fraction) < 0.03);
    for (int k = 0; k < 4; k++)
        CHECK(fabs(one.sparsity.histogram_t3[k] - fit.achieved_hist_t3[k]) < 0.03);

    /* a different seed draws different counts */
    struct ax_sim_result seeded;
    o.timing = AX_SIM_TIMING_APPROX;
    o.seed = 7;
    CHECK(run(&f, &o, NULL, 8, &seeded) == AX_OK);
    CHECK(seeded.ledger.line[AX_LEDGER_PROCESS_SPIKE].count != one.ledger.line[AX_LEDGER_PROCESS_SPIKE].count);

    /* the context fills the SWA window: more keys, more dense work */
    struct ax_sim_result ctx;
    o.seed = 1;
    o.context = 1000;
    CHECK(run(&f, &o, NULL, 8, &ctx) == AX_OK);
    CHECK(ctx.ledger.line[AX_LEDGER_DENSE_MAC].count > one.ledger.line[AX_LEDGER_DENSE_MAC].count);
    CHECK(ctx.ledger.line[AX_LEDGER_SRAM_READ].count > one.ledger.line[AX_LEDGER_SRAM_READ].count);

    ax_sim_result_free(&one);
    ax_sim_result_free(&two);
    ax_sim_result_free(&again);
    ax_sim_result_free(&analytic);
    ax_sim_result_free(&seeded);
    ax_sim_result_free(&ctx);
    teardown(&f);
}

/* The encoded values of one token: the sum of the lengths of the distinct
 * values the spiking projections and spiked SWA queries read, as the
 * program encodes each of them once (mapping/emit.c, encode_once). */
static double encoded_per_token(const struct fixture *f)
{
    uint8_t *seen = calloc(f->g.n_nodes + 1, 1);
    double n = 0;
    for (uint32_t i = 0; i < f->map.n_objects; i++) {
        const struct ax_map_object *o = &f->map.objects[i];
        uint32_t src = f->g.nodes[o->node].inputs[0];
        if (o->kind != AX_MAP_WEIGHTS || !o->is_spiking || seen[src])
            continue;
        seen[src] = 1;
        n += o->cols;
    }
    for (uint32_t id = 0; id < f->g.n_nodes; id++) {
        const struct ax_ir_node *nd = &f->g.nodes[id];
        if (nd->op != AX_IR_SWA || nd->spike != AX_IR_SPIKE_SPIKE || seen[nd->inputs[0]])
            continue;
        seen[nd->inputs[0]] = 1;
        n += (double)nd->heads * nd->head_dim;
    }
    free(seen);
    return n;
}

/* Counting mode, as functional mode, gives the projections that read one
 * value (q, k, v and gk; gate and up) the same counts, drawn once per token,
 * and charges the encoder once per value: for each of three tokens, their
 * sites' histograms in a profile of that token alone are identical, the
 * soma reads and updates one neuron per distinct encoded value element, and
 * its spikes are those of the distinct values; with a profile, a group
 * draws from its lead's entry. */
static void test_shared_encoding(void)
{
    struct fixture f;
    if (!setup(&f, TINY, CHIP))
        return;
    double per_token = encoded_per_token(&f);
    CHECK(per_token > 0);
    for (uint32_t pos = 0; pos < 3; pos++) {
        struct ax_sim_options o;
        counting_options(&o);
        o.context = pos;
        o.profile_out = "shared-encoding.json";
        struct ax_sim_result r;
        CHECK(run(&f, &o, NULL, 1, &r) == AX_OK);
        CHECK(r.ledger.line[AX_LEDGER_ACCESS_NEURON].count == per_token);
        CHECK(r.ledger.line[AX_LEDGER_UPDATE_NEURON].count == per_token);
        struct ax_synth_profile prof;
        struct ax_diag_list d;
        ax_diag_list_init(&d);
        CHECK(ax_synth_profile_load(o.profile_out, &prof, &d) == AX_OK);
        ax_diag_list_free(&d);
        /* site names by node, to find each site's input in the graph */
        uint32_t *src = calloc(prof.n_sites + 1, sizeof *src);
        for (uint32_t i = 0; i < prof.n_sites; i++) {
            src[i] = UINT32_MAX;
            for (uint32_t id = 0; id < f.g.n_nodes && src[i] == UINT32_MAX; id++) {
                char name[256];
                ax_map_site_name(&f.g, id, name, sizeof name);
                if (strcmp(name, prof.sites[i].name) == 0)
                    src[i] = f.g.nodes[id].inputs[0];
            }
            CHECK(src[i] != UINT32_MAX);
        }
        double spikes = 0;
        uint32_t max_group = 0;
        for (uint32_t i = 0; i < prof.n_sites; i++) {
            uint32_t group = 0, first = i;
            for (uint32_t j = 0; j < prof.n_sites; j++) {
                if (src[j] != src[i])
                    continue;
                group++;
                first = j < first ? j : first;
                CHECK(memcmp(prof.sites[j].histogram, prof.sites[i].histogram,
                             sizeof prof.sites[i].histogram) == 0);
            }
            max_group = group > max_group ? group : max_group;
            if (first == i) /* drawn counts stay within the last bucket */
                for (uint32_t m = 0; m <= AX_SYNTH_MAX_MAG; m++)
                    spikes += (double)prof.sites[i].histogram[m] * ax_spike_events(f.spike.encoding, m);
        }
        CHECK(max_group == 4); /* q, k, v, gk of a GLA layer */
        CHECK(r.ledger.line[AX_LEDGER_SPIKE_OUT].count == spikes);
        free(src);
        ax_synth_profile_free(&prof);
        ax_sim_result_free(&r);
    }

    /* A profile of the lead's site alone: the group draws from it. Layer
     * 0's q_proj, every count 5 (a one-layer profile: every layer's q_proj
     * matches it): q, k, v and gk of every layer see only 5. (The program's
     * run takes each group's lead, its first reader; a profile without the
     * lead leaves the group the default.) */
    uint64_t fives[AX_SYNTH_MAX_MAG + 1] = {0};
    fives[5] = 1000;
    const char *name = "model.layers.0.attn.q_proj";
    const uint64_t *hists[] = {fives};
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    CHECK(ax_synth_profile_write("q-only.json", "test", &name, hists, 1, &d) == AX_OK);
    struct ax_sim_options o;
    counting_options(&o);
    o.profile = "q-only.json";
    o.profile_out = "q-only-out.json";
    struct ax_sim_result r;
    CHECK(run(&f, &o, NULL, 2, &r) == AX_OK);
    struct ax_synth_profile prof;
    CHECK(ax_synth_profile_load(o.profile_out, &prof, &d) == AX_OK);
    uint32_t n_fives = 0;
    for (uint32_t i = 0; i < prof.n_sites; i++) {
        const struct ax_synth_profile_site *ps = &prof.sites[i];
        int is_group = strstr(ps->name, ".attn.") && !strstr(ps->name, "o_proj") &&
                       !strstr(ps->name, "swa_query");
        if (is_group) {
            CHECK(ps->values > 0 && ps->histogram[5] == ps->values);
            n_fives++;
        } else {
            CHECK(ps->histogram[5] < ps->values); /* the default elsewhere */
        }
    }
    CHECK(n_fives == 14); /* q, k, v of 4 layers, gk of the 2 GLA layers */
    ax_diag_list_free(&d);
    ax_synth_profile_free(&prof);
    ax_sim_result_free(&r);
    teardown(&f);
}

/* More spikes cost more: the same run with a fixed T = 1 (counts saturate
 * at 1) sends fewer packets and uses less synaptic energy than adaptive T. */
static void test_monotone(void)
{
    struct fixture f;
    if (!setup(&f, TINY, CHIP))
        return;
    struct ax_sim_options o;
    counting_options(&o);
    struct ax_sim_result adaptive, saturated;
    CHECK(run(&f, &o, NULL, 4, &adaptive) == AX_OK);
    struct ax_spike_options one_step = f.spike;
    one_step.steps = 1;
    struct ax_prog p1;
    if (emit(&f, &one_step, &p1)) {
        CHECK(run_program(&f, &p1, &o, NULL, 4, &saturated, NULL) == AX_OK);
        CHECK(saturated.ledger.cat_j[AX_ENERGY_SYNAPSE] < adaptive.ledger.cat_j[AX_ENERGY_SYNAPSE]);
        CHECK(saturated.ledger.line[AX_LEDGER_MESSAGE_OUT].count <
              adaptive.ledger.line[AX_LEDGER_MESSAGE_OUT].count);
        ax_sim_result_free(&saturated);
    }
    ax_prog_free(&p1);
    ax_sim_result_free(&adaptive);
    teardown(&f);
}

/* Functional mode on a text: every token's logits are the reference's bit
 * for bit; the ledger adds up; the encoder runs once per value. */
static void test_functional(void)
{
    if (!ax_ref_has_llvm()) {
        ax_test_skip("test_functional", "this build has no LLVM reference to validate against");
        return;
    }
    struct fixture f;
    if (!setup(&f, TINY, CHIP))
        return;
    const char *text = "The quick brown fox jumps over the lazy dog, twice: 0123456789.";
    uint32_t n = (uint32_t)strlen(text);
    int32_t *tokens = malloc(n * sizeof *tokens);
    for (uint32_t i = 0; i < n; i++)
        tokens[i] = (unsigned char)text[i];
    struct ax_sim_options o;
    ax_sim_options_default(&o);
    struct ax_sim_result r, r2;
    struct logit_check chk;
    memset(&chk, 0, sizeof chk);
    chk.p = &f.prog;
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_ref_options ro;
    ax_ref_options_default(&ro);
    CHECK(ax_ref_session_open(f.mp.model, &ro, &chk.ref, &d) == AX_OK);
    ax_diag_list_free(&d);
    chk.vocab = chk.ref ? ax_ref_session_vocab(chk.ref) : 0;
    chk.logits = ax_mem_calloc((size_t)chk.vocab + 1, sizeof *chk.logits);
    CHECK(chk.ref && chk.logits && run_program(&f, NULL, &o, tokens, n, &r, &chk) == AX_OK);
    CHECK(chk.n_checked == (uint64_t)n * chk.vocab && chk.n_differ == 0);
    printf("functional: %u tokens, %llu logits checked, %llu differ\n", n,
           (unsigned long long)chk.n_checked, (unsigned long long)chk.n_differ);
    check_ledger(&r, f.arch);
    /* the encoder runs once per value, however many projections read it */
    CHECK(r.ledger.line[AX_LEDGER_ACCESS_NEURON].count == n * encoded_per_token(&f));
    CHECK(r.sparsity.spikes_per_element > 0.5 && r.sparsity.spikes_per_element < 3);
    o.threads = 2;
    CHECK(run(&f, &o, tokens, n, &r2) == AX_OK);
    CHECK(same_result(&r, &r2));
    ax_sim_result_free(&r);
    ax_sim_result_free(&r2);
    ax_mem_free(chk.logits);
    ax_ref_session_close(chk.ref);
    free(tokens);
    teardown(&f);
}

/* A shape-only model in functional mode is refused with a reason: the
 * weight source's (exec.model, test_half_way_counts) as `axon run` reports
 * it (sim.cli, "functional mode on a shape-only model says why"). */

AX_TEST_MAIN(T(test_counting), T(test_shared_encoding), T(test_monotone), T(test_functional))
