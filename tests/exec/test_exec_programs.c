/* The hand-written programs of tests/programs, executed: each is parsed
 * (the verifier runs), given the tensors its comments assume (the codes and
 * scales written below as formulas, from the comment "Inputs assumed"), run
 * for token 0 at position 0, and its output buffer compared bit for bit with
 * the values its comment works out by hand ("Values, by hand"). Then the
 * timed run of the same program (ax_sim_program) on the chip it embeds must
 * give the cycles and every nonzero ledger count its comment works out
 * ("Counts", "Cycles"); a count the list leaves out must be zero. */
#include "ax_test.h"

#include "exec_weights.h"

#include "exec_timed.h"

#define DIR AX_SOURCE_DIR "/tests/programs/"

/* Parses tests/programs/NAME and runs token 0 at position 0
 * (test_run_program). */
static ax_exec_t *run_program(const char *name, struct ax_prog *p, struct test_tensor *tensors)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", DIR, name);
    return test_run_program(path, p, tensors);
}

/* Runs tests/programs/NAME timed on CHIP (a file of tests/golden/chips) and
 * checks its cycles and ledger counts; `want` ends with a NULL item. */
static void check_timed(const char *name, const char *chip, struct test_tensor *tensors,
                        uint64_t cycles, const struct want_count *want)
{
    char path[512], chip_path[512];
    snprintf(path, sizeof path, "%s%s", DIR, name);
    snprintf(chip_path, sizeof chip_path, "%s../golden/chips/%s", DIR, chip);
    test_check_timed(path, chip_path, tensors, AX_SIM_TIMING_APPROX, cycles, want);
}

/* emb.weight of spiking-projection.s and dram-stream.s: codes 0, 32, -64, 96
 * for i mod 4 = 0..3, scale 2^-6, so x_i = 0, 0.5, -1, 1.5. */
static int emb_code(uint32_t j, uint32_t i)
{
    (void)j;
    static const int c[4] = {0, 32, -64, 96};
    return c[i % 4];
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

/* spiking-projection.s: every code of row j of proj.weight is j - 31. */
static int proj_code_spiking(uint32_t j, uint32_t i)
{
    (void)i;
    return (int)j - 31;
}

static void test_spiking_projection(void)
{
    struct test_tensor t[] = {{"emb.weight", emb_code, scale_2m6, NULL},
                              {"proj.weight", proj_code_spiking, scale_2m7, NULL},
                              {NULL, NULL, NULL, NULL}};
    struct ax_prog p;
    ax_exec_t *ex = run_program("spiking-projection.s", &p, t);
    if (ex) {
        /* V_th = 0.25; counts 0, 2, -4, 6; y_j = (j - 31) / 4 exactly */
        CHECK(ax_exec_f32(ex, 0, "vth", 0) == 0.25f);
        uint32_t n = 0;
        const uint32_t *cnt = ax_exec_buffer(ex, 0, "cnt", &n);
        CHECK(cnt && n == 128);
        static const int32_t want[4] = {0, 2, -4, 6};
        for (uint32_t i = 0; cnt && i < 128; i++)
            CHECK((int32_t)cnt[i] == want[i % 4]);
        for (uint32_t j = 0; j < 64; j++)
            CHECK(test_bits(ax_exec_f32(ex, 0, "y", j)) == test_bits(((float)j - 31.0f) / 4.0f));
        CHECK(ax_exec_f32(ex, 0, "y", 0) == -7.75f && ax_exec_f32(ex, 0, "y", 63) == 8.0f);
        /* 128 events to each of 2 cores; 2 x 128 x 32 synaptic operations;
         * messages: the lookup and two partial sums */
        struct ax_exec_stats s;
        ax_exec_stats(ex, &s);
        CHECK(s.n_events == 256);
        CHECK(s.n_synops == 8192);
        CHECK(s.n_messages == 3);
        CHECK(s.n_instr == 29);
    }
    ax_exec_free(ex);
    ax_prog_free(&p);
    static const struct want_count counts[] = {
        {"message_out", 448}, {"message_in", 448}, {"hop_west", 480}, {"hop_east", 384},
        {"mul", 128}, {"access_neuron", 128}, {"update_neuron", 128}, {"spike_out", 128},
        {"process_spike", 8192}, {"update", 64}, {"add", 192}, {"read", 2144},
        {"barrier", 1}, {NULL, 0}};
    check_timed("spiking-projection.s", "one-chip.yaml", t, 22519, counts);
}

/* dram-stream.s: every code of row j of proj.weight is j + 1. */
static int proj_code_dram(uint32_t j, uint32_t i)
{
    (void)i;
    return (int)j + 1;
}

static void test_dram_stream(void)
{
    struct test_tensor t[] = {{"emb.weight", emb_code, scale_2m6, NULL},
                              {"proj.weight", proj_code_dram, scale_2m7, NULL},
                              {NULL, NULL, NULL, NULL}};
    struct ax_prog p;
    ax_exec_t *ex = run_program("dram-stream.s", &p, t);
    if (ex) {
        static const float y[4] = {0.25f, 0.5f, 0.75f, 1.0f};
        for (uint32_t j = 0; j < 4; j++)
            CHECK(test_bits(ax_exec_f32(ex, 1, "y", j)) == test_bits(y[j]));
        struct ax_exec_stats s;
        ax_exec_stats(ex, &s);
        CHECK(s.n_instr == 9);
        CHECK(s.n_messages == 1);
    }
    ax_exec_free(ex);
    ax_prog_free(&p);
    static const struct want_count counts[] = {
        {"message_out", 128}, {"message_in", 128}, {"hop_east", 128}, {"stream", 528},
        {"write", 132}, {"read", 292}, {"mul", 128}, {"add", 128}, {"mac", 512},
        {"update", 4}, {NULL, 0}};
    check_timed("dram-stream.s", "dram.yaml", t, 13488, counts);
    /* a DRAM latency of 500 ns puts the fetch on the critical path */
    check_timed("dram-stream.s", "dram-slow.yaml", t, 13736, counts);
}

/* dense-chain.s: emb.weight codes +64 (even i), -64 (odd i), scale 2^-7;
 * norm.weight 1.0 everywhere. */
static int emb_code_alternating(uint32_t j, uint32_t i)
{
    (void)j;
    return i % 2 ? -64 : 64;
}
static float ones(uint32_t j, uint32_t i)
{
    (void)j, (void)i;
    return 1.0f;
}

static void test_dense_chain(void)
{
    struct test_tensor t[] = {{"emb.weight", emb_code_alternating, scale_2m7, NULL},
                              {"norm.weight", NULL, NULL, ones},
                              {NULL, NULL, NULL, NULL}};
    struct ax_prog p;
    ax_exec_t *ex = run_program("dense-chain.s", &p, t);
    if (ex) {
        for (uint32_t i = 0; i < 128; i++) {
            /* h = +-0.999997973, out = 1.73105311 / -0.731057227 */
            CHECK(test_bits(ax_exec_f32(ex, 1, "h", i)) == (i % 2 ? 0xbf7fffdeu : 0x3f7fffdeu));
            CHECK(test_bits(ax_exec_f32(ex, 2, "g", i)) ==
                  test_bits(i % 2 ? -0.268941283f : 0.73105669f));
            CHECK(test_bits(ax_exec_f32(ex, 2, "m", i)) ==
                  test_bits(i % 2 ? 0.268940747f : 0.7310552f));
            CHECK(test_bits(ax_exec_f32(ex, 2, "out", i)) == (i % 2 ? 0xbf3b2691u : 0x3fdd9326u));
        }
        struct ax_exec_stats s;
        ax_exec_stats(ex, &s);
        CHECK(s.n_instr == 15);
        CHECK(s.n_messages == 2);
    }
    ax_exec_free(ex);
    ax_prog_free(&p);
    static const struct want_count counts[] = {
        {"message_out", 256}, {"message_in", 256}, {"hop_east", 256}, {"mul", 512},
        {"mac", 128}, {"rsqrt", 1}, {"silu", 128}, {"add", 384}, {"read", 32}, {NULL, 0}};
    check_timed("dense-chain.s", "one-chip.yaml", t, 22964, counts);
}

/* A wait that no instruction can meet at run time (the verifier accepts the
 * program: whether a lookup sends depends on the token): dense-chain.s with
 * token 7, which no row of its 4-row table holds, so core 1's psumrecv waits
 * forever. The timed run ends at once with AX_ERR_INVALID and names the
 * waiting cores and what they wait for. */
static void test_runtime_deadlock(void)
{
    struct test_tensor t[] = {{"emb.weight", emb_code_alternating, scale_2m7, NULL},
                              {"norm.weight", NULL, NULL, ones},
                              {NULL, NULL, NULL, NULL}};
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *text = NULL;
    size_t len = 0;
    struct ax_sim_result r;
    memset(&r, 0, sizeof r);
    CHECK(ax_fs_read_file(DIR "dense-chain.s", 1 << 22, &text, &len, &diags) == AX_OK);
    CHECK(text && test_timed_text(DIR "dense-chain.s", text, len, DIR "../golden/chips/one-chip.yaml",
                                  t, AX_SIM_TIMING_APPROX, 7, &r, &diags) == AX_ERR_INVALID);
    int core1 = 0, core2 = 0;
    for (uint32_t i = 0; i < diags.n_items; i++) {
        const char *m = diags.items[i].message;
        core1 |= strstr(m, "core 1,") && strstr(m, "waits forever for 1 messages");
        core2 |= strstr(m, "core 2,") && strstr(m, "waits forever for 1 messages");
    }
    CHECK(core1 && core2);
    if (!core1 || !core2)
        ax_diag_print(&diags, stderr);
    ax_sim_result_free(&r);
    ax_mem_free(text);
    ax_diag_list_free(&diags);
}

/* A spike is generated once however many emits send it: spiking-projection.s
 * with its emit doubled (as q and k each emit the input they share) sends
 * every event twice, 256 more packets and hops, but the soma generates its
 * 128 spikes once. */
static void test_spikes_generated_once(void)
{
    struct test_tensor t[] = {{"emb.weight", emb_code, scale_2m6, NULL},
                              {"proj.weight", proj_code_spiking, scale_2m7, NULL},
                              {NULL, NULL, NULL, NULL}};
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *text = NULL, *twice = NULL;
    size_t len = 0;
    struct ax_sim_result r;
    memset(&r, 0, sizeof r);
    static const char emit[] = "    emit cnt, 0\n";
    const char *at = ax_fs_read_file(DIR "spiking-projection.s", 1 << 22, &text, &len, &diags) == AX_OK
                         ? strstr(text, emit)
                         : NULL;
    if (at && (twice = ax_mem_alloc(len + sizeof emit)) != NULL) {
        size_t head = (size_t)(at - text) + strlen(emit);
        memcpy(twice, text, head);
        snprintf(twice + head, len + sizeof emit - head, "%s%s", emit, text + head);
    }
    int ok = twice && test_timed_text(DIR "spiking-projection.s", twice, strlen(twice),
                                      DIR "../golden/chips/one-chip.yaml", t,
                                      AX_SIM_TIMING_APPROX, 0, &r, &diags) == AX_OK;
    CHECK(ok);
    if (!ok)
        ax_diag_print(&diags, stderr);
    if (ok) {
        CHECK(r.ledger.line[AX_LEDGER_SPIKE_OUT].count == 128);
        CHECK(r.ledger.line[AX_LEDGER_MESSAGE_OUT].count == 448 + 256);
        CHECK(r.ledger.line[AX_LEDGER_PROCESS_SPIKE].count == 2 * 8192);
    }
    ax_sim_result_free(&r);
    ax_mem_free(twice);
    ax_mem_free(text);
    ax_diag_list_free(&diags);
}

AX_TEST_MAIN(T(test_spiking_projection), T(test_dram_stream), T(test_dense_chain),
             T(test_runtime_deadlock), T(test_spikes_generated_once))
