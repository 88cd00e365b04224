/* The hand-computed systems (tests/golden/README.md): each case's workload
 * written as a hand program (tests/golden/programs),
 * run for token 0 on the executor to the values its comment works out, then
 * timed (ax_sim_program) on the case's chip file to the cycles and every
 * ledger count its comment works out by hand from docs/simulator.md, "The
 * timed run of a program". A count a case leaves out must be zero.
 *
 * Usage: test_golden_programs [CASE]; without CASE every case runs. CTest
 * runs each as golden.program.CASE. dram-stream is tests/programs/dram-stream.s,
 * checked by exec.programs. */
#include "ax_test.h"

#include "exec/exec_weights.h"

#include "exec/exec_timed.h"

#define DIR AX_SOURCE_DIR "/tests/golden/"

/* ---- the tensors the comments assume (formulas, as a checkpoint by name) ---- */

/* Codes 0, 32, -64, 96 for i mod 4 = 0..3 (x = 0, 0.5, -1, 1.5 at 2^-6). */
static int code_cycle4(uint32_t j, uint32_t i)
{
    (void)j;
    static const int c[4] = {0, 32, -64, 96};
    return c[i % 4];
}
static int code_64(uint32_t j, uint32_t i)
{
    (void)j, (void)i;
    return 64;
}
/* +96 (even i), -96 (odd i): x = +-0.75 at 2^-7. */
static int code_pm96(uint32_t j, uint32_t i)
{
    (void)j;
    return i % 2 ? -96 : 96;
}
static int code_row_plus1(uint32_t j, uint32_t i)
{
    (void)i;
    return (int)j + 1;
}
/* j + 1 (even i), -(j + 1) (odd i). */
static int code_row_pm(uint32_t j, uint32_t i)
{
    return i % 2 ? -(int)j - 1 : (int)j + 1;
}
static float scale_2m6(uint32_t j, uint32_t g)
{
    (void)j, (void)g;
    return 0x1p-6f;
}
static float scale_2m7(uint32_t j, uint32_t g)
{
    (void)j, (void)g;
    return 0x1p-7f;
}

/* ---- running a case ------------------------------------------------------------ */

/* The values of programs/NAME on core `core`, buffer `buf`: `n` floats. */
static void check_values(const char *name, struct test_tensor *t, uint32_t core, const char *buf,
                         const float *want, uint32_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%sprograms/%s", DIR, name);
    struct ax_prog p;
    ax_exec_t *ex = test_run_program(path, &p, t);
    for (uint32_t i = 0; ex && i < n; i++) {
        float got = ax_exec_f32(ex, core, buf, i);
        CHECK(test_bits(got) == test_bits(want[i]));
        if (test_bits(got) != test_bits(want[i]))
            fprintf(stderr, "  %s: %s[%u] %.9g, the comment says %.9g\n", name, buf, i, got,
                    want[i]);
    }
    ax_exec_free(ex);
    ax_prog_free(&p);
}

/* programs/NAME timed on chips/CHIP under `timing`. */
static void check_timed(const char *name, const char *chip, struct test_tensor *t,
                        enum ax_sim_timing timing, uint64_t cycles, const struct want_count *want)
{
    char path[512], chip_path[512];
    snprintf(path, sizeof path, "%sprograms/%s", DIR, name);
    snprintf(chip_path, sizeof chip_path, "%schips/%s", DIR, chip);
    test_check_timed(path, chip_path, t, timing, cycles, want);
}

/* ---- the cases ------------------------------------------------------------------ */

static struct test_tensor link_tensors[] = {{"emb.weight", code_64, scale_2m7, NULL},
                                            {"proj.weight", code_row_plus1, scale_2m7, NULL},
                                            {NULL, NULL, NULL, NULL}};
static const struct want_count link_counts[] = {
    {"read", 7}, {"mul", 1}, {"add", 3}, {"access_neuron", 1}, {"update_neuron", 1},
    {"spike_out", 1}, {"process_spike", 4}, {"update", 4}, {"message_out", 4},
    {"message_in", 4}, {"hop_east", 5}, {"hop_west", 2}, {"barrier", 1}, {NULL, 0}};

static void test_link_contention(void)
{
    static const float y[4] = {1.0f / 256, 2.0f / 256, 3.0f / 256, 4.0f / 256};
    check_values("link-contention.s", link_tensors, 2, "y", y, 4);
    check_timed("link-contention.s", "one-chip.yaml", link_tensors, AX_SIM_TIMING_APPROX, 264,
                link_counts);
}

/* The same program and counts; no link contention. */
static void test_link_contention_analytic(void)
{
    check_timed("link-contention.s", "one-chip.yaml", link_tensors, AX_SIM_TIMING_ANALYTIC, 256,
                link_counts);
}

static void test_spiking_one_core(void)
{
    struct test_tensor t[] = {{"emb.weight", code_pm96, scale_2m7, NULL},
                              {"proj.weight", code_row_pm, scale_2m7, NULL},
                              {NULL, NULL, NULL, NULL}};
    float y[8];
    for (int j = 0; j < 8; j++)
        y[j] = 0.75f * (float)(j + 1);
    check_values("spiking-one-core.s", t, 0, "y", y, 8);
    static const struct want_count counts[] = {
        {"read", 552}, {"mul", 128}, {"add", 128}, {"access_neuron", 128},
        {"update_neuron", 128}, {"spike_out", 256}, {"process_spike", 2048}, {"update", 8},
        {"barrier", 1}, {NULL, 0}};
    check_timed("spiking-one-core.s", "one-chip.yaml", t, AX_SIM_TIMING_APPROX, 9970, counts);
}

static void test_dense_two_cores(void)
{
    struct test_tensor t[] = {{"emb.weight", code_cycle4, scale_2m6, NULL},
                              {"proj.weight", code_row_plus1, scale_2m7, NULL},
                              {NULL, NULL, NULL, NULL}};
    static const float y[4] = {0.25f, 0.5f, 0.75f, 1.0f};
    check_values("dense-two-cores.s", t, 1, "y", y, 4);
    static const struct want_count counts[] = {
        {"read", 292}, {"mul", 128}, {"add", 128}, {"mac", 512}, {"update", 4},
        {"message_out", 128}, {"message_in", 128}, {"hop_east", 128}, {NULL, 0}};
    check_timed("dense-two-cores.s", "one-chip.yaml", t, AX_SIM_TIMING_APPROX, 13488, counts);
}

static void test_two_chips(void)
{
    struct test_tensor t[] = {{"emb.weight", code_cycle4, scale_2m6, NULL},
                              {"proj.weight", code_row_plus1, scale_2m7, NULL},
                              {NULL, NULL, NULL, NULL}};
    static const float y[2] = {0.015625f, 0.03125f};
    check_values("two-chips.s", t, 5, "y", y, 2);
    static const struct want_count counts[] = {
        {"read", 16}, {"mul", 8}, {"add", 8}, {"mac", 16}, {"update", 2}, {"message_out", 8},
        {"message_in", 8}, {"hop_east", 16}, {"link", 32}, {"barrier", 2}, {NULL, 0}};
    check_timed("two-chips.s", "two-chips.yaml", t, AX_SIM_TIMING_APPROX, 819, counts);
}

static void test_barrier_three_chips(void)
{
    struct test_tensor t[] = {{"emb.weight", code_cycle4, scale_2m6, NULL},
                              {NULL, NULL, NULL, NULL}};
    static const float y[4] = {0.0f, 1.0f, -2.0f, 3.0f};
    check_values("barrier-three-chips.s", t, 8, "y", y, 4);
    static const struct want_count counts[] = {
        {"read", 1}, {"mul", 4}, {"add", 8}, {"barrier", 5}, {NULL, 0}};
    check_timed("barrier-three-chips.s", "three-chips.yaml", t, AX_SIM_TIMING_APPROX, 286, counts);
}

static const struct ax_test_case cases[] = {
    {"spiking-one-core", test_spiking_one_core},
    {"dense-two-cores", test_dense_two_cores},
    {"link-contention", test_link_contention},
    {"link-contention-analytic", test_link_contention_analytic},
    {"two-chips", test_two_chips},
    {"barrier-three-chips", test_barrier_three_chips},
};

int main(int argc, char **argv)
{
    size_t n = sizeof cases / sizeof cases[0];
    if (argc < 2)
        return ax_test_run(cases, n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(cases[i].name, argv[1]) == 0)
            return ax_test_run(&cases[i], 1);
    fprintf(stderr, "test_golden_programs: no case %s\n", argv[1]);
    return 2;
}
