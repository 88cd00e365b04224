/* The shared parts of a result (result.h). */
#include "result.h"

#include "ax_mem.h"

#include <string.h>

void sim_finish_ledger(struct ax_sim_result *r, const ax_arch_t *arch,
                       double count[AX_LEDGER_COUNT])
{
    count[AX_LEDGER_STATIC_CHIP] = r->chips_used * r->seconds;
    struct ax_ledger *lg = &r->ledger;
    memset(lg, 0, sizeof *lg);
    for (int i = 0; i < AX_LEDGER_COUNT; i++) {
        struct ax_ledger_line *ln = &lg->line[i];
        ln->count = count[i];
        ln->unit_j = ax_ledger_unit_cost(arch, (enum ax_ledger_item)i);
        ln->energy_j = ln->count * ln->unit_j;
        lg->cat_j[ax_ledger_item_cat((enum ax_ledger_item)i)] += ln->energy_j;
    }
    for (int c = 0; c < AX_ENERGY_CAT_COUNT; c++)
        lg->total_j += lg->cat_j[c];
    r->per_token_j = r->tokens ? lg->total_j / r->tokens : 0;
    r->estimated_fraction = ax_ledger_estimated_fraction(lg, arch);
    r->seconds_per_token = r->tokens ? r->seconds / r->tokens : 0;
    double static_j = lg->line[AX_LEDGER_STATIC_CHIP].energy_j;
    r->prefill_j = r->prefill_dynamic_j +
                   r->chips_used * r->prefill_s * lg->line[AX_LEDGER_STATIC_CHIP].unit_j;
    r->batch_j =
        r->batch_dynamic_j + r->chips_used * r->batch_s * lg->line[AX_LEDGER_STATIC_CHIP].unit_j;
    r->floor_j = lg->total_j - static_j;
    if (r->seconds > 0)
        r->floor_j += static_j * (r->bound_s / r->seconds);
}

const char *ax_sim_bound_by_str(enum ax_sim_bound_by b)
{
    static const char *const names[AX_SIM_BOUND_BY_COUNT] = {"compute", "link", "input", "chain"};
    return (unsigned)b < AX_SIM_BOUND_BY_COUNT ? names[b] : "?";
}

void sim_finish_ideal(struct ax_sim_result *r)
{
    double nz = 1.0 - r->sparsity.zero_fraction;
    r->spikes_per_nonzero = nz > 0 ? r->sparsity.spikes_per_element / nz : 0;
    double sops = 0, macs = 0;
    for (uint32_t l = 0; l < r->n_layers; l++) {
        sops += r->layers[l].sops;
        macs += r->layers[l].dense_macs;
    }
    double tokens = r->tokens ? r->tokens : 1;
    r->sop_per_token = sops / tokens;
    r->dense_mac_per_token = macs / tokens;
    r->ideal_spiking_j = sops * AX_IDEAL_INT8_ADD_J;
    r->ideal_fp16_mac_j = macs * AX_IDEAL_FP16_MAC_J;
    r->ideal_int8_mac_j = macs * AX_IDEAL_INT8_MAC_J;
}

ax_status sim_finish_tables(struct ax_sim_result *r, const ax_arch_t *arch, uint32_t n_cores,
                            const uint32_t *core_of, const double *core_cnt, const double *busy,
                            const struct eng_net *net)
{
    uint32_t n_links = 0;
    for (uint32_t li = 0; li < net->n_links; li++)
        n_links += net->links[li].packets > 0;
    r->n_cores = n_cores;
    r->cores = ax_mem_calloc(n_cores ? n_cores : 1, sizeof *r->cores);
    r->n_links = n_links;
    r->links = ax_mem_calloc(n_links ? n_links : 1, sizeof *r->links);
    if (!r->cores || !r->links)
        return AX_ERR_NOMEM;
    static const enum eng_server unit_server[AX_UNIT_COUNT + 1] = {
        ENG_AXON_IN, ENG_SYNAPSE, ENG_DENDRITE, ENG_SOMA, ENG_AXON_OUT, ENG_DENSE};
    double unit_j[AX_LEDGER_COUNT];
    for (int i = 0; i < AX_LEDGER_COUNT; i++)
        unit_j[i] = ax_ledger_unit_cost(arch, (enum ax_ledger_item)i);
    for (uint32_t c = 0; c < n_cores; c++) {
        struct ax_sim_core *k = &r->cores[c];
        const double *cnt = &core_cnt[(size_t)c * AX_LEDGER_COUNT];
        k->core = core_of[c];
        for (int u = 0; u <= AX_UNIT_COUNT; u++)
            k->busy_s[u] = busy[(size_t)c * ENG_SERVER_COUNT + unit_server[u]];
        for (int i = 0; i < AX_LEDGER_COUNT; i++)
            k->energy_j += cnt[i] * unit_j[i];
        k->synaptic_ops = cnt[AX_LEDGER_PROCESS_SPIKE];
        k->packets_in = cnt[AX_LEDGER_MESSAGE_IN];
        k->packets_out = cnt[AX_LEDGER_MESSAGE_OUT];
    }
    uint32_t at = 0;
    for (uint32_t gy = 0; gy < net->gh; gy++)
        for (uint32_t gx = 0; gx < net->gw; gx++)
            for (int d = 0; d < AX_DIR_COUNT; d++) {
                uint32_t li = (gy * net->gw + gx) * AX_DIR_COUNT + (uint32_t)d;
                if (!(net->links[li].packets > 0))
                    continue;
                uint32_t chip = gy / net->mesh_h * net->grid_w + gx / net->mesh_w;
                r->links[at++] = (struct ax_sim_link){chip, gx % net->mesh_w, gy % net->mesh_h,
                                                      (enum ax_dir)d, net->links[li].packets,
                                                      net->links[li].busy};
            }
    return AX_OK;
}

void ax_sim_result_free(struct ax_sim_result *r)
{
    ax_mem_free(r->layers);
    ax_mem_free(r->cores);
    ax_mem_free(r->links);
    ax_mem_free(r->steps);
    memset(r, 0, sizeof *r);
}
