/* The executor's instruction families on tiny programs written here, each
 * value worked out by hand in the comment beside its check: threshold and
 * round half to even (ties at either parity), saturation under a fixed T,
 * the events of a count (bitwise and ternary), events that wait for their
 * barrier, a block of two groups,
 * synacc against a naive loop on random blocks (sparse and dense counts),
 * messages added by sending core, a lookup, dense ops in place, the LM
 * head's argmax and argmerge, vdot,
 * rmsnorm, rope, GLA (and a batch's decays pending per sequence), the K/V
 * ring, the errors (counts no encode wrote, a
 * deadlock) and allocation failures while creating and running; tokens in
 * flight whose events and messages reach a core before those of an earlier
 * token. */
#include "ax_test.h"

#include <math.h>

#include "exec_weights.h"

#include "ax_diag.h"
#include "ax_mem.h"

#define HEAD ".axb 2\n.cores 4\n.sram_words 4096\n.cores_per_chip 0\n.dram_bytes_per_chip 0\n"

/* A parsed program and its executor over `tensors` (NULL: none). */
struct fixture {
    struct ax_prog p;
    ax_exec_t *ex;
    struct ax_diag_list diags;
};

static int open_fixture(struct fixture *f, const char *text, struct test_tensor *tensors)
{
    ax_diag_list_init(&f->diags);
    ax_prog_init(&f->p, 0, 0);
    f->ex = NULL;
    struct ax_exec_weights src = {test_fetch, tensors};
    int ok = ax_prog_parse(&f->p, "unit.s", text, strlen(text), &f->diags) == AX_OK &&
             ax_exec_create(&f->p, "unit.s", &src, &f->ex, &f->diags) == AX_OK;
    CHECK(ok);
    if (!ok)
        ax_diag_print(&f->diags, stderr);
    return ok;
}

static void close_fixture(struct fixture *f)
{
    ax_exec_free(f->ex);
    ax_prog_free(&f->p);
    ax_diag_list_free(&f->diags);
}

/* Writes floats into buffer `name` of `core`. */
static void put(struct fixture *f, uint32_t core, const char *name, const float *v, uint32_t n)
{
    uint32_t words = 0;
    const uint32_t *w = ax_exec_buffer(f->ex, core, name, &words);
    CHECK(w && n <= words);
    if (w && n <= words)
        memcpy((uint32_t *)(uintptr_t)w, v, n * sizeof *v);
}

/* Runs one token; a run that fails is a failed check (no test here expects
 * one: those call ax_exec_run), so the checks a caller skips after it
 * cannot pass unseen. */
static int run(struct fixture *f, uint32_t token, uint64_t pos)
{
    ax_status st = ax_exec_run(f->ex, token, pos, &f->diags);
    if (st != AX_OK)
        ax_diag_print(&f->diags, stderr);
    CHECK(st == AX_OK);
    return st == AX_OK;
}

static int32_t count(struct fixture *f, uint32_t core, const char *name, uint32_t i)
{
    uint32_t n = 0;
    const uint32_t *w = ax_exec_buffer(f->ex, core, name, &n);
    return w && i < n ? (int32_t)w[i] : INT32_MIN;
}

/* ---- the soma: thresh and encode ------------------------------------------------------------ */

static const char *const encode_text =
    HEAD ".const 1.25\n"
    ".buffer core=0 addr=0 words=4 kind=value name=x\n"
    ".buffer core=0 addr=4 words=1 kind=scalar name=vth\n"
    ".buffer core=0 addr=8 words=4 kind=counts name=c0\n"
    ".buffer core=0 addr=12 words=4 kind=counts name=c1\n"
    ".buffer core=0 addr=16 words=4 kind=counts name=c2\n"
    ".code 0\n setlen 4\n thresh x, vth\n encode x, vth, c0\n"
    " encode x, vth, c1 .flags 4\n encode x, vth, c2 .flags 5\n halt\n";

static void test_thresh_encode(void)
{
    struct fixture f;
    if (!open_fixture(&f, encode_text, NULL))
        return;
    /* sum |x| = 5, mean 1.25, k = 1.25: V_th = 1 exactly; counts rne(x):
     * 0.5 -> 0, 1.5 -> 2, -2.5 -> -2, -0.5 -> 0 (half to even) */
    float x[4] = {0.5f, 1.5f, -2.5f, -0.5f};
    put(&f, 0, "x", x, 4);
    if (run(&f, 0, 0)) {
        CHECK(ax_exec_f32(f.ex, 0, "vth", 0) == 1.0f);
        int32_t want[4] = {0, 2, -2, 0}, sat[4] = {0, 1, -1, 0};
        for (uint32_t i = 0; i < 4; i++) {
            CHECK(count(&f, 0, "c0", i) == want[i]);
            CHECK(count(&f, 0, "c1", i) == sat[i]); /* bitwise, T = 1: |s| <= 1 */
            CHECK(count(&f, 0, "c2", i) == sat[i]); /* ternary, T = 1: |s| <= 1 */
        }
    }
    /* all zero: V_th clamps to 1e-5 and every count is 0 */
    float z[4] = {0};
    put(&f, 0, "x", z, 4);
    if (run(&f, 0, 0)) {
        CHECK(ax_exec_f32(f.ex, 0, "vth", 0) == 1e-5f);
        CHECK(count(&f, 0, "c0", 1) == 0);
    }
    /* a NaN has no count: its threshold is NaN too, and the run fails at the
     * first input the encode cannot count, naming it */
    float n[4] = {1.0f, NAN, 1.0f, 1.0f};
    put(&f, 0, "x", n, 4);
    CHECK(ax_exec_run(f.ex, 0, 0, &f.diags) == AX_ERR_INVALID);
    char line[600] = "";
    if (f.diags.n_items)
        ax_diag_format(&f.diags.items[f.diags.n_items - 1], line, sizeof line);
    CHECK(strstr(line, "(encode)") && strstr(line, "input 0 of the encoded value is 1 with V_th nan"));
    close_fixture(&f);
}

/* Ties at either parity and a fixed T that saturates after rounding:
 * x = 1, 3, 5, -7: sum |x| = 16, mean 4, k = 2: V_th = 2 exactly and
 * x / V_th = 0.5, 1.5, 2.5, -3.5, counts rne 0, 2, 2, -4 (half away from
 * zero would give 1, 2, 3, -4; truncation 0, 1, 2, -3); bitwise T = 2
 * (.flags 8) saturates the rounded -4 at -3. */
static void test_encode_ties(void)
{
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".const 2\n"
                      ".buffer core=0 addr=0 words=4 kind=value name=x\n"
                      ".buffer core=0 addr=4 words=1 kind=scalar name=vth\n"
                      ".buffer core=0 addr=8 words=4 kind=counts name=c0\n"
                      ".buffer core=0 addr=12 words=4 kind=counts name=c1\n"
                      ".code 0\n setlen 4\n thresh x, vth\n encode x, vth, c0\n"
                      " encode x, vth, c1 .flags 8\n halt\n",
                      NULL))
        return;
    float x[4] = {1.0f, 3.0f, 5.0f, -7.0f};
    put(&f, 0, "x", x, 4);
    if (run(&f, 0, 0)) {
        CHECK(ax_exec_f32(f.ex, 0, "vth", 0) == 2.0f);
        int32_t even[4] = {0, 2, 2, -4}, sat[4] = {0, 2, 2, -3};
        for (uint32_t i = 0; i < 4; i++) {
            CHECK(count(&f, 0, "c0", i) == even[i]);
            CHECK(count(&f, 0, "c1", i) == sat[i]);
        }
    }
    close_fixture(&f);
}

/* ---- events, synacc, scale -------------------------------------------------------------------- */

/* w: 2 rows x 4 columns; row 0 codes 1, 2, 3, 4 scale 0.5; row 1 codes -1,
 * 0, 1, 0 scale 0.25. */
static int w_code(uint32_t j, uint32_t i)
{
    static const int c[2][4] = {{1, 2, 3, 4}, {-1, 0, 1, 0}};
    return c[j][i];
}
static float w_scale(uint32_t j, uint32_t g)
{
    (void)g;
    return j ? 0.25f : 0.5f;
}

static char *spiking_text_k(unsigned flags, const char *k)
{
    static char text[2048], fl[16];
    snprintf(fl, sizeof fl, flags ? " .flags %u" : "", flags);
    snprintf(text, sizeof text,
             HEAD ".const %s\n"
             ".weights core=0 tensor=\"w\" rows=0+2 cols=0+4 sram\n"
             ".buffer core=0 addr=0 words=4 kind=weights ref=0 name=w\n"
             ".buffer core=0 addr=4 words=4 kind=value name=x\n"
             ".buffer core=0 addr=8 words=1 kind=scalar name=vth\n"
             ".buffer core=0 addr=12 words=4 kind=counts name=cnt\n"
             ".buffer core=0 addr=16 words=2 kind=acc name=acc\n"
             ".route src=0 dst=0 spikes\n.barrier cores=0\n"
             ".code 0\n setlen 4\n thresh x, vth\n encode x, vth, cnt%s\n emit cnt, 0\n"
             " barrier 0\n setlen 2\n acczero acc\n synacc 0, acc\n scale acc, w+2, acc\n halt\n",
             k, fl);
    return text;
}

static char *spiking_text(unsigned flags)
{
    return spiking_text_k(flags, "2");
}

static void test_events_synacc_scale(void)
{
    struct test_tensor t[] = {{"w", w_code, w_scale, NULL}, {NULL, NULL, NULL, NULL}};
    /* x = 5, -3, 0, 0: sum |x| = 8, mean 2, k = 2: V_th = 1, counts 5, -3, 0, 0.
     * acc_0 = 5 x 1 - 3 x 2 = -1, acc_1 = 5 x -1 = -5;
     * y_0 = 1 x 0.5 x -1 = -0.5, y_1 = 1 x 0.25 x -5 = -1.25. */
    static const struct {
        unsigned flags;
        uint64_t events;
    } cases[] = {
        {0, 4}, /* bitwise: 5 = 0b101 two events (+4, +1), 3 = 0b11 two (-2, -1) */
        {1, 8}, /* ternary: 5 + 3 events of +-1 */
        {2, 8}, /* binary: 5 on the positive train, 3 on the negative */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct fixture f;
        if (!open_fixture(&f, spiking_text(cases[c].flags), t))
            return;
        float x[4] = {5.0f, -3.0f, 0.0f, 0.0f};
        put(&f, 0, "x", x, 4);
        if (run(&f, 0, 0)) {
            CHECK(count(&f, 0, "cnt", 0) == 5 && count(&f, 0, "cnt", 1) == -3);
            CHECK(ax_exec_f32(f.ex, 0, "acc", 0) == -0.5f);
            CHECK(ax_exec_f32(f.ex, 0, "acc", 1) == -1.25f);
            struct ax_exec_stats s;
            ax_exec_stats(f.ex, &s);
            CHECK(s.n_events == cases[c].events);
            CHECK(s.n_synops == cases[c].events * 2);
        }
        close_fixture(&f);
    }
}

/* Spike events wait for the barrier their sending core reaches next: core
 * 1 sends to core 2 before core 0 can reach barrier 0 (core 0 waits for
 * core 1's message first), yet core 2's first synacc sees core 0's events
 * alone and its second core 1's alone. Core 0: x = 5, -3, 0, 0, V_th 1,
 * counts 5, -3: a = -0.5, -1.25 (test_events_synacc_scale). Core 1: x = 0,
 * 0, 8, 0: sum |x| = 8, mean 2, k = 2: V_th 1, count 8 at column 2: acc
 * 8 x 3 = 24 and 8 x 1 = 8; b = 1 x 0.5 x 24 = 12 and 1 x 0.25 x 8 = 2.
 * Taken at barrier 0 with core 0's, core 1's events would give both
 * synaccs the sums of all: a = b = 0.5 x 23 = 11.5 and 0.25 x 3 = 0.75. */
static void test_events_wait_for_their_barrier(void)
{
    struct test_tensor t[] = {{"w", w_code, w_scale, NULL}, {NULL, NULL, NULL, NULL}};
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".const 2\n"
                      ".weights core=2 tensor=\"w\" rows=0+2 cols=0+4 sram\n"
                      ".buffer core=0 addr=0 words=4 kind=value name=x\n"
                      ".buffer core=0 addr=4 words=1 kind=scalar name=vth\n"
                      ".buffer core=0 addr=8 words=4 kind=counts name=cnt\n"
                      ".buffer core=0 addr=12 words=1 kind=value name=m\n"
                      ".buffer core=1 addr=0 words=4 kind=value name=x\n"
                      ".buffer core=1 addr=4 words=1 kind=scalar name=vth\n"
                      ".buffer core=1 addr=8 words=4 kind=counts name=cnt\n"
                      ".buffer core=2 addr=0 words=4 kind=weights ref=0 name=w\n"
                      ".buffer core=2 addr=4 words=2 kind=acc name=a\n"
                      ".buffer core=2 addr=6 words=2 kind=acc name=b\n"
                      ".route src=0 dst=2 spikes\n.route src=1 dst=2 spikes\n"
                      ".route src=1 dst=0@12 values\n"
                      ".barrier cores=0,2\n.barrier cores=1,2\n"
                      ".code 0\n setlen 4\n thresh x, vth\n encode x, vth, cnt\n emit cnt, 0\n"
                      " setlen 1\n acczero m\n psumrecv m, 1\n barrier 0\n halt\n"
                      ".code 1\n setlen 4\n thresh x, vth\n encode x, vth, cnt\n emit cnt, 1\n"
                      " setlen 1\n psumsend x, 2\n barrier 1\n halt\n"
                      ".code 2\n barrier 0\n setlen 2\n acczero a\n synacc 0, a\n scale a, w+2, a\n"
                      " barrier 1\n acczero b\n synacc 0, b\n scale b, w+2, b\n halt\n",
                      t))
        return;
    float xa[4] = {5.0f, -3.0f, 0.0f, 0.0f}, xb[4] = {0.0f, 0.0f, 8.0f, 0.0f};
    put(&f, 0, "x", xa, 4);
    put(&f, 1, "x", xb, 4);
    if (run(&f, 0, 0)) {
        CHECK(ax_exec_f32(f.ex, 2, "a", 0) == -0.5f && ax_exec_f32(f.ex, 2, "a", 1) == -1.25f);
        CHECK(ax_exec_f32(f.ex, 2, "b", 0) == 12.0f && ax_exec_f32(f.ex, 2, "b", 1) == 2.0f);
    }
    close_fixture(&f);
}

/* One emit to two cores whose first barriers after it differ: core 1's
 * events belong to barrier 0 (cores 0 and 1), core 2's to barrier 1 (cores
 * 0 and 2). Each destination sees them at its own, so both compute what
 * the test above computes from the same x: -0.5, -1.25. */
static void test_events_barrier_per_destination(void)
{
    struct test_tensor t[] = {{"w", w_code, w_scale, NULL}, {NULL, NULL, NULL, NULL}};
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".const 2\n"
                      ".weights core=1 tensor=\"w\" rows=0+2 cols=0+4 sram\n"
                      ".weights core=2 tensor=\"w\" rows=0+2 cols=0+4 sram\n"
                      ".buffer core=0 addr=0 words=4 kind=value name=x\n"
                      ".buffer core=0 addr=4 words=1 kind=scalar name=vth\n"
                      ".buffer core=0 addr=8 words=4 kind=counts name=cnt\n"
                      ".buffer core=1 addr=0 words=4 kind=weights ref=0 name=w\n"
                      ".buffer core=1 addr=4 words=2 kind=acc name=a\n"
                      ".buffer core=2 addr=0 words=4 kind=weights ref=1 name=w\n"
                      ".buffer core=2 addr=4 words=2 kind=acc name=a\n"
                      ".route src=0 dst=1,2 spikes\n"
                      ".barrier cores=0,1\n.barrier cores=0,2\n"
                      ".code 0\n setlen 4\n thresh x, vth\n encode x, vth, cnt\n emit cnt, 0\n"
                      " barrier 0\n barrier 1\n halt\n"
                      ".code 1\n barrier 0\n setlen 2\n acczero a\n synacc 0, a\n scale a, w+2, a\n"
                      " halt\n"
                      ".code 2\n barrier 1\n setlen 2\n acczero a\n synacc 1, a\n scale a, w+2, a\n"
                      " halt\n",
                      t))
        return;
    float x[4] = {5.0f, -3.0f, 0.0f, 0.0f};
    put(&f, 0, "x", x, 4);
    if (run(&f, 0, 0))
        for (uint32_t core = 1; core <= 2; core++)
            CHECK(ax_exec_f32(f.ex, core, "a", 0) == -0.5f &&
                  ax_exec_f32(f.ex, core, "a", 1) == -1.25f);
    close_fixture(&f);
}

/* w's codes in columns 5..8 of a wider tensor: what a block of a vector's
 * rows 5..8 reads. */
static int w_code_at5(uint32_t j, uint32_t i)
{
    return i >= 5 && i < 9 ? w_code(j, i - 5) : 0;
}

/* A counts buffer with ref = 5 holds rows 5..8 of an encoded vector (a
 * shard): its events name columns 5..8, which the block of columns 5..8
 * takes, as test_events_synacc_scale's block takes columns 0..3 of the same
 * counts: -0.5, -1.25, from 4 events. Without the base the events would
 * name columns 0..3, outside the block: no event, accumulators 0. */
static void test_emit_counts_ref(void)
{
    struct test_tensor t[] = {{"w", w_code_at5, w_scale, NULL}, {NULL, NULL, NULL, NULL}};
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".const 2\n"
                           ".weights core=1 tensor=\"w\" rows=0+2 cols=5+4 sram\n"
                           ".buffer core=0 addr=0 words=4 kind=value name=x\n"
                           ".buffer core=0 addr=4 words=1 kind=scalar name=vth\n"
                           ".buffer core=0 addr=8 words=4 kind=counts ref=5 name=cnt\n"
                           ".buffer core=1 addr=0 words=4 kind=weights ref=0 name=w\n"
                           ".buffer core=1 addr=4 words=2 kind=acc name=acc\n"
                           ".route src=0 dst=1 spikes\n.barrier cores=0,1\n"
                           ".code 0\n setlen 4\n thresh x, vth\n encode x, vth, cnt\n emit cnt, 0\n"
                           " barrier 0\n halt\n"
                           ".code 1\n barrier 0\n setlen 2\n acczero acc\n synacc 0, acc\n"
                           " scale acc, w+2, acc\n halt\n",
                      t))
        return;
    float x[4] = {5.0f, -3.0f, 0.0f, 0.0f};
    put(&f, 0, "x", x, 4);
    if (run(&f, 0, 0)) {
        CHECK(ax_exec_f32(f.ex, 1, "acc", 0) == -0.5f);
        CHECK(ax_exec_f32(f.ex, 1, "acc", 1) == -1.25f);
        struct ax_exec_stats st;
        ax_exec_stats(f.ex, &st);
        CHECK(st.n_events == 4 && st.n_synops == 8);
    }
    close_fixture(&f);
}

/* Tokens in flight (ax_exec_begin_flight) under dataflow: cores 0 and 1
 * each add one to their x, encode it, emit its events to core 2 and send it
 * to core 2's m, then barrier 0, which core 2 passes once both have; core 2
 * sums the events through w and the two messages, and keeps every token's
 * results in h = 2h + a and hm = 2hm + m, so that a token's events or
 * messages taken by another changes them. The cores 0 and 1 wait for no one
 * (no core sends them events): run first, each sends core 2 the events and
 * messages of every token before core 2 has taken the first's; core 2 must
 * take each token's own, and end as three tokens run one after another
 * leave it. Also with a window of one token, cores taken in turn. */
static const char *const flight_text =
    HEAD ".const 2\n"
         ".weights core=2 tensor=\"w\" rows=0+2 cols=0+4 sram\n"
         ".buffer core=0 addr=0 words=4 kind=value name=x\n"
         ".buffer core=0 addr=4 words=4 kind=value name=one\n"
         ".buffer core=0 addr=8 words=1 kind=scalar name=vth\n"
         ".buffer core=0 addr=12 words=4 kind=counts name=cnt\n"
         ".buffer core=1 addr=0 words=4 kind=value name=x\n"
         ".buffer core=1 addr=4 words=4 kind=value name=one\n"
         ".buffer core=1 addr=8 words=1 kind=scalar name=vth\n"
         ".buffer core=1 addr=12 words=4 kind=counts name=cnt\n"
         ".buffer core=2 addr=0 words=4 kind=weights ref=0 name=w\n"
         ".buffer core=2 addr=4 words=2 kind=acc name=a\n"
         ".buffer core=2 addr=8 words=2 kind=value name=h\n"
         ".buffer core=2 addr=12 words=4 kind=value name=two\n"
         ".buffer core=2 addr=16 words=4 kind=value name=m\n"
         ".buffer core=2 addr=20 words=4 kind=value name=hm\n"
         ".route src=0 dst=2 spikes\n.route src=1 dst=2 spikes\n"
         ".route src=0 dst=2@16 values\n.route src=1 dst=2@16 values\n"
         ".barrier cores=0,1,2\n"
         ".code 0\n setlen 4\n vadd x, x, one\n thresh x, vth\n encode x, vth, cnt\n emit cnt, 0\n"
         " psumsend x, 2\n barrier 0\n halt\n"
         ".code 1\n setlen 4\n vadd x, x, one\n thresh x, vth\n encode x, vth, cnt\n emit cnt, 1\n"
         " psumsend x, 3\n barrier 0\n halt\n"
         ".code 2\n barrier 0\n setlen 2\n acczero a\n synacc 0, a\n scale a, w+2, a\n"
         " vmul h, h, two\n vadd h, h, a\n setlen 4\n acczero m\n psumrecv m, 2\n"
         " vmul hm, hm, two\n vadd hm, hm, m\n halt\n";

static int open_flight(struct fixture *f, struct test_tensor *t)
{
    if (!open_fixture(f, flight_text, t))
        return 0;
    /* one a permutation of the other: the same V_th every token, so their
     * events may share core 2's accumulators */
    float x0[4] = {5.0f, -3.0f, 0.0f, 1.0f}, x1[4] = {1.0f, 0.0f, -3.0f, 5.0f};
    float one[4] = {1.0f, 1.0f, 1.0f, 1.0f}, two[4] = {2.0f, 2.0f, 2.0f, 2.0f};
    put(f, 0, "x", x0, 4);
    put(f, 1, "x", x1, 4);
    put(f, 0, "one", one, 4);
    put(f, 1, "one", one, 4);
    put(f, 2, "two", two, 4);
    CHECK(ax_exec_dataflow(f->ex, &f->diags) == AX_OK);
    return 1;
}

static void test_flight_takes_its_own(void)
{
    struct test_tensor t[] = {{"w", w_code, w_scale, NULL}, {NULL, NULL, NULL, NULL}};
    struct fixture seq, fl;
    if (!open_flight(&seq, t))
        return;
    for (uint32_t tok = 0; tok < 3; tok++)
        run(&seq, 0, tok);
    for (uint32_t window = 0; window < 2; window++) {
        if (!open_flight(&fl, t))
            break;
        uint32_t tokens[3] = {0, 0, 0};
        CHECK(ax_exec_begin_flight(fl.ex, tokens, 3, 0, window, 1, &fl.diags) == AX_OK);
        /* cores 0, 1, 2 in turn, each as far as it goes, until none goes on */
        for (int moved = 1; moved;) {
            moved = 0;
            for (uint32_t k = 0; k < 3; k++) {
                struct ax_exec_did did;
                while (ax_exec_next(fl.ex, k, &did) == AX_OK && did.state == AX_EXEC_RAN)
                    moved = 1;
            }
        }
        CHECK(ax_exec_end(fl.ex) == AX_OK);
        for (uint32_t i = 0; i < 4; i++) {
            if (i < 2)
                CHECK(ax_exec_f32(fl.ex, 2, "h", i) == ax_exec_f32(seq.ex, 2, "h", i));
            CHECK(ax_exec_f32(fl.ex, 2, "hm", i) == ax_exec_f32(seq.ex, 2, "hm", i));
        }
        /* not all zero: the check above could not pass on nothing */
        CHECK(ax_exec_f32(seq.ex, 2, "h", 0) != 0.0f && ax_exec_f32(seq.ex, 2, "hm", 2) != 0.0f);
        close_fixture(&fl);
    }
    close_fixture(&seq);
}

/* A count beyond int16 (synacc's fast sums take counts within int16 and
 * must hand this one to the exact path): x = 5, 0, 0, 0 with k = 10000:
 * V_th = f32(1.25 / 10000), count rne(5 / V_th) = 40000 (0b1001110001000000,
 * 5 events); acc_0 = 40000 x 1, acc_1 = 40000 x -1. */
static void test_large_count(void)
{
    struct test_tensor t[] = {{"w", w_code, w_scale, NULL}, {NULL, NULL, NULL, NULL}};
    struct fixture f;
    if (!open_fixture(&f, spiking_text_k(0, "10000"), t))
        return;
    float x[4] = {5.0f, 0.0f, 0.0f, 0.0f};
    put(&f, 0, "x", x, 4);
    if (run(&f, 0, 0)) {
        CHECK(count(&f, 0, "cnt", 0) == 40000);
        double vth = (double)(float)(1.25 / 10000.0);
        CHECK(ax_exec_f32(f.ex, 0, "acc", 0) == (float)(vth * 0.5 * 40000.0));
        CHECK(ax_exec_f32(f.ex, 0, "acc", 1) == (float)(vth * 0.25 * -40000.0));
        struct ax_exec_stats s;
        ax_exec_stats(f.ex, &s);
        CHECK(s.n_events == 5 && s.n_synops == 10);
    }
    close_fixture(&f);
}

/* A block of 256 columns (two groups) and one row: codes all 1, scale 1 for
 * group 0 and 0.5 for group 1. */
static int one(uint32_t j, uint32_t i)
{
    (void)j, (void)i;
    return 1;
}
static float half_for_g1(uint32_t j, uint32_t g)
{
    (void)j;
    return g ? 0.5f : 1.0f;
}

static void test_two_groups(void)
{
    struct test_tensor t[] = {{"w", one, half_for_g1, NULL}, {NULL, NULL, NULL, NULL}};
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".const 0.0078125\n"
                      ".weights core=0 tensor=\"w\" rows=0+1 cols=0+256 sram\n"
                      ".buffer core=0 addr=0 words=66 kind=weights ref=0 name=w\n"
                      ".buffer core=0 addr=128 words=256 kind=value name=x\n"
                      ".buffer core=0 addr=384 words=1 kind=scalar name=vth\n"
                      ".buffer core=0 addr=512 words=256 kind=counts name=cnt\n"
                      ".buffer core=0 addr=768 words=1 kind=acc name=acc\n"
                      ".buffer core=0 addr=769 words=1 kind=scalar name=y\n"
                      ".route src=0 dst=0 spikes\n.barrier cores=0\n"
                      ".code 0\n setlen 256\n thresh x, vth\n encode x, vth, cnt\n"
                      " setlen 128\n emit cnt, 0\n emit cnt+128, 0\n barrier 0\n"
                      " setlen 1\n acczero acc\n synacc 0, acc\n scale acc, w+64, y\n halt\n",
                      t))
        return;
    /* x_0 = x_128 = 2, the rest 0: mean 4 / 256, k = 2^-7: V_th = 2; counts
     * 1 at columns 0 and 128. acc per group 1 and 1 (the word holds their
     * total, 2); y = 2 x (1 x 1 + 0.5 x 1) = 3: one scale per group, where a
     * single accumulator would give 4 or 2. */
    float x[256] = {0};
    x[0] = x[128] = 2.0f;
    put(&f, 0, "x", x, 256);
    if (run(&f, 0, 0)) {
        CHECK(ax_exec_f32(f.ex, 0, "vth", 0) == 2.0f);
        CHECK(count(&f, 0, "acc", 0) == 2);
        CHECK(ax_exec_f32(f.ex, 0, "y", 0) == 3.0f);
    }
    close_fixture(&f);
}

/* synacc against the naive triple loop, in 64 bits: blocks of several
 * heights by 300 columns (two whole groups and a part), random int8 codes,
 * counts from random inputs, sparse (most columns silent: the event path)
 * and dense (every column spikes: the row-by-row sums over a dense copy of
 * the counts), in every encoding (other events, the same sums). A second
 * synacc of the same block adds the same sums onto the first's. */
static uint64_t rand_seed;

static uint64_t rand_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int rand_code(uint32_t j, uint32_t i)
{
    uint64_t s = rand_seed ^ ((uint64_t)j << 32 | i);
    return (int)(rand_next(&s) % 256) - 128;
}

static float unit_scale(uint32_t j, uint32_t g)
{
    (void)j, (void)g;
    return 1.0f;
}

static void test_synacc_random(void)
{
    static const uint32_t heights[] = {1, 3, 16, 33, 100};
    const uint32_t cols = 300;
    struct test_tensor t[] = {{"w", rand_code, unit_scale, NULL}, {NULL, NULL, NULL, NULL}};
    uint64_t rng = 3;
    float *x = malloc(cols * sizeof *x);
    char *text = malloc(4096);
    int same = 1, n_runs = 0;
    for (size_t h = 0; h < sizeof heights / sizeof heights[0]; h++) {
        for (unsigned enc = 0; enc < 3; enc++) {
            for (int dense = 0; dense < 2; dense++) {
                uint32_t rows = heights[h];
                rand_seed = rand_next(&rng);
                uint32_t ww = (uint32_t)ax_prog_weight_words(rows, cols);
                uint32_t ax = ww, av = ax + cols, ac = av + 1, aa = ac + cols;
                snprintf(text, 4096,
                         ".axb 2\n.cores 1\n.sram_words 65536\n.cores_per_chip 0\n"
                         ".dram_bytes_per_chip 0\n.const 8\n"
                         ".weights core=0 tensor=\"w\" rows=0+%u cols=0+%u sram\n"
                         ".buffer core=0 addr=0 words=%u kind=weights ref=0 name=w\n"
                         ".buffer core=0 addr=%u words=%u kind=value name=x\n"
                         ".buffer core=0 addr=%u words=1 kind=scalar name=vth\n"
                         ".buffer core=0 addr=%u words=%u kind=counts name=cnt\n"
                         ".buffer core=0 addr=%u words=%u kind=acc name=acc\n"
                         ".route src=0 dst=0 spikes\n.barrier cores=0\n"
                         ".code 0\n setlen %u\n thresh x, vth\n encode x, vth, cnt%s\n"
                         " emit cnt, 0\n barrier 0\n setlen %u\n acczero acc\n synacc 0, acc\n"
                         " synacc 0, acc\n halt\n",
                         rows, cols, ww, ax, cols, av, ac, cols, aa, rows, cols,
                         enc == 1 ? " .flags 1" : enc == 2 ? " .flags 2" : "", rows);
                struct fixture f;
                if (!open_fixture(&f, text, t))
                    break;
                for (uint32_t i = 0; i < cols; i++) {
                    double u = (double)(rand_next(&rng) >> 11) * 0x1p-53;
                    int silent = !dense && rand_next(&rng) % 10 != 0;
                    /* |x| in [10, 20): V_th = mean |x| / 8 < 2.5, every count >= 4 */
                    double mag = 10.0 + 10.0 * u;
                    x[i] = silent ? 0.0f : (float)(rand_next(&rng) & 1 ? -mag : mag);
                }
                put(&f, 0, "x", x, cols);
                if (run(&f, 0, 0)) {
                    n_runs++;
                    for (uint32_t j = 0; j < rows; j++) {
                        int64_t want = 0;
                        for (uint32_t i = 0; i < cols; i++)
                            want += 2 * (int64_t)count(&f, 0, "cnt", i) * rand_code(j, i);
                        same &= count(&f, 0, "acc", j) == want;
                    }
                    uint32_t n_zero = 0;
                    for (uint32_t i = 0; i < cols; i++)
                        n_zero += count(&f, 0, "cnt", i) == 0;
                    same &= dense ? n_zero == 0 : n_zero > cols / 2;
                }
                close_fixture(&f);
            }
        }
    }
    CHECK(same && n_runs == 30);
    free(x);
    free(text);
}

/* ---- messages and lookup ---------------------------------------------------------------------- */

static void test_receive_order(void)
{
    /* core 2 sends first (core 1 waits at a barrier until core 2 has sent),
     * yet the receive adds by sending core: y = (1 + 2^-24) + -1 = 0 in
     * float32 (1 + 2^-24 rounds to 1); in arrival order it would be
     * (1 + -1) + 2^-24 = 2^-24. */
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".buffer core=0 addr=0 words=1 kind=value name=y\n"
                      ".buffer core=1 addr=0 words=1 kind=value name=a\n"
                      ".buffer core=2 addr=0 words=1 kind=value name=b\n"
                      ".route src=1 dst=0@0 values\n.route src=2 dst=0@0 values\n"
                      ".barrier cores=1,2\n"
                      ".code 0\n setlen 1\n psumrecv y, 2\n halt\n"
                      ".code 1\n setlen 1\n barrier 0\n psumsend a, 0\n halt\n"
                      ".code 2\n setlen 1\n psumsend b, 1\n barrier 0\n halt\n",
                      NULL))
        return;
    float y = 1.0f, a = 0x1p-24f, b = -1.0f;
    put(&f, 0, "y", &y, 1);
    put(&f, 1, "a", &a, 1);
    put(&f, 2, "b", &b, 1);
    if (run(&f, 0, 0))
        CHECK(test_bits(ax_exec_f32(f.ex, 0, "y", 0)) == test_bits(0.0f));
    close_fixture(&f);
}

/* psumrecv with flags bit 0 (copy) writes the message's words over dst as
 * they are: a signalling NaN pattern (as the low half of a float64 may be),
 * -0.0 and a NaN with a payload and its sign arrive unchanged, over words
 * that held 1.0. The same message added into zeros (a plain psumrecv)
 * changes the first two: 0 + -0 = +0, and a signalling NaN comes out quiet
 * (0x7fc00001). */
static void test_psumrecv_copy(void)
{
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".buffer core=0 addr=0 words=3 kind=value name=v\n"
                           ".buffer core=1 addr=0 words=3 kind=inbox name=a\n"
                           ".buffer core=1 addr=4 words=3 kind=inbox name=b\n"
                           ".route src=0 dst=1@0 values\n.route src=0 dst=1@4 values\n"
                           ".code 0\n setlen 3\n psumsend v, 0\n psumsend v, 1\n halt\n"
                           ".code 1\n setlen 3\n psumrecv a, 1 .flags 1\n psumrecv b, 1\n halt\n",
                      NULL))
        return;
    static const uint32_t v[3] = {0x7f800001u, 0x80000000u, 0xffc12345u};
    float ones[3] = {1.0f, 1.0f, 1.0f};
    uint32_t *vw = ax_exec_words(f.ex, 0, 0, 3);
    CHECK(vw != NULL);
    if (vw)
        memcpy(vw, v, sizeof v);
    put(&f, 1, "a", ones, 3);
    if (run(&f, 0, 0)) {
        uint32_t n = 0;
        const uint32_t *a = ax_exec_buffer(f.ex, 1, "a", &n), *b = ax_exec_buffer(f.ex, 1, "b", &n);
        CHECK(a && a[0] == v[0] && a[1] == v[1] && a[2] == v[2]);
        CHECK(b && b[0] != v[0] && b[1] == 0u); /* what adding does to them */
    }
    close_fixture(&f);
}

/* emb: 2 rows x 4; row 1 codes 10, -20, 30, -40, scale 0.125. */
static int emb_code(uint32_t j, uint32_t i)
{
    static const int c[4] = {10, -20, 30, -40};
    return j ? c[i] : 0;
}
static float eighth(uint32_t j, uint32_t g)
{
    (void)j, (void)g;
    return 0.125f;
}

static const char *const lookup_text =
    HEAD ".weights core=1 tensor=\"emb\" rows=0+2 cols=0+4 sram\n"
    ".buffer core=0 addr=0 words=4 kind=value name=x\n"
    ".buffer core=1 addr=0 words=4 kind=weights ref=0 name=emb.w\n"
    ".route src=1 dst=0@0 values\n"
    ".code 0\n setlen 4\n acczero x\n psumrecv x, 1\n halt\n"
    ".code 1\n lookup 0, 0\n halt\n";

static void test_lookup_and_deadlock(void)
{
    struct test_tensor t[] = {{"emb", emb_code, eighth, NULL}, {NULL, NULL, NULL, NULL}};
    struct fixture f;
    if (!open_fixture(&f, lookup_text, t))
        return;
    /* token 1: codes x 0.125 = 1.25, -2.5, 3.75, -5 */
    if (run(&f, 1, 0)) {
        CHECK(ax_exec_f32(f.ex, 0, "x", 0) == 1.25f);
        CHECK(ax_exec_f32(f.ex, 0, "x", 3) == -5.0f);
    }
    /* token 5 is in no block: nothing is sent and core 0 waits forever; the
     * run ends with an error naming it, instead of hanging */
    CHECK(ax_exec_run(f.ex, 5, 0, &f.diags) == AX_ERR_INVALID);
    char line[600] = "";
    for (uint32_t i = 0; i < f.diags.n_items; i++)
        if (strstr(f.diags.items[i].message, "waits forever"))
            ax_diag_format(&f.diags.items[i], line, sizeof line);
    CHECK(strstr(line, "core 0, instruction 2 (psumrecv)") != NULL);
    CHECK(strstr(line, "buffer 'x'") != NULL);
    close_fixture(&f);
}

static void test_emit_needs_encode(void)
{
    struct test_tensor t[] = {{"w", w_code, w_scale, NULL}, {NULL, NULL, NULL, NULL}};
    struct fixture f;
    char *text = spiking_text(0);
    /* the same program without its encode: the counts carry no V_th */
    char *at = strstr(text, " encode x, vth, cnt\n");
    memmove(at, at + strlen(" encode x, vth, cnt\n"),
            strlen(at + strlen(" encode x, vth, cnt\n")) + 1);
    if (!open_fixture(&f, text, t))
        return;
    uint32_t *cnt = ax_exec_words(f.ex, 0, 12, 4);
    CHECK(cnt != NULL);
    if (cnt)
        cnt[0] = 3;
    CHECK(ax_exec_run(f.ex, 0, 0, &f.diags) == AX_ERR_INVALID);
    char line[600] = "";
    if (f.diags.n_items)
        ax_diag_format(&f.diags.items[0], line, sizeof line);
    CHECK(strstr(line, "core 0, instruction 2 (emit)") && strstr(line, "not written by an encode"));
    close_fixture(&f);
}

/* ---- dense ops -------------------------------------------------------------------------------- */

static void test_dense_ops(void)
{
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".buffer core=0 addr=0 words=4 kind=value name=a\n"
                      ".buffer core=0 addr=4 words=4 kind=value name=b\n"
                      ".buffer core=0 addr=8 words=4 kind=value name=c\n"
                      ".buffer core=0 addr=12 words=4 kind=value name=d\n"
                      ".buffer core=0 addr=16 words=4 kind=value name=e\n"
                      ".buffer core=0 addr=20 words=1 kind=scalar name=sum\n"
                      ".buffer core=0 addr=21 words=1 kind=scalar name=sumsq\n"
                      ".buffer core=0 addr=22 words=1 kind=scalar name=max\n"
                      ".buffer core=0 addr=24 words=4 kind=value name=big\n"
                      ".code 0\n setlen 4\n vadd a, a, b\n vmul c, a, b\n vmac c, a, b\n"
                      " vdiv d, c, b\n vcopy e, d\n vrsqrt b, b\n vsum sum, big\n"
                      " vsumsq sumsq, a\n vmax max, a\n vexp e, e\n vsilu d, d\n halt\n",
                      NULL))
        return;
    float a[4] = {1, 2, 3, 4}, b[4] = {4, 4, 0.25f, 1}, big[4] = {0x1p24f, 1, 1, -0x1p24f};
    put(&f, 0, "a", a, 4);
    put(&f, 0, "b", b, 4);
    put(&f, 0, "big", big, 4);
    for (int i = 0; i < 4; i++)
        CHECK(ax_exec_words(f.ex, 0, 12 + (uint32_t)i, 1) != NULL);
    uint32_t *d = ax_exec_words(f.ex, 0, 12, 4);
    if (d)
        memset(d, 0, 16);
    if (run(&f, 0, 0)) {
        /* a = a + b in place: 5, 6, 3.25, 5; c = a b = 20, 24, 0.8125, 5;
         * vmac: c + a b = 40, 48, 1.625, 10; d = c / b = 10, 12, 6.5, 10;
         * b = 1 / sqrt(b) = 0.5, 0.5, 2, 1 */
        CHECK(ax_exec_f32(f.ex, 0, "a", 2) == 3.25f);
        CHECK(ax_exec_f32(f.ex, 0, "c", 0) == 40.0f && ax_exec_f32(f.ex, 0, "c", 2) == 1.625f);
        CHECK(ax_exec_f32(f.ex, 0, "b", 0) == 0.5f && ax_exec_f32(f.ex, 0, "b", 2) == 2.0f);
        /* vsum in float64: 2^24 + 1 + 1 - 2^24 = 2 (float32 steps would give 0) */
        CHECK(ax_exec_f32(f.ex, 0, "sum", 0) == 2.0f);
        /* 25 + 36 + 10.5625 + 25 */
        CHECK(ax_exec_f32(f.ex, 0, "sumsq", 0) == 96.5625f);
        CHECK(ax_exec_f32(f.ex, 0, "max", 0) == 6.0f);
        /* e = exp(d) from the copy, d = silu(d) in place */
        CHECK(ax_exec_f32(f.ex, 0, "e", 3) == (float)exp(10.0));
        CHECK(ax_exec_f32(f.ex, 0, "d", 2) == (float)(6.5 / (1.0 + exp(-6.5))));
    }
    close_fixture(&f);
}

/* argmax and argmerge, the LM head's pairs: the first index of the
 * largest, a NaN passed over unless first, ties in a merge to the smaller
 * index wherever its pair lies. */
static void test_argmax(void)
{
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".buffer core=0 addr=0 words=7 kind=acc name=x\n"
                           ".buffer core=0 addr=8 words=5 kind=acc name=y\n"
                           ".buffer core=0 addr=16 words=8 kind=acc name=pairs\n"
                           ".code 0\n setlen 5\n argmax x, 100\n setlen 3\n argmax y, 7\n"
                           " argmerge pairs, 4\n halt\n",
                      NULL))
        return;
    /* x: the largest, 3, first at index 1 (index 3 ties it later) */
    float x[5] = {-1, 3, 2, 3, 0.5f}, y[3] = {NAN, 9, 1};
    /* pairs: (4, 12), (6, 40), (6, 31), (-2, 0): 6 twice, the smaller id 31 wins */
    float pairs[8] = {4, 12, 6, 40, 6, 31, -2, 0};
    put(&f, 0, "x", x, 5);
    put(&f, 0, "y", y, 3);
    put(&f, 0, "pairs", pairs, 8);
    if (run(&f, 0, 0)) {
        /* base 100 + index 1; the vector itself unchanged */
        CHECK(ax_exec_f32(f.ex, 0, "x", 5) == 3.0f && ax_exec_f32(f.ex, 0, "x", 6) == 101.0f);
        CHECK(ax_exec_f32(f.ex, 0, "x", 1) == 3.0f && ax_exec_f32(f.ex, 0, "x", 3) == 3.0f);
        /* a NaN first is never passed (no value is greater than it): (NaN, 7 + 0) */
        CHECK(isnan(ax_exec_f32(f.ex, 0, "y", 3)) && ax_exec_f32(f.ex, 0, "y", 4) == 7.0f);
        CHECK(ax_exec_f32(f.ex, 0, "pairs", 0) == 6.0f &&
              ax_exec_f32(f.ex, 0, "pairs", 1) == 31.0f);
    }
    close_fixture(&f);
}

/* vdot: 2 rows x 4; row 0 codes 1, 1, 1, 1 scale 0.5; row 1 codes 1, -1, 0,
 * 2 scale 2. */
static int vdot_code(uint32_t j, uint32_t i)
{
    static const int c[2][4] = {{1, 1, 1, 1}, {1, -1, 0, 2}};
    return c[j][i];
}
static float vdot_scale(uint32_t j, uint32_t g)
{
    (void)g;
    return j ? 2.0f : 0.5f;
}
static float norm_w(uint32_t j, uint32_t i)
{
    (void)j;
    return (float)(i + 1);
}

static void test_vdot_rmsnorm_rope(void)
{
    struct test_tensor t[] = {{"w", vdot_code, vdot_scale, NULL},
                              {"nw", NULL, NULL, norm_w},
                              {NULL, NULL, NULL, NULL}};
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".const 0\n.const 0.5\n"
                      ".weights core=0 tensor=\"w\" rows=0+2 cols=0+4 sram\n"
                      ".weights core=0 tensor=\"nw\" rows=0+1 cols=0+4 sram float\n"
                      ".buffer core=0 addr=0 words=4 kind=weights ref=0 name=w\n"
                      ".buffer core=0 addr=4 words=4 kind=param ref=1 name=nw\n"
                      ".buffer core=0 addr=8 words=4 kind=value name=x\n"
                      ".buffer core=0 addr=12 words=2 kind=value name=y\n"
                      ".buffer core=0 addr=16 words=4 kind=value name=n\n"
                      ".buffer core=0 addr=20 words=1 kind=const ref=1 name=inv\n"
                      ".buffer core=0 addr=24 words=2 kind=value name=r\n"
                      ".code 0\n setlen 2\n vdot y, w, x\n setlen 4\n rmsnorm n, n, nw\n"
                      " setlen 2\n rope r, r, inv\n halt\n",
                      t))
        return;
    float x[4] = {1, 2, 3, 4}, n[4] = {2, 2, 2, 2}, r[2] = {1, 0};
    put(&f, 0, "x", x, 4);
    put(&f, 0, "n", n, 4);
    put(&f, 0, "r", r, 2);
    if (run(&f, 0, 2)) {
        /* y_0 = 0.5 x 10 = 5; y_1 = 2 x (1 - 2 + 0 + 8) = 14 */
        CHECK(ax_exec_f32(f.ex, 0, "y", 0) == 5.0f && ax_exec_f32(f.ex, 0, "y", 1) == 14.0f);
        /* mean(x^2) = 4, eps 0: x / 2 = 1, times w = 1, 2, 3, 4, in place */
        CHECK(ax_exec_f32(f.ex, 0, "n", 0) == 1.0f && ax_exec_f32(f.ex, 0, "n", 3) == 4.0f);
        /* d = 2, position 2 x inverse frequency 0.5 = angle 1: (cos 1, sin 1) */
        CHECK(ax_exec_f32(f.ex, 0, "r", 0) == (float)cos(1.0));
        CHECK(ax_exec_f32(f.ex, 0, "r", 1) == (float)sin(1.0));
    }
    close_fixture(&f);
}

/* A float record: row 0 = 0.1, 0.2, 0.3, 0.4; row 1 = 1, -1, 0, 2. */
static float float_w(uint32_t j, uint32_t i)
{
    static const float v[2][4] = {{0.1f, 0.2f, 0.3f, 0.4f}, {1, -1, 0, 2}};
    return v[j][i];
}

/* vdot over a weights buffer of float32 values (what the model does not
 * quantize), rope with theta from the consts (flags), in f64, and vmul's
 * fused SwiGLU. */
static void test_float_vdot_rope_theta(void)
{
    struct test_tensor t[] = {{"w", NULL, NULL, float_w}, {NULL, NULL, NULL, NULL}};
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".const 3\n.const 10000\n.const 0.5\n"
                      ".weights core=0 tensor=\"w\" rows=0+2 cols=0+4 sram float\n"
                      ".buffer core=0 addr=0 words=8 kind=weights ref=0 name=w\n"
                      ".buffer core=0 addr=8 words=4 kind=value name=x\n"
                      ".buffer core=0 addr=12 words=2 kind=value name=y\n"
                      ".buffer core=0 addr=16 words=2 kind=const ref=1 name=tab\n"
                      ".buffer core=0 addr=20 words=4 kind=value name=r\n"
                      ".buffer core=0 addr=24 words=4 kind=value name=s\n"
                      ".code 0\n setlen 2\n vdot y, w, x\n setlen 4\n rope r, r, tab .flags 1\n"
                      " vmul s, x, x .flags 1\n halt\n",
                      t))
        return;
    float x[4] = {1, 2, 3, 4}, r[4] = {1, 1, 0, 0};
    put(&f, 0, "x", x, 4);
    put(&f, 0, "r", r, 4);
    if (run(&f, 0, 3)) {
        double y0 = (double)0.1f + (double)0.2f * 2 + (double)0.3f * 3 + (double)0.4f * 4;
        CHECK(ax_exec_f32(f.ex, 0, "y", 0) == (float)y0 && ax_exec_f32(f.ex, 0, "y", 1) == 7.0f);
        /* d = 4: inverse frequencies 1 and 10000^-0.5 = 0.01 in f64, position 3 */
        CHECK(ax_exec_f32(f.ex, 0, "r", 0) == (float)cos(3.0));
        CHECK(ax_exec_f32(f.ex, 0, "r", 2) == (float)sin(3.0));
        double a = 3.0 * pow(10000.0, -2.0 / 4.0);
        CHECK(ax_exec_f32(f.ex, 0, "r", 1) == (float)cos(a));
        CHECK(ax_exec_f32(f.ex, 0, "r", 3) == (float)sin(a));
        /* SwiGLU: SiLU(x) x x in f64, rounded once */
        for (uint32_t i = 0; i < 4; i++)
            CHECK(ax_exec_f32(f.ex, 0, "s", i) ==
                  (float)((double)x[i] / (1.0 + exp(-(double)x[i])) * (double)x[i]));
    }
    close_fixture(&f);
}

/* ---- running totals: a vector cut into row shards -------------------------------------------- */

/* Norm weights 0.5, 0.75, 1, ... by column. */
static float shard_w(uint32_t j, uint32_t i)
{
    (void)j;
    return 0.5f + 0.25f * (float)i;
}

/* A vector of 8 rows cut in two shards of 4: core 0 holds rows 0..3 and
 * starts the total, core 1 (rows 4..7) receives it, continues it and sends
 * the whole vector's total back; each then scales its rows (rmsscale +
 * vmul) or takes the threshold (threshof). Core 2 holds the whole vector
 * and runs rmsnorm (or thresh). `is_rms`: squares, else |x|; the constant
 * is eps (or k). */
static const char *shard_text(int is_rms, const char *constant)
{
    static char text[4096];
    snprintf(text, sizeof text,
             HEAD ".const %s\n"
                  ".weights core=0 tensor=\"nw\" rows=0+1 cols=0+4 sram float\n"
                  ".weights core=1 tensor=\"nw\" rows=0+1 cols=4+4 sram float\n"
                  ".weights core=2 tensor=\"nw\" rows=0+1 cols=0+8 sram float\n"
                  ".buffer core=0 addr=0 words=4 kind=value name=x\n"
                  ".buffer core=0 addr=4 words=3 kind=value name=tot\n"
                  ".buffer core=0 addr=8 words=4 kind=param ref=0 name=w\n"
                  ".buffer core=0 addr=12 words=4 kind=value name=y\n"
                  ".buffer core=1 addr=0 words=4 kind=value name=x\n"
                  ".buffer core=1 addr=4 words=3 kind=value name=tot\n"
                  ".buffer core=1 addr=8 words=4 kind=param ref=1 name=w\n"
                  ".buffer core=1 addr=12 words=4 kind=value name=y\n"
                  ".buffer core=2 addr=0 words=8 kind=value name=x\n"
                  ".buffer core=2 addr=8 words=8 kind=param ref=2 name=w\n"
                  ".buffer core=2 addr=16 words=8 kind=value name=y\n"
                  ".route src=0 dst=1@4 values\n.route src=1 dst=0@4 values\n"
                  ".code 0\n setlen 4\n sumacc tot, x .flags %u\n setlen 3\n psumsend tot, 0\n"
                  " psumrecv tot, 1 .flags 1\n setlen 4\n %s\n halt\n"
                  ".code 1\n setlen 3\n psumrecv tot, 1 .flags 1\n setlen 4\n sumacc tot, x%s\n"
                  " setlen 3\n psumsend tot, 1\n setlen 4\n %s\n halt\n"
                  ".code 2\n setlen 8\n %s\n halt\n",
             constant, is_rms ? 3u : 2u,
             is_rms ? "rmsscale y, x, tot\n vmul y, y, w" : "threshof y, tot",
             is_rms ? " .flags 1" : "",
             is_rms ? "rmsscale y, x, tot\n vmul y, y, w" : "threshof y, tot",
             is_rms ? "rmsnorm y, x, w" : "thresh x, y");
    return text;
}

/* Runs shard_text on `x` (8 rows) with garbage in both totals (a start
 * must not read it, a copy must replace it), twice (the second token must
 * not continue the first's total). Returns 0 when a run failed. */
static int run_shards(struct fixture *f, const float *x)
{
    static const uint32_t garbage[3] = {0x12345678u, 0x40590000u, 5u};
    put(f, 0, "x", x, 4);
    put(f, 1, "x", x + 4, 4);
    put(f, 2, "x", x, 8);
    for (uint32_t tok = 0; tok < 2; tok++) {
        for (uint32_t core = 0; core < 2; core++) {
            uint32_t *t = ax_exec_words(f->ex, core, 4, 3);
            CHECK(t != NULL);
            if (t)
                memcpy(t, garbage, sizeof garbage);
        }
        if (!run(f, tok, tok))
            return 0;
    }
    return 1;
}

/* Both cores end with the total `sum`, count 8: the float64's bits, the
 * least significant word first. */
static int has_total(struct fixture *f, double sum)
{
    uint64_t bits;
    memcpy(&bits, &sum, sizeof bits);
    int ok = 1;
    for (uint32_t core = 0; core < 2; core++) {
        uint32_t n = 0;
        const uint32_t *t = ax_exec_buffer(f->ex, core, "tot", &n);
        ok &= t && n == 3 && t[0] == (uint32_t)bits && t[1] == (uint32_t)(bits >> 32) && t[2] == 8;
    }
    return ok;
}

/* Each shard's output word i is the whole vector's word i (core 0: rows
 * 0..3, core 1: rows 4..7; thresh: the one word). */
static int same_as_whole(struct fixture *f, int is_rms)
{
    int ok = 1;
    for (uint32_t i = 0; i < (is_rms ? 8u : 2u); i++) {
        uint32_t core = is_rms ? i / 4 : i, at = is_rms ? i % 4 : 0;
        ok &= test_bits(ax_exec_f32(f->ex, core, "y", at)) ==
              test_bits(ax_exec_f32(f->ex, 2, "y", is_rms ? i : 0));
    }
    return ok;
}

/* rmsnorm over shards: sumacc of squares along the chain, rmsscale, vmul by
 * w, bit for bit the whole vector's rmsnorm.
 * Order: x = 2^27, 1, 1, 1 | 1, 1, 1, 4, eps = -2^51. The squares in order
 * from the first: 2^54, then each 1 is lost (half an ulp of 2^54 is 2),
 * then + 16: ss = 2^54 + 16, ss / 8 + eps = 2, r = 1 / sqrt(2). Each shard
 * summed alone and the two added would give 2^54 + 19 -> 2^54 + 20: 2.5,
 * r = 1 / sqrt(2.5), another output.
 * Small: x = 1..8, eps = 0: ss = 204, r = 1 / sqrt(25.5), y_i = f32(x_i r)
 * x w_i; rows 3 and 6 round differently when x_i r is formed in float32
 * (f32(x_i) x f32(r)). */
static void test_shards_rmsnorm(void)
{
    struct test_tensor t[] = {{"nw", NULL, NULL, shard_w}, {NULL, NULL, NULL, NULL}};
    static const struct {
        const char *eps;
        float x[8];
        double ss;
    } cases[] = {
        {"-2251799813685248", {0x1p27f, 1, 1, 1, 1, 1, 1, 4}, 0x1p54 + 16},
        {"0", {1, 2, 3, 4, 5, 6, 7, 8}, 204},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct fixture f;
        if (!open_fixture(&f, shard_text(1, cases[c].eps), t))
            return;
        if (run_shards(&f, cases[c].x)) {
            CHECK(has_total(&f, cases[c].ss));
            CHECK(same_as_whole(&f, 1));
            double eps = (double)strtof(cases[c].eps, NULL), r = 1.0 / sqrt(cases[c].ss / 8 + eps);
            for (uint32_t i = 0; i < 8; i++)
                CHECK(test_bits(ax_exec_f32(f.ex, i / 4, "y", i % 4)) ==
                      test_bits((float)((double)cases[c].x[i] * r) * shard_w(0, i)));
        }
        close_fixture(&f);
    }
}

/* thresh over shards: sumacc of |x| along the chain, threshof, the whole
 * vector's thresh bit for bit, k = 0.7.
 * Middle: x = 1, 2, 3, 4 | -5, 6, -7, 8: a = 36, V = f32((36 / 8) / f64(0.7f)).
 * Order and the upper clamp: x = 2^53, 1, 1, 1 | 1, 1, 1, -4: from the first,
 * each 1 is lost (2^53 + 1 ties to the even 2^53), then + 4: a = 2^53 + 4
 * (each shard alone, then added: 2^53 + 7 -> 2^53 + 8); V = 2^50 / 0.7,
 * about 1.6e15, clamped to 1e4.
 * The lower clamp: x = 1e-30 everywhere: V about 1.4e-30, clamped to 1e-5. */
static void test_shards_thresh(void)
{
    static const struct {
        float x[8];
        double a;
        float v;
    } cases[] = {
        {{1, 2, 3, 4, -5, 6, -7, 8}, 36, 0},
        {{0x1p53f, 1, 1, 1, 1, 1, 1, -4}, 0x1p53 + 4, 1e4f},
        {{1e-30f, 1e-30f, 1e-30f, 1e-30f, 1e-30f, 1e-30f, 1e-30f, 1e-30f}, 0, 1e-5f},
    };
    struct test_tensor t[] = {{"nw", NULL, NULL, shard_w}, {NULL, NULL, NULL, NULL}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct fixture f;
        if (!open_fixture(&f, shard_text(0, "0.7"), t))
            return;
        if (run_shards(&f, cases[c].x)) {
            double a = -0.0;
            for (int i = 0; i < 8; i++) /* the last case's sum, as thresh forms it */
                a += fabs((double)cases[c].x[i]);
            CHECK(has_total(&f, c < 2 ? cases[c].a : a));
            CHECK(same_as_whole(&f, 0));
            float want = c ? cases[c].v : (float)((36.0 / 8.0) / (double)0.7f);
            CHECK(ax_exec_f32(f.ex, 0, "y", 0) == want && ax_exec_f32(f.ex, 1, "y", 0) == want);
        }
        close_fixture(&f);
    }
}

/* A total of no values has no mean: threshof and rmsscale fail, naming the
 * core and the instruction; a count past 2^32 - 1 is an error too. */
static void test_total_errors(void)
{
    static const struct {
        const char *code, *want, *why;
        uint32_t count; /* the total's count before the instruction */
        ax_status st;
    } cases[] = {
        {" threshof vth, tot", "core 0, instruction 1 (threshof)", "count 0", 0, AX_ERR_INVALID},
        {" rmsscale x, x, tot", "core 0, instruction 1 (rmsscale)", "count 0", 0, AX_ERR_INVALID},
        {" sumacc tot, x", "core 0, instruction 1 (sumacc)", "more than its word holds",
         0xfffffffdu, AX_ERR_LIMIT},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char text[1024];
        snprintf(text, sizeof text,
                 HEAD ".const 1\n.buffer core=0 addr=0 words=4 kind=value name=x\n"
                      ".buffer core=0 addr=4 words=3 kind=value name=tot\n"
                      ".buffer core=0 addr=8 words=1 kind=scalar name=vth\n"
                      ".code 0\n setlen 4\n%s\n halt\n",
                 cases[c].code);
        struct fixture f;
        if (!open_fixture(&f, text, NULL))
            continue;
        uint32_t *t = ax_exec_words(f.ex, 0, 4, 3);
        if (t)
            t[2] = cases[c].count;
        CHECK(ax_exec_run(f.ex, 0, 0, &f.diags) == cases[c].st);
        int found = 0;
        for (uint32_t d = 0; d < f.diags.n_items; d++) {
            char line[600];
            ax_diag_format(&f.diags.items[d], line, sizeof line);
            found |= strstr(line, cases[c].want) && strstr(line, cases[c].why);
        }
        CHECK(found);
        close_fixture(&f);
    }
}

/* ---- state ------------------------------------------------------------------------------------ */

static void test_gla(void)
{
    /* one head, d = 2 (row_bytes 16); normalizer const 1 = 1 */
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".const 3\n.const 1\n"
                      ".buffer core=0 addr=0 words=4 kind=state ref=0 name=s\n"
                      ".buffer core=0 addr=4 words=2 kind=value name=g\n"
                      ".buffer core=0 addr=6 words=2 kind=value name=k\n"
                      ".buffer core=0 addr=8 words=2 kind=value name=v\n"
                      ".buffer core=0 addr=10 words=2 kind=value name=q\n"
                      ".buffer core=0 addr=12 words=2 kind=value name=o\n"
                      ".state core=0 node=0 kind=gla rows=0+1 row_bytes=16 buffer=0\n"
                      ".code 0\n setlen 2\n gladecay s, g .flags 1\n glaupd s, k, v\n"
                      " glaread o, q, s\n halt\n",
                      NULL))
        return;
    /* g = 0: decay = exp(logsigmoid(0) / 1) = 0.5; k = 1, -1 (relu: 1, 0);
     * v = 2, 4; q = 1, 1. Token 0: S = 0.5 x 0 + k v^T = [[2, 4], [0, 0]],
     * o = (2, 4) / sqrt(2). Token 1: S = 0.5 S + k v^T = [[3, 6], [0, 0]]. */
    float g[2] = {0, 0}, k[2] = {1, -1}, v[2] = {2, 4}, q[2] = {1, 1};
    put(&f, 0, "g", g, 2);
    put(&f, 0, "k", k, 2);
    put(&f, 0, "v", v, 2);
    put(&f, 0, "q", q, 2);
    double rs = 1.0 / sqrt(2.0);
    if (run(&f, 0, 0)) {
        CHECK(ax_exec_f32(f.ex, 0, "s", 0) == 2.0f && ax_exec_f32(f.ex, 0, "s", 2) == 0.0f);
        CHECK(ax_exec_f32(f.ex, 0, "o", 1) == (float)(4.0 * rs));
    }
    if (run(&f, 1, 1)) {
        CHECK(ax_exec_f32(f.ex, 0, "s", 0) == 3.0f && ax_exec_f32(f.ex, 0, "s", 1) == 6.0f);
        CHECK(ax_exec_f32(f.ex, 0, "o", 0) == (float)(3.0 * rs));
    }
    close_fixture(&f);
}

/* The gate of each token from its id: row 0 (token 0) codes 0, row 1
 * (token 1) codes -100, scale 1. */
static int gate_code(uint32_t j, uint32_t i)
{
    (void)i;
    return j == 0 ? 0 : -100;
}

/* A batch of two sequences through one GLA head (d = 2, two banks of
 * state): each token first updates the state, then leaves its decay
 * pending for its sequence's next token (gladecay last). The pending decay
 * is its sequence's, not the last token's: compiled programs never leave
 * one across tokens, so only a program written so can tell. */
static void test_gla_pending_decay_per_sequence(void)
{
    struct test_tensor t[] = {{"gate", gate_code, unit_scale, NULL}, {NULL, NULL, NULL, NULL}};
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".meta \"batch\" \"2\"\n.const 3\n.const 1\n"
                      ".weights core=1 tensor=\"gate\" rows=0+2 cols=0+2 sram\n"
                      ".buffer core=0 addr=0 words=8 kind=state ref=0 name=s\n"
                      ".buffer core=0 addr=8 words=2 kind=value name=g\n"
                      ".buffer core=0 addr=10 words=2 kind=value name=k\n"
                      ".buffer core=0 addr=12 words=2 kind=value name=v\n"
                      ".buffer core=1 addr=0 words=3 kind=weights ref=0 name=gate.w\n"
                      ".state core=0 node=0 kind=gla rows=0+1 row_bytes=16 buffer=0\n"
                      ".route src=1 dst=0@8 values\n"
                      ".code 0\n setlen 2\n acczero g\n psumrecv g, 1\n glaupd s, k, v\n"
                      " gladecay s, g .flags 1\n halt\n"
                      ".code 1\n lookup 0, 0\n halt\n",
                      t))
        return;
    /* k = 1, -1 (relu: 1, 0), v = 2, 4: k v^T = [[2, 4], [0, 0]]. Sequence
     * 0 reads token 0 (g = 0: decay exp(logsigmoid(0)) = 0.5), sequence 1
     * token 1 (g = -100: decay exp(-100), about 4e-44). First tokens: each
     * bank S = k v^T. Second tokens: bank 0 = 0.5 S + k v^T = [[3, 6], ..],
     * bank 1 = 4e-44 S + k v^T = [[2, 4], ..] (2 + 8e-44 rounds to 2). One
     * pending decay for both would give bank 0 sequence 1's: [[2, 4], ..]. */
    float k[2] = {1, -1}, v[2] = {2, 4};
    put(&f, 0, "k", k, 2);
    put(&f, 0, "v", v, 2);
    uint32_t tokens[2] = {0, 1};
    for (uint64_t pos = 0; pos < 2; pos++) {
        ax_status st = ax_exec_run_flight(f.ex, tokens, 2, pos, 1, 2, &f.diags);
        CHECK(st == AX_OK);
        if (st != AX_OK)
            ax_diag_print(&f.diags, stderr);
    }
    CHECK(ax_exec_f32(f.ex, 0, "s", 0) == 3.0f && ax_exec_f32(f.ex, 0, "s", 1) == 6.0f);
    CHECK(ax_exec_f32(f.ex, 0, "s", 2) == 0.0f && ax_exec_f32(f.ex, 0, "s", 3) == 0.0f);
    CHECK(ax_exec_f32(f.ex, 0, "s", 4) == 2.0f && ax_exec_f32(f.ex, 0, "s", 5) == 4.0f);
    close_fixture(&f);
}

static void test_kv_ring(void)
{
    /* d = 4 (row_bytes 2 x 4 + 8 = 16), one kv head, window 2 (const 0:
     * kvpush's flags 0, kvattn's bits 7..1 0) */
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".const 2\n"
                      ".buffer core=0 addr=0 words=8 kind=state ref=0 name=ring\n"
                      ".buffer core=0 addr=8 words=4 kind=value name=k\n"
                      ".buffer core=0 addr=12 words=4 kind=value name=v\n"
                      ".buffer core=0 addr=16 words=4 kind=value name=q\n"
                      ".buffer core=0 addr=20 words=4 kind=value name=o\n"
                      ".state core=0 node=0 kind=kv rows=0+2 row_bytes=16 buffer=0\n"
                      ".code 0\n setlen 4\n kvpush ring, k, v\n kvattn o, q, ring\n halt\n",
                      NULL))
        return;
    /* q = 0: every score 0, the output the mean of the window's values.
     * v = 1, 2, 3, 4: scale s = f32(4 / 127), codes 32 (31.75), 64 (63.5,
     * half to even), 95, 127. */
    float k[4] = {1, 0, 0, 0}, v[4] = {1, 2, 3, 4}, q[4] = {0};
    put(&f, 0, "k", k, 4);
    put(&f, 0, "v", v, 4);
    put(&f, 0, "q", q, 4);
    double s = (double)(4.0f / 127.0f);
    if (run(&f, 0, 0)) {
        CHECK(ax_exec_f32(f.ex, 0, "o", 0) == (float)(32.0 * s));
        CHECK(ax_exec_f32(f.ex, 0, "o", 1) == (float)(64.0 * s));
    }
    run(&f, 1, 1);
    /* position 2 evicts position 0: v = -4, 0, 0, 0 (code -127, same scale);
     * o_0 = (32 s + -127 s) / 2 */
    float v2[4] = {-4, 0, 0, 0};
    put(&f, 0, "v", v2, 4);
    if (run(&f, 2, 2))
        CHECK(ax_exec_f32(f.ex, 0, "o", 0) == (float)((32.0 * s + -127.0 * s) / 2.0));
    close_fixture(&f);
}

/* The window of test_kv_ring cut in two blocks of one slot each (rows 0
 * and 1 of the ring), each attending its own key (kvpart), combined by
 * kvmerge. With q = 0 every score is 0: a block with its key gives that
 * key's value, max 0 and sum 1; one with no key yet 0, -inf and 0. The
 * merge weighs each part by its sum: the mean of the parts' float32
 * outputs. kvfold writes the same outputs, then the largest max and the
 * sum of the weights: a part standing for both blocks' keys. */
static void test_kv_split(void)
{
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".const 2\n"
                      ".buffer core=0 addr=0 words=4 kind=state ref=0 name=ra\n"
                      ".buffer core=0 addr=4 words=4 kind=state ref=1 name=rb\n"
                      ".buffer core=0 addr=8 words=4 kind=value name=k\n"
                      ".buffer core=0 addr=12 words=4 kind=value name=v\n"
                      ".buffer core=0 addr=16 words=4 kind=value name=q\n"
                      ".buffer core=0 addr=20 words=12 kind=value name=parts\n"
                      ".buffer core=0 addr=32 words=4 kind=value name=o\n"
                      ".buffer core=0 addr=36 words=6 kind=value name=fold\n"
                      ".state core=0 node=0 kind=kv rows=0+1 row_bytes=16 buffer=0\n"
                      ".state core=0 node=0 kind=kv rows=1+1 row_bytes=16 buffer=1\n"
                      ".code 0\n setlen 4\n kvpush ra, k, v\n kvpush rb, k, v\n"
                      " kvpart parts, q, ra\n kvpart parts+6, q, rb\n"
                      " kvmerge o, parts, 2 .flags 1\n kvfold fold, parts, 2 .flags 1\n halt\n",
                      NULL))
        return;
    float k[4] = {1, 0, 0, 0}, v[4] = {1, 2, 3, 4}, q[4] = {0};
    put(&f, 0, "k", k, 4);
    put(&f, 0, "v", v, 4);
    put(&f, 0, "q", q, 4);
    double s = (double)(4.0f / 127.0f);
    if (run(&f, 0, 0)) { /* key 0 in block a; block b holds none */
        CHECK(ax_exec_f32(f.ex, 0, "parts", 0) == (float)(32.0 * s));
        CHECK(ax_exec_f32(f.ex, 0, "parts", 4) == 0.0f && ax_exec_f32(f.ex, 0, "parts", 5) == 1.0f);
        CHECK(ax_exec_f32(f.ex, 0, "parts", 6) == 0.0f);
        CHECK(ax_exec_f32(f.ex, 0, "parts", 10) == -INFINITY &&
              ax_exec_f32(f.ex, 0, "parts", 11) == 0.0f);
        CHECK(ax_exec_f32(f.ex, 0, "o", 0) == (float)(32.0 * s));
        CHECK(ax_exec_f32(f.ex, 0, "o", 1) == (float)(64.0 * s));
        CHECK(ax_exec_f32(f.ex, 0, "fold", 0) == (float)(32.0 * s) &&
              ax_exec_f32(f.ex, 0, "fold", 1) == (float)(64.0 * s));
        CHECK(ax_exec_f32(f.ex, 0, "fold", 4) == 0.0f && ax_exec_f32(f.ex, 0, "fold", 5) == 1.0f);
    }
    run(&f, 1, 1);
    float v2[4] = {-4, 0, 0, 0};
    put(&f, 0, "v", v2, 4);
    /* position 2 lands in slot 0 (block a); block b keeps key 1 */
    if (run(&f, 2, 2)) {
        float o = (float)(((double)(float)(-127.0 * s) + (double)(float)(32.0 * s)) / 2.0);
        CHECK(ax_exec_f32(f.ex, 0, "o", 0) == o && ax_exec_f32(f.ex, 0, "fold", 0) == o);
        CHECK(ax_exec_f32(f.ex, 0, "fold", 4) == 0.0f && ax_exec_f32(f.ex, 0, "fold", 5) == 2.0f);
    }
    close_fixture(&f);
}

/* A window of 8 keys (d = 4, one kv head, two query heads) held whole by
 * one block and cut into blocks of 3, 3 and 2 slots: over 12 tokens of
 * varied q, k and v (so that the scores and the parts' weights differ), the
 * merged attention agrees with the whole one to float32 precision (each
 * output within 1e-6 of the token's largest), merged at once or with the
 * first two parts folded into one (a merge tree). */
static void test_kv_split_agrees(void)
{
    struct fixture f;
    if (!open_fixture(&f,
                      HEAD ".const 8\n"
                      ".buffer core=0 addr=0 words=32 kind=state ref=0 name=whole\n"
                      ".buffer core=0 addr=32 words=12 kind=state ref=1 name=ra\n"
                      ".buffer core=0 addr=44 words=12 kind=state ref=2 name=rb\n"
                      ".buffer core=0 addr=56 words=8 kind=state ref=3 name=rc\n"
                      ".buffer core=0 addr=64 words=4 kind=value name=k\n"
                      ".buffer core=0 addr=68 words=4 kind=value name=v\n"
                      ".buffer core=0 addr=72 words=8 kind=value name=q\n"
                      ".buffer core=0 addr=80 words=36 kind=value name=parts\n"
                      ".buffer core=0 addr=116 words=8 kind=value name=o\n"
                      ".buffer core=0 addr=124 words=8 kind=value name=om\n"
                      ".buffer core=0 addr=132 words=24 kind=value name=tree\n"
                      ".buffer core=0 addr=156 words=8 kind=value name=ot\n"
                      ".state core=0 node=0 kind=kv rows=0+8 row_bytes=16 buffer=0\n"
                      ".state core=0 node=0 kind=kv rows=0+3 row_bytes=16 buffer=1\n"
                      ".state core=0 node=0 kind=kv rows=3+3 row_bytes=16 buffer=2\n"
                      ".state core=0 node=0 kind=kv rows=6+2 row_bytes=16 buffer=3\n"
                      ".code 0\n setlen 4\n kvpush whole, k, v\n kvpush ra, k, v\n"
                      " kvpush rb, k, v\n kvpush rc, k, v\n setlen 8\n kvattn o, q, whole\n"
                      " kvpart parts, q, ra\n kvpart parts+12, q, rb\n kvpart parts+24, q, rc\n"
                      " kvmerge om, parts, 3 .flags 2\n"
                      " kvfold tree, parts, 2 .flags 2\n kvpart tree+12, q, rc\n"
                      " kvmerge ot, tree, 2 .flags 2\n halt\n",
                      NULL))
        return;
    double worst = 0.0;
    for (uint32_t t = 0; t < 12; t++) {
        float k[4], v[4], q[8];
        for (int i = 0; i < 4; i++) {
            k[i] = (float)sin(1.3 * t + i);
            v[i] = (float)cos(0.7 * t + 2 * i);
        }
        for (int i = 0; i < 8; i++)
            q[i] = (float)(2.0 * sin(0.9 * t - i));
        put(&f, 0, "k", k, 4);
        put(&f, 0, "v", v, 4);
        put(&f, 0, "q", q, 8);
        if (!run(&f, t, t))
            break;
        double scale = 0.0; /* each output against the token's largest */
        for (uint32_t c = 0; c < 8; c++)
            scale = fmax(scale, fabs(ax_exec_f32(f.ex, 0, "o", c)));
        for (uint32_t c = 0; c < 8; c++) {
            double a = ax_exec_f32(f.ex, 0, "o", c), b = ax_exec_f32(f.ex, 0, "om", c);
            double ab = ax_exec_f32(f.ex, 0, "ot", c); /* a and b folded first */
            worst = fmax(worst, fmax(fabs(a - b), fabs(a - ab)) / scale);
        }
    }
    CHECK(worst < 1e-6);
    if (!(worst < 1e-6))
        fprintf(stderr, "  merged against whole: relative error %g\n", worst);
    close_fixture(&f);
}

/* A block's rows must be whole heads or slots of one head; kvattn needs
 * the whole window. */
static void test_kv_split_refused(void)
{
    static const char *const code[] = {
        ".state core=0 node=0 kind=kv rows=1+2 row_bytes=16 buffer=0\n"
        ".code 0\n setlen 4\n kvpush ra, k, v\n halt\n",
        ".state core=0 node=0 kind=kv rows=0+1 row_bytes=16 buffer=0\n"
        ".code 0\n setlen 4\n kvattn o, q, ra\n halt\n",
    };
    static const char *const want[] = {"straddle kv heads", "kvpart and kvmerge"};
    for (int i = 0; i < 2; i++) {
        char text[1024];
        snprintf(text, sizeof text,
                 HEAD ".const 2\n.buffer core=0 addr=0 words=8 kind=state ref=0 name=ra\n"
                      ".buffer core=0 addr=8 words=4 kind=value name=k\n"
                      ".buffer core=0 addr=12 words=4 kind=value name=v\n"
                      ".buffer core=0 addr=16 words=4 kind=value name=q\n"
                      ".buffer core=0 addr=20 words=4 kind=value name=o\n%s", code[i]);
        struct fixture f;
        if (!open_fixture(&f, text, NULL))
            continue;
        CHECK(ax_exec_run(f.ex, 0, 0, &f.diags) != AX_OK);
        int found = 0;
        for (uint32_t d = 0; d < f.diags.n_items; d++)
            found |= strstr(f.diags.items[d].message, want[i]) != NULL;
        CHECK(found);
        close_fixture(&f);
    }
}

/* ---- allocation failures ---------------------------------------------------------------------- */

static long n_allocs;

static void *counting_alloc(void *user, void *ptr, size_t size)
{
    (void)user;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    n_allocs++;
    return realloc(ptr, size);
}

/* Creating an executor and running a token fail cleanly at every
 * allocation: AX_ERR_NOMEM, no executor, nothing leaked (the sanitizer
 * build checks); a run that fails leaves an executor that frees cleanly.
 * The run's last allocation (synacc's dense copy) may fail harmlessly. */
static void test_alloc_failures(void)
{
    struct test_tensor t[] = {{"w", w_code, w_scale, NULL}, {NULL, NULL, NULL, NULL}};
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_prog p;
    ax_prog_init(&p, 0, 0);
    const char *text = spiking_text(0);
    struct ax_exec_weights src = {test_fetch, t};
    CHECK(ax_prog_parse(&p, "unit.s", text, strlen(text), &diags) == AX_OK);
    float x[4] = {5.0f, -3.0f, 0.0f, 0.0f};
    for (int phase = 0; phase < 2; phase++) { /* 0: create, 1: run */
        ax_exec_t *ex = NULL;
        n_allocs = 0;
        ax_mem_set_hook(counting_alloc, NULL);
        ax_status st = ax_exec_create(&p, "unit.s", &src, &ex, &diags);
        long created = n_allocs;
        if (st == AX_OK) {
            uint32_t n = 0;
            memcpy((void *)(uintptr_t)ax_exec_buffer(ex, 0, "x", &n), x, sizeof x);
            st = ax_exec_run(ex, 0, 0, &diags);
        }
        ax_mem_set_hook(NULL, NULL);
        long total = phase ? n_allocs - created : created;
        CHECK(st == AX_OK && total > 0);
        ax_exec_free(ex);
        int all_clean = 1;
        for (long k = 0; k < total; k++) {
            ax_diag_list_free(&diags);
            ax_diag_list_init(&diags);
            ex = NULL;
            if (phase) {
                CHECK(ax_exec_create(&p, "unit.s", &src, &ex, &diags) == AX_OK);
                uint32_t n = 0;
                if (ex)
                    memcpy((void *)(uintptr_t)ax_exec_buffer(ex, 0, "x", &n), x, sizeof x);
            }
            ax_test_allocs_left = k;
            ax_mem_set_hook(ax_test_failing_alloc, NULL);
            st = phase ? (ex ? ax_exec_run(ex, 0, 0, &diags) : AX_ERR_INTERNAL)
                       : ax_exec_create(&p, "unit.s", &src, &ex, &diags);
            ax_mem_set_hook(NULL, NULL);
            /* synacc's dense copy of the counts is a speed-up: without
             * it the run sums event by event and succeeds */
            all_clean &= phase ? st == AX_ERR_NOMEM || (st == AX_OK && k == total - 1)
                               : st == AX_ERR_NOMEM && ex == NULL;
            ax_exec_free(ex);
        }
        CHECK(all_clean);
    }
    ax_prog_free(&p);
    ax_diag_list_free(&diags);
}

AX_TEST_MAIN(T(test_thresh_encode), T(test_encode_ties), T(test_events_synacc_scale),
             T(test_flight_takes_its_own), T(test_events_wait_for_their_barrier),
             T(test_events_barrier_per_destination), T(test_emit_counts_ref), T(test_large_count),
             T(test_two_groups), T(test_synacc_random), T(test_receive_order),
             T(test_psumrecv_copy), T(test_lookup_and_deadlock), T(test_emit_needs_encode),
             T(test_dense_ops), T(test_argmax), T(test_vdot_rmsnorm_rope),
             T(test_float_vdot_rope_theta), T(test_shards_rmsnorm), T(test_shards_thresh),
             T(test_total_errors), T(test_gla), T(test_gla_pending_decay_per_sequence),
             T(test_kv_ring), T(test_kv_split), T(test_kv_split_agrees), T(test_kv_split_refused),
             T(test_alloc_failures))
