/* The parts of a result both ways of simulating fill the same way: the
 * ledger from the run's counts, the idealized arithmetic from the layers,
 * the per-core and per-link tables from the engine's arrays. */
#ifndef AX_SIM_RESULT_H
#define AX_SIM_RESULT_H

#include "engine.h"

/* The ledger from `count` (per item, over the run; the static item is set
 * here from chips used x seconds), energy per token, the estimated share
 * and seconds per token. */
void sim_finish_ledger(struct ax_sim_result *r, const ax_arch_t *arch,
                       double count[AX_LEDGER_COUNT]);

/* Synaptic ops and dense MACs per token from the layers, and the
 * idealized energies of the same work. */
void sim_finish_ideal(struct ax_sim_result *r);

/* The cores table (n_cores rows: row i is core core_of[i], `core_cnt`
 * [row][item], `busy` [row][ENG_SERVER_COUNT]) and the table of the links
 * of `net` that carried packets. sram_bytes and is_used are left to the
 * caller. AX_ERR_NOMEM. */
ax_status sim_finish_tables(struct ax_sim_result *r, const ax_arch_t *arch, uint32_t n_cores,
                            const uint32_t *core_of, const double *core_cnt, const double *busy,
                            const struct eng_net *net);

#endif
