/* The timed run of a program token by token (ax_sim_session, ax_sim.h):
 * the hand programs of tests/golden/programs and tests/programs run in
 * counting mode for three tokens through a session. The session's result
 * must be the one ax_sim_program gives for the same tokens, its tokens'
 * figures must add up to the result's latency and energy, and a session
 * whose result was taken must refuse another token. The same on the
 * SystemC engine, whose result must be the native engine's, also on chips
 * whose latencies are femtoseconds, where only the exact clocks order the
 * cores (tests/sim/order.s sends two contending messages out of core
 * order). All of it under barrier and under dataflow synchronisation. */
#include "ax_test.h"

#include "ax_arch.h"
#include "ax_diag.h"
#include "ax_fs.h"
#include "ax_mem.h"
#include "ax_prog.h"
#include "ax_sim.h"
#include "ax_test_sim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define N_TOKENS 3

/* A hand program and the chip file it is timed on (from the source tree). */
struct hand {
    const char *program, *chip;
};

static const struct hand hands[] = {
    {"tests/golden/programs/spiking-one-core.s", "tests/golden/chips/one-chip.yaml"},
    {"tests/golden/programs/dense-two-cores.s", "tests/golden/chips/one-chip.yaml"},
    {"tests/golden/programs/link-contention.s", "tests/golden/chips/one-chip.yaml"},
    {"tests/golden/programs/two-chips.s", "tests/golden/chips/two-chips.yaml"},
    {"tests/golden/programs/barrier-three-chips.s", "tests/golden/chips/three-chips.yaml"},
    {"tests/programs/dense-chain.s", "tests/golden/chips/one-chip.yaml"},
    {"tests/programs/dram-stream.s", "tests/golden/chips/dram.yaml"},
    {"tests/programs/spiking-projection.s", "tests/golden/chips/one-chip.yaml"},
    {"tests/programs/dataflow.s", "tests/golden/chips/one-chip.yaml"},
    {"tests/programs/relay.s", "tests/golden/chips/one-chip.yaml"},
    {"tests/sim/order.s", "tests/golden/chips/one-chip.yaml"},
};

/* Every " ns" of `text` made " fs": the chip's latencies a million times
 * shorter, so that many instructions issue within one picosecond, the
 * SystemC kernel's resolution. */
static void femto(char *text)
{
    for (char *c = strstr(text, " ns"); c; c = strstr(c + 3, " ns"))
        c[1] = 'f';
}

/* Parses the program and loads the chip of `h` (its latencies in
 * femtoseconds when `is_femto`); 0 on success. */
static int load(const struct hand *h, int is_femto, struct ax_prog *p, ax_arch_t **arch,
                struct ax_diag_list *d)
{
    char path[512], chip[512];
    snprintf(path, sizeof path, "%s/%s", AX_SOURCE_DIR, h->program);
    snprintf(chip, sizeof chip, "%s/%s", AX_SOURCE_DIR, h->chip);
    char *text = NULL, *chip_text = NULL;
    size_t len = 0, chip_len = 0;
    ax_prog_init(p, 0, 0);
    *arch = NULL;
    int ok = ax_fs_read_file(path, 1 << 22, &text, &len, d) == AX_OK &&
             ax_prog_parse(p, path, text, len, d) == AX_OK &&
             ax_fs_read_file(chip, 1 << 20, &chip_text, &chip_len, d) == AX_OK;
    if (ok && is_femto)
        femto(chip_text);
    ok = ok && ax_arch_load_text(chip, chip_text, chip_len, arch, d) == AX_OK;
    ax_mem_free(chip_text);
    ax_mem_free(text);
    if (!ok)
        ax_diag_print(d, stderr);
    return ok ? 0 : -1;
}

/* Runs `h` for N_TOKENS tokens through a session on `engine` and checks it
 * against ax_sim_program on the native engine, both with `sync`. */
static void check_hand(const struct hand *h, int is_femto, enum ax_sim_engine engine,
                       enum ax_sim_sync sync)
{
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_prog p;
    ax_arch_t *arch = NULL;
    if (load(h, is_femto, &p, &arch, &d) != 0) {
        CHECK(0);
        ax_prog_free(&p);
        ax_diag_list_free(&d);
        return;
    }
    struct ax_sim_options o;
    ax_sim_options_default(&o);
    o.sync = sync;
    struct ax_sim_result whole, r;
    memset(&r, 0, sizeof r);
    CHECK(ax_sim_program(&p, arch, NULL, NULL, N_TOKENS, &o, NULL, &whole, &d) == AX_OK);

    o.engine = engine;
    ax_sim_session_t *s = NULL;
    ax_status st = ax_sim_session_open(&p, arch, NULL, &o, NULL, &s, &d);
    CHECK(st == AX_OK);
    double seconds = 0, energy_j = 0;
    uint64_t cycles = 0;
    for (uint32_t i = 0; st == AX_OK && i < N_TOKENS; i++) {
        struct ax_sim_token t;
        st = ax_sim_session_token(s, (int32_t)i, &t, &d);
        CHECK(st == AX_OK);
        CHECK(t.index == i && t.id == (int32_t)i);
        CHECK(t.seconds > 0 && t.dynamic_j > 0 && t.static_j >= 0);
        seconds += t.seconds;
        cycles += t.cycles;
        energy_j += t.dynamic_j + t.static_j;
    }
    CHECK(st == AX_OK && ax_sim_session_tokens(s) == N_TOKENS);
    if (st == AX_OK)
        st = ax_sim_session_result(s, &r, &d);
    CHECK(st == AX_OK);
    if (st == AX_OK) {
        ax_test_check_same_result(h->program, &whole, &r);
        CHECK_NEAR(seconds, r.seconds);
        CHECK_NEAR(energy_j, r.ledger.total_j);
        CHECK(cycles >= r.cycles && cycles <= r.cycles + N_TOKENS); /* each rounded up */
        CHECK_STR(r.engine, ax_sim_engine_str(engine));
        CHECK(r.sync == sync);
        /* the result was taken: no more tokens */
        CHECK(ax_sim_session_token(s, 0, NULL, &d) == AX_ERR_INVALID);
    }
    if (ax_test_failures)
        ax_diag_print(&d, stderr);
    ax_sim_session_close(s);
    ax_sim_result_free(&r);
    ax_sim_result_free(&whole);
    ax_arch_free(arch);
    ax_prog_free(&p);
    ax_diag_list_free(&d);
}

/* Every hand program on every engine and chip kind, under both syncs. */
static void check_hands(int is_femto, enum ax_sim_engine engine)
{
    for (int sync = 0; sync < AX_SIM_SYNC_COUNT; sync++)
        for (size_t i = 0; i < sizeof hands / sizeof hands[0]; i++)
            check_hand(&hands[i], is_femto, engine, (enum ax_sim_sync)sync);
}

static void test_native(void)
{
    check_hands(0, AX_SIM_ENGINE_NATIVE);
}

/* The same sessions on the SystemC engine: each token ordered by the
 * SystemC kernel, the result the native engine's (ax_test_check_same_result),
 * across several sessions in one process. */
static void test_systemc(void)
{
    if (!ax_sim_has_systemc()) {
        ax_test_skip("session_systemc", "this build has no SystemC");
        return;
    }
    check_hands(0, AX_SIM_ENGINE_SYSTEMC);
}

/* The same on chips whose latencies are femtoseconds: the kernel's time
 * (picoseconds) cannot tell most issue times apart, so the SystemC engine
 * must order the cores of one picosecond by their exact clocks, as the
 * native engine does, to give its result. */
static void test_systemc_femto(void)
{
    if (!ax_sim_has_systemc()) {
        ax_test_skip("session_systemc_femto", "this build has no SystemC");
        return;
    }
    check_hands(1, AX_SIM_ENGINE_SYSTEMC);
}

static const struct ax_test_case cases[] = {
    {"session_native", test_native},
    {"session_systemc", test_systemc},
    {"session_systemc_femto", test_systemc_femto},
};

int main(void)
{
    return ax_test_run(cases, sizeof cases / sizeof cases[0]);
}
