/* axon compile MODEL --emit ir: build a model's graph IR and print it.
 * (Lowering to a chip program comes with the instruction set.) */
#include "axon_cmd.h"

#include "ax_diag.h"
#include "ax_ir.h"
#include "ax_model.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axon compile MODEL_DIR --emit ir\n"
            "\n"
            "Reads a SpikingBrain model directory (config.json, and weights if present),\n"
            "builds the graph IR of one token step, verifies it and prints its text form\n"
            "(docs/ir.md) on standard output.\n"
            "\n"
            "options:\n"
            "  --emit ir   what to print (the graph IR is the only stage so far)\n"
            "  -h, --help\n");
}

int ax_cmd_compile(int argc, char **argv)
{
    const char *dir = NULL, *emit = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--emit") == 0 && i + 1 < argc) {
            emit = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "axon compile: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (dir) {
            fprintf(stderr, "axon compile: one model at a time ('%s' and '%s' given)\n", dir, argv[i]);
            return 2;
        } else {
            dir = argv[i];
        }
    }
    if (!dir || !emit) {
        usage(stderr);
        return 2;
    }
    if (strcmp(emit, "ir") != 0) {
        fprintf(stderr, "axon compile: --emit %s is not available; expected 'ir'\n", emit);
        return 2;
    }
    struct ax_diag_list diags;
    ax_diag_list_init(&diags);
    struct ax_model *m = NULL;
    ax_status st = ax_model_open(dir, &m, &diags);
    struct ax_ir_graph g = {0};
    if (st == AX_OK)
        st = ax_ir_build(&g, m, &diags);
    ax_diag_print(&diags, stderr);
    ax_diag_list_free(&diags);
    if (st == AX_OK)
        st = ax_ir_print(&g, stdout);
    else
        fprintf(stderr, "axon compile: %s: %s\n", dir, ax_status_str(st));
    ax_ir_free(&g);
    ax_model_close(m);
    return st == AX_OK ? 0 : 1;
}
