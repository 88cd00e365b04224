/* The chip summary `axon inspect CHIP.yaml` prints, as text or one JSON object. */
#include "chip_read.h"

#include <jansson.h>
#include <string.h>

static json_t *provenance_json(const struct ax_provenance *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "source", p->source ? json_string(p->source) : json_null());
    json_object_set_new(o, "estimate", json_boolean(p->is_estimate));
    return o;
}

static json_t *cost_json(const struct ax_cost *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "energy_j", json_real(c->energy_j));
    json_object_set_new(o, "latency_s", json_real(c->latency_s));
    return o;
}

static json_t *summary_json(const ax_arch_t *arch)
{
    const struct ax_system_desc *d = ax_arch_desc(arch);
    const struct ax_chip_desc *c = &d->chip;
    const struct ax_core_desc *core = &c->core;
    uint32_t n_chips = ax_arch_n_chips(arch);
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(d->name ? d->name : ""));
    json_object_set_new(o, "file", json_string(d->path));
    json_object_set_new(o, "format", json_string(ax_chip_format_str(d->format)));
    json_object_set_new(o, "chips", json_integer(n_chips));
    json_object_set_new(o, "chips_open", json_boolean(d->is_chips_open));
    json_object_set_new(o, "max_chips", d->max_chips ? json_integer(d->max_chips) : json_null());
    json_object_set_new(o, "mesh", json_pack("{s:i,s:i}", "width", (json_int_t)c->mesh_width,
                                             "height", (json_int_t)c->mesh_height));
    json_object_set_new(o, "tiles", json_integer((json_int_t)n_chips * ax_arch_tiles_per_chip(arch)));
    json_object_set_new(o, "cores", json_integer((json_int_t)n_chips * ax_arch_cores_per_chip(arch)));
    json_object_set_new(o, "neurons", json_integer((json_int_t)n_chips * ax_arch_cores_per_chip(arch) *
                                                   (json_int_t)core->max_neurons));
    json_object_set_new(o, "sram_bytes", json_integer((json_int_t)((double)n_chips *
                                                   ax_arch_cores_per_chip(arch) *
                                                   core->sram.capacity_bytes)));
    json_object_set_new(o, "peak_sops", json_real(n_chips * ax_arch_peak_sops(arch)));
    json_object_set_new(o, "static_power_w", json_real(n_chips * ax_arch_chip_static_power(arch)));
    json_object_set_new(o, "clock_hz", json_real(c->clock_hz));

    json_t *units = json_object();
    for (int u = 0; u < AX_UNIT_COUNT; u++) {
        const struct ax_unit_desc *ud = &core->unit[u];
        json_t *uo = json_object();
        json_object_set_new(uo, "name", json_string(ud->name));
        json_object_set_new(uo, "lanes", json_integer(ud->lanes));
        for (int e = 0; e < AX_EVENT_COUNT; e++) {
            if (ax_event_unit((enum ax_event)e) == (enum ax_unit)u) {
                json_object_set_new(uo, ax_event_energy_key((enum ax_event)e),
                                    json_real(core->event[e].energy_j));
                json_object_set_new(uo, ax_event_latency_key((enum ax_event)e),
                                    json_real(core->event[e].latency_s));
            }
        }
        json_object_set_new(uo, "provenance", provenance_json(&ud->prov));
        json_object_set_new(units, ax_unit_str((enum ax_unit)u), uo);
    }
    json_t *dense = json_object();
    json_object_set_new(dense, "lanes", json_integer(core->dense.lanes));
    for (int op = 0; op < AX_DENSE_COUNT; op++)
        json_object_set_new(dense, ax_dense_op_str((enum ax_dense_op)op), cost_json(&core->dense_op[op]));
    json_object_set_new(dense, "provenance", provenance_json(&core->dense.prov));
    json_object_set_new(units, "dense", dense);
    json_object_set_new(o, "units", units);

    json_t *sources = json_array();
    for (uint32_t i = 0; i < d->n_sources; i++)
        json_array_append_new(sources, json_string(d->sources[i]));
    json_object_set_new(o, "sources", sources);
    return o;
}

/* Prints "label  value" with the value's provenance in brackets. */
static void line(FILE *out, const char *label, const char *value, const struct ax_provenance *p)
{
    fprintf(out, "  %-22s %s", label, value);
    if (p && p->source)
        fprintf(out, "   [%s%s]", p->is_estimate && !strstr(p->source, "estimate") ? "estimate; " : "",
                p->source);
    else if (p && p->is_estimate)
        fprintf(out, "   [estimate]");
    fputc('\n', out);
}

static void summary_text(const ax_arch_t *arch, FILE *out)
{
    const struct ax_system_desc *d = ax_arch_desc(arch);
    const struct ax_chip_desc *c = &d->chip;
    const struct ax_core_desc *core = &c->core;
    uint32_t n_chips = ax_arch_n_chips(arch);
    char b1[64], b2[64], b3[64], v[256];

    fprintf(out, "%s  (%s, %s format)\n", d->name ? d->name : "(unnamed)", d->path,
            ax_chip_format_str(d->format));
    if (d->description)
        fprintf(out, "  %s\n", d->description);
    if (d->is_chips_open)
        snprintf(v, sizeof v, "open: chosen by the compiler%s; totals below are for one chip",
                 d->max_chips ? "" : ", no maximum");
    else
        snprintf(v, sizeof v, "%u", d->n_chips);
    if (d->is_chips_open && d->max_chips)
        snprintf(v, sizeof v, "open: chosen by the compiler, at most %u; totals below are for one chip",
                 d->max_chips);
    line(out, "chips", v, NULL);
    snprintf(v, sizeof v, "%u (%u x %u mesh per chip)", n_chips * ax_arch_tiles_per_chip(arch),
             c->mesh_width, c->mesh_height);
    line(out, "tiles", v, NULL);
    snprintf(v, sizeof v, "%u (%u per tile)", n_chips * ax_arch_cores_per_chip(arch), c->cores_per_tile);
    line(out, "cores", v, NULL);
    snprintf(v, sizeof v, "%.0f (%u per core)",
             (double)n_chips * ax_arch_cores_per_chip(arch) * core->max_neurons, core->max_neurons);
    line(out, "neurons", v, NULL);
    if (core->sram.capacity_bytes > 0)
        snprintf(v, sizeof v, "%s (%s per core)",
                 ax_qty_format((double)n_chips * ax_arch_cores_per_chip(arch) * core->sram.capacity_bytes,
                               AX_QTY_BYTES, b1, sizeof b1),
                 ax_qty_format(core->sram.capacity_bytes, AX_QTY_BYTES, b2, sizeof b2));
    else
        snprintf(v, sizeof v, "not described");
    line(out, "SRAM", v, &core->sram.prov);
    if (c->dram.is_present)
        snprintf(v, sizeof v, "%s per chip, %s/s, %s per byte",
                 ax_qty_format(c->dram.capacity_bytes, AX_QTY_BYTES, b1, sizeof b1),
                 ax_qty_format(c->dram.bandwidth_bps, AX_QTY_BYTES, b2, sizeof b2),
                 ax_qty_format(c->dram.energy_per_byte_j, AX_QTY_ENERGY, b3, sizeof b3));
    else
        snprintf(v, sizeof v, "none");
    line(out, "DRAM", v, c->dram.is_present ? &c->dram.prov : NULL);
    if (c->clock_hz > 0)
        line(out, "clock", ax_qty_format(c->clock_hz, AX_QTY_FREQUENCY, b1, sizeof b1), NULL);
    else
        line(out, "clock", "not described (times are in seconds)", NULL);
    /* Synaptic ops per second share the prefixes of hertz. */
    ax_qty_format(n_chips * ax_arch_peak_sops(arch), AX_QTY_FREQUENCY, b1, sizeof b1);
    b1[strcspn(b1, "H")] = '\0';
    snprintf(v, sizeof v, "%sSOP/s (synapse: %s, %u lane%s, per core)", b1,
             ax_qty_format(core->event[AX_EVENT_SYNAPSE_PROCESS_SPIKE].latency_s, AX_QTY_TIME, b2,
                           sizeof b2),
             core->unit[AX_UNIT_SYNAPSE].lanes, core->unit[AX_UNIT_SYNAPSE].lanes == 1 ? "" : "s");
    line(out, "peak synaptic ops", v, &core->unit[AX_UNIT_SYNAPSE].prov);
    snprintf(v, sizeof v, "%s (chip %s + %u cores x %s)",
             ax_qty_format(n_chips * ax_arch_chip_static_power(arch), AX_QTY_POWER, b1, sizeof b1),
             ax_qty_format(c->static_power_w, AX_QTY_POWER, b2, sizeof b2),
             ax_arch_cores_per_chip(arch), ax_qty_format(c->core.static_power_w, AX_QTY_POWER, b3, sizeof b3));
    line(out, "static power", v, &c->static_prov);

    fprintf(out, "\n  per-event costs (energy, latency per lane):\n");
    for (int e = 0; e < AX_EVENT_COUNT; e++) {
        enum ax_unit u = ax_event_unit((enum ax_event)e);
        snprintf(v, sizeof v, "%10s %10s  x%u", ax_qty_format(core->event[e].energy_j, AX_QTY_ENERGY, b1, sizeof b1),
                 ax_qty_format(core->event[e].latency_s, AX_QTY_TIME, b2, sizeof b2), core->unit[u].lanes);
        char label[64];
        snprintf(label, sizeof label, "%s.%s", ax_unit_str(u), ax_event_energy_key((enum ax_event)e) + 7);
        line(out, label, v, &core->unit[u].prov);
    }
    for (int dir = 0; dir < AX_DIR_COUNT; dir++) {
        char label[64];
        snprintf(label, sizeof label, "router.%s_hop", ax_dir_str((enum ax_dir)dir));
        snprintf(v, sizeof v, "%10s %10s", ax_qty_format(c->router.hop[dir].energy_j, AX_QTY_ENERGY, b1, sizeof b1),
                 ax_qty_format(c->router.hop[dir].latency_s, AX_QTY_TIME, b2, sizeof b2));
        line(out, label, v, &c->router.prov);
    }
    if (c->router.is_multicast)
        snprintf(v, sizeof v, "%10s %10s  per copy", ax_qty_format(c->router.copy.energy_j, AX_QTY_ENERGY, b1, sizeof b1),
                 ax_qty_format(c->router.copy.latency_s, AX_QTY_TIME, b2, sizeof b2));
    else
        snprintf(v, sizeof v, "no: a source core sends a copy to each destination");
    line(out, "router.multicast", v, &c->router.prov);
    if (c->sync.model == AX_SYNC_FIXED)
        snprintf(v, sizeof v, "%s per barrier", ax_qty_format(c->sync.latency_s, AX_QTY_TIME, b1, sizeof b1));
    else
        snprintf(v, sizeof v, "%s (1 tile) to %s (%u tiles)",
                 ax_qty_format(c->sync.table[0].latency_s, AX_QTY_TIME, b1, sizeof b1),
                 ax_qty_format(c->sync.table[c->sync.n_table - 1].latency_s, AX_QTY_TIME, b2, sizeof b2),
                 c->sync.table[c->sync.n_table - 1].n_tiles);
    line(out, "barrier sync", v, &c->sync.prov);
    if (c->sync.is_handshake_known)
        snprintf(v, sizeof v, "%10s %10s  per handshake",
                 ax_qty_format(c->sync.handshake_energy_j, AX_QTY_ENERGY, b1, sizeof b1),
                 ax_qty_format(c->sync.handshake_latency_s, AX_QTY_TIME, b2, sizeof b2));
    else
        snprintf(v, sizeof v, "not given: 0 J, 0 s per handshake (--sync dataflow)");
    line(out, "dataflow handshake", v, &c->sync.prov);
    snprintf(v, sizeof v, "%u lane%s; add %s, exp %s per element", core->dense.lanes,
             core->dense.lanes == 1 ? "" : "s",
             ax_qty_format(core->dense_op[AX_DENSE_ADD].energy_j, AX_QTY_ENERGY, b1, sizeof b1),
             ax_qty_format(core->dense_op[AX_DENSE_EXP].energy_j, AX_QTY_ENERGY, b2, sizeof b2));
    line(out, "dense unit", v, &core->dense.prov);
    if (d->n_sources) {
        fprintf(out, "\n  sources:\n");
        for (uint32_t i = 0; i < d->n_sources; i++)
            fprintf(out, "    - %s\n", d->sources[i]);
    }
}

ax_status ax_arch_print_summary(const ax_arch_t *arch, FILE *out, int is_json)
{
    if (!is_json) {
        summary_text(arch, out);
        return AX_OK;
    }
    json_t *o = summary_json(arch);
    if (!o)
        return AX_ERR_NOMEM;
    int rc = json_dumpf(o, out, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
    fputc('\n', out);
    json_decref(o);
    return rc == 0 ? AX_OK : AX_ERR_IO;
}
