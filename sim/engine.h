/* The timing pieces of the timed run (timed.c; the SystemC engine,
 * sim/systemc/, orders the same calls): a core's pipeline, departures
 * through axon_out, and XY routes over the network with link contention.
 *
 * A job is a service time on each of a core's servers. The servers of a
 * core form a pipeline in this order: axon_in, synapse (with SRAM beside
 * it), dendrite, soma, dense, axon_out. A job enters a server when it has
 * left the previous one and the server is free (a server with L lanes serves
 * L units of work at once, so its service time is work x latency / L).
 *
 * Energy does not live here: the timed run charges counts to the ledger,
 * the same for both timing models. */
#ifndef AX_SIM_ENGINE_H
#define AX_SIM_ENGINE_H

#include "ax_sim.h"

#include <stdint.h>

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

/* A link's state in a run; together, as a hop reads and writes them all. */
struct eng_link {
    double free;    /* when it is next free (approx) */
    double packets; /* over the run */
    double busy;    /* over the run */
};

/* The network's geometry and costs, and the per-link state of a run. */
struct eng_net {
    const ax_arch_t *arch;
    const struct ax_system_desc *sys; /* ax_arch_desc(arch), looked up once: hops read it */
    uint32_t cores_per_chip, cores_per_tile, mesh_w, mesh_h, grid_w, grid_h;
    uint32_t gw, gh;           /* global mesh in routers */
    struct eng_link *links;    /* per link */
    uint32_t n_links;          /* gw * gh * 4 */
    double packet_bytes;       /* payload bytes of one packet */
    /* Busy time by tag (eng_net_tags; NULL until then): each link adds the
     * time messages of tag `tag` hold it to link_acc while they follow one
     * another; a message of another tag moves the sum to tag_max (the
     * largest of the tag's runs on any link) and starts a new one. */
    uint32_t tag;              /* the tag of the messages routed now, or ENG_NO_TAG */
    uint32_t *link_tag;        /* per link: the tag link_acc sums */
    double *link_acc;
    double *tag_max;           /* per tag */
    uint32_t n_tags;
    /* Multicast (eng_route_tree; NULL when the routers do not replicate):
     * per link, whether the message being routed took it (tree_gen equal
     * to gen), when its head reached the far router, the head's latency
     * there with every link free, and the largest lag of a hop so far. */
    uint32_t *tree_gen, gen;
    double *tree_at, *tree_free, *tree_lag;
};

#define ENG_NO_TAG UINT32_MAX

/* Starts the busy times by tag, for tags 0 .. n_tags - 1. AX_ERR_NOMEM. */
ax_status eng_net_tags(struct eng_net *n, uint32_t n_tags);
/* Moves every link's running sum to tag_max. */
void eng_net_tags_flush(struct eng_net *n);

struct eng_counts {            /* network counts of a route, for the ledger */
    double hops[AX_DIR_COUNT], local, chip_bytes, packets;
    double copies;             /* packets copied onto another branch of a multicast tree */
    double free_s;             /* the route's latency with every link free (the bound's chain) */
};

ax_status eng_net_init(struct eng_net *n, const ax_arch_t *arch, uint32_t n_chips, uint32_t grid_w);
void eng_net_free(struct eng_net *n);

/* Routes message `m` leaving at `t`, hop by hop (contention only when not
 * `is_analytic`), counting into *c; returns when its last packet arrives. */
double eng_route(struct eng_net *n, const struct eng_msg *m, double t, int is_analytic,
                 struct eng_counts *c);

/* Routes message `m` (its dst unused) from m->src to the n_dst cores `dst`
 * at once, as routers that replicate packets do: along the tree their XY
 * routes form (routes from one source part and never meet again), each
 * link of it taken and counted once. The first destination's route is the
 * trunk; each later one leaves the tree where its route parts from the
 * links taken so far (or at its own router, when that lies on them),
 * `latency_copy` after the head reached that router, and counts one copy
 * of each packet. Writes, per destination, when the last packet arrives
 * (arrive[i]) and its latency with every link free (free_s[i]); counts into
 * *c. A destination that is the source itself arrives at once. */
void eng_route_tree(struct eng_net *n, const struct eng_msg *m, const uint32_t *dst, uint32_t n_dst,
                    double t, int is_analytic, struct eng_counts *c, double *arrive, double *free_s);

/* The unit that serves ledger item `i`, or ENG_SERVER_COUNT when the
 * network times it. */
enum eng_server eng_server_of(enum ax_ledger_item i);

/* Router hops between two cores (0 within a tile), as the XY route goes. */
uint32_t eng_hops(const struct eng_net *n, uint32_t a, uint32_t b);

/* The service of `packets` packets of a message event (AX_EVENT_AXON_OUT_MESSAGE_OUT
 * at the source, AX_EVENT_AXON_IN_MESSAGE_IN at the destination). */
double eng_message_service(const ax_arch_t *arch, enum ax_event ev, double packets);

/* Sends a message through its source core's axon_out unit, which is free
 * at free[ENG_AXON_OUT], once the core is ready at `ready`, for `need`
 * seconds (eng_message_service of its packets); adds them to
 * busy[ENG_AXON_OUT]. Returns when the message leaves (its departure). */
double eng_depart(double need, double ready, double *free, double *busy);

/* Passes a job entering at `t` through a core's pipeline; returns when it
 * leaves the last server it uses. `free` and `busy` are the core's
 * ENG_SERVER_COUNT entries: when each server is next free, its service so far; `dram` the chip's DRAM channel, or NULL
 * for the core's own DRAM slot. */
double eng_run_job(double t, const struct eng_job *j, double *free, double *busy, double *dram);
/* The same, also writing when the job entered each server it uses to
 * at[server] (entries of unused servers are left as they were; SRAM's is
 * the synapse's), or nothing when `at` is NULL. */
double eng_run_job_at(double t, const struct eng_job *j, double *free, double *busy, double *dram,
                      double *at);

#endif
