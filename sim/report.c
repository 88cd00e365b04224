/* The JSON report, the CSV tables and the terminal summary of a simulation
 * (ax_report.h; the schema and the columns are in docs/report.md). The HTML
 * page is in report_html.c.
 *
 * Everything here reads a finished struct ax_sim_result; nothing is
 * recomputed from events. The few derived figures (spikes per non-zero
 * value of a layer, figures per token, a core's occupancy) are defined once
 * each, in the helpers below. Files are built in memory and written with
 * ax_fs_write_atomic. */
#define _POSIX_C_SOURCE 200809L
#include "ax_report.h"

#include "ax_fs.h"
#include "ax_mem.h"
#include "ax_text.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- shared helpers --------------------------------------------------------------- */

char *ax_report_si(double value, const char *unit, char *buf, size_t size)
{
    static const char *const prefix[] = {"f", "p", "n", "µ", "m", "", "k", "M", "G", "T"};
    if (!size)
        return buf;
    if (!isfinite(value)) {
        snprintf(buf, size, "%s %s", isnan(value) ? "nan" : value > 0 ? "inf" : "-inf", unit);
        return buf;
    }
    int k = 0; /* power of 1000 */
    if (value != 0.0) {
        k = (int)floor(log10(fabs(value)) / 3.0);
        k = k < -5 ? -5 : k > 4 ? 4 : k;
        /* Rounding to 4 digits can reach the next prefix: 999.96 -> 1000. */
        char probe[64];
        snprintf(probe, sizeof probe, "%.4g", value / pow(1000.0, k));
        if (fabs(strtod(probe, NULL)) >= 1000.0 && k < 4)
            k++;
    }
    const char *space = k || *unit ? " " : ""; /* "321.2", not "321.2 " */
    snprintf(buf, size, "%.4g%s%s%s", value / pow(1000.0, k), space, prefix[k + 5], unit);
    return buf;
}

double ax_report_core_occupancy(const struct ax_sim_result *r, const struct ax_sim_core *c)
{
    if (!(r->seconds > 0.0))
        return 0.0;
    double busiest = 0.0;
    for (int u = 0; u <= AX_UNIT_COUNT; u++)
        if (c->busy_s[u] > busiest)
            busiest = c->busy_s[u];
    double f = busiest / r->seconds;
    return f > 1.0 ? 1.0 : f >= 0.0 ? f : 0.0;
}

/* The six units whose busy time a core records: the pipeline's five, then
 * the dense unit. */
static const char *busy_unit_str(int u)
{
    return u < AX_UNIT_COUNT ? ax_unit_str((enum ax_unit)u) : "dense";
}

/* Spikes per non-zero input value of a layer: spikes per element over the
 * non-zero fraction, as the simulator computes the run's (0 when every
 * value was 0). */
static double layer_spikes_per_nonzero(const struct ax_sim_layer *l)
{
    double nonzero = 1.0 - l->sparsity.zero_fraction;
    return nonzero > 0 ? l->sparsity.spikes_per_element / nonzero : 0.0;
}

/* x per simulated token; NaN (written as null) when no token ran. */
static double per_token(const struct ax_sim_result *r, double x)
{
    return r->tokens ? x / r->tokens : NAN;
}

/* The tokens after a prefill, run one at a time or as a batch: the layers'
 * times and bounds count those alone (a prefill's tokens overlap in the
 * layers, and its first ones fill the pipeline). */
static uint32_t own_tokens(const struct ax_sim_result *r)
{
    return r->tokens - r->prefill_tokens;
}

/* The same per such token. */
static double per_own_token(const struct ax_sim_result *r, double x)
{
    uint32_t n = own_tokens(r);
    return n ? x / n : NAN;
}

/* After a prefill, generation's tokens, their time per token of a
 * sequence and their energy per token: those run one at a time or a
 * batch's. */
static void generation(const struct ax_sim_result *r, double *tokens, double *seconds_per_token,
                       double *energy_per_token)
{
    double batch = r->batch > 1 ? r->batch : 1;
    *tokens = r->tokens - r->prefill_tokens;
    *seconds_per_token = *tokens > 0 ? (r->seconds - r->prefill_s) / (*tokens / batch) : NAN;
    *energy_per_token = *tokens > 0 ? (r->ledger.total_j - r->prefill_j) / *tokens : NAN;
}

void ax_report_batch_line(const struct ax_sim_result *r, char *buf, size_t size)
{
    char b1[48], b2[48], b3[48], b4[48];
    double n = r->batch_tokens, s = r->batch_s;
    snprintf(buf, size,
             "%u sequences of %.0f tokens interleaved: %s per token of a sequence (bound %s), "
             "%s tokens/s, %s per token",
             r->batch, n / r->batch, ax_report_si(s / (n / r->batch), "s", b1, sizeof b1),
             ax_report_si(r->batch_bound_s / (n / r->batch), "s", b2, sizeof b2),
             ax_report_si(s > 0 ? n / s : 0, "", b3, sizeof b3),
             ax_report_si(r->batch_j / n, "J", b4, sizeof b4));
}

static const char *str_or(const char *s, const char *fallback)
{
    return s && *s ? s : fallback;
}

/* ---- JSON --------------------------------------------------------------------------- */

/* A builder that remembers whether any allocation failed, so that the code
 * below reads as the schema it writes. */
struct jb {
    int is_failed;
};

static void put(struct jb *b, json_t *o, const char *key, json_t *v)
{
    if (json_object_set_new(o, key, v) != 0)
        b->is_failed = 1;
}

static void push(struct jb *b, json_t *a, json_t *v)
{
    if (json_array_append_new(a, v) != 0)
        b->is_failed = 1;
}

/* A number; null when it is not finite (JSON has no NaN or infinity). */
static json_t *jnum(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* A count held as uint64: an integer, or a real beyond json_int_t. */
static json_t *jcount(uint64_t v)
{
    return v <= (uint64_t)INT64_MAX ? json_integer((json_int_t)v) : json_real((double)v);
}

/* A string, null for NULL; bytes that are not valid UTF-8 become '?'. */
static json_t *jstr(const char *s)
{
    if (!s)
        return json_null();
    json_t *v = json_string(s);
    if (v)
        return v;
    char *copy = ax_mem_strdup(s);
    if (!copy)
        return NULL;
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    v = json_string(copy);
    ax_mem_free(copy);
    return v;
}

/* The sparsity fields shared by the whole run and each layer. */
static void put_sparsity(struct jb *b, json_t *o, const struct ax_spike_summary *s,
                         double spikes_per_nonzero, double sop_per_token,
                         double dense_mac_per_token)
{
    put(b, o, "zero_fraction", jnum(s->zero_fraction));
    put(b, o, "slot_sparsity_t3", jnum(s->slot_sparsity_t3));
    put(b, o, "slot_sparsity", jnum(s->slot_sparsity));
    put(b, o, "spikes_per_element", jnum(s->spikes_per_element));
    put(b, o, "spikes_per_nonzero", jnum(spikes_per_nonzero));
    put(b, o, "silent_channels", jnum(s->silent_channels));
    json_t *h = json_array();
    for (int i = 0; i < 4; i++)
        push(b, h, jnum(s->histogram_t3[i]));
    put(b, o, "histogram_t3", h);
    put(b, o, "sop_per_token", jnum(sop_per_token));
    put(b, o, "dense_mac_per_token", jnum(dense_mac_per_token));
}

static json_t *json_model(struct jb *b, const struct ax_sim_result *r)
{
    json_t *o = json_object();
    put(b, o, "name", jstr(r->model_name));
    put(b, o, "params", jnum(r->params));
    return o;
}

static json_t *json_chip(struct jb *b, const struct ax_sim_result *r, const ax_arch_t *arch)
{
    json_t *o = json_object();
    put(b, o, "name", jstr(r->chip_name ? r->chip_name : arch ? ax_arch_desc(arch)->name : NULL));
    put(b, o, "chips_used", json_integer(r->chips_used));
    put(b, o, "cores_used", json_integer(r->cores_used));
    put(b, o, "cores_per_chip", json_integer(r->cores_per_chip));
    put(b, o, "mesh_width", json_integer(r->mesh_w));
    put(b, o, "mesh_height", json_integer(r->mesh_h));
    put(b, o, "cores_per_tile", json_integer(r->cores_per_tile));
    put(b, o, "chip_grid_width", json_integer(r->chip_grid_w));
    put(b, o, "clock_hz", r->clock_hz > 0 ? jnum(r->clock_hz) : json_null());
    return o;
}

/* The sentence every counting-mode report carries (DESIGN.md, "Modes"). */
static const char *synthetic_note(const struct ax_sim_result *r)
{
    if (r->synthetic.is_synthetic)
        return "counting mode: activations are synthetic, drawn for each spiking projection from "
               "a seeded distribution (fitted to the published sparsity figures, or taken from a "
               "functional run's profile); spike counts, latency and energy follow from them, not "
               "from the model's values";
    if (r->mode == AX_SIM_COUNTING)
        return "counting mode: activations are not computed; spike counts, latency and energy do "
               "not come from the model's values";
    return NULL;
}

static json_t *json_run(struct jb *b, const struct ax_sim_result *r)
{
    json_t *o = json_object();
    put(b, o, "mode", jstr(ax_sim_mode_str(r->mode)));
    put(b, o, "engine", jstr(r->engine));
    put(b, o, "timing", jstr(ax_sim_timing_str(r->timing)));
    put(b, o, "sync", jstr(ax_sim_sync_str(r->sync)));
    put(b, o, "batch", json_integer(r->batch > 1 ? r->batch : 1));
    put(b, o, "tokens", json_integer(r->tokens));
    put(b, o, "context", jcount(r->context));
    /* A seed beyond json_int_t would lose digits as a real: a decimal string then. */
    if (r->seed <= (uint64_t)INT64_MAX) {
        put(b, o, "seed", json_integer((json_int_t)r->seed));
    } else {
        char s[32];
        snprintf(s, sizeof s, "%" PRIu64, r->seed);
        put(b, o, "seed", json_string(s));
    }
    put(b, o, "threads", json_integer(r->threads));
    put(b, o, "encoding", jstr(ax_spike_encoding_str(r->spike.encoding)));
    put(b, o, "k", jnum(r->spike.k));
    put(b, o, "steps", json_integer(r->spike.steps));
    put(b, o, "spike", jstr(ax_spike_mode_str(r->spike.mode)));
    put(b, o, "synthetic", json_boolean(r->synthetic.is_synthetic));
    put(b, o, "note", jstr(synthetic_note(r)));
    return o;
}

static json_t *json_sparsity(struct jb *b, const struct ax_sim_result *r)
{
    json_t *o = json_object();
    put_sparsity(b, o, &r->sparsity, r->spikes_per_nonzero, r->sop_per_token,
                 r->dense_mac_per_token);
    if (r->synthetic.is_synthetic) {
        const struct ax_sim_synthetic *s = &r->synthetic;
        json_t *t = json_object();
        json_t *h = json_array();
        for (int i = 0; i < 4; i++)
            push(b, h, jnum(s->target_hist_t3[i]));
        put(b, t, "histogram_t3", h);
        put(b, t, "spikes_per_element", jnum(s->target_spikes_per_element));
        put(b, t, "zero_fraction", jnum(s->target_zero_fraction));
        put(b, t, "source", jstr(s->source));
        put(b, o, "targets", t);
    }
    json_t *layers = json_array();
    for (uint32_t i = 0; i < r->n_layers; i++) {
        const struct ax_sim_layer *l = &r->layers[i];
        json_t *lo = json_object();
        put(b, lo, "name", jstr(l->name));
        put(b, lo, "sites", json_integer(l->n_sites));
        put_sparsity(b, lo, &l->sparsity, layer_spikes_per_nonzero(l), per_token(r, l->sops),
                     per_token(r, l->dense_macs));
        push(b, layers, lo);
    }
    put(b, o, "layers", layers);
    return o;
}

/* A prefill's figures, and those of the tokens run one at a time after it;
 * null without a prefill. */
static json_t *json_prefill(struct jb *b, const struct ax_sim_result *r)
{
    if (!r->prefill_tokens)
        return json_null();
    double n = r->prefill_tokens, own, own_s, own_j;
    generation(r, &own, &own_s, &own_j);
    json_t *o = json_object(), *g = json_object();
    put(b, o, "tokens", json_integer(r->prefill_tokens));
    put(b, o, "time_to_first_token_s", jnum(r->prefill_s));
    put(b, o, "tokens_per_second", r->prefill_s > 0 ? jnum(n / r->prefill_s) : json_null());
    put(b, o, "bound_s", jnum(r->prefill_bound_s));
    put(b, o, "energy_j", jnum(r->prefill_j));
    put(b, o, "energy_per_token_j", jnum(r->prefill_j / n));
    put(b, g, "tokens", json_integer((json_int_t)own));
    put(b, g, "seconds_per_token", own > 0 ? jnum(own_s) : json_null());
    put(b, g, "energy_per_token_j", own > 0 ? jnum(own_j) : json_null());
    put(b, o, "generation", g);
    return o;
}

/* A batch's generation (docs/report.md, "batch"); null without one. */
static json_t *json_batch(struct jb *b, const struct ax_sim_result *r)
{
    if (!r->batch_tokens)
        return json_null();
    double n = r->batch_tokens, per_seq = n / r->batch;
    json_t *o = json_object();
    put(b, o, "sequences", json_integer(r->batch));
    put(b, o, "tokens", json_integer(r->batch_tokens));
    put(b, o, "seconds", jnum(r->batch_s));
    put(b, o, "seconds_per_token", jnum(r->batch_s / per_seq));
    put(b, o, "tokens_per_second", r->batch_s > 0 ? jnum(n / r->batch_s) : json_null());
    put(b, o, "bound_s", jnum(r->batch_bound_s));
    put(b, o, "energy_j", jnum(r->batch_j));
    put(b, o, "energy_per_token_j", jnum(r->batch_j / n));
    return o;
}

static json_t *json_latency(struct jb *b, const struct ax_sim_result *r)
{
    json_t *o = json_object();
    put(b, o, "cycles", jcount(r->cycles));
    put(b, o, "seconds", jnum(r->seconds));
    put(b, o, "seconds_per_token", jnum(r->seconds_per_token));
    put(b, o, "tokens_per_second",
        r->seconds_per_token > 0 ? jnum(1.0 / r->seconds_per_token) : json_null());
    put(b, o, "bound_cycles", jcount(r->bound_cycles));
    put(b, o, "bound_s", jnum(per_token(r, r->bound_s)));
    put(b, o, "bound_by", jstr(ax_sim_bound_by_str(r->bound_by)));
    put(b, o, "bound_where", jstr(r->bound_where));
    json_t *terms = json_object();
    for (int t = 0; t < AX_SIM_BOUND_BY_COUNT; t++)
        put(b, terms, ax_sim_bound_by_str((enum ax_sim_bound_by)t),
            jnum(per_token(r, r->bound_term_s[t])));
    put(b, o, "bound_terms_s", terms);
    put(b, o, "over_bound", r->bound_s > 0 ? jnum(r->seconds / r->bound_s) : json_null());
    json_t *layers = json_array();
    for (uint32_t i = 0; i < r->n_layers; i++) {
        json_t *lo = json_object();
        put(b, lo, "name", jstr(r->layers[i].name));
        put(b, lo, "cycles", jcount(r->layers[i].cycles));
        put(b, lo, "seconds", jnum(r->layers[i].seconds));
        put(b, lo, "bound_s", jnum(per_own_token(r, r->layers[i].bound_s)));
        put(b, lo, "bound_by", jstr(ax_sim_bound_by_str(r->layers[i].bound_by)));
        json_t *lt = json_object();
        for (int t = 0; t < AX_SIM_BOUND_BY_COUNT - 1; t++) /* a layer has no chain term */
            put(b, lt, ax_sim_bound_by_str((enum ax_sim_bound_by)t),
                jnum(per_own_token(r, r->layers[i].bound_term_s[t])));
        put(b, lo, "bound_terms_s", lt);
        /* a batch's tokens overlap: no one token's chain to span */
        put(b, lo, "chain_s", jnum(r->batch_tokens ? NAN : per_own_token(r, r->layers[i].chain_s)));
        push(b, layers, lo);
    }
    put(b, o, "layers", layers);
    return o;
}

static json_t *json_energy(struct jb *b, const struct ax_sim_result *r, const ax_arch_t *arch)
{
    const struct ax_ledger *L = &r->ledger;
    json_t *o = json_object();
    put(b, o, "total_j", jnum(L->total_j));
    put(b, o, "per_token_j", jnum(r->per_token_j));
    put(b, o, "floor_j", jnum(r->floor_j));
    put(b, o, "floor_per_token_j", jnum(per_token(r, r->floor_j)));
    put(b, o, "estimated_fraction", jnum(r->estimated_fraction));

    json_t *breakdown = json_object();
    for (int c = 0; c < AX_ENERGY_CAT_COUNT; c++)
        put(b, breakdown, ax_energy_cat_str((enum ax_energy_cat)c), jnum(L->cat_j[c]));
    put(b, o, "breakdown_j", breakdown);

    json_t *ledger = json_object();
    for (int c = 0; c < AX_ENERGY_CAT_COUNT; c++) {
        json_t *co = json_object();
        json_t *items = json_array();
        put(b, co, "energy_j", jnum(L->cat_j[c]));
        for (int i = 0; i < AX_LEDGER_COUNT; i++) {
            enum ax_ledger_item it = (enum ax_ledger_item)i;
            if (ax_ledger_item_cat(it) != (enum ax_energy_cat)c)
                continue;
            const struct ax_provenance *p = arch ? ax_ledger_item_source(arch, it) : NULL;
            json_t *io = json_object();
            put(b, io, "name", jstr(ax_ledger_item_name(it)));
            put(b, io, "unit", jstr(ax_ledger_item_unit(it)));
            put(b, io, "count", jnum(L->line[i].count));
            put(b, io, "unit_j", jnum(L->line[i].unit_j));
            put(b, io, "energy_j", jnum(L->line[i].energy_j));
            put(b, io, "source", jstr(p ? p->source : NULL));
            put(b, io, "estimate", json_boolean(p && p->is_estimate));
            push(b, items, io);
        }
        put(b, co, "items", items);
        put(b, ledger, ax_energy_cat_str((enum ax_energy_cat)c), co);
    }
    put(b, o, "ledger", ledger);

    json_t *ideal = json_object();
    put(b, ideal, "spiking_j", jnum(r->ideal_spiking_j));
    put(b, ideal, "fp16_mac_j", jnum(r->ideal_fp16_mac_j));
    put(b, ideal, "int8_mac_j", jnum(r->ideal_int8_mac_j));
    json_t *unit = json_object();
    put(b, unit, "int8_add_j", jnum(AX_IDEAL_INT8_ADD_J));
    put(b, unit, "fp16_mac_j", jnum(AX_IDEAL_FP16_MAC_J));
    put(b, unit, "int8_mac_j", jnum(AX_IDEAL_INT8_MAC_J));
    put(b, ideal, "unit_j", unit);
    put(b, ideal, "hardware_over_spiking",
        r->ideal_spiking_j > 0 ? jnum(L->total_j / r->ideal_spiking_j) : json_null());
    put(b, ideal, "source", json_string("SpikingBrain report §5.5 (45 nm)"));
    put(b, o, "idealized", ideal);

    json_t *layers = json_array();
    for (uint32_t i = 0; i < r->n_layers; i++) {
        json_t *lo = json_object();
        put(b, lo, "name", jstr(r->layers[i].name));
        put(b, lo, "energy_j", jnum(r->layers[i].energy_j));
        push(b, layers, lo);
    }
    put(b, o, "layers", layers);
    return o;
}

static json_t *json_validation(struct jb *b, const struct ax_sim_validation *v)
{
    if (!v->is_done)
        return json_null();
    json_t *o = json_object();
    put(b, o, "reference", jstr(v->reference));
    put(b, o, "bit_exact", json_boolean(v->is_bit_exact));
    put(b, o, "max_rel_err", jnum(v->max_rel_err));
    put(b, o, "values_checked", jcount(v->n_values_checked));
    put(b, o, "mismatches", jcount(v->n_mismatches));
    put(b, o, "first_mismatch", jstr(v->first_mismatch[0] ? v->first_mismatch : NULL));
    return o;
}

/* The used cores only: a 7B run can span thousands of idle ones. */
static json_t *json_cores(struct jb *b, const struct ax_sim_result *r)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < r->n_cores; i++) {
        const struct ax_sim_core *c = &r->cores[i];
        if (!c->is_used)
            continue;
        json_t *o = json_object();
        put(b, o, "core", json_integer(c->core));
        put(b, o, "chip", json_integer(r->cores_per_chip ? c->core / r->cores_per_chip : 0));
        json_t *busy = json_object();
        for (int u = 0; u <= AX_UNIT_COUNT; u++)
            put(b, busy, busy_unit_str(u), jnum(c->busy_s[u]));
        put(b, o, "busy_s", busy);
        put(b, o, "occupancy", jnum(ax_report_core_occupancy(r, c)));
        put(b, o, "synaptic_ops", jnum(c->synaptic_ops));
        put(b, o, "packets_in", jnum(c->packets_in));
        put(b, o, "packets_out", jnum(c->packets_out));
        put(b, o, "energy_j", jnum(c->energy_j));
        put(b, o, "sram_bytes", jnum(c->sram_bytes));
        push(b, a, o);
    }
    return a;
}

ax_status ax_report_json(const struct ax_sim_result *r, const ax_arch_t *arch, json_t **out)
{
    struct jb b = {0};
    json_t *o = json_object();
    put(&b, o, "schema", json_string(AX_REPORT_SCHEMA));
    put(&b, o, "model", json_model(&b, r));
    put(&b, o, "chip", json_chip(&b, r, arch));
    put(&b, o, "run", json_run(&b, r));
    put(&b, o, "sparsity", json_sparsity(&b, r));
    put(&b, o, "latency", json_latency(&b, r));
    put(&b, o, "prefill", json_prefill(&b, r));
    put(&b, o, "batch", json_batch(&b, r));
    put(&b, o, "energy", json_energy(&b, r, arch));
    put(&b, o, "validation", json_validation(&b, &r->validation));
    put(&b, o, "cores", json_cores(&b, r));
    if (b.is_failed || !o) {
        json_decref(o);
        *out = NULL;
        return AX_ERR_NOMEM;
    }
    *out = o;
    return AX_OK;
}

ax_status ax_report_write_json(const struct ax_sim_result *r, const ax_arch_t *arch,
                               const char *path, struct ax_diag_list *diags)
{
    json_t *o;
    ax_status st = ax_report_json(r, arch, &o);
    if (st != AX_OK)
        return st;
    /* Dumped twice into a buffer of our own: once to size it, once to fill it. */
    const size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17);
    size_t n = json_dumpb(o, NULL, 0, flags);
    char *whole = n ? ax_mem_alloc(n + 1) : NULL;
    if (!whole || json_dumpb(o, whole, n, flags) != n) {
        json_decref(o);
        ax_mem_free(whole);
        return AX_ERR_NOMEM;
    }
    json_decref(o);
    whole[n] = '\n';
    st = ax_fs_write_atomic(path, whole, n + 1, diags);
    ax_mem_free(whole);
    return st;
}

/* ---- CSV ---------------------------------------------------------------------------- */


/* One number, as the shortest of %.15g, %.16g and %.17g that reads back
 * exactly (%.17g always does), preceded by a comma. */
static void csv_num(struct ax_text_buf *b, double v)
{
    char s[40];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(s, sizeof s, "%.*g", digits, v);
        if (digits == 17 || !isfinite(v) || strtod(s, NULL) == v)
            break;
    }
    ax_text_printf(b, ",%s", s);
}

/* One CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_str(struct ax_text_buf *b, const char *s)
{
    s = s ? s : "";
    if (!strpbrk(s, ",\"\r\n")) {
        ax_text_printf(b, "%s", s);
        return;
    }
    ax_text_printf(b, "\"");
    for (; *s; s++)
        ax_text_printf(b, *s == '"' ? "\"\"" : "%c", *s);
    ax_text_printf(b, "\"");
}

/* Creates `dir` and its missing parents. */
static ax_status make_dirs(const char *dir, struct ax_diag_list *diags)
{
    if (!*dir) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "the CSV directory name is empty");
        return AX_ERR_IO;
    }
    if (ax_fs_is_dir(dir))
        return AX_OK;
    char *p = ax_mem_strdup(dir);
    if (!p)
        return AX_ERR_NOMEM;
    ax_status st = AX_OK;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (!ax_fs_is_dir(p) && mkdir(p, 0777) != 0) {
            int err = errno;
            if (!(err == EEXIST && ax_fs_is_dir(p))) {
                ax_diag_add(diags, AX_DIAG_ERROR, p, 0, 0, "cannot create the directory: %s",
                            err == EEXIST ? "a file of that name is in the way" : strerror(err));
                st = AX_ERR_IO;
                break;
            }
        }
        *s = c;
        if (c == '\0')
            break;
    }
    ax_mem_free(p);
    return st;
}

/* Writes `b` to dir/name atomically and frees it. */
static ax_status csv_finish(struct ax_text_buf *b, const char *dir, const char *name,
                            struct ax_diag_list *diags)
{
    ax_status st = AX_OK;
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = ax_mem_alloc(n);
    if (b->is_oom || !path) {
        st = AX_ERR_NOMEM;
    } else {
        snprintf(path, n, "%s/%s", dir, name);
        st = ax_fs_write_atomic(path, b->p ? b->p : "", b->len, diags);
    }
    ax_mem_free(path);
    ax_mem_free(b->p);
    memset(b, 0, sizeof *b);
    return st;
}

static void csv_layers(struct ax_text_buf *b, const struct ax_sim_result *r)
{
    ax_text_printf(b, "layer,name,sites,zero_fraction,slot_sparsity_t3,slot_sparsity,spikes_per_element,"
               "spikes_per_nonzero,silent_channels,hist_t3_0,hist_t3_1,hist_t3_2,hist_t3_3,sops,"
               "dense_macs,spikes_out,packets,cycles,seconds,energy_j\n");
    for (uint32_t i = 0; i < r->n_layers; i++) {
        const struct ax_sim_layer *l = &r->layers[i];
        const struct ax_spike_summary *s = &l->sparsity;
        ax_text_printf(b, "%" PRIu32 ",", i);
        csv_str(b, l->name);
        ax_text_printf(b, ",%" PRIu32, l->n_sites);
        csv_num(b, s->zero_fraction);
        csv_num(b, s->slot_sparsity_t3);
        csv_num(b, s->slot_sparsity);
        csv_num(b, s->spikes_per_element);
        csv_num(b, layer_spikes_per_nonzero(l));
        csv_num(b, s->silent_channels);
        for (int h = 0; h < 4; h++)
            csv_num(b, s->histogram_t3[h]);
        csv_num(b, l->sops);
        csv_num(b, l->dense_macs);
        csv_num(b, l->spikes_out);
        csv_num(b, l->packets);
        ax_text_printf(b, ",%" PRIu64, l->cycles);
        csv_num(b, l->seconds);
        csv_num(b, l->energy_j);
        ax_text_printf(b, "\n");
    }
}

static void csv_cores(struct ax_text_buf *b, const struct ax_sim_result *r)
{
    ax_text_printf(b, "core,chip,used,sram_bytes");
    for (int u = 0; u <= AX_UNIT_COUNT; u++)
        ax_text_printf(b, ",busy_%s_s", busy_unit_str(u));
    ax_text_printf(b, ",occupancy,synaptic_ops,packets_in,packets_out,energy_j\n");
    for (uint32_t i = 0; i < r->n_cores; i++) {
        const struct ax_sim_core *c = &r->cores[i];
        ax_text_printf(b, "%" PRIu32 ",%" PRIu32 ",%d", c->core,
                r->cores_per_chip ? c->core / r->cores_per_chip : 0, c->is_used ? 1 : 0);
        csv_num(b, c->sram_bytes);
        for (int u = 0; u <= AX_UNIT_COUNT; u++)
            csv_num(b, c->busy_s[u]);
        csv_num(b, ax_report_core_occupancy(r, c));
        csv_num(b, c->synaptic_ops);
        csv_num(b, c->packets_in);
        csv_num(b, c->packets_out);
        csv_num(b, c->energy_j);
        ax_text_printf(b, "\n");
    }
}

static void csv_steps(struct ax_text_buf *b, const struct ax_sim_result *r)
{
    ax_text_printf(b, "step,token,node,layer,layer_name,spike_step,cycles,seconds,packets,energy_j\n");
    for (uint32_t i = 0; i < r->n_steps; i++) {
        const struct ax_sim_step *s = &r->steps[i];
        ax_text_printf(b, "%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",", i, s->token, s->node,
                s->layer);
        csv_str(b, s->layer < r->n_layers ? r->layers[s->layer].name : "");
        ax_text_printf(b, ",%" PRIu32 ",%" PRIu64, s->spike_step, s->cycles);
        csv_num(b, s->seconds);
        csv_num(b, s->packets);
        csv_num(b, s->energy_j);
        ax_text_printf(b, "\n");
    }
}

static void csv_links(struct ax_text_buf *b, const struct ax_sim_result *r)
{
    ax_text_printf(b, "chip,x,y,dir,packets,busy_s,utilization\n");
    for (uint32_t i = 0; i < r->n_links; i++) {
        const struct ax_sim_link *l = &r->links[i];
        ax_text_printf(b, "%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%s", l->chip, l->x, l->y,
                l->dir < AX_DIR_COUNT ? ax_dir_str(l->dir) : "?");
        csv_num(b, l->packets);
        csv_num(b, l->busy_s);
        csv_num(b, r->seconds > 0 ? l->busy_s / r->seconds : 0.0);
        ax_text_printf(b, "\n");
    }
}

ax_status ax_report_write_csv(const struct ax_sim_result *r, const ax_arch_t *arch, const char *dir,
                              struct ax_diag_list *diags)
{
    (void)arch;
    ax_status st = make_dirs(dir, diags);
    if (st != AX_OK)
        return st;
    static void (*const writers[])(struct ax_text_buf *, const struct ax_sim_result *) = {
        csv_layers, csv_cores, csv_steps, csv_links};
    static const char *const names[] = {"layers.csv", "cores.csv", "steps.csv", "links.csv"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct ax_text_buf b = {0};
        writers[i](&b, r);
        st = csv_finish(&b, dir, names[i], diags);
        if (st != AX_OK)
            return st;
    }
    return AX_OK;
}

/* ---- terminal summary --------------------------------------------------------------- */

/* Columns on screen of a UTF-8 string (every code point counts as one). */
static int text_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

/* `s` right-aligned in `width` columns. */
static void rpad(FILE *out, const char *s, int width)
{
    for (int w = text_width(s); w < width; w++)
        fputc(' ', out);
    fputs(s, out);
}

/* `text` after `lead`, wrapped at spaces to `width` columns, continuation
 * lines indented as far as the lead. */
static void print_wrapped(FILE *out, const char *lead, const char *text, int width)
{
    int indent = text_width(lead), col = indent;
    fputs(lead, out);
    while (*text) {
        size_t n = strcspn(text, " ");
        int w = 0;
        for (size_t i = 0; i < n; i++)
            w += ((unsigned char)text[i] & 0xc0) != 0x80;
        if (col > indent && col + 1 + w > width) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', out);
            col++;
        }
        fwrite(text, 1, n, out);
        col += w;
        text += n;
        while (*text == ' ')
            text++;
    }
    fputc('\n', out);
}

/* A ratio as a person reads it: "2.32x", "18100x". */
static void print_ratio(FILE *out, double x)
{
    if (x >= 1000 && x < 1e15)
        fprintf(out, "%.0fx", x);
    else
        fprintf(out, "%.3gx", x);
}

static void print_frac_row(FILE *out, const char *label, double v, int has_target, double target)
{
    char a[32], t[32];
    snprintf(a, sizeof a, "%.4f", v);
    fprintf(out, "  %-38s", label);
    rpad(out, a, 10);
    if (has_target) {
        snprintf(t, sizeof t, "%.4f", target);
        rpad(out, t, 12);
    }
    fputc('\n', out);
}

static void print_header(const struct ax_sim_result *r, const ax_arch_t *arch, FILE *out)
{
    char b1[48], b2[48];
    const char *chip = str_or(r->chip_name, arch ? ax_arch_desc(arch)->name : NULL);
    fprintf(out, "axon simulation: %s on %s\n", str_or(r->model_name, "(unnamed model)"),
            str_or(chip, "(unnamed chip)"));
    fprintf(out, "  model    %s, %s parameters\n", str_or(r->model_name, "(unnamed)"),
            ax_report_si(r->params, "", b1, sizeof b1));
    fprintf(out,
            "  chip     %s: %" PRIu32 " chip%s used, %" PRIu32 " cores used of %" PRIu64
            "; %" PRIu32 " x %" PRIu32 " tiles per chip, %" PRIu32 " cores per tile, clock %s\n",
            str_or(chip, "(unnamed)"), r->chips_used, r->chips_used == 1 ? "" : "s", r->cores_used,
            (uint64_t)r->chips_used * r->cores_per_chip, r->mesh_w, r->mesh_h, r->cores_per_tile,
            r->clock_hz > 0 ? ax_report_si(r->clock_hz, "Hz", b2, sizeof b2) : "not described");
    fprintf(out,
            "  run      %s mode, %s engine, %s timing, %s sync%s; %" PRIu32
            " token%s after %" PRIu64 " of context; seed %" PRIu64 "; %" PRIu32 " thread%s\n",
            ax_sim_mode_str(r->mode), str_or(r->engine, "?"), ax_sim_timing_str(r->timing),
            ax_sim_sync_str(r->sync),
            r->sync == AX_SIM_SYNC_DATAFLOW && arch &&
                    !ax_arch_desc(arch)->chip.sync.is_handshake_known
                ? " (the chip gives no handshake cost: 0 J, 0 s)"
                : "",
            r->tokens, r->tokens == 1 ? "" : "s", r->context, r->seed, r->threads,
            r->threads == 1 ? "" : "s");
    char steps[32];
    if (r->spike.steps)
        snprintf(steps, sizeof steps, "T = %" PRIu32, r->spike.steps);
    else
        snprintf(steps, sizeof steps, "adaptive T");
    fprintf(out, "  spikes   %s projections, %s encoding, k = %g, %s\n",
            ax_spike_mode_str(r->spike.mode), ax_spike_encoding_str(r->spike.encoding), r->spike.k,
            steps);
    const char *note = synthetic_note(r);
    if (note) {
        char text[640];
        snprintf(text, sizeof text, "%s%s%s%s.", note,
                 r->synthetic.is_synthetic && r->synthetic.source ? " (published targets: " : "",
                 r->synthetic.is_synthetic && r->synthetic.source ? r->synthetic.source : "",
                 r->synthetic.is_synthetic && r->synthetic.source ? ")" : "");
        fputc('\n', out);
        print_wrapped(out, "  WARNING: ", text, 92);
    }
}

static void print_sparsity(const struct ax_sim_result *r, FILE *out)
{
    const struct ax_spike_summary *s = &r->sparsity;
    const struct ax_sim_synthetic *t = &r->synthetic;
    int has_t = t->is_synthetic;
    char b1[48], b2[48];
    fprintf(out, "\n%-40s%10s%s\n", "sparsity (spiking projection inputs)", "this run",
            has_t ? "   published" : "");
    print_frac_row(out, "zero fraction", s->zero_fraction, has_t, t->target_zero_fraction);
    print_frac_row(out, "spikes per element", s->spikes_per_element, has_t,
                   t->target_spikes_per_element);
    print_frac_row(out, "spikes per non-zero element", r->spikes_per_nonzero, 0, 0);
    print_frac_row(out, "slot sparsity, 3-step window", s->slot_sparsity_t3, 0, 0);
    print_frac_row(out, "slot sparsity at the encoding's T", s->slot_sparsity, 0, 0);
    print_frac_row(out, "silent channels", s->silent_channels, 0, 0);
    fprintf(out, "  values by spikes in a 3-step window\n");
    static const char *const bins[4] = {"  0 spikes", "  1 spike", "  2 spikes", "  >= 3 spikes"};
    for (int i = 0; i < 4; i++)
        print_frac_row(out, bins[i], s->histogram_t3[i], has_t, t->target_hist_t3[i]);
    fprintf(out, "  %-38s", "synaptic ops per token");
    rpad(out, ax_report_si(r->sop_per_token, "", b1, sizeof b1), 10);
    fprintf(out, "\n  %-38s", "dense MACs of those projections");
    rpad(out, ax_report_si(r->dense_mac_per_token, "", b2, sizeof b2), 10);
    fputc('\n', out);
}

/* A prefill's figures beside those of the tokens run one at a time after
 * it. */
static void print_prefill(const struct ax_sim_result *r, FILE *out)
{
    if (!r->prefill_tokens)
        return;
    char b1[48], b2[48], b3[48], b4[48];
    double n = r->prefill_tokens, own, own_s, own_j;
    generation(r, &own, &own_s, &own_j);
    fprintf(out,
            "  %-20s %.0f tokens as a pipeline: first token after %s (bound %s), %s tokens/s, "
            "%s per token\n",
            "prefill", n, ax_report_si(r->prefill_s, "s", b1, sizeof b1),
            ax_report_si(r->prefill_bound_s, "s", b2, sizeof b2),
            ax_report_si(r->prefill_s > 0 ? n / r->prefill_s : 0, "", b3, sizeof b3),
            ax_report_si(r->prefill_j / n, "J", b4, sizeof b4));
    if (own > 0)
        fprintf(out, "  %-20s %.0f tokens %s: %s and %s per token\n", "then", own,
                r->batch > 1 ? "in the batch" : "one at a time",
                ax_report_si(own_s, "s", b1, sizeof b1), ax_report_si(own_j, "J", b2, sizeof b2));
}

static void print_latency(const struct ax_sim_result *r, FILE *out)
{
    char b1[48], b2[48], b3[48], b4[48];
    fprintf(out, "\nlatency\n");
    fprintf(out, "  %-20s %" PRIu64 "%s%s\n", "cycles", r->cycles, r->clock_hz > 0 ? " at " : "",
            r->clock_hz > 0 ? ax_report_si(r->clock_hz, "Hz", b1, sizeof b1) : "");
    fprintf(out, "  %-20s %s\n", "total", ax_report_si(r->seconds, "s", b2, sizeof b2));
    fprintf(out, "  %-20s %s", "per token", ax_report_si(r->seconds_per_token, "s", b3, sizeof b3));
    if (r->seconds_per_token > 0)
        fprintf(out, "   (%s tokens/s)",
                ax_report_si(1.0 / r->seconds_per_token, "", b1, sizeof b1));
    fputc('\n', out);
    if (r->bound_s > 0) {
        fprintf(out, "  %-20s %s per token, by %s (%s); the latency is %.3gx it\n", "lower bound",
                ax_report_si(per_token(r, r->bound_s), "s", b1, sizeof b1),
                ax_sim_bound_by_str(r->bound_by), r->bound_where, r->seconds / r->bound_s);
        fprintf(out, "  %-20s compute %s, link %s, input %s, chain %s (per token)\n", "",
                ax_report_si(per_token(r, r->bound_term_s[AX_SIM_BOUND_COMPUTE]), "s", b1, sizeof b1),
                ax_report_si(per_token(r, r->bound_term_s[AX_SIM_BOUND_LINK]), "s", b2, sizeof b2),
                ax_report_si(per_token(r, r->bound_term_s[AX_SIM_BOUND_INPUT]), "s", b3, sizeof b3),
                ax_report_si(per_token(r, r->bound_term_s[AX_SIM_BOUND_CHAIN]), "s", b4, sizeof b4));
        if (own_tokens(r) == 0)
            fprintf(out,
                    "  %-20s none: every token ran in the prefill (its tokens overlap in "
                    "the layers)\n",
                    "by layer");
        else
            fprintf(out, "  %-16s%12s%12s%9s%13s\n", "by layer", "per token", "bound", "by",
                    "chain span");
        for (uint32_t i = 0; own_tokens(r) > 0 && i < r->n_layers; i++) {
            const struct ax_sim_layer *l = &r->layers[i];
            fprintf(out, "  %-16s", l->name);
            rpad(out, ax_report_si(per_own_token(r, l->seconds), "s", b1, sizeof b1), 12);
            rpad(out, ax_report_si(per_own_token(r, l->bound_s), "s", b2, sizeof b2), 12);
            rpad(out, ax_sim_bound_by_str(l->bound_by), 9);
            rpad(out,
                 r->batch_tokens ? "-"
                                 : ax_report_si(per_own_token(r, l->chain_s), "s", b3, sizeof b3),
                 13);
            fputc('\n', out);
        }
    }
    print_prefill(r, out);
    if (r->batch_tokens) {
        char line[256];
        ax_report_batch_line(r, line, sizeof line);
        fprintf(out, "  %-20s %s\n", "batch", line);
    }
}

static void print_energy(const struct ax_sim_result *r, FILE *out)
{
    const struct ax_ledger *L = &r->ledger;
    char b1[48], b2[48];
    fprintf(out, "\nenergy, hardware model: %s in total, %s per token\n",
            ax_report_si(L->total_j, "J", b1, sizeof b1),
            ax_report_si(r->per_token_j, "J", b2, sizeof b2));
    fprintf(out, "  %-12s%12s%9s%14s\n", "category", "energy", "share", "per token");
    for (int c = 0; c < AX_ENERGY_CAT_COUNT; c++) {
        char share[32];
        if (L->total_j > 0)
            snprintf(share, sizeof share, "%.1f %%", 100.0 * L->cat_j[c] / L->total_j);
        else
            snprintf(share, sizeof share, "-");
        fprintf(out, "  %-12s", ax_energy_cat_str((enum ax_energy_cat)c));
        rpad(out, ax_report_si(L->cat_j[c], "J", b1, sizeof b1), 12);
        rpad(out, share, 9);
        rpad(out, ax_report_si(per_token(r, L->cat_j[c]), "J", b2, sizeof b2), 14);
        fputc('\n', out);
    }
    fprintf(out, "  %-12s", "total");
    rpad(out, ax_report_si(L->total_j, "J", b1, sizeof b1), 12);
    rpad(out, L->total_j > 0 ? "100.0 %" : "-", 9);
    rpad(out, ax_report_si(r->per_token_j, "J", b2, sizeof b2), 14);
    fputc('\n', out);
    fprintf(out, "  %.1f %% of the total rests on costs the chip file marks as estimates "
            "(docs/calibration.md)\n", 100.0 * r->estimated_fraction);

    const char *const labels[3] = {"spiking: synaptic ops x 0.03 pJ INT8 add",
                                   "FP16 MAC: dense MACs x 1.5 pJ",
                                   "INT8 MAC: dense MACs x 0.23 pJ"};
    const double ideal[3] = {r->ideal_spiking_j, r->ideal_fp16_mac_j, r->ideal_int8_mac_j};
    fprintf(out,
            "\nenergy, idealized (SpikingBrain report §5.5, 45 nm), spiking projections only\n");
    fprintf(out, "  %-42s%12s%14s\n", "", "energy", "per token");
    for (int i = 0; i < 3; i++) {
        double v = ideal[i];
        fprintf(out, "  %-42s", labels[i]);
        rpad(out, ax_report_si(v, "J", b1, sizeof b1), 12);
        rpad(out, ax_report_si(per_token(r, v), "J", b2, sizeof b2), 14);
        fputc('\n', out);
    }
    if (r->ideal_spiking_j > 0) {
        fprintf(out, "  the hardware model's total is ");
        print_ratio(out, L->total_j / r->ideal_spiking_j);
        fprintf(out, " the idealized spiking figure; its synapse category alone ");
        print_ratio(out, L->cat_j[AX_ENERGY_SYNAPSE] / r->ideal_spiking_j);
        fputc('\n', out);
    }
}

static void print_validation(const struct ax_sim_result *r, FILE *out)
{
    const struct ax_sim_validation *v = &r->validation;
    fprintf(out, "\nvalidation  ");
    if (!v->is_done) {
        if (v->why_not)
            fprintf(out, "not validated: %s\n", v->why_not);
        else
            fprintf(out, "not validated%s\n", r->mode == AX_SIM_COUNTING ? " (counting mode)" : "");
        return;
    }
    fprintf(out,
            "bit exact: %s; max relative error %.3g (%s reference, %" PRIu64
            " values checked, %" PRIu64 " mismatches)\n",
            v->is_bit_exact ? "yes" : "no", v->max_rel_err, str_or(v->reference, "?"),
            v->n_values_checked, v->n_mismatches);
    if (v->first_mismatch[0])
        fprintf(out, "  first mismatch: %s\n", v->first_mismatch);
}

ax_status ax_report_print_summary(const struct ax_sim_result *r, const ax_arch_t *arch, FILE *out)
{
    print_header(r, arch, out);
    print_sparsity(r, out);
    print_latency(r, out);
    print_energy(r, out);
    print_validation(r, out);
    return ferror(out) ? AX_ERR_IO : AX_OK;
}
