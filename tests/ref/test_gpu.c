/* The GPU runtime's host side through the C API, with the fake driver
 * (fake_cuda.c, first on LD_LIBRARY_PATH, FAKE_CUDA_MODE=ok as CTest sets
 * them): the probe, a session on the GPU (device, note, steps, the
 * read-backs, ax_ref_session_sync_probes, reset putting the device's state
 * back to zeros), bundles refusing what they cannot record, and allocation
 * failures in the GPU part of opening a session.
 * usage: test_gpu MODEL_DIR WORK_DIR (the command-line tests' model) */
#define _POSIX_C_SOURCE 200809L
#include "../ax_test.h"

#include "ax_gpu.h"
#include "ax_mem.h"
#include "ax_model.h"
#include "ax_ref.h"
#include "ref_internal.h" /* the plan's buffers, to name them in the log */

#include <stdint.h>
#include <stdlib.h>

static const char *model_dir, *log_path;

static void dump_diags(const struct ax_diag_list *d)
{
    ax_diag_print(d, stderr);
}

/* The fake driver's log: lines of the form "WORD ...", counted by prefix. */
static char *read_log(void)
{
    FILE *f = fopen(log_path, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void clear_log(void)
{
    FILE *f = fopen(log_path, "w");
    if (f)
        fclose(f);
}

static int count_lines(const char *log, const char *prefix)
{
    int n = 0;
    size_t len = strlen(prefix);
    for (const char *p = log; p && *p;) {
        if (strncmp(p, prefix, len) == 0)
            n++;
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return n;
}

static struct ax_model *open_model(void)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_model *m = NULL;
    if (ax_model_open(model_dir, &m, &diags) != AX_OK)
        dump_diags(&diags);
    ax_diag_list_free(&diags);
    CHECK(m != NULL);
    return m;
}

static ax_status step(ax_ref_session_t *s, int32_t token)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_status st = ax_ref_session_step(s, token, &diags);
    if (st != AX_OK)
        dump_diags(&diags);
    ax_diag_list_free(&diags);
    return st;
}

static void test_probe(void)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    char desc[128] = "";
    CHECK(ax_gpu_probe(desc, sizeof desc, &diags) == AX_OK);
    CHECK_STR(desc, "Fake GPU (sm_90, CUDA driver 13.0)");
    setenv("FAKE_CUDA_MODE", "nodevice", 1);
    CHECK(ax_gpu_probe(desc, sizeof desc, &diags) == AX_ERR_UNSUPPORTED);
    CHECK(diags.n_errors == 1);
    if (diags.n_items == 1)
        CHECK_STR(diags.items[0].message,
                  "cuDeviceGet: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected");
    setenv("FAKE_CUDA_MODE", "ok", 1);
    ax_diag_list_free(&diags);
}

static void test_session(void)
{
    struct ax_model *m = open_model();
    if (!m)
        return;
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_ref_options o;
    ax_ref_options_default(&o);
    ax_ref_session_t *s = NULL;
    clear_log();
    ax_status st = ax_ref_session_open_on(m, &o, AX_REF_DEVICE_GPU, &s, &diags);
    if (st != AX_OK)
        dump_diags(&diags);
    CHECK(st == AX_OK && s);
    if (!s) {
        ax_model_close(m);
        ax_diag_list_free(&diags);
        return;
    }
    CHECK(ax_ref_session_device(s) == AX_REF_DEVICE_GPU);
    CHECK_STR(ax_ref_session_device_note(s), "Fake GPU (sm_90, CUDA driver 13.0)");
    const struct ax_ref_plan *p = ax_ref_session_plan(s);
    int n_bufs = (int)p->n_bufs; /* p goes with the session */
    const char *log = read_log();
    CHECK(log && count_lines(log, "alloc ") == (int)p->n_bufs + 1);
    CHECK(log && count_lines(log, "htod ") == (int)p->n_bufs + 1);

    /* a bundle records the CPU */
    struct ax_gpu_bundle *b = NULL;
    CHECK(ax_gpu_bundle_new(s, &b, &diags) == AX_ERR_USAGE && !b);

    /* steps: one launch per phase, a wait, the read-backs */
    clear_log();
    for (int32_t t = 0; t < 3; t++)
        CHECK(step(s, 'a' + t) == AX_OK);
    CHECK(ax_ref_session_position(s) == 3);
    log = read_log();
    CHECK(log && count_lines(log, "launch ") == 3 * (int)p->n_phases);
    CHECK(log && count_lines(log, "sync") == 3);
    int n_readback = log ? count_lines(log, "dtoh ") / 3 : 0;
    CHECK(n_readback >= 1);
    /* everything read back is what the device holds: zeros (the fake runs nothing) */
    const float *logits = ax_ref_session_logits(s);
    CHECK(logits[0] == 0.0f && logits[ax_ref_session_vocab(s) - 1] == 0.0f);

    /* the other probes only on request */
    clear_log();
    CHECK(ax_ref_session_sync_probes(s, &diags) == AX_OK);
    log = read_log();
    CHECK(log && count_lines(log, "dtoh ") > 0 && count_lines(log, "launch ") == 0);

    /* reset: every state buffer goes back to zeros on the device, position 0 */
    clear_log();
    ax_ref_session_reset(s);
    log = read_log();
    int n_state = 0;
    for (uint32_t i = 0; i < p->n_bufs; i++)
        n_state += p->bufs[i].kind == REF_BUF_STATE;
    CHECK(n_state > 0 && log && count_lines(log, "htod ") == n_state);
    for (uint32_t i = 0; log && i < p->n_bufs; i++) {
        if (p->bufs[i].kind != REF_BUF_STATE)
            continue;
        char line[64];
        snprintf(line, sizeof line, "htod %u 0 %llu ", i,
                 (unsigned long long)(p->bufs[i].n_elems * ax_ref_elem_size(p->bufs[i].elem)));
        CHECK(strstr(log, line) != NULL);
    }
    clear_log();
    CHECK(step(s, 'x') == AX_OK);
    log = read_log();
    CHECK(log && strstr(log, "token 120 pos 0\n") != NULL && !strstr(log, "pos 1\n"));

    /* a failing step leaves the session broken until reset */
    setenv("FAKE_CUDA_FAIL", "cuCtxSynchronize", 1);
    CHECK(ax_ref_session_step(s, 'y', &diags) == AX_ERR_UNSUPPORTED);
    unsetenv("FAKE_CUDA_FAIL");
    CHECK(ax_ref_session_step(s, 'y', &diags) == AX_ERR_INVALID);
    ax_ref_session_reset(s);
    CHECK(step(s, 'y') == AX_OK);

    clear_log();
    ax_ref_session_close(s);
    log = read_log();
    CHECK(log && count_lines(log, "free ") == n_bufs + 1 && !strstr(log, "leak"));
    CHECK(log && strstr(log, "unload\ndestroy\n") != NULL);

    /* a CPU session past its first token cannot start a bundle either */
    s = NULL;
    CHECK(ax_ref_session_open_on(m, &o, AX_REF_DEVICE_CPU, &s, &diags) == AX_OK);
    if (s) {
        CHECK(ax_ref_session_device(s) == AX_REF_DEVICE_CPU);
        CHECK_STR(ax_ref_session_device_note(s), "");
        CHECK(step(s, 'a') == AX_OK);
        CHECK(ax_gpu_bundle_new(s, &b, &diags) == AX_ERR_USAGE && !b);
        CHECK(ax_ref_session_sync_probes(s, &diags) == AX_OK); /* nothing to do */
    }
    ax_ref_session_close(s);
    ax_diag_list_free(&diags);
    ax_model_close(m);
}

/* Allocation failures while the GPU part of a session opens (and the
 * CPU's, before it): each fails cleanly with AX_ERR_NOMEM, AUTO does not
 * take it for a missing GPU, and nothing leaks (the sanitizer build), on
 * the host or on the device. */
static void test_alloc_failures(void)
{
    struct ax_model *m = open_model();
    if (!m)
        return;
    struct ax_ref_options o;
    ax_ref_options_default(&o);
    /* how many allocations a successful open makes */
    long total = 0;
    for (long budget = 1000;; budget *= 2) {
        struct ax_diag_list diags;
        ax_diag_list_init(&diags);
        ax_ref_session_t *s = NULL;
        ax_test_allocs_left = budget;
        ax_mem_set_hook(ax_test_failing_alloc, NULL);
        ax_status st = ax_ref_session_open_on(m, &o, AX_REF_DEVICE_GPU, &s, &diags);
        ax_mem_set_hook(NULL, NULL);
        ax_ref_session_close(s);
        ax_diag_list_free(&diags);
        if (st == AX_OK) {
            total = budget - ax_test_allocs_left;
            break;
        }
        if (budget > (1L << 24))
            break;
    }
    CHECK(total > 0);
    /* the last allocations are the GPU's: every one of them, and a sample before */
    long first = total > 160 ? total - 160 : 0;
    int n_nomem = 0, n_bad = 0;
    for (long k = 0; k < total; k += k < first ? 37 : 1) {
        for (int is_auto = 0; is_auto < 2; is_auto++) {
            struct ax_diag_list diags;
            ax_diag_list_init(&diags);
            ax_ref_session_t *s = NULL;
            clear_log();
            ax_test_allocs_left = k;
            ax_mem_set_hook(ax_test_failing_alloc, NULL);
            ax_status st = ax_ref_session_open_on(
                m, &o, is_auto ? AX_REF_DEVICE_AUTO : AX_REF_DEVICE_GPU, &s, &diags);
            ax_mem_set_hook(NULL, NULL);
            n_nomem += st == AX_ERR_NOMEM;
            /* diagnostics may fail to be stored for lack of memory; statuses may not lie */
            n_bad += !(st == AX_ERR_NOMEM || st == AX_OK) || (st == AX_OK) != (s != NULL) ||
                     (st == AX_OK && ax_ref_session_device(s) != AX_REF_DEVICE_GPU);
            ax_ref_session_close(s);
            const char *log = read_log();
            n_bad += log && strstr(log, "leak") != NULL;
            ax_diag_list_free(&diags);
        }
    }
    CHECK(n_nomem > 0);
    CHECK(n_bad == 0);
    ax_model_close(m);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_gpu MODEL_DIR WORK_DIR\n");
        return 2;
    }
    model_dir = argv[1];
    static char path[4096];
    snprintf(path, sizeof path, "%s/fake-cuda.log", argv[2]);
    log_path = path;
    setenv("FAKE_CUDA_LOG", log_path, 1);
    if (!getenv("FAKE_CUDA_MODE") || strcmp(getenv("FAKE_CUDA_MODE"), "ok") != 0) {
        fprintf(stderr,
                "test_gpu: run with the fake driver (FAKE_CUDA_MODE=ok, LD_LIBRARY_PATH)\n");
        return 2;
    }
    if (!ax_ref_has_llvm()) {
        printf("skip    this build has no LLVM 19 (sessions need code generation)\n");
        return 77;
    }
    static const struct ax_test_case cases[] = {T(test_probe), T(test_session),
                                                T(test_alloc_failures)};
    return ax_test_run(cases, sizeof cases / sizeof cases[0]);
}
