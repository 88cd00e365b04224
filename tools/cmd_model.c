/* axon inspect MODEL_DIR [--json]: open a model directory (config.json and,
 * optionally, its safetensors checkpoint and tokenizer), report every problem
 * with its position, and print the model's summary. */
#include "axon_cmd.h"

#include "ax_diag.h"
#include "ax_model.h"

#include <stdio.h>

int ax_cmd_inspect_model(const char *dir, int is_json)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_model *model = NULL;
    ax_status st = ax_model_open(dir, &model, &diags);
    ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    if (st != AX_OK) {
        fprintf(stderr, "axon inspect: %s: %s\n", dir, ax_status_str(st));
        return 1;
    }
    st = ax_model_print_summary(model, stdout, is_json);
    ax_model_close(model);
    return st == AX_OK ? 0 : 1;
}
