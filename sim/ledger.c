/* The energy ledger's items, their categories and their unit costs on a
 * chip (ax_ledger.def). The engine counts units; this file alone says what
 * a unit of each item costs and where the chip file says that comes from. */
#include "ax_sim.h"

#include "ax_text.h"

#include <string.h>

static const struct {
    enum ax_energy_cat cat;
    const char *name, *unit, *meaning;
} items[AX_LEDGER_COUNT] = {
#define X(item, cat, name, unit, meaning) {AX_ENERGY_##cat, name, unit, meaning},
#include "ax_ledger.def"
#undef X
};

static const char *const cat_names[AX_ENERGY_CAT_COUNT] = {
    "synapse", "dendrite", "soma", "dense", "sram", "dram", "noc", "interchip", "static", "sync",
};

const char *ax_energy_cat_str(enum ax_energy_cat c)
{
    return c < AX_ENERGY_CAT_COUNT ? cat_names[c] : "?";
}

enum ax_energy_cat ax_ledger_item_cat(enum ax_ledger_item i) { return items[i].cat; }
const char *ax_ledger_item_name(enum ax_ledger_item i) { return items[i].name; }
const char *ax_ledger_item_unit(enum ax_ledger_item i) { return items[i].unit; }
const char *ax_ledger_item_meaning(enum ax_ledger_item i) { return items[i].meaning; }

/* The pipeline event an item is charged as, or AX_EVENT_COUNT. */
static enum ax_event item_event(enum ax_ledger_item i)
{
    switch (i) {
    case AX_LEDGER_PROCESS_SPIKE: return AX_EVENT_SYNAPSE_PROCESS_SPIKE;
    case AX_LEDGER_DENDRITE:      return AX_EVENT_DENDRITE_UPDATE;
    case AX_LEDGER_ACCESS_NEURON: return AX_EVENT_SOMA_ACCESS_NEURON;
    case AX_LEDGER_UPDATE_NEURON: return AX_EVENT_SOMA_UPDATE_NEURON;
    case AX_LEDGER_SPIKE_OUT:     return AX_EVENT_SOMA_SPIKE_OUT;
    case AX_LEDGER_MESSAGE_IN:    return AX_EVENT_AXON_IN_MESSAGE_IN;
    case AX_LEDGER_MESSAGE_OUT:   return AX_EVENT_AXON_OUT_MESSAGE_OUT;
    default:                      return AX_EVENT_COUNT;
    }
}

double ax_ledger_unit_cost(const ax_arch_t *arch, enum ax_ledger_item i)
{
    const struct ax_system_desc *s = ax_arch_desc(arch);
    const struct ax_chip_desc *chip = &s->chip;
    enum ax_event ev = item_event(i);
    if (ev != AX_EVENT_COUNT)
        return chip->core.event[ev].energy_j;
    if (i >= AX_LEDGER_DENSE_ADD && i <= AX_LEDGER_DENSE_QUANT)
        return chip->core.dense_op[i - AX_LEDGER_DENSE_ADD].energy_j;
    if (i >= AX_LEDGER_HOP_NORTH && i <= AX_LEDGER_HOP_WEST)
        return chip->router.hop[i - AX_LEDGER_HOP_NORTH].energy_j;
    switch (i) {
    case AX_LEDGER_SRAM_READ:   return chip->core.sram.energy_read_j;
    case AX_LEDGER_SRAM_WRITE:  return chip->core.sram.energy_write_j;
    case AX_LEDGER_DRAM_BYTE:   return chip->dram.is_present ? chip->dram.energy_per_byte_j : 0;
    case AX_LEDGER_HOP_LOCAL:   return chip->router.local.energy_j;
    case AX_LEDGER_COPY:        return chip->router.copy.energy_j;
    case AX_LEDGER_CHIP_LINK:   return s->interchip.energy_per_byte_j;
    case AX_LEDGER_STATIC_CHIP: return ax_arch_chip_static_power(arch);
    case AX_LEDGER_BARRIER:     return chip->sync.energy_j;
    case AX_LEDGER_HANDSHAKE:   return chip->sync.handshake_energy_j;
    default:                    return 0;
    }
}

double ax_ledger_service_s(const ax_arch_t *arch, enum ax_ledger_item i)
{
    const struct ax_system_desc *sys = ax_arch_desc(arch);
    const struct ax_core_desc *core = &sys->chip.core;
    static const struct { enum ax_ledger_item item; enum ax_event ev; } events[] = {
        {AX_LEDGER_PROCESS_SPIKE, AX_EVENT_SYNAPSE_PROCESS_SPIKE},
        {AX_LEDGER_DENDRITE, AX_EVENT_DENDRITE_UPDATE},
        {AX_LEDGER_ACCESS_NEURON, AX_EVENT_SOMA_ACCESS_NEURON},
        {AX_LEDGER_UPDATE_NEURON, AX_EVENT_SOMA_UPDATE_NEURON},
        {AX_LEDGER_SPIKE_OUT, AX_EVENT_SOMA_SPIKE_OUT},
    };
    for (size_t k = 0; k < sizeof events / sizeof events[0]; k++) {
        if (events[k].item != i)
            continue;
        uint32_t lanes = core->unit[ax_event_unit(events[k].ev)].lanes;
        return core->event[events[k].ev].latency_s / (lanes ? lanes : 1);
    }
    if (i >= AX_LEDGER_DENSE_ADD && i < AX_LEDGER_DENSE_ADD + AX_DENSE_COUNT)
        return core->dense_op[i - AX_LEDGER_DENSE_ADD].latency_s / (core->dense.lanes ? core->dense.lanes : 1);
    if (i == AX_LEDGER_SRAM_READ || i == AX_LEDGER_SRAM_WRITE)
        return core->sram.latency_s;
    if (i == AX_LEDGER_DRAM_BYTE)
        return sys->chip.dram.is_present && sys->chip.dram.bandwidth_bps > 0
                   ? 1.0 / sys->chip.dram.bandwidth_bps
                   : 0;
    return 0; /* the network's items: timed by the routes, not by a unit */
}

const struct ax_provenance *ax_ledger_item_source(const ax_arch_t *arch, enum ax_ledger_item i)
{
    const struct ax_system_desc *s = ax_arch_desc(arch);
    const struct ax_chip_desc *chip = &s->chip;
    enum ax_event ev = item_event(i);
    if (ev != AX_EVENT_COUNT)
        return &chip->core.unit[ax_event_unit(ev)].prov;
    if (i >= AX_LEDGER_DENSE_ADD && i <= AX_LEDGER_DENSE_QUANT)
        return &chip->core.dense.prov;
    if (i >= AX_LEDGER_HOP_NORTH && i <= AX_LEDGER_COPY)
        return &chip->router.prov;
    switch (i) {
    case AX_LEDGER_SRAM_READ:
    case AX_LEDGER_SRAM_WRITE: return &chip->core.sram.prov;
    case AX_LEDGER_DRAM_BYTE:  return &chip->dram.prov;
    case AX_LEDGER_CHIP_LINK:  return &s->interchip.prov;
    case AX_LEDGER_BARRIER:
    case AX_LEDGER_HANDSHAKE:
        return &chip->sync.prov;
    default:                   return &chip->static_prov;
    }
}

double ax_ledger_estimated_fraction(const struct ax_ledger *lg, const ax_arch_t *arch)
{
    if (!(lg->total_j > 0))
        return 0;
    double estimated = 0;
    for (int i = 0; i < AX_LEDGER_COUNT; i++)
        if (ax_ledger_item_source(arch, (enum ax_ledger_item)i)->is_estimate)
            estimated += lg->line[i].energy_j;
    double f = estimated / lg->total_j;
    return f < 0 ? 0 : f > 1 ? 1 : f; /* rounding of the sums may step just past 1 */
}

/* ---- options ------------------------------------------------------------------ */

static const char *const mode_names[AX_SIM_MODE_COUNT] = {"functional", "counting"};
static const char *const timing_names[AX_SIM_TIMING_COUNT] = {"approx", "analytic"};
static const char *const engine_names[AX_SIM_ENGINE_COUNT] = {"native", "systemc"};
static const char *const sync_names[AX_SIM_SYNC_COUNT] = {"barrier", "dataflow"};

void ax_sim_options_default(struct ax_sim_options *o)
{
    memset(o, 0, sizeof *o);
    o->mode = AX_SIM_FUNCTIONAL;
    o->timing = AX_SIM_TIMING_APPROX;
    o->sync = AX_SIM_SYNC_BARRIER;
    o->threads = 1;
    o->seed = 1;
    o->trace_limit = AX_SIM_TRACE_LIMIT;
}

const char *ax_sim_mode_str(enum ax_sim_mode m) { return m < AX_SIM_MODE_COUNT ? mode_names[m] : "?"; }
const char *ax_sim_timing_str(enum ax_sim_timing t)
{
    return t < AX_SIM_TIMING_COUNT ? timing_names[t] : "?";
}
const char *ax_sim_engine_str(enum ax_sim_engine e)
{
    return e < AX_SIM_ENGINE_COUNT ? engine_names[e] : "?";
}
const char *ax_sim_sync_str(enum ax_sim_sync s)
{
    return s < AX_SIM_SYNC_COUNT ? sync_names[s] : "?";
}

int ax_sim_mode_parse(const char *s, enum ax_sim_mode *out)
{
    int i = ax_text_name_index(mode_names, AX_SIM_MODE_COUNT, s);
    if (i >= 0)
        *out = (enum ax_sim_mode)i;
    return i < 0 ? -1 : 0;
}

int ax_sim_engine_parse(const char *s, enum ax_sim_engine *out)
{
    int i = ax_text_name_index(engine_names, AX_SIM_ENGINE_COUNT, s);
    if (i >= 0)
        *out = (enum ax_sim_engine)i;
    return i < 0 ? -1 : 0;
}

int ax_sim_timing_parse(const char *s, enum ax_sim_timing *out)
{
    int i = ax_text_name_index(timing_names, AX_SIM_TIMING_COUNT, s);
    if (i >= 0)
        *out = (enum ax_sim_timing)i;
    return i < 0 ? -1 : 0;
}

int ax_sim_sync_parse(const char *s, enum ax_sim_sync *out)
{
    int i = ax_text_name_index(sync_names, AX_SIM_SYNC_COUNT, s);
    if (i >= 0)
        *out = (enum ax_sim_sync)i;
    return i < 0 ? -1 : 0;
}
