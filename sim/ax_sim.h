/* The cycle-approximate simulator: a program run token by token on a chip
 * description, with every joule and second traced to event counts and the
 * chip's costs.
 *
 * Place in the pipeline: a verified program (ax_prog.h, written by the
 * compiler or by hand) + a chip description (ax_arch.h, the program's own or
 * one of the same geometry) -> this module -> a result that the report
 * writers (ax_report.h) turn into text, JSON, CSV and HTML. Nothing here
 * reads a model, a graph or a placement.
 *
 * Work per token (docs/simulator.md, "The timed run of a program"): every
 * core runs its code in order on the executor (ax_exec.h), which computes
 * the values (functional mode) or what the counts lead to (counting mode,
 * counts drawn from a seeded distribution or a profile, ax_synth.h); each
 * instruction's units of work are ledger counts priced by the chip, and a
 * discrete-event loop decides when each runs: a core's pipeline, XY routes
 * with per-direction hop latency and per-link contention, inter-chip links,
 * barriers. The SystemC engine orders the same steps on a SystemC kernel.
 *
 * Determinism: one thread decides the order of events; every figure is a
 * sum of counts multiplied by the chip's costs at the end. */
#ifndef AX_SIM_H
#define AX_SIM_H

#include "ax_arch.h"
#include "ax_diag.h"
#include "ax_spike.h"
#include "ax_status.h"

#include <stdint.h>
#include <stdio.h>

/* ---- the energy ledger ------------------------------------------------------ */

enum ax_energy_cat {
    AX_ENERGY_SYNAPSE,
    AX_ENERGY_DENDRITE,
    AX_ENERGY_SOMA,
    AX_ENERGY_DENSE,
    AX_ENERGY_SRAM,
    AX_ENERGY_DRAM,
    AX_ENERGY_NOC,
    AX_ENERGY_INTERCHIP,
    AX_ENERGY_STATIC,
    AX_ENERGY_SYNC,
    AX_ENERGY_CAT_COUNT
};

enum ax_ledger_item {
#define X(item, cat, name, unit, meaning) AX_LEDGER_##item,
#include "ax_ledger.def"
#undef X
    AX_LEDGER_COUNT
};

struct ax_ledger_line {
    double count;  /* units (ax_ledger_item_unit) */
    double unit_j; /* joules per unit, from the chip description */
    double energy_j;
};

struct ax_ledger {
    struct ax_ledger_line line[AX_LEDGER_COUNT];
    double cat_j[AX_ENERGY_CAT_COUNT]; /* sums of the category's lines */
    double total_j;                    /* sum of cat_j */
};

const char *ax_energy_cat_str(enum ax_energy_cat c); /* "synapse", ... */
enum ax_energy_cat ax_ledger_item_cat(enum ax_ledger_item i);
const char *ax_ledger_item_name(enum ax_ledger_item i);
const char *ax_ledger_item_unit(enum ax_ledger_item i);
const char *ax_ledger_item_meaning(enum ax_ledger_item i);
/* Joules per unit of item `i` on `arch`, and where the chip file says the
 * number comes from (its `source:` and `estimate:`). */
double ax_ledger_unit_cost(const ax_arch_t *arch, enum ax_ledger_item i);
const struct ax_provenance *ax_ledger_item_source(const ax_arch_t *arch, enum ax_ledger_item i);
/* Seconds one unit of item `i` occupies the core unit that serves it on
 * `arch` (its event latency over the unit's lanes; an SRAM access; a DRAM
 * byte at the bandwidth); 0 for the items the network times. */
double ax_ledger_service_s(const ax_arch_t *arch, enum ax_ledger_item i);
/* The share of `lg->total_j` whose unit cost comes from a chip section that
 * `arch` marks `estimate: true` (ax_ledger_item_source): the sum of those
 * lines' energy_j over total_j, in [0, 1]. 0 when total_j is not positive
 * (nothing was charged, so nothing rests on an estimate). The one place this
 * share is computed; the simulator stores it in ax_sim_result. */
double ax_ledger_estimated_fraction(const struct ax_ledger *lg, const ax_arch_t *arch);

/* The published idealized arithmetic (docs/sources.md: spikingbrain-report §5.5). */
#define AX_IDEAL_INT8_ADD_J 0.03e-12
#define AX_IDEAL_FP16_MAC_J 1.5e-12
#define AX_IDEAL_INT8_MAC_J 0.23e-12

/* ---- options ------------------------------------------------------------------ */

enum ax_sim_mode { AX_SIM_FUNCTIONAL, AX_SIM_COUNTING, AX_SIM_MODE_COUNT };
enum ax_sim_timing { AX_SIM_TIMING_APPROX, AX_SIM_TIMING_ANALYTIC, AX_SIM_TIMING_COUNT };
/* Who times the rounds (engine.h): the native event engine, or the same
 * work on a SystemC kernel (sim/systemc/, when the build has SystemC). */
enum ax_sim_engine { AX_SIM_ENGINE_NATIVE, AX_SIM_ENGINE_SYSTEMC, AX_SIM_ENGINE_COUNT };
/* How a `barrier` holds a core (docs/isa.md, "Barriers"): until every core
 * it lists has reached it, or, in dataflow, until the cores that send the
 * core spike events of that phase have (one handshake each, priced by the
 * chip's `sync.handshake`). Values are the same; time and sync energy are
 * not. */
enum ax_sim_sync { AX_SIM_SYNC_BARRIER, AX_SIM_SYNC_DATAFLOW, AX_SIM_SYNC_COUNT };

struct ax_sim_options {
    enum ax_sim_mode mode;
    enum ax_sim_timing timing;
    enum ax_sim_engine engine;
    enum ax_sim_sync sync;
    uint32_t prefill;      /* the first `prefill` tokens run as a pipelined prefill
                            * (ax_sim_session_prefill); 0: every token on its own.
                            * In a batch: of each sequence */
    uint32_t batch;        /* sequences run interleaved (ax_sim_session_batch); 0 or 1:
                            * one. The program must hold their state (ax_prog_batch) */
    uint32_t threads;      /* >= 1 */
    uint64_t seed;         /* counting mode's distribution */
    uint64_t context;      /* tokens before the simulated ones (SWA window, GLA state filled) */
    const char *profile;   /* counting: a sparsity profile written by a functional run, or NULL */
    const char *profile_out; /* write the run's sparsity profile here, or NULL */
    int progress;          /* draw a progress bar on stderr */
    const char *trace;     /* write the events the run executed here (docs/trace.md), or NULL;
                            * native engine only (AX_ERR_UNSUPPORTED with systemc) */
    uint64_t trace_limit;  /* at most this many trace events (0: AX_SIM_TRACE_LIMIT) */
};

/* The default bound of a trace: about 150 MB of JSON. */
#define AX_SIM_TRACE_LIMIT 1000000u

void ax_sim_options_default(struct ax_sim_options *o);
const char *ax_sim_mode_str(enum ax_sim_mode m);
const char *ax_sim_timing_str(enum ax_sim_timing t);
int ax_sim_mode_parse(const char *s, enum ax_sim_mode *out);     /* 0 or -1 */
int ax_sim_timing_parse(const char *s, enum ax_sim_timing *out); /* 0 or -1 */
const char *ax_sim_engine_str(enum ax_sim_engine e);
int ax_sim_engine_parse(const char *s, enum ax_sim_engine *out); /* 0 or -1 */
const char *ax_sim_sync_str(enum ax_sim_sync s);
int ax_sim_sync_parse(const char *s, enum ax_sim_sync *out); /* 0 or -1 */
/* 1 when this build has the SystemC engine. */
int ax_sim_has_systemc(void);

/* ---- results ------------------------------------------------------------------ */

/* One row of the per-layer tables: "embedding", "layer.0", ..., "head". */
/* What bounds a token's latency from below (docs/simulator.md, "The
 * bound"): a core's busiest unit, a link, a core's incoming messages, or
 * the chain of the token's dependencies with every shared resource free. */
enum ax_sim_bound_by {
    AX_SIM_BOUND_COMPUTE,
    AX_SIM_BOUND_LINK,
    AX_SIM_BOUND_INPUT,
    AX_SIM_BOUND_CHAIN,
    AX_SIM_BOUND_BY_COUNT
};
const char *ax_sim_bound_by_str(enum ax_sim_bound_by b);

struct ax_sim_layer {
    char name[32];
    uint32_t n_sites;                 /* spiking projections in it */
    struct ax_spike_summary sparsity; /* over its spiking projections' inputs */
    double sops;                      /* synaptic ops: spikes x fan-out, all tokens */
    double dense_macs;                /* MACs of the same projections run dense */
    double spikes_out;                /* spikes its encoders generated, once per value */
    double packets;                   /* NoC packets its phases sent */
    uint64_t cycles;                  /* the time its work took, all tokens (docs/report.md) */
    double seconds;
    double energy_j;                  /* dynamic energy of its phases */
    /* its lower bound: per token the largest of its compute, link and
     * input terms (no chain), summed over the tokens */
    double bound_s;
    double bound_term_s[AX_SIM_BOUND_BY_COUNT];
    enum ax_sim_bound_by bound_by;    /* the largest of bound_term_s */
    /* not a bound: from its first start to its last end in the token's
     * chain (every shared resource free), summed over the tokens: where the
     * chain term of the run's bound spends its time */
    double chain_s;
};

/* Per core, over the run. busy_s: time its units were serving work. */
struct ax_sim_core {
    uint32_t core;        /* global index: chip * cores_per_chip + local */
    uint8_t is_used;      /* holds blocks or runs work */
    double sram_bytes;    /* resident */
    double busy_s[AX_UNIT_COUNT + 1]; /* the five pipeline units, then the dense unit */
    double synaptic_ops, packets_in, packets_out;
    double energy_j;      /* dynamic energy charged on this core (not NoC hops) */
};

/* One direction of one router's outgoing link. */
struct ax_sim_link {
    uint32_t chip, x, y;
    enum ax_dir dir;
    double packets;
    double busy_s;
};

/* One barrier-synchronised step. */
struct ax_sim_step {
    uint32_t token;       /* 0-based among the simulated tokens */
    uint32_t node;        /* its node in the program's node table (the compiler's node id) */
    uint32_t layer;       /* index into result.layers */
    uint32_t spike_step;  /* 1-based virtual spike step; 0 for a dense or reduction phase */
    uint64_t cycles;
    double seconds;
    double packets;
    double energy_j;      /* dynamic energy of the step */
};

struct ax_sim_validation {
    int is_done;           /* 0 in counting mode: the report writes null */
    const char *reference; /* "w8spike" */
    int is_bit_exact;      /* every logit of every token equal, to the bit */
    double max_rel_err;    /* logits, norm-wise: max over tokens of |a - b| / |b| */
    uint64_t n_values_checked, n_mismatches;
    char first_mismatch[200];
    const char *why_not;   /* not done: why (NULL: counting mode); the summary says it */
};

/* The published targets the counting mode is fitted to, and what it gave. */
struct ax_sim_synthetic {
    int is_synthetic;
    double target_hist_t3[4], target_spikes_per_element, target_zero_fraction;
    const char *source; /* "SpikingBrain report §5.5, Fig. 9 ..." style citation */
};

struct ax_sim_result {
    /* what ran */
    const char *model_name;
    double params;
    const char *chip_name;
    uint32_t chips_used, cores_used, cores_per_chip, mesh_w, mesh_h, cores_per_tile, chip_grid_w;
    double clock_hz;
    enum ax_sim_mode mode;
    enum ax_sim_timing timing;
    enum ax_sim_sync sync;
    const char *engine;   /* "native" or "systemc" */
    uint32_t tokens;
    uint64_t context;
    uint64_t seed;
    uint32_t threads;
    struct ax_spike_options spike;

    /* sparsity over every spiking projection and token */
    struct ax_spike_summary sparsity;
    double spikes_per_nonzero;
    double sop_per_token, dense_mac_per_token;
    struct ax_sim_synthetic synthetic;

    /* latency */
    uint64_t cycles;
    double seconds, seconds_per_token;
    /* its lower bound: each token's largest term, summed over the tokens */
    double bound_s;
    uint64_t bound_cycles;       /* bound_s in cycles, rounded as cycles are */
    double bound_term_s[AX_SIM_BOUND_BY_COUNT]; /* each term, summed over the tokens */
    double bound_by_s[AX_SIM_BOUND_BY_COUNT];   /* bound_s split by the term that bounded */
    enum ax_sim_bound_by bound_by;               /* the term with the most of bound_s */
    char bound_where[128];       /* the resource that bounds the token of the largest bound */
    double bound_worst_s;        /* that token's bound */

    /* energy */
    struct ax_ledger ledger;
    double per_token_j;
    double estimated_fraction; /* ax_ledger_estimated_fraction of the ledger on the chip run */
    double ideal_spiking_j, ideal_fp16_mac_j, ideal_int8_mac_j;
    double floor_j; /* the dynamic energy plus static power over bound_s */

    /* a prefill (ax_sim_options.prefill, ax_sim_session_prefill): its
     * tokens, their time from the first's start to the last's end (the time
     * to first token), its lower bound, and its energy, dynamic and in all
     * (static power over prefill_s); 0 without one. The run's figures above
     * include it. */
    uint32_t prefill_tokens;
    double prefill_s, prefill_bound_s, prefill_dynamic_j, prefill_j;
    /* a batch's generation (ax_sim_options.batch, ax_sim_session_batch):
     * its sequences, its tokens over all of them, its time, bound and
     * energy as the prefill's; batch 1 and 0 without one. */
    uint32_t batch, batch_tokens;
    double batch_s, batch_bound_s, batch_dynamic_j, batch_j;

    struct ax_sim_validation validation;

    struct ax_sim_layer *layers;
    uint32_t n_layers;
    struct ax_sim_core *cores;   /* the cores the program names, ascending */
    uint32_t n_cores;
    struct ax_sim_link *links;   /* the router links that carried packets */
    uint32_t n_links;
    struct ax_sim_step *steps;
    uint32_t n_steps;
};

void ax_sim_result_free(struct ax_sim_result *r);

/* ---- running ------------------------------------------------------------------ */

/* ---- running a program ------------------------------------------------------- */

struct ax_prog;

/* The chip description program `p` embeds (its file "chip.yaml"), loaded;
 * `path` names the program in messages. AX_ERR_INVALID with a diagnostic
 * when it embeds none, or the loader's status. */
ax_status ax_sim_program_chip(const struct ax_prog *p, const char *path, ax_arch_t **out,
                              struct ax_diag_list *diags);
struct ax_exec;
struct ax_exec_weights;

/* Called after each token of a program's run with the executor, whose
 * buffers hold what the token computed (functional mode), so that a driver
 * can read values back and check them (compiler/check); after each token
 * of a flight (a prefill, a batch) but its last, whose values are not
 * kept, with `ex` NULL. `halted` (may be NULL) is called as each core
 * halts each token, flights included: that core's buffers then hold what
 * it computed for the token, which is how a driver reads a flight's
 * values. `index` is the token's among the run's; in a batch of B
 * sequences it is token index / B of sequence index % B. A status other
 * than AX_OK ends the run with it. */
struct ax_sim_observer {
    ax_status (*token)(void *user, const struct ax_exec *ex, uint32_t index, int32_t token);
    ax_status (*halted)(void *user, const struct ax_exec *ex, uint32_t core, uint32_t index);
    void *user;
};

/* Runs program `p` (verified) on `arch` (the program's chip, or one of the
 * same geometry) for `n_tokens` tokens, timing every instruction
 * (sim/timed.c). With o->batch B > 1 the tokens are B sequences of
 * n_tokens / B, one after another in `tokens` (n_tokens a multiple of B),
 * run interleaved (ax_sim_session_batch). Functional mode computes values from `weights` and
 * `tokens`; counting mode (weights NULL) draws each counts buffer's counts
 * from the options' seed and profile (`tokens` may be NULL: token 0).
 * `obs` may be NULL. Fills *out, which the caller frees with
 * ax_sim_result_free; a program whose waits cannot be met ends with
 * AX_ERR_INVALID and a diagnostic per waiting core. */
ax_status ax_sim_program(const struct ax_prog *p, const ax_arch_t *arch,
                         const struct ax_exec_weights *weights, const int32_t *tokens,
                         uint32_t n_tokens, const struct ax_sim_options *o,
                         const struct ax_sim_observer *obs, struct ax_sim_result *out,
                         struct ax_diag_list *diags);

/* ---- a program's timed run, token by token ------------------------------------- */

/* The same run as ax_sim_program, one token per call: a session keeps what
 * the program keeps between tokens (K/V rings, GLA state, the cores' and
 * links' clocks, the counts so far), so each token is simulated once.
 * ax_sim_program is a loop over a session. */
typedef struct ax_sim_session ax_sim_session_t;

/* One token's figures. */
struct ax_sim_token {
    uint32_t index;   /* 0-based among the session's tokens */
    int32_t id;       /* the token id it was given */
    uint64_t cycles;  /* its latency in chip cycles (as a report's steps of it add up) */
    double seconds;   /* from the end of the token before to the end of this one */
    double dynamic_j; /* the energy of its events: every ledger item but static */
    double static_j;  /* the static power of the chips used over `seconds` */
};

/* Opens a session of program `p` (verified) on `arch` (the program's chip,
 * or one of the same geometry). `weights` NULL: counting mode (each counts
 * buffer's counts drawn from the options' seed and profile); otherwise
 * functional mode, values computed from the weights. `o` is copied; the
 * strings it points at (profile, profile_out) and `p`, `arch`, `weights`
 * must outlive the session. `obs` (may be NULL) is called after each token.
 * On failure *out is NULL and `diags` says why (AX_ERR_UNSUPPORTED: an
 * engine or option the timed run does not have). */
ax_status ax_sim_session_open(const struct ax_prog *p, const ax_arch_t *arch,
                              const struct ax_exec_weights *weights,
                              const struct ax_sim_options *o, const struct ax_sim_observer *obs,
                              ax_sim_session_t **out, struct ax_diag_list *diags);

/* Runs the next token, id `token` (counting mode does not read it), at
 * position o->context + the tokens before, and fills *out (may be NULL)
 * with its figures. A failure (a wait that cannot be met: AX_ERR_INVALID,
 * with a diagnostic per waiting core) leaves the session able only to be
 * closed; every later call returns the same status. */
ax_status ax_sim_session_token(ax_sim_session_t *s, int32_t token, struct ax_sim_token *out,
                               struct ax_diag_list *diags);

/* Runs the session's first n tokens (ids `tokens`, NULL in counting mode:
 * token 0) as a prefill: they stream through the program as a pipeline
 * (docs/simulator.md, "Prefill"), each core going on with the next token
 * once it has halted one, at most one token per row of the layer table in
 * flight; its figures go to the result's prefill_*. Only the last token's
 * values are kept: the observer sees the executor after it, and NULL for
 * the others. Must come before any other token. In a batch (o->batch B >
 * 1) the tokens are interleaved, token i of sequence i % B, and n is a
 * multiple of B. */
ax_status ax_sim_session_prefill(ax_sim_session_t *s, const int32_t *tokens, uint32_t n,
                                 struct ax_diag_list *diags);

/* A batch's generation (o->batch B > 1; docs/simulator.md, "Batches"): the
 * next n tokens (a multiple of B), interleaved as the prefill's, stream
 * through the program with at most B in flight, so that a sequence's next
 * token starts once its last has ended; its figures go to the result's
 * batch_*. The observer sees them as a prefill's. A batch runs its tokens
 * here, never with ax_sim_session_token. */
ax_status ax_sim_session_batch(ax_sim_session_t *s, const int32_t *tokens, uint32_t n,
                               struct ax_diag_list *diags);

/* The number of tokens run so far. */
uint32_t ax_sim_session_tokens(const ax_sim_session_t *s);

/* Ends the run: fills *out with the result of the tokens run (the caller
 * frees it with ax_sim_result_free) and writes the options' profile_out.
 * After it the session takes no more tokens. */
ax_status ax_sim_session_result(ax_sim_session_t *s, struct ax_sim_result *out,
                                struct ax_diag_list *diags);

/* Frees the session (NULL: nothing). */
void ax_sim_session_close(ax_sim_session_t *s);

#endif
