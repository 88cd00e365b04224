/* axon's own chip format (docs/chip-format.md): system, chip, tile, core and
 * unit sections with SANA-FE's attribute names and explicit units. */
#include "chip_read.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Largest mesh side and core count accepted: far beyond any chip built, small
 * enough that every product of counts fits comfortably in 32 bits. */
enum { MAX_MESH_SIDE = 1024, MAX_CORES_PER_TILE = 1024, MAX_LANES = 65536 };

static void load_unit(struct chip_reader *r, struct ax_yaml_node *core, enum ax_unit unit,
                      struct ax_core_desc *c)
{
    const char *key = ax_unit_str(unit);
    struct ax_unit_desc *u = &c->unit[unit];
    u->name = key;
    u->lanes = 1;
    struct ax_yaml_node *m;
    if (rd_map(r, core, "core", key, RD_REQUIRED, &m) <= 0)
        return;
    rd_str(r, m, key, "name", RD_OPTIONAL, &u->name);
    rd_u32(r, m, key, "lanes", RD_OPTIONAL, 1, MAX_LANES, &u->lanes);
    rd_provenance(r, m, key, &u->prov);
    const char *expected[2 * AX_EVENT_COUNT + 4] = {"name", "lanes", "source", "estimate"};
    size_t n_expected = 4;
    for (int e = 0; e < AX_EVENT_COUNT; e++) {
        if (ax_event_unit((enum ax_event)e) != unit)
            continue;
        const char *ek = ax_event_energy_key((enum ax_event)e);
        const char *lk = ax_event_latency_key((enum ax_event)e);
        expected[n_expected++] = ek;
        expected[n_expected++] = lk;
        rd_qty(r, m, key, ek, AX_QTY_ENERGY, RD_REQUIRED, 0.0, 0, &c->event[e].energy_j);
        rd_qty(r, m, key, lk, AX_QTY_TIME, RD_REQUIRED, 0.0, 0, &c->event[e].latency_s);
    }
    rd_unknown_keys(r, m, key, expected, n_expected);
}

static void load_cost_pair(struct chip_reader *r, struct ax_yaml_node *m, const char *where,
                           struct ax_cost *cost)
{
    rd_qty(r, m, where, "energy", AX_QTY_ENERGY, RD_REQUIRED, 0.0, 0, &cost->energy_j);
    rd_qty(r, m, where, "latency", AX_QTY_TIME, RD_REQUIRED, 0.0, 0, &cost->latency_s);
    static const char *const keys[] = {"energy", "latency"};
    rd_unknown_keys(r, m, where, keys, N_OF(keys));
}

static void load_dense(struct chip_reader *r, struct ax_yaml_node *core, struct ax_core_desc *c)
{
    c->dense.name = "dense";
    c->dense.lanes = 1;
    struct ax_yaml_node *m;
    if (rd_map(r, core, "core", "dense", RD_REQUIRED, &m) <= 0)
        return;
    rd_str(r, m, "dense", "name", RD_OPTIONAL, &c->dense.name);
    rd_u32(r, m, "dense", "lanes", RD_OPTIONAL, 1, MAX_LANES, &c->dense.lanes);
    rd_provenance(r, m, "dense", &c->dense.prov);

    struct ax_cost fallback = {0, 0};
    struct ax_yaml_node *dm;
    int has_default = rd_map(r, m, "dense", "default", RD_OPTIONAL, &dm);
    if (has_default > 0)
        load_cost_pair(r, dm, "dense.default", &fallback);
    const char *expected[AX_DENSE_COUNT + 5] = {"name", "lanes", "source", "estimate", "default"};
    size_t n_expected = 5;
    char missing[256] = "";
    for (int op = 0; op < AX_DENSE_COUNT; op++) {
        const char *key = ax_dense_op_str((enum ax_dense_op)op);
        expected[n_expected++] = key;
        char where[48];
        snprintf(where, sizeof where, "dense.%s", key);
        struct ax_yaml_node *om;
        int got = rd_map(r, m, "dense", key, RD_OPTIONAL, &om);
        if (got > 0)
            load_cost_pair(r, om, where, &c->dense_op[op]);
        else if (got == 0 && has_default > 0)
            c->dense_op[op] = fallback;
        else if (got == 0 && has_default == 0)
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s'%s'",
                     missing[0] ? ", " : "", key);
    }
    if (missing[0])
        rd_error(r, m, "dense: no cost for %s and no 'default' to cover them; give each "
                 "'op: {energy: ..., latency: ...}' or a 'default' entry", missing);
    rd_unknown_keys(r, m, "dense", expected, n_expected);
}

static void load_sram(struct chip_reader *r, struct ax_yaml_node *core, struct ax_core_desc *c)
{
    struct ax_yaml_node *m;
    if (rd_map(r, core, "core", "sram", RD_REQUIRED, &m) <= 0)
        return;
    struct ax_sram_desc *s = &c->sram;
    if (rd_qty(r, m, "sram", "capacity", AX_QTY_BYTES, RD_REQUIRED, 0.0, 1, &s->capacity_bytes) > 0 &&
        s->capacity_bytes > AX_ARCH_MAX_SRAM_BYTES)
        rd_error(r, ax_yaml_get(m, "capacity"), "sram.capacity: %.6g B is more than the %.0f B "
                 "(256 KiB) a core's instructions can address; give at most 256 KiB",
                 s->capacity_bytes, (double)AX_ARCH_MAX_SRAM_BYTES);
    s->width_bits = 64;
    rd_qty(r, m, "sram", "width", AX_QTY_BITS, RD_OPTIONAL, 0.0, 1, &s->width_bits);
    rd_qty(r, m, "sram", "energy_read", AX_QTY_ENERGY, RD_REQUIRED, 0.0, 0, &s->energy_read_j);
    rd_qty(r, m, "sram", "energy_write", AX_QTY_ENERGY, RD_REQUIRED, 0.0, 0, &s->energy_write_j);
    rd_qty(r, m, "sram", "latency", AX_QTY_TIME, RD_REQUIRED, 0.0, 0, &s->latency_s);
    rd_provenance(r, m, "sram", &s->prov);
    static const char *const keys[] = {"capacity", "width", "energy_read", "energy_write",
                                       "latency", "source", "estimate"};
    rd_unknown_keys(r, m, "sram", keys, N_OF(keys));
}

static void load_core(struct chip_reader *r, struct ax_yaml_node *chip, struct ax_core_desc *c)
{
    struct ax_yaml_node *m;
    if (rd_map(r, chip, "chip", "core", RD_REQUIRED, &m) <= 0)
        return;
    rd_u32(r, m, "core", "max_neurons", RD_REQUIRED, 1, UINT32_MAX, &c->max_neurons);
    if (ax_yaml_get(m, "neuron_state_bytes"))
        rd_error(r, ax_yaml_get(m, "neuron_state_bytes"),
                 "core.neuron_state_bytes is not part of the chip format: a neuron's state is "
                 "one %u-byte accumulator word of the program, whatever the chip; remove the key",
                 AX_NEURON_STATE_BYTES);
    load_sram(r, m, c);
    for (int u = 0; u < AX_UNIT_COUNT; u++)
        load_unit(r, m, (enum ax_unit)u, c);
    load_dense(r, m, c);
    static const char *const keys[] = {"max_neurons", "neuron_state_bytes", "sram", "axon_in",
                                       "synapse", "dendrite", "soma", "axon_out", "dense"};
    rd_unknown_keys(r, m, "core", keys, N_OF(keys));

    /* Consistency: a core must hold at least one neuron's state. */
    struct ax_yaml_node *cap = ax_yaml_get(ax_yaml_get(m, "sram"), "capacity");
    if (cap && c->sram.capacity_bytes > 0 && c->sram.capacity_bytes < AX_NEURON_STATE_BYTES)
        rd_error(r, cap, "sram.capacity: %.0f B cannot hold even one neuron's state (%u B); "
                 "expected at least %u B", c->sram.capacity_bytes, AX_NEURON_STATE_BYTES,
                 AX_NEURON_STATE_BYTES);
    else if (cap && c->sram.capacity_bytes > 0 &&
             (double)c->max_neurons * AX_NEURON_STATE_BYTES > c->sram.capacity_bytes)
        rd_warning(r, cap, "sram.capacity: %.0f B holds the state of only %.0f of the %u neurons "
                   "a core supports (%u B each)", c->sram.capacity_bytes,
                   floor(c->sram.capacity_bytes / AX_NEURON_STATE_BYTES), c->max_neurons,
                   AX_NEURON_STATE_BYTES);
}

static void load_router(struct chip_reader *r, struct ax_yaml_node *tile, struct ax_router_desc *rt)
{
    struct ax_yaml_node *m;
    if (rd_map(r, tile, "tile", "router", RD_REQUIRED, &m) <= 0)
        return;
    const char *expected[2 * AX_DIR_COUNT + 9];
    size_t n_expected = 0;
    rd_hops(r, m, "router", RD_REQUIRED, rt->hop);
    for (size_t i = 0; i < N_OF(rd_hop_keys); i++)
        expected[n_expected++] = rd_hop_keys[i];
    rd_qty(r, m, "router", "energy_local", AX_QTY_ENERGY, RD_REQUIRED, 0.0, 0, &rt->local.energy_j);
    rd_qty(r, m, "router", "latency_local", AX_QTY_TIME, RD_REQUIRED, 0.0, 0, &rt->local.latency_s);
    rd_qty(r, m, "router", "link_width", AX_QTY_BITS, RD_REQUIRED, 0.0, 1, &rt->link_width_bits);
    /* Accepted and stored for SANA-FE users, but not modelled: the engine's
     * link queues are unbounded (docs/chip-format.md). */
    rt->buffer_packets = 16;
    rd_u32(r, m, "router", "buffer", RD_OPTIONAL, 1, 1u << 20, &rt->buffer_packets);
    /* Multicast (docs/chip-format.md): off unless the chip says so; a copy
     * costs nothing unless the chip gives its cost. */
    rd_bool(r, m, "router", "multicast", RD_OPTIONAL, &rt->is_multicast);
    rd_qty(r, m, "router", "energy_copy", AX_QTY_ENERGY, RD_OPTIONAL, 0.0, 0, &rt->copy.energy_j);
    rd_qty(r, m, "router", "latency_copy", AX_QTY_TIME, RD_OPTIONAL, 0.0, 0, &rt->copy.latency_s);
    if (!rt->is_multicast && (ax_yaml_get(m, "energy_copy") || ax_yaml_get(m, "latency_copy")))
        rd_warning(r, m, "router: energy_copy and latency_copy apply only with 'multicast: true'; "
                   "this router sends a copy of each packet from its source core instead");
    rd_provenance(r, m, "router", &rt->prov);
    static const char *const rest[] = {"energy_local", "latency_local", "link_width", "buffer",
                                       "multicast", "energy_copy", "latency_copy", "source",
                                       "estimate"};
    for (size_t i = 0; i < N_OF(rest); i++)
        expected[n_expected++] = rest[i];
    rd_unknown_keys(r, m, "router", expected, n_expected);
}

static void load_sync(struct chip_reader *r, struct ax_yaml_node *chip, struct ax_sync_desc *s)
{
    struct ax_yaml_node *m;
    if (rd_map(r, chip, "chip", "sync", RD_REQUIRED, &m) <= 0)
        return;
    rd_provenance(r, m, "sync", &s->prov);
    rd_qty(r, m, "sync", "energy", AX_QTY_ENERGY, RD_OPTIONAL, 0.0, 0, &s->energy_j);
    struct ax_yaml_node *lat = ax_yaml_get(m, "latency");
    const char *model = "fixed";
    rd_str(r, m, "sync", "model", RD_OPTIONAL, &model);
    struct ax_yaml_node *hs;
    if (rd_map(r, m, "sync", "handshake", RD_OPTIONAL, &hs) > 0) {
        static const char *const hs_keys[] = {"latency", "energy"};
        rd_qty(r, hs, "sync.handshake", "latency", AX_QTY_TIME, RD_REQUIRED, 0.0, 0,
               &s->handshake_latency_s);
        rd_qty(r, hs, "sync.handshake", "energy", AX_QTY_ENERGY, RD_REQUIRED, 0.0, 0,
               &s->handshake_energy_j);
        rd_unknown_keys(r, hs, "sync.handshake", hs_keys, N_OF(hs_keys));
        s->is_handshake_known = 1;
    }
    static const char *const keys[] = {"model",     "latency", "energy",
                                       "handshake", "source",  "estimate"};
    rd_unknown_keys(r, m, "sync", keys, N_OF(keys));
    if (!lat) {
        rd_error(r, m, "sync: missing required key 'latency' (a time, or a table of times by "
                 "number of tiles)");
        return;
    }
    if (strcmp(model, "fixed") == 0) {
        s->model = AX_SYNC_FIXED;
        rd_qty_node(r, lat, "sync", "latency", AX_QTY_TIME, 0.0, 0, &s->latency_s);
        return;
    }
    if (strcmp(model, "table") != 0) {
        rd_error(r, ax_yaml_get(m, "model"), "sync.model: '%s' is not a sync model; expected "
                 "'fixed' or 'table'", model);
        return;
    }
    rd_sync_table(r, lat, "sync.latency", s);
}

static void load_dram(struct chip_reader *r, struct ax_yaml_node *chip, struct ax_dram_desc *dr)
{
    struct ax_yaml_node *m;
    if (rd_map(r, chip, "chip", "dram", RD_OPTIONAL, &m) <= 0)
        return;
    dr->is_present = 1;
    rd_qty(r, m, "dram", "capacity", AX_QTY_BYTES, RD_REQUIRED, 0.0, 1, &dr->capacity_bytes);
    rd_qty(r, m, "dram", "bandwidth", AX_QTY_BANDWIDTH, RD_REQUIRED, 0.0, 1, &dr->bandwidth_bps);
    rd_qty(r, m, "dram", "energy_per_byte", AX_QTY_ENERGY_PER_BYTE, RD_REQUIRED, 0.0, 0,
           &dr->energy_per_byte_j);
    rd_qty(r, m, "dram", "latency", AX_QTY_TIME, RD_REQUIRED, 0.0, 0, &dr->latency_s);
    rd_provenance(r, m, "dram", &dr->prov);
    static const char *const keys[] = {"capacity", "bandwidth", "energy_per_byte", "latency",
                                       "source", "estimate"};
    rd_unknown_keys(r, m, "dram", keys, N_OF(keys));
}

static void load_chip(struct chip_reader *r, struct ax_yaml_node *root, struct ax_chip_desc *c)
{
    struct ax_yaml_node *m;
    if (rd_map(r, root, "top level", "chip", RD_REQUIRED, &m) <= 0)
        return;
    if (rd_qty(r, m, "chip", "clock", AX_QTY_FREQUENCY, RD_REQUIRED, 0.0, 1, &c->clock_hz) > 0 &&
        !(c->clock_hz >= AX_ARCH_MIN_CLOCK_HZ && c->clock_hz <= AX_ARCH_MAX_CLOCK_HZ))
        rd_error(r, ax_yaml_get(m, "clock"), "chip.clock: %.6g Hz is outside the range axon "
                 "reports on, 1 kHz to 1 THz; give a clock in that range", c->clock_hz);
    struct ax_yaml_node *mesh;
    if (rd_map(r, m, "chip", "mesh", RD_REQUIRED, &mesh) > 0) {
        rd_u32(r, mesh, "mesh", "width", RD_REQUIRED, 1, MAX_MESH_SIDE, &c->mesh_width);
        rd_u32(r, mesh, "mesh", "height", RD_REQUIRED, 1, MAX_MESH_SIDE, &c->mesh_height);
        static const char *const keys[] = {"width", "height"};
        rd_unknown_keys(r, mesh, "mesh", keys, N_OF(keys));
    }
    struct ax_yaml_node *tile;
    if (rd_map(r, m, "chip", "tile", RD_REQUIRED, &tile) > 0) {
        rd_u32(r, tile, "tile", "cores", RD_REQUIRED, 1, MAX_CORES_PER_TILE, &c->cores_per_tile);
        load_router(r, tile, &c->router);
        static const char *const keys[] = {"cores", "router"};
        rd_unknown_keys(r, tile, "tile", keys, N_OF(keys));
    }
    struct ax_yaml_node *sp;
    if (rd_map(r, m, "chip", "static_power", RD_REQUIRED, &sp) > 0) {
        rd_qty(r, sp, "static_power", "chip", AX_QTY_POWER, RD_REQUIRED, 0.0, 0, &c->static_power_w);
        rd_qty(r, sp, "static_power", "core", AX_QTY_POWER, RD_REQUIRED, 0.0, 0,
               &c->core.static_power_w);
        rd_provenance(r, sp, "static_power", &c->static_prov);
        static const char *const keys[] = {"chip", "core", "source", "estimate"};
        rd_unknown_keys(r, sp, "static_power", keys, N_OF(keys));
    }
    load_sync(r, m, &c->sync);
    load_dram(r, m, &c->dram);
    load_core(r, m, &c->core);
    static const char *const keys[] = {"clock", "mesh", "tile", "static_power", "sync", "dram",
                                       "core"};
    rd_unknown_keys(r, m, "chip", keys, N_OF(keys));
}

static void load_system(struct chip_reader *r, struct ax_yaml_node *root, struct ax_system_desc *d)
{
    struct ax_yaml_node *m;
    if (rd_map(r, root, "top level", "system", RD_REQUIRED, &m) <= 0)
        return;
    struct ax_yaml_node *chips = ax_yaml_get(m, "chips");
    if (!chips) {
        rd_error(r, m, "system: missing required key 'chips' ('open', or a number of chips)");
    } else if (chips->kind == AX_YAML_SCALAR && !chips->is_quoted && strcmp(chips->text, "open") == 0) {
        d->is_chips_open = 1;
    } else {
        rd_u32_node(r, chips, "system", "chips", 1, 1u << 24, &d->n_chips);
    }
    rd_u32(r, m, "system", "max_chips", RD_OPTIONAL, 1, 1u << 24, &d->max_chips);
    if (d->max_chips && d->n_chips > d->max_chips)
        rd_error(r, ax_yaml_get(m, "max_chips"), "system.max_chips: %u is fewer than the %u chips "
                 "the system fixes; expected at least %u", d->max_chips, d->n_chips, d->n_chips);

    struct ax_yaml_node *link;
    int needs_link = d->is_chips_open || d->n_chips > 1;
    if (rd_map(r, m, "system", "interchip", needs_link ? RD_REQUIRED : RD_OPTIONAL, &link) > 0) {
        struct ax_link_desc *l = &d->interchip;
        rd_qty(r, link, "interchip", "energy_per_byte", AX_QTY_ENERGY_PER_BYTE, RD_REQUIRED, 0.0, 0,
               &l->energy_per_byte_j);
        rd_qty(r, link, "interchip", "latency", AX_QTY_TIME, RD_REQUIRED, 0.0, 0, &l->latency_s);
        rd_qty(r, link, "interchip", "bandwidth", AX_QTY_BANDWIDTH, RD_REQUIRED, 0.0, 1,
               &l->bandwidth_bps);
        rd_provenance(r, link, "interchip", &l->prov);
        static const char *const keys[] = {"energy_per_byte", "latency", "bandwidth", "source",
                                           "estimate"};
        rd_unknown_keys(r, link, "interchip", keys, N_OF(keys));
    }
    static const char *const keys[] = {"chips", "max_chips", "interchip"};
    rd_unknown_keys(r, m, "system", keys, N_OF(keys));
}

static void load_sources(struct chip_reader *r, struct ax_yaml_node *root, struct ax_system_desc *d)
{
    struct ax_yaml_node *s = ax_yaml_get(root, "sources");
    if (!s)
        return;
    if (s->kind != AX_YAML_SEQ) {
        rd_error(r, s, "sources: expected a list of citations, found %s", ax_yaml_kind_str(s->kind));
        return;
    }
    d->sources = ax_arena_calloc(r->arena, s->n_children ? s->n_children : 1, sizeof *d->sources);
    if (!d->sources)
        return;
    for (uint32_t i = 0; i < s->n_children; i++) {
        struct ax_yaml_node *item = s->items[i];
        if (item->kind != AX_YAML_SCALAR) {
            rd_error(r, item, "sources: each entry must be a citation string, found %s",
                     ax_yaml_kind_str(item->kind));
            continue;
        }
        d->sources[d->n_sources++] = ax_arena_strdup(r->arena, item->text);
    }
}

void ax_chip_load_native(struct chip_reader *r, struct ax_yaml_node *root, struct ax_system_desc *d)
{
    uint32_t version = 1;
    struct ax_yaml_node *vn = ax_yaml_get(root, "version");
    if (vn && rd_u32_node(r, vn, "top level", "version", 1, UINT32_MAX, &version) > 0 && version != 1)
        rd_error(r, vn, "version %u is not one this axon reads; expected 1 (docs/chip-format.md)",
                 version);
    rd_str(r, root, "top level", "name", RD_REQUIRED, &d->name);
    rd_str(r, root, "top level", "description", RD_OPTIONAL, &d->description);
    load_sources(r, root, d);
    load_system(r, root, d);
    load_chip(r, root, &d->chip);
    static const char *const keys[] = {"version", "name", "description", "sources", "system", "chip"};
    rd_unknown_keys(r, root, "top level", keys, N_OF(keys));
}
