/* The trace of a program's timed run (--trace on ax_sim_program), on the
 * hand program tests/golden/programs/link-contention.s, whose comments work
 * out every instruction's cycles and every message's times. This program
 * writes, into OUT_DIR, for each timing model T (approx, analytic):
 *   T.trace.json    the trace
 *   T.report.json   the report of the traced run
 *   T.plain.json    the report of the same run without --trace
 *   T.limit.json    the trace with a limit of 20 events
 * and checks here what needs the library: the two reports have the same
 * bytes, the limited run warns, and the executor ran as many instructions
 * as the comment counts (25), and a run whose allocations fail fails
 * cleanly and writes no trace. trace_program_test.sh then reads the files
 * (check_program_trace.py and the hand-computed times).
 *
 * Usage: test_trace_program OUT_DIR */
#include "ax_test.h"

#include "exec/exec_weights.h"

#include "exec/exec_timed.h"

#include "ax_arch.h"
#include "ax_report.h"

#define DIR AX_SOURCE_DIR "/tests/golden/"

static const char *out_dir;

static int code_64(uint32_t j, uint32_t i)
{
    (void)j, (void)i;
    return 64;
}
static int code_row_plus1(uint32_t j, uint32_t i)
{
    (void)i;
    return (int)j + 1;
}
static float scale_2m7(uint32_t j, uint32_t g)
{
    (void)j, (void)g;
    return 0x1p-7f;
}

static struct test_tensor tensors[] = {{"emb.weight", code_64, scale_2m7, NULL},
                                       {"proj.weight", code_row_plus1, scale_2m7, NULL},
                                       {NULL, NULL, NULL, NULL}};

/* Runs the program timed under `timing` (token 0), traced to `trace` when
 * not NULL with at most `limit` events, and writes its report to `report`
 * when not NULL. Returns the run's status; *n_warnings counts the warnings. */
static ax_status run(const struct ax_prog *p, const ax_arch_t *arch, enum ax_sim_timing timing,
                     const char *trace, uint64_t limit, const char *report, int *n_warnings)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_sim_options o;
    ax_sim_options_default(&o);
    o.timing = timing;
    o.trace = trace;
    o.trace_limit = limit;
    struct ax_sim_result r;
    struct ax_exec_weights src = {test_fetch, tensors};
    int32_t token = 0;
    ax_status st = ax_sim_program(p, arch, &src, &token, 1, &o, NULL, &r, &diags);
    if (st == AX_OK && report)
        st = ax_report_write_json(&r, arch, report, &diags);
    if (st == AX_OK)
        ax_sim_result_free(&r);
    *n_warnings = (int)diags.n_warnings;
    if (st != AX_OK && st != AX_ERR_NOMEM)
        ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    return st;
}

static int same_bytes(const char *a, const char *b)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    int same = ax_fs_read_file(a, 1 << 24, &x, &nx, &diags) == AX_OK &&
               ax_fs_read_file(b, 1 << 24, &y, &ny, &diags) == AX_OK && nx == ny &&
               memcmp(x, y, nx) == 0;
    ax_mem_free(x);
    ax_mem_free(y);
    ax_diag_list_free(&diags);
    return same;
}

/* The ledger counts the program's comment works out (either timing). */
static const struct want_count counts[] = {
    {"read", 7},          {"mul", 1},        {"add", 3},           {"access_neuron", 1},
    {"update_neuron", 1}, {"spike_out", 1},  {"process_spike", 4}, {"update", 4},
    {"message_out", 4},   {"message_in", 4}, {"hop_east", 5},      {"hop_west", 2},
    {"barrier", 1},       {NULL, 0}};

/* The traced run's figures are the hand-computed ones: `cycles`, the
 * comment's counts; then the files above for `timing`. */
/* link-contention.s and its chip, loaded; unload() frees what load() took. */
struct loaded {
    struct ax_diag_list diags;
    struct ax_prog p;
    ax_arch_t *arch;
    char *text;
};

static int load(struct loaded *l)
{
    const char *path = DIR "programs/link-contention.s";
    ax_diag_list_init(&l->diags);
    ax_prog_init(&l->p, 0, 0);
    l->arch = NULL;
    l->text = NULL;
    size_t len = 0;
    int ok = ax_fs_read_file(path, 1 << 22, &l->text, &len, &l->diags) == AX_OK &&
             ax_prog_parse(&l->p, path, l->text, len, &l->diags) == AX_OK &&
             ax_arch_load(DIR "chips/one-chip.yaml", &l->arch, &l->diags) == AX_OK;
    CHECK(ok);
    if (!ok)
        ax_diag_print(&l->diags, stderr);
    return ok;
}

static void unload(struct loaded *l)
{
    ax_arch_free(l->arch);
    ax_prog_free(&l->p);
    ax_mem_free(l->text);
    ax_diag_list_free(&l->diags);
}

static void check_timing(enum ax_sim_timing timing, const char *name, uint64_t cycles)
{
    test_check_timed(DIR "programs/link-contention.s", DIR "chips/one-chip.yaml", tensors, timing,
                     cycles, counts);
    struct loaded l;
    int ok = load(&l);
    char trace[1024], report[1024], plain[1024], limited[1024];
    snprintf(trace, sizeof trace, "%s/%s.trace.json", out_dir, name);
    snprintf(report, sizeof report, "%s/%s.report.json", out_dir, name);
    snprintf(plain, sizeof plain, "%s/%s.plain.json", out_dir, name);
    snprintf(limited, sizeof limited, "%s/%s.limit.json", out_dir, name);
    int warned = 0;
    if (ok) {
        CHECK(run(&l.p, l.arch, timing, trace, 0, report, &warned) == AX_OK);
        CHECK(warned == 0);
        CHECK(run(&l.p, l.arch, timing, NULL, 0, plain, &warned) == AX_OK);
        CHECK(same_bytes(report, plain)); /* recording changes no report figure */
        CHECK(run(&l.p, l.arch, timing, limited, 20, NULL, &warned) == AX_OK);
        CHECK(warned == 1); /* the limit was reached */
    }
    unload(&l);
}

/* The comment's instruction count, as the executor counts it. */
static void test_instructions(void)
{
    struct ax_prog p;
    ax_exec_t *ex = test_run_program(DIR "programs/link-contention.s", &p, tensors);
    struct ax_exec_stats stats = {0, 0, 0, 0};
    if (ex)
        ax_exec_stats(ex, &stats);
    CHECK(stats.n_instr == 25);
    ax_exec_free(ex);
    ax_prog_free(&p);
}

static void test_approx(void)
{
    check_timing(AX_SIM_TIMING_APPROX, "approx", 264);
}

static void test_analytic(void)
{
    check_timing(AX_SIM_TIMING_ANALYTIC, "analytic", 256);
}

/* A traced run whose k-th allocation fails, for every k until one
 * succeeds: each fails cleanly with AX_ERR_NOMEM (and leaks nothing, which
 * the sanitizer build checks), and the trace is written only by a run
 * that succeeds. */
static void test_nomem(void)
{
    struct loaded l;
    int ok = load(&l);
    char trace[1024];
    snprintf(trace, sizeof trace, "%s/nomem.trace.json", out_dir);
    remove(trace);
    int is_handled = 1, is_done = 0;
    for (long k = 0; ok && k < 100000 && !is_done; k++) {
        int warned = 0;
        ax_test_allocs_left = k;
        ax_mem_set_hook(ax_test_failing_alloc, NULL);
        ax_status st = run(&l.p, l.arch, AX_SIM_TIMING_APPROX, trace, 0, NULL, &warned);
        ax_mem_set_hook(NULL, NULL);
        is_handled &= st == AX_OK || st == AX_ERR_NOMEM;
        is_done = st == AX_OK;
        FILE *f = fopen(trace, "r");
        is_handled &= !f == !is_done; /* written by the run that succeeds only */
        if (f)
            fclose(f);
    }
    CHECK(is_handled && is_done);
    unload(&l);
}

static const struct ax_test_case cases[] = {
    {"instructions", test_instructions},
    {"approx", test_approx},
    {"analytic", test_analytic},
    {"nomem", test_nomem},
};

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_trace_program OUT_DIR\n");
        return 2;
    }
    out_dir = argv[1];
    return ax_test_run(cases, sizeof cases / sizeof cases[0]);
}
