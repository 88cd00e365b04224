/* The timing pieces of the timed run (engine.h): a core's pipeline,
 * departures through axon_out, XY routes with link contention. */
#include "engine.h"

#include "ax_mem.h"

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
    n->links = ax_mem_calloc(n->n_links, sizeof *n->links);
    if (!n->links) {
        eng_net_free(n);
        return AX_ERR_NOMEM;
    }
    if (chip->router.is_multicast) {
        n->tree_gen = ax_mem_calloc((size_t)n->n_links + 1, sizeof *n->tree_gen);
        n->tree_at = ax_mem_calloc((size_t)n->n_links + 1, sizeof *n->tree_at);
        n->tree_free = ax_mem_calloc((size_t)n->n_links + 1, sizeof *n->tree_free);
        n->tree_lag = ax_mem_calloc((size_t)n->n_links + 1, sizeof *n->tree_lag);
        if (!n->tree_gen || !n->tree_at || !n->tree_free || !n->tree_lag) {
            eng_net_free(n);
            return AX_ERR_NOMEM;
        }
    }
    return AX_OK;
}

void eng_net_free(struct eng_net *n)
{
    ax_mem_free(n->links);
    ax_mem_free(n->link_tag);
    ax_mem_free(n->link_acc);
    ax_mem_free(n->tag_max);
    ax_mem_free(n->tree_gen);
    ax_mem_free(n->tree_at);
    ax_mem_free(n->tree_free);
    ax_mem_free(n->tree_lag);
    memset(n, 0, sizeof *n);
}

ax_status eng_net_tags(struct eng_net *n, uint32_t n_tags)
{
    n->tag = ENG_NO_TAG;
    n->n_tags = n_tags;
    n->link_tag = ax_mem_alloc(((size_t)n->n_links + 1) * sizeof *n->link_tag);
    n->link_acc = ax_mem_calloc((size_t)n->n_links + 1, sizeof *n->link_acc);
    n->tag_max = ax_mem_calloc((size_t)n_tags + 1, sizeof *n->tag_max);
    if (!n->link_tag || !n->link_acc || !n->tag_max)
        return AX_ERR_NOMEM;
    for (uint32_t l = 0; l < n->n_links; l++)
        n->link_tag[l] = ENG_NO_TAG;
    return AX_OK;
}

static void tag_flush(struct eng_net *n, uint32_t l)
{
    uint32_t g = n->link_tag[l];
    if (g != ENG_NO_TAG && n->link_acc[l] > n->tag_max[g])
        n->tag_max[g] = n->link_acc[l];
    n->link_acc[l] = 0;
    n->link_tag[l] = ENG_NO_TAG;
}

void eng_net_tags_flush(struct eng_net *n)
{
    for (uint32_t l = 0; n->link_tag && l < n->n_links; l++)
        tag_flush(n, l);
}

/* Global router coordinates of a core: chips on a grid `grid_w` wide. */
static void coords(const struct eng_net *n, uint32_t core, uint32_t *x, uint32_t *y)
{
    uint32_t chip = core / n->cores_per_chip, tile = core % n->cores_per_chip / n->cores_per_tile;
    *x = chip % n->grid_w * n->mesh_w + tile % n->mesh_w;
    *y = chip / n->grid_w * n->mesh_h + tile / n->mesh_w;
}

uint32_t eng_hops(const struct eng_net *n, uint32_t a, uint32_t b)
{
    uint32_t ax, ay, bx, by;
    coords(n, a, &ax, &ay);
    coords(n, b, &bx, &by);
    return (ax > bx ? ax - bx : bx - ax) + (ay > by ? ay - by : by - ay);
}

/* One hop of an XY route (X first, then Y): the link leaving a router
 * toward the destination's. */
struct hop {
    enum ax_dir dir;
    uint32_t nx, ny;     /* the router it reaches */
    uint32_t link;       /* index into eng_net's per-link arrays */
    int is_chip_edge;    /* an inter-chip link instead of a router hop */
    double head;         /* the first packet's latency over it */
    double occupy;       /* how long the message holds the link */
    double lag;          /* the last packet's lag behind the first at the far end */
};

/* The hop from router (x, y), which lies at (lx, ly) within its chip's
 * mesh, toward (bx, by), which must differ from it; the route's loop keeps
 * (lx, ly) as it goes, so that no hop divides. Packets follow each other
 * through the links (cut through): the first moves on after a hop's latency
 * while the link stays busy until the last has passed, `packets` hop
 * latencies in all. Crossing a chip's edge takes the inter-chip link
 * instead of a router hop: its latency plus the message's bytes at its
 * bandwidth. */
static inline void next_hop(const struct eng_net *n, const struct eng_msg *m, uint32_t x,
                            uint32_t y, uint32_t lx, uint32_t ly, uint32_t bx, uint32_t by,
                            struct hop *h)
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

/* Takes the hop's link for a message whose head reaches it at `t` (approx:
 * after the link is free; analytic: at once), marks the link busy, counts
 * the hop into *c and the link's totals, and returns when the head reaches
 * the next router. */
static double hop_take(struct eng_net *n, const struct hop *h, const struct eng_msg *m, double t,
                       int is_analytic, struct eng_counts *c)
{
    double packets = m->packets;
    if (h->is_chip_edge)
        c->chip_bytes += m->bytes;
    else
        c->hops[h->dir] += packets;
    double start = t;
    if (!is_analytic && n->links[h->link].free > start)
        start = n->links[h->link].free;
    n->links[h->link].free = start + h->occupy;
    n->links[h->link].packets += packets;
    n->links[h->link].busy += h->occupy;
    if (n->link_tag && n->tag != ENG_NO_TAG) {
        if (n->link_tag[h->link] != n->tag) {
            tag_flush(n, h->link);
            n->link_tag[h->link] = n->tag;
        }
        n->link_acc[h->link] += h->occupy;
    }
    return start + h->head;
}

/* A message between two cores of one tile, leaving at `t`: counted into *c;
 * returns when it arrives. */
static double local_pass(const struct eng_net *n, const struct eng_msg *m, double t,
                         struct eng_counts *c)
{
    double packets = m->packets;
    c->local += packets;
    c->free_s = packets * n->sys->chip.router.local.latency_s;
    return t + c->free_s;
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

/* Moves (x, y) and its place within the chip (lx, ly) over hop `h`. */
static void step(const struct eng_net *n, const struct hop *h, uint32_t *x, uint32_t *y,
                 uint32_t *lx, uint32_t *ly)
{
    switch (h->dir) {
    case AX_DIR_EAST:  *lx = *lx + 1 == n->mesh_w ? 0 : *lx + 1; break;
    case AX_DIR_WEST:  *lx = *lx == 0 ? n->mesh_w - 1 : *lx - 1; break;
    case AX_DIR_SOUTH: *ly = *ly + 1 == n->mesh_h ? 0 : *ly + 1; break;
    default:           *ly = *ly == 0 ? n->mesh_h - 1 : *ly - 1; break;
    }
    *x = h->nx;
    *y = h->ny;
}

double eng_route(struct eng_net *n, const struct eng_msg *m, double t, int is_analytic,
                 struct eng_counts *c)
{
    uint32_t x, y, bx, by;
    coords(n, m->src, &x, &y);
    coords(n, m->dst, &bx, &by);
    c->packets += m->packets;
    if (x == bx && y == by) /* two cores of one tile */
        return local_pass(n, m, t, c);
    double tail = 0; /* after the head arrives: the rest of the message on the slowest link */
    double heads = 0; /* the head's latency over the hops with every link free */
    uint32_t lx = x % n->mesh_w, ly = y % n->mesh_h; /* the router within its chip */
    while (x != bx || y != by) {
        struct hop h;
        next_hop(n, m, x, y, lx, ly, bx, by, &h);
        t = hop_take(n, &h, m, t, is_analytic, c);
        heads += h.head;
        if (h.lag > tail)
            tail = h.lag;
        step(n, &h, &x, &y, &lx, &ly);
    }
    c->free_s = heads + tail;
    return t + tail;
}

void eng_route_tree(struct eng_net *n, const struct eng_msg *m, const uint32_t *dst, uint32_t n_dst,
                    double t, int is_analytic, struct eng_counts *c, double *arrive, double *free_s)
{
    double copy = n->sys->chip.router.copy.latency_s, local = n->sys->chip.router.local.latency_s;
    uint32_t sx, sy, branches = 0;
    coords(n, m->src, &sx, &sy);
    c->packets += m->packets;
    n->gen++;
    for (uint32_t i = 0; i < n_dst; i++) {
        arrive[i] = t;
        free_s[i] = 0;
        if (dst[i] == m->src)
            continue;
        /* the trunk leaves the source as it is; every later branch is a copy */
        int is_copy = branches++ > 0;
        double at = t, heads = 0, tail = 0, delay = is_copy ? copy : 0.0;
        if (is_copy)
            c->copies += m->packets;
        uint32_t x = sx, y = sy, bx, by, lx = sx % n->mesh_w, ly = sy % n->mesh_h;
        coords(n, dst[i], &bx, &by);
        while (x != bx || y != by) {
            struct hop h;
            next_hop(n, m, x, y, lx, ly, bx, by, &h);
            if (n->tree_gen[h.link] == n->gen) { /* on the tree: where its head is */
                at = n->tree_at[h.link];
                heads = n->tree_free[h.link];
                tail = n->tree_lag[h.link];
            } else { /* a link of its own: the branch starts here */
                at += delay;
                heads += delay;
                delay = 0;
                at = hop_take(n, &h, m, at, is_analytic, c);
                heads += h.head;
                tail = h.lag > tail ? h.lag : tail;
                n->tree_gen[h.link] = n->gen;
                n->tree_at[h.link] = at;
                n->tree_free[h.link] = heads;
                n->tree_lag[h.link] = tail;
            }
            step(n, &h, &x, &y, &lx, &ly);
        }
        if (x == sx && y == sy) { /* a core of the source's tile: its local port */
            c->local += m->packets;
            tail = m->packets * local;
        }
        arrive[i] = at + delay + tail; /* delay left: the copy made at its own router */
        free_s[i] = heads + delay + tail;
    }
}

/* ---- a core's units ----------------------------------------------------------------- */

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

double eng_depart(double need, double ready, double *free, double *busy)
{
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
