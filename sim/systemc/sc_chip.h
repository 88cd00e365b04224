/* The C half of axon::Chip (axon_systemc.h): a compiled program on its chip,
 * simulated one token at a time through a timed-run session (ax_sim.h,
 * ax_sim_session_*): what the program keeps between tokens stays in the
 * session, so each token is simulated once. axon_systemc.cpp wraps it in a
 * SystemC module with a TLM-2.0 target socket; this half only uses axon's C
 * libraries of sim/, isa/, arch/ and common/, so C++ never sees their
 * headers. No model, no graph: the program is all it needs.
 *
 * A token runs on the native engine: the SystemC kernel is the platform's,
 * busy running the platform when a transaction comes in, so the chip cannot
 * start it again; its figures are the ones `axon sim` reports for that
 * token, and the SystemC engine gives the same. */
#ifndef AX_SC_CHIP_H
#define AX_SC_CHIP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "ax_diag.h"
#include "ax_status.h"

struct ax_exec_weights;

typedef struct ax_sc_chip ax_sc_chip_t;

/* One token's figures (ax_sim_token). */
struct ax_sc_token {
    uint32_t index;   /* 0-based position in the sequence */
    uint64_t cycles;  /* its latency in chip cycles */
    double seconds;   /* the same in seconds */
    double dynamic_j; /* the energy of its events (every category but static) */
    double static_j;  /* static power over its latency */
};

/* Opens `prog_path` (written by `axon compile -o`; loaded and verified) on
 * the chip described by `chip_path`, or on the chip the program embeds when
 * `chip_path` is NULL. A chip given must have the geometry the program was
 * compiled for (cores per chip as mesh and tiles, SRAM per core, DRAM per
 * chip, enough chips): its costs may differ. `weights` is where functional
 * mode takes the weight records from (it must outlive the chip); NULL takes
 * them from the data the program carries (`axon compile` writes it when it
 * embeds the checkpoint), or, when it carries none, runs counting mode
 * (spikes drawn from the published statistics, seed 1; the token ids are
 * not read). On failure *out is NULL and `diags` says why. */
ax_status ax_sc_chip_open(const char *prog_path, const char *chip_path,
                          const struct ax_exec_weights *weights, ax_sc_chip_t **out,
                          struct ax_diag_list *diags);
void ax_sc_chip_close(ax_sc_chip_t *c);

/* Simulates token `token` after the ones given before, once. A token that
 * fails (an id the program cannot look up) leaves the chip failing every
 * later token with the same status. */
ax_status ax_sc_chip_token(ax_sc_chip_t *c, int32_t token, struct ax_sc_token *out,
                           struct ax_diag_list *diags);

const char *ax_sc_chip_name(const ax_sc_chip_t *c);  /* the chip description's name */
const char *ax_sc_chip_model(const ax_sc_chip_t *c); /* the model's name the program records */
uint32_t ax_sc_chip_cores_used(const ax_sc_chip_t *c);
double ax_sc_chip_clock_hz(const ax_sc_chip_t *c);
int ax_sc_chip_is_functional(const ax_sc_chip_t *c);

#ifdef __cplusplus
}
#endif

#endif
