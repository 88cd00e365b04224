/* The waits of a program in their order: each core's code run as control
 * flow only, to find cores that can never reach their end (prog_lines.h).
 *
 * A core steps through its instructions; `psumrecv dst, n` goes on once n
 * messages have arrived at (core, dst) since the last receive took its
 * share; `barrier id` once every core the barrier lists has reached it;
 * `psumsend` and `lookup` deliver to every destination of their route at
 * once (a lookup is taken to send: whether its row holds the token is not
 * known before the run, and a receive that counts on one of several
 * lookups waits for no more than the column ranges). Everything else goes
 * on at once. A worklist wakes a core only when a message or a barrier it
 * waits for arrives, so the run is linear in the program's size. */
#include "prog_lines.h"

#include "ax_isa.h"
#include "ax_mem.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

/* A destination address of some values route, with its mailbox. */
struct slot {
    uint32_t core, addr;
    uint64_t count;   /* messages arrived and not yet taken */
    uint32_t waiter;  /* the code record blocked on it, or NONE */
};

struct run {
    const struct ax_prog *p;
    struct slot *slots;
    uint32_t n_slots;
    uint32_t *route_slot;  /* per route destination (routes in order): its slot */
    uint32_t *route_first; /* per route: its first entry in route_slot */
    uint32_t *pc;          /* per code record */
    uint8_t *is_done, *is_at_barrier;
    uint32_t *arrived;     /* per barrier: cores that reached it */
    uint32_t *ready;       /* a stack of code records to step */
    uint32_t n_ready;
    uint8_t *is_queued;
};

static int cmp_slot(const void *a, const void *b)
{
    const struct slot *x = a, *y = b;
    if (x->core != y->core)
        return x->core < y->core ? -1 : 1;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static uint32_t find_slot(const struct run *r, uint32_t core, uint32_t addr)
{
    struct slot key = {core, addr, 0, NONE};
    const struct slot *s = bsearch(&key, r->slots, r->n_slots, sizeof key, cmp_slot);
    return s ? (uint32_t)(s - r->slots) : NONE;
}

static uint32_t code_index(const struct ax_prog *p, uint32_t core)
{
    const struct ax_prog_code *c = ax_prog_code_of(p, core);
    return c ? (uint32_t)(c - p->code) : NONE;
}

static void wake(struct run *r, uint32_t k)
{
    if (k == NONE || r->is_queued[k] || r->is_done[k])
        return;
    r->is_queued[k] = 1;
    r->ready[r->n_ready++] = k;
}

/* The mailboxes: every destination of a values route, once; and each
 * route destination's mailbox. */
static int build_slots(struct run *r)
{
    const struct ax_prog *p = r->p;
    uint64_t n = 0;
    for (uint32_t i = 0; i < p->n_routes; i++)
        n += p->routes[i].n_dst;
    r->slots = ax_mem_calloc(n + 1, sizeof *r->slots);
    r->route_slot = ax_mem_calloc(n + 1, sizeof *r->route_slot);
    r->route_first = ax_mem_calloc((size_t)p->n_routes + 1, sizeof *r->route_first);
    if (!r->slots || !r->route_slot || !r->route_first)
        return -1;
    uint32_t at = 0;
    for (uint32_t i = 0; i < p->n_routes; i++)
        for (uint32_t d = 0; d < p->routes[i].n_dst; d++)
            r->slots[at++] = (struct slot){p->routes[i].dst[d].core, p->routes[i].dst[d].addr, 0,
                                           NONE};
    qsort(r->slots, at, sizeof *r->slots, cmp_slot);
    for (uint32_t i = 0; i < at; i++)
        if (r->n_slots == 0 || cmp_slot(&r->slots[r->n_slots - 1], &r->slots[i]) != 0)
            r->slots[r->n_slots++] = r->slots[i];
    at = 0;
    for (uint32_t i = 0; i < p->n_routes; i++) {
        r->route_first[i] = at;
        for (uint32_t d = 0; d < p->routes[i].n_dst; d++)
            r->route_slot[at++] = find_slot(r, p->routes[i].dst[d].core, p->routes[i].dst[d].addr);
    }
    return 0;
}

static void deliver(struct run *r, uint64_t route)
{
    const struct ax_prog *p = r->p;
    if (route >= p->n_routes || p->routes[route].kind != AX_PROG_ROUTE_VALUES)
        return;
    for (uint32_t d = 0; d < p->routes[route].n_dst; d++) {
        struct slot *s = &r->slots[r->route_slot[r->route_first[route] + d]];
        s->count++;
        wake(r, s->waiter);
        s->waiter = NONE;
    }
}

/* Reaches barrier `id` from code record k; 1 when the barrier is complete. */
static int arrive(struct run *r, uint32_t k, uint64_t id)
{
    const struct ax_prog *p = r->p;
    if (id >= p->n_barriers)
        return 0;
    const struct ax_prog_barrier *b = &p->barriers[id];
    if (!r->is_at_barrier[k]) {
        r->is_at_barrier[k] = 1;
        if (++r->arrived[id] == b->n_cores)
            for (uint32_t i = 0; i < b->n_cores; i++)
                wake(r, code_index(p, b->cores[i]));
    }
    return r->arrived[id] >= b->n_cores;
}

/* Steps code record k until it waits or ends. */
static void step(struct run *r, uint32_t k)
{
    const struct ax_prog_code *c = &r->p->code[k];
    while (r->pc[k] < c->n_instr) {
        struct ax_isa_instr in;
        if (ax_isa_decode(c->words[r->pc[k]], &in) != 0 || in.op == AX_ISA_HALT)
            break;
        if (in.op == AX_ISA_PSUMRECV) {
            uint32_t s = find_slot(r, c->core, (uint32_t)in.a);
            if (s == NONE)
                return;
            if (r->slots[s].count < in.b) {
                r->slots[s].waiter = k;
                return;
            }
            r->slots[s].count -= in.b;
        } else if (in.op == AX_ISA_BARRIER) {
            if (!arrive(r, k, in.a))
                return;
            r->is_at_barrier[k] = 0;
        } else if (in.op == AX_ISA_PSUMSEND || in.op == AX_ISA_LOOKUP) {
            deliver(r, in.b);
        }
        r->pc[k]++;
    }
    r->is_done[k] = 1;
}

static void free_run(struct run *r)
{
    ax_mem_free(r->slots);
    ax_mem_free(r->route_slot);
    ax_mem_free(r->route_first);
    ax_mem_free(r->pc);
    ax_mem_free(r->is_done);
    ax_mem_free(r->is_at_barrier);
    ax_mem_free(r->arrived);
    ax_mem_free(r->ready);
    ax_mem_free(r->is_queued);
}

int64_t ax_prog_stuck_cores(const struct ax_prog *p, struct ax_prog_stuck *out, uint32_t max)
{
    struct run r;
    memset(&r, 0, sizeof r);
    r.p = p;
    size_t n = (size_t)p->n_code + 1;
    r.pc = ax_mem_calloc(n, sizeof *r.pc);
    r.is_done = ax_mem_calloc(n, 1);
    r.is_at_barrier = ax_mem_calloc(n, 1);
    r.is_queued = ax_mem_calloc(n, 1);
    r.ready = ax_mem_calloc(n, sizeof *r.ready);
    r.arrived = ax_mem_calloc((size_t)p->n_barriers + 1, sizeof *r.arrived);
    if (!r.pc || !r.is_done || !r.is_at_barrier || !r.is_queued || !r.ready || !r.arrived ||
        build_slots(&r) != 0) {
        free_run(&r);
        return -1;
    }
    for (uint32_t k = p->n_code; k-- > 0;)
        wake(&r, k);
    while (r.n_ready > 0) {
        uint32_t k = r.ready[--r.n_ready];
        r.is_queued[k] = 0;
        step(&r, k);
    }
    int64_t n_stuck = 0;
    for (uint32_t k = 0; k < p->n_code; k++) {
        if (r.is_done[k])
            continue;
        if ((uint64_t)n_stuck < max)
            out[n_stuck] = (struct ax_prog_stuck){k, r.pc[k]};
        n_stuck++;
    }
    free_run(&r);
    return n_stuck;
}
