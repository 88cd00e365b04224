/* axon inspect CHIP.yaml | MODEL_DIR | PROG.axb [--json]: load a chip description, a
 * model directory or a program, report every problem with its position,
 * and print its summary. Model directories are handled in cmd_model.c. */
#include "axon_cmd.h"

#include "ax_arch.h"
#include "ax_diag.h"
#include "ax_prog.h"
#include "ax_fs.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axon inspect CHIP.yaml | MODEL_DIR | PROG.axb [--json]\n"
            "\n"
            "CHIP.yaml: loads a chip description (axon's format or SANA-FE's architecture\n"
            "format), checks it, and prints chips, tiles, cores, neurons, SRAM, peak\n"
            "synaptic operations per second, static power and the sources of the numbers.\n"
            "\n"
            "MODEL_DIR: reads config.json (SpikingBrain gla_swa or hybrid), validates the\n"
            "safetensors checkpoint if there is one (model.safetensors or a sharded\n"
            "model.safetensors.index.json; without weights the model is shape-only) and\n"
            "its tokenizer, and prints the layer plan (GLA, SWA, LA+SWA, LA+full; dense\n"
            "MLP or MoE), parameters in total and active per token, and multiply-\n"
            "accumulates per token at contexts 1, 4096, 32768 and 131072:\n"
            "  linear projections (out*in per weight matrix used) + lm_head (vocab*hidden)\n"
            "  + softmax attention 2*heads*head_dim*keys (keys = min(context, window) for\n"
            "  SWA, context for full attention, plus meta tokens in the 76B)\n"
            "  + GLA/linear attention 3*heads*head_dim^2 (decay, k v^T, q S).\n"
            "Norms, activations, RoPE, softmax and biases are not counted (docs/models.md).\n"
            "\n"
            "PROG.axb: validates a program written by 'axon compile -o' or 'axon asm' and\n"
            "prints cores and chips used, SRAM per core, DRAM bytes, instructions, and the\n"
            "compiler's traffic estimate placed and naive (docs/mapping.md).\n"
            "\n"
            "Problems are reported on standard error as file:line:col: message.\n"
            "\n"
            "options:\n"
            "  --json    print one JSON object on standard output instead of text;\n"
            "            on an error standard output stays empty and the exit code is 1\n"
            "  -h, --help\n");
}

/* axon inspect PROG.axb: validate a program and summarize it. */
static int inspect_program(const char *path, int is_json)
{
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_prog p;
    ax_status st = ax_prog_load(&p, path, &diags);
    ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    if (st == AX_OK)
        st = ax_prog_print_summary(&p, path, stdout, is_json);
    else
        fprintf(stderr, "axon inspect: %s: %s\n", path, ax_status_str(st));
    ax_prog_free(&p);
    return st == AX_OK ? 0 : 1;
}

int ax_cmd_inspect(int argc, char **argv)
{
    const char *path = NULL;
    int is_json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            is_json = 1;
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "axon inspect: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (path) {
            fprintf(stderr, "axon inspect: one file at a time ('%s' and '%s' given)\n", path, argv[i]);
            return 2;
        } else
            path = argv[i];
    }
    if (!path) {
        usage(stderr);
        return 2;
    }
    if (ax_fs_is_dir(path))
        return ax_cmd_inspect_model(path, is_json);
    size_t len = strlen(path);
    if (len > 4 && strcmp(path + len - 4, ".axb") == 0)
        return inspect_program(path, is_json);
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    ax_arch_t *arch = NULL;
    ax_status st = ax_arch_load(path, &arch, &diags);
    ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    if (st != AX_OK) {
        fprintf(stderr, "axon inspect: %s: %s\n", path, ax_status_str(st));
        return 1;
    }
    st = ax_arch_print_summary(arch, stdout, is_json);
    ax_arch_free(arch);
    return st == AX_OK ? 0 : 1;
}
