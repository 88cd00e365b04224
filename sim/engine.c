/* The timing engine of one step: local jobs, message departures, routing
 * with link contention, arrivals (engine.h). */
#include "engine.h"

#include "ax_mem.h"
#include "trace.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- the network ---------------------------------------------------------------- */

ax_status eng_net_init(struct eng_net *n, const ax_arch_t *arch, uint32_t n_chips, uint32_t grid_w)
{
    const struct ax_chip_desc *chip = &ax_arch_desc(arch)->chip;
    memset(n, 0, sizeof *n);
    n->arch = arch;
    n->sys = ax_arch_desc(arch);
    n->cores_per_tile = chip->cores_per_tile;
    n->cores_per_chip = ax_arch_cores_per_chip(arch);
    n->mesh_w = chip->mesh_width;
    n->mesh_h = chip->mesh_height;
    n->grid_w = grid_w ? grid_w : 1;
    n->grid_h = (n_chips + n->grid_w - 1) / n->grid_w;
    n->gw = n->grid_w * n->mesh_w;
    n->gh = n->grid_h * n->mesh_h;
    n->n_links = n->gw * n->gh * AX_DIR_COUNT;
    n->packet_bytes = chip->router.link_width_bits >= 8 ? chip->router.link_width_bits / 8 : 4;
    n->link_free = ax_mem_calloc(n->n_links, sizeof *n->link_free);
    n->link_packets = ax_mem_calloc(n->n_links, sizeof *n->link_packets);
    n->link_busy = ax_mem_calloc(n->n_links, sizeof *n->link_busy);
    n->link_epoch = ax_mem_calloc(n->n_links, sizeof *n->link_epoch);
    n->epoch = 1;
    if (!n->link_free || !n->link_packets || !n->link_busy || !n->link_epoch) {
        eng_net_free(n);
        return AX_ERR_NOMEM;
    }
    return AX_OK;
}

void eng_net_free(struct eng_net *n)
{
    ax_mem_free(n->link_free);
    ax_mem_free(n->link_packets);
    ax_mem_free(n->link_busy);
    ax_mem_free(n->link_epoch);
    memset(n, 0, sizeof *n);
}

void eng_coords(const struct eng_net *n, uint32_t core, uint32_t *x, uint32_t *y)
{
    uint32_t chip = core / n->cores_per_chip, tile = core % n->cores_per_chip / n->cores_per_tile;
    *x = chip % n->grid_w * n->mesh_w + tile % n->mesh_w;
    *y = chip / n->grid_w * n->mesh_h + tile / n->mesh_w;
}

uint32_t eng_hops(const struct eng_net *n, uint32_t a, uint32_t b)
{
    uint32_t ax, ay, bx, by;
    eng_coords(n, a, &ax, &ay);
    eng_coords(n, b, &bx, &by);
    return (ax > bx ? ax - bx : bx - ax) + (ay > by ? ay - by : by - ay);
}

/* Packets follow each other through the links (cut through): the first
 * moves on after a hop's latency while the link stays busy until the last
 * has passed, `packets` hop latencies in all. Crossing a chip's edge takes
 * the inter-chip link instead of a router hop: its latency plus the
 * message's bytes at its bandwidth. */
/* eng_next_hop from router (x, y), which lies at (lx, ly) within its chip's
 * mesh: the route's loop keeps those as it goes, so that no hop divides. */
static inline void next_hop(const struct eng_net *n, const struct eng_msg *m, uint32_t x,
                            uint32_t y, uint32_t lx, uint32_t ly, uint32_t bx, uint32_t by,
                            struct eng_hop *h)
{
    const struct ax_system_desc *sys = n->sys;
    enum ax_dir d = x < bx   ? AX_DIR_EAST
                    : x > bx ? AX_DIR_WEST
                    : y < by ? AX_DIR_SOUTH
                             : AX_DIR_NORTH;
    h->dir = d;
    h->nx = d == AX_DIR_EAST ? x + 1 : d == AX_DIR_WEST ? x - 1 : x;
    h->ny = d == AX_DIR_SOUTH ? y + 1 : d == AX_DIR_NORTH ? y - 1 : y;
    h->link = (y * n->gw + x) * AX_DIR_COUNT + d;
    h->is_chip_edge = d == AX_DIR_EAST    ? lx + 1 == n->mesh_w
                      : d == AX_DIR_WEST  ? lx == 0
                      : d == AX_DIR_SOUTH ? ly + 1 == n->mesh_h
                                          : ly == 0;
    if (h->is_chip_edge) {
        h->occupy = sys->interchip.bandwidth_bps > 0 ? m->bytes / sys->interchip.bandwidth_bps : 0;
        h->head = sys->interchip.latency_s;
        h->lag = h->occupy;
    } else {
        h->head = sys->chip.router.hop[d].latency_s;
        h->occupy = (double)m->packets * h->head;
        h->lag = h->occupy - h->head;
    }
}

void eng_next_hop(const struct eng_net *n, const struct eng_msg *m, uint32_t x, uint32_t y,
                  uint32_t bx, uint32_t by, struct eng_hop *h)
{
    next_hop(n, m, x, y, x % n->mesh_w, y % n->mesh_h, bx, by, h);
}

double eng_hop_take(struct eng_net *n, const struct eng_hop *h, const struct eng_msg *m, double t,
                    int is_analytic, struct eng_counts *c)
{
    double packets = m->packets;
    if (h->is_chip_edge)
        c->chip_bytes += m->bytes;
    else
        c->hops[h->dir] += packets;
    double start = t;
    double free_at = n->link_epoch[h->link] == n->epoch ? n->link_free[h->link] : 0;
    if (!is_analytic && free_at > start)
        start = free_at;
    n->link_free[h->link] = start + h->occupy;
    n->link_epoch[h->link] = n->epoch;
    n->link_packets[h->link] += packets;
    n->link_busy[h->link] += h->occupy;
    return start + h->head;
}

double eng_local_pass(const struct eng_net *n, const struct eng_msg *m, double t,
                      struct eng_counts *c)
{
    double packets = m->packets;
    c->local += packets;
    return t + packets * n->sys->chip.router.local.latency_s;
}

enum eng_server eng_server_of(enum ax_ledger_item i)
{
    switch (ax_ledger_item_cat(i)) {
    case AX_ENERGY_SYNAPSE:  return ENG_SYNAPSE;
    case AX_ENERGY_DENDRITE: return ENG_DENDRITE;
    case AX_ENERGY_SOMA:     return ENG_SOMA;
    case AX_ENERGY_DENSE:    return ENG_DENSE;
    case AX_ENERGY_SRAM:     return ENG_SRAM;
    case AX_ENERGY_DRAM:     return ENG_DRAM;
    default:                 return ENG_SERVER_COUNT; /* timed by the network */
    }
}

double eng_route(struct eng_net *n, const struct eng_msg *m, double t, int is_analytic,
                 struct eng_counts *c)
{
    uint32_t x, y, bx, by;
    eng_coords(n, m->src, &x, &y);
    eng_coords(n, m->dst, &bx, &by);
    c->packets += m->packets;
    if (x == bx && y == by) /* two cores of one tile */
        return eng_local_pass(n, m, t, c);
    double tail = 0; /* after the head arrives: the rest of the message on the slowest link */
    uint32_t lx = x % n->mesh_w, ly = y % n->mesh_h; /* the router within its chip */
    while (x != bx || y != by) {
        struct eng_hop h;
        next_hop(n, m, x, y, lx, ly, bx, by, &h);
        t = eng_hop_take(n, &h, m, t, is_analytic, c);
        if (h.lag > tail)
            tail = h.lag;
        switch (h.dir) {
        case AX_DIR_EAST:  lx = lx + 1 == n->mesh_w ? 0 : lx + 1; break;
        case AX_DIR_WEST:  lx = lx == 0 ? n->mesh_w - 1 : lx - 1; break;
        case AX_DIR_SOUTH: ly = ly + 1 == n->mesh_h ? 0 : ly + 1; break;
        default:           ly = ly == 0 ? n->mesh_h - 1 : ly - 1; break;
        }
        x = h.nx;
        y = h.ny;
    }
    return t + tail;
}

/* ---- state ------------------------------------------------------------------------ */

ax_status eng_state_init(struct eng_state *st, uint32_t n_cores, uint32_t n_chips, uint32_t threads,
                         int is_analytic)
{
    memset(st, 0, sizeof *st);
    st->n_cores = n_cores;
    st->n_chips = n_chips ? n_chips : 1;
    st->threads = threads ? threads : 1;
    st->is_analytic = is_analytic;
    st->ready = ax_mem_calloc(n_cores, sizeof *st->ready);
    st->busy = ax_mem_calloc((size_t)n_cores * ENG_SERVER_COUNT, sizeof *st->busy);
    st->server_free = ax_mem_calloc((size_t)n_cores * ENG_SERVER_COUNT, sizeof *st->server_free);
    st->dram_free = ax_mem_calloc(st->n_chips, sizeof *st->dram_free);
    st->is_touched = ax_mem_calloc(n_cores, sizeof *st->is_touched);
    st->touched = ax_mem_alloc((n_cores ? n_cores : 1) * sizeof *st->touched);
    if (!st->ready || !st->busy || !st->server_free || !st->dram_free || !st->is_touched ||
        !st->touched) {
        eng_state_free(st);
        return AX_ERR_NOMEM;
    }
    return AX_OK;
}

void eng_state_free(struct eng_state *st)
{
    ax_mem_free(st->ready);
    ax_mem_free(st->busy);
    ax_mem_free(st->server_free);
    ax_mem_free(st->dram_free);
    ax_mem_free(st->is_touched);
    ax_mem_free(st->touched);
    memset(st, 0, sizeof *st);
}

void eng_step_begin(struct eng_state *st, struct eng_net *net)
{
    for (uint32_t i = 0; i < st->n_touched; i++) {
        uint32_t c = st->touched[i];
        st->ready[c] = 0;
        memset(&st->server_free[(size_t)c * ENG_SERVER_COUNT], 0,
               ENG_SERVER_COUNT * sizeof *st->server_free);
        st->is_touched[c] = 0;
    }
    st->n_touched = 0;
    memset(st->dram_free, 0, st->n_chips * sizeof *st->dram_free);
    net->epoch++; /* every link is free again */
}

double eng_step_end(const struct eng_state *st)
{
    double t = 0;
    for (uint32_t i = 0; i < st->n_touched; i++)
        if (st->ready[st->touched[i]] > t)
            t = st->ready[st->touched[i]];
    return t;
}

/* ---- rounds ----------------------------------------------------------------------- */

ax_status eng_round_init(struct eng_round *r, uint32_t n_cores)
{
    memset(r, 0, sizeof *r);
    r->local = ax_mem_calloc(n_cores, sizeof *r->local);
    r->has_local = ax_mem_calloc(n_cores, sizeof *r->has_local);
    r->local_cores = ax_mem_alloc((n_cores ? n_cores : 1) * sizeof *r->local_cores);
    if (!r->local || !r->has_local || !r->local_cores) {
        eng_round_free(r);
        return AX_ERR_NOMEM;
    }
    return AX_OK;
}

void eng_round_clear(struct eng_round *r)
{
    for (uint32_t i = 0; i < r->n_local; i++) {
        uint32_t c = r->local_cores[i];
        memset(&r->local[c], 0, sizeof r->local[c]);
        r->has_local[c] = 0;
    }
    r->n_local = 0;
    r->n_msgs = 0;
}

struct eng_job *eng_round_local(struct eng_round *r, uint32_t core)
{
    if (!r->has_local[core]) {
        r->has_local[core] = 1;
        r->local_cores[r->n_local++] = core;
    }
    return &r->local[core];
}

void eng_round_free(struct eng_round *r)
{
    ax_mem_free(r->local);
    ax_mem_free(r->has_local);
    ax_mem_free(r->local_cores);
    ax_mem_free(r->msgs);
    ax_mem_free(r->scratch);
    memset(r, 0, sizeof *r);
}

ax_status eng_round_send(struct eng_round *r, const struct eng_msg *m)
{
    if (r->n_msgs == r->cap_msgs) {
        uint64_t cap = r->cap_msgs ? 2 * r->cap_msgs : 4096;
        struct eng_msg *p = ax_mem_realloc(r->msgs, cap * sizeof *p);
        if (!p)
            return AX_ERR_NOMEM;
        r->msgs = p;
        r->cap_msgs = cap;
    }
    r->msgs[r->n_msgs++] = *m;
    return AX_OK;
}

double eng_run_job(double t, const struct eng_job *j, double *free, double *busy, double *dram)
{
    return eng_run_job_at(t, j, free, busy, dram, NULL);
}

double eng_run_job_at(double t, const struct eng_job *j, double *free, double *busy, double *dram,
                      double *at)
{
    static const enum eng_server order[] = {ENG_DRAM, ENG_AXON_IN, ENG_SYNAPSE, ENG_DENDRITE,
                                            ENG_SOMA, ENG_DENSE, ENG_AXON_OUT};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        enum eng_server s = order[i];
        double need = j->s[s];
        if (s == ENG_SYNAPSE && j->s[ENG_SRAM] > 0) { /* SRAM reads beside the synapses */
            double start = t > free[ENG_SYNAPSE] ? t : free[ENG_SYNAPSE];
            if (free[ENG_SRAM] > start)
                start = free[ENG_SRAM];
            free[ENG_SYNAPSE] = start + need;
            free[ENG_SRAM] = start + j->s[ENG_SRAM];
            if (at)
                at[ENG_SYNAPSE] = at[ENG_SRAM] = start;
            busy[ENG_SYNAPSE] += need;
            busy[ENG_SRAM] += j->s[ENG_SRAM];
            t = start + (need > j->s[ENG_SRAM] ? need : j->s[ENG_SRAM]);
            continue;
        }
        if (need <= 0)
            continue;
        double *f = s == ENG_DRAM && dram ? dram : &free[s];
        double start = t > *f ? t : *f;
        *f = start + need;
        busy[s] += need;
        if (at)
            at[s] = start;
        t = start + need;
    }
    return t;
}

double eng_depart(const ax_arch_t *arch, const struct eng_msg *m, double ready, double *free,
                  double *busy)
{
    double need = eng_message_service(arch, AX_EVENT_AXON_OUT_MESSAGE_OUT, m->packets);
    double start = ready > free[ENG_AXON_OUT] ? ready : free[ENG_AXON_OUT];
    free[ENG_AXON_OUT] = start + need;
    busy[ENG_AXON_OUT] += need;
    return start + need;
}

double eng_message_service(const ax_arch_t *arch, enum ax_event ev, double packets)
{
    const struct ax_core_desc *core = &ax_arch_desc(arch)->chip.core;
    uint32_t lanes = core->unit[ax_event_unit(ev)].lanes;
    return packets * core->event[ev].latency_s / (lanes ? lanes : 1);
}

int eng_arrival_cmp(const void *a, const void *b)
{
    const struct eng_arrival *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->msg < y->msg ? -1 : x->msg > y->msg;
}

void eng_arrival_job(const ax_arch_t *arch, const struct eng_msg *m, struct eng_job *out)
{
    *out = m->work;
    out->s[ENG_AXON_IN] += eng_message_service(arch, AX_EVENT_AXON_IN_MESSAGE_IN, m->packets);
}

/* eng_serve_arrival, writing when the job entered each server to `at`
 * (NULL: not traced). */
static double serve_arrival_at(const ax_arch_t *arch, const struct eng_msg *m, double t,
                               double ready, double *free, double *busy, double *at)
{
    struct eng_job w;
    eng_arrival_job(arch, m, &w);
    return eng_run_job_at(t > ready ? t : ready, &w, free, busy, NULL, at);
}

double eng_serve_arrival(const ax_arch_t *arch, const struct eng_msg *m, double t, double ready,
                         double *free, double *busy)
{
    return serve_arrival_at(arch, m, t, ready, free, busy, NULL);
}

/* The closed form: the bottleneck server's total work after the first
 * arrival, or the last arrival plus its own job. */
double eng_serve_analytic(const ax_arch_t *arch, const struct eng_msg *msgs,
                          const struct eng_arrival *arr, uint64_t n, double ready, double *busy)
{
    if (!n)
        return ready;
    double total[ENG_SERVER_COUNT] = {0}, last_job = 0;
    for (uint64_t i = 0; i < n; i++) {
        const struct eng_msg *m = &msgs[arr[i].msg];
        struct eng_job w = m->work;
        w.s[ENG_AXON_IN] += eng_message_service(arch, AX_EVENT_AXON_IN_MESSAGE_IN, m->packets);
        last_job = 0;
        for (int s = 0; s < ENG_SERVER_COUNT; s++) {
            total[s] += w.s[s];
            busy[s] += w.s[s];
            last_job += s == ENG_SRAM ? 0 : w.s[s];
        }
    }
    double bottleneck = 0;
    for (int s = 0; s < ENG_SERVER_COUNT; s++)
        if (total[s] > bottleneck)
            bottleneck = total[s];
    double start = arr[0].t > ready ? arr[0].t : ready;
    double a = start + bottleneck, z = arr[n - 1].t + last_job;
    return a > z ? a : z;
}

/* The arrivals of one destination core: by_dst[b, e), in time order. */
struct dst_run {
    uint32_t core;
    uint64_t b, e;
};

/* The arrivals of runs [run_begin, run_end), for one thread: each run is its
 * own core's, so threads never share anything they write. */
struct arrivals_job {
    struct eng_state *st;
    const struct eng_net *net;
    const struct eng_round *r;
    const struct eng_arrival *by_dst;
    const struct dst_run *runs;
    uint64_t run_begin, run_end;
    struct ax_trace_round *tw; /* NULL unless traced: each arrival's slot is its own */
};

static void *serve_arrivals(void *p)
{
    struct arrivals_job *job = p;
    struct eng_state *st = job->st;
    const ax_arch_t *arch = job->net->arch;
    for (uint64_t k = job->run_begin; k < job->run_end; k++) {
        const struct dst_run *run = &job->runs[k];
        uint32_t c = run->core;
        double *free = &st->server_free[(size_t)c * ENG_SERVER_COUNT];
        double *busy = &st->busy[(size_t)c * ENG_SERVER_COUNT];
        double done = st->ready[c];
        if (job->tw)
            job->tw->ready0[k] = done;
        if (st->is_analytic) {
            done = eng_serve_analytic(arch, job->r->msgs, job->by_dst + run->b, run->e - run->b, done,
                                      busy);
        } else {
            for (uint64_t i = run->b; i < run->e; i++) {
                double end = serve_arrival_at(arch, &job->r->msgs[job->by_dst[i].msg],
                                              job->by_dst[i].t, st->ready[c], free, busy,
                                              job->tw ? &job->tw->at[i * ENG_SERVER_COUNT] : NULL);
                if (end > done)
                    done = end;
            }
        }
        st->ready[c] = done;
    }
    return NULL;
}

/* An arrival with its destination, for grouping by core. */
struct dst_arrival {
    uint32_t dst;
    struct eng_arrival a;
};

static int dst_arrival_cmp(const void *x, const void *y)
{
    const struct dst_arrival *p = x, *q = y;
    if (p->dst != q->dst)
        return p->dst < q->dst ? -1 : 1;
    return eng_arrival_cmp(&p->a, &q->a);
}

static int u32_cmp(const void *x, const void *y)
{
    uint32_t p = *(const uint32_t *)x, q = *(const uint32_t *)y;
    return p < q ? -1 : p > q;
}

/* Serves the grouped arrivals on up to st->threads threads, each taking
 * whole runs and about the same number of messages. */
static void serve_runs(struct eng_state *st, const struct eng_net *net, const struct eng_round *r,
                       const struct eng_arrival *by_dst, const struct dst_run *runs,
                       uint64_t n_runs, struct ax_trace_round *tw)
{
    enum { MAX_THREADS = 64, MIN_MSGS_PER_THREAD = 16384 };
    /* threads pay off only on rounds with many arrivals; the result does not
     * depend on how many serve them */
    uint64_t threads = r->n_msgs / MIN_MSGS_PER_THREAD + 1;
    if (threads > st->threads)
        threads = st->threads;
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    if (threads > n_runs)
        threads = n_runs ? n_runs : 1;
    struct arrivals_job jobs[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    uint8_t is_started[MAX_THREADS] = {0};
    uint64_t run = 0;
    for (uint64_t t = 0; t < threads; t++) {
        uint64_t until = r->n_msgs * (t + 1) / threads, begin = run; /* messages served so far */
        while (run < n_runs && (t + 1 == threads || runs[run].e <= until))
            run++;
        if (run == begin && run < n_runs)
            run++; /* every thread takes at least one run */
        jobs[t] = (struct arrivals_job){st, net, r, by_dst, runs, begin, run, tw};
        if (t > 0)
            is_started[t] = pthread_create(&tid[t], NULL, serve_arrivals, &jobs[t]) == 0;
    }
    serve_arrivals(&jobs[0]);
    for (uint64_t t = 1; t < threads; t++) {
        if (is_started[t])
            pthread_join(tid[t], NULL);
        else
            serve_arrivals(&jobs[t]); /* no thread to spare: serve them here */
    }
}

/* Records a round's messages and arrivals into the trace, once the round is
 * timed: sends in send order, then each destination's arrivals in the order
 * it served them (approx: one job each; analytic: one job standing for all
 * of them, whose units the closed form keeps busy for their total work from
 * the first arrival). */
static void trace_messages(const struct eng_state *st, const struct eng_net *net,
                           const struct eng_round *r, const struct eng_arrival *by_dst,
                           const struct dst_run *runs, uint64_t n_runs, struct ax_trace_round *tw)
{
    const ax_arch_t *arch = net->arch;
    for (uint64_t i = 0; i < r->n_msgs; i++) {
        const struct eng_msg *m = &r->msgs[i];
        double need = eng_message_service(arch, AX_EVENT_AXON_OUT_MESSAGE_OUT, m->packets);
        ax_trace_send(st->trace, m, i, tw->depart[i] - need, tw->depart[i], tw->arrive[i],
                      eng_hops(net, m->src, m->dst));
    }
    for (uint64_t k = 0; k < n_runs; k++) {
        const struct dst_run *run = &runs[k];
        if (st->is_analytic) {
            struct eng_job total = {{0}}, w;
            for (uint64_t i = run->b; i < run->e; i++) {
                eng_arrival_job(arch, &r->msgs[by_dst[i].msg], &w);
                for (int s = 0; s < ENG_SERVER_COUNT; s++)
                    total.s[s] += w.s[s];
            }
            double start = by_dst[run->b].t > tw->ready0[k] ? by_dst[run->b].t : tw->ready0[k];
            double at[ENG_SERVER_COUNT];
            for (int s = 0; s < ENG_SERVER_COUNT; s++)
                at[s] = start;
            uint64_t n = run->e - run->b;
            ax_trace_job(st->trace, run->core, "recv", &total, at, r->msgs[by_dst[run->b].msg].src,
                         by_dst[run->b].msg, n);
            for (uint64_t i = run->b; i < run->e; i++)
                ax_trace_flow_end(st->trace, run->core, by_dst[i].msg,
                                  start + total.s[ENG_AXON_IN] / 2);
            continue;
        }
        for (uint64_t i = run->b; i < run->e; i++) {
            const struct eng_msg *m = &r->msgs[by_dst[i].msg];
            struct eng_job w;
            eng_arrival_job(arch, m, &w);
            const double *at = &tw->at[i * ENG_SERVER_COUNT];
            ax_trace_job(st->trace, run->core, "recv", &w, at, m->src, by_dst[i].msg, 1);
            ax_trace_flow_end(st->trace, run->core, by_dst[i].msg,
                              at[ENG_AXON_IN] + w.s[ENG_AXON_IN] / 2);
        }
    }
}

ax_status eng_round_run(struct eng_state *st, struct eng_net *net, struct eng_round *r,
                        struct eng_counts *c)
{
    const ax_arch_t *arch = net->arch;
    struct ax_trace_round *tw = NULL;
    if (st->trace && !(tw = ax_trace_round_begin(st->trace, r->n_msgs)))
        return AX_ERR_NOMEM;
    /* 1. local jobs, in core order (the chips' DRAM channels are shared) */
    qsort(r->local_cores, r->n_local, sizeof *r->local_cores, u32_cmp);
    for (uint32_t i = 0; i < r->n_local; i++) {
        uint32_t k = r->local_cores[i];
        eng_touch(st, k);
        double *free = &st->server_free[(size_t)k * ENG_SERVER_COUNT];
        double *busy = &st->busy[(size_t)k * ENG_SERVER_COUNT];
        double at[ENG_SERVER_COUNT];
        st->ready[k] = eng_run_job_at(st->ready[k], &r->local[k], free, busy,
                                      &st->dram_free[k / net->cores_per_chip], tw ? at : NULL);
        if (tw)
            ax_trace_job(st->trace, k, "local", &r->local[k], at, 0, 0, 0);
    }
    if (!r->n_msgs)
        return AX_OK;

    /* 2. departures through each source's axon_out, in send order */
    size_t need = r->n_msgs * (sizeof(struct dst_arrival) + sizeof(struct dst_run) +
                               sizeof(struct eng_arrival));
    if (need > r->scratch_bytes) { /* grows with the largest round, then stays */
        void *p = ax_mem_realloc(r->scratch, need);
        if (!p)
            return AX_ERR_NOMEM;
        r->scratch = p;
        r->scratch_bytes = need;
    }
    /* three arrays whose elements all have 8-byte alignment */
    struct dst_arrival *grouped = r->scratch;
    struct dst_run *runs = (struct dst_run *)(grouped + r->n_msgs);
    struct eng_arrival *arr = (struct eng_arrival *)(runs + r->n_msgs);
    for (uint64_t i = 0; i < r->n_msgs; i++) {
        const struct eng_msg *m = &r->msgs[i];
        size_t row = (size_t)m->src * ENG_SERVER_COUNT;
        eng_touch(st, m->src);
        arr[i] = (struct eng_arrival){
            eng_depart(arch, m, st->ready[m->src], &st->server_free[row], &st->busy[row]), i};
        if (tw)
            tw->depart[i] = arr[i].t;
    }
    for (uint64_t i = 0; i < r->n_msgs; i++) { /* a source is busy until its last departure */
        uint32_t s = r->msgs[i].src;
        if (arr[i].t > st->ready[s])
            st->ready[s] = arr[i].t;
    }

    /* 3. the network: messages in order of departure (ties: send order) */
    qsort(arr, r->n_msgs, sizeof *arr, eng_arrival_cmp);
    for (uint64_t i = 0; i < r->n_msgs; i++) {
        arr[i].t = eng_route(net, &r->msgs[arr[i].msg], arr[i].t, st->is_analytic, c);
        if (tw)
            tw->arrive[arr[i].msg] = arr[i].t;
        grouped[i] = (struct dst_arrival){r->msgs[arr[i].msg].dst, arr[i]};
    }

    /* 4. arrivals grouped by destination, each core's in time order */
    qsort(grouped, r->n_msgs, sizeof *grouped, dst_arrival_cmp);
    uint64_t n_runs = 0;
    for (uint64_t i = 0; i < r->n_msgs; i++) {
        arr[i] = grouped[i].a;
        if (i == 0 || grouped[i].dst != grouped[i - 1].dst) {
            eng_touch(st, grouped[i].dst);
            runs[n_runs++] = (struct dst_run){grouped[i].dst, i, i};
        }
        runs[n_runs - 1].e = i + 1;
    }
    serve_runs(st, net, r, arr, runs, n_runs, tw);
    if (tw)
        trace_messages(st, net, r, arr, runs, n_runs, tw);
    return AX_OK;
}
