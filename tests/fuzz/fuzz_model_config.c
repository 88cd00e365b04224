/* Fuzz target: a model's config.json (compiler/frontend/model_config.c).
 *
 * A config that parses is used as `axon model` uses a shape-only model: the
 * tensors a checkpoint of each weight variant must hold (the variant may not
 * fit the config: that is a clean refusal), the parameter counts and the
 * multiply-accumulates per token at a few context lengths
 * (compiler/frontend/model_tensors.c). */
#include "fuzz_util.h"

#include "ax_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_model_config cfg;
    if (ax_model_config_parse("config.json", text, size, &cfg, &diags) == AX_OK) {
        (void)ax_model_type_str(cfg.type);
        for (int v = 0; v < AX_MODEL_VARIANT_COUNT; v++) {
            struct ax_model_tensor_list list;
            if (ax_model_expected_tensors(&cfg, (enum ax_model_variant)v, &list, &diags) ==
                AX_OK) {
                struct ax_model_counts counts;
                ax_model_count_params(&cfg, &list, &counts);
                if (list.n_items && ax_model_tensors_find(&list, list.items[0].name) == NULL)
                    abort(); /* a listed tensor is found by its name */
            }
            ax_model_tensors_free(&list); /* emptied by a failed listing: free is harmless */
            /* contexts up to the most `axon run --context` accepts */
            static const uint64_t contexts[] = {1, 4096, 1ull << 32};
            for (size_t c = 0; c < sizeof contexts / sizeof contexts[0]; c++) {
                struct ax_model_macs macs;
                ax_model_macs_per_token(&cfg, (enum ax_model_variant)v, contexts[c], &macs);
            }
        }
        (void)ax_model_default_variant(&cfg);
        ax_model_config_free(&cfg);
    }
    ax_diag_print(&diags, fuzz_sink());
    ax_diag_list_free(&diags);
    free(text);
    return 0;
}
