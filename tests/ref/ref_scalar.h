/* An independent, slow, scalar C implementation of one SpikingBrain-7B-
 * architecture token step, written from docs/semantics.md line by line,
 * for the reference tests. It shares no code with compiler/ref_*.c or the
 * generated code: it keeps its own weights (by tensor name, as f32), its own
 * quantization, its own K/V history (every past token, not a ring) and its
 * own GLA state per query head. Everything is static; include once.
 *
 * Sums begin at -0.0, the sum of no terms: then s + t == t for every t, so
 * the value is exactly the left-to-right sum of the terms (docs/reference.md).
 * Compile with -fno-builtin so the math functions are glibc's, called as
 * written. */
#ifndef AX_REF_SCALAR_H
#define AX_REF_SCALAR_H

#include "ax_model.h"
#include "ax_spike.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- weights by name ------------------------------------------------------------- */

struct sc_tensor {
    char name[160];
    float *data;
    uint64_t n;
};

struct sc_weights {
    struct sc_tensor *t;
    uint32_t n, cap;
};

static void sc_weights_add(struct sc_weights *w, const char *name, float *data, uint64_t n)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 64;
        w->t = realloc(w->t, w->cap * sizeof *w->t);
    }
    struct sc_tensor *t = &w->t[w->n++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->data = data;
    t->n = n;
}

static const struct sc_tensor *sc_find(const struct sc_weights *w, const char *name)
{
    for (uint32_t i = 0; i < w->n; i++)
        if (strcmp(w->t[i].name, name) == 0)
            return &w->t[i];
    return NULL;
}

static void sc_weights_free(struct sc_weights *w)
{
    for (uint32_t i = 0; i < w->n; i++)
        free(w->t[i].data);
    free(w->t);
    memset(w, 0, sizeof *w);
}

/* ---- the model ----------------------------------------------------------------------- */

enum sc_precision { SC_FP32, SC_W8SPIKE };

/* A projection's int8 codes and scales, computed once. */
struct sc_quant {
    char name[160];
    int32_t *q;
    float *scale;
};

/* What one projection did in the last step (for comparing counts). */
struct sc_record {
    char name[160];
    uint32_t n_in, n_vth;
    int32_t *counts;
    float *vth;
};

struct sc_model {
    const struct ax_model_config *c;
    const struct sc_weights *w;
    int is_merged_gk;
    enum sc_precision precision;
    struct ax_spike_options spike;
    uint64_t pos;
    float **gla_s;               /* per layer: [heads][d][d], one state per query head */
    float **k_hist, **v_hist;    /* per layer: f32 [pos][kv*d] (fp32) */
    int8_t **kq_hist, **vq_hist; /* per layer: int8 codes [pos][kv*d] */
    float **ks_hist, **vs_hist;  /* per layer: scales [pos][kv] */
    uint64_t cap_pos;
    struct sc_record rec[64];
    uint32_t n_rec;
    struct sc_quant quant[64];
    uint32_t n_quant;
    float *layer_out; /* [n_layers][hidden] of the last step */
};

static int sc_is_released(const char *name)
{
    static const char *const s[] = {".q_proj",  ".k_proj",    ".v_proj",    ".o_proj",
                                    ".gk_proj", ".gk_proj.0", ".gate_proj", ".up_proj"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        size_t m = strlen(s[i]);
        if (n >= m && strcmp(name + n - m, s[i]) == 0)
            return 1;
    }
    return 0;
}

static void sc_record(struct sc_model *m, const char *name, const int32_t *s, uint32_t n,
                      const float *vth, uint32_t n_vth)
{
    struct sc_record *r = NULL;
    for (uint32_t i = 0; i < m->n_rec; i++)
        if (strcmp(m->rec[i].name, name) == 0)
            r = &m->rec[i];
    if (!r) {
        r = &m->rec[m->n_rec++];
        snprintf(r->name, sizeof r->name, "%s", name);
        r->counts = malloc(n * sizeof *r->counts);
        r->vth = malloc(n_vth * sizeof *r->vth);
    }
    r->n_in = n;
    r->n_vth = n_vth;
    memcpy(r->counts, s, n * sizeof *s);
    memcpy(r->vth, vth, n_vth * sizeof *vth);
}

static const struct sc_record *sc_find_record(const struct sc_model *m, const char *name)
{
    for (uint32_t i = 0; i < m->n_rec; i++)
        if (strcmp(m->rec[i].name, name) == 0)
            return &m->rec[i];
    return NULL;
}

static void sc_init(struct sc_model *m, const struct ax_model_config *c, const struct sc_weights *w,
                    enum sc_precision precision, const struct ax_spike_options *spike)
{
    memset(m, 0, sizeof *m);
    m->c = c;
    m->w = w;
    m->precision = precision;
    m->spike = *spike;
    m->is_merged_gk = sc_find(w, "model.layers.0.attn.gk_proj.weight") != NULL;
    uint32_t L = c->n_layers, d = c->head_dim;
    m->gla_s = calloc(L, sizeof *m->gla_s);
    m->k_hist = calloc(L, sizeof *m->k_hist);
    m->v_hist = calloc(L, sizeof *m->v_hist);
    m->kq_hist = calloc(L, sizeof *m->kq_hist);
    m->vq_hist = calloc(L, sizeof *m->vq_hist);
    m->ks_hist = calloc(L, sizeof *m->ks_hist);
    m->vs_hist = calloc(L, sizeof *m->vs_hist);
    for (uint32_t l = 0; l < L; l++)
        if (c->layers[l].mixer == AX_MODEL_MIXER_GLA)
            m->gla_s[l] = calloc((size_t)c->n_heads * d * d, sizeof(float));
    m->layer_out = calloc((size_t)L * c->hidden_size, sizeof(float));
}

static void sc_free(struct sc_model *m)
{
    for (uint32_t l = 0; l < m->c->n_layers; l++) {
        free(m->gla_s[l]);
        free(m->k_hist[l]);
        free(m->v_hist[l]);
        free(m->kq_hist[l]);
        free(m->vq_hist[l]);
        free(m->ks_hist[l]);
        free(m->vs_hist[l]);
    }
    free(m->gla_s);
    free(m->k_hist);
    free(m->v_hist);
    free(m->kq_hist);
    free(m->vq_hist);
    free(m->ks_hist);
    free(m->vs_hist);
    for (uint32_t i = 0; i < m->n_rec; i++) {
        free(m->rec[i].counts);
        free(m->rec[i].vth);
    }
    for (uint32_t i = 0; i < m->n_quant; i++) {
        free(m->quant[i].q);
        free(m->quant[i].scale);
    }
    free(m->layer_out);
}

static const float *sc_w(const struct sc_model *m, const char *fmt, uint32_t layer)
{
    char name[160];
    snprintf(name, sizeof name, fmt, layer);
    const struct sc_tensor *t = sc_find(m->w, name);
    if (!t) {
        fprintf(stderr, "scalar reference: no tensor %s\n", name);
        abort();
    }
    return t->data;
}

/* ---- dense operations (docs/semantics.md, "Dense operations") -------------------------- */

static void sc_rmsnorm(const float *x, uint32_t n, uint32_t group, const float *w, uint32_t w_len,
                       double eps, float *y)
{
    for (uint32_t g0 = 0; g0 < n; g0 += group) {
        double ss = -0.0;
        for (uint32_t i = 0; i < group; i++)
            ss += (double)x[g0 + i] * (double)x[g0 + i];
        double r = 1.0 / sqrt(ss / (double)group + eps);
        for (uint32_t i = 0; i < group; i++)
            y[g0 + i] = (float)((double)x[g0 + i] * r) * w[(g0 + i) % w_len];
    }
}

/* p_g = sum over the group of f64(W) * f64(x); y = f32(((p_0 + p_1) + ...)) + b */
static void sc_linear_f32(const float *W, const float *b, const float *x, uint32_t in, uint32_t out,
                          float *y)
{
    for (uint32_t j = 0; j < out; j++) {
        double tot = -0.0;
        for (uint32_t g0 = 0; g0 < in; g0 += 128) {
            double p = -0.0;
            for (uint32_t i = g0; i < in && i < g0 + 128; i++)
                p += (double)W[(size_t)j * in + i] * (double)x[i];
            tot += p;
        }
        y[j] = b ? (float)tot + b[j] : (float)tot;
    }
}

/* Weight quantization, symmetric per row and group of 128. */
static void sc_quantize(const float *W, uint32_t out, uint32_t in, int32_t *q, float *scale)
{
    uint32_t ng = in / 128;
    for (uint32_t j = 0; j < out; j++)
        for (uint32_t g = 0; g < ng; g++) {
            float amax = 0.0f;
            for (uint32_t i = 0; i < 128; i++) {
                float a = fabsf(W[(size_t)j * in + g * 128 + i]);
                if (a > amax)
                    amax = a;
            }
            float s = amax / 127.0f;
            scale[j * ng + g] = s;
            for (uint32_t i = 0; i < 128; i++) {
                size_t at = (size_t)j * in + g * 128 + i;
                q[at] = s == 0.0f ? 0 : (int32_t)nearbyint((double)W[at] / (double)s);
            }
        }
}

/* From a W8ASpike checkpoint: stored scales, codes recovered. */
static void sc_codes(const float *W, const float *scale, uint32_t out, uint32_t in, int32_t *q)
{
    uint32_t ng = in / 128;
    for (uint32_t j = 0; j < out; j++)
        for (uint32_t i = 0; i < in; i++) {
            float s = scale[j * ng + i / 128];
            size_t at = (size_t)j * in + i;
            q[at] = s == 0.0f ? 0 : (int32_t)nearbyint((double)W[at] / (double)s);
        }
}

/* The threshold and counts of x[0..n). */
static float sc_encode(const struct sc_model *m, const float *x, uint32_t n, int32_t *s)
{
    double a = -0.0;
    for (uint32_t i = 0; i < n; i++)
        a += fabs((double)x[i]);
    float V = (float)((a / (double)n) / m->spike.k);
    if (V < 1e-5f)
        V = 1e-5f;
    if (V > 1e4f)
        V = 1e4f;
    double bound = (double)ax_spike_count_bound(&m->spike);
    for (uint32_t i = 0; i < n; i++) {
        double r = nearbyint((double)x[i] / (double)V);
        if (r > bound)
            r = bound;
        if (r < -bound)
            r = -bound;
        s[i] = (int32_t)r;
    }
    return V;
}

/* A linear projection `prefix` in the model's precision. */
static void sc_linear(struct sc_model *m, const char *prefix, const float *x, uint32_t in,
                      uint32_t out, float *y)
{
    char name[200];
    snprintf(name, sizeof name, "%s.weight", prefix);
    const float *W = sc_find(m->w, name)->data;
    snprintf(name, sizeof name, "%s.bias", prefix);
    const struct sc_tensor *bt = sc_find(m->w, name);
    const float *b = bt ? bt->data : NULL;
    enum ax_spike_mode mode = m->spike.mode;
    int in_set = mode == AX_SPIKE_MODE_PAPER ? in % 128 == 0 : sc_is_released(prefix);
    if (m->precision == SC_FP32 || !in_set) {
        sc_linear_f32(W, b, x, in, out, y);
        return;
    }
    uint32_t ng = in / 128;
    struct sc_quant *qc = NULL;
    for (uint32_t i = 0; i < m->n_quant && !qc; i++)
        if (strcmp(m->quant[i].name, prefix) == 0)
            qc = &m->quant[i];
    if (!qc) { /* first use: quantize (or recover the stored codes) */
        qc = &m->quant[m->n_quant++];
        snprintf(qc->name, sizeof qc->name, "%s", prefix);
        qc->q = malloc((size_t)out * in * sizeof *qc->q);
        qc->scale = malloc((size_t)out * ng * sizeof *qc->scale);
        snprintf(name, sizeof name, "%s.weight_quantizer.scales", prefix);
        const struct sc_tensor *st = sc_find(m->w, name);
        if (st) {
            memcpy(qc->scale, st->data, (size_t)out * ng * sizeof *qc->scale);
            sc_codes(W, qc->scale, out, in, qc->q);
        } else {
            sc_quantize(W, out, in, qc->q, qc->scale);
        }
    }
    const int32_t *q = qc->q;
    const float *scale = qc->scale;
    if (mode == AX_SPIKE_MODE_NONE) { /* int8 weights, float input: W' = f32(q * scale) */
        float *Wd = malloc((size_t)out * in * sizeof *Wd);
        for (uint32_t j = 0; j < out; j++)
            for (uint32_t i = 0; i < in; i++)
                Wd[(size_t)j * in + i] =
                    (float)((double)q[(size_t)j * in + i] * (double)scale[j * ng + i / 128]);
        sc_linear_f32(Wd, b, x, in, out, y);
        free(Wd);
    } else {
        int32_t *s = malloc(in * sizeof *s);
        float V = sc_encode(m, x, in, s);
        sc_record(m, prefix, s, in, &V, 1);
        for (uint32_t j = 0; j < out; j++) {
            double tot = -0.0;
            for (uint32_t g = 0; g < ng; g++) {
                int64_t acc = 0;
                for (uint32_t i = g * 128; i < g * 128 + 128; i++)
                    acc += (int64_t)s[i] * q[(size_t)j * in + i];
                if (acc > INT32_MAX || acc < INT32_MIN) {
                    fprintf(stderr, "scalar reference: int32 overflow in %s\n", prefix);
                    abort();
                }
                tot += (double)scale[j * ng + g] * (double)(int32_t)acc;
            }
            double yj = (double)V * tot;
            y[j] = b ? (float)yj + b[j] : (float)yj;
        }
        free(s);
    }
}

static void sc_rope(const float *x, uint32_t heads, uint32_t d, double theta, uint64_t pos,
                    float *y)
{
    for (uint32_t i = 0; i < d / 2; i++) {
        double inv = pow(theta, (double)(-2 * (int64_t)i) / (double)d);
        double a = (double)pos * inv;
        double c = cos(a), s = sin(a);
        for (uint32_t h = 0; h < heads; h++) {
            double x1 = x[h * d + i], x2 = x[h * d + i + d / 2];
            y[h * d + i] = (float)(x1 * c - x2 * s);
            y[h * d + i + d / 2] = (float)(x2 * c + x1 * s);
        }
    }
}

static float sc_relu(float x)
{
    return x > 0.0f ? x : 0.0f;
}

/* GLA with one state per query head (the query heads of a kv head hold
 * equal states). */
static void sc_gla(struct sc_model *m, uint32_t l, const float *q, const float *k, const float *v,
                   const float *g, float *o)
{
    const struct ax_model_config *c = m->c;
    uint32_t d = c->head_dim, group = c->n_heads / c->n_kv_heads;
    for (uint32_t h = 0; h < c->n_heads; h++) {
        uint32_t hk = h / group;
        float *S = m->gla_s[l] + (size_t)h * d * d;
        for (uint32_t ch = 0; ch < d; ch++) {
            double z = g[hk * d + ch];
            double ls = z >= 0 ? -log1p(exp(-z)) : z - log1p(exp(z));
            float decay = (float)exp(ls / c->gate_logit_normalizer);
            float kc = sc_relu(k[hk * d + ch]);
            for (uint32_t e = 0; e < d; e++)
                S[ch * d + e] = (float)((double)decay * (double)S[ch * d + e] +
                                        (double)kc * (double)v[hk * d + e]);
        }
        for (uint32_t e = 0; e < d; e++) {
            double acc = -0.0;
            for (uint32_t ch = 0; ch < d; ch++)
                acc += (double)sc_relu(q[h * d + ch]) * (double)S[ch * d + e];
            o[h * d + e] = (float)(acc * (1.0 / sqrt((double)d)));
        }
    }
}

static void sc_kv_int8(const float *x, uint32_t d, int8_t *code, float *scale)
{
    float amax = 0.0f;
    for (uint32_t i = 0; i < d; i++)
        if (fabsf(x[i]) > amax)
            amax = fabsf(x[i]);
    *scale = amax / 127.0f;
    for (uint32_t i = 0; i < d; i++) {
        double r = *scale == 0.0f ? 0.0 : nearbyint((double)x[i] / (double)*scale);
        if (r > 127)
            r = 127;
        if (r < -128)
            r = -128;
        code[i] = (int8_t)r;
    }
}

static void sc_swa(struct sc_model *m, uint32_t l, const char *query_name, const float *q,
                   const float *k, const float *v, float *o)
{
    const struct ax_model_config *c = m->c;
    uint32_t d = c->head_dim, kvd = c->n_kv_heads * d, w = c->sliding_window;
    uint32_t group = c->n_heads / c->n_kv_heads;
    uint64_t p = m->pos;
    int is_int8 = m->precision == SC_W8SPIKE;
    int is_spike = is_int8 && m->spike.mode != AX_SPIKE_MODE_NONE;
    if (p >= m->cap_pos) { /* grows every layer's history together */
        fprintf(stderr, "scalar reference: history too short\n");
        abort();
    }
    if (is_int8) {
        for (uint32_t hk = 0; hk < c->n_kv_heads; hk++) {
            sc_kv_int8(k + hk * d, d, m->kq_hist[l] + p * kvd + hk * d,
                       m->ks_hist[l] + p * c->n_kv_heads + hk);
            sc_kv_int8(v + hk * d, d, m->vq_hist[l] + p * kvd + hk * d,
                       m->vs_hist[l] + p * c->n_kv_heads + hk);
        }
    } else {
        memcpy(m->k_hist[l] + p * kvd, k, kvd * sizeof *k);
        memcpy(m->v_hist[l] + p * kvd, v, kvd * sizeof *v);
    }
    uint64_t j0 = p + 1 >= w ? p + 1 - w : 0;
    int32_t *s_all = malloc((size_t)c->n_heads * d * sizeof *s_all);
    float *v_all = malloc(c->n_heads * sizeof *v_all);
    double *qd = malloc(d * sizeof *qd), *score = malloc((p + 1) * sizeof *score);
    for (uint32_t h = 0; h < c->n_heads; h++) {
        uint32_t hk = h / group;
        if (is_spike) {
            float V = sc_encode(m, q + h * d, d, s_all + h * d);
            v_all[h] = V;
            for (uint32_t i = 0; i < d; i++)
                qd[i] = (double)s_all[h * d + i] * (double)V;
        } else {
            for (uint32_t i = 0; i < d; i++)
                qd[i] = (double)q[h * d + i];
        }
        for (uint64_t j = j0; j <= p; j++) {
            double sum = -0.0;
            for (uint32_t i = 0; i < d; i++) {
                double kv = is_int8 ? (double)m->kq_hist[l][j * kvd + hk * d + i] *
                                          (double)m->ks_hist[l][j * c->n_kv_heads + hk]
                                    : (double)m->k_hist[l][j * kvd + hk * d + i];
                sum += qd[i] * kv;
            }
            score[j] = sum * (1.0 / sqrt((double)d));
        }
        double mx = score[j0];
        for (uint64_t j = j0 + 1; j <= p; j++)
            if (score[j] > mx)
                mx = score[j];
        double Z = -0.0;
        for (uint64_t j = j0; j <= p; j++) {
            score[j] = exp(score[j] - mx);
            Z += score[j];
        }
        for (uint32_t i = 0; i < d; i++) {
            double acc = -0.0;
            for (uint64_t j = j0; j <= p; j++) {
                double vv = is_int8 ? (double)m->vq_hist[l][j * kvd + hk * d + i] *
                                          (double)m->vs_hist[l][j * c->n_kv_heads + hk]
                                    : (double)m->v_hist[l][j * kvd + hk * d + i];
                acc += score[j] * vv;
            }
            o[h * d + i] = (float)(acc / Z);
        }
    }
    if (is_spike)
        sc_record(m, query_name, s_all, c->n_heads * d, v_all, c->n_heads);
    free(s_all);
    free(v_all);
    free(qd);
    free(score);
}

/* Room for `n` positions of K/V history. */
static void sc_reserve(struct sc_model *m, uint64_t n)
{
    const struct ax_model_config *c = m->c;
    uint32_t kvd = c->n_kv_heads * c->head_dim;
    for (uint32_t l = 0; l < c->n_layers; l++) {
        if (c->layers[l].mixer != AX_MODEL_MIXER_SWA)
            continue;
        m->k_hist[l] = realloc(m->k_hist[l], n * kvd * sizeof(float));
        m->v_hist[l] = realloc(m->v_hist[l], n * kvd * sizeof(float));
        m->kq_hist[l] = realloc(m->kq_hist[l], n * kvd);
        m->vq_hist[l] = realloc(m->vq_hist[l], n * kvd);
        m->ks_hist[l] = realloc(m->ks_hist[l], n * c->n_kv_heads * sizeof(float));
        m->vs_hist[l] = realloc(m->vs_hist[l], n * c->n_kv_heads * sizeof(float));
    }
    m->cap_pos = n;
}

/* One token step; writes vocab logits. */
static void sc_step(struct sc_model *m, int32_t token, float *logits)
{
    const struct ax_model_config *c = m->c;
    uint32_t H = c->hidden_size, d = c->head_dim, qd = c->n_heads * d, kvd = c->n_kv_heads * d;
    uint32_t I = c->intermediate_size, r = c->gate_low_rank_dim;
    size_t big = (size_t)(I > H ? I : H) + qd + kvd;
    float *h = calloc(big, 4), *a = calloc(big, 4), *q = calloc(big, 4), *k = calloc(big, 4);
    float *v = calloc(big, 4), *g = calloc(big, 4), *o = calloc(big, 4), *t = calloc(big, 4);
    float *u = calloc(big, 4), *res = calloc(big, 4);
    memcpy(h, sc_w(m, "model.embeddings.weight", 0) + (size_t)token * H, H * sizeof *h);
    char p[160], name[200];
    for (uint32_t l = 0; l < c->n_layers; l++) {
        sc_rmsnorm(h, H, H, sc_w(m, "model.layers.%u.attn_norm.weight", l), H, c->norm_eps, a);
        snprintf(p, sizeof p, "model.layers.%u.attn", l);
        snprintf(name, sizeof name, "%s.q_proj", p);
        sc_linear(m, name, a, H, qd, q);
        snprintf(name, sizeof name, "%s.k_proj", p);
        sc_linear(m, name, a, H, kvd, k);
        snprintf(name, sizeof name, "%s.v_proj", p);
        sc_linear(m, name, a, H, kvd, v);
        if (c->layers[l].mixer == AX_MODEL_MIXER_GLA) {
            if (m->is_merged_gk) {
                snprintf(name, sizeof name, "%s.gk_proj", p);
                sc_linear(m, name, a, H, kvd, g);
            } else {
                snprintf(name, sizeof name, "%s.gk_proj.0", p);
                sc_linear(m, name, a, H, r, t);
                snprintf(name, sizeof name, "%s.gk_proj.1", p);
                sc_linear(m, name, t, r, kvd, g);
            }
            sc_gla(m, l, q, k, v, g, t);
            sc_rmsnorm(t, qd, d, sc_w(m, "model.layers.%u.attn.g_norm.weight", l), d, c->norm_eps,
                       o);
        } else {
            sc_rope(q, c->n_heads, d, c->rope_theta, m->pos, t);
            memcpy(q, t, qd * sizeof *q);
            sc_rope(k, c->n_kv_heads, d, c->rope_theta, m->pos, t);
            memcpy(k, t, kvd * sizeof *k);
            snprintf(name, sizeof name, "%s.swa_query", p);
            sc_swa(m, l, name, q, k, v, o);
        }
        snprintf(name, sizeof name, "%s.o_proj", p);
        sc_linear(m, name, o, qd, H, t);
        for (uint32_t i = 0; i < H; i++)
            res[i] = h[i] + t[i];
        sc_rmsnorm(res, H, H, sc_w(m, "model.layers.%u.mlp_norm.weight", l), H, c->norm_eps, a);
        snprintf(p, sizeof p, "model.layers.%u.mlp", l);
        snprintf(name, sizeof name, "%s.gate_proj", p);
        sc_linear(m, name, a, H, I, g);
        snprintf(name, sizeof name, "%s.up_proj", p);
        sc_linear(m, name, a, H, I, u);
        for (uint32_t i = 0; i < I; i++) {
            double z = g[i];
            double silu = z / (1.0 + exp(-z));
            t[i] = (float)(silu * (double)u[i]);
        }
        snprintf(name, sizeof name, "%s.down_proj", p);
        sc_linear(m, name, t, I, H, o);
        for (uint32_t i = 0; i < H; i++)
            h[i] = res[i] + o[i];
        memcpy(m->layer_out + (size_t)l * H, h, H * sizeof *h);
    }
    sc_rmsnorm(h, H, H, sc_w(m, "model.norm.weight", 0), H, c->norm_eps, a);
    sc_linear_f32(sc_w(m, "lm_head.weight", 0), NULL, a, H, c->vocab_size, logits);
    m->pos++;
    free(h);
    free(a);
    free(q);
    free(k);
    free(v);
    free(g);
    free(o);
    free(t);
    free(u);
    free(res);
}

#endif
