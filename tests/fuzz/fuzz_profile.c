/* Fuzz target: sparsity profiles, "axon-profile/1" JSON (sim/synth.c).
 *
 * ax_synth_profile_load reads the input from an in-memory file. A profile
 * that loads is looked up as the counting mode looks it up: each site by its
 * own name, and a few projection names of a deeper model, which reach the
 * profile's layers cyclically. */
#include "fuzz_util.h"

#include "ax_synth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_synth_profile prof;
    if (ax_synth_profile_load(path, &prof, &diags) == AX_OK) {
        struct ax_synth_pmf pmf;
        for (uint32_t i = 0; i < prof.n_sites; i++)
            (void)ax_synth_profile_pmf(&prof, prof.sites[i].name, &pmf);
        static const char *const names[] = {
            "model.layers.0.attn.q_proj", "model.layers.7.mlp.down_proj",
            "model.layers.4294967295.attn.o_proj", "layers.1.", "lm_head", ""};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            (void)ax_synth_profile_pmf(&prof, names[i], &pmf);
        ax_synth_profile_free(&prof);
    }
    ax_diag_print(&diags, fuzz_sink());
    ax_diag_list_free(&diags);
    close(fd);
    return 0;
}
