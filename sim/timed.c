/* The timed run of a program (ax_sim.h, ax_sim_program): every core runs
 * its code in order, one instruction after another, on the executor
 * (ax_exec.h), which computes the values (functional mode) or what the
 * counts lead to (counting mode). This file decides when each instruction
 * runs and what it costs: its units of work come from its words, the
 * program's tables (records, states, routes, barriers) and the few facts the
 * executor reports (events, keys, which core held the token's row), and
 * each unit is a ledger count priced by the chip description.
 *
 * When things happen (docs/simulator.md, "Time"; the programs of
 * tests/programs work it out by hand):
 *   - an instruction is a job through the core's pipeline (engine.h),
 *     entering when the instruction before it has left;
 *   - `psumsend` and `lookup` send a message through axon_out; the core goes
 *     on when it has left. The network routes it (XY; link contention under
 *     the approx model) and the destination serves it on axon_in as it
 *     arrives; `psumrecv` starts once its messages have been served;
 *   - `emit` sends each event of the counts as one packet per destination
 *     core, one after another through axon_out; a spike the soma generates
 *     for the first time in this token (`spike_out`) is generated first, so
 *     the soma and axon_out work as a pipeline. Arrivals are served on
 *     axon_in; `synacc` after the next barrier does the synaptic work;
 *     `relay` sends visible events on the same way, generating none;
 *   - `barrier` completes when every participant has reached it and every
 *     spike event sent to a participant has been served, plus the chip's
 *     sync latency for the tiles of the chips the participants lie on; the
 *     ledger counts one barrier per such chip.
 * Cores go in the order of their clocks (ties: the lower code record
 * first), so the links see messages in about the order they leave: a core
 * woken by the message it waited for resumes at its own clock, which may
 * lie before other cores' last instructions.
 *
 * Who decides the order: the heap below (the native engine), or the
 * SystemC kernel (timed.h, sim/systemc/timed_systemc.cpp), which issues
 * the same instructions through timed_issue in the same order.
 *
 * Determinism: one thread decides the order; every figure is a sum of
 * counts multiplied by costs at the end. */
#include "ax_sim.h"

#include "ax_exec.h"
#include "ax_isa.h"
#include "ax_mem.h"
#include "ax_prog.h"
#include "ax_synth.h"
#include "engine.h"
#include "result.h"
#include "timed.h"
#include "trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

/* A core waiting to issue its next instruction at time t. */
struct ready {
    double t;
    uint32_t k; /* code record */
};

/* A counts buffer: the values one encode writes, the unit of counting
 * mode's draws. */
struct site {
    uint32_t buffer, node;
    uint32_t shard, shards; /* its place among the node's counts buffers */
    uint32_t first;         /* its first channel among the node's counts buffers (its ref,
                             * when it has one: the first row of a shard) */
    uint32_t head;          /* the node's first site: its shards share their readers */
    uint32_t next_shard;    /* the node's next site after this one, or NONE */
    uint32_t channels;      /* the node's counts over all its shards */
    uint32_t lead;          /* the first projection reading it: its reader, or NONE (kept
                             * at the head) */
    struct ax_synth_pmf pmf;
};

/* A spiking projection's input: the counts a node-table entry with a spike
 * site emits from (those of every shard of its input). The unit of the
 * sparsity statistics and of profiles, as the reference counts them: per
 * projection, so that q, k, v and gk each count the one input they share,
 * and over the whole vector, however many shards hold it (the steps of an
 * adaptive encoding are the whole vector's). */
struct reader {
    uint32_t entry, site, layer; /* site: the head of its input's sites */
    uint32_t token;         /* 1 + the last token recorded */
    int32_t *gather;        /* an input of several shards: the token's counts of all */
    uint32_t next;          /* the next reader of the same site, or NONE */
    char name[160];         /* the projection's site name */
    struct ax_spike_stats stats;
    int has_stats;
    uint64_t hist[AX_SYNTH_MAX_MAG + 1];
};

/* Per node-table entry and token: whether any of its instructions ran,
 * and what they sent and spent. */
struct node_span {
    int has_run;
    double packets, energy_j;
    double busy_s; /* the length of the union of its busy times */
};

/* A time an instruction of node-table entry `entry` was at work: from its
 * start to its end or, for one that sends, until its last message has been
 * served; or a barrier from its last core's arrival to its completion. A
 * node's time, and a layer's, is the length of the union of theirs. */
struct busy {
    uint32_t layer, entry;
    double t0, t1;
};

/* A message to several cores at once (send_tree): per destination its
 * core, when the network delivers it (timed, and with every link free) and
 * when the core has served it (timed, and in the bound's shadow). */
struct tree {
    uint32_t *dst;
    double *arrive, *free_s, *served, *free_served;
    uint32_t cap;
};

/* What the timed run keeps of one token's barriers, events and messages,
 * each time beside its shadow with every shared resource free (the bound's
 * chain): per barrier, the latest arrival and when the last spike event
 * that belongs to it (docs/isa.md, `barrier`) was served; under dataflow,
 * per place of a core in a barrier's list, when the last handshake or event
 * for the core there was served; per message of the token, when its
 * destination served it. */
struct tok_times {
    uint32_t tok;                                        /* the token they are of */
    double *bar_at, *free_bar, *events_at, *free_events; /* per barrier */
    double *df_at, *df_free;                             /* per dataflow place */
    double *msg_done, *free_msg;                         /* per message */
    uint64_t cap_msgs;
};

struct timed {
    const struct ax_prog *p;
    const ax_arch_t *arch;
    const struct ax_sim_options *o;
    struct ax_sim_result *r;
    struct ax_diag_list *diags;
    ax_exec_t *ex;
    struct ax_spike_options spike;

    uint32_t n_cores, n_chips; /* as the program declares them */
    /* The per-core arrays hold the cores the program's tables name, so that
     * memory follows what a program uses, not what its chip declares. */
    uint32_t n_slots;
    uint32_t *slot_of;     /* per declared core: its row in the per-core arrays, or NONE */
    uint32_t *core_of;     /* per row: the core */
    struct eng_net net;
    double *free, *busy;   /* [row][ENG_SERVER_COUNT] */
    double *dram_free;     /* per chip */
    double *core_cnt;      /* [row][AX_LEDGER_COUNT] */
    double run_cnt[AX_LEDGER_COUNT], unit_j[AX_LEDGER_COUNT], item_s[AX_LEDGER_COUNT];
    double sram_bits;

    double *clock;         /* per code record: when it may issue its next instruction */
    uint8_t *is_parked;    /* per code record: waits for a message or a barrier */
    struct ready *heap;
    uint32_t n_heap;
    /* the times of each token in flight (struct tok_times), `window` of
     * them: one when tokens run one at a time */
    struct tok_times *tt;
    uint32_t window, cap_window;
    uint8_t is_flight;    /* a prefill's or a batch's tokens are in flight (run_flight) */
    uint8_t is_batch;     /* the flight is a batch's generation: its layers are timed */
    uint32_t flight_base; /* the run's index of the flight's first token */
    uint64_t flight_halts;   /* halts so far in the flight: n_code a token */
    uint32_t progress_total; /* the run's tokens, when a progress bar is drawn; else 0 */
    uint32_t drawn;          /* the progress bar's last step drawn (progress) */
    double flight_t0;    /* when the tokens in tt began */
    /* dataflow (o->sync): df_slot holds an emit's destinations' places in
     * their barriers' lists (ax_exec_place) */
    uint8_t is_dataflow;
    uint32_t *df_slot;
    uint32_t cap_df_slot;

    uint32_t **node_at;    /* per code record and instruction: node-table entry, or NONE */
    uint32_t *layer_of;    /* per node-table entry: result.layers row */
    struct node_span *span;
    struct site *sites;
    uint32_t n_sites;
    uint32_t *site_of;     /* per buffer: its site, or NONE */
    struct reader *readers;
    uint32_t n_readers, cap_readers;
    uint32_t *first_reader; /* per site: its first reader, or NONE */
    uint32_t *run_of_core; /* per row: its code record, or NONE */
    uint32_t cur;          /* node-table entry of the instruction being charged, or NONE */
    uint32_t token;        /* index of the token being run */
    double horizon;        /* the latest time anything ends, this token */
    uint32_t cap_steps;

    /* The bound (docs/simulator.md, "The bound"): the same token again with
     * every shared resource free, beside the timed one, and what each unit
     * and link had served when the token began. */
    double *free_clock;    /* per code record */
    double free_end;       /* the latest time anything ends, this token */
    double *busy0;         /* [row][ENG_SERVER_COUNT] at the token's start */
    double *link0;         /* per link, at the token's start */
    /* The layers' bounds: each row's service of one layer's work as it
     * comes (another layer's moves it to the layer's terms), and the
     * token's terms per layer. */
    uint32_t *frag_layer;  /* per row: the layer frag sums, or NONE */
    double *frag;          /* [row][ENG_SERVER_COUNT] */
    double *layer_term;    /* [layer][AX_SIM_BOUND_BY_COUNT], this token */
    double *layer_chain;   /* [layer][2]: its first start and last end in the chain, this token */
    struct busy *busy_iv;  /* this token's, in the order they ended */
    uint64_t n_busy_iv, cap_busy_iv;

    struct tree tree;      /* a multicast message's destinations (send_tree) */

    timed_sc_t *sc;        /* the SystemC engine deciding the order, or NULL: the heap */
    const struct ax_sim_observer *obs; /* told of each core's halts (its `halted`), or NULL */
    struct ax_trace *trace; /* NULL unless o->trace names a file */
};

/* ---- the ready queue: a binary heap on (t, k) --------------------------------------- */

static int before(const struct ready *a, const struct ready *b)
{
    return a->t < b->t || (a->t == b->t && a->k < b->k);
}

static void push(struct timed *s, uint32_t k)
{
    uint32_t i = s->n_heap++;
    s->heap[i] = (struct ready){s->clock[k], k};
    while (i > 0 && before(&s->heap[i], &s->heap[(i - 1) / 2])) {
        struct ready t = s->heap[i];
        s->heap[i] = s->heap[(i - 1) / 2];
        s->heap[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static struct ready pop(struct timed *s)
{
    struct ready top = s->heap[0];
    s->heap[0] = s->heap[--s->n_heap];
    for (uint32_t i = 0;;) {
        uint32_t l = 2 * i + 1, m = i;
        if (l < s->n_heap && before(&s->heap[l], &s->heap[m]))
            m = l;
        if (l + 1 < s->n_heap && before(&s->heap[l + 1], &s->heap[m]))
            m = l + 1;
        if (m == i)
            break;
        struct ready t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
    return top;
}

/* Core record k, parked, can go on from its clock: into the heap, or told
 * to the engine that decides the order. */
static void wake(struct timed *s, uint32_t k)
{
    if (s->sc)
        timed_sc_wake(s->sc, k);
    else
        push(s, k);
}

/* ---- charging ------------------------------------------------------------------------- */

/* The row of a core the program names (every such core has one). */
static size_t row(const struct timed *s, uint32_t core)
{
    return s->slot_of[core];
}

/* The code record of `core`, or NONE. */
static uint32_t run_of(const struct timed *s, uint32_t core)
{
    uint32_t i = core < s->n_cores ? s->slot_of[core] : NONE;
    return i == NONE ? NONE : s->run_of_core[i];
}

static double *core_free(struct timed *s, uint32_t core)
{
    return &s->free[row(s, core) * ENG_SERVER_COUNT];
}

static double *core_busy(struct timed *s, uint32_t core)
{
    return &s->busy[row(s, core) * ENG_SERVER_COUNT];
}

/* Charges `count` units of `item` to `core` (NONE: to no core) and to the
 * node being run, and adds their service time to job `j` (may be NULL). */
static void charge(struct timed *s, struct eng_job *j, uint32_t core, enum ax_ledger_item item,
                   double count)
{
    if (count <= 0)
        return;
    if (core != NONE)
        s->core_cnt[row(s, core) * AX_LEDGER_COUNT + item] += count;
    s->run_cnt[item] += count;
    if (s->cur != NONE)
        s->span[s->cur].energy_j += count * s->unit_j[item];
    enum eng_server sv = eng_server_of(item);
    if (j && sv != ENG_SERVER_COUNT)
        j->s[sv] += count * s->item_s[item];
}

static double accesses(const struct timed *s, double bytes)
{
    return ceil(bytes * 8.0 / s->sram_bits);
}

/* Moves row i's running sums to its layer's terms. */
static void frag_flush(struct timed *s, size_t i)
{
    uint32_t l = s->frag_layer[i];
    if (l == NONE)
        return;
    double *term = &s->layer_term[(size_t)l * AX_SIM_BOUND_BY_COUNT];
    double *f = &s->frag[i * ENG_SERVER_COUNT];
    for (int v = 0; v < ENG_SERVER_COUNT; v++) {
        int by = v == ENG_AXON_IN ? AX_SIM_BOUND_INPUT : AX_SIM_BOUND_COMPUTE;
        if (f[v] > term[by])
            term[by] = f[v];
        f[v] = 0;
    }
    s->frag_layer[i] = NONE;
}

/* `need` seconds of `core`'s server v for the node being run: added to the
 * running sum of its layer on that core. Work of one core's server for one
 * layer is serial and lies within the layer's busy times, so any such sum
 * bounds the layer's time from below. */
static void frag_add(struct timed *s, uint32_t core, enum eng_server v, double need)
{
    if (s->cur == NONE || need <= 0)
        return;
    size_t i = row(s, core);
    uint32_t l = s->layer_of[s->cur];
    if (s->frag_layer[i] != l) {
        frag_flush(s, i);
        s->frag_layer[i] = l;
    }
    s->frag[i * ENG_SERVER_COUNT + v] += need;
}

static int busy_by_layer(const void *a, const void *b);

/* A batch keeps its layers' busy times over all its tokens: when the array
 * is full they are merged, layer by layer, into the disjoint runs whose
 * union they are (what layer_times measures, to the bit: a run's ends are
 * kept, not computed), so that memory follows the runs, not the
 * instructions. The runs keep the entry of their first interval. */
static void compact_busy(struct timed *s)
{
    struct busy *v = s->busy_iv;
    uint64_t n = 0;
    qsort(v, s->n_busy_iv, sizeof *v, busy_by_layer);
    for (uint64_t i = 0; i < s->n_busy_iv; i++) {
        if (n && v[n - 1].layer == v[i].layer && v[i].t0 <= v[n - 1].t1) {
            if (v[i].t1 > v[n - 1].t1)
                v[n - 1].t1 = v[i].t1;
        } else {
            v[n++] = v[i];
        }
    }
    s->n_busy_iv = n;
}

/* Records that the node being run was at work from t0 to t1. */
static ax_status note_busy(struct timed *s, double t0, double t1)
{
    if (s->cur == NONE || (s->is_flight && !s->is_batch) || !(t1 > t0))
        return AX_OK; /* a prefill's layers are not timed */
    int is_full = s->n_busy_iv == s->cap_busy_iv;
    if (is_full && s->is_batch && s->n_busy_iv > 0) { /* qsort takes no NULL array */
        compact_busy(s);
        is_full = s->n_busy_iv > s->cap_busy_iv / 2; /* grown unless that freed half */
    }
    if (is_full) {
        uint64_t cap = s->cap_busy_iv ? 2 * s->cap_busy_iv : 4096;
        struct busy *b = ax_mem_realloc(s->busy_iv, (size_t)cap * sizeof *b);
        if (!b)
            return AX_ERR_NOMEM;
        s->busy_iv = b;
        s->cap_busy_iv = cap;
    }
    s->busy_iv[s->n_busy_iv++] = (struct busy){s->layer_of[s->cur], s->cur, t0, t1};
    return AX_OK;
}

/* Runs job `j` on `core` from time t; returns when it leaves. */
static double run_job(struct timed *s, uint32_t core, double t, const struct eng_job *j)
{
    uint32_t chip = core / s->net.cores_per_chip;
    for (int v = 0; v < ENG_SERVER_COUNT; v++)
        frag_add(s, core, (enum eng_server)v, j->s[v]);
    if (!s->trace)
        return eng_run_job(t, j, core_free(s, core), core_busy(s, core), &s->dram_free[chip]);
    double at[ENG_SERVER_COUNT];
    double end = eng_run_job_at(t, j, core_free(s, core), core_busy(s, core), &s->dram_free[chip],
                                at);
    ax_trace_service(s->trace, core, j, at);
    return end;
}

/* The bound's shadow of a message: it leaves through its instruction's own
 * axon_out, crosses the network with every link free and is served on an
 * empty axon_in. */
struct free_send {
    double ready;  /* in: when it may leave */
    double out;    /* in and out: when the instruction's own axon_out is next free */
    double served; /* out */
};

/* The packets and bytes of a message of `words` float32 words, or of one
 * spike event when `is_event`. */
static void message_size(const struct timed *s, uint32_t words, int is_event, double *packets,
                         double *bytes)
{
    *bytes = is_event ? s->net.packet_bytes : words * 4.0;
    *packets = is_event ? 1 : ceil(*bytes / s->net.packet_bytes);
    if (*packets < 1)
        *packets = 1;
}

/* A message of `packets` packets leaves `src` through axon_out once it is
 * ready at `ready`; returns when it has left. Its shadow leaves through the
 * instruction's own axon_out (f->out). */
static double depart(struct timed *s, uint32_t src, double packets, double ready, struct free_send *f)
{
    charge(s, NULL, src, AX_LEDGER_MESSAGE_OUT, packets);
    double out = eng_message_service(s->arch, AX_EVENT_AXON_OUT_MESSAGE_OUT, packets);
    double left = eng_depart(out, ready, core_free(s, src), core_busy(s, src));
    frag_add(s, src, ENG_AXON_OUT, out);
    f->out = (f->ready > f->out ? f->ready : f->out) + out;
    return left;
}

/* Whether a message to n cores travels once along the tree of their
 * routes: the chip's routers replicate packets and there is more than one. */
static int is_multicast(const struct timed *s, uint32_t n)
{
    return n > 1 && s->net.tree_gen != NULL;
}

/* s->tree with room for n destinations; NULL when memory ran out. */
static struct tree *tree_for(struct timed *s, uint32_t n)
{
    struct tree *t = &s->tree;
    if (n <= t->cap)
        return t;
    uint32_t *d = ax_mem_realloc(t->dst, (size_t)n * sizeof *d);
    if (d)
        t->dst = d;
    double *w = d ? ax_mem_realloc(t->arrive, 4 * (size_t)n * sizeof *w) : NULL;
    if (!w)
        return NULL;
    t->arrive = w;
    t->free_s = w + n;
    t->served = w + 2 * (size_t)n;
    t->free_served = w + 3 * (size_t)n;
    t->cap = n;
    return t;
}

/* The network's counts of a route into the ledger. */
static void charge_route(struct timed *s, const struct eng_counts *c)
{
    for (int d = 0; d < AX_DIR_COUNT; d++)
        charge(s, NULL, NONE, (enum ax_ledger_item)(AX_LEDGER_HOP_NORTH + d), c->hops[d]);
    charge(s, NULL, NONE, AX_LEDGER_HOP_LOCAL, c->local);
    charge(s, NULL, NONE, AX_LEDGER_COPY, c->copies);
    charge(s, NULL, NONE, AX_LEDGER_CHIP_LINK, c->chip_bytes);
}

/* Message `m`, which left at `left`, arrives at m->dst at `arrive` (free_s
 * after it left, with every link free) and is served on its axon_in.
 * Returns when it has been served; sets the shadow's f->served. */
static double serve(struct timed *s, const struct eng_msg *m, double left, double arrive,
                    double free_s, struct free_send *f)
{
    charge(s, NULL, m->dst, AX_LEDGER_MESSAGE_IN, m->packets);
    if (s->cur != NONE)
        s->span[s->cur].packets += m->packets;
    double *in = core_free(s, m->dst);
    double need = eng_message_service(s->arch, AX_EVENT_AXON_IN_MESSAGE_IN, m->packets);
    double start = arrive > in[ENG_AXON_IN] ? arrive : in[ENG_AXON_IN];
    in[ENG_AXON_IN] = start + need;
    core_busy(s, m->dst)[ENG_AXON_IN] += need;
    frag_add(s, m->dst, ENG_AXON_IN, need);
    double served = start + need;
    f->served = f->out + free_s + need;
    if (f->served > s->free_end)
        s->free_end = f->served;
    if (s->trace) {
        double out = eng_message_service(s->arch, AX_EVENT_AXON_OUT_MESSAGE_OUT, m->packets);
        ax_trace_message(s->trace, m, eng_hops(&s->net, m->src, m->dst), left - out, left, arrive,
                         start, served);
    }
    if (served > s->horizon)
        s->horizon = served;
    return served;
}

/* Sends a message of `words` float32 words (or one spike event when
 * `is_event`) from `src` to `dst`, ready to leave at `ready`. Returns when
 * it has left; *served is when the destination has served it on axon_in.
 * Times its shadow *f too. */
static double send(struct timed *s, uint32_t src, uint32_t dst, uint32_t words, int is_event,
                   double ready, double *served, struct free_send *f)
{
    if (src == dst) { /* the core's own: no packet */
        *served = ready;
        f->served = f->ready;
        return ready;
    }
    double bytes, packets;
    message_size(s, words, is_event, &packets, &bytes);
    struct eng_msg m = {src, dst, (uint32_t)packets, (uint32_t)bytes, {{0}}};
    double left = depart(s, src, packets, ready, f);
    struct eng_counts c = {{0}, 0, 0, 0, 0, 0};
    s->net.tag = s->cur == NONE ? ENG_NO_TAG : s->layer_of[s->cur];
    double arrive = eng_route(&s->net, &m, left, s->o->timing == AX_SIM_TIMING_ANALYTIC, &c);
    charge_route(s, &c);
    *served = serve(s, &m, left, arrive, c.free_s, f);
    return left;
}

/* Sends one message to the n cores in t->dst at once, on a chip whose
 * routers replicate packets (eng_route_tree): it leaves axon_out once and
 * each destination serves it (t->served, t->free_served). Returns when it
 * has left. */
static double send_tree(struct timed *s, uint32_t src, struct tree *t, uint32_t n, uint32_t words,
                        int is_event, double ready, struct free_send *f)
{
    double bytes, packets;
    message_size(s, words, is_event, &packets, &bytes);
    struct eng_msg m = {src, src, (uint32_t)packets, (uint32_t)bytes, {{0}}};
    double left = depart(s, src, packets, ready, f);
    struct eng_counts c = {{0}, 0, 0, 0, 0, 0};
    s->net.tag = s->cur == NONE ? ENG_NO_TAG : s->layer_of[s->cur];
    eng_route_tree(&s->net, &m, t->dst, n, left, s->o->timing == AX_SIM_TIMING_ANALYTIC, &c,
                   t->arrive, t->free_s);
    charge_route(s, &c);
    for (uint32_t i = 0; i < n; i++) {
        if (t->dst[i] == src) { /* the core's own: no packet */
            t->served[i] = ready;
            t->free_served[i] = f->ready;
            continue;
        }
        m.dst = t->dst[i];
        t->served[i] = serve(s, &m, left, t->arrive[i], t->free_s[i], f);
        t->free_served[i] = f->served;
    }
    return left;
}

static void reset_times(struct timed *s, struct tok_times *T, double t0);

/* The times of token `tok` of the flight (token 0 when tokens run one at a
 * time). A place another token held is this one's once that token has
 * ended on every core (the executor starts no core on token tok before),
 * and starts fresh. */
static struct tok_times *times_of(struct timed *s, uint32_t tok)
{
    struct tok_times *T = &s->tt[tok % s->window];
    if (T->tok != tok) {
        reset_times(s, T, s->flight_t0);
        T->tok = tok;
    }
    return T;
}

static ax_status note_message(struct tok_times *T, uint64_t id, double served, double free_served)
{
    if (id >= T->cap_msgs) {
        uint64_t cap = T->cap_msgs ? T->cap_msgs * 2 : 1024;
        while (cap <= id)
            cap *= 2;
        double *m = ax_mem_realloc(T->msg_done, (size_t)cap * sizeof *m);
        if (m)
            T->msg_done = m;
        double *fm = m ? ax_mem_realloc(T->free_msg, (size_t)cap * sizeof *fm) : NULL;
        if (!fm)
            return AX_ERR_NOMEM;
        T->free_msg = fm;
        T->cap_msgs = cap;
    }
    T->msg_done[id] = served;
    T->free_msg[id] = free_served;
    return AX_OK;
}

/* A job through an empty pipeline from `t`: the bound's time for an
 * instruction's own work. */
static double free_job(double t, const struct eng_job *j)
{
    double free[ENG_SERVER_COUNT] = {0}, busy[ENG_SERVER_COUNT] = {0};
    return eng_run_job(t, j, free, busy, NULL);
}

/* ---- one instruction's work ---------------------------------------------------------- */

/* The weight record `id` (NULL when out of range: the executor has failed). */
static const struct ax_prog_weight *record(const struct timed *s, uint64_t id)
{
    return id < s->p->n_weights ? &s->p->weights[id] : NULL;
}

static double record_bytes(const struct ax_prog_weight *w)
{
    return (double)ax_prog_record_words(w) * 4.0;
}

/* The units of work of an instruction that runs on its core's units alone
 * (no message, no wait), as a job. */
static void local_work(struct timed *s, uint32_t core, const struct ax_exec_did *d, struct eng_job *j)
{
    const struct ax_isa_instr *in = &d->in;
    double len = (double)d->len, hd = d->head_dim;
    const struct ax_prog_weight *w;
    switch (in->op) {
    case AX_ISA_THRESH:
        charge(s, j, core, AX_LEDGER_ACCESS_NEURON, len);
        break;
    case AX_ISA_ENCODE:
        charge(s, j, core, AX_LEDGER_UPDATE_NEURON, len);
        break;
    case AX_ISA_SYNACC:
        if ((w = record(s, in->a)) != NULL) {
            charge(s, j, core, AX_LEDGER_PROCESS_SPIKE, (double)d->events * w->rows);
            charge(s, j, core, AX_LEDGER_SRAM_READ, (double)d->events * accesses(s, w->rows));
        }
        break;
    case AX_ISA_SCALE:
        charge(s, j, core, AX_LEDGER_SRAM_READ, accesses(s, len * d->groups * 4.0));
        charge(s, j, core, AX_LEDGER_DENDRITE, len * d->groups);
        break;
    case AX_ISA_VADD:
    case AX_ISA_VSUM:
        charge(s, j, core, AX_LEDGER_DENSE_ADD, len);
        break;
    case AX_ISA_VMUL:
        if (in->flags & AX_ISA_VMUL_SILU)
            charge(s, j, core, AX_LEDGER_DENSE_SILU, len);
        charge(s, j, core, AX_LEDGER_DENSE_MUL, len);
        break;
    case AX_ISA_VMAC:
    case AX_ISA_VSUMSQ:
        charge(s, j, core, AX_LEDGER_DENSE_MAC, len);
        break;
    case AX_ISA_VRSQRT:
        charge(s, j, core, AX_LEDGER_DENSE_RSQRT, len);
        break;
    case AX_ISA_VEXP:
        charge(s, j, core, AX_LEDGER_DENSE_EXP, len);
        break;
    case AX_ISA_VSILU:
        charge(s, j, core, AX_LEDGER_DENSE_SILU, len);
        break;
    case AX_ISA_VMAX:
    case AX_ISA_ARGMAX:
        charge(s, j, core, AX_LEDGER_DENSE_MAX, len);
        break;
    case AX_ISA_ARGMERGE: /* a comparison a pair after the first */
        charge(s, j, core, AX_LEDGER_DENSE_MAX, in->b > 0 ? (double)in->b - 1 : 0);
        break;
    case AX_ISA_VDIV:
        charge(s, j, core, AX_LEDGER_DENSE_DIV, len);
        break;
    case AX_ISA_VQUANT:
        charge(s, j, core, AX_LEDGER_DENSE_QUANT, len);
        break;
    case AX_ISA_VCOPY:
        charge(s, j, core, AX_LEDGER_SRAM_READ, accesses(s, len * 4.0));
        charge(s, j, core, AX_LEDGER_SRAM_WRITE, accesses(s, len * 4.0));
        break;
    case AX_ISA_VDOT:
        if ((w = record(s, d->record)) != NULL) {
            double cols = w->cols, groups = w->is_float ? 0 : ceil(w->cols / 128.0);
            double code_bytes = w->is_float ? 4.0 * len * cols : len * cols;
            charge(s, j, core, AX_LEDGER_SRAM_READ,
                   accesses(s, code_bytes + len * groups * 4.0 + cols * 4.0));
            charge(s, j, core, AX_LEDGER_DENSE_MAC, len * cols);
            charge(s, j, core, AX_LEDGER_DENDRITE, len * groups);
        }
        break;
    case AX_ISA_DMA:
        if ((w = record(s, in->b)) != NULL) {
            charge(s, j, core, AX_LEDGER_DRAM_BYTE, record_bytes(w));
            charge(s, j, core, AX_LEDGER_SRAM_WRITE, accesses(s, record_bytes(w)));
            j->s[ENG_DRAM] += ax_arch_desc(s->arch)->chip.dram.latency_s;
        }
        break;
    case AX_ISA_RMSNORM:
        charge(s, j, core, AX_LEDGER_DENSE_MAC, len);
        charge(s, j, core, AX_LEDGER_DENSE_MUL, 2 * len);
        charge(s, j, core, AX_LEDGER_DENSE_RSQRT, 1);
        break;
    case AX_ISA_ROPE:
        charge(s, j, core, AX_LEDGER_DENSE_MUL, len);
        charge(s, j, core, AX_LEDGER_DENSE_MAC, len);
        break;
    case AX_ISA_SUMACC: /* a shard's part of rmsnorm's sum (as rmsnorm charges it) or thresh's */
        charge(s, j, core,
               in->flags & AX_ISA_SUMACC_SQUARES ? AX_LEDGER_DENSE_MAC : AX_LEDGER_ACCESS_NEURON,
               len);
        break;
    case AX_ISA_THRESHOF: /* one scalar from the total */
        charge(s, j, core, AX_LEDGER_DENSE_DIV, 1);
        break;
    case AX_ISA_RMSSCALE: /* rmsnorm's scaling, its product by w left to a vmul */
        charge(s, j, core, AX_LEDGER_DENSE_MUL, len);
        charge(s, j, core, AX_LEDGER_DENSE_RSQRT, 1);
        break;
    case AX_ISA_GLADECAY: /* the decay from the gate, S = diag(decay) S: of the block's columns */
        charge(s, j, core, AX_LEDGER_DENSE_EXP, len);
        charge(s, j, core, AX_LEDGER_DENSE_MUL, len * d->gla_cols);
        charge(s, j, core, AX_LEDGER_SRAM_READ, accesses(s, len * d->gla_cols * 4.0));
        charge(s, j, core, AX_LEDGER_SRAM_WRITE, accesses(s, len * d->gla_cols * 4.0));
        break;
    case AX_ISA_GLAUPD:
    case AX_ISA_GLAREAD:
        charge(s, j, core, AX_LEDGER_DENSE_MAC, len * d->gla_cols);
        break;
    case AX_ISA_KVPUSH: /* K and V of the heads written to int8, into the ring */
        charge(s, j, core, AX_LEDGER_DENSE_QUANT, 2.0 * d->kv_heads * hd);
        charge(s, j, core, AX_LEDGER_SRAM_WRITE, accesses(s, d->kv_heads * (2 * hd + 8.0)));
        break;
    case AX_ISA_KVATTN:
    case AX_ISA_KVPART: {
        double heads = hd > 0 ? len / hd : 0, keys = (double)d->keys;
        charge(s, j, core, AX_LEDGER_DENSE_MAC, 2 * heads * keys * hd); /* q.k and p.v */
        charge(s, j, core, AX_LEDGER_DENSE_MAX, heads * keys);
        charge(s, j, core, AX_LEDGER_DENSE_EXP, heads * keys);
        charge(s, j, core, AX_LEDGER_DENSE_ADD, heads * keys);
        charge(s, j, core, AX_LEDGER_DENSE_DIV, len);
        charge(s, j, core, AX_LEDGER_SRAM_READ, accesses(s, d->kv_heads * keys * (2 * hd + 8)));
        break;
    }
    case AX_ISA_KVMERGE:
    case AX_ISA_KVFOLD: { /* per head and part: its max, its weight, its outputs added in */
        double heads = d->in.flags, parts = (double)d->in.c;
        charge(s, j, core, AX_LEDGER_DENSE_MAX, heads * parts);
        charge(s, j, core, AX_LEDGER_DENSE_EXP, heads * parts);
        charge(s, j, core, AX_LEDGER_DENSE_MAC, (len + heads) * parts);
        charge(s, j, core, AX_LEDGER_DENSE_DIV, len);
        break;
    }
    default: /* nop, setlen, acczero, halt: no unit's work */
        break;
    }
}

/* ---- sites: the counts buffers ------------------------------------------------------- */

/* The reader of site `si` (of any shard of its node's counts) by node-table
 * entry `entry`, or NONE. */
static uint32_t reader_of(const struct timed *s, uint32_t si, uint32_t entry)
{
    uint32_t r = si < s->n_sites ? s->first_reader[s->sites[si].head] : NONE;
    while (r != NONE && s->readers[r].entry != entry)
        r = s->readers[r].next;
    return r;
}

static uint32_t add_reader(struct timed *s, uint32_t si, uint32_t e);

/* An emit of node-table entry `entry` read counts buffer `b`, or a synacc
 * of it took b's events (is_synacc): the first in this token records the
 * counts of b's node (all of them, as the projection reads them: those of
 * every shard, once all are encoded) in the entry's statistics. A synacc
 * of an entry with a spike site that no emit of it names makes it a reader
 * of b's site (one emission fed it). */
static ax_status record_input(struct timed *s, uint32_t token, uint32_t entry,
                              const struct ax_prog_buffer *b, int is_synacc)
{
    const struct ax_prog *p = s->p;
    uint32_t si = s->site_of[b - p->buffers], ri = reader_of(s, si, entry);
    if (ri == NONE && is_synacc && p->nodes[entry].site && p->nodes[entry].site[0] &&
        (ri = add_reader(s, si, entry)) == NONE)
        return AX_ERR_NOMEM;
    if (ri == NONE || s->readers[ri].token == token + 1)
        return AX_OK;
    struct reader *t = &s->readers[ri];
    const struct site *head = &s->sites[s->sites[s->site_of[b - p->buffers]].head];
    const int32_t *counts = NULL;
    if (head->shards > 1 && !t->gather &&
        !(t->gather = ax_mem_alloc((size_t)head->channels * sizeof *t->gather)))
        return AX_ERR_NOMEM;
    for (uint32_t k = (uint32_t)(head - s->sites); k != NONE; k = s->sites[k].next_shard) {
        const struct site *sh = &s->sites[k];
        const struct ax_prog_buffer *c = &p->buffers[sh->buffer];
        if (sh->first + c->words > head->channels)
            return AX_OK;
        counts = ax_exec_counts(s->ex, c->core, c->addr, c->words);
        if (!counts)
            return AX_OK; /* not all encoded yet: a later emit or synacc records them */
        if (t->gather)
            memcpy(t->gather + sh->first, counts, c->words * sizeof *counts);
    }
    t->token = token + 1;
    counts = t->gather ? t->gather : counts;
    if (!t->has_stats) {
        ax_status st = ax_spike_stats_init(&t->stats, head->channels);
        if (st != AX_OK)
            return st;
        t->has_stats = 1;
    }
    ax_spike_stats_add(&t->stats, &s->spike, counts);
    for (uint32_t c = 0; c < head->channels; c++) {
        int64_t v = counts[c];
        uint64_t mag = (uint64_t)(v < 0 ? -v : v);
        t->hist[mag < AX_SYNTH_MAX_MAG ? mag : AX_SYNTH_MAX_MAG]++;
    }
    return AX_OK;
}

/* Counting mode's draw for counts buffer `buffer`: its site's distribution,
 * keyed by the node, over the site's channels; sequence `seq` of a batch
 * draws as a run seeded seed + seq would. */
static void draw_counts(void *user, uint32_t buffer, uint32_t offset, uint64_t pos, uint32_t seq,
                        uint32_t n, int32_t *out)
{
    struct timed *s = user;
    uint32_t si = buffer < s->p->n_buffers ? s->site_of[buffer] : NONE;
    if (si == NONE) {
        memset(out, 0, (size_t)n * sizeof *out);
        return;
    }
    const struct site *t = &s->sites[si];
    ax_synth_counts_at(&t->pmf, s->o->seed + seq, t->node, pos, t->first + offset, n, out);
}

/* ---- one instruction ------------------------------------------------------------------ */

/* Completes barrier `id` at the latest of its cores' arrivals and of the
 * spike events that belong to it (the executor's, docs/isa.md), plus the
 * sync latency; parked cores go on. */
static ax_status complete_barrier(struct timed *s, struct tok_times *T, uint32_t id)
{
    const struct ax_prog_barrier *b = &s->p->barriers[id];
    double t = T->bar_at[id] > T->events_at[id] ? T->bar_at[id] : T->events_at[id];
    double fb = T->free_bar[id] > T->free_events[id] ? T->free_bar[id] : T->free_events[id];
    uint32_t chips = 0, last_chip = NONE;
    for (uint32_t i = 0; i < b->n_cores; i++) {
        uint32_t c = b->cores[i];
        uint32_t chip = c / s->net.cores_per_chip;
        if (chip != last_chip) { /* cores ascend, so chips do */
            chips++;
            last_chip = chip;
        }
    }
    double sync = ax_arch_sync_latency(s->arch, chips * ax_arch_tiles_per_chip(s->arch));
    if (s->trace)
        ax_trace_barrier(s->trace, id, s->token, T->bar_at[id], t, sync, chips);
    ax_status st = note_busy(s, T->bar_at[id], t + sync);
    t += sync;
    fb += sync;
    charge(s, NULL, NONE, AX_LEDGER_BARRIER, chips);
    T->bar_at[id] = t;
    T->free_bar[id] = fb;
    if (t > s->horizon)
        s->horizon = t;
    if (fb > s->free_end)
        s->free_end = fb;
    for (uint32_t i = 0; i < b->n_cores; i++) {
        uint32_t k = run_of(s, b->cores[i]);
        if (k == NONE)
            continue;
        s->clock[k] = t;
        s->free_clock[k] = fb;
        if (s->is_parked[k]) {
            s->is_parked[k] = 0;
            wake(s, k);
        }
    }
    return st;
}

/* Dataflow: the slot of each destination of route `rt` in the barrier its
 * events belong to (`visible`), into s->df_slot. */
static ax_status dataflow_slots(struct timed *s, const struct ax_prog_route *rt,
                                const uint32_t *visible)
{
    if (rt->n_dst > s->cap_df_slot) {
        uint32_t *v = ax_mem_realloc(s->df_slot, (size_t)rt->n_dst * sizeof *v);
        if (!v)
            return AX_ERR_NOMEM;
        s->df_slot = v;
        s->cap_df_slot = rt->n_dst;
    }
    for (uint32_t i = 0; i < rt->n_dst; i++)
        s->df_slot[i] =
            visible[i] == NONE ? NONE : ax_exec_place(s->ex, visible[i], rt->dst[i].core);
    return AX_OK;
}

/* Dataflow: code record k passes barrier `id` when it has arrived (its
 * clock) and the handshakes and events for it there have been served, plus
 * the handshake's latency when it waited for any; parked, it goes on. */
static void pass_dataflow(struct timed *s, const struct tok_times *T, uint32_t k, uint32_t id)
{
    uint32_t core = s->p->code[k].core, slot = ax_exec_place(s->ex, id, core);
    double lat = ax_exec_senders(s->ex, id, core) > 0
                     ? ax_arch_desc(s->arch)->chip.sync.handshake_latency_s
                     : 0.0;
    double t = s->clock[k], ft = s->free_clock[k];
    if (slot != NONE) {
        t = T->df_at[slot] > t ? T->df_at[slot] : t;
        ft = T->df_free[slot] > ft ? T->df_free[slot] : ft;
    }
    s->clock[k] = t + lat;
    s->free_clock[k] = ft + lat;
    if (s->clock[k] > s->horizon)
        s->horizon = s->clock[k];
    if (s->free_clock[k] > s->free_end)
        s->free_end = s->free_clock[k];
    if (s->is_parked[k]) {
        s->is_parked[k] = 0;
        wake(s, k);
    }
}

/* Dataflow: code record k at a barrier (the executor's `d`). On arrival it
 * sends each core it told one handshake packet, after its own sends
 * through axon_out; the receivers the executor released pass, and so does
 * k when its own senders were all there, else it parks. A second try
 * after its release finds its clock already set. */
static ax_status arrive_dataflow(struct timed *s, uint32_t k, const struct ax_exec_did *d)
{
    if (d->state == AX_EXEC_RAN && !d->is_barrier_done)
        return AX_OK; /* released by its last sender */
    uint32_t core = s->p->code[k].core, id = (uint32_t)d->in.a;
    struct tok_times *T = times_of(s, d->tok);
    double t = s->clock[k], ft = s->free_clock[k];
    struct free_send f = {ft, ft, ft};
    for (uint32_t i = 0; i < d->n_told; i++) {
        double served, left = send(s, core, d->told[i], 1, 1, t, &served, &f);
        charge(s, NULL, d->told[i], AX_LEDGER_HANDSHAKE, 1);
        uint32_t slot = ax_exec_place(s->ex, id, d->told[i]);
        if (slot != NONE && served > T->df_at[slot])
            T->df_at[slot] = served;
        if (slot != NONE && f.served > T->df_free[slot])
            T->df_free[slot] = f.served;
        s->clock[k] = left > s->clock[k] ? left : s->clock[k];
    }
    s->free_clock[k] = f.out > ft ? f.out : ft;
    ax_status st = note_busy(s, t, s->clock[k]);
    for (uint32_t i = 0; i < d->n_released; i++)
        pass_dataflow(s, T, d->released[i], id);
    if (d->is_barrier_done)
        pass_dataflow(s, T, k, id);
    else
        s->is_parked[k] = 1;
    return st;
}

/* Wakes the parked cores a message was sent to, to try their psumrecv. */
static void wake_receivers(struct timed *s, const struct ax_exec_did *d)
{
    for (uint32_t i = 0; i < d->n_sent; i++) {
        uint32_t k = run_of(s, d->sent[i].dst);
        if (k != NONE && s->is_parked[k]) {
            s->is_parked[k] = 0;
            wake(s, k);
        }
    }
}

/* Times the instruction record k just ran (or waits at) and charges it. */
static ax_status timed_instr(struct timed *s, uint32_t k, const struct ax_exec_did *d)
{
    uint32_t core = s->p->code[k].core;
    double t = s->clock[k], done = t;
    double ft = s->free_clock[k], fdone = ft; /* the same with every shared resource free */
    double reach = t, free_reach = ft; /* when the last message it sent has been served */
    s->cur = s->node_at[k] ? s->node_at[k][d->pc] : NONE;
    struct eng_job j = {{0}};
    struct tok_times *T = times_of(s, d->tok);
    ax_status st = AX_OK;
    if (s->trace)
        ax_trace_instr_begin(s->trace, s->token, core, d->pc, d->in.op, s->cur, t);
    switch (d->in.op) {
    case AX_ISA_BARRIER:
        if (s->is_dataflow) {
            st = arrive_dataflow(s, k, d);
            if (s->trace && d->state == AX_EXEC_RAN)
                ax_trace_instr_end(s->trace, s->clock[k]);
            return st;
        }
        if (d->state == AX_EXEC_WAITS || d->is_barrier_done) {
            uint64_t id = d->in.a;
            if (T->bar_at[id] < t)
                T->bar_at[id] = t;
            if (T->free_bar[id] < ft)
                T->free_bar[id] = ft;
            if (d->is_barrier_done)
                st = complete_barrier(s, T, (uint32_t)id);
            else
                s->is_parked[k] = 1;
        }
        if (s->trace && d->state == AX_EXEC_RAN)
            ax_trace_instr_end(s->trace, s->clock[k]);
        return st; /* the barrier set the clock */
    case AX_ISA_HALT: /* in a flight: the next token started, or the core waits its turn */
        if (d->state == AX_EXEC_WAITS)
            s->is_parked[k] = 1;
        for (uint32_t i = 0; i < d->n_released; i++) { /* the oldest token ended now */
            uint32_t kk = d->released[i];
            s->clock[kk] = t > s->clock[kk] ? t : s->clock[kk];
            s->free_clock[kk] = ft > s->free_clock[kk] ? ft : s->free_clock[kk];
            if (s->is_parked[kk]) {
                s->is_parked[kk] = 0;
                wake(s, kk);
            }
        }
        if (s->trace)
            ax_trace_instr_end(s->trace, t);
        return AX_OK;
    case AX_ISA_PSUMRECV:
        if (d->state == AX_EXEC_WAITS) {
            s->is_parked[k] = 1;
            return AX_OK;
        }
        for (uint32_t i = 0; i < d->n_taken; i++)
            if (d->taken[i] < T->cap_msgs && T->msg_done[d->taken[i]] > t)
                t = T->msg_done[d->taken[i]];
        for (uint32_t i = 0; i < d->n_taken; i++)
            if (d->taken[i] < T->cap_msgs && T->free_msg[d->taken[i]] > ft)
                ft = T->free_msg[d->taken[i]];
        /* a copy (one message, flags bit 0) adds nothing: its words are written to SRAM, a
         * few accesses where the adds would take len dense operations */
        if (d->in.flags & AX_ISA_PSUMRECV_COPY)
            charge(s, &j, core, AX_LEDGER_SRAM_WRITE, accesses(s, (double)d->len * 4.0));
        else
            charge(s, &j, core, AX_LEDGER_DENSE_ADD, (double)d->len * d->n_taken);
        done = run_job(s, core, t, &j);
        fdone = free_job(ft, &j);
        break;
    case AX_ISA_LOOKUP:
    case AX_ISA_PSUMSEND: {
        const struct ax_prog_weight *w = record(s, d->in.a);
        double ready = t, free_ready = ft;
        if (d->in.op == AX_ISA_LOOKUP && d->is_hit && w) { /* read the row, dequantize it */
            charge(s, &j, core, AX_LEDGER_SRAM_READ, accesses(s, w->cols * (w->is_float ? 4.0 : 1.0)));
            if (!w->is_float)
                charge(s, &j, core, AX_LEDGER_DENSE_MUL, w->cols);
            ready = run_job(s, core, t, &j);
            free_ready = free_job(ft, &j);
        }
        done = ready;
        struct free_send f = {free_ready, free_ready, free_ready};
        struct tree *tr = is_multicast(s, d->n_sent) ? tree_for(s, d->n_sent) : NULL;
        if (is_multicast(s, d->n_sent) && !tr) {
            st = AX_ERR_NOMEM;
        } else if (tr) { /* one message along the tree of their routes */
            for (uint32_t i = 0; i < d->n_sent; i++)
                tr->dst[i] = d->sent[i].dst;
            double left = send_tree(s, core, tr, d->n_sent, d->sent[0].words, 0, ready, &f);
            done = left > done ? left : done;
            for (uint32_t i = 0; i < d->n_sent && st == AX_OK; i++) {
                reach = tr->served[i] > reach ? tr->served[i] : reach;
                free_reach = tr->free_served[i] > free_reach ? tr->free_served[i] : free_reach;
                st = note_message(T, d->sent[i].id, tr->served[i], tr->free_served[i]);
            }
        } else {
            for (uint32_t i = 0; i < d->n_sent && st == AX_OK; i++) {
                double served,
                    left = send(s, core, d->sent[i].dst, d->sent[i].words, 0, ready, &served, &f);
                if (left > done)
                    done = left;
                if (served > reach)
                    reach = served;
                st = note_message(T, d->sent[i].id, served, f.served);
                free_reach = f.served > free_reach ? f.served : free_reach;
            }
        }
        fdone = f.out;
        wake_receivers(s, d);
        break;
    }
    case AX_ISA_EMIT:
    case AX_ISA_RELAY: { /* a relay is an emit whose spikes the soma generated elsewhere */
        const struct ax_prog_route *rt = &s->p->routes[d->in.b];
        const struct ax_prog_buffer *b = d->in.op == AX_ISA_EMIT
                                             ? ax_prog_buffer_at(s->p, core, (uint32_t)d->in.a)
                                             : NULL;
        if (b && s->cur != NONE && s->site_of[b - s->p->buffers] != NONE)
            st = record_input(s, s->token, s->cur, b, 0);
        struct eng_job gen = {{0}};
        charge(s, NULL, core, AX_LEDGER_SPIKE_OUT, (double)d->generated);
        gen.s[ENG_SOMA] = s->item_s[AX_LEDGER_SPIKE_OUT];
        /* the shadow: the instruction's own soma and axon_out, free at ft */
        double soma[ENG_SERVER_COUNT] = {0}, soma_busy[ENG_SERVER_COUNT] = {0};
        struct free_send f = {ft, ft, ft};
        struct tree *tr = is_multicast(s, rt->n_dst) ? tree_for(s, rt->n_dst) : NULL;
        if (is_multicast(s, rt->n_dst) && !tr)
            st = AX_ERR_NOMEM;
        for (uint32_t i = 0; tr && i < rt->n_dst; i++)
            tr->dst[i] = rt->dst[i].core;
        if (s->is_dataflow && d->visible && st == AX_OK)
            st = dataflow_slots(s, rt, d->visible);
        for (uint64_t e = 0; e < d->events && st == AX_OK; e++) {
            double ready = e < d->generated ? run_job(s, core, t, &gen) : t;
            f.ready = e < d->generated ? eng_run_job(ft, &gen, soma, soma_busy, NULL) : ft;
            double left = tr ? send_tree(s, core, tr, rt->n_dst, 1, 1, ready, &f) : ready;
            for (uint32_t i = 0; i < rt->n_dst; i++) {
                uint32_t dst = rt->dst[i].core;
                double here, free_here;
                if (tr) { /* one event along the tree of the routes */
                    here = tr->served[i];
                    free_here = tr->free_served[i];
                } else {
                    left = send(s, core, dst, 1, 1, ready, &here, &f);
                    free_here = f.served;
                }
                if (left > done)
                    done = left;
                if (here > reach)
                    reach = here;
                free_reach = free_here > free_reach ? free_here : free_reach;
                uint32_t at = d->visible ? d->visible[i] : NONE;
                if (at < s->p->n_barriers && here > T->events_at[at])
                    T->events_at[at] = here;
                if (at < s->p->n_barriers && free_here > T->free_events[at])
                    T->free_events[at] = free_here;
                uint32_t slot = s->is_dataflow && d->visible ? s->df_slot[i] : NONE;
                if (slot != NONE && here > T->df_at[slot])
                    T->df_at[slot] = here;
                if (slot != NONE && free_here > T->df_free[slot])
                    T->df_free[slot] = free_here;
            }
        }
        fdone = f.out;
        break;
    }
    default:
        local_work(s, core, d, &j);
        done = run_job(s, core, t, &j);
        fdone = free_job(ft, &j);
        break;
    }
    s->clock[k] = done;
    s->free_clock[k] = fdone;
    if (fdone > s->free_end)
        s->free_end = fdone;
    if (s->trace)
        ax_trace_instr_end(s->trace, done);
    if (done > s->horizon)
        s->horizon = done;
    if (st == AX_OK)
        st = note_busy(s, t, done > reach ? done : reach);
    if (s->cur != NONE) {
        struct node_span *sp = &s->span[s->cur];
        struct ax_sim_layer *l = &s->r->layers[s->layer_of[s->cur]];
        double *chain = &s->layer_chain[2 * (size_t)s->layer_of[s->cur]];
        double free_end = fdone > free_reach ? fdone : free_reach;
        if (free_end > ft) { /* at work, as note_busy counts it */
            chain[0] = ft < chain[0] ? ft : chain[0];
            chain[1] = free_end > chain[1] ? free_end : chain[1];
        }
        sp->has_run = 1;
        const struct ax_prog_weight *w = record(s, d->in.a);
        if (d->in.op == AX_ISA_SYNACC && w) {
            l->sops += (double)d->events * w->rows;
            if (st == AX_OK && d->source < s->p->n_buffers && s->site_of[d->source] != NONE)
                st = record_input(s, s->token, s->cur, &s->p->buffers[d->source], 1);
            l->dense_macs += (double)w->rows * w->cols;
        } else if (d->in.op == AX_ISA_EMIT) {
            l->spikes_out += (double)d->generated;
        }
    }
    return st;
}

/* ---- planning ------------------------------------------------------------------------- */

/* Layer rows "embedding", "layer.0", ..., "head", and each node's row. */
static ax_status plan_layers(struct timed *s)
{
    const struct ax_prog *p = s->p;
    int32_t top = -1;
    for (uint32_t i = 0; i < p->n_nodes; i++)
        if (p->nodes[i].layer > top)
            top = p->nodes[i].layer;
    struct ax_sim_result *r = s->r;
    r->n_layers = (uint32_t)(top + 1) + 2;
    r->layers = ax_mem_calloc(r->n_layers, sizeof *r->layers);
    s->layer_of = ax_mem_calloc((size_t)p->n_nodes + 1, sizeof *s->layer_of);
    s->span = ax_mem_calloc((size_t)p->n_nodes + 1, sizeof *s->span);
    if (!r->layers || !s->layer_of || !s->span)
        return AX_ERR_NOMEM;
    snprintf(r->layers[0].name, sizeof r->layers[0].name, "embedding");
    for (int32_t l = 0; l <= top; l++)
        snprintf(r->layers[l + 1].name, sizeof r->layers[l + 1].name, "layer.%d", l);
    snprintf(r->layers[r->n_layers - 1].name, sizeof r->layers[0].name, "head");
    int seen_layer = 0;
    for (uint32_t i = 0; i < p->n_nodes; i++) {
        const struct ax_prog_node *n = &p->nodes[i];
        seen_layer |= n->layer >= 0;
        s->layer_of[i] = n->layer >= 0 ? (uint32_t)n->layer + 1 : seen_layer ? r->n_layers - 1 : 0;
    }
    return AX_OK;
}

/* Which node-table entry each instruction implements (the opmap). */
static ax_status plan_nodes(struct timed *s)
{
    const struct ax_prog *p = s->p;
    s->node_at = ax_mem_calloc((size_t)p->n_code + 1, sizeof *s->node_at);
    if (!s->node_at)
        return AX_ERR_NOMEM;
    for (uint32_t i = 0; i < p->n_opmap; i++) {
        const struct ax_prog_opmap *m = &p->opmap[i];
        uint32_t k = run_of(s, m->core);
        if (k == NONE || (uint64_t)m->first + m->count > p->code[k].n_instr)
            continue;
        if (!s->node_at[k]) {
            s->node_at[k] = ax_mem_alloc(((size_t)p->code[k].n_instr + 1) * sizeof **s->node_at);
            if (!s->node_at[k])
                return AX_ERR_NOMEM;
            for (uint32_t pc = 0; pc < p->code[k].n_instr; pc++)
                s->node_at[k][pc] = NONE;
        }
        uint32_t e = ax_prog_node_entry(p, m->node);
        for (uint32_t pc = m->first; pc < m->first + m->count; pc++)
            s->node_at[k][pc] = e;
    }
    return AX_OK;
}

/* A site per counts buffer. A node's counts buffers (its shards) number
 * its channels one after another, in the order of the buffer table. */
static ax_status plan_sites(struct timed *s)
{
    const struct ax_prog *p = s->p;
    uint32_t top = 0, n_sites = 0;
    for (uint32_t b = 0; b < p->n_buffers; b++)
        if (p->buffers[b].kind == AX_PROG_BUF_COUNTS && p->buffers[b].node != NONE) {
            n_sites++;
            if (p->buffers[b].node + 1 > top)
                top = p->buffers[b].node + 1;
        }
    s->site_of = ax_mem_alloc(((size_t)p->n_buffers + 1) * sizeof *s->site_of);
    s->sites = ax_mem_calloc((size_t)n_sites + 1, sizeof *s->sites);
    s->first_reader = ax_mem_alloc(((size_t)n_sites + 1) * sizeof *s->first_reader);
    uint32_t *shards = ax_mem_calloc((size_t)top + 1, sizeof *shards);
    uint32_t *seen = ax_mem_calloc((size_t)top + 1, sizeof *seen);
    uint32_t *words = ax_mem_calloc((size_t)top + 1, sizeof *words);
    ax_status st = s->site_of && s->sites && s->first_reader && shards && seen && words
                       ? AX_OK
                       : AX_ERR_NOMEM;
    for (uint32_t b = 0; st == AX_OK && b < p->n_buffers; b++)
        if (p->buffers[b].kind == AX_PROG_BUF_COUNTS && p->buffers[b].node < top)
            shards[p->buffers[b].node]++;
    for (uint32_t b = 0; st == AX_OK && b < p->n_buffers; b++) {
        const struct ax_prog_buffer *buf = &p->buffers[b];
        s->site_of[b] = NONE;
        if (buf->kind != AX_PROG_BUF_COUNTS || buf->node >= top)
            continue;
        struct site *t = &s->sites[s->n_sites];
        t->buffer = b;
        t->node = buf->node;
        /* a counts buffer with a ref holds the vector's channels from there (its rows) */
        t->first = buf->ref != AX_PROG_NONE ? buf->ref : words[buf->node];
        t->shards = shards[buf->node];
        t->shard = seen[buf->node]++;
        t->head = t->shard == 0 ? s->n_sites : NONE;
        t->next_shard = NONE;
        words[buf->node] += buf->words;
        t->lead = NONE;
        s->first_reader[s->n_sites] = NONE;
        s->site_of[b] = s->n_sites++;
    }
    for (uint32_t i = 0; st == AX_OK && i < s->n_sites; i++) { /* a node's shards: its head's */
        struct site *t = &s->sites[i];
        t->channels = words[t->node];
        for (uint32_t j = i; t->head == NONE && j-- > 0;)
            if (s->sites[j].node == t->node && s->sites[j].next_shard == NONE) {
                s->sites[j].next_shard = i;
                t->head = s->sites[j].head;
            }
    }
    ax_mem_free(shards);
    ax_mem_free(seen);
    ax_mem_free(words);
    return st;
}

/* Node-table entry `e` as a reader of site `si`: its index, or NONE when
 * out of memory. */
static uint32_t add_reader(struct timed *s, uint32_t si, uint32_t e)
{
    const struct ax_prog *p = s->p;
    if (s->n_readers == s->cap_readers) {
        uint32_t cap = s->cap_readers ? 2 * s->cap_readers : 256;
        struct reader *n = ax_mem_realloc(s->readers, cap * sizeof *n);
        if (!n)
            return NONE;
        s->readers = n;
        s->cap_readers = cap;
    }
    si = s->sites[si].head; /* the shards of one input share their readers */
    struct site *t = &s->sites[si];
    struct reader *r = &s->readers[s->n_readers];
    memset(r, 0, sizeof *r);
    r->entry = e;
    r->site = si;
    r->layer = s->layer_of[e];
    r->next = s->first_reader[si];
    s->first_reader[si] = s->n_readers;
    snprintf(r->name, sizeof r->name, "%s", p->nodes[e].site);
    if (t->lead == NONE || e < s->readers[t->lead].entry)
        t->lead = s->n_readers;
    s->r->layers[r->layer].n_sites++;
    return s->n_readers++;
}

/* The readers: every emit of a projection (an instruction the opmap gives
 * to a node-table entry with a spike site) names the counts buffer it
 * reads. A site's lead is its reader of the lowest entry. A projection fed
 * by another's emission (one emission for all readers of a value, on
 * routers that replicate packets) becomes a reader when its first synacc
 * takes the site's events (record_input). */
static ax_status plan_readers(struct timed *s)
{
    const struct ax_prog *p = s->p;
    for (uint32_t k = 0; k < p->n_code; k++) {
        for (uint32_t pc = 0; s->node_at[k] && pc < p->code[k].n_instr; pc++) {
            struct ax_isa_instr in;
            uint32_t e = s->node_at[k][pc];
            if (e == NONE || !p->nodes[e].site || !p->nodes[e].site[0] ||
                ax_isa_decode(p->code[k].words[pc], &in) != 0 || in.op != AX_ISA_EMIT)
                continue;
            const struct ax_prog_buffer *b = ax_prog_buffer_at(p, p->code[k].core, (uint32_t)in.a);
            uint32_t si = b ? s->site_of[b - p->buffers] : NONE;
            if (si != NONE && reader_of(s, si, e) == NONE && add_reader(s, si, e) == NONE)
                return AX_ERR_NOMEM;
        }
    }
    return AX_OK;
}

/* Counting mode's distributions: each site draws from its lead's profile
 * entry (a functional run writes the same histogram for every reader of a
 * site), or the default. */
static void plan_draws(struct timed *s, const struct ax_synth_profile *prof,
                       const struct ax_synth_pmf *def)
{
    uint32_t n_led = 0, n_matched = 0;
    const char *missing = NULL; /* a projection the profile has no entry for */
    for (uint32_t i = 0; i < s->n_sites; i++) {
        struct site *t = &s->sites[i];
        uint32_t lead = s->sites[t->head].lead; /* a shard draws as its node's first */
        const char *name = lead != NONE ? s->readers[lead].name : NULL;
        n_led += name != NULL && t->head == i; /* an input counts once, whatever its shards */
        if (prof && name && ax_synth_profile_pmf(prof, name, &t->pmf) == 0) {
            n_matched += t->head == i;
            continue;
        }
        t->pmf = *def;
        if (name && !missing)
            missing = name;
    }
    /* A profile of another model (or of other options) matches few sites
     * or none: say so, since the run then draws from the built-in
     * distribution where the user asked for measured statistics. A profile
     * with no site that counted anything has its own warning (synth.c). */
    int has_counts = 0;
    for (uint32_t i = 0; prof && i < prof->n_sites && !has_counts; i++)
        has_counts = prof->sites[i].values > 0;
    if (prof && has_counts && missing)
        ax_diag_add(s->diags, AX_DIAG_WARNING, s->o->profile, 0, 0,
                    "%u of the program's %u spiking inputs have no entry in the profile (the "
                    "first: '%s'%s) and draw from the built-in distribution; a profile written "
                    "by a functional run of this model and these spiking options covers them all",
                    n_led - n_matched, n_led, missing,
                    n_matched == 0 ? "; the profile matches none of them: is it another model's?"
                                   : "");
}

/* ---- running ---------------------------------------------------------------------------- */

static ax_status add_step(struct timed *s, uint32_t token, uint32_t e)
{
    struct ax_sim_result *r = s->r;
    const struct node_span *sp = &s->span[e];
    if (r->n_steps == s->cap_steps) {
        uint32_t cap = s->cap_steps ? 2 * s->cap_steps : 1024;
        struct ax_sim_step *n = ax_mem_realloc(r->steps, cap * sizeof *n);
        if (!n)
            return AX_ERR_NOMEM;
        r->steps = n;
        s->cap_steps = cap;
    }
    double seconds = sp->busy_s;
    uint64_t cycles = r->clock_hz > 0 ? (uint64_t)ceil(seconds * r->clock_hz - 1e-6) : 0;
    r->steps[r->n_steps++] = (struct ax_sim_step){token, s->p->nodes[e].node, s->layer_of[e], 0,
                                                  cycles, seconds, sp->packets, sp->energy_j};
    struct ax_sim_layer *l = &r->layers[s->layer_of[e]];
    l->energy_j += sp->energy_j;
    l->packets += sp->packets;
    return AX_OK;
}

/* The progress bar on stderr: redrawn when the share done moves a step
 * (`drawn` holds the last one drawn), ended by a line feed. */
static void progress(uint32_t done, uint32_t total, uint32_t *drawn)
{
    enum { WIDTH = 30 };
    uint32_t fill = (uint32_t)((uint64_t)done * WIDTH / total);
    if (fill == *drawn && done != total)
        return;
    *drawn = fill;
    fprintf(stderr, "\rsimulating [%.*s%*s] token %u of %u", (int)fill,
            "==============================", (int)(WIDTH - fill), "", done, total);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

ax_status timed_issue(struct timed *s, uint32_t k, enum timed_next *next)
{
    struct ax_exec_did d;
    *next = TIMED_HALTED;
    ax_status st = ax_exec_next(s->ex, k, &d);
    if (st == AX_OK && d.is_halted && s->obs && s->obs->halted)
        st = s->obs->halted(s->obs->user, s->ex, s->p->code[k].core,
                            s->is_flight ? s->flight_base + d.tok : s->token);
    if (st == AX_OK && d.is_halted && s->is_flight && s->progress_total) /* the tokens ended */
        progress(s->flight_base + (uint32_t)(++s->flight_halts / s->p->n_code), s->progress_total,
                 &s->drawn);
    if (s->trace && st == AX_OK && d.state == AX_EXEC_HALTED && d.in.op == AX_ISA_HALT) {
        uint32_t e = s->node_at[k] ? s->node_at[k][d.pc] : NONE;
        ax_trace_instr_begin(s->trace, s->token, s->p->code[k].core, d.pc, d.in.op, e, s->clock[k]);
        ax_trace_instr_end(s->trace, s->clock[k]);
    }
    if (st != AX_OK || d.state == AX_EXEC_HALTED)
        return st;
    if (s->is_flight)
        s->token = s->flight_base + d.tok;
    st = timed_instr(s, k, &d);
    *next = s->is_parked[k] ? TIMED_PARKED : TIMED_READY;
    return st;
}

double timed_clock(const struct timed *s, uint32_t k)
{
    return s->clock[k];
}

/* The native engine's order: the core of the earliest clock (ties: the
 * lower code record) issues next, until none can. */
static ax_status run_native(struct timed *s)
{
    ax_status st = AX_OK;
    while (st == AX_OK && s->n_heap > 0) {
        uint32_t k = pop(s).k;
        enum timed_next next;
        st = timed_issue(s, k, &next);
        if (next == TIMED_READY)
            push(s, k);
    }
    return st;
}

/* The names of the servers, as the bound says which unit bounds. */
static const char *server_str(enum eng_server v)
{
    static const char *const names[ENG_SERVER_COUNT] = {
        "axon_in", "synapse", "SRAM", "dendrite", "soma", "dense", "DRAM", "axon_out"};
    return names[v];
}

/* The token's lower bound from its start t0 (docs/simulator.md, "The
 * bound"): the largest of each core's busiest unit (each chip's DRAM
 * channel for DRAM), each link's busy time (approx timing: analytic links
 * take every message at once), each core's axon_in, and the chain of the
 * token with every shared resource free. Added to the result's sums. */
static ax_status bound_token(struct timed *s, double t0)
{
    struct ax_sim_result *r = s->r;
    double term[AX_SIM_BOUND_BY_COUNT] = {0};
    char where[AX_SIM_BOUND_BY_COUNT][sizeof r->bound_where] = {""};
    term[AX_SIM_BOUND_CHAIN] = s->free_end - t0;
    uint32_t longest = 0; /* the layer whose span in the chain is longest */
    for (uint32_t l = 1; l < r->n_layers; l++)
        if (s->layer_chain[2 * l + 1] - s->layer_chain[2 * l] >
            s->layer_chain[2 * longest + 1] - s->layer_chain[2 * longest])
            longest = l;
    double span = s->layer_chain[2 * longest + 1] - s->layer_chain[2 * longest];
    if (span > 0)
        snprintf(where[AX_SIM_BOUND_CHAIN], sizeof where[0],
                 "the chain of the token's dependencies, longest in %s: %.4g ms",
                 r->layers[longest].name, span * 1e3);
    else
        snprintf(where[AX_SIM_BOUND_CHAIN], sizeof where[0], "the chain of the token's dependencies");
    double dram = 0;
    for (uint32_t i = 0; i < s->n_slots; i++) {
        const double *b = &s->busy[(size_t)i * ENG_SERVER_COUNT];
        const double *b0 = &s->busy0[(size_t)i * ENG_SERVER_COUNT];
        uint32_t core = s->core_of[i], chip = core / s->net.cores_per_chip;
        for (int v = 0; v < ENG_SERVER_COUNT; v++) {
            double x = b[v] - b0[v];
            enum ax_sim_bound_by by = v == ENG_AXON_IN ? AX_SIM_BOUND_INPUT : AX_SIM_BOUND_COMPUTE;
            if (v == ENG_DRAM) { /* the chip's channel: its cores' DRAM work in all */
                int is_last = i + 1 == s->n_slots ||
                              s->core_of[i + 1] / s->net.cores_per_chip != chip;
                dram += x;
                if (!is_last)
                    continue;
                x = dram;
                dram = 0;
            }
            if (x > term[by]) {
                term[by] = x;
                if (v == ENG_DRAM)
                    snprintf(where[by], sizeof where[by], "chip %u's DRAM channel", chip);
                else
                    snprintf(where[by], sizeof where[by], "core %u's %s", core,
                             server_str((enum eng_server)v));
            }
        }
    }
    const struct eng_net *n = &s->net;
    for (uint32_t li = 0; s->o->timing != AX_SIM_TIMING_ANALYTIC && li < n->n_links; li++) {
        double x = n->links[li].busy - s->link0[li];
        if (x > term[AX_SIM_BOUND_LINK]) {
            uint32_t router = li / AX_DIR_COUNT, gx = router % n->gw, gy = router / n->gw;
            term[AX_SIM_BOUND_LINK] = x;
            snprintf(where[AX_SIM_BOUND_LINK], sizeof where[0],
                     "chip %u's link from router (%u, %u) %s",
                     gy / n->mesh_h * n->grid_w + gx / n->mesh_w, gx % n->mesh_w, gy % n->mesh_h,
                     ax_dir_str((enum ax_dir)(li % AX_DIR_COUNT)));
        }
    }
    /* the first term that reaches the largest, allowing for the rounding of
     * the busy times' differences */
    double top = 0;
    for (int b = 0; b < AX_SIM_BOUND_BY_COUNT; b++)
        top = term[b] > top ? term[b] : top;
    int by = 0;
    while (by + 1 < AX_SIM_BOUND_BY_COUNT && term[by] < top * (1 - 1e-9))
        by++;
    for (int b = 0; b < AX_SIM_BOUND_BY_COUNT; b++)
        r->bound_term_s[b] += term[b];
    r->bound_s += top;
    r->bound_by_s[by] += top;
    if (top > r->bound_worst_s || !r->bound_where[0]) {
        r->bound_worst_s = top;
        snprintf(r->bound_where, sizeof r->bound_where, "%s", where[by]);
    }
    r->bound_by = AX_SIM_BOUND_COMPUTE;
    for (int b = 1; b < AX_SIM_BOUND_BY_COUNT; b++)
        if (r->bound_by_s[b] > r->bound_by_s[r->bound_by])
            r->bound_by = (enum ax_sim_bound_by)b;
    /* every time of the run is the later of what the chain waits for and
     * when a unit or link is free: a token below its bound is a defect */
    double took = s->horizon - t0;
    if (top > took + 1e-9 * (top > took ? top : took) + 1e-18) {
        ax_diag_add(s->diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "internal error: token %u took %.9g s, less than its lower bound %.9g s (%s: %s)",
                    s->token, took, top, ax_sim_bound_by_str((enum ax_sim_bound_by)by), where[by]);
        return AX_ERR_INTERNAL;
    }
    return AX_OK;
}

/* Busy times in the order of (key, start, end): each node's or each
 * layer's together, in time order. */
static int busy_cmp(uint32_t kx, uint32_t ky, const struct busy *x, const struct busy *y)
{
    if (kx != ky)
        return kx < ky ? -1 : 1;
    if (x->t0 != y->t0)
        return x->t0 < y->t0 ? -1 : 1;
    return (x->t1 > y->t1) - (x->t1 < y->t1);
}

static int busy_by_entry(const void *a, const void *b)
{
    const struct busy *x = a, *y = b;
    return busy_cmp(x->entry, y->entry, x, y);
}

static int busy_by_layer(const void *a, const void *b)
{
    const struct busy *x = a, *y = b;
    return busy_cmp(x->layer, y->layer, x, y);
}

/* The length of the union of b[0..n), sorted by start. */
static double union_length(const struct busy *b, uint64_t n)
{
    double len = 0, a = b[0].t0, z = b[0].t1;
    for (uint64_t i = 1; i < n; i++) {
        if (b[i].t0 > z) {
            len += z - a;
            a = b[i].t0;
            z = b[i].t1;
        } else if (b[i].t1 > z) {
            z = b[i].t1;
        }
    }
    return len + (z - a);
}

/* The token's times per node and per layer, from the busy times, and each
 * layer's bound: the largest of its compute, link and input terms, which
 * its time cannot be below (docs/simulator.md, "The bound"); then the
 * layers' accumulators start afresh. After a prefill it adds nothing: its
 * tokens overlap (no busy times are kept in a prefill), and the rows time
 * the tokens after it. After a batch it gives the layers' times over all
 * its tokens (the nodes' are not used: a batch's are merged by layer). */
static ax_status layer_times(struct timed *s)
{
    struct ax_sim_result *r = s->r;
    struct busy *b = s->busy_iv;
    uint64_t n = s->n_busy_iv;
    if (n) /* none after a prefill, which may come first: no array yet */
        qsort(b, n, sizeof *b, busy_by_entry);
    for (uint64_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && b[j].entry == b[i].entry; j++)
            ;
        s->span[b[i].entry].busy_s = union_length(b + i, j - i);
    }
    for (size_t i = 0; i < s->n_slots; i++)
        frag_flush(s, i);
    eng_net_tags_flush(&s->net);
    for (uint32_t l = 0; l < r->n_layers; l++) {
        double *term = &s->layer_term[(size_t)l * AX_SIM_BOUND_BY_COUNT];
        if (s->o->timing != AX_SIM_TIMING_ANALYTIC)
            term[AX_SIM_BOUND_LINK] = s->net.tag_max[l];
        s->net.tag_max[l] = 0;
    }
    if (n)
        qsort(b, n, sizeof *b, busy_by_layer);
    ax_status st = AX_OK;
    for (uint64_t i = 0, j; i < n && st == AX_OK; i = j) {
        for (j = i + 1; j < n && b[j].layer == b[i].layer; j++)
            ;
        struct ax_sim_layer *l = &r->layers[b[i].layer];
        double took = union_length(b + i, j - i);
        l->seconds += took;
        l->cycles += r->clock_hz > 0 ? (uint64_t)ceil(took * r->clock_hz - 1e-6) : 0;
        double *term = &s->layer_term[(size_t)b[i].layer * AX_SIM_BOUND_BY_COUNT], top = 0;
        for (int t = 0; t < AX_SIM_BOUND_BY_COUNT; t++) {
            l->bound_term_s[t] += term[t];
            top = term[t] > top ? term[t] : top;
        }
        l->bound_s += top;
        if (top > took + 1e-9 * top + 1e-18) {
            ax_diag_add(s->diags, AX_DIAG_ERROR, NULL, 0, 0,
                        "internal error: %s took %.9g s of token %u, less than its lower bound "
                        "%.9g s",
                        l->name, took, s->token, top);
            st = AX_ERR_INTERNAL;
        }
    }
    for (uint32_t l = 0; l < r->n_layers; l++) {
        struct ax_sim_layer *L = &r->layers[l];
        L->bound_by = AX_SIM_BOUND_COMPUTE;
        for (int t = 1; t < AX_SIM_BOUND_BY_COUNT; t++)
            if (L->bound_term_s[t] > L->bound_term_s[L->bound_by])
                L->bound_by = (enum ax_sim_bound_by)t;
    }
    memset(s->layer_term, 0, (size_t)r->n_layers * AX_SIM_BOUND_BY_COUNT * sizeof *s->layer_term);
    for (uint32_t l = 0; l < r->n_layers; l++) {
        double *chain = &s->layer_chain[2 * (size_t)l];
        if (chain[1] > chain[0] && !s->is_flight)
            r->layers[l].chain_s += chain[1] - chain[0];
        chain[0] = INFINITY;
        chain[1] = -INFINITY;
    }
    s->n_busy_iv = 0;
    return st;
}

/* Room for the times of `window` tokens in flight, and that many in use. */
static ax_status ensure_window(struct timed *s, uint32_t window)
{
    const struct ax_prog *p = s->p;
    if (window > s->cap_window) {
        struct tok_times *v = ax_mem_realloc(s->tt, (size_t)window * sizeof *v);
        if (!v)
            return AX_ERR_NOMEM;
        memset(v + s->cap_window, 0, (size_t)(window - s->cap_window) * sizeof *v);
        s->tt = v;
        s->cap_window = window;
    }
    size_t nb = (size_t)p->n_barriers + 1, nd = s->is_dataflow ? ax_exec_places(s->ex) + 1 : 0;
    for (uint32_t i = 0; i < window; i++) {
        struct tok_times *T = &s->tt[i];
        if (!T->bar_at) {
            T->bar_at = ax_mem_alloc(nb * sizeof *T->bar_at);
            T->free_bar = ax_mem_alloc(nb * sizeof *T->free_bar);
            T->events_at = ax_mem_alloc(nb * sizeof *T->events_at);
            T->free_events = ax_mem_alloc(nb * sizeof *T->free_events);
        }
        if (nd && !T->df_at) {
            T->df_at = ax_mem_alloc(nd * sizeof *T->df_at);
            T->df_free = ax_mem_alloc(nd * sizeof *T->df_free);
        }
        if (!T->bar_at || !T->free_bar || !T->events_at || !T->free_events ||
            (nd && (!T->df_at || !T->df_free)))
            return AX_ERR_NOMEM;
    }
    s->window = window;
    return AX_OK;
}

/* A token's times, fresh: every barrier, event and dataflow place at t0. */
static void reset_times(struct timed *s, struct tok_times *T, double t0)
{
    const struct ax_prog *p = s->p;
    for (uint32_t b = 0; b < p->n_barriers; b++)
        T->bar_at[b] = T->free_bar[b] = T->events_at[b] = T->free_events[b] = t0;
    uint32_t places = s->is_dataflow ? ax_exec_places(s->ex) : 0;
    for (uint32_t i = 0; i < places; i++)
        T->df_at[i] = T->df_free[i] = t0;
}

static void free_times(struct tok_times *T)
{
    ax_mem_free(T->bar_at);
    ax_mem_free(T->free_bar);
    ax_mem_free(T->events_at);
    ax_mem_free(T->free_events);
    ax_mem_free(T->df_at);
    ax_mem_free(T->df_free);
    ax_mem_free(T->msg_done);
    ax_mem_free(T->free_msg);
}

/* Starts the cores on a token, or on a flight of `window` tokens, at t0:
 * every core's clock, the tokens' times, and what units and links had
 * served before (the bound's terms count from there). */
static ax_status start_run(struct timed *s, double t0, uint32_t window)
{
    const struct ax_prog *p = s->p;
    s->horizon = t0;
    s->free_end = t0;
    s->flight_t0 = t0;
    ax_status st = ensure_window(s, window);
    for (uint32_t i = 0; st == AX_OK && i < window; i++) {
        reset_times(s, &s->tt[i], t0);
        s->tt[i].tok = i;
    }
    memcpy(s->busy0, s->busy, (size_t)s->n_slots * ENG_SERVER_COUNT * sizeof *s->busy);
    for (uint32_t li = 0; li < s->net.n_links; li++)
        s->link0[li] = s->net.links[li].busy;
    for (uint32_t e = 0; e < p->n_nodes; e++)
        s->span[e] = (struct node_span){0, 0, 0, 0};
    s->n_heap = 0;
    for (uint32_t k = 0; k < p->n_code; k++) {
        s->clock[k] = s->free_clock[k] = t0;
        s->is_parked[k] = 0;
        if (!s->sc)
            push(s, k);
    }
    return st;
}

/* One token: every core from its first instruction to halt, in the order
 * of their clocks, from the time the last token ended. */
static ax_status run_token(struct timed *s, uint32_t index, int32_t token, uint64_t pos)
{
    const struct ax_prog *p = s->p;
    double t0 = s->r->seconds;
    s->token = index;
    ax_status st = ax_exec_begin(s->ex, (uint32_t)token, pos, s->diags);
    if (st == AX_OK)
        st = start_run(s, t0, 1);
    if (st == AX_OK)
        st = s->sc ? timed_sc_token(s->sc, t0, s->diags) : run_native(s);
    /* after a failure of its own (no memory) the run stopped with cores
     * mid-program: the executor must not report them as deadlocked, which
     * would read their current instruction as a psumrecv or a barrier */
    if (st == AX_OK)
        st = ax_exec_end(s->ex);
    if (st == AX_OK)
        st = bound_token(s, t0);
    if (st == AX_OK)
        st = layer_times(s);
    s->r->seconds = s->horizon;
    for (uint32_t e = 0; e < p->n_nodes && st == AX_OK; e++)
        if (s->span[e].has_run)
            st = add_step(s, index, e);
    return st;
}

/* Tokens `index` .. index + n - 1 of the run (ids `ids`, interleaved from
 * `batch` sequences, the first at position `pos` of its sequence) stream
 * through the program as a pipeline (the executor's flight,
 * ax_exec_begin_flight): a core goes on with the next token as soon as it
 * has halted one, at its own clock, at most `window` tokens in flight. Its
 * time runs until the last token's last instruction; its bound is that of
 * the whole flight: the busiest unit, link or axon_in over all its tokens,
 * or its chain, every resource free. *seconds and *bound_s get the
 * flight's. */
static ax_status run_flight(struct timed *s, uint32_t index, const int32_t *ids, uint32_t n,
                            uint64_t pos, uint32_t window, uint32_t batch, double *seconds,
                            double *bound_s)
{
    struct ax_sim_result *r = s->r;
    double t0 = r->seconds, bound0 = r->bound_s;
    uint32_t *tokens = ax_mem_alloc((size_t)n * sizeof *tokens);
    if (!tokens)
        return AX_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++)
        tokens[i] = ids ? (uint32_t)ids[i] : 0;
    ax_status st = ax_exec_begin_flight(s->ex, tokens, n, pos, window, batch, s->diags);
    ax_mem_free(tokens);
    window = window < n ? window : n;
    if (st == AX_OK)
        st = start_run(s, t0, window);
    s->is_flight = 1;
    s->flight_base = index;
    s->flight_halts = 0;
    if (st == AX_OK)
        st = s->sc ? timed_sc_token(s->sc, t0, s->diags) : run_native(s);
    if (st == AX_OK)
        st = ax_exec_end(s->ex);
    if (st == AX_OK)
        st = bound_token(s, t0);
    if (st == AX_OK)
        st = layer_times(s);
    s->is_flight = 0;
    r->seconds = s->horizon;
    *seconds = s->horizon - t0;
    *bound_s = r->bound_s - bound0;
    return st;
}

/* A prefill, the run's first tokens: a flight of at most one token per row
 * of the layer table (the embedding, each layer, the head). Its time is
 * the time to first token. */
static ax_status run_prefill(struct timed *s, const int32_t *ids, uint32_t n, uint64_t pos,
                             uint32_t batch)
{
    struct ax_sim_result *r = s->r;
    uint32_t window = r->n_layers < n ? r->n_layers : n;
    window = window ? window : 1; /* a program without layers: one token at a time */
    r->prefill_tokens = n;
    return run_flight(s, 0, ids, n, pos, window, batch, &r->prefill_s, &r->prefill_bound_s);
}

/* A batch's generation: tokens `index` .. index + n - 1 of the run,
 * interleaved from `batch` sequences, each sequence's next token starting
 * once its last has ended (a window of `batch`). */
static ax_status run_batch(struct timed *s, uint32_t index, const int32_t *ids, uint32_t n,
                           uint64_t pos, uint32_t batch)
{
    struct ax_sim_result *r = s->r;
    r->batch_tokens = n;
    s->is_batch = 1;
    ax_status st = run_flight(s, index, ids, n, pos, batch, batch, &r->batch_s, &r->batch_bound_s);
    s->is_batch = 0;
    return st;
}

/* The spiking options the program was compiled with (its meta), for the
 * statistics. */
static void spike_options(const struct ax_prog *p, struct ax_spike_options *o)
{
    ax_spike_options_default(o);
    const char *v;
    if ((v = ax_prog_meta(p, "spike")) != NULL)
        ax_spike_mode_parse(v, &o->mode);
    if ((v = ax_prog_meta(p, "encoding")) != NULL)
        ax_spike_encoding_parse(v, &o->encoding);
    if ((v = ax_prog_meta(p, "k")) != NULL)
        o->k = strtod(v, NULL);
    if ((v = ax_prog_meta(p, "steps")) != NULL)
        o->steps = (uint32_t)strtoul(v, NULL, 10);
}

/* Marks `core` as one the program names; one past the declared count,
 * which the verifier refuses, is skipped. */
static void name_core(struct timed *s, uint32_t core)
{
    if (core < s->n_cores)
        s->slot_of[core] = 0;
}

/* Gives a row of the per-core arrays to each core the program's tables
 * name (code, buffers, states, routes, barriers), in ascending order. */
static ax_status plan_rows(struct timed *s)
{
    const struct ax_prog *p = s->p;
    s->slot_of = ax_mem_alloc(((size_t)s->n_cores + 1) * sizeof *s->slot_of);
    if (!s->slot_of)
        return AX_ERR_NOMEM;
    for (uint32_t c = 0; c < s->n_cores; c++)
        s->slot_of[c] = NONE;
    for (uint32_t k = 0; k < p->n_code; k++)
        name_core(s, p->code[k].core);
    for (uint32_t b = 0; b < p->n_buffers; b++)
        name_core(s, p->buffers[b].core);
    for (uint32_t i = 0; i < p->n_states; i++)
        name_core(s, p->states[i].core);
    for (uint32_t i = 0; i < p->n_routes; i++) {
        name_core(s, p->routes[i].src);
        for (uint32_t d = 0; d < p->routes[i].n_dst; d++)
            name_core(s, p->routes[i].dst[d].core);
    }
    for (uint32_t i = 0; i < p->n_barriers; i++)
        for (uint32_t c = 0; c < p->barriers[i].n_cores; c++)
            name_core(s, p->barriers[i].cores[c]);
    s->n_slots = 0;
    for (uint32_t c = 0; c < s->n_cores; c++)
        if (s->slot_of[c] != NONE)
            s->slot_of[c] = s->n_slots++;
    s->core_of = ax_mem_alloc(((size_t)s->n_slots + 1) * sizeof *s->core_of);
    if (!s->core_of)
        return AX_ERR_NOMEM;
    for (uint32_t c = 0; c < s->n_cores; c++)
        if (s->slot_of[c] != NONE)
            s->core_of[s->slot_of[c]] = c;
    return AX_OK;
}

static ax_status timed_open(struct timed *s, const struct ax_exec_weights *weights)
{
    const struct ax_prog *p = s->p;
    struct ax_sim_result *r = s->r;
    const char *grid = ax_prog_meta(p, "chip_grid_w");
    r->chip_grid_w = grid ? (uint32_t)strtoul(grid, NULL, 10) : 0;
    if (!r->chip_grid_w)
        r->chip_grid_w = (uint32_t)ceil(sqrt((double)s->n_chips));
    ax_status st = eng_net_init(&s->net, s->arch, s->n_chips, r->chip_grid_w);
    if (st == AX_OK)
        st = plan_rows(s);
    size_t nc = (size_t)s->n_slots + 1, nk = (size_t)p->n_code + 1;
    s->free = ax_mem_calloc(nc * ENG_SERVER_COUNT, sizeof *s->free);
    s->busy = ax_mem_calloc(nc * ENG_SERVER_COUNT, sizeof *s->busy);
    s->dram_free = ax_mem_calloc((size_t)s->n_chips + 1, sizeof *s->dram_free);
    s->core_cnt = ax_mem_calloc(nc * AX_LEDGER_COUNT, sizeof *s->core_cnt);
    s->clock = ax_mem_calloc(nk, sizeof *s->clock);
    s->is_parked = ax_mem_calloc(nk, 1);
    s->heap = ax_mem_calloc(nk, sizeof *s->heap);
    s->run_of_core = ax_mem_alloc(nc * sizeof *s->run_of_core);
    s->free_clock = ax_mem_calloc(nk, sizeof *s->free_clock);
    s->busy0 = ax_mem_calloc(nc * ENG_SERVER_COUNT, sizeof *s->busy0);
    s->link0 = ax_mem_calloc((size_t)s->net.n_links + 1, sizeof *s->link0);
    s->is_dataflow = s->o->sync == AX_SIM_SYNC_DATAFLOW;
    if (st == AX_OK &&
        !(s->free && s->busy && s->dram_free && s->core_cnt && s->clock && s->is_parked &&
          s->heap && s->run_of_core && s->free_clock && s->busy0 && s->link0))
        st = AX_ERR_NOMEM;
    if (st != AX_OK)
        return st;
    for (uint32_t i = 0; i < s->n_slots; i++)
        s->run_of_core[i] = NONE;
    for (uint32_t k = 0; k < p->n_code; k++)
        if (p->code[k].core < s->n_cores)
            s->run_of_core[row(s, p->code[k].core)] = k;
    const struct ax_core_desc *core = &ax_arch_desc(s->arch)->chip.core;
    s->sram_bits = core->sram.width_bits > 0 ? core->sram.width_bits : 32;
    for (int i = 0; i < AX_LEDGER_COUNT; i++) {
        s->unit_j[i] = ax_ledger_unit_cost(s->arch, (enum ax_ledger_item)i);
        s->item_s[i] = ax_ledger_service_s(s->arch, (enum ax_ledger_item)i);
    }
    st = plan_layers(s);
    if (st == AX_OK) {
        s->frag_layer = ax_mem_alloc(nc * sizeof *s->frag_layer);
        s->frag = ax_mem_calloc(nc * ENG_SERVER_COUNT, sizeof *s->frag);
        s->layer_term = ax_mem_calloc((size_t)r->n_layers * AX_SIM_BOUND_BY_COUNT + 1,
                                      sizeof *s->layer_term);
        s->layer_chain = ax_mem_calloc(2 * (size_t)r->n_layers + 1, sizeof *s->layer_chain);
        st = s->frag_layer && s->frag && s->layer_term && s->layer_chain ? AX_OK : AX_ERR_NOMEM;
    }
    for (size_t i = 0; st == AX_OK && i < nc; i++)
        s->frag_layer[i] = NONE;
    for (uint32_t l = 0; st == AX_OK && l < r->n_layers; l++) {
        s->layer_chain[2 * (size_t)l] = INFINITY;
        s->layer_chain[2 * (size_t)l + 1] = -INFINITY;
    }
    if (st == AX_OK)
        st = eng_net_tags(&s->net, r->n_layers);
    if (st == AX_OK)
        st = plan_nodes(s);
    struct ax_synth_fit fit;
    struct ax_synth_pmf def;
    ax_synth_fit_default(&def, &fit);
    struct ax_synth_profile prof;
    int has_profile = 0;
    if (st == AX_OK && !weights && s->o->profile) {
        st = ax_synth_profile_load(s->o->profile, &prof, s->diags);
        has_profile = st == AX_OK;
    }
    if (st == AX_OK)
        st = plan_sites(s);
    if (st == AX_OK)
        st = plan_readers(s);
    if (st == AX_OK)
        plan_draws(s, has_profile ? &prof : NULL, &def);
    if (has_profile)
        ax_synth_profile_free(&prof);
    if (st == AX_OK && !weights) {
        struct ax_sim_synthetic *syn = &r->synthetic;
        syn->is_synthetic = 1;
        memcpy(syn->target_hist_t3, fit.target_hist_t3, sizeof syn->target_hist_t3);
        syn->target_spikes_per_element = fit.target_spikes_per_element;
        syn->target_zero_fraction = fit.target_zero_fraction;
        syn->source = "SpikingBrain report §5.5, Fig. 9 (SpikingBrain-7B, k = 3)";
    }
    return st;
}

static ax_status finish(struct timed *s)
{
    struct ax_sim_result *r = s->r;
    sim_finish_ledger(r, s->arch, s->run_cnt);
    struct ax_spike_stats *tmp = ax_mem_calloc((size_t)s->n_readers + 1, sizeof *tmp);
    if (!tmp)
        return AX_ERR_NOMEM;
    for (uint32_t l = 0; l <= r->n_layers; l++) { /* each layer, then (l = n_layers) all */
        uint32_t n = 0;
        for (uint32_t i = 0; i < s->n_readers; i++)
            if (s->readers[i].has_stats && (l == r->n_layers || s->readers[i].layer == l))
                tmp[n++] = s->readers[i].stats;
        if (n)
            ax_spike_stats_summary_total(tmp, n, l == r->n_layers ? &r->sparsity
                                                                  : &r->layers[l].sparsity);
    }
    ax_mem_free(tmp);
    sim_finish_ideal(r);
    ax_status st = sim_finish_tables(r, s->arch, s->n_slots, s->core_of, s->core_cnt, s->busy,
                                     &s->net);
    for (uint32_t b = 0; st == AX_OK && b < s->p->n_buffers; b++) {
        const struct ax_prog_buffer *buf = &s->p->buffers[b];
        if (buf->core < s->n_cores)
            r->cores[row(s, buf->core)].sram_bytes += buf->words * 4.0;
    }
    for (uint32_t i = 0; st == AX_OK && i < s->n_slots; i++)
        r->cores[i].is_used = r->cores[i].sram_bytes > 0 || r->cores[i].energy_j > 0;
    return st;
}

/* A reader's place in a profile: node-table entry, then input shard. */
struct reader_key {
    uint32_t entry, shard, i;
};

static int reader_key_cmp(const void *a, const void *b)
{
    const struct reader_key *x = a, *y = b;
    if (x->entry != y->entry)
        return x->entry < y->entry ? -1 : 1;
    return (x->shard > y->shard) - (x->shard < y->shard);
}

/* The profile, its projections in node-table order (a reader that one
 * emission fed joins when its first synacc runs, after the others). */
static ax_status write_profile(struct timed *s)
{
    const char **names = ax_mem_calloc((size_t)s->n_readers + 1, sizeof *names);
    const uint64_t **hists = ax_mem_calloc((size_t)s->n_readers + 1, sizeof *hists);
    struct reader_key *keys = ax_mem_calloc((size_t)s->n_readers + 1, sizeof *keys);
    ax_status st = names && hists && keys ? AX_OK : AX_ERR_NOMEM;
    for (uint32_t i = 0; st == AX_OK && i < s->n_readers; i++)
        keys[i] = (struct reader_key){s->readers[i].entry, s->sites[s->readers[i].site].shard, i};
    if (st == AX_OK)
        qsort(keys, s->n_readers, sizeof *keys, reader_key_cmp);
    for (uint32_t i = 0; st == AX_OK && i < s->n_readers; i++) {
        names[i] = s->readers[keys[i].i].name;
        hists[i] = s->readers[keys[i].i].hist;
    }
    if (st == AX_OK)
        st = ax_synth_profile_write(s->o->profile_out, s->r->model_name, names, hists,
                                    s->n_readers, s->diags);
    ax_mem_free(names);
    ax_mem_free(hists);
    ax_mem_free(keys);
    return st;
}

static void timed_free(struct timed *s)
{
    for (uint32_t k = 0; s->node_at && k < s->p->n_code; k++)
        ax_mem_free(s->node_at[k]);
    for (uint32_t i = 0; i < s->n_readers; i++) {
        if (s->readers[i].has_stats)
            ax_spike_stats_free(&s->readers[i].stats);
        ax_mem_free(s->readers[i].gather);
    }
    ax_mem_free(s->readers);
    ax_mem_free(s->first_reader);
    ax_mem_free(s->node_at);
    ax_mem_free(s->sites);
    ax_mem_free(s->site_of);
    ax_mem_free(s->layer_of);
    ax_mem_free(s->span);
    ax_mem_free(s->free);
    ax_mem_free(s->busy);
    ax_mem_free(s->dram_free);
    ax_mem_free(s->core_cnt);
    ax_mem_free(s->clock);
    ax_mem_free(s->tree.dst);
    ax_mem_free(s->tree.arrive);
    ax_mem_free(s->is_parked);
    ax_mem_free(s->heap);
    for (uint32_t i = 0; s->tt && i < s->cap_window; i++)
        free_times(&s->tt[i]);
    ax_mem_free(s->tt);
    ax_mem_free(s->run_of_core);
    ax_mem_free(s->slot_of);
    ax_mem_free(s->core_of);
    ax_mem_free(s->free_clock);
    ax_mem_free(s->df_slot);
    ax_mem_free(s->busy0);
    ax_mem_free(s->link0);
    ax_mem_free(s->frag_layer);
    ax_mem_free(s->frag);
    ax_mem_free(s->layer_term);
    ax_mem_free(s->layer_chain);
    ax_mem_free(s->busy_iv);
    ax_exec_free(s->ex);
    eng_net_free(&s->net);
    timed_sc_close(s->sc);
    ax_trace_close(s->trace);
}

/* A program's run token by token (ax_sim.h): the timed run, its result and
 * the options it was opened with. */
struct ax_sim_session {
    struct timed t;
    struct ax_sim_result r;
    struct ax_sim_options o;
    struct ax_sim_observer obs;
    struct ax_exec_activity act; /* counting mode's draws: the executor keeps a pointer */
    uint32_t n_tokens;
    ax_status failed; /* the status of a failed token: later calls return it */
    int is_finished;  /* ax_sim_session_result has taken the result */
};

ax_status ax_sim_session_open(const struct ax_prog *p, const ax_arch_t *arch,
                              const struct ax_exec_weights *weights,
                              const struct ax_sim_options *o, const struct ax_sim_observer *obs,
                              ax_sim_session_t **out, struct ax_diag_list *diags)
{
    *out = NULL;
    ax_sim_session_t *ss = ax_mem_calloc(1, sizeof *ss);
    if (!ss)
        return AX_ERR_NOMEM;
    ss->o = *o;
    if (obs)
        ss->obs = *obs;
    o = &ss->o;
    ss->t.obs = &ss->obs;
    const struct ax_system_desc *sys = ax_arch_desc(arch);
    struct ax_sim_result *r = &ss->r;
    struct timed *s = &ss->t;
    s->p = p;
    s->arch = arch;
    s->o = o;
    s->r = r;
    s->diags = diags;
    s->cur = NONE;
    s->n_cores = p->n_cores;
    uint32_t per_chip = ax_arch_cores_per_chip(arch);
    s->n_chips = per_chip ? (p->n_cores + per_chip - 1) / per_chip : 1;
    spike_options(p, &s->spike);
    r->model_name = ax_prog_meta(p, "model") ? ax_prog_meta(p, "model") : "program";
    r->chip_name = sys->name;
    r->chips_used = s->n_chips;
    r->cores_used = p->n_code;
    r->cores_per_chip = per_chip;
    r->mesh_w = sys->chip.mesh_width;
    r->mesh_h = sys->chip.mesh_height;
    r->cores_per_tile = sys->chip.cores_per_tile;
    r->clock_hz = sys->chip.clock_hz;
    r->mode = weights ? AX_SIM_FUNCTIONAL : AX_SIM_COUNTING;
    r->timing = o->timing;
    r->engine = ax_sim_engine_str(o->engine);
    r->context = o->context;
    r->seed = o->seed;
    r->threads = o->threads ? o->threads : 1; /* asked for; the timed run takes one */
    r->spike = s->spike;
    ax_status st = AX_OK;
    r->sync = o->sync;
    r->batch = o->batch > 1 ? o->batch : 1;
    if (o->engine >= AX_SIM_ENGINE_COUNT || o->sync >= AX_SIM_SYNC_COUNT) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "no engine %d or sync %d", (int)o->engine,
                    (int)o->sync);
        st = AX_ERR_USAGE;
    }
    if (st == AX_OK && r->batch > ax_prog_batch(p)) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "--batch %u: the program holds the state of %u sequence%s (its meta 'batch'); "
                    "compile it with --batch %u, or run at most %u",
                    r->batch, ax_prog_batch(p), ax_prog_batch(p) == 1 ? "" : "s", r->batch,
                    ax_prog_batch(p));
        st = AX_ERR_USAGE;
    }
    if (st == AX_OK)
        st = timed_open(s, weights);
    if (st == AX_OK && o->trace)
        st = ax_trace_open_program(&s->trace, p, s->n_chips, per_chip, o->trace_limit);
    ss->act = (struct ax_exec_activity){draw_counts, s};
    if (st == AX_OK)
        st = weights ? ax_exec_create(p, r->model_name, weights, &s->ex, diags)
                     : ax_exec_create_counting(p, r->model_name, &ss->act, &s->ex, diags);
    if (st == AX_OK && o->sync == AX_SIM_SYNC_DATAFLOW)
        st = ax_exec_dataflow(s->ex, diags);
    if (st == AX_OK && o->engine == AX_SIM_ENGINE_SYSTEMC)
        st = timed_sc_open(s, p->n_code, &s->sc, diags);
    if (st != AX_OK) {
        ax_sim_session_close(ss);
        return st;
    }
    *out = ss;
    return AX_OK;
}

ax_status ax_sim_session_token(ax_sim_session_t *ss, int32_t token, struct ax_sim_token *out,
                               struct ax_diag_list *diags)
{
    struct timed *s = &ss->t;
    if (out)
        memset(out, 0, sizeof *out);
    if (ss->failed != AX_OK)
        return ss->failed;
    if (ss->is_finished) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "the session's result was taken: it runs no more tokens");
        return AX_ERR_INVALID;
    }
    if (ss->r.batch > 1) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "a batch of %u sequences runs its tokens together (ax_sim_session_batch), "
                    "not one at a time",
                    ss->r.batch);
        return AX_ERR_USAGE;
    }
    s->diags = diags;
    double t0 = ss->r.seconds, cnt0[AX_LEDGER_COUNT];
    memcpy(cnt0, s->run_cnt, sizeof cnt0);
    uint32_t index = ss->n_tokens;
    ax_status st = run_token(s, index, token, ss->o.context + index);
    if (st == AX_OK && ss->obs.token)
        st = ss->obs.token(ss->obs.user, s->ex, index, token);
    if (st != AX_OK) {
        ss->failed = st;
        return st;
    }
    ss->n_tokens++;
    if (out) {
        const struct ax_sim_result *r = &ss->r;
        out->index = index;
        out->id = token;
        out->seconds = r->seconds - t0;
        out->cycles = r->clock_hz > 0 ? (uint64_t)ceil(out->seconds * r->clock_hz - 1e-6) : 0;
        for (int i = 0; i < AX_LEDGER_COUNT; i++)
            out->dynamic_j += (s->run_cnt[i] - cnt0[i]) * s->unit_j[i];
        out->static_j = r->chips_used * out->seconds * s->unit_j[AX_LEDGER_STATIC_CHIP];
    }
    return AX_OK;
}

/* A flight of the session's next n tokens (run_prefill or run_batch),
 * its dynamic energy added to *dynamic_j, the observer told of each token.
 * `what` names it in messages. */
static ax_status session_flight(ax_sim_session_t *ss, const int32_t *tokens, uint32_t n,
                                int is_prefill, double *dynamic_j, struct ax_diag_list *diags)
{
    struct timed *s = &ss->t;
    uint32_t batch = ss->r.batch, index = ss->n_tokens;
    const char *what = is_prefill ? "prefill" : "batch";
    if (ss->failed != AX_OK)
        return ss->failed;
    if (ss->is_finished || n == 0 || n % batch != 0 || (is_prefill && index > 0) ||
        (!is_prefill && batch < 2)) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "a %s of %u tokens after %u in a batch of %u: a prefill comes before any "
                    "other token, a batch's generation needs two sequences at least, and both "
                    "hold a token of each sequence at least",
                    what, n, index, batch);
        return AX_ERR_INVALID;
    }
    s->diags = diags;
    double cnt0[AX_LEDGER_COUNT];
    memcpy(cnt0, s->run_cnt, sizeof cnt0);
    uint64_t pos = ss->o.context + index / batch;
    ax_status st = is_prefill ? run_prefill(s, tokens, n, pos, batch)
                              : run_batch(s, index, tokens, n, pos, batch);
    for (int i = 0; i < AX_LEDGER_COUNT; i++)
        *dynamic_j += (s->run_cnt[i] - cnt0[i]) * s->unit_j[i];
    for (uint32_t i = 0; st == AX_OK && ss->obs.token && i < n; i++)
        st = ss->obs.token(ss->obs.user, i + 1 == n ? s->ex : NULL, index + i,
                           tokens ? tokens[i] : 0);
    if (st != AX_OK) {
        ss->failed = st;
        return st;
    }
    ss->n_tokens += n;
    return AX_OK;
}

ax_status ax_sim_session_prefill(ax_sim_session_t *ss, const int32_t *tokens, uint32_t n,
                                 struct ax_diag_list *diags)
{
    return session_flight(ss, tokens, n, 1, &ss->r.prefill_dynamic_j, diags);
}

ax_status ax_sim_session_batch(ax_sim_session_t *ss, const int32_t *tokens, uint32_t n,
                               struct ax_diag_list *diags)
{
    return session_flight(ss, tokens, n, 0, &ss->r.batch_dynamic_j, diags);
}

uint32_t ax_sim_session_tokens(const ax_sim_session_t *ss)
{
    return ss->n_tokens;
}

ax_status ax_sim_session_result(ax_sim_session_t *ss, struct ax_sim_result *out,
                                struct ax_diag_list *diags)
{
    struct timed *s = &ss->t;
    struct ax_sim_result *r = &ss->r;
    memset(out, 0, sizeof *out);
    if (ss->failed != AX_OK)
        return ss->failed;
    if (ss->is_finished) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0, "the session's result was taken already");
        return AX_ERR_INVALID;
    }
    s->diags = diags;
    ss->is_finished = 1;
    r->tokens = ss->n_tokens;
    r->cycles = r->clock_hz > 0 ? (uint64_t)ceil(r->seconds * r->clock_hz - 1e-6) : 0;
    r->bound_cycles = r->clock_hz > 0 ? (uint64_t)ceil(r->bound_s * r->clock_hz - 1e-6) : 0;
    ax_status st = finish(s);
    if (st == AX_OK && ss->o.profile_out)
        st = write_profile(s);
    if (st == AX_OK && s->trace)
        st = ax_trace_write(s->trace, r->seconds, ss->o.trace, diags);
    if (st != AX_OK) {
        ss->failed = st;
        return st;
    }
    *out = *r;
    memset(r, 0, sizeof *r);
    return AX_OK;
}

void ax_sim_session_close(ax_sim_session_t *ss)
{
    if (!ss)
        return;
    timed_free(&ss->t);
    ax_sim_result_free(&ss->r);
    ax_mem_free(ss);
}

ax_status ax_sim_program_chip(const struct ax_prog *p, const char *path, ax_arch_t **out,
                              struct ax_diag_list *diags)
{
    *out = NULL;
    const struct ax_prog_file *f = ax_prog_find_file(p, "chip.yaml");
    if (!f) {
        ax_diag_add(diags, AX_DIAG_ERROR, path, 0, 0,
                    "the program embeds no chip description: add `.file \"chip.yaml\" "
                    "from=\"CHIP.yaml\"` and assemble it again, or give a chip of its geometry");
        return AX_ERR_INVALID;
    }
    char name[4200];
    snprintf(name, sizeof name, "%.4095s (chip.yaml)", path);
    return ax_arch_load_text(name, (const char *)f->data, (size_t)f->size, out, diags);
}

ax_status ax_sim_program(const struct ax_prog *p, const ax_arch_t *arch,
                         const struct ax_exec_weights *weights, const int32_t *tokens,
                         uint32_t n_tokens, const struct ax_sim_options *o,
                         const struct ax_sim_observer *obs, struct ax_sim_result *out,
                         struct ax_diag_list *diags)
{
    memset(out, 0, sizeof *out);
    ax_sim_session_t *s = NULL;
    ax_status st = ax_sim_session_open(p, arch, weights, o, obs, &s, diags);
    uint32_t batch = o->batch > 1 ? o->batch : 1, per_seq = n_tokens / batch;
    if (s && o->progress) {
        s->t.progress_total = n_tokens;
        s->t.drawn = UINT32_MAX;
    }
    uint32_t first = o->prefill;
    if (st == AX_OK && (n_tokens % batch != 0 || per_seq == 0)) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "--batch %u: the run has %u token%s, not a whole number of tokens (one at "
                    "least) for each sequence",
                    batch, n_tokens, n_tokens == 1 ? "" : "s");
        st = AX_ERR_USAGE;
    }
    if (st == AX_OK && first > per_seq) {
        ax_diag_add(diags, AX_DIAG_ERROR, NULL, 0, 0,
                    "--prefill %u: the run has %u token%s%s; prefill at most as many", first,
                    per_seq, per_seq == 1 ? "" : "s", batch > 1 ? " a sequence" : "");
        st = AX_ERR_USAGE;
    }
    /* a batch's sequences, one after another, interleaved: token t of
     * sequence q at t x batch + q */
    int32_t *mixed = NULL;
    if (st == AX_OK && batch > 1 && tokens) {
        mixed = ax_mem_alloc((size_t)n_tokens * sizeof *mixed);
        if (!mixed)
            st = AX_ERR_NOMEM;
        for (uint32_t i = 0; mixed && i < n_tokens; i++)
            mixed[i % per_seq * batch + i / per_seq] = tokens[i];
        tokens = mixed;
    }
    if (st == AX_OK && first > 0)
        st = ax_sim_session_prefill(s, tokens, first * batch, diags);
    if (st == AX_OK && batch > 1 && first < per_seq)
        st = ax_sim_session_batch(s, tokens ? tokens + first * batch : NULL,
                                  (per_seq - first) * batch, diags);
    for (uint32_t t = first; batch == 1 && t < n_tokens && st == AX_OK; t++) {
        st = ax_sim_session_token(s, tokens ? tokens[t] : 0, NULL, diags);
        if (o->progress)
            progress(t + 1, n_tokens, &s->t.drawn);
    }
    ax_mem_free(mixed);
    if (st == AX_OK)
        st = ax_sim_session_result(s, out, diags);
    ax_sim_session_close(s);
    return st;
}
