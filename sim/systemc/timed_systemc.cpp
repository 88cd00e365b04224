/* The SystemC engine of a program's timed run (timed.h; docs/simulator.md,
 * "The SystemC engine"): the SystemC kernel decides when each core issues
 * its instructions; timed.c issues each one and times it with the same
 * costs and rules as the native engine (timed_issue).
 *
 *   Core     one SC_METHOD per code record. Granted its turn, it issues one
 *            instruction; then it asks for its next turn at once when its
 *            clock still falls at the kernel's current time, or sleeps on
 *            the kernel's clock until its issue time and asks then; parked
 *            on a psumrecv or a barrier it waits on its event until the
 *            core that sends its message or completes its barrier wakes it
 *            (timed_sc_wake), at once or at its issue time.
 *   Arbiter  one SC_METHOD: grants the turn to one core at a time, among
 *            the cores that asked at the current time the one of the
 *            earliest exact clock, ties to the lower code record: the order
 *            of the native engine's heap (the kernel itself leaves the order
 *            of processes that run at the same time open). Cores that wake
 *            at a new time all ask in the first delta cycle, and the arbiter
 *            runs in the next.
 *
 * Times: the kernel's clock is an integer count of picoseconds while
 * timed.c computes in double seconds. Each core's exact clock stays in
 * timed.c (timed_clock) beside the kernel's time; the kernel's time of an
 * exact time is that time rounded to the kernel's resolution (at()), a
 * monotonic map: a core whose kernel time is later than now has a later
 * exact clock than every core asking now, so the arbiter's choice is the
 * native engine's, and the report is identical to the native engine's.
 *
 * Methods rather than threads: a method has no stack of its own, so the
 * number of cores is bounded by memory only (threads need a stack each and
 * a guard page, which the 42278 cores of the 7B exceed). The processes and
 * their events are made once per program and reused by every later run
 * (SystemC cannot remove them), growing to the largest program run; one
 * run at a time uses them. The kernel must not be running already: a
 * platform's own kernel (axon::Chip) times its tokens on the native engine.
 * No fixed limit on cores, chips or messages. One thread: --threads is
 * ignored. */
#define SC_INCLUDE_DYNAMIC_PROCESSES

extern "C" {
#include "timed.h"
}

#include <systemc>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <queue>
#include <vector>

using sc_core::sc_event;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace
{

/* A core asking for its turn at exact time t. */
struct Ask {
    double t;
    uint32_t k;
};

/* The order of the native engine's heap, reversed for std::priority_queue
 * (which pops its largest). */
struct Later {
    bool operator()(const Ask &a, const Ask &b) const
    {
        return a.t > b.t || (a.t == b.t && a.k > b.k);
    }
};

/* The processes and events, made once per program (see above). */
struct Pool {
    std::vector<sc_event *> grant; /* per core: its turn, or its issue time after a sleep */
    sc_event turn;                 /* the granted core has issued */
    sc_event ask;                  /* cores woke at a new time and asked */
    bool has_arbiter = false;
};

Pool *g_pool = nullptr; /* never freed: the kernel's processes refer to it until exit */

} // namespace

/* One run (timed.h). */
struct timed_sc {
    struct timed *s;
    uint32_t n;
    std::priority_queue<Ask, std::vector<Ask>, Later> asks; /* at the kernel's current time */
    std::vector<uint8_t> is_waking; /* per core: its next activation is its issue time */
    ax_status st = AX_OK;           /* the first failing issue of the token */
    double t0 = 0;                  /* the exact time that maps to `base` */
    sc_time base;
    double ticks_per_s = 0; /* the kernel's resolution */

    /* The kernel's time of exact time t (never before t0). */
    sc_time at(double t) const
    {
        return t > t0 ? base + sc_time::from_value(static_cast<uint64_t>((t - t0) * ticks_per_s + 0.5))
                      : base;
    }
};

namespace
{

timed_sc *g_run = nullptr; /* the run the kernel is running, during timed_sc_token */

void ask_now(timed_sc *e, uint32_t k)
{
    e->asks.push(Ask{timed_clock(e->s, k), k});
}

/* Core k: granted, issues one instruction; or wakes at its issue time and
 * asks for its turn. Its static sensitivity is its grant event. */
void core_method(uint32_t k)
{
    timed_sc *e = g_run;
    if (!e || k >= e->n)
        return;
    Pool &P = *g_pool;
    if (e->is_waking[k]) { /* its issue time: ask, for the arbiter's next delta */
        e->is_waking[k] = 0;
        ask_now(e, k);
        P.ask.notify(SC_ZERO_TIME);
        return;
    }
    enum timed_next next = TIMED_HALTED;
    ax_status st = timed_issue(e->s, k, &next);
    if (st != AX_OK && e->st == AX_OK)
        e->st = st;
    if (st == AX_OK && next == TIMED_READY) {
        sc_time now = sc_core::sc_time_stamp(), when = e->at(timed_clock(e->s, k));
        if (when <= now) {
            ask_now(e, k);
        } else {
            e->is_waking[k] = 1;
            sc_core::next_trigger(when - now);
        }
    }
    P.turn.notify(); /* immediate: the arbiter waits for it */
}

/* The arbiter: grants the earliest ask, then waits for its turn to end; with
 * no ask left, waits for cores that ask at a later time. */
void arbiter_method()
{
    timed_sc *e = g_run;
    Pool &P = *g_pool;
    if (e && e->st != AX_OK)
        e->asks = decltype(e->asks)();
    if (!e || e->asks.empty()) {
        sc_core::next_trigger(P.ask);
        return;
    }
    uint32_t k = e->asks.top().k;
    e->asks.pop();
    P.grant[k]->notify(); /* immediate: the core runs in this evaluation phase */
    sc_core::next_trigger(P.turn);
}

/* Whether every object the kernel holds is this engine's (its processes
 * are named axon_core..., axon_arbiter): sc_start runs every process of the
 * kernel, so the engine must not run in a process with a design of its own. */
bool kernel_is_ours()
{
    for (const sc_core::sc_object *o : sc_core::sc_get_top_level_objects())
        if (std::strncmp(o->basename(), "axon_", 5) != 0)
            return false;
    return true;
}

/* Grows the pool to n cores (between runs of the kernel). */
void pool_grow(uint32_t n)
{
    if (!g_pool)
        g_pool = new Pool;
    Pool &P = *g_pool;
    if (!P.has_arbiter) {
        sc_core::sc_spawn_options o;
        o.spawn_method();
        o.dont_initialize();
        o.set_sensitivity(&P.ask);
        sc_core::sc_spawn(&arbiter_method, "axon_arbiter", &o);
        P.has_arbiter = true;
    }
    P.grant.reserve(n);
    while (P.grant.size() < n) {
        uint32_t k = static_cast<uint32_t>(P.grant.size());
        P.grant.push_back(new sc_event);
        sc_core::sc_spawn_options o;
        o.spawn_method();
        o.dont_initialize();
        o.set_sensitivity(P.grant[k]);
        sc_core::sc_spawn(sc_bind(&core_method, k), sc_core::sc_gen_unique_name("axon_core"), &o);
    }
}

} // namespace

extern "C" ax_status timed_sc_open(struct timed *s, uint32_t n_code, timed_sc_t **out,
                                   struct ax_diag_list *diags)
{
    *out = nullptr;
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0); /* no banner, before the kernel exists */
    if (sc_core::sc_get_status() == sc_core::SC_RUNNING || !kernel_is_ours()) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "the SystemC engine needs a SystemC kernel of its own, and this process "
                    "has a SystemC design already (inside a platform, time the program on the "
                    "native engine)");
        return AX_ERR_UNSUPPORTED;
    }
    timed_sc *e = new (std::nothrow) timed_sc;
    if (!e)
        return AX_ERR_NOMEM;
    try {
        e->s = s;
        e->n = n_code;
        e->is_waking.assign(n_code, 0);
        e->ticks_per_s = 1.0 / sc_core::sc_get_time_resolution().to_seconds();
        pool_grow(n_code);
    } catch (const std::bad_alloc &) {
        delete e;
        return AX_ERR_NOMEM;
    } catch (const std::exception &x) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "SystemC: %s", x.what());
        delete e;
        return AX_ERR_INTERNAL;
    }
    *out = e;
    return AX_OK;
}

extern "C" ax_status timed_sc_token(timed_sc_t *e, double t0, struct ax_diag_list *diags)
{
    e->st = AX_OK;
    e->t0 = t0;
    e->base = sc_core::sc_time_stamp();
    e->asks = decltype(e->asks)();
    for (uint32_t k = 0; k < e->n; k++) {
        e->is_waking[k] = 0;
        ask_now(e, k);
    }
    g_run = e;
    try {
        g_pool->ask.notify(SC_ZERO_TIME);
        sc_core::sc_start(); /* until no core can go on */
    } catch (const std::bad_alloc &) {
        e->st = AX_ERR_NOMEM;
    } catch (const std::exception &x) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "SystemC: %s", x.what());
        e->st = AX_ERR_INTERNAL;
    }
    g_run = nullptr;
    return e->st;
}

extern "C" void timed_sc_wake(timed_sc_t *e, uint32_t k)
{
    if (k >= e->n)
        return;
    sc_time now = sc_core::sc_time_stamp(), when = e->at(timed_clock(e->s, k));
    if (when <= now) {
        ask_now(e, k);
    } else {
        e->is_waking[k] = 1;
        g_pool->grant[k]->notify(when - now);
    }
}

extern "C" void timed_sc_close(timed_sc_t *e)
{
    delete e;
}

extern "C" int ax_sim_has_systemc(void)
{
    return 1;
}
