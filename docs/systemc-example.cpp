/* An axon chip in a SystemC virtual platform (docs/systemc.md).
 *
 * A host sends the tokens of a prompt, one write transaction each, to an
 * axon::Chip running a compiled program; the chip answers with each token's
 * latency (as the annotated delay, which the host waits out) and energy.
 *
 *   axon compile models/nets/spikingbrain-tiny --chip models/chips/loihi2-like.yaml -o tiny.axb
 *   systemc_example models/chips/loihi2-like.yaml tiny.axb "The bakery"
 *
 * Built against the CMake target axon_systemc (tests/systemc/CMakeLists.txt
 * builds and runs it). */
#include "axon_systemc.h"

#include <cstdio>
#include <exception>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <utility>
#include <vector>

/* The platform's side: sends the tokens in order and waits out each
 * token's latency before the next (a loosely-timed initiator). */
struct Host : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Host> socket;
    std::vector<int32_t> tokens;
    uint64_t cycles = 0;
    double dynamic_j = 0, static_j = 0;
    unsigned n_done = 0, n_validated = 0;
    bool has_failed = false;

    SC_HAS_PROCESS(Host);
    Host(sc_core::sc_module_name name, std::vector<int32_t> ids)
        : sc_module(name), socket("socket"), tokens(std::move(ids))
    {
        SC_THREAD(run);
    }

    void run()
    {
        for (int32_t id : tokens) {
            axon::Token t;
            t.id = id;
            tlm::tlm_generic_payload gp;
            gp.set_command(tlm::TLM_WRITE_COMMAND);
            gp.set_address(0);
            gp.set_data_ptr(reinterpret_cast<unsigned char *>(&t));
            gp.set_data_length(sizeof t);
            gp.set_streaming_width(sizeof t);
            gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            socket->b_transport(gp, delay);
            if (gp.is_response_error()) {
                std::fprintf(stderr, "token %d: %s\n", id, gp.get_response_string().c_str());
                has_failed = true;
                return;
            }
            wait(delay); /* the chip's latency for this token */
            std::printf("token %u (id %d): %llu cycles, %.6g s, dynamic %.6g J, static %.6g J%s, "
                        "done at %s\n",
                        t.index, id, static_cast<unsigned long long>(t.cycles), t.seconds,
                        t.dynamic_j, t.static_j, t.is_validated ? ", bit exact" : "",
                        sc_core::sc_time_stamp().to_string().c_str());
            cycles += t.cycles;
            dynamic_j += t.dynamic_j;
            static_j += t.static_j;
            n_done++;
            n_validated += t.is_validated;
        }
    }
};

int sc_main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        std::fprintf(stderr, "usage: %s CHIP.yaml PROGRAM.axb [PROMPT]\n", argv[0]);
        return 2;
    }
    try {
        axon::Chip npu("npu", argv[1], argv[2]);
        std::vector<int32_t> ids = npu.tokenize(argc > 3 ? argv[3] : "The bakery");
        std::printf("chip %s, model %s, %u cores used, %s mode, %zu tokens\n",
                    npu.chip_name().c_str(), npu.model_name().c_str(), npu.cores_used(),
                    npu.is_functional() ? "functional" : "counting", ids.size());
        Host host("host", ids);
        host.socket.bind(npu.socket);
        sc_core::sc_start();
        std::printf("total: %u tokens, %llu cycles, dynamic %.6g J, static %.6g J, %u bit exact, "
                    "simulated time %s\n",
                    host.n_done, static_cast<unsigned long long>(host.cycles), host.dynamic_j,
                    host.static_j, host.n_validated, sc_core::sc_time_stamp().to_string().c_str());
        return host.has_failed || host.n_done != ids.size() ? 1 : 0;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
