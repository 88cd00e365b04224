/* Synaptic operations per second of the program executor's synacc
 * (sim/exec.c) on one 4096 x 4096 spiking projection, one thread.
 *
 * The projection is laid out as the mapping lays out a spiking layer: 128
 * cores each hold a block of 32 whole rows (4096 columns of int8 codes and
 * their group scales); core 0 encodes the counts and emits their events to
 * every block, and each block's synacc adds weight x column into its rows'
 * accumulators. The counts are drawn from a sparsity profile (the small
 * model's measured histograms, pooled over its projections) or, without
 * one, from counting mode's default distribution; bitwise coding turns each
 * count into its spike events (+-2^t). Timed: whole executor runs of one
 * token each (encode and emit included, a small part). Prints one JSON
 * line: events, synaptic ops, seconds, ops per second. */
#define _POSIX_C_SOURCE 200809L
#include "ax_exec.h"
#include "ax_mem.h"
#include "ax_prog.h"
#include "ax_synth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { N = 4096, ROWS = 32, BLOCKS = N / ROWS };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The pooled histogram of every site of a profile. */
static int pooled_pmf(const char *path, struct ax_synth_pmf *pmf)
{
    struct ax_synth_profile prof;
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    ax_status st = ax_synth_profile_load(path, &prof, &d);
    ax_diag_print(&d, stderr);
    ax_diag_list_free(&d);
    if (st != AX_OK)
        return -1;
    uint64_t hist[AX_SYNTH_MAX_MAG + 1] = {0};
    for (uint32_t i = 0; i < prof.n_sites; i++)
        for (int m = 0; m <= AX_SYNTH_MAX_MAG; m++)
            hist[m] += prof.sites[i].histogram[m];
    ax_synth_profile_free(&prof);
    return ax_synth_pmf_from_hist(pmf, hist) == AX_OK ? 0 : -1;
}

/* Codes in [-127, 127] from a hash of (row, column); scale 1. */
static ax_status fetch(void *user, const struct ax_prog *p, uint32_t id, int8_t *codes,
                       float *scales, float *values, struct ax_diag_list *diags)
{
    (void)user, (void)values, (void)diags;
    const struct ax_prog_weight *w = &p->weights[id];
    for (uint32_t j = 0; j < w->rows; j++) {
        uint64_t x = 88172645463325252ull ^ ((uint64_t)(w->row0 + j) << 20);
        for (uint32_t i = 0; i < w->cols; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            codes[(size_t)j * w->cols + i] = (int8_t)((int)(x % 255) - 127);
        }
        for (uint32_t g = 0; g < (w->cols + 127) / 128; g++)
            scales[(size_t)j * ((w->cols + 127) / 128) + g] = 1.0f;
    }
    return AX_OK;
}

/* The program's text: core 0 sets V_th = 1 (thresh over a one-word buffer
 * that holds k), encodes x (the drawn counts as floats: counts = x) and
 * emits to cores 1 .. BLOCKS, which wait at a barrier and run synacc. */
static char *program_text(void)
{
    size_t cap = 64 * 1024, n = 0;
    char *t = malloc(cap);
    if (!t)
        return NULL;
    n += (size_t)snprintf(t + n, cap - n,
                          ".axb 2\n.cores %d\n.sram_words 65536\n.cores_per_chip 0\n"
                          ".dram_bytes_per_chip 0\n.const 1\n",
                          BLOCKS + 1);
    uint32_t ww = (uint32_t)ax_prog_weight_words(ROWS, N);
    for (int b = 0; b < BLOCKS; b++)
        n += (size_t)snprintf(t + n, cap - n,
                              ".weights core=%d tensor=\"w\" rows=%d+%d cols=0+%d sram\n", b + 1,
                              b * ROWS, ROWS, N);
    n += (size_t)snprintf(t + n, cap - n,
                          ".buffer core=0 addr=0 words=%d kind=value name=x\n"
                          ".buffer core=0 addr=%d words=1 kind=value name=one\n"
                          ".buffer core=0 addr=%d words=1 kind=scalar name=vth\n"
                          ".buffer core=0 addr=%d words=%d kind=counts name=cnt\n",
                          N, N, N + 1, N + 2, N);
    for (int b = 0; b < BLOCKS; b++) /* buffers ascend by core */
        n += (size_t)snprintf(t + n, cap - n,
                              ".buffer core=%d addr=0 words=%u kind=weights ref=%d name=w\n"
                              ".buffer core=%d addr=%u words=%d kind=acc name=acc\n",
                              b + 1, ww, b, b + 1, ww, ROWS);
    n += (size_t)snprintf(t + n, cap - n, ".route src=0 dst=");
    for (int b = 0; b < BLOCKS; b++)
        n += (size_t)snprintf(t + n, cap - n, b ? ",%d" : "%d", b + 1);
    n += (size_t)snprintf(t + n, cap - n, " spikes\n.barrier cores=0");
    for (int b = 0; b < BLOCKS; b++)
        n += (size_t)snprintf(t + n, cap - n, ",%d", b + 1);
    n += (size_t)snprintf(t + n, cap - n,
                          "\n.code 0\n setlen 1\n thresh one, vth\n setlen %d\n"
                          " encode x, vth, cnt\n emit cnt, 0\n barrier 0\n halt\n",
                          N);
    for (int b = 0; b < BLOCKS; b++)
        n += (size_t)snprintf(t + n, cap - n,
                              ".code %d\n setlen %d\n acczero acc\n barrier 0\n synacc %d, acc\n"
                              " halt\n",
                              b + 1, ROWS, b);
    return n < cap ? t : (free(t), NULL);
}

int main(int argc, char **argv)
{
    const char *profile = NULL;
    uint32_t tokens = 64;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc) {
            profile = argv[++i];
        } else if (strcmp(argv[i], "--tokens") == 0 && i + 1 < argc) {
            tokens = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: bench_synacc [--profile PROFILE.json] [--tokens N]\n");
            return 2;
        }
    }
    struct ax_synth_pmf pmf;
    if (profile) {
        if (pooled_pmf(profile, &pmf) != 0)
            return 1;
    } else {
        struct ax_synth_fit fit;
        ax_synth_fit_default(&pmf, &fit);
    }
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_prog p;
    ax_prog_init(&p, 0, 0);
    ax_exec_t *ex = NULL;
    struct ax_exec_weights src = {fetch, NULL};
    char *text = program_text();
    int32_t *counts = malloc(N * sizeof *counts);
    ax_status st = text && counts ? AX_OK : AX_ERR_NOMEM;
    if (st == AX_OK)
        st = ax_prog_parse(&p, "bench_synacc", text, strlen(text), &d);
    if (st == AX_OK)
        st = ax_exec_create(&p, "bench_synacc", &src, &ex, &d);
    uint32_t n = 0;
    float *x = ex ? (float *)(uintptr_t)ax_exec_buffer(ex, 0, "x", &n) : NULL;
    float *one = ex ? (float *)(uintptr_t)ax_exec_buffer(ex, 0, "one", &n) : NULL;
    if (one)
        one[0] = 1.0f; /* mean |one| / k = 1 */
    uint64_t events = 0;
    double sops = 0, seconds = 0;
    for (uint32_t t = 0; st == AX_OK && t < tokens; t++) {
        ax_synth_counts(&pmf, 1, 0, t, N, counts);
        for (uint32_t c = 0; c < N; c++)
            x[c] = (float)counts[c];
        double t0 = now();
        st = ax_exec_run(ex, 0, t, &d);
        seconds += now() - t0;
        struct ax_exec_stats s;
        ax_exec_stats(ex, &s);
        events += s.n_events / BLOCKS; /* each event goes to every block */
        sops += (double)s.n_synops;
    }
    if (st != AX_OK) {
        ax_diag_print(&d, stderr);
        fprintf(stderr, "bench_synacc: %s\n", ax_status_str(st));
    }
    int64_t check = 0;
    for (int b = 0; st == AX_OK && b < BLOCKS; b++)
        for (uint32_t j = 0; j < ROWS; j++)
            check += (int32_t)ax_exec_buffer(ex, (uint32_t)b + 1, "acc", &n)[j];
    if (st == AX_OK)
        printf("{\"tool\":\"axon\",\"kernel\":\"exec synacc\",\"rows\":%d,\"cols\":%d,\"tokens\":%u,"
               "\"events\":%llu,\"synaptic_ops\":%.0f,\"seconds\":%.6f,\"sops_per_second\":%.4g,"
               "\"checksum\":%lld}\n",
               N, N, tokens, (unsigned long long)events, sops, seconds, sops / seconds,
               (long long)check);
    ax_exec_free(ex);
    ax_prog_free(&p);
    ax_diag_list_free(&d);
    free(text);
    free(counts);
    return st == AX_OK ? 0 : 1;
}
