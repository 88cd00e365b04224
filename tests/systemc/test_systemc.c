/* The SystemC engine (sim/systemc/) against the native one (sim/engine.c),
 * round by round: random work on four chips of loihi2-like (local jobs,
 * DRAM fetches at a step's start as the simulator makes them, messages
 * within tiles, across the mesh and across chip edges, many of them
 * simultaneous) must leave every time, every busy total, every link's count
 * and every network count identical under both timing models. Then the
 * engine's limits and its one elaboration per process. */
#include "ax_test.h"

#include "ax_arch.h"
#include "engine.h"

#include <stdint.h>
#include <stdlib.h>

#define SRC AX_SOURCE_DIR
#define CHIP SRC "/models/chips/loihi2-like.yaml"

static ax_arch_t *load_chip(void)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    ax_arch_t *arch = NULL;
    ax_status st = ax_arch_load(CHIP, &arch, &d);
    ax_diag_print(&d, stderr);
    ax_diag_list_free(&d);
    CHECK(st == AX_OK);
    return arch;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)(((rng_state * 0x2545f4914f6cdd1dull) >> 33) % n);
}

/* A service time: whole nanoseconds from a few values, so that many events
 * fall on the same instant and the order of ties matters. */
static double service(void)
{
    return rnd(3) ? (1 + rnd(4)) * 1e-9 : 0;
}

struct system {
    struct eng_net net;
    struct eng_state st;
};

static int system_init(struct system *s, const ax_arch_t *arch, uint32_t n_chips, uint32_t grid_w,
                       int is_analytic)
{
    if (eng_net_init(&s->net, arch, n_chips, grid_w) != AX_OK)
        return 0;
    return eng_state_init(&s->st, n_chips * s->net.cores_per_chip, n_chips, 1, is_analytic) ==
           AX_OK;
}

static void system_free(struct system *s)
{
    eng_state_free(&s->st);
    eng_net_free(&s->net);
}

/* A random round among `active` cores. DRAM only in a step's first round. */
static void random_round(struct eng_round *r, const uint32_t *active, uint32_t n_active,
                         int is_first)
{
    for (uint32_t i = 0; i < n_active; i++) {
        if (rnd(3) == 0)
            continue;
        struct eng_job *j = eng_round_local(r, active[i]);
        for (int s = 0; s < ENG_SERVER_COUNT; s++)
            j->s[s] =
                s == ENG_DRAM ? (is_first && rnd(4) == 0 ? (1 + rnd(50)) * 1e-9 : 0) : service();
    }
    uint32_t n_msgs = rnd(200);
    for (uint32_t i = 0; i < n_msgs; i++) {
        struct eng_msg m = {0};
        m.src = active[rnd(n_active)];
        do
            m.dst = active[rnd(n_active)];
        while (m.dst == m.src);
        m.packets = 1 + rnd(4);
        m.bytes = 4 * m.packets;
        for (int s = 0; s < ENG_SERVER_COUNT; s++)
            m.work.s[s] = s == ENG_DRAM ? 0 : service();
        CHECK(eng_round_send(r, &m) == AX_OK);
    }
}

static int same(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) {
            fprintf(stderr, "  index %zu: %.17g vs %.17g\n", i, a[i], b[i]);
            return 0;
        }
    return 1;
}

static void compare(const struct system *a, const struct system *b, const struct eng_counts *ca,
                    const struct eng_counts *cb)
{
    size_t n = a->st.n_cores, rows = n * ENG_SERVER_COUNT;
    CHECK(same(a->st.ready, b->st.ready, n));
    CHECK(same(a->st.busy, b->st.busy, rows));
    CHECK(same(a->st.server_free, b->st.server_free, rows));
    CHECK(same(a->st.dram_free, b->st.dram_free, a->st.n_chips));
    CHECK(same(a->net.link_free, b->net.link_free, a->net.n_links));
    CHECK(same(a->net.link_packets, b->net.link_packets, a->net.n_links));
    CHECK(same(a->net.link_busy, b->net.link_busy, a->net.n_links));
    CHECK(same(ca->hops, cb->hops, AX_DIR_COUNT));
    CHECK(ca->local == cb->local && ca->chip_bytes == cb->chip_bytes && ca->packets == cb->packets);
    CHECK(eng_step_end(&a->st) == eng_step_end(&b->st));
}

/* Steps of random rounds through both engines. */
static void random_steps(int is_analytic)
{
    ax_arch_t *arch = load_chip();
    if (!arch)
        return;
    struct system nat, sc;
    CHECK(system_init(&nat, arch, 4, 2, is_analytic));
    CHECK(system_init(&sc, arch, 4, 2, is_analytic));
    uint32_t n_cores = nat.st.n_cores, active[48];
    for (uint32_t i = 0; i < 48; i++) /* pairs of cores in tiles spread over every chip */
        active[i] =
            (i / 2 * 37) % (n_cores / nat.net.cores_per_tile) * nat.net.cores_per_tile + i % 2;
    struct eng_round r;
    CHECK(eng_round_init(&r, n_cores) == AX_OK);
    struct eng_counts ca = {{0}, 0, 0, 0}, cb = ca;
    double longest = 0;
    int failures = ax_test_failures;
    for (int step = 0; step < 40 && ax_test_failures == failures; step++) {
        eng_step_begin(&nat.st, &nat.net);
        eng_step_begin(&sc.st, &sc.net);
        uint32_t rounds = 1 + rnd(3);
        for (uint32_t k = 0; k < rounds; k++) {
            eng_round_clear(&r);
            random_round(&r, active, 48, k == 0);
            CHECK(eng_round_run(&nat.st, &nat.net, &r, &ca) == AX_OK);
            CHECK(eng_systemc_round_run(&sc.st, &sc.net, &r, &cb) == AX_OK);
            compare(&nat, &sc, &ca, &cb);
        }
        if (eng_step_end(&nat.st) > longest)
            longest = eng_step_end(&nat.st);
    }
    CHECK(cb.chip_bytes > 0 && cb.local > 0 && longest > 0); /* every kind of route was taken */
    printf("  %s: %.0f packets, %.0f bytes over chip links, longest step %.4g s\n",
           is_analytic ? "analytic" : "approx", cb.packets, cb.chip_bytes, longest);
    eng_round_free(&r);
    system_free(&nat);
    system_free(&sc);
    ax_arch_free(arch);
}

/* Before anything is elaborated: a system above the core limit, and a round
 * above the message limit, are refused. */
static void test_limits(void)
{
    ax_arch_t *arch = load_chip();
    if (!arch)
        return;
    struct system big;
    CHECK(system_init(&big, arch, 40, 8, 0)); /* 5120 cores */
    struct eng_round r;
    CHECK(eng_round_init(&r, big.st.n_cores) == AX_OK);
    r.has_local[0] = 1;
    r.local[0].s[ENG_SOMA] = 1e-9;
    struct eng_counts c = {{0}, 0, 0, 0};
    eng_step_begin(&big.st, &big.net);
    CHECK(eng_systemc_round_run(&big.st, &big.net, &r, &c) == AX_ERR_LIMIT);
    eng_round_free(&r);
    system_free(&big);

    struct system s;
    CHECK(system_init(&s, arch, 4, 2, 0));
    CHECK(eng_round_init(&r, s.st.n_cores) == AX_OK);
    struct eng_msg m = {0, 1, 1, 4, {{0}}};
    for (uint32_t i = 0; i <= (1u << 20); i++)
        CHECK(eng_round_send(&r, &m) == AX_OK);
    eng_step_begin(&s.st, &s.net);
    CHECK(eng_systemc_round_run(&s.st, &s.net, &r, &c) == AX_ERR_LIMIT);
    eng_round_free(&r);
    system_free(&s);
    ax_arch_free(arch);
}

static void test_approx(void)
{
    random_steps(0);
}
static void test_analytic(void)
{
    random_steps(1);
}

/* The module graph exists once per process: a system of another size is
 * refused with an error, not a crash. */
static void test_other_size(void)
{
    ax_arch_t *arch = load_chip();
    if (!arch)
        return;
    struct system s;
    CHECK(system_init(&s, arch, 1, 1, 0));
    struct eng_round r;
    CHECK(eng_round_init(&r, s.st.n_cores) == AX_OK);
    r.has_local[0] = 1;
    r.local[0].s[ENG_SOMA] = 1e-9;
    struct eng_counts c = {{0}, 0, 0, 0};
    eng_step_begin(&s.st, &s.net);
    CHECK(eng_systemc_round_run(&s.st, &s.net, &r, &c) == AX_ERR_UNSUPPORTED);
    eng_round_free(&r);
    system_free(&s);
    ax_arch_free(arch);
}

AX_TEST_MAIN(T(test_limits), T(test_approx), T(test_analytic), T(test_other_size))
