/* An axon chip in a SystemC virtual platform (docs/systemc.md).
 *
 * A host sends token ids, one write transaction each, to an axon::Chip
 * running a compiled program; the chip answers with each token's latency
 * (as the annotated delay, which the host waits out) and energy.
 *
 *   axon compile models/nets/spikingbrain-tiny --chip models/chips/loihi2-like.yaml -o tiny.axb
 *   systemc_example tiny.axb 84 104 101
 *   systemc_example tiny.axb --chip models/chips/loihi2-like.yaml 84 104 101
 *
 * Built against the CMake target axon_systemc (tests/systemc/CMakeLists.txt
 * builds and runs it). */
#include "axon_systemc.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
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
    unsigned n_done = 0;
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
            std::printf("token %u (id %d): %llu cycles, %.9g s, dynamic %.9g J, static %.9g J, "
                        "done at %s\n",
                        t.index, id, static_cast<unsigned long long>(t.cycles), t.seconds,
                        t.dynamic_j, t.static_j, sc_core::sc_time_stamp().to_string().c_str());
            cycles += t.cycles;
            dynamic_j += t.dynamic_j;
            static_j += t.static_j;
            n_done++;
        }
    }
};

int sc_main(int argc, char **argv)
{
    /* PROGRAM.axb [--chip CHIP.yaml] [ID...]: the chip has no tokenizer (it
     * needs the program only), so the platform sends token ids */
    std::string chip;
    std::vector<int32_t> ids;
    int i = 2;
    if (argc >= 4 && std::strcmp(argv[2], "--chip") == 0) {
        chip = argv[3];
        i = 4;
    }
    for (; i < argc; i++)
        ids.push_back(static_cast<int32_t>(std::strtol(argv[i], nullptr, 10)));
    if (argc < 2 || argv[1][0] == '-') {
        std::fprintf(stderr, "usage: %s PROGRAM.axb [--chip CHIP.yaml] [ID...]\n", argv[0]);
        return 2;
    }
    if (ids.empty())
        ids = {84, 104, 101}; /* "The" in the small model's byte-level vocabulary */
    try {
        axon::Chip npu("npu", argv[1], chip);
        std::printf("chip %s, model %s, %u cores used, %s mode, %zu tokens\n",
                    npu.chip_name().c_str(), npu.model_name().c_str(), npu.cores_used(),
                    npu.is_functional() ? "functional" : "counting", ids.size());
        Host host("host", ids);
        host.socket.bind(npu.socket);
        sc_core::sc_start();
        std::printf("total: %u tokens, %llu cycles, dynamic %.9g J, static %.9g J, "
                    "simulated time %s\n",
                    host.n_done, static_cast<unsigned long long>(host.cycles), host.dynamic_j,
                    host.static_j, sc_core::sc_time_stamp().to_string().c_str());
        return host.has_failed || host.n_done != ids.size() ? 1 : 0;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
