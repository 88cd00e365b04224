/* Fuzz target: chip descriptions (arch/), either format.
 *
 * ax_arch_load_text tells axon's own format from SANA-FE's by the top-level
 * keys; fuzz.chip_native and fuzz.chip_sanafe both run this file, each from
 * a seed corpus of its format, so that each explores its own reader
 * (arch/chip_native.c, arch/chip_sanafe.c) and the typed reads and the YAML
 * tree below them (arch/chip_read.c, common/ax_yaml.c, common/ax_qty.c). A
 * description that loads is summarized, as `axon inspect` does, in both
 * forms; its derived figures are computed. */
#include "fuzz_util.h"

#include "ax_arch.h"
#include "ax_diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_arch_t *arch = NULL;
    if (ax_arch_load_text("fuzz.yaml", text, size, &arch, &diags) == AX_OK && arch) {
        ax_arch_print_summary(arch, fuzz_sink(), 0);
        ax_arch_print_summary(arch, fuzz_sink(), 1);
        (void)ax_arch_peak_sops(arch);
        (void)ax_arch_chip_static_power(arch);
        (void)ax_arch_sync_latency(arch, ax_arch_tiles_per_chip(arch));
        (void)ax_arch_n_chips(arch);
        (void)ax_arch_cores_per_chip(arch);
        ax_arch_free(arch);
    }
    ax_diag_print(&diags, fuzz_sink());
    ax_diag_list_free(&diags);
    free(text);
    return 0;
}
