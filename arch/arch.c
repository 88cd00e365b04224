/* The arch: loading (format dispatch), accessors, derived figures, names. */
#include "chip_read.h"

#include "ax_fs.h"
#include "ax_mem.h"

#include <string.h>

/* A chip description is small; anything larger is not one. */
enum { MAX_CHIP_FILE_BYTES = 4 * 1024 * 1024 };

static const struct {
    enum ax_unit unit;
    const char *energy_key, *latency_key, *meaning;
} event_table[] = {
#define X(unit, ev, ekey, lkey, meaning) {AX_UNIT_##unit, ekey, lkey, meaning},
#include "ax_events.def"
#undef X
};
_Static_assert(sizeof event_table / sizeof event_table[0] == AX_EVENT_COUNT, "event table");

static const struct {
    const char *key, *meaning;
} dense_table[] = {
#define X(op, key, meaning) {key, meaning},
#include "ax_dense.def"
#undef X
};
_Static_assert(sizeof dense_table / sizeof dense_table[0] == AX_DENSE_COUNT, "dense table");

static const char *const unit_names[] = {"axon_in", "synapse", "dendrite", "soma", "axon_out"};
_Static_assert(sizeof unit_names / sizeof unit_names[0] == AX_UNIT_COUNT, "unit names");
static const char *const dir_names[] = {"north", "east", "south", "west"};
_Static_assert(sizeof dir_names / sizeof dir_names[0] == AX_DIR_COUNT, "direction names");
static const char *const format_names[] = {"axon", "sana-fe"};
_Static_assert(sizeof format_names / sizeof format_names[0] == AX_CHIP_FORMAT_COUNT, "formats");

const char *ax_unit_str(enum ax_unit unit) { return unit_names[unit]; }
const char *ax_event_energy_key(enum ax_event ev) { return event_table[ev].energy_key; }
const char *ax_event_latency_key(enum ax_event ev) { return event_table[ev].latency_key; }
enum ax_unit ax_event_unit(enum ax_event ev) { return event_table[ev].unit; }
const char *ax_event_meaning(enum ax_event ev) { return event_table[ev].meaning; }
const char *ax_dense_op_str(enum ax_dense_op op) { return dense_table[op].key; }
const char *ax_dense_op_meaning(enum ax_dense_op op) { return dense_table[op].meaning; }
const char *ax_dir_str(enum ax_dir dir) { return dir_names[dir]; }
const char *ax_chip_format_str(enum ax_chip_format format) { return format_names[format]; }

/* Refuses a system larger than the tools hold (ax_arch.h): cores per chip,
 * and cores of the whole system where it is bounded. Products in 64 bits. */
static void check_size(const struct ax_system_desc *d, struct ax_diag_list *diags)
{
    const struct ax_chip_desc *c = &d->chip;
    uint64_t per_chip = (uint64_t)c->mesh_width * c->mesh_height * c->cores_per_tile;
    if (per_chip > AX_ARCH_MAX_CORES_PER_CHIP) {
        ax_diag_add(diags, AX_DIAG_ERROR, d->path, 0, 0,
                    "a chip of %u x %u tiles of %u cores has %llu cores; axon maps at most %u "
                    "cores a chip: make the mesh or the tiles smaller", c->mesh_width,
                    c->mesh_height, c->cores_per_tile, (unsigned long long)per_chip,
                    AX_ARCH_MAX_CORES_PER_CHIP);
        return;
    }
    uint32_t chips = d->is_chips_open ? d->max_chips : d->n_chips;
    if (chips && per_chip * chips > AX_ARCH_MAX_CORES)
        ax_diag_add(diags, AX_DIAG_ERROR, d->path, 0, 0,
                    "%u chips (system.%s) of %llu cores have %llu cores; axon maps at most %u "
                    "cores in a system: give fewer chips", chips,
                    d->is_chips_open ? "max_chips" : "chips", (unsigned long long)per_chip,
                    (unsigned long long)(per_chip * chips), AX_ARCH_MAX_CORES);
}

ax_status ax_arch_load_text(const char *path, const char *text, size_t len, ax_arch_t **out,
                            struct ax_diag_list *diags)
{
    *out = NULL;
    if (len == 0 || strspn(text, " \t\r\n") == len) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "the file is empty; expected a chip description (see docs/chip-format.md)");
        return AX_ERR_PARSE;
    }
    struct ax_yaml_doc doc;
    ax_status st = ax_yaml_parse(&doc, path, text, len, NULL, diags);
    if (st != AX_OK) {
        ax_yaml_doc_free(&doc);
        return st;
    }
    struct ax_yaml_node *root = doc.root;
    if (!root || root->kind != AX_YAML_MAP) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, root ? root->line : 1, root ? root->col : 1,
                    "expected a mapping at the top level (a chip description with 'chip:' or a "
                    "SANA-FE architecture with 'architecture:'), found %s",
                    root ? ax_yaml_kind_str(root->kind) : "an empty document");
        ax_yaml_doc_free(&doc);
        return AX_ERR_PARSE;
    }

    ax_arch_t *arch = ax_mem_calloc(1, sizeof *arch);
    if (!arch) {
        ax_yaml_doc_free(&doc);
        return AX_ERR_NOMEM;
    }
    ax_arena_init(&arch->arena, 16 * 1024);
    struct chip_reader r = {path, diags, &arch->arena};
    uint32_t errors_before = diags->n_errors;
    arch->d.path = ax_arena_strdup(&arch->arena, path);

    if (ax_yaml_get(root, "architecture")) {
        arch->d.format = AX_CHIP_FORMAT_SANAFE;
        ax_chip_load_sanafe(&r, root, &arch->d);
    } else if (ax_yaml_get(root, "chip") || ax_yaml_get(root, "system")) {
        arch->d.format = AX_CHIP_FORMAT_AXON;
        ax_chip_load_native(&r, root, &arch->d);
    } else {
        rd_error(&r, root, "neither an axon chip description (top-level 'chip:' and 'system:') "
                 "nor a SANA-FE architecture (top-level 'architecture:')");
    }
    ax_yaml_doc_free(&doc);
    if (diags->n_errors == errors_before)
        check_size(&arch->d, diags);

    if (diags->n_errors != errors_before || diags->is_oom) {
        ax_arch_free(arch);
        return diags->is_oom ? AX_ERR_NOMEM : AX_ERR_INVALID;
    }
    *out = arch;
    return AX_OK;
}

ax_status ax_arch_load(const char *path, ax_arch_t **out, struct ax_diag_list *diags)
{
    char *text;
    size_t len;
    *out = NULL;
    ax_status st = ax_fs_read_file(path, MAX_CHIP_FILE_BYTES, &text, &len, diags);
    if (st != AX_OK)
        return st;
    st = ax_arch_load_text(path, text, len, out, diags);
    ax_mem_free(text);
    return st;
}

void ax_arch_free(ax_arch_t *arch)
{
    if (!arch)
        return;
    ax_arena_free(&arch->arena);
    ax_mem_free(arch);
}

const struct ax_system_desc *ax_arch_desc(const ax_arch_t *arch) { return &arch->d; }

uint32_t ax_arch_tiles_per_chip(const ax_arch_t *arch)
{
    return arch->d.chip.mesh_width * arch->d.chip.mesh_height;
}

uint32_t ax_arch_cores_per_chip(const ax_arch_t *arch)
{
    return ax_arch_tiles_per_chip(arch) * arch->d.chip.cores_per_tile;
}

uint32_t ax_arch_n_chips(const ax_arch_t *arch)
{
    return arch->d.is_chips_open ? 1 : arch->d.n_chips;
}

double ax_arch_peak_sops(const ax_arch_t *arch)
{
    const struct ax_core_desc *c = &arch->d.chip.core;
    double lat = c->event[AX_EVENT_SYNAPSE_PROCESS_SPIKE].latency_s;
    if (lat <= 0.0)
        return 0.0;
    return (double)ax_arch_cores_per_chip(arch) * c->unit[AX_UNIT_SYNAPSE].lanes / lat;
}

double ax_arch_chip_static_power(const ax_arch_t *arch)
{
    const struct ax_chip_desc *c = &arch->d.chip;
    return c->static_power_w + (double)ax_arch_cores_per_chip(arch) * c->core.static_power_w;
}

double ax_arch_sync_latency(const ax_arch_t *arch, uint32_t n_tiles)
{
    const struct ax_sync_desc *s = &arch->d.chip.sync;
    if (s->model == AX_SYNC_FIXED || s->n_table == 0)
        return s->latency_s;
    for (uint32_t i = 0; i < s->n_table; i++) {
        if (s->table[i].n_tiles >= n_tiles)
            return s->table[i].latency_s;
    }
    return s->table[s->n_table - 1].latency_s;
}
