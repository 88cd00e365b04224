/* The timing engine inside one barrier-synchronised step (sim.c builds the
 * work; this file decides when it happens).
 *
 * A step is a sequence of rounds. In a round every core first runs its local
 * jobs in order, then sends its messages one by one through its axon_out
 * unit; the messages cross the network (XY routes, per-link contention in
 * the approx model); each arrival is a job on the destination core. A core
 * starts the next round when it has finished everything of this one; the
 * step ends when the last core does, and the barrier follows.
 *
 * A job is a service time on each of a core's servers. The servers of a
 * core form a pipeline in this order: axon_in, synapse (with SRAM beside
 * it), dendrite, soma, dense, axon_out. A job enters a server when it has
 * left the previous one and the server is free (a server with L lanes serves
 * L units of work at once, so its service time is work x latency / L).
 *
 * Energy does not live here: counts are charged when the work is built, the
 * same for both timing models. */
#ifndef AX_SIM_ENGINE_H
#define AX_SIM_ENGINE_H

#include "ax_sim.h"

#include <stdint.h>

struct ax_trace; /* trace.h: the events of a run, for --trace */

enum eng_server {
    ENG_AXON_IN,
    ENG_SYNAPSE,
    ENG_SRAM, /* runs beside the synapse server */
    ENG_DENDRITE,
    ENG_SOMA,
    ENG_DENSE,
    ENG_DRAM, /* the chip's DRAM channel, shared by its cores */
    ENG_AXON_OUT,
    ENG_SERVER_COUNT
};

struct eng_job {
    double s[ENG_SERVER_COUNT]; /* service seconds on each server */
};

struct eng_msg {
    uint32_t src, dst;
    uint32_t packets;   /* >= 1 */
    uint32_t bytes;     /* payload of the whole message */
    struct eng_job work; /* at the destination, after axon_in */
};

/* The network's geometry and costs, and the per-link state of a run. */
struct eng_net {
    const ax_arch_t *arch;
    const struct ax_system_desc *sys; /* ax_arch_desc(arch), looked up once: hops read it */
    uint32_t cores_per_chip, cores_per_tile, mesh_w, mesh_h, grid_w, grid_h;
    uint32_t gw, gh;           /* global mesh in routers */
    double *link_free;         /* per link: when it is next free (approx) */
    double *link_packets;      /* per link, over the run */
    double *link_busy;         /* per link, over the run */
    uint32_t *link_epoch;      /* link_free is valid when this equals `epoch` */
    uint32_t epoch;            /* the current step's number */
    uint32_t n_links;          /* gw * gh * 4 */
    double packet_bytes;       /* payload bytes of one packet */
};

/* What a round asks of every core. */
struct eng_round {
    struct eng_job *local;     /* per core: the local jobs' summed service */
    uint8_t *has_local;
    uint32_t *local_cores;     /* the cores with has_local set, in the order set */
    uint32_t n_local;
    struct eng_msg *msgs;      /* in send order, grouped by nothing in particular */
    uint64_t n_msgs, cap_msgs;
    void *scratch;             /* eng_round_run's working arrays, kept between rounds */
    size_t scratch_bytes;
};

struct eng_counts {            /* network counts of a step, for the ledger */
    double hops[AX_DIR_COUNT], local, chip_bytes, packets;
};

/* Per-core timing state across a step. */
struct eng_state {
    uint32_t n_cores, n_chips;
    double *ready;             /* when the core may start its next round */
    double *busy;              /* [core][ENG_SERVER_COUNT]: service over the run */
    double *dram_free;         /* per chip */
    double *server_free;       /* [core][ENG_SERVER_COUNT] within a step */
    uint8_t *is_touched;       /* per core: ready or server_free changed this step */
    uint32_t *touched;         /* those cores, n_touched of them */
    uint32_t n_touched;
    uint32_t threads;
    int is_analytic;
    struct ax_trace *trace;    /* NULL unless the run is traced (trace.h) */
};

/* Marks core `c` as changed in this step, so that the step's end finds it
 * and the next step resets it (work proportional to the cores used, not to
 * the system's size). Whoever writes ready[c] or server_free of `c` calls
 * it first. */
static inline void eng_touch(struct eng_state *st, uint32_t c)
{
    if (!st->is_touched[c]) {
        st->is_touched[c] = 1;
        st->touched[st->n_touched++] = c;
    }
}

ax_status eng_net_init(struct eng_net *n, const ax_arch_t *arch, uint32_t n_chips, uint32_t grid_w);
void eng_net_free(struct eng_net *n);

ax_status eng_state_init(struct eng_state *st, uint32_t n_cores, uint32_t n_chips, uint32_t threads,
                         int is_analytic);
void eng_state_free(struct eng_state *st);

/* Starts a step at time 0 for every core. */
void eng_step_begin(struct eng_state *st, struct eng_net *net);

/* Runs one round; adds the network's counts to *c. Returns AX_ERR_NOMEM. */
ax_status eng_round_run(struct eng_state *st, struct eng_net *net, struct eng_round *r,
                        struct eng_counts *c);

/* The same round on the SystemC kernel (sim/systemc/): the cores, routers
 * and links as SystemC modules exchanging TLM-2.0 transactions, with the
 * service and hop times of this engine. AX_ERR_UNSUPPORTED in a build
 * without SystemC (engine_nosystemc.c). */
ax_status eng_systemc_round_run(struct eng_state *st, struct eng_net *net, struct eng_round *r,
                                struct eng_counts *c);

/* The step's length: the latest ready time over the cores. */
double eng_step_end(const struct eng_state *st);

/* Rounds: cleared between uses, messages appended. */
ax_status eng_round_init(struct eng_round *r, uint32_t n_cores);
void eng_round_clear(struct eng_round *r);
void eng_round_free(struct eng_round *r);
ax_status eng_round_send(struct eng_round *r, const struct eng_msg *m);
/* The local job of `core` in round `r` (zero until work is added). */
struct eng_job *eng_round_local(struct eng_round *r, uint32_t core);

/* Routes message `m` leaving at `t`, hop by hop (contention only when not
 * `is_analytic`), counting into *c; returns when its last packet arrives. */
double eng_route(struct eng_net *n, const struct eng_msg *m, double t, int is_analytic,
                 struct eng_counts *c);

/* The unit that serves ledger item `i`, or ENG_SERVER_COUNT when the
 * network times it. */
enum eng_server eng_server_of(enum ax_ledger_item i);

/* Router hops between two cores (0 within a tile), as the XY route goes. */
uint32_t eng_hops(const struct eng_net *n, uint32_t a, uint32_t b);

/* ---- the pieces both engines are built from --------------------------------------
 * eng_round_run and the SystemC engine (sim/systemc/) time a round with these
 * functions, so the two share every cost and every rule; they differ only in
 * who decides the order of things. */

/* Global router coordinates of a core: chips on a grid `grid_w` wide. */
void eng_coords(const struct eng_net *n, uint32_t core, uint32_t *x, uint32_t *y);

/* One hop of an XY route (X first, then Y): the link leaving router (x, y)
 * toward (bx, by), which must differ from it. */
struct eng_hop {
    enum ax_dir dir;
    uint32_t nx, ny;     /* the router it reaches */
    uint32_t link;       /* index into eng_net's per-link arrays */
    int is_chip_edge;    /* an inter-chip link instead of a router hop */
    double head;         /* the first packet's latency over it */
    double occupy;       /* how long the message holds the link */
    double lag;          /* the last packet's lag behind the first at the far end */
};
void eng_next_hop(const struct eng_net *n, const struct eng_msg *m, uint32_t x, uint32_t y,
                  uint32_t bx, uint32_t by, struct eng_hop *h);

/* Takes the hop's link for a message whose head reaches it at `t` (approx:
 * after the link is free; analytic: at once), marks the link busy, counts
 * the hop into *c and the link's totals, and returns when the head reaches
 * the next router. */
double eng_hop_take(struct eng_net *n, const struct eng_hop *h, const struct eng_msg *m, double t,
                    int is_analytic, struct eng_counts *c);

/* A message between two cores of one tile, leaving at `t`: counted into *c;
 * returns when it arrives. */
double eng_local_pass(const struct eng_net *n, const struct eng_msg *m, double t,
                      struct eng_counts *c);

/* The service of `packets` packets of a message event (AX_EVENT_AXON_OUT_MESSAGE_OUT
 * at the source, AX_EVENT_AXON_IN_MESSAGE_IN at the destination). */
double eng_message_service(const ax_arch_t *arch, enum ax_event ev, double packets);

/* Sends message `m` through its source core's axon_out unit, which is free
 * at free[ENG_AXON_OUT], once the core is ready at `ready`; adds the service
 * to busy[ENG_AXON_OUT]. Returns when the message leaves (its departure). */
double eng_depart(const ax_arch_t *arch, const struct eng_msg *m, double ready, double *free,
                  double *busy);

/* Passes a job entering at `t` through a core's pipeline; returns when it
 * leaves the last server it uses. `free` and `busy` are the core's rows of
 * eng_state (ENG_SERVER_COUNT each); `dram` the chip's DRAM channel, or NULL
 * for the core's own DRAM slot. */
double eng_run_job(double t, const struct eng_job *j, double *free, double *busy, double *dram);
/* The same, also writing when the job entered each server it uses to
 * at[server] (entries of unused servers are left as they were; SRAM's is
 * the synapse's), or nothing when `at` is NULL. */
double eng_run_job_at(double t, const struct eng_job *j, double *free, double *busy, double *dram,
                      double *at);

/* An arrival: when message `msg` of the round reaches its destination. */
struct eng_arrival {
    double t;
    uint64_t msg;
};
/* qsort order of arrivals and departures: by time, ties in send order. */
int eng_arrival_cmp(const void *a, const void *b);

/* Serves one arrival (approx): message `m` arriving at `t` at a core that
 * is ready at `ready` runs its work, with the message_in service added on
 * axon_in, through the core's pipeline. Returns when it is done. */
double eng_serve_arrival(const ax_arch_t *arch, const struct eng_msg *m, double t, double ready,
                         double *free, double *busy);
/* The job an arrival runs: the message's work with its message_in service
 * added on axon_in. */
void eng_arrival_job(const ax_arch_t *arch, const struct eng_msg *m, struct eng_job *out);

/* Serves a core's arrivals in closed form (analytic): `arr` holds its `n`
 * arrivals, sorted by eng_arrival_cmp, indexing `msgs`. Returns when the
 * core is done; adds the service to `busy`. */
double eng_serve_analytic(const ax_arch_t *arch, const struct eng_msg *msgs,
                          const struct eng_arrival *arr, uint64_t n, double ready, double *busy);

#endif
