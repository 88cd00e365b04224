/* Synthetic spike counts: the default distribution's fit, the counter-based
 * sampler and sparsity profiles (ax_synth.h, docs/synthetic.md). */
#include "ax_synth.h"

#include "ax_fs.h"
#include "ax_mem.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define N_MAG (AX_SYNTH_MAX_MAG + 1)

_Static_assert(AX_SYNTH_MAG_BITS >= 1 && AX_SYNTH_MAG_BITS <= 8, "magnitudes index a uint8_t");
_Static_assert(N_MAG > 17, "the fit's targets need magnitudes above 16");

static const char *const stat_names[] = {
#define X(e, name, target, sigma, tol, claimed, meaning) name,
    AX_SYNTH_STATS(X)
#undef X
};
_Static_assert(sizeof stat_names / sizeof stat_names[0] == AX_SYNTH_STAT_COUNT, "stat names");

const char *ax_synth_stat_name(enum ax_synth_stat s)
{
    return (unsigned)s < AX_SYNTH_STAT_COUNT ? stat_names[s] : "?";
}

static uint32_t popcount32(uint32_t v)
{
    uint32_t n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

/* ---- the counter-based generator ------------------------------------------------ */

/* SplitMix64's output function: a bijection of 64-bit words that mixes every
 * input bit into every output bit. Applied to a Weyl sequence key + i * GOLDEN
 * it is SplitMix64 itself. */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

#define GOLDEN 0x9e3779b97f4a7c15u

/* Keys of a site (for silence) and of one (site, token) (for the counts). */
static uint64_t site_key(uint64_t seed, uint32_t site)
{
    return mix64(mix64(seed + GOLDEN) ^ mix64((uint64_t)site + 0x632be59bd9b4e019u));
}

static uint64_t token_key(uint64_t skey, uint64_t token)
{
    return mix64(skey ^ mix64(token + 0x8cb92ba72f3d8dd7u));
}

static inline uint64_t silence_hash(uint64_t skey, uint32_t channel)
{
    return mix64(skey ^ mix64((uint64_t)channel + 0xd1b54a32d192ed03u));
}

void ax_synth_counts(const struct ax_synth_pmf *p, uint64_t seed, uint32_t site, uint64_t token,
                     uint32_t n, int32_t *counts)
{
    ax_synth_counts_at(p, seed, site, token, 0, n, counts);
}

void ax_synth_counts_at(const struct ax_synth_pmf *p, uint64_t seed, uint32_t site,
                        uint64_t token, uint32_t first, uint32_t n, int32_t *counts)
{
    uint64_t skey = site_key(seed, site);
    uint64_t key = token_key(skey, token);
    /* One 64-bit draw per count: bits 58..63 pick the alias bucket, bits
     * 0..31 decide between the bucket and its alias, bit 32 is the sign. */
    for (uint32_t i = 0; i < n; i++) {
        uint64_t c = (uint64_t)first + i;
        uint64_t u = mix64(key + (c + 1) * GOLDEN);
        uint32_t b = (uint32_t)(u >> (64 - AX_SYNTH_MAG_BITS));
        int32_t mag = (uint32_t)u < p->alias_threshold[b] ? (int32_t)b : p->alias_index[b];
        counts[i] = (u >> 32) & 1u ? -mag : mag;
    }
    if (p->silent_threshold) {
        for (uint32_t i = 0; i < n; i++) {
            if (silence_hash(skey, first + i) < p->silent_threshold)
                counts[i] = 0;
        }
    }
}

/* ---- distributions ------------------------------------------------------------------ */

/* Walker's alias tables for the active channels' distribution q (sums to 1),
 * built by Vose's method with the worklists in index order (deterministic). */
static void build_alias(struct ax_synth_pmf *out, const double q[N_MAG])
{
    double scaled[N_MAG];
    uint8_t small[N_MAG], large[N_MAG];
    uint32_t n_small = 0, n_large = 0;
    for (uint32_t i = 0; i < N_MAG; i++) {
        scaled[i] = q[i] * N_MAG;
        if (scaled[i] < 1.0)
            small[n_small++] = (uint8_t)i;
        else
            large[n_large++] = (uint8_t)i;
    }
    while (n_small && n_large) {
        uint8_t s = small[--n_small], l = large[--n_large];
        double t = ldexp(scaled[s], 32);
        out->alias_threshold[s] = t >= 4294967295.0 ? 0xffffffffu : (uint32_t)(t + 0.5);
        out->alias_index[s] = l;
        scaled[l] = (scaled[l] + scaled[s]) - 1.0;
        if (scaled[l] < 1.0)
            small[n_small++] = l;
        else
            large[n_large++] = l;
    }
    /* What is left holds (up to rounding) exactly one bucket's worth. */
    while (n_large) {
        uint8_t l = large[--n_large];
        out->alias_threshold[l] = 0xffffffffu;
        out->alias_index[l] = l;
    }
    while (n_small) {
        uint8_t s = small[--n_small];
        out->alias_threshold[s] = 0xffffffffu;
        out->alias_index[s] = s;
    }
}

ax_status ax_synth_pmf_set(struct ax_synth_pmf *out, const double p[AX_SYNTH_MAX_MAG + 1],
                           double silent_fraction)
{
    double sum = 0;
    for (uint32_t i = 0; i < N_MAG; i++) {
        if (!(p[i] >= 0) || !isfinite(p[i]))
            return AX_ERR_INVALID;
        sum += p[i];
    }
    if (!(sum > 0) || !isfinite(sum))
        return AX_ERR_INVALID;
    double p0 = p[0] / sum;
    if (!(silent_fraction >= 0) || silent_fraction > p0 * (1 + 1e-12))
        return AX_ERR_INVALID;
    if (silent_fraction > p0)
        silent_fraction = p0;
    struct ax_synth_pmf r;
    memset(&r, 0, sizeof r);
    for (uint32_t i = 0; i < N_MAG; i++)
        r.p[i] = p[i] / sum;
    r.silent_fraction = silent_fraction;
    /* The active channels: P(0) less the silent channels' zeros, renormalized. */
    double q[N_MAG];
    double active = 1.0 - silent_fraction;
    if (active > 0) {
        for (uint32_t i = 0; i < N_MAG; i++)
            q[i] = r.p[i] / active;
        q[0] = (r.p[0] - silent_fraction) / active;
        if (q[0] < 0)
            q[0] = 0;
    } else {
        memset(q, 0, sizeof q);
        q[0] = 1;
    }
    build_alias(&r, q);
    double t = ldexp(silent_fraction, 64);
    r.silent_threshold = t >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)t;
    *out = r;
    return AX_OK;
}

ax_status ax_synth_pmf_from_hist(struct ax_synth_pmf *out,
                                 const uint64_t hist[AX_SYNTH_MAX_MAG + 1])
{
    double p[N_MAG];
    for (uint32_t i = 0; i < N_MAG; i++)
        p[i] = (double)hist[i];
    return ax_synth_pmf_set(out, p, 0.0);
}

/* The coefficients of the linear statistics: stat = sum_m coef[m] * p[m].
 * Returns 0 for the statistics that are not linear in p. */
static int linear_coef(enum ax_synth_stat s, double coef[N_MAG])
{
    for (uint32_t m = 0; m < N_MAG; m++) {
        uint32_t t3 = popcount32(m < 7 ? m : 7);
        switch (s) {
        case AX_SYNTH_STAT_ZERO_FRACTION:
            coef[m] = m == 0;
            break;
        case AX_SYNTH_STAT_SPIKES_PER_ELEMENT:
            coef[m] = popcount32(m);
            break;
        case AX_SYNTH_STAT_VALUES_LE7:
            coef[m] = m <= 7;
            break;
        case AX_SYNTH_STAT_VALUES_GT16:
            coef[m] = m > 16;
            break;
        case AX_SYNTH_STAT_HIST_T3_0:
        case AX_SYNTH_STAT_HIST_T3_1:
        case AX_SYNTH_STAT_HIST_T3_2:
        case AX_SYNTH_STAT_HIST_T3_3:
            coef[m] = t3 == (uint32_t)(s - AX_SYNTH_STAT_HIST_T3_0);
            break;
        default:
            return 0;
        }
    }
    return 1;
}

void ax_synth_pmf_stats(const struct ax_synth_pmf *p, double out[AX_SYNTH_STAT_COUNT])
{
    double coef[N_MAG];
    for (int s = 0; s < AX_SYNTH_STAT_COUNT; s++) {
        out[s] = 0;
        if (!linear_coef((enum ax_synth_stat)s, coef))
            continue;
        for (uint32_t m = 0; m < N_MAG; m++)
            out[s] += coef[m] * p->p[m];
    }
    double spikes_t3 = 0;
    for (uint32_t m = 0; m < N_MAG; m++)
        spikes_t3 += popcount32(m < 7 ? m : 7) * p->p[m];
    out[AX_SYNTH_STAT_SLOT_SPARSITY_T3] = 1.0 - spikes_t3 / 3.0;
    double nonzero = 1.0 - p->p[0];
    out[AX_SYNTH_STAT_SPIKES_PER_NONZERO] =
        nonzero > 0 ? out[AX_SYNTH_STAT_SPIKES_PER_ELEMENT] / nonzero : 0.0;
    out[AX_SYNTH_STAT_SILENT_CHANNELS] = p->silent_fraction;
}

/* ---- the fit ----------------------------------------------------------------------------- */

/* The prior's reference shape: the report's encoder (docs/sources.md:
 * spikingbrain-report §2.1.3; docs/semantics.md) applied to
 * Student-t activations with 3 degrees of freedom: s = round(k |x| / mean|x|)
 * at k = 3, truncated at AX_SYNTH_MAX_MAG and renormalized. With u =
 * 2 (m + 1/2) / (3 pi), P(|s| <= m) = (2 / pi) (u / (1 + u^2) + atan u).
 * Heavy-tailed enough that about 1% of its counts exceed 16 on its own. */
static void reference_pmf(double r[N_MAG])
{
    const double pi = 3.14159265358979323846;
    double prev = 0, sum = 0;
    for (uint32_t m = 0; m < N_MAG; m++) {
        double u = 2.0 * (m + 0.5) / (3.0 * pi);
        double cdf = (2.0 / pi) * (u / (1.0 + u * u) + atan(u));
        r[m] = cdf - prev;
        prev = cdf;
        sum += r[m];
    }
    for (uint32_t m = 0; m < N_MAG; m++)
        r[m] /= sum;
}

/* The weights (docs/synthetic.md, "The weights"). The published figures
 * conflict (the histogram's 0 bar is p(0) = 69.15% against an 18.4% zero
 * fraction; its bars allow at most 0.48 spikes per value against 1.13; its
 * >= 3 bar of 1.85% is below the 5.9% that 94.1% within 7 leaves above 7).
 * The fit meets reading (a), on which energy, skipped fetches and the steps
 * rest: zero fraction, spikes per value, values <= 7 and > 16 at sigma 1e-3,
 * in effect constraints. The histogram's bars stay in at sigma 1 (the size
 * of the disagreement), the prior picks the shape. Achieved (exact, from the
 * pmf): zero 0.1840, spikes 1.1300, <= 7 0.9410, > 16 0.0100; histogram
 * 0.1840 / 0.5260 / 0.2078 / 0.0821 against 0.6915 / 0.1930 / 0.0969 /
 * 0.0185; slot sparsity in 3 steps 0.6040 (0.6915); spikes per non-zero
 * value 1.385; 0.13% of values above 31. */
#define FIT_PRIOR_WEIGHT 1.0
#define FIT_SMOOTH_WEIGHT 1.0
#define FIT_SUM_SIGMA 1e-6

/* A least-squares problem min |R x - q|^2 + rest, kept as the triangular
 * factor R (upper, N_MAG x N_MAG) of its rows: rows are folded in one at a
 * time by Givens rotations, so the full matrix never exists. */
struct lsq {
    double R[N_MAG][N_MAG];
    double q[N_MAG];
    double rest; /* the part of the residual no x can reduce */
};

/* Folds the row a . x = b into the factor (a is clobbered). */
static void lsq_add_row(struct lsq *L, double a[N_MAG], double b)
{
    for (uint32_t j = 0; j < N_MAG; j++) {
        if (a[j] == 0)
            continue;
        double h = hypot(L->R[j][j], a[j]);
        double c = L->R[j][j] / h, s = a[j] / h;
        for (uint32_t k = j; k < N_MAG; k++) {
            double t = L->R[j][k];
            L->R[j][k] = c * t + s * a[k];
            a[k] = -s * t + c * a[k];
        }
        double t = L->q[j];
        L->q[j] = c * t + s * b;
        b = -s * t + c * b;
    }
    L->rest += b * b;
}

/* Solves min |R[:, P] z - q| over the passive columns (is_passive[j]) by
 * Householder QR of those columns; z is 0 outside P. */
static void lsq_solve_passive(const struct lsq *L, const uint8_t *is_passive, double z[N_MAG])
{
    double M[N_MAG][N_MAG]; /* M[i][c]: row i of passive column c */
    double y[N_MAG];
    uint32_t col[N_MAG], k = 0;
    for (uint32_t j = 0; j < N_MAG; j++) {
        z[j] = 0;
        if (is_passive[j])
            col[k++] = j;
    }
    for (uint32_t i = 0; i < N_MAG; i++) {
        y[i] = L->q[i];
        for (uint32_t c = 0; c < k; c++)
            M[i][c] = L->R[i][col[c]];
    }
    /* R is upper triangular, so passive column c is non-zero only in rows
     * 0 .. col[c], and the earlier reflections (rows c' .. col[c'] with
     * col[c'] < col[c]) keep it so: each reflection spans rows c .. col[c]. */
    for (uint32_t c = 0; c < k; c++) {
        uint32_t end = col[c] + 1;
        double norm = 0;
        for (uint32_t i = c; i < end; i++)
            norm += M[i][c] * M[i][c];
        norm = sqrt(norm);
        if (norm == 0)
            continue;
        double alpha = M[c][c] > 0 ? -norm : norm;
        double v[N_MAG];
        double vv = 0;
        for (uint32_t i = c; i < end; i++) {
            v[i] = M[i][c];
            if (i == c)
                v[i] -= alpha;
            vv += v[i] * v[i];
        }
        if (vv == 0)
            continue;
        for (uint32_t d = c; d < k; d++) {
            double dot = 0;
            for (uint32_t i = c; i < end; i++)
                dot += v[i] * M[i][d];
            double f = 2.0 * dot / vv;
            for (uint32_t i = c; i < end; i++)
                M[i][d] -= f * v[i];
        }
        double dot = 0;
        for (uint32_t i = c; i < end; i++)
            dot += v[i] * y[i];
        double f = 2.0 * dot / vv;
        for (uint32_t i = c; i < end; i++)
            y[i] -= f * v[i];
    }
    for (uint32_t c = k; c-- > 0;) {
        double s = y[c];
        for (uint32_t d = c + 1; d < k; d++)
            s -= M[c][d] * z[col[d]];
        z[col[c]] = M[c][c] != 0 ? s / M[c][c] : 0.0;
    }
}

/* Lawson and Hanson's active-set method for min |R x - q| subject to x >= 0,
 * started from the strictly positive x given (every column passive), which
 * makes one solve enough when the unconstrained optimum is positive. Returns
 * the number of least-squares solves. */
static uint32_t lsq_nnls(const struct lsq *L, double x[N_MAG])
{
    uint8_t is_passive[N_MAG];
    memset(is_passive, 1, sizeof is_passive);
    double z[N_MAG], w[N_MAG];
    double scale = 0;
    for (uint32_t i = 0; i < N_MAG; i++)
        for (uint32_t j = i; j < N_MAG; j++)
            scale = fmax(scale, fabs(L->R[i][j]));
    double qn = 0;
    for (uint32_t i = 0; i < N_MAG; i++)
        qn = fmax(qn, fabs(L->q[i]));
    const double tol = 1e-12 * scale * fmax(qn, 1.0);
    uint32_t solves = 0;
    for (uint32_t outer = 0; outer < 3 * N_MAG; outer++) {
        /* Inner loop: move to the passive optimum, dropping columns that
         * would turn negative on the way. */
        for (uint32_t inner = 0; inner <= N_MAG; inner++) {
            lsq_solve_passive(L, is_passive, z);
            solves++;
            double alpha = 1.0;
            int is_feasible = 1;
            for (uint32_t j = 0; j < N_MAG; j++) {
                if (is_passive[j] && z[j] <= 0) {
                    is_feasible = 0;
                    double a = x[j] / (x[j] - z[j]);
                    if (a < alpha)
                        alpha = a;
                }
            }
            if (is_feasible) {
                memcpy(x, z, sizeof z);
                break;
            }
            for (uint32_t j = 0; j < N_MAG; j++) {
                if (!is_passive[j])
                    continue;
                x[j] += alpha * (z[j] - x[j]);
                if (x[j] <= 1e-15 || (z[j] <= 0 && x[j] <= 1e-12)) {
                    x[j] = 0;
                    is_passive[j] = 0;
                }
            }
        }
        /* The gradient's pull on the columns held at zero. */
        double r[N_MAG];
        for (uint32_t i = 0; i < N_MAG; i++) {
            double s = L->q[i];
            for (uint32_t j = i; j < N_MAG; j++)
                s -= L->R[i][j] * x[j];
            r[i] = s;
        }
        uint32_t best = N_MAG;
        double best_w = tol;
        for (uint32_t j = 0; j < N_MAG; j++) {
            w[j] = 0;
            for (uint32_t i = 0; i <= j; i++)
                w[j] += L->R[i][j] * r[i];
            if (!is_passive[j] && w[j] > best_w) {
                best_w = w[j];
                best = j;
            }
        }
        if (best == N_MAG)
            break;
        is_passive[best] = 1;
    }
    return solves;
}

/* The statistics' columns of AX_SYNTH_STATS, as arrays. */
static const double stat_target[] = {
#define X(e, name, t, sigma, tol, claimed, meaning) t,
    AX_SYNTH_STATS(X)
#undef X
};
static const double stat_sigma[] = {
#define X(e, name, t, sigma, tol, claimed, meaning) sigma,
    AX_SYNTH_STATS(X)
#undef X
};
static const double stat_tolerance[] = {
#define X(e, name, t, sigma, tol, claimed, meaning) tol,
    AX_SYNTH_STATS(X)
#undef X
};
static const int stat_is_claimed[] = {
#define X(e, name, t, sigma, tol, claimed, meaning) claimed,
    AX_SYNTH_STATS(X)
#undef X
};
static const char *const stat_meaning[] = {
#define X(e, name, t, sigma, tol, claimed, meaning) meaning,
    AX_SYNTH_STATS(X)
#undef X
};

/* The fit's rows, in terms of the pmf p:
 *   each statistic with sigma > 0:  (sum_m coef[m] p[m] - target) / sigma
 *   normalization:                  (sum_m p[m] - 1) / FIT_SUM_SIGMA
 *   prior (chi-square to r):        sqrt(PRIOR / r[m]) (p[m] - r[m])
 *   smoothness of p / r:            sqrt(SMOOTH r[m]) (g[m-1] - 2 g[m] + g[m+1]), g = p / r
 * Row `i` into a[], b; returns 0 past the last row. Statistics that are not
 * in the objective come out as all-zero rows. */
static int fit_row(uint32_t i, const double r[N_MAG], double a[N_MAG], double *b)
{
    memset(a, 0, N_MAG * sizeof *a);
    *b = 0;
    if (i < AX_SYNTH_STAT_COUNT) {
        double coef[N_MAG];
        if (stat_sigma[i] > 0 && linear_coef((enum ax_synth_stat)i, coef)) {
            for (uint32_t m = 0; m < N_MAG; m++)
                a[m] = coef[m] / stat_sigma[i];
            *b = stat_target[i] / stat_sigma[i];
        }
        return 1;
    }
    i -= AX_SYNTH_STAT_COUNT;
    if (i == 0) {
        for (uint32_t m = 0; m < N_MAG; m++)
            a[m] = 1.0 / FIT_SUM_SIGMA;
        *b = 1.0 / FIT_SUM_SIGMA;
        return 1;
    }
    i -= 1;
    if (i < N_MAG) {
        a[i] = sqrt(FIT_PRIOR_WEIGHT / r[i]);
        *b = sqrt(FIT_PRIOR_WEIGHT * r[i]);
        return 1;
    }
    i -= N_MAG;
    if (i < N_MAG - 2) {
        uint32_t m = i + 1;
        double w = sqrt(FIT_SMOOTH_WEIGHT * r[m]);
        a[m - 1] = w / r[m - 1];
        a[m] = -2 * w / r[m];
        a[m + 1] = w / r[m + 1];
        return 1;
    }
    return 0;
}

/* The solver's variables: x[0] = p[0] and x[j] = p[j] - p[j+1] for j >= 1
 * (p[N_MAG] = 0), so x >= 0 makes p non-negative and non-increasing from
 * m = 1 on. A row on p becomes a row on x by cumulative sums. */
static void row_to_steps(double a[N_MAG])
{
    for (uint32_t j = 2; j < N_MAG; j++)
        a[j] += a[j - 1];
}

static void steps_to_pmf(const double x[N_MAG], double p[N_MAG])
{
    double acc = 0;
    for (uint32_t m = N_MAG; m-- > 1;) {
        acc += x[m];
        p[m] = acc;
    }
    p[0] = x[0];
}

void ax_synth_fit_default(struct ax_synth_pmf *out, struct ax_synth_fit *fit)
{
    double r[N_MAG], a[N_MAG], b;
    reference_pmf(r);

    /* Unit column norms: the solver works on y = colnorm * x. */
    double colnorm[N_MAG] = {0};
    for (uint32_t i = 0; fit_row(i, r, a, &b); i++) {
        row_to_steps(a);
        for (uint32_t j = 0; j < N_MAG; j++)
            colnorm[j] += a[j] * a[j];
    }
    for (uint32_t j = 0; j < N_MAG; j++)
        colnorm[j] = colnorm[j] > 0 ? sqrt(colnorm[j]) : 1.0;

    struct lsq L;
    memset(&L, 0, sizeof L);
    for (uint32_t i = 0; fit_row(i, r, a, &b); i++) {
        row_to_steps(a);
        for (uint32_t j = 0; j < N_MAG; j++)
            a[j] /= colnorm[j];
        lsq_add_row(&L, a, b);
    }
    /* Start at the reference itself: every step strictly positive, as the
     * reference decreases strictly from m = 1 on. */
    double y[N_MAG];
    y[0] = r[0] * colnorm[0];
    for (uint32_t j = 1; j < N_MAG; j++)
        y[j] = (r[j] - (j + 1 < N_MAG ? r[j + 1] : 0.0)) * colnorm[j];
    uint32_t solves = lsq_nnls(&L, y);

    double x[N_MAG], p[N_MAG], sum = 0, objective = 0;
    for (uint32_t j = 0; j < N_MAG; j++)
        x[j] = y[j] / colnorm[j];
    steps_to_pmf(x, p);
    for (uint32_t m = 0; m < N_MAG; m++)
        sum += p[m];
    /* The objective, from the rows themselves. */
    for (uint32_t i = 0; fit_row(i, r, a, &b); i++) {
        double s = -b;
        for (uint32_t m = 0; m < N_MAG; m++)
            s += a[m] * p[m];
        objective += s * s;
    }
    AX_ASSERT(sum > 0.99 && sum < 1.01);
    ax_status st = ax_synth_pmf_set(out, p, 0.0); /* renormalizes the 1e-6 left */
    AX_ASSERT(st == AX_OK);
    (void)st;
    if (!fit)
        return;

    memset(fit, 0, sizeof *fit);
    double achieved[AX_SYNTH_STAT_COUNT];
    ax_synth_pmf_stats(out, achieved);
    for (int s = 0; s < AX_SYNTH_STAT_COUNT; s++) {
        struct ax_synth_fit_stat *f = &fit->stat[s];
        f->name = stat_names[s];
        f->meaning = stat_meaning[s];
        f->target = stat_target[s];
        f->achieved = achieved[s];
        f->weight = stat_sigma[s] > 0 ? 1.0 / (stat_sigma[s] * stat_sigma[s]) : 0.0;
        f->tolerance = stat_tolerance[s];
        f->is_claimed = stat_is_claimed[s];
    }
    for (int i = 0; i < 4; i++) {
        fit->target_hist_t3[i] = stat_target[AX_SYNTH_STAT_HIST_T3_0 + i];
        fit->achieved_hist_t3[i] = achieved[AX_SYNTH_STAT_HIST_T3_0 + i];
    }
    fit->target_spikes_per_element = stat_target[AX_SYNTH_STAT_SPIKES_PER_ELEMENT];
    fit->achieved_spikes_per_element = achieved[AX_SYNTH_STAT_SPIKES_PER_ELEMENT];
    fit->target_zero_fraction = stat_target[AX_SYNTH_STAT_ZERO_FRACTION];
    fit->achieved_zero_fraction = achieved[AX_SYNTH_STAT_ZERO_FRACTION];
    fit->reference = "rounded |Student-t(3)| activations at k = 3: s = round(3 |x| / mean|x|)";
    fit->source = "SpikingBrain report §5.5, Fig. 9 (SpikingBrain-7B W8ASpike, k = 3)";
    fit->prior_weight = FIT_PRIOR_WEIGHT;
    fit->smooth_weight = FIT_SMOOTH_WEIGHT;
    fit->objective = objective;
    for (uint32_t m = 32; m < N_MAG; m++)
        fit->values_gt31 += out->p[m];
    fit->iterations = solves;
}

/* ---- sparsity profiles ---------------------------------------------------------------- */

/* Profiles larger than this are refused (a 7B model's has ~200 sites of
 * under 1 KB each). */
#define PROFILE_MAX_BYTES ((size_t)256 << 20)

/* Finds "layers.N." in `name` (at its start or after a '.'): sets *layer to
 * N and *suffix_at to the offset just past it; -1 and 0 when there is none. */
static void parse_layer(const char *name, int32_t *layer, uint32_t *suffix_at)
{
    *layer = -1;
    *suffix_at = 0;
    static const char key[] = "layers.";
    for (const char *s = name; (s = strstr(s, key)) != NULL; s++) {
        if (s != name && s[-1] != '.')
            continue;
        const char *d = s + sizeof key - 1;
        uint64_t v = 0;
        const char *e = d;
        while (*e >= '0' && *e <= '9' && v <= INT32_MAX)
            v = v * 10 + (uint64_t)(*e++ - '0');
        if (e == d || *e != '.' || v > INT32_MAX)
            continue;
        *layer = (int32_t)v;
        *suffix_at = (uint32_t)(e + 1 - name);
        return;
    }
}

void ax_synth_profile_free(struct ax_synth_profile *prof)
{
    if (!prof)
        return;
    for (uint32_t i = 0; i < prof->n_sites; i++)
        ax_mem_free(prof->sites[i].name);
    ax_mem_free(prof->sites);
    ax_mem_free(prof->model);
    memset(prof, 0, sizeof *prof);
}

/* A growing text buffer for the writer. */
struct text {
    char *s;
    size_t len, cap;
    int is_oom;
};

static void text_put(struct text *t, const char *s, size_t n)
{
    if (t->is_oom)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *g = ax_mem_realloc(t->s, cap);
        if (!g) {
            t->is_oom = 1;
            return;
        }
        t->s = g;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void text_puts(struct text *t, const char *s)
{
    text_put(t, s, strlen(s));
}

static void text_u64(struct text *t, uint64_t v)
{
    char b[24];
    int n = snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    text_put(t, b, (size_t)n);
}

/* Appends `s` as a JSON string; 0, or -1 when it is not valid UTF-8. */
static int text_json_string(struct text *t, const char *s)
{
    json_t *j = json_string(s); /* NULL for invalid UTF-8 */
    if (!j)
        return -1;
    char *q = json_dumps(j, JSON_ENCODE_ANY);
    json_decref(j);
    if (!q) {
        t->is_oom = 1;
        return 0;
    }
    text_puts(t, q);
    free(q); /* jansson's allocator: malloc */
    return 0;
}

ax_status ax_synth_profile_write(const char *path, const char *model_name, const char *const *names,
                                 const uint64_t *const *hists, uint32_t n_sites,
                                 struct ax_diag_list *diags)
{
    /* Check everything first, so a bad call never leaves a file. */
    uint32_t n_bad = 0;
    for (uint32_t i = 0; i < n_sites; i++) {
        if (!names[i] || !names[i][0]) {
            ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                        "cannot write the profile: site %u has no name", i);
            n_bad++;
            continue;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (names[j] && strcmp(names[i], names[j]) == 0) {
                ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                            "cannot write the profile: site \"%s\" appears twice (sites %u and "
                            "%u); a profile names each spiking projection once",
                            names[i], j, i);
                n_bad++;
                break;
            }
        }
        uint64_t sum = 0;
        for (uint32_t m = 0; m < N_MAG; m++) {
            if (hists[i][m] > (uint64_t)INT64_MAX - sum) {
                ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                            "cannot write the profile: site \"%s\" counts more than 2^63 - 1 "
                            "values, beyond what JSON readers take as an integer",
                            names[i]);
                n_bad++;
                break;
            }
            sum += hists[i][m];
        }
    }
    if (n_bad)
        return AX_ERR_INVALID;

    struct text t = {0};
    text_puts(&t, "{\"schema\": \"" AX_SYNTH_PROFILE_SCHEMA "\", \"model\": ");
    ax_status st = AX_OK;
    if (text_json_string(&t, model_name ? model_name : "") != 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "cannot write the profile: the model name is not valid UTF-8");
        st = AX_ERR_INVALID;
    }
    text_puts(&t, ",\n \"sites\": [");
    for (uint32_t i = 0; i < n_sites && st == AX_OK; i++) {
        uint64_t sum = 0;
        for (uint32_t m = 0; m < N_MAG; m++)
            sum += hists[i][m];
        text_puts(&t, i ? ",\n  {\"name\": " : "\n  {\"name\": ");
        if (text_json_string(&t, names[i]) != 0) {
            ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                        "cannot write the profile: the name of site %u is not valid UTF-8", i);
            st = AX_ERR_INVALID;
            break;
        }
        text_puts(&t, ", \"values\": ");
        text_u64(&t, sum);
        text_puts(&t, ", \"histogram\": [");
        for (uint32_t m = 0; m < N_MAG; m++) {
            if (m)
                text_puts(&t, ", ");
            text_u64(&t, hists[i][m]);
        }
        text_puts(&t, "]}");
    }
    text_puts(&t, "\n ]}\n");
    if (st == AX_OK && t.is_oom)
        st = AX_ERR_NOMEM;
    if (st == AX_OK)
        st = ax_fs_write_atomic(path, t.s, t.len, diags);
    ax_mem_free(t.s);
    return st;
}

/* The hint every content error ends with. */
#define PROFILE_FIX "write the profile again with a functional run (--write-profile)"

/* A non-negative JSON integer into *out; -1 otherwise. */
static int json_count(const json_t *v, uint64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -1;
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return json_integer_value(v) < 0 ? "a negative integer" : "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "?";
}

/* Reads one site, reporting every problem and adding their number to
 * *n_bad. Returns AX_ERR_NOMEM or AX_OK (also when the site is bad). */
static ax_status load_site(const char *path, uint32_t i, json_t *o,
                           struct ax_synth_profile_site *site, uint32_t *n_bad,
                           struct ax_diag_list *diags)
{
    if (!json_is_object(o)) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "sites[%u] is %s; expected an object {\"name\", \"values\", \"histogram\"}; "
                    "%s",
                    i, json_kind(o), PROFILE_FIX);
        (*n_bad)++;
        return AX_OK;
    }
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "name") != 0 && strcmp(key, "values") != 0 && strcmp(key, "histogram") != 0)
            ax_diag_add(diags, AX_DIAG_WARNING, path, 0, 0, "sites[%u]: unknown key \"%s\" ignored",
                        i, key);
    }
    const json_t *name = json_object_get(o, "name");
    const char *label = "?";
    if (!name || !json_is_string(name) || json_string_length(name) == 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "sites[%u]: \"name\" is %s; expected the projection's name, e.g. "
                    "\"model.layers.0.attn.q_proj\"; %s",
                    i, name ? json_kind(name) : "missing", PROFILE_FIX);
        (*n_bad)++;
    } else {
        label = json_string_value(name);
        site->name = ax_mem_strdup(label);
        if (!site->name)
            return AX_ERR_NOMEM;
        parse_layer(site->name, &site->layer, &site->suffix_at);
    }
    const json_t *values = json_object_get(o, "values");
    uint64_t n_values = 0;
    int has_values = values && json_count(values, &n_values) == 0;
    if (!has_values) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "sites[%u] (\"%s\"): \"values\" is %s; expected a non-negative integer, the "
                    "histogram's sum; %s",
                    i, label, values ? json_kind(values) : "missing", PROFILE_FIX);
        (*n_bad)++;
    }
    const json_t *hist = json_object_get(o, "histogram");
    if (!hist || !json_is_array(hist) || json_array_size(hist) == 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "sites[%u] (\"%s\"): \"histogram\" is %s; expected a non-empty array of "
                    "counts of |s| = 0, 1, ...; %s",
                    i, label,
                    !hist                 ? "missing"
                    : json_is_array(hist) ? "empty"
                                          : json_kind(hist),
                    PROFILE_FIX);
        (*n_bad)++;
        return AX_OK;
    }
    uint64_t sum = 0;
    int is_sum_ok = 1;
    size_t m;
    json_t *e;
    json_array_foreach(hist, m, e)
    {
        uint64_t c;
        if (json_count(e, &c) != 0) {
            ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                        "sites[%u] (\"%s\"): histogram[%zu] is %s; expected a non-negative "
                        "integer count; %s",
                        i, label, m, json_kind(e), PROFILE_FIX);
            (*n_bad)++;
            is_sum_ok = 0;
            continue;
        }
        /* Magnitudes above the last bucket are clamped into it. */
        uint32_t b = m < N_MAG ? (uint32_t)m : AX_SYNTH_MAX_MAG;
        if (c > UINT64_MAX - sum || c > UINT64_MAX - site->histogram[b]) {
            ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                        "sites[%u] (\"%s\"): the histogram's sum overflows 64 bits; %s", i, label,
                        PROFILE_FIX);
            (*n_bad)++;
            return AX_OK;
        }
        site->histogram[b] += c;
        sum += c;
    }
    if (has_values && is_sum_ok && sum != n_values) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "sites[%u] (\"%s\"): \"values\" is %llu but the histogram sums to %llu; the "
                    "file was changed or cut short; %s",
                    i, label, (unsigned long long)n_values, (unsigned long long)sum, PROFILE_FIX);
        (*n_bad)++;
    }
    site->values = sum;
    return AX_OK;
}

/* Checks and converts the parsed document; reports every problem. */
static ax_status load_root(const char *path, json_t *root, struct ax_synth_profile *out,
                           struct ax_diag_list *diags)
{
    if (!json_is_object(root)) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 1, 1,
                    "the file is %s; a sparsity profile is an object with \"schema\": \"%s\"",
                    json_kind(root), AX_SYNTH_PROFILE_SCHEMA);
        return AX_ERR_PARSE;
    }
    const json_t *schema = json_object_get(root, "schema");
    if (!schema || !json_is_string(schema)) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "\"schema\" is %s: this is not a sparsity profile (expected \"schema\": "
                    "\"%s\"); %s",
                    schema ? json_kind(schema) : "missing", AX_SYNTH_PROFILE_SCHEMA, PROFILE_FIX);
        return AX_ERR_PARSE;
    }
    if (strcmp(json_string_value(schema), AX_SYNTH_PROFILE_SCHEMA) != 0) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "the schema is \"%s\"; this version of axon reads \"%s\"; %s",
                    json_string_value(schema), AX_SYNTH_PROFILE_SCHEMA, PROFILE_FIX);
        return AX_ERR_PARSE;
    }
    uint32_t n_bad = 0;
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "schema") != 0 && strcmp(key, "model") != 0 && strcmp(key, "sites") != 0)
            ax_diag_add(diags, AX_DIAG_WARNING, path, 0, 0, "unknown key \"%s\" ignored", key);
    }
    const json_t *model = json_object_get(root, "model");
    if (!model || !json_is_string(model)) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "\"model\" is %s; expected the name of the model the profile was measured "
                    "on; %s",
                    model ? json_kind(model) : "missing", PROFILE_FIX);
        n_bad++;
    } else {
        out->model = ax_mem_strdup(json_string_value(model));
        if (!out->model)
            return AX_ERR_NOMEM;
    }
    json_t *sites = json_object_get(root, "sites");
    if (!sites || !json_is_array(sites)) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "\"sites\" is %s; expected an array of {\"name\", \"values\", \"histogram\"}; "
                    "%s",
                    sites ? json_kind(sites) : "missing", PROFILE_FIX);
        return AX_ERR_PARSE;
    }
    size_t n = json_array_size(sites);
    if (n > UINT32_MAX / 2) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0, "%zu sites are more than axon takes", n);
        return AX_ERR_LIMIT;
    }
    out->sites = ax_mem_calloc(n ? n : 1, sizeof *out->sites);
    if (!out->sites)
        return AX_ERR_NOMEM;
    out->n_sites = (uint32_t)n;
    for (uint32_t i = 0; i < out->n_sites; i++) {
        struct ax_synth_profile_site *s = &out->sites[i];
        s->layer = -1;
        if (load_site(path, i, json_array_get(sites, i), s, &n_bad, diags) != AX_OK)
            return AX_ERR_NOMEM;
        for (uint32_t j = 0; s->name && j < i; j++) {
            if (out->sites[j].name && strcmp(out->sites[j].name, s->name) == 0) {
                ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                            "sites[%u]: \"%s\" appears again (first as sites[%u]); a profile "
                            "names each spiking projection once; %s",
                            i, s->name, j, PROFILE_FIX);
                n_bad++;
                break;
            }
        }
        if (s->layer >= 0 && (uint32_t)s->layer + 1 > out->n_layers)
            out->n_layers = (uint32_t)s->layer + 1;
    }
    return n_bad ? AX_ERR_PARSE : AX_OK;
}

/* A profile with no site that counted anything (no sites, or every
 * "values" 0) is never used (ax_synth_profile_pmf skips such sites): the run
 * would draw from the built-in distribution as if no profile were given,
 * so the user is told. */
static void warn_if_empty(const char *path, const struct ax_synth_profile *prof,
                          struct ax_diag_list *diags)
{
    for (uint32_t i = 0; i < prof->n_sites; i++)
        if (prof->sites[i].values > 0)
            return;
    ax_diag_add(diags, AX_DIAG_WARNING, path, 0, 0,
                "the profile has %s; it matches none of the model's spiking projections, so the "
                "built-in distribution is used: %s", prof->n_sites ? "no site with counts (every "
                "\"values\" is 0)" : "no sites", PROFILE_FIX);
}

ax_status ax_synth_profile_load(const char *path, struct ax_synth_profile *out,
                                struct ax_diag_list *diags)
{
    memset(out, 0, sizeof *out);
    char *text = NULL;
    size_t len = 0;
    ax_status st = ax_fs_read_file(path, PROFILE_MAX_BYTES, &text, &len, diags);
    if (st != AX_OK)
        return st;
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    ax_mem_free(text);
    if (!root) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, err.line > 0 ? (uint32_t)err.line : 0,
                    err.column > 0 ? (uint32_t)err.column : 0,
                    "invalid JSON: %s; a sparsity profile is the JSON file a functional run "
                    "writes (schema \"%s\"): %s",
                    err.text, AX_SYNTH_PROFILE_SCHEMA, PROFILE_FIX);
        return AX_ERR_PARSE;
    }
    st = load_root(path, root, out, diags);
    json_decref(root);
    if (st != AX_OK)
        ax_synth_profile_free(out);
    else
        warn_if_empty(path, out, diags);
    return st;
}

/* A usable site named exactly `name`, or NULL. */
static const struct ax_synth_profile_site *find_exact(const struct ax_synth_profile *prof,
                                                      const char *name)
{
    for (uint32_t i = 0; i < prof->n_sites; i++) {
        const struct ax_synth_profile_site *s = &prof->sites[i];
        if (s->values > 0 && s->name && strcmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

int ax_synth_profile_pmf(const struct ax_synth_profile *prof, const char *site_name,
                         struct ax_synth_pmf *out)
{
    if (!prof || !site_name)
        return -1;
    const struct ax_synth_profile_site *hit = find_exact(prof, site_name);
    if (!hit && prof->n_layers > 0) {
        int32_t layer;
        uint32_t suffix_at;
        parse_layer(site_name, &layer, &suffix_at);
        if (layer >= 0) {
            int32_t want = (int32_t)((uint32_t)layer % prof->n_layers);
            const char *suffix = site_name + suffix_at;
            for (uint32_t i = 0; i < prof->n_sites && !hit; i++) {
                const struct ax_synth_profile_site *s = &prof->sites[i];
                if (s->values > 0 && s->name && s->layer == want &&
                    strcmp(s->name + s->suffix_at, suffix) == 0)
                    hit = s;
            }
        }
    }
    if (!hit)
        return -1;
    return ax_synth_pmf_from_hist(out, hit->histogram) == AX_OK ? 0 : -1;
}
