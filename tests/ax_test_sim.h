/* What the tests of the timed run share beyond ax_test.h: two results held
 * equal in every figure the reports print (the engine's name aside), for
 * the SystemC engine against the native one and a session against one run.
 * Include ax_test.h first. */
#ifndef AX_TEST_SIM_H
#define AX_TEST_SIM_H

#include "ax_sim.h"

#include <stdio.h>
#include <string.h>

static inline void ax_test_check_same_result(const char *name, const struct ax_sim_result *a,
                                             const struct ax_sim_result *b)
{
    int same = a->cycles == b->cycles && a->seconds == b->seconds &&
               a->ledger.total_j == b->ledger.total_j && a->n_steps == b->n_steps &&
               a->n_cores == b->n_cores && a->n_links == b->n_links && a->tokens == b->tokens;
    for (int i = 0; same && i < AX_LEDGER_COUNT; i++)
        same = a->ledger.line[i].count == b->ledger.line[i].count;
    for (uint32_t i = 0; same && i < a->n_steps; i++)
        same = a->steps[i].cycles == b->steps[i].cycles &&
               a->steps[i].seconds == b->steps[i].seconds &&
               a->steps[i].energy_j == b->steps[i].energy_j;
    for (uint32_t i = 0; same && i < a->n_cores; i++)
        same = memcmp(a->cores[i].busy_s, b->cores[i].busy_s, sizeof a->cores[i].busy_s) == 0;
    for (uint32_t i = 0; same && i < a->n_links; i++)
        same = a->links[i].busy_s == b->links[i].busy_s &&
               a->links[i].packets == b->links[i].packets;
    CHECK(same);
    if (!same)
        fprintf(stderr, "  %s: cycles %llu and %llu, seconds %.17g and %.17g\n", name,
                (unsigned long long)a->cycles, (unsigned long long)b->cycles, a->seconds,
                b->seconds);
}

#endif
