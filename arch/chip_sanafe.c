/* SANA-FE's architecture format (docs/sources.md: sanafe): `architecture:` with
 * `attributes`, a list of `tile:` groups, each with a list of `core:` groups,
 * each with lists of the five pipeline units; names may carry the range
 * syntax `name[0..N]` to replicate a group.
 *
 * axon models chips whose tiles are all alike and whose cores are all alike,
 * so every tile group and core group must carry the same costs. When a core
 * lists several units of one kind (Loihi's dense, sparse and conv synapses),
 * axon uses the first (for the soma: the first whose model is not `input`,
 * those being SANA-FE's spike sources) and says so. SANA-FE's format has no
 * clock, SRAM, dense unit, static power or DRAM: those stay "not described"
 * and cost nothing, and a note says so. A missing energy or latency counts as
 * zero, as in SANA-FE. */
#include "chip_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Parses "name[a..b]" into the group size b-a+1, or 1 for a plain name.
 * Returns 0 and reports a malformed range otherwise. */
static uint32_t range_count(struct chip_reader *r, struct ax_yaml_node *name_node)
{
    const char *name = name_node->text;
    const char *open = strchr(name, '[');
    if (!open)
        return 1;
    char *end;
    errno = 0;
    unsigned long a = strtoul(open + 1, &end, 10);
    if (end == open + 1 || strncmp(end, "..", 2) != 0)
        goto bad;
    const char *bstart = end + 2;
    unsigned long b = strtoul(bstart, &end, 10);
    if (end == bstart || strcmp(end, "]") != 0 || errno == ERANGE)
        goto bad;
    if (b < a || b - a >= (1ul << 20)) {
        rd_error(r, name_node, "name '%s': the range [%lu..%lu] is empty or too large; expected "
                 "[first..last] with first <= last", name, a, b);
        return 0;
    }
    return (uint32_t)(b - a + 1);
bad:
    rd_error(r, name_node, "name '%s': malformed range; expected 'name[first..last]', such as "
             "'core[0..3]'", name);
    return 0;
}

/* The list under `key` (a list of {name, attributes}); NULL if absent. */
static struct ax_yaml_node *group_list(struct chip_reader *r, struct ax_yaml_node *map,
                                       const char *where, const char *key, int required)
{
    struct ax_yaml_node *v = ax_yaml_get(map, key);
    if (!v) {
        if (required)
            rd_error(r, map, "%s: missing required list '%s'", where, key);
        return NULL;
    }
    if (v->kind == AX_YAML_MAP)
        return v; /* a single group written without the list */
    if (v->kind != AX_YAML_SEQ || v->n_children == 0) {
        rd_error(r, v, "%s.%s: expected a list of groups, each with 'name' and 'attributes'",
                 where, key);
        return NULL;
    }
    return v;
}

static uint32_t group_count(const struct ax_yaml_node *list)
{
    return list->kind == AX_YAML_MAP ? 1 : list->n_children;
}

static struct ax_yaml_node *group_at(struct ax_yaml_node *list, uint32_t i)
{
    return list->kind == AX_YAML_MAP ? list : list->items[i];
}

/* A group's attributes mapping (an empty one is fine); NULL after an error. */
static struct ax_yaml_node *group_attributes(struct chip_reader *r, struct ax_yaml_node *g,
                                             const char *where, int *is_ok)
{
    *is_ok = 1;
    if (g->kind != AX_YAML_MAP) {
        rd_error(r, g, "%s: expected a mapping with 'name' and 'attributes', found %s", where,
                 ax_yaml_kind_str(g->kind));
        *is_ok = 0;
        return NULL;
    }
    struct ax_yaml_node *a;
    if (rd_map(r, g, where, "attributes", RD_OPTIONAL, &a) < 0)
        *is_ok = 0;
    return a;
}

/* Warns about attributes that look like costs but are not ones axon knows:
 * other attributes are neuron-model parameters that SANA-FE passes on. */
static void check_cost_keys(struct chip_reader *r, struct ax_yaml_node *attrs, const char *where,
                            const char *const *known, size_t n_known)
{
    if (!attrs)
        return;
    for (uint32_t i = 0; i < attrs->n_children; i++) {
        struct ax_yaml_node *k = attrs->pairs[i].key;
        if (k->is_used || (strncmp(k->text, "energy_", 7) != 0 && strncmp(k->text, "latency_", 8) != 0))
            continue;
        rd_unknown_key(r, k, where, known, n_known);
    }
}

static void load_unit(struct chip_reader *r, struct ax_yaml_node *core, enum ax_unit unit,
                      struct ax_core_desc *c)
{
    const char *key = ax_unit_str(unit);
    struct ax_unit_desc *u = &c->unit[unit];
    u->name = key;
    u->lanes = 1;
    struct ax_yaml_node *list = group_list(r, core, "core", key, RD_REQUIRED);
    if (!list)
        return;
    struct ax_yaml_node *chosen = NULL;
    uint32_t n_candidates = 0;
    for (uint32_t i = 0; i < group_count(list); i++) {
        struct ax_yaml_node *g = group_at(list, i);
        int ok;
        struct ax_yaml_node *a = group_attributes(r, g, key, &ok);
        if (!ok)
            return;
        struct ax_yaml_node *model = ax_yaml_get(a, "model");
        if (unit == AX_UNIT_SOMA && model && model->kind == AX_YAML_SCALAR &&
            strcmp(model->text, "input") == 0)
            continue; /* a spike source, not a neuron-processing unit */
        n_candidates++;
        if (!chosen)
            chosen = g;
    }
    if (!chosen) {
        rd_error(r, list, "core.%s: no usable %s unit (every one is a spike input)", key, key);
        return;
    }
    rd_str(r, chosen, key, "name", RD_OPTIONAL, &u->name);
    if (n_candidates > 1)
        rd_warning(r, chosen, "core.%s: %u %s units are described; axon charges every %s event "
                   "at the first, '%s'", key, n_candidates, key, key, u->name);
    int ok;
    struct ax_yaml_node *a = group_attributes(r, chosen, key, &ok);
    const char *known[2 * AX_EVENT_COUNT];
    size_t n_known = 0;
    for (int e = 0; e < AX_EVENT_COUNT; e++) {
        if (ax_event_unit((enum ax_event)e) != unit)
            continue;
        const char *ek = ax_event_energy_key((enum ax_event)e);
        const char *lk = ax_event_latency_key((enum ax_event)e);
        known[n_known++] = ek;
        known[n_known++] = lk;
        if (a) {
            rd_qty(r, a, u->name, ek, AX_QTY_ENERGY, RD_OPTIONAL, 0.0, 0, &c->event[e].energy_j);
            rd_qty(r, a, u->name, lk, AX_QTY_TIME, RD_OPTIONAL, 0.0, 0, &c->event[e].latency_s);
        }
    }
    check_cost_keys(r, a, u->name, known, n_known);
}

static void load_core_group(struct chip_reader *r, struct ax_yaml_node *g, struct ax_core_desc *c)
{
    int ok;
    struct ax_yaml_node *a = group_attributes(r, g, "core", &ok);
    if (!ok)
        return;
    if (!a || rd_u32(r, a, "core attributes", "max_neurons_supported", RD_REQUIRED, 1, UINT32_MAX,
                     &c->max_neurons) == 0)
        rd_error(r, g, "core: missing 'attributes.max_neurons_supported' (a whole number)");
    static const char *const attrs[] = {"max_neurons_supported", "buffer_position",
                                        "buffer_inside_unit", "log_energy", "log_latency"};
    for (size_t i = 0; i < N_OF(attrs); i++)
        (void)ax_yaml_get(a, attrs[i]);
    rd_unknown_keys(r, a, "core attributes", attrs, N_OF(attrs));
    for (int u = 0; u < AX_UNIT_COUNT; u++)
        load_unit(r, g, (enum ax_unit)u, c);
    static const char *const keys[] = {"name", "attributes", "axon_in", "synapse", "dendrite",
                                       "soma", "axon_out"};
    rd_unknown_keys(r, g, "core", keys, N_OF(keys));
    c->dense.name = "dense (not described)";
    c->dense.lanes = 1;
}

static void load_tile_group(struct chip_reader *r, struct ax_yaml_node *g, struct ax_chip_desc *c,
                            uint32_t *cores_per_tile)
{
    int ok;
    struct ax_yaml_node *a = group_attributes(r, g, "tile", &ok);
    if (!ok)
        return;
    if (a)
        rd_hops(r, a, "tile attributes", RD_OPTIONAL, c->router.hop);
    (void)ax_yaml_get(a, "log_energy");
    const char *attrs[2 * AX_DIR_COUNT + 1] = {"log_energy"};
    for (size_t i = 0; i < N_OF(rd_hop_keys); i++)
        attrs[i + 1] = rd_hop_keys[i];
    rd_unknown_keys(r, a, "tile attributes", attrs, N_OF(attrs));

    struct ax_yaml_node *cores = group_list(r, g, "tile", "core", RD_REQUIRED);
    *cores_per_tile = 0;
    if (!cores)
        return;
    for (uint32_t i = 0; i < group_count(cores); i++) {
        struct ax_yaml_node *cg = group_at(cores, i);
        struct ax_yaml_node *name = cg->kind == AX_YAML_MAP ? ax_yaml_get(cg, "name") : NULL;
        uint32_t n = 1;
        if (name && name->kind == AX_YAML_SCALAR)
            n = range_count(r, name);
        struct ax_core_desc core = {0};
        load_core_group(r, cg, i == 0 ? &c->core : &core);
        if (i > 0 && (memcmp(core.event, c->core.event, sizeof core.event) != 0 ||
                      core.max_neurons != c->core.max_neurons))
            rd_error(r, cg, "core group %u differs from the first in its costs or size; axon "
                     "models tiles whose cores are all alike", i + 1);
        *cores_per_tile += n;
    }
    static const char *const keys[] = {"name", "attributes", "core"};
    rd_unknown_keys(r, g, "tile", keys, N_OF(keys));
}

static void load_sync(struct chip_reader *r, struct ax_yaml_node *a, struct ax_sync_desc *s)
{
    const char *model = "fixed";
    rd_str(r, a, "architecture attributes", "sync_model", RD_OPTIONAL, &model);
    struct ax_yaml_node *lat = ax_yaml_get(a, "latency_sync");
    s->model = AX_SYNC_FIXED;
    if (!lat)
        return;
    if (strcmp(model, "table") == 0 || lat->kind == AX_YAML_MAP) {
        rd_sync_table(r, lat, "latency_sync", s);
    } else if (strcmp(model, "fixed") == 0) {
        rd_qty_node(r, lat, "architecture attributes", "latency_sync", AX_QTY_TIME, 0.0, 0,
                    &s->latency_s);
    } else {
        rd_error(r, ax_yaml_get(a, "sync_model"), "sync_model: '%s' is not a sync model; expected "
                 "'fixed' or 'table'", model);
    }
}

void ax_chip_load_sanafe(struct chip_reader *r, struct ax_yaml_node *root, struct ax_system_desc *d)
{
    struct ax_yaml_node *arch;
    if (rd_map(r, root, "top level", "architecture", RD_REQUIRED, &arch) <= 0)
        return;
    static const char *const top[] = {"architecture"};
    rd_unknown_keys(r, root, "top level", top, 1);
    d->n_chips = 1;
    struct ax_chip_desc *c = &d->chip;
    rd_str(r, arch, "architecture", "name", RD_REQUIRED, &d->name);

    struct ax_yaml_node *a;
    if (rd_map(r, arch, "architecture", "attributes", RD_REQUIRED, &a) > 0) {
        const char *topology = "mesh";
        rd_str(r, a, "architecture attributes", "topology", RD_OPTIONAL, &topology);
        if (strcmp(topology, "mesh") != 0)
            rd_error(r, ax_yaml_get(a, "topology"), "topology: '%s' is not supported; axon models "
                     "a 2D mesh ('mesh')", topology);
        rd_u32(r, a, "architecture attributes", "width", RD_REQUIRED, 1, 1024, &c->mesh_width);
        rd_u32(r, a, "architecture attributes", "height", RD_REQUIRED, 1, 1024, &c->mesh_height);
        c->router.buffer_packets = 16;
        rd_u32(r, a, "architecture attributes", "link_buffer_size", RD_OPTIONAL, 1, 1u << 20,
               &c->router.buffer_packets);
        load_sync(r, a, &c->sync);
        static const char *const keys[] = {"topology", "width", "height", "link_buffer_size",
                                           "sync_model", "latency_sync"};
        rd_unknown_keys(r, a, "architecture attributes", keys, N_OF(keys));
    }

    struct ax_yaml_node *tiles = group_list(r, arch, "architecture", "tile", RD_REQUIRED);
    uint32_t n_tiles = 0;
    if (tiles) {
        for (uint32_t i = 0; i < group_count(tiles); i++) {
            struct ax_yaml_node *tg = group_at(tiles, i);
            struct ax_yaml_node *name = tg->kind == AX_YAML_MAP ? ax_yaml_get(tg, "name") : NULL;
            uint32_t n = 1, cores = 0;
            if (name && name->kind == AX_YAML_SCALAR)
                n = range_count(r, name);
            if (i == 0) {
                load_tile_group(r, tg, c, &cores);
                c->cores_per_tile = cores;
            } else {
                struct ax_chip_desc other = {0};
                load_tile_group(r, tg, &other, &cores);
                if (memcmp(other.router.hop, c->router.hop, sizeof other.router.hop) != 0 ||
                    cores != c->cores_per_tile ||
                    memcmp(other.core.event, c->core.event, sizeof other.core.event) != 0)
                    rd_error(r, tg, "tile group %u differs from the first in its hop costs or "
                             "cores; axon models chips whose tiles are all alike", i + 1);
            }
            n_tiles += n;
        }
        if (c->mesh_width && c->mesh_height && n_tiles != c->mesh_width * c->mesh_height)
            rd_error(r, tiles, "the %ux%u mesh has %u places but %u tiles are described; "
                     "expected width x height tiles", c->mesh_width, c->mesh_height,
                     c->mesh_width * c->mesh_height, n_tiles);
    }
    static const char *const keys[] = {"name", "attributes", "tile"};
    rd_unknown_keys(r, arch, "architecture", keys, N_OF(keys));
    if (c->cores_per_tile == 0)
        c->cores_per_tile = 1;
    ax_diag_add(r->diags, AX_DIAG_NOTE, r->path, arch->line, arch->col,
                "SANA-FE's format describes no clock, SRAM, dense unit, static power or DRAM; "
                "axon treats them as not described (no capacity limit, no cost)");
}
