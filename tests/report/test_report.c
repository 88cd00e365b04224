/* The report writers (sim/report.c, sim/report_html.c) on a small but
 * complete result built here: two chips of a 2 x 2 mesh with two cores per
 * tile, four layers, every core, link and step, and a ledger whose lines
 * add up. Checks the JSON schema's keys and types, that the ledger's ten
 * categories sum to the total, null validation in counting mode, CSV rows,
 * atomic writes that fail without touching the old file, the terminal
 * summary, the HTML page's charts and escaping, and allocation failures.
 *
 * `test_report --write-html PATH` writes the HTML page of the same result
 * and exits: html_test.sh renders it with a browser. */
#define _POSIX_C_SOURCE 200809L
#include "ax_test.h"

#include "ax_arch.h"
#include "ax_diag.h"
#include "ax_fs.h"
#include "ax_mem.h"
#include "ax_report.h"
#include "ax_sim.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#define OUT "report-out"

/* ---- the fixture ------------------------------------------------------------------- */

static const char chip_yaml[] =
    "version: 1\n"
    "name: test-2x2\n"
    "sources:\n  - \"test values\"\n"
    "system:\n"
    "  chips: 2\n"
    "  interchip: {energy_per_byte: 16 pJ/B, latency: 1 us, bandwidth: 1 GB/s}\n"
    "chip:\n"
    "  clock: 1 GHz\n"
    "  mesh: {width: 2, height: 2}\n"
    "  tile:\n"
    "    cores: 2\n"
    "    router:\n"
    "      energy_north_hop: 4 pJ\n      latency_north_hop: 6.5 ns\n"
    "      energy_south_hop: 4 pJ\n      latency_south_hop: 6.5 ns\n"
    "      energy_east_hop: 3 pJ\n      latency_east_hop: 4.1 ns\n"
    "      energy_west_hop: 3 pJ\n      latency_west_hop: 4.1 ns\n"
    "      energy_local: 1.7 pJ\n      latency_local: 2.1 ns\n"
    "      link_width: 32 bit\n"
    "      buffer: 16\n"
    "      source: \"router <test> & source\"\n"
    "  static_power: {chip: 100 mW, core: 1 mW}\n"
    "  sync: {model: fixed, latency: 100 ns, energy: 1 nJ}\n"
    "  dram: {capacity: 1 GiB, bandwidth: 10 GB/s, energy_per_byte: 100 pJ/B, latency: 50 ns}\n"
    "  core:\n"
    "    max_neurons: 1024\n"
    "    sram: {capacity: 64 KiB, width: 64 bit, energy_read: 10 pJ, energy_write: 12 pJ, latency: "
    "1 ns}\n"
    "    axon_in: {energy_message_in: 1 pJ, latency_message_in: 16 ns}\n"
    "    synapse:\n"
    "      lanes: 4\n"
    "      energy_process_spike: 23.6 pJ\n"
    "      latency_process_spike: 3.5 ns\n"
    "      source: \"test synapse\"\n"
    "      estimate: true\n"
    "    dendrite: {energy_update: 0.5 pJ, latency_update: 1 ns}\n"
    "    soma:\n"
    "      energy_access_neuron: 51.2 pJ\n      latency_access_neuron: 6 ns\n"
    "      energy_update_neuron: 21.6 pJ\n      latency_update_neuron: 3.7 ns\n"
    "      energy_spike_out: 69.3 pJ\n      latency_spike_out: 30 ns\n"
    "    axon_out: {energy_message_out: 111 pJ, latency_message_out: 5.1 ns}\n"
    "    dense:\n"
    "      lanes: 8\n"
    "      default: {energy: 1.5 pJ, latency: 1 ns}\n";

enum { N_LAYERS = 4, N_CHIPS = 2, MESH = 2, CORES_PER_TILE = 2 };
enum { CORES_PER_CHIP = MESH * MESH * CORES_PER_TILE, N_CORES = N_CHIPS * CORES_PER_CHIP };
enum { N_LINKS = N_CHIPS * MESH * MESH * AX_DIR_COUNT, N_TOKENS = 2, STEPS_PER_TOKEN = 6 };
enum { N_STEPS = N_TOKENS * STEPS_PER_TOKEN, N_USED = 11 };

struct fixture {
    ax_arch_t *arch;
    struct ax_sim_result r;
    struct ax_sim_layer layers[N_LAYERS];
    struct ax_sim_core cores[N_CORES];
    struct ax_sim_link links[N_LINKS];
    struct ax_sim_step steps[N_STEPS];
};

static const char *const layer_names[N_LAYERS] = {"embedding", "layer.0", "layer.1", "head"};

/* Fills `f` as a counting-mode run with synthetic activations (validation
 * not done). Returns 0, or -1 if the chip description did not load. */
static int fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_status st =
        ax_arch_load_text("test-2x2.yaml", chip_yaml, sizeof chip_yaml - 1, &f->arch, &diags);
    if (st != AX_OK) {
        ax_diag_print(&diags, stderr);
        ax_diag_list_free(&diags);
        return -1;
    }
    ax_diag_list_free(&diags);

    struct ax_sim_result *r = &f->r;
    r->model_name = "spikingbrain-test";
    r->params = 12.5e6;
    r->chip_name = "test-2x2";
    r->chips_used = N_CHIPS;
    r->cores_used = N_USED;
    r->cores_per_chip = CORES_PER_CHIP;
    r->mesh_w = MESH;
    r->mesh_h = MESH;
    r->cores_per_tile = CORES_PER_TILE;
    r->chip_grid_w = 2;
    r->clock_hz = 1e9;
    r->mode = AX_SIM_COUNTING;
    r->timing = AX_SIM_TIMING_APPROX;
    r->engine = "native";
    r->tokens = N_TOKENS;
    r->context = 16;
    r->seed = 7;
    r->threads = 2;
    ax_spike_options_default(&r->spike);

    r->synthetic.is_synthetic = 1;
    r->synthetic.target_hist_t3[0] = 0.6915;
    r->synthetic.target_hist_t3[1] = 0.1930;
    r->synthetic.target_hist_t3[2] = 0.0969;
    r->synthetic.target_hist_t3[3] = 0.0185;
    r->synthetic.target_spikes_per_element = 1.13;
    r->synthetic.target_zero_fraction = 0.184;
    r->synthetic.source = "SpikingBrain report §5.5, Fig. 9";

    /* Layers: made-up but self-consistent counts. */
    double sops = 0, macs = 0, spikes = 0;
    uint64_t cycles = 0;
    for (int i = 0; i < N_LAYERS; i++) {
        struct ax_sim_layer *l = &f->layers[i];
        snprintf(l->name, sizeof l->name, "%s", layer_names[i]);
        int is_spiking = i == 1 || i == 2;
        l->n_sites = is_spiking ? 7 : 0;
        if (is_spiking) {
            l->sparsity.zero_fraction = 0.184;
            l->sparsity.slot_sparsity_t3 = 0.6917;
            l->sparsity.slot_sparsity = 0.6233;
            l->sparsity.spikes_per_element = 1.13;
            l->sparsity.silent_channels = 0.02 * i;
            l->sparsity.histogram_t3[0] = 0.69;
            l->sparsity.histogram_t3[1] = 0.19;
            l->sparsity.histogram_t3[2] = 0.10;
            l->sparsity.histogram_t3[3] = 0.02;
            l->sops = 1130.0 * i * 96;
            l->dense_macs = 1000.0 * i * 96;
            l->spikes_out = 40.0 * i;
        }
        l->packets = 10.0 + i;
        l->cycles = 1000 + 500 * (uint64_t)i;
        l->seconds = l->cycles * 1e-9;
        l->energy_j = 1e-9 * (i + 1);
        /* bounds summed over the tokens, as the timed run keeps them */
        l->bound_term_s[AX_SIM_BOUND_LINK] = 300e-9 * N_TOKENS;
        l->bound_term_s[AX_SIM_BOUND_INPUT] = 400e-9 * N_TOKENS;
        l->bound_s = 400e-9 * N_TOKENS;
        l->bound_by = AX_SIM_BOUND_INPUT;
        l->chain_s = 250e-9 * N_TOKENS;
        sops += l->sops;
        macs += l->dense_macs;
        spikes += is_spiking ? 1130.0 * i : 0;
        cycles += l->cycles;
    }
    r->layers = f->layers;
    r->n_layers = N_LAYERS;
    r->sparsity = f->layers[1].sparsity;
    r->sparsity.silent_channels = 0.01;
    r->spikes_per_nonzero = 1.13 / 0.816;
    r->sop_per_token = sops / N_TOKENS;
    r->dense_mac_per_token = macs / N_TOKENS;
    r->cycles = cycles;
    r->seconds = cycles * 1e-9;
    r->seconds_per_token = r->seconds / N_TOKENS;

    /* The ledger: every item charged, from the chip's own unit costs. */
    for (int i = 0; i < AX_LEDGER_COUNT; i++) {
        struct ax_ledger_line *ln = &r->ledger.line[i];
        ln->count = 10.0 * (i + 1);
        ln->unit_j = ax_ledger_unit_cost(f->arch, (enum ax_ledger_item)i);
        if (i == AX_LEDGER_STATIC_CHIP)
            ln->count = N_CHIPS * r->seconds;
        ln->energy_j = ln->count * ln->unit_j;
        r->ledger.cat_j[ax_ledger_item_cat((enum ax_ledger_item)i)] += ln->energy_j;
    }
    for (int c = 0; c < AX_ENERGY_CAT_COUNT; c++)
        r->ledger.total_j += r->ledger.cat_j[c];
    r->per_token_j = r->ledger.total_j / N_TOKENS;
    r->estimated_fraction = ax_ledger_estimated_fraction(&r->ledger, f->arch);
    r->ideal_spiking_j = spikes * AX_IDEAL_INT8_ADD_J;
    r->ideal_fp16_mac_j = macs * AX_IDEAL_FP16_MAC_J;
    r->ideal_int8_mac_j = macs * AX_IDEAL_INT8_MAC_J;

    /* Cores: the first N_USED hold work; chip 1 is partly idle. */
    for (uint32_t i = 0; i < N_CORES; i++) {
        struct ax_sim_core *c = &f->cores[i];
        c->core = i;
        c->is_used = i < N_USED;
        if (!c->is_used)
            continue;
        c->sram_bytes = 4096.0 * (i + 1);
        for (int u = 0; u <= AX_UNIT_COUNT; u++)
            c->busy_s[u] = r->seconds * (0.05 * (u + 1) + 0.05 * (i % 4)) / 2;
        c->synaptic_ops = 100.0 * i;
        c->packets_in = 3.0 * i;
        c->packets_out = 2.0 * i;
        c->energy_j = 1e-10 * (i + 1);
    }
    r->cores = f->cores;
    r->n_cores = N_CORES;

    /* Links: every router's four, in chip, y, x, direction order. */
    uint32_t k = 0;
    for (uint32_t chip = 0; chip < N_CHIPS; chip++)
        for (uint32_t y = 0; y < MESH; y++)
            for (uint32_t x = 0; x < MESH; x++)
                for (int d = 0; d < AX_DIR_COUNT; d++, k++) {
                    struct ax_sim_link *l = &f->links[k];
                    l->chip = chip, l->x = x, l->y = y, l->dir = (enum ax_dir)d;
                    l->packets = (k * 7) % 5 == 0 ? 0 : (double)((k * 7) % 23);
                    l->busy_s = l->packets * 4e-9;
                }
    r->links = f->links;
    r->n_links = N_LINKS;

    /* Steps: per token, the embedding, three spike steps and a reduction of
     * layer 1, then the head. */
    k = 0;
    for (uint32_t t = 0; t < N_TOKENS; t++)
        for (uint32_t s = 0; s < STEPS_PER_TOKEN; s++, k++) {
            struct ax_sim_step *step = &f->steps[k];
            step->token = t;
            step->node = s;
            step->layer = s == 0 ? 0 : s == STEPS_PER_TOKEN - 1 ? 3 : 1;
            step->spike_step = s >= 1 && s <= 3 ? s : 0;
            step->cycles = 100 + s;
            step->seconds = step->cycles * 1e-9;
            step->packets = 2.0 * s;
            step->energy_j = 1e-11 * (s + 1);
        }
    r->steps = f->steps;
    r->n_steps = N_STEPS;
    return 0;
}

/* The same run in functional mode, validated. */
static int fixture_init_functional(struct fixture *f)
{
    if (fixture_init(f) != 0)
        return -1;
    f->r.mode = AX_SIM_FUNCTIONAL;
    memset(&f->r.synthetic, 0, sizeof f->r.synthetic);
    f->r.validation.is_done = 1;
    f->r.validation.reference = "w8spike";
    f->r.validation.is_bit_exact = 1;
    f->r.validation.max_rel_err = 2.5e-7;
    f->r.validation.n_values_checked = 4096;
    f->r.validation.n_mismatches = 0;
    return 0;
}

static void fixture_free(struct fixture *f)
{
    ax_arch_free(f->arch);
}

/* ---- helpers ----------------------------------------------------------------------- */

/* The value at a dotted path ("energy.breakdown_j.noc"), or NULL. */
static json_t *at(json_t *o, const char *path)
{
    char key[128];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        o = json_object_get(o, key);
        path += n + (path[n] == '.');
    }
    return o;
}

static int is_num(json_t *v)
{
    return json_is_number(v);
}

/* Not inlined: once inlined, GCC 12 at -O3 takes the returned text for a
 * pointer to this function's local `text` (-Wdangling-pointer). */
__attribute__((noinline)) static char *read_all(const char *path)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    char *text = NULL;
    size_t len = 0;
    ax_fs_read_file(path, 64u << 20, &text, &len, &d);
    ax_diag_list_free(&d);
    return text;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; p && *p; p++)
        n += *p == '\n';
    return n;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void make_out(void)
{
    if (mkdir(OUT, 0777) != 0 && errno != EEXIST)
        fprintf(stderr, "cannot create %s: %s\n", OUT, strerror(errno));
}

static const char *const sparsity_fields[] = {
    "zero_fraction",      "slot_sparsity_t3", "slot_sparsity", "spikes_per_element",
    "spikes_per_nonzero", "silent_channels",  "sop_per_token", "dense_mac_per_token"};

static void check_sparsity_fields(json_t *o)
{
    for (size_t i = 0; i < sizeof sparsity_fields / sizeof sparsity_fields[0]; i++) {
        json_t *v = json_object_get(o, sparsity_fields[i]);
        CHECK(is_num(v));
        if (!is_num(v))
            fprintf(stderr, "  missing or not a number: %s\n", sparsity_fields[i]);
    }
    json_t *h = json_object_get(o, "histogram_t3");
    CHECK(json_is_array(h) && json_array_size(h) == 4);
    for (size_t i = 0; i < json_array_size(h); i++)
        CHECK(is_num(json_array_get(h, i)));
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_si(void)
{
    char b[48];
    CHECK_STR(ax_report_si(1.5e-12, "J", b, sizeof b), "1.5 pJ");
    CHECK_STR(ax_report_si(2.5e-6, "J", b, sizeof b), "2.5 µJ");
    CHECK_STR(ax_report_si(999.96e-9, "s", b, sizeof b), "1 µs");
    CHECK_STR(ax_report_si(1e-12, "J", b, sizeof b), "1 pJ");
    CHECK_STR(ax_report_si(0, "J", b, sizeof b), "0 J");
    CHECK_STR(ax_report_si(12.5e6, "", b, sizeof b), "12.5 M");
    CHECK_STR(ax_report_si(321.25, "", b, sizeof b), "321.2");
    CHECK_STR(ax_report_si(-3e-3, "W", b, sizeof b), "-3 mW");
    CHECK_STR(ax_report_si(NAN, "J", b, sizeof b), "nan J");
    CHECK_STR(ax_report_si(INFINITY, "s", b, sizeof b), "inf s");
}

static void test_json_keys(void)
{
    struct fixture f;
    if (fixture_init(&f) != 0) {
        CHECK(!"chip description loads");
        return;
    }
    json_t *o = NULL;
    CHECK(ax_report_json(&f.r, f.arch, &o) == AX_OK);
    CHECK(o != NULL);
    CHECK_STR(json_string_value(at(o, "schema")), AX_REPORT_SCHEMA);
    CHECK_STR(json_string_value(at(o, "model.name")), "spikingbrain-test");
    CHECK(is_num(at(o, "model.params")));

    CHECK_STR(json_string_value(at(o, "chip.name")), "test-2x2");
    static const char *const chip_ints[] = {
        "chip.chips_used",  "chip.cores_used",     "chip.cores_per_chip", "chip.mesh_width",
        "chip.mesh_height", "chip.cores_per_tile", "chip.chip_grid_width"};
    for (size_t i = 0; i < sizeof chip_ints / sizeof chip_ints[0]; i++)
        CHECK(json_is_integer(at(o, chip_ints[i])));
    CHECK(json_integer_value(at(o, "chip.chips_used")) == N_CHIPS);
    CHECK(json_integer_value(at(o, "chip.cores_used")) == N_USED);
    CHECK(is_num(at(o, "chip.clock_hz")));

    CHECK_STR(json_string_value(at(o, "run.mode")), "counting");
    CHECK_STR(json_string_value(at(o, "run.engine")), "native");
    CHECK_STR(json_string_value(at(o, "run.timing")), "approx");
    CHECK(json_integer_value(at(o, "run.tokens")) == N_TOKENS);
    CHECK(json_integer_value(at(o, "run.context")) == 16);
    CHECK(json_integer_value(at(o, "run.seed")) == 7);
    CHECK(json_integer_value(at(o, "run.threads")) == 2);
    CHECK_STR(json_string_value(at(o, "run.encoding")), "bitwise");
    CHECK(is_num(at(o, "run.k")));
    CHECK(json_is_string(at(o, "run.spike")));
    CHECK(json_is_true(at(o, "run.synthetic")));
    CHECK(json_is_string(at(o, "run.note")) &&
          strstr(json_string_value(at(o, "run.note")), "synthetic"));

    json_t *sp = at(o, "sparsity");
    check_sparsity_fields(sp);
    json_t *t = at(o, "sparsity.targets");
    CHECK(json_is_object(t));
    json_t *th = json_object_get(t, "histogram_t3");
    CHECK(json_array_size(th) == 4);
    CHECK(json_real_value(json_array_get(th, 0)) == 0.6915);
    CHECK(json_real_value(json_array_get(th, 3)) == 0.0185);
    CHECK(json_real_value(json_object_get(t, "spikes_per_element")) == 1.13);
    CHECK(json_real_value(json_object_get(t, "zero_fraction")) == 0.184);
    CHECK(json_is_string(json_object_get(t, "source")));
    json_t *layers = at(o, "sparsity.layers");
    CHECK(json_is_array(layers) && json_array_size(layers) == N_LAYERS);
    for (size_t i = 0; i < json_array_size(layers); i++) {
        json_t *l = json_array_get(layers, i);
        CHECK_STR(json_string_value(json_object_get(l, "name")), layer_names[i]);
        check_sparsity_fields(l);
    }
    /* Fractions, never percent. */
    double zf = json_real_value(at(o, "sparsity.zero_fraction"));
    CHECK(zf >= 0 && zf <= 1);

    CHECK(json_is_integer(at(o, "latency.cycles")));
    CHECK(is_num(at(o, "latency.seconds")));
    CHECK(is_num(at(o, "latency.seconds_per_token")));
    json_t *ll = at(o, "latency.layers");
    CHECK(json_array_size(ll) == N_LAYERS);
    for (size_t i = 0; i < json_array_size(ll); i++) {
        json_t *l = json_array_get(ll, i);
        CHECK(json_is_string(json_object_get(l, "name")));
        CHECK(json_is_integer(json_object_get(l, "cycles")));
        CHECK(is_num(json_object_get(l, "seconds")));
        /* a layer's bound and chain span per token, from the run's sums */
        CHECK(json_real_value(json_object_get(l, "bound_s")) == 400e-9);
        CHECK(json_real_value(at(l, "bound_terms_s.link")) == 300e-9);
        CHECK(json_real_value(json_object_get(l, "chain_s")) == 250e-9);
        CHECK_STR(json_string_value(json_object_get(l, "bound_by")), "input");
    }

    /* Energy: exactly ten categories that sum to the total. */
    double total = json_real_value(at(o, "energy.total_j"));
    CHECK(total > 0);
    CHECK(is_num(at(o, "energy.per_token_j")));
    json_t *bd = at(o, "energy.breakdown_j");
    CHECK(json_is_object(bd) && json_object_size(bd) == AX_ENERGY_CAT_COUNT);
    static const char *const cats[AX_ENERGY_CAT_COUNT] = {
        "synapse", "dendrite", "soma",      "dense",  "sram",
        "dram",    "noc",      "interchip", "static", "sync"};
    double sum = 0;
    for (int c = 0; c < AX_ENERGY_CAT_COUNT; c++) {
        json_t *v = json_object_get(bd, cats[c]);
        CHECK(json_is_real(v));
        sum += json_real_value(v);
    }
    CHECK(fabs(sum - total) <= 1e-12 * fabs(total));
    json_t *ledger = at(o, "energy.ledger");
    CHECK(json_object_size(ledger) == AX_ENERGY_CAT_COUNT);
    size_t n_items = 0;
    int has_source = 0, has_estimate = 0;
    for (int c = 0; c < AX_ENERGY_CAT_COUNT; c++) {
        json_t *co = json_object_get(ledger, cats[c]);
        CHECK(is_num(json_object_get(co, "energy_j")));
        json_t *items = json_object_get(co, "items");
        CHECK(json_is_array(items) && json_array_size(items) > 0);
        double isum = 0;
        for (size_t i = 0; i < json_array_size(items); i++, n_items++) {
            json_t *it = json_array_get(items, i);
            CHECK(json_is_string(json_object_get(it, "name")));
            CHECK(json_is_string(json_object_get(it, "unit")));
            CHECK(is_num(json_object_get(it, "count")));
            CHECK(is_num(json_object_get(it, "unit_j")));
            CHECK(is_num(json_object_get(it, "energy_j")));
            json_t *src = json_object_get(it, "source");
            CHECK(json_is_string(src) || json_is_null(src));
            has_source |= json_is_string(src);
            CHECK(json_is_boolean(json_object_get(it, "estimate")));
            has_estimate |= json_is_true(json_object_get(it, "estimate"));
            isum += json_real_value(json_object_get(it, "energy_j"));
        }
        double cj = json_real_value(json_object_get(co, "energy_j"));
        CHECK(fabs(isum - cj) <= 1e-12 * fmax(fabs(cj), 1e-300));
    }
    CHECK(n_items == AX_LEDGER_COUNT);
    CHECK(has_source && has_estimate);
    /* estimated_fraction is the share of the items marked estimate. */
    double est_sum = 0;
    for (int c = 0; c < AX_ENERGY_CAT_COUNT; c++) {
        json_t *items = json_object_get(json_object_get(ledger, cats[c]), "items");
        for (size_t i = 0; i < json_array_size(items); i++) {
            json_t *it = json_array_get(items, i);
            if (json_is_true(json_object_get(it, "estimate")))
                est_sum += json_real_value(json_object_get(it, "energy_j"));
        }
    }
    json_t *ef = at(o, "energy.estimated_fraction");
    CHECK(json_is_real(ef));
    CHECK(json_real_value(ef) > 0 && json_real_value(ef) < 1);
    CHECK_NEAR(json_real_value(ef), est_sum / total);
    CHECK(is_num(at(o, "energy.idealized.spiking_j")));
    CHECK(is_num(at(o, "energy.idealized.fp16_mac_j")));
    CHECK(is_num(at(o, "energy.idealized.int8_mac_j")));
    CHECK(json_real_value(at(o, "energy.idealized.unit_j.int8_add_j")) == 0.03e-12);
    CHECK(json_real_value(at(o, "energy.idealized.unit_j.fp16_mac_j")) == 1.5e-12);
    CHECK(json_real_value(at(o, "energy.idealized.unit_j.int8_mac_j")) == 0.23e-12);
    CHECK(json_is_string(at(o, "energy.idealized.source")) &&
          strstr(json_string_value(at(o, "energy.idealized.source")), "5.5"));

    CHECK(json_is_null(at(o, "validation")));

    json_t *cores = at(o, "cores");
    CHECK(json_is_array(cores) && json_array_size(cores) == N_USED);
    for (size_t i = 0; i < json_array_size(cores); i++) {
        json_t *c = json_array_get(cores, i);
        CHECK(json_is_integer(json_object_get(c, "core")));
        CHECK(json_is_integer(json_object_get(c, "chip")));
        CHECK(json_object_size(json_object_get(c, "busy_s")) == AX_UNIT_COUNT + 1);
        double occ = json_real_value(json_object_get(c, "occupancy"));
        CHECK(occ >= 0 && occ <= 1);
        CHECK(is_num(json_object_get(c, "synaptic_ops")));
        CHECK(is_num(json_object_get(c, "packets_in")));
        CHECK(is_num(json_object_get(c, "packets_out")));
        CHECK(is_num(json_object_get(c, "energy_j")));
        CHECK(is_num(json_object_get(c, "sram_bytes")));
    }
    CHECK(json_integer_value(at(json_array_get(cores, 10), "chip")) == 1);

    /* The whole object re-parses from its text. */
    char *text = json_dumps(o, JSON_INDENT(2));
    json_error_t err;
    json_t *again = text ? json_loads(text, 0, &err) : NULL;
    CHECK(again && json_equal(o, again));
    json_decref(again);
    free(text);
    json_decref(o);
    fixture_free(&f);
}

static void test_json_functional(void)
{
    struct fixture f;
    if (fixture_init_functional(&f) != 0) {
        CHECK(!"chip description loads");
        return;
    }
    json_t *o = NULL;
    CHECK(ax_report_json(&f.r, f.arch, &o) == AX_OK);
    CHECK_STR(json_string_value(at(o, "run.mode")), "functional");
    CHECK(json_is_false(at(o, "run.synthetic")));
    CHECK(json_is_null(at(o, "run.note")));
    CHECK(at(o, "sparsity.targets") == NULL);
    json_t *v = at(o, "validation");
    CHECK(json_is_object(v));
    CHECK_STR(json_string_value(json_object_get(v, "reference")), "w8spike");
    CHECK(json_is_true(json_object_get(v, "bit_exact")));
    CHECK(json_real_value(json_object_get(v, "max_rel_err")) == 2.5e-7);
    CHECK(json_integer_value(json_object_get(v, "values_checked")) == 4096);
    CHECK(json_integer_value(json_object_get(v, "mismatches")) == 0);
    CHECK(json_is_null(json_object_get(v, "first_mismatch")));
    json_decref(o);

    f.r.validation.is_bit_exact = 0;
    f.r.validation.n_mismatches = 3;
    snprintf(f.r.validation.first_mismatch, sizeof f.r.validation.first_mismatch,
             "token 0, layer.1 q_proj, accumulator 5: 17 vs 18");
    CHECK(ax_report_json(&f.r, f.arch, &o) == AX_OK);
    CHECK(json_is_false(at(o, "validation.bit_exact")));
    CHECK(json_is_string(at(o, "validation.first_mismatch")));
    json_decref(o);

    /* Without the chip description the sources are null. */
    CHECK(ax_report_json(&f.r, NULL, &o) == AX_OK);
    json_t *item = json_array_get(at(o, "energy.ledger.synapse.items"), 0);
    CHECK(json_is_null(json_object_get(item, "source")));
    CHECK(json_is_false(json_object_get(item, "estimate")));
    json_decref(o);
    fixture_free(&f);
}

/* NaN and infinities become null; the text still parses; a huge seed stays exact. */
static void test_json_nonfinite(void)
{
    struct fixture f;
    if (fixture_init(&f) != 0) {
        CHECK(!"chip description loads");
        return;
    }
    f.r.sparsity.spikes_per_element = NAN;
    f.r.seconds_per_token = INFINITY;
    f.r.ledger.line[0].unit_j = -INFINITY;
    f.r.seed = UINT64_MAX;
    f.r.tokens = 0; /* figures per token are then undefined */
    make_out();
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    CHECK(ax_report_write_json(&f.r, f.arch, OUT "/nonfinite.json", &d) == AX_OK);
    ax_diag_list_free(&d);
    json_error_t err;
    json_t *o = json_load_file(OUT "/nonfinite.json", 0, &err);
    CHECK(o != NULL);
    CHECK(json_is_null(at(o, "sparsity.spikes_per_element")));
    CHECK(json_is_null(at(o, "latency.seconds_per_token")));
    CHECK(json_is_null(
        json_object_get(json_array_get(at(o, "sparsity.layers"), 1), "sop_per_token")));
    CHECK_STR(json_string_value(at(o, "run.seed")), "18446744073709551615");
    json_decref(o);
    char *text = read_all(OUT "/nonfinite.json");
    CHECK(text && !strstr(text, "nan") && !strstr(text, "inf"));
    ax_mem_free(text);
    fixture_free(&f);
}

static void test_write_json(void)
{
    struct fixture f;
    if (fixture_init(&f) != 0) {
        CHECK(!"chip description loads");
        return;
    }
    make_out();
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    write_text(OUT "/report.json", "old\n");
    CHECK(ax_report_write_json(&f.r, f.arch, OUT "/report.json", &d) == AX_OK);
    CHECK(d.n_errors == 0);
    char *text = read_all(OUT "/report.json");
    CHECK(text != NULL);
    if (text) {
        size_t n = strlen(text);
        CHECK(n > 2 && text[n - 1] == '\n' && text[n - 2] == '}');
        CHECK(strncmp(text, "{\n  \"schema\": \"axon-report/1\",\n  \"model\": {\n    \"name\"",
                      52) == 0);
        json_error_t err;
        json_t *o = json_loads(text, 0, &err);
        CHECK(o && json_is_object(o));
        /* Doubles round-trip exactly. */
        CHECK(json_real_value(at(o, "energy.total_j")) == f.r.ledger.total_j);
        json_decref(o);
    }
    ax_mem_free(text);

    /* A directory that does not exist: an error naming the path, nothing written. */
    ax_diag_list_free(&d);
    ax_diag_list_init(&d);
    CHECK(ax_report_write_json(&f.r, f.arch, OUT "/no-such-dir/report.json", &d) == AX_ERR_IO);
    CHECK(d.n_errors == 1 && d.n_items == 1 && strstr(d.items[0].file, "no-such-dir/report.json"));
    CHECK(!ax_fs_is_dir(OUT "/no-such-dir"));
    ax_diag_list_free(&d);

    /* A write that fails half-way (the file-size limit cuts it off): the old
     * file stays whole and the temporary is gone. */
    write_text(OUT "/keep.json", "{\"old\": true}\n");
    struct rlimit old_limit, small;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    if (getrlimit(RLIMIT_FSIZE, &old_limit) == 0) {
        small = old_limit;
        small.rlim_cur = 256;
        if (setrlimit(RLIMIT_FSIZE, &small) == 0) {
            ax_diag_list_init(&d);
            ax_status st = ax_report_write_json(&f.r, f.arch, OUT "/keep.json", &d);
            setrlimit(RLIMIT_FSIZE, &old_limit);
            CHECK(st == AX_ERR_IO);
            CHECK(d.n_errors == 1);
            ax_diag_list_free(&d);
            text = read_all(OUT "/keep.json");
            CHECK(text && strcmp(text, "{\"old\": true}\n") == 0);
            ax_mem_free(text);
            setrlimit(RLIMIT_FSIZE, &small);
            ax_diag_list_init(&d);
            CHECK(ax_report_write_html(&f.r, f.arch, OUT "/keep.json", &d) == AX_ERR_IO);
            ax_diag_list_free(&d);
            setrlimit(RLIMIT_FSIZE, &old_limit);
            text = read_all(OUT "/keep.json");
            CHECK(text && strcmp(text, "{\"old\": true}\n") == 0);
            ax_mem_free(text);
        }
    }
    signal(SIGXFSZ, old_handler);
    fixture_free(&f);
}

/* Rows of `path` excluding the header; -1 when unreadable or the header
 * does not start with `first`. */
static int csv_rows(const char *path, const char *first)
{
    char *text = read_all(path);
    if (!text)
        return -1;
    int n = strncmp(text, first, strlen(first)) == 0 ? count_lines(text) - 1 : -1;
    ax_mem_free(text);
    return n;
}

static void test_csv(void)
{
    struct fixture f;
    if (fixture_init(&f) != 0) {
        CHECK(!"chip description loads");
        return;
    }
    make_out();
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    CHECK(ax_report_write_csv(&f.r, f.arch, OUT "/csv/run1", &d) == AX_OK);
    CHECK(d.n_errors == 0);
    CHECK(csv_rows(OUT "/csv/run1/layers.csv", "layer,name,") == N_LAYERS);
    CHECK(csv_rows(OUT "/csv/run1/cores.csv", "core,chip,") == N_CORES);
    CHECK(csv_rows(OUT "/csv/run1/steps.csv", "step,token,") == N_STEPS);
    CHECK(csv_rows(OUT "/csv/run1/links.csv", "chip,x,y,dir,") == N_LINKS);

    /* Numbers read back exactly, in few digits: the last column of layers.csv is energy_j. */
    char *text = read_all(OUT "/csv/run1/layers.csv");
    if (text) {
        char row[1024] = "";
        size_t at0 = strcspn(text, "\n") + 1; /* layer 0 */
        at0 += strcspn(text + at0, "\n") + 1; /* layer 1 */
        size_t n = strcspn(text + at0, "\n");
        if (n < sizeof row)
            memcpy(row, text + at0, n), row[n] = '\0';
        const char *last = strrchr(row, ',');
        CHECK(last && strtod(last + 1, NULL) == f.layers[1].energy_j);
        CHECK(strncmp(row, "1,layer.0,7,0.184,0.6917,", 25) == 0);
    }
    ax_mem_free(text);
    /* Every row of cores.csv has as many fields as the header. */
    text = read_all(OUT "/csv/run1/cores.csv");
    if (text) {
        int fields = -1, is_same = 1;
        for (char *line = text; *line;) {
            char *nl = strchr(line, '\n');
            int n = 1;
            for (char *p = line; p < nl; p++)
                n += *p == ',';
            if (fields < 0)
                fields = n;
            is_same &= n == fields;
            line = nl + 1;
        }
        CHECK(is_same && fields == 4 + AX_UNIT_COUNT + 1 + 5);
    }
    ax_mem_free(text);

    /* A directory below a regular file cannot be made. */
    write_text(OUT "/plain-file", "x\n");
    ax_diag_list_free(&d);
    ax_diag_list_init(&d);
    CHECK(ax_report_write_csv(&f.r, f.arch, OUT "/plain-file/csv", &d) == AX_ERR_IO);
    CHECK(d.n_errors == 1);
    ax_diag_list_free(&d);
    fixture_free(&f);
}

/* The summary printed to a temporary file, read back. */
static char *summary_text(const struct fixture *f)
{
    FILE *tmp = tmpfile();
    if (!tmp)
        return NULL;
    ax_status st = ax_report_print_summary(&f->r, f->arch, tmp);
    long n = ftell(tmp);
    rewind(tmp);
    char *text = st == AX_OK && n > 0 ? calloc(1, (size_t)n + 1) : NULL;
    if (text && fread(text, 1, (size_t)n, tmp) != (size_t)n) {
        free(text);
        text = NULL;
    }
    fclose(tmp);
    return text;
}

static void test_summary(void)
{
    struct fixture f;
    if (fixture_init(&f) != 0) {
        CHECK(!"chip description loads");
        return;
    }
    char *text = summary_text(&f);
    CHECK(text != NULL);
    if (text) {
        for (int c = 0; c < AX_ENERGY_CAT_COUNT; c++)
            CHECK(strstr(text, ax_energy_cat_str((enum ax_energy_cat)c)) != NULL);
        CHECK(strstr(text, "synthetic") != NULL);
        CHECK(strstr(text, "published") != NULL);
        CHECK(strstr(text, "0.6915") != NULL);
        CHECK(strstr(text, "not validated (counting mode)") != NULL);
        CHECK(strstr(text, "tokens/s") != NULL);
        CHECK(strstr(text, "FP16 MAC") && strstr(text, "INT8 MAC"));
        CHECK(strstr(text, "pJ") || strstr(text, "nJ") || strstr(text, "µJ"));
        char want[96];
        snprintf(want, sizeof want, "  %.1f %% of the total rests on costs the chip file marks",
                 100.0 * f.r.estimated_fraction);
        CHECK(strstr(text, want) != NULL);
        CHECK(strstr(text, "synaptic ops x 0.03 pJ") != NULL);
        if (getenv("AX_TEST_VERBOSE"))
            fputs(text, stdout);
    }
    free(text);
    fixture_free(&f);

    if (fixture_init_functional(&f) != 0)
        return;
    text = summary_text(&f);
    CHECK(text && strstr(text, "bit exact: yes") && !strstr(text, "synthetic"));
    CHECK(text && !strstr(text, "published"));
    free(text);
    fixture_free(&f);
}

/* A ledger with three lines charged at the fixture chip's costs: 10
 * synaptic ops at 23.6 pJ (synapse: estimate: true), 100 SRAM reads at
 * 10 pJ (no estimate), 1e-8 chip-seconds of static power at 100 mW + 8 cores
 * x 1 mW = 108 mW (an estimate only where the chip marks it so). */
static void three_line_ledger(struct ax_ledger *lg, const ax_arch_t *arch)
{
    memset(lg, 0, sizeof *lg);
    lg->line[AX_LEDGER_PROCESS_SPIKE].count = 10;
    lg->line[AX_LEDGER_SRAM_READ].count = 100;
    lg->line[AX_LEDGER_STATIC_CHIP].count = 1e-8;
    for (int i = 0; i < AX_LEDGER_COUNT; i++) {
        struct ax_ledger_line *ln = &lg->line[i];
        ln->unit_j = ax_ledger_unit_cost(arch, (enum ax_ledger_item)i);
        ln->energy_j = ln->count * ln->unit_j;
        lg->cat_j[ax_ledger_item_cat((enum ax_ledger_item)i)] += ln->energy_j;
        lg->total_j += ln->energy_j;
    }
}

/* energy.estimated_fraction against hand-computed shares: 236 pJ of
 * estimated synaptic ops, 1000 pJ of SRAM and 1080 pJ of static power make
 * 2316 pJ; the share is 236 / 2316, or (236 + 1080) / 2316 once the static
 * power is marked an estimate too, and 0 for an empty ledger. */
static void test_estimated_fraction(void)
{
    struct fixture f;
    if (fixture_init(&f) != 0) {
        CHECK(!"chip description loads");
        return;
    }
    struct ax_ledger lg;
    three_line_ledger(&lg, f.arch);
    CHECK_NEAR(lg.total_j, 2316e-12);
    CHECK_NEAR(ax_ledger_estimated_fraction(&lg, f.arch), 236.0 / 2316.0);

    /* The same chip with its static power marked `estimate: true`. */
    static const char from[] = "  static_power: {chip: 100 mW, core: 1 mW}\n";
    static const char to[] = "  static_power: {chip: 100 mW, core: 1 mW, estimate: true}\n";
    char text[sizeof chip_yaml + sizeof to];
    const char *at_from = strstr(chip_yaml, from);
    CHECK(at_from != NULL);
    if (at_from) {
        size_t head = (size_t)(at_from - chip_yaml);
        snprintf(text, sizeof text, "%.*s%s%s", (int)head, chip_yaml, to,
                 at_from + sizeof from - 1);
        struct ax_diag_list d;
        ax_diag_list_init(&d);
        ax_arch_t *arch = NULL;
        CHECK(ax_arch_load_text("static-estimate.yaml", text, strlen(text), &arch, &d) == AX_OK);
        ax_diag_list_free(&d);
        if (arch) {
            CHECK(ax_ledger_item_source(arch, AX_LEDGER_STATIC_CHIP)->is_estimate);
            three_line_ledger(&lg, arch);
            CHECK_NEAR(ax_ledger_estimated_fraction(&lg, arch), 1316.0 / 2316.0);
            /* Everything charged at estimated costs: the share is 1. */
            lg.total_j -= lg.line[AX_LEDGER_SRAM_READ].energy_j;
            lg.line[AX_LEDGER_SRAM_READ].energy_j = 0;
            CHECK_NEAR(ax_ledger_estimated_fraction(&lg, arch), 1.0);
            ax_arch_free(arch);
        }
    }

    memset(&lg, 0, sizeof lg);
    CHECK(ax_ledger_estimated_fraction(&lg, f.arch) == 0.0);
    fixture_free(&f);
}

/* The part of `html` from id="ID" to the end of that <svg>, counted for
 * drawn marks; -1 when the chart is missing. */
static int chart_marks(const char *html, const char *id)
{
    char key[64];
    snprintf(key, sizeof key, "<svg id=\"%s\"", id);
    const char *p = strstr(html, key);
    if (!p)
        return -1;
    /* memcmp, not strstr: a sanitizer's strstr measures the rest of the page each call. */
    static const char mark[] = "<rect class=\"mark";
    const char *end = strstr(p, "</svg>");
    if (!end)
        return -1;
    int n = 0;
    for (const char *q = p; q + sizeof mark - 1 <= end; q++)
        n += memcmp(q, mark, sizeof mark - 1) == 0;
    return n;
}

static void test_html(void)
{
    struct fixture f;
    if (fixture_init(&f) != 0) {
        CHECK(!"chip description loads");
        return;
    }
    f.r.model_name = "<b>model</b> & \"co\"";
    make_out();
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    CHECK(ax_report_write_html(&f.r, f.arch, OUT "/report.html", &d) == AX_OK);
    ax_diag_list_free(&d);
    char *html = read_all(OUT "/report.html");
    CHECK(html != NULL);
    if (html) {
        static const char *const ids[] = {"chart-firing", "chart-histogram", "chart-energy",
                                          "chart-noc",    "chart-latency",   "chart-occupancy"};
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
            int n = chart_marks(html, ids[i]);
            CHECK(n > 0);
            if (n <= 0)
                fprintf(stderr, "  %s: %d marks\n", ids[i], n);
        }
        /* The NoC chart has one mark per router and per link. */
        CHECK(chart_marks(html, "chart-noc") >= N_LINKS);
        CHECK(strncmp(html, "<!DOCTYPE html>", 15) == 0);
        CHECK(!strstr(html, "<script") && !strstr(html, " src=") && !strstr(html, " href=") &&
              !strstr(html, "url("));
        CHECK(!strstr(html, "<b>model</b>"));
        CHECK(strstr(html, "&lt;b&gt;model&lt;/b&gt; &amp; &quot;co&quot;") != NULL);
        CHECK(strstr(html, "router &lt;test&gt; &amp; source") != NULL);
        CHECK(strstr(html, "synthetic") != NULL);
        CHECK(strstr(html, "Not validated (counting mode)") != NULL);
        char want[64];
        snprintf(want, sizeof want, "%.1f %% of the total rests on costs",
                 100.0 * f.r.estimated_fraction);
        CHECK(strstr(html, want) != NULL);
        /* the latency chart's tick is a layer's bound over the whole run */
        CHECK(strstr(html, "layer.0: lower bound 800 ns, by input") != NULL);
    }
    ax_mem_free(html);

    /* An empty run still renders every chart, without marks where no data exist. */
    struct ax_sim_result empty;
    memset(&empty, 0, sizeof empty);
    ax_diag_list_init(&d);
    CHECK(ax_report_write_html(&empty, NULL, OUT "/empty.html", &d) == AX_OK);
    CHECK(ax_report_write_json(&empty, NULL, OUT "/empty.json", &d) == AX_OK);
    CHECK(ax_report_write_csv(&empty, NULL, OUT "/empty-csv", &d) == AX_OK);
    ax_diag_list_free(&d);
    html = read_all(OUT "/empty.html");
    CHECK(html && strstr(html, "chart-occupancy") && strstr(html, "no layers recorded"));
    ax_mem_free(html);
    fixture_free(&f);
}

/* A large system: the heatmaps stop at their mark budget and say so. */
static void test_html_large(void)
{
    enum { BIG_CHIPS = 20, BIG_MESH = 64 };
    struct ax_sim_result r;
    memset(&r, 0, sizeof r);
    r.model_name = "large";
    r.chips_used = BIG_CHIPS;
    r.mesh_w = r.mesh_h = BIG_MESH;
    r.cores_per_tile = 1;
    r.cores_per_chip = BIG_MESH * BIG_MESH;
    r.chip_grid_w = 5;
    r.seconds = 1e-3;
    r.n_links = BIG_CHIPS * BIG_MESH * BIG_MESH * AX_DIR_COUNT;
    r.n_cores = BIG_CHIPS * r.cores_per_chip;
    r.links = calloc(r.n_links, sizeof *r.links);
    r.cores = calloc(r.n_cores, sizeof *r.cores);
    if (!r.links || !r.cores) {
        CHECK(!"memory for the large fixture");
        free(r.links);
        free(r.cores);
        return;
    }
    for (uint32_t i = 0; i < r.n_links; i++) {
        uint32_t router = i / AX_DIR_COUNT;
        r.links[i].chip = router / (BIG_MESH * BIG_MESH);
        r.links[i].x = router % BIG_MESH;
        r.links[i].y = router / BIG_MESH % BIG_MESH;
        r.links[i].dir = (enum ax_dir)(i % AX_DIR_COUNT);
        r.links[i].packets = i % 7;
    }
    for (uint32_t i = 0; i < r.n_cores; i++) {
        r.cores[i].core = i;
        r.cores[i].is_used = i % 3 != 0;
        r.cores[i].busy_s[AX_UNIT_SYNAPSE] = 1e-3 * (i % 10) / 10;
    }
    make_out();
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    CHECK(ax_report_write_html(&r, NULL, OUT "/large.html", &d) == AX_OK);
    ax_diag_list_free(&d);
    char *html = read_all(OUT "/large.html");
    CHECK(html != NULL);
    if (html) {
        CHECK(strlen(html) < (size_t)40 << 20);
        int noc = chart_marks(html, "chart-noc"), occ = chart_marks(html, "chart-occupancy");
        CHECK(noc > 0 && noc <= 40000);
        CHECK(occ > 0 && occ <= 40000);
        CHECK(strstr(html, "first 1 of 20 chips shown") != NULL);
        CHECK(strstr(html, "first 9 of 20 chips shown") != NULL);
    }
    ax_mem_free(html);
    free(r.links);
    free(r.cores);
}

/* jansson's allocations, failing after `json_allocs_left` of them. */
static long json_allocs_left = -1;
static void *failing_json_malloc(size_t n)
{
    if (json_allocs_left == 0)
        return NULL;
    if (json_allocs_left > 0)
        json_allocs_left--;
    return malloc(n);
}

/* The allocation to fail next: each of the first 64, then about 6 % further
 * each time, so that a sanitizer build runs the test in seconds. */
static long next_failure(long k)
{
    return k < 64 ? k + 1 : k + k / 16;
}

/* Allocations, ours and jansson's, failed in turn: each writer returns
 * AX_ERR_NOMEM (or succeeds), never crashes or leaks, and never leaves a
 * half-written file. */
static void test_alloc_failures(void)
{
    struct fixture f;
    if (fixture_init(&f) != 0) {
        CHECK(!"chip description loads");
        return;
    }
    make_out();
    write_text(OUT "/nomem.json", "old\n");
    write_text(OUT "/nomem.html", "old\n");
    int is_json_ok = 0, is_html_ok = 0, is_csv_ok = 0, is_all_handled = 1;
    for (long k = 0; k < 100000 && !(is_json_ok && is_html_ok && is_csv_ok); k = next_failure(k)) {
        struct ax_diag_list d;
        ax_diag_list_init(&d);
        ax_test_allocs_left = k;
        ax_mem_set_hook(ax_test_failing_alloc, NULL);
        ax_status sj =
            is_json_ok ? AX_OK : ax_report_write_json(&f.r, f.arch, OUT "/nomem.json", &d);
        ax_test_allocs_left = k;
        ax_status sh =
            is_html_ok ? AX_OK : ax_report_write_html(&f.r, f.arch, OUT "/nomem.html", &d);
        ax_test_allocs_left = k;
        ax_status sc = is_csv_ok ? AX_OK : ax_report_write_csv(&f.r, f.arch, OUT "/nomem-csv", &d);
        ax_mem_set_hook(NULL, NULL);
        ax_diag_list_free(&d);
        is_all_handled &= (sj == AX_OK || sj == AX_ERR_NOMEM) &&
                          (sh == AX_OK || sh == AX_ERR_NOMEM) &&
                          (sc == AX_OK || sc == AX_ERR_NOMEM);
        is_json_ok |= sj == AX_OK;
        is_html_ok |= sh == AX_OK;
        is_csv_ok |= sc == AX_OK;
        if (!is_json_ok) {
            char *text = read_all(OUT "/nomem.json");
            is_all_handled &= text && strcmp(text, "old\n") == 0;
            ax_mem_free(text);
        }
    }
    CHECK(is_all_handled);
    CHECK(is_json_ok && is_html_ok && is_csv_ok);

    /* jansson's own allocations failing while the object is built. */
    int is_built = 0, is_json_handled = 1;
    json_set_alloc_funcs(failing_json_malloc, free);
    for (long k = 0; k < 1000000 && !is_built; k = next_failure(k)) {
        json_allocs_left = k;
        json_t *o = NULL;
        ax_status st = ax_report_json(&f.r, f.arch, &o);
        json_allocs_left = -1;
        is_json_handled &= (st == AX_OK) == (o != NULL) && (st == AX_OK || st == AX_ERR_NOMEM);
        is_built = st == AX_OK;
        json_decref(o);
    }
    json_set_alloc_funcs(malloc, free);
    CHECK(is_json_handled && is_built);
    fixture_free(&f);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-html") == 0) {
        struct fixture f;
        if (fixture_init(&f) != 0)
            return 1;
        struct ax_diag_list d;
        ax_diag_list_init(&d);
        ax_status st = ax_report_write_html(&f.r, f.arch, argv[2], &d);
        ax_diag_print(&d, stderr);
        ax_diag_list_free(&d);
        fixture_free(&f);
        return st == AX_OK ? 0 : 1;
    }
    if (argc != 1) {
        fprintf(stderr, "usage: test_report [--write-html PATH]\n");
        return 2;
    }
    static const struct ax_test_case cases[] = {
        T(test_si),
        T(test_json_keys),
        T(test_json_functional),
        T(test_json_nonfinite),
        T(test_write_json),
        T(test_csv),
        T(test_summary),
        T(test_estimated_fraction),
        T(test_html),
        T(test_html_large),
        T(test_alloc_failures),
    };
    return ax_test_run(cases, sizeof cases / sizeof cases[0]);
}
