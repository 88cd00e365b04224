/* The SystemC engine's entry points in a build without SystemC: the native
 * engine works, the SystemC one says how to get it. */
#include "engine.h"

int ax_sim_has_systemc(void) { return 0; }

ax_status eng_systemc_round_run(struct eng_state *st, struct eng_net *net, struct eng_round *r,
                                struct eng_counts *c)
{
    (void)st;
    (void)net;
    (void)r;
    (void)c;
    return AX_ERR_UNSUPPORTED;
}
