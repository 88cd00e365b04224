/* Unit tests of sim/synth.c: the default fit meets what it claims and its
 * draws reproduce it; the generator is deterministic and order-free;
 * profiles round-trip and malformed ones fail cleanly. */
#define _POSIX_C_SOURCE 200809L
#include "ax_test.h"

#include "ax_diag.h"
#include "ax_mem.h"
#include "ax_spike.h"
#include "ax_synth.h"

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define N_MAG (AX_SYNTH_MAX_MAG + 1)

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint32_t popcount(uint32_t v)
{
    uint32_t n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

static void write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(text, 1, len, f) == len);
    fclose(f);
}

/* 1 if some diagnostic's message contains `needle`. */
static int has_message(const struct ax_diag_list *d, const char *needle)
{
    for (uint32_t i = 0; i < d->n_items; i++)
        if (strstr(d->items[i].message, needle))
            return 1;
    return 0;
}

static void print_diags(const struct ax_diag_list *d)
{
    ax_diag_print(d, stdout);
}

/* ---- the fit ----------------------------------------------------------------- */

static void test_fit_claims(void)
{
    struct ax_synth_pmf p, q;
    struct ax_synth_fit fit;
    double t0 = now_s();
    ax_synth_fit_default(&p, &fit);
    double dt = now_s() - t0;
    printf("  fit: %.3f ms, %u solves, objective %.6g, |s| > 31: %.3g%%\n", dt * 1e3,
           fit.iterations, fit.objective, 100 * fit.values_gt31);
    printf("  %-20s %10s %10s %10s %s\n", "statistic", "target", "achieved", "weight", "claimed");
    int n_claimed = 0;
    for (int s = 0; s < AX_SYNTH_STAT_COUNT; s++) {
        const struct ax_synth_fit_stat *f = &fit.stat[s];
        printf("  %-20s %10.4f %10.4f %10.3g %s\n", f->name, f->target, f->achieved, f->weight,
               f->is_claimed ? "yes" : "no");
        CHECK_STR(f->name, ax_synth_stat_name((enum ax_synth_stat)s));
        CHECK(f->meaning && f->meaning[0]);
        if (f->is_claimed) {
            n_claimed++;
            CHECK(f->tolerance > 0);
            CHECK(fabs(f->achieved - f->target) <= f->tolerance);
        }
    }
    /* The four the docs say it meets: reading (a) and the tail. */
    CHECK(n_claimed == 4);
    CHECK(fit.stat[AX_SYNTH_STAT_ZERO_FRACTION].is_claimed);
    CHECK(fit.stat[AX_SYNTH_STAT_SPIKES_PER_ELEMENT].is_claimed);
    CHECK(fit.stat[AX_SYNTH_STAT_VALUES_LE7].is_claimed);
    CHECK(fit.stat[AX_SYNTH_STAT_VALUES_GT16].is_claimed);
    /* The report's shape of the targets agrees with the table. */
    CHECK(fit.target_zero_fraction == 0.184 && fit.target_spikes_per_element == 1.13);
    CHECK(fit.target_hist_t3[0] == 0.6915 && fit.target_hist_t3[3] == 0.0185);
    CHECK(fit.achieved_zero_fraction == fit.stat[AX_SYNTH_STAT_ZERO_FRACTION].achieved);
    for (int i = 0; i < 4; i++)
        CHECK(fit.achieved_hist_t3[i] == fit.stat[AX_SYNTH_STAT_HIST_T3_0 + i].achieved);

    /* Achieved values are the pmf's own statistics. */
    double st[AX_SYNTH_STAT_COUNT];
    ax_synth_pmf_stats(&p, st);
    for (int s = 0; s < AX_SYNTH_STAT_COUNT; s++)
        CHECK(st[s] == fit.stat[s].achieved);

    /* A proper pmf with a sensible tail: non-negative, sums to 1, never
     * increasing from |s| = 1 on, little mass beyond what was published. */
    double sum = 0;
    int is_monotone = 1;
    for (int m = 0; m < N_MAG; m++) {
        CHECK(p.p[m] >= 0);
        sum += p.p[m];
        if (m >= 1 && m + 1 < N_MAG && p.p[m + 1] > p.p[m] * (1 + 1e-12))
            is_monotone = 0;
    }
    CHECK(fabs(sum - 1) < 1e-12);
    CHECK(is_monotone);
    CHECK(p.p[AX_SYNTH_MAX_MAG] > 0);
    CHECK(fit.values_gt31 > 0 && fit.values_gt31 < 0.005);
    CHECK(p.silent_fraction == 0 && p.silent_threshold == 0);

    /* Deterministic, and callable without a fit record. */
    ax_synth_fit_default(&q, NULL);
    CHECK(memcmp(&p, &q, sizeof p) == 0);
}

/* Draws ~1e6 values and compares their statistics, measured by
 * ax_spike_stats, with the fit's achieved values: within 3 sigma. */
static void test_fit_sampled(void)
{
    struct ax_synth_pmf p;
    struct ax_synth_fit fit;
    ax_synth_fit_default(&p, &fit);
    const uint32_t n = 4096, tokens = 245; /* 1,003,520 values */
    int32_t *c = malloc(n * sizeof *c);
    struct ax_spike_stats ss;
    struct ax_spike_options o;
    ax_spike_options_default(&o);
    CHECK(c && ax_spike_stats_init(&ss, n) == AX_OK);
    uint64_t n_le7 = 0, n_gt16 = 0, n_neg = 0, n_pos = 0;
    /* The draws alone, timed (printed, not checked: a benchmark, not a test). */
    double t0 = now_s();
    for (uint32_t t = 0; t < tokens && c; t++)
        ax_synth_counts(&p, 42, 7, t, n, c);
    double dt = now_s() - t0;
    for (uint32_t t = 0; t < tokens && c; t++) {
        ax_synth_counts(&p, 42, 7, t, n, c);
        ax_spike_stats_add(&ss, &o, c);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t mag = (uint32_t)(c[i] < 0 ? -c[i] : c[i]);
            n_le7 += mag <= 7;
            n_gt16 += mag > 16;
            n_neg += c[i] < 0;
            n_pos += c[i] > 0;
        }
    }
    struct ax_spike_summary s;
    ax_spike_stats_summary(&ss, &s);
    double N = (double)ss.n_values;
    CHECK(ss.n_values == (uint64_t)n * tokens);

    /* Variance of popcount per value, from the pmf. */
    double m1 = 0, m2 = 0;
    for (int m = 0; m < N_MAG; m++) {
        m1 += popcount((uint32_t)m) * p.p[m];
        m2 += (double)(popcount((uint32_t)m) * popcount((uint32_t)m)) * p.p[m];
    }
    struct {
        const char *name;
        double measured, achieved, sigma;
    } rows[] = {
#define FRAC(name, meas, e)                                                                        \
    {name, meas, fit.stat[e].achieved, sqrt(fit.stat[e].achieved * (1 - fit.stat[e].achieved) / N)}
        FRAC("zero_fraction", s.zero_fraction, AX_SYNTH_STAT_ZERO_FRACTION),
        FRAC("values_le7", (double)n_le7 / N, AX_SYNTH_STAT_VALUES_LE7),
        FRAC("values_gt16", (double)n_gt16 / N, AX_SYNTH_STAT_VALUES_GT16),
        FRAC("histogram_t3_0", s.histogram_t3[0], AX_SYNTH_STAT_HIST_T3_0),
        FRAC("histogram_t3_1", s.histogram_t3[1], AX_SYNTH_STAT_HIST_T3_1),
        FRAC("histogram_t3_2", s.histogram_t3[2], AX_SYNTH_STAT_HIST_T3_2),
        FRAC("histogram_t3_3", s.histogram_t3[3], AX_SYNTH_STAT_HIST_T3_3),
#undef FRAC
        {"spikes_per_element", s.spikes_per_element,
         fit.stat[AX_SYNTH_STAT_SPIKES_PER_ELEMENT].achieved, sqrt((m2 - m1 * m1) / N)},
    };
    printf("  %u draws in %.1f ms (%.2f ns each)\n", n * tokens, dt * 1e3, dt * 1e9 / N);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        double z = (rows[i].measured - rows[i].achieved) / rows[i].sigma;
        printf("  %-20s measured %.5f achieved %.5f (%+.2f sigma)\n", rows[i].name,
               rows[i].measured, rows[i].achieved, z);
        CHECK(fabs(z) <= 3);
    }
    /* Signs are fair, and no channel stays silent over 245 tokens. */
    double nz = (double)(n_neg + n_pos);
    CHECK(fabs((double)n_pos - nz / 2) <= 3 * sqrt(nz / 4));
    CHECK(s.silent_channels == 0);
    ax_spike_stats_free(&ss);
    free(c);
}

/* ---- the generator -------------------------------------------------------------- */

static void test_determinism(void)
{
    struct ax_synth_pmf p;
    ax_synth_fit_default(&p, NULL);
    enum { N = 3000 };
    static int32_t a1[N], a3[N], b1[N], b3[N], c1[N], part[N];
    /* Site 3 before site 1, then site 1 before site 3. */
    ax_synth_counts(&p, 9, 3, 17, N, a3);
    ax_synth_counts(&p, 9, 1, 17, N, a1);
    ax_synth_counts(&p, 9, 1, 17, N, b1);
    ax_synth_counts(&p, 9, 3, 17, N, b3);
    CHECK(memcmp(a1, b1, sizeof a1) == 0);
    CHECK(memcmp(a3, b3, sizeof a3) == 0);
    /* Fewer channels: a prefix of the same draws. */
    ax_synth_counts(&p, 9, 1, 17, N / 3, part);
    CHECK(memcmp(part, a1, (N / 3) * sizeof *part) == 0);
    /* Different seed, site or token: different draws (equal only by chance,
     * about 17% of positions for this pmf). */
    int n_same_seed = 0, n_same_site = 0, n_same_token = 0;
    ax_synth_counts(&p, 10, 1, 17, N, c1);
    for (int i = 0; i < N; i++)
        n_same_seed += c1[i] == a1[i];
    for (int i = 0; i < N; i++)
        n_same_site += a3[i] == a1[i];
    ax_synth_counts(&p, 9, 1, 18, N, c1);
    for (int i = 0; i < N; i++)
        n_same_token += c1[i] == a1[i];
    CHECK(n_same_seed < N / 3 && n_same_site < N / 3 && n_same_token < N / 3);
    /* Seeds 0 and 1, tokens 0 and 1: no weak keys at small numbers. */
    ax_synth_counts(&p, 0, 0, 0, N, a1);
    ax_synth_counts(&p, 1, 0, 0, N, b1);
    ax_synth_counts(&p, 0, 0, 1, N, c1);
    int n_same01 = 0, n_same_t01 = 0;
    for (int i = 0; i < N; i++) {
        n_same01 += a1[i] == b1[i];
        n_same_t01 += a1[i] == c1[i];
    }
    CHECK(n_same01 < N / 3 && n_same_t01 < N / 3);
}

static void test_pmf_set(void)
{
    double p[N_MAG] = {0};
    struct ax_synth_pmf d, before;
    ax_synth_fit_default(&d, NULL);
    before = d;
    p[0] = 1;
    p[3] = 2;
    p[5] = 1;
    CHECK(ax_synth_pmf_set(&d, p, 0.0) == AX_OK);
    CHECK(d.p[0] == 0.25 && d.p[3] == 0.5 && d.p[5] == 0.25);
    /* Only the magnitudes with mass are drawn. */
    int32_t c[2000];
    ax_synth_counts(&d, 1, 0, 0, 2000, c);
    int n_bad = 0, n3 = 0;
    for (int i = 0; i < 2000; i++) {
        int m = c[i] < 0 ? -c[i] : c[i];
        n_bad += m != 0 && m != 3 && m != 5;
        n3 += m == 3;
    }
    CHECK(n_bad == 0 && n3 > 850 && n3 < 1150);

    /* Invalid inputs leave the distribution untouched. */
    d = before;
    p[2] = -1;
    CHECK(ax_synth_pmf_set(&d, p, 0.0) == AX_ERR_INVALID);
    p[2] = NAN;
    CHECK(ax_synth_pmf_set(&d, p, 0.0) == AX_ERR_INVALID);
    p[2] = INFINITY;
    CHECK(ax_synth_pmf_set(&d, p, 0.0) == AX_ERR_INVALID);
    memset(p, 0, sizeof p);
    CHECK(ax_synth_pmf_set(&d, p, 0.0) == AX_ERR_INVALID);
    p[0] = 0.5;
    p[1] = 0.5;
    CHECK(ax_synth_pmf_set(&d, p, 0.6) == AX_ERR_INVALID); /* more silence than zeros */
    CHECK(ax_synth_pmf_set(&d, p, -0.1) == AX_ERR_INVALID);
    CHECK(memcmp(&d, &before, sizeof d) == 0);
    uint64_t h[N_MAG] = {0};
    CHECK(ax_synth_pmf_from_hist(&d, h) == AX_ERR_INVALID);
    h[1] = 3;
    h[AX_SYNTH_MAX_MAG] = 1;
    CHECK(ax_synth_pmf_from_hist(&d, h) == AX_OK);
    CHECK(d.p[1] == 0.75 && d.p[AX_SYNTH_MAX_MAG] == 0.25);

    /* All zero: every draw is 0. */
    memset(p, 0, sizeof p);
    p[0] = 1;
    CHECK(ax_synth_pmf_set(&d, p, 1.0) == AX_OK);
    ax_synth_counts(&d, 5, 2, 3, 2000, c);
    n_bad = 0;
    for (int i = 0; i < 2000; i++)
        n_bad += c[i] != 0;
    CHECK(n_bad == 0);
}

/* Silent channels move the zeros into whole channels: the per-value
 * statistics stay those of p. */
static void test_silence(void)
{
    struct ax_synth_pmf def, p;
    ax_synth_fit_default(&def, NULL);
    double c = def.p[0];
    CHECK(ax_synth_pmf_set(&p, def.p, c) == AX_OK);
    CHECK(p.silent_fraction == c);
    const uint32_t n = 8192, tokens = 60;
    int32_t *v = malloc(n * sizeof *v);
    uint8_t *fired = calloc(n, 1);
    uint64_t n_zero = 0;
    for (uint32_t t = 0; t < tokens && v && fired; t++) {
        ax_synth_counts(&p, 3, 11, t, n, v);
        for (uint32_t i = 0; i < n; i++) {
            n_zero += v[i] == 0;
            fired[i] |= v[i] != 0;
        }
    }
    uint32_t n_silent = 0;
    for (uint32_t i = 0; fired && i < n; i++)
        n_silent += !fired[i];
    double silent = (double)n_silent / n;
    double zero = (double)n_zero / ((double)n * tokens);
    printf("  silent fraction %.4f: measured silent %.4f, zero values %.4f\n", c, silent, zero);
    /* Channel-level: binomial over 8192 channels. */
    CHECK(fabs(silent - c) <= 3 * sqrt(c * (1 - c) / n));
    CHECK(fabs(zero - c) <= 3 * sqrt(c * (1 - c) / n) + 1e-3);
    /* The silent set is a property of (seed, site), not of the token. */
    int32_t *w = malloc(n * sizeof *w);
    if (v && w && fired) {
        ax_synth_counts(&p, 3, 11, 999, n, w);
        int n_bad = 0;
        for (uint32_t i = 0; i < n; i++)
            n_bad += !fired[i] && w[i] != 0;
        CHECK(n_bad == 0);
    }
    free(w);
    free(v);
    free(fired);
}

/* ---- profiles ---------------------------------------------------------------------- */

static void test_profile_round_trip(void)
{
    const char *path = "round_trip.profile.json";
    const char *names[] = {"model.layers.0.attn.q_proj", "model.layers.0.mlp.gate_proj",
                           "model.layers.1.attn.q_proj", "model.layers.1.attn.unused",
                           "lm \"odd\" name\\"};
    static uint64_t h[5][N_MAG];
    memset(h, 0, sizeof h);
    for (int m = 0; m < N_MAG; m++) {
        h[0][m] = m < 4 ? 100u - (uint64_t)m : 0;
        h[1][m] = (uint64_t)m;
        h[2][m] = m == 5 ? 7 : 0;
        h[4][m] = m == AX_SYNTH_MAX_MAG ? UINT64_C(9000000000000000000) : 1;
    }
    /* h[3] is empty: a site that saw no values. */
    const uint64_t *hp[5] = {h[0], h[1], h[2], h[3], h[4]};
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    CHECK(ax_synth_profile_write(path, "tiny \u00e9", names, hp, 5, &d) == AX_OK);
    CHECK(d.n_errors == 0);

    struct ax_synth_profile prof;
    CHECK(ax_synth_profile_load(path, &prof, &d) == AX_OK);
    print_diags(&d);
    CHECK(d.n_items == 0);
    CHECK_STR(prof.model, "tiny \u00e9");
    CHECK(prof.n_sites == 5 && prof.n_layers == 2);
    for (uint32_t i = 0; i < prof.n_sites && i < 5; i++) {
        CHECK_STR(prof.sites[i].name, names[i]);
        CHECK(memcmp(prof.sites[i].histogram, h[i], sizeof h[i]) == 0);
        uint64_t sum = 0;
        for (int m = 0; m < N_MAG; m++)
            sum += h[i][m];
        CHECK(prof.sites[i].values == sum);
    }
    CHECK(prof.sites[2].layer == 1 && prof.sites[4].layer == -1);
    CHECK_STR(prof.sites[2].name + prof.sites[2].suffix_at, "attn.q_proj");

    /* Lookup: exact, then by suffix at layer mod 2; empty sites never. */
    struct ax_synth_pmf p, def;
    ax_synth_fit_default(&def, NULL);
    p = def;
    CHECK(ax_synth_profile_pmf(&prof, "model.layers.0.attn.q_proj", &p) == 0);
    CHECK(fabs(p.p[0] - 100.0 / 394) < 1e-15 && p.p[4] == 0);
    CHECK(ax_synth_profile_pmf(&prof, "model.layers.5.attn.q_proj", &p) == 0); /* 5 mod 2 */
    CHECK(p.p[5] == 1);
    CHECK(ax_synth_profile_pmf(&prof, "model.layers.4.mlp.gate_proj", &p) == 0);
    CHECK(p.p[0] == 0 && p.p[AX_SYNTH_MAX_MAG] > p.p[1]);
    CHECK(ax_synth_profile_pmf(&prof, "other.layers.2.attn.q_proj", &p) == 0); /* prefix free */
    CHECK(fabs(p.p[0] - 100.0 / 394) < 1e-15);
    p = def;
    CHECK(ax_synth_profile_pmf(&prof, "model.layers.3.mlp.gate_proj", &p) == -1); /* layer 1 */
    CHECK(ax_synth_profile_pmf(&prof, "model.layers.1.attn.unused", &p) == -1);   /* empty */
    CHECK(ax_synth_profile_pmf(&prof, "model.layers.0.attn.k_proj", &p) == -1);
    CHECK(ax_synth_profile_pmf(&prof, "model.norm", &p) == -1);
    CHECK(memcmp(&p, &def, sizeof p) == 0);
    CHECK(ax_synth_profile_pmf(&prof, "lm \"odd\" name\\", &p) == 0);
    ax_synth_profile_free(&prof);
    CHECK(prof.sites == NULL && prof.n_sites == 0);
    ax_synth_profile_free(&prof); /* twice is harmless */

    /* An empty profile is valid. */
    CHECK(ax_synth_profile_write(path, NULL, NULL, NULL, 0, &d) == AX_OK);
    CHECK(ax_synth_profile_load(path, &prof, &d) == AX_OK);
    CHECK(prof.n_sites == 0 && prof.n_layers == 0);
    CHECK(ax_synth_profile_pmf(&prof, "model.layers.0.attn.q_proj", &p) == -1);
    ax_synth_profile_free(&prof);

    /* Bad calls to the writer leave no file. */
    const char *bad = "never_written.profile.json";
    remove(bad);
    const char *dup[] = {"a", "a"};
    const uint64_t *hp2[2] = {h[0], h[1]};
    CHECK(ax_synth_profile_write(bad, "m", dup, hp2, 2, &d) == AX_ERR_INVALID);
    CHECK(has_message(&d, "appears twice"));
    const char *empty[] = {"a", ""};
    CHECK(ax_synth_profile_write(bad, "m", empty, hp2, 2, &d) == AX_ERR_INVALID);
    const char *utf[] = {"a", "\xff\xfe"};
    CHECK(ax_synth_profile_write(bad, "m", utf, hp2, 2, &d) == AX_ERR_INVALID);
    const uint64_t *hp3[2] = {h[0], h[4]};
    h[4][0] = UINT64_C(9000000000000000000);
    CHECK(ax_synth_profile_write(bad, "m", names, hp3, 2, &d) == AX_ERR_INVALID);
    CHECK(has_message(&d, "2^63"));
    FILE *f = fopen(bad, "rb");
    CHECK(f == NULL);
    if (f)
        fclose(f);
    CHECK(ax_synth_profile_write("no-such-dir/x.json", "m", names, hp, 1, &d) == AX_ERR_IO);
    ax_diag_list_free(&d);
}

/* Loads `text` as a profile; expects failure with a message containing
 * `needle`, the file's name on every error, and a zeroed result. */
static void expect_bad(const char *text, ax_status want, const char *needle, uint32_t want_line)
{
    const char *path = "bad.profile.json";
    write_text(path, text, strlen(text));
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_synth_profile prof;
    memset(&prof, 0x5a, sizeof prof);
    ax_status st = ax_synth_profile_load(path, &prof, &d);
    CHECK(st == want);
    CHECK(d.n_errors >= 1);
    CHECK(prof.sites == NULL && prof.model == NULL && prof.n_sites == 0);
    int has = has_message(&d, needle), has_line = want_line == 0;
    for (uint32_t i = 0; i < d.n_items; i++) {
        CHECK_STR(d.items[i].file, path);
        has_line |= d.items[i].line == want_line && d.items[i].col > 0;
    }
    CHECK(has);
    CHECK(has_line);
    if (!has || !has_line)
        print_diags(&d);
    ax_diag_list_free(&d);
}

static void test_profile_malformed(void)
{
    /* JSON syntax: line and column from jansson. */
    expect_bad("{\"schema\": \"axon-profile/1\",\n \"model\": \"m\",\n \"sites\": [}\n",
               AX_ERR_PARSE, "invalid JSON", 3);
    expect_bad("", AX_ERR_PARSE, "invalid JSON", 0);
    expect_bad("{\"schema\": \"axon-profile/1\", \"schema\": \"axon-profile/1\"}", AX_ERR_PARSE,
               "duplicate", 1);
    /* Not a profile. */
    expect_bad("[1, 2]", AX_ERR_PARSE, "an array", 1);
    expect_bad("{\"model\": \"m\", \"sites\": []}", AX_ERR_PARSE, "not a sparsity profile", 0);
    expect_bad("{\"schema\": \"axon-report/1\", \"model\": \"m\", \"sites\": []}", AX_ERR_PARSE,
               "reads \"axon-profile/1\"", 0);
    expect_bad("{\"schema\": \"axon-profile/1\", \"model\": 3, \"sites\": []}", AX_ERR_PARSE,
               "\"model\" is an integer", 0);
    expect_bad("{\"schema\": \"axon-profile/1\", \"model\": \"m\"}", AX_ERR_PARSE,
               "\"sites\" is missing", 0);
    /* Bad sites. */
    expect_bad("{\"schema\": \"axon-profile/1\", \"model\": \"m\", \"sites\": [\n"
               "{\"name\": \"a\", \"values\": 3, \"histogram\": [1, 4, -2]}]}",
               AX_ERR_PARSE, "histogram[2] is a negative integer", 0);
    expect_bad("{\"schema\": \"axon-profile/1\", \"model\": \"m\", \"sites\": [\n"
               "{\"name\": \"a\", \"values\": -3, \"histogram\": [1]}]}",
               AX_ERR_PARSE, "\"values\" is a negative integer", 0);
    expect_bad("{\"schema\": \"axon-profile/1\", \"model\": \"m\", \"sites\": [\n"
               "{\"name\": \"a\", \"values\": 3, \"histogram\": [1, 1.5]}]}",
               AX_ERR_PARSE, "histogram[1] is a real number", 0);
    expect_bad("{\"schema\": \"axon-profile/1\", \"model\": \"m\", \"sites\": [\n"
               "{\"name\": \"a\", \"values\": 3, \"histogram\": [1, 1]}]}",
               AX_ERR_PARSE, "sums to 2", 0);
    expect_bad("{\"schema\": \"axon-profile/1\", \"model\": \"m\", \"sites\": [\n"
               "{\"name\": \"a\", \"values\": 0, \"histogram\": []}]}",
               AX_ERR_PARSE, "\"histogram\" is empty", 0);
    expect_bad("{\"schema\": \"axon-profile/1\", \"model\": \"m\", \"sites\": [\n"
               "{\"values\": 1, \"histogram\": [1]}, 7]}",
               AX_ERR_PARSE, "sites[1] is an integer", 0);
    expect_bad("{\"schema\": \"axon-profile/1\", \"model\": \"m\", \"sites\": [\n"
               "{\"name\": \"a\", \"values\": 1, \"histogram\": [1]},\n"
               "{\"name\": \"a\", \"values\": 1, \"histogram\": [1]}]}",
               AX_ERR_PARSE, "appears again", 0);
    expect_bad("{\"schema\": \"axon-profile/1\", \"model\": \"m\", \"sites\": [\n"
               "{\"name\": \"a\", \"values\": 18446744073709551615, \"histogram\": [1]}]}",
               AX_ERR_PARSE, "invalid JSON", 2);

    /* Every problem is reported, not only the first. */
    const char *many = "{\"schema\": \"axon-profile/1\", \"model\": \"m\", \"sites\": [\n"
                       "{\"name\": \"a\", \"values\": 1, \"histogram\": [-1, 2]},\n"
                       "{\"name\": \"\", \"values\": 1, \"histogram\": [1]},\n"
                       "{\"name\": \"c\", \"values\": \"x\", \"histogram\": 5}]}";
    write_text("many.profile.json", many, strlen(many));
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    struct ax_synth_profile prof;
    CHECK(ax_synth_profile_load("many.profile.json", &prof, &d) == AX_ERR_PARSE);
    CHECK(d.n_errors == 4);
    CHECK(has_message(&d, "write the profile again"));
    ax_diag_list_free(&d);

    /* Missing file and a directory. */
    ax_diag_list_init(&d);
    CHECK(ax_synth_profile_load("no-such.profile.json", &prof, &d) == AX_ERR_IO);
    CHECK(d.n_errors == 1 && strcmp(d.items[0].file, "no-such.profile.json") == 0);
    CHECK(ax_synth_profile_load(".", &prof, &d) == AX_ERR_IO);
    ax_diag_list_free(&d);

    /* Lenient where it is safe: short and long histograms, unknown keys. */
    const char *ok =
        "{\"schema\": \"axon-profile/1\", \"model\": \"m\", \"extra\": 1, \"sites\": [\n"
        "{\"name\": \"s\", \"values\": 3, \"histogram\": [1, 2], \"note\": 0},\n"
        "{\"name\": \"l\", \"values\": 70, \"histogram\": [1, 1, 1, 1, 1, 1, 1, 1, "
        "1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, "
        "1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, "
        "1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}]}";
    write_text("ok.profile.json", ok, strlen(ok));
    ax_diag_list_init(&d);
    CHECK(ax_synth_profile_load("ok.profile.json", &prof, &d) == AX_OK);
    CHECK(d.n_errors == 0 && d.n_warnings == 2);
    if (prof.n_sites == 2) {
        CHECK(prof.sites[0].histogram[1] == 2 && prof.sites[0].histogram[2] == 0);
        CHECK(prof.sites[1].values == 70 && prof.sites[1].histogram[AX_SYNTH_MAX_MAG] == 7);
    }
    ax_synth_profile_free(&prof);
    ax_diag_list_free(&d);
}

/* Every truncation of a valid profile fails cleanly with a position. */
static void test_profile_truncated(void)
{
    const char *path = "full.profile.json";
    const char *names[] = {"model.layers.0.attn.q_proj", "model.layers.1.mlp.up_proj"};
    static uint64_t h[2][N_MAG];
    for (int m = 0; m < N_MAG; m++) {
        h[0][m] = (uint64_t)(N_MAG - m) * 1000;
        h[1][m] = (uint64_t)m * m;
    }
    const uint64_t *hp[2] = {h[0], h[1]};
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    CHECK(ax_synth_profile_write(path, "m", names, hp, 2, &d) == AX_OK);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    static char text[1 << 16];
    size_t len = fread(text, 1, sizeof text, f);
    fclose(f);
    CHECK(len > 100 && len < sizeof text);
    int n_bad = 0, n_nopos = 0;
    for (size_t cut = 0; cut < len; cut++) {
        /* Cutting only the final newline leaves a complete document. */
        int is_complete = cut == len - 1;
        write_text("cut.profile.json", text, cut);
        ax_diag_list_free(&d);
        ax_diag_list_init(&d);
        struct ax_synth_profile prof;
        ax_status st = ax_synth_profile_load("cut.profile.json", &prof, &d);
        if (is_complete) {
            CHECK(st == AX_OK);
        } else {
            n_bad += st != AX_ERR_PARSE || d.n_errors == 0 || prof.sites != NULL;
            n_nopos += d.n_items == 0 || (cut > 0 && d.items[0].line == 0);
        }
        ax_synth_profile_free(&prof);
    }
    CHECK(n_bad == 0);
    CHECK(n_nopos == 0);
    ax_diag_list_free(&d);
}

/* Allocation failures while loading: a clean AX_ERR_NOMEM, nothing leaked. */
static void test_profile_alloc_failures(void)
{
    const char *path = "alloc.profile.json";
    const char *names[] = {"model.layers.0.attn.q_proj", "model.layers.1.mlp.up_proj",
                           "model.layers.2.attn.o_proj"};
    static uint64_t h[3][N_MAG];
    for (int m = 0; m < N_MAG; m++)
        h[0][m] = h[1][m] = h[2][m] = (uint64_t)m + 1;
    const uint64_t *hp[3] = {h[0], h[1], h[2]};
    struct ax_diag_list d;
    ax_diag_list_init(&d);
    CHECK(ax_synth_profile_write(path, "m", names, hp, 3, &d) == AX_OK);
    ax_diag_list_free(&d);
    int is_done = 0;
    for (long n = 0; n < 200 && !is_done; n++) {
        struct ax_synth_profile prof;
        ax_diag_list_init(&d);
        ax_test_allocs_left = n;
        ax_mem_set_hook(ax_test_failing_alloc, NULL);
        ax_status st = ax_synth_profile_load(path, &prof, &d);
        ax_mem_set_hook(NULL, NULL);
        CHECK(st == AX_OK || st == AX_ERR_NOMEM || st == AX_ERR_IO);
        if (st == AX_OK) {
            is_done = 1;
            CHECK(prof.n_sites == 3);
        } else {
            CHECK(prof.sites == NULL && prof.model == NULL);
        }
        ax_synth_profile_free(&prof);
        ax_diag_list_free(&d);
    }
    CHECK(is_done);
    for (long n = 0; n < 50; n++) {
        ax_diag_list_init(&d);
        ax_test_allocs_left = n;
        ax_mem_set_hook(ax_test_failing_alloc, NULL);
        ax_status st = ax_synth_profile_write(path, "m", names, hp, 3, &d);
        ax_mem_set_hook(NULL, NULL);
        CHECK(st == AX_OK || st == AX_ERR_NOMEM || st == AX_ERR_IO);
        ax_diag_list_free(&d);
        if (st == AX_OK)
            break;
    }
}

AX_TEST_MAIN(T(test_fit_claims), T(test_fit_sampled), T(test_determinism), T(test_pmf_set),
             T(test_silence), T(test_profile_round_trip), T(test_profile_malformed),
             T(test_profile_truncated), T(test_profile_alloc_failures))
