/* axon::Chip: the C half (sc_chip.c) behind a TLM-2.0 target socket
 * (axon_systemc.h). */
#include "axon_systemc.h"

#include "sc_chip.h"

#include <cstdio>
#include <stdexcept>

namespace axon
{

/* The opened program and the diagnostics of its last call. */
struct Chip::Impl {
    ax_sc_chip_t *chip = nullptr;
    ~Impl()
    {
        ax_sc_chip_close(chip);
    }
};

namespace
{

/* Prints and frees the diagnostics of a call. */
void flush(struct ax_diag_list *diags)
{
    ax_diag_print(diags, stderr);
    ax_diag_list_free(diags);
    ax_diag_list_init(diags);
}

} // namespace

Chip::Chip(sc_core::sc_module_name name, const std::string &program, const std::string &chip_yaml)
    : sc_module(name), socket("socket"), impl_(new Impl)
{
    socket.register_b_transport(this, &Chip::b_transport);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    /* NULL: the weights the program carries (functional mode), or counting
     * mode for a program that carries none. */
    const struct ax_exec_weights *weights = nullptr;
    ax_status st = ax_sc_chip_open(program.c_str(), chip_yaml.empty() ? nullptr : chip_yaml.c_str(),
                                   weights, &impl_->chip, &diags);
    flush(&diags);
    if (st != AX_OK)
        throw std::runtime_error(std::string(this->name()) + ": cannot open " + program +
                                 (chip_yaml.empty() ? std::string() : " on " + chip_yaml) + ": " +
                                 ax_status_str(st));
}

Chip::~Chip() = default;

std::string Chip::chip_name() const
{
    return ax_sc_chip_name(impl_->chip);
}
std::string Chip::model_name() const
{
    return ax_sc_chip_model(impl_->chip);
}
uint32_t Chip::cores_used() const
{
    return ax_sc_chip_cores_used(impl_->chip);
}
double Chip::clock_hz() const
{
    return ax_sc_chip_clock_hz(impl_->chip);
}
bool Chip::is_functional() const
{
    return ax_sc_chip_is_functional(impl_->chip) != 0;
}

void Chip::b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay)
{
    if (gp.get_command() != tlm::TLM_WRITE_COMMAND) {
        gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    if (gp.get_address() != 0) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (gp.get_data_length() != sizeof(Token) || !gp.get_data_ptr() || gp.get_byte_enable_ptr() ||
        gp.get_streaming_width() < gp.get_data_length()) {
        gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    Token *t = reinterpret_cast<Token *>(gp.get_data_ptr());
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_sc_token r;
    ax_status st = ax_sc_chip_token(impl_->chip, t->id, &r, &diags);
    flush(&diags);
    if (st != AX_OK) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    t->index = r.index;
    t->cycles = r.cycles;
    t->seconds = r.seconds;
    t->dynamic_j = r.dynamic_j;
    t->static_j = r.static_j;
    /* the chip takes one token at a time: a token that comes while it is
     * busy waits for the one before */
    sc_core::sc_time arrive = sc_core::sc_time_stamp() + delay;
    sc_core::sc_time start = arrive > busy_until_ ? arrive : busy_until_;
    busy_until_ = start + sc_core::sc_time(r.seconds, sc_core::SC_SEC);
    delay = busy_until_ - sc_core::sc_time_stamp();
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

} // namespace axon
