/* The SystemC engine's entry points in a build without SystemC: the native
 * engine works, the SystemC one says how to get it. */
#include "engine.h"
#include "timed.h"

int ax_sim_has_systemc(void) { return 0; }

ax_status timed_sc_open(struct timed *s, uint32_t n_code, timed_sc_t **out,
                        struct ax_diag_list *diags)
{
    (void)s;
    (void)n_code;
    *out = NULL;
    ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                "this build has no SystemC: the SystemC engine is not in it");
    return AX_ERR_UNSUPPORTED;
}

ax_status timed_sc_token(timed_sc_t *e, double t0, struct ax_diag_list *diags)
{
    (void)e;
    (void)t0;
    (void)diags;
    return AX_ERR_UNSUPPORTED;
}

void timed_sc_wake(timed_sc_t *e, uint32_t k)
{
    (void)e;
    (void)k;
}

void timed_sc_close(timed_sc_t *e)
{
    (void)e;
}
