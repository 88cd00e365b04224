/* What the tests of hand-written programs share (tests/exec, tests/golden):
 * run a program's values on the executor, and run it timed
 * (ax_sim_program) against the cycles and every ledger count its comments
 * work out by hand. One copy, so that the checks of both suites stay the
 * same. Include ax_test.h and exec_weights.h first. */
#ifndef EXEC_TIMED_H
#define EXEC_TIMED_H

#include "ax_diag.h"
#include "ax_fs.h"
#include "ax_mem.h"
#include "ax_prog.h"
#include "ax_sim.h"
#include "ax_test_sim.h"

#include <stdio.h>
#include <string.h>

/* Parses the program at `path`, creates an executor over `tensors` and
 * runs token 0 at position 0; NULL (a failed check) when a step fails. */
static ax_exec_t *test_run_program(const char *path, struct ax_prog *p, struct test_tensor *tensors)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *text = NULL;
    size_t len = 0;
    ax_prog_init(p, 0, 0);
    ax_exec_t *ex = NULL;
    struct ax_exec_weights src = {test_fetch, tensors};
    int ok = ax_fs_read_file(path, 1 << 22, &text, &len, &diags) == AX_OK &&
             ax_prog_parse(p, path, text, len, &diags) == AX_OK &&
             ax_exec_create(p, path, &src, &ex, &diags) == AX_OK &&
             ax_exec_run(ex, 0, 0, &diags) == AX_OK;
    CHECK(ok);
    if (!ok) {
        ax_diag_print(&diags, stderr);
        ax_exec_free(ex);
        ex = NULL;
    }
    ax_mem_free(text);
    ax_diag_list_free(&diags);
    return ex;
}

/* One ledger count a comment states. */
struct want_count {
    const char *item; /* ax_ledger_item_name */
    double count;
};

/* Every ledger count of `r` but static power against `want` (ending with
 * a NULL item); a count `want` leaves out must be zero. */
static void test_check_counts(const char *name, const struct ax_sim_result *r,
                              const struct want_count *want)
{
    for (int i = 0; i < AX_LEDGER_COUNT; i++) {
        if (i == AX_LEDGER_STATIC_CHIP)
            continue;
        double expect = 0;
        for (const struct want_count *w = want; w->item; w++)
            if (strcmp(w->item, ax_ledger_item_name((enum ax_ledger_item)i)) == 0)
                expect = w->count;
        double got = r->ledger.line[i].count;
        CHECK(got == expect);
        if (got != expect)
            fprintf(stderr, "  %s: %s %.17g, the comment says %.17g\n", name,
                    ax_ledger_item_name((enum ax_ledger_item)i), got, expect);
    }
}

/* Runs the program text `text` (parsed as `path`, which relative `.file
 * from=` paths start from) timed on the chip file `chip_path` under
 * `timing` on `engine`, for token `token` at position 0. Returns the run's
 * status; *r (zeroed first; the caller frees it with ax_sim_result_free)
 * holds the result on AX_OK, `diags` what went wrong otherwise. */
static ax_status test_timed_text_on(const char *path, const char *text, size_t len,
                                    const char *chip_path, struct test_tensor *tensors,
                                    enum ax_sim_timing timing, enum ax_sim_engine engine,
                                    int32_t token, struct ax_sim_result *r,
                                    struct ax_diag_list *diags)
{
    struct ax_prog p;
    ax_prog_init(&p, 0, 0);
    ax_arch_t *arch = NULL;
    struct ax_sim_options o;
    ax_sim_options_default(&o);
    o.timing = timing;
    o.engine = engine;
    memset(r, 0, sizeof *r);
    struct ax_exec_weights src = {test_fetch, tensors};
    ax_status st = ax_prog_parse(&p, path, text, len, diags);
    if (st == AX_OK)
        st = ax_arch_load(chip_path, &arch, diags);
    if (st == AX_OK)
        st = ax_sim_program(&p, arch, &src, &token, 1, &o, NULL, r, diags);
    ax_arch_free(arch);
    ax_prog_free(&p);
    return st;
}

/* test_timed_text_on on the native engine. */
static ax_status test_timed_text(const char *path, const char *text, size_t len,
                                 const char *chip_path, struct test_tensor *tensors,
                                 enum ax_sim_timing timing, int32_t token, struct ax_sim_result *r,
                                 struct ax_diag_list *diags)
{
    return test_timed_text_on(path, text, len, chip_path, tensors, timing, AX_SIM_ENGINE_NATIVE,
                              token, r, diags);
}

/* Runs the program at `path` timed on the chip file `chip_path` under
 * `timing` (token 0) and checks its cycles and ledger counts; in a build
 * with SystemC, the same run on the SystemC engine must give the same
 * figures. */
static void test_check_timed(const char *path, const char *chip_path, struct test_tensor *tensors,
                             enum ax_sim_timing timing, uint64_t cycles,
                             const struct want_count *want)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char *text = NULL;
    size_t len = 0;
    struct ax_sim_result r;
    memset(&r, 0, sizeof r);
    int ok = ax_fs_read_file(path, 1 << 22, &text, &len, &diags) == AX_OK &&
             test_timed_text(path, text, len, chip_path, tensors, timing, 0, &r, &diags) == AX_OK;
    CHECK(ok);
    if (!ok)
        ax_diag_print(&diags, stderr);
    if (ok) {
        CHECK(r.cycles == cycles);
        if (r.cycles != cycles)
            fprintf(stderr, "  %s: cycles %llu, the comment says %llu\n", path,
                    (unsigned long long)r.cycles, (unsigned long long)cycles);
        test_check_counts(path, &r, want);
    }
    if (ok && ax_sim_has_systemc()) { /* the same run, the SystemC kernel deciding the order */
        struct ax_sim_result sc;
        ax_status st = test_timed_text_on(path, text, len, chip_path, tensors, timing,
                                          AX_SIM_ENGINE_SYSTEMC, 0, &sc, &diags);
        CHECK(st == AX_OK);
        if (st == AX_OK)
            ax_test_check_same_result(path, &r, &sc);
        else
            ax_diag_print(&diags, stderr);
        ax_sim_result_free(&sc);
    }
    ax_sim_result_free(&r);
    ax_mem_free(text);
    ax_diag_list_free(&diags);
}

#endif
