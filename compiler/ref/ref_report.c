/* What the reference reports: bits per token, top-1 predictions, the JSON
 * summary of a run, and the dump of every probe (docs/reference.md). */
#define _XOPEN_SOURCE 700
#include "ref_internal.h"

#include "ax_fs.h"
#include "ax_mem.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

double ax_ref_bits(const float *logits, uint32_t n, uint32_t target)
{
    double m = (double)logits[0];
    for (uint32_t i = 1; i < n; i++)
        m = (double)logits[i] > m ? (double)logits[i] : m;
    double z = -0.0;
    for (uint32_t i = 0; i < n; i++)
        z += exp((double)logits[i] - m);
    double lsm = (double)logits[target] - (m + log(z));
    return -lsm / log(2.0);
}

uint32_t ax_ref_argmax(const float *logits, uint32_t n)
{
    uint32_t best = 0;
    for (uint32_t i = 1; i < n; i++)
        best = logits[i] > logits[best] ? i : best;
    return best;
}

/* ---- the JSON report ------------------------------------------------------------------ */

static json_t *summary_json(const struct ax_spike_summary *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "zero_fraction", json_real(s->zero_fraction));
    json_object_set_new(o, "slot_sparsity_t3", json_real(s->slot_sparsity_t3));
    json_object_set_new(o, "slot_sparsity", json_real(s->slot_sparsity));
    json_object_set_new(o, "spikes_per_element", json_real(s->spikes_per_element));
    json_object_set_new(o, "silent_channels", json_real(s->silent_channels));
    json_t *h = json_array();
    for (int b = 0; b < 4; b++)
        json_array_append_new(h, json_real(s->histogram_t3[b]));
    json_object_set_new(o, "histogram_t3", h);
    return o;
}

static json_t *sparsity_json(const ax_ref_session_t *s)
{
    uint32_t n_spiking = 0;
    for (uint32_t i = 0; i < ax_ref_session_n_sites(s); i++)
        n_spiking += ax_ref_session_site_stats(s, i) != NULL;
    if (n_spiking == 0)
        return json_null();
    struct ax_spike_summary total;
    ax_ref_session_sparsity(s, &total);
    json_t *o = summary_json(&total);
    json_t *layers = json_array();
    for (uint32_t i = 0; i < ax_ref_session_n_sites(s); i++) {
        const struct ax_spike_stats *st = ax_ref_session_site_stats(s, i);
        if (!st)
            continue;
        struct ax_ref_site site;
        ax_ref_session_site(s, i, &site);
        struct ax_spike_summary sum;
        ax_spike_stats_summary(st, &sum);
        json_t *l = json_object();
        json_object_set_new(l, "name", json_string(site.name));
        json_t *keys = summary_json(&sum); /* the same keys, after the name */
        json_object_update(l, keys);
        json_decref(keys);
        json_array_append_new(layers, l);
    }
    json_object_set_new(o, "layers", layers);
    return o;
}

ax_status ax_ref_report_json(const ax_ref_session_t *s, const struct ax_ref_run *run, FILE *out)
{
    const struct ax_ref_options *o = ax_ref_session_options(s);
    json_t *r = json_object();
    json_object_set_new(r, "model", json_string(run->model ? run->model : ""));
    json_object_set_new(r, "precision", json_string(ax_ref_precision_str(o->precision)));
    json_object_set_new(r, "spike", json_string(ax_spike_mode_str(o->spike.mode)));
    json_object_set_new(r, "encoding", json_string(ax_spike_encoding_str(o->spike.encoding)));
    json_object_set_new(r, "k", json_real(o->spike.k));
    json_object_set_new(r, "steps", o->spike.steps ? json_integer(o->spike.steps) : json_null());
    json_object_set_new(r, "n_tokens", json_integer((json_int_t)run->n_tokens));
    double bits = run->n_predicted ? run->bits_sum / (double)run->n_predicted : 0.0;
    json_object_set_new(r, "bits_per_byte",
                        run->is_bytes && run->n_predicted ? json_real(bits) : json_null());
    json_object_set_new(r, "bits_per_token", run->n_predicted ? json_real(bits) : json_null());
    json_t *top = json_array();
    for (uint64_t i = 0; i < run->n_tokens; i++)
        json_array_append_new(top, json_integer(run->top1[i]));
    json_object_set_new(r, "top1", top);
    if (o->precision == AX_REF_PRECISION_W8SPIKE)
        json_object_set_new(r, "sparsity", sparsity_json(s));
    json_object_set_new(r, "tokens_per_second",
                        json_real(run->seconds > 0 ? (double)run->n_tokens / run->seconds : 0.0));
    json_object_set_new(r, "compile_seconds", json_real(ax_ref_session_compile_seconds(s)));
    json_object_set_new(r, "device", json_string(ax_ref_device_str(ax_ref_session_device(s))));
    const char *note = ax_ref_session_device_note(s);
    json_object_set_new(r, "device_note", note[0] ? json_string(note) : json_null());
    json_object_set_new(r, "codes_outside_int8",
                        json_integer((json_int_t)ax_ref_session_codes_outside_int8(s)));
    int rc = json_dumpf(r, out, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(r);
    if (rc != 0 || fputc('\n', out) == EOF)
        return AX_ERR_IO;
    return AX_OK;
}

/* ---- dumps ------------------------------------------------------------------------------ */

struct stream {
    unsigned char *data;
    size_t len, cap;
};

struct ax_ref_dump {
    uint32_t n_probes;
    struct stream *streams;
    int32_t *tokens;
    uint64_t n_tokens, cap_tokens;
};

ax_status ax_ref_dump_new(const ax_ref_session_t *s, struct ax_ref_dump **out)
{
    *out = NULL;
    struct ax_ref_dump *d = ax_mem_calloc(1, sizeof *d);
    if (!d)
        return AX_ERR_NOMEM;
    d->n_probes = ax_ref_session_n_probes(s);
    d->streams = ax_mem_calloc(d->n_probes ? d->n_probes : 1, sizeof *d->streams);
    if (!d->streams) {
        ax_mem_free(d);
        return AX_ERR_NOMEM;
    }
    *out = d;
    return AX_OK;
}

void ax_ref_dump_free(struct ax_ref_dump *d)
{
    if (!d)
        return;
    for (uint32_t i = 0; i < d->n_probes; i++)
        ax_mem_free(d->streams[i].data);
    ax_mem_free(d->streams);
    ax_mem_free(d->tokens);
    ax_mem_free(d);
}

/* Appends n 32-bit values as little-endian bytes. */
static ax_status append_le32(struct stream *st, const void *data, uint32_t n)
{
    size_t need = st->len + (size_t)n * 4;
    if (need > st->cap) {
        size_t cap = st->cap ? st->cap : 4096;
        while (cap < need)
            cap *= 2;
        unsigned char *p = ax_mem_realloc(st->data, cap);
        if (!p)
            return AX_ERR_NOMEM;
        st->data = p;
        st->cap = cap;
    }
    const unsigned char *src = data;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, src + 4 * (size_t)i, 4);
        unsigned char *b = st->data + st->len + 4 * (size_t)i;
        b[0] = (unsigned char)u;
        b[1] = (unsigned char)(u >> 8);
        b[2] = (unsigned char)(u >> 16);
        b[3] = (unsigned char)(u >> 24);
    }
    st->len = need;
    return AX_OK;
}

ax_status ax_ref_dump_add(struct ax_ref_dump *d, const ax_ref_session_t *s, int32_t token)
{
    if (d->n_tokens == d->cap_tokens) {
        uint64_t cap = d->cap_tokens ? 2 * d->cap_tokens : 256;
        int32_t *t = ax_mem_realloc(d->tokens, (size_t)cap * sizeof *t);
        if (!t)
            return AX_ERR_NOMEM;
        d->tokens = t;
        d->cap_tokens = cap;
    }
    d->tokens[d->n_tokens++] = token;
    for (uint32_t i = 0; i < d->n_probes; i++) {
        struct ax_ref_probe pr;
        ax_ref_session_probe(s, i, &pr);
        ax_status st = append_le32(&d->streams[i], pr.data, pr.dim);
        if (st != AX_OK)
            return st;
    }
    return AX_OK;
}

static json_t *manifest_json(const struct ax_ref_dump *d, const ax_ref_session_t *s,
                             const char *model)
{
    const struct ax_ref_options *o = ax_ref_session_options(s);
    json_t *m = json_object();
    json_object_set_new(m, "model", json_string(model));
    json_object_set_new(m, "precision", json_string(ax_ref_precision_str(o->precision)));
    json_object_set_new(m, "k", json_real(o->spike.k));
    json_object_set_new(m, "encoding", json_string(ax_spike_encoding_str(o->spike.encoding)));
    json_object_set_new(m, "spike", json_string(ax_spike_mode_str(o->spike.mode)));
    json_object_set_new(m, "steps", o->spike.steps ? json_integer(o->spike.steps) : json_null());
    json_t *tokens = json_array();
    for (uint64_t i = 0; i < d->n_tokens; i++)
        json_array_append_new(tokens, json_integer(d->tokens[i]));
    json_object_set_new(m, "tokens", tokens);
    json_t *tensors = json_array();
    for (uint32_t i = 0; i < d->n_probes; i++) {
        struct ax_ref_probe pr;
        ax_ref_session_probe(s, i, &pr);
        json_t *t = json_object();
        json_object_set_new(t, "name", json_string(pr.name));
        json_object_set_new(t, "dtype", json_string(ax_ref_dtype_str(pr.dtype)));
        json_t *shape = json_array();
        json_array_append_new(shape, json_integer((json_int_t)d->n_tokens));
        json_array_append_new(shape, json_integer(pr.dim));
        json_object_set_new(t, "shape", shape);
        json_object_set_new(t, "file", json_string(pr.name));
        json_array_append_new(tensors, t);
    }
    json_object_set_new(m, "tensors", tensors);
    return m;
}

ax_status ax_ref_dump_write(const struct ax_ref_dump *d, const ax_ref_session_t *s, const char *dir,
                            const char *model, struct ax_diag_list *diags)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        ax_diag_add(diags, AX_DIAG_ERROR, dir, 0, 0, "cannot create the dump folder: %s",
                    strerror(errno));
        return AX_ERR_IO;
    }
    if (!ax_fs_is_dir(dir)) {
        ax_diag_add(diags, AX_DIAG_ERROR, dir, 0, 0, "exists and is not a folder");
        return AX_ERR_IO;
    }
    char path[PATH_MAX];
    for (uint32_t i = 0; i < d->n_probes; i++) {
        struct ax_ref_probe pr;
        ax_ref_session_probe(s, i, &pr);
        snprintf(path, sizeof path, "%s/%s", dir, pr.name);
        ax_status st = ax_fs_write_atomic(path, d->streams[i].data, d->streams[i].len, diags);
        if (st != AX_OK)
            return st;
    }
    /* the model as an absolute path, so that a reader in another folder finds it */
    char *abs = realpath(model, NULL);
    json_t *m = manifest_json(d, s, abs ? abs : model);
    free(abs);
    char *text = json_dumps(m, JSON_INDENT(2));
    json_decref(m);
    if (!text)
        return AX_ERR_NOMEM;
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    size_t len = strlen(text);
    ax_status st = ax_fs_write_atomic(path, text, len, diags);
    free(text);
    return st;
}
