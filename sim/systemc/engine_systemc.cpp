/* The SystemC engine: the rounds of engine.h timed by SystemC modules that
 * exchange TLM-2.0 transactions (docs/simulator.md, "The SystemC engine").
 *
 * Place in the pipeline: sim.c builds a round of work and hands it either to
 * eng_round_run (engine.c) or to eng_systemc_round_run (this file); both
 * fill the same eng_state and eng_net, so the rest of the simulator cannot
 * tell them apart. The costs and rules come from engine.c's shared pieces
 * (eng_run_job, eng_depart, eng_next_hop, eng_hop_take, ...); what this file
 * adds is the structure and the order of events:
 *
 *   Core   one per core. A thread that runs the core's local job through its
 *          pipeline (the DRAM part through its chip's Dram channel) and
 *          sends its messages through axon_out, ahead of the kernel's clock
 *          as loosely-timed models do, then serves its arrivals in time
 *          order, waiting on the clock for each.
 *   Dram   one per chip: the shared DRAM channel; a round's requests are
 *          served in order of request time, ties in core order.
 *   Injector  the network interface: every departure is handed to it with
 *          its departure as the annotated delay, and it injects them into
 *          the source routers at their time, in time order, ties in send
 *          order (the order the native engine routes them in; the SystemC
 *          kernel itself leaves the order of simultaneous processes open).
 *   Router one per router of the global mesh. Its b_transport forwards a
 *          message one XY hop, adding the hop's time (link contention
 *          included) to the annotated delay, or delivers it to a core of its
 *          tile.
 *   ChipLink  one per link across a chip's edge: the inter-chip latency and
 *          bandwidth, with contention.
 *
 * Times: the kernel's clock is an integer count of picoseconds while the
 * native engine computes in double seconds. Every transaction carries its
 * exact time (Packet::t) beside the annotated delay; the kernel's time of an
 * event is its exact time rounded to the clock (Round::at), a monotonic map,
 * so events happen in the same order and the times read back are the exact
 * ones: the report is identical to the native engine's.
 *
 * The module graph is elaborated once per process, sized to the first
 * system it times (SystemC cannot elaborate twice); a later run on a system
 * of another size is refused. Limits: MAX_CORES cores, MAX_ROUTERS routers,
 * MAX_MESSAGES messages per round. One thread: --threads is ignored. */
extern "C" {
#include "ax_log.h"
#include "engine.h"
}

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <memory>
#include <queue>
#include <string>
#include <vector>

using sc_core::sc_event;
using sc_core::sc_module;
using sc_core::sc_module_name;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace
{

/* What this engine accepts; larger programs are refused with AX_ERR_LIMIT. */
constexpr uint32_t MAX_CORES = 4096; /* one SystemC thread each */
constexpr uint32_t MAX_ROUTERS = 16384;
constexpr uint64_t MAX_MESSAGES = 1u << 20; /* per round */

/* A message in flight: the payload's data. */
struct Packet {
    uint64_t msg; /* index into the round's messages */
    double t;     /* exact time of its head at the current point */
    double tail;  /* the last packet's lag behind the head, so far */
};

/* The round being timed: set before each sc_start, read by every module. */
struct Round {
    eng_state *st = nullptr;
    eng_net *net = nullptr;
    eng_round *r = nullptr;
    eng_counts *c = nullptr;
    const ax_arch_t *arch = nullptr;
    int is_analytic = 0;
    double t0 = 0;                             /* exact time that maps to `base` */
    sc_time base;                              /* the kernel's time when the round starts */
    std::vector<uint64_t> out_first, out_msgs; /* per source: its messages in send order */
    std::vector<uint64_t> n_in;                /* per destination: arrivals to expect */
    std::vector<uint32_t> dram_requests;       /* per chip: cores that use the DRAM channel */
    std::vector<Packet> packets;               /* per message */
    uint32_t n_active = 0, n_done = 0;         /* cores with work; finished */

    double ticks_per_s = 0; /* the kernel's resolution */

    /* The kernel's time of exact time `t` (never before t0): rounded to the
     * resolution, a monotonic map. */
    sc_time at(double t) const
    {
        return t > t0
                   ? base + sc_time::from_value(static_cast<uint64_t>((t - t0) * ticks_per_s + 0.5))
                   : base;
    }
    /* How far the kernel's time of `t` is after `now` (zero if it is not). */
    sc_time after(double t, const sc_time &now) const
    {
        sc_time k = at(t);
        return k > now ? k - now : SC_ZERO_TIME;
    }
    double *row(double *a, uint32_t core) const
    {
        return &a[(size_t)core * ENG_SERVER_COUNT];
    }
};

Round g_round;

/* Fills a write transaction to `address` carrying `p`. */
void payload_set(tlm::tlm_generic_payload &gp, uint64_t address, Packet *p)
{
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(address);
    gp.set_data_ptr(reinterpret_cast<unsigned char *>(p));
    gp.set_data_length(sizeof *p);
    gp.set_streaming_width(sizeof *p);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

Packet &payload_packet(tlm::tlm_generic_payload &gp)
{
    return *reinterpret_cast<Packet *>(gp.get_data_ptr());
}

/* ---- the DRAM channel of a chip ------------------------------------------------- */

struct Dram : sc_module {
    tlm_utils::multi_passthrough_target_socket<Dram> in;
    uint32_t chip;

    struct Request {
        double t, need, end;
        uint32_t core;
        bool is_done;
    };
    std::vector<Request *> pending;
    sc_event served;

    Dram(sc_module_name name, uint32_t chip_) : sc_module(name), in("in"), chip(chip_)
    {
        in.register_b_transport(this, &Dram::b_transport);
    }

    /* A core's request: address = the core, data = {request time, service}.
     * Blocks until every request of the round has come, then serves them
     * in order of time, ties in core order; returns the end in data[0] and
     * the wait plus service as the annotated delay. */
    void b_transport(int, tlm::tlm_generic_payload &gp, sc_time &delay)
    {
        Round &R = g_round;
        double *d = reinterpret_cast<double *>(gp.get_data_ptr());
        Request q = {d[0], d[1], 0, static_cast<uint32_t>(gp.get_address()), false};
        pending.push_back(&q);
        if (pending.size() == R.dram_requests[chip]) {
            std::sort(pending.begin(), pending.end(), [](const Request *a, const Request *b) {
                return a->t != b->t ? a->t < b->t : a->core < b->core;
            });
            double *dram = &R.st->dram_free[chip];
            for (Request *x : pending) {
                eng_job j = {};
                j.s[ENG_DRAM] = x->need;
                double unused[ENG_SERVER_COUNT] = {};
                x->end = eng_run_job(x->t, &j, unused, R.row(R.st->busy, x->core), dram);
                x->is_done = true;
            }
            pending.clear();
            served.notify(SC_ZERO_TIME);
        }
        while (!q.is_done)
            wait(served);
        d[0] = q.end;
        delay += R.after(q.end, sc_core::sc_time_stamp() + delay);
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

/* ---- the network interface -------------------------------------------------------- */

struct Injector : sc_module {
    tlm_utils::multi_passthrough_target_socket<Injector> in;     /* from every core */
    tlm_utils::multi_passthrough_initiator_socket<Injector> out; /* to every router */
    sc_event all_posted, progress;

    struct Due {
        double t;
        uint64_t msg;
        bool operator>(const Due &o) const
        {
            return t != o.t ? t > o.t : msg > o.msg;
        }
    };
    std::priority_queue<Due, std::vector<Due>, std::greater<Due>> queue;
    uint64_t n_posted = 0;
    bool is_open = false; /* every departure of the round is known */
    tlm::tlm_generic_payload gp;

    SC_HAS_PROCESS(Injector);
    explicit Injector(sc_module_name name) : sc_module(name), in("in"), out("out")
    {
        in.register_b_transport(this, &Injector::b_transport);
        SC_THREAD(inject);
        set_stack_size(64u << 20); /* a route is a chain of b_transport calls on this stack */
    }

    void round_begin()
    {
        n_posted = 0;
        is_open = false;
    }

    /* A departure: data = its Packet (exact departure time), annotated
     * delay = until it leaves. It enters the network then. */
    void b_transport(int, tlm::tlm_generic_payload &g, sc_time &)
    {
        Packet &p = payload_packet(g);
        queue.push({p.t, p.msg});
        if (++n_posted == g_round.r->n_msgs) {
            is_open = true;
            all_posted.notify(SC_ZERO_TIME);
        }
        g.set_response_status(tlm::TLM_OK_RESPONSE);
    }

    /* Every departure up to exact time `t` has entered the network. */
    bool is_through(double t) const
    {
        return is_open && (queue.empty() || queue.top().t > t);
    }

    void inject()
    {
        for (;;) {
            wait(all_posted);
            Round &R = g_round;
            while (!queue.empty()) {
                sc_time wait_for = R.after(queue.top().t, sc_core::sc_time_stamp());
                if (wait_for > SC_ZERO_TIME)
                    wait(wait_for);
                sc_time now = sc_core::sc_time_stamp();
                while (!queue.empty() && R.at(queue.top().t) <= now) {
                    Due d = queue.top();
                    queue.pop();
                    const eng_msg *m = &R.r->msgs[d.msg];
                    R.c->packets += m->packets;
                    uint32_t x, y;
                    eng_coords(R.net, m->src, &x, &y);
                    payload_set(gp, m->dst, &R.packets[d.msg]);
                    sc_time delay = SC_ZERO_TIME;
                    out[y * R.net->gw + x]->b_transport(gp, delay);
                }
                progress.notify(SC_ZERO_TIME);
            }
            progress.notify(SC_ZERO_TIME);
        }
    }
};

/* ---- routers and links ------------------------------------------------------------ */

/* Adds the move of a packet's head to exact time `t` to the annotated delay. */
void advance(Packet &p, double t, sc_time &delay)
{
    delay += g_round.at(t) - g_round.at(p.t);
    p.t = t;
}

struct Router : sc_module {
    tlm_utils::multi_passthrough_target_socket<Router> in;
    tlm_utils::multi_passthrough_initiator_socket<Router> out;
    uint32_t x, y;
    int port_dir[AX_DIR_COUNT] = {-1, -1, -1, -1}; /* out's index per direction */
    int port_core0 = -1;                           /* out's index of the tile's first core */

    Router(sc_module_name name, uint32_t x_, uint32_t y_)
        : sc_module(name), in("in"), out("out"), x(x_), y(y_)
    {
        in.register_b_transport(this, &Router::b_transport);
    }

    /* A message's head at this router (address = its destination core). */
    void b_transport(int, tlm::tlm_generic_payload &gp, sc_time &delay)
    {
        Round &R = g_round;
        Packet &p = payload_packet(gp);
        const eng_msg *m = &R.r->msgs[p.msg];
        uint32_t dst = static_cast<uint32_t>(gp.get_address()), bx, by, sx, sy;
        eng_coords(R.net, dst, &bx, &by);
        if (bx == x && by == y) { /* its tile: through the local port to the core */
            eng_coords(R.net, m->src, &sx, &sy);
            advance(p, sx == x && sy == y ? eng_local_pass(R.net, m, p.t, R.c) : p.t + p.tail,
                    delay);
            uint32_t local = dst % R.net->cores_per_chip % R.net->cores_per_tile;
            out[port_core0 + static_cast<int>(local)]->b_transport(gp, delay);
            return;
        }
        eng_hop h;
        eng_next_hop(R.net, m, x, y, bx, by, &h);
        if (!h.is_chip_edge) { /* the link leaving this router; a chip link times itself */
            double t = eng_hop_take(R.net, &h, m, p.t, R.is_analytic, R.c);
            if (h.lag > p.tail)
                p.tail = h.lag;
            advance(p, t, delay);
        }
        out[port_dir[h.dir]]->b_transport(gp, delay);
    }
};

struct ChipLink : sc_module {
    tlm_utils::simple_target_socket<ChipLink> in;
    tlm_utils::simple_initiator_socket<ChipLink> out;
    uint32_t x, y; /* the router it leaves */

    ChipLink(sc_module_name name, uint32_t x_, uint32_t y_)
        : sc_module(name), in("in"), out("out"), x(x_), y(y_)
    {
        in.register_b_transport(this, &ChipLink::b_transport);
    }

    void b_transport(tlm::tlm_generic_payload &gp, sc_time &delay)
    {
        Round &R = g_round;
        Packet &p = payload_packet(gp);
        const eng_msg *m = &R.r->msgs[p.msg];
        uint32_t bx, by;
        eng_coords(R.net, m->dst, &bx, &by);
        eng_hop h;
        eng_next_hop(R.net, m, x, y, bx, by, &h);
        double t = eng_hop_take(R.net, &h, m, p.t, R.is_analytic, R.c);
        if (h.lag > p.tail)
            p.tail = h.lag;
        advance(p, t, delay);
        out->b_transport(gp, delay);
    }
};

/* ---- cores ------------------------------------------------------------------------- */

struct Core : sc_module {
    tlm_utils::simple_initiator_socket<Core> to_dram;
    tlm_utils::simple_initiator_socket<Core> to_net;
    tlm_utils::simple_target_socket<Core> from_net;
    uint32_t id;
    Injector *injector;
    sc_event start, delivered;
    std::priority_queue<eng_arrival, std::vector<eng_arrival>,
                        bool (*)(const eng_arrival &, const eng_arrival &)>
        inbox;
    uint64_t n_delivered = 0;
    tlm::tlm_generic_payload gp;

    static bool later(const eng_arrival &a, const eng_arrival &b)
    {
        return eng_arrival_cmp(&a, &b) > 0;
    }

    SC_HAS_PROCESS(Core);
    Core(sc_module_name name, uint32_t id_, Injector *inj)
        : sc_module(name), to_dram("to_dram"), to_net("to_net"), from_net("from_net"), id(id_),
          injector(inj), inbox(later)
    {
        from_net.register_b_transport(this, &Core::deliver);
        SC_THREAD(run);
        set_stack_size(256u << 10);
    }

    /* A message for this core: address = this core, data = its Packet with
     * the exact arrival time. */
    void deliver(tlm::tlm_generic_payload &g, sc_time &)
    {
        Packet &p = payload_packet(g);
        inbox.push({p.t, p.msg});
        n_delivered++;
        delivered.notify(SC_ZERO_TIME);
        g.set_response_status(tlm::TLM_OK_RESPONSE);
    }

    /* Waits until the kernel reaches exact time `t`. */
    void sync(double t)
    {
        sc_time d = g_round.after(t, sc_core::sc_time_stamp());
        if (d > SC_ZERO_TIME)
            wait(d);
    }

    /* The DRAM part of the local job, from `t`; returns when it is done. */
    double dram(double t, double need)
    {
        double d[2] = {t, need};
        tlm::tlm_generic_payload g;
        g.set_command(tlm::TLM_WRITE_COMMAND);
        g.set_address(id);
        g.set_data_ptr(reinterpret_cast<unsigned char *>(d));
        g.set_data_length(sizeof d);
        g.set_streaming_width(sizeof d);
        sc_time delay = SC_ZERO_TIME;
        to_dram->b_transport(g, delay);
        return d[0];
    }

    void run()
    {
        for (;;) {
            wait(start);
            Round &R = g_round;
            double *free = R.row(R.st->server_free, id), *busy = R.row(R.st->busy, id);
            double ready = R.st->ready[id];
            /* 1. the local job and 2. the departures run ahead of the
             *    kernel's clock (temporal decoupling, as loosely-timed TLM
             *    models do): each departure carries its time as the
             *    annotated delay and the network interface holds it until
             *    then. Arrivals are served on the clock. */
            if (R.r->has_local[id]) {
                eng_job j = R.r->local[id];
                double t = ready;
                if (j.s[ENG_DRAM] > 0) {
                    t = dram(t, j.s[ENG_DRAM]);
                    j.s[ENG_DRAM] = 0;
                }
                ready = eng_run_job(t, &j, free, busy, nullptr);
            }
            /* departures through axon_out, in send order */
            double last = ready;
            for (uint64_t k = R.out_first[id]; k < R.out_first[id + 1]; k++) {
                uint64_t i = R.out_msgs[k];
                const eng_msg *m = &R.r->msgs[i];
                double dep = eng_depart(R.arch, m, ready, free, busy);
                R.packets[i] = Packet{i, dep, 0};
                payload_set(gp, m->dst, &R.packets[i]);
                sc_time delay = R.after(dep, sc_core::sc_time_stamp());
                to_net->b_transport(gp, delay);
                if (dep > last)
                    last = dep;
            }
            ready = last;
            /* 3. arrivals in time order (ties in send order) */
            double done = ready;
            uint64_t expect = R.n_in[id];
            if (R.is_analytic) {
                while (n_delivered < expect)
                    wait(delivered);
                std::vector<eng_arrival> arr;
                arr.reserve(expect);
                for (; !inbox.empty(); inbox.pop())
                    arr.push_back(inbox.top());
                if (!arr.empty())
                    sync(arr.back().t);
                done = eng_serve_analytic(R.arch, R.r->msgs, arr.data(), arr.size(), ready, busy);
            } else {
                for (uint64_t served = 0; served < expect;) {
                    /* the next arrival is final once nothing can still depart
                     * before it (a message arrives no earlier than it leaves) */
                    if (inbox.empty()) {
                        wait(delivered);
                        continue;
                    }
                    if (!injector->is_through(inbox.top().t)) {
                        /* until its time, unless an earlier one comes */
                        sc_time d = R.after(inbox.top().t, sc_core::sc_time_stamp());
                        if (d > SC_ZERO_TIME)
                            wait(d, delivered);
                        else
                            wait(injector->progress | delivered);
                        continue;
                    }
                    eng_arrival a = inbox.top();
                    inbox.pop();
                    sync(a.t);
                    double end =
                        eng_serve_arrival(R.arch, &R.r->msgs[a.msg], a.t, ready, free, busy);
                    if (end > done)
                        done = end;
                    served++;
                }
            }
            n_delivered = 0;
            R.st->ready[id] = done;
            sync(done);
            R.n_done++;
        }
    }
};

/* ---- the system -------------------------------------------------------------------- */

/* The shape the module graph was elaborated for. */
struct Shape {
    uint32_t n_cores, n_chips, cores_per_chip, cores_per_tile, mesh_w, mesh_h, grid_w, grid_h;
    bool operator==(const Shape &o) const
    {
        return n_cores == o.n_cores && n_chips == o.n_chips && cores_per_chip == o.cores_per_chip &&
               cores_per_tile == o.cores_per_tile && mesh_w == o.mesh_w && mesh_h == o.mesh_h &&
               grid_w == o.grid_w && grid_h == o.grid_h;
    }
};

struct System {
    Shape shape;
    std::unique_ptr<Injector> injector;
    std::vector<std::unique_ptr<Dram>> drams;
    std::vector<std::unique_ptr<Router>> routers;
    std::vector<std::unique_ptr<ChipLink>> links;
    std::vector<std::unique_ptr<Core>> cores;

    explicit System(const Shape &s, const eng_net *net) : shape(s)
    {
        injector.reset(new Injector("injector"));
        for (uint32_t c = 0; c < s.n_chips; c++)
            drams.emplace_back(new Dram(("dram_" + std::to_string(c)).c_str(), c));
        uint32_t gw = net->gw, gh = net->gh;
        for (uint32_t y = 0; y < gh; y++)
            for (uint32_t x = 0; x < gw; x++) {
                routers.emplace_back(new Router(
                    ("router_" + std::to_string(x) + "_" + std::to_string(y)).c_str(), x, y));
                injector->out.bind(routers.back()->in);
            }
        /* the mesh: each router's outgoing link per direction, a chip link
         * where the hop crosses a chip's edge */
        for (uint32_t y = 0; y < gh; y++)
            for (uint32_t x = 0; x < gw; x++) {
                Router *r = routers[y * gw + x].get();
                int port = 0;
                for (int d = 0; d < AX_DIR_COUNT; d++) {
                    int dx = d == AX_DIR_EAST ? 1 : d == AX_DIR_WEST ? -1 : 0;
                    int dy = d == AX_DIR_SOUTH ? 1 : d == AX_DIR_NORTH ? -1 : 0;
                    if ((dx < 0 && x == 0) || (dx > 0 && x + 1 == gw) || (dy < 0 && y == 0) ||
                        (dy > 0 && y + 1 == gh))
                        continue;
                    uint32_t nx = x + dx, ny = y + dy;
                    Router *to = routers[ny * gw + nx].get();
                    r->port_dir[d] = port++;
                    if (nx / net->mesh_w != x / net->mesh_w ||
                        ny / net->mesh_h != y / net->mesh_h) {
                        links.emplace_back(
                            new ChipLink(("chiplink_" + std::to_string(x) + "_" +
                                          std::to_string(y) + "_" + ax_dir_str((enum ax_dir)d))
                                             .c_str(),
                                         x, y));
                        r->out.bind(links.back()->in);
                        links.back()->out.bind(to->in);
                    } else {
                        r->out.bind(to->in);
                    }
                }
                r->port_core0 = port;
            }
        /* the cores, by tile: router (x, y) serves its tile's cores */
        for (uint32_t k = 0; k < s.n_cores; k++) {
            cores.emplace_back(new Core(("core_" + std::to_string(k)).c_str(), k, injector.get()));
            Core *c = cores.back().get();
            uint32_t x, y;
            eng_coords(net, k, &x, &y);
            routers[y * gw + x]->out.bind(c->from_net);
            c->to_net.bind(injector->in);
            c->to_dram.bind(drams[k / s.cores_per_chip]->in);
        }
    }
};

System *g_system;

Shape shape_of(const eng_state *st, const eng_net *net)
{
    return Shape{st->n_cores, st->n_chips, net->cores_per_chip, net->cores_per_tile,
                 net->mesh_w, net->mesh_h, net->grid_w,         net->grid_h};
}

ax_status elaborate(const eng_state *st, const eng_net *net)
{
    Shape s = shape_of(st, net);
    if (g_system) {
        if (g_system->shape == s)
            return AX_OK;
        AX_LOG_ERROR(
            "the SystemC engine was elaborated for %u cores on %u chips in this process; "
            "SystemC elaborates once per process, so a run on %u cores on %u chips needs a "
            "new process",
            g_system->shape.n_cores, g_system->shape.n_chips, s.n_cores, s.n_chips);
        return AX_ERR_UNSUPPORTED;
    }
    if (s.n_cores > MAX_CORES || (uint64_t)net->gw * net->gh > MAX_ROUTERS) {
        AX_LOG_ERROR(
            "the SystemC engine times at most %u cores and %u routers; this program's system "
            "has %u cores and %u routers (use --engine native)",
            MAX_CORES, MAX_ROUTERS, s.n_cores, net->gw * net->gh);
        return AX_ERR_LIMIT;
    }
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0); /* no banner, before the kernel exists */
    if (sc_core::sc_get_status() != sc_core::SC_ELABORATION ||
        !sc_core::sc_get_top_level_objects().empty()) {
        AX_LOG_ERROR("the SystemC engine needs a SystemC kernel of its own, and this process "
                     "already has a SystemC design (use the native engine)");
        return AX_ERR_UNSUPPORTED;
    }
    g_system = new System(s, net);
    sc_core::sc_start(SC_ZERO_TIME); /* elaboration and the processes' first wait */
    return AX_OK;
}

/* Groups the round's messages by source and counts arrivals and DRAM users. */
void round_prepare(Round &R)
{
    uint32_t n = R.st->n_cores;
    R.out_first.assign(n + 1, 0);
    R.n_in.assign(n, 0);
    R.dram_requests.assign(R.st->n_chips, 0);
    R.packets.resize(R.r->n_msgs);
    for (uint64_t i = 0; i < R.r->n_msgs; i++) {
        R.out_first[R.r->msgs[i].src + 1]++;
        R.n_in[R.r->msgs[i].dst]++;
    }
    for (uint32_t k = 0; k < n; k++)
        R.out_first[k + 1] += R.out_first[k];
    R.out_msgs.resize(R.r->n_msgs);
    std::vector<uint64_t> fill(R.out_first.begin(), R.out_first.end() - 1);
    for (uint64_t i = 0; i < R.r->n_msgs; i++)
        R.out_msgs[fill[R.r->msgs[i].src]++] = i;
    R.t0 = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (R.r->has_local[k] && R.r->local[k].s[ENG_DRAM] > 0)
            R.dram_requests[k / R.net->cores_per_chip]++;
        if (k == 0 || R.st->ready[k] < R.t0)
            R.t0 = R.st->ready[k];
    }
}

ax_status round_run(eng_state *st, eng_net *net, eng_round *r, eng_counts *c)
{
    if (r->n_msgs > MAX_MESSAGES) {
        AX_LOG_ERROR(
            "the SystemC engine times at most %llu messages per round; this round has %llu "
            "(use --engine native)",
            (unsigned long long)MAX_MESSAGES, (unsigned long long)r->n_msgs);
        return AX_ERR_LIMIT;
    }
    ax_status s = elaborate(st, net);
    if (s != AX_OK)
        return s;
    Round &R = g_round;
    R.st = st;
    R.net = net;
    R.r = r;
    R.c = c;
    R.arch = net->arch;
    R.is_analytic = st->is_analytic;
    R.base = sc_core::sc_time_stamp();
    R.ticks_per_s = 1 / sc_core::sc_get_time_resolution().to_seconds();
    round_prepare(R);
    R.n_active = R.n_done = 0;
    g_system->injector->round_begin();
    for (uint32_t k = 0; k < st->n_cores; k++) {
        if (!r->has_local[k] && R.out_first[k] == R.out_first[k + 1] && !R.n_in[k])
            continue;
        R.n_active++;
        g_system->cores[k]->start.notify(SC_ZERO_TIME);
    }
    if (!R.n_active)
        return AX_OK;
    sc_core::sc_start();
    if (R.n_done != R.n_active) {
        AX_LOG_ERROR("internal: the SystemC engine stopped with %u of %u cores unfinished",
                     R.n_active - R.n_done, R.n_active);
        return AX_ERR_INTERNAL;
    }
    return AX_OK;
}

} // namespace

extern "C" int ax_sim_has_systemc(void)
{
    return 1;
}

extern "C" ax_status eng_systemc_round_run(struct eng_state *st, struct eng_net *net,
                                           struct eng_round *r, struct eng_counts *c)
{
    /* this engine writes the times of any core it models: all of them are
     * touched (it times at most MAX_CORES) */
    for (uint32_t k = 0; k < st->n_cores; k++)
        eng_touch(st, k);
    try {
        return round_run(st, net, r, c);
    } catch (const std::bad_alloc &) {
        return AX_ERR_NOMEM;
    } catch (const std::exception &e) {
        AX_LOG_ERROR("the SystemC kernel: %s", e.what());
        return AX_ERR_INTERNAL;
    }
}
