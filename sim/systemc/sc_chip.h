/* The C half of axon::Chip (axon_systemc.h): a compiled program opened with
 * its model on a chip, simulated one token at a time. axon_systemc.cpp wraps
 * it in a SystemC module with a TLM-2.0 target socket; this half only uses
 * axon's C libraries, so C++ never sees their headers.
 *
 * The simulation of a token runs on the native engine (the SystemC kernel is
 * the platform's, busy running the platform when a transaction comes in, so
 * the chip cannot start it again); its figures are the ones `axon sim`
 * reports for that token. */
#ifndef AX_SC_CHIP_H
#define AX_SC_CHIP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "ax_diag.h"
#include "ax_status.h"

typedef struct ax_sc_chip ax_sc_chip_t;

/* One token's figures. */
struct ax_sc_token {
    uint32_t index;   /* 0-based position in the sequence */
    uint64_t cycles;  /* its latency in chip cycles */
    double seconds;   /* the same in seconds */
    double dynamic_j; /* the energy of its events (every category but static) */
    double static_j;  /* static power over its latency */
    int is_validated; /* functional mode: bit-exact against the reference */
};

/* Opens `prog_path` (written by `axon compile -o`) on the chip described by
 * `chip_path`: rebuilds the graph and placement from the model and spiking
 * options the program embeds (ax_rebuild.h) and checks that the placement
 * is the program's (a chip of another geometry is refused).
 * Functional mode when the model has weights, counting mode otherwise. On
 * failure *out is NULL and `diags` says why. */
ax_status ax_sc_chip_open(const char *chip_path, const char *prog_path, ax_sc_chip_t **out,
                          struct ax_diag_list *diags);
void ax_sc_chip_close(ax_sc_chip_t *c);

/* Simulates token `token` after the ones given before (functional mode
 * simulates the sequence so far again and reports its last token; counting
 * mode runs the one token with the ones before as context). */
ax_status ax_sc_chip_token(ax_sc_chip_t *c, int32_t token, struct ax_sc_token *out,
                           struct ax_diag_list *diags);

/* Token ids of `text` under the model's tokenizer, in a fresh array *ids
 * (ax_mem_free) of *n_ids; AX_ERR_UNSUPPORTED when the model has none. */
ax_status ax_sc_chip_tokenize(const ax_sc_chip_t *c, const char *text, int32_t **ids,
                              uint64_t *n_ids, struct ax_diag_list *diags);

const char *ax_sc_chip_name(const ax_sc_chip_t *c);  /* the chip description's name */
const char *ax_sc_chip_model(const ax_sc_chip_t *c); /* the model's name */
uint32_t ax_sc_chip_cores_used(const ax_sc_chip_t *c);
double ax_sc_chip_clock_hz(const ax_sc_chip_t *c);
int ax_sc_chip_is_functional(const ax_sc_chip_t *c);

#ifdef __cplusplus
}
#endif

#endif
