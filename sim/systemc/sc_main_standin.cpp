/* libsystemc's own main() calls sc_main, so every program linked with
 * libsystemc must define one, even a program with a main() of its own that
 * only uses the SystemC engine (the axon tool, the tests). This weak stand-in
 * satisfies the link; a platform's own sc_main takes precedence over it.
 * CMake links it into every program that links ax_simulate (-u sc_main). */
extern "C" {
#include "ax_log.h"
}

#include <systemc>

extern "C" __attribute__((weak)) int sc_main(int, char **)
{
    AX_LOG_ERROR("this program defines no sc_main: it cannot run as a SystemC platform");
    return 1;
}
