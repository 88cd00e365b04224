/* Spike encoding: the options of the spiking linear layer, events per count
 * under each encoding, and the sparsity statistics (docs/semantics.md).
 *
 * Place in the pipeline: the passes read the options (which projections
 * spike), the reference and later the simulator count events with them, and
 * every report that prints sparsity goes through ax_spike_stats. Nothing here
 * computes counts: those come from the generated code (or the simulator);
 * this module only interprets them.
 *
 * A count s (a signed integer, per token and input channel) becomes spikes:
 *   bitwise   popcount(|s|) events, one per set bit, most significant first,
 *             T = bit length of max|s| over the token's input vector
 *   ternary   |s| events of sign(s), T = max|s|
 *   binary    |s| events on the positive or the negative train, T = max|s|
 * A fixed T (`steps`) saturates the counts first: |s| <= 2^T - 1 (bitwise),
 * |s| <= T (ternary, binary). */
#ifndef AX_SPIKE_H
#define AX_SPIKE_H

#include "ax_status.h"

#include <stdint.h>

/* Which projections spike (docs/semantics.md, "The spiking linear layer"). */
enum ax_spike_mode {
    AX_SPIKE_MODE_RELEASED, /* q, k, v, o, gk, gate, up and the SWA query (default) */
    AX_SPIKE_MODE_PAPER,    /* every linear input, down_proj too */
    AX_SPIKE_MODE_NONE,     /* no spikes: int8 weights, float inputs */
    AX_SPIKE_MODE_COUNT
};

enum ax_spike_encoding {
    AX_SPIKE_ENCODING_BITWISE, /* bidirectional bit planes, MSB first (default) */
    AX_SPIKE_ENCODING_TERNARY, /* +-1 per step */
    AX_SPIKE_ENCODING_BINARY,  /* {0,1} on a positive and a negative train */
    AX_SPIKE_ENCODING_COUNT
};

/* The encoder's options. */
struct ax_spike_options {
    enum ax_spike_mode mode;
    enum ax_spike_encoding encoding;
    double k;       /* threshold parameter: V_th = mean|x| / k (default 3) */
    uint32_t steps; /* fixed T (counts saturate); 0: adaptive T (default) */
};

/* The bounds the options are checked against (ax_spike_options_check). */
#define AX_SPIKE_K_MIN 0.01
#define AX_SPIKE_K_MAX 1000.0
#define AX_SPIKE_STEPS_MAX_BITWISE 30u
#define AX_SPIKE_STEPS_MAX 1000000u

/* The defaults: released, bitwise, k = 3, adaptive T. */
void ax_spike_options_default(struct ax_spike_options *o);

/* Returns AX_OK, or AX_ERR_USAGE with a message in `msg` (NUL-terminated,
 * at most `size` bytes) when k is outside [AX_SPIKE_K_MIN, AX_SPIKE_K_MAX]
 * or steps exceeds the encoding's maximum. */
ax_status ax_spike_options_check(const struct ax_spike_options *o, char *msg, uint32_t size);

/* The largest |count| the encoder produces: 2^steps - 1 (bitwise) or steps
 * (ternary, binary) with a fixed T; 2^30 when T is adaptive (a guard that
 * the threshold's clamp keeps out of reach for k <= AX_SPIKE_K_MAX and any
 * input length under 10^6). */
int64_t ax_spike_count_bound(const struct ax_spike_options *o);

/* Names for options, messages and reports; parsing returns 0 or -1. */
const char *ax_spike_mode_str(enum ax_spike_mode m);
const char *ax_spike_encoding_str(enum ax_spike_encoding e);
int ax_spike_mode_parse(const char *s, enum ax_spike_mode *out);
int ax_spike_encoding_parse(const char *s, enum ax_spike_encoding *out);

/* ---- events -------------------------------------------------------------- */

/* Spikes a count of magnitude `mag` (= |s|) makes under `enc`:
 * popcount(mag) for bitwise, mag otherwise. */
uint32_t ax_spike_events(enum ax_spike_encoding enc, uint32_t mag);
/* Spikes within a 3-step window: popcount(min(mag, 7)) for bitwise,
 * min(mag, 3) otherwise (0..3). */
uint32_t ax_spike_events_t3(enum ax_spike_encoding enc, uint32_t mag);
/* The steps one token's vector takes: `steps` when fixed, else the bit
 * length of max_mag (bitwise) or max_mag (ternary, binary). */
uint32_t ax_spike_steps(const struct ax_spike_options *o, uint32_t max_mag);

/* ---- statistics ---------------------------------------------------------- */

/* The statistics of docs/semantics.md, "Sparsity statistics"; every field
 * is in [0, 1] except spikes_per_element. */
struct ax_spike_summary {
    double zero_fraction;    /* counts that are 0 */
    double slot_sparsity_t3; /* 1 - spikes_t3 / (values * 3) */
    double slot_sparsity;    /* 1 - spikes / slots at the encoding's T */
    double spikes_per_element;
    double silent_channels; /* channels that never fired in the run */
    double histogram_t3[4]; /* values with 0, 1, 2, >= 3 spikes in 3 steps */
};

/* Running totals of one spiking site (or of all sites together). */
struct ax_spike_stats {
    uint32_t n_channels; /* input channels of the site */
    uint64_t n_values;   /* counts seen */
    uint64_t n_zero;
    uint64_t n_spikes; /* events at the encoding's T */
    uint64_t n_slots;  /* sum over tokens of n_channels * T */
    uint64_t n_spikes_t3;
    uint64_t hist_t3[4];
    uint8_t *fired; /* n_channels flags; owned */
};

/* Prepares totals for a site of `n_channels` inputs; AX_ERR_NOMEM. */
ax_status ax_spike_stats_init(struct ax_spike_stats *st, uint32_t n_channels);
void ax_spike_stats_free(struct ax_spike_stats *st);

/* Adds one token's counts `s` (n_channels of them). The steps T are taken
 * over the whole vector (`o`'s fixed steps, or from max|s|). */
void ax_spike_stats_add(struct ax_spike_stats *st, const struct ax_spike_options *o,
                        const int32_t *s);

/* Fractions of one site's totals. A site that saw no values reports zeros;
 * slot_sparsity is 1 when no token took a step. */
void ax_spike_stats_summary(const struct ax_spike_stats *st, struct ax_spike_summary *out);

/* Fractions over several sites together: sums of the sites' totals (silent
 * channels: silent over all channels of all sites). */
void ax_spike_stats_summary_total(const struct ax_spike_stats *sites, uint32_t n_sites,
                                  struct ax_spike_summary *out);

#endif
