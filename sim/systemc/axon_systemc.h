/* axon as a SystemC/TLM-2.0 model: an axon chip running a compiled program,
 * for a virtual platform's own sc_main (docs/systemc.md; CMake target
 * axon_systemc).
 *
 *     axon::Chip npu("npu", "tiny.axb");   // on the chip the program embeds
 *     host.socket.bind(npu.socket);
 *
 * A token goes in as a write transaction to the chip's target socket whose
 * data is one axon::Token (address 0, data length sizeof(axon::Token)). The
 * chip simulates that token after the ones it was given before, once (the
 * program's state between tokens is kept), and writes the token's figures
 * into the same Token: its latency and its energy, as `axon sim` reports
 * them. The latency, after any wait while the chip is still busy with an
 * earlier token, is added to the annotated delay, so a loosely-timed
 * initiator sees the chip take its time.
 *
 * The chip needs the program only: no model, so no tokenizer: the platform
 * sends token ids. It runs in functional mode on the weights the program
 * carries (`axon compile` writes them when it embeds the checkpoint), or in
 * counting mode when it carries none (spikes drawn from the published
 * statistics; the token id is not used). It does not check values
 * against a reference: `axon sim` does. The chip's internals are timed by
 * axon's native engine: the platform's SystemC kernel is the one running,
 * so the chip cannot run its own.
 *
 * Errors: the constructor throws std::runtime_error (the diagnostics are
 * printed on standard error first); a transaction that is not a write of
 * one Token to address 0 gets TLM_COMMAND_ERROR_RESPONSE,
 * TLM_BURST_ERROR_RESPONSE or TLM_ADDRESS_ERROR_RESPONSE, and a token the
 * simulator refuses gets TLM_GENERIC_ERROR_RESPONSE. */
#ifndef AXON_SYSTEMC_H
#define AXON_SYSTEMC_H

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace axon
{

/* The data of one transaction. */
struct Token {
    int32_t id = 0;            /* in: the token id */
    uint32_t index = 0;        /* out: its 0-based position in the sequence */
    uint64_t cycles = 0;       /* out: its latency in chip cycles */
    double seconds = 0;        /* out: the same in seconds */
    double dynamic_j = 0;      /* out: the energy of its events (every category but static) */
    double static_j = 0;       /* out: static power over its latency */
};

class Chip : public sc_core::sc_module
{
  public:
    /* Where tokens go in (see above). */
    tlm_utils::simple_target_socket<Chip> socket;

    /* Opens `program` (written by `axon compile -o`) on the chip it embeds,
     * or on the chip described by `chip_yaml` when it is not empty: a chip
     * of the geometry the program was compiled for (its costs may differ).
     * Throws std::runtime_error when it cannot. */
    Chip(sc_core::sc_module_name name, const std::string &program,
         const std::string &chip_yaml = std::string());
    ~Chip() override;
    Chip(const Chip &) = delete;
    Chip &operator=(const Chip &) = delete;

    std::string chip_name() const;
    std::string model_name() const;
    uint32_t cores_used() const;
    double clock_hz() const;
    bool is_functional() const;

  private:
    void b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);

    struct Impl;
    std::unique_ptr<Impl> impl_;
    sc_core::sc_time busy_until_; /* when the chip has finished its last token */
};

} // namespace axon

#endif
