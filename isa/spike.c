/* Spike encodings: option names, events per count, sparsity statistics. */
#include "ax_spike.h"

#include "ax_mem.h"
#include "ax_text.h"

#include <stdio.h>
#include <string.h>

static const char *const mode_names[] = {"released", "paper", "none"};
static const char *const encoding_names[] = {"bitwise", "ternary", "binary"};
_Static_assert(sizeof mode_names / sizeof mode_names[0] == AX_SPIKE_MODE_COUNT, "mode names");
_Static_assert(sizeof encoding_names / sizeof encoding_names[0] == AX_SPIKE_ENCODING_COUNT,
               "encoding names");

void ax_spike_options_default(struct ax_spike_options *o)
{
    o->mode = AX_SPIKE_MODE_RELEASED;
    o->encoding = AX_SPIKE_ENCODING_BITWISE;
    o->k = 3.0;
    o->steps = 0;
}

ax_status ax_spike_options_check(const struct ax_spike_options *o, char *msg, uint32_t size)
{
    if (!(o->k >= AX_SPIKE_K_MIN && o->k <= AX_SPIKE_K_MAX)) {
        snprintf(msg, size, "k %g is outside [%g, %g]", o->k, AX_SPIKE_K_MIN, AX_SPIKE_K_MAX);
        return AX_ERR_USAGE;
    }
    uint32_t max =
        o->encoding == AX_SPIKE_ENCODING_BITWISE ? AX_SPIKE_STEPS_MAX_BITWISE : AX_SPIKE_STEPS_MAX;
    if (o->steps > max) {
        snprintf(msg, size, "steps %u is more than %s encoding allows (%u)", o->steps,
                 ax_spike_encoding_str(o->encoding), max);
        return AX_ERR_USAGE;
    }
    if (size)
        msg[0] = '\0';
    return AX_OK;
}

int64_t ax_spike_count_bound(const struct ax_spike_options *o)
{
    if (o->steps == 0)
        return (int64_t)1 << 30;
    if (o->encoding == AX_SPIKE_ENCODING_BITWISE)
        return ((int64_t)1 << o->steps) - 1;
    return (int64_t)o->steps;
}

const char *ax_spike_mode_str(enum ax_spike_mode m)
{
    return (unsigned)m < AX_SPIKE_MODE_COUNT ? mode_names[m] : "?";
}

const char *ax_spike_encoding_str(enum ax_spike_encoding e)
{
    return (unsigned)e < AX_SPIKE_ENCODING_COUNT ? encoding_names[e] : "?";
}

int ax_spike_mode_parse(const char *s, enum ax_spike_mode *out)
{
    int i = ax_text_name_index(mode_names, AX_SPIKE_MODE_COUNT, s);
    if (i >= 0)
        *out = (enum ax_spike_mode)i;
    return i < 0 ? -1 : 0;
}

int ax_spike_encoding_parse(const char *s, enum ax_spike_encoding *out)
{
    int i = ax_text_name_index(encoding_names, AX_SPIKE_ENCODING_COUNT, s);
    if (i >= 0)
        *out = (enum ax_spike_encoding)i;
    return i < 0 ? -1 : 0;
}

/* ---- events -------------------------------------------------------------- */

static uint32_t popcount(uint32_t v)
{
    uint32_t n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

static uint32_t bit_length(uint32_t v)
{
    uint32_t n = 0;
    for (; v; v >>= 1)
        n++;
    return n;
}

uint32_t ax_spike_events(enum ax_spike_encoding enc, uint32_t mag)
{
    return enc == AX_SPIKE_ENCODING_BITWISE ? popcount(mag) : mag;
}

uint32_t ax_spike_events_t3(enum ax_spike_encoding enc, uint32_t mag)
{
    if (enc == AX_SPIKE_ENCODING_BITWISE)
        return popcount(mag < 7 ? mag : 7);
    return mag < 3 ? mag : 3;
}

uint32_t ax_spike_steps(const struct ax_spike_options *o, uint32_t max_mag)
{
    if (o->steps)
        return o->steps;
    return o->encoding == AX_SPIKE_ENCODING_BITWISE ? bit_length(max_mag) : max_mag;
}

/* ---- statistics ---------------------------------------------------------- */

ax_status ax_spike_stats_init(struct ax_spike_stats *st, uint32_t n_channels)
{
    memset(st, 0, sizeof *st);
    st->n_channels = n_channels;
    st->fired = ax_mem_calloc(n_channels ? n_channels : 1, 1);
    return st->fired ? AX_OK : AX_ERR_NOMEM;
}

void ax_spike_stats_free(struct ax_spike_stats *st)
{
    ax_mem_free(st->fired);
    memset(st, 0, sizeof *st);
}

static uint32_t magnitude(int32_t s)
{
    return s < 0 ? (uint32_t)0 - (uint32_t)s : (uint32_t)s;
}

void ax_spike_stats_add(struct ax_spike_stats *st, const struct ax_spike_options *o,
                        const int32_t *s)
{
    uint32_t max_mag = 0;
    for (uint32_t i = 0; i < st->n_channels; i++) {
        uint32_t m = magnitude(s[i]);
        max_mag = m > max_mag ? m : max_mag;
        st->n_zero += m == 0;
        st->n_spikes += ax_spike_events(o->encoding, m);
        uint32_t t3 = ax_spike_events_t3(o->encoding, m);
        st->n_spikes_t3 += t3;
        st->hist_t3[t3]++;
        if (m)
            st->fired[i] = 1;
    }
    st->n_values += st->n_channels;
    st->n_slots += (uint64_t)st->n_channels * ax_spike_steps(o, max_mag);
}

static uint64_t count_silent(const struct ax_spike_stats *st)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < st->n_channels; i++)
        n += !st->fired[i];
    return n;
}

/* The fractions of summed totals. */
static void summarize(uint64_t n_values, uint64_t n_zero, uint64_t n_spikes, uint64_t n_slots,
                      uint64_t n_spikes_t3, const uint64_t hist[4], uint64_t n_silent,
                      uint64_t n_channels, struct ax_spike_summary *out)
{
    memset(out, 0, sizeof *out);
    if (n_values) {
        double v = (double)n_values;
        out->zero_fraction = (double)n_zero / v;
        out->slot_sparsity_t3 = 1.0 - (double)n_spikes_t3 / (3.0 * v);
        out->spikes_per_element = (double)n_spikes / v;
        for (int b = 0; b < 4; b++)
            out->histogram_t3[b] = (double)hist[b] / v;
    }
    out->slot_sparsity = n_slots ? 1.0 - (double)n_spikes / (double)n_slots : 1.0;
    out->silent_channels = n_channels ? (double)n_silent / (double)n_channels : 0.0;
}

void ax_spike_stats_summary(const struct ax_spike_stats *st, struct ax_spike_summary *out)
{
    summarize(st->n_values, st->n_zero, st->n_spikes, st->n_slots, st->n_spikes_t3, st->hist_t3,
              count_silent(st), st->n_channels, out);
}

void ax_spike_stats_summary_total(const struct ax_spike_stats *sites, uint32_t n_sites,
                                  struct ax_spike_summary *out)
{
    uint64_t v = 0, z = 0, sp = 0, sl = 0, t3 = 0, hist[4] = {0}, silent = 0, ch = 0;
    for (uint32_t i = 0; i < n_sites; i++) {
        const struct ax_spike_stats *st = &sites[i];
        v += st->n_values;
        z += st->n_zero;
        sp += st->n_spikes;
        sl += st->n_slots;
        t3 += st->n_spikes_t3;
        for (int b = 0; b < 4; b++)
            hist[b] += st->hist_t3[b];
        silent += count_silent(st);
        ch += st->n_channels;
    }
    summarize(v, z, sp, sl, t3, hist, silent, ch, out);
}
