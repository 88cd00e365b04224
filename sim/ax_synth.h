/* Synthetic spike counts for the simulator's counting mode.
 *
 * Place in the pipeline: counting mode runs shape-only models (no weights),
 * so the input counts s of each spiking projection (a signed integer per
 * token and input channel, docs/semantics.md) are drawn here instead of
 * computed. The engine (ax_sim.h) sees only counts. Where the draws come
 * from, why the default looks the way it does and what it achieves against
 * the published figures is in docs/synthetic.md.
 *
 * Three parts:
 *   - a distribution (struct ax_synth_pmf): P(|s| = m) for m = 0 ..
 *     AX_SYNTH_MAX_MAG, a random sign for s != 0, and optionally a fraction
 *     of silent channels that never fire;
 *   - the default distribution, fitted at startup to SpikingBrain-7B's
 *     published statistics (ax_synth_fit_default), with the fit's achieved
 *     value beside every target (struct ax_synth_fit);
 *   - sparsity profiles ("axon-profile/1" JSON): per-site |s| histograms a
 *     functional run writes and a counting run draws from.
 *
 * Draws are counter-based: each count is a hash of (seed, site, token,
 * channel), so a site's counts do not depend on the order or the thread in
 * which sites and tokens are drawn. */
#ifndef AX_SYNTH_H
#define AX_SYNTH_H

#include "ax_diag.h"
#include "ax_status.h"

#include <stdint.h>

/* Magnitudes are 0 .. AX_SYNTH_MAX_MAG = 2^AX_SYNTH_MAG_BITS - 1. Counts
 * above it (the encoder does not clip) are clamped into the last bucket
 * wherever a histogram is taken, and the last bucket is drawn as
 * AX_SYNTH_MAX_MAG itself. 63 rather than 31: a token's steps T follow its
 * largest count, and over thousands of channels that count lies in the far
 * tail, so a cap at 31 would hold T at 5 for nearly every token. */
#define AX_SYNTH_MAG_BITS 6
#define AX_SYNTH_MAX_MAG ((1 << AX_SYNTH_MAG_BITS) - 1)

/* ---- the distribution ------------------------------------------------------ */

/* A count distribution, ready to draw from. Fill it with ax_synth_pmf_set
 * (or ax_synth_pmf_from_hist, ax_synth_fit_default, ax_synth_profile_pmf);
 * the sampling tables are derived from `p` and `silent_fraction` there.
 * Plain data: copy it by assignment. */
struct ax_synth_pmf {
    double p[AX_SYNTH_MAX_MAG + 1]; /* P(|s| = m) over all channels; sums to 1 */
    double silent_fraction;         /* channels of a site that never fire, in [0, p[0]] */
    /* Sampling tables (Walker's alias method over the active channels): a
     * draw picks bucket i uniformly, keeps i when 32 random bits are below
     * alias_threshold[i] and takes alias_index[i] otherwise. */
    uint32_t alias_threshold[AX_SYNTH_MAX_MAG + 1];
    uint8_t alias_index[AX_SYNTH_MAX_MAG + 1];
    uint64_t silent_threshold; /* a channel is silent when its hash is below this */
};

/* Makes `out` the distribution P(|s| = m) = p[m] / sum(p). A fraction
 * `silent_fraction` of each site's channels (chosen by a hash of seed, site
 * and channel, the same for every token) then never fires, and the zeros
 * they contribute are taken out of the other channels' P(0): every per-value
 * statistic stays that of `p`, only silent_channels changes. Fails with
 * AX_ERR_INVALID (and leaves `out` untouched) when an entry of `p` is
 * negative or not finite, all are 0, or silent_fraction is outside
 * [0, p[0] / sum(p)]. */
ax_status ax_synth_pmf_set(struct ax_synth_pmf *out, const double p[AX_SYNTH_MAX_MAG + 1],
                           double silent_fraction);

/* The same from a histogram of |s| (counts per magnitude), no silent
 * channels. Returns AX_ERR_INVALID when the histogram is empty. */
ax_status ax_synth_pmf_from_hist(struct ax_synth_pmf *out,
                                 const uint64_t hist[AX_SYNTH_MAX_MAG + 1]);

/* Draws the counts of `n` channels (0 .. n-1) of site `site` at token
 * `token` into counts[0 .. n-1]. Count c is a function of (seed, site,
 * token, c) and `p` only: the same arguments give the same counts in any
 * order and on any thread, and a different seed gives independent counts.
 * A few nanoseconds per count (one 64-bit hash and a table lookup); no
 * allocation, no failure. */
void ax_synth_counts(const struct ax_synth_pmf *p, uint64_t seed, uint32_t site, uint64_t token,
                     uint32_t n, int32_t *counts);
/* The same for channels first .. first + n - 1 (a shard of a site's
 * channels): counts[i] is channel first + i's count. */
void ax_synth_counts_at(const struct ax_synth_pmf *p, uint64_t seed, uint32_t site,
                        uint64_t token, uint32_t first, uint32_t n, int32_t *counts);

/* ---- the default: a fit to the published figures ------------------------------ */

/* The statistics the default is fitted to or reported against, each one
 * linear in the pmf (or, for the last three, a function of it).
 * Columns: X(ENUM, "name", target, sigma, tolerance, is_claimed, "meaning")
 *   target      the published figure (docs/sources.md: spikingbrain-report §5.5:
 *               SpikingBrain-7B W8ASpike, k = 3, bidirectional bitwise coding)
 *   sigma       the fit's weight is 1 / sigma^2; 0: not in the objective
 *   tolerance   for claimed statistics, |achieved - target| <= tolerance
 *   is_claimed  1 when the default claims to meet the target
 * Why these weights: docs/synthetic.md, "The weights". */
#define AX_SYNTH_STATS(X)                                                                          \
    X(ZERO_FRACTION, "zero_fraction", 0.184, 1e-3, 1e-3, 1,                                        \
      "values with s = 0 (18.4% read as zero values)")                                             \
    X(SPIKES_PER_ELEMENT, "spikes_per_element", 1.13, 1e-3, 2e-3, 1,                               \
      "mean popcount(|s|) per value (1.13 read as spikes per value)")                              \
    X(VALUES_LE7, "values_le7", 0.941, 1e-3, 1e-3, 1, "values with |s| <= 7 (94.1%)")              \
    X(VALUES_GT16, "values_gt16", 0.010, 1e-3, 1e-3, 1, "values with |s| > 16 (about 1%)")         \
    X(HIST_T3_0, "histogram_t3_0", 0.6915, 1.0, 0.0, 0,                                            \
      "values with 0 spikes in a 3-step window (Fig. 9)")                                          \
    X(HIST_T3_1, "histogram_t3_1", 0.1930, 1.0, 0.0, 0,                                            \
      "values with 1 spike in a 3-step window (Fig. 9)")                                           \
    X(HIST_T3_2, "histogram_t3_2", 0.0969, 1.0, 0.0, 0,                                            \
      "values with 2 spikes in a 3-step window (Fig. 9)")                                          \
    X(HIST_T3_3, "histogram_t3_3", 0.0185, 1.0, 0.0, 0,                                            \
      "values with >= 3 spikes in a 3-step window (Fig. 9)")                                       \
    X(SLOT_SPARSITY_T3, "slot_sparsity_t3", 0.6915, 0.0, 0.0, 0,                                   \
      "1 - spikes / (3 values) in a 3-step window (69.15%, reading (b))")                          \
    X(SPIKES_PER_NONZERO, "spikes_per_nonzero", 1.13, 0.0, 0.0, 0,                                 \
      "mean popcount(|s|) per non-zero value (1.13, reading (b))")                                 \
    X(SILENT_CHANNELS, "silent_channels", 0.184, 0.0, 0.0, 0,                                      \
      "channels that never fire (18.4% read as channels)")

enum ax_synth_stat {
#define X(e, name, target, sigma, tol, claimed, meaning) AX_SYNTH_STAT_##e,
    AX_SYNTH_STATS(X)
#undef X
        AX_SYNTH_STAT_COUNT
};

/* One statistic of the fit: the published target beside what the default
 * achieves (computed exactly from the fitted pmf, not sampled). */
struct ax_synth_fit_stat {
    const char *name;    /* "zero_fraction", ... (static) */
    const char *meaning; /* one line (static) */
    double target, achieved;
    double weight;    /* 1 / sigma^2, 0 when not in the objective */
    double tolerance; /* meaningful when is_claimed */
    int is_claimed;
};

/* What ax_synth_fit_default did. */
struct ax_synth_fit {
    struct ax_synth_fit_stat stat[AX_SYNTH_STAT_COUNT];
    /* The published figures in the shape ax_sim.h's reports print them. */
    double target_hist_t3[4], target_spikes_per_element, target_zero_fraction;
    double achieved_hist_t3[4], achieved_spikes_per_element, achieved_zero_fraction;
    const char *reference; /* the prior's reference shape, in words (static) */
    const char *source;    /* where the targets come from (static) */
    double prior_weight;   /* chi-square distance to the reference */
    double smooth_weight;  /* curvature of pmf / reference */
    double objective;      /* the weighted least-squares objective at the fit */
    double values_gt31;    /* tail mass beyond the published figures */
    uint32_t iterations;   /* least-squares solves of the active-set method */
};

/* Fills *out with the default distribution and *fit (may be NULL) with its
 * targets, weights and achieved values. Deterministic (the same bits on a
 * given build), allocation-free and fast (about 0.5 ms in a release build): call
 * it whenever the default is needed. No silent channels. */
void ax_synth_fit_default(struct ax_synth_pmf *out, struct ax_synth_fit *fit);

/* The statistics of `p` (every AX_SYNTH_STAT_*), exactly, into out[]. */
void ax_synth_pmf_stats(const struct ax_synth_pmf *p, double out[AX_SYNTH_STAT_COUNT]);

const char *ax_synth_stat_name(enum ax_synth_stat s); /* "zero_fraction", ...; "?" */

/* ---- sparsity profiles ----------------------------------------------------------- */

/* The schema name written and accepted. */
#define AX_SYNTH_PROFILE_SCHEMA "axon-profile/1"

/* One spiking projection ("site") of a profile. */
struct ax_synth_profile_site {
    char *name;      /* e.g. "model.layers.0.attn.q_proj"; owned */
    uint64_t values; /* counts seen: the histogram's sum */
    uint64_t histogram[AX_SYNTH_MAX_MAG + 1];
    int32_t layer;      /* N of "layers.N." in the name, -1 if none */
    uint32_t suffix_at; /* offset in `name` of what follows "layers.N." (0 if none) */
};

/* A loaded profile; release with ax_synth_profile_free. */
struct ax_synth_profile {
    char *model; /* the model the functional run ran; owned */
    struct ax_synth_profile_site *sites;
    uint32_t n_sites;
    uint32_t n_layers; /* 1 + the largest layer index among the sites, 0 if none */
};

/* Writes an "axon-profile/1" file at `path` (atomically, ax_fs.h):
 *
 *   {"schema": "axon-profile/1", "model": "<model_name>",
 *    "sites": [{"name": "<names[i]>", "values": N, "histogram": [h0, ..., h63]}, ...]}
 *
 * one site per line, where hists[i] points at AX_SYNTH_MAX_MAG + 1 counts:
 * hists[i][m] values of site i had |s| = m (the caller clamps larger
 * magnitudes into the last bucket), and N is their sum. `model_name` may be
 * NULL (written as ""). Fails with AX_ERR_INVALID when a name is NULL, empty,
 * repeated or not UTF-8, or a sum exceeds 2^63 - 1 (JSON readers stop
 * there), AX_ERR_IO when the file cannot be written, AX_ERR_NOMEM; each with
 * a diagnostic naming the path. */
ax_status ax_synth_profile_write(const char *path, const char *model_name, const char *const *names,
                                 const uint64_t *const *hists, uint32_t n_sites,
                                 struct ax_diag_list *diags);

/* Reads the profile at `path` into *out. Every problem is reported in
 * `diags` with the file's name (JSON syntax errors with line and column,
 * content errors with the site and entry) and a hint at the fix; all
 * problems are reported, not only the first. A histogram may be shorter
 * than AX_SYNTH_MAX_MAG + 1 entries (the rest are 0) or longer (entries
 * beyond the last bucket are added into it). Fails with AX_ERR_IO,
 * AX_ERR_LIMIT (over 256 MiB), AX_ERR_PARSE (not JSON, or not a valid
 * profile) or AX_ERR_NOMEM; then *out is zeroed and owns nothing. */
ax_status ax_synth_profile_load(const char *path, struct ax_synth_profile *out,
                                struct ax_diag_list *diags);

void ax_synth_profile_free(struct ax_synth_profile *prof);

/* The distribution for the site named `site_name` (no silent channels):
 *   1. the profile's site of exactly that name;
 *   2. else, for a name "<anything>layers.L.<suffix>", the profile's site
 *      whose name ends in "layers.(L mod n_layers).<suffix>": a model with
 *      more layers than the profile reuses the profile's layers cyclically
 *      (a profile of an even number of layers keeps SpikingBrain's GLA/SWA
 *      alternation).
 * Sites that saw no values are never matched. Returns 0 and fills *out when
 * a site matched, -1 (leaving *out untouched) when none did: the caller
 * then uses the default. */
int ax_synth_profile_pmf(const struct ax_synth_profile *prof, const char *site_name,
                         struct ax_synth_pmf *out);

#endif
