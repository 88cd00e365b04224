/* Synaptic operations per second of the functional simulator's inner loop
 * (ax_func_synacc) on one 4096 x 4096 spiking projection, one thread.
 *
 * The projection is held as the mapping holds it: one block per group of 128
 * inputs, codes column-major, so a spike event is one vectorised accumulate
 * of a 4096-row weight column. The counts are drawn from a sparsity profile
 * (the small model's measured histograms, pooled over its projections) or,
 * without one, from counting mode's default distribution; bitwise coding
 * turns each count into its spike events (+-2^t), as the simulator does.
 * Prints one JSON line: events, synaptic ops, seconds, ops per second. */
#define _POSIX_C_SOURCE 200809L
#include "ax_func.h"
#include "ax_synth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { N = 4096, GROUP = 128, GROUPS = N / GROUP };

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
    int16_t *codes = malloc((size_t)N * N * sizeof *codes);
    int32_t *acc = calloc((size_t)GROUPS * N, sizeof *acc);
    int32_t *counts = malloc(N * sizeof *counts);
    struct ax_syn_event *ev = malloc((size_t)GROUP * 32 * sizeof *ev);
    if (!codes || !acc || !counts || !ev)
        return 1;
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < (size_t)N * N; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        codes[i] = (int16_t)((int)(x % 255) - 127);
    }
    uint64_t events = 0;
    double t0 = now();
    for (uint32_t t = 0; t < tokens; t++) {
        ax_synth_counts(&pmf, 1, 0, t, N, counts);
        for (uint32_t g = 0; g < GROUPS; g++) {
            uint64_t n = 0;
            for (uint32_t c = 0; c < GROUP; c++) {
                int32_t s = counts[g * GROUP + c];
                uint32_t mag = (uint32_t)(s < 0 ? -s : s);
                for (int b = 31; b >= 0; b--) /* MSB first */
                    if (mag >> b & 1u)
                        ev[n++] = (struct ax_syn_event){c, (s < 0 ? -1 : 1) * (int32_t)(1u << b)};
            }
            ax_func_synacc(codes + (size_t)g * GROUP * N, N, ev, n, acc + (size_t)g * N);
            events += n;
        }
    }
    double seconds = now() - t0;
    int64_t check = 0;
    for (size_t i = 0; i < (size_t)GROUPS * N; i++)
        check += acc[i];
    double sops = (double)events * N;
    printf("{\"tool\":\"axon\",\"kernel\":\"ax_func_synacc\",\"rows\":%d,\"cols\":%d,\"tokens\":%u,"
           "\"events\":%llu,\"synaptic_ops\":%.0f,\"seconds\":%.6f,\"sops_per_second\":%.4g,"
           "\"checksum\":%lld}\n",
           N, N, tokens, (unsigned long long)events, sops, seconds, sops / seconds, (long long)check);
    free(codes);
    free(acc);
    free(counts);
    free(ev);
    return 0;
}
