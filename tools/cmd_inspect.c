/* axon inspect CHIP.yaml [--json]: load a chip description, report every
 * problem with its position, and print the chip's summary. */
#include "axon_cmd.h"

#include "ax_arch.h"
#include "ax_diag.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: axon inspect CHIP.yaml [--json]\n"
            "\n"
            "Loads a chip description (axon's format or SANA-FE's architecture format),\n"
            "checks it, and prints chips, tiles, cores, neurons, SRAM, peak synaptic\n"
            "operations per second, static power and the sources of the numbers.\n"
            "Problems are reported on standard error as file:line:col: message.\n"
            "\n"
            "options:\n"
            "  --json    print one JSON object on standard output instead of text\n"
            "  -h, --help\n");
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
