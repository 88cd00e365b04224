/* Between the timed run of a program (timed.c) and an engine that decides
 * the order its cores issue their instructions in: the SystemC engine
 * (sim/systemc/timed_systemc.cpp; engine_nosystemc.c in a build without
 * SystemC). timed.c keeps the costs and the rules: an engine only says
 * which core issues next, always the core of the earliest clock, ties to the
 * lower code record, the order of timed.c's own heap, so that both engines
 * give the same run. Internal to sim/. */
#ifndef AX_SIM_TIMED_H
#define AX_SIM_TIMED_H

#include "ax_diag.h"
#include "ax_status.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct timed;

/* What a core does after the instruction it issued. */
enum timed_next {
    TIMED_READY,  /* issues its next one at timed_clock */
    TIMED_PARKED, /* waits at a psumrecv or a barrier: timed.c wakes it (timed_sc_wake) */
    TIMED_HALTED  /* done for this token */
};

/* Issues the next instruction of code record k at its clock: the executor
 * runs it, timed.c times it and charges it. *next says what k does next.
 * A status other than AX_OK ends the token. */
ax_status timed_issue(struct timed *s, uint32_t k, enum timed_next *next);

/* When code record k may issue its next instruction, in seconds. */
double timed_clock(const struct timed *s, uint32_t k);

/* ---- the SystemC engine ------------------------------------------------------------- */

typedef struct timed_sc timed_sc_t;

/* Prepares the SystemC kernel for `n_code` code records of `s`.
 * AX_ERR_UNSUPPORTED (with a diagnostic) in a build without SystemC or
 * when a SystemC kernel is running already (inside a platform). */
ax_status timed_sc_open(struct timed *s, uint32_t n_code, timed_sc_t **out,
                        struct ax_diag_list *diags);

/* Runs one token on the kernel: every code record, ready at time t0,
 * issues its instructions (timed_issue) until none can. Returns the first
 * failing status. */
ax_status timed_sc_token(timed_sc_t *e, double t0, struct ax_diag_list *diags);

/* Parked code record k can go on from timed_clock (called by timed.c while
 * another core's instruction is issued). */
void timed_sc_wake(timed_sc_t *e, uint32_t k);

/* NULL: nothing. */
void timed_sc_close(timed_sc_t *e);

#ifdef __cplusplus
}
#endif

#endif
